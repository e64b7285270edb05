"""The rules for the cells of a sealed table beyond its first column (the gate's).

A table's count columns are checked against the profile (``count_cols`` in its stamp,
:func:`lifetools.pipeline.gate.rules.table_findings`) and its headers and row labels by
the prose rule (:mod:`lifetools.pipeline.gate.prose`). Every other cell is checked
here (``unprotected-number-in-table``), as the gate checks other text: each number in
it must be

- in a column the stamp records as protected by a disclosure rule (a share, a rate,
  a magnitude: ``protected_headers``), written with decimal places as the rule wrote
  it: where the rule fixed the places (``protected_places``, from the protection
  record: person-years are published whole, a share to 1 place) each cell is one
  number with exactly those places ("8,920" passes only there; "8,920.00" or "42.86"
  there is refused), and elsewhere a whole number is refused;
- in a person-time column (a header beginning "Person-years" or "Person-time"): a
  multiple of the profile's count base (with midpoint rounding, the midpoint of a
  band, as counts are), as the stamp records the rule rounded it
  (``protected_bases``, from the protection record): exact person-years beside a
  rounded people count would give the headcount back; a person-time column without
  that record, or with a base other than the profile's, is refused;
- in a label column (the leading text columns of the table, ``label_headers``: a
  group, a level): a category code ("1", "18-24", "65+") or words the prose rule
  allows, as in the first column; after the first column, a code must be a declared
  category (:data:`CATEGORY_CODES`: IMD quintiles, age bands, sex and ethnic-group
  codes, or zero-padded): "13" is refused;
- in a column the author declared not a count (``not_counts`` of
  :func:`lifetools.tables.show_table`: a year, a day, degrees of freedom), recorded in
  the stamp (``not_count_headers``);
- inside a protected text the stamp records span by span (``cell_spans``: a cell that
  was a :class:`~lifetools.disclosure.ProtectedText`), re-rendered and re-checked
  like a key result (:func:`lifetools.disclosure.text.text_findings`);
- written with decimal places (an estimate, an interval: "1.19 (0.83 to 1.71)"); but
  a column of two or more cells all written with zero decimals ("13.00", "20.00")
  that no rule protected is refused (counts cast to decimals), and so is a column's
  only shown cell ("13.00" in a one-row table) unless it is 0, 1 (a reference level's
  "1.00") or a number the profile publishes as a count;
- in a cell of words, a form the prose rule allows (a unit the run declares, a rule
  number stating its rule, a label) or a number the profile would publish as a count
  (a protected count written into a text: its protection record is not in the stamp,
  so the residual risk is that of the count patterns).

A column header or a row label naming a statistic of people's values (a share, a
rate, a mean, a median, a total, a standard deviation, an extreme:
:func:`lifetools.disclosure.statistics.names_statistic`) over numbers no rule
protected is refused as well (``unprotected-statistic``): a mean or a share typed into
a table with decimals passes every rule above, and an extreme is one person's value.
That rule has one owner, :func:`lifetools.disclosure.statistics.statistic_findings`
(a cell holds a number when :func:`lifetools.disclosure.cells.cell_numbers` reads one:
a number or digits in a text), which ``show_table`` runs on the same cells before they
are shown, so a table the gate refuses this way is refused at source.

A group whose every shown member is in one cell with the rest shown as 0, an outcome
shown as none or all of its row's group, or a share of none or all of a group is
refused (``group-disclosure``: :func:`lifetools.disclosure.groups.group_findings`),
and so is a cell that says which rule hid one value ("withheld: group disclosure",
``value-reason``: :func:`lifetools.disclosure.withheld.reason_findings`): the reason
narrows the hidden value beyond ``[c]``; a table states every reason once, in its note.

A table's model estimates that the stamp does not record as released by
:func:`lifetools.disclosure.model_release` or made by a rule are refused
(``unreleased-model``): an "Estimate" column, any numeric column beside confidence
limits (the limits too), a column of estimates with their intervals
(:func:`model_findings`).

The rules live in the library, not in the gate, so that they have one
implementation: the publish gate (:mod:`lifetools.pipeline.gate.tables`) runs
:func:`cell_findings` on the cells of each sealed table a page shows, and
:func:`lifetools.tables.show_table` runs it on the same cells, under the same stamp,
before it shows them (:func:`require_cells_pass`), so an author learns at the cell,
not at the build. Tested in ``tests/unit/test_gate_tables.py`` and
``tests/leaks/test_cell_agreement.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from lifetools import config
from lifetools.disclosure.downloads import SUPPRESSED
from lifetools.disclosure.flow import FLOW_RULE, flow_findings
from lifetools.disclosure.groups import GROUP_RULE, group_findings
from lifetools.disclosure.net_benefit_check import treat_all_findings
from lifetools.disclosure.profiles import SdcProfile
from lifetools.disclosure.prose import (
    PEOPLE_WORD,
    RunParameters,
    has_words,
    prose_findings,
)
from lifetools.disclosure.rate_check import rate_findings
from lifetools.disclosure.rule_ids import rule_id
from lifetools.disclosure.settings import SETTING_WORDS
from lifetools.disclosure.statistics import shielded_headers, statistic_findings
from lifetools.disclosure.text import MINUS, text_findings
from lifetools.disclosure.withheld import REASON_RULE, reason_findings
from lifetools.errors import DisclosureError
from lifetools.labels import column_label
from lifetools.people import AGE_BANDS, ETHNIC_GROUPS, SEX_LABELS

__all__ = ["CATEGORY_CODES", "DENOMINATOR_RULE", "FLOW_RULE", "GROUP_RULE", "MODEL_RULE",
           "REASON_RULE", "TABLE_RULE", "cell_findings",
           "denominator_findings", "fixed_places", "flow_findings", "is_person_time", "model_findings", "person_time_findings",
           "require_cells_pass", "source_parameters", "statistic_findings"]

TABLE_RULE = rule_id("unprotected-number-in-table")
_MARKS = {"", SUPPRESSED, "[x]"}
_DECIMAL = re.compile(r"(?<![\w.,])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)\.(\d+)(?![\w.]|,\d)")
_WHOLE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\w]|[.,]\d)")
_ZERO_DECIMALS = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)\.0+$")
_CODE = re.compile(r"\d{1,2}(?:\+|\s*(?:-|–|to)\s*\d{1,2})?")
_BAND = re.compile(r"\s*(?:-|–|to)\s*")
CATEGORY_CODES = frozenset(
    {str(q) for q in range(1, 6)}                                # IMD quintiles
    | {b[2] for b in AGE_BANDS} | {f"{b[0]}+" for b in AGE_BANDS}  # age bands
    | {c for c in (*SEX_LABELS, *ETHNIC_GROUPS) if c.isdigit()})  # coded fields
"""The numbers a label column after the first may hold: declared categories (IMD
quintiles 1-5, the age bands of :data:`lifetools.people.AGE_BANDS`, the digit codes
of sex and ethnic group) or a zero-padded code ("01")."""


def _number(cell: str) -> float:
    """A page's number cell as a float: "1,234.50", "−0.23" (the pages' minus sign,
    :data:`~lifetools.disclosure.text.MINUS`) or "-0.23"."""
    return float(cell.replace(",", "").replace(MINUS, "-"))


def _declared_code(cell: str) -> bool:
    code = _BAND.sub("-", cell.strip())
    return code in CATEGORY_CODES or bool(re.fullmatch(r"0\d", code))


def _lone_count(cell: str, profile: SdcProfile) -> bool:
    """A column's only shown cell written with zero decimals ("13.00") reads as a count
    cast to decimals unless it is 0 or 1 (a reference level's "1.00") or a number the
    profile publishes as a count (it discloses nothing a published count would not)."""
    value = int(_number(cell))
    return abs(value) > 1 and not profile.publishable(abs(value))


_PERSON_TIME = re.compile(r"person[- ](?:years?|time)\b", re.IGNORECASE)
_NUMBER = re.compile(r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def is_person_time(header: str) -> bool:
    """A header of person-time ("Person-years", "Person-time at risk")."""
    return bool(_PERSON_TIME.match(header))


def person_time_findings(name: str, shown: list[str], base: Any,
                          profile: SdcProfile) -> list[tuple[str, str]]:
    """A person-time column: every cell a multiple of the profile's count base."""
    if isinstance(base, bool) or base != profile.base:
        return [_finding(f"column {name!r} holds person-time the stamp does not record "
                         f"as rounded to the count base ({profile.base}): exact "
                         "person-years beside a rounded count give the count back")]
    for cell in shown:
        value = _number(cell) if _NUMBER.fullmatch(cell) else math.nan
        if profile.rounding == "midpoint":  # the midpoint of a band, as counts are
            rounded = value == 0 or (value + base // 2) % base == 0
        else:
            rounded = value % base == 0
        if not rounded:
            return [_finding(f"column {name!r} holds person-time that is not a multiple "
                             f"of the count base ({base}) as counts are rounded: exact "
                             "person-years beside a rounded count give the count back")]
    return []


def fixed_places(cell: str, places: Any) -> bool:
    """The cell is one number written with exactly ``places`` decimal places."""
    if not isinstance(places, int) or isinstance(places, bool) or places < 0:
        return False
    decimals = rf"\.\d{{{places}}}" if places else ""
    return bool(re.fullmatch(rf"[-−]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+){decimals}", cell))


def _finding(detail: str) -> tuple[str, str]:
    return (TABLE_RULE, detail)


def _words_cell(cell: str, profile: SdcProfile, parameters: Mapping[str, Any]
                ) -> list[tuple[str, str]]:
    """A cell of words: decimals are estimates; each whole number is an allowed prose
    form or a count the profile publishes."""
    text = _DECIMAL.sub(" ", cell)
    for match in _WHOLE.finditer(text):
        value = int(match.group(1).replace(",", ""))
        if profile.publishable(value):
            text = text[:match.start()] + " " * (match.end() - match.start()) + \
                text[match.end():]
    found = prose_findings(text, profile, where="a table cell", parameters=parameters)
    return [_finding("a number in a table cell that is neither a protected value nor "
                     "a form that is not a count (" + d.split(" (", 1)[-1].split(")")[0]
                     + ")") for _, d in found]


_COUNTS_PEOPLE = re.compile(rf"\b(?:{PEOPLE_WORD})\b", re.IGNORECASE)
_REQUIRED = re.compile(r"\b(?:needed|required|target)\b", re.IGNORECASE)


def counts_people(header: str) -> bool:
    """Whether a column's header says it counts people or their records ("Attendances",
    "Users in the period"): such a column cannot be declared not a count
    (``not_counts``), however its values look. A number of people a method requires
    ("people needed": a sample size computed, not counted) is not a count of them."""
    return bool(_COUNTS_PEOPLE.search(header)) and not _REQUIRED.search(header)


def cell_findings(head: list[str], rows: list[list[str]], mark: Mapping[str, Any],
                  profile: SdcProfile, parameters: Mapping[str, Any]
                  ) -> list[tuple[str, str]]:
    """``unprotected-number-in-table`` for the cells of a sealed table outside its
    count columns (the module docstring lists what passes; the first column's words
    are the prose rule's); the detail names the column, never the value."""
    stamped = mark.get("rules") or {}
    counts = {*stamped.get("count_cols", []), *stamped.get("count_headers", [])}
    protected = set(stamped.get("protected_headers", []))
    places = stamped.get("protected_places") or {}
    bases = stamped.get("protected_bases") or {}
    declared = set(stamped.get("not_count_headers", []))
    labels = set(stamped.get("label_headers", []))
    spans = {(int(r), str(h)): s for r, h, s in mark.get("cell_spans") or []
             if isinstance(r, int)}
    found: list[tuple[str, str]] = []
    for name in sorted(declared & set(head)):
        if counts_people(name):
            found.append(_finding(f"column {name!r} is declared not a count (not_counts) "
                                  "but its header says it counts people or their "
                                  "records: protect it in count_cols"))
    for index, name in enumerate(head):
        if index == 0:
            labels.add(name)  # the first column is the rows' label
        if name in counts:
            continue
        cells = [row[index].strip() for row in rows if index < len(row)]
        shown = [c for c in cells if c not in _MARKS]
        if is_person_time(name):
            found += person_time_findings(name, shown, bases.get(name), profile)
        for number, cell in enumerate(cells):
            if cell in _MARKS:
                continue
            if (number, name) in spans:
                found += [(TABLE_RULE, f"column {name!r}: {d}") for _, d in
                          text_findings(cell, spans[(number, name)], profile,
                                        parameters)]
            elif name in protected and name in places:
                if not fixed_places(cell, places[name]):
                    found.append(_finding(f"column {name!r} is protected by a rule that "
                                          f"publishes it with {places[name]} decimal "
                                          "places, and holds a cell written otherwise"))
            elif name in protected or name in declared:
                if name in protected and _WHOLE.search(_DECIMAL.sub(" ", cell)):
                    found.append(_finding(f"column {name!r} is protected by a rule that "
                                          "writes decimals, and holds a whole number"))
            elif name in labels and (index == 0 or not has_words(cell)):
                if has_words(cell):
                    continue  # the first column's words: the prose rule reads them
                if index > 0 and _CODE.fullmatch(cell) and not _declared_code(cell):
                    found.append(_finding(f"label column {name!r} holds a number that is "
                                          "not a declared category (an IMD quintile, an "
                                          "age band, a dictionary code)"))
                elif not _CODE.fullmatch(cell) and \
                        _WHOLE.search(_DECIMAL.sub(" ", cell)):
                    found.append(_finding(f"label column {name!r} holds a number that is "
                                          "not a category code (1, 18-24, 65+)"))
            elif has_words(cell):
                found += [(r, f"column {name!r}: {d}")
                          for r, d in _words_cell(cell, profile, parameters)]
            elif _WHOLE.search(_DECIMAL.sub(" ", cell)):
                found.append(_finding(f"column {name!r} holds a whole number that is not "
                                      "a protected count (declare the column in "
                                      "count_cols, or in not_counts if it is not one)"))
        if name not in protected | declared and shown and \
                all(_ZERO_DECIMALS.match(c) for c in shown) and \
                (len(shown) >= 2 and any(c.strip("-−0.,") for c in shown)
                 or len(shown) == 1 and _lone_count(shown[0], profile)):
            found.append(_finding(f"column {name!r} holds only whole numbers written "
                                  "with zero decimals (counts cast to decimals?)"))
    found += denominator_findings(head, rows, stamped)
    found += group_findings(head, rows, stamped)
    # a participant flow's steps: no excluded count shown small by subtraction
    found += flow_findings(head, rows, stamped, profile, name=mark.get("name"))
    # the shielded columns as the source rule reads them (one owner: a label column
    # naming a statistic is not shielded, a released model's column is)
    found += statistic_findings(head, rows, shielded=shielded_headers(
        {**stamped, "count_headers": sorted(counts)}, head), spans=set(spans))
    found += model_findings(head, rows, stamped)
    found += reason_findings(head, rows)  # one value's rule named beside it
    found += rate_findings(head, rows, stamped, profile)  # per x numerator / denominator
    found += treat_all_findings(head, rows, stamped, profile)  # of the published counts
    return list(dict.fromkeys(found))


DENOMINATOR_RULE = rule_id("outcome-beside-hidden-group")


def denominator_findings(head: list[str], rows: list[list[str]],
                         stamped: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``outcome-beside-hidden-group``: a row whose group size (the stamp's
    ``denominator_header``, the count the group-size rule protected by) shows
    ``[c]`` must show ``[c]`` (or ``[x]``) in every other count of the row: "0 crises"
    beside a hidden group of 1 to 7 people says that none of them had one. Read from
    the cells as shown, not from the protection record (verified, not trusted)."""
    denominator = stamped.get("denominator_header")
    if not isinstance(denominator, str) or denominator not in head:
        return []
    at = head.index(denominator)
    counts = [i for i, name in enumerate(head) if i != at and name in
              {*stamped.get("count_cols", []), *stamped.get("count_headers", [])}]
    for row in rows:
        if at < len(row) and row[at].strip() == SUPPRESSED and any(
                i < len(row) and row[i].strip() not in _MARKS for i in counts):
            shown = next(head[i] for i in counts
                         if i < len(row) and row[i].strip() not in _MARKS)
            return [(DENOMINATOR_RULE, f"column {shown!r} shows a count in a row whose "
                     f"group size ({denominator!r}) is hidden: an outcome beside a "
                     "hidden group discloses it (hide the row's counts)")]
    return []


MODEL_HEADER = column_label("estimate")
MODEL_RULE = rule_id("unreleased-model")
_LIMIT = re.compile(r"\b(?:lower|upper)\b.*\b(?:limits?|bounds?|CI|interval)\b"
                    r"|\b(?:limits?|bounds?|CI)\b.*\b(?:lower|upper)\b", re.IGNORECASE)


def model_findings(head: list[str], rows: list[list[str]], stamped: Mapping[str, Any]
                   ) -> list[tuple[str, str]]:
    """``unreleased-model``: a table's model estimates that its stamp does not record
    as released by :func:`lifetools.disclosure.model_release` (``estimate_headers``:
    events per level, convergence and intervals checked) or as made by a disclosure
    rule (``protected_headers``: a rate or a share with its interval).

    What makes a column a model's estimate is the data, not its name: a column
    headed "Estimate"; and in a table whose rows are labelled in words (terms,
    groups), every numeric column beside confidence limits (a header naming a lower
    or upper limit, bound or CI), the limits included: a rate ratio or an observed
    risk under any header. Label columns, counts and declared non-counts are not
    estimates. A curve over a numeric axis (a calibration or decision curve: its first
    column a number) and a cell holding an estimate with its interval as text are
    not read as model estimates here: the crisis-risk report publishes them without
    a release record (issue 12, left open). The data behind a figure (a survival
    curve's "Estimate") is drawn by a plot function that takes released or protected
    tables only, and is not read here."""
    shielded = {*stamped.get("estimate_headers", []), *stamped.get("protected_headers", []),
                *stamped.get("count_cols", []), *stamped.get("count_headers", []),
                *stamped.get("not_count_headers", []), *stamped.get("label_headers", [])}
    worded = any(has_words(row[0]) for row in rows if row)
    limits = worded and [i for i, name in enumerate(head) if i > 0 and _LIMIT.search(name)]
    found = []
    for index, name in enumerate(head):
        if index == 0 or name in shielded:
            continue
        cells = [row[index].strip() for row in rows if index < len(row)]
        numeric = any(_NUMBER.fullmatch(c) for c in cells)
        estimate = (name == MODEL_HEADER and any(re.search(r"\d", c) for c in cells)
                    or limits and numeric)
        if estimate:
            found.append((MODEL_RULE, f"column {name!r} holds a model's estimates (beside "
                          "confidence limits, or with an interval) that "
                          "lt.disclosure.model_release did not release (events per level, "
                          "convergence, intervals) and no disclosure rule made"))
    return found


def source_parameters(rows: list[list[str]], spans: Any = ()) -> RunParameters:
    """The run's parameters as the kernel knows them, for :func:`cell_findings` at
    source: the values and words the runner passed (:func:`lifetools.config.run_parameters`)
    and, because a setting (and a parameter's value) may be stated by a key result
    anywhere in the notebook, which the gate reads after the run, every whole number
    of the table's cells as a possible value of every declared setting and worded
    parameter. So a number beside the words naming a setting or a parameter passes here
    whatever its value (the gate checks the value against what the run stated), and a
    number beside no such words is refused here as at the gate: the check at source is
    never stricter than the gate's. A protected text's parameter span (``spans``: the
    table's ``cell_spans``) names a parameter the runner did not pass (outside a run):
    its stated value is taken as the run's here, and checked by the gate."""
    values, words = config.run_parameters()
    for _row, _header, cell in spans:
        for span in cell:
            if isinstance(span, Mapping) and span.get("kind") == "parameter":
                values.setdefault(str(span.get("name")), span.get("value"))
    seen = tuple(sorted({int(m.group(1).replace(",", "")) for row in rows for cell in row
                         for m in _WHOLE.finditer(_DECIMAL.sub(" ", str(cell)))}))
    params: dict[str, Any] = dict(values)
    named: dict[str, Any] = dict(words)
    for name, phrases in words.items():
        params[f"any:{name}"] = seen
        named[f"any:{name}"] = phrases
    for name in SETTING_WORDS:
        params[f"setting:{name}"] = seen
    return RunParameters(params, words=named)


def require_cells_pass(head: list[str], rows: list[list[str]], rules: Mapping[str, Any],
                       spans: Any, profile: SdcProfile, *, name: str) -> None:
    """Refuse, at source, a table whose shown cells the publish gate would refuse by
    :func:`cell_findings` (``unprotected-number-in-table``, ``unreleased-model``,
    ``unprotected-statistic``): the gate's own rules on the cells the page will show
    (``head``, ``rows``: as :meth:`lifetools.tables.PublishedTable.to_html` writes
    them) under the stamp it will carry (``rules``, ``spans``: its ``cell_spans``), with
    the run's parameters as the kernel knows them (:func:`source_parameters`).

    Raises
    ------
    DisclosureError
        Naming the table, the column and the rule (never a value).
    """
    if not config.run_parameters()[0]:
        # outside the runner (nbval re-executing a notebook, an analyst's session) the
        # run's parameters and their words are unknown, so "20 bootstrap samples" cannot
        # be told from a typed count: the gate checks the page with them at the build
        return
    mark = {"name": name, "rules": dict(rules),
            "cell_spans": [list(cell) for cell in spans]}
    found = cell_findings(head, rows, mark, profile, source_parameters(rows, spans))
    if found:
        rule, detail = found[0]
        raise DisclosureError(
            f"table {name!r}: {detail} (rule {rule!r}; the publish gate refuses it)",
            hint="protect the number with lt.disclosure (protect_counts, share, rate, "
                 "protect_magnitudes, model_release), declare a column that is not a "
                 "count in not_counts, or state a number through a key result")
