"""Where the data live: sources, engines and the relational layer (ibis).

The cohort builders run as ibis expressions in the engine that holds the data
(embedded DuckDB by default; a DuckDB file, PostgreSQL or Spark through a
:class:`Source`); only per-person analysis frames come back to pandas.
"""

from __future__ import annotations

from lifetools.engines.connect import (
    MEMORY_LIMIT_ENV,
    TEMP_DIRECTORY_ENV,
    connect,
    duckdb_settings,
)
from lifetools.engines.engine import (
    EngineTables,
    check_columns,
    dictionary_schema,
    engine_tables,
    unbound_tables,
)
from lifetools.engines.extract import write_duckdb
from lifetools.engines.fingerprint import (
    CHECKSUM_METHOD,
    engine_fingerprint,
    engine_record,
)
from lifetools.engines.source import (
    ENGINES,
    PASSWORD_ENV,
    PASSWORD_FILE_ENV,
    EngineError,
    Source,
    parse_source,
    read_secret,
    redact_url,
)

__all__ = ["CHECKSUM_METHOD", "ENGINES", "MEMORY_LIMIT_ENV", "PASSWORD_ENV", "PASSWORD_FILE_ENV", "EngineError", "EngineTables",
           "Source", "TEMP_DIRECTORY_ENV", "check_columns", "connect", "dictionary_schema", "engine_fingerprint", "engine_record",
           "duckdb_settings", "engine_tables",
           "parse_source", "read_secret", "redact_url", "unbound_tables", "write_duckdb"]
