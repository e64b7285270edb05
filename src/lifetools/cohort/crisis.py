"""The crisis-risk cohort: people open to secondary mental-health care on an index date."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifetools.cohort.queries import crisis_queries
from lifetools.dataset import Dataset
from lifetools.design_sizes import (
    CRISIS_HORIZON_DAYS,
    CRISIS_LINEAR_PREDICTORS,
    CRISIS_SPLINE_KNOTS,
)
from lifetools.engines import engine_tables

__all__ = ["CRISIS_PREDICTORS", "FLOW_OUTCOMES", "FLOW_PARENTS", "OUTCOME_ROW", "CrisisCohort",
           "build_crisis_cohort"]

CRISIS_PREDICTORS = {
    "splines": dict(CRISIS_SPLINE_KNOTS),
    "linear": (*CRISIS_LINEAR_PREDICTORS, "honos_recorded"),
}
"""The cohort's predictor columns (issue 19): the prespecified model's spline terms
(knots) and linear terms (:mod:`lifetools.design_sizes`: 15 parameters), and
``honos_recorded``, which marks an unrecorded HoNOS (set missing and imputed, never a
predictor). Groups for fairness: ``sex``, ``ethnic_group``, ``imd_quintile``."""

COMMUNITY_TEAMS = ("A05", "A06", "A07", "A08")
CRISIS_COLUMNS = {
    "people": ("person_id", "year_of_birth", "sex", "ethnic_category", "lsoa_code",
               "date_of_death"),
    "deprivation": ("lsoa_code", "imd_quintile"),
    "referrals": ("referral_id", "person_id", "referral_date", "rejection_date",
                  "discharge_date", "team_type", "honos_baseline"),
    "life_rooms_contacts": ("person_id", "contact_date"),
    "ae_attendances": ("person_id", "arrival_date", "attendance_category",
                       "department_type", "duplicate_flag", "mh_related"),
    "emergency_admissions": ("person_id", "admission_date", "primary_diagnosis"),
}
"""The columns the crisis cohort reads (checked in a warehouse before querying)."""


OUTCOME_ROW = "(an outcome, not a step)"
"""The words ending a flow row that is an outcome of the cohort, not a step forming it
(:data:`FLOW_OUTCOMES`; the RECORD checklist counts the steps without them)."""

FLOW_OUTCOMES = (f"Of these, a crisis within 12 months {OUTCOME_ROW}",
                 f"Of these, died within 12 months with no crisis first {OUTCOME_ROW}")
"""The flow's last two rows: what happened to the people alive on the index date, not
steps that narrowed the cohort (a reader took "Crisis within 12 months" below "Alive
on the index date" for a selection: wave 36)."""

FLOW_PARENTS = (None, 0, 1, 1)
"""The row each row of :attr:`CrisisCohort.flow` is a subset of: the people alive on the
index date are among those open on it, and the people with a crisis within the horizon
and those who died with no crisis first are disjoint parts of the people alive
(:func:`lifetools.disclosure.protect_flow` protects what each step leaves out)."""


@dataclass(frozen=True)
class CrisisCohort:
    """One row per person open on the index date; raw counts in ``flow`` (protect them)."""

    data: pd.DataFrame = field(repr=False)
    flow: pd.DataFrame
    index_date: str
    method: dict[str, Any]

    @property
    def crisis_row(self) -> int:
        """The flow's row of the people with a crisis within the horizon, found by its
        step (:data:`FLOW_OUTCOMES`), not by its place or its count."""
        return flow_row(self.flow, FLOW_OUTCOMES[0])

    @property
    def people_row(self) -> int:
        """The flow's row of the cohort (the people alive on the index date): the row
        above the outcome rows, which are parts of it (:data:`FLOW_PARENTS`)."""
        return self.crisis_row - 1


def flow_row(flow: pd.DataFrame, step: str) -> int:
    """The 0-based row of ``flow`` whose step is ``step``.

    Raises
    ------
    KeyError
        When no row, or more than one, has that step.
    """
    rows = [i for i, s in enumerate(flow["step"].astype(str)) if s == step]
    if len(rows) != 1:
        raise KeyError(f"the flow has {len(rows)} rows with step {step!r}, not one")
    return rows[0]


def build_crisis_cohort(dataset: Dataset, *, index_date: str,
                        horizon_days: int = CRISIS_HORIZON_DAYS
                        ) -> CrisisCohort:
    """People open to secondary mental-health services on ``index_date``, with predictors
    known on that date and whether they had a mental-health crisis in the next year.

    Parameters
    ----------
    dataset
        The analysis tables (:func:`lifetools.load_dataset`) or
        :class:`~lifetools.engines.EngineTables`.
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
    ``imd_q1`` (most deprived fifth); sex: ``female``. In these 0/1 columns an unknown
    counts as 0; which are unknown is kept in ``ethnic_group``, ``imd_quintile`` and
    ``sex`` ("Not known", "Other or not known"), and the report sets them missing and
    imputes them, never using the 0 for an unknown
    (:func:`lifetools.reports.crisis_parts.with_missing_predictors`). HoNOS: that
    referral's baseline score, 0 with ``honos_recorded = 0`` when missing (missing by
    team type, not at random), set missing and imputed likewise.
    Prior use: unplanned A&E attendances (categories 1-3, types 01/03, no duplicates)
    and emergency admissions in the year before, capped at 5 and 3. Outcome: a
    mental-health-related A&E attendance (``mh_related``, no duplicates) or an
    emergency admission with an ICD-10 F-chapter primary diagnosis in
    ``[index_date, index_date + horizon)``. Death is a competing event: a person who
    dies first counts as no crisis. Follow-up is complete for everyone (no loss to
    follow-up within an extract), so the share with a crisis estimates the cumulative
    incidence of crisis with death competing, not the risk had death been prevented.
    The people and their predictors and outcomes are one query in the engine
    (:func:`~lifetools.cohort.queries.crisis_queries`); the derived columns are made in
    pandas. Tested in ``tests/unit/test_prediction_report.py``; equal to the pandas
    builder it replaced on DuckDB, PostgreSQL and Spark in
    ``tests/engines/test_engine_crisis.py``.
    """
    day = pd.Timestamp(index_date)
    end = day + pd.Timedelta(days=horizon_days)
    tables = engine_tables(dataset)
    tables.require(CRISIS_COLUMNS)
    queries = crisis_queries(tables, day=day, horizon_days=horizon_days)
    flow = list(zip([label for label, _ in queries.flow],
                    tables.counts([expr for _, expr in queries.flow]), strict=True))
    people = tables.fetch(queries.frame, queries.types).sort_values(
        "person_id", ignore_index=True)
    ethnic = people["ethnic_category"].fillna("Z")
    team = people["team_type"].fillna("")
    honos = people["honos_baseline"].astype(float)
    quintile = people["imd_quintile"]
    frame = pd.DataFrame({
        "person_id": people["person_id"],
        "age": (day.year - people["year_of_birth"].astype(float)).to_numpy(),
        "female": (people["sex"] == "2").astype(int).to_numpy(),
        "sex": np.where(people["sex"] == "2", "Female",
                        np.where(people["sex"] == "1", "Male", "Other or not known")),
        "white": ethnic.isin(["A", "B", "C"]).astype(int).to_numpy(),
        "imd_q1": (quintile.astype(float) == 1).astype(int).to_numpy(),
        "community_team": team.isin(COMMUNITY_TEAMS).astype(int).to_numpy(),
        "ethnic_group": np.select([ethnic.isin(["A", "B", "C"]), ethnic.isin(["Z", "99"])],
                                  ["White", "Not known"], "Other ethnic groups"),
        "imd_quintile": quintile.map(lambda q: "Not known" if pd.isna(q) else str(int(q))
                                     ).to_numpy(),
        "honos": honos.fillna(0.0).to_numpy(),
        "honos_recorded": honos.notna().astype(int).to_numpy(),
        "years_in_care": ((day - people["first_open"]).dt.days / 365.25).to_numpy(),
    })
    frame["prior_ae"] = np.minimum(people["prior_ae"].fillna(0).astype(int), 5)
    frame["prior_admissions"] = np.minimum(
        people["prior_admissions"].fillna(0).astype(int), 3)
    frame["life_rooms"] = people["life_rooms"].notna().astype(int)
    crisis_day = people["first_crisis"]
    frame["crisis"] = crisis_day.notna().astype(int)
    death = people["date_of_death"]
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
