"""No nested value reaches a build: the dictionary's types are scalar, and a column stored
in a nested type (list, struct, map) is refused by validation, from Parquet files as
from a DuckDB file (issue 14).

The column fingerprints hash a float's sign bit with it so that 0.0 -> -0.0 reads as a
change (:mod:`lifetools.engines.column_keys`); they do not look inside nested values,
and need not: validation runs before any fingerprint of the columns is taken.
"""

from __future__ import annotations

import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lifetools.dictionary import FIELD_TYPES, load_dictionary
from lifetools.errors import DictionaryError
from lifetools.synthetic import write_synthetic
from lifetools.validation import Rule, validate_directory

TABLE = "wellbeing"


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nested-clean")
    write_synthetic(folder, people=300, seed=3)
    return folder


def test_dictionary_types_scalar_and_a_nested_type_refused(tmp_path):
    assert set(FIELD_TYPES) == {"string", "integer", "number", "boolean", "date"}
    assert {f.type for t in load_dictionary().tables.values() for f in t.fields} <= set(
        FIELD_TYPES)
    copy = tmp_path / "dictionary"
    shutil.copytree(load_dictionary().path, copy)
    text = (copy / f"{TABLE}.yaml").read_text()
    (copy / f"{TABLE}.yaml").write_text(text.replace(
        "  - name: swemwbs_metric\n    type: number", "  - name: swemwbs_metric\n    type: array"))
    assert (copy / f"{TABLE}.yaml").read_text() != text
    with pytest.raises(DictionaryError):
        load_dictionary(copy)


def _nested(values: list, kind: str) -> pa.Array:
    """One column's values wrapped in a nested type (missing values stay missing)."""
    if kind == "list":
        inner = pa.float64() if isinstance(values[0], float) else pa.string()
        return pa.array([None if v is None else [v] for v in values], pa.list_(inner))
    if kind == "struct":
        return pa.array([None if v is None else {"v": v} for v in values],
                        pa.struct([("v", pa.string())]))
    return pa.array([None if v is None else [("v", v)] for v in values],
                    pa.map_(pa.string(), pa.string()))


@pytest.mark.parametrize(("column", "kind", "stored"), [
    ("swemwbs_metric", "list", ("list<element: double>", "DOUBLE[]")),
    ("measurement_id", "struct", ("struct<v: string>", "STRUCT(v VARCHAR)")),
    ("measurement_id", "map", ("map<string, string", "MAP(VARCHAR, VARCHAR)")),
])
def test_validate_nested_column_refused_in_parquet_and_duckdb(clean, tmp_path, column, kind,
                                                              stored):
    folder = tmp_path / "folder"
    shutil.copytree(clean, folder)
    table = pq.read_table(folder / f"{TABLE}.parquet")
    values = table.column(column).to_pylist()
    if kind == "list":  # a float whose sign only a nested value would carry
        values = [-0.0 if v == 0 else v for v in values]
    table = table.set_column(table.column_names.index(column), column,
                             _nested(values, kind)).replace_schema_metadata(None)
    pq.write_table(table, folder / f"{TABLE}.parquet")
    database = tmp_path / "extract.duckdb"
    with duckdb.connect(str(database)) as con:
        for path in sorted(folder.glob("*.parquet")):
            con.execute(f"CREATE TABLE {path.stem} AS SELECT * FROM read_parquet(?)",
                        [str(path)])
    shutil.copyfile(folder / "datapackage.json", tmp_path / "datapackage.json")
    for where, words in zip((folder, database), stored, strict=True):
        report = validate_directory(where, tables=[TABLE])
        assert not report.ok, where
        found = [p for p in report.errors if p.column == column]
        assert [p.rule for p in found] == [Rule.TYPE], (where, found)
        assert found[0].message.startswith(f"is stored as {words}"), found[0].message
