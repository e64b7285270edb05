"""The pandas cohort builders the ibis builders replaced (lifetools before issue 18),
kept verbatim as the reference of the engine-equality tests (but for their arguments,
now one :class:`~lifetools.cohort.CohortSpec`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifetools.cohort import CohortSpec
from lifetools.cohort.crisis import FLOW_OUTCOMES, CrisisCohort
from lifetools.cohort.person_time import (
    LOCALITY_PREFIX,
    PRIOR_OUTCOMES,
    PROPENSITY_COVARIATES,
    PersonTime,
    _slug,
)
from lifetools.cohort.queries import team_step
from lifetools.dictionary import load_dictionary

EVENT_CODES = {"censored": 0, "discharge": 1, "transfer": 2, "death": 3}
ADJUSTMENT_COVARIATES = ("age_65_plus", "age_per_10", "female", "most_deprived_decile",
                         "honos_per_5")
MISSING_DATA_COLUMNS = ("deprivation_unknown", "honos_observed")
"""Cohort columns for the missing-data analysis: unknown area as its own category, and
HoNOS (per 5 points, centred at 11) with its missing values kept for imputation."""


def unplanned_attendances(dataset: Any) -> pd.DataFrame:
    """A&E attendances counted by the reports: unplanned, types 01/03, not duplicates."""
    ae = dataset.ae_attendances
    keep = (ae["attendance_category"].isin(["1", "2", "3"])
            & ae["department_type"].isin(["01", "03"]) & ~ae["duplicate_flag"].fillna(False))
    return ae.loc[keep, ["person_id", "arrival_date"]].rename(
        columns={"arrival_date": "date"})


def count_in_windows(events: pd.DataFrame, windows: pd.DataFrame) -> pd.Series:
    """Count events (person_id, date) in each window (person_id, start, end) [start, end).

    Notes
    -----
    A sort-based interval count, ``O((e + w) log(e + w))`` for ``e`` events and ``w``
    windows: person ids become integer codes (missing ids match each other, as in a
    pandas merge) and dates dense ranks, so each event is one integer key ``code * width
    + rank`` in a sorted array and each window's count is the difference of two binary
    searches. An event or window bound that is missing counts nothing; a window with
    ``start >= end`` counts 0. Checked against the merge-and-filter count it replaced and
    a naive loop (hypothesis) in ``tests/engines/test_reference_windows.py``. Moved here
    from ``lifetools.cohort.person_time`` in wave 52 with ``unplanned_attendances``: the
    engine counts the windows (``cohort.queries.window_counts``) and nothing in the
    package used them.
    """
    n_events = len(events)
    codes = pd.factorize(pd.concat([events["person_id"], windows["person_id"]],
                                   ignore_index=True), use_na_sentinel=False)[0]
    dates = events["date"].to_numpy()
    starts, ends = windows["start"].to_numpy(), windows["end"].to_numpy()
    has_date = ~pd.isna(dates)
    has_bounds = ~(pd.isna(starts) | pd.isna(ends))
    values = [dates[has_date], starts[has_bounds], ends[has_bounds]]
    ranks = np.unique(np.concatenate(values), return_inverse=True)[1].ravel()
    width = np.int64(ranks.max() + 2 if len(ranks) else 1)
    split = np.cumsum([len(v) for v in values])[:2]
    date_rank, start_rank, end_rank = np.split(ranks.astype(np.int64), split)
    keys = np.sort(codes[:n_events][has_date].astype(np.int64) * width + date_rank)
    window_code = codes[n_events:][has_bounds].astype(np.int64) * width
    inside = (np.searchsorted(keys, window_code + end_rank, side="left")
              - np.searchsorted(keys, window_code + start_rank, side="left"))
    counts = np.zeros(len(windows), dtype=int)
    counts[has_bounds] = np.maximum(inside, 0)
    return pd.Series(counts, index=windows.index)


def people_in_locality(dataset: Any, locality: str = "all") -> pd.DataFrame:
    """The people table joined to deprivation, restricted to one locality: pandas, as
    ``lifetools.people.people_in_locality`` was until wave 45 (now a query)."""
    people = dataset.people.merge(
        dataset.deprivation[["lsoa_code", "locality", "imd_quintile"]],
        on="lsoa_code", how="left",
    )
    if locality != "all":
        people = people[people["locality"] == locality]
    return people


def closure_groups() -> dict[str, tuple[str, ...]]:
    """Closure-reason groups (transfer, death, discharge) from the data dictionary."""
    return dict(load_dictionary().groups("referrals", "closure_reason"))


@dataclass(frozen=True)
class DischargeCohort:
    """One row per person: entry, duration, event code, covariates, exposure timing.

    ``data`` columns: person_id, entry, duration (days from referral), event (0-3, see
    ``EVENT_CODES``), discharged (1/0), exposure_day (days from referral to first Life
    Rooms contact within follow-up, NaN otherwise), ever_used (naive fixed exposure),
    and the covariates in ``ADJUSTMENT_COVARIATES`` plus imd_quintile.
    """

    data: pd.DataFrame
    flow: pd.DataFrame
    method: dict[str, Any] = field(default_factory=dict)


def first_life_rooms_contact(dataset: Any) -> pd.Series:
    """Date of each linked person's first Life Rooms contact."""
    contacts = dataset.life_rooms_contacts.dropna(subset=["person_id"])
    return contacts.groupby("person_id")["contact_date"].min()


