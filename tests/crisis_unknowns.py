"""A crisis cohort's columns with unknown sex, ethnic group and area, for the tests of
their imputation (``tests/unit/test_prediction_imputation.py``, ``test_tripod.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def crisis_like(n: int = 400, seed: int = 3) -> pd.DataFrame:
    """A crisis cohort's columns with unknown sex, ethnic group and area (the cohort's
    0/1 columns count an unknown as 0, as build_crisis_cohort makes them)."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male", "Other or not known"], n, p=[.5, .45, .05])
    ethnic = rng.choice(["White", "Other ethnic groups", "Not known"], n, p=[.7, .2, .1])
    quintile = rng.choice(["1", "2", "3", "Not known"], n, p=[.3, .3, .3, .1])
    return pd.DataFrame({
        "age": rng.uniform(18, 80, n), "years_in_care": rng.uniform(0, 5, n),
        "community_team": rng.integers(0, 2, n), "prior_ae": rng.integers(0, 4, n),
        "prior_admissions": rng.integers(0, 2, n), "life_rooms": rng.integers(0, 2, n),
        "crisis": rng.integers(0, 2, n), "honos": rng.normal(12, 4, n),
        "honos_recorded": (rng.random(n) < .7).astype(int),
        "sex": sex, "female": (sex == "Female").astype(int),
        "ethnic_group": ethnic, "white": (ethnic == "White").astype(int),
        "imd_quintile": quintile, "imd_q1": (quintile == "1").astype(int)})

