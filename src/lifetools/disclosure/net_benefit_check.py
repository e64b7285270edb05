"""The publish gate's check of a decision curve's net benefit of treating everyone.

The net benefit of treating everyone at a risk threshold ``t`` is ``p - (1 - p) t /
(1 - t)``: a function of the prevalence ``p`` alone. Computed from the exact events
and people of the cohort, a curve written at two decimal places gave the exact count
of events back beside its published (rounded) counts (issue 12, wave 22). A rule makes
it from the published counts (:func:`lifetools.disclosure.model_outputs`' ``treat_all``,
:func:`lifetools.disclosure.derived.treat_all_values`), and its protection record
keeps them (the stamp's ``treat_all_headers``: the threshold column and the published
events and people). So the gate recomputes it from what is published rather than
trusting it (``treat-all-not-from-published-counts``):

- a column whose header names the net benefit of treating everyone ("if everyone is
  treated", "treat all", "treating everyone") that the stamp does not record is
  refused: no rule made it, so it may carry the exact prevalence;
- the recorded events and people must be counts the profile publishes (0, or a
  rounded count above the threshold), the events no more than the people;
- every shown cell must be the net benefit of those counts at the threshold of its
  row, to the places it is written with (the threshold as written: the interval its
  rounding allows); a cell beside a hidden or missing threshold is refused, and so is
  any shown cell when the record says the counts were hidden;
- whatever its header, an unrecorded column whose cells at :data:`CURVE_CELLS`
  thresholds or more fit one prevalence is read as treating everyone, and one shown
  at one threshold is read against the unrounded counts the recorded ones round from;
- a decision curve shown at fewer than :data:`CURVE_CELLS` thresholds with no
  published counts of treating everyone recorded (no treat-all column, or its counts
  hidden) has nothing to read its other columns against: any column of it that no
  rule made from published counts (an unrecorded column, a model's net benefit not
  made from protected counts) whose cell is the net benefit of treating everyone of
  some prevalence, and not 0 (treating no one), is refused (:func:`_lone_findings`;
  until wave 43 it passed: one cell fits some prevalence whatever its value, and
  beside the table's published people it gives the count of events back);
- a model's net benefit recorded as made from protected counts
  (``net_benefit_count_headers``) is recomputed from the published counts the record
  names, not trusted by its header's place in a list; its limits are read against it.

Each finding names the column and the row (1 = the first row under the header), never
a value. Run by :func:`lifetools.disclosure.table_cells.cell_findings` (the page's
table, and ``show_table`` at source) and by the gate's download check
(:mod:`lifetools.pipeline.gate.files`: tables and the data behind figures). Tested in
``tests/unit/test_treat_all.py``, ``tests/leaks/test_treat_all_leaks.py`` and
``tests/leaks/test_treat_all_gap_leaks.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lifetools.disclosure.derived import model_net_benefit, treat_all_net_benefit
from lifetools.disclosure.downloads import NOT_AVAILABLE, SUPPRESSED
from lifetools.disclosure.flow import raw_range
from lifetools.disclosure.profiles import SdcProfile
from lifetools.disclosure.rate_check import read_number, read_proportion
from lifetools.disclosure.rule_ids import rule_id
from lifetools.disclosure.rules import protect_count

__all__ = ["CURVE_CELLS", "TREAT_ALL_RULE", "names_treat_all", "recorded_counts",
           "treat_all_findings"]

TREAT_ALL_RULE = rule_id("treat-all-not-from-published-counts")
"""The publish gate's rule: a net benefit of treating everyone that is not that of
the published counts its stamp records, or that no rule made."""

CURVE_CELLS = 2
"""The fewest thresholds (as written) of a column's shown cells that the gate reads as
a curve of net benefit of treating everyone when one prevalence fits them all
(unrecorded columns of a table with a threshold column): the net benefit of treating
everyone has one parameter, the prevalence, so the cells at two thresholds already
test it, where one cell fits some prevalence whatever its value. A column shown at
one threshold (a curve of one or two rows) is refused only where its cells are those
of unrounded counts the table's published ones round from, and not theirs."""
_THRESHOLD = re.compile(r"\bthreshold\b", re.IGNORECASE)

