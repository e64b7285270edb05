"""Kaplan-Meier survival with log-log confidence intervals and the log-rank test."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from lifetools.survival.results import KMResult, curve_of_no_one, library_versions

__all__ = ["CLOGLOG_ONE", "CONF_TYPES", "at_risk_table", "estimate_km", "km_limits", "logrank_test",
           "product_limit",
           "risk_sets",
           "median_survival"]

CONF_TYPES = ("log-log", "log", "plain")

CLOGLOG_ONE = 40.0
"""A log(-log) value at or above which ``exp(-exp(v))`` is 0 in double precision
(``1 - exp(-exp(v))``, an incidence, is 1): clipping there first only avoids overflow.
Used by the Kaplan-Meier log-log limits here and the cumulative-incidence limits of
:mod:`lifetools.survival.competing` (which imports this module, so it lives here)."""
CI_NAMES = {"log-log": "log-log (exponential Greenwood)",
            "log": "log (R survfit's default)", "plain": "plain (linear, S +/- z SE)"}

LOGRANK_TEST = ("log-rank, statsmodels survdiff (delayed entry: at risk on "
                "(entry, stop])")


def at_risk_table(df: pd.DataFrame, *, duration_col: str, times: Sequence[float],
                  group_col: str | None = None, entry_col: str | None = None
                  ) -> pd.DataFrame:
    """Numbers at risk (raw) at each time: entered before and still in follow-up."""
    rows = []
    groups = [(None, df)] if group_col is None else sorted(df.groupby(group_col))
    for name, part in groups:
        stop = part[duration_col].to_numpy()
        entry = part[entry_col].to_numpy() if entry_col else np.zeros(len(part))
        for t in times:
            entered = (entry < t) | ((t == 0) & (entry == 0))
            rows.append({"group": "All" if name is None else name, "time": float(t),
                         "at_risk": int((entered & (stop >= t)).sum())})
    return pd.DataFrame(rows)


def risk_sets(df: pd.DataFrame, *, duration_col: str, group_col: str | None = None,
              entry_col: str | None = None) -> pd.DataFrame:
    """Each person's group ("All" without groups), ``entry`` (0 without delayed entry)
    and ``stop``: what :func:`at_risk_table` counts, kept so that numbers at risk can be
    read at any day later (``risk_sets`` of a result; raw, never published)."""
    return pd.DataFrame({
        "group": "All" if group_col is None else df[group_col].to_numpy(),
        "entry": df[entry_col].to_numpy(dtype=float) if entry_col else 0.0,
        "stop": df[duration_col].to_numpy(dtype=float)}).reset_index(drop=True)


def logrank_test(df: pd.DataFrame, *, duration_col: str, event_col: str,
                 group_col: str, entry_col: str | None = None, rho: float = 0.0
                 ) -> dict[str, float]:
    """Log-rank test of equal survival across groups, allowing for delayed entry.

    Returns the chi-squared statistic, its degrees of freedom (groups - 1) and the
    p-value. Rows with a missing group are left out, as in the curves.

    Parameters
    ----------
    rho
        Fleming-Harrington G^rho weight, as R ``survdiff(rho = )``: each event time
        is weighted by S(t-)^rho, the pooled Kaplan-Meier estimate just before it.
        0 (the default) is the log-rank test; 1 is the Peto-Peto modification of the
        Gehan-Wilcoxon test, which weights early differences more.

    Notes
    -----
    statsmodels ``survdiff`` (unweighted: the log-rank test; hypergeometric variance).
    With ``entry_col`` a person is in the risk set at time t when entry < t <= stop,
    the same risk set as the Kaplan-Meier curves; R ``survdiff`` has no delayed entry,
    so the reference is R ``coxph(Surv(entry, stop, event) ~ group, ties = "exact")``,
    whose score test is the log-rank statistic: ``test_logrank_delayed_entry_against_r``
    in ``tests/reference/test_survival_against_r.py``; a hand-worked example in
    ``tests/unit/test_survival.py::test_logrank_delayed_entry_hand_example``.
    Weighted (``rho`` > 0): statsmodels ``survdiff(weight_type="fh", fh_p=rho)``,
    equal to R ``survdiff(rho = )`` to 1e-10 on Rossi
    (``test_weighted_logrank_rossi_against_r``); with delayed entry the weight is the
    pooled Kaplan-Meier estimate with the same (entry, stop] risk sets (no R reference:
    R's survdiff has no delayed entry).
    """
    from scipy.stats import chi2
    from statsmodels.duration.survfunc import survdiff

    part = df.loc[df[group_col].notna()]
    groups = part[group_col].astype(str).to_numpy()
    entry = part[entry_col].to_numpy(dtype=float) if entry_col else None
    if rho < 0:
        raise ValueError(f"rho must be 0 or more, not {rho}")
    weights = {"weight_type": "fh", "fh_p": float(rho)} if rho else {}
    statistic, _ = survdiff(part[duration_col].to_numpy(dtype=float),
                            (part[event_col] != 0).to_numpy(dtype=float), groups,
                            entry=entry, **weights)
    dof = len(np.unique(groups)) - 1
    return {"statistic": float(statistic), "df": float(dof),
            "p_value": float(chi2.sf(statistic, dof))}


def _risk_set(entry: np.ndarray, stop: np.ndarray, times: np.ndarray,
              fallback: np.ndarray) -> np.ndarray:
    """People at risk at each time with delayed entry: entry < t <= stop, as R.

    lifelines' ``event_table["at_risk"]`` counts people who enter at t as at risk at t
    (its survival function does not), which put them in the Greenwood sum and in the
    numbers at risk at every time that is both an entry and an event time. The row at
    time 0 keeps ``fallback`` (everyone who enters at 0: at risk from the start).
    """
    n = (np.searchsorted(np.sort(entry), times, side="left")
         - np.searchsorted(np.sort(stop), times, side="left")).astype(float)
    return np.where(times > 0, n, fallback)


def product_limit(entry: np.ndarray, stop: np.ndarray, event: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The Kaplan-Meier product limit with delayed entry, as R ``survfit``.

    Parameters
    ----------
    entry
        Each person's entry time (at risk after it).
    stop
        Each person's time of the event or censoring.
    event
        Each person's event indicator (non-zero: an event at ``stop``).

    Returns
    -------
    times : numpy.ndarray
        0, every entry and every stop, sorted and distinct.
    survival : numpy.ndarray
        S(t) at each time.
    at_risk : numpy.ndarray
        The numbers at risk (entry < t <= stop; at time 0 those entering at 0).
    events : numpy.ndarray
        The events at each time (floats).

    Notes
    -----
    lifelines refuses (``StatError``) a curve whose risk set empties in the first half
    of its times ("too few early truncation times"), as a small locality's discharge
    cohort did; R estimates it: S(t) is the product of 1 - d/n over the event times up
    to t, 0 from a time where everyone at risk had the event, and a time with no one at
    risk has no event and changes nothing. Where lifelines estimates a curve, this
    gives its survival function (``tests/unit/test_small_groups.py``).
    """
    entry, stop = np.asarray(entry, dtype=float), np.asarray(stop, dtype=float)
    times = np.union1d(np.union1d(entry, stop), [0.0])
    # at time 0 the people entering at it are at risk, as lifelines' event table and
    # at_risk_table count them (entry < t would count none: the curve's first point
    # then fell below a chart's fewest at risk and was not drawn)
    n = _risk_set(entry, stop, times, np.count_nonzero((entry <= 0) & (stop > 0)))
    ends = np.sort(stop[np.asarray(event) != 0])
    d = (np.searchsorted(ends, times, side="right")
         - np.searchsorted(ends, times, side="left")).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(d > 0, 1 - d / n, 1.0)
    return times, np.cumprod(factor), n, d


def km_limits(surv: np.ndarray, greenwood: np.ndarray, z: float,
              conf_type: str) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits of S(t) from the Greenwood sum, as R ``survfit``'s conf.type.

    ``greenwood`` is the cumulative sum of d / (n (n - d)), the variance of log S(t).
    Limits are kept inside [0, 1]. Before the first event (S = 1, variance 0) both
    limits are 1 (R gives NA for log-log there); where a transform is otherwise
    undefined (S = 0 for log and log-log) the limits are NaN, as R's NA.
    """
    surv = np.asarray(surv, dtype=float)
    sd = np.sqrt(np.asarray(greenwood, dtype=float))  # standard error of log S
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = z * sd * surv
            lower, upper = surv - half, surv + half
        elif conf_type == "log":
            lower, upper = surv * np.exp(-z * sd), surv * np.exp(z * sd)
            lower, upper = np.where(surv > 0, lower, np.nan), np.where(surv > 0, upper,
                                                                     np.nan)
        elif conf_type == "log-log":
            scale = np.log(-np.log(surv))
            half = z * sd / np.abs(np.log(surv))
            # exp(-exp(CLOGLOG_ONE)) is 0 in double precision: the clip only avoids overflow
            lower = np.exp(-np.exp(np.minimum(scale + half, CLOGLOG_ONE)))
            upper = np.exp(-np.exp(np.minimum(scale - half, CLOGLOG_ONE)))
            inside = (surv > 0) & (surv < 1)
            lower, upper = np.where(inside, lower, np.nan), np.where(inside, upper, np.nan)
        else:
            raise ValueError(f"conf_type must be one of {CONF_TYPES}, not {conf_type!r}")
    none_yet = np.asarray(greenwood, dtype=float) == 0
    lower, upper = np.where(none_yet, surv, lower), np.where(none_yet, surv, upper)
    return np.clip(lower, 0, 1), np.clip(upper, 0, 1)


def _quantile_time(times: np.ndarray, curve: np.ndarray, p: float = 0.5) -> float:
    """First time the curve falls to 1 - p; the midpoint of a flat exactly at it.

    R ``quantile.survfit``'s rule: where the curve equals 1 - p (within
    sqrt(machine epsilon)) over an interval, the quantile is the midpoint of that
    interval's start and the next time the curve drops (or the last time).
    """
    tol = np.sqrt(np.finfo(float).eps)
    keep = ~np.isnan(curve)
    x = np.r_[0.0, np.asarray(times, dtype=float)[keep]]
    y = np.r_[0.0, 1 - np.asarray(curve, dtype=float)[keep]]
    if len(y) == 0 or y.max() < p:
        return float("nan")
    xmax = x[-1]
    first = np.r_[True, np.diff(y) != 0]  # drop repeated values (censoring times)
    x, y = x[first], y[first]
    hit1, hit2 = np.flatnonzero(y >= p - tol), np.flatnonzero(y >= p + tol)
    if not len(hit1):
        return float("nan")
    if abs(y[-1] - p) < tol:  # the curve ends on a flat at the quantile
        return float((x[hit1[0]] + xmax) / 2)
    return float((x[hit1[0]] + x[hit2[0]]) / 2)


def median_survival(summary: pd.DataFrame) -> pd.DataFrame:
    """Median survival time and its confidence interval per group, as R ``survfit``.

    From a :func:`estimate_km` summary (every time, all groups): the median is where
    the estimate reaches 0.5; its limits are where the upper and lower confidence
    curves reach it (Brookmeyer-Crowley by inverting the pointwise intervals, so
    the limits depend on the CI type). NaN when a curve never reaches 0.5.
    """
    rows = []
    for group, part in summary.groupby("group", sort=False):
        t = part["time"].to_numpy()
        rows.append({"group": group,
                     "median": _quantile_time(t, part["estimate"].to_numpy()),
                     "ci_lower": _quantile_time(t, part["ci_lower"].to_numpy()),
                     "ci_upper": _quantile_time(t, part["ci_upper"].to_numpy())})
    return pd.DataFrame(rows, columns=["group", "median", "ci_lower", "ci_upper"])


def estimate_km(
    df: pd.DataFrame,
    *,
    duration_col: str,
    event_col: str,
    group_col: str | None = None,
    entry_col: str | None = None,
    times: Sequence[float] = (0, 90, 180, 365, 730),
    alpha: float = 0.05,
    conf_type: Literal["log-log", "log", "plain"] = "log-log",
) -> KMResult:
    """Kaplan-Meier estimate of survival (time to any event in ``event_col``), by group.

    Parameters
    ----------
    df
        One row per person: duration, event indicator (non-zero = event), optional
        group and entry (delayed entry / left truncation) columns.
    times
        Times at which numbers at risk are tabulated.
    conf_type
        Confidence interval type, as R ``survfit``'s ``conf.type``: ``"log-log"``
        (default here), ``"log"`` (R's default) or ``"plain"``.

    Returns
    -------
    KMResult

    Notes
    -----
    lifelines ``KaplanMeierFitter`` for the estimate; Greenwood variance of log S over
    the risk sets entry < t <= stop (R's; lifelines' event table also counts people
    entering at t), standard error of S(t) in ``se`` (R's ``summary(survfit)$std.err``),
    numbers at risk in ``at_risk`` on the same risk sets; intervals
    of ``conf_type`` (log-log by default, "exponential Greenwood"; R's default is
    "log"). ``medians``: median survival per group with its interval, by R's rule
    (:func:`median_survival`). Tied event times are handled as in
    Kaplan-Meier (all events at a time count together). Log-rank test (k - 1 degrees
    of freedom, hypergeometric variance): statsmodels ``survdiff``, which allows for
    delayed entry like the curves (a person is at risk on (entry, stop]); without entry
    it equals R ``survdiff`` and lifelines ``multivariate_logrank_test``. The test used
    is recorded in ``method["logrank_test"]``. Checked in
    ``tests/reference/test_survival_against_r.py`` (``test_km_loglog_rossi_against_r``,
    ``test_km_se_limits_and_median_lung_against_r``,
    ``test_logrank_rossi_against_r``, ``test_logrank_delayed_entry_against_r``),
    ``tests/reference/test_delayed_entry_curves_against_r.py`` (delayed entry) and
    ``tests/unit/test_survival.py`` (``test_logrank_delayed_entry_hand_example``).
    """
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError

    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}, not {conf_type!r}")
    z = norm.ppf(1 - alpha / 2)
    events = (df[event_col] != 0).astype(int)
    frames, models = [], {}
    groups = [("All", df)] if group_col is None else sorted(df.groupby(group_col))
    for name, part in (g for g in groups if len(g[1])):  # no curve of no people
        fitter = KaplanMeierFitter(alpha=alpha)
        try:
            fitter.fit(part[duration_col], events.loc[part.index],
                       entry=part[entry_col] if entry_col else None, label=str(name))
        except StatError:  # lifelines refuses a risk set that empties early
            fitter = None
        if fitter is None:
            times_k, sf_values, n, d = product_limit(
                part[entry_col].to_numpy(float), part[duration_col].to_numpy(float),
                events.loc[part.index].to_numpy())
            sf = pd.Series(sf_values, index=times_k)
            table = pd.DataFrame({"at_risk": n, "observed": d}, index=times_k)
        else:
            sf = fitter.survival_function_.iloc[:, 0]
            table = fitter.event_table.reindex(sf.index)
            n, d = table["at_risk"].to_numpy(float), table["observed"].to_numpy(float)
        if entry_col:
            n = _risk_set(part[entry_col].to_numpy(float),
                          part[duration_col].to_numpy(float), sf.index.to_numpy(float), n)
        with np.errstate(divide="ignore", invalid="ignore"):
            greenwood = np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0))
        lower, upper = km_limits(sf.to_numpy(), greenwood, z, conf_type)
        frames.append(pd.DataFrame({
            "group": name, "time": sf.index.to_numpy(dtype=float),
            "estimate": sf.to_numpy(), "ci_lower": lower, "ci_upper": upper,
            "se": sf.to_numpy() * np.sqrt(greenwood),
            "at_risk": n.astype(int),
            "events": table["observed"].to_numpy(dtype=int),
        }))
        models[name] = fitter
    logrank = None
    if group_col is not None and df[group_col].nunique() > 1:
        logrank = logrank_test(df, duration_col=duration_col, event_col=event_col,
                               group_col=group_col, entry_col=entry_col)
    # no people (a small group's cohort): a summary of no rows, not pandas' error
    summary = (pd.concat(frames, ignore_index=True) if frames
               else curve_of_no_one(("at_risk", "events")))
    return KMResult(
        summary=summary, medians=median_survival(summary),
        at_risk=at_risk_table(df, duration_col=duration_col, times=times,
                              group_col=group_col, entry_col=entry_col),
        logrank=logrank, n_people=len(df), n_events=int(events.sum()),
        risk_sets=risk_sets(df, duration_col=duration_col, group_col=group_col,
                            entry_col=entry_col),
        method={"estimator": "Kaplan-Meier", "ci_method": CI_NAMES[conf_type],
                "se": "Greenwood", "median": "R survfit rule (midpoint of a flat at 0.5)",
                "ties": "Kaplan-Meier (events at a time counted together)",
                "alpha": alpha, "delayed_entry": entry_col is not None,
                "logrank_test": LOGRANK_TEST if logrank else None,
                **library_versions()},
        model=models,
    )
