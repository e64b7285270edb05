"""The crisis-risk page's wording, read as a public reader reads it (issues 15 and 19):
each technical term in plain words on its first use, no missing article.

On the functions that make the page's sentences, so each test fails on the wording it
fixes (wave 22).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pandas as pd
import pytest
from toy_release import toy_release

from lifetools.disclosure import compose, model_outputs, model_release
from lifetools.disclosure.models import WITHHELD_COLUMN
from lifetools.disclosure.withheld import NOT_SHOWN, SAID_ONCE, withheld_verb
from lifetools.labels import TERMS, explain_terms
from lifetools.reports.crisis_internal import (
    fit_reliability,
    method_brief,
    method_text,
    nested_fits,
    nested_text,
)
from lifetools.reports.crisis_results import (
    CALIBRATION_DESCRIPTION,
    CURVE_READING,
    CURVES_NOT_SHOWN,
    calibration_paragraph,
    model_results,
    withheld_statement,
)
from lifetools.tables import table_estimates

ROOT = Path(__file__).resolve().parents[2]

NEW_TERMS = ("Rubin's rules", "boot-MI", "MI-boot")


@pytest.mark.parametrize("term", NEW_TERMS)
def test_crisis_wording_terms_have_plain_words(term):
    assert term in TERMS and TERMS[term]


@pytest.mark.parametrize(("method", "terms"), [
    ("boot-mi", ("boot-MI", "MI-boot")), ("mi-boot", ("MI-boot",))])
def test_crisis_wording_internal_method_explains_each_term_at_its_first_use(method, terms):
    text = str(method_text(method, drawn=200, copies=10, per=20))
    for term in terms:
        first = text.index(term)
        assert text[first:].startswith(f"{term} ({TERMS[term]})"), (term, text)
    # Rubin's rules: its words are the page's paragraph on the model's, above (wave 38)
    assert TERMS["Rubin's rules"] not in text


def test_crisis_wording_internal_method_says_the_bootstrap():
    # "The model comparison uses bootstrap within each imputed copy" missed "the"
    text = str(method_text("boot-mi", drawn=200, copies=10))
    assert "uses bootstrap" not in text
    assert "The model comparison uses the other order" in text
    assert re.search(r"\b200 samples and 10 imputed copies of each\b", text)
    # the order said once, and the citation outside its plain words' brackets (wave 36)
    assert "afresh) (Wahl" not in text and "in the terms of Wahl et al. (2016)" in text
    assert text.count("afresh") == 1


@pytest.mark.parametrize("method", ["boot-mi", "mi-boot"])
def test_crisis_wording_internal_method_brief_is_one_sentence_with_the_numbers(method):
    # the whole paragraph was given three times on the crisis page: in its section, the
    # methods list and TRIPOD+AI 12c (wave 37); the last two now say it in one clause
    brief, whole = (str(f(method, drawn=200, copies=10)) for f in (method_brief, method_text))
    assert len(brief) < len(whole) / 2 and brief.count(". ") == brief.count("al. "), brief
    assert "200 samples" in brief and "10" in brief and "Wahl et al. (2016)" in brief
    assert ("boot-MI" if method == "boot-mi" else "MI-boot") in brief
    # the checklist's plain words for the term do not nest brackets (TRIPOD+AI 12c)
    depth, deepest = 0, 0
    for ch in explain_terms(brief):
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    assert deepest == 1, explain_terms(brief)


def test_crisis_wording_calibration_curve_grid_is_called_what_it_is():
    # the curves are read on an evenly spaced grid (0.05, 0.12, 0.19, ...), which the page
    # called "round predicted risks" (wave 37)
    from lifetools.reports.prediction import internal_calibration_grid

    grid = np.asarray(internal_calibration_grid(np.linspace(0.01, 0.9, 500)))
    assert np.allclose(np.diff(grid), np.diff(grid)[0])
    assert "evenly spaced predicted risks" in CALIBRATION_DESCRIPTION
    assert "round predicted" not in CALIBRATION_DESCRIPTION


def test_crisis_wording_notebook_gives_the_internal_method_once():
    cells = [c.source for c in nbformat.read(ROOT / "analyses" / "07_crisis_risk.ipynb",
                                             as_version=4).cells
             if c.cell_type == "markdown"]
    page = " ".join(cells)
    assert page.count("{glue:text}`internal_method`") == 1
    assert page.count("{glue:text}`internal_method_brief`") == 1
    assert page.index("`internal_method`") < page.index("`internal_method_brief`")


def test_crisis_wording_notebook_explains_rubin_s_rules_on_its_first_use():
    cells = [c.source for c in nbformat.read(ROOT / "analyses" / "07_crisis_risk.ipynb",
                                             as_version=4).cells
             if c.cell_type == "markdown"]
    page = " ".join(" ".join(cells).split())
    term = "Rubin's rules"
    # its first use is the glued sentence on missing predictors (wave 43), which
    # explains it; a later use in the notebook's own words need not
    glue = page.index("{glue:text}`missing_sentence`")
    assert term not in page[:glue]
    from crisis_unknowns import crisis_like

    from lifetools.reports.crisis_parts import (
        crisis_spec,
        missing_sentence,
        with_missing_predictors,
    )

    data = with_missing_predictors(crisis_like())
    sentence = str(missing_sentence(data, data, crisis_spec(data), copies=10))
    first = sentence.index(term)
    assert sentence[first:].startswith(f"{term} ({TERMS[term]})")


def _boot(unreliable: int = 87):
    return SimpleNamespace(n_boot=200, n_failed=0, n_unreliable=unreliable, converged=True)


def test_crisis_wording_nested_interval_says_what_could_be_used_and_why():
    # "87 of the nested bootstrap interval's outer samples" said neither what an outer
    # sample is nor whether it was used: now drawn, left out (why), used, kept (why)
    two_stage = SimpleNamespace(n_outer=197, n_failed=3, n_unreliable=84, n_inner=10,
                                n_inner_failed=2, n_inner_unreliable=1462)
    nested = nested_fits(two_stage)
    assert (nested.drawn, nested.used, nested.inner) == (200, 197, 1970)
    text = str(fit_reliability(_boot(), others={"outer": 87, "inner": 1464,
                                                "ridge_boot": 2}, nested=nested).text)
    assert "outer samples" not in text and "inner samples" not in text
    assert "resampled the development cohort 200 times" in text
    assert ("In 3 of them the correction could not be computed at all, so they were "
            "left out and the interval uses the other 197.") in text
    assert ("In 84 of the resampled cohorts used and 1,462 of the 1,970 bootstrap "
            "samples inside them, the fit did not converge") in text
    assert "Of the 1,970 bootstrap samples inside them, 2 could not be fitted" in text
    assert "2 more fits could not be fitted reliably: 2 of the ridge model's" in text


def test_crisis_wording_nested_interval_all_used():
    nested = nested_fits(SimpleNamespace(n_outer=200, n_failed=0, n_unreliable=0,
                                         n_inner=10, n_inner_failed=0,
                                         n_inner_unreliable=5))
    text = str(fit_reliability(_boot(0), others={"inner": 5}, nested=nested).text)
    assert "It uses all 200." in text and "left out" not in text
    assert "In 5 of the 2,000 bootstrap samples inside them" in text
    assert text.endswith("Every other fit in the resampling (the ridge and lasso "
                         "bootstraps and their cross-validation folds at the chosen "
                         "penalties) was fitted reliably.")
    quiet = nested_fits(SimpleNamespace(n_outer=200, n_failed=0, n_unreliable=0,
                                        n_inner=10, n_inner_failed=0,
                                        n_inner_unreliable=0))
    assert nested_text(quiet) == ("", {})
    one = nested_fits(SimpleNamespace(n_outer=99, n_failed=1, n_unreliable=0, n_inner=10,
                                      n_inner_failed=0, n_inner_unreliable=0))
    text = str(fit_reliability(_boot(0), others={"outer": 1}, nested=one).text)
    assert "In 1 of them the correction could not be computed at all, so it was left " \
        "out and the interval uses the other 99." in text


def test_crisis_wording_calibration_paragraph_describes_only_curves_it_shows():
    method = compose("The curves come from the same bootstrap (boot-MI).")
    withheld = toy_release([1.0, 0.0] * 4)  # too few residual degrees of freedom
    assert not withheld.released
    text = str(calibration_paragraph(withheld, method))
    assert text.startswith(CURVES_NOT_SHOWN + ": " + withheld.headline)
    for described in ("lowess", "dashed line", "taken off the apparent curve",
                      "same bootstrap"):
        assert described not in text
    shown = toy_release([1.0, 0.0] * 100)
    assert shown.released
    text = str(calibration_paragraph(shown, method))
    assert text == f"{CALIBRATION_DESCRIPTION} {method} {CURVE_READING}"
    assert "not shown" not in text


@pytest.mark.parametrize(("reason", "verb"), [
    ("too few events to estimate (too few events among 'Life Rooms use')", "is not shown"),
    ("not shown (group disclosure)", "is not shown"),
    ("The C-statistic is not shown: too few events to estimate.", "is not shown"),
    ("hidden to protect privacy", "is not shown"),
    ("could not be estimated: the fit did not converge", "could not be estimated"),
    ("", "could not be estimated")])
def test_crisis_wording_one_verb_for_a_withheld_value(reason, verb):
    # the crisis page's main point said "could not be estimated" of the model its own
    # sentences and tables said was "not shown"
    assert withheld_verb(reason) == verb
    assert NOT_SHOWN == "not shown"


def _six_groups():
    """A model withheld for too few events in six groups, as the crisis model was on the
    3,000-person build."""
    rows = pd.DataFrame({"event": ([1.0] * 3 + [0.0] * 40) * 2 + [1.0] * 30 + [0.0] * 30,
                         "group": ["a"] * 43 + ["b"] * 43 + ["c"] * 60})
    summary = pd.DataFrame({"term": ["group"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    return model_release(SimpleNamespace(summary=summary, warnings=(), model=None),
                         data=rows, event_col="event", level_cols=["group"],
                         converged=True)


def test_crisis_wording_reason_said_once_per_page_not_in_each_table():
    release = _six_groups()
    assert not release.released and "among" in release.reason
    table = pd.DataFrame({"measure": ["C-statistic"], "estimate": [0.7]})
    once = model_outputs(table, {"estimate": release}, said_once=True)
    each = model_outputs(table, {"estimate": release})
    assert each[WITHHELD_COLUMN].tolist() == [release.withheld]  # unchanged by default
    assert once[WITHHELD_COLUMN].tolist() == [f"{release.headline} ({SAID_ONCE})"]
    assert release.reason not in once[WITHHELD_COLUMN].iloc[0]
    # the page's sentences say the same, and the statement at its start gives the reason
    (sentence,) = model_results(release, {"name": "x", "label": "X", "value": 1.0,
                                          "kind": "estimate", "subject": "The X"})
    assert str(sentence["text"]) == f"The X is not shown: {release.headline} ({SAID_ONCE})."
    stated = str(withheld_statement(release, release))
    assert stated.count(release.reason) == 1
    assert stated.startswith("The numbers of the crisis-risk model and its time-to-event "
                             "(Fine-Gray) version are not shown on this page")


def test_crisis_wording_statement_when_both_models_are_released():
    shown = toy_release([1.0, 0.0] * 100)
    assert "met every condition for showing a model's numbers" in str(withheld_statement(shown, shown))
    assert shown.withheld_once == ""


def test_crisis_wording_withheld_estimates_table_says_where_the_reasons_are():
    # the Fine-Gray hazard ratios (table_estimates) kept the six-group reason in their
    # note after every other table of the page had stopped repeating it
    release = _six_groups()
    summary = pd.DataFrame({"term": ["group"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0]})
    shown = table_estimates(release.estimates(summary, said_once=True), label="ratio")
    assert shown[WITHHELD_COLUMN].tolist() == [release.withheld_once]
    full = table_estimates(release.estimates(summary), label="ratio")
    assert full[WITHHELD_COLUMN].tolist() == [release.withheld]


def test_crisis_notebook_horizon_words_agree_with_the_horizon():
    # the page says "12 months" and "12-month" in its prose (a design constant, not a
    # run parameter): a change of the horizon must change the words (issue 15, wave 27)
    import json
    import re
    from pathlib import Path

    from lifetools.design_sizes import CRISIS_HORIZON_DAYS

    notebook = Path(__file__).parents[2] / "analyses" / "07_crisis_risk.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    prose = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    months = {int(m) for m in re.findall(r"(\d+)[ -]months?\b", prose)}
    assert months, "the crisis page names its horizon in months"
    assert months == {round(CRISIS_HORIZON_DAYS / 365.25 * 12)}


def _fair(rows):
    return pd.DataFrame(rows, columns=["characteristic", "group", "citl", "citl_lower",
                                       "citl_upper"])


def test_fairness_sentence_names_the_groups_whose_interval_lies_on_one_side():
    # the 30,000-person page showed women at 0.41 (0.18 to 0.64) and men at -0.36
    # (-0.62 to -0.10) and said nothing of it in words (wave 34)
    from lifetools.reports.crisis_results import fairness_sentence

    said = str(fairness_sentence(_fair([
        ("Sex", "Female", 0.41, 0.18, 0.64), ("Sex", "Male", -0.36, -0.62, -0.10),
        ("Ethnic group", "White", 0.09, -0.10, 0.28),
        ("IMD quintile (1 = most deprived)", "1", 0.26, 0.02, 0.49)])))
    assert said.startswith("Within groups, the predicted risks were too low on average "
                           "for women and people in the most deprived fifth of areas, "
                           "and too high on average for men")
    assert "White" not in said and "other groups shown" in said
    none = str(fairness_sentence(_fair([("Sex", "Female", 0.1, -0.2, 0.4)])))
    assert "no group's predicted risks were shown to be too high or too low" in none
    assert "cannot say" in str(fairness_sentence(_fair([])))
    # a group the table does not show is never described: only the rows given are
    one = str(fairness_sentence(_fair([("Sex", "Male", -0.3, -0.5, -0.1)])))
    assert "women" not in one
    # one group: "its interval ... lies wholly below", never "for each" (wave 36)
    assert "for each" not in one and "its interval" in one and "wholly below" in one
    assert "for each" in said
    assert "wholly above (too low) or below (too high) no difference" in said


def test_fairness_sentence_names_the_one_side_every_interval_lies_on():
    # 30,000 people, 2024-25: "too high on average for women and people in the White
    # ethnic group: for each, the interval ... lies wholly above or below no
    # difference", both intervals below (wave 41)
    from lifetools.reports.crisis_results import fairness_sentence

    below = str(fairness_sentence(_fair([("Sex", "Female", -0.3, -0.5, -0.1),
                                         ("Ethnic group", "White", -0.2, -0.4, -0.02)])))
    assert "for each" in below and "lies wholly below no difference" in below
    above = str(fairness_sentence(_fair([("Sex", "Female", 0.3, 0.1, 0.5),
                                         ("Ethnic group", "White", 0.2, 0.02, 0.4)])))
    assert "lies wholly above no difference" in above
    assert "above or below" not in below + above


def test_crisis_notebook_says_the_fairness_sentence_under_its_table():
    cells = nbformat.read(Path(__file__).parents[2] / "analyses" / "07_crisis_risk.ipynb",
                          as_version=4).cells
    at = next(i for i, c in enumerate(cells) if 'name="fairness"' in c.source)
    assert "{glue:text}`fairness_sentence`" in cells[at + 1].source


def test_a_calibration_limit_beside_perfect_calibration_keeps_its_side():
    # TRIPOD 23a said "calibration slope 1.16 (1.00 to 1.31)" where the page's table said
    # "1.155 (0.998 to 1.312)" (wave 36)
    from lifetools.reports.crisis_parts import shown_estimate

    assert shown_estimate(1.155, 0.998, 1.312, digits=2, null=1.0) == "1.16 (0.998 to 1.31)"
    assert shown_estimate(1.155, 0.998, 1.312, digits=2) == "1.16 (1.00 to 1.31)"
