"""Matching by Mahalanobis distance within the propensity caliper (issue 13)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.regression import fit_propensity, match_on_propensity


def frail(seed: int, n: int = 4000) -> pd.DataFrame:
    """Use depends on an unrecorded frailty ``u``; the baseline count ``b`` only
    proxies it (as baseline A&E does in the synthetic data)."""
    rng = np.random.default_rng(seed)
    x, u = rng.normal(size=n), rng.normal(size=n)
    user = rng.random(n) < 1 / (1 + np.exp(-(-3 + x + 1.5 * u)))
    return pd.DataFrame({"person_id": [f"p{i:04d}" for i in range(n)], "x": x,
                         "b": rng.poisson(np.exp(u)), "team": rng.integers(0, 2, n),
                         "user": user.astype(float)})


def greedy_by_hand(df: pd.DataFrame, covariates: list[str], mahalanobis: list[str],
                   caliper: float = 0.2) -> list[tuple[str, str]]:
    """The definition, by brute force: each user (decreasing score, then id) takes the
    unused non-user within the caliper with the smallest Mahalanobis distance (pooled
    within-group covariance of the logit score and ``mahalanobis``), then smallest id."""
    ps = fit_propensity(df, treatment_col="user", covariates=covariates).scores
    logit = np.log(ps / (1 - ps)).to_numpy()
    points = np.column_stack([logit, df[mahalanobis].to_numpy(float)])
    user = df["user"].to_numpy() == 1
    centred = points.copy()
    for group in (user, ~user):
        centred[group] -= points[group].mean(axis=0)
    inverse = np.linalg.inv(centred.T @ centred)
    width = caliper * logit.std(ddof=1)
    ids = df["person_id"].to_numpy()
    free = set(np.flatnonzero(~user))
    pairs = []
    for i in sorted(np.flatnonzero(user), key=lambda i: (-logit[i], ids[i])):
        near = [j for j in free if abs(logit[j] - logit[i]) <= width]
        if not near:
            continue
        delta = points[near] - points[i]
        distance = np.einsum("ij,jk,ik->i", delta, inverse, delta)
        j = min(zip(distance, ids[near], near, strict=True))[2]
        free.remove(j)
        pairs.append((ids[i], ids[j]))
    return pairs


@pytest.mark.parametrize("seed", [1, 2])
def test_each_user_takes_the_nearest_unused_control_by_mahalanobis_distance(seed):
    df = frail(seed, n=600)
    covariates = ["x", "b", "team"]
    matched = match_on_propensity(df, treatment_col="user", covariates=covariates,
                                  mahalanobis=["b", "team"])
    got = matched.data.sort_values(["pair", "user"], ascending=[True, False])
    pairs = list(zip(got["person_id"].iloc[::2], got["person_id"].iloc[1::2],
                     strict=True))
    assert pairs == greedy_by_hand(df, covariates, ["b", "team"])
    assert matched.method["distance"] == ("Mahalanobis (pooled within-group "
                                          "covariance): logit propensity score, b, team")


def pair_gap(matched, col: str) -> float:
    """Mean absolute difference of ``col`` within the matched pairs."""
    pairs = matched.data.sort_values(["pair", "user"])[col].to_numpy()
    return float(np.abs(pairs[1::2] - pairs[::2]).mean())


def test_mahalanobis_on_a_proxy_of_frailty_balances_what_the_score_alone_leaves():
    # the score alone leaves b too high among users at seeds 0 to 11 (+0.025 to
    # +0.087); with b in the distance |SMD| is at most 0.016 and pairs are 6 times closer
    df = frail(8)
    plain = match_on_propensity(df, treatment_col="user", covariates=["x", "b"])
    closer = match_on_propensity(df, treatment_col="user", covariates=["x", "b"],
                                 mahalanobis=["b"])
    before = plain.balance.set_index("covariate")["smd_after"]
    after = closer.balance.set_index("covariate")["smd_after"]
    assert before["b"] > 0.07 and abs(after["b"]) < 0.01
    assert closer.max_abs_smd_after < 0.05 < plain.max_abs_smd_after
    assert pair_gap(closer, "b") < pair_gap(plain, "b") / 5
    assert closer.method["matched_pairs"] == plain.method["matched_pairs"]


def test_mahalanobis_matching_does_not_depend_on_row_order():
    df = frail(3, n=1500)
    a = match_on_propensity(df, treatment_col="user", covariates=["x", "b", "team"],
                            mahalanobis=["b", "team"])
    b = match_on_propensity(df.sample(frac=1, random_state=4), treatment_col="user",
                            covariates=["x", "b", "team"], mahalanobis=["b", "team"])
    assert sorted(zip(a.data["person_id"], a.data["pair"], strict=True)) == sorted(
        zip(b.data["person_id"], b.data["pair"], strict=True))
    assert a.method["matched_pairs"] > 100


def test_mahalanobis_covariate_outside_the_score_is_an_error():
    with pytest.raises(ValueError, match="among the score's covariates; not: team"):
        match_on_propensity(frail(1, n=300), treatment_col="user", covariates=["x"],
                            mahalanobis=["team"])


def test_method_names_only_the_covariates_the_distance_used():
    # a covariate constant among the people inside the support is left out of the
    # distance; the method record (and the page's sentence made from it) still named
    # it (review of wave 42)
    df = frail(3, n=600).assign(flag=1.0)
    matched = match_on_propensity(df, treatment_col="user", covariates=["x", "b", "flag"],
                                  mahalanobis=["b", "flag"])
    assert matched.method["mahalanobis"] == ("b",)
    assert matched.method["distance"].endswith("logit propensity score, b")
