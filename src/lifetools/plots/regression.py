"""Figures for the regression reports: love plot, rates before and after, calibration."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lifetools.disclosure import require_table
from lifetools.plots.theme import MARKERS, PALETTE, apply_theme
from lifetools.publication import mark_protected

__all__ = ["plot_calibration", "plot_love", "plot_rates"]


def plot_love(balance: pd.DataFrame, *, ax: Any = None, threshold: float = 0.1) -> Any:
    """Love plot: |SMD| of each covariate before and after matching (target < 0.1)."""
    apply_theme()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(balance) + 1.5))
    y = np.arange(len(balance))[::-1]
    ax.scatter(balance["smd_before"].abs(), y, marker=MARKERS[0], color=PALETTE[1],
               label="Before matching")
    ax.scatter(balance["smd_after"].abs(), y, marker=MARKERS[1], color=PALETTE[0],
               label="After matching")
    ax.axvline(threshold, color="#555555", linestyle="--", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(balance["covariate"])
    ax.set_xlabel("Absolute standardised mean difference")
    ax.legend(frameon=False, loc="lower right")
    ax.figure.tight_layout()
    mark_protected(ax.figure, rules={"content": "standardised differences (no counts)"})
    return ax


def plot_rates(rates: pd.DataFrame, *, ax: Any = None,
               ylabel: str = "Attendances per person-year") -> Any:
    """Rates with 95% CIs by group and period (before/after first contact).

    ``rates``: a protected table (group, period, rate, ci_lower, ci_upper) made by
    :func:`lifetools.disclosure.rates_table` (see
    :func:`lifetools.reports.emergency.rate_table`); anything else is refused.
    """
    apply_theme()
    protected = require_table(rates, count_cols=["rate", "ci_lower", "ci_upper"],
                              name="rates", derived=True)
    rates = protected.frame
    for col in ("rate", "ci_lower", "ci_upper"):
        rates[col] = rates[col].astype("Float64").astype("float64")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    groups = list(dict.fromkeys(rates["group"]))
    periods = list(dict.fromkeys(rates["period"]))
    width = 0.8 / len(groups)
    for i, group in enumerate(groups):
        part = rates[rates["group"] == group].set_index("period").reindex(periods)
        x = np.arange(len(periods)) + (i - (len(groups) - 1) / 2) * width
        ax.bar(x, part["rate"], width=width, color=PALETTE[i], label=group,
               hatch=("", "//", "..")[i % 3], edgecolor="white")
        ax.errorbar(x, part["rate"], yerr=[part["rate"] - part["ci_lower"],
                                           part["ci_upper"] - part["rate"]],
                    fmt="none", color="black", capsize=3)
    ax.set_xticks(np.arange(len(periods)))
    ax.set_xticklabels(periods)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    ax.figure.tight_layout()
    mark_protected(ax.figure, rules=protected.rules)
    return ax


def plot_calibration(table: pd.DataFrame, *, ax: Any = None) -> Any:
    """Observed against predicted risk by tenth of predicted risk (apparent)."""
    apply_theme()
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="#555555", linestyle="--", linewidth=1,
            label="Perfect calibration")
    ax.plot(table["predicted"], table["observed"], marker=MARKERS[0], color=PALETTE[0],
            label="Model")
    top = float(max(table["predicted"].max(), table["observed"].max()) * 1.1)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("Predicted risk")
    ax.set_ylabel("Observed risk")
    ax.legend(frameon=False)
    ax.figure.tight_layout()
    mark_protected(ax.figure, rules={"content": "group means of at least 10% of people"})
    return ax
