"""Cumulative incidence from a Fine-Gray model against R (R 4.2.2, survival 3.5-3).

Expected values: tests/reference/results/reference_fine_gray_risk.json, produced by
tests/reference/R/make_reference_fine_gray_risk.R: ``finegray`` + ``coxph(ties =
"breslow")`` + ``survfit(newdata = )`` on survival's mgus2 (progression, death
competing; tests/reference/data/mgus2_finegray.csv); and
tests/reference/results/reference_fine_gray_crr.json from cmprsk::crr on tie-free synthetic data
(tests/reference/R/make_reference_fine_gray_crr.R). R is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec
from lifetools.prediction.time_to_event import (
    FrozenCumulativeIncidence,
    fine_gray_hazard_ratios,
    fit_fine_gray_risk,
)

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_fine_gray_risk.json").read_text())
MGUS2 = pd.read_csv(HERE / "data" / "mgus2_finegray.csv")
SPEC = ModelSpec("unused", linear=("age", "male"))


@pytest.mark.parametrize("column", [0, 1, 2])
def test_fit_fine_gray_risk_cumulative_incidence_against_r(column):
    # survfit's 1 - S(h | x) for three new people at 60, 120, 240 months; 1e-7
    horizon = R["horizons"][column]
    fit = fit_fine_gray_risk(MGUS2, SPEC, duration_col="etime", event_col="event",
                             horizon=horizon)
    np.testing.assert_allclose(fit.summary["coef"], R["coef"], atol=1e-7)
    risk = fit.frozen.predict_risk(pd.DataFrame(R["new"]))
    np.testing.assert_allclose(risk, np.array(R["cif"])[:, column], rtol=1e-7)
    assert isinstance(fit.frozen, FrozenCumulativeIncidence)
    assert json.loads(fit.frozen.to_json())["horizon"] == horizon


CRR = json.loads((HERE / "results" / "reference_fine_gray_crr.json").read_text())
NOTIES = pd.read_csv(HERE / "data" / "fine_gray_noties.csv")


@pytest.mark.parametrize("column", [0, 1, 2])
def test_fit_fine_gray_risk_coefficients_and_incidence_against_r(column):
    # cmprsk::crr (gtol 1e-12) and predict.crr on 400 people with no tied times
    # (tests/reference/R/make_reference_fine_gray_crr.R): coefficients to 1e-7,
    # cumulative incidence at 5, 10, 20 to 1e-7 relative; standard errors within 0.2%
    # (measured 0.02% and 0.06%: crr's variance adds a term for the estimated
    # censoring weights, lifetools' robust variance does not)
    assert CRR["converged"]
    horizon = CRR["horizons"][column]
    fit = fit_fine_gray_risk(NOTIES, SPEC, duration_col="etime", event_col="event",
                             horizon=horizon)
    np.testing.assert_allclose(fit.summary["coef"], CRR["coef"], atol=1e-7)
    np.testing.assert_allclose(fit.summary["se"], CRR["se"], rtol=2e-3)
    risk = fit.frozen.predict_risk(pd.DataFrame(CRR["new"]))
    np.testing.assert_allclose(risk, np.array(CRR["cif"])[:, column], rtol=1e-7)


def test_fine_gray_hazard_ratios_one_fit_against_r():
    # one fit: exp(coef) with a Wald interval on the log scale from crr's coefficients
    # (to 1e-7) and the robust standard error
    fit = fit_fine_gray_risk(NOTIES, SPEC, duration_col="etime", event_col="event",
                             horizon=10)
    table = fine_gray_hazard_ratios([fit])
    np.testing.assert_allclose(np.log(table["estimate"]), CRR["coef"], atol=1e-7)
    se = fit.summary["se"].to_numpy()
    np.testing.assert_allclose(np.log(table["ci_upper"]) - np.log(table["estimate"]),
                               1.959963984540054 * se, rtol=1e-12)
    assert list(table["term"]) == ["age", "male"]
