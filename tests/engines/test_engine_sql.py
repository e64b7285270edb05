"""The engine queries compiled to T-SQL (SQL Server), kept as reviewed golden files.

No SQL Server runs here, so the SQL Server dialect is checked by compiling every cohort
expression, the validation rule queries, the data fingerprint's and the column
fingerprints' queries with ``ibis.to_sql(expr, dialect="mssql")`` (as ``lifetools.engines.fingerprint.tsql``
writes it: SQL Server's exact texts and Unicode literals) over tables with the data
dictionary's schemas, and comparing with ``tests/fixtures/sql/*.sql``. A change to a
cohort query changes its SQL, and this test fails until the new SQL is reviewed and the
golden files are regenerated with::

    LIFETOOLS_UPDATE_SQL=1 .venv/bin/pytest tests/engines/test_engine_sql.py

(then read ``git diff tests/fixtures/sql`` before committing).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import ibis
import pandas as pd
import pytest

from lifetools.cohort import CohortSpec
from lifetools.cohort.discharge import closure_groups
from lifetools.cohort.queries import (
    crisis_queries,
    discharge_queries,
    emergency_admissions,
    person_time_people,
    rereferral_queries,
    team_at_index,
    unplanned_ae,
    window_counts,
)
from lifetools.describe import population_queries
from lifetools.engines import unbound_tables

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "sql"
SPEC = CohortSpec("2024-04-01", "2025-03-31")


def _sql(expr, dialect: str) -> str:
    """An expression's SQL in ``dialect``; T-SQL as lifetools writes it (``tsql``)."""
    from lifetools.engines.fingerprint import tsql

    return tsql(expr) if dialect == "mssql" else ibis.to_sql(expr, dialect=dialect)


@functools.cache
def _queries():
    tables = unbound_tables()
    return {
        "discharge_cohort": discharge_queries(tables, SPEC),
        "rereferral_cohort": rereferral_queries(
            tables, SPEC, discharge_codes=closure_groups()["discharge"]),
    }


def _script(queries, dialect: str) -> str:
    steps = [expr.aggregate(step=ibis.literal(i), n=expr.count())
             for i, (_, expr) in enumerate(queries.flow)]
    labels = "".join(f"--   step {i}: {label}\n" for i, (label, _) in enumerate(queries.flow))
    union = ibis.union(*steps, distinct=False)
    parts = [f"-- flow (one query; as EngineTables.counts)\n{labels}"
             f"{_sql(union, dialect)};"]
    parts.append(f"-- per-person frame\n{_sql(queries.frame, dialect)};")
    return "\n\n".join(parts) + "\n"


def _person_time_script(dialect: str) -> str:
    """Person-time's queries: the people, the first A&E date, the events in each window
    and the team at index (the per-person windows and index dates are a table the
    build sends to the engine: here an unbound ``person_windows`` / ``person_index``)."""
    t = unbound_tables()
    names = ("before", "after", "baseline")
    windows = ibis.table({"person_id": "string", **{f"{n}_{e}": "timestamp" for n in names
                                                    for e in ("start", "end")}},
                         name="person_windows")
    index = ibis.table({"person_id": "string", "index_date": "timestamp"},
                       name="person_index")
    parts = {
        "people of the locality with their first Life Rooms contact":
            person_time_people(t, "North Liverpool"),
        "first A&E date in the data": t.ae_attendances.arrival_date.min().name("data_start").as_table(),
        "unplanned A&E attendances per person and window":
            window_counts(unplanned_ae(t), windows, names),
        "emergency admissions per person and window":
            window_counts(emergency_admissions(t), windows, names),
        "team type open at the index date": team_at_index(t, index),
    }
    return "\n\n".join(f"-- {label}\n{_sql(expr, dialect)};"
                        for label, expr in parts.items()) + "\n"


def _population_script(dialect: str) -> str:
    """The cohort description's queries (``describe_population``)."""
    parts = population_queries(unbound_tables(), pd.Timestamp("2024-04-01"),
                               pd.Timestamp("2025-03-31"), "North Liverpool")
    return "\n\n".join(f"-- {label}\n{_sql(expr, dialect)};"
                        for label, expr in parts.items()) + "\n"


_HASHES = {"mssql": "mssql", "postgres": "postgres", "pyspark": "spark"}
"""The engine whose 64-bit hash each dialect's fingerprint queries use (HASH64)."""


