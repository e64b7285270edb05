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
    fit_landmark_time_split,
)
from lifetools.survival.competing import cif_limits


def test_aalen_johansen_hand_example():
    # times 1 (cause 1), 2 (cause 2), 3 (censored), 4 (cause 1); n = 4
    # F1(1) = 1/4; S(1) = 3/4; F1(4) = 1/4 + S(3) * 1/1 with S(3) = 3/4 * 2/3 = 1/2
    times, cif, se, n = aalen_johansen(np.array([1, 2, 3, 4.]), np.array([1, 2, 0, 1]), 1)
    assert times.tolist() == [1, 2, 4]
    assert cif.tolist() == pytest.approx([0.25, 0.25, 0.75])
    assert n.tolist() == [4, 3, 1]


def test_cif_limits_undefined_stay_nan_not_zero():
    # F = 1 with a positive standard error has no log(-log(1 - F)) interval: NaN, not 0;
    # F = 0 or 1 with standard error 0 is its own interval; inside, lower < F < upper
    lower, upper = cif_limits(np.array([1.0, 0.0, 1.0, 0.3]),
                              np.array([0.1, 0.0, 0.0, 0.05]), 1.96)
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    assert (lower[1], upper[1], lower[2], upper[2]) == (0.0, 0.0, 1.0, 1.0)
    assert lower[3] < 0.3 < upper[3]


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


def test_km_median_on_a_flat_at_one_half_is_the_midpoint():
    # four deaths at 1, 2, 3, 4: S = 0.5 on [2, 3), so the median is 2.5 (R's rule);
    # S = 1 before the first death: both limits 1; an unknown conf_type is refused
    df = pd.DataFrame({"t": [1.0, 2.0, 3.0, 4.0], "e": [1, 1, 1, 1]})
    result = estimate_km(df, duration_col="t", event_col="e", conf_type="log")
    assert result.medians["median"].iloc[0] == 2.5
    first = result.summary.iloc[0]
    assert (first["estimate"], first["ci_lower"], first["ci_upper"]) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="conf_type"):
        estimate_km(df, duration_col="t", event_col="e", conf_type="arcsin")


def test_logrank_delayed_entry_hand_example():
    # a (entry 0, stop 2, event), (0, 4, event); b (3, 5, event), (0, 6, censored).
    # With entry, at risk on (entry, stop]: t=2: n=3, n_a=2, O-E=1/3, V=2/9; t=4: n=3
    # (b's first enters at 3), n_a=1, O-E=2/3, V=2/9; t=5: no a at risk. chi2 = 1/(4/9).
    # Without entry: t=2: n=4, n_a=2, O-E=1/2, V=1/4; t=4 as above: chi2 = 49/17.
    df = pd.DataFrame({"stop": [2, 4, 5, 6.], "event": [1, 1, 1, 0],
                       "entry": [0, 0, 3, 0.], "group": ["a", "a", "b", "b"]})
    late = estimate_km(df, duration_col="stop", event_col="event", group_col="group",
                       entry_col="entry")
    plain = estimate_km(df, duration_col="stop", event_col="event", group_col="group")
    assert late.logrank["statistic"] == pytest.approx(9 / 4, rel=1e-12)
    assert plain.logrank["statistic"] == pytest.approx(49 / 17, rel=1e-12)
    assert late.logrank["df"] == 1
    assert "survdiff" in late.method["logrank_test"]


def test_logrank_without_entry_matches_lifelines(simulated):
    from lifelines.statistics import multivariate_logrank_test

    data = simulated.assign(three=np.arange(len(simulated)) % 3 + simulated["x"])
    for group in ("group", "three"):
        ours = estimate_km(data, duration_col="time", event_col="event",
                           group_col=group).logrank
        theirs = multivariate_logrank_test(data["time"], data[group], data["event"])
        assert ours["statistic"] == pytest.approx(theirs.test_statistic, rel=1e-10)
        assert ours["p_value"] == pytest.approx(theirs.p_value, rel=1e-8)
        assert ours["df"] == theirs.degrees_of_freedom


