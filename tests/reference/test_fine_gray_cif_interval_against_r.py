"""Predicted cumulative incidence of a Fine-Gray model and its interval against R.

Expected values: tests/reference/results/reference_fine_gray_cif_interval.json, produced
by tests/reference/R/make_reference_fine_gray_cif_interval.R (R 4.2.2, survival 3.5-3,
cmprsk 2.2-11) on MASS's Melanoma (public; tests/reference/data/melanoma_competing.csv:
death from melanoma the event, death from other causes competing; no event time equals
a censoring time, so ``crr`` and ``finegray`` + ``coxph`` are the same estimator):
``cmprsk::crr`` + ``predict.crr`` for the point incidence, and ``finegray`` +
``coxph(ties = "breslow", cluster = id)`` + ``survfit(conf.type = "log-log")`` for the
interval. R is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec
from lifetools.prediction.cif_interval import (
    _fit_terms,
    cif_interval,
    pooled_cif_interval,
)
from lifetools.prediction.time_to_event import (
    fit_fine_gray_risk,
    pool_fine_gray_risk,
)
from lifetools.survival.finegray import breslow_baseline

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_fine_gray_cif_interval.json").read_text())
MELANOMA = pd.read_csv(HERE / "data" / "melanoma_competing.csv")
SPEC = ModelSpec("unused", linear=("age", "sex", "thickness", "ulcer"))
NEW = pd.DataFrame(R["new"])


def _fit(column: int):
    return fit_fine_gray_risk(MELANOMA, SPEC, duration_col="time", event_col="event",
                              horizon=R["horizons"][column])


@pytest.mark.parametrize("column", [0, 1, 2])
def test_fine_gray_point_incidence_melanoma_against_cmprsk_predict_crr(column):
    # predict.crr at 1000, 2000, 3000 days for three profiles: 1e-8 relative
    # (measured 3e-15); crr's coefficients (gtol 1e-12) to 1e-8 (measured 1e-15)
    assert R["converged"]
    fit = _fit(column)
    np.testing.assert_allclose(fit.summary["coef"], R["crr_coef"], rtol=0, atol=1e-8)
    expected = np.array(R["crr_cif"])[:, column]
    np.testing.assert_allclose(fit.frozen.predict_risk(NEW), expected, rtol=1e-8)
    table = cif_interval(fit, NEW)
    np.testing.assert_allclose(table["estimate"], expected, rtol=1e-8)


@pytest.mark.parametrize("column", [0, 1, 2])
def test_cif_interval_melanoma_against_r_survfit(column):
    # survfit.coxph on the robust finegray fit, log-log limits: 1e-8 relative (measured
    # 6e-15); its std.err is of 1 - incidence: (1 - F) H se(log H)
    fit = _fit(column)
    table = cif_interval(fit, NEW)
    robust = R["robust"]
    cif = table["estimate"].to_numpy()
    se_surv = (1 - cif) * -np.log1p(-cif) * table["se_cloglog"].to_numpy()
    np.testing.assert_allclose(se_surv, np.array(robust["se_surv"])[:, column], rtol=1e-8)
    np.testing.assert_allclose(table["ci_lower"], np.array(robust["ci_lower"])[:, column],
                               rtol=1e-8)
    np.testing.assert_allclose(table["ci_upper"], np.array(robust["ci_upper"])[:, column],
                               rtol=1e-8)
    # the reference discriminates: the model-based covariance gives other errors
    model_based = np.array(R["model_based"]["se_surv"])[:, column]
    assert np.all(np.abs(se_surv / model_based - 1) > 1e-3)


def test_cif_interval_naive_is_narrower_and_group_of_one_is_the_profile():
    fit = _fit(1)
    full = cif_interval(fit, NEW)
    naive = cif_interval(fit, NEW, uncertainty="coefficients")
    assert np.all(naive["se_cloglog"] < full["se_cloglog"])
    np.testing.assert_array_equal(naive["estimate"], full["estimate"])
    grouped = cif_interval(fit, NEW, groups=["a", "b", "c"])
    assert list(grouped["group"]) == ["a", "b", "c"]
    np.testing.assert_allclose(grouped[["estimate", "ci_lower", "ci_upper"]],
                               full[["estimate", "ci_lower", "ci_upper"]], rtol=1e-12)


def test_cif_interval_group_mean_matches_numerical_delta_method():
    # a group's mean incidence: the analytic gradient equals finite differences of the
    # mean over (b, baseline) on the same variance (coefficient part only, baseline
    # known) -- checked through the naive variance D' V D
    fit = _fit(1)
    group = cif_interval(fit, NEW, groups=[0, 0, 0], uncertainty="coefficients")
    frozen = fit.frozen.model
    coef = np.array(frozen.coefficients)
    x = NEW[list(SPEC.linear)].to_numpy(dtype=float)
    rows = fit.model.model
    names = [f"x{i}" for i in range(4)]

    def mean_cif(b):
        base = breslow_baseline(rows, rows[names].to_numpy(dtype=float) @ b, [2000])[0]
        return np.mean(1 - np.exp(-base * np.exp(x @ b)))

    step = 1e-6
    grad = np.array([(mean_cif(coef + step * e) - mean_cif(coef - step * e)) / (2 * step)
                     for e in np.eye(4)])
    cov = _fit_terms(fit)[2]  # the robust covariance
    g = mean_cif(coef)
    expected = np.sqrt(grad @ cov @ grad) / ((1 - g) * -np.log1p(-g))
    np.testing.assert_allclose(group["estimate"], g, rtol=1e-10)
    np.testing.assert_allclose(group["se_cloglog"], expected, rtol=1e-5)


def test_pooled_cif_interval_one_profile_is_the_pooled_model():
    # two "copies" (the data and its thickness rounded): Rubin's point = pooled model
    other = MELANOMA.assign(thickness=MELANOMA["thickness"].round())
    fits = [_fit(1), fit_fine_gray_risk(other, SPEC, duration_col="time",
                                        event_col="event", horizon=2000)]
    table = pooled_cif_interval(fits, NEW)
    np.testing.assert_allclose(table["estimate"],
                               pool_fine_gray_risk(fits).predict_risk(NEW), rtol=1e-10)
    single = [cif_interval(f, NEW) for f in fits]
    assert np.all(table["se_cloglog"] >= np.min([s["se_cloglog"] for s in single], axis=0))
