"""Fine-Gray subdistribution hazard ratios: R's ``finegray`` rows and a weighted Cox fit.

The Fine-Gray model is a Cox model for the subdistribution hazard of one event type:
people who had a competing event stay in the risk set after it, with a weight that
falls as the censoring distribution does (inverse probability of censoring weights).
R's ``survival::finegray`` writes this as expanded (start, stop] rows with a weight
``fgwt``; ``coxph(Surv(fgstart, fgstop, fgstatus) ~ x, weights = fgwt)`` then gives the
subdistribution hazard ratios. This module builds the same rows (from the published
description of the algorithm, not R's code) and fits them with
:func:`~lifetools.survival.partial_likelihood.fit_weighted_cox`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from lifetools.convergence import degenerate_terms, standard_errors
from lifetools.survival.cox import INFINITE, _summary
from lifetools.survival.partial_likelihood import (
    fit_weighted_cox,
    global_tests_table,
    weighted_robust_covariance,
)
from lifetools.survival.results import CoxResult, library_versions

__all__ = ["breslow_baseline", "censoring_survival", "finegray_rows", "fit_fine_gray",
           "risk_set_sums", "separation_reason"]

FG_COLUMNS = ("fg_start", "fg_stop", "fg_status", "fg_weight", "fg_row")


def censoring_survival(duration: np.ndarray, status: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier of the censoring distribution G: (censoring times, G after each).

    An event and a censoring at the same time: the censoring comes after the event
    (the event's row is not at risk of censoring then), as R's ``finegray``.
    """
    duration = np.asarray(duration, dtype=float)
    censored = np.asarray(status) == 0
    times = np.unique(duration[censored])
    n_cens = np.bincount(np.searchsorted(times, duration[censored]),
                         minlength=len(times)).astype(float)
    ordered = np.sort(duration)
    # at risk of censoring at c: still followed after c, or censored at c
    at_risk = len(ordered) - np.searchsorted(ordered, times, side="right") + n_cens
    return times, np.cumprod(1 - n_cens / at_risk)


def separation_reason(value: float, direction: int, *, event: str = "events") -> str:
    """The reason a separated term is not estimable, in words.

    ``value`` and ``direction`` as :attr:`~lifetools.survival.partial_likelihood.
    WeightedCoxFit.separated`: "separated: too few events of interest among those with
    it (its coefficient runs to minus infinity)" for a 0/1 term whose 1s have no event,
    "... among those without it ..." when its 0s have none, "... above its lowest value
    ..." or "... below its highest value ..." for another term. "Too few", not "no":
    the reason is published (fit notes, key results) beside a release check that shows
    a group's events only as "too few", and an exact 0 in words would
    give back the count it hides; no number either (the gate refuses a bare number in a
    note).
    """
    towards = "minus infinity" if direction < 0 else "infinity"
    if value in (0.0, 1.0):
        where = "among those with it" if value == 0.0 else "among those without it"
    else:
        where = "above its lowest value" if direction < 0 else "below its highest value"
    return f"separated: too few {event} {where} (its coefficient runs to {towards})"


