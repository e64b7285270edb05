"""Merges of recorded tables, planned column by column (for the run cache).

``frame.merge(other, ...)`` and ``frame.join(other, ...)`` on a
:class:`~lifetools.reads.RecordingFrame` count, at once, the key columns of each side
that records (they decide which rows the result has, in which order, and any
indicator column), and return the merged frame as a traced frame: each of its columns
knows the table columns it may hold values of, and counts them when it is read by
name; a whole-frame use counts every column of every table it came from; rows chosen
by a mask stay traced. A side that is a plain frame was counted when it was made.

This module plans the trace from the call alone (:func:`merge_plan`: the keys of each
side; :func:`result_sources`: where each result column's values come from); the
frame side (``RecordingFrame.merge``/``join``, which counts the keys and makes the
traced result) is :mod:`lifetools.reads`, which imports this module, never the reverse.

The columns a result column may hold are found by name, as pandas names them: the
left column of that name or of that name less the left suffix, and the right one
likewise (a key merged into one column has both). So a result column's sources are
never fewer than the columns pandas took it from; one that matches no column (not
expected) counts every column of every table. Anything this module does not read
(keys given as arrays or index levels, labels that are not text, a list of frames to
``join``, arguments pandas would refuse) counts every column of both sides, as any
other method does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["Sources", "merge_plan", "result_sources"]

Sources = dict[str, frozenset[tuple[str, str]]]


def _labels(value: Any) -> list[str] | None:
    """Column labels given as one text or a list of texts (None: anything else)."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if isinstance(items, list | tuple) and all(isinstance(v, str) for v in items):
        return list(items)
    return None


def merge_plan(kind: str, arguments: Mapping[str, Any]
               ) -> tuple[list[str], list[str], Any, tuple[str, str], str | None] | None:
    """For a ``merge`` or ``join`` call's bound arguments: the left keys, the right
    keys, the right frame, the suffixes and the indicator column; None when the call
    is not one this module traces (then every column counts)."""
    left, right = arguments["self"], arguments["right" if kind == "merge" else "other"]
    if isinstance(right, pd.Series):
        if not isinstance(right.name, str):
            return None
        right = right.to_frame()
    if not isinstance(right, pd.DataFrame):
        return None
    if not all(isinstance(c, str) for c in [*left.columns, *right.columns]):
        return None
    if kind == "join":
        keys = _labels(arguments["on"])
        suffixes = (arguments["lsuffix"], arguments["rsuffix"])
        if keys is None or not set(keys) <= set(left.columns):
            return None
        return keys, [], right, suffixes, None
    on, left_on, right_on = (_labels(arguments[k]) for k in ("on", "left_on", "right_on"))
    if on is None or left_on is None or right_on is None:
        return None
    if arguments["how"] == "cross":
        left_keys, right_keys = [], []
    elif on:
        left_keys, right_keys = on, on
    elif left_on or right_on or arguments["left_index"] or arguments["right_index"]:
        left_keys, right_keys = left_on, right_on
    else:  # pandas merges on the columns both sides have
        left_keys = right_keys = [c for c in left.columns if c in set(right.columns)]
    if not (set(left_keys) <= set(left.columns) and set(right_keys) <= set(right.columns)):
        return None
    suffixes = tuple(s or "" for s in arguments["suffixes"])
    indicator = arguments["indicator"]
    shown = "_merge" if indicator is True else indicator if isinstance(indicator, str) else None
    if indicator not in (False, None) and shown is None:
        return None
    return left_keys, right_keys, right, (suffixes[0], suffixes[1]), shown


def result_sources(result: pd.DataFrame, left: Sources, right: Sources,
                   suffixes: tuple[str, str], indicator: str | None,
                   unmatched: frozenset[tuple[str, str]]) -> Sources:
    """Each column of the merged ``result`` to every table column it may hold
    (``unmatched``, every column of every table, for one that matches no column)."""
    out: Sources = {}
    for name in result.columns:
        found: set[tuple[str, str]] = set()
        matched = name == indicator
        for side, suffix in ((left, suffixes[0]), (right, suffixes[1])):
            for column, held in side.items():
                if name == column or (suffix and name == f"{column}{suffix}"):
                    found |= held
                    matched = True
        out[name] = frozenset(found) if matched else unmatched
    return out
