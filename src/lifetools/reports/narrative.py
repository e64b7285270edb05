"""Sentences of the reports' summaries, generated from what was computed.

A sentence that states a result (a ratio, a share and how far follow-up reaches) is made
here from the numbers and the reasons the fits carry, so that the narrative reads
correctly whether the result was estimated, could not be estimated, or was withheld.
Notebooks glue these sentences whole (``{glue:text}`name```); they never put a number
that may be missing inside fixed words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lifetools.disclosure import (
    Duration,
    Estimate,
    Interval,
    ProtectedText,
    Reason,
    active_profile,
    compose,
    protected_count,
)
from lifetools.disclosure.group_counts import group_count_sentence, reveals_whole_group
from lifetools.disclosure.withheld import CONFIDENTIAL, NOT_SHOWN, PRIVACY
from lifetools.formatting import verdict
from lifetools.labels import VALUE_LABELS
from lifetools.reports.sentences import (
    CI_LEVEL,
    plain_fit_reason,
    plain_reason,
    same_reason_sentence,
)

__all__ = ["HORIZON_STEP", "cumulative_share_sentence", "group_count_sentence", "horizon_estimate",
           "group_count_result", "no_events_note", "part_count_result", "plain_library_error", "published_count", "ratio_sentence",
           "readable_note", "reveals_whole_group", "uncertainty_sentence"]


def ratio_sentence(row: dict[str, Any], *, found: str, missing: str,
                   reason_before: str | None = None,
                   judge: Mapping[str, Any] | None = None) -> ProtectedText:
    """One sentence about a ratio: its value and interval, or why it is not shown.

    Parameters
    ----------
    row
        ``estimate``, ``ci_lower``, ``ci_upper`` and ``text`` (None when estimated,
        else the reason shown in place of the number, such as "could not be estimated:
        the model did not converge" or "too few events to estimate (...)").
    found
        The sentence when estimated, with ``{estimate}``, ``{interval}``, ``{level}``
        and ``{verdict}`` fields (formatted to 2 decimal places, the interval as "lower
        to upper", the level "95%", the verdict from ``judge``); its fixed words hold
        no number.
    missing
        The subject of the sentence when not estimated; the reason follows it ("could
        not be estimated: ..." as given, any other reason after "is not shown:", the
        words :data:`lifetools.disclosure.withheld.NOT_SHOWN` gives every withheld value
        ("could not be shown" until wave 32: issue 15).
    reason_before
        The reason the summary's sentence before this one gave (its ``text``), if any:
        when it is this row's, the sentence says "... is not shown either, for
        the same reason." rather than the reason again (the re-referral summary said
        "too few events in total" in 3 sentences in a row until wave 25: issue 15).

    Notes
    -----
    Checked by ``tests/unit/test_narrative.py``.
    """
    text = row.get("text")
    if text:
        verb = ("could not be estimated" if str(text).startswith("could not be")
                else f"is {NOT_SHOWN}")
        if reason_before and str(text) == str(reason_before):
            return same_reason_sentence(missing, verb)
        return compose("{missing} {verb}: {why}.", missing=missing, verb=verb,
                       why=Reason(plain_reason(str(text), VALUE_LABELS)))
    low, high = float(row["ci_lower"]), float(row["ci_upper"])
    words = "" if judge is None else verdict(
        float(row["estimate"]), low, high, null=1.0, digits=2,
        **{key: judge[key] for key in ("above", "below", "events") if key in judge})
    return compose(found, estimate=Estimate(float(row["estimate"]), 2),
                   interval=Interval(low, high, 2, null=1.0),
                   level=CI_LEVEL, verdict=words)


def group_count_result(name: Any, label: str, found: str, hidden: str, *, group: int,
                       part: int) -> dict[str, Any]:
    """The key result of a sentence about a group's people (:func:`group_count_sentence`
    with ``found`` and ``hidden``), as a report records it (``label`` starts
    "Summary: ..."): a notebook glues it whole."""
    return {"name": name, "value": None, "kind": "text", "label": label,
            "text": group_count_sentence(found, hidden, group=group, part=part)}


def part_count_result(name: Any, label: str, *, part: int, group: int) -> dict[str, Any]:
    """The key result of a count of a group's people with an outcome (``part`` of
    ``group``): the count, or "not shown (hidden to protect privacy)" when it is none
    or all of the group (:func:`reveals_whole_group`). One maker for the reports'
    such counts (people re-referred, people with a follow-up, cohort members who used
    the Life Rooms); the page's sentence about them is :func:`group_count_sentence`.
    """
    if reveals_whole_group(group, part):
        return {"name": name, "value": None, "kind": "text", "label": label,
                "text": compose("not shown ({why})", why=PRIVACY),
                "left_out": CONFIDENTIAL}
    return {"name": name, "value": part, "kind": "count", "label": label}


def published_count(result: Mapping[str, Any]) -> int | None:
    """A count key result's value as its page publishes it (rounded by the active
    profile), or None when it is hidden: the events behind a ratio, for the verdict's
    fewest-events rule, read as the main point reads them from ``results.json``."""
    value = result.get("value")
    return None if value is None else protected_count(int(value)).value


def uncertainty_sentence(rows: list[dict[str, Any]]) -> ProtectedText:
    """What the summary may say about the uncertainty of its ratios, from what was computed.

    ``rows`` are the ratio rows the summary quotes (as for :func:`ratio_sentence`: a
    row whose ``text`` is set was not estimated). When at least one has a confidence
    interval the sentence explains what an interval shows; when none has, it says that
    none is shown, rather than describing an interval the page does not show, and that
    the reasons are given above: in the rows' own sentences, which the page shows before
    it (the report's ``PAGE_ORDER``, checked against its notebook).

    Notes
    -----
    Checked by ``tests/unit/test_narrative.py``.
    """
    if any(not row.get("text") for row in rows):
        return compose("Each confidence interval shows the range of values compatible "
                       "with the data.")
    return compose("No confidence interval is shown (the reasons are given above), so "
                   "how precise these comparisons are cannot be said.")


HORIZON_STEP = 30
"""Days a quoted horizon short of a year is a whole number of (:func:`horizon_estimate`)."""


def horizon_estimate(summary: pd.DataFrame, durations: pd.Series, *,
                     days: int = 365) -> tuple[int, pd.Series | None]:
    """The furthest day up to ``days`` the cumulative incidence can be quoted, and its row.

    ``days`` itself when at least the active profile's ``min_at_risk`` people were
    followed that long; otherwise the longest follow-up that many people had, rounded
    down to a whole number of :data:`HORIZON_STEP` days (0: none). The row is the
    estimate in force at that day (None when there is none).

    Until wave 38 the horizon was the last event time with that many at risk: the
    30,000-person re-referral page quoted "by 232 days after discharge, the longest
    follow-up with enough people still followed" while well over 10 people were followed
    past it, and published the day of one person's event (the curves are read on a grid
    of days for that reason).

    Notes
    -----
    Checked by ``tests/unit/test_narrative.py``.
    """
    least = active_profile().min_at_risk
    followed = np.sort(durations.dropna().to_numpy(dtype=float))[::-1]
    if len(followed) >= least and followed[least - 1] >= days:
        horizon = days
    elif len(followed) >= least:
        horizon = int(min(followed[least - 1], days) // HORIZON_STEP) * HORIZON_STEP
    else:
        horizon = 0
    if horizon <= 0:
        return 0, None
    rows = summary[summary["time"] <= horizon]
    return horizon, (rows.iloc[-1] if len(rows) else None)


def cumulative_share_sentence(horizon: int, row: pd.Series | None, *, event: str,
                              days: int = 365, withheld: str | None = None
                              ) -> ProtectedText:
    """The share with the event by the horizon, with its interval, in one sentence.

    Says when follow-up within the period is too short to reach ``days`` (a year), and
    at what day the estimate is quoted instead. ``withheld``: the reason a release
    check gave for not quoting the share (too few events, say); the sentence then gives
    that reason, not short follow-up.

    Notes
    -----
    Checked by ``tests/unit/test_narrative.py``.
    """
    if withheld:
        return compose("The share {event} is not shown: {why}.", event=event,
                       why=Reason(plain_reason(withheld, VALUE_LABELS)))
    if row is None:
        return compose("Too few people were followed after discharge to estimate the "
                       "share {event}.", event=event)
    share = compose("an estimated {value}", value=Estimate(100 * row["estimate"], 1,
                                                           percent=True))
    if pd.notna(row["ci_lower"]) and pd.notna(row["ci_upper"]):
        share = compose("{share} ({level} confidence interval {interval})", share=share,
                        level=CI_LEVEL, interval=Interval(
                            100 * row["ci_lower"], 100 * row["ci_upper"], 1, percent=True))
    span = compose("a year") if days == 365 else compose("{d}", d=Duration(days))
    if horizon >= days:
        return compose("Within {span} of discharge, {share} had been {event}.",
                       span=span, share=share, event=event)
    return compose("Too few people could be followed for {span} within the period; by "
                   "{horizon} after discharge, as far as enough people were still "
                   "followed, {share} had been {event}.", span=span,
                   horizon=Duration(horizon), share=share, event=event)


_WARNING_CLASS = re.compile(r"^[A-Z][A-Za-z]*(?:Warning|Error): ")
"""The Python class a library warning's text starts with ("StatisticalWarning: ")."""
_NO_EVENTS = re.compile(r"^(?:fit failed|not estimable): (?:no events: nothing to estimate"
                        r"|no events of interest)\.?$")
