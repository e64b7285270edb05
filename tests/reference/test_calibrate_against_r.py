"""The optimism-corrected calibration curve against ``rms::calibrate`` (R 4.2.2, rms 6.5-0).

Expected values: tests/reference/results/reference_calibrate.json, produced by
tests/reference/R/make_reference_calibrate.R from MASS::birthwt (tests/reference/data/
birthwt.csv). The 40 bootstrap samples of ``rms::calibrate(lrm(...), B = 40)`` are in
the JSON (1-based; the script checks that a hand loop over them reproduces calibrate's
table), so lifetools repeats the same samples and the curves must agree to numerical
precision. R is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, bootstrap_validation
from lifetools.prediction.calibrate import calibration_errors, lowess

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_calibrate.json").read_text())
BIRTHWT = pd.read_csv(HERE / "data" / "birthwt.csv")
SPEC = ModelSpec("low", splines={"age": 4, "lwt": 3},
                 linear=("race2", "race3", "smoke", "ht", "ui"))


def _numbers(values: list) -> np.ndarray:
    """R's JSON numbers, its NA as NaN."""
    return np.array([np.nan if v == "NA" else v for v in values], dtype=float)


@pytest.fixture(scope="module")
def calibrated():
    samples = [np.asarray(s) - 1 for s in R["calibrate"]["samples"]]
    return bootstrap_validation(BIRTHWT, SPEC, samples=samples, calibrate=True)


def test_lowess_with_ties_against_r():
    # lowess(lwt, low, iter = 0): mother's weight has many ties; default span and delta,
    # and span 0.3 with every point fitted (delta 0). 1e-10
    xs, fitted = lowess(BIRTHWT["lwt"].to_numpy(), BIRTHWT["low"].to_numpy())
    np.testing.assert_allclose(xs, R["lowess_ties"]["x"], rtol=1e-12)
    np.testing.assert_allclose(fitted, R["lowess_ties"]["y"], rtol=1e-10, atol=1e-12)
    _, fitted = lowess(BIRTHWT["lwt"].to_numpy(), BIRTHWT["low"].to_numpy(), span=0.3,
                       delta=0.0)
    np.testing.assert_allclose(fitted, R["lowess_ties_f03"]["y"], rtol=1e-10, atol=1e-12)


def test_calibrate_same_samples_against_r(calibrated):
    # grid and apparent curve: 1e-9 absolute (observed 6e-11: R's lrm stops when -2 log L
    # changes by less than 0.025, lifetools at convergence, so the risks differ a little);
    # optimism and corrected curve with the same 40 samples: 1e-7 (observed 5e-9, the
    # refits' stopping likewise); samples reaching each grid point: exact
    ref = R["calibrate"]
    curve = calibrated.calibration.curve
    np.testing.assert_allclose(curve["predicted"], ref["predy"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(curve["apparent"], ref["apparent"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(curve["optimism"], ref["optimism"], rtol=0, atol=1e-7)
    np.testing.assert_allclose(curve["corrected"], ref["corrected"], rtol=0, atol=1e-7)
    assert curve["samples"].tolist() == ref["n"]
    assert min(ref["n"]) < ref["B"]  # the grid's ends are missed by some samples
    assert calibrated.n_boot == ref["B"] and calibrated.n_failed == 0


def test_calibrate_error_summary_against_r(calibrated):
    # print.calibrate: mean absolute and squared error, 0.9 quantile over the people
    # inside the grid's range: 1e-7 (observed 1e-9)
    ref, errors = R["calibrate"], calibrated.calibration.errors
    assert errors["people"] == ref["errors_used"]
    assert errors["mean_absolute"] == pytest.approx(ref["mean_absolute_error"], abs=1e-7)
    assert errors["mean_squared"] == pytest.approx(ref["mean_squared_error"], abs=1e-7)
    assert errors["quantile90"] == pytest.approx(ref["quantile90_absolute_error"], abs=1e-7)


def test_calibrate_given_grid_beyond_the_risks_against_r():
    # calibrate(predy = grid) with grid points below and above the apparent risks: the
    # apparent curve is missing above them (and so the corrected one), while samples still
    # reach the top point; 1e-7, NaN where R has NA
    ref = R["calibrate_grid"]
    samples = [np.asarray(s) - 1 for s in R["calibrate"]["samples"]]
    curve = bootstrap_validation(BIRTHWT, SPEC, samples=samples, calibrate=True,
                                 grid=np.asarray(ref["predy"])).calibration.curve
    np.testing.assert_allclose(curve["apparent"], _numbers(ref["apparent"]), atol=1e-9)
    np.testing.assert_allclose(curve["corrected"], _numbers(ref["corrected"]), atol=1e-7)
    assert curve["samples"].tolist() == ref["n"]
    assert np.isnan(curve["corrected"].iloc[-1]) and curve["samples"].iloc[-1] > 0


def test_calibration_errors_by_hand():
    # a corrected curve equal to the diagonal gives no error; one 0.1 above it, 0.1
    # everywhere inside the grid (the person outside it is left out)
    grid = np.array([0.1, 0.5, 0.9])
    risk = np.array([0.2, 0.4, 0.6, 0.95])
    none = calibration_errors(grid, grid, risk)
    assert none["mean_absolute"] == 0 and none["people"] == 3
    shifted = calibration_errors(grid, grid + 0.1, risk)
    assert shifted["mean_absolute"] == pytest.approx(0.1)
    assert shifted["quantile90"] == pytest.approx(0.1)
    assert shifted["mean_squared"] == pytest.approx(0.01)
