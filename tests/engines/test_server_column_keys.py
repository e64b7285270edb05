"""A PostgreSQL source's runs are keyed per column: fingerprints computed on the server.

The extract is loaded into a database of the throwaway server (``conftest``); one
value changed, or two rows' values of one column exchanged, change that column's
fingerprint only.
"""

from __future__ import annotations

import itertools

import ibis
import pytest
from engine_helpers import ANALYST_PASSWORD, load_folder

from lifetools import engines
from lifetools.engines.column_keys import server_columns
from lifetools.synthetic import write_synthetic

pytestmark = pytest.mark.xdist_group("postgres")  # one server, on one worker
_DATABASES = itertools.count()  # one database per test on the session's server


@pytest.fixture
def server(postgres, tmp_path, monkeypatch):
    monkeypatch.setenv(engines.PASSWORD_ENV, ANALYST_PASSWORD)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    write_synthetic(tmp_path / "folder", people=300, seed=3)
    database = f"columnkeys{next(_DATABASES)}"
    url = load_folder(postgres, tmp_path / "folder", database)
    admin = ibis.postgres.connect(host=str(postgres[0]), port=postgres[1],
                                  user="postgres", database=database)

    def columns() -> dict:
        tables = engines.connect(engines.parse_source(url))
        try:
            return server_columns(tables)
        finally:
            tables.backend.disconnect()

    columns.url = url
    yield admin, columns
    admin.disconnect()


def _changed(before: dict, after: dict) -> dict[str, set[str]]:
    return {t: {c for c in before[t]["columns"]
                if before[t]["columns"][c] != after[t]["columns"][c]}
            for t in before if before[t] != after[t]}


def test_server_columns_one_value_or_a_swap_changes_only_that_column(server):
    admin, columns = server
    first = columns()
    assert columns() == first  # the same data: the same fingerprints
    admin.raw_sql("UPDATE deprivation SET population = population + 1 "
                  "WHERE lsoa_code = (SELECT min(lsoa_code) FROM deprivation)")
    second = columns()
    assert _changed(first, second) == {"deprivation": {"population"}}
    admin.raw_sql("WITH two AS (SELECT lsoa_code, population, row_number() OVER "
                  "(ORDER BY lsoa_code) AS n FROM deprivation ORDER BY lsoa_code LIMIT 2) "
                  "UPDATE deprivation d SET population = o.population FROM two t, two o "
                  "WHERE d.lsoa_code = t.lsoa_code AND o.n = 3 - t.n "
                  "AND t.population <> o.population")
    third = columns()
    assert _changed(second, third) == {"deprivation": {"population"}}
    assert third["deprivation"]["table"] != second["deprivation"]["table"]


SESSION = ("-c DateStyle=SQL,DMY -c extra_float_digits=-10 -c IntervalStyle=sql_standard "
           "-c bytea_output=escape")
"""Another analyst's session settings (libpq reads PGOPTIONS when it connects)."""


def test_server_columns_same_whatever_the_sessions_text_settings(server, monkeypatch):
    # issue 14: values are fingerprinted as text; a session's DateStyle or
    # extra_float_digits changed every date's or float's text (a rerun for nothing),
    # and at extra_float_digits = -10 a float changed in its tenth digit printed alike
    admin, columns = server
    first = columns()
    assert "swemwbs_metric" in first["wellbeing"]["columns"]  # a float column
    monkeypatch.setenv("PGOPTIONS", SESSION)
    other = engines.connect(engines.parse_source(columns.url))
    try:
        shown = other.backend.raw_sql("SELECT current_setting('DateStyle'), "
                                      "current_setting('extra_float_digits')").fetchone()
        assert shown == ("SQL, DMY", "-10")  # the session really is set otherwise
        assert server_columns(other) == first
        assert other.backend.raw_sql("SELECT current_setting('DateStyle')"
                                     ).fetchone() == ("SQL, DMY",)  # and put back
    finally:
        other.backend.disconnect()
    admin.raw_sql("UPDATE wellbeing SET swemwbs_metric = swemwbs_metric * (1 + 1e-10) "
                  "WHERE swemwbs_metric = (SELECT min(swemwbs_metric) FROM wellbeing "
                  "WHERE swemwbs_metric > 0)")
    monkeypatch.setenv("PGOPTIONS", SESSION)  # the other analyst's session again
    assert _changed(first, columns()) == {"wellbeing": {"swemwbs_metric"}}
