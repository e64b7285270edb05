"""Logistic regression with discrimination (C-statistic) and calibration."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from lifetools.convergence import TOO_FEW_TO_FIT
from lifetools.regression.design import design_frame
from lifetools.regression.irls import fit_freeing_iterations
from lifetools.regression.results import ModelResult, not_fitted, tidy

__all__ = ["CALIBRATION_DIGITS", "c_statistic", "calibration", "calibration_points",
           "fit_logistic"]

CALIBRATION_DIGITS = 2
"""Decimal places of a calibration table's published points (:func:`calibration_points`):
the places its download is written to (``disclosure.write_csv``'s ``digits``), so that the
largest gap the page states is the one a reader finds in the download. At 4 places the
sentence said "up to 0.15, at a predicted risk of 0.34" beside a download reading 0.34
and 0.48 (wave 38)."""


def c_statistic(outcome: np.ndarray, predicted: np.ndarray, alpha: float = 0.05):
    """C-statistic (area under the ROC curve) with a Hanley-McNeil interval.

    Returns (estimate, lower, upper); the Wald limits are clipped to [0, 1].

    Notes
    -----
    Estimator: the Mann-Whitney rank-sum form (tied predictions get the average rank,
    so a tied pair counts one half). Interval: Wald with the Hanley and McNeil (1982)
    standard error (their exponential approximations Q1 = A/(2-A), Q2 = 2A^2/(1+A)).
    :func:`lifetools.prediction.c_statistic` gives DeLong's interval instead. Checked
    against the published worked example and R's ``pROC::auc`` in
    ``tests/reference/test_logistic_did_against_r.py``.
    """
    outcome = np.asarray(outcome).astype(bool)
    ranks = stats.rankdata(predicted)
    n1, n0 = outcome.sum(), (~outcome).sum()
    auc = (ranks[outcome].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    se = np.sqrt((auc * (1 - auc) + (n1 - 1) * (q1 - auc ** 2)
                  + (n0 - 1) * (q2 - auc ** 2)) / (n1 * n0))
    z = stats.norm.ppf(1 - alpha / 2)
    return (float(auc), float(np.clip(auc - z * se, 0.0, 1.0)),
            float(np.clip(auc + z * se, 0.0, 1.0)))


def calibration(outcome: np.ndarray, predicted: np.ndarray, bins: int = 10):
    """Calibration-in-the-large, calibration slope and a binned table.

    Returns ``(in_the_large, slope, table)``. With ``lp`` the logit of the prediction:
    calibration-in-the-large is the intercept ``a`` of ``logit P(y) = a + lp`` (``lp``
    an offset, slope fixed at 1; 0 when the mean prediction matches the observed
    risk); the calibration slope is ``b`` of ``logit P(y) = a' + b lp`` (1 when the
    spread of predictions is right). ``table``: mean predicted and observed risk in
    ``bins`` equal-sized groups by rank of prediction.
    """
    predicted = np.clip(np.asarray(predicted, float), 1e-9, 1 - 1e-9)
    y = np.asarray(outcome, float)
    logit = np.log(predicted / (1 - predicted))
    ones = np.ones((len(y), 1))
    # each IRLS iteration's garbage freed before the next (irls.py): at 150,000 people
    # the finished iterations of these two fits raised fit_logistic's peak by about
    # 90 MB (issue 16)
    large = fit_freeing_iterations(sm.GLM(y, ones, family=sm.families.Binomial(),
                                          offset=logit))
    slope = fit_freeing_iterations(sm.GLM(y, sm.add_constant(logit, has_constant="add"),
                                          family=sm.families.Binomial()))
    groups = pd.qcut(pd.Series(predicted).rank(method="first"), bins, labels=False)
    table = pd.DataFrame({"group": groups, "predicted": predicted,
                          "observed": y}).groupby("group").agg(
        predicted=("predicted", "mean"), observed=("observed", "mean"),
        n=("observed", "size")).reset_index()
    return float(large.params[0]), float(slope.params[1]), table


def calibration_points(table: pd.DataFrame) -> pd.DataFrame:
    """The published points of a calibration table: each group's mean predicted and
    observed risk, to :data:`CALIBRATION_DIGITS` decimal places (index kept).

    The one rounding of the emergency page's calibration: its figure draws these and
    publishes them as its download (:func:`lifetools.plots.plot_calibration`), and the
    page's sentence judges the largest gap from them
    (:func:`lifetools.reports.emergency.calibration_sentence`), so the words and the
    download agree (the two rounded it each until wave 38). Tested in
    ``tests/unit/test_reports.py``.
    """
    return table[["predicted", "observed"]].astype(float).round(CALIBRATION_DIGITS)


def _performance(auc: tuple, in_the_large: float, slope: float,
                 table: pd.DataFrame) -> dict:
    """A logistic model's performance, as its result's ``extra`` holds it (apparent:
    in-sample), fitted or not: one set of keys."""
    return {"c_statistic": auc, "calibration_in_the_large": in_the_large,
            "calibration_slope": slope, "calibration_table": table, "apparent": True}


def _no_performance() -> dict:
    """A logistic model's performance when it was not fitted: every number missing."""
    nan = float("nan")
    return _performance((nan, nan, nan), nan, nan,
                        pd.DataFrame(columns=["group", "predicted", "observed", "n"]))


