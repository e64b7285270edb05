"""Population description: counts and characteristics from tiny hand-written tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from lifetools.describe import describe_population

D = pd.Timestamp
NA = pd.NaT


def tiny_dataset() -> SimpleNamespace:
    people = pd.DataFrame({
        "person_id": ["p1", "p2", "p3", "p4"],
        "year_of_birth": pd.array([1990, 1960, 2000, 1950], dtype="Int64"),
        "sex": ["1", "2", "2", "X"],
        "ethnic_category": ["A", "N", "Z", "H"],
        "lsoa_code": ["L1", "L2", "L1", None],
    })
    deprivation = pd.DataFrame({"lsoa_code": ["L1", "L2"],
                                "locality": ["North", "South"],
                                "imd_quintile": pd.array([1, 5], dtype="Int64")})
    referrals = pd.DataFrame({
        "person_id": ["p1", "p2", "p3", "p4"],
        "referral_date": [D("2024-05-01"), D("2023-01-01"), D("2024-06-01"),
                          D("2024-07-01")],
        "discharge_date": [NA, D("2023-06-01"), D("2024-09-01"), NA],
        "rejection_date": [NA, NA, NA, D("2024-07-05")],
        "team_type": ["A06", "A06", "A02", "A06"],
    })
    contacts = pd.DataFrame({
        "person_id": ["p1", "p2", None, "p1"],
        "contact_date": [D("2024-06-01"), D("2024-07-01"), D("2024-08-01"),
                         D("2023-01-01")],
    })
    return SimpleNamespace(people=people, deprivation=deprivation, referrals=referrals,
                           life_rooms_contacts=contacts)


def test_describe_population_counts_by_definition():
    result = describe_population(tiny_dataset(), period_start="2024-04-01",
                                 period_end="2025-03-31")
    # p1 open (referred May 2024), p3 open Jun-Sep 2024; p2 closed 2023; p4 rejected
    assert result.count("caseload") == 2
    assert result.count("referrals") == 3
    assert result.count("users") == 2  # p1 and p2 in period; unlinked contact ignored
    assert result.count("users_in_care") == 1
    assert result.count("contacts") == 2
    assert result.count("people") == 4


def test_describe_population_locality_restricts_people():
    result = describe_population(tiny_dataset(), period_start="2024-04-01",
                                 period_end="2025-03-31", locality="North")
    assert result.count("people") == 2
    assert result.count("caseload") == 2
    assert result.count("users") == 1


def test_describe_population_characteristics_and_monthly():
    result = describe_population(tiny_dataset(), period_start="2024-04-01",
                                 period_end="2025-03-31")
    table = result.characteristics.set_index(["characteristic", "group"])
    assert table.loc[("Sex", "Male"), "Secondary care"] == 1
    assert table.loc[("Deprivation quintile", "1 (most deprived)"), "Secondary care"] == 2
    assert result.monthly["referrals"].sum() == 3
    assert list(result.monthly.columns) == ["month", "team", "referrals"]


def test_describe_population_period_without_referrals_gives_zero_counts_and_empty_months():
    result = describe_population(tiny_dataset(), period_start="2030-04-01",
                                 period_end="2031-03-31")
    assert [result.count(k) for k in ("caseload", "referrals", "users", "contacts")] == [
        1, 0, 0, 0]  # p1 referred in May 2024, never discharged: still open
    assert result.monthly.empty and list(result.monthly.columns) == [
        "month", "team", "referrals"]
    assert str(result.monthly["month"].dtype) == "datetime64[ns]"


def test_describe_population_months_and_teams_by_definition():
    result = describe_population(tiny_dataset(), period_start="2024-04-01",
                                 period_end="2025-03-31")
    assert result.monthly.to_dict("list") == {
        "month": [D("2024-05-01"), D("2024-06-01"), D("2024-07-01")],
        "team": ["Community mental health teams (A06)", "Other teams",
                 "Community mental health teams (A06)"],
        "referrals": [1, 1, 1]}


def _dataset():
    from pathlib import Path

    from lifetools.loading import Dataset

    return Dataset(Path("."), **vars(tiny_dataset()))


def _equal(a, b) -> bool:
    return all(getattr(a, k).equals(getattr(b, k))
               for k in ("counts", "characteristics", "monthly"))


def test_engine_tables_of_a_dataset_kept_while_its_frames_are_unchanged():
    from dataclasses import replace

    from lifetools.engines import engine_tables

    data = _dataset()
    tables = engine_tables(data)
    assert engine_tables(data) is tables  # the frames registered once
    assert engine_tables(replace(data, path=data.path)) is not tables  # another dataset
    assert "note" not in tables.people.columns  # registered when first used
    object.__getattribute__(data, "people")["note"] = "x"  # a column added in place
    again = engine_tables(data)
    assert again is not tables and "note" in again.people.columns
    assert engine_tables(data) is again


def test_describe_population_same_again_and_compiled_once_per_query(monkeypatch):
    import ibis.backends.duckdb as duckdb_backend

    compiled = []
    compile_sql = duckdb_backend.Backend.compile

    def counting(self, *args, **kwargs):
        compiled.append(1)
        return compile_sql(self, *args, **kwargs)

    monkeypatch.setattr(duckdb_backend.Backend, "compile", counting)
    data = _dataset()
    first = describe_population(data, period_start="2024-04-01", period_end="2025-03-31")
    queries = len(compiled)
    assert queries >= 3  # counts, people, monthly
    again = describe_population(data, period_start="2024-04-01", period_end="2025-03-31")
    assert _equal(first, again) and len(compiled) == queries
    other = describe_population(data, period_start="2023-04-01", period_end="2024-03-31")
    assert len(compiled) > queries  # another period: other SQL
    # each equals a call on the same tables not kept (a namespace: a new connection)
    for period, result in ((("2024-04-01", "2025-03-31"), first),
                           (("2023-04-01", "2024-03-31"), other)):
        assert _equal(result, describe_population(tiny_dataset(), period_start=period[0],
                                                  period_end=period[1]))


def test_engine_tables_skip_sampling_text_columns_only_when_every_object_column_is_text():
    from lifetools.engines import engine_tables

    def setting(tables):
        return tables.backend.con.sql(
            "SELECT current_setting('pandas_analyze_sample')").fetchone()[0]

    text = engine_tables(tiny_dataset())  # strings and None: VARCHAR unsampled
    assert text.people.schema()["sex"].is_string()  # registered when first used
    assert setting(text) == 0
    mixed = tiny_dataset()
    mixed.people["year_of_birth"] = mixed.people["year_of_birth"].astype(object)
    tables = engine_tables(mixed)  # Python ints in an object column: still sampled
    assert tables.people.schema()["year_of_birth"].is_integer()
    assert setting(tables) > 0
    assert describe_population(mixed, period_start="2024-04-01", period_end="2025-03-31"
                               ).count("people") == 4
