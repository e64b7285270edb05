"""The statistic rule has one owner: a table the gate refuses is refused at source.

``show_table`` runs the gate's own rule
(:func:`lifetools.disclosure.statistics.statistic_findings`) on the cells the gate will
read, page and download, with the one cell reader
(:func:`lifetools.disclosure.cells.cell_numbers`: a number, or digits in a text). Each
case is shown twice: with the source check, it is refused naming the table, the column
(or row) and the rule; past it (as an older lifetools would have shown it), the gate
refuses the same table with exit code 13 and the same rule.

Before wave 13 the source check read numeric cells only, so the text-interval cases
passed ``show_table`` and then failed the gate.
"""

from __future__ import annotations

import pandas as pd
import pytest
from runfolder import RunFolder, counted_folder, display
from test_author_leaks import STATISTIC_TABLES
from test_leaks import refused

from lifetools import tables
from lifetools.disclosure import protect_counts
from lifetools.disclosure.statistics import STATISTIC_RULE
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import scan_notebook

SITES = ["Walton", "Bootle"]

CASES = {
    "a mean with its interval as text, after a count": (pd.DataFrame({
        "Site": SITES, "n": [95, 120],
        "Mean score (95% CI)": ["12.3 (10.1 to 14.5)", "11.0 (9.2 to 13.1)"]}),
        ["n"], "column 'Mean score (95% CI)'"),
    "a median as text after a count": (pd.DataFrame({
        "Site": SITES, "n": [95, 120], "Median age": ["41 years", "38 years"]}),
        ["n"], "column 'Median age'"),
    "a row labelled with a statistic beside a text with digits": (pd.DataFrame({
        "Measure": ["People", "Mean score"], "n": [95, 120],
        "Detail": ["all sites", "12.3 (10.1 to 14.5)"]}),
        ["n"], "row 2 is labelled"),
    **{f"{leak} (numbers)": (frame, [], f"column '{frame.columns[1]}'")
       for leak, frame in STATISTIC_TABLES.items() if leak != "the youngest and oldest "
       "ages (extremes)"},
    "the youngest and oldest ages (extremes) (numbers)": (
        STATISTIC_TABLES["the youngest and oldest ages (extremes)"], [], "row 1 is "
        "labelled"),
}


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return counted_folder(tmp_path, monkeypatch)


@pytest.mark.parametrize("case", CASES)
def test_statistic_agreement_gate_refusal_is_a_source_refusal(case, run, monkeypatch):
    frame, count_cols, where = CASES[case]
    with pytest.raises(DisclosureError) as caught:
        tables.show_table(frame, name="stats", caption="Scores", count_cols=count_cols)
    message = str(caught.value)
    assert message.startswith(f"table 'stats': {where}"), message
    assert f"(rule {STATISTIC_RULE!r})" in message
    # past the source check, the gate refuses the same table by the same rule
    monkeypatch.setattr(tables, "require_no_loose_statistics", lambda table, **_: table)
    # the page's cells are checked at source by the gate's cell rules, which hold
    # the statistic rule too: refused there (by it, or first by another cell rule)
    with pytest.raises(DisclosureError, match=rf"\(rule '(?:{STATISTIC_RULE}|"
                       r"unprotected-number-in-table)'"):
        tables.show_table(frame, name="stats", caption="Scores", count_cols=count_cols)
    monkeypatch.setattr(tables, "require_cells_pass", lambda *a, **k: None)
    cell = run.code(display(tables.show_table(frame, name="stats", caption="Scores",
                                              count_cols=count_cols)))
    refused(run.write(), cell, STATISTIC_RULE)


def test_statistic_agreement_protected_table_with_a_text_interval_is_refused(run):
    table = protect_counts(CASES["a mean with its interval as text, after a count"][0],
                           ["n"])
    with pytest.raises(DisclosureError, match="column 'Mean score \\(95% CI\\)' names a "
                       "statistic"):
        tables.show_table(table, name="stats", caption="Scores", count_cols=["n"])


def test_statistic_agreement_interval_under_a_header_naming_no_statistic_passes_both(run):
    frame = pd.DataFrame({"Site": SITES, "n": [95, 120],
                          "Odds ratio (95% CI)": ["1.19 (0.83 to 1.71)",
                                                  "0.92 (0.61 to 1.38)"]})
    run.code(display(tables.show_table(frame, name="odds", caption="Sites",
                                       count_cols=["n"])))
    assert scan_notebook(run.write()) == []
