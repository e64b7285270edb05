"""Figures for the regression reports: love plot, rates before and after, calibration."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lifetools.disclosure import require_table
from lifetools.formatting import format_points, format_proportion, format_ratio
from lifetools.labels import label
from lifetools.plots.calibration_axes import calibration_axes
from lifetools.plots.theme import (
    MARKERS,
    PALETTE,
    figure_width,
    fit_to_phone,
    is_narrow,
    legend_below,
    redrawable,
    suppressed_label,
    suppressed_patch,
    wrap,
)
from lifetools.publication import mark_protected
from lifetools.regression import logistic
from lifetools.regression.logistic import calibration_points

__all__ = ["plot_calibration", "plot_love", "plot_rates"]


@redrawable
def plot_love(balance: pd.DataFrame, *, ax: Any = None, threshold: float = 0.1) -> Any:
    """Love plot: |SMD| of each covariate before and after matching (target < 0.1).

    Notes
    -----
    Covariates read through :func:`lifetools.labels.label`; the alt text counts the
    covariates under ``threshold`` after matching from the data drawn (checked in
    ``tests/unit/test_plots.py``).
    """
    names = [label(str(c)) for c in balance["covariate"]]
    wrapped = [wrap(n, 24) for n in names]
    if ax is None:
        lines = sum(n.count("\n") + 1 for n in wrapped)
        height = 0.24 * lines + 0.12 * len(names) + 2.2
        if is_narrow():  # rows evenly spaced: room for the longest label on each
            most = max((n.count("\n") + 1 for n in wrapped), default=1)
            height = max(height, len(names) * (0.24 * most + 0.14) + 2.6)
        _, ax = plt.subplots(figsize=(figure_width(), height))
    y = np.arange(len(balance))[::-1]
    before = balance["smd_before"].astype(float).abs()
    after = balance["smd_after"].astype(float).abs()
    ax.scatter(before, y, marker=MARKERS[0], color=PALETTE[1], s=45,
               label="Before matching")
    matched = bool(after.notna().any())
    ax.scatter(after, y, marker=MARKERS[1], color=PALETTE[0], s=45,
               label="After matching" if matched else "After matching: no one matched")
    ax.axvline(threshold, color="#555555", linestyle="--", linewidth=1,
               label=f"Target: under {threshold:g}")
    ax.set_yticks(y)
    ax.set_yticklabels(wrapped)
    ax.set_xlim(left=0)
    ax.set_xlabel("Absolute standardised\nmean difference",
                  loc="right" if is_narrow() else "center")  # narrow: over the labels
    legend_below(ax)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    balanced = int((after < threshold).sum())
    known = int(after.notna().sum())
    worst = after.idxmax() if known else None
    alt = (f"Dot plot of the absolute standardised difference of {len(names)} "
           f"characteristics before and after matching, with a dashed line at "
           f"{threshold:g}. " + (
               # no "k of n": the gate's k-of-n rule reads it as a share of people
               (f"After matching all {known} are under {threshold:g}" if balanced == known
                else f"After matching {known - balanced} "
                f"{'is' if known - balanced == 1 else 'are'} at or above {threshold:g}")
               + (f"; the largest is {names[balance.index.get_loc(worst)]} at "
                  f"{format_ratio(after[worst])}." if worst is not None else ".")
               if matched else "No one was matched, so only the differences before "
               "matching are drawn."))
    data = pd.DataFrame({"characteristic": names, "smd_before": before.round(4),
                         "smd_after": after.round(4)})
    mark_protected(ax.figure, rules={"content": "standardised differences (no counts)"},
                   data={"": require_table(data, name="balance")}, alt=alt)
    return ax


@redrawable
def plot_rates(rates: pd.DataFrame, *, ax: Any = None,
               ylabel: str = "Attendances per person-year") -> Any:
    """Rates with 95% CIs by group and period (before and after the index date).

    ``rates``: a protected table (group, period, rate, ci_lower, ci_upper) made by
    :func:`lifetools.disclosure.rates_table` (see
    :func:`lifetools.reports.emergency.rate_table`); anything else is refused.

    Notes
    -----
    A suppressed rate is drawn as a hatched grey placeholder the height of the axis
    with a legend entry "Hidden to protect privacy", never as a missing (zero-looking)
    bar. The legend sits under the axes. Checked in ``tests/unit/test_plots.py``.
    """
    protected = require_table(rates, count_cols=["rate", "ci_lower", "ci_upper"],
                              name="rates", derived=True)
    frame = protected.frame
    for col in ("rate", "ci_lower", "ci_upper"):
        frame[col] = frame[col].astype("Float64").astype("float64")
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), 5))
    if frame.empty:  # no rows (a small locality's cohort): said in words, no bars
        ax.text(0.5, 0.5, wrap(NO_RATES, 28 if is_narrow() else 36), ha="center",
                va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(ylabel)
        mark_protected(ax.figure, rules=protected.rules, data={"": protected},
                       alt=f"Bar chart of {ylabel.lower()} by group and period. {NO_RATES}")
        return ax
    groups = list(dict.fromkeys(frame["group"]))
    periods = list(dict.fromkeys(frame["period"]))
    width = 0.8 / len(groups)
    top = float(np.nanmax(frame["ci_upper"])) * 1.1 if frame["ci_upper"].notna().any() else 1
    hidden = []
    for i, group in enumerate(groups):
        part = frame[frame["group"] == group].set_index("period").reindex(periods)
        x = np.arange(len(periods)) + (i - (len(groups) - 1) / 2) * width
        ax.bar(x, part["rate"], width=width, color=PALETTE[i], label=label(str(group)),
               hatch=("", "//", "..")[i % 3], edgecolor="white")
        ax.errorbar(x, part["rate"], yerr=[part["rate"] - part["ci_lower"],
                                           part["ci_upper"] - part["rate"]],
                    fmt="none", color="black", capsize=3)
        missing = part["rate"].isna().to_numpy()
        hidden += [f"{label(str(group))}, {label(str(p))}"
                   for p, m in zip(periods, missing, strict=True) if m]
        if missing.any():
            suppressed_patch(ax, x[missing], width, top)
    ax.set_ylim(0, top)
    ax.set_xticks(np.arange(len(periods)))
    ax.set_xticklabels([wrap(label(str(p)), 16) for p in periods])
    ax.set_ylabel(ylabel)
    legend_below(ax)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    shown = [f"{label(str(r.group))}, {label(str(r.period))}: {format_ratio(r.rate)} "
             f"({format_ratio(r.ci_lower)} to {format_ratio(r.ci_upper)})"
             for r in frame.itertuples() if pd.notna(r.rate)]
    alt = (f"Bar chart of {ylabel.lower()} with 95% confidence intervals, by group and "
           "period." + (" " + "; ".join(shown) + "." if shown else "")
           + (f" {suppressed_label()}: {'; '.join(hidden)}." if hidden else ""))
    mark_protected(ax.figure, rules=protected.rules, data={"": protected}, alt=alt)
    return ax


NO_RATES = "No rates to show: too few people in this group."
"""What an empty rates figure says (:func:`plot_rates` of a table of no rows)."""


@redrawable
def plot_calibration(table: pd.DataFrame, *, ax: Any = None) -> Any:
    """Observed against predicted risk by tenth of predicted risk (apparent).

    An empty ``table`` (a withheld model: ``EmergencyReport.calibration``) draws only
    the line of perfect calibration.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), figure_width()))
    if table.empty:  # the model was withheld by its release check, or not fitted
        calibration_axes(ax, None, line_to=1.0)
        mark_protected(ax.figure, rules={"content": "no model output (withheld)"},
                       data={}, alt="No calibration is shown: the model was withheld by "
                       "its release check or could not be fitted (the text says why).")
        return ax

    def draw(ax: Any) -> None:
        ax.plot(table["predicted"], table["observed"], marker=MARKERS[0],
                color=PALETTE[0], label="Model")

    top = float(max(table["predicted"].max(), table["observed"].max()) * 1.1)
    calibration_axes(ax, top, draw, line_to=1.0)
    data = calibration_points(table)  # the page's sentence judges these too
    gap = (data["observed"] - data["predicted"]).abs()
    alt = (f"Observed against predicted risk in {len(data)} groups of predicted risk, "
           "with a dashed line of perfect calibration. Predicted risks run from "
           f"{format_proportion(data['predicted'].min(), places=logistic.CALIBRATION_DIGITS)} to "
           f"{format_proportion(data['predicted'].max(), places=logistic.CALIBRATION_DIGITS)}; the largest gap between observed "
           f"and predicted is {format_points(gap.max(), places=logistic.CALIBRATION_DIGITS)}.")
    mark_protected(ax.figure, rules={"content": "group means of at least 10% of people"},
                   data={"": require_table(data, name="calibration")}, alt=alt)
    return ax
