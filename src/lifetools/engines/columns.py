"""Which columns of which tables an ibis expression reads (for the run cache).

:func:`expression_columns` walks an expression's operation graph. It over-records by
design, never under-records (the reasons are in its Notes); :class:`RecordingBackend`
makes every other way into the engine count every column of every table.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ibis.expr.operations as ops
from ibis.common.collections import FrozenDict

from lifetools.reads import note_read

__all__ = ["RecordingBackend", "expression_columns", "precise", "record_expression",
           "recording_backend"]

_STATE = threading.local()

#: Relations that pass their parent's columns through by name: a column asked of them
#: is asked of their parent.
_PASS = (ops.Filter, ops.Sort, ops.Limit, ops.JoinReference, ops.SelfReference,
         ops.DropColumns)
#: Leaf relations holding none of the analysis tables' data.
_OWN_DATA = (ops.InMemoryTable, ops.UnboundTable)
#: Relations whose content is SQL text: what they read is not known.
_OPAQUE = (ops.SQLStringView, ops.SQLQueryResult)


def _nodes(value: Any) -> Iterator[ops.Node]:
    if isinstance(value, ops.Node):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _nodes(item)
    elif isinstance(value, FrozenDict | dict):
        for item in value.values():
            yield from _nodes(item)


def expression_columns(expr: Any) -> dict[str, list[str] | None]:
    """The tables an ibis expression reads and, per table, the columns (None: all).

    A table with an empty list is read for its rows only (a count, or a join whose
    columns are not used).

    Notes
    -----
    Columns are followed from the result back to the tables (demand-driven, as a
    query optimiser prunes columns): the result asks for all its columns (or, for a
    value, the columns its ``Field`` operations name); a projection or join asks of
    its inputs what its asked-for outputs use; a filter, sort or join condition and an
    aggregation's groups are always used (they decide which rows exist); a filter,
    sort, limit, drop or join reference passes a column asked of it to its input by
    name. Any operation not in those rules (``distinct``, ``union``, ``dropna``, a
    window aggregation, a subquery) asks every column of its inputs. A relation made
    of SQL text returns every table of the expression with None, and
    :func:`record_expression` then counts every table. So a column is left out only
    when no path from it reaches the result. Tested in
    ``tests/unit/test_read_columns.py``.
    """
    root = expr.op() if hasattr(expr, "op") else expr
    demand: dict[ops.Relation, set[str]] = {}
    live: set[ops.Node] = set()
    todo: list[ops.Node] = []
    tables: dict[str, set[str]] = {}
    opaque = False

    def need(relation: ops.Relation, columns: Any) -> None:
        wanted = set(relation.schema.names) if columns is None else set(columns)
        known = demand.get(relation)
        if known is not None and wanted <= known:
            return
        demand[relation] = (known or set()) | wanted
        todo.append(relation)

    def use(value: Any) -> None:
        for node in _nodes(value):
            if isinstance(node, ops.Relation):
                need(node, None)
            elif node not in live:
                live.add(node)
                todo.append(node)

    if isinstance(root, ops.Relation):
        need(root, None)
    else:
        use(root)
    while todo:
        node = todo.pop()
        if not isinstance(node, ops.Relation):  # a value that is used
            if isinstance(node, ops.Field):
                need(node.rel, [node.name])
                continue
            for arg in node.__args__:
                for child in _nodes(arg):
                    if isinstance(child, ops.Relation):
                        need(child, [] if isinstance(node, ops.CountStar) else None)
                    else:
                        use(child)
            continue
        asked = demand[node]
        if isinstance(node, ops.DatabaseTable):
            tables.setdefault(node.name, set()).update(asked & set(node.schema.names))
        elif isinstance(node, _OWN_DATA):
            pass
        elif isinstance(node, _PASS):
            need(node.parent, asked & set(node.parent.schema.names))
            for name, arg in zip(node.__argnames__, node.__args__, strict=True):
                if name != "parent":
                    use(arg)
        elif isinstance(node, ops.Project):
            need(node.parent, [])
            use([v for k, v in node.values.items() if k in asked])
        elif isinstance(node, ops.Aggregate):
            need(node.parent, [])
            use(node.groups)
            use([v for k, v in node.metrics.items() if k in asked])
        elif isinstance(node, ops.JoinChain):
            need(node.first, [])
            for link in node.rest:
                need(link.table, [])
                use(link.predicates)
            use([v for k, v in node.values.items() if k in asked])
        else:  # distinct, set operations, SQL text, ...: every column of every input
            opaque = opaque or isinstance(node, _OPAQUE)
            for arg in node.__args__:
                for child in _nodes(arg):
                    if isinstance(child, ops.Relation):
                        need(child, None)
                    else:
                        use(child)
    return {t: None if opaque else sorted(c) for t, c in sorted(tables.items())}


def record_expression(expr: Any, every: tuple[str, ...] = ()) -> None:
    """Note the reads of ``expr`` (:func:`expression_columns`); ``every``: the tables
    to count whole when the expression holds SQL text or an unknown leaf."""
    found = expression_columns(expr)
    for table, columns in found.items():
        note_read(table, columns)
    if any(c is None for c in found.values()):
        for table in every:
            note_read(table, None)


@contextmanager
def precise() -> Iterator[None]:
    """Inside: the backend's own calls record nothing (the caller recorded the reads)."""
    depth = getattr(_STATE, "depth", 0)
    _STATE.depth = depth + 1
    try:
        yield
    finally:
        _STATE.depth = depth


