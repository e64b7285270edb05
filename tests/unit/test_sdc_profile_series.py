"""The SDC profile: chosen in analyses.yml, given to every run, recorded, checked, shown."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from lifetools import disclosure, publication, tables
from lifetools.errors import DisclosureError, ParameterError
from lifetools.pipeline import dependencies, provenance
from lifetools.pipeline.book import disclosure_line
from lifetools.pipeline.build import PreparedData, edition_manifest, plan_runs
from lifetools.pipeline.gate import assert_publishable, new_key, scan_notebook, seals
from lifetools.pipeline.runner import RunOutcome, RunSpec, _environment
from lifetools.pipeline.series import load_series

ROOT = Path(__file__).resolve().parents[2]
SERIES = ROOT / "analyses" / "analyses.yml"


def series_with(tmp_path: Path, profile: str):
    text = SERIES.read_text().replace("  profile: default\n", f"  profile: {profile}\n")
    path = tmp_path / "analyses.yml"
    path.write_text(text)
    return path, text


def test_series_profile_defaults_and_is_read_from_the_file(tmp_path):
    assert load_series(SERIES).sdc_profile.name == "default"
    path, _ = series_with(tmp_path, "mhsds")
    assert load_series(path).sdc_profile == disclosure.get_profile("mhsds")
    raw = yaml.safe_load(SERIES.read_text())
    raw.pop("disclosure")
    bare = tmp_path / "bare.yml"
    bare.write_text(yaml.safe_dump(raw))
    assert load_series(bare).sdc_profile.name == "default"


def test_series_unknown_profile_names_file_line_and_known_profiles(tmp_path):
    path, text = series_with(tmp_path, "lenient")
    line = text.splitlines().index("  profile: lenient") + 1
    with pytest.raises(ParameterError) as info:
        load_series(path)
    message = str(info.value)
    assert f"analyses.yml:{line}:" in message
    assert "'lenient'" in message and "threshold-10" in message


def test_runs_carry_the_series_profile_into_key_kernel_and_manifest(tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(provenance, "code_version", lambda: {"commit": None})
    monkeypatch.setenv(disclosure.ENV_VAR, "opensafely-midpoint6")  # a stale shell value
    path, _ = series_with(tmp_path, "threshold-10")
    series = load_series(path)
    data = PreparedData(tmp_path, {"combined": "x"})
    specs = plan_runs(series, data, editions=[series.editions[0].id],
                      runs_root=tmp_path / "runs")
    assert {s.sdc_profile for s in specs} == {"threshold-10"}
    env = _environment(specs[0], tmp_path, "k")
    assert env[disclosure.ENV_VAR] == "threshold-10"
    monkeypatch.setattr(dependencies, "run_inputs", lambda **_: {"notebook": "n"})
    assert replace(specs[0], sdc_profile="default").key() != replace(
        specs[0], sdc_profile="mhsds").key()
    nb = nbformat.v4.new_notebook(cells=[])
    specs[0].run_dir.mkdir(parents=True)
    nbformat.write(nb, specs[0].run_dir / "notebook.ipynb")
    manifest = edition_manifest(series, series.editions[0].id, data,
                                [RunOutcome(specs[0], "ran", 0.0, record={})], "t")
    rules = manifest["disclosure"]
    assert rules["profile"] == "threshold-10"
    assert (rules["suppression_threshold"], rules["rounding_base"]) == (9, 5)
    assert rules["rule"] == disclosure.rule_sentence("threshold-10")


def sealed_table(tmp_path: Path, count: int, profile: str, *, recorded: str) -> Path:
    """An executed notebook showing one sealed table of ``count`` made under ``profile``."""
    key = new_key()
    with disclosure.use_profile(profile):
        table = disclosure.protect_counts(
            pd.DataFrame({"group": ["a"], "n": [count]}), ["n"])
        shown = tables.show_table(table, name="t", caption="c")
    data, metadata = shown._repr_mimebundle_()
    metadata[publication.STAMP_KEY]["seal"] = seals.seal_digest(
        data, metadata[publication.STAMP_KEY], key)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data,
                                           metadata=metadata)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["lifetools"] = {"sdc_profile": recorded}
    seals.verify_and_settle(nb, key)
    path = tmp_path / "2024-25" / "report" / "notebook.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_gate_reads_counts_with_the_editions_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path / "out"))
    path = sealed_table(tmp_path, 6, "mhsds", recorded="mhsds")  # 6 -> 5 under mhsds
    assert scan_notebook(path) == []  # the runner's record: mhsds
    assert_publishable([path], {path: "mhsds"})
    with pytest.raises(DisclosureError, match="profile-mismatch"):
        assert_publishable([path], {path: "default"})  # a default edition: 5 is small
    found = {f.rule for f in scan_notebook(path, profile="default")}
    assert found == {"profile-mismatch", "small-count"}


def test_gate_refuses_a_table_protected_under_a_looser_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path / "out"))
    # an author switching to midpoint rounding inside a default edition's notebook
    path = sealed_table(tmp_path, 4, "opensafely-midpoint6", recorded="default")
    rules = {f.rule for f in scan_notebook(path)}
    assert "profile-mismatch" in rules


@pytest.mark.parametrize("name", sorted(disclosure.PROFILES))
def test_disclosure_line_states_the_profile_and_its_rules(name):
    line = disclosure_line({"disclosure": {"profile": name}})
    assert line.startswith(f"Profile `{name}`: ")
    sentence = disclosure.rule_sentence(name)
    assert sentence[1:] in line and "|" not in line


def test_disclosure_line_of_an_edition_archived_before_profiles_is_default():
    assert disclosure_line({"disclosure": {"suppression_threshold": 7}}).startswith(
        "Profile `default`: counts from 1 to 7 are suppressed")


def test_runspec_profile_defaults_to_default(tmp_path):
    spec = RunSpec(edition="e", analysis="a", source=tmp_path / "x.ipynb",
                   parameters={}, run_dir=tmp_path, data_dir=tmp_path,
                   data_fingerprint="x")
    assert spec.sdc_profile == "default"


def test_series_acro_cross_check_reaches_every_kernel(tmp_path, monkeypatch):
    series = load_series(SERIES)
    assert series.disclosure.acro is True  # the project's series asks for it
    data = PreparedData(tmp_path, {"combined": "x"})
    spec = plan_runs(series, data, editions=[series.editions[0].id],
                     runs_root=tmp_path / "runs")[0]
    assert spec.acro and _environment(spec, tmp_path, "k")[disclosure.ENV_ACRO] == "1"
    off = RunSpec(**{**spec.__dict__, "acro": False})
    assert _environment(off, tmp_path, "k")[disclosure.ENV_ACRO] == "0"
    monkeypatch.setattr(dependencies, "run_inputs", lambda **_: {"notebook": "n"})
    assert spec.key() != off.key()
