"""Frames over the same values: a frame with new columns that copies none of its own.

``DataFrame.assign`` (and ``pd.concat`` of columns) copies every column of the frame into
new blocks: a report that adds a column or two to its person-level data held two copies
of every person's values (at 1,500,000 people about 0.3 GB for the propensity weights,
issue 16). :func:`with_columns` builds the new frame over the input's columns instead
(not consolidated: each column its own block), so it holds only the new columns.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["with_columns"]


def with_columns(frame: pd.DataFrame, new: Mapping[str, object]) -> pd.DataFrame:
    """A frame over the same values as ``frame`` plus the columns ``new``.

    Parameters
    ----------
    frame
        The frame whose columns are kept, in their order; it is not changed.
    new
        Column name -> values (a Series, aligned on ``frame``'s index as by
        ``assign``, or an array of its length). A name of ``frame`` is replaced in its
        place, as ``assign`` does.

    Returns
    -------
    pandas.DataFrame
        ``frame``'s columns, sharing their values with ``frame`` (no copy), then the
        new ones; the index is ``frame``'s.

    Notes
    -----
    The result's columns share memory with ``frame``'s: write into neither in place
    (the reports never do). Tested in ``tests/unit/test_frames.py``.
    """
    columns = {name: frame[name] for name in frame.columns}
    for name, values in new.items():
        if not isinstance(values, pd.Series):
            values = pd.Series(values, index=frame.index)
        elif not values.index.equals(frame.index):
            values = values.reindex(frame.index)  # by label, as ``assign``
        columns[name] = values
    return pd.DataFrame(columns, copy=False)
