"""The crisis-risk report's participant flow as protected counts (issue 12, waves 21-22).

The flow (people at each step of the development and validation cohorts) was the one
published count of the report held raw in the report and protected only when shown;
it is now a protected table where it is made (``crisis_parts.flow_table``).
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from lifetools import tables
from lifetools.cohort.crisis import FLOW_OUTCOMES, CrisisCohort, flow_row
from lifetools.disclosure import ProtectedTable, protected_count
from lifetools.errors import DisclosureError
from lifetools.reports.crisis_parts import (
    FLOW_COUNTS,
    flow_published,
    flow_table,
)

STEPS = ["Open on the index date", "Alive on the index date", *FLOW_OUTCOMES]


def _cohort(counts: list[int], steps: list[str] = STEPS) -> CrisisCohort:
    return CrisisCohort(data=pd.DataFrame(), index_date="2023-04-01", method={},
                        flow=pd.DataFrame({"step": steps[:len(counts)], "n": counts}))


def test_flow_table_protects_each_cohorts_counts():
    flow = flow_table(_cohort([1203, 1187, 96, 3]), _cohort([1311, 1290, 101, 12]))
    assert isinstance(flow, ProtectedTable) and flow.count_cols == list(FLOW_COUNTS)
    frame = flow.frame
    assert frame["step"].tolist() == STEPS
    assert frame["development"].tolist()[:3] == [1205, 1185, 95]
    assert frame["development"].tolist()[3] is pd.NA  # 3 people: suppressed
    assert frame["validation"].tolist() == [1310, 1290, 100, 10]


def test_flow_table_is_shown_as_made_and_refuses_a_raw_count_put_back(tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    flow = flow_table(_cohort([1203, 1187, 96, 3]), _cohort([1311, 1290, 101, 12]))
    shown = tables.show_table(flow, name="flow", count_cols=list(FLOW_COUNTS),
                              caption="Development and validation cohorts")
    assert shown.rules["count_cols"] == list(FLOW_COUNTS)
    raw = flow.frame.assign(development=[1203, 1187, 96, 3])
    with pytest.raises(DisclosureError):
        tables.show_table(raw, name="flow", count_cols=list(FLOW_COUNTS),
                          caption="Development and validation cohorts")


def test_flow_table_reads_the_crisis_and_death_rows_as_disjoint_parts():
    # 1203 open, 1200 alive (3 died before the index date: the open row hidden), of
    # whom 96 had a crisis and 30 died first: not a subset of each other (30 < 96
    # would pass a chain too, 130 > 96 would not)
    flow = flow_table(_cohort([1203, 1200, 96, 130]), _cohort([1311, 1290, 101, 12]))
    assert flow.record.flow == (None, 0, 1, 1)
    assert flow.frame["development"].tolist()[1:] == [1200, 95, 130]
    assert flow.frame["development"].tolist()[0] is pd.NA


def test_flow_table_hides_the_open_row_above_3_deaths_before_the_index_date():
    # each row rounded alone gave 1205 and 1200: "5 died", truly 3 (wave 22)
    def cohort(counts):
        return SimpleNamespace(flow=pd.DataFrame({"step": STEPS[:2], "n": counts}))

    flow = flow_table(cohort([1203, 1200]), cohort([1311, 1290]))
    assert flow.frame["development"].tolist()[0] is pd.NA
    assert flow.frame["development"].tolist()[1] == 1200
    assert flow.frame["validation"].tolist() == [1310, 1290]  # 21 died: shown


def test_flow_published_hides_a_count_with_the_flows_cell():
    # wave 23: the decision curve's treat-all counts are the flow's, hidden with them.
    # Validation: 1290 alive, 3 crises (hidden by the count rule); 1287 alive, 100
    # crises (shown)
    hidden = _cohort([1311, 1290, 3, 12])
    flow = flow_table(_cohort([1203, 1187, 96, 3]), hidden)
    crises = flow_published(flow, hidden, hidden.crisis_row)
    assert crises.kind == "count" and crises.suppressed
    assert flow_published(flow, hidden, hidden.people_row).value == 1290
    shown = _cohort([1311, 1287, 100, 12])
    flow = flow_table(_cohort([1203, 1187, 96, 3]), shown)
    assert flow_published(flow, shown, shown.crisis_row).value == 100
    # the flow's published (rounded) number, not the raw count: 1287 is shown as 1285
    assert flow_published(flow, shown, shown.people_row).value == 1285


def test_flow_published_is_hidden_with_a_row_the_flow_step_rule_hides():
    # the open row above 3 deaths before the index date is hidden by the flow-step
    # rule, not by the count rule: the count made from it is hidden too
    cohort = _cohort([1203, 1200, 96, 30])
    flow = flow_table(cohort, _cohort([1311, 1290, 101, 12]))
    assert flow_published(flow, cohort, 0, column="development").suppressed
    assert not protected_count(1203).suppressed  # alone, the count would be shown


def test_flow_rows_are_found_by_their_step_not_their_place():
    # wave 41: a flow with one more step before the outcomes (a warehouse query's
    # extra selection) moves the outcome rows; the fixed places 1 and 2 read the
    # wrong rows (and the count was matched by value, the raw one passed on)
    steps = ["Open on the index date", "Aged 18 or over", "Alive on the index date",
             *FLOW_OUTCOMES]
    cohort = _cohort([1311, 1300, 1290, 101, 12], steps)
    assert (cohort.people_row, cohort.crisis_row) == (2, 3)
    assert flow_row(cohort.flow, FLOW_OUTCOMES[1]) == 4
    with pytest.raises(KeyError, match="0 rows"):
        flow_row(cohort.flow, "Of these, discharged")


def test_flow_published_refuses_another_cohorts_flow():
    flow = flow_table(_cohort([1203, 1187, 96, 3]), _cohort([1311, 1290, 101, 12]))
    with pytest.raises(ValueError, match="not this cohort's flow"):
        flow_published(flow, _cohort([1311, 1290]), 1)


def test_count_at_refuses_a_column_that_is_not_a_count():
    flow = flow_table(_cohort([1203, 1187, 96, 3]), _cohort([1311, 1290, 101, 12]))
    with pytest.raises(DisclosureError, match="'step' is not a protected count"):
        flow.count_at(0, "step")
    with pytest.raises(IndexError):
        flow.count_at(4, "validation")


def test_planning_prevalence_is_the_published_share_or_none():
    from lifetools.reports.crisis_parts import planning_prevalence

    shown = _cohort([1311, 1287, 101, 12])
    flow = flow_table(shown, _cohort([1311, 1290, 100, 12]))
    share = planning_prevalence(
        flow_published(flow, shown, shown.crisis_row, "development"),
        flow_published(flow, shown, shown.people_row, "development"))
    assert share == 100 / 1285  # the rounded counts, not 101 / 1287
    hidden = _cohort([1311, 1290, 3, 12])
    flow = flow_table(hidden, _cohort([1311, 1290, 100, 12]))
    assert planning_prevalence(
        flow_published(flow, hidden, hidden.crisis_row, "development"),
        flow_published(flow, hidden, hidden.people_row, "development")) is None


def test_sample_size_results_say_why_a_size_from_a_hidden_share_is_not_shown():
    from lifetools.reports.crisis_results import sample_size_results
    from lifetools.reports.prediction import sample_size

    why = "the count of people with a crisis is hidden to protect privacy"
    required, sentence = sample_size_results(None, 1290, why)
    assert required["value"] is None and str(required["text"]) == (
        "not shown: it is computed from the share of the development cohort with a "
        f"crisis, and {why}")
    assert str(sentence["text"]) == ("The development cohort had 1,290 people; the "
                                     f"minimum sample size is {required['text']}.")
    with pytest.raises(ValueError, match="needs its reason"):
        sample_size_results(None, 1290)
    size = sample_size(parameters=13, prevalence=100 / 1285, r2_fraction=0.15)
    required, sentence = sample_size_results(size, 1290)
    assert required["value"] == size.n and str(required["text"]) == f"{size.n:,}"
    assert f"needed {size.n:,}." in str(sentence["text"])


def _published(events: int, people: int, profile=None) -> tuple:
    from lifetools.disclosure import protected_count

    return (protected_count(events, profile=profile),
            protected_count(people, profile=profile))


@pytest.mark.parametrize(("events", "people"), [
    (101, 1287),     # an ordinary share: 100 of 1,285
    (0, 1287),       # none of them
    (1287, 1287),    # all of them
    (3, 1287),       # the crises hidden (1 to 7)
    (101, 5),        # the people hidden
    (10, 25_000),    # 0.04%: reads as none of them at one decimal place
    (24_990, 25_000),  # 99.96%: reads as all of them
    (10, 20_000),    # 0.05% reads "0.1%": shown
])
def test_planning_prevalence_is_disclosure_share_over_100_at_the_bounds(events, people):
    # the planning prevalence is the published share as a proportion, hidden where
    # the share is: the copy of share's rules it kept until wave 42 gave 10 / 25,000
    # (a share that reads 0.0%) and 24,990 / 25,000 (100.0%)
    from lifetools.disclosure import share
    from lifetools.reports.crisis_parts import planning_prevalence

    k, n = _published(events, people)
    published = share(k, n)
    got = planning_prevalence(k, n)
    if published.value is None:
        assert got is None
    else:
        assert got == pytest.approx(published.value / 100, rel=1e-12)
        assert got == published.numerator / published.denominator


def test_planning_prevalence_without_group_disclosure():
    # a profile that does not rule group disclosure publishes a share of none or all
    # of the cohort, but Riley's criteria are undefined there: no planning share; a
    # share that reads 0.0% but is not none is the planning share
    from dataclasses import replace

    from lifetools.disclosure import get_profile, share
    from lifetools.reports.crisis_parts import planning_prevalence

    off = replace(get_profile("default"), name="default", group_disclosure=False)
    for events in (0, 1285):
        k, n = _published(events, 1285)
        assert share(k, n, profile=off).value in (0.0, 100.0)
        assert planning_prevalence(k, n, profile=off) is None
    k, n = _published(10, 25_000)
    assert share(k, n).value is None
    assert planning_prevalence(k, n, profile=off) == 10 / 25_000


HIDDEN = "hidden to protect privacy"


@pytest.mark.parametrize(("events", "people", "group", "why"), [
    (101, 1287, True, ""),  # shown: no reason
    (3, 1287, True, f"the count of people with a crisis is {HIDDEN}"),
    # the people hidden, the crises shown: the reason said the crises were hidden
    (101, 5, True, f"the count of people in it is {HIDDEN}"),
    (3, 5, True, f"the counts of people in it and of people with a crisis are {HIDDEN}"),
    # both counts shown (10 and 25,000), the share of them not (it reads 0.0%): the
    # reason said the count of crises was hidden beside a flow that showed it
    (10, 25_000, True, f"that share is {HIDDEN}"),
    (24_990, 25_000, True, f"that share is {HIDDEN}"),
    (0, 0, True, "the cohort has no one in it"),
    # a profile without group disclosure shows a share of none or all: nothing hidden
    (0, 1285, False, "it is none of the cohort, where Riley's criteria are not defined"),
    (1285, 1285, False, "it is all of the cohort, where Riley's criteria are not defined"),
])
def test_planning_share_says_what_was_hidden_and_why(events, people, group, why):
    # the minimum sample size's reason said "the count of people with a crisis is
    # hidden" whatever was not published, until wave 43
    from dataclasses import replace

    from lifetools.disclosure import get_profile
    from lifetools.reports.crisis_parts import planning_prevalence, planning_share

    profile = replace(get_profile("default"), name="default", group_disclosure=group)
    k, n = _published(events, people, profile)
    got = planning_share(k, n, profile=profile)
    assert got.why == why and (got.value is None) == bool(why)
    assert got.value == planning_prevalence(k, n, profile=profile)
    # raw counts are read as published
    assert planning_share(events, people, profile=profile).why == why
