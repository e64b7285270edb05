"""Lasso (L1-penalised) logistic risk model with the penalty chosen by cross-validation.

The objective is glmnet's with ``standardize = TRUE``: minimise
``-LL(b) / n + penalty * sum_j s_j |b_j|`` with ``s_j`` the standard deviation (divisor
n) of design column ``j`` and the intercept not penalised, so the penalty does not
depend on a predictor's units and is on glmnet's ``lambda`` scale. The penalty is chosen
by the same folds and the same out-of-fold deviance as the ridge model
(:func:`lifetools.prediction.penalised.fit_ridge_model`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import repeat
from operator import add, mul

import numpy as np
import pandas as pd

from lifetools.prediction._logit import inverse_logit
from lifetools.prediction.model import FrozenModel, ModelSpec, _design, spec_knots
from lifetools.prediction.penalised import (
    RidgeModel,
    _deviance,
    cv_folds,
    fit_ridge,
    pool_penalised,
)

__all__ = ["LASSO_RATIOS", "fit_lasso", "fit_lasso_imputed", "fit_lasso_model", "lasso_grid",
           "lasso_fit", "lasso_kkt"]

LASSO_RATIOS = tuple(float(v) for v in np.geomspace(1.0, 1e-3, 14))
"""Penalties tried, as fractions of the smallest penalty that sets every slope to 0."""


def _objective(design: np.ndarray, y: np.ndarray, beta: np.ndarray,
               weights: np.ndarray) -> float:
    eta = design @ beta
    loglik = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    return -loglik / len(y) + float(np.sum(weights * np.abs(beta)))


def _support_step(gram: np.ndarray, cross: np.ndarray, weights: np.ndarray,
                  b: list[float]) -> tuple[list[float], bool]:
    """Move ``b`` to the exact minimiser on its support; say whether it is the solution.

    On the support ``A`` (non-zero coefficients and the intercept) with signs ``s`` the
    objective is a smooth quadratic, minimised by ``G_AA x = c_A - weights_A s_A``. If a
    coefficient of ``x`` has the wrong sign, ``b`` moves towards ``x`` only as far as the
    first coefficient to reach zero, which leaves the support (the objective falls along
    the way: it is convex and smooth inside the orthant), and the step repeats. The
    result is the lasso solution when every coefficient outside the support meets
    ``|c_k - G_kA x_A| <= weights_k`` (the Karush-Kuhn-Tucker conditions); otherwise
    coordinate descent goes on from the improved point.
    """
    beta = np.asarray(b, dtype=float)
    usable = np.diag(gram) > 0
    for _ in range(len(beta)):
        active = (beta != 0) & usable
        active[0] = usable[0]
        idx = np.flatnonzero(active)
        signs = np.sign(beta[idx])
        penalised = weights[idx] > 0
        try:
            solved = np.linalg.solve(gram[np.ix_(idx, idx)], cross[idx] - weights[idx] * signs)
        except np.linalg.LinAlgError:
            return beta.tolist(), False
        crossed = penalised & (np.sign(solved) != signs)
        if not crossed.any():
            beta[idx] = solved
            rest = np.flatnonzero(~active & usable)
            slack = np.abs(cross[rest] - gram[rest] @ beta) - weights[rest]
            return beta.tolist(), bool(np.all(slack <= 1e-12 * weights[rest] + 1e-15))
        current = beta[idx]
        fraction = current[crossed] / (current[crossed] - solved[crossed])
        first = float(np.min(fraction))
        beta[idx] = current + first * (solved - current)
        beta[idx[crossed][fraction <= first]] = 0.0
    return beta.tolist(), False


def _coordinate_descent(gram: np.ndarray, cross: np.ndarray, weights: np.ndarray,
                        start: np.ndarray) -> list[float]:
    """Minimise ``b'Gb/2 - c'b + sum(weights |b|)`` by cyclic coordinate descent.

    The weighted least-squares step of :func:`fit_lasso` in its covariance form
    (Friedman et al. 2010, section 2.2): with ``G = X'WX/n`` and ``c = X'Wz/n`` each
    update needs only ``G`` and ``c``, not the n residuals. Plain Python floats: the
    vectors are short, so this is faster than array operations. The sums along a row
    (``G b``, and each update of it) are made by ``map``: the same additions in the same
    order as a loop over the row, without a Python line per element, which a line
    tracer (coverage, in the test suite) pays for: the crisis report on 3,000 people
    took 34 s of CPU under coverage with the loops, 25 s with ``map`` (18 s untraced,
    either way). Once a sweep leaves
    the support and signs as the sweep before did, the problem restricted to them is
    solved exactly (:func:`_support_step`) and the result kept if it meets the
    optimality conditions: correlated spline terms make coordinate descent crawl to its
    last digits (hundreds of sweeps), which this ends after a few.
    """
    g = gram.tolist()
    c = cross.tolist()
    lam = weights.tolist()
    b = [float(v) for v in start]
    p = len(b)
    fitted = [sum(map(mul, row, b)) for row in g]  # G b, added in column order
    pattern: list[int] = []
    for _sweep in range(1000):
        largest = 0.0
        for j in range(p):
            curvature = g[j][j]
            if curvature <= 0:
                continue
            old = b[j]
            rho = c[j] - fitted[j] + curvature * old
            value = (rho if j == 0 else
                     math.copysign(max(abs(rho) - lam[j], 0.0), rho)) / curvature
            if value != old:
                change = value - old
                fitted = list(map(add, fitted, map(mul, g[j], repeat(change))))
                b[j] = value
                largest = max(largest, abs(change))
        if largest < 1e-13:
            break
        now = [(v > 0) - (v < 0) for v in b]
        if now == pattern:
            b, solved = _support_step(gram, cross, weights, b)
            if solved:
                return b
            fitted = [sum(map(mul, row, b)) for row in g]
            now = [(v > 0) - (v < 0) for v in b]
        pattern = now
    return b


def fit_lasso(x: np.ndarray, y: np.ndarray, penalty: float, *, tol: float = 1e-12,
              max_iter: int = 200, start: np.ndarray | None = None) -> np.ndarray:
    """Coefficients ``[intercept, slopes]`` of :func:`lasso_fit` (without its convergence)."""
    return lasso_fit(x, y, penalty, tol=tol, max_iter=max_iter, start=start)[0]


def lasso_fit(x: np.ndarray, y: np.ndarray, penalty: float, *, tol: float = 1e-12,
              max_iter: int = 200, start: np.ndarray | None = None
              ) -> tuple[np.ndarray, bool]:
    """Coefficients ``[intercept, slopes]`` minimising ``-LL/n + penalty sum(s_j |b_j|)``,
    and whether the fit converged (the objective settled within ``max_iter`` steps,
    coefficients finite).

    Parameters
    ----------
    x : array (n, p)
        Design columns (no intercept column).
    y : array (n,)
        The 0/1 outcome.
    penalty : float
        glmnet's ``lambda`` (with ``standardize = TRUE``); 0 gives maximum likelihood.
    start : array, optional
        Starting coefficients (a warm start along a path of penalties).

    Notes
    -----
    Proximal Newton, as glmnet: at each step the log-likelihood is replaced by its
    quadratic (iteratively reweighted least squares) approximation, which is minimised
    with the L1 penalty by cyclic coordinate descent with soft-thresholding (covariance
    form: :func:`_coordinate_descent`); the step
    is halved until the objective falls (it is convex, so this converges). Stops when
    the objective changes by less than ``tol``. Checked by the lasso's optimality
    (Karush-Kuhn-Tucker) conditions (:func:`lasso_kkt`), against statsmodels'
    independent ``Logit.fit_regularized(method="l1")`` and on data with known zero
    coefficients in ``tests/unit/test_prediction_lasso.py``; against glmnet 4.1-6 at two
    penalties and along its path in ``tests/reference/test_glmnet_against_r.py``.
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    x = np.asarray(x, dtype=float).reshape(n, -1)
    design = np.column_stack([np.ones(n), x])
    weights = np.r_[0.0, x.std(axis=0) * penalty]
    if start is not None:
        beta = np.asarray(start, dtype=float).copy()
    else:
        beta = np.zeros(design.shape[1])
        rate = np.clip(y.mean(), 1e-8, 1 - 1e-8)
        beta[0] = np.log(rate / (1 - rate))
    current = _objective(design, y, beta, weights)
    for _ in range(max_iter):
        eta = design @ beta
        p = inverse_logit(eta)
        w = np.clip(p * (1 - p), 1e-10, None)
        z = eta + (y - p) / w
        new = np.asarray(_coordinate_descent(design.T @ (design * w[:, None]) / n,
                                             design.T @ (w * z) / n, weights, beta))
        size = 1.0
        while True:
            trial = beta + size * (new - beta)
            value = _objective(design, y, trial, weights)
            if value <= current + 1e-15 or size < 1e-8:
                break
            size /= 2
        beta, change, current = trial, current - value, value
        if change < tol:
            return beta, bool(np.all(np.isfinite(beta)))
    return beta, False