def _covariates(frame: pd.DataFrame, reference: pd.Series) -> pd.DataFrame:
    """Covariates. ``honos_observed`` keeps missing HoNOS missing (the reports impute
    it); ``honos_per_5`` is median-filled, kept only for the fits that predate
    imputation (truth tests); ``deprivation_unknown`` marks an unknown area, its own
    category beside ``most_deprived_decile`` (which is 0 there)."""
    age = reference.dt.year - frame["year_of_birth"].astype(float)
    honos = frame["honos_baseline"].astype(float)
    return frame.assign(
        age=age, age_per_10=(age - 45) / 10, age_65_plus=(age >= 65).astype(float),
        female=(frame["sex"] == "2").astype(float),
        most_deprived_decile=(frame["imd_decile"] == 1).fillna(False).astype(float),
        deprivation_unknown=frame["imd_decile"].isna().astype(float),
        honos_observed=(honos - 11) / 5,
        honos_per_5=((honos.fillna(honos.median()) - 11) / 5),
    )


def build_discharge_cohort(dataset: Any, spec: CohortSpec) -> DischargeCohort:
    """Accepted referrals to ``team_types`` open during the period, one per person.

    Eligibility: accepted (not rejected) referral to one of the team types, received
    on or before ``period_end`` and not closed before ``period_start``; the person's
    first such referral. Index date: the referral date. Delayed entry: referrals
    already open at ``period_start`` enter at that day. A person who died before
    follow-up would start (before ``period_start`` for a referral open then, a referral
    left open after a death) was never at risk and is left out (flow step "alive at the
    start of follow-up"); a death on the day follow-up starts is an event on day one.
    Follow-up ends at discharge, death, transfer, or ``period_end``. Events: discharge
    (closure group 'discharge'), transfer and death compete.
    """
    period_start, period_end = spec.period_start, spec.period_end
    team_types, locality = spec.team_types, spec.locality
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    groups = closure_groups()
    people = people_in_locality(dataset, locality)
    people = people.merge(dataset.deprivation[["lsoa_code", "imd_decile"]],
                          on="lsoa_code", how="left")
    refs = dataset.referrals
    flow = [("Referrals in the extract", len(refs))]
    refs = refs[refs["team_type"].isin(list(team_types))]
    flow.append((team_step(team_types), len(refs)))
    refs = refs[refs["rejection_date"].isna()]
    flow.append(("accepted (not rejected)", len(refs)))
    closed = refs["discharge_date"].where(refs["discharge_date"] <= end)
    refs = refs[(refs["referral_date"] <= end) & ~(closed < start)]
    flow.append(("open at some time during the period", len(refs)))
    refs = refs[refs["person_id"].isin(people["person_id"])]
    flow.append((f"people living in {locality}" if locality != "all"
                 else "linked to a person", len(refs)))
    died = refs["person_id"].map(people.drop_duplicates("person_id").set_index(
        "person_id")["date_of_death"])
    refs = refs[~(died < refs["referral_date"].clip(lower=start))]
    flow.append(("alive at the start of follow-up", len(refs)))
    refs = refs.sort_values(["person_id", "referral_date", "referral_id"]).drop_duplicates(
        "person_id")
    flow.append(("first such referral per person", len(refs)))
    frame = refs.merge(people[["person_id", "year_of_birth", "sex", "date_of_death",
                               "imd_decile", "imd_quintile"]], on="person_id",
                       how="left")
    frame = _covariates(frame, frame["referral_date"])
    death = frame["date_of_death"].where(frame["date_of_death"] <= end)
    discharge = frame["discharge_date"].where(frame["discharge_date"] <= end)
    stop_date = pd.concat([discharge, death, pd.Series(end, index=frame.index)],
                          axis=1).min(axis=1)
    reason = frame["closure_reason"].fillna("")
    event = np.where(discharge.notna() & (discharge <= stop_date), np.where(
        reason.isin(groups["transfer"]), 2, np.where(reason.isin(groups["death"]), 3, 1)),
        0)
    event = np.where(death.notna() & (death <= stop_date) & (event == 0), 3, event)
    event = np.where(death.notna() & (death <= stop_date) & (event == 1), 3, event)
    days = (stop_date - frame["referral_date"]).dt.days.astype(float)
    entry = (start - frame["referral_date"]).dt.days.clip(lower=0).astype(float)
    duration = np.maximum(np.maximum(days, 1.0), entry + 1)
    first = frame["person_id"].map(first_life_rooms_contact(dataset))
    offset = (first - frame["referral_date"]).dt.days.astype(float)
    exposure = np.where(first.notna() & (offset <= days), np.clip(offset, 0, None),
                        np.nan)
    later = first.notna() & (first <= end)
    data = frame.assign(entry=entry, duration=duration, event=event.astype(int),
                        discharged=(event == 1).astype(int), exposure_day=exposure,
                        ever_used=later.astype(float))
    keep = ["person_id", "referral_date", "team_type", "entry", "duration", "event",
            "discharged", "exposure_day", "ever_used", "age", "imd_quintile",
            *ADJUSTMENT_COVARIATES, *MISSING_DATA_COLUMNS]
    data = data[keep].sort_values(["referral_date", "person_id"], ignore_index=True)
    return DischargeCohort(
        data=data, flow=pd.DataFrame(flow, columns=["step", "n"]),
        method={"index": "referral date", "delayed_entry": "period start",
                "events": EVENT_CODES, "closure_groups": groups,
                "period": [period_start, period_end], "team_types": list(team_types)},
    )


