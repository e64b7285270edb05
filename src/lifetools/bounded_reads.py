"""Bounded reads of a table file: a huge record or column is refused before it is loaded.

A CSV record longer than :data:`MAX_RECORD_BYTES`, a Parquet column holding more than
:data:`MAX_RECORD_BYTES` plus 1 KiB per row, a CSV of more than :data:`MAX_COLUMNS`
columns, not comma-separated or not UTF-8 are refused (:func:`check_file`,
:func:`csv_header_problem`), so a huge cell cannot exhaust memory. :func:`read_raw`
reads a file as it is, within those bounds, for validation (Parquet with its types, CSV
as text); :func:`lifetools.typed_reads.read_table` reads it with the dictionary's
types. Messages cite row numbers, never values.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lifetools.reads import note_read

__all__ = ["MAX_COLUMNS", "MAX_RECORD_BYTES", "check_file", "csv_header_problem",
           "read_raw"]

MAX_RECORD_BYTES = 1 << 20
"""Longest CSV record read (1 MiB); a Parquet column may hold this plus 1 KiB a row."""
MAX_COLUMNS = 200
"""A CSV with more columns than this is refused unread (the widest table has 12)."""


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
