"""Merges of recorded tables are traced per column, and the trace is never too narrow.

For each way of merging two recorded tables (each ``how``, keys by ``on``, by
``left_on``/``right_on``, by the index, implied, several keys, an indicator, suffixes,
``join``, a merged frame merged again, ``pd.merge`` and a plain frame's ``merge``) and
each way of using the result (a column by name, several, a mask and a column, the
attribute form, metadata, whole-frame uses), the columns the trace leaves out are
changed one at a time in four ways (reversed, a value duplicated, a value no other row
has, a missing value) and the use's result must not change. A change that does change
it would be a column the run depends on and did not count: a stale result published.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lifetools.reads import ENV_READS_LOG, RecordingFrame, parse_log, quiet, recording

_LOGS = itertools.count()


def _tables() -> dict[str, pd.DataFrame]:
    """The two tables (made once per module: every use copies or only reads them)."""
    return dict(_made_tables())


@functools.cache
def _made_tables() -> dict[str, pd.DataFrame]:
    people = pd.DataFrame({"id": [1, 2, 2, 3, 5], "k2": ["p", "q", "p", "q", "p"],
                           "a": [10, 20, 30, 40, 50], "b": ["u", "v", "w", "x", "y"],
                           "c": [0.5, np.nan, 1.5, 2.5, 3.5]})
    places = pd.DataFrame({"id": [2, 3, 3, 4], "k2": ["p", "q", "p", "q"],
                           "b": ["m", "n", "o", "r"], "d": [20, 99, 40, 7],
                           "e": [1.0, 2.0, np.nan, 4.0]})
    return {"people": people, "places": places}


@functools.cache
def _perturbed(table: str, column: str) -> tuple[pd.DataFrame, ...]:
    """Table ``table`` with ``column`` changed in three ways (its type kept): reversed,
    a value no other row has, and a missing value (a whole-number column: a value
    duplicated from the next row). Made once per module; every use copies them."""
    frame = _made_tables()[table]
    values = frame[column]
    new = {np.dtype("int64"): 1000, np.dtype("float64"): 1000.5}.get(values.dtype, "zz")
    last = None if values.dtype != np.dtype("int64") else values.iloc[1]
    out = []
    for change in (values.to_numpy()[::-1], new, last):
        copy = frame.copy()
        if isinstance(change, np.ndarray):
            copy[column] = change
        else:
            copy.loc[0, column] = change
        out.append(copy)
    return tuple(out)


def _canonical(value: Any) -> Any:
    """A value comparable by ``==`` (frames and series by type, labels and values)."""
    with quiet():
        if isinstance(value, pd.DataFrame | pd.Series):
            frame = value.to_frame() if isinstance(value, pd.Series) else value
            # labels and values exactly, by repr (the shortest repr of a float that
            # reads back as it; JSON's was cut at 15 digits and cost more to write)
            return (isinstance(value, pd.Series), [str(t) for t in frame.dtypes],
                    repr(frame.columns.tolist()), repr(frame.index.tolist()),
                    repr(frame.to_numpy(dtype=object).tolist()))
        if isinstance(value, tuple | list):
            return [_canonical(v) for v in value]
        return repr(value)


def _outcome(merged: Any, use: Callable) -> Any:
    try:
        return _canonical(use(merged))
    except Exception as error:  # a change that makes it fail changes the result
        return ("raised", type(error).__name__)


def _run(data: dict[str, pd.DataFrame], merge: Callable, use: Callable) -> Any:
    frames = {name: recording(frame.copy(), name) for name, frame in data.items()}
    try:
        merged = merge(frames["people"], frames["places"])
    except Exception as error:
        return ("raised", type(error).__name__)
    return _outcome(merged, use)


def _results(data: dict[str, pd.DataFrame], merge: Callable,
             uses: dict[str, Callable]) -> dict[str, Any]:
    """Each use's result on ``data``, computed without recording (as it computes);
    the merge is made once (the uses only read it)."""
    with quiet():
        frames = {name: recording(frame.copy(), name) for name, frame in data.items()}
        try:
            merged = merge(frames["people"], frames["places"])
        except Exception as error:
            return dict.fromkeys(uses, ("raised", type(error).__name__))
        return {name: _outcome(merged, use) for name, use in uses.items()}


def _trace(merge: Callable, use: Callable, tmp_path: Path) -> dict[str, list[str]]:
    log = tmp_path / f"reads{next(_LOGS)}"
    os.environ[ENV_READS_LOG] = str(log)
    try:
        _run(_tables(), merge, use)
    finally:
        del os.environ[ENV_READS_LOG]
    return parse_log(log.read_text()) if log.exists() else {}


MERGES: dict[str, Callable] = {
    **{f"on_id_{how}": lambda p, q, how=how: p.merge(q, on="id", how=how)
       for how in ("inner", "left", "right", "outer")},
    "on two keys": lambda p, q: p.merge(q, on=["id", "k2"], how="outer"),
    "implied keys": lambda p, q: p.merge(q, how="left"),
    "left_on right_on": lambda p, q: p.merge(q, left_on="a", right_on="d", how="outer"),
    "cross": lambda p, q: p.merge(q, how="cross"),
    "indicator": lambda p, q: p.merge(q, on="id", how="outer", indicator=True),
    "suffixes": lambda p, q: p.merge(q, on="id", suffixes=("", "_r"), sort=True),
    "right index": lambda p, q: p.merge(q, left_on="id", right_index=True, how="left"),
    "plain right": lambda p, q: p.merge(q[["id", "d"]], on="id", how="left"),
    "series right": lambda p, q: p.merge(q["d"], left_on="a", right_on="d"),
    "join on": lambda p, q: p.join(q[["id", "e"]].drop_duplicates("id").set_index("id"),
                                   on="id", how="inner"),
    "join index": lambda p, q: p.join(q, lsuffix="_l", rsuffix="_r", how="outer"),
    "merged again": lambda p, q: p.merge(q, on="id", how="left").merge(
        q, left_on="d", right_on="d", how="left"),
    "mask then merge": lambda p, q: p[p["a"] > 15].merge(q[q["e"] > 1.5], on="k2"),
    "validate": lambda p, q: p.merge(q.drop_duplicates("id"), on="id",
                                     validate="many_to_one"),
    "pd.merge": lambda p, q: pd.merge(p, q, on="id"),
    "plain left": lambda p, q: p[["id", "a"]].merge(q, on="id"),
}

WHOLE_USES: dict[str, Callable] = {
    "sum": lambda m: m.sum(numeric_only=True),
    "to_numpy": lambda m: m.to_numpy(),
    "groupby": lambda m: m.groupby(m.columns[0]).size(),
    "repr": repr,
    "copy": lambda m: m.copy(),
    "describe": lambda m: m.describe(include="all"),
}
META_USES: dict[str, Callable] = {
    "len": len, "columns": lambda m: list(m.columns), "shape": lambda m: m.shape,
    "index": lambda m: list(m.index), "dtypes": lambda m: m.dtypes,
}


def _named_uses(columns: list[str]) -> dict[str, Callable]:
    uses: dict[str, Callable] = {}
    for c, d in zip(columns, [*columns[1:], columns[0]], strict=True):
        uses[f"[{c}]"] = lambda m, c=c: m[c]
        uses[f"loc[:, {c}]"] = lambda m, c=c: m.loc[:, c]
        uses[f".{c}"] = lambda m, c=c: getattr(m, c)
        uses[f"[[{c}, {d}]]"] = lambda m, c=c, d=d: m[[c, d]]
        uses[f"mask {c}, then {d}"] = lambda m, c=c, d=d: m[m[c].notna()
                                                            & (m[c] != m[c].iloc[0])][d]
    return uses


def _columns(merge: Callable) -> list[str]:
    with quiet():
        data = {n: recording(f, n) for n, f in _tables().items()}
        return [str(c) for c in merge(data["people"], data["places"]).columns]


def _untraced_changes(name: str, tmp_path: Path) -> tuple[int, list[str]]:
    """(changes tried, those that changed a use's result) for the columns each use of
    merge ``name`` was not traced to read."""
    merge = MERGES[name]
    uses = {**WHOLE_USES, **META_USES, **_named_uses(_columns(merge))}
    traced = {use_name: _trace(merge, use, tmp_path) for use_name, use in uses.items()}
    base = _results(_tables(), merge, uses)
    checked, wrong = 0, []
    for table, frame in _tables().items():
        for column in frame.columns:
            untraced = [u for u, t in traced.items()
                        if column not in t.get(table, []) and "*" not in t.get(table, [])]
            for changed in _perturbed(table, column) if untraced else []:
                found = _results({**_tables(), table: changed}, merge,
                                 {u: uses[u] for u in untraced})
                wrong += [f"{name}, {u}: a change in {table}.{column}, not traced "
                          f"({traced[u]}), changed the result"
                          for u, result in found.items() if result != base[u]]
                checked += len(found)
    return checked, wrong


#: The merges whose sweep runs in ``make check``: a join on one key and on two (the
#: ``slow`` tier sweeps every merge; the named-column tests below cover the others' traces)
FAST_MERGES = {"on_id_left", "on two keys"}


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=() if name in FAST_MERGES else pytest.mark.slow)
    for name in sorted(MERGES)])
def test_merge_trace_change_in_any_untraced_column_leaves_the_result_unchanged(
        name, tmp_path):
    checked, wrong = _untraced_changes(name, tmp_path)
    assert not wrong
    assert checked > 0 or name == "pd.merge"


@pytest.mark.parametrize("narrow", ["no keys", "no sources"])
def test_merge_trace_too_narrow_a_trace_is_caught(narrow, tmp_path, monkeypatch):
    """The check above bites: a tracer that forgets the keys, or the columns a merged
    column came from, is caught."""
    import lifetools.reads_merge as traced

    if narrow == "no keys":
        real = traced.merge_plan
        monkeypatch.setattr(traced, "merge_plan", lambda kind, arguments: (
            lambda plan: plan and ([], [], *plan[2:]))(real(kind, arguments)))
    else:
        monkeypatch.setattr(traced, "result_sources",
                            lambda result, *_: {c: frozenset() for c in result.columns})
    _, wrong = _untraced_changes("on_id_left", tmp_path)
    assert wrong


@pytest.mark.parametrize(("merge", "use", "expected"), [
    (MERGES["on_id_left"], lambda m: m["a"], {"people": ["a", "id"], "places": ["id"]}),
    (MERGES["on_id_left"], lambda m: m["d"], {"people": ["id"], "places": ["d", "id"]}),
    (MERGES["on_id_left"], lambda m: m["b_y"], {"people": ["id"], "places": ["b", "id"]}),
    (MERGES["on_id_left"], len, {"people": ["id"], "places": ["id"]}),
    (MERGES["on two keys"], lambda m: m[m["e"] > 1]["c"],
     {"people": ["c", "id", "k2"], "places": ["e", "id", "k2"]}),
    (MERGES["suffixes"], lambda m: m["b_r"], {"people": ["id"], "places": ["b", "id"]}),
    (MERGES["join index"], lambda m: m["d"], {"people": [], "places": ["d"]}),
    (MERGES["cross"], lambda m: m["a"], {"people": ["a"], "places": []}),
    (MERGES["merged again"], lambda m: m["a"],
     {"people": ["a", "id"], "places": ["d", "id"]}),
    (MERGES["on_id_left"], lambda m: m.sum(), {"people": ["*"], "places": ["*"]}),
    (MERGES["pd.merge"], lambda m: m["a"], {"people": ["*"], "places": ["*"]}),
])
def test_merge_trace_named_columns_records_keys_and_the_columns_used(merge, use, expected,
                                                                    tmp_path):
    assert _trace(merge, use, tmp_path) == expected


def test_merge_trace_merged_frame_is_traced_and_plain_sides_stay_plain():
    data = {n: recording(f, n) for n, f in _tables().items()}
    merged = data["people"].merge(data["places"], on="id")
    plain = data["people"][["id", "a"]].merge(data["places"][["id", "d"]], on="id")
    assert isinstance(merged, RecordingFrame)
    assert type(plain) is pd.DataFrame
    pd.testing.assert_frame_equal(pd.DataFrame(merged), _tables()["people"].merge(
        _tables()["places"], on="id"), check_frame_type=False)


_PRECISE = {"columns", "index", "shape", "dtypes", "empty", "ndim", "axes", "size", "keys",
            "loc", "iloc", "merge", "join", "_constructor", "_constructor_sliced"}


@pytest.mark.filterwarnings("ignore:.*is deprecated:DeprecationWarning")  # ._data
@pytest.mark.parametrize("name", sorted(n for n in dir(pd.DataFrame)
                                        if not n.startswith("__") and n not in _PRECISE))
def test_merge_trace_any_other_attribute_of_a_merged_frame_records_every_column(
        name, tmp_path):
    """An access path the recorder does not know, taken of a merged frame, counts
    every column of both tables it came from."""
    def use(merged: pd.DataFrame) -> None:
        try:
            getattr(merged, name)
        except AttributeError:  # .sparse of a frame that is not sparse: still counted
            pass

    found = _trace(MERGES["on_id_left"], use, tmp_path)
    assert found == {"people": ["*"], "places": ["*"]}