_TREAT_ALL = re.compile(
    r"\btreat(?:ing|ed)?[\s_]+(?:all|everyone|everybody)\b"
    r"|\b(?:everyone|everybody|all)\s+(?:is|are|were|was)\s+treated\b", re.IGNORECASE)


def names_treat_all(header: object) -> bool:
    """Whether a header names the net benefit of treating everyone.

    >>> names_treat_all("Good done less harm done if everyone is treated")
    True
    >>> names_treat_all("Good done less harm done if no one is treated")
    False
    """
    return bool(_TREAT_ALL.search(str(header)))


def _finding(header: str, row: int | None, what: str) -> tuple[str, str]:
    where = f"column {header!r}" + (f", row {row}" if row is not None else "")
    return (TREAT_ALL_RULE, f"{where}: {what}")


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() else None


def treat_all_findings(head: Sequence[str], rows: Sequence[Sequence[str]],
                       stamped: Mapping[str, Any], profile: SdcProfile
                       ) -> list[tuple[str, str]]:
    """``treat-all-not-from-published-counts`` for each column whose header names the
    net benefit of treating everyone, read from the cells as published (the module
    docstring lists the rules); the detail names the column and the row, never a
    value."""
    recorded = stamped.get("treat_all_headers") or {}
    if not isinstance(recorded, Mapping):
        return [(TREAT_ALL_RULE, "the stamp's record of its net benefits of treating "
                 "everyone is not readable")]
    head = [str(h).strip() for h in head]
    found: list[tuple[str, str]] = []
    pairs = [(k, n) for k, n in ((_count(v.get("events")), _count(v.get("people")))
                                 for v in recorded.values() if isinstance(v, Mapping))
             if k is not None and n is not None and 0 <= k <= n and n > 0]
    thresholds = {str(v.get("threshold")) for v in recorded.values()
                  if isinstance(v, Mapping) and v.get("threshold")}
    t_at = next((i for i, h in enumerate(head) if h in thresholds or _THRESHOLD.search(h)),
                None)
    from_counts = _from_counts(stamped.get("net_benefit_count_headers"))
    limits = {str(spec.get(side)): (point, side) for point, spec in from_counts.items()
              for side in ("lower", "upper") if isinstance(spec.get(side), str)}
    models = {str(h) for h in stamped.get("estimate_headers") or []} - set(from_counts) \
        - set(limits)
    counts = {str(h) for h in (*stamped.get("count_headers", []),
                               *stamped.get("count_cols", []))}
    # made by a rule from published counts (a share, a rate) or words: never read as
    # a net benefit (a model's estimate is: a decision curve's model column is one)
    rule_made = {str(h) for key in ("rate_headers", "share_headers",
                                    "breakdown_share_headers", "label_headers")
                 for h in (stamped.get(key) or [])}
    lone = t_at is not None and not pairs and _decision_curve(head, stamped) and len(
        {t[0] for at in range(len(head)) if at != t_at
         for _, _, t in _cells(at, t_at, rows)}) < CURVE_CELLS
    for at, header in enumerate(head):
        spec = recorded.get(header)
        if lone and spec is None and at != t_at and header not in counts and \
                header not in from_counts and header not in limits and \
                header not in rule_made:
            found += _lone_findings(header, at, t_at, rows)  # type: ignore[arg-type]
            continue
        if spec is None:
            if names_treat_all(header) and any(
                    at < len(row) and str(row[at]).strip() not in
                    ("", SUPPRESSED, NOT_AVAILABLE) for row in rows):
                found.append(_finding(header, None, "a net benefit of treating everyone "
                                      "that no rule made from published counts: from "
                                      "the exact prevalence it gives the count of events "
                                      "back (lt.disclosure.model_outputs(treat_all=))"))
            elif header in from_counts:
                found += _point_findings(header, at, head, rows, from_counts[header],
                                         pairs, profile)
            elif t_at is not None and at != t_at and header not in counts:
                found += (_model_findings(header, at, t_at, rows, pairs, profile)
                          if header in models else
                          _curve_findings(header, at, t_at, rows, pairs, profile))
            if header in limits and header not in from_counts:
                found += _limit_findings(header, at, head, rows, *limits[header])
            continue
        found += _column_findings(header, at, head, rows,
                                  spec if isinstance(spec, Mapping) else {}, profile)
    return list(dict.fromkeys(found))


