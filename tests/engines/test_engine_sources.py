"""Sources, credentials and the errors a warehouse user sees (lifetools.engines).

Every error is a ``UserError`` (one message, no traceback) with the exit code of the
one table (``errors.exit_code_table``), naming the table and column, never a password.
"""

from __future__ import annotations

import os

import pandas as pd
import pandas_cohorts as reference
import pytest
from engine_helpers import ANALYST_PASSWORD

from lifetools import engines
from lifetools.cohort import CohortSpec, build_discharge_cohort, build_rereferral_cohort
from lifetools.errors import DataValidationError, EngineError, UserError

PERIOD = {"period_start": "2021-04-01", "period_end": "2024-03-31"}
SPEC = CohortSpec(**PERIOD)
pytestmark = pytest.mark.xdist_group("postgres")  # one server, on one worker


def test_parse_source_kinds_folder_duckdb_postgres_spark(tmp_path):
    (tmp_path / "x.duckdb").write_bytes(b"")
    assert engines.parse_source(tmp_path).engine == "files"
    assert engines.parse_source(tmp_path / "x.duckdb").engine == "duckdb"
    pg = engines.parse_source("postgresql://analyst@db.trust.nhs.uk:5432/mhsds")
    assert (pg.engine, pg.user) == ("postgres", "analyst")
    assert engines.parse_source("spark://local[2]").display() == "spark:spark://local[2]"
    assert engines.parse_source("sc://spark.example:15002").engine == "spark"


@pytest.mark.parametrize("text", ["postgresql://analyst:hunter2@db/mhsds",
                                  "postgresql://analyst@db/mhsds?password=hunter2"])
def test_parse_source_password_in_url_refused_without_echoing_it(text):
    with pytest.raises(UserError) as caught:
        engines.parse_source(text)
    assert "hunter2" not in caught.value.render()
    assert "LIFETOOLS_DB_PASSWORD" in caught.value.render()


def test_parse_source_spark_connect_token_in_url_refused_without_echoing_it():
    with pytest.raises(UserError) as caught:
        engines.parse_source("sc://workspace.example:443/;use_ssl=true;token=dapi-hunter2")
    shown = caught.value.render()
    assert "hunter2" not in shown and "SPARK_CONNECT_AUTHENTICATE_TOKEN" in shown
    assert "sc://workspace.example:443" in shown


@pytest.mark.parametrize("text", ["mysql://db/x", "spark://cluster:7077", "no/such/place"])
def test_parse_source_unknown_kinds_are_user_errors(text):
    with pytest.raises(UserError):
        engines.parse_source(text)


def test_redact_url_hides_passwords_keeps_the_rest():
    assert (engines.redact_url("postgresql://u:secret@h:5/db?password=s&sslmode=require")
            == "postgresql://u:***@h:5/db?sslmode=require")
    assert engines.redact_url("/data/extract") == "/data/extract"


def test_read_secret_order_environment_then_owner_only_file(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    secret.chmod(0o600)
    assert engines.read_secret({engines.PASSWORD_ENV: "from-env",
                                engines.PASSWORD_FILE_ENV: str(secret)}) == "from-env"
    assert engines.read_secret({engines.PASSWORD_FILE_ENV: str(secret)}) == "from-file"
    assert engines.read_secret({}) is None


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_read_secret_group_or_world_readable_file_refused(tmp_path, mode):
    secret = tmp_path / "pw"
    secret.write_text("from-file")
    secret.chmod(mode)
    with pytest.raises(EngineError) as caught:
        engines.read_secret({engines.PASSWORD_FILE_ENV: str(secret)})
    assert "from-file" not in caught.value.render()
    assert caught.value.exit_code == 22


def test_duckdb_file_source_equals_pandas_and_reports_a_missing_table(tmp_path, synthetic):
    import duckdb

    path = tmp_path / "extract.duckdb"
    with duckdb.connect(str(path)) as con:
        for name in ("people", "deprivation", "referrals", "life_rooms_contacts"):
            frame = getattr(synthetic, name)  # noqa: F841 - read by DuckDB by name
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
    tables = engines.connect(engines.parse_source(path))
    ours = build_discharge_cohort(tables, SPEC)
    pd.testing.assert_frame_equal(ours.data,
                                  reference.build_discharge_cohort(synthetic, SPEC).data)
    tables.backend.disconnect()
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE life_rooms_contacts")
    with pytest.raises(DataValidationError, match="life_rooms_contacts") as caught:
        build_discharge_cohort(engines.connect(engines.parse_source(path)), SPEC)
    assert caught.value.exit_code == 11


def _settings(tables):
    return tables.backend.con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()


def test_duckdb_memory_limit_and_temp_directory_from_the_environment(tmp_path, synthetic):
    import duckdb

    folder = tmp_path / "extract"
    folder.mkdir()
    synthetic.people.to_parquet(folder / "people.parquet", index=False)
    path = tmp_path / "extract.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE people AS SELECT * FROM read_parquet(?)",
                    [str(folder / "people.parquet")])
    spill = tmp_path / "spill"
    env = {engines.MEMORY_LIMIT_ENV: "300MB", engines.TEMP_DIRECTORY_ENV: str(spill)}
    for source in (folder, path):
        tables = engines.connect(engines.parse_source(source), env=env)
        set_limit, temp = _settings(tables)
        assert set_limit.endswith("MiB") and 280 <= float(set_limit.split()[0]) <= 290  # 300 MB
        assert temp == str(spill)
        tables.backend.disconnect()
    default = engines.connect(engines.parse_source(folder), env={})
    assert _settings(default)[0] != set_limit and _settings(default)[1] != str(spill)