def lasso_kkt(x: np.ndarray, y: np.ndarray, beta: np.ndarray, penalty: float
              ) -> np.ndarray:
    """How far ``beta`` is from the lasso's optimality conditions, per coefficient.

    With ``g_j = x_j' (y - p) / n``: intercept ``g_0 = 0``; a non-zero slope
    ``g_j = penalty s_j sign(b_j)``; a zero slope ``|g_j| <= penalty s_j``. Returns the
    violation of each (0 at the exact solution).
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    x = np.asarray(x, dtype=float).reshape(n, -1)
    design = np.column_stack([np.ones(n), x])
    p = inverse_logit(design @ beta)
    grad = design.T @ (y - p) / n
    bound = np.r_[0.0, x.std(axis=0) * penalty]
    active = beta != 0
    active[0] = True
    return np.where(active, np.abs(grad - bound * np.sign(beta)),
                    np.maximum(np.abs(grad) - bound, 0.0))


def lasso_grid(x: np.ndarray, y: np.ndarray, ratios: Sequence[float] = LASSO_RATIOS
               ) -> tuple[float, ...]:
    """Penalties from the smallest that sets every slope to 0, down by ``ratios``."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    sd = x.std(axis=0)
    grad = np.abs(x.T @ (y - y.mean())) / len(y)
    top = float(np.max(np.where(sd > 0, grad / np.where(sd > 0, sd, 1.0), 0.0)))
    return tuple(top * r for r in ratios)


