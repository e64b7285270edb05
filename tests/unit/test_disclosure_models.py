"""Model release check: n, events, residual df per level; withheld with a reason."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from property_examples import examples

from lifetools import plots
from lifetools.disclosure import (
    NOT_ESTIMABLE,
    ModelRelease,
    combine_estimates,
    get_profile,
    model_outputs,
    model_release,
    protect_counts,
    require_estimates,
)
from lifetools.disclosure.models import LABEL_COLUMNS, WITHHELD_COLUMN
from lifetools.disclosure.withheld import headline_of
from lifetools.errors import DisclosureError
from lifetools.tables import table_estimates


def fitted(estimate=1.5, low=1.1, high=2.0, warnings=(), model=None):
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [estimate],
                            "ci_lower": [low], "ci_upper": [high], "p_value": [0.01]})
    return SimpleNamespace(summary=summary, warnings=warnings, model=model)


def data(events_exposed: int, n: int = 200) -> pd.DataFrame:
    exposed = np.r_[np.ones(n // 2), np.zeros(n // 2)]
    event = np.zeros(n)
    event[:events_exposed] = 1
    event[n // 2:n // 2 + 40] = 1
    return pd.DataFrame({"exposed": exposed, "event": event})


def test_model_release_passes_with_enough_events():
    release = model_release(fitted(), data=data(10), event_col="event",
                            level_cols=["exposed"])
    assert release.released and release.reason == ""
    assert release.levels["events"].tolist() == [40, 10]
    assert release.residual_df == 199


def test_model_release_withholds_a_level_with_few_events():
    # the 2023-24 re-referral page: a group with fewer than 8 events
    release = model_release(fitted(), data=data(9), event_col="event",
                            level_cols=["exposed"])
    assert not release.released
    # decided on the raw 9, stated without the threshold: its events are published as 10
    assert release.reason == "too few events among people after their first Life Rooms contact"
    assert release.levels["events"].tolist()[1] == 10  # 9 shown rounded
    few = model_release(fitted(), data=data(5), event_col="event",
                        level_cols=["exposed"])
    assert few.levels["events"].tolist()[1] is pd.NA   # 5 suppressed


@pytest.mark.parametrize(("result", "reason"), [
    (fitted(0.0, 0.0, float("inf")), "the data could not pin down the estimate"),
    (fitted(1.2, 1.2, 1.2), "the data could not pin down the estimate"),
    (fitted(1.2, 0.9, float("nan")), "the data could not pin down the estimate"),
    (fitted(warnings=("Newton-Raphson failed to converge",)), "did not converge"),
    (fitted(model=SimpleNamespace(mle_retvals={"converged": False})),
     "did not converge"),
])
def test_model_release_withholds_degenerate_or_non_converged(result, reason):
    release = model_release(result, data=data(30), event_col="event",
                            level_cols=["exposed"])
    assert not release.released and reason in release.reason


def test_model_release_rate_with_few_values_without_hint_is_read_as_categories():
    # a baseline rate of 0, 1 or 5 per year: three "levels", the top one with 2 events
    frame = data(40).assign(rate=np.r_[np.full(196, 0.0), np.full(2, 1.0), [5.0, 5.0]])
    frame.loc[frame.index[-2:], "event"] = 1
    naive = model_release(fitted(), data=frame, event_col="event",
                          level_cols=["exposed", "rate"])
    assert not naive.released and "‘Rate’ = 5.0" in naive.reason
    hinted = model_release(fitted(), data=frame, event_col="event",
                           level_cols=["exposed", "rate"], continuous=["rate"])
    assert hinted.released, hinted.reason
    levels = hinted.levels.frame
    assert levels.loc[levels["variable"] == "rate", "level"].tolist() == ["all"]


def test_model_release_continuous_hint_still_withholds_a_binary_level():
    frame = data(9).assign(rate=np.linspace(0, 3, 200))
    release = model_release(fitted(), data=frame, event_col="event",
                            level_cols=["exposed", "rate"], continuous=["rate"])
    assert not release.released
    assert "people after their first Life Rooms contact" in release.reason and "rate" not in release.reason


def test_model_release_continuous_hint_outside_level_cols_is_an_error():
    with pytest.raises(ValueError, match="not in level_cols"):
        model_release(fitted(), data=data(20), event_col="event",
                      level_cols=["exposed"], continuous=["age"])


def test_model_release_residual_df():
    release = model_release(fitted(), data=data(10, n=40).head(10), event_col="event",
                            level_cols=[])
    assert "residual degrees of freedom" in release.reason


def test_withheld_model_is_shown_as_too_few_events_with_reason():
    release = model_release(fitted(0.0, 0.0, float("inf")), data=data(5),
                            event_col="event", level_cols=["exposed"])
    table = table_estimates(release.estimates(fitted(0.0, 0.0, float("inf")).summary))
    # the open interval follows from the too few events: one reason, not two; the row
    # shows the marker ([c]: the model release rule hid it), the reason is the table's
    # (stated once in its note)
    assert table["estimate (95% CI)"].tolist() == ["[c]"]
    # the headline's count said once: the reason alone (issue 15, wave 38)
    assert table[WITHHELD_COLUMN].tolist() == [
        "too few events among people after their first Life Rooms contact"]
    assert "to inf" not in table.to_string() and "0.00" not in table.to_string()


@pytest.mark.parametrize("event_col, unit", [("people", "people"),
                                             ("observations", "observations"),
                                             ("event", "events")])
def test_model_release_withheld_names_the_unit_its_outcome_counts(event_col, unit):
    # a mean over people withheld read "too few events to estimate" (note5, #12)
    rows = data(5).assign(people=1, observations=1).head(8)
    release = model_release(fitted(), data=rows, event_col=event_col, level_cols=[])
    table = table_estimates(release.estimates(fitted().summary))
    text = table[WITHHELD_COLUMN].tolist()[0]
    assert text.startswith(f"too few {unit} to estimate: ")
    assert ("events" in text) == (unit == "events")
    # the unit is sealed with the verdict: it cannot be changed by hand
    with pytest.raises(DisclosureError, match="only be made by"):
        type(release)(released=False, reasons=release.reasons, levels=release.levels,
                      residual_df=release.residual_df, seal=release.seal, unit="events"
                      if unit != "events" else "people")


def test_model_release_cannot_be_made_by_hand():
    # a verdict written by hand would let a model skip the checks
    levels = model_release(fitted(), data=data(10), event_col="event",
                           level_cols=["exposed"]).levels
    with pytest.raises(DisclosureError, match="only be made by"):
        ModelRelease(released=True, reasons=(), levels=levels, residual_df=100)


def test_released_estimates_blank_a_withheld_model_and_stack():
    good = model_release(fitted(), data=data(10), event_col="event",
                         level_cols=["exposed"])
    bad = model_release(fitted(), data=data(9), event_col="event",
                        level_cols=["exposed"])
    both = combine_estimates([good.estimates(fitted().summary.assign(model="a")),
                              bad.estimates(fitted().summary.assign(model="b"))])
    frame = require_estimates(both).frame
    assert frame["estimate"].tolist()[0] == 1.5 and np.isnan(frame["estimate"][1])
    assert headline_of(frame["withheld"].tolist()[1]) == NOT_ESTIMABLE
    assert both.record.columns_with("estimate") == ["estimate", "ci_lower",
                                                    "ci_upper", "p_value"]
    only_a = both.rows(both["model"] == "a")
    assert len(only_a) == 1 and require_estimates(only_a) is only_a


@pytest.mark.parametrize("show", [
    lambda t: table_estimates(t),
    lambda t: plots.plot_forest(t),
])
def test_displays_refuse_model_estimates_not_released(show):
    with pytest.raises(DisclosureError, match="model_release"):
        show(fitted().summary)
    release = model_release(fitted(), data=data(10), event_col="event",
                            level_cols=["exposed"])
    with pytest.raises(DisclosureError, match="added after disclosure control"):
        show(release.estimates(fitted().summary).assign(raw_events=[9]))
    show(release.estimates(fitted().summary))


def test_model_release_not_converged_says_could_not_be_estimated():
    # the 2024-25 emergency page at 10,000 people: "too few events to estimate: the fit
    # did not converge" told readers events were few when the propensity fit had failed
    failed = model_release(fitted(model=SimpleNamespace(mle_retvals={"converged": False})),
                           data=data(30), event_col="event", level_cols=["exposed"])
    assert failed.headline == "could not be estimated"
    assert failed.withheld == "could not be estimated: the fit did not converge"
    assert failed.apply(fitted().summary)["withheld"].tolist() == [failed.withheld]
    few = model_release(fitted(model=SimpleNamespace(mle_retvals={"converged": False})),
                        data=data(5), event_col="event", level_cols=["exposed"])
    assert few.withheld.startswith("too few events among ")
    assert few.headline == headline_of(few.withheld) == NOT_ESTIMABLE
    assert few.withheld.endswith("; the fit did not converge")
    released = model_release(fitted(), data=data(30), event_col="event",
                             level_cols=["exposed"])
    assert released.headline == released.withheld == ""


def test_model_release_difference_in_differences_groups_read_in_words():
    # the emergency page: "too few events to estimate: fewer than 10 events among 'user'"
    frame = pd.DataFrame({"user": [1.0] * 4 + [0.0] * 96, "after": [0, 1] * 50,
                          "event": [1] * 4 + [1] * 60 + [0] * 36})
    release = model_release(fitted(), data=frame, event_col="event",
                            level_cols=["user", "after"])
    assert release.reason == "too few events among Life Rooms users"


def test_model_release_open_intervals_of_several_terms_are_one_reason():
    # the 2024-25 landing page at 3,000 people read "too few events (fewer than 10
    # events in total; its confidence interval reaches 0 or infinity (Life Rooms use
    # before discharge); its confidence interval reaches 0 or infinity (Age (per 10
    # years)); its confidence interval reaches 0 or infinity (HoNOS score ...)))"
    summary = pd.DataFrame({"term": ["exposed", "age_per_10", "honos_per_5"],
                            "estimate": [0.0, 1.2, 9.0], "ci_lower": [0.0, 0.0, 1.0],
                            "ci_upper": [float("inf"), float("inf"), float("inf")],
                            "p_value": [0.9, 0.9, 0.9]})
    result = SimpleNamespace(summary=summary, warnings=(), model=None)
    enough = model_release(result, data=data(30), event_col="event",
                           level_cols=["exposed"])
    assert enough.reasons == ("the data could not pin down the estimates for ‘Life Rooms "
                              "use (time-varying)’, ‘Age (per 10 years)’ and ‘HoNOS score "
                              "(per 5 points)’",)
    few = model_release(result, data=data(5), event_col="event", level_cols=["exposed"])
    assert few.reasons == ("too few events among people after their first Life Rooms contact",)


def test_model_outputs_tie_each_column_to_its_models_release(tmp_path, monkeypatch):
    # issue 19: the crisis report's calibration, decision and fairness tables, and its
    # time-to-event and risk-group tables, carry the release of the model that made them
    from lifetools import config, tables
    from lifetools.disclosure import model_outputs
    from lifetools.disclosure.models import WITHHELD_COLUMN

    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path))
    good = model_release(fitted(), data=data(10), event_col="event", level_cols=["exposed"])
    bad = model_release(fitted(), data=data(9), event_col="event", level_cols=["exposed"])
    frame = pd.DataFrame({"group": ["Female", "Male"], "people": [50, 53],
                          "logistic (95% CI)": ["0.712 (0.690 to 0.734)", "0.650"],
                          "Fine-Gray (95% CI)": ["0.201 (0.1 to 0.3)", "0.180"]})
    both = model_outputs(frame, {"logistic (95% CI)": good, "Fine-Gray (95% CI)": good},
                         count_cols=["people"])
    assert both.record.columns_with("estimate") == ["logistic (95% CI)",
                                                    "Fine-Gray (95% CI)"]
    assert both.count_cols == ["people"] and both.frame["people"].tolist() == [50, 55]
    assert both.frame.drop(columns="people").equals(frame.drop(columns="people"))
    stamp = tables.show_table(both, name="outputs", caption="Outputs",
                              count_cols=["people"]).rules
    assert stamp["estimate_headers"] == ["Logistic (95% CI)", "Fine-Gray (95% CI)"]  # as shown
    # a withheld model's column is blanked and the table says why; the other's kept
    one = model_outputs(frame, {"logistic (95% CI)": good, "Fine-Gray (95% CI)": bad},
                        count_cols=["people"])
    shown = one.frame
    assert _withheld_cells(shown["Fine-Gray (95% CI)"])
    assert shown["logistic (95% CI)"].tolist() == frame["logistic (95% CI)"].tolist()
    assert shown[WITHHELD_COLUMN].unique().tolist() == [bad.withheld]
    tables.show_table(one, name="withheld", caption="Withheld", count_cols=["people"])
    # too few events: the model release rule, a disclosure rule: [c] (wave 42)
    assert "[c]" in (tmp_path / "tables" / "withheld.csv").read_text()
    curve = pd.DataFrame({"predicted": [0.1, 0.2], "observed": [0.12, 0.18]})
    blank = model_outputs(curve, dict.fromkeys(curve.columns, bad)).frame
    assert _withheld_cells(blank["observed"])
    # a withheld numeric column keeps its unit in the download's notes (written "[c]")
    from lifetools.disclosure.downloads import file_notes

    net = pd.DataFrame({"threshold": [0.1, 0.2], "model": [0.05, 0.03]})
    tables.show_table(model_outputs(net, {"model": bad}, inputs=["threshold"]),
                      name="net", caption="Net")
    notes = file_notes(tmp_path / "tables" / "net.csv")
    assert "  model: Model; unit: a number in the unit of the measure" in notes
    with pytest.raises(KeyError, match="not in the table"):
        model_outputs(frame, {"elsewhere": good})
    with pytest.raises(DisclosureError, match="whole numbers but is not protected"):
        model_outputs(frame, dict.fromkeys(["logistic (95% CI)", "Fine-Gray (95% CI)"],
                                           good))  # people not declared
    with pytest.raises(DisclosureError, match="'Fine-Gray' of a model's outputs holds "
                       "numbers but is declared neither"):
        model_outputs(frame.assign(**{"Fine-Gray": [0.201, 0.180]}),
                      {"logistic (95% CI)": bad, "Fine-Gray (95% CI)": bad},
                      count_cols=["people"])


def test_model_release_linear_term_of_the_model_is_not_a_group():
    # age per 10 years with few distinct values, entered as one term of the model:
    # each value is no group, so no reason reads "'Age (per 10 years)' = -0.4"
    frame = data(9).assign(age_per_10=np.tile([-0.4, 0.1, 0.6, 1.9], 50))
    summary = pd.DataFrame({"term": ["exposed", "age_per_10"], "estimate": [1.5, 1.1],
                            "ci_lower": [1.1, 0.9], "ci_upper": [2.0, 1.3]})
    result = SimpleNamespace(summary=summary, warnings=(), model=None)
    release = model_release(result, data=frame, event_col="event",
                            level_cols=["exposed", "age_per_10"])
    assert not release.released
    assert "people after their first Life Rooms contact" in release.reason and "Age" not in release.reason
    assert "= " not in release.reason
    levels = release.levels.frame
    assert levels.loc[levels["variable"] == "age_per_10", "level"].tolist() == ["all"]
    # few events at one age, enough in every group: released
    enough = frame.assign(event=frame["event"].where(frame["age_per_10"] != 1.9, 0))
    enough.loc[enough.index[:20], "event"] = 1
    assert model_release(result, data=enough, event_col="event",
                         level_cols=["exposed", "age_per_10"]).released
    # a 0/1 term of the model keeps its two groups
    binary = model_release(fitted(), data=data(9), event_col="event",
                           level_cols=["exposed"])
    assert "among people after their first Life Rooms contact" in binary.reason


def test_a_withheld_models_summary_under_other_column_names_is_refused():
    """A withheld model blanks only the estimate columns it knows: its hazard ratio
    under another name would be shown beside "too few events" if not refused."""
    withheld = model_release(fitted(), data=data(9), event_col="event",
                             level_cols=["exposed"])
    assert not withheld.released
    renamed = fitted().summary.rename(columns={
        "estimate": "hazard_ratio", "ci_lower": "low", "ci_upper": "high",
        "p_value": "p"})
    with pytest.raises(KeyError, match="no estimate column in the summary"):
        withheld.estimates(renamed)


def test_require_estimates_refuses_a_protected_table_of_counts():
    """Counts protected by their own rules are not a model's released estimates."""
    counts = protect_counts(pd.DataFrame({"term": ["exposed"], "estimate": [150]}),
                            ["estimate"])
    with pytest.raises(DisclosureError, match="forest: a protected table without "
                                              "released model estimates"):
        require_estimates(counts, name="forest")


