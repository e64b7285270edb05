"""Open a :class:`~lifetools.engines.source.Source` as :class:`EngineTables`.

Every failure becomes one clear message with no traceback and no credential: an
unreachable server or refused login is an :class:`~lifetools.engines.source.EngineError`
(exit 22); a missing table or column, or a column of the wrong type, is a
``DataValidationError`` (exit 11, as for files), naming the table and column.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import ibis

from lifetools.dataset import TABLES
from lifetools.dictionary import load_dictionary
from lifetools.duckdb_settings import (
    MEMORY_LIMIT_ENV,
    TEMP_DIRECTORY_ENV,
    duckdb_settings,
    open_ibis_duckdb,
)
from lifetools.engines.engine import _IBIS_TYPES, EngineTables, _quiet_duckdb
from lifetools.engines.source import EngineError, Source, read_secret
from lifetools.engines.spark import (
    LOCAL_OPTIONS,
    local_parts,
    read_token,
    register_folder,
    remote_session,
)
from lifetools.errors import DataValidationError, UserError
from lifetools.folder_scan import table_path

__all__ = ["MEMORY_LIMIT_ENV", "TEMP_DIRECTORY_ENV", "connect", "duckdb_settings"]
"""The DuckDB settings are re-exported from their owner, :mod:`lifetools.duckdb_settings`."""


def connect(source: Source, *, env: Any = None) -> EngineTables:
    """Connect to ``source`` and return its analysis tables (those present).

    Raises
    ------
    EngineError
        The server cannot be reached, refuses the credentials, or the engine's client
        library is not installed.
    DataValidationError
        The source holds none of the analysis tables.

    Notes
    -----
    Tested in ``tests/unit/test_engines.py``.
    """
    opener = {"files": _files, "duckdb": _duckdb_file, "postgres": _postgres,
              "spark": _spark}[source.engine]
    tables = opener(source, os.environ if env is None else env)
    if not tables.tables:
        raise DataValidationError(f"{source.display()} holds none of the analysis tables",
                                  hint=f"expected tables named {', '.join(TABLES)}")
    return tables


def _files(source: Source, env: Any) -> EngineTables:
    """DuckDB over the folder's files: Parquet as typed, CSV as text cast to the
    dictionary's types (a value that does not parse becomes missing, as for pandas)."""
    _quiet_duckdb()
    backend = open_ibis_duckdb(env=env)
    dictionary = load_dictionary()
    tables = {}
    for name in TABLES:
        path = table_path(Path(source.location), name)
        if path is None:
            continue
        if path.suffix == ".parquet":
            tables[name] = backend.read_parquet(path, table_name=name)
            continue
        raw = backend.read_csv(path, table_name=f"{name}_text", all_varchar=True)
        casts = {}
        for spec in dictionary.table(name).fields:
            if spec.name in raw.columns:
                column = raw[spec.name].nullif("")
                kind = _IBIS_TYPES.get(spec.type, "string")
                casts[spec.name] = column if kind == "string" else column.try_cast(kind)
        tables[name] = raw.select(**casts)
    return EngineTables(backend=backend, engine="duckdb", where=source.display(),
                        tables=tables)


def _duckdb_file(source: Source, env: Any) -> EngineTables:
    try:
        backend = open_ibis_duckdb(source.location, read_only=True, env=env)
    except UserError:  # a DuckDB setting of the environment, named
        raise
    except Exception:  # noqa: BLE001 - any failure to open is the user's file
        raise EngineError(f"DuckDB could not open {source.display()}",
                          hint="is it a DuckDB database, and not open in another "
                               "program for writing?") from None
    present = set(backend.list_tables())
    return EngineTables(backend=backend, engine="duckdb", where=source.display(),
                        tables={n: backend.table(n) for n in TABLES if n in present})


