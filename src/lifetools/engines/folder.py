"""Validation of a data folder in DuckDB: each Parquet or CSV file checked by queries.

The folder is scanned and every file bounded before it is opened, as for pandas
(:func:`lifetools.folder_scan.scan_folder`, :func:`lifetools.bounded_reads.check_file`).
Each table file is then read by DuckDB (Parquet in place through a view, numbered by its file
row, its footer read once by pyarrow for the names and the row count and its types by
one ``DESCRIBE``; CSV as text into a temporary table, numbered in file order), all in
one connection; each dictionary column is typed by a SQL expression that accepts what
the pandas reader accepts, and the dictionary's rules run as queries (:func:`lifetools.engines.checks.table_problems`): counts of
failing rows per rule and a bounded sample of row numbers come back, never a table.
The report is the one the pandas checks give (same problems in the same order, same
row numbers), which ``tests/engines/test_folder_validation.py`` checks.

A folder holding a Parquet column of a type these expressions do not read (decimals
are read; nested, binary, time-zoned timestamps, or a number stored for a date are not)
is checked by the pandas checks instead (:func:`lifetools.validation.validate_tables`
with ``in_engine=False``), so its report does not change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis

from lifetools.bounded_reads import MAX_RECORD_BYTES, check_file, csv_header_problem
from lifetools.dictionary import Dictionary, FieldSpec, TableSpec
from lifetools.duckdb_settings import open_ibis_duckdb
from lifetools.engines.checks import RAW_EMPTY, RAW_TEXT, TYPE_FAILED, table_problems
from lifetools.reads import note_read
from lifetools.redaction import safe_text
from lifetools.validation_rules import Problem, Rule, _Collector

__all__ = ["FolderNeedsPandas", "folder_problems"]

_ROW = "__row"
_SIGNED = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT"}
_NUMBERS = _SIGNED | {"HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
                      "UHUGEINT", "FLOAT", "DOUBLE"}
_TIMES = {"DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"}
# pandas holds dates as datetime64[ns]: dates outside its range do not parse
_LOW, _HIGH = "TIMESTAMP '1677-09-21 00:12:43.145225'", "TIMESTAMP '2262-04-11 23:47:16.854775'"
_SAFE_INTEGER = 2**53
# the ibis type of each dictionary type as :func:`_typed` gives it in DuckDB
_TYPED = {"string": "string", "integer": "int64", "number": "float64",
          "date": "timestamp(6)", "boolean": "boolean"}


class FolderNeedsPandas(Exception):
    """A file holds a column type the engine's typing does not read (see module)."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _number(raw: str, stored: str) -> str:
    """A DOUBLE from the stored value, NULL where pandas' ``to_numeric`` gives none."""
    if stored == "VARCHAR":  # DuckDB reads "1_000"; pandas does not
        return (f"CASE WHEN strpos({raw}, '_') = 0 THEN TRY_CAST({raw} AS DOUBLE) END")
    return f"CAST({raw} AS DOUBLE)"


def _typed(field: FieldSpec, raw: str, stored: str) -> tuple[str, bool]:
    """(SQL of the value in the dictionary's type or NULL, whether it can fail)."""
    kind = field.type
    numeric = stored in _NUMBERS or stored.startswith("DECIMAL") or stored == "VARCHAR"
    if kind == "string":
        if stored == "VARCHAR":
            return f"NULLIF({raw}, '')", False
        if stored in _SIGNED or stored in _TIMES or stored.startswith("DECIMAL"):
            return f"CAST({raw} AS VARCHAR)", False
    elif kind == "integer" and stored in _SIGNED:
        return f"CAST({raw} AS BIGINT)", False
    elif kind == "integer" and numeric:
        number = _number(raw, stored)
        whole = f"({number}) = floor({number})" if stored == "VARCHAR" else "true"
        return (f"CASE WHEN isfinite({number}) AND abs({number}) <= {_SAFE_INTEGER} "
                f"AND {whole} THEN CAST(round_even({number}, 0) AS BIGINT) END"), True
    elif kind == "number" and numeric:
        number = _number(raw, stored)
        return f"CASE WHEN isfinite({number}) THEN {number} END", True
    elif kind == "date" and stored in _TIMES:
        return (f"CASE WHEN CAST({raw} AS TIMESTAMP) BETWEEN {_LOW} AND {_HIGH} THEN "
                f"CAST({raw} AS TIMESTAMP) END"), True
    elif kind == "date" and stored == "VARCHAR":
        parsed = f"TRY_STRPTIME({raw}, '%Y-%m-%d')"
        return (f"CASE WHEN regexp_full_match({raw}, '[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}')"
                f" AND {parsed} BETWEEN {_LOW} AND {_HIGH} THEN {parsed} END"), True
    elif kind == "boolean" and stored == "BOOLEAN":
        return raw, False
    elif kind == "boolean" and stored == "VARCHAR":
        return (f"CASE WHEN {raw} IN ('true', 'True', '1') THEN true WHEN {raw} IN "
                "('false', 'False', '0') THEN false END"), True
    raise FolderNeedsPandas(f"{field.name}: {stored}")


