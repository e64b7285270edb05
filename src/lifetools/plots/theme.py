"""Palette, fonts and sizes: one place. Okabe-Ito colours, safe for colour blindness.

Figures are drawn for a phone first: :data:`WIDTH` inches wide with no text under
:data:`FONT_SIZE` points, and :func:`fit_to_phone` narrows a figure whose cropped
width is over :data:`MAX_WIDTH`, so that a figure shown on a 390 CSS pixel wide phone
(:data:`PHONE_FIGURE_PX` wide after the page's margins) still has text of at least
:data:`MIN_PHONE_PX` pixels (:func:`phone_text_px` measures it; the tests of every
figure function check it). Figures are published as PNG at :data:`DPI` dots per
inch, twice the 96 CSS pixels per inch a browser draws them at, so they stay sharp on
high-density screens.

A phone narrower than :data:`PHONE_PX` (down to :data:`NARROW_PX`, 320 CSS px, the
width WCAG's reflow criterion names) gets its own rendering of each figure, drawn
for that width (art direction, not a shrunk copy): :func:`redrawable` lets
:func:`lifetools.publication.show_figure` call the plot function again inside
:func:`narrow_layout`, where :func:`figure_width`, :func:`max_width` and :func:`wrap`
give the narrow sizes, so at-risk days, tick spacing, label wrapping and legend
columns are chosen again for :data:`NARROW_MAX_WIDTH` inches. The page serves it with
``<picture><source media=NARROW_MEDIA>``.

How a figure scales on a narrow screen (WCAG 1.4.10: no sideways scrolling at 320
CSS px, so a figure is never given a minimum width): it is always shown as wide as the
column, and the rendering served there is the one whose text stays legible at that
width. :func:`shown_figure_px` is the column width the stylesheet gives a figure on a
screen of a given width (``book/_static/lifetools.css``), :func:`smallest_text_px` the
smallest text there at the widest crop a rendering may have, and
:data:`LEGIBLE_FROM_PX` the narrowest screen where it is still :data:`MIN_PHONE_PX`:
276 px, below WCAG's 320. Narrower than that (no phone sold; a 280 px folded cover
screen is above it) the text scales under 12 px with the picture, which keeps the page
free of sideways scrolling; the alt text and the figure's CSV say the same in full.

The palette, font size, widths, resolution, the matplotlib settings (:func:`theme`)
and the narrow layout are owned by :mod:`lifetools.figure_style`, below this package
and :mod:`lifetools.publication`, which saves and redraws figures with them; this
module re-exports them, and :data:`DOWNLOAD_PLACES`, owned by
:mod:`lifetools.disclosure.downloads` (the places :func:`lifetools.disclosure.write_csv`
writes a figure's download with): an alt text gives a drawn share as that published
number, in per cent (``format_proportion(..., places=DOWNLOAD_PLACES)``: 0.645,
published "0.65", reads "65.0%", never "64.5%", which no download gives). A risk a
prediction figure draws is published to
:data:`lifetools.disclosure.downloads.PROPORTION_PLACES` (3) places, as the page's table
shows it in per cent to 1 place, and its alt text reads it at those places.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from typing import Any

import matplotlib as mpl

from lifetools.disclosure.downloads import DOWNLOAD_PLACES
from lifetools.disclosure.withheld import PRIVACY
from lifetools.drawing import drawn_data, recorded_drawing
from lifetools.errors import DisclosureError
from lifetools.figure_style import (
    DPI,
    FONT_SIZE,
    MARKERS,
    MAX_WIDTH,
    NARROW_MAX_WIDTH,
    NARROW_MEDIA,
    NARROW_WIDTH,
    PALETTE,
    REDRAW_ATTR,
    WIDTH,
    figure_width,
    is_narrow,
    max_width,
    narrow_layout,
    theme,
)
from lifetools.formatting import format_proportion

__all__ = ["DOWNLOAD_PLACES", "DPI", "PERCENT_LABEL", "FONT_SIZE", "LEGIBLE_FROM_PX", "MARKERS", "MAX_WIDTH", "MIN_PHONE_PX",
           "NARROW_FIGURE_PX", "NARROW_MAX_WIDTH", "NARROW_MEDIA", "NARROW_PX", "NARROW_WIDTH",
           "PAGE_MARGINS_PX", "PALETTE", "PHONE_FIGURE_PX", "PHONE_PX",
           "SMALL_SCREEN_MARGINS_PX", "SUPPRESSED_HATCH", "WIDTH", "cropped_width",
           "figure_width", "fit_to_phone", "is_narrow", "legend_below",
           "max_width", "narrow_layout", "percent_axis", "phone_text_px", "redrawable",
           "shown_figure_px",
           "smallest_text_px",
           "suppressed_label", "suppressed_patch", "theme", "wrap"]

PHONE_PX = 390
"""Width of a phone screen in CSS pixels (iPhone 12-15)."""
PHONE_FIGURE_PX = 342
"""Width in CSS pixels a figure is shown at on a PHONE_PX wide screen: the article's
padding (2 x 16 px) and the figure's (2 x 8 px) take the rest. Measured in Chromium
(``tests/functional/test_figures_in_browser.py`` checks it on the built site)."""
MIN_PHONE_PX = 12
"""Smallest text height, in CSS pixels, a figure may have when shown on a phone."""
NARROW_PX = 320
"""The narrowest screen figures are drawn for, in CSS pixels (WCAG 1.4.10 reflow)."""
NARROW_FIGURE_PX = 272
"""Width in CSS pixels a figure is shown at on a NARROW_PX wide screen (the same
48 px of padding as at PHONE_PX; measured in Chromium by the 320 px pass of
``tests/functional/test_accessibility.py``)."""
PAGE_MARGINS_PX = 48
"""What a figure loses to margins from :data:`NARROW_PX` up: the article's padding
(2 x 16 px) and the figure's own (2 x 8 px) (``book/_static/lifetools.css``)."""
SMALL_SCREEN_MARGINS_PX = 16
"""The same under :data:`NARROW_PX`: the stylesheet narrows the article's padding to
2 x 8 px and drops the figure's."""
LEGIBLE_FROM_PX = 276
"""The narrowest screen, in CSS px, on which every figure's smallest text is at least
:data:`MIN_PHONE_PX` (:func:`smallest_text_px`; checked in ``tests/unit/test_plots.py``)."""
SUPPRESSED_HATCH = "xx"
"""Hatching of the placeholder drawn where a value is suppressed."""


