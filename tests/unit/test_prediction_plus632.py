"""The .632+ bootstrap estimate (Efron and Tibshirani 1997) beside Harrell's correction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lifetools.prediction import ModelSpec, bootstrap_validation, fit_prediction_model
from lifetools.prediction.validation import plus632_estimate


def test_plus632_estimate_overfit_c_weighs_out_of_bag_by_relative_overfitting():
    # A 0.8, O 0.6, no information 0.5: R = 0.2 / 0.3, w = 0.632 / (1 - 0.368 R),
    # estimate (1 - w) A + w O (Efron and Tibshirani 1997, eq. 29-32), by hand 0.632509
    rate = 0.2 / 0.3
    weight = 0.632 / (1 - 0.368 * rate)
    expected = (1 - weight) * 0.8 + weight * 0.6
    assert expected == pytest.approx(0.632509, abs=1e-6)
    assert plus632_estimate(0.8, 0.6, 0.5, higher_better=True) == pytest.approx(expected,
                                                                               abs=1e-14)


def test_plus632_estimate_brier_lower_is_better_same_weights():
    # an error: apparent 0.15, out-of-bag 0.21, no information 0.24: R = 0.06 / 0.09
    rate = 0.06 / 0.09
    weight = 0.632 / (1 - 0.368 * rate)
    assert plus632_estimate(0.15, 0.21, 0.24, higher_better=False) == pytest.approx(
        (1 - weight) * 0.15 + weight * 0.21, abs=1e-14)


def test_plus632_estimate_out_of_bag_below_no_information_clipped():
    # O' = max(O, 0.5): R' = 1, estimate .632 O + .368 O' (0.4684), not the apparent 0.7
    assert plus632_estimate(0.7, 0.45, 0.5, higher_better=True) == pytest.approx(
        0.632 * 0.45 + 0.368 * 0.5, abs=1e-14)


def test_plus632_estimate_no_overfitting_plain_632():
    # out-of-bag better than apparent: R' = 0, the .632 estimator
    assert plus632_estimate(0.7, 0.72, 0.5, higher_better=True) == pytest.approx(
        0.368 * 0.7 + 0.632 * 0.72, abs=1e-14)


def data(seed: int = 3, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (rng.random(n) < 1 / (1 + np.exp(-(x[:, 0] - 0.5)))).astype(float)
    return pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=y)


def test_bootstrap_validation_plus632_out_of_bag_c_by_hand_harrell_unchanged():
    frame = data()
    spec = ModelSpec("y", linear=("a", "b", "c"))
    rng = np.random.default_rng(8)
    samples = [rng.integers(0, len(frame), len(frame)) for _ in range(5)]
    plain = bootstrap_validation(frame, spec, samples=samples)
    plus = bootstrap_validation(frame, spec, samples=samples, plus632=True)
    assert "oob" not in plain.summary and "corrected_632plus" not in plain.summary
    pd.testing.assert_frame_equal(plain.summary, plus.summary[plain.summary.columns])
    y = frame["y"].to_numpy()
    oob_c = []
    for rows in samples:
        lp = fit_prediction_model(frame.iloc[rows], spec).frozen.linear_predictor(frame)
        out = ~np.isin(np.arange(len(frame)), rows)
        m = y[out].sum()
        ranks = stats.rankdata(np.asarray(lp)[out])
        oob_c.append((ranks[y[out] == 1].sum() - m * (m + 1) / 2) / (m * (out.sum() - m)))
    table = plus.summary.set_index("index")
    assert table.loc["c", "oob"] == pytest.approx(np.mean(oob_c), abs=1e-12)
    assert table.loc["c", "corrected_632plus"] == pytest.approx(plus632_estimate(
        table.loc["c", "apparent"], np.mean(oob_c), 0.5, higher_better=True), abs=1e-12)
    assert np.isnan(table.loc["slope", "corrected_632plus"])
    assert table.loc["c", "oob"] < table.loc["c", "apparent"]
    assert (table.loc["brier", "apparent"] < table.loc["brier", "corrected_632plus"]
            <= table.loc["brier", "oob"])
