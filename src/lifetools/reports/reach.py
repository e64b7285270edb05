"""The reach and activity report: the Life Rooms in numbers, reach and equity."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from lifetools import disclosure
from lifetools.dataset import Dataset
from lifetools.describe import describe_population
from lifetools.dictionary import load_dictionary
from lifetools.disclosure import (
    ProtectedTable,
    ProtectedText,
    compose,
    declare_totals,
    get_profile,
    join,
    model_release,
    protected_count,
)
from lifetools.disclosure.group_counts import reveals_whole_group
from lifetools.disclosure.withheld import PRIVACY
from lifetools.engines import engine_tables
from lifetools.errors import DisclosureError
from lifetools.formatting import format_percentage
from lifetools.inequality import equity_summary
from lifetools.labels import DEPRIVATION_FIFTHS
from lifetools.people import people_in_locality
from lifetools.reports.narrative import part_count_result
from lifetools.reports.sentences import result_sentence
from lifetools.result_names import ReachName

__all__ = ["DEPRIVATION", "EQUITY_COLUMNS", "PAGE_ORDER", "ReachReport", "analyse_reach", "certainty_sentence",
           "chart_rounding_sentence", "reach_percentages_text",
           "deprivation_groups", "grouping_sentence", "linked_equity", "linked_reach_equity",
           "hidden_share_blocks", "hidden_shares_sentence", "protected_shares",
           "rounding_sentence", "unequal_sums"]

DEPRIVATION = "Deprivation quintile"
"""The characteristic of the reach table whose groups are the equity table's fifths."""

PAGE_ORDER = (ReachName.FEEDBACK_SENTENCE, ReachName.CERTAINTY_SENTENCE)
"""The page's parts in the order :func:`certainty_sentence`'s pointer to the survey's
reasons given above assumes (the summary's feedback sentence first): each a key
result's name, glued. Checked against the notebook by
``tests/notebooks/test_page_order.py``."""


def protected_shares(table: pd.DataFrame, count_cols: list[str]) -> ProtectedTable:
    """Protect counts, then add percentages of each column from the protected counts.

    Each characteristic's counts add up to a published population total, so they get
    secondary suppression within each characteristic; percentages are of the
    published total, and hidden for a whole characteristic when any of its cells is
    (see :func:`lifetools.disclosure.protected_shares`).
    """
    return disclosure.protected_shares(table, count_cols, by="characteristic")


POPULATIONS = ("Secondary care", "Life Rooms users")
"""The count columns of the reach table (one per population compared)."""

_GROUP_WORDS = {**DEPRIVATION_FIFTHS, "Not known": "people whose area is not known"}


def _joined(names: list[str]) -> str:
    """A group's label in the chart: ``["3"]`` -> "Quintile 3", ``["1 (most deprived)"]``
    -> "Quintile 1 (most deprived)", ``["1 (most deprived)", "2", "4", "Not known"]`` ->
    "Quintiles 1, 2 and 4 or not known".

    A fifth's number always follows the word "quintile", so neither a reader nor the
    gate (:mod:`lifetools.disclosure.prose`, a label's number) takes it for a count: a
    bare "3" left alone on the chart's axis would read as one (the 2,000-person build's
    chart had only the groups "3" and "1 (most deprived), 2, 4, 5 (least deprived) or
    not known", and the gate refused both).
    """
    fifths = [n for n in names if n[:1].isdigit()]
    known = "Not known" in names
    if len(fifths) == 1:
        label = "Quintile " + fifths[0]
    elif fifths:
        numbers = [n.split(" ")[0] for n in fifths]
        label = "Quintiles " + ", ".join(numbers[:-1]) + " and " + numbers[-1]
    else:
        return "Not known"
    return label + " or not known" if known else label


def _grouped(fine: pd.DataFrame, groups: list[list[int]]) -> ProtectedTable:
    labels = [str(g) for g in fine["group"]]
    raw = pd.DataFrame({"characteristic": DEPRIVATION,
                        "group": [_joined([labels[i] for i in g]) for g in groups],
                        **{c: [int(fine[c].iloc[g].sum()) for g in groups]
                           for c in POPULATIONS}})
    return protected_shares(raw, list(POPULATIONS))


