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
shown only as a released or protected number. Tested in ``tests/leaks/test_author_leaks.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from lifetools.disclosure.downloads import label_columns
from lifetools.disclosure.protected import PROTECTED_ROLES, ProtectedTable
from lifetools.errors import DisclosureError
from lifetools.labels import TERMS, column_label

__all__ = ["MODEL_COLUMNS", "MODEL_PHRASES", "STATISTIC_RULE", "STATISTIC_WORDS", "names_statistic",
           "require_no_loose_statistics"]

MODEL_COLUMNS = ("estimate", "se")
"""A model summary's columns (:data:`lifetools.disclosure.models.ESTIMATE_COLUMNS`)
that only a released model shows (interval limits are also a rate's or a curve's,
p-values also a test's: the proportional-hazards test)."""

STATISTIC_RULE = "unprotected-statistic"

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


def _has_numbers(values: Iterable[Any]) -> bool:
    return any(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
               and v == v for v in values)


def require_no_loose_statistics(table: ProtectedTable, *, name: str) -> ProtectedTable:
    """Refuse a table that shows a statistic or a model's numbers no rule released.

    A column whose header names a statistic of people's values (:func:`names_statistic`)
    or a row whose label does, over numbers in a column that no disclosure rule made
    (roles count, share, rate, magnitude), is refused; so is a model-summary column
    (a coefficient or its standard error)
    that :func:`~lifetools.disclosure.model_release` did not release (events per level,
    convergence, degenerate intervals unchecked): :data:`MODEL_COLUMNS`.

    Raises
    ------
    DisclosureError
        Naming the table and the column (never a value).
    """
    frame, record = table.frame, table.record
    labels = set(label_columns(frame))
    loose = [c for c in list(frame.columns)[1:] if c not in labels and
             record.role(c) not in PROTECTED_ROLES]
    for column in loose:
        if column in MODEL_COLUMNS and record.role(column) != "estimate":
            raise DisclosureError(
                f"table {name!r}: column {column!r} holds a model's numbers that "
                "lt.disclosure.model_release did not release",
                hint="show them with lt.tables.table_estimates(release.estimates(...))")
        word = names_statistic(_header(column))
        if word and _has_numbers(frame[column].tolist()):
            raise DisclosureError(
                f"table {name!r}: column {column!r} names a statistic of people's values "
                f"({word!r}) that no disclosure rule made",
                hint="derive it with lt.disclosure (share, rate, protect_magnitudes)")
    if len(frame.columns) and loose:
        for row, first in enumerate(frame[frame.columns[0]].tolist()):
            word = names_statistic(first)
            if word and _has_numbers(frame.iloc[row][loose].tolist()):
                raise DisclosureError(
                    f"table {name!r}: row {row + 1} is labelled with a statistic of "
                    f"people's values ({word!r}) beside a number no disclosure rule made",
                    hint="derive it with lt.disclosure (share, rate, protect_magnitudes)")
    return table


def _header(column: Any) -> str:
    try:
        return column_label(column)
    except ValueError:  # a machine name without a label: show_table refuses it later
        return str(column)
