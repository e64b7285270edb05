"""The gate's rule for numbers in prose: Markdown, table label cells, figure texts.

A key result's text is verified span by span (:mod:`lifetools.disclosure.text`). The
prose an author writes around it has no spans, so reading it for "counts of people"
(:func:`lifetools.pipeline.gate.rules.counted_findings`) lets a count in other words
pass ("a team of 13 met"). Here the default is the other way round: **every number
written in digits in prose is refused** (``unprotected-number-in-prose``) unless it is
in one of the forms below, none of which states a count of people:

- inside a glued key result (``{glue:text}`name```, verified span by span), a URL or
  a link target, an HTML comment (inline code is shown as text: it is read like prose);
- a number with a non-zero decimal part (``2.66``, ``0.2``): a setting or estimate;
- a year, an edition or a date (``2018``, ``2024-25``, ``2024-04-01``);
- followed by a unit: ``%``, days, weeks, months, years, hours, knots, points,
  standard deviations (``12 months``, ``12-month``, ``95%``, ``4 knots``);
- after a bound ("fewer than", "at least", "above", "below", "under", "over",
  "nearest", "multiples of", "threshold of") when it is a number the edition's SDC
  profile states (its threshold, rounding base, minimum events ..., 0 or 1:
  :data:`lifetools.disclosure.text.RULE_QUANTITIES`), recomputed from the profile;
- a rate's scale ("per 1,000": a power of ten after "per");
- the value of one of the run's parameters ("improved by 3 or more" where the run's
  ``meaningful_change`` is 3), read from the notebook as the gate reads them;
- a code or a label: digits glued to letters (``A06``, ``L2``), zero-padded (``01``),
  a ratio (``1:1``), a scale anchor (``1 = most deprived``), after a label noun
  (categories, types, quintile, item, section, rule, step, figure, table, aged,
  term), a deprivation quintile's label ("1 (most deprived)"), a score's range
  ("scores run from 7 to 35"), a heading's section number or a list item's number.

Where it applies: every Markdown cell; a sealed table's headers and its first column
(the row labels: count and estimate columns are checked by their own rules); every
text of a sealed figure that holds words (titles, axis labels, legends, annotations;
a tick label is a number and is read by the count rules).

Whole-number words above ten ("thirteen", "twenty") are refused like digits; words up
to ten are read by the count patterns only (they are common in prose: "one copy",
"three criteria"). A number that must be stated in prose is glued from a key result
(:func:`lifetools.publication.record` with a :class:`~lifetools.disclosure.Parameter`
or another typed part). Tested in ``tests/unit/test_gate_prose.py`` and
``tests/leaks/test_text_leaks.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lifetools.disclosure import SdcProfile, get_profile
from lifetools.disclosure.text import RULE_QUANTITIES

__all__ = ["PROSE_RULE", "prose_findings", "has_words"]

PROSE_RULE = "unprotected-number-in-prose"

_HIDDEN = re.compile(
    r"\{glue(?::\w+)?\}`[^`]*`"           # a glued key result (verified by its spans)
    r"|<!--.*?-->"                         # an HTML comment
    r"|\]\([^)\s]*\)"                      # a link target
    r"|https?://\S+|www\.\S+"              # a URL
    r"|data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+", re.S)
_FORMS = re.compile(
    r"(?<!\d)(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?(?![\d,])"   # year, edition, date
    r"|^[ \t]*#{1,6}[ \t]+\d+(?:\.\d+)*"                      # a heading's number
    r"|^[ \t]*\d+[.)][ \t]"                                   # a list item's number
    r"|(?<![\w.,])\d+:\d+(?![\w:])"                           # a ratio, 1:1
    r"|(?<![\w.,])\d+[ \t]*=[ \t]*(?=[A-Za-z])"               # a scale anchor
    r"|(?<![\w.,])0\d+(?![\w,])"                              # a zero-padded code
    r"|[A-Za-z]\d+|\d+(?:st|nd|rd|th)?(?=[A-Za-z])"           # a code, A06, L2
    r"|(?i:\b(?:categor(?:y|ies)|types?|quintiles?|deciles?|items?|sections?|rules?|"
    r"steps?|stages?|figures?|tables?|chapters?|appendix|aged?|ages|terms?)"
    r"[ \t]+\d+(?:[ \t]*(?:-|–|to|and|or)[ \t]*\d+)*)"       # a label: item 3, aged 18-24
    r"|(?i:\b(?:scores?|scale)\b(?:[ \t]+\w+){0,3}[ \t]+from[ \t]+\d+[ \t]+to[ \t]+\d+)"
    r"|(?i:\bper[ \t]+(?:1|10|100|1,?000|10,?000|100,?000)\b)"  # a rate's scale
    r"|(?<![\w.,])[1-9](?=[ \t]*\((?:most|least)[ \t]+deprived\))",  # a quintile
    re.M)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w]|[.,]\d)")
_UNIT = re.compile(r"\s*(?:-\s*)?(?:%|(?i:per\s?cent|days?|weeks?|months?|years?|"
                   r"hours?|minutes?|knots?|points?|standard\s+deviations?|"
                   r"SDs?|decimal\s+places?)\b)")
_BOUND = re.compile(r"(?i:(?:fewer|less|more|greater)\s+than|at\s+(?:least|most)|under|"
                    r"over|below|above|nearest|multiples?\s+of|threshold\s+of|rounded\s+to|"
                    r"minimum\s+of|maximum\s+of|up\s+to)\s*$")
_WORDS_ABOVE_TEN = re.compile(
    r"\b(?i:eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    r"nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|dozens?)\b")


def has_words(text: str) -> bool:
    """Whether a table cell or figure text is prose (holds a letter), not a number."""
    return bool(re.search(r"[A-Za-z]{2,}", text))


def _rule_values(profile: SdcProfile) -> set[int]:
    return {int(f(profile)) for f in RULE_QUANTITIES.values()}


def prose_findings(text: str, profile: SdcProfile | str | None = None, *,
                   where: str = "text", parameters: Iterable[Any] = ()
                   ) -> list[tuple[str, str]]:
    """``unprotected-number-in-prose`` for each number ``text`` writes outside the forms
    the module docstring lists (one finding per kind; never the number itself).

    ``parameters``: the run's parameter values; a whole number equal to one of them is
    a setting the run declared ("improved by 3 or more"), not a count.
    """
    p = get_profile(profile)
    declared = {float(v) for v in parameters
                if isinstance(v, (int, float)) and not isinstance(v, bool)}
    rules = _rule_values(p)
    visible = _FORMS.sub(" ", _HIDDEN.sub(" ", text))
    found: list[tuple[str, str]] = []
    for match in _NUMBER.finditer(visible):
        fraction = match.group(2)
        if fraction and fraction.strip(".0"):
            continue
        if _UNIT.match(visible, match.end()):
            continue
        value = int(match.group(1).replace(",", ""))
        if value in declared:
            continue
        if value in rules and _BOUND.search(visible[max(match.start() - 25, 0):
                                                    match.start()]):
            continue
        found.append((PROSE_RULE, f"a number written by hand in {where} (not a glued "
                      "key result, a date, a unit, a rule number of the profile or a "
                      "label): state it through a key result"))
        break
    if _WORDS_ABOVE_TEN.search(visible) and not found:
        found.append((PROSE_RULE, f"a number written in words in {where}: state it "
                      "through a key result"))
    return found
