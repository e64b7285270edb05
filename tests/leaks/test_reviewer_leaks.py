"""An outside reviewer's round of an author's ordinary mistakes (issue 12, wave 16).

40 attempts not in the earlier corpus were injected into run folders built from the
real display functions (``runfolder.RunFolder``). Measured on main 8cae811 before this
wave's fixes, 20 published (exit 0), 16 of them disclosive, in these classes:

- data drawn onto a protected figure after its plot function drew it (raw counts as
  bars over a run chart, a line, points, a line's values replaced), or drawn into the
  axes first and the plot drawn over them (``plot_*(..., ax=ax)``), or a figure drawn
  by hand and marked with ``lt.publication.mark_protected``: the checks read only a
  figure's texts;
- a count in an output's name (``show_table(..., name="sefton_13_users")``, a figure's
  or a key result's name): names are published as file names, links and the keys of
  ``results.json``;
- a count in a key result's label (published in ``results.json`` and on the
  comparison with the previous edition);
- raw counts in a column declared not a count (``not_counts=["Attendances"]``);
- a machine path outside the gate's list of folders (``/srv/...``, ``~/data/...``, a
  Windows drive other than ``C:\\Users``, a network share).

Each is now refused at source (:class:`DisclosureError`) and, where the published bytes
carry it, by the gate (exit code 13). The other attempts (refused before, or not
disclosive: values taken out of a protected copy are protected again as given; a mean
over fewer than 10 people is suppressed by the threshold rule) and the two left (a
100% share of a group of 40; a group's attribute in words, with no number) are listed
in the CHANGELOG and the limitations of the disclosure-control page. Legitimate forms
pass: a title set after the plot, two plots in one figure, a code in a name
("rereferral_1y"), a follow-up stated in days, a requirement declared not a count.
"""

from __future__ import annotations

import json

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from runfolder import RunFolder, counted_folder, display, sealed_table, stream
from test_leaks import refused

from lifetools import plots, publication, tables
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import scan_notebook

matplotlib.use("Agg")
DRAWN = "figure-drawn-after-protection"
NAMED = "unprotected-number-in-name"
MONTHS = pd.date_range("2024-04-01", periods=6, freq="MS")


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return counted_folder(tmp_path, monkeypatch)


def _run_chart(ax=None):
    monthly = pd.DataFrame({"month": MONTHS, "contacts": [120, 135, 140, 150, 160, 170]})
    return plots.plot_run_chart(monthly, ax=ax)


def _show(ax, name: str = "contacts"):
    return publication.show_figure(ax, name=name, caption="Contacts per month",
                                   alt="Contacts per month")


def bars_of_raw_counts_over_the_chart(ax) -> None:
    ax.bar(MONTHS, [3, 1, 2, 13, 4, 2], width=10)


def line_of_raw_counts_over_the_chart(ax) -> None:
    ax.plot(MONTHS, [121, 133, 141, 152, 163, 171])


def points_of_people_over_the_chart(ax) -> None:
    ax.scatter(MONTHS, [34, 51, 29, 77, 18, 92])


def protected_line_given_raw_values(ax) -> None:
    line = ax.lines[0]
    raw = np.asarray(line.get_ydata(), dtype=float).copy()
    raw[0] += 1
    line.set_ydata(raw)


DRAWN_AFTER = {f.__name__: f for f in (
    bars_of_raw_counts_over_the_chart, line_of_raw_counts_over_the_chart,
    points_of_people_over_the_chart, protected_line_given_raw_values)}


@pytest.mark.parametrize("leak", list(DRAWN_AFTER))
def test_reviewer_leaks_data_drawn_after_the_plot_is_refused(leak, run):
    ax = _run_chart()
    DRAWN_AFTER[leak](ax)
    with pytest.raises(DisclosureError, match=DRAWN):
        _show(ax)
    plt.close(ax.figure)


def test_reviewer_leaks_data_drawn_before_the_plot_into_its_axes_is_refused():
    fig, ax = plt.subplots()
    ax.bar(MONTHS[:2], [3, 13], width=10)
    with pytest.raises(DisclosureError, match=DRAWN):
        _run_chart(ax)
    plt.close(fig)


def test_reviewer_leaks_figure_drawn_by_hand_cannot_be_marked_protected():
    fig, ax = plt.subplots()
    ax.hist([34, 51, 29, 77, 18, 92, 33], bins=3)
    with pytest.raises(DisclosureError, match="figure-marked-by-hand"):
        publication.mark_protected(fig)
    with pytest.raises(DisclosureError, match="not drawn by a lifetools.plots"):
        _show(ax)
    plt.close(fig)


def test_reviewer_leaks_titles_labels_and_two_plots_in_one_figure_pass(run):
    ax = _run_chart()
    ax.set_title("Contacts per month")
    ax.set_ylabel("Contacts")
    ax.legend()
    run.code(display(_show(ax)))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    _run_chart(left)
    _run_chart(right)  # into a figure whose data a plot protected
    run.code(display(_show(left, "two-charts")))
    assert scan_notebook(run.write()) == []


