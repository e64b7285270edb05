"""All or none of a group with an outcome, said in words: group disclosure without a number.

"None of the people in the most deprived fifth had a crisis" and "Everyone referred by
team A06 was discharged" state a zero cell or a share of 100% of a group (group, or
class, disclosure: every member of the group is said to share one value) although they
hold no number, so neither the count rules nor the rule of a word for all or none
beside a count (:func:`lifetools.disclosure.text.quantified`) reads them. The rule here
(``all-or-none-in-words``) does: in one clause,

1. a **subject for all or none of a group of people**: "everyone", "everybody", "no
   one", "nobody"; "none", "not one", "neither" just before a verb; "all", "each",
   "every", "both" or "no" before a noun of people ("all users", "no Life Rooms
   users", "every person"); "all of", "none of", "each of", "both of" the, these or
   those people (or "of them"); the whole or entire group, cohort, sample; or a
   floating "all" or "both" beside the verb ("the users from Sefton all attended
   A&E", "were all admitted");
2. whose **first main verb** (the first finite verb after the subject that is not in a
   relative clause: "who", "that", "which", "whose", "whom" just before it), within
   120 characters of the subject, says an **outcome** of the project's vocabulary
   (:data:`OUTCOME_PARTICIPLES`, :data:`OUTCOME_NOUNS`, :data:`OUTCOME_VERBS`): "was
   discharged", "were admitted", "had a crisis", "had no A&E attendances", "attended
   A&E", "died", "improved", "used the Life Rooms";
3. or, with any subject, a first main verb that says none of it had an outcome ("people
   in the most deprived fifth had no crises", "were never admitted"), unless the
   subject says a part of a group, a comparison or a question (:data:`_PARTIAL`:
   "most", "some", "a fifth of", a number, "the share who" ...).

A group qualifier ("in the most deprived fifth", "referred by team A06") is not
required: "No one was admitted" says the same of the whole population a report
describes. What tells a definition of a cohort from a disclosure is the verb: "All
people referred in the period are followed until discharge", "Everyone who used the Life
Rooms was matched to two people who did not" and "Each person who died is censored" have
a first main verb that is no outcome ("are followed", "was matched", "is censored"),
and an outcome inside the relative clause that defines the group ("who used", "who
died") is part of the group, not said of it. A fact true by definition ("everyone in
the re-referral cohort was discharged") is refused too: the author states the
definition instead ("the cohort is the people discharged in the period").

Not read (deliberately; an output checker judges these): a negation without a word for
all or none ("people in the most deprived fifth did not have a crisis"), a comparison
("no more likely to be admitted", "no fewer crises"), a subject in one sentence and the
verb in the next, code cells (their comments), an outcome outside the vocabulary, and
sentences in other languages. Tested in ``tests/unit/test_all_or_none.py`` and
``tests/leaks/test_text_leaks.py``.
"""

from __future__ import annotations

import re

from lifetools.disclosure.rule_ids import rule_id

__all__ = ["ALL_OR_NONE_RULE", "OUTCOME_NOUNS", "OUTCOME_PARTICIPLES", "OUTCOME_VERBS",
           "all_or_none_clause"]

ALL_OR_NONE_RULE = rule_id("all-or-none-in-words")

PEOPLE = (r"(?:people|persons?|patients?|(?:service\s+)?users?|individuals?|men|women|"
          r"children|clients?|adults?|residents?|members?|participants?|carers?|"
          r"families|households?|students?|veterans?|respondents?|referrals?|cases?|"
          r"older\s+adults|young\s+people|those|ones?)")
"""Nouns of people (and of a person's referral or case) a word for all or none counts."""

OUTCOME_PARTICIPLES = (r"(?:admitted|re-?admitted|discharged|re-?referred|referred\s+again|"
                       r"hospitali[sz]ed|sectioned|detained|transferred|improved|"
                       r"prescribed|seen\s+(?:in|at)\s+A\s*&\s*E|taken\s+to\s+A\s*&\s*E|"
                       r"(?:a\s+)?Life\s+Rooms\s+users?)")
