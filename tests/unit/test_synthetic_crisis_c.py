"""The expected C-statistic of a known risk score (the crisis truth's C)."""

from __future__ import annotations

import numpy as np
import pytest

from lifetools.prediction import c_statistic
from lifetools.synthetic.crisis import expected_c_statistic


def test_expected_c_statistic_ties_equals_brute_force_double_sum():
    rng = np.random.default_rng(1)
    p = np.round(rng.random(200), 2)          # many ties
    num = den = 0.0
    for i in range(len(p)):
        for j in range(len(p)):
            if i != j:
                w = p[i] * (1 - p[j])
                num += w * ((p[i] > p[j]) + 0.5 * (p[i] == p[j]))
                den += w
    assert expected_c_statistic(p) == pytest.approx(num / den, rel=1e-12)


def test_expected_c_statistic_simulated_outcomes_average_to_it():
    # outcomes drawn from the risks: the sample C averages to the expected C (200
    # draws of 2,000 people; within 4 Monte Carlo SE)
    rng = np.random.default_rng(2)
    p = 1 / (1 + np.exp(-rng.normal(-1.5, 1.0, 2000)))
    draws = [c_statistic(rng.random(p.size) < p, p)[0] for _ in range(200)]
    se = np.std(draws, ddof=1) / np.sqrt(len(draws))
    assert abs(np.mean(draws) - expected_c_statistic(p)) < 4 * se


def test_expected_c_statistic_constant_risk_is_one_half():
    assert expected_c_statistic(np.full(50, 0.3)) == pytest.approx(0.5)
