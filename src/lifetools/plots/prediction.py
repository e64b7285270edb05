"""Figures of a prediction model's validation: flexible calibration and decision curves."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from lifetools.disclosure import require_table
from lifetools.disclosure.downloads import PROPORTION_PLACES
from lifetools.disclosure.models import WITHHELD_CELL, WITHHELD_COLUMN
from lifetools.formatting import format_points, format_proportion
from lifetools.labels import DEPRIVATION_FIFTHS, with_words
from lifetools.plots.calibration_axes import calibration_axes
from lifetools.plots.theme import (
    MARKERS,
    PALETTE,
    figure_width,
    fit_to_phone,
    legend_below,
    percent_axis,
    redrawable,
    wrap,
)
from lifetools.publication import mark_protected

__all__ = ["model_caption", "plot_calibration_curve", "plot_corrected_calibration",
           "plot_decision_curve", "plot_group_calibration"]

CALIBRATION_COLUMNS = ("predicted", "observed", "ci_lower", "ci_upper")


def _risk(value: float) -> str:
    """A drawn risk in an alt text: in per cent, as the download publishes it, a
    proportion to :data:`~lifetools.disclosure.downloads.PROPORTION_PLACES` places
    ("6.3%" for "0.063"; at 2 places it read "6.0%" beside the page's table's "6.3%"
    until wave 41)."""
    return format_proportion(value, places=PROPORTION_PLACES)


def _gap(value: float) -> str:
    """A gap between two drawn risks: percentage points, as published ("3.1 percentage
    points")."""
    return format_points(value, places=PROPORTION_PLACES)


def _released(table: Any, name: str) -> tuple[pd.DataFrame, str]:
    """The released table's frame and why its model's columns are blank ("" if shown).

    ``table`` is what :func:`lifetools.disclosure.model_outputs` made (a plain frame is
    protected as :func:`lifetools.disclosure.require_table` does); the reason is the
    table's :data:`~lifetools.disclosure.WITHHELD_COLUMN`, the release record's words.
    """
    frame = require_table(table, name=name).frame
    why = ""
    if WITHHELD_COLUMN in frame.columns and len(frame):
        why = str(frame[WITHHELD_COLUMN].iloc[0])
    return frame, why


def model_caption(table: Any, caption: str) -> str:
    """A model figure's caption: ``caption``, and when the table's model was withheld,
    that its curves are not shown and why (the release record's words)."""
    _, why = _released(table, "figure")
    return f"{caption}. The model's curves are not shown: {why}." if why else caption


def _drawn(table: Any, data: pd.DataFrame, name: str) -> Any:
    """The data a figure of released model outputs draws (``data``: columns of
    ``table``, row for row, rounded), protected, with the cells of a model the model
    release rule withheld recorded as such
    (:data:`~lifetools.disclosure.models.WITHHELD_CELL`): its download writes them
    ``[c]``, as the page's table of the same outputs (:func:`lifetools.tables.show_table`),
    where it wrote ``[x]`` until wave 42."""
    record = require_table(table, name=name).record
    return require_table(data.reset_index(drop=True), name=name).withheld(
        [(row, column) for row, column, why in record.suppressed
         if why == WITHHELD_CELL and column in data.columns], WITHHELD_CELL)


@redrawable
def plot_calibration_curve(curve: Any, *, ax: Any = None) -> Any:
    """Flexible calibration curve with its 95% band (from ``calibration_curve``).

    ``curve`` is the released table (:func:`lifetools.disclosure.model_outputs`): when
    its model was withheld its columns are blank and the figure draws no curve, only
    the line of perfect calibration, and its alt text says the curve is not shown and
    why. The curve is a model (spline logistic regression) evaluated on a grid of
    predicted risks, not a plot of people or groups; nothing in it is a count.
    """
    frame, why = _released(curve, "calibration")
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), figure_width()))
    data = frame[list(CALIBRATION_COLUMNS)].astype(float).round(4)
    shown = not why and data.notna().any().all()
    top = float(max(data["predicted"].max(), data["ci_upper"].max()) * 1.05) \
        if shown else 1.0

    def draw(ax: Any) -> None:
        ax.fill_between(data["predicted"], data["ci_lower"], data["ci_upper"],
                        color=PALETTE[0], alpha=0.2, label="95% band")
        ax.plot(data["predicted"], data["observed"], marker=MARKERS[0], color=PALETTE[0],
                label="Flexible calibration")

    calibration_axes(ax, top, draw if shown else None,
                     absent="The model's curve is not shown")
    if shown:
        gap = (data["observed"] - data["predicted"]).abs()
        alt = ("Flexible calibration curve of observed against predicted risk with its "
               "95% band and a dashed line of perfect calibration, over predicted risks "
               f"from {_risk(data['predicted'].min())} to "
               f"{_risk(data['predicted'].max())}; the largest gap between "
               f"observed and predicted is {_gap(gap.max())}.")
    else:
        alt = ("A dashed line of perfect calibration only: the model's calibration curve "
               f"is not shown: {why or 'the model made no curve'}.")
    mark_protected(ax.figure, rules={"content": "a fitted curve, no counts"},
                   data={"": _drawn(curve, data, "calibration")}, alt=alt,
                   proportions={"": list(CALIBRATION_COLUMNS)})
    return ax


