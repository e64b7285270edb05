"""The publish gate's rules over text: identifiers, machine paths, counts, tables.

Each rule is a function from text to ``(rule, detail)`` pairs. The detail never quotes
the matched value (an identifier must not reach a log or an error message); it says what
kind of thing was found and, for counts, whether it was small or unrounded. The count
rules read the :class:`~lifetools.disclosure.SdcProfile` they are given: the profile the
edition was built with (the gate passes it; ``None`` means ``default``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from lifetools.disclosure import SdcProfile, get_profile
from lifetools.disclosure.all_or_none import ALL_OR_NONE_RULE, all_or_none_clause
from lifetools.disclosure.groups import GROUP_RULE
from lifetools.disclosure.text import quantified
from lifetools.tables import MAX_ROWS, SUPPRESSED

__all__ = ["PATTERNS", "all_or_none_findings", "count_findings", "counted_findings", "identifier_findings",
           "kofn_findings",
           "nhs_number_valid", "table_findings", "html_tables", "strip_markup"]

Found = list[tuple[str, str]]

#: Top-level folders of a machine whose paths name where the data or the code lived.
MACHINE_ROOTS = ("home", "tmp", "root", "Users", "var", "private", "work", "mnt", "opt",
                 "srv", "data", "scratch", "media", "Volumes", "nfs", "net", "gpfs",
                 "lustre", "shared", "projects", "usr", "etc", "Library",
                 "Applications", "workspace", "workspaces", "builds", "runner", "app")
NHS_CANDIDATE = re.compile(r"(?<![\w.])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\w|\.\d)")
PATTERNS = {
    "person-id": re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])"),
    "date-of-birth": re.compile(
        r"(birth|\bdob\b|\bborn\b)[^\n]{0,40}(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}"
        r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
        r"[a-z]*\s+\d{4})|\d{4}-\d{2}-\d{2}[^\n]{0,40}birth",
        re.IGNORECASE),
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b"),
    "machine-path": re.compile(
        # a POSIX path from a top-level folder of a machine (Linux's Filesystem
        # Hierarchy, macOS, cluster and mounted storage), a Windows drive's path or a
        # network share's, or a file:// address: where the data or the code lived
        rf"(?<![\w.<])/(?:{'|'.join(MACHINE_ROOTS)})/[^\s\"'<>]*"
        r"|site-packages|dist-packages"
        r"|(?<![\w\\])[A-Z]:\\\\?[\w$~][\w$~ .\-]*(?:\\|\.[A-Za-z]{2,4}\b)"
        r"|(?<!\\)\\\\[\w.\-]+\\[\w$.\-]+|\bfile:/{1,3}\w"),
}
NUMBER = re.compile(r"(?<![\w.,\-−/:#%])(\d{1,3}(?:,\d{3})+|\d+)(?![\w\-/:%]|[.,]\d)")
KOFN = re.compile(r"(?<![\w.])(\d[\d,]*)\s+(?:out\s+)?of\s+(\d[\d,]*)(?![\w.]|,\d)",
                  re.IGNORECASE)
#: Words that say a number counts people or their records ("2,634 people", "12 new
#: referrals"): up to two other words may stand between the number and the noun.
COUNTED_NOUNS = (r"people|persons?|patients?|(?:service\s+)?users?|individuals?|men|women|"
                 r"children|clients?|referrals?|visits?|visitors?|attendances?|"
                 r"admissions?|contacts?|discharges?|deaths?|events?|crises|"
                 r"prescriptions?|responses?|respondents?|pairs?|adults?|residents?|"
                 r"cases?|members?|participants?|carers?|families|family|households?|"
                 r"staff|students?|survivors?|victims?|veterans?|cohort|sample|"
                 r"episodes?|records?|rows?|improved|attended|died|responded")
_GAP = r"(?:[ \t]+\n?[ \t]*|\n[ \t]*)"  # spaces with at most one line break
#: Number words read as counts ("seven people improved"), with their values.
WORD_VALUES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen".split())} | {
    w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty "
                                    "ninety".split(), start=2)}
_WORD = "|".join(sorted(WORD_VALUES, key=len, reverse=True))
COUNTED = re.compile(
    rf"(?<![\w.,\-/:#%])(\d{{1,3}}(?:,\d{{3}})+|\d+|(?i:\b(?:{_WORD})\b))"
    r"(?![\w\-/:%]|[.,]\d)"
    rf"(?:{_GAP}\([^()\n]{{0,30}}\))?"  # "13 (32.5%) users"
    rf"{_GAP}((?:[A-Za-z&\-]+{_GAP}){{0,2}}?)(?i:{COUNTED_NOUNS})\b")
#: A count given after a label: "n = 13", "users: 13".
LABELLED = re.compile(rf"(?i:\b(?:n|{COUNTED_NOUNS}))\s*[:=]\s*(\d{{1,3}}(?:,\d{{3}})+|\d+)"
                      r"(?!\w|[.,]\d)")
SLASH = re.compile(r"(?<![\w./\-])(\d[\d,]*)\s*/\s*(\d[\d,]*)(?![\w./\-])")
#: Tags that end a table cell, a row, a paragraph or a list item: a number in one and
#: a word in the next are not "a number of people".
_BLOCK_END = re.compile(r"</?(?:td|th|tr|p|li|div|h\d|caption|br|table)\b[^>]*>", re.I)
#: Words between a number and a noun that make the number something else ("153 days
#: after discharge", "2 of the events").
NOT_A_COUNT = re.compile(r"(?:days?|weeks?|months?|years?|hours?|after|before|since|per|"
                         r"of|to|from|in|at|by|for|and|or|than|between|with)",
                         re.IGNORECASE)
#: A number after these words states a rule or a bound, not a count.
BOUND = re.compile(r"(?:fewer|less|more|greater)\s+than|at\s+(?:least|most)|under|over|"
                   r"below|above|minimum\s+of|threshold\s+of|up\s+to|nearest|"
                   r"multiples?\s+of|in|during|since|until|from|to|per|every|each",
                   re.IGNORECASE)
BASE64_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+")


def nhs_number_valid(digits: str) -> bool:
    """Tell whether 10 digits carry a valid NHS number Modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


