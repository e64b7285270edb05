"""The one source of the words a page shows for a machine name: tables and figures.

A report computes with machine names (``n``, ``person_years``, ``ci_lower``, ``imd_q1``,
``money_debt_benefits``); a reader sees plain words ("Number", "Person-years", "Lower
95% limit", "Most deprived fifth (IMD quintile 1)", "Money, debt and benefits"). This
module is where every table header and row label of a published table gets its words:

- a column name through :data:`COLUMN_LABELS` (:func:`column_label`);
- a code in a column named like a data-dictionary field through that field's
  ``labels`` in ``data_dictionary/*.yaml`` (:func:`value_label`);
- a model term or other machine value in a label column through :data:`VALUE_LABELS`.

:func:`label` gives figures the same words (axis labels, legends, love-plot rows),
and :func:`code_label` a data-dictionary code of a named table and field.
:func:`lifetools.tables.show_table` applies them to the page (the CSV beside the page
keeps the machine names, which are stable for people who load it). A column name that
looks like a machine name (an underscore, or a name in :data:`RAW_NAMES`) with no label
is refused, so a new table cannot reach a page with raw headers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from lifetools.dictionary import load_dictionary
from lifetools.errors import DictionaryError

__all__ = ["COLUMN_LABELS", "COLUMN_UNITS", "DEPRIVATION_FIFTHS", "GROUPS", "LABELS", "LEVEL_GROUPS",
           "RAW_NAMES",
           "TERMS", "TERM_PATTERNS", "VALUE_LABELS", "code_label", "column_label",
           "column_unit", "explain_terms", "gloss_findings", "group_words", "in_words",
           "is_raw_name", "label", "labels", "listed", "mid_sentence", "quoted", "term_label",
           "value_label", "with_words", "words_given"]

COLUMN_LABELS: Mapping[str, str] = {
    # counts and cohort steps
    "n": "Number", "step": "Step", "measure": "Measure", "people": "People",
    "events": "Events", "crises": "Crises", "visits": "Visits",
    "prescriptions": "Social prescriptions", "responses": "Responses",
    "agreeing": "Agreeing", "development": "Development cohort",
    "validation": "Validation cohort",
    # rates and estimates
    "person_years": "Person-years", "rate": "Rate", "estimate": "Estimate",
    # the reach page's equity table: each person counts once (people, not person-time)
    "users": "Life Rooms users",
    "users_per_1000": "Life Rooms users per 1,000 people",
    "ci_lower": "Lower 95% limit", "ci_upper": "Upper 95% limit", "p_value": "p-value",
    "per_cent": "Per cent", "statistic": "Test statistic", "df": "Degrees of freedom",
    "action": "Action", "shrinkage": "Shrinkage",
    "epp": "People with the outcome for each number the model estimates (events per "
           "parameter)",
    "apparent": "Apparent", "optimism": "Optimism", "corrected": "Optimism-corrected",
    # the minimum sample size's criteria: the events each criterion's people would have
    "Events per parameter needed": "People with the outcome needed for each number the "
                                   "model estimates (events per parameter)",
    # groupings and label columns
    "term": "Estimate for", "model": "Model", "method": "Method", "group": "Group",
    "period": "Period", "outcome": "Outcome", "characteristic": "Characteristic",
    "question": "Question", "criterion": "Criterion", "variable": "Predictor",
    "level": "Level", "knots": "Knots (in the predictor's units)", "note": "Note",
    "site": "Life Rooms site", "pathway_category": "Pathway",
    "imd_quintile": "IMD quintile (1 = most deprived)",
    # prediction curves
    "predicted": "Predicted risk", "observed": "Observed risk",
    "threshold": "Risk threshold",
    "treat_all": "Good done less harm done if everyone is treated (net benefit: treat "
                 "everyone)",
    "treat_none": "Good done less harm done if no one is treated (net benefit: treat no "
                  "one)",
    "model_lower": "Good done less harm done by acting on the model's predictions: lower "
                   "95% limit (net benefit, percentile bootstrap)",
    "model_upper": "Good done less harm done by acting on the model's predictions: upper "
                   "95% limit (net benefit, percentile bootstrap)",
    # figure data
    "time": "Days", "at_risk": "Number at risk",
    "smd_before": "Standardised difference before matching",
    "smd_after": "Standardised difference after matching",
    "covariate": "Characteristic", "month": "Month", "referrals": "Referrals",
    "contacts": "Contacts", "number_at_risk": "Number at risk",
}
"""Plain words for the column names reports publish."""

_COUNT = "a count of people or events, protected as above"
WORDS = "words (no unit)"
_NUMBER = ("a number in the unit of the measure its row names, or that the table's "
           "caption on the report page names")
COLUMN_UNITS: Mapping[str, str] = {
    **dict.fromkeys(("n", "people", "events", "crises", "visits", "prescriptions",
                     "responses", "agreeing", "referrals", "contacts", "number_at_risk",
                     "at_risk", "development", "validation", "users", "Life Rooms users",
                     "Secondary care", "people needed", "missing, development",
                     "missing, validation"), _COUNT),
    **dict.fromkeys(("imd_quintile", "IMD quintile (1 = most deprived)"),
                    "a fifth of areas by the Index of Multiple Deprivation (1 = most "
                    "deprived, 5 = least)"),
    "level": "a level of the predictor (for a yes/no predictor 0 = no, 1 = yes)",
    "person_years": "person-years (years of follow-up added up over people)",
    "rate": "events per person-year",
    "users_per_1000": "Life Rooms users per 1,000 people (each person counts once)",
    **dict.fromkeys(("ci_lower", "ci_upper"), "the unit of the estimate, rate or "
                    "percentage in the same row"),
    **dict.fromkeys(("per_cent", "Life Rooms users %", "Secondary care %"),
                    "per cent (0 to 100)"),
    **dict.fromkeys(("p_value", "p-value"), "a probability (0 to 1)"),
    **dict.fromkeys(("day", "time"), "days from the start of follow-up"),
    "knots": "the predictor's units (years for age and time in care, points for the "
             "HoNOS score)", "month": "a calendar month, given by its first day (YYYY-MM-DD)",
    **dict.fromkeys(("predicted", "observed", "threshold"), "a risk (0 to 1)"),
    **dict.fromkeys(("treat_all", "treat_none"), "net benefit: true positives less "
                    "weighted false positives, per person (at most 1)"),
    **dict.fromkeys(("smd_before", "smd_after"), "standard deviations (the difference "
                    "in means over the pooled standard deviation)"),
    "statistic": "a chi-squared statistic (no unit)", "df": "a whole number (no unit)",
    "shrinkage": "a factor from 0 to 1 (no unit)",
    "events per parameter": "events per model parameter",
    "fraction of missing information": "a proportion (0 to 1)",
    "E-value (CI limit)": "a risk ratio (no unit)",
    **dict.fromkeys(("estimate", "apparent", "optimism", "corrected"), _NUMBER),
}
"""The unit of each numeric column a published CSV may hold (:func:`column_unit`)."""

RAW_NAMES = frozenset({"n", "df", "se", "epp", "step", "term", "p", "id", "key",
                       "estimate", "group", "model"})
"""Short machine names that are not words, refused as headers without a label."""

DEPRIVATION_FIFTHS: Mapping[str, str] = {
    "1": "the most deprived fifth", "2": "the second most deprived fifth",
    "3": "the middle fifth", "4": "the second least deprived fifth",
    "5": "the least deprived fifth"}
"""A national IMD quintile in a sentence's words (1 = most deprived): the reach page's
combined groups and the crisis page's fairness sentence say them alike."""

