"""lifetools.pipeline.gate.prose: a number in prose is refused unless in an allowed form."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from lifetools.pipeline.gate.prose import (
    PROSE_RULE,
    RunParameters,
    has_words,
    prose_findings,
)


@pytest.mark.parametrize("text", [
    "A team of 13 met.", "Of those who came, 2,634 stayed.", "It was 13.",
    "The group had 13.0 on average.", "A team of thirteen met.", "We saw twenty.",
    "fewer than 13 people", "13 (32.5%) of them", "Aged 13 to 14: 13 came",
    "see `code` then 13 more", "Everyone met: `13` people in all.", "`n_boot = 200`",
    "<!-- 13 -->", "<!-- Sefton: 13 users -->"])
def test_prose_findings_number_written_by_hand_is_refused(text):
    assert [rule for rule, _ in prose_findings(text, "default")] == [PROSE_RULE]


@pytest.mark.parametrize("text", [
    "{glue:text}`users` people came; {glue}`n` more.", "Wahl et al. 2016; in 2024-25",
    "from 2024-04-01", "the 95% confidence interval", "12 months, a 12-month risk",
    # a date in words, as format_date writes every date on a page (issue 15)
    "Index dates 1 April 2022 (development) and 31 March 2023",
    "(4 knots) and (3\nknots)", "within 0.2 standard deviations", "2.66 times",
    "fewer than 8 people", "fewer than 10 crises", "nearest 5", "a ratio above 1",
    "per 1,000 people", "team A06, an L2 penalty", "types 01 and 03",
    "categories 1-3", "1:1 matching", "(1 = most deprived)", "Aged 65 or over",
    "scores run from 7 to 35", "## 2. Methods", "1. first item",
    "[a link](https://example.org/13)", "`lt.reports`",
    "three criteria of Riley", "an anticipated R-squared of 15% of its maximum",
    "(Harrell's centiles 5, 27.5, 50, 72.5, 95)", "at percentiles 10, 50, 90"])
def test_prose_findings_allowed_forms_pass(text):
    assert prose_findings(text, "default") == []


def test_prose_findings_rule_numbers_are_the_profiles():
    # "at most 7" states the default profile's rule (1-7 suppressed); under
    # threshold-10 (1-9 suppressed, round to 5) 7 is none of its numbers
    assert prose_findings("Counts of at most 7 are hidden.", "default") == []
    assert prose_findings("Counts of at most 7 are hidden.", "threshold-10")
    assert prose_findings("fewer than 10 people", "threshold-10") == []


def test_prose_findings_detail_never_quotes_the_number():
    (rule, detail), = prose_findings("A team of 9434 met.", "default", where="Markdown")
    assert rule == PROSE_RULE and "9434" not in detail and "Markdown" in detail


def test_has_words_tells_labels_from_numbers():
    assert has_words("Aged 65 or over") and not has_words("1,250") and \
        not has_words("0.83 to 1.71".replace("to", "-"))


def test_prose_findings_every_markdown_cell_of_the_series_passes():
    import json
    from pathlib import Path

    import nbformat

    from lifetools.pipeline.gate.run_record import run_parameters

    notebooks = sorted((Path(__file__).resolve().parents[2] / "analyses").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        # read with the notebook's own parameters, as the gate reads it
        parameters = RunParameters(
            run_parameters(nbformat.reads(path.read_text(), as_version=4)),
            words=_series_words())
        for number, cell in enumerate(json.loads(path.read_text())["cells"], start=1):
            if cell["cell_type"] == "markdown":
                assert prose_findings("".join(cell["source"]), "default",
                                      parameters=parameters) == [], (path.name, number)


RUN = {"period_start": "2024-04-01", "period_end": "2025-03-31", "landmark_days": 90,
       "meaningful_change": 3.0}


@pytest.mark.parametrize("text", [
    # a count before a unit: only the run's and the series' declared values pass
    "They waited 13 days.", "13 weeks later", "a 13-month wait", "13% of them",
    "13 points higher", "We fitted 13 knots.", "over 91 days",
    # a year-shaped count: a real year only in a citation or a time context in range
    "A team of 2018 met.", "The group grew to 2024.", "2024 came back.",
    "In 2031 many came.",
    # a count beside a month that is not a date in words
    "13 April people came.", "In April 2024, 13 came.", "32 March 2024",
    # a rule number after a bound that does not state the rule
    "At least 8 people came.", "Over 10 joined.", "fewer than 5 people improved",
    "more than 10 attended the launch", "up to 7 of them",
    # a number word up to ten that counts people or something unnamed
    "a team of seven", "Seven came back.", "two volunteers helped",
    "We met five."])
def test_prose_findings_count_in_an_allowed_shape_is_refused(text):
    assert [rule for rule, _ in prose_findings(text, "default", parameters=RUN)] == [
        PROSE_RULE]


@pytest.mark.parametrize("text", [
    "a landmark at 90 days", "followed for 12 months", "a 12-month risk",
    "365 days' follow-up", "default 3 points", "the 95% confidence interval",
    "age (4 knots)", "in 2024, during 2025", "between 2023 and 2025",
    "(Daw and Hatfield 2018)", "Riley et al. (2020)", "(Collins et al. 2024)",
    "counts fewer than 8 are hidden and others are rounded to the nearest 5",
    "the curve stops where fewer than 10 people remain at risk",
    "Cells of at least 1 and at most 7 are suppressed.", "A ratio below 1 means less.",
    "three criteria of Riley", "the largest of the three", "the two groups' dates",
    "Four comparisons, from least", "seven months in a row, or seven in a row rising"])
def test_prose_findings_declared_and_real_forms_pass(text):
    assert prose_findings(text, "default", parameters=_declared_run()) == []


def test_prose_findings_durations_are_the_runs_parameters():
    # "90 days" is a setting only where the run has landmark_days = 90
    assert prose_findings("a landmark at 90 days", "default") != []
    assert prose_findings("a landmark at 90 days", "default",
                          parameters={"landmark_days": 90}) == []


def test_prose_findings_crisis_horizon_is_the_reports():
    # one owner (lifetools.design_sizes): the cohort's follow-up, the Fine-Gray model's
    # horizon and the duration prose may state are the same number of days
    import inspect

    from lifetools.cohort.crisis import build_crisis_cohort
    from lifetools.design_sizes import CRISIS_HORIZON_DAYS
    from lifetools.disclosure.settings import DURATIONS
    from lifetools.reports import crisis_models

    horizon = inspect.signature(crisis_models.time_to_event).parameters["horizon"]
    follow_up = inspect.signature(build_crisis_cohort).parameters["horizon_days"]
    assert horizon.default == follow_up.default == CRISIS_HORIZON_DAYS == 365
    assert DURATIONS["crisis-risk horizon"] == CRISIS_HORIZON_DAYS
    assert prose_findings("a crisis within 365 days", "default") == []
    assert prose_findings("a crisis within 366 days", "default") != []


def test_label_findings_figure_text_wrapped_onto_lines_reads_as_one_phrase():
    # a narrow rendering wraps "5 (least deprived)" onto two lines: still a label;
    # a count stays refused wherever the line breaks
    from lifetools.disclosure import get_profile
    from lifetools.pipeline.gate.outputs import label_findings

    def findings(text: str) -> list:
        return label_findings({"kind": "figure", "texts": [text]}, [],
                              get_profile("default"), {})

    assert findings("5 (least\ndeprived)") == findings("5 (least deprived)") == []
    assert findings("People seen:\n1234") and findings("People\nseen 1234")


@functools.cache
def _series_words() -> dict[str, tuple[str, ...]]:
    from lifetools.pipeline.series import load_series

    series = load_series(Path(__file__).resolve().parents[2] / "analyses" / "analyses.yml")
    return {name: p.words for a in series.analyses for name, p in a.parameters.items()
            if p.words}


def _declared_run(**values) -> RunParameters:
    return RunParameters({**RUN, **values}, words=_series_words())


@pytest.mark.parametrize("text", [
    "A team of 200 met.", "200 people came.", "We saw 200%.", "200 days later",
    "3 came back.", "a team of 3", "3 or more people came", "3 bootstrap samples",
    "Improved by 3 or more people", "200 samples", "3 or more", "200 samples were taken",
    "a team of 3 or more", "200 bootstrap samples of people"])
def test_prose_findings_parameter_value_away_from_its_words_is_refused(text):
    # a run parameter's value passes only before the words analyses.yml declares for it
    run = _declared_run(n_boot=200)
    assert [rule for rule, _ in prose_findings(text, "default", parameters=run)] == [
        PROSE_RULE]


@pytest.mark.parametrize("text", [
    "200 bootstrap samples", "with 200 bootstrap replicates", "default 3 points",
    "Improved by 3 or more", "a change of 3 SWEMWBS points", "3 points"])
def test_prose_findings_parameter_value_beside_its_words_passes(text):
    assert prose_findings(text, "default", parameters=_declared_run(n_boot=200)) == []


def test_prose_findings_parameter_without_declared_words_passes_nowhere():
    # words come from analyses.yml only: a plain mapping (no words) lets no value pass
    assert prose_findings("200 bootstrap samples", "default",
                          parameters={**RUN, "n_boot": 200})
    run = RunParameters({"team_size": 13}, words={"team_size": ("team members",)})
    assert prose_findings("13 team members", "default", parameters=run) == []
    assert prose_findings("a team of 13", "default", parameters=run)


def test_prose_patterns_of_a_runs_parameters_are_compiled_once_and_follow_its_words():
    # a notebook's tables and figures give the gate's prose check hundreds of texts
    # with the same run parameters: their patterns were compiled for every text
    # (137,000 compilations in one edition's six reports at 30,000 people, issue 16)
    from lifetools.disclosure.prose import _named_values

    words = {"team_size": ("team members",)}
    first = _named_values(RunParameters({"team_size": 13}, words=words))
    assert _named_values(RunParameters({"team_size": 13}, words=dict(words))) is first
    assert set(first) == {13.0}
    other = RunParameters({"team_size": 13}, words={"team_size": ("staff",)})
    assert _named_values(other) is not first
    assert prose_findings("13 staff", "default", parameters=other) == []
    assert prose_findings("13 team members", "default", parameters=other)
    assert _named_values({"team_size": 13}) == {}  # no words: no value passes


def test_prose_findings_every_number_parameter_declares_its_words():
    # analyses.yml owns a parameter's words: every whole-number parameter of the
    # series declares them (durations are named by their unit); the schema refuses a
    # loose phrase, words on a duration or on a non-number
    import yaml

    from lifetools.pipeline.parameters import Parameter

    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "analyses"
                           / "analyses.yml").read_text())
    whole = {name for analysis in spec["analyses"]
             for name, p in (analysis.get("parameters") or {}).items()
             if p["type"] in ("int", "float") and float(p["default"]).is_integer()
             and not re.search(r"_(day|week|month|year)s?$", name)}
    assert whole and whole <= set(_series_words())
    with pytest.raises(ValueError, match="named by its unit"):
        Parameter(name="window_days", type="int", default=3, minimum=1, words=["days"])
    for loose in (["samples"], ["or more"], ["people"], ["3"], ["number of cases"]):
        with pytest.raises(ValueError, match="could name a count"):
            Parameter(name="k", type="int", default=3, minimum=1, words=loose)
    with pytest.raises(ValueError, match="only for numbers"):
        Parameter(name="k", type="bool", default=True, words=["flags"])
    Parameter(name="k", type="int", default=3, minimum=1, words=["nearest neighbours"])


def test_prose_findings_year_is_a_year_only_within_the_runs_dates():
    # accepted (book/methods/disclosure-control.md): a year after a word of time within
    # the run's years, one either side; outside them, or with no dates, it is refused
    dates = {"period_start": "2024-04-01", "period_end": "2025-03-31"}
    for year in (2023, 2024, 2025, 2026):
        assert prose_findings(f"in {year}", "default", parameters=dates) == []
    for year in (2022, 2027):
        assert prose_findings(f"in {year}", "default", parameters=dates)
    assert prose_findings("in 2024", "default", parameters={})
    assert prose_findings("2024 came in", "default", parameters=dates)


def test_prose_findings_every_setting_declares_its_words():
    # a setting a key result states ("setting:<name>") passes only beside its words,
    # and no setting is named by loose words alone ("samples", "within each", "removed")
    from lifetools.disclosure.settings import SETTING_WORDS, SETTINGS, loose_words

    assert set(SETTINGS) <= set(SETTING_WORDS)
    for name, words in SETTING_WORDS.items():
        assert words and not loose_words(words), name
    assert loose_words(["within each", "removed", "samples", "4 removed"]) == [
        "within each", "removed", "samples", "4 removed"]
    run = {"setting:coefficients set to zero": (4,), "setting:coefficients kept": (9,),
           "setting:candidate predictor parameters": (13,),
           "setting:bootstrap samples": (130, 13),
           "setting:bootstrap samples per imputed copy": (13,),
           "setting:imputed copies": (10,)}
    for said in ("13 candidate parameters; 9 coefficients kept and 4 removed",
                 "Harrell's bootstrap optimism correction with 130 samples, 13 within "
                 "each of the 10 imputed copies", "in each of 13 bootstrap samples"):
        assert prose_findings(said, parameters=run) == [], said
    for leak in ("a team of 13", "4 removed", "13 samples", "13 within each team",
                 "9 coefficients kept and 4 removed people"):
        assert prose_findings(leak, parameters=run), leak


@pytest.mark.parametrize("copies", [3, 5, 10])
def test_prose_findings_boot_mi_brief_with_fewer_imputed_copies_passes(copies):
    # TRIPOD+AI 12c's boot-MI clause, "each imputed afresh in 10 copies", passed only
    # because 10 is the default profile's rule number: a crisis report run with fewer
    # copies (the tests' project copies run 3, wave 44) had its checklist refused
    from lifetools.reports.crisis_internal import method_brief

    text = str(method_brief("boot-mi", drawn=20, copies=copies))
    clause = text[text.index("each imputed afresh"):]  # the copies' clause
    assert clause.startswith(f"each imputed afresh in {copies} copies"), text
    run = {"setting:imputed copies": (copies,)}
    assert prose_findings(clause, parameters=run) == [], clause
    assert prose_findings(clause.replace(f"in {copies} copies", f"in {copies} teams"),
                          parameters=run)
