"""Regression estimators against R (stats, MASS 7.3, lme4; R 4.2.2).

Expected values: tests/reference/results/reference.json, produced by
tests/reference/R/make_reference.R; datasets exported by that script from MASS
(quine, Insurance) and lme4 (sleepstudy).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from lifetools.regression import fit_mixed_model, fit_negative_binomial, fit_poisson

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference.json").read_text())


def dummies(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Treatment contrasts with R's first level as reference, columns named as R does."""
    out = frame.copy()
    for col in columns:
        levels = sorted(frame[col].astype(str).unique())
        for level in levels[1:]:
            out[f"{col}{level}"] = (frame[col].astype(str) == level).astype(float)
    return out


def test_negative_binomial_quine_against_r():
    # MASS::glm.nb(Days ~ Eth + Sex + Age + Lrn): coefficients 1e-4, theta 1e-3
    quine = dummies(pd.read_csv(HERE / "data" / "quine.csv"), ["Eth", "Sex", "Age", "Lrn"])
    terms = R["quine_nb"]["terms"][1:]
    result = fit_negative_binomial(quine.assign(one=1.0), outcome_col="Days",
                                   person_time_col="one", covariates=terms)
    coef = np.log(result.summary.set_index("term")["estimate"])
    np.testing.assert_allclose(coef.loc[["const", *terms]], R["quine_nb"]["coef"],
                               rtol=1e-4, atol=1e-5)
    assert result.extra["theta"] == __import__("pytest").approx(R["quine_nb"]["theta"],
                                                                rel=1e-3)


def test_poisson_offset_insurance_against_r():
    # glm(Claims ~ District + Group + Age + offset(log(Holders)), poisson): 1e-6
    ins = pd.read_csv(HERE / "data" / "insurance.csv")
    terms = R["insurance_poisson"]["terms"][1:]
    for term in terms:  # R's treatment contrasts, named factor + level
        column = next(c for c in ("District", "Group", "Age") if term.startswith(c))
        ins[term] = (ins[column].astype(str) == term[len(column):]).astype(float)
    result = fit_poisson(ins, outcome_col="Claims", person_time_col="Holders",
                         covariates=terms, robust=False)
    summary = result.summary.set_index("term")
    np.testing.assert_allclose(np.log(summary["estimate"]),
                               R["insurance_poisson"]["coef"], rtol=1e-6, atol=1e-8)
    se = (np.log(summary["ci_upper"]) - np.log(summary["estimate"])) / 1.959963984540054
    np.testing.assert_allclose(se, R["insurance_poisson"]["se"], rtol=1e-5)


def test_mixed_model_sleepstudy_against_lme4():
    # lmer(Reaction ~ Days + (1 | Subject), REML): fixed effects 1e-5, variances 1e-3
    sleep = pd.read_csv(HERE / "data" / "sleepstudy.csv")
    result = fit_mixed_model(sleep, score_col="Reaction", time_col="Days",
                             group_col="Subject")
    fixed = result.summary.set_index("term")["estimate"]
    np.testing.assert_allclose(fixed.loc[["Intercept", "Days"]],
                               R["sleepstudy_lmer"]["fixed"], rtol=1e-5)
    assert np.isclose(result.extra["group_variance"], R["sleepstudy_lmer"]["subject_var"],
                      rtol=1e-3)
    assert np.isclose(result.extra["residual_variance"],
                      R["sleepstudy_lmer"]["residual_var"], rtol=1e-3)
