"""Provenance: hashes, code version, package versions, citation."""

from __future__ import annotations

import ast
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
from project_copy import GIT_ENV, ROOT
from source_trees import parse_file

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


#: Third-party packages the lifetools source imports that touch no published result:
#: command line, notebook plumbing, configuration parsing (its files are hashed).
NOT_RESULTS = {"click", "ipython", "jsonschema", "jupyter_client", "jupyter_core",
               "nbformat", "pydantic", "pyyaml"}


@pytest.mark.xdist_group("source_trees")  # parses the package: see source_trees.py
def test_stack_packages_cover_every_third_party_import_that_touches_results():
    # duckdb, ibis, sqlglot (data reading and validation), acro (the gate) and pillow
    # (figure bytes) were not in the stack: a changed duckdb with an unchanged lock
    # reused every run and reproduce ran (issue 14, wave-23 audit)
    imported = set()
    for path in (ROOT / "src" / "lifetools").rglob("*.py"):
        for node in ast.walk(parse_file(path)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    owners = importlib.metadata.packages_distributions()
    third = {dist.lower() for module in imported - set(sys.stdlib_module_names)
             - {"lifetools"} for dist in owners.get(module, [module])}
    assert "duckdb" in third and "acro" in third  # the scan finds them
    stack = {name.lower() for name in provenance.STACK_PACKAGES}
    assert sorted(third - stack - NOT_RESULTS) == []


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


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**GIT_ENV, "PATH": "/usr/bin:/bin", "HOME": str(root)})


def test_changed_files_lists_changes_and_untracked_files_under_versioned_paths_only(
        tmp_path):
    assert provenance.changed_files(tmp_path) is None
    (tmp_path / "analyses").mkdir()
    (tmp_path / "analyses" / "a.ipynb").write_text("{}")
    (tmp_path / "notes.txt").write_text("x")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "one")
    assert provenance.changed_files(tmp_path) == []
    (tmp_path / "analyses" / "a.ipynb").write_text('{"changed": 1}')
    (tmp_path / "notes.txt").write_text("y")
    (tmp_path / "analyses" / "untracked.ipynb").write_text("{}")
    (tmp_path / "untracked-notes.txt").write_text("x")  # outside the versioned paths
    # an untracked notebook or module is read by the build but missing from the commit
    # a published edition records: listed (it was not, issue 14 audit)
    assert provenance.changed_files(tmp_path) == ["analyses/a.ipynb",
                                                  "analyses/untracked.ipynb (untracked)"]
    # git-ignored files and Jupyter's checkpoints are not inputs
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ignored.py").write_text("")
    (tmp_path / "analyses" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "analyses" / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")
    (tmp_path / "data_dictionary").mkdir()
    (tmp_path / "data_dictionary" / "extra.yaml").write_text("x: 1\n")
    assert provenance.changed_files(tmp_path) == [
        "analyses/a.ipynb", "analyses/untracked.ipynb (untracked)",
        "data_dictionary/extra.yaml (untracked)"]


def test_source_date_epoch_is_the_commit_time_unless_set(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert provenance.source_date_epoch(tmp_path) == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "one")
    assert provenance.source_date_epoch(tmp_path) == 1743508800  # 2025-04-01T12:00Z
    assert provenance.source_date(tmp_path) == "2025-04-01T12:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert provenance.source_date(tmp_path) == "1970-01-02T00:00:00+00:00"


def test_scrub_paths_replaces_the_longest_root_first():
    text = "/home/a/proj/build/x.py:3: Warning\n/home/a/proj/src/y.py"
    roots = {"<project>": Path("/home/a/proj"), "<build>": Path("/home/a/proj/build")}
    assert provenance.scrub_paths(text, roots) == (
        "<build>/x.py:3: Warning\n<project>/src/y.py")