def _numbered_tables():
    """The dictionary's tables, each row numbered as a server without a stored row
    number numbers them (``numbered``: ``row_number()`` over the primary key)."""
    from lifetools.engines import EngineTables
    from lifetools.engines.dataset import numbered

    server = EngineTables(backend=None, engine="mssql", where="(unbound)",
                          tables=unbound_tables().tables, typed=True)
    return {name: numbered(server, name) for name in server.tables}


def _validation_script(dialect: str) -> str:
    """The validation rule queries (``lifetools.engines.checks``, as
    ``validate_server`` runs them on that dialect's engine): per table, the one query
    counting the rows failing each check (every check's test is in it), then the query
    of the first failing rows' numbers (and the value, where the report shows one) of
    the first check of each kind (the others of a kind differ from it only in their
    test, already compiled in the counting query), and of each form (the row numbers
    only, as an identifying field's, or with the values shown: 70 sample queries where
    one per check made 163); then the checks across tables."""
    import datetime as dt

    from lifetools.dictionary import load_dictionary
    from lifetools.engines.checks import _plan, _sample_query, sample_columns

    def compiled(expr) -> str:
        try:
            return _sql(expr, dialect) + ";"
        except ibis.common.exceptions.OperationNotDefinedError as error:
            return f"-- NOT COMPILED: {error}"

    parts, dictionary = [], load_dictionary()
    for name, checks, own, counting in _plan(_numbered_tables(), dictionary,
                                             dt.date(2025, 4, 30), dialect):
        if counting is None:
            continue
        spec = dictionary.table(name) if own is not None else None
        where = name if own is not None else f"{name} (across tables)"
        listed = "".join(f"--   c{i}: {c[0]} {c[1].value}\n" for i, c in enumerate(checks))
        parts.append(f"-- {where}: rows failing each check and rows\n{listed}"
                     f"{compiled(counting[3])}")
        kinds = set()
        for i, (column, rule, _message, bad, echo, _level) in enumerate(checks):
            keep = sample_columns(column, echo, spec)  # as the validation fetches
            if bad is None or (rule, len(keep)) in kinds:  # counted only, or shown
                continue
            kinds.add((rule, len(keep)))
            parts.append(f"-- {where} c{i}: {column} {rule.value}, first failing "
                         f"rows\n{compiled(_sample_query(counting, i, keep))}")
    return "\n\n".join(parts) + "\n"


@pytest.mark.parametrize("dialect", ["mssql", "postgres", "pyspark"])
def test_validation_sample_queries_select_no_identifying_column(dialect):
    """Every check of every identifying field (identifier or quasi-identifier): its
    sample query, as the validation builds it on that engine, selects the row number
    only, whatever rule failed (on SQL Server read from the compiled T-SQL); a field
    whose values the report shows selects them."""
    import datetime as dt

    import sqlglot

    from lifetools.dictionary import load_dictionary
    from lifetools.engines.checks import RAW_TEXT, _plan, _sample_query, sample_columns

    dictionary = load_dictionary()
    identifying = {(t, f.name) for t in dictionary.tables for f in dictionary.table(t).fields
                   if f.is_identifying}  # deprivation's lsoa_code is no person's: shown
    seen, shown = set(), set()
    for name, checks, own, counting in _plan(_numbered_tables(), dictionary,
                                             dt.date(2025, 4, 30), dialect):
        spec = dictionary.table(name) if own is not None else None
        for i, (column, _rule, _message, bad, echo, _level) in enumerate(checks):
            if bad is None:
                continue
            query = _sample_query(counting, i, sample_columns(column, echo, spec))
            selected = list(query.columns)
            if (name, column) in identifying:
                assert selected == ["__row"], (name, column, selected)
                seen.add((name, column))
                if dialect == "mssql":  # the SQL's outer select (compiling is the cost)
                    tree = sqlglot.parse_one(_sql(query, dialect), read="tsql")
                    assert [e.alias_or_name for e in tree.expressions] == ["__row"]
            elif echo and spec is not None:
                assert selected == ["__row", echo if isinstance(echo, str) else column]
                shown.add((name, column))
            assert not {(name, c.removeprefix(RAW_TEXT)) for c in selected} & identifying
    assert seen == identifying
    assert ("referrals", "priority") in shown


def _fingerprint_script(dialect: str) -> str:
    """The data fingerprint's query per table (``engine_fingerprint``)."""
    from lifetools.engines.fingerprint import fingerprint_query

    tables = unbound_tables().tables
    return "\n\n".join(
        f"-- {name}: rows and each column's sum of 64-bit hashes\n"
        f"{_sql(fingerprint_query(tables[name], _HASHES[dialect]), dialect)};"
        for name in sorted(tables)) + "\n"


