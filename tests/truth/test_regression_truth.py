"""Emergency care and wellbeing: the designs recover the true effects."""

from __future__ import annotations

import math

import pytest

from lifetools.cohort import (
    MATCHING_COVARIATES,
    propensity_covariates,
)
from lifetools.regression import (
    compare_before_after,
    estimate_did,
    estimate_paired_change,
    fit_poisson,
    match_on_propensity,
    paired_measurements,
    weight_by_propensity,
)
from lifetools.synthetic import TRUE_EFFECTS

RR = TRUE_EFFECTS.ae_rr_life_rooms


@pytest.fixture(scope="module")
def person_time(truth_person_time):
    return truth_person_time  # tests/truth/conftest.py: shared with the admissions test


def test_before_after_ci_covers_true_rate_ratio(person_time):
    users = person_time.periods.merge(person_time.people[["person_id", "user"]],
                                      on="person_id")
    result = compare_before_after(users[users["user"] == 1], outcome_col="ae")
    estimate, low, high = result.estimate("after")
    assert low <= RR <= high, (estimate, low, high)


@pytest.fixture(scope="module")
def matched(person_time):
    covariates = propensity_covariates(person_time.people)
    assert {"team_a06", "team_other", "locality_unknown"} <= set(covariates)
    return match_on_propensity(person_time.people, treatment_col="user",
                               covariates=covariates, mahalanobis=MATCHING_COVARIATES)


def test_matching_reduces_the_largest_imbalance(matched):
    assert matched.max_abs_smd_after < matched.balance["smd_before"].abs().max() / 4


def test_matching_balances_every_covariate_below_0_1(matched):
    # by the score alone baseline A&E stayed at 0.119 (0.113 before matching), whatever
    # the caliper: use depends on an unrecorded frailty that baseline A&E only proxies.
    # Mahalanobis distance on the baseline rates within the caliper: 0.011 (issue 13)
    assert matched.max_abs_smd_after < 0.1


def test_matched_did_covers_truth_and_beats_unadjusted(person_time, matched):
    periods = person_time.periods.merge(matched.data[["person_id", "user"]],
                                        on="person_id")
    did, low, high = estimate_did(periods, outcome_col="ae").estimate("did")
    assert low <= RR <= high, (did, low, high)
    everyone = person_time.periods.merge(person_time.people[["person_id", "user"]],
                                         on="person_id")
    after = everyone[everyone["after"] == 1]
    naive = fit_poisson(after, outcome_col="ae", person_time_col="person_years",
                        covariates=["user"]).estimate("user")[0]
    assert abs(math.log(did / RR)) < abs(math.log(naive / RR))


def test_weighting_balances_covariates(person_time):
    weighted = weight_by_propensity(person_time.people, treatment_col="user",
                                    covariates=propensity_covariates(person_time.people))
    before = weighted.balance["smd_before"].abs().max()
    assert weighted.max_abs_smd_after < before
    assert weighted.max_abs_smd_after < 0.1


def test_weighted_did_covers_truth_and_beats_unadjusted(person_time):
    weighted = weight_by_propensity(person_time.people, treatment_col="user",
                                    covariates=propensity_covariates(person_time.people))
    periods = person_time.periods.merge(weighted.data[["person_id", "user", "weight"]],
                                        on="person_id")
    did, low, high = estimate_did(periods, outcome_col="ae",
                                  weights_col="weight").estimate("did")
    assert low <= RR <= high, (did, low, high)
    after = periods[periods["after"] == 1]
    naive = fit_poisson(after, outcome_col="ae", person_time_col="person_years",
                        covariates=["user"]).estimate("user")[0]
    assert abs(math.log(did / RR)) < abs(math.log(naive / RR))


def test_wellbeing_mean_change_ci_covers_truth(truth_data):
    pairs = paired_measurements(truth_data.wellbeing, period_start="2019-04-01",
                                period_end="2025-03-31")
    result = estimate_paired_change(pairs)
    estimate, low, high = result.estimate("mean change")
    # Scores are clipped to 7-35 and converted to raw and back with the published
    # table, which moves the expected change from 2.0 to 1.9911 (computed,
    # TRUE_EFFECTS.wellbeing_expected_change()): far inside the interval (half-width about
    # 2 SE), so no slack is allowed. The estimate must also be within 3 standard errors.
    truth = TRUE_EFFECTS.wellbeing_mean_change
    assert low <= truth <= high, (estimate, low, high)
    se = (high - low) / (2 * 1.96)
    assert abs(estimate - truth) < 3 * se