def split_at_exposure(data: pd.DataFrame, *, id_col: str = "person_id",
                      exposure_col: str = "exposure_day", entry_col: str = "entry",
                      duration_col: str = "duration", event_col: str = "discharged"
                      ) -> pd.DataFrame:
    """Start-stop rows split at first exposure: ``start, stop, event, exposed``.

    People exposed at or before entry are exposed throughout; people exposed later
    contribute an unexposed row up to the exposure day (an event on that day counts as
    unexposed) and an exposed row after it. Exposure on or after the day follow-up
    ends (``exposure_col >= duration_col``, such as a first contact on the day of
    discharge) adds no exposed time: the whole follow-up and its event are unexposed,
    so no immortal time is credited to the exposed.

    Notes
    -----
    Pinned by ``tests/spec/test_discharge_cohort_spec.py`` (one row per rule).
    """
    exposure = data[exposure_col]
    within = exposure.notna() & (exposure < data[duration_col])
    split = within & (exposure > data[entry_col])
    whole = data.assign(start=data[entry_col], stop=data[duration_col],
                        event=data[event_col],
                        exposed=(within & ~split).astype(float))
    before = data[split].assign(start=data.loc[split, entry_col], stop=exposure[split],
                                event=0, exposed=0.0)
    after = data[split].assign(start=exposure[split], stop=data.loc[split, duration_col],
                               event=data.loc[split, event_col], exposed=1.0)
    long = pd.concat([whole[~split], before, after], ignore_index=True)
    return long.sort_values([id_col, "start"], ignore_index=True)


@dataclass(frozen=True)
class ReReferralCohort:
    """One row per person discharged in the period: time to next referral.

    ``data`` columns: person_id, discharge_date, duration (days), event (0 censored,
    1 re-referred, 2 died), rereferred (1/0), used_life_rooms (first Life Rooms contact
    on or before discharge), covariates.
    """

    data: pd.DataFrame
    flow: pd.DataFrame
    method: dict[str, Any] = field(default_factory=dict)