# A withheld model's value must not leave through a column its release does not know
# (issue 12, wave 21): ``withheld.estimates(summary.assign(hr=1.5))`` kept ``hr`` as an
# ordinary column. The class of defect: any extra column, any name, any value.
_KNOWN = {*LABEL_COLUMNS, *fitted().summary.columns}
_EXTRA_NAMES = st.text(min_size=1, max_size=12).filter(lambda n: n not in _KNOWN)
_VALUES = st.one_of(st.floats(allow_nan=False), st.integers(-10**12, 10**12),
                    st.booleans(), st.text(max_size=12),
                    st.from_regex(r"-?[0-9]{1,7}(\.[0-9]{1,4})?", fullmatch=True))


def _withheld() -> ModelRelease:
    """The withheld release of the property tests (9 events in a level), made once per
    profile: a ``ModelRelease`` is frozen and its ``levels`` are only read, and making
    it (a protected table of the levels' counts) was 60% of the two property tests'
    300 examples."""
    return _withheld_under(get_profile().name)


@cache
def _withheld_under(profile: str) -> ModelRelease:
    release = model_release(fitted(), data=data(9), event_col="event",
                            level_cols=["exposed"])
    assert not release.released and release.reason
    return release


def _with_columns(frame: pd.DataFrame, extra: dict) -> pd.DataFrame:
    """``frame.assign(**extra)`` for any column name: a generated name ``"self"`` made
    ``DataFrame.assign`` raise "got multiple values for argument 'self'" (a flaky
    failure of make check)."""
    out = frame.copy()
    for name, value in extra.items():
        out[name] = value
    return out


