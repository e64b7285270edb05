"""Survival analysis: Kaplan-Meier, competing risks, Cox (fixed and time-varying).

Every function returns a frozen result with a tidy ``summary``, the counts behind it,
the ``method`` (estimator, CI method, ties, library versions) and the fitted ``model``.
"""

from __future__ import annotations

from lifetools.survival.competing import aalen_johansen, estimate_cif
from lifetools.survival.cox import fit_cox, fit_cox_time_varying
from lifetools.survival.finegray import finegray_rows, fit_fine_gray
from lifetools.survival.finegray_bootstrap import (
    FineGrayBootstrap,
    bootstrap_fine_gray,
    fine_gray_incidence,
)
from lifetools.survival.kaplan_meier import (
    at_risk_table,
    estimate_km,
    km_limits,
    logrank_test,
    median_survival,
)
from lifetools.survival.landmark import fit_landmark, fit_landmark_time_split
from lifetools.survival.partial_likelihood import cox_global_tests, global_tests_table
from lifetools.survival.results import CIFResult, CoxResult, KMResult, LandmarkResult
from lifetools.survival.zph import cox_zph

__all__ = ["CIFResult", "CoxResult", "FineGrayBootstrap", "KMResult", "LandmarkResult",
           "aalen_johansen", "at_risk_table", "bootstrap_fine_gray", "cox_global_tests",
           "cox_zph", "estimate_cif", "estimate_km", "fine_gray_incidence",
           "finegray_rows", "fit_cox", "fit_cox_time_varying", "fit_fine_gray",
           "fit_landmark", "fit_landmark_time_split", "global_tests_table", "km_limits",
           "logrank_test", "median_survival"]
