"""nbval over every executed notebook of a built edition: re-executed, same outputs.

The edition is the session's ``small_build`` (tests/conftest.py: one edition of a
``TEST_PEOPLE_SMALL``-person project copy), which runs every notebook of the series
once. (It was the two-edition ``built_project`` at ``TEST_PEOPLE`` people: each
notebook re-executed for both editions, on four times the people, where one edition
shows what this test checks: that nbval re-executes it to the same outputs.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
SANITIZE = Path(__file__).with_name("sanitize.cfg")


def test_nbval_every_executed_notebook_reproduces_its_outputs(small_build, tmp_path):
    root = small_build["root"]
    notebooks = sorted((root / "build" / "runs").glob("*/*/notebook.ipynb"))
    assert notebooks, "the build executed no notebooks"
    analyses = {o.spec.analysis for o in small_build["summary"].outcomes}
    assert {path.parent.name for path in notebooks} == analyses  # every notebook
    env = {**os.environ, "LIFETOOLS_PROJECT_ROOT": str(root),
           "LIFETOOLS_DATA_DIR": str(root / "build" / "data" / "synthetic"),
           "LIFETOOLS_OUTPUT_DIR": str(tmp_path), "MPLBACKEND": "Agg",
           "PYTHONHASHSEED": "0"}
    # each report's figures link their data under its own folder (LIFETOOLS_ANALYSIS,
    # set by the runner for every run): re-executed one analysis at a time, likewise
    for analysis in sorted({path.parent.name for path in notebooks}):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider",
             "-p", "no:xdist", "-p", "no:cov", "-q", "--nbval-sanitize-with",
             str(SANITIZE), "--rootdir", str(tmp_path),
             *(str(p) for p in notebooks if p.parent.name == analysis)],
            env={**env, "LIFETOOLS_ANALYSIS": analysis}, capture_output=True,
            text=True, cwd=tmp_path)
        assert done.returncode == 0, f"{analysis}: {done.stdout[-4000:]}"
