"""Predictive performance of risks: discrimination, calibration, Brier, net benefit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from lifetools.prediction._logit import fit_logit, inverse_logit
from lifetools.prediction.splines import rcs_basis, rcs_knots

__all__ = ["Performance", "c_statistic", "calibration_curve", "confusion_counts", "net_benefit",
           "performance"]

Z975 = float(stats.norm.ppf(0.975))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def c_statistic(outcome: np.ndarray, risk: np.ndarray) -> tuple[float, float, float]:
    """C-statistic with DeLong's 95% interval: ``(estimate, lower, upper)``.

    Notes
    -----
    Estimator: the Mann-Whitney probability that a person with the outcome has a
    higher risk than one without (ties count one half). Interval: DeLong, DeLong and
    Clarke-Pearson (1988) variance from the placement values, Wald limits clipped to
    [0, 1]. Checked against ``pROC::ci.auc(method = "delong")`` in
    ``tests/reference/test_prediction_against_r.py``.
    """
    auc, se = _delong(outcome, risk)
    return (float(auc), float(max(auc - Z975 * se, 0.0)), float(min(auc + Z975 * se, 1.0)))


def _delong(outcome: np.ndarray, risk: np.ndarray) -> tuple[float, float]:
    """The C-statistic and DeLong's standard error."""
    y = np.asarray(outcome).astype(bool)
    r = np.asarray(risk, dtype=float)
    cases, controls = r[y], r[~y]
    m, n = len(cases), len(controls)
    if m < 2 or n < 2:
        raise ValueError("the C-statistic needs at least two people with and without the outcome")
    all_ranks = stats.rankdata(np.concatenate([cases, controls]))
    rank_cases = stats.rankdata(cases)
    rank_controls = stats.rankdata(controls)
    auc = (all_ranks[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (all_ranks[:m] - rank_cases) / n            # placement of each case
    v01 = 1 - (all_ranks[m:] - rank_controls) / m     # placement of each control
    se = np.sqrt(v10.var(ddof=1) / m + v01.var(ddof=1) / n)
    return float(auc), float(se)


@dataclass(frozen=True)
class Performance:
    """Performance of predicted risks against observed outcomes in one cohort."""

    summary: pd.DataFrame
    n_people: int
    n_events: int
    method: dict

    def value(self, measure: str) -> float:
        """The estimate of one measure (``c``, ``slope``, ``citl``, ``brier``, ...)."""
        return float(self.summary.set_index("measure").loc[measure, "estimate"])


def performance(outcome: np.ndarray, risk: np.ndarray) -> Performance:
    """C-statistic, calibration slope, calibration-in-the-large, O/E ratio and Brier score.

    Parameters
    ----------
    outcome : array of 0/1
    risk : array of float
        Predicted probabilities (strictly between 0 and 1).

    Returns
    -------
    Performance
        ``summary`` rows ``c``, ``slope``, ``citl``, ``recalibration_intercept``,
        ``oe_ratio``, ``brier`` with ``estimate``, ``ci_lower``, ``ci_upper``.

    Notes
    -----
    With ``lp`` the logit of the risk: the calibration slope is ``b`` of
    ``logit P(y) = a + b lp`` (``recalibration_intercept`` is that ``a``, as in
    ``rms::val.prob`` and ``rms::validate``); calibration-in-the-large is ``a`` of
    ``logit P(y) = a + lp`` (``lp`` an offset). All three with Wald 95% intervals from
    their logistic fits (the recalibration intercept's from the slope's fit, as R's
    ``confint.default`` of ``glm(y ~ lp)``). O/E: observed over expected events, interval ``exp(log(O/E) +/- 1.96
    / sqrt(O))`` (Debray et al. 2017). Brier: mean squared difference, no interval.
    Checked against R (``glm``, ``pROC``) in ``tests/reference/test_prediction_against_r.py``.
    """
    y = np.asarray(outcome, dtype=float)
    p = np.asarray(risk, dtype=float)
    lp = _logit(p)
    c, c_lo, c_hi = c_statistic(y, p)
    recal = fit_logit(lp, y)
    slope, slope_se = recal.coef[1], np.sqrt(recal.cov[1, 1])
    intercept, intercept_se = recal.coef[0], np.sqrt(recal.cov[0, 0])
    citl_fit = fit_logit(np.empty((len(y), 0)), y, offset=lp)
    citl, citl_se = citl_fit.coef[0], np.sqrt(citl_fit.cov[0, 0])
    observed, expected = y.sum(), p.sum()
    oe = observed / expected
    oe_half = Z975 / np.sqrt(observed) if observed > 0 else np.inf
    rows = [("c", c, c_lo, c_hi),
            ("slope", slope, slope - Z975 * slope_se, slope + Z975 * slope_se),
            ("citl", citl, citl - Z975 * citl_se, citl + Z975 * citl_se),
            ("recalibration_intercept", intercept, intercept - Z975 * intercept_se,
             intercept + Z975 * intercept_se),
            ("oe_ratio", oe, oe * np.exp(-oe_half), oe * np.exp(oe_half)),
            ("brier", float(np.mean((p - y) ** 2)), np.nan, np.nan)]
    summary = pd.DataFrame(rows, columns=["measure", "estimate", "ci_lower", "ci_upper"])
    method = {"c": "Mann-Whitney, DeLong interval", "calibration": "logistic recalibration, Wald",
              "oe_ratio": "Poisson interval on observed events"}
    return Performance(summary=summary, n_people=len(y), n_events=int(y.sum()), method=method)


def calibration_curve(outcome: np.ndarray, risk: np.ndarray, *, n_knots: int = 4,
                      grid: np.ndarray | None = None) -> pd.DataFrame:
    """Flexible calibration curve with a pointwise 95% band.

    Returns a frame with ``predicted`` (grid of risks), ``observed`` and ``ci_lower``,
    ``ci_upper``. Default grid: 50 points between the 1st and 99th percentiles of the
    predicted risks (the curve is not shown where there are few people).

    Notes
    -----
    Estimator: logistic regression of the outcome on a restricted cubic spline of the
    logit of the predicted risk (``n_knots`` knots, Harrell's placement); band: Wald
    on the logit scale, back-transformed (Van Calster et al. 2016, flexible
    calibration). Checked against R ``glm`` with ``Hmisc::rcspline.eval`` in
    ``tests/reference/test_prediction_against_r.py``.
    """
    y = np.asarray(outcome, dtype=float)
    lp = _logit(np.asarray(risk, dtype=float))
    knots = rcs_knots(lp, n_knots)
    fit = fit_logit(rcs_basis(lp, knots), y)
    if grid is None:
        grid = np.linspace(*np.quantile(np.asarray(risk, dtype=float), [0.01, 0.99]), 50)
    grid = np.asarray(grid, dtype=float)
    design = np.column_stack([np.ones(len(grid)), rcs_basis(_logit(grid), knots)])
    eta = design @ fit.coef
    se = np.sqrt(np.einsum("ij,jk,ik->i", design, fit.cov, design))
    return pd.DataFrame({"predicted": grid, "observed": inverse_logit(eta),
                         "ci_lower": inverse_logit(eta - Z975 * se),
                         "ci_upper": inverse_logit(eta + Z975 * se)})


def confusion_counts(outcome: np.ndarray, risk: np.ndarray,
                     thresholds: np.ndarray | tuple[float, ...]
                     ) -> tuple[list[int], list[int]]:
    """The people with the outcome among those treated, and all treated, at each
    threshold (treated: risk at least the threshold, as :func:`net_benefit`), raw.

    A disclosure rule protects them before a net benefit is published from them
    (:func:`lifetools.disclosure.model_outputs`' ``model_counts``).
    """
    y = np.asarray(outcome, dtype=float)
    p = np.asarray(risk, dtype=float)
    treated = p[None, :] >= np.asarray(thresholds, dtype=float)[:, None]
    return ([int(v) for v in (treated & (y[None, :] == 1)).sum(axis=1)],
            [int(v) for v in treated.sum(axis=1)])


def net_benefit(outcome: np.ndarray, risk: np.ndarray,
                thresholds: np.ndarray | tuple[float, ...]) -> pd.DataFrame:
    """Decision curve: net benefit of the model, treat-all and treat-none by threshold.

    Notes
    -----
    Net benefit at threshold ``pt`` (Vickers and Elkin 2006):
    ``TP/n - FP/n * pt / (1 - pt)``, a person counted as treated when their risk is at
    least ``pt``; treat-all: ``prevalence - (1 - prevalence) pt / (1 - pt)``;
    treat-none: 0. Checked against the published decision-curve tutorial examples
    (R ``dcurves``: family history, a 0/1 marker, and the marker's continuous predicted
    risks at 35 thresholds, to 1e-10) and R in
    ``tests/reference/test_prediction_against_r.py``.
    """
    y = np.asarray(outcome, dtype=float)
    p = np.asarray(risk, dtype=float)
    th = np.asarray(thresholds, dtype=float)
    if ((th <= 0) | (th >= 1)).any():
        raise ValueError("thresholds must lie strictly between 0 and 1")
    n = len(y)
    odds = th / (1 - th)
    treated = p[None, :] >= th[:, None]
    tp = (treated & (y[None, :] == 1)).sum(axis=1) / n
    fp = (treated & (y[None, :] == 0)).sum(axis=1) / n
    prevalence = y.mean()
    return pd.DataFrame({"threshold": th, "model": tp - fp * odds,
                         "treat_all": prevalence - (1 - prevalence) * odds,
                         "treat_none": np.zeros(len(th))})
