"""Net benefit of treating everyone: the gaps wave 22's check left (issue 12, wave 23).

- a treat-all curve from the exact prevalence under a header the wording check does
  not know ("Everyone", "All referred") passed: the gate now reads any unrecorded
  column of a table with a threshold column as a curve when one prevalence fits its
  cells, whatever the header;
- a released model's own net benefit, from the raw confusion counts, is the exact
  treat-all where the model treats everyone (risk above the lowest threshold): now
  computed from protected counts (``model_outputs(model_counts=)``), and a model
  column that is not, equal to a raw treat-all, refused;
- a stamp's (events, people) need not appear anywhere in the report: they must now be
  published in its tables or downloads.

Each refusal: exit code 13, the notebook, the cell as the author sees it, the rule.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from runfolder import RunFolder, display
from test_leaks import refused
from test_treat_all_leaks import cohort

from lifetools import plots, publication, tables
from lifetools.disclosure import model_outputs, model_release
from lifetools.pipeline.gate import scan_notebook
from lifetools.prediction.performance import confusion_counts, net_benefit

RULE = "treat-all-not-from-published-counts"
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
EVENTS, PEOPLE = 22, 104  # published as 20 of 105 (cohort())
PEOPLE_SHOWN = 105


def _outcome() -> np.ndarray:
    y = np.zeros(PEOPLE)
    y[:EVENTS] = 1
    return y


def _risk() -> np.ndarray:
    # every risk above the lowest threshold: at 0.1 the model treats everyone
    return 0.11 + 0.8 * np.random.default_rng(3).random(PEOPLE)


def _release():
    frame = pd.DataFrame({"exposed": np.r_[np.ones(100), np.zeros(100)],
                          "event": np.r_[np.ones(20), np.zeros(60), np.ones(40),
                                         np.zeros(80)][:200]})
    fit = type("Fit", (), {"summary": pd.DataFrame(
        {"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1], "ci_upper": [2.0],
         "p_value": [0.01]}), "warnings": (), "model": None})()
    release = model_release(fit, data=frame, event_col="event", level_cols=["exposed"])
    assert release.released
    return release


def _show(table, name: str = "decision-curve"):
    return display(tables.show_table(table, name=name, not_counts=["treat_none"],
                                     caption="Net benefit by threshold"))


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return RunFolder(tmp_path, monkeypatch)


@pytest.mark.parametrize("header", ["Everyone", "All referred", "reference strategy"])
def test_treat_all_gap_exact_curve_under_another_header_is_refused(run, header):
    curve = net_benefit(_outcome(), _risk(), THRESHOLDS).rename(
        columns={"treat_all": header})
    table = model_outputs(curve, {}, not_counts=["model", "treat_none"],
                          inputs=["threshold", header])
    cohort(run)
    cell = run.code(run.past_source(lambda: _show(table), RULE))
    message = refused(run.write(), cell, RULE)
    assert repr(header) in message.replace('"', "'") or header.capitalize() in message


def test_treat_all_gap_exact_curve_beside_a_recorded_one_is_named_unrounded(run):
    # the recorded treat-all (from 20 of 105) and a copy of the exact one (22 of 104)
    curve = net_benefit(_outcome(), _risk(), THRESHOLDS)
    curve["Everyone"] = curve["treat_all"]
    table = model_outputs(curve, {}, not_counts=["model", "treat_none"],
                          inputs=["threshold", "Everyone"], treat_all=(EVENTS, PEOPLE))
    cohort(run)
    cell = run.code(run.past_source(lambda: _show(table), RULE))
    message = refused(run.write(), cell, RULE)
    assert "of unrounded counts the published ones round from" in message


def test_treat_all_gap_model_treating_everyone_from_raw_counts_is_refused(run):
    curve = net_benefit(_outcome(), _risk(), THRESHOLDS)
    table = model_outputs(curve, {"model": _release()}, not_counts=["treat_none"],
                          inputs=["threshold"], treat_all=(EVENTS, PEOPLE))
    assert f"{table.frame['model'].iloc[0]:.2f}" == "0.12"  # the exact 22 of 104
    assert f"{table.frame['treat_all'].iloc[0]:.2f}" == "0.10"  # the published 20 of 105
    cohort(run)
    cell = run.code(run.past_source(lambda: _show(table), RULE))
    message = refused(run.write(), cell, RULE)
    assert "a model's net benefit equal to that of treating everyone" in message
    assert "row 1" in message


def test_treat_all_gap_model_from_protected_counts_passes(run):
    curve = net_benefit(_outcome(), _risk(), THRESHOLDS)
    table = model_outputs(curve, {"model": _release()}, not_counts=["treat_none"],
                          inputs=["threshold"], treat_all=(EVENTS, PEOPLE),
                          model_counts=confusion_counts(_outcome(), _risk(), THRESHOLDS))
    # treating everyone at 0.1, the model is the published treat-all exactly
    assert table.frame["model"].iloc[0] == pytest.approx(table.frame["treat_all"].iloc[0])
    cohort(run)
    run.code(_show(table))
    # the figure's data: the point recomputed from its recorded counts there too
    ax = plots.plot_decision_curve(table)
    figure = publication.show_figure(ax, name="decision-curve", caption="Decision curve")
    plt.close(ax.figure)
    output = display(figure)
    record = output["metadata"][publication.STAMP_KEY]["download_rules"][
        "figures/decision-curve.csv"]["net_benefit_count_headers"]["Model"]
    assert len(record["points"]) == len(THRESHOLDS) and record["lower"] is None
    run.code(output)
    assert scan_notebook(run.write()) == []


def test_treat_all_gap_stamp_counts_published_nowhere_are_refused(run):
    curve = net_benefit(_outcome(), _risk(), THRESHOLDS)
    table = model_outputs(curve, {}, not_counts=["model", "treat_none"],
                          inputs=["threshold"], treat_all=(EVENTS, PEOPLE))
    cell = run.code(_show(table))  # no table of the report shows 20 and 105
    message = refused(run.write(), cell, RULE)
    assert "are not both published in this report's tables or downloads" in message


def _curve_of_recorded_counts(run) -> int:
    """The decision curve, its treat-all from 22 of 104 published as 20 of 105."""
    curve = net_benefit(_outcome(), _risk(), THRESHOLDS)
    table = model_outputs(curve, {}, not_counts=["model", "treat_none"],
                          inputs=["threshold"], treat_all=(EVENTS, PEOPLE))
    return run.code(_show(table))


def test_treat_all_gap_stamp_counts_found_only_outside_count_columns_are_refused(run):
    # the two numbers the record names appear on the page, but as no count: a column
    # declared not counts (days); the gate read any whole number of any cell
    run.code(display(tables.show_table(
        pd.DataFrame({"Step": ["Days before the first crisis", "Days of follow-up"],
                      "Days": [20, 105]}),
        name="days", caption="Days", not_counts=["Days"])))
    cell = _curve_of_recorded_counts(run)
    message = refused(run.write(), cell, RULE)
    assert "as counts of one table" in message


def test_treat_all_gap_stamp_counts_from_two_tables_are_refused(run):
    # each number a count, but of two tables (20 people in one place, 105 in
    # another): no table shows the cohort's events beside its people
    for name, place, people in (("knowsley", "Knowsley", 20), ("wirral", "Wirral", 105)):
        run.code(display(tables.show_table(
            pd.DataFrame({"group": [place], "people": [people]}), name=name,
            caption=f"People in {place}", count_cols=["people"])))
    cell = _curve_of_recorded_counts(run)
    message = refused(run.write(), cell, RULE)
    assert "as counts of one table" in message


def test_treat_all_gap_stamp_counts_in_the_cohort_download_pass(run):
    # the cohort's counts in the count columns of one table (page and download) pass
    cohort(run)
    _curve_of_recorded_counts(run)
    path = run.write()
    assert scan_notebook(path) == []
    assert any("20" in line and "105" in line for line in
               (run.files / "tables" / "cohort.csv").read_text().splitlines())


# curves of one or two rows (the curve rule read 3 cells or more)

def _rows(curve: pd.DataFrame, count: int) -> pd.DataFrame:
    return curve.iloc[:count].reset_index(drop=True)


def test_treat_all_gap_exact_curve_of_two_rows_under_another_header_is_refused(run):
    # two thresholds already test one prevalence: "Everyone" at 0.10 and 0.15 is the
    # exact treat-all (22 of 104) under a header the wording check does not know
    curve = _rows(net_benefit(_outcome(), _risk(), THRESHOLDS), 2).rename(
        columns={"treat_all": "Everyone"})
    table = model_outputs(curve, {}, not_counts=["model", "treat_none"],
                          inputs=["threshold", "Everyone"])
    cohort(run)
    cell = run.code(run.past_source(lambda: _show(table), RULE))
    message = refused(run.write(), cell, RULE)
    assert "'Everyone'" in message and "whatever its header says" in message


def test_treat_all_gap_exact_curve_of_one_row_beside_a_recorded_one_is_refused(run):
    # one row fits some prevalence whatever its value; beside the table's recorded
    # treat-all (20 of 105) it is read against the counts those round from: 0.12 is
    # that of 22 of 104 (the published counts give 0.10)
    curve = _rows(net_benefit(_outcome(), _risk(), THRESHOLDS), 1)
    curve["Everyone"] = curve["treat_all"]
    table = model_outputs(curve, {}, not_counts=["model", "treat_none"],
                          inputs=["threshold", "Everyone"], treat_all=(EVENTS, PEOPLE))
    cohort(run)
    cell = run.code(run.past_source(lambda: _show(table), RULE))
    message = refused(run.write(), cell, RULE)
    assert "of unrounded counts the published ones round from" in message
    assert "0.12" not in message


def test_treat_all_gap_curve_of_two_rows_made_by_the_rules_passes(run):
    curve = _rows(net_benefit(_outcome(), _risk(), THRESHOLDS), 2)
    table = model_outputs(curve, {"model": _release()}, not_counts=["treat_none"],
                          inputs=["threshold"], treat_all=(EVENTS, PEOPLE),
                          model_counts=confusion_counts(_outcome(), _risk(),
                                                        THRESHOLDS[:2]))
    cohort(run)
    run.code(_show(table))
    assert scan_notebook(run.write()) == []


# a model's net benefit recorded as made from protected counts (the stamp's
# net_benefit_count_headers, which the gate trusted)

def _raw_model_table():
    """A released model's net benefit from the raw confusion counts: at 0.1 it treats
    everyone, so its cell is the exact treat-all (0.12 for 22 of 104)."""
    curve = net_benefit(_outcome(), _risk(), THRESHOLDS)
    return model_outputs(curve, {"model": _release()}, not_counts=["treat_none"],
                         inputs=["threshold"], treat_all=(EVENTS, PEOPLE))


def _stamped(run, table, headers) -> int:
    """``table`` shown past its source checks, its stamp's rules given ``headers`` as
    the net benefits computed from protected counts, then sealed, as a notebook holding
    the run's key can (the rules are a mutable dict of the shown table)."""
    shown = run.past_source(lambda: tables.show_table(
        table, name="decision-curve", not_counts=["treat_none"],
        caption="Net benefit by threshold"), RULE)
    shown.rules["net_benefit_count_headers"] = headers
    return run.code(display(shown))


