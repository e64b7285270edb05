"""Which tables and columns a run reads: recorded at run time, for the run cache.

The runner names a log file in ``LIFETOOLS_READS_LOG`` for each run; every read of the
analysis data appends one line to it (:func:`note_read`): ``table`` (the table was
touched: its rows and column names count) or ``table<TAB>column`` (that column's values
count; ``*`` for every column). :func:`parse_log` turns the log into the record's
``reads``. The pipeline keys the run on the fingerprints of exactly those columns
(:mod:`lifetools.pipeline.dependencies`).

Reads are recorded on three paths, each of which counts any access it does not
understand as a read of every column, so that a read is never missed (over-recording
reruns too much; under-recording would publish stale numbers):

- the tables of a :class:`~lifetools.dataset.Dataset` are :class:`RecordingFrame`\\ s
  (this module): a column taken by name (``frame["x"]``, ``frame[["x", "y"]]``,
  ``frame.x``, ``frame.loc[rows, "x"]``) counts that column; metadata (``columns``,
  ``index``, ``shape``, ``dtypes``, ``len``) counts none; ``frame.merge(...)`` and
  ``frame.join(...)`` count their key columns and return a traced frame
  (:mod:`lifetools.reads_merge`) whose columns count, when read, the table columns
  they came from; any other attribute or method, public or internal (``copy``,
  iteration of rows, ``_mgr`` taken by pandas or numpy code, ``pd.merge(frame, ...)``)
  counts every column;
- the ibis tables of :func:`lifetools.engines.engine_tables`: an expression executed
  through ``fetch``, ``count``, ``counts`` or ``value`` counts the columns it names
  (:func:`lifetools.engines.columns.expression_columns`); any other execution through
  the engine counts every column of every table;
- :func:`lifetools.typed_reads.read_table` (its ``columns``, else every column),
  :func:`lifetools.bounded_reads.read_raw` and ``Dataset.fingerprint`` (every column).
"""

from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd
from pandas.api.types import is_bool_dtype, is_list_like

from lifetools import reads_merge

__all__ = ["ALL", "ENV_READS_LOG", "RecordingFrame", "note_read", "parse_log", "quiet",
           "recording", "same_tracing", "untracked_frame"]

ENV_READS_LOG = "LIFETOOLS_READS_LOG"
"""A file the runner names: each table and column an analysis reads is appended to it."""
ALL = "*"
"""The column name recorded for "every column of the table"."""
_NOTED: set[tuple[str, str, str]] = set()
"""(log file, table, column) lines already written by :func:`note_read` in this process."""
_STATE = threading.local()


@contextmanager
def quiet():
    """Inside: accesses to a :class:`RecordingFrame` record nothing (bookkeeping)."""
    depth = getattr(_STATE, "quiet", 0)
    _STATE.quiet = depth + 1
    try:
        yield
    finally:
        _STATE.quiet = depth


def _is_quiet() -> bool:
    return getattr(_STATE, "quiet", 0) > 0


def note_read(table: str, columns: Iterable[str] | None = ()) -> None:
    """Record that the running analysis read ``table``: ``columns`` of it (None: all).

    Notes
    -----
    Appends ``table`` and one ``table<TAB>column`` line per column to the file named
    by :data:`ENV_READS_LOG` (nothing happens without it), each once per file. An
    empty ``columns`` records that the table was touched (its rows and column names
    count). Tested in ``tests/unit/test_reads.py`` and ``tests/unit/test_read_columns.py``.
    """
    log = os.environ.get(ENV_READS_LOG)
    if not log:
        return
    wanted = [ALL] if columns is None else [str(c) for c in columns]
    lines = [f"{table}\t{c}" if c else table for c in ("", *wanted)
             if (log, table, c) not in _NOTED]
    if not lines:
        return
    _NOTED.update((log, table, line.partition("\t")[2]) for line in lines)
    with open(log, "a", encoding="utf-8") as handle:
        handle.write("".join(f"{line}\n" for line in lines))


