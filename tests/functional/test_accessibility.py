"""Every built page in a real browser, and every page's words, as a reader meets them.

- In headless Chromium (Debian's ``/usr/bin/chromium``; browser downloads are impossible
  here) driven by Playwright, in light and dark colour schemes at 1280 and 320 px wide
  (each page loaded once, at 1280 px, then narrowed to 320 px: laid out again, not
  loaded again, :func:`show_width`; axe-core given to the browser context once as an
  init script that each loaded page runs, the scheme
  switched by emulating ``prefers-color-scheme``, which the theme follows; the switch
  is asserted):
  every page loads without a script error, no internal link is broken (checked once),
  axe-core (``axe-playwright-python``) finds no violation of any impact against WCAG
  2.0/2.1 A/AA, 2.2 AA and axe's best-practice rules (all of them in the light scheme;
  in the dark one the rules that can differ there: those axe tags ``cat.color``
  (``color-contrast``, ``link-in-text-block``), those that measure boxes
  (``target-size``, ``scrollable-region-focusable``, ``avoid-inline-spacing``: the
  theme pads outputs in dark),
  and all of them on a page where any element's visibility or any table's data/layout
  reading, as axe computes them, differs from the light scheme's; the other rules read
  only the document and those, so their results cannot differ: see
  :func:`axe_violations_in_each_scheme`), nothing scrolls sideways at 320 px
  (WCAG 1.4.10 reflow) nor is any table cell's right edge (tables stack as
  "header: value" lines), and every control reached by Tab shows a focus ring (2.4.7).
  The 1280 px pass also measures that no table scrolls sideways in its box from 600 to
  1280 px (:mod:`table_fit`), on each page as loaded there, in the light scheme: until
  wave 43 ``test_table_fit.py`` loaded every page of the series again for it (51 s in
  the CI run); it still measures the small build's pages.
- From the built HTML alone: ``lang="en-GB"``, a unique ``<title>`` per page, and no
  page shows a Python repr (a list "['A06']" too), "nan", "None", "inf", an estimator's
  "infinity" or an empty section.

Set ``LIFETOOLS_BUILT_SITE`` to a built ``public/site`` folder to check it without
building the project copy again, and ``LIFETOOLS_SCREENSHOTS`` to a folder to keep the
screenshots of the landing page and a report (1280 and 390 px wide).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import urllib.parse
from pathlib import Path
from typing import Any, NamedTuple

import pydata_sphinx_theme
import pytest
from figure_text import assert_phone_figures, measure_figures
from page_words import (  # LEAKS: also tests/unit/test_reason_texts.py
    LEAKS,
    reason_counts,
    repeated_cell_reasons,
    risk_cells_as_proportions,
    withheld_reasons,
)
from served import served
from table_fit import DESKTOP_PX, tables_too_wide_at_each_width

from lifetools.plots.theme import NARROW_FIGURE_PX, NARROW_PX

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_TIMEOUT_MS = 300_000
"""Playwright's waits (launch, load, functions): its default 30 s is exceeded on a busy
2-core machine."""
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("minor", "moderate", "serious", "critical")  # every impact: the site has 0


@pytest.fixture(scope="module")
def server(site):
    with served(site) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does)"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                      timeout=BROWSER_TIMEOUT_MS)
        yield launched
        launched.close()


def _new_context(browser, **options):
    """A browser context whose waits allow :data:`BROWSER_TIMEOUT_MS`."""
    context = browser.new_context(**options)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    return context


def pages(site: Path) -> list[str]:
    skip = ("_static", "_sources", "genindex", "search", "_extra")
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not any(part.startswith(skip) for part in p.relative_to(site).parts)
                  and p.name not in ("genindex.html", "search.html"))


def is_report_page(name: str) -> bool:
    """A report page of an edition (``editions/<edition>/<report>.html``)."""
    parts = name.split("/")
    return (len(parts) == 3 and parts[0] == "editions"
            and parts[2] not in ("index.html", "record.html"))


def report_page(site: Path) -> str:
    reports = sorted((p for p in pages(site) if p.startswith("editions/")
                      and not p.endswith("index.html")), reverse=True)  # newest first
    return next((p for p in reports if "time_to_discharge" in p), reports[0])


def broken_links(page, server: str, site: Path, name: str) -> set[str]:
    broken = set()
    for href in page.eval_on_selector_all(
            "a[href]", "els => els.map(e => e.getAttribute('href'))"):
        target = urllib.parse.urlparse(urllib.parse.urljoin(f"{server}/{name}", href))
        if target.netloc != urllib.parse.urlparse(server).netloc:
            continue
        path = site / urllib.parse.unquote(target.path.lstrip("/"))
        if path.is_dir():
            path = path / "index.html"
        if not path.exists():
            broken.add(f"{name} -> {href}")
    return broken


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && getComputedStyle(e).position !== 'fixed'
      && !e.closest('.bd-sidebar-primary, .bd-sidebar-secondary, [aria-hidden=true]');
  }).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''));
  return {scroll: document.documentElement.scrollWidth, width: width, wide: wide};
}"""


