"""The input tables' files: the folder scan, bounded reads and the dictionary's types.

:func:`read_table` reads ``<table>.parquet`` (or ``.csv``) with pyarrow, only the
columns asked for, and gives every column its dictionary type: dates
``datetime64[ns]``, integers ``Int64``, numbers ``float64``, booleans ``boolean``,
strings ``object`` (missing = ``None``); :class:`Dataset` holds the tables. No business
rules here.

Before any byte is read, :func:`scan_folder` checks the folder: one file per table
(``people.parquet`` and ``people.csv`` together are refused), no link pointing out of
the folder, no pipe, device or folder in place of a table. Reading is bounded: a CSV
record longer than :data:`MAX_RECORD_BYTES` and a Parquet column holding more than
:data:`MAX_RECORD_BYTES` plus 1 KiB per row are refused before they are loaded, so a
huge cell cannot exhaust memory.

This module is below both :mod:`lifetools.loading` (``load_dataset``, the one door to
the data, which dispatches a server source to :mod:`lifetools.engines`) and the
engines, which read with its table list and types: it imports neither.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from lifetools.compact_ids import (
    ID_COLUMN,
    encode_ids,
    file_codes,
    file_columns,
)
from lifetools.dictionary import TableSpec
from lifetools.errors import DataValidationError
from lifetools.fingerprint import data_fingerprint
from lifetools.reads import note_read, recording, untracked_frame

__all__ = ["DUCKDB_SUFFIXES", "MAX_RECORD_BYTES", "TABLES", "Dataset", "FileIssue",
           "check_file", "coerce_types", "csv_header_problem", "is_duckdb_file",
           "read_duckdb_table", "read_raw", "read_table", "scan_folder", "table_path",
           "untracked"]

MAX_RECORD_BYTES = 1 << 20
"""Longest CSV record read (1 MiB); a Parquet column may hold this plus 1 KiB a row."""
MAX_SAFE_INTEGER = 2**53
"""Integers beyond this (in magnitude) cannot be held exactly and are not accepted."""
TABLE_SUFFIXES = (".parquet", ".csv")
DUCKDB_SUFFIXES = (".duckdb", ".db")
"""Names a DuckDB database file may end with (a missing one is named as a file)."""
MAX_COLUMNS = 200
"""A CSV with more columns than this is refused unread (the widest table has 12)."""


@dataclass(frozen=True)
class Dataset:
    """The analysis tables; a table not loaded is ``None``.

    Each table is a :class:`lifetools.reads.RecordingFrame` over the loaded frame (no
    copy): taking it notes the table, and the frame notes the columns read.
    """

    path: Path
    people: pd.DataFrame | None = None
    deprivation: pd.DataFrame | None = None
    referrals: pd.DataFrame | None = None
    ae_attendances: pd.DataFrame | None = None
    emergency_admissions: pd.DataFrame | None = None
    life_rooms_contacts: pd.DataFrame | None = None
    social_prescriptions: pd.DataFrame | None = None
    wellbeing: pd.DataFrame | None = None
    feedback: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        for name in TABLES:
            frame = object.__getattribute__(self, name)
            if isinstance(frame, pd.DataFrame):
                object.__setattr__(self, name, recording(frame, name))

    def __getattribute__(self, name: str):
        if name in _TABLE_FIELDS:
            note_read(name)
        elif name == "path":  # whoever holds the folder can read any file in it
            for table in TABLES:
                note_read(table, None)
        return object.__getattribute__(self, name)

    def fingerprint(self) -> dict:
        """SHA-256 of every input table file and of the dictionary."""
        return data_fingerprint(self.path)  # taking the path notes every table


TABLES = tuple(f.name for f in fields(Dataset) if f.name != "path")
_TABLE_FIELDS = frozenset(TABLES)


def untracked(data, name: str):
    """A table of ``data`` (a :class:`Dataset` or any object with table attributes)
    without recording a read: for code that only passes the frame on, such as
    :func:`lifetools.engines.engine_tables`, whose tables record their own reads."""
    if isinstance(data, Dataset):
        return untracked_frame(object.__getattribute__(data, name))
    return untracked_frame(getattr(data, name, None))


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


def check_file(path: Path) -> tuple[str, str] | None:
    """Check a table file can be read within bounds, reading at most one record at once.

    Returns ``(rule, message)`` for a CSV record longer than :data:`MAX_RECORD_BYTES`
    or not UTF-8, or a Parquet column over its bound; None when the file may be read.
    Messages cite row numbers (row 1 is the first data row), never values.
    """
    if path.suffix == ".parquet":
        return _check_parquet(path)
    record, inside_quotes, row = 0, False, 0
    with open(path, "rb") as handle:
        while True:
            line = handle.readline(MAX_RECORD_BYTES + 1)
            if not line:
                return None
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.start < len(line) - 3 or line.endswith(b"\n"):
                    return "file.encoding", (f"is not UTF-8 text (row {max(row, 1)}); "
                                             "save it as CSV UTF-8")
            if b"\x00" in line:
                return "file.encoding", (f"holds NUL bytes (row {max(row, 1)}): a binary "
                                         "or UTF-16 file; save it as CSV UTF-8")
            record += len(line)
            if record > MAX_RECORD_BYTES:
                return "value.too_long", (f"row {max(row, 1)} is longer than 1 MiB; the "
                                          "file was not read")
            inside_quotes ^= line.count(b'"') % 2 == 1
            if line.endswith(b"\n") and not inside_quotes:
                record, row = 0, row + 1


def _check_parquet(path: Path) -> tuple[str, str] | None:
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(path).metadata
    except Exception as exc:  # noqa: BLE001 - any read failure is the user's file
        return "file.unreadable", (f"cannot be read as Parquet (truncated or not "
                                   f"Parquet: {type(exc).__name__})")
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        bound = MAX_RECORD_BYTES + 1024 * group.num_rows
        for c in range(group.num_columns):
            if group.column(c).total_uncompressed_size > bound:
                return "value.too_long", (f"column #{c + 1} holds more than 1 MiB plus "
                                          "1 KiB a row; the file was not read")
    return None


def read_raw(path: Path, *, skip: Sequence[str] = ()
             ) -> tuple[pd.DataFrame | None, tuple[str, str] | None]:
    """Read a table file as it is (Parquet with its types, CSV as text), within bounds.

    Returns ``(frame, None)``, or ``(None, (rule, message))`` when the file is refused:
    over the bounds of :func:`check_file`, more than :data:`MAX_COLUMNS` columns, not
    comma-separated, not UTF-8, or not readable. Messages quote no value of the file.
    ``skip``: Parquet columns left unread (a column stored in a type validation refuses).
    """
    note_read(Path(path).stem, None)
    problem = check_file(path)
    if problem:
        return None, problem
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            if skip:
                names = pq.read_schema(path).names
                return pq.read_table(path, columns=[n for n in names if n not in skip]
                                     ).to_pandas(), None
            return pq.read_table(path).to_pandas(), None
        except Exception as exc:  # noqa: BLE001 - any read failure is the user's file
            return None, ("file.unreadable", f"cannot be read as Parquet (truncated or "
                                             f"not Parquet: {type(exc).__name__})")
    problem = csv_header_problem(path)
    if problem:
        return None, problem
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False,
                           encoding="utf-8-sig"), None
    except UnicodeDecodeError:
        return None, ("file.encoding", "is not UTF-8 text; save it as CSV UTF-8")
    except Exception as exc:  # noqa: BLE001 - malformed CSV is the user's file
        return None, ("file.unreadable", f"is not valid CSV ({type(exc).__name__})")


def csv_header_problem(path: Path) -> tuple[str, str] | None:
    """``(rule, message)`` when a CSV file's first line has too many columns or another
    delimiter than the comma (read by :func:`read_raw` and the engine's folder checks,
    :mod:`lifetools.engines.folder`), else None."""
    with open(path, "rb") as handle:
        header = handle.readline(MAX_RECORD_BYTES).decode("utf-8", errors="replace")
    if header.count(",") >= MAX_COLUMNS:
        return ("value.too_long", f"has more than {MAX_COLUMNS} columns; the file was "
                                  "not read")
    if "," not in header and any(d in header for d in (";", "\t", "|")):
        delimiter = next(d for d in (";", "\t", "|") if d in header)
        return ("file.delimiter", f"uses {delimiter!r} between columns; lifetools reads "
                                  "comma-separated CSV")
    return None


def table_path(data_dir: Path, name: str) -> Path | None:
    """Return the one safe file of a table, or None (none, two, or refused)."""
    files, _issues = scan_folder(data_dir, (name,))
    return files.get(name)


def _integers(column: pd.Series) -> pd.Series:
    """Whole numbers as Int64; non-finite, fractional-free overflow and text -> missing."""
    if pd.api.types.is_signed_integer_dtype(column.dtype):
        return column.astype("Int64")
    number = pd.to_numeric(column, errors="coerce")
    number = pd.Series(np.asarray(number, dtype="float64"), index=column.index)
    number = number.where(np.isfinite(number) & (number.abs() <= MAX_SAFE_INTEGER))
    return number.round().astype("Int64")


def _dates(column: pd.Series) -> pd.Series:
    """Dates as datetime64[ns]; dates outside 1677-2262 (the ns range) -> missing."""
    if column.dtype == "datetime64[ns]":
        return column  # already the type, every value in range (Parquet timestamp[ns])
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        low, high = pd.Timestamp.min, pd.Timestamp.max
        column = column.where((column >= low) & (column <= high))
        return pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")
    return pd.to_datetime(column, errors="coerce").astype("datetime64[ns]")


def coerce_types(frame: pd.DataFrame, spec: TableSpec, *,
                 clean: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Give each column its dictionary type (values that do not parse become missing).

    ``clean`` names string columns already holding Python ``str`` or ``None`` with no
    empty string (prepared in Arrow by :func:`read_table`): they are kept as they are.
    """
    out = {}
    for name in frame.columns:
        kind = spec.field(name).type if name in spec.field_names else "string"
        column = frame[name]
        if name in clean and kind == "string" and column.dtype == object:
            out[name] = column
        elif name == ID_COLUMN and pd.api.types.is_integer_dtype(column.dtype):
            out[name] = column.astype("Int64")  # compact person ids (lifetools.compact_ids)
        elif kind == "date":
            out[name] = _dates(column)
        elif kind == "integer":
            out[name] = _integers(column)
        elif kind == "number":
            number = pd.to_numeric(column, errors="coerce").astype("float64")
            out[name] = number.where(np.isfinite(number))
        elif kind == "boolean":
            if column.dtype == object or str(column.dtype).startswith("string"):
                column = column.map({"true": True, "false": False, "True": True,
                                     "False": False, "1": True, "0": False})
            out[name] = column.astype("boolean")
        else:
            values = column.astype(object)
            out[name] = values.where(values.notna() & (values != ""), None)
    return pd.DataFrame(out, index=frame.index)


