"""Every table of a built site fits its window from 600 to 1280 px without scrolling
sideways (#15).

Each page is opened in headless Chromium (Debian's ``/usr/bin/chromium``) at
1280 x 900, then the window is narrowed through :data:`table_fit.WIDTHS` (the page is
laid out again, not reloaded); each table's content must be no wider than the box it
would scroll in (:mod:`table_fit`). Tables of four or more columns are set in smaller
type, of six or more with narrower padding, and below 768 px every table shows each row
as "header: value" lines (``book/_static/lifetools.css``). Measured here on the
one-edition small build (``small_build``: the pages made from its results; those made
from the repository alone, :data:`FROM_THE_REPOSITORY`, are the same bytes in both
builds). Every page of the two-edition series (``built_site``: the archived edition and
the comparison with the previous edition too) is measured by the accessibility audit's
1280 px pass (``test_accessibility.py``), which has each page open at 1280 px already:
until wave 43 a browser pass of its own here loaded every page of the series again
(51 s in the CI run). Below 600 px the accessibility audit checks reflow at 320 px.
Set ``LIFETOOLS_BUILT_SITE`` to a built ``public/site`` folder to check it without
building the project copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from served import served
from table_fit import DESKTOP_PX, tables_too_wide_at_each_width, wide_tables

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_TIMEOUT_MS = 300_000
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


FROM_THE_REPOSITORY = ("methods/", "howto/", "reference/", "data/")
"""The pages made from the repository alone (the book's methods, how-to and reference
pages, the data dictionary's pages), not from a build's results: their articles were
the same bytes in the small build and the series, with the same stylesheets (46 of the
small build's 68 pages at d6d8861, 56 of its 95 tables; every table of them measured
the same, in px, at every width in both builds: README, test times, wave 42). They are
measured on the series, where every page is (by the accessibility audit's 1280 px pass);
the small build's test measures the rest (its edition's pages, the landing page,
the about pages): it measured all 68, each of those 46 a second time."""


def _pages(site: Path, *, skip_prefixes: tuple[str, ...] = ()) -> list[str]:
    skip = ("_static", "_sources", "_extra")
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not p.relative_to(site).parts[0].startswith(skip)
                  and p.name not in ("genindex.html", "search.html")
                  and not str(p.relative_to(site)).startswith(skip_prefixes))


def tables_too_wide(page, site: Path, *, skip_prefixes: tuple[str, ...] = ()
                    ) -> tuple[int, list[str]]:
    """The number of tables measured, and each table wider than its box at each of
    :data:`table_fit.WIDTHS` ("<width> px <page>: ..."), on every page of ``site``
    (but those under ``skip_prefixes``)."""
    wide, tables = [], 0
    with served(site) as address:
        for name in _pages(site, skip_prefixes=skip_prefixes):
            page.set_viewport_size({"width": DESKTOP_PX, "height": 900})
            page.goto(f"{address}/{name}", wait_until="load")
            counted, found = tables_too_wide_at_each_width(page, name)
            tables, wide = tables + counted, wide + found
    return tables, wide


def test_every_table_of_the_small_build_fits_from_600_to_1280_px(small_site, page):
    # the pages made from the repository alone are measured on the series (by the
    # accessibility audit's 1280 px pass, test_accessibility.py)
    tables, wide = tables_too_wide(page, small_site, skip_prefixes=FROM_THE_REPOSITORY)
    assert tables > 30  # the edition's report tables were measured
    assert not wide, "tables scroll sideways:\n" + "\n".join(wide)


PROBE = """<!doctype html><html lang="en-GB"><head><title>Probe</title></head><body>
<div style="width: 300px; overflow-x: auto"><table><tr>
<td>Der_Pseudo_NHS_Number_of_the_person_attending_the_department</td></tr></table></div>
<div style="width: 300px; overflow-x: auto"><table><tr>
<td>short words that wrap</td></tr></table></div></body></html>"""


def test_wide_tables_a_table_wider_than_its_box_is_found_a_fitting_one_not(page):
    page.set_content(PROBE)
    found = wide_tables(page, "probe", "table")
    assert len(found) == 1 and "Der_Pseudo_NHS_Number" in found[0], found
