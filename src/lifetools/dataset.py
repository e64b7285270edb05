"""The analysis tables: :class:`Dataset`, and the table list :data:`TABLES` (its fields).

What :func:`lifetools.load_dataset` returns, and what every cohort, report and engine
takes: one frame per table of the data dictionary, each a
:class:`lifetools.reads.RecordingFrame` that records the columns read. This module
reads no file: the files are found by :mod:`lifetools.folder_scan`, read within bounds
by :mod:`lifetools.bounded_reads` and given their dictionary types by
:mod:`lifetools.typed_reads`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from lifetools.fingerprint import data_fingerprint
from lifetools.reads import note_read, recording, untracked_frame

__all__ = ["TABLES", "Dataset", "Deferred", "engine_source", "pending", "present_tables",
           "read_now", "untracked"]


class Deferred:
    """A table of a :class:`Dataset` read when first used: ``load()`` returns its frame.

    :func:`lifetools.load_dataset` gives every table present this way, so a notebook
    brings into pandas only the tables its report uses (a report of four tables does
    not read nine). The table is read into pandas once, on the first access, by
    whichever comes first: the report taking it (``dataset.wellbeing``) or the
    relational layer registering it in the embedded engine
    (:func:`lifetools.engines.engine_tables`). ``unread`` gives what the engine may
    query instead while the table is not read (:meth:`unread`), so the dataset reads it
    only if the report takes it (issue 18), in a warm kernel as in a cold one.
    """

    __slots__ = ("_load", "_unread", "table")

    def __init__(self, table: str, load: Callable[[], pd.DataFrame],
                 unread: Callable[[], Any] | None = None) -> None:
        self.table, self._load, self._unread = table, load, unread

    def load(self) -> pd.DataFrame:
        """Read the table (each call reads it). :class:`Dataset` calls it once and keeps
        the frame, unless the engine was handed the warm kernel's kept frame: the
        dataset then takes that frame instead of calling this (:data:`HANDED`)."""
        return self._load()

    def unread(self) -> Any:
        """The table for the engine to query without the dataset reading it: a
        ``pyarrow.Table`` whose ``to_pandas()`` is :meth:`load`'s frame (memory-mapped
        from a folder's typed cache, :mod:`lifetools.typed_cache`), or the warm kernel's
        kept frame (its read-only values shared; the dataset keeps that frame as the
        table when the report takes it, :data:`HANDED`); None when there is neither
        (the table is then read)."""
        return self._unread() if self._unread is not None else None

    def __repr__(self) -> str:
        return f"<{self.table}: not read yet>"


@dataclass(frozen=True)
class Dataset:
    """The analysis tables; a table not loaded is ``None``.

    Each table is a :class:`lifetools.reads.RecordingFrame` over the loaded frame (no
    copy): taking it notes the table, and the frame notes the columns read. A table
    given as a :class:`Deferred` is read on first use and kept.
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
            return _resolved(self, name)
        elif name == "path":  # whoever holds the folder can read any file in it
            for table in TABLES:
                note_read(table, None)
        return object.__getattribute__(self, name)

    def __repr__(self) -> str:
        """The folder's name and each table's state, without reading a table, recording
        a read or showing a value: a notebook cell ending in ``dataset`` publishes this
        line, so it holds no row, no count of rows and no machine path."""
        path = object.__getattribute__(self, "path")
        states = []
        for name in TABLES:
            value = object.__getattribute__(self, name)
            if value is None:
                continue
            state = ("not read yet" if isinstance(value, Deferred)
                     else f"{len(untracked_frame(value).columns)} columns")
            states.append(f"{name}: {state}")
        return f"Dataset({Path(path).name!r}; {', '.join(states) or 'no tables'})"

    def __getstate__(self) -> dict:
        """The fields, without the embedded DuckDB the engine keeps on the dataset
        (:data:`KEPT_ENGINE`): a copy or a pickle holds the tables, never the original's
        connection (which cannot be pickled, and would keep the original alive)."""
        state = dict(object.__getattribute__(self, "__dict__"))
        state.pop(KEPT_ENGINE, None)
        state.pop(HANDED, None)
        return state

    def fingerprint(self) -> dict:
        """SHA-256 of every input table file and of the dictionary."""
        return data_fingerprint(self.path)  # taking the path notes every table


TABLES = tuple(f.name for f in fields(Dataset) if f.name != "path")
KEPT_ENGINE = "_lifetools_engine"
"""The attribute in which :mod:`lifetools.engines.engine` keeps a dataset's embedded
DuckDB (its registered tables and expressions) for the dataset's lifetime."""
HANDED = "_lifetools_handed"
"""The attribute in which :func:`engine_source` keeps, per table not read yet, the
frame it handed the engine (a warm kernel's kept frame, :meth:`Deferred.unread`): the
dataset's frame when it reads the table, so the engine kept for it stays in use. Kept
on the dataset, not on its reader, so that a copy (which drops it) reads its own."""
_TABLE_FIELDS = frozenset(TABLES)


def _resolved(data: Dataset, name: str):
    """The table ``name`` of ``data``, read now (and kept) if it was deferred."""
    value = object.__getattribute__(data, name)
    if isinstance(value, Deferred):
        handed = vars(data).get(HANDED, {}).pop(name, None)  # what the engine queries
        value = recording(value.load() if handed is None else handed, name)
        object.__setattr__(data, name, value)
    return value


def read_now(data: Dataset, names: Sequence[str]) -> Dataset:
    """``data`` with the tables ``names`` read now (those deferred), not on first use:
    :func:`lifetools.load_dataset` given the tables to load reads them at once, so a
    table that cannot be read (a value past the dictionary's limits, a broken file)
    fails where it was asked for."""
    for name in names:
        _resolved(data, name)
    return data


def present_tables(data) -> tuple[str, ...]:
    """The tables ``data`` holds (loaded or deferred), without reading any."""
    if isinstance(data, Dataset):
        return tuple(n for n in TABLES if object.__getattribute__(data, n) is not None)
    return tuple(n for n in TABLES if untracked_frame(getattr(data, n, None)) is not None)


def pending(data, name: str) -> Deferred | None:
    """The :class:`Deferred` of table ``name`` while ``data`` has not read it, else None."""
    if not isinstance(data, Dataset):
        return None
    value = object.__getattribute__(data, name)
    return value if isinstance(value, Deferred) else None


def engine_source(data, name: str):
    """What the embedded engine registers for table ``name`` of ``data``, without
    recording a read: for a table not read yet, the memory-mapped Arrow table of its
    typed cache entry or the warm kernel's kept frame (:meth:`Deferred.unread`; the
    dataset still holds it unread, so ``repr(data)`` says so in a warm kernel as in a
    cold one), else the pandas frame (:func:`untracked`, read now if deferred)."""
    waiting = pending(data, name)
    if waiting is not None:
        table = waiting.unread()
        if isinstance(table, pd.DataFrame):  # the kept frame: the dataset's when read
            vars(data).setdefault(HANDED, {})[name] = table
        if table is not None:
            return table
    return untracked(data, name)


def untracked(data, name: str):
    """A table of ``data`` (a :class:`Dataset` or any object with table attributes)
    without recording a read: for code that only passes the frame on, such as
    :func:`lifetools.engines.engine_tables`, whose tables record their own reads."""
    if isinstance(data, Dataset):
        return untracked_frame(_resolved(data, name))
    return untracked_frame(getattr(data, name, None))
