"""Cumulative incidence with competing risks: the exact Aalen-Johansen estimator.

lifelines' ``AalenJohansenFitter`` breaks tied times with random jitter, so its
estimate depends on a seed; a report series needs an exact, deterministic estimator.
This one follows the calculation of statsmodels' ``CumIncidenceRight`` (the tests
compare it with R and hand-worked examples, not with statsmodels) and adds delayed entry
(left truncation): the risk set at time t is everyone with entry < t <= stop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from lifetools.survival.kaplan_meier import CLOGLOG_ONE, at_risk_table, risk_sets
from lifetools.survival.results import CIFResult, curve_of_no_one, library_versions

__all__ = ["CLOGLOG_ONE", "aalen_johansen", "cif_limits", "estimate_cif", "every_time",
           "incidence_from_cloglog"]


def aalen_johansen(stop: np.ndarray, status: np.ndarray, event: int,
                   entry: np.ndarray | None = None):
    """Exact Aalen-Johansen cumulative incidence of ``event`` (status 0 = censored).

    Returns (times, cif, se, at_risk) at the distinct times with any event.
    """
    stop = np.asarray(stop, dtype=float)
    status = np.asarray(status).astype(int)
    entry = np.zeros_like(stop) if entry is None else np.asarray(entry, dtype=float)
    times = np.unique(stop[status > 0])
    starts = np.sort(entry)
    stops = np.sort(stop)
    n = (np.searchsorted(starts, times, side="left")
         - np.searchsorted(stops, times, side="left")).astype(float)
    order = np.searchsorted(times, stop[status > 0])
    d_all = np.bincount(order, minlength=len(times)).astype(float)
    d_k = np.bincount(np.searchsorted(times, stop[status == event]),
                      minlength=len(times)).astype(float)
    survival = np.cumprod(1 - d_all / n)
    sp0 = np.r_[1.0, survival[:-1]] / n
    ip = np.cumsum(sp0 * d_k)
    with np.errstate(divide="ignore", invalid="ignore"):
        ra = np.where(n > d_all, d_all / (n * (n - d_all)), 0.0)
    v = ip ** 2 * np.cumsum(ra) - 2 * ip * np.cumsum(ip * ra) + np.cumsum(ip ** 2 * ra)
    ra = (n - d_k) * d_k / n
    v += np.cumsum(sp0 ** 2 * ra)
    ra = sp0 * d_k / n
    v += -2 * ip * np.cumsum(ra) + 2 * np.cumsum(ip * ra)
    return times, ip, np.sqrt(np.clip(v, 0, None)), n


def every_time(times: np.ndarray, cif: np.ndarray, se: np.ndarray, *,
               stop: np.ndarray, entry: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`aalen_johansen`'s curve at every distinct time someone leaves follow-up.

    ``times``, ``cif``, ``se`` are its rows at the event times (of any type); the
    rows returned (times, cif, se, at risk) are at those and at every censoring time
    too, the estimate and its standard error carried from the last event time at or
    before (0 before the first), with the numbers at risk there (entry < t <= stop,
    :func:`aalen_johansen`'s risk set). As R's ``survfit`` lists a
    curve, and as :func:`lifetools.survival.estimate_km` does: a summary with event
    times only ended at the last event, so a curve drawn from it
    (:func:`lifetools.plots.survival_curve_table`) stopped there although many people
    were still followed (the 30,000-person re-referral figure stopped at day 210
    beside a share quoted by 330 days; issue 15, wave 39).
    """
    every = np.union1d(np.asarray(times, dtype=float), stop)
    at = np.searchsorted(times, every, side="right") - 1
    index = np.clip(at, 0, None)
    carried = [np.where(at >= 0, values[index], 0.0) if len(times)
               else np.zeros(len(every)) for values in (cif, se)]
    at_risk = (np.searchsorted(np.sort(entry), every, side="left")
               - np.searchsorted(np.sort(stop), every, side="left")).astype(float)
    return every, carried[0], carried[1], at_risk


def incidence_from_cloglog(v: np.ndarray) -> np.ndarray:
    """``1 - exp(-exp(v))``, the inverse of log(-log(1 - F)), without overflow.

    An interval's upper limit on the cloglog scale can be far above the estimate (a
    wide interval from a small group: 800 at 2,000 people), where ``exp(v)`` overflows
    to infinity with a RuntimeWarning although the incidence is exactly 1. Values at or
    above :data:`CLOGLOG_ONE` are taken there first (the result is 1 either way); NaN
    stays NaN. Tested in ``tests/unit/test_cif_cloglog.py``.
    """
    return -np.expm1(-np.exp(np.minimum(v, CLOGLOG_ONE)))


