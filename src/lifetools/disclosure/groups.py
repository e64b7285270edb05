"""Group (class) disclosure: a share of all or none of a group of people.

"Of the 40 people in locality X, 100% were discharged", or a table row whose every
member falls in one column with the rest shown as 0, tells a reader something about
every person in that group, whatever the group's size. Output checking in UK trusted
research environments treats this as a class of its own, distinct from small cells:
ACRO's ``ClassDisclosure`` risk ("membership of a sensitive category or class who all
share the same values"; mitigations suppression or noise), and the ONS Secure Research
Service's output checking guidance (section 6.2, class disclosure: structural zeros
are safe, otherwise suppress or round).

The rule (:attr:`~lifetools.disclosure.SdcProfile.group_disclosure`; stated by
:func:`~lifetools.disclosure.group_sentence`), read from the *published* numbers only,
so that whether a cell is hidden tells a reader nothing the published numbers do not:

- a group of cells adding up to a published total (a row across categories, a block
  of a column: the ``totals`` of :func:`~lifetools.disclosure.protect_counts`) whose
  one shown cell above 0 holds the whole group, every other cell shown as 0: the zeros
  are hidden (``[c]``, reason :data:`GROUP_REASON`), and secondary suppression follows;
- a row's outcome count shown as 0 beside its group size (the declared
  ``denominator``, shown above 0): the outcome is hidden ("0 crises" among 60
  people);
- a row's count of *people* with an attribute (declared ``people_outcomes``: each
  person of the row's group counted at most once, such as people with a crisis or
  people who answered "easy") shown equal to its group size: it is hidden ("60
  people, 60 admitted": everyone in the group had it). Which outcomes count people is
  typed where the table is made, not guessed from a column's name: an outcome not
  declared one counts events a person may have more than once (40 attendances among
  40 people need not be one each) and is shown; a share of all of a group is ruled
  where it is made (:func:`~lifetools.disclosure.share`);
- a share of 0% or 100% of a group (:func:`~lifetools.disclosure.share`,
  :func:`~lifetools.disclosure.shares_table`; as written, to its decimal places) is not
  shown; a share of a breakdown (a block of two or more rows) shown as 100% is
  hidden with its block (the complementary rule); a block of one row is 100% of
  itself by definition. A zero in a breakdown whose group falls in several other
  categories is shown, as lifetools shows zeros (a difference from ACRO, whose
  ``zeros_are_disclosive`` flags every zero);
- a fact true by definition ("everyone in the cohort was referred") is not a share of
  a group: state it in words.

Resolution: suppression. A band ("over 95%") shown only where the exact share is 100%
would say it is 100%; banding every share near the ends would change most shares for
nothing. Rounding is what makes the hidden zero safe: the full cell and the total are
rounded, so "[c]" beside them reads "0 to 7", not 0.

The publish gate verifies the published bytes with :func:`group_findings` (rule
:data:`GROUP_RULE`), from the cells as shown and the table's stamp, and the text of
key results and sentences through their spans (:mod:`lifetools.disclosure.text`).
Tested in ``tests/unit/test_disclosure_groups.py`` and ``tests/leaks/test_group_leaks.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lifetools.disclosure.rule_ids import rule_id
from lifetools.disclosure.totals import totals_groups

__all__ = ["GROUP_REASON", "GROUP_RULE", "extreme_share", "group_findings",
           "whole_group", "whole_group_cells"]

GROUP_RULE = rule_id("group-disclosure")
GROUP_REASON = "group disclosure"
"""The reason recorded for a cell or a share hidden by this rule (no number in it)."""
_HIDDEN = {"[c]", "[x]", ""}


def whole_group(values: Sequence[float | None]) -> bool:
    """Whether a group of two or more shown cells has one cell above 0 and the rest 0.

    A hidden cell (``None`` or NaN) breaks the pattern: "[c]" beside the full cell
    reads "0 to 7".
    """
    if len(values) < 2 or any(v is None or (isinstance(v, float) and math.isnan(v))
                              for v in values):
        return False
    positive = [v for v in values if v > 0]  # type: ignore[operator]
    return len(positive) == 1 and all(v == 0 for v in values if not v > 0)  # type: ignore[operator]


def whole_group_cells(published: np.ndarray, groups: Sequence[Sequence[int]],
                      denominator_at: int | None = None,
                      people_at: Sequence[int] = ()) -> np.ndarray:
    """Cells the rule hides, from the published values (rows x counts; NaN hidden).

    ``groups``: flat row-major cells adding up to one published total each
    (:func:`lifetools.disclosure.totals.totals_groups`); ``denominator_at``: the
    column of each row's group size, whose outcomes shown as 0 are hidden;
    ``people_at``: the outcome columns counting people of the row's group (each at
    most once), hidden too where shown equal to the group size.
    """
    values = np.asarray(published, dtype="float64")
    mask = np.zeros(values.shape, dtype=bool)
    flat, hide = values.ravel(), mask.ravel()
    for group in groups:
        cells = [float(flat[c]) for c in group]
        if whole_group(cells):
            for c in group:
                hide[c] = flat[c] == 0
    if denominator_at is not None and values.ndim == 2 and values.shape[1] > 1:
        for row in range(values.shape[0]):
            size = values[row, denominator_at]
            if not size > 0:
                continue
            for col in range(values.shape[1]):
                if col != denominator_at and (values[row, col] == 0 or col in people_at
                                              and values[row, col] == size):
                    mask[row, col] = True
    return mask


def extreme_share(value: float | None, digits: int = 1) -> bool:
    """A share (per cent) that reads as none or all of its group, as written."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return round(float(value), digits) in (0.0, 100.0)


