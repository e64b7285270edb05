"""The truth tests' shared person-time is read-only (``tests/read_only_frames.py``): a
test writing into a value fails loudly, and a column a holder adds or replaces is its
own; shown on a small person-time of every dtype the real one holds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from read_only_frames import person_time_view, read_only

from lifetools.cohort.person_time import PersonTime


def _kept() -> PersonTime:
    people = pd.DataFrame({
        "person_id": ["a", "b", "c"], "user": np.array([1, 0, 1], dtype="int64"),
        "age": [30.5, 41.0, np.nan], "ae_before": pd.array([1, None, 2], dtype="Int64"),
        "index_date": pd.to_datetime(["2022-01-01", "2022-02-01", None]),
        "female": pd.array([True, False, None], dtype="boolean"),
        "locality": pd.Categorical(["x", "y", "x"])})
    periods = pd.DataFrame({"person_id": ["a", "a"], "ae": [0, 2],
                            "exposure": [1.0, 0.5]})
    flow = pd.DataFrame({"step": ["all", "users"], "people": [3, 2]})
    kept = PersonTime(people=people, periods=periods, flow=flow,
                      method={"window_days": 365, "teams": ["a06"]})
    for frame in (kept.people, kept.periods, kept.flow):
        read_only(frame)
    return kept


WRITES = {
    "setitem of a value": lambda f: f.loc.__setitem__((0, "age"), 99.0),
    "iloc of an int": lambda f: f.iloc.__setitem__((1, 1), 5),
    "some rows of a column": lambda f: f.loc.__setitem__(([0, 1], "age"), 0.0),
    "a nullable int": lambda f: f.loc.__setitem__((0, "ae_before"), 7),
    "a nullable bool": lambda f: f.loc.__setitem__((0, "female"), False),
    "a date": lambda f: f.loc.__setitem__((0, "index_date"), pd.Timestamp("2020-01-01")),
    "a text": lambda f: f.loc.__setitem__((0, "person_id"), "z"),
    "a column's values": lambda f: f["age"].to_numpy().__setitem__(slice(None), 0.0),
    "numpy through to_numpy": lambda f: f["user"].to_numpy().__setitem__(0, 9),
    "a categorical": lambda f: f.loc.__setitem__((0, "locality"), "y"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_test_writing_into_the_shared_person_time_fails_loudly(write):
    kept = _kept()
    before = kept.people.copy(deep=True)
    mine = person_time_view(kept)
    with pytest.raises((ValueError, AssertionError)):
        WRITES[write](mine.people)
    pd.testing.assert_frame_equal(kept.people, before)
    pd.testing.assert_frame_equal(person_time_view(kept).people, before)


def test_each_holder_has_its_own_columns_and_method_over_the_same_values():
    kept = _kept()
    mine, theirs = person_time_view(kept), person_time_view(kept)
    mine.people["extra"] = 1
    mine.people["age"] = 0.0  # a column replaced: a new array, the shared one kept
    with warnings.catch_warnings():  # pandas 2.3 cannot write in place: a new array,
        warnings.simplefilter("ignore", FutureWarning)  # with a warning of its dtype
        mine.people.loc[:, "user"] = 0
        mine.periods.loc[:, "exposure"] = 2.0
    mine.periods.drop(columns="ae", inplace=True)
    mine.people.rename(columns={"user": "treated"}, inplace=True)
    mine.method["teams"].append("b01")
    assert list(theirs.people.columns) == list(kept.people.columns)
    assert "extra" not in kept.people and "ae" in theirs.periods
    assert theirs.people["age"].isna().sum() == 1 and kept.method["teams"] == ["a06"]
    assert mine.people["treated"].tolist() == [0, 0, 0] and mine.periods["exposure"].eq(2).all()
    assert theirs.people["user"].tolist() == [1, 0, 1]
    assert theirs.periods["exposure"].tolist() == [1.0, 0.5]
    assert np.shares_memory(theirs.periods["exposure"].to_numpy(),
                            kept.periods["exposure"].to_numpy())  # no data copied