@settings(max_examples=examples(200))
@given(extra=st.dictionaries(_EXTRA_NAMES, _VALUES, min_size=1, max_size=4))
@example(extra={"self": 1.5})
def test_withheld_estimates_keep_no_value_of_any_extra_column(extra):
    summary = _with_columns(fitted().summary, extra)
    table = _withheld().estimates(summary)
    frame = table.frame
    assert set(extra) <= set(frame.columns)
    for name in extra:
        assert frame[name].isna().all(), name
    # what is left of the withheld row: its term's words and why it is not shown
    left = {c for c, v in frame.iloc[0].items() if not pd.isna(v)}
    assert left == {"term", "withheld"}
    assert frame["term"].iloc[0] == "exposed"


@pytest.mark.parametrize("value", [1.5, "1.5", "1,240", 7, "\u22120.25"])
@pytest.mark.parametrize("column", ["term", "note", "level", "failure"])
def test_withheld_estimates_blank_a_number_in_a_label_column(column, value):
    table = _withheld().estimates(fitted().summary.assign(**{column: value}))
    assert table.frame[column].isna().all()


def test_withheld_estimates_with_an_extra_column_show_none_of_it():
    # the published table: the hazard ratio 1.5 under another name is not shown
    summary = fitted(estimate=1.37, low=1.11, high=2.03).summary.assign(
        hr=1.37, hr_text="1.37 (1.11 to 2.03)")
    shown = table_estimates(_withheld().estimates(summary))
    cells = " ".join(str(v) for v in shown.to_numpy().ravel())
    assert "1.37" not in cells and "1.11" not in cells and "2.03" not in cells


