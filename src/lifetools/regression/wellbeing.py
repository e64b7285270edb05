"""Wellbeing (SWEMWBS): paired change, linear mixed model, meaningful change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from lifetools.convergence import recorded_warnings
from lifetools.regression.results import ModelResult, checked_summary, tidy

__all__ = ["estimate_paired_change", "fit_mixed_model", "paired_measurements",
           "share_meaningful_change", "wilson_interval"]


def paired_measurements(wellbeing: pd.DataFrame, *, period_start: str, period_end: str,
                        score_col: str = "swemwbs_metric") -> pd.DataFrame:
    """One row per linked person with a baseline in the period and a later follow-up."""
    data = wellbeing.dropna(subset=["person_id"])
    base = data[(data["timepoint"] == "baseline")
                & (data["measurement_date"] >= pd.Timestamp(period_start))
                & (data["measurement_date"] <= pd.Timestamp(period_end))]
    base = base.sort_values(["person_id", "measurement_date"]).drop_duplicates("person_id")
    follow = data[data["timepoint"] == "follow_up"].sort_values(
        ["person_id", "measurement_date"]).drop_duplicates("person_id")
    pairs = base[["person_id", "measurement_date", score_col]].merge(
        follow[["person_id", "measurement_date", score_col]], on="person_id",
        suffixes=("_baseline", "_follow_up"))
    pairs = pairs[pairs["measurement_date_follow_up"] > pairs["measurement_date_baseline"]]
    return pairs.assign(change=pairs[f"{score_col}_follow_up"]
                        - pairs[f"{score_col}_baseline"]).reset_index(drop=True)


def estimate_paired_change(pairs: pd.DataFrame, *, change_col: str = "change",
                           alpha: float = 0.05) -> ModelResult:
    """Mean paired change with a t-based confidence interval (paired t-test).

    Notes
    -----
    Mean of follow-up minus baseline; CI mean +/- t(n-1) SE; p-value of the paired
    t-test (scipy ``ttest_1samp`` on the changes). Checked in
    ``tests/unit/test_regression_wellbeing.py`` and on synthetic truth.
    """
    change = pairs[change_col].astype(float)
    n = len(change)
    mean, se = change.mean(), change.std(ddof=1) / np.sqrt(n)
    half = stats.t.ppf(1 - alpha / 2, n - 1) * se
    p = stats.ttest_1samp(change, 0.0).pvalue
    summary = pd.DataFrame({"term": ["mean change"], "estimate": [mean],
                            "ci_lower": [mean - half], "ci_upper": [mean + half],
                            "p_value": [p], "n": [n]})
    return ModelResult(summary=summary, n=n,
                       method={"estimator": "mean paired change", "ci_method": "t",
                               "test": "paired t-test"})


def fit_mixed_model(measurements: pd.DataFrame, *, score_col: str = "swemwbs_metric",
                    time_col: str = "follow_up", group_col: str = "person_id",
                    alpha: float = 0.05, random_slope: bool = False,
                    reml: bool = True) -> ModelResult:
    """Linear mixed model: score ~ time, random intercept (and slope) per person.

    Parameters
    ----------
    random_slope
        Add a random slope of ``time_col`` per person, correlated with the random
        intercept (lme4's ``(time | group)``); default: random intercept only.
    reml
        Restricted maximum likelihood (default, lme4's default) or maximum likelihood
        (``False``; needed to compare models with different fixed effects by their
        likelihood).

    Returns
    -------
    ModelResult
        ``extra``: ``group_variance`` (random intercept), ``residual_variance``,
        ``loglik`` (the REML criterion's log-likelihood under REML, as lme4's
        ``logLik``), and with ``random_slope`` also ``slope_variance`` and
        ``intercept_slope_covariance``.

    Notes
    -----
    statsmodels ``MixedLM`` (BFGS to a gradient of 1e-12, 1e-10 with a random slope,
    where 1e-12 is out of reach; L-BFGS if that does not converge; the default stopped
    2e-6 from lme4's variances); uses every
    measurement, including people with only a baseline; Wald intervals for the fixed
    effects (normal quantiles; lme4 gives no p-values). A fit that did not converge (or
    with a non-finite estimate or standard error) is flagged: ``estimable`` False,
    ``reason``, NaN estimates; statsmodels' warnings are carried in ``warnings``.
    Checked against lme4's ``sleepstudy`` results (random intercept and random slope,
    REML and ML: fixed effects, standard errors, variance components and
    log-likelihood) in ``tests/reference/test_regression_against_r.py``
    (``test_mixed_model_sleepstudy_against_lme4``,
    ``test_mixed_model_slope_and_ml_sleepstudy_against_lme4``).
    """
    criterion = "REML" if reml else "ML"
    effects = "random intercept and slope" if random_slope else "random intercept"
    n_groups = int(measurements[group_col].nunique())
    try:
        with recorded_warnings() as notes:
            fit = smf.mixedlm(f"{score_col} ~ {time_col}", measurements,
                              groups=measurements[group_col],
                              re_formula=f"~{time_col}" if random_slope else None).fit(
                reml=reml, method=["bfgs", "lbfgs"],
                gtol=1e-10 if random_slope else 1e-12, maxiter=500)
            terms = [t for t in fit.fe_params.index]
            bse, pvalues = fit.bse_fe, fit.pvalues[terms]  # their warnings recorded
    except np.linalg.LinAlgError:
        # a singular design (too few people measured more than once): no number
        terms = ["Intercept", time_col]
        nan = pd.Series(np.nan, index=terms)
        reason = (f"the {criterion} fit failed: singular matrix (too few people "
                  "with repeated measurements)")
        return ModelResult(
            summary=tidy(terms, nan, nan, nan, n_groups, exponentiate=False,
                         alpha=alpha),
            n=n_groups, model=None, warnings=(reason,), estimable=False,
            reason=reason,
            method={"estimator": f"linear mixed model, {effects}, {criterion}",
                    "ci_method": "Wald"})
    notes = list(notes)
    converged = bool(fit.converged) and not any("ConvergenceWarning" in n for n in notes)
    summary, estimable, reason = checked_summary(
        tidy(terms, fit.fe_params, bse, pvalues,
             int(measurements[group_col].nunique()), exponentiate=False, alpha=alpha),
        fit.fe_params, bse, converged=converged,
        failure=f"the {criterion} maximisation did not converge", notes=notes,
        ratio=False, alpha=alpha)
    cov_re = np.asarray(fit.cov_re, dtype=float)
    extra = {"group_variance": float(cov_re[0, 0]), "residual_variance": float(fit.scale),
             "loglik": float(fit.llf)}
    if random_slope:
        extra.update(slope_variance=float(cov_re[1, 1]),
                     intercept_slope_covariance=float(cov_re[0, 1]))
    return ModelResult(summary=summary, n=int(measurements[group_col].nunique()),
                       model=fit, warnings=tuple(notes), estimable=estimable,
                       reason=reason, extra=extra,
                       method={"estimator": f"linear mixed model, {effects}, {criterion}",
                               "ci_method": "Wald"})


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a proportion."""
    if n == 0:
        return (float("nan"), float("nan"))
    z = stats.norm.ppf(1 - alpha / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def share_meaningful_change(pairs: pd.DataFrame, *, threshold: float,
                            change_col: str = "change", alpha: float = 0.05
                            ) -> ModelResult:
    """Share of people whose score rose by at least ``threshold``, with a Wilson CI."""
    hits = int((pairs[change_col] >= threshold).sum())
    n = len(pairs)
    low, high = wilson_interval(hits, n, alpha)
    summary = pd.DataFrame({"term": [f"improved by {threshold:g} or more"],
                            "estimate": [hits / n if n else float("nan")],
                            "ci_lower": [low], "ci_upper": [high], "p_value": [np.nan],
                            "n": [n]})
    return ModelResult(summary=summary, n=n, extra={"improved": hits},
                       method={"estimator": "proportion", "ci_method": "Wilson score",
                               "threshold": threshold})
