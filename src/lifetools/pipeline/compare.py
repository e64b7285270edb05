"""What changed since the previous edition: each key result beside the previous one.

Every report page of an edition that has a predecessor ends with a table of its key
results next to the previous edition's, read from the two editions' ``results.json``
(published, protected values: no count is recomputed and no difference of counts is
shown, so nothing new can be worked out). For an estimate with a 95% interval in both
editions the table says in plain words whether the change is within the uncertainty:
the two intervals overlap ("within the uncertainty") or they do not ("larger than the
uncertainty"). Overlapping intervals are a cautious reading: two estimates whose
intervals overlap slightly can still differ, so the words never claim "no change".
A count is not assessed (no difference of counts is shown), nor is an estimate whose
interval is not a key result of both editions (a page may still show that interval
in a model table, so the words never say there is none), nor a check of a method that
has no interval by design (``result_names.WITHOUT_INTERVAL``: the words say so).

Each edition's value is shown with its own edition's words: a result whose label holds
words of one edition only (``at`` in ``results.json``: a follow-up the data decided,
"by 232 days after discharge") reads without them in the first column and with each
edition's own beside its value; a label that differs otherwise is given beside the
previous value. The previous edition's value under the current edition's follow-up
(232 days for a result the previous edition published at 239) misled the reader.

A result each edition quotes at its own follow-up (its ``at`` words the same but for
their duration: "by 300 days after discharge", "by 330 days after discharge") is not
assessed: a cumulative share by a later day counts more of the follow-up, so the two
values, each shown with its own day, are not like for like, and their intervals'
overlap says nothing about a change (:data:`FOLLOW_UP`). Neither edition's
``results.json`` holds the share at the other's day, and none is worked out here: a
share read off the curve at another day is a number no page published (wave 39).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lifetools.disclosure.downloads import NOT_AVAILABLE, SUPPRESSED, hidden_mark
from lifetools.disclosure.withheld import (
    CONFIDENTIAL,
    KINDS,
    PRIVACY,
    UNAVAILABLE,
    LeftOut,
)
from lifetools.formatting import finite, format_interval, format_value, interval_order
from lifetools.labels import explain_terms, words_given
from lifetools.result_names import WITHOUT_INTERVAL

__all__ = ["FOLLOW_UP", "Comparison", "compare_results", "comparison_markdown"]

PUBLISHED_AS = "published as: "
NUMERIC = ("count", "ratio", "estimate", "rate", "percentage")
WITHIN = "within the uncertainty (the intervals overlap)"
BEYOND = "larger than the uncertainty (the intervals do not overlap)"
NOT_COMPARABLE = "cannot be compared (not shown in one edition or both)"
COUNT = "not assessed: a count, shown as published"
NO_INTERVAL = "not assessed: its interval is not among the key results"
FOLLOW_UP = ("cannot be compared: each edition quotes it at its own follow-up (the "
             "day beside each value)")
"""The words for a result the two editions quote at different follow-ups
(:func:`_other_follow_up`): "within the uncertainty" beside a share by 300 days and
one by 330 days compared two different things (issue 15, wave 39)."""
CHECK = "not assessed: a check of the method, which has no interval"
"""The words for a result published without an interval by design
(:data:`lifetools.result_names.WITHOUT_INTERVAL`: a balance check, a shrinkage
factor); :data:`NO_INTERVAL` said its interval was "not among the key results" until
wave 36 (issue 15)."""


@dataclass(frozen=True)
class Comparison:
    """One key result in two editions, as shown, and what the change means."""

    label: str
    previous: str
    current: str
    words: str
    previous_symbol: str = ""
    """The page's cell when the previous edition gave no number (``previous`` is
    then its reason): ``[c]`` or ``[x]``, with that edition's follow-up words."""
    current_symbol: str = ""
    """The same for this edition."""
    previous_label: str = ""
    """The previous edition's own label of a result whose cell is its symbol, when it
    differs from this edition's otherwise than by its follow-up words: said in the
    table's note, not in the cell ("[x], published as: ..." read as one value on the
    2024-25 re-referral page; wave 37)."""


def _interval(results: Mapping[str, Any], name: str
              ) -> tuple[tuple[float, float], float | None, tuple[float, ...]] | None:
    """The published limits of ``name`` and the null recorded with them, if any: its
    ``<name>_ci`` result, or a share's own ``interval`` (a protected share records its
    interval with it: the comparison said "not assessed: its interval is not among the
    key results" of "37.5% (...)" beside "40.0% (...)" until wave 35)."""
    entry = results.get(f"{name}_ci")
    own = results.get(name)
    if not isinstance(entry, dict) and isinstance(own, dict) \
            and own.get("kind") == "percentage" and own.get("interval") is not None:
        entry = {"value": own.get("interval")}
    value = entry.get("value") if isinstance(entry, dict) else None
    if isinstance(value, list) and len(value) == 2:
        low, high = finite(value[0]), finite(value[1])
        if low is not None and high is not None and low <= high:
            stated = entry.get("stated") if isinstance(entry, dict) else None
            return (low, high), finite(entry.get("null")), tuple(
                v for v in (finite(s) for s in stated or ()) if v is not None)
    return None