def fit_lasso_model(frame: pd.DataFrame, spec: ModelSpec, *,
                    penalty: float | None = None, folds: int = 10,
                    ratios: Sequence[float] = LASSO_RATIOS, seed: int = 20261130,
                    knots: Mapping[str, tuple[float, ...]] | None = None) -> RidgeModel:
    """Fit a lasso logistic risk model, the penalty chosen by ``folds``-fold CV.

    Parameters
    ----------
    frame, spec, knots
        As for :func:`lifetools.prediction.fit_prediction_model` (complete predictors).
    penalty : float, optional
        A fixed penalty (glmnet's ``lambda``; no cross-validation).
    folds, ratios, seed
        The folds of :func:`lifetools.prediction.penalised.fit_ridge_model` (the same
        ``default_rng(seed)`` permutation, :func:`lifetools.prediction.penalised.cv_folds`:
        the copies of one person in a bootstrap sample stay in one fold); penalties
        :func:`lasso_grid` of the whole
        data; the one with the smallest out-of-fold deviance is chosen.

    Returns
    -------
    RidgeModel
        The same result type as the ridge model: ``frozen`` (``shrinkage`` the ratio of
        the penalised to the maximum-likelihood linear-predictor spread, for display),
        ``penalty``, ``cv`` (penalty, deviance), ``method``.

    Notes
    -----
    Estimator: :func:`fit_lasso`, warm-started along the grid from the largest penalty.
    Spline terms are penalised one by one (not as a group). No standard errors.
    Tested in ``tests/unit/test_prediction_lasso.py``; the penalty grid, the
    out-of-fold deviance and the chosen penalty equal ``cv.glmnet``'s with the same folds
    (``tests/reference/test_glmnet_against_r.py``).
    """
    y = frame[spec.outcome_col].to_numpy(dtype=float)
    knots = dict(knots) if knots is not None else spec_knots(frame, spec)
    levels = {col: tuple(sorted(frame[col].astype(str).unique())) for col in spec.categorical}
    x, names = _design(frame, knots, spec.linear, levels, spec.interactions)
    rows: list[tuple[float, float]] = []
    if penalty is None:
        grid = lasso_grid(x, y, ratios)
        fold = cv_folds(frame, folds, seed)
        deviance = np.zeros(len(grid))
        unsettled = np.zeros(len(grid), dtype=int)  # folds whose fit did not converge
        for k in range(folds):
            train = fold != k
            beta = None
            for i, lam in enumerate(grid):
                beta, settled = lasso_fit(x[train], y[train], lam, start=beta)
                unsettled[i] += not settled
                deviance[i] += _deviance(y[~train], beta[0] + x[~train] @ beta[1:])
        rows = [(float(lam), float(d)) for lam, d in zip(grid, deviance, strict=True)]
        finite = [r for r in rows if math.isfinite(r[1])]
        penalty = min(finite, key=lambda r: r[1])[0] if finite else grid[0]
        cv_unsettled = (int(unsettled[list(grid).index(penalty)]), int(unsettled.sum()))
    beta, converged = lasso_fit(x, y, float(penalty))
    try:
        ml = fit_ridge(x, y, 0.0)
        spread = float(np.std(x @ beta[1:]) / np.std(x @ ml[1:])) if x.shape[1] else 1.0
    except np.linalg.LinAlgError:  # the unpenalised fit has no maximum: no spread ratio
        spread = float("nan")
    frozen = FrozenModel(terms=tuple(names), coefficients=tuple(float(v) for v in beta[1:]),
                         intercept=float(beta[0]), knots=knots, levels=levels,
                         linear=tuple(spec.linear), interactions=tuple(spec.interactions),
                         shrinkage=spread, n=len(y), events=int(y.sum()),
                         converged=converged)
    method = {"estimator": "lasso logistic regression (glmnet lambda scale, "
                           "standardised penalty)",
              "penalty": float(penalty),
              "penalty_choice": f"{folds}-fold cross-validated deviance" if rows else "given",
              "zero_coefficients": int(np.sum(beta[1:] == 0))}
    if rows:  # cross-validation folds whose fit did not converge
        method["cv_folds"] = folds
        method["cv_folds_unreliable"], method["cv_fits_unreliable"] = cv_unsettled
    return RidgeModel(frozen=frozen, penalty=float(penalty),
                      cv=pd.DataFrame(rows, columns=["penalty", "deviance"]), method=method)


