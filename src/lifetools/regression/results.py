"""Frozen result objects of the regression estimators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["BalanceResult", "ModelResult", "checked_summary", "tidy"]


def tidy(terms, coef, se, p_value, n: int, *, exponentiate: bool,
         alpha: float = 0.05) -> pd.DataFrame:
    """Tidy table: term, estimate, ci_lower, ci_upper, p_value, n (Wald intervals)."""
    z = norm.ppf(1 - alpha / 2)
    coef, se = np.asarray(coef, float), np.asarray(se, float)
    link = np.exp if exponentiate else (lambda x: x)
    return pd.DataFrame({"term": list(terms), "estimate": link(coef),
                         "ci_lower": link(coef - z * se), "ci_upper": link(coef + z * se),
                         "p_value": np.asarray(p_value, float), "n": n})


def checked_summary(summary: pd.DataFrame, coef, se, *, converged: bool,
                    failure: str, notes: list[str], ratio: bool,
                    alpha: float = 0.05) -> tuple[pd.DataFrame, bool, str]:
    """Flag a fit: (summary with NaN for degenerate terms, estimable, reason).

    ``failure`` is the reason when ``converged`` is False; ``notes`` (the recorded
    warnings) gains a "not estimable: ..." line when there is a reason.
    """
    from lifetools.convergence import degenerate_terms

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


@dataclass(frozen=True)
class ModelResult:
    """A fitted model: tidy ``summary``, counts, method record, library object.

    ``estimable`` is False when the fit did not converge or an estimate is degenerate
    (not finite, or an interval reaching 0 or infinity); ``reason`` then says why, and
    the affected rows of ``summary`` hold NaN. ``warnings`` carries the warnings of the
    libraries underneath.
    """

    summary: pd.DataFrame
    n: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    model: Any = field(default=None, repr=False)
    estimable: bool = True
    reason: str = ""

    def estimate(self, term: str) -> tuple[float, float, float]:
        """(estimate, ci_lower, ci_upper) of one term."""
        row = self.summary.set_index("term").loc[term]
        return float(row["estimate"]), float(row["ci_lower"]), float(row["ci_upper"])


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
