"""Landmark analysis against R (survival 3.5-3, R 4.2.2): issue 13.

Expected values: tests/reference/results/reference_landmark.json, produced by
tests/reference/R/make_reference_landmark.R from tests/reference/data/rossi.csv with a
delayed entry and an exposure time made from the row number (the same formulas below).
``fit_landmark`` is a selection of rows, an exposure indicator and a shift of the time
axis, then ``fit_cox``; ``fit_landmark_time_split`` cuts the follow-up at the median
time of the exposed people's events and fits start-stop rows. R does the same by hand
(``subset``, ``survSplit``, ``coxph(ties = "efron")``), so every number must agree to
the precision of the Cox fit.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.survival import fit_landmark, fit_landmark_time_split

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_landmark.json").read_text())
COVARIATES = ["fin", "age", "prio"]


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    data = pd.read_csv(HERE / "data" / "rossi.csv")
    i = np.arange(len(data))
    return data.assign(entry=3.0 * (i % 4),
                       exposure_week=np.where(i % 3 == 0, np.nan, 2.0 * (i % 11)))


def landmark_kwargs() -> dict:
    return {"landmark": R["landmark"]["landmark"], "duration_col": "week",
            "event_col": "arrest", "exposure_time_col": "exposure_week",
            "covariates": COVARIATES, "entry_col": "entry"}


def test_fit_landmark_rossi_against_r(rossi):
    # coxph(Surv(week - 8, arrest) ~ exposed + fin + age + prio, ties = "efron") on the
    # people at risk at week 8: coefficients and standard errors relative 1e-10
    # (observed 6e-14 and 2e-15; R's values to 15 digits); the people kept, excluded
    # and their events exact; cox.zph (km) per term and global relative 1e-10
    # (observed 1e-14).
    ref = R["landmark"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_landmark(rossi, check_ph=True, **landmark_kwargs())
    assert result.n_excluded == ref["n_excluded"]
    assert result.cox.n_people == ref["n_kept"]
    assert result.cox.n_events == ref["n_events"]
    table = result.cox.summary.set_index("term")
    assert list(table.index) == ["exposed_at_landmark", *COVARIATES]
    np.testing.assert_allclose(table["coef"], ref["coef"], rtol=1e-10)
    np.testing.assert_allclose(table["se"], ref["se"], rtol=1e-10)
    zph = result.cox.ph_test
    assert zph["term"].iloc[-1] == "GLOBAL"
    np.testing.assert_allclose(zph["statistic"], ref["zph_chisq"], rtol=1e-10)
    np.testing.assert_allclose(zph["p_value"], ref["zph_p"], rtol=1e-10)


def test_fit_landmark_time_split_rossi_against_r(rossi):
    # survSplit at the median time of the exposed people's events after the landmark
    # (19 weeks here), exposure one term before the cut and one after:
    # coxph(Surv(tstart, tt, arrest) ~ ..., ties = "efron"), relative 1e-10 (observed
    # 5e-15).
    ref = R["time_split"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_landmark_time_split(rossi, **landmark_kwargs())
    assert result.estimable, result.reason
    assert result.method["split_at"] == ref["split_at"]
    table = result.summary.set_index("term").loc[ref["terms"]]
    np.testing.assert_allclose(table["coef"], ref["coef"], rtol=1e-10)
    np.testing.assert_allclose(table["se"], ref["se"], rtol=1e-10)
    # the two periods' ratios differ here (0.47 against -0.41 on the log scale): a
    # single exposure term would not reproduce either
    assert abs(ref["coef"][0] - ref["coef"][1]) > 0.5