def _require_nothing_unprotected(fig: Any, plot: str) -> None:
    """Refuse to draw a protected plot into a figure that already draws data no
    lifetools plot protected (raw bars drawn first, then ``plot_*(..., ax=ax)``):
    :func:`lifetools.publication.mark_protected` would record them as protected."""
    empty = all(not (ax.lines or ax.patches or ax.collections or ax.images)
                for ax in fig.axes)
    # an unmarked figure has no recorded drawing (None), so never equals its digest
    if empty or recorded_drawing(fig) == drawn_data(fig):
        return
    raise DisclosureError(
        f"{plot} was asked to draw into axes whose figure already draws data that no "
        "lifetools plot protected (rule 'figure-drawn-after-protection')",
        hint="draw only with lt.plots functions, from protected tables")


def redrawable(plot: Callable[..., Any]) -> Callable[..., Any]:
    """A plot function: drawn in the :func:`theme`, and drawn again narrow on demand.

    The call runs inside :func:`theme`, so matplotlib's global settings are the same
    after it as before. A figure the plot function made itself (no ``ax`` given) keeps
    the call, so that :func:`lifetools.publication.show_figure` can draw it again in
    :func:`narrow_layout`; a figure drawn into the caller's axes is published in one
    rendering only.
    """
    @functools.wraps(plot)
    def themed(*args: Any, **kwargs: Any) -> Any:
        with theme():
            return plot(*args, **kwargs)

    @functools.wraps(plot)
    def draw(*args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("ax")
        if given is not None:  # the caller's axes: nothing unprotected drawn on them
            _require_nothing_unprotected(given.figure, plot.__name__)
        ax = themed(*args, **kwargs)
        if kwargs.get("ax") is None:
            setattr(ax.figure, REDRAW_ATTR, functools.partial(themed, *args, **kwargs))
        return ax

    return draw


def percent_axis(axis: Any) -> None:
    """Label an axis that holds proportions (0 to 1) of people in per cent.

    A risk, a cumulative incidence or a share drawn from 0 to 1 is read by the public
    as a percentage, as the page's sentences and tables give it ("24.5%"): the axis's
    label gains "(%)" and its ticks read 0, 20 ... 100 (with the decimal places the
    ticks' step needs: 2.5), written by :func:`lifetools.formatting.format_proportion`,
    the formatter of every published share, without repeating the sign at every tick
    (a "100%" tick is wider than "1.0": the survival figures' axes lost the width that
    keeps the number at risk at day 90). Call it after the axis's label is set. The
    drawn data, and the figure's download, stay proportions.
    """
    from matplotlib.ticker import FuncFormatter

    def tick(value: float, _: Any) -> str:
        ticks = [100 * float(t) for t in axis.get_majorticklocs()] or [100 * value]
        places = next((d for d in range(4) if all(
            abs(round(t, d) - t) < 1e-6 for t in ticks)), 3)
        return format_proportion(value, digits=places).removesuffix("%")

    axis.set_major_formatter(FuncFormatter(tick))
    words = axis.get_label().get_text()
    if not words.endswith(PERCENT_LABEL):
        axis.set_label_text(f"{words} {PERCENT_LABEL}".strip())


PERCENT_LABEL = "(%)"
"""What :func:`percent_axis` adds to the label of an axis drawn in per cent."""


def wrap(text: str, width: int = 24) -> str:
    """Break a label onto lines of at most ``width`` characters (keeps figures narrow).

    In :func:`narrow_layout`, lines are shorter in proportion to the narrower figure,
    and never break around " = " ("1 = no difference" is one phrase, read whole by the
    gate's rule for numbers in figure texts).
    """
    if is_narrow():  # and "1 = no difference" stays on one line (one phrase)
        width = max(10, round(width * NARROW_WIDTH / WIDTH))
        glued = str(text).replace(" = ", "\u00a0=\u00a0")
        lines = textwrap.wrap(glued, width)
        return "\n".join(lines).replace("\u00a0", " ") or str(text)
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def legend_below(ax: Any, *, ncol: int = 1, **kwargs: Any) -> Any:
    """Put the legend under the axes' tick labels and x label, so it never covers data.

    The gap is measured in points from the drawn tick labels and axis label, so it
    holds whatever size the axes end up after ``tight_layout``. The legend of axes in
    the figure's first column starts at the figure's left edge, not the axes', so a
    wide legend does not widen the figure (and shrink its text on a phone); that of
    axes in a later column (two charts side by side) starts at the axes' left edge, in
    its own column: anchored at the figure's edge it lay under the first chart, and
    ``tight_layout`` could not fit the figure ("Tight layout not applied", the suite's
    one warning until wave 43). Tested in ``tests/unit/test_plots.py``.
    """
    from matplotlib.transforms import blended_transform_factory, offset_copy

    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    order = sorted(range(len(labels)), key=lambda i: labels[i] == suppressed_label())
    handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    if is_narrow():  # a long entry on two lines rather than a wider figure
        labels = [wrap(text, 38) for text in labels]
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    below = ax.get_window_extent(renderer).y0 - ax.get_tightbbox(renderer).y0
    gap = below * 72 / fig.dpi + 6
    spec = ax.get_subplotspec()
    later = spec is not None and spec.colspan.start > 0  # a chart beside another
    across = ax.transAxes if later else fig.transFigure
    anchor = blended_transform_factory(
        across, offset_copy(ax.transAxes, fig=fig, x=0, y=-gap, units="points"))
    legend = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, 0.0),
                       bbox_transform=anchor, frameon=False, ncol=ncol, borderaxespad=0.0,
                       **kwargs)
    if ncol > 1 and legend.get_window_extent(renderer).width / fig.dpi > max_width() - 0.25:
        # too wide for a phone in columns (a long entry such as "Suppressed ..."): one
        legend = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, 0.0),
                           bbox_transform=anchor, frameon=False, ncol=1,
                           borderaxespad=0.0, **kwargs)
    return legend


