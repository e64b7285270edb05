"""Figures for the population description report."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from lifetools.disclosure import protect_counts
from lifetools.formatting import format_count
from lifetools.labels import label
from lifetools.plots.activity import _whole_months, mark_suppressed_months
from lifetools.plots.theme import (
    MARKERS,
    PALETTE,
    figure_width,
    fit_to_phone,
    legend_below,
    redrawable,
)
from lifetools.publication import mark_protected

__all__ = ["plot_monthly_counts"]


@redrawable
def plot_monthly_counts(
    monthly: pd.DataFrame,
    *,
    x: str = "month",
    y: str = "referrals",
    hue: str | None = "team",
    ylabel: str = "Referrals received per month",
    ax: Any = None,
    period: tuple[str, str] | None = None,
) -> Any:
    """Plot monthly counts as lines (one per ``hue`` group), after disclosure control.

    Counts of 1 to 7 are suppressed, with secondary suppression against the period
    total, and the rest rounded to the nearest 5 before plotting; a month with a
    suppressed count is shaded as suppressed (not left as a gap). Markers and line
    styles differ by group so colour is not the only cue; the legend sits under the
    axes. With ``period`` (its first and last day, ISO), a month it holds only part of
    is not drawn and the alt text names it, as in
    :func:`~lifetools.plots.activity.plot_run_chart`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), 5))
    # the months add up to the period's total, which is published
    protected = protect_counts(monthly, [y], totals="columns")
    protected, left_out = _whole_months(protected, x, period)
    data = protected.frame
    data[y] = data[y].astype("Float64").astype("float64")
    groups = list(dict.fromkeys(sorted(data[hue].unique()))) if hue else [None]
    lines = []
    for i, group in enumerate(groups):
        part = data if group is None else data[data[hue] == group]
        name = label(str(group)) if group is not None else label(y).capitalize()
        ax.plot(part[x], part[y], color=PALETTE[i % len(PALETTE)],
                marker=MARKERS[i % len(MARKERS)], markersize=5,
                linestyle=("-", "--", ":", "-.")[i % 4], label=name)
        shown = part[y].dropna()
        lines.append(f"{name}: {format_count(shown.min())} to {format_count(shown.max())}"
                     if len(shown) else f"{name}: all suppressed")
    hidden = data.groupby(x, sort=True)[y].apply(lambda v: bool(v.isna().any()))
    count = mark_suppressed_months(ax, pd.Series(hidden.index), hidden.to_numpy())
    ax.set_xlabel("Month")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.figure.autofmt_xdate()
    legend_below(ax)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    alt = (f"Line chart of {ylabel.lower()} over {data[x].nunique()} months, "
           f"{len(groups)} line" + ("s" if len(groups) != 1 else "") + ". "
           + "; ".join(lines) + f" a month. Months with a suppressed count: {count}."
           + left_out)
    mark_protected(ax.figure, rules=protected.rules, data={"": protected}, alt=alt)
    return ax