VALUE_LABELS: Mapping[str, str] = {
    # the crisis-risk model's predictors (lifetools.cohort.crisis.CRISIS_PREDICTORS)
    "age": "Age (years)", "years_in_care": "Years in secondary care",
    "female": "Female", "white": "White ethnic group",
    "imd_q1": "Most deprived fifth (IMD quintile 1)",
    "community_team": "Community mental-health team", "honos": "HoNOS score",
    "honos_recorded": "HoNOS score recorded",
    # every unplanned attendance (cohort.queries.unplanned_ae), not only mental-health
    # ones, which this label said until wave 36
    "prior_ae": "A&E attendances in the previous year",
    "prior_admissions": "Emergency admissions in the previous year",
    "life_rooms": "Life Rooms use",
    # propensity-score covariates (lifetools.cohort.person_time.PROPENSITY_COVARIATES)
    "age_per_10": "Age (per 10 years)",
    "imd_q2": "Second most deprived fifth (IMD quintile 2)",
    "team_a06": "In a community mental health team (A06)",
    "team_other": "In another mental health team",
    "baseline_ae": "A&E attendances per year (baseline window)",
    "baseline_admissions": "Emergency admissions per year (baseline window)",
    "locality_unknown": "Locality not known",
    # the difference-in-differences model's groups (emergency care: a withheld
    # model's reason read "fewer than 10 events among 'user'")
    "user": "Life Rooms users", "after": "After the index date",
    # a regression's intercept (statsmodels' name), as a fit's reason names it
    "const": "Intercept",
    # model terms of the survival reports
    "age_65_plus": "Aged 65 or over",
    "most_deprived_decile": "Most deprived tenth of areas",
    "deprivation_unknown": "Area not known (deprivation unknown)",
    "honos_per_5": "HoNOS score (per 5 points)",
    # the exposure terms of the survival reports
    "exposed": "Life Rooms use (time-varying)",
    "ever_used": "Life Rooms use, ever (naive, fixed at referral)",
    "exposed_at_landmark": "Life Rooms use by the landmark",
    "exposed_before_split": "Life Rooms use by the landmark, early follow-up (to the "
                            "median event time of users)",
    "exposed_after_split": "Life Rooms use by the landmark, later follow-up",
    "used_life_rooms": "Life Rooms use before discharge",
    # the wellbeing mixed model's measurement (a withheld model's reason read "too few
    # observations among 'not follow up'; 'follow up'" at 3,000 people)
    "follow_up": "Follow-up measurements",
    "GLOBAL": "Global test (all terms)",
}
"""Plain words for machine values that reach a table's label columns (model terms)."""