def cropped_width(fig: Any) -> float:
    """Width in inches of ``fig`` as published: the tight crop at :data:`DPI`.

    Laid out at the published resolution, as :func:`lifetools.publication.render_png`
    lays it out (text is laid out differently at a low resolution), and measured as
    ``savefig(bbox_inches="tight")`` crops it, without rasterizing the image: the
    figure's tight bounding box, padded by ``savefig.pad_inches``, scaled to
    :data:`DPI` and cut to whole pixels as matplotlib's canvas cuts it (a size within
    1e-8 of the next pixel counts as that pixel). The PNG's own width, a quarter of
    the CPU time (a unit test compares the two on every figure function).
    """
    from matplotlib.transforms import Affine2D, Bbox, TransformedBbox

    dpi = fig.dpi
    fig.dpi = DPI
    try:
        fig.draw_without_rendering()  # as savefig lays it out before it crops
        tight = fig.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
    finally:
        fig.dpi = dpi
    cropped = TransformedBbox(Bbox.from_bounds(0, 0, *tight.size), Affine2D().scale(DPI))
    return int(cropped.max[0] + 1e-8) / DPI


def fit_to_phone(fig: Any, *, max_width: float | None = None) -> None:
    """Narrow ``fig`` until its cropped width is at most ``max_width`` inches.

    ``max_width`` defaults to :func:`max_width` (:data:`MAX_WIDTH`, or
    :data:`NARROW_MAX_WIDTH` in :func:`narrow_layout`).

    The figure is made narrower by the excess and laid out again (``tight_layout``),
    up to four times: the axes shrink, the text keeps its size. Text wider than the
    axes (a long axis label, a wide legend) does not shrink this way: the figure is
    then left as it was (never made worse, and never narrower than 0.8 x WIDTH) and
    the phone test fails; wrap the text.

    A figure of charts side by side (axes in a second column: a notebook's own figure
    that a plot function draws into) is left as it is: narrowed to a phone's width
    each chart was squeezed, and ``tight_layout`` could not fit the next one drawn
    into it (two run charts in a 12-inch figure went to 4.98 inches and warned
    "Tight layout not applied" until wave 43). Tested in ``tests/unit/test_plots.py``.
    """
    if _side_by_side(fig):
        return
    limit = (NARROW_MAX_WIDTH if is_narrow() else MAX_WIDTH) if max_width is None \
        else max_width
    width = cropped_width(fig)
    for _ in range(4):
        if width <= limit:
            return
        before = fig.get_figwidth()
        if before - (width - limit) < 0.8 * figure_width():  # axes squeezed
            return
        fig.set_figwidth(before - (width - limit) - 0.02)
        fig.tight_layout()
        narrower = cropped_width(fig)
        if narrower >= width - 0.01:  # text wider than the axes: narrowing cannot help
            fig.set_figwidth(before)
            fig.tight_layout()
            return
        width = narrower


