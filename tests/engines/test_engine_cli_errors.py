"""Bad input on each engine through the command line: an unreachable server, wrong
credentials, a missing table, a column of the wrong type (issue 18).

``lifetools validate SOURCE`` and ``lifetools build --data SOURCE`` on PostgreSQL and on
Spark (a Spark Connect server started on the shared local session) give one message
naming the table and column, the exit code a folder gives for the same fault (22 for
the engine, 11 for the data), no traceback and no credential in stdout or stderr.
The API-level checks of the same errors are in ``test_engine_sources.py``.
"""

from __future__ import annotations

import pytest
from engine_helpers import ANALYST_PASSWORD
from project_copy import ProjectRoot, copy_project

from lifetools import engines
from lifetools.pipeline.cli import main

pytestmark = pytest.mark.xdist_group("postgres")  # the server and the Spark session


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project copy to build (never reached: every build here is refused first)."""
    return copy_project(tmp_path_factory.mktemp("cli-errors") / "project", people=100)


def _run(argv, capsys, project=None):
    if project is None:
        code = main(argv)
    else:
        with ProjectRoot(project):
            code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def _clean(text: str, *secrets: str) -> None:
    assert "Traceback" not in text
    for secret in secrets:
        assert secret not in text


# PostgreSQL ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def broken_db(postgres, synthetic):
    """Database ``cli_broken``: no people table; referrals' dates stored as text; the
    analyst may read it. Returns the URL an analyst gives (password from the
    environment)."""
    import ibis

    socket_dir, port = postgres
    admin = ibis.postgres.connect(host=str(socket_dir), port=port, user="postgres",
                                  database="postgres")
    admin.raw_sql('CREATE DATABASE "cli_broken"')
    admin.disconnect()
    con = ibis.postgres.connect(host=str(socket_dir), port=port, user="postgres",
                                database="cli_broken")
    con.create_table("referrals", synthetic.referrals.assign(
        referral_date=synthetic.referrals["referral_date"].dt.strftime("%d/%m/%Y")))
    con.create_table("deprivation", synthetic.deprivation)
    con.raw_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst")
    con.disconnect()
    return f"postgresql://analyst@127.0.0.1:{port}/cli_broken"


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(engines.PASSWORD_ENV, ANALYST_PASSWORD)
    monkeypatch.delenv("PGPASSWORD", raising=False)


@pytest.mark.parametrize("command", ["validate", "build"])
def test_cli_postgres_unreachable_server_exit_22_without_the_password(
        command, password, project, capsys):
    url = "postgresql://analyst@127.0.0.1:1/mhsds"
    argv = ["validate", url] if command == "validate" else ["build", "--data", url]
    code, text = _run(argv, capsys, project)
    assert code == 22, text
    assert "could not reach the PostgreSQL server of postgres:" + url in text
    _clean(text, ANALYST_PASSWORD)


def test_cli_postgres_build_wrong_password_exit_22_without_either_password(
        broken_db, project, capsys, monkeypatch):
    monkeypatch.setenv(engines.PASSWORD_ENV, "not-" + ANALYST_PASSWORD)
    code, text = _run(["build", "--data", broken_db], capsys, project)
    assert code == 22, text
    assert "refused the login of user analyst" in text
    _clean(text, ANALYST_PASSWORD)


@pytest.mark.parametrize("command", ["validate", "build"])
def test_cli_postgres_missing_table_and_text_dates_named_exit_11(
        command, broken_db, password, project, capsys):
    argv = (["validate", broken_db] if command == "validate"
            else ["build", "--data", broken_db])
    code, text = _run(argv, capsys, project)
    assert code == 11, text
    assert "no table 'people' on the server [rule: file.missing]" in text
    assert ("(table 'referrals'):\n  column 'referral_date': is stored as STRING; the "
            "dictionary says a date [rule: type]") in text
    _clean(text, ANALYST_PASSWORD)


# Spark ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def connect_server(spark):
    """A Spark Connect server on the shared local session (``local_connect`` reuses a
    running session): ``(url, token)``. It holds no tables of its own: a missing table
    and text dates on Spark are checked by the API-level tests. Tables made in its
    catalog here were still read by the Spark build test on the same worker (CI of
    wave 43), so these tests make none."""
    import os

    from lifetools.engines.spark import TOKEN_ENV, local_connect

    url = local_connect("local[2]")
    yield url, os.environ[TOKEN_ENV]


def _spark_argv(command, url):
    return ["validate", url] if command == "validate" else ["build", "--data", url]


@pytest.mark.parametrize("command", ["validate", "build"])
def test_cli_spark_connect_wrong_token_exit_22_without_either_token(
        command, connect_server, project, capsys, monkeypatch):
    from lifetools.engines import spark as spark_engine

    url, token = connect_server
    monkeypatch.setattr(spark_engine, "_SESSIONS", {})  # no session made with the right one
    monkeypatch.setenv(spark_engine.TOKEN_ENV, "not-the-token-" + token[:8])
    code, text = _run(_spark_argv(command, url), capsys, project)
    assert code == 22, text
    assert f"the Spark Connect server of spark:{url} refused the token" in text
    _clean(text, token, "not-the-token-")


@pytest.mark.parametrize("command", ["validate", "build"])
def test_cli_spark_connect_unreachable_server_exit_22(command, spark, project, capsys,
                                                       monkeypatch):
    from lifetools.engines import spark as spark_engine

    monkeypatch.setenv(spark_engine.TOKEN_ENV, "a-token-for-nowhere")
    code, text = _run(_spark_argv(command, "sc://127.0.0.1:1"), capsys, project)
    assert code == 22, text
    assert ("could not reach the Spark Connect server of spark:sc://127.0.0.1:1\n"
            "HINT: is the server running, and the host and port right?") in text
    _clean(text, "a-token-for-nowhere")
