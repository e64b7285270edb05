"""Propensity scores: logistic model, caliper matching or weighting, balance, and
difference-in-differences of rates for the matched or the weighted design."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import SpecificationWarning

from lifetools.frames import with_columns
from lifetools.regression.design import design_frame
from lifetools.regression.irls import fit_freeing_iterations
from lifetools.regression.results import BalanceResult, ModelResult, not_fitted, tidy
from lifetools.regression.support import OutsideSupport, common_support

__all__ = ["ONE_GROUP_ONLY", "PropensityModel", "balance_table", "estimate_did",
           "estimate_propensity", "fit_propensity", "match_on_propensity",
           "standardised_differences", "weight_by_propensity"]


@dataclass(frozen=True)
class PropensityModel:
    """A fitted propensity model: scores, and whether they may be used.

    ``failure`` says why the scores cannot be used (``None`` when they can): missing
    covariate values, a fit that did not converge, non-finite coefficients, or scores
    of exactly 0 or 1 (separation). ``warnings`` holds the fitting library's messages.
    ``support`` is ``True`` for the people the model was fitted to and scored (``None``:
    everyone); ``outside_support`` says who was left out and why
    (:class:`OutsideSupport`, :func:`common_support`).
    """

    scores: pd.Series
    covariates: tuple[str, ...]
    converged: bool
    failure: str | None = None
    warnings: tuple[str, ...] = ()
    model: Any = field(default=None, repr=False)
    support: pd.Series | None = field(default=None, repr=False)
    outside_support: tuple[OutsideSupport, ...] = ()

    @property
    def inside(self) -> pd.Series:
        """``True`` for the people inside the common support (everyone by default)."""
        if self.support is None:
            return pd.Series(True, index=self.scores.index)
        return self.support


ONE_GROUP_ONLY = ("the group does not have both users and non-users, so there is no "
                  "comparison to make")
"""The failure of a propensity model whose data hold one group only (a small locality
with no users): not a fit that did not converge. It names no number and not which group
is missing (the reason rule), though it does tell a reader that all or none of the
cohort used the Life Rooms: the report's published count of users beside it says as
much already (a count of 0 is shown under every profile)."""


def fit_propensity(df: pd.DataFrame, *, treatment_col: str, covariates: Sequence[str],
                   maxiter: int = 200) -> PropensityModel:
    """Propensity score P(treatment | covariates) from a logistic regression, checked.

    Notes
    -----
    statsmodels ``Logit`` by maximum likelihood (Newton, at most ``maxiter``
    iterations), main effects of ``covariates`` and an intercept. A covariate constant
    in ``df`` (e.g. a locality indicator in a single-locality report) cannot be
    estimated beside the intercept and is left out. People beyond a covariate value
    that separates users from non-users (a locality with no users) are outside the
    common support and left out before fitting (:func:`common_support`; the result's
    ``support`` and ``outside_support``; their scores are missing). Nothing is fitted
    when a covariate has missing values, nor when ``df`` lacks users or non-users
    (``failure`` :data:`ONE_GROUP_ONLY`). The result's ``failure`` is set when the fit
    did not converge,
    a coefficient is not finite, or a score is exactly 0 or 1; matching, weighting and
    the difference-in-differences then stop and say why
    (``tests/unit/test_propensity.py``).
    """
    arms = df[treatment_col]
    if not ((arms == 1).any() and (arms == 0).any()):
        # a logistic model of one group only is not a propensity model (statsmodels
        # iterated to its limit: "did not converge"); the truth is there is no contrast
        return PropensityModel(scores=pd.Series(np.nan, index=df.index, name="propensity"),
                               covariates=tuple(covariates), converged=False,
                               failure=ONE_GROUP_ONLY)
    inside, outside = common_support(df, treatment_col=treatment_col,
                                     covariates=covariates)
    # the people inside the support, without copying every column of ``df`` (a person
    # per row: at 1,500,000 people each copy was about 0.5 GB; issue 16)
    rows = None if bool(inside.all()) else inside.to_numpy()
    kept_index = df.index if rows is None else df.index[rows]

    def kept(col: str) -> pd.Series:
        return df[col] if rows is None else df[col][rows]

    used = tuple(c for c in covariates if kept(c).nunique(dropna=False) > 1)
    empty = pd.Series(np.nan, index=df.index, name="propensity")
    support = None if not outside else inside
    if outside and kept(treatment_col).nunique() < 2:
        return PropensityModel(
            scores=empty, covariates=used, converged=False, support=support,
            outside_support=outside,
            failure=("users and non-users do not overlap on a recorded characteristic "
                     "(complete separation), so the groups cannot be compared"))
    missing = {c: df[c].isna().to_numpy() for c in used}
    columns = [c for c in used if missing[c].any()]
    if columns:
        rows_missing = np.logical_or.reduce([missing[c] for c in columns])
        first = int(np.flatnonzero(rows_missing)[0]) + 1
        return PropensityModel(
            scores=empty, covariates=used, converged=False,
            failure=(f"{int(rows_missing.sum())} people have no value of "
                     f"{', '.join(columns)} (first at row {first})"))
    del missing
    x = design_frame(df, used, rows=rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # no rank check: statsmodels' pivoted QR of every person's row (about 0.1 s at
        # 12,000 people) sets only the model's degrees of freedom, which nothing here
        # reads; the fit, its scores and a singular design's error are the same
        fit = sm.Logit(kept(treatment_col).astype(float), x, check_rank=False).fit(
            disp=0, maxiter=maxiter)
        scores = pd.Series(fit.predict(x), index=kept_index, name="propensity"
                           ).reindex(df.index)
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    converged = bool(fit.mle_retvals.get("converged", False))
    failure = None
    if not converged:
        failure = f"the propensity model did not converge in {maxiter} iterations"
    elif not np.isfinite(np.asarray(fit.params, float)).all():
        failure = "the propensity model has a coefficient that is not finite"
    elif ((scores <= 0) | (scores >= 1)).any():
        failure = ("the propensity model separates users from non-users (scores of "
                   "exactly 0 or 1)")
    return PropensityModel(scores=scores, covariates=used, converged=converged,
                           failure=failure, warnings=messages, model=fit,
                           support=support, outside_support=outside)


def estimate_propensity(df: pd.DataFrame, *, treatment_col: str,
                        covariates: Sequence[str]) -> pd.Series:
    """Propensity scores of :func:`fit_propensity`; raise if they cannot be used.

    Raises
    ------
    ValueError
        With the reason, when :func:`fit_propensity` sets ``failure``.
    """
    model = fit_propensity(df, treatment_col=treatment_col, covariates=covariates)
    if model.failure:
        raise ValueError(f"propensity scores cannot be used: {model.failure}")
    return model.scores


def _failed(df: pd.DataFrame, model: PropensityModel, method: dict[str, Any], *,
            treatment_col: str, covariates: Sequence[str]) -> BalanceResult:
    """An empty design that says why it could not be built (balance before only)."""
    balance = pd.DataFrame({
        "covariate": list(covariates),
        "smd_before": standardised_differences(df, treatment_col=treatment_col,
                                               covariates=covariates).to_numpy(),
        "smd_after": np.nan})
    return BalanceResult(data=df.iloc[0:0], balance=balance,
                         method={**method, "failure": model.failure}, model=model,
                         failure=model.failure)


def _support_method(model: PropensityModel) -> dict[str, Any]:
    """The design's record of the people left outside the common support, if any."""
    if not model.outside_support:
        return {}
    return {"outside_support": model.outside_support,
            "outside_support_people": int((~model.inside).sum())}


