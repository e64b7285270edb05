"""Spark as the extract: Spark Connect sessions, and a local Connect server for
``spark://local[N]``.

A build's notebooks run in kernels, separate processes that cannot see a Spark session
of the build's own process. So every Spark source reaches the notebooks as a Spark
Connect URL: ``sc://host:port`` as given, or, for ``spark://local[N]``, the URL of a
Connect server that :func:`local_connect` starts in this process (on a free loopback
port, with a fresh bearer token). The analysis tables are those of the Spark
application's catalog (tables shared by all its sessions; not a session's temporary
views). ``spark://local[N]?path=FOLDER`` puts them there: each of the folder's Parquet
table files becomes a view of the catalog over the file (:func:`register_folder`), so
``lifetools validate`` and ``lifetools build --data`` from the command line, whose
process holds no tables of its own, read the extract in Spark.

The token is a credential: it travels only in the environment variable
:data:`TOKEN_ENV` (pyspark's own), which the kernels inherit, set by the user or read
from an owner-only file named in :data:`TOKEN_FILE_ENV` (:func:`read_token`); an
``sc://`` URL holding ``token=`` is refused (:func:`lifetools.engines.parse_source`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from pathlib import Path
from typing import Any

from lifetools.engines.source import EngineError, Source, read_secret
from lifetools.errors import UserError

__all__ = ["FIRST_CONTACT_RETRIES", "LOCAL_OPTIONS", "LOG_SETTINGS", "TOKEN_ENV",
           "TOKEN_FILE_ENV", "local_connect", "local_parts", "read_token",
           "register_folder", "remote_session", "served"]

TOKEN_ENV = "SPARK_CONNECT_AUTHENTICATE_TOKEN"
"""Where a Spark Connect bearer token is read from (never from the URL)."""
TOKEN_FILE_ENV = "LIFETOOLS_SPARK_TOKEN_FILE"
"""Environment variable naming a file that holds the Spark Connect token (mode 600 or
400), read when :data:`TOKEN_ENV` is unset (:func:`read_token`)."""

_PLUGIN = "org.apache.spark.sql.connect.SparkConnectPlugin"
_LOCAL: dict[str, str] = {}  # master -> the URL of the Connect server started here
_SESSIONS: dict[str, Any] = {}  # URL -> its Connect session in this process
_REGISTERED: dict[str, str] = {}  # view name -> the Parquet file it reads (this process)

LOG_SETTINGS = Path(__file__).with_name("spark-log4j2.properties")
"""The log4j settings of a local Spark started here: errors only, from the JVM's start
(``spark.driver.extraJavaOptions``). Lowering the level once the session runs
(``setLogLevel``) came too late for the WARN lines of its start, one of which names
the machine's network address."""

LOCAL_OPTIONS = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                 "spark.sql.session.timeZone": "UTC",
                 "spark.sql.legacy.parquet.nanosAsLong": "true",
                 "spark.driver.extraJavaOptions":
                     f'-Dlog4j2.configurationFile="{LOG_SETTINGS}"'}
"""The options of a local Spark started here: no web UI or progress bars, dates in UTC
(calendar dates), a Parquet timestamp in nanoseconds (pandas' and pyarrow's default,
which Spark 4.0 cannot read as a timestamp) read as its whole number of nanoseconds, so
that :func:`register_folder` can make it a timestamp (to the microsecond), and the JVM's
log at errors only from its start (:data:`LOG_SETTINGS`)."""


def local_parts(location: str) -> tuple[str, Path | None]:
    """Spark's master and the folder of ``spark://local[N]?path=FOLDER`` (None
    without ``path=``)."""
    master, _, query = location.removeprefix("spark://").partition("?path=")
    return master, (Path(query) if query else None)


