"""Reproduce: read the published site, refuse a different environment, name each number."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from project_copy import ProjectRoot, commit_all

from lifetools.errors import ParameterError, ReproducibilityError
from lifetools.pipeline import provenance, reproduce
from lifetools.pipeline.cli import main


def test_compare_file_csv_names_table_row_column_and_both_values():
    published = b"group,n,percent\nall,120,96.2\nwomen,60,95.0\n"
    reproduced = b"group,n,percent\nall,120,80.8\nwomen,60,95.0\n"
    [diff] = reproduce.compare_file("wellbeing/table.csv", published, reproduced)
    assert (diff.table, diff.row, diff.column) == ("wellbeing/table.csv", "1 (all)",
                                                   "percent")
    assert (diff.published, diff.reproduced) == ("96.2", "80.8")
    assert reproduce.compare_file("t.csv", published, published) == []


def test_compare_file_json_names_the_path_of_each_changed_value():
    published = json.dumps({"hr": {"estimate": 0.71, "ci": [0.6, 0.8]}, "n": 5}).encode()
    reproduced = json.dumps({"hr": {"estimate": 0.93, "ci": [0.6, 0.8]}, "n": 5}).encode()
    [diff] = reproduce.compare_file("a/results.json", published, reproduced)
    assert (diff.row, diff.published, diff.reproduced) == ("hr.estimate", "0.71", "0.93")


def test_compare_file_other_files_differ_as_a_whole():
    [diff] = reproduce.compare_file("a/figure.png", b"\x89PNG1", b"\x89PNG2")
    assert diff.published.startswith("sha256 ") and diff.published != diff.reproduced


def published_site(tmp_path: Path, **changes) -> Path:
    """A site folder holding one edition's manifest, as this environment would write."""
    site = tmp_path / "site"
    folder = site / "editions" / "2024-25"
    folder.mkdir(parents=True)
    manifest = {"code_fingerprint": provenance.code_fingerprint(),
                "lock_hash": provenance.lock_hash(),
                "packages": provenance.package_versions(),
                "code_version": {"commit": "abc123"},
                "analyses": {"wellbeing": {"notebook": "05_wellbeing.ipynb",
                                           "parameters": {},
                                           "files": {"results.json": "0" * 64}}},
                "data": {"synthetic": {"people": 10, "seed": 1},
                         "fingerprint": {"combined": "2" * 64}}}
    manifest["packages"].update(changes.pop("packages", {}))
    manifest.update(changes)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return site


def test_reproduce_refuses_another_environment_naming_each_difference(tmp_path):
    site = published_site(tmp_path, code_fingerprint="0" * 64, lock_hash="1" * 64,
                          packages={"statsmodels": "0.0.1"})
    with ProjectRoot(tmp_path), pytest.raises(ReproducibilityError) as caught:
        reproduce.reproduce_edition("2024-25", site=site.as_uri())
    text = str(caught.value)
    assert "code: the lifetools source differs" in text
    assert "lock file: requirements.lock differs" in text
    assert "package statsmodels: 0.0.1 published" in text
    assert "package pandas" not in text
    # the Python running lifetools (the project's .venv), never a bare `python`
    python = Path(sys.executable)
    if python.is_relative_to(Path.cwd()):
        python = python.relative_to(Path.cwd())
    assert caught.value.hint.startswith(f"git checkout abc123 && {python} -m pip install "
                                        "-r requirements.lock")
    assert not (tmp_path / "build").exists()


def test_environment_differences_python_bug_fix_release_passes_feature_release_refused(
        tmp_path, monkeypatch):
    """Another bug-fix release of the recorded Python (3.11.9 for 3.11.7) installs the
    same locked wheels: not refused (it was, with a hint that cannot change Python);
    another feature release is refused, saying which Python to set up with."""
    site = published_site(tmp_path, packages={"python": "3.11.7"})
    manifest = json.loads((site / "editions" / "2024-25" / "manifest.json").read_text())
    with ProjectRoot(tmp_path):
        for here, refused in (("3.11.7", False), ("3.11.9", False), ("3.12.1", True)):
            monkeypatch.setattr(provenance.platform, "python_version", lambda v=here: v)
            found = [d for d in reproduce.environment_differences(manifest)
                     if "python" in d.lower()]
            assert bool(found) == refused, (here, found)
        assert found == ["Python 3.11.7 published, 3.12.1 here: make a new .venv with "
                         "Python 3.11 (`rm -rf .venv && make setup PYTHON=python3.11`)"]


