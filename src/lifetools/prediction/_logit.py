"""Maximum-likelihood logistic regression by Newton-Raphson (deterministic, numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit


@dataclass(frozen=True)
class LogitFit:
    """Coefficients, their covariance and the log-likelihoods of one fit."""

    coef: np.ndarray
    cov: np.ndarray
    loglik: float
    loglik_null: float
    converged: bool


def _loglik(eta: np.ndarray, y: np.ndarray) -> float:
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


def fit_logit(x: np.ndarray, y: np.ndarray, *, offset: np.ndarray | None = None,
              intercept: bool = True, tol: float = 1e-10, max_iter: int = 50) -> LogitFit:
    """Fit ``logit P(y = 1) = offset + [1, x] b`` by Newton-Raphson with step halving.

    ``x`` may have zero columns (intercept only). The covariance is the inverse of the
    observed (= expected) information at the estimate.
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    x = np.asarray(x, dtype=float).reshape(n, -1)
    design = np.column_stack([np.ones(n), x]) if intercept else x
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
    beta = np.zeros(design.shape[1])
    if intercept:
        rate = np.clip(y.mean(), 1e-8, 1 - 1e-8)
        beta[0] = np.log(rate / (1 - rate)) - (off.mean() if offset is not None else 0.0)
    current = _loglik(design @ beta + off, y)
    converged = False
    for _ in range(max_iter):
        p = expit(design @ beta + off)
        info = design.T @ (design * (p * (1 - p))[:, None])
        step = np.linalg.solve(info, design.T @ (y - p))
        size = 1.0
        while True:
            trial = beta + size * step
            value = _loglik(design @ trial + off, y)
            if value >= current - 1e-12 or size < 1e-6:
                break
            size /= 2
        beta, change, current = trial, value - current, value
        if abs(change) < tol and np.max(np.abs(size * step)) < 1e-7:
            converged = True
            break
    p = expit(design @ beta + off)
    cov = np.linalg.inv(design.T @ (design * (p * (1 - p))[:, None]))
    rate = y.mean()
    null = float(n * (rate * np.log(rate) + (1 - rate) * np.log(1 - rate))) if 0 < rate < 1 else 0.0
    return LogitFit(coef=beta, cov=cov, loglik=current, loglik_null=null, converged=converged)