"""What an outcome is after "was" or "were": "was discharged", "were re-referred"."""

OUTCOME_NOUNS = (r"(?:crisis|crises|(?:emergency\s+)?(?:re-?)?admissions?|"
                 r"(?:A\s*&\s*E\s+|emergency\s+(?:department\s+)?)?(?:attendances?|visits?)|"
                 r"A\s*&\s*E|re-?referrals?|discharges?|improvements?|deaths?|"
                 r"social\s+prescriptions?|(?:Life\s+Rooms\s+)?(?:contacts?|visits?)|"
                 r"(?:meaningful\s+)?(?:change|improvement)\s+in\s+wellbeing|relapses?)")
"""What an outcome is after "had", "needed", "experienced": "had a crisis", "had no A&E
attendances"."""

OUTCOME_VERBS = (r"(?:died|improved|deteriorated|relapsed|recovered|attended|re-?attended|"
                 r"(?:used|visited|went\s+to|came\s+to)\s+the\s+Life\s+Rooms|"
                 r"went\s+to\s+A\s*&\s*E|returned)")
"""Outcomes that are verbs of their own: "died", "attended A&E", "used the Life Rooms"."""

_SUBJECT = re.compile(
    r"(?<![\w&'-])(?<!\bhad\s)(?<!\bof\s)(?<!\bamong\s)(?<!\bfor\s)(?<!\bto\s)"
    r"(?<!\bwith\s)(?<!\bby\s)(?<!\bin\s)(?:"
    r"every(?:one|body)|no[\s-]+one|nobody"
    r"|(?:not\s+(?:a\s+single\s+)?one|neither|none)(?=\s+(?:was|were|had|has|have|"
    r"got|needed|died|improved|attended|used|visited|went)\b)"
    r"|(?:all|each|every|both|no(?!\s+(?:more|fewer|less|longer|later|earlier|other|"
    r"different|one\s+else)\b))\s+(?:[\w&'-]+\s+){0,3}?" + PEOPLE +
    r"|(?:all|none|each|both|every\s+(?:single\s+)?one|not\s+one)\s+of\s+(?:them|"
    r"(?:the|these|those)\s+(?:[\w&'-]+\s+){0,3}?" + PEOPLE + r")"
    r"|the\s+(?:whole|entire)\s+(?:group|cohort|population|sample)"
    r")(?![\w&'-])", re.IGNORECASE)
"""A subject for all or none of a group of people (not the object of a preposition:
"of all 60 people, some were admitted" says a part)."""

_FLOATING = re.compile(r"(?<=[\w)]\s)(?:all|both)\s+(?=(?:was|were|had|have|has|got|"
                       r"needed|died|improved|attended|used|visited|went)\b)"
                       r"|(?<![\w-])(?:were|had|have|has)\s+(?:all|both)\s+",
                       re.IGNORECASE)
"""A word for all of a group floating beside its verb: "were all admitted", "they both
died", "the users from Sefton all attended A&E"."""

_NO_OUTCOME = re.compile(r"(?:had|has|have|got|needed|experienced)\s+(?:no(?!\s+(?:more|fewer|"
                         r"less|different|other|longer)\b)|not\s+a\s+single)\s"
                         r"|(?:was|were|has\s+been|have\s+been)\s+never\s"
                         r"|never\s+(?:had|needed|experienced|died|attended|used|visited|went)\b",
                         re.IGNORECASE)
"""A main verb that says none of its subject had the outcome: "had no crises", "were
never admitted"."""

_PARTIAL = re.compile(r"\d|%|\bmost\b(?!\s+(?:deprived|affluent|recent)\b)"
                      r"|\b(?:some|many|few|fewer|more|half|several|majority|minority|"
                      r"proportion|share|rate|number|any|part|whether|if|likely|odds|"
                      r"chance|risk)\b|\ba\s+(?:fifth|quarter|third|tenth)\b",
                      re.IGNORECASE)
"""Words in a subject that make "had no" a statement about part of a group, a
comparison or a question ("most users had no crisis", "the share who had no crisis")."""

