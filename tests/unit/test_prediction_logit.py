"""The Newton-Raphson logistic fit's inverse logit: no overflow warning, the same bits."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lifetools.prediction._logit import EXP_LIMIT, fit_logit, inverse_logit
from lifetools.prediction.lasso import fit_lasso
from lifetools.prediction.penalised import fit_ridge


def _separated(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    # quasi-complete separation: nobody with a positive second predictor has the
    # outcome, so its coefficient has no finite maximum; the predictor's values spread
    # over three orders of magnitude, so the Newton steps drive the linear predictor of
    # the largest below -709.8 (as a spline column of a bootstrap sample did)
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.normal(size=n),
                         np.r_[np.geomspace(0.01, 10, 20), np.zeros(n - 20)]])
    y = (rng.random(n) < 0.4).astype(float)
    y[x[:, 1] > 0] = 0
    return x, y


def test_inverse_logit_equals_the_formula_bit_for_bit_without_warning():
    rng = np.random.default_rng(11)
    eta = np.concatenate([rng.normal(0, 300, 100_003), np.linspace(-800, 800, 20_001),
                          [-EXP_LIMIT, np.nextafter(-EXP_LIMIT, -np.inf), -np.inf,
                           np.inf, np.nan, 0.0]])
    with np.errstate(over="ignore"):
        formula = 1 / (1 + np.exp(-eta))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast = inverse_logit(eta)
    assert np.array_equal(fast, formula, equal_nan=True)
    assert fast[-6] > 0 and fast[-5] == 0.0 and np.isnan(fast[-2])


def test_exp_limit_is_the_largest_finite_exponent():
    with np.errstate(over="ignore"):
        assert np.isfinite(np.exp(EXP_LIMIT))
        assert np.isinf(np.exp(np.nextafter(EXP_LIMIT, np.inf)))


@pytest.mark.parametrize("fit", [
    lambda x, y: fit_logit(x, y),
    lambda x, y: fit_ridge(x, y, 0.0),
    lambda x, y: fit_lasso(x, y, 1e-6),
], ids=["logit", "ridge-no-penalty", "lasso-tiny-penalty"])
def test_fits_on_separated_data_write_no_overflow_warning(fit):
    # a bootstrap sample with separation wrote "overflow encountered in exp" to the
    # crisis-risk notebook's stderr (3,000 people): the fit now stays silent
    x, y = _separated()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fit(x, y)
    coef = getattr(result, "coef", result)
    assert coef[2] < -100  # diverging: the condition that overflowed is reproduced
    if hasattr(result, "converged"):  # the maximum-likelihood fit says it did not
        assert not result.converged


def test_validation_brier_of_a_diverged_linear_predictor_is_silent():
    # a frozen model from a bootstrap sample with separation applied to the original
    # people: its Brier score overflowed in exp (crisis risk, 2,000 people)
    from lifetools.prediction.validation import _out_of_bag, no_information_brier

    y = np.r_[np.zeros(50), np.ones(50)]
    lp = np.r_[np.full(50, -2000.0), np.linspace(-1, 1, 50)]
    rows = np.arange(0, 100, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        brier = _out_of_bag(y, lp, rows)[4]
        no_information = no_information_brier(y, lp)
    out = np.ones(100, dtype=bool)
    out[rows] = False
    p = np.r_[np.zeros(50), 1 / (1 + np.exp(-np.linspace(-1, 1, 50)))]
    assert brier == np.mean((p[out] - y[out]) ** 2)
    assert no_information == np.mean(p ** 2) - 2 * p.mean() * y.mean() + y.mean()