def _shown(entry: Mapping[str, Any],
           interval: tuple[tuple[float, float], float | None, tuple[float, ...]] | None
           ) -> str:
    """The result as its edition published it, through the one formatter.

    Without an interval, a model's estimate reads as its page wrote it (its recorded
    text: a cumulative incidence "7.1%", not its stored value re-formatted as "7.12").
    A limit that would round onto the no-difference value keeps its side ("1.004"):
    a ratio's null is 1; any other estimate's is the one its edition recorded with
    the interval (0 for a difference, 0.5 for a C-statistic), stored only where it
    changed the text, so the limits read here as on the edition's own page; so do the
    limits the report states for it (``stated``: a calibration slope's 0.8 and 1.2),
    which a limit keeps its side of ("0.797", never "0.80": wave 41).
    """
    kind = str(entry.get("kind"))
    if finite(entry.get("value")) is None and entry.get("text"):
        # withheld or not estimated: the reason its page gave ("not shown (group
        # disclosure)"), never "could not be estimated" for a value that was withheld
        return str(entry["text"])
    if kind == "count" or (interval is None and kind in ("estimate", "ratio")):
        # the text the edition's page showed ("7.1%", not the stored value "7.12"); a
        # share's text carries its interval, which the words do not assess: its value
        return str(entry.get("text") or format_value(entry.get("value"), kind=kind))
    if interval is None:
        return format_value(entry.get("value"), kind=kind)
    limits, null, stated = interval
    if null is None and kind == "ratio":
        null = 1.0
    digits, percent = _places(entry)
    return format_interval(entry.get("value"), *limits,
                           kind="percentage" if kind == "percentage" or percent
                           else "ratio", digits=digits, null=null, avoid=stated)


_NUMBER = re.compile(r"^[\u2212-]?\d[\d,]*(?:\.(?P<places>\d+))?(?P<percent>%?)$")


def _places(entry: Mapping[str, Any]) -> tuple[int | None, bool]:
    """The decimal places and the per cent sign of the number the edition's page
    showed (its ``text``: "7.1%", "0.823"), so that the value beside its interval reads
    as on the page: the re-referral share "7.1%" read "7.12 (4.00 to 12.60)" with its
    interval (wave 36). ``(None, False)`` (the kind's own places) for any other text."""
    found = _NUMBER.match(str(entry.get("text") or "").strip())
    if found is None:
        return None, False
    return len(found["places"] or ""), bool(found["percent"])


