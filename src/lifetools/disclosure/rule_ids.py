"""Every rule the publish gate and the disclosure checks can name, in one place.

Each rule id is a key of :data:`RULES`, with what it refuses in plain words. The
modules that report a finding take their rule ids from here (:func:`rule_id`, which
refuses an id that is not registered), and the gate's findings are checked against it
(``lifetools.pipeline.gate.notebooks.Finding``). The table of the gate's rules on the
developer page (``book/reference/disclosure-control-internals.md``, "The publish gate")
has one row per id, and the public methods page (``book/methods/disclosure-control.md``,
"The check before publication") states each rule in these plain words, with no id:
``tests/unit/test_rule_ids.py`` fails for an id the code can name that either page does
not state, a row the code cannot give, and a rule id written in the gate's or the
disclosure checks' code that is not registered.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["RULES", "rule_id"]

RULES = MappingProxyType({
    "unstamped": "a result the report showed other than through its checked tables, "
                 "charts and sentences, so no rule protected its numbers",
    "forged-stamp": "a table, chart or sentence whose mark of protection was written by "
                    "hand or changed after the report was made",
    "nhs-number": "an NHS number",
    "person-id": "a person's pseudonymous identifier",
    "date-of-birth": "a date of birth, or a column of them",
    "postcode": "a full postcode",
    "machine-path": "a folder or file path of the computer that ran the report",
    "figure-drawn-after-protection": "a chart whose data were changed after it was "
                                     "drawn and protected",
    "figure-marked-by-hand": "a chart drawn by hand and marked as protected",
    "unprotected-number-in-name": "a number in the name of a file or a key result that "
                                  "no rule protected",
    "profile-mismatch": "a table protected under other rules than its edition's",
    "acro-disagreement": "a table cell that the independent check (ACRO) flags and "
                         "these statistics would publish",
    "acro-unchecked": "a table the independent check (ACRO) was asked to check and did "
                      "not",
    "small-count": "a count of people from 1 up to the suppression threshold",
    "unrounded-count": "a count of people that was not rounded",
    "k-of-n": "a phrase \"k of n\" with a small or unrounded number",
    "unprotected-number-in-text": "a number in a key result's sentence that does not "
                                  "come from a protected value",
    "unprotected-number-in-prose": "a number typed into the text of a page that no rule "
                                   "made",
    "unprotected-number-in-table": "a number in a table that no rule protected",
    "flow-step": "a step of a participant flow that shows how many a small step left "
                 "out",
    "group-disclosure": "a table or sentence that says all or none of a group had "
                        "something, with a number beside it",
    "all-or-none-in-words": "a sentence that says all or none of a group had an "
                            "outcome, in words without a number",
    "outcome-beside-hidden-group": "an outcome shown for a group whose size is hidden",
    "rate-not-from-published-counts": "a rate, a share or an interval not worked out "
                                      "from the published counts",
    "treat-all-not-from-published-counts": "a decision curve's \"treat everyone\" line "
                                           "not worked out from the published counts",
    "linked-cell-shown": "a number shown in one table that a table it follows hides",
    "withheld-table": "a withheld table whose download still holds its values",
    "value-reason": "a table cell that says which rule hid one value",
    "unverifiable-stream": "a number the report printed other than through its checked "
                           "tables, charts and sentences",
    "unprotected-statistic": "a share, rate, mean or other statistic of people's values "
                             "that no rule made",
    "unreleased-model": "a model's estimates that were not checked for enough events "
                        "before release",
    "protected-span": "a protected number in a sentence that does not match what its "
                      "rule published",
    "row-level": "a table of individual people's records",
    "unsanctioned-file": "a file among a report's results that its checked tables, "
                         "charts and sentences did not write",
    "unreadable-file": "a report's results file that cannot be read to be checked",
    "glued-counts": "a sentence that puts two published counts together so that one is "
                    "part of the other",
    "source-notebook": "a copy of the program a report is made from, in the published "
                       "site",
    "error": "a report that stopped with an error",
})
"""Rule id -> what it refuses, in plain words (the order of the methods page's list and
the developer page's table)."""


def rule_id(name: str) -> str:
    """``name``, checked to be a registered rule id (:data:`RULES`).

    >>> rule_id("group-disclosure")
    'group-disclosure'

    Raises
    ------
    KeyError
        If ``name`` is not a rule of :data:`RULES`.
    """
    if name not in RULES:
        raise KeyError(f"{name!r} is not a rule of lifetools.disclosure.rule_ids.RULES: "
                       "register it there (with what it refuses, in plain words) and "
                       "state it on the methods page (its words) and in the developer "
                       "page's table of the gate's rules (its id)")
    return name
