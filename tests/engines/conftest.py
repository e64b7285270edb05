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
from engine_needs import need_spark

from lifetools.synthetic import generate_dataset

PEOPLE, SEED = 4000, 7
ANALYST_PASSWORD = "a-test-only-password"  # noqa: S105 - a throwaway local server
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


def load_folder(postgres, folder: Path, database: str, *, numbered: bool = False) -> str:
    """Load an extract folder's tables (typed as ``load_dataset`` reads them, in file
    order) into a new database of the test server, readable by ``analyst``; return the
    URL an analyst gives (no password: it comes from the environment). ``numbered``:
    each row's number in its file (1, 2, ...) in a column ``__row``."""
    import ibis
    import pandas as pd

    from lifetools.loading import TABLES, load_dataset

    socket_dir, port = postgres
    admin = ibis.postgres.connect(host=str(socket_dir), port=port, user="postgres",
                                  database="postgres")
    admin.raw_sql(f'CREATE DATABASE "{database}"')
    admin.disconnect()
    con = ibis.postgres.connect(host=str(socket_dir), port=port, user="postgres",
                                database=database)
    data = load_dataset(folder)
    for name in TABLES:
        frame = getattr(data, name)
        if frame is not None:
            if numbered:
                frame = pd.DataFrame(frame).assign(__row=range(1, len(frame) + 1))
            con.create_table(name, frame)
    con.raw_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst")
    con.disconnect()
    return f"postgresql://analyst@127.0.0.1:{port}/{database}"


def sort_by_key(folder: Path) -> Path:
    """Rewrite each Parquet table of ``folder`` in primary-key order: the order in which
    a server's rows are numbered and fetched (a warehouse table has no row order), so
    the folder and the server hold the same rows in the same order."""
    import pyarrow.parquet as pq

    from lifetools.dictionary import load_dictionary

    dictionary = load_dictionary()
    for path in sorted(folder.glob("*.parquet")):
        keys = dictionary.table(path.stem).primary_key
        table = pq.read_table(path)
        pq.write_table(table.sort_by([(k, "ascending") for k in keys]), path)
    return folder


def published(outcomes) -> dict[str, dict[str, str]]:
    """Each run's result files (path: SHA-256), by analysis."""
    from lifetools.pipeline import layout

    return {o.spec.analysis: layout.RunFolder(o.spec.run_dir).file_hashes()
            for o in outcomes}


def assert_engine_build_published(built, files: dict[str, dict[str, str]], root: Path, *,
                                  engine: str, secret: str, capfd) -> str:
    """A build from an engine reran every analysis and published exactly ``files``; its
    manifest names the engine; ``secret`` (a password, a token) is in no file under
    ``root`` and in no captured output. Returns the manifest's text. No PDF is searched
    for the secret: the engine builds print none (``no_pdfs``, ``tests/build_fixtures.py``),
    and every PDF is printed from a page searched here."""
    import json

    assert {o.spec.analysis for o in built.outcomes} == set(files)
    assert all(o.status == "ran" for o in built.outcomes)  # not reused from the cache
    for analysis, found in published(built.outcomes).items():
        assert found and found == files[analysis], analysis
    manifest = (built.site / "editions" / built.outcomes[0].spec.edition
                / "manifest.json").read_text()
    record = json.loads(manifest)["data"]["engine"]
    assert (record["source"], record["engine"]) == (engine, engine)
    leaked = [str(p.relative_to(root)) for p in sorted(root.rglob("*"))
              if p.is_file() and not p.is_symlink() and secret.encode() in p.read_bytes()]
    assert leaked == []  # manifests, run.json, logs, notebooks, pages, caches
    out = capfd.readouterr()
    assert secret not in out.out + out.err
    return manifest


@pytest.fixture(autouse=True)
def _classic_spark_mode(monkeypatch):
    """Each test starts with pyspark in classic mode: a Spark Connect session made by an
    earlier test (the build from ``spark://local[2]`` makes one) sets
    ``SPARK_CONNECT_MODE_ENABLED`` in this process's environment, after which pyspark
    sends a classic ``SparkSession.builder...getOrCreate()`` to Spark Connect and it
    fails ("could not start or reach Spark"): three tests after that build failed so in
    one CI run. The variable is put back after the test."""
    monkeypatch.delenv("SPARK_CONNECT_MODE_ENABLED", raising=False)


BAD_IDENTIFIERS = {"people": {"person_id": {3: "not-a-pseudonym"}, "lsoa_code": {6: "X1"},
                              "year_of_birth": {8: 1850}, "sex": {4: "Z", 9: "Z"}},
                   "referrals": {"priority": {5: "7"}, "person_id": {14: "f" * 64}},
                   "life_rooms_contacts": {"nationality": {2: "gb"}},
                   "wellbeing": {"person_id": {1: "NOT HEX"}}}
"""Bad values written into an extract folder (table: column: row: value): identifying
fields failing their pattern, range, allowed values and foreign key, and one field
whose values the report shows (``priority``)."""


def write_bad_values(folder: Path, bad: dict = BAD_IDENTIFIERS) -> Path:
    """``bad``'s values written into the Parquet tables of ``folder``."""
    import pandas as pd

    for table, columns in bad.items():
        frame = pd.read_parquet(folder / f"{table}.parquet")
        for column, rows in columns.items():
            for row, value in rows.items():
                frame.loc[row, column] = value
        frame.to_parquet(folder / f"{table}.parquet", index=False)
    return folder


def identifying_columns() -> set[str]:
    """Every identifying field's name in the dictionary (``is_identifying``), with the
    name of the raw text the checks keep of it (a value stored in the wrong type)."""
    from lifetools.dictionary import load_dictionary
    from lifetools.engines.checks import RAW_TEXT

    dictionary = load_dictionary()
    names = {f.name for t in dictionary.tables for f in dictionary.table(t).fields
             if f.is_identifying}
    return names | {RAW_TEXT + n for n in names}


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
