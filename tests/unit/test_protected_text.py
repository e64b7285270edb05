"""lifetools.disclosure.text: a published sentence's numbers come from typed parts only."""

from __future__ import annotations

import copy

import pytest

from lifetools import disclosure
from lifetools.disclosure import (
    Duration,
    Estimate,
    Interval,
    Parameter,
    Period,
    Reason,
    compose,
    protected_count,
)
from lifetools.disclosure.text import text_findings
from lifetools.errors import DisclosureError


@pytest.mark.parametrize("template", ["13 people came", "Seven came", "n = 13 {n}",
                                      "{n} of twenty"])
def test_compose_number_in_fixed_words_is_refused(template):
    with pytest.raises(DisclosureError, match="unprotected-number-in-text"):
        compose(template, n=protected_count(40))


@pytest.mark.parametrize("part, rule", [
    (Estimate(13.0, 0), "decimal place"), (Estimate(float("nan")), "finite"),
    (Interval(2.0, 1.0), "in order"), (Duration(3, "fortnight"), "duration"),
    (Period("13"), "year"), (Parameter(3, " "), "name"), (13, "not a protected part"),
    (Reason("13 people had no referral"), "would not publish")])
def test_compose_part_breaking_its_rule_is_refused(part, rule):
    with pytest.raises(DisclosureError, match=rule):
        compose("It was {x}.", x=part)


def test_compose_records_a_span_per_number_that_the_gate_accepts():
    text = compose("{n} people were followed for {d} ({p}); the ratio was {r} ({ci}). "
                   "{why}", n=protected_count(2634), d=Duration(12, "month"),
                   p=Period("2024-25"), r=Estimate(1.19), ci=Interval(0.83, 1.71),
                   why=Reason("fewer than 10 events in total"))
    assert text == ("2,635 people were followed for 12 months (2024-25); the ratio was "
                    "1.19 (0.83 to 1.71). fewer than 10 events in total")
    assert [s["kind"] for s in text.spans] == ["count", "duration", "period", "estimate",
                                               "interval", "reason"]
    assert text_findings(text, text.stamp()) == []


def test_protected_text_string_operations_lose_protection():
    text = compose("{n} people", n=protected_count(40))
    for plain in (text + " more", f"{text}", " ".join([text, "x"]), copy.deepcopy(text)):
        assert not isinstance(plain, disclosure.ProtectedText)
    with pytest.raises(AttributeError):
        text.spans = ()  # type: ignore[misc]


def test_text_findings_span_record_not_matching_its_text_is_refused():
    text = compose("{n} people", n=protected_count(40))
    spans = text.stamp()
    spans[0]["value"] = 45  # the record says 45, the text says 40
    assert {r for r, _ in text_findings(text, spans)} == {"protected-span"}
    assert {r for r, _ in text_findings(text, [])} == {"unprotected-number-in-text"}


@pytest.mark.parametrize("name", list(disclosure.PROFILES))
def test_rule_sentence_is_protected_text_checked_with_its_own_profile(name):
    text = disclosure.rule_sentence(name)
    assert isinstance(text, disclosure.ProtectedText)
    assert text_findings(text, text.stamp(), name) == []
    other = "mhsds" if name != "mhsds" else "default"
    assert text_findings(text, text.stamp(), other)  # made under other rules
