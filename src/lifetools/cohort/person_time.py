"""Person-time before and after first Life Rooms contact, with a comparison pool.

Users: people whose first linked Life Rooms contact falls in the period. Each has a
before window and an after window of ``window_days`` around that index date, the
before window clipped to data availability and the after window to death and
``period_end``. The comparison pool: people with no Life Rooms contact up to
``period_end``, given a pseudo index date drawn at random from the users' index dates (a
seeded draw over the people in person id order, so it depends on the data's values and
never on how or where they are stored; made before and independently of any matching),
alive on it, with the same windows, so they can be matched or weighted on a propensity
score. Within a matched pair the two index dates are therefore not the same: only their
distributions agree.

Covariates for the propensity score, measured at the index date: ``PROPENSITY_COVARIATES``
(age, sex, ethnicity, deprivation, team type, prior use) and one indicator per locality
(``locality_*``, with ``locality_unknown`` for people with no LSOA); the localities come
from the data, so :func:`propensity_covariates` lists the columns to use.

Prior use enters the score as ``baseline_ae`` and ``baseline_admissions``: A&E attendances
and emergency admissions per person-year in a **baseline window** of ``window_days``
that ends where the before window starts (``[index - 2 window, index - window)``,
clipped at the start of the data; ``baseline_years`` is its length). The before window
itself (``prior_ae``, ``prior_admissions``) is the difference-in-differences' pre-period
and is never matched on: matching on it makes the comparison group regress to the mean
(Daw and Hatfield 2018; ``book/methods/propensity.md``). A person with no baseline time
has missing baseline rates.

Team type at index (``team_type``): the team of the accepted referral open on the index
date (the most recent if several), or ``"none"`` for people not in secondary
mental-health care then. It enters the score as ``team_a06`` (community mental health
team, functional) and ``team_other`` (any other team), against ``"none"``. Finer team
categories are not used: in the default synthetic data every user in care is in one of
six community team types, so an indicator for a team type with no users separates
perfectly (the logistic fit diverges and the logit's SD, hence the caliper, inflates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd

from lifetools.cohort.queries import (
    PERSON_TIME_COLUMNS,
    PERSON_TIME_TYPES,
    emergency_admissions,
    person_time_people,
    team_at_index,
    unplanned_ae,
    window_counts,
)
from lifetools.cohort.spec import CohortSpec
from lifetools.dataset import Dataset
from lifetools.engines import EngineTables, engine_tables

__all__ = ["FLOW_PARENTS", "PRIOR_OUTCOMES", "PROPENSITY_COVARIATES", "PersonTime", "build_person_time",
           "propensity_covariates"]

PROPENSITY_COVARIATES = ("age_per_10", "female", "white", "imd_q1", "imd_q2",
                         "team_a06", "team_other", "baseline_ae", "baseline_admissions")
MATCHING_COVARIATES = ("baseline_ae", "baseline_admissions")
"""Covariates of the matching distance besides the logit score (Mahalanobis within the
caliper, ``lifetools.regression.match_on_propensity``): prior use in the baseline
window, the strongest predictors of later emergency care, which the score alone left
unbalanced (baseline A&E 0.119 at the truth seed; issue 13)."""
PRIOR_OUTCOMES = ("prior_ae", "prior_admissions")
"""Counts in the before window of the difference-in-differences: kept for description
and for the truth test of the outcome-matched design, never in the propensity score."""
LOCALITY_PREFIX = "locality_"


def _slug(name: str) -> str:
    return LOCALITY_PREFIX + "".join(c if c.isalnum() else "_" for c in name.lower())


def propensity_covariates(people: pd.DataFrame) -> list[str]:
    """Covariates of the propensity score for one cohort of ``build_person_time``.

    ``PROPENSITY_COVARIATES`` and the locality indicators, leaving out the most common
    locality (the reference category; ties broken by name) and any column constant in
    ``people`` (a single-locality report has no locality term).
    """
    localities = [c for c in people.columns if c.startswith(LOCALITY_PREFIX)]
    if localities:
        sums = people[localities].sum()
        reference = sorted(localities, key=lambda c: (-sums[c], c))[0]
        localities = [c for c in sorted(localities) if c != reference]
    return [c for c in (*PROPENSITY_COVARIATES, *localities)
            if people[c].nunique(dropna=False) > 1]


FLOW_PARENTS = (None, 0, 0)
"""The row each row of :attr:`PersonTime.flow` is a subset of: the users (first Life
Rooms contact in the period) and the comparison pool (no contact by the end of the
period, alive at their index date; some of them use the Life Rooms later) are disjoint parts of the people in the linked data
(:func:`lifetools.disclosure.protect_flow` protects what the two leave out of it)."""


@dataclass(frozen=True)
class PersonTime:
    """People (one row each, with covariates) and person-periods (two rows each)."""

    people: pd.DataFrame
    periods: pd.DataFrame
    flow: pd.DataFrame
    method: dict[str, Any] = field(default_factory=dict)


def _covariates(frame: pd.DataFrame, team: pd.Series) -> pd.DataFrame:
    age = frame["index_date"].dt.year - frame["year_of_birth"].astype(float)
    team = frame["person_id"].map(team).fillna("none").astype(object)
    quintile = frame["imd_quintile"].astype(float)
    locality = frame["locality"].fillna("unknown")
    dummies = {_slug(name): (locality == name).astype(float)
               for name in sorted(locality.unique())}
    return frame.assign(
        age=age, age_per_10=(age - 45) / 10, female=(frame["sex"] == "2").astype(float),
        white=frame["ethnic_category"].isin(["A", "B", "C"]).astype(float),
        imd_q1=(quintile == 1).astype(float), imd_q2=(quintile == 2).astype(float),
        team_type=team, secondary_care=(team != "none").astype(float),
        team_a06=(team == "A06").astype(float),
        team_other=((team != "none") & (team != "A06")).astype(float), **dummies)


def _in_id_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The people in the order the seeded draw takes them: person id order, on every
    path (issue 18: before, loaded frames kept the people table's row order, so the
    same extract gave other numbers from a folder than from a warehouse).

    Sorted here in pandas, never by the engine: strings in code point order (byte order
    of their UTF-8, whatever a server's collation), and compact ids
    (:mod:`lifetools.compact_ids`) are the ranks of the ids in that same byte order, so
    both give the same people in the same order. A person id is 64 lowercase hex
    characters (the dictionary's pattern ``^[0-9a-f]{64}$``)."""
    return frame.sort_values("person_id", kind="stable", ignore_index=True)


