"""The input tables' files, by name: the names of the modules that own each job.

The table list and :class:`Dataset` (:mod:`lifetools.dataset`), the folder scan
(:mod:`lifetools.folder_scan`), bounded reads (:mod:`lifetools.bounded_reads`) and the
dictionary's types (:mod:`lifetools.typed_reads`) were one module; its names are kept
importable here. Library code imports from the owners; :mod:`lifetools.loading`
re-exports the same names as ``lt.loading``.
"""

from __future__ import annotations

from lifetools.bounded_reads import (
    MAX_RECORD_BYTES,
    check_file,
    csv_header_problem,
    read_raw,
)
from lifetools.dataset import TABLES, Dataset, untracked
from lifetools.folder_scan import (
    DUCKDB_SUFFIXES,
    FileIssue,
    is_duckdb_file,
    scan_folder,
    table_path,
)
from lifetools.typed_reads import coerce_types, read_duckdb_table, read_table

__all__ = ["DUCKDB_SUFFIXES", "MAX_RECORD_BYTES", "TABLES", "Dataset", "FileIssue",
           "check_file", "coerce_types", "csv_header_problem", "is_duckdb_file",
           "read_duckdb_table", "read_raw", "read_table", "scan_folder", "table_path",
           "untracked"]
