"""Publication tables: protected, accessible, refused when row-level."""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools import tables
from lifetools.disclosure import model_release, protect_counts
from lifetools.disclosure.models import WITHHELD_COLUMN
from lifetools.errors import DisclosureError
from lifetools.tables import format_estimate, show_notes, show_table, table_estimates


def test_show_table_protects_counts_and_writes_csv(output):
    # (a decimal column no rule made must not name a statistic: a "rate" is refused)
    frame = pd.DataFrame({"group": ["a", "b"], "n": [3, 1234],
                          "shrinkage": [0.1234, 1.5]})
    shown = show_table(frame, name="t", caption="Cap", count_cols=["n"])
    assert (output / "tables" / "t.csv").read_text() == (
        "group,n,shrinkage\na,[c],0.12\nb,1235,1.50\n")
    notes = (output / "tables" / "notes.txt").read_text()
    assert "[c]: confidential" in notes and "Counts from 1 to 7 are suppressed" in notes
    data, meta = shown._repr_mimebundle_()
    assert '<th scope="col">Number</th>' in data["text/html"]
    assert '<th scope="col">Group</th>' in data["text/html"]
    assert "<caption>Cap</caption>" in data["text/html"] and "[c]" in data["text/html"]
    assert "1,235" in data["text/html"]
    assert meta["lifetools"]["kind"] == "table"


def test_show_table_says_a_group_label_once_down_the_table_and_keeps_it_for_readers(
        output):
    # the cohort table read "Age band" in all 7 of its rows
    from bs4 import BeautifulSoup

    frame = pd.DataFrame({"characteristic": ["Age band", "Age band", "Age band", "Sex",
                                             "Sex"],
                          "group": ["18-24", "25-34", "35-44", "Female", "Male"],
                          "n": [235, 620, 550, 900, 905]})
    shown = show_table(frame, name="chars", caption="Cap", count_cols=["n"])
    rows = BeautifulSoup(shown.to_html(), "html.parser").select("tbody tr")
    firsts = [row.find("td") for row in rows]
    # every row still holds its label (a screen reader reads a row alone; a copy and a
    # stacked row keep it); a repeat is marked, its words out of sight in a wide table
    assert [td.get_text() for td in firsts] == list(frame["characteristic"])
    assert [tables.SAME_AS_ABOVE in (td.get("class") or []) for td in firsts] == [
        False, True, True, False, True]
    assert [row.get("class") for row in rows] == [
        None, None, None, ["lifetools-group-start"], None]
    # the download keeps every cell
    assert (output / "tables" / "chars.csv").read_text().count("Age band") == 3
    # numbers repeated, or a table whose labels never repeat, are left as they are
    plain = show_table(pd.DataFrame({"day": ["1", "1"], "n": [100, 200]}), name="p2",
                       caption="Cap", count_cols=["n"]).to_html()
    assert tables.SAME_AS_ABOVE not in plain and "group-start" not in plain


def test_show_table_keeps_already_protected_frames(output):
    frame = protect_counts(pd.DataFrame({"n": [12]}), ["n"])
    shown = show_table(frame, name="p", caption="c", count_cols=["n"])
    assert shown.table["n"].tolist() == [10]
    assert shown.frame["n"].tolist() == ["10"] == shown.words["Number"].tolist()


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"person_id": ["x"], "n": [10]}),
    pd.DataFrame({"year_of_birth": [1980], "n": [10]}),
    pd.DataFrame({"n": range(100)}),
])
def test_show_table_refuses_row_level_tables(output, frame):
    with pytest.raises(DisclosureError):
        show_table(frame, name="x", caption="c", count_cols=["n"])


def released(summary):
    """The summary through the release check (enough rows, nothing else checked)."""
    rows = pd.DataFrame({"e": [1.0] * 100})
    return model_release(None, data=rows, event_col="e", level_cols=[],
                         summary=summary.iloc[0:0], converged=True).estimates(summary)


