"""The rule for numbers in prose (Markdown, table cells, figure texts): the gate's.

A key result's text is verified span by span (:mod:`lifetools.disclosure.text`). The
prose an author writes around it has no spans, so reading it for "counts of people"
(:func:`lifetools.pipeline.gate.rules.counted_findings`) lets a count in other words
pass ("a team of 13 met"). Here the default is the other way round: **every number
written in digits in prose is refused** (``unprotected-number-in-prose``) unless it is
in one of the forms below, none of which states a count of people:

- inside a glued key result (``{glue:text}`name```, verified span by span), a URL or
  a link target (inline code is shown as text, and an HTML comment is published in the
  page's source: both are read like prose);
- a number with a non-zero decimal part (``2.66``, ``0.2``): a setting or estimate;
  but not a percentage ("42.9% of users"): a share typed by hand can reveal a small
  count (3 of 7), so it must be glued from a key result computed from published
  counts (a confidence level or a centile, "97.5%", passes);
- an edition or a date (``2024-25``, ``2024-04-01``, ``1 April 2024`` as
  :func:`lifetools.formatting.format_date` writes it); a year on its own (``2018``)
  only as a real year: in a citation ("Daw and Hatfield 2018", "Riley et al.
  (2020)", "(Smith 2019)"), or after a word of time ("in", "since", "during", a
  month, "between 2023 and") and within the run's dates (its date parameters' years,
  one either side): "a team of 2018", "grew to 2024" and "2024 came" are refused;
- before a unit, **verified**: a time ("12 months", "90 days", "a 12-month risk") must
  be a duration the run declares (a ``*_days``/``*_weeks``/``*_months``/``*_years``
  parameter) or the series does (:data:`lifetools.disclosure.settings.DURATIONS`);
  ``%``, knots, points, standard deviations or decimal places must be a parameter's
  value before its declared words (below) or in
  :data:`~lifetools.disclosure.settings.UNIT_SETTINGS` (a
  confidence level, the knots of a spline). "13 days" or "13%" typed by hand is refused;
- a number the edition's SDC profile states (its threshold, rounding base, minimum
  events ..., 0 or 1: :data:`lifetools.disclosure.text.RULE_QUANTITIES`, recomputed
  from the profile), where it states the rule: after "fewer than" / "less than" when it
  is a threshold no smaller than the suppressed counts' (what a suppressed count
  reads: "fewer than 8"); after "nearest", "multiples of", "rounded to", "threshold of"
  (the rule's own words); after another bound ("at least", "at most", "over",
  "under" ...) only in a sentence that names the rule (hidden, suppressed, rounded,
  withheld, protect ...). "at least 8 people came" is refused. A ratio's null ("a
  ratio above 1") is allowed;
- a rate's scale ("per 1,000": a power of ten after "per"), a term's scale ("HoNOS
  score (per 5 points)", "Age (per 10 years)");
- the value of one of the run's parameters directly before the words that name it
  (declared once per parameter, ``words:`` in ``analyses/analyses.yml``, passed in
  :class:`RunParameters`: "200 bootstrap samples" where the run's ``n_boot`` is 200,
  "3 SWEMWBS points" where ``meaningful_change`` is 3), or of a library setting a
  verified key result states before its words
  (:data:`~lifetools.disclosure.settings.SETTING_WORDS`); "a team of 200" is refused;
- a code or a label: digits glued to letters (``A06``, ``L2``), zero-padded (``01``),
  a ratio (``1:1``), a scale anchor (``1 = most deprived``), after a label noun
  (categories, types, quintile, item, section, rule, step, figure, table, aged,
  term, issue), a spline's centiles ("Harrell's centiles 5, 27.5, 50"), a model's level ("'IMD quintile' = 2"), a deprivation quintile's label ("1 (most deprived)"), a list of fifths ("quintiles 1, 2 and 4", only so: "quintiles 1, 3 were" is refused), a score's range
  ("scores run from 7 to 35"), a heading's section number or a list item's number.

Where it applies: every Markdown cell; a sealed table's headers and its first column
(the row labels: the other cells are checked by
:func:`lifetools.disclosure.table_cells.cell_findings`); every text of a sealed figure
that holds words (titles, axis labels, legends, annotations; a tick label is a number
and is read by the count rules).

Whole-number words above ten ("thirteen", "twenty") are refused like digits. Words from
two to ten are allowed only before a noun that never counts people or events
(:data:`NOUNS`: "three criteria", "four comparisons", "seven months", "seven in a
row"; not "seven groups", "seven times", "seven person-years") or after "the"
/ "these" / "those" ("the largest of the three"); "a team of seven" and "seven came"
are refused ("one" is an article as often as a number: it is read by the count
patterns, which refuse "one person"). A number that must be stated in prose is glued
from a key result (:func:`lifetools.publication.record` with a
:class:`~lifetools.disclosure.Parameter` or another typed part). Tested in
``tests/unit/test_gate_prose.py`` and ``tests/leaks/test_text_leaks.py``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from lifetools.disclosure import SdcProfile, get_profile
from lifetools.disclosure.rule_ids import rule_id
from lifetools.disclosure.settings import (
    DURATION_NAME,
    DURATIONS,
    SETTING_WORDS,
    UNIT_SETTINGS,
    phrase_patterns,
)
from lifetools.disclosure.text import RULE_QUANTITIES

__all__ = ["NAME_RULE", "NOUNS", "PEOPLE_WORD", "PROSE_RULE", "RunParameters", "has_words",
           "label_findings", "name_findings", "prose_findings"]

PROSE_RULE = rule_id("unprotected-number-in-prose")

_HIDDEN = re.compile(
    r"\{glue(?::\w+)?\}`[^`]*`"           # a glued key result (verified by its spans)
    r"|\]\([^)\s]*\)"                      # a link target
    r"|https?://\S+|www\.\S+"              # a URL
    r"|data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+", re.S)
_FORMS = re.compile(
    r"(?<!\d)(?:19|20)\d{2}-\d{2}(?:-\d{2})?(?!\d|,\d)"      # an edition, a date
    r"|(?<![\w.,])(?:[1-9]|[12]\d|3[01])[ \t]+(?:January|February|March|April|May|"
    r"June|July|August|September|October|November|December)[ \t]+(?:19|20)\d{2}(?!\d)"
    # a date in words, as lifetools.formatting.format_date writes it: 1 April 2024
    r"|(?:'[^'\n]{1,80}'|\u2018[^\u2019\n]{1,80}\u2019)[ \t]*=[ \t]*\d+(?!\d|[.,]\d)"  # a level
    r"|^[ \t]*#{1,6}[ \t]+\d+(?:\.\d+)*"                      # a heading's number
    r"|^[ \t]*\d+[.)][ \t]"                                   # a list item's number
    r"|(?<![\w.,])\d+:\d+(?![\w:])"                           # a ratio, 1:1
    r"|(?<![\w.,])\d+[ \t]*=[ \t]*(?=[A-Za-z])"               # a scale anchor
    r"|(?<![\w.,])0\d+(?![\w,])"                              # a zero-padded code
    r"|[A-Za-z]\d+|\d+(?:st|nd|rd|th)?(?=[A-Za-z])"           # a code, A06, L2
    r"|(?i:\bquintiles[ \t]+[1-5](?:,[ \t]*[1-5])*[ \t]+(?:and|or)[ \t]+[1-5](?!\d))"
    # a list of fifths: quintiles 1, 2 and 4 (commas only there, ending "and 4")
    r"|(?i:\b(?:categor(?:y|ies)|types?|quintiles?|deciles?|items?|sections?|rules?|"
    r"steps?|stages?|figures?|tables?|chapters?|appendix|aged?|ages|terms?|issues?)"
    r"[ \t]+\d+(?:[ \t]*(?:-|–|to|and|or)[ \t]*\d+)*)"       # a label: item 3, aged 18-24
    r"|(?i:\b(?:per)?centiles?[ \t]+(?:100|\d{1,2})(?:\.\d+)?"        # knots' centiles
    r"(?:,[ \t]*(?:100|\d{1,2})(?:\.\d+)?)*(?![\d.,]*\d))"
    r"|(?i:\b(?:scores?|scale)\b(?:[ \t]+\w+){0,3}[ \t]+from[ \t]+\d+[ \t]+to[ \t]+\d+)"
    r"|(?i:\bper[ \t]+(?:1|10|100|1,?000|10,?000|100,?000)\b)"  # a rate's scale
    r"|(?i:\bper[ \t]+\d+[ \t]+(?:points?|years?|months?|days?|units?)\b)"  # a term's
    r"|(?<![\w.,])[1-9](?=[ \t]*\((?:most|least)[ \t]+deprived\))",  # a quintile
    re.M)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w]|[.,]\d)")
_UNIT = re.compile(r"\s*(?:-\s*)?(?P<unit>%|(?i:per\s?cent|days?|weeks?|months?|years?|"
                   r"hours?|minutes?|knots?|points?|standard\s+deviations?|"
                   r"SDs?|decimal\s+places?)\b)")
_SHARE = re.compile(r"[ \t]*(?:%|(?i:per[ \t]?cent)\b)")
_LEVEL = re.compile(r"(?i:confidence|credible|centile|percentile|quantile|interval|"
                    r"significance|alpha|level|R-?squared|R2)[^.%]{0,30}$")
_LEVEL_AFTER = re.compile(r"(?i:[ \t]*(?:two-sided[ \t]+)?(?:confidence|credible|"
                          r"prediction|uncertainty|centile|percentile|quantile))")
_DAYS = {"day": 1, "week": 7, "month": 365 / 12, "year": 365}
_TIME_PARAMETER = DURATION_NAME
_RULE_WORDS = re.compile(r"(?i:(?:nearest|multiples?\s+of|threshold\s+of|rounded\s+to)"
                         r"\s*$)")
_FEWER = re.compile(r"(?i:(?:fewer|less)\s+than\s*$)")
_BOUND = re.compile(r"(?i:(?:more|greater)\s+than|at\s+(?:least|most)|under|over|below|"
                    r"above|minimum\s+of|maximum\s+of|up\s+to)\s*$")
_RULE_SENTENCE = re.compile(r"(?i:hidden|hide|suppress|round|withh[eo]ld|not\s+shown|"
                            r"protect|redact|disclos|privacy|threshold|sdc)")
_NULL = re.compile(r"(?i:\b(?:ratios?|estimates?|slopes?|odds|index|indices)\b"
                   r"[^.]{0,70}\b(?:above|below|over|under)\s*$)")
_CITATION = re.compile(r"(?:\bet\s+al\.?,?|[A-Z][a-z]+\s+(?:and|&)\s+[A-Z][a-z]+,?|"
                       r"\([A-Z][a-z]+,?)\s*\(?$")
_TIME_WORD = re.compile(r"(?i:\b(?:in|since|until|till|from|during|before|after|"
                        r"between|year|January|February|March|April|May|June|"
                        r"July|August|September|October|November|December)\s*$"
                        r"|(?:19|20)\d{2}\s*(?:and|or|to|–|-)\s*$)")
_WORDS_ABOVE_TEN = re.compile(
    r"\b(?i:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    r"nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|dozens?)\b")
_SMALL_WORD = re.compile(r"\b(?i:two|three|four|five|six|seven|eight|nine|ten)\b")
NOUNS = (r"days?|weeks?|months?|years?|criteria|criterion|comparisons?|"
         r"models?|methods?|editions?|rules?|ways?|steps?|stages?|"
         r"sections?|tables?|figures?|columns?|categories|levels?|terms?|knots?|"
         r"decimal|copies|imputations?|questions?|items?|measures?|"
         r"sides?|scales?|periods?|analyses|estimates?|limits?|kinds?|"
         r"in\s+a\s+row")
"""What a number word from two to ten may count in prose: nouns that never count
people or events. Nouns that can ("groups", "cohorts", "teams" of people; "times",
"tests", "checks", "reports", "outcomes", "sources", "parts" that can be events or
records) are not in it: "seven groups" is refused."""
PEOPLE_WORD = (r"people|persons?|patients?|users?|clients?|adults?|children|men|women|"
               r"staff|volunteers?|residents?|referrals?|visits?|admissions?|"
               r"attendances?|contacts?|events?|cases?|person")
_NOT_PEOPLE_NEXT = rf"(?![ \t]+(?:[A-Za-z-]+[ \t]+)?(?i:{PEOPLE_WORD})\b)"
"""After a parameter's words, no noun that counts people: "3 or more people" is a count."""
_NOUN_AFTER = re.compile(rf"(?i:[\s-]+(?:(?!(?:{PEOPLE_WORD})\b)[a-z]+[\s-]+)?"
                         rf"(?:{NOUNS})\b)")
