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
- a rate column whose record carries no usable multiplier is refused.

Each finding names the column and the row (1 = the first row under the header), never
a value. Run by :func:`lifetools.disclosure.table_cells.cell_findings` (the page's
table, and ``show_table`` at source) and by the gate's download check
(:mod:`lifetools.pipeline.gate.files`). Tested in ``tests/unit/test_rate_check.py``
and ``tests/leaks/test_rate_leaks.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lifetools.disclosure.downloads import NOT_AVAILABLE, SUPPRESSED
from lifetools.disclosure.profiles import SdcProfile
from lifetools.disclosure.rules import protect_count

__all__ = ["RATE_RULE", "rate_findings", "read_number"]

RATE_RULE = "rate-not-from-published-counts"
"""The publish gate's rule: a published rate that is not ``per`` x its published
numerator / denominator, sits beside a hidden one, or gives back an unpublishable
count."""

_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.(\d*))?|\.(\d+))")
_SCAN_LIMIT = 10_000
"""Counts a rate's interval of implied counts is searched over one by one; a wider
interval holds a publishable count whatever the profile (every base is below it)."""


def read_number(cell: str) -> tuple[float, int] | None:
    """A cell holding one number ("1,234.5", "−0.25"): its value and decimal places;
    ``None`` for anything else (a word, a hidden cell, two numbers)."""
    text = str(cell).strip().replace(",", "").replace("\u2212", "-")
    match = _NUMBER.fullmatch(text)
    if not match:
        return None
    places = match.group(1) or match.group(2) or ""
    return float(text), len(places)


def _publishable_between(low: float, high: float, profile: SdcProfile) -> bool:
    """Whether some count the profile publishes lies in ``[low, high]``."""
    low, high = max(low, 0.0), max(high, 0.0)
    if high - low > _SCAN_LIMIT:
        return True
    return any(protect_count(k, profile=profile) == k
               for k in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1))


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
        for number, row in enumerate(rows, start=1):
            found += _row_findings(header, number, row, at, k_at, y_at, per, profile)
    return list(dict.fromkeys(found))


def _cell(row: Sequence[str], at: int | None) -> str | None:
    if at is None:
        return None
    return str(row[at]).strip() if at < len(row) else ""


def _row_findings(header: str, number: int, row: Sequence[str], at: int,
                  k_at: int | None, y_at: int | None, per: float,
                  profile: SdcProfile) -> list[tuple[str, str]]:
    cell = _cell(row, at)
    if cell in ("", SUPPRESSED, NOT_AVAILABLE, None):
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
    if y is not None and not _publishable_between((rate - half) * y[0] / per,
                                                  (rate + half) * y[0] / per, profile):
        found.append(_finding(header, number, "the rate x the published person-time "
                              f"/ {per:g} gives back a count the rules would not "
                              "publish (1 to the threshold, or not rounded)"))
    return found
