"""Restricted cubic splines as in R's ``rms::rcs`` (Hmisc ``rcspline.eval``)."""

from __future__ import annotations

import numpy as np

__all__ = ["rcs_basis", "rcs_centiles", "rcs_knots"]

_OUTER = {3: 0.10, 4: 0.05, 5: 0.05, 6: 0.05}


def rcs_centiles(n_knots: int) -> tuple[float, ...]:
    """The centiles (per cent) at which :func:`rcs_knots` places ``n_knots`` knots.

    Harrell's rule with 100 or more values and no tied extreme: equally spaced from
    ``outer`` to ``100 - outer`` per cent (5, 27.5, 50, 72.5, 95 for 5 knots).
    """
    if n_knots < 3 or n_knots > 7:
        raise ValueError("Harrell's knot placement has 3 to 7 knots")
    outer = _OUTER.get(n_knots, 0.025)
    low = 100 * outer
    return tuple(low + j * (100 - 2 * low) / (n_knots - 1) for j in range(n_knots))


def rcs_knots(values: np.ndarray, n_knots: int = 4, *, fractied: float = 0.05) -> tuple[float, ...]:
    """Knot locations by Harrell's rule (``Hmisc::rcspline.eval``, ``nk`` knots).

    Parameters
    ----------
    values : array of float
        The continuous predictor; missing values are ignored.
    n_knots : int
        Number of knots, 3 to 7.
    fractied : float
        When the lowest (highest) value holds at least this share of observations and
        no interior value does, that extreme's next distinct value becomes a knot and the
        other knots are placed in the rest, as ``rms`` does (its option ``fractied``).

    Returns
    -------
    tuple of float
        Sorted distinct knots.

    Notes
    -----
    Knots are sample quantiles (R type 7) at equally spaced probabilities from
    ``outer`` to ``1 - outer`` (outer = 0.10 for 3 knots, 0.05 for 4-6, 0.025 for 7);
    with fewer than 100 values the outer knots are the 5th smallest and 5th largest.
    The rarely used fallbacks of ``rcspline.eval`` (too few distinct quantiles) raise
    instead. Checked against ``rcspline.eval`` in
    ``tests/reference/test_prediction_against_r.py``.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 6 or n_knots < 3 or n_knots > 7:
        raise ValueError("rcs_knots needs at least 6 values and 3 to 7 knots")
    distinct = np.unique(x)
    if len(distinct) - 2 <= n_knots:
        return tuple(float(v) for v in distinct[1:-1])
    outer = _OUTER.get(n_knots, 0.025)
    first: list[float] = []
    last: list[float] = []
    kept = n_knots
    values_share = np.unique(x, return_counts=True)[1] / len(x)
    if 0 < fractied < 1 and values_share[1:-1].max() < fractied:
        if values_share[0] >= fractied:
            first = [float(x[x > x.min()].min())]
            x = x[x > first[0]]
            kept -= 1
        if values_share[-1] >= fractied:
            last = [float(x[x < x.max()].max())]
            x = x[x < last[0]]
            kept -= 1
    knots = np.quantile(x, np.linspace(outer, 1 - outer, kept))
    if len(np.unique(knots)) < min(kept, 3):
        raise ValueError("too few distinct values for Harrell's knot placement")
    if len(x) < 100:
        ordered = np.sort(x)
        if not first:
            knots[0] = ordered[4]
        if not last:
            knots[-1] = ordered[-5]
    return tuple(float(v) for v in np.unique(np.concatenate([first, knots, last])))


def rcs_basis(values: np.ndarray, knots: tuple[float, ...] | list[float]) -> np.ndarray:
    """Restricted cubic spline basis: ``x`` and ``k - 2`` non-linear terms (``rms`` scaling).

    Parameters
    ----------
    values : array of float
    knots : sequence of float
        At least 3 sorted knots (from :func:`rcs_knots`, or frozen with a model).

    Returns
    -------
    numpy.ndarray
        ``(n, k - 1)`` matrix: ``x``, then term ``j`` =
        ``(x - t_j)_+^3 - (x - t_{k-1})_+^3 (t_k - t_j)/(t_k - t_{k-1})
        + (x - t_k)_+^3 (t_{k-1} - t_j)/(t_k - t_{k-1})``, divided by ``(t_k - t_1)^2``.

    Notes
    -----
    Linear beyond the outer knots. The scaling (``norm = 2``) is ``rms::rcs``'s, so
    coefficients are comparable with ``lrm``'s ``x'``, ``x''`` terms; checked in
    ``tests/reference/test_prediction_against_r.py``.
    """
    x = np.asarray(values, dtype=float)
    t = np.asarray(knots, dtype=float)
    k = len(t)
    if k < 3:
        raise ValueError("a restricted cubic spline needs at least 3 knots")
    kd = (t[-1] - t[0]) ** (2 / 3)
    columns = [x]
    for j in range(k - 2):
        term = (np.clip((x - t[j]) / kd, 0, None) ** 3
                + ((t[-2] - t[j]) * np.clip((x - t[-1]) / kd, 0, None) ** 3
                   - (t[-1] - t[j]) * np.clip((x - t[-2]) / kd, 0, None) ** 3)
                / (t[-1] - t[-2]))
        columns.append(term)
    return np.column_stack(columns)