def standardised_differences(df: pd.DataFrame, *, treatment_col: str,
                             covariates: Sequence[str],
                             weights: pd.Series | None = None,
                             reference: pd.DataFrame | None = None) -> pd.Series:
    """Standardised mean differences: treated minus control over a fixed pooled SD.

    The numerator is the (weighted) mean among the treated minus that among controls in
    ``df``; the denominator is the pooled SD ``sqrt((var_treated + var_control) / 2)``
    (unweighted) of ``reference``, the unmatched sample (default ``df``). Passing the
    unmatched sample after matching or weighting keeps the denominator fixed, so a
    change in SD cannot pass for balance (Austin 2009; the default of R ``cobalt`` for
    matching and of ``tableone``). A covariate with SD 0 in ``reference`` gives 0; with
    no one (or a weight of 0) among the treated or the controls it is NaN (undefined).
    """
    w = pd.Series(1.0, index=df.index) if weights is None else weights
    base = df if reference is None else reference
    treated = df[treatment_col] == 1
    base_treated = base[treatment_col] == 1
    out = {}
    for col in covariates:
        x, b = df[col].astype(float), base[col].astype(float)
        if not (w[treated].sum() > 0 and w[~treated].sum() > 0):
            out[col] = np.nan  # no one (weighted) on one side: no difference to take
            continue
        m1 = np.average(x[treated], weights=w[treated])
        m0 = np.average(x[~treated], weights=w[~treated])
        sd = np.sqrt((b[base_treated].var() + b[~base_treated].var()) / 2)
        out[col] = (m1 - m0) / sd if sd > 0 else 0.0
    return pd.Series(out)


