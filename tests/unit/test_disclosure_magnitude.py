"""Magnitude tables: threshold, n-k dominance and p% rules, secondary suppression."""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools import disclosure
from lifetools.disclosure import magnitude_reason, protect_magnitudes


def test_magnitude_threshold_boundary_9_and_10_contributors():
    assert "threshold" in magnitude_reason([1.0] * 9)
    assert magnitude_reason([1.0] * 10) == ""


def test_magnitude_nk_rule_boundary():
    # two largest 85 of 100 pass (not more than 85%); 86 of 100 fail
    rest = [15 / 8] * 8
    assert magnitude_reason([42.5, 42.5, *rest]) == ""
    assert "n-k" in magnitude_reason([43.0, 43.0, *[14 / 8] * 8])


def test_magnitude_p_percent_rule_boundary():
    # n-k switched off (k = 1) to test p% alone: the rest after the two largest must
    # be at least 10% of the largest (10 of 100 passes, 8 fails)
    profile = disclosure.SdcProfile("p-only", 7, 5, nk_k=1.0)
    assert magnitude_reason([100.0, 2.0, *[1.0] * 8], profile=profile).endswith(
        "(p% rule)")
    assert magnitude_reason([100.0, 2.0, *[1.25] * 8], profile=profile) == ""


def test_magnitude_uses_absolute_contributions():
    assert "n-k" in magnitude_reason([-50.0, 50.0, *[0.1] * 8])


def _reason(table, row, column):
    """The rule's reason for one hidden cell, read from the protection record."""
    return next(why for r, c, why in table.record.suppressed if (r, c) == (row, column))


def test_protect_magnitudes_keeps_each_cells_reason_off_the_table():
    # a "reason" column beside each cell ("dominance n-k rule", "secondary
    # suppression") was published with the table: it says more about the hidden
    # value than [c] does (one or two people hold most of it; it is no small cell)
    rows = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 20 + ["c"] * 30,
                         "years": [1.0] * 53})
    out = protect_magnitudes(rows, group_cols="g", value_col="years", totals="columns")
    assert list(out.columns) == ["g", "contributors", "years"]
    assert {why for _, c, why in out.record.suppressed if c == "years"} == {
        "fewer than 10 contributors (threshold rule)", "secondary suppression"}


def test_protect_magnitudes_mean_over_too_few_is_suppressed():
    rows = pd.DataFrame({"site": ["a"] * 2 + ["b"] * 12,
                         "score": [30.0, 10.0] + [20.0 + i for i in range(12)]})
    out = protect_magnitudes(rows, group_cols="site", value_col="score",
                             statistic="mean")
    assert pd.isna(out["score"].iloc[0]) and "threshold" in _reason(out, 0, "score")
    assert out["score"].iloc[1] == pytest.approx(25.5)
    assert out["contributors"].tolist() == [pd.NA, 10]
    assert out.record.role("score") == "magnitude"


def test_protect_magnitudes_sum_secondary_suppression():
    rows = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 20 + ["c"] * 30,
                         "years": [1.0] * 53})
    out = protect_magnitudes(rows, group_cols="g", value_col="years", totals="columns")
    assert out["years"].isna().tolist() == [True, True, False]
    assert _reason(out, 1, "years") == "secondary suppression"


def test_protect_magnitudes_dominated_cell_is_suppressed():
    rows = pd.DataFrame({"g": ["a"] * 10, "cost": [1000.0, 900.0] + [10.0] * 8})
    out = protect_magnitudes(rows, group_cols="g", value_col="cost")
    assert pd.isna(out["cost"].iloc[0]) and "dominance" in _reason(out, 0, "cost")


def test_protect_quantiles_hides_few_and_dominated_values_and_gives_no_extreme():
    import numpy as np

    from lifetools.disclosure import protect_quantiles

    many = pd.DataFrame({"age": np.arange(20.0, 60.0), "visits": [0.0] * 38 + [50, 60],
                         "score": np.nan})
    few = many.head(9)
    table = protect_quantiles({"a": many, "b": few},
                              {"age": "Age", "visits": "Visits", "score": "Score"})
    frame = table.frame.set_index("characteristic")
    # linear quartiles of 20..59 (R's type 7): 29.75, 39.5, 49.25; one decimal place
    assert frame.loc["Age", "a: median (quartiles)"] == "39.5 (29.8 to 49.2)"
    assert pd.isna(frame.loc["Age", "b: median (quartiles)"])  # 9 people: threshold
    assert pd.isna(frame.loc["Visits", "a: median (quartiles)"])  # two dominate the sum
    assert frame.loc["Score", "a: median (quartiles)"] == "not recorded"
    reasons = {(row, column): why for row, column, why in table.record.suppressed}
    assert "threshold" in reasons[(0, "b: median (quartiles)")]
    assert "n-k" in reasons[(1, "a: median (quartiles)")]
    assert {table.record.role(c) for c in frame.columns} == {"magnitude"}
    assert "59" not in " ".join(str(c) for c in table.frame.to_numpy().ravel())