def deprivation_groups(characteristics: pd.DataFrame, reach: ProtectedTable
                       ) -> tuple[ProtectedTable, tuple[tuple[str, ...], ...]]:
    """The reach by deprivation in the finest groups whose percentages can all be shown.

    Parameters
    ----------
    characteristics
        The raw counts of :func:`lifetools.describe.describe_population`.
    reach
        The same counts protected (:func:`protected_shares`): its deprivation rows fix
        which cells are hidden.

    Returns
    -------
    tuple
        The protected table of the deprivation groups (counts and percentages of both
        populations), and the groups made of several rows (their labels), in order.

    Notes
    -----
    Where the reach table hides a cell of its deprivation breakdown (the users whose
    area is not known are usually fewer than the threshold, and a second cell is hidden
    to protect them), no percentage of that population can be shown (the
    complementary rule of :func:`lifetools.disclosure.protected_shares`). Here the rows
    hidden in any population are combined into one group, and a group still hidden
    under the same rules is combined again (with every other hidden group, or with its
    smaller neighbour), until nothing is hidden or one group is left. Every group is
    then either a row published in the reach table or the group holding every hidden
    cell of the breakdown, whose total the reach table already gives (the population
    less its published rows): no hidden cell can be worked out from the two tables.
    The rules are not relaxed: the groups' counts and percentages pass them as any
    table does. Tested in ``tests/unit/test_reach_groups.py``.
    """
    fine = characteristics[characteristics["characteristic"] == DEPRIVATION
                           ].reset_index(drop=True)
    hidden = set().union(*(disclosure.hidden_labels(
        reach, label_col="group", column=c, where={"characteristic": DEPRIVATION})
        for c in POPULATIONS))
    rows = [i for i, g in enumerate(fine["group"]) if str(g) in hidden]
    groups = [[i] for i in range(len(fine)) if i not in rows] + ([rows] if rows else [])
    while True:
        groups.sort(key=min)
        table = _grouped(fine, groups)
        shut = sorted({r for r, c, _ in table.record.suppressed if c in POPULATIONS})
        if not shut or len(groups) == 1:
            break
        if len(shut) == 1:  # one hidden group: with its smaller neighbour
            r = shut[0]
            near = [n for n in (r - 1, r + 1) if 0 <= n < len(groups)]
            shut = sorted([r, min(near, key=lambda n: (
                int(fine[list(POPULATIONS)].iloc[groups[n]].to_numpy().sum()), n))])
        merged = sorted(i for r in shut for i in groups[r])
        groups = [g for k, g in enumerate(groups) if k not in shut] + [merged]
    labels = [str(g) for g in fine["group"]]
    return table, tuple(tuple(labels[i] for i in g) for g in groups if len(g) > 1)


def grouping_sentence(combined: tuple[tuple[str, ...], ...], *, whole: bool = False
                      ) -> ProtectedText:
    """What the deprivation chart combined, in words (no numbers): generated, never typed.

    ``whole``: the groups were combined into one, the whole of each population, so the
    chart draws no breakdown (:func:`lifetools.plots.plot_reach`) and the sentence says
    so rather than listing every group as "shown together".
    """
    if not combined:
        return compose("Each deprivation fifth is shown on its own.")
    if whole:
        return compose("The chart shows no breakdown by deprivation: on its own a count "
                       "in any deprivation fifth, or among people whose area is not "
                       "known, would be hidden (it is small, or would give a small count "
                       "away), and so would every percentage of that population.")
    return compose("In the chart, {groups} are shown together: on their own a count "
                   "there would be hidden (it is small, or would give a small count away), "
                   "and so would every percentage of that population.",
                   groups=_combined_words(combined))


def _combined_words(combined: tuple[tuple[str, ...], ...]) -> str:
    """The rows the chart combined, in words: "the second least deprived fifth and
    people whose area is not known"."""
    words = [_GROUP_WORDS.get(label.split(" ")[0] if label[:1].isdigit() else label,
                              label) for group in combined for label in group]
    # one group here (the hidden rows are combined into one); several read as a list
    return ", ".join(words[:-1]) + " and " + words[-1]


_POPULATION_WORDS = {"Secondary care": "the secondary-care caseload",
                     "Life Rooms users": "Life Rooms users"}


def _as_shown(value: Any) -> float:
    """A percentage as the page writes it (one decimal place, through the one
    formatter), as a number to add up."""
    return float(format_percentage(value).rstrip("%"))


