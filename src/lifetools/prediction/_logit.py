"""Maximum-likelihood logistic regression by Newton-Raphson (deterministic, numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LogitFit:
    """Coefficients, their covariance and the log-likelihoods of one fit."""

    coef: np.ndarray
    cov: np.ndarray
    loglik: float
    loglik_null: float
    converged: bool


#: the largest ``x`` whose ``exp(x)`` is finite in double precision
EXP_LIMIT = float(np.log(np.finfo(float).max))


def inverse_logit(eta: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-eta))`` elementwise, without overflow.

    Where ``exp(-eta)`` would overflow (``eta < -EXP_LIMIT``, about -709.8) the formula
    reached 0 through infinity, with numpy's "overflow encountered in exp" warning
    written to the notebook's stderr (a Newton step of a fit on a bootstrap sample with
    separation, 3,000 people); here that 0 is written directly.

    Notes
    -----
    Every value is bit for bit the formula's, NaN and infinities included (not
    ``scipy.special.expit``, which differs in the last bit for about 2% of values and
    would change published numbers). Tested in ``tests/unit/test_prediction_logit.py``.
    """
    eta = np.asarray(eta, dtype=float)
    out = np.zeros(eta.shape)
    finite = ~(eta < -EXP_LIMIT)  # NaN stays NaN through the formula
    out[finite] = 1 / (1 + np.exp(-eta[finite]))
    return out


def _loglik(eta: np.ndarray, y: np.ndarray) -> float:
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)))


def fit_logit(x: np.ndarray, y: np.ndarray, *, offset: np.ndarray | None = None,
              intercept: bool = True, tol: float = 1e-10, max_iter: int = 50,
              stop_on_separation: bool = False) -> LogitFit:
    """Fit ``logit P(y = 1) = offset + [1, x] b`` by Newton-Raphson with step halving.

    ``x`` may have zero columns (intercept only). The covariance is the inverse of the
    observed (= expected) information at the estimate.

    With separation a coefficient diverges and, once fitted probabilities reach 0 or 1
    in double precision, the information matrix becomes singular. By default that
    raises ``numpy.linalg.LinAlgError``. With ``stop_on_separation`` the iterations stop
    there instead and the fit is returned with ``converged`` False, the coefficients
    where the last step left them and a NaN covariance, as R's ``lrm.fit`` returns a
    separated fit (which ``rms::validate`` then keeps). A design that is singular at
    the start (a constant or collinear column) still raises: R's fit fails there too.
    Tested in ``tests/unit/test_prediction_convergence.py``.
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
    converged, singular = False, False
    for iteration in range(max_iter):
        p = inverse_logit(design @ beta + off)
        info = design.T @ (design * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(info, design.T @ (y - p))
        except np.linalg.LinAlgError:
            if not stop_on_separation or iteration == 0:
                raise
            singular = True  # fitted probabilities reached 0 or 1: separation
            break
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
    p = inverse_logit(design @ beta + off)
    if singular:
        cov = np.full((design.shape[1], design.shape[1]), np.nan)
    else:
        cov = np.linalg.inv(design.T @ (design * (p * (1 - p))[:, None]))
    rate = y.mean()
    null = float(n * (rate * np.log(rate) + (1 - rate) * np.log(1 - rate))) if 0 < rate < 1 else 0.0
    return LogitFit(coef=beta, cov=cov, loglik=current, loglik_null=null, converged=converged)


def fit_logit_rms(x: np.ndarray, y: np.ndarray, *, eps: float = 0.025,
                  max_iter: int = 12) -> LogitFit:
    """Logistic regression stopped by the rule of R's ``rms::lrm.fit`` (rms 6.5-0).

    Newton-Raphson with step halving from the intercept-only start, as
    :func:`fit_logit`; the iterations stop one Newton step after the first whose
    change in -2 log L is below ``eps`` (``lrm.fit``'s ``eps = 0.025``), and the fit is
    ``converged`` if that happened within ``max_iter`` (``maxit = 12``) steps. Where the
    maximum exists this is the maximum to within about 1e-5; where the outcome is
    separated it is the point ``lrm.fit`` stops at and reports as converged (a diverging
    coefficient near 8 for a binary predictor), which ``rms::validate`` keeps. It is used
    only for development fits whose own maximum does not exist
    (:func:`lifetools.prediction.fit_prediction_model`). Reproduces ``lrm.fit``'s
    coefficients to 1e-6 on separated birthwt samples
    (``tests/reference/test_validate_separation_against_r.py``).
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    design = np.column_stack([np.ones(n), np.asarray(x, dtype=float).reshape(n, -1)])
    beta = np.zeros(design.shape[1])
    rate = np.clip(y.mean(), 1e-8, 1 - 1e-8)
    beta[0] = np.log(rate / (1 - rate))
    current = _loglik(design @ beta, y)
    settled, converged, singular = False, False, False
    for iteration in range(max_iter):
        p = inverse_logit(design @ beta)
        info = design.T @ (design * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(info, design.T @ (y - p))
        except np.linalg.LinAlgError:
            if iteration == 0:
                raise
            singular = True
            break
        size = 1.0
        while True:
            trial = beta + size * step
            value = _loglik(design @ trial, y)
            if value >= current - 1e-12 or size < 1e-6:
                break
            size /= 2
        beta, change, current = trial, value - current, value
        if settled:
            converged = True
            break
        settled = 2 * abs(change) < eps
    p = inverse_logit(design @ beta)
    info = design.T @ (design * (p * (1 - p))[:, None])
    if singular or np.linalg.matrix_rank(info) < len(beta):
        cov = np.full((len(beta), len(beta)), np.nan)
    else:
        cov = np.linalg.inv(info)
    null = float(n * (rate * np.log(rate) + (1 - rate) * np.log(1 - rate))) if 0 < y.mean() < 1 else 0.0
    return LogitFit(coef=beta, cov=cov, loglik=current, loglik_null=null,
                    converged=converged and not singular)
