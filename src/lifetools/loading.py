"""The one door to the analysis data: :func:`load_dataset`.

``load_dataset()`` reads the tables from where the data live: a folder of
``<table>.parquet`` (or ``.csv``) files or a DuckDB database file, with the dictionary's
types, or a server, whose tables stay there and are queried
(:func:`lifetools.engines.dataset.open_dataset`). Below it, one module a job: the table
list and :class:`~lifetools.dataset.Dataset` (:mod:`lifetools.dataset`), the folder
scan (:mod:`lifetools.folder_scan`), bounded reads (:mod:`lifetools.bounded_reads`) and
the dictionary's types (:mod:`lifetools.typed_reads`). Typed tables may be kept between
calls (warm kernels: :data:`ENV_DATASET_CACHE`) and on disk between processes
(:mod:`lifetools.typed_cache`). The names of those modules that make up this module's
public API are imported here (``lt.loading.Dataset``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from lifetools import config
from lifetools.bounded_reads import MAX_RECORD_BYTES, check_file, read_raw
from lifetools.compact_ids import (
    ENV_SKIP_UNUSED,
    UNUSED_COLUMNS,
    compact_wanted,
    drop_id_list,
    file_columns,
    id_list,
)
from lifetools.dataset import TABLES, Dataset, Deferred, read_now, untracked
from lifetools.dictionary import load_dictionary
from lifetools.duckdb_settings import open_duckdb
from lifetools.engines.dataset import open_dataset
from lifetools.errors import DataValidationError
from lifetools.folder_scan import (
    DUCKDB_SUFFIXES,
    FileIssue,
    is_duckdb_file,
    scan_folder,
    table_path,
)
from lifetools.reads import ENV_READS_LOG, note_read
from lifetools.typed_cache import cache_folder as typed_cache_folder
from lifetools.typed_cache import (
    entry_path,
    folder_key,
    read_arrow,
    read_entry,
    write_entry,
)
from lifetools.typed_reads import (
    _read_table,
    coerce_types,
    read_duckdb_table,
    read_table,
)

__all__ = ["DUCKDB_SUFFIXES", "ENV_DATASET_CACHE", "ENV_READS_LOG", "MAX_RECORD_BYTES",
           "TABLES", "Dataset", "FileIssue", "check_file", "coerce_types", "is_duckdb_file",
           "load_dataset", "note_read", "read_duckdb_table", "read_raw", "read_table",
           "scan_folder", "table_path", "untracked", "write_typed_cache"]

ENV_DATASET_CACHE = "LIFETOOLS_DATASET_CACHE"
"""Set to ``1`` (the runner's warm kernels do) to keep typed tables between calls."""
_TYPED: dict[str, tuple[tuple, pd.DataFrame]] = {}
"""Typed tables kept by :func:`load_dataset` when the cache is on: table name to
(stamp of file, columns and dictionary; the frame)."""


def _load_duckdb(path: Path, tables: Sequence[str] | None,
                 columns: Mapping[str, Sequence[str]] | None) -> Dataset:
    """:func:`load_dataset` from a DuckDB database file (``lifetools build --data
    extract.duckdb``), each table read when first used (:func:`_duckdb_table`)."""
    dictionary = load_dictionary()
    with open_duckdb(path, read_only=True) as connection:
        present = {row[0] for row in connection.sql("SHOW TABLES").fetchall()}
    wanted = tables or [t for t in TABLES if t in present]
    for name in wanted:
        if name not in present:
            raise DataValidationError(f"table {name!r} is not in the DuckDB file",
                                      hint="run `lifetools validate` on the file")
    data = Dataset(path=path, **{name: Deferred(name, partial(
        _duckdb_table, path, name, dictionary, (columns or {}).get(name)))
        for name in wanted})
    return read_now(data, tables) if tables else data


def _duckdb_table(path: Path, name: str, dictionary,
                  wanted_columns: Sequence[str] | None) -> pd.DataFrame:
    """One typed table of a DuckDB file, through the warm kernels' cache when it is on
    (keyed by the file's stamp: a changed file is read again)."""
    if os.environ.get(ENV_DATASET_CACHE) != "1":
        return read_duckdb_table(path, name, dictionary.table(name), wanted_columns)
    stamp = (_stamp(path, wanted_columns, dictionary), None)
    kept = _TYPED.get(name)
    if kept is None or kept[0][0] != stamp[0] or kept[0][1] is not None:
        kept = _TYPED[name] = (stamp, _read_only(read_duckdb_table(
            path, name, dictionary.table(name), wanted_columns)))
    return _shared(kept[1])


def load_dataset(
    data_dir: Path | None = None,
    *,
    tables: Sequence[str] | None = None,
    columns: Mapping[str, Sequence[str]] | None = None,
    compact_ids: bool | None = None,
    skip_unused: bool | None = None,
    typed_cache: os.PathLike | str | None = None,
) -> Dataset:
    """Load the analysis tables with their dictionary types.

    Parameters
    ----------
    data_dir
        Folder of table files, or a DuckDB database file holding the tables; default
        :func:`lifetools.config.data_dir`.
    tables
        Only these tables (others are ``None``), read at once (a table that cannot be
        read fails here); default every table present, each read when first used.
    columns
        Per table, only these columns (avoid loading what a report does not use).
    compact_ids
        ``person_id`` as order-preserving integer codes (``Int64``) instead of the
        64-character strings (:mod:`lifetools.compact_ids`); default: on when
        ``LIFETOOLS_COMPACT_IDS=1`` is in the environment (the build's kernels).
    skip_unused
        Leave out :data:`UNUSED_COLUMNS` of a table whose ``columns`` are not given;
        default: on when ``LIFETOOLS_SKIP_UNUSED_COLUMNS=1`` (the build's kernels).
    typed_cache
        A folder keeping the typed tables on disk between processes
        (:mod:`lifetools.typed_cache`): a later load of the same files with the same
        dictionary and code reads them typed and coded, without the id list; default
        ``LIFETOOLS_TYPED_CACHE`` (unset: no cache). Frames are equal either way.
        A table with a cache entry that the notebook has not read is queried by the
        embedded engine from the memory-mapped entry, not read into pandas
        (:func:`lifetools.dataset.engine_source`).

    Notes
    -----
    Each table of a folder or DuckDB file is read when first used
    (:class:`~lifetools.dataset.Deferred`): by the report taking it, or by the
    relational layer when a query first names it
    (:func:`lifetools.engines.engine_tables`), so a notebook brings into pandas only the
    tables its report uses (the cohort description four of nine; until wave 45 every
    table was read here). A file that cannot be read fails then, with the same error.
    With ``LIFETOOLS_DATASET_CACHE=1`` in the environment (set in the runner's warm
    kernels, which run many notebooks in one process) each typed table is kept in memory
    and read again only when its file changes (real path, inode, size or modification
    time) or the dictionary does; every call returns its own frame sharing the kept
    table's values, which are read-only: a notebook may add, replace or drop columns of
    its frames, and one that writes into a value fails loudly (``ValueError``; pandas
    raises an ``AssertionError`` for a date column) instead of changing the next
    notebook's data (an Arrow-backed column, which cannot be made read-only, is each
    caller's own wrapper over the same immutable buffers). Sharing instead of a deep copy per call saves
    a copy of the loaded tables in every warm kernel (issue 16). Tested in
    ``tests/unit/test_loading.py``. Compact ids are tested in
    ``tests/unit/test_compact_ids.py`` (codes, order, and every report's tables equal to
    those computed with the strings).

    Raises
    ------
    DataValidationError
        If a requested table has no file.
    """
    raw = os.fspath(data_dir) if data_dir else config.data_source()
    if "://" in raw and not Path(raw).exists():  # a server: cohorts run there
        return open_dataset(raw, tables=tables, columns=columns)
    data_dir = Path(raw)
    if data_dir.is_file() and is_duckdb_file(data_dir):
        return _load_duckdb(data_dir, tables, columns)
    dictionary = load_dictionary()
    if not data_dir.is_dir():
        if data_dir.suffix in DUCKDB_SUFFIXES:
            raise DataValidationError(f"the DuckDB file {data_dir.name} does not exist",
                                      hint="give --data an existing .duckdb file")
        raise DataValidationError("the data folder does not exist",
                                  hint="run `lifetools synth` or give the extract's folder")
    files = _table_files(data_dir)
    wanted = tables or [t for t in TABLES if t in files]
    missing = [name for name in wanted if name not in files]
    if missing:
        raise DataValidationError(
            f"table {missing[0]!r} has no file ({missing[0]}.parquet or {missing[0]}.csv)",
            hint="run `lifetools validate` on the folder, or `lifetools synth`")
    reader = _FolderReader(files, dictionary, compact_wanted(compact_ids),
                           typed_cache_folder(typed_cache), columns or {},
                           os.environ.get(ENV_SKIP_UNUSED) == "1" if skip_unused is None
                           else skip_unused)
    data = Dataset(path=data_dir, **{name: Deferred(name, partial(reader.table, name),
                                                    partial(reader.unread, name))
                                     for name in wanted})
    return read_now(data, tables) if tables else data


def _table_files(data_dir: Path) -> dict[str, Path]:
    """The folder's table files by table, or the first file the load refuses, raised."""
    files, issues = scan_folder(data_dir, TABLES)
    refused = [i for i in issues if i.level == "error"]
    if refused:
        raise DataValidationError(
            f"table {refused[0].table or '(none)'}: {refused[0].message} "
            f"[rule: {refused[0].rule}]", hint="run `lifetools validate` on the folder")
    return files


def write_typed_cache(data_dir: Path | str, typed_cache: os.PathLike | str, *,
                      compact_ids: bool, skip_unused: bool) -> list[Path]:
    """Keep every table of the folder ``data_dir`` in the on-disk typed cache
    ``typed_cache`` as :func:`load_dataset` with these ``compact_ids`` and
    ``skip_unused`` and no ``columns`` reads it (the same key and entries,
    :mod:`lifetools.typed_cache`), one table at a time; returns the entries.

    The build calls it once validation has passed (a failed validation writes none),
    with its notebook kernels' settings, so no kernel types a table or builds the id
    list: each maps the entries. An entry already there and readable is kept; one that
    cannot be read or names another place is written again. Best effort, as every
    write of the cache: an entry that cannot be written is left to the kernels.

    Raises
    ------
    DataValidationError
        If the folder has a file the load refuses (validate it first).
    """
    files = _table_files(Path(data_dir))
    reader = _FolderReader(files, load_dictionary(), compact_ids, Path(typed_cache), {},
                           skip_unused)
    entries = []
    try:
        for name in (t for t in TABLES if t in files):
            wanted_columns = reader._wanted(name)
            _frame, reader.ids = _read_cached(reader.on_disk, reader.disk_key, files, name,
                                              wanted_columns, reader.ids, compact_ids)
            entries.append(entry_path(reader.on_disk, reader.disk_key, name, wanted_columns))
    finally:
        reader.ids = None
        drop_id_list()  # the caller goes on without the data: free the id list
    return entries


def typed_cache_missing(data_dir: Path | str, typed_cache: os.PathLike | str, *,
                        compact_ids: bool, skip_unused: bool) -> list[str]:
    """The tables of the folder ``data_dir`` that have no entry in the typed cache
    ``typed_cache`` under the key :func:`write_typed_cache` writes with these settings
    (none read: each entry's place from the files' cached fingerprints). A build whose
    data were validated before calls it: an entry gone since (a change of the key's
    code or format, or the cache pruned) is written again rather than left to a kernel.
    """
    files = _table_files(Path(data_dir))
    reader = _FolderReader(files, load_dictionary(), compact_ids, Path(typed_cache), {},
                           skip_unused)
    return [name for name in TABLES if name in files
            and not entry_path(reader.on_disk, reader.disk_key, name,
                               reader._wanted(name)).exists()]


class _FolderReader:
    """Reads the typed tables of one :func:`load_dataset` call from a folder, each when
    first used (:class:`~lifetools.dataset.Deferred`): from the warm kernels' cache
    (``LIFETOOLS_DATASET_CACHE=1``), the on-disk cache, or the file. The id list of
    compact ids is built with the first table that needs it."""

    def __init__(self, files: Mapping[str, Path], dictionary, compact: bool,
                 on_disk: Path | None, columns: Mapping[str, Sequence[str]],
                 skip_unused: bool) -> None:
        self.files, self.dictionary, self.compact = files, dictionary, compact
        self.on_disk, self.columns, self.skip_unused = on_disk, columns, skip_unused
        self.disk_key = (folder_key(files, config.dictionary_dir(), on_disk,
                                    compact=compact) if on_disk is not None else None)
        self.ids = None

    def _wanted(self, name: str) -> list[str] | None:
        wanted_columns = self.columns.get(name)
        if wanted_columns is None and self.skip_unused and name in UNUSED_COLUMNS:
            wanted_columns = [c for c in file_columns(self.files[name])
                              if c not in UNUSED_COLUMNS[name]]
        return wanted_columns

    def unread(self, name: str):
        """What the embedded engine queries for a table the notebook has not read
        (:meth:`lifetools.dataset.Deferred.unread`), when the folder has an on-disk
        typed cache (else None): the warm kernel's kept frame when its cache
        (``LIFETOOLS_DATASET_CACHE=1``) holds the table (a frame of its own over the
        shared read-only values, rather than mapping the file beside it; the dataset
        keeps it and takes it when it reads the table, :data:`lifetools.dataset.HANDED`,
        so the engine kept for the dataset stays in use), else the typed table
        memory-mapped from the cache entry (:func:`lifetools.typed_cache.read_arrow`),
        or None without an entry. Either way the dataset does not hold the table yet:
        ``repr(dataset)`` says "not read yet" in a warm kernel as in a cold one."""
        if self.disk_key is None:
            return None
        wanted_columns = self._wanted(name)
        kept = self._kept(name, lambda: _stamp(self.files[name], wanted_columns,
                                               self.dictionary), self.disk_key)
        if kept is not None:
            return _shared(kept[1])
        return read_arrow(entry_path(self.on_disk, self.disk_key, name, wanted_columns))

    @staticmethod
    def _kept(name: str, stamp: Callable[[], tuple], token):
        """The warm kernel's kept (stamp, frame) of table ``name`` when it is this file's
        with these columns (``stamp()``, called only when a frame is kept: no stat of
        the file without the cache) and ids (``token``), else None (or no such cache)."""
        kept = _TYPED.get(name) if os.environ.get(ENV_DATASET_CACHE) == "1" else None
        if kept is None or kept[0][0] != stamp() or not (
                kept[0][1] is token or (isinstance(kept[0][1], str) and kept[0][1] == token)):
            return None
        return kept

    def table(self, name: str) -> pd.DataFrame:
        path = self.files[name]
        wanted_columns = self._wanted(name)
        if self.compact and self.disk_key is None and self.ids is None:
            self.ids = id_list(self.files)
        token = self.disk_key if self.disk_key is not None else self.ids
        stamp = (_stamp(path, wanted_columns, self.dictionary), token)
        cache = os.environ.get(ENV_DATASET_CACHE) == "1"
        kept = self._kept(name, lambda: stamp[0], token)
        if kept is None:
            if self.disk_key is None:
                frame = _read_table(path, self.dictionary.table(name), wanted_columns,
                                    ids=self.ids)
            else:
                frame, self.ids = _read_cached(self.on_disk, self.disk_key, self.files,
                                               name, wanted_columns, self.ids, self.compact)
            if not cache:
                return frame
            kept = _TYPED[name] = (stamp, _read_only(frame))
        return _shared(kept[1])


def _read_only(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every array under its columns made read-only (numpy arrays, and
    the data and mask of nullable and datetime arrays), so that the frames handed out
    from the warm kernels' cache can share them: writing into a value raises
    ``ValueError`` ("assignment destination is read-only") instead of changing what the
    next notebook reads. Adding, replacing, renaming or dropping columns of a frame
    handed out is the caller's own (each call gets its own shallow copy)."""
    for block in frame._mgr.blocks:
        values = block.values
        if _arrow_backed(values.dtype):
            continue  # immutable buffers; each caller gets its own wrapper (_shared)
        for array in (values, getattr(values, "_data", None),
                      getattr(values, "_mask", None), getattr(values, "_ndarray", None)):
            if isinstance(array, np.ndarray):
                array.flags.writeable = False
    return frame


def _shared(frame: pd.DataFrame) -> pd.DataFrame:
    """A caller's own frame over a kept table's read-only values: its own blocks and
    axes (a name set on its index or columns stays its own), the values shared."""
    out = frame.copy(deep=False)
    out.index, out.columns = frame.index.view(), frame.columns.view()
    for column, dtype in frame.dtypes.items():
        if _arrow_backed(dtype):
            # an Arrow-backed column cannot be made read-only, and a write replaces the
            # array inside its (shared) extension array: each caller gets its own
            # wrapper over the same immutable Arrow buffers (no data copied)
            out[column] = frame[column].array.copy()
    return out


def _arrow_backed(dtype: object) -> bool:
    """Whether a column's values are Arrow arrays (``ArrowDtype``, ``string[pyarrow]``)."""
    return isinstance(dtype, pd.ArrowDtype) or (
        isinstance(dtype, pd.StringDtype) and str(dtype.storage).startswith("pyarrow"))


def _read_cached(folder: Path, key: str, files: Mapping[str, Path], name: str,
                 columns: Sequence[str] | None, ids, compact: bool):
    """A typed table from the on-disk cache (:mod:`lifetools.typed_cache`), else read
    from its file and kept there; returns the frame and the id list (built only when a
    table had to be read with compact ids)."""
    entry = entry_path(folder, key, name, columns)
    frame = read_entry(entry)
    if frame is not None:
        return frame, ids
    if compact and ids is None:
        ids = id_list(files)
    frame = _read_table(files[name], load_dictionary().table(name), columns, ids=ids)
    write_entry(entry, frame)
    return frame, ids


def _stamp(path: Path, columns: Sequence[str] | None, dictionary) -> tuple:
    """What identifies a typed table: file (real path, inode, size, modification time in
    nanoseconds), the columns asked for and the dictionary (the same object while its
    files are unchanged, :func:`lifetools.dictionary.load_dictionary`)."""
    info = os.stat(path)
    return (os.path.realpath(path), info.st_ino, info.st_size, info.st_mtime_ns,
            tuple(columns) if columns else None, dictionary)
