"""The gate refuses a Markdown sentence typed around counts of two or more glued key
results (rule ``glued-counts``, issue 12, wave 29): the 2024-25 pages at 3,000 people
said "10 people first used the Life Rooms; 10 of them were matched" and "... {users}
people used the Life Rooms; {users_in_care} of the Life Rooms users ...", sentences no
rule read as a whole."""

from __future__ import annotations

import nbformat
import pytest
from test_gate import notebook

from lifetools import publication
from lifetools.disclosure import compose, protected_count
from lifetools.pipeline.gate.glued import GLUED_RULE, glued_count_findings, glued_counts
from lifetools.pipeline.gate.notebooks import scan_notebook


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path / "out"))
    (tmp_path / "out").mkdir()
    made = [publication.record("users", 60, kind="count", label="Users"),
            publication.record("matched", 55, kind="count", label="Matched"),
            publication.record("found", None, kind="text", label="Summary", text=compose(
                "{users} people came; {pairs} of them were matched.",
                users=protected_count(60), pairs=protected_count(55))),
            publication.record("verdict", None, kind="text", label="Verdict",
                               text="No difference was found.")]
    outputs = []
    for result in made:
        data, metadata = result._repr_mimebundle_()
        outputs.append({"output_type": "display_data", "data": data, "metadata": metadata})
    return outputs


def page(tmp_path, outputs, markdown):
    path = notebook(tmp_path, outputs)
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = markdown
    nbformat.write(nb, path)
    return path, nb


@pytest.mark.parametrize("markdown", [
    "During the period {glue:text}`users` people came;\n{glue:text}`matched` of them "
    "were matched.",
    "{glue}`users` people came, and {glue:text}`matched` were matched.",
    "**Found.** {glue:text}`found` Of them {glue:text}`users` came back and "
    "{glue:text}`matched` were matched.",
])
def test_two_glued_counts_in_one_sentence_are_refused(tmp_path, results, markdown):
    path, nb = page(tmp_path, results, markdown)
    assert [rule for _, rule, _ in glued_count_findings(nb)] == [GLUED_RULE]
    found = [f for f in scan_notebook(path) if f.rule == GLUED_RULE]
    assert [f.cell for f in found] == [1]
    assert "users, matched" in found[0].detail


@pytest.mark.parametrize("markdown", [
    "{glue:text}`found` {glue:text}`verdict`",  # one sentence the library made
    "{glue:text}`users` people came. {glue:text}`matched` were matched.",
    "{glue:text}`users` people came.\n\n- {glue:text}`matched` were matched",
    "{glue:text}`found` There were {glue:text}`users` visits.",  # its full stop ends it
    "{glue:text}`users` people came; the {glue:text}`verdict`",
])
def test_one_glued_count_a_sentence_or_a_made_sentence_passes(tmp_path, results,
                                                               markdown):
    _, nb = page(tmp_path, results, markdown)
    assert glued_count_findings(nb) == []


def test_glued_counts_reads_the_count_spans_of_each_key_result(tmp_path, results):
    _, nb = page(tmp_path, results, "")
    read = glued_counts(nb)
    assert {name: counts for name, (_, counts) in read.items()} == {
        "users": 1, "matched": 1, "found": 2, "verdict": 0}
    assert read["found"][0] == "60 people came; 55 of them were matched."
