"""Design matrices built once, as statsmodels uses them (issue 16 memory).

``sm.add_constant(df[columns].astype(float))`` holds the design three times over on
the way to a fit (the selected columns, their float copy, the frame with the constant)
and its result twice after: the frame has two blocks (the constant and the rest), so
statsmodels' ``np.asarray`` copies it into one array, and a fitted model keeps both
(the frame as ``model.data.orig_exog``, the array as ``model.exog``), and ``predict``
on the frame copies it once more. :func:`design_frame` writes each column once into
one float64 block laid out as that copy is (column after column: a Fortran-ordered
``(rows, columns)`` array), so statsmodels takes the block itself as ``exog``, not a
copy: the same numbers in the same memory order, hence the same arithmetic and the
same bits (``tests/unit/test_design_memory.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["design_frame"]


def design_frame(df: pd.DataFrame, columns: Sequence[str], *, rows: np.ndarray | None = None,
                 constant: bool = True) -> pd.DataFrame:
    """``sm.add_constant(df.loc[rows, columns].astype(float), has_constant="add")`` in
    one float64 block: an intercept ``const`` first (when ``constant``), then
    ``columns`` in order, each as ``Series.astype(float)`` gives it (a missing value
    is NaN); ``rows`` (a boolean mask over ``df``'s rows, default every row) selects
    rows and their index labels. ``np.asarray`` of the result is its block (no copy).
    """
    index = df.index if rows is None else df.index[rows]
    names = (["const"] if constant else []) + list(columns)
    values = np.empty((len(names), len(index)))
    if constant:
        values[0] = 1.0
    for i, name in enumerate(columns, start=int(constant)):
        column = df[name].astype(float, copy=False).to_numpy()
        values[i] = column if rows is None else column[rows]
    return pd.DataFrame(values.T, index=index, columns=names, copy=False)
