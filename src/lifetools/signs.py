"""The sign of a published number (and the places of a confidence limit, so that it keeps
its side of the null: :func:`bound_places`), in a module that imports nothing from lifetools: the
disclosure package's protected texts and formatter (:mod:`lifetools.disclosure.text`,
:mod:`lifetools.formatting`) write every number with :func:`fixed`, and so do the data
dictionary's pages (:mod:`lifetools.pipeline.dictionary_pages`, written by the pipeline,
off the data's load path).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

__all__ = ["BOUND_DIGITS_LIMIT", "MINUS", "bound_places", "finite", "fixed", "places_avoiding"]

MINUS = "\u2212"
"""The sign of a negative number a reader sees: the minus sign (U+2212), which screen
readers say as "minus" and typesetting expects, not the hyphen-minus of program text.
Only published CSV files keep the hyphen-minus (``downloads.write_csv``)."""
BOUND_DIGITS_LIMIT = 4
"""Most decimal places a confidence limit gets to keep it off the no-difference value."""


def fixed(number: float, digits: int, percent: bool = False) -> str:
    """Write a number to ``digits`` places with thousands separators: "1,234.50", "−0.23".

    The one place a published number gets its sign: a negative number is written with
    the minus sign :data:`MINUS`, and one that rounds to zero ("-0.00") is zero, with no
    sign (a rounded-away sign is not a finding). ``lifetools.formatting`` formats with
    it, and so does every protected text's span (:func:`_render`, the gate's re-render).

    Notes
    -----
    Checked by ``tests/unit/test_formatting.py`` (``test_format_*_minus_sign*``).
    """
    text = f"{number:,.{digits}f}"
    if text.startswith("-"):
        # "-0.00" is zero; any other negative number gets the minus sign
        text = MINUS + text[1:] if any(c in "123456789" for c in text) else text[1:]
    return f"{text}%" if percent else text


def bound_places(value: float, *, digits: int, null: float | None,
                 limit: int = BOUND_DIGITS_LIMIT) -> int:
    """Decimal places for a confidence limit, so that it never reads as the null value.

    A limit that is not the no-difference value ``null`` but rounds onto it at
    ``digits`` places (1.004 for a ratio: "1.00") gets the fewest extra places, up to
    ``limit``, that keep it on its true side ("1.004"). When even ``limit`` places
    round onto ``null`` (or ``null`` is ``None``, or the limit is ``null``), ``digits``.

    Notes
    -----
    Rounding is monotone, so a shown limit that differs from ``null`` is on the same
    side of it as the limit itself: :func:`lifetools.formatting.verdict` reads the
    shown limits and can never contradict them. Here, beside :func:`fixed`, because
    the protected texts (:mod:`lifetools.disclosure.text`) write limits with it too
    and :mod:`lifetools.formatting`, which re-exports it, imports that package. Checked by ``tests/unit/test_formatting.py``
    (``test_bound_places_*``).
    """
    if null is None or value == null:
        return digits
    for places in range(digits, max(digits, limit) + 1):
        if float(f"{value:.{places}f}") != null:
            return places
    return digits


def places_avoiding(value: float, *avoid: float | None, digits: int,
                    limit: int = BOUND_DIGITS_LIMIT) -> int:
    """Decimal places for ``value`` so that it reads as none of the values in ``avoid``.

    A confidence limit read against several values (the no-difference value and the
    stated limits of a check: a calibration slope's 1, 0.8 and 1.2) must not round onto
    any of them, or it is read on the wrong side of one: 0.7966 is "0.80" at 2 places,
    the stated limit 0.8 itself, beside a verdict that its interval reaches beyond it.
    The fewest places from ``digits`` (up to ``limit``) that keep ``value`` off every
    value of ``avoid``: :func:`bound_places` against each, the most of them
    (``places_avoiding(0.7966, 1.0, 0.8, 1.2, digits=2)`` is 3, "0.797"). A value of
    ``avoid`` that is ``None``, or ``value`` itself, or one ``value`` rounds onto even
    at ``limit`` places asks for no extra places (:func:`bound_places`); with no value
    to avoid, ``digits``.

    Notes
    -----
    Rounding is monotone, so when each value of ``avoid`` has no more than ``digits``
    decimal places (a stated limit as it was set: 0.8, 1.25) the value shown differs
    from every one of them written at the same places, on its own side of it. Replaces
    the drift verdict's own helper (:func:`lifetools.prediction.drift.drift_check`); here beside :func:`bound_places`, so that the protected texts and the downloads (:mod:`lifetools.disclosure`, which :mod:`lifetools.formatting` imports) write limits by it too; :mod:`lifetools.formatting` re-exports it. Known answers and a property
    test in ``tests/unit/test_formatting.py`` (``test_places_avoiding_*``).
    """
    return max((bound_places(value, digits=digits, null=edge, limit=limit)
                for edge in avoid), default=digits)


def finite(value: Any) -> float | None:
    """Return ``value`` as a float, or ``None`` when it is missing or not finite.

    Booleans and strings are not numbers here (``None`` too). The one reading of "is
    this a finite number" for the formatter (:func:`lifetools.formatting.finite`
    re-exports it), the protected texts and the settings a parameter may name.
    """
    if value is None or isinstance(value, (bool, str, bytes)):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        try:
            value = value.item()  # numpy scalar
        except (ValueError, TypeError):
            return None
    if not isinstance(value, Real):
        return None  # pd.NA, pd.NaT, objects
    number = float(value)
    return number if math.isfinite(number) else None
