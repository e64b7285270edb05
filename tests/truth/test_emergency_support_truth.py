"""The emergency report's propensity designs when a level holds no users.

At 10,000 synthetic people (seed 20250331, the project's, until wave 61's data; seed 1
since), the 2024-25 cohort's users (70; 76 at seed 1) include no one with an unknown
locality: the propensity fit diverged, no one was matched, and no
difference-in-differences was shown. With the level's non-users left
outside the common support (``lifetools.regression.common_support``) both designs are
built, every user is matched, and each design gives an estimate of each outcome: what
this module is for, asserted exactly.

One dataset cannot judge coverage at the nominal rate: a 95% interval misses the truth
in 5% of datasets, and four of them (A&E and admissions, matched and weighted) in up to
about 19%, so whether seed 1 passed depended on the draw (the pool's index-date draw in
person id order, issue 18, gave A&E intervals 0.26-0.77 and 0.28-0.79 around the truth
0.85, z = -2.3 and -2.2). The nominal coverage, the bias and the standard error of
``compare_with_non_users`` are judged over 40 datasets in
``tests/truth/test_did_many_seeds.py``. Here each estimate is only held consistent with
the truth at 99.9%: ``|log(estimate / truth)| <= 3.29 se`` (``se`` read from the 95%
interval). For an unbiased estimate with the right standard error each check fails with
probability 0.001, the four together at most 0.004 (union bound). It catches gross
errors only: at seed 1's standard errors (A&E 0.28 and 0.26, admissions 1.07 and 0.76
on the log scale; 76 users) a bias fails it with probability 1/2 or more from 3.29 se,
0.87 to 0.91 on the log scale for A&E (a rate ratio 2.4 to 2.5 times too small or too
large), such as the groups exchanged (the reciprocal rate ratio: z = 3.5 and 3.4 for A&E at seed 1).
It cannot see a bias of the outcome-matched design's size (about -0.1): that is for
``test_did_many_seeds``' paired criterion.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lifetools.cohort import CohortSpec, build_person_time
from lifetools.regression import OutsideSupport
from lifetools.reports.comparison import compare_with_non_users
from lifetools.synthetic import TRUE_EFFECTS, generate_dataset

pytestmark = pytest.mark.slow

Z95 = 1.959964
Z999 = 3.290527  # scipy.stats.norm.ppf(0.9995): two-sided 99.9%
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
    estimates = result.estimates.set_index(["outcome", "design"])
    assert sorted(estimates.index) == sorted(
        (outcome, design) for outcome in TRUTH for design in ("matched", "weighted"))
    assert estimates["failure"].isna().all(), estimates["failure"].to_dict()
    assert np.isfinite(estimates[["estimate", "ci_lower", "ci_upper"]]).all(axis=None)


@pytest.mark.parametrize("outcome", ["ae", "admissions"])
@pytest.mark.parametrize("design", ["matched", "weighted"])
def test_compare_with_non_users_level_without_users_is_consistent_with_the_truth(
        comparison, outcome, design):
    _, result = comparison
    row = result.estimates.set_index(["outcome", "design"]).loc[(outcome, design)]
    assert row["failure"] is None
    se = math.log(row["ci_upper"] / row["ci_lower"]) / (2 * Z95)
    z = math.log(row["estimate"] / TRUTH[outcome]) / se
    assert abs(z) <= Z999, (z, row.to_dict())


def test_compare_with_non_users_periods_are_the_person_periods_with_user(comparison):
    """``periods`` equals ``pt.periods.assign(user=...)`` (columns, dtypes, values)
    over ``pt.periods``' own values, not a copy of them (issue 16)."""
    pt, result = comparison
    user = pt.periods["person_id"].map(pt.people.set_index("person_id")["user"])
    pd.testing.assert_frame_equal(result.periods, pt.periods.assign(user=user),
                                  check_exact=True)
    assert np.shares_memory(result.periods["ae"].to_numpy(), pt.periods["ae"].to_numpy())
