"""Cox proportional hazards: one row per person, and start-stop (time-varying) rows."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from lifetools.convergence import degenerate_terms, recorded_warnings
from lifetools.errors import StatisticalWarning
from lifetools.survival.partial_likelihood import cox_global_tests
from lifetools.survival.results import CoxResult, library_versions
from lifetools.survival.robust import cox_score_residuals, robust_covariance
from lifetools.survival.zph import GLOBAL_TERM, PH_TRANSFORMS, cox_zph

__all__ = ["LARGE_DATA_ROWS", "TIES", "fit_cox", "fit_cox_time_varying"]

LARGE_DATA_ROWS = 20_000
"""Above this many rows the statsmodels backend is used (faster): start-stop rows, and
one row per person with delayed entry.

Measured by ``benchmarks/run.py`` (fit only, one thread), start-stop discharge cohorts:
PHReg 1.3 s against lifelines' 3.6 s at 28,853 rows, 1.1 s against 5.8 s at 43,486,
7.3 s against 137 s at 1,000,000; about even below 5,000 rows. Delayed entry at
1,000,000 rows: PHReg 7.6 s against lifelines ``CoxPHFitter`` 116 s.
"""
ENTRY_NUDGE = 1e-6
TIES = ("efron", "breslow")
"""Tie methods implemented: lifelines has only Efron, statsmodels ``PHReg`` both. R's
``ties="exact"`` is in neither: refused with a ValueError."""
PH_TEST = "R survival >= 3.0 cox.zph score test, transform {}"


def _check_ties(ties: str) -> None:
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, not {ties!r}: the exact partial "
                         "likelihood is implemented by neither lifelines nor statsmodels")


def _summary(terms, coef, se, alpha: float, bad: dict[str, str]) -> pd.DataFrame:
    """Hazard ratios; terms in ``bad`` get NaN ratios, limits and p (coef, se kept)."""
    z = norm.ppf(1 - alpha / 2)
    coef, se = np.asarray(coef, float), np.asarray(se, float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "term": list(terms), "estimate": np.exp(coef),
            "ci_lower": np.exp(coef - z * se), "ci_upper": np.exp(coef + z * se),
            "p_value": 2 * norm.sf(np.abs(coef / se)), "coef": coef, "se": se,
        })
    table["estimable"] = ~table["term"].isin(list(bad))
    table.loc[~table["estimable"], ["estimate", "ci_lower", "ci_upper", "p_value"]] = np.nan
    return table


def _lifelines_estimates(fitter, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and naive covariance of a lifelines fit, in the order of ``terms``
    (the time-varying fitter's covariance matrix has numbered columns)."""
    order = [list(fitter.params_.index).index(t) for t in terms]
    cov = np.asarray(fitter.variance_matrix_, dtype=float)[np.ix_(order, order)]
    return fitter.params_.to_numpy()[order], cov


def _robust_cov(stop, event, x, coef, naive, *, entry=None, strata=None, ties: str,
                clusters=None) -> np.ndarray:
    """R's robust covariance: dfbeta sandwich, summed within clusters."""
    resid = cox_score_residuals(stop, event, x, coef, entry=entry, strata=strata,
                                ties=ties)
    clusters = None if clusters is None else np.asarray(clusters)
    return np.asarray(robust_covariance(resid, naive, clusters))


def _global(args: dict[str, Any], coef, cov, estimable: bool) -> pd.DataFrame | None:
    """Likelihood-ratio, Wald and score tests of the fit (None if not estimable)."""
    if not estimable:
        return None
    return cox_global_tests(args["stop"], args["event"], args["x"], coef, cov,
                            entry=args["entry"], strata=args.get("strata"),
                            ties=args["ties"])


def _phreg(stop, x, event, *, entry=None, strata=None, ties: str):
    """statsmodels PHReg, (entry, stop] risk sets by nudging entry; converged or not."""
    from statsmodels.duration.hazard_regression import PHReg

    model = PHReg(np.asarray(stop, float), np.asarray(x, float),
                  status=np.asarray(event, float),
                  entry=None if entry is None else np.asarray(entry, float) + ENTRY_NUDGE,
                  strata=strata, ties=ties)
    fit = model.fit(maxiter=100, tol=1e-10)
    score = model.score(fit.params)
    converged = bool(np.all(np.isfinite(score)) and np.max(np.abs(score)) < 1e-4)
    return fit, converged


