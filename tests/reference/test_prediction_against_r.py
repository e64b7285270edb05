"""Prediction-model estimators against R (R 4.2.2, rms 6.5-0, pROC 1.18.0).

Expected values: tests/reference/results/reference_prediction.json, produced by
tests/reference/R/make_reference_prediction.R from MASS::birthwt (written to
tests/reference/data/birthwt.csv) and a normal sample (rcs_z.csv). The bootstrap
samples of ``rms::validate(lrm(...), B = 40)`` are in the JSON (1-based), so
lifetools repeats the same samples and the optimism must agree to numerical precision.
The decision-curve tutorial examples (R dcurves) are in results/dca_famhistory.json
(family history, a 0/1 marker) and results/dca_marker.json (the marker's continuous
predicted risks, data in data/dca_cancer_dx.csv; recipe R/make_reference_dca_marker.R),
each with its source. R is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import (
    ModelSpec,
    bootstrap_validation,
    calibration_curve,
    fit_prediction_model,
    net_benefit,
    performance,
    rcs_basis,
    rcs_knots,
)
from lifetools.prediction.performance import confusion_counts

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_prediction.json").read_text())
BIRTHWT = pd.read_csv(HERE / "data" / "birthwt.csv")
SPEC = ModelSpec("low", splines={"age": 4, "lwt": 3},
                 linear=("race2", "race3", "smoke", "ht", "ui"))


@pytest.fixture(scope="module")
def fitted():
    return fit_prediction_model(BIRTHWT, SPEC, shrinkage="none")


def test_rcs_knots_harrell_placement_against_r():
    # Hmisc::rcspline.eval knots: tied data (birthwt age, lwt) and a continuous sample; 1e-9
    z = pd.read_csv(HERE / "data" / "rcs_z.csv")["z"].to_numpy()
    np.testing.assert_allclose(rcs_knots(z, 5), R["knots_z5"], rtol=1e-9)
    np.testing.assert_allclose(rcs_knots(z, 3), R["knots_z3"], rtol=1e-9)
    np.testing.assert_allclose(rcs_knots(BIRTHWT["age"], 4), R["lrm"]["knots_age"], rtol=1e-9)
    np.testing.assert_allclose(rcs_knots(BIRTHWT["lwt"], 3), R["lrm"]["knots_lwt"], rtol=1e-9)


def test_rcs_basis_scaling_against_r():
    # rcspline.eval(lwt, knots, inclx = TRUE)[1:5, 2]: 1e-9
    basis = rcs_basis(BIRTHWT["lwt"].to_numpy()[:5], R["lrm"]["knots_lwt"])
    np.testing.assert_allclose(basis[:, 1], R["rcs_basis_lwt_first5"], rtol=1e-9)


def test_fit_prediction_model_unshrunken_against_r(fitted):
    # rms::lrm coefficients (same term names): relative 1e-8 (observed 4e-10: lrm
    # stops at its default tolerance, make_reference_prediction.R); model LR
    # chi-square relative 1e-10 (observed 2e-13; R's values to 12 digits)
    assert list(fitted.summary["term"]) == R["lrm"]["terms"]
    np.testing.assert_allclose(fitted.summary["estimate_ml"], R["lrm"]["coef"], rtol=1e-8,
                               atol=1e-10)
    assert fitted.method["model_lr"] == pytest.approx(R["lrm"]["lr"], rel=1e-10)
    assert fitted.frozen.shrinkage == 1.0


def test_performance_apparent_against_r(fitted):
    # pROC DeLong C and interval relative 1e-10 (observed 4e-13), glm slope/CITL
    # standard errors relative 1e-8 (observed 2e-10), Brier 1e-9
    risk = fitted.frozen.predict_risk(BIRTHWT)
    table = performance(BIRTHWT["low"], risk).summary.set_index("measure")
    a = R["apparent"]
    assert table.loc["c", "estimate"] == pytest.approx(a["c"], rel=1e-9)
    assert table.loc["c", "ci_lower"] == pytest.approx(a["c_lower"], rel=1e-10)
    assert table.loc["c", "ci_upper"] == pytest.approx(a["c_upper"], rel=1e-10)
    assert table.loc["slope", "estimate"] == pytest.approx(1.0, abs=1e-10)
    half = table.loc["slope", "ci_upper"] - table.loc["slope", "estimate"]
    assert half == pytest.approx(1.959963984540054 * a["slope_se"], rel=1e-8)
    half = table.loc["citl", "ci_upper"] - table.loc["citl", "estimate"]
    assert half == pytest.approx(1.959963984540054 * a["citl_se"], rel=1e-8)
    assert table.loc["brier", "estimate"] == pytest.approx(a["brier"], rel=1e-9)


def test_calibration_curve_spline_band_against_r(fitted):
    # glm(y ~ rcspline.eval(lp, 4 knots), epsilon 1e-14) and Wald band at a grid:
    # observed curve relative 1e-8 (observed 2e-9), band limits 1e-6 (observed 2.2e-7)
    c = R["calibration_curve"]
    grid = 1 / (1 + np.exp(-np.asarray(c["grid_lp"])))
    curve = calibration_curve(BIRTHWT["low"], fitted.frozen.predict_risk(BIRTHWT), grid=grid)
    np.testing.assert_allclose(curve["observed"], c["observed"], rtol=1e-8)
    np.testing.assert_allclose(curve["ci_lower"], c["lower"], rtol=1e-6)
    np.testing.assert_allclose(curve["ci_upper"], c["upper"], rtol=1e-6)


def test_net_benefit_vickers_elkin_against_r(fitted):
    # net benefit by the Vickers-Elkin formula computed in R: 1e-12
    nb = R["net_benefit"]
    table = net_benefit(BIRTHWT["low"], fitted.frozen.predict_risk(BIRTHWT), nb["thresholds"])
    np.testing.assert_allclose(table["model"], nb["model"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(table["treat_all"], nb["treat_all"], rtol=1e-9, atol=1e-12)


def test_bootstrap_validation_same_samples_against_r():
    # rms::validate(lrm(...), B = 40): apparent 1e-6; with the same 40 samples the
    # optimism and corrected values agree to 1e-5 (lrm.fit stops at tol 1e-7 in each sample)
    v = R["validate"]
    samples = [np.asarray(s) - 1 for s in v["samples"]]
    result = bootstrap_validation(BIRTHWT, SPEC, samples=samples)
    table = result.summary.set_index("index")
    ours = {"Intercept": table.loc["recalibration_intercept"], "Slope": table.loc["slope"],
            "B": table.loc["brier"]}
    ours["Dxy"] = table.loc["c"].copy()
    ours["Dxy"]["apparent"] = 2 * table.loc["c", "apparent"] - 1
    ours["Dxy"]["optimism"] = 2 * table.loc["c", "optimism"]
    ours["Dxy"]["corrected"] = 2 * table.loc["c", "corrected"] - 1
    for i, name in enumerate(v["index"]):
        assert ours[name]["apparent"] == pytest.approx(v["apparent"][i], abs=1e-6)
        assert ours[name]["optimism"] == pytest.approx(v["optimism"][i], abs=1e-5)
        assert ours[name]["corrected"] == pytest.approx(v["corrected"][i], abs=1e-5)
    assert result.n_boot == 40 and result.n_failed == 0


def test_net_benefit_dca_tutorial_famhistory_against_r_dcurves():
    # Published worked example (decision curve tutorial, R dcurves): 750 people, 105 with
    # cancer; family history in 24 of them and 91 without. The cohort is rebuilt from
    # those counts (net benefit depends on nothing else); agreement 1e-12.
    ref = json.loads((HERE / "results" / "dca_famhistory.json").read_text())
    n, cases = ref["n"], ref["cases"]
    y = np.r_[np.ones(cases), np.zeros(n - cases)]
    risk = np.r_[np.ones(ref["famhistory_cases"]), np.zeros(cases - ref["famhistory_cases"]),
                 np.ones(ref["famhistory_noncases"]),
                 np.zeros(n - cases - ref["famhistory_noncases"])]
    table = net_benefit(y, risk, ref["thresholds"])
    np.testing.assert_allclose(table["model"], ref["famhistory"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(table["treat_all"], ref["treat_all"], rtol=1e-9, atol=1e-12)


def test_fit_prediction_model_heuristic_shrinkage_against_r():
    # tests/reference/R/make_reference_shrinkage.R: rms::lrm (eps = 1e-12) "Model L.R."
    # and "d.f.", factor (LR - df) / LR, slopes times the factor, intercept of
    # glm(low ~ offset(shrunken lp)). Tolerance 1e-10 relative (observed 2e-13): both
    # sides maximise the same likelihood to about 1e-12 (R's LR equals glm's to 1e-8,
    # checked in the script); the factor inherits the LR's relative error times
    # df / (LR - df) < 0.4.
    ref = json.loads((HERE / "results" / "reference_shrinkage.json").read_text())
    fit = fit_prediction_model(BIRTHWT, SPEC, shrinkage="heuristic")
    assert list(fit.summary["term"]) == ref["terms"]
    assert fit.method["model_df"] == ref["df"]
    assert fit.method["model_lr"] == pytest.approx(ref["lr"], rel=1e-10)
    assert fit.frozen.shrinkage == pytest.approx(ref["factor"], rel=1e-10)
    np.testing.assert_allclose(fit.frozen.coefficients, ref["slopes"], rtol=1e-10)
    assert fit.frozen.intercept == pytest.approx(ref["intercept"], rel=1e-10)
    np.testing.assert_allclose(fit.summary["estimate_ml"], ref["coef_ml"], rtol=1e-10)


def test_net_benefit_dca_tutorial_marker_continuous_risks_against_r_dcurves():
    # Published worked example with continuous predicted risks (decision curve
    # tutorial, R dcurves: dca(cancer ~ marker, as_probability = "marker",
    # harm = 0.0333)): 750 people, the marker's risk from a logistic regression, 35
    # thresholds from 1% to 35%. R's net benefit of the marker has the harm subtracted,
    # which lifetools has no term for: added back. Model, treat-all, treat-none and the
    # true- and false-positive rates (confusion_counts over n): 1e-10 (observed 1e-16).
    ref = json.loads((HERE / "results" / "dca_marker.json").read_text())
    data = pd.read_csv(HERE / "data" / "dca_cancer_dx.csv")
    y, risk = data["cancer"].to_numpy(dtype=float), data["marker_risk"].to_numpy()
    assert len(y) == 750 and int(y.sum()) == 105
    table = net_benefit(y, risk, ref["thresholds"])
    np.testing.assert_allclose(table["threshold"], ref["thresholds"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(table["model"], np.asarray(ref["model"]) + ref["harm"],
                               rtol=0, atol=1e-10)
    np.testing.assert_allclose(table["treat_all"], ref["treat_all"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(table["treat_none"], ref["treat_none"], rtol=0, atol=1e-10)
    true_positives, treated = confusion_counts(y, risk, ref["thresholds"])
    np.testing.assert_allclose(np.asarray(true_positives) / len(y), ref["model_tp_rate"],
                               rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        (np.asarray(treated) - np.asarray(true_positives)) / len(y), ref["model_fp_rate"],
        rtol=0, atol=1e-10)
    # the risks cross the thresholds: the curve is not that of a 0/1 marker
    assert len(set(treated)) > 20
