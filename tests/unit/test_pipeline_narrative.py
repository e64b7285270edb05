"""Markdown is narrative: editing it re-renders a run's page, never re-executes the run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lifetools.pipeline.dependencies import inputs_key, run_inputs
from lifetools.pipeline.narrative import code_digest, narrative_digest, rerender
from lifetools.pipeline.runner import RunSpec, execute_runs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def source(tmp_path: Path, markdown: str = "# Title", name: str = "nb.ipynb",
           code: str = "x = 2 * scale") -> Path:
    nb = new_notebook(cells=[
        new_markdown_cell(markdown),
        new_code_cell("scale = 1", metadata={"tags": ["parameters"]}),
        new_code_cell(code),
        new_markdown_cell("The answer is {glue:text}`answer`."),
    ])
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def edit(path: Path, change) -> Path:
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)
    return path


def test_code_digest_markdown_edits_leave_it_and_change_the_narrative(tmp_path):
    path = source(tmp_path)
    code, text = code_digest(path), narrative_digest(path)
    edit(path, lambda nb: setattr(nb.cells[0], "source", "# Title  \n"))
    assert (code_digest(path), narrative_digest(path) != text) == (code, True)
    edit(path, lambda nb: nb.cells.insert(2, new_markdown_cell("More words.")))
    assert code_digest(path) == code


@pytest.mark.parametrize("change", [
    lambda nb: setattr(nb.cells[2], "source", "x = 3 * scale"),
    lambda nb: nb.cells[2].metadata.update(tags=["parameters"]),
    lambda nb: nb.cells.append(new_code_cell("y = 1")),
    lambda nb: nb.metadata.update(kernelspec={"name": "other"}),
])
def test_code_digest_code_tag_cell_or_kernel_edits_change_it(tmp_path, change):
    path = source(tmp_path)
    before = code_digest(path)
    assert code_digest(edit(path, change)) != before


def test_inputs_key_leaves_the_narrative_out(tmp_path):
    path = source(tmp_path)

    def key() -> str:
        return inputs_key(run_inputs(notebook=path, parameters={}, data_fingerprint="d",
                                     lock=None, packages={}))

    before = key()
    edit(path, lambda nb: setattr(nb.cells[3], "source", "Now {glue:text}`answer`!"))
    assert key() == before
    edit(path, lambda nb: setattr(nb.cells[2], "source", "x = 5"))
    assert key() != before


def executed(tmp_path: Path) -> Path:
    """A notebook as the runner leaves it: injected parameters, outputs, numbered ids."""
    injected = new_code_cell("scale = 3", metadata={"tags": ["injected-parameters",
                                                             "remove-cell"]})
    out = new_output("display_data", data={"text/plain": "6"})
    nb = new_notebook(cells=[
        new_markdown_cell("# Title"),
        new_code_cell("scale = 1", metadata={"tags": ["parameters", "remove-cell"]}),
        injected,
        new_code_cell("x = 2 * scale", outputs=[out], execution_count=3,
                      metadata={"tags": ["remove-input"]}),
        new_markdown_cell("The answer is {glue:text}`answer`."),
    ])
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"cell-{number}"
    path = tmp_path / "run" / "notebook.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


def test_rerender_takes_the_new_markdown_and_keeps_code_cells_and_outputs(tmp_path):
    run = executed(tmp_path)
    before = [c for c in nbformat.read(run, as_version=4).cells if c.cell_type == "code"]
    path = edit(source(tmp_path), lambda nb: nb.cells.insert(
        2, new_markdown_cell("New words, then {glue:text}`answer`.")))
    rerender(run, path)
    nb = nbformat.read(run, as_version=4)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "markdown",
                                              "code", "markdown"]
    assert nb.cells[3].source == "New words, then {glue:text}`answer`."
    assert "injected-parameters" in nb.cells[2].metadata["tags"]
    after = [c for c in nb.cells if c.cell_type == "code"]
    assert [(c.source, c.metadata, c.get("outputs")) for c in after] == [
        (c.source, c.metadata, c.get("outputs")) for c in before]
    assert [c.id for c in nb.cells] == [f"cell-{n}" for n in range(1, 7)]


def test_rerender_different_code_cells_are_refused(tmp_path):
    run = executed(tmp_path)
    before = run.read_bytes()
    with pytest.raises(ValueError, match="same code cells"):
        rerender(run, source(tmp_path, code="x = 4 * scale"))
    assert run.read_bytes() == before


def make_spec(tmp_path: Path) -> RunSpec:
    path = tmp_path / "analyses" / "ok.ipynb"
    if not path.exists():
        path.parent.mkdir(parents=True)
        shutil.copyfile(FIXTURES / "ok.ipynb", path)
    return RunSpec(edition="2024-25", analysis="ok", source=path,
                   parameters={"period_start": "2024-04-01", "period_end": "2025-03-31",
                               "scale": 2},
                   run_dir=tmp_path / "runs" / "ok", data_dir=tmp_path,
                   data_fingerprint="fixture")


@pytest.mark.slow  # executes a notebook with papermill, twice
def test_runner_markdown_edit_rerenders_as_a_rerun_would_write_it(tmp_path):
    spec = make_spec(tmp_path)
    assert [o.status for o in execute_runs([spec], jobs=1)] == ["ran"]
    files = (spec.run_dir / "files" / "results.json").read_bytes()
    edit(spec.source, lambda nb: (
        setattr(nb.cells[0], "source", "# A tiny report, reworded\n\nIt is "
                "{glue:text}`answer`."),
        nb.cells.append(nbformat.from_dict({"cell_type": "markdown", "metadata": {},
                                            "source": "A closing note."}))))
    [outcome] = execute_runs([spec], jobs=1)
    assert outcome.status == "rerendered"
    assert outcome.record["rendered"] == [
        "re-rendered, not re-executed: the markdown of ok.ipynb changed"]
    rendered = (spec.run_dir / "notebook.ipynb").read_bytes()
    assert b"reworded" in rendered and b"A closing note." in rendered
    assert (spec.run_dir / "files" / "results.json").read_bytes() == files
    record = json.loads((spec.run_dir / "run.json").read_text())
    assert record["inputs"] == spec.inputs()
    assert [o.status for o in execute_runs([spec], jobs=1)] == ["reused"]
    [forced] = execute_runs([spec], jobs=1, force=True)
    assert forced.status == "ran"
    assert (spec.run_dir / "notebook.ipynb").read_bytes() == rendered
    assert (spec.run_dir / "files" / "results.json").read_bytes() == files
    # a code edit of a notebook whose run was last re-rendered re-executes it (the
    # functional incremental test, tests/functional/test_incremental.py, edits the
    # markdown of one notebook and the code of another in one build)
    edit(spec.source, lambda nb: nb.cells.append(nbformat.from_dict(
        {"cell_type": "markdown", "metadata": {}, "source": "A second note."})))
    assert [o.status for o in execute_runs([spec], jobs=1)] == ["rerendered"]
    edit(spec.source, lambda nb: nb.cells.append(new_code_cell("_ = 1")))
    [edited] = execute_runs([spec], jobs=1)
    assert edited.status == "ran"
    assert (spec.run_dir / "files" / "results.json").read_bytes() == files
