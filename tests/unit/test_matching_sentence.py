"""The emergency care page's sentence on how many new users were matched (issue 15).

At 30,000 people the 2024-25 page said "205 people first used the Life Rooms; 205 of
them were matched": two rounded counts reading as nobody unmatched, whose difference a
reader would take for the unmatched count. The sentence now says "all" only when it is
exactly all, and otherwise says the smaller part through disclosure control.
"""

from __future__ import annotations

import re

import pytest

from lifetools.disclosure.profiles import use_profile
from lifetools.reports.comparison import matching_sentence

START = "During the period 205 people first used the Life Rooms; "


@pytest.mark.parametrize(("users", "matched", "said"), [
    # 3 left unmatched: never "205 of them" (both round to 205), said as suppressed
    (204, 201, START + "all but fewer than 8 of them were matched to a similar person "
     "who did not."),
    (205, 205, START + "all of them were matched to a similar person who did not."),
    (205, 0, START + "none of them could be matched to a similar person who did not."),
    (205, 165, START + "all but 40 of them were matched to a similar person who did "
     "not."),
    # most unmatched: the matched said, never a whole rounded "205 of them"
    (205, 3, START + "fewer than 8 of them were matched to a similar person who did "
     "not, and the rest could not be."),
    (205, 60, START + "60 of them were matched to a similar person who did not, and "
     "the rest could not be."),
    (5, 3, "During the period fewer than 8 people first used the Life Rooms; some of "
     "them were matched to a similar person who did not, and the rest could not be."),
    (0, 0, "During the period 0 people first used the Life Rooms, so the matched "
     "comparison could not be made."),
])
def test_matching_sentence_says_all_only_when_it_is_exactly_all(users, matched, said):
    with use_profile("default"):
        assert str(matching_sentence(users, matched)) == said


@pytest.mark.parametrize("users", range(1, 60))
def test_matching_sentence_never_states_a_part_shown_as_its_whole(users):
    # whatever the counts, the sentence says one part at most, never the users' count
    # twice ("n of n") and never "all" unless every user was matched
    with use_profile("default"):
        for matched in range(users + 1):
            text = str(matching_sentence(users, matched))
            numbers = re.findall(r"\d[\d,]*", text)
            assert len(numbers) <= 2
            if len(numbers) == 2:
                assert numbers[0] != numbers[1], text
            assert ("all of them" in text) == (matched == users), text


def test_matching_sentence_refuses_more_matched_than_users():
    with pytest.raises(ValueError, match="some of the users"):
        matching_sentence(10, 11)
