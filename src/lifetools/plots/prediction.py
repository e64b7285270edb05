"""Figures of a prediction model's validation: flexible calibration and decision curves."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from lifetools.disclosure import require_table
from lifetools.disclosure.downloads import PROPORTION_PLACES
from lifetools.disclosure.models import WITHHELD_CELL, WITHHELD_COLUMN
from lifetools.formatting import format_points, format_proportion
from lifetools.labels import with_words
from lifetools.plots.calibration_axes import calibration_axes
from lifetools.plots.theme import (
    MARKERS,
    PALETTE,
    figure_width,
    fit_to_phone,
    legend_below,
    percent_axis,
    redrawable,
)
from lifetools.publication import mark_protected

__all__ = ["model_caption", "plot_calibration_curve", "plot_corrected_calibration",
           "plot_decision_curve"]

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
