"""Frozen result objects of the regression estimators (:class:`lifetools.results.Result`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from lifetools.convergence import degenerate_terms
from lifetools.results import Interval, Result, wald_interval

__all__ = ["BalanceResult", "ModelResult", "checked_summary", "not_fitted", "tidy"]


def tidy(terms, coef, se, p_value, n: int, *, exponentiate: bool,
         alpha: float = 0.05, df=None) -> pd.DataFrame:
    """Tidy table: term, estimate, ci_lower, ci_upper, p_value, n.

    Wald intervals (:func:`lifetools.results.wald_interval`), or, with ``df`` (each
    term's degrees of freedom), t intervals ``coef -/+ t(df) * se``.
    """
    coef = np.asarray(coef, float)
    if df is None:
        lower, upper = wald_interval(coef, se, alpha=alpha, exponentiate=exponentiate)
    else:
        half = stats.t.ppf(1 - alpha / 2, df) * np.asarray(se, float)
        lower, upper = coef - half, coef + half
        if exponentiate:
            lower, upper = np.exp(lower), np.exp(upper)
    return pd.DataFrame({"term": list(terms),
                         "estimate": np.exp(coef) if exponentiate else coef,
                         "ci_lower": lower, "ci_upper": upper,
                         "p_value": np.asarray(p_value, float), "n": n})


def checked_summary(summary: pd.DataFrame, coef, se, *, converged: bool,
                    failure: str, notes: list[str], ratio: bool,
                    alpha: float = 0.05) -> tuple[pd.DataFrame, bool, str]:
    """Flag a fit: (summary with NaN for degenerate terms, estimable, reason).

    ``failure`` is the reason when ``converged`` is False; ``notes`` (the recorded
    warnings) gains a "not estimable: ..." line when there is a reason.
    """
    terms = summary["term"].tolist()
    bad = degenerate_terms(terms, coef, se, ratio=ratio, alpha=alpha)
    reasons = ([] if converged else [failure]) + [f"{t}: {r}" for t, r in bad.items()]
    reason = "; ".join(reasons)
    if reason:
        notes.append(f"not estimable: {reason}")
    hit = summary["term"].isin(terms if not converged else list(bad))
    # an estimate with only its standard error degenerate is kept (no interval, no p)
    se_only = [t for t, r in bad.items() if r.startswith("its standard error")]
    summary = summary.copy()
    summary.loc[hit, ["ci_lower", "ci_upper", "p_value"]] = np.nan
    summary.loc[hit & ~summary["term"].isin(se_only if converged else []),
                "estimate"] = np.nan
    return summary, not reason, reason


def not_fitted(terms, n: int, *, reason: str, method: dict[str, Any],
               exponentiate: bool = True, notes: tuple[str, ...] = (),
               model: Any = None, extra: dict[str, Any] | None = None) -> ModelResult:
    """A model that could not be fitted, with its reason: the one maker of such a result.

    Parameters
    ----------
    terms
        The model's terms: each gets a row of ``summary`` with NaN numbers (none: an
        empty summary, as a model of no one or with unusable covariates has).
    n
        The people (or groups) the model was to be fitted to.
    reason
        Why it was not fitted, in words (``ModelResult.reason``).
    method
        The method record of the model that was to be fitted.
    exponentiate
        Whether ``summary`` is on the ratio scale (its estimates' column names and
        limits follow :func:`tidy`).
    notes
        Warnings of the attempt (a library's, a fit's), kept before the reason.
    model
        The library's object of a fit that was made but not used (one that did not
        converge), else None.
    extra
        The model kind's other results, each missing (a logistic model's C-statistic
        and calibration), else none.

    Returns
    -------
    ModelResult
        Not ``estimable``; ``reason`` as given and ``warnings`` the notes, then
        "not estimable: <reason>". Tested in ``tests/unit/test_logistic.py``.
    """
    nan = np.full(len(terms), np.nan)
    return ModelResult(summary=tidy(list(terms), nan, nan, nan, n,
                                    exponentiate=exponentiate),
                       n=n, method=method, estimable=False, reason=reason,
                       warnings=(*notes, f"not estimable: {reason}"), model=model,
                       extra={} if extra is None else extra)


@dataclass(frozen=True)
class ModelResult(Result):
    """A fitted model: tidy ``summary``, counts, method record, library object.

    ``estimable`` is False when the fit did not converge or an estimate is degenerate
    (not finite, or an interval reaching 0 or infinity); ``reason`` then says why, and
    the affected rows of ``summary`` hold NaN. ``warnings`` carries the warnings of the
    libraries underneath. ``events`` is the number with the outcome where the model
    has one (a logistic model), else ``None``.
    """

    summary: pd.DataFrame
    n: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    model: Any = field(default=None, repr=False)
    estimable: bool = True
    reason: str = ""
    events: int | None = None

    def estimate(self, term: str) -> Interval:
        """(estimate, ci_lower, ci_upper) of one term: :meth:`Result.interval`."""
        return self.interval(term)


@dataclass(frozen=True)
class BalanceResult:
    """Propensity-score design: matched or weighted data and covariate balance."""

    data: pd.DataFrame
    balance: pd.DataFrame
    method: dict[str, Any]
    model: Any = field(default=None, repr=False)
    failure: str | None = None
    """Why the design cannot be used (e.g. the propensity model did not converge);
    ``None`` when it can. ``data`` and ``balance`` are then empty."""

    @property
    def max_abs_smd_after(self) -> float:
        """Largest absolute standardised mean difference after matching/weighting."""
        return float(self.balance["smd_after"].abs().max())
