"""XmR run chart: limits and special-cause rules."""

from __future__ import annotations

import pandas as pd

from lifetools.spc import xmr_chart


def test_limits_from_mean_moving_range():
    chart = xmr_chart(pd.Series([10, 12, 10, 12, 10, 12]))
    assert chart["mean"].iloc[0] == 11
    assert chart["upper"].iloc[0] == 11 + 2.66 * 2
    assert not chart["special_cause"].any()


def test_point_outside_limits_is_flagged():
    chart = xmr_chart(pd.Series([10, 11, 10, 11, 10, 11, 40, 10]))
    assert chart["outside_limits"].tolist()[6]


def test_shift_of_seven_above_mean_is_flagged():
    chart = xmr_chart(pd.Series([5] * 7 + [9, 10, 9, 10, 9, 10, 9]))
    assert chart["shift"].iloc[7:].all()


def test_trend_of_seven_rising_is_flagged():
    chart = xmr_chart(pd.Series([5, 5, 6, 7, 8, 9, 10, 11, 5, 5]))
    assert chart["trend"].iloc[1:8].all()
    assert not chart["trend"].iloc[9]


def test_two_of_three_near_the_upper_limit_are_flagged():
    # mean moving range 2 on the flat part; 2 sigma = 2/3 * 2.66 * MR
    values = pd.Series([10, 12] * 10 + [17, 12, 17, 12, 10])
    chart = xmr_chart(values)
    mean, upper = chart["mean"].iloc[0], chart["upper"].iloc[0]
    band = mean + (upper - mean) * 2 / 3
    assert band < 17 < upper
    assert chart["near_limits"].tolist() == [False] * 20 + [True, False, True, False, False]
    assert chart["special_cause"].iloc[[20, 22]].all()


def test_one_of_three_near_a_limit_is_not_flagged():
    values = pd.Series([10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 15, 11, 12, 10, 12])
    chart = xmr_chart(values)
    assert not chart["near_limits"].any()