_NET_BENEFIT = re.compile(r"\bnet[\s_]+benefit\b|\bno[\s_]+one\s+is\s+treated\b"
                          r"|\btreat(?:ing)?[\s_]+(?:no[\s_]+one|none|nobody)\b",
                          re.IGNORECASE)


def _decision_curve(head: Sequence[str], stamped: Mapping[str, Any]) -> bool:
    """Whether a table is a decision curve: its stamp records a net benefit (of
    treating everyone, or a model's from counts), or a header names one."""
    return bool(stamped.get("treat_all_headers") or
                stamped.get("net_benefit_count_headers")) or any(
        _NET_BENEFIT.search(h) or names_treat_all(h) for h in head)


def _lone_findings(header: str, at: int, t_at: int, rows: Sequence[Sequence[str]]
                   ) -> list[tuple[str, str]]:
    """A column of a decision curve shown at one threshold with no published counts of
    treating everyone recorded, that no rule made from published counts: refused
    where a cell is the net benefit of treating everyone of some prevalence (``-t /
    (1 - t) <= v <= 1`` at its threshold as written) and not 0 (treating no one)."""
    for number, shown, t in _cells(at, t_at, rows):
        half, t_half = 0.5 * 10.0 ** -shown[1], 0.5 * 10.0 ** -t[1]
        odds = min(t[0] + t_half, 1 - 1e-12) / (1 - min(t[0] + t_half, 1 - 1e-12))
        if shown[0] != 0 and -odds - half <= shown[0] <= 1 + half:
            return [_finding(header, number, "a decision curve shown at one threshold, "
                             "with no published counts of treating everyone recorded to "
                             "read it against: this column, which no rule made from "
                             "published counts, may be the net benefit of treating "
                             "everyone of the exact prevalence, which gives the count of "
                             "events back (record the cohort's counts: "
                             "lt.disclosure.model_outputs(treat_all=), and a model's "
                             "net benefit from protected counts: model_counts=)")]
    return []


def recorded_counts(stamped: Mapping[str, Any]) -> list[tuple[str, int | None, int | None]]:
    """Each recorded net benefit of treating everyone: ``(header, events, people)``, the
    counts its stamp says it was computed from (the gate finds them published in the
    report: :mod:`lifetools.pipeline.gate.notebooks`)."""
    recorded = stamped.get("treat_all_headers") or {}
    if not isinstance(recorded, Mapping):
        return []
    return [(str(h), _count(v.get("events")), _count(v.get("people")))
            for h, v in recorded.items() if isinstance(v, Mapping)]


def _cells(at: int, t_at: int, rows: Sequence[Sequence[str]]
           ) -> list[tuple[int, tuple[float, int], tuple[float, int]]]:
    """The column's shown cells beside a threshold between 0 and 1: ``(row, value,
    threshold)``, each number with its places."""
    out = []
    for number, row in enumerate(rows, start=1):
        cell = str(row[at]).strip() if at < len(row) else ""
        t_cell = str(row[t_at]).strip() if t_at < len(row) else ""
        if cell in ("", SUPPRESSED, NOT_AVAILABLE) or not t_cell:
            continue
        shown, t = read_number(cell), read_proportion(t_cell)
        if shown is not None and t is not None and 0 < t[0] < 1 and math.isfinite(shown[0]):
            out.append((number, shown, t))
    return out


