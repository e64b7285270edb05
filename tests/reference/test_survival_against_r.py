"""Survival estimators against R (survival 3.5-3, R 4.2.2).

Expected values: tests/reference/results/reference.json, produced by
tests/reference/R/make_reference.R from the datasets in tests/reference/data/ (Rossi and
Stanford heart transplant as shipped by lifelines; mgus2 from R's survival package), and
tests/reference/results/logrank_entry.json (log-rank with delayed entry), produced by
tests/reference/R/make_logrank_entry.R. Tie methods, cox.zph, clustered errors of
start-stop Cox and Kaplan-Meier standard errors and medians:
tests/reference/results/reference_cox.json, produced by tests/reference/R/make_reference_cox.R
(survival 3.5-3, values to 15 significant digits).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.survival import (
    cox_zph,
    estimate_cif,
    estimate_km,
    fit_cox,
    fit_cox_time_varying,
)
from lifetools.survival.cox import BACKEND

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference.json").read_text())
R_COX = json.loads((HERE / "results" / "reference_cox.json").read_text())
TRANSFORMS = ("km", "rank", "identity")
TERMS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="module")
def rossi():
    return pd.read_csv(HERE / "data" / "rossi.csv")


def test_cox_efron_rossi_against_r(rossi):
    # relative 1e-9 (observed 3e-12 with fit_efron, R's own Newton-Raphson settings;
    # 1e-6 and 1e-5 when the backend was lifelines): the same Efron partial likelihood
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_cox(rossi, duration_col="week", event_col="arrest", covariates=TERMS)
    coef = result.summary.set_index("term").loc[TERMS]
    np.testing.assert_allclose(coef["coef"], R["rossi_cox"]["coef"], rtol=1e-9)
    np.testing.assert_allclose(coef["se"], R["rossi_cox"]["se"], rtol=1e-9)
    assert result.method["backend"] == BACKEND
    assert result.method["ties"] == "efron"


def test_cox_robust_se_rossi_against_r(rossi):
    # coxph(..., robust = TRUE), Efron: R's dfbeta sandwich from Efron score residuals,
    # relative 1e-9 (observed 2e-12 at fit_efron's coefficients; 6e-9 at lifelines'
    # when it was the backend). lifelines'
    # own sandwich differed from R's by 1-4% here (TOOLING.md).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_cox(rossi, duration_col="week", event_col="arrest", covariates=TERMS,
                         robust=True)
    se = result.summary.set_index("term").loc[TERMS, "se"]
    np.testing.assert_allclose(se, R["rossi_cox_robust_se"], rtol=1e-9)
    assert result.method["backend"] == BACKEND and result.method["robust"]


def test_km_loglog_rossi_against_r(rossi):
    # survfit(conf.type = "log-log"); relative 1e-10 on estimates and limits (observed
    # 5e-13; R's values are stored to 12 significant digits)
    result = estimate_km(rossi, duration_col="week", event_col="arrest")
    table = result.summary.set_index("time")
    times = R["rossi_km"]["times"]
    at = [table.index[table.index <= t].max() for t in times]
    np.testing.assert_allclose(table.loc[at, "estimate"], R["rossi_km"]["surv"],
                               rtol=1e-10)
    np.testing.assert_allclose(table.loc[at, "ci_lower"], R["rossi_km"]["lower"],
                               rtol=1e-10)
    np.testing.assert_allclose(table.loc[at, "ci_upper"], R["rossi_km"]["upper"],
                               rtol=1e-10)


def test_logrank_rossi_against_r(rossi):
    result = estimate_km(rossi.assign(fin=rossi["fin"].astype(str)), duration_col="week",
                         event_col="arrest", group_col="fin")
    # survdiff(Surv(week, arrest) ~ fin): relative 1e-10 (observed 2.5e-13; R's value
    # is stored to 12 significant digits); the statistic has a closed form, no iteration
    assert result.logrank["statistic"] == pytest.approx(R["rossi_logrank"]["chisq"],
                                                        rel=1e-10)


def test_logrank_delayed_entry_against_r(rossi):
    # R's survdiff has no delayed entry; the reference is the score test of
    # coxph(Surv(entry, week, arrest) ~ group, ties = "exact"), which equals the log-rank
    # statistic (make_logrank_entry.R checks the identity against survdiff without
    # entry). First 200 Rossi rows, deterministic entry; two and three groups.
    # Tolerance 1e-8 relative (R values stored to 12 significant digits).
    ref = json.loads((HERE / "results" / "logrank_entry.json").read_text())
    data = rossi.iloc[:ref["rows"]].copy()
    data["entry"] = np.minimum(5 * (np.arange(len(data)) % 4), data["week"] - 1)
    data["prio3"] = pd.cut(data["prio"], [-1, 0, 3, np.inf]).astype(str)
    for group, key in (("fin", "fin"), ("prio3", "prio3")):
        plain = estimate_km(data, duration_col="week", event_col="arrest",
                            group_col=group).logrank
        late = estimate_km(data, duration_col="week", event_col="arrest",
                           group_col=group, entry_col="entry").logrank
        assert plain["statistic"] == pytest.approx(ref[f"{key}_no_entry"], rel=1e-8)
        assert late["statistic"] == pytest.approx(ref[f"{key}_entry"], rel=1e-8)
        assert abs(late["statistic"] - plain["statistic"]) > 0.1
    assert late["df"] == 2


def test_time_varying_cox_stanford_heart_against_r():
    # coxph(Surv(start, stop, event) ~ age + year + surgery + transplant), Efron;
    # every backend: coefficients relative 1e-10 (observed 2e-12; R's values to 12
    # digits); standard errors relative 1e-10 for fit_efron (the default) and
    # statsmodels (observed 2e-12), 1e-7 for lifelines (observed 4e-8 with its
    # coefficients at 2e-12: its variance is not read at the maximum itself).
    # statsmodels needs the +1e-6 entry nudge, fit_efron none.
    heart = pd.read_csv(HERE / "data" / "stanford_heart.csv")
    terms = R["heart_tv"]["terms"]
    for backend in ("auto", "lifelines", "statsmodels"):
        result = fit_cox_time_varying(heart, id_col="id", start_col="start",
                                      stop_col="stop", event_col="event", covariates=terms,
                                      backend=backend)
        coef = result.summary.set_index("term").loc[terms]
        np.testing.assert_allclose(coef["coef"], R["heart_tv"]["coef"], rtol=1e-10)
        np.testing.assert_allclose(coef["se"], R["heart_tv"]["se"],
                                   rtol=1e-7 if backend == "lifelines" else 1e-10)


def test_aalen_johansen_mgus2_against_r():
    # survfit(Surv(etime, factor(event)) ~ 1): exact, no jitter; estimates relative
    # 1e-10 (observed 1.4e-12, R's values to 12 digits; a closed form, no iteration);
    # standard errors relative 1e-10 (observed 4e-13: without delayed entry
    # the delta method and R's infinitesimal jackknife give the same variance)
    mgus = pd.read_csv(HERE / "data" / "mgus2_competing.csv")
    for code, key in ((1, "pcm"), (2, "death")):
        result = estimate_cif(mgus, duration_col="etime", event_col="event",
                              event_of_interest=code)
        table = result.summary.set_index("time")
        at = [table.index[table.index <= t].max() for t in R["mgus2_cif"]["times"]]
        np.testing.assert_allclose(table.loc[at, "estimate"], R["mgus2_cif"][key],
                                   rtol=1e-10)
    pcm = estimate_cif(mgus, duration_col="etime", event_col="event",
                       event_of_interest=1).summary.set_index("time")
    at = [pcm.index[pcm.index <= t].max() for t in R["mgus2_cif"]["times"]]
    np.testing.assert_allclose(pcm.loc[at, "se"], R["mgus2_cif"]["pcm_se"], rtol=1e-10)


@pytest.fixture(scope="module")
def heart():
    return pd.read_csv(HERE / "data" / "stanford_heart.csv")


def rossi_entry(rossi):
    """Rossi with the deterministic delayed entry of make_reference_cox.R."""
    return rossi.assign(entry=np.minimum(5 * (np.arange(len(rossi)) % 4),
                                         rossi["week"] - 1))


@pytest.mark.filterwarnings("ignore::lifetools.errors.StatisticalWarning")
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_ties_rossi_against_r(rossi, ties):
    # coxph(..., ties = ties): coefficients and standard errors relative 1e-9 (observed
    # 3e-14 with fit_efron, which stops where coxph does: a relative change in the
    # log-likelihood of 1e-9; up to 5e-8 with lifelines and statsmodels, the backends
    # before); the method record names the tie method and the backend fitted
    ref = R_COX[f"rossi_{ties}"]
    result = fit_cox(rossi, duration_col="week", event_col="arrest", covariates=TERMS,
                     ties=ties)
    table = result.summary.set_index("term").loc[ref["terms"]]
    np.testing.assert_allclose(table["coef"], ref["coef"], rtol=1e-9)
    np.testing.assert_allclose(table["se"], ref["se"], rtol=1e-9)
    assert result.method["ties"] == ties
    assert result.method["backend"] == BACKEND
    # the two tie methods differ by more than the tolerance, so a mislabel would fail
    other = R_COX["rossi_breslow" if ties == "efron" else "rossi_efron"]
    assert np.max(np.abs(np.array(other["coef"]) / table["coef"].to_numpy() - 1)) > 1e-3


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("transform", TRANSFORMS)
def test_cox_zph_at_r_coefficients_rossi_against_r(rossi, ties, transform):
    # cox_zph itself, given R's coefficients: chisq and p relative 1e-9 (observed
    # about 1e-13); every term and the global test
    ref, fit = R_COX[f"rossi_{ties}_zph"][transform], R_COX[f"rossi_{ties}"]
    table = cox_zph(rossi["week"], rossi["arrest"], rossi[fit["terms"]], fit["coef"],
                    terms=fit["terms"], ties=ties, transform=transform)
    assert table["term"].tolist() == ref["terms"]
    np.testing.assert_allclose(table["statistic"], ref["chisq"], rtol=1e-9)
    np.testing.assert_allclose(table["df"], ref["df"])
    np.testing.assert_allclose(table["p_value"], ref["p"], rtol=1e-9)


@pytest.mark.filterwarnings("ignore::lifetools.errors.StatisticalWarning")
@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("transform", TRANSFORMS)
def test_cox_zph_rossi_against_r(rossi, ties, transform):
    # the PH test of fit_cox (our coefficients): chisq and p relative 1e-9 (observed
    # 4e-14 with fit_efron's coefficients; up to 8e-8 with the backends before)
    ref = R_COX[f"rossi_{ties}_zph"][transform]
    result = fit_cox(rossi, duration_col="week", event_col="arrest", covariates=TERMS,
                     ties=ties, ph_transform=transform)
    assert result.ph_test["term"].tolist() == ref["terms"]
    np.testing.assert_allclose(result.ph_test["statistic"], ref["chisq"], rtol=1e-9)
    np.testing.assert_allclose(result.ph_test["p_value"], ref["p"], rtol=1e-9)
    assert transform in result.method["ph_test"]


@pytest.mark.filterwarnings("ignore::lifetools.errors.StatisticalWarning")
@pytest.mark.parametrize("transform", TRANSFORMS)
def test_cox_zph_delayed_entry_rossi_against_r(rossi, transform):
    # coxph(Surv(entry, week, arrest) ~ ...) and cox.zph: relative 1e-9 (observed 2e-14
    # with fit_efron; 3e-8 with the backends before)
    ref = R_COX["rossi_entry_zph"][transform]
    result = fit_cox(rossi_entry(rossi), duration_col="week", event_col="arrest",
                     covariates=TERMS, entry_col="entry", ph_transform=transform)
    table = result.summary.set_index("term").loc[TERMS]
    np.testing.assert_allclose(table["coef"], R_COX["rossi_entry"]["coef"], rtol=1e-9)
    np.testing.assert_allclose(result.ph_test["statistic"], ref["chisq"], rtol=1e-9)


@pytest.mark.filterwarnings("ignore::lifetools.errors.StatisticalWarning")
def test_cox_zph_strata_rossi_against_r(rossi):
    # coxph(... + strata(wexp)) and cox.zph (km): relative 1e-9 (observed 2e-14 with
    # fit_efron; 3e-8 with the backends before)
    terms = R_COX["rossi_strata"]["terms"]
    result = fit_cox(rossi, duration_col="week", event_col="arrest", covariates=terms,
                     strata=["wexp"])
    table = result.summary.set_index("term").loc[terms]
    np.testing.assert_allclose(table["coef"], R_COX["rossi_strata"]["coef"], rtol=1e-9)
    np.testing.assert_allclose(result.ph_test["statistic"],
                               R_COX["rossi_strata_zph"]["km"]["chisq"], rtol=1e-9)


@pytest.mark.parametrize("backend", ["auto", "lifelines", "statsmodels"])
@pytest.mark.parametrize("transform", TRANSFORMS)
def test_cox_zph_stanford_heart_against_r(heart, backend, transform):
    # start-stop rows, Efron: cox.zph chisq and p relative 1e-9 (observed up to 3e-11)
    ref = R_COX["heart_efron_zph"][transform]
    terms = R_COX["heart_efron"]["terms"]
    result = fit_cox_time_varying(heart, id_col="id", start_col="start", stop_col="stop",
                                  event_col="event", covariates=terms, backend=backend,
                                  ph_transform=transform)
    assert result.ph_test["term"].tolist() == ref["terms"]
    np.testing.assert_allclose(result.ph_test["statistic"], ref["chisq"], rtol=1e-9)
    np.testing.assert_allclose(result.ph_test["p_value"], ref["p"], rtol=1e-9)


def test_time_varying_cox_breslow_stanford_heart_against_r(heart):
    # coxph(Surv(start, stop, event) ~ ..., ties = "breslow"): coefficients and standard
    # errors relative 1e-9 (observed 5e-14 with fit_efron, the default backend; 2e-12
    # with statsmodels, the backend before), cox.zph (km) relative 1e-9; lifelines has
    # no Breslow ties: asking for it is an error, not an Efron fit
    ref = R_COX["heart_breslow"]
    result = fit_cox_time_varying(heart, id_col="id", start_col="start", stop_col="stop",
                                  event_col="event", covariates=ref["terms"],
                                  ties="breslow")
    table = result.summary.set_index("term").loc[ref["terms"]]
    np.testing.assert_allclose(table["coef"], ref["coef"], rtol=1e-9)
    np.testing.assert_allclose(table["se"], ref["se"], rtol=1e-9)
    np.testing.assert_allclose(result.ph_test["statistic"],
                               R_COX["heart_breslow_zph"]["km"]["chisq"], rtol=1e-9)
    assert result.method["ties"] == "breslow"
    assert result.method["backend"] == BACKEND
    with pytest.raises(ValueError, match="only Efron"):
        fit_cox_time_varying(heart, id_col="id", start_col="start", stop_col="stop",
                             event_col="event", covariates=ref["terms"], ties="breslow",
                             backend="lifelines")


@pytest.mark.parametrize(("ties", "backend"), [("efron", "auto"), ("efron", "lifelines"),
                                               ("efron", "statsmodels"),
                                               ("breslow", "auto"),
                                               ("breslow", "statsmodels")])
def test_time_varying_cox_cluster_against_r(heart, ties, backend):
    # coxph(..., cluster = id): coefficients relative 1e-9, robust standard errors
    # clustered by person relative 1e-7, either tie method and backend (observed on the
    # errors: 2e-15 with fit_efron's coefficients (auto), 8e-8 with lifelines', 5e-13
    # with statsmodels')
    terms = R_COX["heart_efron"]["terms"]
    ref = R_COX[f"heart_{ties}_cluster"]
    result = fit_cox_time_varying(heart, id_col="id", start_col="start", stop_col="stop",
                                  event_col="event", covariates=terms, ties=ties,
                                  cluster=True, backend=backend)
    table = result.summary.set_index("term").loc[terms]
    np.testing.assert_allclose(table["coef"], ref["coef"], rtol=1e-9)
    np.testing.assert_allclose(table["se"], ref["robust_se"], rtol=1e-7)
    assert result.method["robust"] == "clustered by person"


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_km_se_limits_and_median_lung_against_r(conf_type):
    # survfit(Surv(time, status) ~ 1, data = lung, conf.type = ...): estimate, standard
    # error of S (Greenwood) and limits at days 100-700, relative 1e-12 (observed
    # 3e-15); median survival and its interval exact (R's rule, times in days)
    ref = R_COX[f"lung_km_{conf_type.replace('-', '')}"]
    lung = pd.read_csv(HERE / "data" / "lung.csv")
    result = estimate_km(lung, duration_col="time", event_col="status",
                         conf_type=conf_type)
    table = result.summary.set_index("time")
    at = [table.index[table.index <= t].max() for t in ref["times"]]
    for column, key in (("estimate", "surv"), ("se", "std_err"), ("ci_lower", "lower"),
                        ("ci_upper", "upper")):
        np.testing.assert_allclose(table.loc[at, column], ref[key], rtol=1e-12)
    median = result.medians.iloc[0]
    assert (median["median"], median["ci_lower"], median["ci_upper"]) == (
        ref["median"], ref["median_lower"], ref["median_upper"])
    assert conf_type.split("-")[0] in result.method["ci_method"]


def test_km_median_by_group_lung_against_r():
    # survfit(Surv(time, status) ~ sex, data = lung) (log intervals): medians and limits
    ref = R_COX["lung_km_sex_median"]
    lung = pd.read_csv(HERE / "data" / "lung.csv")
    medians = estimate_km(lung, duration_col="time", event_col="status", group_col="sex",
                          conf_type="log").medians
    assert medians["median"].tolist() == ref["median"]
    assert medians["ci_lower"].tolist() == ref["lower"]
    assert medians["ci_upper"].tolist() == ref["upper"]