def _checked(terms: list[str], coef, se, converged: bool, notes: list[str],
             alpha: float) -> tuple[pd.DataFrame, bool, str]:
    """Summary, estimable flag and reason after the convergence/degeneracy checks."""
    bad = degenerate_terms(terms, coef, se, alpha=alpha)
    reasons = [f"{t}: {why}" for t, why in bad.items()]
    if not converged:
        failure = next((n.split("fit failed: ", 1)[1] for n in notes
                        if "fit failed: " in n), None)
        reasons = [failure if failure == NO_EVENTS else
                   "the partial likelihood maximisation did not converge"
                   + (f" ({failure})" if failure else "")]
        bad = dict.fromkeys(terms, "did not converge")
    reason = "; ".join(reasons)
    if reason:
        notes.append(f"not estimable: {reason}")
    return _summary(terms, coef, se, alpha, bad), not reason, reason


def _ph(table_args: dict[str, Any], *, check_ph: bool, estimable: bool, transform: str,
        notes: list[str]) -> tuple[pd.DataFrame | None, str]:
    """Run the cox.zph test when asked and the model is estimable."""
    if not check_ph:
        return None, "not requested (check_ph=False)"
    if not estimable:
        return None, "not run: the model could not be estimated"
    table = cox_zph(transform=transform, **table_args)
    failing = table.loc[(table["p_value"] < 0.05) & (table["term"] != GLOBAL_TERM),
                        "term"].tolist()
    if failing:
        notes.append(f"proportional hazards may not hold for {failing} "
                     f"(cox.zph, {transform} transform, p < 0.05)")
        warnings.warn(notes[-1], StatisticalWarning, stacklevel=3)
    return table, PH_TEST.format(transform)


def _fit_errors() -> tuple[type[Exception], ...]:
    """The failures of a fit that mean "not estimable" (not any ValueError)."""
    from lifelines.exceptions import ConvergenceError

    return (ConvergenceError, np.linalg.LinAlgError)


NO_EVENTS = "no events: nothing to estimate"


