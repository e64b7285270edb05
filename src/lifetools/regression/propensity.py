"""Propensity scores: logistic model, caliper matching or weighting, balance, and
difference-in-differences of rates for the matched design."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

from lifetools.regression.results import BalanceResult, ModelResult, tidy

__all__ = ["balance_table", "estimate_did", "estimate_propensity",
           "match_on_propensity", "standardised_differences", "weight_by_propensity"]


def estimate_propensity(df: pd.DataFrame, *, treatment_col: str,
                        covariates: Sequence[str]) -> pd.Series:
    """Propensity score P(treatment | covariates) from a logistic regression.

    Notes
    -----
    statsmodels ``Logit`` by maximum likelihood, main effects of ``covariates``.
    """
    x = sm.add_constant(df[list(covariates)].astype(float), has_constant="add")
    fit = sm.Logit(df[treatment_col].astype(float), x).fit(disp=0, maxiter=200)
    return pd.Series(fit.predict(x), index=df.index, name="propensity")


def standardised_differences(df: pd.DataFrame, *, treatment_col: str,
                             covariates: Sequence[str],
                             weights: pd.Series | None = None) -> pd.Series:
    """Standardised mean differences (treated minus control, pooled unweighted SD)."""
    w = pd.Series(1.0, index=df.index) if weights is None else weights
    treated = df[treatment_col] == 1
    out = {}
    for col in covariates:
        x = df[col].astype(float)
        m1 = np.average(x[treated], weights=w[treated])
        m0 = np.average(x[~treated], weights=w[~treated])
        sd = np.sqrt((x[treated].var() + x[~treated].var()) / 2)
        out[col] = (m1 - m0) / sd if sd > 0 else 0.0
    return pd.Series(out)


def balance_table(before: pd.DataFrame, after: pd.DataFrame, *, treatment_col: str,
                  covariates: Sequence[str], weights: pd.Series | None = None
                  ) -> pd.DataFrame:
    """SMD of each covariate before and after matching or weighting (target |SMD| < 0.1)."""
    return pd.DataFrame({
        "covariate": list(covariates),
        "smd_before": standardised_differences(before, treatment_col=treatment_col,
                                               covariates=covariates).to_numpy(),
        "smd_after": standardised_differences(after, treatment_col=treatment_col,
                                              covariates=covariates,
                                              weights=weights).to_numpy(),
    })


def match_on_propensity(
    df: pd.DataFrame,
    *,
    treatment_col: str,
    covariates: Sequence[str],
    caliper: float = 0.2,
    id_col: str = "person_id",
) -> BalanceResult:
    """1:1 nearest-neighbour matching without replacement on the logit of the score.

    Treated people are matched in order of decreasing score (hardest first) to the
    nearest unused control within ``caliper`` standard deviations of the logit score;
    ties are broken by ``id_col`` so the match is deterministic. Unmatched treated
    people are dropped (reported in ``method``).
    """
    ps = estimate_propensity(df, treatment_col=treatment_col, covariates=covariates)
    logit = np.log(ps / (1 - ps))
    width = caliper * float(logit.std())
    treated = df[treatment_col] == 1
    controls = df.loc[~treated].assign(_logit=logit[~treated]).sort_values(
        ["_logit", id_col])
    values = controls["_logit"].to_numpy()
    used = np.zeros(len(values), dtype=bool)
    order = df.loc[treated].assign(_logit=logit[treated]).sort_values(
        ["_logit", id_col], ascending=[False, True])
    pairs = []
    for index, value in zip(order.index, order["_logit"].to_numpy(), strict=True):
        pos = np.searchsorted(values, value)
        best, distance = -1, width
        for step in (-1, 1):
            i = pos if step == 1 else pos - 1
            while 0 <= i < len(values) and used[i]:
                i += step
            if 0 <= i < len(values) and abs(values[i] - value) <= distance:
                best, distance = i, abs(values[i] - value)
        if best >= 0:
            used[best] = True
            pairs.append((index, controls.index[best]))
    chosen = [i for pair in pairs for i in pair]
    matched = df.loc[chosen].assign(propensity=ps.loc[chosen],
                                    pair=np.repeat(np.arange(len(pairs)), 2))
    return BalanceResult(
        data=matched, balance=balance_table(df, matched, treatment_col=treatment_col,
                                            covariates=covariates),
        method={"design": "1:1 nearest-neighbour matching without replacement",
                "caliper": f"{caliper} SD of the logit propensity score",
                "treated": int(treated.sum()), "matched_pairs": len(pairs)})


def weight_by_propensity(df: pd.DataFrame, *, treatment_col: str,
                         covariates: Sequence[str], trim: float = 0.01) -> BalanceResult:
    """Stabilised inverse-probability-of-treatment weights, scores trimmed to [t, 1-t]."""
    ps = estimate_propensity(df, treatment_col=treatment_col, covariates=covariates)
    ps = ps.clip(trim, 1 - trim)
    treated = df[treatment_col] == 1
    share = treated.mean()
    weights = np.where(treated, share / ps, (1 - share) / (1 - ps))
    data = df.assign(propensity=ps, weight=weights)
    return BalanceResult(
        data=data, balance=balance_table(df, data, treatment_col=treatment_col,
                                         covariates=covariates,
                                         weights=data["weight"]),
        method={"design": "stabilised inverse probability of treatment weights",
                "trim": trim})


def estimate_did(
    periods: pd.DataFrame,
    *,
    outcome_col: str,
    group_col: str = "user",
    period_col: str = "after",
    person_time_col: str = "person_years",
    id_col: str = "person_id",
    method: Literal["gee"] = "gee",
    alpha: float = 0.05,
) -> ModelResult:
    """Difference-in-differences of rates: the ratio of after/before rate ratios.

    Notes
    -----
    Poisson GEE with offset log(person-time), terms group, period and group x period,
    exchangeable correlation within person, robust errors; the interaction's rate ratio
    is the DiD estimate on the multiplicative scale. Controls carry their matched user's
    index date (risk-set alignment), so staggered start dates do not bias the estimate
    as two-way fixed effects can. Checked in ``tests/truth/test_regression_truth.py``.
    """
    data = periods[periods[person_time_col] > 0].sort_values([id_col, period_col])
    x = pd.DataFrame({"const": 1.0, "life_rooms": data[group_col].astype(float),
                      "after": data[period_col].astype(float)}, index=data.index)
    x["did"] = x["life_rooms"] * x["after"]
    fit = sm.GEE(data[outcome_col].astype(float), x, groups=pd.factorize(data[id_col])[0],
                 family=sm.families.Poisson(), cov_struct=sm.cov_struct.Exchangeable(),
                 offset=np.log(data[person_time_col].astype(float))).fit()
    return ModelResult(
        summary=tidy(x.columns, fit.params, fit.bse, fit.pvalues, data[id_col].nunique(),
                     exponentiate=True, alpha=alpha),
        n=int(data[id_col].nunique()), model=fit,
        method={"estimator": "difference-in-differences, Poisson GEE (ratio of rate "
                "ratios)", "ci_method": "Wald, robust", "method": method})