@redrawable
def plot_corrected_calibration(curve: Any, *, ax: Any = None) -> Any:
    """Apparent and optimism-corrected calibration curves (internal validation).

    ``curve`` is the released table of ``predicted``, ``apparent`` and ``corrected``
    (:func:`lifetools.reports.crisis_internal.internal_calibration_table` through
    :func:`lifetools.disclosure.model_outputs`): when its model was withheld its
    columns are blank and the figure draws only the line of perfect calibration, its
    alt text saying why. Both curves are smooths evaluated on a grid of round predicted
    risks, not a plot of people or groups; nothing in it is a count.
    """
    frame, why = _released(curve, "internal calibration")
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), figure_width()))
    data = frame[["predicted", "apparent", "corrected"]].astype(float).round(4)
    shown = not why and len(data) > 0 and data.notna().any().all()
    top = float(data.max().max() * 1.05) if shown else 1.0

    def draw(ax: Any) -> None:
        ax.plot(data["predicted"], data["apparent"], marker=MARKERS[1], color=PALETTE[1],
                label="Apparent (the development cohort)")
        ax.plot(data["predicted"], data["corrected"], marker=MARKERS[0], color=PALETTE[0],
                label="Corrected for optimism (bootstrap)")

    calibration_axes(ax, top, draw if shown else None,
                     absent="The model's curves are not shown")
    if shown:
        gap = (data["corrected"] - data["predicted"]).abs()
        alt = ("Apparent and optimism-corrected calibration curves of observed against "
               "predicted risk in the development cohort, with a dashed line of perfect "
               "calibration, over predicted risks from "
               f"{_risk(data['predicted'].min())} to "
               f"{_risk(data['predicted'].max())}; the largest gap between the "
               f"corrected curve and predicted risk is {_gap(gap.max())}.")
    else:
        alt = ("A dashed line of perfect calibration only: the model's calibration curves "
               f"are not shown: {why or 'the model made no curve'}.")
    mark_protected(ax.figure, rules={"content": "fitted curves, no counts"},
                   data={"": _drawn(curve, data, "internal calibration")}, alt=alt,
                   proportions={"": ["predicted", "apparent", "corrected"]})
    return ax


