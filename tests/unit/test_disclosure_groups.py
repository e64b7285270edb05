"""Group (class) disclosure (lifetools.disclosure.groups): the rule's parts, the
makers' agreement with the gate's check, and the sentence on the methods page."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifetools import disclosure
from lifetools.disclosure import PROFILES, group_sentence
from lifetools.disclosure.downloads import header_rules, shown_frame
from lifetools.disclosure.groups import (
    extreme_share,
    group_findings,
    whole_group,
    whole_group_cells,
)
from lifetools.labels import column_label


@pytest.mark.parametrize(("values", "whole"), [
    ([40, 0], True), ([0, 40, 0], True), ([40, 5], False), ([0, 0], False),
    ([40], False), ([40, None], False), ([40, float("nan"), 0], False),
    ([40, 10, 0], False)])
def test_whole_group_one_cell_above_zero_and_the_rest_zero(values, whole):
    assert whole_group(values) is whole


def test_whole_group_cells_hides_the_zeros_and_outcomes_of_none():
    published = np.array([[40, 0, 0], [30, 10, 20]], dtype=float)
    rows = [[0, 1, 2], [3, 4, 5]]
    assert whole_group_cells(published, rows).tolist() == [
        [False, True, True], [False, False, False]]
    # column 0 the group size: an outcome of 0 is hidden; one equal to the group size
    # is not read as all of it (40 attendances among 40 people)
    sized = np.array([[60, 0, 20], [60, 60, 10], [np.nan, 0, 0]], dtype=float)
    assert whole_group_cells(sized, [], 0).tolist() == [
        [False, True, False], [False, False, False], [False, False, False]]


@pytest.mark.parametrize(("value", "digits", "extreme"), [
    (100.0, 1, True), (0.0, 1, True), (99.96, 1, True), (99.96, 2, False),
    (0.04, 1, True), (50.0, 1, False), (None, 1, False)])
def test_extreme_share_as_written(value, digits, extreme):
    assert extreme_share(value, digits) is extreme


def _findings(table) -> list:
    shown = shown_frame(table)
    head = [column_label(c) for c in shown.columns]
    return group_findings(head, shown.values.tolist(),
                          {**table.rules, **header_rules(table)})


@settings(deadline=None, max_examples=60)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(
    st.lists(st.sampled_from([0, 0, 3, 9, 40, 120]), min_size=width, max_size=width),
    min_size=1, max_size=5)), st.sampled_from(["columns", "rows", "both"]))
def test_protected_tables_never_show_a_whole_group_the_gate_refuses(rows, totals):
    # the makers and the gate's check agree: what protect_counts publishes passes
    frame = pd.DataFrame(rows, columns=[f"c{j}" for j in range(len(rows[0]))])
    frame.insert(0, "group", [f"g{i}" for i in range(len(frame))])
    cols = [c for c in frame.columns if c != "group"]
    table = disclosure.protect_counts(frame, cols, totals=totals)
    assert _findings(table) == []


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.sampled_from([0, 5, 12, 60, 200]),
                          st.sampled_from([0, 3, 12, 60, 200])), min_size=1, max_size=6))
def test_group_size_tables_never_show_an_outcome_of_none_or_a_share_of_all(rows):
    frame = pd.DataFrame({"group": [f"g{i}" for i in range(len(rows))],
                          "people": [max(a, b) for a, b in rows],
                          "crises": [min(a, b) for a, b in rows]})
    table = disclosure.protect_counts(frame, ["people", "crises"])
    assert _findings(table) == []
    shares = disclosure.shares_table(frame, numerator="crises", denominator="people")
    assert _findings(shares) == []
    assert not any(v in (0.0, 100.0) for v in shares.frame["per_cent"].dropna())


def test_the_old_pattern_is_found_in_each_kind_of_table():
    rules = {"count_headers": ["A", "B"], "totals": "rows"}
    assert group_findings(["Group", "A", "B"], [["x", "40", "0"]], rules)
    assert not group_findings(["Group", "A", "B"], [["x", "40", "[c]"]], rules)
    blocks = {"count_headers": ["N"], "totals": "columns", "totals_by_header": "C"}
    rows = [["Sex", "Female", "40"], ["Sex", "Male", "0"], ["Age", "Old", "20"],
            ["Age", "Young", "0"]]
    assert group_findings(["C", "Group", "N"], rows, blocks)
    # without a published total the cells are not a group: nothing to find
    assert not group_findings(["C", "Group", "N"], rows, {"count_headers": ["N"]})
    sized = {"count_headers": ["People", "Crises"], "denominator_header": "People"}
    assert group_findings(["Group", "People", "Crises"], [["x", "60", "0"]], sized)
    assert not group_findings(["Group", "People", "Crises"], [["x", "60", "60"]], sized)
    assert not group_findings(["Group", "People", "Crises"], [["x", "60", "20"]], sized)
    share = {"share_headers": {"Per cent": "group", "Share %": "breakdown"}}
    assert group_findings(["Q", "Per cent"], [["q", "100.0"]], share)
    assert group_findings(["Q", "Per cent"], [["q", "0.0"]], share)
    assert group_findings(["Q", "Share %"], [["q", "100.00"], ["r", "0.0"]], share)
    assert not group_findings(["Q", "Share %"], [["q", "0.0"]], share)  # a zero cell
    # a block of one row is 100% of itself (structural): "Quintiles 1 to 5 or not known"
    assert not group_findings(["Q", "Share %"], [["q", "100.00"]], share)
    by = {**share, "totals_by_header": "C"}
    assert not group_findings(["C", "Q", "Share %"], [["a", "q", "100.0"],
                                                      ["b", "r", "100.0"]], by)
    assert group_findings(["C", "Q", "Share %"], [["a", "q", "100.0"],
                                                  ["a", "r", "0.0"]], by)
    assert not group_findings(["Q", "Per cent"], [["q", "99.9"], ["r", "[c]"]], share)


def test_a_breakdown_of_all_of_a_group_hides_its_block():
    frame = pd.DataFrame({"characteristic": ["Sex"] * 3 + ["Accommodation"] * 2,
                          "group": ["Female", "Male", "Other", "Settled", "Not settled"],
                          "n": [40, 0, 0, 25, 15]})
    table = disclosure.protected_shares(frame, ["n"], by="characteristic")
    assert table.frame["n"].isna().tolist() == [False, True, True, False, False]
    assert table.frame["n %"].isna().tolist() == [True, True, True, False, False]
    assert (1, "n", "group disclosure") in table.record.suppressed
    assert _findings(table) == []


def test_a_profile_without_the_rule_shows_zeros_and_shares_as_they_are():
    loose = dataclasses.replace(PROFILES["default"], name="loose",
                                group_disclosure=False)
    assert disclosure.share(40, 40, profile=loose).value == 100.0
    frame = pd.DataFrame({"g": ["a", "b"], "x": [40, 30], "y": [0, 20]})
    table = disclosure.protect_counts(frame, ["x", "y"], totals="rows", profile=loose)
    assert table.frame["y"].tolist() == [0, 20]
    assert "not ruled" in group_sentence(loose)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_methods_page_states_the_group_rule_of_every_profile(name):
    page = (Path(__file__).resolve().parents[2] / "book" / "methods" /
            "disclosure-control.md").read_text()
    assert PROFILES[name].group_disclosure
    assert " ".join(group_sentence(name).split()) in " ".join(page.split())


def test_a_breakdown_of_one_row_shows_its_share_of_itself():
    # every deprivation row combined into one group: 100% by definition (structural)
    frame = pd.DataFrame({"characteristic": ["Deprivation"], "group": ["All"],
                          "n": [120]})
    table = disclosure.protected_shares(frame, ["n"], by="characteristic")
    assert table.frame["n %"].tolist() == [100.0]
    assert _findings(table) == []


def test_shares_table_hides_the_numerator_of_a_share_of_all_or_none():
    frame = pd.DataFrame({"q": ["a", "b", "c"], "responses": [10, 40, 40],
                          "agreeing": [10, 22, 0]})
    table = disclosure.shares_table(frame, numerator="agreeing", denominator="responses")
    assert table.frame["agreeing"].isna().tolist() == [True, False, True]
    assert table.frame["per_cent"].isna().tolist() == [True, False, True]
    assert table.frame["responses"].tolist() == [10, 40, 40]
    assert _findings(table) == []
