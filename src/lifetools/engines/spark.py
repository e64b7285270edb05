"""Spark as the extract: Spark Connect sessions, and a local Connect server for
``spark://local[N]``.

A build's notebooks run in kernels, separate processes that cannot see a Spark session
of the build's own process. So every Spark source reaches the notebooks as a Spark
Connect URL: ``sc://host:port`` as given, or, for ``spark://local[N]``, the URL of a
Connect server that :func:`local_connect` starts in this process (on a free loopback
port, with a fresh bearer token). The analysis tables are those of the Spark
application's catalog (tables shared by all its sessions; not a session's temporary
views).

The token is a credential: it travels only in the environment variable
:data:`TOKEN_ENV` (pyspark's own), which the kernels inherit; an ``sc://`` URL holding
``token=`` is refused (:func:`lifetools.engines.parse_source`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from typing import Any

from lifetools.engines.source import EngineError, Source

__all__ = ["FIRST_CONTACT_RETRIES", "TOKEN_ENV", "local_connect", "remote_session", "served"]

TOKEN_ENV = "SPARK_CONNECT_AUTHENTICATE_TOKEN"
"""Where a Spark Connect bearer token is read from (never from the URL)."""

_PLUGIN = "org.apache.spark.sql.connect.SparkConnectPlugin"
_LOCAL: dict[str, str] = {}  # master -> the URL of the Connect server started here
_SESSIONS: dict[str, Any] = {}  # URL -> its Connect session in this process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def local_connect(master: str) -> str:
    """Start (once per process) a local Spark with a Spark Connect server; return
    its URL, ``sc://localhost:PORT``.

    ``master`` is Spark's (``local[2]``). A Spark session already running in this
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
            for key, value in {**options, "spark.ui.enabled": "false",
                               "spark.ui.showConsoleProgress": "false",
                               "spark.sql.session.timeZone": "UTC"}.items():
                builder = builder.config(key, value)
            builder.getOrCreate().sparkContext.setLogLevel("ERROR")
        else:  # start the server on the running context, with this port and token
            context = running.sparkContext
            live = context._jsc.sc().conf()  # the context's own conf, read at start
            for key, value in options.items():
                live.set(key, value)
            context._jvm.org.apache.spark.sql.connect.service.SparkConnectService.start(
                context._jsc.sc())
    except Exception:  # noqa: BLE001 - translated, never echoed
        raise EngineError(f"could not start a local Spark Connect server ({master})",
                          hint="is Java 17 installed (JAVA_HOME)?") from None
    _LOCAL[master] = f"sc://localhost:{port}"
    return _LOCAL[master]


FIRST_CONTACT_RETRIES = 4
"""How many times the first request to a Spark Connect server is retried while the
server is unreachable (waits of 0.05, 0.2, 0.8 and 3.2 s: about 5 s in all). pyspark's
own policy retries 15 times over at least 10 minutes, so a wrong host or port kept
``lifetools validate sc://...`` silent for 10 minutes before its error; once the server
has answered, the session keeps pyspark's policy (a running build rides out a brief
network fault)."""


def remote_session(url: str) -> Any:
    """The Spark Connect session of ``url`` in this process (made once, then reused:
    a warm kernel runs many notebooks), its time zone UTC (dates are calendar dates).

    The first request (setting the time zone) fails after about 5 s when the server
    cannot be reached (:data:`FIRST_CONTACT_RETRIES`); pyspark's exception propagates
    (:func:`lifetools.engines.connect.connect` translates it without echoing it)."""
    if url not in _SESSIONS:
        from pyspark.sql import SparkSession
        from pyspark.sql.connect.client.retries import DefaultPolicy

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
    return Source("spark", local_connect(source.location.removeprefix("spark://")))