def test_released_estimates_keep_an_extra_column_as_before():
    release = model_release(fitted(), data=data(10), event_col="event",
                            level_cols=["exposed"])
    table = release.estimates(fitted().summary.assign(n_terms=3.0))
    assert table.frame["n_terms"].tolist() == [3.0]
    assert table.record.role("n_terms") == "other"



@settings(max_examples=examples(100))
@given(extra=st.dictionaries(_EXTRA_NAMES, _VALUES, min_size=1, max_size=3))
@example(extra={"self": 1.5})
def test_model_outputs_refuse_an_undeclared_column_of_numbers(extra):
    # a withheld model's output under a column its release does not name
    curve = pd.DataFrame({"group": ["Female", "Male"], "observed": [0.12, 0.18]})
    table = _with_columns(curve, extra)
    holds_numbers = any(not isinstance(v, str) for v in extra.values())
    if holds_numbers:
        with pytest.raises(DisclosureError, match="declared neither a model's output"
                           "|whole numbers but is not protected"):
            model_outputs(table, {"observed": _withheld()})
    else:  # words: a row label, kept
        shown = model_outputs(table, {"observed": _withheld()}).frame
        assert _withheld_cells(shown["observed"])
    # declared an input, a number that is no model's output, it is kept
    kept = model_outputs(table, {"observed": _withheld()}, inputs=list(extra)).frame
    assert _withheld_cells(kept["observed"])


