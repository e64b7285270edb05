"""The test run's plugins, fixtures shared by every test, and the run's settings.

An index: each part of the run's machinery is a module of its own, registered here
(``pytest_plugins``):

- ``tests/xdist_schedule.py``: each test's xdist group (the expensive session fixtures,
  ``EXPENSIVE_FIXTURES``; module fixtures; ``xdist_group`` marks), tests of a slow
  module fixture marked ``slow`` (``SLOW_FIXTURES``), the order the groups start in
  (``START_FIRST``, ``_start_rank``) and the scheduler that reads the groups;
- ``tests/run_times.py``: each phase's CPU seconds in its report, the "xdist workers"
  summary and ``LIFETOOLS_XDIST_TIMES``;
- ``tests/build_fixtures.py``: the session's built project copies (``built_project``,
  ``built_site``, ``project_copy_built``, ``small_build``) and ``no_pdfs``.

Here: the lifetools-warning filter (where tests run), the heap frozen after collection,
every pyplot figure closed after its test, and the hypothesis profiles.
"""

from __future__ import annotations

import gc
import os
import sys

import pytest
from blas_threads import default_one_blas_thread
from hypothesis import settings

#: One BLAS thread in this process and every process it starts (the xdist workers and
#: the ``lifetools`` children of the tests; a build's kernels get one from the runner in
#: any case), unless the user set one of OpenBLAS's variables: set as pytest imports this conftest, before any other (the
#: engines' imports lifetools) and before the plugins below, and so before numpy loads
#: OpenBLAS, which reads it then (``tests/blas_threads.py``;
#: ``tests/unit/test_blas_threads.py`` reads the count back).
default_one_blas_thread(os.environ)

pytest_plugins = ["xdist_schedule", "run_times", "build_fixtures"]

#: A lifetools warning fails its test. Added here rather than in ``pyproject.toml``:
#: pytest imports a filter's category when it reads the filters, and the ini filters
#: are first read as the initial conftests load, before pytest-cov starts measuring in
#: an xdist worker (at ``pytest_sessionstart``); ``lifetools`` imported then had every
#: module-level line of the ~120 modules its ``__init__`` imports counted as missed.
#: Added at ``pytest_configure``, the filter is first read at collection, after coverage
#: has started (``tests/unit/test_coverage_start.py``). Not in an xdist controller, which
#: runs no test: resolving the category there imported ``lifetools`` and with it pandas,
#: scipy.stats, statsmodels and matplotlib, about 3 s of CPU for nothing at every
#: ``make check`` (``tests/unit/test_coverage_start.py``).
LIFETOOLS_WARNING_FILTER = "error::lifetools.errors.LifetoolsWarning"


def runs_tests(config) -> bool:
    """Whether this pytest process runs (or collects) tests itself: False only in an
    xdist controller, which hands the tests to its workers (``-n N``, N > 0; xdist sets
    ``tx`` then, and no controller of a ``--collect-only`` run, which collects itself)."""
    return (hasattr(config, "workerinput") or config.getoption("dist", "no") == "no"
            or not config.getoption("tx", None) or config.getoption("collectonly"))


def pytest_configure(config):
    """Fail on lifetools warnings, where tests run."""
    if runs_tests(config):
        config.addinivalue_line("filterwarnings", LIFETOOLS_WARNING_FILTER)


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
    freezes and unfreezes only a heap not frozen); the memory tests disable the
    collector or collect themselves where they measure. The CPU clock of the first
    test's report is read after this (``run_times.py``)."""
    if runs_tests(session.config):
        gc.collect()
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


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
