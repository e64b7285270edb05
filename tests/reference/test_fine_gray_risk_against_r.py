"""Cumulative incidence from a Fine-Gray model against R (R 4.2.2, survival 3.5-3).

Expected values: tests/reference/results/reference_fine_gray_risk.json, produced by
tests/reference/R/make_reference_fine_gray_risk.R: ``finegray`` + ``coxph(ties =
"breslow")`` + ``survfit(newdata = )`` on survival's mgus2 (progression, death
competing; tests/reference/data/mgus2_finegray.csv). R is not needed to run these tests.
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
