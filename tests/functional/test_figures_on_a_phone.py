"""Every published figure's text, measured as a phone shows it (#15).

A figure is a PNG drawn at :data:`~lifetools.plots.theme.DPI` (twice 96 CSS px per
inch) whose smallest text is :data:`~lifetools.plots.theme.FONT_SIZE` points (checked
on every figure function by ``tests/unit/test_plots.py`` and on the reports' figures
by ``tests/unit/test_reports.py``). Its text is therefore
``FONT_SIZE * 96 / 72 * shown width / natural width`` CSS px high. Here the shown width
is measured in headless Chromium at 390 x 844 here, at 320 px (WCAG's reflow width)
by the accessibility audit (``test_accessibility.py``, which has every page open at
320 px in both schemes: its 320 px pass fails on the same figures), and at 280 x 640 (a
folded phone's cover screen) here, on every report page
of every edition, in the light and dark colour schemes (the width is the image's
content box: the theme pads images in dark), and each PNG's width is read from the file.
Under 390 px a page serves each figure's narrow rendering (``<name>-narrow.png``, drawn
for the phone: ``<picture><source media=NARROW_MEDIA>``); the browser's choice
(``currentSrc``) is checked too.

Set ``LIFETOOLS_BUILT_SITE`` to a built ``public/site`` folder to check it without
building the project copy again.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from figure_text import assert_phone_figures, measure_figures, text_px
from served import served

from lifetools.plots.theme import (
    DPI,
    MAX_WIDTH,
    MIN_PHONE_PX,
    NARROW_FIGURE_PX,
    NARROW_MAX_WIDTH,
    PHONE_FIGURE_PX,
    PHONE_PX,
)
from lifetools.publication import NARROW_SUFFIX

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_TIMEOUT_MS = 300_000
"""Playwright's waits (launch, load, functions): its default 30 s is exceeded on a busy
2-core machine."""


def report_pages(site: Path) -> list[str]:
    return [str(p.relative_to(site)) for p in sorted((site / "editions").glob("*/*.html"))
            if p.stem not in ("index", "record")]


def figure_files(site: Path, *, narrow: bool = False) -> list[Path]:
    return sorted(p for p in site.glob("editions/*/*/figures/*.png")
                  if p.stem.endswith(NARROW_SUFFIX) == narrow)


def png_width(path: Path) -> int:
    with path.open("rb") as handle:
        header = handle.read(24)
    return struct.unpack(">I", header[16:20])[0]


def test_text_px_of_a_figure_shrunk_to_a_phone_known_values():
    assert text_px(500, 500) == pytest.approx(17.333, abs=1e-3)   # natural size
    assert text_px(342, 494) == pytest.approx(12.0, abs=0.01)      # 5.146 in: the limit
    assert text_px(342, 592) < MIN_PHONE_PX                        # the old run chart


def test_every_published_figure_is_narrow_enough_for_phone_text(site):
    files = figure_files(site)
    assert len(files) >= 12, [str(p) for p in files]
    widths = {str(p.relative_to(site)): png_width(p) for p in files}
    wide = {k: w for k, w in widths.items() if w > MAX_WIDTH * DPI + 1}
    assert not wide, wide
    smallest = min(text_px(min(PHONE_FIGURE_PX, w / 2), w / 2) for w in widths.values())
    assert smallest >= MIN_PHONE_PX


def test_every_published_figure_has_a_narrow_rendering_for_a_320_px_phone(site):
    wide, narrow = figure_files(site), figure_files(site, narrow=True)
    assert [p.with_name(p.stem + NARROW_SUFFIX + ".png") for p in wide] == narrow
    widths = {str(p.relative_to(site)): png_width(p) for p in narrow}
    too_wide = {k: w for k, w in widths.items() if w > NARROW_MAX_WIDTH * DPI + 1}
    assert not too_wide, too_wide
    smallest = min(text_px(min(NARROW_FIGURE_PX, w / 2), w / 2) for w in widths.values())
    assert smallest >= MIN_PHONE_PX


#: A folded phone's cover screen (280 CSS px, under WCAG's 320): the page's margins
#: narrow there (``book/_static/lifetools.css``), so figures are shown 264 px wide.
FOLDED_PX, FOLDED_FIGURE_PX = 280, 264


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
@pytest.mark.parametrize(("screen", "figure_px", "narrow"), [
    ((PHONE_PX, 844), PHONE_FIGURE_PX, False), ((FOLDED_PX, 640), FOLDED_FIGURE_PX, True)])
def test_every_figure_text_at_least_12_css_px_in_chromium_on_a_phone(site, screen,
                                                                     figure_px, narrow):
    """At 390 x 844 and at 280 x 640 (a folded phone's cover screen); at 320 px the
    accessibility audit measures them (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    measured: dict[str, tuple[float, float, str]] = {}
    with served(site) as server:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"],
                                        timeout=BROWSER_TIMEOUT_MS)
            for scheme in ("light", "dark"):  # the theme pads images in dark
                page = browser.new_page(viewport={"width": screen[0], "height": screen[1]},
                                        color_scheme=scheme)
                page.set_default_timeout(BROWSER_TIMEOUT_MS)
                for name in report_pages(site):
                    page.goto(f"{server}/{name}", wait_until="load")
                    page.wait_for_function(
                        f"document.documentElement.dataset.theme === '{scheme}'")
                    measured.update(measure_figures(page, f"{scheme} {name}"))
                page.close()
            browser.close()
    assert_phone_figures(measured, figure_px, narrow=narrow)