_ANAPHOR = re.compile(r"(?i:\b(?:the|these|those|all)\s+$)")


class RunParameters(dict[str, Any]):
    """A run's parameters by name, with the phrases that name each in prose.

    ``words`` maps a parameter's name to its declared ``words`` (``analyses.yml``,
    :class:`lifetools.pipeline.parameters.Parameter`); the publish gate builds it from
    the series file. A parameter with no words passes nowhere in prose by its value.
    """

    def __init__(self, values: Mapping[str, Any] | None = None, *,
                 words: Mapping[str, Iterable[str]] | None = None) -> None:
        super().__init__(values or {})
        self.words: dict[str, tuple[str, ...]] = {
            str(k): tuple(v) for k, v in (words or {}).items()}

    def with_values(self, values: Mapping[str, Any]) -> RunParameters:
        """A copy with ``values`` added (the settings a notebook states), same words."""
        return RunParameters({**values, **self}, words=self.words)


def has_words(text: str) -> bool:
    """Whether a table cell or figure text is prose (holds a letter), not a number."""
    return bool(re.search(r"[A-Za-z]{2,}", text))


def _rule_values(profile: SdcProfile) -> set[int]:
    return {int(f(profile)) for f in RULE_QUANTITIES.values()}


def _fewer_values(profile: SdcProfile) -> set[int]:
    """Thresholds stated as "fewer than N": none reveals less than suppression does."""
    return {int(profile.threshold) + 1, int(profile.min_at_risk),
            int(profile.model_min_events), int(profile.magnitude_threshold)}