def test_treat_all_gap_model_column_listed_as_from_counts_is_verified(run):
    # the list form: the header named, nothing to recompute it from
    cohort(run)
    cell = _stamped(run, _raw_model_table(), ["Model"])
    message = refused(run.write(), cell, RULE)
    assert "column 'Model', row 1" in message and "cannot be verified" in message
    assert "file files/tables/decision-curve.csv" in message


def test_treat_all_gap_model_column_whose_recorded_counts_do_not_give_it_is_refused(run):
    # counts recorded (those of a model treating everyone: the published 20 of 105),
    # the cells not theirs: at 0.1 the raw 0.12 beside their 0.10
    cohort(run)
    points = [[t, 20, 105] for t in THRESHOLDS]
    cell = _stamped(run, _raw_model_table(), {"Model": {
        "threshold": "Risk threshold", "people": PEOPLE_SHOWN, "points": points}})
    message = refused(run.write(), cell, RULE)
    assert "column 'Model', row 1: not the net benefit of the published true " \
        "positives" in message


def test_treat_all_gap_model_counts_the_profile_would_not_publish_are_refused(run):
    # counts written to fit the raw cell (22 of 104 treated, all of them) are counts
    # the profile would not publish: no point is recomputed from them
    cohort(run)
    points = [[t, 22, 104] for t in THRESHOLDS]
    cell = _stamped(run, _raw_model_table(), {"Model": {
        "threshold": "Risk threshold", "people": PEOPLE_SHOWN, "points": points}})
    message = refused(run.write(), cell, RULE)
    assert "column 'Model', row 1: not the net benefit" in message


