"""The order in which a build's notebooks start: longest first, from the last run's cost.

``-j N`` workers take runs from one queue. In the order the series plans them (edition by
edition, reports in file order) the longest notebooks (the crisis-risk reports, about
two thirds of the notebook phase at 150,000 people) start last, so one of them can run
alone at the end while the other workers are idle. :func:`longest_first` orders the
runs by a cost estimate instead (longest processing time first, a classic greedy rule
for identical machines): the CPU seconds, else the wall seconds, that the last complete
run of the same folder recorded in its ``run.json``; a run with no record takes the cost
of the same analysis in another edition; runs with no estimate at all start first, in
analysis order (both editions of a report one after the other), so that the longest
reports of a cold build are not left to the end of an edition-by-edition queue.

The order decides only when a notebook starts: each notebook still runs in a kernel
reset to the same state (:mod:`lifetools.pipeline.kernels`), so the published bytes do
not depend on it (``tests/unit/test_schedule.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["CPU_FIELD", "process_cpu_seconds", "recorded_cost", "longest_first"]

CPU_FIELD = "cpu_seconds"
"""The run record's field with the CPU seconds the notebook's kernel used (warm kernels;
absent for isolated ones)."""

T = TypeVar("T")


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a running process so far, or None if unknown.

    Read from ``/proc/<pid>/stat`` (Linux); None elsewhere or once the process is gone.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    # after the command name: state is field 3, utime field 14, stime field 15
    return (int(fields[11]) + int(fields[12])) / ticks


def recorded_cost(record: Mapping[str, Any] | None) -> float | None:
    """A run's cost from its record: CPU seconds if recorded, else wall seconds."""
    if not record:
        return None
    for name in (CPU_FIELD, "seconds"):
        value = record.get(name)
        if isinstance(value, int | float) and value >= 0:
            return float(value)
    return None


def longest_first(items: Sequence[T], *, analysis: Callable[[T], str],
                  cost: Callable[[T], float | None]) -> list[T]:
    """Order runs so that the longest start first.

    Parameters
    ----------
    items
        The runs, in the series' order.
    analysis
        The analysis id of a run (runs of one analysis share an estimate).
    cost
        The run's last recorded cost (:func:`recorded_cost`), or None.

    Returns
    -------
    list
        Runs with no estimate for themselves or their analysis first, grouped by
        analysis in the order analyses first appear; then the others by decreasing
        estimate (ties keep the series' order).

    Notes
    -----
    Greedy longest-processing-time-first list scheduling: with a queue shared by the
    workers its finish time is within 4/3 of the best possible when the estimates are
    right. Tested in ``tests/unit/test_schedule.py``.
    """
    own = [cost(item) for item in items]
    by_analysis: dict[str, float] = {}
    for item, value in zip(items, own, strict=True):
        if value is not None:
            name = analysis(item)
            by_analysis[name] = max(value, by_analysis.get(name, 0.0))
    first_seen: dict[str, int] = {}
    for item in items:
        first_seen.setdefault(analysis(item), len(first_seen))
    unknown, known = [], []
    for position, (item, value) in enumerate(zip(items, own, strict=True)):
        estimate = value if value is not None else by_analysis.get(analysis(item))
        if estimate is None:
            unknown.append((first_seen[analysis(item)], position, item))
        else:
            known.append((-estimate, position, item))
    return [item for *_, item in sorted(unknown)] + [item for *_, item in sorted(known)]
