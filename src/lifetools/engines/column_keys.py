"""Column fingerprints of a DuckDB database file, computed in the engine (the run cache).

A folder's tables get one fingerprint per column from their files
(:func:`lifetools.fingerprint.table_columns`); a DuckDB file's tables get them here, by
one aggregate query per table that DuckDB runs over the stored rows, so that a run
keyed on the columns it read (:mod:`lifetools.pipeline.data_key`) is not rerun when a
column it did not read changes. A server's tables (:func:`server_columns`) get them
by one aggregate query per table on the server, at each build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lifetools.duckdb_settings import open_duckdb
from lifetools.engines.dataset import _ROW, numbered
from lifetools.engines.fingerprint import MISSING, hash64, value_text
from lifetools.fingerprint import cached_sha256, replace_text

__all__ = ["DUCKDB_COLUMN_METHOD", "POSTGRES_TEXT_SETTINGS", "SERVER_COLUMN_METHOD",
           "column_key_query", "duckdb_columns", "server_columns"]

DUCKDB_COLUMN_METHOD = ("duckdb: per column, the sum over rows of hash(rowid, value) "
                        "(a float's with its sign bit) as a 128-bit integer, with the "
                        "column's name, type and the table's rows; per table, SHA-256 "
                        "of its columns v2")
"""How a DuckDB column's fingerprint is made (part of each)."""
_FLOATS = frozenset({"FLOAT", "REAL", "FLOAT4", "DOUBLE", "FLOAT8"})
"""DuckDB types whose ``hash`` gives 0.0 and -0.0 one value: their sign bit is hashed
with them."""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(name: str, kind: str) -> str:
    """What is hashed of a column's value: the value, and a float's sign bit."""
    quoted = _quoted(name)
    return f"{quoted}, signbit({quoted})" if kind.upper() in _FLOATS else quoted


def _table_columns(connection: Any, table: str) -> dict[str, Any]:
    described = connection.sql(f"DESCRIBE {_quoted(table)}").fetchall()
    names = [str(row[0]) for row in described]
    types = {str(row[0]): str(row[1]) for row in described}
    sums = "".join(f", CAST(sum(hash(rowid, {_value(c, types[c])})) AS VARCHAR)"
                   for c in names)
    row = connection.sql(f"SELECT count(*){sums} FROM {_quoted(table)}").fetchone()
    return _fingerprints(DUCKDB_COLUMN_METHOD, names, types, int(row[0]), row[1:])


def _fingerprints(method: str, names: list[str], types: Mapping[str, Any], rows: int,
                  totals: Sequence[Any]) -> dict[str, Any]:
    """A table's entry from the engine's per-column sums (``totals``, as ``names``):
    each column's SHA-256 over the method, its name, type, the rows and its sum, and
    the whole table's over those."""
    columns = {}
    for name, total in zip(names, totals, strict=True):
        text = f"{method}|{name}|{types[name]}|{rows}|{total}"
        columns[name] = hashlib.sha256(text.encode()).hexdigest()
    whole = hashlib.sha256(json.dumps([rows, names, columns]).encode()).hexdigest()
    return {"rows": rows, "names": names, "columns": columns, "table": whole}


def duckdb_columns(path: Path, *, cache: Path | None = None,
                   stamps: Path | None = None) -> dict[str, dict[str, Any]]:
    """Per table of a DuckDB database file: ``rows``, ``names`` (in stored order),
    ``columns`` (column name to a fingerprint of its values in stored order) and
    ``table`` (a fingerprint of the whole table, row order included).

    With ``cache`` (a JSON file) the fingerprints are kept by the file's SHA-256 (itself
    kept in ``stamps`` by :func:`lifetools.fingerprint.cached_sha256`): computed once
    per extract.

    Notes
    -----
    One query per table: for each column, the sum over rows of DuckDB's 64-bit
    ``hash(rowid, value)`` (missing values hash to their own value) as a 128-bit
    integer, digested with the column's name, stored type and the number of rows.
    ``rowid`` is the row's place in stored order, the order a build reads the table
    in (:func:`lifetools.typed_reads.read_duckdb_table`): a changed value, a value moved
    to another row, a new or removed row all change the column's fingerprint; a
    change to another column does not. The engine's own table checksum
    (:mod:`lifetools.engines.fingerprint`) does not see values swapped between rows;
    ``table`` does. Sums of 64-bit hashes collide only by chance (about 2**-64 per
    change).

    Where DuckDB's ``hash`` gives equal values one hash, the fingerprint follows the
    values the build reads, and never says "unchanged" for a change the build could
    see: 0.0 and -0.0 hash alike, so a float's sign bit is hashed with it (as the
    folder path, which hashes a float's bits, tells them apart); NaNs of different
    payloads hash alike (pandas reads every NaN as the same missing value; the folder
    path tells payloads apart, a rerun more), and a NaN and a missing value hash apart
    (the folder path reads both as NaN, a rerun fewer); equal decimals stored in
    different widths (DECIMAL(18,2), DECIMAL(38,2)) hash alike, but the column's type
    is part of its fingerprint, so a change of type changes it. INTERVAL '1 month' and
    '30 days' hash alike: the build reads both as 30 days. Tested in
    ``tests/engines/test_duckdb_column_keys.py``.
    """
    path = Path(path)
    key = cached_sha256(path, stamps) if cache is not None else ""
    try:
        known = json.loads(cache.read_text()) if cache is not None else {}
    except (OSError, ValueError):
        known = {}
    entry = known.get(key, {})
    if entry.get("method") == DUCKDB_COLUMN_METHOD:
        return entry["tables"]
    with open_duckdb(path, read_only=True) as connection:
        tables = sorted(str(r[0]) for r in connection.sql("SHOW TABLES").fetchall())
        found = {table: _table_columns(connection, table) for table in tables}
    if cache is not None:  # written whole and renamed: a reader never sees a part
        replace_text(cache, json.dumps({key: {"method": DUCKDB_COLUMN_METHOD,
                                               "tables": found}}, sort_keys=True))
    return found


