"""Summary sentences generated from results: estimated, not estimated, withheld."""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools.reports.narrative import (
    HORIZON_STEP,
    cumulative_share_sentence,
    horizon_estimate,
    ratio_sentence,
    readable_note,
    uncertainty_sentence,
)

FOUND = "The ratio was {estimate} ({level} confidence interval {interval})."
MISSING = "How the groups compared"


def test_ratio_sentence_estimated_gives_value_and_interval_to_two_places():
    row = {"estimate": 1.2, "ci_lower": 0.8, "ci_upper": 1.75, "text": None}
    assert ratio_sentence(row, found=FOUND, missing=MISSING) == (
        "The ratio was 1.20 (95% confidence interval 0.80 to 1.75).")


JUDGE = {"above": "faster among users", "below": "slower among users"}
JUDGED = "The ratio was {estimate} ({level} confidence interval {interval}): {verdict}."


@pytest.mark.parametrize(("limits", "events", "words"), [
    ((0.8, 1.75), 120, "compatible with no difference"),
    ((1.004, 1.75), 120, "faster among users"),
    ((0.5, 0.9), 120, "slower among users"),
    ((1.1, 1.75), 9, "too few events to tell"),
    ((1.1, 1.75), None, "too few events to tell"),
])
def test_ratio_sentence_judged_ends_with_the_verdict_of_its_interval(limits, events, words):
    # every interval a summary quotes ends with its verdict (book/methods/verdicts.md):
    # the hazard ratios' sentences had none until wave 39; a limit next to 1 keeps its
    # side, as the verdict reads it
    row = {"estimate": (limits[0] * limits[1]) ** 0.5, "ci_lower": limits[0],
           "ci_upper": limits[1], "text": None}
    sentence = ratio_sentence(row, found=JUDGED, missing=MISSING,
                              judge={**JUDGE, "events": events})
    assert sentence.endswith(f"): {words}.")
    assert sentence.startswith("The ratio was ") and "confidence interval" in sentence


def test_ratio_sentence_not_estimable_gives_reason_not_numbers():
    row = {"estimate": float("nan"), "ci_lower": float("nan"),
           "ci_upper": float("nan"), "text": "could not be estimated: no events"}
    assert ratio_sentence(row, found=FOUND, missing=MISSING) == (
        "How the groups compared could not be estimated: no events.")


def test_ratio_sentence_withheld_says_is_not_shown_with_reason():
    row = {"estimate": float("nan"), "ci_lower": float("nan"),
           "ci_upper": float("nan"),
           "text": "too few events to estimate (fewer than 10 events in a group)"}
    sentence = ratio_sentence(row, found=FOUND, missing=MISSING)
    assert sentence == ("How the groups compared is not shown: too few events to "
                        "estimate (fewer than 10 events in a group).")
    assert "nan" not in sentence


def test_ratio_sentence_after_one_with_the_same_reason_says_so_not_the_reason():
    # the re-referral summary said "too few events in total" in 3 sentences in a row
    # (the share, the hazard ratio, the Fine-Gray ratio) until wave 25: issue 15
    why = "too few events to estimate (too few events in total)"
    row = {"estimate": float("nan"), "ci_lower": float("nan"),
           "ci_upper": float("nan"), "text": why}
    assert ratio_sentence(row, found=FOUND, missing=MISSING, reason_before=why) == (
        "How the groups compared is not shown either, for the same reason.")
    failed = {**row, "text": "could not be estimated: no events"}
    assert ratio_sentence(failed, found=FOUND, missing=MISSING,
                          reason_before=failed["text"]) == (
        "How the groups compared could not be estimated either, for the same reason.")
    # another reason before, or none, and the reason is said
    for before in ("too few events to estimate (too few events among 'Female')", None):
        assert ratio_sentence(row, found=FOUND, missing=MISSING,
                              reason_before=before).endswith(
                                  "shown: too few events in total.")
    # an estimate is given whatever was said before
    shown = {"estimate": 1.2, "ci_lower": 0.8, "ci_upper": 1.75, "text": None}
    assert ratio_sentence(shown, found=FOUND, missing=MISSING,
                          reason_before=why).startswith("The ratio was 1.20")


