"""The leak-injection corpus: one executed run folder per kind of leak, each refused.

Each case injects one leak an author could make into a run folder built from the real
display functions (sealed with this run's secret and settled as the runner does) and
checks that the gate raises :class:`DisclosureError` (exit code 13) naming the
notebook, the cell as the author numbers it in the source notebook, and the rule. The
clean folder passes, so each refusal is the leak's doing.
"""

from __future__ import annotations

import copy
import json
import re

import matplotlib
import nbformat
import pandas as pd
import pytest
from runfolder import SOURCE, RunFolder, counted_folder, display, safe_table, stream

from lifetools import publication
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import assert_publishable, scan_notebook, scan_site

matplotlib.use("Agg")
PERSON_ID = "3f" * 32
NHS = "943 476 5919"


def refused(path, cell: int | None, rule: str, file: str | None = None) -> str:
    with pytest.raises(DisclosureError) as caught:
        assert_publishable([path])
    assert caught.value.exit_code == 13
    message = str(caught.value)
    where = f"file {file}" if file else f"cell {cell}"
    assert re.search(rf"2024-25/cohort_description \({re.escape(SOURCE)}\), "
                     rf"{re.escape(where)}[,:].*{re.escape(rule)}", message), message
    assert PERSON_ID not in message and "9434765919" not in message and NHS not in message
    return message


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    folder = counted_folder(tmp_path, monkeypatch)
    folder.code(display(publication.record("people", 12842, kind="count",
                                           label="People")))
    return folder


def test_leaks_clean_run_folder_passes(run):
    path = run.write()
    assert scan_notebook(path) == []
    assert_publishable([path])


def test_leaks_notes_file_rechecked_by_the_words_its_build_wrote(run, monkeypatch):
    # a published edition re-checked by newer code that words a column otherwise: its
    # notes are verified by the words its sealed stamp recorded when the file was
    # written, so they pass; a count written into them is still refused
    from lifetools import labels
    from lifetools.disclosure.downloads import column_notes
    path = run.write()
    notes = run.files / "tables" / "notes.txt"
    written = notes.read_text()
    assert "  n: Number; unit:" in written
    monkeypatch.setitem(labels.COLUMN_LABELS, "n", "Number of people")
    assert column_notes(run.files / "tables") not in written  # the new code's words
    assert scan_notebook(path) == []
    assert_publishable([path])
    notes.write_text(written + "  n: Number; 13 people were left out\n")
    refused(path, None, "unsanctioned-file", "files/tables/notes.txt")
    # the recorded lines must name the file's own columns: words recorded for another
    # header are not used, and the new code's words are then required
    notes.write_text(written)
    csv_file = run.files / "tables" / "counts.csv"
    csv_file.write_text(csv_file.read_text().replace("group,n", "group,people", 1))
    refused(path, None, "unsanctioned-file", "files/tables/notes.txt")


def test_leaks_row_level_csv_in_files_is_refused(run):
    frame = pd.DataFrame({"person_id": [f"{i:064x}" for i in range(100)],
                          "age": range(100)})
    frame.to_csv(run.files / "everyone.csv", index=False)
    message = refused(run.write(), None, "unsanctioned-file", "files/everyone.csv")
    assert "row-level" in message and "person-id" in message


def test_leaks_notes_file_not_made_from_the_folder_is_refused(run):
    # notes.txt lists the folder's CSV columns; a hand-edited note (here naming a count)
    # is not the text the gate makes from the profile and the CSV headers
    notes = run.files / "tables" / "notes.txt"
    notes.write_text(notes.read_text() + "  n: Number; 13 people were left out\n")
    refused(run.write(), None, "unsanctioned-file", "files/tables/notes.txt")


def test_leaks_nhs_number_in_markdown_is_refused(run):
    cell = run.markdown(f"One person (NHS number {NHS}) was excluded.")
    refused(run.write(), cell, "nhs-number")


@pytest.mark.parametrize("text, rule", [("3 people had no referral\n", "small-count"),
                                        ("people in the period: 12842\n",
                                         "unrounded-count")])
