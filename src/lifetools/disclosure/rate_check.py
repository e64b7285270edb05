"""The publish gate's check of a published rate against the published cells beside it.

A rate a rule made (:func:`lifetools.disclosure.rates_table`) is ``per`` x the
published (rounded) events / the published (rounded) person-years, and its protection
record says which columns and which multiplier (``ProtectionRecord.rates``; the stamp's
``rate_headers``: numerator, denominator, ``per``). So the gate recomputes it from the
cells as published, page and download, rather than trusting it
(``rate-not-from-published-counts``):

- a rate must equal ``per`` x numerator / denominator of its row to the places it is
  written with (half a unit of its last place): a hand-edited rate, or one computed
  from the exact counts, is refused;
- a rate beside a hidden numerator or a hidden denominator (``[c]``) is refused: it
  would give the hidden cell back;
- rate x person-time / ``per`` must allow a count the profile publishes (0, or a
  rounded count above the threshold): a rate that gives back a count of 1 to 7, or an
  unrounded count, is refused, whether or not the numerator is in the table;
- a rate column whose record carries no usable multiplier is refused;
- each confidence limit the record names (``lower``, ``upper``) must be the limit of
  the method it names (``interval``: :data:`~lifetools.disclosure.derived.GARWOOD`,
  the exact Poisson limits of the published numerator, over the published
  denominator, times ``per``) to the places it is written with: a limit computed
  from the exact count (an exact interval can be inverted to the count it was
  computed from) or edited by hand is refused; so is a limit shown beside a hidden
  rate, numerator or denominator, and a limit whose method the gate cannot recompute.
  Without the numerator in the table, some count the profile publishes within the
  rate's rounding must give both limits.

A share is checked the same way: a share of people beside its counts
(:func:`lifetools.disclosure.shares_table`) is recorded as a rate per 100 with
:data:`~lifetools.disclosure.derived.PUBLISHED_WILSON` limits; a share of a breakdown's
block (:func:`lifetools.disclosure.protected_shares`) by
:func:`breakdown_share_findings` (none beside a hidden count of its block; the shown
ones the counts over one published total; shown without its count column, a
published count over its block's published total, which the record keeps:
``breakdown_share_totals``). Until wave 42 the gate trusted both; until wave 43 it
passed a block's shares shown without their counts.

Each finding names the column and the row (1 = the first row under the header), never
a value. Run by :func:`lifetools.disclosure.table_cells.cell_findings` (the page's
table, and ``show_table`` at source) and by the gate's download check
(:mod:`lifetools.pipeline.gate.files`). Tested in ``tests/unit/test_rate_check.py``
and ``tests/leaks/test_rate_leaks.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lifetools.disclosure.derived import (
    GARWOOD,
    PUBLISHED_WILSON,
    block_key,
    poisson_interval,
    published_share_interval,
)
from lifetools.disclosure.downloads import NOT_AVAILABLE, SUPPRESSED
from lifetools.disclosure.profiles import SdcProfile
from lifetools.disclosure.rule_ids import rule_id
from lifetools.disclosure.rules import SCAN_LIMIT, protect_count, publishable_between

__all__ = ["INTERVAL_METHODS", "RATE_RULE", "breakdown_share_findings", "rate_findings",
           "read_number", "read_proportion"]

RATE_RULE = rule_id("rate-not-from-published-counts")
"""The publish gate's rule: a published rate that is not ``per`` x its published
numerator / denominator, sits beside a hidden one, or gives back an unpublishable
count."""

_HIDDEN = (SUPPRESSED, NOT_AVAILABLE, "", None)
"""A cell that shows no value: hidden, not available, blank, or (None) no cell."""
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.(\d*))?|\.(\d+))")


def _garwood(count: float, denominator: float, profile: SdcProfile
             ) -> tuple[float, float]:
    return poisson_interval(count)


def _published_wilson(count: float, denominator: float, profile: SdcProfile
                      ) -> tuple[float, float]:
    low, high = published_share_interval(round(count), round(denominator),
                                         profile=profile)
    return low * denominator, high * denominator


INTERVAL_METHODS: dict[str, Callable[[float, float, SdcProfile], tuple[float, float]]] = {
    GARWOOD: _garwood, PUBLISHED_WILSON: _published_wilson}
"""The methods of a rate's (or a share's) interval the gate recomputes: each maps a
published count, its published denominator and the profile to its limits as a count
(divided by the denominator and times ``per`` after): exact Poisson limits of a rate's
events, or a share's Wilson limits over every count pair the published ones could be
rounded from (:func:`~lifetools.disclosure.derived.published_share_interval`)."""

_METHOD_WORDS = {GARWOOD: "exact Poisson",
                 PUBLISHED_WILSON: "Wilson (over the counts the published ones could be "
                 "rounded from)"}


def read_number(cell: str) -> tuple[float, int] | None:
    """A cell holding one number ("1,234.5", "−0.25"): its value and decimal places;
    ``None`` for anything else (a word, a hidden cell, two numbers)."""
    text = str(cell).strip().replace(",", "").replace("\u2212", "-")
    match = _NUMBER.fullmatch(text)
    if not match:
        return None
    places = match.group(1) or match.group(2) or ""
    return float(text), len(places)


def read_proportion(cell: str) -> tuple[float, int] | None:
    """A cell holding one proportion, written as one ("0.10") or as a percentage
    ("10.0%", a share of people as a page shows it: ``show_table``'s
    ``proportions``): its value as a proportion (0.100) and the places that value is
    written to (a percentage's two more: "10.0%" is 0.100 to 3 places); ``None`` for
    anything else."""
    text = str(cell).strip()
    if not text.endswith("%"):
        return read_number(text)
    read = read_number(text[:-1])
    return None if read is None else (read[0] / 100, read[1] + 2)


def _finding(header: str, row: int, what: str) -> tuple[str, str]:
    return (RATE_RULE, f"column {header!r}, row {row}: {what}")


def rate_findings(head: Sequence[str], rows: Sequence[Sequence[str]],
                  stamped: Mapping[str, Any], profile: SdcProfile
                  ) -> list[tuple[str, str]]:
    """``rate-not-from-published-counts`` for each rate the stamp records
    (``rate_headers``), read from the cells as published (the module docstring lists
    the rules); the detail names the column and the row, never a value."""
    found: list[tuple[str, str]] = []
    recorded = stamped.get("rate_headers") or {}
    if not isinstance(recorded, Mapping):
        return [(RATE_RULE, "the stamp's record of its rates is not readable")]
    head = [str(h).strip() for h in head]
    for header, spec in recorded.items():
        if header not in head:
            continue
        spec = spec if isinstance(spec, Mapping) else {}
        try:
            per = float(spec.get("per"))
        except (TypeError, ValueError):
            per = float("nan")
        if not (math.isfinite(per) and per > 0):
            found.append((RATE_RULE, f"column {header!r}: the record of the rate has no "
                          "multiplier (per 1, per 1,000 ...): it cannot be verified"))
            continue
        at = head.index(header)
        numerator, denominator = spec.get("numerator"), spec.get("denominator")
        k_at = head.index(numerator) if numerator in head else None
        y_at = head.index(denominator) if denominator in head else None
        limits = _limit_columns(spec, head)
        if isinstance(limits, str):
            found.append((RATE_RULE, f"column {header!r}: {limits}"))
            limits = None
        for number, row in enumerate(rows, start=1):
            found += _row_findings(header, number, row, at, k_at, y_at, per, profile)
            if limits is not None:
                found += _interval_findings(header, number, row, (at, k_at, y_at), per,
                                            limits, profile)
    found += breakdown_share_findings(head, rows, stamped, profile)
    return list(dict.fromkeys(found))




def breakdown_share_findings(head: Sequence[str], rows: Sequence[Sequence[str]],
                             stamped: Mapping[str, Any], profile: SdcProfile
                             ) -> list[tuple[str, str]]:
    """``rate-not-from-published-counts`` for each share of a breakdown's block the
    stamp records (``breakdown_share_headers``: the share's column and the count
    column it is a share of; the blocks are the rows with one value of
    ``totals_by_header``, else the whole table), read from the cells as published:

    - a share shown in a block where a count of that column is hidden is refused: the
      block's total (a shown count over its share) less the shown counts gives the
      hidden sum back, which secondary suppression keeps unknown;
    - the shown shares of a block must be its shown counts over one total the profile
      publishes (a rounded count above the threshold), each to the places it is
      written with: a share made from unrounded counts or edited by hand is refused.

    A share whose count column is not in the table (a selection, a figure's data) is
    checked against its block's published total that the record keeps
    (``breakdown_share_totals``: :func:`_without_counts`), and refused where the record
    keeps none (until wave 43 it passed: nothing beside it to check it against). Each
    finding names the column and the row, never a value.
    """
    recorded = stamped.get("breakdown_share_headers") or {}
    if not isinstance(recorded, Mapping):
        return [(RATE_RULE, "the stamp's record of its shares is not readable")]
    head = [str(h).strip() for h in head]
    found: list[tuple[str, str]] = []
    block_totals = stamped.get("breakdown_share_totals") or {}
    if not isinstance(block_totals, Mapping):
        return [(RATE_RULE, "the stamp's record of its shares' totals is not readable")]
    for header, count in recorded.items():
        if header in head and not (isinstance(count, str) and count in head):
            found += _without_counts(header, head, rows, block_totals.get(header),
                                     profile)
    by = stamped.get("totals_by_header")
    by_at = head.index(by) if isinstance(by, str) and by in head else None
    blocks: dict[str, list[int]] = {}
    for number, row in enumerate(rows):
        blocks.setdefault(str(_cell(row, by_at) or ""), []).append(number)
    for header, count in recorded.items():
        if header not in head or not isinstance(count, str) or count not in head:
            continue
        at, k_at = head.index(header), head.index(count)
        for members in blocks.values():
            shown = [i for i in members if _cell(rows[i], at) not in _HIDDEN]
            if not shown:
                continue
            if any(_cell(rows[i], k_at) in _HIDDEN for i in members):
                found.append(_finding(header, shown[0] + 1, "a share of its block shown "
                                      f"beside a hidden count of the block ({count!r}): "
                                      "the block's total less its shown counts gives the "
                                      "hidden ones back"))
                continue
            found += _one_total(header, [(i, _cell(rows[i], at), _cell(rows[i], k_at))
                                         for i in shown], profile)
    return found


def _without_counts(header: str, head: Sequence[str], rows: Sequence[Sequence[str]],
                    spec: Any, profile: SdcProfile) -> list[tuple[str, str]]:
    """A block's shares shown without their count column, read against the published
    total of its block that the record keeps (``{"by": block column, "totals": {block:
    total}}``; ``None`` a block whose shares the rule hid): each shown share must be in
    a block the record gives a total for, and its share x that total / 100, to the
    places it is written with, a count the profile publishes (0, or a rounded count
    above the threshold). A share the record gives no total for (a stamp without it,
    a block the record does not know or one whose shares were hidden, a row whose
    block cannot be told with the block column left out and more than one block
    shown by the rule) is refused: nothing published
    checks it, and a share of a block with a hidden count gives the hidden sum back
    from the total."""
    at = head.index(header)
    shown = [(number, cell) for number, row in enumerate(rows, start=1)
             if (cell := _cell(row, at)) not in _HIDDEN]
    if not shown:
        return []
    totals = spec.get("totals") if isinstance(spec, Mapping) else None
    if not isinstance(totals, Mapping):
        return [_finding(header, shown[0][0], "a share of its block shown without its "
                         "count column, and no record of the published total it is of: "
                         "nothing published checks it (show its counts beside it, or "
                         "make it with lt.disclosure.protected_shares)")]
    by = spec.get("by")
    by_at = head.index(by) if isinstance(by, str) and by in head else None
    known = [k for k, v in totals.items() if _count_of(v)]
    if by_at is None and len(known) > 1:
        return [_finding(header, shown[0][0], "a share of its block shown without its "
                         "count column or the column of its blocks: which block's total "
                         "it is of cannot be told (show the column of its blocks)")]
    found = []
    for number, cell in shown:
        # without the block column: the one block whose shares the rule showed
        key = (known[0] if known else "") if by_at is None else \
            block_key(_cell(rows[number - 1], by_at))
        total = _count_of(totals.get(key))
        if total is None or total <= 0:
            found.append(_finding(header, number, "a share shown of a block the record "
                                  "gives no published total for (its shares were hidden: "
                                  "a hidden count in the block gives the hidden sum back "
                                  "from the total)"))
            continue
        share = read_number(str(cell).removesuffix("%"))
        if share is None:
            found.append(_finding(header, number, "a share that is not one number"))
            continue
        half = 0.5 * 10.0 ** -share[1] * (1 + 1e-9)
        low, high = ((share[0] - half) * total / 100, (share[0] + half) * total / 100)
        if high < 0 or low > total or not publishable_between(low, min(high, total),
                                                               profile):
            found.append(_finding(header, number, "a share shown without its count column "
                                  "that is not a published count over its block's "
                                  "published total, to the places it is written with "
                                  "(edited, or made from unrounded counts)"))
    return found


def _count_of(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def _one_total(header: str, cells: Sequence[tuple[int, Any, Any]],
               profile: SdcProfile) -> list[tuple[str, str]]:
    """A block's shown shares (row index, share cell, count cell): the counts over one
    total the profile publishes, to the places each share is written with."""
    low, high = 0.0, math.inf
    for index, share_cell, count_cell in cells:
        share = read_number(str(share_cell).removesuffix("%"))
        count = read_number(str(count_cell))
        if share is None or count is None:
            return [_finding(header, index + 1, "a share or its count that is not one "
                             "number")]
        half = 0.5 * 10.0 ** -share[1] * (1 + 1e-9)
        if count[0] == 0:
            if abs(share[0]) > half:
                return [_finding(header, index + 1, "a share of its block above 0 beside "
                                 "a count of 0")]
            continue
        low = max(low, 100 * count[0] / (share[0] + half), count[0])
        if share[0] - half > 0:
            high = min(high, 100 * count[0] / (share[0] - half))
    if math.isinf(high) or publishable_between(low, high, profile):
        return []
    return [_finding(header, cells[0][0] + 1, "the shares of its block are not the "
                     "published counts beside them over one total the rules publish, to "
                     "the places they are written with (edited, or made from unrounded "
                     "counts)")]


Limits = tuple[tuple[tuple[str, int, int], ...], str]
"""The limits of a rate a page shows: (header, position, 0 lower / 1 upper) of each,
and the name of the method that gives them from a count (:data:`INTERVAL_METHODS`)."""


def _limit_columns(spec: Mapping[str, Any], head: Sequence[str]) -> Limits | str | None:
    """The rate's limits the table shows, with their method; a finding's detail when
    the record names a method the gate cannot recompute; None when no limit is shown
    or the record names none."""
    shown = tuple((str(spec.get(side)), head.index(str(spec.get(side))), i)
                  for i, side in enumerate(("lower", "upper"))
                  if spec.get(side) and str(spec.get(side)) in head)
    if not shown:
        return None
    method = str(spec.get("interval"))
    if method not in INTERVAL_METHODS:
        return ("the record of its interval names no method the gate recomputes (an "
                "exact Poisson or a published Wilson interval): its limits cannot be verified")
    return shown, method


def _cell(row: Sequence[str], at: int | None) -> str | None:
    if at is None:
        return None
    return str(row[at]).strip() if at < len(row) else ""


def _row_findings(header: str, number: int, row: Sequence[str], at: int,
                  k_at: int | None, y_at: int | None, per: float,
                  profile: SdcProfile) -> list[tuple[str, str]]:
    cell = _cell(row, at)
    if cell in _HIDDEN:
        return []
    shown = read_number(cell)
    if shown is None:
        return [_finding(header, number, "a rate cell that is not one number")]
    rate, places = shown
    half = 0.5 * 10.0 ** -places
    k_cell, y_cell = _cell(row, k_at), _cell(row, y_at)
    for cell_of, what in ((k_cell, "numerator"), (y_cell, "denominator")):
        if cell_of in (SUPPRESSED, NOT_AVAILABLE, ""):
            return [_finding(header, number, f"a rate shown beside a hidden {what}: "
                             "it gives the hidden cell back")]
    k = read_number(k_cell) if k_cell is not None else None
    y = read_number(y_cell) if y_cell is not None else None
    found = []
    if y is not None and y[0] <= 0:
        return [_finding(header, number, "a rate shown over no person-time")]
    if k is not None and y is not None:
        expected = per * k[0] / y[0]
        if abs(rate - expected) > half * (1 + 1e-9) + 1e-12 * max(1.0, abs(expected)):
            found.append(_finding(header, number, f"the rate is not {per:g} x the "
                                  "published numerator / the published denominator of "
                                  f"its row to the {places} decimal places it is "
                                  "written with (edited, or made from unrounded counts)"))
    if y is not None and not publishable_between((rate - half) * y[0] / per,
                                                  (rate + half) * y[0] / per, profile):
        found.append(_finding(header, number, "the rate x the published person-time "
                              f"/ {per:g} gives back a count the rules would not "
                              "publish (1 to the threshold, or not rounded)"))
    return found


def _interval_findings(header: str, number: int, row: Sequence[str],
                       at: tuple[int, int | None, int | None], per: float,
                       limits: Limits, profile: SdcProfile) -> list[tuple[str, str]]:
    """A row's confidence limits of the rate: each shown limit must be the method's
    limit of the published numerator (or, without it in the table, of some count the
    profile publishes within the rate's rounding) over the published denominator, to
    the places it is written with."""
    columns, method_name = limits
    method = INTERVAL_METHODS[method_name]
    shown = [(name, _cell(row, position), side) for name, position, side in columns]
    shown = [(name, cell, side) for name, cell, side in shown
             if cell not in _HIDDEN]
    if not shown:
        return []
    rate_at, k_at, y_at = at
    for cell_of, what in ((_cell(row, rate_at), "rate"), (_cell(row, k_at), "numerator"),
                          (_cell(row, y_at), "denominator")):
        if cell_of in (SUPPRESSED, NOT_AVAILABLE, ""):
            return [_finding(shown[0][0], number, f"a confidence limit shown beside a "
                             f"hidden {what}: it gives the hidden cell back")]
    read = [(name, read_number(cell), side) for name, cell, side in shown]
    bad = next((name for name, value, _ in read if value is None), None)
    if bad is not None:
        return [_finding(bad, number, "a confidence limit cell that is not one number")]
    y_cell = _cell(row, y_at)
    y = read_number(y_cell) if y_cell is not None else None
    if y is None or y[0] <= 0:
        return [_finding(shown[0][0], number, "a confidence limit of a rate whose "
                         "denominator is not shown beside it: it cannot be recomputed")]
    k_cell = _cell(row, k_at)
    k = read_number(k_cell) if k_cell is not None else None
    if k is not None:
        counts: Sequence[float] = [k[0]]
    else:
        rate = read_number(str(_cell(row, rate_at)))
        if rate is None:
            return []  # the rate's own finding names the cell
        half = 0.5 * 10.0 ** -rate[1]
        low, high = (max(rate[0] - half, 0.0) * y[0] / per,
                     (rate[0] + half) * y[0] / per)
        if high - low > SCAN_LIMIT:
            return []  # too wide a rounding to hold one count: nothing to give back
        counts = [c for c in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)
                  if protect_count(c, profile=profile) == c]
    wrong: list[str] = [read[0][0]]
    for count in counts:
        expected = [per * limit / y[0] for limit in method(count, y[0], profile)]
        wrong = [name for name, value, side in read if not _within(value, expected[side])]
        if not wrong:
            return []
    # the limits that are not the published numerator's (without it: the first limit)
    return [_finding(name, number, f"the confidence limits are not the {_METHOD_WORDS[method_name]} "
                     "limits of the published numerator over the published denominator, "
                     f"times {per:g}, to the places they are written with (edited, or "
                     "made from unrounded counts: an exact interval gives back the count "
                     "it was computed from)") for name in
            (wrong if len(counts) == 1 else wrong[:1])]


def _within(shown: tuple[float, int], expected: float) -> bool:
    """``shown`` (value, places) is ``expected`` written to its places."""
    half = 0.5 * 10.0 ** -shown[1]
    return abs(shown[0] - expected) <= half * (1 + 1e-9) + 1e-12 * max(1.0, abs(expected))
