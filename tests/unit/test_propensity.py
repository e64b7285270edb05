"""A propensity model that cannot be used stops matching, weighting and the DiD."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from lifetools.regression import (
    estimate_propensity,
    fit_propensity,
    match_on_propensity,
    weight_by_propensity,
)
from lifetools.regression.design import design_frame


def people(n: int = 400, *, separated: bool = False, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    user = x > 0.5 if separated else rng.random(n) < 1 / (1 + np.exp(1 - x))
    return pd.DataFrame({"person_id": [f"p{i:04d}" for i in range(n)], "x": x,
                         "user": user.astype(float)})


def test_fit_propensity_converged_model_has_no_failure():
    model = fit_propensity(people(), treatment_col="user", covariates=["x"])
    assert model.converged and model.failure is None
    assert model.scores.between(0, 1, inclusive="neither").all()


def jointly_separated(n: int = 400, seed: int = 1) -> pd.DataFrame:
    """Users are those with x + w > 0: each covariate overlaps alone, not together."""
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"person_id": [f"p{i:04d}" for i in range(n)], "x": x, "w": w,
                         "user": (x + w > 0).astype(float)})


def test_fit_propensity_separated_groups_sets_failure():
    df = jointly_separated()
    model = fit_propensity(df, treatment_col="user", covariates=["x", "w"])
    assert not model.converged and model.outside_support == ()
    assert model.failure == "the propensity model did not converge in 200 iterations"
    assert any("converge" in w for w in model.warnings)
    with pytest.raises(ValueError, match="cannot be used: the propensity model"):
        estimate_propensity(df, treatment_col="user", covariates=["x", "w"])


def test_fit_propensity_one_covariate_separating_completely_says_so():
    model = fit_propensity(people(separated=True), treatment_col="user",
                           covariates=["x"])
    assert model.failure.startswith("users and non-users do not overlap")


def test_fit_propensity_iteration_limit_sets_failure():
    model = fit_propensity(people(), treatment_col="user", covariates=["x"], maxiter=1)
    assert not model.converged
    assert model.failure == "the propensity model did not converge in 1 iterations"


def test_fit_propensity_missing_covariate_cites_row_not_person():
    df = people()
    df.loc[[5, 9], "x"] = np.nan
    model = fit_propensity(df, treatment_col="user", covariates=["x"])
    assert model.failure == "2 people have no value of x (first at row 6)"
    assert model.model is None
    assert "p0005" not in model.failure


def test_matching_and_weighting_separated_groups_return_failure_not_a_design():
    df = jointly_separated()
    matched = match_on_propensity(df, treatment_col="user", covariates=["x", "w"])
    weighted = weight_by_propensity(df, treatment_col="user", covariates=["x", "w"])
    for design in (matched, weighted):
        assert design.failure.startswith("the propensity model did not converge")
        assert design.data.empty
        assert design.balance["smd_before"].iloc[0] > 1
        assert np.isnan(design.max_abs_smd_after)


def test_estimate_did_cell_without_events_is_not_estimable():
    from lifetools.regression import estimate_did

    rng = np.random.default_rng(2)
    n = 200
    periods = pd.DataFrame({
        "person_id": np.repeat([f"p{i:03d}" for i in range(n)], 2),
        "user": np.repeat((np.arange(n) < 100).astype(float), 2),
        "after": np.tile([0, 1], n), "person_years": 1.0,
        "ae": rng.poisson(1.0, 2 * n), "weight": 1.0})
    assert estimate_did(periods, outcome_col="ae").estimable
    periods.loc[(periods["user"] == 1) & (periods["after"] == 1), "ae"] = 0
    for weights in (None, "weight"):
        result = estimate_did(periods, outcome_col="ae", weights_col=weights)
        assert not result.estimable
        # the reason is published beside the cell's hidden count: it must not say
        # which group and period had none (that would show the hidden zero)
        assert result.reason == ("too few events in a group and period to estimate a "
                                 "ratio of rate ratios")


def test_matching_and_weighting_given_a_model_reuse_it_with_the_same_result(monkeypatch):
    df = people()
    model = fit_propensity(df, treatment_col="user", covariates=["x"])
    expected = (match_on_propensity(df, treatment_col="user", covariates=["x"]),
                weight_by_propensity(df, treatment_col="user", covariates=["x"]))

    def refit(*args, **kwargs):
        raise AssertionError("the given model was fitted again")

    monkeypatch.setattr("lifetools.regression.propensity.fit_propensity", refit)
    got = (match_on_propensity(df, treatment_col="user", covariates=["x"], model=model),
           weight_by_propensity(df, treatment_col="user", covariates=["x"], model=model))
    for before, after in zip(expected, got, strict=True):
        pd.testing.assert_frame_equal(before.data, after.data)
        pd.testing.assert_frame_equal(before.balance, after.balance)


def test_weighting_data_is_assign_frame_over_the_inputs_own_values():
    """``data`` equals ``df.assign(propensity=..., weight=...)`` (columns, order, dtypes,
    values, index) without copying ``df``'s columns (issue 16: a copy of every column
    of every person was held with the result); with people outside the support it
    holds only those inside, as before."""
    df = people()
    weighted = weight_by_propensity(df, treatment_col="user", covariates=["x"])
    model = fit_propensity(df, treatment_col="user", covariates=["x"])
    ps = model.scores.clip(upper=0.99)
    expected = df.assign(propensity=ps, weight=np.where(df["user"] == 1, 1.0,
                                                        ps / (1 - ps)))
    pd.testing.assert_frame_equal(weighted.data, expected, check_exact=True)
    assert np.shares_memory(weighted.data["x"].to_numpy(), df["x"].to_numpy())
    # a column named like a new one keeps its place, as ``assign`` keeps it
    renamed = df.assign(weight=0.0)[["weight", "person_id", "x", "user"]]
    data = weight_by_propensity(renamed, treatment_col="user", covariates=["x"]).data
    assert list(data.columns) == ["weight", "person_id", "x", "user", "propensity"]
    assert data["weight"][renamed["user"] == 1].eq(1.0).all()


@pytest.mark.parametrize("covariates", [["x"], ["x", "w"]])
def test_fit_propensity_scores_equal_statsmodels_logit_with_its_rank_check(covariates):
    # fit_propensity skips statsmodels' rank check (it sets only degrees of freedom):
    # the scores must stay those of the checked fit, to the last bit
    df = people().assign(w=lambda f: np.round(f["x"] * 3) % 2)
    model = fit_propensity(df, treatment_col="user", covariates=covariates)
    x = design_frame(df, covariates)  # the design fit_propensity fits, same layout
    checked = sm.Logit(df["user"].astype(float), x).fit(disp=0, maxiter=200)
    assert model.model.model.df_model == checked.model.df_model
    np.testing.assert_array_equal(model.scores.to_numpy(), checked.predict(x).to_numpy())




def collinear(n: int, seed: int, random_users: bool) -> pd.DataFrame:
    """x2 = 2 x: a singular design, whose fit raises or not by rounding."""
    frame = people(n, seed=seed)
    if random_users:  # users unrelated to x (statsmodels' Newton step then raises)
        frame["user"] = (np.random.default_rng(seed).random(n) < 0.4).astype(float)
    return frame.assign(x2=lambda f: 2 * f["x"])


@pytest.mark.parametrize(("n", "seed", "random_users"), [(200, 1, True), (400, 1, False)])
def test_fit_propensity_of_a_singular_design_does_as_statsmodels_checked_fit(
        n, seed, random_users):
    # without the rank check a collinear design fails where the checked fit fails (a
    # singular matrix) and is fitted to the same scores where rounding lets it through
    df = collinear(n, seed, random_users)
    x = design_frame(df, ["x", "x2"])
    try:
        checked = sm.Logit(df["user"].astype(float), x).fit(disp=0, maxiter=200)
    except np.linalg.LinAlgError:
        with pytest.raises(np.linalg.LinAlgError):
            fit_propensity(df, treatment_col="user", covariates=["x", "x2"])
        assert random_users  # the case meant to raise did
        return
    model = fit_propensity(df, treatment_col="user", covariates=["x", "x2"])
    np.testing.assert_array_equal(model.scores.to_numpy(), checked.predict(x).to_numpy())
