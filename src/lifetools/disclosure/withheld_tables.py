"""A table whose every value is withheld: shown as one sentence, its download kept.

A model table whose every model a release check withheld (too few events, ``[c]``, or a
fit that gave no number, ``[x]``) showed a grid of ``[x]`` under a note saying why: the re-referral page
at 3,000 people showed two such grids (issues 12 and 15, wave 38). The page shows,
in the table's place, its caption and one sentence naming its rows and the reasons
(:func:`lifetools.disclosure.downloads.withheld_table_sentence`), through
:func:`lifetools.tables.show_table`, the one place that decides it
(:func:`withheld_entirely`). The download is still written, ``[c]`` or ``[x]`` in each
withheld cell and the note in ``notes.txt``, as the Government Statistical Service asks of a
machine-readable table (one file per table, every edition: a program reading the
series finds the same files and columns).

The publish gate verifies it, not trusts it: a sealed table output that shows no table
has its text read by the rules of prose (:mod:`lifetools.pipeline.gate.outputs`), and
its download must be a table whose every value is withheld (:data:`WITHHELD_TABLE_RULE`,
:func:`withheld_table_findings`): a sentence cannot stand for a table whose numbers the
download publishes. Tested in ``tests/unit/test_disclosure_withheld.py`` and
``tests/leaks/test_cell_leaks.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from lifetools.disclosure.downloads import NOT_AVAILABLE, SUPPRESSED
from lifetools.disclosure.prose import has_words
from lifetools.disclosure.rule_ids import rule_id

__all__ = ["WITHHELD_TABLE_RULE", "row_names", "withheld_entirely",
           "withheld_table_findings"]

WITHHELD_TABLE_RULE = rule_id("withheld-table")
"""The publish gate's rule: a page shows a sentence in place of a table whose download
holds a value that is not withheld."""

_EMPTY = ("", NOT_AVAILABLE, SUPPRESSED)
_WITHHELD = (NOT_AVAILABLE, SUPPRESSED)
"""The marks of a withheld model's cells: ``[c]`` when the model release rule withheld
it (too few events, people or residual degrees of freedom), ``[x]`` when its fit gave
no number (:func:`lifetools.disclosure.downloads.hidden_mark`, wave 42)."""


def _labels(rows: Sequence[Sequence[str]]) -> int:
    """How many leading columns are row labels: every cell words, none a symbol."""
    width = min((len(row) for row in rows), default=0)
    count = 0
    while count < width and all(
            has_words(str(row[count])) and str(row[count]).strip() not in
            (NOT_AVAILABLE, SUPPRESSED) for row in rows):
        count += 1
    return count


def withheld_entirely(rows: Sequence[Sequence[str]]) -> bool:
    """Whether every value cell of a table is withheld: past its row labels (its
    leading columns of words), every cell is ``[c]``, ``[x]`` or empty, and one at
    least is ``[c]`` or ``[x]``. The cells as a page or a download shows them (text):
    such a table publishes no number. :func:`lifetools.tables.show_table` shows it as a
    sentence only when every row is a withheld model's (its reason recorded), so a
    table of counts all hidden as ``[c]`` stays a table.

    >>> withheld_entirely([["Cox", "Life Rooms use", "[x]", "[x]", ""]])
    True
    >>> withheld_entirely([["Cox", "Life Rooms use", "[c]", "[c]", ""]])
    True
    >>> withheld_entirely([["Cox", "Life Rooms use", "0.81 (0.6 to 1.1)", "[x]"]])
    False
    >>> withheld_entirely([["Cox", "120", "[x]"]])  # a count is a value, not a label
    False
    """
    rows = [[str(cell).strip() for cell in row] for row in rows]
    if not rows:
        return False
    labels = _labels(rows)
    values = [cell for row in rows for cell in row[labels:]]
    return bool(values) and all(cell in _EMPTY for cell in values) \
        and any(cell in _WITHHELD for cell in values)


def row_names(rows: Sequence[Sequence[str]]) -> list[str]:
    """The words of a table's first column, once each, in order (the rows a sentence
    standing for the table names); none when that column is no row label (a column of
    ``[x]``: the calibration tables' predicted risks)."""
    if not _labels(rows):
        return []
    return list(dict.fromkeys(str(row[0]).strip() for row in rows if row))


def withheld_table_findings(rows: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """``withheld-table``: the download of a table a page shows as a sentence (every
    value withheld) holds a value that is not withheld. The detail names no value."""
    if withheld_entirely(rows):
        return []
    return [(WITHHELD_TABLE_RULE, "the page shows a sentence in place of this table "
             "(every value withheld), but its download holds a value that is not "
             f"withheld ({NOT_AVAILABLE} or {SUPPRESSED}): show the table, so its cells are checked "
             "where they are read")]
