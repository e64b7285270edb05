"""Truth test: boot-MI's optimism-corrected C is nearer the C in a large new cohort.

The statistical property of :func:`lifetools.prediction.boot_mi.
bootstrap_validation_boot_mi` (40 bootstrap samples, each imputed afresh): kept here,
in the slow truth suite, because it takes about 30 s on a loaded machine. The code
paths (equality with the plain bootstrap when nothing is missing, imputation inside
each sample, the given original copies used as they are) are unit-tested quickly in
``tests/unit/test_prediction_boot_mi.py``.
"""

from __future__ import annotations

import pytest
from boot_mi_cohort import SPEC, cohort, impute

from lifetools.prediction import c_statistic
from lifetools.prediction.boot_mi import bootstrap_validation_boot_mi
from lifetools.prediction.imputation import (
    bootstrap_validation_imputed,
    fit_imputed_model,
)

pytestmark = pytest.mark.slow


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