def cif_limits(cif: np.ndarray, se: np.ndarray, z: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits of a cumulative incidence on the log(-log(1 - F)) scale.

    An estimate of exactly 0 or 1 with standard error 0 is its own limits. Where the
    interval otherwise does not exist (F of 0 or 1 with a positive standard error) the
    limits are NaN: never replaced by 0.
    """
    cif, se = np.asarray(cif, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.log(-np.log(1 - cif))
        half = z * se / np.abs((1 - cif) * np.log(1 - cif))
        lower = 1 - np.exp(-np.exp(np.minimum(scale - half, CLOGLOG_ONE)))
        upper = 1 - np.exp(-np.exp(np.minimum(scale + half, CLOGLOG_ONE)))
    certain = ((cif == 0) | (cif == 1)) & (se == 0)  # no variance: the point itself
    return np.where(certain, cif, lower), np.where(certain, cif, upper)


def estimate_cif(
    df: pd.DataFrame,
    *,
    duration_col: str,
    event_col: str,
    event_of_interest: int,
    group_col: str | None = None,
    entry_col: str | None = None,
    times: Sequence[float] = (0, 90, 180, 365, 730),
    alpha: float = 0.05,
) -> CIFResult:
    """Cumulative incidence of one event type with the others competing, by group.

    Parameters
    ----------
    event_col
        Integer event codes: 0 censored, 1, 2, ... one per event type.
    event_of_interest
        The code whose cumulative incidence is estimated.

    Returns
    -------
    CIFResult
        ``summary``: one row per group and distinct time of any event or censoring
        (:func:`every_time`; as R ``survfit`` and :func:`~lifetools.survival.estimate_km`
        list a curve), ``events`` the events of interest there (0 at a censoring
        time, where the estimate is carried).

    Notes
    -----
    Exact Aalen-Johansen estimator (no jitter; deterministic) with delayed entry;
    standard errors by the delta method as in statsmodels ``CumIncidenceRight``;
    confidence intervals on the log(-log(1 - F)) scale, kept inside (0, 1). An
    estimate of exactly 0 or 1 with standard error 0 has that value as both limits;
    where the interval otherwise does not exist the limits are NaN (never replaced by
    0) and ``warnings`` says so. Checked against R ``survfit`` on
    ``mgus2`` in ``tests/reference/test_survival_against_r.py``
    (``test_aalen_johansen_mgus2_against_r``: estimates and standard errors to 1e-8;
    without delayed entry the delta-method and R's infinitesimal-jackknife standard
    errors coincide; with it they differ, by up to 8% on ``mgus2`` with the entry
    times of ``tests/reference/test_delayed_entry_curves_against_r.py``, where the
    estimates agree to 1e-10 and, with one event type, the delta-method error equals
    R's Greenwood error of 1 - KM to 1e-12) and by hand in ``tests/unit/test_survival.py``
    (``test_aalen_johansen_hand_example``,
    ``test_aalen_johansen_delayed_entry_shrinks_risk_set``). No test compares it with
    statsmodels.
    """
    z = norm.ppf(1 - alpha / 2)
    frames = []
    groups = [("All", df)] if group_col is None else sorted(df.groupby(group_col))
    for name, part in (g for g in groups if len(g[1])):  # no curve of no people
        stop = part[duration_col].to_numpy(dtype=float)
        entry = part[entry_col].to_numpy(dtype=float) if entry_col else np.zeros(len(stop))
        times_k, cif, se, _ = aalen_johansen(stop, part[event_col].to_numpy(),
                                             event_of_interest, entry)
        times_k, cif, se, n = every_time(times_k, cif, se, stop=stop, entry=entry)
        lower, upper = cif_limits(cif, se, z)
        # events of interest at each time (what a step of the curve counts)
        of_interest = part.loc[part[event_col] == event_of_interest, duration_col]
        events = of_interest.astype(float).value_counts().reindex(
            np.asarray(times_k, dtype=float), fill_value=0).to_numpy(dtype=int)
        frames.append(pd.DataFrame({
            "group": name, "time": times_k, "estimate": cif,
            "ci_lower": lower, "ci_upper": upper, "se": se, "at_risk": n,
            "events": events}))
    # no people (a small locality's cohort): a summary of no rows, not pandas' error
    summary = (pd.concat(frames, ignore_index=True) if frames
               else curve_of_no_one(("events",)))
    undefined = summary["ci_lower"].isna() | summary["ci_upper"].isna()
    notes = ()
    if undefined.any():
        notes = ("confidence limits undefined (NaN, kept) at some times: estimate 0 "
                 "or 1 with a non-zero standard "
                 "error, or 0 < F < 1 with a standard error of 0, where the "
                 "log(-log(1 - F)) interval does not exist",)
    events = df[event_col].to_numpy()
    return CIFResult(
        summary=summary,
        at_risk=at_risk_table(df, duration_col=duration_col, times=times,
                              group_col=group_col, entry_col=entry_col),
        event_of_interest=event_of_interest, n_people=len(df),
        risk_sets=risk_sets(df, duration_col=duration_col, group_col=group_col,
                            entry_col=entry_col),
        n_events=int((events == event_of_interest).sum()),
        method={"estimator": "Aalen-Johansen (exact, deterministic)",
                "ci_method": "delta-method SE, log(-log(1-F)) transformed",
                "ties": "all events at a time counted together (no jitter)",
                "delayed_entry": entry_col is not None, "alpha": alpha,
                **library_versions()},
        warnings=notes,
    )
