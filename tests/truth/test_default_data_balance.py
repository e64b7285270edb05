"""On the embedded default synthetic data, the emergency-care report's comparison group
is balanced (|SMD| < 0.1 after matching or weighting), for every edition."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifetools.loading import load_dataset
from lifetools.pipeline.series import load_series
from lifetools.reports import analyse_emergency_care
from lifetools.synthetic import write_synthetic

SERIES = load_series(Path(__file__).resolve().parents[2] / "analyses" / "analyses.yml")


@pytest.fixture(scope="module")
def default_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("default")
    write_synthetic(folder, people=SERIES.synthetic_people, seed=SERIES.synthetic_seed)
    return load_dataset(folder)


@pytest.mark.parametrize("edition", [e.id for e in SERIES.editions])
def test_default_data_weighted_comparison_is_balanced(default_data, edition):
    period = SERIES.edition(edition)
    report = analyse_emergency_care(default_data, period_start=period.period_start,
                                    period_end=period.period_end)
    smd = {k["name"]: k["value"] for k in report.key_results}
    assert min(smd["max_smd"], smd["max_smd_weighted"]) < 0.1, smd


@pytest.mark.parametrize("edition", [e.id for e in SERIES.editions])
def test_default_data_ae_prediction_model_is_released(default_data, edition):
    # the release check counts age and the baseline rates as one term each; read as
    # categories, the baseline admission rate's top values withheld the whole model
    period = SERIES.edition(edition)
    report = analyse_emergency_care(default_data, period_start=period.period_start,
                                    period_end=period.period_end)
    assert report.prediction_release.released, report.prediction_release.reason
    key = {k["name"]: k for k in report.key_results}
    assert key["c_statistic"]["kind"] == "estimate" and key["c_statistic"]["value"] > 0.5
