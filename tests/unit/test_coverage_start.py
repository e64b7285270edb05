"""Coverage measures lifetools from its first import: pytest imports none of it earlier.

pytest-cov starts measuring in an xdist worker at ``pytest_sessionstart``. A module
imported before then (by a ``filterwarnings`` category that pytest resolves while the
initial conftests load, or by a conftest's top-level import) keeps every module-level
line (its imports, ``def`` and ``class`` statements, enum members, constants) counted
as never run, in every process. Naming ``lifetools.errors.LifetoolsWarning`` in
``pyproject.toml``'s ``filterwarnings`` had done that: 3,663 of the 4,192 statements
the CI table counted as missed (result_names.py 124 of 125, disclosure/protected.py 118
of its 129) were lines the import had run. The filter is now added by
``tests/conftest.py`` at ``pytest_configure``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lifetools.errors import LifetoolsWarning

ROOT = Path(__file__).resolve().parents[2]

PROBE = '''
import sys

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    early = sorted(name for name in sys.modules if name.split(".")[0] == "lifetools")
    print("LIFETOOLS-AT-SESSIONSTART", len(early), " ".join(early[:5]), flush=True)
    # what follows (collection imports lifetools: ~3 s of CPU) is not what is tested
    pytest.exit("probe done", returncode=0)
'''


def test_pytest_imports_no_lifetools_module_before_the_session_starts(tmp_path):
    """What a worker has imported when pytest-cov starts measuring: nothing of lifetools."""
    (tmp_path / "lifetools_import_probe.py").write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "lifetools_import_probe", "-p",
         "no:cacheprovider", "--collect-only", "-q", "-s",
         "tests/unit/test_coverage_start.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    lines = [line for line in run.stdout.splitlines()
             if line.startswith("LIFETOOLS-AT-SESSIONSTART")]
    assert run.returncode == 0 and lines, run.stdout + run.stderr
    assert lines[0].split()[1] == "0", f"imported before coverage starts: {lines[0]}"


def test_a_lifetools_warning_still_fails_its_test():
    """The filter moved to tests/conftest.py and still turns the warning into an error."""
    with pytest.raises(LifetoolsWarning, match="a defect"):
        warnings.warn("a defect", LifetoolsWarning, stacklevel=1)


class _Config:
    """The options ``runs_tests`` reads, as xdist leaves them after its ``-n`` handling."""

    def __init__(self, dist="no", tx=None, collectonly=False, worker=False):
        self.options = {"dist": dist, "tx": tx, "collectonly": collectonly}
        if worker:
            self.workerinput = {"workerid": "gw0"}

    def getoption(self, name, default=None):
        return self.options.get(name, default)


def test_the_warning_filter_is_added_where_tests_run_not_in_an_xdist_controller(pytestconfig):
    """The controller of ``-n 2`` runs no test: the filter there only imported lifetools
    (about 3 s of CPU at every ``make check``); its workers, a plain run and a
    ``--collect-only`` run (which collects in the controller) keep it."""
    conftest = next(plugin for plugin in pytestconfig.pluginmanager.get_plugins()
                    if getattr(plugin, "__file__", None) == str(ROOT / "tests" / "conftest.py"))
    controller = _Config(dist="loadgroup", tx=["popen", "popen"])
    assert not conftest.runs_tests(controller)
    assert conftest.runs_tests(_Config(dist="loadgroup", tx=["popen"], worker=True))
    assert conftest.runs_tests(_Config())  # -n 0 and a plain run: xdist sets dist "no"
    assert conftest.runs_tests(_Config(dist="loadgroup", tx=["popen"], collectonly=True))
    # this process runs tests: the filter is among its filters
    assert conftest.LIFETOOLS_WARNING_FILTER in pytestconfig.getini("filterwarnings")
