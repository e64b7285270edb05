"""Report PDFs printed by headless Chromium (lifetools.pipeline.pdf)."""

from __future__ import annotations

import datetime as dt
import sys
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



def _tagged(numbers: dict[str, int]) -> bytes:
    """A tagged PDF's structure elements (in page order) and ID tree, as Chromium
    writes them: node numbers given by the renderer, the ID tree sorted by them."""
    elements = b"".join(b"%d 0 obj\n<</S /TH /ID (node%08d)>>\nendobj\n"
                        b"%d 0 obj\n<</S /TD /A <</O /Table /Headers [(node%08d)]>>>>\n"
                        b"endobj\n" % (10 + i, numbers[h], 100 + i, numbers[h])
                        for i, h in enumerate(numbers))
    pairs = sorted((n, 10 + i) for i, n in enumerate(numbers.values()))
    leaf = b" ".join(b"(node%08d) %d 0 R" % pair for pair in pairs)
    return elements + (b"999 0 obj\n<</Limits [(node%08d) (node%08d)]\n/Names [%s]>>\n"
                       b"endobj\n" % (pairs[0][0], pairs[-1][0], leaf))


def test_normalise_pdf_same_page_numbered_in_another_order_same_bytes():
    # the renderer numbers nodes in the order it happens to reach them: a busy machine
    # can number the page's table headers in another order (the crisis-risk PDF of two
    # clean builds differed in CI); the printed structure is the same, so are the bytes
    headers = ["age", "sex", "area", "risk"]
    in_order = _tagged({h: 408 + 48 * i for i, h in enumerate(headers)})
    other = _tagged({h: n for h, n in zip(headers, (1643, 97, 1300, 455), strict=True)})
    assert in_order != other
    done = normalise_pdf(in_order, WHEN)
    assert normalise_pdf(other, WHEN) == done and len(done) == len(in_order)
    assert (b"/Limits [(node00000000) (node00000003)]\n/Names [(node00000000) 10 0 R "
            b"(node00000001) 11 0 R (node00000002) 12 0 R (node00000003) 13 0 R]") in done
    assert b"<</S /TH /ID (node00000002)>>" in done  # "area", the third header

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


def _fake_chromium(tmp_path: Path, outputs: list[str] | None = None,
                   version: str = "Chromium 1.0 fake") -> Path:
    """A stand-in for Chromium: ``--version`` says ``version``; each print is counted
    (``calls``) and writes ``outputs[i]`` on the i-th print (the last from then on), or
    without ``outputs`` the page it was given after ``%PDF-fake ``."""
    fake = tmp_path / "chromium"
    fake.write_text("#!" + sys.executable + "\n"
                    "import pathlib, sys, urllib.request\n"
                    f"if sys.argv[1:] == ['--version']: sys.exit(print({version!r}))\n"
                    f"outputs = {outputs!r}\n"
                    f"calls = pathlib.Path({str(tmp_path / 'calls')!r})\n"
                    "n = len(calls.read_text()) if calls.exists() else 0\n"
                    "calls.write_text('x' * (n + 1))\n"
                    "target = [a for a in sys.argv if a.startswith('--print-to-pdf=')][0]\n"
                    "data = (outputs[min(n, len(outputs) - 1)].encode() if outputs else\n"
                    "        b'%PDF-fake ' + urllib.request.urlopen(sys.argv[-1]).read())\n"
                    "open(target.split('=', 1)[1], 'wb').write(data)\n")
    fake.chmod(0o755)
    return fake


def _calls(tmp_path: Path) -> int:
    calls = tmp_path / "calls"
    return len(calls.read_text()) if calls.exists() else 0


def _page(tmp_path: Path, text: str = '<html><body><article class="bd-article"><p>R</p>'
          "</article></body></html>") -> Path:
    folder = tmp_path / "editions" / "e"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "r.html").write_text(text)
    return folder


def test_print_reports_prints_the_page_without_its_scripts(tmp_path):
    # the theme's deferred scripts change the page after it loads (icons, thebe): a
    # print on a busy machine could catch it half-changed, so none are printed
    fake = _fake_chromium(tmp_path)
    folder = _page(tmp_path,
                   '<html><head><script src="x.js"></script><SCRIPT defer>\nlater()\n'
                   '</SCRIPT></head><body><article class="bd-article"><p>Report text</p>'
                   '<script>document.body.append("late")</script></article></body></html>')
    [pdf] = print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN,
                          executable=str(fake))
    printed = pdf.read_bytes()
    assert b"Report text" in printed and b"@bottom-left" in printed
    assert b"script" not in printed.lower() and b"later()" not in printed
    assert "<script" in (folder / "r.html").read_text()  # the page itself keeps them