@redrawable
def plot_decision_curve(table: Any, *, ax: Any = None) -> Any:
    """Net benefit of the model, treat-all and treat-none by threshold (``net_benefit``).

    ``table`` is the released table (:func:`lifetools.disclosure.model_outputs`): when
    its model was withheld its ``model`` column is blank and the figure draws treat-all
    and treat-none only; the alt text says the model's curve is not shown and why.
    The data published beside the figure are the table's columns drawn, with its
    protection record (treat-all from published counts, ``treat_all=`` of
    :func:`~lifetools.disclosure.model_outputs`), which the publish gate verifies.
    """
    frame, why = _released(table, "decision")
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), 5))
    columns = ["threshold", "model", "treat_all", "treat_none"]
    data = frame[columns].astype(float).round(5)
    shown = not why and bool(data["model"].notna().any())
    if shown:
        ax.plot(data["threshold"], data["model"], marker=MARKERS[0], color=PALETTE[0],
                label="Model")
    ax.plot(data["threshold"], data["treat_all"], marker=MARKERS[1], color=PALETTE[1],
            label="Treat all")
    ax.plot(data["threshold"], data["treat_none"], color="#555555", linestyle="--",
            label="Treat none")
    drawn = data["model"] if shown else data["treat_all"]
    low = min(0.0, float(drawn.min()))
    top = pd.Series([drawn.max(), data["treat_all"].max()], dtype=float).max()
    high = float(top) * 1.1 if pd.notna(top) else 0.1  # treat-all hidden with its counts
    ax.set_ylim(low - 0.02, high)
    ax.set_xlabel("Risk threshold")
    ax.set_ylabel("Net benefit")
    percent_axis(ax.xaxis)  # a threshold is a risk, in per cent; net benefit stays as it is
    legend_below(ax)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    words = with_words("net benefit")
    thresholds = (f"{len(data)} risk thresholds from "
                  f"{_risk(data['threshold'].min())} to "
                  f"{_risk(data['threshold'].max())}")
    if shown:
        better = data[(data["model"] > data["treat_all"])
                      & (data["model"] > data["treat_none"])]
        alt = (f"{words[:1].upper()}{words[1:]} of the model, of treating everyone and "
               f"of treating no one at {thresholds}. "
               + (f"The model has the highest net benefit at {len(better)} of them, "
                  f"between {_risk(better['threshold'].min())} and "
                  f"{_risk(better['threshold'].max())}." if len(better) else
                  "The model never has the highest net benefit."))
    else:
        alt = (f"{words[:1].upper()}{words[1:]} of treating everyone and of treating no "
               f"one at {thresholds}. The model's curve is not shown: "
               f"{why or 'the model made no curve'}.")
    # the data drawn, published with the table's record: the gate recomputes its
    # treat-all column from the published counts the record keeps, as on the page
    mark_protected(ax.figure, rules={"content": "net benefit per person, no counts"},
                   data={"": require_table(table, name="decision").select(columns)},
                   alt=alt, proportions={"": ["threshold"]})
    return ax


GROUP_COLUMNS = ("characteristic", "group", "predicted", "observed")
"""The columns a figure of calibration by group draws: each group's curve."""

DEPRIVATION = "IMD quintile (1 = most deprived)"
"""The fairness table's words for the deprivation grouping, whose fifths the figure
names in words ("Most deprived fifth"), not by their codes."""


def _group_name(characteristic: str, group: str) -> str:
    """A group as a legend names it: a deprivation fifth in words, any other as the
    table's group."""
    if characteristic == DEPRIVATION and group in DEPRIVATION_FIFTHS:
        words = DEPRIVATION_FIFTHS[group].removeprefix("the ")
        return words[:1].upper() + words[1:]
    return group


def _panel_title(characteristic: str) -> str:
    """A panel's title: the grouping, deprivation without its code's key."""
    return "Deprivation fifth (IMD)" if characteristic == DEPRIVATION else characteristic