def test_treat_all_gap_exact_treat_all_written_as_a_limit_is_refused(run):
    # the exact treat-all in the lower limit's column: recorded as a limit of the
    # model's point (made from protected counts), it is read against that point
    curve = net_benefit(_outcome(), _risk(), THRESHOLDS)
    curve["model_lower"] = curve["treat_all"]
    curve["model_upper"] = curve["model"] + 0.1
    table = model_outputs(curve, {c: _release() for c in ("model", "model_lower",
                                                          "model_upper")},
                          not_counts=["treat_none"], inputs=["threshold"],
                          treat_all=(EVENTS, PEOPLE),
                          model_counts=confusion_counts(_outcome(), _risk(), THRESHOLDS))
    cohort(run)
    cell = run.code(run.past_source(lambda: _show(table), RULE))
    message = refused(run.write(), cell, RULE)
    assert "row 1: a lower limit on the wrong side of its point ('Model')" in message


# a curve of one row with no recorded treat-all (wave 43): one cell fits some prevalence
# whatever its value, and with no published counts of treating everyone recorded the
# gate had nothing to read it against, so the exact treat-all (or a model treating
# everyone, from raw counts) under any header passed

def _one_row(**columns) -> pd.DataFrame:
    return _rows(net_benefit(_outcome(), _risk(), THRESHOLDS), 1).rename(columns=columns)


