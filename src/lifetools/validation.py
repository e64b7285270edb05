"""Check input tables against the data dictionary, collecting every problem.

:func:`validate_directory` never stops at the first problem: it reports, for each
file, table, column and rule, how many rows break it and the first few row numbers (row
1 is the first data row). Values of identifier and quasi-identifier fields are never
echoed, nor any value that looks like an identifier (:mod:`lifetools.redaction`), and
every echoed value is cut to a few dozen characters. Files are named relative to the
data folder (no machine path). The folder is checked before any table is read
(:func:`lifetools.loading.scan_folder`), then its ``datapackage.json`` (dictionary
version and extract date, :mod:`lifetools.datapackage`). The report renders as text
(``render``) and as CSV or JSON (``write``); problems of level ``warning`` (unknown
files, optional columns with no value) do not make it fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from lifetools.datapackage import PACKAGE_FILE, read_package
from lifetools.dictionary import STORED_TYPE_WORDS, Dictionary, load_dictionary
from lifetools.engines.checks import validate_duckdb
from lifetools.engines.folder import FolderNeedsPandas, folder_problems
from lifetools.engines.server import validate_server
from lifetools.engines.source import parse_source
from lifetools.folder_scan import scan_folder
from lifetools.redaction import safe_text
from lifetools.validation_rules import (
    MAX_ROWS_KEPT,
    Problem,
    Rule,
    ValidationReport,
    _check_links,
    _check_table,
    check_frame,
    nested_columns,
    raise_for_problems,
)

__all__ = ["MAX_ROWS_KEPT", "STORED_TYPE_WORDS", "Problem", "Rule", "ValidationReport",
           "check_frame", "nested_columns", "raise_for_problems", "validate_directory",
           "validate_tables"]


def _folder_problems(path: Path, dictionary: Dictionary, tables: Sequence[str]):
    """Files refused or unknown, and the package check: problems and the extract date."""
    files, issues = scan_folder(path, list(dictionary.tables))
    problems = [Problem(safe_text(i.name, placeholder="(a file)"), i.table or "(none)",
                        None, Rule(i.rule), i.message, level=i.level) for i in issues]
    if not any(i.table == "(package)" and i.level == "error" for i in issues):
        extract_date, reason = read_package(path, dictionary)
        if reason:
            problems.append(Problem(PACKAGE_FILE, "(package)", None, Rule.PACKAGE, reason))
    else:
        extract_date = None
    refused = {i.table for i in issues if i.level == "error"}
    for name in tables:
        if name not in files and name not in refused:
            problems.append(Problem(f"{name}.parquet", name, None, Rule.FILE_MISSING,
                                    f"no file {name}.parquet or {name}.csv"))
    return files, problems, extract_date


def validate_tables(
    path: Path, dictionary: Dictionary, tables: Sequence[str], *, in_engine: bool = True,
    sql_cache: Path | str | None = None
) -> ValidationReport:
    """Validate the named tables of a folder against a dictionary.

    With ``in_engine`` (the default) each file is checked by queries in embedded DuckDB
    (:func:`lifetools.engines.folder.folder_problems`); a folder with a Parquet column
    type those queries do not read, or ``in_engine=False``, is read into pandas and
    checked here. Both give the same report. ``sql_cache`` (else
    ``LIFETOOLS_SQL_CACHE``; unset: none) is a folder where the queries' SQL is kept
    between processes (:func:`lifetools.engines.checks.table_problems`).

    Notes
    -----
    Without a readable ``datapackage.json`` the extract date is taken as today, so dates
    are still bounded (and the missing package is itself an error). The two ways are
    compared in ``tests/engines/test_folder_validation.py``.
    """
    files, problems, extract_date = _folder_problems(Path(path), dictionary, tables)
    extract_date = extract_date or dt.date.today()
    if in_engine:
        try:
            found = folder_problems(files, dictionary, tables, extract_date, sql_cache)
        except FolderNeedsPandas:
            pass
        else:
            return ValidationReport(Path(path), tuple(problems + found))
    frames, paths = {}, {}
    for name in tables:
        if name not in files:
            continue
        frame, found = _check_table(files[name], dictionary.table(name), extract_date)
        problems += found
        paths[name] = files[name]
        if frame is not None:
            frames[name] = frame
    problems += _check_links(frames, dictionary, paths)
    return ValidationReport(Path(path), tuple(problems))


def validate_directory(
    path: Path | str, *, tables: Sequence[str] | None = None,
    sql_cache: Path | str | None = None
) -> ValidationReport:
    """Validate every table of a data folder against the data dictionary.

    Parameters
    ----------
    path
        Folder holding ``<table>.parquet`` or ``<table>.csv`` files and the extract's
        ``datapackage.json``; or a DuckDB database file
        (:func:`lifetools.engines.checks.validate_duckdb`); or a server URL
        (``postgresql://user@host/db``, checked by queries on the server:
        :func:`lifetools.engines.server.validate_server`).
    tables
        Only these tables (default: every table in the dictionary).
    sql_cache
        A folder keeping the checks' compiled SQL between processes, for a folder's
        checks in DuckDB (default ``LIFETOOLS_SQL_CACHE``; unset: none; the build keeps
        it in ``build/validated/sql``). The report is the same with or without.

    Returns
    -------
    ValidationReport
        ``ok`` when no rule is broken; otherwise every problem, with rows.

    Notes
    -----
    Never raises for a problem of the data: a missing folder, a FIFO, a symlink out of
    the folder, a huge cell or an unparsable value is a problem in the report. Tested in
    ``tests/unit/test_validation.py`` and ``tests/hostile/``.
    """
    dictionary = load_dictionary()
    if "://" in str(path) and not Path(path).exists():  # a server: checked there
        return validate_server(parse_source(str(path)), tables=list(tables or []) or None)
    if Path(path).is_file():
        return validate_duckdb(Path(path), tables=tables)
    if not Path(path).is_dir():
        if Path(path).suffix in (".duckdb", ".db"):
            return ValidationReport(Path(path), (Problem(
                "(file)", "(all)", None, Rule.FILE_MISSING,
                f"the DuckDB file {Path(path).name} does not exist"),))
        return ValidationReport(Path(path), (Problem(
            "(folder)", "(all)", None, Rule.FILE_MISSING, "the data folder does not exist"),))
    return validate_tables(Path(path), dictionary, tables or list(dictionary.tables),
                           sql_cache=sql_cache)

