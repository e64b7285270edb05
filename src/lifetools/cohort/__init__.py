"""Cohorts and person-time: who is in each analysis, from when, until when."""

from __future__ import annotations

from lifetools.cohort.crisis import CRISIS_PREDICTORS, CrisisCohort, build_crisis_cohort
from lifetools.cohort.discharge import (
    ADJUSTMENT_COVARIATES,
    EVENT_CODES,
    MISSING_DATA_COLUMNS,
    DischargeCohort,
    ReReferralCohort,
    build_discharge_cohort,
    build_rereferral_cohort,
    closure_groups,
    split_at_exposure,
)
from lifetools.cohort.person_time import (
    MATCHING_COVARIATES,
    PRIOR_OUTCOMES,
    PROPENSITY_COVARIATES,
    PersonTime,
    build_person_time,
    propensity_covariates,
)
from lifetools.cohort.spec import CohortSpec

__all__ = ["CohortSpec", "ADJUSTMENT_COVARIATES", "EVENT_CODES", "MISSING_DATA_COLUMNS", "DischargeCohort", "ReReferralCohort",
           "build_discharge_cohort", "build_rereferral_cohort", "closure_groups",
           "split_at_exposure", "MATCHING_COVARIATES", "PRIOR_OUTCOMES",
           "PROPENSITY_COVARIATES",
           "PersonTime", "build_person_time",
           "propensity_covariates", "CRISIS_PREDICTORS",
           "CrisisCohort", "build_crisis_cohort"]
