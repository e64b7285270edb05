"""Every table of a built site fits a 1280 px window without scrolling sideways (#15).

The one-edition small build (``small_build``) is served and each page opened in
headless Chromium (Debian's ``/usr/bin/chromium``) at 1280 x 900; each table's content
must be no wider than the box it would scroll in (:mod:`table_fit`). Tables of six or
more columns are set in smaller type with narrower padding (``book/_static/lifetools.css``)
and long identifiers wrap; the two-edition series is measured the same way by the
accessibility audit (``test_accessibility.py``). Set ``LIFETOOLS_BUILT_SITE`` to a built
``public/site`` folder to check it without building the project copy.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from table_fit import DESKTOP_PX, wide_tables

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_TIMEOUT_MS = 300_000
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D102 - keep test output clean
        pass


@pytest.fixture(scope="module")
def small_site(request) -> Path:
    given = os.environ.get("LIFETOOLS_BUILT_SITE")
    if given:
        return Path(given).resolve()
    return (request.getfixturevalue("small_build")["root"] / "public" / "site").resolve()


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                    timeout=BROWSER_TIMEOUT_MS)
        context = browser.new_context(viewport={"width": DESKTOP_PX, "height": 900})
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        yield context.new_page()
        browser.close()


def _pages(site: Path) -> list[str]:
    skip = ("_static", "_sources", "_extra")
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith(skip)
                  and p.name not in ("genindex.html", "search.html"))


def test_every_table_of_the_small_build_fits_a_1280_px_window(small_site, page):
    handler = functools.partial(Quiet, directory=str(small_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    wide, tables = [], 0
    try:
        for name in _pages(small_site):
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{name}",
                      wait_until="load")
            tables += page.evaluate("() => document.querySelectorAll("
                                    "'.bd-article table').length")
            wide += wide_tables(page, name)
    finally:
        httpd.shutdown()
    assert tables > 50  # the data dictionary, methods and report tables were measured
    assert not wide, "tables scroll sideways at 1280 px:\n" + "\n".join(wide)


PROBE = """<!doctype html><html lang="en-GB"><head><title>Probe</title></head><body>
<div style="width: 300px; overflow-x: auto"><table><tr>
<td>Der_Pseudo_NHS_Number_of_the_person_attending_the_department</td></tr></table></div>
<div style="width: 300px; overflow-x: auto"><table><tr>
<td>short words that wrap</td></tr></table></div></body></html>"""


def test_wide_tables_a_table_wider_than_its_box_is_found_a_fitting_one_not(page):
    page.set_content(PROBE)
    found = wide_tables(page, "probe", "table")
    assert len(found) == 1 and "Der_Pseudo_NHS_Number" in found[0], found
