"""Survival and cumulative-incidence curves with CI bands and numbers at risk; forests."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from lifetools.disclosure import active_profile, protect_count, require_estimates
from lifetools.plots.theme import MARKERS, PALETTE, apply_theme
from lifetools.publication import mark_protected

__all__ = ["plot_forest", "plot_survival"]


def plot_survival(
    result: Any,
    *,
    ax: Any = None,
    ylabel: str = "Proportion still open",
    xlabel: str = "Days since referral",
    max_time: float | None = None,
) -> Any:
    """Plot KM or cumulative-incidence curves by group, with CI bands and at-risk table.

    Disclosure control (active profile): each curve stops where fewer than its
    ``min_at_risk`` people remain at risk; the numbers at risk under the axis are
    protected counts (by default suppressed 1-7, rounded to 5).
    """
    apply_theme()
    profile = active_profile()
    min_at_risk = profile.min_at_risk
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5))
    summary = result.summary
    groups = list(dict.fromkeys(summary["group"]))
    for i, group in enumerate(groups):
        part = summary[(summary["group"] == group) & (summary["at_risk"] >= min_at_risk)]
        if max_time is not None:
            part = part[part["time"] <= max_time]
        times = np.r_[0.0, part["time"].to_numpy()]
        start = 0.0 if "CIF" in type(result).__name__ else 1.0
        est = np.r_[start, part["estimate"].to_numpy()]
        low = np.r_[start, part["ci_lower"].to_numpy()]
        high = np.r_[start, part["ci_upper"].to_numpy()]
        colour = PALETTE[i % len(PALETTE)]
        ax.step(times, est, where="post", color=colour, label=str(group),
                linestyle=("-", "--", ":", "-.")[i % 4])
        ax.fill_between(times, low, high, step="post", alpha=0.2, color=colour,
                        linewidth=0)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"{xlabel} (numbers at risk rounded to {profile.base})")
    ax.set_ylabel(ylabel)
    if len(groups) > 1:
        ax.legend(frameon=False)
    table = result.at_risk
    if max_time is not None:
        table = table[table["time"] <= max_time]
    rows = []
    for group in list(dict.fromkeys(table["group"])):
        part = table[table["group"] == group]
        cells = [protect_count(int(n), profile=profile) for n in part["at_risk"]]
        rows.append([f"{c:,}" if c is not None else f"<{profile.threshold + 1}"
                     for c in cells])
    ax.table(cellText=rows,
             rowLabels=[f"At risk: {g}" for g in dict.fromkeys(table["group"])],
             colLabels=[f"{t:g}" for t in dict.fromkeys(table["time"])],
             loc="bottom", bbox=[0.0, -0.45, 1.0, 0.08 * (len(rows) + 1)],
             edges="open")
    ax.figure.subplots_adjust(bottom=0.3 + 0.05 * len(rows))
    mark_protected(ax.figure, rules={"min_at_risk": min_at_risk, "at_risk": "rounded",
                                     "profile": profile.name})
    return ax


def plot_forest(
    summary: Any,
    *,
    ax: Any = None,
    label_col: str = "term",
    xlabel: str = "Hazard ratio (95% CI, log scale)",
) -> Any:
    """Forest plot of ratios with 95% CIs on a log scale (model estimates, no counts).

    ``summary``: estimates released by :func:`lifetools.disclosure.model_release`
    (anything else is refused: :func:`lifetools.disclosure.require_estimates`).
    """
    apply_theme()
    frame = require_estimates(summary, name="forest plot").frame
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 * len(frame) + 1.2))
    y = np.arange(len(frame))[::-1]
    ax.errorbar(frame["estimate"], y,
                xerr=[frame["estimate"] - frame["ci_lower"],
                      frame["ci_upper"] - frame["estimate"]],
                fmt=MARKERS[1], color=PALETTE[0], capsize=3)
    ax.axvline(1.0, color="#555555", linewidth=1, linestyle="--")
    ax.set_xscale("log")
    ax.set_yticks(y)
    ax.set_yticklabels(frame[label_col])
    ax.set_xlabel(xlabel)
    ax.figure.tight_layout()
    mark_protected(ax.figure, rules={"content": "model estimates"})
    return ax
