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
from property_examples import examples

from lifetools import disclosure
from lifetools.errors import DisclosureError


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
    t = disclosure.protect_counts(_frame([500, 400, 60], [40, 30, 20]),
                                  ["people", "crises"])
    assert t.frame["crises"].tolist() == [40, 30, 20]
    assert not t.record.suppressed


def test_outcome_of_none_of_a_shown_group_is_hidden():
    # "0 crises" beside 60 people says something about every one of them (group
    # disclosure), whatever the group's size; read from the published counts
    t = disclosure.protect_counts(_frame([500, 400, 60], [40, 30, 0]),
                                  ["people", "crises"])
    assert t.frame["crises"].isna().tolist() == [False, False, True]
    assert (2, "crises", "group disclosure") in t.record.suppressed
    assert t.frame["people"].tolist() == [500, 400, 60]


def test_outcome_equal_to_its_group_is_shown():
    # 60 crises among 60 people need not be one each (a person may have several)
    t = disclosure.protect_counts(_frame([500, 400, 60], [40, 30, 61]),
                                  ["people", "crises"])
    assert t.frame["crises"].tolist() == [40, 30, 60]


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


@settings(deadline=None, max_examples=examples(200))
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


@pytest.mark.parametrize("group", ["Referrals", "Caseload"])
def test_a_declared_group_size_under_another_name_is_protected_the_same_way(group):
    # the group size is declared, not guessed from the name "people"
    frame = _frame([500, 400, 6], [40, 30, 0]).rename(columns={"people": group})
    t = disclosure.protect_counts(frame, [group, "crises"], denominator=group)
    assert t.record.denominator == group
    assert t.frame["crises"].isna().tolist() == [False, False, True]
    assert (2, "crises", "denominator suppressed") in t.record.suppressed
    # undeclared, the same table hides only the group size itself
    loose = disclosure.protect_counts(frame, [group, "crises"])
    assert loose.record.denominator is None
    assert loose.frame["crises"].tolist() == [40, 30, 0]


def test_the_declared_group_size_follows_the_table_and_is_stamped():
    from lifetools.disclosure.downloads import header_rules

    frame = _frame([500, 400, 6], [40, 30, 0]).rename(columns={"people": "Caseload"})
    t = disclosure.protect_counts(frame, ["Caseload", "crises"], denominator="Caseload")
    assert header_rules(t)["denominator_header"] == "Caseload"
    assert t.rows([True, False, True]).record.denominator == "Caseload"
    assert t.sort_values("crises").record.denominator == "Caseload"
    renamed = t.rename(columns={"Caseload": "Referrals"})
    assert renamed.record.denominator == "Referrals"
    assert header_rules(renamed)["denominator_header"] == "Referrals"
    assert t.select(["group", "crises"]).record.denominator is None
    shares = disclosure.protected_shares(frame, ["Caseload", "crises"],
                                         denominator="Caseload")
    assert shares.record.denominator == "Caseload"
    hidden = shares.frame["Caseload"].isna()  # with secondary suppression (totals)
    assert hidden.iloc[2] and (shares.frame["crises"].isna() >= hidden).all()
    # the default keeps existing call sites: "people" when it is a count column
    assert disclosure.protect_counts(_frame([5, 60], [0, 3]),
                                     ["people", "crises"]).record.denominator == "people"


def test_a_declared_group_size_must_be_a_count_column():
    frame = _frame([500, 6], [40, 0]).rename(columns={"people": "Referrals"})
    with pytest.raises(KeyError, match="'Referrals'"):
        disclosure.protect_counts(frame, ["crises"], denominator="Referrals",
                                  not_counts=["Referrals"])
    t = disclosure.protect_counts(frame, ["Referrals", "crises"], denominator="Referrals")
    with pytest.raises(DisclosureError, match="group size"):
        disclosure.require_table(t, denominator="crises")