"""The notes of a fit with no events (:data:`lifetools.survival.cox.NO_EVENTS`, the
Fine-Gray fit's "no events of interest")."""
_CLAUSE_TERM = re.compile(r"(^|; |: )([a-z][a-z0-9]*_[a-z0-9_]*|[a-z][a-z0-9]*(?=: )): ")
"""A model term opening a clause: a snake_case name, or a one-word term, before ": "."""


_BRACKETED_ERROR = re.compile(r"\s*\((?:[A-Za-z_.]+\.)?[A-Z][A-Za-z]*(?:Error|Exception): "
                              r"[^()]*\)")
"""A library error in brackets after a reason ("did not converge (LinAlgError: Singular
matrix)"): it tells a reader nothing the reason does not."""
_FAILED_WITH = re.compile(r"^fit failed: (?:[A-Za-z_.]+\.)?([A-Z][A-Za-z]*(?:Error|"
                          r"Exception)):")
"""A fit that stopped with a library error ("fit failed: LinAlgError: Singular matrix")."""
ERROR_WORDS = {"LinAlgError": "the data do not hold enough information to estimate all "
                              "of its terms"}
"""Plain words for the library errors a fit is known to stop with; any other reads
"the fitting library stopped with an error" (:func:`readable_note`)."""


def plain_library_error(note: str) -> str:
    """``note`` without the Python class of a library error: a bracketed error after a
    reason is left out; a fit that stopped with one reads "the model could not be
    fitted: <plain words>" (:data:`ERROR_WORDS`). The 2024-25 discharge page at 3,000
    people said "fit failed: LinAlgError: Singular matrix" until wave 26 (issue 15)."""
    note = _BRACKETED_ERROR.sub("", note)
    failed = _FAILED_WITH.match(note)
    if failed:
        words = ERROR_WORDS.get(failed[1], "the fitting library stopped with an error")
        return f"the model could not be fitted: {words}"
    return note