def build_rereferral_cohort(dataset: Any, spec: CohortSpec) -> ReReferralCohort:
    """People discharged (closure group 'discharge') from the team types in the period.

    Follow-up starts at the first such discharge and ends at the next referral to any
    secondary mental-health team (the event), death (competing) or ``period_end``.
    Life Rooms use is fixed at discharge (contact on or before the discharge date), so
    there is no immortal time.
    """
    period_start, period_end = spec.period_start, spec.period_end
    team_types, locality = spec.team_types, spec.locality
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    groups = closure_groups()
    people = people_in_locality(dataset, locality).merge(
        dataset.deprivation[["lsoa_code", "imd_decile"]], on="lsoa_code", how="left")
    refs = dataset.referrals
    flow = [("Referrals in the extract", len(refs))]
    done = refs[refs["team_type"].isin(list(team_types))
                & refs["closure_reason"].isin(groups["discharge"])]
    flow.append((team_step(spec.team_types, "discharged from"), len(done)))
    done = done[(done["discharge_date"] >= start) & (done["discharge_date"] <= end)]
    flow.append(("discharged during the period", len(done)))
    done = done[done["person_id"].isin(people["person_id"])]
    done = done.sort_values(["person_id", "discharge_date"]).drop_duplicates("person_id")
    flow.append(("first discharge per person", len(done)))
    frame = done.merge(people[["person_id", "year_of_birth", "sex", "date_of_death",
                               "imd_decile", "imd_quintile"]], on="person_id", how="left")
    frame = _covariates(frame, frame["discharge_date"])
    later = refs[["person_id", "referral_date"]].merge(
        frame[["person_id", "discharge_date"]], on="person_id")
    later = later[(later["referral_date"] > later["discharge_date"])
                  & (later["referral_date"] <= end)]
    next_ref = frame["person_id"].map(later.groupby("person_id")["referral_date"].min())
    death = frame["date_of_death"].where(frame["date_of_death"] <= end)
    stop = pd.concat([next_ref, death, pd.Series(end, index=frame.index)],
                     axis=1).min(axis=1)
    event = np.where(next_ref.notna() & (next_ref <= stop), 1,
                     np.where(death.notna() & (death <= stop), 2, 0))
    first = frame["person_id"].map(first_life_rooms_contact(dataset))
    data = frame.assign(
        duration=np.maximum((stop - frame["discharge_date"]).dt.days.astype(float), 1.0),
        event=event.astype(int), rereferred=(event == 1).astype(int),
        used_life_rooms=(first.notna() & (first <= frame["discharge_date"])).astype(float))
    keep = ["person_id", "discharge_date", "duration", "event", "rereferred",
            "used_life_rooms", "imd_quintile", *ADJUSTMENT_COVARIATES,
            *MISSING_DATA_COLUMNS]
    return ReReferralCohort(
        data=data[keep].sort_values(["discharge_date", "person_id"], ignore_index=True),
        flow=pd.DataFrame(flow, columns=["step", "n"]),
        method={"index": "first discharge in the period", "event": "next referral",
                "competing": "death", "period": [period_start, period_end]})


# ---- person-time (lifetools before the person-time cohort moved to the engine) ----

def _person_time_covariates(frame: pd.DataFrame, dataset: Any) -> pd.DataFrame:
    age = frame["index_date"].dt.year - frame["year_of_birth"].astype(float)
    refs = dataset.referrals[dataset.referrals["rejection_date"].isna()]
    open_refs = refs[["person_id", "referral_date", "discharge_date", "team_type"]].merge(
        frame[["person_id", "index_date"]], on="person_id")
    is_open = (open_refs["referral_date"] <= open_refs["index_date"]) & (
        open_refs["discharge_date"].isna()
        | (open_refs["discharge_date"] >= open_refs["index_date"]))
    latest = open_refs[is_open].sort_values(["person_id", "referral_date", "team_type"])
    team = frame["person_id"].map(latest.groupby("person_id")["team_type"].last())
    team = team.fillna("none").astype(object)
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


