"""Kaplan-Meier survival with log-log confidence intervals and the log-rank test."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from lifetools.survival.results import KMResult, library_versions

__all__ = ["at_risk_table", "estimate_km", "logrank_test"]

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


def logrank_test(df: pd.DataFrame, *, duration_col: str, event_col: str,
                 group_col: str, entry_col: str | None = None) -> dict[str, float]:
    """Log-rank test of equal survival across groups, allowing for delayed entry.

    Returns the chi-squared statistic, its degrees of freedom (groups - 1) and the
    p-value. Rows with a missing group are left out, as in the curves.

    Notes
    -----
    statsmodels ``survdiff`` (unweighted: the log-rank test; hypergeometric variance).
    With ``entry_col`` a person is in the risk set at time t when entry < t <= stop,
    the same risk set as the Kaplan-Meier curves; R ``survdiff`` has no delayed entry,
    so the reference is R ``coxph(Surv(entry, stop, event) ~ group, ties = "exact")``,
    whose score test is the log-rank statistic: ``test_logrank_delayed_entry_against_r``
    in ``tests/reference/test_survival_against_r.py``; a hand-worked example in
    ``tests/unit/test_survival.py::test_logrank_delayed_entry_hand_example``.
    """
    from scipy.stats import chi2
    from statsmodels.duration.survfunc import survdiff

    part = df.loc[df[group_col].notna()]
    groups = part[group_col].astype(str).to_numpy()
    entry = part[entry_col].to_numpy(dtype=float) if entry_col else None
    statistic, _ = survdiff(part[duration_col].to_numpy(dtype=float),
                            (part[event_col] != 0).to_numpy(dtype=float), groups,
                            entry=entry)
    dof = len(np.unique(groups)) - 1
    return {"statistic": float(statistic), "df": float(dof),
            "p_value": float(chi2.sf(statistic, dof))}


def estimate_km(
    df: pd.DataFrame,
    *,
    duration_col: str,
    event_col: str,
    group_col: str | None = None,
    entry_col: str | None = None,
    times: Sequence[float] = (0, 90, 180, 365, 730),
    alpha: float = 0.05,
) -> KMResult:
    """Kaplan-Meier estimate of survival (time to any event in ``event_col``), by group.

    Parameters
    ----------
    df
        One row per person: duration, event indicator (non-zero = event), optional
        group and entry (delayed entry / left truncation) columns.
    times
        Times at which numbers at risk are tabulated.

    Returns
    -------
    KMResult

    Notes
    -----
    lifelines ``KaplanMeierFitter``; confidence intervals are log-log transformed
    ("exponential Greenwood"; R's ``survfit`` default is "log", so set
    ``conf.type="log-log"`` there to compare). Tied event times are handled as in
    Kaplan-Meier (all events at a time count together). Log-rank test (k - 1 degrees
    of freedom, hypergeometric variance): statsmodels ``survdiff``, which allows for
    delayed entry like the curves (a person is at risk on (entry, stop]); without entry
    it equals R ``survdiff`` and lifelines ``multivariate_logrank_test``. The test used
    is recorded in ``method["logrank_test"]``. Checked in
    ``tests/reference/test_survival_against_r.py`` (``test_km_loglog_rossi_against_r``,
    ``test_logrank_rossi_against_r``, ``test_logrank_delayed_entry_against_r``) and
    ``tests/unit/test_survival.py`` (``test_logrank_delayed_entry_hand_example``).
    """
    from lifelines import KaplanMeierFitter

    events = (df[event_col] != 0).astype(int)
    frames, models = [], {}
    groups = [("All", df)] if group_col is None else sorted(df.groupby(group_col))
    for name, part in groups:
        fitter = KaplanMeierFitter(alpha=alpha)
        fitter.fit(part[duration_col], events.loc[part.index],
                   entry=part[entry_col] if entry_col else None, label=str(name))
        sf = fitter.survival_function_.iloc[:, 0]
        ci = fitter.confidence_interval_survival_function_
        table = fitter.event_table
        frames.append(pd.DataFrame({
            "group": name, "time": sf.index.to_numpy(dtype=float),
            "estimate": sf.to_numpy(), "ci_lower": ci.iloc[:, 0].to_numpy(),
            "ci_upper": ci.iloc[:, 1].to_numpy(),
            "at_risk": table["at_risk"].reindex(sf.index).to_numpy(),
        }))
        models[name] = fitter
    logrank = None
    if group_col is not None and df[group_col].nunique() > 1:
        logrank = logrank_test(df, duration_col=duration_col, event_col=event_col,
                               group_col=group_col, entry_col=entry_col)
    return KMResult(
        summary=pd.concat(frames, ignore_index=True),
        at_risk=at_risk_table(df, duration_col=duration_col, times=times,
                              group_col=group_col, entry_col=entry_col),
        logrank=logrank, n_people=len(df), n_events=int(events.sum()),
        method={"estimator": "Kaplan-Meier", "ci_method": "log-log (exponential Greenwood)",
                "ties": "Kaplan-Meier (events at a time counted together)",
                "alpha": alpha, "delayed_entry": entry_col is not None,
                "logrank_test": LOGRANK_TEST if logrank else None,
                **library_versions()},
        model=models,
    )
