"""Leaks in a built page's tables, read by their columns' kinds (issue 12, wave 43).

The site scan read each table of a page as text: row-level data and identifiers, and
counts of people only where words named them ("13 people"). It did not know which
column of a table was a count, a share or a label, so a page edited after the book was
built (a count cell reading 3 or 2634, a share that is not the published counts')
passed it, although the same edit in the notebook or its download was refused. The
site scan now reads each report page's tables by the sealed stamps of the page's
notebook (``owners``), by the notebook gate's own rules, and refuses a report table
that no sealed table of the notebook shows.
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
from runfolder import RunFolder, display
from test_rate_leaks import _feedback

from lifetools import tables
from lifetools.pipeline.gate import scan_site

PAGE = "editions/2024-25/cohort_description.html"


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return RunFolder(tmp_path / "run", monkeypatch)


def _counts() -> object:
    frame = pd.DataFrame({"group": ["Life Rooms users", "Secondary care"],
                          "n": [1234, 12842]})
    return tables.show_table(frame, name="counts", count_cols=["n"],
                             caption="People in the period")


def _site(tmp_path, notebook, old: str = "", new: str = "", *, every: bool = False
          ) -> tuple:
    """A built site whose one report page shows the notebook's tables, as the book
    copies them, with ``old`` edited to ``new``."""
    nb = nbformat.read(notebook, as_version=4)
    shown = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                    for o in c.get("outputs", []))
    if old:
        assert old in shown
        shown = shown.replace(old, new, -1 if every else 1)
    html = tmp_path / "site"
    page = html / PAGE
    page.parent.mkdir(parents=True)
    page.write_text(f"<html><body><h1>Who is in the data</h1>{shown}</body></html>")
    return html, {PAGE: notebook}


def _rules(findings) -> set[str]:
    return {f.rule for f in findings}


@pytest.mark.parametrize("make", [_counts, _feedback])
def test_a_page_showing_its_notebook_tables_passes(run, tmp_path, make):
    output = make() if make is _counts else tables.show_table(
        make(), name="shares", caption="Shares")
    run.code(display(output))
    html, owners = _site(tmp_path, run.write())
    assert scan_site(html, owners=owners) == []


@pytest.mark.parametrize("edited", ["3", "2634", "2,634"])
def test_a_count_cell_edited_on_the_page_is_refused(run, tmp_path, edited):
    cell = run.code(display(_counts()))
    html, owners = _site(tmp_path, run.write(), ">1,235<", f">{edited}<")
    found = scan_site(html, owners=owners)
    assert _rules(found) & {"small-count", "unrounded-count"}, found
    hit = next(f for f in found if f.rule in ("small-count", "unrounded-count"))
    assert hit.file == PAGE and hit.cell == cell
    assert f"file {PAGE}, cell {cell}: " in str(hit) and "01_cohort_description" in str(hit)
    assert edited not in hit.detail
    # the old scan read the cells as text: no finding
    assert scan_site(html) == []


def test_a_share_cell_that_is_not_the_published_counts_share_is_refused(run, tmp_path):
    # 13 of 47 agreeing are published as 15 of 45: 33.3%; 27.7% is the raw counts'
    cell = run.code(display(tables.show_table(_feedback(), name="shares",
                                              caption="Shares")))
    notebook = run.write()
    nb = nbformat.read(notebook, as_version=4)
    html_table = nb.cells[cell].outputs[0]["data"]["text/html"]
    old = re.search(r">33\.3%?<", html_table).group(0)
    html, owners = _site(tmp_path, notebook, old, old.replace("33.3", "27.7"))
    found = scan_site(html, owners=owners)
    assert "rate-not-from-published-counts" in _rules(found), found
    assert scan_site(html) == []


def test_a_report_table_no_sealed_table_shows_is_refused(run, tmp_path):
    run.code(display(_counts()))
    notebook = run.write()
    html, owners = _site(tmp_path, notebook, "People in the period",
                         "People in the period, by hand", every=True)
    found = scan_site(html, owners=owners)
    assert "unstamped" in _rules(found), found


def test_a_download_edited_on_the_site_is_refused(run, tmp_path):
    # the run's download passed the notebook gate; the site's copy of it, edited
    # after the book was built, is read by the same record
    run.code(display(_counts()))
    html, owners = _site(tmp_path, run.write())
    copy = html / "editions/2024-25/cohort_description/tables/counts.csv"
    copy.parent.mkdir(parents=True)
    text = (run.files / "tables" / "counts.csv").read_text()
    assert ",1235\n" in text
    copy.write_text(text.replace(",1235\n", ",2634\n"))
    found = scan_site(html, owners=owners)
    assert any(f.rule == "unrounded-count" and f.file.endswith("counts.csv")
               for f in found), found
    assert scan_site(html) == []
    copy.write_text(text)
    assert scan_site(html, owners=owners) == []
