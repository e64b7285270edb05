"""A protected table's own refusals: each operation that could publish an unprotected
or mis-aligned cell is refused, and a table tampered with stops being protected.

The inputs are ones that would leak if the branch were wrong: the raw count 3 (under
every profile's threshold) kept beside or behind the protected one.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools import disclosure
from lifetools.disclosure import ProtectedTable
from lifetools.errors import DisclosureError

RAW = pd.DataFrame({"group": ["a", "b", "c"], "n": [3, 12, 101]})


def protected() -> ProtectedTable:
    return disclosure.protect_counts(RAW, ["n"])


def test_the_small_count_is_hidden_in_the_table_these_tests_attack():
    table = protected()
    assert table.is_suppressed(0, "n") and not table.is_suppressed(2, "n")
    assert table.frame["n"].isna().tolist() == [True, False, False]


def test_a_table_whose_protected_column_was_removed_behind_its_back_is_not_protected():
    table = protected()
    del table._frame["n"]  # reaching inside: the record still lists the column
    with pytest.raises(DisclosureError, match="'n' of the protection record is missing"):
        table.verify()
    assert not disclosure.is_protected(table)


def test_is_protected_is_false_once_a_protected_cell_is_changed_back_to_the_raw_count():
    table = protected()
    assert disclosure.is_protected(table)
    table._frame.loc[0, "n"] = 3  # the suppressed count written back
    assert not disclosure.is_protected(table)
    assert not disclosure.is_protected(RAW)


@pytest.mark.parametrize("keys", [{"left_on": "group", "right_on": "label"},
                                  {"left_index": True, "right_index": True},
                                  {"on": "group", "suffixes": ("", "_raw")}])
def test_protected_tables_merge_only_on_shared_label_columns(keys):
    """left_on/right_on, the index or suffixes could pair a row's hidden cell with
    another row, or keep a second copy of a count under a new name."""
    other = disclosure.protect_counts(
        pd.DataFrame({"label": ["a", "b", "c"], "group": ["a", "b", "c"],
                      "m": [50, 60, 70]}), ["m"])
    with pytest.raises(DisclosureError, match="merge on shared label columns"):
        protected().merge(other, **keys)


def test_select_of_a_column_not_in_the_table_names_it():
    with pytest.raises(KeyError, match="raw_n"):
        protected().select(["group", "raw_n"])


def test_rows_refuses_a_mask_of_another_length():
    """A mask one row short would shift which rows' cells are known to be hidden."""
    with pytest.raises(ValueError, match="mask has 2 values for 3 rows"):
        protected().rows([True, False])
    kept = protected().rows(pd.Series([True, False, True]))
    assert kept.is_suppressed(0, "n") and len(kept) == 2