def _column_keys_script(dialect: str) -> str:
    """The column fingerprints' query per table (``server_columns``)."""
    from lifetools.engines.column_keys import column_key_query

    numbered, tables = _numbered_tables(), unbound_tables().tables
    return "\n\n".join(
        f"-- {name}: rows and each column's sum of 64-bit hashes of row and value\n"
        + _sql(column_key_query(numbered[name], list(tables[name].columns),
                                _HASHES[dialect]), dialect) + ";"
        for name in sorted(tables)) + "\n"


def _report_rows_script(dialect: str) -> str:
    """The rows a report fetches from a server: the wellbeing measurements of a
    locality's people (``people.locality_rows``), in key order with their numbers."""
    from lifetools.engines import EngineTables
    from lifetools.engines.dataset import rows_query
    from lifetools.people import of_locality

    server = EngineTables(backend=None, engine="mssql", where="(unbound)",
                          tables=unbound_tables().tables, typed=True)
    parts = {f"wellbeing measurements of the people of {where}":
             rows_query(server, "wellbeing", of_locality(server, locality))
             for where, locality in (("every locality", "all"),
                                     ("North Liverpool", "North Liverpool"))}
    return "\n\n".join(f"-- {label}\n{_sql(expr, dialect)};"
                        for label, expr in parts.items()) + "\n"


def _reach_script(dialect: str) -> str:
    """The reach report's queries: each activity table's rows dated in the period (at a
    locality's sites, or every site) counted in the engine (``reach.activity_queries``:
    the contacts' counts, visits by site and month, the distinct linked people,
    prescriptions by pathway, the survey's answers), and the people of the locality
    with their deprivation fifth (``people.people_in_locality``, as the report selects
    them)."""
    from lifetools.dictionary import load_dictionary
    from lifetools.people import _locality_select
    from lifetools.reports.reach import activity_queries

    tables, parts = unbound_tables(), {}
    start, end = pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-31")
    for where, locality in (("every locality", "all"),
                            ("North Liverpool", "North Liverpool")):
        sites = None if locality == "all" else list(
            load_dictionary().groups("life_rooms_contacts", "site")[locality])
        for name, query in activity_queries(tables, start, end, sites).items():
            parts[f"{name}: in the period, {where}"] = query
        parts[f"people of {where} with their deprivation fifth"] = _locality_select(
            tables, locality, ["person_id", "imd_quintile"])[0]
    return "\n\n".join(f"-- {label}\n{_sql(expr, dialect)};"
                        for label, expr in parts.items()) + "\n"


