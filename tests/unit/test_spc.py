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