def _counts(tables: EngineTables, events: Any, bounds: pd.DataFrame,
            names: tuple[str, ...]) -> pd.DataFrame:
    """Events per person in each window, counted in the engine (0 for no event)."""
    windows = ibis.memtable(bounds[["person_id", *[f"{n}_{e}" for n in names
                                                   for e in ("start", "end")]]])
    counts = tables.fetch(window_counts(events, windows, names))
    counts = counts.set_index("person_id").reindex(bounds["person_id"]).fillna(0)
    return counts.astype("int64").reset_index(drop=True)


def build_person_time(dataset: Dataset, spec: CohortSpec, *, window_days: int = 365,
                      seed: int = 20250331) -> PersonTime:
    """Build before/after person-time for users and a comparison pool (see module).

    ``dataset`` is a loaded dataset or :class:`~lifetools.engines.EngineTables`;
    ``spec`` (:class:`~lifetools.cohort.CohortSpec`) gives the period and the locality
    (its team types are not used: the cohort is everyone linked, in care or not).

    Notes
    -----
    In the engine: the people of the locality with their first contact, the first A&E
    date, the team open at the index date, and the events in each window (one join
    and grouped sum per event table, :func:`~lifetools.cohort.queries.window_counts`).
    In pandas: the seeded draw of the pool's index dates (over the people in person
    id order, whatever the storage or the tables' row order), the window bounds
    (sent back to the engine as a small per-person table) and the covariates.
    Checked equal to the pandas builder it replaced (run on the people in id order)
    and to each other on loaded frames, DuckDB, PostgreSQL and Spark, and unchanged by
    the people table's row order, in ``tests/engines/test_engine_person_time.py``.
    """
    start, end = spec.start, spec.end
    tables = engine_tables(dataset)
    tables.require(PERSON_TIME_COLUMNS)
    data_start = pd.Timestamp(tables.value(
        tables.ae_attendances.arrival_date.min()))
    people = _in_id_order(tables.fetch(person_time_people(tables, spec.locality),
                                       PERSON_TIME_TYPES))
    first = people["first_contact"]
    in_period = (first >= start) & (first <= end)
    users = people[in_period].assign(index_date=first[in_period], group="Life Rooms users")
    flow = [("People in the linked data", len(people)),
            ("first Life Rooms contact during the period", len(users))]
    pool = people[first.isna() | (first > end)]
    # each frame is let go as soon as what follows no longer reads it: at 1,500,000
    # people they were all alive at the end, about 1.3 GB above the result (issue 16)
    del people, first, in_period
    rng = np.random.default_rng(seed)
    # no users (a small locality): no index date to draw, and none drawn
    drawn = (users["index_date"].to_numpy()[rng.integers(0, len(users), len(pool))]
             if len(users) else None)
    pool = pool.assign(index_date=pd.to_datetime(drawn) if len(users) else pd.NaT,
                       group="Comparison pool")
    del drawn
    pool = pool[~(pool["date_of_death"] <= pool["index_date"])]
    flow.append(("possible comparison people (no Life Rooms contact by the end of the "
                 "period, alive at index)", len(pool)))
    frame = pd.concat([users, pool], ignore_index=True)
    del users, pool
    window = pd.Timedelta(days=window_days)
    death = frame["date_of_death"].fillna(pd.Timestamp.max)
    bounds = pd.DataFrame({
        "person_id": frame["person_id"],
        "before_start": (frame["index_date"] - window).clip(lower=data_start),
        "before_end": frame["index_date"], "after_start": frame["index_date"],
        "after_end": pd.concat([frame["index_date"] + window, death,
                                pd.Series(end + pd.Timedelta(days=1), index=frame.index)],
                               axis=1).min(axis=1),
        "baseline_start": (frame["index_date"] - 2 * window).clip(lower=data_start),
        "baseline_end": frame["index_date"] - window})
    del death
    names = ("before", "after", "baseline")
    ae = _counts(tables, unplanned_ae(tables), bounds, names)
    admissions = _counts(tables, emergency_admissions(tables), bounds, names)
    windows = pd.concat([
        pd.DataFrame({"person_id": frame["person_id"], "start": bounds["before_start"],
                      "end": frame["index_date"], "after": 0, "group": frame["group"],
                      "ae": ae["before"], "admissions": admissions["before"]}),
        pd.DataFrame({"person_id": frame["person_id"], "start": frame["index_date"],
                      "end": bounds["after_end"], "after": 1, "group": frame["group"],
                      "ae": ae["after"], "admissions": admissions["after"]}),
    ], ignore_index=True)
    windows.insert(5, "person_years", (windows["end"] - windows["start"]).dt.days / 365.25)
    years = ((bounds["baseline_end"] - bounds["baseline_start"]).dt.days / 365.25).clip(
        lower=0)
    del bounds
    per_year = years.where(years > 0)
    frame = frame.assign(prior_ae=ae["before"].astype(float),
                         prior_admissions=admissions["before"].astype(float),
                         baseline_years=years, baseline_ae=ae["baseline"] / per_year,
                         baseline_admissions=admissions["baseline"] / per_year)
    del ae, admissions, years, per_year
    periods = windows[windows["person_years"] > 0]
    del windows
    periods = periods.sort_values(["person_id", "after"], ignore_index=True)
    index = ibis.memtable(frame[["person_id", "index_date"]])
    team = tables.fetch(team_at_index(tables, index)).set_index("person_id")["team_type"]
    del index
    frame = _covariates(frame, team)
    frame["user"] = (frame["group"] == "Life Rooms users").astype(float)
    keep = ["person_id", "group", "user", "index_date", "age", "imd_quintile",
            "locality", "team_type", "secondary_care", *PROPENSITY_COVARIATES,
            *PRIOR_OUTCOMES, "baseline_years",
            *sorted(c for c in frame.columns if c.startswith(LOCALITY_PREFIX))]
    people = frame[keep]
    del frame
    return PersonTime(
        people=people.sort_values(["group", "person_id"], ignore_index=True),
        periods=periods, flow=pd.DataFrame(flow, columns=["step", "n"]),
        method={"window_days": window_days, "data_start": str(data_start.date()),
                "ae": "unplanned (categories 1-3), department types 01 and 03, "
                      "duplicates excluded", "seed": seed})
