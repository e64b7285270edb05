"""Correction banners: a corrected edition and its superseded versions say so on every page."""

from __future__ import annotations

from pathlib import Path

from lifetools.pipeline.release import mark_corrections, unmark_corrections

PAGE = ('<html><head><title>{title}</title></head><body><article class="bd-article">'
        "<h1>{title}</h1></article></body></html>")
FIRST = {"edition": "2023-24", "superseded": "v1", "date": "2026-11-30T10:00:00+00:00",
         "reason": "threshold corrected to 2.5 points <b>",
         "changed_files": ["wellbeing/results.json", "wellbeing/tables/summary.csv"],
         "superseded_pages": "editions/2023-24-v1/index.html", "commit": "abc"}
SECOND = {**FIRST, "superseded": "v2", "date": "2026-12-02T09:00:00+00:00",
          "reason": "area codes corrected.", "changed_files": ["reach_and_activity/x.csv"],
          "superseded_pages": "editions/2023-24-v2/index.html"}
TITLES = {"wellbeing": "Wellbeing", "reach_and_activity": "Reach and activity"}


def site(tmp_path: Path, versions: tuple[str, ...] = ("v1",)) -> Path:
    """A built site with a corrected 2023-24, its superseded versions and 2024-25."""
    for folder, pages in (("2023-24", ("index", "wellbeing", "record")),
                          ("2024-25", ("index", "wellbeing")),
                          *((f"2023-24-{v}", ("index", "wellbeing")) for v in versions)):
        (tmp_path / "editions" / folder).mkdir(parents=True)
        for name in pages:
            (tmp_path / "editions" / folder / f"{name}.html").write_text(
                PAGE.format(title=name.title()))
    return tmp_path


def page(root: Path, folder: str, name: str) -> str:
    return (root / "editions" / folder / f"{name}.html").read_text()


def test_mark_corrections_corrected_edition_every_page_says_when_why_what_and_links(
        tmp_path):
    root = site(tmp_path)
    assert mark_corrections(root, [FIRST], titles=TITLES) == 5
    for name in ("index", "wellbeing", "record"):
        text = page(root, "2023-24", name)
        assert text.count('class="lifetools-corrected" role="note"') == 1
        assert "<strong>Corrected on 30 November 2026.</strong>" in text
        assert "threshold corrected to 2.5 points &lt;b&gt;." in text  # escaped
        assert 'href="../corrections.html">corrections log</a>' in text
    wellbeing = page(root, "2023-24", "wellbeing")
    assert ("Results changed on this page: <code>results.json</code>, "
            "<code>tables/summary.csv</code>.") in wellbeing
    assert '<a href="../2023-24-v1/wellbeing.html">This page as first released</a>' \
        in wellbeing
    record = page(root, "2023-24", "record")  # not in v1: links v1's front page
    assert "No result on this page changed; results changed in: Wellbeing." in record
    assert '<a href="../2023-24-v1/index.html">This page as first released</a>' in record
    assert "Results changed in: Wellbeing." in page(root, "2023-24", "index")
    assert "lifetools-" not in page(root, "2024-25", "wellbeing")


def test_mark_corrections_superseded_version_links_the_correction_with_its_own_title(
        tmp_path):
    root = site(tmp_path)
    mark_corrections(root, [FIRST], titles=TITLES)
    old = page(root, "2023-24-v1", "wellbeing")
    assert "<title>Superseded (v1): Wellbeing</title>" in old
    assert ('<strong>This version has been superseded</strong>: it was corrected on '
            "30 November 2026 (threshold corrected to 2.5 points &lt;b&gt;). "
            '<a href="../2023-24/wellbeing.html">Read the corrected page</a>.') in old
    assert "lifetools-corrected" not in old


def test_mark_corrections_twice_gives_the_same_bytes_and_unmark_restores_the_page(
        tmp_path):
    root = site(tmp_path)
    mark_corrections(root, [FIRST], titles=TITLES)
    first = {p: p.read_text() for p in sorted(root.rglob("*.html"))}
    # a page already marked, with a link added after the banner (the PDF's), stays put
    wellbeing = root / "editions" / "2023-24" / "wellbeing.html"
    wellbeing.write_text(wellbeing.read_text().replace(
        '<article class="bd-article">', '<article class="bd-article"><p>PDF</p>'))
    first[wellbeing] = wellbeing.read_text()
    assert mark_corrections(root, [FIRST], titles=TITLES) == 0
    assert {p: p.read_text() for p in sorted(root.rglob("*.html"))} == first
    assert unmark_corrections(page(root, "2023-24", "index")) == PAGE.format(title="Index")


def test_mark_corrections_second_correction_lists_both_and_links_each_replaced_version(
        tmp_path):
    root = site(tmp_path, versions=("v1", "v2"))
    mark_corrections(root, [FIRST, SECOND], titles=TITLES)
    text = page(root, "2023-24", "wellbeing")
    assert text.index("Corrected on 30 November 2026") < text.index(
        "Corrected on 2 December 2026")
    assert '<a href="../2023-24-v1/wellbeing.html">This page as first released</a>' in text
    assert ('<a href="../2023-24-v2/wellbeing.html">This page as corrected before (v2)'
            "</a>") in text
    assert "area codes corrected. " in text and "corrected.." not in text
    assert "results changed in: Reach and activity." in text
    assert "it was corrected on 2 December 2026" in page(root, "2023-24-v2", "index")
    assert "it was corrected on 30 November 2026" in page(root, "2023-24-v1", "index")


def test_mark_corrections_without_corrections_changes_no_page(tmp_path):
    root = site(tmp_path)
    before = {p: p.read_text() for p in sorted(root.rglob("*.html"))}
    assert mark_corrections(root, []) == 0
    assert {p: p.read_text() for p in sorted(root.rglob("*.html"))} == before