def test_leaks_small_and_unrounded_counts_in_a_stream_are_refused(run, text, rule):
    cell = run.code(stream(text))
    refused(run.write(), cell, rule)


def test_leaks_unrounded_count_in_text_plain_is_refused(run):
    cell = run.code({"output_type": "execute_result", "execution_count": 3,
                     "data": {"text/plain": "2634"}, "metadata": {}})
    message = refused(run.write(), cell, "unrounded-count")
    assert "unstamped" in message


def test_leaks_one_of_three_in_a_sealed_result_is_refused(run):
    # the display function refuses a hand-written text for a share at source ...
    with pytest.raises(DisclosureError, match="hand-written text"):
        publication.record("share", 33.3, kind="percentage", label="Share",
                           text="33.3% (1 of 3)")
    # ... and an output sealed by hand around the same words is refused by the gate
    data, metadata = publication.seal({"text/plain": "33.3% (1 of 3)"},
                                      publication.stamp("result", "share"))
    cell = run.code({"output_type": "display_data", "data": data, "metadata": metadata})
    refused(run.write(), cell, "k-of-n")


def test_leaks_person_id_in_a_figure_title_is_refused(run):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [10, 20])
    ax.set_title(f"Contacts of {PERSON_ID}")
    publication._mark_protected(fig)
    shown = publication.show_figure(fig, name="contacts", alt="Bars", caption="Contacts")
    cell = run.code(display(shown))
    refused(run.write(), cell, "person-id")


def test_leaks_row_level_table_under_innocent_column_names_is_refused(run, monkeypatch):
    from lifetools import tables

    frame = pd.DataFrame({"ref": [f"LR{i:06d}X" for i in range(50)],
                          "value": [30 + i % 40 for i in range(50)]})
    # the protected types refuse an unprotected whole-number column at source ...
    with pytest.raises(DisclosureError, match="'value' holds whole numbers"):
        tables.show_table(frame, name="list", caption="Everyone")
    # ... and a table sealed by hand, with its CSV, is refused by the gate
    data, metadata = publication.seal({"text/html": frame.to_html()},
                                      publication.stamp("table", "list"))
    (run.files / "tables").mkdir(parents=True, exist_ok=True)
    frame.to_csv(run.files / "tables" / "list.csv", index=False)
    cell = run.code({"output_type": "display_data", "data": data, "metadata": metadata})
    message = refused(run.write(), cell, "row-level")
    assert "files/tables/list.csv: row-level" in message


def test_leaks_hand_written_stamp_is_refused_as_forged(run):
    forged = {"output_type": "display_data", "data": {"text/html": "<p>12842</p>"},
              "metadata": publication.stamp("table", "counts")}
    cell = run.code(forged)
    refused(run.write(), cell, "forged-stamp")


def test_leaks_sealed_output_altered_after_the_run_is_refused(run):
    path = run.write()
    nb = nbformat.read(path, as_version=4)
    output = nb.cells[4].outputs[0]
    output.data["text/html"] = output.data["text/html"].replace("12,840", "12,845")
    nbformat.write(nb, path)
    refused(path, 4, "forged-stamp")


def test_leaks_stamp_copied_from_another_output_is_refused(run):
    good = safe_table()
    copied = copy.deepcopy(good)
    copied["data"]["text/html"] = "<p>12842 people</p>"
    cell = run.code(copied)
    refused(run.write(), cell, "forged-stamp")


def test_leaks_machine_path_in_a_captured_warning_is_refused(run):
    warning = ("/home/analyst/.venv/lib/python3.11/site-packages/statsmodels/base/"
               "model.py:607: ConvergenceWarning: Maximum Likelihood optimization "
               "failed to converge.\n")
    cell = run.code(stream(warning, "stderr"))
    refused(run.write(), cell, "machine-path")


def test_leaks_csv_download_with_a_raw_count_is_refused(run):
    path = run.write()
    table = run.files / "tables" / "counts.csv"
    table.write_text(table.read_text().replace("12840", "12842"))
    refused(path, None, "unrounded-count", "files/tables/counts.csv")