def unequal_sums(table: ProtectedTable, *, by: str = "characteristic"
                 ) -> tuple[tuple[str, str], ...]:
    """The blocks whose shown percentages do not add up to 100.0, as written.

    Each percentage is a count rounded on its own over the population's total rounded
    on its own (:func:`protected_shares`), written to one decimal place, so a block's
    percentages can add up to a little more or less than 100: the reach chart at
    30,000 people showed percentages adding to 101.7%. Returns ``(population,
    characteristic)`` for each block of a population column whose percentages are all
    shown and whose sum of the percentages as written (one decimal place each) is not
    100.0 (a block with a hidden percentage shows no sum, so it is never named here and
    in :func:`hidden_shares_sentence` both). Tested in ``tests/unit/test_reach_shares.py``.
    """
    frame = table.verify().frame
    found = []
    for population in POPULATIONS:
        column = f"{population} %"
        for characteristic, rows in frame.groupby(by, sort=False)[column]:
            if rows.isna().any():
                continue
            if round(sum(_as_shown(v) for v in rows), 1) != 100.0:
                found.append((population, str(characteristic)))
    return tuple(found)


def hidden_share_blocks(table: ProtectedTable, *, by: str = "characteristic"
                        ) -> dict[str, list[str]]:
    """Population -> the characteristics whose percentages of it are all hidden (the
    complementary rule: a count of the breakdown is hidden), in table order."""
    frame = table.verify().frame
    found: dict[str, list[str]] = {}
    for population in POPULATIONS:
        shares = frame.groupby(by, sort=False)[f"{population} %"]
        for characteristic, rows in shares:
            if rows.isna().all():
                found.setdefault(population, []).append(str(characteristic))
    return found


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def hidden_shares_sentence(table: ProtectedTable, *, by: str = "characteristic"
                           ) -> ProtectedText | None:
    """Which percentages of the reach table are hidden, in words (``None`` when none
    is): a table of [c] under a population says why only in its note's list of every
    reason; where a whole breakdown's percentages are hidden because one of its counts
    is, the page says so. Tested in ``tests/unit/test_reach_shares.py``."""
    found = hidden_share_blocks(table, by=by)
    if not found:
        return None
    parts = [f"of {_POPULATION_WORDS.get(p, p)} by "
             + _listed([c.lower() for c in found[p]]) for p in found]
    return compose("The percentages {which} are not shown: in each of those breakdowns "
                   "a count is hidden, and beside it the percentages and the published "
                   "total would give it back.", which=" and those ".join(parts))


def rounding_sentence(table: ProtectedTable, *, by: str = "characteristic"
                      ) -> ProtectedText:
    """The note beside the reach table: what the percentages are of and, generated
    from the sums of exactly the percentages the table shows (:func:`unequal_sums`),
    whether a population's percentages add up to the whole. As official statistics say
    "percentages may not sum to 100 because of rounding", but only where they do not,
    naming where; no digit (the gate's rule for words), so the chart's sums are in its
    alt text, and what the chart's own groups add up to is said apart
    (:func:`chart_rounding_sentence`): the 30,000-person build's page named, as not
    adding up in the table, a breakdown whose table column adds up to 100.0 (only the
    chart's combined groups did not) and one whose percentages the table hides.
    Tested in ``tests/unit/test_reach_shares.py``."""
    lead = ("Each percentage is of its population's published total; each count and "
            "each total is rounded on its own")
    found = unequal_sums(table, by=by)
    if not found:
        return compose(lead + ", and each population's percentages in each breakdown "
                       "the table shows add up to the whole.")
    words = [f"{_POPULATION_WORDS.get(p, p)} by {c.lower()}" for p, c in found]
    listed = _listed(words)
    return compose(lead + ", so a population's percentages may not add up to the "
                   "whole because of rounding: in the table, those of {where} do not.",
                   where=listed)


def chart_rounding_sentence(chart: ProtectedTable,
                            combined: tuple[tuple[str, ...], ...]) -> ProtectedText | None:
    """Whether the deprivation chart's percentages add up to the whole, where its
    groups are not the table's (``combined``, :func:`deprivation_groups`): the chart's
    groups are counted and rounded on their own, so their percentages may add up where
    the table's do not or the other way round. ``None`` where the chart draws the
    table's own rows (nothing combined: the table's sentence covers it) or where its
    percentages add up. The sums themselves are in the chart's alt text.
    Tested in ``tests/unit/test_reach_shares.py``."""
    if not combined:
        return None
    found = [p for p, _ in unequal_sums(chart)]
    if not found:
        return None
    return compose("In the chart, where {groups} are combined, the percentages of "
                   "{which} do not add up to the whole because of rounding (the chart's "
                   "description gives their sums).", groups=_combined_words(combined),
                   which=" and of ".join(_POPULATION_WORDS.get(p, p) for p in found))


