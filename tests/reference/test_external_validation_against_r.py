"""Validation of a frozen prediction model on other people, against R (rms, pROC).

Expected values: tests/reference/results/reference_external_validation.json, produced by
tests/reference/R/make_reference_external_validation.R (R 4.2.2, rms 6.5-0, pROC
1.18.0): ``rms::lrm`` developed on the odd rows of MASS::birthwt (95 babies), frozen,
and applied to the even rows (94), as a temporal validation applies edition N's model
to edition N+1. On the development data the calibration slope is 1 and
calibration-in-the-large 0 by construction, so the apparent checks of
tests/reference/test_prediction_against_r.py cannot tell a right calibration estimate
from a wrong one; here each measure is a real estimate (the half-sample model is badly
overfitted: slope 0.09). Both halves have fewer than 100 values, so Harrell's knots use
``rcspline.eval``'s rule for small samples. R is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import (
    ModelSpec,
    calibration_curve,
    fit_prediction_model,
    performance_by_group,
    rcs_knots,
    validate_frozen,
)

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_external_validation.json").read_text())
BIRTHWT = pd.read_csv(HERE / "data" / "birthwt.csv")
DEVELOPMENT, VALIDATION = BIRTHWT.iloc[::2], BIRTHWT.iloc[1::2]
SPEC = ModelSpec("low", splines={"age": 4, "lwt": 3},
                 linear=("race2", "race3", "smoke", "ht", "ui"))


@pytest.fixture(scope="module")
def frozen():
    return fit_prediction_model(DEVELOPMENT, SPEC, shrinkage="none")


def test_fit_prediction_model_fewer_than_100_rows_knots_and_coefficients_against_r(frozen):
    # lrm(low ~ rcs(age, 4) + rcs(lwt, 3) + ..., eps = 1e-12) on 95 rows: knots exact
    # (5th smallest and largest as outer knots), coefficients relative 1e-9 (observed
    # 5e-13); the frozen model's risks on the validation half relative 1e-10 (4e-14)
    ref = R["development"]
    assert len(DEVELOPMENT) == ref["rows"] == 95
    assert rcs_knots(DEVELOPMENT["age"], 4) == tuple(ref["knots_age"])
    assert rcs_knots(DEVELOPMENT["lwt"], 3) == tuple(ref["knots_lwt"])
    assert list(frozen.summary["term"]) == ref["terms"]
    np.testing.assert_allclose(frozen.summary["estimate_ml"], ref["coef"], rtol=1e-9)
    risk = frozen.frozen.predict_risk(VALIDATION)
    np.testing.assert_allclose(risk[:5], R["validation"]["risk_first5"], rtol=1e-10)


def test_validate_frozen_other_people_every_measure_against_r(frozen):
    # on the validation half: C and DeLong limits (pROC::ci.auc), calibration slope and
    # recalibration intercept (glm(y ~ lp); the same as rms::val.prob's Slope and
    # Intercept), calibration-in-the-large (glm(y ~ offset(lp))) with Wald limits, O/E
    # with exp(log(O/E) +/- 1.96 / sqrt(O)), Brier (and val.prob's): relative 1e-9
    # (observed at most 8e-12, on a limit near 0, otherwise 4e-13)
    ref = R["validation"]
    result = validate_frozen(frozen.frozen, VALIDATION, "low")
    assert (result.n_people, result.n_events) == (ref["rows"], ref["events"])
    table = result.summary.set_index("measure")
    for measure, key in (("c", "c"), ("slope", "slope"), ("citl", "citl"),
                         ("oe_ratio", "oe")):
        row = table.loc[measure]
        np.testing.assert_allclose([row["estimate"], row["ci_lower"], row["ci_upper"]],
                                   [ref[key], ref[f"{key}_lower"], ref[f"{key}_upper"]],
                                   rtol=1e-9, err_msg=measure)
    assert table.loc["recalibration_intercept", "estimate"] == pytest.approx(
        ref["recal_intercept"], rel=1e-9)
    assert table.loc["brier", "estimate"] == pytest.approx(ref["brier"], rel=1e-9)
    rms = ref["val_prob"]
    assert table.loc["slope", "estimate"] == pytest.approx(rms["slope"], rel=1e-9)
    assert table.loc["recalibration_intercept", "estimate"] == pytest.approx(
        rms["intercept"], rel=1e-9)
    assert table.loc["c", "estimate"] == pytest.approx(rms["c"], rel=1e-12)
    # a model refitted on the validation half would show slope 1 and in-the-large 0
    assert table.loc["slope", "ci_upper"] < 0.5 and table.loc["citl", "ci_lower"] > 0


def test_calibration_curve_other_people_spline_band_against_r(frozen):
    # glm(y ~ rcspline.eval(lp, 4 knots)) on the validation half (94 values: small-sample
    # knots) and its Wald band at a grid: knots and curve relative 1e-9 (observed 3e-13)
    ref = R["calibration_curve"]
    risk = frozen.frozen.predict_risk(VALIDATION)
    lp = np.log(risk / (1 - risk))
    np.testing.assert_allclose(rcs_knots(lp, 4), ref["knots"], rtol=1e-9)
    grid = 1 / (1 + np.exp(-np.asarray(ref["grid_lp"])))
    curve = calibration_curve(VALIDATION["low"].to_numpy(), risk, grid=grid)
    np.testing.assert_allclose(curve["observed"], ref["observed"], rtol=1e-9)
    np.testing.assert_allclose(curve["ci_lower"], ref["lower"], rtol=1e-9)
    np.testing.assert_allclose(curve["ci_upper"], ref["upper"], rtol=1e-9)


def test_performance_by_group_smokers_against_r(frozen):
    # fairness table by smoking on the validation half: n, events, C with DeLong limits,
    # calibration-in-the-large and O/E with their limits per group, relative 1e-9 or
    # absolute 1e-10 (observed at most 3e-10 relative, 2e-11 absolute, on the smokers'
    # in-the-large of -0.08: the logistic fit stops at its tolerance)
    risk = frozen.frozen.predict_risk(VALIDATION)
    table = performance_by_group(VALIDATION["low"].to_numpy(), risk,
                                 VALIDATION["smoke"].to_numpy(), min_count=5)
    assert table["group"].tolist() == ["0", "1"] and not table["suppressed"].any()
    for _, row in table.iterrows():
        ref = R["by_smoke"][row["group"]]
        assert (row["n"], row["events"]) == (ref["n"], ref["events"])
        for ours, key in (("c", "c"), ("citl", "citl"), ("oe_ratio", "oe")):
            np.testing.assert_allclose(
                [row[ours], row[f"{ours}_lower"], row[f"{ours}_upper"]],
                [ref[key], ref[f"{key}_lower"], ref[f"{key}_upper"]], rtol=1e-9,
                atol=1e-10, err_msg=f"{row['group']} {ours}")
