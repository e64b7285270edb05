"""The discharge report's landmark ratios over 20 synthetic datasets: the landmark hazard
ratio and the landmark subdistribution hazard ratio (``shr_landmark``) cover their
derived truths at the nominal rate and are unbiased; the ever-user versions are not.

Data: ``generate_dataset(PEOPLE, seed, uptake_within_days=LANDMARK)``, the generator
with no first Life Rooms contact later than the landmark (90 days) after referral
(otherwise the same draws: ``tests/unit/test_synthetic.py``). In these data nobody
unexposed at the landmark starts later, so the cause-specific discharge hazards of the
people the generator exposes by the landmark are exactly
``TRUE_EFFECTS.discharge_hr_life_rooms`` (1.25) times those of the others from the
landmark on, given the generator's covariates; in the published data people unexposed
at the landmark may start later and the landmark ratio has no closed form
(``book/methods/landmark.md``, "Estimand and truth").

Estimands and truths, derived from the generator's hazards by solving the population
score equations (``tests/truth/landmark_truth.py``; no estimator fitted to data):

- ``landmark_hr``: the landmark Cox hazard ratio of use by day 90 (the report's
  ``fit_landmark``, people open and entered at day 90, follow-up from it, the report's
  covariates at the landmark) against ``LANDMARK_HR``;
- ``shr_landmark``: the report's Fine-Gray subdistribution hazard ratio on the same
  people (death competing, transfer censored) against ``LANDMARK_SHR``;
- biased method for both: people who ever used the Life Rooms classed as exposed from
  referral (immortal time), the report's naive model (delayed entry) for the hazard
  ratio and Fine-Gray from referral (referrals received in the period, which have no
  delayed entry) for the subdistribution ratio. Ever-use classified at the landmark is
  not a biased method here: with uptake limited to the landmark it is the same
  classification.

Criteria as ``tests/truth/test_survival_many_seeds.py`` (same seeds, people and bands;
its ``judge``): coverage at least 16 of 20, mean log bias within 2.5 Monte Carlo
standard errors of 0, mean ``z**2`` in the 99% band of ``chi2(20) / 20``. HoNOS is
imputed (the report's 10 copies) and pooled by Rubin's rules, as the report.

Measured (2026-12-03, seeds 101-120; covered of 20, mean log bias, its Monte Carlo SE,
mean ``z**2``): landmark hazard ratio 20, +0.003 (0.035), 0.77; ``shr_landmark`` 20,
+0.008 (0.035), 0.79; ever-user hazard ratio 18, -0.097 (0.029), 1.28; ever-user
subdistribution ratio 18, -0.092 (0.029), 1.29. The mean standard error of a landmark
log ratio is 0.16 (about 900 people at risk at day 90, 40 of them users, per
dataset). About 3.3 s of CPU a seed (66 s in all) and about 1 s for the truths'
re-derivation. The same estimators on the published data of these seeds (later uptake
kept, measured once, not asserted): -0.037 (0.030) and -0.032 (0.031) from these
truths, all 20 covered: the dilution by later starters is below this suite's
resolution; the ever-user ratios there, with immortal time up to the whole follow-up,
cover 1 of 20 (bias -0.37).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from seed_rows import rows_over_seeds  # coverage: first seed only
from test_survival_many_seeds import (
    MEAN_Z2_BAND,
    MIN_COVERED,
    PEOPLE,
    PERIOD,
    SEEDS,
    Z95,
    judge,
    pick,
)

from lifetools.cohort import CohortSpec, build_discharge_cohort
from lifetools.regression.imputation import combine_fits
from lifetools.reports.discharge import _at_landmark, _fine_gray_landmark
from lifetools.reports.missing import imputed_copies, model_covariates
from lifetools.reports.survival_parts import DEATH
from lifetools.survival import fit_cox, fit_fine_gray, fit_landmark
from lifetools.synthetic import TRUE_EFFECTS, generate_dataset

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("landmark_many_seeds")]

LANDMARK = 90
LANDMARK_HR = 1.2407
"""The landmark hazard ratio of use by day 90 in these data, derived from the
generator's hazards by ``tests/truth/landmark_truth.py`` (no estimator fitted to data):
exactly ``TRUE_EFFECTS.discharge_hr_life_rooms`` (1.25) with every referral classed as
the generator exposes it, diluted by the referrals classed as exposed for a first
contact during an earlier community referral (the generator's effect stays in that
referral; 31 of 744 classed exposed, on average). Mean over five 200,000-person
populations (seeds 2026-2030)."""
LANDMARK_SHR = 1.2387
"""The landmark subdistribution hazard ratio (death competing) in these data, derived
as ``LANDMARK_HR``: 1.2480 with no misclassification (death lowers it below 1.25),
diluted as the hazard ratio."""


def rows_for_seed(seed: int) -> list[dict]:
    data = generate_dataset(PEOPLE, seed, uptake_within_days=LANDMARK)
    cohort = build_discharge_cohort(data, CohortSpec(**PERIOD)).data
    covariates = model_covariates(cohort, "discharged")
    at_landmark = model_covariates(_at_landmark(cohort, LANDMARK), "discharged")
    copies = imputed_copies(cohort, event_col="discharged", exposure_col="ever_used")
    rows = []

    def add(effect, method, truth, numbers):
        estimate, low, high = numbers
        rows.append({"seed": seed, "effect": effect, "method": method, "truth": truth,
                     "estimate": estimate, "ci_lower": low, "ci_upper": high})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        landmark = combine_fits([fit_landmark(
            part, landmark=LANDMARK, duration_col="duration", event_col="discharged",
            exposure_time_col="exposure_day", covariates=at_landmark, entry_col="entry",
            check_ph=False).cox for part in copies])
        shr = combine_fits([_fine_gray_landmark(part, LANDMARK, at_landmark)
                            for part in copies])
        naive = combine_fits([fit_cox(
            part, duration_col="duration", event_col="discharged", entry_col="entry",
            covariates=["ever_used", *covariates], check_ph=False) for part in copies])
        naive_shr = combine_fits([fit_fine_gray(
            part[part["entry"] == 0], duration_col="duration", event_col="event",
            event_of_interest=1, competing=(DEATH["discharge"],),
            covariates=["ever_used", *covariates]) for part in copies])
    add("landmark_hr", "report", LANDMARK_HR, landmark.hazard_ratio("exposed_at_landmark"))
    add("landmark_hr", "ever_used", LANDMARK_HR, naive.hazard_ratio("ever_used"))
    add("shr_landmark", "report", LANDMARK_SHR, shr.hazard_ratio("exposed_at_landmark"))
    add("shr_landmark", "ever_used", LANDMARK_SHR, naive_shr.hazard_ratio("ever_used"))
    return rows


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    frame = pd.DataFrame(rows_over_seeds(rows_for_seed, SEEDS))
    se = np.log(frame["ci_upper"] / frame["ci_lower"]) / (2 * Z95)
    return frame.assign(
        log_bias=np.log(frame["estimate"] / frame["truth"]),
        z=np.log(frame["estimate"] / frame["truth"]) / se,
        covered=(frame["ci_lower"] <= frame["truth"]) & (frame["truth"] <= frame["ci_upper"]))


@pytest.mark.parametrize("effect", ["landmark_hr", "shr_landmark"])
def test_landmark_estimate_over_seeds_is_unbiased_and_covered(estimates, effect):
    result = judge(pick(estimates, effect, "report"))
    assert result["covered"] >= MIN_COVERED, result
    assert abs(result["mean_bias"]) < result["band"], result


@pytest.mark.parametrize("effect", ["landmark_hr", "shr_landmark"])
def test_landmark_standard_error_over_seeds_matches_the_spread(estimates, effect):
    result = judge(pick(estimates, effect, "report"))
    assert MEAN_Z2_BAND[0] < result["mean_z2"] < MEAN_Z2_BAND[1], result


@pytest.mark.parametrize("effect", ["landmark_hr", "shr_landmark"])
def test_landmark_ever_user_method_over_seeds_fails_the_bias_criterion(estimates,
                                                                       effect):
    # immortal time up to 90 days only (uptake ends at the landmark): the ever-user
    # ratios are biased by about -0.10 on the log scale (Monte Carlo SE 0.03), yet
    # their intervals cover 1.25 in 18 of 20 datasets: the bias criterion, not
    # coverage, is what catches them (issue #13's "biased design whose intervals cover")
    result = judge(pick(estimates, effect, "ever_used"))
    assert result["mean_bias"] < -result["band"], result


def test_landmark_truths_are_derived_from_the_generator():
    import landmark_truth as derivation

    refs, who = derivation.at_risk_population(30_000, 3)
    assert len(refs) > 1000 and 50 < refs["used"].sum() < len(refs) / 5
    assert 0 < (refs["classed"] & ~refs["used"]).sum() < refs["used"].sum() / 10
    exact = derivation.landmark_truths(refs, who, classed="used")
    # classed as the generator exposes: the Cox equation returns the effect exactly
    assert exact["hr"] == pytest.approx(TRUE_EFFECTS.discharge_hr_life_rooms, abs=1e-12)
    assert exact["shr"] == pytest.approx(1.2480, abs=5e-4)  # 1.2476 here
    # no competing death, or no effect: the subdistribution ratio is the cause-specific
    no_death = derivation.landmark_truths(refs, who, classed="used", death_scale=0.0)
    assert no_death["shr"] == pytest.approx(1.25, abs=1e-12)
    assert derivation.landmark_truths(refs, who, rate=1.0)["shr"] == pytest.approx(
        1.0, abs=1e-12)
    # misclassified referrals dilute both (7 of 126 classed exposed at this seed)
    diluted = derivation.landmark_truths(refs, who)
    assert diluted["hr"] < exact["hr"] and diluted["shr"] < exact["shr"]
    assert derivation.LANDMARK == LANDMARK
