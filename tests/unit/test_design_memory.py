"""Issue 16 memory: the emergency-care analysis holds fewer copies, with the same bits.

Each change is checked two ways: the numbers are bit-identical to the way they were
computed before (statsmodels on ``sm.add_constant`` designs, ``DataFrame.merge``,
plain IRLS fits), and the copies are gone (the fitted model's design is the design
frame's own memory; a traced peak, with the automatic garbage collector off, below a
bound the old code exceeded). No timings.
"""

from __future__ import annotations

import gc
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from lifetools.cohort import CohortSpec, build_person_time
from lifetools.regression import (
    calibration,
    estimate_did,
    fit_logistic,
    fit_poisson,
    fit_propensity,
    match_on_propensity,
)
from lifetools.regression.design import design_frame
from lifetools.reports.comparison import _by_person
from lifetools.reports.emergency import inner_merge
from lifetools.synthetic import generate_dataset


def _peak(func) -> tuple[int, object]:
    """Traced peak (bytes) of ``func()`` above what was allocated before, collector off."""
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = func()
        return tracemalloc.get_traced_memory()[1] - before, result
    finally:
        tracemalloc.stop()
        gc.enable()


def _people(n: int = 30_000, covariates: int = 12, seed: int = 16) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(covariates)})
    frame["flag"] = (rng.random(n) < 0.3).astype(float)
    frame["count"] = pd.array(rng.integers(0, 4, n), dtype="Int64")
    risk = 1 / (1 + np.exp(2.5 - 0.4 * frame["x0"] + 0.3 * frame["flag"]))
    frame.insert(0, "person_id", pd.array(rng.permutation(n), dtype="Int64"))
    frame["user"] = (rng.random(n) < risk).astype(float)
    frame["group"] = np.where(frame["user"] == 1, "Life Rooms users", "Comparison pool")
    return frame


def _shares(model) -> bool:
    """Whether statsmodels' ``exog`` is the design frame it was given (no copy)."""
    return np.shares_memory(model.exog, model.data.orig_exog.to_numpy())


def test_design_frame_is_add_constant_in_one_block_statsmodels_does_not_copy():
    df = _people(500)
    df.loc[3, "count"] = pd.NA
    columns = ["x0", "flag", "count"]
    old = sm.add_constant(df[columns].astype(float), has_constant="add")
    new = design_frame(df, columns)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert new._mgr.nblocks == 1 and np.isnan(new.loc[3, "count"])
    assert np.asarray(new).flags["F_CONTIGUOUS"] == np.asarray(old).flags["F_CONTIGUOUS"]
    assert np.shares_memory(np.asarray(new), new.to_numpy())
    rows = (df["flag"] == 1).to_numpy()
    pd.testing.assert_frame_equal(
        design_frame(df, columns, rows=rows),
        sm.add_constant(df.loc[rows, columns].astype(float), has_constant="add"),
        check_exact=True)


def test_fit_logistic_same_bits_as_add_constant_fit_and_keeps_one_design():
    df = _people()
    covariates = ["x0", "x1", "flag", "count"]
    result = fit_logistic(df, outcome_col="user", covariates=covariates)
    x = sm.add_constant(df[covariates].astype(float), has_constant="add")
    plain = sm.Logit(df["user"].astype(float), x).fit(disp=0, maxiter=200)
    assert np.array_equal(result.model.params, plain.params)
    assert np.array_equal(result.model.bse, plain.bse)
    assert _shares(result.model.model)  # before: the frame and a copy as exog


@pytest.mark.slow  # a traced peak on 60,000 people: test tiers, DEVELOPERS.md
def test_calibration_fits_free_their_iterations_same_bits_lower_peak():
    rng = np.random.default_rng(3)
    predicted = rng.uniform(0.05, 0.6, 60_000)
    outcome = (rng.random(60_000) < predicted ** 1.3).astype(float)

    def plain():  # calibration's two fits before (plain IRLS)
        logit = np.log(predicted / (1 - predicted))
        large = sm.GLM(outcome, np.ones((len(outcome), 1)), family=sm.families.Binomial(),
                       offset=logit).fit()
        slope = sm.GLM(outcome, sm.add_constant(logit, has_constant="add"),
                       family=sm.families.Binomial()).fit()
        return float(large.params[0]), float(slope.params[1])

    old_peak, old = _peak(plain)
    new_peak, new = _peak(lambda: calibration(outcome, predicted))
    assert new[:2] == old
    assert new_peak < 0.6 * old_peak, (new_peak, old_peak)


@pytest.mark.slow  # a traced peak on generated people: test tiers, DEVELOPERS.md
def test_fit_propensity_and_matching_copy_no_person_frame():
    df = _people()
    covariates = [f"x{i}" for i in range(12)] + ["flag"]
    peak, model = _peak(lambda: fit_propensity(df, treatment_col="user",
                                               covariates=covariates))
    x = sm.add_constant(df[covariates].astype(float), has_constant="add")
    plain = sm.Logit(df["user"], x).fit(disp=0, maxiter=200)
    assert np.array_equal(model.model.params, plain.params)
    assert np.array_equal(model.scores, plain.predict(x))
    assert _shares(model.model.model)
    frame = int(df.memory_usage(deep=True).sum())
    # before (3.2 times the frame): a copy of every column for the people inside the
    # support, the covariates, their float copy, the design and statsmodels' copy
    assert peak < 2.5 * frame, (peak, frame)
    peak, matched = _peak(lambda: match_on_propensity(
        df, treatment_col="user", covariates=covariates, model=model))
    # before (2.4 times the frame): the controls sorted with every column
    assert peak < 1.2 * frame, (peak, frame)
    assert matched.method["matched_pairs"] > 1000