def _named_values(parameters: Iterable[Any] | Mapping[str, Any]
                  ) -> dict[float, list[tuple[re.Pattern[str] | None, re.Pattern[str]]]]:
    """The run's whole-number parameter values, each with the words that name it in
    prose (a run parameter's declared ``words``, :class:`RunParameters`; a setting's
    :data:`~lifetools.disclosure.settings.SETTING_WORDS`); a parameter with no
    declared words is left out, so its value passes nowhere by being its value.

    The patterns are compiled once per distinct set of values and words (a notebook
    reads hundreds of texts with the same run parameters; issue 16): the result is
    shared, read it only."""
    if not isinstance(parameters, Mapping):
        return {}
    own = getattr(parameters, "words", {})
    key = []
    for name, given in parameters.items():
        name = str(name)
        values = tuple(v for v in (given if isinstance(given, (tuple, frozenset))
                                   else [given])
                       if isinstance(v, (int, float)) and not isinstance(v, bool))
        phrases = SETTING_WORDS.get(name[8:], ()) if name.startswith("setting:") \
            else own.get(name, ())
        if values and phrases:
            key.append((tuple(map(str, phrases)), values))
    return _compiled_named(tuple(key))


@functools.lru_cache(maxsize=64)
def _compiled_named(key: tuple[tuple[tuple[str, ...], tuple[float, ...]], ...]
                    ) -> dict[float, list[tuple[re.Pattern[str] | None, re.Pattern[str]]]]:
    named: dict[float, list[tuple[re.Pattern[str] | None, re.Pattern[str]]]] = {}
    for phrases, values in key:
        for (before, after), value in ((f, v) for f in phrase_patterns(phrases)
                                       for v in values):
            named.setdefault(float(value), []).append((
                re.compile(rf"(?i:(?<![A-Za-z]){before})[ \t]*$") if before else None,
                re.compile(
                    (rf"[ \t]*(?:-[ \t]*)?(?i:{after})\b" if after else "")
                    + _NOT_PEOPLE_NEXT)))
    return named


