"""The publish gate stops every kind of leak and passes stamped outputs."""

from __future__ import annotations

import nbformat
import pytest

from lifetools import publication
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import (
    assert_publishable,
    new_key,
    nhs_number_valid,
    scan_notebook,
    seal_digest,
    unprotected_outputs,
    verify_and_settle,
)
from lifetools.pipeline.gate.rules import (
    count_findings,
    counted_findings,
    kofn_findings,
)


def settle(nb):
    """Seal every stamped output as a display function would, then settle as the runner."""
    key = new_key()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get(publication.STAMP_KEY)
            if mark is not None:
                mark["seal"] = seal_digest(output.get("data", {}), mark, key)
    verify_and_settle(nb, key)


def notebook(tmp_path, outputs, name="report"):
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"), cell])
    settle(nb)
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
    "raw count in a sealed text result": [{
        "output_type": "display_data",
        "data": {publication.GLUE_PREFIX + "text/plain": "'2,634 people used it'"},
        "metadata": {**publication.stamp("result", "n", result_kind="text"),
                     "scrapbook": {"name": "n"}}}],
    "small count in a sealed table's caption": [stamped(
        "<table><caption>Seen by 3 patients</caption></table>")],
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
    # a key result's stamp records its protected span ("1,235": a published count)
    glue = {"output_type": "display_data",
            "data": {publication.GLUE_PREFIX + "text/plain": "'1,235'",
                     "text/plain": "1,235"},
            "metadata": {**publication.stamp("result", "n", spans=[
                {"start": 0, "end": 5, "kind": "count", "value": 1235,
                 "profile": "default"}]), "scrapbook": {"name": "n"}}}
    # (a table's cells in a table: a stamped table's text outside any table is read as
    # prose, a sentence standing for a table whose every value is withheld)
    path = notebook(tmp_path, [stamped("<table><tr><td>1,235</td><td>2024-03-31</td>"
                                       "</tr></table>"), figure,
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


def test_gate_sealed_display_verifies_with_the_runners_key(monkeypatch):
    key = new_key()
    monkeypatch.setenv(publication.SEAL_ENV, key)
    data, meta = publication.record("n", 1234, kind="count", label="People"
                                    )._repr_mimebundle_()
    mark = meta[publication.STAMP_KEY]
    assert mark["seal"] == seal_digest(data, mark, key)
    assert mark["seal"] != seal_digest(data, mark, new_key())
    monkeypatch.delenv(publication.SEAL_ENV)
    _, unsealed = publication.record("n", 1234, kind="count", label="People"
                                     )._repr_mimebundle_()
    assert "seal" not in unsealed[publication.STAMP_KEY]


def test_gate_settled_notebook_is_the_same_whatever_the_key(tmp_path):
    outputs = [{"output_type": "display_data", "data": {"text/html": "<p>t</p>"},
                "metadata": publication.stamp("table", "t")}]
    first = nbformat.read(notebook(tmp_path / "a", outputs), as_version=4)
    second = nbformat.read(notebook(tmp_path / "b", outputs), as_version=4)
    assert first.cells[1].outputs == second.cells[1].outputs
    assert "verified" in first.cells[1].outputs[0].metadata[publication.STAMP_KEY]


@pytest.mark.parametrize("digits, valid", [("9434765919", True), ("9434765918", False),
                                           ("1234567890", False), ("4010232137", True)])
def test_nhs_number_valid_checks_the_modulus_11_digit(digits, valid):
    assert nhs_number_valid(digits) is valid


def test_gate_numbers_cells_as_in_the_source_notebook(tmp_path):
    injected = nbformat.v4.new_code_cell("x = 1")
    injected.metadata["tags"] = ["injected-parameters"]
    leak = nbformat.v4.new_code_cell("print(n)")
    leak.outputs = [nbformat.from_dict(stream("3\n"))]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"),
                                         nbformat.v4.new_code_cell("x = 0"),
                                         injected, leak])
    path = tmp_path / "notebook.ipynb"
    nbformat.write(nb, path)
    # a number in a stream is also unverifiable (it carries no protection record)
    assert {(f.cell, f.rule) for f in scan_notebook(path)} == {
        (3, "small-count"), (3, "unverifiable-stream")}


@pytest.mark.parametrize("text, rules", [
    ("fitting model\n", set()),
    ("period 2024-04-01 to 2025-03-31, 95% CI 0.83, 12.5 days\n", set()),
    ("people: 12,840 and 0 excluded\n", set()),
    ("people: 12,842\n", {"unrounded-count"}),
    ("only 4 people\n", {"small-count"}),
])
def test_count_findings_reads_counts_not_dates_or_decimals(text, rules):
    assert {rule for rule, _ in count_findings(text)} == rules


@pytest.mark.parametrize("text, found", [("10 of 25 improved", False),
                                         ("33.3% (1 of 3)", True),
                                         ("12 out of 40", True)])
def test_kofn_findings_refuses_small_or_unrounded_parts(text, found):
    assert bool(kofn_findings(text)) is found