def _fits(k: float, n: float, shown: tuple[float, int], t: tuple[float, int]) -> bool:
    """Whether ``shown`` is the net benefit of treating everyone of ``k`` events in
    ``n`` people at the threshold ``t``, each to the places it is written with."""
    t_half = 0.5 * 10.0 ** -t[1]
    low_t, high_t = max(t[0] - t_half, 1e-12), min(t[0] + t_half, 1 - 1e-12)
    lowest, highest = (treat_all_net_benefit(k, n, high_t),
                       treat_all_net_benefit(k, n, low_t))
    slack = 0.5 * 10.0 ** -shown[1] * (1 + 1e-9) + 1e-12 * max(1.0, abs(shown[0]))
    return lowest - slack <= shown[0] <= highest + slack


def _raw_pairs(k: int, n: int, profile: SdcProfile) -> list[tuple[int, int]]:
    """Every unrounded ``(events, people)`` the published pair could come from, but
    itself (at most a base squared: cheap)."""
    k_lo, k_hi = raw_range(k, profile)
    n_lo, n_hi = raw_range(n, profile)
    return [(a, b) for a in range(int(k_lo), int(k_hi) + 1)
            for b in range(max(int(n_lo), 1), int(n_hi) + 1)
            if a <= b and (a, b) != (k, n)]


def _model_findings(header: str, at: int, t_at: int, rows: Sequence[Sequence[str]],
                    pairs: list[tuple[int, int]], profile: SdcProfile
                    ) -> list[tuple[str, str]]:
    """A model's net benefit not made from protected counts, beside a recorded net
    benefit of treating everyone: a cell equal to treating everyone of unrounded counts
    the published ones round from, and not of the published ones (a model that treats
    everyone at a low threshold shows the exact prevalence's)."""
    found = []
    for number, shown, t in _cells(at, t_at, rows):
        for k, n in pairs:
            if not _fits(k, n, shown, t) and any(
                    _fits(a, b, shown, t) for a, b in _raw_pairs(k, n, profile)):
                found.append(_finding(header, number, "a model's net benefit equal to "
                                      "that of treating everyone of unrounded counts, "
                                      "not the published ones: it gives the exact count "
                                      "of events back (compute it from protected counts: "
                                      "lt.disclosure.model_outputs(model_counts=))"))
                break
    return found


def _curve_findings(header: str, at: int, t_at: int, rows: Sequence[Sequence[str]],
                    pairs: list[tuple[int, int]], profile: SdcProfile
                    ) -> list[tuple[str, str]]:
    """An unrecorded column of a table with a threshold column whose shown cells (at
    :data:`CURVE_CELLS` thresholds or more) are all the net benefit of treating
    everyone of one prevalence, whatever its header says: refused unless it is the
    curve of published counts its table records (then it is no more than the recorded
    column). Shown at one threshold (one cell fits some prevalence whatever its value),
    it is refused where it is that of unrounded counts the published ones round from,
    and not theirs."""
    cells = _cells(at, t_at, rows)
    if not cells:
        return []
    low, high = 0.0, 1.0
    for _, shown, t in cells:  # the prevalence each cell allows: p = (v + o) / (1 + o)
        half, t_half = 0.5 * 10.0 ** -shown[1], 0.5 * 10.0 ** -t[1]
        o_lo = max(t[0] - t_half, 1e-12) / (1 - max(t[0] - t_half, 1e-12))
        o_hi = min(t[0] + t_half, 1 - 1e-12) / (1 - min(t[0] + t_half, 1 - 1e-12))
        ends = [(v + o) / (1 + o) for v in (shown[0] - half, shown[0] + half)
                for o in (o_lo, o_hi)]
        low, high = max(low, min(ends)), min(high, max(ends))
    if low > high + 1e-12:
        return []  # no one prevalence: not a curve of treating everyone
    if any(all(_fits(k, n, s, t) for _, s, t in cells) for k, n in pairs):
        return []
    raw = any(all(_fits(a, b, s, t) for _, s, t in cells)
              for k, n in pairs for a, b in _raw_pairs(k, n, profile))
    if len({t[0] for _, _, t in cells}) < CURVE_CELLS and not raw:
        return []  # one threshold: any prevalence fits it
    return [_finding(header, None, "a net benefit of treating everyone, whatever its "
                     "header says (each cell is that of one prevalence at its row's "
                     "threshold), " + ("of unrounded counts the published ones round "
                                       "from: it gives the exact count of events back"
                                       if raw else "that no rule made from published "
                                       "counts") +
                     " (lt.disclosure.model_outputs(treat_all=))")]