@pytest.mark.parametrize(("outputs", "calls", "published"), [
    (["%PDF-1 a"], 2, "%PDF-1 a"),                          # two prints agree
    (["%PDF-1 busy", "%PDF-1 a", "%PDF-1 a"], 3, "%PDF-1 a"),  # the odd one out is not kept
    (["%PDF-1 a", "%PDF-1 b", "%PDF-1 a"], 3, "%PDF-1 a"),
])
def test_print_reports_publishes_a_pdf_only_when_two_prints_agree(tmp_path, outputs, calls,
                                                                  published):
    fake = _fake_chromium(tmp_path, outputs)
    _page(tmp_path)
    [pdf] = print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN, executable=str(fake))
    assert pdf.read_text() == published
    assert _calls(tmp_path) == calls
    assert 'href="r.pdf"' in (tmp_path / "editions" / "e" / "r.html").read_text()


def test_print_reports_prints_that_never_agree_publish_no_pdf_and_say_so(tmp_path, caplog):
    fake = _fake_chromium(tmp_path, ["%PDF-1 a", "%PDF-1 b", "%PDF-1 c"])
    folder = _page(tmp_path)
    with caplog.at_level("WARNING", logger="lifetools.pipeline.pdf"):
        assert print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN,
                             executable=str(fake), store=tmp_path / "store") == []
    assert not (folder / "r.pdf").exists() and "r.pdf" not in (folder / "r.html").read_text()
    assert "r.pdf: 3 prints of the page gave 3 different PDFs" in caplog.text
    assert sorted(p.name for p in folder.iterdir()) == ["r.html"]  # no print file left
    assert not list((tmp_path / "store").rglob("*.pdf"))  # nothing kept: printed again
    # the next build prints again (the stand-in now prints "c" each time: two agree)
    print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN, executable=str(fake),
                  store=tmp_path / "store")
    assert _calls(tmp_path) == 5 and (folder / "r.pdf").read_text() == "%PDF-1 c"


_STYLED = ('<html><head><link rel="stylesheet" href="../../_static/s.css?digest=1">'
           '</head><body><article class="bd-article"><p>R</p><img src="r/f.png">'
           "</article></body></html>")


def _styled_site(tmp_path: Path) -> Path:
    folder = _page(tmp_path, _STYLED)
    (tmp_path / "_static").mkdir(exist_ok=True)
    (tmp_path / "_static" / "s.css").write_text("@font-face { src: url('f.woff2'); }")
    (tmp_path / "_static" / "f.woff2").write_bytes(b"font")
    (folder / "r").mkdir(exist_ok=True)
    (folder / "r" / "f.png").write_bytes(b"png")
    return folder


def _rebuilt(tmp_path: Path, fake: Path, edit=None) -> bytes:
    """Print the styled page again as a rebuild does (the page as the book writes it,
    then ``edit`` of the site), and return the PDF published."""
    _styled_site(tmp_path)
    if edit is not None:
        edit(tmp_path)
    [pdf] = print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN,
                          executable=str(fake), store=tmp_path / "store")
    return pdf.read_bytes()


# a changed page in `make check`; the other inputs (each prints in real processes) in
# the slow tier (test tiers: DEVELOPERS.md)
@pytest.mark.parametrize(("change", "edit"), [
    ("the page", lambda site: (site / "editions/e/r.html").write_text(
        _STYLED.replace("<p>R</p>", "<p>R2</p>"))),
    *(pytest.param(*case, marks=pytest.mark.slow) for case in [
        ("a stylesheet", lambda site: (site / "_static/s.css").write_text(
            "@font-face { src: url('f.woff2'); } p { color: red; }")),
        ("a font a stylesheet loads",
         lambda site: (site / "_static/f.woff2").write_bytes(b"f2")),
        ("an image", lambda site: (site / "editions/e/r/f.png").write_bytes(b"png2")),
    ]),
])
def test_print_reports_unchanged_page_not_printed_again_any_change_printed(tmp_path, change,
                                                                          edit):
    fake = _fake_chromium(tmp_path)
    first = _rebuilt(tmp_path, fake)
    assert _calls(tmp_path) == 2  # two agreeing prints
    # a rebuild with the same page and inputs: the stored PDF, no print, same bytes
    assert _rebuilt(tmp_path, fake) == first and _calls(tmp_path) == 2
    assert 'href="r.pdf">Download' in (tmp_path / "editions/e/r.html").read_text()
    # any input changed (``change``): printed again, and only the new entry kept
    _rebuilt(tmp_path, fake, edit)
    assert _calls(tmp_path) == 4, change
    assert len(list((tmp_path / "store" / "e").glob("r-*.pdf"))) == 1


