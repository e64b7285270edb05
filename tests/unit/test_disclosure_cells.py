"""The one reader of the numbers a cell shows (:mod:`lifetools.disclosure.cells`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lifetools.disclosure.cells import cell_numbers, shows_number


@pytest.mark.parametrize(("cell", "numbers"), [
    ("12.3 (10.1 to 14.5)", ("12.3", "10.1", "14.5")),
    ("48%", ("48",)),
    ("2,635 people", ("2,635",)),
    (2.5, ("2.5",)),
    (np.int64(40), ("40",)),
    (0, ("0",)),
    ("[c]", ()), ("[x]", ()), ("", ()), ("Sefton", ()),
    (None, ()), (math.nan, ()), (pd.NA, ()), (pd.NaT, ()), (True, ()), (np.bool_(False), ()),
])
def test_cell_numbers_reads_numbers_and_digits_in_text(cell, numbers):
    assert cell_numbers(cell) == numbers
    assert shows_number(cell) is bool(numbers)
