"""The synthetic generator's known true effects and fixed distributions: one place.

Every number a test checks the analyses against is here, documented on the book page
``book/methods/synthetic-data.md``. Sources for the magnitudes are in the project's
domain brief; numbers marked [R] there are reasoned estimates, kept as parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

__all__ = ["CrisisRiskTruth", "EPISODE_COUNT_SHARES", "SWEMWBS_METRIC", "TRUE_EFFECTS", "WINDOW_END",
           "WINDOW_START", "TrueEffects", "day_to_date"]

WINDOW_START = dt.date(2019, 4, 1)
"""First day of the synthetic extract (day 0)."""
WINDOW_END = dt.date(2025, 3, 31)
"""Extract date: the last day of follow-up."""


def day_to_date(day: int) -> dt.date:
    """Convert a day number (0 = WINDOW_START) to a date."""
    return WINDOW_START + dt.timedelta(days=int(day))


# SWEMWBS raw (7-35) to metric score conversion (Warwick Medical School table).
SWEMWBS_METRIC = np.array([7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84,
                           16.36, 16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54,
                           22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70,
                           32.55, 35.00])

EPISODE_COUNT_SHARES = (0.55, 0.22, 0.10, 0.13)
"""Shares of caseload people with 1, 2, 3 and 4 referrals (drawn before the gaps)."""


@dataclass(frozen=True)
class CrisisRiskTruth:
    """The true 12-month crisis risk model: log-odds of a crisis (issue 19), the
    ``crisis_risk`` field of :data:`TRUE_EFFECTS`.

    ``intercept + age_linear (age - 40) + age_quadratic (age - 40)^2 + female
    + deprivation_per_quintile (5 - imd_quintile) + honos_per_5 (honos - 11) / 5
    + prior_crisis + prior_crisis_x_honos_per_5 * prior_crisis * (honos - 11) / 5
    + life_rooms * life_rooms_use + inpatient_team * (team_type == "C01")``.
    Ages are U-shaped on purpose (young adults and the oldest at higher risk), and the
    effect of HoNOS is stronger after a prior crisis (the interaction).
    """

    intercept: float = -2.3
    age_linear: float = -0.03
    age_quadratic: float = 0.003
    female: float = 0.15
    deprivation_per_quintile: float = 0.10
    honos_per_5: float = 0.30
    prior_crisis: float = 0.90
    prior_crisis_x_honos_per_5: float = 0.50
    life_rooms: float = -0.20
    inpatient_team: float = 0.50
    prior_crisis_share: float = 0.25
    """Share of people with a crisis in the year before the period start."""
    life_rooms_share: float = 0.12
    inpatient_team_share: float = 0.10
    death_share: float = 0.03
    """Share of people without a crisis who die within the year (a competing event, on
    a uniform day; a crisis also falls on a uniform day), so the true 12-month
    cumulative incidence of crisis with death competing is ``true_risk``."""
    edition_extremes_per_year: float = 0.04
    """Edition 1 keeps each person with probability ``0.05 + |age - 40| *
    edition_extremes_per_year`` (at most 1): more of the youngest and oldest, a case-mix
    shift within the ages seen in development, which a correctly specified model
    survives and a linear-age model does not."""


@dataclass(frozen=True)
class TrueEffects:
    """Effects built into the synthetic data, that correct analyses should recover."""

    discharge_hr_life_rooms: float = 1.25
    """Hazard ratio of Life Rooms use (time-varying: from first contact while the
    referral is open) on the cause-specific hazard of discharge (closure group
    'discharge'), conditional on the covariates below."""
    discharge_hr_deprivation_decile1: float = 0.85
    discharge_hr_per_5_honos: float = 0.85
    discharge_hr_age_65_plus: float = 0.80
    transfer_hr_per_5_honos: float = 1.30
    ae_rr_life_rooms: float = 0.85
    """Rate ratio of A&E attendance after first Life Rooms contact against before,
    within person (constant over time, no calendar trend)."""
    ae_rate_caseload: float = 1.2
    """A&E attendances per person-year, people in secondary mental-health care
    (before frailty, deprivation and age multipliers)."""
    ae_rate_general: float = 0.41
    ae_dispersion_caseload: float = 3.0
    """Negative binomial (gamma frailty) dispersion alpha, caseload."""
    ae_dispersion_general: float = 5.0
    ae_rr_deprivation_decile1_vs_10: float = 1.5
    """Log-linear in decile: rate multiplier 1.5 ** ((10 - decile) / 9)."""
    admission_rate_caseload: float = 0.32
    admission_rate_general: float = 0.106
    admission_rr_life_rooms: float = 1.0
    """Rate ratio of emergency admission after first Life Rooms contact against before,
    within person: no effect, so analyses must not find one."""
    wellbeing_mean_change: float = 2.0
    """Mean change in SWEMWBS metric score, baseline to follow-up, Life Rooms users
    (SD 4), before conversion to the published raw-score table."""
    wellbeing_change_sd: float = 4.0
    wellbeing_baseline_mean: float = 19.5
    """Mean of the baseline SWEMWBS metric score (normal, before clipping to 7-35)."""
    wellbeing_baseline_sd: float = 4.0
    rereferral_12_month: float = 0.22
    """Probability that the gap from a closure to the person's next referral is at most
    12 months (the exponential gap's parameter), **for a person who has a further
    episode**. It is not the share re-referred within 12 months of a discharge: the
    number of episodes per person is drawn first (``EPISODE_COUNT_SHARES``), so after
    episode ``k`` only ``P(count > k | count >= k)`` of people are ever referred again.
    The estimand of the re-referral report's cumulative incidence is
    :meth:`rereferral_within_12_months` (about 0.10)."""
    rereferral_hr_life_rooms: float = 1.0
    """Hazard ratio of Life Rooms use before discharge on re-referral: no effect (the
    gap does not depend on Life Rooms use), given the episode number."""
    life_rooms_uptake_a06: float = 0.12
    """Base probability of Life Rooms use for a person in a community team, before the
    selection multipliers (deprivation, sex, age, HoNOS, accommodation, employment,
    proneness to A&E use) of ``synthetic.care._selection``, which make users differ
    from non-users on purpose."""
    life_rooms_median_days_to_first_contact: float = 120.0
    smr_caseload: float = 3.7
    honos_missing_by_team: tuple[tuple[str, float], ...] = (
        ("A06", 0.25), ("A05", 0.40), ("A07", 0.20), ("A13", 0.35), ("A14", 0.15),
        ("A16", 0.30))
    """Probability that a community-team referral's baseline HoNOS is not recorded, by
    team type, for a referral with the reference covariates below (aged 25 or over,
    open more than 90 days). Every other team records none (HoNOS is a community-team
    measure here)."""
    honos_missing_or_short_referral: float = 3.0
    """Odds ratio of a missing HoNOS for a referral closed within 90 days of receipt
    (people discharged after an assessment are often never scored)."""
    honos_missing_or_age_18_24: float = 1.5
    """Odds ratio of a missing HoNOS for people aged 18 to 24 at referral. Missingness
    depends only on recorded data (team, age, how soon the referral closed), never on
    the score itself: missing at random, so the imputation model (which holds the
    outcome) recovers the true effects while complete cases are a selected sample."""

    crisis_risk: CrisisRiskTruth = field(default_factory=CrisisRiskTruth)
    """The true 12-month crisis-risk model of the prediction cohort and its test tables
    (:mod:`lifetools.synthetic.crisis`): coefficients, baseline, the U-shaped age term
    and the prior crisis x HoNOS interaction. It draws from random streams of its own, so
    no other synthetic table depends on it."""

    def honos_missing_rate(self, team: str) -> float:
        """The reference probability of a missing HoNOS for ``team`` (0 if none)."""
        return dict(self.honos_missing_by_team).get(team, 0.0)

    def further_episode(self, episode: int) -> float:
        """P(count > episode | count >= episode): the share referred again, ever."""
        at_least = [sum(EPISODE_COUNT_SHARES[k - 1:]) for k in range(1, 6)] + [0.0]
        return at_least[episode] / at_least[episode - 1] if at_least[episode - 1] else 0.0

    def rereferral_within_12_months(self, episode: int) -> float:
        """Probability of a next referral within 12 months of the closure of the
        person's ``episode``-th referral (1-based), death aside:
        ``further_episode(episode) * rereferral_12_month``. Deaths compete with it
        (caseload mortality under 1% a year at most ages), so the cumulative incidence
        is slightly lower."""
        return self.further_episode(episode) * self.rereferral_12_month

    def wellbeing_expected_change(self, scale: str = "metric") -> float:
        """Expected change in the published SWEMWBS score, baseline to follow-up.

        The generator draws a metric baseline ``B ~ N(wellbeing_baseline_mean,
        wellbeing_baseline_sd)`` and a change ``D ~ N(wellbeing_mean_change,
        wellbeing_change_sd)``, clips ``B`` and ``B + D`` to 7-35 and publishes the
        nearest raw score (and its metric score from :data:`SWEMWBS_METRIC`). This is
        ``E[score(B + D) - score(B)]`` on that published ``scale`` ("metric" or "raw"):
        the estimand of the wellbeing report's mean paired change (follow-up is missing
        completely at random). 1.9911 metric points, 2.3026 raw points.

        Notes
        -----
        Computed, not simulated: the baseline's cell probabilities are normal CDF
        differences (clipping does not move a score out of its end cell); the
        follow-up's are too, given the clipped ``B``, integrated over ``B`` by the
        trapezoidal rule on 24,001 points within 12 SD (the integrand is continuous;
        halving the step changes the result by less than 1e-9). Checked against 8
        million pairs simulated with the generator's steps (1.99105, Monte Carlo SE
        0.0014) in ``tests/truth/test_synthetic_truth.py``.
        """
        values = {"metric": SWEMWBS_METRIC, "raw": np.arange(7.0, 36.0)}[scale]
        mid = (SWEMWBS_METRIC[1:] + SWEMWBS_METRIC[:-1]) / 2  # nearest-score cells
        low, high = np.append(-np.inf, mid), np.append(mid, np.inf)
        mean, sd = self.wellbeing_baseline_mean, self.wellbeing_baseline_sd
        before = values @ (norm.cdf((high - mean) / sd) - norm.cdf((low - mean) / sd))
        z = np.linspace(-12.0, 12.0, 24_001)
        shift = np.clip(mean + sd * z, 7.0, 35.0)[:, None] + self.wellbeing_mean_change
        cells = (norm.cdf((high - shift) / self.wellbeing_change_sd)
                 - norm.cdf((low - shift) / self.wellbeing_change_sd))
        after = np.trapezoid(norm.pdf(z) * (cells @ values), z)
        return float(after - before)


TRUE_EFFECTS = TrueEffects()
