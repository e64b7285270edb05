"""Shared fixtures: a small project copy built end to end, once per test session.

The series is built in a temporary copy of the project (series file, notebooks, book,
dictionary), never in the developer's own ``build/`` and ``public/``. The build follows
the life of a real series: the 2023-24 edition is published first, then 2024-25 is
added as the current edition, so tests can check that the first is never rewritten.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pytest
from blas_threads import one_blas_thread
from hypothesis import settings
from project_copy import (  # noqa: F401 - re-exported for fixtures
    GIT_ENV,
    PROJECT_FILES,
    ROOT,
    TEST_PEOPLE,
    TEST_PEOPLE_SMALL,
    ProjectRoot,
    commit_all,
    copy_project,
    edit_series,
    only_first_edition,
)

#: One BLAS thread in this process and every process it starts (the xdist workers, the
#: notebook kernels and ``lifetools`` children of the tests), unless the user set one of
#: OpenBLAS's variables: set as pytest imports this conftest, before any other (the
#: engines' imports lifetools) and so before numpy loads OpenBLAS, which reads it then
#: (``tests/blas_threads.py``; ``tests/unit/test_blas_threads.py`` reads the count back).
one_blas_thread(os.environ)

#: Session fixtures that take minutes to make, and the xdist group of the tests using
#: them: under ``--dist loadgroup`` each group runs on one worker, so each fixture is
#: made once per run instead of once per worker that happens to receive such a test.
EXPENSIVE_FIXTURES = {
    # two series builds; ``site`` (tests/functional) asks for ``built_site`` at run time,
    # invisible to ``fixturenames``: without it those modules built the series again
    # on the other worker
    "site": {"built_project", "built_site", "project_copy_built", "site"},
    # one edition of a small project, built once from its Parquet folder: the
    # folder-against-DuckDB comparison, the incremental builds and the PostgreSQL build
    # start from it. The engines' PostgreSQL server and Spark session join it: the
    # PostgreSQL build needs both the build and the server, each made once per run.
    # ``small_site`` (tests/functional/conftest.py) asks for ``small_build`` at
    # run time, as ``site`` does for the series
    "small_build": {"small_build", "postgres", "spark", "small_site"},
    "truth_data": {"truth_data"},  # 150,000 synthetic people (tests/truth/conftest.py)
}


#: Module fixtures that take more than 10 s to make: every test using one is ``slow``
#: (run by ``make test``, not by ``make check``), where marking some of its tests would
#: still make the fixture for the first unmarked one.
SLOW_FIXTURES = {
    # the crisis report on 8,000 generated people: 15 s at load 2-4, 97 s at load 15;
    # the 2023-24 edition's report on the same people (``report_2023``, 6.5 s of CPU
    # with the people's generation): three of its five tests were ``slow``, the two
    # added in wave 40 unmarked made ``make check`` generate and fit it (issue 11)
    "tests/unit/test_prediction_report.py": {"report", "report_2023"},
}

#: The groups that start first, in this order (under ``--dist loadgroup``, which then
#: hands out groups and tests in collection order, ``--no-loadscope-reorder``): the
#: longest chains of work go first so that the two workers end together. Then every
#: other ``slow`` test, then the rest; within each of those two, the tests of a group
#: first: a group is one piece of work for one worker (``test_validation.py``'s 10 s
#: of CPU, handed out near the end in collection order, ended one worker 8 s of CPU
#: after the other in wave 49), single tests then fill both workers to the end.
START_FIRST = ("site", "small_build", "did_many_seeds")

#: Where the workers leave each test's group for the controller's scheduler (a folder
#: made by the controller, named in this environment variable that its workers inherit).
GROUPS_ENV = "LIFETOOLS_XDIST_GROUPS"


#: A lifetools warning fails its test. Added here rather than in ``pyproject.toml``:
#: pytest imports a filter's category when it reads the filters, and the ini filters
#: are first read as the initial conftests load, before pytest-cov starts measuring in
#: an xdist worker (at ``pytest_sessionstart``); ``lifetools`` imported then had every
#: module-level line of the ~120 modules its ``__init__`` imports counted as missed.
#: Added at ``pytest_configure``, the filter is first read at collection, after coverage
#: has started (``tests/unit/test_coverage_start.py``). Not in an xdist controller, which
#: runs no test: resolving the category there imported ``lifetools`` and with it pandas,
#: scipy.stats, statsmodels and matplotlib, about 3 s of CPU for nothing at every
#: ``make check`` (``tests/unit/test_conftest_controller.py``).
LIFETOOLS_WARNING_FILTER = "error::lifetools.errors.LifetoolsWarning"


def runs_tests(config) -> bool:
    """Whether this pytest process runs (or collects) tests itself: False only in an
    xdist controller, which hands the tests to its workers (``-n N``, N > 0; xdist sets
    ``tx`` then, and no controller of a ``--collect-only`` run, which collects itself)."""
    return (hasattr(config, "workerinput") or config.getoption("dist", "no") == "no"
            or not config.getoption("tx", None) or config.getoption("collectonly"))


def pytest_configure(config):
    """Fail on lifetools warnings; in a ``--dist loadgroup`` controller: a groups folder."""
    if runs_tests(config):
        config.addinivalue_line("filterwarnings", LIFETOOLS_WARNING_FILTER)
    if hasattr(config, "workerinput") or config.getoption("dist", "no") != "loadgroup":
        return
    folder = tempfile.mkdtemp(prefix="lifetools-xdist-groups-")
    os.environ[GROUPS_ENV] = folder
    config.add_cleanup(lambda: (os.environ.pop(GROUPS_ENV, None),
                                shutil.rmtree(folder, ignore_errors=True)))


@pytest.hookimpl(tryfirst=True)  # its marks must be there when -m deselects
def pytest_collection_modifyitems(config, items):
    """Keep the tests sharing an expensive fixture on one xdist worker; longest first.

    The tests of an expensive session fixture share its group; the tests of a module
    with a module-scoped fixture (a report fitted on generated data, a synthetic
    extract written to files) share their module's group, as ``--dist loadscope``
    would, so that the fixture is made once and not once on each worker. A test has
    one group: its expensive fixture's, else its ``xdist_group`` marks (joined, as
    xdist joins them), else its module's. (Joining all three had put one module of
    the ``postgres`` group, whose module fixture it also used, in a group of its
    own: the server could be started on both workers.)

    The groups reach the scheduler through a file (see :func:`_write_groups`), not
    through the test's id: pytest-xdist 3.8 appends ``@group`` to ``item._nodeid``,
    which pytest 9 no longer reads, so every ``xdist_group`` was silently ignored.
    """
    groups, rank = {}, {}
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SLOW_FIXTURES.get(item.nodeid.split("::")[0], set()):
            item.add_marker(pytest.mark.slow)
        marked = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name"))
                         for mark in item.iter_markers("xdist_group")})
        group = next((name for name, fixtures in EXPENSIVE_FIXTURES.items()
                      if fixtures & used), None) or "_".join(marked) or None
        if group is None and _uses_module_fixture(item, used):
            group = item.nodeid.split("::")[0]
        if group is not None:
            groups[item.nodeid] = group
            if group not in marked:
                item.add_marker(pytest.mark.xdist_group(group))
        rank[item.nodeid] = _start_rank(item, [group] if group else [])
    items.sort(key=lambda item: rank[item.nodeid])
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and os.environ.get(GROUPS_ENV):
        _write_groups(Path(os.environ[GROUPS_ENV]), workerinput["workerid"], groups)


def _start_rank(item, groups: list[str]) -> int:
    """0, 1, ... for the groups of :data:`START_FIRST`; then slow tests of a group, other
    slow tests, the other tests of a group, the rest."""
    for rank, name in enumerate(START_FIRST):
        if name in groups:
            return rank
    return (len(START_FIRST) + 2 * (item.get_closest_marker("slow") is None)
            + (not groups))


def _write_groups(folder: Path, worker: str, groups: dict[str, str]) -> None:
    """One worker's ``{test id: group}``, written whole (renamed into place)."""
    partial = folder / f"{worker}.json.partial"
    partial.write_text(json.dumps(groups))
    partial.replace(folder / f"{worker}.json")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` reading each test's group from its worker's file.

    The scheduler sees test ids only; it is given ``id@group`` (what xdist's loadgroup
    scheduler parses) for the tests that have a group. Workers run tests by their
    index in the collection, so the changed ids never reach them.
    """
    if config.getoption("dist", "no") != "loadgroup" or not os.environ.get(GROUPS_ENV):
        return None
    from xdist.scheduler import LoadGroupScheduling

    folder = Path(os.environ[GROUPS_ENV])

    class FileGroupScheduling(LoadGroupScheduling):
        def add_node_collection(self, node, collection):
            groups = json.loads(
                (folder / f"{node.workerinput['workerid']}.json").read_text())
            super().add_node_collection(
                node, [f"{t}@{groups[t]}" if t in groups else t for t in collection])

    return FileGroupScheduling(config, log)


#: In the controller of an xdist run, per worker: its tests, busy seconds, when (in
#: seconds since the session started) its last test ended and its CPU seconds (user +
#: system) in its tests; and each test's seconds.
_WORKERS: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
#: The cyclic garbage collector's first threshold in a test process (Python's default
#: 700): a full collection scans every object tracked, and a worker made about 80 of
#: them, 5 s of CPU (wave 49, `make check`).
GC_THRESHOLD = 7000


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    """Freeze the objects alive after collection (:func:`gc.freeze`): the imported
    libraries, the test modules and their parameters, hundreds of thousands of objects
    that live to the end of the run, which every full collection of the cyclic garbage
    collector otherwise scans again (and pytest's collections at the session's end);
    and collect ten times less often (:data:`GC_THRESHOLD`). Objects made later are
    collected as before, later; a frozen object is still freed when its last reference
    goes. ``regression.irls.fit_freeing_iterations`` leaves this freeze in place (it
    freezes and unfreezes only a heap not frozen); the memory tests disable the collector or collect themselves where they measure."""
    if runs_tests(session.config):
        gc.collect()
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        _LAST_CPU[:] = [_process_cpu()]


_TEST_SECONDS: dict[tuple[str, str], float] = defaultdict(float)
_TEST_CPU: dict[tuple[str, str], float] = defaultdict(float)
_SESSION_START: list[float] = []
#: In a test process: its CPU seconds (user + system, every thread) when the last
#: phase of a test (setup, call, teardown) was reported.
_LAST_CPU: list[float] = []


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


def _uses_module_fixture(item, used: set[str]) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    definitions = getattr(info, "name2fixturedefs", {})
    return any(definition.scope == "module"
               for name in used for definition in definitions.get(name, ()))


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every pyplot figure a test left open (a figure the display functions did
    not show: a test's own plot, a report's figures): open figures pile up in a worker
    across tests, and the 21st raised matplotlib's "More than 20 figures" warning in
    whichever test drew it. matplotlib is not imported here for tests that never use it.
    """
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> dict:
    """Build the series in a project copy: 2023-24 first, then 2024-25 as current.

    Returns a dict with the project ``root``, the ``first`` and ``second`` build
    summaries, and the SHA-256 of every archived 2023-24 file after the first build.
    """
    from lifetools.pipeline.build import build_series
    from lifetools.pipeline.layout import archive_dir
    from lifetools.pipeline.provenance import sha256_file

    root = copy_project(tmp_path_factory.mktemp("project"))

    original = (root / "analyses" / "analyses.yml").read_text()
    edit_series(root, only_first_edition)
    with ProjectRoot(root):
        first = build_series(jobs=2)
        old = archive_dir("2023-24")
        hashes = {str(p.relative_to(old)): sha256_file(p)
                  for p in sorted(old.rglob("*")) if p.is_file()}
        (root / "analyses" / "analyses.yml").write_text(original)
        commit_all(root, "add the 2024-25 edition")
        second = build_series(jobs=2)
    return {"root": root, "first": first, "second": second, "old_hashes": hashes}


@pytest.fixture(scope="session")
def built_site(built_project) -> Path:
    """The published html folder of the built project copy."""
    return (built_project["root"] / "public" / "site").resolve()


@pytest.fixture(scope="session")
def small_build(tmp_path_factory) -> dict:
    """One edition (2023-24) of a project copy of ``TEST_PEOPLE_SMALL`` people, built
    from its synthetic Parquet folder. Tests read it or copy it, never change it.

    Returns a dict with the project ``root`` and the build ``summary``.
    """
    from lifetools.pipeline.build import build_series

    root = copy_project(tmp_path_factory.mktemp("small") / "project",
                        people=TEST_PEOPLE_SMALL)
    edit_series(root, only_first_edition)
    with ProjectRoot(root):
        summary = build_series(jobs=2)
    return {"root": root, "summary": summary}


@pytest.fixture
def no_pdfs(monkeypatch):
    """Builds in this test print no report PDFs, as on a machine without Chromium.

    For tests of what a rebuild reruns, reuses or publishes, which read no PDF: printing
    an edition's reports costs a rebuild about 10-25 s. Test-only: it patches
    :func:`lifetools.pipeline.pdf.chromium` in this process (builds run in a subprocess
    still print), and the published build's default is unchanged. The PDFs themselves
    are tested in ``tests/unit/test_pdf.py``, on the series' site (its links, by the
    accessibility audit) and byte for byte by the two-folder comparison of
    ``test_integrity.py``, whose builds print them. Here, not in tests/functional:
    the builds from PostgreSQL and Spark (tests/engines) compare result files, not
    PDFs, and take it too.
    """
    from lifetools.pipeline import pdf

    monkeypatch.setattr(pdf, "chromium", lambda: None)


@pytest.fixture
def project_copy_built(built_project, tmp_path) -> Path:
    """A private copy of the built project (data, runs, archive, site) to change."""
    target = tmp_path / "project"
    shutil.copytree(built_project["root"], target, symlinks=True)
    return target


# Property tests never depend on timing: a loaded 2-core machine made a 80 ms example
# take 289 ms and fail hypothesis' default 200 ms deadline ("Unreliable test timings").
settings.register_profile("lifetools", deadline=None, print_blob=True)
# The fast loop (`make check`: --hypothesis-profile=check) tries 25 examples where a
# test sets no number (100 in `make test`); a test's own number is written
# `max_examples=examples(N)` (tests/property_examples.py): N in `make test`, scaled by the
# same quarter under `check`, never below 25.
settings.register_profile("check", parent=settings.get_profile("lifetools"),
                          max_examples=25)
settings.load_profile("lifetools")