def test_cox_with_entry_runs_ph_test(simulated):
    # cox.zph needs no lifelines residuals, so delayed entry is tested too
    data = simulated.assign(entry=np.minimum(simulated["time"] - 1, 5.0))
    result = fit_cox(data, duration_col="time", event_col="event", covariates=["x"],
                     entry_col="entry")
    assert result.ph_test["term"].tolist() == ["x", "GLOBAL"]
    assert "cox.zph" in result.method["ph_test"]
    off = fit_cox(data, duration_col="time", event_col="event", covariates=["x"],
                  entry_col="entry", check_ph=False)
    assert off.ph_test is None and off.method["ph_test"].startswith("not requested")


@pytest.mark.parametrize("ties", ["exact", "discrete", "Efron"])
def test_cox_unknown_ties_refused(simulated, ties):
    with pytest.raises(ValueError, match="ties must be one of"):
        fit_cox(simulated, duration_col="time", event_col="event", covariates=["x"],
                ties=ties)
    with pytest.raises(ValueError, match="ties must be one of"):
        fit_cox_time_varying(simulated.assign(start=0.0), id_col="id", start_col="start",
                             stop_col="time", event_col="event", covariates=["x"],
                             ties=ties)


def test_cox_breslow_differs_from_efron_and_is_labelled(simulated):
    efron = fit_cox(simulated, duration_col="time", event_col="event", covariates=["x"])
    breslow = fit_cox(simulated, duration_col="time", event_col="event",
                      covariates=["x"], ties="breslow")
    assert (efron.method["ties"], breslow.method["ties"]) == ("efron", "breslow")
    # heavily tied day-valued times: Breslow shrinks the coefficient towards 0
    assert abs(breslow.summary["coef"].iloc[0]) < abs(efron.summary["coef"].iloc[0]) - 1e-3


def test_cox_degenerate_term_is_flagged_not_reported(simulated):
    # every event is in x == 0: the hazard ratio of x diverges to 0
    data = simulated.assign(event=np.where(simulated["x"] == 1, 0, simulated["event"]))
    result = fit_cox(data, duration_col="time", event_col="event", covariates=["x"],
                     check_ph=False)
    assert not result.estimable
    assert "x" in result.reason
    row = result.summary.iloc[0]
    assert not row["estimable"] and np.isnan(row["estimate"]) and np.isnan(row["ci_lower"])
    assert any(w.startswith("not estimable") for w in result.warnings)
    assert result.method["ph_test"].startswith("not requested")


def test_cox_estimable_fit_is_flagged_estimable(simulated):
    result = fit_cox(simulated, duration_col="time", event_col="event", covariates=["x"])
    assert result.estimable and result.reason == ""
    assert result.summary["estimable"].all()


def test_landmark_ph_test_runs_without_delayed_entry(simulated):
    data = simulated.assign(exposure=np.where(simulated["x"] == 1, 5.0, np.nan),
                            entry=np.where(np.arange(len(simulated)) % 2, 3.0, 0.0))
    result = fit_landmark(data, landmark=10, duration_col="time", event_col="event",
                          exposure_time_col="exposure", covariates=[], entry_col="entry",
                          check_ph=True)
    assert result.cox.ph_test["term"].tolist() == ["exposed_at_landmark", "GLOBAL"]
    assert result.method["ph_test"] == result.cox.method["ph_test"]
    assert not result.cox.method["delayed_entry"]


def test_landmark_time_split_equal_effects_agree(simulated):
    # exponential times, true log hazard ratio 0.7 throughout: both periods' intervals
    # cover exp(0.7), and the split keeps the same people and events as the landmark fit
    data = simulated.assign(exposure=np.where(simulated["x"] == 1, 5.0, np.nan))
    kwargs = {"landmark": 10, "duration_col": "time", "event_col": "event",
              "exposure_time_col": "exposure", "covariates": []}
    whole = fit_landmark(data, **kwargs).cox
    split = fit_landmark_time_split(data, split_at=30, **kwargs)
    assert split.summary["term"].tolist() == ["exposed_before_split",
                                              "exposed_after_split"]
    for term in ("exposed_before_split", "exposed_after_split"):
        _, low, high = split.hazard_ratio(term)
        assert low <= np.exp(0.7) <= high
    assert (split.n_people, split.n_events) == (whole.n_people, whole.n_events)


