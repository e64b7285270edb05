"""The lowess smoother read at a grid fits only the local lines the grid reads (issue 19).

``smoothed_at`` asks :func:`lifetools.prediction.calibrate.lowess` for the smoothed points
around each grid point only (``only``); each value must be the full smoother's to the
bit, ties and bootstrap duplicates included. The full smoother is checked against R's
``lowess`` in ``tests/reference/test_calibrate_against_r.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from lifetools.prediction.calibrate import lowess, smoothed_at


def _full_reading(risk, outcome, grid):
    """The curve at ``grid`` from every smoothed point (the former ``smoothed_at``)."""
    xs, fitted = lowess(risk, outcome)
    xs, first = np.unique(xs, return_index=True)
    values = np.interp(grid, xs, fitted[first])
    values[(grid < xs[0]) | (grid > xs[-1])] = np.nan
    return values


@pytest.mark.parametrize("seed", range(12))
def test_lowess_only_gives_the_full_smoothers_values(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 160))
    risk = 1 / (1 + np.exp(-rng.normal(-1.5, 1.2, n)))
    if seed % 2:
        risk = risk[rng.integers(0, n, n)]  # a bootstrap sample's duplicates: ties
    if seed % 3 == 0:
        risk = np.round(risk, 2)
    outcome = (rng.random(n) < risk).astype(float)
    xs, full = lowess(risk, outcome)
    wanted = rng.choice(n, size=max(1, n // 7), replace=False)
    xs_only, part = lowess(risk, outcome, only=wanted)
    assert xs_only.tobytes() == xs.tobytes()
    assert part[wanted].tobytes() == full[wanted].tobytes()
    grid = np.r_[np.linspace(*np.quantile(risk, [0.05, 0.95]), 12), risk.max(), 2.0]
    assert smoothed_at(risk, outcome, grid).tobytes() == \
        _full_reading(risk, outcome, grid).tobytes()


def test_lowess_only_skips_local_lines():
    # fewer local fits, or the option saves nothing: the other positions stay NaN
    rng = np.random.default_rng(1)
    risk = rng.random(200)
    _, part = lowess(risk, (rng.random(200) < risk).astype(float), only=np.array([3]))
    assert np.isnan(part).sum() > 150
