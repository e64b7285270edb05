"""Regression units: before/after ratio, matching, Wilson, C-statistic, calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.regression import (
    c_statistic,
    compare_before_after,
    estimate_paired_change,
    fit_logistic,
    match_on_propensity,
    share_meaningful_change,
    wilson_interval,
)


def test_before_after_equals_ratio_of_totals():
    periods = pd.DataFrame({"person_id": ["a", "a", "b", "b", "c", "c"],
                            "after": [0, 1] * 3, "ae": [4, 2, 2, 1, 6, 3],
                            "person_years": [1.0] * 6})
    result = compare_before_after(periods, outcome_col="ae")
    assert result.estimate("after")[0] == pytest.approx(6 / 12)


def test_wilson_interval_known_value():
    low, high = wilson_interval(8, 10)   # Wilson (1927): 0.490 to 0.943
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433,
                                                                            abs=1e-4)
    assert np.isnan(wilson_interval(0, 0)[0])


def test_c_statistic_perfect_and_random():
    assert c_statistic(np.array([0, 0, 1, 1]), np.array([.1, .2, .8, .9]))[0] == 1.0
    assert c_statistic(np.array([0, 1, 0, 1]), np.array([.5, .5, .5, .5]))[0] == 0.5


def test_paired_change_and_share():
    pairs = pd.DataFrame({"change": [1.0, 2.0, 3.0, 4.0, 5.0]})
    mean, low, high = estimate_paired_change(pairs).estimate("mean change")
    assert mean == 3.0 and low < 3.0 < high
    share = share_meaningful_change(pairs, threshold=3.0)
    assert share.summary["estimate"].iloc[0] == pytest.approx(0.6)


def test_matching_is_deterministic_and_balances():
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.normal(size=n)
    treated = (rng.random(n) < 1 / (1 + np.exp(-(x - 1.5)))).astype(float)
    df = pd.DataFrame({"person_id": [f"p{i:04d}" for i in range(n)], "x": x,
                       "user": treated})
    a = match_on_propensity(df, treatment_col="user", covariates=["x"])
    b = match_on_propensity(df.sample(frac=1, random_state=1), treatment_col="user",
                            covariates=["x"])
    assert sorted(a.data["person_id"]) == sorted(b.data["person_id"])
    assert abs(a.balance["smd_before"].iloc[0]) > 0.5
    assert a.max_abs_smd_after < 0.1


def test_logistic_discrimination_and_calibration():
    rng = np.random.default_rng(4)
    x = rng.normal(size=3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-(2 * x - 1)))).astype(float)
    result = fit_logistic(pd.DataFrame({"x": x, "y": y}), outcome_col="y",
                          covariates=["x"])
    assert result.extra["c_statistic"][0] > 0.8
    assert result.extra["calibration_slope"] == pytest.approx(1.0, abs=1e-6)
    assert len(result.extra["calibration_table"]) == 10
