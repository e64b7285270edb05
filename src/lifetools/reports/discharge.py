"""The recovery and discharge report, and the re-referral report."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifetools.cohort import (
    ADJUSTMENT_COVARIATES,
    build_discharge_cohort,
    build_rereferral_cohort,
    split_at_exposure,
)
from lifetools.disclosure import NOT_ESTIMABLE, model_release
from lifetools.errors import StatisticalWarning
from lifetools.survival import (
    CIFResult,
    estimate_cif,
    estimate_km,
    fit_cox,
    fit_cox_time_varying,
    fit_landmark,
    fit_landmark_time_split,
)

__all__ = ["DischargeReport", "ReReferralReport", "analyse_discharge",
           "analyse_rereferral"]

TERM_LABELS = {
    "exposed": "Life Rooms use (time-varying)",
    "ever_used": "Life Rooms use, ever (naive, fixed at referral)",
    "exposed_at_landmark": "Life Rooms use by the landmark",
    "exposed_before_split": "Life Rooms use by the landmark, early follow-up (to the "
                            "median event time of users)",
    "exposed_after_split": "Life Rooms use by the landmark, later follow-up",
    "used_life_rooms": "Life Rooms use before discharge",
    "age_65_plus": "Aged 65 or over", "age_per_10": "Age (per 10 years)",
    "female": "Female", "most_deprived_decile": "Most deprived decile",
    "honos_per_5": "HoNOS score (per 5 points)",
}


def _label(summary: pd.DataFrame, model: str) -> pd.DataFrame:
    return summary.assign(model=model, term=summary["term"].map(TERM_LABELS).fillna(
        summary["term"]))


def _cif_by_event(data: pd.DataFrame, events: dict[str, int], entry_col: str | None,
                  times: Sequence[float]) -> CIFResult:
    parts = [estimate_cif(data, duration_col="duration", event_col="event",
                          event_of_interest=code, entry_col=entry_col, times=times)
             for code in events.values()]
    summary = pd.concat([p.summary.assign(group=name) for name, p in
                         zip(events, parts, strict=True)], ignore_index=True)
    return CIFResult(summary=summary, at_risk=parts[0].at_risk,
                     event_of_interest=0, n_people=parts[0].n_people,
                     n_events=sum(p.n_events for p in parts), method=parts[0].method)




def _ph_table(landmark: Any, model: str, split_shown: bool) -> pd.DataFrame:
    """The PH test of the landmark model, naming the model and what was done."""
    table = _label(landmark.cox.ph_test, model)
    exposure = TERM_LABELS["exposed_at_landmark"]
    fails = table["p_value"] < 0.05
    action = pd.Series("none needed (p >= 0.05)", index=table.index)
    action[fails] = ("noted: the hazard ratio is an average over follow-up "
                     "(adjustment term, estimate not reported)")
    action[fails & (table["term"] == exposure)] = (
        "noted; time-split hazard ratios (before and after the users' median event "
        "time) shown as a sensitivity analysis" if split_shown else
        "noted: the hazard ratio is an average over follow-up; too few events of users "
        "to split it in time")
    return table.assign(action=action)[["model", "term", "statistic", "p_value",
                                        "action"]]


def _estimate_row(result, term: str) -> dict[str, float]:
    estimate, low, high = result.hazard_ratio(term)
    return {"estimate": estimate, "ci_lower": low, "ci_upper": high}


@dataclass(frozen=True)
class DischargeReport:
    """Everything the discharge report shows (raw counts: protect when shown)."""

    flow: pd.DataFrame
    km: Any
    cif: Any
    time_varying: Any
    naive: Any
    landmark: Any
    hazard_ratios: pd.DataFrame
    ph_test: pd.DataFrame
    key_results: tuple[dict[str, Any], ...]
    cohort: Any = field(repr=False, default=None)
    time_split: Any = None

    @property
    def exposure_ratios(self) -> pd.DataFrame:
        """The Life Rooms hazard ratio of each model (for the forest plot)."""
        terms = [TERM_LABELS[t] for t in ("exposed", "ever_used", "exposed_at_landmark")]
        return self.hazard_ratios[self.hazard_ratios["term"].isin(terms)]


def analyse_discharge(
    dataset: Any,
    *,
    period_start: str,
    period_end: str,
    team_types: Sequence[str] = ("A06",),
    locality: str = "all",
    landmark_days: int = 90,
) -> DischargeReport:
    """Time to discharge: KM, cumulative incidence, time-varying and naive Cox, landmark.

    Notes
    -----
    Life Rooms use is a time-varying exposure from first contact (start-stop rows) in
    a cause-specific Cox model of discharge (transfer and death censored), adjusted for
    age, sex, deprivation and HoNOS; Efron ties; delayed entry for referrals open at the
    period start. The naive model classes users as exposed from referral (immortal time
    bias). Landmark: exposure by ``landmark_days`` among those still open then.

    Proportional hazards is tested (scaled Schoenfeld residuals, rank time) in the
    landmark model, the only reported model the lifelines test applies to: the
    time-varying model has start-stop rows and the naive one delayed entry, and
    lifelines computes no Schoenfeld residuals for either. ``ph_test`` names that model
    and what was done per term; when the Life Rooms term fails (p < 0.05), hazard ratios
    before and after the median event time of users after the landmark are added to
    ``hazard_ratios`` (and kept in ``time_split``) as a sensitivity analysis, unless
    users have too few events to split (the table says so).
    """
    cohort = build_discharge_cohort(dataset, period_start=period_start,
                                    period_end=period_end, team_types=team_types,
                                    locality=locality)
    data = cohort.data
    covariates = list(ADJUSTMENT_COVARIATES)
    times = (0, 90, 180, 365, 730)
    km = estimate_km(data, duration_col="duration", event_col="discharged",
                     entry_col="entry", times=times)
    cif = _cif_by_event(data, {"Discharge": 1, "Transfer": 2, "Death": 3}, "entry", times)
    long = split_at_exposure(data)
    tv = fit_cox_time_varying(long, id_col="person_id", start_col="start",
                              stop_col="stop", event_col="event",
                              covariates=["exposed", *covariates])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        naive = fit_cox(data, duration_col="duration", event_col="discharged",
                        entry_col="entry", covariates=["ever_used", *covariates])
        landmark = fit_landmark(data, landmark=landmark_days, duration_col="duration",
                                event_col="discharged", exposure_time_col="exposure_day",
                                covariates=covariates, entry_col="entry", check_ph=True)
    exposure_p = landmark.cox.ph_test.set_index("term").loc["exposed_at_landmark",
                                                            "p_value"]
    split = None
    if exposure_p < 0.05:
        try:  # split at the median event time of the exposed after the landmark
            split = fit_landmark_time_split(
                data, landmark=landmark_days, duration_col="duration", event_col="discharged",
                exposure_time_col="exposure_day", covariates=covariates,
                entry_col="entry")
        except ValueError:
            split = None  # too few events of the exposed: the PH table says so
    ratios = pd.concat([
        _label(tv.summary, "Time-varying (correct)"),
        _label(naive.summary.head(1), "Naive fixed exposure (biased)"),
        _label(landmark.cox.summary.head(1), f"Landmark at {landmark_days} days"),
        *([] if split is None else [_label(
            split.summary.head(2),
            f"Landmark at {landmark_days} days, time-split (proportional hazards "
            "sensitivity)")]),
    ], ignore_index=True)[["model", "term", "estimate", "ci_lower", "ci_upper", "p_value"]]
    ph = _ph_table(landmark, f"Landmark at {landmark_days} days (Life Rooms use fixed "
                   "at the landmark, follow-up from it)", split is not None)
    hr, naive_hr = _estimate_row(tv, "exposed"), _estimate_row(naive, "ever_used")
    key = (
        {"name": "cohort_people", "value": len(data), "kind": "count",
         "label": "People in the discharge cohort"},
        {"name": "cohort_users", "value": int(data["exposure_day"].notna().sum()),
         "kind": "count", "label": "People who used the Life Rooms while open"},
        {"name": "discharged", "value": int(data["discharged"].sum()), "kind": "count",
         "label": "People discharged during follow-up"},
        {"name": "hr_tv", "value": hr["estimate"], "kind": "ratio",
         "label": "Hazard ratio of discharge, Life Rooms use (time-varying)"},
        {"name": "hr_tv_ci", "value": [hr["ci_lower"], hr["ci_upper"]], "kind": "text",
         "text": f"{hr['ci_lower']:.2f} to {hr['ci_upper']:.2f}",
         "label": "95% CI of the time-varying hazard ratio"},
        {"name": "hr_naive", "value": naive_hr["estimate"], "kind": "ratio",
         "label": "Hazard ratio, naive fixed exposure (biased)"},
    )
    return DischargeReport(flow=cohort.flow, km=km, cif=cif, time_varying=tv,
                           naive=naive, landmark=landmark, hazard_ratios=ratios,
                           ph_test=ph, key_results=key, cohort=cohort,
                           time_split=split)


@dataclass(frozen=True)
class ReReferralReport:
    """Everything the re-referral report shows."""

    flow: pd.DataFrame
    cif: Any
    cox: Any
    hazard_ratios: pd.DataFrame
    key_results: tuple[dict[str, Any], ...]
    cohort: Any = field(repr=False, default=None)
    release: Any = None


def analyse_rereferral(
    dataset: Any,
    *,
    period_start: str,
    period_end: str,
    team_types: Sequence[str] = ("A06",),
    locality: str = "all",
) -> ReReferralReport:
    """Time to re-referral after discharge, death competing; Life Rooms use at discharge.

    Notes
    -----
    Aalen-Johansen cumulative incidence of re-referral by Life Rooms use (death
    competing); cause-specific Cox model of re-referral (Efron ties), adjusted as the
    discharge report. Life Rooms use is fixed at discharge, so no immortal time.
    """
    cohort = build_rereferral_cohort(dataset, period_start=period_start,
                                     period_end=period_end, team_types=team_types,
                                     locality=locality)
    data = cohort.data.assign(group=cohort.data["used_life_rooms"].map(
        {1.0: "Used the Life Rooms", 0.0: "Did not use the Life Rooms"}))
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group", times=(0, 90, 180, 365))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        cox = fit_cox(data, duration_col="duration", event_col="rereferred",
                      covariates=["used_life_rooms", *ADJUSTMENT_COVARIATES])
    # release check: n, events and residual df per level; withheld when any level has
    # too few events, the fit did not converge or an interval is degenerate
    release = model_release(cox, data=data, event_col="rereferred",
                            level_cols=["used_life_rooms", *ADJUSTMENT_COVARIATES])
    overall = estimate_cif(data, duration_col="duration", event_col="event",
                           event_of_interest=1)
    at_year = overall.summary[overall.summary["time"] <= 365]
    one_year = float(at_year["estimate"].iloc[-1]) if len(at_year) else float("nan")
    hr = _estimate_row(cox, "used_life_rooms") if release.released else dict.fromkeys(
        ("estimate", "ci_lower", "ci_upper"), float("nan"))
    key = (
        {"name": "discharged_people", "value": len(data), "kind": "count",
         "label": "People discharged in the period"},
        {"name": "rereferred", "value": int(data["rereferred"].sum()), "kind": "count",
         "label": "People re-referred during follow-up"},
        {"name": "rereferral_1y", "value": 100 * one_year, "kind": "estimate",
         "text": f"{100 * one_year:.1f}%",
         "label": "Cumulative incidence of re-referral within a year (%)"},
        {"name": "hr_rereferral", "value": hr["estimate"], "kind": "ratio",
         "label": "Hazard ratio of re-referral, Life Rooms use before discharge"},
        {"name": "hr_rereferral_ci", "value": [hr["ci_lower"], hr["ci_upper"]],
         "kind": "text", "text": f"{hr['ci_lower']:.2f} to {hr['ci_upper']:.2f}"
         if release.released else f"{NOT_ESTIMABLE} ({release.reason})",
         "label": "95% CI of the re-referral hazard ratio"},
    )
    ratios = _label(release.apply(cox.summary), "Cause-specific Cox")[
        ["term", "estimate", "ci_lower", "ci_upper", "p_value",
         *(["withheld"] if not release.released else [])]]
    return ReReferralReport(flow=cohort.flow, cif=cif, cox=cox, hazard_ratios=ratios,
                            key_results=key, cohort=cohort, release=release)
