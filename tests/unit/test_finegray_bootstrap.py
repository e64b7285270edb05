"""The person-level bootstrap of a Fine-Gray model: seeding, point estimates, limits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec
from lifetools.prediction.time_to_event import fit_fine_gray_risk
from lifetools.survival import fit_fine_gray
from lifetools.survival.finegray import breslow_baseline
from lifetools.survival.finegray_bootstrap import (
    bootstrap_fine_gray,
    fine_gray_incidence,
)

DATA = pd.read_csv(Path(__file__).parents[1] / "reference" / "data"
                   / "fine_gray_noties.csv")
ARGS = {"duration_col": "etime", "event_col": "event", "event_of_interest": 1,
        "covariates": ["age", "male"]}
PROFILES = pd.DataFrame({"age": [45.0, 60.0], "male": [1.0, 0.0]})


@pytest.fixture(scope="module")
def boot():
    return bootstrap_fine_gray(DATA, **ARGS, seed=11, replicates=20, profiles=PROFILES,
                               times=[5, 20])


def test_bootstrap_fine_gray_same_seed_same_bytes_other_seed_differs(boot):
    again = bootstrap_fine_gray(DATA, **ARGS, seed=11, replicates=20, profiles=PROFILES,
                                times=[5, 20])
    assert again.draws.to_numpy().tobytes() == boot.draws.to_numpy().tobytes()
    pd.testing.assert_frame_equal(again.summary, boot.summary)
    other = bootstrap_fine_gray(DATA, **ARGS, seed=12, replicates=20, profiles=PROFILES,
                                times=[5, 20])
    assert not np.array_equal(other.draws.to_numpy(), boot.draws.to_numpy())


def test_bootstrap_fine_gray_point_estimates_are_the_data_fit(boot):
    fit = fit_fine_gray(DATA, **ARGS, ties="breslow")
    np.testing.assert_allclose(boot.summary["coef"], fit.summary["coef"], rtol=1e-12)
    risk = fit_fine_gray_risk(DATA, ModelSpec("unused", linear=("age", "male")),
                              duration_col="etime", event_col="event", horizon=20)
    at_20 = boot.incidence[boot.incidence["time"] == 20]["estimate"].to_numpy()
    np.testing.assert_allclose(at_20, risk.frozen.predict_risk(PROFILES), rtol=1e-10)
    assert list(boot.incidence["profile"]) == [0, 0, 1, 1]
    assert boot.n_people == len(DATA) and boot.n_events == int((DATA["event"] == 1).sum())


def test_bootstrap_fine_gray_limits_are_percentiles_of_the_draws(boot):
    draws = boot.draws
    low, high = np.quantile(draws[["age", "male"]].to_numpy(), [0.025, 0.975], axis=0)
    np.testing.assert_allclose(boot.summary["ci_lower"], np.exp(low), rtol=1e-14)
    np.testing.assert_allclose(boot.summary["ci_upper"], np.exp(high), rtol=1e-14)
    np.testing.assert_allclose(boot.summary["se"], draws[["age", "male"]].std(ddof=1),
                               rtol=1e-14)
    column = draws["cif_1_20"].to_numpy()
    row = boot.incidence.iloc[3]
    assert (row["profile"], row["time"]) == (1, 20.0)
    assert row["ci_lower"] == pytest.approx(np.quantile(column, 0.025), rel=1e-14)
    assert row["ci_upper"] == pytest.approx(np.quantile(column, 0.975), rel=1e-14)
    assert np.all(boot.incidence["ci_lower"] < boot.incidence["estimate"])
    assert np.all(boot.incidence["estimate"] < boot.incidence["ci_upper"])


def test_bootstrap_fine_gray_samples_without_events_are_counted_and_left_out():
    # 30 people, two events of interest: a sample draws none with probability
    # (28/30)^30 = 0.13, one (a monotone likelihood: no maximum) with probability 0.27
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"etime": rng.permutation(np.arange(1.0, 31.0)),
                         "event": [1, 1] + [2] * 8 + [0] * 20,
                         "age": rng.normal(50, 10, 30), "male": rng.integers(0, 2, 30)})
    result = bootstrap_fine_gray(data, **ARGS, seed=1, replicates=30)
    assert 0 < result.failed < 30
    assert result.draws["age"].isna().sum() == result.failed
    assert f"{result.failed} of 30 bootstrap samples left out" in result.warnings[-1]
    ok = result.draws["age"].dropna().to_numpy()
    assert result.summary["se"].iloc[0] == pytest.approx(ok.std(ddof=1), rel=1e-14)


def test_bootstrap_fine_gray_refuses_bad_arguments():
    with pytest.raises(ValueError, match="replicates"):
        bootstrap_fine_gray(DATA, **ARGS, seed=1, replicates=1)
    with pytest.raises(ValueError, match="without profiles"):
        bootstrap_fine_gray(DATA, **ARGS, seed=1, replicates=5, times=[5])
    with pytest.raises(ValueError, match="missing"):
        fine_gray_incidence(DATA, **ARGS, profiles=pd.DataFrame(
            {"age": [np.nan], "male": [1.0]}), times=[5])


def _loop_baseline(rows: pd.DataFrame, lp: np.ndarray, horizon: float) -> float:
    """The crisis-risk model's former one-horizon loop (``_breslow_at``)."""
    start = rows["fg_start"].to_numpy(dtype=float)
    stop = rows["fg_stop"].to_numpy(dtype=float)
    status = rows["fg_status"].to_numpy() == 1
    weight = rows["fg_weight"].to_numpy(dtype=float) * np.exp(lp)
    total = 0.0
    for t in np.unique(stop[status & (stop <= horizon)]):
        events = float(rows["fg_weight"].to_numpy(dtype=float)[status & (stop == t)].sum())
        total += events / float(weight[(start < t) & (stop >= t)].sum())
    return total


def test_breslow_baseline_is_the_former_loop_bit_for_bit():
    # the crisis-risk model publishes log H0 at full precision: the shared baseline
    # must give the loop's bytes at every horizon, many horizons in one call
    fit = fit_fine_gray(DATA, **ARGS, ties="breslow")
    rows = fit.model
    lp = rows[["age", "male"]].to_numpy(dtype=float) @ fit.summary["coef"].to_numpy()
    horizons = [0.0, 1.0, 5.0, 12.5, 20.0, 1e6]
    many = breslow_baseline(rows, lp, horizons)
    loop = [_loop_baseline(rows, lp, h) for h in horizons]
    assert many.tolist() == loop  # exact equality, not closeness
    assert many[0] == 0.0 and np.all(np.diff(many) >= 0)
    assert breslow_baseline(rows, lp, [20.0, 5.0]).tolist() == [loop[4], loop[2]]
