"""Lasso logistic regression: optimality conditions, known zeros, an independent solver.

Known answers without R (glmnet: tests/reference/test_glmnet_against_r.py): the
lasso's Karush-Kuhn-Tucker conditions checked numerically, synthetic data with known
zero coefficients, and statsmodels' independent ``Logit.fit_regularized(method="l1")``
(SLSQP) on the same objective.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec
from lifetools.prediction.lasso import (
    fit_lasso,
    fit_lasso_imputed,
    fit_lasso_model,
    lasso_grid,
    lasso_kkt,
)
from lifetools.prediction.penalised import fit_ridge_model

TRUE = np.array([1.0, -0.7, 0.5, 0, 0, 0, 0, 0, 0, 0])  # slopes; 7 known zeros


def data(seed: int = 3, n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(TRUE))) * np.linspace(0.5, 3.0, len(TRUE))  # mixed units
    y = (rng.random(n) < 1 / (1 + np.exp(-(-1.0 + x @ (TRUE / np.linspace(0.5, 3.0,
                                                                            len(TRUE))))))
         ).astype(float)
    return x, y


@pytest.mark.parametrize("ratio", [0.5, 0.1, 0.01])
def test_fit_lasso_solution_meets_kkt_conditions(ratio):
    x, y = data()
    penalty = lasso_grid(x, y)[0] * ratio
    beta = fit_lasso(x, y, penalty)
    assert np.max(lasso_kkt(x, y, beta, penalty)) < 1e-8
    # a perturbed solution does not meet them (the check can fail)
    assert np.max(lasso_kkt(x, y, beta + np.r_[0, 1e-3, np.zeros(len(TRUE) - 1)],
                            penalty)) > 1e-5


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_fit_lasso_known_zero_coefficients_recovered_as_zero(seed):
    x, y = data(seed)
    beta = fit_lasso(x, y, 0.03)
    assert (beta[4:] == 0).all()  # every known zero exactly zero
    assert (np.sign(beta[1:4]) == np.sign(TRUE[:3])).all()  # every signal kept
    ml = fit_lasso(x, y, 0.0)  # maximum likelihood: no coefficient is exactly zero
    assert (ml[1:] != 0).all()


def test_fit_lasso_penalty_at_grid_top_sets_every_slope_to_zero():
    x, y = data()
    top = lasso_grid(x, y)[0]
    beta = fit_lasso(x, y, top * 1.0001)
    assert (beta[1:] == 0).all()
    assert beta[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), abs=1e-8)
    assert (fit_lasso(x, y, top * 0.98)[1:] != 0).any()


def test_fit_lasso_equals_statsmodels_l1_independent_solver():
    import statsmodels.api as sm

    x, y = data()
    n = len(y)
    penalty = 0.01
    beta = fit_lasso(x, y, penalty)
    alpha = np.r_[0.0, n * penalty * x.std(axis=0)]  # statsmodels: -LL + sum(a_j |b_j|)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.Logit(y, np.column_stack([np.ones(n), x])).fit_regularized(
            method="l1", alpha=alpha, disp=0, acc=1e-12, trim_mode="size",
            size_trim_tol=1e-6).params
    # SLSQP's accuracy bounds the agreement (measured max 2e-7)
    np.testing.assert_allclose(beta, ref, atol=1e-5)
    assert ((beta == 0) == (ref == 0)).all()


def test_fit_lasso_model_same_folds_as_ridge_and_penalty_from_grid():
    x, y = data(n=1500)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(len(TRUE))]).assign(y=y)
    spec = ModelSpec("y", linear=tuple(f"x{i}" for i in range(len(TRUE))))
    lasso = fit_lasso_model(frame, spec, folds=5, seed=7)
    assert lasso.penalty in set(lasso.cv["penalty"]) and len(lasso.cv) == 14
    assert lasso.cv["deviance"].idxmin() == lasso.cv["penalty"].tolist().index(lasso.penalty)
    assert lasso.penalty < lasso.cv["penalty"].max()  # the predictors carry signal
    coef = np.array(lasso.frozen.coefficients)
    assert (np.sign(coef[:3]) == np.sign(TRUE[:3])).all()
    assert lasso.method["zero_coefficients"] == int((coef == 0).sum())
    ridge = fit_ridge_model(frame, spec, folds=5, seed=7)
    assert ridge.frozen.terms == lasso.frozen.terms
    risk = lasso.frozen.predict_risk(frame)
    assert risk.mean() == pytest.approx(y.mean(), abs=0.01)
    fixed = fit_lasso_model(frame, spec, penalty=lasso.penalty)
    assert fixed.frozen.coefficients == lasso.frozen.coefficients and fixed.cv.empty


def test_fit_lasso_imputed_one_penalty_coefficients_averaged_over_copies():
    x, y = data(n=1200)
    names = [f"x{i}" for i in range(len(TRUE))]
    spec = ModelSpec("y", linear=tuple(names))
    first = pd.DataFrame(x, columns=names).assign(y=y)
    second = first.assign(x0=first["x0"] + np.random.default_rng(1).normal(0, 0.5, len(y)))
    pooled = fit_lasso_imputed([first, second], spec, folds=5, seed=7)
    alone = fit_lasso_model(first, spec, folds=5, seed=7)
    assert pooled.penalty == alone.penalty  # chosen on the first copy
    other = fit_lasso_model(second, spec, penalty=alone.penalty)
    expected = (np.array(alone.frozen.coefficients) + other.frozen.coefficients) / 2
    np.testing.assert_allclose(pooled.frozen.coefficients, expected, atol=1e-12)
    assert pooled.frozen.intercept == pytest.approx(
        (alone.frozen.intercept + other.frozen.intercept) / 2)
    both_zero = (np.array(alone.frozen.coefficients) == 0) & (
        np.array(other.frozen.coefficients) == 0)
    assert pooled.method["zero_coefficients"] == int(both_zero.sum()) > 0
    assert "first of 2 imputed copies" in pooled.method["imputation"]
