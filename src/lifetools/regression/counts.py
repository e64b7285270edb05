"""Count models with a person-time offset: Poisson (robust errors), negative binomial,
and the within-person before/after comparison."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.special import digamma, gammaln, polygamma
from scipy.stats import norm

from lifetools.convergence import TOO_FEW_TO_FIT, degenerate_terms, recorded_warnings
from lifetools.regression.design import design_frame
from lifetools.regression.irls import fit_freeing_iterations
from lifetools.regression.results import ModelResult, checked_summary, not_fitted, tidy

__all__ = ["compare_before_after", "fit_negative_binomial", "fit_poisson"]


def _design(df: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    return design_frame(df, covariates)  # add_constant's numbers, one block (design.py)


def fit_poisson(
    df: pd.DataFrame,
    *,
    outcome_col: str,
    person_time_col: str,
    covariates: Sequence[str],
    robust: bool = True,
    cluster_col: str | None = None,
    alpha: float = 0.05,
) -> ModelResult:
    """Poisson regression of counts with offset log(person-time): rate ratios.

    Notes
    -----
    statsmodels ``GLM(family=Poisson())`` with ``offset=log(person_time)``; robust
    (sandwich, HC0) standard errors by default, clustered by ``cluster_col`` when
    given (with the small-sample factor G/(G-1) x (N-1)/(N-K), as R's
    ``sandwich::vcovCL(type = "HC1")``); Wald intervals. Checked against R
    ``glm(..., family=poisson, offset=...)`` with ``sandwich::vcovHC(type = "HC0")`` in
    ``tests/reference/test_regression_against_r.py`` and with ``vcovCL`` in
    ``tests/reference/test_logistic_did_against_r.py``.
    """
    method = {"estimator": "Poisson GLM, log link, offset log(person-time)",
              "ci_method": "Wald", "se": ("cluster-robust" if cluster_col else
                                          "robust (HC0)" if robust else "model-based"),
              "scale": "rate ratio"}
    if df[outcome_col].eq(0).all():  # no rows or no events (a NaN still raises below)
        return not_fitted(["const", *covariates], len(df), reason=TOO_FEW_TO_FIT,
                          method=method)
    x = _design(df, covariates)
    with recorded_warnings() as notes:
        model = sm.GLM(df[outcome_col].astype(float), x, family=sm.families.Poisson(),
                       offset=np.log(df[person_time_col].astype(float)))
        if cluster_col:
            fit = fit_freeing_iterations(model, cov_type="cluster", cov_kwds={
                "groups": pd.factorize(df[cluster_col])[0]})
        else:
            fit = fit_freeing_iterations(model, cov_type="HC0" if robust else "nonrobust")
        bse, pvalues = fit.bse, fit.pvalues  # computed here: their warnings recorded
    notes = list(notes)
    converged = bool(fit.converged) and not any("ConvergenceWarning" in n for n in notes)
    summary, estimable, reason = checked_summary(
        tidy(x.columns, fit.params, bse, pvalues, len(df), exponentiate=True,
             alpha=alpha), fit.params, bse, converged=converged,
        failure="the Poisson IRLS did not converge", notes=notes, ratio=True,
        alpha=alpha)
    return ModelResult(
        summary=summary, n=len(df), model=fit, warnings=tuple(notes),
        estimable=estimable, reason=reason, method=method)


DIVERGES = "theta diverges (no overdispersion: use the Poisson model)"


def _nb_loglik(y, eta, theta) -> float:
    mu = np.exp(eta)
    return float(np.sum(gammaln(y + theta) - gammaln(theta) - gammaln(y + 1)
                        + theta * np.log(theta) + y * eta - (y + theta) * np.log(theta + mu)))


def _nb_newton(y, x, offset, *, tol: float = 1e-10, maxiter: int = 100):
    """Joint Newton-Raphson of the NB2 log-likelihood in (beta, log theta).

    Starts from the Poisson fit and the moment estimate of theta; halves a step that
    lowers the likelihood. Returns (beta, theta, iterations, converged, note).
    """
    beta = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit().params
    beta = np.asarray(beta, float)
    mu = np.exp(x @ beta + offset)
    excess = np.sum(((y - mu) ** 2 - mu) / mu ** 2) / max(len(y) - x.shape[1], 1)
    params = np.r_[beta, np.log(1 / max(excess, 1e-2))]
    p = x.shape[1]

    def loglik(v):
        return _nb_loglik(y, x @ v[:p] + offset, np.exp(v[p]))

    current = loglik(params)
    for iteration in range(1, maxiter + 1):
        b, theta = params[:p], np.exp(params[p])
        mu = np.exp(x @ b + offset)
        tm = theta + mu
        g_b = x.T @ ((y - mu) * theta / tm)
        d_theta = np.sum(digamma(y + theta) - digamma(theta) + np.log(theta) + 1
                         - np.log(tm) - (y + theta) / tm)
        h_theta = np.sum(polygamma(1, y + theta) - polygamma(1, theta) + 1 / theta
                         - 2 / tm + (y + theta) / tm ** 2)
        hess = np.empty((p + 1, p + 1))
        hess[:p, :p] = -(x * (mu * theta * (theta + y) / tm ** 2)[:, None]).T @ x
        hess[:p, p] = hess[p, :p] = theta * (x.T @ ((y - mu) * mu / tm ** 2))
        hess[p, p] = theta ** 2 * h_theta + theta * d_theta
        grad = np.r_[g_b, theta * d_theta]
        step = np.linalg.solve(hess, -grad)
        for _ in range(30):  # step halving
            trial = params + step
            value = loglik(trial)
            if np.isfinite(value) and value >= current - 1e-12 * abs(current):
                break
            step = step / 2
        else:
            return params[:p], np.exp(params[p]), iteration, False, (
                DIVERGES if params[p] > np.log(1e4) else
                "the likelihood could not be increased (step halving failed)")
        params, current = trial, value
        if params[p] > np.log(1e6):
            return params[:p], np.exp(params[p]), iteration, False, DIVERGES
        if np.max(np.abs(step)) < tol:
            return params[:p], np.exp(params[p]), iteration, True, ""
    return params[:p], np.exp(params[p]), maxiter, False, (
        f"no convergence in {maxiter} Newton iterations")


def fit_negative_binomial(
    df: pd.DataFrame,
    *,
    outcome_col: str,
    person_time_col: str,
    covariates: Sequence[str],
    alpha: float = 0.05,
) -> ModelResult:
    """Negative binomial (NB2) regression with offset log(person-time): rate ratios.

    Returns
    -------
    ModelResult
        ``extra``: ``theta`` (R's name), ``alpha`` = 1 / theta, ``theta_se``,
        ``loglik``, ``iterations``. ``estimable`` is False (``reason`` says why) when
        the maximisation did not converge (for example theta diverging: no
        overdispersion) or a term is degenerate.

    Notes
    -----
    Maximum likelihood by Newton-Raphson on the joint log-likelihood of the
    coefficients and log theta (variance mu + mu^2 / theta), from the Poisson fit,
    until no parameter moves by more than 1e-10. Standard errors and Wald intervals as
    R's ``MASS::glm.nb``: the expected information of the coefficients with theta
    fixed at its estimate, (X' W X)^-1 with W = mu theta / (theta + mu); ``theta_se``
    as glm.nb's (observed information of theta, coefficients fixed). ``model`` is the
    statsmodels GLM (NegativeBinomial family, alpha = 1 / theta) at the estimate.
    Reproduces ``glm.nb`` on the quine and Rossi (with offset) data:
    ``tests/reference/test_regression_against_r.py::test_negative_binomial_against_r``
    (tolerances stated there); non-convergence in ``tests/unit/test_count_models.py``
    (``test_negative_binomial_without_overdispersion_is_not_estimable``).
    """
    x = _design(df, covariates)
    y = df[outcome_col].astype(float).to_numpy()
    offset = np.log(df[person_time_col].astype(float).to_numpy())
    terms = list(x.columns)
    with recorded_warnings() as notes:
        beta, theta, iterations, converged, why = _nb_newton(y, x.to_numpy(), offset)
        mu = np.exp(x.to_numpy() @ beta + offset)
        weight = mu * theta / (theta + mu)
        cov = np.linalg.inv((x.to_numpy() * weight[:, None]).T @ x.to_numpy())
        se = np.sqrt(np.diag(cov))
        h_theta = np.sum(polygamma(1, y + theta) - polygamma(1, theta) + 1 / theta
                         - 2 / (theta + mu) + (y + theta) / (theta + mu) ** 2)
        glm = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=1 / theta),
                     offset=offset).fit(start_params=beta, maxiter=0)
    notes = list(notes)
    bad = degenerate_terms(terms, beta, se, alpha=alpha)
    reasons = ([why] if not converged else []) + [f"{t}: {r}" for t, r in bad.items()]
    reason = "; ".join(reasons)
    if reason:
        notes.append(f"not estimable: {reason}")
    summary = tidy(terms, beta, se, 2 * norm.sf(np.abs(beta / se)), len(df),
                   exponentiate=True, alpha=alpha)
    if not converged:
        bad = dict.fromkeys(terms, why)
    summary.loc[summary["term"].isin(list(bad)),
                ["estimate", "ci_lower", "ci_upper", "p_value"]] = np.nan
    return ModelResult(
        summary=summary, n=len(df), model=glm,
        extra={"alpha": 1 / theta, "theta": float(theta),
               "theta_se": float(1 / np.sqrt(-h_theta)) if h_theta < 0 else np.nan,
               "loglik": _nb_loglik(y, np.log(mu), theta), "iterations": iterations},
        method={"estimator": "negative binomial (NB2) maximum likelihood, joint "
                             "Newton-Raphson in (coefficients, log theta)",
                "ci_method": "Wald, expected information with theta fixed (as "
                             "MASS::glm.nb)", "scale": "rate ratio"},
        warnings=tuple(notes), estimable=not reason, reason=reason)


def compare_before_after(
    person_periods: pd.DataFrame,
    *,
    outcome_col: str,
    person_time_col: str = "person_years",
    period_col: str = "after",
    id_col: str = "person_id",
    alpha: float = 0.05,
) -> ModelResult:
    """Within-person rate ratio after against before first contact.

    Each person is their own control: two rows per person (before, after). The model
    is a Poisson GEE with offset log(person-time), exchangeable working correlation
    within person and robust (sandwich) errors. Its rate ratio equals the ratio of
    total events per person-year after and before only when every person's after and
    before person-time are in the same proportion (windows clipped by death or the end
    of the data break this; the GEE then weights people by their own correlation).
    Beware regression to the mean: people often start at a crisis peak.

    Notes
    -----
    statsmodels ``GEE(family=Poisson(), cov_struct=Exchangeable())``: the correlation
    is the moment estimator with divisors (pairs - p) and (N - p), p the number of
    coefficients (R's geepack divides by pairs and N); Wald intervals from the robust
    covariance. Checked against ``geepack::geeglm`` in
    ``tests/reference/test_logistic_did_against_r.py`` and on synthetic data with a
    known rate ratio in ``tests/truth/test_regression_truth.py``.
    """
    data = person_periods[person_periods[person_time_col] > 0].sort_values(
        [id_col, period_col])
    method = {"estimator": "Poisson GEE, exchangeable correlation within person",
              "ci_method": "Wald, robust (sandwich)", "scale": "rate ratio"}
    if data[outcome_col].eq(0).all():  # no rows or no events (a NaN still raises)
        return not_fitted(["const", period_col], int(data[id_col].nunique()),
                          reason=TOO_FEW_TO_FIT, method=method)
    x = sm.add_constant(data[[period_col]].astype(float))
    with recorded_warnings() as notes:
        model = sm.GEE(data[outcome_col].astype(float), x,
                       groups=pd.factorize(data[id_col])[0], family=sm.families.Poisson(),
                       cov_struct=sm.cov_struct.Exchangeable(),
                       offset=np.log(data[person_time_col].astype(float)))
        fit = model.fit()
        bse, pvalues = fit.bse, fit.pvalues  # computed here: their warnings recorded
    notes = list(notes)
    converged = bool(getattr(fit, "converged", True)) and not any(
        "ConvergenceWarning" in n for n in notes)
    summary, estimable, reason = checked_summary(
        tidy(x.columns, fit.params, bse, pvalues, data[id_col].nunique(),
             exponentiate=True, alpha=alpha), fit.params, bse, converged=converged,
        failure="the GEE did not converge", notes=notes, ratio=True, alpha=alpha)
    return ModelResult(
        summary=summary, n=int(data[id_col].nunique()), model=fit,
        warnings=tuple(notes), estimable=estimable, reason=reason, method=method)
