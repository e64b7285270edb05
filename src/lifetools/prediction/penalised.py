"""Ridge (L2-penalised) logistic risk model with the penalty chosen by cross-validation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lifetools.penalties import PENALTY_GRID
from lifetools.prediction._logit import inverse_logit
from lifetools.prediction.model import FrozenModel, ModelSpec, _design, spec_knots

__all__ = ["PENALTY_GRID", "RidgeModel", "cv_folds", "fit_ridge", "fit_ridge_imputed",
           "fit_ridge_model", "pool_penalised", "ridge_fit"]


def fit_ridge(x: np.ndarray, y: np.ndarray, penalty: float, *, tol: float = 1e-10,
              max_iter: int = 100) -> np.ndarray:
    """Coefficients ``[intercept, slopes]`` of :func:`ridge_fit` (without its convergence)."""
    return ridge_fit(x, y, penalty, tol=tol, max_iter=max_iter)[0]


def ridge_fit(x: np.ndarray, y: np.ndarray, penalty: float, *, tol: float = 1e-10,
              max_iter: int = 100) -> tuple[np.ndarray, bool]:
    """Coefficients ``[intercept, slopes]`` maximising ``LL - penalty/2 sum(v_j b_j^2)``,
    and whether the fit converged.

    ``v_j`` is the sample variance (n - 1) of column ``j``: the penalty of
    ``rms::lrm(penalty = )`` with its default penalty matrix, so the penalty does not
    depend on the units of a predictor. The intercept is not penalised. Converged: the
    objective and the step settled within ``max_iter`` iterations, with finite
    coefficients (with no penalty and a separated outcome a coefficient diverges and
    the fit does not converge).

    Notes
    -----
    Newton-Raphson on the penalised log-likelihood (concave: a unique maximum), step
    halving. Checked against ``rms::lrm(penalty = 2)`` and ``penalty = 10`` in
    ``tests/reference/test_penalised_against_r.py``.
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    design = np.column_stack([np.ones(n), np.asarray(x, dtype=float).reshape(n, -1)])
    scale = np.r_[0.0, design[:, 1:].var(axis=0, ddof=1)] * penalty
    beta = np.zeros(design.shape[1])
    rate = np.clip(y.mean(), 1e-8, 1 - 1e-8)
    beta[0] = np.log(rate / (1 - rate))

    def objective(b: np.ndarray) -> float:
        # a diverging fit (separation, no penalty) reaches coefficients whose squares
        # overflow: -inf or nan, never a step taken (below), so no warning is due
        with np.errstate(over="ignore", invalid="ignore"):
            eta = design @ b
            return float(np.sum(y * eta - np.logaddexp(0.0, eta))
                         - 0.5 * np.sum(scale * b ** 2))

    current = objective(beta)
    for _ in range(max_iter):
        p = inverse_logit(design @ beta)
        info = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(scale)
        step = np.linalg.solve(info, design.T @ (y - p) - scale * beta)
        size = 1.0
        while True:
            trial = beta + size * step
            value = objective(trial)
            if value >= current - 1e-12:
                break
            if size < 1e-6:
                if not math.isfinite(value):  # the step overflows however short: the
                    return beta, False          # likelihood has no maximum to reach
                break
            size /= 2
        beta, change, current = trial, value - current, value
        if abs(change) < tol and np.max(np.abs(size * step)) < 1e-8:
            return beta, bool(np.all(np.isfinite(beta)))
    return beta, False


def cv_folds(frame: pd.DataFrame, folds: int, seed: int) -> np.ndarray:
    """The cross-validation fold of each row; rows sharing an index label share a fold.

    A bootstrap sample (``frame.iloc[rows]``) repeats a person's index label for each
    copy of that person. Copies split between training and validation folds would let
    the penalty be judged on people the model was trained on, so cross-validation inside
    a bootstrap sample would favour too small a penalty and the bootstrap would
    overstate the optimism (on pure noise the lasso's corrected C averaged 0.43 instead
    of 0.5; ``tests/truth/test_prediction_lasso_optimism_truth.py``). Folds are drawn
    over distinct labels, ``default_rng(seed).permutation(labels) % folds``: with
    distinct labels (any ordinary frame) this is the permutation of the rows.
    """
    codes, labels = pd.factorize(frame.index)
    return np.random.default_rng(seed).permutation(len(labels))[codes] % folds


def _deviance(y: np.ndarray, eta: np.ndarray) -> float:
    return float(-2 * np.sum(y * eta - np.logaddexp(0.0, eta)))


@dataclass(frozen=True)
class RidgeModel:
    """Result of :func:`fit_ridge_model`: the frozen model, the penalty and its CV curve."""

    frozen: FrozenModel
    penalty: float
    cv: pd.DataFrame
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()


