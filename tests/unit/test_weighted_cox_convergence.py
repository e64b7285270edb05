"""Convergence of the weighted Newton-Raphson fit (``fit_weighted_cox``).

The stalled case is bootstrap sample 97 (index 96) of the Fine-Gray truth test
(``tests/truth/test_fine_gray_bootstrap_truth.py``: 1,500 people, seed 20261202,
bootstrap seed 7): 38,585 finegray rows, 331 events of interest, Breslow ties. At its
optimum the last Newton step (3e-10) promises a log-likelihood gain of 4e-18, below the
rounding of the sums (about 2e-12 at -2,231): the step was refused, halved to nothing,
and the fit ran out of iterations and was called not converged. R ``coxph`` on the
same rows (survival 3.x, ``weights = fg_weight, ties = "breslow"``) gives
0.551370340887 and -0.493604501353.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fine_gray_truth_data import draw

from lifetools.survival.finegray import finegray_rows
from lifetools.survival.partial_likelihood import diverging, fit_weighted_cox

R_COEF = np.array([0.551370340887, -0.493604501353])


def _stalled_rows() -> pd.DataFrame:
    data = draw(1500, 20261202)
    rng = np.random.default_rng(7)
    for _ in range(97):  # the bootstrap's draws, as bootstrap_fine_gray makes them
        index = rng.integers(0, len(data), len(data))
    sample = data.iloc[index].reset_index(drop=True)
    return finegray_rows(sample, duration_col="time", event_col="event",
                         event_of_interest=1)


def test_fit_weighted_cox_converges_when_rounding_noise_refuses_the_last_step():
    rows = _stalled_rows()
    assert (len(rows), int(rows["fg_status"].sum())) == (38585, 331)
    fit = fit_weighted_cox(
        rows["fg_stop"], rows["fg_status"], rows[["x1", "x2"]],
        entry=rows["fg_start"], weights=rows["fg_weight"], ties="breslow")
    assert fit.converged  # was False: 50 iterations of steps halved to nothing
    np.testing.assert_allclose(fit.coef, R_COEF, rtol=0, atol=1e-9)
    assert np.all(np.isfinite(fit.cov))
    assert fit.infinite == () and fit.separated == {}  # a finite optimum: no flag


def _no_event_among_ones(n: int, seed: int):
    rng = np.random.default_rng(seed)
    x = np.r_[np.zeros(n // 2), np.ones(n // 2)]
    z = rng.normal(size=n)
    stop = rng.exponential(1.0, n)
    event = ((x == 0) & (rng.random(n) < 0.7)).astype(int)
    return stop, event, np.c_[x, z], rng.uniform(0.5, 1.5, n)


def test_fit_weighted_cox_separation_is_flagged_infinite():
    # no event among x = 1: the coefficient runs to minus infinity while the
    # log-likelihood's gain per step vanishes. Before R's rule was applied where R
    # applies it, the fit at 200 rows went on until the score rounded to exactly 0 and
    # was "converged" with x's coefficient at -34 and a finite robust error
    stop, event, x, w = _no_event_among_ones(200, 3)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fit = fit_weighted_cox(stop, event, x, weights=w)
    assert fit.infinite == (0,)  # z (coefficient finite) is not flagged
    assert fit.separated == {0: (0.0, -1)}  # every event has x = 0, the lowest value
    assert fit.converged and fit.coef[0] < -10  # z settled; x held at infinity
    assert abs(fit.coef[1]) < 1


def test_fit_weighted_cox_separation_found_by_r_rule_alone():
    # x1 and x2 separate the events together (x1 - x2 highest at every event), neither
    # alone: no level without events, but the log-likelihood stops changing while both
    # coefficients still move (R coxph on these rows: "Loglik converged before
    # variable 1,2; coefficient may be infinite", coefficients 21.2 and -21.3)
    x = np.repeat([[1, 0], [0, 0], [1, 1], [0, 1]], 10, axis=0).astype(float)
    stop, event = np.full(40, 20.0), np.zeros(40, int)
    stop[0:5], event[0:5] = np.arange(1, 6), 1  # (1, 0): events while all are at risk
    stop[5:10] = 5.5  # the rest of (1, 0) leaves before the others' events
    stop[10:14], event[10:14] = [6, 7, 8, 9], 1  # (0, 0)
    stop[20:24], event[20:24] = [6.5, 7.5, 8.5, 9.5], 1  # (1, 1)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fit = fit_weighted_cox(stop, event, x, weights=np.ones(40))
    assert fit.separated == {} and fit.infinite == (0, 1)
    assert fit.coef[0] > 20 and fit.coef[1] < -20


def test_diverging_is_r_toler_inf_rule():
    # R coxph: infinite when |step| > eps and |step| > sqrt(eps) |coef|
    step = np.array([1.0, 3e-10, 1e-6, 1e-6, np.nan])
    coef = np.array([-40.0, 0.5, 0.1, 1e-3, 0.2])
    assert diverging(step, coef).tolist() == [True, False, False, True, True]
    assert diverging([0.0], [np.inf]).tolist() == [True]
