"""Published figures' text as a phone shows it, measured in a page open in Chromium.

Shared by ``test_figures_on_a_phone.py`` (at 390 px) and the accessibility audit of
``test_accessibility.py``, which measures them at 320 px on the pages it has open in
both colour schemes (a second browser pass over the same pages cost about as much as
the audit's loading of them).
"""

from __future__ import annotations

import pytest

from lifetools.plots.theme import FONT_SIZE, MIN_PHONE_PX
from lifetools.publication import NARROW_SUFFIX

#: Each figure image's ``[src, shown width (its content box: the theme pads images in
#: dark), natural width, the rendering the browser chose]``.
FIGURES = ("els => els.map(e => { const s = getComputedStyle(e); "
           "return [e.getAttribute('src'), e.getBoundingClientRect().width"
           " - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)"
           " - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth),"
           " e.naturalWidth, e.currentSrc]; })")


def text_px(shown: float, natural_css: float) -> float:
    """CSS px of FONT_SIZE-point text in a figure ``natural_css`` px wide shown ``shown``."""
    return FONT_SIZE * 96 / 72 * shown / natural_css


def measure_figures(page, label: str) -> dict[str, tuple[float, float, str]]:
    """Every figure of the open ``page``: ``{label src: (shown, text px, chosen file)}``."""
    return {f"{label} {src}": (shown, text_px(shown, natural / 2), current)
            for src, shown, natural, current in page.eval_on_selector_all(
                "figure.lifetools-figure img", FIGURES)}


def assert_phone_figures(measured: dict[str, tuple[float, float, str]], figure_px: int,
                         *, narrow: bool) -> None:
    """Text at least MIN_PHONE_PX, the narrow rendering chosen exactly when ``narrow``,
    and the widest figure shown ``figure_px`` wide (what the unit tests assume)."""
    assert len(measured) >= 12, measured
    small = {k: round(v[1], 2) for k, v in measured.items() if v[1] < MIN_PHONE_PX}
    assert not small, small
    # the rendering the browser chose: the narrow one under 390 px, else the wide one
    chosen = {k: v[2].rsplit("/", 1)[-1] for k, v in measured.items()}
    wrong = {k: c for k, c in chosen.items()
             if c.removesuffix(".png").endswith(NARROW_SUFFIX) != narrow}
    assert not wrong, wrong
    # the width the unit tests assume a phone gives a figure
    assert max(shown for shown, _, _ in measured.values()) == pytest.approx(figure_px,
                                                                            abs=1.0)