SERVER_COLUMN_METHOD = ("server: per column, the sum over rows of the engine's 64-bit "
                        "hash (PostgreSQL hashtextextended, Spark xxhash64) of "
                        "the row's number in key order and the value as text (missing "
                        "as a marker; PostgreSQL's text settings pinned), summed "
                        "exactly, with the column's name, type and the table's rows; "
                        "per table, SHA-256 of its columns v3")
"""How a server column's fingerprint is made (part of each). v2 hashed with Spark's
32-bit ``hash`` on Spark (:data:`lifetools.engines.fingerprint.HASH64`)."""
POSTGRES_TEXT_SETTINGS = (("DateStyle", "ISO, YMD"), ("IntervalStyle", "postgres"),
                          ("extra_float_digits", "3"), ("TimeZone", "UTC"),
                          ("bytea_output", "hex"))
"""The PostgreSQL session settings that change a value's text, pinned while a server's
columns are fingerprinted: dates and times in ISO order and UTC, every float with the
fewest digits that give it back exactly (``extra_float_digits`` above 0; at -10 two
floats that differ in the sixth digit would print alike), intervals and bytes in one
style."""


@contextmanager
def _pinned_text_settings(backend: Any) -> Iterator[None]:
    """:data:`POSTGRES_TEXT_SETTINGS` for the session of a PostgreSQL ``backend`` (an
    ibis backend), the session's own settings put back after; other engines as they
    are."""
    if getattr(backend, "name", "") != "postgres":
        yield
        return
    with backend.con.cursor() as cursor:
        saved = []
        for name, value in POSTGRES_TEXT_SETTINGS:
            cursor.execute("SELECT current_setting(%s)", (name,))
            saved.append((name, cursor.fetchone()[0]))
            cursor.execute("SELECT set_config(%s, %s, false)", (name, value))
    try:
        yield
    finally:
        with backend.con.cursor() as cursor:
            for name, value in saved:
                cursor.execute("SELECT set_config(%s, %s, false)", (name, value))


def server_columns(tables: Any) -> dict[str, dict[str, Any]]:
    """:func:`duckdb_columns` for the tables of a server
    (:class:`~lifetools.engines.EngineTables`), computed on the server.

    Notes
    -----
    One aggregate query per table: for each column, the sum over rows of the engine's
    64-bit hash (PostgreSQL ``hashtextextended``, Spark ``xxhash64``:
    :func:`lifetools.engines.fingerprint.hash64`) of the row's number and the
    value as text (missing values as a marker), summed as a 38-digit decimal and
    fetched as text (fetched as a 64-bit integer, the overflowing sum saturated to one
    value whatever the column held). Rows are numbered in the order a build
    fetches them (:func:`lifetools.engines.dataset.numbered`: primary key, ties in
    physical order), so a changed value, a value moved to another row or a new row
    changes the column's fingerprint and a change to another column does not. A
    value's text depends on the session's settings (``DateStyle``, ``TimeZone``,
    ``extra_float_digits``, ``IntervalStyle``, ``bytea_output``): they are pinned for
    the query (:data:`POSTGRES_TEXT_SETTINGS`), so two sessions set differently give
    the same fingerprints, and no setting can print two floats alike. Not cached: a
    server has no file whose hash says the data are unchanged. Tested in
    ``tests/engines/test_server_column_keys.py`` (PostgreSQL) and
    ``tests/engines/test_engine_spark_fingerprint.py`` (Spark).
    """
    with _pinned_text_settings(tables.backend):
        return _server_columns(tables)


def column_key_query(table: Any, names: Sequence[str], engine: str) -> Any:
    """The one aggregate query of :func:`server_columns` for a numbered ``table``
    (:func:`lifetools.engines.dataset.numbered`) on ``engine``: ``rows`` and, per
    column ``c{i}`` of ``names``, the sum of :func:`~lifetools.engines.fingerprint.hash64`
    of the row's number and the value as text (missing as a marker)."""
    row = table[_ROW].cast("string")
    # summed as a 38-digit decimal and fetched as its text: a 64-bit sum overflows
    # (fetched as int64 it saturated, the same total for every value)
    return table.aggregate(rows=table.count(), **{
        f"c{i}": hash64(row.concat("|", value_text(table[c], engine).fill_null(MISSING)),
                        engine).cast("decimal(38, 0)").sum().cast("string")
        for i, c in enumerate(names)})


def _server_columns(tables: Any) -> dict[str, dict[str, Any]]:
    found = {}
    for name in sorted(tables.tables):
        schema = tables.tables[name].schema()
        names = [str(c) for c in schema.names]
        result = tables.fetch(column_key_query(numbered(tables, name), names,
                                               tables.engine)).iloc[0]
        found[name] = _fingerprints(SERVER_COLUMN_METHOD, names, schema,
                                    int(result["rows"]),
                                    [result[f"c{i}"] for i in range(len(names))])
    return found
