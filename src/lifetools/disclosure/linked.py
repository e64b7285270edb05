"""Tables on one page that share cells: one suppression pattern for both.

Two published tables holding the same count (Life Rooms users in the least deprived
fifth, in a breakdown of characteristics and in a table of rates by deprivation) must
hide it in both or neither: a cell hidden in one only to protect another cell of its
breakdown (secondary suppression) is given back by the other table, and with it the
cell it protected (differencing across tables). :func:`hidden_labels` reads which rows
of one protected table have a column hidden; :func:`carry_suppression` hides the same
rows' cells in another, with every share or rate of those rows (made from the cell,
they would give it back).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from lifetools.disclosure.protected import ProtectedTable, _mint

__all__ = ["LINKED", "carry_suppression", "hidden_labels"]

LINKED = "linked"
"""The reason of a cell hidden because the same count is hidden in a linked table."""


def hidden_labels(table: ProtectedTable, *, label_col: str, column: str,
                  where: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The labels (as text) of the rows of ``table`` whose ``column`` is suppressed.

    ``where``: only rows whose columns have these values (one breakdown of a table of
    several, e.g. ``{"characteristic": "Deprivation quintile"}``).
    """
    frame = table.verify().frame
    for col in (label_col, column, *(where or {})):
        if col not in frame.columns:
            raise KeyError(f"column not in the table: {col!r}")
    keep = pd.Series(True, index=frame.index)
    for col, value in (where or {}).items():
        keep &= frame[col] == value
    return frozenset(str(frame.at[row, label_col]) for row, col, _ in
                     table.record.suppressed if col == column and bool(keep.iloc[row]))


def carry_suppression(table: ProtectedTable, *, label_col: str, column: str,
                      labels: Collection[str]) -> ProtectedTable:
    """``table`` with ``column`` hidden in the rows labelled ``labels`` (as text).

    The rows' shares and rates (role ``share`` or ``rate``) are hidden too. Cells
    hidden here are recorded with the reason :data:`LINKED`; a row already hidden
    stays as it was. The result is a protected table (the same rules record).
    """
    table.verify()
    frame = table.frame
    if label_col not in frame.columns or column not in frame.columns:
        raise KeyError(f"columns not in the table: {label_col!r}, {column!r}")
    wanted = {str(v) for v in labels}
    derived = table.record.columns_with("share", "rate")
    suppressed = list(table.record.suppressed)
    for row in range(len(frame)):
        if str(frame.at[row, label_col]) not in wanted:
            continue
        for col in (column, *[c for c in derived if c != column]):
            if table.is_suppressed(row, col):
                continue
            frame[col] = frame[col].astype("Float64" if col in derived else "Int64")
            frame.at[row, col] = pd.NA
            suppressed.append((row, col, LINKED))
    r = table.record
    return _mint(frame, roles=r.roles, suppressed=tuple(suppressed), like=r,
                 places=r.places, bases=r.bases)
