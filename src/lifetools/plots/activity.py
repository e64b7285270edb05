"""Activity figures: the monthly run chart and reach compared with the caseload."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lifetools.disclosure import protect_counts, require_table
from lifetools.formatting import format_count, format_month, format_percentage
from lifetools.labels import label
from lifetools.plots.theme import (
    PALETTE,
    SUPPRESSED_HATCH,
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
from lifetools.spc import part_months, xmr_chart

__all__ = ["mark_suppressed_months", "plot_reach", "plot_run_chart"]


def mark_suppressed_months(ax: Any, months: pd.Series, hidden: np.ndarray) -> int:
    """Shade each suppressed month with a hatched band (legend: suppressed), return how many.

    A line chart cannot draw a hidden count as a point without it reading as a value,
    so the month itself is marked.
    """
    stamps = pd.to_datetime(pd.Series(months)).reset_index(drop=True)
    first = True
    for position in np.flatnonzero(hidden):
        start = stamps.iloc[position]
        end = start + pd.offsets.MonthBegin(1)
        ax.axvspan(start - (end - start) / 2, start + (end - start) / 2, facecolor="none",
                   edgecolor="#767676", hatch=SUPPRESSED_HATCH, linewidth=0,
                   label=suppressed_label() if first else "_nolegend_")
        first = False
    return int(hidden.sum())


@redrawable
def plot_run_chart(monthly: pd.DataFrame, *, x: str = "month", y: str = "contacts",
                   ax: Any = None, ylabel: str = "Contacts per month",
                   period: tuple[str, str] | None = None) -> Any:
    """XmR run chart of protected monthly counts with special-cause points marked.

    Counts are suppressed and rounded, with secondary suppression against the period
    total; a hidden month is shaded as suppressed (not a gap that reads as nothing).
    With ``period`` (its first and last day, ISO), a month it holds only part of is
    left out of the points, the mean and the limits, and the alt text names it
    (:func:`lifetools.spc.part_months`): a part month's count would read as a fall.

    Special-cause points are drawn as larger orange diamonds (shape as well as colour).
    The legend sits under the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), 5))
    # the months add up to the period's total, which is published
    protected = protect_counts(monthly, [y], totals="columns")
    protected, left_out = _whole_months(protected, x, period)
    if not len(protected[x]):  # no months (a small locality with no contacts)
        ax.text(0.5, 0.5, wrap(NO_MONTHS, 28 if is_narrow() else 36), ha="center",
                va="center", transform=ax.transAxes)
        ax.set_axis_off()
        mark_protected(ax.figure, rules=protected.rules,
                       data={"": protected.select([x, y])},
                       alt=f"Run chart of {ylabel.lower()}: {NO_MONTHS}" + left_out)
        return ax
    values = protected[y].astype("Float64").astype(float)
    chart = xmr_chart(values)
    ax.plot(protected[x], chart["value"], color=PALETTE[0], marker="o", markersize=4,
            label="Monthly count")
    special = chart["special_cause"].to_numpy()
    ax.scatter(protected[x][special], chart["value"][special], color=PALETTE[4],
               marker="D", s=60, zorder=3, label="Special cause")
    ax.axhline(chart["mean"].iloc[0], color="#333333", linewidth=1, label="Mean")
    for col in ("upper", "lower"):
        ax.axhline(chart[col].iloc[0], color="#777777", linewidth=1, linestyle="--",
                   label="Process limits" if col == "upper" else "_nolegend_")
    hidden = mark_suppressed_months(ax, protected[x], values.isna().to_numpy())
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Month")
    ax.set_ylim(bottom=0)
    ax.figure.autofmt_xdate()
    legend_below(ax, ncol=2)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    shown = values.dropna()
    alt = (f"Run chart of {ylabel.lower()} over {len(values)} months with the mean and "
           f"process limits. Counts range from {format_count(shown.min())} to "
           f"{format_count(shown.max())}, mean {format_count(round(chart['mean'].iloc[0]))}; "
           f"{_months(int(special.sum()))} with a special cause; {_months(hidden)} "
           "suppressed."
           if len(shown) else f"Run chart of {ylabel.lower()}: every month suppressed.")
    mark_protected(ax.figure, rules=protected.rules, data={"": protected.select([x, y])},
                   alt=alt + left_out)
    return ax


def _whole_months(protected: Any, x: str, period: tuple[str, str] | None
                  ) -> tuple[Any, str]:
    """The rows of the months ``period`` holds every day of (all rows without a
    period), and the alt text's sentence naming the months left out ("" if none).

    Applied after protection: the months were protected as parts of the period's
    total, so dropping one shows less, never more."""
    if period is None:
        return protected, ""
    part = part_months(protected[x], *period)
    if not part.any():
        return protected, ""
    words = list(dict.fromkeys(format_month(m) for m in protected[x][part]))
    names = " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)
    return protected.rows(~part), (f" Not shown: {names}, of which the period holds "
                                   "only some days (its count would read as a fall).")


def _months(n: int) -> str:
    """ "no months", "1 month", "3 months": the run chart's alt text counts months."""
    return "no months" if n == 0 else f"{n} month" + ("" if n == 1 else "s")


