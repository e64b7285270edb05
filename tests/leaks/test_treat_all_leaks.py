"""A decision curve's net benefit of treating everyone, verified by the gate (issue 12,
wave 22).

Wave 21 declared the crisis report's treat-all column an ``inputs=`` column of
``model_outputs``: computed from the exact prevalence and published whether or not the
model was released, it passed the gate as an input. At two decimal places its nine
cells narrowed the validation cohort's crises to one count beside their rounded
count. Treat-all is now made from the published counts (``model_outputs(treat_all=)``)
and the gate recomputes every cell, page and downloads, from the counts its stamp
records (``treat-all-not-from-published-counts``); one no rule made is refused.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from runfolder import RunFolder, display
from test_leaks import refused

from lifetools import plots, publication, tables
from lifetools.disclosure import model_outputs, protect_counts
from lifetools.labels import column_label
from lifetools.pipeline.gate import scan_notebook
from lifetools.prediction.performance import net_benefit

matplotlib.use("Agg")
RULE = "treat-all-not-from-published-counts"
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
EVENTS, PEOPLE = 22, 104  # published as 20 of 105


def _curve():
    y = np.zeros(PEOPLE)
    y[:EVENTS] = 1
    return net_benefit(y, np.random.default_rng(3).random(PEOPLE), THRESHOLDS)


def _decision():
    return model_outputs(_curve(), {}, not_counts=["model", "treat_none"],
                         inputs=["threshold"], treat_all=(EVENTS, PEOPLE))


def cohort(run: RunFolder) -> int:
    """The cohort's counts, published (20 of 105): the gate finds the counts a curve's
    record names in the report's tables (wave 23)."""
    table = protect_counts(pd.DataFrame({"cohort": ["validation"], "people": [PEOPLE],
                                         "crises": [EVENTS]}), ["people", "crises"])
    assert table.frame[["people", "crises"]].iloc[0].tolist() == [105, 20]
    return run.code(display(tables.show_table(table, name="cohort", count_cols=[
        "people", "crises"], caption="The validation cohort")))


def _show(run: RunFolder, table) -> int:
    return run.code(display(tables.show_table(
        table, name="decision-curve", not_counts=["treat_none"],
        caption="Net benefit by threshold")))


def _figure(run: RunFolder, table) -> int:
    ax = plots.plot_decision_curve(table)
    shown = publication.show_figure(ax, name="decision-curve", caption="Decision curve")
    plt.close(ax.figure)
    return run.code(display(shown))


def _exact(row: int) -> str:
    """The row's treat-all from the exact prevalence, as the page writes it."""
    return f"{_curve()['treat_all'].iloc[row]:.2f}"


def _edit_row(path, row: int, column: str, value: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    head = lines[0].rstrip("\n").split(",")
    cells = lines[row + 1].rstrip("\n").split(",")
    assert cells[head.index(column)] != value
    cells[head.index(column)] = value
    lines[row + 1] = ",".join(cells) + "\n"
    path.write_text("".join(lines))


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return RunFolder(tmp_path, monkeypatch)


def test_treat_all_leaks_rule_made_curve_passes_page_table_and_figure(run):
    cohort(run)
    _show(run, _decision())
    _figure(run, _decision())
    assert scan_notebook(run.write()) == []
    head, first = (run.files / "tables" / "decision-curve.csv").read_text().split(
        "\n")[:2]
    # 20 of 105 at 0.1: 0.10 (the exact 22 of 104 would read 0.12)
    assert first.split(",")[head.split(",").index("treat_all")] == "0.10"
    assert _exact(0) == "0.12"


def test_treat_all_leaks_curve_from_the_exact_prevalence_is_refused(run):
    # wave 21's declaration: treat-all as a plain input, exact prevalence; refused at
    # source (show_table runs the gate's cell rules) and, past it, by the gate
    plain = protect_counts(_curve(), [], not_counts=["threshold", "model", "treat_all",
                                                     "treat_none"])
    output = run.past_source(lambda: tables.show_table(
        plain, name="decision-curve", not_counts=["treat_none"],
        caption="Net benefit by threshold"), RULE)
    cell = run.code(display(output))
    message = refused(run.write(), cell, RULE)
    assert f"column {column_label('treat_all')!r}" in message


@pytest.mark.parametrize("row", [0, 8])
def test_treat_all_leaks_exact_prevalence_in_a_table_csv_is_refused(run, row):
    _show(run, _decision())
    path = run.write()
    csv = run.files / "tables" / "decision-curve.csv"
    _edit_row(csv, row, "treat_all", _exact(row))
    message = refused(path, None, RULE, "files/tables/decision-curve.csv")
    assert f"row {row + 1}" in message and _exact(row) not in message


def test_treat_all_leaks_exact_prevalence_in_a_figures_data_is_refused(run):
    _figure(run, _decision())
    path = run.write()
    _edit_row(run.files / "figures" / "decision-curve.csv", 0, "treat_all", _exact(0))
    refused(path, None, RULE, "files/figures/decision-curve.csv")


def test_treat_all_leaks_exact_prevalence_beside_thresholds_in_per_cent_is_refused(run):
    # wave 41: the page shows the thresholds in per cent ("10.0%", show_table's
    # proportions); the gate reads them as the thresholds they are (0.100), so a
    # treat-all of the exact prevalence beside them is refused as beside "0.10"
    plain = protect_counts(_curve(), [], not_counts=["threshold", "model", "treat_all",
                                                     "treat_none"])
    output = run.past_source(lambda: tables.show_table(
        plain, name="decision-curve", not_counts=["treat_none"], proportions=["threshold"],
        caption="Net benefit by threshold"), RULE)
    assert output.words[column_label("threshold")].iloc[0] == "10.0%"
    cell = run.code(display(output))
    message = refused(run.write(), cell, RULE)
    assert f"column {column_label('treat_all')!r}" in message


def test_treat_all_leaks_rule_made_curve_with_thresholds_in_per_cent_passes(run):
    # wave 41: the gate reads a threshold in per cent as the threshold it is, so the
    # rule-made curve passes beside "10.0%" as beside "0.10"
    cohort(run)
    output = tables.show_table(_decision(), name="decision-curve",
                               not_counts=["treat_none"], proportions=["threshold"],
                               caption="Net benefit by threshold")
    assert output.words[column_label("threshold")].tolist()[:2] == ["10.0%", "15.0%"]
    run.code(display(output))
    assert scan_notebook(run.write()) == []
