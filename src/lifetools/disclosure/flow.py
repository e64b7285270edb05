"""Participant flows: tables whose rows are each a subset of an earlier row.

A flow (how a cohort was formed) publishes the people left after each step. Rounding
each row to 5 on its own protects the rows but not the steps: a reader subtracts two
consecutive rows and reads the people a step excluded, which may be 1 to 7 (a small
count no table would show). Here each step's excluded count is a count to protect.

The rule (:func:`flow_hidden`, applied by :func:`lifetools.disclosure.protect_counts`
when given ``parents``): every row names the row it is a subset of (its parent; by
default the row above, a chain; several rows may share a parent when they are
disjoint, as the emergency care report's users and comparison pool of the people in
the linked data). For a shown row, its shown children are the shown rows whose nearest
shown ancestor it is; what they leave out of it (the row less its shown children: the
excluded count a reader works out) must be 0 or above the threshold. Where it is 1 to
the threshold the row itself is hidden (``[c]``, secondary suppression), rows taken
from the last to the first, so that its steps merge with the step above and the
cohort at the end of the flow stays shown; a row hidden by the count rule (1 to 7)
is skipped the same way. So between two shown rows a published difference is 0 only
when nobody was excluded and otherwise stands for more than the threshold: the
published rows difference to published exclusions consistently.

:func:`flow_findings` is the check on the cells as published (the page's table and
its CSV download; run by :func:`lifetools.disclosure.table_cells.cell_findings` at
source and by the publish gate): a table named :data:`FLOW_TABLE` (the name the book
draws a participant flow diagram from) must be stamped as a flow, a row may not show
more than its parent can hold, and the published numbers may not prove a step's
excluded count to lie within 1 to the threshold (each shown count anywhere within its
rounding). Imports only the profiles. Tested in ``tests/unit/test_disclosure_flow.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from lifetools.disclosure.profiles import SdcProfile
from lifetools.disclosure.rule_ids import rule_id

__all__ = ["FLOW_RULE", "FLOW_TABLE", "PARENTS_KEY", "STEP_JOIN", "ZERO_KEY", "chain",
           "check_parents", "flow_findings", "flow_hidden", "merge_plan", "merged_parents",
           "shown_children", "raw_range", "zero_steps"]

FLOW_TABLE = "flow"
"""The name a report shows its participant flow under (``show_table(..., name=)``):
the book draws the flow diagram from ``tables/flow.csv``, and the publish gate refuses
a table of that name not protected as a flow."""
FLOW_RULE = rule_id("flow-step")
"""The finding's rule: a flow step's excluded count not protected."""
PARENTS_KEY = "flow_parents"
"""The stamp's key (a table's rules, :func:`lifetools.disclosure.header_rules`): each
row's parent row (0-based), ``None`` for a first row."""

ZERO_KEY = "flow_zero_steps"
"""The stamp's key: for each count header, the shown rows whose shown children leave
out exactly nobody of them (0-based), the steps a published difference of 0 may
stand for (:func:`zero_steps`); only a true 0 is shown as 0 (wave 23)."""

STEP_JOIN = "; "
"""What joins the words of merged steps (:func:`merge_plan`): "accepted (not
rejected); open at some time during the period; first such referral per person"."""

_HIDDEN = {"[c]", "[x]", ""}


def chain(rows: int) -> tuple[int | None, ...]:
    """The parents of a flow in which each row is a subset of the row above."""
    return tuple([None] + list(range(rows - 1)))[:rows]


def check_parents(parents: Sequence[int | None], rows: int) -> tuple[int | None, ...]:
    """``parents`` as a tuple, checked: one per row, each an earlier row or ``None``.

    Raises
    ------
    ValueError
        Naming the row whose parent is not an earlier row.
    """
    out = tuple(None if p is None else int(p) for p in parents)
    if len(out) != rows:
        raise ValueError(f"a flow of {rows} rows needs {rows} parents, got {len(out)}")
    for row, parent in enumerate(out):
        if parent is not None and not 0 <= parent < row:
            raise ValueError(f"flow row {row + 1}: its parent must be an earlier row "
                             f"(got row {parent + 1})")
    return out


