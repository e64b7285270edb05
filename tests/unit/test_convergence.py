"""Convergence helpers: standard errors of a covariance that may not be one."""

from __future__ import annotations

import warnings

import numpy as np

from lifetools.convergence import degenerate_terms, standard_errors


def test_standard_errors_negative_variance_nan_without_warning():
    # the inverse information of a diverging fit (crisis risk's bootstrap, 2,000
    # people) had a negative diagonal: np.sqrt warned "invalid value" into stderr
    cov = np.array([[4.0, 0.0, 0.0], [0.0, -1e-9, 0.0], [0.0, 0.0, np.nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        se = standard_errors(cov)
    assert se[0] == 2.0 and np.isnan(se[1]) and np.isnan(se[2])
    reasons = degenerate_terms(["a", "b", "c"], [0.1, 0.2, 0.3], se)
    assert set(reasons) == {"b", "c"}
    assert reasons["b"] == "its standard error could not be computed"


def test_standard_errors_equal_sqrt_of_the_diagonal():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(6, 6))
    cov = a @ a.T
    assert np.array_equal(standard_errors(cov), np.sqrt(np.diag(cov)))
