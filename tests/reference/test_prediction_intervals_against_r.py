"""The location-shifted interval and the .632+ estimate of C against R (predboot's method).

Expected values: tests/reference/results/reference_predboot.json, produced by
tests/reference/R/make_reference_predboot.R (R 4.2.2, rms 6.5-0, pROC 1.18.0): Noma's
``predboot::pred.ML`` computation (glm, pROC, ``quantile`` type 7) on MASS::birthwt
with rms::validate's 40 bootstrap samples, which lifetools repeats. R is not needed
to run this test.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, bootstrap_validation

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_predboot.json").read_text())
SAMPLES = [np.asarray(s) - 1 for s in json.loads(
    (HERE / "results" / "reference_prediction.json").read_text())["validate"]["samples"]]
BIRTHWT = pd.read_csv(HERE / "data" / "birthwt.csv")
SPEC = ModelSpec("low", splines={"age": 4, "lwt": 3},
                 linear=("race2", "race3", "smoke", "ht", "ui"))


def test_location_shifted_interval_and_632plus_c_against_r():
    # C is a rank statistic: the fits (glm to 1e-14, lifetools' Newton) give the same
    # orderings, so every value agrees to 1e-9
    result = bootstrap_validation(BIRTHWT, SPEC, samples=SAMPLES, shrinkage="none",
                                  plus632=True)
    table = result.summary.set_index("index").loc["c"]
    np.testing.assert_allclose(result.training[:, 0], R["training"], atol=1e-9)
    assert table["apparent"] == pytest.approx(R["apparent"], abs=1e-9)
    assert table["corrected"] == pytest.approx(R["harrell"], abs=1e-9)
    assert table["oob"] == pytest.approx(R["oob"], abs=1e-9)
    assert table["corrected_632plus"] == pytest.approx(R["plus632"], abs=1e-9)
    assert result.interval("c") == pytest.approx(tuple(R["harrell_lsci"]), abs=1e-9)
    assert result.interval("c", estimate="corrected_632plus") == pytest.approx(
        tuple(R["plus632_lsci"]), abs=1e-9)
