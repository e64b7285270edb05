"""The publish gate's classes of defect closed in wave 12 (issue 12): each refused, and
each legitimate neighbour still published.

1. model estimates found by their data (limits beside them), not by an "Estimate"
   header; released models and protected rate tables with the same limit headers pass;
2. "mean change", "on average", "average", "cumulative incidence" name statistics of
   people's values; a protected mean and a released model's mean change still publish;
3. a suppressed cell never reads as zero (``.fillna(0)`` on a protected table's frame);
4. the notes on the rules and a download's header words are re-checked by what the
   display function recorded when it wrote them, not by the code checking them.
"""

from __future__ import annotations

import pandas as pd
import pytest
from runfolder import RunFolder, counted_folder, display, safe_table
from test_leaks import refused

from lifetools import labels, publication, tables
from lifetools.disclosure import downloads, model_release, protect_counts, rates_table
from lifetools.disclosure.statistics import (
    MODEL_PHRASES,
    STATISTIC_WORDS,
    names_statistic,
)
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import scan_notebook
from lifetools.pipeline.gate.tables import model_findings


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return counted_folder(tmp_path, monkeypatch)


# 1. model estimates by their data --------------------------------------------------
RATIO_HEAD = ["Group", "Ratio of admissions", "Lower 95% limit", "Upper 95% limit"]
RATIO_ROWS = [["Aged 65 or over", "2.31", "0.45", "11.90"], ["Female", "0.87", "0.60", "1.20"]]


def test_gate_classes_estimate_beside_limits_under_any_header_is_unreleased():
    found = model_findings(RATIO_HEAD, RATIO_ROWS, {"label_headers": ["Group"]})
    assert {d.split("'")[1] for _, d in found} == set(RATIO_HEAD[1:])
    # the same columns recorded as released (model_release) or made by a rule pass
    assert model_findings(RATIO_HEAD, RATIO_ROWS,
                          {"estimate_headers": RATIO_HEAD[1:]}) == []
    assert model_findings(RATIO_HEAD, RATIO_ROWS,
                          {"protected_headers": RATIO_HEAD[1:]}) == []
    # an "Estimate" column is a model's estimate without limits too
    assert model_findings(["Term", "Estimate"], [["Female", "0.87"]], {})


def test_gate_classes_protected_rate_table_with_limits_publishes(run):
    people = pd.DataFrame({"group": ["Sefton"] * 40 + ["Knowsley"] * 40,
                           "events": [1, 0] * 40, "years": [1.5] * 80})
    table = rates_table(people, group_cols="group", event_col="events",
                        person_time_col="years")
    assert {"Lower 95% limit", "Upper 95% limit"} <= {labels.column_label(c)
                                                       for c in table.columns}
    run.code(display(tables.show_table(table, name="rates", caption="Rates")))
    assert scan_notebook(run.write()) == []


# 2. the words naming a statistic -----------------------------------------------------
@pytest.mark.parametrize("text", ["Score change on average", "Mean change in score",
                                  "Average age", "Cumulative incidence (%)",
                                  "Typical stay in days", "Averaged score"])
def test_gate_classes_statistic_words_name_a_statistic(text):
    assert names_statistic(text)


@pytest.mark.parametrize("text", ["Hazard ratio (95% CI)", "Mean difference",
                                  "Rate ratio", "Lower 95% limit", "Estimate",
                                  "Calibration-in-the-large (whether the predicted "
                                  "risks are too high or too low on average)"])
def test_gate_classes_model_phrases_are_not_statistics(text):
    assert names_statistic(text) is None


def test_gate_classes_word_lists_are_in_one_place():
    assert "on\\s+average" in STATISTIC_WORDS and "mean\\s+changes?" in STATISTIC_WORDS
    assert not any("average" in p or "cumulative" in p for p in MODEL_PHRASES)


def _release(people: int):
    pairs = pd.DataFrame({"people": [1] * people, "change": [1.0] * people})

    class Fit:
        summary = pd.DataFrame({"term": ["mean change"], "estimate": [2.5],
                                "ci_lower": [1.0], "ci_upper": [4.0]})
        model = None
        warnings = ()

    return model_release(Fit(), data=pairs, event_col="people", level_cols=[],
                         converged=True)


def test_gate_classes_released_mean_change_publishes_and_a_typed_one_is_refused(run):
    label = "Mean change in SWEMWBS metric score"
    with pytest.raises(DisclosureError, match="statistic of people's values"):
        publication.record("mean_change", 2.5, kind="estimate", label=label)
    with pytest.raises(DisclosureError, match="statistic of people's values"):
        publication.record("mean_change", 2.5, kind="estimate", label=label,
                           released=_release(3))  # withheld: too few people
    # missing: nothing to disclose ("could not be estimated")
    run.code(display(publication.record("missing_change", float("nan"),
                                        kind="estimate", label=label)))
    run.code(display(publication.record("mean_change", 2.5, kind="estimate",
                                        label=label, released=_release(40))))
    assert scan_notebook(run.write()) == []


def test_gate_classes_mean_change_past_the_source_check_is_refused(run, monkeypatch):
    # the entry says released but the sealed stamp does not: refused
    shown = publication.record("mean_change", 2.5, kind="estimate",
                               label="Score change on average", released=_release(40))
    data, metadata = shown._repr_mimebundle_()
    mark = metadata[publication.STAMP_KEY]
    data, metadata = publication.seal(data, publication.stamp(
        "result", "mean_change", **{k: v for k, v in mark.items() if k not in
                                     ("protected", "kind", "name", "seal", "released")}))
    run.code({"output_type": "display_data", "data": data, "metadata": metadata})
    refused(run.write(), None, "unprotected-statistic", "files/results.json")


