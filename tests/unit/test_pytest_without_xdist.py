"""The suite runs without pytest-xdist as well: one process, ``-p no:xdist``.

``tests/xdist_schedule.py`` (a plugin of ``tests/conftest.py``) marks every test of an expensive fixture or module fixture with
its ``xdist_group``. Under ``--strict-markers`` that mark must be registered, and only
pytest-xdist registered it: ``pytest -p no:xdist`` (a debugger, a profiler, one test in
one process) stopped at collection with an internal error, "'xdist_group' not found in
`markers` configuration option". ``pyproject.toml`` now registers it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # runs a real pytest process
def test_collection_without_xdist_marks_groups_and_succeeds():
    # test_dependencies.py has an xdist_group mark of its own and a module fixture
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider",
         "-p", "no:nbval", "--collect-only", "-q", "tests/unit/test_dependencies.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "INTERNALERROR" not in run.stdout + run.stderr
    assert " tests collected" in run.stdout or " test collected" in run.stdout, run.stdout