BIRTH_COLUMN = re.compile(r"date_of_birth|year_of_birth|PersonBirthDate", re.IGNORECASE)


def identifier_findings(text: str, *, allow: Iterable[str] = (),
                        columns: bool = True) -> Found:
    """NHS numbers (valid check digit), person ids, dates of birth, postcodes, paths.

    ``columns`` also refuses the names of birth-date columns (in outputs: a printed or
    shown frame with such a column); prose and the data dictionary's pages may name
    them.
    """
    text = BASE64_IMAGE.sub("<image>", text)
    found: Found = []
    if columns and BIRTH_COLUMN.search(text):
        found.append(("date-of-birth", "a birth-date column"))
    if any(nhs_number_valid("".join(m.groups())) for m in NHS_CANDIDATE.finditer(text)):
        found.append(("nhs-number", "a 10-digit number with a valid NHS number check "
                      "digit"))
    allowed = set(allow)
    for rule, pattern in PATTERNS.items():
        hits = [m.group(0) for m in pattern.finditer(text)]
        if rule == "person-id":
            hits = [h for h in hits if h.lower() not in allowed]
        if hits:
            what = "an absolute path on the machine that ran it" if rule == "machine-path" \
                else f"text matching the pattern of a {rule}"
            found.append((rule, what))
    return found


def _number(token: str) -> int:
    word = WORD_VALUES.get(token.lower())
    return word if word is not None else int(token.replace(",", ""))


def _profile(profile: SdcProfile | str | None) -> SdcProfile:
    return get_profile(profile or "default")


def disclosive(value: int, profile: SdcProfile | str | None = None) -> str | None:
    """``small-count``, ``unrounded-count`` or ``None``: what the profile says of a count."""
    p = _profile(profile)
    if p.publishable(value):
        return None
    if 1 <= value <= p.threshold:
        return "small-count"
    return "unrounded-count"


def _count_detail(rule: str, p: SdcProfile) -> str:
    if rule == "small-count":
        return f"a count of 1 to {p.threshold} printed outside a protected display"
    shape = (f"a midpoint of a band of {p.base}" if p.rounding == "midpoint"
             else f"a multiple of {p.base}")
    return (f"a number that is not {shape} printed outside a protected display (an "
            f"unrounded count under the {p.name!r} rules)")


