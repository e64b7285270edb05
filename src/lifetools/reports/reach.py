"""The reach and activity report: the Life Rooms in numbers, reach and equity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from lifetools import disclosure
from lifetools.describe import describe_population, people_in_locality
from lifetools.dictionary import load_dictionary
from lifetools.disclosure import (
    ProtectedTable,
    compose,
    declare_totals,
    join,
    model_release,
    protected_count,
)
from lifetools.inequality import equity_summary
from lifetools.reports.sentences import result_sentence
from lifetools.result_names import ReachName

__all__ = ["DEPRIVATION", "ReachReport", "analyse_reach", "linked_equity",
           "protected_shares"]

DEPRIVATION = "Deprivation quintile"
"""The characteristic of the reach table whose groups are the equity table's fifths."""


def protected_shares(table: pd.DataFrame, count_cols: list[str]) -> ProtectedTable:
    """Protect counts, then add percentages of each column from the protected counts.

    Each characteristic's counts add up to a published population total, so they get
    secondary suppression within each characteristic; percentages are of the
    published total, and hidden for a whole characteristic when any of its cells is
    (see :func:`lifetools.disclosure.protected_shares`).
    """
    return disclosure.protected_shares(table, count_cols, by="characteristic")


def linked_equity(people: pd.DataFrame, reach: ProtectedTable) -> Any:
    """Life Rooms users per 1,000 people by deprivation fifth, protected with ``reach``.

    Both tables publish the users of each fifth: a fifth whose users the
    characteristics table hides (often only to protect its "Not known" row) is hidden
    in the equity table too (its rate and the slope index with it), or subtracting the published fifths from the users' total
    would give back the "Not known" count (differencing across the two tables).
    """
    hidden = disclosure.hidden_labels(reach, label_col="group", column="Life Rooms users",
                                      where={"characteristic": DEPRIVATION})
    fifths = {label.split(" ")[0] for label in hidden if label[:1].isdigit()}
    return equity_summary(people, event_col="used", person_time_col="one",
                          label="Life Rooms users", per=1000, unit="people",
                          hide_events=fifths)


def activity_sentence(contacts: pd.DataFrame) -> Any:
    """What the visit counts count, in words: all visits, the people of the linked ones.

    People are counted from the visits linked to a person's records only, so "1,090
    visits by 290 people" (every visit, linked people) said more than was counted: the
    sentence says which visits the people made and how many could not be linked. Each
    number is a protected count (the linked visits themselves are not stated, so no
    count is left to subtract).
    """
    unlinked = contacts["person_id"].isna()
    counts = {"visits": protected_count(len(contacts)),
              "people": protected_count(int(contacts["person_id"].nunique())),
              "unlinked": protected_count(int(unlinked.sum()))}
    lead = ("There were {visits} visits to the Life Rooms; those linked to a person's "
            "health records were made by {people} people")
    if counts["unlinked"].value == 0:
        return compose(lead + ", and every visit was linked.", **counts)
    return compose(lead + ", and {unlinked} visits could not be linked to a person "
                   "(who made them is not known).", **counts)


def _satisfaction(feedback: pd.DataFrame) -> tuple[ProtectedTable, tuple]:
    """The feedback table and its two headline shares (Wilson intervals)."""
    rows, shares = [], []
    for label, hits in (("Accessing the Life Rooms was easy (agree or strongly agree)",
                         feedback["access_easy"] >= 4),
                        ("Would recommend (Friends and Family Test: good or very good)",
                         feedback["fft_response"] <= 2)):
        rows.append({"question": label, "responses": len(feedback),
                     "agreeing": int(hits.sum())})
        shares.append(disclosure.share(int(hits.sum()), len(feedback)))
    return disclosure.shares_table(pd.DataFrame(rows), numerator="agreeing",
                                   denominator="responses"), tuple(shares)


@dataclass(frozen=True)
class ReachReport:
    """Everything the reach report shows (tables already protected where noted)."""

    activity: pd.DataFrame
    pathways: pd.DataFrame
    sites: pd.DataFrame
    monthly: pd.DataFrame
    satisfaction: ProtectedTable
    reach: ProtectedTable
    equity: Any
    key_results: tuple[dict[str, Any], ...]
    equity_estimates: ProtectedTable | None = None
    """``equity.summary`` as released by the model release check (what pages show)."""


