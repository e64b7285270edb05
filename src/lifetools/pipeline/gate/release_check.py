"""The release-level differencing check the build runs before publishing.

:func:`check_release` reads every published table of every edition (the sealed table
stamps of each run's notebook say which columns are counts, the rounding base, the
threshold and the declared totals; ``files/tables/<name>.csv`` gives the values, ``[c]``
for suppressed cells; ``files/results.json`` its counts), and runs
:func:`lifetools.pipeline.gate.differencing.findings` over them as one set.

Rule chosen: the build **refuses** when a suppressed cell can be recovered. Published
pages, CSV files and sealed stamps are made by the notebooks, so a further cell can only
be hidden by running the notebook again (a released edition is never rewritten). The
refusal names each exposed cell (edition, analysis, table, row, column; never a value)
and the cells :func:`~lifetools.pipeline.gate.differencing.resolve` would hide (never in
a released edition); the same is written to ``build/logs/differencing.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from lifetools.disclosure import SUPPRESSED
from lifetools.disclosure.downloads import read_csv_records
from lifetools.errors import DisclosureError
from lifetools.pipeline import layout
from lifetools.pipeline.gate.differencing import (
    RESULTS_TABLE,
    Release,
    Table,
    findings,
    relations,
    resolve,
)
from lifetools.pipeline.layout import RunFolder
from lifetools.publication import STAMP_KEY, TABLES_FOLDER, read_results

__all__ = ["REPORT_NAME", "check_release", "read_release", "read_run"]

PERIOD_PARAMETERS = ("period_start", "period_end")
REPORT_NAME = "differencing.json"
HINT = ("hide the named cells in the current edition's notebook (a coarser breakdown, "
        "or declare the totals with lt.disclosure.declare_totals so that secondary "
        "suppression covers them), or stop publishing one of the related tables")


# reading a release -------------------------------------------------------------------
def _number(text: str) -> int | None | str:
    text = text.strip()
    if text == SUPPRESSED:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return "skip"
    return int(value) if math.isfinite(value) and value == int(value) else "skip"


def read_run(folder: Path, *, edition: str, analysis: str, period: tuple[str, str],
             parameters: Mapping[str, Any] | None = None) -> list[Table]:
    """The count tables of one run folder (from its sealed table stamps) and results."""
    run = RunFolder(Path(folder))
    params = tuple(sorted((f"parameter:{k}", str(v)) for k, v in (parameters or {}).items()
                          if k not in PERIOD_PARAMETERS))
    source = f"{analysis}" if not params else f"{analysis}|{params}"
    tables = []
    stamps = []
    if run.notebook.exists():
        for cell in nbformat.read(run.notebook, as_version=4).cells:
            for output in cell.get("outputs", []):
                mark = output.get("metadata", {}).get(STAMP_KEY)
                if isinstance(mark, dict) and mark.get("kind") == "table" and \
                        mark.get("name") not in {m.get("name") for m in stamps}:
                    stamps.append(mark)
    for mark in stamps:
        rules = mark.get("rules") or {}
        path = run.files / TABLES_FOLDER / f"{mark.get('name')}.csv"
        if not rules.get("count_cols") or not path.exists():
            continue
        rows = read_csv_records(path.read_bytes())
        protected = set(rules.get("protected_cols") or ())
        counts = [c for c in rules["count_cols"] if rows and c in rows[0]]
        label_cols = [c for c in (rows[0] if rows else {}) if c not in protected]
        labels, values = [], []
        for row in rows:
            labels.append(tuple((c, row[c]) for c in label_cols) + params)
            parsed = [(c, _number(row[c])) for c in counts]
            values.append(tuple((c, v) for c, v in parsed if v != "skip"))
        # a table shown with protection off holds exact counts
        base = 1 if rules.get("enabled") is False else int(rules.get("base") or 1)
        tables.append(Table(edition, analysis, str(mark.get("name")), tuple(labels),
                            tuple(values), period, source, base,
                            int(rules.get("threshold") or 0), rules.get("secondary")))
    results = read_results(run.files)
    if results:
        entries = [(e.get("label") or name, e.get("value")) for name, e in
                   sorted(results.items())
                   if isinstance(e, dict) and e.get("kind") == "count"]
        if entries:
            tables.append(Table(edition, analysis, RESULTS_TABLE,
                                tuple(((("label", str(lab)),) + params) for lab, _ in entries),
                                tuple((("value", v if isinstance(v, int) else None),)
                                      for _, v in entries), period, source,
                                tables[0].base if tables else 5,
                                tables[0].threshold if tables else 7))
    return tables


def read_release(editions: Sequence[Any]) -> Release:
    """Every published table of the editions to publish (``EditionPages``-like objects:
    ``edition`` with ``id``, ``period_start``, ``period_end``; ``runs``; ``manifest``)."""
    tables: list[Table] = []
    for pages in editions:
        e = pages.edition
        analyses = (pages.manifest or {}).get("analyses", {})
        for analysis, folder in sorted(pages.runs.items()):
            params = (analyses.get(analysis) or {}).get("parameters") or {}
            tables += read_run(Path(folder), edition=e.id, analysis=analysis,
                               period=(e.period_start, e.period_end), parameters=params)
    return Release(tuple(tables))


def check_release(editions: Sequence[Any], *, frozen: Sequence[str] = (),
                  report: Path | None = None) -> dict[str, Any]:
    """Refuse a release in which a suppressed cell can be worked out from the others.

    Parameters
    ----------
    editions
        Every edition to be published (released ones included: they are on the site).
    frozen
        Editions already released: never proposed for further suppression.
    report
        Where to write the differencing report (default ``build/logs/differencing.json``).

    Returns
    -------
    dict
        The report: tables, cells, suppressed cells and relations read, exposures (0).

    Raises
    ------
    DisclosureError
        Naming each exposed cell and the further cells to hide (never a value).

    Notes
    -----
    See :mod:`lifetools.pipeline.gate.differencing` for the relations and the tests.
    Tested in ``tests/unit/test_differencing.py``.
    """
    release = read_release(editions)
    values = release.values()
    notes: list[str] = []
    exposed = findings(release, notes=notes)
    rels = relations(release)
    summary: dict[str, Any] = {
        "tables": len(release.tables), "cells": len(values),
        "suppressed": sum(v is None for v in values.values()),
        "relations": {k: sum(r.kind == k for r in rels) for k in sorted({r.kind for r in rels})},
        "exposed": [str(e) for e in exposed], "notes": notes, "decisions": []}
    if exposed:
        _, decisions, left = resolve(release, frozen=frozen)
        summary["decisions"] = [d.as_dict() for d in decisions]
        summary["unresolved"] = [str(e) for e in left]
    path = report or layout.logs_dir() / REPORT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    if exposed:
        lines = "\n".join(f"  {e}" for e in exposed[:30])
        hide = "\n".join(f"  hide {d['hide']}" for d in summary["decisions"][:30])
        raise DisclosureError(
            f"differencing: {len(exposed)} suppressed cell(s) of the release can be "
            f"worked out from other published numbers; nothing was published:\n{lines}"
            + (f"\nhiding these cells would resolve it:\n{hide}" if hide else "")
            + f"\n(report: {path.name} in the build logs)", hint=HINT)
    return summary