GROUPS: Mapping[str, tuple[str, str]] = {
    # the crisis-risk model's yes/no predictors (cohort.crisis.CRISIS_PREDICTORS)
    "female": ("people recorded as female", "people not recorded as female"),
    "white": ("people in the white ethnic group", "people not in the white ethnic group"),
    "imd_q1": ("people in the most deprived fifth of areas",
               "people outside the most deprived fifth of areas"),
    "community_team": ("people in a community mental-health team",
                       "people not in a community mental-health team"),
    "honos_recorded": ("people with a HoNOS score recorded",
                       "people with no HoNOS score recorded"),
    "life_rooms": ("people who used the Life Rooms", "people who did not use the Life Rooms"),
    # propensity-score covariates (cohort.person_time.PROPENSITY_COVARIATES); no team
    # code: a reason may not write a digit the profile would not publish ("A06")
    "imd_q2": ("people in the second most deprived fifth of areas",
               "people outside the second most deprived fifth of areas"),
    "team_a06": ("people in a community mental health team",
                 "people not in a community mental health team"),
    "team_other": ("people in another kind of mental health team",
                   "people not in another kind of mental health team"),
    "locality_unknown": ("people whose locality is not known",
                         "people whose locality is known"),
    # the difference-in-differences model's groups (emergency care)
    "user": ("Life Rooms users", "people who did not use the Life Rooms"),
    # the matched and weighted designs hold comparison people too, whose index date is
    # drawn from the users' (a withheld design blamed "users after their first Life
    # Rooms contact"; wave 38): the page defines the index date for both
    "after": ("people after their index date", "people before their index date"),
    # the survival reports' covariates and exposures
    "age_65_plus": ("people aged 65 or over", "people aged under 65"),
    "most_deprived_decile": ("people in the most deprived tenth of areas",
                             "people outside the most deprived tenth of areas"),
    "deprivation_unknown": ("people whose area is not known", "people whose area is known"),
    "exposed": ("people after their first Life Rooms contact",
                "people before any Life Rooms contact"),
    "ever_used": ("people who ever used the Life Rooms",
                  "people who never used the Life Rooms"),
    "exposed_at_landmark": ("people who had used the Life Rooms by the landmark",
                            "people who had not used the Life Rooms by the landmark"),
    "used_life_rooms": ("people who used the Life Rooms before discharge",
                        "people who did not use the Life Rooms before discharge"),
    # the wellbeing mixed model's measurement (its events are observations)
    "follow_up": ("follow-up measurements", "baseline measurements"),
}
"""Each yes/no variable a model's release check counts events in, as the two groups a
sentence names after "among": the people who have it, and those who do not ("too few
events among people who used the Life Rooms before discharge"). The one source of a
withheld model's group words (:func:`group_words`); a reason quoted the row label,
"among ‘Life Rooms use before discharge’", until wave 38 (issue 15)."""