def _declared(parameters: Iterable[Any] | Mapping[str, Any]
              ) -> tuple[set[float], set[int]]:
    """The run's declared durations in days, and its years."""
    named = dict(parameters) if isinstance(parameters, Mapping) else \
        {str(i): v for i, v in enumerate(parameters)}
    days = {float(v) for v in DURATIONS.values()}
    years: set[int] = set()
    for name, value in named.items():
        unit = _TIME_PARAMETER.search(name)
        if unit and isinstance(value, (int, float)) and not isinstance(value, bool):
            days.add(float(value) * _DAYS[unit.group(1)])
        if isinstance(value, str) and re.fullmatch(r"(?:19|20)\d{2}-\d{2}-\d{2}", value):
            years.add(int(value[:4]))
    if years:
        years = set(range(min(years) - 1, max(years) + 2))
    return days, years


def _unit_ok(value: int, unit: str, days: set[float]) -> bool:
    unit = re.sub(r"\s+", " ", unit.lower()).rstrip("s")
    if unit in _DAYS:
        return any(abs(value * _DAYS[unit] - d) <= (1 if unit == "month" else 0.5)
                   * max(value if unit == "month" else 1, 1) for d in days)
    if unit in ("per cent", "percent"):
        unit = "%"
    return value in UNIT_SETTINGS.get(unit, ())