def _comparable(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Both editions' entries are one number's: of one numeric kind, or a number in
    one edition and, in the other, its withheld or not-estimated text (kind ``text``
    with no value: a report records a ratio it could not estimate that way)."""
    kinds = (old.get("kind"), new.get("kind"))
    if kinds[0] == kinds[1]:
        return kinds[0] in NUMERIC
    return any(k in NUMERIC for k in kinds) and all(
        k in NUMERIC or (k == "text" and finite(e.get("value")) is None
                         and bool(e.get("text")))
        for k, e in zip(kinds, (old, new), strict=True))


def compare_results(previous: Mapping[str, Any], current: Mapping[str, Any], *,
                    first: Sequence[str] = ()) -> list[Comparison]:
    """Key results present in both editions, in the current edition's order.

    The results named in ``first`` (the report's main point: ``estimate`` of its
    ``publication.main_points`` entry in ``analyses/analyses.yml``) lead, then the
    rest in the order the report recorded them (``results.json`` keeps it). Sorted by
    name, the emergency table put its headline fifth, after "before_after_ae" and
    "c_statistic" (wave 37).

    A result one edition published as a number and the other could not (its entry a
    text with no value: the emergency report's "could not be estimated: the
    difference-in-differences model did not converge") is listed, "cannot be
    compared", with each edition's own words: it is not left out of the table as if
    the previous edition had not had it.

    Notes
    -----
    The verdict reads the published intervals only (overlap or not:
    :func:`lifetools.formatting.interval_order`); counts are shown
    as published, never subtracted. Checked by ``tests/unit/test_compare.py``.
    """
    rows = []
    lead = [name for name in first if name in current]
    for name, entry in [(name, current[name]) for name in lead] + [
            (name, entry) for name, entry in current.items() if name not in lead]:
        old = previous.get(name)
        if not (isinstance(entry, dict) and isinstance(old, dict)) \
                or not _comparable(old, entry):
            continue
        now, old_interval = _interval(current, name), _interval(previous, name)
        now_ci = None if now is None else now[0]
        old_ci = None if old_interval is None else old_interval[0]
        if entry.get("kind") == "count":
            words = COUNT
        elif finite(entry.get("value")) is None or finite(old.get("value")) is None:
            words = NOT_COMPARABLE
        elif _other_follow_up(old, entry):
            words = FOLLOW_UP
        elif name in WITHOUT_INTERVAL and now_ci is None and old_ci is None:
            words = CHECK
        elif now_ci is None or old_ci is None:
            words = NO_INTERVAL
        else:
            words = WITHIN if interval_order(now_ci, old_ci) == 0 else BEYOND
        label, (old_at, now_at) = _labels(old, entry, name)
        old_symbol = _symbol_cell(old, old_at)
        renamed = old_at.removeprefix(PUBLISHED_AS) if old_at.startswith(PUBLISHED_AS) \
            and old_symbol else ""
        rows.append(Comparison(label, _with(_shown(old, old_interval), old_at),
                               _with(_shown(entry, now), now_at), words,
                               previous_symbol=_symbol_cell(old, "") if renamed
                               else old_symbol,
                               current_symbol=_symbol_cell(entry, now_at),
                               previous_label=renamed))
    return rows


PER_CENT_UNIT = " (%)"
"""The unit a share's label ends with in ``results.json``, left out of the comparison
table, whose cells give each share with its per cent sign."""


_DURATION = re.compile(r"\b\d[\d,]*(?=\s+(?:day|week|month|year)s?\b)")
"""A duration's number in a result's ``at`` words ("by 330 days after discharge")."""


def _other_follow_up(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the two editions quote a result at different follow-ups: their ``at``
    words name a duration and are the same but for its number ("by 300 days after
    discharge", "by 330 days after discharge"). Words of another kind ("validation
    cohort of 2023-24") are an edition's own data, compared as they are."""
    words = [str(e.get("at") or "") for e in (old, new)]
    if words[0] == words[1] or not all(_DURATION.search(w) for w in words):
        return False
    return len({_DURATION.sub("#", w) for w in words}) == 1


def _symbol_cell(entry: Mapping[str, Any], at: str) -> str:
    """The symbol cell of a result its edition gave as words with no number (withheld
    or not estimated), "" for a number. A suppressed count is ``[c]`` too: its
    published words ("fewer than 8") beside another edition's ``[c]`` for the same
    count named one hidden value two ways in one row (the 2024-25 wellbeing page at
    3,000 people: "People with baseline and follow-up | [c] | fewer than 8";
    issue 15, wave 32)."""
    if finite(entry.get("value")) is not None or not entry.get("text"):
        return ""
    if entry.get("kind") == "count":
        return _with(SUPPRESSED, at)
    return _with(_symbol(entry), at)


def _symbol(entry: Mapping[str, Any]) -> str:
    """The table symbol of a left-out result, by the kind its edition recorded with
    it (``left_out`` in ``results.json``: :func:`lifetools.publication.record`):
    ``[c]`` for a value a disclosure rule hid, ``[x]`` for one no rule hid (the GSS
    shorthand; the reason is said once, in the table's note), through
    :func:`lifetools.disclosure.downloads.hidden_mark`, which the report's own tables
    read too. An entry with no recorded kind was written before wave 42, whose code
    told the mark by the words "hidden to protect privacy" in its text (issue 12): an
    archived edition is never rerun, so its ``results.json`` keeps no kind, and its
    values are marked as its own pages marked them (until the review of wave 42 every
    such value read ``[x]``, "could not be estimated", beside the current edition).
    """
    kind = entry.get("left_out")
    text = str(entry.get("text") or "")
    if kind not in KINDS:  # an archived edition's record, made before kinds were kept
        kind = CONFIDENTIAL if PRIVACY in text else UNAVAILABLE
    return hidden_mark(LeftOut(text, kind))


def _with(shown: str, words: str) -> str:
    """A value with its edition's own words after a comma ("7.1% (4.0% to 12.6%), by
    232 days after discharge"): in brackets they followed an interval's brackets,
    "0.80 (0.78 to 0.84) (development cohort of 2022-23)" (wave 36)."""
    return f"{shown}, {words}" if words else shown


def _labels(old: Mapping[str, Any], new: Mapping[str, Any], name: str
            ) -> tuple[str, tuple[str, str]]:
    """The row's label and the words each edition's value carries (its own follow-up).

    The same label: no words. Labels that differ only in their ``at`` words: the label
    without them, each value with its edition's. Labels that differ otherwise: the
    current label, the previous value with the previous label.
    """
    # every share's cell carries its per cent sign ("10.1%"): a label's "(%)", a unit
    # for results.json, said it twice in the table (30,000 people, wave 40)
    now_label, old_label = (str(e.get("label") or name).removesuffix(PER_CENT_UNIT)
                            for e in (new, old))
    if now_label == old_label:
        return now_label, ("", "")
    now_at, old_at = str(new.get("at") or ""), str(old.get("at") or "")
    # the label without its edition's words, and the punctuation that joined them
    bare = lambda label, at: " ".join(  # noqa: E731
        label.replace(at, " ").split()).strip(" ,:;")
    if now_at and old_at and bare(now_label, now_at) == bare(old_label, old_at):
        return bare(now_label, now_at), (old_at, now_at)
    return now_label, (f"{PUBLISHED_AS}{old_label}", "")


def comparison_markdown(rows: list[Comparison], *, previous_title: str,
                        previous_link: str, current_title: str) -> str:
    """The "Compared with the previous edition" section of a report page.

    A result an edition did not show as a number is its symbol (``[c]`` hidden to
    protect privacy, ``[x]`` not shown or not estimated), its reason never repeated
    cell by cell: the note under the table says what each symbol means once, and
    where each edition gives its reasons (this edition's above on this page, in its
    summary and its models' notes; the previous edition's on its own page).
    """
    if not rows:
        return ""
    cell = lambda text: str(text).replace("|", "\\|")  # noqa: E731 - a table cell
    rows = _in_words(rows)
    lines = ["## Compared with the previous edition", "",
             f"Key results of this edition beside those of the {{doc}}`{previous_title} "
             f"<{previous_link}>`, with 95% confidence intervals where they are key "
             "results. A change is *within the uncertainty* when the two intervals "
             "overlap, a cautious rule: two results whose intervals overlap a little "
             "can still differ, so it never reads as no change. Counts are shown as "
             "published and not assessed.", "",
             f"| Result | {cell(previous_title)} | {cell(current_title)} | Change |",
             "|---|---|---|---|"]
    # a left-out result's cell is its symbol, never its reason (the note's, once)
    lines += [f"| {cell(r.label)} | {cell(r.previous_symbol or r.previous)} | "
              f"{cell(r.current_symbol or r.current)} | {cell(r.words)} |" for r in rows]
    note = _symbols_note(rows, previous_title=previous_title,
                         previous_link=previous_link, current_title=current_title)
    return "\n".join([*lines, "", *([note, ""] if note else [])])


def _in_words(rows: list[Comparison]) -> list[Comparison]:
    """The rows with their labels as a table of the site shows them: each technical
    term of :data:`lifetools.labels.TERMS` given its plain words once, at its first
    mention down the first column, and a label that is only a term in its words
    (:func:`lifetools.labels.explain_terms`, as :func:`lifetools.tables.show_table`
    reads its cells). Each edition recorded its labels with the words it gave them
    (``results.json``): the crisis table said "(how well the model ranks people by
    risk)" on the C-statistic and again on the optimism-corrected C-statistic, and
    nothing on the calibration slope (wave 39)."""
    said: set[str] = set()
    shown = []
    for row in rows:
        label = explain_terms(row.label, said=said)
        said |= words_given(label)
        shown.append(replace(row, label=label))
    return shown


def _symbols_note(rows: list[Comparison], *, previous_title: str, previous_link: str,
                  current_title: str) -> str:
    """The table's note: each symbol used, once, and where its reasons are given."""
    left = [(r.previous_symbol, previous_title) for r in rows if r.previous_symbol]
    left += [(r.current_symbol, current_title) for r in rows if r.current_symbol]
    if not left:
        return ""
    parts = []
    renamed = [r for r in rows if r.previous_label]
    if any(symbol.startswith(SUPPRESSED) for symbol, _ in left):
        parts.append(f"{SUPPRESSED} {PRIVACY}.")
    editions = [title for title in (current_title, previous_title)
                if any(symbol.startswith(NOT_AVAILABLE) and t == title
                       for symbol, t in left)]
    if editions:
        where = {current_title: "the reasons are given above on this page",
                 # a link says where it goes in its own words, not "its page"
                 # (WCAG 2.4.4; issue 15, wave 25)
                 # "for the 2023-24 edition, on that edition's page of this report"
                 # said where without saying what (wave 36)
                 previous_title: f"the reasons are given on {{doc}}`that edition's page "
                                 f"of this report <{previous_link}>`"}
        # [x]: no disclosure rule hid it (a value withheld by one is [c]: wave 42)
        parts.append(f"{NOT_AVAILABLE} could not be estimated: "
                     + "; ".join(f"for the {title}, {where[title]}" for title in editions)
                     + ".")
    parts += [f"The {previous_title} published '{r.label}' as "
              f"'{r.previous_label}'." for r in renamed]
    return "Note: " + " ".join(parts)
