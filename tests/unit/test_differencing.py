"""Differencing across a release (``lifetools.pipeline.gate.differencing``).

Hand-built releases: a suppressed cell recovered by subtracting localities from the
overall count, or through two editions, is caught; a rounded release whose feasible
ranges are wide is not; the pipeline check reads run folders and refuses naming
cells, never values. A property test builds random small releases (overall and
localities, exact or rounded), resolves them, and checks every suppressed cell with
its own linear programme over the true structure (written here, not taken from the
module).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property_examples import examples
from scipy.optimize import linprog

from lifetools.errors import DisclosureError
from lifetools.pipeline.gate.differencing import (
    Cell,
    Release,
    Table,
    findings,
    relations,
    resolve,
)
from lifetools.pipeline.gate.release_check import check_release, read_run
from lifetools.publication import STAMP_KEY

YEAR = ("2023-04-01", "2024-03-31")
TWO_YEARS = ("2023-04-01", "2025-03-31")


def _table(rows, *, name="counts", edition="2023-24", analysis="a", base=1,
           period=YEAR, params=(), secondary=None, column="n"):
    """A one-count-column table: rows are (label, value or None for [c])."""
    return Table(edition, analysis, name,
                 tuple(((("group", lab),) + tuple(params)) for lab, _ in rows),
                 tuple(((column, v),) for _, v in rows), period,
                 f"{analysis}|{name}", base, 7, secondary)


def _locality_runs(total, parts, *, base=1):
    """The same notebook run for locality ``all`` and for each locality."""
    out = [_table([("people in care", total)], analysis="cohort_all", base=base,
                  params=(("parameter:locality", "all"),))]
    for k, value in enumerate(parts):
        place = f"locality {k + 1}"
        out.append(_table([("people in care", value)], analysis=f"cohort_{k}",
                          base=base, params=(("parameter:locality", place),)))
    return Release(tuple(out))


def test_findings_overall_and_localities_caught():
    release = _locality_runs(20, [None, 15])
    exposed = findings(release)
    assert [e.cell.analysis for e in exposed] == ["cohort_0"]
    assert "total-row" in exposed[0].kinds
    assert "5" not in str(exposed[0])  # the value is never named


def test_findings_total_row_in_one_table_caught():
    release = Release((_table([("A", None), ("B", 12), ("Total", 17)]),))
    assert [e.cell.row for e in findings(release)] == [1]


def test_findings_two_editions_same_period_caught():
    first = _table([("A", None), ("B", None), ("Total", 20)], edition="v1")
    second = _table([("A", None), ("B", 15), ("Total", None)], edition="v2")
    assert findings(Release((first,))) == [] and findings(Release((second,))) == []
    exposed = findings(Release((first, second)))
    # B (15) and the total (20) follow too, but they are not small counts
    assert {(e.cell.edition, e.cell.row) for e in exposed} == {("v1", 1), ("v2", 1)}
    assert all("edition" in e.kinds for e in exposed)


def test_findings_nested_editions_caught_by_interval():
    first = _table([("A", None), ("B", None), ("C", 8), ("Total", 24)],
                   edition="2023-24")
    cumulative = _table([("A", None), ("B", 10), ("C", None), ("Total", 24)],
                        edition="2023-25", period=TWO_YEARS)
    assert findings(Release((first,))) == []
    assert findings(Release((cumulative,))) == []
    release = Release((first, cumulative))
    assert any(r.kind == "edition" and r.unknowns for r in relations(release))
    exposed = {(e.cell.edition, e.cell.row): e.rule for e in findings(release)}
    assert exposed[("2023-24", 1)] == "shown to lie within 1 to 7"
    assert exposed[("2023-25", 1)] == "shown to lie within 1 to 7"


def test_findings_disjoint_editions_not_related():
    first = _table([("A", None), ("B", 15), ("Total", None)], edition="2023-24")
    second = _table([("A", None), ("B", None), ("Total", 20)], edition="2024-25",
                    period=("2024-04-01", "2025-03-31"))
    release = Release((first, second))
    assert not [r for r in relations(release) if r.kind == "edition"]
    assert findings(release) == []


def test_findings_rounded_wide_interval_not_flagged():
    release = _locality_runs(20, [None, 15], base=5)
    assert findings(release) == []


def test_findings_declared_totals_one_hidden_cell_caught():
    secondary = {"totals": "columns", "by": None}
    alone = _table([("A", None), ("B", 40), ("C", 55)], base=5, secondary=secondary)
    pair = _table([("A", None), ("B", None), ("C", 55)], base=5, secondary=secondary)
    assert [e.cell.row for e in findings(Release((alone,)))] == [1]
    assert findings(Release((pair,))) == []


def test_findings_same_count_in_two_tables_caught_when_exact():
    one = _table([("People in care", None), ("Referrals", 30), ("Total", 35)],
                 name="flow", base=5)
    two = _table([("People in care", 9)], name="counts")
    exposed = findings(Release((one, two)))
    assert exposed == [] or all(e.cell.table == "flow" for e in exposed)
    exact = _table([("People in care", None), ("Referrals", 30)], name="flow")
    copy = _table([("People in care", 6)], name="counts", base=1)
    assert [e.cell.table for e in findings(Release((exact, copy)))] == ["flow"]


def test_resolve_hides_smallest_related_cell():
    release = _locality_runs(40, [None, 12, 23])
    fixed, decisions, left = resolve(release)
    assert left == [] and findings(fixed) == []
    assert [d.cell.analysis for d in decisions] == ["cohort_1"]  # 12 < 23 < 40


def test_resolve_never_hides_in_frozen_edition():
    first = _table([("A", None), ("B", None), ("Total", 20)], edition="v1")
    second = _table([("A", None), ("B", 15), ("Total", None)], edition="v2")
    _, decisions, left = resolve(Release((first, second)), frozen=["v1"])
    assert left == [] and decisions
    assert all(d.cell.edition == "v2" for d in decisions)


# the pipeline check over run folders -------------------------------------------------
def _run(tmp_path, analysis, rows, *, locality, base=1):
    folder = tmp_path / analysis
    (folder / "files" / "tables").mkdir(parents=True)
    lines = ["group,n"] + [f"{lab},{'[c]' if v is None else v}" for lab, v in rows]
    (folder / "files" / "tables" / "counts.csv").write_text("\n".join(lines) + "\n")
    (folder / "files" / "results.json").write_text(json.dumps(
        {"people": {"kind": "count", "label": "people in care", "value": rows[0][1]}}))
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("lt.tables.show_table(...)")
    rules = {"count_cols": ["n"], "protected_cols": ["n"], "base": base,
             "threshold": 7, "secondary": None}
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "Table"},
        metadata={STAMP_KEY: {"kind": "table", "name": "counts", "rules": rules}})]
    nb.cells = [cell]
    nbformat.write(nb, folder / "notebook.ipynb")
    return folder, {"parameters": {"locality": locality, "period_start": YEAR[0],
                                   "period_end": YEAR[1]}}


def _pages(tmp_path, runs):
    folders = {a: _run(tmp_path, a, rows, locality=loc) for a, rows, loc in runs}
    edition = SimpleNamespace(id="2023-24", period_start=YEAR[0], period_end=YEAR[1])
    return [SimpleNamespace(edition=edition, runs={a: f for a, (f, _) in folders.items()},
                            manifest={"analyses": {a: m for a, (_, m) in folders.items()}})]


def test_read_run_reads_stamped_tables_and_results(tmp_path):
    folder, meta = _run(tmp_path, "cohort", [("people in care", None)], locality="all")
    tables = read_run(folder, edition="e", analysis="cohort", period=YEAR,
                      parameters=meta["parameters"])
    assert [t.name for t in tables] == ["counts", "results.json"]
    assert tables[0].counts == ((("n", None),),)
    assert ("parameter:locality", "all") in tables[0].labels[0]
    assert tables[1].counts == ((("value", None),),)


def test_check_release_refuses_naming_cells_not_values(tmp_path):
    pages = _pages(tmp_path, [("all", [("people in care", 23)], "all"),
                              ("north", [("people in care", None)], "North"),
                              ("south", [("people in care", 19)], "South")])
    report = tmp_path / "differencing.json"
    with pytest.raises(DisclosureError) as raised:
        check_release(pages, report=report)
    message = str(raised.value)
    assert "2023-24/north, table 'counts', row 1, column 'n'" in message
    assert "hide 2023-24/south" in message
    assert " 4" not in message and "23" not in message.replace("2023-24", "")
    written = json.loads(report.read_text())
    assert written["decisions"] and written["unresolved"] == []


def test_check_release_passes_clean_release(tmp_path):
    pages = _pages(tmp_path, [("all", [("people in care", 40)], "all"),
                              ("north", [("people in care", None)], "North"),
                              ("south", [("people in care", None)], "South")])
    summary = check_release(pages, report=tmp_path / "d.json")
    assert summary["exposed"] == [] and summary["suppressed"] == 4
    # the table and results.json: a breakdown each, and the same three numbers
    assert summary["relations"] == {"same-measure": 3, "total-row": 2}


# property: after resolution nothing is recoverable -----------------------------------
def _interval(structure, shown, base, cell):
    """Least and greatest value of ``cell`` given the true sums (own LP)."""
    n = len(shown)
    a_eq = np.array([[1.0 if j == total else (-1.0 if j in parts else 0.0)
                      for j in range(n)] for total, parts in structure])
    bounds = []
    for value in shown:
        if value is None:
            bounds.append((0, None))
        elif value == 0 or base == 1:
            bounds.append((value, value))
        else:
            bounds.append((max(value - base / 2, 8), value + base / 2))
    ends = []
    for sign in (1, -1):
        c = np.zeros(n)
        c[cell] = sign
        done = linprog(c, A_eq=a_eq, b_eq=np.zeros(len(structure)), bounds=bounds,
                       method="highs")
        ends.append(np.inf if done.status == 3 else sign * done.fun)
    return ends


def _shown(n, base):
    if n == 0:
        return 0
    if n <= 7:
        return None
    return n if base == 1 else int(np.floor(n / base + 0.5)) * base


@settings(deadline=None, max_examples=examples(40))
@given(st.lists(st.lists(st.integers(0, 25), min_size=2, max_size=3),
                min_size=1, max_size=3),
       st.sampled_from([1, 5]))
def test_resolve_property_no_suppressed_cell_recoverable(measures, base):
    localities = len(measures[0])
    measures = [(m + [0] * localities)[:localities] for m in measures]
    raw, tables = [], []
    structure = []
    for place in ["all", *range(localities)]:
        rows = [(f"measure {i}", sum(m) if place == "all" else m[place])
                for i, m in enumerate(measures)]
        tables.append(_table([(lab, _shown(v, base)) for lab, v in rows], base=base,
                             analysis=f"run_{place}",
                             params=(("parameter:locality", str(place)),)))
        raw.append(rows)
    width = len(measures)
    for i in range(width):
        structure.append((i, [width * (k + 1) + i for k in range(localities)]))
    fixed, _, left = resolve(Release(tuple(tables)))
    assert left == []
    values = fixed.values()
    order = [Cell("2023-24", f"run_{p}", "counts", i + 1, "n")
             for p in ["all", *range(localities)] for i in range(width)]
    shown = [values[c] for c in order]
    for j, value in enumerate(shown):
        if value is not None:
            continue
        lo, hi = _interval(structure, shown, base, j)
        assert lo < 1 - 1e-6 or hi > 7 + 1e-6


def test_check_release_two_editions_proposes_cells_only_in_the_new_one(tmp_path):
    def edition(eid, period, rows):
        folder, meta = _run(tmp_path / eid, "cohort", rows, locality="all")
        meta["parameters"].update(period_start=period[0], period_end=period[1])
        return SimpleNamespace(
            edition=SimpleNamespace(id=eid, period_start=period[0], period_end=period[1]),
            runs={"cohort": folder}, manifest={"analyses": {"cohort": meta}})

    released = edition("2023-24", YEAR, [("A", None), ("B", None), ("C", 8),
                                         ("Total", 24)])
    current = edition("2023-25", TWO_YEARS, [("A", None), ("B", 10), ("C", None),
                                            ("Total", 24)])
    check_release([released], report=tmp_path / "one.json")
    with pytest.raises(DisclosureError, match="2023-24/cohort, table 'counts', row 1"):
        check_release([released, current], frozen=["2023-24"],
                      report=tmp_path / "two.json")
    written = json.loads((tmp_path / "two.json").read_text())
    assert written["relations"]["edition"] >= 4 and written["unresolved"] == []
    assert all(d["hide"].startswith("2023-25/") for d in written["decisions"])