def count_findings(text: str, profile: SdcProfile | str | None = None) -> Found:
    """Small (1 to the threshold) and unrounded counts printed as plain numbers."""
    p = _profile(profile)
    found: Found = []
    for match in NUMBER.finditer(BASE64_IMAGE.sub("", text)):
        rule = disclosive(_number(match.group(1)), p)
        if rule and (rule, _count_detail(rule, p)) not in found:
            found.append((rule, _count_detail(rule, p)))
    return found


#: A count in Roman numerals before a noun of people ("XIII users"); "Phase II
#: trial" is not a count.
ROMAN_COUNTED = re.compile(
    r"\b((?=[MDCLXVI]{2,}\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
    rf"{_GAP}(?:[A-Za-z&\-]+{_GAP}){{0,2}}?(?i:{COUNTED_NOUNS})\b")
_ROMAN = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


def _roman(numeral: str) -> int:
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v
               for i, v in enumerate(values))


def counted_findings(text: str, profile: SdcProfile | str | None = None) -> Found:
    """Small or unrounded numbers of people or records, anywhere ("2634 people"), and
    any number of people beside a word for all or none of them ("all 60 people were
    admitted", "none of the 60 people", "60 people, all of whom": rule
    ``group-disclosure``, as for the library's protected texts,
    :func:`lifetools.disclosure.text.quantified`).

    Applied to every text, sealed displays and Markdown included: a sentence made from
    protected values only ever names publishable counts (or "fewer than 8"), so a count
    of people that the profile would not publish was written by hand from raw numbers.
    A number after words that state a bound or a time ("fewer than 8 events", "in
    2024") is not a count.
    """
    p = _profile(profile)
    found: Found = []
    text = strip_markup(_BLOCK_END.sub("\n\n", text)) if "<" in text else text
    text = BASE64_IMAGE.sub("", text)  # the positions below are in this text
    for match in COUNTED.finditer(text):
        before = text[max(match.start() - 25, 0):match.start()].split()
        if before and (BOUND.fullmatch(" ".join(before[-2:]))
                       or BOUND.fullmatch(before[-1])):
            continue
        if any(NOT_A_COUNT.fullmatch(word) for word in match.group(2).split()):
            continue
        value = _number(match.group(1))
        rule = disclosive(value, p)
        detail = (f"a number of people or records in the text that the {p.name!r} rules "
                  f"would not publish ({rule})") if rule else ""
        if rule and (rule, detail) not in found:
            found.append((rule, detail))
        if p.group_disclosure and value and quantified(text, match.start(1),
                                                       match.end(1)) \
                and not any(r == GROUP_RULE for r, _ in found):
            found.append((GROUP_RULE, "a word for all or none of a group ('all', "
                          "'none of', 'each of') beside a number of people: it says "
                          "something about every person in the group, whatever the "
                          "number"))
    for match in ROMAN_COUNTED.finditer(text):
        rule = disclosive(_roman(match.group(1)), p)
        if rule and not any(r == rule for r, _ in found):
            found.append((rule, f"a number of people or records in Roman numerals that "
                          f"the {p.name!r} rules would not publish ({rule})"))
    for match in LABELLED.finditer(text):
        rule = disclosive(_number(match.group(1)), p)
        if rule and (rule, "a labelled count") not in found:
            found.append((rule, f"a labelled count ('n = ...', 'users: ...') that the "
                          f"{p.name!r} rules would not publish"))
    return found


def all_or_none_findings(text: str, profile: SdcProfile | str | None = None) -> Found:
    """``all-or-none-in-words``: a clause that says all or none of a group of people had
    an outcome, with no number ("None of the people in the most deprived fifth had a
    crisis", "Everyone referred by team A06 was discharged"):
    :func:`lifetools.disclosure.all_or_none.all_or_none_clause`.

    Read in prose only (Markdown cells, the texts of outputs, the site's pages of an
    edition), not in code, under a profile that rules group disclosure (as
    :func:`counted_findings` reads a word for all or none beside a count). The detail
    does not quote the clause: its words name the group.
    """
    if not _profile(profile).group_disclosure:
        return []
    text = strip_markup(_BLOCK_END.sub("\n\n", text)) if "<" in text else text
    if all_or_none_clause(text):
        return [(ALL_OR_NONE_RULE, "a sentence says that all or none of a group of people "
                 "had an outcome ('none of the people in ... had a crisis', 'everyone "
                 "referred by ... was discharged'): it discloses the outcome of every "
                 "person in the group, with no number; give the protected share instead")]
    return []