def reach_percentages_text(table: ProtectedTable, chart: ProtectedTable,
                           combined: tuple[tuple[str, ...], ...]) -> ProtectedText:
    """The page's words on the reach percentages (key result ``rounding_sentence``):
    the table's sums (:func:`rounding_sentence`), its hidden breakdowns
    (:func:`hidden_shares_sentence`) and the chart's sums
    (:func:`chart_rounding_sentence`), each from what it is about."""
    return join(" ", [t for t in (rounding_sentence(table), hidden_shares_sentence(table),
                                  chart_rounding_sentence(chart, combined))
                      if t is not None])


def certainty_sentence(shares: tuple[Any, ...], equity_estimates: ProtectedTable | None
                       ) -> ProtectedText:
    """What "How sure we are" may say, from what the page shows.

    The survey's intervals are described only when a survey share is shown with its
    interval; the inequality indices' intervals only when an index is released. The
    survey's reasons are "given above": in the feedback sentence, which the page shows
    before this one (:data:`PAGE_ORDER`, checked against the notebook).
    Tested in ``tests/unit/test_reach_groups.py``.
    """
    parts = []
    if any(s is not None and s.value is not None and s.interval is not None
           for s in shares):
        parts.append(compose("The survey is answered by some visitors only; the "
                             "intervals of its percentages show sampling uncertainty but "
                             "not who chose to answer."))
    else:
        parts.append(compose("No percentage from the feedback survey is shown (the "
                             "reasons are given above), so no interval describes it."))
    shown = (equity_estimates is not None
             and equity_estimates.frame["estimate"].notna().any())
    parts.append(compose(
        "The intervals of the indices of inequality show the chance variation in the "
        "rates of each deprivation fifth." if shown else
        "The indices of inequality are not shown (the reason is given with them), so "
        "there is no interval for them."))
    return join(" ", parts)


EQUITY_COLUMNS = {"events": "users", "rate": "users_per_1000"}
"""The equity table's names for what its columns count: each person counts once, so
its events are Life Rooms users and its rate is users per 1,000 people (its people are
the denominator; :func:`lifetools.inequality.equity_summary` with ``unit="people"``
shows no person-years). Their words are in :data:`lifetools.labels.COLUMN_LABELS`."""


def linked_reach_equity(people: pd.DataFrame,
                        reach: ProtectedTable) -> tuple[ProtectedTable, Any]:
    """The reach table and the equity table following it, each hiding what the other
    hides (:func:`linked_equity`).

    The equity table hides a fifth's users where the reach table does. Where it hides
    one by its own rules that the reach table shows (a second fifth hidden to protect
    the first, whose users the reach table gives), the shown count would give back
    both (differencing across the tables): that fifth is hidden in the reach table too
    (:func:`lifetools.disclosure.carry_suppression`, reason "linked", with every
    percentage of Life Rooms users by deprivation: the complementary rule), and the equity table follows again, until neither hides a count the
    other shows (at most once per fifth). Tested in ``tests/unit/test_reports.py``
    (``test_reach_report``, Sefton).

    Raises
    ------
    DisclosureError
        If the two tables still disagree after every fifth was tried (not reached: each
        round hides at least one more fifth in the reach table).
    """
    for _ in range(len(people["imd_quintile"].unique()) + 1):
        try:
            return reach, linked_equity(people, reach)
        except DisclosureError as refused:
            labels = getattr(refused, "labels", None)
            if not labels:
                raise
            # the fifth in the deprivation breakdown only, and with it every share of
            # Life Rooms users by deprivation (the complementary rule: beside a hidden
            # cell, the shown shares of its total would give it back)
            reach = disclosure.carry_suppression(
                reach, label_col="group", column="Life Rooms users", labels=labels,
                where={"characteristic": DEPRIVATION}, block="characteristic")
    raise DisclosureError("the reach and equity tables could not be made to hide the "
                          "same fifths", hint="report this: it is a lifetools defect")