SCRIPTS = {**{name: functools.partial(_script, queries) for name, queries in
              _queries().items()}, "person_time": _person_time_script,
           "population": _population_script, "validation": _validation_script,
           "fingerprint": _fingerprint_script, "column_keys": _column_keys_script,
           "report_rows": _report_rows_script, "reach": _reach_script,
           "crisis_cohort": functools.partial(_script, crisis_queries(
               unbound_tables(), day=pd.Timestamp("2024-04-01"), horizon_days=365))}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_cohort_queries_tsql_equal_golden_files(name):
    sql = SCRIPTS[name]("mssql")
    path = GOLDEN / f"{name}.mssql.sql"
    if os.environ.get("LIFETOOLS_UPDATE_SQL"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: regenerate (module docstring)"
    assert sql == path.read_text(encoding="utf-8"), (
        f"the T-SQL of {name} changed: review it and regenerate (module docstring)")


def _misplaced_booleans(sql: str) -> list[str]:
    """Where T-SQL uses a truth value as a value or a value as a condition: SQL Server
    has no boolean type, so a predicate (a comparison, ``IS NULL``, ``LIKE``, ``IN``,
    ``AND``/``OR``/``NOT``) may stand only in a condition (``WHERE``, ``HAVING``,
    ``JOIN ... ON``, ``CASE WHEN`` / ``IIF``'s first argument, under ``AND``/``OR``/
    ``NOT``), and a condition must be a predicate: ``COALESCE(a = b, (1 = 0))``,
    ``SELECT a > b AS c`` and ``WHERE COALESCE(...)`` are errors on SQL Server, though
    DuckDB, PostgreSQL and Spark run them."""
    import sqlglot
    from sqlglot import exp

    truth = (exp.Predicate, exp.Connector, exp.Not)

    def bare(node):
        while isinstance(node, exp.Paren):
            node = node.this
        return node

    found = []
    for tree in sqlglot.parse(sql, read="tsql"):
        for node in tree.walk():
            if isinstance(node, truth):
                parent, key = node.parent, node.arg_key
                while isinstance(parent, exp.Paren):
                    parent, key = parent.parent, parent.arg_key
                if not (isinstance(parent, (exp.Where, exp.Having, exp.Connector, exp.Not))
                        or (isinstance(parent, exp.Join) and key == "on")
                        or (isinstance(parent, exp.If) and key == "this")):
                    found.append(f"predicate as a value in {type(parent).__name__}: "
                                 f"{node.sql('tsql')[:120]}")
            slots = ([node.left, node.right] if isinstance(node, exp.Connector) else
                     [node.this] if isinstance(node, (exp.Where, exp.Having, exp.Not,
                                                      exp.If)) else
                     [node.args["on"]] if isinstance(node, exp.Join)
                     and node.args.get("on") is not None else [])
            found += [f"value as a condition of {type(node).__name__}: "
                      f"{slot.sql('tsql')[:120]}" for slot in slots
                      if not isinstance(bare(slot), truth)]
    return found


def test_misplaced_booleans_finds_predicates_as_values_and_values_as_conditions():
    bad = ("SELECT COALESCE(a = 1, (1 = 0)) AS c, b > 2 AS d FROM t "
           "WHERE COALESCE(a IS NULL, (1 = 0))")
    assert len(_misplaced_booleans(bad)) == 6, _misplaced_booleans(bad)
    good = ("SELECT SUM(CAST(IIF((a IS NULL) OR (a = ''), 1, 0) AS BIGINT)) AS c "
            "FROM t JOIN u ON t.k = u.k WHERE IIF(a LIKE 'x!', 1, 0) = 1 AND NOT b IN (1)"
            " ORDER BY CASE WHEN a IS NULL THEN 1 ELSE 0 END")
    assert _misplaced_booleans(good) == []


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_golden_tsql_has_no_truth_value_where_sql_server_wants_a_value(name):
    sql = (GOLDEN / f"{name}.mssql.sql").read_text(encoding="utf-8")
    assert "NOT COMPILED" not in sql
    assert _misplaced_booleans(sql) == []


def test_like_patterns_match_as_the_dictionarys_patterns_do():
    import random
    import re

    from lifetools.dictionary import load_dictionary
    from lifetools.engines.checks import like_patterns

    def like_regex(like: str) -> re.Pattern:  # LIKE of literals and [listed] classes
        return re.compile("".join(piece if piece.startswith("[") else re.escape(piece)
                                  for piece in re.findall(r"\[[^\]]*\]|.", like)))

    assert like_patterns("^[A-Q][0-9]$") == ["[ABCDEFGHIJKLMNOPQ][0123456789]!"]
    assert like_patterns("^[A-Z][0-9]{2}[0-9X]?$") == [
        "[ABCDEFGHIJKLMNOPQRSTUVWXYZ][0123456789][0123456789]!",
        "[ABCDEFGHIJKLMNOPQRSTUVWXYZ][0123456789][0123456789][0123456789X]!"]
    for other in ("^a.b$", "^[^a]$", "^(a|b)$", "^a*$", "^[a-]$"):
        assert like_patterns(other) is None, other
    dictionary = load_dictionary()
    patterns = {f.pattern for name in dictionary.tables
                for f in dictionary.table(name).fields if f.pattern}
    rng, alphabet = random.Random(18), "09afgAFQXZaz E!_%[é٣"
    for pattern in sorted(patterns):
        likes = like_patterns(pattern)
        assert likes is not None, pattern
        regexes = [like_regex(like) for like in likes]
        values = []
        for regex in regexes:  # a matching value per LIKE pattern, then one-off changes
            pieces = re.findall(r"\[[^\]]*\]|.", regex.pattern)[:-1]
            value = "".join(rng.choice(p[1:-1]) if p.startswith("[") else p
                            for p in pieces)
            values += [value, value[:-1], value + "0", value + " "]
            values += [value[:i] + rng.choice(alphabet) + value[i + 1:]
                       for i in range(len(value)) for _ in range(3)]
        for value in values:
            expected = re.fullmatch(f"(?:{pattern})", value, flags=re.ASCII) is not None
            assert any(r.fullmatch(value + "!") for r in regexes) == expected, \
                (pattern, value)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_cohort_queries_compile_to_postgres_and_spark_sql(name):
    ibis.pyspark  # noqa: B018 - loads the backend's options (its compiler reads them)
    for dialect in ("postgres", "pyspark"):
        assert "SELECT" in SCRIPTS[name](dialect)


@pytest.mark.parametrize(("engine", "dialect"), [("duckdb", "duckdb"),
                                                 ("postgres", "postgres"),
                                                 ("spark", "pyspark"),
                                                 ("mssql", "mssql")])
def test_hash64_compiles_to_each_engines_64_bit_hash(engine, dialect):
    import re

    from lifetools.engines.fingerprint import HASH64, hash64

    table = unbound_tables(["people"]).tables["people"]
    sql = ibis.to_sql(table.aggregate(s=hash64(table.sex, engine).sum()),
                      dialect=dialect).upper()
    functions = set(re.findall(r"\b(\w*HASH\w*)\(", sql))
    assert functions == {HASH64[engine].upper()}, sql  # never Spark's 32-bit HASH


def _fingerprint_trees(name: str):
    import sqlglot

    return sqlglot.parse((GOLDEN / f"{name}.mssql.sql").read_text(encoding="utf-8"),
                         read="tsql")


def _summed_columns(name: str):
    """Each column read by the aggregate (the outer select) of each table's query:
    ``(tree, table, column)``."""
    from sqlglot import exp

    for tree in _fingerprint_trees(name):
        table = tree.find(exp.Table).name
        for select in tree.expressions:
            for column in select.find_all(exp.Column):
                yield tree, table, column


def _sql_server_text(node, value: float) -> str:
    """The text SQL Server gives a float under ``node`` (a ``CAST`` or ``CONVERT`` to
    text), as its documentation of CAST and CONVERT says: style 0 (a ``CAST``'s) "a
    maximum of 6 digits", 1 "always 8 digits", 2 "always 16 digits", 3 "always 17
    digits ... lossless"; 1-3 in scientific notation."""
    from sqlglot import exp

    style = int(node.args["style"].name) if isinstance(node, exp.Convert) else 0
    return f"{value:.6g}" if style == 0 else f"{value:.{(8, 16, 17)[style - 1] - 1}e}"


@pytest.mark.parametrize("name", ["fingerprint", "column_keys"])
def test_tsql_fingerprints_tell_apart_floats_that_differ_in_the_17th_digit(name):
    import math

    from sqlglot import exp

    low = 0.1                    # 0.10000000000000001
    high = math.nextafter(low, 1)  # 0.10000000000000002: the 17th significant digit
    floats = {(t, c) for t in unbound_tables().tables
              for c, kind in unbound_tables().tables[t].schema().items()
              if kind.is_floating()}
    assert floats == {("wellbeing", "swemwbs_metric")}  # the test must see one
    seen = set()
    for _tree, table, column in _summed_columns(name):
        if (table, column.name) not in floats:
            continue
        texted = column.parent  # what turns the float into the hashed text
        assert isinstance(texted, (exp.Cast, exp.Convert)), texted.sql("tsql")
        assert _sql_server_text(texted, low) != _sql_server_text(texted, high), \
            texted.sql("tsql")
        seen.add((table, column.name))
    assert seen == floats


@pytest.mark.parametrize("name", ["fingerprint", "column_keys"])
def test_tsql_fingerprints_write_dates_in_iso_order_with_every_digit(name):
    """A ``datetime`` cast to text is ``mon dd yyyy hh:miAM`` (no seconds; the month in
    the session's language): every date is written with style 121."""
    from sqlglot import exp

    temporal = {(t, c) for t in unbound_tables().tables
                for c, kind in unbound_tables().tables[t].schema().items()
                if kind.is_temporal()}
    seen = set()
    for _tree, table, column in _summed_columns(name):
        if (table, column.name) in temporal:
            texted = column.parent
            assert isinstance(texted, exp.Convert), texted.sql("tsql")
            assert int(texted.args["style"].name) == 121
            seen.add((table, column.name))
    assert seen == temporal


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_tsql_writes_the_missing_marker_as_a_unicode_literal(name):
    """``'␀'`` is read in the database's code page, where it becomes ``?``: a missing
    value hashed as the text ``?``. Every literal that is not ASCII is ``N'...'``; no
    ASCII literal is (an ``N'A06'`` compared with a ``VARCHAR`` column converts the
    column)."""
    from sqlglot import exp

    marked = 0
    for tree in _fingerprint_trees(name):
        for literal in tree.find_all(exp.Literal, exp.National):
            if isinstance(literal, exp.National):
                assert not literal.this.isascii(), literal.sql("tsql")
            elif literal.is_string:
                assert literal.this.isascii(), literal.sql("tsql")
        marked += sum(any(n.this == "\u2400" for n in select.find_all(exp.National))
                      for select in tree.expressions if select.alias_or_name != "rows")
    if name in ("fingerprint", "column_keys"):  # every column's sum marks missing values
        assert marked == sum(len(t.columns) for t in unbound_tables().tables.values())
