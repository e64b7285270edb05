"""A data fingerprint computed in the engine: row counts and order-independent checksums.

For the manifest of a run on a warehouse: the tables never leave the engine, so the
file digests of :mod:`lifetools.fingerprint` cannot be taken. Each table gives its row
count and, per column, the exact sum over rows of the engine's 64-bit hash of each value
as text (missing values as a fixed marker): a sum does not depend on row order. The
table's checksum is the SHA-256 of its column sums. Hash functions differ between
engines (and a value's text with them: a date, a float; :func:`value_text`), so a
checksum compares runs on the same engine only (the record names the engine, its
version and the method); row counts compare across engines. SQL Server's queries are
compiled only (:func:`tsql`), with an exact text of each value.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from lifetools.engines.connect import connect
from lifetools.engines.engine import EngineTables
from lifetools.engines.source import Source

__all__ = ["CHECKSUM_METHOD", "HASH64", "MISSING", "TSQL_TEXT_STYLES", "engine_fingerprint",
           "engine_record", "fingerprint_query", "hash64", "tsql", "value_text"]

MISSING = "\u2400"
"""The text a missing value is hashed as (SYMBOL FOR NULL): never a value's own text."""

HASH64 = {"duckdb": "hash", "postgres": "hashtextextended", "spark": "xxhash64",
          "mssql": "hashbytes"}
"""Each engine's 64-bit hash of a text (DuckDB's ``hash`` is unsigned, read as signed).
Spark's ``hash`` (what ibis compiles ``.hash()`` to there) is 32-bit Murmur3: a sum of
32-bit hashes misses one change in about 4 billion, and a table of billions of rows
holds many values whose hashes collide, so Spark's ``xxhash64`` is used instead.
SQL Server (compiled only, never run here: ``tests/fixtures/sql``) has no 64-bit hash
function: ibis compiles ``.hash()`` to its 32-bit ``CHECKSUM``, so there the hash is
the last 8 bytes of ``HASHBYTES('SHA2_256', text)`` read as a ``BIGINT``."""

CHECKSUM_METHOD = ("v2: per column: exact sum over rows of the engine's 64-bit hash of "
                   "the value as text (missing as a marker; DuckDB hash, PostgreSQL "
                   "hashtextextended, Spark xxhash64); per table: SHA-256 of the sums")
"""How a checksum is made, recorded in each manifest's engine record (``method``): a
checksum compares with one made by the same method on the same engine only. The
first method (recorded without a version) reduced each hash modulo 1,000,000,007 before
summing (about 30 bits of each hash kept, whatever its width) and used Spark's 32-bit
``hash``."""


@ibis.udf.scalar.builtin(name="xxhash64")
def _xxhash64(text: str) -> dt.int64:  # type: ignore[empty-body]
    """Spark SQL's built-in 64-bit xxHash (seed 42)."""


@ibis.udf.scalar.builtin(name="hashbytes")
def _hashbytes(algorithm: str, text: str) -> dt.binary:  # type: ignore[empty-body]
    """SQL Server's ``HASHBYTES(algorithm, text)``."""


TSQL_TEXT_STYLES = {"lifetools_tsql_float_text": ("VARCHAR(32)", 3),
                    "lifetools_tsql_time_text": ("VARCHAR(40)", 121)}
"""SQL Server's exact text of a float and of a date or time, as ``CONVERT(type, x,
style)`` (:func:`tsql` writes it). Style 3 gives a float "always 17 digits ... every
distinct float or real value is guaranteed to convert to a distinct character string"
(SQL Server 2016 and later; ``CAST(x AS VARCHAR)``, style 0, gives at most 6 digits, so
two floats that differ in the 7th digit printed alike). Style 121 gives a date or time
as ``yyyy-mm-dd hh:mi:ss.fff...`` (ODBC canonical, every fraction digit the type holds,
whatever the session's language or ``DATEFORMAT``), where ``CAST`` of a ``datetime``
gives ``mon dd yyyy hh:miAM``: no seconds, and the month's name in the session's
language."""


@ibis.udf.scalar.builtin(name="lifetools_tsql_float_text")
def _tsql_float_text(value: float) -> str:  # type: ignore[empty-body]
    """A float's exact text on SQL Server (:data:`TSQL_TEXT_STYLES`, by :func:`tsql`)."""


@ibis.udf.scalar.builtin(name="lifetools_tsql_time_text")
def _tsql_time_text(value) -> str:  # type: ignore[empty-body, no-untyped-def]
    """A date or time's exact text on SQL Server (:data:`TSQL_TEXT_STYLES`)."""


def value_text(value: Any, engine: str) -> Any:
    """The text of ``value`` (an ibis column) that ``engine``'s fingerprints hash.

    On DuckDB, PostgreSQL and Spark the engine's own cast to text, which gives every
    float the fewest digits that read back to it (PostgreSQL's with
    ``extra_float_digits`` above 0: :data:`lifetools.engines.column_keys.POSTGRES_TEXT_SETTINGS`)
    and dates in ISO order. On SQL Server (``mssql``, compiled only) a float's text has
    17 significant digits and a date's or time's is ISO with every fraction digit
    (:data:`TSQL_TEXT_STYLES`): a cast would lose digits. The texts are exact (distinct
    values, distinct texts) on every engine, but not the same text across engines (a
    float's 17 digits on SQL Server against the fewest digits elsewhere, ``1``/``0``
    for a bit against ``true``/``false``): as the hash functions differ too, a checksum
    compares with one of the same engine only.
    """
    if engine == "mssql":
        kind = value.type()
        if kind.is_floating():
            return _tsql_float_text(value)
        if kind.is_temporal():
            return _tsql_time_text(value)
    return value.cast("string")