def test_cox_recovers_log_hazard_ratio_and_backends_agree(simulated):
    result = fit_cox(simulated, duration_col="time", event_col="event", covariates=["x"])
    assert result.summary["coef"].iloc[0] == pytest.approx(0.7, abs=0.2)
    assert result.method["backend"] == "lifetools fit_efron"
    long = simulated.assign(start=0.0)
    fits = {backend: fit_cox_time_varying(
        long, id_col="id", start_col="start", stop_col="time", event_col="event",
        covariates=["x"], backend=backend) for backend in ("auto", "lifelines",
                                                           "statsmodels")}
    assert fits["auto"].method["backend"] == "lifetools fit_efron"
    for fit in fits.values():
        assert fit.summary["coef"].iloc[0] == pytest.approx(
            result.summary["coef"].iloc[0], rel=1e-6)
        assert fit.summary["se"].iloc[0] == pytest.approx(
            result.summary["se"].iloc[0], rel=1e-6)


def test_cox_infinite_coefficient_is_flagged_not_reported(simulated):
    # z has no event at z == 1: fit_efron flags its coefficient as possibly infinite
    # (R's rule); z is not estimable with a warning saying so, x keeps its estimate
    rng = np.random.default_rng(5)
    z = (rng.uniform(size=len(simulated)) < 0.2).astype(float)
    data = simulated.assign(z=z, event=np.where(z == 1, 0, simulated["event"]))
    result = fit_cox(data, duration_col="time", event_col="event",
                     covariates=["x", "z"], check_ph=False)
    assert result.model.infinite == (1,)
    table = result.summary.set_index("term")
    assert not table.loc["z", "estimable"] and np.isnan(table.loc["z", "estimate"])
    assert table.loc["x", "estimable"] and np.isfinite(table.loc["x", "estimate"])
    assert not result.estimable and result.reason.startswith("z: ")
    assert any("z: its coefficient may be infinite" in w for w in result.warnings)
    # the fit converged (R's verdict too): model_release reads "converge" as a failure
    assert result.model.converged
    assert not any("converge" in w.lower() for w in result.warnings)


def test_cox_not_converged_is_not_estimable(simulated, monkeypatch):
    # fit_efron stopped after one Newton step: not converged, so nothing is reported
    import lifetools.survival.cox as cox

    def one_step(*args, **kwargs):
        return cox_fit_efron(*args, **kwargs, max_iter=1)

    cox_fit_efron = cox.fit_efron
    monkeypatch.setattr(cox, "fit_efron", one_step)
    result = fit_cox(simulated, duration_col="time", event_col="event", covariates=["x"])
    assert not result.estimable and not result.summary["estimable"].any()
    assert result.reason.startswith("the partial likelihood maximisation did not "
                                    "converge (no convergence in 1 Newton-Raphson")
    assert result.ph_test is None and result.method["ph_test"].startswith("not run")


def test_cox_nullable_columns_match_float_and_missing_value_is_refused(simulated):
    # pandas nullable types (Int64, boolean) are read as floats; a missing covariate is
    # a ParameterError naming the row number, not a silent drop
    from lifetools.errors import ParameterError

    typed = simulated.assign(x=simulated["x"].astype("Int64"),
                             event=simulated["event"].astype("boolean"))
    a = fit_cox(typed, duration_col="time", event_col="event", covariates=["x"])
    b = fit_cox(simulated, duration_col="time", event_col="event", covariates=["x"])
    pd.testing.assert_frame_equal(a.summary, b.summary)
    with pytest.raises(ParameterError, match="first row 7"):
        fit_cox(typed.assign(x=typed["x"].mask(typed.index == 7)), duration_col="time",
                event_col="event", covariates=["x"])


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


