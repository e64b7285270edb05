"""Common support of the propensity designs: an indicator level that only one group has
(a locality with no users) separates the groups, so the logistic fit never converges.
Its people are left out, the fit converges, and the page says so in words."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from lifetools.disclosure.profiles import PROFILES, use_profile
from lifetools.disclosure.text import numbers_in
from lifetools.regression import (
    OutsideSupport,
    common_support,
    fit_propensity,
    match_on_propensity,
    weight_by_propensity,
)
from lifetools.reports.comparison import support_sentence


def people(n: int = 600, *, empty_level: str | None = "users", seed: int = 3
           ) -> pd.DataFrame:
    """People with age, one locality indicator and use; ``empty_level`` names the group
    that no one at ``locality_x == 1`` belongs to (``None``: both groups there)."""
    rng = np.random.default_rng(seed)
    age = rng.normal(0, 1, n)
    local = (rng.random(n) < 0.1).astype(float)
    user = (rng.random(n) < 1 / (1 + np.exp(-(-2.0 + 0.8 * age)))).astype(float)
    if empty_level == "users":
        user[local == 1] = 0.0
    elif empty_level == "non-users":
        user[local == 1] = 1.0
    return pd.DataFrame({"person_id": [f"p{i:04d}" for i in range(n)], "age": age,
                         "locality_x": local, "user": user})


COVARIATES = ["age", "locality_x"]
NO_USERS_THERE = OutsideSupport("locality_x", "above", 0.0, "users", True)


def test_fit_propensity_level_without_users_converges_without_that_level():
    df = people()
    model = fit_propensity(df, treatment_col="user", covariates=COVARIATES)
    # the former code fitted everyone: locality_x's coefficient ran to minus infinity
    assert model.failure is None and model.converged
    assert model.outside_support == (NO_USERS_THERE,)
    assert (~model.inside).sum() == (df["locality_x"] == 1).sum()
    assert model.scores[~model.inside].isna().all()
    assert model.scores[model.inside].between(0, 1, inclusive="neither").all()
    assert model.covariates == ("age",)
    # the other coefficients are the fit on the people inside the support
    kept = df[df["locality_x"] == 0]
    direct = sm.Logit(kept["user"], sm.add_constant(kept[["age"]])).fit(disp=0)
    np.testing.assert_allclose(model.model.params.to_numpy(), direct.params.to_numpy(),
                               rtol=1e-10)


def test_fit_propensity_every_level_shared_keeps_everyone_and_the_same_scores():
    df = people(empty_level=None)
    model = fit_propensity(df, treatment_col="user", covariates=COVARIATES)
    assert model.support is None and model.outside_support == ()
    fit = sm.Logit(df["user"], sm.add_constant(df[COVARIATES])).fit(disp=0)
    np.testing.assert_array_equal(model.scores.to_numpy(), fit.predict().astype(float))


def test_match_on_propensity_level_without_users_matches_users_outside_that_level():
    df = people()
    matched = match_on_propensity(df, treatment_col="user", covariates=COVARIATES)
    assert matched.failure is None
    assert matched.method["matched_pairs"] > 0.9 * df["user"].sum()
    assert (matched.data["locality_x"] == 0).all()
    assert matched.method["outside_support"] == (NO_USERS_THERE,)
    assert matched.method["outside_support_people"] == (df["locality_x"] == 1).sum()


def test_weight_by_propensity_level_without_users_weights_only_people_inside():
    df = people()
    weighted = weight_by_propensity(df, treatment_col="user", covariates=COVARIATES)
    assert weighted.failure is None
    assert len(weighted.data) == (df["locality_x"] == 0).sum()
    assert weighted.data["weight"].notna().all()
    # balance is measured against everyone: locality_x differed before, not after
    balance = weighted.balance.set_index("covariate")
    assert abs(balance.loc["locality_x", "smd_before"]) > 0.2
    assert balance.loc["locality_x", "smd_after"] == 0


def test_common_support_level_without_non_users_leaves_those_users_out():
    df = people(empty_level="non-users")
    inside, outside = common_support(df, treatment_col="user", covariates=COVARIATES)
    assert outside == (OutsideSupport("locality_x", "above", 0.0, "non-users", True),)
    assert not inside[df["locality_x"] == 1].any() and inside[df["locality_x"] == 0].all()


def test_common_support_repeats_until_every_level_holds_both_groups():
    # once locality_x's people go, team_y's remaining people are all non-users
    df = people().assign(team_y=0.0)
    local = df.index[df["locality_x"] == 1]
    df.loc[local[:5], "team_y"] = 1.0
    inside, outside = common_support(df, treatment_col="user",
                                     covariates=["age", "locality_x", "team_y"])
    assert outside == (NO_USERS_THERE,)
    assert inside.sum() == (df["locality_x"] == 0).sum()


def test_fit_propensity_no_shared_level_fails_in_words():
    df = people(n=40).assign(user=lambda d: d["locality_x"])
    df.loc[0, "locality_x"], df.loc[0, "user"] = 1.0, 1.0
    model = fit_propensity(df, treatment_col="user", covariates=COVARIATES)
    assert model.failure == ("users and non-users do not overlap on a recorded "
                             "characteristic (complete separation), so the groups "
                             "cannot be compared")


def test_common_support_continuous_covariate_users_all_at_the_lowest_value():
    # every user had no baseline admissions (4,000 people, seed 1, 2024-25): the
    # non-users with any were beyond every user, and the fit diverged
    df = people(empty_level=None).assign(admissions=0.0)
    non_users = df.index[df["user"] == 0]
    df.loc[non_users[::4], "admissions"] = 1.5
    model = fit_propensity(df, treatment_col="user",
                           covariates=["age", "locality_x", "admissions"])
    assert model.failure is None
    assert model.outside_support == (
        OutsideSupport("admissions", "above", 0.0, "users", False),)
    assert (~model.inside).sum() == len(non_users[::4])


@pytest.mark.parametrize(("record", "words"), [
    (OutsideSupport("locality_unknown", "above", 0.0, "users", True),
     "No Life Rooms user had \"Locality not known\", so the non-users with it"),
    (OutsideSupport("team_a06", "below", 1.0, "users", True),
     "Every Life Rooms user had \"In a community mental health team\", so the non-users "
     "without it"),
    (OutsideSupport("locality_unknown", "above", 0.0, "non-users", True),
     "Everyone with \"Locality not known\" used the Life Rooms, so these users"),
    (OutsideSupport("team_a06", "below", 1.0, "non-users", True),
     "Every non-user had \"In a community mental health team\", so the users without"),
    (OutsideSupport("baseline_admissions", "above", 0.0, "users", False),
     "No Life Rooms user had a value of \"Emergency admissions per year (baseline "
     "window)\" above the lowest among non-users, so the non-users above it"),
    (OutsideSupport("baseline_ae", "below", 2.0, "non-users", False),
     "No non-user had a value of \"A&E attendances per year (baseline window)\" below "
     "the highest among users, so the users below it"),
])
def test_support_sentence_each_case_says_who_was_left_out_without_numbers(
        record, words, monkeypatch):
    # under a profile without the group disclosure rule the characteristic is named
    loose = dataclasses.replace(PROFILES["default"], name="loose", group_disclosure=False)
    monkeypatch.setitem(PROFILES, "loose", loose)
    with use_profile("loose"):
        text = support_sentence([record])
    assert text.startswith(words) and "left out of the comparison" in text
    assert numbers_in(text) == []


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_support_sentence_under_group_disclosure_names_no_characteristic_of_a_group(
        profile):
    # "Every Life Rooms user had \"White ethnic group\"" (10 users, the emergency page
    # of a 3,000-person build) states every user's ethnic group: group disclosure
    records = [OutsideSupport("ethnic_white", "below", 1.0, "users", True),
               OutsideSupport("baseline_admissions", "above", 0.0, "users", False),
               OutsideSupport("locality_unknown", "above", 0.0, "non-users", True)]
    with use_profile(profile):
        text = support_sentence(records)
    assert text == (
        "Some non-users had a recorded characteristic that no Life Rooms user shared, so "
        "they were left out of the comparison: none of them could be compared with a "
        "user. Some Life Rooms users had a recorded characteristic that no non-user "
        "shared, so they were left out of the comparison: no non-user could be compared "
        "with them.")
    for words in ("ethnic", "White", "admissions", "Locality", "Every", "No Life"):
        assert words not in text


def test_support_sentence_no_one_left_out_is_empty():
    assert support_sentence([]) == ""
