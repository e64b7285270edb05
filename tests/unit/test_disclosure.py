"""Disclosure control rules: boundaries on both sides of each threshold, properties."""

from __future__ import annotations

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
    if 1 <= n <= disclosure.SUPPRESSION_THRESHOLD:
        assert shown is None
    else:
        assert shown % disclosure.ROUNDING_BASE == 0
        assert abs(shown - n) <= disclosure.ROUNDING_BASE / 2
        assert shown > disclosure.SUPPRESSION_THRESHOLD or shown == 0


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
    assert out.attrs[disclosure.PROTECTION_ATTR]["threshold"] == 7


def test_protect_counts_off_needs_explicit_argument_and_warns():
    frame = pd.DataFrame({"n": [3]})
    with pytest.warns(DisclosureWarning, match="switched off"):
        out = disclosure.protect_counts(frame, ["n"], enabled=False)
    assert out["n"].tolist() == [3]
    assert out.attrs[disclosure.PROTECTION_ATTR]["enabled"] is False


def test_protect_counts_unknown_column():
    with pytest.raises(KeyError, match="not in the table"):
        disclosure.protect_counts(pd.DataFrame({"n": [1]}), ["m"])
