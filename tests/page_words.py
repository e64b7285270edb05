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
    # a share of people (a risk, a cumulative incidence, a threshold of risk) written
    # as a bare proportion where the rest of the site writes a percentage: "a predicted
    # risk of 0.34", "risk thresholds from 0.10", "from 0.70 at day 90" (issue 15)
    "proportion": re.compile(
        r"\b(?:risks?|incidences?|shares?|proportions?|thresholds?)"
        r"(?: (?:of|is|was|run|runs|from|to|at|between|by up to)){1,3} [−-]?0\.\d+(?![\d%])"
        r"|\bfrom [−-]?0\.\d+ at day\b|\bruns from 0 to 0\.\d+"
        r"|\b(?:observed and predicted|predicted risk) is [−-]?0\.\d+(?![\d%])"),
}
"""What a page generated from results may not show (methods pages are exempt)."""


def leaks(text: str) -> set[str]:
    """The names of the :data:`LEAKS` patterns found in ``text``."""
    return {what for what, pattern in LEAKS.items() if pattern.search(text)}


SHARE_LABEL = re.compile(r"\b(?:risks?|incidences?|thresholds?)\b", re.IGNORECASE)
NOT_A_SHARE = re.compile(r"Brier|C-statistic|calibration|slope|log-odds|net benefit|"
                         r"ratio|intercept|good done|observed / expected",
                         re.IGNORECASE)
"""A table's header or row label naming a share of people (a risk, a cumulative
incidence, a risk threshold), and the measures that name a risk but are not one (the
Brier score's "gap between each predicted risk and what happened")."""
BARE_PROPORTION = re.compile(r"^[−-]?0\.\d+(?: \([−-]?0\.\d+ to [−-]?[01]\.\d+\))?$")


def risk_cells_as_proportions(main) -> list[str]:
    """``"<table caption>: <cell>"`` for each body cell of the parsed page part
    ``main`` that is a risk written as a bare proportion ("0.083", "0.245 (0.224 to
    0.267)") under a header, or beside a row label, naming a share of people: the
    crisis page's tables did so beside sentences and axes in per cent until wave 41
    (issue 15); every other page writes "8.3%"."""
    def names_share(label: str) -> bool:
        return bool(SHARE_LABEL.search(label)) and not NOT_A_SHARE.search(label)

    found = []
    for table in main.find_all("table"):
        caption = table.find("caption")
        name = caption.get_text(" ", strip=True) if caption else "(no caption)"
        heads = [th.get_text(" ", strip=True) for th in table.find_all("th")]
        for tr in table.find_all("tr"):
            cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            row_share = bool(cells) and names_share(cells[0])
            # a row of another measure under a column of risks (the C-statistic, the
            # calibration slope under "predicting the 12-month risk") is not a risk
            row_other = bool(cells) and bool(NOT_A_SHARE.search(cells[0]))
            for i, cell in enumerate(cells):
                head = heads[i] if i < len(heads) else ""
                if BARE_PROPORTION.match(cell) and not row_other and (
                        names_share(head) or (i > 0 and row_share)):
                    found.append(f"{name}: {cell}")
    return found


CELL_REASON = re.compile(r"^(?:suppressed|withheld|hidden|not shown"
                         r"|too few \w+ (?:to estimate|among|in total))\b",
                         re.IGNORECASE)
"""A cell that is the reason a value is left out (suppressed, withheld, hidden, not
shown). A table shows such a value as a symbol (``[c]``, ``[x]``) and says the reason
once, in its note: such cells in more than one body cell of a table are the reason
repeated cell by cell (issue 15: the crisis page's fairness table said "suppressed: too
few" in each cell, the discharge page's proportional-hazards table "withheld with the
model (...)" in each withheld model's row, until wave 23). A cell that only has no
number ("could not be estimated: ..."), or a sentence that mentions a reason (a
checklist's answer), is not one."""


def repeated_cell_reasons(main) -> list[str]:
    """``"<table caption>: <cell text> (<n> cells)"`` for each table of the parsed page
    part ``main`` (BeautifulSoup) whose body cells state a reason (:data:`CELL_REASON`)
    in more than one cell (the same words or not)."""
    from lifetools.disclosure.withheld import SAID_ONCE

    found = []
    for table in main.find_all("table"):
        cells = [td.get_text(" ", strip=True) for td in table.find_all("td")
                 if "lifetools-repeat" not in (td.get("class") or [])]
        # "too few events to estimate (the reasons are given above)": a pointer to
        # the one statement, not a reason of its own
        reasons = [c for c in cells if CELL_REASON.search(c) and SAID_ONCE not in c]
        if len(reasons) > 1:
            caption = table.find("caption")
            name = caption.get_text(" ", strip=True) if caption else "(no caption)"
            found.append(f"{name}: {reasons[0]!r} ({len(reasons)} cells)")
    return found


_NOT_SHOWN_REASON = re.compile(r"\b(?:is|are) not shown(?: [^:.]*)?: (.+?)\.(?=\s|$)")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def withheld_reasons(results: dict) -> set[str]:
    """The reasons a report's key results (its ``results.json``) give for a value or a
    model not shown: each estimate's own ("too few events to estimate (...)" read as a
    main point reads it) and each sentence's after "is not shown ...:". The neutral
    marker "hidden to protect privacy" (said of each hidden value, as ``[c]`` is) and
    the pointers to where the reasons are given are not reasons of their own, nor is a
    release check's headline alone ("too few events to estimate": a withheld key
    result's "not shown (too few events to estimate)", whose reasons its summary
    gives), which heads each table note's entry as "hidden to protect privacy" does."""
    from lifetools.disclosure.withheld import PRIVACY, RELEASE_HEADLINE, SAID_ONCE
    from lifetools.pipeline.pages import SAID_BELOW, why_not_estimated

    found = set()
    for entry in results.values():
        text = str(entry.get("text") or "") if isinstance(entry, dict) else ""
        for reason in (why_not_estimated(text),
                       *(m.group(1) for m in _NOT_SHOWN_REASON.finditer(text))):
            reason = reason.strip()
            if len(reason.split()) >= 3 and PRIVACY not in reason \
                    and not RELEASE_HEADLINE.fullmatch(reason) \
                    and SAID_ONCE not in reason and SAID_BELOW not in reason:
                found.add(reason)
    return found


def reason_counts(page_text: str, reasons: set[str]) -> dict[str, int]:
    """How often each reason is said in a page's text (quotes and spacing as typeset
    are ignored: the site's smart quotes, a space before a glued span's full stop)."""
    def plain(text: str) -> str:
        return re.sub(r"\s+", "", text.translate(_QUOTES))
    page = plain(page_text)
    return {reason: page.count(plain(reason)) for reason in sorted(reasons)}