def build_person_time(dataset: Any, spec: CohortSpec, *, window_days: int = 365,
                      seed: int = 20250331) -> PersonTime:
    """Build before/after person-time for users and a comparison pool (see module).

    ``spec`` (:class:`~lifetools.cohort.CohortSpec`) gives the period and the locality;
    its team types are not used (the cohort is everyone linked, in care or not).
    """
    start, end, locality = spec.start, spec.end, spec.locality
    data_start = dataset.ae_attendances["arrival_date"].min()
    people = people_in_locality(dataset, locality)
    first = people["person_id"].map(first_life_rooms_contact(dataset))
    users = people[(first >= start) & (first <= end)].assign(
        index_date=first[(first >= start) & (first <= end)], group="Life Rooms users")
    flow = [("People in the linked data", len(people)),
            ("first Life Rooms contact during the period", len(users))]
    pool = people[first.isna() | (first > end)]
    rng = np.random.default_rng(seed)
    drawn = users["index_date"].to_numpy()[rng.integers(0, max(len(users), 1), len(pool))]
    pool = pool.assign(index_date=pd.to_datetime(drawn) if len(users) else pd.NaT,
                       group="Comparison pool")
    pool = pool[~(pool["date_of_death"] <= pool["index_date"])]
    flow.append(("possible comparison people (no Life Rooms contact by the end of the "
                 "period, alive at index)", len(pool)))
    frame = pd.concat([users, pool], ignore_index=True)
    window = pd.Timedelta(days=window_days)
    before_start = (frame["index_date"] - window).clip(lower=data_start)
    death = frame["date_of_death"].fillna(pd.Timestamp.max)
    after_end = pd.concat([frame["index_date"] + window, death,
                           pd.Series(end + pd.Timedelta(days=1), index=frame.index)],
                          axis=1).min(axis=1)
    windows = pd.concat([
        pd.DataFrame({"person_id": frame["person_id"], "start": before_start,
                      "end": frame["index_date"], "after": 0, "group": frame["group"]}),
        pd.DataFrame({"person_id": frame["person_id"], "start": frame["index_date"],
                      "end": after_end, "after": 1, "group": frame["group"]}),
    ], ignore_index=True)
    windows["person_years"] = (windows["end"] - windows["start"]).dt.days / 365.25
    windows["ae"] = count_in_windows(unplanned_attendances(dataset), windows)
    admissions = dataset.emergency_admissions[["person_id", "admission_date"]].rename(
        columns={"admission_date": "date"})
    windows["admissions"] = count_in_windows(admissions, windows)
    prior = windows[windows["after"] == 0].set_index("person_id")
    frame = frame.assign(prior_ae=frame["person_id"].map(prior["ae"]).astype(float),
                         prior_admissions=frame["person_id"].map(
                             prior["admissions"]).astype(float))
    baseline = pd.DataFrame({"person_id": frame["person_id"],
                             "start": (frame["index_date"] - 2 * window).clip(
                                 lower=data_start),
                             "end": frame["index_date"] - window})
    years = ((baseline["end"] - baseline["start"]).dt.days / 365.25).clip(lower=0)
    per_year = years.where(years > 0)
    frame = frame.assign(
        baseline_years=years,
        baseline_ae=count_in_windows(unplanned_attendances(dataset), baseline) / per_year,
        baseline_admissions=count_in_windows(admissions, baseline) / per_year)
    frame = _person_time_covariates(frame, dataset)
    frame["user"] = (frame["group"] == "Life Rooms users").astype(float)
    keep = ["person_id", "group", "user", "index_date", "age", "imd_quintile",
            "locality", "team_type", "secondary_care", *PROPENSITY_COVARIATES,
            *PRIOR_OUTCOMES, "baseline_years",
            *sorted(c for c in frame.columns if c.startswith(LOCALITY_PREFIX))]
    periods = windows[windows["person_years"] > 0].sort_values(
        ["person_id", "after"], ignore_index=True)
    return PersonTime(
        people=frame[keep].sort_values(["group", "person_id"], ignore_index=True),
        periods=periods, flow=pd.DataFrame(flow, columns=["step", "n"]),
        method={"window_days": window_days, "data_start": str(data_start.date()),
                "ae": "unplanned (categories 1-3), department types 01 and 03, "
                      "duplicates excluded", "seed": seed})


# ---- crisis cohort (lifetools before the crisis cohort moved to the engine) ----

COMMUNITY_TEAMS = ("A05", "A06", "A07", "A08")


def _crises(dataset: Any) -> pd.DataFrame:
    ae = dataset.ae_attendances
    keep = ae["mh_related"].fillna(False).astype(bool) & ~ae["duplicate_flag"].fillna(False)
    mh_ae = ae.loc[keep, ["person_id", "arrival_date"]].rename(columns={"arrival_date": "date"})
    adm = dataset.emergency_admissions
    f_chapter = adm["primary_diagnosis"].fillna("").str.upper().str.startswith("F")
    mh_adm = adm.loc[f_chapter, ["person_id", "admission_date"]].rename(
        columns={"admission_date": "date"})
    return pd.concat([mh_ae, mh_adm], ignore_index=True)


