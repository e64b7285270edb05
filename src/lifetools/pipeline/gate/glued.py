"""The gate's rule for counts glued into one sentence (rule ``glued-counts``, issue 12).

A report page's Markdown quotes key results by glue roles (``{glue:text}`name```). A
sentence the library makes from several counts is checked where it is made: the pair
and group rules read it whole (:func:`lifetools.disclosure.compose`,
:mod:`lifetools.disclosure.group_counts`). A sentence an author types around two or
more glued counts ("{users} people used the Life Rooms; {users_in_care} of the Life
Rooms users were ...", "{group} people completed it when they started and {part}
completed it again later") is read whole by no rule: what one count says of the
other is in the author's words, and "0 completed it again" beside a hidden group
passed every count rule (wave 28). The gate reads each Markdown sentence with the
glued texts in place, as the page shows it, and refuses one that holds counts from two
or more glued key results; the hint says to glue a sentence the report makes.

A glued text is verified as it reads on the page, not as its maker labelled it
(:func:`glued_text_findings`): the author's words around it can make any of its
numbers a count of people ("{glue:text}`sample_size` people used the Life Rooms" reads
a parameter as "1,275 people ..."), or one side of a "k of n", whatever the key
result's stamp calls it. Until wave 43 the Markdown was read with the glue roles in
place of the texts, and such a sentence passed every rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lifetools.disclosure import SdcProfile
from lifetools.disclosure.rule_ids import rule_id
from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.run_record import author_numbers
from lifetools.publication import STAMP_KEY

__all__ = ["GLUED_RULE", "GLUE_ROLE", "glued_count_findings", "glued_counts",
           "glued_text_findings"]

GLUED_RULE = rule_id("glued-counts")
GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([^`]+)`")
"""A MyST glue role quoting a key result by name (``{glue}`` or ``{glue:text}``)."""
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u2019)\]]*\s+|\n\s*\n|\n\s*(?:[-*+#]|\d+\.)\s")
"""Where a sentence of the page ends: after its full stop (and a closing quote or
bracket) at a space, at a blank line, or where a list item or heading starts."""


def glued_counts(nb: Any) -> dict[str, tuple[str, int]]:
    """Each glued key result of an executed notebook: its name, the text the page shows
    and how many protected counts the text holds (the count spans its stamp records;
    a glued output that is not a stamped key result counts as none here, and is refused
    by the output rules)."""
    found: dict[str, tuple[str, int]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            metadata = output.get("metadata", {})
            name = (metadata.get("scrapbook") or {}).get("name")
            mark = metadata.get(STAMP_KEY)
            if not name or not isinstance(mark, dict):
                continue
            spans = mark.get("spans") or []
            counts = sum(1 for span in spans if isinstance(span, Mapping)
                         and span.get("kind") == "count")
            found[str(name)] = (str(output.get("data", {}).get("text/plain", "")), counts)
    return found


def _page_text(source: str, glued: Mapping[str, tuple[str, int]]
               ) -> tuple[str, list[tuple[int, int, str]]]:
    """``source`` with each glue role replaced by its glued text, and where each counted
    glued text lies in it (start, end, name)."""
    parts, places, at, position = [], [], 0, 0
    for match in GLUE_ROLE.finditer(source):
        before = source[at:match.start()]
        parts.append(before)
        position += len(before)
        name = match.group(1)
        text, counts = glued.get(name, (match.group(0), 0))
        parts.append(text)
        if counts:
            places.append((position, position + len(text), name))
        position += len(text)
        at = match.end()
    parts.append(source[at:])
    return "".join(parts), places


def glued_count_findings(nb: Any) -> list[tuple[int, str, str]]:
    """``(cell, rule, detail)`` for each Markdown sentence of ``nb`` that holds counts
    from two or more glued key results (cells numbered as their author sees them)."""
    glued = glued_counts(nb)
    found: list[tuple[int, str, str]] = []
    for number, cell in zip(author_numbers(nb.cells), nb.cells, strict=True):
        if cell.get("cell_type") != "markdown":
            continue
        text, places = _page_text(str(cell.get("source", "")), glued)
        if len(places) < 2:
            continue
        start = 0
        for end in [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
            names = list(dict.fromkeys(name for a, b, name in places
                                       if a < end and b > start))
            if len(names) >= 2:
                found.append((number, GLUED_RULE, (
                    f"a Markdown sentence holds counts from {len(names)} glued key "
                    f"results ({', '.join(names)}): what the words around them say "
                    "one count is of the other (a part of its group, none or all of "
                    "it) is checked by no rule; glue one sentence the report makes "
                    "from the counts instead (lifetools.disclosure.group_counts)")))
            start = end
    return found


def _prose_findings(text: str, profile: SdcProfile) -> rules.Found:
    return (rules.counted_findings(text, profile) + rules.kofn_findings(text, profile)
            + rules.all_or_none_findings(text, profile))


def glued_text_findings(nb: Any, profile: SdcProfile) -> list[tuple[int, str, str]]:
    """``(cell, rule, detail)`` for each Markdown cell of ``nb`` whose text as the page
    shows it, each glued key result's text in place of its glue role, holds a count of
    people, a "k of n" or a word for all or none of a group that the profile refuses
    and the cell's own words do not (those the cell scan names already): the rules of
    prose read across the glued text and the words around it (cells numbered as their
    author sees them)."""
    glued = glued_counts(nb)
    found: list[tuple[int, str, str]] = []
    for number, cell in zip(author_numbers(nb.cells), nb.cells, strict=True):
        source = str(cell.get("source", ""))
        if cell.get("cell_type") != "markdown" or not GLUE_ROLE.search(source):
            continue
        text, _places = _page_text(source, glued)
        own = set(_prose_findings(source, profile))
        for rule, detail in dict.fromkeys(_prose_findings(text, profile)):
            if (rule, detail) not in own:
                found.append((number, rule, "with its glued key results in place: "
                              f"{detail} (the words around a glued text make what it "
                              "is; glue a sentence the report makes instead)"))
    return found
