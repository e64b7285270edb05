"""Report PDFs printed by headless Chromium (lifetools.pipeline.pdf)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lifetools.pipeline.pdf import chromium, footer_text, normalise_pdf, print_reports
from lifetools.pipeline.series import load_series

ROOT = Path(__file__).resolve().parents[2]
WHEN = dt.datetime(2026, 11, 30, 10, 0, 0, tzinfo=dt.UTC)


def test_normalise_pdf_dates_and_node_ids_same_length_in_order():
    raw = (b"/CreationDate (D:20991231235959+00'00')\n/ID (node00000445)"
           b"/Headers [(node00000445)] /ID (node00000017)")
    done = normalise_pdf(raw, WHEN)
    assert len(done) == len(raw)
    assert done == (b"/CreationDate (D:20261130100000+00'00')\n/ID (node00000000)"
                    b"/Headers [(node00000000)] /ID (node00000001)")


def test_footer_text_names_series_edition_status_date_and_address():
    series = load_series(ROOT / "analyses" / "analyses.yml")
    edition = series.edition(series.current_edition)
    text = footer_text(series, edition, {"source_date": "2026-11-30T10:00:00+00:00"},
                       "wellbeing")
    assert text == (f"{series.title}, {edition.title}. Official statistics in "
                    "development. Published 30 November 2026.")


def test_print_reports_without_chromium_prints_nothing(tmp_path, monkeypatch):
    from lifetools.pipeline import pdf

    monkeypatch.setattr(pdf, "chromium", lambda: None)
    (tmp_path / "editions" / "e").mkdir(parents=True)
    (tmp_path / "editions" / "e" / "r.html").write_text("<html></html>")
    assert pdf.print_reports(tmp_path, "e", [("r", "f")], when=WHEN) == []
    assert not (tmp_path / "editions" / "e" / "r.pdf").exists()


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed")
def test_print_reports_same_page_same_bytes_no_build_path_and_linked(tmp_path):
    pdfs = []
    for copy in ("a", "b"):
        folder = tmp_path / copy / "editions" / "e"
        folder.mkdir(parents=True)
        (folder / "r.html").write_text(
            '<html><head><title>R</title></head><body><article class="bd-article">'
            '<h1>Report</h1><p><a href="other.html">other</a></p></article></body></html>')
        [pdf] = print_reports(tmp_path / copy, "e", [("r", "Series, edition. Footer.")],
                              when=WHEN)
        pdfs.append(pdf.read_bytes())
        assert 'href="r.pdf">Download this report as a PDF (' in (folder / "r.html"
                                                                 ).read_text()
    assert pdfs[0] == pdfs[1] and pdfs[0].startswith(b"%PDF")
    assert str(tmp_path).encode() not in pdfs[0] and b"file:" not in pdfs[0]