def test_reproduce_dirty_checkout_names_its_changes_and_stashes_them_first(tmp_path):
    """A refusal in a checkout with uncommitted changes names them, and the hint puts
    them aside before the checkout (``git checkout`` of the commit already checked out
    kept them: following the hint changed nothing)."""
    site = published_site(tmp_path, code_fingerprint="0" * 64)
    (tmp_path / "analyses").mkdir()
    notebook = tmp_path / "analyses" / "05_wellbeing.ipynb"
    notebook.write_text("{}")
    commit_all(tmp_path, "a project")
    with ProjectRoot(tmp_path):
        with pytest.raises(ReproducibilityError) as clean:
            reproduce.reproduce_edition("2024-25", site=site)
        assert "uncommitted" not in str(clean.value)
        assert clean.value.hint.startswith("git checkout abc123")
        notebook.write_text('{"edited": true}')
        with pytest.raises(ReproducibilityError) as dirty:
            reproduce.reproduce_edition("2024-25", site=site)
    assert ("this checkout has uncommitted changes: analyses/05_wellbeing.ipynb"
            in str(dirty.value))
    assert dirty.value.hint.startswith("git stash && git checkout abc123 && ")


def test_reproduce_unknown_edition_on_the_site_is_a_parameter_error(tmp_path, capsys):
    site = published_site(tmp_path)
    with ProjectRoot(tmp_path):
        with pytest.raises(ParameterError, match="not published at"):
            reproduce.reproduce_edition("2019-20", site=site)
        assert main(["reproduce", "2019-20", "--site", str(site)]) == 12
    assert "Traceback" not in capsys.readouterr().err


def test_site_source_reads_folders_and_file_urls(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"x")
    for where in (tmp_path, tmp_path.as_uri()):
        source = reproduce.SiteSource(where)
        assert source.read("a.txt") == b"x"
        assert source.read("missing.txt") is None


def test_compare_file_reads_quoted_cells_as_the_gate_does():
    from lifetools.disclosure.downloads import read_csv

    published = b'group,n\n"Sefton, North",[c]\nLiverpool,40\n'
    reproduced = b'group,n\n"Sefton, North",15\nLiverpool,40\n'
    assert read_csv(published) == (["group", "n"],
                                   [["Sefton, North", "[c]"], ["Liverpool", "40"]])
    [found] = reproduce.compare_file("t/tables/a.csv", published, reproduced)
    assert (found.row, found.column, found.published, found.reproduced) == (
        "1 (Sefton, North)", "n", "[c]", "15")


@pytest.mark.parametrize(("manifest", "named"), [
    (b"<html>Page not found</html>", "not JSON"),
    (b"[]", "is not a lifetools manifest"),
    (json.dumps({"edition": "2024-25"}).encode(),
     "records no code_fingerprint, lock_hash, packages, data.fingerprint.combined, "
     "analyses"),
    (None, "records no analyses.wellbeing.files"),
])
def test_reproduce_manifest_not_json_or_incomplete_is_refused_naming_what_is_missing(
        tmp_path, capsys, manifest, named):
    """A manifest that is an error page, or that records no analyses or no published
    files, is refused before anything runs (it gave a traceback, or with nothing to
    compare "all 0 published files reproduced exactly", exit 0)."""
    site = published_site(tmp_path)
    path = site / "editions" / "2024-25" / "manifest.json"
    if manifest is None:  # an analysis whose published files were removed
        edited = json.loads(path.read_text())
        edited["analyses"]["wellbeing"]["files"] = {}
        manifest = json.dumps(edited).encode()
    path.write_bytes(manifest)
    with ProjectRoot(tmp_path):
        assert main(["reproduce", "2024-25", "--site", str(site), "--allow-drift"]) == 16
    err = capsys.readouterr().err
    assert named in err and "manifest.json" in err
    assert "Traceback" not in err
    assert not (tmp_path / "build").exists()


def test_data_differences_name_each_table_and_the_dictionary():
    recorded = {"tables": {"people.parquet": "a" * 64, "referrals.parquet": "b" * 64,
                           "feedback.parquet": "c" * 64},
                "dictionary": "d" * 64, "combined": "e" * 64}
    here = {"tables": {"people.parquet": "a" * 64, "referrals.parquet": "f" * 64,
                       "extra.csv": "0" * 64},
            "dictionary": "9" * 64, "combined": "1" * 64}
    assert reproduce.data_differences(recorded, here) == [
        "table extra.csv: here, not in the published edition",
        "table feedback.parquet: published, missing here",
        f"table referrals.parquet: SHA-256 {'b' * 12} published, {'f' * 12} here",
        "the data dictionary (data_dictionary/) differs from the one the edition was "
        "built with"]
    engine = {"combined": "1" * 64}  # checksums made in an engine: no per-file hashes
    assert reproduce.data_differences({"combined": "2" * 64}, engine) == [
        f"data fingerprint {'2' * 12} published, {'1' * 12} here"]


