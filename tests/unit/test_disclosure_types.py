"""Leak attempts at library level: each is refused with DisclosureError naming the column.

The corpus of the issue (protected values are types, not flags): the ``.assign``,
``.merge`` and ``.copy`` bypasses, the old ``attrs`` flag, a row-level table under
innocent names, forged tables and values, raw shares, rates and means passed to
``record``, and plain frames passed to the plots and the CSV writer.
"""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from lifetools import disclosure, plots, publication  # noqa: E402
from lifetools.disclosure import ProtectedTable, ProtectedValue  # noqa: E402
from lifetools.disclosure.downloads import read_csv  # noqa: E402
from lifetools.disclosure.withheld import CONFIDENTIAL, UNAVAILABLE  # noqa: E402
from lifetools.errors import DisclosureError  # noqa: E402
from lifetools.tables import show_table  # noqa: E402

RAW = pd.DataFrame({"group": ["a", "b", "c"], "n": [3, 12, 101]})


def test_show_table_assign_bypass_is_refused_naming_the_column(output):
    leaky = disclosure.protect_counts(RAW, ["n"]).assign(raw_n=RAW["n"])
    with pytest.raises(DisclosureError, match="'raw_n'"):
        show_table(leaky, name="t", caption="c", count_cols=["n", "raw_n"])
    with pytest.raises(DisclosureError, match="'raw_n'.*added after"):
        show_table(leaky, name="t", caption="c", count_cols=["n"])
    assert not (output / "tables" / "t.csv").exists()


def test_show_table_merge_bypass_is_refused_naming_the_column(output):
    extra = RAW.rename(columns={"n": "raw_n"})
    leaky = disclosure.protect_counts(RAW, ["n"]).merge(extra, on="group")
    with pytest.raises(DisclosureError, match="'raw_n'"):
        show_table(leaky, name="t", caption="c", count_cols=["n"])


def test_show_table_copy_then_changed_in_place_is_refused(output):
    table = disclosure.protect_counts(RAW, ["n"]).copy()
    copy = table.frame
    copy.loc[0, "n"] = 3                 # a copy: the table does not change
    show_table(table, name="ok", caption="c", count_cols=["n"])
    table._frame.loc[1, "n"] = 12        # reaching inside: detected by the seal
    with pytest.raises(DisclosureError, match="'n'.*changed after"):
        show_table(table, name="t", caption="c", count_cols=["n"])


def test_show_table_old_attrs_flag_is_refused_naming_the_column(output):
    flagged = RAW.copy()
    flagged.attrs["lifetools_protection"] = {"count_cols": ["n"]}
    with pytest.raises(DisclosureError, match="'n'.*flag"):
        show_table(flagged, name="t", caption="c")
    with pytest.raises(DisclosureError, match="flag"):
        show_table(flagged.assign(m=1.0), name="t", caption="c", count_cols=["n"])


def test_show_table_plain_frame_with_unlisted_counts_is_refused(output):
    with pytest.raises(DisclosureError, match="'n'.*whole numbers"):
        show_table(RAW, name="t", caption="c")           # count_cols empty
    frame = RAW.assign(people=[30, 2, 44])
    with pytest.raises(DisclosureError, match="'people'"):
        show_table(frame, name="t", caption="c", count_cols=["n"])


def test_show_table_row_level_table_under_innocent_names_is_refused(output):
    rows = pd.DataFrame({"ref": [f"r{i}" for i in range(50)],
                         "score": list(range(50))})
    with pytest.raises(DisclosureError, match="'score'"):
        show_table(rows, name="t", caption="c")


def test_show_table_count_col_not_protected_in_a_protected_table_is_refused(output):
    table = disclosure.protect_counts(RAW.assign(m=[1.5, 2.5, 3.5]), ["n"])
    with pytest.raises(DisclosureError, match="'m' is not a protected column"):
        show_table(table, name="t", caption="c", count_cols=["m"])


def test_protected_table_cannot_be_made_or_changed_outside_disclosure():
    with pytest.raises(DisclosureError, match="only be made by lifetools.disclosure"):
        ProtectedTable(RAW, None)
    table = disclosure.protect_counts(RAW, ["n"])
    with pytest.raises(DisclosureError):
        ProtectedTable(RAW, table.record)
    with pytest.raises(AttributeError, match="cannot be changed"):
        table._frame = RAW


