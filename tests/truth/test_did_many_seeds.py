"""Emergency care over 20 synthetic datasets: every headline effect is unbiased and its
intervals cover the truth at the nominal rate; the former, outcome-matched design is
biased, and the same criterion says so.

Criteria, per headline effect, over ``N_SEEDS`` = 20 seeds (datasets of ``PEOPLE``
people, generated in memory by ``lifetools.synthetic.generate_dataset``):

- coverage: at least 16 of the 20 95% intervals contain the true rate ratio. With
  exact 95% coverage, 15 or fewer happens with probability 0.0026 (binomial).
- bias: the mean of ``log(estimate) - log(truth)`` is within 2.5 Monte Carlo standard
  errors of 0, ``|mean| < 2.5 * SD / sqrt(20)`` with SD the standard deviation of the
  20 log estimates. An unbiased estimator fails this with probability about 0.012
  (slightly more with the SD estimated from 20 values).

A biased design can pass the coverage criterion (its intervals are wide) and still fail
the bias criterion: that is the point of asserting both. The design of the report
(``compare_with_non_users``: prior use measured in a baseline window before the DiD's
before window) is checked against the former design (prior use measured in the before
window itself), which makes the comparison group regress to the mean (Daw and Hatfield
2018; ``book/methods/propensity.md``).

All tests share one module fixture that computes every estimate once per seed; they
run on one xdist worker (``xdist_group``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lifetools.cohort import PRIOR_OUTCOMES, build_person_time, propensity_covariates
from lifetools.regression import compare_before_after
from lifetools.reports.emergency import compare_with_non_users
from lifetools.synthetic import TRUE_EFFECTS, generate_dataset

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("did_many_seeds")]

N_SEEDS = 20
SEEDS = range(1, N_SEEDS + 1)
PEOPLE = 50_000
PERIOD = {"period_start": "2021-04-01", "period_end": "2024-03-31"}
TRUTH = {"ae": TRUE_EFFECTS.ae_rr_life_rooms,
         "admissions": TRUE_EFFECTS.admission_rr_life_rooms}
MIN_COVERED = 16
Z_BIAS = 2.5
HEADLINES = [("ae", "matched"), ("ae", "weighted"), ("ae", "before_after"),
             ("admissions", "matched"), ("admissions", "weighted")]


def outcome_matched_covariates(people: pd.DataFrame) -> list[str]:
    """The former score: the before window's own counts instead of the baseline's."""
    return [c for c in propensity_covariates(people)
            if c not in ("baseline_ae", "baseline_admissions")] + list(PRIOR_OUTCOMES)


def rows_for_seed(seed: int) -> list[dict]:
    pt = build_person_time(generate_dataset(PEOPLE, seed), **PERIOD)
    rows = []
    designs = {"report": compare_with_non_users(pt),
               "outcome_matched": compare_with_non_users(
                   pt, covariates=outcome_matched_covariates(pt.people),
                   outcomes=("admissions",))}
    for name, comparison in designs.items():
        for _, r in comparison.estimates.iterrows():
            assert r["failure"] is None, (seed, name, r["failure"])
            rows.append({"seed": seed, "scheme": name, "outcome": r["outcome"],
                         "design": r["design"], "estimate": r["estimate"],
                         "ci_lower": r["ci_lower"], "ci_upper": r["ci_upper"]})
    users = designs["report"].periods
    estimate, low, high = compare_before_after(
        users[users["user"] == 1], outcome_col="ae").estimate("after")
    rows.append({"seed": seed, "scheme": "report", "outcome": "ae",
                 "design": "before_after", "estimate": estimate, "ci_lower": low,
                 "ci_upper": high})
    return rows


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    frame = pd.DataFrame([row for seed in SEEDS for row in rows_for_seed(seed)])
    truth = frame["outcome"].map(TRUTH)
    return frame.assign(log_bias=np.log(frame["estimate"] / truth),
                        covered=(frame["ci_lower"] <= truth) & (truth <= frame["ci_upper"]))


def judge(frame: pd.DataFrame) -> dict:
    """Coverage count, mean log bias and its allowed band for one effect's seeds."""
    bias = frame["log_bias"]
    assert len(bias) == N_SEEDS and bias.notna().all()
    mc_error = float(bias.std(ddof=1)) / math.sqrt(N_SEEDS)
    return {"covered": int(frame["covered"].sum()), "mean_bias": float(bias.mean()),
            "band": Z_BIAS * mc_error}


def pick(estimates: pd.DataFrame, scheme: str, outcome: str, design: str):
    return estimates[(estimates["scheme"] == scheme) & (estimates["outcome"] == outcome)
                     & (estimates["design"] == design)]


@pytest.mark.parametrize(("outcome", "design"), HEADLINES)
def test_headline_estimate_is_unbiased_and_covered(estimates, outcome, design):
    result = judge(pick(estimates, "report", outcome, design))
    assert result["covered"] >= MIN_COVERED, result
    assert abs(result["mean_bias"]) < result["band"], result


@pytest.mark.parametrize("design", ["matched", "weighted"])
def test_outcome_matched_design_fails_the_bias_criterion(estimates, design):
    result = judge(pick(estimates, "outcome_matched", "admissions", design))
    # biased towards benefit (the true rate ratio is 1), beyond Monte Carlo error
    assert result["mean_bias"] < -result["band"], result
