"""The names of the key results, declared once per report.

A key result is recorded under a name (``results.json``, the glue a page quotes as
``{glue:text}`name```, the landing page's main points in ``analyses/analyses.yml``).
Each report declares its names here as a :class:`~enum.StrEnum`, and the report code
builds its key results from these members only: a name typed anywhere else is either
a reference (Markdown, ``analyses.yml``), which ``tests/unit/test_result_names.py``
checks against these declarations, or a fault ``tests/unit/test_key_result_names.py``
finds (a report producing a name not declared here, or a declared name its report
never produces).

Members are strings (``DischargeName.HR_TV == "hr_tv"``), so ``results.json`` and the
published pages hold the same bytes as with plain strings. A notebook refers to a
name it records itself as ``lt.result_names.NotebookName.SDC_RULE``.

This module imports nothing from lifetools: ``describe`` and every report may import it.
"""

from __future__ import annotations

from enum import StrEnum, unique
from typing import TypeVar

__all__ = ["CohortName", "CrisisName", "DischargeName", "EmergencyName", "NotebookName",
           "ReReferralName", "ReachName", "WellbeingName", "ALL_NAMES", "WITHOUT_INTERVAL",
           "derived"]


@unique
class NotebookName(StrEnum):
    """Recorded by a notebook cell itself (``lt.publication.record``), not by a report."""

    SDC_RULE = "sdc_rule"


@unique
class CohortName(StrEnum):
    """``describe.describe_population``: its ``counts`` (``record_counts``)."""

    PEOPLE = "people"
    CASELOAD = "caseload"
    REFERRALS = "referrals"
    USERS = "users"
    USERS_IN_CARE = "users_in_care"
    CONTACTS = "contacts"
    CASELOAD_SENTENCE = "caseload_sentence"


@unique
class DischargeName(StrEnum):
    """``reports.analyse_discharge``: time to discharge.

    The headline ratios ``hr_tv`` and ``shr_landmark`` have ``X_evalue``.
    """

    COHORT_PEOPLE = "cohort_people"
    COHORT_USERS = "cohort_users"
    COHORT_SENTENCE = "cohort_sentence"
    DISCHARGED = "discharged"
    HR_TV = "hr_tv"
    HR_TV_CI = "hr_tv_ci"
    HR_TV_EVALUE = "hr_tv_evalue"
    HR_TV_EVALUE_SENTENCE = "hr_tv_evalue_sentence"
    HR_NAIVE = "hr_naive"
    HR_NAIVE_CI = "hr_naive_ci"
    HR_TV_COMPLETE_CASE = "hr_tv_complete_case"
    HR_TV_COMPLETE_CASE_CI = "hr_tv_complete_case_ci"
    SHR_LANDMARK = "shr_landmark"
    SHR_LANDMARK_CI = "shr_landmark_ci"
    SHR_LANDMARK_EVALUE = "shr_landmark_evalue"
    SHR_LANDMARK_SENTENCE = "shr_landmark_sentence"
    HR_TV_SENTENCE = "hr_tv_sentence"
    HR_NAIVE_SENTENCE = "hr_naive_sentence"
    UNCERTAINTY_SENTENCE = "uncertainty_sentence"
    CURVE_SENTENCE = "curve_sentence"
    ADJUSTED_FOR = "adjusted_for"


@unique
class ReReferralName(StrEnum):
    """``reports.analyse_rereferral``: re-referral after discharge.

    The headline ratios ``hr_rereferral`` and ``shr_rereferral`` have ``X_evalue``.
    """

    DISCHARGED_PEOPLE = "discharged_people"
    REREFERRED = "rereferred"
    REREFERRED_SENTENCE = "rereferred_sentence"
    REREFERRAL_1Y = "rereferral_1y"
    REREFERRAL_1Y_CI = "rereferral_1y_ci"
    REREFERRAL_SENTENCE = "rereferral_sentence"
    HR_REREFERRAL = "hr_rereferral"
    HR_REREFERRAL_CI = "hr_rereferral_ci"
    HR_REREFERRAL_EVALUE = "hr_rereferral_evalue"
    HR_REREFERRAL_EVALUE_SENTENCE = "hr_rereferral_evalue_sentence"
    HR_REREFERRAL_SENTENCE = "hr_rereferral_sentence"
    SHR_REREFERRAL = "shr_rereferral"
    SHR_REREFERRAL_CI = "shr_rereferral_ci"
    SHR_REREFERRAL_EVALUE = "shr_rereferral_evalue"
    SHR_REREFERRAL_SENTENCE = "shr_rereferral_sentence"
    ADJUSTED_FOR = "adjusted_for"


