"""Release check for a fitted model's output (regression or survival).

As OpenSAFELY's release rules ask, every model output comes with the number of people,
the number of events and the residual degrees of freedom per level of each exposure
and covariate. The output is withheld ("too few events to estimate", with the reason)
when any level has fewer events than the profile's ``model_min_events`` (10), when
the residual degrees of freedom are fewer than 10 (ACRO's default for models), when
the fit did not converge, or when an interval is degenerate (0, infinite or
missing). Never a "0.00 (0.00 to inf)".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lifetools.disclosure.counts import protect_counts
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.protected import ProtectedTable

__all__ = ["MIN_RESIDUAL_DF", "NOT_ESTIMABLE", "ModelRelease", "model_release"]

NOT_ESTIMABLE = "too few events to estimate"
MIN_RESIDUAL_DF = 10
"""ACRO's default minimum residual degrees of freedom for a model."""
MAX_LEVELS = 12
"""A covariate with more distinct values is treated as continuous (no levels)."""


@dataclass(frozen=True)
class ModelRelease:
    """Whether a model output may be published, and the counts behind it.

    ``levels`` (protected): variable, level, people, events; ``residual_df``;
    ``reasons`` (empty when released).
    """

    released: bool
    reasons: tuple[str, ...]
    levels: ProtectedTable
    residual_df: int

    @property
    def reason(self) -> str:
        """All reasons in one sentence ("" when released)."""
        return "; ".join(self.reasons)

    def apply(self, summary: pd.DataFrame) -> pd.DataFrame:
        """The summary if released; else its terms with missing estimates.

        :func:`lifetools.tables.table_estimates` shows missing estimates as
        "too few events to estimate" with the reason.
        """
        if self.released:
            return summary
        out = summary.copy()
        for col in ("estimate", "ci_lower", "ci_upper", "p_value"):
            if col in out:
                out[col] = float("nan")
        return out.assign(withheld=f"{NOT_ESTIMABLE}: {self.reason}")


def _converged(result: Any) -> bool:
    model = getattr(result, "model", None)
    retvals = getattr(model, "mle_retvals", None)
    if isinstance(retvals, dict) and retvals.get("converged") is False:
        return False
    if getattr(model, "converged", True) is False:
        return False
    notes = " ".join(getattr(result, "warnings", ()) or ()).lower()
    return "converge" not in notes


def _degenerate(summary: pd.DataFrame) -> list[str]:
    """Terms whose interval is infinite, missing, a point, or starts at 0."""
    bad = []
    for row in summary.itertuples(index=False):
        est, low, high = (float(v) for v in (row.estimate, row.ci_lower, row.ci_upper))
        if any(math.isnan(v) or math.isinf(v) for v in (est, low, high)) \
                or low == high or (abs(low) < 1e-8 and high > 0):
            bad.append(str(row.term))
    return bad


def model_release(
    result: Any,
    *,
    data: pd.DataFrame,
    event_col: str,
    level_cols: Sequence[str],
    summary: pd.DataFrame | None = None,
    converged: bool | None = None,
    profile: str | SdcProfile | None = None,
) -> ModelRelease:
    """Decide whether a fitted model's output may be published.

    Parameters
    ----------
    result
        A lifetools result (``summary`` with term, estimate, ci_lower, ci_upper;
        ``model``; ``warnings``).
    data
        The rows the model was fitted to (one per person or person-period).
    event_col
        The outcome: events (0/1 or counts) per row.
    level_cols
        Exposure and covariates to count events in; a column with more than
        ``MAX_LEVELS`` distinct values is continuous and counted as one level.
    summary
        The estimates to check (default ``result.summary``).
    converged
        Whether the fit converged (default: read from the fitted model and its
        warnings).

    Notes
    -----
    Counts per level are raw while deciding and protected in ``levels``. Intervals are
    degenerate when a limit is 0 (ratio scale), infinite or missing, or both limits are
    equal. Tested in ``tests/unit/test_disclosure_models.py``.
    """
    p = get_profile(profile)
    summary = result.summary if summary is None else summary
    rows = []
    for col in level_cols:
        values = data[col]
        levels = ([("all", values.notna())] if values.nunique() > MAX_LEVELS else
                  [(str(level), values == level) for level in
                   sorted(values.dropna().unique(), key=str)])
        for level, mask in levels:
            rows.append({"variable": col, "level": level, "people": int(mask.sum()),
                         "events": int(round(float(data.loc[mask, event_col].sum())))})
    table = pd.DataFrame(rows, columns=["variable", "level", "people", "events"])
    few = [("all rows" if r.level == "all" else f"{r.variable} = {r.level}")
           for r in table.itertuples() if r.events < p.model_min_events]
    reasons = ([f"fewer than {p.model_min_events} events in "
                + ("all rows" if "all rows" in few else ", ".join(few))] if few else [])
    residual_df = int(len(data) - len(summary))
    if residual_df < MIN_RESIDUAL_DF:
        reasons.append(f"{residual_df} residual degrees of freedom (fewer than "
                       f"{MIN_RESIDUAL_DF})")
    if not (_converged(result) if converged is None else converged):
        reasons.append("the fit did not converge")
    reasons += [f"degenerate interval (0, infinite or missing) for {term}"
                for term in _degenerate(summary)]
    levels = protect_counts(table, ["people", "events"], profile=p)
    return ModelRelease(released=not reasons, reasons=tuple(reasons), levels=levels,
                        residual_df=residual_df)