def _sentence(text: str, at: int) -> str:
    start = max(text.rfind(".", 0, at), text.rfind("\n\n", 0, at), 0)
    ends = [e for e in (text.find(". ", at), text.find("\n\n", at)) if e >= 0]
    return text[start:min(ends) if ends else len(text)]


def _rule_ok(text: str, start: int, value: int, p: SdcProfile) -> bool:
    before = text[max(start - 30, 0):start]
    if _RULE_WORDS.search(before) or (_FEWER.search(before) and
                                      value in _fewer_values(p)):
        return True
    if value in (0, 1) and _NULL.search(text[max(start - 80, 0):start]):
        return True  # a ratio's or an estimate's null: "a ratio above 1"
    return bool((_BOUND.search(before) or _FEWER.search(before))
                and _RULE_SENTENCE.search(_sentence(text, start)))


def _year_ok(text: str, start: int, years: set[int], value: int) -> bool:
    before = text[max(start - 40, 0):start]
    if _CITATION.search(before):
        return True
    return value in years and bool(_TIME_WORD.search(before))


def _word_findings(visible: str, where: str) -> list[tuple[str, str]]:
    if _WORDS_ABOVE_TEN.search(visible):
        return [(PROSE_RULE, f"a number written in words in {where}: state it "
                 "through a key result")]
    for match in _SMALL_WORD.finditer(visible):
        if _NOUN_AFTER.match(visible, match.end()) or \
                _ANAPHOR.search(visible[max(match.start() - 10, 0):match.start()]):
            continue
        return [(PROSE_RULE, f"a number word in {where} that counts something other "
                 "than criteria, comparisons, models or a time (a team, groups, times ...): "
                 "state it through a key result")]
    return []


