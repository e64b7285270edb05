"""The analysis tables of a database server as a dataset: cohorts in the engine, frames
in pandas only where a report needs them.

``lt.load_dataset("postgresql://...")`` (and so every notebook of a build given
``--data postgresql://...``) returns an :class:`EngineDataset`. The cohort builders
receive its :class:`~lifetools.engines.EngineTables` (:func:`engine_tables` returns
them as they are) and run as queries on the server; the per-person frames come back
to pandas. A report that reads a whole table as a frame (``dataset.wellbeing``) gets
it fetched once, with the dictionary's pandas types, in primary-key order (a
warehouse table has no row order; :func:`numbered`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from lifetools.dataset import TABLES
from lifetools.dictionary import load_dictionary
from lifetools.engines.connect import connect
from lifetools.engines.engine import EngineTables
from lifetools.engines.source import parse_source
from lifetools.errors import DataValidationError
from lifetools.reads import note_read
from lifetools.typed_reads import _clean_strings, coerce_types

ROW_COLUMN = _ROW = "__row"
"""The column of a server table that holds its rows' numbers in load order, if any."""

__all__ = ["ROW_COLUMN", "EngineDataset", "fetch_table", "numbered", "open_dataset",
           "rows_query", "stored_order"]


def numbered(tables: EngineTables, name: str) -> Any:
    """The table with each row's number (1, 2, ...) in key order in a column ``__row``.

    A warehouse table has no row order (PostgreSQL fills space left on earlier pages,
    so even a table loaded in one pass is not stored in load order): rows are numbered
    by the table's primary key (the data dictionary's), ties (a key that validation
    finds repeated) in PostgreSQL's physical order. A table loaded with its rows'
    numbers in a column ``__row`` (:data:`ROW_COLUMN`: 1, 2, ... in the folder's order)
    keeps that order, so a build from it publishes any folder's bytes. Validation cites
    these numbers, and :func:`fetch_table` returns the rows in this order.
    """
    import ibis

    keys = load_dictionary().table(name).primary_key
    table = tables.tables[name]
    if ROW_COLUMN in table.columns:  # numbered when loaded: the source's own order
        return table.relocate(ROW_COLUMN)
    if tables.engine == "postgres":
        order = ", ".join('"' + k.replace('"', '""') + '"' for k in keys if k in
                          table.columns)
        return tables.backend.sql(f'SELECT row_number() OVER (ORDER BY '
                                  f'{order + ", " if order else ""}ctid) AS "{_ROW}", '
                                  f'* FROM "{name}"')
    keys = [k for k in keys if k in table.columns]
    return table.mutate(**{_ROW: ibis.row_number().over(order_by=keys) + 1}
                        ).relocate(_ROW)


def stored_order(tables: EngineTables, name: str,
                 columns: Sequence[str] | None = None) -> Any:
    """The table ``name`` (only ``columns``, if given) in key order (:func:`numbered`)."""
    table = numbered(tables, name)
    return table.order_by(_ROW).select(*(columns or [c for c in tables.tables[name].columns
                                                     if c != _ROW]))


def rows_query(tables: EngineTables, name: str, where: Callable[[Any], Any],
               columns: Sequence[str] | None = None) -> Any:
    """The query of the rows of one table that a condition keeps, numbered, in key order.

    Parameters
    ----------
    tables
        The engine's tables (:func:`lifetools.engines.engine_tables`).
    name
        A table of the data dictionary that ``tables`` holds.
    where
        A function of the :func:`numbered` table returning an ibis boolean expression:
        the rows kept (e.g. :func:`lifetools.people.of_locality`).
    columns
        The columns selected after the row numbers; default every one.

    Returns
    -------
    ibis.expr.types.Table
        An unexecuted query: the rows kept, in key order (their numbers, ``__row``),
        with ``__row`` first and then ``columns``. :func:`fetch_table` runs it.

    Raises
    ------
    lifetools.errors.DictionaryError
        ``name`` is not a table of the data dictionary.
    KeyError
        ``name`` is a table of the dictionary that ``tables`` does not hold.
    """
    table = numbered(tables, name)
    return table.filter(where(table)).order_by(_ROW).select(
        _ROW, *(columns or [c for c in tables.tables[name].columns if c != _ROW]))