def balance_table(before: pd.DataFrame, after: pd.DataFrame, *, treatment_col: str,
                  covariates: Sequence[str], weights: pd.Series | None = None
                  ) -> pd.DataFrame:
    """SMD of each covariate before and after matching or weighting (target |SMD| < 0.1).

    Both columns divide by the pooled SD of ``before`` (the unmatched sample); see
    :func:`standardised_differences`.
    """
    return pd.DataFrame({
        "covariate": list(covariates),
        "smd_before": standardised_differences(before, treatment_col=treatment_col,
                                               covariates=covariates).to_numpy(),
        "smd_after": standardised_differences(after, treatment_col=treatment_col,
                                              covariates=covariates, weights=weights,
                                              reference=before).to_numpy(),
    })


def _whitening(points: np.ndarray, treated: np.ndarray) -> tuple[np.ndarray, float]:
    """A matrix ``w`` with ``|(a - b) @ w|`` the Mahalanobis distance of the rows of
    ``points`` under their pooled within-group covariance, and ``1 / var`` of the first
    column under it, the multiplier of the search's lower bound on the distance (0 when
    the covariance is singular: no bound, every control within the caliper is
    compared, so the search stays exact)."""
    centred = points.copy()
    for group in (treated, ~treated):
        centred[group] -= points[group].mean(axis=0)
    # the divisor does not matter: it scales every distance alike
    covariance = centred.T @ centred / max(len(points) - 2, 1)
    values, vectors = np.linalg.eigh(covariance)
    keep = values > values.max() * 1e-10
    full_rank = bool(keep.all())
    w = vectors[:, keep] / np.sqrt(values[keep])
    return w, (1 / covariance[0, 0] if full_rank else 0.0)


def _nearest_unused(z: np.ndarray, target: np.ndarray, values: np.ndarray,
                    value: float, ids: np.ndarray, used: np.ndarray, lo: int, hi: int,
                    bound: float) -> int:
    """Position in ``lo:hi`` of the unused control nearest ``target`` (``-1``: none).

    Scans outwards from ``value`` along the sorted ``values`` (logit scores) in
    blocks; stops once ``bound * gap**2``, a lower bound on the squared distance of
    every control further away along the score, exceeds the best so far. Equal
    distances: the smaller id.
    """
    pos = int(np.searchsorted(values, value))
    left = right = min(max(pos, lo), hi)
    best, best_d = -1, np.inf
    block = 32
    while left > lo or right < hi:
        new_left, new_right = max(lo, left - block), min(hi, right + block)
        idx = np.r_[new_left:left, right:new_right]
        left, right = new_left, new_right
        idx = idx[~used[idx]]
        if idx.size:
            d = np.einsum("ij,ij->i", z[idx] - target, z[idx] - target)
            low = d.min()
            tied = idx[d == low]
            pick = tied[np.argmin(ids[tied])] if tied.size > 1 else tied[0]
            if low < best_d or (low == best_d and ids[pick] < ids[best]):
                best, best_d = int(pick), float(low)
        gap = min(value - values[left - 1] if left > lo else np.inf,
                  values[right] - value if right < hi else np.inf)
        if bound * gap * gap > best_d * (1 + 1e-9):
            break
        block *= 2
    return best