#: Table cells a reader sees (body cells, and the head of a table that does not stack)
#: whose right edge is beyond the viewport: a column off-screen even when the table
#: scrolls inside its own box (so the page-level overflow check does not see it).
CELLS_OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll(
      '.bd-article td, .bd-article tbody th, .bd-article table:not(.lifetools-stacked) th')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
    .slice(0, 3).map(e => e.textContent.trim().slice(0, 30));
}"""


#: After the colour scheme changes: two frames (the theme's listener sets ``data-theme``
#: and the styles are recomputed), then every finite animation and transition finished
#: at once (``Animation.finish``: its end state, the colours it ends on, without waiting
#: out its duration), so axe measures the final colours. Returns the theme the page shows.
SETTLE = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  for (const a of document.getAnimations()) {
    // an animation that cannot finish (playback rate 0) is left as it is
    try {
      if (a.effect && a.effect.getComputedTiming().endTime !== Infinity) a.finish();
    } catch (e) { if (e.name !== 'InvalidStateError') throw e; }
  }
  return document.documentElement.dataset.theme || null;
}"""
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG},
               # passes and inapplicable rules are not serialised: only violations
               # are read (about 40% of axe's time on these pages, measured)
               "resultTypes": ["violations"]}

GEOMETRY_RULES = ("target-size", "scrollable-region-focusable", "avoid-inline-spacing")
"""axe rules of :data:`WCAG` besides the colour ones that measure boxes (a target's size
and spacing; whether a region scrolls; whether text with an inline line height wraps):
the dark scheme pads the theme's HTML outputs (``lifetools.css``), so they can differ
there and run in both schemes."""

#: The rules run again in the second scheme: those axe tags ``cat.color`` (colour
#: contrast, links told apart from text by colour) and :data:`GEOMETRY_RULES`.
SCHEME_RULES = """([tags, geometry]) => axe.getRules()
  .filter(r => r.tags.some(t => tags.includes(t)))
  .filter(r => r.tags.includes('cat.color') || geometry.includes(r.ruleId))
  .map(r => r.ruleId)"""

#: What the rest of axe's rules read from the styles (first read in axe-core 4.11's
#: sources, then in 4.12.1's, the version that runs here: :data:`REVIEWED_AXE`; text-node
#: clipping and frames are not compared, the series has no frames), as axe computes it: whether a modal dialog covers the page, and per element
#: whether it is shown on screen (display, visibility, opacity, clipping, off-screen,
#: scrolled or overflowed away) and to screen readers, and for a table whether axe takes
#: it for a data table (a table wider than 95% of the window is a layout table).
AXE_SEES = """() => {
  const root = axe.setup(document);
  try {
    const {dom, table} = axe.commons;
    return (dom.isModalOpen() ? 'M' : 'm') + axe.utils.querySelectorAll(root, '*').map(v =>
      // shown on screen, a screen reader's view is the document's (aria-hidden)
      (dom.isVisibleOnScreen(v) ? 'v' : dom.isVisibleToScreenReaders(v) ? 'r' : '-')
      + (v.props.nodeName === 'table' ? (table.isDataTable(v.actualNode) ? 'd' : 'l') : '')
    ).join('');
  } finally { axe.teardown(); }
}"""


REVIEWED_AXE = "4.12."
"""The axe-core release whose rules :data:`AXE_SEES` and :data:`GEOMETRY_RULES` were
reviewed against (wave 48: only visibility, modals, data tables and the three geometry
rules read styles besides the colour rules): another release fails the audit until its
rules are reviewed again, since a new rule reading another style would be skipped in
the second scheme unseen."""


def show_scheme(page, scheme: str) -> None:
    """Show the loaded ``page`` in ``scheme``, its transitions finished; asserted.

    The page is loaded once per width and audited in both colour schemes by emulating
    ``prefers-color-scheme`` (the theme follows it through a media-query listener);
    the theme the page then shows is asserted, so a switch that did not happen fails
    instead of auditing the same colours twice.
    """
    page.emulate_media(color_scheme=scheme)
    shown = page.evaluate(SETTLE)
    assert shown == scheme, f"{page.url}: asked for {scheme}, the page shows {shown}"


def axe_violations(page, scheme: str, options: dict = AXE_OPTIONS) -> list[dict]:
    """Show ``page`` in ``scheme`` and return axe's violations there (every rule of
    :data:`WCAG`, or those ``options`` name)."""
    show_scheme(page, scheme)
    return page.evaluate("options => axe.run(document, options)", options)["violations"]


def axe_violations_in_each_scheme(page, schemes=("light", "dark")):
    """Yield ``(scheme, violations)`` for the loaded ``page`` in each of ``schemes``,
    left showing the scheme just yielded (the caller measures more there).

    Every rule of :data:`WCAG` runs in the first scheme. In the others the colour rules
    (tagged ``cat.color``) and :data:`GEOMETRY_RULES` run again, and every rule when
    what the other rules read from the styles (:data:`AXE_SEES`) differs from the first
    scheme's: those read the document, in which a scheme changes only ``data-theme``
    (read by no rule), and the styles only through what ``AXE_SEES`` records, so their
    results cannot change unseen. (The dark scheme's styles change colours,
    backgrounds, filters, padding and corners, and which of a light or dark image is
    shown.) Measured on the series' pages, ``color-contrast`` is about 70% of axe's
    time: the others are about 30% of a full run, saved in the second scheme.
    """
    seen, again = None, None
    for scheme in schemes:
        if seen is None:
            version = page.evaluate("() => axe.version")
            assert version.startswith(REVIEWED_AXE), (
                f"axe-core {version}: review its rules for AXE_SEES, then REVIEWED_AXE")
            violations = axe_violations(page, scheme)
            seen = page.evaluate(AXE_SEES)
            rules = page.evaluate(SCHEME_RULES, [WCAG, list(GEOMETRY_RULES)])
            assert {"color-contrast", "link-in-text-block", *GEOMETRY_RULES} <= set(rules)
            again = {"runOnly": {"type": "rule", "values": rules},
                     "resultTypes": ["violations"]}
        else:
            show_scheme(page, scheme)
            options = again if page.evaluate(AXE_SEES) == seen else AXE_OPTIONS
            violations = page.evaluate("options => axe.run(document, options)",
                                       options)["violations"]
        yield scheme, violations


