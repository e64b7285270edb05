"""A published rate recomputed from the published cells beside it (issue 12, wave 21).

The gate could not check a rate against its numerator and denominator: the multiplier
(per 1, per 1,000 person-years) was not recorded. ``rates_table`` now records it
(``ProtectionRecord.rates``, stamped as ``rate_headers``) and
:func:`lifetools.disclosure.rate_check.rate_findings` verifies each rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifetools.disclosure import get_profile, rates_table
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
        "Rate": {"numerator": "Events", "denominator": "Person-years", "per": 1000.0}}
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
                      "numerator: it gives the hidden cell back")]


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


@settings(max_examples=60)
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
