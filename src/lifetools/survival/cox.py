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
from lifetools.results import wald_interval
from lifetools.survival.efron import EfronFit, fit_efron
from lifetools.survival.partial_likelihood import cox_global_tests, global_tests_table
from lifetools.survival.results import CoxResult, library_versions
from lifetools.survival.robust import cox_score_residuals, robust_covariance
from lifetools.survival.zph import GLOBAL_TERM, PH_TRANSFORMS, cox_zph

__all__ = ["BACKEND", "PH_NOTE", "TIES", "fit_cox", "fit_cox_time_varying"]

BACKEND = "lifetools fit_efron"
"""The backend of every ``fit_cox`` fit and of ``fit_cox_time_varying(backend="auto")``
(:func:`lifetools.survival.efron.fit_efron`, at every size: no row threshold)."""
ENTRY_NUDGE = 1e-6
"""Added to entry times for statsmodels ``PHReg`` (``backend="statsmodels"`` only)."""
TIES = ("efron", "breslow")
"""Tie methods implemented (``fit_efron`` and statsmodels ``PHReg`` both; lifelines only
Efron). R's ``ties="exact"`` is refused with a ValueError."""
PH_TEST = "R survival >= 3.0 cox.zph score test, transform {}"
PH_NOTE = "proportional hazards may not hold for "
"""How a fit's note of a failed proportional-hazards test begins (the reports leave it
out for a withheld model: :func:`lifetools.reports.survival_parts.model_notes`)."""
INFINITE = ("its coefficient may be infinite (R's rule: the log partial likelihood "
            "stopped changing before the coefficient did; too few events in one group?)")
"""Reason and warning for a term ``fit_efron`` flags in ``infinite``. Not the word
"converge": ``model_release`` reads that in a result's warnings as a failed fit."""


def _check_ties(ties: str) -> None:
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, not {ties!r}: the exact partial "
                         "likelihood is not implemented")


def _floats(df: pd.DataFrame, column: str) -> np.ndarray:
    """One column as a float array (missing values as NaN; no DataFrame copy)."""
    return df[column].to_numpy(dtype=float, na_value=np.nan)