def shown_children(parents: Sequence[int | None], hidden: Sequence[bool],
                   row: int) -> list[int]:
    """The shown rows whose nearest shown ancestor is ``row``."""
    out = []
    for child in range(row + 1, len(parents)):
        if hidden[child]:
            continue
        up = parents[child]
        while up is not None and hidden[up] and up != row:
            up = parents[up]
        if up == row:
            out.append(child)
    return out


def flow_hidden(values: Sequence[float | None], hidden: Sequence[bool],
                parents: Sequence[int | None], threshold: int, *,
                column: str = "n",
                rounded: Sequence[float | None] | None = None) -> list[bool]:
    """The rows of one count column to hide so that no step excludes 1 to ``threshold``,
    and no step that excluded somebody is shown as excluding nobody.

    ``values``: the raw counts (``None``/NaN: hidden upstream); ``hidden``: the rows
    already hidden (the count rule); ``rounded``: the counts as they would be shown.
    Rows are taken from the last to the first; a shown row whose shown children leave
    out 1 to ``threshold`` of it is hidden, and so is one whose shown children leave
    out somebody of it while their shown counts add up to the row's or more (a
    published difference of 0 or less: a reader would take it for a true 0, and
    learns the step lies within the rounding, 1 to the base less 1; under a profile
    whose threshold is below the base, e.g. midpoint 6 rounding, wave 23).

    Raises
    ------
    ValueError
        If a row's shown children count more than the row (the rows are not nested),
        naming the rows and ``column``.
    """
    hide = [bool(h) or v is None or (isinstance(v, float) and math.isnan(v))
            for v, h in zip(values, hidden, strict=True)]
    for row in reversed(range(len(values))):
        if hide[row]:
            continue
        kids = shown_children(parents, hide, row)
        if not kids:
            continue
        rest = float(values[row]) - sum(float(values[k]) for k in kids)  # type: ignore[arg-type]
        if rest < 0:
            raise ValueError(
                f"flow column {column!r}: rows {[k + 1 for k in kids]} count more than "
                f"row {row + 1}, of which they are a part (each row of a flow must be a "
                "subset of its parent row)")
        if 1 <= rest <= threshold:
            hide[row] = True
        elif rest >= 1 and rounded is not None and float(rounded[row]) - sum(  # type: ignore[arg-type]
                float(rounded[k]) for k in kids) <= 0:  # type: ignore[arg-type]
            hide[row] = True
    return hide


def merge_plan(parents: Sequence[int | None], hidden: Sequence[bool]) -> list[list[int]]:
    """The rows a flow publishes as one: each group is shown as its last row, with the
    words of the group's steps joined (:data:`STEP_JOIN`).

    A row hidden in every count column (``hidden``) that has a parent and whose only
    child is the row below it is merged into that row: its count says nothing a
    reader could use, and the step from its parent to its child is the one the
    published rows difference to (the row's own step and the next, merged). Three
    such rows in a row read as one step, not as three ``[c]`` rows (issue 15). A
    hidden first row (no step above it), a hidden row with several parts or none (the
    cohort at the end of a flow, hidden by the count rule) stays a row of its own.
    Merging removes no published number, so it discloses nothing the ``[c]`` rows
    did not.
    """
    rows = len(parents)
    kids = [[j for j in range(rows) if parents[j] == i] for i in range(rows)]
    groups: list[list[int]] = []
    pending: list[int] = []
    for row in range(rows):
        pending.append(row)
        if not (hidden[row] and parents[row] is not None and kids[row] == [row + 1]):
            groups.append(pending)
            pending = []
    return groups


def merged_parents(parents: Sequence[int | None],
                   groups: Sequence[Sequence[int]]) -> tuple[int | None, ...]:
    """Each merged row's parent (:func:`merge_plan`): the group holding the parent of
    the group's first row (a group's rows are a chain, its first row's parent is the
    step above all of them)."""
    where = {row: index for index, group in enumerate(groups) for row in group}
    return tuple(None if parents[group[0]] is None else where[parents[group[0]]]
                 for group in groups)


