"""The publish gate stops every kind of leak and passes stamped outputs."""

from __future__ import annotations

import nbformat
import pytest

from lifetools import publication
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import (
    assert_publishable,
    scan_notebook,
    unprotected_outputs,
)


def notebook(tmp_path, outputs, name="report"):
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"), cell])
    path = tmp_path / "2024-25" / name / "notebook.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


def stamped(text, kind="table"):
    return {"output_type": "display_data", "data": {"text/html": text},
            "metadata": publication.stamp(kind, "t")}


def stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


LEAKS = {
    "unstamped": [{"output_type": "display_data", "data": {"text/html": "<table/>"},
                   "metadata": {}}],
    "unstamped image": [{"output_type": "display_data",
                         "data": {"image/png": "iVBORw0KGgo="}, "metadata": {}}],
    "row-level": [stream("   person  age\n0  a  31\n1  b  44\n")],
    "nhs-number": [stream("patient 943 476 5919 seen")],
    "nhs-number unspaced in a stamped table": [stamped("<td>9434765919</td>")],
    "person-id": [stream("id " + "a" * 64)],
    "date-of-birth": [stream("date of birth 1980-02-03")],
    "postcode": [stream("lives at L4 0TH")],
    "error": [{"output_type": "error", "ename": "ValueError", "evalue": "x",
               "traceback": []}],
}


@pytest.mark.parametrize("kind", list(LEAKS))
def test_gate_stops_each_kind_of_leak(tmp_path, kind):
    path = notebook(tmp_path, LEAKS[kind])
    findings = scan_notebook(path)
    assert findings, kind
    with pytest.raises(DisclosureError, match=r"report \(notebook.ipynb\), cell 2, "
                                              r"output 1"):
        assert_publishable([path])


def test_gate_passes_stamped_outputs_and_ignores_image_payloads(tmp_path):
    figure = stamped('<img src="data:image/png;base64,9434765919AAAA"/>', "figure")
    glue = {"output_type": "display_data",
            "data": {publication.GLUE_PREFIX + "text/plain": "1,235"},
            "metadata": {**publication.stamp("result", "n"),
                         "scrapbook": {"name": "n"}}}
    path = notebook(tmp_path, [stamped("<td>1,235</td><td>2024-03-31</td>"), figure,
                               glue, stream("fitting model\n")])
    assert scan_notebook(path) == []
    assert_publishable([path])


def test_gate_names_the_source_notebook_the_runner_recorded(tmp_path):
    path = notebook(tmp_path, [stream("NHS number 943 476 5919")])
    nb = nbformat.read(path, as_version=4)
    nb.metadata["lifetools"] = {"notebook": "01_cohort_description.ipynb"}
    nbformat.write(nb, path)
    with pytest.raises(DisclosureError,
                       match=r"2024-25/report \(01_cohort_description.ipynb\), cell 2"):
        assert_publishable([path])


def test_unprotected_outputs_reads_the_stamps(tmp_path):
    off = {"output_type": "display_data", "data": {"text/html": "<table/>"},
           "metadata": publication.stamp("table", "raw", rules={"enabled": False})}
    on = {"output_type": "display_data", "data": {"text/html": "<table/>"},
          "metadata": publication.stamp("table", "safe", rules={"enabled": True})}
    path = notebook(tmp_path, [on, off, stamped("<p/>", "figure")])
    assert unprotected_outputs(path) == ["table:raw"]
    assert unprotected_outputs(tmp_path / "missing.ipynb") == []
