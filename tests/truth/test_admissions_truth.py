"""Emergency admissions: the generator builds in no Life Rooms effect; none is found."""

from __future__ import annotations

from lifetools.regression import compare_before_after
from lifetools.synthetic import TRUE_EFFECTS


def test_before_after_admissions_ci_covers_the_null_rate_ratio(truth_person_time):
    person_time = truth_person_time  # tests/truth/conftest.py
    users = person_time.periods.merge(person_time.people[["person_id", "user"]],
                                      on="person_id")
    result = compare_before_after(users[users["user"] == 1], outcome_col="admissions")
    estimate, low, high = result.estimate("after")
    assert low <= TRUE_EFFECTS.admission_rr_life_rooms <= high, (estimate, low, high)
    # precise enough to tell no effect from one the size of the A&E effect
    assert low > TRUE_EFFECTS.ae_rr_life_rooms, (estimate, low, high)