def register_folder(session: Any, folder: Path) -> list[str]:
    """Make each Parquet table file of ``folder`` a view of ``session``'s catalog (the
    application's, so every session, a Spark Connect server's included, reads it);
    return the tables registered.

    Each view reads its file in place (no copy) with a column ``__row``, each row's
    number in the file (1, 2, ...: Parquet's row index), so validation cites the
    folder's row numbers and a build reads the rows in the folder's order
    (:data:`lifetools.engines.dataset.ROW_COLUMN`). A timestamp stored in nanoseconds
    (read as a whole number under :data:`LOCAL_OPTIONS`) becomes a timestamp again,
    truncated to the microsecond (the dictionary's dates are calendar dates).

    Raises
    ------
    UserError
        A table of the folder is a CSV file (Spark here reads Parquet only), or the
        session already has a table of that name that is not this folder's.

    Notes
    -----
    Tested through the command line in ``tests/engines/test_engine_spark_cli.py``.
    """
    import pyarrow.parquet as pq

    from lifetools.dataset import TABLES
    from lifetools.folder_scan import scan_folder

    files, _issues = scan_folder(folder, TABLES)  # the folder's own checks
    csv = sorted(p.name for p in files.values() if p.suffix != ".parquet")
    if csv:
        raise UserError(f"{csv[0]} is a CSV file: Spark reads an extract's Parquet files "
                        "only", hint="write the tables as Parquet, or give the folder "
                                     "itself as --data (DuckDB reads CSV files)")
    present = {t.name for t in session.catalog.listTables()}
    registered = []
    for name, path in sorted(files.items()):
        text = str(path.resolve())
        if name in present and _REGISTERED.get(name) != text:
            raise UserError(f"the Spark session already has a table {name!r}",
                            hint="give spark://local[N] without path= to read the "
                                 "session's own tables")
        columns = ["_metadata.row_index + 1 AS `__row`"]
        for field in pq.read_schema(path):
            quoted = "`" + field.name.replace("`", "``") + "`"
            if str(field.type).startswith("timestamp[ns"):
                columns.append(f"timestamp_micros({quoted} div 1000) AS {quoted}")
            else:
                columns.append(quoted)
        literal = text.replace("`", "``")  # a backquoted name: `` is its only escape
        session.sql(f"CREATE OR REPLACE VIEW `{name}` AS SELECT {', '.join(columns)} "
                    f"FROM parquet.`{literal}`")
        _REGISTERED[name] = text
        registered.append(name)
    return registered


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def local_connect(master: str, folder: Path | None = None) -> str:
    """Start (once per process) a local Spark with a Spark Connect server; return
    its URL, ``sc://localhost:PORT``.

    ``master`` is Spark's (``local[2]``); ``folder``, if given, an extract's folder
    whose Parquet files become the catalog's tables (:func:`register_folder`). A Spark
    session already running in this
    process (a notebook's or a test's) is reused: its Connect server is started on it,
    so the tables of its catalog are those the kernels see. The server listens on
    127.0.0.1 only and accepts only the bearer token of :data:`TOKEN_ENV` (made here
    when unset).

    Raises
    ------
    EngineError
        Java or pyspark is missing, or Spark did not start (no credential shown).

    Notes
    -----
    Tested in ``tests/engines/test_engine_spark_build.py`` (a full build from
    ``spark://local[2]`` publishes the folder build's result files).
    """
    if master in _LOCAL:
        if folder is not None:
            from pyspark.sql import SparkSession

            register_folder(SparkSession.getActiveSession(), folder)
        return _LOCAL[master]
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("Spark is not installed",
                          hint="pip install pyspark==4.0.5 and install a Java 17 "
                               "runtime") from None
    os.environ.setdefault(TOKEN_ENV, secrets.token_hex(24))
    port = str(_free_port())
    options = {"spark.connect.grpc.binding.port": port,
               "spark.connect.grpc.binding.address": "127.0.0.1",
               "spark.connect.authenticate.token": os.environ[TOKEN_ENV]}
    try:
        running = SparkSession.getActiveSession()
        if running is None:
            builder = SparkSession.builder.master(master).config("spark.plugins", _PLUGIN)
            for key, value in {**options, **LOCAL_OPTIONS}.items():
                builder = builder.config(key, value)
            running = builder.getOrCreate()
            running.sparkContext.setLogLevel("ERROR")
        else:  # start the server on the running context, with this port and token
            context = running.sparkContext
            live = context._jsc.sc().conf()  # the context's own conf, read at start
            for key, value in {**options, "spark.sql.legacy.parquet.nanosAsLong":
                               LOCAL_OPTIONS["spark.sql.legacy.parquet.nanosAsLong"]
                               }.items():
                live.set(key, value)
            context._jvm.org.apache.spark.sql.connect.service.SparkConnectService.start(
                context._jsc.sc())
    except Exception:  # noqa: BLE001 - translated, never echoed
        raise EngineError(f"could not start a local Spark Connect server ({master})",
                          hint="is Java 17 installed (JAVA_HOME)?") from None
    if folder is not None:
        register_folder(running, folder)
    _LOCAL[master] = f"sc://localhost:{port}"
    return _LOCAL[master]


