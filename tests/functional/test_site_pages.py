"""The built site's pages as published: weight, table words, checklists, editions.

Reads the built HTML only (no browser). Set ``LIFETOOLS_BUILT_SITE`` to a built
``public/site`` folder to check it without building the project copy again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lifetools.labels import is_raw_name
from lifetools.pipeline.gate.rules import html_tables
from lifetools.pipeline.weight import MAX_PAGE_BYTES, page_weight

pytestmark = pytest.mark.slow


def pages(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html"))
            if not p.relative_to(site).parts[0].startswith(("_static", "_sources"))]


def report_pages(site: Path) -> list[Path]:
    return [p for p in sorted((site / "editions").glob("*/*.html"))
            if p.stem not in ("index", "record")]


def test_every_page_weighs_under_one_megabyte(site):
    heavy = {str(p.relative_to(site)): page_weight(p) for p in pages(site)
             if page_weight(p) >= MAX_PAGE_BYTES}
    assert not heavy, heavy
    assert not (site / "_static" / "scripts" / "fontawesome.js").exists() or \
        (site / "_static" / "scripts" / "fontawesome.js").stat().st_size < 200_000


def test_every_report_table_has_worded_headers_and_row_labels(site):
    raw = []
    for page in report_pages(site):
        for head, rows in html_tables(page.read_text(encoding="utf-8")):
            raw += [f"{page.name}: header {h!r}" for h in head if is_raw_name(h)]
            raw += [f"{page.name}: row label {c!r}" for r in rows for c in r[:2]
                    if is_raw_name(c)]
    assert not raw, "\n".join(raw[:30])
    assert report_pages(site)


def test_every_edition_has_a_record_checklist_linked_from_its_index(site):
    for folder in sorted(p for p in (site / "editions").iterdir()
                         if p.is_dir() and (p / "manifest.json").exists()
                         and not re.search(r"-v\d+$", p.name)):
        page = (folder / "record.html").read_text(encoding="utf-8")
        assert "RECORD checklist" in page and "13.1" in page and "22.1" in page
        assert 'href="record.html"' in (folder / "index.html").read_text(encoding="utf-8")


def test_cohort_report_has_a_flow_diagram_of_its_published_steps(site):
    for page in (site / "editions").glob("*/time_to_discharge.html"):
        text = page.read_text(encoding="utf-8")
        steps = re.findall(r'<li class="lifetools-flow-step">', text)
        published = (page.parent / "time_to_discharge" / "tables" / "flow.csv"
                     ).read_text().strip().splitlines()
        assert len(steps) == len(published) - 1 > 0, page


def test_archived_pages_carry_the_banner_and_current_pages_compare(site):
    archived = sorted((site / "editions" / "2023-24").glob("*.html"))
    assert archived
    for page in archived:
        assert "This is an archived edition</strong>, superseded by" in page.read_text(
            encoding="utf-8"), page.name
    current = (site / "editions" / "2024-25" / "time_to_discharge.html").read_text(
        encoding="utf-8")
    assert "Compared with the previous edition" in current
    assert "within the uncertainty" in current or "larger than the uncertainty" in current
    assert "archived edition</strong>" not in current