def zero_steps(values: Sequence[float | None], hidden: Sequence[bool],
               parents: Sequence[int | None]) -> list[int]:
    """The shown rows whose shown children leave out exactly nobody of them (raw
    ``values``, the rows ``hidden`` as published): the steps the stamp records
    (:data:`ZERO_KEY`) so that the gate accepts a published difference of 0 there."""
    out = []
    for row, value in enumerate(values):
        if hidden[row]:
            continue
        kids = shown_children(parents, hidden, row)
        if kids and float(value) - sum(float(values[k]) for k in kids) == 0:  # type: ignore[arg-type]
            out.append(row)
    return out


def raw_range(shown: float, profile: SdcProfile) -> tuple[float, float]:
    """The raw counts a shown count can come from under ``profile`` (0 is exact)."""
    if shown == 0:
        return 0.0, 0.0
    b = profile.base
    if profile.rounding == "midpoint":
        return shown + b // 2 - b + 1, shown + b // 2
    low = math.ceil(shown - b / 2)  # nearest multiple, halves up
    return float(max(low, profile.threshold + 1)), float(math.ceil(shown + b / 2) - 1)


def _number(cell: str) -> float | None:
    text = cell.strip().replace(",", "").replace("\u2212", "-")
    if text in _HIDDEN:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def flow_findings(head: list[str], rows: list[list[str]], stamped: Mapping[str, Any],
                  profile: SdcProfile, *, name: Any = None) -> list[tuple[str, str]]:
    """``flow-step`` in a table's cells as published (page or download).

    Read from the stamp (:data:`PARENTS_KEY`, the count headers) and the cells, not
    from the protection record: a table named :data:`FLOW_TABLE` without the flow's
    record; a row shown larger than its parent can hold; a step whose excluded count
    (a shown row less its shown children) the published numbers prove to lie within 1
    to the threshold; a step shown as excluding nobody (its shown children add up to
    the row or more) that the published numbers allow to exclude somebody, unless the
    stamp records it as a true 0 (:data:`ZERO_KEY`, written by
    :func:`lifetools.disclosure.protect_flow`). The detail names the column, never a
    value.
    """
    parents = stamped.get(PARENTS_KEY)
    if not isinstance(parents, list):
        if name == FLOW_TABLE and rows:
            return [(FLOW_RULE, f"table {FLOW_TABLE!r} is a participant flow not protected "
                     "as one: consecutive rows would give each step's excluded count "
                     "by subtraction (protect it with parents=, lt.disclosure)")]
        return []
    if len(parents) != len(rows):
        return [(FLOW_RULE, "the flow's record does not match its rows")]
    counts = [h for h in head if h in {*stamped.get("count_cols", []),
                                       *stamped.get("count_headers", [])}]
    exact = stamped.get("enabled") is False
    zero = stamped.get(ZERO_KEY) or {}
    zero = zero if isinstance(zero, Mapping) else {}
    found: list[tuple[str, str]] = []
    for header in counts:
        at = head.index(header)
        values = [_number(row[at]) if at < len(row) else None for row in rows]
        hidden = [v is None for v in values]
        for row in range(len(rows)):
            kids = [] if hidden[row] else shown_children(parents, hidden, row)
            if not kids:
                continue
            lo_p, hi_p = ((values[row],) * 2 if exact
                          else raw_range(values[row], profile))  # type: ignore[arg-type]
            ranges = [((values[k],) * 2 if exact else raw_range(values[k], profile))
                      for k in kids]  # type: ignore[arg-type]
            least = lo_p - sum(hi for _, hi in ranges)
            most = hi_p - sum(lo for lo, _ in ranges)
            if most < 0:
                found.append((FLOW_RULE, f"column {header!r}: a step shows more people "
                              "than the step it is part of"))
            elif max(least, 0) >= 1 and most <= profile.threshold:
                found.append((FLOW_RULE, f"column {header!r}: a step's excluded count "
                              "can be worked out by subtraction as a small count"))
            elif not exact and most >= 1 and values[row] - sum(  # type: ignore[operator]
                    values[k] for k in kids) <= 0 and row not in zero.get(header, []):  # type: ignore[misc]
                found.append((FLOW_RULE, f"column {header!r}: a step shown as excluding "
                              "nobody that the published numbers allow to exclude a few "
                              "people, and whose record does not say it excluded nobody "
                              "(protect it with lt.disclosure.protect_flow)"))
    return list(dict.fromkeys(found))