def test_protected_table_with_forged_values_in_the_record_is_refused():
    table = disclosure.protect_counts(RAW, ["n"], enabled=True)
    forged = dataclasses.replace(table.record, seals=())
    with pytest.raises(DisclosureError):
        ProtectedTable(RAW, forged)


def test_protected_value_cannot_be_forged_or_edited():
    with pytest.raises(DisclosureError, match="only be made"):
        ProtectedValue(kind="count", value=3, profile="default")
    count = disclosure.protected_count(12)
    assert count.value == 10
    with pytest.raises(DisclosureError):
        dataclasses.replace(count, value=12)
    object.__setattr__(count, "value", 12)
    with pytest.raises(DisclosureError):
        count.verify()


@pytest.mark.parametrize(("kind", "value"), [
    ("percentage", 33.3), ("share", 48.0), ("rate", 0.42), ("mean", 21.5),
    ("difference", 2.0),
])
def test_record_refuses_raw_shares_rates_and_means(output, kind, value):
    with pytest.raises(DisclosureError, match="'x'.*not derived from published"):
        publication.record("x", value, kind=kind, label="X")


def test_record_refuses_hand_written_text_for_a_share(output):
    share = disclosure.share(1, 3)
    with pytest.raises(DisclosureError, match="hand-written text"):
        publication.record("x", share, kind="percentage", label="X",
                           text="33.3% (1 of 3)")


def test_record_refuses_a_share_given_as_a_count(output):
    with pytest.raises(DisclosureError):
        publication.record("x", disclosure.share(40, 100), kind="rate", label="X")


def test_record_share_is_shown_from_published_counts_with_wilson_interval(output):
    shown = publication.record("improved", disclosure.share(12, 25),
                               kind="percentage", label="Improved")
    assert shown.value == pytest.approx(40.0)      # 10 of 25, never 48.0
    assert shown.text.startswith("40.0% (95% CI ")
    assert publication.read_results(output)["improved"]["numerator"] == 10


def test_record_a_value_its_release_withheld_is_not_shown_never_a_number(output):
    # the 2024-25 wellbeing page at 3,000 people: the mean change its release check
    # withheld was recorded "could not be estimated" (the words of a fit with no
    # number) while its summary said "is not shown: too few residual degrees of
    # freedom" and its table "too few people to estimate" (issue 15, wave 32)
    import numpy as np

    from lifetools.disclosure import model_release

    fit = type("Fit", (), {"summary": pd.DataFrame({
        "term": ["x"], "estimate": [1.5], "ci_lower": [1.1], "ci_upper": [2.0]}),
        "warnings": (), "model": None})()
    few = model_release(fit, data=pd.DataFrame({"people": np.ones(6)}),
                        event_col="people", level_cols=[])
    assert not few.released
    label = "Mean change in score"  # names a statistic: quoted only with its release
    shown = publication.record("change", float("nan"), kind="estimate", label=label,
                               released=few)
    assert shown.text == "not shown (too few people to estimate)"
    ci = publication.record("change_ci", [float("nan")] * 2, kind="text",
                            label="95% CI", released=few,
                            text=disclosure.compose("not shown ({why})",
                                                    why=disclosure.Reason("too few")))
    assert ci.text == "not shown (too few)"
    assert publication.read_results(output)["change"]["text"] == shown.text
    with pytest.raises(DisclosureError, match="withheld it, but a number was given"):
        publication.record("leak", 2.5, kind="estimate", label="Change", released=few)
    # with no release, or one that released, a missing value still has no number
    assert publication.record("gone", float("nan"), kind="estimate",
                              label="Change").text == "could not be estimated"
    # hidden by a rule with no release check to say so: the words given, when they
    # say it is not shown and hold no number
    hidden = disclosure.compose("not shown ({why})",
                                why=disclosure.Reason("hidden to protect privacy"))
    assert publication.record("hidden", float("nan"), kind="estimate", label="Change",
                              text=hidden, left_out=CONFIDENTIAL
                              ).text == "not shown (hidden to protect privacy)"
    # stored with the kind of its reason, which the comparison of editions marks by
    # (wave 42); a text "not shown (...)" of no kind is refused
    assert publication.read_results(output)["hidden"]["left_out"] == CONFIDENTIAL
    assert publication.read_results(output)["change"]["left_out"] == CONFIDENTIAL
    assert publication.read_results(output)["gone"]["left_out"] == UNAVAILABLE
    with pytest.raises(ValueError, match="needs the kind of its reason"):
        publication.record("unkind", float("nan"), kind="estimate", label="Change",
                           text=hidden)
    numbered = disclosure.compose("not shown ({v})", v=disclosure.Estimate(1.5, 2))
    assert publication.record("odd", float("nan"), kind="estimate", label="Change",
                              text=numbered).text == "could not be estimated"


