"""The frame every calibration figure shares: the one owner of its axes.

:func:`lifetools.plots.plot_calibration` (observed against predicted risk by tenth of
predicted risk), :func:`lifetools.plots.plot_calibration_curve` (the flexible curve with
its band) and :func:`lifetools.plots.plot_corrected_calibration` (apparent and
optimism-corrected curves) draw their points or curves inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lifetools.plots.theme import fit_to_phone, legend_below, percent_axis, wrap

__all__ = ["calibration_axes"]


def calibration_axes(ax: Any, top: float | None, draw: Callable[[Any], None] | None = None,
                     *, absent: str | None = None, line_to: float | None = None) -> None:
    """Draw a calibration figure's frame around ``draw(ax)``.

    The dashed line of perfect calibration from 0 to ``line_to`` (default ``top``),
    then ``draw(ax)`` for the curves or points (None: nothing is shown, and the words
    ``absent``, if any, stand in the middle of the axes), both axes from 0 to ``top``
    (None: matplotlib's limits around what was drawn), the axis labels, the legend
    below, the axes' ticks as percentages (:func:`lifetools.plots.theme.percent_axis`:
    a risk is a share of people), the layout and the phone fit (:func:`lifetools.plots.theme.fit_to_phone`).
    Each figure's PNG bytes, shown and withheld, normal and narrow, are those it drew
    with its own copy of the frame before (SHA-256, issue 19).
    """
    end = top if line_to is None else line_to
    ax.plot([0, end], [0, end], color="#555555", linestyle="--", linewidth=1,
            label="Perfect calibration")
    if draw is not None:
        draw(ax)
    elif absent:
        # wrapped: on one line it was wider than the narrow figure's axes (the 2023-24
        # crisis page at 4,000 people: 4.02 in against 3.9, wave 40)
        ax.text(0.5, 0.5, wrap(absent), ha="center", va="center", transform=ax.transAxes)
    if top is not None:
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
    ax.set_xlabel("Predicted risk")
    ax.set_ylabel("Observed risk")
    percent_axis(ax.xaxis)  # risks read in per cent, as on the page
    percent_axis(ax.yaxis)
    legend_below(ax)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