def prose_findings(text: str, profile: SdcProfile | str | None = None, *,
                   where: str = "text",
                   parameters: Iterable[Any] | Mapping[str, Any] = ()
                   ) -> list[tuple[str, str]]:
    """``unprotected-number-in-prose`` for each number ``text`` writes outside the forms
    the module docstring lists (one finding per kind; never the number itself).

    ``parameters``: the run's parameters by name; a whole number equal to one of them
    passes only directly before the words that name that parameter
    (their declared ``words`` when ``parameters`` is a :class:`RunParameters`: "200
    bootstrap samples", "3 SWEMWBS points"), so "a team of 200" is refused when ``n_boot`` is 200. Names ending ``_days`` (``_weeks``, ``_months``, ``_years``)
    declare durations; date values declare the years prose may name.
    """
    p = get_profile(profile)
    days, years = _declared(parameters)
    named = _named_values(parameters)
    rules = _rule_values(p)
    visible = _FORMS.sub(" ", _HIDDEN.sub(" ", re.sub(r"<!--|-->", " ", text)))
    found: list[tuple[str, str]] = []
    for match in _NUMBER.finditer(visible):
        fraction = match.group(2)
        if fraction and fraction.strip(".0"):
            share = _SHARE.match(visible, match.end())
            if share and not (_LEVEL.search(visible[max(match.start() - 40, 0):
                                                    match.start()])
                              or _LEVEL_AFTER.match(visible, share.end())):
                found.append((PROSE_RULE, f"a percentage typed by hand in {where}: a "
                              "share must come from published counts, glued from a key "
                              "result (lt.publication.record)"))
                break
            continue
        value = int(match.group(1).replace(",", ""))
        if any(after.match(visible, match.end()) and (
                before is None or before.search(visible, 0, match.start()))
               for before, after in named.get(value, ())):
            continue  # a run parameter's value beside the words that name it
        unit = _UNIT.match(visible, match.end())
        if unit:
            if _unit_ok(value, unit.group("unit"), days):
                continue
            found.append((PROSE_RULE, f"a number before a unit in {where} that is none "
                          "of the run's parameters or the series' declared durations and "
                          "settings (a number of days typed by hand): state it through a key "
                          "result"))
            break
        if 1900 <= value <= 2099 and "," not in match.group(1) and not fraction and \
                _year_ok(visible, match.start(), years, value):
            continue
        if value in rules and _rule_ok(visible, match.start(), value, p):
            continue
        found.append((PROSE_RULE, f"a number written by hand in {where} (not a glued "
                      "key result, a date, a unit, a rule number of the profile or a "
                      "label): state it through a key result, or, for a run "
                      "parameter's value, write it beside the words declared for it "
                      "(words: in analyses.yml)"))
        break
    if not found:
        found += _word_findings(visible, where)
    return found


_NAME_SEPARATORS = re.compile(r"[_\-]+")
_AT_NUMBER = re.compile(r"\d[\d,.]*")
_DURATION = re.compile(r"[ \t]*(?:days?|weeks?|months?|years?)\b", re.IGNORECASE)
NAME_RULE = rule_id("unprotected-number-in-name")
"""The rule naming a number in an output's name or a key result's label."""


def name_findings(name: str, profile: SdcProfile | str | None = None
                  ) -> list[tuple[str, str]]:
    """A number in an output's name (a table's or a figure's file stem, a key result's
    name): names are published (the download's file name and its link, the keys of
    ``results.json``), so their words follow the rules of prose
    (:func:`prose_findings`; ``_`` and ``-`` read as spaces): "sefton_13_users" is
    refused, "rereferral_1y" (a code) passes. Only digits are read: a number word
    in a name ("two-charts") names the output, and its file holds no count by it."""
    if not any(c.isdigit() for c in name):
        return []
    words = _NAME_SEPARATORS.sub(" ", name)
    return [(NAME_RULE, detail)
            for _rule, detail in prose_findings(words, profile, where="an output's name")]


def label_findings(label: str, at: str | None, profile: SdcProfile | str | None = None,
                   parameters: Iterable[Any] | Mapping[str, Any] = ()
                   ) -> list[tuple[str, str]]:
    """A number written by hand in a key result's label (published in ``results.json``
    and on the comparison with the previous edition): the label follows the rules of
    prose with the run's ``parameters`` (:func:`prose_findings`), except its ``at``
    words (this edition's own words: a follow-up the data decided, "by 134 days after
    discharge", or its cohort, "development cohort of 2023-24"), whose every number
    must state a duration (days, weeks, months or years) or pass the rules of prose
    as the rest of the label does (a period of the run's parameters)."""
    rest = label.replace(at, " ", 1) if at and at in label else label
    found = [(NAME_RULE, detail) for _rule, detail in
             prose_findings(rest, profile, where="a key result's label",
                            parameters=parameters)]
    loose = [m for m in _AT_NUMBER.finditer(at or "")
             if not _DURATION.match(at or "", m.end())]
    if loose and prose_findings(at or "", profile, where="a key result's label",
                                parameters=parameters):
        found.append((NAME_RULE, "a number in a key result's own words (at) that is "
                      "neither a duration nor a number prose may hold: state it through "
                      "a key result"))
    return found
