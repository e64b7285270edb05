"""The one owner of how lifetools opens DuckDB: every connection it makes (the build's
embedded DuckDB of loaded frames, a folder or DuckDB-file source, validation's checks,
reading and writing DuckDB files) is opened by :func:`open_duckdb` or
:func:`open_ibis_duckdb`, which apply :data:`MEMORY_LIMIT_ENV` and
:data:`TEMP_DIRECTORY_ENV` from the environment (a build's notebook kernels inherit the
build's environment, so they apply them too).

Before a query can spill, the temporary folder is checked once per connection: it must
exist or be creatable (it is made), be a folder, and be writable; otherwise, or when
DuckDB refuses the memory limit, a :class:`~lifetools.errors.UserError` (exit 3, as for
any setting) names the variable and the value, with no traceback.

Neither setting changes a result: they are not recorded in a manifest (the engine
record, :func:`lifetools.engines.engine_record`, lists no settings, and the temporary
folder is a path of this machine).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from lifetools.errors import UserError

__all__ = ["MEMORY_LIMIT_ENV", "TEMP_DIRECTORY_ENV", "apply_settings", "duckdb_settings",
           "open_duckdb", "open_ibis_duckdb"]

MEMORY_LIMIT_ENV = "LIFETOOLS_DUCKDB_MEMORY_LIMIT"
"""DuckDB's ``memory_limit`` for every DuckDB connection lifetools opens (``8GB``,
``500MB``; unset or empty: DuckDB's default, 80% of the machine's memory). Above it
DuckDB spills to its temporary folder."""

TEMP_DIRECTORY_ENV = "LIFETOOLS_DUCKDB_TEMP_DIRECTORY"
"""DuckDB's ``temp_directory`` (where it spills) for every DuckDB connection lifetools
opens (unset or empty: DuckDB's default, ``.tmp`` beside a database file, or in the
working folder for an in-memory connection)."""


def duckdb_settings(env: Any = None) -> dict[str, str]:
    """DuckDB's settings from :data:`MEMORY_LIMIT_ENV` and :data:`TEMP_DIRECTORY_ENV`
    (``env``: the environment by default), checked by applying them to a throwaway
    connection (:func:`open_duckdb`): for a caller passing them as DuckDB's ``config``.
    With neither variable set (or both empty) it returns ``{}`` without importing
    DuckDB or opening a connection.

    Raises
    ------
    UserError
        As :func:`apply_settings`.

    Notes
    -----
    Tested in ``tests/unit/test_duckdb_settings.py``.
    """
    settings = _settings(env)
    if settings:  # none: nothing to check, and DuckDB is not imported (issue 16)
        open_duckdb(env=env).close()
    return settings


def apply_settings(connection: Any, env: Any = None) -> Any:
    """Apply the environment's settings (``env``: the environment by default) to an
    open DuckDB ``connection`` (a ``duckdb.DuckDBPyConnection``) and return it: the
    temporary folder first, checked, then the memory limit.

    Raises
    ------
    UserError
        The temporary folder cannot be made, is not a folder or is not writable, or
        DuckDB refuses the memory limit; the message names the variable and the value.

    Notes
    -----
    Tested in ``tests/unit/test_duckdb_settings.py``.
    """
    settings = _settings(env)
    folder = settings.get("temp_directory")
    if folder is not None:  # before anything can spill
        _check_folder(folder)
        # DuckDB refuses to set it again (even to the same folder) once a connection
        # to the same database file, open in this process, has spilled
        current = connection.execute("SELECT current_setting('temp_directory')")
        if current.fetchone()[0] != folder:
            _set(connection, "temp_directory", folder,
                 f"{TEMP_DIRECTORY_ENV}={folder!r} cannot be applied: this database "
                 "already spilled to another folder",
                 "set the variable before lifetools opens the database")
    if "memory_limit" in settings:
        limit = settings["memory_limit"]
        _set(connection, "memory_limit", limit,
             f"{MEMORY_LIMIT_ENV}={limit!r} is not a DuckDB memory_limit",
             "give an amount of memory such as 8GB or 500MB (units KB, MB, GB, TB or "
             "KiB, MiB, GiB, TiB)")
    return connection


def _set(connection: Any, name: str, value: str, message: str, hint: str) -> None:
    """``SET name = value`` on ``connection``; DuckDB refusing it is a
    :class:`~lifetools.errors.UserError` with ``message`` and ``hint``."""
    import duckdb

    try:
        connection.execute(f"SET {name} = {_literal(value)}")
    except duckdb.Error:
        raise UserError(message, hint=hint) from None


def _settings(env: Any) -> dict[str, str]:
    """The settings the environment asks for, unchecked (empty values are unset)."""
    env = os.environ if env is None else env
    settings = {}
    limit = (env.get(MEMORY_LIMIT_ENV) or "").strip()
    if limit:
        settings["memory_limit"] = limit
    folder = (env.get(TEMP_DIRECTORY_ENV) or "").strip()
    if folder:
        settings["temp_directory"] = str(Path(folder).expanduser())
    return settings


def open_duckdb(database: str | os.PathLike = ":memory:", *, read_only: bool = False,
                env: Any = None) -> Any:
    """A ``duckdb`` connection to ``database`` with the environment's settings applied
    (:func:`apply_settings`); closed if they are refused."""
    import duckdb

    connection = duckdb.connect(str(database), read_only=read_only)
    try:
        return apply_settings(connection, env)
    except BaseException:
        connection.close()
        raise


def open_ibis_duckdb(database: str | os.PathLike = ":memory:", *, read_only: bool = False,
                     env: Any = None) -> Any:
    """An ibis DuckDB backend on ``database`` with the environment's settings applied
    (:func:`apply_settings`); disconnected if they are refused."""
    import ibis

    backend = ibis.duckdb.connect(str(database), read_only=read_only)
    try:
        apply_settings(backend.con, env)
    except BaseException:
        backend.disconnect()
        raise
    return backend


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _check_folder(value: str) -> None:
    """The temporary folder ``value`` exists (made if missing), is a folder and this
    user can write in it (a file is made and removed: permissions alone do not say,
    for a read-only mount or for root)."""
    path = Path(value)
    where = f"{TEMP_DIRECTORY_ENV}={value!r}"
    hint = "give a folder on a disk with room for DuckDB to spill to, writable by you"
    if not path.is_absolute():  # kernels run in each run's own folder: one per run
        raise UserError(f"{where} is not an absolute path",
                        hint="give the whole path of the folder (kernels run in their "
                             "run's folder, so a relative one would be made in each)")
    # os.path's tests answer False where pathlib's raise (a parent folder this user
    # cannot search): the mkdir below then names the error
    if os.path.exists(path) and not os.path.isdir(path):
        raise UserError(f"{where} is not a folder", hint=hint)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{where} does not exist and cannot be created "
                        f"({error.strerror or type(error).__name__})", hint=hint) from None
    try:
        handle, probe = tempfile.mkstemp(prefix=".lifetools-probe-", dir=path)
    except OSError as error:
        raise UserError(f"{where} is not writable "
                        f"({error.strerror or type(error).__name__})", hint=hint) from None
    os.close(handle)
    os.unlink(probe)