def test_models_withheld_for_one_reason_share_one_entry_of_the_tables_note():
    # the re-referral page at 3,000 people gave "too few events in total" once per
    # model in one table's note (3 times): issue 15, wave 25

    good = model_release(fitted(), data=data(10), event_col="event",
                         level_cols=["exposed"])
    bad = model_release(fitted(), data=data(9), event_col="event",
                        level_cols=["exposed"])
    named = {"a": good, "b, with a comma": bad, "c": bad}
    table = table_estimates(combine_estimates(
        [release.estimates(fitted().summary.assign(model=name))
         for name, release in named.items()]))
    entry = f"\u2018b, with a comma\u2019 and \u2018c\u2019: {bad.withheld}"
    assert table[WITHHELD_COLUMN].tolist() == ["", entry, entry]
    # one model alone reads bare; every model of the table, as all of them
    alone = table_estimates(combine_estimates(
        [release.estimates(fitted().summary.assign(model=name))
         for name, release in {"a": good, "b": bad}.items()]))
    assert alone[WITHHELD_COLUMN].tolist() == ["", f"‘b’: {bad.withheld}"]
    every = table_estimates(combine_estimates(
        [bad.estimates(fitted().summary.assign(model=name)) for name in "bc"]))
    # every model shares it: the reason alone (no "All the models in this table:")
    assert every[WITHHELD_COLUMN].tolist() == [bad.withheld] * 2
    # the note under the table says the reason once
    shown = show_table_note(table)
    assert shown.count(bad.reason) == 1, shown


