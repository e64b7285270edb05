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
def _kept_person_time(truth_data):
    """The person-time of ``truth_data`` over April 2021 to March 2024, built once (each
    of its users built it: about 4 s of CPU at 150,000 people), its values read-only."""
    from read_only_frames import read_only

    from lifetools.cohort import CohortSpec, build_person_time

    kept = build_person_time(truth_data, CohortSpec("2021-04-01", "2024-03-31"))
    for frame in (kept.people, kept.periods, kept.flow):
        read_only(frame)
    return kept


@pytest.fixture(scope="module")
def truth_person_time(_kept_person_time):
    """The shared person-time for the emergency-care and the admissions truth tests:
    each test module gets its own frames over the one built, whose values are read-only
    (``tests/read_only_frames.py``): a test writing into a value fails, and a column a
    module adds, drops or replaces stays in that module. Module-scoped, so a module's
    own fixtures built from it (the regression module's matching) are built once."""
    from read_only_frames import person_time_view

    return person_time_view(_kept_person_time)


@pytest.fixture(scope="session")
def truth_data_no_late_uptake():
    """The same people and seed with no first Life Rooms contact later than 90 days
    after referral (``uptake_within_days``): where the landmark ratio's truth is
    derived (``tests/truth/landmark_truth.py``)."""
    from lifetools.synthetic import generate_dataset

    return generate_dataset(TRUTH_PEOPLE, TRUTH_SEED, uptake_within_days=90)
