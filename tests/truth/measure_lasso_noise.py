"""Measure Harrell's and the .632+ correction of the lasso's C on pure noise, many seeds.

Not a test: the measurement behind the table on the prediction methods page ("What
Harrell's correction estimates"), and, on 12 seeds, of
``test_prediction_lasso_optimism_truth.py``, which calls :func:`measure` (100 people,
20 noise predictors, the lasso with 5-fold cross-validated penalty, 20 bootstrap
samples per seed).

Run from the repository root (about 5 s of CPU per seed)::

    PYTHONPATH=src python tests/truth/measure_lasso_noise.py 101 161
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from lifetools.prediction import ModelSpec, bootstrap_validation
from lifetools.prediction.lasso import fit_lasso_model

NAMES = tuple(f"x{i}" for i in range(20))
SPEC = ModelSpec("y", linear=NAMES)


def lasso(data: pd.DataFrame, knots: dict | None):
    return fit_lasso_model(data, SPEC, folds=5, seed=1, knots=knots).frozen


def measure(seeds: range) -> pd.DataFrame:
    """Per seed: apparent, Harrell-corrected, out-of-bag and .632+ C."""
    rows = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        data = pd.DataFrame(rng.normal(size=(100, 20)), columns=NAMES).assign(
            y=(rng.random(100) < 0.4).astype(float))
        c = bootstrap_validation(data, SPEC, n_boot=20, seed=seed, develop=lasso,
                                 plus632=True).summary.set_index("index").loc["c"]
        rows.append({"seed": seed, "apparent": c["apparent"], "harrell": c["corrected"],
                     "oob": c["oob"], "plus632": c["corrected_632plus"]})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    table = measure(range(int(sys.argv[1]), int(sys.argv[2])))
    table["plain632"] = 0.368 * table["apparent"] + 0.632 * table["oob"]
    kept = table["apparent"] > 0.5
    for col in ("apparent", "harrell", "plus632", "plain632", "oob"):
        v = table[col]
        se = v.std(ddof=1) / np.sqrt(len(v))
        print(f"{col}: mean {v.mean():.4f} (SE {se:.4f}), z {(v.mean() - 0.5) / se:.2f}, "
              f"kept {v[kept].mean():.3f}, none {v[~kept].mean():.3f}, "
              f"rmse {np.sqrt(np.mean((v - 0.5) ** 2)):.4f}")