def tsql(expr: Any) -> str:
    """The T-SQL of an ibis expression (``ibis.to_sql(expr, dialect="mssql")``), with
    SQL Server's exact texts (:data:`TSQL_TEXT_STYLES`) and every string literal that is
    not plain ASCII written as a Unicode literal, ``N'␀'``: without the ``N``, SQL
    Server reads the literal in the database's code page, where a character outside it
    (the missing-value marker :data:`MISSING`) becomes ``?``, and a missing value would
    hash as the text ``?`` does. ASCII literals keep no ``N`` (compared with a
    ``VARCHAR`` column, an ``N'...'`` literal converts the column and can stop an index
    being used).

    Notes
    -----
    No SQL Server runs here: the T-SQL is kept as reviewed files in
    ``tests/fixtures/sql`` and parsed in ``tests/engines/test_engine_sql.py``.
    """
    import sqlglot.expressions as sge
    from ibis.backends.sql.compilers.mssql import compiler

    def exact(node: Any) -> Any:
        if isinstance(node, sge.Anonymous) and str(node.this).lower() in TSQL_TEXT_STYLES:
            kind, style = TSQL_TEXT_STYLES[str(node.this).lower()]
            return sge.Convert(this=sge.DataType.build(kind, dialect="tsql"),
                               expression=node.expressions[0],
                               style=sge.Literal.number(style))
        if isinstance(node, sge.Literal) and node.is_string and not node.this.isascii():
            return sge.National(this=node.this)
        return node

    out = compiler.to_sqlglot(expr.unbind())
    queries = out if isinstance(out, list) else [out]
    return ";\n".join(query.transform(exact).sql(dialect=compiler.dialect, pretty=True)
                      for query in queries)


def hash64(value: Any, engine: str) -> Any:
    """The ibis expression of ``engine``'s 64-bit hash of ``value`` (a text
    expression), as a signed 64-bit integer (:data:`HASH64`).

    Notes
    -----
    ibis compiles ``.hash()`` to a 64-bit hash on DuckDB and PostgreSQL and to Spark's
    32-bit ``hash``; on Spark this gives ``xxhash64`` instead. Tested in
    ``tests/engines/test_engine_sources.py`` (the SQL of each engine) and on a local
    Spark in ``tests/engines/test_engine_spark_fingerprint.py``; SQL Server's
    (``mssql``, :data:`HASH64`) in ``tests/engines/test_engine_sql.py``.
    """
    if engine == "spark":
        return _xxhash64(value)
    if engine == "mssql":
        return _hashbytes("SHA2_256", value).cast("int64")
    return value.hash()


def fingerprint_query(table: Any, engine: str) -> Any:
    """The one aggregate query of :func:`engine_fingerprint` for ``table`` on
    ``engine``: ``rows`` and, per column ``c{i}``, the sum of :func:`hash64` of each
    value as text (:func:`value_text`; missing as :data:`MISSING`), summed exactly as a 38-digit decimal and read
    as text (a 64-bit sum of 64-bit hashes overflows)."""
    return table.aggregate(rows=table.count(), **{
        f"c{i}": hash64(value_text(table[c], engine).fill_null(MISSING), engine
                        ).cast("decimal(38, 0)").sum().cast("string")
        for i, c in enumerate(table.columns)})


def engine_fingerprint(tables: EngineTables) -> dict[str, Any]:
    """Engine, version and, per table, rows and checksum, computed in the engine.

    Returns a JSON-ready dict with ``engine``, ``version``, ``source`` (printable,
    no password), ``method`` and ``tables`` (``{name: {"rows": n, "checksum": hex}}``).

    Notes
    -----
    One aggregate query per table. Tested in ``tests/engines/test_engine_sources.py``
    (unchanged by row order, changed by one value, equal between a Parquet folder and
    the same frames in memory).
    """
    out: dict[str, Any] = {}
    for name in sorted(tables.tables):
        table = tables.tables[name]
        row = tables.fetch(fingerprint_query(table, tables.engine)).iloc[0]
        digest = json.dumps({c: [str(row[f"c{i}"])] for i, c in enumerate(table.columns)},
                            sort_keys=True)
        out[name] = {"rows": int(row["rows"]),
                     "checksum": hashlib.sha256(digest.encode()).hexdigest()}
    return {"engine": tables.engine, "version": tables.version, "source": tables.where,
            "method": CHECKSUM_METHOD, "tables": out}


def engine_record(source: Source) -> dict[str, Any]:
    """What an edition manifest records of the engine: :func:`engine_fingerprint` with
    the kind of source (``files``, ``duckdb``, ``postgres``, ``spark``) in place of its
    place, so a manifest names no path, host, user or password and two builds of the
    same data in two folders record the same bytes.

    Notes
    -----
    Tested in ``tests/engines/test_engine_sources.py`` and, in the manifest,
    ``tests/unit/test_build_manifest.py``.
    """
    tables = connect(source)
    try:
        record = engine_fingerprint(tables)
    finally:
        disconnect = getattr(tables.backend, "disconnect", None)
        if disconnect is not None and source.engine in ("files", "duckdb"):
            disconnect()
    return {**record, "source": source.engine}
