"""Cox proportional hazards: one row per person, and start-stop (time-varying) rows."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from lifetools.errors import StatisticalWarning
from lifetools.survival.results import CoxResult, library_versions

__all__ = ["LARGE_DATA_ROWS", "fit_cox", "fit_cox_time_varying", "ph_test"]

LARGE_DATA_ROWS = 20_000
"""Above this many rows the statsmodels backend is used (faster): start-stop rows, and
one row per person with delayed entry.

Measured by ``benchmarks/run.py`` (fit only, one thread), start-stop discharge cohorts:
PHReg 1.3 s against lifelines' 3.6 s at 28,853 rows, 1.1 s against 5.8 s at 43,486,
7.3 s against 137 s at 1,000,000; about even below 5,000 rows. Delayed entry at
1,000,000 rows: PHReg 7.6 s against lifelines ``CoxPHFitter`` 116 s.
"""
ENTRY_NUDGE = 1e-6


def _summary(terms, coef, se, alpha: float) -> pd.DataFrame:
    z = norm.ppf(1 - alpha / 2)
    coef, se = np.asarray(coef, float), np.asarray(se, float)
    return pd.DataFrame({
        "term": list(terms), "estimate": np.exp(coef), "ci_lower": np.exp(coef - z * se),
        "ci_upper": np.exp(coef + z * se),
        "p_value": 2 * norm.sf(np.abs(coef / se)), "coef": coef, "se": se,
    })


def ph_test(fitter, df: pd.DataFrame) -> pd.DataFrame:
    """Scaled Schoenfeld residual test of proportional hazards, per term (rank time)."""
    from lifelines.statistics import proportional_hazard_test

    test = proportional_hazard_test(fitter, df, time_transform="rank")
    table = test.summary.reset_index()
    return pd.DataFrame({"term": table.iloc[:, 0].astype(str),
                         "statistic": table["test_statistic"].to_numpy(),
                         "p_value": table["p"].to_numpy()})


PH_TEST = "scaled Schoenfeld residuals against rank time (lifelines)"
PH_SKIPPED_ENTRY = ("proportional hazards not tested: lifelines cannot compute "
                    "Schoenfeld residuals with delayed entry (entry_col); test a model "
                    "without delayed entry, such as the landmark model")


def _check_ph(fitter, data: pd.DataFrame, *, check_ph: bool, entry_col: str | None,
              cluster_col: str | None) -> tuple[pd.DataFrame | None, list[str], str]:
    """Run the PH test if asked and possible: (table, notes, method record entry)."""
    if not check_ph:
        return None, [], "not requested (check_ph=False)"
    if entry_col is not None:
        return None, [PH_SKIPPED_ENTRY], "not run: delayed entry (entry_col)"
    table = ph_test(fitter, data.drop(columns=[c for c in (cluster_col,) if c]))
    failing = table.loc[table["p_value"] < 0.05, "term"].tolist()
    notes = []
    if failing:
        notes.append(f"proportional hazards may not hold for {failing} "
                     "(scaled Schoenfeld residuals, p < 0.05)")
        warnings.warn(notes[-1], StatisticalWarning, stacklevel=3)
    return table, notes, PH_TEST


def fit_cox(
    df: pd.DataFrame,
    *,
    duration_col: str,
    event_col: str,
    covariates: Sequence[str],
    entry_col: str | None = None,
    ties: Literal["efron"] = "efron",
    robust: bool = False,
    cluster_col: str | None = None,
    strata: Sequence[str] | None = None,
    alpha: float = 0.05,
    check_ph: bool = True,
) -> CoxResult:
    """Fit a Cox proportional-hazards model, one row per person.

    Parameters
    ----------
    event_col
        1 = event of interest, 0 = censored (competing events are censored: a
        cause-specific hazard).
    entry_col
        Delayed entry (left truncation) time, e.g. for referrals already open at the
        start of the period.
    robust, cluster_col
        Sandwich (robust) standard errors, clustered when ``cluster_col`` is given.

    Notes
    -----
    Partial likelihood with Efron's tie handling (lifelines ``CoxPHFitter``, which
    supports only Efron); Wald confidence intervals at ``1 - alpha``; robust errors are
    lifelines' sandwich estimator (on tied data they differ from R's by 1-4%). With
    delayed entry and more than ``LARGE_DATA_ROWS`` rows (no robust errors, clusters
    or strata) statsmodels ``PHReg`` (Efron, ``entry + 1e-6`` as in
    :func:`fit_cox_time_varying`) is used instead: lifelines is about 15x slower there
    (``benchmarks/run.py``); both give the same estimates.
    Proportional hazards is tested with scaled Schoenfeld residuals against rank time;
    a term with p < 0.05 raises a :class:`StatisticalWarning` and is listed in
    ``warnings``. With ``entry_col`` the test is not run (lifelines raises
    ``NotImplementedError`` for residuals with delayed entry): ``ph_test`` is None, and
    ``warnings`` and ``method["ph_test"]`` say so. Checked against R
    ``survival::coxph`` in ``tests/reference/test_survival_against_r.py``
    (``test_cox_efron_rossi_against_r``); the PH test and its skip in
    ``tests/unit/test_survival.py``.
    """
    from lifelines import CoxPHFitter

    columns = [duration_col, event_col, *covariates]
    columns += [c for c in (entry_col, cluster_col) if c]
    columns += list(strata or [])
    data = df[list(dict.fromkeys(columns))].astype(
        {c: float for c in covariates}).reset_index(drop=True)
    backend = "lifelines CoxPHFitter"
    if (entry_col and not robust and not cluster_col and not strata
            and len(data) > LARGE_DATA_ROWS):
        from statsmodels.duration.hazard_regression import PHReg

        backend = "statsmodels PHReg (entry + 1e-6)"
        fitter = PHReg(data[duration_col].to_numpy(float),
                       data[list(covariates)].to_numpy(float),
                       status=data[event_col].to_numpy(float),
                       entry=data[entry_col].to_numpy(float) + ENTRY_NUDGE,
                       ties="efron").fit()
        summary = _summary(list(covariates), fitter.params, fitter.bse, alpha)
    else:
        fitter = CoxPHFitter(alpha=alpha, strata=list(strata) if strata else None)
        fitter.fit(data, duration_col=duration_col, event_col=event_col,
                   entry_col=entry_col, robust=robust or cluster_col is not None,
                   cluster_col=cluster_col)
        summary = _summary(list(fitter.params_.index), fitter.params_.to_numpy(),
                           fitter.standard_errors_.to_numpy(), alpha)
    table, notes, ph_record = _check_ph(fitter, data, check_ph=check_ph,
                                        entry_col=entry_col, cluster_col=cluster_col)
    return CoxResult(
        summary=summary, ph_test=table, n_people=len(data),
        n_events=int(data[event_col].sum()),
        method={"estimator": "Cox proportional hazards (partial likelihood)",
                "ties": ties, "ci_method": "Wald", "robust": robust or bool(cluster_col),
                "delayed_entry": entry_col is not None, "backend": backend,
                "alpha": alpha, "ph_test": ph_record, **library_versions()},
        warnings=tuple(notes), model=fitter,
    )


def fit_cox_time_varying(
    long_df: pd.DataFrame,
    *,
    id_col: str,
    start_col: str,
    stop_col: str,
    event_col: str,
    covariates: Sequence[str],
    ties: Literal["efron"] = "efron",
    backend: Literal["auto", "lifelines", "statsmodels"] = "auto",
    alpha: float = 0.05,
) -> CoxResult:
    """Fit a Cox model to start-stop (counting-process) rows: time-varying exposure.

    Notes
    -----
    Each row is at risk on (start, stop]. Efron ties. Backends: lifelines
    ``CoxTimeVaryingFitter`` (matches R ``coxph(Surv(start, stop, event) ~ ...)``) or,
    for more than ``LARGE_DATA_ROWS`` rows (``backend="auto"``), statsmodels ``PHReg``
    with ``ties="efron"`` and ``entry = start + 1e-6``: PHReg treats a row as at risk on
    [entry, stop], which double-counts a person whose row ends when their next row starts
    unless entry is nudged. Both backends agree (``tests/unit/test_survival.py``,
    ``test_cox_recovers_log_hazard_ratio_and_backends_agree``);
    the Stanford heart transplant model is checked against R in
    ``tests/reference/test_survival_against_r.py``. No robust errors and no
    proportional-hazards test (``method["ph_test"]`` says so).
    """
    chosen = backend
    if backend == "auto":
        chosen = "statsmodels" if len(long_df) > LARGE_DATA_ROWS else "lifelines"
    x = long_df[list(covariates)].astype(float)
    if chosen == "lifelines":
        from lifelines import CoxTimeVaryingFitter

        data = pd.concat([long_df[[id_col, start_col, stop_col, event_col]], x], axis=1)
        fitter = CoxTimeVaryingFitter(alpha=alpha)
        fitter.fit(data.reset_index(drop=True), id_col=id_col, start_col=start_col,
                   stop_col=stop_col, event_col=event_col)
        coef, se = fitter.params_.to_numpy(), fitter.standard_errors_.to_numpy()
        terms = list(fitter.params_.index)
    else:
        from statsmodels.duration.hazard_regression import PHReg

        fitter = PHReg(long_df[stop_col].to_numpy(float), x.to_numpy(),
                       status=long_df[event_col].to_numpy(float),
                       entry=long_df[start_col].to_numpy(float) + ENTRY_NUDGE,
                       ties="efron").fit()
        coef, se = fitter.params, fitter.bse
        terms = list(covariates)
    return CoxResult(
        summary=_summary(terms, coef, se, alpha), ph_test=None,
        n_people=int(long_df[id_col].nunique()), n_events=int(long_df[event_col].sum()),
        method={"estimator": "Cox proportional hazards, counting process (start, stop]",
                "ties": ties, "ci_method": "Wald", "robust": False,
                "ph_test": "not available for start-stop rows",
                "backend": {"lifelines": "lifelines CoxTimeVaryingFitter",
                            "statsmodels": "statsmodels PHReg (entry + 1e-6)"}[chosen],
                "alpha": alpha, **library_versions()},
        model=fitter,
    )
