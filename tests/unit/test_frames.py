"""A frame over the same values plus new columns (``lifetools.frames.with_columns``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifetools.frames import with_columns


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"person_id": pd.array([7, 3, 9, 1], "Int64"),
                         "days": [10.5, 2.0, 7.25, 0.5], "group": list("abab")},
                        index=[40, 10, 30, 20])


def test_new_frame_shares_the_inputs_values_and_leaves_the_input_unchanged():
    frame = _frame()
    before = frame.copy(deep=True)
    weight = pd.Series([1.0, 2.0, 3.0, 4.0], index=[10, 20, 30, 40])  # aligned by index
    got = with_columns(frame, {"weight": weight, "score": np.array([0.1, 0.2, 0.3, 0.4])})
    assert list(got.columns) == ["person_id", "days", "group", "weight", "score"]
    assert got.index.equals(frame.index)
    assert got["weight"].tolist() == [4.0, 1.0, 3.0, 2.0]  # by label, as assign
    assert got["score"].tolist() == [0.1, 0.2, 0.3, 0.4]  # by position
    for name in ("days", "group"):  # no copy: the same memory, column by column
        assert np.shares_memory(got[name].to_numpy(), frame[name].to_numpy()), name
    assert np.shares_memory(got["person_id"].array._data, frame["person_id"].array._data)
    assert not np.shares_memory(frame.assign(w=1)["days"].to_numpy(),
                                frame["days"].to_numpy())  # what assign did: a copy
    pd.testing.assert_frame_equal(frame, before)  # the input has no new column
    expected = before.assign(weight=weight, score=[0.1, 0.2, 0.3, 0.4])
    pd.testing.assert_frame_equal(got, expected)  # the same frame as assign's


def test_a_name_of_the_frame_is_replaced_in_its_place_as_assign_does():
    frame = _frame()
    got = with_columns(frame, {"days": frame["days"] * 2})
    pd.testing.assert_frame_equal(got, frame.assign(days=frame["days"] * 2))
    assert frame["days"].tolist() == [10.5, 2.0, 7.25, 0.5]
