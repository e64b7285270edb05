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


CELL_REASON = re.compile(r"\bsuppressed\b|\btoo few\b|\bhidden\b|\bwithheld\b|\bnot shown\b"
                         r"|\bthe reasons are given once\b", re.IGNORECASE)
"""Words of a reason a value is left out. A table shows such a value as a symbol
(``[c]``, ``[x]``) and says the reason once, in its note: a reason in more than one
body cell of a table is the same reason repeated cell by cell (issue 15: the crisis
page's fairness table said "suppressed: too few" in each cell until wave 23)."""


def repeated_cell_reasons(main) -> list[str]:
    """``"<table caption>: <cell text> (<n> cells)"`` for each table of the parsed page
    part ``main`` (BeautifulSoup) whose body cells state a reason (:data:`CELL_REASON`)
    in more than one cell (the same words or not)."""
    found = []
    for table in main.find_all("table"):
        cells = [td.get_text(" ", strip=True) for td in table.find_all("td")
                 if "lifetools-repeat" not in (td.get("class") or [])]
        reasons = [c for c in cells if CELL_REASON.search(c)]
        if len(reasons) > 1:
            caption = table.find("caption")
            name = caption.get_text(" ", strip=True) if caption else "(no caption)"
            found.append(f"{name}: {reasons[0]!r} ({len(reasons)} cells)")
    return found
