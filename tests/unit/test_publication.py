"""The display protocol: stamped figures and key results, written beside the page."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lifetools import disclosure, publication  # noqa: E402
from lifetools.errors import DisclosureError  # noqa: E402


def marked_figure():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [4, 5, 6])
    return publication._mark_protected(fig, rules={"threshold": 7})


def test_show_figure_unmarked_figure_is_refused(output):
    fig, _ = plt.subplots()
    with pytest.raises(DisclosureError, match="not drawn by a lifetools.plots"):
        publication.show_figure(fig, name="x", alt="a", caption="c")
    plt.close(fig)


def test_show_figure_writes_png_and_stamped_accessible_html(output):
    shown = publication.show_figure(marked_figure(), name="line", alt="A line rising",
                                    caption="Rising")
    data, meta = shown._repr_mimebundle_()
    assert 'alt="A line rising"' in data["text/html"]
    assert "<figcaption>Rising</figcaption>" in data["text/html"]
    assert meta["lifetools"]["protected"] is True
    assert (output / "figures" / "line.png").read_bytes() == shown.png


def test_show_figure_png_is_deterministic(output):
    first = publication.show_figure(marked_figure(), name="a", alt="x", caption="y").png
    second = publication.show_figure(marked_figure(), name="b", alt="x", caption="y").png
    assert first == second


def test_show_figure_needs_alt_text_and_safe_name(output):
    with pytest.raises(ValueError, match="alt text"):
        publication.show_figure(marked_figure(), name="a", alt=" ", caption="y")
    with pytest.raises(ValueError, match="lower case"):
        publication.show_figure(marked_figure(), name="../a", alt="x", caption="y")


def test_record_count_is_protected_and_written(output):
    small = publication.record("few", 5, kind="count", label="A few")
    big = publication.record("many", 1234, kind="count", label="Many")
    assert small.value is None and small.text == "fewer than 8"
    assert big.value == 1235 and big.text == "1,235"
    results = json.loads((output / "results.json").read_text())
    assert results["many"] == {"kind": "count", "label": "Many", "text": "1,235",
                               "value": 1235, "profile": "default"}
    data, meta = big._repr_mimebundle_()
    assert meta["scrapbook"]["name"] == "many"
    assert meta["lifetools"]["kind"] == "result"
    assert data[publication.GLUE_PREFIX + "text/plain"] == "'1,235'"


@pytest.mark.parametrize(("value", "kind", "text"), [
    (2635, "count", "2,635"), (3.2, "ratio", "3.20"), (1.0, "ratio", "1.00"),
    ([0.8, 1.0], "interval", "0.80 to 1.00")])
def test_record_glued_text_reaches_the_page_as_formatted(output, value, kind, text):
    from myst_nb.core.variables import format_plain_text

    data, _ = publication.record("x", value, kind=kind, label="X")._repr_mimebundle_()
    # myst-nb's {glue:text} literal-evals text/plain: "2,635" once became "(2, 635)"
    assert format_plain_text(data[publication.GLUE_PREFIX + "text/plain"], "") == text


def test_record_given_text_with_missing_limit_reads_could_not_be_estimated(output):
    shown = publication.record("ci", [float("nan"), 1.2], kind="text", label="CI",
                               text="nan to 1.20")
    assert shown.text == "could not be estimated"
    assert publication.read_results(output)["ci"]["value"] == [None, 1.2]
    publication.record("upper", [0.0, float("inf")], kind="interval", label="CI")
    assert "Infinity" not in (output / "results.json").read_text()


def test_record_interval_null_stored_only_where_it_changed_the_text(output):
    from lifetools.reports.sentences import interval_text

    publication.record("near", [-0.004, 1.2], kind="text", label="CI",
                       text=interval_text(-0.004, 1.2, null=0.0))
    publication.record("far", [0.3, 1.2], kind="text", label="CI",
                       text=interval_text(0.3, 1.2, null=0.0))
    results = publication.read_results(output)
    assert (results["near"]["text"], results["near"]["null"]) == ("\u22120.004 to 1.20", 0.0)
    assert "null" not in results["far"]  # the text is the same without it: bytes kept


@pytest.mark.parametrize(("value", "kind", "text"), [
    (1.23456, "estimate", "1.23"), (12.5, "percentage", "12.5%"), (None, "ratio",
    "could not be estimated"), ("hello", "text", "hello"),
    (float("nan"), "rate", "could not be estimated"), (3.2, "ratio", "3.20"),
])
def test_format_number(value, kind, text):
    assert publication.format_number(value, kind=kind) == text


def test_record_keeps_the_order_recorded(output):
    # results.json was sorted by name, so the comparison with the previous edition
    # listed a report's results alphabetically, its headline among them (wave 37)
    publication.record("zebra", 3.2, kind="ratio", label="First recorded")
    publication.record("apple", 1234, kind="count", label="Second recorded")
    publication.record("zebra", 3.3, kind="ratio", label="First recorded")
    text = (output / "results.json").read_text()
    assert list(json.loads(text)) == ["zebra", "apple"]
    assert text.index('"kind"') < text.index('"label"') < text.index('"value"')


def test_record_counts_records_every_row(output):
    import pandas as pd

    frame = pd.DataFrame({"key": ["a", "b"], "n": [100, 3], "measure": ["A", "B"]})
    shown = publication.record_counts(frame, prefix="x_")
    assert [r.name for r in shown.results] == ["x_a", "x_b"]
    assert publication.read_results(output)["x_b"]["value"] is None


def test_record_sentence_without_value_is_shown_as_written(output):
    # the reports' generated sentences have no value: they must reach the page whole
    text = disclosure.compose("Their rate of discharge was {hr} times that of others.",
                                 hr=disclosure.Estimate(1.19))
    shown = publication.record("hr_sentence", None, kind="text", label="Summary",
                               text=text)
    assert shown.text == "Their rate of discharge was 1.19 times that of others."


def test_record_not_estimable_result_is_stamped_for_the_manifest(output):
    missing = publication.record("hr", None, kind="ratio", label="Hazard ratio")
    _, meta = missing._repr_mimebundle_()
    assert meta["lifetools"]["not_estimable"] == ["Hazard ratio: could not be estimated"]
    fine = publication.record("hr2", 0.8, kind="ratio", label="Hazard ratio")
    assert "not_estimable" not in fine._repr_mimebundle_()[1]["lifetools"]