@unique
class EmergencyName(StrEnum):
    """``reports.analyse_emergency_care``: A&E attendances and emergency admissions.

    Each headline ratio ``X`` has ``X_ci`` and ``X_evalue``; ``X_sentence`` where a
    page quotes it in words; ``did_ae_events``, the fewest A&E attendances of the
    matched design's published cells, is the main point's count for the verdict's
    fewest-events rule.
    """

    USERS = "users"
    MATCHED_PAIRS = "matched_pairs"
    MATCHING_COUNT_SENTENCE = "matching_count_sentence"
    MAX_SMD = "max_smd"
    MAX_SMD_WEIGHTED = "max_smd_weighted"
    DID_AE = "did_ae"
    DID_AE_CI = "did_ae_ci"
    DID_AE_EVALUE = "did_ae_evalue"
    DID_AE_EVENTS = "did_ae_events"
    DID_AE_WEIGHTED = "did_ae_weighted"
    DID_AE_WEIGHTED_CI = "did_ae_weighted_ci"
    DID_AE_WEIGHTED_EVALUE = "did_ae_weighted_evalue"
    DID_ADMISSIONS = "did_admissions"
    DID_ADMISSIONS_CI = "did_admissions_ci"
    DID_ADMISSIONS_EVALUE = "did_admissions_evalue"
    DID_ADMISSIONS_WEIGHTED = "did_admissions_weighted"
    DID_ADMISSIONS_WEIGHTED_CI = "did_admissions_weighted_ci"
    DID_ADMISSIONS_WEIGHTED_EVALUE = "did_admissions_weighted_evalue"
    BEFORE_AFTER_AE = "before_after_ae"
    BEFORE_AFTER_AE_CI = "before_after_ae_ci"
    BEFORE_AFTER_AE_EVALUE = "before_after_ae_evalue"
    C_STATISTIC = "c_statistic"
    C_STATISTIC_CI = "c_statistic_ci"
    DID_AE_SENTENCE = "did_ae_sentence"
    BEFORE_AFTER_AE_SENTENCE = "before_after_ae_sentence"
    DID_AE_WEIGHTED_SENTENCE = "did_ae_weighted_sentence"
    DID_ADMISSIONS_SENTENCE = "did_admissions_sentence"
    DID_AE_EVALUE_SENTENCE = "did_ae_evalue_sentence"
    BALANCE_SENTENCE = "balance_sentence"
    C_STATISTIC_SENTENCE = "c_statistic_sentence"
    CALIBRATION_SENTENCE = "calibration_sentence"
    WINDOW = "window"
    PREDICTION_OUTCOME = "prediction_outcome"
    MATCHING_SENTENCE = "matching_sentence"


@unique
class WellbeingName(StrEnum):
    """``reports.analyse_wellbeing``: SWEMWBS change."""

    BASELINE_PEOPLE = "baseline_people"
    PAIRED_PEOPLE = "paired_people"
    COMPLETION_SENTENCE = "completion_sentence"
    MEAN_CHANGE = "mean_change"
    MEAN_CHANGE_CI = "mean_change_ci"
    SHARE_IMPROVED = "share_improved"
    MEAN_CHANGE_SENTENCE = "mean_change_sentence"
    SHARE_IMPROVED_SENTENCE = "share_improved_sentence"
    SCALE_SENTENCE = "scale_sentence"
    THRESHOLD_SENTENCE = "threshold_sentence"


@unique
class ReachName(StrEnum):
    """``reports.analyse_reach``: activity counts (its ``activity`` table) and feedback."""

    VISITS = "visits"
    VISITORS = "visitors"
    PRESCRIPTIONS = "prescriptions"
    GP_REGISTRATIONS = "gp_registrations"
    NATIONALITIES = "nationalities"
    ACCESS_EASY = "access_easy"
    RECOMMEND = "recommend"
    FEEDBACK_SENTENCE = "feedback_sentence"
    GROUPING_SENTENCE = "grouping_sentence"
    ROUNDING_SENTENCE = "rounding_sentence"
    CERTAINTY_SENTENCE = "certainty_sentence"
    ACTIVITY_SENTENCE = "activity_sentence"
    SERVICES_SENTENCE = "services_sentence"