@pytest.mark.parametrize("value", ["lots", "8 parsecs"])
def test_duckdb_memory_limit_refused_names_the_variable(tmp_path, synthetic, value):
    folder = tmp_path / "extract"
    folder.mkdir()
    synthetic.people.to_parquet(folder / "people.parquet", index=False)
    with pytest.raises(UserError) as caught:
        engines.connect(engines.parse_source(folder),
                        env={engines.MEMORY_LIMIT_ENV: value})
    assert engines.MEMORY_LIMIT_ENV in caught.value.render()
    assert value in caught.value.render() and caught.value.exit_code == 3


def test_csv_folder_with_a_missing_column_names_table_and_column(tmp_path, synthetic):
    synthetic.people.to_csv(tmp_path / "people.csv", index=False)
    synthetic.deprivation.to_csv(tmp_path / "deprivation.csv", index=False)
    synthetic.life_rooms_contacts.to_csv(tmp_path / "life_rooms_contacts.csv", index=False)
    synthetic.referrals.drop(columns="team_type").to_csv(tmp_path / "referrals.csv",
                                                         index=False)
    tables = engines.connect(engines.parse_source(tmp_path))
    with pytest.raises(DataValidationError, match="'referrals'.*'team_type'"):
        build_rereferral_cohort(tables, SPEC)


def _postgres_url(postgres, database="postgres", user="postgres"):
    folder, port = postgres
    return f"postgresql://{user}@/{database}?host={folder}&port={port}"


@pytest.mark.parametrize("build", ["discharge", "rereferral"])
def test_postgres_cohorts_equal_pandas(postgres, synthetic, build):
    tables = engines.connect(engines.parse_source(_postgres_url(postgres)))
    assert tables.engine == "postgres"
    ours = {"discharge": build_discharge_cohort,
            "rereferral": build_rereferral_cohort}[build](tables, SPEC)
    theirs = getattr(reference, f"build_{build}_cohort")(synthetic, SPEC)
    pd.testing.assert_frame_equal(ours.data, theirs.data, check_exact=True)
    pd.testing.assert_frame_equal(ours.flow, theirs.flow, check_exact=True)


def test_postgres_password_login_with_the_secret_from_the_environment(postgres):
    _, port = postgres
    source = engines.parse_source(f"postgresql://analyst@127.0.0.1:{port}/postgres")
    tables = engines.connect(source, env={engines.PASSWORD_ENV: ANALYST_PASSWORD})
    assert tables.count(tables.people) > 0


def test_postgres_wrong_password_is_a_login_error_without_the_password(postgres):
    _, port = postgres
    source = engines.parse_source(f"postgresql://analyst@127.0.0.1:{port}/postgres")
    with pytest.raises(EngineError, match="refused the login of user analyst") as caught:
        engines.connect(source, env={engines.PASSWORD_ENV: "not-the-password"})
    assert "not-the-password" not in caught.value.render()
    assert caught.value.__cause__ is None and caught.value.exit_code == 22


def test_postgres_unreachable_server_is_an_engine_error():
    source = engines.parse_source("postgresql://analyst@127.0.0.1:1/mhsds")
    with pytest.raises(EngineError, match="could not reach the PostgreSQL server"):
        engines.connect(source, env={engines.PASSWORD_ENV: "secret-value"})


def test_postgres_missing_table_and_text_dates_name_table_and_column(postgres):
    tables = engines.connect(engines.parse_source(_postgres_url(postgres, "retyped")))
    with pytest.raises(DataValidationError, match="table 'people' is not in"):
        build_discharge_cohort(tables, SPEC)
    with pytest.raises(DataValidationError,
                       match="table 'referrals', column 'referral_date'.*a date"):
        engines.check_columns(tables, {"referrals": ["referral_date"]})