def test_estimate_did_weighted_same_bits_as_two_block_design_and_no_exog_copy():
    rng = np.random.default_rng(5)
    n = 4000
    periods = pd.DataFrame({
        "person_id": np.repeat(np.arange(n), 2), "after": np.tile([0, 1], n),
        "user": np.repeat((rng.random(n) < 0.3).astype(float), 2),
        "person_years": rng.uniform(0.2, 1.0, 2 * n),
        "weight": np.repeat(rng.uniform(0.05, 3.0, n), 2)})
    periods["ae"] = rng.poisson(periods["person_years"] * (0.5 + 0.2 * periods["after"]))
    result = estimate_did(periods, outcome_col="ae", weights_col="weight")
    x = pd.DataFrame({"const": 1.0, "life_rooms": periods["user"],
                      "after": periods["after"].astype(float)})
    x["did"] = x["life_rooms"] * x["after"]  # the design as estimate_did built it before
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = sm.GLM(periods["ae"].astype(float), x, family=sm.families.Poisson(),
                       offset=np.log(periods["person_years"]),
                       var_weights=periods["weight"]).fit(
            cov_type="cluster", cov_kwds={"groups": periods["person_id"].to_numpy()})
    assert np.array_equal(result.model.params, plain.params)
    assert np.array_equal(result.model.bse, plain.bse)
    assert _shares(result.model.model)
    poisson = fit_poisson(periods, outcome_col="ae", person_time_col="person_years",
                          covariates=["user"])
    assert _shares(poisson.model.model)


def test_inner_merge_equals_merge_then_assign():
    rng = np.random.default_rng(9)
    left = pd.DataFrame({
        "person_id": pd.array(rng.integers(0, 300, 2000), dtype="Int64"),
        "group": rng.choice(["a", "b", None], 2000),
        "start": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 99, 2000),
                                                              unit="D"),
        "ae": rng.integers(0, 3, 2000)}, index=rng.permutation(2000) + 7)
    left.loc[left.index[:20], "person_id"] = pd.NA
    right = pd.DataFrame({
        "person_id": pd.array(rng.integers(0, 300, 400), dtype="Int64"),
        "group": rng.choice(["a", "b", None], 400), "age": rng.normal(size=400),
        "team": rng.choice(["A06", "none"], 400),
        "count": pd.array(rng.integers(0, 5, 400), dtype="Int64")})
    right.loc[:5, "person_id"] = pd.NA
    keys = ["person_id", "group"]  # duplicates on both sides, missing keys, no match
    extra = {"any_ae": (left["ae"] > 0).astype(float)}
    expected = left.merge(right, on=keys).assign(
        any_ae=lambda f: (f["ae"] > 0).astype(float))
    pd.testing.assert_frame_equal(inner_merge(left, right, on=keys, extra=extra),
                                  expected, check_exact=True, check_index_type=True)
    # sides sharing a column that is not a key: merge's own suffixes
    clash = right.rename(columns={"age": "ae"})
    pd.testing.assert_frame_equal(
        inner_merge(left, clash, on=keys, extra=extra),
        left.merge(clash, on=keys).assign(any_ae=lambda f: (f["ae_x"] > 0).astype(float)),
        check_exact=True)


@pytest.mark.slow  # a traced peak on 60,000 people: test tiers, DEVELOPERS.md
def test_inner_merge_lower_peak_than_merge():
    df = _people(60_000, covariates=16)
    periods = pd.DataFrame({"person_id": df["person_id"], "group": df["group"],
                            "user": df["user"], "ae": np.arange(len(df)) % 3})
    keys = ["person_id", "group", "user"]
    right = df.drop(columns=["count"])
    old_peak, old = _peak(lambda: periods.merge(right, on=keys))
    new_peak, new = _peak(lambda: inner_merge(periods, right, on=keys))
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert new_peak < 0.6 * old_peak, (new_peak, old_peak)


def test_by_person_maps_as_set_index_without_keeping_a_copy():
    df = _people(2000)
    ids = pd.Series(pd.array(np.r_[np.arange(2000)[::-3], 5000], dtype="Int64"))
    expected = ids.map(df.set_index("person_id")["user"])
    pd.testing.assert_series_equal(ids.map(_by_person(df, "user")), expected,
                                   check_exact=True)
    assert np.shares_memory(_by_person(df, "user").to_numpy(), df["user"].to_numpy())


@pytest.fixture(scope="module")
def synthetic():
    # in memory: the tables, values and types of writing and loading the files
    # (tests/unit/test_generate_dataset.py), without writing, linking and reading them
    # (the test's CPU with the fixture 2.79 s before, 2.58 s after: wave 45, issue 11)
    return generate_dataset(5000, 7)


@pytest.mark.slow  # a traced peak on 5,000 generated people: test tiers, DEVELOPERS.md
def test_build_person_time_peak_under_twice_its_result(synthetic):
    spec = CohortSpec("2024-04-01", "2025-03-31")
    build_person_time(synthetic, spec)  # the engine made and the queries compiled
    peak, result = _peak(lambda: build_person_time(synthetic, spec))
    gc.collect()
    tracemalloc.start()
    kept = build_person_time(synthetic, spec)
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    pd.testing.assert_frame_equal(kept.people, result.people, check_exact=True)
    # before: every intermediate frame was alive at the end, 2.6 times the result
    assert peak < 2 * size, (peak, size)
