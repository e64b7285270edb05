"""Leak classes found by an outsider's injection study (issue 12, wave 9): a count in
a figure's tick labels or alt text, in an HTML comment, and identifiers written the way
people write them (an NHS number in groups of three at a sentence's end, a date of
birth as day/month/year)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from runfolder import RunFolder, display
from test_leaks import refused

from lifetools import publication
from lifetools.disclosure import get_profile
from lifetools.disclosure.profiles import PROFILES
from lifetools.pipeline.gate import scan_notebook
from lifetools.pipeline.gate.outputs import figure_number_findings


@pytest.fixture
def run(tmp_path, monkeypatch):
    return RunFolder(tmp_path, monkeypatch)


def _figure(run: RunFolder, *, ticks: list[str] | None = None, alt: str = "Bars",
            at_source: str | None = None) -> int:
    """A bar chart shown; ``at_source``: the gate's rule show_figure refuses it by first
    (then shown past that check, for the gate to refuse too)."""
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [10, 20])
    if ticks:
        ax.set_yticks(range(len(ticks)))
        ax.set_yticklabels(ticks)
    publication._mark_protected(fig)
    def show():
        return publication.show_figure(fig, name="contacts", alt=alt, caption="Contacts")

    shown = show() if at_source is None else run.past_source(show, at_source)
    plt.close(fig)
    return run.code(display(shown))


def test_outsider_leaks_count_as_a_figure_tick_label_is_refused(run):
    cell = _figure(run, ticks=["13", "2634"], at_source="unrounded-count")
    refused(run.write(), cell, "unrounded-count")


def test_outsider_leaks_axis_scale_tick_labels_pass(run):
    _figure(run, ticks=["0", "2", "4", "6"])
    assert scan_notebook(run.write()) == []


@pytest.mark.parametrize("texts", [["0", "5", "10", "15"], ["2", "3", "4"],
                                   ["0.5", "1", "2"], ["35", "25", "<8", "0"],
                                   ["90", "180", "365", "730"], ["2023", "2024", "2025"]])
def test_outsider_leaks_figure_numbers_on_a_scale_or_publishable_pass(texts):
    assert figure_number_findings(texts, get_profile("default")) == []


@pytest.mark.parametrize("texts", [["0", "5", "13", "15"], ["3"], ["1", "2"],
                                   ["12842"], ["0.5", "1", "3"]])
def test_outsider_leaks_figure_numbers_off_any_scale_are_refused(texts):
    assert figure_number_findings(texts, get_profile("default"))


@pytest.mark.parametrize("texts", [["0.5", "1", "2"], ["0.25", "1", "4", "20"],
                                   ["0.1", "0.5", "1", "2", "4", "10", "50"]])
def test_outsider_leaks_ratio_axis_ticks_pass_under_every_profile(texts):
    # a forest plot's log axis (RATIO_SCALE), thinned on a phone: 10, 20 and 50 are no
    # count under midpoint-6 rounding and 1, 2, 4 are small counts, yet a scale
    for profile in PROFILES.values():
        assert figure_number_findings(texts, profile) == [], profile.name


@pytest.mark.parametrize("texts", [["1", "2"], ["1", "4"], ["2", "4", "10"],
                                   ["0.5", "1", "2", "50"], ["1", "2", "3", "20"]])
def test_outsider_leaks_counts_shaped_like_a_ratio_axis_are_refused(texts):
    # without 1, with fewer than three ticks of the series, or with two neighbouring
    # ticks missing, small numbers are read as counts
    assert figure_number_findings(texts, PROFILES["opensafely-midpoint6"])


def test_outsider_leaks_count_in_a_figure_alt_text_is_refused(run):
    # alt text is read aloud by screen readers: published text, not markup
    cell = _figure(run, alt="Bars; Sefton had 13 users")
    refused(run.write(), cell, "unrounded-count")


def test_outsider_leaks_count_in_an_html_comment_is_refused(run):
    # a comment is not shown but is in the page's source
    cell = run.markdown("## Reach\n\n<!-- Sefton: 13 users -->\nSee the table.")
    refused(run.write(), cell, "unrounded-count")


@pytest.mark.parametrize(("text", "rule"), [
    ("Example record: 943 476 5919.", "nhs-number"),
    ("The oldest user was born on 14/03/1931.", "date-of-birth"),
    ("Date of birth 3 March 1931, seen twice.", "date-of-birth")])
def test_outsider_leaks_identifier_as_people_write_it_is_refused(run, text, rule):
    cell = run.markdown(f"## Example\n\n{text}")
    refused(run.write(), cell, rule)


@pytest.mark.parametrize("text", ["Sefton had XIII users.", "Only III people came."])
def test_outsider_leaks_count_in_roman_numerals_is_refused(run, text):
    cell = run.markdown(f"## Sefton\n\n{text}")
    message = refused(run.write(), cell, "count")
    assert "Roman numerals" in message


def test_outsider_leaks_roman_numerals_that_are_no_count_pass(run):
    run.markdown("## Part II\n\nA Phase III trial design; XX people (rounded) came.")
    assert scan_notebook(run.write()) == []


def test_outsider_leaks_count_in_a_cells_metadata_is_refused(run):
    # the executed notebook is published in the edition's archive, metadata and all
    cell = run.markdown("## Reach\n\nSee the chart above.")
    run.cells[-1].metadata["note"] = "Sefton had 13 users"
    refused(run.write(), cell, "unrounded-count")


def test_outsider_leaks_identifier_in_the_notebooks_metadata_is_refused(run):
    path = run.write()
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata["author_notes"] = {"example": "NHS 943 476 5919"}
    nbformat.write(nb, path)
    assert "nhs-number" in {f.rule for f in scan_notebook(path)}


def test_outsider_leaks_runner_metadata_is_not_read_as_text(run):
    path = run.write()
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata["lifetools"] = {"key": "a" * 64, "parameters": {"n_boot": 200}}
    nbformat.write(nb, path)
    assert scan_notebook(path) == []
