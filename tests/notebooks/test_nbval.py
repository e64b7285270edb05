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

import pytest

pytestmark = pytest.mark.slow
SANITIZE = Path(__file__).with_name("sanitize.cfg")


def test_nbval_every_executed_notebook_reproduces_its_outputs(small_build, tmp_path):
    root = small_build["root"]
    notebooks = sorted((root / "build" / "runs").glob("*/*/notebook.ipynb"))
    assert notebooks, "the build executed no notebooks"
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
