"""What a publication says about why a value is withheld: one neutral marker per value,
every reason once per table.

A reason stated beside one hidden value can narrow it more than ``[c]`` does: "[c]"
beside a group of 60 people with the reason "group disclosure" says the hidden count
is 0 or 60; "secondary suppression" says it is no small count (0, or at least 8);
"the numerator is suppressed" beside a published group of 60 says the share is under
8 in 60; "fewer than 10 contributors" beside a published count of 10 says 8 or 9; a
dominance rule says one or two people hold most of the total. Output checking in UK
trusted research environments publishes none of this: every confidential cell is
``[c]`` whatever the rule that hid it (the GSS/ONS shorthand), and a secondary
suppression must be indistinguishable from a primary one, or the pattern gives the
small cells away (the SDC handbook, Hundepool et al., sections on secondary cell
suppression; ACRO's per-cell record of the rule stays with the output checker).

So lifetools publishes, for each hidden value, only that it is hidden to protect
privacy (:data:`PRIVACY`, through :func:`public_reason`), and lists the reasons the
rules in force can give once per table and in each download's notes
(:func:`lifetools.disclosure.rule_text.withheld_sentence`): the same words whichever
cells were hidden, and why. The per-value reasons stay in the protection record
(``ProtectionRecord.suppressed``, ``ProtectedValue.reason``), which nothing publishes.

The publish gate verifies it: a protected text's reason span that names the rule of one
value (:func:`rule_reason_named`) is refused (``protected-span``), and so is a sealed
table's cell that names one (``value-reason``, :mod:`lifetools.disclosure.table_cells`).
Tested in ``tests/unit/test_disclosure_withheld.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lifetools.disclosure.rule_ids import rule_id
from lifetools.labels import quoted

__all__ = ["CONFIDENTIAL", "KINDS", "LeftOut", "UNAVAILABLE", "in_full", "kind_of",
           "left_out",
           "NOTHING_SAID", "NOT_SHOWN", "PRIVACY", "REASON_RULE", "RELEASE_HEADLINE",
           "SAID_FOR", "SAID_ONCE", "SAID_ONCE_REST", "TOO_FEW_CELL", "Said", "SaidInNote",
           "TooFew", "Whose", "WithheldNote", "WithheldReason", "headline_of", "public_reason", "reason_findings",
           "rule_reason_named", "unrepeated", "withheld_verb"]

PRIVACY = "hidden to protect privacy"
"""The one reason a page gives for a value a disclosure rule hid."""

NOT_SHOWN = "not shown"
"""The words for a value a page does not show, whatever hid it (a disclosure rule, a
model's release check): "<subject> is not shown: <why>.", "The numbers marked [x] are
not shown: ...". "could not be estimated" (:data:`lifetools.formatting.MISSING`) is
only for a value that has no number (a fit that failed); a withheld value was estimated
and is not shown (issue 15, wave 22: the crisis page said both of one withheld model)."""

SAID_ONCE = "the reasons are given above"
"""What a table, caption or sentence of a page says instead of a withheld model's
reasons when the page states them once (:attr:`lifetools.disclosure.ModelRelease.
withheld_once`): the crisis page repeated a six-group reason 28 times until wave 22.
The page states them at its start, so every later mention is below them; until wave 33
this read "the reasons are given once, at the start of this page", which the crisis
page's summary, at the start of the page, said of itself three times. Said only of a
model whose reasons the page gave above for that model (:meth:`Said.where`)."""

SAID_FOR = "the same reasons as for {name}, given above"
"""Where a withheld model's reasons are when the page gave the same words above for
another model (:meth:`Said.where`; ``name``: that model, quoted). The discharge page
at 30,000 people said "(the reasons are given above)" of its landmark Cox model, whose
reasons it had given only beside the Fine-Gray ratio (issue 15, wave 39)."""

SAID_ONCE_REST = "given above"
"""Where a withheld model's other reasons are when the page states some of them above
for other models (:meth:`lifetools.disclosure.ModelRelease.withheld_said`: "...; its
other reason is given above, for ‘Mean paired change (t interval)’")."""

CONFIDENTIAL = "confidential"
"""The kind of a value left out because a disclosure rule hid it: a count, share or
sum a rule suppressed, or a model the model release rule withheld for too few events,
people or residual degrees of freedom (an output-checking rule of every profile, as the
disclosure-control methods page lists it). Marked ``[c]``."""
UNAVAILABLE = "not available"
"""The kind of a value left out for no disclosure rule: a fit that gave no number or
did not converge, an interval that is not finite, a value not applicable. Marked
``[x]``."""
KINDS = (CONFIDENTIAL, UNAVAILABLE)


class LeftOut(str):
    """A reason a value is left out, with its ``kind`` (:data:`CONFIDENTIAL` or
    :data:`UNAVAILABLE`), given where the reason is made: by the disclosure rule that
    hid the value (:func:`public_reason`) or the release check that withheld a model
    (:attr:`lifetools.disclosure.ModelRelease.kind`).

    :func:`lifetools.disclosure.downloads.hidden_mark` reads the kind, never the
    words: until wave 42 it looked for "hidden to protect privacy" in the text, so a
    privacy reason worded otherwise read ``[x]`` and a reason that quoted the words
    read ``[c]`` (issue 12). A ``str``, so every reader of the words reads the same
    words. Tested in ``tests/unit/test_hidden_marks.py``.
    """

    kind: str
    full: str
    """The reasons in full where the words point to where a page gave them ("too few
    events to estimate (the reasons are given above)": :data:`SAID_ONCE`,
    :data:`SAID_FOR`); the words themselves otherwise. A download's notes say these
    (:func:`in_full`): a notes file has no "above" (issue 15, wave 42)."""

    def __new__(cls, text: object, kind: str, full: object = None) -> LeftOut:
        if kind not in KINDS:
            raise ValueError(f"a left-out value's kind is one of {KINDS}, not {kind!r}")
        reason = super().__new__(cls, str(text))
        reason.kind = kind
        reason.full = str(text) if full is None else str(full)
        return reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (_left_out, (type(self), str(self), self.kind, self.full))


def _left_out(kind: type, text: str, left: str, full: str) -> LeftOut:
    reason = str.__new__(kind, text)
    reason.kind, reason.full = left, full
    return reason


def in_full(reason: Any) -> Any:
    """``reason`` with its reasons in full where its words point to a page's
    (:attr:`LeftOut.full`; a :class:`Whose` keeps its models), as a download's notes
    say it; any other reason as it is."""
    if isinstance(reason, Whose):
        why = in_full(reason.why)
        return reason if why == reason.why else Whose(why, reason.models, reason.names)
    if isinstance(reason, LeftOut) and reason.full != str(reason):
        return LeftOut(reason.full, reason.kind)
    return reason


def left_out(text: object, kind_from: object, full: object = None) -> Any:
    """``text`` (a reason reworded: a pointer to reasons given above, a cell's words)
    with the kind of the reason it was made from (``kind_from``) and, for a pointer,
    the reasons in ``full``; ``text`` as it is when ``kind_from`` carries no kind."""
    kind = kind_of(kind_from)
    return text if kind is None or text is None else LeftOut(text, kind, full)


def kind_of(reason: object) -> str | None:
    """The kind a reason was made with (:class:`LeftOut`, or a :class:`Whose` or
    :class:`WithheldNote` of such reasons: :data:`CONFIDENTIAL` when any of them is),
    None when it carries none (words alone say nothing of it)."""
    kind = getattr(reason, "kind", None)
    if kind in KINDS:
        return kind
    kinds = [kind_of(r) for r in getattr(reason, "reasons", ())]
    if CONFIDENTIAL in kinds:
        return CONFIDENTIAL
    return UNAVAILABLE if UNAVAILABLE in kinds else None


class WithheldReason(LeftOut):
    """A withheld value's bare reason, marked as one by the code that withheld it: a
    release check's words when a count under its threshold withheld the model ("too few
    events in total", "too few events to estimate (...)": made by
    :attr:`lifetools.disclosure.ModelRelease.withheld_reason`).

    A key result whose value is missing and whose text is such a reason (``record(...,
    withheld_reason=True)``, from :func:`lifetools.reports.sentences.reason_result`)
    reads "not shown: <reason>", as the page's sentence says it ("... is not shown:
    <reason>."). Until wave 41 :func:`lifetools.publication.record` told a reason by
    its words (a lower-case "too few " or :data:`PRIVACY` at its start), so that a
    sentence opening "Too few people ..." was once taken for one (wave 40) and a
    change of wording could change what a page says; the mark is carried with the
    words instead. A ``str``, so that every reader of the reason reads the same words;
    ``str(reason)`` is the words without the mark. A :class:`LeftOut` of the
    release's kind (:data:`CONFIDENTIAL`: a count under its threshold). Tested in
    ``tests/unit/test_withheld_key_results.py``.
    """

    __slots__ = ()

    def __new__(cls, text: object, kind: str = CONFIDENTIAL) -> WithheldReason:
        return super().__new__(cls, text, kind)


TOO_FEW_CELL = "suppressed: too few"
"""The reason in words of an estimate a group too small for it leaves out
(:class:`TooFew`); a page and its download show ``[c]`` there and the rule once, in the
table's note (a download's cells said this until wave 27)."""


@dataclass(frozen=True)
class Said:
    """What a page has said above a point about its withheld values, in page order: each
    value's name (a model or an estimate, as the page's tables name it), the text the
    page gave for it, and the reasons that text says (its clauses).

    The one judge of a pointer to reasons "given above" (:meth:`where`,
    :meth:`owner`, :meth:`clause_owner`): a page says "(the reasons are given above)"
    of a value only when it gave that value's reasons above (a report adds each
    statement with :meth:`then` as its page goes: the summary first, then a table
    whose note states a model's reasons before the tables below it), and "(the same
    reasons as for ‘X’, given above)" when the same words were given above for another
    value X. Until wave 39 the reports decided it by the words alone (a set of reasons):
    the discharge page pointed its landmark Cox model to reasons given only for the
    Fine-Gray ratio, and the emergency page its admissions rows to those of its A&E
    rows (issue 15). Tested in ``tests/unit/test_disclosure_withheld.py``.
    """

    entries: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def then(self, name: object, text: object, reasons: Sequence[str] = ()) -> Said:
        """This record and then ``name``'s ``text`` (its ``reasons``: the clauses it
        says; by default the text's own, split at "; "). Nothing is added for an empty
        text."""
        text = str(text or "")
        if not text:
            return self
        clauses = tuple(str(r) for r in reasons) or tuple(text.split("; "))
        return Said((*self.entries, (str(name), text, clauses)))

    @classmethod
    def of(cls, said: Iterable[tuple[object, object]]) -> Said:
        """A record of ``(name, text)`` pairs, in page order (empty texts left out)."""
        out = cls()
        for name, text in said:
            out = out.then(name, text)
        return out

    def __bool__(self) -> bool:
        return bool(self.entries)

    def has(self, name: object) -> bool:
        """Whether the page gave ``name``'s reasons above."""
        return any(n == str(name) for n, _, _ in self.entries)

    def owner(self, *texts: object) -> str:
        """The first value whose whole text above is one of ``texts`` ("" for none)."""
        wanted = {str(t) for t in texts if t}
        return next((n for n, text, _ in self.entries if text in wanted), "")

    def clause_owner(self, clause: object) -> str:
        """The first value whose reasons above include ``clause`` ("" for none)."""
        return next((n for n, text, clauses in self.entries
                     if str(clause) in clauses or text == str(clause)), "")

    def where(self, name: object, *texts: object) -> str:
        """Where ``name``'s reasons are, for a pointer in place of them:
        :data:`SAID_ONCE` when the page gave them above for ``name``;
        :data:`SAID_FOR` naming the value they were given for when one of ``texts``
        (``name``'s reasons, in the words the page would give them) was given above for
        another; "" when neither (the page states them here)."""
        if self.has(name):
            return SAID_ONCE
        other = self.owner(*texts)
        return SAID_FOR.format(name=quoted(other)) if other else ""

    def owners(self, name: object, clauses: Sequence[str]) -> list[str]:
        """The values other than ``name`` that the page gave ``clauses`` for above, in
        page order, each once."""
        found = {self.clause_owner(clause) for clause in clauses} - {"", str(name)}
        return [n for n in dict.fromkeys(n for n, _, _ in self.entries) if n in found]


NOTHING_SAID = Said()
"""A page that has said no reason above (nothing is pointed to)."""


_SAID_TWICE = re.compile(r"\btoo few (?P<unit>[a-z]+) to estimate: (?=too few (?P=unit)\b)")
_SAID_TWICE_BRACKETS = re.compile(r"^too few (?P<unit>[a-z ]+?) to estimate \((?P<why>too few "
                                  r"(?P=unit)\b.*)\)$")


def unrepeated(reason: str) -> str:
    """A reason as a page says it after its verb ("... is not shown: <reason>.", "The
    numbers marked [x] are not shown: <reason>."), with each headline the words around
    it already say left out.

    A release check's headline where its reasons say it again: "too few events to
    estimate: too few events in total; the fit did not converge" reads "too few events
    in total; the fit did not converge", anywhere in a text (a table note naming several
    models), and a whole reason "too few events to estimate (too few events among ‘Life
    Rooms use’)" reads "too few events among ‘Life Rooms use’" (issue 15, wave 36: the
    re-referral page and the tables' notes said "too few events" twice in one reason).
    A disclosure rule's reason headed :data:`NOT_SHOWN` ("not shown: the counts of a
    fifth are suppressed", :attr:`lifetools.disclosure.ModelRelease.headline`) reads
    without its heading, which the verb says ("are not shown: not shown: ..." said it
    twice: wave 37; the tables' note left it out on its own until wave 38). Any other
    text is returned as it is.
    """
    text = _SAID_TWICE.sub("", str(reason).removeprefix(f"{NOT_SHOWN}: "))
    found = _SAID_TWICE_BRACKETS.match(text)
    return found["why"] if found else text


_COUNT_REASON = re.compile(r"too few (?P<unit>events|people|observations|measurements) "
                           r"(?!to estimate\b)")
"""A release check's reason that says its headline's count ("too few events among
...", "too few people in total"): a withheld text that starts with one is its reasons
alone (:func:`lifetools.disclosure.models.withheld_words`)."""


def headline_of(text: str) -> str:
    """The headline of a withheld or failed value's text: its words before the reasons
    ("could not be estimated: the fit did not converge" reads "could not be estimated";
    "too few events to estimate (too few events in total)" reads "too few events to
    estimate"), or, for a text that starts with a reason saying the headline's count
    ("too few events among people aged 65 or over; the fit did not converge"), the
    headline it stands for ("too few events to estimate"); "" for no text."""
    text = str(text or "").strip()
    count = _COUNT_REASON.match(text)
    if count:
        return f"too few {count['unit']} to estimate"
    cut = min((i for i in (text.find(": "), text.find(" (")) if i >= 0), default=len(text))
    return text[:cut].strip().rstrip(".")


class SaidInNote(str):
    """A cell whose reason a page says once, in its table's note: the cell's reason in
    words (the ``str``), ``shown``, the symbol the page and its download write in its
    place (the download wrote the ``str`` until wave 27), and ``note``, the sentence the
    table's note (and the download's ``notes.txt``) gives once however many cells carry
    it.
    :func:`lifetools.tables.show_table` reads them (:func:`lifetools.tables.cell_notes`).
    """

    shown: str
    note: str

    def __new__(cls, text: str, *, shown: str, note: object) -> SaidInNote:
        cell = super().__new__(cls, text)
        # a WithheldNote keeps the reasons it says (a table of nothing but such cells
        # is shown as a sentence: lifetools.tables.show_table)
        cell.shown, cell.note = shown, note if isinstance(note, str) else str(note)
        return cell

    def __reduce__(self) -> tuple[Any, ...]:
        return (_said_in_note, (type(self), str(self), self.shown, self.note))


class Whose(str):
    """A withheld model's reason after the names of the models it holds for, as a
    table's column of reasons says it ("‘Landmark’ and ‘Fine-Gray’: too few events to
    estimate"): the ``str``; ``models``, those names ("" for none) and ``why``, the
    reason, so that a table's note can name the models before its verb
    (:func:`lifetools.disclosure.downloads.withheld_models_note`): "The numbers marked
    [x] are not shown: ‘Landmark’ and ‘Fine-Gray’: too few events ..." gave one
    sentence two colons (the discharge page, wave 37)."""

    models: str
    why: str

    names: tuple[str, ...]
    """The models' names, each as :func:`lifetools.labels.quoted` gives it (empty when
    not given): notes that say the same words for several models name them together."""

    def __new__(cls, why: str, models: str = "", names: Sequence[str] = ()) -> Whose:
        cell = super().__new__(cls, f"{models}: {why}" if models else why)
        cell.models, cell.why = models, why  # the reason keeps its kind (kind_of)
        cell.names = tuple(names)
        return cell

    @property
    def kind(self) -> str | None:
        """The kind of its reason (:func:`kind_of`)."""
        return kind_of(self.why)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Whose, (self.why, self.models, self.names))


class WithheldNote(str):
    """A table's note on its withheld models, as
    :func:`lifetools.disclosure.downloads.withheld_models_note` words it (the ``str``),
    with ``reasons``, the reasons it says (each a release's words or a :class:`Whose`),
    so that a table whose every value is withheld can say them in the sentence shown in
    its place (:func:`lifetools.disclosure.downloads.withheld_table_sentence`), not
    "The numbers marked [x] ..." of a table the page does not show."""

    reasons: tuple[str, ...]
    in_full: str
    """The note with each reason in full (:func:`in_full`), for a download's notes:
    "(the reasons are given above)" pointed a notes file to a page (wave 42)."""

    def __new__(cls, text: str, reasons: tuple[str, ...] = (),
                in_full: str | None = None) -> WithheldNote:
        note = super().__new__(cls, text)
        note.reasons = tuple(reasons)
        note.in_full = str(text) if in_full is None else in_full
        return note

    def __reduce__(self) -> tuple[Any, ...]:
        return (WithheldNote, (str(self), self.reasons, self.in_full))


def _said_in_note(kind: type, text: str, shown: str, note: str) -> SaidInNote:
    cell = str.__new__(kind, text)
    cell.shown, cell.note = shown, note
    return cell


class TooFew(SaidInNote):
    """An estimate's cell left out because its group is too small: the text
    :data:`TOO_FEW_CELL`, ``[c]`` on the page and in the download, and ``rule``,
    the sentence that states the rule from the profile's numbers
    (:func:`lifetools.disclosure.rule_text.too_few_sentence`), once in the table's note.
    The fairness and risk-group tables of the crisis page said "suppressed: too few" in
    each cell until wave 23 (issue 15). Tested in
    ``tests/unit/test_disclosure_withheld.py``.
    """

    def __new__(cls, rule: object) -> TooFew:
        return super().__new__(cls, TOO_FEW_CELL, shown="[c]", note=rule)

    @property
    def rule(self) -> str:
        return self.note


REASON_RULE = rule_id("value-reason")
"""The publish gate's rule: a published cell says which rule hid one value."""

NOT_RULES = ("missing", "the denominator is 0", "no person-time")
"""Reasons a value has no number that are not disclosure rules (nothing to hide):
stated as they are."""

RELEASE_HEADLINE = re.compile(r"too few (?:events|people|observations|measurements) to "
                              r"estimate"
                              r"|could not be estimated")
"""The reason of a value a model's release check withheld
(:meth:`lifetools.disclosure.ModelRelease.withhold`: its headline, "too few people to
estimate"): no disclosure rule, and the words the page's own table gives the value;
stated as it is."""

_RULE_WORDS = re.compile(
    r"group disclosure|\bsecondary suppression\b|denominator suppressed|hidden upstream"
    r"|the (?:numerator|denominator|events|people) (?:is|are) suppressed"
    r"|an input is suppressed|a count from \d"
    r"|\((?:threshold|dominance n-k|p%) rule\)",
    re.IGNORECASE)
"""The reasons the disclosure rules record for one value (``protect_counts``:
``primary``, ``group disclosure``, ``secondary``, ``denominator suppressed``,
``hidden upstream``; ``carry_suppression``: ``linked``; the derived numbers' "the
numerator is suppressed" ...; ``protected_count``'s "a count from 1 to 7"; the
magnitude rules' "(threshold rule)", "(dominance n-k rule)", "(p% rule)")."""


_RULE_NAMES = ("primary", "secondary", "linked")
"""Reasons recorded as one word: named only when a clause is that word alone."""


def rule_reason_named(text: str) -> str:
    """The words of ``text`` naming the rule that hid one value ("" when none)."""
    match = _RULE_WORDS.search(str(text))
    if match:
        return match.group(0)
    for part in re.split(r"[;:()]", str(text)):
        if part.strip().lower() in _RULE_NAMES:
            return part.strip()
    return ""


def public_reason(reason: str | None) -> str:
    """What a page may say about why one value is hidden.

    :data:`PRIVACY` for any reason a disclosure rule gave (whichever rule it was);
    a reason that is no disclosure rule (:data:`NOT_RULES`: "the denominator is 0";
    a release check's headline, :data:`RELEASE_HEADLINE`) as it is; "" for none.
    """
    text = str(reason or "").strip()
    if not text:
        return ""
    if text in NOT_RULES:
        return LeftOut(text, UNAVAILABLE)
    if RELEASE_HEADLINE.fullmatch(text):
        return LeftOut(text, UNAVAILABLE if text == "could not be estimated"
                       else CONFIDENTIAL)
    return LeftOut(PRIVACY, CONFIDENTIAL)


def reason_findings(head: list[str], rows: list[list[str]]) -> list[tuple[str, str]]:
    """``value-reason``: a published table's cell (page or download) that says which
    rule hid one value ("withheld: group disclosure", "secondary suppression").

    The detail names the column and the rule's words, never a value.
    """
    found = []
    for index, name in enumerate(head):
        for row in rows:
            named = rule_reason_named(row[index]) if index < len(row) else ""
            if named:
                found.append((REASON_RULE, f"column {name!r} says which rule hid a value "
                              f"({named!r}): that narrows the hidden value beyond "
                              f"'[c]'; say {PRIVACY!r} and give the reasons once, in "
                              "the table's note"))
                break
    return found


def withheld_verb(reason: str) -> str:
    """How a sentence says a value it does not give: "is not shown" (:data:`NOT_SHOWN`)
    when ``reason`` is a disclosure rule's or a release check's (the value was
    estimated and withheld: "too few events to estimate (...)", "not shown (...)",
    "hidden to protect privacy"), "could not be estimated" otherwise (a fit that gave no
    number, or no reason at all)."""
    text = str(reason or "").strip().lower()
    withheld = (text.startswith(("too few ", NOT_SHOWN, PRIVACY))
                or f" is {NOT_SHOWN}: " in text)
    return f"is {NOT_SHOWN}" if withheld else "could not be estimated"