def test_table_estimates_refuses_a_model_summary_not_released():
    summary = pd.DataFrame({"term": ["a"], "estimate": [1.2], "ci_lower": [1.1],
                            "ci_upper": [1.4]})
    with pytest.raises(DisclosureError, match="model_release"):
        table_estimates(summary)
    with pytest.raises(DisclosureError, match="added after disclosure control"):
        table_estimates(released(summary).assign(raw=[3]))


def test_estimate_formatting():
    summary = pd.DataFrame({"term": ["a"], "estimate": [1.234], "ci_lower": [1.1],
                            "ci_upper": [1.4], "p_value": [0.0001], "model": ["m"]})
    table = table_estimates(released(summary), label="HR", keep=["model"])
    assert table.iloc[0].tolist() == ["m", "a", "1.23 (1.10 to 1.40)", "<0.001"]
    assert format_estimate(2, 1, 3, digits=1) == "2.0 (1.0 to 3.0)"


def test_table_estimates_several_models_carry_the_model_column():
    # the re-referral page listed "Life Rooms use before discharge" three times: the
    # Cox, complete-case and Fine-Gray rows without the column saying which model
    summary = pd.DataFrame({"term": ["use", "age", "use"], "estimate": [1.2, 1.0, 1.3],
                            "ci_lower": [1.1, 0.9, 1.1], "ci_upper": [1.4, 1.1, 1.5],
                            "model": ["Cox", "Cox", "Fine-Gray"]})
    table = table_estimates(released(summary), label="HR")
    assert table.columns[0] == "model" and table["model"].tolist() == [
        "Cox", "Cox", "Fine-Gray"]
    assert not table[["model", "term"]].duplicated().any()
    one = table_estimates(released(summary.head(2)), label="HR")  # terms differ
    assert "model" not in one.columns


def test_table_estimates_ratio_limit_rounding_onto_one_shows_its_side():
    summary = pd.DataFrame({"term": ["use", "age"], "estimate": [1.9, 0.5],
                            "ci_lower": [1.004, 0.3], "ci_upper": [4.03, 0.9996]})
    column = "hazard ratio (95% CI)"
    assert table_estimates(released(summary), label="hazard ratio")[column].tolist() == [
        "1.90 (1.004 to 4.03)", "0.50 (0.30 to 0.9996)"]
    mean = table_estimates(released(summary), label="estimate")["estimate (95% CI)"]
    assert mean.tolist() == ["1.90 (1.00 to 4.03)", "0.50 (0.30 to 1.00)"]  # no null
    assert format_estimate(1.9, 1.004, 4.03, null=1.0) == "1.90 (1.004 to 4.03)"


def test_show_table_csv_writes_missing_estimates_as_x_not_c(output):
    # (a plain frame's "estimate" is refused: a model's numbers need model_release)
    frame = pd.DataFrame({"term": ["a", "b"], "shrinkage": [1.5, float("nan")]})
    show_table(frame, name="e", caption="c")
    assert (output / "tables" / "e.csv").read_text() == (
        "term,shrinkage\na,1.50\nb,[x]\n")


def test_show_table_footnote_states_the_active_profile(output):
    from lifetools.disclosure import use_profile

    frame = pd.DataFrame({"group": ["a", "b"], "n": [4, 40]})
    with use_profile("mhsds"):
        shown = show_table(frame, name="m", caption="c", count_cols=["n"])
    assert shown.table["n"].tolist() == [pd.NA, 40]
    assert "Counts from 1 to 4 are suppressed" in shown.note
    assert shown.rules["profile"] == "mhsds"


@pytest.mark.parametrize(("estimate", "lower", "upper", "reason"), [
    (0.0, 0.0, float("inf"), "the data could not pin down this estimate"),
    (1.2, 0.5, float("nan"), "the data could not pin down this estimate"),
    (float("nan"), float("nan"), float("nan"), "the estimate is not finite"),
    (1.0, 1.0, 1.0, "its confidence interval has no width"),
    (0.5, 0.0, 2.0, "the data could not pin down this estimate"),
])
def test_format_estimate_degenerate_interval_says_could_not_be_estimated(
        estimate, lower, upper, reason):
    assert format_estimate(estimate, lower, upper) == f"could not be estimated: {reason}"