def _cif(times, at_risk):
    n = len(times)
    return pd.DataFrame({"time": times, "estimate": [0.01 * (i + 1) for i in range(n)],
                         "ci_lower": [0.005 * (i + 1) for i in range(n)],
                         "ci_upper": [0.02 * (i + 1) for i in range(n)],
                         "at_risk": at_risk})


def test_uncertainty_sentence_explains_an_interval_only_when_one_was_estimated():
    estimated = {"estimate": 1.2, "ci_lower": 0.8, "ci_upper": 1.75, "text": None}
    failed = {"estimate": float("nan"), "ci_lower": float("nan"),
              "ci_upper": float("nan"), "text": "could not be estimated: no events"}
    withheld = {**failed, "text": "too few events to estimate (fewer than 10 events)"}
    assert uncertainty_sentence([failed, estimated]) == (
        "Each confidence interval shows the range of values compatible with the data.")
    none = uncertainty_sentence([failed, withheld])
    assert none.startswith("No confidence interval is shown")
    assert "range of values" not in none


def test_horizon_estimate_a_year_when_enough_people_followed_that_long():
    summary = _cif([10.0, 200.0, 300.0, 400.0], [100, 60, 40, 20])
    horizon, row = horizon_estimate(summary, pd.Series([365.0] * 12 + [20.0] * 50))
    assert horizon == 365
    assert row["time"] == 300.0  # the estimate in force on day 365


def test_horizon_estimate_is_a_whole_step_of_enough_follow_up_not_an_event_day():
    # the re-referral page quoted "by 232 days, the longest follow-up with enough people
    # still followed": the last event time with 10 at risk, while more were followed
    # past it, and the day of one person's event (wave 38)
    summary = _cif([10.0, 200.0, 232.0], [100, 40, 12])
    horizon, row = horizon_estimate(summary, pd.Series([250.0] * 10 + [20.0] * 50))
    assert horizon == 240 and horizon % HORIZON_STEP == 0
    assert row["time"] == 232.0  # the estimate in force on day 240
    # the tenth-longest follow-up decides: nine followed far are not enough
    horizon, _ = horizon_estimate(summary, pd.Series([400.0] * 9 + [130.0] + [20.0] * 50))
    assert horizon == 120
    assert horizon_estimate(summary, pd.Series([400.0] * 9 + [20.0] * 50)) == (0, None)
    # no event by the horizon: no share to quote
    assert horizon_estimate(_cif([300.0], [12]), pd.Series([250.0] * 10)) == (240, None)


def test_cumulative_share_sentence_says_when_follow_up_is_short():
    summary = _cif([10.0, 230.0], [100, 40])
    short = cumulative_share_sentence(230, summary.iloc[1], event="referred again")
    assert short == ("Too few people could be followed for a year within the period; by "
                     "230 days after discharge, as far as enough people were still "
                     "followed, an estimated 2.0% (95% confidence interval 1.0% to "
                     "4.0%) had been referred again.")
    year = cumulative_share_sentence(365, summary.iloc[1], event="referred again")
    assert year.startswith("Within a year of discharge, an estimated 2.0%")
    assert cumulative_share_sentence(0, None, event="referred again").startswith(
        "Too few people")


def test_cumulative_share_sentence_withheld_gives_the_release_reason_not_follow_up():
    # the 2023-24 re-referral page said "Too few people were followed" when the share
    # was withheld by the release check for too few events
    summary = _cif([10.0, 230.0], [100, 40])
    text = cumulative_share_sentence(
        230, summary.iloc[1], event="referred again",
        withheld="too few events to estimate (fewer than 10 events in total)")
    assert text == ("The share referred again is not shown: too few events to "
                    "estimate (fewer than 10 events in total).")
    assert "followed" not in cumulative_share_sentence(
        0, None, event="referred again", withheld="too few events to estimate")


def test_readable_note_labels_term_lists_and_keeps_first_sentence():
    labels = {"female": "Female", "ever_used": "Life Rooms use"}
    assert readable_note("proportional hazards may not hold for ['ever_used', 'female'] "
                         "(cox.zph, p < 0.05)", labels) == (
        "proportional hazards may not hold for Life Rooms use; Female (cox.zph, p < 0.05)")
    long = ("ConvergenceWarning: Column x have very low variance. This may harm "
            "convergence. For example:\n\n>>> print(df.loc[events, 'x'].var())")
    assert readable_note(long, labels) == "Column x have very low variance."


