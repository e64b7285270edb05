"""`lifetools status`: which runs would rerun, and the reason for each."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from project_copy import ProjectRoot

from lifetools.pipeline import layout
from lifetools.pipeline.dependencies import inputs_key
from lifetools.pipeline.runner import RunSpec
from lifetools.pipeline.status import explain


def spec(tmp_path: Path, **parameters) -> RunSpec:
    return RunSpec(edition="2024-25", analysis="wellbeing", source=tmp_path / "nb.ipynb",
                   parameters={"meaningful_change": 3.0, **parameters},
                   run_dir=tmp_path / "runs" / "wellbeing", data_dir=tmp_path,
                   data_fingerprint="d1")


def ran(tmp_path: Path) -> RunSpec:
    (tmp_path / "nb.ipynb").write_text("{}")
    done = spec(tmp_path)
    folder = layout.RunFolder(done.run_dir)
    folder.path.mkdir(parents=True)
    folder.notebook.write_text("{}")
    folder.record.write_text(json.dumps({
        "key": done.key(), "inputs": done.inputs()}))
    return done


def test_explain_unchanged_run_is_reused(tmp_path):
    with ProjectRoot(tmp_path):
        assert explain(ran(tmp_path)).state == "reuse"


def test_explain_names_the_changed_parameter(tmp_path):
    with ProjectRoot(tmp_path):
        ran(tmp_path)
        status = explain(spec(tmp_path, meaningful_change=2.5))
    assert status.state == "rerun"
    assert status.reasons == ("parameters changed (meaningful_change)",)


def test_explain_notebook_edit_is_named_when_nothing_else_changed(tmp_path):
    with ProjectRoot(tmp_path):
        done = ran(tmp_path)
        done.source.write_text('{"edited": true}')
        status = explain(done)
    assert str(status) == "rerun  2024-25/wellbeing: notebook nb.ipynb changed"


def test_explain_missing_run_folder_reruns(tmp_path):
    (tmp_path / "nb.ipynb").write_text("{}")
    assert explain(spec(tmp_path)).reasons == ("never run (no complete run folder)",)


@pytest.mark.parametrize("package", ["statsmodels", "duckdb", "acro"])
def test_explain_names_the_changed_package_version(tmp_path, package):
    # duckdb (reads the data) and acro (the gate's check) drifted unnoticed until the
    # wave-23 audit of issue 14: they were not in the recorded stack
    with ProjectRoot(tmp_path):
        done = ran(tmp_path)
        record = json.loads(layout.RunFolder(done.run_dir).record.read_text())
        record["inputs"]["packages"][package] = "0.0.1"
        record["key"] = inputs_key(record["inputs"])
        layout.RunFolder(done.run_dir).record.write_text(json.dumps(record))
        status = explain(done)
    assert status.state == "rerun"
    assert status.reasons[0].startswith(f"package {package} 0.0.1 -> ")


def test_explain_record_without_inputs_reruns_saying_so(tmp_path):
    with ProjectRoot(tmp_path):
        done = ran(tmp_path)
        layout.RunFolder(done.run_dir).record.write_text('{"key": "old"}')
        status = explain(done)
    assert status.reasons == ("run by a lifetools that kept no record of its inputs",)


def test_explain_markdown_only_edit_renders_without_rerunning(tmp_path):
    with ProjectRoot(tmp_path):
        done = ran(tmp_path)
        nbformat.write(new_notebook(cells=[new_markdown_cell("Before."),
                                           new_code_cell("x = 1")]), done.source)
        layout.RunFolder(done.run_dir).record.write_text(json.dumps({
            "key": done.key(), "inputs": done.inputs()}))
        nb = nbformat.read(done.source, as_version=4)
        nb.cells[0].source = "After: {glue:text}`answer`."
        nbformat.write(nb, done.source)
        status = explain(done)
    assert str(status) == ("render 2024-25/wellbeing: re-rendered, not re-executed: "
                           "the markdown of nb.ipynb changed")


def test_explain_inputs_of_a_cached_earlier_run_are_reused(tmp_path):
    with ProjectRoot(tmp_path):
        done = ran(tmp_path)
        other = spec(tmp_path, meaningful_change=2.5)
        cached = layout.RunFolder(layout.run_cache(other.run_dir) / other.key())
        cached.path.mkdir(parents=True)
        cached.notebook.write_text("{}")
        cached.record.write_text(json.dumps({"key": other.key(), "inputs": other.inputs()}))
        assert explain(done).state == "reuse"
        status = explain(other)
    assert (status.state, status.reasons) == (
        "reuse", ("an earlier run with these inputs is kept in the run cache",))