def fetch_table(tables: EngineTables, name: str,
                columns: Sequence[str] | None = None,
                where: Callable[[Any], Any] | None = None) -> pd.DataFrame:
    """One whole table brought to pandas with the dictionary's types (as
    :func:`lifetools.load_dataset` gives a Parquet file's), in key order.

    With ``where`` (a function of the :func:`numbered` table returning an ibis boolean
    expression) only the rows it keeps are fetched, selected in the engine, each with
    its index in the whole table (its row number less one): the frame that fetching the
    whole table and filtering it in pandas gives.
    """
    spec = load_dictionary().table(name)
    if where is None:
        arrow = tables.backend.to_pyarrow(stored_order(tables, name, columns))
        index = None
    else:
        arrow = tables.backend.to_pyarrow(rows_query(tables, name, where, columns))
        index = pd.Index(arrow.column(_ROW).to_numpy() - 1, dtype="int64")
        arrow = arrow.drop_columns([_ROW])
    arrow, clean = _clean_strings(arrow, spec)
    frame = coerce_types(arrow.to_pandas(), spec, clean=clean)
    if index is not None:
        frame.index = index
    return frame


class EngineDataset:
    """The analysis tables of a server source, with the attributes of a ``Dataset``.

    ``path`` is the source as it may be printed (no password). ``engine`` holds the
    ibis tables; a table read as an attribute is fetched to pandas on first use and
    kept. Reads are recorded as for a ``Dataset``.

    Notes
    -----
    Tested in ``tests/engines/test_engine_build.py`` (a full build from PostgreSQL
    publishes the folder build's bytes).
    """

    def __init__(self, engine: EngineTables, *, tables: Sequence[str] | None = None,
                 columns: Mapping[str, Sequence[str]] | None = None) -> None:
        missing = [n for n in tables or () if n not in engine.tables]
        if missing:
            raise DataValidationError(f"table {missing[0]!r} is not in {engine.where}",
                                      hint="run `lifetools validate` on the source")
        self.engine = engine
        self.path = engine.where
        self._wanted = tuple(tables or [n for n in TABLES if n in engine.tables])
        self._columns = dict(columns or {})
        self._frames: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        """The engine and each table's state, as ``repr(Dataset)`` gives them: no
        table fetched, no read recorded, no value and no server address shown."""
        states = [f"{name}: " + (f"{len(self._frames[name].columns)} columns"
                                 if name in self._frames else "not read yet")
                  for name in self._wanted]
        return f"EngineDataset({self.engine.engine!r}; {', '.join(states) or 'no tables'})"

    def __getattr__(self, name: str) -> Any:
        if name not in TABLES:
            raise AttributeError(name)
        if name not in self._wanted:
            return None
        note_read(name, None)  # the whole table reaches pandas
        if name not in self._frames:
            self._frames[name] = fetch_table(self.engine, name, self._columns.get(name))
        return self._frames[name]

    def rows(self, name: str, where: Callable[[Any], Any]) -> pd.DataFrame | None:
        """The rows of table ``name`` that ``where`` keeps, selected on the server
        (:func:`fetch_table`'s ``where``): only they reach pandas, with the index the
        whole table's frame gives them. ``None`` for a table not loaded."""
        if name not in self._wanted:
            return None
        note_read(name, None)  # every column of the rows reaches pandas
        return fetch_table(self.engine, name, self._columns.get(name), where=where)


def open_dataset(source: str, *, tables: Sequence[str] | None = None,
                 columns: Mapping[str, Sequence[str]] | None = None) -> EngineDataset:
    """Connect to a server source (``postgresql://...``, ``spark://local[N]``) and
    return its tables as an :class:`EngineDataset` (what :func:`lifetools.load_dataset`
    returns for such a source)."""
    return EngineDataset(connect(parse_source(source)), tables=tables, columns=columns)
