"""The weighted Cox partial likelihood's sums over the risk sets, as R ``coxph`` makes them.

Each stratum's arrays that do not depend on the coefficients (its risk-set bins,
deaths and covariate products) are made once per fit (:func:`_prepared_strata`); the
log partial likelihood, score and information at any coefficients are summed from
them (:func:`_likelihood`, :func:`cox_partial_likelihood`): bit for bit the numbers
made afresh (``tests/unit/test_partial_likelihood_sums.py``). The score residuals and
the robust covariance (:func:`weighted_robust_covariance`) are here too. The fit that
maximises the likelihood and the global tests are in
:mod:`lifetools.survival.partial_likelihood`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lifetools.survival.zph import at_risk_sums

__all__ = ["PartialLikelihood", "cox_partial_likelihood", "weighted_robust_covariance"]


@dataclass(frozen=True)
class PartialLikelihood:
    """Log partial likelihood, score vector and information matrix at ``beta``."""

    loglik: float
    score: np.ndarray
    information: np.ndarray


def _per_step(k: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.stack([np.bincount(k, weights=c, minlength=n) for c in values.T], axis=1)


@dataclass(frozen=True)
class _Stratum:
    """One stratum's arrays that do not depend on the coefficients, made once per fit
    (:func:`fit_weighted_cox` evaluates the likelihood at each Newton step on them)."""

    x: np.ndarray
    w: np.ndarray
    event: np.ndarray
    times: np.ndarray
    xx: np.ndarray  # the products x_j x_k, j <= k
    position: np.ndarray  # (j, k) -> the column of xx holding x_j x_k (or x_k x_j)
    bins: tuple[np.ndarray, ...]  # each row's bin at stop, at entry (n: before every time)
    k: np.ndarray  # each death's time
    deaths: np.ndarray
    dead_w: np.ndarray
    kk: np.ndarray  # one step per death, in time order
    frac: np.ndarray  # Efron: the share of the tied deaths removed at each step
    step_w: np.ndarray
    event_wx: np.ndarray  # sum of w x over the deaths


def _prepare(start, stop, event, x, w, efron: bool) -> _Stratum:
    p = x.shape[1]
    times = np.unique(stop[event])
    n = len(times)
    upper = np.triu_indices(p)
    position = np.zeros((p, p), dtype=int)
    position[upper] = np.arange(len(upper[0]))
    position = np.maximum(position, position.T).reshape(p * p)
    bins = []
    for key in (stop, start):  # each row's bin: the last event time at or before key
        at = np.searchsorted(times, key, side="right") - 1
        at[at < 0] = n  # no event time yet: a last bin, never summed
        bins.append(at)
    k = np.searchsorted(times, stop[event])
    deaths = np.bincount(k, minlength=n).astype(float)
    dead_w = np.bincount(k, weights=w[event], minlength=n)
    kk = np.sort(k)
    first = np.searchsorted(kk, kk, side="left")
    frac = (np.arange(len(kk)) - first) / deaths[kk] if efron else np.zeros(len(kk))
    return _Stratum(x=x, w=w, event=event, times=times,
                    xx=x[:, upper[0]] * x[:, upper[1]], position=position,
                    bins=tuple(bins), k=k, deaths=deaths, dead_w=dead_w, kk=kk,
                    frac=frac, step_w=dead_w[kk] / deaths[kk],
                    event_wx=(w[event, None] * x[event]).sum(axis=0))


def _stratum_at(s: _Stratum, eta: np.ndarray):
    """Log-likelihood, score and information of one prepared stratum at ``eta``.

    The sums at risk (as :func:`~lifetools.survival.zph.at_risk_sums`: binned at each
    row's stop and entry, accumulated from the last time back, entry's from stop's)
    of the weights, ``x`` and the products ``x_j x_k`` for ``j <= k`` (mirrored: a
    product is the same number either way round), all columns in one pass, with the
    bins found once per fit: bit for bit the numbers of the former code, which found
    them again for each block of columns and each step and summed every ``j, k``
    (``tests/unit/test_partial_likelihood_sums.py``). Each bin's sum adds its rows in
    their order, as when the rows outside every bin were first taken out (a copy of
    every column, made twice a step, and each of its columns copied again to be
    contiguous).
    """
    p = s.x.shape[1]
    n = len(s.times)
    event, kk, frac, step_w = s.event, s.kk, s.frac, s.step_w
    risk = s.w * np.exp(eta)
    # one row per column (each contiguous: binned as it is, no copy), every data row in
    # its bin; the rows before the first event time fall in bin n, dropped
    weighted = np.vstack([risk, risk * s.x.T, risk * s.xx.T])
    binned = []
    for at in s.bins:
        per_bin = np.stack([np.bincount(at, weights=c, minlength=n + 1)[:n]
                            for c in weighted], axis=1)
        binned.append(np.cumsum(per_bin[::-1], axis=0)[::-1])
    sums = binned[0] - binned[1]
    s0, s1, s2 = sums[:, 0], sums[:, 1:p + 1], sums[:, p + 1:][:, s.position]
    steps = _per_step(s.k, weighted[:, event].T, n)
    d0, d1, d2 = steps[:, 0], steps[:, 1:p + 1], steps[:, p + 1:][:, s.position]
    denom = s0[kk] - frac * d0[kk]
    mean = (s1[kk] - frac[:, None] * d1[kk]) / denom[:, None]
    second = (s2[kk] - frac[:, None] * d2[kk]) / denom[:, None]
    loglik = float(np.sum(s.w[event] * eta[event]) - np.sum(step_w * np.log(denom)))
    score = s.event_wx - (step_w[:, None] * mean).sum(axis=0)
    outer = (mean[:, :, None] * mean[:, None, :]).reshape(len(kk), p * p)
    info = (step_w[:, None] * (second - outer)).sum(axis=0).reshape(p, p)
    return loglik, score, info


def _stratum(start, stop, event, x, w, eta, efron: bool):
    """Log-likelihood, score and information of one stratum, prepared and evaluated at
    once (the former entry point, kept for the tests that compare it with the code it
    replaced)."""
    return _stratum_at(_prepare(start, stop, event, x, w, efron), eta)


def _cumulative_at(times, values, at):
    total = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    return total[np.searchsorted(times, at, side="right")]


def _stratum_residuals(start, stop, event, x, w, eta, efron: bool) -> np.ndarray:
    """Score residuals (per unit weight) of one stratum, as R's ``agscore3``."""
    times = np.unique(stop[event])
    n = len(times)
    risk = w * np.exp(eta)
    s0 = at_risk_sums(start, stop, risk[:, None], times)[:, 0]
    s1 = at_risk_sums(start, stop, risk[:, None] * x, times)
    k = np.searchsorted(times, stop[event])
    deaths = np.bincount(k, minlength=n).astype(float)
    dead_w = np.bincount(k, weights=w[event], minlength=n)
    d0 = np.bincount(k, weights=risk[event], minlength=n)
    d1 = _per_step(k, (risk[:, None] * x)[event], n)
    kk = np.sort(k)
    first = np.searchsorted(kk, kk, side="left")
    frac = (np.arange(len(kk)) - first) / deaths[kk] if efron else np.zeros(len(kk))
    denom = s0[kk] - frac * d0[kk]
    mean = (s1[kk] - frac[:, None] * d1[kk]) / denom[:, None]
    hazard = dead_w[kk] / deaths[kk] / denom  # one hazard step per death
    h = np.bincount(kk, weights=hazard, minlength=n)[:, None]
    hm = _per_step(kk, hazard[:, None] * mean, n)
    a = _cumulative_at(times, h, stop) - _cumulative_at(times, h, start)
    b = _cumulative_at(times, hm, stop) - _cumulative_at(times, hm, start)
    rel = np.exp(eta)[:, None]
    resid = -rel * (x * a - b)
    # a death is in its own time's steps with weight 1 - l/d (Efron), and scores x
    # minus the mean of the d steps' means
    fh = np.bincount(kk, weights=frac * hazard, minlength=n)[:, None]
    fhm = _per_step(kk, (frac * hazard)[:, None] * mean, n)
    mean_of_means = _per_step(kk, mean, n) / deaths[:, None]
    dead = np.flatnonzero(event)
    resid[dead] += rel[dead] * (x[dead] * fh[k] - fhm[k])
    resid[dead] += x[dead] - mean_of_means[k]
    return resid


def _arrays(stop, event, x, entry, weights, strata):
    """A fit's rows as arrays: stop times (float), events (bool), covariates (float,
    one column a covariate), entry times (0 when None), weights (1 when None) and
    strata (one stratum when None)."""
    stop = np.asarray(stop, dtype=float)
    x = np.asarray(x, dtype=float).reshape(len(stop), -1)
    event = np.asarray(event).astype(bool)
    entry = np.zeros_like(stop) if entry is None else np.asarray(entry, dtype=float)
    w = np.ones_like(stop) if weights is None else np.asarray(weights, dtype=float)
    strata = np.zeros(len(stop), int) if strata is None else np.asarray(strata)
    return stop, event, x, entry, w, strata


def weighted_robust_covariance(stop, event, x, coef, cov, *, entry=None, weights=None,
                               strata=None, clusters=None, ties: str = "efron"
                               ) -> np.ndarray:
    """R's robust covariance of a weighted Cox fit: sum over clusters of dfbeta.

    Notes
    -----
    dfbeta = w_i r_i V, r_i the score residual of row i (R's ``agscore3``, Efron or
    Breslow, weighted risk sets), V the model-based covariance; rows are summed
    within ``clusters`` (each row its own cluster when None), as R ``coxph(...,
    weights = w, cluster = id)``. Checked against R on the Fine-Gray rows of mgus2
    (``test_fine_gray_finegray_coxph_mgus2_against_r``).
    """
    stop, event, x, entry, w, strata = _arrays(stop, event, x, entry, weights, strata)
    xc = x - x.mean(axis=0)
    eta = xc @ np.asarray(coef, dtype=float)
    resid = np.zeros_like(x)
    for level in np.unique(strata):
        rows = strata == level
        if event[rows].any():
            resid[rows] = _stratum_residuals(entry[rows], stop[rows], event[rows],
                                             xc[rows], w[rows], eta[rows],
                                             ties == "efron")
    dfbeta = (w[:, None] * resid) @ np.asarray(cov, dtype=float)
    if clusters is not None:
        dfbeta = pd.DataFrame(dfbeta).groupby(np.asarray(clusters), sort=False).sum(
        ).to_numpy()
    return dfbeta.T @ dfbeta


def cox_partial_likelihood(stop, event, x, beta, *, entry=None, weights=None,
                           strata=None, ties: str = "efron") -> PartialLikelihood:
    """The Cox log partial likelihood, score and information at ``beta``.

    Notes
    -----
    Rows are at risk on (entry, stop] (entry 0 when not given). Weighted sums as R's
    ``coxph`` (``agfit4``): with Efron ties each of the d tied deaths removes l/d of
    the tied deaths' weighted risk at step l, and each step counts the mean weight of
    the tied deaths. Checked against R in
    ``tests/reference/test_survival_extra_against_r.py``.
    """
    return _likelihood(*_prepared_strata(stop, event, x, entry=entry, weights=weights,
                                          strata=strata, ties=ties), beta)


def _prepared_strata(stop, event, x, *, entry=None, weights=None, strata=None,
                     ties: str = "efron") -> tuple[np.ndarray, list]:
    """The covariates as an array, and each stratum with events: its rows and its
    :class:`_Stratum`."""
    stop, event, x, entry, w, strata = _arrays(stop, event, x, entry, weights, strata)
    prepared = []
    for level in np.unique(strata):
        rows = strata == level
        if not event[rows].any():
            continue
        prepared.append((rows, _prepare(entry[rows], stop[rows], event[rows], x[rows],
                                        w[rows], ties == "efron")))
    return x, prepared


def _likelihood(x: np.ndarray, prepared: list, beta) -> PartialLikelihood:
    """The partial likelihood at ``beta`` summed over the prepared strata
    (:func:`_prepared_strata`)."""
    eta = x @ np.asarray(beta, dtype=float)
    p = x.shape[1]
    loglik, score, info = 0.0, np.zeros(p), np.zeros((p, p))
    for rows, stratum in prepared:
        part = _stratum_at(stratum, eta[rows])
        loglik, score, info = loglik + part[0], score + part[1], info + part[2]
    return PartialLikelihood(loglik, score, info)
