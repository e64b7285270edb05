"""One value left out reads one symbol everywhere it is shown (issue 15, wave 41).

At 30,000 people the wellbeing page's share improving, hidden by a disclosure rule
after its release check passed, read ``[x]`` in the page's table of estimates and
``[c]`` in the comparison with the previous edition beside it. ``[c]`` (confidential)
is a value a disclosure rule hid ("hidden to protect privacy"); ``[x]`` (not available)
one withheld as too few events to estimate, or not estimated, as the downloads'
``notes.txt`` says. Every place that writes the symbol by the reason reads
:func:`lifetools.disclosure.downloads.hidden_mark`: the table of released estimates, its
note, the comparison of editions and a withheld model's test row.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools.disclosure import model_release
from lifetools.disclosure.downloads import (
    NOT_AVAILABLE,
    SUPPRESSED,
    hidden_mark,
    withheld_models_note,
)
from lifetools.disclosure.withheld import PRIVACY
from lifetools.pipeline.compare import compare_results
from lifetools.tables import table_estimates

nan = float("nan")
RULE = f"withheld: {PRIVACY}"
"""The ``withheld`` cell of a value a rule hid after its release check passed
(:func:`lifetools.reports.sentences.withheld_text`), as the wellbeing share's."""
RELEASE = "too few events to estimate: too few residual degrees of freedom"
"""A release check's reason."""


def _released(summary: pd.DataFrame):
    rows = pd.DataFrame({"e": [1.0] * 100})
    return model_release(None, data=rows, event_col="e", level_cols=[],
                         summary=summary.iloc[0:0], converged=True).estimates(summary)


@pytest.mark.parametrize(("withheld", "key_text", "mark"), [
    (RULE, f"not shown ({PRIVACY})", SUPPRESSED),
    (RELEASE, f"not shown: {RELEASE}", NOT_AVAILABLE),
])
def test_a_left_out_share_reads_one_mark_in_its_table_and_the_comparison(
        withheld, key_text, mark):
    summary = pd.DataFrame({
        "method": ["Mean paired change", "Share improving"],
        "term": ["change", "improving"], "estimate": [1.5, nan], "ci_lower": [0.5, nan],
        "ci_upper": [2.5, nan], "scale": ["", "percent"], "withheld": ["", withheld]})
    table = table_estimates(_released(summary))
    cell = table["estimate (95% CI)"].iloc[1]
    # the key result the report records for the same share, as results.json holds it,
    # read by the comparison with the previous edition
    entry = {"kind": "percentage", "label": "Share improving (%)", "value": None,
             "text": key_text}
    row, = compare_results({"share": entry}, {"share": entry})
    assert cell == row.current_symbol == row.previous_symbol == mark


def test_the_note_of_a_table_names_the_marks_its_rows_show():
    assert withheld_models_note([RULE]).startswith(f"The numbers marked {SUPPRESSED} ")
    assert withheld_models_note([RELEASE]).startswith(
        f"The numbers marked {NOT_AVAILABLE} ")
    both = withheld_models_note([RULE, RELEASE])
    assert both.startswith(f"The numbers marked {SUPPRESSED} or {NOT_AVAILABLE} ")


@pytest.mark.parametrize(("reason", "mark"), [
    (PRIVACY, SUPPRESSED), (f"not shown ({PRIVACY})", SUPPRESSED), (RULE, SUPPRESSED),
    (RELEASE, NOT_AVAILABLE), ("could not be estimated: no events", NOT_AVAILABLE),
    ("", NOT_AVAILABLE), (None, NOT_AVAILABLE)])
def test_hidden_mark_is_c_for_a_rule_and_x_for_any_other_reason(reason, mark):
    assert hidden_mark(reason) == mark


@pytest.mark.slow  # 30,000 generated people: about 15 s
def test_wellbeing_share_a_rule_hid_reads_c_on_its_page_and_in_the_comparison(
        tmp_path, output):
    # the path the site builds: the report, its key results as results.json holds them
    # (publication.record_all), its table of estimates as the page shows it
    # (show_table), and the comparison of editions read from results.json. At 30,000
    # people (seed 20250331) the 2024-25 share improving is hidden by a disclosure rule
    # after its release check passed: "[x]" in the table, "[c]" in the comparison,
    # until wave 41
    from lifetools import publication, reports, tables
    from lifetools.loading import load_dataset
    from lifetools.synthetic import write_synthetic

    write_synthetic(tmp_path / "data", people=30000, seed=20250331)
    report = reports.analyse_wellbeing(load_dataset(tmp_path / "data"),
                                       period_start="2024-04-01", period_end="2025-03-31")
    publication.record_all(report.key_results)
    results = publication.read_results(output)
    assert PRIVACY in results["share_improved"]["text"]  # the case of the defect
    shown = tables.show_table(
        tables.table_estimates(report.released, label="estimate", keep=["method"]),
        name="change", caption="Change in SWEMWBS metric score (95% CI)")
    row = next(i for i, m in enumerate(shown.frame["method"]) if "Share" in str(m))
    cell = shown.frame["estimate (95% CI)"].iloc[row]
    compared = {r.label: r for r in compare_results(results, results)}
    share = next(r for label, r in compared.items() if "improving" in label.lower())
    assert cell == share.current_symbol == SUPPRESSED
    assert f"marked {SUPPRESSED}" in shown.note and PRIVACY in shown.note
