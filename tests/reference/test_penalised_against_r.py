"""Ridge logistic regression against rms::lrm(penalty = ) (R 4.2.2, rms 6.5-0).

Expected values: tests/reference/results/reference_penalised.json, produced by
tests/reference/R/make_reference_penalised.R from MASS::birthwt
(tests/reference/data/birthwt.csv). R is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec
from lifetools.prediction.penalised import fit_ridge_model

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_penalised.json").read_text())
BIRTHWT = pd.read_csv(HERE / "data" / "birthwt.csv")
SPEC = ModelSpec("low", splines={"age": 4, "lwt": 3},
                 linear=("race2", "race3", "smoke", "ht", "ui"))


@pytest.mark.parametrize("penalty", [2, 10])
def test_fit_ridge_model_coefficients_against_r(penalty):
    # rms::lrm(..., penalty = p): LL - p/2 sum(var(x_j) b_j^2); tolerance 1e-8
    model = fit_ridge_model(BIRTHWT, SPEC, penalty=penalty).frozen
    np.testing.assert_allclose(np.r_[model.intercept, model.coefficients],
                               R[f"penalty_{penalty}"], atol=1e-8)