def test_leaks_raw_count_in_results_json_is_refused(run):
    path = run.write()
    results = run.files / "results.json"
    data = json.loads(results.read_text())
    data["people"]["value"] = 12842
    results.write_text(json.dumps(data))
    refused(path, None, "unrounded-count", "files/results.json")


def test_leaks_share_numerator_beside_a_hidden_denominator_in_results_json_is_refused(
        run):
    # the 2024-25 wellbeing results.json at 3,000 people: "numerator": 0 beside the
    # table's [c] for the share's group said none of them improved (wave 29)
    path = run.write()
    results = run.files / "results.json"
    data = json.loads(results.read_text())
    data["share_hidden"] = {"value": None, "kind": "percentage", "numerator": 0,
                            "denominator": None, "label": "Share improving (%)",
                            "text": "not shown (hidden to protect privacy)"}
    results.write_text(json.dumps(data))
    refused(path, None, "group-disclosure", "files/results.json")


def test_leaks_site_with_source_notebooks_or_identifiers_is_refused(tmp_path):
    site = tmp_path / "html"
    (site / "_sources" / "editions").mkdir(parents=True)
    (site / "_sources" / "editions" / "report.ipynb").write_text("{}")
    digest = "ab" * 32
    (site / "manifest.json").write_text(json.dumps({"key": digest}))
    (site / "index.html").write_text(f"<p>key {digest}</p><p>seen at L4 0TH</p>"
                                     "<script>var x = 'L1 1AA';</script>")
    rules = {(f.file, f.rule) for f in scan_site(site)}
    assert rules == {("_sources/editions/report.ipynb", "source-notebook"),
                     ("index.html", "postcode")}



def _site(tmp_path, pages, manifests=None):
    site = tmp_path / "html"
    for name, text in pages.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    for edition, profile in (manifests or {}).items():
        (site / "editions" / edition).mkdir(parents=True, exist_ok=True)
        (site / "editions" / edition / "manifest.json").write_text(
            json.dumps({"disclosure": {"profile": profile}}))
    return site


def test_leaks_site_counts_of_people_on_pages_made_from_the_data_are_refused(tmp_path):
    # what the pipeline writes into the book from results (an edition's overview, its
    # comparison with the previous edition, the landing page) is read on the site
    site = _site(tmp_path, {
        "index.html": "<p>This year 13 people used the Life Rooms.</p>",
        "editions/2024-25/index.html": "<p>About 2,634 people used it.</p>",
        "editions/2024-25/wellbeing.html": "<p><span>3</span> <b>people</b> improved</p>",
        "editions/2024-25/reach/results.json": '{"text": "all 60 people were seen"}',
        "editions/2023-24/record.html": "<p>n = 4</p>",
        "editions/2024-25/ok.html": "<p>About 2,635 referrals; fewer than 8 people; "
                                    "7 of 9 tables are linked; in 12 months</p>",
        # the fixed pages state rules and worked examples: not read for counts
        "methods/disclosure-control.html": "<p>n = 3: 3 people is suppressed</p>"})
    rules = {(f.file, f.rule) for f in scan_site(site)}
    assert rules == {("index.html", "unrounded-count"),
                     ("editions/2024-25/index.html", "unrounded-count"),
                     ("editions/2024-25/wellbeing.html", "small-count"),
                     ("editions/2024-25/reach/results.json", "group-disclosure"),
                     ("editions/2023-24/record.html", "small-count")}


def test_leaks_site_counts_are_read_with_the_profile_of_the_page_s_edition(tmp_path):
    # "5 people": small under default (1 to 7 suppressed), published under mhsds
    # (under 5 suppressed, others rounded to 5); a page outside the editions is read
    # with the series' profile
    pages = {"editions/2023-24/a.html": "<p>5 people</p>",
             "editions/2024-25/a.html": "<p>5 people</p>", "index.html": "<p>5 people</p>"}
    site = _site(tmp_path, pages, {"2023-24": "mhsds", "2024-25": "default"})
    assert {(f.file, f.rule) for f in scan_site(site)} == {
        ("editions/2024-25/a.html", "small-count"), ("index.html", "small-count")}
    assert {(f.file, f.rule) for f in scan_site(site, "mhsds")} == {
        ("editions/2024-25/a.html", "small-count")}


