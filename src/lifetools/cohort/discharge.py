"""Survival cohorts: time to discharge and time to re-referral, with a flow table.

Time is in days from referral. Events after ``period_end`` are ignored (administrative
censoring), so an edition can always be rebuilt from a later extract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifetools.cohort.queries import discharge_queries, rereferral_queries
from lifetools.cohort.spec import CohortSpec
from lifetools.dataset import Dataset
from lifetools.dictionary import load_dictionary
from lifetools.engines import engine_tables

__all__ = ["ADJUSTMENT_COVARIATES", "EVENT_CODES", "MISSING_DATA_COLUMNS", "DischargeCohort", "ReReferralCohort",
           "build_discharge_cohort", "build_rereferral_cohort", "closure_groups",
           "split_at_exposure"]

EVENT_CODES = {"censored": 0, "discharge": 1, "transfer": 2, "death": 3}
ADJUSTMENT_COVARIATES = ("age_65_plus", "age_per_10", "female", "most_deprived_decile",
                         "honos_per_5")
MISSING_DATA_COLUMNS = ("deprivation_unknown", "honos_observed")
"""Cohort columns for the missing-data analysis: unknown area as its own category, and
HoNOS (per 5 points, centred at 11) with its missing values kept for imputation."""


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


def _covariates(frame: pd.DataFrame, reference: pd.Series) -> pd.DataFrame:
    """Covariates. ``honos_observed`` keeps missing HoNOS missing (the reports impute
    it); ``honos_per_5`` is median-filled, kept only for the fits that predate
    imputation (truth tests); ``deprivation_unknown`` marks an unknown area, its own
    category beside ``most_deprived_decile`` (which is 0 there)."""
    age = reference.dt.year - frame["year_of_birth"].astype(float)
    honos = frame["honos_baseline"].astype(float)
    # an empty optional column stays missing (its median would be NaN, with numpy's
    # "Mean of empty slice" warning)
    median = honos.median() if honos.notna().any() else np.nan
    return frame.assign(
        age=age, age_per_10=(age - 45) / 10, age_65_plus=(age >= 65).astype(float),
        female=(frame["sex"] == "2").astype(float),
        most_deprived_decile=(frame["imd_decile"] == 1).fillna(False).astype(float),
        deprivation_unknown=frame["imd_decile"].isna().astype(float),
        honos_observed=(honos - 11) / 5,
        honos_per_5=((honos.fillna(median) - 11) / 5),
    )


def build_discharge_cohort(dataset: Dataset, spec: CohortSpec) -> DischargeCohort:
    """Accepted referrals to ``spec.team_types`` open during its period, one per person.

    Eligibility (``spec``: a :class:`~lifetools.cohort.CohortSpec`): accepted (not
    rejected) referral to one of the team types, by a person living in
    ``spec.locality``, received on or before ``period_end`` and not closed before
    ``period_start``; the person's
    first such referral. Index date: the referral date. Delayed entry: referrals
    already open at ``period_start`` enter at that day. A person who died before
    follow-up would start (before ``period_start`` for a referral open then, a referral
    left open after a death) was never at risk and is left out (flow step "alive at the
    start of follow-up"); a death on the day follow-up starts is an event on day one.
    Follow-up ends at discharge, death, transfer, or ``period_end``. Events: discharge
    (closure group 'discharge'), transfer and death compete.
    """
    start, end = spec.start, spec.end
    groups = closure_groups()
    tables = engine_tables(dataset)
    queries = discharge_queries(tables, spec)
    flow = list(zip([label for label, _ in queries.flow],
                    tables.counts([expr for _, expr in queries.flow]), strict=True))
    frame = tables.fetch(queries.frame, queries.types)
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
    first = frame["first_contact"]
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
                "period": [spec.period_start, spec.period_end],
                "team_types": list(spec.team_types)},
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


def build_rereferral_cohort(dataset: Dataset, spec: CohortSpec) -> ReReferralCohort:
    """People discharged (closure group 'discharge') from ``spec.team_types`` in its
    period (``spec``: a :class:`~lifetools.cohort.CohortSpec`).

    Follow-up starts at the first such discharge and ends at the next referral to any
    secondary mental-health team (the event), death (competing) or ``period_end``.
    Life Rooms use is fixed at discharge (contact on or before the discharge date), so
    there is no immortal time.
    """
    end = spec.end
    groups = closure_groups()
    tables = engine_tables(dataset)
    queries = rereferral_queries(tables, spec, discharge_codes=groups["discharge"])
    flow = list(zip([label for label, _ in queries.flow],
                    tables.counts([expr for _, expr in queries.flow]), strict=True))
    frame = tables.fetch(queries.frame, queries.types)
    frame = _covariates(frame, frame["discharge_date"])
    next_ref = frame["next_referral"]
    death = frame["date_of_death"].where(frame["date_of_death"] <= end)
    stop = pd.concat([next_ref, death, pd.Series(end, index=frame.index)],
                     axis=1).min(axis=1)
    event = np.where(next_ref.notna() & (next_ref <= stop), 1,
                     np.where(death.notna() & (death <= stop), 2, 0))
    first = frame["first_contact"]
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
                "competing": "death", "period": [spec.period_start, spec.period_end]})