LEVEL_GROUPS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "imd_quintile": ("people in {} of areas", DEPRIVATION_FIFTHS),
}
"""Each categorical variable a release check counts events in: the words of one of its
levels after "among" (a template and each level's words): "people in the middle fifth
of areas", where a reason read "‘IMD quintile (1 = most deprived)’ = 3"."""

_YES, _NO = ("1", "1.0", "True"), ("0", "0.0", "False")


def group_words(variable: Any, level: Any) -> str:
    """The group of a model's ``variable`` at ``level`` as a sentence names it after
    "among": "people who used the Life Rooms before discharge", "people aged under 65",
    "people in the middle fifth of areas" (:data:`GROUPS`, :data:`LEVEL_GROUPS`).

    A variable with no words of its own falls back to its label, quoted: the people
    who have it "‘Life Rooms use’" (its first word lowered as :func:`mid_sentence`
    does), those who do not "‘not female’", a level of another variable "‘Site’ =
    Hub". ``tests/unit/test_labels.py`` checks that every variable a report's model is
    checked on has words of its own.

    Raises
    ------
    KeyError
        If ``variable`` has no words and looks like a machine name (as :func:`label`).
    """
    name, level = str(variable), str(level)
    if name in GROUPS and level in (*_YES, *_NO):
        return GROUPS[name][0 if level in _YES else 1]
    code = level[:-2] if level.endswith(".0") else level
    if name in LEVEL_GROUPS and code in LEVEL_GROUPS[name][1]:
        template, words = LEVEL_GROUPS[name]
        return template.format(words[code])
    text = label(name)
    if level in _YES:
        return quoted(mid_sentence(text))
    if level in _NO:
        return quoted(f"not {mid_sentence(text)}")
    return f"{quoted(text)} = {level}"


LEVEL_LABELS: Mapping[str, str] = {"0": "no", "1": "yes", "False": "no", "True": "yes"}
RAW = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
SPLINE = re.compile(r"^(?P<base>[a-z][a-z0-9_]*)(?P<primes>'+)$")


QUOTES = ("\u2018", "\u2019")
"""The quotation marks around a name in a published text (‘Life Rooms use’): the
typographic ones, as the site's prose has them after Sphinx's smart quotes. A table's
note is HTML, which smart quotes do not touch, so a reason quoted with straight marks
read 'Life Rooms use' there and ‘Life Rooms use’ in the summary until wave 28."""


def quoted(name: object) -> str:
    """``name`` between the published quotation marks (:data:`QUOTES`)."""
    return f"{QUOTES[0]}{name}{QUOTES[1]}"


PROPER_NAMES = ("Life Rooms", "Liverpool", "Mersey Care")
"""Names that keep their capital inside a sentence (:func:`mid_sentence`)."""
_PLAIN_CAPITAL = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)*\b")


def mid_sentence(text: str) -> str:
    """A label as words inside a sentence: its first letter in lower case when its first
    word is an ordinary word with a capital only because the label heads a table row
    ("Follow-up measurements" reads "follow-up measurements", "Aged 65 or over" "aged
    65 or over"); a name of :data:`PROPER_NAMES` or a word with other capitals
    ("HoNOS", "A&E", "IMD") is kept. A withheld model's reason listed "'baseline
    measurements' and 'Follow-up measurements'" on the wellbeing page (issue 15)."""
    if text.startswith(PROPER_NAMES) or not _PLAIN_CAPITAL.match(text):
        return text
    return text[0].lower() + text[1:]


def listed(items: Sequence[str], *, serial: bool = False) -> str:
    """Items in words: "A", "A and B", "A, B and C"; with ``serial``, a comma before the
    last "and" of three or more ("A, B, and C"), for items that hold "and" or commas
    themselves."""
    if not items:
        raise ValueError("nothing to list")
    items = list(items)
    if len(items) == 1:
        return items[0]
    last = ", and " if serial and len(items) > 2 else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def is_raw_name(text: Any) -> bool:
    """Tell whether ``text`` looks like a machine name rather than words.

    A snake_case identifier (``person_years``, ``imd_q1``) or a short machine name of
    :data:`RAW_NAMES` (``n``, ``df``) is raw; words with spaces, capitals or
    punctuation ("hazard ratio (95% CI)", "People") are not.
    """
    value = str(text).strip()
    return bool(RAW.match(value)) or value in RAW_NAMES


