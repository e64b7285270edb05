"""Real engines for the engine tests: a throwaway PostgreSQL server and the synthetic
extract loaded into it.

The server is Debian's ``postgresql`` (installed by ``scripts/test.sh`` when missing),
started by the test run in a temporary folder as a non-root user, listening on a Unix
socket in that folder and on 127.0.0.1 (password logins, SCRAM). When PostgreSQL is
not installed the PostgreSQL tests are skipped, except under ``LIFETOOLS_REQUIRE_ENGINES=1``
(set by ``scripts/test.sh``, so CI fails instead of skipping).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from engine_helpers import ANALYST_PASSWORD
from engine_needs import need_spark

from lifetools.synthetic import generate_dataset

PEOPLE, SEED = 4000, 7
PG_START_TIMEOUT = 300
"""Seconds ``pg_ctl -w`` waits for the server (its default 60 s: too few on a busy
2-core machine)."""


@pytest.fixture(scope="session")
def synthetic():
    """The synthetic extract every engine test loads (the pandas reference's input)."""
    return generate_dataset(PEOPLE, SEED)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.getuid() == 0 else args


@pytest.fixture(scope="session")
def postgres(synthetic):
    """A running PostgreSQL with the synthetic tables in database ``postgres`` and, in
    database ``retyped``, only a referrals table whose dates are text:
    ``(socket_dir, port)``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        if os.environ.get("LIFETOOLS_REQUIRE_ENGINES"):
            pytest.fail("PostgreSQL is not installed (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed")
    bin_dir = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="lifetools-postgres-"))  # the server user
    if os.getuid() == 0:  # must reach it: not under root's private pytest folder
        shutil.chown(folder, "postgres")
    folder.chmod(0o700)
    data, port = folder / "data", _free_port()
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U",
                                    "postgres", "--auth-local=trust",
                                    "--auth-host=scram-sha-256", "-E", "UTF8"]),
                   check=True, capture_output=True)
    options = f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l",
                                    str(folder / "log"), "-w", "-t",
                                    str(PG_START_TIMEOUT), "-o", options, "start"]),
                   check=True, capture_output=True)
    try:
        import ibis

        con = ibis.postgres.connect(host=str(folder), port=port, user="postgres",
                                    database="postgres")
        for name in ("people", "deprivation", "referrals", "life_rooms_contacts",
                     "ae_attendances", "emergency_admissions", "social_prescriptions",
                     "feedback"):
            con.create_table(name, getattr(synthetic, name), overwrite=True)
        con.raw_sql(f"CREATE ROLE analyst LOGIN PASSWORD '{ANALYST_PASSWORD}'")
        con.raw_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst")
        con.raw_sql("CREATE DATABASE retyped")
        con.disconnect()
        retyped = ibis.postgres.connect(host=str(folder), port=port, user="postgres",
                                        database="retyped")
        referrals = synthetic.referrals.assign(
            referral_date=synthetic.referrals["referral_date"].dt.strftime("%d/%m/%Y"))
        retyped.create_table("referrals", referrals)
        retyped.disconnect()
        yield folder, port
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m",
                                        "immediate", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def spark(synthetic):
    """A local Spark session (``local[2]``) with the synthetic tables as temporary views
    over Parquet files (as a data lake holds them); its warehouse in a temporary folder."""
    need_spark()
    from pyspark.sql import SparkSession
    folder = Path(tempfile.mkdtemp(prefix="lifetools-spark-"))
    session = (SparkSession.builder.master("local[2]")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
               .config("spark.local.dir", str(folder / "local"))
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={folder}")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        for name in ("people", "deprivation", "referrals", "life_rooms_contacts",
                     "ae_attendances", "emergency_admissions", "social_prescriptions",
                     "feedback"):
            path = folder / f"{name}.parquet"
            getattr(synthetic, name).to_parquet(  # Spark reads no nanosecond times
                path, index=False, coerce_timestamps="us", allow_truncated_timestamps=True)
            session.read.parquet(str(path)).createOrReplaceTempView(name)
        yield session
    finally:
        session.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _classic_spark_mode(monkeypatch):
    """Each test starts with pyspark in classic mode: a Spark Connect session made by an
    earlier test (the build from ``spark://local[2]`` makes one) sets
    ``SPARK_CONNECT_MODE_ENABLED`` in this process's environment, after which pyspark
    sends a classic ``SparkSession.builder...getOrCreate()`` to Spark Connect and it
    fails ("could not start or reach Spark"): three tests after that build failed so in
    one CI run. The variable is put back after the test."""
    monkeypatch.delenv("SPARK_CONNECT_MODE_ENABLED", raising=False)


@pytest.fixture
def fetched_columns(monkeypatch) -> list[list[str]]:
    """The columns of every frame the validation's queries fetch (its bounded samples of
    failing rows), recorded as the engine checks run."""
    from lifetools.engines import checks

    fetched: list[list[str]] = []
    frame = checks._Queries.frame

    def recording(self, expr):
        fetched.append(list(expr.columns))
        return frame(self, expr)
    monkeypatch.setattr(checks._Queries, "frame", recording)
    return fetched
