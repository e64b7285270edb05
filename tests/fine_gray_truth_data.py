"""Data from a known Fine-Gray model (Fine and Gray 1999, section 5), for the truth tests.

Covariates ``x1 ~ N(0, 1)`` and ``x2 ~ Bernoulli(0.5)``; the cumulative incidence of the
event of interest (code 1) is ``F1(t | x) = 1 - (1 - P (1 - exp(-t)))^exp(x B1)``, so the
true subdistribution hazard ratios are ``exp(B1)``; otherwise the competing event (code
2), exponential with rate ``exp(x B2)``; censoring uniform on (0, 3); times rounded up
to 0.01. Used by ``tests/truth/test_fine_gray_cif_interval_truth.py`` and
``tests/truth/test_fine_gray_bootstrap_truth.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

B1, B2, P, HORIZON = np.array([0.5, -0.5]), np.array([0.3, 0.3]), 0.4, 1.0


def true_cif(x: np.ndarray, t: float = HORIZON) -> np.ndarray:
    return 1 - (1 - P * (1 - np.exp(-t))) ** np.exp(x @ B1)


def draw(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)]).astype(float)
    p1 = true_cif(x, np.inf)
    first = rng.uniform(size=n) < p1
    v = rng.uniform(size=n) * p1  # F1(t1 | x) = v: invert the true incidence
    t1 = -np.log(1 - (1 - (1 - v) ** np.exp(-(x @ B1))) / P)
    t2 = rng.exponential(np.exp(-(x @ B2)))
    t = np.where(first, t1, t2)
    censor = rng.uniform(0, 3, n)
    return pd.DataFrame({"time": np.ceil(np.minimum(t, censor) * 100) / 100,
                         "event": np.where(t <= censor, np.where(first, 1, 2), 0),
                         "x1": x[:, 0], "x2": x[:, 1]})