def linked_equity(people: pd.DataFrame, reach: ProtectedTable) -> Any:
    """Life Rooms users per 1,000 people by deprivation fifth, protected with ``reach``.

    Both tables publish the users of each fifth: a fifth whose users the
    characteristics table hides (often only to protect its "Not known" row) is hidden
    in the equity table too (its rate and the slope index with it), or subtracting the
    published fifths from the users' total would give back the "Not known" count
    (differencing across the two tables). The equity table follows the reach table
    (:func:`lifetools.disclosure.follow`): the link is in its protection record and its
    stamp, and the publish gate checks both tables as published.

    The rates table's columns are people, Life Rooms users and users per 1,000 people
    (:data:`EQUITY_COLUMNS`), with the 95% limits of the rate.
    """
    def linked(rates: ProtectedTable, label_col: str) -> ProtectedTable:
        return disclosure.follow(rates, reach, label_col=label_col, column="events",
                                 leader_label_col="group",
                                 leader_column="Life Rooms users",
                                 where={"characteristic": DEPRIVATION},
                                 label=lambda group: group.split(" ")[0])

    equity = equity_summary(people, event_col="used", person_time_col="one",
                            label="Life Rooms users", per=1000, unit="people",
                            linked=linked)
    return replace(equity, rates=equity.rates.rename(columns=EQUITY_COLUMNS))


def activity_sentence(*, visits: int, people: int, unlinked: int) -> Any:
    """What the visit counts count, in words: all visits, the people of the linked ones.

    People are counted from the visits linked to a person's records only, so "1,090
    visits by 290 people" (every visit, linked people) said more than was counted: the
    sentence says which visits the people made and how many could not be linked. Each
    number is a protected count (the linked visits themselves are not stated, so no
    count is left to subtract). The counts are the period's (:func:`contact_counts`,
    counted in the engine).
    """
    counts = {"visits": protected_count(int(visits)),
              "people": protected_count(int(people)),
              "unlinked": protected_count(int(unlinked))}
    lead = ("There were {visits} visits to the Life Rooms; those linked to a person's "
            "health records were made by {people} people")
    if counts["unlinked"].value == 0:
        return compose(lead + ", and every visit was linked.", **counts)
    return compose(lead + ", and {unlinked} visits could not be linked to a person "
                   "(who made them is not known).", **counts)


GP_LABEL = "People helped to register with a GP (linked records)"
"""The activity table's row of GP registrations: people, from the linked visits."""


def gp_registered_people(contacts: Any) -> Any:
    """The people helped to register with a GP: the distinct people of the linked
    visits at which someone was helped, an ibis expression over the contacts'
    ``person_id`` and ``gp_registration_supported`` (a table expression), counted in
    the engine.

    ``gp_registration_supported`` is recorded per visit, and the report summed visits
    under the label "People helped to register with a GP" (issue 12). A visit that
    could not be linked has no person: it is not counted (the label says "linked
    records", as the row of people visiting does), so the count is a subset of the
    people visiting and the group rule reads it against them
    (:func:`lifetools.disclosure.group_counts.reveals_whole_group`). Tested in
    ``tests/unit/test_reports.py``.
    """
    return contacts.person_id.nunique(where=contacts.gp_registration_supported)


def services_sentence(activity: pd.DataFrame) -> Any:
    """The summary's sentence about social prescriptions, GP registrations and
    nationalities, from the raw ``activity`` counts (key ``ReachName`` and ``n``), each
    a protected count. Made here, glued whole: the page typed the words around three
    glued counts until wave 29, one sentence no rule read as a whole (the gate's rule
    ``glued-counts``, issue 12). The people helped to register with a GP are said
    "not shown" when they are none or all of the people visiting (group disclosure)."""
    n = dict(zip(activity["key"], activity["n"], strict=True))
    nationalities = protected_count(int(n[ReachName.NATIONALITIES]))
    counts = {"prescriptions": protected_count(int(n[ReachName.PRESCRIPTIONS])),
              "nationalities": nationalities}
    # the number of nationalities is rounded as a count is (a nationality of one or
    # two people is a small group: an exact number, edition by edition or area by
    # area, would tell when one joined), so it reads "about 20", never as exact: the
    # 30,000-person page said "20 nationalities" of 21 (wave 37). "about" whenever the
    # profile rounds, not only when the number changed, which would tell that it did
    about = "about " if nationalities.value is not None and get_profile().base > 1 else ""
    took_part = f"people of {about}{{nationalities}} nationalities took part."
    if reveals_whole_group(int(n[ReachName.VISITORS]), int(n[ReachName.GP_REGISTRATIONS])):
        return compose(
            "There were {prescriptions} social prescriptions; how many of the people "
            "whose visits were linked were helped to register with a GP is not shown "
            "({why}), and " + took_part, why=PRIVACY, **counts)
    return compose(
        "There were {prescriptions} social prescriptions; {registrations} of the people "
        "whose visits were linked were helped to register with a GP, and " + took_part,
        registrations=protected_count(int(n[ReachName.GP_REGISTRATIONS])), **counts)