def test_readable_note_terms_opening_a_clause_read_as_labels_without_the_class():
    labels = {"age_per_10": "Age (per 10 years)", "female": "Female"}
    assert readable_note("StatisticalWarning: age_per_10: its standard error is not "
                         "finite or is zero", labels) == (
        "Age (per 10 years): its standard error is not finite or is zero")
    assert readable_note("not estimable: age_per_10: did not converge; female: did not "
                         "converge; honos_per_5: did not converge", labels) == (
        "not estimable: Age (per 10 years): did not converge; Female: did not converge; "
        "honos per 5: did not converge")
    # the library error's class is left out too (wave 26: it kept "LinAlgError")
    assert readable_note("StatisticalWarning: fit failed: LinAlgError: Singular matrix",
                         labels) == ("the model could not be fitted: the data do not "
                                     "hold enough information to estimate all of its "
                                     "terms")


def test_readable_note_a_term_the_fit_cannot_estimate_in_plain_words_without_infinity():
    # the 2023-24 discharge page at 3,000 people, fit notes of the landmark model:
    # "Life Rooms use by the landmark: its coefficient may be infinite (R's rule: the
    # log partial likelihood stopped changing before the coefficient did; too few events
    # in one group?)" and "not estimable: Life Rooms use by the landmark: its confidence
    # interval reaches 0 or infinity (the estimate diverges: too few events in one
    # group?)": two notes in an analyst's words saying one thing to a reader
    labels = {"exposed_at_landmark": "Life Rooms use by the landmark"}
    from lifetools.convergence import degenerate_terms
    from lifetools.survival.cox import INFINITE

    warning = readable_note(f"StatisticalWarning: exposed_at_landmark: {INFINITE}", labels,
                            outcome="were discharged")
    degenerate = degenerate_terms(["exposed_at_landmark"], [-30.0], [1e4])
    note = readable_note(f"not estimable: exposed_at_landmark: "
                         f"{degenerate['exposed_at_landmark']}", labels,
                         outcome="were discharged")
    assert warning == note == (
        "the model cannot estimate the effect of ‘Life Rooms use by the landmark’, "
        "probably because too few people in some of its groups were discharged")
    assert "infinit" not in warning + note


def test_model_notes_a_fit_with_no_events_is_one_plain_note():
    # the 2023-24 re-referral page at 3,000 people: "fit failed: no events: nothing to
    # estimate" and "not estimable: no events: nothing to estimate" for each Cox model,
    # "not estimable: no events of interest" for the Fine-Gray one
    from types import SimpleNamespace

    from lifetools.reports.survival_parts import model_notes
    from lifetools.survival.cox import NO_EVENTS

    cox = SimpleNamespace(warnings=(f"fit failed: {NO_EVENTS}", f"not estimable: {NO_EVENTS}"))
    fine_gray = SimpleNamespace(warnings=("not estimable: no events of interest",))
    notes = model_notes({"Cause-specific Cox": cox, "Fine-Gray": fine_gray},
                        outcome="were referred again")
    # not "none of the people in the model were referred again": a zero of the model's
    # group in words (all-or-none-in-words, issue 12)
    words = "too few events to estimate"
    assert notes.to_dict("records") == [{"model": "Cause-specific Cox", "note": words},
                                        {"model": "Fine-Gray", "note": words}]


def test_model_notes_a_withheld_model_has_no_note_that_it_had_no_events():
    # "none of the people in the model were referred again" beside "how many were
    # referred again is not shown (hidden to protect privacy)" gave the hidden count
    # away, 0 of the 15 people discharged (the 2024-25 re-referral page at 3,000 people,
    # wave 25); the release's reason ("too few events in total") says enough
    from types import SimpleNamespace

    from lifetools.reports.narrative import no_events_note
    from lifetools.reports.survival_parts import model_notes
    from lifetools.survival.cox import NO_EVENTS

    cox = SimpleNamespace(warnings=(f"fit failed: {NO_EVENTS}", f"not estimable: {NO_EVENTS}",
                                    "not estimable: the fit did not converge"))
    fine_gray = SimpleNamespace(warnings=("not estimable: no events of interest",))
    notes = model_notes({"Cause-specific Cox": cox, "Fine-Gray": fine_gray},
                        [{"model": "All models", "note": "Left out: Female."}],
                        outcome="were referred again",
                        withheld={"Cause-specific Cox", "Fine-Gray"})
    assert notes.to_dict("records") == [
        {"model": "All models", "note": "Left out: Female."},
        {"model": "Cause-specific Cox", "note": readable_note(
            "not estimable: the fit did not converge", {})}]
    assert "none of the people" not in notes.to_string()
    assert no_events_note(f"StatisticalWarning: fit failed: {NO_EVENTS}")
    assert not no_events_note("not estimable: the fit did not converge")


