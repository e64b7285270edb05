"""Words and shapes that only a program leaks onto a page: shared by the browser test of
the built site (``tests/functional/test_accessibility.py``) and the unit test of every
reason a library can publish (``tests/unit/test_reason_texts.py``), so that a reason
the page test would refuse fails a unit test first, not a 40-minute build.
"""

from __future__ import annotations

import re

LEAKS = {
    "nan": re.compile(r"(?<![\w-])(nan|NaN|NaT|<NA>)(?![\w-])"),
    "None": re.compile(r"(?<![\w-])None(?![\w-]| of\b| were\b| was\b| is\b| are\b)"),
    "inf": re.compile(r"(?<![\w-])-?inf(?![\w-])"),
    "tuple": re.compile(r"\(\d{1,3}, \d{3}\)"),
    "repr": re.compile(r"object at 0x|<lifetools\.|\barray\(|Timestamp\(|dtype[:=]"
                       r"|\['[^']*'(?:, '[^']*')*\]"),
    # an estimator's words for analysts ("its coefficient runs to minus infinity"):
    # a page says the model cannot estimate the effect (methods pages explain them)
    "infinity": re.compile(r"\binfinit(?:y|e)\b"),
}
"""What a page generated from results may not show (methods pages are exempt)."""


def leaks(text: str) -> set[str]:
    """The names of the :data:`LEAKS` patterns found in ``text``."""
    return {what for what, pattern in LEAKS.items() if pattern.search(text)}
