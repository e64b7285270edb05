"""Words that name a statistic of people's values: what only a disclosure rule may make.

A share, a rate, a mean, a median, a total, a standard deviation or an extreme (the
youngest, the oldest, the minimum, the maximum, the range) computed over people is
disclosive on its own terms: a share of a small denominator gives the count back, a
mean or median over fewer than the magnitude threshold describes those few people,
and an extreme is one person's value. The library makes these numbers only through
:mod:`lifetools.disclosure` (shares and rates from published counts, magnitudes under
the threshold and dominance rules), which records the column or the key result as
protected. A column header, a row label or a key result's label that names such a
statistic, over numbers no rule protected, is refused: at source by
:func:`lifetools.tables.show_table` and :func:`lifetools.publication.record`, and by
the publish gate (``unprotected-statistic``). An extreme is never published.

Phrases that name a model's estimate or an interval ("rate ratio", "mean difference",
"95% CI", "percentile bootstrap") or say what an estimate means ("too high or too low
on average": the words of :data:`lifetools.labels.TERMS`) are not statistics of
people's values and are left out before matching (:data:`MODEL_PHRASES`). "Mean
change", "on average", "average", "typical" and "cumulative incidence" are
(:data:`STATISTIC_WORDS`): a model's mean change or a curve's cumulative incidence is
shown only as a released or protected number.

The rule has one owner, :func:`statistic_findings`, reading each cell with
:func:`lifetools.disclosure.cells.cell_numbers` (a number, or digits in a text): the
gate runs it on what a page and a download show, and
:func:`require_no_loose_statistics` on the same cells before ``show_table`` shows
them, so the two cannot disagree. Tested in ``tests/leaks/test_author_leaks.py`` and
``tests/leaks/test_statistic_agreement.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd

from lifetools.disclosure.cells import shows_number
from lifetools.disclosure.downloads import header_rules, shown_frame
from lifetools.disclosure.protected import ProtectedTable
from lifetools.disclosure.rule_ids import rule_id
from lifetools.errors import DisclosureError
from lifetools.labels import TERMS, column_label

__all__ = ["MODEL_COLUMNS", "MODEL_PHRASES", "STATISTIC_RULE", "STATISTIC_WORDS",
           "names_statistic", "require_no_loose_statistics", "shielded_headers",
           "statistic_findings"]

MODEL_COLUMNS = ("estimate", "se")
"""A model summary's columns (:data:`lifetools.disclosure.models.ESTIMATE_COLUMNS`)
that only a released model shows (interval limits are also a rate's or a curve's,
p-values also a test's: the proportional-hazards test)."""

STATISTIC_RULE = rule_id("unprotected-statistic")

MODEL_PHRASES = (
    r"(?:rate|mean|odds|hazard|risk|incidence|sub-?distribution)\s+(?:ratio|difference)s?",
    r"differences?\s+in\s+(?:the\s+)?means?",
    r"\d+\s*%\s*(?:confidence\s+)?(?:CI|interval|limit|bound)s?",
    r"percentile\s+bootstrap", r"pooled\s+standard\s+deviation")
"""Phrases that name a model's estimate or an interval, not a statistic of people's
values: left out before matching (with the plain words of every technical term,
:data:`lifetools.labels.TERMS`, which say what an estimate means: "too high or too
low on average")."""

STATISTIC_WORDS = (
    r"%", r"per\s*cent", r"percentages?", r"proportions?", r"shares?", r"rates?",
    r"means?", r"mean\s+changes?", r"averages?", r"averaged", r"on\s+average",
    r"typical(?:ly)?", r"medians?", r"quartiles?", r"percentiles?", r"inter-?quartile",
    r"IQR", r"standard\s+deviations?", r"SD", r"variances?", r"min(?:imum)?",
    r"max(?:imum)?", r"ranges?", r"youngest", r"oldest", r"highest", r"lowest",
    r"earliest", r"latest", r"totals?", r"sums?", r"cumulative\s+incidences?",
    r"cumulative\s+(?:risk|probabilit(?:y|ies)|shares?)", r"incidences?",
    r"prevalences?")
"""The words that name a statistic of people's values, in one place: a share, a
rate, a mean (a mean change, "on average", "typical"), a median or other quantile,
a spread, an extreme, a total, a cumulative incidence or risk. A model's estimate
under these words (the mean change of a released model, a curve's cumulative
incidence) is shown only as released (``estimate`` columns of
:func:`~lifetools.disclosure.model_release`) or protected (a rule's share, rate or
magnitude)."""

_NOT_STATISTICS = re.compile(
    "|".join([*(rf"\b{p}\b" for p in MODEL_PHRASES),
              *(re.escape(words) for words in sorted(TERMS.values(), key=len,
                                                     reverse=True))]),
    re.IGNORECASE)
_STATISTIC = re.compile(
    "%|" + r"\b(?:" + "|".join(sorted(STATISTIC_WORDS[1:], key=len, reverse=True))
    + r")\b", re.IGNORECASE)


def names_statistic(text: object) -> str | None:
    """The word of ``text`` that names a statistic of people's values, or None.

    >>> names_statistic("Oldest age"), names_statistic("Hazard ratio (95% CI)")
    ('Oldest', None)
    """
    words = _NOT_STATISTICS.sub(" ", str(text))
    match = _STATISTIC.search(words)
    return match.group(0) if match else None


_LETTER = re.compile(r"[^\W\d_]")
"""A letter (of any alphabet): a cell holding one has words."""


def statistic_findings(head: list[str], rows: list[list[Any]], *, shielded: set[str],
                       spans: Collection[tuple[int, str]] = frozenset(),
                       words: list[str] | None = None) -> list[tuple[str, str]]:
    """``unprotected-statistic``: a header or row label naming a statistic of people's
    values over a number in a column no rule protected.

    ``head``: the headers as the page shows them; ``rows``: the cells (as shown, or as
    downloaded); ``shielded``: headers of counts, of columns a rule made and of label
    columns; ``spans``: (row, header) of cells that are protected texts; ``words``:
    other names of each column read as well (a download's own header beside the
    page's words for it), so that neither hides a statistic. A cell holds a number
    when :func:`lifetools.disclosure.cells.cell_numbers` reads one in it: a number, or
    digits in a text ("12.3 (10.1 to 14.5)").

    The one owner of the rule: the publish gate calls it on a sealed table's page and
    download (:mod:`lifetools.pipeline.gate.tables`, :mod:`lifetools.pipeline.gate.files`),
    and :func:`require_no_loose_statistics` on the same cells before they are shown.
    """
    found: list[tuple[str, str]] = []
    loose = [i for i, name in enumerate(head) if i > 0 and name not in shielded]
    for i in loose:
        word = names_statistic(head[i]) or (
            names_statistic(str(words[i]).replace("_", " ")) if words and i < len(words)
            else None)
        if word and any(i < len(row) and (n, head[i]) not in spans and
                        shows_number(row[i]) for n, row in enumerate(rows)):
            found.append((STATISTIC_RULE, f"column {head[i]!r} names a statistic of "
                          f"people's values ({word!r}) that no disclosure rule made: "
                          "derive it with lt.disclosure (share, rate, magnitudes)"))
    for n, row in enumerate(rows):
        # a first cell of no words is a value, not a label naming a statistic: a
        # decision curve's risk threshold in per cent ("10.0%", wave 41) read as a
        # row labelled with a share
        word = names_statistic(row[0]) if row and _LETTER.search(str(row[0])) else None
        if word and any(i < len(row) and (n, head[i]) not in spans and
                        shows_number(row[i]) for i in loose):
            found.append((STATISTIC_RULE, f"row {n + 1} is labelled with a statistic of "
                          f"people's values ({word!r}) beside a number no disclosure "
                          "rule made: derive it with lt.disclosure (share, rate, "
                          "magnitudes)"))
            break
    return found


def shielded_headers(rules: Mapping[str, Any], head: Sequence[str]) -> set[str]:
    """The headers a table's stamp shields from :func:`statistic_findings`: its counts,
    the columns a rule made, a model's numbers :func:`~lifetools.disclosure.
    model_release` released (``estimate_headers``: a curve's cumulative incidence),
    its label columns and its first column (``rules``: what
    :func:`lifetools.disclosure.downloads.header_rules` records).

    A label column is a leading column of text; a column of medians written as text
    ("42.0 (30.0 to 55.0)" under "median (quartiles)") is text too, and was shielded
    as a label until wave 36 (issue 12): a label column whose header names a statistic
    is not shielded, so its numbers must come from a rule."""
    labels = [h for h in rules.get("label_headers", []) if not names_statistic(h)]
    return {*rules.get("count_headers", []), *rules.get("protected_headers", []),
            *rules.get("estimate_headers", []), *labels, *head[:1]}


def require_no_loose_statistics(table: ProtectedTable, *, name: str,
                                words: pd.DataFrame | None = None,
                                spans: Collection[tuple[int, str]] = frozenset()
                                ) -> ProtectedTable:
    """Refuse, before it is shown, a table the publish gate would refuse as a
    statistic or a model's numbers no rule released.

    The statistic rule is :func:`statistic_findings`, the gate's own, run on the cells
    the gate will read: the page's (``words``: the shown cells under the page's
    headers, as :func:`lifetools.tables.show_table` renders them; by default the
    download's cells under the headers' labels) and the download's (its cells, read
    under the page's headers and its own). So a column headed by a statistic ("Mean
    score") holding a number or a text with digits ("12.3 (10.1 to 14.5)"), or a row
    labelled with one beside such a cell, is refused here as at the gate. A
    model-summary column (a coefficient or its standard error) that
    :func:`~lifetools.disclosure.model_release` did not release is refused too
    (:data:`MODEL_COLUMNS`).

    Raises
    ------
    DisclosureError
        Naming the table, the column (or row) and the rule (never a value).
    """
    frame, record = table.frame, table.record
    for column in list(frame.columns)[1:]:
        if column in MODEL_COLUMNS and record.role(column) != "estimate":
            raise DisclosureError(
                f"table {name!r}: column {column!r} holds a model's numbers that "
                "lt.disclosure.model_release did not release",
                hint="show them with lt.tables.table_estimates(release.estimates(...))")
    download = shown_frame(table)
    machine = [str(c) for c in download.columns]
    head = [_header(c) for c in download.columns]
    page = download if words is None else words
    page_head = head if words is None else [str(c) for c in words.columns]
    shielded = shielded_headers(header_rules(table), page_head)
    found = statistic_findings(page_head, page.astype(str).values.tolist(),
                               shielded=shielded, spans=spans)
    found += statistic_findings(head, download.values.tolist(),
                                shielded=shielded_headers(header_rules(table), head),
                                words=machine)
    if found:
        rule, detail = found[0]
        raise DisclosureError(f"table {name!r}: {detail} (rule {rule!r})",
                              hint="derive it with lt.disclosure (share, rate, "
                                   "protect_magnitudes)")
    return table


def _header(column: Any) -> str:
    try:
        return column_label(column)
    except ValueError:  # a machine name without a label: show_table refuses it later
        return str(column)