def protected_activity(activity: pd.DataFrame) -> ProtectedTable:
    """The activity table as published: its counts protected, and the people helped
    to register with a GP hidden when they are none or all of the people visiting
    (the table listed both, "20" and "20": everyone was helped)."""
    table = disclosure.protect_counts(activity, ["n"])
    n = dict(zip(activity["key"], activity["n"], strict=True))
    if reveals_whole_group(int(n[ReachName.VISITORS]), int(n[ReachName.GP_REGISTRATIONS])):
        table = disclosure.carry_suppression(table, label_col="measure", column="n",
                                             labels={GP_LABEL})
    return table


def _satisfaction(feedback: dict[str, int]) -> tuple[ProtectedTable, tuple]:
    """The feedback table and its two headline shares (Wilson intervals), from the
    responses and agreeing answers counted in the engine (:func:`activity_queries`)."""
    rows, shares = [], []
    responses = feedback["responses"]
    for label, hits in (("Accessing the Life Rooms was easy (agree or strongly agree)",
                         feedback["access_easy"]),
                        ("Would recommend (Friends and Family Test: good or very good)",
                         feedback["recommend"])):
        rows.append({"question": label, "responses": responses, "agreeing": hits})
        shares.append(disclosure.share(hits, responses))
    return disclosure.shares_table(pd.DataFrame(rows), numerator="agreeing",
                                   denominator="responses"), tuple(shares)


CONTACT_COLUMNS = ("person_id", "contact_date", "site", "gp_registration_supported",
                   "nationality")
"""The columns of the Life Rooms contacts the report reads."""
DATE_COLUMNS = {"life_rooms_contacts": "contact_date",
                "social_prescriptions": "prescription_date", "feedback": "response_date"}
"""Each activity table's date, which puts a row in a period."""


def _none_is_zero(count: Any) -> Any:
    """A conditional count, 0 over no rows: Spark counts with ``SUM`` of a cast truth
    value, which is NULL over none (found by ``tests/engines/test_engine_reach.py``)."""
    return count.fill_null(0)


def contact_counts(contacts: Any) -> Any:
    """The period's contacts counted in one row (an ibis expression over the rows of
    :func:`_period_query`): ``visits`` (every row), ``visitors`` (distinct linked
    people), ``helped`` (:func:`gp_registered_people`), ``nationalities`` (distinct
    recorded) and ``unlinked`` (visits with no person). A count of distinct values
    leaves out the missing one, as pandas' ``nunique`` did."""
    return contacts.aggregate(
        visits=contacts.count(), visitors=contacts.person_id.nunique(),
        helped=gp_registered_people(contacts),
        nationalities=contacts.nationality.nunique(),
        unlinked=_none_is_zero(contacts.count(where=contacts.person_id.isnull())))


def activity_queries(tables: Any, start: pd.Timestamp, end: pd.Timestamp,
                     sites: list[str] | None) -> dict[str, Any]:
    """The report's relational work over the activity tables, as ibis expressions run
    in the engine that holds the data (until wave 52 the period's rows were fetched
    and counted in pandas): the contacts' counts (:func:`contact_counts`), visits by
    site and calendar month, the distinct linked people (the one per-person frame:
    who used the Life Rooms, for the equity model), prescriptions by pathway (a
    missing pathway its own group, so the groups add up to every prescription) and
    the feedback survey's responses and agreeing answers (a missing answer does not
    agree). Year and month, not ``DATETRUNC`` (which needs SQL Server 2022). Compiled
    to T-SQL in ``tests/engines/test_engine_sql.py``."""
    contacts = _period_query(tables, "life_rooms_contacts", CONTACT_COLUMNS, start, end,
                             sites)
    prescriptions = _period_query(tables, "social_prescriptions", ("pathway_category",),
                                  start, end, sites)
    feedback = _period_query(tables, "feedback", ("access_easy", "fft_response"), start,
                             end, sites)
    date = contacts.contact_date
    return {
        "contacts": contact_counts(contacts),
        "site_months": contacts.group_by(site=contacts.site, year=date.year(),
                                         month=date.month()).agg(visits=contacts.count()),
        "users": contacts.filter(contacts.person_id.notnull()).select("person_id")
        .distinct(),
        "pathways": prescriptions.group_by("pathway_category").agg(
            prescriptions=prescriptions.count()),
        "feedback": feedback.aggregate(
            responses=feedback.count(),
            access_easy=_none_is_zero(feedback.count(where=feedback.access_easy >= 4)),
            recommend=_none_is_zero(feedback.count(where=feedback.fft_response <= 2))),
    }


