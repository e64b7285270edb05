"""Minimum sample size to develop a risk model for a binary outcome (Riley et al.)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

__all__ = ["CRITERIA", "SampleSize", "minimum_sample_size"]

CRITERIA = ("(i) expected shrinkage", "(ii) optimism in Nagelkerke R2",
            "(iii) precision of the overall risk")
"""Riley et al.'s three criteria, as :func:`minimum_sample_size`'s summary names them."""


@dataclass(frozen=True)
class SampleSize:
    """The minimum sample size and each criterion behind it."""

    summary: pd.DataFrame
    n: int
    events: float
    events_per_parameter: float
    shrinkage: float
    method: dict


def minimum_sample_size(*, parameters: int, prevalence: float, r2_cs: float,
                        shrinkage: float = 0.9, r2_difference: float = 0.05,
                        margin: float = 0.05) -> SampleSize:
    """Minimum development sample size for a logistic risk model.

    Parameters
    ----------
    parameters : int
        Candidate predictor parameters (every spline term, indicator and interaction).
    prevalence : float
        Anticipated outcome proportion.
    r2_cs : float
        Anticipated Cox-Snell R-squared (adjusted), from a previous model.
    shrinkage : float
        Target expected uniform shrinkage, criterion (i).
    r2_difference : float
        Largest acceptable difference between apparent and adjusted Nagelkerke R-squared,
        criterion (ii).
    margin : float
        Margin of error of the overall risk (the intercept), criterion (iii).

    Returns
    -------
    SampleSize
        ``summary`` has one row per criterion (``n``, ``events``, ``epp``,
        ``shrinkage``); ``n`` is the largest.

    Notes
    -----
    Riley et al. (2019, Stat Med 38:1276; 2020, BMJ 368:m441), as ``pmsampsize``
    (type "b"): (i) ``n = p / ((S - 1) ln(1 - R2cs / S))``; (ii) the same with
    ``S = R2cs / (R2cs + delta max(R2cs))``, ``max(R2cs) = 1 - exp(2 lnL0 / n)``,
    ``lnL0 = n (phi ln phi + (1 - phi) ln(1 - phi))``; (iii) ``n = (1.96 / margin)^2
    phi (1 - phi)``. Each rounded up. Checked against the published Chagas disease
    example (n = 662, EPP 4.8) in ``tests/unit/test_prediction.py``.
    """
    phi = prevalence
    if not 0 < phi < 1:
        raise ValueError("prevalence must lie strictly between 0 and 1")
    max_r2 = 1 - math.exp(2 * (phi * math.log(phi) + (1 - phi) * math.log(1 - phi)))
    if not 0 < r2_cs < max_r2:
        raise ValueError(f"r2_cs must lie between 0 and its maximum {max_r2:.3f} at this prevalence")
    if shrinkage <= r2_cs:
        raise ValueError("shrinkage must exceed r2_cs")

    def by_shrinkage(s: float) -> int:
        return math.ceil(parameters / ((s - 1) * math.log(1 - r2_cs / s)))

    s2 = r2_cs / (r2_cs + r2_difference * max_r2)
    rows = [(CRITERIA[0], by_shrinkage(shrinkage), shrinkage),
            (CRITERIA[1], by_shrinkage(s2), s2),
            # 1.96, not the normal quantile: Riley et al.'s published formula (and
            # pmsampsize's), which the Chagas example's n = 662 checks.
            (CRITERIA[2],
             math.ceil((1.96 / margin) ** 2 * phi * (1 - phi)), float("nan"))]
    summary = pd.DataFrame(rows, columns=["criterion", "n", "shrinkage"])
    summary["events"] = summary["n"] * phi
    summary["epp"] = summary["events"] / parameters
    n = int(summary["n"].max())
    return SampleSize(summary=summary, n=n, events=n * phi, events_per_parameter=n * phi / parameters,
                      shrinkage=max(shrinkage, s2),
                      method={"source": "Riley et al. 2019/2020; pmsampsize type 'b'",
                              "max_r2_cs": max_r2, "r2_cs": r2_cs,
                              "target_shrinkage": shrinkage})