def build_crisis_cohort(dataset: Any, *, index_date: str, horizon_days: int = 365
                        ) -> CrisisCohort:
    """People open to secondary mental-health services on ``index_date``, with predictors
    known on that date and whether they had a mental-health crisis in the next year.

    Parameters
    ----------
    dataset
        The analysis tables (:func:`lifetools.load_dataset`).
    index_date : str
        ISO date: the start of an edition's period.
    horizon_days : int
        Prediction horizon (365).

    Returns
    -------
    CrisisCohort
        ``data`` has the predictors of :data:`CRISIS_PREDICTORS`, ``crisis`` (0/1) and
        ``died_first`` (died within the horizon with no crisis before death),
        ``event_type`` (1 crisis, 2 death first, 0 neither) and ``days_to_event`` (day
        of the first of them counting the index date as day 1; ``horizon_days`` when
        neither), for a time-to-event model with death competing.

    Notes
    -----
    Open: a referral not rejected, made before the index date and not discharged before
    it; the person alive on the index date. Team: the latest open referral's team type,
    ``community_team`` for A05-A08. Ethnicity: ``white`` (A-C); deprivation:
    ``imd_q1`` (most deprived fifth; unknown LSOA counts as not). HoNOS: that referral's baseline score,
    0 with ``honos_recorded = 0`` when missing (missing by team type, not at random).
    Prior use: unplanned A&E attendances (categories 1-3, types 01/03, no duplicates)
    and emergency admissions in the year before, capped at 5 and 3. Outcome: a
    mental-health-related A&E attendance (``mh_related``, no duplicates) or an
    emergency admission with an ICD-10 F-chapter primary diagnosis in
    ``[index_date, index_date + horizon)``. Death is a competing event: a person who
    dies first counts as no crisis. Follow-up is complete for everyone (no loss to
    follow-up within an extract), so the share with a crisis estimates the cumulative
    incidence of crisis with death competing, not the risk had death been prevented.
    Tested in ``tests/unit/test_prediction_report.py``.
    """
    day = pd.Timestamp(index_date)
    end = day + pd.Timedelta(days=horizon_days)
    refs = dataset.referrals
    is_open = (refs["rejection_date"].isna() & (refs["referral_date"] < day)
               & (refs["discharge_date"].isna() | (refs["discharge_date"] >= day)))
    open_refs = refs[is_open].sort_values(["person_id", "referral_date", "referral_id"])
    latest = open_refs.groupby("person_id").last()
    first_open = open_refs.groupby("person_id")["referral_date"].min()
    people = dataset.people.set_index("person_id")
    ids = latest.index[latest.index.isin(people.index)]
    persons = people.loc[ids]
    alive = persons["date_of_death"].isna() | (persons["date_of_death"] > day)
    flow = [("Referrals open on the index date (people)", len(ids)),
            ("Alive on the index date", int(alive.sum()))]
    persons = persons[alive]
    ids = persons.index
    deprivation = dataset.deprivation.set_index("lsoa_code")["imd_quintile"]
    quintile = persons["lsoa_code"].map(deprivation)
    ethnic = persons["ethnic_category"].fillna("Z")
    team = latest.loc[ids, "team_type"].fillna("")
    honos = latest.loc[ids, "honos_baseline"].astype(float)
    frame = pd.DataFrame({
        "person_id": ids,
        "age": (day.year - persons["year_of_birth"].astype(float)).to_numpy(),
        "female": (persons["sex"] == "2").astype(int).to_numpy(),
        "sex": np.where(persons["sex"] == "2", "Female",
                        np.where(persons["sex"] == "1", "Male", "Other or not known")),
        "white": ethnic.isin(["A", "B", "C"]).astype(int).to_numpy(),
        "imd_q1": (quintile.astype(float) == 1).astype(int).to_numpy(),
        "community_team": team.isin(COMMUNITY_TEAMS).astype(int).to_numpy(),
        "ethnic_group": np.select([ethnic.isin(["A", "B", "C"]), ethnic.isin(["Z", "99"])],
                                  ["White", "Not known"], "Other ethnic groups"),
        "imd_quintile": quintile.map(lambda q: "Not known" if pd.isna(q) else str(int(q))
                                     ).to_numpy(),
        "honos": honos.fillna(0.0).to_numpy(),
        "honos_recorded": honos.notna().astype(int).to_numpy(),
        "years_in_care": ((day - first_open.loc[ids]).dt.days / 365.25).to_numpy(),
    })
    windows = pd.DataFrame({"person_id": frame["person_id"],
                            "start": day - pd.Timedelta(days=365), "end": day})
    admissions = dataset.emergency_admissions[["person_id", "admission_date"]].rename(
        columns={"admission_date": "date"})
    frame["prior_ae"] = np.minimum(count_in_windows(unplanned_attendances(dataset), windows), 5)
    frame["prior_admissions"] = np.minimum(count_in_windows(admissions, windows), 3)
    contacts = dataset.life_rooms_contacts
    users = set(contacts.loc[contacts["contact_date"] < day, "person_id"].dropna())
    frame["life_rooms"] = frame["person_id"].isin(users).astype(int)
    crises = _crises(dataset)
    first_crisis = crises[(crises["date"] >= day) & (crises["date"] < end)].groupby(
        "person_id")["date"].min()
    frame["crisis"] = frame["person_id"].isin(first_crisis.index).astype(int)
    death = frame["person_id"].map(persons["date_of_death"])
    crisis_day = frame["person_id"].map(first_crisis)
    frame["died_first"] = ((death < end) & (crisis_day.isna() | (death < crisis_day))
                           ).astype(int).to_numpy()
    frame["event_type"] = np.where(frame["crisis"] == 1, 1,
                                   np.where(frame["died_first"] == 1, 2, 0))
    event_day = crisis_day.where(frame["crisis"] == 1, death.where(frame["died_first"] == 1))
    frame["days_to_event"] = ((event_day - day).dt.days + 1).fillna(horizon_days).to_numpy()
    flow += [(FLOW_OUTCOMES[0], int(frame["crisis"].sum())),
             (FLOW_OUTCOMES[1], int(frame["died_first"].sum()))]
    method = {"index_date": index_date, "horizon_days": horizon_days,
              "competing_death": "counted as no crisis (cumulative incidence)"}
    return CrisisCohort(data=frame.reset_index(drop=True),
                        flow=pd.DataFrame(flow, columns=["step", "n"]),
                        index_date=index_date, method=method)


