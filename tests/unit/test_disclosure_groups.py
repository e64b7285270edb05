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
from property_examples import examples

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


@settings(deadline=None, max_examples=examples(60))
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


@settings(deadline=None, max_examples=examples(60))
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


def test_shares_table_hides_the_numerator_of_a_share_that_reads_100_per_cent():
    """19,996 of 20,000 publish as 19,995 of 20,000, 99.975%, written "100.0%": the
    share is withheld (group disclosure, as written) and so is its numerator, which
    is not the group size (the people-outcome rule keeps it) but beside 20,000 would
    give the withheld share back."""
    frame = pd.DataFrame({"q": ["a", "b"], "responses": [20000, 200],
                          "agreeing": [19996, 40]})
    table = disclosure.shares_table(frame, numerator="agreeing", denominator="responses")
    assert table.frame["per_cent"].isna().tolist() == [True, False]
    assert table.frame["agreeing"].isna().tolist() == [True, False]
    assert (0, "agreeing", "group disclosure") in table.record.suppressed
    assert table.frame["responses"].tolist() == [20000, 200]
    assert _findings(table) == []


# a count of people of a row's group shown equal to the group size (issue 12, wave 19)

def test_whole_group_cells_hides_a_count_of_people_equal_to_its_group_size():
    sized = np.array([[60, 60, 60], [60, 55, 60], [np.nan, 5, 5], [0, 0, 0]],
                     dtype=float)
    # column 1 counts people of the group (declared); column 2 counts events
    assert whole_group_cells(sized, [], 0, [1]).tolist() == [
        [False, True, False], [False, False, False], [False, False, False],
        [False, False, False]]
    # not declared: an outcome equal to the group size is shown (40 attendances
    # among 40 people need not be one each)
    assert not whole_group_cells(sized, [], 0).any()


def test_protect_counts_hides_people_of_all_of_their_group_from_the_published_counts():
    frame = pd.DataFrame({"group": ["A", "B", "C", "D"],
                          "people": [60, 58, 200, 40],
                          "admitted": [60, 62, 120, 3],
                          "admissions": [60, 70, 150, 40]})
    frame["admitted"] = frame[["people", "admitted"]].min(axis=1)  # B: 58 of 58
    table = disclosure.protect_counts(frame, ["people", "admitted", "admissions"],
                                      people_outcomes=["admitted"])
    # A: 60 of 60; B: 58 of 58 published as 60 of 60 (the rule reads the published
    # numbers: "60, 60" reads as all whatever lies beneath); D: 40 admissions among
    # 40 people are events, shown
    assert table.frame["admitted"].isna().tolist() == [True, True, False, True]
    assert table.frame["admissions"].tolist() == [60, 70, 150, 40]
    assert (0, "admitted", "group disclosure") in table.record.suppressed
    assert (3, "admitted", "primary") in table.record.suppressed
    assert table.record.people_outcomes == ("admitted",)
    assert header_rules(table)["people_outcome_headers"] == [column_label("admitted")]
    assert _findings(table) == []
    # kept through the operations that keep a table protected
    renamed = table.rename(columns={"admitted": "Admitted"}).select(
        ["group", "people", "Admitted"])
    assert renamed.record.people_outcomes == ("Admitted",)
    assert disclosure.protect_counts(frame, ["people", "admitted", "admissions"]
                                     ).frame["admitted"].tolist()[:1] == [60]
    # not declared: not read as people


def test_a_hidden_count_of_people_is_protected_by_secondary_suppression():
    frame = pd.DataFrame({"group": ["A", "B", "C"], "people": [60, 200, 300],
                          "admitted": [60, 120, 150]})
    table = disclosure.protect_counts(frame, ["people", "admitted"], totals="columns",
                                      people_outcomes=["admitted"])
    # A's 60 hidden, and the next smallest admitted so the column total cannot give it
    assert table.frame["admitted"].isna().tolist() == [True, True, False]
    assert [why for r, c, why in table.record.suppressed if c == "admitted"] == [
        "group disclosure", "secondary"]
    assert _findings(table) == []


def test_people_outcomes_must_be_counts_beside_a_group_size():
    frame = pd.DataFrame({"people": [60], "admitted": [30]})
    with pytest.raises(KeyError, match="people_outcomes"):
        disclosure.protect_counts(frame, ["people"], people_outcomes=["admitted"])
    with pytest.raises(KeyError, match="group size"):
        disclosure.protect_counts(frame, ["people", "admitted"], denominator=None,
                                  people_outcomes=["admitted"])
    with pytest.raises(KeyError, match="group size"):
        disclosure.protect_counts(frame, ["people", "admitted"],
                                  people_outcomes=["people"])