def test_a_median_written_as_text_is_not_shielded_as_a_row_label(tmp_path, monkeypatch):
    # the crisis page showed medians and quartiles typed as text: a column of text is a
    # label column, and a label column was shielded from the statistic rule (issue 12,
    # wave 36); through protect_quantiles the same cells are shown
    import json

    import numpy as np

    from lifetools import tables
    from lifetools.disclosure import protect_quantiles
    from lifetools.errors import DisclosureError

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    monkeypatch.setenv("LIFETOOLS_RUN_PARAMETERS", json.dumps(
        {"values": {"edition": "2024-25"}, "words": {}}))
    typed = pd.DataFrame({"characteristic": ["Age, years"],
                          "development: median (quartiles)": ["42.0 (30.0 to 55.0)"]})
    with pytest.raises(DisclosureError, match="unprotected-statistic"):
        tables.show_table(typed, name="typed", caption="Typed medians")
    people = pd.DataFrame({"age": np.arange(20.0, 60.0)})
    shown = tables.show_table(protect_quantiles({"development": people},
                                                {"age": "Age, years"}),
                              name="protected", caption="Medians")
    # its note states the rule it was protected by, not the count rule (wave 37: the
    # crisis page's medians said "Counts from 1 to 7 are suppressed" under no count),
    # and the gate's prose rules pass it
    from lifetools.disclosure import active_profile, magnitude_sentence
    from lifetools.disclosure.prose import prose_findings

    assert magnitude_sentence() in shown.note and "Counts from" not in shown.note
    assert prose_findings(shown.note, active_profile()) == []


@pytest.mark.parametrize("value", [0.0, -0.0, -0.04, -1.25, 1234.56, 42.0, -12345.678])
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_quantiles_write_numbers_as_the_one_writer_does(value, digits):
    # every number through lifetools.signs.fixed: its minus sign, its separators, and
    # no sign on a number that rounds to zero
    from lifetools.disclosure import protect_quantiles
    from lifetools.signs import fixed

    people = pd.DataFrame({"v": [value] * 20})
    cell = protect_quantiles({"a": people}, {"v": "V"}, digits=digits).frame.iat[0, 1]
    shown = fixed(value, digits)
    assert cell == f"{shown} ({shown} to {shown})"


def test_protect_quantiles_is_checked_by_acro_when_the_build_asks(monkeypatch):
    import numpy as np

    from lifetools.disclosure import protect_quantiles
    from lifetools.disclosure.acro_check import ENV_ACRO

    monkeypatch.setenv(ENV_ACRO, "1")
    people = pd.DataFrame({"age": np.arange(20.0, 60.0)})
    table = protect_quantiles({"b": people.head(9), "a": people},
                              {"age": "Age"})
    verdict = table.record.acro
    # ACRO flags the group of 9 (its threshold), which lifetools hid: no disagreement
    assert verdict["checked"] == 2 and verdict["flagged"] == 1
    assert verdict["disagreements"] == []


def test_gate_reads_a_text_column_naming_a_statistic_as_the_source_rule_does():
    # the page's cells and the download's: a label column of medians typed as text is
    # refused by the gate too, and a released model's column of cumulative incidences
    # is not (one owner of the shielding: statistics.shielded_headers)
    from lifetools.disclosure import get_profile
    from lifetools.disclosure.statistics import STATISTIC_RULE
    from lifetools.disclosure.table_cells import cell_findings

    profile = get_profile("default")

    head = ["Characteristic", "Development: median (quartiles)"]
    rows = [["Age (years)", "42.0 (30.0 to 55.0)"]]
    typed = {"rules": {"label_headers": head, "count_cols": []}}
    assert STATISTIC_RULE in {r for r, _ in cell_findings(head, rows, typed, profile, {})}
    released = {"rules": {"label_headers": head, "estimate_headers": [head[1]],
                          "count_cols": []}}
    assert STATISTIC_RULE not in {r for r, _ in cell_findings(head, rows, released, profile, {})}
