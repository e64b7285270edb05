"""Report assemblies and figures on one small synthetic dataset (smoke and shape)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from lifetools import plots, reports  # noqa: E402
from lifetools.loading import load_dataset  # noqa: E402
from lifetools.publication import is_marked  # noqa: E402
from lifetools.synthetic import write_synthetic  # noqa: E402

# every test here fits the reports on 15,000 generated people: not in `make check`
pytestmark = pytest.mark.slow

PERIOD = {"period_start": "2022-04-01", "period_end": "2025-03-31"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    write_synthetic(folder, people=15000, seed=21)
    return load_dataset(folder)


def test_discharge_report(data):
    report = reports.analyse_discharge(data, **PERIOD)
    assert report.flow["n"].is_monotonic_decreasing
    assert {"Time-varying (correct)", "Naive fixed exposure (biased)"} <= set(
        report.hazard_ratios["model"])
    assert len(report.exposure_ratios) == 3
    names = [k["name"] for k in report.key_results]
    assert "hr_tv" in names
    # PH diagnostics belong to a model the report shows (the landmark model) and say
    # what was done per term; the skipped test of the delayed-entry model is recorded
    assert report.ph_test["model"].str.startswith("Landmark at 90 days").all()
    assert "Life Rooms use by the landmark" in set(report.ph_test["term"])
    assert report.ph_test["action"].notna().all()
    assert report.landmark.cox.ph_test is not None
    assert report.naive.method["ph_test"].startswith("not run")
    split_rows = report.hazard_ratios["model"].str.contains("time-split")
    assert split_rows.any() == (report.time_split is not None)
    assert is_marked(plots.plot_survival(report.km).figure)
    assert is_marked(plots.plot_survival(report.cif, max_time=365).figure)
    assert is_marked(plots.plot_forest(report.exposure_ratios, label_col="model").figure)


def test_rereferral_report(data):
    report = reports.analyse_rereferral(data, **PERIOD)
    assert set(report.cif.summary["group"]) == {"Used the Life Rooms",
                                                "Did not use the Life Rooms"}
    assert 0 < report.key_results[2]["value"] < 100


def test_emergency_report(data):
    report = reports.analyse_emergency_care(data, **PERIOD)
    assert len(report.estimates) == 8
    assert "Weighted (ATT) difference-in-differences" in set(report.estimates["term"])
    assert report.balance["covariate"].tolist() == report.balance_weighted[
        "covariate"].tolist()
    assert {"team_a06", "team_other"} <= set(report.balance["covariate"])
    names = [k["name"] for k in report.key_results]
    assert {"did_ae", "did_ae_weighted", "max_smd_weighted"} <= set(names)
    assert set(report.rates["ae"]["group"]) == {"Life Rooms users", "Matched comparison"}
    assert is_marked(plots.plot_love(report.balance).figure)
    assert is_marked(plots.plot_rates(report.rates["ae"]).figure)
    assert is_marked(plots.plot_calibration(
        report.prediction.extra["calibration_table"]).figure)


def test_wellbeing_report(data):
    report = reports.analyse_wellbeing(data, **PERIOD, meaningful_change=2.0)
    assert report.counts["n"].iloc[1] > 0
    assert len(report.estimates) == 3


def test_reach_report(data):
    report = reports.analyse_reach(data, **PERIOD)
    assert report.activity.set_index("key").loc["visits", "n"] > 0
    assert report.satisfaction["per_cent"].iloc[0] > 90
    assert is_marked(plots.plot_run_chart(report.monthly).figure)
    assert is_marked(plots.plot_reach(report.reach,
                                      characteristic="Deprivation quintile").figure)
    local = reports.analyse_reach(data, **PERIOD, locality="Sefton")
    assert set(local.sites["site"]) <= {"Bootle"}


def test_monthly_counts_plot(data):
    from lifetools.describe import describe_population

    described = describe_population(data, **PERIOD)
    assert is_marked(plots.plot_monthly_counts(described.monthly).figure)