def _number(cell: str) -> float | None:
    text = cell.strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def group_findings(head: list[str], rows: list[list[str]], stamped: Mapping[str, Any]
                   ) -> list[tuple[str, str]]:
    """``group-disclosure`` in a sealed table's cells as shown (page or download).

    Read from the stamp's record (``count_headers``, ``totals`` and
    ``totals_by_header``: the cells adding up to published totals,
    ``denominator_header``: each row's group size, ``people_outcome_headers``: the
    outcomes counting people of that group, ``share_headers``: each share
    column, ``"group"`` (of its row's group size) or ``"breakdown"`` (of its block))
    and the cells as shown, not from the protection record: a group whose whole count
    is shown in one cell with the rest 0, an outcome shown as 0 beside its row's group
    size, a count of people shown equal to it, a share of a group shown as 0% or 100%, a share of a breakdown (a block of
    two or more rows) shown as 100%.
    The detail names the column, never a value.
    """
    counts = [h for h in head if h in {*stamped.get("count_cols", []),
                                       *stamped.get("count_headers", [])}]
    at = [head.index(h) for h in counts]
    shown = [[_number(row[i]) if i < len(row) and row[i].strip() not in _HIDDEN
              else math.nan for i in at] for row in rows]
    values = np.array(shown, dtype="float64").reshape(len(rows), len(counts))
    found: list[tuple[str, str]] = []
    totals, by = stamped.get("totals"), stamped.get("totals_by_header")
    if counts and totals in ("columns", "rows", "both"):
        frame = pd.DataFrame(values, columns=range(len(counts)))
        if isinstance(by, str) and by in head:
            frame["by"] = [row[head.index(by)] if head.index(by) < len(row) else ""
                           for row in rows]
        groups = totals_groups(frame, len(counts), totals,
                               "by" if "by" in frame.columns else None)
        if whole_group_cells(values, groups).any():
            found.append((GROUP_RULE, "a group's every shown member is in one cell with "
                          "the rest shown as 0: it says something about every person "
                          "in the group (hide the zeros)"))
    denominator = stamped.get("denominator_header")
    if isinstance(denominator, str) and denominator in counts and len(counts) > 1:
        people = [counts.index(h) for h in stamped.get("people_outcome_headers") or ()
                  if h in counts and h != denominator]
        mask = whole_group_cells(values, [], counts.index(denominator), people)
        if mask.any():
            row, col = (int(i[0]) for i in np.nonzero(mask))
            column = counts[col]
            found.append((GROUP_RULE, f"column {column!r} shows an outcome of "
                          f"{'none' if values[row, col] == 0 else 'all'} of its "
                          f"row's group ({denominator!r}): it says something about every "
                          "person in the group (hide it)"))
    block = [row[head.index(by)] if isinstance(by, str) and by in head and
             head.index(by) < len(row) else "" for row in rows]
    for header, kind in (stamped.get("share_headers") or {}).items():
        if header not in head:
            continue
        index = head.index(header)
        for row, key in zip(rows, block, strict=True):
            value = _number(row[index]) if index < len(row) else None
            if kind == "breakdown" and block.count(key) < 2:
                continue  # a block of one row is 100% of itself by definition
            if value is not None and (value == 100 or value == 0 and kind == "group"):
                found.append((GROUP_RULE, f"column {header!r} shows a share of "
                              f"{'all' if value else 'none'} of a group: it says "
                              "something about every person in the group (hide it)"))
                break
    return found