def test_leaks_site_row_level_table_on_any_page_is_refused(tmp_path):
    rows = "".join(f"<tr><td>{i}</td><td>x</td></tr>" for i in range(61))
    ids = "".join(f"<tr><td>AB{i:04d}X</td><td>5</td></tr>" for i in range(10))
    site = _site(tmp_path, {
        "methods/long.html": f"<table><tr><th>a</th><th>b</th></tr>{rows}</table>",
        "editions/2024-25/ids.html": f"<table><tr><th>ref</th><th>n</th></tr>{ids}</table>",
        "data/short.html": "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>"})
    assert {(f.file, f.rule) for f in scan_site(site)} == {
        ("methods/long.html", "row-level"), ("editions/2024-25/ids.html", "row-level")}


def test_leaks_site_finding_in_a_released_edition_names_the_republish_command(tmp_path):
    from lifetools.errors import DisclosureError
    from lifetools.pipeline.gate import assert_site_publishable

    site = _site(tmp_path, {"editions/2023-24/a.html": "<p>13 people</p>"})
    with pytest.raises(DisclosureError) as refused_site:
        assert_site_publishable(site, released=["2023-24"])
    assert "--republish 2023-24" in refused_site.value.hint
    assert "13" not in str(refused_site.value)  # never the value
    with pytest.raises(DisclosureError) as refused_site:
        assert_site_publishable(site)
    assert "--republish" not in refused_site.value.hint

def _forest_figure():
    from lifetools import plots

    frame = pd.DataFrame({"model": ["Naive", "Landmark"], "estimate": [1.3, 0.9],
                          "ci_lower": [1.1, 0.7], "ci_upper": [1.5, 1.2]})
    from lifetools.disclosure import model_release

    rows = pd.DataFrame({"e": [1.0] * 100})  # enough rows; nothing else checked
    frame = model_release(None, data=rows, event_col="e", level_cols=[],
                          summary=frame.iloc[0:0], converged=True).estimates(frame)
    return publication.show_figure(plots.plot_forest(frame, label_col="model"),
                                   name="ratios", caption="Ratios")


def test_leaks_figure_data_csv_listed_by_its_sealed_figure_passes(run):
    run.code(display(_forest_figure()))
    assert (run.files / "figures" / "ratios.csv").exists()
    path = run.write()
    assert scan_notebook(path) == []


def test_leaks_narrow_png_listed_by_its_sealed_figure_passes_another_is_refused(run):
    run.code(display(_forest_figure()))
    assert (run.files / "figures" / "ratios-narrow.png").exists()  # listed: passes
    assert scan_notebook(run.write()) == []
    (run.files / "figures" / "other-narrow.png").write_bytes(
        (run.files / "figures" / "ratios-narrow.png").read_bytes())
    refused(run.write(), None, "unsanctioned-file", "files/figures/other-narrow.png")


def test_leaks_csv_in_figures_not_listed_by_a_figure_is_refused(run):
    run.code(display(_forest_figure()))
    (run.files / "figures" / "extra.csv").write_text("label,estimate\nA,1.00\n")
    refused(run.write(), None, "unsanctioned-file", "files/figures/extra.csv")


def test_leaks_interval_null_in_results_json_is_checked_against_its_text(run):
    # results.json keeps an interval's null where it changed the text ("-0.004 to"),
    # for the comparison with the next edition; it must be the null the text used
    from lifetools.reports.sentences import interval_text

    run.code(display(publication.record("change_ci", [-0.004, 1.2], kind="text",
                                        label="95% CI of the change",
                                        text=interval_text(-0.004, 1.2, null=0.0))))
    path = run.write()
    assert scan_notebook(path) == []
    results = run.files / "results.json"
    data = json.loads(results.read_text())
    data["change_ci"]["null"] = 13
    results.write_text(json.dumps(data))
    refused(path, None, "unprotected-number-in-text", "files/results.json")