def test_print_reports_other_chromium_date_or_damaged_store_printed_again(tmp_path):
    fake = _fake_chromium(tmp_path)
    first = _rebuilt(tmp_path, fake)
    [entry] = (tmp_path / "store" / "e").glob("r-*.pdf")
    entry.write_bytes(b"%PDF-damaged")  # its name no longer matches its bytes
    assert _rebuilt(tmp_path, fake) == first and _calls(tmp_path) == 4
    assert entry.read_bytes() == first  # printed again and kept whole
    other = _fake_chromium(tmp_path, version="Chromium 2.0 fake")
    _rebuilt(tmp_path, other)
    assert _calls(tmp_path) == 6
    _styled_site(tmp_path)
    print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN + dt.timedelta(days=1),
                  executable=str(other), store=tmp_path / "store")
    assert _calls(tmp_path) == 8


def test_print_key_covers_the_files_the_page_and_its_stylesheets_use(tmp_path):
    from lifetools.pipeline.pdf import _used_files

    folder = _styled_site(tmp_path)
    used = _used_files(_STYLED + '<img srcset="a.png 1x, b.png 2x"><a href="#x">'
                       '<a href="https://x.example/y.css">', folder)
    assert [p.relative_to(tmp_path).as_posix() for p in used] == [
        "_static/f.woff2", "_static/s.css", "editions/e/a.png", "editions/e/b.png",
        "editions/e/r/f.png"]

@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed")
def test_print_reports_pdf_is_tagged_with_title_language_and_outline(tmp_path):
    folder = tmp_path / "editions" / "e"
    folder.mkdir(parents=True)
    (folder / "r.html").write_text(
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        "<title>Wellbeing, 2024-25 edition</title></head><body>"
        '<article class="bd-article"><h1>Wellbeing</h1><p>Main point.</p>'
        '<h2>Change in score</h2><img alt="A chart of the change" src="x.png">'
        "<table><tr><th>Group</th></tr><tr><td>All</td></tr></table></article>"
        "</body></html>")
    [pdf] = print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN)
    data = pdf.read_bytes()
    catalogue = data[data.index(b"/Type /Catalog"):]
    catalogue = catalogue[:catalogue.index(b"\nendobj")]
    assert b"/StructTreeRoot" in catalogue  # tagged: a structure tree
    assert b"/MarkInfo <</Type /MarkInfo\n/Marked true>>" in catalogue
    assert b"/Lang (en-GB)" in catalogue
    # a viewer's title bar shows the document title, not the file name
    assert b"/ViewerPreferences <</Type /ViewerPreferences\n/DisplayDocTitle true>>" in catalogue
    assert b"/Outlines" in catalogue  # bookmarks from the page's headings
    assert b"/Title (Wellbeing, 2024-25 edition)" in data  # document information
    assert b"/Title (Wellbeing)" in data and b"/Title (Change in score)" in data


def test_printable_links_local_made_absolute_in_page_and_external_kept():
    from lifetools.pipeline.pdf import _printable_links

    text = ('<a class="x" href="#main">in</a> <a href="https://ogl.example/">out</a> '
            '<a href="../../methods/cox.html#ties">method</a> '
            '<a class="r" href="r/figures/f.csv?a=1&amp;b=2">data</a>')
    url = "https://stats.example/lt/editions/e/r.html"
    assert _printable_links(text, url) == (
        '<a class="x" href="#main">in</a> <a href="https://ogl.example/">out</a> '
        '<a href="https://stats.example/lt/methods/cox.html#ties">method</a> '
        '<a class="r" href="https://stats.example/lt/editions/e/r/figures/f.csv?a=1&amp;b=2">'
        "data</a>")
    # no published address: a site link is printed as text, never as a build path
    assert _printable_links(text, "") == (
        '<a class="x" href="#main">in</a> <a href="https://ogl.example/">out</a> '
        "<a>method</a> <a class=\"r\">data</a>")


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed")
def test_print_reports_pdf_keeps_links_within_the_page_to_the_site_and_outside(tmp_path):
    folder = tmp_path / "editions" / "e"
    folder.mkdir(parents=True)
    (folder / "r.html").write_text(
        '<!DOCTYPE html><html lang="en-GB"><head><title>R</title></head><body>'
        '<article class="bd-article"><p><a href="#later">Later</a> '
        '<a href="https://www.nationalarchives.gov.uk/doc/open-government-licence/">OGL</a> '
        '<a href="../../methods/cox.html">Methods</a></p><div style="height:1400px"></div>'
        '<h2 id="later">Later section</h2></article></body></html>')
    [pdf] = print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN,
                          site_url="https://stats.example/lt")
    data = pdf.read_bytes()
    assert b"/URI (https://www.nationalarchives.gov.uk/doc/open-government-licence/)" in data
    assert b"/URI (https://stats.example/lt/methods/cox.html)" in data
    assert b"/Subtype /Link" in data and b"/Dest" in data  # the in-page link
    assert str(tmp_path).encode() not in data and b"file:" not in data


