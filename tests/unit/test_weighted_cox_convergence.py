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

from lifetools.convergence import degenerate_terms, standard_errors
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
    coef, cov, converged = fit_weighted_cox(
        rows["fg_stop"], rows["fg_status"], rows[["x1", "x2"]],
        entry=rows["fg_start"], weights=rows["fg_weight"], ties="breslow")
    assert converged  # was False: 50 iterations of steps halved to nothing
    np.testing.assert_allclose(coef, R_COEF, rtol=0, atol=1e-9)
    assert np.all(np.isfinite(cov))


def test_fit_weighted_cox_separation_is_never_a_usable_estimate():
    # no event among x = 1: the coefficient runs to minus infinity while the
    # log-likelihood's gain per step vanishes; whatever the stopping rule says, the
    # model-based interval of x must reach 0 or infinity (flagged as degenerate)
    rng = np.random.default_rng(3)
    n = 200
    x = np.r_[np.zeros(n // 2), np.ones(n // 2)]
    z = rng.normal(size=n)
    stop = rng.exponential(1.0, n)
    event = ((x == 0) & (rng.random(n) < 0.7)).astype(int)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        coef, cov, converged = fit_weighted_cox(stop, event, np.c_[x, z],
                                              weights=rng.uniform(0.5, 1.5, n))
    se = standard_errors(cov)
    assert not converged or "x" in degenerate_terms(["x", "z"], coef, se)
    assert not np.isfinite(coef[0]) or coef[0] < -10


def test_diverging_is_r_toler_inf_rule():
    # R coxph: infinite when |step| > eps and |step| > sqrt(eps) |coef|
    step = np.array([1.0, 3e-10, 1e-6, 1e-6, np.nan])
    coef = np.array([-40.0, 0.5, 0.1, 1e-3, 0.2])
    assert diverging(step, coef).tolist() == [True, False, False, True, True]
    assert diverging([0.0], [np.inf]).tolist() == [True]
