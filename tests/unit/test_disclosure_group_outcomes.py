"""The group-size rule: an outcome beside a hidden group size is hidden too (issue #12).

"people [c], crises 0" says that every member of a group of 1 to 10 people had no
crisis (group attribute disclosure); an outcome equal to a secondarily hidden group
size gives the size back. :func:`lifetools.disclosure.protect_counts` hides every other
count of a row whose ``people`` is hidden.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifetools import disclosure


def _frame(people, events):
    return pd.DataFrame({"group": [f"g{i}" for i in range(len(people))],
                         "people": people, "crises": events})


@pytest.mark.parametrize("events", [0, 3, 6])
def test_outcome_beside_a_hidden_group_is_hidden(events):
    t = disclosure.protect_counts(_frame([500, 400, 6], [40, 30, events]),
                                  ["people", "crises"])
    assert t.frame["people"].isna().tolist() == [False, False, True]
    assert t.frame["crises"].isna().tolist() == [False, False, True]
    reason = "denominator suppressed" if events == 0 else "primary"
    assert (2, "crises", reason) in t.record.suppressed
    assert t.is_suppressed(2, "crises")


def test_outcome_beside_a_shown_group_is_shown():
    t = disclosure.protect_counts(_frame([500, 400, 60], [40, 30, 0]),
                                  ["people", "crises"])
    assert t.frame["crises"].tolist() == [40, 30, 0]
    assert not t.record.suppressed


def test_without_a_people_column_nothing_more_is_hidden():
    f = pd.DataFrame({"group": ["a", "b"], "users": [6, 400], "visits": [0, 900]})
    t = disclosure.protect_counts(f, ["users", "visits"])
    assert t.frame["visits"].tolist() == [0, 900]


def test_hidden_outcome_cannot_be_recovered_from_a_published_total():
    # crises hidden in one row only would be the column total minus the others
    t = disclosure.protect_counts(_frame([500, 400, 6], [40, 30, 0]),
                                  ["people", "crises"], totals="columns")
    frame = t.frame
    for col in ("people", "crises"):
        assert int(frame[col].isna().sum()) != 1, col


def test_switched_off_leaves_counts(recwarn):
    t = disclosure.protect_counts(_frame([500, 6], [40, 0]), ["people", "crises"],
                                  enabled=False)
    assert t.frame["crises"].tolist() == [40, 0]


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1,
                max_size=6),
       st.sampled_from([None, "columns"]))
def test_no_row_shows_an_outcome_beside_a_hidden_group(rows, totals):
    people = [max(a, b) for a, b in rows]
    events = [min(a, b) for a, b in rows]
    t = disclosure.protect_counts(_frame(people, events), ["people", "crises"],
                                  totals=totals)
    frame = t.frame
    for row in range(len(frame)):
        if pd.isna(frame.at[row, "people"]):
            assert pd.isna(frame.at[row, "crises"])
        elif people[row] < 1 + disclosure.active_profile().threshold:
            assert people[row] == 0  # only an empty group is shown this small
    if totals is not None and len(rows) > 1:  # one cell is its own total
        for col in ("people", "crises"):
            assert int(frame[col].isna().sum()) != 1
