"""One large synthetic dataset for the truth tests (generated once per session).

Generated in memory (``generate_dataset``: the same tables as writing, linking and
loading them, checked in ``tests/unit/test_generate_dataset.py``), about four times
faster than through files.
"""

from __future__ import annotations

import pytest

TRUTH_PEOPLE = 150_000
TRUTH_SEED = 7


@pytest.fixture(scope="session")
def truth_data():
    from lifetools.synthetic import generate_dataset

    return generate_dataset(TRUTH_PEOPLE, TRUTH_SEED)


@pytest.fixture(scope="session")
def truth_person_time(truth_data):
    """The person-time of ``truth_data`` over April 2021 to March 2024, built once for
    the emergency-care and the admissions truth tests (each built it: about 4 s of CPU
    at 150,000 people). Tests read it and never change it."""
    from lifetools.cohort import CohortSpec, build_person_time

    return build_person_time(truth_data, CohortSpec("2021-04-01", "2024-03-31"))


@pytest.fixture(scope="session")
def truth_data_no_late_uptake():
    """The same people and seed with no first Life Rooms contact later than 90 days
    after referral (``uptake_within_days``): where the landmark ratio's truth is
    derived (``tests/truth/landmark_truth.py``)."""
    from lifetools.synthetic import generate_dataset

    return generate_dataset(TRUTH_PEOPLE, TRUTH_SEED, uptake_within_days=90)
