"""A DuckDB database file as the extract: written from a folder of table files.

``lifetools build --data extract.duckdb`` reads the analysis tables from one DuckDB
file (read-only) instead of a folder of Parquet/CSV files. :func:`write_duckdb` makes
such a file from a folder, keeping each table's row order, so a build from the file
publishes the same bytes as a build from the folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lifetools.datapackage import PACKAGE_FILE
from lifetools.dataset import TABLES
from lifetools.dictionary import load_dictionary
from lifetools.duckdb_settings import open_duckdb
from lifetools.errors import UserError
from lifetools.folder_scan import scan_folder
from lifetools.typed_reads import read_table

__all__ = ["write_duckdb"]


def write_duckdb(folder: Path, target: Path) -> Path:
    """Write the tables of an extract folder into a new DuckDB database file.

    Parquet tables are copied as stored (their types and values, so validation of the
    file finds what validation of the folder finds); CSV tables are stored with the
    dictionary's types. The folder's ``datapackage.json`` is copied beside ``target``
    when none is there (validation reads it from the file's folder).

    Raises
    ------
    UserError
        If ``target`` already exists (an extract is never overwritten).

    Notes
    -----
    Row order is insertion order, which DuckDB keeps. Tested in
    ``tests/engines/test_duckdb_extract.py``.
    """
    folder, target = Path(folder), Path(target)
    if target.exists():
        raise UserError(f"{target.name} exists; lifetools does not overwrite an extract",
                        hint="remove it or choose another name")
    files, _issues = scan_folder(folder, TABLES)
    dictionary = load_dictionary()
    with open_duckdb(target) as connection:
        for name in TABLES:
            path = files.get(name)
            if path is None:
                continue
            if path.suffix == ".parquet":
                connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)',
                                   [str(path)])
            else:
                frame = read_table(path, dictionary.table(name))  # noqa: F841 - read by DuckDB
                connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame')
    package = folder / PACKAGE_FILE
    if package.is_file() and not (target.parent / PACKAGE_FILE).exists():
        shutil.copyfile(package, target.parent / PACKAGE_FILE)
    return target