#: Backend attributes that read no table: building expressions and describing the
#: backend. Any other attribute, taken outside :func:`precise`, counts every column.
_HARMLESS = frozenset({"db_identity", "name", "dialect", "compiler", "version",
                       "_recorded_tables", "_on_escape", "__class__", "__dict__", "supports_arrays",
                       "supports_python_udfs", "supports_temporary_tables",
                       "_can_reconnect", "_con_args", "_con_kwargs"})


class RecordingBackend:
    """Mixed into the class of an embedded DuckDB backend by
    :func:`lifetools.engines.engine_tables`: an attribute taken outside
    :func:`precise` (``expr.execute()``, ``backend.con.sql(...)``, ``backend.sql``)
    counts every column of every registered table, since what it reads is not known,
    and first calls ``_on_escape`` (if set: the loaded tables' engine registers every
    table it has not yet, since SQL text may name any)."""

    __slots__ = ()
    _recorded_tables: tuple[str, ...] = ()
    _on_escape: Any = None

    def __getattribute__(self, name: str) -> Any:
        if getattr(_STATE, "depth", 0) == 0 and name not in _HARMLESS:
            for table in object.__getattribute__(self, "_recorded_tables"):
                note_read(table, None)
            escape = object.__getattribute__(self, "_on_escape")
            if escape is not None:
                with precise():
                    escape()
        return object.__getattribute__(self, name)


_CLASSES: dict[type, type] = {}


def recording_backend(backend: Any, tables: tuple[str, ...]) -> Any:
    """Make ``backend`` (an ibis backend, or None) a :class:`RecordingBackend` of
    ``tables``, in place: its class becomes a subclass of its own class (the mixin
    after it, which CPython needs for the ``__class__`` assignment; no class of an
    ibis backend defines ``__getattribute__``, so the mixin's is the one used)."""
    if backend is None:
        return None
    cls = type(backend)
    if not issubclass(cls, RecordingBackend):
        if cls not in _CLASSES:
            _CLASSES[cls] = type(f"Recording{cls.__name__}", (cls, RecordingBackend),
                                {"__slots__": ()})
        with precise():
            backend.__class__ = _CLASSES[cls]
    object.__setattr__(backend, "_recorded_tables", tuple(tables))
    return backend
