"""``reach.activity_queries``: the reach report's activity counts, made in the engine,
against counts worked out by hand on a few rows with every kind of missing value (the
equality with the former pandas counts on the synthetic data and on PostgreSQL and
Spark is ``tests/engines/test_engine_reach.py``)."""

from __future__ import annotations

import pandas as pd

from lifetools.duckdb_settings import open_ibis_duckdb
from lifetools.engines import EngineTables
from lifetools.reports.reach import _activity

START, END = pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-31")


def _tables(contacts, prescriptions, feedback):
    backend = open_ibis_duckdb()
    for name, frame in (("life_rooms_contacts", contacts),
                        ("social_prescriptions", prescriptions), ("feedback", feedback)):
        backend.create_table(name, frame)
    return EngineTables(backend=backend, engine="duckdb", where="(test)", typed=True,
                        tables={n: backend.table(n) for n in backend.list_tables()})


def _contacts():
    day = pd.to_datetime(["2024-03-31", "2024-04-01", "2024-04-20", "2024-05-02",
                          "2024-05-03", "2025-03-31", "2025-04-01", "2024-06-01"])
    return pd.DataFrame({
        "person_id": ["a", "a", "b", None, None, "c", "d", "b"],
        "contact_date": day,
        "site": ["Walton", "Walton", "Bootle", "Walton", "Bootle", "Walton", "Walton",
                 None],
        "gp_registration_supported": [True, False, True, True, False, False, True,
                                      False],
        "nationality": ["GB", None, "GB", "PL", None, "IE", "FR", None]})


def _prescriptions():
    return pd.DataFrame({
        "prescription_date": pd.to_datetime(["2024-04-02", "2024-05-01", "2024-06-01",
                                             "2023-01-01"]),
        "site": ["Walton"] * 4,
        "pathway_category": ["housing", None, "housing", "employment"]})


def _feedback():
    return pd.DataFrame({
        "response_date": pd.to_datetime(["2024-04-02", "2024-05-01", "2024-06-01",
                                         "2025-06-01"]),
        "site": ["Walton", "Walton", "Bootle", "Walton"],
        "access_easy": pd.array([5, None, 3, 5], dtype="Int64"),
        "fft_response": pd.array([1, 2, None, 1], dtype="Int64")})


def test_reach_activity_counts_by_hand():
    got = _activity(_tables(_contacts(), _prescriptions(), _feedback()), START, END,
                    None)
    # in the period: rows 2-6 and 8 (the first and the 7th are outside it)
    assert got.counts == {"visits": 6, "visitors": 3, "helped": 1,
                          "nationalities": 3, "unlinked": 2}
    assert got.users == {"a", "b", "c"}
    # a visit with no site is in no site's row, as pandas' groupby left it out
    assert got.sites.to_dict("list") == {"site": ["Bootle", "Walton"], "visits": [2, 3]}
    assert got.monthly["month"].tolist() == list(pd.to_datetime(
        ["2024-04-01", "2024-05-01", "2024-06-01", "2025-03-01"]))
    assert got.monthly["contacts"].tolist() == [2, 2, 1, 1]
    assert str(got.monthly["month"].dtype) == "datetime64[ns]"
    # a prescription with no pathway counts in the total only
    assert got.prescriptions == 3
    assert got.pathways.to_dict("list") == {"pathway_category": ["housing"],
                                            "prescriptions": [2]}
    # a missing answer does not agree; every response counts
    assert got.feedback == {"responses": 3, "access_easy": 1, "recommend": 2}


def test_reach_activity_at_some_sites_and_in_an_empty_period():
    tables = _tables(_contacts(), _prescriptions(), _feedback())
    bootle = _activity(tables, START, END, ["Bootle"])
    assert bootle.counts == {"visits": 2, "visitors": 1, "helped": 1,
                             "nationalities": 1, "unlinked": 1}
    assert bootle.feedback == {"responses": 1, "access_easy": 0, "recommend": 0}
    assert bootle.prescriptions == 0 and bootle.pathways.empty
    none = _activity(tables, pd.Timestamp("2030-01-01"), pd.Timestamp("2030-12-31"), None)
    assert none.counts == dict.fromkeys(none.counts, 0)
    assert none.feedback == {"responses": 0, "access_easy": 0, "recommend": 0}
    assert none.sites.empty and none.monthly.empty and none.users == set()
    assert list(none.monthly.columns) == ["month", "contacts"]
