"""Statistical process control for monthly activity (NHS "Making Data Count" style).

An XmR (individuals) chart: centre line = mean; process limits = mean +/- 2.66 x the
mean moving range. Special-cause flags: a point outside the limits; a shift (7 or more
consecutive points above, or below, the mean); a trend (7 or more consecutive points all
increasing, or all decreasing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["RUN_LENGTH", "xmr_chart"]

RUN_LENGTH = 7
SIGMA_FACTOR = 2.66


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
    return pd.DataFrame({"value": y, "mean": mean, "upper": upper, "lower": lower,
                         "outside_limits": outside, "shift": shift, "trend": trend,
                         "special_cause": outside | shift | trend}, index=values.index)