def column_label(name: Any) -> str:
    """Return the header a published table shows for the column ``name``.

    A name of :data:`COLUMN_LABELS` takes its label; a technical term of :data:`TERMS`
    (with a bracket: "C-statistic (95% CI)") its plain words with the term in brackets
    (:func:`term_label`); any other name is already words
    and is shown with a capital first letter ("hazard ratio (95% CI)" reads "Hazard
    ratio (95% CI)"; "p-value" stays as it is).

    Raises
    ------
    ValueError
        If ``name`` looks like a machine name (:func:`is_raw_name`) and has no label.

    Notes
    -----
    Checked by ``tests/unit/test_labels.py`` and, over every table the reports
    publish, ``tests/unit/test_tables.py``.
    """
    text = str(name).strip()
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if (term := term_label(text)) is not None:
        return term
    if is_raw_name(text):
        raise ValueError(f"the table column {text!r} has no label: add one to "
                         "lifetools.labels.COLUMN_LABELS or name the column in words")
    if text.startswith("p-value") or not text[:1].islower():
        return text
    return text[:1].upper() + text[1:]


def column_unit(name: Any, cells: Any = ()) -> str:
    """The unit of a published CSV column, for the notes beside the downloads.

    :data:`COLUMN_UNITS` first; then "an estimate and its 95% confidence interval, as
    text" for a header naming one; for any other column whose cells (``cells``, the
    column's values as written) are all numbers or ``[c]``/``[x]``, the measure its row
    or the table's caption names (so also a column written wholly as ``[x]``: a withheld
    model's numbers, :func:`lifetools.disclosure.model_outputs`); else "words".

    Notes
    -----
    Checked by ``tests/unit/test_labels.py``.
    """
    text = str(name).strip()
    if text in COLUMN_UNITS:
        return COLUMN_UNITS[text]
    if "(95% CI)" in text:
        return "an estimate and its 95% confidence interval, as text"
    if "median (quartiles)" in text:
        return "a median and its quartiles, as text, in the unit its row names"
    cells = [str(c) for c in cells]
    values = [c.replace(",", "") for c in cells if c not in ("[c]", "[x]")]
    if values and all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values):
        return _NUMBER
    if cells and not values:  # every cell withheld ([x]) or suppressed ([c]): numbers
        return _NUMBER
    return WORDS


@functools.lru_cache(maxsize=1)
def _dictionary_labels() -> Mapping[str, Mapping[str, str]]:
    """Code labels of every data-dictionary field, by field name (first table wins)."""
    out: dict[str, Mapping[str, str]] = {}
    try:
        dictionary = load_dictionary()
    except (DictionaryError, OSError):  # no dictionary: codes are shown as they are
        return out
    for table in dictionary.tables.values():
        for spec in table.fields:
            if spec.labels and spec.name not in out:
                out[spec.name] = dict(spec.labels)
    return out


def value_label(value: Any, column: Any = None, *, said: Collection[str] = ()) -> Any:
    """Return the words a table shows for one label cell of column ``column``.

    In order: the data-dictionary label of a code when ``column`` is a dictionary field
    with labels (``pathway_category``: ``money_debt_benefits`` reads "Money, debt and
    benefits"); "yes"/"no" for a binary predictor's ``level``; :data:`VALUE_LABELS` for
    a model term, with a spline term's primes read as "(spline term 1)"; any other text
    with each technical term of :data:`TERMS` beside its plain words
    (:func:`explain_terms`: a cell that is only a term, "C-statistic", reads "How well
    the model ranks people by risk (C-statistic)"); a number unchanged. A participant
    flow's ``step`` starts with a capital, as its diagram draws it
    (:mod:`lifetools.pipeline.flow`): the cohorts name their steps in lower case
    ("accepted (not rejected)") after a first step in capitals, and the page's table
    read "People in the linked data" above "first Life Rooms contact during the
    period" (issue 15, wave 33). ``said``: terms whose words the reader was given
    earlier in the same table (:func:`explain_terms`).

    Notes
    -----
    Checked by ``tests/unit/test_labels.py``.
    """
    if not isinstance(value, str):
        return value
    if str(column) == "step":
        value = value[:1].upper() + value[1:]
    codes = _dictionary_labels().get(str(column)) if column is not None else None
    if codes and value in codes:
        return codes[value]
    if str(column) == "level" and value in LEVEL_LABELS:
        return LEVEL_LABELS[value]
    if value in VALUE_LABELS:
        return VALUE_LABELS[value]
    spline = SPLINE.match(value)
    if spline and spline["base"] in VALUE_LABELS:
        return f"{VALUE_LABELS[spline['base']]} (spline term {len(spline['primes'])})"
    return explain_terms(value, said=said)