@dataclass(frozen=True)
class _Activity:
    """The results of :func:`activity_queries`, fetched (small frames)."""

    counts: dict[str, int]
    sites: pd.DataFrame
    monthly: pd.DataFrame
    users: set
    prescriptions: int
    pathways: pd.DataFrame
    feedback: dict[str, int]


def _activity(tables: Any, start: pd.Timestamp, end: pd.Timestamp,
              sites: list[str] | None) -> _Activity:
    """Run :func:`activity_queries` and shape what they return as the report's frames:
    each grouping sorted by its key, a missing key's rows left out of it (as pandas'
    ``groupby`` did), the months as their first day."""
    queries = activity_queries(tables, start, end, sites)
    spec = load_dictionary().table("life_rooms_contacts")
    counts = {k: int(v) for k, v in tables.fetch(queries["contacts"]).iloc[0].items()}
    cells = tables.fetch(queries["site_months"])
    by_site = cells[cells["site"].notna()].groupby("site")["visits"].sum()
    site_table = pd.DataFrame({"site": by_site.index.to_numpy(dtype=object),
                               "visits": by_site.to_numpy(dtype="int64")})
    months = cells.groupby(["year", "month"])["visits"].sum()
    monthly = pd.DataFrame({
        "month": pd.to_datetime(pd.DataFrame({
            "year": months.index.get_level_values("year").astype("int64"),
            "month": months.index.get_level_values("month").astype("int64"),
            "day": 1})).astype("datetime64[ns]"),
        "contacts": months.to_numpy(dtype="int64")})
    users = tables.fetch(queries["users"], {"person_id": spec.field("person_id").type})
    paths = tables.fetch(queries["pathways"])
    known = paths[paths["pathway_category"].notna()].sort_values("pathway_category")
    pathways = pd.DataFrame({"pathway_category": known["pathway_category"].to_numpy(
        dtype=object), "prescriptions": known["prescriptions"].to_numpy(dtype="int64")})
    feedback = {k: int(v) for k, v in tables.fetch(queries["feedback"]).iloc[0].items()}
    return _Activity(counts=counts, sites=site_table, monthly=monthly,
                     users=set(users["person_id"]),
                     prescriptions=int(paths["prescriptions"].sum()), pathways=pathways,
                     feedback=feedback)


def _period_query(tables: Any, name: str, columns: tuple[str, ...], start: pd.Timestamp,
                  end: pd.Timestamp, sites: list[str] | None) -> Any:
    """The rows of table ``name`` dated in the period (both ends in), at one of
    ``sites`` if given, with only ``columns``: an ibis expression over ``tables``, which
    :func:`activity_queries` counts in the engine."""
    import ibis

    table = getattr(tables, name)
    date = table[DATE_COLUMNS[name]]
    rows = table.filter(date.between(ibis.literal(start), ibis.literal(end)))
    if sites is not None:
        rows = rows.filter(rows.site.isin(sites))
    return rows.select(*columns)


@dataclass(frozen=True)
class ReachReport:
    """Everything the reach report shows (tables already protected where noted)."""

    activity: ProtectedTable
    """Protected (:func:`protected_activity`): the people helped to register with a GP
    hidden when they are none or all of the people visiting."""
    pathways: pd.DataFrame
    sites: pd.DataFrame
    monthly: pd.DataFrame
    satisfaction: ProtectedTable
    reach: ProtectedTable
    equity: Any
    key_results: tuple[dict[str, Any], ...]
    equity_estimates: ProtectedTable | None = None
    """``equity.summary`` as released by the model release check (what pages show)."""
    deprivation: ProtectedTable | None = None
    """Reach by deprivation in groups whose percentages can all be shown (the chart)."""
    combined: tuple[tuple[str, ...], ...] = ()
    """The deprivation rows ``deprivation`` combines, by group (labels)."""


