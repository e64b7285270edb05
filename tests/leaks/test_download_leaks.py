"""CSV downloads verified by the rules of the table a page shows (issue 12, wave 11).

The gate read a download's count columns only, so person-years written exact in a
CSV (a hand-edited ``tables/<name>.csv``, or the data behind a figure) were published
although the page's table holds them rounded to the count base: exact person-years
beside a rounded people count give the headcount back. Each download is now checked
by the record of what protected its columns (the sealed table's stamp; the figure's
``download_rules``), as the page's table is.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from runfolder import RunFolder, display
from test_leaks import refused

from lifetools import publication, tables
from lifetools.disclosure import rates_table
from lifetools.pipeline.gate import scan_notebook
from lifetools.pipeline.gate.files import _at_places

RULE = "unprotected-number-in-table"


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return RunFolder(tmp_path, monkeypatch)


def _rates() -> object:
    # 40 people of 1.37 person-years per group: 54.8 person-years, published as 55
    frame = pd.DataFrame({"group": ["Sefton"] * 40 + ["Knowsley"] * 40,
                          "events": [1, 0] * 40, "years": [1.37] * 80})
    return rates_table(frame, group_cols="group", event_col="events",
                       person_time_col="years")


def _rates_figure(run: RunFolder) -> int:
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [10, 20])
    publication._mark_protected(fig, data={"": _rates()})
    shown = publication.show_figure(fig, name="rates", alt="Bars", caption="Rates")
    plt.close(fig)
    return run.code(display(shown))


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_download_leaks_rates_table_and_figure_data_pass(run):
    run.code(display(tables.show_table(_rates(), name="rates", caption="Rates")))
    _rates_figure(run)
    # whole person-years, as the rule published them and the page shows them (#15)
    assert ",55," in (run.files / "tables" / "rates.csv").read_text()
    assert scan_notebook(run.write()) == []


def test_download_leaks_exact_person_years_in_a_table_csv_are_refused(run):
    run.code(display(tables.show_table(_rates(), name="rates", caption="Rates")))
    path = run.write()
    _edit(run.files / "tables" / "rates.csv", ",55,", ",54.80,")
    message = refused(path, None, RULE, "files/tables/rates.csv")
    assert "not a multiple of the count base" in message and "54.8" not in message


def test_download_leaks_person_years_rounded_to_another_base_are_refused(run):
    # 54 is whole but not a multiple of 5: the rule did not round it
    run.code(display(tables.show_table(_rates(), name="rates", caption="Rates")))
    path = run.write()
    _edit(run.files / "tables" / "rates.csv", ",55,", ",54,")
    refused(path, None, RULE, "files/tables/rates.csv")


def test_download_leaks_exact_person_years_in_a_figures_data_are_refused(run):
    _rates_figure(run)
    path = run.write()
    _edit(run.files / "figures" / "rates.csv", ",55,", ",54.80,")
    refused(path, None, RULE, "files/figures/rates.csv")


def test_download_leaks_raw_count_in_a_figures_data_is_refused(run):
    # the figure's record names its count columns: events 20 published, 21 is raw
    _rates_figure(run)
    path = run.write()
    text = (run.files / "figures" / "rates.csv").read_text()
    (run.files / "figures" / "rates.csv").write_text(text.replace(",20,", ",21,", 1))
    refused(path, None, "unrounded-count", "files/figures/rates.csv")


def test_download_leaks_person_years_without_a_record_are_refused(run):
    # a figure whose stamp records no rules for its data: nothing passes unverified
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [10, 20])
    publication._mark_protected(fig, data={"": _rates()})
    shown = publication.show_figure(fig, name="rates", alt="Bars", caption="Rates")
    plt.close(fig)
    data, metadata = shown._repr_mimebundle_()
    mark = metadata[publication.STAMP_KEY]
    mark.pop("download_rules")
    data, metadata = publication.seal(data, publication.stamp(
        "figure", "rates", **{k: v for k, v in mark.items()
                              if k not in ("protected", "kind", "name", "seal")}))
    run.code({"output_type": "display_data", "data": data, "metadata": metadata})
    message = refused(run.write(), None, RULE, "files/figures/rates.csv")
    assert "does not record as rounded" in message


@pytest.mark.parametrize(("cell", "places", "read"), [
    ("8920.00", 0, "8920"), ("8920.40", 0, "8920.40"), ("42.90", 1, "42.9"),
    ("42.86", 1, "42.86"), ("[c]", 0, "[c]"), ("-3.00", 0, "-3"), ("7", 0, "7")])
def test_download_leaks_cells_read_at_the_rules_places(cell, places, read):
    assert _at_places(cell, places) == read


def test_download_leaks_figures_notes_rechecked_by_the_words_written(run, monkeypatch):
    # the notes beside a figure's data are checked by the lines its sealed stamp
    # recorded (download_rules), not by newer labels; a count added is refused
    from lifetools import labels
    _rates_figure(run)
    path = run.write()
    notes = run.files / "figures" / "notes.txt"
    written = notes.read_text()
    assert "  group: Group; unit:" in written
    monkeypatch.setitem(labels.COLUMN_LABELS, "group", "Area")
    assert scan_notebook(path) == []
    notes.write_text(written.replace("  group: Group;", "  group: Group (21 people);"))
    refused(path, None, "unsanctioned-file", "files/figures/notes.txt")


def test_download_leaks_reach_equity_table_passes_with_people_not_person_years(run):
    # the reach page's table of users per 1,000 people (each person counts once): the
    # people count is its denominator, no person-years column repeats it, and the page
    # and its CSV pass the gate as the series shows them
    from lifetools.disclosure import declare_totals
    from lifetools.reports.reach import DEPRIVATION, linked_equity, protected_shares

    users = [40, 30, 25, 20, 15]
    people = pd.DataFrame([(q, int(i < k)) for q, k in enumerate(users, start=1)
                           for i in range(200)], columns=["imd_quintile", "used"])
    people = people.assign(one=1.0)
    labels = ["1 (most deprived)", "2", "3", "4", "5 (least deprived)"]
    reach = protected_shares(declare_totals(pd.DataFrame({
        "characteristic": DEPRIVATION, "group": labels, "Secondary care": [200] * 5,
        "Life Rooms users": users}), totals="columns", by="characteristic"),
        ["Secondary care", "Life Rooms users"])
    equity = linked_equity(people, reach)
    # the equity table follows the reach table: shown after it, as on the page
    run.code(display(tables.show_table(reach, name="reach", caption="Reach")))
    shown = tables.show_table(equity.rates, name="equity-rates",
                              caption="Life Rooms users per 1,000 people")
    assert "Person-years" not in shown.words.columns and "Events" not in \
        shown.words.columns
    run.code(display(shown))
    assert (run.files / "tables" / "equity-rates.csv").read_text().splitlines()[:2] == [
        "IMD quintile (1 = most deprived),people,users,users_per_1000,ci_lower,ci_upper",
        "1,200,40,200.00,142.88,272.34"]  # Garwood: chi-squared 80 and 82 df
    assert scan_notebook(run.write()) == []


# -- a confidence limit that reads as a bound (wave 43) ---------------------------------
# "1.00" in a forest plot's data could be a true limit of 1 or 0.9996 rounded onto 1
# (which the writer never writes: it keeps a limit off the null, "0.9996"); the gate
# read only the cell and passed both, and a ratio's limit of 0 or infinity too. The
# stamp now records which rows' true limits lie on a bound, and the gate reads each
# limit cell against it.

def _forest_figure(run: RunFolder) -> None:
    from lifetools import disclosure, plots

    frame = pd.DataFrame({"model": ["Time-varying", "Naive"], "estimate": [1.44, 0.83],
                          "ci_lower": [1.004, 0.0037], "ci_upper": [2.06, 0.9996]})
    rows = pd.DataFrame({"e": [1.0] * 100})
    table = disclosure.model_release(None, data=rows, event_col="e", level_cols=[],
                                     summary=frame.iloc[0:0], converged=True
                                     ).estimates(frame)
    ax = plots.plot_forest(table, label_col="model")
    shown = publication.show_figure(ax, name="forest", caption="Ratios")
    plt.close(ax.figure)
    run.code(display(shown))


def test_download_leaks_forest_limits_as_written_pass(run):
    _forest_figure(run)
    path = run.write()
    assert "Naive,0.83,0.004,0.9996" in (run.files / "figures" / "forest.csv").read_text()
    assert scan_notebook(path) == []


@pytest.mark.parametrize(("old", "new", "said"), [
    (",0.9996\n", ",1.00\n", "reads as 1"),  # 0.9996 shown as a limit of exactly 1
    (",0.004,", ",0.00,", "reads as 0"),  # a ratio's degenerate 0
    (",2.06\n", ",inf\n", "infinite"),
])
def test_download_leaks_forest_limit_reading_as_a_bound_is_refused(run, old, new, said):
    _forest_figure(run)
    path = run.write()
    _edit(run.files / "figures" / "forest.csv", old, new)
    message = refused(path, None, RULE, "files/figures/forest.csv")
    assert said in message
