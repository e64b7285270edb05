"""Regression: count models, before/after, propensity designs, wellbeing, logistic.

Thin wrappers over statsmodels returning frozen results with tidy ``summary`` tables
(term, estimate, ci_lower, ci_upper, p_value, n), the method and the fitted model.
"""

from __future__ import annotations

from lifetools.regression.counts import (
    compare_before_after,
    fit_negative_binomial,
    fit_poisson,
)
from lifetools.regression.evalue import (
    COMMON_OUTCOME,
    HazardEValues,
    e_value,
    e_values,
    e_values_hr,
    hr_as_rr,
)
from lifetools.regression.logistic import (
    CALIBRATION_DIGITS,
    c_statistic,
    calibration,
    calibration_points,
    fit_logistic,
)
from lifetools.regression.propensity import (
    PropensityModel,
    balance_table,
    estimate_did,
    estimate_propensity,
    fit_propensity,
    match_on_propensity,
    standardised_differences,
    weight_by_propensity,
)
from lifetools.regression.results import BalanceResult, ModelResult
from lifetools.regression.support import OutsideSupport, common_support
from lifetools.regression.wellbeing import (
    estimate_paired_change,
    fit_mixed_model,
    paired_measurements,
    share_meaningful_change,
    wilson_interval,
)

__all__ = ["BalanceResult", "ModelResult", "OutsideSupport", "PropensityModel", "balance_table", "c_statistic", "calibration",
           "CALIBRATION_DIGITS", "calibration_points",
           "COMMON_OUTCOME", "HazardEValues", "common_support", "compare_before_after", "e_value", "e_values", "e_values_hr", "hr_as_rr", "estimate_did", "estimate_paired_change",
           "estimate_propensity", "fit_logistic", "fit_propensity", "fit_mixed_model",
           "fit_negative_binomial", "fit_poisson", "match_on_propensity",
           "paired_measurements", "share_meaningful_change", "standardised_differences",
           "weight_by_propensity", "wilson_interval"]
