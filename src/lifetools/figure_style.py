"""How a report figure is drawn and saved: one owner below the plots and publication.

The palette, the markers, the font size, the widths a figure is drawn at and cropped
to, the PNG resolution, the matplotlib settings of every figure (:func:`theme`), the
narrow-phone layout (:func:`narrow_layout`, the media query whose screens get its
rendering) and the attribute a redrawable figure keeps its call in. The plot functions
draw with them (:mod:`lifetools.plots.theme`, which re-exports them with the sizes of
the screens figures are shown on) and :func:`lifetools.publication.show_figure` saves
and redraws with them: ``lifetools.plots`` re-exports ``show_figure``, so publication
cannot import a module of ``lifetools.plots`` without a cycle through its
``__init__``. This module imports nothing from lifetools.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import matplotlib as mpl

__all__ = ["DPI", "FONT_SIZE", "MARKERS", "MAX_WIDTH", "NARROW_MAX_WIDTH", "NARROW_MEDIA",
           "NARROW_WIDTH", "PALETTE", "REDRAW_ATTR", "WIDTH", "figure_width", "is_narrow",
           "max_width", "narrow_layout", "theme"]

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
"""Okabe-Ito: blue, vermillion, green, reddish purple, orange, sky blue, black, yellow."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
FONT_SIZE = 13
"""Smallest text in a figure, in points."""
WIDTH = 4.9
"""Figure width in inches before the tight crop."""
DPI = 192
"""PNG resolution: twice 96 CSS pixels per inch."""
MAX_WIDTH = 5.0
"""Widest a figure may be after the tight crop, in inches: FONT_SIZE-point text in a
figure this wide, shown PHONE_FIGURE_PX wide, is 12.35 CSS px high (5.14 inches would
be exactly 12)."""
NARROW_WIDTH = 3.8
"""Width in inches a narrow rendering is drawn at, before the tight crop."""
NARROW_MAX_WIDTH = 3.9
"""Widest a narrow rendering may be after the crop: FONT_SIZE-point text in it, shown
NARROW_FIGURE_PX wide, is 12.6 CSS px high (4.08 inches would be exactly 12)."""
NARROW_MEDIA = "(max-width: 389px)"
"""Screens that get the narrow rendering: every screen narrower than ``PHONE_PX``
(:mod:`lifetools.plots.theme`), where the wide one would be shown under
``PHONE_FIGURE_PX`` wide."""


_NARROW: contextvars.ContextVar[bool] = contextvars.ContextVar("lifetools_narrow",
                                                                default=False)
REDRAW_ATTR = "_lifetools_redraw"
"""Attribute of a figure drawn by a :func:`lifetools.plots.theme.redrawable` function:
the call, to redraw (:func:`lifetools.publication.show_figure` draws it narrow)."""


def is_narrow() -> bool:
    """Whether figures are being drawn for a narrow phone (inside :func:`narrow_layout`)."""
    return _NARROW.get()


@contextlib.contextmanager
def narrow_layout() -> Iterator[None]:
    """Draw figures for a :data:`~lifetools.plots.theme.NARROW_PX` phone while inside this block."""
    token = _NARROW.set(True)
    try:
        yield
    finally:
        _NARROW.reset(token)


def figure_width() -> float:
    """Width in inches to draw a figure at: :data:`WIDTH`, or narrow on a small phone."""
    return NARROW_WIDTH if is_narrow() else WIDTH


def max_width() -> float:
    """Widest a figure may be after the crop: :data:`MAX_WIDTH` or the narrow one."""
    return NARROW_MAX_WIDTH if is_narrow() else MAX_WIDTH


def theme() -> contextlib.AbstractContextManager[None]:
    """Matplotlib settings of report figures (large text, no chart junk), for one block.

    ``with theme(): ...`` draws (or saves) under these settings and restores the
    caller's on leaving (:func:`matplotlib.rc_context`): nothing global changes.
    """
    return mpl.rc_context({
        "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
        "font.size": FONT_SIZE, "axes.titlesize": FONT_SIZE, "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": FONT_SIZE, "ytick.labelsize": FONT_SIZE,
        "legend.fontsize": FONT_SIZE, "legend.title_fontsize": FONT_SIZE,
        "axes.spines.top": False, "axes.spines.right": False,
        "figure.dpi": 96, "savefig.dpi": DPI, "axes.grid": True, "grid.alpha": 0.3,
        "svg.hashsalt": "lifetools", "hatch.linewidth": 1.0,
    })