def test_format_estimate_with_reason_says_it_instead_of_numbers():
    assert format_estimate(1.2, 0.8, 1.9, reason="the model did not converge") == (
        "could not be estimated: the model did not converge")
    assert format_estimate(1.2, 0.8, 1.9, reason="") == "1.20 (0.80 to 1.90)"


def test_table_estimates_not_estimable_rows_read_their_reason():
    nan = float("nan")
    summary = pd.DataFrame({
        "term": ["ok", "failed", "flagged", "noted", "withheld", "degenerate", "missing"],
        "estimate": [1.5, nan, 0.0, nan, nan, 0.0, nan],
        "ci_lower": [1.1, nan, 0.0, nan, nan, 0.0, nan],
        "ci_upper": [2.0, nan, float("inf"), nan, nan, float("inf"), nan],
        "p_value": [0.01, nan, 0.9, nan, nan, 0.99, nan],
        "failure": [None, "the propensity model did not converge", None, None, None,
                    None, None],
        "estimable": [True, True, False, True, True, True, True],
        "reason": ["", "", "the fit did not converge", "", "", "", ""],
        "note": ["", "", "", "could not be estimated: no events", "", "", ""],
        "withheld": ["", "", "", "", "too few events to estimate: too few events",
                     "", ""],
    })
    table = table_estimates(released(summary), label="HR")
    assert table["HR (95% CI)"].tolist() == [
        "1.50 (1.10 to 2.00)",
        "could not be estimated: the propensity model did not converge",
        "could not be estimated: the fit did not converge",
        "could not be estimated: no events",
        "[x]",  # withheld: the reason is the table's, once (WITHHELD_COLUMN)
        "could not be estimated: the data could not pin down this estimate",
        "could not be estimated: the estimate is not finite",
    ]
    assert table["p-value"].tolist() == ["0.010", "", "", "", "[x]", "", ""]
    # rows of several models, one withheld: the term says whose reason it is
    assert table[WITHHELD_COLUMN].tolist() == [
        "", "", "", "", "‘withheld’: too few events to estimate: too few events", "", ""]
    shown = table.to_string()
    assert "nan" not in shown and "inf" not in shown


def test_show_table_whole_number_label_declared_not_a_count_is_shown(output):
    frame = pd.DataFrame({"quintile": [1, 2], "n": [12, 30]})
    with pytest.raises(DisclosureError, match="'quintile'"):
        show_table(frame, name="q", caption="c", count_cols=["n"])
    shown = show_table(frame, name="q", caption="c", count_cols=["n"],
                       not_counts=["quintile"])
    assert shown.frame.values.tolist() == [["1", "10"], ["2", "30"]]


def test_show_notes_empty_shows_nothing_and_writes_nothing(output):
    assert show_notes(pd.DataFrame(columns=["model", "note"]), name="notes",
                      caption="c") is None
    assert not (output / "tables" / "notes.csv").exists()


def test_show_notes_shows_each_note_with_its_model(output):
    notes = pd.DataFrame({"model": ["Cox"], "note": ["ConvergenceWarning: x"]})
    shown = show_notes(notes, name="fit-notes", caption="Notes from the model fits")
    assert shown.frame.values.tolist() == [["Cox", "ConvergenceWarning: x"]]
    assert (output / "tables" / "fit-notes.csv").exists()