@pytest.mark.parametrize("make", [
    lambda: tables.show_table(pd.DataFrame({"group": ["a", "b"], "n": [1235, 12840]}),
                              name="sefton_13_users", caption="People", count_cols=["n"]),
    lambda: _show(_run_chart(), "contacts-sefton-13"),
    lambda: publication.record("sefton_13", 12842, kind="count", label="People")])
def test_reviewer_leaks_count_in_an_outputs_name_is_refused_at_source(make, run):
    with pytest.raises(DisclosureError, match=NAMED):
        make()
    plt.close("all")


def test_reviewer_leaks_count_in_a_files_name_is_refused_by_the_gate(run):
    # a table sealed by hand (or by an older lifetools) under a name with a count
    sealed_table(run, pd.DataFrame({"Group": ["a", "b"], "Number": ["1,235", "12,840"]}),
                 "sefton_13", notes=True)
    message = refused(run.write(), None, NAMED, "files/tables/sefton_13.csv")
    assert "13" not in message.split("cohort_description", 1)[0]


@pytest.mark.parametrize("label", ["People (13 in Sefton)", "Improved (2634 asked)"])
def test_reviewer_leaks_count_in_a_key_results_label_is_refused(label, run, monkeypatch):
    with pytest.raises(DisclosureError, match=NAMED):
        publication.record("people", 12842, kind="count", label=label)
    # past the source check, as an older lifetools would write it: the gate
    monkeypatch.setattr(publication, "label_findings", lambda *a, **k: [])
    run.code(display(publication.record("people", 12842, kind="count", label=label)))
    refused(run.write(), None, NAMED, "files/results.json")


def test_reviewer_leaks_follow_up_words_must_state_a_duration(run, monkeypatch):
    label = "Share re-referred by 134 days after discharge"
    run.code(display(publication.record("followed", None, kind="text", label=label,
                                        text="could not be estimated",
                                        at="by 134 days after discharge")))
    path = run.write()
    assert scan_notebook(path) == []
    results = run.files / "results.json"
    data = json.loads(results.read_text())
    data["followed"]["label"] = "Share re-referred by 134 of 13 after discharge"
    data["followed"]["at"] = "by 134 of 13 after discharge"
    results.write_text(json.dumps(data))
    refused(path, None, NAMED, "files/results.json")


def test_reviewer_leaks_codes_in_names_pass():
    assert publication.check_name("rereferral_1y") == "rereferral_1y"
    assert publication.check_name("reach-deprivation") == "reach-deprivation"


@pytest.mark.parametrize("text", [
    "Error: /srv/lifetools/data/people.parquet was missing.",
    "Warning: could not read ~/data/people.parquet",
    "Could not read D:\\LifeRooms\\extract.csv.",
    "Copied from \\\\mcnhs-fs01\\analytics\\extract.",
    "See file:///C:/LifeRooms/extract.csv for the rows."])
def test_reviewer_leaks_machine_path_outside_the_old_list_is_refused(text, run):
    cell = run.markdown(f"## Data\n\n{text}")
    refused(run.write(), cell, "machine-path")
    cell = run.code(stream(text + "\n", "stderr"))
    refused(run.write(), cell, "machine-path")


@pytest.mark.parametrize("text", [
    "See https://github.com/merseycare/lifetools/issues and/or the help line.",
    "Connect with `postgresql://analyst@/mhsds?host=/run/postgresql`.",
    "A ratio of 1:1; the A:\\n escape; see the {doc}`data dictionary </data/index>`."])
def test_reviewer_leaks_addresses_that_are_no_machine_path_pass(text, run):
    run.markdown(f"## Data\n\n{text}")
    assert scan_notebook(run.write()) == []


def test_reviewer_leaks_counts_declared_not_counts_are_refused(run):
    # not_counts is for a year, a day, degrees of freedom: a header that says the
    # column counts people or their records cannot be declared so
    frame = pd.DataFrame({"group": ["Sefton", "Knowsley"], "Attendances": [13, 2634]})
    shown = run.past_source(lambda: display(tables.show_table(
        frame, name="attendances", caption="Attendances", not_counts=["Attendances"])),
        "unprotected-number-in-table")
    cell = run.code(shown)
    message = refused(run.write(), cell, "unprotected-number-in-table")
    assert "declared not a count" in message


def test_reviewer_leaks_a_requirement_declared_not_a_count_passes(run):
    frame = pd.DataFrame({"criterion": ["(i) expected shrinkage", "(ii) optimism"],
                          "people needed": [1156, 381]})
    run.code(display(tables.show_table(frame, name="sample-size", caption="Sample size",
                                       not_counts=["people needed"])))
    assert scan_notebook(run.write()) == []
