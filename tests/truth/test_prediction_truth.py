"""Truth tests: the prediction estimators on the known crisis-risk model.

The cohort (``lifetools.synthetic.crisis``) draws a 12-month crisis from
``CRISIS_TRUTH``: a U-shaped age effect and a prior-crisis x HoNOS interaction. The
development edition is the whole caseload; the next edition is a subset weighted to the
age extremes (a case-mix shift within the ages seen in development). A correctly
specified model (4-knot spline of age, the interaction) must transport: calibration
slope interval covering 1, calibration-in-the-large covering 0, no drift verdict, and its
C-statistic interval covering the true model's C. A misspecified model (linear age, no
interaction) must be flagged by the drift check and its C interval must miss the true C.
Seeds are fixed, so the tests are deterministic; sizes are small (about 7,000 people).
"""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools.prediction import (
    ModelSpec,
    c_statistic,
    drift_check,
    fit_prediction_model,
    validate_frozen,
)
from lifetools.synthetic import generate_tables
from lifetools.synthetic.crisis import CRISIS_TRUTH, make_crisis_cohort

pytestmark = pytest.mark.slow

OTHERS = ("female", "imd_quintile", "honos", "prior_crisis", "life_rooms", "inpatient_team")
CORRECT = ModelSpec("crisis", splines={"age": 4}, linear=OTHERS,
                    interactions=(("prior_crisis", "honos"),))
MISSPECIFIED = ModelSpec("crisis", linear=("age", *OTHERS))
SEEDS = (1, 2, 3, 4)


def editions(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_crisis_cohort(20000, seed), make_crisis_cohort(20000, seed, edition=1)


@pytest.mark.parametrize("seed", SEEDS)
def test_prediction_correct_model_next_edition_calibrated_and_true_c_covered(seed):
    development, later = editions(seed)
    model = fit_prediction_model(development, CORRECT).frozen
    table = validate_frozen(model, later, "crisis").summary.set_index("measure")
    assert table.loc["slope", "ci_lower"] < 1 < table.loc["slope", "ci_upper"]
    assert table.loc["citl", "ci_lower"] < 0 < table.loc["citl", "ci_upper"]
    true_c = c_statistic(later["crisis"], later["true_risk"])[0]
    assert table.loc["c", "ci_lower"] < true_c < table.loc["c", "ci_upper"]
    assert not drift_check(validate_frozen(model, later, "crisis")).drifted


@pytest.mark.parametrize("seed", SEEDS)
def test_prediction_misspecified_model_flagged_and_misses_true_c(seed):
    development, later = editions(seed)
    model = fit_prediction_model(development, MISSPECIFIED).frozen
    result = validate_frozen(model, later, "crisis")
    check = drift_check(result)
    assert check.drifted and "under-predicts" in check.verdict
    true_c = c_statistic(later["crisis"], later["true_risk"])[0]
    assert result.summary.set_index("measure").loc["c", "ci_upper"] < true_c


@pytest.mark.parametrize("seed", SEEDS)
def test_prediction_interaction_interval_covers_truth_and_no_interaction_misses(seed):
    development, _ = editions(seed)
    fit = fit_prediction_model(development, CORRECT, shrinkage="none")
    row = fit.summary.set_index("term").loc["prior_crisis*honos"]
    truth = CRISIS_TRUTH.prior_crisis_x_honos_per_5 / 5   # per HoNOS point
    low, high = row["estimate_ml"] - 1.96 * row["se"], row["estimate_ml"] + 1.96 * row["se"]
    assert low < truth < high
    assert low > 0    # a model without the interaction (coefficient 0) is excluded


def test_crisis_cohort_people_are_the_generators_caseload():
    # the cohort's people are generate_tables' caseload for the seed, in order: the birth
    # years of people with a referral form a subsequence of the cohort's (no table changes)
    tables = generate_tables(3000, 5)
    people = tables["people"]
    referred = people["nhs_number"].isin(tables["referrals"]["nhs_number"]).to_numpy()
    wanted = iter((2022 - make_crisis_cohort(3000, 5)["age"]).astype(int).tolist())
    assert all(any(year == got for got in wanted)
               for year in people.loc[referred, "year_of_birth"].astype(int))
    assert referred.sum() > 500
    assert not {"person_id", "nhs_number"} & set(make_crisis_cohort(300, 5).columns)
