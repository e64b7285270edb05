"""The relational part of the cohort builders, as ibis expressions.

Each function takes :class:`~lifetools.engines.EngineTables` and returns a
:class:`CohortQueries`: the flow steps (one expression per step, counted in the engine)
and the per-person frame, the only thing fetched into pandas. The same expressions run
on embedded DuckDB (the default build), a DuckDB file, PostgreSQL or Spark, and are
compiled to T-SQL in ``tests/unit/test_engine_sql.py`` (golden files under
``tests/fixtures/sql/``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd

from lifetools.cohort.spec import CohortSpec
from lifetools.labels import code_label

__all__ = ["SURVIVAL_COLUMNS", "CohortQueries", "discharge_queries", "first_contact", "people_query",
           "rereferral_queries"]

PERSON_TYPES = {"person_id": "string", "year_of_birth": "integer", "sex": "string",
                "date_of_death": "date", "imd_decile": "integer",
                "imd_quintile": "integer"}
REFERRAL_TYPES = {"referral_id": "string", "referral_date": "date", "team_type": "string",
                  "discharge_date": "date", "closure_reason": "string",
                  "honos_baseline": "integer"}


SURVIVAL_COLUMNS = {
    "people": ("person_id", "year_of_birth", "sex", "lsoa_code", "date_of_death"),
    "deprivation": ("lsoa_code", "locality", "imd_decile", "imd_quintile"),
    "referrals": ("referral_id", "person_id", "referral_date", "team_type",
                  "rejection_date", "discharge_date", "closure_reason", "honos_baseline"),
    "life_rooms_contacts": ("person_id", "contact_date"),
}
"""The columns the survival cohorts read (checked in a warehouse before querying)."""


@dataclass(frozen=True)
class CohortQueries:
    """Flow steps (label, expression whose rows are counted) and the per-person frame
    with the dictionary types of its columns (for fetching)."""

    flow: tuple[tuple[str, Any], ...]
    frame: Any
    types: Mapping[str, str]


def people_query(t: Any, locality: str = "all") -> Any:
    """People with their area's locality and deprivation (``people_in_locality``)."""
    areas = t.deprivation.select("lsoa_code", "locality", "imd_quintile", "imd_decile")
    people = _left(t.people, areas, "lsoa_code")
    if locality != "all":
        people = people.filter(people.locality == locality)
    return people


def first_contact(t: Any) -> Any:
    """Each linked person's first Life Rooms contact date (``first_contact``)."""
    contacts = t.life_rooms_contacts
    contacts = contacts.filter(contacts.person_id.notnull())
    return contacts.group_by("person_id").agg(first_contact=contacts.contact_date.min())


def _left(table: Any, other: Any, key: str) -> Any:
    """Left join on one key column, keeping the left table's key only."""
    return table.left_join(other, key, rname="{name}_right").drop(f"{key}_right")


def _first_per_person(table: Any, order: Sequence[str]) -> Any:
    ranked = table.mutate(_rank=ibis.row_number().over(
        group_by=table.person_id, order_by=[table[c] for c in order]))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def _with_person(t: Any, refs: Any, people: Any) -> Any:
    persons = people.select(*[c for c in PERSON_TYPES])
    return _left(_left(refs, persons, "person_id"), first_contact(t), "person_id")


def team_step(team_types: Sequence[str], action: str = "referred to") -> str:
    """The flow step of the team filter in words, with the codes in brackets.

    "to team types A06" showed readers a code only; it reads "referred to a
    community mental health team - functional (A06)", from the data dictionary's
    labels (``test_team_step_words_the_code_from_the_dictionary``). ``action``: what
    happened with the team ("discharged from": the re-referral flow said "discharged
    from those teams" after naming no team until wave 34).
    """
    named = [f"{code_label('referrals', 'team_type', code)} ({code})"
             for code in team_types]
    return f"{action} a " + " or ".join(n[0].lower() + n[1:] for n in named)


def discharge_queries(t: Any, spec: CohortSpec) -> CohortQueries:
    """Eligible referrals of :func:`~lifetools.cohort.build_discharge_cohort`."""
    t.require(SURVIVAL_COLUMNS)
    start, end, team_types, locality = spec.start, spec.end, spec.team_types, spec.locality
    people = people_query(t, locality)
    start_at, end_at = ibis.literal(start), ibis.literal(end)
    refs = t.referrals
    flow = [("Referrals in the extract", refs)]
    refs = refs.filter(refs.team_type.isin(list(team_types)))
    flow.append((team_step(team_types), refs))
    refs = refs.filter(refs.rejection_date.isnull())
    flow.append(("accepted (not rejected)", refs))
    # not closed before the period (a closure after period_end is not yet known);
    # written without COALESCE over a predicate, which T-SQL cannot evaluate
    refs = refs.filter((refs.referral_date <= end_at)
                       & (refs.discharge_date.isnull() | (refs.discharge_date > end_at)
                          | (refs.discharge_date >= start_at)))
    flow.append(("open at some time during the period", refs))
    refs = refs.filter(refs.person_id.isin(people.person_id))
    flow.append((f"people living in {locality}" if locality != "all"
                 else "linked to a person", refs))
    deaths = people.select("person_id", "date_of_death")
    joined = _left(refs, deaths, "person_id")
    follow_up = ibis.ifelse(joined.referral_date > start_at, joined.referral_date,
                            start_at)  # CASE WHEN: GREATEST needs SQL Server 2022
    refs = joined.filter(joined.date_of_death.isnull()
                         | (joined.date_of_death >= follow_up)).drop("date_of_death")
    flow.append(("alive at the start of follow-up", refs))
    refs = _first_per_person(refs.select(*REFERRAL_TYPES, "person_id"),
                             ["referral_date", "referral_id"])
    flow.append(("first such referral per person", refs))
    return CohortQueries(flow=tuple(flow), frame=_with_person(t, refs, people),
                         types={**REFERRAL_TYPES, **PERSON_TYPES, "first_contact": "date"})


