"""What a publication says about why a value is withheld (lifetools.disclosure.withheld).

"[c]" beside a group of 60 people with the reason "group disclosure" says the hidden
value is 0 or 60: a reason given for one value must never narrow it beyond what "[c]"
says. One neutral reason per value; every reason once per table; the gate refuses a
published reason that names the rule of one value. Issues 12 and 15.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from lifetools import config, tables
from lifetools.disclosure import (
    GROUP_REASON,
    Reason,
    compose,
    get_profile,
    model_outputs,
    model_release,
    protect_counts,
    share,
)
from lifetools.disclosure.downloads import (
    NOTES_FILE,
    NOTES_KEY,
    SUPPRESSED,
    notes_text,
    withheld_models_note,
    written_record,
)
from lifetools.disclosure.models import WITHHELD_COLUMN
from lifetools.disclosure.rule_text import rule_sentence, withheld_sentence
from lifetools.disclosure.table_cells import cell_findings
from lifetools.disclosure.text import span_findings
from lifetools.disclosure.withheld import (
    PRIVACY,
    REASON_RULE,
    public_reason,
    rule_reason_named,
)
from lifetools.errors import DisclosureError
from lifetools.publication import result_text
from lifetools.reports.sentences import result_sentence


@pytest.fixture(autouse=True)
def _output(tmp_path, monkeypatch):
    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path))


def test_share_of_a_whole_group_is_published_without_its_rule():
    # "60 of 60 admitted": hidden by group disclosure; the old text "not shown (group
    # disclosure)" told a reader the share was 0% or 100%
    everyone = share(60, 60)
    assert everyone.value is None and everyone.reason == GROUP_REASON  # kept inside
    text = str(result_text(everyone, kind="percentage"))
    assert text == f"not shown ({PRIVACY})"
    sentence = str(result_sentence(everyone, kind="percentage", found="{value}",
                                   missing="The share admitted"))
    assert sentence == f"The share admitted is not shown: {PRIVACY}."
    assert "group" not in text + sentence


def test_share_of_a_small_numerator_is_published_without_its_rule():
    # "the numerator is suppressed" beside a published 60 says the share is under 8/60
    small = share(3, 60)
    assert small.value is None and small.reason == "the numerator is suppressed"
    assert str(result_text(small, kind="percentage")) == f"not shown ({PRIVACY})"


@pytest.mark.parametrize("reason", [
    GROUP_REASON, "secondary", "secondary suppression", "denominator suppressed",
    "the numerator is suppressed", "the events are suppressed", "linked",
    "fewer than 10 contributors (threshold rule)", "a count from 1 to 7",
    "the 2 largest contributions exceed 85% of the total (dominance n-k rule)"])
def test_public_reason_of_every_rule_is_privacy(reason):
    assert rule_reason_named(reason)
    assert public_reason(reason) == PRIVACY


@pytest.mark.parametrize("reason", [
    "too few events to estimate: fewer than 10 events in total",
    "could not be estimated: the fit did not converge",
    "too few events to estimate: the counts of a deprivation fifth are suppressed",
    "withheld with the model (too few events to estimate: fewer than 10 events "
    "among 'Life Rooms use')"])
def test_a_models_reason_names_no_rule_of_one_value(reason):
    assert rule_reason_named(reason) == ""


def test_public_reason_keeps_what_is_no_disclosure_rule():
    assert public_reason("the denominator is 0") == "the denominator is 0"
    assert public_reason("") == ""


def test_gate_refuses_a_reason_span_naming_the_rule_of_one_value():
    # the gate re-checks each span of a published text: a reason span written by hand
    # (or by an old library) that says "group disclosure" is refused, not trusted
    span = {"start": 0, "end": len(GROUP_REASON), "kind": "reason",
            "text": GROUP_REASON, "profile": "default"}
    found = span_findings(GROUP_REASON, span, get_profile("default"))
    assert found and found[0][0] == "protected-span" and "narrows" in found[0][1]
    with pytest.raises(DisclosureError, match="which rule hid the value"):
        compose("not shown ({why})", why=Reason(GROUP_REASON))
    fine = {**span, "end": len(PRIVACY), "text": PRIVACY}
    assert span_findings(PRIVACY, fine, get_profile("default")) == []


def test_gate_refuses_a_table_cell_naming_the_rule_of_one_value():
    # the wellbeing table's "withheld: group disclosure" beside the pairs' count
    head = ["Method", "Estimate (95% CI)"]
    rows = [["Share improving", "withheld: group disclosure"]]
    found = cell_findings(head, rows, {"rules": {}}, get_profile("default"), {})
    assert [r for r, _ in found] == [REASON_RULE]
    rows = [["Share improving", f"withheld: {PRIVACY}"]]
    assert cell_findings(head, rows, {"rules": {}}, get_profile("default"), {}) == []


def _note(frame, **kwargs):
    return tables.show_table(protect_counts(frame, ["people", "admitted"], **kwargs),
                             name="t", caption="T", count_cols=["people", "admitted"]).note


def test_table_note_is_the_same_whichever_rule_hid_its_cells():
    # the old note added "including cells hidden so that others cannot be worked out
    # from totals" only where secondary suppression fired, and said nothing of group
    # disclosure: which rules fired was readable from the note
    primary = pd.DataFrame({"group": ["a", "b", "c"], "people": [60, 40, 30],
                            "admitted": [3, 20, 10]})
    group = primary.assign(admitted=[60, 20, 10])
    secondary = pd.DataFrame({"group": ["a", "b", "c"], "people": [60, 40, 30],
                              "admitted": [3, 20, 10]})
    notes = {_note(primary, people_outcomes=["admitted"]),
             _note(group, people_outcomes=["admitted"]),
             _note(secondary, totals="columns")}
    assert len(notes) == 1
    note = notes.pop()
    assert withheld_sentence("default") in note
    assert "everyone or no one in a group" in note and PRIVACY in note
    assert not rule_reason_named(note)



def test_table_with_no_hidden_cell_states_the_rule_without_the_reasons():
    # every protected table of a page explained [c] at length, also where it showed
    # none (the emergency-care flow table at 3,000 people); that nothing is hidden is
    # in the table itself, so the note says only the rule (issue 15, wave 33)
    clear = pd.DataFrame({"group": ["a", "b", "c"], "people": [60, 40, 30],
                          "admitted": [15, 20, 10]})
    note = _note(clear, people_outcomes=["admitted"])
    assert note == rule_sentence("default")
    assert withheld_sentence("default") not in note and PRIVACY not in note
    hidden = _note(clear.assign(admitted=[3, 20, 10]), people_outcomes=["admitted"])
    assert hidden.startswith(f"[c]: {PRIVACY}. {withheld_sentence('default')}")
    assert hidden.endswith(rule_sentence("default"))

def test_notes_file_lists_group_disclosure_among_the_reasons():
    assert withheld_sentence("default") in notes_text("default")
    assert "everyone or no one in a group" in notes_text("default")
    assert "small count" not in withheld_sentence("opensafely-midpoint6")


def _release(events: int):
    n = 200
    exposed = np.r_[np.ones(n // 2), np.zeros(n // 2)]
    event = np.zeros(n)
    event[:events] = 1
    event[n // 2:n // 2 + 40] = 1
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    return model_release(SimpleNamespace(summary=summary, warnings=(), model=None),
                         data=pd.DataFrame({"exposed": exposed, "event": event}),
                         event_col="event", level_cols=["exposed"])


def test_withheld_models_table_states_its_reason_once(tmp_path):
    # the crisis page repeated "too few events to estimate: ..." in a column of every
    # row of each model table; it is said once, in the table's note
    bad = _release(9)
    frame = pd.DataFrame({"measure": ["C-statistic", "Calibration slope", "Brier score"],
                          "apparent": [0.71, 0.95, 0.12]})
    one = model_outputs(frame, {"apparent": bad})
    assert WITHHELD_COLUMN in one.columns  # the report's table keeps it (plots read it)
    shown = tables.show_table(one, name="internal", caption="Internal validation")
    assert WITHHELD_COLUMN not in shown.frame.columns
    assert list(shown.words.columns) == ["Measure", "Apparent"]
    # once, with "too few events" said once in it (wave 36)
    from lifetools.disclosure.withheld import unrepeated

    assert shown.note.count(unrepeated(bad.withheld)) == 1
    assert shown.note.count("too few events") == bad.withheld.count("too few events") == 1
    download = (tmp_path / "tables" / "internal.csv").read_text()
    assert WITHHELD_COLUMN not in download and bad.withheld not in download
    good = model_outputs(frame, {"apparent": _release(10)})
    assert "not shown" not in tables.show_table(good, name="good", caption="G").note


def test_withheld_models_note_is_in_the_notes_file_as_on_the_page(tmp_path):
    # notes.txt stated [c] and [x] but not the page's note on a withheld model: a
    # reader of the download saw [x] in every cell of the model's column and no reason
    # (a column shown beside it: a table whose every value is withheld is a sentence)
    bad = _release(9)
    frame = pd.DataFrame({"measure": ["C-statistic", "Calibration slope"],
                          "apparent": [0.71, 0.95], "corrected": [0.70, 0.93]})
    shown = tables.show_table(model_outputs(frame, {"apparent": bad,
                                                    "corrected": _release(10)}),
                              name="internal", caption="Internal validation")
    assert not shown.sentence
    sentence = withheld_models_note([bad.withheld])
    assert sentence and sentence in shown.note
    tables.show_table(pd.DataFrame({"group": ["a", "b"], "n": [120, 40]}), name="later",
                      caption="A later table", count_cols=["n"])  # rewrites the notes
    notes = (tmp_path / "tables" / NOTES_FILE).read_text()
    assert notes.count(sentence) == 1
    block = notes[notes.index("\ninternal.csv\n"):].split("\n\n")[0]
    assert block.rstrip("\n").endswith(f"Table note: {sentence}")
    assert "Table note" not in notes[notes.index("\nlater.csv\n"):]
    # the record the gate re-checks the notes by holds the same lines
    assert written_record(tmp_path / "tables" / "internal.csv",
                          shown.table)[NOTES_KEY].endswith(sentence)


def test_methods_page_states_the_reasons_word_for_word():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "book" / "methods"
            / "disclosure-control.md").read_text()
    assert " ".join(withheld_sentence("default").split()) in " ".join(page.split())


def test_a_sentence_of_all_or_none_of_a_group_is_refused_at_source_and_by_the_gate():
    # "60 of the 60 people were admitted" was two valid count spans: no rule read the
    # pair, although it says everyone in the group was admitted (group disclosure)
    from lifetools.disclosure import protected_count
    from lifetools.disclosure.text import count_pair_problem, text_findings

    sixty = protected_count(60)
    for k in (60, 0):
        with pytest.raises(DisclosureError, match="group-disclosure"):
            compose("{k} of the {n} people were admitted", k=protected_count(k), n=sixty)
    fine = compose("{k} of the {n} people were admitted", k=protected_count(20), n=sixty)
    events = compose("{k} attendances among {n} people", k=sixty, n=sixty)
    assert str(fine) and str(events)
    # the gate re-reads the spans of a published text (a text sealed by an old library)
    text = "60 of the 60 people were admitted"
    spans = [{"start": 0, "end": 2, "kind": "count", "value": 60, "profile": "default"},
             {"start": 10, "end": 12, "kind": "count", "value": 60, "profile": "default"}]
    assert [r for r, _ in text_findings(text, spans, "default")] == ["group-disclosure"]
    assert count_pair_problem(text, spans, "threshold-10") == "" or \
        get_profile("threshold-10").group_disclosure


def test_a_word_for_all_or_none_beside_one_count_is_refused_at_source_and_by_the_gate():
    # "all 60 people were admitted" says what "60 of the 60" says, with one count
    from lifetools.disclosure import protected_count
    from lifetools.disclosure.text import quantified, text_findings

    sixty = protected_count(60)
    for template in ("all {n} people were admitted", "none of the {n} were admitted",
                     "each of the {n} people", "none among the {n} people",
                     "{n} people, all of whom were admitted",
                     "{n} people were referred, none of them admitted",
                     "The whole group of {n} people was admitted",
                     "the entire cohort of {n} people was admitted"):
        with pytest.raises(DisclosureError, match="group-disclosure"):
            compose(template, n=sixty)
    for template in ("Of all {n} people, some were admitted", "{n} people came. All "
                     "were seen", "In all, {n} people came", "{n} people improved",
                     "all\n\n{n} people",
                     "Of the whole cohort of {n} people, some were admitted",
                     "In the whole year, {n} people came",
                     "Over the whole period {n} people came"):
        assert str(compose(template, n=sixty))
    # a group of none: nothing to tell of anyone ("every one" and "no one" hold a
    # number word, refused as any typed number)
    assert str(compose("none of the {n} people", n=protected_count(0)))
    assert quantified("every one of the 60 people", 17, 19)
    assert quantified("no one among 60 people", 13, 15)
    assert quantified("every single one of the 60 people", 24, 26)
    assert quantified("60 people, every single one of whom", 0, 2)
    # read in a window either side of the count: the same answers with a long text
    # before and after (a page's whole text was read for each of its numbers)
    pad = "x. " * 5000
    assert quantified(pad + "all 60 people", len(pad) + 4, len(pad) + 6)
    assert quantified(pad + "60 people, all of whom came" + pad, len(pad), len(pad) + 2)
    assert not quantified(pad + "60 people came. All of them" + pad, len(pad),
                          len(pad) + 2)
    # the gate re-reads the spans of a sealed text
    text = "All 60 people were admitted"
    spans = [{"start": 4, "end": 6, "kind": "count", "value": 60, "profile": "default"}]
    assert [r for r, _ in text_findings(text, spans, "default")] == ["group-disclosure"]
    assert text_findings("Of all 60 people", [{**spans[0], "start": 7, "end": 9}],
                         "default") == []


def test_too_few_estimates_show_c_with_the_rule_once_in_a_described_note(tmp_path):
    # the crisis page's fairness table said "suppressed: too few" in each cell of a
    # group too small for its estimates (issue 15): the page shows [c], the rule once
    # in the note, made from the profile's number, and the note describes the table
    from bs4 import BeautifulSoup

    from lifetools.disclosure.rule_text import too_few_sentence
    from lifetools.disclosure.withheld import TOO_FEW_CELL, TooFew

    rule = too_few_sentence("a crisis")
    n = get_profile().model_min_events
    assert rule == (f"An estimate shown as [c] is not shown because its group has fewer "
                    f"than {n} people with a crisis or fewer than {n} without.")
    assert too_few_sentence(profile="opensafely-midpoint6").count(
        str(get_profile("opensafely-midpoint6").model_min_events)) == 1
    few = TooFew(rule)
    frame = pd.DataFrame({"group": ["Men", "Women", "Not known"],
                          "people": [400, 380, 60], "crises": [60, 55, 12],
                          "C-statistic (95% CI)": ["0.71 (0.65 to 0.77)",
                                                   "0.69 (0.62 to 0.75)", few],
                          "calibration-in-the-large (95% CI)": ["0.05 (-0.20 to 0.30)",
                                                                "0.02 (-0.22 to 0.26)", few]})
    table = model_outputs(frame, dict.fromkeys(
        ("C-statistic (95% CI)", "calibration-in-the-large (95% CI)"), _release(10)),
        count_cols=["people", "crises"], people_outcomes=["crises"])
    shown = tables.show_table(table, name="fairness", caption="Fairness")
    cells = [str(v) for row in shown.words.itertuples(index=False) for v in row]
    assert TOO_FEW_CELL not in cells and cells.count(SUPPRESSED) == 2
    assert shown.note.count(rule) == 1
    # the download shows [c] as the page does, and its notes give the rule once
    # (it said "suppressed: too few" in each cell until wave 27)
    download = (tmp_path / "tables" / "fairness.csv").read_text()
    assert TOO_FEW_CELL not in download and download.count(SUPPRESSED) == 2
    assert (tmp_path / "tables" / "notes.txt").read_text().count(rule) == 1
    soup = BeautifulSoup(shown.to_html(), "html.parser")
    note = soup.find("p", class_="lifetools-table-note")
    assert soup.table["aria-describedby"] == note["id"] and rule in note.get_text()


@pytest.mark.parametrize(("text", "said"), [
    ("too few events to estimate: too few events in total; the fit did not converge",
     "too few events in total; the fit did not converge"),
    ("Landmark: too few events to estimate: too few events in total; Cox: too few "
     "people to estimate: too few people among ‘a’",
     "Landmark: too few events in total; Cox: too few people among ‘a’"),
    ("too few events to estimate (too few events among ‘a (b)’)", "too few events among ‘a (b)’"),
    # a headline whose reasons say something else keeps it
    ("too few events to estimate (the reasons are given above)",
     "too few events to estimate (the reasons are given above)"),
    ("too few events to estimate: the counts of a fifth are suppressed",
     "too few events to estimate: the counts of a fifth are suppressed"),
    ("too few events to estimate: too few people among ‘a’",
     "too few events to estimate: too few people among ‘a’"),
    # a disclosure rule's heading, which the page's verb says ("is not shown: ...")
    ("not shown: the counts of a fifth are suppressed",
     "the counts of a fifth are suppressed"),
    ("not shown: too few events to estimate (too few events among ‘a’)",
     "too few events among ‘a’"),
    ("the index is not shown: the counts of a fifth are suppressed",
     "the index is not shown: the counts of a fifth are suppressed"),
])
def test_unrepeated_says_a_release_checks_headline_once(text, said):
    from lifetools.disclosure.withheld import unrepeated

    assert unrepeated(text) == said


def test_withheld_models_note_says_could_not_be_estimated_once():
    # the reach page's note read "The numbers marked [x] are not shown: could not be
    # estimated: the counts of a deprivation fifth are suppressed" (wave 36)
    said = withheld_models_note(["could not be estimated: the fit did not converge"])
    assert said == "The numbers marked [x] could not be estimated: the fit did not converge."
    # a disclosure rule's reason is "not shown", said once (wave 37: the reach page said
    # the withheld indices "could not be estimated")
    held = withheld_models_note(
        ["not shown: the counts of a deprivation fifth are suppressed"])
    assert held == ("The numbers marked [x] are not shown: the counts of a deprivation "
                    "fifth are suppressed.")
    mixed = withheld_models_note(["too few events to estimate: too few events in total",
                                  "could not be estimated: the fit did not converge"])
    assert mixed.startswith("The numbers marked [x] are not shown: too few events in "
                            "total; could not be estimated")


def _estimates(releases: dict[str, object]):
    """A hazard-ratio table of one model per name, through its release check."""
    from lifetools.disclosure import combine_estimates

    rows = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                         "ci_upper": [2.0], "p_value": [0.01]})
    return tables.table_estimates(combine_estimates([
        release.estimates(rows.assign(model=name)) for name, release in releases.items()]),
        label="hazard ratio")


def test_a_table_whose_every_model_is_withheld_is_shown_as_one_sentence(tmp_path):
    # the re-referral page at 3,000 people showed two grids of [x] under a note: a
    # reader learnt nothing the note did not say (issues 12 and 15, wave 38)
    from bs4 import BeautifulSoup

    from lifetools.pipeline.gate.rules import html_tables

    bad = _release(9)
    shown = tables.show_table(_estimates({"Cox": bad, "Fine-Gray": bad}), name="hr",
                              caption="Hazard ratios")
    page = BeautifulSoup(shown.to_html(), "html.parser")
    assert page.find("table") is None and not html_tables(shown.to_html())
    text = page.get_text(" ")
    assert "[c]" not in text and text.count("Hazard ratios") == 1
    # which models, and why: the reason in the words of the note it replaces (too few
    # events: the model release rule, a disclosure rule, [c] since wave 42)
    why = withheld_models_note([bad.withheld]).removeprefix("The numbers marked [c] ")
    assert shown.note == f"The numbers for ‘Cox’ and ‘Fine-Gray’ {why}"
    assert shown.note.count(".") == why.count(".") and "[c]" not in shown.note
    data, metadata = shown._repr_mimebundle_()
    assert metadata["lifetools"]["sentence"] is True
    assert data["text/plain"] == f"Hazard ratios: {shown.note}"
    # the download keeps the table, [c] in each withheld cell, the note in notes.txt
    download = (tmp_path / "tables" / "hr.csv").read_text().splitlines()
    assert download[1:] == ["Cox,exposed,[c],[c]", "Fine-Gray,exposed,[c],[c]"]
    notes = (tmp_path / "tables" / NOTES_FILE).read_text()
    assert f"Table note: {withheld_models_note([bad.withheld])}" in notes


def test_a_table_with_one_shown_model_stays_a_table():
    shown = tables.show_table(_estimates({"Cox": _release(9), "Fine-Gray": _release(10)}),
                              name="hr", caption="Hazard ratios")
    assert not shown.sentence and "<table" in shown.to_html()
    assert shown.note.startswith("The numbers marked [c] for ‘Cox’ are not shown")
    assert "sentence" not in shown._repr_mimebundle_()[1]["lifetools"]


def test_a_withheld_table_of_several_reasons_says_each_for_its_models():
    from lifetools.disclosure.downloads import withheld_table_sentence
    from lifetools.disclosure.withheld import Whose

    few = "too few events to estimate: too few events in total"
    failed = "could not be estimated: the fit did not converge"
    said = withheld_table_sentence([Whose(few, "‘A’ and ‘B’"), Whose(failed, "C")],
                                   ["A", "B", "C"])
    assert said == ("The numbers for ‘A’, ‘B’ and ‘C’ are not shown: for ‘A’ and ‘B’, "
                    "too few events in total; for C, could not be estimated: the fit "
                    "did not converge.")
    # every model's fit failed: "could not be estimated", said once, as the note does
    assert withheld_table_sentence([failed], ["Cox"]) == (
        "The numbers for ‘Cox’ could not be estimated: the fit did not converge.")
    assert withheld_table_sentence([], ["Cox"]) == ""


def test_a_withheld_proportional_hazards_test_is_shown_as_a_sentence():
    # its [x] cells carry their note (SaidInNote): the model's reason, kept as reasons
    from lifetools.reports.survival_parts import ph_table

    bad = _release(9)
    ph = ph_table(None, "Cause-specific Cox", exposure_action="noted", release=bad)
    shown = tables.show_table(ph, name="ph-test", caption="Proportional hazards tests",
                              not_counts=["df"])
    assert shown.sentence and "<table" not in shown.to_html()
    assert shown.note == withheld_models_note([bad.withheld]).replace(
        "The numbers marked [c]", "The numbers for ‘Cause-specific Cox’")


def test_a_grid_of_x_for_no_reason_and_a_table_of_hidden_counts_stay_tables():
    frame = pd.DataFrame({"measure": ["Slope", "Intercept"],
                          "value": [float("nan"), float("nan")]})
    assert not tables.show_table(frame, name="nan", caption="N").sentence
    counts = pd.DataFrame({"group": ["a", "b"], "n": [3, 4]})
    assert not tables.show_table(counts, name="few", caption="F",
                                 count_cols=["n"]).sentence


def test_withheld_entirely_reads_labels_as_words_and_values_as_x():
    from lifetools.disclosure.withheld_tables import withheld_entirely

    assert withheld_entirely([["Cox", "Life Rooms use", "[x]", ""],
                              ["Cox", "Age (per 10 years)", "[x]", ""]])
    assert not withheld_entirely([["Cox", "Life Rooms use", "[x]", "0.04"]])
    # [c] is withheld too (a model the release rule withheld, wave 42): no number
    assert withheld_entirely([["Cox", "[c]", "[x]"]])
    assert not withheld_entirely([["Cox", "[c]", "12"]])  # a count is a value
    assert not withheld_entirely([["Cox", "Age", ""]])  # nothing marked withheld
    assert not withheld_entirely([])


def test_a_withheld_table_names_no_row_that_is_no_label_nor_a_long_list_of_terms():
    # the crisis calibration tables' first column is itself withheld: "The numbers for
    # [x] are not shown" (wave 38); a model's fifteen terms are not listed
    from lifetools.disclosure.downloads import MAX_NAMED, withheld_table_sentence
    from lifetools.disclosure.withheld_tables import row_names

    assert row_names([["[x]", "[x]"], ["[x]", "[x]"]]) == []
    assert withheld_table_sentence(["too few events in total"], []) == (
        "The numbers are not shown: too few events in total.")
    terms = [f"term {chr(97 + i)}" for i in range(MAX_NAMED + 1)]
    assert withheld_table_sentence(["too few events in total"], terms) == (
        "The numbers are not shown: too few events in total.")
    assert "‘term a’" in withheld_table_sentence(["too few events in total"],
                                                 terms[:MAX_NAMED])


def test_withheld_tests_of_several_models_name_each_models_reason():
    # the discharge page's proportional-hazards tests: each row a model, each its own
    # reason in its cell's note; the sentence says whose reason is whose
    from lifetools.reports.survival_parts import ph_table

    few = _release(9)
    none = SimpleNamespace(released=False,
                           withheld="could not be estimated: the fit did not converge")
    ph = pd.concat([ph_table(None, name, exposure_action="noted", release=release)
                    for name, release in (("Cox", few), ("Landmark", none))],
                   ignore_index=True)
    shown = tables.show_table(ph, name="ph-test", caption="Proportional hazards tests",
                              not_counts=["df"])
    assert shown.sentence
    assert shown.note.startswith("The numbers for ‘Cox’ and ‘Landmark’ are not shown: "
                                 "for ‘Cox’, "), shown.note
    assert "; for ‘Landmark’, " in shown.note


def test_said_points_above_only_for_the_value_the_reasons_were_given_for():
    # the discharge page at 30,000 people said "(the reasons are given above)" of its
    # landmark model, whose reasons (in the same words) it gave only for the Fine-Gray
    # ratio (issue 15, wave 39): a pointer is decided by who the words were said for
    from lifetools.disclosure.withheld import NOTHING_SAID, SAID_ONCE, Said

    said = Said.of([("Fine-Gray", "too few events in total"), ("Empty", "")])
    assert said.where("Fine-Gray", "anything") == SAID_ONCE
    assert said.where("Landmark", "too few events in total") == (
        "the same reasons as for \u2018Fine-Gray\u2019, given above")
    assert said.where("Landmark", "the fit did not converge") == ""
    assert not said.has("Empty") and said.entries[-1][0] == "Fine-Gray"
    assert NOTHING_SAID.where("Fine-Gray", "too few events in total") == ""
    # clauses: a reason given as part of another value's text, in page order
    both = Said().then("Mean", "a; b").then("Share", "c", ["c", "d"])
    assert both.clause_owner("b") == "Mean" and both.clause_owner("d") == "Share"
    assert both.owners("Mixed", ["d", "a", "z"]) == ["Mean", "Share"]
    assert both.owners("Mean", ["a"]) == []


def test_withheld_models_note_says_not_shown_once_for_a_value_a_rule_hid():
    # the wellbeing page (30,000 people, 2024-25): "The numbers marked [x] for ‘Share
    # improving ...’ are not shown: withheld: hidden to protect privacy." (wave 40)
    from lifetools.disclosure.downloads import withheld_models_note
    from lifetools.disclosure.withheld import public_reason
    from lifetools.reports.sentences import withheld_text

    cell = withheld_text(SimpleNamespace(released=True), public_reason("secondary"))
    assert cell == "withheld: hidden to protect privacy"
    # marked [c], as the comparison with the previous edition marks it (wave 41)
    assert str(withheld_models_note([cell])) == (
        "The numbers marked [c] are not shown: hidden to protect privacy.")


def test_a_table_note_never_says_a_reason_is_not_said_and_then_says_it():
    # the crisis page's fairness note (30,000 people, 2024-25) said "Which reason
    # applies to a cell is not said" and then "An estimate shown as [c] is not shown
    # because its group has fewer than 10 people with a crisis or fewer than 10
    # without": a table whose only [c] are such estimates gives that one reason alone;
    # beside other hidden cells, the list of reasons is said to be for those
    from lifetools.disclosure.rule_text import too_few_sentence
    from lifetools.disclosure.withheld import TooFew

    rule = too_few_sentence("a crisis")
    few = TooFew(rule)

    def note(crises):
        frame = pd.DataFrame({"group": ["Men", "Women", "Not known"],
                              "people": [400, 380, 60], "crises": crises,
                              "C-statistic (95% CI)": ["0.71 (0.65 to 0.77)",
                                                       "0.69 (0.62 to 0.75)", few]})
        table = model_outputs(frame, {"C-statistic (95% CI)": _release(10)},
                              count_cols=["people", "crises"], people_outcomes=["crises"])
        return tables.show_table(table, name="fairness", caption="Fairness").note

    alone = note([60, 55, 12])
    # the rule explains its [c]: no legend before it (said twice until wave 43)
    assert alone.count(rule) == 1 and f"[c]: {PRIVACY}." not in alone
    assert "not said" not in alone and withheld_sentence("default") not in alone
    mixed = note([60, 55, 3])  # a small count hidden beside the estimate
    assert withheld_sentence("default", estimates_below=True) in mixed
    assert "Which reason applies to a cell is not said" not in mixed
    assert mixed.index("given below") < mixed.index(rule)
    assert mixed.count(rule) == 1
    # a table with no estimate left out keeps the list of reasons as it was
    assert withheld_sentence("default") in _note(pd.DataFrame(
        {"group": ["a", "b", "c"], "people": [60, 40, 30], "admitted": [3, 20, 10]}),
        people_outcomes=["admitted"])


def test_a_table_whose_every_c_its_note_explains_has_no_legend_for_it():
    # the crisis page's missing-data, Fine-Gray risk-group and decision-curve tables
    # read "The numbers marked [c] ... are not shown: too few events to estimate ...
    # [c]: hidden to protect privacy." (wave 42): the symbol explained twice
    frame = pd.DataFrame({"group": ["Everyone", "First fifth"], "people": [140, 25],
                          "risk (95% CI)": ["6.1% (4.0% to 8.2%)", "2.0% (0.1% to 3.9%)"]})
    table = model_outputs(frame, {"risk (95% CI)": _release(9)}, count_cols=["people"])
    note = tables.show_table(table, name="risk_groups", caption="Risk groups").note
    assert note.startswith("The numbers marked [c] are not shown: ")
    assert f"[c]: {PRIVACY}" not in note and note.count("[c]") == 2  # and the rule's
    # beside a [c] whose reason is not said, the legend and the reasons stay
    hidden = _note(pd.DataFrame({"group": ["a", "b", "c"], "people": [60, 40, 30],
                                 "admitted": [3, 20, 10]}), people_outcomes=["admitted"])
    assert hidden.startswith(f"[c]: {PRIVACY}. ")
