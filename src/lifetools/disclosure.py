"""Statistical disclosure control: the rules every published count passes through.

Policy (``../shared/DOMAIN.md`` section 4): counts of 1 to 7 are suppressed and every
other count is rounded to the nearest 5, as OpenSAFELY does by default and as HES and
ECDS do below national level (since September 2018). Zero is shown, as HES shows it.
Percentages and rates are derived from the protected counts; survival curves are shown
only while at least ``MIN_AT_RISK`` people remain at risk, with numbers at risk rounded.
Protection is on by default; switching it off takes ``enabled=False`` and is recorded.

Secondary suppression (:func:`suppress_secondary`): where the cells of a table add up to
a total that is published (a one-way breakdown, the columns or rows of a cross-table),
further cells are hidden until no hidden cell can be worked out from the totals by
subtraction, as HES, ECDS and the MHSDS statistics do. A report declares that a table's
cells add up to published totals with :func:`declare_totals`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from lifetools.errors import DisclosureWarning

__all__ = [
    "MIN_AT_RISK",
    "PROTECTION_ATTR",
    "ROUNDING_BASE",
    "SUPPRESSION_THRESHOLD",
    "TOTALS_ATTR",
    "Totals",
    "declare_totals",
    "is_protected",
    "protect_count",
    "protect_counts",
    "round_count",
    "suppress_secondary",
]

SUPPRESSION_THRESHOLD = 7
"""Counts from 1 up to and including this value are suppressed."""
ROUNDING_BASE = 5
"""Every count that is not suppressed is rounded to a multiple of this."""
MIN_AT_RISK = 10
"""Survival and cumulative-incidence curves stop where fewer remain at risk."""
PROTECTION_ATTR = "lifetools_protection"
"""Key in ``DataFrame.attrs`` recording the rules applied to a protected frame."""
TOTALS_ATTR = "lifetools_totals"
"""Key in ``DataFrame.attrs`` declaring which cells add up to published totals."""

Totals = Literal["columns", "rows", "both"]
"""Which cells add up to a published total: each count column (within each block of
rows sharing ``by``), each row across the count columns, or both (a cross-table
published with its margins)."""


def round_count(n: int, *, base: int = ROUNDING_BASE) -> int:
    """Round a non-negative count to the nearest multiple of ``base`` (halves up)."""
    if n < 0:
        raise ValueError(f"a count cannot be negative (got {n})")
    return int(math.floor(n / base + 0.5)) * base


def protect_count(
    n: int | None,
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    base: int = ROUNDING_BASE,
    enabled: bool = True,
) -> int | None:
    """Return a count fit to publish: ``None`` when suppressed, else rounded.

    Zero is kept (nobody can be singled out by it); 1 to ``threshold`` become ``None``;
    larger counts are rounded to the nearest ``base``.
    """
    if n is None or (isinstance(n, float) and math.isnan(n)) or n is pd.NA:
        return None
    n = int(n)
    if not enabled:
        return n
    if n == 0:
        return 0
    if n <= threshold:
        return None
    return round_count(n, base=base)


def _groups(frame: pd.DataFrame, width: int, totals: Totals,
            by: str | None) -> list[list[int]]:
    """Cells (flat row-major positions) that add up to one published total each."""
    if totals not in ("columns", "rows", "both"):
        raise ValueError(f"totals must be 'columns', 'rows' or 'both' (got {totals!r})")
    if by is not None and by not in frame.columns:
        raise KeyError(f"column {by!r} (by) not in the table")
    groups = []
    if totals in ("columns", "both"):
        blocks = ([np.arange(len(frame))] if by is None else
                  list(frame.groupby(by, sort=False, dropna=False).indices.values()))
        groups += [[int(i) * width + j for i in block]
                   for j in range(width) for block in blocks]
    if totals in ("rows", "both"):
        groups += [[i * width + j for j in range(width)] for i in range(len(frame))]
    return [g for g in groups if len(g) > 1]


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


def suppress_secondary(
    frame: pd.DataFrame,
    count_cols: Sequence[str],
    *,
    totals: Totals = "columns",
    by: str | None = None,
    threshold: int = SUPPRESSION_THRESHOLD,
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
        Counts from 1 up to this value are suppressed (primary suppression).

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
    Tested in ``tests/unit/test_disclosure.py``.
    """
    width = len(count_cols)
    values = frame[list(count_cols)].to_numpy(dtype="float64", na_value=np.nan).ravel()
    hidden = np.isnan(values) | ((values >= 1) & (values <= threshold))
    groups = _groups(frame, width, totals, by)
    while (pick := _next_cell(hidden, values, groups)) is not None:
        hidden[pick] = True
    return pd.DataFrame(hidden.reshape(len(frame), width), index=frame.index,
                        columns=list(count_cols))


def declare_totals(frame: pd.DataFrame, *, totals: Totals = "columns",
                   by: str | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` declaring that its counts add up to published totals.

    :func:`lifetools.tables.show_table` reads the declaration and applies
    :func:`suppress_secondary` with it.
    """
    _groups(frame, 1, totals, by)
    out = frame.copy()
    out.attrs[TOTALS_ATTR] = {"totals": totals, "by": by}
    return out


def protect_counts(
    frame: pd.DataFrame,
    count_cols: Sequence[str],
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    base: int = ROUNDING_BASE,
    enabled: bool = True,
    totals: Totals | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Return a copy of ``frame`` whose ``count_cols`` are suppressed and rounded.

    Suppressed cells become ``<NA>`` (nullable ``Int64``). With ``totals`` (see
    :func:`suppress_secondary`) the cells that add up to published totals get secondary
    suppression too. The rules applied are recorded in
    ``result.attrs[PROTECTION_ATTR]`` (with ``"secondary"``: the totals declared, or
    ``None``, and ``"secondary_cells"``: how many cells it hid); ``enabled=False``
    leaves the counts as they are, warns with :class:`DisclosureWarning` and records
    that too.
    """
    missing = [c for c in count_cols if c not in frame.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {missing}")
    if not enabled:
        warnings.warn(
            "disclosure control switched off: counts are published unprotected",
            DisclosureWarning,
            stacklevel=2,
        )
    hide = (suppress_secondary(frame, count_cols, totals=totals, by=by,
                               threshold=threshold)
            if enabled and totals is not None else None)
    out = frame.copy()
    secondary = 0
    for col in count_cols:
        values = [
            protect_count(v, threshold=threshold, base=base, enabled=enabled)
            for v in out[col].tolist()
        ]
        if hide is not None:
            flags = hide[col].tolist()
            secondary += sum(v is not None and h
                             for v, h in zip(values, flags, strict=True))
            values = [None if h else v for v, h in zip(values, flags, strict=True)]
        out[col] = pd.array(values, dtype="Int64")
    out.attrs[PROTECTION_ATTR] = {
        "enabled": enabled,
        "threshold": threshold,
        "base": base,
        "count_cols": list(count_cols),
        "secondary": None if hide is None else {"totals": totals, "by": by},
        "secondary_cells": int(secondary),
    }
    return out


def is_protected(frame: pd.DataFrame) -> bool:
    """Tell whether ``frame`` came out of :func:`protect_counts` (or a derived rule)."""
    return PROTECTION_ATTR in frame.attrs
