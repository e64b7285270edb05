"""The sign of a published number, in a module that imports nothing from lifetools: the
disclosure package's protected texts and formatter (:mod:`lifetools.disclosure.text`,
:mod:`lifetools.formatting`) write every number with :func:`fixed`, and so do the data
dictionary's pages (:mod:`lifetools.pipeline.dictionary_pages`, written by the pipeline,
off the data's load path).
"""

from __future__ import annotations

__all__ = ["MINUS", "fixed"]

MINUS = "\u2212"
"""The sign of a negative number a reader sees: the minus sign (U+2212), which screen
readers say as "minus" and typesetting expects, not the hyphen-minus of program text.
Only published CSV files keep the hyphen-minus (``downloads.write_csv``)."""


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