def test_plots_refuse_plain_frames_for_shares_and_rates():
    reach = pd.DataFrame({"characteristic": ["Sex"], "group": ["Female"],
                          "Life Rooms users %": [100.0], "Secondary care %": [100.0]})
    with pytest.raises(DisclosureError, match="Life Rooms users %"):
        plots.plot_reach(reach, characteristic="Sex")
    rates = pd.DataFrame({"group": ["a"], "period": ["p"], "rate": [0.3],
                          "ci_lower": [0.1], "ci_upper": [0.5]})
    with pytest.raises(DisclosureError, match="'rate'"):
        plots.plot_rates(rates)


def test_write_csv_refuses_a_plain_frame(tmp_path):
    with pytest.raises(DisclosureError, match="'n'"):
        disclosure.write_csv(RAW, tmp_path / "raw.csv")
    assert not (tmp_path / "raw.csv").exists()


def test_write_csv_writes_suppressed_cells_as_c_never_blank_or_zero(tmp_path):
    table = disclosure.protect_counts(pd.DataFrame({"site": ["a", "b", "c"],
                                                    "visits": [3, 40, 0]}),
                                      ["visits"], totals="columns")
    disclosure.write_csv(table, tmp_path / "sites.csv")
    assert (tmp_path / "sites.csv").read_text() == "site,visits\na,[c]\nb,[c]\nc,0\n"
    assert "[c]: confidential" in (tmp_path / "notes.txt").read_text()


def test_write_csv_writes_a_month_as_its_first_day_without_a_time(tmp_path):
    # the run charts' downloads read "2024-04-01 00:00:00" where the notes say "a
    # calendar month" (30,000 people, wave 40)
    months = pd.date_range("2024-04-01", periods=2, freq="MS")
    table = disclosure.protect_counts(pd.DataFrame({"month": months,
                                                    "referrals": [120, 135]}),
                                      ["referrals"])
    disclosure.write_csv(table, tmp_path / "monthly.csv")
    assert (tmp_path / "monthly.csv").read_text() == (
        "month,referrals\n2024-04-01,120\n2024-05-01,135\n")
    assert "a calendar month, given by its first day" in (tmp_path / "notes.txt").read_text()


def test_write_csv_writes_numbers_at_the_download_places_the_figures_alt_text_reads(
        tmp_path):
    # the downloads own their places; the figures' alt texts (plots.theme) read them
    # from there, so a change of one cannot leave the other behind (wave 41)
    import inspect

    from lifetools.disclosure import downloads
    from lifetools.plots import theme

    assert theme.DOWNLOAD_PLACES is downloads.DOWNLOAD_PLACES
    for function in (downloads.write_csv, downloads.shown_frame):
        assert inspect.signature(function).parameters["digits"].default \
            is downloads.DOWNLOAD_PLACES
    table = disclosure.protect_counts(pd.DataFrame(
        {"measure": ["change"], "people": [40], "estimate": [0.64512]}), ["people"])
    disclosure.write_csv(table, tmp_path / "change.csv")
    cell = (tmp_path / "change.csv").read_text().splitlines()[1].split(",")[-1]
    assert cell == f"{0.64512:.{downloads.DOWNLOAD_PLACES}f}" == "0.65"