def test_runner_moves_stderr_out_of_the_notebook_with_author_cell_numbers():
    from lifetools.pipeline.runner import _move_stderr

    injected = nbformat.v4.new_code_cell("x = 1")
    injected.metadata["tags"] = ["injected-parameters"]
    warned = nbformat.v4.new_code_cell("fit()")
    warned.outputs = [nbformat.from_dict(stream("fitting\n")),
                      nbformat.from_dict({**stream("/home/a/x.py:1: Warning\n"),
                                          "name": "stderr"})]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"),
                                         injected, warned])
    assert _move_stderr(nb) == ["--- cell 2\n/home/a/x.py:1: Warning\n"]
    assert [o.name for o in nb.cells[2].outputs] == ["stdout"]


@pytest.mark.parametrize("text, rules", [
    ("2,634 people used the Life Rooms", {"unrounded-count"}),
    ("2,635 people used the Life Rooms", set()),
    ("1,234 Life Rooms users", {"unrounded-count"}),
    ("there were 7 events", {"small-count"}),
    ("fewer than 8 people", set()),
    ("at least 10 contributors", set()),
    ("In 2024 people were", set()),
    ("12 months of follow-up and 90 days", set()),
    ("the 12-month risk for 300 people", set()),
    ("Aged 65 or over", set()),
    ("by 153 days after discharge, the longest follow-up", set()),
    ("13 of the users", set()),
    ("<td>19</td><td>Patient and public involvement</td>", set()),
    ("<td>Seen</td><td>19</td></tr><tr><td>people</td>", set()),
    ("In this period 2,634\npeople used it", {"unrounded-count"}),
    ("item 19. Patient involvement", set()),
])
def test_counted_findings_reads_counts_of_people_not_bounds_or_times(text, rules):
    assert {rule for rule, _ in counted_findings(text)} == rules


def test_counted_findings_reads_a_word_for_all_beside_a_count_after_an_image_or_far_in():
    # the positions of the counts are those of the text the gate reads, an image's
    # base64 removed (they were read in another text and the word beside was missed)
    image = "![plot](data:image/png;base64," + "QUJD" * 500 + ")\n\n"
    sentence = "All 60 people were admitted."
    assert {rule for rule, _ in counted_findings(image + sentence)} == {"group-disclosure"}
    # a long page is read in windows around each count: the same answers, far in
    filler = "Some people used the Life Rooms in 2024. " * 3000
    assert {rule for rule, _ in counted_findings(filler + sentence)} == {"group-disclosure"}
    assert counted_findings(filler + "Of all 60 people, some were admitted.") == []
    # "whole", "entire" and "every single one" say all as well (passed until wave 29)
    for said in ("The whole group of 60 people was admitted.",
                 "Every single one of the 60 people was admitted."):
        assert {rule for rule, _ in counted_findings(said)} == {"group-disclosure"}
    assert {rule for rule, _ in counted_findings(
        filler + "60 people came, all of whom were seen.")} == {"group-disclosure"}


def test_gate_refuses_a_hand_written_count_in_markdown(tmp_path):
    path = notebook(tmp_path, [])
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "In this period 2,634 people used the Life Rooms."
    nbformat.write(nb, path)
    assert {(f.cell, f.rule) for f in scan_notebook(path)} == {
        (1, "unrounded-count"), (1, "unprotected-number-in-prose")}


def test_gate_labelled_count_header_unrounded_count_is_found(tmp_path, monkeypatch):
    import pandas as pd

    from lifetools.disclosure import get_profile
    from lifetools.pipeline.gate.outputs import scan_output
    from lifetools.tables import show_table

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    shown = show_table(pd.DataFrame({"group": ["a", "b"], "n": [30, 1234]}), name="g",
                       caption="c", count_cols=["n"])
    data, meta = shown._repr_mimebundle_()
    assert meta["lifetools"]["rules"]["count_headers"] == ["Number"]
    from lifetools.pipeline.gate.seals import _content_digest

    def verified(html: str) -> dict:
        mark = meta[publication.STAMP_KEY]
        shown = {**data, "text/html": html}
        return {"output_type": "display_data", "data": shown, "metadata": {
            publication.STAMP_KEY: {**mark, "verified": _content_digest(shown, mark)}}}

    assert not scan_output(verified(data["text/html"]), get_profile("default"))
    # a count under the page's "Number" header that is not protected is found
    tampered = verified(data["text/html"].replace("1,235", "1,234"))
    assert "unrounded-count" in {rule for rule, _ in scan_output(tampered, get_profile("default"))}


def test_gate_tells_how_to_correct_an_edition_released_before(tmp_path):
    """A finding in an edition archived by an earlier build (a rule added since) is
    refused all the same, with the --republish command that corrects it; a finding in
    the current edition keeps the author's hint."""
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old = notebook(tmp_path / "old", [stream("seen by 3 patients\n")])
    new = notebook(tmp_path / "new", [stream("fitting model\n")])
    with pytest.raises(DisclosureError) as refused:
        assert_publishable([old, new], released={old: "2023-24"})
    assert ("lifetools build --republish 2023-24 --reason" in refused.value.hint
            and "the released version is kept" in refused.value.hint)
    with pytest.raises(DisclosureError) as current:
        assert_publishable([old, new])
    assert "--republish" not in current.value.hint
    assert_publishable([new], released={old: "2023-24"})
