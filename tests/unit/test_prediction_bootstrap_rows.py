"""Harrell's bootstrap with the default development takes each sample's design as rows of
the original data's (issue 16: the crisis-risk report's bootstraps built it three times
a sample): the same numbers, bit for bit, as developing each sample from its own rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, bootstrap_validation, fit_prediction_model
from lifetools.prediction import model as model_module
from lifetools.prediction import validation as validation_module
from lifetools.prediction.intervals import two_stage_interval


def cohort(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 90, n)
    honos = rng.normal(12, 5, n)
    female = (rng.random(n) < 0.5).astype(float)
    group = np.where(rng.random(n) < 0.5, "a", "b")
    group[7] = "rare"  # one person: about a third of the samples miss this level
    lp = -1.2 + 0.0004 * (age - 50) ** 2 + 0.08 * (honos - 12) + 0.3 * female
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return pd.DataFrame({"age": age, "honos": honos, "female": female, "group": group,
                         "y": y})


SPEC = ModelSpec("y", splines={"age": 4}, linear=("honos", "female"),
                 categorical=("group",), interactions=(("honos", "female"),))
PLAIN = ModelSpec("y", splines={"age": 4, "honos": 3}, linear=("female",))


def per_sample(spec: ModelSpec, shrinkage: str):
    """The default development, given as a procedure: each sample developed from its
    own rows (the path the bootstrap took for every sample before)."""
    def develop(data, knots):
        return fit_prediction_model(data, spec, shrinkage=shrinkage, knots=knots).frozen
    return develop


def assert_bit_for_bit(fast, slow) -> None:
    """Two bootstraps' summaries, per-sample indexes, counts and calibration curves are
    the same to the bit."""
    pd.testing.assert_frame_equal(fast.summary, slow.summary, check_exact=True)
    assert fast.training.tobytes() == slow.training.tobytes()
    assert (fast.n_boot, fast.n_failed, fast.n_unreliable) == (
        slow.n_boot, slow.n_failed, slow.n_unreliable)
    pd.testing.assert_frame_equal(fast.calibration.curve, slow.calibration.curve,
                                  check_exact=True)


@pytest.mark.parametrize("spec", [SPEC, pytest.param(PLAIN, marks=pytest.mark.slow)],
                         ids=["categorical", "splines"])  # splines: the slow tier
def test_rows_of_the_original_design_give_the_per_sample_numbers_bit_for_bit(spec):
    data = cohort()
    fast = bootstrap_validation(data, spec, n_boot=40, seed=5, shrinkage="heuristic",
                                plus632=True, calibrate=True)
    slow = bootstrap_validation(data, spec, n_boot=40, seed=5, shrinkage="heuristic",
                                plus632=True, calibrate=True,
                                develop=per_sample(spec, "heuristic"))
    assert_bit_for_bit(fast, slow)
    if spec is SPEC:  # samples without the rare level fail as before (a level unseen)
        assert 0 < fast.n_failed < 40


def separated(n: int = 300, seed: int = 4) -> pd.DataFrame:
    """A cohort whose six flagged people all have the outcome: every sample holding one
    of them is quasi-completely separated (the flag's coefficient runs off)."""
    data = cohort(n, seed)
    data["flag"] = 0.0
    data.loc[data.index[:6], ["flag", "y"]] = [1.0, 1]
    return data


FLAGGED = ModelSpec("y", splines={"age": 3}, linear=("honos", "flag"),
                    categorical=("group",))


def counting(monkeypatch, name: str, module, *also) -> list[int]:
    """Replace ``module.name`` (and the same name in ``also``, where bound) by a wrapper
    recording the rows of each call's first argument; returns the record."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(frame, *args, **kwargs):
        calls.append(len(frame))
        return real(frame, *args, **kwargs)

    for each in (module, *also):
        monkeypatch.setattr(each, name, counted, raising=each is module)
    return calls


def test_a_sample_missing_a_level_fails_without_being_fitted(monkeypatch):
    fits = counting(monkeypatch, "fit_prediction_model", validation_module)
    result = bootstrap_validation(cohort(), SPEC, n_boot=40, seed=5, shrinkage="heuristic")
    assert 0 < result.n_failed < 40  # the samples without the rare level
    assert fits == [400]  # the original data's fit only (before: one more per failure)


# the default shrinkage in `make check`, every other case in the slow tier (test tiers:
# DEVELOPERS.md)
@pytest.mark.parametrize(("data", "spec", "shrinkage"), [
    (cohort(), SPEC, "heuristic"), *(pytest.param(*case, marks=pytest.mark.slow) for case in (
        (cohort(), SPEC, "none"), (cohort(), PLAIN, "none"), (cohort(), SPEC, 0.8),
        (separated(), FLAGGED, "none"), (separated(), FLAGGED, 0.9),
        (separated(), FLAGGED, "heuristic")))],
    ids=["heuristic", "none", "none-splines", "number", "separated-none",
         "separated-number", "separated-heuristic"])
def test_every_shrinkage_gives_each_samples_own_design_numbers_bit_for_bit(
        data, spec, shrinkage, monkeypatch):
    # the default development both ways: each sample's design as rows of the original
    # data's, and (_DESIGN_AS_ROWS off) built from the sample's own rows, as before
    # wave 46; "none" and 1.0 are maximum likelihood (own-data calibration by definition)
    fast = bootstrap_validation(data, spec, n_boot=30, seed=7, shrinkage=shrinkage,
                                plus632=True, calibrate=True)
    monkeypatch.setattr(validation_module, "_DESIGN_AS_ROWS", False)
    slow = bootstrap_validation(data, spec, n_boot=30, seed=7, shrinkage=shrinkage,
                                plus632=True, calibrate=True)
    assert_bit_for_bit(fast, slow)
    assert fast.method == slow.method
    if spec is FLAGGED:  # separated samples are fitted, flagged, and kept
        assert fast.n_unreliable > 0


def test_the_design_is_built_once_per_bootstrap_not_per_sample(monkeypatch):
    calls = counting(monkeypatch, "_design", model_module, validation_module)
    bootstrap_validation(cohort(), PLAIN, n_boot=30, seed=5, shrinkage="heuristic")
    # the original fit's, its apparent linear predictor's and the one the samples'
    # rows are taken from: three, whatever the samples (before: three more per sample,
    # for the sample's fit and both of its linear predictors: 93 here)
    assert calls == [400, 400, 400]


def test_two_stage_interval_unchanged_by_the_rows_path():
    data = cohort()
    fast = two_stage_interval(data, PLAIN, n_outer=12, n_inner=5, seed=9,
                              shrinkage="heuristic")
    slow = two_stage_interval(data, PLAIN, n_outer=12, n_inner=5, seed=9,
                              shrinkage="heuristic",
                              develop=per_sample(PLAIN, "heuristic"))
    pd.testing.assert_frame_equal(fast.summary, slow.summary, check_exact=True)
    assert fast.corrected.tobytes() == slow.corrected.tobytes()
    assert (fast.n_failed, fast.n_inner_failed, fast.n_inner_unreliable) == (
        slow.n_failed, slow.n_inner_failed, slow.n_inner_unreliable)
