"""An author's ordinary mistakes injected one at a time (issue 12, wave 11).

Cases not in the earlier corpus. Each is refused with exit code 13, naming the
notebook, the cell (or file) and the rule. Where a display function now refuses the
mistake at source, the same numbers sealed by hand (the kernel holds the seal key) or
recorded past the source check are refused by the gate too: the gate does not trust
the display functions.

Published before this wave (build exit 0): a mean, a median or a standard deviation
typed into a table; a share with two decimals of a small denominator; the youngest and
oldest ages as rows; a model's coefficients shown from a plain summary; a count
recorded as an estimate ("12.00"); an extreme recorded as an estimate ("oldest age").
Refused before as well (kept here so that they stay refused): a count in a figure's
annotation, ``display(HTML(frame.to_html()))``, Markdown and LaTeX outputs, JSON,
Excel, Parquet and SVG files in the output folder, an ISO date of birth and a postcode
without its space in Markdown, a LaTeX fraction, a count in an image's alt text and in
a link's address.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from runfolder import RunFolder, counted_folder, display, sealed_table
from test_leaks import refused

from lifetools import publication, tables
from lifetools.errors import DisclosureError

STATISTIC = "unprotected-statistic"


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return counted_folder(tmp_path, monkeypatch)


STATISTIC_TABLES = {
    "a mean over few people": pd.DataFrame(
        {"Site": ["Walton", "Bootle"], "Mean SWEMWBS score": [24.31, 13.5]}),
    "a median over fewer than the threshold": pd.DataFrame(
        {"Site": ["Walton", "Bootle"], "Median SWEMWBS score": [21.5, 19.25]}),
    "a standard deviation": pd.DataFrame(
        {"Site": ["Walton", "Bootle"], "Standard deviation": [4.12, 0.71]}),
    "a share with two decimals of a small denominator": pd.DataFrame(
        {"Locality": ["Sefton", "Knowsley"], "Per cent improved": [42.86, 66.67]}),
    "the youngest and oldest ages (extremes)": pd.DataFrame(
        {"Measure": ["Youngest age", "Oldest age"], "Years": [16.25, 97.5]}),
}


@pytest.mark.parametrize("leak", STATISTIC_TABLES)
def test_author_leaks_statistic_typed_into_a_table_is_refused(leak, run):
    frame = STATISTIC_TABLES[leak]
    with pytest.raises(DisclosureError, match="statistic of people's values"):
        tables.show_table(frame, name="stats", caption="Scores")
    cell = sealed_table(run, frame, "stats")
    message = refused(run.write(), cell, STATISTIC)
    assert "files/tables/stats.csv: unprotected-statistic" in message
    for value in frame.iloc[:, 1]:
        assert str(value) not in message


def test_author_leaks_protected_shares_and_magnitudes_pass(run):
    from lifetools.disclosure import protect_magnitudes, shares_table

    counts = pd.DataFrame({"Locality": ["Sefton", "Knowsley"], "improved": [40, 60],
                           "people": [95, 120]})
    run.code(display(tables.show_table(shares_table(
        counts, numerator="improved", denominator="people"), name="improved",
        caption="Improved")))
    scores = pd.DataFrame({"Site": ["Walton"] * 30 + ["Bootle"] * 30,
                           "score": [20.0 + i % 7 for i in range(60)]})
    run.code(display(tables.show_table(protect_magnitudes(
        scores, group_cols="Site", value_col="score", statistic="mean"),
        name="scores", caption="Scores")))
    from lifetools.pipeline.gate import scan_notebook

    assert scan_notebook(run.write()) == []


def test_author_leaks_model_coefficients_from_a_plain_summary_are_refused(run):
    # a coefficient on a level with fewer people than the threshold: never released
    frame = pd.DataFrame({"term": ["Aged 65 or over", "Female"], "estimate": [2.31, 0.87],
                          "ci_lower": [0.45, 0.6], "ci_upper": [11.9, 1.2]})
    with pytest.raises(DisclosureError, match="model_release did not release"):
        tables.show_table(frame, name="model", caption="Model")
    shown = frame.rename(columns={"term": "Estimate for", "estimate": "Estimate",
                                  "ci_lower": "Lower 95% limit",
                                  "ci_upper": "Upper 95% limit"})
    cell = sealed_table(run, shown, "model")
    message = refused(run.write(), cell, "unreleased-model")
    assert "files/tables/model.csv: unreleased-model" in message


@pytest.mark.parametrize(("value", "label", "rule"), [
    (12.0, "People left out", "unrounded-count"),       # a count cast to a float
    (97.4, "Oldest age in years", STATISTIC),           # an extreme
    (23.87, "Mean SWEMWBS score of users in Bootle", STATISTIC)])  # a mean, unprotected
def test_author_leaks_statistic_or_count_recorded_as_an_estimate_is_refused(
        value, label, rule, run, monkeypatch):
    with pytest.raises(DisclosureError, match="statistic|whole number"):
        publication.record("left_out", value, kind="estimate", label=label)
    # past the source check (as a notebook holding an older lifetools would be)
    monkeypatch.setattr(publication, "names_statistic", lambda _: None)
    monkeypatch.setattr(publication, "_check_estimate", lambda name, v, kind: v)
    run.code(display(publication.record("left_out", value, kind="estimate",
                                        label=label)))
    message = refused(run.write(), None, rule, "files/results.json")
    assert str(value) not in message


def test_author_leaks_count_in_a_figure_annotation_fstring_is_refused(run):
    fig, ax = plt.subplots()
    ax.bar(["Sefton", "Knowsley"], [10, 20])
    n = 13
    ax.annotate(f"n = {n}", (0, 10))
    publication._mark_protected(fig)
    shown = publication.show_figure(fig, name="bars", alt="Bars", caption="People")
    plt.close(fig)
    cell = run.code(display(shown))
    refused(run.write(), cell, "unrounded-count")


@pytest.mark.parametrize(("mime", "text"), [
    ("text/html", pd.DataFrame({"group": ["a", "b"], "n": [13, 2634]}).to_html()),
    ("text/markdown", "**13** people came"),
    ("text/latex", "$n = 13$")])
def test_author_leaks_html_markdown_or_latex_output_is_refused(mime, text, run):
    cell = run.code({"output_type": "display_data", "data": {mime: text}, "metadata": {}})
    refused(run.write(), cell, "unstamped")


@pytest.mark.parametrize("name", ["extra.json", "tables/counts.xlsx",
                                  "tables/counts.parquet", "figures/bars.svg"])
def test_author_leaks_other_file_kinds_in_the_output_folder_are_refused(name, run):
    path = run.files / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".parquet"):
        pd.DataFrame({"n": [13]}).to_parquet(path)
    elif name.endswith(".json"):
        path.write_text(json.dumps({"n": 13}))
    else:
        path.write_bytes(b"<svg><text>13 people</text></svg>")
    refused(run.write(), None, "unsanctioned-file", f"files/{name}")


@pytest.mark.parametrize(("text", "rule"), [
    ("The oldest user was born 1931-03-14.", "date-of-birth"),
    ("Most users came from L40TH.", "postcode"),
    ("The share was $\\frac{3}{7}$ of those asked.", "unprotected-number-in-prose"),
    ("![Bar chart: 13 people in Sefton](bars.png)", "unprotected-number-in-prose"),
    ("See [the list](https://example.org/report?n=13).", "unrounded-count")])
def test_author_leaks_identifier_or_count_in_markdown_forms_is_refused(text, rule, run):
    cell = run.markdown(text)
    refused(run.write(), cell, rule)
