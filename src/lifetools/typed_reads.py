"""A table with the dictionary's types: every column typed as the data dictionary says.

:func:`read_table` reads ``<table>.parquet`` (or ``.csv``) with pyarrow, only the
columns asked for, within the bounds of :func:`lifetools.bounded_reads.check_file`, and
:func:`coerce_types` gives every column its dictionary type: dates ``datetime64[ns]``,
integers ``Int64``, numbers ``float64``, booleans ``boolean``, strings ``object``
(missing = ``None``). :func:`read_duckdb_table` does the same for a table of a DuckDB
file, so a build from a DuckDB file sees the same frames as one from Parquet files. No
business rules here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from lifetools.bounded_reads import check_file
from lifetools.compact_ids import (
    ID_COLUMN,
    encode_ids,
    file_codes,
    file_columns,
)
from lifetools.dictionary import TableSpec
from lifetools.duckdb_settings import open_duckdb
from lifetools.errors import DataValidationError
from lifetools.reads import note_read

__all__ = ["MAX_SAFE_INTEGER", "coerce_types", "read_duckdb_table", "read_table"]

MAX_SAFE_INTEGER = 2**53
"""Integers beyond this (in magnitude) cannot be held exactly and are not accepted."""


def _integers(column: pd.Series) -> pd.Series:
    """Whole numbers as Int64; non-finite, fractional-free overflow and text -> missing."""
    if pd.api.types.is_signed_integer_dtype(column.dtype):
        return column.astype("Int64")
    number = pd.to_numeric(column, errors="coerce")
    number = pd.Series(np.asarray(number, dtype="float64"), index=column.index)
    number = number.where(np.isfinite(number) & (number.abs() <= MAX_SAFE_INTEGER))
    return number.round().astype("Int64")


def _dates(column: pd.Series) -> pd.Series:
    """Dates as datetime64[ns]; dates outside 1677-2262 (the ns range) -> missing."""
    if column.dtype == "datetime64[ns]":
        return column  # already the type, every value in range (Parquet timestamp[ns])
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        low, high = pd.Timestamp.min, pd.Timestamp.max
        column = column.where((column >= low) & (column <= high))
        return pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")
    return pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")


def coerce_types(frame: pd.DataFrame, spec: TableSpec, *,
                 clean: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Give each column its dictionary type (values that do not parse become missing).

    ``clean`` names string columns already holding Python ``str`` or ``None`` with no
    empty string (prepared in Arrow by :func:`read_table`): they are kept as they are.
    """
    out = {}
    for name in frame.columns:
        kind = spec.field(name).type if name in spec.field_names else "string"
        column = frame[name]
        if name in clean and kind == "string" and column.dtype == object:
            out[name] = column
        elif name == ID_COLUMN and pd.api.types.is_integer_dtype(column.dtype):
            out[name] = column.astype("Int64")  # compact person ids (lifetools.compact_ids)
        elif kind == "date":
            out[name] = _dates(column)
        elif kind == "integer":
            out[name] = _integers(column)
        elif kind == "number":
            number = pd.to_numeric(column, errors="coerce").astype("float64")
            out[name] = number.where(np.isfinite(number))
        elif kind == "boolean":
            if column.dtype == object or str(column.dtype).startswith("string"):
                column = column.map({"true": True, "false": False, "True": True,
                                     "False": False, "1": True, "0": False})
            out[name] = column.astype("boolean")
        else:
            values = column.astype(object)
            out[name] = values.where(values.notna() & (values != ""), None)
    return pd.DataFrame(out, index=frame.index)


def read_table(path: Path, spec: TableSpec, columns: Sequence[str] | None = None,
               *, ids=None):
    """Read one table file with its dictionary types (a read of ``columns``, default
    every column: :func:`note_read`).

    ``ids`` (the sorted id list of :func:`lifetools.compact_ids.id_list`) turns
    ``person_id`` into compact integer codes, never held as Python strings.

    Raises
    ------
    DataValidationError
        If the file is over the size bounds, not UTF-8, or not readable.
    """
    note_read(Path(path).stem, list(columns) if columns else None)
    return _read_table(Path(path), spec, columns, ids=ids)


def _read_table(path: Path, spec: TableSpec, columns: Sequence[str] | None = None,
                *, ids=None):
    problem = check_file(Path(path))
    if problem:
        raise DataValidationError(f"{Path(path).name}: {problem[1]} [rule: {problem[0]}]",
                                  hint="run `lifetools validate` on the folder")
    clean: frozenset[str] = frozenset()
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        names = list(columns) if columns else None
        known = file_codes(path, ids) if ids is not None else None
        position: int | None = None
        if known is not None:  # codes made with the id list: the ids are not read again
            names = names or file_columns(path)
            position = names.index(ID_COLUMN) if ID_COLUMN in names else None
            names = [c for c in names if c != ID_COLUMN]
        table = pq.read_table(path, columns=names)
        codes = None
        if known is not None and position is not None and len(known) == table.num_rows:
            codes = (position, known)
        elif known is not None and position is not None:  # file changed: read as before
            table = pq.read_table(path, columns=list(columns) if columns else None)
        if codes is None and ids is not None and ID_COLUMN in table.column_names:
            codes = (table.column_names.index(ID_COLUMN),
                     encode_ids(table.column(ID_COLUMN), ids))
            table = table.drop_columns([ID_COLUMN])
        table, clean = _clean_strings(table, spec)
        frame = coerce_types(table.to_pandas(), spec, clean=clean)
        if codes is not None:
            frame.insert(codes[0], ID_COLUMN, codes[1].set_axis(frame.index))
        return frame
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                        usecols=list(columns) if columns else None)
    if ids is not None and ID_COLUMN in frame.columns:
        frame[ID_COLUMN] = encode_ids(frame[ID_COLUMN], ids).set_axis(frame.index)
    return coerce_types(frame, spec, clean=clean)


def _clean_strings(table, spec: TableSpec):
    """Empty strings to null in Arrow for the dictionary's string columns (fast).

    Returns the table and the names of the columns done: pandas then receives ``str`` or
    ``None`` and :func:`coerce_types` need not compare every value with ``""``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    done = set()
    for index, name in enumerate(table.column_names):
        kind = spec.field(name).type if name in spec.field_names else "string"
        column = table.column(index)
        if kind != "string" or not (pa.types.is_string(column.type)
                                    or pa.types.is_large_string(column.type)):
            continue
        empty = pc.fill_null(pc.equal(column, ""), False)
        column = pc.if_else(empty, pa.scalar(None, column.type), column)
        table = table.set_column(index, name, column)
        done.add(name)
    return table, frozenset(done)


def read_duckdb_table(path: Path, name: str, spec: TableSpec | None = None,
                      columns: Sequence[str] | None = None, *,
                      typed: bool = True) -> pd.DataFrame:
    """Read one table of a DuckDB database file, in its stored row order.

    With ``typed`` (the default) the columns get their dictionary types exactly as a
    Parquet file's do (:func:`read_table`), so a build from a DuckDB file sees the same
    frames as a build from the Parquet files it was made from; without, the frame is
    as DuckDB holds it (for validation). The file is opened read-only.
    """
    wanted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns) if columns else "*"
    with open_duckdb(path, read_only=True) as connection:
        table = connection.sql(
            f'SELECT {wanted} FROM "{name}"').to_arrow_table()  # insertion order kept
    if not typed or spec is None:
        return table.to_pandas()
    table, clean = _clean_strings(table, spec)
    return coerce_types(table.to_pandas(), spec, clean=clean)
