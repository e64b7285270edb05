"""Differencing across a release: no suppressed cell may be worked out by subtraction.

A release is a set of published numbers (every edition's ``files/tables/*.csv``, with
``[c]`` for suppressed cells, and the counts in ``results.json``) and linear
equalities between them. A suppressed cell is a disclosure when the published numbers
prove it is a small non-zero count. The equalities come from:

- ``declared``: the totals a table declared for secondary suppression (its stamp's
  ``secondary`` rule: columns, rows or both, within blocks of ``by``); the totals are
  taken as published (as :func:`lifetools.disclosure.suppress_secondary` assumes);
- ``total-row``: a row labelled ``all``, ``total`` or ``overall`` (in a label column,
  or in a notebook parameter such as ``locality``: every notebook parameter other than
  the period is a label of the run's tables) is the sum of the rows that differ from it
  in that label only. So a table published for ``locality: all`` and for each
  locality is one breakdown with its total;
- ``same-measure``: within one edition, a cell with the same labels (column names and
  values; values only in a table of one count column) and count column as another
  cell is the same number (the same count shown in two tables, or a table's count and
  a ``results.json`` count of the same label);
- ``edition``: the same notebook's table in two editions whose periods are the same
  (one equals the other) or nested (the longer is the shorter plus a non-negative
  remainder). Editions whose periods do not overlap are not related.

Two tests (see :func:`findings`): a suppressed cell fixed exactly by the totals its
table declared (rank test over exact rationals: the totals' values are not read), and
its feasible range by linear programming (published values +/- half the rounding base,
exact when unrounded or zero, suppressed cells and remainders >= 0): a range inside
1..threshold proves a small non-zero count. A hidden count above the threshold that
can be worked out is not flagged: it could have been published.
:func:`resolve` hides further cells (the smallest published cell related to an exposed
one, ties broken by position) until nothing is exposed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import linprog

from lifetools.pipeline.gate.release_relations import (
    RESULTS_TABLE,
    Cell,
    Relation,
    Release,
    Table,
    relations,
)

__all__ = ["RESULTS_TABLE", "Cell", "Decision", "Exposure", "Relation", "Release", "Table",
           "findings", "relations", "resolve"]

_TOL = 1e-6


@dataclass(frozen=True)
class Exposure:
    """A suppressed cell the published numbers give away (never its value)."""

    cell: Cell
    rule: str
    kinds: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.cell}: {self.rule} (through {', '.join(self.kinds)} relations)"


@dataclass(frozen=True)
class Decision:
    """A further cell hidden so that ``because`` is no longer exposed."""

    cell: Cell
    because: Cell
    rule: str

    def as_dict(self) -> dict[str, Any]:
        """For the differencing report (positions only)."""
        return {"hide": str(self.cell), "because": str(self.because), "rule": self.rule}


# the tests -----------------------------------------------------------------------------
def _components(rels: Sequence[Relation]) -> list[list[Relation]]:
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rels:
        nodes = [c for c, _ in r.terms] + [u for u, _ in r.unknowns]
        for node in nodes[1:]:
            parent[find(node)] = find(nodes[0])
    groups: dict[Any, list[Relation]] = defaultdict(list)
    for r in rels:
        groups[find(r.terms[0][0])].append(r)
    return list(groups.values())


def _determined(rels: Sequence[Relation], values: Mapping[Cell, int | None]) -> set[Cell]:
    """Suppressed cells fixed by the equalities (exact rationals: e_j in the row space).

    Published cells and declared totals are known; suppressed cells and remainders are
    not. In the reduced row echelon form, e_j is in the row space exactly when some row
    equals e_j.
    """
    unknown: list[Any] = sorted({c for r in rels for c, _ in r.terms if values[c] is None}
                                | {u for r in rels for u, _ in r.unknowns
                                   if u not in r.known}, key=str)
    if not unknown:
        return set()
    col = {u: j for j, u in enumerate(unknown)}
    matrix = []
    for r in rels:
        row = [Fraction(0)] * len(unknown)
        for node, coef in (*r.terms, *r.unknowns):
            if node in col:
                row[col[node]] += coef
        if any(row):
            matrix.append(row)
    pivot_rows = []
    lead = 0
    for j in range(len(unknown)):
        pick = next((i for i in range(lead, len(matrix)) if matrix[i][j] != 0), None)
        if pick is None:
            continue
        matrix[lead], matrix[pick] = matrix[pick], matrix[lead]
        scale = matrix[lead][j]
        matrix[lead] = [v / scale for v in matrix[lead]]
        for i in range(len(matrix)):
            if i != lead and matrix[i][j] != 0:
                f = matrix[i][j]
                matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[lead], strict=True)]
        pivot_rows.append((j, lead))
        lead += 1
    return {unknown[j] for j, i in pivot_rows
            if isinstance(unknown[j], Cell) and sum(v != 0 for v in matrix[i]) == 1}


def _bounds(cell: Cell, value: int | None, table: Table) -> tuple[float, float | None]:
    if value is None:
        return 0.0, None
    if value == 0 or table.base <= 1:
        return float(value), float(value)
    half = table.base / 2
    return max(value - half, table.threshold + 1.0, 0.0), value + half


def _intervals(rels: Sequence[Relation], values: Mapping[Cell, int | None],
               tables: Mapping[Cell, Table]) -> dict[Cell, tuple[float, float]] | None:
    """Feasible range of each suppressed cell (LP); ``None`` if the system is infeasible."""
    nodes: list[Any] = sorted({c for r in rels for c, _ in r.terms}
                              | {u for r in rels for u, _ in r.unknowns}, key=str)
    index = {n: j for j, n in enumerate(nodes)}
    a_eq = np.zeros((len(rels), len(nodes)))
    for i, r in enumerate(rels):
        for node, coef in (*r.terms, *r.unknowns):
            a_eq[i, index[node]] += coef
    bounds = [_bounds(n, values[n], tables[n]) if isinstance(n, Cell) else (0.0, None)
              for n in nodes]
    out = {}
    for n in nodes:
        if not isinstance(n, Cell) or values[n] is not None:
            continue
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(nodes))
            c[index[n]] = sign
            done = linprog(c, A_eq=a_eq, b_eq=np.zeros(len(rels)), bounds=bounds,
                           method="highs")
            if done.status == 2:
                return None
            if done.status == 0:
                ends.append(sign * float(done.fun))
            else:  # unbounded (3) or no answer (4): only x >= 0 is known on that side
                ends.append(0.0 if sign > 0 else math.inf)
        out[n] = (ends[0], ends[1])
    return out


def findings(release: Release, *, notes: list[str] | None = None) -> list[Exposure]:
    """Suppressed cells of ``release`` that its published numbers give away.

    Notes
    -----
    Two rules. A cell fixed by the totals its table declared (exact rational row
    reduction, the totals taken as published though their values are not read):
    what secondary suppression must prevent, so this verifies it. A cell whose
    feasible range lies within 1..threshold:
    with each published count somewhere in its rounding interval (value +/- half the
    base, and above the threshold when not zero), every suppressed cell and remainder
    >= 0, the least and greatest value the cell can take (``scipy.optimize.linprog``,
    HiGHS) are both within 1..threshold: the release proves a small non-zero count.
    A group of relations whose published numbers contradict each other (two tables
    matched by labels that are not the same measure) is tested without its
    label-matched relations, and noted. Tested in
    ``tests/unit/test_differencing.py``.
    """
    values = release.values()
    tables = release.table_of()
    out: dict[Cell, Exposure] = {}
    for group in _components(relations(release)):
        if all(values[c] is not None for r in group for c, _ in r.terms):
            continue
        kinds = tuple(sorted({r.kind for r in group}))
        declared = [r for r in group if r.kind == "declared"]
        for cell in sorted(_determined(declared, values)):
            out[cell] = Exposure(cell, "fixed by the totals its table declared", kinds)
        ranges = _intervals(group, values, tables)
        if ranges is None:
            kept = [r for r in group if r.kind in ("declared", "edition")]
            if notes is not None:
                notes.append(f"relations around {group[0].terms[0][0]} contradict each "
                             "other: label-matched relations there were not used")
            ranges = _intervals(kept, values, tables) if kept else {}
        for cell, (lo, hi) in sorted((ranges or {}).items()):
            threshold = tables[cell].threshold
            if cell not in out and lo >= 1 - _TOL and hi <= threshold + _TOL:
                out[cell] = Exposure(cell, f"shown to lie within 1 to {threshold}", kinds)
    return [out[c] for c in sorted(out)]


def _copies(rels: Sequence[Relation]) -> dict[Cell, set[Cell]]:
    """Each cell and the cells showing the same measure (hidden together)."""
    same: dict[Cell, set[Cell]] = defaultdict(set)
    for r in rels:
        if r.kind == "same-measure":
            cells = {c for c, _ in r.terms}
            for c in cells:
                same[c] |= cells
    return same


def _nearest(cell: Cell, rels: Sequence[Relation]) -> list[set[Cell]]:
    """Cells related to ``cell``, in rings of increasing distance through relations."""
    linked: dict[Cell, set[Cell]] = defaultdict(set)
    for r in rels:
        cells = {c for c, _ in r.terms}
        for c in cells:
            linked[c] |= cells
    seen, ring, rings = {cell}, {cell}, []
    while ring:
        ring = {n for c in ring for n in linked[c]} - seen
        seen |= ring
        if ring:
            rings.append(ring)
    return rings


def resolve(release: Release, *, frozen: Sequence[str] = (),
            max_steps: int = 10_000) -> tuple[Release, list[Decision], list[Exposure]]:
    """Hide further cells until no suppressed cell is exposed.

    Each step takes the first exposed cell (edition, analysis, table, row, column
    order) and hides the smallest published cell among the nearest related ones (a
    zero only when no non-zero cell is left; ties by position), with every copy of
    the same measure in its edition; never a cell of a ``frozen`` edition (one
    already released). Returns the new release, the decisions in order, and what is
    still exposed (when no cell could be hidden).
    """
    decisions: list[Decision] = []
    rels = relations(release)
    copies = _copies(rels)
    for _ in range(max_steps):
        exposed = findings(release)
        if not exposed:
            return release, decisions, []
        values = release.values()
        pick = None
        for e in exposed:
            for ring in _nearest(e.cell, rels):
                choices = [c for c in ring if values[c] is not None
                           and c.edition not in frozen
                           and not any(x.edition in frozen for x in copies[c])]
                if choices:
                    pick = (min(choices, key=lambda c: (values[c] == 0, values[c], c)), e)
                    break
            if pick:
                break
        if pick is None:
            return release, decisions, exposed
        hidden = sorted({pick[0]} | copies[pick[0]])
        decisions += [Decision(c, pick[1].cell, pick[1].rule) for c in hidden
                      if values[c] is not None]
        release = release.hide(hidden)
    return release, decisions, findings(release)
