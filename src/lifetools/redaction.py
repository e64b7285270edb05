"""What may be echoed from a user's file: short values that do not look like identifiers.

Validation and linkage messages cite file names, column names and a few example values
so a user can find a problem. Anything taken from the user's file passes through
:func:`safe_text` first: it is cut to :data:`MAX_ECHO` characters and replaced by a
placeholder when it looks like an identifier in any column (an NHS number, a 64-hex
person id, a date that could be a date of birth, a postcode, or any long run of digits).
"""

from __future__ import annotations

import re

__all__ = ["IDENTIFIER_PATTERNS", "MAX_ECHO", "looks_identifying", "safe_text"]

MAX_ECHO = 40
"""Longest text echoed from a user's file (characters, before the ellipsis)."""

IDENTIFIER_PATTERNS = {
    "nhs-number": re.compile(r"\d{3}[\s-]*\d{3}[\s-]*\d{4}"),
    "digits": re.compile(r"\d{7,}"),
    "person-id": re.compile(r"[0-9a-fA-F]{16,}"),
    "date": re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}"),
    "postcode": re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b"),
}
"""Shapes never echoed, searched anywhere in a value (not only the whole value)."""


def looks_identifying(text: object) -> bool:
    """Return True when ``text`` contains anything shaped like an identifier.

    Notes
    -----
    Deliberately over-cautious: a date of any kind counts (it could be a date of birth),
    and so does any run of seven digits or sixteen hex characters. Tested in
    ``tests/unit/test_validation.py`` and the hostile corpus ``tests/hostile/``.
    """
    value = str(text)[:10_000]
    return any(p.search(value) for p in IDENTIFIER_PATTERNS.values())


def safe_text(text: object, *, placeholder: str = "(value withheld)") -> str:
    """Return ``text`` fit to print: cut to MAX_ECHO characters, or withheld.

    Control characters are replaced by ``?`` so a value cannot rewrite the terminal.
    """
    value = str(text)
    if looks_identifying(value):
        return placeholder
    clipped = value[:MAX_ECHO] + ("..." if len(value) > MAX_ECHO else "")
    return "".join(c if c.isprintable() else "?" for c in clipped)
