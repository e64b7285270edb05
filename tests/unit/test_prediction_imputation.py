"""Unit tests of lifetools.prediction.imputation (truth: tests/truth/test_prediction_imputation_truth.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import (
    ModelSpec,
    bootstrap_validation,
    fit_prediction_model,
    performance,
)
from lifetools.prediction.imputation import (
    bootstrap_validation_imputed,
    fit_imputed_model,
    impute_predictors,
    pool_performance,
)


def cohort(n: int = 1500, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 90, n)
    honos = rng.normal(12, 5, n)
    lp = -1.5 + 0.0004 * (age - 50) ** 2 + 0.08 * (honos - 12)
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return pd.DataFrame({"age": age, "honos": honos, "y": y})


SPEC = ModelSpec("y", splines={"age": 3}, linear=("honos",))


def test_fit_imputed_model_identical_copies_equal_single_fit_with_no_between_variance():
    data = cohort()
    single = fit_prediction_model(data, SPEC)
    pooled = fit_imputed_model([data, data.copy(), data.copy()], SPEC)
    np.testing.assert_allclose(pooled.frozen.coefficients, single.frozen.coefficients,
                               rtol=1e-10)
    assert pooled.frozen.intercept == pytest.approx(single.frozen.intercept, abs=1e-10)
    np.testing.assert_allclose(pooled.summary["se"], single.summary["se"], rtol=1e-10)
    assert (pooled.summary["fmi"] == 0).all() and pooled.m == 3


def test_fit_imputed_model_one_copy_interval_equals_identical_copies_normal_limits():
    # One copy: no pooling; its limits are the Wald interval of the one interval
    # function, i.e. those of identical copies (no between variance: Rubin's df is
    # infinite, normal quantiles). A literal 1.96 misses this by about 4e-5 se.
    data = cohort()
    one = fit_imputed_model([data], SPEC).summary
    three = fit_imputed_model([data, data.copy(), data.copy()], SPEC).summary
    for col in ("ci_lower", "ci_upper"):
        np.testing.assert_allclose(one[col], three[col], rtol=1e-12, atol=1e-12)


def test_fit_imputed_model_different_copies_rubin_se_exceeds_within():
    data = cohort()
    rng = np.random.default_rng(5)
    copies = [data.assign(honos=data["honos"] + rng.normal(0, 2, len(data))) for _ in range(4)]
    pooled = fit_imputed_model(copies, SPEC).summary.set_index("term")
    within = np.mean([np.sqrt(np.diag(f.model.cov))[2] for f in
                      fit_imputed_model(copies, SPEC).fits])
    assert pooled.loc["honos", "se"] > within and pooled.loc["honos", "fmi"] > 0


def test_pool_performance_identical_copies_equal_performance():
    data = cohort()
    risk = fit_prediction_model(data, SPEC).frozen.predict_risk(data)
    one = performance(data["y"], risk).summary.set_index("measure")
    pooled = pool_performance([data["y"]] * 3, [risk] * 3).summary.set_index("measure")
    np.testing.assert_allclose(pooled["estimate"], one["estimate"], rtol=1e-9)
    for m in ("slope", "citl", "oe_ratio"):
        assert pooled.loc[m, "ci_lower"] == pytest.approx(one.loc[m, "ci_lower"], rel=1e-6)
    # C pooled on the logit scale: a delta-method interval, not DeLong's symmetric one
    assert pooled.loc["c", "ci_lower"] < one.loc["c", "estimate"] < pooled.loc["c", "ci_upper"]


def test_performance_recalibration_intercept_wald_interval_against_statsmodels():
    # the intercept a of logit P(y) = a + b lp, with the Wald interval of that one fit
    # (the slope's), as statsmodels' Logit gives it: the temporal-validation table showed
    # it without an interval until wave 39
    import statsmodels.api as sm

    data = cohort()
    risk = np.clip(fit_prediction_model(data, SPEC).frozen.predict_risk(data) * 1.2,
                   1e-6, 1 - 1e-6)
    lp = np.log(risk / (1 - risk))
    fit = sm.Logit(data["y"].to_numpy(float), sm.add_constant(lp)).fit(disp=0, tol=1e-12)
    low, high = fit.conf_int()[0]
    row = performance(data["y"], risk).summary.set_index("measure").loc[
        "recalibration_intercept"]
    np.testing.assert_allclose([row["estimate"], row["ci_lower"], row["ci_upper"]],
                               [fit.params[0], low, high], rtol=1e-7)


def _differing_copies():
    """The cohort, five predicted risks from copies whose HoNOS differs by noise, and
    their pooled performance (by measure)."""
    data = cohort()
    model = fit_prediction_model(data, SPEC).frozen
    rng = np.random.default_rng(2)
    risks = [model.predict_risk(data.assign(honos=data["honos"] + rng.normal(0, 3, len(data))))
             for _ in range(5)]
    pooled = pool_performance([data["y"]] * 5, risks).summary.set_index("measure")
    return data, risks, pooled


def test_pool_performance_recalibration_intercept_pooled_by_rubins_rules():
    data, risks, pooled = _differing_copies()
    tables = [performance(data["y"], r).summary.set_index("measure") for r in risks]
    z = 1.959963984540054
    estimates = np.array([t.loc["recalibration_intercept", "estimate"] for t in tables])
    within = np.mean([((t.loc["recalibration_intercept", "ci_upper"]
                        - t.loc["recalibration_intercept", "ci_lower"]) / (2 * z)) ** 2
                      for t in tables])
    total = within + (1 + 1 / 5) * estimates.var(ddof=1)
    row = pooled.loc["recalibration_intercept"]
    assert row["estimate"] == pytest.approx(estimates.mean(), abs=1e-12)
    # Rubin's t on its degrees of freedom: wider than the normal limits of the total
    assert row["ci_upper"] - row["ci_lower"] >= 2 * z * np.sqrt(total) * (1 - 1e-9)
    assert row["ci_lower"] < row["estimate"] < row["ci_upper"]


def test_pool_performance_differing_copies_mean_estimate_and_wider_interval():
    data, risks, pooled = _differing_copies()
    slopes = [performance(data["y"], r).value("slope") for r in risks]
    assert pooled.loc["slope", "estimate"] == pytest.approx(np.mean(slopes), abs=1e-12)
    single = performance(data["y"], risks[0]).summary.set_index("measure")
    assert (pooled.loc["slope", "ci_upper"] - pooled.loc["slope", "ci_lower"]
            > single.loc["slope", "ci_upper"] - single.loc["slope", "ci_lower"])


def test_bootstrap_validation_imputed_one_copy_equals_bootstrap_validation():
    data = cohort(800)
    a = bootstrap_validation(data, SPEC, n_boot=20, seed=3)
    b = bootstrap_validation_imputed([data], SPEC, n_boot=20, seed=3)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_bootstrap_validation_imputed_calibration_curve_averages_the_copies():
    # MI-boot's calibration curve: each copy's at the first copy's grid (seed + i), the
    # curves averaged, samples summed, the error summaries averaged
    data, other = cohort(500, seed=4), cohort(500, seed=5)
    pooled = bootstrap_validation_imputed([data, other], SPEC, n_boot=20, seed=3,
                                          calibrate=True).calibration
    a = bootstrap_validation(data, SPEC, n_boot=10, seed=3, calibrate=True).calibration
    grid = a.curve["predicted"].to_numpy()
    b = bootstrap_validation(other, SPEC, n_boot=10, seed=4, calibrate=True,
                             grid=grid).calibration
    np.testing.assert_array_equal(pooled.curve["predicted"], grid)
    for column in ("apparent", "optimism", "corrected"):
        np.testing.assert_allclose(pooled.curve[column],
                                   (a.curve[column] + b.curve[column]) / 2, rtol=1e-12)
    np.testing.assert_array_equal(pooled.curve["samples"],
                                  a.curve["samples"] + b.curve["samples"])
    assert pooled.errors["mean_absolute"] == pytest.approx(
        (a.errors["mean_absolute"] + b.errors["mean_absolute"]) / 2, rel=1e-12)
    assert not np.allclose(a.curve["apparent"], b.curve["apparent"])


def test_impute_predictors_seeded_observed_values_kept_and_outcome_not_left_behind():
    data = cohort(600)
    data.loc[data.index % 4 == 0, "honos"] = np.nan
    a = impute_predictors(data, impute=["honos"], predictors=["age"], outcome_col="y",
                          m=3, seed=9)
    b = impute_predictors(data, impute=["honos"], predictors=["age"], outcome_col="y",
                          m=3, seed=9)
    for left, right in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(left, right)
        assert list(left.columns) == list(data.columns)
        assert not left["honos"].isna().any()
    observed = data["honos"].notna()
    np.testing.assert_array_equal(a[0].loc[observed, "honos"], data.loc[observed, "honos"])
    assert not np.array_equal(a[0]["honos"], a[1]["honos"])


def test_fit_imputed_model_no_copies_raises():
    with pytest.raises(ValueError, match="no imputed copies"):
        fit_imputed_model([], SPEC)


def test_fit_ridge_model_cv_chooses_grid_penalty_and_shrinks_towards_zero():
    from lifetools.prediction.penalised import PENALTY_GRID, fit_ridge_model

    data = cohort(400, seed=4)
    ridge = fit_ridge_model(data, SPEC, folds=5)
    assert ridge.penalty in PENALTY_GRID and len(ridge.cv) == len(PENALTY_GRID)
    assert ridge.cv["deviance"].min() == ridge.cv.set_index("penalty").loc[
        ridge.penalty, "deviance"]
    unpenalised = fit_ridge_model(data, SPEC, penalty=0.0).frozen
    heavy = fit_ridge_model(data, SPEC, penalty=100.0).frozen
    assert np.abs(heavy.coefficients).sum() < np.abs(unpenalised.coefficients).sum()
    assert heavy.shrinkage < 1 and unpenalised.shrinkage == pytest.approx(1.0)
    ml = fit_prediction_model(data, SPEC, shrinkage="none").frozen
    np.testing.assert_allclose(unpenalised.coefficients, ml.coefficients, rtol=1e-6)


def test_crisis_spec_too_few_honos_leaves_honos_out_and_nothing_imputed():
    from lifetools.reports.crisis_parts import (
        crisis_spec,
        imputed_cohort,
        with_missing_predictors,
    )

    rng = np.random.default_rng(1)
    n = 200
    data = pd.DataFrame({c: rng.integers(0, 2, n) for c in
                         ("female", "white", "imd_q1", "community_team", "life_rooms",
                          "prior_ae", "prior_admissions", "crisis")}).assign(
        age=rng.uniform(18, 80, n), years_in_care=rng.uniform(0, 5, n),
        honos=rng.normal(12, 4, n), honos_recorded=(np.arange(n) < 9).astype(int))
    data = with_missing_predictors(data)
    assert data["honos"].notna().sum() == 9
    spec = crisis_spec(data)
    assert "honos" not in spec.columns
    copies = imputed_cohort(data, spec, m=5, seed=1)
    assert len(copies) == 1
    data.loc[:120, "honos_recorded"] = 1  # 100 or more: the spline's knots (wave 44)
    data["honos"] = rng.normal(12, 4, n)
    data = with_missing_predictors(data)
    spec = crisis_spec(data)
    assert "honos" in spec.splines and "honos" not in spec.linear
    copies = imputed_cohort(data, spec, m=3, seed=1)
    assert len(copies) == 3 and not copies[0]["honos"].isna().any()


def test_fit_ridge_model_constant_column_never_crashes_the_choice():
    # a column constant in the development data: the unpenalised fit has no maximum, so
    # penalty 0 is not a candidate (it raised LinAlgError in a 3,000-person build)
    from lifetools.prediction.penalised import fit_ridge_model

    data = cohort()
    data = data.assign(flag=(data.index == data.index[0]).astype(float))
    spec = ModelSpec("y", splines={"age": 3}, linear=("honos", "flag"))
    model = fit_ridge_model(data, spec, folds=5)  # one training fold has flag all 0
    assert model.penalty > 0
    assert np.isinf(model.cv.set_index("penalty").loc[0.0, "deviance"])


def test_crisis_unknown_sex_ethnicity_and_area_are_missing_and_imputed_not_reference():
    # unknown ethnicity, area and sex were coded "not White", "not quintile 1" and
    # male, and the missing-data table said "none missing" (issue 19, wave 43)
    from crisis_unknowns import crisis_like

    from lifetools.reports.crisis_parts import (
        UNKNOWN_COLUMN,
        crisis_spec,
        imputed_cohort,
        imputed_predictors,
        missing_table,
        with_missing_predictors,
    )

    raw = crisis_like()
    data = with_missing_predictors(raw)
    for col, group, unknown in (("female", "sex", "Other or not known"),
                                ("white", "ethnic_group", "Not known"),
                                ("imd_q1", "imd_quintile", "Not known"),
                                ("honos", "honos_recorded", 0)):
        assert data[col].isna().tolist() == (raw[group] == unknown).tolist(), col
        known = raw[group] != unknown
        assert data.loc[known, col].tolist() == raw.loc[known, col].astype(float).tolist()
    spec = crisis_spec(data)
    assert imputed_predictors(data, spec) == ["honos", "female", "white", "imd_q1"]
    copies = imputed_cohort(data, spec, m=3, seed=1)
    assert len(copies) == 3
    for copy in copies:
        for col in ("female", "white", "imd_q1"):
            assert not copy[col].isna().any() and set(copy[col].unique()) <= {0.0, 1.0}
            known = data[col].notna()
            assert copy.loc[known, col].tolist() == data.loc[known, col].tolist()
    # some unknown ethnic group imputed White: not every unknown to the reference
    imputed = pd.concat([c.loc[data["white"].isna(), "white"] for c in copies])
    assert 0 < imputed.mean() < 1
    table = missing_table(data, data, spec=spec, m=3,
                          fmi={"female": .01, "white": .05, "imd_q1": .02, "honos": .3}
                          ).set_index("predictor")
    ethnic = table.loc["White ethnic group"]
    assert ethnic["missing, development"] == (raw["ethnic_group"] == "Not known").sum() > 0
    assert ethnic["handling"] == "multiple imputation (3 copies)"
    assert ethnic[UNKNOWN_COLUMN] == "ethnic category not stated or not known, or blank"
    assert ethnic["fraction of missing information"] == "0.05"
    age = table.loc["Age (years)"]
    assert age["handling"] == "none missing" and age[UNKNOWN_COLUMN] == "never missing"


def test_crisis_missing_sentence_names_what_was_imputed_or_says_nothing_was():
    # the page said "HoNOS is missing for many people" by hand while unknown sex,
    # ethnic group and area were counted in reference categories (issue 19, wave 43)
    from crisis_unknowns import crisis_like

    from lifetools.reports.crisis_parts import (
        crisis_spec,
        missing_sentence,
        with_missing_predictors,
    )

    data = with_missing_predictors(crisis_like())
    spec = crisis_spec(data)
    text = str(missing_sentence(data, data, spec, copies=10))
    # in the model's order: HoNOS's spline comes before the linear predictors
    assert text.startswith("The HoNOS score, sex, ethnic group and the area's deprivation "
                           "are not known for some people")
    assert "filled in 10 times" in text and "never" not in text
    known = data.assign(female=data["female"].fillna(0), imd_q1=data["imd_q1"].fillna(0),
                        honos=data["honos"].fillna(1))
    assert str(missing_sentence(known, known, spec, copies=10)).startswith(
        "Ethnic group is not known for some people")
    complete = known.assign(white=known["white"].fillna(1))
    assert str(missing_sentence(complete, complete, spec, copies=1)) == (
        "No predictor value is missing in either cohort: nothing is imputed.")
