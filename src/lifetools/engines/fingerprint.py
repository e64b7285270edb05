"""A data fingerprint computed in the engine: row counts and order-independent checksums.

For the manifest of a run on a warehouse: the tables never leave the engine, so the
file digests of :mod:`lifetools.fingerprint` cannot be taken. Each table gives its row
count and, per column, the sum of the engine's hash of each value as text (missing
values as a fixed marker) modulo a prime: a sum does not depend on row order. The
table's checksum is the SHA-256 of its column sums. Hash functions differ between
engines, so a checksum compares runs on the same engine only (the record names the
engine and its version); row counts compare across engines.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lifetools.engines.engine import EngineTables
from lifetools.engines.source import Source

__all__ = ["CHECKSUM_METHOD", "engine_fingerprint", "engine_record"]

_PRIME = 1_000_000_007
CHECKSUM_METHOD = ("per column: sum over rows of the engine's hash of the value as text "
                   f"(missing as a marker) mod {_PRIME}; per table: SHA-256 of the sums")


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
        sums = {f"c{i}": (table[c].cast("string").fill_null("\u2400").hash() % _PRIME
                          ).sum() for i, c in enumerate(table.columns)}
        row = tables.fetch(table.aggregate(rows=table.count(), **sums)).iloc[0]
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
    from lifetools.engines.connect import connect

    tables = connect(source)
    try:
        record = engine_fingerprint(tables)
    finally:
        disconnect = getattr(tables.backend, "disconnect", None)
        if disconnect is not None and source.engine in ("files", "duckdb"):
            disconnect()
    return {**record, "source": source.engine}