AUDITED_WIDTHS = (DESKTOP_PX, NARROW_PX)
"""The widths each page is audited at, in this order: loaded at the first, then narrowed
(:func:`show_width`)."""

THEME_RESIZE_MS = 300
"""How long the theme's script waits after a window's last resize before it updates the
page (pydata-sphinx-theme's handlers are debounced by 300 ms: whether a scrollable region
can take the keyboard focus, ``tabindex``, which ``scrollable-region-focusable`` reads; the
contents' scroll spy)."""

#: Before a resize: a promise of the window's next ``resize`` event, which the theme's
#: debounced handlers are timed from (it fires at the next frame after the viewport
#: changes, late on a busy machine).
AWAIT_RESIZE = """() => { window.__lifetoolsResized = new Promise(r =>
  addEventListener('resize', r, {once: true})); }"""

#: After a resize: the ``resize`` event seen (:data:`AWAIT_RESIZE`), the theme's debounced
#: resize handlers run (:data:`THEME_RESIZE_MS` after it, and a frame), then every image
#: the narrower layout chose (a figure's narrow rendering, a ``<picture>`` source) is
#: loaded, so its ``currentSrc`` and box are the final ones.
RESIZED = """async ms => {
  await window.__lifetoolsResized;
  await new Promise(r => setTimeout(r, ms));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  await Promise.all([...document.images].filter(i => !i.complete).map(i =>
    new Promise(r => { i.addEventListener('load', r, {once: true});
                       i.addEventListener('error', r, {once: true}); })));
}"""


def show_width(page, width: int) -> None:
    """Lay the loaded ``page`` out again ``width`` px wide, as a page loaded there is
    (the theme's resize handlers run, the images chosen there loaded); asserted.

    The audit loads each page once, at :data:`DESKTOP_PX`, and narrows it: until
    wave 52 each page was loaded again at 320 px in a second context, which cost the
    load and axe's first run in a new document (about 1.7 times a later run's CPU).
    The stylesheets' media queries follow the viewport as they do at a load, and a page
    narrowed so was measured to give axe the same results, node for node, in both
    schemes, as the page loaded at 320 px, and the same reflow and figure measures
    (13 pages: README, wave 52).
    """
    assert page.viewport_size["width"] != width, f"{page.url} is already {width} px wide"
    page.evaluate(AWAIT_RESIZE)
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate(RESIZED, THEME_RESIZE_MS * 4 // 3)
    shown = page.evaluate("() => document.documentElement.clientWidth")
    assert shown == width, f"{page.url}: asked for {width} px, the page is {shown} px wide"


def test_every_page_in_browser_axe_clean_and_reflows(site, server, browser):
    """Each page loaded once, at 1280 px, and audited in the light and the dark scheme,
    its tables measured from 1280 to 600 px in the light scheme; then narrowed to 320 px
    (:func:`show_width`) and audited in both schemes again."""
    from axe_playwright_python.sync_playwright import Axe

    script, checked = Axe().axe_script, pages(site)
    assert len(checked) > 20
    tables, too_wide = 0, []
    context = _new_context(browser, color_scheme="light",
                           viewport={"width": DESKTOP_PX, "height": 900})
    # axe-core in every document the context loads, sent to Chromium once (it was
    # evaluated from here after each load: its 570 kB sent through the driver 77 times)
    context.add_init_script(script)
    page = context.new_page()
    errors, broken, failures, minor, overflow = [], set(), [], [], []
    figures: dict[str, tuple[float, float, str]] = {}
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for name in checked:
        # the last page was left narrowed: widened before the next loads (its old
        # document laid out once more, as the table fit lays a page out at each width)
        page.set_viewport_size({"width": DESKTOP_PX, "height": 900})
        response = page.goto(f"{server}/{name}", wait_until="load")
        assert response is not None and response.status == 200, name
        broken |= broken_links(page, server, site, name)
        for width in AUDITED_WIDTHS:
            if width != DESKTOP_PX:
                show_width(page, width)
            audit_at_width(page, name, width, figures, overflow, failures, minor)
            if width == DESKTOP_PX:  # as test_table_fit.py measures them: in the
                # light scheme (the theme pads HTML outputs in dark), from 1280 px
                show_scheme(page, "light")
                counted, found = tables_too_wide_at_each_width(page, name)
                tables, too_wide = tables + counted, too_wide + found
    context.close()
    if minor:
        print(f"{len(minor)} minor or moderate violations:\n" + "\n".join(minor[:30]))
    assert not errors, errors
    assert not broken, sorted(broken)[:20]
    assert not overflow, "scrolls sideways:\n" + "\n".join(overflow[:30])
    assert not failures, "\n".join(failures[:30])
    # both editions' pages, the comparison, the written pages
    assert (site / "editions" / "2023-24").is_dir()
    assert (site / "editions" / "2024-25").is_dir()
    assert tables > 100
    assert not too_wide, "tables scroll sideways:\n" + "\n".join(too_wide)
    # every figure's text at 320 px (test_figures_on_a_phone.py)
    assert_phone_figures(figures, NARROW_FIGURE_PX, narrow=True)


def audit_at_width(page, name: str, width: int, figures: dict, overflow: list[str],
                   failures: list[str], minor: list[str]) -> None:
    """Audit the loaded ``page`` (``name``), shown ``width`` px wide, in each scheme: axe
    (:func:`axe_violations_in_each_scheme`), and at 320 px the reflow and the figures'
    text; what is found is added to ``figures``, ``overflow``, ``failures``, ``minor``."""
    for scheme, violations in axe_violations_in_each_scheme(page):
        if width == NARROW_PX and is_report_page(name):
            figures.update(measure_figures(page, f"{scheme} {name}"))
        if width <= 320:
            measured = page.evaluate(OVERFLOW)
            if measured["scroll"] > measured["width"]:
                overflow.append(f"{scheme}-{width} {name}: {measured['scroll']} px "
                                f"wide at {measured['width']} px "
                                f"({', '.join(measured['wide'])})")
            cut = page.evaluate(CELLS_OFF_SCREEN)
            if cut:
                overflow.append(f"{scheme}-{width} {name}: table cells beyond the "
                                f"viewport ({', '.join(cut)})")
        for violation in violations:
            line = (f"{scheme}-{width} {name}: {violation['id']} "
                    f"({violation['impact']}): {violation['help']} "
                    f"[{len(violation['nodes'])} nodes]")
            (failures if violation["impact"] in BLOCKING else minor).append(line)


FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
    || (s.boxShadow && s.boxShadow !== 'none');
  const r = e.getBoundingClientRect();
  return {name: e.tagName.toLowerCase() + ' ' + (e.getAttribute('aria-label')
    || e.textContent || '').trim().slice(0, 40), ring: ring, shown: r.width > 0};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_every_control_shows_visible_focus(site, server, browser, scheme):
    context = _new_context(browser, color_scheme=scheme,
                                    viewport={"width": 1280, "height": 900})
    page = context.new_page()
    missing = []
    for name in ("index.html", report_page(site)):
        page.goto(f"{server}/{name}", wait_until="load")
        for _ in range(40):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS)
            if focused and focused["shown"] and not focused["ring"]:
                missing.append(f"{name}: {focused['name']}")
    context.close()
    assert not missing, "no visible focus:\n" + "\n".join(sorted(set(missing)))