_FINITE = re.compile(
    r"(?<![\w&'-])(?:was|were|is|are|has|have|had|did|does|do|got|needed|experienced|"
    r"became|went|came|made|received|will|would|could|can|may|might|must|should|"
    r"died|improved|deteriorated|relapsed|recovered|attended|re-?attended|used|visited|"
    r"returned|stayed|remained|lived|left)(?![\w&'-])", re.IGNORECASE)
"""The verbs a clause's main verb can start with (auxiliaries and the outcome verbs)."""

_RELATIVE = re.compile(r"(?:who|that|which|whose|whom|where|when|if|because|as|than)"
                       r"(?:\s+\w+)?\s*\Z", re.IGNORECASE)
"""A relative or subordinate word just before a verb: the verb is in the clause that
defines the group ("everyone who died"), not the main verb."""

_ADVERB = (r"(?:(?:not|never|also|then|later|subsequently|eventually|already|ever|all|"
           r"both|still|since|again|once)\s+)*")
_OUTCOME_PREDICATE = re.compile(
    rf"(?:was|were|has\s+been|have\s+been|had\s+been|got|became)\s+{_ADVERB}"
    rf"{OUTCOME_PARTICIPLES}(?![\w-])"
    rf"|(?:had|has|have|has\s+had|have\s+had|got|needed|experienced|made|received|"
    rf"went\s+on\s+to\s+have|did\s+not\s+have|didn't\s+have)\s+{_ADVERB}"
    rf"(?:(?:a|an|any|no|the|one|at\s+least\s+one|one\s+or\s+more|further|more|other|"
    rf"new|another)\s+)*(?:[\w&'-]+\s+){{0,2}}?{OUTCOME_NOUNS}(?![\w-])"
    rf"|(?:did\s+not\s+|didn't\s+|never\s+)?{_ADVERB}{OUTCOME_VERBS}(?![\w-])",
    re.IGNORECASE)
"""A main verb that says an outcome."""

_CLAUSE_END = re.compile(r"[.:!?]+(?=\s|\Z)|[;|]|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+#>]|\d+[.)])\s)")
"""Where a clause ends: a sentence's full stop, a semicolon, a colon, a table cell, a
paragraph, a list item or a heading; not a line break inside a paragraph (Markdown wraps
a sentence over lines)."""


def _first_main_verb(rest: str) -> re.Match[str] | None:
    for verb in _FINITE.finditer(rest):
        if not _RELATIVE.search(rest, 0, verb.start()):
            return verb
    return None


_REACH = 120
"""How far after its subject a main verb is read (characters): a group's qualifier
("referred by team A06 in the year to March 2025") is shorter; a verb further on
belongs to another statement of a long sentence."""


def _outcome_after(clause: str, start: int) -> bool:
    verb = _first_main_verb(clause[start:start + _REACH])
    return bool(verb and _OUTCOME_PREDICATE.match(clause, start + verb.start()))


def all_or_none_clause(text: str) -> str:
    """The first clause of ``text`` that says all or none of a group had an outcome, in
    words (the module's rule); "" when none does.

    >>> all_or_none_clause("None of the people in the most deprived fifth had a crisis.")
    'None of the people in the most deprived fifth had a crisis'
    >>> all_or_none_clause("All people referred in the period are followed until discharge.")
    ''
    """
    for clause in _CLAUSE_END.split(text):
        for subject in _SUBJECT.finditer(clause):
            if _outcome_after(clause, subject.end()):
                return clause.strip()
        for floating in _FLOATING.finditer(clause):
            at = floating.start() if floating.group(0)[:1].lower() in "wh" else floating.end()
            if _OUTCOME_PREDICATE.match(clause, at):
                return clause.strip()
        verb = _first_main_verb(clause)
        if verb and _NO_OUTCOME.match(clause, verb.start()) \
                and _OUTCOME_PREDICATE.match(clause, verb.start()) \
                and not _PARTIAL.search(clause, 0, verb.start()):
            return clause.strip()
    return ""