def parse_log(text: str) -> dict[str, list[str]]:
    """Table to the sorted columns it read (``["*"]``: all; ``[]``: touched only)."""
    reads: dict[str, set[str]] = {}
    for line in text.splitlines():
        table, _, column = line.partition("\t")
        if not table:
            continue
        found = reads.setdefault(table, set())
        if column:
            found.add(column)
    return {t: [ALL] if ALL in c else sorted(c) for t, c in sorted(reads.items())}


#: Attributes that say what a frame holds, not its values: no column is read.
_METADATA = frozenset({"columns", "index", "shape", "dtypes", "empty", "ndim", "axes",
                       "size", "keys"})
#: Attributes of the recorder itself.
_OWN = frozenset({"_lt_table", "_lt_all", "_lt_sources", "_lt_note", "_lt_key_columns",
                  "_lt_tables", "__class__", "_constructor", "_constructor_sliced"})
#: Methods traced column by column (:func:`_traced`, planned by :mod:`lifetools.reads_merge`).
_TRACED = frozenset({"merge", "join"})


class RecordingFrame(pd.DataFrame):
    """A table of the dataset that records which of its columns are read.

    Operations return plain DataFrames (``_constructor``): only the dataset's own
    frames record, so derived frames cost nothing. See the module docstring for what
    counts as a read of one column, of none, or of every column.

    Notes
    -----
    Soundness rests on one rule: every attribute taken from the frame outside the
    recorder's own bookkeeping goes through ``__getattribute__``, and any name not
    known to read one column or none counts every column. Special methods Python
    calls on the type (``[]``, ``len``, ``in``, iteration) are overridden here; the
    others (arithmetic, comparison, ``np.asarray``) reach the frame's data through
    its attributes and so count every column. Tested in
    ``tests/unit/test_read_columns.py``.
    """

    _metadata = ["_lt_table", "_lt_all", "_lt_sources"]
    _lt_table = ""
    _lt_all = True  # until :func:`recording` has set the frame up: record nothing
    #: A merged frame's columns to the (table, column)s each came from (None: the
    #: frame is one table's, each column its own; :mod:`lifetools.reads_merge`).
    _lt_sources: dict[str, frozenset[tuple[str, str]]] | None = None

    @property
    def _constructor(self):
        return pd.DataFrame

    def _lt_tables(self) -> list[str]:
        """The tables this frame's data come from."""
        sources = object.__getattribute__(self, "_lt_sources")
        if sources is None:
            return [object.__getattribute__(self, "_lt_table")]
        return sorted({t for found in sources.values() for t, _ in found})

    def _lt_note(self, columns: Iterable[str] | None) -> None:
        """Note ``columns`` (None: every column this frame holds) as read."""
        sources = object.__getattribute__(self, "_lt_sources")
        if columns is None:  # every column of the table, not only those loaded here:
            # a warm kernel skips unused columns, and the key must not depend on that
            object.__setattr__(self, "_lt_all", True)
        if sources is None:
            note_read(object.__getattribute__(self, "_lt_table"), columns)
            return
        for table in self._lt_tables():  # a merged frame: its tables' columns
            note_read(table, None if columns is None else ())
        for column in columns or ():
            for table, name in sorted(sources.get(column, ())):
                note_read(table, None if name == ALL else [name])

    def __getattribute__(self, name: str) -> Any:
        if name in _OWN or _is_quiet() or object.__getattribute__(self, "_lt_all"):
            return object.__getattribute__(self, name)
        if name in _METADATA:
            self._lt_note(())
            with quiet():
                return object.__getattribute__(self, name)
        with quiet():
            is_column = (name in pd.DataFrame.__getattribute__(self, "columns")
                         and not hasattr(type(self), name))
        if is_column:  # frame.x: pandas answers through __getattr__, below
            self._lt_note([name])
            with quiet():
                return pd.DataFrame.__getattr__(self, name)
        if name in ("loc", "iloc"):
            return _Indexer(self, name)
        if name in _TRACED:
            return _traced(self, name)
        self._lt_note(None)
        return object.__getattribute__(self, name)

    def _lt_key_columns(self, key: Any) -> list[str] | None:
        """The columns ``frame[key]`` reads (None: every column)."""
        with quiet():
            columns = pd.DataFrame.__getattribute__(self, "columns")
            try:
                if not isinstance(key, tuple) and key in columns:
                    return [key]
            except TypeError:  # unhashable: a list, an array, a Series
                pass
            if (is_list_like(key) and not isinstance(key, tuple | pd.DataFrame)
                    and not is_bool_dtype(getattr(key, "dtype", None))
                    and all(not isinstance(k, bool) for k in key)):
                labels = list(key)
                if labels and all(isinstance(k, str) and k in columns for k in labels):
                    return labels
        return None

    def __getitem__(self, key: Any) -> Any:
        if _is_quiet() or object.__getattribute__(self, "_lt_all"):
            return super().__getitem__(key)
        columns = self._lt_key_columns(key)
        if columns is None and _row_mask(key):
            # rows chosen by a mask (its own reads recorded when it was made): the
            # selected rows record their columns as they are read, as this frame does
            with quiet():
                rows = super().__getitem__(key)
            return same_tracing(rows, self)
        self._lt_note(columns)
        with quiet():
            return super().__getitem__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        with quiet():  # a write reads nothing; what is read back later is recorded then
            super().__setitem__(key, value)

    def __len__(self) -> int:
        if not _is_quiet():
            self._lt_note(())
        with quiet():
            return super().__len__()

    def __contains__(self, key: Any) -> bool:
        if not _is_quiet():
            self._lt_note(())
        with quiet():
            return super().__contains__(key)

    def __iter__(self):
        if not _is_quiet():
            self._lt_note(())  # iterating a frame gives its column names
        with quiet():
            return iter(list(super().__iter__()))

    def __getattr__(self, name: str) -> Any:
        with quiet():
            return super().__getattr__(name)

    def __repr__(self) -> str:
        if not _is_quiet():
            self._lt_note(None)
        with quiet():
            return super().__repr__()