def _present(raw: str, stored: str) -> str:
    """Whether the stored value is there (pandas: not NA and not the empty text)."""
    if stored == "VARCHAR":
        return f"({raw} IS NOT NULL AND {raw} <> '')"
    if stored in ("FLOAT", "DOUBLE"):
        return f"({raw} IS NOT NULL AND NOT isnan({raw}))"
    return f"({raw} IS NOT NULL)"


def _csv_names(path: Path) -> tuple[list[str], int] | None:
    """The header's column names as pandas names them (``a.1`` for a second ``a``,
    ``Unnamed: 2`` for an empty name) and the blank lines before it; None if no header.
    """
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        text = handle.read(MAX_RECORD_BYTES)
    blank = 0
    for row in csv.reader(io.StringIO(text)):
        if row and any(row):
            break
        blank += 1
    else:
        return None
    names: list[str] = []
    for number, name in enumerate(row):
        name = name or f"Unnamed: {number}"
        base, repeat = name, 0
        while name in names:
            repeat += 1
            name = f"{base}.{repeat}"
        names.append(name)
    return names, blank


def _read_csv(backend: Any, path: Path, table: str) -> tuple[list[str], list[str],
                                                             list[str], int,
                                                             tuple[str, str] | None]:
    """Load a CSV file as text into ``table``: (names, SQL columns, their stored types,
    rows, problem)."""
    import duckdb

    problem = csv_header_problem(path)
    found = None if problem else _csv_names(path)
    if problem or found is None:
        return [], [], [], 0, problem or ("file.unreadable",
                                          "is not valid CSV (EmptyDataError)")
    names, blank = found
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
    try:
        backend.raw_sql(
            f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({_text(str(path))}, "
            f"header = true, skip = {blank}, columns = {{{columns}}}, delim = ',', "
            "quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, "
            "null_padding = true, parallel = false, encoding = 'utf-8')")
    except duckdb.Error as exc:
        if "unicode" in str(exc).lower():
            return [], [], [], 0, ("file.encoding",
                                   "is not UTF-8 text; save it as CSV UTF-8")
        return [], [], [], 0, ("file.unreadable", "is not valid CSV (ParserError)")
    rows = backend.raw_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
    if _dropped_tail(path, rows):
        return [], [], [], 0, ("file.unreadable", "is not valid CSV (ParserError)")
    return names, [f"c{i}" for i in range(len(names))], ["VARCHAR"] * len(names), rows, None


def _dropped_tail(path: Path, rows: int) -> bool:
    """Whether DuckDB left out a last record whose quote is never closed (pandas
    refuses such a file). Only a file with an odd number of quotes is read again, by
    Python's CSV reader, to count its records."""
    quotes = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 24), b""):
            quotes += chunk.count(b'"')
    if quotes % 2 == 0:
        return False
    csv.field_size_limit(max(csv.field_size_limit(), 2 * MAX_RECORD_BYTES))
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        records = sum(1 for row in csv.reader(handle) if row)
    return records - 1 > rows


def _read_parquet(backend: Any, path: Path, table: str) -> tuple[list[str], list[str],
                                                                 list[str], int,
                                                                 tuple[str, str] | None]:
    """A view of a Parquet file in ``table``: (names, SQL columns, their stored types,
    rows, problem). The file's footer is read once, by pyarrow (names and rows)."""
    import duckdb
    import pyarrow.parquet as pq

    footer = pq.read_metadata(path)
    names = list(footer.schema.to_arrow_schema().names)
    try:
        backend.raw_sql(f"CREATE TEMP VIEW {table} AS SELECT * FROM read_parquet("
                        f"{_text(str(path))}, file_row_number = true)")
        described = backend.raw_sql(f"DESCRIBE {table}").fetchall()
    except duckdb.Error as exc:
        return [], [], [], 0, ("file.unreadable", f"cannot be read as Parquet (truncated "
                                                  f"or not Parquet: {type(exc).__name__})")
    stored = [row[0] for row in described[:-1]]  # the last: file_row_number
    if stored != names and len(set(names)) == len(names):
        raise FolderNeedsPandas("column names DuckDB reads otherwise")
    return names, stored, [row[1] for row in described[:-1]], footer.num_rows, None