def test_write_csv_no_cell_is_blank_a_missing_value_is_x_as_the_page_shows(
        tmp_path, monkeypatch):
    # 30,000 people: the hazard-ratio downloads read "Aged 65 or over,0.94 (0.55 to
    # 1.61),0.830," (an empty E-value) and the crisis missing-data download an empty
    # fraction of missing information, where the notes promise "never blank" (wave 41)
    from lifetools import config

    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path))
    table = disclosure.protect_counts(pd.DataFrame(
        {"term": ["Female", "Age"], "people": [40, 50], "E-value (CI limit)": ["1.42", ""],
         "handling": [" ", None]}), ["people"])
    disclosure.write_csv(table, tmp_path / "e.csv")
    head, rows = read_csv((tmp_path / "e.csv").read_bytes())
    assert rows == [["Female", "40", "1.42", "[x]"], ["Age", "50", "[x]", "[x]"]]
    # the page's table shows the same symbol in those cells, not an empty cell
    shown = show_table(table, name="e", caption="E-values")
    assert shown.words.iloc[1].tolist()[2:] == ["[x]", "[x]"]
    assert read_csv((tmp_path / "tables" / "e.csv").read_bytes())[1] == rows


def test_write_csv_proportions_at_three_places_the_page_s_per_cent_information(
        tmp_path, monkeypatch):
    # the crisis page showed "6.3%" beside a download reading "0.06" (wave 41): a column
    # the page shows in per cent to 1 place is written as a proportion to 3 places, and
    # show_table records those places for the gate
    from lifetools import config
    from lifetools.disclosure.downloads import PROPORTION_PLACES

    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path))
    table = disclosure.protect_counts(pd.DataFrame(
        {"predicted": [0.0634, 0.0871], "observed": [0.0472, 0.1], "people": [40, 50]}),
        ["people"])
    disclosure.write_csv(table, tmp_path / "cal.csv", proportions=["predicted", "observed"])
    assert (tmp_path / "cal.csv").read_text() == (
        "predicted,observed,people\n0.063,0.047,40\n0.087,0.100,50\n")
    shown = show_table(table, name="cal", caption="Calibration",
                       proportions=["predicted", "observed"])
    assert shown.words["Predicted risk"].tolist() == ["6.3%", "8.7%"]
    assert (tmp_path / "tables" / "cal.csv").read_text() == (
        tmp_path / "cal.csv").read_text()
    assert shown.rules["proportion_places"] == PROPORTION_PLACES == 3
    notes = (tmp_path / "tables" / "notes.txt").read_text()
    assert "predicted: Predicted risk; unit: a risk (0 to 1)" in notes


def test_gate_refuses_a_blank_download_cell_and_a_proportion_at_fewer_places():
    from lifetools.disclosure import get_profile
    from lifetools.pipeline.gate.files import _csv_findings

    profile = get_profile(None)
    record = {"proportion_headers": ["Predicted risk"], "proportion_places": 3}
    assert _csv_findings("predicted,observed\n0.063,0.047\n", record, profile) == []
    blank = _csv_findings("predicted,observed\n0.063,\n", record, profile)
    assert [d for _, d in blank if "blank cell in column 'Observed risk'" in d], blank
    short = _csv_findings("predicted,observed\n0.06,0.047\n", record, profile)
    assert [d for _, d in short if "'Predicted risk' is a proportion" in d], short


def test_write_csv_negative_numbers_hyphen_minus_in_every_cell_page_minus_sign(tmp_path):
    # the page writes U+2212; the CSV keeps the ASCII hyphen-minus in number and text
    # cells alike, so programs read its numbers and the file stays ASCII (#15)
    from lifetools.formatting import format_interval

    table = disclosure.protect_counts(pd.DataFrame(
        {"measure": ["change"], "people": [40], "estimate": [-0.23],
         "interval": [format_interval(-0.23, -0.51, 0.05, kind="estimate", null=0.0)]}),
        ["people"])
    assert table.frame["interval"][0] == "\u22120.23 (\u22120.51 to 0.05)"
    disclosure.write_csv(table, tmp_path / "change.csv")
    data = (tmp_path / "change.csv").read_bytes()
    assert data == (b"measure,people,estimate,interval\n"
                    b"change,40,-0.23,-0.23 (-0.51 to 0.05)\n")


