"""The published numbers of a release and the linear equalities between them.

The model and relation discovery behind :mod:`lifetools.pipeline.gate.differencing`
(see there for what each relation means): :class:`Cell`, :class:`Table`,
:class:`Release`, :class:`Relation` and :func:`relations`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from lifetools.publication import RESULTS_FILE

__all__ = ["RESULTS_TABLE", "TOTAL_LABEL", "Cell", "Relation", "Release", "Table",
           "relations"]

TOTAL_LABEL = re.compile(r"^(all|total|overall)\b", re.IGNORECASE)
RESULTS_TABLE = RESULTS_FILE
"""The key results' file, read as a table of counts by label."""


@dataclass(frozen=True, order=True)
class Cell:
    """Where a published number is: edition, analysis, table, row (1-based), column."""

    edition: str
    analysis: str
    table: str
    row: int
    column: str

    def __str__(self) -> str:
        return (f"{self.edition}/{self.analysis}, table {self.table!r}, row {self.row}, "
                f"column {self.column!r}")


@dataclass(frozen=True)
class Table:
    """One published table: its labels and counts (``None``: shown as ``[c]``).

    ``labels`` maps each row to its label columns (including the run's notebook
    parameters); ``counts`` each row to its count columns. ``period`` is the edition's
    (start, end); ``source`` the notebook file, so tables of one notebook in different
    editions or runs can be matched.
    """

    edition: str
    analysis: str
    name: str
    labels: tuple[tuple[tuple[str, str], ...], ...]
    counts: tuple[tuple[tuple[str, int | None], ...], ...]
    period: tuple[str, str]
    source: str = ""
    base: int = 5
    threshold: int = 7
    secondary: Mapping[str, Any] | None = None

    def cells(self) -> Iterable[tuple[Cell, int | None]]:
        """Every count cell with its published value."""
        for i, row in enumerate(self.counts):
            for column, value in row:
                yield Cell(self.edition, self.analysis, self.name, i + 1, column), value


@dataclass(frozen=True)
class Release:
    """Every published table of a release (all editions)."""

    tables: tuple[Table, ...]

    def values(self) -> dict[Cell, int | None]:
        """Every published count cell and its value (``None``: suppressed)."""
        return {c: v for t in self.tables for c, v in t.cells()}

    def table_of(self) -> dict[Cell, Table]:
        """The table each cell belongs to."""
        return {c: t for t in self.tables for c, _ in t.cells()}

    def hide(self, cells: Iterable[Cell]) -> Release:
        """The release with ``cells`` shown as ``[c]`` too."""
        hidden = set(cells)
        tables = []
        for t in self.tables:
            rows = tuple(tuple((col, None if Cell(t.edition, t.analysis, t.name, i + 1,
                                                  col) in hidden else v) for col, v in row)
                         for i, row in enumerate(t.counts))
            tables.append(replace(t, counts=rows))
        return Release(tuple(tables))


@dataclass(frozen=True)
class Relation:
    """``sum(coef * cell) + sum(coef * unknown) == 0`` and where it comes from.

    ``unknowns`` are quantities that are not cells: a declared total (``known`` when
    the table declared it published, value not read) or a non-negative remainder.
    """

    kind: str
    terms: tuple[tuple[Cell, int], ...]
    unknowns: tuple[tuple[str, int], ...] = ()
    known: tuple[str, ...] = ()



# relations ---------------------------------------------------------------------------
def _declared(t: Table) -> list[Relation]:
    rule = t.secondary or {}
    totals, by = rule.get("totals"), rule.get("by")
    out = []
    columns = [c for c, _ in t.counts[0]] if t.counts else []
    cell = {(i, c): Cell(t.edition, t.analysis, t.name, i + 1, c)
            for i, row in enumerate(t.counts) for c, _ in row}
    if totals in ("columns", "both"):
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, labels in enumerate(t.labels):
            blocks[dict(labels).get(by, "") if by else ""].append(i)
        for column in columns:
            for key, rows in blocks.items():
                members = [cell[i, column] for i in rows if (i, column) in cell]
                if len(members) > 1:
                    name = f"total:{t.edition}/{t.analysis}/{t.name}/{column}/{key}"
                    out.append(Relation("declared", tuple((m, 1) for m in members),
                                        ((name, -1),), (name,)))
    if totals in ("rows", "both"):
        for i in range(len(t.counts)):
            members = [cell[i, c] for c in columns if (i, c) in cell]
            if len(members) > 1:
                name = f"total:{t.edition}/{t.analysis}/{t.name}/row{i + 1}"
                out.append(Relation("declared", tuple((m, 1) for m in members),
                                    ((name, -1),), (name,)))
    return out


