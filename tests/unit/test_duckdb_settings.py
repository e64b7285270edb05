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


_CONNECTS = frozenset({"duckdb.connect", "ibis.duckdb.connect",
                       "ibis.backends.duckdb.connect"})
# DuckDB's module-level functions are its connection's methods run on its default
# connection (`duckdb.sql`, `query`, `execute`, `read_csv`, `from_df`, `cursor`, ...),
# read from the installed duckdb so a new one is covered; `default_connection` hands it out
_DEFAULT_CONNECTION = frozenset(
    f"duckdb.{name}" for name in dir(duckdb.DuckDBPyConnection)
    if not name.startswith("_") and callable(getattr(duckdb, name, None))
) | {"duckdb.default_connection"}
# ibis' default backend is an in-memory DuckDB, made on first use
_IBIS_DEFAULT = frozenset({"ibis.read_csv", "ibis.read_parquet", "ibis.read_json",
                           "ibis.read_delta"})
# `ibis.connect` opens these files (or a `file://` address ending so) with DuckDB
_IBIS_DUCKDB_FILES = (".duckdb", ".csv", ".csv.gz", ".parquet")


def duckdb_connections(tree: ast.AST) -> list[int]:
    """The lines of a parsed module calling DuckDB's ``connect``, or using DuckDB's or
    ibis' default connection: through the names its imports bind (``import duckdb as
    db``, ``from duckdb import connect as c``, ``import ibis``, ``from ibis import
    duckdb``, at any depth of the file). Found: ``duckdb.connect``,
    ``ibis.duckdb.connect``; DuckDB's module-level functions (``duckdb.sql``,
    ``query``, ``execute``, ``read_csv``, ``from_df``, ..., ``default_connection``: its
    default connection); ibis' ``read_csv``/``read_parquet``/``read_json``/
    ``read_delta`` and ``ibis.get_backend()`` with no expression (its default backend,
    a DuckDB); ``ibis.connect`` given a ``duckdb:`` address or a path ibis opens with
    DuckDB (``.duckdb``, ``.csv``, ``.csv.gz``, ``.parquet``), as a literal, an
    f-string starting or ending so, or a ``/`` join (``folder / "x.duckdb"``), wrapped
    in ``Path(...)`` or ``str(...)`` or not. Not found: a call through a name bound at
    run time (``f = duckdb.sql; f(...)``, ``getattr``), ``ibis.connect`` given an
    address computed elsewhere (a variable), and an ibis expression bound to no backend
    executed, or given to ``ibis.get_backend`` (``ibis.memtable(df).execute()``: ibis'
    default backend); ``src`` uses none of them today."""
    names: dict[str, str] = {}  # a local name -> what it is (a dotted path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:  # `import ibis.duckdb` binds `ibis`
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def resolved(func: ast.expr) -> str | None:
        parts = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name) or func.id not in names:
            return None
        return ".".join([names[func.id], *reversed(parts)])

    def ends(node: ast.expr | None) -> tuple[str, str]:
        """The literal text an address starts and ends with ("" where computed)."""
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in {"Path", "PurePath", "str"} and len(node.args) == 1):
            return ends(node.args[0])  # Path("x.duckdb"), str(path)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value, node.value
        if isinstance(node, ast.JoinedStr) and node.values:
            return ends(node.values[0])[0], ends(node.values[-1])[1]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return ends(node.left)[0], ends(node.right)[1]  # folder / "x.duckdb"
        return "", ""

    def duckdb_address(call: ast.Call) -> bool:
        first = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "resource"), None)
        start, end = ends(first)
        return (start.startswith("duckdb:")
                or end.split("?")[0].endswith(_IBIS_DUCKDB_FILES))

    def found(call: ast.Call) -> bool:
        name = resolved(call.func)
        return (name in _CONNECTS or name in _DEFAULT_CONNECTION or name in _IBIS_DEFAULT
                or (name == "ibis.get_backend" and not call.args and not call.keywords)
                or (name == "ibis.connect" and duckdb_address(call)))

    return sorted(node.lineno for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and found(node))