def show_table_note(table: pd.DataFrame) -> str:
    from lifetools.disclosure.downloads import withheld_models_note

    return withheld_models_note(list(dict.fromkeys(
        v for v in table[WITHHELD_COLUMN].tolist() if v)))


def test_withheld_said_points_to_the_reasons_a_page_states_and_gives_the_rest():
    # the wellbeing page at 3,000 people: the summary said "too few residual degrees
    # of freedom (...)" and the table's note gave the mixed model's reasons again,
    # that clause included (issue 15, wave 28); a pointer names the model the page
    # gave them for when it is another ("its other reason is given above" of the mixed
    # model pointed to the mean change's reason as its own until wave 39)
    from lifetools.disclosure.withheld import (
        NOTHING_SAID,
        SAID_ONCE,
        SAID_ONCE_REST,
        Said,
    )
    from lifetools.labels import TERMS

    df = f"too few residual degrees of freedom ({TERMS['residual degrees of freedom']})"
    few = "too few events among people after their first Life Rooms contact"
    release = model_release(fitted(), data=data(5), event_col="event",
                            level_cols=["exposed"], parameters=195)
    assert release.reasons == (few, df)
    assert release.withheld_said(NOTHING_SAID, "Mixed") == release.withheld
    mean = Said().then("Mean change", df)
    assert release.withheld_said(mean, "Mixed") == (
        f"{few}; its other reason is {SAID_ONCE_REST}, for ‘Mean change’")
    # every reason given above for other models: the same reasons as for them
    both = mean.then("Share", few)
    assert release.withheld_said(both, "Mixed") == (
        f"{release.headline} (the same reasons as for ‘Mean change’ and "
        "‘Share’, given above)")
    # the whole reason given for another model
    assert release.withheld_said(Said().then("Fine-Gray", release.withheld_brief),
                                 "Landmark") == (
        f"{release.headline} (the same reasons as for ‘Fine-Gray’, given above)")
    # given for this model: the reasons are given above, whatever words it had
    assert release.withheld_said(Said().then("Mixed", "could not be estimated: x"),
                                 "Mixed") == release.withheld_once
    assert release.withheld_once.endswith(f"({SAID_ONCE})")
    three = model_release(fitted(), data=data(5), event_col="event",
                          level_cols=["exposed"], parameters=195, converged=False)
    assert three.withheld_said(Said().then("Mean change", f"{df}; the fit did not "
                                           "converge"), "Mixed") == (
        f"{few}; its other reasons are {SAID_ONCE_REST}, for ‘Mean change’")
    shown = release.estimates(fitted().summary, said=mean, name="Mixed").frame
    assert shown["withheld"].tolist() == [release.withheld_said(mean, "Mixed")]
    assert df not in shown["withheld"].iloc[0]