def _check_table(backend: Any, path: Path, spec: TableSpec, number: int,
                 out: _Collector) -> Any:
    """The header checks of one file (as :func:`lifetools.validation.check_frame` makes
    them) and its typed table (None when its rows are not to be checked)."""
    note_read(path.stem, None)
    problem = check_file(path)
    raw = f"raw_{number}"
    if problem is None:
        read = _read_parquet if path.suffix == ".parquet" else _read_csv
        names, columns, types, rows, problem = read(backend, path, raw)
    if problem:
        out.add(None, Rule(problem[0]), problem[1])
        return None
    for name in spec.field_names:
        if name not in names:
            out.add(name, Rule.COLUMN_MISSING, "is missing from the file")
    for position, name in enumerate(names, start=1):
        if name not in spec.field_names:
            out.add(safe_text(name, placeholder=f"#{position}"), Rule.COLUMN_EXTRA,
                    "is not in the data dictionary")
    if len(set(names)) < len(names):
        out.add(None, Rule.COLUMN_EXTRA, "has two columns with the same name")
        return None
    if rows == 0:
        out.add(None, Rule.TABLE_EMPTY, "has no rows")
        return None
    stored = dict(zip(names, zip(columns, types, strict=True), strict=True))
    order = ("file_row_number + 1" if path.suffix == ".parquet"
             else "row_number() OVER (ORDER BY rowid)")
    select, schema = [f"{order} AS {_ROW}"], {_ROW: "int64"}
    for field in spec.fields:
        if field.name not in stored:
            continue
        column, kind = stored[field.name]
        value = _quote(column)
        typed, can_fail = _typed(field, value, kind)
        present = _present(value, kind)
        select += [f"{typed} AS {_quote(field.name)}",
                   f"NOT {present} AS {_quote(RAW_EMPTY + field.name)}"]
        schema |= {field.name: _TYPED[field.type], RAW_EMPTY + field.name: "boolean"}
        if can_fail:
            select += [f"{present} AND ({typed}) IS NULL AS "
                       f"{_quote(TYPE_FAILED + field.name)}",
                       f"CAST({value} AS VARCHAR) AS {_quote(RAW_TEXT + field.name)}"]
            schema |= {TYPE_FAILED + field.name: "boolean", RAW_TEXT + field.name: "string"}
    backend.raw_sql(f"CREATE TEMP VIEW typed_{number} AS SELECT {', '.join(select)} "
                    f"FROM {raw}")
    # the view's schema follows from the SQL above: declared, not read back from DuckDB
    # (ibis asking DuckDB for it and parsing each type was a sixth of a clean folder's
    # first validation); the same table ibis's ``unbind`` gives (checked in
    # tests/engines/test_folder_validation.py)
    return ibis.table(ibis.schema(schema), name=f"typed_{number}")


def folder_problems(files: dict[str, Path], dictionary: Dictionary,
                    tables: Sequence[str], extract_date: dt.date,
                    sql_cache: os.PathLike | str | None = None) -> list[Problem]:
    """The problems of each table file of a folder, then those across tables.

    ``files`` are the safe files of the tables (:func:`lifetools.folder_scan.scan_folder`);
    ``sql_cache`` a folder keeping the checks' SQL between processes
    (:func:`lifetools.engines.checks.table_problems`).

    Raises
    ------
    FolderNeedsPandas
        If a Parquet column is of a type the engine's typing does not read.

    Notes
    -----
    Tested against the pandas checks on every broken input of ``tests/unit/
    test_validation.py`` and ``tests/hostile/test_validate_hostile.py`` in
    ``tests/engines/test_folder_validation.py``.
    """
    backend = open_ibis_duckdb()
    try:
        found: dict[str, list[Problem]] = {}
        typed: dict[str, Any] = {}
        for number, name in enumerate(tables):
            if name not in files:
                continue
            out = _Collector(files[name].name, name)
            table = _check_table(backend, files[name], dictionary.table(name), number, out)
            found[name] = out.problems
            if table is not None:
                typed[name] = table
        rows = table_problems(backend, typed, dictionary, {}, extract_date, "",
                              files={n: files[n].name for n in typed},
                              sql_cache=sql_cache)
        problems: list[Problem] = []
        for name, listed in found.items():
            problems += listed + rows.get(name, [])
        return problems + rows["(links)"]
    finally:
        backend.disconnect()
