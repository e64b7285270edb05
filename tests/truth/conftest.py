"""One large synthetic dataset for the truth tests (generated once per session)."""

from __future__ import annotations

import pytest

TRUTH_PEOPLE = 150_000
TRUTH_SEED = 7


@pytest.fixture(scope="session")
def truth_data(tmp_path_factory):
    from lifetools.loading import load_dataset
    from lifetools.synthetic import write_synthetic

    folder = tmp_path_factory.mktemp("truth")
    write_synthetic(folder, people=TRUTH_PEOPLE, seed=TRUTH_SEED)
    return load_dataset(folder)
