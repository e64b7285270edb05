"""Robust (sandwich) variance of a Cox model from its score residuals, as R ``coxph``.

R's ``coxph(..., robust = TRUE)`` or ``cluster = id`` estimates the variance of the
coefficients as ``D' D`` with ``D`` the dfbeta residuals (score residuals times the
inverse information), summed within clusters. The score residuals follow the model's
tie method: with Efron ties a death shares the risk-set terms of its tied deaths in
the proportions Efron's approximation gives them. lifelines' sandwich (and statsmodels'
with Efron ties) uses Breslow-type residuals, which differ from R's on tied data.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from lifetools.survival.zph import at_risk_sums

__all__ = ["cox_score_residuals", "robust_covariance"]


def _cumulative_at(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over event times <= each of ``at`` (values: one row per time)."""
    total = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    return total[np.searchsorted(times, at, side="right")]


def _stratum_residuals(start, stop, event, x, risk, efron: bool) -> np.ndarray:
    """Score residuals of one stratum, rows at risk on (start, stop]."""
    times = np.unique(stop[event])

    def at_risk(values):
        return at_risk_sums(start, stop, values, times)

    rx = risk[:, None] * x
    s0, s1 = at_risk(risk[:, None])[:, 0], at_risk(rx)
    k = np.searchsorted(times, stop[event])
    d = np.bincount(k, minlength=len(times)).astype(float)
    d0 = np.bincount(k, weights=risk[event], minlength=len(times))
    d1 = np.stack([np.bincount(k, weights=c, minlength=len(times)) for c in rx[event].T],
                  axis=1)
    kk = np.sort(k)
    first = np.searchsorted(kk, kk, side="left")
    frac = (np.arange(len(kk)) - first) / d[kk] if efron else np.zeros(len(kk))
    hazard = 1.0 / (s0[kk] - frac * d0[kk])  # one step per death
    mean = (s1[kk] - frac[:, None] * d1[kk]) * hazard[:, None]

    def per_time(values):
        return np.stack([np.bincount(kk, weights=c, minlength=len(times))
                         for c in np.atleast_2d(values.T)], axis=1)

    h_all, m_all = per_time(hazard), per_time(hazard[:, None] * mean)
    # a death at its own time is in the risk set of step l with weight 1 - l / d
    keep = 1.0 - frac
    h_dead, m_dead = per_time(keep * hazard), per_time((keep * hazard)[:, None] * mean)
    mean_of_means = per_time(mean) / d[:, None]
    a = _cumulative_at(times, h_all, stop) - _cumulative_at(times, h_all, start)
    b = _cumulative_at(times, m_all, stop) - _cumulative_at(times, m_all, start)
    own = k  # the time index of each death row
    a[event] += h_dead[own] - h_all[own]
    b[event] += m_dead[own] - m_all[own]
    resid = -risk[:, None] * (x * a - b)
    resid[event] += x[event] - mean_of_means[own]
    return resid


def cox_score_residuals(
    stop: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    coef: np.ndarray,
    *,
    entry: np.ndarray | None = None,
    strata: np.ndarray | None = None,
    ties: Literal["efron", "breslow"] = "efron",
) -> np.ndarray:
    """Score residuals (n rows, one column per term) of a fitted Cox model, as R.

    Notes
    -----
    R ``residuals(fit, type = "score")``: for each row, its event's covariates minus the
    risk-set mean, less its share of every risk set it is in (Efron: tied deaths at
    their own time in proportion 1 - l / d at step l). Rows are at risk on (entry, stop].
    Checked through :func:`robust_covariance` against R ``coxph(..., robust = TRUE)`` and
    ``cluster = id`` in ``tests/reference/test_survival_against_r.py``.
    """
    stop = np.asarray(stop, dtype=float)
    event = np.asarray(event).astype(bool)
    x = np.asarray(x, dtype=float).reshape(len(stop), -1)
    start = (np.full(len(stop), -np.inf) if entry is None
             else np.asarray(entry, dtype=float))
    eta = x @ np.asarray(coef, dtype=float)
    risk = np.exp(eta - eta.max())
    codes = (np.zeros(len(stop), int) if strata is None
             else pd.factorize(pd.Series(strata).to_numpy())[0])
    resid = np.zeros_like(x)
    for code in np.unique(codes):
        rows = codes == code
        if event[rows].any():
            resid[rows] = _stratum_residuals(start[rows], stop[rows], event[rows],
                                             x[rows], risk[rows], ties == "efron")
    return resid


def robust_covariance(resid: np.ndarray, naive_cov: np.ndarray,
                      clusters: np.ndarray | None = None) -> np.ndarray:
    """Sandwich variance ``D' D``, dfbeta ``D`` = residuals x naive covariance, summed
    within ``clusters`` (None: each row its own cluster), as R ``coxph``."""
    dfbeta = np.asarray(resid) @ np.asarray(naive_cov)
    if clusters is not None:
        codes = pd.factorize(pd.Series(clusters).to_numpy())[0]
        dfbeta = np.stack([np.bincount(codes, weights=c) for c in dfbeta.T], axis=1)
    return dfbeta.T @ dfbeta
