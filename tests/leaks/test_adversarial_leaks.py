"""An adversarial round of an author's ordinary mistakes (issue 12, wave 12).

Each case injects one leak not in the earlier corpus into a run folder built from the
real display functions (``runfolder.RunFolder``, as the runner leaves it) and checks
that it never publishes: the display function refuses it at source
(:class:`DisclosureError`), or the gate refuses the run folder (exit code 13).

Measured on main d774614, before this wave's fixes, 6 of the 14 published (exit 0):
the mean change of 3 people recorded as "on average", a mean change and a cumulative
incidence typed into tables, an observed risk beside its confidence limits under
another header, a false 0 from ``.fillna(0)`` on a protected table, and raw mean
scores merged into a protected table under a plain header. After: 0. The last (a
column of people's mean values under a header that names no statistic, added by
``.merge`` to a protected table's frame) is refused at source since wave 13: the frame
is a :class:`~lifetools.disclosure.copies.ProtectedCopy` whose record survives the
merge, and ``show_table`` refuses the column it did not publish. The same two with the
raw frame first (``raw.merge(table.frame)``, ``pd.concat([raw, table.frame], axis=1)``)
published (exit 0) until wave 15: pandas gave the combination the plain frame's type;
now every combination with a copy is a copy (:func:`lifetools.disclosure.copies.install`).
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from runfolder import RunFolder, counted_folder, display, safe_table, sealed_table

from lifetools import publication, tables
from lifetools.disclosure import protect_counts
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import assert_publishable, scan_notebook

matplotlib.use("Agg")


def _shown(run: RunFolder, frame, name: str, **kwargs) -> None:
    run.code(display(tables.show_table(frame, name=name, caption="People", **kwargs)))


def _figure(run: RunFolder, *, alt: str | None = None, title: str | None = None) -> None:
    fig, ax = plt.subplots()
    ax.bar(["Sefton", "Knowsley"], [10, 20])
    if title:
        fig.suptitle(title)
    publication._mark_protected(fig)
    shown = publication.show_figure(fig, name="bars", alt=alt or "Bars by locality",
                                    caption="People by locality")
    plt.close(fig)
    run.code(display(shown))


def mean_change_on_average(run: RunFolder) -> None:
    change = (3.0 + 5.5 + 1.25) / 3  # three people's score changes
    run.code(display(publication.record("change", change, kind="estimate",
                                        label="Score change on average")))


def mean_change_typed_into_a_table(run: RunFolder) -> None:
    sealed_table(run, pd.DataFrame({"Site": ["Walton", "Bootle"],
                                     "Mean change in score": [3.25, -1.5]}), "change", notes=True)


def cumulative_incidence_in_a_table(run: RunFolder) -> None:
    sealed_table(run, pd.DataFrame({"Locality": ["Sefton", "Knowsley"],
                                     "Cumulative incidence (%)": [33.33, 66.67]}), "cif", notes=True)


def average_age_as_a_row_label(run: RunFolder) -> None:
    sealed_table(run, pd.DataFrame({"Measure": ["Average age", "Typical age"],
                                     "Years": [47.25, 51.5]}), "ages", notes=True)


def rate_ratio_under_another_header(run: RunFolder) -> None:
    sealed_table(run, pd.DataFrame({"Group": ["Aged 65 or over", "Female"],
                                     "Ratio of rates": [2.31, 0.87],
                                     "Lower 95% limit": [0.45, 0.6],
                                     "Upper 95% limit": [11.9, 1.2]}), "ratios", notes=True)


def calibration_curve_with_limits(run: RunFolder) -> None:
    sealed_table(run, pd.DataFrame({"Risk group": ["Low", "High"],
                                     "Observed risk": [0.12, 0.41],
                                     "Lower 95% limit": [0.05, 0.2],
                                     "Upper 95% limit": [0.25, 0.66]}), "calibration", notes=True)


def false_zero_by_fillna(run: RunFolder) -> None:
    raw = pd.DataFrame({"group": ["Sefton", "Knowsley", "Wirral"], "n": [3, 120, 85]})
    protected = protect_counts(raw, ["n"])
    _shown(run, protected.frame.fillna(0), "filled", count_cols=["n"])


def count_in_a_figure_alt_text(run: RunFolder) -> None:
    n = 13
    _figure(run, alt=f"Bars: {n} people in Sefton")


def count_in_a_figure_suptitle(run: RunFolder) -> None:
    n = 13
    _figure(run, title=f"People by locality ({n} in Sefton)")


def share_of_three_in_markdown_fstring(run: RunFolder) -> None:
    improved, people = 2, 3
    run.markdown(f"Of those followed up, {100 * improved / people:.1f}% improved.")


def row_level_frame_under_plain_display(run: RunFolder) -> None:
    frame = pd.DataFrame({"age": [34, 51, 29], "site": ["Walton", "Bootle", "Walton"]})
    run.code({"output_type": "display_data",
              "data": {"text/html": frame.to_html(), "text/plain": str(frame)},
              "metadata": {}})


def median_of_four_in_a_sentence(run: RunFolder) -> None:
    run.code(display(publication.record(
        "median_age", None, kind="text", label="Median age",
        text="The median age of the four users in Bootle was 47.")))


def count_in_a_cell_tag(run: RunFolder) -> None:
    index = run.code(safe_table("tagged"))
    run.cells[index].metadata["tags"] = ["13 people left out"]


def protected_merged_with_raw_means(run: RunFolder) -> None:
    counts = protect_counts(pd.DataFrame({"group": ["Sefton", "Knowsley"],
                                          "n": [95, 120]}), ["n"])
    raw = pd.DataFrame({"group": ["Sefton", "Knowsley"], "SWEMWBS score": [23.17, 19.4]})
    _shown(run, counts.frame.merge(raw), "merged", count_cols=["n"])


def raw_means_first_merged_with_protected(run: RunFolder) -> None:
    counts = protect_counts(pd.DataFrame({"group": ["Sefton", "Knowsley"],
                                          "n": [95, 120]}), ["n"])
    raw = pd.DataFrame({"group": ["Sefton", "Knowsley"], "SWEMWBS score": [23.17, 19.4]})
    _shown(run, raw.merge(counts.frame), "merged", count_cols=["n"])


def raw_means_first_stacked_beside_protected(run: RunFolder) -> None:
    counts = protect_counts(pd.DataFrame({"group": ["Sefton", "Knowsley"],
                                          "n": [95, 120]}), ["n"])
    raw = pd.DataFrame({"SWEMWBS score": [23.17, 19.4]})
    _shown(run, pd.concat([raw, counts.frame], axis=1), "stacked", count_cols=["n"])


LEAKS = {f.__name__: f for f in (
    mean_change_on_average, mean_change_typed_into_a_table,
    cumulative_incidence_in_a_table, average_age_as_a_row_label,
    rate_ratio_under_another_header, calibration_curve_with_limits, false_zero_by_fillna,
    count_in_a_figure_alt_text, count_in_a_figure_suptitle,
    share_of_three_in_markdown_fstring, row_level_frame_under_plain_display,
        median_of_four_in_a_sentence, count_in_a_cell_tag, protected_merged_with_raw_means,
    raw_means_first_merged_with_protected, raw_means_first_stacked_beside_protected)}


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return counted_folder(tmp_path, monkeypatch)


def test_adversarial_leaks_clean_folder_passes(run):
    assert scan_notebook(run.write()) == []


@pytest.mark.parametrize("leak", list(LEAKS))
def test_adversarial_leaks_injected_leak_is_never_published(leak, run):
    try:
        LEAKS[leak](run)
    except DisclosureError:
        return  # refused at source, by the display function
    path = run.write()
    with pytest.raises(DisclosureError) as caught:
        assert_publishable([path])
    assert caught.value.exit_code == 13
    assert "cohort_description" in str(caught.value)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells  # the notebook was written whole
