"""The count rules: rounding, primary and secondary suppression (pure functions).

Policy (``../shared/DOMAIN.md`` section 4): by default counts of 1 to 7 are suppressed
and every other count is rounded to the nearest 5, as OpenSAFELY does by default and as
HES and ECDS do below national level (since September 2018). Zero is shown, as HES
shows it. The numbers come from the active profile (:mod:`.profiles`); a function
given ``threshold=None`` or ``base=None`` reads them from there.

Secondary suppression (:func:`suppress_secondary`): where the cells of a table add up to
a total that is published (a one-way breakdown, the columns or rows of a cross-table),
further cells are hidden until no hidden cell can be worked out from the totals by
subtraction, as HES, ECDS and the MHSDS statistics do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from lifetools.disclosure.groups import whole_group_cells
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.totals import Totals, totals_groups

__all__ = ["SCAN_LIMIT", "Totals", "count_cast_to_decimals", "hide_secondary", "protect_count",
           "publishable_between", "round_count", "suppress_secondary", "totals_groups",
           "unpublishable_between"]

"""Which cells add up to a published total: each count column (within each block of
rows sharing ``by``), each row across the count columns, or both (a cross-table
published with its margins)."""


def round_count(n: int, *, base: int | None = None,
                profile: str | SdcProfile | None = None) -> int:
    """Round a non-negative count as the profile says (nearest ``base``, halves up).

    With a ``"midpoint"`` profile: ``ceil(n / base) * base - floor(base / 2)`` for
    ``n > 0`` and 0 for 0 (OpenSAFELY's midpoint 6 rounding).
    """
    if n < 0:
        raise ValueError(f"a count cannot be negative (got {n})")
    p = get_profile(profile)
    base = p.base if base is None else base
    if p.rounding == "midpoint":
        return 0 if n == 0 else int(math.ceil(n / base)) * base - base // 2
    return int(math.floor(n / base + 0.5)) * base


def protect_count(
    n: int | None,
    *,
    threshold: int | None = None,
    base: int | None = None,
    enabled: bool = True,
    profile: str | SdcProfile | None = None,
) -> int | None:
    """Return a count fit to publish: ``None`` when suppressed, else rounded.

    Zero is kept (nobody can be singled out by it); 1 to ``threshold`` become ``None``;
    larger counts are rounded (:func:`round_count`). ``threshold`` and ``base`` default
    to the profile's (the active profile unless ``profile`` names one).
    """
    if n is None or (isinstance(n, float) and math.isnan(n)) or n is pd.NA:
        return None
    n = int(n)
    if not enabled:
        return n
    p = get_profile(profile)
    threshold = p.threshold if threshold is None else threshold
    if n == 0:
        return 0
    if n <= threshold:
        return None
    return round_count(n, base=base, profile=p)


SCAN_LIMIT = 10_000
"""Counts a derived number's interval of implied counts is searched over one by one; a
wider interval holds a publishable count whatever the profile (every base is below it)."""


def publishable_between(low: float, high: float,
                        profile: str | SdcProfile | None = None) -> bool:
    """Whether some count the profile publishes (0, or a rounded count above its
    threshold) lies in ``[low, high]``: what a rate or a share written to its places
    allows its count to be (:mod:`lifetools.disclosure.rate_check`, the publish gate's
    check of a text's shares)."""
    p = get_profile(profile)
    low, high = max(low, 0.0), max(high, 0.0)
    if high - low > SCAN_LIMIT:
        return True
    return any(protect_count(k, profile=p) == k
               for k in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1))


def unpublishable_between(low: float, high: float,
                          profile: str | SdcProfile | None = None) -> bool:
    """Whether ``[low, high]`` holds whole numbers and none is a count the profile
    publishes: a number written to its places that gives back a count of 1 to the
    threshold, or an unrounded one (an interval holding no whole number at all gives
    back no count)."""
    low, high = max(low, 0.0), max(high, 0.0)
    if math.floor(high + 1e-9) < math.ceil(low - 1e-9):
        return False
    return not publishable_between(low, high, profile)


def count_cast_to_decimals(value: object, profile: str | SdcProfile | None = None) -> bool:
    """Whether a model's number is a count cast to decimals: a finite whole number other
    than 0 and 1 (in size) that the profile would not publish as a count ("2,634.00",
    "12.00"). The one rule :func:`lifetools.publication.record` applies to an estimate
    at source, and the publish gate to ``results.json`` and to a key result's text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    number = float(value)
    return (math.isfinite(number) and number.is_integer() and abs(number) > 1
            and not get_profile(profile).publishable(int(abs(number))))


def _recoverable(hidden: np.ndarray, groups: list[list[int]]) -> list[int]:
    """Hidden cells whose value follows from the totals by linear algebra."""
    cells = np.flatnonzero(hidden)
    if not cells.size or not groups:
        return []
    column = {int(c): k for k, c in enumerate(cells)}
    matrix = np.zeros((len(groups), len(cells)))
    for row, group in enumerate(groups):
        for cell in group:
            if cell in column:
                matrix[row, column[cell]] = 1.0
    _, singular, vt = np.linalg.svd(matrix)
    tolerance = singular.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps
    null = vt[int((singular > tolerance).sum()):]
    fixed = np.all(np.abs(null) < 1e-8, axis=0)
    return [int(c) for c in cells[fixed]]


def _next_cell(hidden: np.ndarray, values: np.ndarray,
               groups: list[list[int]]) -> int | None:
    """The published cell to hide next, or ``None`` when no hidden cell is exposed.

    First the groups with exactly one hidden cell: their smallest published non-zero
    cell, preferring a cell that serves several such groups at once. Then any hidden
    cell still fixed by the totals: the smallest published cell of its groups.
    """
    singles = [g for g in groups if int(hidden[g].sum()) == 1]
    choices = [singles] if singles else [
        [g for g in groups if cell in g] for cell in _recoverable(hidden, groups)]
    for chosen in choices:
        serves: dict[int, int] = {}
        for cell in (c for g in chosen for c in g if not hidden[c]):
            serves[cell] = serves.get(cell, 0) + 1
        if serves:
            return min(serves, key=lambda c: (values[c] == 0, -serves[c], values[c], c))
    return None


def hide_secondary(primary: np.ndarray, values: np.ndarray,
                   groups: list[list[int]]) -> np.ndarray:
    """Add secondary suppression to a mask of hidden cells (flat, row-major).

    ``values`` rank the candidates (smallest published non-zero first); ``groups``
    come from :func:`totals_groups`. Returns the new mask; ``primary`` is not changed.
    Used for counts (:func:`suppress_secondary`) and magnitudes alike.
    """
    hidden = np.asarray(primary, dtype=bool).copy()
    values = np.nan_to_num(np.asarray(values, dtype="float64"), nan=0.0)
    while (pick := _next_cell(hidden, values, groups)) is not None:
        hidden[pick] = True
    return hidden


def suppress_secondary(
    frame: pd.DataFrame,
    count_cols: Sequence[str],
    *,
    totals: Totals = "columns",
    by: str | None = None,
    threshold: int | None = None,
    profile: str | SdcProfile | None = None,
) -> pd.DataFrame:
    """Return where cells must be hidden: primary and secondary suppression.

    Parameters
    ----------
    frame
        Raw counts (missing values count as already hidden).
    count_cols
        The cells: columns of counts.
    totals
        Which cells add up to a published total: ``"columns"`` (each count column,
        within each block of rows sharing ``by``), ``"rows"`` (each row across the
        count columns) or ``"both"`` (a cross-table with both margins).
    by
        Column splitting the rows into separate breakdowns, each with its own total.
    threshold
        Counts from 1 up to this value are suppressed (primary suppression); by
        default the profile's.
    profile
        The rules (default: the active profile).

    Returns
    -------
    pandas.DataFrame
        Booleans, one column per count column, ``True`` where the cell is hidden.

    Notes
    -----
    The rule of the NHS England (HES, ECDS) and ONS small-numbers guidance: a cell that
    could be worked out by subtracting the published cells from a published total is
    hidden too. In each group of cells adding up to a total, when exactly one cell is
    hidden the smallest published non-zero cell of the group is hidden as well (a zero
    only when no non-zero cell is left; ties go to the earlier cell, row by row). This
    is repeated until no hidden cell can be recovered, checked exactly: a hidden cell
    is recoverable when it is fixed by the totals' linear equations (so patterns across
    rows and columns of a cross-table are caught too). Zeros are published and hide
    nothing; a group of one cell is skipped (its cell equals its total, which is
    protected as a count itself). The totals are assumed to be published, rounded.
    Group (class) disclosure, when the profile rules it: a group whose one
    published non-zero cell holds the whole group, every other cell 0, has its zeros
    hidden as primary cells (:mod:`lifetools.disclosure.groups`). Otherwise a profile
    without a small-count threshold (midpoint rounding) hides nothing.
    Tested in ``tests/unit/test_disclosure.py``.
    """
    p = get_profile(profile)
    threshold = p.threshold if threshold is None else threshold
    width = len(count_cols)
    values = frame[list(count_cols)].to_numpy(dtype="float64", na_value=np.nan).ravel()
    primary = np.isnan(values) | ((values >= 1) & (values <= threshold))
    groups = totals_groups(frame, width, totals, by)
    if p.group_disclosure:  # a whole group in one cell: its zeros are hidden too

        published = np.where(primary, np.nan, values).reshape(len(frame), width)
        primary = primary | whole_group_cells(published, groups).ravel()
    hidden = hide_secondary(primary, values, groups)
    return pd.DataFrame(hidden.reshape(len(frame), width), index=frame.index,
                        columns=list(count_cols))