def test_show_table_not_estimable_rows_are_stamped_for_the_manifest():
    summary = pd.DataFrame({"term": ["age", "sex"], "estimate": [1.2, float("nan")],
                            "ci_lower": [1.0, float("nan")],
                            "ci_upper": [1.4, float("nan")]})
    frame = tables.table_estimates(released(summary), label="Hazard ratio")
    found = tables.not_estimable_cells(frame)
    assert len(found) == 1 and found[0].startswith("sex: could not be estimated: ")
    shown = tables.PublishedTable("hr", "Hazard ratios", frame)
    _, meta = shown._repr_mimebundle_()
    assert meta["lifetools"]["not_estimable"][0].startswith("sex: could not be estimated")
    fine = tables.PublishedTable("hr", "Hazard ratios", frame.iloc[:1])
    assert "not_estimable" not in fine._repr_mimebundle_()[1]["lifetools"]
def test_show_table_headers_and_codes_in_words_csv_keeps_names(output, monkeypatch):
    # (exact person-years are refused at source now, as the gate refuses them)
    frame = pd.DataFrame({"pathway_category": ["money_debt_benefits", "housing"],
                          "shrinkage": [0.5, 0.25]})
    shown = show_table(frame, name="w", caption="c")
    assert list(shown.words.columns) == ["Pathway", "Shrinkage"]
    assert shown.words["Pathway"].tolist() == ["Money, debt and benefits",
                                               "Housing and homelessness"]
    assert (output / "tables" / "w.csv").read_text().splitlines()[0] == \
        "pathway_category,shrinkage"
    # inside a run (the runner passes its parameters); outside one the gate decides
    monkeypatch.setenv("LIFETOOLS_RUN_PARAMETERS", '{"values": {"n_boot": 20}}')
    with pytest.raises(DisclosureError, match="Person-years.*rule 'unprotected-number"):
        show_table(frame.rename(columns={"shrinkage": "person_years"}), name="w",
                   caption="c")


def test_show_table_unlabelled_machine_column_is_refused(output):
    frame = pd.DataFrame({"term": ["a"], "odd_ratio_x": [1.5]})
    with pytest.raises(ValueError, match="'odd_ratio_x' has no label"):
        show_table(frame, name="r", caption="c")



def _rates_rows() -> pd.DataFrame:
    # 40 people a group, person-time summing to 8,922.3 and 450.2 years
    return pd.DataFrame({"group": ["Life Rooms users"] * 40 + ["Secondary care"] * 40,
                         "events": [3] * 40 + [1] * 40,
                         "years": [8922.3 / 40] * 40 + [450.2 / 40] * 40})


def test_show_table_person_years_to_the_count_base_on_the_page_and_csv(output):
    from lifetools.disclosure import rates_table

    table = rates_table(_rates_rows(), group_cols="group", event_col="events",
                        person_time_col="years")
    shown = show_table(table, name="rates", caption="Rates")
    # person-years to the count base (8,922.3 -> 8,920), the rate from the numbers shown
    assert shown.words["Person-years"].tolist() == ["8,920", "450"]
    assert shown.words["Rate"].tolist() == ["0.01", "0.09"]  # other numbers: 2 places
    assert shown.rules["protected_places"] == {"Person-years": 0}
    assert shown.rules["protected_bases"] == {"Person-years": 5}
    assert "Person-years are rounded to the nearest 5; rates are computed from the " \
        "rounded numbers shown." in shown.note
    # the download publishes the same rounded person-years, at the places the rule
    # published them ("8920", not "8920.00": #15)
    csv = (output / "tables" / "rates.csv").read_text().splitlines()
    assert csv[1].split(",")[3] == "8920"


def test_show_table_shares_shown_to_one_place(output):
    from lifetools.disclosure import protected_shares

    frame = pd.DataFrame({"level": ["a", "b", "c"], "n": [300, 700, 1000]})
    shown = show_table(protected_shares(frame, ["n"]), name="shares", caption="Shares")
    assert shown.words.iloc[:, -1].tolist() == ["15.0", "35.0", "50.0"]
    assert shown.rules["protected_places"] == {shown.words.columns[-1]: 1}


