"""A data fingerprint computed in the engine: row counts and order-independent checksums.

For the manifest of a run on a warehouse: the tables never leave the engine, so the
file digests of :mod:`lifetools.fingerprint` cannot be taken. Each table gives its row
count and, per column, the exact sum over rows of the engine's 64-bit hash of each value
as text (missing values as a fixed marker): a sum does not depend on row order. The
table's checksum is the SHA-256 of its column sums. Hash functions differ between
engines (and a value's text with them: a date, a float), so a checksum compares runs on
the same engine only (the record names the engine, its version and the method); row
counts compare across engines.
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

__all__ = ["CHECKSUM_METHOD", "HASH64", "engine_fingerprint", "engine_record",
           "fingerprint_query", "hash64"]

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
    value as text (missing as a marker), summed exactly as a 38-digit decimal and read
    as text (a 64-bit sum of 64-bit hashes overflows)."""
    return table.aggregate(rows=table.count(), **{
        f"c{i}": hash64(table[c].cast("string").fill_null("\u2400"), engine
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
