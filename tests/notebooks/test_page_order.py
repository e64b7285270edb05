"""A report's pointers to reasons "given above" point above: each report that words
them declares the order of the page's parts they assume (``PAGE_ORDER``: key results
glued by name, tables shown by name), and its notebook must show them in that order.

A pointer is decided in the package (:class:`lifetools.disclosure.withheld.Said`: the
reasons the summary gave, then a table's note) but the page's order is the notebook's:
a notebook that moved the hazard-ratio table below the proportional-hazards table, or
the summary's sentences below a table, would make "(the reasons are given above)" point
to nothing (issue 15, wave 39).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from lifetools.reports import discharge, emergency, reach, rereferral, wellbeing

ROOT = Path(__file__).resolve().parents[2]
REPORTS = {"02_time_to_discharge": discharge, "03_re_referral": rereferral,
           "04_emergency_care": emergency, "05_wellbeing": wellbeing,
           "06_reach_and_activity": reach}


def part_positions(source: str, parts) -> list[int]:
    """Where each part is first shown in a notebook's text (-1: not shown): a key result
    glued by name (``{glue:text}`name```), a table or notes by ``name="..."``."""
    out = []
    for part in parts:
        found = re.search(r"\{glue:text\}`" + re.escape(str(part)) + "`"
                          + r"|\bname=\"" + re.escape(str(part)) + '"', source)
        out.append(found.start() if found else -1)
    return out


@pytest.mark.parametrize("notebook", sorted(REPORTS))
def test_notebook_shows_what_a_pointer_points_to_above_it(notebook):
    nb = nbformat.read(ROOT / "analyses" / f"{notebook}.ipynb", as_version=4)
    source = "\n".join(cell.source for cell in nb.cells)
    order = REPORTS[notebook].PAGE_ORDER
    at = part_positions(source, order)
    assert -1 not in at, [p for p, a in zip(order, at, strict=True) if a < 0]
    assert at == sorted(at), [str(p) for _, p in sorted(zip(at, order, strict=True))]


def test_part_positions_reads_glued_results_and_named_tables():
    source = ('{glue:text}`a_sentence` ...\nlt.tables.show_table(x, name="hazard-ratios")'
              '\n{glue:text}`b_sentence`')
    assert part_positions(source, ["b_sentence", "hazard-ratios", "a_sentence", "c"]) \
        == [source.index("{glue:text}`b"), source.index("name="), 0, -1]