@redrawable
def plot_reach(table: pd.DataFrame, *, characteristic: str, ax: Any = None) -> Any:
    """Percentage of Life Rooms users and of the caseload in each group (protected).

    ``table`` must be a protected table whose percentage columns were derived by
    :func:`lifetools.disclosure.protected_shares`; anything else is refused with
    :class:`~lifetools.errors.DisclosureError` naming the column. A suppressed
    percentage is drawn as a hatched placeholder across the axis (legend: suppressed),
    with the word "hidden" and the population on it, so that it reads as hidden, never
    as zero. A breakdown left with one group (every group shown on its own would give
    a hidden count away, so all were combined: 100% of each population) is no
    breakdown: no bar is drawn, the axes say why in words and the alt text says no
    bars are drawn.
    """
    columns = ["Life Rooms users %", "Secondary care %"]
    protected = require_table(table, count_cols=columns, name="reach", derived=True)
    frame = protected.frame
    part = frame[frame["characteristic"] == characteristic]
    if len(part) == 1:
        return _no_breakdown(protected, characteristic, ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), 0.75 * len(part) + 2.6))
    y = np.arange(len(part))[::-1]
    values = {c: part[c].astype("Float64").astype("float64") for c in columns}
    top = max(float(np.nanmax(v)) if v.notna().any() else 0.0 for v in values.values())
    top = max(top * 1.1, 1.0)
    hidden = []
    for offset, column, colour, hatch, name in (
            (0.2, columns[0], PALETTE[0], "", "Life Rooms users"),
            (-0.2, columns[1], PALETTE[1], "//", "Secondary care caseload")):
        ax.barh(y + offset, values[column], height=0.4, color=colour, hatch=hatch,
                edgecolor="white", label=name)
        missing = values[column].isna().to_numpy()
        if missing.any():
            suppressed_patch(ax, (y + offset)[missing], 0.4, top, horizontal=True)
            for at in (y + offset)[missing]:
                ax.text(0.02 * top, at, f"{name}: hidden", va="center", ha="left",
                        color="#3b3b3b",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
            hidden += [f"{name}, {g}" for g in part["group"][missing]]
    ax.set_xlim(0, top)
    ax.set_yticks(y)
    ax.set_yticklabels([wrap(label(str(g)), 22) for g in part["group"]])
    ax.set_xlabel("Per cent of each population\n(from rounded counts)",
                  loc="right" if is_narrow() else "center")  # narrow: over the labels
    legend_below(ax)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    shown = [f"{g}: users {format_percentage(u, missing='suppressed')}, caseload "
             f"{format_percentage(c, missing='suppressed')}"
             for g, u, c in zip(part["group"], values[columns[0]], values[columns[1]],
                                strict=True)]
    alt = (f"Horizontal bars of the percentage of Life Rooms users and of the secondary "
           f"care caseload by {characteristic.lower()}. " + "; ".join(shown) + "."
           + (f" {suppressed_label()}: {'; '.join(hidden)}." if hidden else "")
           + _sums_sentence(values))
    mark_protected(ax.figure, rules=protected.rules, data={"": protected}, alt=alt)
    return ax


def _sums_sentence(values: dict[str, pd.Series]) -> str:
    """The alt text's words on a population whose drawn percentages do not add up to
    100.0: each count and the total are rounded on their own (the reach chart at
    30,000 people drew Life Rooms users' percentages adding to 101.7% and said nothing).
    A population with a hidden percentage has no sum to state."""
    words = {"Life Rooms users %": "Life Rooms users",
             "Secondary care %": "the secondary care caseload"}
    said = []
    for column, series in values.items():
        if series.isna().any():
            continue
        total = round(float(series.sum()), 1)
        if total != 100.0:
            said.append(f"The percentages of {words.get(column, column)} add up to "
                        f"{format_percentage(total)}, not {format_percentage(100.0)}, "
                        "because each count and the total are rounded on their own.")
    return "".join(" " + s for s in said)


NO_MONTHS = "no whole months with contacts in this group to show."
"""What a run chart of no months says (:func:`plot_run_chart`)."""

NO_BREAKDOWN = ("No breakdown is drawn: each group on its own would give a hidden count "
                "away, so all groups are combined (the whole of each population)")
"""What the reach chart says in place of a breakdown left with one group."""


def _no_breakdown(protected: Any, characteristic: str, ax: Any) -> Any:
    """The reach chart of a breakdown left with one group: words in place of bars."""
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), 2.6))
    ax.text(0.5, 0.5, wrap(NO_BREAKDOWN, 28 if is_narrow() else 36), ha="center",
            va="center", transform=ax.transAxes, fontstyle="italic")
    ax.set_axis_off()
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    alt = (f"Chart of the percentage of Life Rooms users and of the secondary care "
           f"caseload by {characteristic.lower()} with no bars drawn. {NO_BREAKDOWN}.")
    mark_protected(ax.figure, rules=protected.rules, data={"": protected}, alt=alt)
    return ax
