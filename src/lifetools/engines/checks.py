"""Validation of a DuckDB database file: the dictionary's checks as queries in DuckDB.

Each rule is a boolean ibis expression over the table; one aggregate query per table
counts the failing rows of every rule, its foreign keys' included (read back as one row
of Arrow, not a pandas frame; on DuckDB every table's counting query and those across
tables run together as one query), and only for a rule that fails are the row
numbers of a bounded sample fetched (:data:`~lifetools.validation.MAX_ROWS_KEPT`),
with the column's values only where the pandas checks echo them: never an identifying
field's, whose sample query selects the row numbers alone (:func:`sample_columns`). Rows are numbered in the table's stored order. The report is the one
:func:`lifetools.validation.validate_duckdb` gives with the pandas checks.

On DuckDB, when the tables are named tables or views (a folder's,
:mod:`lifetools.engines.folder`), the checks are built over unbound tables of the same
names and schemas, once per process for a shape, dictionary and extract date, and each
query's SQL is compiled once (:func:`table_problems`); the rules are the same ones.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from lifetools.datapackage import PACKAGE_FILE, read_package
from lifetools.dictionary import Dictionary, TableSpec, load_dictionary
from lifetools.duckdb_settings import open_duckdb, open_ibis_duckdb
from lifetools.fingerprint import replace_text
from lifetools.folder_scan import is_duckdb_file
from lifetools.redaction import safe_text
from lifetools.typed_cache import module_source
from lifetools.typed_reads import read_duckdb_table
from lifetools.validation_rules import (
    _TYPE_WORDS,
    MAX_ROWS_KEPT,
    STORED_TYPE_WORDS,
    Problem,
    Rule,
    ValidationReport,
    _check_links,
    _Collector,
    _examples,
    check_frame,
)

__all__ = ["SQL_CACHE_ENV", "duckdb_types", "engine_problems", "sample_columns",
           "sql_cache_folder", "table_problems", "validate_duckdb"]

_ROW = "__row"
TYPE_FAILED, RAW_EMPTY, RAW_TEXT = "__bad_", "__empty_", "__raw_"
"""Prefixes of the columns a typed table may carry per field (the folder's checks,
:mod:`lifetools.engines.folder`): whether its value failed to parse (a ``type``
problem), whether the value as stored was empty (``required``), and the stored value as
text (shown for a ``type`` problem)."""


class _Queries:
    """Runs the checks' queries on ``backend``. With ``cached`` (a DuckDB backend whose
    tables are unbound, :func:`table_problems`), each query's SQL is compiled by ibis
    once per process for its expression (:func:`_sql`: the same tables' names and
    schemas, rules and extract date give the same expression) and run by DuckDB."""

    def __init__(self, backend: Any, cached: bool) -> None:
        self.backend, self.cached = backend, cached

    def row(self, expr: Any) -> dict[str, Any]:
        """The one row of ``expr`` as a dict."""
        if not self.cached:
            return self.backend.to_pyarrow(expr).to_pylist()[0]
        return self.rows_sql([_sql(expr.op())])[0]

    def rows(self, exprs: Sequence[Any]) -> list[dict[str, Any]]:
        """The one row of each of ``exprs`` as a dict: with ``cached``, all of them by
        one query (:meth:`rows_sql`), else one query each."""
        if not self.cached:
            return [self.row(expr) for expr in exprs]
        return self.rows_sql([_sql(expr.op()) for expr in exprs])

    def rows_sql(self, sqls: Sequence[str]) -> list[dict[str, Any]]:
        """The one row of each one-row query's SQL as a dict, all run as one query
        (each query a subquery whose row comes back as a struct; cached only): the
        same counts as one query each, for a little less work in DuckDB."""
        if not sqls:
            return []
        names = [f"q{i}" for i in range(len(sqls))]
        found = self.backend.con.sql(
            f"SELECT {', '.join(names)} FROM "
            + ", ".join(f"({sql}) AS {name}" for sql, name in zip(sqls, names, strict=True)))
        return [dict(row) for row in found.fetchone()]

    def frame(self, expr: Any) -> pd.DataFrame:
        """The rows of ``expr`` as a pandas frame (as ibis gives them)."""
        if not self.cached:
            return self.backend.execute(expr)
        from ibis.backends.duckdb.converter import DuckDBPandasData

        # as ibis's DuckDB backend converts a result (its ``execute``)
        table = self.backend.con.sql(_sql(expr.op())).to_arrow_table()
        frame = pd.DataFrame({name: column.to_pylist() if column.null_count else
                              column.to_pandas() for name, column in
                              zip(table.column_names, table.columns, strict=True)})
        return DuckDBPandasData.convert_table(frame, expr.schema())


@functools.lru_cache(maxsize=1024)
def _sql(op: Any) -> str:
    """DuckDB SQL of an ibis expression over unbound tables (compiled once: ibis
    building and compiling the counting queries was most of a small folder's time)."""
    return ibis.to_sql(op.to_expr(), dialect="duckdb", pretty=False)


def _unbound(table: Any) -> Any:
    """A DuckDB table as ibis's ``unbind`` gives it (name, namespace and schema, no
    connection: so that its checks' expressions are equal from one connection to the
    next; a table already unbound as it is), or None for a query."""
    from ibis.expr import operations as ops

    if isinstance(table.op(), ops.UnboundTable):  # a folder's typed view, declared
        return table
    return table.unbind() if isinstance(table.op(), ops.DatabaseTable) else None


_LIKE_END = "!"
"""Appended to a value and to each LIKE pattern of :func:`like_patterns`: SQL Server's
LIKE ignores trailing blanks of a ``varchar`` value, so ``'E01000001 '`` would match a
pattern ending at its last class; the value's blanks before the mark must match."""


def _class_members(body: str) -> str | None:
    """The characters a regular expression's class body lists (ranges spelt out), or
    None when it is not a plain class of letters and digits."""
    members, i = [], 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            low, high = body[i], body[i + 2]
            if not (low.isascii() and high.isascii() and low.isalnum()
                    and high.isalnum() and low <= high):
                return None
            members += [chr(c) for c in range(ord(low), ord(high) + 1)]
            i += 3
        elif body[i].isascii() and body[i].isalnum():
            members.append(body[i])
            i += 1
        else:
            return None
    return "".join(dict.fromkeys(members)) or None


def like_patterns(pattern: str) -> list[str] | None:
    """The SQL Server LIKE patterns whose union matches exactly the values that match
    ``pattern`` whole, each ending in :data:`_LIKE_END` (to be matched against the
    value with that mark appended); None when the pattern is not of the plain kind
    translated: ASCII letters, digits, ``\\d`` and classes of them (``[0-9a-f]``),
    each repeated ``{n}`` times or optional (``?``, at most 3 in a pattern), between
    optional ``^`` and ``$``.

    Each class is written as the list of its characters, never as a range: a range in
    LIKE follows the column's collation order (under a case-sensitive Windows
    collation ``[a-z]`` takes ``B``), a list compares character by character. Under a
    binary or case-sensitive collation the match is the regular expression's; under a
    case-insensitive one (SQL Server's default) a letter of the other case also
    matches, and under a width-insensitive one a full-width digit does."""
    body = pattern[1:] if pattern.startswith("^") else pattern
    body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
    tokens: list[tuple[str, int, bool]] = []  # (LIKE piece, times, optional)
    i = 0
    while i < len(body):
        if body.startswith("\\d", i):
            piece, i = "[0123456789]", i + 2
        elif body[i] == "[":
            end = body.find("]", i)
            members = _class_members(body[i + 1:end]) if end > i else None
            if members is None:
                return None
            piece, i = f"[{members}]", end + 1
        elif body[i].isascii() and body[i].isalnum():
            piece, i = body[i], i + 1
        else:
            return None
        times, optional = 1, False
        if body.startswith("{", i):
            end = body.find("}", i)
            if end < 0 or not body[i + 1:end].isdigit():
                return None
            times, i = int(body[i + 1:end]), end + 1
        elif body.startswith("?", i):
            optional, i = True, i + 1
        tokens.append((piece, times, optional))
    if not tokens or sum(optional for *_, optional in tokens) > 3:
        return None
    patterns = [""]
    for piece, times, optional in tokens:
        patterns = [p + piece * times for p in patterns] + (patterns if optional else [])
    return sorted({p + _LIKE_END for p in patterns}, key=lambda p: (len(p), p))


def _matches(value: Any, pattern: str, engine: str | None) -> Any:
    """Whether a string ``value`` matches the dictionary's ``pattern`` whole: a regular
    expression, or on SQL Server (which has none) the LIKE patterns of
    :func:`like_patterns` where the pattern is of their kind."""
    likes = like_patterns(pattern) if engine == "mssql" else None
    if likes is None:
        return value.re_search(f"^(?:{pattern})$")
    marked = value.concat(_LIKE_END)
    return ibis.or_(*[marked.like(like) for like in likes])


def _missing(table: Any, spec: TableSpec, column: str) -> Any:
    value = table[column]
    if spec.field(column).type == "string":
        return value.isnull() | (value == "")
    return value.isnull()


def _table(backend: Any, name: str) -> Any:
    return backend.sql(f'SELECT row_number() OVER (ORDER BY rowid) AS "{_ROW}", * '
                       f'FROM "{name}"')


def _field_rules(table: Any, spec: TableSpec, extract_date: Any,
                 engine: str | None = None) -> list[tuple]:
    """(column, rule, message, bad, echo values, level) in the pandas checks' order;
    echo is False, True (the column's values) or the name of the column to show.
    ``engine`` (an ibis backend's name) picks how a pattern is matched
    (:func:`_matches`)."""
    out: list[tuple] = []
    for field in spec.fields:
        if field.name not in table.columns:
            continue
        value, missing = table[field.name], _missing(table, spec, field.name)
        present = ~missing
        if TYPE_FAILED + field.name in table.columns:
            out.append((field.name, Rule.TYPE, f"is not {_TYPE_WORDS[field.type]}",
                        table[TYPE_FAILED + field.name], RAW_TEXT + field.name, "error"))
        if field.required:
            empty = table[RAW_EMPTY + field.name] if RAW_EMPTY + field.name in \
                table.columns else missing
            out.append((field.name, Rule.REQUIRED, "has no value", empty, False, "error"))
        else:
            out.append((field.name, Rule.COLUMN_EMPTY, "has no value in any row (optional "
                        "column; analyses using it report it as not available)", None,
                        False, "warning"))
        if field.enum is not None:
            allowed = sorted({str(v) for v in field.enum})
            out.append((field.name, Rule.ENUM, f"is not one of {', '.join(allowed)}",
                        present & ~value.cast("string").isin(allowed), True, "error"))
        if field.pattern:
            out.append((field.name, Rule.PATTERN,
                        f"does not match the pattern {field.pattern}",
                        present & ~_matches(value.cast("string"), field.pattern, engine),
                        True, "error"))
        low, high = field.bounds(extract_date)
        for bound, word, rule in ((field.minimum, "below the minimum", Rule.RANGE),
                                  (field.maximum, "above the maximum", Rule.RANGE),
                                  (low, "before the plausible start", Rule.PLAUSIBLE),
                                  (high, "after the plausible end", Rule.PLAUSIBLE)):
            if bound is None:
                continue
            limit = ibis.literal(pd.Timestamp(bound)) if field.type == "date" else bound
            if rule is Rule.PLAUSIBLE and field.type != "date":
                word = word.replace("before", "below").replace("after", "above")
            test = (value < limit) if "below" in word or "before" in word else value > limit
            shown = bound.isoformat() if hasattr(bound, "isoformat") else bound
            out.append((field.name, rule, f"is {word} {shown}", present & test, True,
                        "error"))
        if field.unique:
            later = ibis.row_number().over(group_by=value, order_by=table[_ROW]) > 0
            out.append((field.name, Rule.UNIQUE, "repeats a value that must be unique",
                        present & later, False, "error"))
    return out


def _table_rules(table: Any, spec: TableSpec) -> list[tuple]:
    out: list[tuple] = []
    for rule in spec.rules:
        a, b = rule["field"], rule["other"]
        if a not in table.columns or b not in table.columns:
            continue
        if rule["rule"] == "not_before":
            out.append((a, Rule.NOT_BEFORE, f"is before '{b}' (end before start)",
                        table[a] < table[b], False, "error"))
        elif rule["rule"] == "year_not_after":
            out.append((a, Rule.YEAR_NOT_AFTER, f"is after the year of '{b}'",
                        table[a] > table[b].year(), False, "error"))
        else:
            out.append((a, Rule.PRESENT_TOGETHER, f"is set but '{b}' is empty",
                        ~_missing(table, spec, a) & _missing(table, spec, b), False,
                        "error"))
    keys = list(spec.primary_key)
    if len(keys) > 1 and all(k in table.columns for k in keys):
        later = ibis.row_number().over(group_by=[table[k] for k in keys],
                                       order_by=table[_ROW]) > 0
        out.append((",".join(keys), Rule.PRIMARY_KEY, "duplicate key", later, False,
                    "error"))
    return out


def _counting(table: Any, checks: list[tuple], spec: TableSpec | None) -> tuple:
    """The query counting the failing rows of every check at once: (the table with its
    window flags, the flags, the names of the window flags, the counting expression,
    whose one row holds each flag's count and ``rows``).

    Each flag is an integer, 1 on a failing row and 0 otherwise (a rule that is unknown
    on a row, NULL, does not fail it: ``CASE WHEN`` takes NULL as false on every
    engine), never a boolean value: SQL Server has no boolean type, so a predicate may
    stand only where a condition does (``WHERE``, ``CASE WHEN``), not as a column or a
    function's argument (``tests/engines/test_engine_sql.py`` checks the T-SQL). The
    counts are summed as 64-bit integers (SQL Server's ``SUM`` of an ``int`` overflows
    at 2^31 rows)."""
    flags = {f"c{i}": ibis.ifelse(c[3] if c[3] is not None else
                                  ~_missing(table, spec, c[0]), 1, 0)
             for i, c in enumerate(checks)}
    # window flags (repeats) are columns first; the others are summed as they are, so
    # the counting query stays small to compile (ibis compiling was most of the time)
    window = {k for k, c in zip(flags, checks, strict=True)
              if c[1] in (Rule.UNIQUE, Rule.PRIMARY_KEY)}
    flagged = table.mutate(**{k: flags[k] for k in window}) if window else table
    return flagged, flags, window, flagged.aggregate(
        **{k: (flagged[k] if k in window else v).cast("int64").sum()
           for k, v in flags.items()}, rows=flagged.count())


def _problems(counts: dict[str, Any], checks: Sequence[tuple], first: int, label: str,
              name: str, spec: TableSpec | None, sample: Any) -> list[Problem]:
    """The problems of ``checks`` (flags ``c{first}`` on of :func:`_counting`'s, with
    ``counts`` the one row of its counting query), each failing one with a bounded
    sample of its rows: ``sample(i, columns)`` the frame of those columns of the rows
    failing check ``c{i}``, in row order, at most :data:`MAX_ROWS_KEPT`."""
    problems = []
    for i, (column, rule, message, bad, echo, level) in enumerate(checks, start=first):
        count = int(counts[f"c{i}"] or 0)
        if bad is None:  # an optional column: a warning when no row has a value
            if int(counts["rows"]) and count == 0:
                problems.append(Problem(label, name, column, rule, message, level=level))
            continue
        if count == 0:
            continue
        keep = sample_columns(column, echo, spec)
        found = sample(i, keep)
        examples = _examples(found[keep[1]].iloc[:50]) if len(keep) > 1 else ()
        problems.append(Problem(label, name, column, rule, message, count,
                                tuple(int(r) for r in found[_ROW]), examples, level))
    return problems


def sample_columns(column: str, echo: bool | str, spec: TableSpec | None) -> list[str]:
    """The columns a failing check's sample query fetches: the row number, and the
    values the report shows (``echo``: the column's, or the named column's) only where
    it shows them; never an identifying field's (``FieldSpec.is_identifying``), nor
    any value of a check across tables (``spec`` None), whose report shows none. The
    choice is made before the query, so an identifier's values never leave the
    server, not only never reach the report."""
    if not echo or spec is None or spec.field(column).is_identifying:
        return [_ROW]
    return [_ROW, echo if isinstance(echo, str) else column]


def _sample_query(counting: tuple, i: int, keep: list[str]) -> Any:
    """The query of the first :data:`MAX_ROWS_KEPT` rows failing check ``c{i}`` of a
    built counting query (:func:`_counting`), only columns ``keep``, in row order."""
    flagged, flags, window = counting[:3]
    flag = flagged[f"c{i}"] if f"c{i}" in window else flags[f"c{i}"]
    return flagged.filter(flag == 1).select(*keep).order_by(_ROW).limit(MAX_ROWS_KEPT)


def _sampler(queries: _Queries, counting: tuple) -> Any:
    """``sample`` of :func:`_problems` for a built counting query (:func:`_counting`)."""

    def sample(i: int, keep: list[str]) -> pd.DataFrame:
        return queries.frame(_sample_query(counting, i, keep))
    return sample


def engine_problems(path: Path, dictionary: Dictionary, names: list[str],
                    skip: dict[str, list[str]], extract_date: Any,
                    label: str) -> dict[str, list[Problem]]:
    """The row problems of each table of a DuckDB file, found by queries in DuckDB.

    ``skip`` names, per table, the columns not to check (stored in a type that cannot
    hold the dictionary's: reported already). Returns per table its field and row-rule
    problems, and under ``"(links)"`` the foreign-key and date-of-death problems.

    Notes
    -----
    Tested against the pandas checks on injected bad rows in
    ``tests/engines/test_duckdb_extract.py``.
    """
    backend = open_ibis_duckdb(path, read_only=True)
    try:
        return table_problems(backend, {n: _table(backend, n) for n in names},
                              dictionary, skip, extract_date, label)
    finally:
        backend.disconnect()


def table_problems(backend: Any, tables: dict[str, Any], dictionary: Dictionary,
                   skip: dict[str, list[str]], extract_date: Any,
                   label: str, files: dict[str, str] | None = None,
                   sql_cache: os.PathLike | str | None = None
                   ) -> dict[str, list[Problem]]:
    """:func:`engine_problems` on any ibis backend: ``tables`` are the tables to check,
    each with its row number in a column ``__row`` (1 for the first stored row).
    Problems name the file ``files[table]`` if given, else ``label:table``.

    On DuckDB, when every table is a named table or view, the checks are built over
    unbound tables of the same names and schemas, so that a second folder of the same
    shape (the same dictionary, columns, stored types and extract date) reuses their
    compiled SQL (:class:`_Queries`); the report is the same either way. With a cache
    folder (``sql_cache``, else ``LIFETOOLS_SQL_CACHE``) each counting query's SQL and
    its checks' words are also kept on disk (:func:`_keep_plan`), so that a process's
    first validation of a folder of a known shape runs them without building or
    compiling the checks (most of a small folder's first validation, issue 16); only
    when a check fails is the plan built, for its sample rows."""
    unbound = {n: _unbound(t) for n, t in tables.items()} \
        if getattr(backend, "name", None) == "duckdb" else {}
    cached = bool(unbound) and all(t is not None for t in unbound.values())
    queries = _Queries(backend, cached)
    tables = unbound if cached else tables
    tables = {n: t.drop(*[c for c in skip.get(n, []) if c in t.columns])
              for n, t in tables.items()}
    files = files or {n: f"{label}:{n}" for n in tables}
    if cached:
        kept = _kept_plan(tables, dictionary, extract_date, sql_cache)
        found = _run_kept(queries, kept, dictionary, files) if kept is not None else None
        if found is not None:
            return found
    built = _cached_plan(tables, dictionary, extract_date) if cached else \
        _plan(tables, dictionary, extract_date, getattr(backend, "name", None))
    if cached:
        _keep_plan(tables, dictionary, extract_date, sql_cache, built)
    return _run_plan(queries, built, dictionary, files)


def _run_plan(queries: _Queries, built: list[tuple], dictionary: Dictionary,
              files: dict[str, str]) -> dict[str, list[Problem]]:
    """The problems found by the queries of a plan (:func:`_plan`)."""
    found: dict[str, list[Problem]] = {}
    links: list[Problem] = []
    # one row of counts per table and per check across tables, read from Arrow (a
    # pandas frame of one row and a column per check cost more to convert than the
    # query took); on DuckDB all of them by one query
    rows = iter(queries.rows([c[3] for _n, _c, _o, c in built if c is not None]))
    for name, checks, own, counting in built:
        if counting is None:
            found[name] = []
            continue
        spec = dictionary.table(name) if own is not None else None
        counts, sample = next(rows), _sampler(queries, counting)
        if own is None:  # a check across tables (after death)
            links += _problems(counts, checks, 0, files[name], name, spec, sample)
            continue
        found[name] = _problems(counts, checks[:own], 0, files[name], name, spec, sample)
        links += _problems(counts, checks[own:], own, files[name], name, spec, sample)
    found["(links)"] = links
    return found


def _run_kept(queries: _Queries, kept: list[dict], dictionary: Dictionary,
              files: dict[str, str]) -> dict[str, list[Problem]] | None:
    """The problems of a clean folder from a kept plan's SQL (:func:`_keep_plan`),
    without building or compiling any ibis expression; None when a check fails (its
    sample needs the built plan) or the kept plan does not fit."""
    found: dict[str, list[Problem]] = {}
    links: list[Problem] = []

    def failing(i: int, keep: list[str]) -> pd.DataFrame:
        raise _NeedsPlan

    try:
        rows = iter(queries.rows_sql([e["sql"] for e in kept if e["sql"] is not None]))
        for entry in kept:
            name, own, sql = entry["name"], entry["own"], entry["sql"]
            if sql is None:
                found[name] = []
                continue
            checks = [(c, Rule(r), m, True if bad else None, e, lv)
                      for c, r, m, bad, e, lv in entry["checks"]]
            spec = dictionary.table(name) if own is not None else None
            counts = next(rows)
            if own is None:
                links += _problems(counts, checks, 0, files[name], name, spec, failing)
                continue
            found[name] = _problems(counts, checks[:own], 0, files[name], name, spec,
                                    failing)
            links += _problems(counts, checks[own:], own, files[name], name, spec, failing)
    except _NeedsPlan:
        return None
    found["(links)"] = links
    return found


class _NeedsPlan(Exception):
    """A check of a kept plan failed: its sample needs the built plan."""


SQL_CACHE_ENV = "LIFETOOLS_SQL_CACHE"
"""A folder: the checks' SQL kept between processes (:func:`_keep_plan`)."""
_SQL_FORMAT = "validation-sql v1"
_SQL_CODE = ("lifetools.engines.checks", "lifetools.engines.folder", "lifetools.validation",
             "lifetools.dictionary")
"""Modules whose source is part of a kept plan's key (the rules, the typed views, the
problems' words, the dictionary's bounds)."""


def sql_cache_folder(sql_cache: os.PathLike | str | None = None) -> Path | None:
    """The caller's folder, else ``LIFETOOLS_SQL_CACHE`` (empty or unset: none)."""
    if sql_cache is not None:
        return Path(sql_cache)
    raw = os.environ.get(SQL_CACHE_ENV, "")
    return Path(raw) if raw else None


def _plan_file(tables: dict[str, Any], dictionary: Dictionary, extract_date: Any,
               folder: Path) -> Path:
    """Where a plan is kept: one SHA-256 over what :func:`_cached_plan` keys on (the
    tables' names, namespaces and schemas, the dictionary, the extract date) and the
    code and versions that compile it."""
    import duckdb
    import sqlglot

    digest = hashlib.sha256(f"{_SQL_FORMAT}|{ibis.__version__}|{sqlglot.__version__}|"
                            f"{duckdb.__version__}|{extract_date}|".encode())
    for name in _SQL_CODE:
        digest.update(hashlib.sha256(module_source(name)).digest())
    digest.update(repr(dictionary).encode())
    for name, table in tables.items():
        schema = table.schema()
        digest.update(repr((name, table.op().namespace,
                            [(c, str(schema[c])) for c in schema])).encode())
    return folder / f"{digest.hexdigest()}.json"


def _kept_plan(tables: dict[str, Any], dictionary: Dictionary, extract_date: Any,
               sql_cache: os.PathLike | str | None) -> list[dict] | None:
    """A plan kept by an earlier process (:func:`_keep_plan`), or None: none kept, no
    cache folder, an entry that cannot be read, or the plan already built here."""
    folder = sql_cache_folder(sql_cache)
    if folder is None or _plan_key(tables, dictionary, extract_date) in _PLANS:
        return None
    path = _plan_file(tables, dictionary, extract_date, folder)
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = None
    if isinstance(kept, list) and all(map(_well_formed, kept)):
        return kept
    _WRITTEN.discard(path)  # missing or damaged: to be written again
    return None


_WRITTEN: set[Path] = set()
"""Plan files this process wrote (not written again for each later validation)."""


def _well_formed(entry: Any) -> bool:
    """Whether a kept plan's entry has the fields and types :func:`_keep_plan` writes
    (a damaged file is rebuilt, never half used)."""
    rules = {str(r) for r in Rule}
    return (isinstance(entry, dict) and set(entry) == {"name", "own", "sql", "checks"}
            and isinstance(entry["name"], str) and isinstance(entry["checks"], list)
            and (entry["own"] is None or isinstance(entry["own"], int))
            and (entry["sql"] is None or isinstance(entry["sql"], str))
            and all(isinstance(c, list) and len(c) == 6 and isinstance(c[0], str)
                    and c[1] in rules and isinstance(c[2], str) and isinstance(c[3], bool)
                    and isinstance(c[4], bool | str) and c[5] in ("error", "warning")
                    for c in entry["checks"]))


def _keep_plan(tables: dict[str, Any], dictionary: Dictionary, extract_date: Any,
               sql_cache: os.PathLike | str | None, built: list[tuple]) -> None:
    """Write a built plan's counting SQL and its checks' words to the cache folder
    (best effort: a folder that cannot be written keeps nothing), through a private
    temporary file renamed into place."""
    folder = sql_cache_folder(sql_cache)
    if folder is None:
        return
    path = _plan_file(tables, dictionary, extract_date, folder)
    if path in _WRITTEN:
        return
    kept = [{"name": name, "own": own,
             "sql": None if counting is None else _sql(counting[3].op()),
             "checks": [[c[0], str(c[1]), c[2], c[3] is not None, c[4], c[5]]
                        for c in checks]}
            for name, checks, own, counting in built]
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return
    if replace_text(path, json.dumps(kept)):
        _WRITTEN.add(path)


def _plan(tables: dict[str, Any], dictionary: Dictionary,
          extract_date: Any, engine: str | None = None) -> list[tuple]:
    """The checks' queries, built and not run: per table (name, checks, how many are
    the table's own before its foreign keys, counting of :func:`_counting` or None when
    there are no checks), then each check across tables (own None). ``engine`` is the
    ibis backend's name (:func:`_matches`)."""
    built: list[tuple] = []
    for name, table in tables.items():
        spec = dictionary.table(name)
        checks = _field_rules(table, spec, extract_date, engine) + _table_rules(table, spec)
        keys = _foreign_keys(tables, name, spec)
        built.append((name, checks + keys, len(checks),
                      _counting(table, checks + keys, spec) if checks + keys else None))
    return built + _after_death(tables, dictionary)


_PLANS: dict[tuple, list[tuple]] = {}
"""Plans already built in this process (:func:`_cached_plan`), a few at most."""


def _plan_key(tables: dict[str, Any], dictionary: Dictionary, extract_date: Any) -> tuple:
    return (tuple((name, table.op()) for name, table in tables.items()),
            repr(dictionary), extract_date)


def _cached_plan(tables: dict[str, Any], dictionary: Dictionary,
                 extract_date: Any) -> list[tuple]:
    """:func:`_plan` of unbound tables, built once per process for the tables' names
    and schemas, the dictionary (all of it, as ``repr`` shows it) and the extract date:
    the expressions hold no connection, and :func:`_sql` keeps their SQL."""
    key = _plan_key(tables, dictionary, extract_date)
    if key not in _PLANS:
        if len(_PLANS) >= 16:
            _PLANS.clear()
        _PLANS[key] = _plan(tables, dictionary, extract_date)
    return _PLANS[key]


def _foreign_keys(tables: dict[str, Any], name: str, spec: TableSpec) -> list[tuple]:
    """The foreign-key checks of table ``name`` (those whose columns are there)."""
    table, checks = tables[name], []
    for key in spec.foreign_keys:
        target = key["reference"]["resource"]
        column, ref = key["fields"][0], key["reference"]["fields"][0]
        if target not in tables or column not in table.columns \
                or ref not in tables[target].columns:
            continue
        known = tables[target].filter(tables[target][ref].notnull())[ref]
        checks.append((column, Rule.FOREIGN_KEY, f"has values not found in "
                       f"'{target}.{ref}'", table[column].notnull()
                       & ~table[column].isin(known), False, "error"))
    return checks


def _after_death(tables: dict[str, Any], dictionary: Dictionary) -> list[tuple]:
    """The date-of-death checks across tables, as :func:`_plan` lists them."""
    built: list[tuple] = []
    people = tables.get("people")
    if people is None or not {"person_id", "date_of_death"} <= set(people.columns):
        return built
    first = people.filter(people.person_id.notnull()).mutate(
        n=ibis.row_number().over(group_by=people.person_id, order_by=people[_ROW]))
    deaths = first.filter((first.n == 0) & first.date_of_death.notnull()).select(
        death_id=first.person_id, death=first.date_of_death)
    for rule in dictionary.cross_table_rules:
        table = tables.get(rule["table"])
        if table is None or not {"person_id", rule["field"]} <= set(table.columns):
            continue
        joined = table.left_join(deaths, table.person_id == deaths.death_id).select(
            *table.columns, "death")
        checks = [(rule["field"], Rule.AFTER_DEATH, "is after the person's date of death",
                   joined[rule["field"]] > joined.death, False, "error")]
        built.append((rule["table"], checks, None, _counting(joined, checks, None)))
    return built


_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
             "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
_WORDS = STORED_TYPE_WORDS


def _holds(kind: str, stored: str) -> bool:
    """Whether a DuckDB column type can hold the dictionary's type without parsing."""
    if kind == "date":
        return stored == "DATE" or stored.startswith("TIMESTAMP")
    if kind == "integer":
        return stored in _INTEGERS
    if kind == "number":
        return stored in _INTEGERS or stored in ("FLOAT", "DOUBLE") or stored.startswith(
            "DECIMAL")
    return stored == {"boolean": "BOOLEAN"}.get(kind, "VARCHAR")


def duckdb_types(path: Path) -> dict[str, dict[str, str]] | None:
    """Per table, each column's DuckDB type (None when DuckDB cannot open the file)."""
    import duckdb

    try:
        with open_duckdb(path, read_only=True) as connection:
            rows = connection.sql("SELECT table_name, column_name, data_type FROM "
                                  "information_schema.columns ORDER BY ordinal_position"
                                  ).fetchall()
    except duckdb.Error:
        return None
    types: dict[str, dict[str, str]] = {}
    for table, column, stored in rows:
        types.setdefault(table, {})[column] = stored
    return types


def validate_duckdb(path: Path, *, tables: Sequence[str] | None = None,
                    in_engine: bool = True) -> ValidationReport:
    """Validate the tables of a DuckDB database file against the data dictionary.

    The same rules and report as :func:`validate_directory`; the extract's
    ``datapackage.json`` sits beside the file. A table missing is ``file.missing``, a
    column whose stored type cannot hold the dictionary's (dates stored as text) is
    ``type``, named by table and column; rows are numbered in the table's stored order.
    With ``in_engine`` (the default) the row checks run as queries in DuckDB
    (:mod:`lifetools.engines.checks`): only counts and a bounded sample of row numbers
    come back. Otherwise each table is read into pandas and checked as a file is.

    Notes
    -----
    Tested in ``tests/engines/test_duckdb_extract.py`` (the two ways give equal reports
    on injected bad rows).
    """
    import datetime as dt

    dictionary, path = load_dictionary(), Path(path)
    label = path.name
    if not is_duckdb_file(path):
        return ValidationReport(path, (Problem(label, "(all)", None, Rule.FILE_UNREADABLE,
                                               "is not a DuckDB database file"),))
    types = duckdb_types(path)
    if types is None:
        return ValidationReport(path, (Problem(
            label, "(all)", None, Rule.FILE_UNREADABLE, "cannot be opened by DuckDB "
            "(damaged, a newer format, or open for writing in another program)"),))
    extract_date, reason = read_package(path.parent, dictionary)
    extract_date = extract_date or dt.date.today()
    problems = [Problem(PACKAGE_FILE, "(package)", None, Rule.PACKAGE, reason)] if reason \
        else []
    frames, paths, found, checked, skip = {}, {}, {}, [], {}
    for name in tables or list(dictionary.tables):
        spec = dictionary.table(name)
        out = _Collector(f"{label}:{name}", name)
        if name not in types:
            problems.append(Problem(out.file, name, None, Rule.FILE_MISSING,
                                    f"no table {name!r} in the DuckDB file"))
            continue
        skip[name] = [f.name for f in spec.fields if f.name in types[name]
                      and not _holds(f.type, types[name][f.name])]
        for column in skip[name]:
            out.add(column, Rule.TYPE, f"is stored as {types[name][column]}; the "
                    f"dictionary says {_WORDS[spec.field(column).type]}")
        if in_engine:
            checked += [name] if _header(path, name, spec, types[name], out) else []
            found[name] = out.problems
            continue
        raw = read_duckdb_table(path, name, typed=False).drop(columns=skip[name])
        frame, listed = check_frame(raw, spec, extract_date, out)
        found[name] = [p for p in listed if not (p.rule is Rule.COLUMN_MISSING
                                                  and p.column in skip[name])]
        paths[name] = Path(out.file)
        if frame is not None:
            frames[name] = frame
    if in_engine:
        rows = engine_problems(path, dictionary, checked, skip, extract_date, label)
        for name, listed in found.items():
            problems += listed + rows.get(name, [])
        return ValidationReport(path, tuple(problems + rows["(links)"]))
    for listed in found.values():
        problems += listed
    problems += _check_links(frames, dictionary, paths)
    return ValidationReport(path, tuple(problems))


def column_problems(spec: TableSpec, stored: Sequence[str], out: Any, where: str) -> None:
    """Add to ``out`` each dictionary column missing from the stored ``table`` (or
    ``file``: ``where``) and each stored column the dictionary does not know (named
    only when its name is safe to show, else by its position)."""
    for column in spec.field_names:
        if column not in stored:
            out.add(column, Rule.COLUMN_MISSING, f"is missing from the {where}")
    for number, column in enumerate(stored, start=1):
        if column not in spec.field_names:
            out.add(safe_text(column, placeholder=f"#{number}"), Rule.COLUMN_EXTRA,
                    "is not in the data dictionary")


def _header(path: Path, name: str, spec: TableSpec, stored: dict[str, str],
            out: _Collector) -> bool:
    """The checks of a table before its rows (as :func:`check_frame` makes them):
    missing and unknown columns, no rows. Whether the rows are to be checked."""
    column_problems(spec, list(stored), out, "file")
    with open_duckdb(path, read_only=True) as connection:
        count = connection.sql(f'SELECT count(*) FROM "{name}"').fetchone()
    if not count or count[0] == 0:
        out.add(None, Rule.TABLE_EMPTY, "has no rows")
        return False
    return True