def _side_by_side(fig: Any) -> bool:
    """Whether ``fig`` has axes in a column after the first (charts side by side)."""
    specs = (ax.get_subplotspec() for ax in fig.axes)
    return any(spec is not None and spec.colspan.start > 0 for spec in specs)


def shown_figure_px(screen_px: float) -> float:
    """Width in CSS px the stylesheet gives a figure on a screen ``screen_px`` wide.

    The column less :data:`PAGE_MARGINS_PX` (:data:`SMALL_SCREEN_MARGINS_PX` under
    :data:`NARROW_PX`): 342 px at 390 (:data:`PHONE_FIGURE_PX`), 272 at 320
    (:data:`NARROW_FIGURE_PX`), 264 at 280, the widths the browser tests measure.
    """
    margins = SMALL_SCREEN_MARGINS_PX if screen_px < NARROW_PX else PAGE_MARGINS_PX
    return float(screen_px - margins)


def smallest_text_px(screen_px: float, *, font_size: float = FONT_SIZE) -> float:
    """Smallest figure text, in CSS px, on a screen ``screen_px`` wide: the worst case.

    The rendering the page serves there (the narrow one under :data:`PHONE_PX`,
    :data:`NARROW_MEDIA`) at the widest crop it may have (:data:`NARROW_MAX_WIDTH` or
    :data:`MAX_WIDTH` inches, ``fit_to_phone``), shown :func:`shown_figure_px` wide
    and never wider than its natural size: ``font_size * 96 / 72 * min(1, shown /
    (inches * 96))``. A figure cropped narrower has larger text (:func:`phone_text_px`
    measures a drawn one).
    """
    inches = NARROW_MAX_WIDTH if screen_px < PHONE_PX else MAX_WIDTH
    return font_size * 96 / 72 * min(1.0, shown_figure_px(screen_px) / (inches * 96))


