"""Reproduce: read the published site, refuse a different environment, name each number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from project_copy import ProjectRoot

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
                "analyses": {}, "data": {"synthetic": {"people": 10, "seed": 1}}}
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
    assert caught.value.hint.startswith("git checkout abc123 && python -m pip install -r "
                                        "requirements.lock")
    assert not (tmp_path / "build").exists()


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
