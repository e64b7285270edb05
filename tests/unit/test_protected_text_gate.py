"""The publish gate's re-check of a sealed text's spans (``text_findings``,
``span_findings``): a record forged or damaged after ``compose`` is refused by the
rule of its kind, never trusted.

Each forgery is one a leak would take: a share or its interval computed from a raw
count while the record names published ones, a count written as a whole-number
"estimate", a span that hides a number from the check, a record missing its value.
"""

from __future__ import annotations

import pytest

from lifetools import disclosure
from lifetools.disclosure import Interval, compose, protected_count
from lifetools.disclosure.derived import wilson_interval
from lifetools.disclosure.text import span_findings, text_findings

PUBLISHED = disclosure.share(protected_count(40), protected_count(160))  # 40 of 160


def share_text():
    return compose("{s} ({ci})", s=PUBLISHED,
                   ci=Interval(*PUBLISHED.interval, digits=1, of=PUBLISHED))


def test_a_composed_share_and_its_wilson_interval_pass_the_gate():
    # 40 of 160 as published: raw 38 to 42 of 158 to 162, so from 38 of 162's Wilson
    # lower limit (17.59) to 42 of 158's upper (33.97); the Wilson interval of 40 of
    # 160 alone was 18.9 to 32.2 before issue 13
    text = share_text()
    assert str(text) == "25.0% (17.6 to 34.0)"
    spans = text.stamp()
    assert [s["kind"] for s in spans] == ["share", "interval"]
    assert text_findings(text, spans) == []


def test_a_share_from_a_raw_numerator_under_published_counts_is_refused():
    """47 of 160 (raw) written as 29.4% while the record names the published 40."""
    span = {**share_text().stamp()[0], "value": 100 * 47 / 160, "end": 5}
    assert span_findings("29.4%", span) == [(
        "protected-span", "a share span refused: a share that is not its published "
        "numerator over its denominator")]


def test_a_share_interval_from_raw_counts_is_refused():
    low, high = wilson_interval(47, 160)
    span = {**share_text().stamp()[1], "low": 100 * low, "high": 100 * high}
    found = span_findings(f"{100 * low:.1f} to {100 * high:.1f}", span)
    assert found and "not the interval of its published numbers" in found[0][1]


def test_the_wilson_interval_of_the_rounded_counts_alone_is_refused():
    """The gate recomputes the interval as the share made it (issue 13): the Wilson
    interval of 40 of 160 alone, narrower than the union over the counts they round
    from, is not the published share's interval."""
    low, high = wilson_interval(40, 160)
    span = {**share_text().stamp()[1], "low": 100 * low, "high": 100 * high}
    found = span_findings(f"{100 * low:.1f} to {100 * high:.1f}", span)
    assert found and "Wilson's, over the counts they round from" in found[0][1]


@pytest.mark.parametrize("value, digits", [(13.0, 0), ("13.00", 2), ([13.0], 2),
                                           (float("inf"), 2), (True, 2)])
def test_an_estimate_that_could_be_a_count_or_is_no_number_is_refused(value, digits):
    span = {"kind": "estimate", "value": value, "digits": digits, "percent": False}
    found = span_findings("13", span)
    assert found == [("protected-span", "a estimate span refused: not a finite number "
                      "written with decimal places")]


def test_a_span_of_an_unknown_kind_is_refused_and_its_number_not_trusted():
    found = text_findings("13 people", [{"start": 0, "end": 2, "kind": "note",
                                         "value": 13}])
    assert found == [("protected-span", "a note span refused: unknown kind 'note'")]


def test_a_span_record_missing_its_value_is_refused_as_incomplete():
    assert span_findings("12 months", {"kind": "duration", "unit": "month"}) == [
        ("protected-span", "a duration span refused: its record is incomplete")]


@pytest.mark.parametrize("spans", [
    [{"start": 0, "end": 40, "kind": "count", "value": 40, "profile": "default"}],
    [{"start": 0, "end": 2, "kind": "count", "value": 40, "profile": "default"},
     {"start": 1, "end": 2, "kind": "count", "value": 40, "profile": "default"}],
    [{"start": "0", "end": 2, "kind": "count", "value": 40, "profile": "default"}]])
def test_a_span_outside_the_text_or_overlapping_another_is_refused(spans):
    """Such a span cannot vouch for the digits it claims, which are then checked as
    unprotected: "13" is under every profile's threshold."""
    found = text_findings("13 people and 40 more", spans)
    assert ("protected-span", "a span lies outside the text or overlaps another") in found
    assert any(rule == "unprotected-number-in-text" for rule, _ in found)


def test_a_rate_whose_numerator_is_a_raw_count_is_refused():
    """3 events (under the threshold) over 1,235 person-years: 2.43 per 1,000 would
    give the hidden count back to anyone who knows the published person-years."""
    rate = disclosure.rate(protected_count(40), 1234.5, contributors=200, per=1000)
    span = compose("{r}", r=rate).stamp()[0]
    assert span_findings("32.39", span) == []
    forged = {**span, "numerator": 3, "value": 1000 * 3 / 1235}
    assert span_findings("2.43", forged) == [
        ("protected-span", "a rate span refused: a rate whose numerator is not a "
         "published count")]
