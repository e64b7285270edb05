"""Frozen result objects of the regression estimators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["BalanceResult", "ModelResult", "tidy"]


def tidy(terms, coef, se, p_value, n: int, *, exponentiate: bool,
         alpha: float = 0.05) -> pd.DataFrame:
    """Tidy table: term, estimate, ci_lower, ci_upper, p_value, n (Wald intervals)."""
    z = norm.ppf(1 - alpha / 2)
    coef, se = np.asarray(coef, float), np.asarray(se, float)
    link = np.exp if exponentiate else (lambda x: x)
    return pd.DataFrame({"term": list(terms), "estimate": link(coef),
                         "ci_lower": link(coef - z * se), "ci_upper": link(coef + z * se),
                         "p_value": np.asarray(p_value, float), "n": n})


@dataclass(frozen=True)
class ModelResult:
    """A fitted model: tidy ``summary``, counts, method record, library object."""

    summary: pd.DataFrame
    n: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    model: Any = field(default=None, repr=False)
    failure: str | None = None
    """Why the estimate cannot be used (no convergence, a non-finite error); ``None``
    when it can."""

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