def analyse_reach(dataset: Dataset, *, period_start: str, period_end: str,
                  locality: str = "all") -> ReachReport:
    """Visits, prescriptions, GP registrations, nationalities, satisfaction, reach, equity.

    Notes
    -----
    Counts are raw here except ``activity``, ``satisfaction`` and ``reach`` (protected, percentages
    from protected counts); ``pathways`` and ``sites`` declare that they add up to the
    published totals of prescriptions and visits (secondary suppression when shown); proportions have Wilson intervals; reach by deprivation is
    Life Rooms users per 1,000 residents by IMD quintile with the slope and relative
    index of inequality.
    """
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    tables = engine_tables(dataset)
    sites = (None if locality == "all" else list(
        load_dictionary().groups("life_rooms_contacts", "site").get(locality, ())))
    counted = _activity(tables, start, end, sites)
    n = counted.counts
    activity = pd.DataFrame({"key": [ReachName.VISITS, ReachName.VISITORS,
                                     ReachName.PRESCRIPTIONS, ReachName.GP_REGISTRATIONS,
                                     ReachName.NATIONALITIES],
                             "measure": ["Visits (all Life Rooms contacts)",
                                         "People visiting (linked records)",
                                         "Social prescriptions", GP_LABEL,
                                         "Nationalities recorded"],
                             "n": [n["visits"], n["visitors"], counted.prescriptions,
                                   n["helped"], n["nationalities"]]})
    pathways = declare_totals(counted.pathways)
    sites = declare_totals(counted.sites)
    monthly = counted.monthly
    described = describe_population(dataset, period_start=period_start,
                                    period_end=period_end, locality=locality)
    reach = protected_shares(described.characteristics, ["Secondary care",
                                                         "Life Rooms users"])
    people = people_in_locality(dataset, locality, columns=["person_id", "imd_quintile"])
    people = people.assign(used=people["person_id"].isin(counted.users).astype(int),
                           one=1.0)
    reach, equity = linked_reach_equity(people, reach)
    deprivation, combined = deprivation_groups(described.characteristics, reach)
    # the indices are fitted to the quintiles' counts: users per quintile checked
    equity_estimates = model_release(equity, data=people, event_col="used",
                                     level_cols=["imd_quintile"],
                                     withheld=equity.withheld).estimates(equity.summary)
    satisfaction, (access, recommend) = _satisfaction(counted.feedback)
    visitors = int(activity.set_index("key").at[ReachName.VISITORS, "n"])
    key = tuple(part_count_result(k, m, part=int(v), group=visitors)
                if k == ReachName.GP_REGISTRATIONS else
                {"name": k, "value": int(v), "kind": "count", "label": m}
                for k, m, v in activity[["key", "measure", "n"]].itertuples(index=False))
    key += ({"name": ReachName.ACTIVITY_SENTENCE, "value": None, "kind": "text",
             "label": "Summary: visits and the people who made them",
             "text": activity_sentence(visits=n["visits"], people=n["visitors"],
                                       unlinked=n["unlinked"])},
            {"name": ReachName.SERVICES_SENTENCE, "value": None, "kind": "text",
             "label": "Summary: social prescriptions, GP registrations and nationalities",
             "text": services_sentence(activity)},
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
             ))},
            {"name": ReachName.ROUNDING_SENTENCE, "value": None, "kind": "text",
             "label": "What the reach percentages are of, whether they add up, which are hidden",
             "text": reach_percentages_text(reach, deprivation, combined)},
            {"name": ReachName.GROUPING_SENTENCE, "value": None, "kind": "text",
             "label": "The deprivation groups of the chart",
             "text": grouping_sentence(combined, whole=len(deprivation.frame) == 1)},
            {"name": ReachName.CERTAINTY_SENTENCE, "value": None, "kind": "text",
             "label": "How sure we are",
             "text": certainty_sentence((access, recommend), equity_estimates)})
    return ReachReport(activity=protected_activity(activity), pathways=pathways, sites=sites,
                       monthly=monthly, satisfaction=satisfaction, reach=reach,
                       equity=equity, key_results=key,
                       equity_estimates=equity_estimates, deprivation=deprivation,
                       combined=combined)
