"""Count models (``regression/counts.py``): the within-person before/after rate ratio
and the negative binomial that cannot be estimated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.regression import (
    compare_before_after,
    fit_negative_binomial,
)


def test_before_after_equals_ratio_of_totals():
    periods = pd.DataFrame({"person_id": ["a", "a", "b", "b", "c", "c"],
                            "after": [0, 1] * 3, "ae": [4, 2, 2, 1, 6, 3],
                            "person_years": [1.0] * 6})
    result = compare_before_after(periods, outcome_col="ae")
    assert result.estimate("after")[0] == pytest.approx(6 / 12)
    # every person halves exactly: the robust variance is not positive, so the ratio
    # is kept without an interval and the result says so (was a silent NaN interval)
    assert not result.estimable and "standard error" in result.reason
    assert any(w.startswith("not estimable") for w in result.warnings)


def test_negative_binomial_without_overdispersion_is_not_estimable():
    # under-dispersed counts (binomial): theta diverges, so the negative binomial
    # cannot be estimated and says so instead of returning a number
    rng = np.random.default_rng(3)
    x = rng.normal(size=400)
    data = pd.DataFrame({"y": rng.binomial(4, 0.5, 400), "x": x, "t": 1.0})
    result = fit_negative_binomial(data, outcome_col="y", person_time_col="t",
                                   covariates=["x"])
    assert not result.estimable
    assert "theta diverges" in result.reason
    assert result.summary["estimate"].isna().all()
