"""The one number formatter and the verdict words (lifetools.formatting)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifetools import formatting as fmt
from lifetools.disclosure.text import MINUS

COUNT = re.compile(r"^\d{1,3}(,\d{3})*$")
FIXED2 = re.compile(r"^−?\d{1,3}(,\d{3})*\.\d{2}$")
PERCENT1 = re.compile(r"^−?\d{1,3}(,\d{3})*\.\d%$")
BAD = ("nan", "none", "inf", "e+", "e-", "(", ")", "'", "[")
finite_floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12,
                          max_value=1e12)
missing_values = st.sampled_from([None, float("nan"), float("inf"), float("-inf"),
                                  np.nan, np.float64("inf"), pd.NA])


def number(text: str) -> float:
    """A formatted number read back (the minus sign is U+2212, never a hyphen)."""
    assert "-" not in text, text
    return float(text.rstrip("%").replace(",", "").replace(MINUS, "-"))


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_format_count_any_count_has_thousands_separators_and_round_trips(n):
    text = fmt.format_count(n)
    assert COUNT.match(text), text
    assert int(text.replace(",", "")) == n


@pytest.mark.parametrize(("value", "text"), [
    (2635, "2,635"), (np.int64(2635), "2,635"), (2635.0, "2,635"), (0, "0"),
    (1234567, "1,234,567"), (None, "fewer than 8"), (pd.NA, "fewer than 8")])
def test_format_count_known_values_read_as_published(value, text):
    assert fmt.format_count(value) == text


def test_format_count_fraction_raises():
    with pytest.raises(ValueError, match="whole number"):
        fmt.format_count(12.5)


@settings(deadline=None)
@given(finite_floats)
def test_format_ratio_any_finite_value_has_two_places_and_is_within_half_a_unit(x):
    text = fmt.format_ratio(x)
    assert FIXED2.match(text), text
    assert abs(number(text) - x) <= 0.005 + 1e-9 * abs(x)
    assert not any(bad in text.lower() for bad in BAD)


@settings(deadline=None)
@given(finite_floats)
def test_format_percentage_any_finite_value_has_one_place(x):
    text = fmt.format_percentage(x)
    assert PERCENT1.match(text), text
    assert abs(number(text) - x) <= 0.05 + 1e-9 * abs(x)


@pytest.mark.parametrize(("value", "kind", "text"), [
    (3.2, "ratio", "3.20"), (1.0, "ratio", "1.00"), (np.float64(0.999), "ratio", "1.00"),
    (13271.0, "estimate", "13,271.00"), (-0.001, "estimate", "0.00"),
    (-1.25, "estimate", "−1.25"), (42.0, "percentage", "42.0%"),
    (8.9, "percentage", "8.9%"), ((0.83, 1.71), "interval", "0.83 to 1.71"),
    ("  a note ", "text", "a note")])
def test_format_value_known_values_keep_trailing_zeros(value, kind, text):
    assert fmt.format_value(value, kind=kind) == text


@pytest.mark.parametrize(("value", "kind", "text"), [
    (-0.23, "ratio", "\u22120.23"), (-1234.5, "estimate", "\u22121,234.50"),
    (-12.25, "percentage", "\u221212.2%"), (-8922.4, "magnitude", "\u22128,922"),
    ((-0.51, 0.05), "interval", "\u22120.51 to 0.05"), (-0.004, "ratio", "0.00")])
def test_format_value_negative_number_minus_sign_not_hyphen(value, kind, text):
    # U+2212, which screen readers say as "minus"; a number rounding to zero has no sign
    shown = fmt.format_value(value, kind=kind)
    assert shown == text and "-" not in shown


def test_format_value_negative_number_protected_text_same_minus_sign():
    # a sentence's number (a protected text's span) is written by the same function
    from lifetools.disclosure import Estimate, Interval, compose

    text = compose("a change of {v} ({i})", v=Estimate(-0.23, 2),
                   i=Interval(-0.51, 0.05, 2, null=0.0))
    assert str(text) == "a change of \u22120.23 (\u22120.51 to 0.05)"


@pytest.mark.parametrize(("value", "digits", "text"), [
    (8922.0, None, "8,922"), (8922.0, 0, "8,922"), (15.0, None, "15"),
    (9.1, 1, "9.1"), (100.0, 1, "100.0"), (2011.4, None, "2,011")])
def test_format_value_magnitude_has_the_places_its_rule_published(value, digits, text):
    # person-years are published whole: "8,922", never "8,922.00"
    assert fmt.format_value(value, kind="magnitude", digits=digits) == text


@settings(deadline=None)
@given(missing_values, st.sampled_from(["ratio", "estimate", "rate", "percentage"]))
def test_format_value_missing_or_not_finite_reads_could_not_be_estimated(value, kind):
    assert fmt.format_value(value, kind=kind) == "could not be estimated"
    assert fmt.format_value(value, kind=kind, missing="not enough data") == \
        "not enough data"


@pytest.mark.parametrize(("value", "kind"), [
    (None, "text"), ("", "text"), ("   ", "text"), ([1.0], "interval"),
    ("1 to 2", "interval"), ((float("nan"), 2.0), "interval"), (None, "interval")])
def test_format_value_interval_or_text_missing_reads_missing(value, kind):
    assert fmt.format_value(value, kind=kind) == fmt.MISSING


def test_format_value_unknown_kind_raises():
    with pytest.raises(ValueError, match="unknown kind"):
        fmt.format_value(1.0, kind="odds")


def test_format_interval_known_value():
    assert fmt.format_interval(1.19, 0.83, 1.71) == "1.19 (0.83 to 1.71)"
    assert fmt.format_interval(3.2, 1.0, 10.0) == "3.20 (1.00 to 10.00)"
    assert fmt.format_interval(42.0, 40.04, 44.0, kind="percentage") == \
        "42.0% (40.0% to 44.0%)"


@settings(deadline=None)
@given(finite_floats, finite_floats, finite_floats)
def test_format_interval_any_finite_triple_reads_estimate_then_limits(a, b, c):
    low, est, high = sorted((a, b, c))
    text = fmt.format_interval(est, low, high)
    match = re.match(r"^(\S+) \((\S+) to (\S+)\)$", text)
    assert match, text
    shown = [number(g) for g in match.groups()]
    assert shown[1] <= shown[0] <= shown[2]


@settings(deadline=None)
@given(missing_values, st.integers(0, 2), finite_floats, finite_floats)
def test_format_interval_any_missing_part_reads_missing(bad, where, x, y):
    parts = [x, min(x, y), max(x, y)]
    parts[where] = bad
    assert fmt.format_interval(*parts) == "could not be estimated"


# Verdicts ------------------------------------------------------------------------------

WORDS = {"above": "faster discharge among users", "below": "slower discharge among users"}


@pytest.mark.parametrize(("estimate", "lower", "upper", "expected"), [
    (1.19, 0.83, 1.71, fmt.NO_DIFFERENCE),
    (1.40, 1.10, 1.80, "faster discharge among users"),
    (0.70, 0.55, 0.90, "slower discharge among users"),
    (1.20, 1.00, 1.45, fmt.NO_DIFFERENCE),  # a limit on the null includes it
    (float("nan"), 0.8, 1.2, fmt.MISSING),
    (1.0, None, 1.2, fmt.MISSING),
    (1.0, 0.5, float("inf"), fmt.MISSING),
    (1.0, 1.2, 1.5, fmt.MISSING),  # estimate outside its own interval: not a result
])
def test_verdict_known_intervals_give_plain_words(estimate, lower, upper, expected):
    assert fmt.verdict(estimate, lower, upper, null=1, **WORDS) == expected


@pytest.mark.parametrize(("events", "expected"), [
    (9, fmt.TOO_FEW_EVENTS), (None, fmt.TOO_FEW_EVENTS), (float("nan"), fmt.TOO_FEW_EVENTS),
    (10, "faster discharge among users"), (2635, "faster discharge among users")])
def test_verdict_fewer_than_minimum_events_is_too_few_to_tell(events, expected):
    assert fmt.verdict(1.4, 1.1, 1.8, null=1, events=events, **WORDS) == expected


# Limits near the null ------------------------------------------------------------------

@pytest.mark.parametrize(("value", "null", "places"), [
    (1.004, 1.0, 3), (0.9951, 1.0, 3), (0.9996, 1.0, 4), (1.0004, 1.0, 4),
    (1.00004, 1.0, 2),  # rounds onto the null even at the limit: the usual places
    (1.0, 1.0, 2), (1.006, 1.0, 2), (4.03, 1.0, 2), (0.004, 0.0, 3), (-0.0004, 0.0, 4),
    (1.004, None, 2), (1.004, 0.0, 2)])
def test_bound_places_limit_rounding_onto_null_gets_extra_places(value, null, places):
    assert fmt.bound_places(value, digits=2, null=null) == places


@pytest.mark.parametrize(("value", "avoid", "places"), [
    (0.7966, (1.0, 0.8, 1.2), 3),  # "0.80" is the stated limit 0.8: "0.797"
    (0.998, (1.0, 0.8, 1.2), 3),  # "1.00" is no miscalibration: "0.998"
    (1.2004, (1.0, 0.8, 1.2), 4), (-0.1966, (0.0, -0.2, 0.2), 3),
    (-0.1996, (0.0, -0.2, 0.2), 4),  # "−0.200" is the limit too: "−0.1996"
    (0.0004, (0.0, -0.2, 0.2), 4), (0.75, (1.0, 0.8, 1.2), 2), (1.1, (1.0, 0.8, 1.2), 2),
    (0.8, (1.0, 0.8, 1.2), 2),  # the limit itself reads as itself
    (0.80004, (1.0, 0.8, 1.2), 2),  # onto the limit even at 4 places: the usual places
    (0.7966, (None,), 2), (0.7966, (), 2), (0.9996, (1.0,), 4)])
def test_places_avoiding_known_answers(value, avoid, places):
    assert fmt.places_avoiding(value, *avoid, digits=2) == places


def test_places_avoiding_each_value_is_bound_places_against_it_the_most_of_them():
    # 0.7966 is off 1 at 2 places and off 0.8 only at 3; 1.2 asks for none
    assert [fmt.bound_places(0.7966, digits=2, null=e) for e in (1.0, 0.8, 1.2)] == [2, 3, 2]
    assert fmt.places_avoiding(0.7966, 1.0, 0.8, 1.2, digits=2) == 3
    assert fmt.places_avoiding(0.79996, 0.8, digits=1, limit=3) == 1  # not within 3


@settings(deadline=None)
@given(value=st.floats(-3, 3, allow_nan=False),
       avoid=st.lists(st.integers(-300, 300), min_size=1, max_size=4),
       digits=st.integers(1, 3))
def test_places_avoiding_never_reads_as_a_value_to_avoid_and_keeps_its_side(
        value, avoid, digits):
    edges = [a / 100 for a in avoid]  # values set at 2 places, as the stated limits are
    digits = max(digits, 2)
    places = fmt.places_avoiding(value, *edges, digits=digits)
    assert digits <= places <= fmt.BOUND_DIGITS_LIMIT
    shown = fmt.format_value(value, kind="estimate", digits=places)
    for edge in edges:
        if abs(value - edge) < 10 ** -fmt.BOUND_DIGITS_LIMIT:
            continue  # within the last place's reach: nothing can keep it off
        assert shown != fmt.format_value(edge, kind="estimate", digits=places), (edge, shown)
        written = float(f"{value:.{places}f}")
        assert (written > edge) == (value > edge), (edge, shown)
    if places > digits:  # the fewest places: one fewer reads as a value to avoid
        fewer = float(f"{value:.{places - 1}f}")
        assert fewer in edges


@pytest.mark.parametrize(("first", "second", "order"), [
    ((0.30, 0.40), (0.10, 0.20), 1), ((0.10, 0.20), (0.30, 0.40), -1),
    ((0.10, 0.30), (0.20, 0.40), 0), ((0.10, 0.40), (0.20, 0.30), 0),
    ((0.10, 0.20), (0.20, 0.30), 0),  # a shared limit is an overlap
    ((0.2001, 0.30), (0.10, 0.20), 1),
    ((float("nan"), 0.30), (0.10, 0.20), None), ((0.10, None), (0.10, 0.20), None),
    ((0.10, 0.20), (0.10, float("inf")), None)])
def test_interval_order_known_answers(first, second, order):
    assert fmt.interval_order(first, second) == order


@settings(deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=4, max_size=4))
def test_interval_order_overlap_is_a_shared_point_and_the_order_is_antisymmetric(limits):
    first, second = sorted(limits[:2]), sorted(limits[2:])
    order = fmt.interval_order(first, second)
    shared = max(first[0], second[0]) <= min(first[1], second[1])
    assert (order == 0) == shared
    assert fmt.interval_order(second, first) == -order
    if order:  # wholly on one side: each limit of one beyond each of the other
        assert all((a > b) == (order > 0) for a in first for b in second)


def test_format_bounds_lower_limit_rounding_onto_null_shows_its_side():
    assert fmt.format_value([1.004, 4.03], kind="interval", null=1) == "1.004 to 4.03"
    assert fmt.format_interval(1.9, 1.004, 4.03, null=1) == "1.90 (1.004 to 4.03)"
    assert fmt.format_bounds(0.31, 0.9996, null=1) == "0.31 to 0.9996"
    assert fmt.format_bounds(-3.2, -0.002, kind="estimate", null=0) == "−3.20 to −0.002"
    assert fmt.format_bounds(1.004, 4.03) == "1.00 to 4.03"  # no null: no change
    assert fmt.format_bounds(1.0, 4.03, null=1) == "1.00 to 4.03"  # the null itself


@pytest.mark.parametrize(("lower", "expected"), [
    (1.004, "faster discharge among users"),  # shown "1.004": wholly above 1
    (1.00004, fmt.NO_DIFFERENCE),  # shown "1.00" even at the limit: judged as shown
])
def test_verdict_limit_near_null_agrees_with_the_shown_limit(lower, expected):
    assert fmt.verdict(1.9, lower, 4.03, null=1, **WORDS) == expected
    shown = fmt.format_bounds(lower, 4.03, null=1).split(" to ")[0]
    assert (float(shown) > 1) == (expected != fmt.NO_DIFFERENCE)


@settings(deadline=None)
@given(st.floats(min_value=0.5, max_value=2.0), st.floats(min_value=1e-9, max_value=1.0))
def test_verdict_any_limit_near_null_never_contradicts_the_shown_interval(low, width):
    high = low + width
    shown = [float(t) for t in fmt.format_bounds(low, high, null=1).split(" to ")]
    said = fmt.verdict(low, low, high, null=1, above="up", below="down")
    assert said == ("up" if shown[0] > 1 else "down" if shown[1] < 1
                    else fmt.NO_DIFFERENCE)


def test_verdict_missing_estimate_takes_precedence_over_too_few_events():
    assert fmt.verdict(None, 1.1, 1.8, null=1, events=3, **WORDS) == fmt.MISSING


@settings(deadline=None)
@given(finite_floats, finite_floats, finite_floats, finite_floats)
def test_verdict_any_interval_follows_the_rules(a, b, c, null):
    low, est, high = sorted((a, b, c))
    said = fmt.verdict(est, low, high, null=null, above="up", below="down")
    # the verdict reads the limits as shown (a limit rounding onto the null even at
    # the most places shown reads, and is judged, as the null)
    shown_low = fmt.shown_bound(low, digits=2, null=null)
    shown_high = fmt.shown_bound(high, digits=2, null=null)
    if shown_low <= null <= shown_high:
        assert said == fmt.NO_DIFFERENCE
    elif shown_low > null:
        assert said == "up"
    else:
        assert said == "down"
    # shifting everything together never changes the verdict's side
    mirrored = fmt.verdict(-est, -high, -low, null=-null, above="up", below="down")
    assert {said, mirrored} in ({fmt.NO_DIFFERENCE}, {"up", "down"})


def test_finite_rejects_non_numbers():
    assert fmt.finite(True) is None
    assert fmt.finite("1.0") is None
    assert fmt.finite(np.float32(2.5)) == 2.5
    assert math.isclose(fmt.finite(np.int64(3)), 3.0)


def test_verdict_on_null_words_replace_no_difference_only_when_the_null_is_inside():
    words = {"null": 0.5, "above": "better than chance", "below": "worse than chance",
             "on_null": "compatible with ranking people no better than chance"}
    assert fmt.verdict(0.63, 0.48, 0.76, **words) == words["on_null"]
    assert fmt.verdict(0.71, 0.65, 0.77, **words) == "better than chance"
    assert fmt.verdict(None, 0.48, 0.76, **words) == "could not be estimated"


@pytest.mark.parametrize(("value", "words"), [
    ("2024-04-01", "1 April 2024"), ("2025-03-31", "31 March 2025"),
    ("2026-11-30T12:00:00+00:00", "30 November 2026"),
    (pd.Timestamp("2023-04-01"), "1 April 2023")])
def test_format_date_in_words_whatever_the_date_type(value, words):
    import datetime as dt

    assert fmt.format_date(value) == words
    assert fmt.format_value(value, kind="date") == words
    assert fmt.format_date(dt.date(2024, 4, 1)) == "1 April 2024"


@pytest.mark.parametrize("value", [None, "", pd.NaT, float("nan")])
def test_format_date_missing_reads_the_callers_words(value):
    assert fmt.format_date(value) == ""
    assert fmt.format_value(value, kind="date", missing="not yet published") == \
        "not yet published"


def test_format_date_not_a_date_raises():
    with pytest.raises(ValueError, match="not a date"):
        fmt.format_date(3.0)
    with pytest.raises(ValueError):
        fmt.format_date("1 April 2024")


def test_dates_on_pages_written_by_the_one_formatter_only():
    # issue 15: the TRIPOD+AI checklist showed ISO dates ("2024-04-01") beside the
    # furniture's "1 April 2024", and three modules wrote dates in words each their own
    # way; only lifetools.formatting.format_date may spell a month
    from pathlib import Path

    import lifetools

    root = Path(lifetools.__file__).parent
    spelled = [str(p.relative_to(root)) for p in sorted(root.rglob("*.py"))
               if "synthetic" not in p.parts and p.name != "formatting.py"
               and re.search(r"%B|%b\b|month_name", p.read_text())]
    assert spelled == []


@pytest.mark.parametrize(("value", "text"), [
    (0.245, "24.5%"), (0.0, "0.0%"), (1, "100.0%"), (0.07125, "7.1%"),
    (np.float64(0.5), "50.0%"), (-0.012, "−1.2%"), (None, fmt.MISSING),
    (float("nan"), fmt.MISSING)])
def test_format_proportion_a_share_of_people_reads_as_a_percentage(value, text):
    # a risk or cumulative incidence held from 0 to 1 reads "24.5%", never "0.245"
    # (issue 15: proportions in some places, percentages in others)
    assert fmt.format_proportion(value) == text
    assert fmt.format_value(value, kind="proportion") == text
    assert fmt.format_proportion(0.1, digits=0) == "10%"


def test_format_interval_of_a_proportion_has_a_per_cent_sign_on_every_number():
    # one style for intervals of percentages, as the sentences write them
    assert fmt.format_interval(0.245, 0.221, 0.270, kind="proportion") == \
        "24.5% (22.1% to 27.0%)"
    assert fmt.format_interval(24.5, 22.1, 27.0, kind="percentage") == \
        fmt.format_interval(0.245, 0.221, 0.270, kind="proportion")
    assert fmt.format_bounds(0.0712, 0.126, kind="proportion") == "7.1% to 12.6%"
    assert fmt.format_interval(0.2, None, 0.3, kind="proportion") == fmt.MISSING


def test_format_points_a_gap_between_two_risks_reads_in_percentage_points():
    assert fmt.format_points(0.14) == "14.0 percentage points"
    assert fmt.format_points(-0.003) == "−0.3 percentage points"
    assert fmt.format_points(float("nan")) == fmt.MISSING


@settings(deadline=None)
@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_format_proportion_any_share_is_the_percentage_of_one_hundred_times_it(p):
    text = fmt.format_proportion(p)
    assert PERCENT1.match(text), text
    assert text == fmt.format_percentage(100 * p)
    assert abs(number(text) - 100 * p) <= 0.05 + 1e-9


def test_format_proportion_published_rounded_reads_as_published():
    # a figure's download writes a curve's 0.645 as "0.65" (2 places): its alt text
    # read "64.5%", a number no download gives; with the places it was published with,
    # the percentage is the published number's
    assert fmt.format_proportion(0.6449, places=2) == "64.0%"
    assert fmt.format_proportion(0.6451, places=2) == "65.0%"
    assert fmt.format_proportion(0.07, places=2) == "7.0%"
    assert fmt.format_points(0.1149, places=2) == "11.0 percentage points"


def test_format_interval_keeps_a_limit_off_the_stated_limits_it_is_read_against():
    # "0.80" for 0.7966 read as the stated limit 0.8 itself (wave 41): one rule,
    # places_avoiding with the null and the stated limits
    from lifetools.formatting import format_bounds, format_interval

    assert format_interval(0.9133, 0.7966, 1.0312, kind="estimate", null=1.0,
                           avoid=(0.8, 1.2)) == "0.91 (0.797 to 1.03)"
    assert format_bounds(0.7966, 1.0312, null=1.0) == "0.80 to 1.03"  # no stated limits
    assert format_bounds(0.85, 1.1996, null=1.0, avoid=(0.8, 1.2)) == "0.85 to 1.1996"
