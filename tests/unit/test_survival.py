"""Survival units on tiny hand-written data: at risk, splitting, Aalen-Johansen, Cox."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.cohort import split_at_exposure
from lifetools.errors import StatisticalWarning
from lifetools.survival import (
    aalen_johansen,
    at_risk_table,
    estimate_cif,
    estimate_km,
    fit_cox,
    fit_cox_time_varying,
    fit_landmark,
)


def test_aalen_johansen_hand_example():
    # times 1 (cause 1), 2 (cause 2), 3 (censored), 4 (cause 1); n = 4
    # F1(1) = 1/4; S(1) = 3/4; F1(4) = 1/4 + S(3) * 1/1 with S(3) = 3/4 * 2/3 = 1/2
    times, cif, se, n = aalen_johansen(np.array([1, 2, 3, 4.]), np.array([1, 2, 0, 1]), 1)
    assert times.tolist() == [1, 2, 4]
    assert cif.tolist() == pytest.approx([0.25, 0.25, 0.75])
    assert n.tolist() == [4, 3, 1]


def test_aalen_johansen_delayed_entry_shrinks_risk_set():
    times, cif, _, n = aalen_johansen(np.array([2, 5.]), np.array([1, 1]), 1,
                                      entry=np.array([0, 3.]))
    assert n.tolist() == [1, 1]
    assert cif.tolist() == pytest.approx([1.0, 1.0])


def test_at_risk_table_with_entry():
    df = pd.DataFrame({"stop": [5, 10, 20], "entry": [0, 6, 0]})
    table = at_risk_table(df, duration_col="stop", times=[0, 7, 15], entry_col="entry")
    assert table["at_risk"].tolist() == [2, 2, 1]


def test_split_at_exposure_rows():
    data = pd.DataFrame({"person_id": ["a", "b", "c"], "entry": [0.0, 0.0, 5.0],
                         "duration": [10.0, 8.0, 9.0], "discharged": [1, 0, 1],
                         "exposure_day": [4.0, np.nan, 2.0]})
    long = split_at_exposure(data)
    rows = long[["person_id", "start", "stop", "event", "exposed"]].values.tolist()
    assert rows == [["a", 0.0, 4.0, 0, 0.0], ["a", 4.0, 10.0, 1, 1.0],
                    ["b", 0.0, 8.0, 0, 0.0], ["c", 5.0, 9.0, 1, 1.0]]


@pytest.fixture
def simulated():
    rng = np.random.default_rng(1)
    n = 600
    x = rng.integers(0, 2, n)
    t = rng.exponential(1 / np.exp(0.7 * x)) * 100
    c = rng.uniform(0, 200, n)
    return pd.DataFrame({"x": x.astype(float), "time": np.ceil(np.minimum(t, c)),
                         "event": (t <= c).astype(int), "id": np.arange(n),
                         "group": np.where(x == 1, "b", "a")})


def test_km_by_group_and_cif(simulated):
    km = estimate_km(simulated, duration_col="time", event_col="event", group_col="group")
    assert set(km.summary["group"]) == {"a", "b"} and km.logrank["p_value"] < 0.01
    cif = estimate_cif(simulated, duration_col="time", event_col="event",
                       event_of_interest=1, group_col="group")
    last = cif.summary.groupby("group")["estimate"].last()
    assert last["b"] > last["a"]
    assert (cif.summary["ci_lower"] <= cif.summary["estimate"]).all()


def test_cox_recovers_log_hazard_ratio_and_backends_agree(simulated):
    result = fit_cox(simulated, duration_col="time", event_col="event", covariates=["x"])
    assert result.summary["coef"].iloc[0] == pytest.approx(0.7, abs=0.2)
    long = simulated.assign(start=0.0)
    a = fit_cox_time_varying(long, id_col="id", start_col="start", stop_col="time",
                             event_col="event", covariates=["x"], backend="lifelines")
    b = fit_cox_time_varying(long, id_col="id", start_col="start", stop_col="time",
                             event_col="event", covariates=["x"], backend="statsmodels")
    assert a.summary["coef"].iloc[0] == pytest.approx(b.summary["coef"].iloc[0], rel=1e-6)
    assert result.summary["coef"].iloc[0] == pytest.approx(a.summary["coef"].iloc[0],
                                                           rel=1e-6)


def test_cox_warns_when_proportional_hazards_fails():
    rng = np.random.default_rng(2)
    n = 800
    x = rng.integers(0, 2, n)
    t = np.where(x == 1, rng.weibull(0.5, n), rng.weibull(3.0, n)) * 50
    df = pd.DataFrame({"x": x, "time": np.ceil(t) + 1, "event": 1})
    with pytest.warns(StatisticalWarning, match="proportional hazards"):
        result = fit_cox(df, duration_col="time", event_col="event", covariates=["x"])
    assert result.warnings


def test_landmark_keeps_only_people_at_risk(simulated):
    data = simulated.assign(exposure=np.where(simulated["x"] == 1, 5.0, np.nan))
    result = fit_landmark(data, landmark=10, duration_col="time", event_col="event",
                          exposure_time_col="exposure", covariates=[])
    assert result.n_excluded == int((simulated["time"] <= 10).sum())
    assert result.cox.summary["term"].iloc[0] == "exposed_at_landmark"
