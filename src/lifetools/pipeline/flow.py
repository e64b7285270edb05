"""Participant flow diagrams drawn from a report's published (protected) flow table.

A survival or comparison report publishes how its cohort was formed as
``tables/flow.csv`` (one row per step, counts already suppressed and rounded by
:func:`lifetools.tables.show_table`). :func:`flow_diagram` turns those rows into a
diagram of boxes joined by arrows, in HTML and CSS (``_static/lifetools.css``): an
ordered list inside a ``<figure>``, so the list itself is the text equivalent a screen
reader reads, in order, and the page needs no image. Only published cells are drawn:
no count is recomputed and no difference between steps is shown (a difference of two
rounded counts is not a protected count).
"""

from __future__ import annotations

import csv
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat

from lifetools.disclosure import SUPPRESSED as SUPPRESSED_MARK
from lifetools.disclosure.flow import FLOW_TABLE, PARENTS_KEY
from lifetools.disclosure.withheld import PRIVACY
from lifetools.labels import column_label, quoted, value_label
from lifetools.publication import STAMP_KEY

__all__ = ["flow_diagram", "flow_stamp", "parent_of", "read_flow", "run_flow_parents"]


def read_flow(path: Path) -> tuple[list[str], list[list[str]]]:
    """Count column names and the rows (step, counts...) of a published flow CSV."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows or len(rows[0]) < 2:
        return [], []
    return rows[0][1:], [r for r in rows[1:] if r]


def _count(cell: str) -> str:
    cell = cell.strip()
    if cell in ("", SUPPRESSED_MARK):
        return SUPPRESSED_MARK
    try:
        number = float(cell)
    except ValueError:
        return html.escape(cell)
    return f"{int(number):,}" if number.is_integer() else html.escape(cell)


def flow_stamp(nb: Any) -> tuple[int, list[Any] | None] | None:
    """The cell of a notebook that shows its flow table (:data:`~lifetools.disclosure.
    flow.FLOW_TABLE`) and each row's parent as the table's stamp records it
    (:data:`~lifetools.disclosure.flow.PARENTS_KEY`; None when it records none); None
    when no cell shows it. The flow diagram and the RECORD checklist read the flow's
    shape here, as the publish gate verified it."""
    for index, cell in enumerate(nb.cells):
        marks = [o.get("metadata", {}).get(STAMP_KEY, {}) for o in cell.get("outputs", [])]
        flows = [m for m in marks if m.get("kind") == "table" and m.get("name") == FLOW_TABLE]
        if flows:
            return index, (flows[0].get("rules") or {}).get(PARENTS_KEY)
    return None


def run_flow_parents(notebook: Path) -> list[Any] | None:
    """Each flow row's parent in a run's executed notebook (:func:`flow_stamp`); None
    when the notebook or its stamp is missing (each row is then taken as a subset of
    the row above: :func:`parent_of`)."""
    if not Path(notebook).exists():
        return None
    found = flow_stamp(nbformat.read(notebook, as_version=4))
    return None if found is None else found[1]


def parent_of(parents: Sequence[Any] | None, index: int) -> int | None:
    """The row ``index`` is a subset of: its recorded parent (the table's stamp,
    :data:`lifetools.disclosure.flow.PARENTS_KEY`), else the row above."""
    if parents is not None and index < len(parents):
        parent = parents[index]
        return parent if isinstance(parent, int) and 0 <= parent < index else None
    return index - 1 if index else None


def flow_diagram(columns: Sequence[str], rows: Sequence[Sequence[str]], *,
                 caption: str, parents: Sequence[Any] | None = None) -> str:
    """Return the HTML of a flow diagram: one box per step, in order, with its counts.

    Parameters
    ----------
    columns
        The count columns (``n``; or ``development``, ``validation``).
    rows
        The steps: the step's words first, then its published counts ("[c]" or empty
        for a hidden cell, drawn "[c]" as the table shows it, and the caption then says
        what it means).
    caption
        The figure's caption.
    parents
        Each row's parent (the row it is a subset of) as the flow table's stamp
        records it (``flow_parents``: None for the first row); default: the row above.

    Notes
    -----
    Counts are shown as published, with thousands separators. With one cohort a box
    reads "Referrals in the extract **5,190**"; with more, the step's words are on a
    line of their own and the cohorts' counts on the next ("Referrals open on the
    index date (people)" / "Development cohort: **465**; Validation cohort: **450**").
    A hidden count is "[c]", never "fewer than 8": a flow hides a row that is no
    small count so that the people a step excluded cannot be worked out (secondary
    suppression, :mod:`lifetools.disclosure.flow`), and until wave 33 the 30,000-person
    discharge diagram read "Open at some time during the period **fewer than 8**"
    above "First such referral per person **835**". A row whose parent is not the row
    above (the emergency care report's comparison pool, beside its users, both of the
    people in the linked data) gets no arrow from the box above and names its parent
    ("From ‘People in the linked data’:"): until wave 33 the diagram drew the pool of
    26,845 as a step after the 220 users. Checked by
    ``tests/unit/test_flow.py``.
    """
    items = []
    # the words the flow table shows (lifetools.labels.value_label of its step column:
    # a capital first letter), so that the diagram and the table agree by construction
    words = [value_label(str(row[0]).strip(), "step") for row in rows]
    for index, row in enumerate(rows):
        step = html.escape(words[index])
        parent = parent_of(parents, index)
        branch = index > 0 and parent != index - 1
        if branch:
            source = (f"From {quoted(words[parent])}:" if parent is not None
                      else "Separately:")
            step = f'<span class="lifetools-flow-from">{html.escape(source)}</span> {step}'
        counts = [_count(c) for c in row[1:len(columns) + 1]]
        if len(columns) == 1:
            shown = f' <span class="lifetools-flow-count">{counts[0]}</span>'
        else:
            # the step's words on a line of their own, then each cohort's count, so
            # the words never run into the first cohort's name
            shown = '<br><span class="lifetools-flow-cohorts">' + "; ".join(
                f'{html.escape(column_label(c))}: '
                f'<span class="lifetools-flow-count">{n}</span>'
                for c, n in zip(columns, counts, strict=False)) + "</span>"
        kind = "lifetools-flow-step lifetools-flow-branch" if branch \
            else "lifetools-flow-step"
        items.append(f'<li class="{kind}"><span class="lifetools-flow-words">'
                     f"{step}</span>{shown}</li>")
    if any(SUPPRESSED_MARK in item for item in items):
        caption = f"{caption}. {SUPPRESSED_MARK}: {PRIVACY}."
    return (f'<figure class="lifetools-flow"><figcaption>{html.escape(caption)}'
            f'</figcaption><ol class="lifetools-flow-steps">{"".join(items)}</ol>'
            "</figure>")
