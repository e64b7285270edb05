"""DuckDB's memory limit and temporary folder apply to every DuckDB connection lifetools
opens (``lifetools.duckdb_settings``, issue 18): the build's embedded DuckDB,
validation's, a DuckDB file's reads, and the build's notebook kernels; a folder DuckDB
cannot spill to, or a limit it refuses, is a clear error naming the variable."""

from __future__ import annotations

import ast
import subprocess
import sys
import types
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from source_trees import parse_file

import lifetools as lt
from lifetools.duckdb_settings import (
    MEMORY_LIMIT_ENV,
    TEMP_DIRECTORY_ENV,
    apply_settings,
    open_duckdb,
    open_ibis_duckdb,
)
from lifetools.engines import engine_tables
from lifetools.errors import UserError

SRC = Path(lt.__file__).resolve().parent
SETTINGS = ("SELECT current_setting('memory_limit'), "
            "current_setting('temp_directory')")


def _mib(text: str) -> float:
    number, unit = text.split()
    return float(number) * {"MiB": 1, "GiB": 1024, "KiB": 1 / 1024}[unit]


@pytest.mark.xdist_group("source_trees")  # parses the package: see source_trees.py
def test_every_duckdb_connection_is_opened_by_the_one_owner():
    """No module but ``lifetools.duckdb_settings`` calls ``duckdb.connect`` or
    ``ibis.duckdb.connect``: a new connection elsewhere would ignore the settings."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "duckdb_settings.py" and path.parent == SRC:
            continue
        for node in ast.walk(parse_file(path)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "connect"
                    and ast.unparse(node.func.value) in ("duckdb", "ibis.duckdb")):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not found, f"open DuckDB through lifetools.duckdb_settings: {found}"


def test_the_builds_embedded_duckdb_applies_both_settings(tmp_path, monkeypatch):
    spill = tmp_path / "spill"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")
    monkeypatch.setenv(TEMP_DIRECTORY_ENV, str(spill))
    data = types.SimpleNamespace(people=pd.DataFrame({"person_id": ["a", "b"]}))
    tables = engine_tables(data)
    limit, temp = tables.backend.con.execute(SETTINGS).fetchone()
    assert 280 <= _mib(limit) <= 290 and temp == str(spill)  # 300 MB = 286.1 MiB
    assert spill.is_dir()  # made before anything could spill
    assert tables.fetch(tables.people.count().name("n").as_table())["n"].iloc[0] == 2


def test_a_duckdb_file_read_and_written_applies_the_settings(tmp_path, monkeypatch):
    spill = tmp_path / "nested" / "spill"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "200MB")
    monkeypatch.setenv(TEMP_DIRECTORY_ENV, str(spill))
    path = tmp_path / "x.duckdb"
    with open_duckdb(path) as connection:
        connection.execute("CREATE TABLE t AS SELECT 1 AS a")
    with open_duckdb(path, read_only=True) as connection:
        limit, temp = connection.execute(SETTINGS).fetchone()
    assert 185 <= _mib(limit) <= 195 and temp == str(spill)
    backend = open_ibis_duckdb(path, read_only=True)
    try:
        assert backend.con.execute(SETTINGS).fetchone()[1] == str(spill)
    finally:
        backend.disconnect()


def test_unset_or_empty_variables_leave_duckdbs_defaults(tmp_path):
    with duckdb.connect() as plain:
        default = plain.execute(SETTINGS).fetchone()
    for env in ({}, {MEMORY_LIMIT_ENV: " ", TEMP_DIRECTORY_ENV: ""}):
        with open_duckdb(env=env) as connection:
            assert connection.execute(SETTINGS).fetchone() == default


def _refused(env: dict, *words: str) -> UserError:
    with pytest.raises(UserError) as caught:
        open_duckdb(env=env)
    text = caught.value.render()
    assert caught.value.exit_code == 3 and all(w in text for w in words), text
    return caught.value


def test_a_temp_folder_that_is_a_file_is_refused_naming_variable_and_folder(tmp_path):
    file = tmp_path / "spill.txt"
    file.write_text("not a folder")
    _refused({TEMP_DIRECTORY_ENV: str(file)}, TEMP_DIRECTORY_ENV, str(file), "not a folder")


def test_a_temp_folder_that_cannot_be_created_is_refused(tmp_path):
    file = tmp_path / "spill.txt"
    file.write_text("a file where a folder would be")
    below = file / "spill"
    _refused({TEMP_DIRECTORY_ENV: str(below)}, TEMP_DIRECTORY_ENV, str(below),
             "cannot be created")


def test_a_relative_temp_folder_is_refused(tmp_path, monkeypatch):
    # kernels run in each run's folder: a relative folder would be made in every one
    monkeypatch.chdir(tmp_path)
    _refused({TEMP_DIRECTORY_ENV: "spill"}, TEMP_DIRECTORY_ENV, "not an absolute path")
    assert not (tmp_path / "spill").exists()


def test_a_temp_folder_whose_parent_cannot_be_searched_is_an_error_not_a_traceback(
        tmp_path, monkeypatch):
    # pathlib's exists() raises PermissionError where a parent folder cannot be
    # searched (as root here, a stat that raises stands for it)
    import os as os_module

    below = tmp_path / "locked" / "spill"
    real_stat = os_module.stat

    def stat(path, *args, **kwargs):
        if str(path).startswith(str(tmp_path / "locked")):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os_module, "stat", stat)
    monkeypatch.setattr(Path, "mkdir", lambda self, *a, **k: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied", str(self))))
    _refused({TEMP_DIRECTORY_ENV: str(below)}, TEMP_DIRECTORY_ENV, str(below),
             "cannot be created")


@pytest.mark.skipif(not Path("/proc/1").is_dir(), reason="needs Linux's /proc")
def test_a_temp_folder_that_is_not_writable_is_refused():
    # /proc/1 is a folder no one can write in, root included (a chmod'ed folder is
    # writable by root, so it could not show the check here)
    _refused({TEMP_DIRECTORY_ENV: "/proc/1"}, TEMP_DIRECTORY_ENV, "/proc/1",
             "not writable")


@pytest.mark.parametrize("value", ["8 gigs", "lots"])
def test_a_memory_limit_duckdb_refuses_names_the_variable(value):
    error = _refused({MEMORY_LIMIT_ENV: value}, MEMORY_LIMIT_ENV, value)
    assert "8GB" in (error.hint or "")


def test_a_refused_setting_closes_the_connection_it_opened(tmp_path):
    class Connection:
        closed = False

        def execute(self, sql):
            raise duckdb.ParserException("no")

    with pytest.raises(UserError):
        apply_settings(Connection(), {MEMORY_LIMIT_ENV: "8 gigs"})
    path = tmp_path / "x.duckdb"
    with pytest.raises(UserError):
        open_duckdb(path, env={MEMORY_LIMIT_ENV: "8 gigs"})
    # a read-write connection left open in this process would refuse a read-only one
    # (two read-write ones share the database and would not show it)
    with duckdb.connect(str(path), read_only=True) as again:
        assert again.execute("SELECT 1").fetchone() == (1,)


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lifetools.pipeline.cli", *args],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("setting", ["limit", "folder"])
def test_validate_refuses_a_bad_setting_exit_3_no_traceback(tmp_path, setting, monkeypatch,
                                                            capsys):
    # the limit in a real process (`python -m lifetools.pipeline.cli`: what a shell
    # prints, exit code and stderr, no traceback); the folder through the same `main()`
    # in this process, its stderr captured: the second process cost about 3.5 s of CPU
    # (importing lifetools) for the same code path (issue 11)
    import os

    from lifetools.pipeline.cli import main
    from lifetools.synthetic import write_synthetic

    data = tmp_path / "data"
    write_synthetic(data, people=60, seed=3)
    file = tmp_path / "spill.txt"
    file.write_text("x")
    variable, value = ((MEMORY_LIMIT_ENV, "8 gigs") if setting == "limit"
                       else (TEMP_DIRECTORY_ENV, str(file)))
    if setting == "limit":
        done = _cli("validate", str(data), env={**os.environ, variable: value})
        code, out, err = done.returncode, done.stdout, done.stderr
    else:
        monkeypatch.setenv(variable, value)
        code = main(["validate", str(data)])
        out, err = capsys.readouterr()
    assert code == 3, out + err
    assert variable in err and value in err
    assert "Traceback" not in out + err


def test_build_with_a_setting_duckdb_refuses_stops_before_any_run(tmp_path, monkeypatch,
                                                                  capsys):
    # with the extract's validation recorded, the build opens no DuckDB before its
    # kernels: the first connection would be a notebook's (exit 14, the hint lost,
    # earlier notebooks run)
    from project_copy import ProjectRoot, copy_project

    from lifetools.pipeline.cli import main

    root = copy_project(tmp_path / "project", people=150)
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "8 gigs")
    with ProjectRoot(root):
        code = main(["build"])
    err = capsys.readouterr().err
    assert code == 3 and MEMORY_LIMIT_ENV in err and "Traceback" not in err, err
    assert not (root / "build" / "runs").exists() and not (root / "build" / "data").exists()
