"""The relational layer: the analysis tables as ibis tables in the engine where they live.

:func:`engine_tables` gives the cohort builders one object, :class:`EngineTables`, for
every kind of input: a :class:`~lifetools.dataset.Dataset` (the default build: its
frames, or the memory-mapped typed-cache files of the tables not read into pandas yet,
are registered, without copying, as views of an embedded DuckDB) or a
:class:`~lifetools.engines.source.Source` (:func:`connect`). Cohort builders write ibis
expressions against it and bring only the per-person frames to pandas with
:meth:`EngineTables.fetch`, which gives them the dictionary's pandas types.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import ibis
import pandas as pd

from lifetools.dataset import (
    KEPT_ENGINE,
    TABLES,
    Dataset,
    engine_source,
    pending,
    present_tables,
    untracked,
)
from lifetools.dictionary import STORED_TYPE_WORDS, load_dictionary
from lifetools.duckdb_settings import open_ibis_duckdb
from lifetools.engines.columns import precise, record_expression, recording_backend
from lifetools.errors import DataValidationError
from lifetools.reads import note_read
from lifetools.typed_reads import coerce_types

__all__ = ["EngineTables", "check_columns", "dictionary_schema", "engine_tables",
           "release_engines", "unbound_tables"]



def _quiet_duckdb() -> None:
    """ibis 12 calls DuckDB 1.5's fetch_arrow_table, deprecated there (renamed): not ours
    to fix. Set when tables are made, not on import (importing has no side effects)."""
    warnings.filterwarnings("ignore", message=r"fetch_arrow_table\(\) is deprecated",
                            category=DeprecationWarning)

_IBIS_TYPES = {"date": "timestamp", "integer": "int64", "number": "float64",
               "boolean": "boolean", "string": "string"}
_ACCEPTS = {"date": ("is_temporal",), "integer": ("is_integer",),
            "number": ("is_numeric",), "boolean": ("is_boolean",),
            "string": ("is_string",)}
_WORDS = STORED_TYPE_WORDS


def dictionary_schema(table: str) -> ibis.Schema:
    """The ibis schema of one table from the data dictionary (dates as timestamps)."""
    spec = load_dictionary().table(table)
    return ibis.schema({f.name: _IBIS_TYPES.get(f.type, "string") for f in spec.fields})


@dataclass
class EngineTables:
    """The analysis tables of one engine connection, as ibis tables.

    ``backend`` is the ibis backend, ``engine`` its name, ``where`` what may be printed
    about the source (never a password). Tables are attributes (``tables.referrals``).
    ``typed`` is True when the tables already have the dictionary's types (frames from
    :func:`lifetools.load_dataset`); otherwise builders check the columns they use
    (:meth:`require`).
    """

    backend: Any
    engine: str
    where: str
    tables: dict[str, Any] = field(default_factory=dict)
    typed: bool = False

    def __post_init__(self) -> None:
        # every way into the engine other than fetch/count/counts/value counts every
        # column of every table (lifetools.engines.columns.RecordingBackend)
        recording_backend(self.backend, tuple(self.tables))

    def require(self, needed: Mapping[str, Iterable[str]]) -> None:
        """Check the columns a build needs (:func:`check_columns`) unless ``typed``."""
        if not self.typed:
            check_columns(self, needed)

    def __getattr__(self, name: str) -> Any:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            note_read(name)  # touched; the columns are noted when an expression runs
            return tables[name]
        if name in TABLES:
            raise DataValidationError(f"table {name!r} is not in {self.where}",
                                      hint="load it into the warehouse, or check the "
                                           "schema named in the source")
        raise AttributeError(name)

    @property
    def version(self) -> str:
        """The engine's version string."""
        return str(self.backend.version)

    def fetch(self, expr: Any, types: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Execute ``expr`` in the engine and return a pandas frame.

        ``types`` maps columns to dictionary types (``date``, ``integer``, ...): those
        columns get the pandas types of :func:`lifetools.load_dataset` (``datetime64[ns]``,
        ``Int64``, ``object`` text with ``None``), so a frame fetched from any engine
        equals the one pandas built. The columns ``expr`` reads are recorded
        (:func:`lifetools.engines.columns.record_expression`).
        """
        record_expression(expr, tuple(self.tables))
        with precise():
            frame = self.backend.execute(expr)
        if not types:
            return frame
        spec = _Spec(types)
        return coerce_types(frame, spec)  # type: ignore[arg-type]

    def counts(self, exprs: Sequence[Any]) -> list[int]:
        """Rows of each expression, counted in the engine in one query (one compile,
        one round trip: a flow table's steps share their scans)."""
        parts = [e.aggregate(step=ibis.literal(i), n=e.count()) for i, e in enumerate(exprs)]
        frame = self.fetch(ibis.union(*parts, distinct=False) if len(parts) > 1
                           else parts[0])
        return [int(n) for n in frame.sort_values("step")["n"]]

    def count(self, expr: Any) -> int:
        """Number of rows of ``expr``, counted in the engine."""
        return int(self.value(expr.count()))

    def value(self, expr: Any) -> Any:
        """Execute a scalar expression in the engine and return its value (its reads
        recorded, as :meth:`fetch`'s)."""
        record_expression(expr, tuple(self.tables))
        with precise():
            return self.backend.execute(expr)


@dataclass(frozen=True)
class _Field:
    name: str
    type: str


class _Spec:
    """Just enough of a ``TableSpec`` for :func:`coerce_types`."""

    def __init__(self, types: Mapping[str, str]) -> None:
        self.fields = tuple(_Field(k, v) for k, v in types.items())
        self.field_names = tuple(types)

    def field(self, name: str) -> _Field:
        return next(f for f in self.fields if f.name == name)


def engine_tables(data: Any) -> EngineTables:
    """The tables of ``data`` as ibis tables.

    ``data`` is an :class:`EngineTables` (returned as is) or a ``Dataset`` of pandas
    frames: each frame becomes a view of an embedded DuckDB connection (registered
    through Arrow, not copied) when an expression first uses its table, so the default
    build runs the same ibis expressions as a warehouse. A table the dataset has not
    read yet (:class:`~lifetools.dataset.Deferred`) is registered as its memory-mapped
    typed-cache file when that exists (the build's kernels), so the query reads Arrow
    and no pandas frame is made, else it is read into pandas then
    (:func:`~lifetools.dataset.engine_source`). A ``Dataset``'s connection is made
    once and kept while the dataset lives, the frames it registered are the same
    objects with the same columns and dtypes, and the tables it registered from the
    cache are still not read into pandas (:data:`_SHARED`; once the notebook takes
    such a table, its frame is what the next connection registers). In a warm kernel a
    table an earlier notebook read is registered as the kept frame (shared) and the
    dataset still holds it unread, as a cold kernel's does
    (:meth:`~lifetools.dataset.Deferred.unread`).
    """
    if isinstance(data, EngineTables):
        return data
    inner = getattr(data, "engine", None)  # a server's dataset (engines.dataset)
    if isinstance(inner, EngineTables):
        return inner
    if isinstance(data, Dataset):
        kept = _kept(data)
        if kept is not None and kept[0]._unchanged(data):
            return kept[1]
        frames: Any = _Frames(present_tables(data), partial(engine_source, data))
    else:
        frames = {name: frame for name in TABLES
                  if (frame := untracked(data, name)) is not None}
    _quiet_duckdb()
    backend = _reusing_sql(open_ibis_duckdb())
    registered = _Registered(backend, frames)
    tables = EngineTables(backend=backend, engine="duckdb", where="the loaded tables",
                          tables=registered, typed=True)
    object.__setattr__(backend, "_on_escape", registered.register_all)
    if isinstance(data, Dataset):
        _share(data, registered, tables)
    return tables


class _Frames(Mapping):
    """The tables of a ``Dataset``, each taken on first use: its frame, or the
    memory-mapped Arrow table of one not read yet (else read now), as
    :func:`~lifetools.dataset.engine_source` gives them (the tables hold the dataset:
    an engine outlives the expression that made it)."""

    def __init__(self, names: Sequence[str], take: Any) -> None:
        self._names, self._take = tuple(names), take

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(name)
        return self._take(name)

    def __contains__(self, name: object) -> bool:
        # Mapping's would read the table (and take a KeyError of the read for "absent")
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


_SQL_AT_MOST = 64


def _reusing_sql(backend: Any) -> Any:
    """``backend`` (an embedded DuckDB of loaded frames) keeping the SQL ibis compiles
    for an expression, so that the same query asked again (a report's for the same
    period, in a warm kernel's next notebook) is not compiled again (compiling was
    about half of a small ``describe_population`` call's time). Keyed by the
    expression's operation (equal expressions over the same tables are equal); not for
    expressions holding in-memory tables (each is another table) or parameters."""
    from ibis.expr import operations as ops

    compile_once, kept = backend.compile, {}

    def compile(expr: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs.get("params") or set(kwargs) - {"params", "limit"}:
            return compile_once(expr, *args, **kwargs)
        key = (expr.op(), kwargs.get("limit"))
        if key not in kept:
            if expr.op().find(ops.InMemoryTable):
                return compile_once(expr, **kwargs)
            if len(kept) >= _SQL_AT_MOST:
                kept.clear()
            kept[key] = compile_once(expr, **kwargs)
        return kept[key]

    backend.compile = compile
    return backend


_SHARED: dict[int, weakref.ref] = {}
"""The datasets (by ``id``, a weak reference each) whose embedded DuckDB is kept: a
report calling several builders, or a warm kernel running several notebooks on one
dataset, registers the frames and reads their schemas once (most of a small
``describe_population`` call's time, issue 16). The connection, its registered frames
(:class:`_Registered`, which knows each frame's identity, columns and dtypes when
registered) and its tables are held by the dataset itself (:data:`_ENGINE`); the tables
hold the dataset in turn (a table not registered yet is taken from it when used), a
cycle the garbage collector frees with the dataset once neither is referenced, and the
entry goes with it (until wave 47 the entry held both strongly, so a dataset and its
mapped files lived until :data:`_SHARE_AT_MOST` later datasets pushed it out). The
connection is not used when a registered frame was replaced or changed its columns."""
_SHARE_AT_MOST = 4
_ENGINE = KEPT_ENGINE
"""The attribute of a ``Dataset`` holding its kept connection: (registered, tables);
never pickled or copied with it (:meth:`lifetools.dataset.Dataset.__getstate__`)."""


def release_engines() -> None:
    """Drop the embedded DuckDB connections kept for datasets (:data:`_SHARED`), and
    with them the typed-cache files they mapped: a warm kernel's reset between notebooks
    calls it (each notebook loads its own dataset, so none is reused; at 1,500,000
    people the three notebooks before the emergency report left 593 MB resident that
    this gives back, ``benchmarks/README.md``, issue 18). The registered tables and
    the backend refer to each other, so the memory goes at the next garbage collection
    (the warm kernel's reset collects right after), not within this call."""
    for ref in list(_SHARED.values()):  # a dataset freed here pops its own entry
        _drop(ref)
    _SHARED.clear()


def _kept(data: Dataset) -> tuple[Any, EngineTables] | None:
    ref = _SHARED.get(id(data))
    if ref is None or ref() is not data:
        return None
    return vars(data).get(_ENGINE)


def _drop(ref: weakref.ref) -> None:
    data = ref()
    if data is not None:
        vars(data).pop(_ENGINE, None)


def _share(data: Dataset, registered: Any, tables: EngineTables) -> None:
    key = id(data)
    if key not in _SHARED:
        while len(_SHARED) >= _SHARE_AT_MOST:
            _drop(_SHARED.pop(next(iter(_SHARED))))
        weakref.finalize(data, _SHARED.pop, key, None)
    _SHARED[key] = weakref.ref(data)
    vars(data)[_ENGINE] = (registered, tables)


class _Registered(Mapping):
    """The loaded frames as tables of an embedded DuckDB. A frame is registered, and
    its ibis table made (its schema read back and checked), when its table is first
    used: a report reading four tables neither registers nor reads the other five
    (reading back a view's schema was most of a small call's time). A table not read
    into pandas whose typed-cache entry exists is registered as the memory-mapped
    ``pyarrow.Table`` instead: DuckDB gives it the same types as its frame (strings,
    nullable and compact integer ids, nanosecond timestamps, booleans; an entry with a
    categorical column, which no typed table has, is not mapped, and an all-missing
    text column is mapped as text: :func:`lifetools.typed_cache.read_arrow`), so query
    results are identical (``tests/unit/test_engine_arrow.py``)."""

    def __init__(self, backend: Any, frames: Mapping[str, pd.DataFrame]) -> None:
        self._backend, self._frames, self._tables = backend, frames, {}
        self._sources: dict[str, Any] = {}  # what each table was registered as
        self._shapes: dict[str, tuple] = {}
        self._text: dict[str, bool] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._tables:
            if name not in self._sources:  # taken once: a table is mapped or read once
                self._register(name, self._frames[name])
            frame = self._sources[name]
            with precise():
                self._tables[name] = _typed_nulls(self._backend.table(name), name, frame)
        return self._tables[name]

    def _register(self, name: str, frame: Any) -> None:
        if isinstance(frame, pd.DataFrame):
            self._shapes[name] = (frame._mgr, tuple(frame.columns), tuple(frame.dtypes))
            self._text[name] = _all_text({name: frame})
        else:  # a mapped Arrow table (typed; never sampled): stands for a table unread
            self._shapes[name] = (None, (), ())
            self._text[name] = True
        with precise():
            # DuckDB samples every object column of a registered frame to guess its
            # type each time a query names the frame (unused columns too): half of a
            # small query's time. Columns of strings are VARCHAR either way, so the
            # guess is skipped while every frame registered holds only strings in its
            # object columns (a frame of lt.load_dataset); anything else is sampled
            if all(self._text.values()):
                self._backend.con.execute("SET pandas_analyze_sample = 0")
            else:
                self._backend.con.execute("RESET pandas_analyze_sample")
            self._backend.con.register(name, frame)
        self._sources[name] = frame  # once registered: a failure is raised again, not lost

    def register_all(self) -> None:
        """Register every table not registered yet (before SQL text runs: it may name
        any table; the recording backend calls this, :mod:`lifetools.engines.columns`)."""
        for name in self._frames:
            if name not in self._sources:
                self._register(name, self._frames[name])

    def _unchanged(self, data: Dataset) -> bool:
        """Whether every frame registered is still ``data``'s, with the same columns
        and dtypes, and every table registered while ``data`` had not read it (from the
        typed cache, or the warm kernel's kept frame) is still not read, or was read as
        the same frame (a table not registered yet is taken from ``data`` when used)."""
        if tuple(self._frames) != present_tables(data):
            return False
        for name, (mgr, columns, dtypes) in self._shapes.items():
            if pending(data, name) is not None:  # registered unread: still unread
                continue
            if mgr is None:  # registered from the cache, read since
                return False
            now = untracked(data, name)
            if now is None or now._mgr is not mgr or tuple(now.columns) != columns \
                    or tuple(now.dtypes) != dtypes:
                return False
        return True

    def __contains__(self, name: object) -> bool:
        # Mapping's would register (and read) the table, and take a KeyError of the
        # read for "absent"
        return name in self._frames

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)


def _all_text(frames: Mapping[str, pd.DataFrame]) -> bool:
    """Whether every object column of ``frames`` holds only strings and missing values
    (one pass in C per column; a column with no value counts: DuckDB types it VARCHAR
    unsampled, and :func:`_typed_nulls` gives it the dictionary's type either way)."""
    return all(pd.api.types.infer_dtype(frame.iloc[:, i], skipna=True) in ("string", "empty")
               for frame in frames.values()
               for i, dtype in enumerate(frame.dtypes)
               if pd.api.types.is_object_dtype(dtype))


def _typed_nulls(table: Any, name: str, frame: Any) -> Any:
    """Give columns that hold no value their dictionary type: DuckDB guesses the type
    of an empty or all-missing text column (NULL, or INTEGER in DuckDB 1.5), and a
    guess breaks the expressions over it (a hand-built frame, an empty table). Only
    text (object) columns are looked at for a value, up to the first one (of an Arrow
    table, its text columns: a frame's object columns)."""
    schema = table.schema()
    untyped = [c for c in schema if schema[c].is_null() or schema[c].is_unknown()
               or _no_text(frame, c)]
    if not untyped:
        return table  # the usual case: no need to read the dictionary
    spec = load_dictionary().table(name)
    kinds = {f.name: _IBIS_TYPES.get(f.type, "string") for f in spec.fields}
    return table.mutate(**{c: ibis.null(kinds.get(c, "string")) for c in untyped})


def _no_text(frame: Any, column: str) -> bool:
    """Whether ``column`` of a frame or Arrow table is text (object) holding no value
    (an Arrow table's null-typed columns are text already:
    :func:`lifetools.typed_cache.read_arrow`, which every mapped table comes from)."""
    if isinstance(frame, pd.DataFrame):
        return frame[column].dtype == object and frame[column].first_valid_index() is None
    import pyarrow as pa

    values = frame.column(column)
    kind = values.type
    return (pa.types.is_string(kind) or pa.types.is_large_string(kind)) \
        and values.null_count == len(values)


def unbound_tables(names: Iterable[str] = TABLES) -> EngineTables:
    """Tables with the dictionary's schemas and no data: for compiling SQL only."""
    tables = {name: ibis.table(dictionary_schema(name), name=name) for name in names}
    return EngineTables(backend=None, engine="none", where="(unbound)", tables=tables,
                        typed=True)


def check_columns(tables: EngineTables, needed: Mapping[str, Iterable[str]]) -> None:
    """Check the engine's tables have the columns a build needs, with usable types.

    Raises
    ------
    DataValidationError
        Naming the table and column: a table or column that is missing, or a column
        whose type cannot hold the dictionary's (text where a date belongs).

    Notes
    -----
    Tested in ``tests/unit/test_engines.py`` (files, DuckDB database).
    """
    dictionary = load_dictionary()
    for table, columns in needed.items():
        schema = getattr(tables, table).schema()
        spec = dictionary.table(table)
        for column in columns:
            if column not in schema:
                raise DataValidationError(
                    f"table {table!r} in {tables.where} has no column {column!r}",
                    hint="the column names must be the data dictionary's")
            kind = spec.field(column).type
            dtype = schema[column]
            if not any(getattr(dtype, test)() for test in _ACCEPTS.get(kind, ())):
                raise DataValidationError(
                    f"table {table!r}, column {column!r}: the dictionary says "
                    f"{_WORDS.get(kind, kind)}, {tables.where} has {dtype}",
                    hint="cast the column in the warehouse (a view), or fix the extract")
