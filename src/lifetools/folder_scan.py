"""Which file holds each table: the data folder scanned before any byte is read.

:func:`scan_folder` checks the folder: one file per table (``people.parquet`` and
``people.csv`` together are refused), no link pointing out of the folder, no pipe,
device or folder in place of a table; :func:`table_path` gives one table's file.
:func:`is_duckdb_file` tells a DuckDB database file by its header before DuckDB opens
it. Only ``lstat``/``stat`` are called, and a DuckDB file's first 12 bytes read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lifetools.fingerprint import TABLE_SUFFIXES

__all__ = ["DUCKDB_SUFFIXES", "FileIssue", "is_duckdb_file", "scan_folder", "table_path"]

DUCKDB_SUFFIXES = (".duckdb", ".db")
"""Names a DuckDB database file may end with (a missing one is named as a file)."""


@dataclass(frozen=True)
class FileIssue:
    """A file of the data folder that is not read: why, at which level."""

    name: str
    table: str | None
    rule: str
    message: str
    level: str = "error"


def _entry_issue(folder: Path, entry: os.DirEntry) -> tuple[str, str] | None:
    """Return (rule, message) if the entry must not be read, else None (no read)."""
    if entry.is_symlink():
        target = Path(os.path.realpath(entry.path))
        if folder not in target.parents:
            return "file.symlink", ("is a link to a file outside the data folder; copy "
                                    "the file into the folder instead")
    try:
        mode = os.stat(entry.path).st_mode
    except OSError:
        return "file.unreadable", "is a broken link or cannot be opened"
    if not stat.S_ISREG(mode):
        return "file.not_regular", ("is not a regular file (a folder, pipe or device); "
                                    "it was not read")
    return None


def scan_folder(data_dir: Path, tables: Sequence[str]) -> tuple[dict[str, Path],
                                                                 list[FileIssue]]:
    """Find each table's file without reading any; report the files refused.

    Returns
    -------
    tuple
        ``files`` (table name to its one safe file) and ``issues``: a table with both
        a Parquet and a CSV file (neither is used), links out of the folder, non-regular
        files (refused, level ``error``) and files that are not tables (``warning``).

    Notes
    -----
    Only ``lstat``/``stat`` are called: a FIFO is never opened. Tested in the hostile
    corpus ``tests/hostile/``.
    """
    folder = Path(os.path.realpath(data_dir))
    found: dict[str, list[Path]] = {}
    issues: list[FileIssue] = []
    try:
        with os.scandir(folder) as entries:
            listing = sorted(entries, key=lambda e: e.name)
    except OSError:
        return {}, [FileIssue("(folder)", "(folder)", "file.unreadable",
                              "the data folder cannot be listed (permissions?)")]
    for entry in listing:
        path = Path(entry.path)
        table = path.stem if path.suffix in TABLE_SUFFIXES and path.stem in tables else None
        if table is None and entry.name == "datapackage.json":
            table = "(package)"
        problem = _entry_issue(folder, entry)
        if problem and (table is not None or problem[0] == "file.symlink"):
            issues.append(FileIssue(entry.name, table, *problem))
        elif table is None:
            issues.append(FileIssue(entry.name, None, "file.unknown",
                                    "is not a table of the data dictionary; not read",
                                    "warning"))
        elif table != "(package)":
            found.setdefault(table, []).append(Path(data_dir) / entry.name)
    files = {}
    for table, paths in found.items():
        if len(paths) > 1:
            issues.append(FileIssue(
                " and ".join(p.name for p in paths), table, "file.duplicate",
                f"two files hold table '{table}'; keep one (neither was read)"))
        else:
            files[table] = paths[0]
    refused = {i.table for i in issues if i.level == "error" and i.table}
    return {t: p for t, p in files.items() if t not in refused}, issues


def table_path(data_dir: Path, name: str) -> Path | None:
    """Return the one safe file of a table, or None (none, two, or refused)."""
    files, _issues = scan_folder(data_dir, (name,))
    return files.get(name)


def is_duckdb_file(path: Path) -> bool:
    """Whether ``path`` is a regular file with a DuckDB database header (``DUCK`` at
    byte 8): read before DuckDB opens it, so a wrong file is named, not a crash."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(12)[8:12] == b"DUCK"
    except OSError:
        return False
