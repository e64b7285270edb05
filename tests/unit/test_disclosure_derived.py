"""Derived numbers from published numbers: shares, rates, differences, complements."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property_examples import examples
from statsmodels.stats.proportion import proportion_confint

from lifetools import disclosure
from lifetools.disclosure import protect_count, share


def test_share_uses_published_counts_not_raw():
    # the wellbeing leak: "48.0% improved" beside "10 of 25" gave back 12
    improved = share(12, 25)
    assert improved.value == pytest.approx(40.0)
    assert (improved.numerator, improved.denominator) == (10, 25)


@pytest.mark.parametrize(("k", "n", "reason"), [
    (1, 3, "numerator is suppressed"), (3, 200, "numerator is suppressed"),
    (5, 5, "numerator is suppressed"), (0, 0, "denominator is 0"),
])
def test_share_suppressed_with_reason(k, n, reason):
    result = share(k, n)
    assert result.value is None and reason in result.reason


def test_share_records_no_numerator_beside_a_hidden_denominator():
    # the 2024-25 wellbeing page at 3,000 people: results.json published "numerator":
    # 0 beside the counts table's [c] for the people with a follow-up: none of them
    # improved (issue 12, wave 29)
    hidden = share(0, 5)
    assert hidden.value is None and "denominator is suppressed" in hidden.reason
    assert (hidden.numerator, hidden.denominator) == (None, None)
    assert share(3, 200).numerator is None  # its own numerator, suppressed
    assert share(0, 200).value is None and share(0, 200).denominator == 200


def test_part_count_hides_none_or_all_of_a_group_and_so_a_share_of_it():
    from lifetools.disclosure.group_counts import part_count

    # 2023-24 at 3,000 people: fewer than 8 people with a baseline, none with a
    # follow-up; the share improving said "not shown (the denominator is 0)" beside
    # the counts table's [c] for them
    for part, group in ((0, 6), (40, 40), (0, 40)):
        hidden = part_count(part, group)
        assert hidden.value is None and hidden.reason == "group disclosure"
        made = share(0, hidden)
        assert made.value is None and "the denominator is 0" not in made.reason
        assert (made.numerator, made.denominator) == (None, None)
    assert part_count(20, 40).value == 20 and share(10, part_count(20, 40)).value == 50


def test_share_interval_is_wilson_over_the_published_counts_against_statsmodels():
    result = share(58, 123)  # published 60 of 125: raw 58 to 62 of 123 to 127
    limits = [proportion_confint(k, m, alpha=0.05, method="wilson")
              for k in range(58, 63) for m in range(123, 128)]
    low, high = min(v for v, _ in limits), max(v for _, v in limits)
    assert result.interval == pytest.approx((100 * low, 100 * high), abs=1e-9)
    # the lowest limit is the fewest successes of the most people (62 of 123 highest)
    assert (low, high) == pytest.approx(
        (proportion_confint(58, 127, method="wilson")[0],
         proportion_confint(62, 123, method="wilson")[1]), abs=1e-15)


def test_wilson_interval_against_statsmodels():
    for k, n in ((0, 10), (10, 10), (3, 17), (500, 1000)):
        expected = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert disclosure.wilson_interval(k, n) == pytest.approx(expected, abs=1e-12)


COUNTS = st.integers(min_value=0, max_value=2000)


@settings(deadline=None, max_examples=examples(300))
@given(COUNTS, COUNTS, COUNTS, COUNTS)
def test_share_cannot_be_solved_for_an_unrounded_count(a, b, c, d):
    k1, n1 = min(a, b), max(a, b)
    k2, n2 = min(c, d), max(c, d)
    s1, s2 = share(k1, n1), share(k2, n2)
    if s1.value is not None:
        # the share times the published denominator gives the published numerator,
        # so the only count it reveals is the published one
        assert s1.value * s1.denominator / 100 == pytest.approx(protect_count(k1))
        assert s1.denominator == protect_count(n1)
    if (protect_count(k1), protect_count(n1)) == (protect_count(k2), protect_count(n2)):
        # two raw tables publishing the same counts publish the same share (and the
        # same decision to show it: suppression depends on published numbers only)
        assert (s1.value, s1.interval, s1.reason) == (s2.value, s2.interval, s2.reason)


def test_share_all_and_nearly_all_publish_the_same():
    # 130 of 130 and 128 of 130 both publish 130 of 130: the share must not tell them
    # apart (hiding one but not the other would leak that someone disagreed)
    assert share(130, 130) == share(128, 130)
    # and a share of all of the group is not shown (group disclosure)
    assert share(130, 130).value is None and share(130, 130).reason == "group disclosure"


@settings(deadline=None, max_examples=examples(200))
@given(st.integers(0, 500), st.floats(10, 500))
def test_rate_is_a_function_of_published_events_and_person_time(events, years):
    result = disclosure.rate(events, years, contributors=50)
    if result.value is not None:
        assert result.numerator == protect_count(events)
        assert result.value == pytest.approx(result.numerator / result.denominator)
        assert result.denominator == disclosure.round_person_time(years)


def test_rate_suppressed_below_magnitude_threshold_and_when_dominated():
    assert disclosure.rate(30, 9.0, contributors=9).value is None
    assert "threshold" in disclosure.rate(30, 9.0, contributors=9).reason
    dominated = disclosure.rate(30, 100.0, contributors=10,
                                contributions=[91.0] + [1.0] * 9)
    assert dominated.value is None and "dominance" in dominated.reason
    assert disclosure.rate(3, 100.0, contributors=100).value is None


def test_difference_of_protected_values():
    a, b = share(50, 100), share(30, 100)
    assert disclosure.difference(a, b).value == pytest.approx(20.0)
    assert disclosure.difference(a, share(3, 100)).value is None


def test_protected_shares_complementary_rule_no_100_percent_beside_hidden_cells():
    # the reach leak: "% Female 100.00" beside suppressed Male and Other
    table = pd.DataFrame({"characteristic": ["Sex"] * 3 + ["Age"] * 2,
                          "group": ["Female", "Male", "Other", "18-64", "65+"],
                          "Secondary care": [200, 3, 2, 120, 85]})
    out = disclosure.protected_shares(table, ["Secondary care"], by="characteristic")
    shares = out["Secondary care %"]
    assert shares.iloc[:3].isna().all()               # no share beside hidden cells
    assert shares.iloc[3] == pytest.approx(round(100 * 120 / 205, 1))  # 120 / 205
    assert out.record.role("Secondary care %") == "share"
    hidden = {(r, c, why) for r, c, why in out.record.suppressed}
    assert (0, "Secondary care %", "complementary") in hidden


def test_protected_shares_denominator_is_the_published_total():
    table = pd.DataFrame({"group": ["a", "b"], "n": [12, 12]})  # 10, 10 of 24 -> 25
    out = disclosure.protected_shares(table, ["n"])
    assert out["n %"].tolist() == [40.0, 40.0]


def test_rates_table_rates_from_published_numbers_and_magnitudes():
    frame = pd.DataFrame({"g": ["a"] * 22 + ["b"] * 9,
                          "events": [1] * 12 + [0] * 10 + [1] * 9, "years": [1.0] * 31})
    out = disclosure.rates_table(frame, group_cols="g", event_col="events",
                                 person_time_col="years")
    assert out["rate"].iloc[0] == pytest.approx(10 / 20)  # published over published
    assert out["person_years"].iloc[0] == 20  # 22 years rounded to the count base
    assert pd.isna(out["person_years"].iloc[1]) and pd.isna(out["rate"].iloc[1])
    assert out.record.role("rate") == "rate"


def test_rates_table_hides_the_rate_of_no_events_in_a_group():
    # 0 events among 20 people says something about every person of the group (group
    # disclosure), and so would its rate of 0; 20 events among 20 people need not be
    # one each
    frame = pd.DataFrame({"g": ["a"] * 20 + ["b"] * 20 + ["c"] * 20,
                          "events": [0] * 20 + [1] * 20 + [1] * 10 + [0] * 10,
                          "years": [1.0] * 60})
    out = disclosure.rates_table(frame, group_cols="g", event_col="events",
                                 person_time_col="years")
    assert out["events"].isna().tolist() == [True, False, False]
    assert out["rate"].isna().tolist() == [True, False, False]
    assert (0, "events", "group disclosure") in out.record.suppressed
    assert out["people"].tolist() == [20, 20, 20]
