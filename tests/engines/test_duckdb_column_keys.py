"""A DuckDB file's runs are keyed per column, as a folder's are.

The column fingerprints are computed in DuckDB (one aggregate query per table) and
kept by the file's SHA-256. Changing a column a run did not read leaves its key
unchanged; changing one it read, or moving values between rows of a table it read
whole, changes the key and ``lifetools status`` names the change.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

import lifetools as lt
from lifetools.engines import column_keys
from lifetools.engines.column_keys import duckdb_columns
from lifetools.pipeline import dependencies
from lifetools.pipeline.build import prepare_data
from lifetools.pipeline.data_key import read_changes, unread_changes
from lifetools.pipeline.series import load_series
from lifetools.synthetic import write_synthetic


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    root = tmp_path_factory.mktemp("duckdb-columns")
    write_synthetic(root / "folder", people=400, seed=5)
    (root / "file").mkdir()
    return lt.engines.write_duckdb(root / "folder", root / "file" / "extract.duckdb")


def _changed(extract, tmp_path, sql: str):
    shutil.copyfile(extract.parent / "datapackage.json", tmp_path / "datapackage.json")
    target = tmp_path / "changed.duckdb"
    shutil.copyfile(extract, target)
    with duckdb.connect(str(target)) as connection:
        connection.execute(sql)
    return target


SWAP = ("UPDATE deprivation SET population = CASE rowid WHEN 0 THEN (SELECT population "
        "FROM deprivation WHERE rowid = 1) ELSE (SELECT population FROM deprivation "
        "WHERE rowid = 0) END WHERE rowid IN (0, 1)")


def test_duckdb_columns_one_column_changed_changes_only_its_fingerprint(extract,
                                                                       tmp_path):
    before = duckdb_columns(extract)
    after = duckdb_columns(_changed(extract, tmp_path,
                                    "UPDATE deprivation SET population = population + 1 "
                                    "WHERE rowid = 3"))
    assert set(before) == set(after) and "deprivation" in before
    for table in before:
        old, new = before[table], after[table]
        assert (old["rows"], old["names"]) == (new["rows"], new["names"])
        changed = {c for c in old["columns"] if old["columns"][c] != new["columns"][c]}
        assert changed == ({"population"} if table == "deprivation" else set()), table
    assert before["deprivation"]["table"] != after["deprivation"]["table"]
    assert before["people"]["table"] == after["people"]["table"]


def test_duckdb_columns_values_swapped_between_rows_change_the_column(extract, tmp_path):
    """Two rows' values of one column exchanged: the same multiset of values (an
    order-free checksum would not see it), another table as the build reads it."""
    before = duckdb_columns(extract)["deprivation"]
    swapped = _changed(extract, tmp_path, SWAP)
    with duckdb.connect(str(swapped), read_only=True) as connection:
        values = connection.sql("SELECT population FROM deprivation WHERE rowid < 2"
                                ).fetchall()
    assert values[0] != values[1]  # the swap is real
    after = duckdb_columns(swapped)["deprivation"]
    assert after["columns"]["population"] != before["columns"]["population"]
    assert after["table"] != before["table"]
    assert {c for c in before["columns"]
            if before["columns"][c] != after["columns"][c]} == {"population"}


def test_duckdb_columns_cached_by_the_file_hash(extract, tmp_path, monkeypatch):
    cache, stamps = tmp_path / "columns.json", tmp_path / "stamps.json"
    first = duckdb_columns(extract, cache=cache, stamps=stamps)
    monkeypatch.setattr(column_keys, "_table_columns", lambda *_: pytest.fail("queried"))
    assert duckdb_columns(extract, cache=cache, stamps=stamps) == first
    changed = _changed(extract, tmp_path, "UPDATE people SET sex = '9' WHERE rowid = 0")
    with pytest.raises(pytest.fail.Exception, match="queried"):
        duckdb_columns(changed, cache=cache, stamps=stamps)


def _inputs(data) -> dict:
    return {"notebook": "n", "parameters": {}, "data": data.fingerprint["combined"],
            "code": {}, "lock": None, "packages": {},
            "tables": dependencies.table_hashes(data.fingerprint),
            "dictionary": data.fingerprint["dictionary"], "columns": data.columns}


@pytest.mark.parametrize(("sql", "reruns", "reason"), [
    ("UPDATE deprivation SET population = population + 1 WHERE rowid = 3", False,
     None),
    ("UPDATE deprivation SET imd_quintile = 6 - imd_quintile WHERE rowid = 2", True,
     "column imd_quintile of table deprivation changed (the run read it)"),
    ("UPDATE people SET sex = CASE sex WHEN '1' THEN '2' ELSE '1' END WHERE rowid = 0",
     True, "table people changed (the run read it)"),
    (SWAP, False, None),
])
def test_prepare_data_duckdb_run_key_covers_only_the_columns_read(extract, tmp_path, sql,
                                                                  reruns, reason):
    """A run that read deprivation's code and quintile and the whole people table:
    its key changes with those, not with deprivation's population."""
    series = load_series()
    first = prepare_data(series, data_dir=extract)
    assert first.columns is not None and set(first.columns) >= {"people", "deprivation"}
    reads = ["deprivation", "people"]
    read_columns = {"deprivation": ["imd_quintile", "lsoa_code"], "people": ["*"]}
    previous = {"inputs": _inputs(first), "reads": reads, "read_columns": read_columns}
    second = prepare_data(series, data_dir=_changed(extract, tmp_path, sql))
    keys = [dependencies.inputs_key(_inputs(d), reads, read_columns)
            for d in (first, second)]
    assert (keys[0] != keys[1]) is reruns
    found = read_changes(previous, _inputs(first), _inputs(second), reads)
    assert found == ([reason] if reason else [])
    if not reruns:
        assert unread_changes(previous, _inputs(second)) == [
            "column population of table deprivation"]


