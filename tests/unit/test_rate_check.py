"""A published rate recomputed from the published cells beside it (issue 12, wave 21),
and its confidence limits too (wave 22).

The gate could not check a rate against its numerator and denominator: the multiplier
(per 1, per 1,000 person-years) was not recorded. ``rates_table`` now records it
(``ProtectionRecord.rates``, stamped as ``rate_headers``) and
:func:`lifetools.disclosure.rate_check.rate_findings` verifies each rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from property_examples import examples

from lifetools.disclosure import get_profile, poisson_interval, rates_table
from lifetools.disclosure.derived import GARWOOD
from lifetools.disclosure.downloads import header_rules, shown_frame
from lifetools.disclosure.rate_check import RATE_RULE, rate_findings, read_number
from lifetools.labels import column_label

PROFILE = get_profile("default")


def _table(per: float = 1.0, people: int = 40, years: float = 1.37, events=(1, 0)):
    frame = pd.DataFrame({"group": ["Sefton"] * people + ["Knowsley"] * people,
                          "events": list(events) * people,
                          "years": [years] * (2 * people)})
    return rates_table(frame, group_cols="group", event_col="events",
                       person_time_col="years", per=per, profile=PROFILE)


def _cells(table) -> tuple[list[str], list[list[str]], dict]:
    shown = shown_frame(table)
    head = [column_label(c) for c in shown.columns]
    return head, shown.to_numpy().tolist(), header_rules(table)


def test_rates_table_records_its_multiplier():
    table = _table(per=1000)
    assert table.record.rates == (("rate", "events", "person_years", 1000.0),)
    assert header_rules(table)["rate_headers"] == {
        "Rate": {"numerator": "Events", "denominator": "Person-years", "per": 1000.0,
                 "lower": "Lower 95% limit", "upper": "Upper 95% limit",
                 "interval": GARWOOD}}
    # kept through a rename and a selection (a left-out numerator is named "")
    renamed = table.rename(columns={"rate": "rate_per_1000"})
    assert renamed.record.rates == (("rate_per_1000", "events", "person_years", 1000.0),)
    assert table.select(["group", "rate", "person_years"]).record.rates == (
        ("rate", "", "person_years", 1000.0),)
    assert table.select(["group", "people"]).record.rates == ()


@pytest.mark.parametrize("per", [1.0, 1000.0, 100_000.0])
def test_rate_findings_pass_a_rules_rates(per):
    assert rate_findings(*_cells(_table(per=per)), PROFILE) == []


def test_rate_findings_refuse_a_hand_edited_rate_naming_column_and_row():
    head, rows, stamped = _cells(_table(per=1000))
    at = head.index("Rate")
    rows[1][at] = "381.82"  # 21 events over 55 person-years: the unrounded count
    found = rate_findings(head, rows, stamped, PROFILE)
    assert found and {r for r, _ in found} == {RATE_RULE}
    assert all("column 'Rate', row 2" in d and "381" not in d for _, d in found)
    assert any("not 1000 x the published numerator" in d for _, d in found)
    assert any("gives back a count" in d for _, d in found)


def test_rate_findings_refuse_a_rate_giving_back_a_small_count_without_its_numerator():
    # no events column: 0.13 x 55 person-years = 7.15 (7.1 to 7.4): only 7 fits
    head, rows, stamped = _cells(_table().select(["group", "person_years", "rate"]))
    rows[0][head.index("Rate")] = "0.13"
    found = rate_findings(head, rows, stamped, PROFILE)
    assert found == [(RATE_RULE, "column 'Rate', row 1: the rate x the published "
                      "person-time / 1 gives back a count the rules would not publish "
                      "(1 to the threshold, or not rounded)")]
    rows[0][head.index("Rate")] = "0.36"  # 20 events: published as they are
    assert rate_findings(head, rows, stamped, PROFILE) == []


def test_rate_findings_refuse_a_rate_beside_a_hidden_numerator():
    head, rows, stamped = _cells(_table())
    rows[0][head.index("Events")] = "[c]"
    found = rate_findings(head, rows, stamped, PROFILE)
    assert found == [(RATE_RULE, "column 'Rate', row 1: a rate shown beside a hidden "
                      "numerator: it gives the hidden cell back"),
                     # and its limits, which give it back as well (wave 22)
                     (RATE_RULE, "column 'Lower 95% limit', row 1: a confidence limit "
                      "shown beside a hidden numerator: it gives the hidden cell back")]


@pytest.mark.parametrize("per", [None, 0, "per 1,000", float("nan")])
def test_rate_findings_refuse_a_rate_without_a_usable_multiplier(per):
    head, rows, stamped = _cells(_table())
    stamped["rate_headers"]["Rate"]["per"] = per
    assert [r for r, _ in rate_findings(head, rows, stamped, PROFILE)] == [RATE_RULE]


def test_read_number_reads_one_number_and_its_places():
    assert read_number("1,234.50") == (1234.5, 2)
    assert read_number("\u22120.3") == (-0.3, 1)
    assert read_number("55") == (55.0, 0)
    assert read_number("[c]") is None and read_number("1.2 (0.8 to 1.9)") is None


@settings(max_examples=examples(60))
@given(people=st.integers(10, 300), years=st.floats(0.2, 3.0),
       share=st.floats(0.0, 1.0), per=st.sampled_from([1.0, 100.0, 1000.0]),
       shift=st.floats(0.011, 5.0))
def test_rate_findings_pass_every_rule_made_rate_and_refuse_it_moved(people, years, share,
                                                                     per, shift):
    events = np.zeros(people, dtype=int)
    events[:round(share * people)] = 1
    frame = pd.DataFrame({"group": ["a"] * people, "events": events,
                          "years": [years] * people})
    table = rates_table(frame, group_cols="group", event_col="events",
                        person_time_col="years", per=per, profile=PROFILE)
    head, rows, stamped = _cells(table)
    assert rate_findings(head, rows, stamped, PROFILE) == []
    at = head.index("Rate")
    shown = read_number(rows[0][at])
    if shown is None:  # hidden with its inputs
        return
    moved = shown[0] * (1 + shift) + 0.011  # beyond half a unit of the 2 places shown
    rows[0][at] = f"{moved:.2f}"
    assert any("published numerator" in d
               for _, d in rate_findings(head, rows, stamped, PROFILE))


def test_cell_findings_refuse_a_hand_edited_rate_on_the_page():
    from lifetools.disclosure.table_cells import cell_findings

    head, rows, stamped = _cells(_table(per=1000))
    mark = {"rules": {**_table(per=1000).rules, **stamped}}
    assert not [f for f in cell_findings(head, rows, mark, PROFILE, {}) if f[0] == RATE_RULE]
    rows[0][head.index("Rate")] = "381.82"
    assert [d for r, d in cell_findings(head, rows, mark, PROFILE, {})
            if r == RATE_RULE and "column 'Rate', row 1" in d]


def test_rates_over_people_names_the_people_count_as_the_rates_denominator():
    # one person-year a person, per 1,000 people: the reach page's equity table
    from lifetools.disclosure import rates_over

    frame = pd.DataFrame({"group": ["a"] * 60 + ["b"] * 90, "used": [1, 0, 0] * 50,
                          "one": [1.0] * 150})
    table = rates_over(rates_table(frame, group_cols="group", event_col="used",
                                   person_time_col="one", per=1000, profile=PROFILE,
                                   events_are_people=True), "people")
    assert "person_years" not in table.columns
    assert table.record.rates == (("rate", "events", "people", 1000.0),)
    head, rows, stamped = _cells(table)
    assert stamped["rate_headers"]["Rate"]["denominator"] == "People"
    assert rate_findings(head, rows, stamped, PROFILE) == []
    rows[0][head.index("Rate")] = "350.00"  # 21 of 60
    assert [r for r, _ in rate_findings(head, rows, stamped, PROFILE)] == [RATE_RULE] * 2


# -- the rate's confidence limits (issue 12, wave 22) ----------------------------------
# An exact (Garwood) interval is a function of the count alone: computed from the raw
# count it gives the raw count back beside the rounded one. rates_table computes it
# from the published events over the published person-years, and records the limits
# and their method; the gate recomputes them from the published cells.

LOWER, UPPER = "Lower 95% limit", "Upper 95% limit"


def _raw_events_table(per: float = 1.0):
    # 22 events (published 20) over 40 people of 1.37 years (54.8, published 55)
    frame = pd.DataFrame({"group": ["Sefton"] * 40, "events": [1] * 22 + [0] * 18,
                          "years": [1.37] * 40})
    return rates_table(frame, group_cols="group", event_col="events",
                       person_time_col="years", per=per, profile=PROFILE)


def test_rates_table_limits_are_garwoods_of_the_published_counts_not_the_raw():
    # R: poisson.test(20)$conf.int = 12.21652 30.88838
    assert poisson_interval(20) == pytest.approx((12.21652, 30.88838), abs=5e-6)
    assert poisson_interval(22)[0] > 13  # the raw count's limits differ at 2 places
    frame = _raw_events_table(per=1000).frame
    assert (frame.at[0, "events"], frame.at[0, "person_years"]) == (20, 55.0)
    assert frame.at[0, "ci_lower"] == pytest.approx(1000 * 12.21652 / 55, abs=1e-3)
    assert frame.at[0, "ci_upper"] == pytest.approx(1000 * 30.88838 / 55, abs=1e-3)
    assert _raw_events_table().record.intervals == (
        ("rate", "ci_lower", "ci_upper", GARWOOD),)


def test_rate_limits_recorded_through_rename_and_selection():
    table = _table(per=1000)
    renamed = table.rename(columns={"ci_lower": "low", "rate": "r"})
    assert renamed.record.intervals == (("r", "low", "ci_upper", GARWOOD),)
    assert table.select(["group", "rate", "ci_upper"]).record.intervals == (
        ("rate", "", "ci_upper", GARWOOD),)
    assert table.select(["group", "people"]).record.intervals == ()


@pytest.mark.parametrize("per", [1.0, 1000.0, 100_000.0])
def test_rate_limits_of_the_rule_pass(per):
    assert rate_findings(*_cells(_raw_events_table(per)), PROFILE) == []


@pytest.mark.parametrize(("column", "raw"), [(LOWER, 0), (UPPER, 1)])
def test_rate_limits_from_the_raw_count_are_refused_naming_column_and_row(column, raw):
    head, rows, stamped = _cells(_raw_events_table(per=1000))
    # the limit as the raw 22 events over the published 55 person-years give it
    rows[0][head.index(column)] = f"{1000 * poisson_interval(22)[raw] / 55:.2f}"
    found = rate_findings(head, rows, stamped, PROFILE)
    assert found == [(RATE_RULE, f"column {column!r}, row 1: the confidence limits are "
                      "not the exact Poisson limits of the published numerator over the "
                      "published denominator, times 1000, to the places they are written "
                      "with (edited, or made from unrounded counts: an exact interval "
                      "gives back the count it was computed from)")]


def test_rate_limits_beside_a_hidden_rate_or_input_are_refused():
    head, rows, stamped = _cells(_raw_events_table())
    hidden = [row[:] for row in rows]
    hidden[0][head.index("Rate")] = "[c]"
    assert rate_findings(head, hidden, stamped, PROFILE) == [
        (RATE_RULE, f"column {LOWER!r}, row 1: a confidence limit shown beside a hidden "
         "rate: it gives the hidden cell back")]
    rows[0][head.index("Person-years")] = "[c]"
    assert (RATE_RULE, f"column {LOWER!r}, row 1: a confidence limit shown beside a "
            "hidden denominator: it gives the hidden cell back") in rate_findings(
                head, rows, stamped, PROFILE)


@pytest.mark.parametrize("method", [None, "Wald", "exact Poisson"])
def test_rate_limits_of_a_method_the_gate_cannot_recompute_are_refused(method):
    head, rows, stamped = _cells(_raw_events_table())
    stamped["rate_headers"]["Rate"]["interval"] = method
    assert rate_findings(head, rows, stamped, PROFILE) == [
        (RATE_RULE, "column 'Rate': the record of its interval names no method the gate "
         "recomputes (an exact Poisson or a published Wilson interval): its limits "
         "cannot be verified")]


def test_rate_limits_without_the_numerator_are_some_publishable_counts():
    # no events column: the rate 0.36 over 55 person-years allows 19.5 to 20.1 events,
    # of which only 20 is published; limits of 20 pass, limits of 21 or 7 are refused
    table = _raw_events_table().select(["group", "person_years", "rate", "ci_lower",
                                        "ci_upper"])
    head, rows, stamped = _cells(table)
    assert rate_findings(head, rows, stamped, PROFILE) == []
    rows[0][head.index(UPPER)] = f"{poisson_interval(21)[1] / 55:.2f}"
    assert [r for r, _ in rate_findings(head, rows, stamped, PROFILE)] == [RATE_RULE]


@settings(max_examples=examples(60))
@example(people=137, years=2.0, share=0.25, per=1.0, side=UPPER)
@given(people=st.integers(10, 300), years=st.floats(0.2, 3.0),
       share=st.floats(0.0, 1.0), per=st.sampled_from([1.0, 100.0, 1000.0]),
       side=st.sampled_from([LOWER, UPPER]))
def test_rate_limits_of_every_rule_made_rate_pass_and_the_raw_counts_are_refused(
        people, years, share, per, side):
    events = np.zeros(people, dtype=int)
    events[:round(share * people)] = 1
    frame = pd.DataFrame({"group": ["a"] * people, "events": events,
                          "years": [years] * people})
    table = rates_table(frame, group_cols="group", event_col="events",
                        person_time_col="years", per=per, profile=PROFILE)
    head, rows, stamped = _cells(table)
    assert rate_findings(head, rows, stamped, PROFILE) == []
    published = read_number(rows[0][head.index("Events")])
    y = read_number(rows[0][head.index("Person-years")])
    raw = int(events.sum())
    if published is None or y is None or rows[0][head.index(side)] == "[c]":
        return  # hidden with its inputs
    limit = per * poisson_interval(raw)[side == UPPER] / y[0]
    expected = per * poisson_interval(published[0])[side == UPPER] / y[0]
    written = f"{limit:.2f}"
    rows[0][head.index(side)] = written
    found = rate_findings(head, rows, stamped, PROFILE)
    # refused exactly when the limit as written is more than half a unit of its last
    # place from the rule's (the written value, not the unrounded raw limit: a raw limit
    # 0.004 from the rule's can be written 0.01 from it; people=137, share=0.25, years=2)
    assert bool(found) == (abs(float(written) - expected)
                           > 0.005 * (1 + 1e-9) + 1e-12 * max(1.0, abs(expected)))


def _shares(agreeing=(13, 40, 3), asked=(47, 41, 50)):
    from lifetools.disclosure import shares_table

    frame = pd.DataFrame({"question": ["Felt welcome", "Would return", "Found help"],
                          "agreeing": list(agreeing), "asked": list(asked)})
    return shares_table(frame, numerator="agreeing", denominator="asked", profile=PROFILE)


def test_shares_table_records_each_share_and_its_limits_for_the_gate():
    # a share of people beside its counts was trusted by the gate: it recomputed rates
    # from the cells beside them, never shares (wave 42)
    from lifetools.disclosure.derived import PUBLISHED_WILSON

    head, rows, stamped = _cells(_shares())
    spec = stamped["rate_headers"][column_label("per_cent")]
    assert spec == {"numerator": column_label("agreeing"),
                    "denominator": column_label("asked"), "per": 100.0,
                    "lower": "Lower 95% limit", "upper": "Upper 95% limit",
                    "interval": PUBLISHED_WILSON}
    assert rate_findings(head, rows, stamped, PROFILE) == []


def test_share_from_unrounded_counts_edited_limit_or_beside_a_hidden_count_is_refused():
    head, rows, stamped = _cells(_shares())
    share_at, upper_at = head.index(column_label("per_cent")), head.index("Upper 95% limit")
    agreeing_at = head.index(column_label("agreeing"))
    assert rows[0][agreeing_at] == "15" and rows[0][share_at] == "33.3"  # 15 of 45
    for at, cell, said in (
            (share_at, "27.7", "not 100 x the published numerator"),  # 13 of 47, raw
            # the raw counts' Wilson limit (the published one is 54.4: the union over
            # every pair the published 15 of 45 could be rounded from)
            (upper_at, "41.8", "are not the Wilson (over the counts the published "
             "ones could be rounded from) limits"),
            (agreeing_at, "[c]", "a rate shown beside a hidden numerator")):
        edited = [list(row) for row in rows]
        edited[0][at] = cell
        found = rate_findings(head, edited, stamped, PROFILE)
        assert found and all(rule == RATE_RULE and "row 1" in detail
                             for rule, detail in found), (cell, found)
        assert any(said in detail for _, detail in found), (cell, found)


def _breakdown(profile=PROFILE):
    from lifetools.disclosure import protected_shares

    frame = pd.DataFrame({"characteristic": ["Sex"] * 2 + ["Age"] * 3,
                          "group": ["Female", "Male", "18-34", "35-64", "65+"],
                          "Secondary care": [214, 186, 150, 180, 70],
                          "Life Rooms users": [44, 36, 30, 47, 3]})
    return protected_shares(frame, ["Secondary care", "Life Rooms users"],
                            by="characteristic", profile=profile)


def test_breakdown_shares_are_recorded_and_pass_as_published():
    table = _breakdown()
    assert table.record.breakdown_shares == (("Secondary care %", "Secondary care"),
                                             ("Life Rooms users %", "Life Rooms users"))
    head, rows, stamped = _cells(table)
    assert stamped["breakdown_share_headers"] == {
        column_label("Secondary care %"): column_label("Secondary care"),
        column_label("Life Rooms users %"): column_label("Life Rooms users")}
    # the age block's users hold a hidden 3 (and its secondary cell): no share of it
    users = head.index(column_label("Life Rooms users %"))
    assert [row[users] for row in rows] == ["56.2", "43.8", "[c]", "[c]", "[c]"]
    assert rate_findings(head, rows, stamped, PROFILE) == []
    # kept through a rename; a left-out count is named ""
    renamed = table.rename(columns={"Life Rooms users %": "users_pct"})
    assert ("users_pct", "Life Rooms users") in renamed.record.breakdown_shares
    assert ("Secondary care %", "") in table.select(
        ["characteristic", "group", "Secondary care %"]).record.breakdown_shares


def test_breakdown_share_beside_a_hidden_count_or_not_of_one_total_is_refused():
    # the gate trusted a block's percentages: one shown beside a hidden count of its
    # block gives the hidden sum back (total = count / share; less the shown counts),
    # and one made from the unrounded counts passed (wave 42)
    head, rows, stamped = _cells(_breakdown())
    users, users_n = (head.index(column_label(c)) for c in
                      ("Life Rooms users %", "Life Rooms users"))
    care = head.index(column_label("Secondary care %"))
    cases = [  # (row, column, cell, words of the finding)
        (2, users, "37.5", "beside a hidden count of the block"),  # 30 of 80
        # 44 of 80 as counted, beside the published 45
        (0, users, "55.0", "not the published counts beside them over one total"),
        (0, care, "53.5", "not the published counts beside them over one total"),
        (1, users_n, "0", "above 0 beside a count of 0")]
    for row, at, cell, said in cases:
        edited = [list(r) for r in rows]
        edited[row][at] = cell
        found = rate_findings(head, edited, stamped, PROFILE)
        assert found and all(rule == RATE_RULE for rule, _ in found), (cell, found)
        assert any(said in detail for _, detail in found), (cell, found)
        assert all(f"row {row + 1}" in detail or "row 1" in detail
                   for _, detail in found), (cell, found)


def test_breakdown_shares_without_their_counts_are_checked_against_the_recorded_totals():
    # a selection without the count column was passed unchecked (wave 43): the record
    # keeps each block's published total; a stamp without it is refused
    table = _breakdown()
    assert table.record.breakdown_totals == (
        ("Secondary care %", "characteristic", (("Sex", 400), ("Age", 400))),
        ("Life Rooms users %", "characteristic", (("Sex", 80), ("Age", None))))
    picked = table.select(["characteristic", "group", "Life Rooms users %"])
    head, rows, stamped = _cells(picked)
    assert rate_findings(head, rows, stamped, PROFILE) == []
    # without the block column: the one block the rule showed shares of
    head, rows, stamped = _cells(table.select(["group", "Life Rooms users %"]))
    assert rate_findings(head, rows, stamped, PROFILE) == []
    head, rows, stamped = _cells(table.select(["group", "Secondary care %"]))
    assert any("cannot be told" in d for _, d in rate_findings(head, rows, stamped,
                                                                PROFILE))
    head, rows, stamped = _cells(picked)
    users = head.index(column_label("Life Rooms users %"))
    for row, cell, said in [(0, "55.0", "not a published count over its block's"),
                            (2, "37.5", "no published total")]:
        edited = [list(r) for r in rows]
        edited[row][users] = cell
        found = rate_findings(head, edited, stamped, PROFILE)
        assert found and all(f"row {row + 1}" in d for _, d in found), found
        assert any(said in d for _, d in found), found
    old = {k: v for k, v in stamped.items() if k != "breakdown_share_totals"}
    found = rate_findings(head, rows, old, PROFILE)
    assert found and "no record of the published total" in found[0][1]