def test_treat_all_gap_exact_curve_of_one_row_with_no_recorded_one_is_refused(run):
    table = model_outputs(_one_row(treat_all="Everyone"), {},
                          not_counts=["model", "treat_none"],
                          inputs=["threshold", "Everyone"])
    cohort(run)
    cell = run.code(run.past_source(lambda: _show(table), RULE))
    message = refused(run.write(), cell, RULE)
    assert "column 'Everyone', row 1" in message and "one threshold" in message
    assert "0.12" not in message


def test_treat_all_gap_raw_model_of_one_row_with_no_recorded_treat_all_is_refused(run):
    # at 0.1 the model treats everyone: its raw net benefit is the exact 22 of 104
    table = model_outputs(_one_row().drop(columns=["treat_all"]), {"model": _release()},
                          not_counts=["treat_none"], inputs=["threshold"])
    assert f"{table.frame['model'].iloc[0]:.2f}" == "0.12"
    cohort(run)
    cell = run.code(run.past_source(lambda: _show(table), RULE))
    message = refused(run.write(), cell, RULE)
    assert "column 'Model', row 1" in message and "one threshold" in message


def test_treat_all_gap_curve_of_one_row_made_by_the_rules_passes(run):
    # the recorded treat-all (20 of 105) and the model from protected counts: each
    # recomputed from its counts (model_counts= needs treat_all=)
    table = model_outputs(_one_row(), {"model": _release()}, not_counts=["treat_none"],
                          inputs=["threshold"], treat_all=(EVENTS, PEOPLE),
                          model_counts=confusion_counts(_outcome(), _risk(),
                                                        THRESHOLDS[:1]))
    cohort(run)
    run.code(_show(table))
    assert scan_notebook(run.write()) == []