def test_quoted_and_listed_write_names_as_the_site_prose_does():
    from lifetools.labels import listed, quoted

    assert quoted("Life Rooms use") == "\u2018Life Rooms use\u2019"
    assert listed(["A"]) == "A" and listed(["A", "B"]) == "A and B"
    assert listed(["A", "B", "C"]) == "A, B and C"
    # a serial comma for items holding "and" themselves, from three items only
    assert listed(("A and B", "C", "D and E"), serial=True) == "A and B, C, and D and E"
    assert listed(["A", "B"], serial=True) == "A and B"
    with pytest.raises(ValueError):
        listed([])


def test_model_release_withhold_gives_its_headline_and_no_numerator():
    # the 2024-25 wellbeing page at 3,000 people: a share its check withheld was quoted
    # "not shown (hidden to protect privacy)" ([c]) beside the summary's and the
    # estimates table's residual degrees of freedom ([x]): one reason, the check's
    from lifetools.disclosure import share
    from lifetools.disclosure.withheld import PRIVACY, public_reason
    from lifetools.publication import result_text

    shown = share(40, 100)
    passed = model_release(fitted(), data=data(10), event_col="event",
                           level_cols=["exposed"])
    assert passed.withhold(shown) is shown
    few = model_release(fitted(), data=data(10, n=40).head(10).assign(people=1),
                        event_col="people", level_cols=[])
    for value in (shown, share(3, 100), share(0, 100)):  # shown, [c], group rule
        hidden = few.withhold(value)
        assert hidden.value is None and hidden.numerator is None
        assert hidden.interval is None and hidden.kind == "share"
        assert hidden.reason == "too few people to estimate"
        assert public_reason(hidden.reason) == hidden.reason
        assert str(result_text(hidden, kind="percentage")) == \
            "not shown (too few people to estimate)"
    # a disclosure rule's reason is still only "privacy"; the release's words are not
    # a way to publish a rule's name
    assert public_reason("group disclosure") == PRIVACY
    assert public_reason("too few people to estimate; group disclosure") == PRIVACY
    with pytest.raises(DisclosureError):
        ModelRelease(released=False, reasons=("x",), levels=few.levels,
                     residual_df=1, seal="forged").withhold(shown)


def _withheld_cells(column: pd.Series) -> bool:
    """Every cell of a withheld model's column holds no number: the model release
    rule's mark ([c], its reason said once in the table's note: a SaidInNote) or
    missing ([x], a fit that gave no number)."""
    from lifetools.disclosure.withheld import SaidInNote

    return all((isinstance(v, SaidInNote) and v.shown == "[c]")
               or (isinstance(v, float) and v != v) for v in column.tolist())