def fit_lasso_imputed(copies: Sequence[pd.DataFrame], spec: ModelSpec, *, folds: int = 10,
                      ratios: Sequence[float] = LASSO_RATIOS, seed: int = 20261130
                      ) -> RidgeModel:
    """A lasso model developed on imputed copies: one penalty, coefficients averaged.

    Returns
    -------
    RidgeModel
        As :func:`fit_lasso_model`; ``method["zero_coefficients"]`` counts the
        coefficients that are exactly 0 in every copy (so 0 in the pooled model).

    Notes
    -----
    As :func:`lifetools.prediction.penalised.fit_ridge_imputed`: the penalty is chosen
    by cross-validation on the first copy and used in every copy (knots placed on the
    first); the pooled intercept and coefficients are the means over copies (Rubin's
    point estimate). A coefficient selected in some copies only is averaged with its
    zeros. No standard errors. Tested in ``tests/unit/test_prediction_lasso.py``.
    """
    first = fit_lasso_model(copies[0], spec, folds=folds, ratios=ratios, seed=seed)
    knots = dict(first.frozen.knots)
    pooled = pool_penalised(first, [
        fit_lasso_model(c, spec, penalty=first.penalty, knots=knots).frozen
        for c in copies[1:]])
    zeros = int(np.sum(np.asarray(pooled.frozen.coefficients) == 0))
    return replace(pooled, method={**pooled.method, "zero_coefficients": zeros})
