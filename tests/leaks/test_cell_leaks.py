"""Leaks in table cells beyond the first column, and in streams (#12, note5 "Left").

Table cells outside the count columns were read by the count patterns only, so a count
written as text, as a string of digits, cast to decimals, or in a second label column
passed. Each is now refused by ``unprotected-number-in-table``
(:mod:`lifetools.pipeline.gate.tables`), and any number printed to a stream by
``unverifiable-stream``. Tables the series shows (decimals, intervals, reasons, declared
non-count columns, protected texts) pass.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from runfolder import RunFolder, display, stream
from test_leaks import refused

from lifetools import disclosure, publication, tables
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import scan_notebook

TABLE = "unprotected-number-in-table"
STREAM = "unverifiable-stream"


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return RunFolder(tmp_path, monkeypatch)


def shown(frame: pd.DataFrame, **kwargs) -> dict:
    return display(tables.show_table(frame, name="groups", caption="People by group",
                                     **kwargs))


def refused_at_source(run: RunFolder, frame: pd.DataFrame, rule: str = TABLE,
                      **kwargs) -> dict:
    """The table refused by show_table at source by the gate's rule, then shown past
    that check for the gate to refuse."""
    return run.past_source(lambda: shown(frame, **kwargs), rule)


BASE = {"group": ["Life Rooms users", "Secondary care"], "n": [1235, 12840]}
CELL_LEAKS = {
    "a count in words": {"note": ["13 came to the launch", "none"]},
    "a count after a bound": {"note": ["at least 8 people came", "none"]},
    "a count as digits in a text column": {"extra": ["13", "2634"]},
    "a count cast to decimals": {"raw": [13.0, 12842.0]},
    "a count in a second label column": {"n": [1235, 12840], "sub": ["2634", "12"]},
    "a count before a unit": {"note": ["waited 13 days", "none"]},
    "a count as a number word": {"note": ["a team of seven", "none"]},
}


@pytest.mark.parametrize("leak", CELL_LEAKS)
def test_cell_leaks_in_a_sealed_table_are_refused(leak, run):
    columns = CELL_LEAKS[leak]
    frame = pd.DataFrame({"group": BASE["group"], **columns, "n": BASE["n"]}) \
        if "sub" not in columns else pd.DataFrame(
            {"group": BASE["group"], "sub": columns["sub"], "n": BASE["n"]})
    cell = run.code(refused_at_source(run, frame, count_cols=["n"]))
    message = refused(run.write(), cell, TABLE)
    assert "13" not in message.split(TABLE, 1)[1] and "2634" not in message


def test_cell_leaks_series_shaped_tables_pass(run):
    run.cells[1].source += "\nn_boot = 200"
    frame = pd.DataFrame({
        "group": ["1 (most deprived)", "18-24"],
        "n": [1235, 12840],
        "hazard ratio (95% CI)": ["1.19 (0.83 to 1.71)", "1.00 (1.00 to 1.00)"],
        "note": ["too few people to estimate: fewer than 10 residual degrees of freedom",
                 "its confidence interval reaches 0 or infinity"],
        "df": [1, 2],
        "shrinkage": [0.25, 12.5],
        "zero": [0.0, 0.0],
    })
    run.code(shown(frame, count_cols=["n"], not_counts=["df"]))
    text = disclosure.compose("{n} bootstrap samples",
                              n=disclosure.Parameter(200, "n_boot"))
    run.code(shown(pd.DataFrame({"step": ["Validation"], "how": [text]})))
    assert scan_notebook(run.write()) == []


def test_cell_leaks_protected_text_cell_is_verified_not_trusted(run):
    # a protected text in a cell is re-checked span by span against the run: a
    # parameter span whose value is not the run's is refused
    run.cells[1].source += "\nn_boot = 200"
    text = disclosure.compose("{n} bootstrap samples",
                              n=disclosure.Parameter(13, "n_boot"))
    # at source the kernel knows no other value of n_boot than the span's: the gate does
    published = tables.show_table(pd.DataFrame({"step": ["Validation"], "how": [text]}),
                                  name="steps", caption="Steps")
    assert published.spans and published.spans[0][:2] == (0, "How")
    cell = run.code(display(published))
    assert "not the run's value" in refused(run.write(), cell, TABLE)


@pytest.mark.parametrize("text", ["fitting 3 models\n", "rows kept: 1235\n",
                                  "seven people left\n", "done in 2.5 s\n"])
def test_cell_leaks_any_number_in_a_stream_is_refused(text, run):
    cell = run.code(stream(text))
    refused(run.write(), cell, STREAM)


def test_cell_leaks_stream_without_numbers_passes(run):
    run.code(stream("fitting the model\n"))
    assert scan_notebook(run.write()) == []


def test_cell_leaks_forged_table_stamp_cannot_declare_a_count_column_safe(run):
    # the stamp's headers are sealed with the table: declaring a column "not a count"
    # by editing the stamp afterwards makes it a forged stamp
    output = refused_at_source(run, pd.DataFrame(
        {"group": BASE["group"], "extra": ["13", "2634"], "n": BASE["n"]}),
        count_cols=["n"])
    output["metadata"][publication.STAMP_KEY]["rules"]["not_count_headers"] = ["Extra"]
    cell = run.code(output)
    refused(run.write(), cell, "forged-stamp")


@pytest.mark.parametrize("value", [13.0, 2634.0, 2.0])
def test_cell_leaks_count_cast_to_decimals_in_a_one_row_table_is_refused(value, run):
    # one shown cell "13.00": a count cast to decimals, not an estimate
    frame = pd.DataFrame({"group": ["Life Rooms users"], "raw": [value], "n": [1235]})
    cell = run.code(refused_at_source(run, frame, count_cols=["n"]))
    refused(run.write(), cell, TABLE)


@pytest.mark.parametrize("value", [1.0, 0.0, 15.0, 1.19])
def test_cell_leaks_one_row_reference_or_publishable_value_passes(value, run):
    # a reference level's "1.00", a zero, a publishable number or an estimate
    frame = pd.DataFrame({"group": ["Life Rooms users"], "ratio": [value], "n": [1235]})
    run.code(shown(frame, count_cols=["n"]))
    assert scan_notebook(run.write()) == []


@pytest.mark.parametrize("sub", [["13", "12"], ["1", "13"], ["13-14", "1"], ["11+", "2"]])
def test_cell_leaks_undeclared_code_in_a_second_label_column_is_refused(sub, run):
    frame = pd.DataFrame({"group": BASE["group"], "sub": sub, "n": BASE["n"]})
    cell = run.code(refused_at_source(run, frame, count_cols=["n"]))
    assert "declared category" in refused(run.write(), cell, TABLE)


@pytest.mark.parametrize("sub", [["1", "5"], ["18-24", "75+"], ["01", "04"], ["2", "99"]])
def test_cell_leaks_declared_category_in_a_second_label_column_passes(sub, run):
    frame = pd.DataFrame({"group": BASE["group"], "sub": sub, "n": BASE["n"]})
    run.code(shown(frame, count_cols=["n"]))
    assert scan_notebook(run.write()) == []


def _rates() -> disclosure.ProtectedTable:
    rows = pd.DataFrame({"group": ["Life Rooms users"] * 40 + ["Secondary care"] * 40,
                         "events": [3] * 40 + [1] * 40,
                         "years": [8922.3 / 40] * 40 + [450.2 / 40] * 40})
    return disclosure.rates_table(rows, group_cols="group", event_col="events",
                                  person_time_col="years")


def test_cell_leaks_whole_person_years_pass_as_the_rule_published_them(run):
    # person-years are published whole and to the count base ("8,920", not "8,922.00"):
    # the stamp records the places and base, and the gate reads every cell against them
    output = display(tables.show_table(_rates(), name="rates", caption="Rates"))
    assert ">8,920</td>" in output["data"]["text/html"]
    run.code(output)
    assert scan_notebook(run.write()) == []


def test_cell_leaks_stamped_places_cannot_be_changed_to_free_a_column(run):
    # declaring the rate column whole after the fact (so that a whole number could
    # pass there) makes a forged stamp
    output = display(tables.show_table(_rates(), name="rates", caption="Rates"))
    output["metadata"][publication.STAMP_KEY]["rules"]["protected_places"]["Rate"] = 0
    cell = run.code(output)
    refused(run.write(), cell, "forged-stamp")


def test_cell_leaks_exact_person_years_beside_a_rounded_count_are_refused(run):
    # 492 people with a year each: "490" people beside "492" person-years gives the
    # headcount away. A magnitude table of person-time whole (places 0) but not rounded
    # to the count base is refused by the gate, whatever the places
    rows = pd.DataFrame({"group": ["Life Rooms users"] * 492, "person_years": [1.0] * 492})
    table = disclosure.protect_magnitudes(rows, group_cols="group",
                                          value_col="person_years", digits=0)
    table = table.select(["group", "contributors", "person_years"])
    output = display(run.past_source(lambda: tables.show_table(
        table, name="years", caption="Person-years"), TABLE))
    assert ">492</td>" in output["data"]["text/html"]
    cell = run.code(output)
    message = refused(run.write(), cell, TABLE)
    assert "count base (5)" in message and "492" not in message


def test_cell_leaks_stamped_person_time_base_cannot_be_removed(run):
    output = display(tables.show_table(_rates(), name="rates", caption="Rates"))
    del output["metadata"][publication.STAMP_KEY]["rules"]["protected_bases"]
    cell = run.code(output)
    refused(run.write(), cell, "forged-stamp")


def test_cell_leaks_text_cell_refused_at_source_as_at_the_gate(run):
    # issue 12: "9 to 5" in a text cell passed show_table and failed the gate at the
    # build; the gate's cell rule now runs in show_table, naming the table, the column
    # and the rule (never the number)
    frame = pd.DataFrame({"group": BASE["group"], "note": ["open 9 to 5", "none"],
                          "n": BASE["n"]})
    with pytest.raises(DisclosureError) as caught:
        shown(frame, count_cols=["n"])
    message = str(caught.value)
    assert message.startswith("table 'groups': column 'Note': ")
    assert f"(rule {TABLE!r}" in message and "9" not in message
    cell = run.code(refused_at_source(run, frame, count_cols=["n"]))
    assert "9 to 5" not in refused(run.write(), cell, TABLE)


def test_cell_leaks_unreleased_model_refused_at_source(run):
    # an "Estimate" column no release made: the gate's unreleased-model rule, at source
    frame = pd.DataFrame({"group": BASE["group"], "Estimate": [1.19, 0.92],
                          "n": BASE["n"]})
    cell = run.code(refused_at_source(run, frame, "unreleased-model", count_cols=["n"]))
    refused(run.write(), cell, "unreleased-model")


def test_cell_leaks_run_parameters_reach_the_source_check(run, monkeypatch):
    # the runner passes the run's parameters and their words to the kernel: a value
    # beside its declared words passes at source; a number beside no words does not,
    # whatever the parameters (a setting's or a parameter's value is not guessed)
    from lifetools import config
    from lifetools.disclosure.table_cells import source_parameters

    frame = pd.DataFrame({"group": BASE["group"], "note": ["13 visits a week", "none"],
                          "n": BASE["n"]})
    with pytest.raises(DisclosureError):
        shown(frame, count_cols=["n"])
    monkeypatch.setenv(config.ENV_RUN_PARAMETERS, '{"values": {"min_visits": 13}, '
                       '"words": {"min_visits": ["visits"]}}')
    assert config.run_parameters() == ({"min_visits": 13}, {"min_visits": ["visits"]})
    shown(frame, count_cols=["n"])
    assert source_parameters([["9 to 5"]])["any:min_visits"] == (5, 9)
    with pytest.raises(DisclosureError):
        shown(frame.assign(note=["open 9 to 5", "none"]), count_cols=["n"])


def test_cell_leaks_outcome_beside_a_hidden_group_is_refused_from_the_page(run):
    # the group-size rule is verified on the page, not trusted from the record: with
    # the rule broken in the library (an outcome left beside a hidden people count),
    # show_table's check of the shown cells refuses it, and so does the gate
    from lifetools.disclosure import counts

    frame = pd.DataFrame({"group": ["Life Rooms users", "Secondary care", "Other"],
                          "people": [1235, 3, 12840], "crises": [40, 0, 950]})
    run.monkeypatch.setattr(counts, "_hide_outcomes_of_hidden_groups",
                            lambda frame, cols, hidden, **_: hidden)
    output = run.past_source(lambda: shown(frame, count_cols=["people", "crises"]),
                             "outcome-beside-hidden-group")
    assert ">[c]</td>" in output["data"]["text/html"]
    cell = run.code(output)
    message = refused(run.write(), cell, "outcome-beside-hidden-group")
    assert "column 'Crises'" in message and "'People'" in message
    # the download is read the same way
    assert re.search(r"file [^:,]*groups\.csv[,:][^\n]*outcome-beside-hidden-group",
                     message), message


def test_cell_leaks_outcomes_hidden_with_their_group_pass(run):
    frame = pd.DataFrame({"group": ["Life Rooms users", "Secondary care", "Other"],
                          "people": [1235, 3, 12840], "crises": [40, 0, 950]})
    output = shown(frame, count_cols=["people", "crises"])
    assert output["metadata"][publication.STAMP_KEY]["rules"]["denominator_header"] == \
        "People"
    run.code(output)
    assert scan_notebook(run.write()) == []


@pytest.mark.parametrize("group", ["Referrals", "Caseload"])
def test_cell_leaks_outcome_beside_a_hidden_declared_group_is_refused(run, group):
    # a group size under another name, declared: checked on the page as "people" is
    from lifetools.disclosure import counts

    frame = pd.DataFrame({"group": ["Life Rooms users", "Secondary care", "Other"],
                          group: [1235, 3, 12840], "crises": [40, 0, 950]})
    ok = shown(frame, count_cols=[group, "crises"], denominator=group)
    assert ok["metadata"][publication.STAMP_KEY]["rules"]["denominator_header"] == group
    assert ok["data"]["text/html"].count(">[c]</td>") == 2  # the group and its crises
    run.monkeypatch.setattr(counts, "_hide_outcomes_of_hidden_groups",
                            lambda frame, cols, hidden, **_: hidden)
    output = run.past_source(lambda: shown(frame, count_cols=[group, "crises"],
                                           denominator=group),
                             "outcome-beside-hidden-group")
    cell = run.code(output)
    message = refused(run.write(), cell, "outcome-beside-hidden-group")
    assert "column 'Crises'" in message and f"{group!r}" in message
    assert re.search(r"file [^:,]*groups\.csv[,:][^\n]*outcome-beside-hidden-group",
                     message), message


def _withheld_models(*, failed_fit: bool = False) -> pd.DataFrame:
    """A hazard-ratio table of two models, both withheld by their release check: for
    too few events (``[c]``, the model release rule), or, with ``failed_fit``, only
    because the fit did not converge (``[x]``: no disclosure rule hid it)."""
    from types import SimpleNamespace

    import numpy as np

    events = np.zeros(200)
    events[:40 if failed_fit else 9] = 1
    events[100:140] = 1
    release = disclosure.model_release(
        SimpleNamespace(summary=pd.DataFrame({
            "term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1], "ci_upper": [2.0],
            "p_value": [0.01]}), warnings=(), model=None),
        data=pd.DataFrame({"exposed": np.r_[np.ones(100), np.zeros(100)],
                           "event": events}),
        event_col="event", level_cols=["exposed"],
        **({"converged": False} if failed_fit else {}))
    assert not release.released
    rows = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                         "ci_upper": [2.0], "p_value": [0.01]})
    return tables.table_estimates(disclosure.combine_estimates(
        [release.estimates(rows.assign(model=m)) for m in ("Cox", "Fine-Gray")]),
        label="hazard ratio")


def test_cell_leaks_table_shown_as_a_sentence_passes(run):
    # every model withheld: the page shows one sentence, the download its [x] cells
    table = tables.show_table(_withheld_models(), name="hr", caption="Hazard ratios")
    assert table.sentence
    run.code(display(table))
    assert scan_notebook(run.write()) == []


def _sentence(run: RunFolder, text: str, download: str) -> int:
    """A sealed table output showing ``text`` in place of its table (as an older or
    forged display function might), its download ``download``."""
    data, metadata = publication.seal(
        {"text/html": f'<div class="lifetools-table"><p>{text}</p></div>',
         "text/plain": f"Hazard ratios: {text}"},
        publication.stamp("table", "hr", rules={"count_cols": [],
                                                "label_headers": ["model", "term"]},
                          sentence=True))
    (run.files / "tables").mkdir(parents=True, exist_ok=True)
    (run.files / "tables" / "hr.csv").write_text(download)
    return run.code({"output_type": "display_data", "data": data, "metadata": metadata})


WITHHELD_CSV = "model,term,hazard ratio (95% CI),p-value\nCox,exposed,[x],[x]\n"


def test_cell_leaks_a_sentence_in_place_of_a_table_is_read_as_prose(run):
    # a sentence standing for a table is no way past the gate: its numbers are read by
    # the rules of prose (a stamped table's text outside a table was read only for
    # identifiers, k of n and counts of people)
    cell = _sentence(run, "The numbers for Cox are not shown: 42.9% of the 37 died.",
                     WITHHELD_CSV)
    message = refused(run.write(), cell, "unprotected-number-in-prose")
    assert "42.9" not in message and "37" not in message


def test_cell_leaks_a_sentence_for_a_table_whose_download_shows_values_is_refused(run):
    # the page says the numbers are not shown; its download must not show them
    cell = _sentence(run, "The numbers for Cox are not shown: too few events.",
                     "model,term,hazard ratio (95% CI),p-value\n"
                     "Cox,exposed,1.50 (1.10 to 2.00),0.01\n")
    message = refused(run.write(), cell, "withheld-table")
    assert "1.50" not in message


def test_cell_leaks_a_sentence_for_a_withheld_download_passes_that_rule(run):
    _sentence(run, "The numbers for Cox are not shown: too few events.", WITHHELD_CSV)
    assert "withheld-table" not in {f.rule for f in scan_notebook(run.write())}


def test_cell_leaks_a_sentence_table_refused_at_source_as_at_the_gate(run, monkeypatch):
    # a row label holding a number the rules of prose refuse is refused at source, in
    # the sentence, as the gate refuses it on the page
    frame = _withheld_models()
    frame["model"] = frame["model"].replace({"Cox": "Cox (42.9% of people)"})
    with pytest.raises(DisclosureError, match=re.escape(
            "(rule 'unprotected-number-in-prose'")):
        tables.show_table(frame, name="hr", caption="Hazard ratios")
    monkeypatch.setattr(tables, "prose_findings", lambda *a, **k: [])
    cell = run.code(display(tables.show_table(frame, name="hr", caption="Hazard ratios")))
    refused(run.write(), cell, "unprotected-number-in-prose")
