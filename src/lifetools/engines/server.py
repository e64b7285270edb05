"""A database server as the extract: validation as queries on the server, and the
data fingerprint of a build, computed there.

``lifetools validate postgresql://analyst@host/db`` and ``lifetools build --data
postgresql://...`` check the dictionary's rules with the queries of
:mod:`lifetools.engines.checks`: only counts and a bounded sample of row numbers
leave the server (rows numbered in primary-key order, :func:`numbered`: a warehouse
table has no row order). A server holds
no ``datapackage.json``: the report says so in a warning, the dictionary version is not
checked, and plausible dates end today; a local Spark over a folder
(``spark://local[N]?path=FOLDER``) reads the folder's, as the folder's validation does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifetools import fingerprint as file_fingerprint
from lifetools.datapackage import PACKAGE_FILE, read_package
from lifetools.dictionary import load_dictionary
from lifetools.engines.checks import column_problems, table_problems
from lifetools.engines.connect import connect
from lifetools.engines.dataset import ROW_COLUMN, numbered
from lifetools.engines.engine import _ACCEPTS, _WORDS, EngineTables
from lifetools.engines.fingerprint import engine_fingerprint
from lifetools.engines.source import Source
from lifetools.engines.spark import local_parts
from lifetools.validation_rules import Problem, Rule, ValidationReport, _Collector

__all__ = ["server_fingerprint", "validate_server"]


def _stored_type(dtype: Any) -> str:
    return str(dtype).removesuffix("!").upper()


def validate_server(source: Source, *, tables: list[str] | None = None,
                    connection: EngineTables | None = None) -> ValidationReport:
    """Validate the analysis tables on a server against the data dictionary.

    The same rules, report and exit codes as :func:`lifetools.validate_directory`: a
    missing table is ``file.missing``, a missing or unknown column is named, a column
    whose stored type cannot hold the dictionary's (dates stored as text) is ``type``
    and its rows are not checked; row rules run as queries on the server.

    Raises
    ------
    EngineError
        The server cannot be reached or refuses the login (no credential is shown).

    Notes
    -----
    Tested in ``tests/engines/test_engine_server.py`` (PostgreSQL: a clean extract
    passes; bad rows are found at the row numbers of a key-sorted folder) and
    ``tests/engines/test_engine_sources.py`` (Spark local: a clean extract passes).
    """
    dictionary = load_dictionary()
    engine = connection or connect(source)
    label = source.display()
    folder = local_parts(source.location)[1] if source.engine == "spark" else None
    today = dt.date.today()
    if folder is not None:  # spark://local[N]?path=FOLDER: the folder's package, as
        extract_date, reason = read_package(folder, dictionary)  # for the folder
        problems = [Problem(PACKAGE_FILE, "(package)", None, Rule.PACKAGE, reason)
                    ] if reason else []
        today = extract_date or today
    else:
        problems = [Problem(label, "(package)", None, Rule.PACKAGE,
                            "a server holds no datapackage.json: the dictionary version "
                            "is not checked, and plausible dates end today",
                            level="warning")]
    found, checked, skip = {}, {}, {}
    for name in tables or list(dictionary.tables):
        spec = dictionary.table(name)
        out = _Collector(f"{label}:{name}", name)
        found[name] = out.problems
        if name not in engine.tables:
            out.add(None, Rule.FILE_MISSING, f"no table {name!r} on the server")
            continue
        schema = engine.tables[name].schema()
        column_problems(spec, [c for c in schema if c != ROW_COLUMN], out, "table")
        skip[name] = [f.name for f in spec.fields if f.name in schema and not any(
            getattr(schema[f.name], test)() for test in _ACCEPTS.get(f.type, ()))]
        for column in skip[name]:
            out.add(column, Rule.TYPE, f"is stored as {_stored_type(schema[column])}; "
                    f"the dictionary says {_WORDS[spec.field(column).type]}")
        if engine.count(engine.tables[name]) == 0:
            out.add(None, Rule.TABLE_EMPTY, "has no rows")
            continue
        checked[name] = numbered(engine, name)
    rows = table_problems(engine.backend, checked, dictionary, skip, today, label)
    for name, listed in found.items():
        problems += listed + rows.get(name, [])
    return ValidationReport(label, tuple(problems + rows["(links)"]))  # type: ignore[arg-type]


def server_fingerprint(tables: EngineTables) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data fingerprint of a server's tables and the manifest's engine record.

    As :func:`lifetools.pipeline.build.duckdb_fingerprint` for a DuckDB file: per table
    its order-independent checksum computed on the server, the dictionary's digest, and
    ``combined`` over both, the engine and its version and each column's stored type.
    The record names the kind of source (``postgres``), never its host or user.
    """
    record = engine_fingerprint(tables)
    checksums = {name: entry["checksum"] for name, entry in record["tables"].items()}
    dictionary = file_fingerprint.dictionary_fingerprint()
    types = {name: {c: str(t) for c, t in table.schema().items()}
             for name, table in sorted(tables.tables.items())}
    combined = file_fingerprint.digest({"tables": checksums, "dictionary": dictionary,
                                        "engine": [tables.engine, record["version"]],
                                        "types": types})
    return ({"tables": checksums, "dictionary": dictionary, "combined": combined},
            {**record, "source": tables.engine})