def analyse_reach(dataset: Any, *, period_start: str, period_end: str,
                  locality: str = "all") -> ReachReport:
    """Visits, prescriptions, GP registrations, nationalities, satisfaction, reach, equity.

    Notes
    -----
    Counts are raw here except ``satisfaction`` and ``reach`` (protected, percentages
    from protected counts); ``pathways`` and ``sites`` declare that they add up to the
    published totals of prescriptions and visits (secondary suppression when shown); proportions have Wilson intervals; reach by deprivation is
    Life Rooms users per 1,000 residents by IMD quintile with the slope and relative
    index of inequality.
    """
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    between = lambda column: column.between(start, end)  # noqa: E731
    contacts = dataset.life_rooms_contacts[between(
        dataset.life_rooms_contacts["contact_date"])]
    prescriptions = dataset.social_prescriptions[between(
        dataset.social_prescriptions["prescription_date"])]
    feedback = dataset.feedback[between(dataset.feedback["response_date"])]
    if locality != "all":
        sites = list(load_dictionary().groups("life_rooms_contacts", "site")
                     .get(locality, ()))
        contacts = contacts[contacts["site"].isin(sites)]
        prescriptions = prescriptions[prescriptions["site"].isin(sites)]
        feedback = feedback[feedback["site"].isin(sites)]
    activity = pd.DataFrame({"key": [ReachName.VISITS, ReachName.VISITORS,
                                     ReachName.PRESCRIPTIONS, ReachName.GP_REGISTRATIONS,
                                     ReachName.NATIONALITIES],
                             "measure": ["Visits (all Life Rooms contacts)",
                                         "People visiting (linked records)",
                                         "Social prescriptions",
                                         "People helped to register with a GP",
                                         "Nationalities recorded"],
                             "n": [len(contacts), contacts["person_id"].nunique(),
                                   len(prescriptions),
                                   int(contacts["gp_registration_supported"].sum()),
                                   contacts["nationality"].nunique()]})
    pathways = declare_totals(prescriptions.groupby("pathway_category").size().rename(
        "prescriptions").reset_index().sort_values("pathway_category", ignore_index=True))
    sites = declare_totals(contacts.groupby("site").size().rename("visits").reset_index())
    monthly = contacts.assign(month=contacts["contact_date"].dt.to_period("M")
                              .dt.to_timestamp()).groupby("month").size().rename(
        "contacts").reset_index()
    described = describe_population(dataset, period_start=period_start,
                                    period_end=period_end, locality=locality)
    reach = protected_shares(described.characteristics, ["Secondary care",
                                                         "Life Rooms users"])
    people = people_in_locality(dataset, locality)
    users = set(contacts["person_id"].dropna())
    people = people.assign(used=people["person_id"].isin(users).astype(int), one=1.0)
    equity = linked_equity(people, reach)
    # the indices are fitted to the quintiles' counts: users per quintile checked
    equity_estimates = model_release(equity, data=people, event_col="used",
                                     level_cols=["imd_quintile"],
                                     withheld=equity.withheld).estimates(equity.summary)
    satisfaction, (access, recommend) = _satisfaction(feedback)
    key = tuple({"name": k, "value": int(v), "kind": "count", "label": m}
                for k, m, v in activity[["key", "measure", "n"]].itertuples(index=False))
    key += ({"name": ReachName.ACTIVITY_SENTENCE, "value": None, "kind": "text",
             "label": "Summary: visits and the people who made them",
             "text": activity_sentence(contacts)},
            {"name": ReachName.ACCESS_EASY, "value": access,
             "kind": "percentage", "label": "Said access was easy (%)"},
            {"name": ReachName.RECOMMEND, "value": recommend,
             "kind": "percentage", "label": "Would recommend (%)"},
            {"name": ReachName.FEEDBACK_SENTENCE, "value": None, "kind": "text",
             "label": "Summary: the feedback survey", "text": join(" ", (
                 result_sentence(access, kind="percentage", found="Of people answering "
                                 "the feedback survey, {value} ({level} confidence interval "
                                 "{interval}) said access was easy.",
                                 missing="The share saying access was easy"),
                 result_sentence(recommend, kind="percentage", found="{value} ({level} "
                                 "confidence interval {interval}) would recommend the "
                                 "Life Rooms.",
                                 missing="The share who would recommend the Life Rooms"),
             ))})
    return ReachReport(activity=activity, pathways=pathways, sites=sites,
                       monthly=monthly, satisfaction=satisfaction, reach=reach,
                       equity=equity, key_results=key,
                       equity_estimates=equity_estimates)
