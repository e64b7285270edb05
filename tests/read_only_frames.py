"""Frames a test may read but not change, for data shared between tests (the truth
tests' person-time, ``tests/truth/conftest.py``): the values are write-protected
numpy arrays, so a test writing into one fails loudly (``ValueError: assignment
destination is read-only``; pandas raises an ``AssertionError`` or ``ValueError`` for a
date column) instead of changing what the next test reads, and each holder gets its
own frame (its own blocks and axes over the shared values), so a column it adds, drops
or replaces is its own. The same mechanism as the warm kernels' kept tables
(``lifetools.loading._read_only`` and ``_shared``); tested in
``tests/unit/test_read_only_frames.py``.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import pandas as pd

from lifetools.cohort.person_time import PersonTime
from lifetools.loading import _read_only, _shared

__all__ = ["person_time_view", "read_only", "view"]


def read_only(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every array under its columns write-protected (in place)."""
    return _read_only(frame)


def view(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame of one's own over ``frame``'s (read-only) values: no data copied."""
    return _shared(frame)


def person_time_view(kept: PersonTime) -> PersonTime:
    """A :class:`PersonTime` of one's own over ``kept``'s read-only frames
    (:func:`read_only` them first), with its own copy of the method record."""
    return replace(kept, people=view(kept.people), periods=view(kept.periods),
                   flow=view(kept.flow), method=copy.deepcopy(kept.method))
