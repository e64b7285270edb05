"""The cumulative incidence from its cloglog (lifetools.survival.competing, used by lifetools.prediction.cif_interval)."""

from __future__ import annotations

import warnings
from pathlib import Path

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


def test_one_clip_constant_owned_by_kaplan_meier_and_km_limits_do_not_overflow():
    from lifetools.survival import competing, kaplan_meier
    from lifetools.survival.kaplan_meier import km_limits

    assert competing.CLOGLOG_ONE is kaplan_meier.CLOGLOG_ONE  # one constant, one owner
    assert "CLOGLOG_ONE =" not in Path(competing.__file__).read_text()
    assert Path(kaplan_meier.__file__).read_text().count("40.0") == 1  # its definition
    assert np.exp(-np.exp(CLOGLOG_ONE)) == 0.0  # the clip changes no value
    # a survival near 1 with a huge variance: log(-log S) + half far above the clip
    surv, greenwood = np.array([1 - 1e-12, 0.5]), np.array([1e6, 0.01])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lower, upper = km_limits(surv, greenwood, 1.959963984540054, conf_type="log-log")
    assert lower[0] == 0.0 and 0 < upper[0] <= 1
    scale, half = np.log(-np.log(0.5)), 1.959963984540054 * 0.1 / np.log(2)
    assert lower[1] == np.exp(-np.exp(scale + half))  # bit for bit the formula below it
