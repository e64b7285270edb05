"""The emergency-care page says what the propensity score was given from the run's
covariates (issue 15, wave 28): the list was typed by hand and said "locality" also of
a one-locality report, whose score has no locality term."""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools.cohort.person_time import (
    MATCHING_COVARIATES,
    PROPENSITY_COVARIATES,
    propensity_covariates,
)
from lifetools.reports.emergency import SCORE_WORDS, _method_results, score_words

EVERY = ("age, sex, ethnicity, deprivation, locality, the secondary mental-health team "
         "(if any) they were open to, and A&E attendances and admissions in a baseline "
         "window")


def _people(localities: int) -> pd.DataFrame:
    rows = 12
    frame = pd.DataFrame({c: [i % 2 for i in range(rows)] for c in PROPENSITY_COVARIATES})
    for k in range(localities):
        frame[f"locality_{k}"] = [int(i % localities == k) for i in range(rows)]
    return frame


def test_score_words_come_from_the_runs_covariates():
    assert set(SCORE_WORDS) == set(PROPENSITY_COVARIATES)  # every covariate has words
    assert score_words(propensity_covariates(_people(3))) == EVERY
    one = score_words(propensity_covariates(_people(1)))  # a one-locality report
    assert "locality" not in one and one == EVERY.replace("locality, ", "")
    assert score_words(["female", "age_per_10"]) == "age and sex"
    assert score_words(["white", "female", "age_per_10"]) == "age, sex, and ethnicity"
    assert score_words([]) == "nothing"
    with pytest.raises(KeyError):
        score_words(["prior_ae"])  # the DiD's own before-window counts: never in it


def test_matching_sentence_states_the_baseline_window_only_when_the_score_has_it():
    full = str(_method_results(365, 0.2, list(PROPENSITY_COVARIATES))[1]["text"])
    # "the year before the year before the index date" read as a doubled phrase (wave 37)
    assert (f"given {EVERY.replace('locality, ', '')}: the year that ended a year before "
            "the index date)") in full
    assert "Prior use is taken from the baseline window" in full
    plain = str(_method_results(365, 0.2, ["age_per_10", "female"])[1]["text"])
    assert "given age and sex), within 0.2 standard deviations" in plain
    assert "baseline" not in plain


def test_matching_sentence_names_the_mahalanobis_distance_only_when_matching_used_it():
    score = list(PROPENSITY_COVARIATES)
    closer = str(_method_results(365, 0.2, score, MATCHING_COVARIATES)[1]["text"])
    assert ("within 0.2 standard deviations of the score's logit: of those, whichever "
            "was nearest in the score and in A&E attendances and admissions in the "
            "baseline window together (Mahalanobis distance).") in closer
    assert "the nearest propensity score" not in closer
    plain = str(_method_results(365, 0.2, score)[1]["text"])
    assert "Mahalanobis" not in plain and "the nearest propensity score" in plain
