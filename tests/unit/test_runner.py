"""The papermill runner: failures name the notebook and cell; the cache decides reuse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from lifetools.errors import AnalysisRunError, ParameterError
from lifetools.pipeline import run_cache
from lifetools.pipeline.runner import (
    RunSpec,
    check_notebook_parameters,
    execute_runs,
    papermill_command,
    raise_for_failures,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}


def make_spec(tmp_path: Path, name: str, **parameters) -> RunSpec:
    source = tmp_path / "analyses" / name
    source.parent.mkdir(parents=True, exist_ok=True)
    if not source.exists():
        shutil.copyfile(FIXTURES / name, source)
    return RunSpec(edition="2024-25", analysis=Path(name).stem, source=source,
                   parameters={**PERIOD, **parameters},
                   run_dir=tmp_path / "runs" / Path(name).stem,
                   data_dir=tmp_path, data_fingerprint="fixture")


def test_run_key_covers_the_parameters_words_only_where_declared(tmp_path):
    # the runner records the words in the notebook, where the gate reads them again:
    # new words rerun the analysis; an analysis declaring none keeps its key
    from dataclasses import replace

    from lifetools.pipeline.dependencies import PARAMETER_WORDS

    spec = make_spec(tmp_path, "ok.ipynb", scale=3)
    worded = replace(spec, parameter_words={"scale": ("times larger",)})
    assert PARAMETER_WORDS not in spec.inputs()
    assert worded.inputs()[PARAMETER_WORDS] == {"scale": ["times larger"]}
    assert worded.key() != spec.key() != replace(
        spec, parameter_words={"scale": ("times the size",)}).key()


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_broken_notebook_fails_naming_notebook_and_cell(tmp_path):
    spec = make_spec(tmp_path, "broken.ipynb")
    [outcome] = execute_runs([spec], jobs=1)
    assert outcome.status == "failed"
    assert "broken.ipynb" in outcome.error
    assert "cell 4" in outcome.error  # 0 markdown, 1 parameters, 2 injected, 3, 4
    assert "ZeroDivisionError" in outcome.error
    assert outcome.failed_notebook.exists()
    assert not spec.run_dir.exists()
    with pytest.raises(AnalysisRunError, match="broken.ipynb failed at cell 4"):
        raise_for_failures([outcome])


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_success_hides_code_and_records_parameters(tmp_path):
    spec = make_spec(tmp_path, "ok.ipynb", scale=3)
    [outcome] = execute_runs([spec], jobs=1)
    assert outcome.status == "ran", outcome.error
    nb = nbformat.read(spec.run_dir / "notebook.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all({"remove-input", "remove-cell"} & set(c.metadata["tags"]) for c in code)
    assert nb.metadata["lifetools"]["parameters"]["scale"] == 3
    assert "start_time" not in json.dumps(nb.metadata)
    results = json.loads((spec.run_dir / "files" / "results.json").read_text())
    assert results["answer"]["value"] == 63


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_unchanged_inputs_are_reused_and_changes_rerun(tmp_path):
    first = execute_runs([make_spec(tmp_path, "ok.ipynb", scale=1)], jobs=1)
    again = execute_runs([make_spec(tmp_path, "ok.ipynb", scale=1)], jobs=1)
    changed = execute_runs([make_spec(tmp_path, "ok.ipynb", scale=5)], jobs=1)
    assert [o.status for o in first + again + changed] == ["ran", "reused", "ran"]


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_parallel_runs_all_notebooks(tmp_path):
    specs = [make_spec(tmp_path / str(i), "ok.ipynb", scale=i) for i in range(3)]
    outcomes = execute_runs(specs, jobs=2)
    assert [o.status for o in outcomes] == ["ran"] * 3


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_stops_starting_runs_after_a_failure_unless_keep_going(tmp_path):
    specs = [make_spec(tmp_path / "a", "broken.ipynb"), make_spec(tmp_path / "b", "ok.ipynb")]
    assert [o.status for o in execute_runs(specs, jobs=1)] == ["failed"]
    kept = execute_runs(specs, jobs=1, keep_going=True)
    assert [o.status for o in kept] == ["failed", "ran"]


def test_check_parameters_notebook_without_parameters_cell_is_refused(tmp_path):
    spec = make_spec(tmp_path, "no_parameters.ipynb")
    with pytest.raises(ParameterError, match="no cell is tagged 'parameters'"):
        check_notebook_parameters(spec)


def test_check_parameters_undeclared_parameter_is_refused(tmp_path):
    spec = make_spec(tmp_path, "ok.ipynb", colour="blue")
    with pytest.raises(ParameterError, match=r"does not declare \['colour'\]"):
        check_notebook_parameters(spec)


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_forced_rerun_writes_a_byte_identical_notebook(tmp_path):
    spec = make_spec(tmp_path, "ok.ipynb", scale=2)
    execute_runs([spec], jobs=1)
    first = (spec.run_dir / "notebook.ipynb").read_bytes()
    [outcome] = execute_runs([spec], jobs=1, force=True)
    assert outcome.status == "ran"
    assert (spec.run_dir / "notebook.ipynb").read_bytes() == first
    nb = nbformat.reads(first.decode(), as_version=4)
    assert nb.metadata["lifetools"]["notebook"] == "ok.ipynb"


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_switching_parameters_back_reuses_the_cached_run(tmp_path):
    first = execute_runs([make_spec(tmp_path, "ok.ipynb", scale=1)], jobs=1)
    one = (tmp_path / "runs" / "ok" / "files" / "results.json").read_bytes()
    other = execute_runs([make_spec(tmp_path, "ok.ipynb", scale=5)], jobs=1)
    back = execute_runs([make_spec(tmp_path, "ok.ipynb", scale=1)], jobs=1)
    again = execute_runs([make_spec(tmp_path, "ok.ipynb", scale=5)], jobs=1)
    assert [o.status for o in first + other + back + again] == [
        "ran", "ran", "reused", "reused"]
    assert json.loads(one)["answer"]["value"] == 21
    assert json.loads((tmp_path / "runs" / "ok" / "files" / "results.json")
                      .read_text())["answer"]["value"] == 105


@pytest.mark.slow  # executes notebooks with papermill
def test_runner_run_cache_keeps_at_most_the_bound_evicting_the_oldest(tmp_path,
                                                                      monkeypatch):
    monkeypatch.setattr(run_cache, "CACHED_RUNS", 1)
    for scale in (1, 2, 3):
        execute_runs([make_spec(tmp_path, "ok.ipynb", scale=scale)], jobs=1)
    cache = tmp_path / ".cache" / "runs" / "ok"
    assert len(list(cache.iterdir())) == 1
    statuses = [execute_runs([make_spec(tmp_path, "ok.ipynb", scale=s)], jobs=1)[0].status
                for s in (2, 1)]
    assert statuses == ["reused", "ran"]


def test_isolated_kernels_get_the_same_start_timeout_as_warm_ones(tmp_path):
    """A papermill child waits START_TIMEOUT seconds for its kernel, not papermill's 60:
    one CI run failed "Kernel didn't respond in 60 seconds" on a busy 2-core machine."""
    from lifetools.pipeline.kernels import START_TIMEOUT

    command = papermill_command(tmp_path / "a.ipynb", tmp_path / "b.ipynb",
                                tmp_path / "p.yml", tmp_path)
    assert START_TIMEOUT >= 300
    at = command.index("--start-timeout")
    assert int(command[at + 1]) == START_TIMEOUT
    assert command[1:3] == ["-m", "papermill"]


@pytest.mark.parametrize(("ename", "evalue", "hinted"), [
    ("ValueError", "assignment destination is read-only", True),
    ("AssertionError", "Something has gone wrong, please report a bug at "
     "https://github.com/pandas-dev/pandas/issues", True),
    ("ValueError", "could not convert string to float: 'x'", False),
    ("KeyError", "'honos'", False)])
def test_failed_cell_a_write_into_the_shared_tables_says_to_copy_the_table(
        tmp_path, ename, evalue, hinted):
    # wave 44: warm kernels share the loaded tables read-only; a notebook writing into
    # one failed with numpy's or pandas' words only (pandas' asks for a bug report)
    from lifetools.pipeline.runner import SHARED_TABLE_HINT, _failed_cell

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("data.people.loc[0, 'age'] = 1")
    cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                           traceback=[])]
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), cell]
    path = tmp_path / "out.ipynb"
    nbformat.write(nb, path)
    position, error = _failed_cell(path)
    assert position == 2
    assert error.startswith(f"`data.people.loc[0, 'age'] = 1`: {ename}: {evalue}")
    assert error.endswith(SHARED_TABLE_HINT) is hinted
