"""The paired change in wellbeing and the share reaching a meaningful change, with
its Wilson interval (``regression/wellbeing.py``)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lifetools.regression import (
    estimate_paired_change,
    share_meaningful_change,
    wilson_interval,
)


def test_wilson_interval_known_value():
    low, high = wilson_interval(8, 10)   # Wilson (1927): 0.490 to 0.943
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433,
                                                                            abs=1e-4)
    assert np.isnan(wilson_interval(0, 0)[0])


def test_paired_change_and_share():
    pairs = pd.DataFrame({"change": [1.0, 2.0, 3.0, 4.0, 5.0]})
    mean, low, high = estimate_paired_change(pairs).estimate("mean change")
    assert mean == 3.0 and low < 3.0 < high
    share = share_meaningful_change(pairs, threshold=3.0)
    assert share.summary["estimate"].iloc[0] == pytest.approx(0.6)


@pytest.mark.parametrize("changes", [[], [2.5]])
def test_paired_change_fewer_than_two_pairs_not_estimable_and_silent(changes):
    # 0 pairs: scipy's ttest_1samp warned SmallSampleWarning into the wellbeing
    # notebook's stderr (3,000-person build); 1 pair: it divided by zero
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = estimate_paired_change(pd.DataFrame({"change": changes}))
    assert not result.estimable and result.n == len(changes)
    assert result.reason.startswith("fewer than 2 people with a baseline and a follow-up")
    assert result.warnings == (f"not estimable: {result.reason}",)
    row = result.summary.iloc[0]
    assert row["term"] == "mean change" and row[
        ["estimate", "ci_lower", "ci_upper", "p_value"]].isna().all()
    assert list(result.summary.columns) == ["term", "estimate", "ci_lower", "ci_upper",
                                            "p_value", "n"]


def test_paired_change_every_change_the_same_keeps_mean_without_interval():
    # a standard error of 0: scipy's t-test warned of catastrophic cancellation and
    # gave p = 0 with the interval a point; now the mean alone, and the reason
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = estimate_paired_change(pd.DataFrame({"change": [0.1] * 12}))
    assert not result.estimable and "standard error" in result.reason
    assert result.warnings == (f"not estimable: {result.reason}",)
    mean, low, high = result.estimate("mean change")
    assert mean == pytest.approx(0.1) and np.isnan(low) and np.isnan(high)
    assert np.isnan(result.summary["p_value"].iloc[0])


def test_paired_change_against_scipy_paired_ttest():
    # the interval and p-value of a paired t-test (scipy.stats.ttest_rel's own CI)
    from scipy import stats

    rng = np.random.default_rng(5)
    base, follow = rng.normal(20, 4, 40), rng.normal(21, 4, 40)
    result = estimate_paired_change(pd.DataFrame({"change": follow - base}))
    test = stats.ttest_rel(follow, base)
    low, high = test.confidence_interval(0.95)
    assert result.estimable and result.warnings == ()
    assert result.estimate("mean change") == pytest.approx(
        ((follow - base).mean(), low, high), rel=1e-12)
    assert result.summary["p_value"].iloc[0] == pytest.approx(test.pvalue, rel=1e-12)
