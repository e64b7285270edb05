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
               exponentiate: bool = True, notes: tuple[str, ...] = ()) -> ModelResult:
    """A model that could not be fitted: each term's row with NaN numbers, not
    ``estimable``, and ``reason`` (its warnings say "not estimable: <reason>")."""
    nan = np.full(len(terms), np.nan)
    return ModelResult(summary=tidy(list(terms), nan, nan, nan, n,
                                    exponentiate=exponentiate),
                       n=n, method=method, estimable=False, reason=reason,
                       warnings=(*notes, f"not estimable: {reason}"))


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