def _from_counts(stamped: Any) -> dict[str, Mapping[str, Any]]:
    """The model columns a stamp says were computed from protected counts
    (``net_benefit_count_headers``), each with its record (its threshold column, its
    people, the published counts of each point and its limits' headers). A list of
    headers, as stamps before the counts were recorded, names columns with no record:
    their cells cannot be verified."""
    if isinstance(stamped, Mapping):
        return {str(h): v if isinstance(v, Mapping) else {} for h, v in stamped.items()}
    if isinstance(stamped, list):
        return {str(h): {} for h in stamped}
    return {}


def _point_findings(header: str, at: int, head: list[str], rows: Sequence[Sequence[str]],
                    spec: Mapping[str, Any], pairs: list[tuple[int, int]],
                    profile: SdcProfile) -> list[tuple[str, str]]:
    """A model's net benefit its stamp says was computed from protected counts,
    recomputed from the counts the record names rather than trusted: the people
    (the published people of the table's treat-all, when it records them) and, at each
    shown cell's threshold as written, the true positives and the people treated,
    each a count the profile publishes (``0 <= TP <= T <= N``, the true positives no
    more than the published events). A cell that is not ``(TP - (T - TP) t / (1 -
    t)) / N`` of them to the places it is written with, or that has no such counts,
    is refused."""
    n = _count(spec.get("people"))
    threshold = spec.get("threshold")
    t_at = head.index(threshold) if isinstance(threshold, str) and threshold in head \
        else None
    people = {b for _, b in pairs}
    events = max((a for a, b in pairs if b == n), default=None)
    counts_ok = (n is not None and n > 0 and protect_count(n, profile=profile) == n
                 and (not people or n in people))

    def publishable(value: Any) -> bool:
        count = _count(value)
        return count is not None and count >= 0 and \
            protect_count(count, profile=profile) == count

    points = []
    for point in (spec.get("points") or []) if counts_ok else []:
        if not (isinstance(point, Sequence) and len(point) == 3):
            continue
        t, tp, tr = point
        if isinstance(t, (int, float)) and not isinstance(t, bool) and 0 < t < 1 and \
                publishable(tp) and publishable(tr) and 0 <= tp <= tr <= n and \
                (events is None or tp <= events):
            points.append((float(t), int(tp), int(tr)))
    found = []
    for number, row in enumerate(rows, start=1):
        cell = str(row[at]).strip() if at < len(row) else ""
        if cell in ("", SUPPRESSED, NOT_AVAILABLE):
            continue
        if not counts_ok or t_at is None:
            return [_finding(header, number, "a model's net benefit recorded as computed "
                             "from protected counts, but the record names no published "
                             "people and threshold it can be recomputed from: it cannot "
                             "be verified (lt.disclosure.model_outputs(model_counts=))")]
        shown = read_number(cell)
        t_cell = str(row[t_at]).strip() if t_at < len(row) else ""
        t = read_proportion(t_cell) if t_cell else None
        if shown is None or t is None or not math.isfinite(shown[0]):
            found.append(_finding(header, number, "not one number beside a risk "
                                  "threshold: it cannot be verified"))
            continue
        t_half = 0.5 * 10.0 ** -t[1] * (1 + 1e-9)
        slack = 0.5 * 10.0 ** -shown[1] * (1 + 1e-9) + 1e-12 * max(1.0, abs(shown[0]))
        if not any(abs(x - t[0]) <= t_half and
                   abs(model_net_benefit(tp, tr, n, x) - shown[0]) <= slack
                   for x, tp, tr in points):
            found.append(_finding(header, number, "not the net benefit of the published "
                                  "true positives and people treated its record names at "
                                  "its row's threshold, to the places it is written with "
                                  "(a model's net benefit recorded as made from protected "
                                  "counts is recomputed from them, not trusted)"))
    return found