def match_on_propensity(
    df: pd.DataFrame,
    *,
    treatment_col: str,
    covariates: Sequence[str],
    caliper: float = 0.2,
    id_col: str = "person_id",
    model: PropensityModel | None = None,
    mahalanobis: Sequence[str] = (),
) -> BalanceResult:
    """1:1 nearest-neighbour matching without replacement within a caliper of the logit
    score, nearest by Mahalanobis distance on the logit score and ``mahalanobis``.

    Treated people are matched in order of decreasing score (hardest first; equal
    scores by ``id_col``), each to the unused control nearest in Mahalanobis distance
    on the logit score and the covariates ``mahalanobis`` (a subset of ``covariates``;
    default none: the logit score alone, plain nearest-neighbour matching on the
    score), among the controls whose logit score lies within ``caliper`` standard
    deviations of the logit score (over everyone in ``df``) of the treated person's
    (Rosenbaum and Rubin 1985; Austin 2011 for the caliper). The distance's
    covariance is the pooled within-group covariance of those variables among the
    people inside the common support. Equal distances go to the control with the
    smaller ``id_col``, so the match does not depend on row order. Unmatched treated
    people are dropped (reported in ``method``); people outside the common support
    (:func:`common_support`) are neither matched nor used as controls (``method``'s
    ``outside_support``). When the propensity model cannot be used
    (:func:`fit_propensity`), nothing is matched: the result's ``failure`` says why.
    ``model``: a :func:`fit_propensity` result for ``df`` and ``covariates``, to reuse
    one fit for matching and weighting (default: fitted here). ``method`` records the
    caliper, the distance and its covariates (``mahalanobis``).

    Raises
    ------
    ValueError
        When ``mahalanobis`` names a column not in ``covariates``.
    """
    extra = [c for c in mahalanobis if c not in covariates]
    if extra:
        raise ValueError(f"mahalanobis covariates must be among the score's covariates; "
                         f"not: {', '.join(extra)}")
    if model is None:
        model = fit_propensity(df, treatment_col=treatment_col, covariates=covariates)
    design = ("1:1 nearest-neighbour matching without replacement"
              + (f", Mahalanobis distance on the logit propensity score, "
                 f"{', '.join(mahalanobis)}" if mahalanobis else ""))
    if model.failure:
        return _failed(df, model, {"design": design, "mahalanobis": tuple(mahalanobis)},
                       treatment_col=treatment_col, covariates=covariates)
    ps = model.scores
    logit = np.log(ps / (1 - ps))
    width = caliper * float(logit.std())
    treated = df[treatment_col] == 1
    inside = model.inside
    # only the id, the score and the distance's covariates are sorted: not every
    # column of ``df`` (issue 16)
    people = df.loc[inside, list(dict.fromkeys([id_col, *mahalanobis]))].assign(
        _logit=logit[inside])
    # a covariate constant among them adds nothing to any distance
    columns = [c for c in dict.fromkeys(mahalanobis) if people[c].nunique() > 1]
    is_treated = treated[inside].to_numpy()
    points = people[["_logit", *columns]].to_numpy(dtype=float)
    w, bound = _whitening(points, is_treated)
    z = points @ w
    del points
    scores = people["_logit"].to_numpy()
    controls = np.flatnonzero(~is_treated)
    controls = controls[np.lexsort((people[id_col].to_numpy()[controls],
                                    scores[controls]))]
    values = scores[controls]
    ids = people[id_col].to_numpy()[controls]
    id_rank = np.empty(len(ids), dtype=np.int64)
    id_rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    cz = z[controls]
    used = np.zeros(len(values), dtype=bool)
    order = np.flatnonzero(is_treated)
    order = order[np.lexsort((people[id_col].to_numpy()[order], -scores[order]))]
    pairs = []
    for row in order:
        value = float(scores[row])
        lo = int(np.searchsorted(values, value - width, side="left"))
        hi = int(np.searchsorted(values, value + width, side="right"))
        best = _nearest_unused(cz, z[row], values, value, id_rank, used, lo, hi, bound)
        if best >= 0:
            used[best] = True
            pairs.append((people.index[row], people.index[controls[best]]))
    chosen = [i for pair in pairs for i in pair]
    matched = df.loc[chosen].assign(propensity=ps.loc[chosen],
                                    pair=np.repeat(np.arange(len(pairs)), 2))
    return BalanceResult(
        data=matched, balance=balance_table(df, matched, treatment_col=treatment_col,
                                            covariates=covariates),
        method={"design": design,
                "caliper": f"{caliper} SD of the logit propensity score",
                # the covariates the distance used: one constant among the people
                # inside the support was left out, and the page's sentence must not
                # name it (review of wave 42)
                "distance": ("Mahalanobis (pooled within-group covariance): logit "
                             "propensity score" + "".join(f", {c}" for c in columns)),
                "mahalanobis": tuple(columns),
                "treated": int(treated.sum()), "matched_pairs": len(pairs),
                **_support_method(model)},
        model=model)


