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