def fit_logistic(df: pd.DataFrame, *, outcome_col: str, covariates: Sequence[str],
                 alpha: float = 0.05, bins: int = 10) -> ModelResult:
    """Logistic regression: odds ratios, C-statistic and apparent calibration.

    Notes
    -----
    statsmodels ``Logit`` (maximum likelihood), Wald intervals; C-statistic with the
    Hanley-McNeil standard error (limits clipped to [0, 1]); calibration-in-the-large,
    calibration slope (see :func:`calibration`) and a table of observed against
    predicted risk by tenths. All are **apparent**: computed on the data the model was
    fitted to. For a maximum-likelihood logistic model with an intercept, the apparent
    calibration slope is exactly 1 and calibration-in-the-large exactly 0 by
    construction, so they say nothing about calibration until the model is applied to
    other data; the C-statistic is optimistic, as TRIPOD warns. Coefficients,
    standard errors, Wald limits and the C-statistic are checked against R's ``glm``
    and ``pROC`` in ``tests/reference/test_logistic_did_against_r.py``.

    Nothing is fitted when a covariate has missing values, and a fit that did not
    converge is not used: the result is not ``estimable`` and its ``reason`` says why,
    its summary is empty, its C-statistic and calibration missing and its warnings end
    with "not estimable: <reason>", as every model not fitted
    (:func:`lifetools.regression.results.not_fitted`; ``tests/unit/test_logistic.py``).
    """
    x = design_frame(df, covariates)  # one block: statsmodels does not copy it
    y = df[outcome_col].astype(float)
    method = {"estimator": "logistic regression", "ci_method": "Wald"}
    if not len(df):  # no people (a small locality): statsmodels' zero-size error
        return not_fitted((), 0, reason=TOO_FEW_TO_FIT, method=method,
                          extra=_no_performance())
    missing = np.isnan(x.to_numpy()).any(axis=1)
    if missing.any():
        return not_fitted((), len(df), reason="a covariate of the logistic model has "
                          f"missing values for {int(missing.sum())} people", method=method,
                          extra=_no_performance())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sm.Logit(y, x).fit(disp=0, maxiter=200)
    if not fit.mle_retvals.get("converged", False):
        return not_fitted((), len(df), reason="the logistic model did not converge in "
                          "200 iterations", method=method, model=fit,
                          notes=tuple(dict.fromkeys(str(w.message) for w in caught)),
                          extra=_no_performance())
    predicted = fit.predict(x).to_numpy()
    auc = c_statistic(y.to_numpy(), predicted, alpha)
    in_the_large, slope, table = calibration(y.to_numpy(), predicted, bins)
    return ModelResult(
        summary=tidy(x.columns, fit.params, fit.bse, fit.pvalues, len(df),
                     exponentiate=True, alpha=alpha),
        n=len(df), events=int(y.sum()), model=fit,
        extra=_performance(auc, in_the_large, slope, table),
        warnings=tuple(dict.fromkeys(str(w.message) for w in caught)),
        method={**method,
                "discrimination": "C-statistic, Hanley-McNeil SE, limits clipped to "
                                  "[0, 1]",
                "calibration": "apparent (in-sample): calibration-in-the-large "
                               "(offset, slope fixed at 1) is 0 and the slope 1 by "
                               "construction; deciles of predicted risk"})