def no_events_note(note: str) -> bool:
    """Whether a fit's note says it had no events (Cox's "not estimable: no events:
    nothing to estimate", Fine-Gray's "fit failed: no events of interest"): a count of
    0 of the model's people, left out of a withheld model's notes
    (:func:`lifetools.reports.survival_parts.model_notes`)."""
    return bool(_NO_EVENTS.match(_first_sentence(str(note))))


def _first_sentence(note: str) -> str:
    """A fit's note's first sentence, without the warning's Python class."""
    first = note.strip().split("\n")[0]
    cut = first.split(". ")[0]
    return _WARNING_CLASS.sub("", cut if cut == first else f"{cut}.")


def readable_note(note: str, labels: Mapping[str, str], *,
                  outcome: str = "had the outcome") -> str:
    """A fit's note in short words: its first sentence, model terms as labels.

    "proportional hazards may not hold for ['female']" reads "... for Female"; a term
    that opens a clause ("age_per_10: its coefficient may be infinite", or after
    "not estimable: " or "; ") reads as its label ("Age (per 10 years): ..."); the
    warning's Python class ("StatisticalWarning: ") is left out, and so is a library
    error's (:func:`plain_library_error`: "fit failed: LinAlgError: Singular matrix"
    reads "the model could not be fitted: the data do not hold enough information to
    estimate all of its terms"); a long library
    message (code examples, links) is cut to its first sentence. A term the model
    cannot estimate (separation, a coefficient that may be infinite, an interval reaching
    0 or infinity) is said in plain words (:func:`~lifetools.reports.sentences.
    plain_fit_reason`, ``outcome`` the event's words: "were discharged"), with no
    "not estimable: " before them. A fit with no events ("fit failed: no events: nothing
    to estimate", "not estimable: no events of interest") reads "too few events to
    estimate", the release check's headline: "none of the people in the model were
    discharged" is a zero of the model's group in words, which the publish gate refuses
    (``all-or-none-in-words``, :mod:`lifetools.disclosure.all_or_none`).

    Notes
    -----
    Checked by ``tests/unit/test_narrative.py``.
    """
    first = plain_library_error(_first_sentence(note))
    if _NO_EVENTS.match(first):  # Cox's two notes and Fine-Gray's one, in one wording
        return "too few events to estimate"  # not "none of the people ...": all-or-none
    plain = plain_fit_reason(first, labels, outcome=outcome)
    if plain != first:
        first = plain.removeprefix("not estimable: ")

    def terms(match: re.Match[str]) -> str:
        return "; ".join(labels.get(n, n) for n in re.findall(r"'([^']*)'",
                                                               match.group(0)))

    def term(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}{labels.get(name, name.replace('_', ' '))}: "

    first = re.sub(r"\['[^']*'(?:, '[^']*')*\]", terms, first)
    return _CLAUSE_TERM.sub(term, first)