def phone_text_px(fig: Any, *, screen_px: int = PHONE_FIGURE_PX) -> float:
    """Height in CSS pixels of the smallest visible text of ``fig`` shown on a phone.

    A published figure is an image :data:`DPI` dots per inch, shown at half its pixels
    (96 CSS px per inch) and at most ``screen_px`` wide (the width a figure gets on a
    390 px phone). A text of ``s`` points is ``s * 96 / 72`` CSS px at natural size,
    scaled by ``screen_px / natural width`` when the image is wider than the screen.
    """
    natural_px = cropped_width(fig) * 96
    sizes = [t.get_fontsize() for t in fig.findobj(_visible_text)]
    return min(sizes) * 96 / 72 * min(1.0, screen_px / natural_px)


def _visible_text(artist: Any) -> bool:
    from matplotlib.text import Text

    return (isinstance(artist, Text) and artist.get_visible()
            and bool(artist.get_text().strip()))


def suppressed_label() -> str:
    """Legend words of a value hidden by disclosure control: "Hidden to protect
    privacy", as a table's ``[c]`` reads (:data:`lifetools.disclosure.withheld.PRIVACY`).

    Until wave 33 it read "Suppressed (fewer than 8)": a bar or month is hidden by
    whichever rule hid its numbers (a small count, secondary suppression, all or none
    of a group, a dominated magnitude), so "fewer than 8" was false for some, and a
    rate or a share is no count of fewer than 8 anything (issue 15)."""
    return PRIVACY[:1].upper() + PRIVACY[1:]


def suppressed_patch(ax: Any, positions: Any, width: float, top: float, *,
                     horizontal: bool = False) -> None:
    """Draw hatched grey placeholders where values are suppressed (never a zero bar).

    The placeholder spans the whole value axis, so it cannot be read as a value, and
    carries the legend entry :func:`suppressed_label` (once per axes).
    """
    seen = any(c.get_label() == suppressed_label() for c in ax.containers)
    draw = ax.barh if horizontal else ax.bar
    size = {"height": width} if horizontal else {"width": width}
    draw(positions, top, **size, color="none", edgecolor="#767676", hatch=SUPPRESSED_HATCH,
         linewidth=1.0, label="_nolegend_" if seen else suppressed_label())
