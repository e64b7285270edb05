"""Participant flows: each step's excluded count protected as a count (issue 12, wave 22).

Rounding each row of a flow to 5 on its own let a reader subtract consecutive rows and
read a step's excluded count (1203 and 1200 people published as 1205 and 1200: "5
excluded", truly 3). ``lifetools.disclosure.flow`` hides a row where a step excludes 1
to the threshold, so two shown rows differ by 0 or by more than the threshold; the
publish gate checks it on the page and the CSV (``flow-step``).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifetools import disclosure
from lifetools.disclosure import PROFILES, protect_flow
from lifetools.disclosure.downloads import header_rules
from lifetools.disclosure.flow import (
    FLOW_RULE,
    PARENTS_KEY,
    ZERO_KEY,
    chain,
    flow_findings,
    raw_range,
    shown_children,
)
from lifetools.disclosure.table_cells import cell_findings
from lifetools.errors import DisclosureError

STEPS = ["Referrals in the extract", "accepted (not rejected)", "linked to a person",
         "alive at the start of follow-up"]


def _frame(counts, steps=None) -> pd.DataFrame:
    return pd.DataFrame({"step": steps or STEPS[:len(counts)], "n": counts})


def _shown(table) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in table.frame["n"].tolist()]


def test_flow_with_an_exclusion_of_3_hides_the_row_above_the_step():
    # 1203 -> 1200: three people excluded; each row alone rounds to 1205 and 1200
    table = protect_flow(_frame([1203, 1200, 1100, 1088]))
    assert _shown(table) == [None, 1200, 1100, 1090]
    assert table.is_suppressed(0, "n")
    assert table.record.flow == chain(4)


def test_flow_steps_merge_until_their_exclusion_is_above_the_threshold():
    # 1210 -> 1207 -> 1204 -> 1100: 3, 3 and 104 excluded; 1210 - 1204 = 6 is still
    # small, so both rows above the small steps are hidden, never the cohort
    hidden = disclosure.protect_counts(_frame([1210, 1207, 1204, 1100]), ["n"],
                                       parents=chain(4))
    assert _shown(hidden) == [None, None, 1205, 1100]
    # as published, the hidden second row's step is merged with the one below it
    table = protect_flow(_frame([1210, 1207, 1204, 1100]))
    assert _shown(table) == [None, 1205, 1100]
    assert table.frame["step"].tolist() == [
        STEPS[0], f"{STEPS[1]}; {STEPS[2]}", STEPS[3]]
    assert protect_flow(_frame([1204, 1204, 1100, 1100])).frame["n"].tolist() == \
        [1205, 1205, 1100, 1100]  # nobody excluded is no small count


def test_flow_of_disjoint_parts_protects_what_both_leave_out():
    # people -> users and comparison pool, disjoint: 3000 - 200 - 2795 = 5 left out
    frame = _frame([3000, 200, 2795], ["People", "Users", "Pool"])
    table = protect_flow(frame, parents=(None, 0, 0))
    assert _shown(table) == [None, 200, 2795]
    ok = protect_flow(_frame([3000, 200, 2780], ["People", "Users", "Pool"]),
                      parents=(None, 0, 0))
    assert _shown(ok) == [3000, 200, 2780]


def test_flow_whose_rows_are_not_nested_is_refused_naming_the_rows():
    with pytest.raises(ValueError, match=r"rows \[2\] count more than row 1"):
        protect_flow(_frame([100, 120]))
    with pytest.raises(ValueError, match="parent must be an earlier row"):
        protect_flow(_frame([100, 90]), parents=(None, 1))


def test_flow_row_hidden_by_the_count_rule_merges_its_step():
    # 20 -> 5 (suppressed) -> 0: 20 - 0 = 20 excluded between the shown rows, one
    # step of two
    assert _shown(disclosure.protect_counts(_frame([20, 5, 0]), ["n"],
                                            parents=chain(3))) == [20, None, 0]
    merged = protect_flow(_frame([20, 5, 0]))
    assert _shown(merged) == [20, 0] and merged.record.flow == (None, 0)
    # 12 -> 9 -> 9: the shown 12 and 9 differ by 3
    assert _shown(protect_flow(_frame([12, 9, 9]))) == [None, 10, 10]


def _findings(rows, profile="default", parents=True, name="flow"):
    stamped = {"count_headers": ["Number"], **({PARENTS_KEY: list(chain(len(rows)))}
                                                if parents else {})}
    return flow_findings(["Step", "Number"], [[f"s{i}", c] for i, c in enumerate(rows)],
                         stamped, PROFILES[profile], name=name)


def test_flow_findings_refuse_a_flow_table_not_protected_as_one():
    assert _findings(["1,205", "1,200"], parents=False)[0][0] == FLOW_RULE
    assert _findings(["1,205", "1,200"], parents=False, name="counts") == []
    assert _findings(["[c]", "1,200"]) == []


def test_flow_findings_read_a_small_exclusion_from_the_published_rows():
    # under threshold-10 (1-9 suppressed) 100 and 95 prove 1 to 9 excluded
    assert [r for r, _ in _findings(["100", "95"], "threshold-10")] == [FLOW_RULE]
    assert _findings(["100", "95"], "default") == []  # 1 to 9: 8 and 9 not suppressed
    assert "more people" in _findings(["100", "110"])[0][1]
    assert _findings(["100", "95", "0"]) == []


def test_flow_findings_refuse_a_step_shown_as_zero_not_recorded_as_one():
    # 1,200 then 1,200: truly 0, or 1 to 4 hidden by the rounding (wave 23); only a
    # step the stamp records as excluding nobody may be shown so
    found = _findings(["1,200", "1,200"])
    assert [r for r, _ in found] == [FLOW_RULE] and "excluding nobody" in found[0][1]
    stamped = {"count_headers": ["Number"], PARENTS_KEY: [None, 0, 1],
               ZERO_KEY: {"Number": [0]}}
    rows = [["a", "1,200"], ["b", "1,200"], ["c", "0"]]
    assert flow_findings(["Step", "Number"], rows, stamped, PROFILES["default"]) == []
    assert _findings(["0", "0"]) == []  # a row of 0 under a row of 0: exactly nobody


def test_flow_true_zero_step_is_recorded_and_passes():
    table = protect_flow(_frame([1200, 1200, 1190]))
    assert _shown(table) == [1200, 1200, 1190]
    assert header_rules(table)[ZERO_KEY] == {"Number": [0]}
    cells = [[str(int(v))] for v in table.frame["n"]]
    assert flow_findings(["Number"], cells, header_rules(table),
                         PROFILES["default"]) == []
    # the same published rows without the record: refused
    rules = {k: v for k, v in header_rules(table).items() if k != ZERO_KEY}
    assert flow_findings(["Number"], cells, rules, PROFILES["default"])


def test_flow_midpoint6_hides_a_step_of_a_few_shown_as_none():
    # midpoint 6 rounding (no threshold): 1013 and 1011 both show as 1011, a
    # difference of 0 for 2 people excluded; the upper row is hidden
    table = protect_flow(_frame([1013, 1011]), profile="opensafely-midpoint6")
    assert _shown(table) == [None, 1011]


def test_cell_findings_run_the_flow_rule_by_the_tables_name():
    mark = {"name": "flow", "rules": {"count_cols": ["n"], "count_headers": ["Number"]}}
    found = cell_findings(["Step", "Number"], [["a", "1,205"], ["b", "1,200"]], mark,
                          PROFILES["default"], {})
    assert FLOW_RULE in [r for r, _ in found]


EXCLUDED = st.lists(st.integers(0, 40), min_size=1, max_size=6)
"""The people each step of a generated flow excludes."""


def _chain(start: int, steps: list[int]) -> list[int]:
    """A flow's counts: ``start``, then each step's count less what it excludes."""
    counts = [start]
    for excluded in steps:
        counts.append(max(counts[-1] - excluded, 0))
    return counts


@given(start=st.integers(0, 3000), steps=EXCLUDED, name=st.sampled_from(sorted(PROFILES)))
def test_flow_no_two_shown_rows_differ_by_a_small_count(start, steps, name):
    counts = _chain(start, steps)
    p = PROFILES[name]
    table = disclosure.protect_counts(
        _frame(counts, [f"step {i}" for i in range(len(counts))]), ["n"],
        parents=chain(len(counts)), profile=p)
    shown = [not table.is_suppressed(i, "n") for i in range(len(counts))]
    hidden = [not s for s in shown]
    for row in range(len(counts)):
        if shown[row]:
            for kid in shown_children(chain(len(counts)), hidden, row):
                excluded = counts[row] - counts[kid]
                assert excluded == 0 or excluded > p.threshold
    # the published rows prove no small exclusion, and the cohort's last row is shown
    # unless the count rule hid it
    cells = [["[c]" if pd.isna(v) else str(int(v))] for v in table.frame["n"]]
    assert flow_findings(["Number"], cells, header_rules(table), p) == []
    if counts[-1] == 0 or counts[-1] > p.threshold:
        assert shown[-1]


def test_flow_protected_table_refuses_a_raw_row_put_back():
    table = protect_flow(_frame([1203, 1200]))
    with pytest.raises(DisclosureError):
        disclosure.require_table(table.frame.assign(n=[1203, 1200]), count_cols=["n"],
                                 name="flow")


@settings(deadline=None)
@given(start=st.integers(0, 3000), steps=EXCLUDED, split=st.booleans(),
       name=st.sampled_from(sorted(PROFILES)))
def test_flow_no_shown_step_lets_a_few_excluded_be_inferred(start, steps, split, name):
    """Whatever a reader works out from a shown flow (each shown count anywhere within
    its rounding), a step that excluded somebody is never shown as excluding nobody,
    nor proved to exclude 1 to the threshold; a difference shown as 0 is a true 0; the
    gate agrees (wave 23). ``split``: the last row is split into two disjoint parts
    of its parent (siblings)."""
    counts = _chain(start, steps)
    parents = list(chain(len(counts)))
    if split and len(counts) >= 3:  # the last two rows both parts of the one above them
        counts[-1] = max(counts[-3] - counts[-2] - steps[-1], 0)
        parents[-1] = len(counts) - 3
    p = PROFILES[name]
    table = disclosure.protect_counts(
        _frame(counts, [f"step {i}" for i in range(len(counts))]), ["n"],
        parents=parents, profile=p)
    shown = _shown(table)
    hidden = [v is None for v in shown]
    for row in range(len(counts)):
        kids = [] if hidden[row] else shown_children(parents, hidden, row)
        if not kids:
            continue
        excluded = counts[row] - sum(counts[k] for k in kids)
        most = raw_range(shown[row], p)[1] - sum(raw_range(shown[k], p)[0] for k in kids)
        difference = shown[row] - sum(shown[k] for k in kids)
        if excluded >= 1:
            assert difference > 0 and most > p.threshold
        if difference <= 0:
            assert excluded == 0
    cells = [["[c]" if v is None else str(v)] for v in shown]
    assert header_rules(table)["count_headers"] == ["Number"]
    assert flow_findings(["Number"], cells, header_rules(table), p) == []


def test_flow_three_hidden_steps_in_a_row_are_merged_into_one_step():
    # the 2024-25 discharge flow at 30,000 people showed three [c] rows in a row,
    # although the methods page says a hidden row's step is merged (issue 15, wave 42):
    # 5000 -> 4998 -> 4996 -> 4994 -> 4992 -> 4000: four steps of 2 (8 together),
    # then 992
    steps = ["Referrals in the extract", "accepted (not rejected)",
             "open at some time during the period", "people living in Sefton",
             "alive at the start of follow-up", "first such referral per person"]
    counts = [5000, 4998, 4996, 4994, 4992, 4000]
    rows = disclosure.protect_counts(_frame(counts, steps), ["n"], parents=chain(6))
    assert _shown(rows) == [5000, None, None, None, 4990, 4000]  # three rows hidden
    table = protect_flow(_frame(counts, steps))
    assert _shown(table) == [5000, 4990, 4000]
    assert table.frame["step"].tolist() == [
        steps[0], "accepted (not rejected); open at some time during the period; people "
        "living in Sefton; alive at the start of follow-up", steps[5]]
    assert table.record.flow == chain(3) and not table.record.suppressed
    cells = [[str(int(v))] for v in table.frame["n"]]
    assert flow_findings(["Number"], cells, header_rules(table), PROFILES["default"]) == []
    # no step above a first row; none below the cohort; a row with two parts is the
    # parent of both: each stays a [c] row (the crisis and emergency care flows)
    first = protect_flow(_frame([1203, 1200, 1100]))
    assert _shown(first) == [None, 1200, 1100]
    last = protect_flow(_frame([100, 90, 5]))
    assert _shown(last) == [100, 90, None]
    parts = protect_flow(_frame([3000, 2004, 200, 1800], ["People", "Alive", "a", "b"]),
                         parents=(None, 0, 1, 1))
    assert _shown(parts) == [3000, None, 200, 1800]
    assert parts.record.flow == (None, 0, 1, 1)


@given(start=st.integers(0, 3000), steps=EXCLUDED, name=st.sampled_from(sorted(PROFILES)))
def test_flow_merged_table_shows_the_same_counts_and_passes_the_gate(start, steps, name):
    counts = _chain(start, steps)
    frame = _frame(counts, [f"step {i}" for i in range(len(counts))])
    p = PROFILES[name]
    rows = disclosure.protect_counts(frame, ["n"], parents=chain(len(counts)), profile=p)
    table = protect_flow(frame, profile=p)
    shown = _shown(table)
    # every shown count kept, in order; the only hidden rows left are the first or last
    assert [v for v in shown if v is not None] == [v for v in _shown(rows) if v is not None]
    assert all(v is not None for v in shown[1:-1])
    assert shown[-1] == _shown(rows)[-1]
    assert " ".join(table.frame["step"]).count("step ") == len(counts)
    cells = [["[c]" if v is None else str(v)] for v in shown]
    assert flow_findings(["Number"], cells, header_rules(table), p) == []
