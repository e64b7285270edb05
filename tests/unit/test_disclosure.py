"""Disclosure control rules: boundaries on both sides of each threshold, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifetools import disclosure
from lifetools.errors import DisclosureWarning


@pytest.mark.parametrize(("count", "shown"), [
    (0, 0), (1, None), (5, None), (7, None), (8, 10), (9, 10), (10, 10), (12, 10),
    (13, 15), (17, 15), (18, 20), (1234, 1235), (None, None), (float("nan"), None),
])
def test_protect_count_boundaries(count, shown):
    assert disclosure.protect_count(count) == shown


def test_protect_count_disabled_returns_raw():
    assert disclosure.protect_count(3, enabled=False) == 3


@given(st.integers(min_value=0, max_value=10**7))
def test_protect_count_properties(n):
    shown = disclosure.protect_count(n)
    rules = disclosure.active_profile()
    if 1 <= n <= rules.threshold:
        assert shown is None
    else:
        assert shown % rules.base == 0
        assert abs(shown - n) <= rules.base / 2
        assert shown > rules.threshold or shown == 0


@given(st.integers(min_value=0, max_value=10**6))
def test_round_count_is_nearest_multiple(n):
    rounded = disclosure.round_count(n)
    assert rounded % 5 == 0 and abs(rounded - n) <= 2


def test_round_count_rejects_negative():
    with pytest.raises(ValueError, match="negative"):
        disclosure.round_count(-1)


def test_protect_counts_records_rules_and_leaves_input():
    frame = pd.DataFrame({"group": ["a", "b", "c"], "n": [3, 8, 1001]})
    out = disclosure.protect_counts(frame, ["n"])
    assert out["n"].tolist() == [pd.NA, 10, 1000]
    assert frame["n"].tolist() == [3, 8, 1001]
    assert disclosure.is_protected(out) and not disclosure.is_protected(frame)
    assert out.rules["threshold"] == 7 and out.rules["profile"] == "default"
    assert out.record.suppressed == ((0, "n", "primary"),)


def test_protect_counts_off_needs_explicit_argument_and_warns():
    frame = pd.DataFrame({"n": [3]})
    with pytest.warns(DisclosureWarning, match="switched off"):
        out = disclosure.protect_counts(frame, ["n"], enabled=False)
    assert out["n"].tolist() == [3]
    assert out.rules["enabled"] is False


def test_protect_counts_unknown_column():
    with pytest.raises(KeyError, match="not in the table"):
        disclosure.protect_counts(pd.DataFrame({"n": [1]}), ["m"])


# Secondary suppression -------------------------------------------------------------

COUNTS = st.integers(min_value=0, max_value=30)  # dense around the threshold of 7


def one_way(values, by=None):
    frame = pd.DataFrame({"n": values})
    if by is not None:
        frame.insert(0, "block", by)
    return frame


def cross(rows):
    return pd.DataFrame(rows, columns=[f"c{j}" for j in range(len(rows[0]))])


def groups_of(frame, cols, totals, by=None):
    """Cell positions (row, column) adding up to one published total each."""
    groups = []
    if totals in ("columns", "both"):
        blocks = [frame.index] if by is None else [
            idx for _, idx in frame.groupby(by, sort=False).groups.items()]
        groups += [[(frame.index.get_loc(i), j) for i in block]
                   for j in range(len(cols)) for block in blocks]
    if totals in ("rows", "both"):
        groups += [[(i, j) for j in range(len(cols))] for i in range(len(frame))]
    return [g for g in groups if len(g) > 1]


def recoverable(hidden, groups):
    """Hidden cells fixed by the totals: adding the cell does not raise the rank."""
    cells = [tuple(c) for c in np.argwhere(hidden)]
    if not cells:
        return []
    matrix = np.array([[1.0 if c in g else 0.0 for c in cells] for g in groups]
                      or np.zeros((0, len(cells))))
    rank = np.linalg.matrix_rank(matrix) if len(matrix) else 0
    return [c for k, c in enumerate(cells)
            if np.linalg.matrix_rank(np.vstack([matrix, np.eye(len(cells))[k]]))
            == rank]


def check_secondary(frame, cols, totals, by=None):
    hide = disclosure.suppress_secondary(frame, cols, totals=totals, by=by)
    mask = hide.to_numpy()
    raw = frame[cols].to_numpy()
    primary = (raw >= 1) & (raw <= disclosure.active_profile().threshold)
    assert (mask | ~primary).all(), "a primarily suppressed cell was published"
    groups = groups_of(frame, cols, totals, by)
    for group in groups:
        assert sum(mask[c] for c in group) != 1, f"one hidden cell in group {group}"
    assert recoverable(mask, groups) == []
    out = disclosure.protect_counts(frame, cols, totals=totals, by=by)
    for col in cols:
        for value, shown, hidden in zip(frame[col], out[col], hide[col], strict=True):
            assert (shown is pd.NA) if hidden else shown == disclosure.protect_count(value)
    again = disclosure.protect_counts(frame, cols, totals=totals, by=by)
    assert again.frame.equals(out.frame), "not deterministic"
    twice = disclosure.protect_counts(out, cols, totals=totals, by=by)
    assert twice[cols].frame.equals(out[cols].frame), "not idempotent"
    return out


@given(st.lists(COUNTS, min_size=1, max_size=10))
def test_suppress_secondary_one_way_properties(values):
    check_secondary(one_way(values), ["n"], "columns")


@given(st.lists(st.tuples(st.sampled_from("ab"), COUNTS), min_size=1, max_size=10))
def test_suppress_secondary_blocks_properties(rows):
    frame = one_way([n for _, n in rows], by=[b for b, _ in rows])
    check_secondary(frame, ["n"], "columns", by="block")


@given(st.integers(1, 5).flatmap(lambda width: st.lists(
    st.lists(COUNTS, min_size=width, max_size=width), min_size=1, max_size=5)),
       st.sampled_from(["columns", "rows", "both"]))
def test_suppress_secondary_cross_table_properties(rows, totals):
    frame = cross(rows)
    check_secondary(frame, list(frame.columns), totals)


@pytest.mark.parametrize(("values", "shown"), [
    ([7, 8, 100], [None, None, 100]),     # 7 hidden, so the next smallest (8) too
    ([8, 9, 100], [10, 10, 100]),         # nothing at or below 7: nothing hidden
    ([0, 7, 50, 60], [0, None, None, 60]),  # zeros are shown and never chosen first
    ([7, 0, 0], [None, None, 0]),         # ... unless only zeros are left (first one)
    ([0, 0, 100], [None, None, 100]),     # a whole group in one cell: zeros hidden
    ([0, 5, 100], [0, None, None]),       # a zero beside hidden cells is shown
    ([3, 4, 100], [None, None, 100]),     # two hidden cells: their split is unknown
    ([3, 20, 20], [None, None, 20]),      # ties go to the earlier cell
    ([5], [None]),                        # a group of one: the cell is its total
    ([1234, 8], [1235, 10]),              # rounding as before
])
def test_suppress_secondary_one_way_boundaries(values, shown):
    out = disclosure.protect_counts(one_way(values), ["n"], totals="columns")
    assert [None if v is pd.NA else v for v in out["n"]] == shown


def test_suppress_secondary_within_blocks_only():
    frame = pd.DataFrame({"characteristic": ["Sex"] * 3 + ["Age"] * 3,
                          "n": [3, 40, 50, 20, 30, 40]})
    out = disclosure.protect_counts(frame, ["n"], totals="columns", by="characteristic")
    assert out["n"].isna().tolist() == [True, True, False, False, False, False]


def test_suppress_secondary_cross_table_hides_a_rectangle():
    frame = cross([[3, 20, 50], [20, 30, 60], [30, 40, 70]])
    hide = disclosure.suppress_secondary(frame, list(frame.columns), totals="both")
    assert hide.to_numpy().tolist() == [[True, True, False], [True, True, False],
                                        [False, False, False]]


def test_suppress_secondary_catches_a_cell_recoverable_across_rows_and_columns():
    # two hidden rectangles joined by one hidden cell: every row and column holds two
    # or more hidden cells, yet the joining cell follows from the margins
    rows = [[3, 3, 3, 30], [3, 3, 30, 30], [30, 30, 3, 3], [30, 30, 3, 3]]
    frame = cross(rows)
    check_secondary(frame, list(frame.columns), "both")
    hide = disclosure.suppress_secondary(frame, list(frame.columns), totals="both")
    assert hide.to_numpy().sum() > 9


def test_protect_counts_records_secondary_suppression():
    frame = pd.DataFrame({"n": [3, 40, 50]})
    plain = disclosure.protect_counts(frame, ["n"])
    assert plain["n"].isna().sum() == 1
    assert plain.rules["secondary"] is None
    out = disclosure.protect_counts(frame, ["n"], totals="columns")
    rules = out.rules
    assert rules["secondary"] == {"totals": "columns", "by": None}
    assert rules["secondary_cells"] == 1


def test_protect_counts_off_skips_secondary_suppression():
    frame = pd.DataFrame({"n": [3, 40, 50]})
    with pytest.warns(DisclosureWarning):
        out = disclosure.protect_counts(frame, ["n"], totals="columns", enabled=False)
    assert out["n"].tolist() == [3, 40, 50]
    assert out.rules["enabled"] is False


def test_suppress_secondary_rejects_unknown_totals_and_by():
    with pytest.raises(ValueError, match="totals must be"):
        disclosure.suppress_secondary(one_way([1]), ["n"], totals="all")
    with pytest.raises(KeyError, match="not in the table"):
        disclosure.suppress_secondary(one_way([1]), ["n"], by="missing")


def test_declare_totals_is_read_by_show_table(tmp_path, monkeypatch):
    from lifetools.tables import show_table

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    frame = pd.DataFrame({"site": ["a", "b", "c"], "visits": [3, 40, 50]})
    declared = disclosure.declare_totals(frame)
    assert disclosure.TOTALS_ATTR not in frame.attrs
    shown = show_table(declared, name="sites", caption="c", count_cols=["visits"])
    assert shown.frame["visits"].tolist() == ["[c]", "[c]", "50"]
    assert shown.rules["secondary_cells"] == 1
    assert "worked out from the numbers shown" in shown.note
    plain = show_table(frame, name="plain", caption="c", count_cols=["visits"])
    assert plain.frame["visits"].tolist() == ["[c]", "40", "50"]
    assert plain.note == shown.note  # which rules fired is not said (issue 12)