@pytest.mark.parametrize("given", [None, "extract"])
def test_reproduce_changed_data_is_refused_naming_the_table(tmp_path, capsys, monkeypatch,
                                                           given):
    """Data that differ from the manifest's are refused before anything runs, naming
    each table (it said "the input data differ", and told a reproducer whose
    regenerated synthetic data differed to pass an extract)."""
    site = published_site(tmp_path)
    path = site / "editions" / "2024-25" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["data"]["fingerprint"] = {"tables": {"referrals.parquet": "b" * 64},
                                       "dictionary": "d" * 64, "combined": "e" * 64}
    path.write_text(json.dumps(manifest))
    changed = {"tables": {"referrals.parquet": "f" * 64}, "dictionary": "d" * 64,
               "combined": "1" * 64}
    monkeypatch.setattr(reproduce, "_data", lambda *_args: SimpleNamespace(
        fingerprint=changed, engine={"source": "files"}))
    with ProjectRoot(tmp_path):
        assert main(["reproduce", "2024-25", "--site", str(site), "--allow-drift",
                     *(["--data", str(tmp_path)] if given else [])]) == 16
    err = capsys.readouterr().err
    assert f"table referrals.parquet: SHA-256 {'b' * 12} published, {'f' * 12} here" in err
    assert ("HINT: pass the extract the edition was built from" in err) == bool(given)
    assert ("HINT: git checkout abc123" in err) != bool(given)
    assert "Traceback" not in err and not (tmp_path / "build" / "reproduce").exists()


def test_reproduce_commit_missing_from_the_history_exits_20(tmp_path, capsys):
    site = published_site(tmp_path)  # this environment, commit abc123
    (tmp_path / "requirements.lock").write_bytes(
        (Path(__file__).resolve().parents[2] / "requirements.lock").read_bytes())
    with ProjectRoot(tmp_path):
        assert main(["reproduce", "2024-25", "--site", str(site)]) == 20
    err = capsys.readouterr().err
    assert "records commit abc123, which is not in the history" in err
    assert "git fetch --tags origin" in err
    assert not (tmp_path / "build").exists()


def test_method_difference_names_another_checksum_method_or_engine():
    # an edition built from a DuckDB file or a server before the 64-bit checksums
    # records a method without a version: its fingerprint differs for the same data,
    # which is not "the input data differ"
    from lifetools.engines import CHECKSUM_METHOD
    from lifetools.pipeline.reproduce import method_difference

    now = {"engine": "duckdb", "source": "duckdb", "method": CHECKSUM_METHOD}
    old = {**now, "method": "per column: sum over rows of the engine's hash ... mod 1000000007"}
    assert method_difference(now, dict(now)) is None
    assert "another method" in method_difference(old, now)
    assert "computed on postgres" in method_difference({**now, "engine": "postgres"}, now)
    folder = {**now, "source": "files"}  # a folder's fingerprint is its files' SHA-256
    assert method_difference(old, folder) is None
    assert method_difference(None, now) is None


def test_manifest_specs_carry_the_words_naming_parameters_as_the_build_ran_them(
        tmp_path):
    # the build records each analysis's words in the manifest and the run's notebook;
    # a reproduced notebook records the same words, so the gate reads it as it read the
    # published one (an analysis its manifest records none for runs without words)
    from lifetools.pipeline.build import PreparedData
    words = {"meaningful_change": ["SWEMWBS points", "improved by {} or more"]}
    manifest = {"disclosure": {"profile": "threshold-10", "acro": {"enabled": True}},
                "analyses": {
                    "wellbeing": {"notebook": "05_wellbeing.ipynb",
                                  "parameters": {"meaningful_change": 3.0},
                                  "parameter_words": words},
                    "reach_and_activity": {"notebook": "06_reach_and_activity.ipynb",
                                           "parameters": {}}}}
    data = PreparedData(tmp_path / "data", {"combined": "f" * 64})
    reach, wellbeing = reproduce.manifest_specs(
        manifest, "2024-25", data=data, sources=tmp_path / "analyses",
        runs_root=tmp_path / "runs")
    assert wellbeing.words() == words and reach.parameter_words == {}
    assert (wellbeing.sdc_profile, wellbeing.acro) == ("threshold-10", True)
    assert wellbeing.run_dir == tmp_path / "runs" / "wellbeing"
    assert wellbeing.source == tmp_path / "analyses" / "05_wellbeing.ipynb"