def test_the_owner_check_finds_every_spelling_of_a_duckdb_connection():
    source = """
import duckdb
import duckdb as db
import ibis
import ibis as ib
import ibis.duckdb
from duckdb import connect
from duckdb import connect as open_it
from ibis import duckdb as backend
from ibis import connect as ibis_connect
duckdb.connect()
db.connect(":memory:")
ibis.duckdb.connect()
ib.duckdb.connect(database="x.duckdb")
connect()
def inner():
    import duckdb as nested
    return nested.connect(), open_it()
backend.connect()
ibis.connect("duckdb://x.duckdb")
ibis_connect(f"duckdb://{path}")
ibis.connect(resource="duckdb://")
ibis.connect("postgres://server/db")
duckdb.sql("SELECT 1")
other.connect()
"""
    assert duckdb_connections(ast.parse(source)) == [11, 12, 13, 14, 15, 18, 18, 19, 20, 21,
                                                     22, 24]


@pytest.mark.parametrize("call", [
    # DuckDB's default connection, every spelling of the module
    'duckdb.sql("SELECT 1")', 'duckdb.query("SELECT 1")', 'duckdb.execute("SELECT 1")',
    'duckdb.read_csv("x.csv")', 'duckdb.read_parquet("x.parquet")', "duckdb.from_df(df)",
    'duckdb.table("t")', "duckdb.register('t', df)", "duckdb.cursor()",
    "duckdb.default_connection()", 'db.sql("SELECT 1")', 'sql("SELECT 1")',
    'run_query("SELECT 1")', 'duckdb.sql("SELECT 1").df()',
    "duckdb.sql('SELECT 1').fetchall()",
    # ibis.connect opening a DuckDB file, or a file it reads with DuckDB
    'ibis.connect("x.duckdb")', 'ibis.connect("/data/x.duckdb", read_only=True)',
    'ibis.connect("file:///data/x.duckdb")', 'ibis.connect(f"{folder}/x.duckdb")',
    'ibis.connect(folder / "x.duckdb")', 'ibis.connect(Path("x.duckdb"))',
    'ibis.connect(str(folder / "people.parquet"))', 'ibis.connect("people.csv")',
    'ibis.connect("people.csv.gz")', 'ibis.connect(resource="x.duckdb")',
    'ibis.connect("x.duckdb?threads=2")', 'ibis_connect("x.duckdb")',
    "ibis.duckdb.connect(path)", 'ibis.duckdb.connect("x.duckdb")',
    # ibis' default backend (a DuckDB)
    'ibis.read_csv("x.csv")', 'ibis.read_parquet("x.parquet")', 'ib.read_json("x.json")',
    "ibis.read_delta(path)", "ibis.get_backend()",
])
def test_the_owner_check_finds_duckdbs_and_ibis_default_connections(call):
    source = ("import duckdb\nimport duckdb as db\nimport ibis\nimport ibis as ib\n"
              "from duckdb import sql\nfrom duckdb import query as run_query\n"
              "from ibis import connect as ibis_connect\nfrom pathlib import Path\n"
              f"{call}\n")
    assert duckdb_connections(ast.parse(source)) == [9], call