def _failed(terms: list[str], error: Exception | str):
    """NaN estimates after a fit failure; the failure becomes a warning."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    warnings.warn(f"fit failed: {text}", StatisticalWarning, stacklevel=3)
    return np.full(len(terms), np.nan), np.full(len(terms), np.nan), False


def fit_cox(
    df: pd.DataFrame,
    *,
    duration_col: str,
    event_col: str,
    covariates: Sequence[str],
    entry_col: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    robust: bool = False,
    cluster_col: str | None = None,
    strata: Sequence[str] | None = None,
    alpha: float = 0.05,
    check_ph: bool = True,
    ph_transform: Literal["km", "rank", "identity"] = "km",
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
    ties
        ``"efron"`` (R's and lifelines' default) or ``"breslow"``; anything else is a
        ValueError (no backend has the exact partial likelihood).
    robust, cluster_col
        Robust (sandwich) standard errors as R ``coxph(..., robust = TRUE)``, clustered
        when ``cluster_col`` is given (R's ``cluster = ``).
    check_ph, ph_transform
        Test proportional hazards with R's ``cox.zph`` (:func:`cox_zph`) and the time
        transform ``"km"`` (R's default), ``"rank"`` or ``"identity"``.

    Returns
    -------
    CoxResult
        ``estimable`` is False (and ``reason`` says why) when the fit did not converge
        or a term's estimate is degenerate (not finite, or an interval reaching 0 or
        infinity); such terms have NaN hazard ratios, limits and p-values in
        ``summary`` (``coef`` and ``se`` are kept for diagnosis). Warnings of the
        libraries underneath are carried in ``warnings``.

    Notes
    -----
    Partial likelihood, Wald confidence intervals at ``1 - alpha``. Efron ties:
    lifelines ``CoxPHFitter``; with delayed entry and more than ``LARGE_DATA_ROWS`` rows
    (no strata) statsmodels ``PHReg`` (``entry + 1e-6`` as in
    :func:`fit_cox_time_varying`), about 15x faster (``benchmarks/run.py``). Breslow
    ties: statsmodels ``PHReg`` (``ties="breslow"``). The tie method used is the one
    recorded in ``method["ties"]``. Robust errors: R's dfbeta sandwich from score
    residuals of the model's tie method (:func:`cox_score_residuals`), not lifelines'
    (which differs from R's by 1-4% on tied data); ``model`` keeps the naive errors.
    ``global_tests``: likelihood-ratio, Wald and score tests of all terms
    (:func:`cox_global_tests`, R's ``summary(coxph)``; the Wald test uses the robust
    covariance when ``robust``). Proportional hazards: :func:`cox_zph` (the score
    test of R survival >= 3.0, per term and global), including with delayed entry and
    strata; a term with p < 0.05 raises a :class:`StatisticalWarning` and is listed in
    ``warnings``. Checked against R ``survival::coxph`` in
    ``tests/reference/test_survival_against_r.py`` (``test_cox_ties_rossi_against_r``,
    ``test_cox_zph_rossi_against_r``) and in ``tests/unit/test_survival.py``
    (``test_cox_unknown_ties_refused``,
    ``test_cox_degenerate_term_is_flagged_not_reported``).
    """
    _check_ties(ties)
    if ph_transform not in PH_TRANSFORMS:
        raise ValueError(f"ph_transform must be one of {PH_TRANSFORMS}")
    columns = [duration_col, event_col, *covariates]
    columns += [c for c in (entry_col, cluster_col) if c]
    columns += list(strata or [])
    data = df[list(dict.fromkeys(columns))].astype(
        {c: float for c in covariates}).reset_index(drop=True)
    terms = list(covariates)
    use_robust = robust or cluster_col is not None
    strata_codes = (pd.factorize(data[list(strata)].astype(str).agg("|".join, axis=1))[0]
                    if strata else None)
    fitter: Any = None
    naive: Any = None
    with recorded_warnings() as notes:
        if not data[event_col].any():
            coef, se, converged = _failed(terms, NO_EVENTS)
            backend = "none: no events"
        elif ties == "breslow" or (entry_col and not strata
                                   and len(data) > LARGE_DATA_ROWS):
            backend = f"statsmodels PHReg (ties={ties})"
            backend += " (entry + 1e-6)" if entry_col else ""
            try:
                fitter, converged = _phreg(
                    data[duration_col], data[terms], data[event_col],
                    entry=data[entry_col] if entry_col else None, strata=strata_codes,
                    ties=ties)
                coef, naive = np.asarray(fitter.params), np.asarray(fitter.cov_params())
                se = np.sqrt(np.diag(naive))
            except _fit_errors() as error:
                coef, se, converged = _failed(terms, error)
        else:
            from lifelines import CoxPHFitter

            backend = "lifelines CoxPHFitter"
            fitter = CoxPHFitter(alpha=alpha, strata=list(strata) if strata else None)
            try:
                fitter.fit(data.drop(columns=[cluster_col] if cluster_col else []),
                           duration_col=duration_col, event_col=event_col,
                           entry_col=entry_col)
                coef, naive = _lifelines_estimates(fitter, terms)
                se = np.sqrt(np.diag(naive))
                converged = True
            except _fit_errors() as error:  # lifelines' own, not any ValueError
                coef, se, converged = _failed(terms, error)
    notes = list(notes)
    converged = converged and not any("ConvergenceWarning" in n for n in notes)
    cov = naive
    if use_robust and converged:
        cov = _robust_cov(data[duration_col], data[event_col], data[terms], coef, naive,
                          entry=data[entry_col] if entry_col else None,
                          strata=strata_codes, ties=ties,
                          clusters=data[cluster_col] if cluster_col else None)
        se = np.sqrt(np.diag(cov))
    summary, estimable, reason = _checked(terms, coef, se, converged, notes, alpha)
    args = {"stop": data[duration_col], "event": data[event_col], "x": data[terms],
            "coef": coef, "terms": terms,
            "entry": data[entry_col] if entry_col else None, "strata": strata_codes,
            "ties": ties}
    table, ph_record = _ph(args, check_ph=check_ph, estimable=estimable,
                           transform=ph_transform, notes=notes)
    tests = _global(args, coef, cov, estimable)
    return CoxResult(
        summary=summary, ph_test=table, n_people=len(data),
        n_events=int(data[event_col].sum()),
        method={"estimator": "Cox proportional hazards (partial likelihood)",
                "ties": ties, "ci_method": "Wald", "robust": use_robust,
                "delayed_entry": entry_col is not None, "backend": backend,
                "alpha": alpha, "ph_test": ph_record, **library_versions()},
        warnings=tuple(notes), model=fitter, estimable=estimable, reason=reason,
        global_tests=tests,
    )


