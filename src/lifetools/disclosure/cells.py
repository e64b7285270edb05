"""The one reader of the numbers a table cell shows: a number, or the digits in a text.

A cell shows a statistic whether it holds a number (``12.3``) or a text that writes one
("12.3 (10.1 to 14.5)", "48%"). :func:`cell_numbers` reads both the same way, so that
the checks at source (:func:`lifetools.disclosure.statistics.require_no_loose_statistics`,
:func:`lifetools.disclosure.copies.require_copy_kept`) and the publish gate
(:func:`lifetools.disclosure.statistics.statistic_findings`, which
:mod:`lifetools.pipeline.gate.tables` and :mod:`lifetools.pipeline.gate.files` call on
the page's and the download's cells) cannot disagree about whether a cell holds a
number. Tested in ``tests/unit/test_disclosure_cells.py``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

__all__ = ["cell_numbers", "shows_number"]

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def cell_numbers(cell: Any) -> tuple[str, ...]:
    """The numbers a cell shows, as written, in order ("" cells and marks: none).

    A number (not a boolean, not missing) is one number; any other value is read as the
    text it shows, each run of digits (with its decimal point or thousands
    separators) one number: ``"12.3 (10.1 to 14.5)"`` shows three.

    >>> cell_numbers("12.3 (10.1 to 14.5)"), cell_numbers(2.5), cell_numbers("[c]")
    (('12.3', '10.1', '14.5'), ('2.5',), ())
    """
    if cell is None or isinstance(cell, (bool, np.bool_)):
        return ()
    if isinstance(cell, (int, float, np.number)):
        value = float(cell)
        return () if math.isnan(value) else (repr(cell.item() if hasattr(cell, "item")
                                                  else cell),)
    try:
        if cell != cell:  # pd.NA, NaT
            return ()
    except TypeError:  # pd.NA refuses a truth value
        return ()
    return tuple(_DIGITS.findall(str(cell)))


def shows_number(cell: Any) -> bool:
    """Whether a cell shows any number (:func:`cell_numbers`)."""
    return bool(cell_numbers(cell))
