"""Figures for the population description report."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from lifetools.disclosure import protect_counts
from lifetools.plots.theme import PALETTE
from lifetools.publication import mark_protected

__all__ = ["plot_monthly_counts"]


def _palette(n: int) -> list:
    return list(PALETTE)[:n]


def plot_monthly_counts(
    monthly: pd.DataFrame,
    *,
    x: str = "month",
    y: str = "referrals",
    hue: str | None = "team",
    ylabel: str = "Referrals received per month",
    ax: Any = None,
) -> Any:
    """Plot monthly counts as lines (one per ``hue`` group), after disclosure control.

    Counts of 1 to 7 are suppressed (drawn as gaps), with secondary suppression against
    the period total, and the rest rounded to the nearest 5 before plotting; markers
    differ by group so colour is not the only cue.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    # the months add up to the period's total, which is published
    protected = protect_counts(monthly, [y], totals="columns")
    data = protected.frame
    data[y] = data[y].astype("Float64").astype("float64")
    groups = sorted(data[hue].unique()) if hue else [None]
    sns.lineplot(data=data, x=x, y=y, hue=hue, hue_order=groups if hue else None,
                 style=hue, markers=True, dashes=False, ax=ax,
                 palette=_palette(len(groups)) if hue else None)
    ax.set_xlabel("Month")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    if hue:
        ax.legend(title=None, frameon=False)
    ax.figure.tight_layout()
    mark_protected(ax.figure, rules=protected.rules)
    return ax