LABELS: Mapping[str, str] = {**COLUMN_LABELS, **VALUE_LABELS}
"""Every label of this module, for figures (a model term wins over a column name)."""


def label(name: Any) -> str:
    """The words a figure shows for a machine name; a text already in words as is.

    ``locality_<name>`` reads "Locality: <Name>". A name with no label that still looks
    like a machine name (:func:`is_raw_name`) raises ``KeyError``: add it to
    :data:`COLUMN_LABELS` or :data:`VALUE_LABELS` (the test of every figure function
    relies on this).

    Notes
    -----
    Checked by ``tests/unit/test_plots.py`` and ``tests/unit/test_labels.py``.
    """
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    if text.startswith("locality_"):
        return "Locality: " + text.removeprefix("locality_").replace("_", " ").title()
    if is_raw_name(text):
        raise KeyError(f"no human label for {text!r}: add it to lifetools.labels")
    return text


def labels(names: Any) -> list[str]:
    """:func:`label` of each name."""
    return [label(n) for n in names]


def code_label(table: str, field: str, code: Any) -> str:
    """The data dictionary's label of a code of ``table.field`` (the code if none)."""
    spec = load_dictionary().table(table).field(field)
    return (spec.labels or {}).get(str(code), str(code))


TERMS: Mapping[str, str] = {
    "C-statistic": "how well the model ranks people by risk",
    "calibration-in-the-large": "whether the predicted risks are too high or too low "
                                "on average",
    "calibration slope": "whether the predicted risks are spread out too much or too "
                         "little",
    # the intercept of the recalibration line is its correction where the log-odds are
    # 0 (a predicted even chance), not an average: beside calibration-in-the-large it
    # read as a second "on average" of the other sign (wave 38)
    "recalibration intercept": "how far a predicted even chance is off, once the "
                               "spread of the predicted risks is put right",
    "observed / expected events": "how many crises there were for each one the model "
                                  "predicted",
    "Brier score": "the average squared gap between each predicted risk and what "
                   "happened",
    "net benefit": "the good done by acting on the model's predictions, less the harm of "
                   "acting when it was not needed",
    "events per parameter": "how many people with the outcome there were for each "
                            "number the model estimates",
    "residual degrees of freedom": "how many more people there are than numbers the "
                                   "model estimates",
    "the learning system's alarm": "the check that the model's predictions are still "
                                   "accurate",
    "Rubin's rules": "the standard way to combine results over imputed copies, widening "
                     "the uncertainty for what was filled in",
    "boot-MI": "bootstrap samples drawn first, each with its missing values filled in "
               "afresh",
    "MI-boot": "missing values filled in first, then bootstrap samples drawn within each "
               "filled-in copy",
    "uniform shrinkage factor": "how much every coefficient was shrunk to allow for "
                                "overfitting",
    "minimum development sample size": "the fewest people needed to develop the model "
                                       "without too much overfitting",
}
"""Technical terms a public page may use only beside their plain words (this mapping).

The words are the one source for the reports' sentences and reasons
(:func:`with_words`), for the row labels and texts of published tables
(:func:`in_words`, :func:`explain_terms`, through :func:`value_label`) and for the
glossary (``GLOSSARY.md``); the test of the reports' texts
(``tests/unit/test_jargon.py``) refuses a term shown without them."""