def test_print_reports_each_print_has_a_new_profile_folder_removed_after(tmp_path):
    # not the user's Chromium profile: a new empty one a print, removed after (wave 31)
    fake = tmp_path / "chromium"
    fake.write_text("#!" + sys.executable + "\n"
                    "import os, pathlib, sys\n"
                    "if sys.argv[1:] == ['--version']: sys.exit(print('Chromium 1'))\n"
                    "[profile] = [a.split('=', 1)[1] for a in sys.argv\n"
                    "             if a.startswith('--user-data-dir=')]\n"
                    "assert os.path.isdir(profile) and not os.listdir(profile)\n"
                    f"with open({str(tmp_path / 'profiles')!r}, 'a') as f:\n"
                    "    f.write(profile + '\\n')\n"
                    "target = [a for a in sys.argv if a.startswith('--print-to-pdf=')][0]\n"
                    "open(target.split('=', 1)[1], 'wb').write(b'%PDF-1 a')\n")
    fake.chmod(0o755)
    _page(tmp_path)
    [pdf] = print_reports(tmp_path, "e", [("r", "Footer")], when=WHEN, executable=str(fake))
    assert pdf.read_bytes() == b"%PDF-1 a"
    profiles = (tmp_path / "profiles").read_text().split()
    assert len(profiles) == 2 and len(set(profiles)) == 2  # two agreeing prints
    assert not any(Path(p).exists() for p in profiles)


def test_print_reports_prints_pages_at_once_each_page_its_own_pdf(tmp_path, monkeypatch):
    # a print is mostly Chromium starting and waiting: pages print PRINTERS at a time
    # (issue 11). The stand-in waits until it sees another print running (a flag, not
    # a clock: one print at a time waits its full minute and the test fails), and
    # writes the page it was given, so a mix-up between pages would show.
    fake = tmp_path / "chromium"
    running, together = tmp_path / "running", tmp_path / "together"
    running.mkdir()
    fake.write_text("#!" + sys.executable + "\n"
                    "import os, pathlib, sys, time, urllib.request\n"
                    "if sys.argv[1:] == ['--version']: sys.exit(print('Chromium 1'))\n"
                    f"running, together = pathlib.Path({str(running)!r}), "
                    f"pathlib.Path({str(together)!r})\n"
                    "me = running / str(os.getpid())\n"
                    "me.touch()\n"
                    "for _ in range(600):\n"
                    "    if together.exists() or len(list(running.iterdir())) > 1:\n"
                    "        together.touch()\n"
                    "        break\n"
                    "    time.sleep(0.1)\n"
                    "me.unlink()\n"
                    "target = [a for a in sys.argv if a.startswith('--print-to-pdf=')][0]\n"
                    "page = urllib.request.urlopen(sys.argv[-1]).read()\n"
                    "open(target.split('=', 1)[1], 'wb').write(b'%PDF-fake ' + page)\n")
    fake.chmod(0o755)
    folder = tmp_path / "editions" / "e"
    folder.mkdir(parents=True)
    reports = [f"r{i}" for i in range(3)]
    for report in reports:
        (folder / f"{report}.html").write_text(
            f'<html><body><article class="bd-article"><p>Report {report}</p></article>'
            "</body></html>")
    pdfs = print_reports(tmp_path, "e", [(r, "Footer") for r in reports], when=WHEN,
                         executable=str(fake), store=tmp_path / "store")
    assert together.exists()  # two prints ran at once
    assert [p.name for p in pdfs] == [f"{r}.pdf" for r in reports]  # in the order given
    for report in reports:
        assert f"Report {report}</p>".encode() in (folder / f"{report}.pdf").read_bytes()
        assert f'href="{report}.pdf"' in (folder / f"{report}.html").read_text()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{r}.html" for r in reports] + [f"{r}.pdf" for r in reports])  # no print file left
    assert len(list((tmp_path / "store" / "e").glob("*.pdf"))) == 3
