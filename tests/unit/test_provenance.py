"""Provenance: hashes, code version, package versions, citation."""

from __future__ import annotations

import subprocess

from lifetools.pipeline import provenance


def test_data_fingerprint_changes_with_any_table_and_dictionary(tmp_path):
    data, dictionary = tmp_path / "data", tmp_path / "dict"
    data.mkdir()
    dictionary.mkdir()
    (data / "people.csv").write_text("a\n1\n")
    (data / "notes.txt").write_text("ignored")
    (dictionary / "people.yaml").write_text("name: people\n")
    first = provenance.data_fingerprint(data, dictionary)
    assert list(first["tables"]) == ["people.csv"]
    (data / "people.csv").write_text("a\n2\n")
    second = provenance.data_fingerprint(data, dictionary)
    (dictionary / "people.yaml").write_text("name: people2\n")
    third = provenance.data_fingerprint(data, dictionary)
    assert len({first["combined"], second["combined"], third["combined"]}) == 3
    assert second["dictionary"] != third["dictionary"]


def test_digest_is_canonical():
    assert provenance.digest({"b": 1, "a": [1, 2]}) == provenance.digest(
        {"a": [1, 2], "b": 1})


def test_code_version_reports_commit_and_dirty(tmp_path):
    assert provenance.code_version(tmp_path) == {"commit": None, "dirty": None}
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "f.txt").write_text("x")
    subprocess.run(["git", "add", "f.txt"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm",
                    "x"], cwd=tmp_path, check=True)
    clean = provenance.code_version(tmp_path)
    assert len(clean["commit"]) == 40 and clean["dirty"] is False
    (tmp_path / "f.txt").write_text("changed")
    assert provenance.code_version(tmp_path)["dirty"] is True


def test_package_versions_cover_the_statistical_stack():
    versions = provenance.package_versions()
    for name in ("python", "pandas", "lifelines", "statsmodels", "jupyter-book"):
        assert versions[name] not in ("", "not installed")
    assert provenance.package_versions(["no-such-package"])["no-such-package"] == (
        "not installed")


def test_citation_reads_citation_cff(tmp_path):
    (tmp_path / "CITATION.cff").write_text(
        "title: T\nversion: 1.0\nauthors:\n  - given-names: Ada\n    family-names: L\n")
    cite = provenance.citation(tmp_path)
    assert cite["text"] == "Ada L. T. Version 1.0."
    assert provenance.citation(tmp_path / "none") == {}


def test_lock_hash_and_write_json(tmp_path):
    assert provenance.lock_hash(tmp_path) is None
    (tmp_path / "requirements.lock").write_text("x==1\n")
    assert len(provenance.lock_hash(tmp_path)) == 64
    path = provenance.write_json(tmp_path / "a" / "b.json", {"z": 1, "a": 2})
    assert path.read_text() == '{\n  "a": 2,\n  "z": 1\n}\n'