def test_the_gate_finds_a_count_of_people_equal_to_its_group_size():
    sized = {"count_headers": ["People", "Admitted"], "denominator_header": "People",
             "people_outcome_headers": ["Admitted"]}
    found = group_findings(["Group", "People", "Admitted"], [["x", "60", "60"]], sized)
    assert found and "an outcome of all of its row's group" in found[0][1]
    assert not group_findings(["Group", "People", "Admitted"], [["x", "60", "[c]"]],
                              sized)
    assert not group_findings(["Group", "People", "Admitted"], [["x", "60", "55"]],
                              sized)
    events = {**sized, "people_outcome_headers": []}  # attendances: events
    assert not group_findings(["Group", "People", "Admitted"], [["x", "60", "60"]],
                              events)


@settings(deadline=None, max_examples=examples(60))
@given(st.lists(st.tuples(st.sampled_from([0, 5, 12, 58, 60, 200]),
                          st.sampled_from([0, 3, 12, 58, 60, 200])), min_size=1,
                max_size=6), st.sampled_from([None, "columns"]))
def test_tables_of_people_never_show_all_of_a_group_the_gate_refuses(rows, totals):
    frame = pd.DataFrame({"group": [f"g{i}" for i in range(len(rows))],
                          "people": [max(a, b) for a, b in rows],
                          "admitted": [min(a, b) for a, b in rows]})
    table = disclosure.protect_counts(frame, ["people", "admitted"], totals=totals,
                                      people_outcomes=["admitted"])
    assert _findings(table) == []
    shown = table.frame.dropna()
    assert not ((shown["admitted"] == shown["people"]) & (shown["people"] > 0)).any()
    shares = disclosure.shares_table(frame, numerator="admitted", denominator="people")
    assert shares.record.people_outcomes == ("admitted",)
    assert _findings(shares) == []


def test_rates_of_people_hide_all_of_a_group_and_rates_of_events_do_not():
    people = pd.DataFrame({"fifth": [1] * 40 + [2] * 100,
                           "used": [1] * 40 + [1] * 30 + [0] * 70, "years": 1.0})
    used = disclosure.rates_table(people, group_cols="fifth", event_col="used",
                                  person_time_col="years", per=1000,
                                  events_are_people=True)
    # fifth 1: 40 users among 40 people (1,000 per 1,000): hidden with its rate
    assert used.frame["events"].isna().tolist() == [True, False]
    assert used.frame["rate"].isna().tolist() == [True, False]
    assert _findings(used) == []
    visits = people.assign(used=1)
    events = disclosure.rates_table(visits, group_cols="fifth", event_col="used",
                                    person_time_col="years")
    assert events.frame["events"].tolist() == [40, 100]  # events: shown
    with pytest.raises(ValueError, match="other than 0 and 1"):
        disclosure.rates_table(people.assign(used=2), group_cols="fifth",
                               event_col="used", person_time_col="years",
                               events_are_people=True)


def test_model_levels_count_people_only_for_a_yes_no_outcome_of_one_row_a_person():
    from lifetools.disclosure.models import _events_are_people
    data = pd.DataFrame({"id": [1, 2, 3], "crisis": [0, 1, 1], "ae": [0, 2, 1],
                         "people": 1})
    assert _events_are_people(data, "crisis", None)
    assert _events_are_people(data, "crisis", "id")
    assert not _events_are_people(data, "ae", None)  # attendances: events
    assert not _events_are_people(data, "people", None)  # a unit: the rows themselves
    assert not _events_are_people(pd.concat([data, data]), "crisis", "id")


def test_show_table_refuses_a_protected_table_whose_people_were_not_declared():
    from lifetools.disclosure.counts import require_table
    from lifetools.errors import DisclosureError
    frame = pd.DataFrame({"group": ["A"], "people": [60], "admitted": [60]})
    loose = disclosure.protect_counts(frame, ["people", "admitted"])
    with pytest.raises(DisclosureError, match="'admitted' is not a count of people"):
        require_table(loose, name="admitted", people_outcomes=["admitted"])
    declared = disclosure.protect_counts(frame, ["people", "admitted"],
                                         people_outcomes=["admitted"])
    assert require_table(declared, people_outcomes=["admitted"]) is declared


def test_two_protected_tables_merged_keep_their_counts_of_people():
    people = disclosure.protect_counts(
        pd.DataFrame({"group": ["A", "B"], "people": [60, 200], "admitted": [60, 90]}),
        ["people", "admitted"], people_outcomes=["admitted"])
    visits = disclosure.protect_counts(
        pd.DataFrame({"group": ["A", "B"], "visits": [300, 400]}), ["visits"])
    merged = people.merge(visits, on="group")
    assert merged.record.denominator == "people"
    assert merged.record.people_outcomes == ("admitted",)
    assert merged.frame["admitted"].isna().tolist() == [True, False]
    assert _findings(merged) == []
