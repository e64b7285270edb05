"""Jargon on public pages: a technical term is shown only beside its plain words.

The terms and their words are :data:`lifetools.labels.TERMS`. Scanned here: the
Markdown of every report notebook, and the texts the reports' text functions render
(the drift check's verdict, a model withheld for too few residual degrees of freedom
as its sentence and table cell, the C-statistic sentences of the crisis and emergency
reports in each of their forms). The glossary carries every term with the same words.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from string import Formatter
from types import SimpleNamespace

import nbformat
import numpy as np
import pandas as pd
import pytest

from lifetools.disclosure import model_release
from lifetools.labels import (
    COLUMN_LABELS,
    TERMS,
    VALUE_LABELS,
    column_label,
    explain_terms,
    gloss_findings,
    in_words,
    term_label,
    value_label,
    with_words,
    words_given,
)
from lifetools.prediction import drift_check, performance
from lifetools.reports.crisis_models import COMPARED
from lifetools.reports.prediction import MEASURES
from lifetools.reports.sentences import (
    C_JUDGE,
    C_STATISTIC,
    not_shown_sentence,
    plain_reason,
    reason_text,
    result_sentence,
)
from lifetools.reports.tripod import ITEMS, tripod_checklist
from lifetools.tables import show_table

ROOT = Path(__file__).resolve().parents[2]


def unexplained(text: str) -> list[str]:
    """The terms of :data:`TERMS` in ``text`` whose plain words are not in it."""
    low = " ".join(str(text).split()).lower()
    return [term for term, words in TERMS.items()
            if term.lower() in low and words.lower() not in low]


def test_unexplained_bare_term_is_found_and_explained_term_is_not():
    assert unexplained("C-statistic: 0.71.") == ["C-statistic"]
    assert unexplained(f"Its {with_words('C-statistic')} was 0.71.") == []
    assert unexplained("The learning system's alarm.") == ["the learning system's alarm"]


def _page(notebook: str, glued: dict[str, str] | None = None) -> str:
    """A report page's running text as a reader reads it: its main point, as the page
    opens with it (here with nothing computed, which still names its measure), then
    its Markdown cells with the glued texts given in place (any other reads empty)."""
    from lifetools.pipeline.gate.glued import GLUE_ROLE
    from lifetools.pipeline.pages import main_point
    from lifetools.pipeline.series import load_series

    points = load_series(ROOT / "analyses" / "analyses.yml").publication.main_points
    analysis = notebook.split(".")[0].split("_", 1)[1]
    head = main_point(points[analysis], {}, on_report_page=True) \
        if analysis in points else ""
    cells = nbformat.read(ROOT / "analyses" / notebook, as_version=4).cells
    return "\n\n".join([head] + [GLUE_ROLE.sub(lambda m: str((glued or {}).get(m[1], "")),
                                             cell.source)
                                 for cell in cells if cell.cell_type == "markdown"])


def test_jargon_gloss_findings_first_mention_once():
    c = with_words("C-statistic")
    assert gloss_findings(f"Its {c} was 0.71. The C-statistic held.") == []
    assert gloss_findings(f"Its {c} was 0.71. Its {c} held.") == [
        "C-statistic: its words given 2 times"]
    assert gloss_findings(f"The C-statistic held. Its {c} was 0.71.") == [
        "C-statistic: first mention without its words"]
    assert gloss_findings(in_words("C-statistic") + ": 0.71. The C-statistic.") == []
    assert gloss_findings("No term here.") == []


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "analyses").glob(
    "*.ipynb")))
def test_jargon_report_page_markdown_glosses_each_term_once(notebook):
    # a page gives a term's plain words at its first mention, then the term alone: the
    # crisis page's Markdown said "C-statistic (how well ...)" below its main point
    # said it (wave 38); each cell had to explain every term it used
    assert gloss_findings(_page(notebook)) == []


def _c_sentences(which: str) -> dict[str, str]:
    found, missing = C_STATISTIC[which]
    return {"shown": str(result_sentence(0.71, kind="estimate", found=found,
                                         missing=missing, interval=(0.6, 0.8),
                                         judge=C_JUDGE)),
            "failed": str(result_sentence(None, kind="estimate", found=found,
                                          missing=missing,
                                          reason="the fit did not converge")),
            "withheld": str(not_shown_sentence(missing, "fewer than 10 events"))}


@pytest.mark.parametrize("form", ["shown", "failed", "withheld"])
def test_jargon_crisis_and_emergency_pages_gloss_the_c_statistic_once(form):
    # the crisis page gave "C-statistic (how well the model ranks people by risk)" in
    # its main point, both summary sentences and its Markdown: 5 times (issue 15,
    # wave 38); once now, at the first mention, the term alone after it
    crisis = _page("07_crisis_risk.ipynb", {
        "c_corrected_sentence": _c_sentences("corrected")[form],
        "c_validation_sentence": _c_sentences("validation")[form]})
    emergency = _page("04_emergency_care.ipynb", {
        "c_statistic_sentence": _c_sentences("emergency")[form]})
    for page in (crisis, emergency):
        flat = " ".join(page.split())
        assert flat.count(TERMS["C-statistic"]) == 1
        assert flat.count(with_words("C-statistic")) == 1
        assert not [f for f in gloss_findings(page) if f.startswith("C-statistic")]


def _cohort(n: int, shift: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    lp = rng.normal(-1.0, 1.0, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return y, 1 / (1 + np.exp(-lp - shift))


@pytest.mark.parametrize(("n", "shift"), [(5000, 0.0), (300, 0.0), (5000, 1.0)])
def test_jargon_drift_verdict_explains_every_term(n, shift):
    # held with narrow intervals, held with wide ones, drifted in the average level;
    # the page shows it through reason_text (the checklist's CSV keeps the library's words)
    verdict = drift_check(performance(*_cohort(n, shift))).verdict
    shown = str(reason_text(verdict))
    assert "calibration-in-the-large" in shown
    assert unexplained(shown) == []
    assert re.findall(r"\d+", shown) == re.findall(r"\d+", verdict)  # only words added


def test_jargon_explain_terms_words_once_in_the_term_s_own_spelling():
    text = ("C-statistic (DeLong), calibration slope and calibration-in-the-large (Wald), "
            "O/E, Brier; optimism-corrected C: location-shifted.")
    assert explain_terms(text) == (
        f"C-statistic ({TERMS['C-statistic']}; DeLong), calibration slope "
        f"({TERMS['calibration slope']}) and calibration-in-the-large "
        f"({TERMS['calibration-in-the-large']}; Wald), observed / expected events "
        f"({TERMS['observed / expected events']}), Brier score ({TERMS['Brier score']}); "
        "optimism-corrected C: location-shifted.")
    assert explain_terms(explain_terms(text)) == explain_terms(text)
    assert unexplained(explain_terms(text)) == []
    # a bare C is the C-statistic only before a decimal number or "and calibration"
    assert explain_terms("Next edition C 0.70 (0.65 to 0.75).") == (
        f"Next edition C-statistic ({TERMS['C-statistic']}) 0.70 (0.65 to 0.75).")
    for other in ("Group c and d", "Group C and D", "Ethnic group C", "Group C: other",
                  "ICD-10 C 50", "c 0.71"):
        assert explain_terms(other) == other
    # a bracket of figures stays after the words, unchanged
    assert explain_terms("the calibration slope (0.95, 95% CI 0.81 to 1.10) held") == (
        f"the calibration slope ({TERMS['calibration slope']}) (0.95, 95% CI 0.81 to "
        "1.10) held")


def test_jargon_row_labels_plain_words_first_term_in_brackets():
    assert term_label("C-statistic") == ("How well the model ranks people by risk "
                                         "(C-statistic)")
    assert term_label("Calibration-in-the-large (log-odds)") == (
        "Whether the predicted risks are too high or too low on average "
        "(calibration-in-the-large, log-odds)")
    assert column_label("C-statistic (95% CI)") == (
        "How well the model ranks people by risk (C-statistic, 95% CI)")
    assert term_label("Calibration slope in the next edition") is None
    assert value_label("Observed / expected events", "measure") == in_words(
        "observed / expected events")


@pytest.mark.parametrize("measures", [MEASURES, COMPARED], ids=["performance", "comparison"])
def test_jargon_crisis_performance_row_labels_are_plain_words(measures):
    for machine, row in measures.items():
        shown = value_label(row, "measure")
        assert shown != row and unexplained(shown) == [], machine
        assert shown.endswith(")") and shown[:1].isupper(), shown


def test_jargon_table_shows_plain_words_and_its_csv_keeps_the_terms(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    frame = pd.DataFrame({"measure": ["C-statistic", "Brier score"],
                          "estimate (95% CI)": ["0.71 (0.65 to 0.77)", "0.11 (0.10 to 0.12)"]})
    shown = show_table(frame, name="performance", caption="Performance")
    assert list(shown.words["Measure"]) == [in_words("C-statistic"), in_words("Brier score")]
    assert list(shown.words["Estimate (95% CI)"]) == list(frame["estimate (95% CI)"])
    csv = (tmp_path / "tables" / "performance.csv").read_text()
    assert "C-statistic" in csv and "ranks people" not in csv  # the download is unchanged
    assert "How well the model ranks people by risk (C-statistic)" in shown.to_html()


def test_jargon_tripod_checklist_gives_each_term_its_words_once(tmp_path, monkeypatch):
    # every item glossed its terms again: "calibration-in-the-large (whether the
    # predicted risks ...)" in items 12e, 12f and 14, the C-statistic's words in 2, 12e
    # and 14 (issue 15, wave 39); a table gives them once, in reading order
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    fields = {f for item in ITEMS for _, f, _, _ in Formatter().parse(item.text) if f}
    checklist = tripod_checklist(dict.fromkeys(fields, "0.71 (0.65 to 0.77)"))
    words = show_table(checklist, name="tripod", caption="TRIPOD+AI checklist").words
    cells = [str(v) for row in words.itertuples(index=False) for v in row]
    assert gloss_findings(" ".join(cells)) == []
    assert sum(bool(_terms_in(c)) for c in cells) > sum(bool(words_given(c)) for c in cells)
    reported = dict(zip(words["Item"], words["Reported"], strict=True))
    assert reported["2"].startswith(f"What was asked and what was found, with the "
                                    f"{with_words('C-statistic')} in ")
    assert "Brier score (" in reported["12e"]
    assert reported["12e"].startswith("C-statistic (DeLong)")  # given in item 2
    assert reported["14"].startswith("C, calibration slope and calibration-in-the-large "
                                     "with intervals, and a flexible calibration curve")


def test_jargon_a_term_is_glossed_once_per_table_and_a_label_every_time(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    frame = pd.DataFrame({"measure": ["C-statistic", "C-statistic"],
                          "note": ["The C-statistic by DeLong.", "C-statistic again."]})
    words = show_table(frame, name="terms", caption="Terms").words
    assert list(words["Measure"]) == [in_words("C-statistic")] * 2
    # the row label gave the words before either sentence
    assert list(words["Note"]) == ["The C-statistic by DeLong.", "C-statistic again."]
    only = show_table(frame[["note"]], name="notes", caption="Notes").words
    assert list(only["Note"]) == [f"The {with_words('C-statistic')} by DeLong.",
                                  "C-statistic again."]
    assert explain_terms("C-statistic: 0.7.", said={"C-statistic"}) == "C-statistic: 0.7."
    assert explain_terms("C-statistic", said={"C-statistic"}) == in_words("C-statistic")


def test_jargon_model_withheld_for_residual_degrees_of_freedom_is_explained():
    rows = pd.DataFrame({"event": [1.0, 0.0] * 4})
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    release = model_release(SimpleNamespace(summary=summary, warnings=(), model=None),
                            data=rows, event_col="event", level_cols=[], converged=True)
    assert "residual degrees of freedom" in release.reason
    texts = [release.withheld, release.reason,
             str(not_shown_sentence("How their score changed on average",
                                    plain_reason(release.reason))),
             str(result_sentence(None, kind="estimate", found="{value}.",
                                 missing="The mean change", reason=release.reason))]
    assert [unexplained(t) for t in texts] == [[]] * 4


@pytest.mark.parametrize("which", sorted(C_STATISTIC))
def test_jargon_c_statistic_sentences_name_it_in_every_form(which):
    # its plain words are the page's to give once (the test above)
    for text in _c_sentences(which).values():
        assert "C-statistic" in text and not re.search(r"\{\w+\}", text)
        assert (unexplained(text) == []) == (which == "emergency"), text


def test_jargon_glossary_gives_every_term_its_plain_words():
    glossary = " ".join((ROOT / "GLOSSARY.md").read_text().split()).lower()
    for term, words in TERMS.items():
        entry = glossary.split(f" {term.lower()} : ", 1)
        assert len(entry) == 2, term
        assert words.lower() in entry[1].split(" : ", 1)[0], term


def _terms_in(text: str) -> list[str]:
    low = " ".join(str(text).split()).lower()
    return [term for term in TERMS if re.search(rf"(?<![\w-]){re.escape(term.lower())}"
                                                rf"(?![\w-])", low)]


@pytest.mark.parametrize("labels", [COLUMN_LABELS, VALUE_LABELS], ids=["columns", "values"])
def test_jargon_every_label_plain_words_first_term_in_brackets(labels):
    # a header or row label that names a technical term opens with plain words and
    # keeps the term in brackets ("Good done less harm done if everyone is treated
    # (net benefit: treat everyone)"), as term_label writes a term of a cell
    wrong = {}
    for machine, shown in labels.items():
        for term in _terms_in(shown):
            opening = shown.lower().index("(") if "(" in shown else len(shown)
            if shown.lower().find(term.lower()) < opening:
                wrong[machine] = shown
    assert wrong == {}


def test_jargon_label_with_a_bare_term_first_is_found():
    assert _terms_in("Net benefit: treat everyone") == ["net benefit"]
    assert _terms_in("Events per parameter") == ["events per parameter"]
    assert _terms_in("Good done (net benefit)") == ["net benefit"]


def _notebook_texts() -> dict[str, str]:
    """Each caption, alt text and note typed in a report notebook's code cells."""
    found = {}
    for path in sorted((ROOT / "analyses").glob("*.ipynb")):
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if (isinstance(node, ast.keyword) and node.arg in ("caption", "alt", "note")
                        and isinstance(node.value, ast.Constant)):
                    found[f"{path.name} cell {number} {node.arg}"] = node.value.value
    return found