def test_protected_table_places_follow_select_and_rename():
    from lifetools.disclosure import rates_table

    table = rates_table(_rates_rows(), group_cols="group", event_col="events",
                        person_time_col="years")
    renamed = table.rename(columns={"person_years": "years"}).select(["group", "years"])
    assert renamed.record.places == (("years", 0),)
    assert renamed.record.bases == (("years", 5),)
    assert table.select(["group", "rate"]).record.bases == ()
    assert table.select(["group", "rate"]).record.places == ()


def test_table_estimates_failure_names_model_terms_in_words():
    # the 2023-24 emergency page at 3,000 people: "could not be estimated: const: its
    # standard error is not finite or is zero; after: its standard error ..."
    nan = float("nan")
    summary = pd.DataFrame({
        "term": ["after"], "estimate": [nan], "ci_lower": [nan], "ci_upper": [nan],
        "p_value": [nan], "failure": ["const: its standard error is not finite or is "
                                      "zero; after: its standard error is not finite"]})
    cell = table_estimates(released(summary), label="Rate ratio")[
        "Rate ratio (95% CI)"].iloc[0]
    assert cell == ("could not be estimated: Intercept: its standard error is not finite "
                    "or is zero; After the index date: its standard error is not finite")


def test_table_estimates_withheld_models_named_once_in_the_reason_column():
    # the emergency rate ratios at 3,000 people: each row its own model, withheld for
    # its own reason (outcome and design tell them apart), one with a fit's failure,
    # which still reads in its row as before
    nan = float("nan")
    summary = pd.DataFrame({
        "outcome": ["A&E", "A&E", "Admissions"], "term": ["Unadjusted", "Own control",
                                                           "Own control"],
        "estimate": [nan] * 3, "ci_lower": [nan] * 3, "ci_upper": [nan] * 3,
        "p_value": [nan] * 3, "failure": [None, None, "the fit did not converge"],
        "withheld": ["too few events to estimate: too few events among 'users'",
                     "too few events to estimate: too few events in total",
                     "could not be estimated: the fit did not converge"]})
    table = table_estimates(released(summary), label="rate ratio", keep=["outcome"])
    assert table["rate ratio (95% CI)"].tolist() == [
        "[x]", "[x]", "could not be estimated: the fit did not converge"]
    assert table[WITHHELD_COLUMN].tolist() == [
        "‘A&E, Unadjusted’: too few events to estimate: too few events among 'users'",
        "‘A&E, Own control’: too few events to estimate: too few events in total", ""]


