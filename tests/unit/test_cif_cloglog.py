"""The cumulative incidence from its cloglog (lifetools.survival.competing, used by lifetools.prediction.cif_interval)."""

from __future__ import annotations

import warnings

import numpy as np

from lifetools.survival.competing import CLOGLOG_ONE, incidence_from_cloglog


def test_incidence_from_cloglog_no_overflow_at_a_far_upper_limit_same_values_below():
    # a wide interval's upper limit (cloglog 800) overflowed exp with a RuntimeWarning in
    # the crisis notebook at 2,000 people, although the incidence there is exactly 1
    v = np.array([-np.inf, -30.0, -1.0, 0.0, 1.5, 3.0, 3.8, CLOGLOG_ONE, 800.0, np.inf,
                  np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = incidence_from_cloglog(v)
    below = v[:7]
    assert np.array_equal(done[:7], -np.expm1(-np.exp(below)))  # bit for bit the formula
    assert np.all(done[7:10] == 1.0) and np.isnan(done[10])
    assert -np.expm1(-np.exp(CLOGLOG_ONE)) == 1.0  # the clip changes no value
