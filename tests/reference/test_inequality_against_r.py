"""Inequality measures against R (R 4.2.2, base and stats): issue 13.

Expected values: tests/reference/results/reference_inequality.json, produced by
tests/reference/R/make_reference_inequality.R: the slope and relative indices of
inequality of five groups from ``lm(rate ~ x, weights = person_time)`` with ``x`` the
groups' cumulative person-time midpoints, and the exact (Garwood) limits of a Poisson
count from ``poisson.test``. The SII and RII intervals are Monte Carlo (numpy's
generator, fixed seed): not comparable with R draw for draw, and not checked here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lifetools.inequality import estimate_sii, poisson_interval, rank_midpoints

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_inequality.json").read_text())


def test_sii_rii_point_estimates_against_r_lm():
    # closed forms (weighted least squares): relative 1e-12 (observed 1e-15 or less;
    # R's values to 15 digits)
    ref = R["sii"]
    np.testing.assert_allclose(rank_midpoints(np.array(ref["person_time"])), ref["x"],
                               rtol=1e-12)
    result = estimate_sii(np.array(ref["counts"]), np.array(ref["person_time"]),
                          simulations=200)
    for name in ("sii", "rii", "rii_mean"):
        assert result[name] == pytest.approx(ref[name], rel=1e-12), name
        assert result[f"{name}_lower"] < result[name] < result[f"{name}_upper"], name


@pytest.mark.parametrize("index", range(6))
def test_poisson_interval_garwood_against_r_poisson_test(index):
    # poisson.test(k)$conf.int: relative 1e-10 (observed 1e-14 or less; both invert
    # the chi-squared / gamma distribution function numerically), 0 exactly for k = 0
    ref = R["garwood"]
    low, high = poisson_interval(ref["counts"][index])
    assert low == pytest.approx(ref["lower"][index], rel=1e-10, abs=0)
    assert high == pytest.approx(ref["upper"][index], rel=1e-10)