@pytest.mark.parametrize("call", [
    # what lifetools does instead, and what opens no DuckDB
    'connection.sql("SELECT 1")', 'backend.con.execute("SELECT 1")',
    'open_duckdb(path).sql("SELECT 1")', 'ibis.connect("postgres://server/db")',
    'ibis.connect("sqlite://x.db")', 'ibis.connect("x.sqlite")', "ibis.get_backend(table)",
    "ibis.memtable(frame)", 'ibis.literal("x.duckdb")', "ibis.to_sql(expr)",
    'ibis.schema({"a": "int64"})', "isinstance(error, duckdb.Error)",
    'other.sql("SELECT 1")', 'sqlglot.parse_one("SELECT 1")', 'pd.read_csv("x.csv")',
    'Path("x.duckdb").exists()', 'str(folder / "x.duckdb")', "duckdb.Error('no')",
])
def test_the_owner_check_leaves_what_opens_no_duckdb(call):
    source = f"import duckdb\nimport ibis\nimport pandas as pd\n{call}\n"
    assert duckdb_connections(ast.parse(source)) == [], call


@pytest.mark.xdist_group("source_trees")  # parses the package: see source_trees.py
def test_every_duckdb_connection_is_opened_by_the_one_owner():
    """No module but ``lifetools.duckdb_settings`` opens a DuckDB connection (any
    spelling, :func:`duckdb_connections`): one opened elsewhere would ignore the
    settings."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "duckdb_settings.py" and path.parent == SRC:
            continue
        found += [f"{path.relative_to(SRC)}:{line}"
                  for line in duckdb_connections(parse_file(path))]
    assert not found, f"open DuckDB through lifetools.duckdb_settings: {found}"
    owner = duckdb_connections(parse_file(SRC / "duckdb_settings.py"))
    assert owner  # the check sees the owner's own connections


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


class _Refusing:
    """A connection whose ``SET`` DuckDB refuses; ``temp_directory`` reads ``/elsewhere``."""

    closed = False

    def execute(self, sql):
        if sql.startswith("SET"):
            raise duckdb.InvalidInputException("refused")
        return types.SimpleNamespace(fetchone=lambda: ("/elsewhere",))


def test_each_refused_setting_keeps_its_own_message_and_hint(tmp_path):
    folder = str(tmp_path)
    with pytest.raises(UserError) as caught:
        apply_settings(_Refusing(), {TEMP_DIRECTORY_ENV: folder})
    assert str(caught.value) == (f"{TEMP_DIRECTORY_ENV}={folder!r} cannot be applied: "
                                    "this database already spilled to another folder")
    assert caught.value.hint == "set the variable before lifetools opens the database"
    assert caught.value.__suppress_context__ and caught.value.exit_code == 3
    with pytest.raises(UserError) as caught:
        apply_settings(_Refusing(), {MEMORY_LIMIT_ENV: "lots"})
    assert str(caught.value) == f"{MEMORY_LIMIT_ENV}='lots' is not a DuckDB memory_limit"
    assert caught.value.hint == ("give an amount of memory such as 8GB or 500MB (units "
                                 "KB, MB, GB, TB or KiB, MiB, GiB, TiB)")
    assert caught.value.__suppress_context__ and caught.value.exit_code == 3


@pytest.mark.parametrize("env", [{}, {MEMORY_LIMIT_ENV: " ", TEMP_DIRECTORY_ENV: ""}])
def test_no_settings_are_checked_without_importing_or_connecting_duckdb(env, monkeypatch):
    # the build checks the settings first (issue 16: the throwaway connection cost
    # about 0.05 CPU s of a no-op build); with none there is nothing to check
    from lifetools import duckdb_settings as owner

    monkeypatch.setitem(sys.modules, "duckdb", None)  # `import duckdb` raises
    monkeypatch.setattr(owner, "open_duckdb", lambda **_: pytest.fail("connected"))
    assert owner.duckdb_settings(env) == {}
    monkeypatch.undo()
    with pytest.raises(UserError):  # a setting is still checked on a connection
        owner.duckdb_settings({MEMORY_LIMIT_ENV: "lots"})


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lifetools.pipeline.cli", *args],
                          capture_output=True, text=True, env=env, timeout=300)


# the limit's real process in the slow tier: the folder runs the same `main()` here
@pytest.mark.parametrize("setting", [pytest.param("limit", marks=pytest.mark.slow), "folder"])
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