def _postgres(source: Source, env: Any) -> EngineTables:
    parts = urlsplit(source.location)
    query = dict(parse_qsl(parts.query))
    try:
        connector = ibis.postgres.connect
    except Exception:  # noqa: BLE001 - the optional driver is missing
        raise EngineError("the PostgreSQL client is not installed",
                          hint="pip install 'ibis-framework[postgres]'") from None
    options = {"host": parts.hostname or query.pop("host", None), "port": parts.port,
               "user": parts.username, "database": parts.path.strip("/") or None,
               "password": read_secret(env), **query}
    try:
        backend = connector(**{k: v for k, v in options.items() if v is not None})
    except Exception as error:  # noqa: BLE001 - translated below, never echoed
        text = str(error).lower()
        if "password" in text or "authentication" in text or "role" in text:
            raise EngineError(f"{source.display()} refused the login of user "
                              f"{parts.username or '(default)'}",
                              hint="check the password in LIFETOOLS_DB_PASSWORD or its "
                                   "file") from None
        raise EngineError(f"could not reach the PostgreSQL server of {source.display()}",
                          hint="is the server running, and the host and port right?"
                          ) from None
    present = set(backend.list_tables())
    return EngineTables(backend=backend, engine="postgres", where=source.display(),
                        tables={n: backend.table(n) for n in TABLES if n in present})


def _spark(source: Source, env: Any) -> EngineTables:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("Spark is not installed",
                          hint="pip install pyspark==4.0.5 and install a Java 17 "
                               "runtime") from None
    if source.location.startswith("sc://"):  # Spark Connect: a server's catalog
        read_token()  # an unsafe token file is named before any contact
        try:
            backend = ibis.pyspark.connect(remote_session(source.location))
        except Exception as error:  # noqa: BLE001 - translated, never echoed
            raise _spark_connect_error(source, error) from None
        return _spark_tables(source, backend)
    master, folder = local_parts(source.location)
    try:  # in this process (a Databricks notebook's or a script's session)
        # UTC: dates are calendar dates, never shifted by the machine's time zone
        builder = SparkSession.builder.master(master)
        for key, value in LOCAL_OPTIONS.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        backend = ibis.pyspark.connect(session)
    except Exception:  # noqa: BLE001 - translated, never echoed
        raise EngineError(f"could not start Spark at {source.display()}",
                          hint="is Java 17 installed (JAVA_HOME)?") from None
    if folder is not None:  # the folder's Parquet files as the catalog's tables
        register_folder(session, folder)
    return _spark_tables(source, backend)


def _spark_tables(source: Source, backend: Any) -> EngineTables:
    present = set(backend.list_tables())
    return EngineTables(backend=backend, engine="spark", where=source.display(),
                        tables={n: backend.table(n) for n in TABLES if n in present})


def _spark_connect_error(source: Source, error: Exception) -> EngineError:
    """The error a Spark Connect server's refusal or absence becomes: a refused token
    (gRPC ``UNAUTHENTICATED``), an unreachable server (``UNAVAILABLE``, after the
    retries of :data:`~lifetools.engines.spark.FIRST_CONTACT_RETRIES`), or any other
    failure to start a session; never pyspark's message (it may quote the URL)."""
    code = getattr(error, "code", None)
    status = getattr(code(), "name", "") if callable(code) else ""
    text = f"{status} {type(error).__name__} {error}".upper()
    if "UNAUTHENTICATED" in text or "AUTHENTICATION" in text or "PERMISSION_DENIED" in text:
        return EngineError(f"the Spark Connect server of {source.display()} refused the "
                           "token", hint="check the token in "
                           "SPARK_CONNECT_AUTHENTICATE_TOKEN (never in the URL)")
    if any(word in text for word in ("UNAVAILABLE", "RETRIES", "CONNECTION REFUSED",
                                     "DEADLINE")):  # RetriesExceeded: never answered
        return EngineError(f"could not reach the Spark Connect server of "
                           f"{source.display()}",
                           hint="is the server running, and the host and port right?")
    return EngineError(f"could not start a Spark Connect session at {source.display()}",
                       hint="is it a Spark Connect server (pyspark 4.0), and its token "
                            "in SPARK_CONNECT_AUTHENTICATE_TOKEN?")
