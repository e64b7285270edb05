"""The rules that say what count a derived number written to its places gives back
(:mod:`lifetools.disclosure.rules`): the rate check's, and the gate's check of a text's
shares and of a model's number that is a count cast to decimals (issue 12, wave 43)."""

from __future__ import annotations

import math

import pytest

from lifetools.disclosure import get_profile
from lifetools.disclosure.rules import (
    count_cast_to_decimals,
    publishable_between,
    unpublishable_between,
)
from lifetools.disclosure.text import share_pair_problem


@pytest.mark.parametrize(("low", "high", "publishable", "unpublishable"), [
    (9.99, 10.01, True, False),    # 10: a multiple of 5
    (11.99, 12.01, False, True),   # 12 only: unrounded
    (2.9, 3.1, False, True),       # 3: under the threshold
    (-0.1, 0.1, True, False),      # 0 is published
    (8.7, 8.8, False, False),      # no whole number: no count given back
    (0.0, 20_000.0, True, False),  # too wide to hold one count
])
def test_implied_counts(low, high, publishable, unpublishable):
    assert publishable_between(low, high, "default") is publishable
    assert unpublishable_between(low, high, "default") is unpublishable


@pytest.mark.parametrize(("value", "cast"), [
    (2634.0, True), (12.0, True), (3.0, True), (-12.0, True),
    (2635.0, False), (1.0, False), (0.0, False), (-1.0, False), (2.5, False),
    (math.inf, False), (math.nan, False), (True, False), ("12", False), (None, False),
])
def test_count_cast_to_decimals(value, cast):
    assert count_cast_to_decimals(value, "default") is cast


def test_midpoint_profile_counts():
    p = get_profile("opensafely-midpoint6")
    assert count_cast_to_decimals(9.0, p) is False  # a midpoint of a band of 6
    assert count_cast_to_decimals(10.0, p) is True


def _spans(k: int, n: int, share: float, start: int) -> list[dict]:
    return [{"start": 0, "end": 2, "kind": "count", "value": k},
            {"start": 6, "end": 8, "kind": "count", "value": n},
            {"start": start, "end": start + 5, "kind": "share", "value": share,
             "digits": 1}]


def test_share_pair_problem_reads_the_group_the_text_gives():
    text = "10 of 25 improved (40.0%)"
    assert [text[s["start"]:s["end"]] for s in _spans(10, 25, 40.0, 19)] == [
        "10", "25", "40.0%"]
    assert share_pair_problem(text, _spans(10, 25, 40.0, 19)) == ""
    assert share_pair_problem(text.replace("40.0", "48.0"),
                              _spans(10, 25, 48.0, 19)) != ""
    # a share of another group (35.0% of 25 is no whole number) gives nothing back
    assert share_pair_problem(text.replace("40.0", "35.0"),
                              _spans(10, 25, 35.0, 19)) == ""
    # no "k of n": nothing in the text says what the share is of
    apart = "10 and 25 improved (48.0%)"
    spans = [{"start": 0, "end": 2, "kind": "count", "value": 10},
             {"start": 7, "end": 9, "kind": "count", "value": 25},
             {"start": 20, "end": 25, "kind": "share", "value": 48.0, "digits": 1}]
    assert [apart[s["start"]:s["end"]] for s in spans] == ["10", "25", "48.0%"]
    assert share_pair_problem(apart, spans) == ""
