"""Boot-MI: the imputation repeated inside each bootstrap sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, bootstrap_validation, c_statistic
from lifetools.prediction.boot_mi import bootstrap_validation_boot_mi
from lifetools.prediction.imputation import (
    bootstrap_validation_imputed,
    fit_imputed_model,
    impute_predictors,
)

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


def impute(data: pd.DataFrame, seed: int, m: int = 3) -> list[pd.DataFrame]:
    return impute_predictors(data, impute=["honos"], predictors=["age", "x1", "x2", "x3",
                                                                  "x4"],
                             outcome_col="y", m=m, seed=seed)


@pytest.mark.parametrize("shrinkage", ["none", "heuristic"])
def test_boot_mi_nothing_to_impute_equals_bootstrap_validation(shrinkage):
    data = cohort(600, 1, missing=0.0)
    boot_mi = bootstrap_validation_boot_mi(data, SPEC, impute=lambda d, s: [d], n_boot=15,
                                           seed=4, shrinkage=shrinkage)
    plain = bootstrap_validation(data, SPEC, n_boot=15, seed=4, shrinkage=shrinkage)
    cols = ["apparent", "optimism", "corrected"]
    np.testing.assert_allclose(boot_mi.summary[cols], plain.summary[cols], atol=1e-8)
    assert boot_mi.n_boot == plain.n_boot == 15


def test_boot_mi_imputes_inside_every_bootstrap_sample():
    data = cohort(400, 2)
    calls: list[tuple[int, int, int]] = []

    def counting(d: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
        calls.append((seed, len(d), int(d["honos"].isna().sum())))
        return impute(d, seed, m=2)

    result = bootstrap_validation_boot_mi(data, SPEC, impute=counting, n_boot=6, seed=10)
    assert [c[0] for c in calls] == [10, *range(11, 17)]  # original, then one per sample
    assert all(n == len(data) for _, n, _ in calls)
    # each sample draws its own people: its missing count differs from the original's
    assert len({missing for _, _, missing in calls[1:]}) > 1
    assert "inside each of 6 bootstrap samples" in result.method["imputation"]
    assert result.n_boot == 6 and result.n_failed == 0


def test_boot_mi_corrected_c_nearer_independent_cohort_c_than_apparent():
    # small development cohort, noise predictors: the apparent C is optimistic; the
    # optimism-corrected C is nearer the developed model's C in a large new cohort
    data = cohort(350, 3)
    originals = impute(data, 3)
    result = bootstrap_validation_boot_mi(data, SPEC, impute=impute, n_boot=40, seed=3,
                                          original=originals)
    model = fit_imputed_model(originals, SPEC, shrinkage="none").frozen
    big = cohort(60000, 99, missing=0.0)
    truth = c_statistic(big["y"], model.predict_risk(big))[0]
    table = result.summary.set_index("index")
    apparent, corrected = table.loc["c", "apparent"], table.loc["c", "corrected"]
    assert table.loc["c", "optimism"] > 0
    assert abs(corrected - truth) < abs(apparent - truth)
    # MI-boot on the same copies is no more pessimistic than boot-MI here
    mi_boot = bootstrap_validation_imputed(originals, SPEC, n_boot=40, seed=3)
    assert mi_boot.corrected("c") >= corrected - 0.02
