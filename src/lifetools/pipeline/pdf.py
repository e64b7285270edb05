"""A PDF of each report, printed offline from its built page by headless Chromium.

After the site is built, each report page of the current edition is printed to
``editions/<edition>/<report>.pdf`` by Debian's ``chromium`` (``--print-to-pdf``, no
network, the page read from disk) with a print stylesheet that puts the series, the
edition, the statistics status, the published date and the page's address in the
footer of every printed page (links within the page and to other sites stay links;
links to the site's other pages point at its published address, ``site_url``, or without
one are printed as text: they would otherwise point at the build folder; scripts are left out, so what is printed is the page
as loaded, not a state a deferred script reached in time). The page then links its PDF. Chromium writes the time
of printing and its own DOM node numbers into the file (the numbers, and the order of
the structure tree's ID index, follow the order the renderer happened to number the
page's nodes in); :func:`normalise_pdf` replaces them (same lengths, so the
cross-reference offsets stay valid) by the source date and numbers in order of
appearance, and sorts the ID index by the new numbers, so the same page prints to the
same bytes. Each page is printed until two prints agree byte for byte (at most three;
prints that never agree publish no PDF and are logged), so a PDF is published only when
printing it again reproduced it. Pages are printed :data:`PRINTERS` at a time, each in
its own Chromium process and profile, so what a page prints to does not depend on the
others. An agreed print is kept in a store (the build's ``build/pdf``,
:func:`lifetools.pipeline.layout.pdf_store`) under a key of everything the print is
made from: the page as printed (its HTML with the footer and links
rewritten, scripts left out), every local file it uses (stylesheets, the files they
import, fonts, images), the Chromium version, this module's source (the print
options, the stylesheet and the normaliser) and the date written in the file
(:func:`print_key`). A rebuild whose page and inputs are byte-identical publishes the
stored bytes without printing; any change prints again.

The PDF is tagged (Chromium writes a structure tree, ``/MarkInfo <</Marked true>>``, the
page's ``<title>`` as ``/Title``, ``/DisplayDocTitle true`` so a viewer shows that title
rather than the file name, and its ``lang`` as ``/Lang``) and has bookmarks made from
the page's headings (``--generate-pdf-document-outline``); checked by
``tests/unit/test_pdf.py::test_print_reports_pdf_is_tagged_with_title_language_and_outline``.

Without Chromium the site is published without PDFs (and says so in the build log).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin

from lifetools.fingerprint import sha256_file
from lifetools.pipeline import layout
from lifetools.pipeline.pages import long_date
from lifetools.pipeline.provenance import source_date_epoch
from lifetools.pipeline.series import Edition, Series

__all__ = ["chromium", "normalise_pdf", "print_edition", "print_key", "print_reports"]

logger = logging.getLogger(__name__)

MOST_PRINTS = 3
"""Prints of one page tried for two that agree byte for byte (see :func:`_agreed_print`)."""
PRINT_TIMEOUT = 600
"""Seconds one report may take to print: a busy 2-core machine slows Chromium many-fold."""
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-pdf-header-footer", "--generate-pdf-document-outline")
PDF_DATE = re.compile(rb"D:\d{14}[+-Z][0-9']*")
NODE = re.compile(rb"node(\d{8})")
ID_PAIR = re.compile(rb"(\(node\d{8}\)) (\d+ \d+ R)")
ID_TREE_LEAF = re.compile(rb"/Limits \[\(node\d{8}\) \(node\d{8}\)\](?P<gap>\s*)"
                          rb"/Names \[(?P<names>(?:\(node\d{8}\) \d+ \d+ R ?)+)\]")
ARTICLE = '<article class="bd-article">'
LOCAL_LINK = re.compile(r'(<a\b[^>]*?)\shref="(?!https?://|mailto:|#)([^"]*)"')
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
USED = re.compile(r'\b(?:src|href)\s*=\s*"([^"]*)"|\bsrcset\s*=\s*"([^"]*)"'
                  r"|url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", re.IGNORECASE)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)
KEY_FORMAT = b"lifetools print key v1"


def chromium() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def normalise_pdf(data: bytes, when: dt.datetime) -> bytes:
    """Chromium's PDF with its dates set to ``when`` and node ids renumbered in order.

    Node ids are renumbered in the order the structure elements name them (the ID
    tree's own listing is left out of that order), and the ID tree is sorted again by
    the new numbers: Chromium's numbers, and its ID tree's order, follow the order in
    which the renderer happened to give the page's nodes their ids, which a busy
    machine can change.

    Notes
    -----
    Every replacement keeps the byte length, so the cross-reference table stays
    valid. Checked by ``tests/unit/test_pdf.py``.
    """
    stamp = when.strftime("D:%Y%m%d%H%M%S").encode()

    def date(match: re.Match[bytes]) -> bytes:
        text = match[0]
        return (stamp + b"+00'00'")[:len(text)].ljust(len(text), b"'")

    data = PDF_DATE.sub(date, data)
    leaves = [m.span() for m in ID_TREE_LEAF.finditer(data)]
    numbers: dict[bytes, bytes] = {}
    for found in NODE.finditer(data):
        if not any(start <= found.start() < end for start, end in leaves):
            numbers.setdefault(found[1], b"%08d" % len(numbers))
    for found in NODE.finditer(data):
        numbers.setdefault(found[1], b"%08d" % len(numbers))
    data = NODE.sub(lambda m: b"node" + numbers[m[1]], data)
    return ID_TREE_LEAF.sub(_sorted_leaf, data)


def _sorted_leaf(match: re.Match[bytes]) -> bytes:
    """An ID-tree leaf with its (key, reference) pairs in the order of the new keys.

    Chromium (Skia) writes the leaf sorted by its own node numbers, which follow the
    order the renderer happened to give nodes their ids, not the order of the page;
    after renumbering in order of appearance the pairs are sorted again, so the leaf no
    longer carries that order. The same pairs joined the same way keep the length.
    """
    pairs = sorted(ID_PAIR.findall(match["names"]))
    names = b" ".join(b"%s %s" % pair for pair in pairs)
    return b"/Limits [%s %s]%s/Names [%s]" % (pairs[0][0], pairs[-1][0], match["gap"], names)


def _footer_css(footer: str) -> str:
    text = footer.replace("\\", "\\\\").replace('"', '\\"')
    return ('<style media="print">@page { margin: 16mm 12mm 20mm; '
            f'@bottom-left {{ content: "{text}"; font-size: 8pt; }} '
            '@bottom-right { content: "Page " counter(page) " of " counter(pages); '
            "font-size: 8pt; } } .bd-sidebar-primary, .bd-sidebar-secondary, "
            ".bd-header, .bd-footer, .prev-next-area, .header-article "
            "{ display: none !important; }</style>")


def _printable_links(text: str, page_url: str) -> str:
    """The page's links as a PDF can keep them.

    Links within the page (``#...``) and to other sites stay as they are (Chromium
    prints them as PDF links); a link to another page or file of the site is made
    absolute under ``page_url`` (the page's published address), or, with no address
    configured, printed as text (it would otherwise point at the build folder).
    """
    def local(match: re.Match[str]) -> str:
        if not page_url:
            return match[1]
        return f'{match[1]} href="{html.escape(urljoin(page_url, html.unescape(match[2])))}"'

    return LOCAL_LINK.sub(local, text)


def _used_files(text: str, folder: Path) -> list[Path]:
    """The local files a page (or stylesheet) in ``folder`` refers to, and those its
    stylesheets refer to in turn: what Chromium may load to print it."""
    found: dict[Path, None] = {}
    pending = [(text, folder)]
    while pending:
        text, base = pending.pop()
        for match in USED.finditer(text):
            refs = [r.strip().split(" ")[0] for r in match[2].split(",")] if match[2] \
                else [match[1] or match[3] or match[4]]
            for ref in refs:
                ref = html.unescape(ref.strip()).split("#")[0].split("?")[0]
                if not ref or EXTERNAL.match(ref):
                    continue
                path = Path(os.path.normpath(base / unquote(ref)))
                if path in found:
                    continue
                found[path] = None
                if path.suffix.lower() == ".css" and path.is_file():
                    pending.append((path.read_text(encoding="utf-8", errors="replace"),
                                    path.parent))
    return sorted(found)


@functools.lru_cache(maxsize=8)
def _version(executable: str, stamp: tuple[int, int]) -> bytes:
    """``chromium --version`` (cached for the executable's size and change time)."""
    done = subprocess.run([executable, "--version"], capture_output=True,
                          timeout=PRINT_TIMEOUT, check=False)
    return done.stdout.strip() + b"|" + str(done.returncode).encode()


def chromium_version(executable: str) -> bytes:
    """What ``executable --version`` says, with its exit status."""
    found = Path(shutil.which(executable) or executable).resolve()
    info = found.stat()
    return _version(str(found), (info.st_size, info.st_mtime_ns))


def print_key(printable: str, folder: Path, version: bytes, when: dt.datetime) -> str:
    """The SHA-256 of what a print is made from: the page as printed (``printable``,
    in ``folder``), each local file it uses (path and bytes; a missing one as missing),
    the Chromium ``version``, this module's source (print options, stylesheet,
    normaliser) and the date written in the PDF."""
    digest = hashlib.sha256(KEY_FORMAT)
    for part in (printable.encode(), version, when.isoformat().encode(),
                 Path(__file__).read_bytes()):
        digest.update(hashlib.sha256(part).digest())
    for path in _used_files(printable, folder):
        state = sha256_file(path) if path.is_file() else "missing"
        digest.update(f"{os.path.relpath(path, folder)}\0{state}\n".encode())
    return digest.hexdigest()


def _stored(store: Path, report: str, key: str) -> bytes | None:
    """The stored PDF of ``report`` printed from ``key``, if whole (its file name
    ends with the SHA-256 of its bytes; a damaged one is removed and printed again)."""
    for path in _entries(store, report):
        if path.stem.split("-")[-2] != key:
            continue
        data = path.read_bytes()
        if path.stem.split("-")[-1] == hashlib.sha256(data).hexdigest():
            return data
        path.unlink(missing_ok=True)
    return None


def _entries(store: Path, report: str) -> list[Path]:
    """The stored PDFs of ``report`` (``<report>-<key>-<sha256>.pdf``)."""
    name = re.compile(re.escape(report) + r"-[0-9a-f]{64}-[0-9a-f]{64}\.pdf")
    return [p for p in store.glob(f"{report}-*.pdf") if name.fullmatch(p.name)] \
        if store.is_dir() else []


def _store(store: Path, report: str, key: str, data: bytes) -> None:
    """Keep an agreed print of ``report`` under ``key`` (the report's only entry)."""
    store.mkdir(parents=True, exist_ok=True)
    target = store / f"{report}-{key}-{hashlib.sha256(data).hexdigest()}.pdf"
    partial = layout.temp_sibling(target, "partial")
    partial.write_bytes(data)
    partial.replace(target)
    for old in _entries(store, report):
        if old != target:
            old.unlink(missing_ok=True)


def print_reports(html_dir: Path, edition: str, reports: Sequence[tuple[str, str]], *,
                  when: dt.datetime, executable: str | None = None,
                  site_url: str = "", store: Path | None = None) -> list[Path]:
    """Print each report page of ``edition`` to PDF and link it from the page.

    ``reports`` are (report id, footer text) pairs; ``site_url`` is the site's
    published address (links to the site's other pages print as links to it; none:
    as text). With ``store`` (a folder), each agreed print is kept there by
    :func:`print_key`, and a page whose key is stored is not printed again: its
    stored bytes are published. Returns the PDFs written (none without Chromium; a
    page Chromium fails to print keeps no link).
    """
    executable = executable or chromium()
    if executable is None:
        return []
    version = chromium_version(executable) if store is not None else b""
    pages = []
    for report, footer in reports:
        page = html_dir / "editions" / edition / f"{report}.html"
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        # links to local files would print as file:// addresses of the build folder;
        # scripts are left out: the theme's deferred ones (icons, thebe) change the page
        # after it has loaded, so a print on a busy machine could catch it half-changed
        page_url = (f"{site_url.rstrip('/')}/editions/{edition}/{report}.html"
                    if site_url else "")
        static = SCRIPT.sub("", _printable_links(text, page_url)).replace(
            "</head>", _footer_css(footer) + "</head>", 1)
        key = print_key(static, page.parent, version, when) if store is not None else ""
        stored = _stored(store / edition, report, key) if store is not None else None
        pages.append((report, page, text, static, key, stored))
    unprinted = [(page, static) for _report, page, _text, static, _key, stored in pages
                 if stored is None]
    printed = dict(zip((page for page, _static in unprinted),
                       _print_pages(executable, unprinted, when), strict=True))
    written = []
    for report, page, text, _static, key, stored in pages:
        data = stored if stored is not None else printed[page]
        if data is None:
            continue
        if stored is None and store is not None:
            _store(store / edition, report, key, data)
        target = page.with_suffix(".pdf")
        target.write_bytes(data)
        size = f"{max(1, round(target.stat().st_size / 1000)):,} kB"
        link = (f'<p class="lifetools-pdf"><a href="{html.escape(target.name)}">'
                f"Download this report as a PDF ({size})</a></p>")
        page.write_text(text.replace(ARTICLE, ARTICLE + link, 1), encoding="utf-8")
        written.append(target)
    return written


PRINTERS = 4
"""Pages printed at once. A print is mostly Chromium starting and waiting (about 0.7 s
of CPU in 1.7 s): the 7 report pages of a 3,000-person edition printed 1.6-1.8x faster
four at a time than one at a time on a busy 2-core machine, with the same CPU time and
the same bytes (``benchmarks/bench_pdf.py``)."""


def _print_pages(executable: str, pages: Sequence[tuple[Path, str]],
                 when: dt.datetime) -> list[bytes | None]:
    """The agreed print of each (page, printable HTML) pair, :data:`PRINTERS` at once,
    in the order given (None: no two prints agreed, or nothing was printed).

    Each page has its own printable file and PDF beside it (``.<report>.print.html``,
    ``<report>.pdf``) and each print its own Chromium profile, so prints of different
    pages share nothing; what a page prints to does not depend on what else prints.
    """
    def one(item: tuple[Path, str]) -> bytes | None:
        page, static = item
        printable = page.with_name(f".{page.stem}.print.html")
        printable.write_text(static, encoding="utf-8")
        try:
            return _agreed_print(executable, printable, page.with_suffix(".pdf"), when)
        finally:
            printable.unlink(missing_ok=True)

    if len(pages) <= 1:
        return [one(item) for item in pages]
    with ThreadPoolExecutor(max_workers=min(PRINTERS, len(pages))) as pool:
        return list(pool.map(one, pages))


def _print_once(executable: str, printable: Path, target: Path,
                when: dt.datetime) -> bytes | None:
    """One print of ``printable`` by Chromium, normalised (None: nothing printed).

    Each print has a new, empty profile folder (``--user-data-dir``, removed after),
    not the user's: nothing a browser kept from before reaches a print, and it is
    faster. The 7 report pages of a 3,000-person edition (two agreeing prints each)
    took 33.2-33.9 s with the user's profile and 24.6-27.3 s with new ones, every PDF
    the same bytes (wave 31).
    """
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="lifetools-chromium-") as profile:
        subprocess.run([executable, *ARGS, f"--user-data-dir={profile}",
                        f"--print-to-pdf={target}", printable.resolve().as_uri()],
                       capture_output=True, timeout=PRINT_TIMEOUT, check=False)
    if not target.exists() or target.stat().st_size == 0:
        return None
    data = normalise_pdf(target.read_bytes(), when)
    target.unlink()
    return data


def _agreed_print(executable: str, printable: Path, target: Path,
                  when: dt.datetime) -> bytes | None:
    """The page's PDF once two of at most :data:`MOST_PRINTS` prints agree byte for byte.

    A PDF is published only when printing the page again gave the same bytes: what
    Chromium writes can depend on the order its renderer reached the page's nodes
    (normalised, see :func:`normalise_pdf`) and on anything else a busy machine
    changes that is not. Prints that never agree publish no PDF (the page keeps no
    link) and are logged, rather than a file another build would not reproduce.
    """
    seen: list[bytes] = []
    for _ in range(MOST_PRINTS):
        data = _print_once(executable, printable, target, when)
        if data is None:
            return None
        if data in seen:
            return data
        seen.append(data)
    logger.warning("%s: %d prints of the page gave %d different PDFs; published "
                   "without its PDF", target.name, MOST_PRINTS, len(seen))
    return None


def footer_text(series: Series, edition: Edition, manifest: Mapping[str, Any],
                report: str) -> str:
    """The footer of every printed page: series, edition, status, date, address."""
    publication = series.publication
    published = long_date(manifest.get("source_date") or manifest.get("finished_at"))
    where = (f"{publication.site_url}/editions/{edition.id}/{report}.html"
             if publication.site_url else "")
    status = publication.status[:1].upper() + publication.status[1:]
    return " ".join(t for t in (f"{series.title}, {edition.title}.", f"{status}.",
                                f"Published {published}." if published else "", where)
                    if t)


def print_edition(html_dir: Path, series: Series, edition: Edition,
                  runs: Mapping[str, Path], manifest: Mapping[str, Any]) -> list[Path]:
    """Print every report page of one edition of a built site (see :func:`print_reports`)."""
    when = dt.datetime.fromtimestamp(source_date_epoch(), tz=dt.UTC)
    reports = [(a.id, footer_text(series, edition, manifest, a.id))
               for a in series.analyses_in(edition.id) if a.id in runs]
    return print_reports(html_dir, edition.id, reports, when=when,
                         site_url=series.publication.site_url, store=layout.pdf_store())
