"""Logistic regression, difference-in-differences and before/after ratios against R.

Expected values: tests/reference/results/reference_logistic_did.json, produced by
tests/reference/R/make_reference_logistic_did.R (R 4.2.2, pROC 1.18.0, sandwich 3.0-2,
geepack 1.3.9) from MASS::birthwt (tests/reference/data/birthwt.csv) and a before/after
panel of 600 people simulated by that script with R's generator
(tests/reference/data/did_panel.csv: a gamma frailty makes each person's two counts
correlated, after-periods are cut short, weights vary). R is not needed to run these
tests. The C-statistic's Hanley-McNeil interval is checked against the published worked
example of Hanley and McNeil (1982).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.regression import (
    c_statistic,
    compare_before_after,
    estimate_did,
    fit_logistic,
    fit_poisson,
)

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_logistic_did.json").read_text())
PANEL = pd.read_csv(HERE / "data" / "did_panel.csv")
Z = 1.959963984540054


def log_coef_and_se(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and standard errors back from a ratio table's Wald limits."""
    coef = np.log(summary["estimate"].to_numpy())
    return coef, (np.log(summary["ci_upper"].to_numpy()) - coef) / Z


def test_fit_logistic_birthwt_odds_ratios_and_c_against_r():
    # glm(low ~ age + lwt + race2 + race3 + smoke + ht + ui, binomial), epsilon 1e-14:
    # coefficients relative 1e-9 (observed 3e-15), standard errors relative 1e-8
    # (observed 3e-10: statsmodels' Newton stops at its own tolerance), Wald limits
    # (confint.default) absolute 1e-8; C-statistic (pROC auc) 1e-12
    ref = R["birthwt_logistic"]
    birthwt = pd.read_csv(HERE / "data" / "birthwt.csv")
    result = fit_logistic(birthwt, outcome_col="low", covariates=ref["terms"][1:])
    assert result.estimable and result.n == 189 and result.events == 59
    coef, se = log_coef_and_se(result.summary)
    np.testing.assert_allclose(coef, ref["coef"], rtol=1e-9)
    np.testing.assert_allclose(se, ref["se"], rtol=1e-8)
    np.testing.assert_allclose(np.log(result.summary["ci_lower"]), ref["lower"], atol=1e-8)
    np.testing.assert_allclose(np.log(result.summary["ci_upper"]), ref["upper"], atol=1e-8)
    assert result.extra["c_statistic"][0] == pytest.approx(ref["c"], abs=1e-12)


def test_c_statistic_hanley_mcneil_ct_ratings_against_published_example():
    # Hanley JA, McNeil BJ. The meaning and use of the area under a receiver operating
    # characteristic (ROC) curve. Radiology 1982;143:29-36, Table 1: 109 CT images rated
    # 1-5; 58 normal (33, 6, 6, 11, 2) and 51 abnormal (3, 2, 2, 11, 33). Published: area
    # 0.893, standard error 0.032 (tied ratings count one half). A standard error from
    # the binomial formula sqrt(A(1 - A) / min(n)) = 0.043 would fail.
    normal, abnormal = [33, 6, 6, 11, 2], [3, 2, 2, 11, 33]
    rating = np.r_[np.repeat(np.arange(1, 6), normal), np.repeat(np.arange(1, 6), abnormal)]
    outcome = np.r_[np.zeros(sum(normal)), np.ones(sum(abnormal))]
    area, lower, upper = c_statistic(outcome, rating)
    assert round(area, 3) == 0.893
    assert round((upper - area) / Z, 3) == 0.032
    assert (upper - area) == pytest.approx(area - lower, rel=1e-12)  # Wald, unclipped