# 3. suppressed never reads as zero ---------------------------------------------------
def _suppressed():
    raw = pd.DataFrame({"group": ["Sefton", "Knowsley", "Wirral"], "n": [3, 120, 85]})
    return protect_counts(raw, ["n"])


@pytest.mark.parametrize("fill", [lambda f: f.fillna(0),
                                  lambda f: f.replace({pd.NA: 0}),
                                  lambda f: f.fillna({"n": 1})])
def test_gate_classes_suppressed_cell_filled_with_a_number_is_refused(fill):
    with pytest.raises(DisclosureError, match="never reads as zero"):
        tables.show_table(fill(_suppressed().frame), name="filled", caption="People",
                          count_cols=["n"])


def test_gate_classes_protected_frame_shown_again_or_without_rows_publishes(run):
    frame = _suppressed().frame
    run.code(display(tables.show_table(frame, name="again", caption="People",
                                       count_cols=["n"])))
    run.code(display(tables.show_table(frame.dropna().reset_index(drop=True),
                                       name="kept", caption="People",
                                       count_cols=["n"])))
    assert scan_notebook(run.write()) == []


# 4. re-checked by what was recorded -------------------------------------------------
def test_gate_classes_notes_rechecked_by_the_recorded_rules_text(run, monkeypatch):
    from lifetools.pipeline.gate import files

    path = run.write()
    # newer code writing other notes: the edition is checked by its own record
    monkeypatch.setattr(files, "_NOTES", {"Other notes\n"})
    assert scan_notebook(path) == []


def test_gate_classes_notes_with_a_number_no_rule_states_are_refused(tmp_path,
                                                                     monkeypatch):
    # code that writes a count into the notes' rules text: the record holds the same
    # text, but each of its numbers must be a rule number of the profile
    written = downloads.notes_text
    monkeypatch.setattr(downloads, "notes_text",
                        lambda profile=None, marks=None: written(profile, marks)
                        + "13 people left out.\n")
    from lifetools.pipeline.gate import files

    monkeypatch.setattr(files, "_NOTES", {downloads.notes_text()})
    folder = RunFolder(tmp_path, monkeypatch)
    folder.code(safe_table())
    refused(folder.write(), None, "unsanctioned-file", "files/tables/notes.txt")


def test_gate_classes_download_headers_read_by_the_recorded_words(run, monkeypatch):
    # a statistic under a machine header: found by its own name even when the words
    # for it change (the page's words as recorded, and the header itself)
    frame = pd.DataFrame({"Site": ["Walton", "Bootle"], "score": [24.31, 13.5]})
    run.code(display(tables.show_table(frame, name="scores", caption="Scores")))
    (run.files / "tables" / "scores.csv").write_text(
        "Site,mean_score\nWalton,24.31\nBootle,13.50\n")
    monkeypatch.setitem(labels.COLUMN_LABELS, "mean_score", "Score")
    found = {(f.file, f.rule) for f in scan_notebook(run.write())}
    assert ("files/tables/scores.csv", "unprotected-statistic") in found


@pytest.mark.slow
def test_gate_classes_cumulative_incidence_of_few_events_is_not_quoted(tmp_path):
    # 4,000 synthetic people: 25 discharged in the period, fewer than 10 re-referred;
    # the curve's 12-month cumulative incidence (one event: 4.76%) is not quoted
    import math

    from report_calls import CALLS

    from lifetools import load_dataset
    from lifetools.synthetic import write_synthetic

    write_synthetic(tmp_path, people=4000, seed=8)
    report = CALLS["re_referral"](load_dataset(tmp_path))
    item = next(dict(i) for i in report.key_results if i["name"] == "rereferral_1y")
    assert math.isnan(item["value"]) and not item["released"].released
    assert not any(ch.isdigit() for ch in str(item["text"]))
    # nor is a day named for it ("[x], by 239 days after discharge" read as a value
    # estimated at that day), in its label, its interval's or the comparison's words
    ci = next(dict(i) for i in report.key_results if i["name"] == "rereferral_1y_ci")
    for result in (item, ci):
        assert "at" not in result and "days" not in result["label"]


def test_gate_classes_rereferral_share_table_and_its_key_results_publish(run):
    # the re-referral summary's share (everyone discharged) gets a table of its own, its
    # CSV the download behind the number (issue 15, wave 40): released by the curve's
    # check, with the day it is quoted at in words, it passes the gate as its key
    # results do; withheld, the table is [x] and they read "not shown: <reason>"
    import numpy as np

    from lifetools.reports.rereferral import share_results, share_table

    def release(events):
        rows = pd.DataFrame({"e": np.r_[np.ones(events), np.zeros(100 - events)],
                             "everyone": ["all"] * 100})
        return model_release(None, data=rows, event_col="e", level_cols=["everyone"],
                             summary=pd.DataFrame(columns=["term"]), converged=True)

    row = pd.Series({"estimate": 0.234, "ci_lower": 0.181, "ci_upper": 0.293})
    for name, horizon, at, check in (("share-rereferred", 230, row, release(40)),
                                     ("share-held", 0, None, release(3))):
        assert check.released == (at is not None)
        table = tables.table_estimates(share_table(horizon, at, check), label="estimate",
                                       keep=["method"])
        run.code(display(tables.show_table(table, name=name, caption="Share re-referred")))
        for result in share_results(horizon, at, check):
            run.code(display(publication.record(**result)))
    path = run.write()
    assert "23.4% (18.1% to 29.3%)" in (run.files / "tables" / "share-rereferred.csv"
                                        ).read_text()
    assert scan_notebook(path) == []
