"""Intervals of the validation measures: Brier score, net benefit, optimism-corrected indexes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

from lifetools.prediction import ModelSpec, bootstrap_validation, fit_prediction_model
from lifetools.prediction.intervals import brier_interval, net_benefit_interval
from lifetools.prediction.validation import INDICES, _indices

# risks drawn from Beta(2, 5): expected Brier score of calibrated risks E[p(1 - p)]
A, B = 2.0, 5.0
PREVALENCE = A / (A + B)
TRUE_BRIER = PREVALENCE - A * (A + 1) / ((A + B) * (A + B + 1))  # 0.178571
THRESHOLD = 0.2


def true_net_benefit(t: float) -> float:
    """E[p 1(p >= t)] - t/(1-t) E[(1 - p) 1(p >= t)] for p ~ Beta(A, B), y ~ Bernoulli(p)."""
    above = 1 - special.betainc(A, B, t)
    true_positive = PREVALENCE * (1 - special.betainc(A + 1, B, t))
    return float(true_positive - t / (1 - t) * (above - true_positive))


def beta_cohort(seed: int, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.beta(A, B, n)
    return (rng.random(n) < p).astype(float), p


def test_brier_interval_hand_example_estimate_and_copies_averaged():
    y = np.array([1, 0, 0, 1, 0])
    p = np.array([0.9, 0.2, 0.4, 0.6, 0.1])
    # (0.01 + 0.04 + 0.16 + 0.16 + 0.01) / 5 = 0.076
    one = brier_interval(y, p, n_boot=50, seed=1)
    assert one.estimate == pytest.approx(0.076, abs=1e-15)
    assert one.ci_lower <= one.estimate <= one.ci_upper
    q = np.array([0.7, 0.3, 0.4, 0.5, 0.3])  # a second imputed copy: Brier 0.136
    both = brier_interval(y, [p, q], n_boot=50, seed=1)
    assert both.estimate == pytest.approx((0.076 + 0.136) / 2, abs=1e-15)


def test_brier_interval_percentiles_of_resampled_means_by_hand():
    y, p = beta_cohort(4, n=60)
    got = brier_interval(y, p, n_boot=30, seed=9)
    rng = np.random.default_rng(9)
    loss = (p - y) ** 2
    means = [loss[rng.integers(0, 60, 60)].mean() for _ in range(30)]
    assert (got.ci_lower, got.ci_upper) == pytest.approx(
        tuple(np.quantile(means, [0.025, 0.975])), abs=1e-15)


def test_net_benefit_interval_hand_example_vickers_formula():
    # 10 people, threshold 0.3 (odds 3/7): treated are risks >= 0.3, 4 true and 2 false
    # positives: 4/10 - 2/10 * 3/7 = 0.314286; treat all (5 events): 0.5 - 0.5 * 3/7
    y = np.array([1, 1, 1, 1, 0, 0, 1, 0, 0, 0])
    p = np.array([0.8, 0.6, 0.5, 0.3, 0.4, 0.35, 0.2, 0.1, 0.25, 0.05])
    table = net_benefit_interval(y, p, [0.3], n_boot=100, seed=2).iloc[0]
    assert table["model"] == pytest.approx(0.4 - 0.2 * 3 / 7, abs=1e-15)
    assert table["treat_all"] == pytest.approx(0.5 - 0.5 * 3 / 7, abs=1e-15)
    assert table["model_lower"] <= table["model"] <= table["model_upper"]


def test_net_benefit_interval_two_dimensional_risk_refused():
    with pytest.raises(ValueError, match="one risk per person"):
        net_benefit_interval(np.array([0, 1]), [np.array([0.2, 0.4])] * 2, [0.3])


def test_brier_and_net_benefit_intervals_beta_risks_cover_truth_miss_wrong_quantity():
    # 100 cohorts of 1,000 people: each interval covers the truth in at least 89 (95%
    # less 2.7 binomial SDs) and covers a wrong quantity (the no-information Brier score
    # 0.204; the true-positive rate without the false-positive penalty 0.243) in at most 5
    wrong_brier = PREVALENCE * (1 - PREVALENCE)
    wrong_net = PREVALENCE * (1 - special.betainc(A + 1, B, THRESHOLD))
    truth = true_net_benefit(THRESHOLD)
    assert truth == pytest.approx(0.140434, abs=1e-6)
    hits = np.zeros(4, dtype=int)
    for seed in range(100):
        y, p = beta_cohort(seed)
        brier = brier_interval(y, p, n_boot=400, seed=seed)
        net = net_benefit_interval(y, p, [THRESHOLD], n_boot=400, seed=seed).iloc[0]
        hits += [brier.ci_lower <= TRUE_BRIER <= brier.ci_upper,
                 brier.ci_lower <= wrong_brier <= brier.ci_upper,
                 net["model_lower"] <= truth <= net["model_upper"],
                 net["model_lower"] <= wrong_net <= net["model_upper"]]
    assert hits[0] >= 89 and hits[2] >= 89
    assert hits[1] <= 5 and hits[3] <= 5


def overfit_data(seed: int, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (rng.random(n) < 1 / (1 + np.exp(-(x[:, 0] - 0.5)))).astype(float)
    return pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=y)


def test_bootstrap_validation_interval_location_shifted_by_hand():
    # Noma et al. 2021 (predboot's C.Harrell_LSCI): percentiles of each sample's
    # apparent C, shifted by corrected - apparent
    frame = overfit_data(3)
    spec = ModelSpec("y", linear=("a", "b", "c"))
    rng = np.random.default_rng(8)
    samples = [rng.integers(0, len(frame), len(frame)) for _ in range(25)]
    boot = bootstrap_validation(frame, spec, samples=samples)
    train = []
    for rows in samples:
        data = frame.iloc[rows]
        model = fit_prediction_model(data, spec, shrinkage="none").frozen
        train.append(_indices(data["y"].to_numpy(), model.linear_predictor(data)))
    train = np.asarray(train)
    table = boot.summary.set_index("index")
    for name in ("c", "brier"):
        column = train[:, INDICES.index(name)]
        shift = table.loc[name, "corrected"] - table.loc[name, "apparent"]
        expected = np.quantile(column, [0.025, 0.975]) + shift
        assert boot.interval(name) == pytest.approx(tuple(expected), abs=1e-12)
    # a maximum-likelihood model's slope is 1 in its own data: no interval, not a point
    assert np.ptp(train[:, INDICES.index("slope")]) < 1e-9
    assert np.isnan(boot.interval("slope")).all()
    assert boot.interval("c")[0] < boot.corrected("c") < boot.interval("c")[1]
    plain = boot.summary.set_index("index").loc["c"]
    assert boot.interval("c")[1] < np.quantile(train[:, 0], 0.975)  # shifted down
    assert plain["optimism"] > 0


def test_two_stage_interval_percentiles_of_harrell_in_each_outer_sample_by_hand():
    # Noma et al. 2021, two-stage: each outer sample's Harrell-corrected indexes (inner
    # samples drawn from the outer sample), then type-7 percentiles over outer samples
    from lifetools.prediction.intervals import two_stage_interval, two_stage_samples

    frame = overfit_data(5)
    spec = ModelSpec("y", linear=("a", "b", "c"))
    got = two_stage_interval(frame, spec, n_outer=12, n_inner=4, seed=7)
    drawn = two_stage_samples(len(frame), n_outer=12, n_inner=4, seed=7)
    rng = np.random.default_rng(7)  # the draws: outer sample, then its inner samples
    assert (drawn[0][0] == rng.integers(0, len(frame), len(frame))).all()
    assert (drawn[0][1][0] == rng.integers(0, len(frame), len(frame))).all()
    by_hand = []
    for outer, inner in drawn:
        data = frame.iloc[outer].reset_index(drop=True)
        model = fit_prediction_model(data, spec, shrinkage="none").frozen
        apparent = _indices(data["y"].to_numpy(), model.linear_predictor(data))
        optimism = []
        for rows in inner:
            fit = fit_prediction_model(data.iloc[rows], spec, shrinkage="none").frozen
            optimism.append(_indices(data["y"].to_numpy()[rows],
                                     fit.linear_predictor(data.iloc[rows]))
                            - _indices(data["y"].to_numpy(), fit.linear_predictor(data)))
        by_hand.append(apparent - np.mean(optimism, axis=0))
    by_hand = np.asarray(by_hand)
    np.testing.assert_allclose(got.corrected, by_hand, atol=1e-12)
    for j, name in enumerate(INDICES):
        assert got.interval(name) == pytest.approx(
            tuple(np.quantile(by_hand[:, j], [0.025, 0.975])), abs=1e-12)
    # the calibration slope has an interval with width (the location-shifted one is
    # not defined for it), and its outer samples' corrected slopes lie below 1 on average
    # (this 120-person model is overfitted)
    low, high = got.interval("slope")
    assert 0 < low < high and high - low > 0.1
    assert by_hand[:, INDICES.index("slope")].mean() < 1


def test_two_stage_interval_copies_share_outer_samples_each_with_its_seed():
    from lifetools.prediction.intervals import two_stage_interval

    spec = ModelSpec("y", linear=("a", "b", "c"))
    copies = [overfit_data(5), overfit_data(6)]
    both = two_stage_interval(copies, spec, n_outer=20, n_inner=3, seed=4)
    first = two_stage_interval(copies[0], spec, n_outer=10, n_inner=3, seed=4)
    second = two_stage_interval(copies[1], spec, n_outer=10, n_inner=3, seed=5)
    assert both.n_outer == 20 and both.method["copies"] == 2
    np.testing.assert_array_equal(both.corrected,
                                  np.vstack([first.corrected, second.corrected]))


def test_mean_interval_hand_percentiles_and_brier_samples():
    from lifetools.prediction.intervals import mean_interval

    y, p = beta_cohort(11, n=80)
    mean, low, high = mean_interval(p, n_boot=40, seed=3)
    rng = np.random.default_rng(3)
    means = [p[rng.integers(0, 80, 80)].mean() for _ in range(40)]
    assert mean == pytest.approx(p.mean(), abs=1e-15)
    assert (low, high) == pytest.approx(tuple(np.quantile(means, [0.025, 0.975])),
                                        abs=1e-15)
    with pytest.raises(ValueError, match="one value per person"):
        mean_interval(np.ones((2, 3)))
