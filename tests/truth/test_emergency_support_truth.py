"""The emergency report's propensity designs when a level holds no users.

At 10,000 synthetic people (seed 20250331, the project's, until wave 61's data; seed 1
since), the 2024-25 cohort's users (70; 76 at seed 1) include no one with an unknown
locality: the propensity fit diverged, no one was matched, and no
difference-in-differences was shown. With the level's non-users left
outside the common support (``lifetools.regression.common_support``) both designs are
built, every user is matched, and each interval contains the generator's effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.cohort import CohortSpec, build_person_time
from lifetools.regression import OutsideSupport
from lifetools.reports.comparison import compare_with_non_users
from lifetools.synthetic import TRUE_EFFECTS, generate_dataset

pytestmark = pytest.mark.slow

TRUTH = {"ae": TRUE_EFFECTS.ae_rr_life_rooms,
         "admissions": TRUE_EFFECTS.admission_rr_life_rooms}


@pytest.fixture(scope="module")
def comparison():
    pt = build_person_time(generate_dataset(10_000, 1),
                           CohortSpec("2024-04-01", "2025-03-31"))
    return pt, compare_with_non_users(pt)


def test_compare_with_non_users_level_without_users_matches_every_user(comparison):
    pt, result = comparison
    assert result.matched.failure is None and result.weighted.failure is None
    assert result.matched.method["outside_support"] == (
        OutsideSupport("locality_unknown", "above", 0.0, "users", True),)
    assert result.matched.method["matched_pairs"] == pt.people["user"].sum()


@pytest.mark.parametrize("outcome", ["ae", "admissions"])
@pytest.mark.parametrize("design", ["matched", "weighted"])
def test_compare_with_non_users_level_without_users_covers_the_true_effect(
        comparison, outcome, design):
    _, result = comparison
    row = result.estimates.set_index(["outcome", "design"]).loc[(outcome, design)]
    assert row["failure"] is None
    assert row["ci_lower"] <= TRUTH[outcome] <= row["ci_upper"], row.to_dict()


def test_compare_with_non_users_periods_are_the_person_periods_with_user(comparison):
    """``periods`` equals ``pt.periods.assign(user=...)`` (columns, dtypes, values)
    over ``pt.periods``' own values, not a copy of them (issue 16)."""
    pt, result = comparison
    user = pt.periods["person_id"].map(pt.people.set_index("person_id")["user"])
    pd.testing.assert_frame_equal(result.periods, pt.periods.assign(user=user),
                                  check_exact=True)
    assert np.shares_memory(result.periods["ae"].to_numpy(), pt.periods["ae"].to_numpy())
