"""Regression estimators against R (stats, MASS 7.3, lme4; R 4.2.2).

Expected values: tests/reference/results/reference.json, produced by
tests/reference/R/make_reference.R; datasets exported by that script from MASS
(quine, Insurance) and lme4 (sleepstudy). Count models with an exposure offset
(Poisson with sandwich HC0 errors, negative binomial): reference_counts.json, produced
by tests/reference/R/make_reference_counts.R (R 4.2.2, MASS 7.3-58.2, sandwich 3.0-2)
from the committed insurance.csv and rossi.csv (lifelines' load_rossi()). R is not
needed to run these tests: they read the committed values only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.regression import fit_mixed_model, fit_negative_binomial, fit_poisson

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference.json").read_text())
R_COUNTS = json.loads((HERE / "results" / "reference_counts.json").read_text())
Z = 1.959963984540054


def insurance_dummies(terms: list[str]) -> pd.DataFrame:
    """MASS Insurance with R's treatment-contrast columns, named factor + level."""
    ins = pd.read_csv(HERE / "data" / "insurance.csv")
    for term in terms:
        column = next(c for c in ("District", "Group", "Age") if term.startswith(c))
        ins[term] = (ins[column].astype(str) == term[len(column):]).astype(float)
    return ins


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


def test_poisson_offset_robust_hc0_insurance_against_r():
    # glm(Claims ~ District + Group + Age + offset(log(Holders)), poisson) with
    # sandwich::vcovHC(type = "HC0"): coefficients relative 1e-6 (absolute 1e-8);
    # robust standard errors relative 1e-5 (HC0 has no small-sample factor in either,
    # so the two agree to convergence precision)
    ref = R_COUNTS["insurance_poisson_hc0"]
    terms = ref["terms"][1:]
    result = fit_poisson(insurance_dummies(terms), outcome_col="Claims",
                         person_time_col="Holders", covariates=terms)
    assert result.method["se"] == "robust (HC0)"
    summary = result.summary.set_index("term")
    np.testing.assert_allclose(np.log(summary["estimate"]), ref["coef"], rtol=1e-6,
                               atol=1e-8)
    se = (np.log(summary["ci_upper"]) - np.log(summary["estimate"])) / Z
    np.testing.assert_allclose(se, ref["se_hc0"], rtol=1e-5)
    np.testing.assert_allclose(result.model.bse, ref["se_hc0"], rtol=1e-5)


# statsmodels' optimiser evaluates the likelihood at trial points where it overflows
@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered in multiply:RuntimeWarning")
def test_negative_binomial_offset_rossi_against_r():
    # MASS::glm.nb(prio ~ fin + age + race + wexp + mar + paro + offset(log(week))):
    # coefficients relative 1e-4 (absolute 1e-5), theta relative 1e-3, log-likelihood
    # absolute 1e-3. Standard errors: statsmodels inverts the observed Hessian of the
    # joint likelihood, so they are compared with R's observed Hessian of the same
    # likelihood (stats::optimHess, numerical): relative 1e-3. glm.nb's own vcov
    # (expected information, theta fixed) is smaller by up to 4% here: not compared.
    ref = R_COUNTS["rossi_nb_offset"]
    terms = ref["terms"][1:]
    rossi = pd.read_csv(HERE / "data" / "rossi.csv")
    result = fit_negative_binomial(rossi, outcome_col="prio", person_time_col="week",
                                   covariates=terms)
    summary = result.summary.set_index("term")
    np.testing.assert_allclose(np.log(summary.loc[["const", *terms], "estimate"]),
                               ref["coef"], rtol=1e-4, atol=1e-5)
    assert result.extra["theta"] == pytest.approx(ref["theta"], rel=1e-3)
    assert result.model.llf == pytest.approx(ref["loglik"], abs=1e-3)
    se = (np.log(summary["ci_upper"]) - np.log(summary["estimate"])) / Z
    np.testing.assert_allclose(se.loc[["const", *terms]], ref["se_observed"], rtol=1e-3)