def fit_ridge_model(frame: pd.DataFrame, spec: ModelSpec, *,
                    penalty: float | None = None, folds: int = 10,
                    grid: Sequence[float] = PENALTY_GRID, seed: int = 20261130,
                    knots: Mapping[str, tuple[float, ...]] | None = None) -> RidgeModel:
    """Fit a ridge logistic risk model, the penalty chosen by ``folds``-fold CV.

    Parameters
    ----------
    frame, spec, knots
        As for :func:`lifetools.prediction.fit_prediction_model` (complete predictors).
    penalty : float, optional
        A fixed penalty (no cross-validation).
    folds, grid, seed
        Cross-validation: folds drawn by ``default_rng(seed)`` (:func:`cv_folds`: the
        copies of one person in a bootstrap sample stay in one fold); the penalty of
        ``grid`` with the smallest out-of-fold deviance is chosen.

    Returns
    -------
    RidgeModel
        ``frozen`` (``shrinkage`` records the penalty's effect as the ratio of the
        penalised to the maximum-likelihood linear-predictor spread, for display only);
        ``cv``: penalty and out-of-fold deviance.

    Notes
    -----
    Estimator: :func:`fit_ridge`; knots as in the unpenalised model. Cross-validated
    deviance (Le Cessie and van Houwelingen 1992; Van Calster et al. 2020 note that the
    chosen penalty is itself variable, so validation must repeat the choice: the
    report's bootstrap does). Reference: ``rms::lrm(penalty = )`` in
    ``tests/reference/test_penalised_against_r.py``.
    """
    y = frame[spec.outcome_col].to_numpy(dtype=float)
    knots = dict(knots) if knots is not None else spec_knots(frame, spec)
    levels = {col: tuple(sorted(frame[col].astype(str).unique())) for col in spec.categorical}
    x, names = _design(frame, knots, spec.linear, levels, spec.interactions)
    rows = []
    if penalty is None:
        fold = cv_folds(frame, folds, seed)
        unsettled: dict[float, int] = {}  # folds whose fit did not converge, per penalty
        for lam in grid:
            dev, unsettled[float(lam)] = 0.0, 0
            for k in range(folds):
                train = fold != k
                try:
                    b, settled = ridge_fit(x[train], y[train], lam)
                except np.linalg.LinAlgError:  # no maximum in this fold (a constant
                    dev = math.inf             # column, no penalty): not a candidate
                    break
                unsettled[float(lam)] += not settled
                dev += _deviance(y[~train], b[0] + x[~train] @ b[1:])
            rows.append((float(lam), dev))
        usable = [r for r in rows if math.isfinite(r[1])]
        penalty = min(usable, key=lambda r: r[1])[0] if usable else max(grid)
    beta, converged = ridge_fit(x, y, float(penalty))
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
    method = {"estimator": "ridge logistic regression (rms::lrm penalty scale)",
              "penalty": float(penalty),
              "penalty_choice": f"{folds}-fold cross-validated deviance" if rows else "given"}
    if rows:  # cross-validation folds whose fit did not converge (separation)
        method["cv_folds"] = folds
        method["cv_folds_unreliable"] = unsettled.get(float(penalty), 0)
        method["cv_fits_unreliable"] = sum(unsettled.values())
    return RidgeModel(frozen=frozen, penalty=float(penalty),
                      cv=pd.DataFrame(rows, columns=["penalty", "deviance"]), method=method)


def fit_ridge_imputed(copies: Sequence[pd.DataFrame], spec: ModelSpec, *, folds: int = 10,
                      grid: Sequence[float] = PENALTY_GRID, seed: int = 20261130
                      ) -> RidgeModel:
    """A ridge model developed on imputed copies: one penalty, coefficients averaged.

    Notes
    -----
    The penalty is chosen by cross-validation on the first copy and used in every copy
    (knots placed on the first); the pooled model's intercept and coefficients are the
    means over copies (Rubin's point estimate). No standard errors: penalised
    estimates have none that a ridge model can honestly report.
    """
    first = fit_ridge_model(copies[0], spec, folds=folds, grid=grid, seed=seed)
    knots = dict(first.frozen.knots)
    return pool_penalised(first, [
        fit_ridge_model(c, spec, penalty=first.penalty, knots=knots).frozen
        for c in copies[1:]])


def pool_penalised(first: RidgeModel, others: Sequence[FrozenModel]) -> RidgeModel:
    """Pool a penalised model over imputed copies: ``first`` (penalty chosen on the
    first copy) and ``others`` (the other copies, fitted with its penalty and knots).

    The intercept, coefficients and shrinkage are the means over copies (Rubin's point
    estimate); terms, knots, levels, n and events are the first copy's. Used by
    :func:`fit_ridge_imputed` and :func:`lifetools.prediction.lasso.fit_lasso_imputed`.
    """
    fits = [first.frozen, *others]
    coefficients = np.mean([f.coefficients for f in fits], axis=0)
    base = first.frozen
    frozen = FrozenModel(terms=base.terms, coefficients=tuple(float(v) for v in coefficients),
                         intercept=float(np.mean([f.intercept for f in fits])),
                         knots=dict(base.knots), levels=base.levels, linear=base.linear,
                         interactions=base.interactions,
                         shrinkage=float(np.mean([f.shrinkage for f in fits])), n=base.n,
                         events=base.events, converged=all(f.converged for f in fits))
    method = {**first.method, "imputation": f"penalty chosen on the first of {len(fits)} "
                                            "imputed copies; coefficients averaged"}
    return RidgeModel(frozen=frozen, penalty=first.penalty, cv=first.cv, method=method)
