"""A synthetic crisis-risk cohort with a known true risk model (issue 19).

People open to secondary mental-health care at the start of an edition's period, their
predictors and whether they had a mental-health crisis in the next 12 months, drawn
from the known model :data:`CRISIS_TRUTH` (``TRUE_EFFECTS.crisis_risk``, owned by
:mod:`lifetools.synthetic.truth`). The people are the generator's own (the
same draws as :func:`lifetools.synthetic.generate_tables` for the seed); everything
else comes from an independent random stream ``default_rng([seed, 19, edition])``, so
no existing synthetic table changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifetools.synthetic.population import make_deprivation, make_people
from lifetools.synthetic.truth import TRUE_EFFECTS, CrisisRiskTruth

__all__ = ["CRISIS_TRUE_C", "CRISIS_TRUTH", "CrisisRiskTruth", "expected_c_statistic",
           "make_crisis_cohort", "true_c_statistic", "true_crisis_log_odds"]


CRISIS_TRUTH = TRUE_EFFECTS.crisis_risk
"""The true crisis-risk model: ``TRUE_EFFECTS.crisis_risk`` (the same object; the name
existing callers use)."""


def true_crisis_log_odds(frame: pd.DataFrame, truth: CrisisRiskTruth = CRISIS_TRUTH) -> np.ndarray:
    """The true log-odds of a crisis for each row of a crisis cohort."""
    age = frame["age"].to_numpy(dtype=float) - 40
    h = (frame["honos"].to_numpy(dtype=float) - 11) / 5
    prior = frame["prior_crisis"].to_numpy(dtype=float)
    return (truth.intercept + truth.age_linear * age + truth.age_quadratic * age ** 2
            + truth.female * frame["female"].to_numpy(dtype=float)
            + truth.deprivation_per_quintile * (5 - frame["imd_quintile"].to_numpy(dtype=float))
            + truth.honos_per_5 * h + truth.prior_crisis * prior
            + truth.prior_crisis_x_honos_per_5 * prior * h
            + truth.life_rooms * frame["life_rooms"].to_numpy(dtype=float)
            + truth.inpatient_team * frame["inpatient_team"].to_numpy(dtype=float))


def make_crisis_cohort(people: int, seed: int, *, edition: int = 0,
                       truth: CrisisRiskTruth = CRISIS_TRUTH) -> pd.DataFrame:
    """One edition's crisis-risk cohort, drawn from the known true model.

    Parameters
    ----------
    people : int
        Size of the generator's population (the cohort is its caseload, about a fifth).
    seed : int
        The generator's seed.
    edition : int
        0 for the development edition, 1 for the next (a subset of the same caseload
        weighted to the age extremes, see ``truth.edition_extremes_per_year``; fresh predictors and outcomes).

    Returns
    -------
    pandas.DataFrame
        One row per person: ``age``, ``female``, ``imd_quintile``, ``honos`` (0-40),
        ``prior_crisis``, ``life_rooms``, ``inpatient_team``, ``true_risk``, ``crisis``,
        ``event_type`` (1 crisis, 2 death first, 0 neither) and ``days_to_event``
        (drawn after everything else, so the other columns are unchanged). No identifiers.

    Notes
    -----
    Truth tests: ``tests/truth/test_prediction_truth.py``.
    """
    rng = np.random.default_rng(seed)
    persons = make_people(rng, people, make_deprivation(rng, people))
    persons = persons[persons["caseload"].to_numpy()].reset_index(drop=True)
    own = np.random.default_rng([seed, 19, edition])
    if edition:
        keep = np.minimum(0.05 + np.abs(persons["age"].to_numpy(dtype=float) - 40)
                          * truth.edition_extremes_per_year, 1.0)
        persons = persons[own.random(len(persons)) < keep].reset_index(drop=True)
    n = len(persons)
    age = persons["age"].to_numpy(dtype=float)
    deprivation = persons["imd_decile"].to_numpy(dtype=float)
    frame = pd.DataFrame({
        "age": age,
        "female": persons["female"].to_numpy().astype(int),
        "imd_quintile": np.nan_to_num((deprivation + 1) // 2, nan=3.0).astype(int),
        "honos": np.clip(np.round(own.normal(11, 5.5, n)), 0, 40),
        "prior_crisis": (own.random(n) < truth.prior_crisis_share).astype(int),
        "life_rooms": (own.random(n) < truth.life_rooms_share).astype(int),
        "inpatient_team": (own.random(n) < truth.inpatient_team_share).astype(int),
    })
    lp = true_crisis_log_odds(frame, truth)
    frame["true_risk"] = 1 / (1 + np.exp(-lp))
    frame["crisis"] = (own.random(n) < frame["true_risk"].to_numpy()).astype(int)
    crisis_day = own.integers(1, 366, n)
    died = (frame["crisis"].to_numpy() == 0) & (own.random(n) < truth.death_share)
    frame["event_type"] = np.where(frame["crisis"] == 1, 1, np.where(died, 2, 0))
    frame["days_to_event"] = np.where(frame["event_type"] > 0, crisis_day, 365)
    return frame


CRISIS_TRUE_C: dict[int, float] = {0: 0.7831, 1: 0.7947}
"""The true risk model's C in each edition's population (development 0, next 1):
:func:`true_c_statistic` averaged over 8 cohorts of 1,000,000 and 250,000 people
(seeds 0-3 and 100-103; the seed's areas make the population C vary by about 0.0004
between seeds, so the mean's SE is about 0.0002). Recomputed by
``tests/truth/test_synthetic_truth.py::test_crisis_true_c_matches_recomputation``."""


def expected_c_statistic(risk: np.ndarray) -> float:
    """The C-statistic a risk score is expected to have when outcomes are drawn from it.

    ``sum_{i != j} p_i (1 - p_j) [p_i > p_j] / sum_{i != j} p_i (1 - p_j)``, ties
    counting one half: the expectation over Bernoulli(``risk``) outcomes of the
    Mann-Whitney numerator over that of its denominator (the limit of the sample C as
    the sample grows). Sorting makes it O(n log n).

    Notes
    -----
    Checked against a brute-force double sum and a simulation in
    ``tests/unit/test_synthetic_crisis_c.py``.
    """
    p = np.sort(np.asarray(risk, dtype=float))
    q = 1 - p
    below = np.concatenate([[0.0], np.cumsum(q)])       # sum of q over sorted j < k
    left = np.searchsorted(p, p, side="left")            # first index of each tie group
    right = np.searchsorted(p, p, side="right")
    lower = below[left]                                   # strictly lower risks
    tied = below[right] - below[left] - q                 # tied risks, not i itself
    numerator = float(np.sum(p * (lower + 0.5 * tied)))
    denominator = float(p.sum() * q.sum() - np.sum(p * q))
    return numerator / denominator


def true_c_statistic(edition: int = 0, *, people: int = 1_000_000, seed: int = 0,
                     truth: CrisisRiskTruth = CRISIS_TRUTH) -> float:
    """The true risk model's C in an edition's population, from a large cohort.

    :func:`expected_c_statistic` of ``true_risk`` on ``make_crisis_cohort(people,
    seed, edition=edition)``: no outcome is drawn, so only the sampling of the
    predictors varies (Monte Carlo SE about 0.0003 at the default size, from the spread
    over independent seeds in ``tests/truth/test_synthetic_truth.py``).
    """
    return expected_c_statistic(make_crisis_cohort(people, seed, edition=edition,
                                                   truth=truth)["true_risk"].to_numpy())
