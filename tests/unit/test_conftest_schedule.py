"""The test run's own scheduling and timing (``tests/xdist_schedule.py``,
``tests/run_times.py``, plugins of ``tests/conftest.py``): what the two xdist workers of
``make check`` start first, and each phase's CPU seconds in its report."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _plugin(pytestconfig, name: str):
    """The plugin module ``tests/<name>.py`` as the run registered it (not a second
    import of it)."""
    plugin = pytestconfig.pluginmanager.get_plugin(name)
    assert plugin is not None and plugin.__file__ == str(ROOT / "tests" / f"{name}.py")
    return plugin


@pytest.fixture
def schedule(pytestconfig):
    return _plugin(pytestconfig, "xdist_schedule")


@pytest.fixture
def run_times(pytestconfig):
    return _plugin(pytestconfig, "run_times")


class _Item:
    def __init__(self, slow: bool):
        self.slow = slow

    def get_closest_marker(self, name):
        return object() if name == "slow" and self.slow else None


def test_start_first_groups_then_slow_then_grouped_before_single_tests(schedule):
    """A group is one piece of work for one worker: handed out last (in collection
    order), the other worker had run out of work long before it ended."""
    first = schedule.START_FIRST
    cases = {"first group": (_Item(slow=False), [first[0]]),
             "second group": (_Item(slow=True), [first[1]]),
             "slow of a group": (_Item(slow=True), ["some/module.py"]),
             "slow alone": (_Item(slow=True), []),
             "of a group": (_Item(slow=False), ["some/module.py"]),
             "alone": (_Item(slow=False), [])}
    ranks = {name: schedule._start_rank(item, groups) for name, (item, groups) in cases.items()}
    assert sorted(ranks, key=ranks.get) == list(cases)
    assert len(set(ranks.values())) == len(cases)


def test_each_phase_report_carries_the_cpu_seconds_since_the_last(run_times, monkeypatch):
    # the process's CPU clock read as a fixed value, the last reading as another: no
    # test spends or times real CPU (both restored before this test's own teardown
    # report, which this plugin's hook makes with them)
    monkeypatch.setattr(run_times, "_LAST_CPU", [10.0])
    monkeypatch.setattr(run_times, "_process_cpu", lambda: 10.25)
    report = SimpleNamespace()
    wrapper = run_times.pytest_runtest_makereport(None, None)
    next(wrapper)
    with pytest.raises(StopIteration) as stopped:
        wrapper.send(report)
    assert stopped.value.value is report
    assert report.cpu == pytest.approx(0.25, abs=1e-12)
    assert run_times._LAST_CPU[0] == pytest.approx(10.25, abs=1e-12)
