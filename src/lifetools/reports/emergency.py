"""The emergency care report (A&E and emergency admissions) and the wellbeing report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifetools import disclosure
from lifetools.cohort import build_person_time, propensity_covariates
from lifetools.disclosure import ProtectedTable
from lifetools.inequality import equity_summary, rates_by_group
from lifetools.regression import (
    compare_before_after,
    estimate_did,
    estimate_paired_change,
    fit_logistic,
    fit_mixed_model,
    fit_poisson,
    match_on_propensity,
    paired_measurements,
    share_meaningful_change,
    weight_by_propensity,
)

__all__ = ["EmergencyReport", "WellbeingReport", "analyse_emergency_care",
           "analyse_wellbeing", "rate_table"]

OUTCOMES = {"ae": "A&E attendances", "admissions": "Emergency admissions"}


def rate_table(periods: pd.DataFrame, outcome: str) -> ProtectedTable:
    """Rates per person-year by group and period, from protected counts, with CIs."""
    data = periods.assign(period=periods["after"].map(
        {0: "Before first contact", 1: "After first contact"}))
    table = rates_by_group(data, group_col=["group", "period"], event_col=outcome,
                           person_time_col="person_years")
    return table[["group", "period", "people", "events", "person_years", "rate",
                  "ci_lower", "ci_upper"]].sort_values(["group", "period"],
                                                       ascending=[True, False])


@dataclass(frozen=True)
class EmergencyReport:
    """Everything the emergency care report shows (raw counts: protect when shown)."""

    flow: pd.DataFrame
    balance: pd.DataFrame
    balance_weighted: pd.DataFrame
    rates: dict[str, ProtectedTable]
    estimates: pd.DataFrame
    equity: Any
    prediction: Any
    key_results: tuple[dict[str, Any], ...]
    person_time: Any = field(repr=False, default=None)


def _row(result, term: str, design: str, outcome: str) -> dict[str, Any]:
    estimate, low, high = result.estimate(term)
    p = float(result.summary.set_index("term").loc[term, "p_value"])
    return {"outcome": OUTCOMES[outcome], "term": design, "estimate": estimate,
            "ci_lower": low, "ci_upper": high, "p_value": p}


def analyse_emergency_care(dataset: Any, *, period_start: str, period_end: str,
                           window_days: int = 365, caliper: float = 0.2,
                           locality: str = "all") -> EmergencyReport:
    """Rates, before/after, matched comparison and DiD for A&E and admissions.

    Notes
    -----
    Users: first Life Rooms contact in the period. Comparison: never-users given a
    pseudo index date drawn at random from the users' index dates (not their matched
    user's date), matched 1:1 on a propensity score (age, sex, ethnicity, deprivation,
    team type at index with ``"none"`` outside secondary care, prior A&E and admissions,
    locality; see ``propensity_covariates``) within ``caliper`` SD of the logit, and,
    beside that, weighted by inverse-probability (ATT) weights. Estimates: unadjusted
    rate ratio after contact (users against all never-users, Poisson, robust errors),
    within-person before/after (Poisson GEE), and the difference-in-differences (ratio
    of rate ratios) of the matched design (Poisson GEE) and of the weighted design
    (weighted Poisson GLM, cluster-robust errors). ``balance`` is the matched design's,
    ``balance_weighted`` the weighted design's; both divide by the unmatched pooled SD.
    """
    pt = build_person_time(dataset, period_start=period_start, period_end=period_end,
                           window_days=window_days, locality=locality)
    covariates = propensity_covariates(pt.people)
    matched = match_on_propensity(pt.people, treatment_col="user",
                                  covariates=covariates, caliper=caliper)
    weighted = weight_by_propensity(pt.people, treatment_col="user",
                                    covariates=covariates, estimand="att")
    groups = pt.people.set_index("person_id")["user"]
    periods = pt.periods.assign(user=pt.periods["person_id"].map(groups))
    with_weights = periods.assign(weight=periods["person_id"].map(
        weighted.data.set_index("person_id")["weight"]))
    in_match = periods[periods["person_id"].isin(matched.data["person_id"])]
    in_match = in_match.assign(group=in_match["user"].map(
        {1.0: "Life Rooms users", 0.0: "Matched comparison"}))
    rows, rates = [], {}
    for outcome in OUTCOMES:
        after = periods[periods["after"] == 1]
        rows.append(_row(fit_poisson(after, outcome_col=outcome,
                                     person_time_col="person_years", covariates=["user"]),
                         "user", "Unadjusted: users against all non-users, after", outcome))
        users = periods[periods["user"] == 1]
        rows.append(_row(compare_before_after(users, outcome_col=outcome), "after",
                         "Users: after against before (own control)", outcome))
        rows.append(_row(estimate_did(in_match, outcome_col=outcome), "did",
                         "Matched difference-in-differences", outcome))
        rows.append(_row(estimate_did(with_weights, outcome_col=outcome,
                                      weights_col="weight"), "did",
                         "Weighted (ATT) difference-in-differences", outcome))
        rates[outcome] = rate_table(in_match, outcome)
    estimates = pd.DataFrame(rows)
    before = pt.periods[pt.periods["after"] == 0].merge(
        pt.people[["person_id", "imd_quintile"]], on="person_id")
    equity = equity_summary(before, event_col="ae", person_time_col="person_years",
                            label="A&E attendances")
    after = periods[periods["after"] == 1].merge(pt.people, on=["person_id", "group",
                                                                "user"])
    after = after.assign(any_ae=(after["ae"] > 0).astype(float))
    prediction = fit_logistic(after, outcome_col="any_ae", covariates=covariates)
    ae = estimates[estimates["outcome"] == OUTCOMES["ae"]].set_index("term")
    did = ae.loc["Matched difference-in-differences"]
    did_w = ae.loc["Weighted (ATT) difference-in-differences"]
    key = (
        {"name": "users", "value": int(pt.people["user"].sum()), "kind": "count",
         "label": "People whose first Life Rooms contact was in the period"},
        {"name": "matched_pairs", "value": matched.method["matched_pairs"],
         "kind": "count", "label": "Matched pairs"},
        {"name": "max_smd", "value": matched.max_abs_smd_after, "kind": "estimate",
         "label": "Largest absolute standardised difference after matching"},
        {"name": "did_ae", "value": float(did["estimate"]), "kind": "ratio",
         "label": "A&E: matched difference-in-differences rate ratio"},
        {"name": "did_ae_ci", "value": [float(did["ci_lower"]), float(did["ci_upper"])],
         "kind": "text", "text": f"{did['ci_lower']:.2f} to {did['ci_upper']:.2f}",
         "label": "95% CI of the A&E difference-in-differences rate ratio"},
        {"name": "max_smd_weighted", "value": weighted.max_abs_smd_after,
         "kind": "estimate",
         "label": "Largest absolute standardised difference after weighting"},
        {"name": "did_ae_weighted", "value": float(did_w["estimate"]), "kind": "ratio",
         "label": "A&E: weighted (ATT) difference-in-differences rate ratio"},
        {"name": "did_ae_weighted_ci",
         "value": [float(did_w["ci_lower"]), float(did_w["ci_upper"])], "kind": "text",
         "text": f"{did_w['ci_lower']:.2f} to {did_w['ci_upper']:.2f}",
         "label": "95% CI of the weighted A&E difference-in-differences rate ratio"},
        {"name": "before_after_ae", "value": float(
            ae.loc["Users: after against before (own control)", "estimate"]),
         "kind": "ratio", "label": "A&E: users after against before"},
        {"name": "c_statistic", "value": prediction.extra["c_statistic"][0],
         "kind": "estimate", "label": "C-statistic of the A&E prediction model"},
    )
    return EmergencyReport(flow=pt.flow, balance=matched.balance,
                           balance_weighted=weighted.balance, rates=rates,
                           estimates=estimates, equity=equity, prediction=prediction,
                           key_results=key, person_time=pt)


@dataclass(frozen=True)
class WellbeingReport:
    """Paired change, mixed model and meaningful change in SWEMWBS."""

    counts: pd.DataFrame
    estimates: pd.DataFrame
    key_results: tuple[dict[str, Any], ...]
    pairs: pd.DataFrame = field(repr=False, default=None)


def analyse_wellbeing(dataset: Any, *, period_start: str, period_end: str,
                      meaningful_change: float = 3.0, locality: str = "all"
                      ) -> WellbeingReport:
    """SWEMWBS change between baseline (in the period) and follow-up.

    Notes
    -----
    Metric SWEMWBS scores; mean paired change with a t interval; a linear mixed model
    (random intercept per person, REML) on every measurement of people with a baseline
    in the period; the share improving by at least ``meaningful_change`` with a Wilson
    interval.
    """
    from lifetools.describe import people_in_locality

    ids = set(people_in_locality(dataset, locality)["person_id"])
    wellbeing = dataset.wellbeing[dataset.wellbeing["person_id"].isin(ids)]
    pairs = paired_measurements(wellbeing, period_start=period_start,
                                period_end=period_end)
    baseline_people = set(wellbeing[(wellbeing["timepoint"] == "baseline") & (
        wellbeing["measurement_date"].between(period_start, period_end))]["person_id"])
    measurements = wellbeing[wellbeing["person_id"].isin(baseline_people)].assign(
        follow_up=lambda f: (f["timepoint"] == "follow_up").astype(float))
    change = estimate_paired_change(pairs)
    mixed = fit_mixed_model(measurements)
    share = share_meaningful_change(pairs, threshold=meaningful_change)
    # the share from the published counts (Wilson interval of those); the means are
    # magnitudes: withheld when too few people or dominated by one or two
    improved = disclosure.share(int(share.extra["improved"]), len(pairs))
    withheld = disclosure.magnitude_reason(pairs["change"].to_numpy())
    low, high = improved.interval or (float("nan"), float("nan"))
    shown_share = share.summary.assign(
        estimate=float("nan") if improved.value is None else improved.value / 100,
        ci_lower=low / 100, ci_upper=high / 100)
    estimates = pd.concat([
        change.summary.assign(method="Mean paired change (t interval)"),
        mixed.summary[mixed.summary["term"] == "follow_up"].assign(
            term="follow-up against baseline", method="Linear mixed model (REML)"),
        shown_share.assign(method="Share improving (Wilson interval)"),
    ], ignore_index=True)[["method", "term", "estimate", "ci_lower", "ci_upper"]]
    if withheld:
        estimates.loc[:1, ["estimate", "ci_lower", "ci_upper"]] = float("nan")
        estimates["withheld"] = [f"withheld: {withheld}"] * 2 + [
            "" if improved.value is not None else f"withheld: {improved.reason}"]
    elif improved.value is None:
        estimates["withheld"] = ["", "", f"withheld: {improved.reason}"]
    counts = pd.DataFrame({"measure": [
        "People with a baseline measurement in the period",
        "People with a baseline and a follow-up", "People improving by the threshold"],
        "n": [len(baseline_people), len(pairs), share.extra["improved"]]})
    mean, low, high = ((float("nan"),) * 3 if withheld else
                       change.estimate("mean change"))
    key = (
        {"name": "baseline_people", "value": len(baseline_people), "kind": "count",
         "label": "People with a baseline SWEMWBS in the period"},
        {"name": "paired_people", "value": len(pairs), "kind": "count",
         "label": "People with baseline and follow-up"},
        {"name": "mean_change", "value": mean, "kind": "estimate",
         "label": "Mean change in SWEMWBS metric score"},
        {"name": "mean_change_ci", "value": [low, high], "kind": "text",
         "text": f"not shown ({withheld})" if withheld else f"{low:.2f} to {high:.2f}",
         "label": "95% CI of the mean change"},
        {"name": "share_improved", "value": improved,
         "kind": "percentage", "label": "Share improving by the threshold (%)"},
    )
    return WellbeingReport(counts=counts, estimates=estimates, key_results=key,
                           pairs=pairs)
