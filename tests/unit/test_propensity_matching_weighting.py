"""Matching and weighting on the propensity score, their standardised mean differences,
and the weighted difference-in-differences (``regression/propensity.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.regression import (
    balance_table,
    estimate_did,
    match_on_propensity,
    standardised_differences,
    weight_by_propensity,
)


def test_matching_is_deterministic_and_balances():
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.normal(size=n)
    treated = (rng.random(n) < 1 / (1 + np.exp(-(x - 1.5)))).astype(float)
    df = pd.DataFrame({"person_id": [f"p{i:04d}" for i in range(n)], "x": x,
                       "user": treated})
    a = match_on_propensity(df, treatment_col="user", covariates=["x"])
    b = match_on_propensity(df.sample(frac=1, random_state=1), treatment_col="user",
                            covariates=["x"])
    assert sorted(a.data["person_id"]) == sorted(b.data["person_id"])
    assert abs(a.balance["smd_before"].iloc[0]) > 0.5
    assert a.max_abs_smd_after < 0.1


def test_smd_after_uses_unmatched_pooled_sd():
    before = pd.DataFrame({"user": [1, 1, 1, 1, 0, 0, 0, 0],
                           "x": [0.0, 2.0, 4.0, 6.0, 0.0, 1.0, 2.0, 3.0]})
    after = before.iloc[[1, 2, 5, 6]]      # users 2, 4; controls 1, 2
    sd = np.sqrt((before["x"][:4].var() + before["x"][4:].var()) / 2)
    smd = standardised_differences(after, treatment_col="user", covariates=["x"],
                                   reference=before)
    assert smd["x"] == pytest.approx((3.0 - 1.5) / sd)
    table = balance_table(before, after, treatment_col="user", covariates=["x"])
    assert table["smd_after"].iloc[0] == pytest.approx((3.0 - 1.5) / sd)
    assert table["smd_before"].iloc[0] == pytest.approx((3.0 - 1.5) / sd)


def test_weights_att_and_ate_balance_a_confounder():
    rng = np.random.default_rng(6)
    x = rng.normal(size=4000)
    user = (rng.random(4000) < 1 / (1 + np.exp(-(x - 1.5)))).astype(float)
    df = pd.DataFrame({"person_id": np.arange(4000), "x": x, "user": user})
    att = weight_by_propensity(df, treatment_col="user", covariates=["x"])
    assert att.method["estimand"] == "att"
    assert (att.data.loc[att.data["user"] == 1, "weight"] == 1.0).all()
    assert abs(att.balance["smd_before"].iloc[0]) > 0.5
    assert att.max_abs_smd_after < 0.1
    ate = weight_by_propensity(df, treatment_col="user", covariates=["x"],
                               estimand="ate")
    assert ate.max_abs_smd_after < 0.1
    with pytest.raises(ValueError):
        weight_by_propensity(df, treatment_col="user", covariates=["x"], estimand="x")


def test_att_weights_do_not_inflate_unlikely_non_users_of_a_rare_exposure():
    # a rare exposure (about 1%) concentrated in one group, as Life Rooms use is
    rng = np.random.default_rng(8)
    n = 20000
    group = (rng.random(n) < 0.1).astype(float)
    user = (rng.random(n) < np.where(group == 1, 0.06, 0.004)).astype(float)
    df = pd.DataFrame({"person_id": np.arange(n), "group": group, "user": user})
    att = weight_by_propensity(df, treatment_col="user", covariates=["group"])
    controls = att.data[att.data["user"] == 0]
    expected = controls["propensity"] / (1 - controls["propensity"])
    assert np.allclose(controls["weight"], expected)
    assert controls["propensity"].min() < 0.01  # small scores are kept as they are
    assert att.max_abs_smd_after < 0.01


def test_weighted_did_is_ratio_of_weighted_rate_ratios_with_cluster_sandwich():
    rng = np.random.default_rng(7)
    n = 300
    person = np.repeat(np.arange(n), 2)
    after = np.tile([0, 1], n)
    user = np.repeat((rng.random(n) < 0.4).astype(float), 2)
    weight = np.repeat(rng.uniform(0.2, 3.0, n), 2)
    years = rng.uniform(0.3, 1.0, 2 * n)
    frailty = np.repeat(rng.gamma(2.0, 0.5, n), 2)
    ae = rng.poisson(years * frailty * np.exp(0.2 + 0.3 * user - 0.2 * user * after))
    periods = pd.DataFrame({"person_id": person, "after": after, "user": user,
                            "weight": weight, "person_years": years, "ae": ae})
    result = estimate_did(periods, outcome_col="ae", weights_col="weight")

    def rate(u, a):
        m = (user == u) & (after == a)
        return (weight[m] * ae[m]).sum() / (weight[m] * years[m]).sum()

    expected = rate(1, 1) / rate(1, 0) / (rate(0, 1) / rate(0, 0))
    assert result.estimate("did")[0] == pytest.approx(expected, rel=1e-8)
    # cluster sandwich by hand: H^-1 B H^-1 x G/(G-1) x (N-1)/(N-K)
    x = np.column_stack([np.ones(2 * n), user, after, user * after])
    fit = result.model
    mu = fit.fittedvalues.to_numpy()
    bread = np.linalg.inv((x * (weight * mu)[:, None]).T @ x)
    scores = pd.DataFrame(x * (weight * (ae - mu))[:, None]).groupby(person).sum()
    meat = scores.to_numpy().T @ scores.to_numpy()
    v = bread @ meat @ bread * n / (n - 1) * (2 * n - 1) / (2 * n - 4)
    np.testing.assert_allclose(fit.bse.to_numpy(), np.sqrt(np.diag(v)), rtol=1e-8)