TERM_PATTERNS: Mapping[str, str] = {
    "C-statistic": r"C-statistic|(?<![\w/.-])(?-i:C)(?=\s+(?:and calibration|\d*\.\d))",
    "Brier score": r"Brier(?: score)?\b",
    "observed / expected events": r"observed\s*/\s*expected events|(?<![\w/])O/E\b",
}
"""Other spellings of a term of :data:`TERMS` that a text may use ("Brier", "O/E", a
bare capital "C" before a decimal number or "and calibration"); any other term is
found as it is written (any case, whole words)."""


def with_words(term: str) -> str:
    """A technical term of :data:`TERMS` followed by its plain words: "term (words)".

    Raises
    ------
    KeyError
        If ``term`` is not in :data:`TERMS` (add its plain words there first).

    Notes
    -----
    Checked by ``tests/unit/test_jargon.py``.
    """
    return f"{term} ({TERMS[term]})"


def in_words(term: str, detail: str = "") -> str:
    """A table's label for a technical term: its plain words, the term in brackets.

    "How well the model ranks people by risk (C-statistic)", as other labels keep a
    code in brackets ("Most deprived fifth (IMD quintile 1)"); ``detail`` (a scale, a
    method) joins the term in the brackets: "(calibration-in-the-large, log-odds)".

    Raises
    ------
    KeyError
        If ``term`` is not in :data:`TERMS`.
    """
    words = TERMS[term]
    inside = f"{term}, {detail}" if detail else term
    return f"{words[:1].upper()}{words[1:]} ({inside})"


def _whole(term: str) -> str:
    return rf"(?<![\w-]){re.escape(term)}(?![\w-])"


@functools.cache
def _term_finder() -> tuple[re.Pattern[str], re.Pattern[str]]:
    found = "|".join(f"(?P<t{i}>{TERM_PATTERNS.get(term, _whole(term))})"
                     for i, term in enumerate(TERMS))
    inside = r"(?:\s\((?P<inside>[^()]*)\))?"
    return (re.compile(rf"(?:{found}){inside}", re.IGNORECASE),
            re.compile(rf"^(?:{found}){inside}$", re.IGNORECASE))


def _term_of(match: re.Match[str]) -> str:
    return next(term for i, term in enumerate(TERMS) if match.group(f"t{i}"))


def term_label(text: str) -> str | None:
    """The label of a cell or header that is a technical term, or None if it is not.

    "C-statistic" reads "How well the model ranks people by risk (C-statistic)";
    "Calibration-in-the-large (log-odds)" reads "Whether the predicted risks are too
    high or too low on average (calibration-in-the-large, log-odds)" (:func:`in_words`).
    """
    match = _term_finder()[1].match(" ".join(str(text).split()))
    if match is None:
        return None
    term, inside = _term_of(match), match.group("inside") or ""
    # the term's own words in its bracket ("C-statistic (how well ...)", as a result's
    # label records it) are the label's words, not a detail to repeat in the brackets
    gone = _own_words(term, inside)
    return in_words(term, inside if gone is None else inside[gone:])


def _own_words(term: str, inside: str) -> int | None:
    """How much of a bracket after ``term`` (``inside``, its text) is the term's own
    words: all of it ("(how well ...)"), or the words and "; " before a detail ("(how
    well ...; DeLong)"); None when the bracket does not open with them."""
    words = TERMS[term].lower()
    if " ".join(inside.split()).lower() == words:
        return len(inside)
    return len(words) + 2 if inside.lower().startswith(f"{words}; ") else None


def explain_terms(text: str, *, said: Collection[str] = ()) -> str:
    """``text`` with each technical term of :data:`TERMS` beside its plain words once.

    A text that is only a term is a row label: :func:`term_label`. In a sentence the
    first use of a term reads "term (plain words)" as :func:`with_words` writes it, in
    the term's own spelling ("Brier" and "O/E" read "Brier score", "observed /
    expected events"; :data:`TERM_PATTERNS`); a bracket without figures that follows
    the term joins the words ("calibration-in-the-large (Wald)" reads
    "calibration-in-the-large (whether the predicted risks are too high or too low on
    average; Wald)"). A term whose words the text already has is left as it is, as is
    every later use. Only words are changed, no digit: the numbers a text carries and
    their order are unchanged (:func:`term_edits`).

    ``said``: terms whose words the reader was given before this text (earlier cells
    of the same table, :func:`words_given`): they are left bare, as a later use is,
    and words the text gives them beside the term are taken out ("calibration-in-the-
    large (whether ...) was 0.05" reads "calibration-in-the-large was 0.05": the
    TRIPOD+AI checklist's drift verdict glossed it again after item 12e, wave 39). A
    text that is only a term is a label and reads in words all the same.

    Notes
    -----
    Checked by ``tests/unit/test_jargon.py``, which reads every TRIPOD+AI checklist
    item and every row label of the crisis report's performance tables through it.
    """
    out = str(text)
    for start, end, words in reversed(term_edits(out, said=said)):
        out = out[:start] + words + out[end:]
    return out


