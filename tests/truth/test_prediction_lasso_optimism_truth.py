"""Truth test: the lasso's optimism-corrected C on pure noise is near 0.5 on average.

Twelve samples of 100 people with 20 pure-noise predictors (outcome risk 0.4, unrelated
to every predictor), so every model's true C is 0.5. The development procedure is the
crisis report's lasso: the penalty chosen by 5-fold cross-validation, re-chosen in each
of 20 bootstrap samples (:func:`lifetools.prediction.bootstrap_validation` with a
``develop`` callback, as :func:`lifetools.reports.crisis_parts.model_comparison` uses),
the copies of a person in a bootstrap sample kept in one fold
(:func:`lifetools.prediction.penalised.cv_folds`).

Criteria over the seeds: the mean corrected C is within 2.5 Monte Carlo standard errors
of 0.5; every seed's optimism is positive. Measured: mean corrected C 0.557 (SE 0.028);
the lasso on the original data kept no predictor in 8 of 12 seeds (apparent C 0.5).
With folds that split a person's copies (the previous folds) the bootstrap chose too
small penalties and over-corrected: mean 0.426 (z = -2.6, failing). Bootstrap optimism
corrections are biased in small samples, in directions that depend on the setting (Iba
et al. 2021, BMC Med Res Methodol). About 60 s of CPU (5 minutes at load 14).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, bootstrap_validation
from lifetools.prediction.lasso import fit_lasso_model

pytestmark = pytest.mark.slow

SEEDS = range(101, 113)
NAMES = tuple(f"x{i}" for i in range(20))
SPEC = ModelSpec("y", linear=NAMES)


def lasso(data: pd.DataFrame, knots: dict | None):
    return fit_lasso_model(data, SPEC, folds=5, seed=1, knots=knots).frozen


def test_lasso_optimism_pure_noise_corrected_c_near_half_optimism_positive():
    rows = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        data = pd.DataFrame(rng.normal(size=(100, 20)), columns=NAMES).assign(
            y=(rng.random(100) < 0.4).astype(float))
        c = bootstrap_validation(data, SPEC, n_boot=20, seed=seed, develop=lasso
                                 ).summary.set_index("index").loc["c"]
        rows.append((c["apparent"], c["corrected"]))
    apparent, corrected = np.array(rows).T

    def z(values: np.ndarray) -> float:
        return (values.mean() - 0.5) / (values.std(ddof=1) / np.sqrt(len(values)))

    assert abs(z(corrected)) < 2.5, (corrected.mean(), corrected.std(ddof=1))
    assert (apparent - corrected > 0).all(), apparent - corrected
