"""Figures for the reports: one function per figure kind, ``ax=None`` in, Axes out.

Every ``plot_*`` function protects the counts it draws (disclosure control) and marks
its figure, and :func:`show_figure` publishes only marked figures, with alt text and a
caption, stamped for the publish gate.
"""

from __future__ import annotations

from lifetools.plots.activity import plot_reach, plot_run_chart
from lifetools.plots.description import plot_monthly_counts
from lifetools.plots.prediction import (
    model_caption,
    plot_calibration_curve,
    plot_corrected_calibration,
    plot_decision_curve,
    plot_group_calibration,
)
from lifetools.plots.regression import plot_calibration, plot_love, plot_rates
from lifetools.plots.survival import plot_forest, plot_survival, survival_curve_table
from lifetools.publication import show_figure

__all__ = ["plot_calibration", "plot_forest", "plot_love", "plot_monthly_counts",
           "plot_rates", "plot_reach", "plot_run_chart", "plot_survival", "show_figure",
           "plot_calibration_curve", "plot_corrected_calibration", "plot_decision_curve",
           "plot_group_calibration", "model_caption",
           "survival_curve_table"]
