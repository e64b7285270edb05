"""A hyphen-minus typed where the pages write the minus sign, in a table cell (#15).

The pages write a negative number with the minus sign U+2212 ("−0.23",
:func:`lifetools.disclosure.text.fixed`, what screen readers read as "minus") and a
range of numbers in words ("101 to 120", as every interval). Hand-typed tables (the
methods pages' Markdown tables) and any table cell of a built page are checked with
:func:`typed_minus_signs`: by ``tests/unit/test_method_pages.py`` over the book's
sources and ``tests/functional/test_site_pages.py`` over every built page.
"""

from __future__ import annotations

import re

#: A hyphen-minus in a sign's place: before a number, not inside a word, code name,
#: date or another number ("x-1", "2024-04-01", "1e-9" are not signs).
SIGN = re.compile(r"(?<![\w.)\]}/-])-(?=\.?\d)")
#: Two numbers joined by a hyphen-minus ("101-120"), not part of a longer name, path
#: or date (the look-arounds), a version ("survival 3.5-3"), a financial year or
#: edition ("2023-24") or a quoted label ("18-24").
RANGE = re.compile(r"(?<![\w.\-/])(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)(?![\w.\-/])")
KEPT = re.compile(r'[A-Za-z]+ \d+\.\d+-\d+|\b(?:19|20)\d\d-\d\d\b|"[^"]*"|“[^”]*”')
CODE = re.compile(r"`[^`]*`")


def typed_minus_signs(cell: str) -> list[str]:
    """Each hyphen-minus in ``cell`` (text, code spans removed) used as a minus sign or
    to join a range of numbers, with the text around it."""
    kept = [m.span() for m in KEPT.finditer(cell)]
    found = [m.start() for m in SIGN.finditer(cell)]
    found += [m.end(1) for m in RANGE.finditer(cell)
              if not any(a <= m.start() < b for a, b in kept)]
    return [cell[max(at - 20, 0):at + 12] for at in sorted(found)]


def markdown_table_cells(text: str) -> list[tuple[int, str]]:
    """The table rows of a Markdown page (line number, row without its code spans)."""
    return [(number, CODE.sub("", line))
            for number, line in enumerate(text.splitlines(), 1)
            if line.lstrip().startswith("|")]