def finegray_rows(df: pd.DataFrame, *, duration_col: str, event_col: str,
                  event_of_interest: int, competing: Sequence[int] | None = None
                  ) -> pd.DataFrame:
    """Expanded rows of R's ``finegray``: ``df``'s columns plus fg_start, fg_stop,
    fg_status (1 = event of interest), fg_weight and fg_row (the source row's position).

    Parameters
    ----------
    event_col
        0 = censored; ``event_of_interest``; other codes are competing events, or
        only those in ``competing`` (the rest are treated as censored).

    Notes
    -----
    One stratum, no delayed entry. G is the Kaplan-Meier estimate of the censoring
    distribution (:func:`censoring_survival`). A row with a competing event at time s
    keeps weight 1 to the end of the censoring interval that holds s, then one more row
    for each later censoring interval that contains an event of interest, weighted
    G(start of interval) / G(s-). Rows censored or with the event of interest are not
    expanded (weight 1). Intervals with no event of interest are skipped (they do not
    change the fit). Equals R's rows (count, sum of weights, sum of weight x stop) on
    mgus2: ``test_finegray_rows_mgus2_against_r``. R's ``timefix`` rounding of nearly
    equal times is not applied.
    """
    data = df.reset_index(drop=True)
    code = data[event_col].to_numpy()
    time = data[duration_col].to_numpy(dtype=float)
    if competing is not None:
        code = np.where((code != event_of_interest) & ~np.isin(code, list(competing)),
                        0, code)
    status = code.astype(int)
    if not len(data):  # no people (a small group's cohort): no rows, and no events
        return data.assign(fg_start=np.zeros(0), fg_stop=np.zeros(0),
                           fg_status=np.zeros(0, dtype=int), fg_weight=np.zeros(0),
                           fg_row=np.zeros(0, dtype=int))
    zero = 0.0 if time.min() > 0 else 2 * time.min() - 1
    cens_times, cens_surv = censoring_survival(time, status)
    cut = np.r_[cens_times, time.max()]  # interval j is (cut[j-1], cut[j]]
    prob = np.r_[1.0, cens_surv]  # G on interval j
    event_times = np.unique(time[status == event_of_interest])
    useful = np.zeros(len(cut), bool)  # intervals holding an event of interest
    useful[np.unique(np.searchsorted(cut, event_times, side="left"))] = True
    expand = (status != 0) & (status != event_of_interest)
    starts, stops, weights, rows = [np.full(len(data), zero)], [time.copy()], \
        [np.ones(len(data))], [np.arange(len(data))]
    first = np.searchsorted(cut, time, side="left")  # the interval holding each time
    stops[0][expand] = cut[first[expand]]
    # each competing row i, one more row per useful interval after first[i], rows in
    # order of i then interval (as a loop over i made them, one numpy call each)
    useful_at = np.flatnonzero(useful)
    owners = np.flatnonzero(expand)
    after = np.searchsorted(useful_at, first[owners], side="right")
    counts = len(useful_at) - after
    owner = np.repeat(owners, counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    later = useful_at[np.repeat(after, counts) + within]
    starts.append(cut[later - 1])
    stops.append(cut[later])
    weights.append(prob[later] / prob[first[owner]])
    rows.append(owner)
    row = np.concatenate(rows)
    out = data.iloc[row].reset_index(drop=True)
    return out.assign(fg_start=np.concatenate(starts), fg_stop=np.concatenate(stops),
                      fg_status=(status[row] == event_of_interest).astype(int),
                      fg_weight=np.concatenate(weights), fg_row=row)


def risk_set_sums(rows: pd.DataFrame, lp: np.ndarray, up_to: float,
                  x: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The weighted risk sets of Fine-Gray rows at each event time up to ``up_to``.

    Parameters
    ----------
    rows : DataFrame
        Weighted Fine-Gray rows (:func:`finegray_rows`: ``fg_start``, ``fg_stop``,
        ``fg_status``, ``fg_weight``).
    lp : array
        Each row's linear predictor (centred or not, as the caller's baseline is).
    up_to : float
        The latest event time wanted.
    x : array, optional
        Each row's covariates (rows x terms), for ``S1``.

    Returns
    -------
    tuple
        ``times`` (the distinct event times of interest at or before ``up_to``),
        ``dN`` (the summed weight of the events at each), ``S0`` (the sum of
        ``w exp(lp)`` over the rows at risk at each) and ``S1`` (the same sum of
        ``w exp(lp) x``, None without ``x``).

    Notes
    -----
    The one owner of these sums for the Fine-Gray baseline and its interval
    (:func:`breslow_baseline`, :mod:`lifetools.prediction.cif_interval`). A row is at
    risk at ``s`` when ``fg_start < s <= fg_stop``; tied events share one risk set
    (Breslow). Each risk set's sum is taken over its rows in row order (numpy's
    pairwise sum), so ``S0`` is bit for bit what the crisis-risk model published
    before :func:`breslow_baseline` replaced its one-horizon loop (its ``log H0`` is
    in the published model at full precision); a one-pass sum by cumulative tails
    (the bootstrap's former version, and the interval's before it used this one; 25
    times faster on 1.9 million rows) differs from it by about 1e-12 relatively,
    through cancellation. The events' weights are 1 in finegray rows (rows with the
    event of interest are not expanded), so ``dN`` is exact.
    """
    start = rows["fg_start"].to_numpy(dtype=float)
    stop = rows["fg_stop"].to_numpy(dtype=float)
    event = rows["fg_status"].to_numpy() == 1
    weight = rows["fg_weight"].to_numpy(dtype=float)
    used = event & (stop <= up_to)
    times = np.unique(stop[used])
    events = np.bincount(np.searchsorted(times, stop[used]), weights=weight[used],
                         minlength=len(times))
    risk = weight * np.exp(lp)
    weighted = None if x is None else risk[:, None] * np.asarray(x, dtype=float)
    s0 = np.empty(len(times))
    s1 = None if weighted is None else np.empty((len(times), weighted.shape[1]))
    for k, t in enumerate(times):
        member = (start < t) & (stop >= t)
        s0[k] = risk[member].sum()
        if s1 is not None:
            s1[k] = weighted[member].sum(axis=0)
    return times, events, s0, s1


def breslow_baseline(rows: pd.DataFrame, lp: np.ndarray, times) -> np.ndarray:
    """Breslow baseline cumulative subdistribution hazard ``H0`` at each of ``times``.

    Parameters
    ----------
    rows : DataFrame
        Weighted Fine-Gray rows (:func:`finegray_rows`: ``fg_start``, ``fg_stop``,
        ``fg_status``, ``fg_weight``).
    lp : array
        Each row's linear predictor, covariates uncentred (``H0`` is then the baseline
        at covariates 0).
    times : array-like
        Times at which ``H0`` is wanted (any order; 0 before the first event).

    Notes
    -----
    ``H0(t) = sum over event times s <= t of d(s) / sum_{k at risk at s} w_k exp(lp_k)``:
    ``d(s)`` the summed weight of the events at ``s`` (tied events share one risk set,
    Breslow), the sums of :func:`risk_set_sums` up to the latest of ``times`` (one
    pass serves every time), accumulated in time order: ``H0`` is bit for bit what the
    crisis-risk model published before this function replaced its one-horizon loop.
    Checked against R ``survfit`` through
    :func:`lifetools.prediction.time_to_event.fit_fine_gray_risk` in
    ``tests/reference/test_fine_gray_risk_against_r.py`` (1e-7) and against the loop
    it replaced in ``tests/unit/test_finegray_bootstrap.py``.
    """
    times = np.asarray(times, dtype=float)
    event_times, events, at_risk, _ = risk_set_sums(rows, lp, times.max(initial=-np.inf))
    cumulative = np.cumsum(events / at_risk)
    return np.r_[0.0, cumulative][np.searchsorted(event_times, times, side="right")]


def fit_fine_gray(
    df: pd.DataFrame,
    *,
    duration_col: str,
    event_col: str,
    event_of_interest: int,
    covariates: Sequence[str],
    competing: Sequence[int] | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    robust: bool = True,
    alpha: float = 0.05,
) -> CoxResult:
    """Fine-Gray subdistribution hazard ratios (``estimate``) of ``event_of_interest``.

    Parameters
    ----------
    competing
        Event codes that compete (people stay in the risk set, weighted); None means
        every non-zero code other than ``event_of_interest``. Other codes are censored.
    robust
        Standard errors from the robust sandwich clustered by person (the source row),
        as R ``coxph(..., weights = fgwt, cluster = id)``; False gives the model-based
        errors of ``coxph(..., weights = fgwt)``.

    Returns
    -------
    CoxResult
        ``summary`` holds subdistribution hazard ratios; ``ph_test`` is None (the
        cox.zph test is not defined for these weighted rows); ``global_tests`` as
        :func:`~lifetools.survival.partial_likelihood.cox_global_tests` on the rows
        would give them, made from the fit's own log likelihoods and score test
        (:func:`~lifetools.survival.partial_likelihood.global_tests_table`).

    Notes
    -----
    Rows: :func:`finegray_rows` (R's ``finegray``); fit: weighted partial likelihood,
    Newton-Raphson (:func:`fit_weighted_cox`), Efron ties by default as R's
    ``coxph``; Wald intervals. Equals R ``finegray`` + ``coxph`` on mgus2 to 1e-8
    (coefficients) and 1e-6 (standard errors); differs from ``cmprsk::crr`` by about
    2e-3 in coefficients and 1% in standard errors (crr uses Breslow-type risk sets and
    a variance that allows for the estimated weights), see
    ``tests/reference/test_survival_extra_against_r.py``. Intervals that carry the
    estimated weights: :func:`lifetools.survival.bootstrap_fine_gray` (person-level
    bootstrap refitting everything). A fit that does not converge
    or has a degenerate term is flagged (``estimable`` False, ``reason``).
    """
    if ties not in ("efron", "breslow"):
        raise ValueError(f"ties must be 'efron' or 'breslow', not {ties!r}")
    terms = list(covariates)
    data = df[[duration_col, event_col, *terms]].astype({c: float for c in terms})
    rows = finegray_rows(data, duration_col=duration_col, event_col=event_col,
                         event_of_interest=event_of_interest, competing=competing)
    args = {"entry": rows["fg_start"], "weights": rows["fg_weight"], "ties": ties}
    n_events = int(rows["fg_status"].sum())
    notes: list[str] = []
    infinite: dict[str, str] = {}
    if n_events == 0:
        coef, cov, converged = np.full(len(terms), np.nan), None, False
        notes.append("not estimable: no events of interest")
    else:
        fit = fit_weighted_cox(rows["fg_stop"], rows["fg_status"], rows[terms], **args)
        coef, cov, converged = fit.coef, fit.cov, fit.converged
        infinite = {terms[j]: separation_reason(*fit.separated[j], event="events of "
                                                "interest") if j in fit.separated
                    else INFINITE for j in fit.infinite}
        if robust and converged:
            cov = weighted_robust_covariance(rows["fg_stop"], rows["fg_status"],
                                             rows[terms], coef, cov,
                                             clusters=rows["fg_row"], **args)
    se = standard_errors(cov) if cov is not None else np.full(len(terms), np.nan)
    degenerate = degenerate_terms(terms, coef, se, alpha=alpha)
    # an infinite coefficient's reason (separation) before the degenerate interval's
    bad = {t: infinite.get(t) or degenerate[t] for t in terms
           if t in infinite or t in degenerate}
    if not converged:
        bad = dict.fromkeys(terms, "did not converge")
    reason = "; ".join(f"{t}: {why}" for t, why in bad.items())
    if n_events == 0:
        reason = "no events of interest"
    elif reason:
        notes.append(f"not estimable: {reason}")
    summary = _summary(terms, coef, se, alpha, bad)
    # from the fit's own log likelihoods and score test (its Newton iterations), the
    # Wald test from the covariance reported (robust when clustered)
    tests = (global_tests_table(fit.loglik, fit.loglik_null, fit.score, coef, cov)
             if not reason else None)
    return CoxResult(
        summary=summary, ph_test=None, n_people=len(data), n_events=n_events,
        method={"estimator": "Fine-Gray subdistribution hazards (weighted Cox on "
                             "finegray rows)",
                "ties": ties, "ci_method": "Wald",
                "robust": "clustered by person" if robust else False,
                "weights": "Kaplan-Meier of the censoring distribution (R finegray)",
                "event_of_interest": event_of_interest,
                "competing": "all other event codes" if competing is None
                else list(competing),
                "backend": "lifetools weighted partial likelihood (Newton-Raphson)",
                "ph_test": "not run for Fine-Gray rows", "alpha": alpha,
                **library_versions()},
        warnings=tuple(notes), model=rows, estimable=not reason, reason=reason,
        global_tests=tests,
    )
