"""Warm kernels: one kernel runs many notebooks, each as if its kernel were fresh."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lifetools.pipeline.kernels import kernel_mode
from lifetools.pipeline.runner import RunSpec, execute_runs

PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}
PARAMETERS = 'period_start = "2024-04-01"\nperiod_end = "2025-03-31"'

# Changes everything a notebook can leave behind in its kernel.
LEAKY = [
    "import os, warnings\nimport numpy as np, matplotlib, matplotlib.pyplot as plt\n"
    "leaked = 1\nmatplotlib.rcParams['lines.linewidth'] = 9\nnp.seterr(all='raise')",
    "warnings.simplefilter('ignore')\nplt.figure()\nos.chdir('/')\n"
    "os.environ['LEAKED'] = '1'",
]
# Shows that state: the same bytes in a fresh kernel and after LEAKY in a warm one.
PROBE = [
    "import os, warnings\nimport numpy as np, matplotlib, matplotlib.pyplot as plt\n"
    "import lifetools as lt\n'leaked' in dir(), 'LEAKED' in os.environ",
    "matplotlib.rcParams['lines.linewidth'], np.geterr()['divide'], len(warnings.filters)",
    "plt.get_fignums(), os.path.basename(os.getcwd()), lt.config.edition(), "
    "lt.config.analysis(), os.environ.get('LIFETOOLS_SDC_PROFILE')",
    "import sys\n'tabnanny' in sys.modules",
]
FAILING = ["import tabnanny\nleaked = 1", "1 / 0"]


def notebook(folder: Path, name: str, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    first = nbformat.v4.new_code_cell(PARAMETERS)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, *(nbformat.v4.new_code_cell(c) for c in cells)]
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number}"  # the same notebook bytes (and cache key) each time
    path = folder / "analyses" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def spec(root: Path, name: str, cells: list[str]) -> RunSpec:
    source = notebook(root, name, cells)
    return RunSpec(edition="2024-25", analysis=source.stem, source=source,
                   parameters=dict(PERIOD), run_dir=root / "runs" / source.stem,
                   data_dir=root, data_fingerprint="fixture")


def test_kernel_mode_unknown_value_is_refused(monkeypatch):
    monkeypatch.setenv("LIFETOOLS_KERNELS", "tepid")
    with pytest.raises(ValueError, match="warm' or 'isolated"):
        kernel_mode()
    monkeypatch.delenv("LIFETOOLS_KERNELS")
    assert kernel_mode() == "warm"


@pytest.mark.slow  # executes notebooks
def test_warm_kernel_after_a_leaky_notebook_gives_the_bytes_of_a_fresh_kernel(tmp_path):
    fresh = spec(tmp_path / "fresh", "probe.ipynb", PROBE)
    [alone] = execute_runs([fresh], jobs=1, kernels="isolated")
    specs = [spec(tmp_path / "warm", "leaky.ipynb", LEAKY),
             spec(tmp_path / "warm", "probe.ipynb", PROBE)]
    outcomes = execute_runs(specs, jobs=1, kernels="warm")
    assert [o.status for o in [alone, *outcomes]] == ["ran"] * 3, [
        o.error for o in [alone, *outcomes]]
    probe = (specs[1].run_dir / "notebook.ipynb").read_bytes()
    assert probe == (fresh.run_dir / "notebook.ipynb").read_bytes()
    texts = [o.get("data", {}).get("text/plain", "") for c in nbformat.reads(
        probe.decode(), as_version=4).cells for o in c.get("outputs", [])]
    assert texts[0] == "(False, False)" and texts[-1] == "False"
    assert texts[2].endswith("'2024-25', 'probe', 'default')")


@pytest.mark.slow  # executes notebooks
def test_warm_kernel_failed_notebook_is_named_and_the_next_gets_a_fresh_kernel(
        tmp_path):
    specs = [spec(tmp_path, "failing.ipynb", FAILING),
             spec(tmp_path, "probe.ipynb", PROBE)]
    outcomes = execute_runs(specs, jobs=1, keep_going=True, kernels="warm")
    assert [o.status for o in outcomes] == ["failed", "ran"]
    assert "failing.ipynb failed at cell 3" in outcomes[0].error  # injected not counted
    assert "ZeroDivisionError" in outcomes[0].error
    nb = nbformat.read(specs[1].run_dir / "notebook.ipynb", as_version=4)
    last = nb.cells[-1].outputs[0]["data"]["text/plain"]
    assert last == "False"  # tabnanny, imported by the failed notebook, is gone


def test_kernel_command_drops_only_ipykernels_tcp_warning():
    import logging
    import sys

    from lifetools.pipeline.kernels import KERNEL_LAUNCH, TCP_WARNING, kernel_command

    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    command = kernel_command(argv)
    assert command == [sys.executable, "-c", KERNEL_LAUNCH, "-f", "{connection_file}"]
    assert kernel_command(["other-kernel", "-f", "x"]) == ["other-kernel", "-f", "x"]
    # the filter the launcher adds, on a logger of its own: that one message goes,
    # another warning of the same logger stays
    logger = logging.getLogger("test-kernel-launch")
    setup = KERNEL_LAUNCH.split("if sys.path")[0].replace('"IPKernelApp"',
                                                          '"test-kernel-launch"')
    exec(compile(setup, "<launch>", "exec"), {})
    kept = []
    logger.addHandler(handler := logging.Handler())
    handler.emit = kept.append
    try:
        logger.warning(TCP_WARNING + ". All communication ... plain text")
        logger.warning("Another kernel warning")
    finally:
        logger.removeHandler(handler)
        logger.filters.clear()
    assert [r.getMessage() for r in kept] == ["Another kernel warning"]


@pytest.mark.slow  # starts a kernel
def test_warm_kernel_does_not_print_the_tcp_encryption_warning(capfd):
    # the build's console showed "Kernel is running over TCP without encryption" once
    # per warm kernel (ipykernel 7.2+ logs it on the kernel's stderr, our console)
    import os

    from lifetools.pipeline.kernels import TCP_WARNING, WarmKernel

    kernel = WarmKernel(dict(os.environ))
    try:
        assert kernel.alive()
    finally:
        kernel.shutdown()
    captured = capfd.readouterr()
    assert TCP_WARNING not in captured.err + captured.out


# The build's embedded DuckDB in a notebook: the settings it runs under.
DUCKDB_PROBE = [
    "import types\nimport pandas as pd\nfrom lifetools.engines import engine_tables\n"
    "tables = engine_tables(types.SimpleNamespace(people=pd.DataFrame({'person_id': ['a']})))\n"
    "tables.backend.con.execute(\"SELECT current_setting('memory_limit'), "
    "current_setting('temp_directory')\").fetchone()",
]


@pytest.mark.slow  # executes notebooks
@pytest.mark.parametrize("kernels", ["warm", "isolated"])
def test_kernels_inherit_the_duckdb_settings_of_the_build(tmp_path, monkeypatch, kernels):
    """A notebook's kernel (warm or isolated) has the build's environment, so the
    DuckDB its cohort builders open runs under LIFETOOLS_DUCKDB_MEMORY_LIMIT and spills
    to LIFETOOLS_DUCKDB_TEMP_DIRECTORY (issue 18)."""
    import ast

    from lifetools.duckdb_settings import MEMORY_LIMIT_ENV, TEMP_DIRECTORY_ENV

    spill = tmp_path / "spill"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")
    monkeypatch.setenv(TEMP_DIRECTORY_ENV, str(spill))
    probe = spec(tmp_path, "duckdb.ipynb", DUCKDB_PROBE)
    [outcome] = execute_runs([probe], jobs=1, kernels=kernels)
    assert outcome.status == "ran", outcome.error
    nb = nbformat.read(probe.run_dir / "notebook.ipynb", as_version=4)
    limit, temp = ast.literal_eval(nb.cells[-1].outputs[0]["data"]["text/plain"])
    assert limit == "286.1 MiB" and temp == str(spill)  # 300 MB


def test_warm_kernel_reset_drops_the_engines_kept_for_earlier_datasets(tmp_path):
    """A notebook's dataset and the embedded engine made for it (with the typed-cache
    files it mapped) do not outlive the notebook in a warm kernel (issue 18)."""
    import pandas as pd

    from lifetools.dataset import Dataset
    from lifetools.engines import engine_tables
    from lifetools.engines.engine import _SHARED
    from lifetools.pipeline.kernels import STATE_MODULE

    state: dict = {}
    exec(compile(STATE_MODULE, "<lifetools-warm>", "exec"), state)
    data = Dataset(path=tmp_path, people=pd.DataFrame({"person_id": ["a", "b"]}))
    engine_tables(data)
    assert id(data) in _SHARED
    state["reset"]({}, str(Path.cwd()))
    assert id(data) not in _SHARED
