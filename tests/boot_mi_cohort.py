"""A small cohort with HoNOS missing at random, shared by the boot-MI unit and truth tests.

Kept out of the test modules so that ``tests/unit/test_prediction_boot_mi.py`` and
``tests/truth/test_prediction_boot_mi_truth.py`` draw the same data.

:func:`impute` keeps its last copies by the data's bytes, seed and ``m``: chained
equations are ~93% of the unit tests' CPU (statsmodels' MICE builds its patsy design on
every update), and the tests that compute boot-MI by hand impute the same bootstrap
samples with the same seeds as the function they check (and the .632+ and calibration
tests the same cohort and samples). The copies are deterministic in these three, so a
cached copy is the copy a fresh imputation would return; each call gets new frames.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from lifetools.prediction import ModelSpec
from lifetools.prediction.imputation import impute_predictors

SPEC = ModelSpec("y", splines={"age": 4}, linear=("honos", "x1", "x2", "x3", "x4"))


def cohort(n: int, seed: int, missing: float = 0.4) -> pd.DataFrame:
    """True model: age (quadratic) and HoNOS; x1-x4 noise; HoNOS missing at random
    given age and the outcome."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 90, n)
    honos = rng.normal(12, 5, n)
    noise = rng.normal(size=(n, 4))
    lp = -1.2 + 0.0004 * (age - 50) ** 2 + 0.1 * (honos - 12)
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    gone = rng.random(n) < missing * (0.5 + 0.5 * y) * (age > 40)
    return pd.DataFrame({"age": age, "honos": np.where(gone, np.nan, honos), "y": y,
                         **{f"x{i + 1}": noise[:, i] for i in range(4)}})


_CACHED: dict[tuple[str, int, int], tuple[pd.DataFrame, ...]] = {}
_KEEP = 64


def impute(data: pd.DataFrame, seed: int, m: int = 3) -> list[pd.DataFrame]:
    """``m`` chained-equation copies of ``data`` with HoNOS filled in (new frames; the
    imputation itself made once per data, seed and ``m`` among the last 64)."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes())
    digest.update(repr((list(data.columns), list(map(str, data.dtypes)))).encode())
    key = (digest.hexdigest(), int(seed), int(m))
    if key not in _CACHED:
        if len(_CACHED) >= _KEEP:
            _CACHED.pop(next(iter(_CACHED)))
        _CACHED[key] = tuple(impute_predictors(
            data, impute=["honos"], predictors=["age", "x1", "x2", "x3", "x4"],
            outcome_col="y", m=m, seed=seed))
    return [c.copy() for c in _CACHED[key]]