@redrawable
def plot_group_calibration(curves: Any, *, ax: Any = None) -> Any:
    """Flexible calibration curves by group: one panel per grouping, one curve a group.

    ``curves`` is the released table of
    :func:`lifetools.reports.crisis_fairness.group_calibration_curves` (through
    :func:`lifetools.disclosure.model_outputs`): ``characteristic``, ``group``,
    ``predicted``, ``observed`` (and the band, not drawn: each group's intervals are
    the fairness table's). Only groups with at least the disclosure threshold of
    people with and without the outcome have rows, so no smaller group is drawn; each
    curve is a model evaluated at whole percentages of risk, not people. The panels
    are stacked (a phone's width each); returns the first panel's axes. When the model
    was withheld (or no group has a curve) one panel draws only the line of perfect
    calibration, and the alt text says why (the release record's words). ``ax`` must be None: the figure is its own
    panels.
    """
    if ax is not None:
        raise ValueError("plot_group_calibration draws its own panels: call it without ax")
    frame, why = _released(curves, "calibration by group")
    data = frame[list(GROUP_COLUMNS)].copy()
    data[["predicted", "observed"]] = data[["predicted", "observed"]].astype(float).round(4)
    shown = not why and len(data) > 0 and data[["predicted", "observed"]].notna().all().all()
    # one panel a grouping; no curve drawn: one panel saying so
    panels = list(dict.fromkeys(data["characteristic"])) if shown else [""]
    top = float(data[["predicted", "observed"]].max().max() * 1.05) if shown else 1.0
    # narrower and shorter than the other figures: the page of a released model
    # weighed over its 1 MB with panels of 4.9 x 5.2 in (12,000 people, wave 44)
    fig, axes = plt.subplots(len(panels), 1, squeeze=False,
                             figsize=(min(figure_width(), 4.0), 3.4 * len(panels)))
    for panel, one in zip(panels, axes[:, 0], strict=True):
        part = data[data["characteristic"] == panel]

        def draw(one: Any, part: pd.DataFrame = part, panel: str = panel) -> None:
            for i, (group, rows) in enumerate(part.groupby("group", sort=False)):
                one.plot(rows["predicted"], rows["observed"], color=PALETTE[i % len(PALETTE)],
                         marker=MARKERS[i % len(MARKERS)], markersize=5,
                         label=_group_name(panel, str(group)))

        if panel:
            one.set_title(wrap(_panel_title(panel), 30))
        calibration_axes(one, top, draw if shown else None,
                         absent="The model's curves are not shown")
    mark_protected(fig, rules={"content": "fitted curves of groups of at least the "
                                          "threshold, no counts"},
                   data={"": _drawn(curves, data, "calibration by group")},
                   alt=_group_alt(data, panels, why if not shown else ""),
                   proportions={"": ["predicted", "observed"]})
    return axes[0, 0]


def _group_alt(data: pd.DataFrame, panels: list[str], why: str) -> str:
    """The alt text of :func:`plot_group_calibration`: each panel's groups and the
    group whose curve lies furthest from perfect calibration, by how much."""
    if why or not len(data):
        return ("A dashed line of perfect calibration only: the calibration curves by "
                f"group are not shown: {why or 'no group has a curve'}.")
    said = []
    for panel in panels:
        part = data[data["characteristic"] == panel].assign(
            gap=lambda d: (d["observed"] - d["predicted"]).abs())
        names = [_group_name(panel, str(g)) for g in dict.fromkeys(part["group"])]
        worst = part.loc[part["gap"].idxmax()]
        said.append(f"{_panel_title(panel)}: {len(names)} groups ("
                    + ", ".join(names) + "); the largest gap between observed and "
                    f"predicted is {_gap(worst['gap'])}, for "
                    f"{_group_name(panel, str(worst['group']))}.")
    return ("Flexible calibration curves of observed against predicted risk, one panel "
            "per grouping and one curve per group with enough people with and without "
            "the outcome, each with a dashed line of perfect calibration, over predicted "
            f"risks from {_risk(data['predicted'].min())} to "
            f"{_risk(data['predicted'].max())}. " + " ".join(said))
