"""E-values for unmeasured confounding (VanderWeele and Ding 2017)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["COMMON_OUTCOME", "HazardEValues", "e_value", "e_values", "e_values_hr",
           "hr_as_rr"]

COMMON_OUTCOME = 0.15
"""Cumulative incidence by the end of follow-up above which an outcome is common
(VanderWeele 2020: a hazard ratio then differs from the risk ratio)."""


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


def hr_as_rr(hazard_ratio: float, *, common: bool) -> float:
    """A hazard ratio on the risk-ratio scale, for an E-value.

    A common outcome: ``(1 - 0.5 ** sqrt(HR)) / (1 - 0.5 ** sqrt(1 / HR))``; a rare one:
    the hazard ratio itself (HR approximates RR).

    Raises
    ------
    ValueError
        If ``hazard_ratio`` is not a finite positive number.

    Notes
    -----
    VanderWeele TJ. Optimal approximate conversions of odds ratios and hazard ratios to
    risk ratios. Biometrics 2020;76:746-752; the conversion of the R package EValue's
    ``evalues.HR(rare = FALSE)`` (VanderWeele and Ding 2017, eTable). Checked in
    ``tests/unit/test_evalue.py`` against values from that package.
    """
    if not (math.isfinite(hazard_ratio) and hazard_ratio > 0):
        raise ValueError("an E-value needs a finite positive ratio, not "
                         f"{hazard_ratio!r}")
    if not common:
        return hazard_ratio
    root = math.sqrt(hazard_ratio)
    return (1 - 0.5 ** root) / (1 - 0.5 ** (1 / root))


@dataclass(frozen=True)
class HazardEValues:
    """E-values of a hazard ratio and of its confidence limit nearest 1.

    ``common`` records which conversion was used: True when the outcome's cumulative
    incidence by the end of follow-up (``incidence``) was above ``COMMON_OUTCOME``
    (hazard ratios converted to risk ratios), False when rare (HR taken as RR).
    """

    estimate: float
    limit: float
    common: bool
    incidence: float


def e_values_hr(estimate: float, ci_lower: float, ci_upper: float, *,
                incidence: float) -> HazardEValues:
    """E-values of a hazard ratio, common or rare by the outcome's cumulative incidence.

    ``incidence`` is the outcome's cumulative incidence by the end of follow-up, as
    computed (a share, 0 to 1): above :data:`COMMON_OUTCOME` the estimate and limits
    are converted by :func:`hr_as_rr` (common outcome), otherwise used as risk ratios;
    then :func:`e_values`.

    Raises
    ------
    ValueError
        If ``incidence`` is not a share in [0, 1], or as :func:`e_values`.

    Notes
    -----
    As ``evalues.HR(est, lo, hi, rare = incidence <= 0.15)`` of the R package EValue
    (VanderWeele and Ding 2017). Checked in ``tests/unit/test_evalue.py``.
    """
    if not (np.isfinite(incidence) and 0 <= incidence <= 1):
        raise ValueError("the outcome's cumulative incidence must be a share in "
                         f"[0, 1], not {incidence!r}")
    common = bool(incidence > COMMON_OUTCOME)
    if not ci_lower <= estimate <= ci_upper:
        raise ValueError("the estimate must lie within its confidence interval "
                         f"({ci_lower!r}, {estimate!r}, {ci_upper!r})")
    converted = [hr_as_rr(v, common=common) for v in (estimate, ci_lower, ci_upper)]
    for_estimate, for_limit = e_values(*converted)
    return HazardEValues(for_estimate, for_limit, common, float(incidence))