def test_table_estimates_points_to_the_reasons_the_summary_states():
    # the 2024-25 emergency page at 3,000 people said "too few events in a group and
    # period to estimate a ratio of rate ratios" in its summary and in the rows of two
    # designs, and the own-control release reason in its summary and in the note
    # (issue 15, wave 27): a stated reason is pointed to, every other still said
    nan = float("nan")
    ratio = "too few events in a group and period to estimate a ratio of rate ratios"
    own = "too few events to estimate: too few events among 'before first contact'"
    summary = pd.DataFrame({
        "outcome": ["A&E", "A&E", "Admissions", "Admissions"],
        "term": ["Own control", "Matched", "Matched", "Weighted"],
        "estimate": [nan, nan, nan, 1.1], "ci_lower": [nan, nan, nan, 0.9],
        "ci_upper": [nan, nan, nan, 1.3], "p_value": [nan, nan, nan, 0.4],
        "failure": [None, "the fit did not converge", ratio, None],
        "withheld": [own, "could not be estimated: the fit did not converge",
                     "could not be estimated: " + ratio, None]})
    from lifetools.disclosure.withheld import Said

    said = Said.of([("A&E, Own control", own), ("Admissions, Matched", ratio)])
    table = table_estimates(released(summary), label="rate ratio", keep=["outcome"],
                            said=said)
    assert table["rate ratio (95% CI)"].tolist() == [
        "[x]", "could not be estimated: the fit did not converge", "[x]",
        "1.10 (0.90 to 1.30)"]
    assert table["p-value"].tolist() == ["[x]", "", "[x]", "0.400"]
    pointed = "could not be estimated (the reasons are given above)"
    # each under the headline the summary gave it: the withheld own-control ratio's
    # "too few events to estimate", the failed fit's "could not be estimated" (the
    # own-control row said "could not be estimated" until wave 30: issue 15)
    few = "too few events to estimate (the reasons are given above)"
    assert table[WITHHELD_COLUMN].tolist() == [
        f"‘A&E, Own control’: {few}", "", f"‘Admissions, Matched’: {pointed}", ""]
    # a row withheld in the words the summary gave another row names that row, not
    # "(the reasons are given above)" as if they were its own: the emergency page at
    # 3,000 people pointed its admissions own-control and weighted rows to reasons its
    # summary gave only for A&E and the matched admissions (wave 39)
    other = summary.assign(outcome=["Admissions", "A&E", "Admissions", "Admissions"],
                           term=["Own control", "Matched", "Weighted", "Matched"],
                           estimate=[nan] * 4, ci_lower=[nan] * 4, ci_upper=[nan] * 4,
                           p_value=[nan] * 4, failure=[None, None, ratio, None],
                           withheld=[own, None, "could not be estimated: " + ratio,
                                     None])
    moved = table_estimates(released(other), label="rate ratio", keep=["outcome"],
                            said=said)
    assert moved[WITHHELD_COLUMN].tolist()[0].endswith(
        "too few events to estimate (the same reasons as for ‘A&E, Own control’, "
        "given above)")
    assert moved[WITHHELD_COLUMN].tolist()[2].endswith(
        "could not be estimated (the same reasons as for ‘Admissions, Matched’, "
        "given above)")
    assert "the reasons are given above" not in " ".join(moved[WITHHELD_COLUMN])
    # without ``stated`` every reason is said where it was before
    plain = table_estimates(released(summary), label="rate ratio", keep=["outcome"])
    assert plain["rate ratio (95% CI)"].tolist()[:3] == [
        "[x]", "could not be estimated: the fit did not converge",
        f"could not be estimated: {ratio}"]


def test_withheld_note_names_the_models_before_its_verb(tmp_path, monkeypatch):
    # the 2024-25 discharge page: "The numbers marked [x] are not shown: 'Landmark at
    # 90 days' and 'Fine-Gray at 90 days (...)': too few events to estimate (...)", one
    # sentence with two colons (wave 37)
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    nan = float("nan")
    few = "too few events to estimate: too few events among 'users'"
    summary = pd.DataFrame({
        "outcome": ["Landmark", "Fine-Gray", "Matched"],
        "term": ["Life Rooms use"] * 3,
        "estimate": [nan, nan, 1.1], "ci_lower": [nan, nan, 0.9],
        "ci_upper": [nan, nan, 1.3], "p_value": [nan, nan, 0.4],
        "failure": [None, None, None], "withheld": [few, few, None]})
    table = table_estimates(released(summary), label="rate ratio", keep=["outcome"])
    shown = show_table(table, name="ratios", caption="Ratios")
    assert ("The numbers marked [x] for \u2018Landmark\u2019 and \u2018Fine-Gray\u2019 "
            "are not shown: too few events among 'users'.") in shown.note
    # models with different reasons: each reason after its models, one colon
    other = summary.assign(withheld=[few, "could not be estimated: no events", None])
    note = show_table(table_estimates(released(other), label="rate ratio",
                                      keep=["outcome"]), name="other", caption="O").note
    # each name quoted, one as several: a name may hold "; ", which separates the
    # clauses ("for Cause-specific Cox, complete cases (HoNOS recorded; missing-data
    # sensitivity), too few ..." on the re-referral page: wave 39)
    assert ("The numbers marked [x] are not shown: for ‘Landmark’, too few events "
            "among 'users'; for ‘Fine-Gray’, could not be estimated: no events."
            ) in note
