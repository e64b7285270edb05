"""Palette, fonts and sizes: one place. Okabe-Ito colours, safe for colour blindness."""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["MARKERS", "PALETTE", "apply_theme"]

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
"""Okabe-Ito: blue, vermillion, green, reddish purple, orange, sky blue, black, yellow."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def apply_theme() -> None:
    """Set matplotlib defaults for report figures (large text, no chart junk)."""
    mpl.rcParams.update({
        "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
        "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11,
        "axes.spines.top": False, "axes.spines.right": False,
        "figure.dpi": 110, "savefig.dpi": 110, "axes.grid": True, "grid.alpha": 0.3,
        "svg.hashsalt": "lifetools",
    })