def rereferral_queries(t: Any, spec: CohortSpec, *,
                       discharge_codes: Sequence[str]) -> CohortQueries:
    """First discharges of :func:`~lifetools.cohort.build_rereferral_cohort`, with the
    date of each person's next referral (to any team) up to ``spec.period_end``."""
    t.require(SURVIVAL_COLUMNS)
    start, end, team_types, locality = spec.start, spec.end, spec.team_types, spec.locality
    people = people_query(t, locality)
    start_at, end_at = ibis.literal(start), ibis.literal(end)
    all_refs = t.referrals
    flow = [("Referrals in the extract", all_refs)]
    done = all_refs.filter(all_refs.team_type.isin(list(team_types))
                           & all_refs.closure_reason.isin(list(discharge_codes)))
    done = done.select(*REFERRAL_TYPES, "person_id")
    flow.append((team_step(team_types, "discharged from"), done))
    done = done.filter((done.discharge_date >= start_at) & (done.discharge_date <= end_at))
    flow.append(("discharged during the period", done))
    done = done.filter(done.person_id.isin(people.person_id))
    done = _first_per_person(done, ["discharge_date", "referral_date", "referral_id"])
    flow.append(("first discharge per person", done))
    later = all_refs.select("person_id", "referral_date").inner_join(
        done.select("person_id", "discharge_date"), "person_id")
    later = later.select("person_id", "referral_date", "discharge_date")
    later = later.filter((later.referral_date > later.discharge_date)
                         & (later.referral_date <= end_at))
    next_ref = later.group_by("person_id").agg(next_referral=later.referral_date.min())
    frame = _left(_with_person(t, done, people), next_ref, "person_id")
    return CohortQueries(flow=tuple(flow), frame=frame,
                         types={**REFERRAL_TYPES, **PERSON_TYPES, "first_contact": "date",
                                "next_referral": "date"})


PERSON_TIME_COLUMNS = {
    "people": ("person_id", "year_of_birth", "sex", "ethnic_category", "lsoa_code",
               "date_of_death"),
    "deprivation": ("lsoa_code", "locality", "imd_quintile"),
    "referrals": ("person_id", "referral_date", "team_type", "rejection_date",
                  "discharge_date"),
    "life_rooms_contacts": ("person_id", "contact_date"),
    "ae_attendances": ("person_id", "arrival_date", "attendance_category",
                       "department_type", "duplicate_flag"),
    "emergency_admissions": ("person_id", "admission_date"),
}
"""The columns person-time reads (checked in a warehouse before querying)."""

PERSON_TIME_TYPES = {"person_id": "string", "year_of_birth": "integer", "sex": "string",
                     "ethnic_category": "string", "date_of_death": "date",
                     "locality": "string", "imd_quintile": "integer",
                     "first_contact": "date"}


def person_time_people(t: Any, locality: str) -> Any:
    """Everyone living in ``locality`` with their first Life Rooms contact (the users
    and the comparison pool of :func:`~lifetools.cohort.build_person_time`)."""
    people = people_query(t, locality).select(*[c for c in PERSON_TIME_TYPES
                                                if c != "first_contact"])
    return _left(people, first_contact(t), "person_id")


def unplanned_ae(t: Any) -> Any:
    """A&E attendances the reports count: categories 1-3,
    department types 01/03, not duplicates; columns ``person_id, date``."""
    ae = t.ae_attendances
    # not COALESCE(flag, FALSE): T-SQL cannot evaluate COALESCE over a predicate
    keep = (ae.attendance_category.isin(["1", "2", "3"])
            & ae.department_type.isin(["01", "03"])
            & (ae.duplicate_flag.isnull() | ~ae.duplicate_flag))
    return ae.filter(keep).select("person_id", date=ae.arrival_date)


def emergency_admissions(t: Any) -> Any:
    """Emergency admissions as events: ``person_id, date``."""
    adm = t.emergency_admissions
    return adm.select("person_id", date=adm.admission_date)


