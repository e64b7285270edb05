"""The pandas reference's count_in_windows (sort-based interval count; in lifetools until
wave 52) against the merge it replaced and a loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas_cohorts import count_in_windows
from property_examples import examples

DAY0 = pd.Timestamp("2020-01-01")


def merge_count(events: pd.DataFrame, windows: pd.DataFrame) -> pd.Series:
    """The implementation before issue 16 (merge every window with every event), the oracle."""
    merged = windows.reset_index()[["index", "person_id", "start", "end"]].merge(
        events, on="person_id")
    inside = (merged["date"] >= merged["start"]) & (merged["date"] < merged["end"])
    counts = merged[inside].groupby("index").size()
    return counts.reindex(windows.index, fill_value=0).astype(int)


def loop_count(events: pd.DataFrame, windows: pd.DataFrame) -> list[int]:
    """Naive oracle: every window against every event (missing ids match each other)."""
    out = []
    for w in windows.itertuples():
        n = 0
        for e in events.itertuples():
            same = (pd.isna(w.person_id) and pd.isna(e.person_id)) or w.person_id == e.person_id
            n += bool(same and w.start <= e.date < w.end)
        out.append(n)
    return out


def _random_tables(rng: np.random.Generator, people: int, events: int):
    ids = np.array([f"p{i:05d}" for i in range(people)], dtype=object)
    event_ids = ids[rng.integers(0, people, events)]
    event_ids[rng.random(events) < 0.01] = None
    dates = DAY0 + pd.to_timedelta(rng.integers(0, 1500, events), unit="D")
    starts = DAY0 + pd.to_timedelta(rng.integers(0, 1200, people), unit="D")
    ends = starts + pd.to_timedelta(rng.integers(-5, 400, people), unit="D")
    windows = pd.DataFrame({"person_id": ids, "start": starts, "end": ends})
    windows.loc[rng.random(people) < 0.01, "start"] = pd.NaT
    events = pd.DataFrame({"person_id": event_ids, "date": dates})
    events.loc[rng.random(events.shape[0]) < 0.01, "date"] = pd.NaT
    return events, windows


def test_count_in_windows_synthetic_tables_equal_merge_count():
    events, windows = _random_tables(np.random.default_rng(16), people=3000, events=20000)
    windows = pd.concat([windows, windows.assign(start=windows["end"],
                                                 end=windows["end"] + pd.Timedelta(days=90))],
                        ignore_index=True)
    new, old = count_in_windows(events, windows), merge_count(events, windows)
    pd.testing.assert_series_equal(new, old)
    assert new.sum() > 1000  # the data exercise the count


def test_count_in_windows_no_events_returns_zeros_like_merge_count():
    _, windows = _random_tables(np.random.default_rng(1), people=10, events=0)
    events = pd.DataFrame({"person_id": pd.Series([], dtype=object),
                           "date": pd.Series([], dtype="datetime64[ns]")})
    pd.testing.assert_series_equal(count_in_windows(events, windows),
                                   merge_count(events, windows))


ids = st.sampled_from(["a", "b", "c", None])
days = st.one_of(st.none(), st.integers(0, 30))


def _frame(rows: list[tuple], names: tuple[str, ...], index: list[int] | None = None):
    frame = pd.DataFrame(rows, columns=list(names), index=index)
    for name in names[1:]:
        frame[name] = DAY0 + pd.to_timedelta(frame[name].astype(float), unit="D")
    frame["person_id"] = frame["person_id"].astype(object)
    return frame


@pytest.mark.slow  # 200 examples: 11 s at load 10, over the fast loop's 10 s bound
@settings(deadline=None, max_examples=examples(200))
@given(events=st.lists(st.tuples(ids, days), max_size=25),
       windows=st.lists(st.tuples(ids, days, days), min_size=1, max_size=12),
       shift=st.integers(0, 1000))
def test_count_in_windows_random_tables_equal_loop_and_merge(events, windows, shift):
    ev = _frame(events, ("person_id", "date"))
    index = [shift + 3 * i for i in range(len(windows))]  # not a RangeIndex
    win = _frame(windows, ("person_id", "start", "end"), index=index)
    new = count_in_windows(ev, win)
    assert new.tolist() == loop_count(ev, win)
    pd.testing.assert_series_equal(new, merge_count(ev, win))
