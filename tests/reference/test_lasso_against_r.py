"""Lasso logistic regression and its bootstrap against R without glmnet (R 4.2.2).

Written before glmnet was installed (glmnet itself: test_glmnet_against_r.py).
tests/reference/R/make_reference_lasso.R minimises glmnet's
objective (standardised L1 penalty) with base R's ``optim`` (L-BFGS-B on ``b = u - v``),
polishes the result by Newton's method on the support it found, and checks the
Karush-Kuhn-Tucker conditions (met to 5e-15); it then runs Harrell's bootstrap of the
lasso at a fixed penalty with 40 samples drawn in R, computing the indexes as
``rms::validate`` does. Expected values: tests/reference/results/reference_lasso.json,
from MASS::birthwt (tests/reference/data/birthwt.csv). R is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, bootstrap_validation
from lifetools.prediction.lasso import fit_lasso, fit_lasso_model
from lifetools.prediction.model import _design
from lifetools.prediction.splines import rcs_knots

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_lasso.json").read_text())
BIRTHWT = pd.read_csv(HERE / "data" / "birthwt.csv")
SPEC = ModelSpec("low", splines={"age": 4, "lwt": 3},
                 linear=("race2", "race3", "smoke", "ht", "ui"))


def design() -> tuple[np.ndarray, np.ndarray]:
    knots = {c: rcs_knots(BIRTHWT[c].to_numpy(dtype=float), k) for c, k in SPEC.splines.items()}
    x, _ = _design(BIRTHWT, knots, SPEC.linear, {}, ())
    return x, BIRTHWT["low"].to_numpy(dtype=float)


@pytest.mark.parametrize("penalty", [0.02, 0.005])
def test_fit_lasso_coefficients_against_r(penalty):
    # R's polished solution meets the optimality conditions to 5e-15: tolerance 1e-10
    # (measured 3e-13); L-BFGS-B alone (an independent solver, before polishing) within
    # 5e-5 (measured 1.2e-5)
    x, y = design()
    beta = fit_lasso(x, y, penalty)
    reference = R[f"lambda_{penalty}"]
    np.testing.assert_allclose(beta, reference["coef"], atol=1e-10)
    assert ((beta == 0) == (np.asarray(reference["coef"]) == 0)).all()
    assert (beta[1:] == 0).any()  # a penalty that sets some slopes to 0
    np.testing.assert_allclose(beta, reference["lbfgs"], atol=5e-5)


def test_lasso_bootstrap_optimism_same_samples_against_r():
    # the lasso (fixed penalty) refitted in each of R's 40 samples, knots fixed at the
    # full data's positions as R's stored design: apparent and optimism to 1e-10
    # (measured 9e-14)
    boot = R["bootstrap"]
    result = bootstrap_validation(
        BIRTHWT, SPEC, samples=[np.asarray(r) for r in boot["rows"]],
        develop=lambda d, k: fit_lasso_model(d, SPEC, penalty=boot["lambda"],
                                             knots=k).frozen)
    table = result.summary.set_index("index")
    names = {"c": "c", "slope": "slope", "recalibration_intercept": "intercept",
             "citl": "citl", "brier": "brier"}
    for ours, theirs in names.items():
        assert table.loc[ours, "apparent"] == pytest.approx(boot["apparent"][theirs],
                                                            abs=1e-10)
        assert table.loc[ours, "optimism"] == pytest.approx(boot["optimism"][theirs],
                                                            abs=1e-10)
    assert result.n_boot == 40 and result.n_failed == 0