def fit_cox_time_varying(
    long_df: pd.DataFrame,
    *,
    id_col: str,
    start_col: str,
    stop_col: str,
    event_col: str,
    covariates: Sequence[str],
    ties: Literal["efron", "breslow"] = "efron",
    backend: Literal["auto", "lifelines", "statsmodels"] = "auto",
    cluster: bool = False,
    alpha: float = 0.05,
    check_ph: bool = True,
    ph_transform: Literal["km", "rank", "identity"] = "km",
) -> CoxResult:
    """Fit a Cox model to start-stop (counting-process) rows: time-varying exposure.

    Parameters
    ----------
    ties
        ``"efron"`` or ``"breslow"`` (Breslow needs the statsmodels backend); anything
        else is a ValueError.
    cluster
        Robust (sandwich) standard errors clustered by ``id_col`` (person), as R
        ``coxph(..., cluster = id)``: R's dfbeta sandwich from score residuals of the
        model's tie method (:func:`cox_score_residuals`), either backend.
    check_ph, ph_transform
        Test proportional hazards with :func:`cox_zph` (R's ``cox.zph``).

    Notes
    -----
    Each row is at risk on (start, stop]. Backends: lifelines ``CoxTimeVaryingFitter``
    (Efron only; matches R ``coxph(Surv(start, stop, event) ~ ...)``) or, for more
    than ``LARGE_DATA_ROWS`` rows (``backend="auto"``) or with Breslow ties,
    statsmodels ``PHReg`` with ``entry = start + 1e-6``: PHReg treats a row as at risk
    on [entry, stop], which double-counts a person whose row ends when their next row
    starts unless entry is nudged.
    Checked against R in ``tests/reference/test_survival_against_r.py``
    (``test_time_varying_cox_stanford_heart_against_r``,
    ``test_time_varying_cox_cluster_against_r``, ``test_cox_zph_stanford_heart_against_r``).
    """
    _check_ties(ties)
    chosen = backend
    if backend == "auto":
        chosen = ("statsmodels" if len(long_df) > LARGE_DATA_ROWS or ties == "breslow"
                  else "lifelines")
    if chosen == "lifelines" and ties != "efron":
        raise ValueError("lifelines' CoxTimeVaryingFitter has only Efron ties: use "
                         "backend='statsmodels' or 'auto'")
    terms = list(covariates)
    x = long_df[terms].astype(float).reset_index(drop=True)
    rows = long_df[[id_col, start_col, stop_col, event_col]].reset_index(drop=True)
    fitter: Any = None
    naive: Any = None
    with recorded_warnings() as notes:
        if not rows[event_col].any():
            coef, se, converged = _failed(terms, NO_EVENTS)
        elif chosen == "lifelines":
            from lifelines import CoxTimeVaryingFitter

            fitter = CoxTimeVaryingFitter(alpha=alpha)
            try:
                fitter.fit(pd.concat([rows, x], axis=1), id_col=id_col,
                           start_col=start_col, stop_col=stop_col, event_col=event_col)
                coef, naive = _lifelines_estimates(fitter, terms)
                se = np.sqrt(np.diag(naive))
                converged = True
            except _fit_errors() as error:
                coef, se, converged = _failed(terms, error)
        else:
            try:
                fitter, converged = _phreg(rows[stop_col], x, rows[event_col],
                                           entry=rows[start_col], ties=ties)
                coef, naive = np.asarray(fitter.params), np.asarray(fitter.cov_params())
                se = np.sqrt(np.diag(naive))
            except _fit_errors() as error:
                coef, se, converged = _failed(terms, error)
    notes = list(notes)
    converged = converged and not any("ConvergenceWarning" in n for n in notes)
    cov = naive
    if cluster and converged:
        cov = _robust_cov(rows[stop_col], rows[event_col], x, coef, naive,
                          entry=rows[start_col], ties=ties, clusters=rows[id_col])
        se = np.sqrt(np.diag(cov))
    summary, estimable, reason = _checked(terms, coef, se, converged, notes, alpha)
    args = {"stop": rows[stop_col], "event": rows[event_col], "x": x, "coef": coef,
            "terms": terms, "entry": rows[start_col], "ties": ties}
    table, ph_record = _ph(args, check_ph=check_ph, estimable=estimable,
                           transform=ph_transform, notes=notes)
    tests = _global(args, coef, cov, estimable)
    return CoxResult(
        summary=summary, ph_test=table,
        n_people=int(long_df[id_col].nunique()), n_events=int(long_df[event_col].sum()),
        method={"estimator": "Cox proportional hazards, counting process (start, stop]",
                "ties": ties, "ci_method": "Wald",
                "robust": "clustered by person" if cluster else False,
                "ph_test": ph_record,
                "backend": {"lifelines": "lifelines CoxTimeVaryingFitter",
                            "statsmodels": f"statsmodels PHReg (ties={ties}, "
                                           "entry + 1e-6)"}[chosen],
                "alpha": alpha, **library_versions()},
        warnings=tuple(notes), model=fitter, estimable=estimable, reason=reason,
        global_tests=tests,
    )
