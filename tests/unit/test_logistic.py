"""The logistic model and its performance (``regression/logistic.py``): C-statistic,
calibration, a model not fitted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from lifetools.convergence import TOO_FEW_TO_FIT
from lifetools.regression import (
    c_statistic,
    calibration,
    fit_logistic,
)


def test_c_statistic_perfect_and_random():
    assert c_statistic(np.array([0, 0, 1, 1]), np.array([.1, .2, .8, .9]))[0] == 1.0
    assert c_statistic(np.array([0, 1, 0, 1]), np.array([.5, .5, .5, .5]))[0] == 0.5


def test_logistic_discrimination_and_calibration():
    rng = np.random.default_rng(4)
    x = rng.normal(size=3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-(2 * x - 1)))).astype(float)
    result = fit_logistic(pd.DataFrame({"x": x, "y": y}), outcome_col="y",
                          covariates=["x"])
    assert result.extra["c_statistic"][0] > 0.8
    # apparent (in-sample) calibration: slope 1 and in-the-large 0 by construction
    assert result.extra["apparent"] is True
    assert result.extra["calibration_slope"] == pytest.approx(1.0, abs=1e-6)
    assert result.extra["calibration_in_the_large"] == pytest.approx(0.0, abs=1e-6)
    assert len(result.extra["calibration_table"]) == 10


def test_logistic_not_fitted_says_why_with_its_performance_missing():
    """A logistic model of no one, or with a covariate missing, is the one kind of
    result every model not fitted is (``not_fitted``): no rows, its reason, its warnings
    ending with it, and its C-statistic and calibration missing, not absent."""
    df = pd.DataFrame({"x": [0.5, np.nan, 1.5, 2.0], "y": [0.0, 1.0, 1.0, 0.0]})
    for data, n, reason in ((df.iloc[0:0], 0, TOO_FEW_TO_FIT),
                            (df, 4, "a covariate of the logistic model has missing "
                                    "values for 1 people")):
        result = fit_logistic(data, outcome_col="y", covariates=["x"])
        assert not result.estimable and result.n == n and result.reason == reason
        assert result.summary.empty and list(result.summary.columns) == [
            "term", "estimate", "ci_lower", "ci_upper", "p_value", "n"]
        assert result.warnings == (f"not estimable: {reason}",)
        assert result.model is None and result.events is None
        assert all(np.isnan(v) for v in result.extra["c_statistic"])
        assert np.isnan(result.extra["calibration_slope"])
        assert np.isnan(result.extra["calibration_in_the_large"])
        assert result.extra["calibration_table"].empty and result.extra["apparent"]


def test_calibration_in_the_large_is_offset_intercept_and_slope_separate():
    rng = np.random.default_rng(5)
    eta = rng.normal(-1, 1.5, size=20000)
    y = (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(float)
    # predictions too spread (slope 0.5) and shifted: in-the-large solves
    # sum(y - expit(a + lp)) = 0 with lp fixed (offset), found here by root finding
    lp = (eta + 0.4) / 0.5
    predicted = 1 / (1 + np.exp(-lp))
    in_the_large, slope, _ = calibration(y, predicted)
    root = brentq(lambda a: np.sum(y - 1 / (1 + np.exp(-(a + lp)))), -5, 5,
                  xtol=1e-12)
    assert in_the_large == pytest.approx(root, abs=1e-6)
    assert slope == pytest.approx(0.5, abs=0.03)
    # a pure shift of a correct model: slope 1, in-the-large near the shift
    shifted = 1 / (1 + np.exp(-(eta - 0.5)))
    in_the_large, slope, _ = calibration(y, shifted)
    assert slope == pytest.approx(1.0, abs=0.05)
    assert in_the_large == pytest.approx(0.5, abs=0.06)


def test_c_statistic_interval_is_kept_inside_zero_one():
    # near-perfect discrimination on few people: the Hanley-McNeil Wald upper limit
    # exceeds 1 before clipping
    outcome = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    predicted = np.array([.1, .2, .3, .7, .8, .9, .75, .25])
    auc, low, high = c_statistic(outcome, predicted)
    assert 0.0 <= low <= auc <= high == 1.0