def kofn_findings(text: str, profile: SdcProfile | str | None = None) -> Found:
    """``k of n`` with either number small or unrounded ("33.3% (1 of 3)")."""
    p = _profile(profile)
    for match in [*KOFN.finditer(text), *SLASH.finditer(text)]:
        if any(disclosive(_number(g), p) for g in match.groups()):
            return [("k-of-n", "a 'k of n' (or 'k/n') phrase with a small or unrounded "
                     "count")]
    return []


def strip_markup(text: str) -> str:
    """The visible text of an HTML fragment (scripts, styles and images removed)."""
    text = BASE64_IMAGE.sub("", text)
    # a comment is not shown but is published in the page's source: its words count
    text = re.sub(r"<!--(.*?)-->", r" \1 ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", _attribute_text, text))


_SPOKEN = re.compile(r"""\b(?:alt|title|aria-label|aria-description|summary)\s*=\s*"""
                     r"""(?:"([^"]*)"|'([^']*)')""", re.I)


def _attribute_text(tag: re.Match[str]) -> str:
    """A tag's spoken or hovered attributes (alt, title, aria-label): published text."""
    said = [a or b for a, b in _SPOKEN.findall(tag.group(0))]
    return " " + " ".join(said) + " " if said else " "


def html_tables(markup: str) -> list[tuple[list[str], list[list[str]]]]:
    """Header and body rows of every ``<table>`` in an HTML fragment."""
    tables = []
    for table in re.findall(r"<table\b.*?</table>", markup, flags=re.S | re.I):
        head = [strip_markup(c).strip() for c in
                re.findall(r"<th\b[^>]*>(.*?)</th>", table, flags=re.S | re.I)]
        rows = []
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", table, flags=re.S | re.I):
            cells = [strip_markup(c).strip() for c in
                     re.findall(r"<td\b[^>]*>(.*?)</td>", row, flags=re.S | re.I)]
            if cells:
                rows.append(cells)
        tables.append((head, rows))
    return tables


IDENTIFIER_VALUE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-]{6,}$|^\d{8,}$")
ID_NAME = re.compile(r"(^|_)(id|ids|ref|nhs|pseudonym|patient|person|identifier|uuid)"
                     r"($|_)", re.IGNORECASE)


def table_findings(head: list[str], rows: list[list[str]], *,
                   count_cols: Iterable[str] = (),
                   profile: SdcProfile | str | None = None) -> Found:
    """Row-level tables, identifier-looking columns, and raw counts in count columns.

    A table is row-level when it has more than ``MAX_ROWS`` rows (the limit
    :func:`lifetools.tables.show_table` enforces), or when a column of ten or more
    rows holds a distinct identifier-looking value in every row (letters mixed with
    digits, or eight or more digits) or is named like an identifier, whatever the
    column is called otherwise. Each declared count column must hold only the
    suppression mark or protected counts (0, or what the profile's rounding publishes
    above its threshold).
    """
    found: Found = []
    if len(rows) > MAX_ROWS:
        found.append(("row-level", f"a table of {len(rows)} rows (more than {MAX_ROWS} "
                      "rows looks like one row per person)"))
    width = max((len(r) for r in rows), default=0)
    for index in range(width):
        name = head[index] if index < len(head) else f"column {index + 1}"
        values = [r[index] for r in rows if index < len(r)]
        if len(values) >= 10 and len(set(values)) == len(values) and (
                all(IDENTIFIER_VALUE.match(v) for v in values) or ID_NAME.search(name)):
            found.append(("row-level", f"column {index + 1} holds a distinct "
                          "identifier-looking value in every row"))
    counts = set(count_cols)
    for index, name in enumerate(head):
        if name not in counts:
            continue
        for value in (r[index] for r in rows if index < len(r)):
            token = value.replace(",", "").strip()
            if token in ("", SUPPRESSED):
                continue
            rule = disclosive(int(float(token)), profile) if re.fullmatch(r"\d+(\.0+)?", token) \
                else "unrounded-count"
            if rule:
                found.append((rule, f"count column {name!r} holds a count that is not "
                              "protected (small, unrounded or not a number)"))
                break
    return found


STREAM_ROW_LEVEL = re.compile(r"\[\d+ rows x \d+ columns\]|^\s*\d+\s{2,}\S+\s{2,}\S+",
                              re.MULTILINE)
