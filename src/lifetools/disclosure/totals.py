"""The cells of a table that add up to a published total.

One owner for the fact both the suppression rules (:mod:`lifetools.disclosure.rules`:
secondary suppression must stop a hidden cell being recovered from its totals) and the
group-disclosure rule (:mod:`lifetools.disclosure.groups`: a whole group shown in one
cell of a total) read. Imports nothing of lifetools.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["Totals", "totals_groups"]

Totals = Literal["columns", "rows", "both"]


def totals_groups(frame: pd.DataFrame, width: int, totals: Totals,
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