FIRST_CONTACT_RETRIES = 4
"""How many times the first request to a Spark Connect server is retried while the
server is unreachable (waits of 0.05, 0.2, 0.8 and 3.2 s: about 5 s in all). pyspark's
own policy retries 15 times over at least 10 minutes, so a wrong host or port kept
``lifetools validate sc://...`` silent for 10 minutes before its error; once the server
has answered, the session keeps pyspark's policy (a running build rides out a brief
network fault)."""


def read_token() -> None:
    """Put the Spark Connect token of the owner-only file named in
    :data:`TOKEN_FILE_ENV` into :data:`TOKEN_ENV` (where pyspark reads it, and the
    build's kernels inherit it) when :data:`TOKEN_ENV` is unset; read as the database
    password's file is (:func:`lifetools.engines.read_secret`).

    Raises
    ------
    EngineError
        The file is missing, not this user's, or readable by its group or others.
    """
    token = read_secret(names=(TOKEN_ENV,), file_env=TOKEN_FILE_ENV, what="token")
    if token:
        os.environ[TOKEN_ENV] = token


def remote_session(url: str) -> Any:
    """The Spark Connect session of ``url`` in this process (made once, then reused:
    a warm kernel runs many notebooks), its time zone UTC (dates are calendar dates).

    The first request (setting the time zone) fails after about 5 s when the server
    cannot be reached (:data:`FIRST_CONTACT_RETRIES`); pyspark's exception propagates
    (:func:`lifetools.engines.connect.connect` translates it without echoing it)."""
    if url not in _SESSIONS:
        from pyspark.sql import SparkSession
        from pyspark.sql.connect.client.retries import DefaultPolicy

        read_token()  # a kernel reads the file too, if the token is not in its env

        session = SparkSession.builder.remote(url).create()  # no request yet
        client = session.client
        policies = client.get_retry_policies()
        client.set_retry_policies([DefaultPolicy(max_retries=FIRST_CONTACT_RETRIES)])
        try:
            session.conf.set("spark.sql.session.timeZone", "UTC")
        except Exception:
            with contextlib.suppress(Exception):  # a failed first contact leaves no
                session.stop()                    # session behind, its channel closed
            raise
        finally:
            client.set_retry_policies(policies)
        _SESSIONS[url] = session
    return _SESSIONS[url]


def served(source: Source) -> Source:
    """``source`` as the notebooks of a build reach it: ``spark://local[N]`` becomes
    the URL of the local Connect server (:func:`local_connect`); any other source is
    returned as is (an ``sc://`` URL already names a server)."""
    if source.engine != "spark" or not source.location.startswith("spark://"):
        return source
    return Source("spark", local_connect(*local_parts(source.location)))