def weight_by_propensity(df: pd.DataFrame, *, treatment_col: str,
                         covariates: Sequence[str], trim: float = 0.01,
                         estimand: Literal["att", "ate"] = "att",
                         model: PropensityModel | None = None) -> BalanceResult:
    """Inverse-probability-of-treatment weights.

    Scores are clipped to at most ``1 - trim`` (ATT) or to ``[trim, 1 - trim]`` (ATE).

    ``estimand="att"`` (default, the population of the matched design): users weight
    1, non-users ``e / (1 - e)``. ``estimand="ate"``: stabilised weights ``p / e`` for
    users and ``(1 - p) / (1 - e)`` for non-users, ``p`` the share of users. The weights
    are in ``data["weight"]``; pass ``weights_col="weight"`` to :func:`estimate_did`.
    ``data`` holds only the people inside the common support (:func:`common_support`;
    ``method``'s ``outside_support``); balance is still measured against everyone.
    When everyone is inside, ``data``'s columns of ``df`` are ``df``'s own values, not
    copies of them (write into neither). When the propensity model cannot be used
    (:func:`fit_propensity`), nothing is weighted: the result's ``failure`` says why.
    ``model``: as for :func:`match_on_propensity`.
    """
    if estimand not in ("att", "ate"):
        raise ValueError(f"estimand must be 'att' or 'ate', not {estimand!r}")
    if model is None:
        model = fit_propensity(df, treatment_col=treatment_col, covariates=covariates)
    if model.failure:
        return _failed(df, model, {"design": "inverse probability of treatment weights",
                                   "estimand": estimand},
                       treatment_col=treatment_col, covariates=covariates)
    everyone = df
    if not model.inside.all():  # no copy of every column when everyone is inside
        df = df.loc[model.inside]
    ps = model.scores.loc[df.index]
    # ATT weights only grow as e nears 1; clipping small scores up would inflate the
    # weight of every unlikely non-user (with a rare exposure, most of the pool)
    ps = ps.clip(upper=1 - trim) if estimand == "att" else ps.clip(trim, 1 - trim)
    treated = df[treatment_col] == 1
    if estimand == "att":
        weights = np.where(treated, 1.0, ps / (1 - ps))
        design = "inverse probability of treatment weights, ATT (users 1, e / (1 - e))"
    else:
        share = treated.mean()
        weights = np.where(treated, share / ps, (1 - share) / (1 - ps))
        design = "stabilised inverse probability of treatment weights, ATE"
    # not ``assign``, which copied every column of every person (issue 16)
    data = with_columns(df, {"propensity": ps, "weight": weights})
    return BalanceResult(
        data=data, balance=balance_table(everyone, data, treatment_col=treatment_col,
                                         covariates=covariates,
                                         weights=data["weight"]),
        method={"design": design, "estimand": estimand, "trim": trim,
                **_support_method(model)}, model=model)


