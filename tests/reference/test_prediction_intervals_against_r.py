"""The location-shifted interval and the .632+ estimate of C against R (predboot's method),
and the two-stage bootstrap interval of every optimism-corrected index.

Expected values: tests/reference/results/reference_predboot.json, produced by
tests/reference/R/make_reference_predboot.R (R 4.2.2, rms 6.5-0, pROC 1.18.0): Noma's
``predboot::pred.ML`` computation (glm, pROC, ``quantile`` type 7) on MASS::birthwt
with rms::validate's 40 bootstrap samples, which lifetools repeats. Two-stage:
tests/reference/results/reference_two_stage.json from
tests/reference/R/make_reference_two_stage.R (R 4.2.2, base R and jsonlite), R's own
samples repeated. R is not needed to run these tests.
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


TWO_STAGE = json.loads((HERE / "results" / "reference_two_stage.json").read_text())
LINEAR = ModelSpec("low", linear=("age", "lwt", "race2", "race3", "smoke", "ht", "ui"))


def test_two_stage_interval_every_index_against_r():
    # tests/reference/R/make_reference_two_stage.R: 40 outer samples of 8 inner samples
    # each (R's, 1-based; samples where a fit separates drawn again in R), maximum-
    # likelihood glm with linear terms on birthwt; every outer sample's corrected indexes
    # and the type-7 percentiles agree to 1e-10 (measured 5e-13: glm at epsilon 1e-14
    # against lifetools' Newton)
    from lifetools.prediction.intervals import two_stage_interval

    samples = [[(np.asarray(s["outer"]) - 1,
                 [np.asarray(i) - 1 for i in s["inner"]]) for s in TWO_STAGE["samples"]]]
    got = two_stage_interval(BIRTHWT, LINEAR, samples=samples, n_inner=8)
    assert got.n_outer == 40 and got.n_failed == 0
    assert list(got.summary["index"]) == TWO_STAGE["names"]
    np.testing.assert_allclose(got.corrected.T, TWO_STAGE["corrected"], atol=1e-10)
    np.testing.assert_allclose(got.summary["ci_lower"], TWO_STAGE["ci_lower"], atol=1e-10)
    np.testing.assert_allclose(got.summary["ci_upper"], TWO_STAGE["ci_upper"], atol=1e-10)
    # the slope's interval has width: a location-shifted interval of a maximum-likelihood
    # slope would be the single point 1 shifted
    low, high = got.interval("slope")
    assert high - low > 0.1