def term_edits(text: str, *, said: Collection[str] = ()) -> list[tuple[int, int, str]]:
    """The edits :func:`explain_terms` makes to ``text``: ``(start, end, words)``, each
    replacing ``text[start:end]`` by ``words``, in order and not overlapping.

    Each edit is as small as it can be: the words inserted after a term (or after the
    opening bracket that follows it), a term's spelling ("Brier" to "Brier score"), or
    the words a text gives a term of ``said`` taken out; no edit holds or removes a
    digit. A table applies them to a protected text through
    :func:`lifetools.disclosure.edit_words`, which refuses any edit that would touch a
    protected number (:func:`lifetools.tables.show_table`).
    """
    text = str(text)
    whole = term_label(text)
    if whole is not None:
        return [] if whole == text else [(0, len(text), whole)]
    done = set(said) | words_given(text)
    edits: list[tuple[int, int, str]] = []
    for match in _term_finder()[0].finditer(text):
        term = _term_of(match)
        group = f"t{list(TERMS).index(term)}"
        written, (start, end) = match.group(group), match.span(group)
        inside, words = match.group("inside"), TERMS[term]
        if term in done:
            gone = _own_words(term, inside) if term in said and inside is not None else None
            if gone == len(inside or ""):  # "term (words)": the bracket goes
                edits.append((end, match.end(), ""))
            elif gone is not None:  # "(words; Wald)": the words go
                at = match.start("inside")
                edits.append((at, at + gone, ""))
            continue
        done.add(term)
        spelling = written if written.lower() == term.lower() else term
        if spelling != written:
            edits.append((start, end, spelling))
        if inside is not None and not re.search(r"\d", inside):
            at = match.start("inside")
            edits.append((at, at, f"{words}; " if inside else words))
        else:
            # a bracket of figures ("(0.95, 95% CI ...)") stays as it was, after the words
            edits.append((end, end, f" ({words})"))
    return sorted(edits)


def words_given(text: str) -> set[str]:
    """The terms of :data:`TERMS` whose plain words ``text`` gives.

    >>> sorted(words_given("C-statistic (how well the model ranks people by risk): 0.7"))
    ['C-statistic']
    """
    low = " ".join(str(text).split()).lower()
    return {term for term, words in TERMS.items() if words.lower() in low}


def gloss_findings(text: str) -> list[str]:
    """Where a page's running text does not gloss a term of :data:`TERMS` once, at its
    first mention: "<term>: first mention without its words", "<term>: its words given
    <n> times".

    ``text`` is the page's prose in reading order: its main point, then its paragraphs
    with the glued sentences in place (tables and figures, which a reader reads on
    their own and whose labels give a term in its words, :func:`in_words`, are left
    out). A reader needs the words once: beside the term's first mention ("C-statistic
    (how well the model ranks people by risk)", :func:`with_words`, or "how well ...
    (C-statistic)"), then the term alone. The crisis page said them up to 7 times
    (issue 15, wave 38).

    Notes
    -----
    Checked by ``tests/unit/test_jargon.py``, which reads each report page so.
    """
    flat = " ".join(str(text).replace("\u2019", "'").split())
    low = flat.lower()
    found = []
    for term, words in TERMS.items():
        said = low.count(words.lower())
        first = re.search(TERM_PATTERNS.get(term, _whole(term)), flat, re.IGNORECASE)
        if first is None and not said:
            continue
        if first is not None:
            near = low[max(0, first.start() - len(words) - 3):first.end() + len(words) + 3]
            if words.lower() not in near:
                found.append(f"{term}: first mention without its words")
        if said > 1:
            found.append(f"{term}: its words given {said} times")
    return found