def _matrix(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Covariate columns as one float matrix (rows x terms)."""
    x = np.empty((len(df), len(columns)))
    for j, column in enumerate(columns):
        x[:, j] = _floats(df, column)
    return x


def _efron(stop, event, x, terms: list[str], *, start=None, strata=None, ties: str
           ) -> tuple[EfronFit | None, np.ndarray, np.ndarray | None, np.ndarray, bool,
                      dict[str, str]]:
    """``fit_efron`` as a backend: (fit, coef, naive covariance, se, converged, infinite).

    Not converging is a warning "fit failed: ..." (the reason of :func:`_checked`); each
    coefficient ``fit_efron`` flags as possibly infinite is a warning and a term that is
    not estimable. A singular information matrix is a failed fit.
    """
    try:
        fit = fit_efron(stop, event, x, start=start, strata=strata, ties=ties)
    except np.linalg.LinAlgError as error:
        coef, se, _ = _failed(terms, error)
        return None, coef, None, se, False, {}
    if not fit.converged:
        warnings.warn(f"fit failed: no convergence in {fit.iterations} Newton-Raphson "
                      "iterations (R coxph.control defaults)", StatisticalWarning,
                      stacklevel=3)
    infinite = {terms[i]: INFINITE for i in fit.infinite}
    for term in infinite:
        warnings.warn(f"{term}: {INFINITE}", StatisticalWarning, stacklevel=3)
    return fit, fit.coef, fit.covariance, fit.se, fit.converged, infinite


def _summary(terms, coef, se, alpha: float, bad: dict[str, str]) -> pd.DataFrame:
    """Hazard ratios; terms in ``bad`` get NaN ratios, limits and p (coef, se kept)."""
    coef, se = np.asarray(coef, float), np.asarray(se, float)
    lower, upper = wald_interval(coef, se, alpha=alpha, exponentiate=True)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "term": list(terms), "estimate": np.exp(coef),
            "ci_lower": lower, "ci_upper": upper,
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


def _global(args: dict[str, Any], coef, cov, estimable: bool, fit: Any = None
            ) -> pd.DataFrame | None:
    """Likelihood-ratio, Wald and score tests of the fit (None if not estimable).

    A ``fit_efron`` fit (``fit``, an :class:`EfronFit`) carries the log partial
    likelihood at its estimate and at 0 and the score test at 0 from its Newton
    iterations: the tests are made from those (as R's ``coxph``), the Wald test from
    ``cov``. Other backends (lifelines, statsmodels) are evaluated again by
    :func:`cox_global_tests`.
    """
    if not estimable:
        return None
    if isinstance(fit, EfronFit):
        return global_tests_table(fit.loglik, fit.loglik_null, fit.score, coef, cov)
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
             alpha: float, infinite: dict[str, str] | None = None,
             ) -> tuple[pd.DataFrame, bool, str]:
    """Summary, estimable flag and reason after the convergence/degeneracy checks
    (``infinite``: terms ``fit_efron`` flags, when not already degenerate)."""
    bad = degenerate_terms(terms, coef, se, alpha=alpha)
    bad.update({t: why for t, why in (infinite or {}).items() if t not in bad})
    bad = {t: bad[t] for t in terms if t in bad}
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
        notes.append(f"{PH_NOTE}{failing} "
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
    Partial likelihood, Wald confidence intervals at ``1 - alpha``, Efron or Breslow
    ties (the one fitted is recorded in ``method["ties"]``). Backend
    (``method["backend"]``): :func:`lifetools.survival.efron.fit_efron` on the columns as
    arrays (no DataFrame copy), at every size, with or without delayed entry, strata and
    robust errors: Newton-Raphson with R ``coxph.control`` defaults, risk sets
    (entry, stop] as R (no entry nudge). Not converging in 20 iterations makes the
    result not estimable; a coefficient ``fit_efron`` flags as possibly infinite (R's
    "coefficient may be infinite" rule) is a warning and a term that is not estimable.
    ``global_tests``: likelihood-ratio, Wald and score tests of all terms (R's
    ``summary(coxph)``): the likelihood ratio and score test from ``fit_efron``'s own
    log likelihoods and score at 0 (:func:`global_tests_table`; equal to
    :func:`cox_global_tests` to rounding), the Wald test from the reported covariance
    (the robust one when ``robust``).
    Robust errors: R's dfbeta sandwich from score residuals of the model's tie method
    (:func:`cox_score_residuals`) at ``fit_efron``'s coefficients and naive covariance;
    ``model`` (the :class:`~lifetools.survival.efron.EfronFit`) keeps the naive
    covariance. Proportional hazards: :func:`cox_zph` (the score test of R survival >=
    3.0, per term and global), including with delayed entry and strata; a term with
    p < 0.05 raises a :class:`StatisticalWarning` and is listed in ``warnings``. Checked
    against R ``survival::coxph`` in ``tests/reference/test_survival_against_r.py``
    (``test_cox_ties_rossi_against_r``, ``test_cox_robust_se_rossi_against_r``,
    ``test_cox_zph_rossi_against_r``) and in ``tests/unit/test_survival.py``
    (``test_cox_unknown_ties_refused``,
    ``test_cox_degenerate_term_is_flagged_not_reported``,
    ``test_cox_infinite_coefficient_is_flagged_not_reported``).
    """
    _check_ties(ties)
    if ph_transform not in PH_TRANSFORMS:
        raise ValueError(f"ph_transform must be one of {PH_TRANSFORMS}")
    terms = list(covariates)
    stop, event, x = _floats(df, duration_col), _floats(df, event_col), _matrix(df, terms)
    entry = _floats(df, entry_col) if entry_col else None
    use_robust = robust or cluster_col is not None
    strata_codes = (pd.factorize(df[list(strata)].astype(str).agg("|".join, axis=1))[0]
                    if strata else None)
    fit: EfronFit | None = None
    naive: Any = None
    infinite: dict[str, str] = {}
    with recorded_warnings() as notes:
        if not event.any():
            coef, se, converged = _failed(terms, NO_EVENTS)
            backend = "none: no events"
        else:
            backend = BACKEND
            fit, coef, naive, se, converged, infinite = _efron(
                stop, event, x, terms, start=entry, strata=strata_codes, ties=ties)
    notes = list(notes)
    cov = naive
    if use_robust and converged:
        cov = _robust_cov(stop, event, x, coef, naive, entry=entry, strata=strata_codes,
                          ties=ties,
                          clusters=df[cluster_col].to_numpy() if cluster_col else None)
        se = np.sqrt(np.diag(cov))
    summary, estimable, reason = _checked(terms, coef, se, converged, notes, alpha,
                                          infinite)
    args = {"stop": stop, "event": event, "x": x, "coef": coef, "terms": terms,
            "entry": entry, "strata": strata_codes, "ties": ties}
    table, ph_record = _ph(args, check_ph=check_ph, estimable=estimable,
                           transform=ph_transform, notes=notes)
    tests = _global(args, coef, cov, estimable, fit)
    return CoxResult(
        summary=summary, ph_test=table, n_people=len(df), n_events=int(event.sum()),
        method={"estimator": "Cox proportional hazards (partial likelihood)",
                "ties": ties, "ci_method": "Wald", "robust": use_robust,
                "delayed_entry": entry_col is not None, "backend": backend,
                "alpha": alpha, "ph_test": ph_record, **library_versions()},
        warnings=tuple(notes), model=fit, estimable=estimable, reason=reason,
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
    backend: Literal["auto", "efron", "lifelines", "statsmodels"] = "auto",
    cluster: bool = False,
    alpha: float = 0.05,
    check_ph: bool = True,
    ph_transform: Literal["km", "rank", "identity"] = "km",
) -> CoxResult:
    """Fit a Cox model to start-stop (counting-process) rows: time-varying exposure.

    Parameters
    ----------
    ties
        ``"efron"`` or ``"breslow"`` (not with the lifelines backend); anything else is
        a ValueError.
    backend
        ``"auto"`` (``"efron"``: :func:`lifetools.survival.efron.fit_efron`, at every
        size), or, to compare, ``"lifelines"`` (``CoxTimeVaryingFitter``, Efron only) or
        ``"statsmodels"`` (``PHReg`` with ``entry = start + 1e-6``).
    cluster
        Robust (sandwich) standard errors clustered by ``id_col`` (person), as R
        ``coxph(..., cluster = id)``: R's dfbeta sandwich from score residuals of the
        model's tie method (:func:`cox_score_residuals`), any backend.
    check_ph, ph_transform
        Test proportional hazards with :func:`cox_zph` (R's ``cox.zph``).

    Notes
    -----
    Each row is at risk on (start, stop], as R ``coxph(Surv(start, stop, event) ~ ...)``.
    Default backend (``method["backend"]`` "lifetools fit_efron"): ``fit_efron(stop,
    event, x, start=start)`` on the columns as arrays, Efron or Breslow ties, R's
    Newton-Raphson settings, no entry nudge; not converging or a possibly infinite
    coefficient is handled as in :func:`fit_cox`. statsmodels ``PHReg`` treats a row as
    at risk on [entry, stop], which double-counts a person whose row ends when their
    next row starts unless entry is nudged (``ENTRY_NUDGE``).
    Checked against R in ``tests/reference/test_survival_against_r.py``
    (``test_time_varying_cox_stanford_heart_against_r``,
    ``test_time_varying_cox_cluster_against_r``, ``test_cox_zph_stanford_heart_against_r``,
    ``test_time_varying_cox_breslow_stanford_heart_against_r``, every backend).
    """
    _check_ties(ties)
    chosen = "efron" if backend == "auto" else backend
    if chosen not in ("efron", "lifelines", "statsmodels"):
        raise ValueError(f"backend must be 'auto', 'efron', 'lifelines' or "
                         f"'statsmodels', not {backend!r}")
    if chosen == "lifelines" and ties != "efron":
        raise ValueError("lifelines' CoxTimeVaryingFitter has only Efron ties: use "
                         "backend='auto'")
    terms = list(covariates)
    start, stop = _floats(long_df, start_col), _floats(long_df, stop_col)
    event, x = _floats(long_df, event_col), _matrix(long_df, terms)
    fitter: Any = None
    naive: Any = None
    infinite: dict[str, str] = {}
    with recorded_warnings() as notes:
        if not event.any():
            coef, se, converged = _failed(terms, NO_EVENTS)
        elif chosen == "efron":
            fitter, coef, naive, se, converged, infinite = _efron(
                stop, event, x, terms, start=start, ties=ties)
        elif chosen == "lifelines":
            from lifelines import CoxTimeVaryingFitter

            fitter = CoxTimeVaryingFitter(alpha=alpha)
            try:
                fitter.fit(pd.concat([
                    long_df[[id_col, start_col, stop_col, event_col]].reset_index(
                        drop=True), pd.DataFrame(x, columns=terms)], axis=1),
                    id_col=id_col, start_col=start_col, stop_col=stop_col,
                    event_col=event_col)
                coef, naive = _lifelines_estimates(fitter, terms)
                se = np.sqrt(np.diag(naive))
                converged = True
            except _fit_errors() as error:
                coef, se, converged = _failed(terms, error)
        else:
            try:
                fitter, converged = _phreg(stop, x, event, entry=start, ties=ties)
                coef, naive = np.asarray(fitter.params), np.asarray(fitter.cov_params())
                se = np.sqrt(np.diag(naive))
            except _fit_errors() as error:
                coef, se, converged = _failed(terms, error)
    notes = list(notes)
    converged = converged and not any("ConvergenceWarning" in n for n in notes)
    cov = naive
    if cluster and converged:
        cov = _robust_cov(stop, event, x, coef, naive, entry=start, ties=ties,
                          clusters=long_df[id_col].to_numpy())
        se = np.sqrt(np.diag(cov))
    summary, estimable, reason = _checked(terms, coef, se, converged, notes, alpha,
                                          infinite)
    args = {"stop": stop, "event": event, "x": x, "coef": coef, "terms": terms,
            "entry": start, "ties": ties}
    table, ph_record = _ph(args, check_ph=check_ph, estimable=estimable,
                           transform=ph_transform, notes=notes)
    tests = _global(args, coef, cov, estimable, fitter)
    return CoxResult(
        summary=summary, ph_test=table,
        n_people=int(long_df[id_col].nunique()), n_events=int(event.sum()),
        method={"estimator": "Cox proportional hazards, counting process (start, stop]",
                "ties": ties, "ci_method": "Wald",
                "robust": "clustered by person" if cluster else False,
                "ph_test": ph_record,
                "backend": {"efron": BACKEND,
                            "lifelines": "lifelines CoxTimeVaryingFitter",
                            "statsmodels": f"statsmodels PHReg (ties={ties}, "
                                           "entry + 1e-6)"}[chosen],
                "alpha": alpha, **library_versions()},
        warnings=tuple(notes), model=fitter, estimable=estimable, reason=reason,
        global_tests=tests,
    )