def test_error_messages_never_hold_the_password_file_contents(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("file-secret")
    secret.chmod(0o600)
    source = engines.parse_source("postgresql://analyst@127.0.0.1:1/mhsds")
    with pytest.raises(EngineError) as caught:
        engines.connect(source, env={engines.PASSWORD_FILE_ENV: str(secret)})
    assert "file-secret" not in caught.value.render()
    assert os.fspath(secret) not in caught.value.render()


def test_engine_fingerprint_order_independent_and_changed_by_one_value(tmp_path, synthetic):
    from lifetools.engines.fingerprint import engine_fingerprint

    memory = engine_fingerprint(engines.engine_tables(synthetic))["tables"]["referrals"]
    shuffled = synthetic.referrals.sample(frac=1, random_state=3)
    shuffled.to_parquet(tmp_path / "referrals.parquet", index=False)
    folder = engine_fingerprint(engines.connect(engines.parse_source(tmp_path)))
    assert folder["tables"]["referrals"] == memory
    assert folder["engine"] == "duckdb" and folder["source"].startswith("files:")
    changed = shuffled.copy()
    changed.iloc[5, changed.columns.get_loc("team_type")] = "C01"
    changed.to_parquet(tmp_path / "referrals.parquet", index=False)
    again = engine_fingerprint(engines.connect(engines.parse_source(tmp_path)))
    assert again["tables"]["referrals"]["rows"] == memory["rows"]
    assert again["tables"]["referrals"]["checksum"] != memory["checksum"]


def test_engine_fingerprint_on_postgres_counts_rows_and_names_no_password(postgres,
                                                                          synthetic):
    from lifetools.engines.fingerprint import engine_fingerprint

    _, port = postgres
    source = engines.parse_source(f"postgresql://analyst@127.0.0.1:{port}/postgres")
    record = engine_fingerprint(engines.connect(
        source, env={engines.PASSWORD_ENV: ANALYST_PASSWORD}))
    assert record["engine"] == "postgres" and record["version"].startswith("15")
    assert record["tables"]["referrals"]["rows"] == len(synthetic.referrals)
    assert ANALYST_PASSWORD not in str(record)


@pytest.mark.parametrize("build", ["discharge", "rereferral"])
def test_spark_local_cohorts_equal_pandas(spark, synthetic, build):
    tables = engines.connect(engines.parse_source("spark://local[2]"))
    assert tables.engine == "spark"
    ours = {"discharge": build_discharge_cohort,
            "rereferral": build_rereferral_cohort}[build](tables, SPEC)
    theirs = getattr(reference, f"build_{build}_cohort")(synthetic, SPEC)
    pd.testing.assert_frame_equal(ours.data, theirs.data, check_exact=True)
    pd.testing.assert_frame_equal(ours.flow, theirs.flow, check_exact=True)


def test_engine_record_names_the_kind_of_source_not_its_place(tmp_path, synthetic):
    from lifetools.engines import engine_record

    for name in ("people", "referrals"):
        getattr(synthetic, name).to_parquet(tmp_path / f"{name}.parquet", index=False)
    record = engine_record(engines.parse_source(tmp_path))
    assert record["source"] == "files" and record["engine"] == "duckdb"
    assert str(tmp_path) not in str(record)
    assert record["tables"]["referrals"]["rows"] == len(synthetic.referrals)
    other = tmp_path / "elsewhere"
    other.mkdir()
    for name in ("people", "referrals"):
        (tmp_path / f"{name}.parquet").rename(other / f"{name}.parquet")
    assert engine_record(engines.parse_source(other)) == record


def test_spark_local_validates_on_spark_and_loads_tables_in_key_order(spark, synthetic):
    import lifetools as lt
    from lifetools.dictionary import load_dictionary
    from lifetools.validation import validate_directory

    names = ["people", "deprivation", "referrals", "life_rooms_contacts",
             "ae_attendances", "emergency_admissions"]
    report = validate_directory("spark://local[2]", tables=names)
    assert report.ok, report.render()
    data = lt.load_dataset("spark://local[2]", tables=["people", "referrals"])
    assert lt.engines.engine_tables(data).engine == "spark"
    for name in ("people", "referrals"):
        keys = list(load_dictionary().table(name).primary_key)
        expected = getattr(synthetic, name).sort_values(keys, ignore_index=True)
        pd.testing.assert_frame_equal(getattr(data, name), expected, check_exact=True)


def test_spark_connect_token_from_an_owner_only_file(tmp_path, monkeypatch):
    """The token comes from the environment, else from the owner-only file named in
    ``LIFETOOLS_SPARK_TOKEN_FILE``, read as the password's file is (``read_secret``):
    put where pyspark and the kernels read it; a file others can read is refused
    without its contents."""
    from lifetools.engines import spark

    secret = tmp_path / "token"
    secret.write_text("token-from-file\n")
    secret.chmod(0o600)
    monkeypatch.delenv(spark.TOKEN_ENV, raising=False)
    monkeypatch.setenv(spark.TOKEN_FILE_ENV, str(secret))
    spark.read_token()
    assert os.environ[spark.TOKEN_ENV] == "token-from-file"
    monkeypatch.setenv(spark.TOKEN_ENV, "token-from-env")  # the environment first
    spark.read_token()
    assert os.environ[spark.TOKEN_ENV] == "token-from-env"
    monkeypatch.delenv(spark.TOKEN_ENV)
    secret.chmod(0o640)
    with pytest.raises(EngineError, match="token file named in "
                       "LIFETOOLS_SPARK_TOKEN_FILE can be read by others") as info:
        spark.read_token()
    assert "token-from-file" not in info.value.render()
    assert spark.TOKEN_ENV not in os.environ
    with pytest.raises(EngineError, match="can be read by others"):
        engines.connect(engines.parse_source("sc://localhost:1"))  # before any contact
