"""Figures of a prediction model's validation: flexible calibration and decision curves."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from lifetools.disclosure import require_table
from lifetools.formatting import format_ratio
from lifetools.labels import with_words
from lifetools.plots.theme import (
    MARKERS,
    PALETTE,
    apply_theme,
    figure_width,
    fit_to_phone,
    legend_below,
    redrawable,
)
from lifetools.publication import mark_protected

__all__ = ["plot_calibration_curve", "plot_decision_curve"]


@redrawable
def plot_calibration_curve(curve: pd.DataFrame, *, ax: Any = None) -> Any:
    """Flexible calibration curve with its 95% band (from ``calibration_curve``).

    The curve is a model (spline logistic regression) evaluated on a grid of predicted
    risks, not a plot of people or groups; nothing in it is a count.
    """
    apply_theme()
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), figure_width()))
    top = float(max(curve["predicted"].max(), curve["ci_upper"].max()) * 1.05)
    ax.plot([0, top], [0, top], color="#555555", linestyle="--", linewidth=1,
            label="Perfect calibration")
    ax.fill_between(curve["predicted"], curve["ci_lower"], curve["ci_upper"],
                    color=PALETTE[0], alpha=0.2, label="95% band")
    ax.plot(curve["predicted"], curve["observed"], marker=MARKERS[0], color=PALETTE[0],
            label="Flexible calibration")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("Predicted risk")
    ax.set_ylabel("Observed risk")
    legend_below(ax)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    data = curve[["predicted", "observed", "ci_lower", "ci_upper"]].astype(float).round(4)
    gap = (data["observed"] - data["predicted"]).abs()
    alt = ("Flexible calibration curve of observed against predicted risk with its 95% "
           "band and a dashed line of perfect calibration, over predicted risks from "
           f"{format_ratio(data['predicted'].min())} to "
           f"{format_ratio(data['predicted'].max())}; the largest gap between observed "
           f"and predicted is {format_ratio(gap.max())}.")
    mark_protected(ax.figure, rules={"content": "a fitted curve, no counts"},
                   data={"": require_table(data.reset_index(drop=True),
                                           name="calibration")}, alt=alt)
    return ax


@redrawable
def plot_decision_curve(table: pd.DataFrame, *, ax: Any = None) -> Any:
    """Net benefit of the model, treat-all and treat-none by threshold (``net_benefit``)."""
    apply_theme()
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), 5))
    ax.plot(table["threshold"], table["model"], marker=MARKERS[0], color=PALETTE[0],
            label="Model")
    ax.plot(table["threshold"], table["treat_all"], marker=MARKERS[1], color=PALETTE[1],
            label="Treat all")
    ax.plot(table["threshold"], table["treat_none"], color="#555555", linestyle="--",
            label="Treat none")
    low = min(0.0, float(table["model"].min()))
    high = float(max(table["model"].max(), table["treat_all"].max())) * 1.1
    ax.set_ylim(low - 0.02, high)
    ax.set_xlabel("Risk threshold")
    ax.set_ylabel("Net benefit")
    legend_below(ax)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    data = table[["threshold", "model", "treat_all", "treat_none"]].astype(float).round(5)
    better = data[(data["model"] > data["treat_all"]) & (data["model"] > data["treat_none"])]
    words = with_words("net benefit")
    alt = (f"{words[:1].upper()}{words[1:]} of the model, of treating everyone and of "
           f"treating no one at "
           f"{len(data)} risk thresholds from {format_ratio(data['threshold'].min())} to "
           f"{format_ratio(data['threshold'].max())}. "
           + (f"The model has the highest net benefit at {len(better)} of them, between "
              f"{format_ratio(better['threshold'].min())} and "
              f"{format_ratio(better['threshold'].max())}." if len(better) else
              "The model never has the highest net benefit."))
    mark_protected(ax.figure, rules={"content": "net benefit per person, no counts"},
                   data={"": require_table(data.reset_index(drop=True),
                                           name="decision")}, alt=alt)
    return ax
