"""Per-column incremental rebuilds at the extremes, over the run-cache keys (issue 14).

The tables and columns each report read are the ones a build recorded
(``benchmarks/results/column-reruns.json``, written by
``benchmarks/bench_column_reruns.py`` from each run's ``run.json``). On a generated
extract, a column every report reads is changed: every run's key changes; a column no
report reads is changed: no run's key changes. No notebook is executed. The benchmark
leaves the crisis-risk report out (its two notebooks are most of a build's time); its
reads are checked, with every other report's, in ``test_key_result_names.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lifetools.fingerprint import data_fingerprint, table_columns
from lifetools.pipeline.data_key import ALL, COLUMNS, TABLES, read_changes, table_hashes
from lifetools.pipeline.dependencies import inputs_key
from lifetools.synthetic import write_synthetic

MEASURED = Path(__file__).resolve().parents[2] / "benchmarks" / "results" \
    / "column-reruns.json"


def _read_columns() -> dict[str, dict[str, list[str]]]:
    return json.loads(MEASURED.read_text())["read_columns"]


def test_column_reruns_measured_every_analysis_but_those_left_out():
    from lifetools.pipeline.series import load_series

    measured = json.loads(MEASURED.read_text())
    assert set(measured["read_columns"]).isdisjoint(measured["left_out"])
    assert set(measured["read_columns"]) | set(measured["left_out"]) == {
        a.id for a in load_series().analyses}


def _every_and_none(folder: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(table, column) pairs every report reads, and pairs no report reads, of the
    extract in ``folder`` (a table read whole counts every column read)."""
    reads = _read_columns()
    present = {}
    for path in folder.glob("*.parquet"):
        present[path.stem] = list(pd.read_parquet(path).columns)

    def read_by(run: str, table: str, column: str) -> bool:
        wanted = reads[run].get(table, [])
        return ALL in wanted or column in wanted

    pairs = {(t, c) for t, columns in present.items() for c in columns}
    every = {p for p in pairs if all(read_by(r, *p) for r in reads)}
    none = {p for p in pairs if not any(read_by(r, *p) for r in reads)}
    return every, none


def _inputs(folder: Path) -> dict:
    fingerprint = data_fingerprint(folder)
    return {"notebook": "n", "parameters": {}, "data": fingerprint["combined"],
            "code": {}, "lock": None, "packages": {},
            TABLES: table_hashes(fingerprint), "dictionary": fingerprint["dictionary"],
            COLUMNS: table_columns(folder, fingerprint["tables"])}


def _keys(inputs: dict) -> dict[str, str]:
    return {run: inputs_key(inputs, sorted(columns), columns)
            for run, columns in _read_columns().items()}


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    folder = tmp_path_factory.mktemp("every-report")
    write_synthetic(folder, people=300, seed=7)
    return folder


def _changed(extract: Path, tmp_path: Path, table: str, column: str) -> Path:
    folder = tmp_path / "changed"
    folder.mkdir()
    for path in extract.iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    frame = pd.read_parquet(folder / f"{table}.parquet")
    frame[column] = frame[column].iloc[::-1].to_numpy()  # values moved between rows
    assert not frame[column].equals(pd.read_parquet(extract / f"{table}.parquet")[column])
    frame.to_parquet(folder / f"{table}.parquet", index=False)
    return folder


def test_column_reruns_column_every_report_reads_reruns_every_run(extract, tmp_path):
    every, _ = _every_and_none(extract)
    assert ("people", "person_id") in every, every
    before = _inputs(extract)
    after = _inputs(_changed(extract, tmp_path, "people", "person_id"))
    old, new = _keys(before), _keys(after)
    assert len(old) == 6 and all(old[run] != new[run] for run in old)
    for run, columns in _read_columns().items():
        record = {"reads": sorted(columns), "read_columns": columns}
        found = read_changes(record, before, after, sorted(columns))
        assert any("people" in reason for reason in found), (run, found)


def test_column_reruns_column_no_report_reads_reruns_no_run(extract, tmp_path):
    _, none = _every_and_none(extract)
    assert ("deprivation", "population") in none, none
    before = _inputs(extract)
    after = _inputs(_changed(extract, tmp_path, "deprivation", "population"))
    assert before[TABLES]["deprivation"] != after[TABLES]["deprivation"]
    assert _keys(before) == _keys(after)