def test_estimate_did_weighted_glm_cluster_robust_against_r():
    # glm(admissions ~ user * after + offset(log(person_years)), quasipoisson, weights)
    # and sandwich::vcovCL(cluster = ~person_id, type = "HC1"): coefficients and
    # cluster-robust standard errors relative 1e-9 (observed 5e-14 and 2e-14). The
    # small-sample factor is G / (G - 1) x (N - 1) / (N - K) on both sides.
    ref = R["did_weighted"]
    result = estimate_did(PANEL, outcome_col="admissions", weights_col="weight")
    assert result.estimable and not result.warnings and result.n == 600
    assert result.summary["term"].tolist() == ["const", "life_rooms", "after", "did"]
    coef, se = log_coef_and_se(result.summary)
    np.testing.assert_allclose(coef, ref["coef"], rtol=1e-9)
    np.testing.assert_allclose(se, ref["se"], rtol=1e-9)


def test_fit_poisson_cluster_by_person_against_r():
    # glm(admissions ~ user * after + offset(log(person_years)), poisson) and
    # sandwich::vcovCL(cluster = ~person_id, type = "HC1"): fit_poisson(cluster_col=)
    # coefficients and clustered errors relative 1e-9 (observed 4e-14 and 2e-14); the
    # default HC0 errors (every row its own cluster) differ from them by up to 14% on
    # the period terms, so the clustering is what is checked
    ref = R["poisson_cluster"]
    data = PANEL.assign(user_after=PANEL["user"] * PANEL["after"])
    terms = ["user", "after", "user_after"]
    result = fit_poisson(data, outcome_col="admissions", person_time_col="person_years",
                         covariates=terms, cluster_col="person_id")
    assert result.estimable and result.method["se"] == "cluster-robust"
    coef, se = log_coef_and_se(result.summary)
    np.testing.assert_allclose(coef, ref["coef"], rtol=1e-9)
    np.testing.assert_allclose(se, ref["se"], rtol=1e-9)
    _, se_rows = log_coef_and_se(fit_poisson(data, outcome_col="admissions",
                                             person_time_col="person_years",
                                             covariates=terms).summary)
    assert np.max(np.abs(se_rows / se - 1)) > 0.05


@pytest.mark.parametrize("design", ["did", "before_after"])
def test_gee_exchangeable_did_and_before_after_against_r_geepack(design):
    # geepack::geeglm(..., poisson, corstr = "exchangeable"), robust errors. lifetools'
    # moment estimator of the within-person correlation divides by pairs - p and N - p
    # (statsmodels' default), geepack's by pairs and N: with the correlation fixed at
    # the ddof-p estimator in geepack (make_reference_logistic_did.R), correlation,
    # coefficients and robust errors agree to relative 1e-9 (observed 3e-12, 6e-13 and
    # 2e-12); against geepack's own fit the correlation differs by 0.3-0.5%, the
    # coefficients and errors by at most 3e-4 relative (tolerance 1e-3), and the
    # difference is larger than the tight tolerance, so a change of estimator would fail.
    if design == "did":
        ref = R["did_gee"]
        result = estimate_did(PANEL, outcome_col="admissions")
        assert result.summary["term"].tolist() == ["const", "life_rooms", "after", "did"]
    else:
        ref = R["before_after_gee"]
        users = PANEL[PANEL["user"] == 1]
        result = compare_before_after(users, outcome_col="admissions")
        assert result.summary["term"].tolist() == ["const", "after"]
        # the mean model is saturated, but the exchangeable weights make the ratio
        # differ from the ratio of totals (by 0.9% here: person-time after
        # varies between people)
        ratio = result.summary["estimate"].iloc[1]
        assert abs(ratio / ref["ratio_of_totals"] - 1) > 1e-3
    assert result.estimable and not result.warnings
    coef, se = log_coef_and_se(result.summary)
    alpha = float(np.atleast_1d(result.model.model.cov_struct.dep_params)[0])
    tight, own = ref["ddof_p"], ref["geepack"]
    assert alpha == pytest.approx(tight["alpha"], rel=1e-9)
    np.testing.assert_allclose(coef, tight["coef"], rtol=1e-9)
    np.testing.assert_allclose(se, tight["se"], rtol=1e-9)
    np.testing.assert_allclose(coef, own["coef"], rtol=1e-3)
    np.testing.assert_allclose(se, own["se"], rtol=1e-3)
    assert abs(alpha / own["alpha"] - 1) > 1e-3