REREFERRED = ("Of {group} people discharged during the period, {part} were referred "
              "again before the end of the period.",
              "Of {group} people discharged during the period, how many were referred "
              "again before the end of the period is not shown ({why}).")


def test_group_count_sentence_states_the_counts_from_what_was_computed():
    from lifetools.reports.narrative import group_count_sentence

    assert str(group_count_sentence(*REREFERRED, group=120, part=33)) == (
        "Of 120 people discharged during the period, 35 were referred again before the "
        "end of the period.")


def test_group_count_sentence_none_or_all_of_the_group_is_not_shown():
    # the re-referral notebook typed "Of {discharged_people} people discharged ...,
    # {rereferred} were referred again": "0 were referred again" beside the group's
    # size says no one of them was, which the group disclosure rule hides (#15)
    from lifetools.disclosure.withheld import PRIVACY
    from lifetools.reports.narrative import group_count_sentence

    hidden = ("Of 120 people discharged during the period, how many were referred again "
              f"before the end of the period is not shown ({PRIVACY}).")
    for part in (0, 120, 119):  # none, all, and all as shown (119 rounds to 120)
        assert str(group_count_sentence(*REREFERRED, group=120, part=part)) == hidden


@pytest.mark.parametrize(("notebook", "sentence", "counts", "words"), [
    ("03_re_referral", "rereferred_sentence", ("rereferred",), "were referred again"),
    # "Of 85 people in the cohort, 0 used the Life Rooms ..." and "fewer than 8 people
    # completed SWEMWBS ... and 0 completed it again later" (wave 28)
    ("02_time_to_discharge", "cohort_sentence", ("cohort_people", "cohort_users"),
     "used the Life Rooms before or during their referral"),
    ("05_wellbeing", "completion_sentence", ("baseline_people", "paired_people"),
     "completed it again later")])
