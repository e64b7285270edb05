"""Activity figures: the monthly run chart and reach compared with the caseload."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lifetools.disclosure import protect_counts, require_table
from lifetools.plots.theme import PALETTE, apply_theme
from lifetools.publication import mark_protected
from lifetools.spc import xmr_chart

__all__ = ["plot_reach", "plot_run_chart"]


def plot_run_chart(monthly: pd.DataFrame, *, x: str = "month", y: str = "contacts",
                   ax: Any = None, ylabel: str = "Contacts per month") -> Any:
    """XmR run chart of protected monthly counts with special-cause points marked.

    Counts are suppressed and rounded, with secondary suppression against the period
    total (hidden months are gaps).

    Special-cause points are drawn as larger orange diamonds (shape as well as colour).
    """
    apply_theme()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    # the months add up to the period's total, which is published
    protected = protect_counts(monthly, [y], totals="columns")
    values = protected[y].astype("Float64").astype(float)
    chart = xmr_chart(values)
    ax.plot(protected[x], chart["value"], color=PALETTE[0], marker="o", markersize=4,
            label="Monthly count")
    special = chart["special_cause"].to_numpy()
    ax.scatter(protected[x][special], chart["value"][special], color=PALETTE[4],
               marker="D", s=60, zorder=3, label="Special cause")
    ax.axhline(chart["mean"].iloc[0], color="#333333", linewidth=1, label="Mean")
    for col in ("upper", "lower"):
        ax.axhline(chart[col].iloc[0], color="#777777", linewidth=1, linestyle="--")
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Month")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=9, loc="upper left")
    ax.figure.tight_layout()
    mark_protected(ax.figure, rules=protected.rules)
    return ax


def plot_reach(table: pd.DataFrame, *, characteristic: str, ax: Any = None) -> Any:
    """Percentage of Life Rooms users and of the caseload in each group (protected).

    ``table`` must be a protected table whose percentage columns were derived by
    :func:`lifetools.disclosure.protected_shares`; anything else is refused with
    :class:`~lifetools.errors.DisclosureError` naming the column.
    """
    apply_theme()
    protected = require_table(table, count_cols=["Life Rooms users %",
                                                 "Secondary care %"], name="reach",
                              derived=True)
    frame = protected.frame
    part = frame[frame["characteristic"] == characteristic]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * len(part) + 1.5))
    y = np.arange(len(part))[::-1]
    ax.barh(y + 0.2, part["Life Rooms users %"].astype("float64"), height=0.4, color=PALETTE[0],
            label="Life Rooms users")
    ax.barh(y - 0.2, part["Secondary care %"].astype("float64"), height=0.4, color=PALETTE[1],
            hatch="//", edgecolor="white", label="Secondary care caseload")
    ax.set_yticks(y)
    ax.set_yticklabels(part["group"])
    ax.set_xlabel("Per cent of each population (from rounded counts)")
    ax.legend(frameon=False)
    ax.figure.tight_layout()
    mark_protected(ax.figure, rules=protected.rules)
    return ax
