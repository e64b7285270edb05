"""Truth tests: multiple imputation of a missing predictor in the crisis-risk model.

The cohort (``lifetools.synthetic.crisis``) is drawn from ``CRISIS_TRUTH``; the model is
specified exactly as the truth (centred age and its square, deprivation as ``5 -
quintile``, HoNOS per 5 points from 11, the prior-crisis x HoNOS interaction), so its
maximum-likelihood coefficients estimate the true ones. HoNOS is then deleted:

- MAR on the outcome: missing for 60% of people with a crisis and 15% without.
  Complete cases over-represent people without a crisis, so their intercept is biased
  by about log(0.40 / 0.85) = -0.75; multiple imputation with the outcome in the
  imputation model is not. The MI interval must cover the truth and the complete-case
  interval must miss it.
- MCAR (30%): both intervals cover the estimate the same people give with no value
  missing (per seed: the cohort's own sampling error is not the missing-data method's).

Each check is on the mean estimate over seeds, with the 95% interval of that mean
(the per-seed standard errors combined), so a biased method is caught and a single
seed's sampling error is not mistaken for bias. Seeds fixed; about 7,000 people per
seed, 10 imputations.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, fit_prediction_model
from lifetools.prediction.imputation import fit_imputed_model, impute_predictors
from lifetools.synthetic.crisis import CRISIS_TRUTH, make_crisis_cohort

pytestmark = pytest.mark.slow

COMPLETE = ("age_c", "age_c2", "female", "dep", "prior_crisis", "life_rooms", "inpatient_team")
SPEC = ModelSpec("crisis", linear=(*COMPLETE, "h"), interactions=(("prior_crisis", "h"),))
TRUTH = {"Intercept": CRISIS_TRUTH.intercept, "h": CRISIS_TRUTH.honos_per_5,
         "prior_crisis*h": CRISIS_TRUTH.prior_crisis_x_honos_per_5,
         "prior_crisis": CRISIS_TRUTH.prior_crisis}


def cohort_with_missing(seed: int, mechanism: str) -> pd.DataFrame:
    d = make_crisis_cohort(20000, seed)
    d = d.assign(age_c=d["age"] - 40, age_c2=(d["age"] - 40) ** 2,
                 dep=5 - d["imd_quintile"], h=(d["honos"] - 11) / 5)
    u = np.random.default_rng([seed, 99]).random(len(d))
    share = {"MAR": np.where(d["crisis"] == 1, 0.60, 0.15), "MCAR": 0.30, "none": 0.0}[mechanism]
    d.loc[u < share, "h"] = np.nan
    return d


@functools.cache
def intervals(seed: int, mechanism: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    d = cohort_with_missing(seed, mechanism)
    copies = impute_predictors(d, impute=["h"], predictors=COMPLETE, outcome_col="crisis",
                               m=10, seed=seed, outcome_interactions=["prior_crisis"])
    mi = fit_imputed_model(copies, SPEC, shrinkage="none").summary.set_index("term")
    cc = fit_prediction_model(d.dropna(subset=["h"]), SPEC, shrinkage="none").summary
    cc = cc.assign(ci_lower=cc["estimate_ml"] - 1.96 * cc["se"],
                   ci_upper=cc["estimate_ml"] + 1.96 * cc["se"]).set_index("term")
    return mi, cc


def mean_over_seeds(seeds: tuple[int, ...], mechanism: str
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean estimate over seeds with the 95% interval of that mean, MI and complete cases."""
    runs = [intervals(seed, mechanism) for seed in seeds]
    out = []
    for k in (0, 1):
        est = np.mean([r[k]["estimate_ml"] for r in runs], axis=0)
        half = 1.96 * np.sqrt(np.sum([r[k]["se"] ** 2 for r in runs], axis=0)) / len(runs)
        out.append(pd.DataFrame({"estimate": est, "ci_lower": est - half,
                                 "ci_upper": est + half}, index=runs[0][k].index))
    return out[0], out[1]


def test_imputed_model_mar_on_outcome_covers_truth_and_complete_cases_miss():
    mi, cc = mean_over_seeds((1, 2, 3), "MAR")
    for term, truth in TRUTH.items():
        assert mi.loc[term, "ci_lower"] < truth < mi.loc[term, "ci_upper"], term
    assert cc.loc["Intercept", "ci_upper"] < CRISIS_TRUTH.intercept - 0.5
    one = intervals(1, "MAR")[0]
    assert 0.1 < one.loc["h", "fmi"] < 0.9
    assert one.loc["female", "fmi"] < one.loc["h", "fmi"]


@pytest.mark.parametrize("seed", (4, 5, 6))
def test_imputed_model_mcar_both_cover_the_estimate_without_missing_values(seed):
    mi, cc = intervals(seed, "MCAR")
    full = cohort_with_missing(seed, "none").assign(h=lambda d: (d["honos"] - 11) / 5)
    before = fit_prediction_model(full, SPEC, shrinkage="none").summary.set_index("term")
    for term in TRUTH:
        value = before.loc[term, "estimate_ml"]
        assert mi.loc[term, "ci_lower"] < value < mi.loc[term, "ci_upper"], term
        assert cc.loc[term, "ci_lower"] < value < cc.loc[term, "ci_upper"], term