def _measure(t: Table, labels: tuple[tuple[str, str], ...], column: str) -> tuple:
    single = len({c for row in t.counts for c, _ in row}) == 1
    names = tuple(sorted(labels))
    if t.name == RESULTS_TABLE or single:
        names = tuple(sorted((k if k.startswith("parameter:") else "", v)
                             for k, v in labels))
        return names, ""
    return names, column


def _groups(release: Release) -> dict[tuple, list[tuple[Cell, Table]]]:
    """Cells by (edition, measure key): candidates for the same number."""
    out: dict[tuple, list[tuple[Cell, Table]]] = defaultdict(list)
    for t in release.tables:
        for i, row in enumerate(t.counts):
            for column, _ in row:
                key = (t.edition, t.period, _measure(t, t.labels[i], column))
                out[key].append((Cell(t.edition, t.analysis, t.name, i + 1, column), t))
    return out


def _total_rows(release: Release) -> list[Relation]:
    """A total-labelled row equals the sum of the rows differing only in that label.

    Rows are compared within tables of one name in one edition (a table, or the same
    table of runs that differ in a notebook parameter), by label names and values.
    """
    by_name: dict[tuple, dict[tuple, Cell]] = defaultdict(dict)
    for t in release.tables:
        for cell, labels, column in _keyed(t):
            by_name[t.edition, t.period, t.name][tuple(sorted(labels)), column] = cell
    out = []
    for cells in by_name.values():
        for (labels, column), total in cells.items():
            for name, value in labels:
                if not TOTAL_LABEL.match(value):
                    continue
                rest = {x for x in labels if x[0] != name}
                parts = [cell for (other, col), cell in cells.items()
                         if col == column and other != labels and len(other) == len(labels)
                         and {x for x in other if x[0] != name} == rest
                         and any(x[0] == name for x in other)]
                if len(parts) > 1:
                    out.append(Relation("total-row", ((total, -1),
                                                      *((p, 1) for p in parts))))
    return out


def _same_measure(release: Release) -> list[Relation]:
    out = []
    for members in _groups(release).values():
        first = members[0][0]
        out += [Relation("same-measure", ((first, 1), (other, -1)))
                for other, _ in members[1:]]
    return out


def _contains(outer: tuple[str, str], inner: tuple[str, str]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _editions(release: Release) -> list[Relation]:
    by_source: dict[tuple, dict[str, Table]] = defaultdict(dict)
    for t in release.tables:
        by_source[t.source, t.name][t.edition] = t
    out = []
    for tables in by_source.values():
        ordered = sorted(tables.values(), key=lambda t: (t.period, t.edition))
        for k, a in enumerate(ordered):
            for b in ordered[k + 1:]:
                if not (_contains(a.period, b.period) or _contains(b.period, a.period)):
                    continue
                big, small = (a, b) if _contains(a.period, b.period) else (b, a)
                index = {(lab, c): cell for cell, lab, c in _keyed(small)}
                for cell, lab, c in _keyed(big):
                    if (lab, c) not in index:
                        continue
                    extra = () if big.period == small.period else (
                        (f"remainder:{cell}|{small.edition}", -1),)
                    out.append(Relation("edition", ((cell, 1), (index[lab, c], -1)),
                                        extra))
    return out


def _keyed(t: Table) -> list[tuple[Cell, tuple, str]]:
    return [(Cell(t.edition, t.analysis, t.name, i + 1, c), t.labels[i], c)
            for i, row in enumerate(t.counts) for c, _ in row]


def relations(release: Release) -> list[Relation]:
    """Every linear equality between the release's published numbers."""
    out = [r for t in release.tables for r in _declared(t)]
    return out + _total_rows(release) + _same_measure(release) + _editions(release)
