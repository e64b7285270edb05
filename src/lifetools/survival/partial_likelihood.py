"""The weighted Cox partial likelihood on (start, stop] rows, as R ``coxph`` computes it.

One function gives the log partial likelihood, its score and information at any
coefficients, with case weights, strata, Breslow or Efron ties (R's weighted Efron:
tied deaths share the mean death weight); :func:`fit_weighted_cox` maximises it by
Newton-Raphson with step halving, as R's ``coxph``. Used for the global tests of every
Cox fit (:func:`cox_global_tests`) and for the Fine-Gray model
(:mod:`lifetools.survival.finegray`), where the weights are the censoring weights.
The sums over the risk sets (the likelihood, :func:`cox_partial_likelihood`, and the
robust covariance, :func:`weighted_robust_covariance`) are made in
:mod:`lifetools.survival.likelihood_sums`; both are importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import chi2

from lifetools.survival.likelihood_sums import (
    PartialLikelihood,
    _likelihood,
    _prepared_strata,
    cox_partial_likelihood,
    weighted_robust_covariance,
)

__all__ = ["GLOBAL_TESTS", "PartialLikelihood", "WeightedCoxFit", "cox_global_tests",
           "cox_partial_likelihood", "diverging", "fit_weighted_cox", "global_tests_table",
           "separated_columns", "weighted_robust_covariance"]

GLOBAL_TESTS = ("likelihood_ratio", "wald", "score")

LOGLIK_ROUNDING = 1e-14
"""Relative size below which a change of a log partial likelihood is rounding: its
sums carry noise of about 1e-15 of its size (measured 2e-12 at -2,231)."""
R_EPS = 1e-9
"""R ``coxph.control``'s ``eps``: R stops when a full Newton step changes the log partial
likelihood by a relative amount of at most this; ``toler.inf`` is its square root."""


@dataclass(frozen=True)
class WeightedCoxFit:
    """Result of :func:`fit_weighted_cox`.

    ``coef``: coefficients; ``cov``: model-based covariance (inverse information);
    ``converged``: the finite coefficients are at the optimum; ``infinite``: positions of
    coefficients whose estimate is infinite (R's "coefficient may be infinite"), each
    in :attr:`separated` too when a level of its column has no events.
    ``separated``: position -> (the value every event has, -1 when that is the lowest
    value at risk and the coefficient runs to minus infinity, +1 when the highest).
    ``loglik``, ``loglik_null``: the log partial likelihood at ``coef`` and at 0;
    ``score``: the score test statistic at 0, ``U(0)' I(0)^-1 U(0)`` (NaN when the
    information at 0 is singular): from the Newton iterations, as R's ``coxph`` keeps
    them, for :func:`global_tests_table`.
    """

    coef: np.ndarray
    cov: np.ndarray
    converged: bool
    infinite: tuple[int, ...] = ()
    separated: dict[int, tuple[float, int]] = field(default_factory=dict)
    loglik: float = float("nan")
    loglik_null: float = float("nan")
    score: float = float("nan")


def separated_columns(stop, event, x, *, entry=None, weights=None
                      ) -> dict[int, tuple[float, int]]:
    """Columns one of whose levels has no events: their coefficient is infinite.

    Returns position -> (value, direction): every event has ``value``, the lowest
    (direction -1: the coefficient runs to minus infinity) or the highest (+1) value
    of the column among the rows at risk at some event time, and some of those rows
    have another value. A 0/1 column with no event among its 1s (or its 0s) is the
    common case.

    Notes
    -----
    Each event's term of the partial likelihood, ``exp(b x_i) / sum_k exp(b x_k)``
    over its risk set, then rises as the coefficient goes to minus (plus) infinity,
    strictly for a risk set holding another value, whatever the other coefficients:
    the likelihood has no maximum (Bryson and Johnson 1981, monotone likelihood). Rows
    are at risk at ``t`` when ``entry < t <= stop`` and their weight is positive, as
    :func:`cox_partial_likelihood`. Separation by a combination of columns is not
    seen here: :func:`fit_weighted_cox` finds it by R's rule.
    """
    stop = np.asarray(stop, dtype=float)
    x = np.asarray(x, dtype=float).reshape(len(stop), -1)
    event = np.asarray(event).astype(bool)
    entry = np.zeros_like(stop) if entry is None else np.asarray(entry, dtype=float)
    w = np.ones_like(stop) if weights is None else np.asarray(weights, dtype=float)
    times = np.unique(stop[event & (w > 0)])
    if not len(times):
        return {}
    # rows at risk at one event time at least: an event time in (entry, stop]
    seen = (np.searchsorted(times, stop, side="right")
            > np.searchsorted(times, entry, side="right")) & (w > 0)
    out: dict[int, tuple[float, int]] = {}
    for j in range(x.shape[1]):
        column, at_events = x[seen, j], x[event & (w > 0), j]
        low, high = column.min(), column.max()
        if low == high:
            continue  # no contrast at all: not separation (the information is 0)
        if np.all(at_events == low):
            out[j] = (float(low), -1)
        elif np.all(at_events == high):
            out[j] = (float(high), 1)
    return out


def fit_weighted_cox(stop, event, x, *, entry=None, weights=None, strata=None,
                     ties: str = "efron", max_iter: int = 50, tol: float = 1e-10
                     ) -> WeightedCoxFit:
    """Maximise the weighted partial likelihood by Newton-Raphson (R ``coxph``'s method).

    Returns a :class:`WeightedCoxFit`: coefficients, model-based covariance, whether the
    fit converged, and the coefficients that are infinite. Converged means the
    largest absolute Newton step (score times inverse information) is below ``tol``,
    or, when the full Newton step is refused or the iterations run out, that the gain
    the step promises (half the Newton decrement ``U' I^-1 U``) is below the rounding
    of the log-likelihood (``LOGLIK_ROUNDING`` of its size): no step can be told to
    raise it, the fit is at its optimum to the precision of the sums. With infinite
    coefficients, the same rules on the others (their Newton step with the infinite
    ones held).

    Notes
    -----
    Starts at 0; a step that lowers the log-likelihood is halved (as R's ``coxfit6``).
    The covariance is the inverse information (R's naive ``vcov``). Near the optimum
    the log-likelihood of tens of thousands of weighted rows carries rounding noise of
    some 1e-15 of its size (2e-12 at -2,231), far more than the gain of a last step
    of 3e-10 (4e-18): before the second rule that step was refused, halved to nothing,
    and the fit ran out of iterations at its optimum and was reported as not converged
    (a bootstrap sample of the Fine-Gray truth test: ``tests/unit/
    test_weighted_cox_convergence.py``).

    Infinite coefficients (separation, a monotone likelihood), two rules:

    - R's ``toler.inf`` rule, where R would apply it: at the first full Newton step
      that changes the log-likelihood by a relative amount of at most ``R_EPS`` (where
      R ``coxph`` stops), a coefficient whose next Newton step is still above
      :func:`diverging`'s limits may be infinite. Confirmed when the iterations after
      that point carried it further in the same direction by more than twice that
      step: at a finite optimum the Newton step is the distance still to go, while a
      diverging coefficient keeps taking steps of the same size. (R stops there and
      warns "Loglik converged before variable ...; coefficient may be infinite".)
    - a level without events (:func:`separated_columns`), read from the data.

    Before the first rule a separated fit went on until the score rounded to exactly
    0 (coefficient -46, robust standard error 3.8) and was called converged, or ran
    out of iterations with its other coefficients long settled and was called not
    converged (``tests/unit/test_weighted_cox_convergence.py``). Neither rule changes
    the iterations: the coefficients of every fit are those of the iterations above.
    """
    x = np.asarray(x, dtype=float).reshape(len(np.asarray(stop)), -1)
    centre = x.mean(axis=0)  # centring changes nothing but the numbers' size
    xc = x - centre
    beta = np.zeros(x.shape[1])

    # the risk sets' bins, deaths and products of each stratum, made once for every step
    prepared = _prepared_strata(stop, event, xc, entry=entry, weights=weights,
                                strata=strata, ties=ties)

    def at(b):
        return _likelihood(*prepared, b)

    def newton_step(point: PartialLikelihood) -> np.ndarray | None:
        try:
            return np.linalg.solve(point.information, point.score)
        except np.linalg.LinAlgError:
            return None

    def unmeasurable(point: PartialLikelihood, step: np.ndarray) -> bool:
        gain = float(point.score @ step) / 2  # half the Newton decrement
        return bool(gain <= LOGLIK_ROUNDING * max(1.0, abs(point.loglik))
                    and not diverging(step, beta).any())

    def refused(candidate: PartialLikelihood, point: PartialLikelihood) -> bool:
        return not (np.isfinite(candidate.loglik)
                    and candidate.loglik >= point.loglik - 1e-12)

    def r_stops(candidate: PartialLikelihood, point: PartialLikelihood) -> bool:
        return bool(np.isfinite(candidate.loglik)
                    and abs(candidate.loglik - point.loglik)
                    <= R_EPS * abs(candidate.loglik))

    current = null = at(beta)  # at 0: the global tests' null point
    converged = False
    r_point: tuple[np.ndarray, np.ndarray] | None = None  # where R's coxph stops
    for _ in range(max_iter):
        step = newton_step(current)
        if step is None:
            break
        if float(np.max(np.abs(step))) < tol:
            converged = True
            break
        candidate = at(beta + step)
        if r_point is None and r_stops(candidate, current):
            r_step = newton_step(candidate)
            if r_step is not None:
                r_point = (beta + step, r_step)
        if refused(candidate, current) and unmeasurable(current, step):
            converged = True  # refused on the log-likelihood's rounding alone: stay
            break
        for _halving in range(30):
            if not refused(candidate, current):
                break
            step = step / 2
            candidate = at(beta + step)
        if not (np.isfinite(candidate.loglik) and np.all(np.isfinite(candidate.score))):
            break  # no finite point along the step (a diverging coefficient's step of
            # 1e17 from a score of rounding noise): stay where the fit is
        beta, current = beta + step, candidate
    else:  # out of iterations: converged if no step could still be measured
        step = newton_step(current)
        converged = step is not None and unmeasurable(current, step)
    separated = separated_columns(stop, event, x, entry=entry, weights=weights)
    infinite = np.zeros(len(beta), bool)
    infinite[list(separated)] = True
    if r_point is not None:
        r_beta, r_step = r_point
        moved = (beta - r_beta) * np.sign(r_step)
        with np.errstate(invalid="ignore"):
            infinite |= diverging(r_step, r_beta) & (moved > 2 * np.abs(r_step))
    if infinite.any() and not converged:
        converged = _settled_without(current, infinite, tol)
    if not np.all(np.isfinite(beta[~infinite])):
        converged = False
    try:
        cov = np.linalg.inv(current.information)
    except np.linalg.LinAlgError:
        cov = np.full((len(beta), len(beta)), np.nan)
    return WeightedCoxFit(beta, cov, converged,
                          tuple(int(i) for i in np.flatnonzero(infinite)), separated,
                          loglik=float(current.loglik), loglik_null=float(null.loglik),
                          score=_score_test(null))


def _score_test(point: PartialLikelihood) -> float:
    """``U' I^-1 U`` at ``point`` (the score test at 0 of :func:`cox_global_tests`); NaN
    when its information is singular."""
    with np.errstate(invalid="ignore"):
        try:
            return float(point.score @ np.linalg.solve(point.information, point.score))
        except np.linalg.LinAlgError:
            return float("nan")


def _settled_without(point: PartialLikelihood, infinite: np.ndarray, tol: float) -> bool:
    """Whether the coefficients not ``infinite`` are at their optimum, the infinite
    ones held: their Newton step below ``tol``, or its gain below the rounding."""
    finite = ~infinite
    if not finite.any():
        return True
    try:
        step = np.linalg.solve(point.information[np.ix_(finite, finite)],
                               point.score[finite])
    except np.linalg.LinAlgError:
        return False
    gain = float(point.score[finite] @ step) / 2
    return bool(np.all(np.isfinite(step))
                and (float(np.max(np.abs(step))) < tol
                     or gain <= LOGLIK_ROUNDING * max(1.0, abs(point.loglik))))


def diverging(step, coef, eps: float = 1e-9) -> np.ndarray:
    """Which coefficients are still moving towards infinity: R ``coxph``'s check.

    A coefficient diverges when its Newton step at the fit exceeds ``eps`` and
    ``sqrt(eps)`` of its size (R's ``coxph.control`` ``eps`` and ``toler.inf``), or is
    not finite: a monotone likelihood (a group without events, or events separated by
    the covariate), whose gain per step vanishes while the coefficient runs away.
    """
    step = np.abs(np.asarray(step, dtype=float))
    coef = np.asarray(coef, dtype=float)
    with np.errstate(invalid="ignore"):
        moving = (step > eps) & (step > np.sqrt(eps) * np.abs(coef))
    return moving | ~np.isfinite(coef) | ~np.isfinite(step)


def cox_global_tests(stop, event, x, coef, cov, *, entry=None, weights=None,
                     strata=None, ties: str = "efron") -> pd.DataFrame:
    """Likelihood-ratio, Wald and score tests that every coefficient is 0.

    Returns one row per test: test, statistic, df, p_value (chi-squared on df = number
    of terms), as R ``summary(coxph)``'s ``logtest``, ``waldtest`` and ``sctest``.

    Notes
    -----
    Likelihood ratio: 2 (l(b) - l(0)). Wald: b' V^-1 b with V the covariance the
    reported standard errors come from (robust when the fit is robust, as R's
    ``wald.test``; R's summary rounds it to 2 decimals, lifelines does not). Score:
    U(0)' I(0)^-1 U(0) with the full information at 0 (model-based, also for a robust
    fit: R reports its robust score test separately as ``robscore``). Ties and risk
    sets as the fit (:func:`cox_partial_likelihood`). Checked against R
    ``summary(coxph)`` on Rossi, Efron and Breslow, in
    ``tests/reference/test_survival_extra_against_r.py::test_cox_global_tests_rossi_against_r``,
    and on start-stop (Stanford heart, clustered too) and Fine-Gray rows (``mgus2``) in
    ``test_cox_global_tests_start_stop_stanford_heart_against_r`` and
    ``test_fine_gray_global_tests_mgus2_against_r``.
    """
    coef = np.asarray(coef, dtype=float)
    prepared = _prepared_strata(stop, event, x, entry=entry, weights=weights,
                                strata=strata, ties=ties)  # once for both points
    null = _likelihood(*prepared, np.zeros_like(coef))
    fitted = _likelihood(*prepared, coef)
    return global_tests_table(fitted.loglik, null.loglik, _score_test(null), coef, cov)


def global_tests_table(loglik: float, loglik_null: float, score: float, coef, cov
                       ) -> pd.DataFrame:
    """The global tests from a fit's own values: log partial likelihood at the estimate
    and at 0, score statistic at 0, and the Wald test from ``coef`` and ``cov``.

    Used by :func:`cox_global_tests`, by ``fit_cox`` / ``fit_cox_time_varying``,
    whose backend (:class:`lifetools.survival.efron.EfronFit`) carries ``loglik``,
    ``loglik_null`` and ``score`` from its Newton iterations (as R's ``coxph`` does),
    and by ``fit_fine_gray``, whose :class:`WeightedCoxFit` carries the same, so the
    partial likelihood is not evaluated again. Same rows as
    :func:`cox_global_tests`; a singular ``cov`` gives a NaN Wald test.
    """
    coef = np.asarray(coef, dtype=float)
    dof = len(coef)
    with np.errstate(invalid="ignore"):
        try:
            wald = float(coef @ np.linalg.solve(np.asarray(cov, dtype=float), coef))
        except np.linalg.LinAlgError:
            wald = float("nan")
    stats = {"likelihood_ratio": 2 * (loglik - loglik_null), "wald": wald,
             "score": float(score)}
    return pd.DataFrame([{"test": name, "statistic": value, "df": float(dof),
                          "p_value": float(chi2.sf(value, dof))}
                         for name, value in stats.items()])
