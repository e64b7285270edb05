"""The in-memory synthetic dataset equals the one written, linked and loaded."""

from __future__ import annotations

import pandas as pd

from lifetools.loading import TABLES, load_dataset
from lifetools.synthetic import generate_dataset, write_synthetic


def test_generate_dataset_equals_written_and_loaded_tables(tmp_path):
    write_synthetic(tmp_path, people=3000, seed=5)
    written = load_dataset(tmp_path)
    in_memory = generate_dataset(3000, 5)
    assert in_memory.path is None
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(in_memory, name).reset_index(drop=True),
                                      getattr(written, name).reset_index(drop=True))