def test_write_csv_notes_list_every_column_of_every_csv_with_words_and_unit(tmp_path):
    rates = disclosure.protect_counts(pd.DataFrame(
        {"group": ["a", "b"], "people": [40, 50], "person_years": [12.5, 20.0],
         "rate": [0.4, 0.5], "ci_lower": [0.2, 0.3], "ci_upper": [0.7, 0.8]}),
        ["people"])
    flow = disclosure.protect_counts(pd.DataFrame({"step": ["x"], "n": [100]}), ["n"])
    disclosure.write_csv(rates, tmp_path / "rates.csv")
    disclosure.write_csv(flow, tmp_path / "flow.csv")
    notes = (tmp_path / "notes.txt").read_text()
    # symbols and rules first: no file shows [c] or [x], so neither is explained
    head = disclosure.notes_text("default", disclosure.downloads.folder_marks(tmp_path))
    assert notes.startswith(head) and "[x]:" not in notes and "[c]:" not in notes
    listed = notes.split("Columns of each file")[1].splitlines()
    files = [line for line in listed if line.endswith(".csv")]
    assert files == ["flow.csv", "rates.csv"]  # every CSV of the folder, whoever wrote last
    columns = [line.strip().split(":")[0] for line in listed if line.startswith("  ")]
    assert columns == ["step", "n", "group", "people", "person_years", "rate", "ci_lower",
                       "ci_upper"]
    assert "  person_years: Person-years; unit: person-years" in notes
    assert "  rate: Rate; unit: events per person-year\n" in notes
    assert "  n: Number; unit: a count of people or events, protected as above\n" in notes
    assert "  ci_lower: Lower 95% limit; unit: the unit of the estimate" in notes
    assert "  group: Group; unit: words (no unit)\n" in notes
    assert notes == head + disclosure.column_notes(tmp_path)
    (tmp_path / "flow.csv").unlink()
    assert "flow.csv" not in disclosure.column_notes(tmp_path)


def test_write_csv_protected_columns_at_the_places_their_rule_published(tmp_path):
    # person-years are published rounded to whole years (to the base 5) and shares to 1
    # place: the download reads "15" and "32.5" as the page's table does, never "15.00"
    # or "37.50" (#15: places the number does not have)
    people = pd.DataFrame({"group": ["a"] * 40 + ["b"] * 60,
                           "events": [1] * 20 + [0] * 20 + [1] * 10 + [0] * 50,
                           "py": [0.4] * 40 + [0.25] * 60})
    rates = disclosure.rates_table(people, group_cols="group", event_col="events",
                                   person_time_col="py")
    disclosure.write_csv(rates, tmp_path / "rates.csv")
    head, rows = read_csv((tmp_path / "rates.csv").read_text())
    py = head.index("person_years")
    assert [row[py] for row in rows] == ["15", "15"]
    assert rows[0][head.index("rate")] == "1.33"  # a rate keeps 2 places
    shares = disclosure.protected_shares(pd.DataFrame({"group": ["x", "y"],
                                                       "n": [13, 27]}), ["n"])
    disclosure.write_csv(shares, tmp_path / "shares.csv")
    head, rows = read_csv((tmp_path / "shares.csv").read_text())
    assert [row[head.index("n %")] for row in rows] == ["37.5", "62.5"]  # 15 and 25 of 40


def test_write_csv_unlabelled_machine_column_is_refused_and_nothing_written(tmp_path):
    # a download kept a machine header ("hr_lower") whose notes could only repeat it
    # as "hr lower": every header of every download has the page's words beside it (#15)
    table = disclosure.protect_counts(pd.DataFrame(
        {"term": ["Life Rooms use"], "hr_lower": [0.8]}), [])
    with pytest.raises(ValueError, match="download 'ratios.csv'.*'hr_lower' has no label"):
        disclosure.write_csv(table, tmp_path / "ratios.csv")
    assert not any(tmp_path.iterdir())


def test_write_csv_every_labelled_column_is_listed_with_its_words(tmp_path):
    # every machine name a published table may carry, in one download: each header is
    # listed in the notes with the words the page shows for it (labels.column_label)
    from lifetools.labels import COLUMN_LABELS, column_label

    names = [n for n in COLUMN_LABELS if "\n" not in n]
    table = disclosure.protect_counts(pd.DataFrame({n: ["x"] for n in names}), [])
    disclosure.write_csv(table, tmp_path / "all.csv")
    notes = (tmp_path / "notes.txt").read_text()
    head, _ = read_csv((tmp_path / "all.csv").read_text())
    assert head == names
    for name in head:
        assert f"\n  {name}: {column_label(name)}; unit: " in notes, name
