"""One value left out reads one symbol everywhere it is shown (issue 15, waves 41-42).

At 30,000 people the wellbeing page's share improving, hidden by a disclosure rule
after its release check passed, read ``[x]`` in the page's table of estimates and
``[c]`` in the comparison with the previous edition beside it. ``[c]`` (confidential)
is a value a disclosure rule hid, the model release rule included (too few events,
people or residual degrees of freedom); ``[x]`` (not available) one with no number (a
fit that did not converge), as the downloads' ``notes.txt`` and the disclosure-control
methods page say (:data:`lifetools.disclosure.downloads.MEANINGS`). Every place that
writes the symbol reads :func:`lifetools.disclosure.downloads.hidden_mark`, which reads
the kind the reason was made with (:class:`lifetools.disclosure.withheld.LeftOut`),
never its words (issue 12, wave 42): the table of released estimates, its note, the
comparison of editions and a withheld model's test row.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from lifetools.disclosure import model_release
from lifetools.disclosure.downloads import (
    MEANINGS,
    NOT_AVAILABLE,
    SUPPRESSED,
    hidden_mark,
    notes_text,
    withheld_models_note,
)
from lifetools.disclosure.withheld import (
    CONFIDENTIAL,
    PRIVACY,
    UNAVAILABLE,
    LeftOut,
    public_reason,
)
from lifetools.pipeline.compare import compare_results
from lifetools.reports.sentences import withheld_text
from lifetools.tables import table_estimates

nan = float("nan")
RULE = withheld_text(SimpleNamespace(released=True), public_reason("secondary"))
"""The ``withheld`` cell of a value a rule hid after its release check passed
(:func:`lifetools.reports.sentences.withheld_text`), as the wellbeing share's: made
with its kind (a rule's reason: confidential)."""
RELEASE = "too few events to estimate: too few residual degrees of freedom"
"""A release check's reason."""


def _released(summary: pd.DataFrame):
    rows = pd.DataFrame({"e": [1.0] * 100})
    return model_release(None, data=rows, event_col="e", level_cols=[],
                         summary=summary.iloc[0:0], converged=True).estimates(summary)


def _check(events: int, *, converged: bool = True):
    """A model's release check over 200 people, ``events`` events among the exposed
    and 40 among the others."""
    exposed = [1.0] * 100 + [0.0] * 100
    event = [1.0] * events + [0.0] * (100 - events) + [1.0] * 40 + [0.0] * 60
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    return model_release(SimpleNamespace(summary=summary, warnings=(), model=None),
                         data=pd.DataFrame({"exposed": exposed, "event": event}),
                         event_col="event", level_cols=["exposed"], converged=converged)


@pytest.mark.parametrize(("withheld", "key", "mark"), [
    (RULE, {"text": f"not shown ({PRIVACY})", "left_out": CONFIDENTIAL}, SUPPRESSED),
    (LeftOut(RELEASE, CONFIDENTIAL), {"text": f"not shown: {RELEASE}",
                                      "left_out": CONFIDENTIAL}, SUPPRESSED),
    (LeftOut("could not be estimated: the fit did not converge", UNAVAILABLE),
     {"text": "could not be estimated", "left_out": UNAVAILABLE}, NOT_AVAILABLE),
])
def test_a_left_out_share_reads_one_mark_in_its_table_and_the_comparison(
        withheld, key, mark):
    summary = pd.DataFrame({
        "method": ["Mean paired change", "Share improving"],
        "term": ["change", "improving"], "estimate": [1.5, nan], "ci_lower": [0.5, nan],
        "ci_upper": [2.5, nan], "scale": ["", "percent"], "withheld": ["", withheld]})
    table = table_estimates(_released(summary))
    cell = table["estimate (95% CI)"].iloc[1]
    # the key result the report records for the same share, as results.json holds it
    # (with the kind record() stored), read by the comparison with the previous edition
    entry = {"kind": "percentage", "label": "Share improving (%)", "value": None, **key}
    row, = compare_results({"share": entry}, {"share": entry})
    assert cell == row.current_symbol == row.previous_symbol == mark


def test_the_note_of_a_table_names_the_marks_its_rows_show():
    failed = LeftOut("could not be estimated: the fit did not converge", UNAVAILABLE)
    assert withheld_models_note([RULE]).startswith(f"The numbers marked {SUPPRESSED} ")
    assert withheld_models_note([failed]).startswith(
        f"The numbers marked {NOT_AVAILABLE} ")
    both = withheld_models_note([RULE, failed])
    assert both.startswith(f"The numbers marked {SUPPRESSED} or {NOT_AVAILABLE} ")


@pytest.mark.parametrize(("reason", "mark"), [
    # a privacy reason worded otherwise is [c] by its kind; until wave 42 hidden_mark
    # looked for "hidden to protect privacy" in the words and read it [x]
    (LeftOut("withheld for confidentiality", CONFIDENTIAL), SUPPRESSED),
    (public_reason("group disclosure"), SUPPRESSED), (RULE, SUPPRESSED),
    # a reason of no rule that quotes the words is [x]: it read [c] until wave 42
    (LeftOut("could not be estimated (the model of values hidden to protect privacy "
             "did not converge)", UNAVAILABLE), NOT_AVAILABLE),
    # words alone say nothing of the kind: nothing recorded that a rule hid it
    (f"not shown ({PRIVACY})", NOT_AVAILABLE),
    ("", NOT_AVAILABLE), (None, NOT_AVAILABLE)])
def test_hidden_mark_reads_the_kind_never_the_words(reason, mark):
    assert hidden_mark(reason) == mark


def test_a_key_result_keeps_the_kind_of_its_reason_for_the_comparison(output):
    # the comparison reads the kind record() stored ("left_out"), not the words: a
    # privacy reason worded otherwise is [c], a reason that quotes them is [x]
    from lifetools import publication

    publication.record("odd", nan, kind="estimate", label="Odd", text=LeftOut(
        "could not be estimated (values hidden to protect privacy)", UNAVAILABLE),
        left_out=UNAVAILABLE)
    publication.record("kept", nan, kind="estimate", label="Kept",
                       text="not shown (kept back for confidentiality)",
                       left_out=CONFIDENTIAL)
    results = publication.read_results(output)
    rows = compare_results(results, results)
    assert [r.current_symbol for r in rows] == [NOT_AVAILABLE, SUPPRESSED]


def test_a_model_the_release_rule_withheld_reads_c_everywhere_and_a_failed_fit_x(output):
    # one convention (issue 15, wave 42): the model release rule (too few events,
    # people or residual degrees of freedom) is a disclosure rule, as the methods page
    # lists it, so its withheld model is [c] ("hidden by a disclosure rule"); a fit
    # that did not converge is [x] (not available). Until wave 42 both read [x].
    from lifetools import publication

    few, failed = _check(5), _check(50, converged=False)
    assert (few.kind, failed.kind) == (CONFIDENTIAL, UNAVAILABLE)
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    for check, mark in ((few, SUPPRESSED), (failed, NOT_AVAILABLE)):
        table = table_estimates(check.estimates(summary), label="hazard ratio")
        assert table["hazard ratio (95% CI)"].tolist() == [mark]
        assert table["p-value"].tolist() == [mark]
        assert withheld_models_note([check.withheld]).startswith(
            f"The numbers marked {mark} ")
        publication.record("hr", nan, kind="ratio", label="Hazard ratio",
                           released=check)
        results = publication.read_results(output)
        assert compare_results(results, results)[0].current_symbol == mark


def test_the_methods_page_and_the_notes_define_each_mark_in_the_same_words():
    # the page defined [c] as "hidden by a disclosure rule" and listed the model
    # release rule among the rules, while a withheld model read [x] (issue 15)
    page = (Path(__file__).resolve().parents[2] / "book" / "methods" /
            "disclosure-control.md").read_text()
    for mark, words in MEANINGS.items():
        assert f"- **{mark}**: {words}." in page
    notes = notes_text("default", (True, True, True))
    assert f"{SUPPRESSED}: {MEANINGS[SUPPRESSED]} " in notes
    assert f"{NOT_AVAILABLE}: {MEANINGS[NOT_AVAILABLE]}." in notes
    # the page says a withheld model is [c], a model that could not be fitted [x]
    models = page[page.index("## Models"):page.index("## How a hidden value is marked")]
    assert "shown as [c]" in models and "shown as [x]" in models


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


@pytest.mark.parametrize("make", ["hazard", "emergency"])
def test_a_withheld_models_e_value_reads_its_estimates_mark(make, output):
    # the time-to-discharge table at 4,000 people read [x] in the E-value column of
    # each row the model release rule withheld, beside the row's [c] (12 cells an
    # edition until wave 42); a failed fit's stays [x], a shown ratio's its numbers
    from lifetools.reports.emergency import estimates_table
    from lifetools.reports.survival_parts import hazard_ratio_table
    from lifetools.tables import show_table

    failed = LeftOut("could not be estimated: the fit did not converge", UNAVAILABLE)
    summary = pd.DataFrame({
        "outcome": ["A&E attendances"] * 4, "design": ["Cox"] * 4,
        "term": ["shown", "withheld", "rule", "failed"],
        "estimate": [1.5, nan, nan, nan], "ci_lower": [1.1, nan, nan, nan],
        "ci_upper": [2.0, nan, nan, nan], "p_value": [0.01, nan, nan, nan],
        "e_value": [2.37, 1.93, nan, nan], "e_value_ci": [1.43, 1.2, nan, nan],
        "withheld": ["", LeftOut(RELEASE, CONFIDENTIAL), RULE, failed]})
    released = _released(summary)
    table = (hazard_ratio_table(released) if make == "hazard"
             else estimates_table(released))
    assert table["E-value (CI limit)"].tolist() == ["2.37 (1.43)", SUPPRESSED, SUPPRESSED, ""]
    estimate = [c for c in table.columns if c.endswith("(95% CI)")][0]
    assert table[estimate].tolist()[1:] == [SUPPRESSED, SUPPRESSED, NOT_AVAILABLE]
    # the download as the page: each withheld row one mark across its cells
    show_table(table, name=f"{make}-ratios", caption="Ratios")
    written = pd.read_csv(output / "tables" / f"{make}-ratios.csv", dtype=str,
                          keep_default_na=False)
    assert written.iloc[1:, -1].tolist() == [SUPPRESSED, SUPPRESSED, NOT_AVAILABLE]


def test_only_a_value_not_shown_is_recorded_as_withheld():
    # ProtectedTable.withheld marks a withheld model's cells [c] in a download; it
    # never hides a number the table shows, nor names a cell outside the table
    from lifetools.disclosure import require_table
    from lifetools.disclosure.downloads import shown_frame
    from lifetools.disclosure.models import WITHHELD_CELL

    table = require_table(pd.DataFrame({"estimate": [1.5, nan]}), name="figure")
    marked = table.withheld([(1, "estimate")], WITHHELD_CELL)
    assert shown_frame(marked)["estimate"].tolist() == ["1.50", SUPPRESSED]
    assert shown_frame(table)["estimate"].tolist() == ["1.50", NOT_AVAILABLE]
    with pytest.raises(ValueError, match="holds a value"):
        table.withheld([(0, "estimate")], WITHHELD_CELL)
    with pytest.raises(ValueError, match="row 2 is not in the table"):
        table.withheld([(2, "estimate")], WITHHELD_CELL)
    with pytest.raises(KeyError, match="ci_lower"):
        table.withheld([(1, "ci_lower")], WITHHELD_CELL)


def test_an_archived_editions_result_without_a_kind_keeps_its_pages_mark():
    # an edition archived before wave 42 is never rerun: its results.json has no
    # "left_out", and the comparison beside the new edition marked every value it hid
    # to protect privacy [x], "could not be estimated" (review of wave 42)
    hidden = {"value": None, "kind": "estimate", "label": "Hazard ratio",
              "text": f"not shown ({PRIVACY})"}
    failed = {"value": None, "kind": "estimate", "label": "Odds ratio",
              "text": "could not be estimated (the model did not converge)"}
    rows = compare_results({"hr": hidden, "or": failed}, {"hr": hidden, "or": failed})
    assert [r.previous_symbol for r in rows] == [SUPPRESSED, NOT_AVAILABLE]
