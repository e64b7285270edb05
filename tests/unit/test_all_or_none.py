"""All or none of a group with an outcome, said in words (issue 12): the clause rule
``all-or-none-in-words`` (:mod:`lifetools.disclosure.all_or_none`) and the gate's
reading of it (:func:`lifetools.pipeline.gate.rules.all_or_none_findings`)."""

from __future__ import annotations

import pytest

from lifetools.disclosure.all_or_none import all_or_none_clause
from lifetools.pipeline.gate.rules import all_or_none_findings

LEAKS = [
    "None of the people in the most deprived fifth had a crisis.",
    "Everyone referred by team A06 was discharged.",
    "Everyone who was referred by team A06 was discharged.",
    "No one aged 65 or over was admitted to hospital.",
    "Nobody in the early intervention team was re-referred.",
    "All Life Rooms users from Sefton attended A&E at least once.",
    "Every person in the least deprived fifth improved.",
    "Of the people referred by team A06, none had an emergency admission.",
    "Each of the women from Knowsley had a crisis.",
    "Not one of the older adults used the Life Rooms.",
    "All of them were discharged before the end of the period.",
    "The whole cohort was discharged",
    "No Life Rooms users in the crisis team were readmitted",
    "Both men in the sample died",
    "Everybody in the most deprived fifth had at least one A&E attendance",
    "The users from Sefton were all admitted.",
    "They all died within a year.",
    "People in the most deprived fifth had no crises.",
    "| Sefton | Everyone was re-referred |",
    "<p>No one in <b>Sefton</b> was admitted.</p>",
]
SAFE = [  # cohort definitions, methods, comparisons, parts of a group
    "All people referred in the period are followed until discharge.",
    "All people referred to secondary mental health services in the period are included.",
    "Everyone is followed from referral until discharge, death or the end of the period.",
    "Everyone who used the Life Rooms was matched to two people who did not.",
    "Every person who had a crisis is counted once.",
    "Each person who died is censored at death.",
    "Each person's first referral in the period is used.",
    "A person who used the Life Rooms was matched to two who had not.",
    "All analyses were adjusted for age and sex.",
    "All counts are rounded to the nearest 5.",
    "No more than ten people were admitted.",
    "Life Rooms users had no more crises than other people.",
    "Most users had no crisis.",
    "None of the models converged.",
    "In all, the reach was wide.",
    "All users would be discharged eventually.",
    "The net benefit of treating everyone and of treating no one.",
    "Follow-up is complete for everyone, so the share with a crisis is the cumulative "
    "incidence.",
    "People in the most deprived fifth did not have fewer crises.",
]


@pytest.mark.parametrize("text", LEAKS)
def test_all_or_none_of_a_group_with_an_outcome_is_read(text):
    assert all_or_none_clause(text)
    assert [rule for rule, _ in all_or_none_findings(text)] == ["all-or-none-in-words"]


@pytest.mark.parametrize("text", SAFE)
def test_definitions_methods_and_parts_of_a_group_are_not_read(text):
    assert all_or_none_clause(text) == ""
    assert all_or_none_findings(text) == []


def test_the_clause_is_the_one_that_says_it_and_the_finding_does_not_quote_it():
    text = "People were referred in 2024-25. None of the people in Sefton had a crisis."
    assert all_or_none_clause(text) == "None of the people in Sefton had a crisis"
    assert "Sefton" not in all_or_none_findings(text)[0][1]


def test_the_rule_reads_only_where_the_profile_rules_group_disclosure():
    from dataclasses import replace

    from lifetools.disclosure import get_profile
    off = replace(get_profile("default"), group_disclosure=False)
    assert all_or_none_findings(LEAKS[0], off) == []
    assert all_or_none_findings(LEAKS[0], "default")


def test_a_sentence_wrapped_over_lines_is_one_clause_and_a_list_item_ends_one():
    assert all_or_none_clause("None of the people in the most deprived\nfifth had a "
                              "crisis.")
    assert all_or_none_clause("- All people referred in the period\n- Died in the "
                              "year") == ""
    assert all_or_none_clause("Discharged, had no one been transferred or died.") == ""
