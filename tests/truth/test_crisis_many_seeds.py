"""The crisis-risk model over 40 synthetic cohorts: its validation headlines and its
coefficients are unbiased and covered at the nominal rate; a model without the
prior-crisis x HoNOS interaction and with linear age fails the same criteria.

Cohorts: ``lifetools.synthetic.crisis.make_crisis_cohort(PEOPLE, seed)`` (development,
about 7,000 people) and ``edition=1`` (validation, about 4,000, weighted to the age
extremes), drawn from the known logistic model ``CRISIS_TRUTH``. Seeds 2001-2040.

Estimands and truths:

- the report's temporal-validation headline calibration-in-the-large
  (``validate_frozen`` on the next edition, model fitted with the report's heuristic
  shrinkage): 0 for a correctly specified model (the shift to the age extremes is
  within the ages seen in development);
- maximum-likelihood coefficients (Wald intervals, ``shrinkage="none"``): HoNOS per
  point ``honos_per_5 / 5`` (0.06, people without a prior crisis), the interaction per
  point ``prior_crisis_x_honos_per_5 / 5`` (0.10) and Life Rooms ``life_rooms``
  (-0.20).

The biased method is ``MISSPECIFIED`` (``tests/truth/test_prediction_truth.py``):
linear age and no interaction. Its HoNOS coefficient averages the two groups' slopes
(about 0.085) and it under-predicts in the next edition (calibration-in-the-large
about +0.29).

Criteria, per estimate, over ``N_SEEDS`` = 40 seeds (as
``tests/truth/test_did_many_seeds.py``, differences not log ratios):

- coverage: at least 34 of the 40 95% intervals contain the truth (33 or fewer has
  probability 0.0034 when the coverage is 95%);
- bias: the mean of ``estimate - truth`` is within 2.5 Monte Carlo standard errors of 0
  (an unbiased estimator fails with probability about 0.012).

About 5 s of computing for the 40 seeds (29-48 s under pytest on the shared machine).

Not asserted: the calibration slope. Over these 40 seeds it averages 1.035 (Monte
Carlo SE 0.007; 33 of 40 intervals cover 1), 1.029 without shrinkage, and 1.016 for a
model with age and age squared (the true form; 37 of 40 cover 1): the 4-knot spline's
linear tails under-fit the quadratic age effect at the extremes the next edition
over-samples, and a small excess over 1 remains unexplained (issue 13, left open).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, fit_prediction_model, validate_frozen
from lifetools.synthetic.crisis import CRISIS_TRUTH, make_crisis_cohort

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crisis_many_seeds")]

N_SEEDS = 40
SEEDS = range(2001, 2001 + N_SEEDS)
PEOPLE = 20_000
MIN_COVERED = 34
Z_BIAS = 2.5
Z95 = 1.959964
OTHERS = ("female", "imd_quintile", "honos", "prior_crisis", "life_rooms", "inpatient_team")
MODELS = {"correct": ModelSpec("crisis", splines={"age": 4}, linear=OTHERS,
                               interactions=(("prior_crisis", "honos"),)),
          "misspecified": ModelSpec("crisis", linear=("age", *OTHERS))}
TRUTH = {"citl": 0.0, "honos": CRISIS_TRUTH.honos_per_5 / 5,
         "prior_crisis*honos": CRISIS_TRUTH.prior_crisis_x_honos_per_5 / 5,
         "life_rooms": CRISIS_TRUTH.life_rooms}


def rows_for_seed(seed: int) -> list[dict]:
    development = make_crisis_cohort(PEOPLE, seed)
    later = make_crisis_cohort(PEOPLE, seed, edition=1)
    rows = []
    for name, spec in MODELS.items():
        frozen = fit_prediction_model(development, spec).frozen
        table = validate_frozen(frozen, later, "crisis").summary.set_index("measure")
        rows.append({"seed": seed, "model": name, "estimate_of": "citl",
                     **table.loc["citl", ["estimate", "ci_lower", "ci_upper"]]})
        ml = fit_prediction_model(development, spec, shrinkage="none").summary
        for _, r in ml[ml["term"].isin(list(TRUTH))].iterrows():
            rows.append({"seed": seed, "model": name, "estimate_of": r["term"],
                         "estimate": r["estimate_ml"],
                         "ci_lower": r["estimate_ml"] - Z95 * r["se"],
                         "ci_upper": r["estimate_ml"] + Z95 * r["se"]})
    return rows


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    frame = pd.DataFrame([row for seed in SEEDS for row in rows_for_seed(seed)])
    truth = frame["estimate_of"].map(TRUTH)
    return frame.assign(bias=frame["estimate"] - truth,
                        covered=(frame["ci_lower"] <= truth) & (truth <= frame["ci_upper"]))


def judge(frame: pd.DataFrame) -> dict:
    """Coverage count, mean bias and its allowed band for one estimate's seeds."""
    bias = frame["bias"].astype(float)
    assert len(bias) == N_SEEDS and bias.notna().all()
    return {"covered": int(frame["covered"].sum()), "mean_bias": float(bias.mean()),
            "band": Z_BIAS * float(bias.std(ddof=1)) / math.sqrt(N_SEEDS)}


def pick(estimates: pd.DataFrame, model: str, estimate_of: str) -> pd.DataFrame:
    return estimates[(estimates["model"] == model)
                     & (estimates["estimate_of"] == estimate_of)]


@pytest.mark.parametrize("estimate_of", list(TRUTH))
def test_crisis_model_estimate_over_seeds_is_unbiased_and_covered(estimates,
                                                                  estimate_of):
    result = judge(pick(estimates, "correct", estimate_of))
    assert result["covered"] >= MIN_COVERED, result
    assert abs(result["mean_bias"]) < result["band"], result


@pytest.mark.parametrize("estimate_of", ["citl", "honos"])
def test_crisis_misspecified_model_over_seeds_fails_both_criteria(estimates,
                                                                  estimate_of):
    result = judge(pick(estimates, "misspecified", estimate_of))
    assert result["covered"] < MIN_COVERED, result
    assert abs(result["mean_bias"]) > result["band"], result
