"""The tables a run read are recorded at run time; the cache key covers only them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lifetools import loading
from lifetools.engines import engine_tables
from lifetools.fingerprint import data_fingerprint
from lifetools.loading import ENV_READS_LOG, Dataset, untracked
from lifetools.pipeline import dependencies
from lifetools.pipeline.runner import RunSpec, execute_runs
from lifetools.pipeline.status import explain
from lifetools.reads import parse_log

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}


def _log(tmp_path, monkeypatch, name: str) -> Path:
    log = tmp_path / name
    monkeypatch.setenv(ENV_READS_LOG, str(log))
    return log


def test_note_read_dataset_table_access_is_logged_once_untracked_is_not(tmp_path,
                                                                        monkeypatch):
    log = _log(tmp_path, monkeypatch, "reads-1")
    data = Dataset(path=tmp_path, people=pd.DataFrame({"a": [1]}),
                   referrals=pd.DataFrame({"b": [2]}))
    assert untracked(data, "referrals") is not None
    assert not log.exists()
    _ = data.people, data.people
    assert log.read_text().split() == ["people"]
    _ = data.path  # whoever holds the folder can read any file: every column counts
    assert parse_log(log.read_text())["referrals"] == ["*"]


def test_note_read_engine_tables_log_only_the_tables_an_expression_uses(tmp_path,
                                                                      monkeypatch):
    log = _log(tmp_path, monkeypatch, "reads-2")
    data = Dataset(path=tmp_path, people=pd.DataFrame({"a": [1, 2]}),
                   referrals=pd.DataFrame({"b": [2]}))
    tables = engine_tables(data)
    assert not log.exists()  # registering every frame reads none
    assert tables.count(tables.referrals) == 1
    assert parse_log(log.read_text()) == {"referrals": []}  # its rows, no column


def test_note_read_without_the_variable_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_READS_LOG, raising=False)
    monkeypatch.chdir(tmp_path)
    _ = Dataset(path=tmp_path, people=pd.DataFrame()).people
    assert list(tmp_path.iterdir()) == []
    assert loading.ENV_READS_LOG == "LIFETOOLS_READS_LOG"


def test_inputs_key_change_in_an_unread_table_keeps_it_and_a_read_one_changes_it():
    base = {"notebook": "n", "narrative": "m", "data": "d1", "dictionary": "x",
            "tables": {"people": "p1", "referrals": "r1"}}
    other_table = {**base, "data": "d2", "tables": {"people": "p1", "referrals": "r2"}}
    read_table = {**base, "data": "d3", "tables": {"people": "p2", "referrals": "r1"}}
    key = dependencies.inputs_key
    assert key(base, ["people"]) == key(other_table, ["people"])
    assert key(base, ["people"]) != key(read_table, ["people"])
    assert key(base) != key(other_table)  # before a run: every table counts
    assert key(base, ["people"]) != key({**base, "dictionary": "y"}, ["people"])
    assert dependencies.unread_changes(
        {"inputs": base, "reads": ["people"]}, other_table) == ["table referrals"]


def _write(data_dir: Path, table: str, values: list[str]) -> None:
    column = {"people": "person_id", "referrals": "referral_id"}[table]
    pd.DataFrame({column: values}).to_csv(data_dir / f"{table}.csv", index=False)


def _specs(tmp_path: Path, data_dir: Path) -> list[RunSpec]:
    source = tmp_path / "analyses" / "reads.ipynb"
    if not source.exists():
        source.parent.mkdir(parents=True)
        shutil.copyfile(FIXTURES / "reads.ipynb", source)
    fingerprint = data_fingerprint(data_dir)
    return [RunSpec(edition="2024-25", analysis=f"reads-{table}", source=source,
                    parameters={**PERIOD, "table": table},
                    run_dir=tmp_path / "runs" / f"reads-{table}", data_dir=data_dir,
                    data_fingerprint=fingerprint["combined"],
                    data_tables=dependencies.table_hashes(fingerprint),
                    data_dictionary=fingerprint["dictionary"])
            for table in ("people", "referrals")]


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_one_table_change_reruns_only_the_runs_that_read_it(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _write(data_dir, "people", ["1", "2"])
    _write(data_dir, "referrals", ["7"])
    first = execute_runs(_specs(tmp_path, data_dir), jobs=1)
    assert [o.status for o in first] == ["ran", "ran"], [o.error for o in first]
    assert [o.record["reads"] for o in first] == [["people"], ["referrals"]]

    _write(data_dir, "referrals", ["7", "8"])
    specs = _specs(tmp_path, data_dir)
    people_status, referrals_status = (explain(s) for s in specs)
    assert people_status.state == "reuse"
    assert people_status.reasons == ("table referrals changed, not read by this run",)
    assert referrals_status.state == "rerun"
    assert "table referrals changed (the run read it)" in referrals_status.reasons
    second = execute_runs(specs, jobs=1)
    assert [o.status for o in second] == ["reused", "ran"]
    # the reused run's record names the data of this build, as a rerun's would
    record = json.loads((specs[0].run_dir / "run.json").read_text())
    assert record["data_fingerprint"] == specs[0].data_fingerprint
    assert record["key"] == first[0].record["key"]
    assert [explain(s).state for s in specs] == ["reuse", "reuse"]
