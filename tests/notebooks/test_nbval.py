"""nbval over every executed notebook of the one-edition small build: re-executed, same
outputs.

It ran on both 12,000-person editions (187 s in the two-edition site group, the longest
of the suite) until no notebook wrote to stderr on the 3,000-person build
(``test_stderr.py``); the second edition's re-execution is checked byte for byte by the
altered-code reproduction (``tests/functional``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from nbval_analysis import pytest_runtest_setup

HERE = Path(__file__).parent
SANITIZE = HERE / "sanitize.cfg"


@pytest.mark.slow
def test_nbval_every_executed_notebook_reproduces_its_outputs(small_build, tmp_path):
    root = small_build["root"]
    notebooks = sorted((root / "build" / "runs").glob("*/*/notebook.ipynb"))
    assert notebooks, "the build executed no notebooks"
    env = {**os.environ, "LIFETOOLS_PROJECT_ROOT": str(root),
           "LIFETOOLS_DATA_DIR": str(root / "build" / "data" / "synthetic"),
           "LIFETOOLS_OUTPUT_DIR": str(tmp_path), "MPLBACKEND": "Agg",
           "PYTHONHASHSEED": "0"}
    # each report's figures link their data under its own folder (LIFETOOLS_ANALYSIS,
    # set by the runner for every run): set for each notebook before nbval starts its
    # kernel by the plugin nbval_analysis.py, in one nbval run (seven runs, one an
    # analysis, took 53 s of CPU against 49 s)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-p", "no:cov", "-p", "nbval_analysis", "-q",
         "--nbval-sanitize-with", str(SANITIZE), "--rootdir", str(tmp_path),
         *(str(p) for p in notebooks)],
        env={**env, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))},
        capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-6000:]


def test_nbval_analysis_plugin_names_each_notebooks_analysis(monkeypatch):
    # what the runner sets for a run of runs/2024-25/wellbeing, for each notebook in turn
    monkeypatch.delenv("LIFETOOLS_ANALYSIS", raising=False)
    for analysis in ("wellbeing", "crisis_risk"):
        cell = SimpleNamespace(path=Path("build/runs/2024-25", analysis, "notebook.ipynb"))
        pytest_runtest_setup(cell)
        assert os.environ["LIFETOOLS_ANALYSIS"] == analysis
