"""Person-time is published rounded to the count base of the active profile (#12).

Where each person contributes at most about a year, exact person-years beside a people
count rounded to the base give the headcount away (490 people beside 492 person-years
means 492 people). ``round_person_time`` rounds to the profile's base; ``rate`` and
``rates_table`` publish it so, with the rate from the published (rounded) person-years
(a rate from the exact ones gives them back), and person-years and rate hidden where the
people count beside them is.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property_examples import examples

from lifetools import disclosure
from lifetools.disclosure import get_profile, round_person_time


@pytest.mark.parametrize(("years", "shown"), [
    (491.5, 490.0), (492.0, 490.0), (492.5, 495.0), (488.0, 490.0), (3588.0, 3590.0),
    (2.4, 0.0), (0.0, 0.0)])
def test_round_person_time_default_profile_nearest_multiple_of_five(years, shown):
    assert round_person_time(years) == shown


def test_round_person_time_base_and_rounding_from_the_profile_not_typed():
    # the base and rounding are the profile's (the one owner): OpenSAFELY's midpoint
    # 6 gives the midpoint of the band, as it does for the people count beside it
    six = get_profile("opensafely-midpoint6")
    assert round_person_time(491.5, profile=six) == 489.0   # band 487-492
    assert round_person_time(10.0, profile=six) == 9.0       # as round_count(10)
    assert round_person_time(0.0, profile=six) == 0.0
    ten = disclosure.SdcProfile("ten", threshold=7, base=10)
    assert round_person_time(491.5, profile=ten) == 490.0
    assert round_person_time(495.0, profile=ten) == 500.0


@settings(deadline=None, max_examples=examples(200))
@given(st.integers(20, 3000), st.floats(0.2, 1.0))
def test_rate_person_years_do_not_give_the_headcount_back(people, share):
    # each person contributes at most a year: the published person-years are a
    # multiple of the base, so they tell no more than the rounded people count
    result = disclosure.rate(people // 2, people * share, contributors=people)
    base = get_profile().base
    assert result.denominator % base == 0
    assert abs(result.denominator - people * share) <= base / 2
    if result.value is not None:  # the rate from the published person-years
        assert result.value == pytest.approx(result.numerator / result.denominator)


def test_rates_table_person_years_rounded_to_the_base_rate_from_published_years():
    # 492 people with a year each in "a": "490" people beside "492" person-years leaked
    frame = pd.DataFrame({"g": ["a"] * 492 + ["b"] * 60, "events": [1] * 552,
                          "years": [1.0] * 552})
    out = disclosure.rates_table(frame, group_cols="g", event_col="events",
                                 person_time_col="years")
    assert out["people"].tolist() == [490, 60]
    assert out["person_years"].tolist() == [490.0, 60.0]      # not 492
    assert out["rate"].iloc[0] == pytest.approx(490 / 490)    # not 490 / 492
    assert out.record.bases == (("person_years", get_profile().base),)


def test_rates_table_person_years_of_a_suppressed_people_count_are_suppressed():
    # 12 people in "b": a profile suppressing counts up to 12 hides the people count and the person-years beside it must go too, although the
    # magnitude rule alone (10 contributors) would publish them
    strict = disclosure.SdcProfile("strict", threshold=12, base=5)
    frame = pd.DataFrame({"g": ["a"] * 400 + ["b"] * 12, "events": [1] * 412,
                          "years": [1.0] * 412})
    out = disclosure.rates_table(frame, group_cols="g", event_col="events",
                                 person_time_col="years", profile=strict)
    assert pd.isna(out["people"].iloc[1])
    assert pd.isna(out["person_years"].iloc[1]) and pd.isna(out["rate"].iloc[1])
    assert (1, "person_years", "magnitude") in out.record.suppressed
    assert (1, "rate", "derived") in out.record.suppressed


def test_rates_table_rate_per_1000_does_not_give_the_headcount_back():
    # the reach page: 245 users among 3,588 people, one person-year each, rate per
    # 1000 written to 2 places. From the exact years "68.28" would solve to
    # 3,587.9-3,588.4 people; from the published ones it solves to the published 3,590
    frame = pd.DataFrame({"g": ["a"] * 3588, "used": [1] * 245 + [0] * 3343,
                          "one": [1.0] * 3588})
    out = disclosure.rates_table(frame, group_cols="g", event_col="used",
                                 person_time_col="one", per=1000)
    shown = round(float(out["rate"].iloc[0]), 2)
    solved = float(out["events"].iloc[0]) * 1000 / shown
    assert out["person_years"].iloc[0] == out["people"].iloc[0] == 3590
    assert abs(solved - 3590) < abs(solved - 3588)
