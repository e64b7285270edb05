"""One Newton step of lifetools.survival.efron against the straightforward computation.

``_derivatives`` writes the rows' arrays into each stratum's work arrays and sums each
column over the risk sets from a contiguous row (x transposed once per fit); it must
give, bit for bit, what the column-by-column code gave before (kept here as the
reference), at every evaluation of a fit. ``_at_risk_sums`` is checked against the
definition (a loop over the bins).
"""

from __future__ import annotations

import numpy as np
import pytest

from lifetools.survival.efron import _at_risk_sums, _derivatives, _prepare, fit_efron


def _cohort(n: int, seed: int, entry: bool):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) * [1.0, 2.0, 0.5]
    x[:, 2] = rng.integers(0, 2, n)          # a binary covariate
    stop = np.ceil(rng.exponential(30, n))   # whole days: many ties
    start = (np.floor(stop * rng.uniform(size=n)) - 0.5 if entry
             else np.full(n, -np.inf))
    event = rng.uniform(size=n) < 0.6
    return x - x.mean(axis=0), start, stop, event


def _reference(beta: np.ndarray, s) -> tuple[float, np.ndarray, np.ndarray]:
    """The step as computed column by column before wave 52 (fresh arrays each time)."""
    x, k = s.x, s.n_bins
    eta = x @ beta
    risk = np.exp(eta)
    rx = risk[:, None] * x
    values = np.column_stack([risk, rx])
    sums = np.empty((k, values.shape[1]))
    for j in range(values.shape[1]):
        entered = np.bincount(s.lo, weights=values[:, j], minlength=k + 1)
        left = np.bincount(s.hi, weights=values[:, j], minlength=k + 1)
        sums[:, j] = (np.cumsum(entered) - np.cumsum(left))[:k]
    s0, s1 = sums[:, 0], sums[:, 1:]
    dead_r, dead_rx = risk[s.dead], rx[s.dead]
    d0 = np.bincount(s.dead_bin, weights=dead_r, minlength=k)
    d1 = np.column_stack([np.bincount(s.dead_bin, weights=dead_rx[:, j], minlength=k)
                          for j in range(x.shape[1])]).reshape(k, x.shape[1])
    denom = s0[s.dead_bin] - s.frac * d0[s.dead_bin]
    inv, f = 1.0 / denom, s.frac
    loglik = float(eta[s.dead].sum() - np.log(denom).sum())

    def per_bin(v):
        return np.bincount(s.dead_bin, weights=v, minlength=k)

    g, h = per_bin(inv), per_bin(f * inv)
    a, b, c = per_bin(inv ** 2), per_bin(f * inv ** 2), per_bin(f * f * inv ** 2)
    score = x[s.dead].sum(axis=0) - s1.T @ g + d1.T @ h
    cum_g = np.concatenate(([0.0], np.cumsum(g)))
    weight = risk * (cum_g[s.hi] - cum_g[s.lo])
    np.subtract.at(weight, s.dead, dead_r * h[s.dead_bin])
    info = x.T @ (weight[:, None] * x)
    info -= s1.T @ (a[:, None] * s1) + d1.T @ (c[:, None] * d1)
    cross = s1.T @ (b[:, None] * d1)
    info += cross + cross.T
    return loglik, score, info


@pytest.mark.parametrize("entry", [True, False])
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_derivatives_equal_the_column_by_column_step_bit_for_bit(entry, ties):
    x, start, stop, event = _cohort(3000, 11, entry)
    s = _prepare(x, start, stop, event, ties)
    assert s.entry == entry
    # several evaluations on one stratum: the work arrays hold nothing over
    for beta in ([0.0, 0.0, 0.0], [0.3, -0.2, 1.1], [-4.0, 0.1, 0.0], [0.3, -0.2, 1.1]):
        beta = np.asarray(beta)
        got, want = _derivatives(beta, s), _reference(beta, s)
        assert got[0] == want[0]
        np.testing.assert_array_equal(got[1], want[1])
        np.testing.assert_array_equal(got[2], want[2])


def test_at_risk_sums_equal_the_sum_over_each_risk_set():
    x, start, stop, event = _cohort(800, 5, True)
    s = _prepare(x, start, stop, event, "efron")
    values = np.ascontiguousarray(np.column_stack([np.exp(x[:, 0]), x]).T)
    times = np.unique(stop[event])
    want = np.array([values[:, (start < t) & (t <= stop)].sum(axis=1) for t in times])
    got = _at_risk_sums(values, s)
    assert got.shape == want.shape == (len(times), 4)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(values).sum())


def test_fit_efron_with_strata_equals_the_column_by_column_fit():
    # a whole fit (strata, delayed entry, ties) with the step replaced by the reference
    import lifetools.survival.efron as efron

    x, start, stop, event = _cohort(2000, 8, True)
    strata = np.random.default_rng(2).integers(0, 3, len(stop))
    fit = fit_efron(stop, event, x, start=start, strata=strata)
    original = efron._derivatives
    try:
        efron._derivatives = _reference
        want = fit_efron(stop, event, x, start=start, strata=strata)
    finally:
        efron._derivatives = original
    np.testing.assert_array_equal(fit.coef, want.coef)
    np.testing.assert_array_equal(fit.covariance, want.covariance)
    assert (fit.loglik, fit.loglik_null, fit.score, fit.iterations) == (
        want.loglik, want.loglik_null, want.score, want.iterations)