def test_manifest_specs_give_each_run_the_inputs_and_key_the_build_gave_it(tmp_path):
    # the build keys a run by the tables and columns it read (per-table hashes,
    # dictionary digest, column fingerprints); a reproduced run is given the same from
    # the manifest's data fingerprint, so it records the published run's key
    from lifetools import config
    from lifetools.pipeline import dependencies
    from lifetools.pipeline.build import PreparedData, plan_runs
    from lifetools.pipeline.series import load_series
    root = config.project_root()
    series = load_series(root / "analyses" / "analyses.yml")
    people = {"rows": 30, "names": ["person_id", "age"],
              "columns": {"person_id": "1" * 64, "age": "2" * 64}}
    fingerprint = {"tables": {"people.csv": "a" * 64, "sessions.csv": "b" * 64},
                   "dictionary": "d" * 64, "combined": "f" * 64}
    data = PreparedData(tmp_path / "data", fingerprint, columns={"people": people})
    built = plan_runs(series, data, editions=["2024-25"], runs_root=tmp_path / "runs")
    manifest = json.loads(json.dumps({
        "data": {"fingerprint": fingerprint},
        "disclosure": {"profile": series.sdc_profile.name,
                       "acro": {"enabled": series.disclosure.acro}},
        "analyses": {s.analysis: {"notebook": s.source.name,
                                  "parameters": dict(s.parameters),
                                  **({"parameter_words": s.words()}
                                     if s.parameter_words else {})}
                     for s in built}}, default=str))
    reproduced = reproduce.manifest_specs(manifest, "2024-25", data=data,
                                          sources=root / "analyses",
                                          runs_root=tmp_path / "again")
    assert [s.analysis for s in reproduced] == sorted(s.analysis for s in built)
    by_name = {s.analysis: s for s in built}
    reads, read_columns = ["people"], {"people": ["age"]}
    for spec in reproduced:
        original = by_name[spec.analysis]
        assert spec.data_tables == {"people": "a" * 64, "sessions": "b" * 64}
        assert spec.data_dictionary == "d" * 64 and spec.data_columns == {"people": people}
        # every field the data give a run, from their one owner (PreparedData.run_fields)
        assert {f: getattr(spec, f) for f in data.run_fields()} == \
            {f: getattr(original, f) for f in data.run_fields()}
        assert spec.inputs() == original.inputs(), spec.analysis
        # the key the runner records once the run has read a column of one table
        assert dependencies.inputs_key(spec.inputs(), reads, read_columns) == \
            dependencies.inputs_key(original.inputs(), reads, read_columns)
    # without the hashes (the change this test guards) the recorded key differs
    bare = reproduce.manifest_specs({**manifest, "data": {"fingerprint": {
        "combined": "f" * 64}}}, "2024-25", data=data, sources=root / "analyses",
        runs_root=tmp_path / "bare")[0]
    assert bare.data_tables is None and bare.data_columns is None
    assert dependencies.inputs_key(bare.inputs()) != dependencies.inputs_key(
        by_name[bare.analysis].inputs(), reads, read_columns)


def test_difference_error_counts_files_once_and_names_a_file_changed_after_publication():
    # one altered byte in a published CSV was reported as "2 of 102 files differ" with
    # the hint "report this as a bug" (wave 13, the outsider's reading)
    table = "wellbeing/tables/change.csv"
    value = reproduce.ValueDifference(table, "2 (Linear mixed model (REML))",
                                      "estimate (95% CI)", "3.11 (1.72 to 4.48)",
                                      "3.10 (1.72 to 4.48)")
    result = reproduce.Reproduction(
        "2024-25", 102, (f"{table}: the published file does not match its manifest hash",
                         f"{table}: 1 value(s) differ"), (value,), Path("out"))
    error = reproduce.difference_error(result, tampered=[table])
    assert "1 of 102 files differ" in str(error)
    assert "changed after publication" in error.hint and "bug" not in error.hint
    assert "published 3.11 (1.72 to 4.48), reproduced 3.10" in str(error)
    # a value that differs with the published bytes intact is a bug (or drift)
    same = reproduce.Reproduction("2024-25", 102, (f"{table}: 1 value(s) differ",),
                                  (value,), Path("out"))
    assert "report this as a bug" in reproduce.difference_error(same).hint
    assert reproduce.difference_error(same, fix="git checkout abc").hint == (
        "git checkout abc")
