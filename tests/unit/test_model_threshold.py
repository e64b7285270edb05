"""A withheld model beside its group's published events (issue 12, wave 22).

A model is withheld when a group has fewer than ``model_min_events`` raw events, while
the group's events are published rounded: a published 10 beside a withheld model tells
a reader the count is 8 or 9 (default profile). Accepted, because what a reader can
infer never reaches a suppressed count and is never one exact count; this makes it a
guarantee for every named profile rather than a coincidence of the numbers, and the
methods page states it from the profile (``rule_text.withheld_events_sentence``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lifetools.disclosure import PROFILES, SdcProfile
from lifetools.disclosure.rule_text import (
    withheld_events_ranges,
    withheld_events_sentence,
)

PAGE = Path(__file__).resolve().parents[2] / "book" / "methods" / "disclosure-control.md"


def _half_width(p: SdcProfile) -> int:
    """The most a published count exceeds the smallest count published as it."""
    return p.base // 2 if p.rounding == "nearest" else p.base - p.base // 2 - 1


def _guaranteed(p: SdcProfile) -> bool:
    """The lead's rule: the event threshold less the rounding half-width is above the
    largest suppressed count, unless no count under the event threshold is published
    at all (the threshold is within the suppressed counts' reach); and, read off the
    rules themselves, each published count beside a withheld model stands for two or
    more counts, none of them suppressed."""
    closed = p.model_min_events - _half_width(p) > p.threshold or \
        p.model_min_events <= p.threshold + 1
    ranges = withheld_events_ranges(p)
    return closed and all(least > p.threshold and most > least
                          for _, least, most in ranges)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_model_threshold_lets_no_reader_infer_a_suppressed_or_exact_count(name):
    assert _guaranteed(PROFILES[name])


@pytest.mark.parametrize("change", [{"model_min_events": 9}, {"threshold": 8},
                                    {"base": 10}])
def test_model_threshold_guarantee_fails_for_a_threshold_that_gives_a_count_away(change):
    # 9 events: a published 10 beside a withheld model is exactly 8; a threshold of 8:
    # exactly 9; rounding to 10: a published 10 is 5 to 9, and 5 to 7 are suppressed
    assert not _guaranteed(dataclasses.replace(PROFILES["default"], **change))


def test_withheld_events_ranges_under_the_default_profile():
    assert withheld_events_ranges("default") == [(10, 8, 9)]
    assert withheld_events_ranges("threshold-10") == []  # 1-9 suppressed: none shown


def test_methods_page_states_what_a_withheld_model_tells_from_the_profile():
    page = " ".join(PAGE.read_text().split())
    assert " ".join(withheld_events_sentence("default").split()) in page
    assert "8 or 9" in withheld_events_sentence("default")
