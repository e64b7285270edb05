"""The bootstrap optimism-corrected calibration curve (``rms::calibrate``): its smoother,
its grid, the per-sample errors and their summary.

The bootstraps themselves are :func:`lifetools.prediction.bootstrap_validation` and
:func:`lifetools.prediction.boot_mi.bootstrap_validation_boot_mi` (``calibrate=True``):
the same samples and refits as their optimism-corrected indexes. Each collects its
curves in a :class:`CalibrationResamples` (one owner of what a sample adds to the
curve and of the correction), the plain bootstrap with one copy of the data, boot-MI
with the imputed copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CALIBRATE_POINTS", "CALIBRATION_METHOD", "LOWESS_SPAN", "CalibrationCorrection",
           "CalibrationResamples", "calibrate_grid", "calibration_errors",
           "corrected_calibration", "lowess", "mean_curve", "mean_errors", "smoothed_at"]

LOWESS_SPAN = 2 / 3
"""The lowess span (share of people in each local fit): R's ``lowess`` default, which
``rms::calibrate`` uses."""

CALIBRATE_POINTS = 50
"""Points of ``rms::calibrate``'s default grid."""

CALIBRATION_METHOD = ("lowess (span 2/3, no robustness iterations) of the outcome on "
                      "predicted risk, optimism-corrected (rms::calibrate)")
"""How the curve was made, as a bootstrap's ``method["calibration"]`` records it."""

#: a copy of the data as a calibration curve reads it: (predicted risks, 0/1 outcomes)
Copy = tuple[np.ndarray, np.ndarray]


def lowess(x: np.ndarray, y: np.ndarray, *, span: float = LOWESS_SPAN,
           delta: float | None = None, only: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Cleveland's (1979) locally weighted linear smoother, without robustness steps.

    Parameters
    ----------
    x, y : arrays of float
        The points; sorted by ``x`` here (ties kept in their order).
    span : float
        The share of the points in each local fit: ``max(2, min(n, floor(span n)))``
        nearest points in ``x``.
    delta : float, optional
        Points within ``delta`` of the last fitted point are not fitted but interpolated
        linearly between fitted points; default 1% of the range of ``x``.
    only : array of int, optional
        Positions (in the sorted order) whose fitted values are wanted: the local lines
        no wanted value depends on are not fitted, and the other positions are NaN.
        Each wanted value is computed as without ``only``, to the bit
        (:func:`smoothed_at` reads the curve at a grid this way).

    Returns
    -------
    (x, fitted) : arrays sorted by ``x``.

    Notes
    -----
    R's ``lowess(x, y, iter = 0)`` (no robustness iterations), which ``rms::calibrate``
    uses: at each fitted point the nearest ``floor(span n)`` points (the window moved
    right while that shortens its radius ``h``, ties at its edge added) are weighted by
    the tricube of distance over ``h`` (1 within ``0.001 h``, 0 beyond ``0.999 h``) and a
    weighted straight line is fitted (a weighted mean when the points' weighted spread
    is below 0.1% of the range of ``x``); a point whose weights are all 0 keeps its
    ``y``; tied ``x`` share one fitted value. Checked against R's ``lowess`` (with
    ties) in ``tests/reference/test_calibrate_against_r.py``.
    """
    order = np.argsort(np.asarray(x, dtype=float), kind="stable")
    xs = np.asarray(x, dtype=float)[order]
    ys = np.asarray(y, dtype=float)[order]
    n = len(xs)
    if n < 2:
        return xs, ys.copy()
    if delta is None:
        delta = 0.01 * (xs[-1] - xs[0])
    width = max(2, min(n, int(span * n + 1e-7)))
    spread = xs[-1] - xs[0]
    # the fitted points depend on x alone: (point, the last position filled before it,
    # the last of its ties)
    points: list[tuple[int, int, int]] = []
    last, i = -1, 0
    while True:
        tie = int(np.searchsorted(xs, xs[i], side="right")) - 1
        points.append((i, last, tie))
        last = tie
        if last >= n - 1:
            break
        # the next fitted point: the last within delta of this one, or the next point
        beyond = int(np.searchsorted(xs, xs[i] + delta, side="right"))
        i = max(last + 1, beyond - 1)
    # and so do their windows: slide the window right while that makes its radius no
    # larger at x[i], from the last point's window on. The condition only turns from
    # true to false as the start moves right (both sides are rounded differences of
    # sorted values), so the start is the later of the last point's start and the first
    # start where it is false (the last start where it never is)
    # (found for every point at once by bisection: the same comparisons, O(points))
    at = xs[np.array([p[0] for p in points])]
    low, high = np.zeros(len(at), dtype=int), np.full(len(at), n - width)
    while (low < high).any():
        middle = (low + high) // 2
        start = np.minimum(middle, n - width - 1)  # where low < high, middle is a start
        stays = (low < high) & ~(at - xs[start] > xs[start + width] - at)
        moves = (low < high) & ~stays
        high = np.where(stays, middle, high)
        low = np.where(moves, middle + 1, low)
    lefts = np.maximum.accumulate(low)
    steps = [(i, int(left), before, tie)
             for (i, before, tie), left in zip(points, lefts, strict=True)]
    wanted = np.ones(n, dtype=bool)
    if only is not None:
        wanted = np.zeros(n, dtype=bool)
        wanted[np.asarray(only, dtype=int)] = True
    # a step's own points (itself and its ties) and the skipped points before it (linear
    # interpolation between it and the previous step) read its local line
    between = [wanted[before + 1:i].any() for i, _, before, _ in steps]
    fitted = np.full(n, np.nan)
    for k, (i, left, before, tie) in enumerate(steps):
        if not (wanted[i:tie + 1].any() or between[k]
                or (k + 1 < len(steps) and between[k + 1])):
            continue
        fitted[i] = _local_line(xs, ys, i, left, left + width - 1, spread)
        if between[k]:  # skipped points: linear interpolation
            skipped = slice(before + 1, i)
            share = (xs[skipped] - xs[before]) / (xs[i] - xs[before])
            fitted[skipped] = share * fitted[i] + (1 - share) * fitted[before]
        fitted[i + 1:tie + 1] = fitted[i]  # ties share the fitted value
    return xs, fitted


def _local_line(xs: np.ndarray, ys: np.ndarray, i: int, left: int, right: int,
                spread: float) -> float:
    """The weighted local straight line's value at ``xs[i]`` (window from ``left``)."""
    h = max(xs[i] - xs[left], xs[right] - xs[i])
    end = int(np.searchsorted(xs, xs[i] + h, side="right"))
    r = np.abs(xs[left:end] - xs[i])
    inside = r <= 0.999 * h
    r, xw, yw = r[inside], xs[left:end][inside], ys[left:end][inside]
    weights = np.where(r <= 0.001 * h, 1.0, (1 - (r / h) ** 3) ** 3) if h > 0 else \
        np.ones(len(r))
    total = weights.sum()
    if total <= 0:
        return float(ys[i])
    weights = weights / total
    if h > 0:
        centre = np.sum(weights * xw)
        variance = np.sum(weights * (xw - centre) ** 2)
        if np.sqrt(variance) > 0.001 * spread:
            weights = weights * ((xs[i] - centre) / variance * (xw - centre) + 1)
    return float(np.sum(weights * yw))


