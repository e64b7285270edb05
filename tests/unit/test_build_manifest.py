"""The edition manifest records what the reports did, not a constant."""

from __future__ import annotations

from pathlib import Path

import nbformat

from lifetools import publication
from lifetools.pipeline import provenance
from lifetools.pipeline.build import PreparedData, edition_manifest
from lifetools.pipeline.layout import NOTEBOOK_NAME
from lifetools.pipeline.runner import RunOutcome, RunSpec
from lifetools.pipeline.series import load_series

ROOT = Path(__file__).resolve().parents[2]


def outcome(tmp_path: Path, series, analysis: str, *, enabled: bool) -> RunOutcome:
    edition = series.editions[0]
    run_dir = tmp_path / edition.id / analysis
    run_dir.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict({
        "output_type": "display_data", "data": {"text/html": "<table/>"},
        "metadata": publication.stamp("table", "counts", rules={"enabled": enabled})})]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), run_dir / NOTEBOOK_NAME)
    spec = RunSpec(edition=edition.id, analysis=analysis,
                   source=ROOT / "analyses" / series.analyses[0].notebook,
                   parameters={}, run_dir=run_dir, data_dir=tmp_path,
                   data_fingerprint="x")
    return RunOutcome(spec, "ran", 0.0, record={"key": "k"})


def test_edition_manifest_records_outputs_shown_with_protection_off(tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(provenance, "code_version", lambda: {"commit": None})
    series = load_series(ROOT / "analyses" / "analyses.yml")
    data = PreparedData(tmp_path, {"combined": "x"})
    outcomes = [outcome(tmp_path, series, "a", enabled=True),
                outcome(tmp_path, series, "b", enabled=False)]
    manifest = edition_manifest(series, series.editions[0].id, data, outcomes, "t")
    assert manifest["disclosure"]["enabled"] is False
    assert manifest["disclosure"]["unprotected_outputs"] == {"b": ["table:counts"]}
    assert manifest["analyses"]["a"]["unprotected_outputs"] == []
    protected = edition_manifest(series, series.editions[0].id, data, outcomes[:1], "t")
    assert protected["disclosure"]["enabled"] is True
    assert protected["disclosure"]["unprotected_outputs"] == {}
