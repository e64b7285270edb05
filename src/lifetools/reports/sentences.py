"""One sentence per published result: its value, interval and verdict, or why not shown.

A page never puts a number that may be missing inside fixed words ("changed by could
not be estimated points"): every result that can fail to be estimated or be withheld by
disclosure control reaches the Markdown of a report as a whole sentence made here, from
what was computed. Numbers are formatted by :func:`lifetools.formatting.format_value`
and verdicts chosen by :func:`lifetools.formatting.verdict` (rules:
``book/methods/verdicts.md``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from lifetools.disclosure import ProtectedValue
from lifetools.formatting import finite, format_bounds, format_value, verdict

__all__ = ["plain_reason", "result_sentence"]

_PREFIXES = ("could not be estimated:", "not estimable:", "withheld:")


def plain_reason(reason: str, labels: Mapping[str, str] | None = None) -> str:
    """The first reason of a list, in short words, with model terms as labels.

    "could not be estimated: exposed: did not converge; female: ..." reads
    "did not converge (Life Rooms use)": a page gives one reason; the model's table and
    its notes give them all.
    """
    text = str(reason).strip()
    for prefix in _PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix):].strip()
    first = _first_clause(text).strip().rstrip(".")
    term, sep, rest = first.partition(": ")
    if sep and " " not in term.strip():
        name = (labels or {}).get(term.strip(), term.strip().replace("_", " "))
        first = f"{rest} ({name})"
    return first or "the fit did not give an estimate"


def _first_clause(text: str) -> str:
    """Text up to the first ";" outside brackets."""
    depth = 0
    for at, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            return text[:at]
    return text


def _degenerate(estimate: float, low: float | None, high: float | None,
                ratio: bool) -> bool:
    if low is None or high is None:
        return True
    if not low <= estimate <= high or low == high:
        return True
    return ratio and (low <= 0 or math.isinf(high))


def result_sentence(
    value: Any,
    *,
    kind: str,
    found: str,
    missing: str,
    interval: Sequence[Any] | None = None,
    reason: str = "",
    judge: Mapping[str, Any] | None = None,
    digits: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """State one result in a sentence, or say plainly why it is not shown.

    Parameters
    ----------
    value
        The estimate (a number, or a :class:`~lifetools.disclosure.ProtectedValue` for
        shares, rates and means; its own interval is used when ``interval`` is None).
    kind
        How the value is written (:func:`~lifetools.formatting.format_value`):
        ``ratio``, ``estimate``, ``percentage``, ``rate``.
    found
        The sentence when the value can be shown; may use ``{value}``, ``{interval}``
        ("0.83 to 1.71") and ``{verdict}``.
    missing
        The subject of the sentence when it cannot ("The rate ratio for emergency
        admissions"): "<missing> could not be estimated: <reason>." or "<missing> is
        not shown: <reason>." (withheld by disclosure control).
    interval
        The 95% confidence limits, if the value has them. A ratio whose interval is
        missing, reaches 0 or infinity, or does not contain the estimate is not shown.
    reason
        Why the fit could not be estimated (its ``reason``); wins over the numbers.
    judge
        For ``{verdict}``: ``null`` (the no-difference value), ``above`` and ``below``
        (the words for an interval wholly above or below it), optionally ``events``.
    digits
        Decimal places, overriding the kind's default.
    labels
        Model term names to words, for the reason.

    Notes
    -----
    Checked by ``tests/unit/test_sentences.py``; used for every result a report's
    Markdown quotes (``tests/unit/test_key_result_names.py`` checks that Markdown
    quotes no bare estimate, interval or share).
    """
    if reason:
        return f"{missing} could not be estimated: {plain_reason(reason, labels)}."
    number = value
    if isinstance(value, ProtectedValue):
        if value.suppressed:
            why = plain_reason(value.reason, labels) if value.reason else \
                "hidden to protect privacy"
            return f"{missing} is not shown: {why}."
        number = value.value
        interval = value.interval if interval is None else interval
    estimate = finite(number)
    if estimate is None:
        return f"{missing} could not be estimated in this edition."
    bounds = ""
    if interval is not None:
        low, high = (finite(v) for v in interval)
        if _degenerate(estimate, low, high, ratio=kind == "ratio"):
            return (f"{missing} could not be estimated: its confidence interval is "
                    "missing, infinite or of no width.")
        bounds = format_bounds(low, high, kind=kind, digits=digits)
    words = ""
    if judge is not None:
        limits = interval if interval is not None else (math.nan, math.nan)
        extra = {"events": judge["events"]} if "events" in judge else {}
        words = verdict(estimate, limits[0], limits[1], null=judge["null"],
                        above=judge["above"], below=judge["below"], **extra)
    return found.format(value=format_value(estimate, kind=kind, digits=digits),
                        interval=bounds, verdict=words)