def estimate_did(
    periods: pd.DataFrame,
    *,
    outcome_col: str,
    group_col: str = "user",
    period_col: str = "after",
    person_time_col: str = "person_years",
    id_col: str = "person_id",
    weights_col: str | None = None,
    method: Literal["gee"] = "gee",
    alpha: float = 0.05,
) -> ModelResult:
    """Difference-in-differences of rates: the ratio of after/before rate ratios.

    Terms ``life_rooms`` (group), ``after`` (period) and ``did`` (their product) with
    offset log(person-time); the rate ratio of ``did`` is the users' after/before rate
    ratio over the comparison group's. Each person contributes a before and an after
    window around their own index date. For non-users that date is the pseudo index
    date drawn in ``build_person_time`` before matching, so within a matched pair the
    two dates differ; the groups' index dates share a distribution, not values.

    Notes
    -----
    Unweighted (``weights_col=None``, the matched design): Poisson GEE, exchangeable
    working correlation within person (moment estimator with divisors pairs - p and
    N - p), robust (sandwich) errors. Weighted (``weights_col`` names a per-person
    weight, e.g. from :func:`weight_by_propensity`): Poisson GLM with ``var_weights``
    (independence working correlation) and cluster-robust errors by person with the
    factor G/(G-1) x (N-1)/(N-K), which treat the weights as known. Wald intervals.
    Rows with no person-time are dropped. A group and period
    with no events (the ratio is then 0 or infinite), a fit that did not converge, or a
    standard error that is not finite, makes the result not ``estimable``, with the
    ``reason``, which does not say which group and period had no events (the reports
    publish it beside that cell's hidden count) (the library's warnings are in
    ``warnings``). Checked against R
    (``geepack::geeglm``; ``glm`` with ``sandwich::vcovCL``) in
    ``tests/reference/test_logistic_did_against_r.py``, and in
    ``tests/truth/test_regression_truth.py``, ``tests/truth/test_did_many_seeds.py``
    and ``tests/unit/test_propensity_matching_weighting.py``.
    """
    used = list(dict.fromkeys([id_col, period_col, group_col, person_time_col,
                               outcome_col, *([weights_col] if weights_col else [])]))
    data = periods.loc[periods[person_time_col] > 0, used].sort_values([id_col, period_col])
    # one float64 block, which statsmodels takes as exog without a copy (design.py)
    values = np.empty((4, len(data)))
    values[0] = 1.0
    values[1] = data[group_col].astype(float, copy=False).to_numpy()
    values[2] = data[period_col].astype(float, copy=False).to_numpy()
    np.multiply(values[1], values[2], out=values[3])
    x = pd.DataFrame(values.T, index=data.index, copy=False,
                     columns=["const", "life_rooms", "after", "did"])
    groups = pd.factorize(data[id_col])[0]
    offset = np.log(data[person_time_col].astype(float))
    y = data[outcome_col].astype(float)
    weights = None if weights_col is None else data[weights_col].astype(float)
    people = int(data[id_col].nunique())
    del data  # the fit reads only the arrays above (issue 16)
    caught: list[warnings.WarningMessage] = []
    cells = y.groupby([x["life_rooms"], x["after"]]).sum()
    empty = [f"{'users' if g else 'comparison'} {'after' if a else 'before'}"
             for (g, a), total in cells.items() if total == 0]
    failure = None
    if len(cells) < 4:
        failure = "a group or period has no person-time"
    elif empty:
        # which group and period had none is not said: the reason is published beside
        # that cell's hidden count, and "no events in users before" would show a
        # hidden zero (a whole group without the outcome: group disclosure)
        failure = ("too few events in a group and period to estimate a ratio of rate "
                   "ratios")
    if y.eq(0).all():  # all zero, or no rows (a NaN outcome still raises below)
        # no events at all (a small locality's matched pairs): statsmodels cannot
        # start ("the first guess on the deviance function returned a nan")
        return not_fitted(x.columns, people, reason=failure,
                          method={"estimator": "difference-in-differences (not fitted)",
                                  "method": method, "weights": weights_col or "none"})
    if weights_col is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = sm.GEE(y, x, groups=groups, family=sm.families.Poisson(),
                         cov_struct=sm.cov_struct.Exchangeable(), offset=offset).fit()
            bse = np.asarray(fit.bse, float)
        estimator = "difference-in-differences, Poisson GEE (ratio of rate ratios)"
        ci_method = "Wald, robust (sandwich), exchangeable within person"
    else:
        model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset,
                       var_weights=weights)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # statsmodels warns that robust covariances are "not fully supported" with
            # var_weights; for the cluster sandwich used here it equals the sandwich
            # computed by hand (tests/unit/test_propensity_matching_weighting.py)
            warnings.simplefilter("ignore", SpecificationWarning)
            fit = fit_freeing_iterations(model, cov_type="cluster",
                                         cov_kwds={"groups": groups})
            bse = np.asarray(fit.bse, float)
        estimator = ("difference-in-differences, weighted Poisson GLM (ratio of "
                     "weighted rate ratios)")
        ci_method = "Wald, cluster-robust by person, weights treated as known"
    if failure is None and not bool(fit.converged):
        failure = "the difference-in-differences model did not converge"
    elif failure is None and not np.isfinite(bse).all():
        failure = "a standard error of the difference-in-differences is not finite"
    return ModelResult(
        summary=tidy(x.columns, fit.params, bse, fit.pvalues, people,
                     exponentiate=True, alpha=alpha),
        n=people, model=fit,
        warnings=tuple(dict.fromkeys(str(w.message) for w in caught)),
        method={"estimator": estimator, "ci_method": ci_method, "method": method,
                "weights": weights_col or "none"},
        estimable=failure is None, reason=failure or "")