def _fingerprint_pair(tmp_path, values: list, kind: str) -> tuple[str, str]:
    """One column's fingerprint by the DuckDB path and by the folder (Parquet) path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lifetools.fingerprint import column_fingerprints

    folder = tmp_path / f"t{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    path = folder / "t.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"CREATE TABLE t (x {kind})")
        connection.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
        arrow = connection.sql("SELECT x FROM t ORDER BY rowid").arrow()
    arrow = arrow.read_all() if isinstance(arrow, pa.RecordBatchReader) else arrow
    pq.write_table(arrow, folder / "t.parquet")
    return (duckdb_columns(path)["t"]["columns"]["x"],
            column_fingerprints(folder / "t.parquet")["columns"]["x"])


@pytest.mark.parametrize(("kind", "before", "after", "duckdb_changed", "folder_changed"), [
    # issue 14: DuckDB's hash gives 0.0 and -0.0 one value: the sign bit is hashed too
    ("DOUBLE", [1.5, 0.0], [1.5, -0.0], True, True),
    ("REAL", [1.5, 0.0], [1.5, -0.0], True, True),
    ("DOUBLE", [1.5, 0.0], [1.5, 0.25], True, True),
    # a NaN and a missing value: both NaN in pandas; the DuckDB path reruns (more)
    ("DOUBLE", [1.5, float("nan")], [1.5, None], True, False),
    ("DECIMAL(18,2)", ["1.50", "2.00"], ["1.50", "2.01"], True, True),
    ("DECIMAL(38,2)", ["1.50", "2.00"], ["1.50", "2.01"], True, True),
])
def test_duckdb_columns_float_and_decimal_changes_as_the_folder_path_sees_them(
        tmp_path, kind, before, after, duckdb_changed, folder_changed):
    first, second = (_fingerprint_pair(tmp_path, v, kind) for v in (before, after))
    assert (first[0] != second[0], first[1] != second[1]) == (duckdb_changed,
                                                             folder_changed)


def test_duckdb_columns_equal_decimals_in_other_widths_differ_by_type(tmp_path):
    # DuckDB hashes DECIMAL(18,2) (64-bit) and DECIMAL(38,2) (128-bit) 1.50 alike; the
    # type is part of the fingerprint, so a change of width is a change
    narrow, wide = (_fingerprint_pair(tmp_path, ["1.50", "-0.00"], kind)[0]
                    for kind in ("DECIMAL(18,2)", "DECIMAL(38,2)"))
    assert narrow != wide
    with duckdb.connect() as connection:
        assert connection.sql("SELECT hash(1.50::DECIMAL(18,2)) = "
                              "hash(1.50::DECIMAL(38,2))").fetchone() == (True,)


def test_duckdb_columns_nan_payloads_hash_alike_and_read_alike(tmp_path):
    # a NaN's payload is not a change the build can see: every NaN reads as missing
    import struct

    import numpy as np

    from lifetools.loading import read_duckdb_table

    other = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000001))[0]
    paths = []
    for nan in (float("nan"), other):
        path = tmp_path / f"nan{len(paths)}.duckdb"
        with duckdb.connect(str(path)) as connection:
            connection.execute("CREATE TABLE t (x DOUBLE)")
            connection.execute("INSERT INTO t VALUES (1.5), (?)", [nan])
        paths.append(path)
    keys = [duckdb_columns(p)["t"]["columns"]["x"] for p in paths]
    assert keys[0] == keys[1]
    frames = [read_duckdb_table(p, "t", typed=False) for p in paths]
    assert all(np.isnan(f["x"].iloc[1]) for f in frames)
    assert frames[0].equals(frames[1])
