"""Cox partial likelihood (Efron or Breslow ties) over (start, stop] risk sets, vectorised.

The likelihood, its gradient and its information matrix are computed without a loop over
event times: each row is at risk at the event times in ``(start, stop]``, so every risk-set
sum is a difference of cumulative sums over the sorted distinct event times (the running
sums of R's C code ``agfit4``), and the information matrix's second-moment term is one
weighted cross-product ``X' diag(w) X``. Newton-Raphson with step halving as R's
``coxph`` (``coxph.control``: ``eps = 1e-9`` on the relative change of the log partial
likelihood, at most 20 iterations, start at zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from lifetools.errors import ParameterError

__all__ = ["EfronFit", "fit_efron"]


@dataclass(frozen=True)
class EfronFit:
    """A fitted Cox model: coefficients, covariance (inverse information), log likelihoods.

    ``loglik`` is the log partial likelihood at ``coef``, ``loglik_null`` at zero;
    ``score`` is the score (log-rank type) test statistic at zero. ``infinite``: positions
    of coefficients that may be infinite (monotone likelihood, e.g. a binary covariate
    with no events in one level), by R's rule: ``|U V| > eps`` and
    ``|U V| > sqrt(eps) |coef|`` with ``U`` the score at the estimate and ``V`` the
    covariance; R warns "coefficient may be infinite" for the same terms.
    """

    coef: np.ndarray
    covariance: np.ndarray
    loglik: float
    loglik_null: float
    score: float
    iterations: int
    converged: bool
    n: int
    n_events: int
    ties: str
    infinite: tuple[int, ...] = ()

    @property
    def se(self) -> np.ndarray:
        """Standard errors (square root of the covariance diagonal)."""
        return np.sqrt(np.diag(self.covariance))


@dataclass(frozen=True)
class _Stratum:
    """One stratum prepared once: row positions in event-time bins, tied-death layout,
    and the work arrays every likelihood evaluation fills again (``work_*``: written,
    never read across evaluations, so that a Newton step allocates no array of the
    stratum's rows)."""

    x: np.ndarray          # rows of this stratum, covariates centred
    lo: np.ndarray         # number of event times <= start (row at risk from bin lo)
    hi: np.ndarray         # number of event times <= stop (row at risk to bin hi - 1)
    dead: np.ndarray       # positions (in this stratum) of event rows, ordered by bin
    dead_bin: np.ndarray   # bin of each event row (0-based event-time index)
    frac: np.ndarray       # Efron fraction m / d of each event row (0 for Breslow)
    n_bins: int
    xt: np.ndarray         # x transposed, each covariate's rows contiguous (p x rows)
    dead_x: np.ndarray     # sum of x over the event rows
    entry: bool            # some row enters after the first event time (lo > 0)
    work_eta: np.ndarray   # rows: linear predictor
    work_values: np.ndarray  # (1 + p) x rows: risk, then risk * x, one row per column
    work_weight: np.ndarray  # rows: the information's weight of each row
    work_wx: np.ndarray    # rows x p: weight * x


def _prepare(x: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray,
             ties: str) -> _Stratum:
    times = np.unique(stop[event])
    lo = np.searchsorted(times, start, side="right")
    hi = np.searchsorted(times, stop, side="right")
    dead = np.flatnonzero(event)
    dead_bin = hi[dead] - 1
    order = np.argsort(dead_bin, kind="stable")
    dead, dead_bin = dead[order], dead_bin[order]
    counts = np.bincount(dead_bin, minlength=len(times))
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(len(dead)) - first[dead_bin]
    frac = rank / counts[dead_bin] if ties == "efron" else np.zeros(len(dead))
    n, p = x.shape
    return _Stratum(x=x, lo=lo, hi=hi, dead=dead, dead_bin=dead_bin, frac=frac,
                    n_bins=len(times), xt=np.ascontiguousarray(x.T),
                    dead_x=x[dead].sum(axis=0), entry=bool(lo.any()),
                    work_eta=np.empty(n), work_values=np.empty((p + 1, n)),
                    work_weight=np.empty(n), work_wx=np.empty((n, p)))


def _at_risk_sums(values: np.ndarray, s: _Stratum) -> np.ndarray:
    """Sum of ``values`` (columns x rows, each column contiguous) over the risk set of
    each event-time bin (bins x columns)."""
    k = s.n_bins
    out = np.empty((k, values.shape[0]))
    for j, column in enumerate(values):
        entered = np.bincount(s.lo, weights=column, minlength=k + 1)
        left = np.bincount(s.hi, weights=column, minlength=k + 1)
        # rows with lo <= b < hi: (count with lo <= b) - (count with hi <= b)
        out[:, j] = (np.cumsum(entered) - np.cumsum(left))[:k]
    return out


def _derivatives(beta: np.ndarray, s: _Stratum) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information of one stratum at ``beta``.

    The rows' arrays are written into the stratum's work arrays (no allocation of the
    rows per step); every number is the same, bit for bit, as computed afresh column by
    column (``tests/unit/test_efron_step.py``).
    """
    x, k = s.x, s.n_bins
    eta = np.matmul(x, beta, out=s.work_eta)
    values = s.work_values                                         # risk, risk * x
    risk = np.exp(eta, out=values[0])
    np.multiply(risk, s.xt, out=values[1:])
    sums = _at_risk_sums(values, s)                                # S0, S1 per bin
    s0, s1 = sums[:, 0], sums[:, 1:]
    dead_values = values[:, s.dead]
    dead_r = dead_values[0]
    d0 = np.bincount(s.dead_bin, weights=dead_r, minlength=k)
    d1 = np.column_stack([np.bincount(s.dead_bin, weights=column, minlength=k)
                          for column in dead_values[1:]]).reshape(k, x.shape[1])
    # one denominator per event row: S0 - (m / d) * S0 over the tied events
    denom = s0[s.dead_bin] - s.frac * d0[s.dead_bin]
    inv, f = 1.0 / denom, s.frac
    loglik = float(eta[s.dead].sum() - np.log(denom).sum())

    def per_bin(values: np.ndarray) -> np.ndarray:
        return np.bincount(s.dead_bin, weights=values, minlength=k)

    g, h = per_bin(inv), per_bin(f * inv)                          # sum 1/den, sum f/den
    a, b, c = per_bin(inv ** 2), per_bin(f * inv ** 2), per_bin(f * f * inv ** 2)
    score = s.dead_x - s1.T @ g + d1.T @ h
    # second moments: sum over bins of g_b * S2_b - h_b * S2(events)_b, row by row
    cum_g = np.concatenate(([0.0], np.cumsum(g)))
    weight = np.take(cum_g, s.hi, out=s.work_weight)
    if s.entry:  # else every lo is 0, and cum_g[0] is 0
        weight -= cum_g[s.lo]
    weight *= risk
    weight[s.dead] -= dead_r * h[s.dead_bin]                       # event rows distinct
    info = x.T @ np.multiply(weight[:, None], x, out=s.work_wx)
    info -= s1.T @ (a[:, None] * s1) + d1.T @ (c[:, None] * d1)
    cross = s1.T @ (b[:, None] * d1)
    info += cross + cross.T
    return loglik, score, info


def _total(beta: np.ndarray, strata: list[_Stratum]) -> tuple[float, np.ndarray, np.ndarray]:
    p = len(beta)
    loglik, score, info = 0.0, np.zeros(p), np.zeros((p, p))
    for s in strata:
        lk, u, i = _derivatives(beta, s)
        loglik, score, info = loglik + lk, score + u, info + i
    return loglik, score, info


def _check(stop: np.ndarray, event: np.ndarray, x: np.ndarray, start: np.ndarray) -> None:
    n = len(stop)
    if x.ndim != 2 or x.shape[0] != n or len(event) != n or len(start) != n:
        raise ParameterError("fit_efron: stop, event, start and the rows of x differ in "
                             "length")
    bad = ~(np.isfinite(stop) & np.isfinite(x).all(axis=1) & ~np.isnan(start)
            & np.isin(event, (0, 1)))
    if bad.any():
        raise ParameterError(f"fit_efron: {int(bad.sum())} rows have missing or infinite "
                             f"values or an event not 0/1 (first row {int(bad.argmax())})")
    bad = ~(start < stop)
    if bad.any():
        raise ParameterError(f"fit_efron: {int(bad.sum())} rows have start >= stop "
                             f"(first row {int(bad.argmax())})")


def fit_efron(
    stop: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    *,
    start: np.ndarray | None = None,
    strata: np.ndarray | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    init: Sequence[float] | None = None,
    max_iter: int = 20,
    eps: float = 1e-9,
) -> EfronFit:
    """Fit a Cox model by Newton-Raphson on (start, stop] rows, Efron or Breslow ties.

    Parameters
    ----------
    stop, event, x
        Event or censoring time, 1 = event / 0 = censored, covariate matrix (rows x p).
    start
        Entry time: each row is at risk at the event times in ``(start, stop]`` (delayed
        entry, or start-stop rows of time-varying covariates). ``None``: at risk from the
        beginning (every row).
    strata
        Stratum label per row (any values): a separate baseline hazard in each.
    ties
        ``"efron"`` (default, R's default) or ``"breslow"``.
    init, max_iter, eps
        Start values (zero), iteration limit and convergence criterion as R
        ``coxph.control``: converged when ``|1 - loglik_old / loglik_new| <= eps`` after a
        full (not halved) Newton step.

    Returns
    -------
    EfronFit
        Coefficients, covariance (inverse of the information matrix at ``coef``), log
        partial likelihood at ``coef`` and at zero, score test, iterations, convergence.

    Raises
    ------
    ParameterError
        Lengths differ, values are missing or infinite, an event is not 0/1, or a row has
        ``start >= stop`` (row numbers only are named).

    Notes
    -----
    Estimator: maximum partial likelihood; ties by Efron's approximation (the ``m``-th of
    ``d`` tied events at a time removes ``m / d`` of the tied events' risk from the
    denominator) or Breslow's. Risk sets are counting-process sets: a row is at risk at
    event time ``t`` when ``start < t <= stop``, as R ``Surv(start, stop, event)``. Each
    Newton step costs two ``bincount`` passes per column (each column contiguous), one
    ``O(n p^2)`` cross-product and ``O(events)`` work, written into work arrays made
    once per fit; there is no loop over event times. Covariates are centred
    (which leaves every estimate unchanged). Newton-Raphson with step halving when the
    likelihood decreases, as R ``coxph``. No robust variance, weights or offsets.
    Checked against R ``survival::coxph`` (Rossi, Stanford heart transplant start-stop,
    a synthetic delayed-entry cohort with ties and strata, Efron and Breslow) to 1e-11 in
    ``tests/reference/test_efron_against_r.py``.
    """
    if ties not in ("efron", "breslow"):
        raise ParameterError(f"fit_efron: ties must be 'efron' or 'breslow', not {ties!r}")
    stop = np.asarray(stop, dtype=float)
    event = np.asarray(event)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    start = (np.full(len(stop), -np.inf) if start is None
             else np.asarray(start, dtype=float))
    _check(stop, event, x, start)
    dead = event.astype(bool)
    if not dead.any():
        raise ParameterError("fit_efron: no events")
    x = x - x.mean(axis=0)
    if strata is None:
        groups = [np.arange(len(stop))]
    else:
        codes = np.unique(np.asarray(strata), return_inverse=True)[1].ravel()
        order = np.argsort(codes, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
    parts = [_prepare(x[g], start[g], stop[g], dead[g], ties) for g in groups]
    beta = np.zeros(x.shape[1]) if init is None else np.asarray(init, dtype=float).copy()
    loglik, score, info = _total(beta, parts)
    null_loglik, null_score, null_info = (loglik, score, info) if init is None else _total(
        np.zeros_like(beta), parts)
    score_test = float(null_score @ np.linalg.solve(null_info, null_score))
    new = beta + np.linalg.solve(info, score)
    converged, halving, iterations = False, 0, 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - count reported
        new_loglik, new_score, new_info = _total(new, parts)
        if halving == 0 and abs(1 - loglik / new_loglik) <= eps:
            beta, loglik, info, score, converged = new, new_loglik, new_info, new_score, True
            break
        if new_loglik < loglik or not np.isfinite(new_loglik):
            halving = 1
            new = (new + beta) / 2
        else:
            halving = 0
            beta, loglik, info, score = new, new_loglik, new_info, new_score
            new = beta + np.linalg.solve(info, new_score)
    covariance = np.linalg.inv(info)
    drift = np.abs(score @ covariance)
    infinite = np.flatnonzero((drift > eps) & (drift > np.sqrt(eps) * np.abs(beta)))
    return EfronFit(coef=beta, covariance=covariance, loglik=loglik,
                    loglik_null=null_loglik, score=score_test, iterations=iterations,
                    converged=converged, n=len(stop), n_events=int(dead.sum()), ties=ties,
                    infinite=tuple(int(i) for i in infinite))