THEME_CSS = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
             / "static" / "styles" / "pydata-sphinx-theme.css")


@pytest.mark.parametrize("width", [DESKTOP_PX, NARROW_PX])
def test_purged_theme_stylesheet_draws_pages_as_the_themes_own(site, server, browser,
                                                                width):
    """The site's purged theme stylesheet (``pipeline.weight.purge_stylesheet``) draws
    the pages pixel for pixel as the theme's own, in both schemes: the landing page, a
    report, a data dictionary page and the methods page (within :data:`MAX_CHANGED`;
    the search field masked: its border's anti-aliasing differs from load to load
    whichever stylesheet is used). Each page is loaded afresh in each scheme and width:
    drawn after a switch of scheme in a loaded page (wave 52's try, 8 loads instead of
    32), a report page's dark draw differed by 27% of its pixels between the two
    stylesheets once in CI, a draw not yet settled."""
    own = THEME_CSS.read_bytes()
    assert (site / "_static" / "styles" / THEME_CSS.name).read_bytes() != own
    names = ["index.html", report_page(site), "data/referrals.html", "methods/index.html"]
    different, served_own = [], []
    for scheme in ("light", "dark"):
        shots = {}
        for stylesheet in ("purged", "own"):
            context = _new_context(browser, color_scheme=scheme,
                                   viewport={"width": width, "height": 900})
            if stylesheet == "own":
                def serve_own(route):
                    served_own.append(route.request.url)
                    route.fulfill(body=own, content_type="text/css")
                context.route(f"**/{THEME_CSS.name}*", serve_own)
            page = context.new_page()
            for name in names:
                page.goto(f"{server}/{name}", wait_until="load")
                page.wait_for_function(
                    f"document.documentElement.dataset.theme === '{scheme}'")
                shots[stylesheet, name] = page.screenshot(
                    full_page=True, animations="disabled",
                    mask=[page.locator(".search-button-field")])
            context.close()
        for name in names:
            changed = pixels_changed(shots["purged", name], shots["own", name])
            if changed > MAX_CHANGED:
                different.append(f"{scheme}-{width} {name}: {changed:.4%} of the pixels")
    assert len(served_own) >= len(names) * 2  # the own stylesheet was drawn with
    assert not different, different


MAX_CHANGED = 0.0005
"""Share of a page's pixels two loads of it may draw differently: Chromium's
anti-aliasing of a glyph or a border varies from load to load with the same stylesheet
(up to 0.011% of a method page's pixels, a row of a code block, seen in 2026-12-06's
comparison of 25 pages). A rule lost from the stylesheet changes far more: the dark
scheme's dimming of figures 2.4% of a report page, a lost margin the page's size."""


