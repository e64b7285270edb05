"""The weighted partial likelihood's sums, made in one pass over the triangle of the
products with the risk sets' bins made once per fit, equal bit for bit those of the
former code (every block of columns alone, the full p x p products, the bins found again
at every step): the Fine-Gray and Cox numbers published from them cannot move."""

from __future__ import annotations

import numpy as np
import pytest

from lifetools.survival.likelihood_sums import _likelihood, _prepared_strata, _stratum
from lifetools.survival.partial_likelihood import (
    cox_global_tests,
    cox_partial_likelihood,
)
from lifetools.survival.zph import at_risk_sums


def _former_stratum(start, stop, event, x, w, eta, efron: bool):
    """``_stratum`` as it was until wave 49 (the reference: each block of columns its
    own :func:`at_risk_sums`, the products ``x_j x_k`` for every ``j, k``)."""
    p = x.shape[1]
    times = np.unique(stop[event])
    risk = w * np.exp(eta)
    xx = (x[:, :, None] * x[:, None, :]).reshape(len(x), p * p)
    s0 = at_risk_sums(start, stop, risk[:, None], times)[:, 0]
    s1 = at_risk_sums(start, stop, risk[:, None] * x, times)
    s2 = at_risk_sums(start, stop, risk[:, None] * xx, times)
    k = np.searchsorted(times, stop[event])
    n = len(times)

    def per_step(values):
        return np.stack([np.bincount(k, weights=c, minlength=n) for c in values.T], axis=1)

    deaths = np.bincount(k, minlength=n).astype(float)
    dead_w = np.bincount(k, weights=w[event], minlength=n)
    d0 = np.bincount(k, weights=risk[event], minlength=n)
    d1 = per_step((risk[:, None] * x)[event])
    d2 = per_step((risk[:, None] * xx)[event])
    kk = np.sort(k)
    first = np.searchsorted(kk, kk, side="left")
    frac = (np.arange(len(kk)) - first) / deaths[kk] if efron else np.zeros(len(kk))
    step_w = dead_w[kk] / deaths[kk]
    denom = s0[kk] - frac * d0[kk]
    mean = (s1[kk] - frac[:, None] * d1[kk]) / denom[:, None]
    second = (s2[kk] - frac[:, None] * d2[kk]) / denom[:, None]
    loglik = float(np.sum(w[event] * eta[event]) - np.sum(step_w * np.log(denom)))
    score = (w[event, None] * x[event]).sum(axis=0) - (step_w[:, None] * mean).sum(axis=0)
    outer = (mean[:, :, None] * mean[:, None, :]).reshape(len(kk), p * p)
    info = (step_w[:, None] * (second - outer)).sum(axis=0).reshape(p, p)
    return loglik, score, info


def _rows(seed: int, n: int, p: int):
    """Start-stop rows with delayed entry, tied times (whole days), case weights (the
    Fine-Gray rows' kind) and correlated covariates, one binary."""
    rng = np.random.default_rng(seed)
    start = np.where(rng.random(n) < 0.4, rng.integers(0, 30, n), 0).astype(float)
    stop = start + rng.integers(1, 200, n)
    event = rng.random(n) < 0.3
    x = rng.normal(size=(n, p)) @ rng.normal(size=(p, p))
    x[:, 0] = rng.random(n) < 0.5
    w = np.where(rng.random(n) < 0.5, 1.0, rng.random(n))
    eta = x @ rng.normal(scale=0.3, size=p)
    return start, stop, event, x, w, eta


@pytest.mark.parametrize("p", [1, 2, 5])
@pytest.mark.parametrize("efron", [True, False])
def test_stratum_sums_equal_the_former_code_bit_for_bit(p, efron):
    for seed in range(3):
        rows = _rows(seed, 3_000, p)
        new, former = _stratum(*rows, efron), _former_stratum(*rows, efron)
        assert new[0] == former[0]
        np.testing.assert_array_equal(new[1], former[1])
        np.testing.assert_array_equal(new[2], former[2])


def test_partial_likelihood_information_stays_symmetric_and_positive():
    # the mirrored triangle gives a symmetric information matrix, as the full products
    start, stop, event, x, w, _ = _rows(11, 2_000, 4)
    point = cox_partial_likelihood(stop, event, x, np.full(4, 0.1), entry=start,
                                   weights=w)
    np.testing.assert_array_equal(point.information, point.information.T)
    assert np.all(np.linalg.eigvalsh(point.information) > 0)


def test_prepared_strata_at_several_coefficients_equal_the_former_code_bit_for_bit():
    # what fit_weighted_cox does: one preparation, the likelihood at each Newton step;
    # a step must not leave anything behind for the next
    start, stop, event, x, w, _ = _rows(5, 4_000, 3)
    strata = np.arange(len(stop)) % 3
    strata[strata == 2] = 1  # two strata of unequal size
    prepared = _prepared_strata(stop, event, x, entry=start, weights=w, strata=strata)
    for beta in (np.zeros(3), np.array([0.2, -0.1, 0.05]), np.zeros(3),
                 np.array([-1.0, 0.3, 0.0])):
        got = _likelihood(*prepared, beta)
        eta = x @ beta
        loglik, score, info = 0.0, np.zeros(3), np.zeros((3, 3))
        for level in (0, 1):
            rows = strata == level
            part = _former_stratum(start[rows], stop[rows], event[rows], x[rows], w[rows],
                                   eta[rows], True)
            loglik, score, info = loglik + part[0], score + part[1], info + part[2]
        assert got.loglik == loglik
        np.testing.assert_array_equal(got.score, score)
        np.testing.assert_array_equal(got.information, info)
        once = cox_partial_likelihood(stop, event, x, beta, entry=start, weights=w,
                                      strata=strata)
        assert once.loglik == loglik
        np.testing.assert_array_equal(once.information, info)


def test_global_tests_read_the_same_likelihoods_as_each_point_alone():
    # cox_global_tests prepares the strata once for the null and the fitted point
    start, stop, event, x, w, _ = _rows(8, 2_500, 3)
    coef = np.array([0.3, -0.2, 0.1])
    tests = cox_global_tests(stop, event, x, coef, np.eye(3) * 0.01, entry=start,
                             weights=w).set_index("test")["statistic"]
    null = cox_partial_likelihood(stop, event, x, np.zeros(3), entry=start, weights=w)
    fitted = cox_partial_likelihood(stop, event, x, coef, entry=start, weights=w)
    assert tests["likelihood_ratio"] == 2 * (fitted.loglik - null.loglik)
    assert tests["score"] == float(null.score @ np.linalg.solve(null.information,
                                                                null.score))