def test_jargon_report_notebook_captions_explain_every_term():
    texts = _notebook_texts()
    assert len(texts) > 40
    assert {k: unexplained(v) for k, v in texts.items() if unexplained(v)} == {}


@pytest.mark.parametrize("term", sorted(TERMS))
def test_jargon_landing_main_point_gives_a_bare_term_its_words(term):
    # the landing page read "... could not be estimated in this edition: fewer than 10
    # residual degrees of freedom." from a results.json whose reason gave the term
    # bare (written before wave 21: a reused run, an archived edition's) (#15)
    from lifetools.pipeline.pages import main_point

    spec = {"measure": "The hazard ratio", "estimate": "hr", "interval": "hr_ci",
            "no_effect": 1, "above": "higher", "below": "lower",
            "text": "The ratio was {estimate} ({interval}): {verdict}."}
    for text in (f"too few people to estimate: fewer than 10 {term}",
                 f"could not be estimated: {term} out of range"):
        shown = main_point(spec, {"hr": {"value": None, "kind": "text", "text": text},
                                  "hr_ci": {"value": None, "kind": "text", "text": text}})
        assert term.lower() in shown.lower() and unexplained(shown) == [], shown


def test_jargon_every_configured_main_point_explains_its_terms_once():
    # explain_terms over a main point gave "(C-statistic (how well the model ranks
    # people by risk))" to a measure that named the term in brackets without its words
    from lifetools.pipeline.pages import main_point
    from lifetools.pipeline.series import load_series

    points = load_series(ROOT / "analyses" / "analyses.yml").publication.main_points
    for name, spec in points.items():
        for text in (spec.measure or "", spec.text):
            assert unexplained(text) == [], (name, text)
        said = main_point(spec, {})  # nothing computed: "<measure> could not be estimated"
        assert said.count("(") == said.count(")") and "((" not in said and \
            "))" not in said, said


