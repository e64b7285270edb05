"""The crisis report's model comparison and time-to-event table keep each confidence
limit off its measure's value of no difference and off the stated limits of the drift
check, as the temporal-validation table does (issue 15, wave 42)."""

from __future__ import annotations

import pytest

from lifetools.reports.crisis_models import NO_DIFFERENCE, measure_text

BANDS = {"slope": (0.8, 1.2), "citl": (-0.2, 0.2)}


@pytest.mark.parametrize(("measure", "values", "shown"), [
    # a slope's lower limit just under 1 is not "1.000", and one just under the stated
    # 0.8 is not "0.800"
    ("slope", (1.163, 0.9996, 1.342), "1.163 (0.9996 to 1.342)"),
    ("slope", (0.95, 0.7996, 1.10), "0.950 (0.7996 to 1.100)"),
    ("slope", (0.95, 0.7996, 1.2004), "0.950 (0.7996 to 1.2004)"),
    # a C-statistic's limit just above 0.5 is not "0.500"
    ("c", (0.55, 0.5004, 0.60), "0.550 (0.5004 to 0.600)"),
    # a calibration-in-the-large's limit just above 0 is not "0.000", nor one just
    # inside -0.2 "-0.200"
    ("citl", (0.1, 0.0004, 0.2), "0.100 (0.0004 to 0.200)"),
    ("citl", (-0.1, -0.1996, 0.1), "\u22120.100 (\u22120.1996 to 0.100)"),
    # an observed/expected ratio's limit just under 1 is not "1.000"
    ("oe_ratio", (0.918, 0.813, 0.9996), "0.918 (0.813 to 0.9996)"),
    # the Brier score has no value of no difference: 3 places as before
    ("brier", (0.181, 0.1796, 0.190), "0.181 (0.180 to 0.190)"),
    # limits that round onto nothing read as before
    ("slope", (1.163, 1.02, 1.342), "1.163 (1.020 to 1.342)"),
])
def test_measure_text_keeps_limits_off_no_difference_and_stated_limits(measure, values,
                                                                       shown):
    assert measure_text(measure, *values, stated=BANDS) == shown


def test_measure_text_without_stated_limits_keeps_off_no_difference_only():
    assert measure_text("slope", 0.95, 0.7996, 1.10) == "0.950 (0.800 to 1.100)"
    assert measure_text("slope", 0.95, 0.7996, 0.9996) == "0.950 (0.800 to 0.9996)"
    # a C-statistic's limit keeps off perfect discrimination too (wave 43)
    assert measure_text("c", 0.99, 0.98, 0.9996) == "0.990 (0.980 to 0.9996)"
    assert set(NO_DIFFERENCE) == {"c", "slope", "citl", "recalibration_intercept",
                                  "oe_ratio"}


def test_the_tables_write_their_measures_through_measure_text():
    # both tables of the module write every measure's interval through measure_text
    # with the report's stated limits (they called estimate_text with neither until
    # wave 42)
    import inspect

    from lifetools.reports import crisis_models, prediction

    for table in (crisis_models.model_comparison, crisis_models.time_to_event):
        source = inspect.getsource(table)
        assert "estimate_text(" not in source
        assert "measure_text(" in source and "stated=stated" in source
    report = inspect.getsource(prediction.analyse_crisis_risk)
    # and the internal validation's (wave 43), one mapping of them
    assert report.count('stated = {"slope": slope_band, "citl": citl_band}') == 1
    assert report.count("stated=stated") == 3