def pixels_changed(one: bytes, other: bytes) -> float:
    """Share of the pixels that differ between two screenshots (1.0 if their sizes do)."""
    from PIL import Image, ImageChops

    first, second = (Image.open(io.BytesIO(shot)).convert("RGB") for shot in (one, other))
    if first.size != second.size:
        return 1.0
    diff = ImageChops.difference(first, second).convert("L")
    return 1 - diff.histogram()[0] / (first.size[0] * first.size[1])


def test_screenshots_of_landing_and_a_report(site, server, browser, tmp_path):
    folder = Path(os.environ.get("LIFETOOLS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    taken = []
    for width, height in ((1280, 900), (390, 844)):
        context = _new_context(browser, viewport={"width": width, "height": height})
        page = context.new_page()
        for name, stem in (("index.html", "landing"), (report_page(site), "report")):
            page.goto(f"{server}/{name}", wait_until="load")
            target = folder / f"{stem}-{width}.png"
            page.screenshot(path=str(target), full_page=False)
            taken.append(target)
        context.close()
    assert all(p.stat().st_size > 10_000 for p in taken)


def main_part(html: str, *, prose_only: bool):
    """The page's main content; with ``prose_only``, without code and scripts."""
    from bs4 import BeautifulSoup

    return main_of(BeautifulSoup(html, "html.parser"), prose_only=prose_only)


def main_of(soup, *, prose_only: bool):
    """The main content of the parsed page ``soup``, its scripts and styles removed
    (and with ``prose_only`` its code): changes ``soup`` inside its main part only."""
    main = soup.find("main") or soup.body or soup
    for element in main.find_all(["script", "style"]):
        element.decompose()
    if prose_only:
        for element in main.find_all(["pre", "code", "kbd"]):
            element.decompose()
    return main


class ParsedPage(NamedTuple):
    """One page as the page tests read it: its ``document`` (the whole page, its
    ``<html>`` and ``<title>``, except that the scripts and styles of its main part are
    removed: ``main`` is made from it, in place), its ``main`` part (:func:`main_of`,
    without scripts and styles) and its ``prose`` (the main part of a second parse,
    without code either: ``main_part(html, prose_only=True)``)."""

    document: Any
    main: Any
    prose: Any


class ParsedPages:
    """Each page of ``site`` parsed when first read, once for the module's page tests.

    The four tests of every page's words each parsed every page again, one of them four
    times (about six ``html.parser`` parses of each page in all): each page is parsed
    twice now, the whole document with its main part, and its prose. Read only: the
    tests and ``page_words``' helpers only find and read in them (one that changed a
    part would change what the next test reads).
    """

    def __init__(self, site: Path) -> None:
        self.site, self._parsed = site, {}

    def __getitem__(self, name: str) -> ParsedPage:
        from bs4 import BeautifulSoup

        if name not in self._parsed:
            html = (self.site / name).read_text(encoding="utf-8")
            document = BeautifulSoup(html, "html.parser")
            self._parsed[name] = ParsedPage(document, main_of(document, prose_only=False),
                                            main_part(html, prose_only=True))
        return self._parsed[name]


@pytest.fixture(scope="module")
def parsed(site) -> ParsedPages:
    """The pages of ``site``, each parsed once for this module (:class:`ParsedPages`)."""
    return ParsedPages(site)


def empty_sections(main) -> list[str]:
    """Headings of sections with nothing under them (no text, image, table or code)."""
    empty = []
    for section in main.find_all("section"):
        heading = section.find(re.compile(r"^h[1-6]$"))
        body = section.get_text(" ", strip=True)
        if heading is not None:
            body = body.replace(heading.get_text(" ", strip=True), "", 1)
        if not body.replace("#", "").strip() and not section.find(
                ["img", "table", "figure", "svg", "pre"]):
            empty.append(heading.get_text(strip=True) if heading else section.get("id"))
    return empty


def test_every_page_lang_en_gb_and_unique_title(site, parsed):
    titles: dict[str, list[str]] = {}
    for name in pages(site):
        soup = parsed[name].document
        assert soup.html.get("lang") == "en-GB", name
        titles.setdefault(soup.title.get_text(strip=True), []).append(name)
    repeated = {t: n for t, n in titles.items() if len(n) > 1}
    assert not repeated, repeated


WRITTEN_PAGES = ("methods/", "reference/")
"""The pages written by hand, not generated from results: the methods pages and the
developer reference pages (the disclosure-control internals and the methods' tests,
which quote "nan (nan to nan)" and "0.00 (0.00 to inf)" as what the checks refuse,
moved there from the methods pages in wave 41). The command line's reference page is
made from its help text and skipped whole."""


def test_no_page_shows_a_repr_missing_value_or_empty_section(site, parsed):
    problems = []
    for name in pages(site):
        if name.startswith("reference/cli"):
            continue  # generated from the command line's own help text
        page = parsed[name]
        text = page.prose.get_text(" ", strip=True)
        # methods pages, and the developer reference pages written beside them, are
        # written prose that may name NaN or None on purpose; the leaked-value check is
        # for the pages generated from results
        written = name.startswith(WRITTEN_PAGES)
        for what, pattern in ({} if written else LEAKS).items():
            for match in pattern.finditer(text):
                around = text[max(match.start() - 40, 0):match.end() + 40]
                problems.append(f"{name}: {what}: ...{around}...")
        problems += [f"{name}: empty section {heading}"
                     for heading in empty_sections(page.main)]
        # a left-out value is a symbol ([c], [x]) with its reason once, in the note
        problems += [f"{name}: reason repeated in a table's cells: {found}"
                     for found in ([] if written else repeated_cell_reasons(page.main))]
        # a risk in a table reads in per cent, as in the page's sentences (wave 41)
        problems += [f"{name}: a risk as a bare proportion in a table: {found}"
                     for found in ([] if written else
                                   risk_cells_as_proportions(page.main))]
    assert not problems, "\n".join(problems[:40])


def test_every_report_page_states_each_withheld_reason_at_most_once(site, parsed):
    # the crisis page gave its withheld model's reason in the main point and again in
    # the summary; the wellbeing page one reason three times (issue 15, wave 23); the
    # re-referral page "too few events in total" 7 times and the discharge page the
    # landmark's reason 5 times, on every edition, until wave 25 (they were left out of
    # this check until then): a reason is said once per page, elsewhere "(the reason is
    # given below)", "for the same reason" or "the reasons are given above" (until
    # wave 33 "given once, at the start of this page"); read from the report's own
    # results.json beside its page
    import json

    problems, checked = [], 0
    for name in pages(site):
        if not is_report_page(name):
            continue
        results_file = site / name.removesuffix(".html") / "results.json"
        if not results_file.exists():
            continue
        reasons = withheld_reasons(json.loads(results_file.read_text(encoding="utf-8")))
        text = parsed[name].prose.get_text(" ", strip=True)
        counts = reason_counts(text, reasons)
        checked += len(counts)
        problems += [f"{name}: said {n} times: {reason[:120]}"
                     for reason, n in counts.items() if n > 1]
    assert not problems, "\n".join(problems)
    assert checked, "no report page states a withheld reason: nothing was checked"


def test_no_report_page_names_a_python_error_or_warning_class(site, parsed):
    # the 2024-25 discharge page at 3,000 people said "fit failed: LinAlgError:
    # Singular matrix" in its fit notes (issue 15, wave 26): a public reader gets plain
    # words (narrative.plain_library_error); the methods and reference pages, for
    # analysts, may name the classes
    problems, checked = [], 0
    for name in pages(site):
        if not is_report_page(name):
            continue
        checked += 1
        text = parsed[name].main.get_text(" ", strip=True)
        problems += [f"{name}: {m.group(0)}" for m in
                     re.finditer(r"\b[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b", text)]
    assert not problems, "\n".join(problems)
    assert checked, "no report page was read"


def test_withheld_reasons_counted_once_whatever_the_quotes_and_spacing():
    results = {"c": {"text": "too few events to estimate (too few events among 'not "
                             "female'; 'Life Rooms use')"},
               "why": {"text": "The numbers of the model are not shown on this page: "
                               "too few events among 'not female'; 'Life Rooms use'."},
               "share": {"text": "The share is not shown: hidden to protect privacy."},
               # a withheld key result's headline heads each note's entry: no reason
               # of its own (wave 33: the re-referral share's "not shown (...)")
               "cif": {"text": "not shown (too few events to estimate)"}}
    reasons = withheld_reasons(results)
    assert reasons == {"too few events among 'not female'; 'Life Rooms use'"}
    page = ("Main point. The C-statistic is not shown in this edition: too few events "
            "among \u2018not female\u2019; \u2018Life Rooms use\u2019 . What we found. The "
            "numbers are not shown: too few events among 'not female';\n'Life Rooms use'.")
    assert list(reason_counts(page, reasons).values()) == [2]


@pytest.mark.parametrize(("text", "found"), [
    ("(2, 635) people", "tuple"), ("hazard ratio nan (nan to nan)", "nan"),
    ("1.00 (0.00 to inf)", "inf"), ("value: None.", "None"),
    ("<lifetools.survival.CoxResult object at 0x7f>", "repr"),
    ("team_types = ['A06']", "repr"),
    ("separated: too few events (its coefficient runs to minus infinity)", "infinity"),
    ("its coefficient may be infinite", "infinity"),
    ("None of the people; 2,635 people; 1.19 (0.83 to 1.71); infant; Nancy; "
     "team_types = A06; [c]; [x]", None)])
def test_leak_patterns_known_text_found_or_not(text, found):
    hits = {what for what, pattern in LEAKS.items() if pattern.search(text)}
    assert hits == ({found} if found else set())


def test_repeated_cell_reasons_found_in_a_table_not_in_its_note():
    html = ("<main><table><caption>Fairness</caption><tr><td>Men</td>"
            "<td>suppressed: too few</td><td>suppressed: too few</td></tr></table>"
            "<table><caption>Risk</caption><tr><td>[c]</td><td>[c]</td></tr></table>"
            "<p>An estimate shown as [c] is not shown because its group has too few "
            "people. A value is hidden to protect privacy.</p>"
            "<table><caption>One</caption><tr><td>not shown (too few events)</td>"
            "<td>1.19</td></tr></table>"
            "<table><caption>Checklist</caption><tr><td>What was found (too few events "
            "to estimate)</td><td>could not be estimated: the fit failed</td></tr>"
            "<tr><td>Results (too few events to estimate)</td><td>could not be estimated: "
            "the fit failed</td></tr></table></main>")
    assert repeated_cell_reasons(main_part(html, prose_only=False)) == [
        "Fairness: 'suppressed: too few' (2 cells)"]
    # a release check's reasons alone, its headline's count said once (wave 38)
    alone = ("<main><table><caption>Models</caption><tr><td>too few events among people "
             "aged 65 or over</td><td>too few events in total</td></tr></table></main>")
    assert repeated_cell_reasons(main_part(alone, prose_only=False)) == [
        "Models: 'too few events among people aged 65 or over' (2 cells)"]


def test_risk_cells_as_proportions_found_under_a_risk_not_beside_other_measures():
    # the crisis page's tables (30,000 people) until wave 41: thresholds "0.10", the
    # risk groups "0.245 (0.224 to 0.267)", the mean predicted risk's row
    html = ("<main><table><caption>Net benefit</caption><tr><th>Risk threshold</th>"
            "<th>Good done less harm done if everyone is treated (net benefit: treat "
            "everyone)</th></tr><tr><td>0.10</td><td>0.21</td></tr></table>"
            "<table><caption>Groups</caption><tr><th>Group</th><th>Predicted 12-month "
            "risk of crisis (95% CI)</th></tr><tr><td>Everyone</td>"
            "<td>0.245 (0.224 to 0.267)</td></tr><tr><td>First</td><td>24.5% (22.4% to "
            "26.7%)</td></tr></table>"
            "<table><caption>Fine-Gray</caption><tr><th>Measure</th><th>Fine-Gray</th>"
            "</tr><tr><td>Mean predicted 12-month risk</td><td>0.245 (0.2 to 0.3)</td></tr>"
            "<tr><td>The average squared gap between each predicted risk and what "
            "happened (Brier score)</td><td>0.171 (0.160 to 0.182)</td></tr>"
            "<tr><td>How well the model ranks people by risk (C-statistic)</td>"
            "<td>0.712</td></tr></table>"
            # the CI's 12,000-person build (wave 41): the other measures' rows under a
            # column "predicting the 12-month cumulative incidence" read as risks
            "<table><caption>Both models</caption><tr><th>Measure</th><th>Fine-Gray "
            "model, predicting the 12-month cumulative incidence (95% CI)</th></tr>"
            "<tr><td>How well the model ranks people by risk (C-statistic)</td>"
            "<td>0.809 (0.758 to 0.851)</td></tr><tr><td>Whether the predicted risks are "
            "spread out too much or too little (calibration slope)</td>"
            "<td>0.957 (0.766 to 1.148)</td></tr><tr><td>The average squared gap "
            "between each predicted risk and what happened (Brier score)</td>"
            "<td>0.153 (0.131 to 0.178)</td></tr><tr><td>How many crises there were for "
            "each one the model predicted (observed / expected events)</td>"
            "<td>0.918 (0.813 to 1.036)</td></tr><tr><td>Mean predicted 12-month "
            "risk</td><td>0.263 (0.247 to 0.278)</td></tr></table></main>")
    assert risk_cells_as_proportions(main_part(html, prose_only=False)) == [
        "Net benefit: 0.10", "Groups: 0.245 (0.224 to 0.267)",
        "Fine-Gray: 0.245 (0.2 to 0.3)", "Both models: 0.263 (0.247 to 0.278)"]


def test_empty_sections_heading_without_content_is_found():
    html = ("<main><section><h2>Equity</h2></section><section><h2>Code</h2><pre>x</pre>"
            "</section><section><h2>Text</h2><p>words</p></section></main>")
    assert empty_sections(main_part(html, prose_only=False)) == ["Equity"]


THEMED = """<!doctype html><html lang="en-GB"><head><title>Themed</title><style>
html[data-theme=light] p { color: #111; background: #fff; }
html[data-theme=dark] p { color: #333; background: #000; }
p { transition: color 0.4s, background-color 0.4s; }
</style><script>
const q = matchMedia('(prefers-color-scheme: dark)');
const set = () => { document.documentElement.dataset.theme = q.matches ? 'dark' : 'light'; };
set(); q.addEventListener('change', set);
</script></head><body><main><h1>Themed</h1><p>Words in the dark scheme only
are too faint to read.</p></main></body></html>"""


def audit_both_schemes(browser, html: str) -> dict[str, set[str]]:
    """The ids of axe's violations on the page ``html`` in each scheme, audited as the
    series' pages are (:func:`axe_violations_in_each_scheme`)."""
    from axe_playwright_python.sync_playwright import Axe

    context = _new_context(browser, color_scheme="light")
    page = context.new_page()
    page.set_content(html)
    page.evaluate(Axe().axe_script)
    found = {scheme: {v["id"] for v in violations}
             for scheme, violations in axe_violations_in_each_scheme(page)}
    context.close()
    return found


def test_axe_violations_contrast_failing_only_in_dark_is_found_after_the_switch(browser):
    # the page follows prefers-color-scheme through a listener and fades its colours,
    # as the site's theme does: the switched page, once settled, is what axe audits
    found = audit_both_schemes(browser, THEMED)
    assert "color-contrast" not in found["light"]
    assert "color-contrast" in found["dark"]


def themed(style: str, body: str) -> str:
    """:data:`THEMED` with its style and its main part's content replaced."""
    head, rest = THEMED.split("<style>", 1)
    rest = rest.split("</style>", 1)[1]
    return (head + "<style>" + style + "</style>" + rest.split("<main>")[0]
            + "<main><h1>Themed</h1>" + body + "</main></body></html>")


PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
         "nGP4//8/AwAI/AL+hc2rNAAAAABJRU5ErkJggg==")


def test_axe_violations_image_without_alt_shown_only_in_dark_is_found(browser):
    # not a colour rule: found only because what the other rules read (an element shown
    # or hidden) differs between the schemes, so every rule runs again in the dark one
    style = """img { display: none; width: 40px; }
    html[data-theme=dark] img { display: inline; }"""
    found = audit_both_schemes(browser, themed(style, f'<p>Words</p><img src="{PIXEL}">'))
    assert "image-alt" not in found["light"]
    assert "image-alt" in found["dark"]


def test_axe_violations_targets_too_small_only_in_dark_are_found(browser):
    # a style of the dark scheme alone changes the buttons' boxes (as the theme pads its
    # HTML outputs there), to under 24 px with no spacing: a geometry rule, run again
    style = """button { width: 30px; height: 30px; margin: 0; padding: 0; border: 0; }
    html[data-theme=dark] button { width: 12px; height: 12px; }"""
    buttons = "".join(f'<button aria-label="{n}">{n}</button>' for n in ("1", "2", "3"))
    found = audit_both_schemes(browser, themed(style, f"<p>{buttons}</p>"))
    assert "target-size" not in found["light"]
    assert "target-size" in found["dark"]


def audit_each_width(browser, html: str) -> dict[str, set[str]]:
    """The ids of axe's violations on the page ``html`` at each width and scheme
    (``"320 dark"``), audited as the series' pages are: set at 1280 px, audited in both
    schemes (:func:`axe_violations_in_each_scheme`), narrowed (:func:`show_width`) and
    audited again."""
    from axe_playwright_python.sync_playwright import Axe

    context = _new_context(browser, color_scheme="light",
                           viewport={"width": DESKTOP_PX, "height": 900})
    page = context.new_page()
    page.set_content(html)
    page.evaluate(Axe().axe_script)
    found = {}
    for width in AUDITED_WIDTHS:
        if width != DESKTOP_PX:
            show_width(page, width)
        found |= {f"{width} {scheme}": {v["id"] for v in violations}
                  for scheme, violations in axe_violations_in_each_scheme(page)}
    context.close()
    return found


def test_axe_violations_only_at_320_px_are_found_in_the_narrowed_page(browser):
    # the page is loaded at 1280 px and narrowed, not loaded again: a phone's media
    # query that shrinks the buttons (a geometry rule) and shows an image without alt
    # text (a rule reading only the document and what is shown) is followed
    style = """button { width: 30px; height: 30px; margin: 0; padding: 0; border: 0; }
    img { display: none; width: 40px; }
    @media (max-width: 400px) { button { width: 12px; height: 12px; }
                                img { display: inline; } }"""
    buttons = "".join(f'<button aria-label="{n}">{n}</button>' for n in ("1", "2", "3"))
    found = audit_each_width(browser, themed(style, f'<p>{buttons}</p><img src="{PIXEL}">'))
    for wide in ("1280 light", "1280 dark"):
        assert not {"target-size", "image-alt"} & found[wide], found
    # every rule at 320 px in the first scheme; in the second the geometry rules (what
    # else is shown is the first scheme's: image-alt's result cannot differ there)
    assert {"target-size", "image-alt"} <= found["320 light"], found
    assert "target-size" in found["320 dark"], found


def test_theme_debounces_its_resize_handlers_by_at_most_the_awaited_time():
    # show_width waits THEME_RESIZE_MS after the resize event: a theme whose handlers
    # wait longer would be audited before they ran
    source = (Path(pydata_sphinx_theme.__file__).parent / "assets" / "scripts"
              / "pydata-sphinx-theme.js").read_text(encoding="utf-8")
    waits = [int(ms) for ms in re.findall(r"debounce\(\w+,\s*(\d+)\)", source)]
    assert waits and max(waits) <= THEME_RESIZE_MS, waits


def test_narrowed_page_audited_after_the_themes_debounced_resize_handler(browser):
    # as pydata-sphinx-theme does 300 ms after a resize, the page's script lets a region
    # that scrolls take the keyboard focus: at 320 px the box's words wrap to more lines
    # than it shows, and a page audited before the handler ran fails
    # scrollable-region-focusable (checked: with no wait after the resize it did, in
    # the light scheme; the handler then ran during that audit)
    script = """<script>
    const region = () => document.getElementById('box');
    const mark = () => { region().tabIndex =
      region().scrollHeight > region().clientHeight ? 0 : -1; };
    let timer = null;
    addEventListener('resize', () => { clearTimeout(timer);
                                       timer = setTimeout(mark, DEBOUNCE); });
    mark();
    </script>""".replace("DEBOUNCE", str(THEME_RESIZE_MS))
    body = ('<div id="box" style="overflow: auto; height: 60px"><p>'
            + "Words that wrap to many lines on a phone. " * 6 + "</p></div>" + script)
    found = audit_each_width(browser, themed("p { margin: 0; }", body))
    assert not any("scrollable-region-focusable" in ids for ids in found.values()), found