def _row_mask(key: Any) -> bool:
    """Whether ``frame[key]`` selects rows by a one-dimensional boolean mask."""
    return (not isinstance(key, pd.DataFrame | tuple) and getattr(key, "ndim", 0) == 1
            and is_bool_dtype(getattr(key, "dtype", None)))


class _Indexer:
    """``frame.loc`` / ``frame.iloc`` of a :class:`RecordingFrame`: ``[rows, cols]``
    with column labels counts those columns; any other use counts every column."""

    def __init__(self, frame: RecordingFrame, kind: str) -> None:
        self._frame, self._kind = frame, kind

    def _real(self):
        with quiet():
            return pd.DataFrame.__getattribute__(self._frame, self._kind)

    def __getitem__(self, key: Any) -> Any:
        columns = None
        if self._kind == "loc" and isinstance(key, tuple) and len(key) == 2:
            columns = self._frame._lt_key_columns(key[1])
        elif self._kind == "loc" and _row_mask(key):
            real = self._real()
            with quiet():
                rows = real[key]
            return same_tracing(rows, self._frame)
        self._frame._lt_note(columns)
        real = self._real()
        with quiet():
            return real[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._frame._lt_note(None)  # a partial write: count every column, to be safe
        real = self._real()
        with quiet():
            real[key] = value

    def __getattr__(self, name: str) -> Any:
        self._frame._lt_note(None)
        return getattr(self._real(), name)


def recording(frame: pd.DataFrame | None, table: str) -> pd.DataFrame | None:
    """``frame`` as a :class:`RecordingFrame` of ``table`` sharing its data (no copy)."""
    if frame is None or isinstance(frame, RecordingFrame):
        return frame
    with quiet():
        out = RecordingFrame._from_mgr(frame._mgr, axes=frame._mgr.axes)
        object.__setattr__(out, "_lt_table", table)
        object.__setattr__(out, "_lt_all", False)
        object.__setattr__(out, "attrs", dict(frame.attrs))
    return out


def same_tracing(frame: pd.DataFrame, like: RecordingFrame,
                 sources: Mapping[str, frozenset[tuple[str, str]]] | None = None
                 ) -> pd.DataFrame:
    """``frame`` (rows or a merge of ``like``) recording as ``like`` does, or as a
    merged frame of ``sources`` (its columns to the table columns they came from)."""
    if sources is None:
        sources = object.__getattribute__(like, "_lt_sources")
        if sources is None:
            return recording(frame, object.__getattribute__(like, "_lt_table"))
    if not any(sources.values()):
        return frame  # every column it holds was counted already
    with quiet():
        out = RecordingFrame._from_mgr(frame._mgr, axes=frame._mgr.axes)
        object.__setattr__(out, "_lt_sources", dict(sources))
        object.__setattr__(out, "_lt_all", False)
        object.__setattr__(out, "attrs", dict(frame.attrs))
    return out


def _sources(side: Any) -> reads_merge.Sources:
    """Each column of ``side`` to the table columns it holds (empty: already counted)."""
    columns = list(side.columns) if isinstance(side, pd.DataFrame) else [side.name]
    if not isinstance(side, RecordingFrame) or object.__getattribute__(side, "_lt_all"):
        return {c: frozenset() for c in columns}
    known = object.__getattribute__(side, "_lt_sources")
    if known is not None:
        return {c: known.get(c, frozenset()) for c in columns}
    table = object.__getattribute__(side, "_lt_table")
    return {c: frozenset({(table, c)}) for c in columns}


def _traced(frame: RecordingFrame, kind: str) -> Callable[..., Any]:
    """``frame.merge`` or ``frame.join``, traced (:mod:`lifetools.reads_merge`).

    Notes
    -----
    Sound by construction: the keys of both sides count when the merge is made; each
    result column counts the columns pandas may have taken it from (by name, with the
    suffixes); anything not understood counts every column of both sides. Tested in
    ``tests/unit/test_read_merges.py``, which changes every column the trace leaves
    out, in many merges and uses, and checks that the result does not change.
    """
    real = getattr(pd.DataFrame, kind)

    def traced(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = inspect.signature(real).bind(frame, *args, **kwargs)
            bound.apply_defaults()
            with quiet():
                plan = reads_merge.merge_plan(kind, bound.arguments)
        except TypeError:
            plan = None
        if plan is None:
            frame._lt_note(None)
            for other in [*args, *kwargs.values()]:
                if isinstance(other, RecordingFrame):
                    other._lt_note(None)
            with quiet():
                return real(frame, *args, **kwargs)
        left_keys, right_keys, right, suffixes, indicator = plan
        frame._lt_note(left_keys)
        if isinstance(right, RecordingFrame) and not object.__getattribute__(right,
                                                                            "_lt_all"):
            right._lt_note(right_keys)
        with quiet():
            left_sources, right_sources = _sources(frame), _sources(right)
            result = real(frame, *args, **kwargs)
        every = frozenset((t, ALL) for found in [*left_sources.values(),
                                                 *right_sources.values()] for t, _ in found)
        return same_tracing(result, frame, reads_merge.result_sources(
            result, left_sources, right_sources, suffixes, indicator, every))

    return traced


def untracked_frame(frame: Any) -> Any:
    """A plain DataFrame over the same data as a :class:`RecordingFrame` (not recorded):
    for code that passes the frame on to something that records its own reads."""
    if not isinstance(frame, RecordingFrame):
        return frame
    with quiet():
        plain = pd.DataFrame._from_mgr(frame._mgr, axes=frame._mgr.axes)
        plain.attrs = dict(frame.attrs)
    return plain


def columns_of(reads: Mapping[str, list[str]], table: str) -> list[str] | None:
    """The columns of ``table`` in parsed ``reads`` (None: every column)."""
    found = reads.get(table, [])
    return None if ALL in found else list(found)