def read_table(path: Path, spec: TableSpec, columns: Sequence[str] | None = None,
               *, ids=None):
    """Read one table file with its dictionary types (a read of ``columns``, default
    every column: :func:`note_read`).

    ``ids`` (the sorted id list of :func:`lifetools.compact_ids.id_list`) turns
    ``person_id`` into compact integer codes, never held as Python strings.

    Raises
    ------
    DataValidationError
        If the file is over the size bounds, not UTF-8, or not readable.
    """
    note_read(Path(path).stem, list(columns) if columns else None)
    return _read_table(Path(path), spec, columns, ids=ids)


def _read_table(path: Path, spec: TableSpec, columns: Sequence[str] | None = None,
                *, ids=None):
    problem = check_file(Path(path))
    if problem:
        raise DataValidationError(f"{Path(path).name}: {problem[1]} [rule: {problem[0]}]",
                                  hint="run `lifetools validate` on the folder")
    clean: frozenset[str] = frozenset()
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        names = list(columns) if columns else None
        known = file_codes(path, ids) if ids is not None else None
        position: int | None = None
        if known is not None:  # codes made with the id list: the ids are not read again
            names = names or file_columns(path)
            position = names.index(ID_COLUMN) if ID_COLUMN in names else None
            names = [c for c in names if c != ID_COLUMN]
        table = pq.read_table(path, columns=names)
        codes = None
        if known is not None and position is not None and len(known) == table.num_rows:
            codes = (position, known)
        elif known is not None and position is not None:  # file changed: read as before
            table = pq.read_table(path, columns=list(columns) if columns else None)
        if codes is None and ids is not None and ID_COLUMN in table.column_names:
            codes = (table.column_names.index(ID_COLUMN),
                     encode_ids(table.column(ID_COLUMN), ids))
            table = table.drop_columns([ID_COLUMN])
        table, clean = _clean_strings(table, spec)
        frame = coerce_types(table.to_pandas(), spec, clean=clean)
        if codes is not None:
            frame.insert(codes[0], ID_COLUMN, codes[1].set_axis(frame.index))
        return frame
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                        usecols=list(columns) if columns else None)
    if ids is not None and ID_COLUMN in frame.columns:
        frame[ID_COLUMN] = encode_ids(frame[ID_COLUMN], ids).set_axis(frame.index)
    return coerce_types(frame, spec, clean=clean)