@unique
class CrisisName(StrEnum):
    """``reports.analyse_crisis_risk``: the crisis-risk prediction model."""

    MODEL_WITHHELD = "model_withheld"
    DEVELOPMENT_PEOPLE = "development_people"
    DEVELOPMENT_CRISES = "development_crises"
    DEVELOPMENT_SENTENCE = "development_sentence"
    VALIDATION_PEOPLE = "validation_people"
    OVERLAP_SENTENCE = "overlap_sentence"
    REQUIRED_PEOPLE = "required_people"
    SAMPLE_SIZE_SENTENCE = "sample_size_sentence"
    SAMPLE_SIZE_BASIS = "sample_size_basis"
    MIN_EVENTS = "min_events"
    PARAMETERS = "parameters"
    IMPUTATIONS = "imputations"
    MISSING_SENTENCE = "missing_sentence"
    SPLINE_SENTENCE = "spline_sentence"
    RIDGE_PENALTY = "ridge_penalty"
    LASSO_PENALTY = "lasso_penalty"
    LASSO_SENTENCE = "lasso_sentence"
    INTERNAL_METHOD = "internal_method"
    INTERNAL_METHOD_BRIEF = "internal_method_brief"
    COMPARISON_METHOD = "comparison_method"
    INTERNAL_CALIBRATION_METHOD = "internal_calibration_method"
    FIT_RELIABILITY = "fit_reliability"
    SHRINKAGE = "shrinkage"
    C_CORRECTED = "c_corrected"
    C_CORRECTED_CI = "c_corrected_ci"
    C_VALIDATION = "c_validation"
    C_VALIDATION_CI = "c_validation_ci"
    SLOPE_VALIDATION = "slope_validation"
    SLOPE_VALIDATION_CI = "slope_validation_ci"
    CITL_VALIDATION = "citl_validation"
    CITL_VALIDATION_CI = "citl_validation_ci"
    DRIFT_VERDICT = "drift_verdict"
    DRIFT_HEADLINE = "drift_headline"
    C_CORRECTED_SENTENCE = "c_corrected_sentence"
    C_VALIDATION_SENTENCE = "c_validation_sentence"
    SHRINKAGE_SENTENCE = "shrinkage_sentence"
    FAIRNESS_SENTENCE = "fairness_sentence"
    FINE_GRAY_INCIDENCE_SENTENCE = "fine_gray_incidence_sentence"
    MODEL_CARD_POPULATION_SENTENCE = "model_card_population_sentence"
    MODEL_CARD_PERFORMANCE_SENTENCE = "model_card_performance_sentence"


#: The estimates published without a 95% interval because none is computed for them:
#: checks of a method (the largest standardised difference after matching or
#: weighting, the uniform shrinkage factor), not estimates of an effect. Every other
#: estimate or ratio a report records has its ``<name>_ci``
#: (``tests/unit/test_key_result_names.py``); the comparison with the previous
#: edition says these have no interval rather than that it is "not among the key
#: results" (issue 15, wave 36).
WITHOUT_INTERVAL: frozenset[str] = frozenset({
    EmergencyName.MAX_SMD, EmergencyName.MAX_SMD_WEIGHTED, CrisisName.SHRINKAGE})

#: Every declaration, one per report (and the notebooks' own).
ALL_NAMES: tuple[type[StrEnum], ...] = (
    NotebookName, CohortName, DischargeName, ReReferralName, EmergencyName,
    WellbeingName, ReachName, CrisisName)

N = TypeVar("N", bound=StrEnum)


def derived(name: N, suffix: str) -> N:
    """The declared name ``<name>_<suffix>`` of the same report (``hr_tv`` -> ``hr_tv_ci``).

    Parameters
    ----------
    name
        A declared name.
    suffix
        ``"ci"``, ``"evalue"`` or ``"sentence"``.

    Returns
    -------
    StrEnum
        The member of ``name``'s own declaration with that value.

    Raises
    ------
    ValueError
        When that report declares no such name (a report cannot make an undeclared one).

    Notes
    -----
    Used by the reports' helpers that record a ratio with its interval and words.
    Checked by ``tests/unit/test_result_names.py``.
    """
    return type(name)(f"{name.value}_{suffix}")
