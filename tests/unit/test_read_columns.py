"""Reads are recorded per column; the cache key covers the columns a run read.

The recorder may count too much (a rerun too many), never too little: each path it does
not understand must count every column. ``test_recording_frame_any_other_attribute_*``
checks that for every public attribute of a DataFrame.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lifetools.engines import engine_tables
from lifetools.engines.columns import expression_columns
from lifetools.fingerprint import column_fingerprints, data_fingerprint, table_columns
from lifetools.loading import Dataset, untracked
from lifetools.pipeline import dependencies
from lifetools.pipeline.runner import RunSpec, execute_runs
from lifetools.pipeline.status import explain
from lifetools.reads import ENV_READS_LOG, RecordingFrame, parse_log, recording

COLUMNS = ["a", "b", "c"]
WHOLE = ["*"]  # a whole-frame use reads every column of the table (lifetools.reads.ALL)


@pytest.fixture
def log(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "reads"
    monkeypatch.setenv(ENV_READS_LOG, str(path))
    return path


def _frame() -> RecordingFrame:
    return recording(pd.DataFrame({"a": [1, 2, 3], "b": [4.0, 5.0, 6.0],
                                   "c": ["x", "y", "z"]}), "people")


def _read(log: Path) -> dict[str, list[str]]:
    return parse_log(log.read_text()) if log.exists() else {}


@pytest.mark.parametrize(("use", "expected"), [
    (lambda f: f["a"], ["a"]),
    (lambda f: f[["a", "c"]], ["a", "c"]),
    (lambda f: f.b, ["b"]),
    (lambda f: f.loc[:, "b"], ["b"]),
    (lambda f: f.loc[f["a"] > 1, ["b"]], ["a", "b"]),
    (lambda f: f[f["a"] > 1]["c"], ["a", "c"]),  # rows by a mask keep recording
    (lambda f: f.loc[f["a"] > 1].b, ["a", "b"]),
    (lambda f: (len(f), f.columns, f.shape, f.dtypes, f.index, f.empty, "a" in f), []),
    (lambda f: list(f), []),  # a frame iterates over its column names
    # a merge counts its keys; its result is traced (tests/unit/test_read_merges.py)
    (lambda f: f.merge(pd.DataFrame({"a": [1]}), on="a"), ["a"]),
    (lambda f: f.merge(pd.DataFrame({"a": [1]}), on="a")["b"], ["a", "b"]),
])
def test_recording_frame_named_access_records_only_those_columns(log, use, expected):
    use(_frame())
    assert _read(log) == {"people": expected}


@pytest.mark.parametrize("use", [
    lambda f: f.merge(pd.DataFrame({"a": [1]}), on="a").sum(),
    lambda f: pd.DataFrame({"a": [1]}).merge(f, on="a"),
    lambda f: pd.merge(f, pd.DataFrame({"a": [1]}), on="a"),
    lambda f: pd.concat([f, f]),
    lambda f: f.copy(),
    lambda f: list(f.itertuples()),
    lambda f: np.asarray(f),
    lambda f: f.to_numpy(),
    lambda f: f.values,
    lambda f: f == 1,
    lambda f: f.iloc[0],
    lambda f: f.loc[0],
    lambda f: f.loc[[0, 1]],
    lambda f: f[1:2],
    lambda f: f.groupby("a").size(),
    lambda f: f.apply(len),
    lambda f: f._mgr,
    lambda f: repr(f),
    lambda f: f.__array__(),
    lambda f: vars(f),
])
def test_recording_frame_whole_frame_use_records_every_column(log, use):
    use(_frame())
    assert _read(log) == {"people": WHOLE}


_PRECISE = {"columns", "index", "shape", "dtypes", "empty", "ndim", "axes", "size", "keys",
            "loc", "iloc", "a", "b", "c", "merge", "join",
            "_constructor", "_constructor_sliced"}  # these two give classes, no data


@pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")  # ._data
@pytest.mark.parametrize("name", sorted(n for n in dir(pd.DataFrame)
                                        if not n.startswith("__") and n not in _PRECISE))
def test_recording_frame_any_other_attribute_records_every_column(log, name):
    """An access path the recorder does not know (every other attribute of a frame,
    internal ones included) counts as reading every column."""
    try:
        getattr(_frame(), name)
    except AttributeError:  # .sparse of a frame that is not sparse: still counted
        pass
    assert _read(log) == {"people": WHOLE}


def test_recording_frame_results_are_plain_frames_equal_to_the_plain_results(log):
    plain = pd.DataFrame({"a": [1, 2, 3], "b": [4.0, 5.0, 6.0], "c": ["x", "y", "z"]})
    frame = recording(plain, "people")
    merged = frame[["a", "b"]].merge(plain, on="a")
    assert type(merged) is pd.DataFrame
    pd.testing.assert_frame_equal(merged, plain[["a", "b"]].merge(plain, on="a"))
    frame["d"] = 1  # a write reads nothing and changes the frame itself
    assert list(frame.columns) == [*COLUMNS, "d"]
    assert _read(log) == {"people": ["a", "b"]}
    rows = frame[frame["a"] > 1]
    pd.testing.assert_frame_equal(rows, plain[plain["a"] > 1].assign(d=1),
                                  check_frame_type=False)  # comparing reads it all
    assert _read(log) == {"people": WHOLE}


def test_dataset_tables_record_columns_and_untracked_records_nothing(tmp_path, log):
    data = Dataset(path=tmp_path, people=pd.DataFrame({"a": [1], "b": [2]}),
                   referrals=pd.DataFrame({"r": [1]}))
    plain = untracked(data, "people")
    assert type(plain) is pd.DataFrame and plain.sum().sum() == 3
    assert _read(log) == {}
    _ = data.people["b"], data.referrals
    assert _read(log) == {"people": ["b"], "referrals": []}


def test_untracked_is_used_only_to_hand_frames_to_the_engine():
    """``untracked`` is the one way to a table that records nothing: only the engine
    may use it (its ibis tables record their own reads)."""
    source = Path(__file__).resolve().parents[2] / "src" / "lifetools"
    users = sorted(str(p.relative_to(source)) for p in source.rglob("*.py")
                   if "untracked(" in p.read_text(encoding="utf-8"))
    assert users == ["dataset.py", "engines/engine.py"]


def _engine_data(tmp_path: Path) -> Dataset:
    return Dataset(path=tmp_path,
                   people=pd.DataFrame({"person_id": ["1", "2"], "sex": ["1", "2"],
                                        "lsoa_code": ["E1", "E2"]}),
                   referrals=pd.DataFrame({"person_id": ["1", "1"],
                                           "team_type": ["A06", "A01"],
                                           "priority": ["1", "2"]}))


def test_expression_columns_follow_the_columns_that_reach_the_result(tmp_path, log):
    t = engine_tables(_engine_data(tmp_path))
    people, refs = t.people, t.referrals
    joined = people.join(refs.filter(refs.team_type == "A06"), "person_id")
    assert expression_columns(joined.select("sex")) == {
        "people": ["person_id", "sex"], "referrals": ["person_id", "team_type"]}
    assert expression_columns(people.count()) == {"people": []}
    assert expression_columns(people.distinct().count()) == {
        "people": ["lsoa_code", "person_id", "sex"]}  # distinct reads every column
    grouped = refs.group_by("team_type").agg(n=refs.count(), p=refs.priority.max())
    assert expression_columns(grouped.select("n")) == {"referrals": ["team_type"]}
    assert t.count(joined) == 1
    assert _read(log) == {"people": ["person_id"], "referrals": ["person_id", "team_type"]}


def test_engine_sql_text_and_direct_execution_count_every_column(tmp_path, monkeypatch,
                                                                  log):
    t = engine_tables(_engine_data(tmp_path))
    every = ("people", "referrals")
    text = t.people.sql("SELECT * FROM referrals")  # SQL reaching another table
    assert expression_columns(text)["people"] is None
    t.fetch(text)
    assert _read(log) == {k: ["*"] for k in every}
    for name, escape in [
            ("execute", lambda: t.people.sex.max().execute()),  # not through fetch
            ("con", lambda: t.backend.con.sql("SELECT count(*) FROM referrals").fetchall()),
            ("sql", lambda: t.backend.sql("SELECT 1 AS x").execute())]:
        log = tmp_path / f"reads-{name}"
        monkeypatch.setenv(ENV_READS_LOG, str(log))
        escape()
        assert _read(log) == {k: ["*"] for k in every}, name


def _parquet(path: Path, table: dict, **options) -> None:
    pq.write_table(pa.table(table), path, **options)


def test_column_fingerprints_depend_on_values_not_on_file_encoding(tmp_path):
    values = {"a": list(range(1000)), "b": [f"s{i}" for i in range(1000)]}
    _parquet(tmp_path / "one.parquet", values, row_group_size=100, compression="zstd")
    _parquet(tmp_path / "two.parquet", values, compression="none")
    one = column_fingerprints(tmp_path / "one.parquet")
    assert one == column_fingerprints(tmp_path / "two.parquet")
    assert one["rows"] == 1000 and one["names"] == ["a", "b"]
    changed = {**values, "b": [*values["b"][:-1], "other"]}
    _parquet(tmp_path / "two.parquet", changed)
    two = column_fingerprints(tmp_path / "two.parquet")
    assert two["columns"]["a"] == one["columns"]["a"]
    assert two["columns"]["b"] != one["columns"]["b"]


def _inputs(columns: dict) -> dict:
    return {"notebook": "n", "narrative": "m", "data": "d", "dictionary": "x",
            "tables": {"people": json.dumps(columns)},
            "columns": {"people": {"rows": 3, "names": ["a", "b"], "columns": columns}}}


def test_inputs_key_covers_exactly_the_columns_read():
    base = _inputs({"a": "a1", "b": "b1"})
    unread = _inputs({"a": "a1", "b": "b2"})
    read = _inputs({"a": "a2", "b": "b1"})
    key = dependencies.inputs_key
    assert key(base, ["people"], {"people": ["a"]}) == key(unread, ["people"],
                                                           {"people": ["a"]})
    assert key(base, ["people"], {"people": ["a"]}) != key(read, ["people"],
                                                           {"people": ["a"]})
    assert key(base, ["people"], {"people": ["*"]}) != key(unread, ["people"],
                                                           {"people": ["*"]})
    more_rows = {**unread, "columns": {"people": {**unread["columns"]["people"], "rows": 4}}}
    assert key(base, ["people"], {"people": []}) != key(more_rows, ["people"],
                                                        {"people": []})
    record = {"inputs": base, "reads": ["people"], "read_columns": {"people": ["a"]}}
    assert dependencies.unread_changes(record, unread) == ["column b of table people"]
    assert dependencies.rerun_reasons(record, {**read, "parameters": {}, "code": {},
                                               "lock": None, "packages": {}}) == [
        "column a of table people changed (the run read it)"]


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("column = 'sex'", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import lifetools as lt\n\n"
                                          "values = lt.load_dataset().people[column]")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _specs(tmp_path: Path, data_dir: Path) -> list[RunSpec]:
    source = _notebook(tmp_path / "analyses" / "column.ipynb")
    fingerprint = data_fingerprint(data_dir)
    return [RunSpec(edition="2024-25", analysis=f"reads-{column}", source=source,
                    parameters={"column": column}, run_dir=tmp_path / "runs" / column,
                    data_dir=data_dir, data_fingerprint=fingerprint["combined"],
                    data_tables=dependencies.table_hashes(fingerprint),
                    data_dictionary=fingerprint["dictionary"],
                    data_columns=table_columns(data_dir, fingerprint["tables"]))
            for column in ("sex", "year_of_birth")]


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_one_column_change_reruns_only_the_run_that_read_it(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    people = {"person_id": ["p1", "p2"], "sex": ["1", "2"], "year_of_birth": [1980, 1990]}
    _parquet(data_dir / "people.parquet", people)
    first = execute_runs(_specs(tmp_path, data_dir), jobs=1)
    assert [o.status for o in first] == ["ran", "ran"], [o.error for o in first]
    assert [o.record["read_columns"] for o in first] == [{"people": ["sex"]},
                                                         {"people": ["year_of_birth"]}]
    _parquet(data_dir / "people.parquet", {**people, "sex": ["2", "2"]})
    specs = _specs(tmp_path, data_dir)
    sex, year = (explain(s) for s in specs)
    assert sex.state == "rerun"
    assert sex.reasons == ("column sex of table people changed (the run read it)",)
    assert year.state == "reuse"
    assert year.reasons == ("column sex of table people changed, not read by this run",)
    assert [o.status for o in execute_runs(specs, jobs=1)] == ["ran", "reused"]