def _clean_strings(table, spec: TableSpec):
    """Empty strings to null in Arrow for the dictionary's string columns (fast).

    Returns the table and the names of the columns done: pandas then receives ``str`` or
    ``None`` and :func:`coerce_types` need not compare every value with ``""``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    done = set()
    for index, name in enumerate(table.column_names):
        kind = spec.field(name).type if name in spec.field_names else "string"
        column = table.column(index)
        if kind != "string" or not (pa.types.is_string(column.type)
                                    or pa.types.is_large_string(column.type)):
            continue
        empty = pc.fill_null(pc.equal(column, ""), False)
        column = pc.if_else(empty, pa.scalar(None, column.type), column)
        table = table.set_column(index, name, column)
        done.add(name)
    return table, frozenset(done)


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


def read_duckdb_table(path: Path, name: str, spec: TableSpec | None = None,
                      columns: Sequence[str] | None = None, *,
                      typed: bool = True) -> pd.DataFrame:
    """Read one table of a DuckDB database file, in its stored row order.

    With ``typed`` (the default) the columns get their dictionary types exactly as a
    Parquet file's do (:func:`read_table`), so a build from a DuckDB file sees the same
    frames as a build from the Parquet files it was made from; without, the frame is
    as DuckDB holds it (for validation). The file is opened read-only.
    """
    import duckdb

    wanted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns) if columns else "*"
    with duckdb.connect(str(path), read_only=True) as connection:
        table = connection.sql(
            f'SELECT {wanted} FROM "{name}"').to_arrow_table()  # insertion order kept
    if not typed or spec is None:
        return table.to_pandas()
    table, clean = _clean_strings(table, spec)
    return coerce_types(table.to_pandas(), spec, clean=clean)
