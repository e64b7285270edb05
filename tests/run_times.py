"""The time each test took, worker by worker (a plugin of ``tests/conftest.py``).

Each phase's report carries its CPU seconds (``report.cpu``); an xdist run ends with a
section "xdist workers": each worker's busy time, CPU seconds in its tests, when its
last test ended and its five longest groups by CPU. ``LIFETOOLS_XDIST_TIMES=<file>``
writes every test's worker, group, wall and CPU seconds as JSON.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from pathlib import Path

import pytest
from xdist_schedule import GROUPS_ENV

#: In the controller of an xdist run, per worker: its tests, busy seconds, when (in
#: seconds since the session started) its last test ended and its CPU seconds (user +
#: system) in its tests; and each test's seconds.
_WORKERS: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
_TEST_SECONDS: dict[tuple[str, str], float] = defaultdict(float)
_TEST_CPU: dict[tuple[str, str], float] = defaultdict(float)
_SESSION_START: list[float] = []
#: In a test process: its CPU seconds (user + system, every thread) when the last
#: phase of a test (setup, call, teardown) was reported.
_LAST_CPU: list[float] = []


@pytest.hookimpl(wrapper=True)
def pytest_collection_finish(session):
    """The CPU clock read once collection is done, after every other implementation
    (``tests/conftest.py``'s freeze of the heap): the first test's setup is timed from
    here."""
    result = yield
    _LAST_CPU[:] = [_process_cpu()]
    return result


def _process_cpu() -> float:
    times = os.times()
    return times.user + times.system


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Give each phase's report its CPU seconds (``report.cpu``: the process's user +
    system time since the previous phase was reported, or since collection ended):
    under load a test's wall time counts other processes' turns, its CPU does not.
    xdist sends the attribute to the controller with the report."""
    report = yield
    now = _process_cpu()
    report.cpu = now - (_LAST_CPU[-1] if _LAST_CPU else now)
    _LAST_CPU[:] = [now]
    return report


def pytest_sessionstart(session):
    """Remember when the run started (the workers' finish times count from it)."""
    _SESSION_START.append(time.monotonic())


def pytest_runtest_logreport(report):
    """In the controller of an xdist run: add each phase's time to its worker.

    A worker's last report says when it finished: the run's wall time is the later of
    the two, and the gap between them is what moving groups between workers can win.
    """
    node = getattr(report, "node", None)
    if node is None or not _SESSION_START:
        return
    worker = node.workerinput["workerid"]
    totals = _WORKERS[worker]
    totals[0] += report.when == "call"
    totals[1] += report.duration
    totals[2] = time.monotonic() - _SESSION_START[0]
    totals[3] += getattr(report, "cpu", 0.0)
    _TEST_SECONDS[(worker, report.nodeid)] += report.duration
    _TEST_CPU[(worker, report.nodeid)] += getattr(report, "cpu", 0.0)


def pytest_terminal_summary(terminalreporter, config):
    """Each worker's tests, busy time, CPU time, finish time and five longest groups by
    CPU (a group is an ``xdist_group``, or a test's module when it has none). Under
    load the CPU seconds are the ones to compare: the workers end together when their
    CPU in tests is equal (and their share of the cores is)."""
    if not _WORKERS:
        return
    groups: dict[str, str] = {}
    folder = os.environ.get(GROUPS_ENV)
    for path in Path(folder).glob("*.json") if folder else ():
        groups.update(json.loads(path.read_text()))
    cpu: dict[tuple[str, str], float] = defaultdict(float)
    for (worker, nodeid), seconds in _TEST_CPU.items():
        cpu[(worker, groups.get(nodeid, nodeid.split("::")[0]))] += seconds
    terminalreporter.section("xdist workers (busy: setup + call + teardown)")
    for worker, (tests, busy, end, used) in sorted(_WORKERS.items()):
        terminalreporter.write_line(
            f"{worker}: {int(tests)} tests, busy {busy:.0f} s, CPU {used:.1f} s, its "
            f"last test ended {end:.0f} s after the start")
        longest = sorted(((s, g) for (w, g), s in cpu.items() if w == worker),
                         reverse=True)[:5]
        terminalreporter.write_line(
            "  longest groups (CPU): " + "; ".join(f"{g} {s:.1f} s" for s, g in longest))
    dump = os.environ.get("LIFETOOLS_XDIST_TIMES")
    if dump:  # each test's worker, group, wall and CPU seconds, for scheduling work
        Path(dump).write_text(json.dumps(
            [[worker, nodeid, groups.get(nodeid, ""), _TEST_SECONDS[(worker, nodeid)],
              seconds] for (worker, nodeid), seconds in _TEST_CPU.items()]))