def window_counts(events: Any, windows: Any, names: Sequence[str]) -> Any:
    """Events per person in each named window ``[<name>_start, <name>_end)``.

    ``events`` has ``person_id, date``; ``windows`` one row per person with the bounds.
    One join and one grouped sum (as the pandas reference's ``count_in_windows``,
    ``tests/engines/pandas_cohorts.py``): an event or bound that is
    missing counts nothing, a window with start >= end counts 0. People with no event
    have no row (count 0).
    """
    joined = events.inner_join(windows, "person_id")
    return joined.group_by("person_id").agg(**{
        name: ibis.ifelse((joined.date >= joined[f"{name}_start"])
                          & (joined.date < joined[f"{name}_end"]), 1, 0).sum()
        for name in names})


def team_at_index(t: Any, index: Any) -> Any:
    """Team type of each person's accepted referral open on ``index_date`` (the latest;
    ties by team type, the last), from ``index`` (``person_id, index_date``)."""
    refs = t.referrals
    refs = refs.filter(refs.rejection_date.isnull()).select(
        "person_id", "referral_date", "discharge_date", "team_type")
    joined = refs.inner_join(index, "person_id")
    joined = joined.filter((joined.referral_date <= joined.index_date)
                           & (joined.discharge_date.isnull()
                              | (joined.discharge_date >= joined.index_date)))
    ranked = joined.mutate(_rank=ibis.row_number().over(
        group_by=joined.person_id,
        order_by=[joined.referral_date.desc(), joined.team_type.desc()]))
    return ranked.filter(ranked._rank == 0).select("person_id", "team_type")


CRISIS_TYPES = {"person_id": "string", "year_of_birth": "integer", "sex": "string",
                "ethnic_category": "string", "date_of_death": "date",
                "team_type": "string", "honos_baseline": "integer",
                "first_open": "date", "imd_quintile": "integer", "prior_ae": "integer",
                "prior_admissions": "integer", "life_rooms": "integer",
                "first_crisis": "date"}


def _latest(table: Any, order: Sequence[str]) -> Any:
    ranked = table.mutate(_rank=ibis.row_number().over(
        group_by=table.person_id, order_by=[table[c].desc() for c in order]))
    return ranked.filter(ranked._rank == 0).drop("_rank")


def _events_between(events: Any, start: Any, end: Any, name: str) -> Any:
    inside = events.filter((events.date >= start) & (events.date < end))
    return inside.group_by("person_id").agg(**{name: inside.count()})


def crisis_queries(t: Any, *, day: pd.Timestamp, horizon_days: int) -> CohortQueries:
    """People open to secondary care on ``day`` with what the crisis-risk model needs
    (:func:`~lifetools.cohort.build_crisis_cohort`): the latest open referral's team,
    its last recorded HoNOS, the first open referral's date, deprivation, prior use in
    the year before, Life Rooms use before ``day``, and the first crisis in
    ``[day, day + horizon)``. Flow: people open (and in the people table), alive."""
    at = ibis.literal(day)
    refs = t.referrals
    open_refs = refs.filter(refs.rejection_date.isnull() & (refs.referral_date < at)
                            & (refs.discharge_date.isnull() | (refs.discharge_date >= at)))
    order = ("referral_date", "referral_id")
    latest = _latest(open_refs.filter(open_refs.team_type.notnull()), order).select(
        "person_id", "team_type")
    honos = _latest(open_refs.filter(open_refs.honos_baseline.notnull()), order).select(
        "person_id", "honos_baseline")
    first_open = open_refs.group_by("person_id").agg(first_open=open_refs.referral_date.min())
    people = t.people.select("person_id", "year_of_birth", "sex", "ethnic_category",
                             "lsoa_code", "date_of_death")
    opened = people.filter(people.person_id.isin(open_refs.person_id))
    alive = opened.filter(opened.date_of_death.isnull() | (opened.date_of_death > at))
    areas = t.deprivation.select("lsoa_code", "imd_quintile")
    frame = _left(alive, areas, "lsoa_code").drop("lsoa_code")
    year_before = ibis.literal(day - pd.Timedelta(days=365))
    contacts = t.life_rooms_contacts
    users = contacts.filter(contacts.contact_date < at).group_by("person_id").agg(
        life_rooms=ibis.literal(1))
    ae = t.ae_attendances
    mh_ae = ae.filter(ae.mh_related & (ae.duplicate_flag.isnull() | ~ae.duplicate_flag)
                      ).select("person_id", date=ae.arrival_date)
    adm = t.emergency_admissions
    mh_adm = adm.filter(adm.primary_diagnosis.upper().startswith("F")).select(
        "person_id", date=adm.admission_date)
    crises = ibis.union(mh_ae, mh_adm, distinct=False)
    end = ibis.literal(day + pd.Timedelta(days=horizon_days))
    crises = crises.filter((crises.date >= at) & (crises.date < end))
    first_crisis = crises.group_by("person_id").agg(first_crisis=crises.date.min())
    for part in (latest, honos, first_open,
                 _events_between(unplanned_ae(t), year_before, at, "prior_ae"),
                 _events_between(emergency_admissions(t), year_before, at,
                                 "prior_admissions"), users, first_crisis):
        frame = _left(frame, part, "person_id")
    return CohortQueries(flow=(("Referrals open on the index date (people)", opened),
                               ("Alive on the index date", alive)),
                         frame=frame, types=CRISIS_TYPES)
