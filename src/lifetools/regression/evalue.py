"""E-values for unmeasured confounding (VanderWeele and Ding 2017)."""

from __future__ import annotations

import math

__all__ = ["e_value", "e_values"]


def e_value(ratio: float) -> float:
    """E-value of a risk or rate ratio: ``RR + sqrt(RR (RR - 1))``, with ``1 / RR`` below 1.

    The minimum strength of association, on the risk-ratio scale, that an unmeasured
    confounder would need with both the exposure and the outcome, beyond the measured
    covariates, to explain the observed ratio away. A ratio of 1 gives 1.

    Raises
    ------
    ValueError
        If ``ratio`` is not a finite positive number.

    Notes
    -----
    VanderWeele TJ, Ding P. Sensitivity analysis in observational research: introducing
    the E-value. Ann Intern Med 2017;167:268-274, formula for a risk ratio. Checked on
    the paper's worked examples in ``tests/unit/test_evalue.py``.
    """
    if not (math.isfinite(ratio) and ratio > 0):
        raise ValueError(f"an E-value needs a finite positive ratio, not {ratio!r}")
    rr = ratio if ratio >= 1 else 1 / ratio
    return rr + math.sqrt(rr * (rr - 1))


def e_values(estimate: float, ci_lower: float, ci_upper: float) -> tuple[float, float]:
    """E-values of a ratio and of its confidence limit nearest 1.

    Returns ``(for_estimate, for_limit)``; ``for_limit`` is 1 when the interval
    contains 1 (no confounding is needed to move the interval to the null).

    Raises
    ------
    ValueError
        If the limits are not ordered around the estimate, or a value is not finite
        and positive.

    Notes
    -----
    VanderWeele and Ding (2017): the limit nearest the null is the lower limit of a
    ratio above 1 and the upper limit of a ratio below 1. Checked in
    ``tests/unit/test_evalue.py``.
    """
    if not ci_lower <= estimate <= ci_upper:
        raise ValueError("the estimate must lie within its confidence interval "
                         f"({ci_lower!r}, {estimate!r}, {ci_upper!r})")
    if ci_lower <= 1 <= ci_upper:
        return e_value(estimate), 1.0
    limit = ci_lower if estimate > 1 else ci_upper
    return e_value(estimate), e_value(limit)
