"""The xdist schedule of the test run (a plugin of ``tests/conftest.py``): each test's
group, the order the groups start in, and the scheduler that reads the groups.

Under ``--dist loadgroup`` (``make check``, ``make test``) each group runs on one
worker: the tests of an expensive session fixture (:data:`EXPENSIVE_FIXTURES`), of an
``xdist_group`` mark, or of a module with a module-scoped fixture. The groups reach
xdist's scheduler through a file per worker (:data:`GROUPS_ENV`), and the tests are
ranked so that the longest groups start first (:data:`START_FIRST`, :func:`_start_rank`).
Without xdist (``-p no:xdist``) only the marks are added; the scheduler hook is optional.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

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


def pytest_configure(config):
    """In a ``--dist loadgroup`` controller: the folder the workers write groups to."""
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


def _uses_module_fixture(item, used: set[str]) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    definitions = getattr(info, "name2fixturedefs", {})
    return any(definition.scope == "module"
               for name in used for definition in definitions.get(name, ()))