def smoothed_at(risk: np.ndarray, outcome: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The lowess curve of ``outcome`` on ``risk`` read at ``grid`` (NaN outside the risks).

    Linear interpolation between the smoothed points, the first of tied risks taken (R's
    ``approx(lowess(risk, outcome, iter = 0), xout = grid, ties = function(x) x[1])``).
    """
    grid = np.asarray(grid, dtype=float)
    risk = np.asarray(risk, dtype=float)
    xs, first = np.unique(risk[np.argsort(risk, kind="stable")], return_index=True)
    # np.interp reads the two smoothed points around each grid point (and an end
    # outside them): only those local lines are fitted
    around = np.searchsorted(xs, grid, side="right") - 1
    needed = np.clip(np.r_[around, around + 1, 0, len(xs) - 1], 0, len(xs) - 1)
    _, fitted = lowess(risk, outcome, only=first[np.unique(needed)])
    values = np.interp(grid, xs, fitted[first])
    values[(grid < xs[0]) | (grid > xs[-1])] = np.nan
    return values


def mean_curve(copies: Sequence[Copy], grid: np.ndarray) -> np.ndarray:
    """The lowess curves of ``(risk, outcome)`` copies at ``grid``, averaged over the copies.

    One copy: its :func:`smoothed_at` unchanged (the mean of one value is the value).
    A point that any copy's curve does not reach is missing (NaN).
    """
    return np.mean([smoothed_at(risk, outcome, grid) for risk, outcome in copies], axis=0)


def calibrate_grid(risk: np.ndarray, points: int = CALIBRATE_POINTS) -> np.ndarray:
    """``rms::calibrate``'s grid: ``points`` equally spaced risks from the 5th smallest to
    the 5th largest predicted risk."""
    ordered = np.sort(np.asarray(risk, dtype=float))
    if len(ordered) < 11:
        raise ValueError("the calibration grid needs more than 10 people")
    return np.linspace(ordered[4], ordered[-5], points)


@dataclass(frozen=True)
class CalibrationCorrection:
    """The apparent and optimism-corrected calibration curves on a grid of risks.

    ``curve`` columns: ``predicted`` (the grid), ``apparent`` (the lowess curve of the
    outcome on the model's risks in the development data), ``optimism`` (mean over the
    samples of training minus test error), ``corrected`` (apparent minus optimism) and
    ``samples`` (the samples whose training and test curves both reach that point).
    ``errors``: :func:`calibration_errors` of the corrected curve.
    """

    curve: pd.DataFrame
    errors: dict


def corrected_calibration(grid: np.ndarray, apparent: np.ndarray, training: np.ndarray,
                          test: np.ndarray, risk: np.ndarray | Sequence[np.ndarray]
                          ) -> CalibrationCorrection:
    """The corrected curve from the apparent curve and each sample's errors on the grid.

    ``training`` and ``test`` hold one row per sample used (curve minus grid; NaN where
    the curve does not reach the point). At each point the optimism is averaged over
    the samples where both exist, as ``rms::predab.resample`` does (a point no sample
    reaches has no optimism and no corrected value). ``risk``: the predicted risks the
    errors are summarised over, or a list of them (one per imputed copy: each copy's
    :func:`calibration_errors` of the one corrected curve, averaged by
    :func:`mean_errors`).
    """
    training = np.asarray(training, dtype=float).reshape(-1, len(grid))
    test = np.asarray(test, dtype=float).reshape(-1, len(grid))
    both = ~np.isnan(training + test)
    used = both.sum(axis=0)
    with np.errstate(invalid="ignore"):  # a point no sample reaches: 0 / 0 is NaN
        optimism = np.where(both, training - test, 0.0).sum(axis=0) / used
    corrected = apparent - optimism
    curve = pd.DataFrame({"predicted": grid, "apparent": apparent, "optimism": optimism,
                          "corrected": corrected, "samples": used})
    risks = [risk] if isinstance(risk, np.ndarray) else list(risk)
    return CalibrationCorrection(curve=curve, errors=mean_errors(
        [calibration_errors(grid, corrected, r) for r in risks]))


def mean_errors(errors: Sequence[dict]) -> dict:
    """Error summaries (:func:`calibration_errors`, one per imputed copy) averaged; the
    number of ``people`` is the first copy's. One summary: itself."""
    if len(errors) == 1:
        return dict(errors[0])
    return {**{key: float(np.mean([e[key] for e in errors]))
               for key in ("mean_absolute", "mean_squared", "quantile90")},
            "people": errors[0]["people"]}


class CalibrationResamples:
    """The curves one bootstrap collects in its loop, and its correction.

    Parameters
    ----------
    grid : array of float
        The risks at which every curve is read.
    apparent : sequence of (risk, outcome)
        The model developed on the original data: its predicted risks and the outcomes
        in each copy of the original data (one copy without imputation; the imputed
        copies for boot-MI).

    Notes
    -----
    :meth:`add` takes one bootstrap sample: the sample's model in the sample (training:
    one pair per copy of the sample) and on the original data (test: one pair per copy
    of the original data). Each side's error is :func:`mean_curve` minus the grid, so
    with imputed copies the curves are averaged over the copies before the optimism is
    taken, as boot-MI averages its indexes. :meth:`correction` is
    :func:`corrected_calibration` of the apparent curve (:func:`mean_curve` of
    ``apparent``), the errors summarised over each original copy's risks
    (:func:`mean_errors`). With one copy throughout it is ``rms::calibrate``'s
    correction (checked against R in ``tests/reference/test_calibrate_against_r.py``).
    """

    def __init__(self, grid: np.ndarray, apparent: Sequence[Copy]) -> None:
        self.grid = np.asarray(grid, dtype=float)
        self.apparent = list(apparent)
        self.training: list[np.ndarray] = []
        self.test: list[np.ndarray] = []

    def add(self, training: Sequence[Copy], test: Sequence[Copy]) -> None:
        """One bootstrap sample's training and test errors (curve minus grid)."""
        self.training.append(mean_curve(training, self.grid) - self.grid)
        self.test.append(mean_curve(test, self.grid) - self.grid)

    def correction(self) -> CalibrationCorrection:
        """The apparent, optimism and corrected curves and the error summary."""
        return corrected_calibration(self.grid, mean_curve(self.apparent, self.grid),
                                     self.training, self.test,
                                     [risk for risk, _ in self.apparent])


def calibration_errors(grid: np.ndarray, corrected: np.ndarray, risk: np.ndarray) -> dict:
    """Mean absolute and squared error and the 0.9 quantile of the absolute error.

    The error of each person's predicted risk is the risk minus the corrected curve at
    it (linear between the grid points; people outside the grid's range are left out,
    ``people`` counts the rest), as ``rms``'s ``print.calibrate`` summarises it. The
    quantile is by linear interpolation (R's type 7).
    """
    grid = np.asarray(grid, dtype=float)
    keep = ~np.isnan(grid + np.asarray(corrected, dtype=float))
    xs, ys = grid[keep], np.asarray(corrected, dtype=float)[keep]
    risk = np.asarray(risk, dtype=float)
    if len(xs) < 2:
        return {"mean_absolute": np.nan, "mean_squared": np.nan, "quantile90": np.nan,
                "people": 0}
    inside = (risk >= xs[0]) & (risk <= xs[-1])
    err = risk[inside] - np.interp(risk[inside], xs, ys)
    if not len(err):
        return {"mean_absolute": np.nan, "mean_squared": np.nan, "quantile90": np.nan,
                "people": 0}
    return {"mean_absolute": float(np.mean(np.abs(err))),
            "mean_squared": float(np.mean(err ** 2)),
            "quantile90": float(np.quantile(np.abs(err), 0.9)), "people": int(len(err))}
