"""Wellbeing (SWEMWBS): paired change, linear mixed model, meaningful change."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from lifetools.convergence import TOO_FEW_TO_FIT, recorded_warnings
from lifetools.regression.results import ModelResult, checked_summary, not_fitted, tidy

__all__ = ["MIN_PAIRS", "MIXED_METHODS", "estimate_paired_change", "fit_mixed_model",
           "fixed_effect_covariance", "mixed_convergence", "paired_measurements",
           "satterthwaite_df",
           "share_meaningful_change", "wilson_interval"]

#: the fewest pairs with a standard deviation (a t interval, a paired t-test)
MIN_PAIRS = 2


def paired_measurements(wellbeing: pd.DataFrame, *, period_start: str, period_end: str,
                        score_col: str = "swemwbs_metric") -> pd.DataFrame:
    """One row per linked person with a baseline in the period and a later follow-up."""
    data = wellbeing.dropna(subset=["person_id"])
    base = data[(data["timepoint"] == "baseline")
                & (data["measurement_date"] >= pd.Timestamp(period_start))
                & (data["measurement_date"] <= pd.Timestamp(period_end))]
    base = base.sort_values(["person_id", "measurement_date"]).drop_duplicates("person_id")
    follow = data[data["timepoint"] == "follow_up"].sort_values(
        ["person_id", "measurement_date"]).drop_duplicates("person_id")
    pairs = base[["person_id", "measurement_date", score_col]].merge(
        follow[["person_id", "measurement_date", score_col]], on="person_id",
        suffixes=("_baseline", "_follow_up"))
    pairs = pairs[pairs["measurement_date_follow_up"] > pairs["measurement_date_baseline"]]
    return pairs.assign(change=pairs[f"{score_col}_follow_up"]
                        - pairs[f"{score_col}_baseline"]).reset_index(drop=True)


def estimate_paired_change(pairs: pd.DataFrame, *, change_col: str = "change",
                           alpha: float = 0.05) -> ModelResult:
    """Mean paired change with a t-based confidence interval (paired t-test).

    Notes
    -----
    Mean of follow-up minus baseline; CI mean +/- t(n-1) SE; p-value of the paired
    t-test (scipy ``ttest_1samp`` on the changes). Not estimable (``estimable`` False,
    ``reason`` and a ``warnings`` line say why; the interval and p-value NaN) with
    fewer than :data:`MIN_PAIRS` pairs (no standard deviation: scipy would warn
    ``SmallSampleWarning`` or divide by zero) or when every change is the same (a
    standard error of 0); the t-test is then not run. Checked in
    ``tests/unit/test_paired_change.py`` and on synthetic truth.
    """
    change = pairs[change_col].astype(float)
    n = len(change)
    method = {"estimator": "mean paired change", "ci_method": "t", "test": "paired t-test"}
    if n < MIN_PAIRS:
        reason = (f"fewer than {MIN_PAIRS} people with a baseline and a follow-up (a "
                  "paired t-test needs a standard deviation)")
        summary = pd.DataFrame({"term": ["mean change"], "n": [n], **dict.fromkeys(
            ["estimate", "ci_lower", "ci_upper", "p_value"], [float("nan")])})
        return ModelResult(summary=summary[["term", "estimate", "ci_lower", "ci_upper",
                                            "p_value", "n"]], n=n, method=method,
                           warnings=(f"not estimable: {reason}",), estimable=False,
                           reason=reason)
    # every change the same: a standard error of 0, not the rounding of their mean (no
    # interval; scipy's t-test would warn of catastrophic cancellation and give p = 0)
    same = bool(change.nunique() == 1)
    mean, se = change.mean(), 0.0 if same else change.std(ddof=1) / np.sqrt(n)
    half = stats.t.ppf(1 - alpha / 2, n - 1) * se
    summary = pd.DataFrame({"term": ["mean change"], "estimate": [mean],
                            "ci_lower": [mean - half], "ci_upper": [mean + half],
                            "p_value": [float("nan")], "n": [n]})
    notes: list[str] = []
    summary, estimable, reason = checked_summary(
        summary, [mean], [se], converged=True, failure="", notes=notes, ratio=False,
        alpha=alpha)
    if estimable:
        summary.loc[0, "p_value"] = stats.ttest_1samp(change, 0.0).pvalue
    return ModelResult(summary=summary, n=n, method=method, warnings=tuple(notes),
                       estimable=estimable, reason=reason)


#: the optimisers tried in turn, each from where the last stopped (statsmodels names)
MIXED_METHODS = ("bfgs", "lbfgs", "powell", "nm")
#: BFGS's gradient tolerance (statsmodels' objective: the log-likelihood over n)
MIXED_GTOL = 1e-9
#: largest Newton step (in the relative-covariance Cholesky factor) of a converged fit
MIXED_STEP_TOL = 1e-6
#: the flattest curvature of a maximum, relative to the steepest
MIXED_CURVATURE_TOL = 1e-4
#: a relative standard deviation below this is on the boundary (lme4's singular tol)
MIXED_SINGULAR_TOL = 1e-4


def mixed_convergence(model: Any, fit: Any) -> dict[str, Any]:
    """Check a statsmodels ``MixedLM`` fit at its estimate, whatever the optimiser said.

    Returns ``converged``, ``direction`` (the Newton step ``-H^-1 g``, NaN where the
    Hessian is not negative definite), ``step`` (largest Newton step ``|H^-1 g|`` of the profile
    log-likelihood in statsmodels' packed parameters, the Cholesky factor of the
    random-effects covariance relative to the residual variance, lme4's theta),
    ``gain`` (the log-likelihood a Newton step would add, ``g'(-H)^-1 g / 2``),
    ``singular`` (a random-effect standard deviation under ``MIXED_SINGULAR_TOL``
    relative to the residual one: on the boundary) and ``negative_definite``.

    Notes
    -----
    The gradient is statsmodels' analytic score; the Hessian is its central
    difference (step 1e-5). Converged: the Hessian negative definite, its flattest
    curvature at least ``MIXED_CURVATURE_TOL`` of its steepest (a maximum, not a saddle
    or a ridge of unidentified parameters), and the step under ``MIXED_STEP_TOL``, or, on the boundary (random
    intercept only), a step landing within ``MIXED_SINGULAR_TOL`` of 0. This replaces the optimiser's own
    stopping rule: BFGS to a gradient of 1e-12 stopped on "precision loss" short of it
    in 11 of 20 synthetic wellbeing extracts (rounding in the likelihood of a few
    hundred people is above 1e-12), although its estimate was the maximum to a Newton
    step of 7e-8 (tests/unit/test_mixed_model.py,
    ``test_mixed_convergence_*``; book/methods/wellbeing.md).
    """
    theta = np.asarray(fit.params_object.get_packed(use_sqrt=True, has_fe=False), float)
    with recorded_warnings():
        grad = np.asarray(model.score(theta), float)
        hess = np.empty((theta.size, theta.size))
        for j in range(theta.size):
            h = 1e-5 * max(1.0, abs(theta[j]))
            shift = np.zeros(theta.size)
            shift[j] = h
            hess[:, j] = (np.asarray(model.score(theta + shift), float)
                          - np.asarray(model.score(theta - shift), float)) / (2 * h)
    hess = (hess + hess.T) / 2
    k = int(model.k_re)
    sd = np.sqrt(np.maximum(np.diag(np.asarray(fit.cov_re_unscaled, float))[:k], 0.0))
    singular = bool(np.any(sd < MIXED_SINGULAR_TOL))
    finite = bool(np.all(np.isfinite(grad)) and np.all(np.isfinite(hess)))
    # a maximum: every curvature negative and at least MIXED_CURVATURE_TOL of the
    # largest (a flat ridge, an unidentified combination, has one near 0 of either sign)
    eig = np.linalg.eigvalsh(hess) if finite else np.array([np.nan])
    negative = finite and bool(eig.max() < -MIXED_CURVATURE_TOL * np.abs(eig).max())
    step = np.full(theta.size, np.nan)
    if negative:
        step = np.linalg.solve(-hess, grad)
        largest, gain = float(np.abs(step).max()), float(grad @ step) / 2
    else:
        largest = gain = float("inf")
    # on the boundary the maximiser creeps towards 0 in the square root: a step of
    # about its own size remains, and it lands on the boundary
    landed = bool(np.all(np.abs(theta + step) < MIXED_SINGULAR_TOL)) if negative else False
    converged = negative and (largest < MIXED_STEP_TOL or (singular and landed))
    return {"converged": converged, "step": largest, "direction": step,
            "gain": gain, "singular": singular, "negative_definite": negative}


def _gls_blocks(model: Any, fit: Any) -> tuple[list[tuple[Any, ...]], np.ndarray]:
    """Each group's ``(W, W X, W r, [V_i], X' W X)`` and ``C = (X'V^-1 X)^-1``.

    ``W`` is the inverse of the group's covariance ``V = Z G Z' + sigma^2 I`` at the
    fit's variance parameters, ``r`` its residuals from the fixed effects and ``V_i``
    the derivatives of ``V`` in the variance parameters (the random-effects
    covariance's elements, then the residual variance). The one place that forms
    ``C``: :func:`fixed_effect_covariance` and :func:`satterthwaite_df` both read it.
    """
    cov_re = np.asarray(fit.cov_re, dtype=float)
    scale = float(fit.scale)
    q = cov_re.shape[0]
    units = []
    for k in range(q):
        for j in range(k, q):
            unit = np.zeros((q, q))
            unit[k, j] = unit[j, k] = 1.0
            units.append(unit)
    beta = np.asarray(fit.fe_params, dtype=float)
    blocks = []
    for x, z, y in zip(model.exog_li, model.exog_re_li, model.endog_li, strict=True):
        x, z, y = np.asarray(x, float), np.asarray(z, float), np.asarray(y, float)
        w = np.linalg.inv(z @ cov_re @ z.T + scale * np.eye(len(y)))
        derivs = [z @ unit @ z.T for unit in units] + [np.eye(len(y))]
        blocks.append((w, w @ x, w @ (y - x @ beta), derivs, x.T @ w @ x))
    return blocks, np.linalg.inv(sum(b[4] for b in blocks))


def fixed_effect_covariance(model: Any, fit: Any) -> np.ndarray:
    """Covariance of the fixed effects of a ``MixedLM`` fit, ``(X'V^-1 X)^-1``.

    The generalised least squares covariance at the estimated variance parameters,
    as lme4's ``vcov`` (and lmerTest's and nlme's standard errors); the square roots of
    its diagonal are the published standard errors. Not statsmodels' ``bse_fe``, the
    fixed-effect block of the inverse of the joint Hessian in fixed effects and
    variance parameters: the two agree on balanced data, but where the people are
    measured unequally often the cross-derivatives do not vanish and ``bse_fe``
    differed from lme4 by 1.3e-4 relative (random intercept) and 1.5e-3 (random slope)
    on sleepstudy with two subjects cut after day 5
    (``tests/reference/test_regression_against_r.py``).
    """
    return _gls_blocks(model, fit)[1]


def satterthwaite_df(model: Any, fit: Any, *, reml: bool = True) -> np.ndarray:
    """Satterthwaite's degrees of freedom of each fixed effect of a ``MixedLM`` fit.

    ``df = 2 (l'Cl)^2 / (g' A g)`` for the fixed effect picked by ``l``: ``C`` the
    covariance of the fixed effects (:func:`fixed_effect_covariance`), ``g`` the
    gradient of ``l'Cl`` in the variance
    parameters (the random-effects covariance's elements and the residual variance)
    and ``A`` their asymptotic covariance (the inverse of the observed information of
    the REML log-likelihood), as R's lmerTest (``summary``, ``contest``, ``ddf =
    "Satterthwaite"``), which computes the same quantities by numerical derivatives.

    Notes
    -----
    Analytic, group by group (the covariance of the measurements is block diagonal):
    with ``V`` the covariance of the measurements, ``P = V^-1 - V^-1 X C X' V^-1`` and
    ``V_i`` its derivative in parameter ``i``, the observed information is
    ``-tr(P V_i P V_j) / 2 + y'P V_i P V_j P y`` (REML; by maximum likelihood, with the
    fixed effects profiled out as lme4 does, ``V^-1`` in the trace instead of ``P``) and ``dC/d_i = C X'V^-1 V_i V^-1 X C``.
    The degrees of freedom do not depend on how the variance parameters are written
    (lmerTest's relative standard deviations, or variances here) at the maximum.
    Checked against lmerTest on a synthetic wellbeing extract and on unbalanced
    sleepstudy, random intercept and random slope, REML and ML
    (``tests/reference/test_regression_against_r.py``).
    """
    blocks, cov = _gls_blocks(model, fit)
    n_par = len(blocks[0][3])
    p = cov.shape[0]
    uau = np.zeros((n_par, p, p))
    trace_w = np.zeros((n_par, n_par))
    uawbu = np.zeros((n_par, n_par, p, p))
    quad = np.zeros((n_par, n_par))
    uae = np.zeros((n_par, p))
    for w, u, e, derivs, _ in blocks:
        for i, a in enumerate(derivs):
            uau[i] += u.T @ a @ u
            uae[i] += u.T @ a @ e
            wa = w @ a
            for j, b in enumerate(derivs):
                trace_w[i, j] += np.trace(wa @ w @ b)
                uawbu[i, j] += u.T @ a @ w @ b @ u
                quad[i, j] += e @ a @ w @ b @ e
    observed = np.empty((n_par, n_par))
    for i in range(n_par):
        for j in range(n_par):
            trace = trace_w[i, j] + (np.trace(cov @ uau[i] @ cov @ uau[j])
                                     - 2 * np.trace(cov @ uawbu[i, j]) if reml else 0.0)
            observed[i, j] = -trace / 2 + quad[i, j] - uae[i] @ cov @ uae[j]
    acov = np.linalg.inv((observed + observed.T) / 2)
    grads = np.stack([cov @ uau[i] @ cov for i in range(n_par)])  # dC/d_i
    out = np.empty(p)
    for t in range(p):
        g = grads[:, t, t]
        out[t] = 2 * cov[t, t] ** 2 / (g @ acov @ g)
    return out


def _fit_checked(measurements: pd.DataFrame, formula: str, group_col: str,
                 re_formula: str | None, reml: bool, gtol: float
                 ) -> tuple[Any, dict[str, Any], list[str]]:
    """Fit with each of ``MIXED_METHODS`` in turn until :func:`mixed_convergence`."""
    model = smf.mixedlm(formula, measurements, groups=measurements[group_col],
                        re_formula=re_formula)
    start, tried = None, []
    for method in MIXED_METHODS:
        options = {"gtol": gtol} if method == "bfgs" else {}
        with recorded_warnings() as notes:
            fit = model.fit(reml=reml, method=method, maxiter=500,
                            start_params=start, **options)
            check = mixed_convergence(model, fit)
            fit.bse_fe, fit.pvalues  # noqa: B018  (their warnings recorded here)
        tried.append(method)
        check["methods"] = tuple(tried)
        if check["converged"] or method == MIXED_METHODS[-1]:
            break
        start = fit.params_object.get_packed(use_sqrt=True, has_fe=False)
    # statsmodels' own stopping verdicts are replaced by the check above
    notes = [n for n in notes if not n.startswith("ConvergenceWarning") or (
        "boundary" in n or "Hessian" in n)]
    return (*_newton_polish(model, fit, check, reml), notes)


#: Newton steps taken from a converged estimate towards the exact maximum
MIXED_POLISH_STEPS = 3
#: no polish once the largest Newton step is under this
MIXED_POLISH_TOL = 1e-10


def _newton_polish(model: Any, fit: Any, check: dict[str, Any], reml: bool
                   ) -> tuple[Any, dict[str, Any]]:
    """Newton steps from a converged, interior estimate, kept while they improve it.

    Where the likelihood is flat (a random slope's covariance with the intercept) the
    optimisers stop a Newton step of about 1e-6 from the maximum, which the convergence
    check accepts; the variance parameters are then about 1e-4 (relative) from lme4's
    and the standard errors and Satterthwaite df 1e-6. Up to
    :data:`MIXED_POLISH_STEPS` steps of :func:`mixed_convergence`'s ``direction`` (the
    fit is re-evaluated at the new parameters without optimising) bring them to lme4's
    bobyqa to 1e-8; a step is kept only if the result is still converged, its
    likelihood not lower and its next step smaller. A singular fit is left alone.
    """
    for _ in range(MIXED_POLISH_STEPS):
        if not check["converged"] or check["singular"] or check["step"] < MIXED_POLISH_TOL:
            break
        theta = fit.params_object.get_packed(use_sqrt=True, has_fe=False)
        with recorded_warnings():
            polished = model.fit(reml=reml, method="bfgs", maxiter=0,
                                 start_params=np.asarray(theta) + check["direction"])
            again = mixed_convergence(model, polished)
        if not (again["converged"] and polished.llf >= fit.llf
                and again["step"] < check["step"]):
            break
        again["methods"] = (*check["methods"], "newton")
        fit, check = polished, again
    return fit, check


def fit_mixed_model(measurements: pd.DataFrame, *, score_col: str = "swemwbs_metric",
                    time_col: str = "follow_up", group_col: str = "person_id",
                    alpha: float = 0.05, random_slope: bool = False,
                    reml: bool = True) -> ModelResult:
    """Linear mixed model: score ~ time, random intercept (and slope) per person.

    Parameters
    ----------
    random_slope
        Add a random slope of ``time_col`` per person, correlated with the random
        intercept (lme4's ``(time | group)``); default: random intercept only. When
        the slope's covariance is on the boundary (singular), the random-intercept
        model is fitted instead and the result says so (``method["estimator"]``,
        ``warnings``, ``extra["random_slope_dropped"]``).
    reml
        Restricted maximum likelihood (default, lme4's default) or maximum likelihood
        (``False``; needed to compare models with different fixed effects by their
        likelihood).

    Returns
    -------
    ModelResult
        ``extra``: ``group_variance`` (random intercept), ``residual_variance``,
        ``loglik`` (the REML criterion's log-likelihood under REML, as lme4's
        ``logLik``), ``singular`` (a variance on the boundary), ``newton_step``,
        ``optimiser`` and ``converged`` (the convergence check's verdict, which the
        release check :func:`lifetools.disclosure.model_release` reads instead of
        statsmodels' own flag and warnings), and with ``random_slope`` also
        ``slope_variance`` and ``intercept_slope_covariance``.

    Notes
    -----
    statsmodels ``MixedLM``: BFGS to a gradient of 1e-9 (the default stopped 2e-6
    from lme4's variances), then L-BFGS, Powell and
    Nelder-Mead in turn from where the last stopped, until :func:`mixed_convergence`
    (Newton step under 1e-6, Hessian negative definite) holds; the optimiser's own
    verdict is not used. A converged interior fit is then polished by Newton steps
    (:func:`_newton_polish`; ``extra["optimiser"]`` is then "newton"). Uses every measurement, including people with only a
    baseline. Intervals and p-values of the fixed effects: t on Satterthwaite's degrees
    of freedom (:func:`satterthwaite_df`, R's lmerTest; where they are not defined,
    measurements less fixed effects), ``extra["df"]`` and ``extra["se"]`` by term; the
    standard errors are lme4's, from ``(X'V^-1 X)^-1`` (:func:`fixed_effect_covariance`,
    not statsmodels' ``bse_fe``, which differs on unbalanced data). A
    fit that fails the check after all four (or with a non-finite estimate or standard
    error) is flagged: ``estimable`` False, ``reason``, NaN
    estimates. A random-intercept variance on the boundary is kept (the fixed effects
    then equal a linear model's) and named in ``warnings`` (lme4's "boundary
    (singular) fit"). Checked against lme4's ``sleepstudy`` results (random intercept
    and random slope, REML and ML) in ``tests/reference/test_regression_against_r.py``
    and on a synthetic wellbeing extract (``test_mixed_model_wellbeing_against_lme4``),
    and against lmerTest on unbalanced sleepstudy
    (``test_mixed_model_unbalanced_sleepstudy_against_lmertest``);
    over 20 synthetic datasets in ``tests/truth/test_wellbeing_many_seeds.py``.
    """
    criterion = "REML" if reml else "ML"
    effects = "random intercept and slope" if random_slope else "random intercept"
    n_groups = int(measurements[group_col].nunique())
    formula = f"{score_col} ~ {time_col}"
    dropped = False
    if measurements.empty:
        # no one with a baseline (a small locality or period): statsmodels raised
        # numpy's "zero-size array to reduction operation" from its constant check
        return not_fitted(["Intercept", time_col], n_groups, reason=TOO_FEW_TO_FIT,
                          exponentiate=False, method={
                              "estimator": f"linear mixed model, {effects}, {criterion}",
                              "ci_method": "Wald"})
    try:
        fit, check, notes = _fit_checked(
            measurements, formula, group_col, f"~{time_col}" if random_slope else None,
            reml, MIXED_GTOL)
        if random_slope and check["singular"]:
            dropped, effects = True, ("random intercept (the random slope's covariance "
                                      "was on the boundary and was dropped)")
            fit, check, notes = _fit_checked(measurements, formula, group_col, None,
                                             reml, MIXED_GTOL)
            notes.insert(0, "random slope dropped: its covariance was estimated on "
                            "the boundary (singular)")
        terms = list(fit.fe_params.index)
        bse = pd.Series(np.sqrt(np.diag(fixed_effect_covariance(fit.model, fit))),
                        index=terms)
        dof, df_method = _fixed_effect_df(fit, reml=reml)
        pvalues = pd.Series(2 * stats.t.sf(np.abs(fit.fe_params / bse), dof), index=terms)
    except np.linalg.LinAlgError:
        # a singular design (too few people measured more than once): no number
        terms = ["Intercept", time_col]
        nan = pd.Series(np.nan, index=terms)
        reason = (f"the {criterion} fit failed: singular matrix (too few people "
                  "with repeated measurements)")
        return ModelResult(
            summary=tidy(terms, nan, nan, nan, n_groups, exponentiate=False,
                         alpha=alpha),
            n=n_groups, model=None, warnings=(reason,), estimable=False,
            reason=reason,
            method={"estimator": f"linear mixed model, {effects}, {criterion}",
                    "ci_method": "Wald"})
    if check["singular"]:
        notes.append("singular fit: the between-person variance is on the boundary "
                     "(about 0); the fixed effects equal a linear model's")
    converged = check["converged"]
    summary, estimable, reason = checked_summary(
        tidy(terms, fit.fe_params, bse, pvalues, n_groups, exponentiate=False,
             alpha=alpha, df=dof),
        fit.fe_params, bse, converged=converged,
        failure=(f"the {criterion} maximisation did not converge (Newton step "
                 f"{check['step']:.1e} after {', '.join(check['methods'])})"
                 if check["negative_definite"] else
                 f"the {criterion} likelihood has no strict maximum in the variance "
                 "components (Hessian not negative definite: not identified, e.g. a "
                 "random slope with two measurements a person)"),
        notes=notes, ratio=False, alpha=alpha)
    cov_re = np.asarray(fit.cov_re, dtype=float)
    extra = {"group_variance": float(cov_re[0, 0]), "residual_variance": float(fit.scale),
             "loglik": float(fit.llf), "singular": check["singular"],
             "newton_step": check["step"], "optimiser": check["methods"][-1],
             "random_slope_dropped": dropped, "converged": converged,
             "df": dict(zip(terms, map(float, dof), strict=True)),
             "se": dict(zip(terms, map(float, bse), strict=True))}
    if random_slope and not dropped:
        extra.update(slope_variance=float(cov_re[1, 1]),
                     intercept_slope_covariance=float(cov_re[0, 1]))
    return ModelResult(summary=summary, n=n_groups, model=fit, warnings=tuple(notes),
                       estimable=estimable, reason=reason, extra=extra,
                       method={"estimator": f"linear mixed model, {effects}, {criterion}",
                               "ci_method": "t", "df": df_method})


def _fixed_effect_df(fit: Any, *, reml: bool) -> tuple[np.ndarray, str]:
    """Satterthwaite's degrees of freedom of the fixed effects, and how they were had.

    When the observed information of the variance parameters cannot be inverted or
    gives degrees of freedom that are not finite and positive (a variance on the
    boundary can), the residual degrees of freedom of the linear model the fixed
    effects then equal (measurements less fixed effects) are used, and the method
    record says so.
    """
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            dof = satterthwaite_df(fit.model, fit, reml=reml)
    except np.linalg.LinAlgError:
        dof = np.array([np.nan])
    if np.all(np.isfinite(dof)) and np.all(dof > 0):
        return dof, "Satterthwaite"
    residual = float(fit.model.nobs - len(fit.fe_params))
    return (np.full(len(fit.fe_params), residual),
            "measurements less fixed effects (singular fit: Satterthwaite not defined)")


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a proportion."""
    if n == 0:
        return (float("nan"), float("nan"))
    z = stats.norm.ppf(1 - alpha / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def share_meaningful_change(pairs: pd.DataFrame, *, threshold: float,
                            change_col: str = "change", alpha: float = 0.05
                            ) -> ModelResult:
    """Share of people whose score rose by at least ``threshold``, with a Wilson CI."""
    hits = int((pairs[change_col] >= threshold).sum())
    n = len(pairs)
    low, high = wilson_interval(hits, n, alpha)
    summary = pd.DataFrame({"term": [f"improved by {threshold:g} or more"],
                            "estimate": [hits / n if n else float("nan")],
                            "ci_lower": [low], "ci_upper": [high], "p_value": [np.nan],
                            "n": [n]})
    return ModelResult(summary=summary, n=n, extra={"improved": hits},
                       method={"estimator": "proportion", "ci_method": "Wilson score",
                               "threshold": threshold})
