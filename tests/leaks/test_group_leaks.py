"""Group (class) disclosure checked on the published bytes (issue 12).

"Of the 40 people in locality X, 100% were discharged", a row whose every member is in
one column with the rest shown as 0, "0 crises" beside 60 people: each says something
about every person in the group, whatever its size. The library hides them at source
(:mod:`lifetools.disclosure.groups`); here the library's rule is switched off (an
older lifetools, or a rule broken) and the gate must refuse what is shown, on the page
and in the download, with exit code 13, naming the cell and the rule. The same data
through the library as it is pass.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from runfolder import RunFolder, display
from test_leaks import refused

from lifetools import disclosure, publication, tables
from lifetools.disclosure import counts, derived
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import scan_notebook

RULE = "group-disclosure"


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    monkeypatch.setattr(tables, "_SHOWN", {})
    folder = RunFolder(tmp_path, monkeypatch)
    folder.markdown("## Who was discharged")
    return folder


def _old_library(monkeypatch) -> None:
    """The group rule switched off in the library's makers (not in the gate's check,
    which :func:`lifetools.disclosure.groups.group_findings` owns)."""
    monkeypatch.setattr(counts, "_whole_groups", lambda frame, cols, *a, **k:
                        np.zeros((len(frame), len(cols)), dtype=bool))
    secondary = counts.suppress_secondary
    monkeypatch.setattr(counts, "suppress_secondary", lambda frame, cols, **k: secondary(
        frame, cols, **{**k, "profile": dataclasses.replace(
            disclosure.get_profile(k.get("profile")), group_disclosure=False)}))
    monkeypatch.setattr(derived, "extreme_share", lambda *a, **k: False)


def _discharged() -> pd.DataFrame:
    # locality A: all 40 discharged, the rest shown as 0
    return pd.DataFrame({"group": ["Locality A", "Locality B", "Locality C"],
                         "Discharged": [40, 30, 50], "Not discharged": [0, 12, 20]})


def _show(frame, name: str, **options) -> dict:
    return display(tables.show_table(frame, name=name, caption=f"The {name} table",
                                     **options))


def test_group_leaks_the_library_hides_a_whole_group_and_the_gate_passes_it(run):
    shown = tables.show_table(_discharged(), name="discharged", caption="Discharges",
                              count_cols=["Discharged", "Not discharged"], totals="rows")
    # locality A's zero hidden, and its 40 with it (the row's total would give it back)
    assert shown.words.iloc[0].tolist()[1:] == ["[c]", "[c]"]
    assert shown.words.iloc[1].tolist()[1:] == ["30", "10"]
    run.code(display(shown))
    assert scan_notebook(run.write()) == []


def test_group_leaks_a_whole_row_in_one_column_beside_zeros_is_refused(run):
    _old_library(run.monkeypatch)
    output = run.past_source(lambda: _show(
        _discharged(), "discharged", count_cols=["Discharged", "Not discharged"],
        totals="rows"), RULE)
    cell = run.code(output)
    message = refused(run.write(), cell, RULE)
    assert "every shown member is in one cell" in message, message
    assert re.search(rf"file [^:,]*discharged\.csv[,:][^\n]*{RULE}", message), message


def test_group_leaks_an_outcome_of_none_of_a_shown_group_is_refused(run):
    _old_library(run.monkeypatch)
    frame = pd.DataFrame({"group": ["Locality A", "Locality B", "Locality C"],
                          "people": [500, 400, 60], "crises": [40, 30, 0]})
    output = run.past_source(lambda: _show(frame, "crises",
                                           count_cols=["people", "crises"]), RULE)
    cell = run.code(output)
    message = refused(run.write(), cell, RULE)
    assert "outcome of none of its row's group" in message, message
    assert re.search(rf"file [^:,]*crises\.csv[,:][^\n]*{RULE}", message), message


def test_group_leaks_a_share_of_all_of_a_group_in_a_table_is_refused(run):
    # the reach page's satisfaction table: 10 of 10 agreeing, 100%
    _old_library(run.monkeypatch)
    frame = pd.DataFrame({"question": ["Access was easy", "Would recommend"],
                          "responses": [10, 40], "agreeing": [10, 22]})
    table = disclosure.shares_table(frame, numerator="agreeing", denominator="responses")
    assert table.frame["per_cent"].iloc[0] == 100.0
    cell = run.code(run.past_source(lambda: _show(table, "satisfaction"), RULE))
    message = refused(run.write(), cell, RULE)
    assert "shows a share of all of a group" in message, message
    assert re.search(rf"file [^:,]*satisfaction\.csv[,:][^\n]*{RULE}", message), message


def test_group_leaks_a_share_of_a_breakdown_of_all_of_a_group_is_refused(run):
    # secondary care users by sex: every one female
    _old_library(run.monkeypatch)
    frame = pd.DataFrame({"characteristic": ["Sex"] * 3 + ["Accommodation"] * 2,
                          "group": ["Female", "Male", "Other", "Settled", "Not settled"],
                          "Secondary care": [40, 0, 0, 25, 15]})
    table = disclosure.protected_shares(frame, ["Secondary care"], by="characteristic")
    cell = run.code(run.past_source(lambda: _show(table, "reach"), RULE))
    message = refused(run.write(), cell, RULE)
    assert RULE in message, message


def test_group_leaks_a_sentence_of_a_share_of_all_of_a_group_is_refused(run):
    # "Of the 40 people in locality A, 100.0% were discharged": refused at source by
    # the span check, and by the gate when written past it
    _old_library(run.monkeypatch)
    share = disclosure.share(40, 40)
    assert share.value == 100.0
    with pytest.raises(DisclosureError, match="group disclosure"):
        publication.record("discharged", share, kind="percentage", label="Discharged")
    with pytest.MonkeyPatch.context() as past:  # the span check at source skipped
        past.setattr(disclosure.text, "_check", lambda *a, **k: "")
        shown = publication.record("discharged", share, kind="percentage",
                                   label="Discharged")
    cell = run.code(display(shown))
    message = refused(run.write(), cell, "protected-span")
    assert "group disclosure" in message, message


def test_group_leaks_the_library_hides_a_share_of_all_of_a_group(run):
    share = disclosure.share(40, 40)
    assert share.value is None and share.reason == "group disclosure"
    run.code(display(publication.record("discharged", share, kind="percentage",
                                        label="Discharged")))
    assert scan_notebook(run.write()) == []


# a count of people shown equal to its row's group size (wave 19): "60 people, 60
# admitted" says everyone in the group was admitted, as "0 admitted" says no one was.
# Which outcomes count people (each at most once) is declared where the table is made
# (``people_outcomes``); events a person may have more than once stay shown.

def _admitted() -> pd.DataFrame:
    return pd.DataFrame({"group": ["Locality A", "Locality B", "Locality C"],
                         "people": [500, 400, 60], "admitted": [40, 30, 60]})


def test_group_leaks_the_library_hides_a_count_of_people_of_all_of_a_group(run):
    shown = tables.show_table(_admitted(), name="admitted", caption="Admissions",
                              count_cols=["people", "admitted"],
                              people_outcomes=["admitted"])
    assert shown.words.iloc[2].tolist()[1:] == ["60", "[c]"]
    assert shown.words.iloc[0].tolist()[1:] == ["500", "40"]
    run.code(display(shown))
    assert scan_notebook(run.write()) == []


def test_group_leaks_a_count_of_people_of_all_of_a_shown_group_is_refused(run):
    _old_library(run.monkeypatch)
    output = run.past_source(lambda: _show(
        _admitted(), "admitted", count_cols=["people", "admitted"],
        people_outcomes=["admitted"]), RULE)
    cell = run.code(output)
    message = refused(run.write(), cell, RULE)
    assert "outcome of all of its row's group" in message, message
    assert re.search(rf"file [^:,]*admitted\.csv[,:][^\n]*{RULE}", message), message


def test_group_leaks_people_of_all_of_a_group_by_the_published_counts_are_refused(run):
    # 58 admitted of 58 people and 59 of 61 are published as "60, 60": it reads as all
    _old_library(run.monkeypatch)
    frame = _admitted().assign(people=[500, 400, 61], admitted=[40, 30, 59])
    cell = run.code(run.past_source(lambda: _show(
        frame, "admitted", count_cols=["people", "admitted"],
        people_outcomes=["admitted"]), RULE))
    assert "outcome of all of its row's group" in refused(run.write(), cell, RULE)


def test_group_leaks_a_model_output_of_people_of_all_of_a_group_is_refused(run):
    # the crisis page's performance by group: "people 60, crises 60"
    _old_library(run.monkeypatch)
    data = pd.DataFrame({"crisis": [1] * 60 + [0, 1] * 40, "age": ["65+"] * 60 +
                         ["Under 65"] * 80, "x": range(140)})
    summary = pd.DataFrame({"term": ["x"], "estimate": [1.0], "ci_lower": [0.5],
                            "ci_upper": [2.0]})
    release = disclosure.model_release(None, data=data, event_col="crisis",
                                       level_cols=["age"], summary=summary,
                                       converged=True)
    assert release.levels.record.people_outcomes == ("events",)
    fair = pd.DataFrame({"group": ["65+", "Under 65"], "people": [60, 80],
                         "crises": [60, 40], "C-statistic": ["0.70", "0.71"]})
    table = disclosure.model_outputs(fair, {"C-statistic": release},
                                     count_cols=["people", "crises"],
                                     people_outcomes=["crises"])
    cell = run.code(run.past_source(lambda: _show(table, "fairness"), RULE))
    assert "outcome of all of its row's group" in refused(run.write(), cell, RULE)


def test_group_leaks_events_equal_to_the_group_size_are_shown_and_pass(run):
    # 60 A&E attendances among 60 people need not be one each: events, not people
    frame = _admitted().rename(columns={"admitted": "events"})
    shown = tables.show_table(frame, name="attendances", caption="A&E attendances",
                              count_cols=["people", "events"])
    assert shown.words.iloc[2].tolist()[1:] == ["60", "60"]
    run.code(display(shown))
    assert scan_notebook(run.write()) == []


QUANTIFIED = ("All 60 people were admitted.", "None of the 60 people were admitted.",
              "Each of the 60 people had a crisis.",
              "60 people were referred, all of whom were admitted.")


@pytest.mark.parametrize("leak", QUANTIFIED)
def test_group_leaks_a_word_for_all_or_none_beside_a_count_is_refused(leak, run):
    # "all 60 people were admitted" is "60 of the 60" in other words: a count that
    # passes every size rule, and a word that tells something of every one of them
    # (issue 12: the gate read quantifier words as no count at all)
    sixty = disclosure.protected_count(60)
    template = leak.replace("60", "{n}")
    with pytest.raises(DisclosureError, match=RULE):
        disclosure.compose(template, n=sixty)
    # past the library: in Markdown, in a stream and as a sealed result whose span is
    # a valid count
    for cell in (run.markdown(f"Of those referred: {leak}"),
                 run.code({"output_type": "stream", "name": "stdout",
                           "text": leak + "\n"})):
        message = refused(run.write(), cell, RULE)
        assert "all or none of a group" in message, message
    with pytest.MonkeyPatch.context() as past:  # the span check at source skipped
        past.setattr(disclosure.text, "count_pair_problem", lambda *a, **k: "")
        past.setattr(disclosure.text, "all_or_none_clause", lambda *a, **k: "")
        sentence = disclosure.compose(template, n=sixty)
    cell = run.code(display(publication.record("admitted", None, kind="text",
                                               label="Summary", text=sentence)))
    refused(run.write(), cell, RULE)


@pytest.mark.parametrize("fine", ["Of all 60 people, 20 were admitted.",
                                  "60 people were referred. All of them are counted "
                                  "in the table below, by locality.",
                                  "In all, 60 people came."])
def test_group_leaks_all_as_a_total_or_in_another_sentence_passes(fine, run):
    # "of all 60" begins "k of all n" (the pair rule reads it, with its k); a word in
    # another sentence, or "in all" as a total, says nothing of each person
    run.markdown(fine)
    path = run.write()
    assert not [f for f in scan_notebook(path) if f.rule == RULE]