def test_landmark_time_split_defaults_to_median_and_flags_an_empty_period(simulated):
    data = simulated.assign(exposure=np.where(simulated["x"] == 1, 5.0, np.nan))
    kwargs = {"landmark": 10, "duration_col": "time", "event_col": "event",
              "exposure_time_col": "exposure", "covariates": []}
    split = fit_landmark_time_split(data, **kwargs)
    assert split.method["split_at"] > 0
    latest = float((data["time"] - 10).max())
    empty = fit_landmark_time_split(data, split_at=latest + 1, **kwargs)
    assert not empty.estimable
    assert "cannot split the exposure hazard ratio" in empty.reason
    assert empty.summary["estimate"].isna().all()


def test_finegray_rows_hand_example():
    # times 1 (event of interest), 2 (competing), 3 (censored), 4 (event), 5 (censored).
    # Censoring Kaplan-Meier: G = 2/3 after time 3 (3 at risk), 0 after time 5. The
    # competing row keeps weight 1 to the end of its censoring interval (time 3), then
    # (3, 5] with weight G(3) / G(2-) = 2/3. R's finegray(Surv(t, e) ~ x, etype = "a")
    # gives the same six rows.
    from lifetools.survival import finegray_rows

    data = pd.DataFrame({"t": [1.0, 2, 3, 4, 5], "e": [1, 2, 0, 1, 0]})
    rows = finegray_rows(data, duration_col="t", event_col="e", event_of_interest=1)
    assert rows["fg_row"].tolist() == [0, 1, 2, 3, 4, 1]
    assert rows["fg_start"].tolist() == [0, 0, 0, 0, 0, 3]
    assert rows["fg_stop"].tolist() == [1, 3, 3, 4, 5, 5]
    assert rows["fg_status"].tolist() == [1, 0, 0, 1, 0, 0]
    np.testing.assert_allclose(rows["fg_weight"], [1, 1, 1, 1, 1, 2 / 3], rtol=1e-15)
    # a code listed as neither competing nor of interest is censored: no extra rows
    censored = finegray_rows(data, duration_col="t", event_col="e", event_of_interest=1,
                             competing=())
    assert len(censored) == 5 and (censored["fg_weight"] == 1).all()


def test_fine_gray_without_events_is_not_estimable():
    from lifetools.survival import fit_fine_gray

    data = pd.DataFrame({"t": [1.0, 2, 3, 4], "e": [2, 0, 2, 0], "x": [0.0, 1, 0, 1]})
    result = fit_fine_gray(data, duration_col="t", event_col="e", event_of_interest=1,
                           covariates=["x"])
    assert not result.estimable and "no events" in result.reason
    assert result.summary["estimate"].isna().all() and result.global_tests is None


def test_cox_global_tests_absent_when_not_estimable_and_present_otherwise():
    import warnings

    data = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6], "e": [0] * 6,
                         "x": [0.0, 1, 0, 1, 0, 1]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        empty = fit_cox(data, duration_col="t", event_col="e", covariates=["x"],
                        check_ph=False)
        fitted = fit_cox(data.assign(e=[1, 1, 0, 1, 1, 0]), duration_col="t",
                         event_col="e", covariates=["x"], check_ph=False)
    assert empty.global_tests is None
    assert fitted.global_tests["df"].tolist() == [1.0, 1.0, 1.0]


def test_library_versions_read_once_per_process_equal_the_modules_versions():
    import lifelines
    import statsmodels

    from lifetools.survival import results

    results._installed_versions.cache_clear()
    first = results.library_versions()
    first["lifelines"] = "changed by a caller"
    again = results.library_versions()
    assert results._installed_versions.cache_info().misses == 1
    assert results._installed_versions.cache_info().hits >= 1
    assert again == {"lifelines": lifelines.__version__,
                     "statsmodels": statsmodels.__version__}
