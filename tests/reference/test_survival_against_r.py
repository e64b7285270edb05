"""Survival estimators against R (survival 3.5-3, R 4.2.2).

Expected values: tests/reference/results/reference.json, produced by
tests/reference/R/make_reference.R from the datasets in tests/reference/data/ (Rossi and
Stanford heart transplant as shipped by lifelines; mgus2 from R's survival package), and
tests/reference/results/logrank_entry.json (log-rank with delayed entry), produced by
tests/reference/R/make_logrank_entry.R.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.survival import estimate_cif, estimate_km, fit_cox, fit_cox_time_varying

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference.json").read_text())
TERMS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="module")
def rossi():
    return pd.read_csv(HERE / "data" / "rossi.csv")


def test_cox_efron_rossi_against_r(rossi):
    # tolerance 1e-6 relative: both maximise the same Efron partial likelihood
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_cox(rossi, duration_col="week", event_col="arrest", covariates=TERMS)
    coef = result.summary.set_index("term").loc[TERMS]
    np.testing.assert_allclose(coef["coef"], R["rossi_cox"]["coef"], rtol=1e-6)
    np.testing.assert_allclose(coef["se"], R["rossi_cox"]["se"], rtol=1e-5)
    assert result.method["ties"] == "efron"


def test_cox_robust_se_rossi_against_r(rossi):
    # lifelines' sandwich differs from R's on tied data by 1-4% (TOOLING.md): 5% tolerance
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_cox(rossi, duration_col="week", event_col="arrest", covariates=TERMS,
                         robust=True)
    se = result.summary.set_index("term").loc[TERMS, "se"]
    np.testing.assert_allclose(se, R["rossi_cox_robust_se"], rtol=0.05)


def test_km_loglog_rossi_against_r(rossi):
    # survfit(conf.type = "log-log"); tolerance 1e-6 on estimates, 1e-4 on limits
    result = estimate_km(rossi, duration_col="week", event_col="arrest")
    table = result.summary.set_index("time")
    times = R["rossi_km"]["times"]
    at = [table.index[table.index <= t].max() for t in times]
    np.testing.assert_allclose(table.loc[at, "estimate"], R["rossi_km"]["surv"], rtol=1e-6)
    np.testing.assert_allclose(table.loc[at, "ci_lower"], R["rossi_km"]["lower"], rtol=1e-4)
    np.testing.assert_allclose(table.loc[at, "ci_upper"], R["rossi_km"]["upper"], rtol=1e-4)


def test_logrank_rossi_against_r(rossi):
    result = estimate_km(rossi.assign(fin=rossi["fin"].astype(str)), duration_col="week",
                         event_col="arrest", group_col="fin")
    assert result.logrank["statistic"] == pytest.approx(R["rossi_logrank"]["chisq"],
                                                        rel=1e-6)


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
    # both backends, tolerance 1e-6 relative on coefficients and standard errors
    # (observed: about 1e-12 on coefficients, up to 4e-8 on lifelines' standard
    # errors; statsmodels needs the +1e-6 entry nudge)
    heart = pd.read_csv(HERE / "data" / "stanford_heart.csv")
    terms = R["heart_tv"]["terms"]
    for backend in ("lifelines", "statsmodels"):
        result = fit_cox_time_varying(heart, id_col="id", start_col="start",
                                      stop_col="stop", event_col="event", covariates=terms,
                                      backend=backend)
        coef = result.summary.set_index("term").loc[terms]
        np.testing.assert_allclose(coef["coef"], R["heart_tv"]["coef"], rtol=1e-6)
        np.testing.assert_allclose(coef["se"], R["heart_tv"]["se"], rtol=1e-6)


def test_aalen_johansen_mgus2_against_r():
    # survfit(Surv(etime, factor(event)) ~ 1): exact, no jitter; tolerance 1e-8 on the
    # estimate; R's standard error is the infinitesimal jackknife, ours the delta method
    # (statsmodels): agree to 2%
    mgus = pd.read_csv(HERE / "data" / "mgus2_competing.csv")
    for code, key in ((1, "pcm"), (2, "death")):
        result = estimate_cif(mgus, duration_col="etime", event_col="event",
                              event_of_interest=code)
        table = result.summary.set_index("time")
        at = [table.index[table.index <= t].max() for t in R["mgus2_cif"]["times"]]
        np.testing.assert_allclose(table.loc[at, "estimate"], R["mgus2_cif"][key],
                                   rtol=1e-8)
    pcm = estimate_cif(mgus, duration_col="etime", event_col="event",
                       event_of_interest=1).summary.set_index("time")
    at = [pcm.index[pcm.index <= t].max() for t in R["mgus2_cif"]["times"]]
    np.testing.assert_allclose(pcm.loc[at, "se"], R["mgus2_cif"]["pcm_se"], rtol=0.02)