def test_jargon_checklist_drift_verdict_carries_no_words_given_above(tmp_path, monkeypatch):
    # the crisis page at 30,000 people: item 24 (the drift verdict, which gives
    # calibration-in-the-large its words) repeated the gloss item 12e gave (wave 39)
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    fields = {f for item in ITEMS for _, f, _, _ in Formatter().parse(item.text) if f}
    verdict = drift_check(performance(*_cohort(300, 0.0))).verdict
    assert with_words("calibration-in-the-large") in verdict
    checklist = tripod_checklist({**dict.fromkeys(fields, "0.71 (0.65 to 0.77)"),
                                  "drift_verdict": verdict})
    words = show_table(checklist, name="tripod", caption="TRIPOD+AI checklist").words
    reported = dict(zip(words["Item"], words["Reported"], strict=True))
    assert with_words("calibration-in-the-large") not in reported["24"]
    assert reported["24"] == verdict.replace(
        f" ({TERMS['calibration-in-the-large']})", "")
    cells = [str(v) for row in words.itertuples(index=False) for v in row]
    assert gloss_findings(" ".join(cells)) == []


def test_jargon_a_protected_cell_follows_the_tables_rule(tmp_path, monkeypatch):
    # a protected text is shown as rendered but for its terms' words: taken out when
    # a cell above gave them, given at the first mention; its spans still re-render
    from lifetools.disclosure import Estimate, Reason, compose
    from lifetools.disclosure.text import text_findings

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    own = compose("the {term} was {e}", term=with_words("calibration slope"),
                  e=Estimate(0.93))
    reason = reason_text("the calibration slope could not be estimated")
    bare = compose("the calibration slope was {e}; {why}", e=Estimate(0.95),
                   why=Reason("Brier score not estimated"))
    frame = pd.DataFrame({"step": ["a", "b", "c"], "note": [bare, own, reason]})
    shown = show_table(frame, name="cells", caption="Cells")
    notes = list(shown.words["Note"])
    assert notes == [f"the {with_words('calibration slope')} was 0.95; "
                     f"{with_words('Brier score')} not estimated",
                     "the calibration slope was 0.93",
                     "the calibration slope could not be estimated"]
    stamped = {row: spans for row, _, spans in shown.spans}
    assert sorted(stamped) == [0, 1, 2]
    for row, spans in stamped.items():
        assert text_findings(notes[row], spans) == []