@dataclass(frozen=True)
class ReachActivity:
    """The reach report's activity counts as pandas made them until wave 52 (the
    period's rows fetched, then counted in pandas; now ``reach.activity_queries``)."""

    counts: dict[str, int]
    sites: pd.DataFrame
    monthly: pd.DataFrame
    users: set
    prescriptions: int
    pathways: pd.DataFrame
    feedback: dict[str, int]


def reach_activity(dataset: Any, start: pd.Timestamp, end: pd.Timestamp,
                   sites: list[str] | None) -> ReachActivity:
    """The former ``analyse_reach`` counts over pandas frames of the three activity
    tables (``dataset``'s), verbatim but for their collection into one result."""
    def in_period(name: str, date: str) -> pd.DataFrame:
        frame = getattr(dataset, name)
        rows = frame[frame[date].between(start, end)]
        return rows if sites is None else rows[rows["site"].isin(sites)]

    contacts = in_period("life_rooms_contacts", "contact_date")
    prescriptions = in_period("social_prescriptions", "prescription_date")
    feedback = in_period("feedback", "response_date")
    helped = contacts["gp_registration_supported"].astype(bool) & \
        contacts["person_id"].notna()
    counts = {"visits": len(contacts), "visitors": contacts["person_id"].nunique(),
              "helped": int(contacts.loc[helped, "person_id"].nunique()),
              "nationalities": contacts["nationality"].nunique(),
              "unlinked": int(contacts["person_id"].isna().sum())}
    pathways = prescriptions.groupby("pathway_category").size().rename(
        "prescriptions").reset_index().sort_values("pathway_category", ignore_index=True)
    by_site = contacts.groupby("site").size().rename("visits").reset_index()
    monthly = contacts.assign(month=contacts["contact_date"].dt.to_period("M")
                              .dt.to_timestamp()).groupby("month").size().rename(
        "contacts").reset_index()
    return ReachActivity(
        counts=counts, sites=by_site, monthly=monthly,
        users=set(contacts["person_id"].dropna()), prescriptions=len(prescriptions),
        pathways=pathways,
        feedback={"responses": len(feedback),
                  "access_easy": int((feedback["access_easy"] >= 4).sum()),
                  "recommend": int((feedback["fft_response"] <= 2).sum())})