def test_notebooks_glue_a_count_of_a_group_as_a_sentence_not_the_counts(
        notebook, sentence, counts, words):
    from pathlib import Path

    import nbformat

    root = Path(__file__).resolve().parents[2]
    nb = nbformat.read(root / "analyses" / f"{notebook}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert f"{{glue:text}}`{sentence}`" in text
    assert words not in text
    assert not any(f"{{glue:text}}`{count}`" in text for count in counts)


def test_model_notes_a_reason_the_summary_states_says_where_it_is():
    # the discharge page at 3,000 people said "the model cannot estimate the effect of
    # 'Life Rooms use (time-varying)', ..." in its summary and in 2 models' notes
    # (issue 15, wave 25)
    from types import SimpleNamespace

    from lifetools.convergence import not_estimable_text
    from lifetools.disclosure.withheld import SAID_ONCE, Said
    from lifetools.reports.survival_parts import model_notes

    warning = "not estimable: the fit did not converge"
    other = "not estimable: the partial likelihood maximisation did not converge"
    fit = SimpleNamespace(warnings=(warning,))
    words = readable_note(warning, {})
    notes = model_notes({"A": fit, "A, complete cases": fit,
                         "B": SimpleNamespace(warnings=(other,))},
                        said=Said().then("A", not_estimable_text(words)))
    # the complete cases' note repeats the reason the summary gave for A: it names A
    # (it read "(the reasons are given above)", as if given for it, until wave 39)
    assert notes["note"].tolist() == [
        f"could not be estimated ({SAID_ONCE})",
        "could not be estimated (the same reasons as for ‘A’, given above)",
        readable_note(other, {})]
    # a note that goes on after the stated reason points to it too (the 2023-24
    # discharge page at 3,000 people: "..., so the model cannot estimate its effect")
    separated = ("not estimable: exposed: separated: too few events of interest among "
                 "those with it (its coefficient runs to infinity)")
    from lifetools.labels import VALUE_LABELS

    group = (f"too few people in the group \u2018{VALUE_LABELS['exposed']}\u2019 had "
             "the outcome")
    assert readable_note(separated, VALUE_LABELS) == (
        f"{group}, so the model cannot estimate its effect")
    both = model_notes({"A": SimpleNamespace(warnings=(separated,))},
                       said=Said().then("A", not_estimable_text(group)))
    assert both["note"].tolist() == [f"could not be estimated ({SAID_ONCE})"]
    # a stated reason that is only the start of a word of the note is not it
    part = model_notes({"A": SimpleNamespace(warnings=(separated,))},
                       said=Said().then("A", not_estimable_text(group[:-3])))
    assert part["note"].tolist() == [readable_note(separated, VALUE_LABELS)]
    # nothing stated: every note as it was
    assert model_notes({"A": fit}).to_dict("records") == [{"model": "A", "note": words}]


def test_readable_note_names_no_library_error_class():
    # the 2024-25 discharge page at 3,000 people said "fit failed: LinAlgError:
    # Singular matrix" and "... did not converge (LinAlgError: Singular matrix)" in
    # its fit notes (issue 15, wave 26)
    import re

    from lifetools.reports.narrative import ERROR_WORDS

    notes = {
        "fit failed: LinAlgError: Singular matrix":
            f"the model could not be fitted: {ERROR_WORDS['LinAlgError']}",
        "fit failed: numpy.linalg.LinAlgError: Singular matrix":
            f"the model could not be fitted: {ERROR_WORDS['LinAlgError']}",
        "not estimable: the partial likelihood maximisation did not converge "
        "(LinAlgError: Singular matrix)":
            "not estimable: the partial likelihood maximisation did not converge",
        "fit failed: ValueError: array must not contain infs or NaNs":
            "the model could not be fitted: the fitting library stopped with an error",
    }
    for note, words in notes.items():
        said = readable_note(note, {})
        assert said == words
        assert not re.search(r"[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b", said)
    # a fit's short reason (its key result) says the same
    from types import SimpleNamespace

    from lifetools.reports.survival_parts import short_reason

    failed = SimpleNamespace(reason="fit failed: LinAlgError: Singular matrix")
    assert short_reason(failed) == notes["fit failed: LinAlgError: Singular matrix"]


def test_part_count_result_none_or_all_of_the_group_is_not_shown():
    # one maker of the reports' counts of a group's people with an outcome: people
    # re-referred, people with a follow-up, cohort members who used the Life Rooms
    # (the discharge page's "Of 85 people in the cohort, 0 used ...": wave 28)
    from lifetools.reports.narrative import part_count_result

    shown = part_count_result("cohort_users", "Users", part=33, group=120)
    assert shown == {"name": "cohort_users", "value": 33, "kind": "count",
                     "label": "Users"}
    for part in (0, 120, 119):  # none, all, and all once rounded (120 and 119 both 120)
        hidden = part_count_result("cohort_users", "Users", part=part, group=120)
        assert hidden["value"] is None and hidden["kind"] == "text"
        assert str(hidden["text"]) == "not shown (hidden to protect privacy)"
    assert part_count_result("x", "X", part=0, group=0)["value"] == 0  # no group


def test_survival_notebooks_methods_name_their_parameters_default_team_types():
    # "(default: community mental-health teams, A06)" is typed in the discharge page's
    # methods: tied to the notebook's own default (its parameters cell) and the data
    # dictionary's label of each code, so that a changed default changes the words
    import ast
    import json
    from pathlib import Path

    from lifetools.labels import code_label

    notebook = Path(__file__).parents[2] / "analyses" / "02_time_to_discharge.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    parameters = next(c for c in cells if "parameters" in c["metadata"].get("tags", []))
    defaults = {t.id: ast.literal_eval(node.value) for node in
                ast.parse("".join(parameters["source"])).body
                if isinstance(node, ast.Assign) for t in node.targets}
    prose = " ".join(" ".join("".join(c["source"]) for c in cells
                              if c["cell_type"] == "markdown").split())
    codes = defaults["team_types"]
    assert f"(default: community mental-health teams, {', '.join(codes)})" in prose
    assert all(code_label("referrals", "team_type", code).lower().startswith(
        "community mental health team") for code in codes)
