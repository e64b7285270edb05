"""Logistic regression with discrimination (C-statistic) and calibration."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from lifetools.regression.results import ModelResult, tidy

__all__ = ["c_statistic", "calibration", "fit_logistic"]


def c_statistic(outcome: np.ndarray, predicted: np.ndarray, alpha: float = 0.05):
    """C-statistic (area under the ROC curve) with a Hanley-McNeil interval."""
    outcome = np.asarray(outcome).astype(bool)
    ranks = stats.rankdata(predicted)
    n1, n0 = outcome.sum(), (~outcome).sum()
    auc = (ranks[outcome].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    se = np.sqrt((auc * (1 - auc) + (n1 - 1) * (q1 - auc ** 2)
                  + (n0 - 1) * (q2 - auc ** 2)) / (n1 * n0))
    z = stats.norm.ppf(1 - alpha / 2)
    return float(auc), float(auc - z * se), float(auc + z * se)


def calibration(outcome: np.ndarray, predicted: np.ndarray, bins: int = 10):
    """Calibration intercept and slope (logistic recalibration) and a binned table."""
    predicted = np.clip(np.asarray(predicted, float), 1e-9, 1 - 1e-9)
    logit = np.log(predicted / (1 - predicted))
    fit = sm.GLM(np.asarray(outcome, float), sm.add_constant(logit),
                 family=sm.families.Binomial()).fit()
    groups = pd.qcut(pd.Series(predicted).rank(method="first"), bins, labels=False)
    table = pd.DataFrame({"group": groups, "predicted": predicted,
                          "observed": np.asarray(outcome, float)}).groupby("group").agg(
        predicted=("predicted", "mean"), observed=("observed", "mean"),
        n=("observed", "size")).reset_index()
    return float(fit.params[0]), float(fit.params[1]), table


def fit_logistic(df: pd.DataFrame, *, outcome_col: str, covariates: Sequence[str],
                 alpha: float = 0.05, bins: int = 10) -> ModelResult:
    """Logistic regression: odds ratios, C-statistic and calibration (apparent).

    Notes
    -----
    statsmodels ``Logit`` (maximum likelihood), Wald intervals; C-statistic with the
    Hanley-McNeil standard error; calibration slope and intercept by logistic
    recalibration and a table of observed against predicted risk by tenths. These are
    apparent (in-sample) measures: optimistic, as TRIPOD warns.
    """
    x = sm.add_constant(df[list(covariates)].astype(float), has_constant="add")
    y = df[outcome_col].astype(float)
    fit = sm.Logit(y, x).fit(disp=0, maxiter=200)
    predicted = fit.predict(x).to_numpy()
    auc = c_statistic(y.to_numpy(), predicted, alpha)
    intercept, slope, table = calibration(y.to_numpy(), predicted, bins)
    return ModelResult(
        summary=tidy(x.columns, fit.params, fit.bse, fit.pvalues, len(df),
                     exponentiate=True, alpha=alpha),
        n=len(df), model=fit,
        extra={"c_statistic": auc, "calibration_intercept": intercept,
               "calibration_slope": slope, "calibration_table": table},
        method={"estimator": "logistic regression", "ci_method": "Wald",
                "discrimination": "C-statistic, Hanley-McNeil SE",
                "calibration": "logistic recalibration; deciles of predicted risk"})
