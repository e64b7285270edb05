"""A decision curve's net benefit of treating everyone, from published counts (issue 12,
wave 22).

Treat-all is ``p - (1 - p) t / (1 - t)``: the prevalence alone. The crisis-risk
report published it from the exact prevalence, declared an ``inputs=`` column of
``model_outputs``, beside the rounded counts of the same cohort: at 3,000 people its
nine cells at two places narrowed the validation cohort's crises to one count. It is
now computed from the published counts (``model_outputs(treat_all=)``), and the gate
recomputes it from the counts its stamp records (``treat-all-not-from-published-counts``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property_examples import examples

from lifetools.disclosure import get_profile, model_outputs, protect_count
from lifetools.disclosure.derived import (
    model_net_benefit,
    model_net_benefit_counts,
    model_net_benefit_values,
    treat_all_net_benefit,
    treat_all_values,
)
from lifetools.disclosure.downloads import header_rules, shown_frame
from lifetools.disclosure.net_benefit_check import (
    TREAT_ALL_RULE,
    names_treat_all,
    treat_all_findings,
)
from lifetools.errors import DisclosureError
from lifetools.labels import column_label
from lifetools.prediction.performance import confusion_counts, net_benefit

PROFILE = get_profile("default")
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
TREAT_ALL = column_label("treat_all")


def _curve(events: int, people: int, seed: int = 3) -> pd.DataFrame:
    y = np.zeros(people)
    y[:events] = 1
    risk = np.random.default_rng(seed).random(people)
    return net_benefit(y, risk, THRESHOLDS)


def _table(events: int = 22, people: int = 104):
    return model_outputs(_curve(events, people), {}, not_counts=["model", "treat_none"],
                         inputs=["threshold"], treat_all=(events, people))


def _cells(table) -> tuple[list[str], list[list[str]], dict]:
    shown = shown_frame(table)
    return ([column_label(c) for c in shown.columns], shown.to_numpy().tolist(),
            header_rules(table))


def test_treat_all_is_vickers_and_elkins_formula():
    # a hand example: 25 of 105, threshold 0.1: 25/105 - (80/105) (0.1/0.9)
    assert treat_all_net_benefit(25, 105, 0.1) == pytest.approx(0.1534391534, abs=1e-10)
    assert treat_all_net_benefit(25, 105, 0.5) == pytest.approx(2 * 25 / 105 - 1)


@pytest.mark.parametrize(("events", "people"), [(25, 105), (160, 1000), (40, 95)])
def test_treat_all_agrees_with_the_estimator_where_counts_are_as_published(events, people):
    # counts already at the base: the published and the exact treat-all are the same
    # numbers as prediction.net_benefit's (checked against R's dcurves)
    assert (protect_count(events), protect_count(people)) == (events, people)
    values, k, n = treat_all_values(THRESHOLDS, events=events, people=people,
                                    profile=PROFILE)
    assert (k, n) == (events, people)
    np.testing.assert_allclose(values, _curve(events, people)["treat_all"], atol=1e-12)


def test_treat_all_is_from_the_published_counts_not_the_exact_prevalence():
    values, k, n = treat_all_values(THRESHOLDS, events=22, people=104, profile=PROFILE)
    assert (k, n) == (20, 105)
    np.testing.assert_allclose(values, [treat_all_net_benefit(20, 105, t)
                                        for t in THRESHOLDS])
    exact = _curve(22, 104)["treat_all"]
    assert not np.allclose(values, exact, atol=0.005)  # the exact one read otherwise


@settings(max_examples=examples(100))
@given(events=st.integers(0, 400), extra=st.integers(0, 600), other=st.data())
def test_treat_all_tells_nothing_the_published_counts_do_not(events, extra, other):
    # any two cohorts with the same published counts publish the same treat-all:
    # no exact count can be solved for from it
    people = events + extra
    alike_events = other.draw(st.integers(max(0, events - 2), events + 2))
    alike_people = other.draw(st.integers(max(alike_events, people - 2), people + 2))
    if (protect_count(alike_events), protect_count(alike_people)) != (
            protect_count(events), protect_count(people)):
        return
    assert treat_all_values(THRESHOLDS, events=events, people=people) == \
        treat_all_values(THRESHOLDS, events=alike_events, people=alike_people)


@pytest.mark.parametrize(("events", "people"), [(5, 104), (0, 104), (104, 104), (3, 5)])
def test_treat_all_is_hidden_with_its_counts_and_for_none_or_all(events, people):
    values, k, n = treat_all_values(THRESHOLDS, events=events, people=people,
                                    profile=PROFILE)
    assert values == [None] * len(THRESHOLDS) and (k, n) == (None, None)
    table = _table(events, people)
    assert table.frame["treat_all"].isna().all()
    assert all(table.is_suppressed(i, "treat_all") for i in range(len(THRESHOLDS)))
    head, rows, stamped = _cells(table)
    assert {row[head.index(TREAT_ALL)] for row in rows} == {"[c]"}
    assert treat_all_findings(head, rows, stamped, PROFILE) == []


def test_model_outputs_compute_treat_all_and_record_its_counts():
    table = _table()
    assert table.record.treat_all == (("treat_all", "threshold", 20, 105),)
    assert table.record.role("treat_all") == "net_benefit"
    assert list(table.columns) == ["threshold", "model", "treat_all", "treat_none"]
    np.testing.assert_allclose(table.frame["treat_all"].astype(float),
                               [treat_all_net_benefit(20, 105, t) for t in THRESHOLDS])
    assert header_rules(table)["treat_all_headers"] == {
        TREAT_ALL: {"threshold": "Risk threshold", "events": 20, "people": 105}}
    renamed = table.rename(columns={"treat_all": "all"})
    assert renamed.record.treat_all == (("all", "threshold", 20, 105),)
    assert table.select(["threshold", "model"]).record.treat_all == ()


def _withheld_release():
    """The release of a model with 5 events among x = 1: too few, withheld."""
    from types import SimpleNamespace

    from lifetools.disclosure import model_release

    fit = SimpleNamespace(summary=pd.DataFrame({
        "term": ["x"], "estimate": [1.5], "ci_lower": [1.1], "ci_upper": [2.0],
        "p_value": [0.01]}), warnings=(), model=None)
    data = pd.DataFrame({"x": [1] * 50 + [0] * 50, "y": [1] * 5 + [0] * 45 + [1] * 40
                         + [0] * 10})
    return model_release(fit, data=data, event_col="y", level_cols=["x"])


def test_model_outputs_show_treat_all_when_the_model_is_withheld():
    release = _withheld_release()
    assert not release.released  # 5 events among x = 1: too few
    table = model_outputs(_curve(22, 104), dict.fromkeys(["model"], release),
                          not_counts=["treat_none"], inputs=["threshold"],
                          treat_all=(22, 104))
    assert table.frame["model"].isna().all()
    assert table.frame["treat_all"].notna().all()  # no model's output: still shown


@pytest.mark.parametrize("declared", [
    {"inputs": ["threshold", "treat_all"], "not_counts": ["model", "treat_none"]},
    {"not_counts": ["threshold", "model", "treat_all", "treat_none"]}])
def test_model_outputs_refuse_treat_all_declared_an_input(declared):
    # the wave-21 declaration of the crisis report's decision curve
    with pytest.raises(DisclosureError, match="'treat_all' .* gives the exact count"):
        model_outputs(_curve(22, 104), {}, **declared)


def test_names_treat_all_reads_the_headers_that_name_it():
    assert names_treat_all(TREAT_ALL) and names_treat_all("treat_all")
    assert names_treat_all("Net benefit: treating everyone")
    assert names_treat_all("Net benefit if all are treated")
    assert not names_treat_all(column_label("treat_none"))
    assert not names_treat_all("Risk threshold")


def test_treat_all_findings_pass_the_rules_cells():
    assert treat_all_findings(*_cells(_table()), PROFILE) == []


@pytest.mark.parametrize("row", [1, 9])
def test_treat_all_findings_refuse_the_exact_prevalences_value_naming_column_and_row(row):
    head, rows, stamped = _cells(_table())
    exact = _curve(22, 104)["treat_all"].iloc[row - 1]
    rows[row - 1][head.index(TREAT_ALL)] = f"{exact:.2f}"
    assert treat_all_findings(head, rows, stamped, PROFILE) == [
        (TREAT_ALL_RULE, f"column {TREAT_ALL!r}, row {row}: not the net benefit of "
         "treating everyone of the published events and people at its row's threshold, "
         "to the places it is written with (edited, or made from the exact prevalence)")]


def test_treat_all_findings_refuse_a_column_no_rule_made():
    head, rows, stamped = _cells(_table())
    del stamped["treat_all_headers"]
    found = treat_all_findings(head, rows, stamped, PROFILE)
    assert found == [(TREAT_ALL_RULE, f"column {TREAT_ALL!r}: a net benefit of treating "
                      "everyone that no rule made from published counts: from the exact "
                      "prevalence it gives the count of events back "
                      "(lt.disclosure.model_outputs(treat_all=))")]
    # a hidden column says nothing
    hidden = [[*r[:2], "[c]", r[3]] for r in rows]
    assert treat_all_findings(head, hidden, stamped, PROFILE) == []


@pytest.mark.parametrize(("events", "people"), [(22, 105), (20, 104), (5, 105),
                                                (None, 105), (110, 105), (20.5, 105)])
def test_treat_all_findings_refuse_a_record_of_counts_the_profile_would_not_publish(
        events, people):
    head, rows, stamped = _cells(_table())
    stamped["treat_all_headers"][TREAT_ALL].update(events=events, people=people)
    found = treat_all_findings(head, rows, stamped, PROFILE)
    assert found == [(TREAT_ALL_RULE, f"column {TREAT_ALL!r}, row 1: shown, but the "
                      "counts its record names are not counts the profile publishes (or "
                      "were hidden): it cannot be verified")]


def test_treat_all_findings_read_the_threshold_as_written():
    # a threshold written to 2 places (0.125 as "0.13"): treat-all at 0.125 passes
    table = model_outputs(pd.DataFrame({"threshold": [0.125], "treat_none": [0.0]}), {},
                          not_counts=["treat_none"], inputs=["threshold"],
                          treat_all=(20, 105))
    head, rows, stamped = _cells(table)
    assert rows[0][head.index("Risk threshold")] == "0.12"
    assert treat_all_findings(head, rows, stamped, PROFILE) == []
    rows[0][head.index("Risk threshold")] = "[c]"
    assert [r for r, _ in treat_all_findings(head, rows, stamped, PROFILE)] == [
        TREAT_ALL_RULE]


def test_cell_findings_and_show_table_refuse_a_treat_all_no_rule_made():
    from lifetools.disclosure import protect_counts
    from lifetools.disclosure.table_cells import cell_findings

    table = protect_counts(_curve(22, 104), [], not_counts=["threshold", "model",
                                                            "treat_all", "treat_none"])
    head, rows, stamped = _cells(table)
    found = cell_findings(head, rows, {"rules": {**table.rules, **stamped}}, PROFILE, {})
    assert [r for r, _ in found] == [TREAT_ALL_RULE]
    head, rows, stamped = _cells(_table())
    assert cell_findings(head, rows, {"rules": {**_table().rules, **stamped}},
                         PROFILE, {}) == []


def test_model_net_benefit_from_protected_counts_hand_example():
    # 104 people, 22 events: 20 and 105 published. At 0.2 the model treats 60, 18 of
    # them with the event (42 false positives): published 20 and 60 (40 false),
    # (20 - 40 * 0.25) / 105 = 10 / 105; treating everyone it is the published treat-all
    values = model_net_benefit_values([0.1, 0.2], true_positives=[22, 18],
                                      treated=[104, 60], people=104)
    assert values[1] == pytest.approx(10 / 105, abs=1e-15)
    assert values[0] == pytest.approx(treat_all_net_benefit(20, 105, 0.1), abs=1e-15)
    # 5 false positives (1 to 7): hidden; so are 5 true positives
    assert model_net_benefit_values([0.3, 0.4], true_positives=[18, 5], treated=[23, 30],
                                    people=104) == [None, None]


def test_model_net_benefit_counts_are_recorded_for_the_gate_to_recompute():
    # the record keeps the published counts of each point shown, and the limits'
    # columns; the stamp carries them (net_benefit_count_headers), the gate recomputes
    n, counts = model_net_benefit_counts(true_positives=[22, 18, 5], treated=[104, 60, 30],
                                         people=104)
    assert (n, counts) == (105, [(20, 105), (20, 60), None])
    curve = pd.DataFrame({"threshold": [0.1, 0.2, 0.4], "model": [0.1, 0.1, 0.1],
                          "model_lower": [0.0, 0.0, 0.0], "model_upper": [0.2, 0.2, 0.2],
                          "treat_all": [0.0, 0.0, 0.0], "treat_none": [0.0, 0.0, 0.0]})
    table = model_outputs(curve, {}, not_counts=["model", "model_lower", "model_upper",
                                                 "treat_none"],
                          inputs=["threshold"], treat_all=(22, 104),
                          model_counts=([22, 18, 5], [104, 60, 30]))
    recorded = header_rules(table)["net_benefit_count_headers"]
    assert recorded == {column_label("model"): {
        "threshold": column_label("threshold"), "people": 105,
        "points": [[0.1, 20, 105], [0.2, 20, 60]],
        "lower": column_label("model_lower"), "upper": column_label("model_upper")}}
    assert table.frame["model"].tolist()[:2] == pytest.approx(
        [model_net_benefit(20, 105, 105, 0.1), model_net_benefit(20, 60, 105, 0.2)])
    assert pd.isna(table.frame["model"].iloc[2])  # hidden with its counts


def test_confusion_counts_agree_with_net_benefit():
    rng = np.random.default_rng(5)
    y, risk = (rng.random(300) < 0.3).astype(float), rng.random(300)
    tp, treated = confusion_counts(y, risk, (0.1, 0.3, 0.6))
    raw = net_benefit(y, risk, (0.1, 0.3, 0.6))["model"].to_numpy()
    odds = np.array([0.1, 0.3, 0.6]) / (1 - np.array([0.1, 0.3, 0.6]))
    assert np.allclose(raw, (np.array(tp) - (np.array(treated) - np.array(tp)) * odds) / 300)


def _decision(true_positives: list[int], treated: list[int]):
    curve = pd.DataFrame({"threshold": [0.1, 0.2, 0.4], "model": [0.1, 0.1, 0.1],
                          "model_lower": [0.0, 0.0, 0.0], "model_upper": [0.2, 0.2, 0.2],
                          "treat_all": [0.0, 0.0, 0.0], "treat_none": [0.0, 0.0, 0.0]})
    return model_outputs(curve, {}, not_counts=["model", "model_lower", "model_upper",
                                                "treat_none"],
                         inputs=["threshold"], treat_all=(22, 104),
                         model_counts=(true_positives, treated))


@pytest.mark.parametrize(("true_positives", "treated", "hidden"), [
    ([22, 18, 12], [104, 60, 40], False),
    ([22, 18, 5], [104, 60, 30], True),  # 5 true positives at 0.4: hidden
])
def test_a_decision_curves_note_says_what_the_count_rule_did_to_it(
        output, true_positives, treated, hidden):
    # issue 12, wave 42: the note under the crisis page's decision curve stated the
    # count rule ("Counts from 1 to 7 are suppressed and shown as [c]; other counts
    # are rounded to the nearest 5.") beside a table that shows no count
    from lifetools import tables

    table = _decision(true_positives, treated)
    assert table.frame["model"].isna().any() == hidden
    note = tables.show_table(table, name="decision", not_counts=["treat_none"],
                             proportions=["threshold"], caption="c").note
    assert "Counts from 1 to 7 are suppressed" not in note
    assert ("No count is shown: the net benefit of acting for everyone is computed "
            "from the counts of people and of people with the outcome, and the "
            "model's from its counts of people treated and of those with the outcome, "
            "each count rounded to the nearest 5 as published; a count from 1 to 7 "
            "would be hidden, and the net benefit from it.") in note
    assert note.endswith("A net benefit shown as [c] is computed from a hidden count."
                         if hidden else "Every net benefit is shown.")


def test_net_benefit_sentence_follows_the_profile_and_what_is_shown():
    from lifetools.disclosure.rule_text import net_benefit_sentence

    midpoint = str(net_benefit_sentence("opensafely-midpoint6", treat_all=True,
                                        model=False, hidden=False))
    assert midpoint == ("No count is shown: the net benefit of acting for everyone is "
                        "computed from the counts of people and of people with the "
                        "outcome, each count rounded to the midpoint of its band of 6 "
                        "as published. Every net benefit is shown.")
    withheld = str(net_benefit_sentence(treat_all=True, model=True, hidden=False,
                                        complete=False))
    assert withheld.endswith("and the net benefit from it.")


def test_a_withheld_models_decision_curve_is_not_said_to_show_every_net_benefit(output):
    # the 2023-24 crisis page at 12,000 people: the model withheld, treat-all shown
    from lifetools import tables

    release = _withheld_release()
    assert not release.released
    table = model_outputs(_curve(22, 104), dict.fromkeys(["model"], release),
                          not_counts=["treat_none"], inputs=["threshold"],
                          treat_all=(22, 104))
    note = tables.show_table(table, name="decision", not_counts=["treat_none"],
                             proportions=["threshold"], caption="c").note
    assert "the net benefit of acting for everyone is computed from the counts" in note
    assert "the model's" not in note and "Every net benefit is shown" not in note


def test_treat_all_is_hidden_by_the_shares_own_rule(monkeypatch):
    # one owner: treat_all_values kept its own copy of share's rule (a share of none
    # or all of the group is not shown: groups.extreme_share) until wave 43; it now
    # asks share, so a change to that rule reaches the decision curve too
    from lifetools.disclosure import derived

    assert treat_all_values(THRESHOLDS, events=20, people=105, profile=PROFILE)[1:] == (
        20, 105)
    hidden = derived.share(3, 105, profile=PROFILE)  # a share the rule hides
    monkeypatch.setattr(derived, "share", lambda *a, **k: hidden)
    assert treat_all_values(THRESHOLDS, events=20, people=105, profile=PROFILE) == (
        [None] * len(THRESHOLDS), None, None)


@st.composite
def _events_of_people(draw):
    people = draw(st.integers(0, 3000))
    return draw(st.integers(0, people)), people


@settings(max_examples=examples(200))
@given(counts=_events_of_people(), group=st.booleans())
def test_treat_all_is_shown_exactly_where_its_share_is(counts, group):
    # events among the people (never more: until wave 48 the strategy drew events
    # above people too, where what is shown follows the published counts, below)
    from dataclasses import replace

    from lifetools.disclosure import share

    events, people = counts
    profile = replace(PROFILE, group_disclosure=group)
    values, k, n = treat_all_values(THRESHOLDS, events=events, people=people,
                                    profile=profile)
    shown = share(events, people, profile=profile).value is not None
    assert (k is not None) == shown and (values[0] is not None) == shown


def test_treat_all_of_more_events_than_people_follows_the_published_counts():
    # what is shown depends on the published counts only (share's rule): 40 events of
    # 23 people publish as 40 of 25, more than all, hidden; 24 of 23 publish as 25 of
    # 25, every one of them, shown without group disclosure (found by hypothesis)
    from dataclasses import replace

    profile = replace(PROFILE, group_disclosure=False)
    assert treat_all_values(THRESHOLDS, events=40, people=23, profile=profile) == (
        [None] * len(THRESHOLDS), None, None)
    values, k, n = treat_all_values(THRESHOLDS, events=24, people=23, profile=profile)
    assert (k, n) == (25, 25) and values[0] == pytest.approx(1.0)