def _limit_findings(header: str, at: int, head: list[str], rows: Sequence[Sequence[str]],
                    point: str, side: str) -> list[tuple[str, str]]:
    """A limit of a model's net benefit computed from protected counts (bootstrap
    limits: no function of counts, so the gate cannot recompute them): shown only
    where its point is, and on its side of it (the lower limit no more than the point,
    the upper no less), to the places each is written with."""
    if point not in head:
        return [_finding(header, None, f"recorded as a limit of {point!r}, which the "
                         "table does not show: it cannot be verified")]
    p_at = head.index(point)
    found = []
    for number, row in enumerate(rows, start=1):
        cell = str(row[at]).strip() if at < len(row) else ""
        if cell in ("", SUPPRESSED, NOT_AVAILABLE):
            continue
        p_cell = str(row[p_at]).strip() if p_at < len(row) else ""
        limit = read_number(cell)
        value = read_number(p_cell) if p_cell not in ("", SUPPRESSED, NOT_AVAILABLE) \
            else None
        if value is None or limit is None:
            found.append(_finding(header, number, f"a limit shown where its point "
                                  f"({point!r}) is not: it cannot be verified"))
            continue
        slack = 0.5 * (10.0 ** -limit[1] + 10.0 ** -value[1]) * (1 + 1e-9)
        if (side == "lower" and limit[0] > value[0] + slack) or (
                side == "upper" and limit[0] < value[0] - slack):
            found.append(_finding(header, number, f"a {side} limit on the wrong side "
                                  f"of its point ({point!r})"))
    return found


def _column_findings(header: str, at: int, head: list[str],
                     rows: Sequence[Sequence[str]], spec: Mapping[str, Any],
                     profile: SdcProfile) -> list[tuple[str, str]]:
    k, n = _count(spec.get("events")), _count(spec.get("people"))
    threshold = spec.get("threshold")
    t_at = head.index(threshold) if threshold in head else None
    counts_ok = (k is not None and n is not None and 0 <= k <= n and n > 0
                 and protect_count(k, profile=profile) == k
                 and protect_count(n, profile=profile) == n)
    found = []
    for number, row in enumerate(rows, start=1):
        cell = str(row[at]).strip() if at < len(row) else ""
        if cell in ("", SUPPRESSED, NOT_AVAILABLE):
            continue
        if not counts_ok:
            return [_finding(header, number, "shown, but the counts its record names are "
                             "not counts the profile publishes (or were hidden): it "
                             "cannot be verified")]
        shown = read_number(cell)
        t_cell = str(row[t_at]).strip() if t_at is not None and t_at < len(row) else ""
        t = read_proportion(t_cell) if t_cell else None
        if shown is None or t is None or not 0 < t[0] < 1:
            found.append(_finding(header, number, "not one number beside a risk "
                                  "threshold between 0 and 1: it cannot be verified"))
            continue
        t_half = 0.5 * 10.0 ** -t[1]
        low_t, high_t = max(t[0] - t_half, 1e-12), min(t[0] + t_half, 1 - 1e-12)
        # decreasing in the threshold: the interval the threshold's rounding allows
        lowest = treat_all_net_benefit(k, n, high_t)  # type: ignore[arg-type]
        highest = treat_all_net_benefit(k, n, low_t)  # type: ignore[arg-type]
        half = 0.5 * 10.0 ** -shown[1]
        slack = half * (1 + 1e-9) + 1e-12 * max(1.0, abs(shown[0]))
        if not (lowest - slack <= shown[0] <= highest + slack) or not math.isfinite(
                shown[0]):
            found.append(_finding(header, number, "not the net benefit of treating "
                                  "everyone of the published events and people at its "
                                  "row's threshold, to the places it is written with "
                                  "(edited, or made from the exact prevalence)"))
    return found
