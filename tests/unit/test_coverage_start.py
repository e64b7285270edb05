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
