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
def truth_data_no_late_uptake():
    """The same people and seed with no first Life Rooms contact later than 90 days
    after referral (``uptake_within_days``): where the landmark ratio's truth is
    derived (``tests/truth/landmark_truth.py``)."""
    from lifetools.synthetic import generate_dataset

    return generate_dataset(TRUTH_PEOPLE, TRUTH_SEED, uptake_within_days=90)
