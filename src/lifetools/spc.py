"""Statistical process control for monthly activity (NHS "Making Data Count" style).

An XmR (individuals) chart: centre line = mean; process limits = mean +/- 2.66 x the
mean moving range. Special-cause flags: a point outside the limits; a shift (7 or more
consecutive points above, or below, the mean); a trend (7 or more consecutive points all
increasing, or all decreasing); two out of three consecutive points close to a process
limit (beyond two thirds of the distance from the mean to the limit, that is beyond two
sigma, with sigma = mean moving range / 1.128), on the same side. The rules and their
thresholds are those of NHS England's "Making Data Count" guidance and its R package
NHSRplotthedots. The lower limit of a count is cut at zero; the near-limit band uses the
uncut limit.

A month the period holds only part of (a period that starts or ends within a month) is
not a point of the chart: its count would read as a fall (:func:`part_months`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["NEAR_LIMIT_FRACTION", "RUN_LENGTH", "SIGMA_FACTOR", "part_months", "xmr_chart"]

RUN_LENGTH = 7
"""Points in a row above (or below) the mean, or rising (or falling), that flag a run."""
SIGMA_FACTOR = 2.66
"""Process limits: mean +/- this times the mean moving range (3 / 1.128)."""
NEAR_LIMIT_FRACTION = 2 / 3
"""A point is close to a limit beyond this fraction of the distance to it (2 sigma)."""


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Mark every point that belongs to a run of at least ``length`` True values."""
    out = np.zeros(len(flags), dtype=bool)
    start = None
    for i, flag in enumerate(np.r_[flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                out[start:i] = True
            start = None
    return out


def _two_of_three(near: np.ndarray) -> np.ndarray:
    """Mark near-limit points that are two or more of any three consecutive points."""
    out = np.zeros(len(near), dtype=bool)
    for start in range(max(len(near) - 2, 0)):
        window = near[start:start + 3]
        if window.sum() >= 2:
            out[start:start + 3] |= window
    return out


def xmr_chart(values: pd.Series) -> pd.DataFrame:
    """Return the XmR chart of a series: mean, limits and special-cause flags."""
    y = values.astype(float).to_numpy()
    mean = float(np.nanmean(y))
    moving = np.abs(np.diff(y))
    mr = float(np.nanmean(moving)) if len(moving) else 0.0
    upper, lower = mean + SIGMA_FACTOR * mr, max(mean - SIGMA_FACTOR * mr, 0.0)
    outside = (y > upper) | (y < lower)
    shift = _runs(y > mean, RUN_LENGTH) | _runs(y < mean, RUN_LENGTH)
    rising = np.r_[False, np.diff(y) > 0]
    falling = np.r_[False, np.diff(y) < 0]
    trend = _runs(rising, RUN_LENGTH - 1) | _runs(falling, RUN_LENGTH - 1)
    trend = trend | np.r_[trend[1:], False]
    band = NEAR_LIMIT_FRACTION * SIGMA_FACTOR * mr
    near_limit = (_two_of_three(y > mean + band) | _two_of_three(y < mean - band)) & ~outside
    return pd.DataFrame({"value": y, "mean": mean, "upper": upper, "lower": lower,
                         "outside_limits": outside, "shift": shift, "trend": trend,
                         "near_limits": near_limit,
                         "special_cause": outside | shift | trend | near_limit},
                        index=values.index)


def part_months(months: pd.Series | pd.Index, period_start: str, period_end: str
                ) -> np.ndarray:
    """Which of ``months`` (any day of each) the period holds only some days of.

    A monthly chart of a period that ends on the 15th would draw its last month's
    count, half a month's, as a fall (and an XmR chart could flag it as a special
    cause); charts leave such months out and say so.
    """
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    month = pd.PeriodIndex(pd.to_datetime(pd.Series(months)).dt.to_period("M"))
    return np.asarray((month.start_time < start) | (month.end_time.normalize() > end),
                      dtype=bool)
