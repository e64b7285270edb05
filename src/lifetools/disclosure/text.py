"""Protected text: every number in a published sentence comes from a typed value.

A sentence on a page is a :class:`ProtectedText`, made only by :func:`compose` from a
template and its parts. The template's fixed words may hold no digit and no number
word ("seven"); every number comes from a part, and each part is typed:

- a :class:`~lifetools.disclosure.ProtectedValue` (a protected count, share, rate,
  mean or difference; a suppressed count reads "fewer than 8");
- :class:`Estimate` and :class:`Interval`: a model or statistical estimate and its
  limits, always written with decimal places;
- :class:`Duration` (``365 days``), :class:`Period` (``2024-25``), :class:`Level` (a
  confidence level, ``95%``), :class:`RuleNumber` (a number of the SDC profile, such
  as its threshold) and :class:`Parameter` (a named analysis parameter, such as the
  number of imputations): numbers that are not counts of people, each of a declared
  kind;
- :class:`Reason`: a reason a library function wrote (a fit that did not converge, a
  model withheld), whose whole numbers must be counts the profile would publish or
  follow a bound ("fewer than 10 events");
- another :class:`ProtectedText`, or plain words with no number in them.

A :class:`ProtectedText` is a ``str`` (it can be shown anywhere a string can) that
remembers where each part's text lies (its spans) and what each part was. Any string
operation (``+``, ``.format``, ``" ".join``) gives a plain ``str``, which
:func:`lifetools.publication.record` refuses if it holds a number. The record of
spans is written into the display's sealed stamp; the publish gate re-renders every
span from what it records, re-checks it against the profile's rules
(:func:`span_findings`) and refuses any digit or number word outside a span
(:func:`text_findings`). Checked by ``tests/unit/test_protected_text.py`` and
``tests/leaks/test_text_leaks.py``.
"""

from __future__ import annotations

import hmac
import json
import math
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from lifetools.disclosure.all_or_none import ALL_OR_NONE_RULE, all_or_none_clause
from lifetools.disclosure.derived import (
    poisson_interval,
    published_share_interval,
    round_person_time,
)
from lifetools.disclosure.groups import GROUP_RULE, extreme_share
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.protected import ProtectedValue, _seal
from lifetools.disclosure.rules import unpublishable_between
from lifetools.disclosure.settings import parameter_problem
from lifetools.disclosure.withheld import PRIVACY, rule_reason_named
from lifetools.errors import DisclosureError
from lifetools.signs import MINUS, bound_places, finite, fixed, places_avoiding

__all__ = ["MINUS", "NUMBER_WORDS", "QUANTIFIERS", "RULE_QUANTITIES", "Duration", "Estimate", "Interval",
           "Level", "Parameter", "Period", "ProtectedText", "Reason", "RuleNumber",
           "compose", "edit_words", "fixed", "join", "numbers_in", "protect_text", "quantified",
           "share_pair_problem", "span_findings",
           "text_findings"]

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
                "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
                "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
                "thousand", "million", "billion", "dozen", "dozens", "hundreds",
                "thousands")
"""Words that write a number: refused in fixed words like digits."""
_NUMBERS = re.compile(r"\d|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_TOKEN = re.compile(r"(?<![\d.,])-?\d[\d,]*(?:\.\d+)?")
BOUND_WORDS = re.compile(r"(?:fewer|less|more|greater)\s+than|at\s+(?:least|most)|under|"
                         r"over|below|above|in|per|within|after|every|each|outside|"
                         r"from|to|of|minimum|maximum|threshold|quintile",
                         re.IGNORECASE)
"""Words after which a number in a reason is a bound or a setting, not a count (a
quintile's number names a fifth of areas: a release check's reason names the level
"Most deprived fifth (IMD quintile 1)")."""
UNITS = ("day", "week", "month", "year")
LEVELS = (80, 90, 95, 99)
RULE_QUANTITIES = {
    "threshold": lambda p: p.threshold,
    "threshold+1": lambda p: p.threshold + 1,
    "base": lambda p: p.base,
    "base+1": lambda p: p.base + 1,
    "2*base": lambda p: 2 * p.base,
    "midpoint": lambda p: p.base - p.base // 2,
    "2*base-midpoint": lambda p: 2 * p.base - p.base // 2,
    "min_at_risk": lambda p: p.min_at_risk,
    "magnitude_threshold": lambda p: p.magnitude_threshold,
    "model_min_events": lambda p: p.model_min_events,
    "smallest": lambda p: 1,
    "zero": lambda p: 0,
}
"""The numbers a profile states, by name: what a :class:`RuleNumber` may print."""
_PERIOD = re.compile(r"(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?")

_SEALED = object()


def numbers_in(text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` writes a number: ``(start, end, "digit" | "number word")``."""
    return [(m.start(), m.end(), "digit" if m.group(0).isdigit() else "number word")
            for m in _NUMBERS.finditer(text)]




@dataclass(frozen=True)
class Estimate:
    """A model or statistical estimate, written with ``digits`` decimal places."""

    value: float
    digits: int = 2
    percent: bool = False


@dataclass(frozen=True)
class Interval:
    """Confidence limits ("0.83 to 1.71"), with ``digits`` decimal places.

    ``of`` is the protected share, rate or mean they belong to, when they are its
    interval (the gate then recomputes them from its published numbers). ``null`` is
    the no-difference value (1 for a ratio, 0 for a difference): a limit that would
    round onto it but is not it is written with extra decimal places ("1.004"), by
    :func:`lifetools.formatting.bound_places`. ``stated``: the limits the report
    states for the estimate (a calibration slope's 0.8 and 1.2), which a limit keeps
    its side of too ("0.797", never "0.80": :func:`lifetools.formatting.places_avoiding`;
    the comparison with the previous edition wrote "0.80" until wave 41).
    """

    low: float
    high: float
    digits: int = 2
    percent: bool = False
    of: ProtectedValue | None = None
    null: float | None = None
    stated: tuple[float, ...] = ()


def _limit_places(value: float, digits: int, null: Any, stated: Any,
                  percent: bool = False) -> int:
    """The places of one confidence limit kept off its null and the stated limits
    (:func:`lifetools.signs.places_avoiding`); with no null, off the bounds the gate
    reads such a limit against (:data:`_DEFAULT_BOUNDS`: 0 and 1, or 0% and 100%), so
    that a share's limit of 99.97% is written "99.97%", never "100.0%", which
    :func:`_limit_problem` refuses (wave 43)."""
    edges = (null,) if finite(null) is not None else _DEFAULT_BOUNDS[bool(percent)]
    return places_avoiding(value, *edges, *(stated or ()), digits=digits)


@dataclass(frozen=True)
class Duration:
    """A length of follow-up or a window: ``365 days``, ``12 months``."""

    value: int
    unit: str = "day"


@dataclass(frozen=True)
class Period:
    """A year, an edition or a date: ``2024``, ``2024-25``, ``2024-04-01``."""

    text: str


@dataclass(frozen=True)
class Level:
    """A confidence level: ``95%``."""

    value: int = 95


@dataclass(frozen=True)
class RuleNumber:
    """A number the SDC profile states (:data:`RULE_QUANTITIES`), such as its threshold."""

    quantity: str
    profile: str | None = None


@dataclass(frozen=True)
class Parameter:
    """A named analysis parameter (a setting or a design size, never a count of people).

    ``name`` is a parameter of the run (``n_boot``: :data:`RUN_PARAMETER`), whose value
    the gate checks against the run's recorded parameters, or a library setting of
    :data:`~lifetools.disclosure.settings.SETTINGS`, whose value must be one it can
    take. Anything else is refused.
    """

    value: int | float
    name: str


@dataclass(frozen=True)
class Reason:
    """A reason written by a library function (why a result is not shown)."""

    text: str
    profile: str | None = None


def _parameter_text(value: float) -> str:
    """A parameter's text: a whole number with thousands separators, any other to the
    places its six significant figures need (the places ``f"{value:g}"`` wrote: 0.1,
    2.15443, 3), through :func:`fixed`, so a negative parameter has the minus sign
    :data:`MINUS` as every other published number. Tested in
    ``tests/unit/test_protected_text.py``."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        return fixed(int(value), 0)
    number = float(value)
    if not math.isfinite(number):
        return fixed(number, 0)
    mantissa, _, exponent = f"{abs(number):.5e}".partition("e")
    figures = mantissa.replace(".", "").rstrip("0") or "0"
    return fixed(number, max(len(figures) - 1 - int(exponent), 0))


def _render(kind: str, d: Mapping[str, Any]) -> str:
    """The text of a span, from what its record says (the gate's re-render too).

    Every number a span writes goes through :func:`fixed` (counts, durations, levels
    and rule numbers as whole numbers): one function gives each its thousands
    separators and its sign, the minus sign :data:`MINUS`. Checked by
    ``test_every_numeric_span_written_by_fixed`` in ``tests/unit/test_protected_text.py``.
    """
    if kind == "count":
        value = d["value"]
        return (get_profile(d["profile"]).suppressed_words() if value is None
                else fixed(int(value), 0))
    if kind in ("share", "rate", "mean", "difference", "estimate"):
        return fixed(float(d["value"]), int(d["digits"]), bool(d.get("percent")))
    if kind == "interval":
        null, stated = d.get("null"), d.get("stated")
        return " to ".join(
            fixed(float(d[end]), _limit_places(float(d[end]), int(d["digits"]), null,
                                               stated, bool(d.get("percent"))),
                  bool(d.get("percent")))
            for end in ("low", "high"))
    if kind == "duration":
        n = int(d["value"])
        return f"{fixed(n, 0)} {d['unit']}{'' if n == 1 else 's'}"
    if kind == "level":
        return fixed(int(d["value"]), 0, percent=True)
    if kind == "rule":
        value = RULE_QUANTITIES[d["quantity"]](get_profile(d["profile"]))
        return "zero" if d["quantity"] == "zero" else fixed(value, 0)
    if kind == "parameter":
        return _parameter_text(d["value"])
    if kind in ("period", "reason"):
        return str(d["text"])
    raise DisclosureError(f"unknown kind of protected span {kind!r}")


def _part(part: Any, profile: SdcProfile) -> tuple[str, list[dict[str, Any]]]:
    """The text of one part and its spans (relative to that text)."""
    if isinstance(part, ProtectedText):
        part.verify()
        return str(part), [dict(s) for s in part.spans]
    if isinstance(part, str):
        if numbers_in(part):
            raise DisclosureError(
                "unprotected-number-in-text: a plain string part holds a digit or a "
                "number word", hint="give the number as a protected value or a typed "
                "part (Estimate, Duration, Parameter ...) of lt.disclosure.compose")
        return part, []
    if isinstance(part, ProtectedValue):
        part.verify()
        if part.kind == "count":
            detail: dict[str, Any] = {"value": part.value, "profile": part.profile}
        else:
            if part.value is None:
                raise DisclosureError(f"a suppressed {part.kind} has no number to "
                                      "write: state its reason instead")
            detail = {"value": float(part.value), "digits": 1 if part.kind == "share"
                      else 2, "percent": part.kind == "share",
                      "numerator": part.numerator, "denominator": part.denominator,
                      "profile": part.profile}
            if part.kind == "rate":  # what the gate recomputes it from
                detail["per"] = part.per
        kind = part.kind
    elif isinstance(part, Estimate):
        if finite(part.value) is None or part.digits < 1:
            raise DisclosureError("an Estimate needs a finite value and at least one "
                                  "decimal place (a whole number could be a count)")
        kind, detail = "estimate", {"value": float(part.value), "digits": part.digits,
                                    "percent": part.percent}
    elif isinstance(part, Interval):
        if None in (finite(part.low), finite(part.high)) or part.digits < 1 \
                or part.low > part.high:
            raise DisclosureError("an Interval needs finite limits in order and at least "
                                  "one decimal place")
        kind, detail = "interval", {"low": float(part.low), "high": float(part.high),
                                    "digits": part.digits, "percent": part.percent}
        if part.null is not None and (any(  # recorded only where it changes the text
                bound_places(v, digits=part.digits, null=part.null) != part.digits
                for v in (float(part.low), float(part.high)))
                # or where the gate reads a limit against it (wave 43): the interval
                # degenerate (a ratio's 0), or a limit written as a bound it would
                # otherwise be read against (_limit_problem)
                or (part.null == 1 and float(part.low) <= 0)
                or any(float(fixed(v, part.digits).replace(",", "").replace(MINUS, "-"))
                       in _DEFAULT_BOUNDS[bool(part.percent)]
                       for v in (float(part.low), float(part.high)))):
            detail["null"] = float(part.null)
        if part.stated and any(  # recorded only where it changes the text
                # with the null the text is written with (recorded or not)
                _limit_places(v, part.digits, detail.get("null"), part.stated, part.percent)
                != _limit_places(v, part.digits, detail.get("null"), (), part.percent)
                for v in (float(part.low), float(part.high))):
            detail["stated"] = [float(v) for v in part.stated]
        if part.of is not None:
            of = part.of.verify()
            detail.update(of_kind=of.kind, numerator=of.numerator,
                          denominator=of.denominator, profile=of.profile)
            if of.kind == "rate":
                detail["per"] = of.per
    elif isinstance(part, Duration):
        kind, detail = "duration", {"value": int(part.value), "unit": part.unit}
    elif isinstance(part, Period):
        kind, detail = "period", {"text": part.text}
    elif isinstance(part, Level):
        kind, detail = "level", {"value": int(part.value)}
    elif isinstance(part, RuleNumber):
        kind, detail = "rule", {"quantity": part.quantity,
                                "profile": part.profile or profile.name}
    elif isinstance(part, Parameter):
        value = (int(part.value) if isinstance(part.value, Integral)
                 and not isinstance(part.value, bool) else float(part.value))
        kind, detail = "parameter", {"value": value, "name": part.name}
    elif isinstance(part, Reason):
        kind, detail = "reason", {"text": part.text,
                                  "profile": part.profile or profile.name}
    else:
        raise DisclosureError(
            f"unprotected-number-in-text: a {type(part).__name__} is not a protected "
            "part of a text", hint="use a ProtectedValue, Estimate, Interval, Duration, "
            "Period, Level, RuleNumber, Parameter, Reason or plain words")
    problem = _check(kind, detail)
    if problem:
        raise DisclosureError(f"{kind} part refused: {problem}")
    text = _render(kind, detail)
    return text, [{"start": 0, "end": len(text), "kind": kind, **detail}]


class ProtectedText(str):
    """A text whose every number came from a typed, checked part (made by :func:`compose`)."""

    spans: tuple[Mapping[str, Any], ...]

    def __new__(cls, text: str, spans: Iterable[Mapping[str, Any]], seal: str,
                _token: object = None) -> ProtectedText:
        if _token is not _SEALED:
            raise DisclosureError("a ProtectedText can only be made by "
                                  "lt.disclosure.compose")
        self = super().__new__(cls, text)
        object.__setattr__(self, "spans", tuple(dict(s) for s in spans))
        object.__setattr__(self, "_seal", seal)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a ProtectedText cannot be changed")

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))  # a copy is a plain string: it is not protected

    def verify(self) -> ProtectedText:
        """Return ``self`` if its text and spans are as :func:`compose` made them."""
        if not hmac.compare_digest(self._seal, _text_seal(str(self), self.spans)):
            raise DisclosureError("a ProtectedText was changed after it was composed")
        return self

    def stamp(self) -> list[dict[str, Any]]:
        """The spans as written into a display's stamp (JSON)."""
        return [dict(s) for s in self.spans]


def _text_seal(text: str, spans: Iterable[Mapping[str, Any]]) -> str:
    return _seal("text", text, json.dumps(list(spans), sort_keys=True, default=str))


def _make(text: str, spans: list[dict[str, Any]]) -> ProtectedText:
    return ProtectedText(text, spans, _text_seal(text, spans), _token=_SEALED)


def compose(template: str, /, profile: SdcProfile | str | None = None,
            **parts: Any) -> ProtectedText:
    """Fill a template's ``{fields}`` with protected parts; the only maker of a text.

    Raises
    ------
    DisclosureError
        ``unprotected-number-in-text`` when the template's fixed words hold a digit or
        a number word, or a part is not a protected type; or a part fails its rule.

    Notes
    -----
    Format specifications and positional fields are refused: a part formats itself.
    Tested in ``tests/unit/test_protected_text.py``.
    """
    p = get_profile(profile)
    text, spans = "", []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if numbers_in(literal):
            raise DisclosureError(
                "unprotected-number-in-text: the fixed words of a text hold a digit or "
                "a number word", hint="give every number as a protected part")
        text += literal
        if field is None:
            continue
        if spec or conversion or not field.isidentifier():
            raise DisclosureError("a text template field is a plain name, without a "
                                  "format specification")
        rendered, inner = _part(parts[field], p)
        spans += [{**s, "start": s["start"] + len(text), "end": s["end"] + len(text)}
                  for s in inner]
        text += rendered
    shares = share_pair_problem(text, spans, p)
    if shares:
        raise DisclosureError(f"protected-span: {shares}",
                              hint="make the share with lt.disclosure.share from the "
                                   "published counts the text gives")
    problem = count_pair_problem(text, spans, p)
    if problem:
        raise DisclosureError(f"{GROUP_RULE}: {problem}",
                              hint="hide the count (a share of all or none of a group is "
                                   "not shown either), or state a fact true by "
                                   "definition in words")
    if p.group_disclosure and all_or_none_clause(text):
        raise DisclosureError(f"{ALL_OR_NONE_RULE}: the sentence says that all or none of "
                              "a group of people had an outcome, in words",
                              hint="give the protected share of the group instead (a "
                                   "share of none or all of a group is not shown), or "
                                   "state a definition as one")
    return _make(text, spans)


_OF = re.compile(r"\s+(?:out\s+)?of\s+(?:(?:all|the|these|those|them)[\s,]+){0,2}",
                 re.IGNORECASE)
"""The words between two counts that make the first a part of the second's group ("60
of the 60", "0 out of all 40")."""

QUANTIFIERS = (r"all|both|each|every(?:\s+single)?(?:\s+one)?|everyone|everybody|none|"
               r"neither|no\s+one|nobody|(?:the\s+)?(?:whole|entire)(?:\s+(?:group|cohort|"
               r"population|sample|set|list|lot))?")
"""Words that say how many of a group without a number: "all", "none", "each",
"every one", "every single one", "no one", "neither", "both", "the whole group", "the
entire cohort" (issue 12; "the whole group of 60 people was admitted" passed until
wave 29)."""
_SPACE = r"(?:[ \t]+\n?[ \t]*|\n[ \t]*)"  # spaces with at most one line break
_QUANTIFIED_BEFORE = re.compile(
    rf"(?<![\w-])(?<!\bof\s)(?<!\bof\sthe\s)(?:{QUANTIFIERS})(?:{_SPACE}(?:(?:out{_SPACE})?of|among))?"
    rf"(?:{_SPACE}(?:the|these|those))?{_SPACE}\Z", re.IGNORECASE)
"""A quantifier just before a count: "all 60 people", "none of the 60", "each of the
60" ("of all 60" and "of the whole cohort of 60" are the first words of "k of all n":
the pair rule reads them)."""
_QUANTIFIED_AFTER = re.compile(
    rf"[^.;:!?\n]{{0,60}}?(?<![\w-])(?:{QUANTIFIERS})\s+of\s+(?:whom|them|those)\b",
    re.IGNORECASE)
"""A quantifier after a count in the same clause: "60 people, all of whom were
admitted", "60 were referred; none of them ..." stops at the clause's end."""
_WINDOW = 120
"""How many characters either side of a count :func:`quantified` reads: longer than
any phrase the patterns are meant to find, so reading a window instead of the whole
text changes no answer for them, and a long text (a page holds 100,000 characters and
thousands of numbers) costs time in proportion to its length, not to its square."""


def quantified(text: str, start: int, end: int) -> bool:
    """Whether a word for all or none of a group (:data:`QUANTIFIERS`) stands beside the
    number at ``text[start:end]``: just before it ("all 60", "none of the 60") or
    after it in the same clause ("60 people, all of whom"). The publish gate reads
    free text with it too (``pipeline.gate.rules.kofn_findings``)."""
    return bool(_QUANTIFIED_BEFORE.search(text, max(0, start - _WINDOW), start)
                or _QUANTIFIED_AFTER.match(text, end, end + _WINDOW))


def count_pair_problem(text: str, spans: Iterable[Mapping[str, Any]],
                       profile: SdcProfile | str | None = None) -> str:
    """Group disclosure in a sentence of counts: "<k> of (the) <n>" with k equal
    to n, or k 0 and n above 0, says every one (or none) of the n people had it ("60
    of the 60 people were admitted"), whatever n; so does a word for all or none of
    them beside one count (:data:`QUANTIFIERS`: "all 60 people were admitted", "none
    of the 60", "60 people, all of whom"). "" when there is no such pair or word, or
    the profile does not rule group disclosure. A word with no count beside it ("none
    of the people in the group had a crisis") is read by the rule of a word for all or
    none of a group with an outcome (:func:`lifetools.disclosure.all_or_none.
    all_or_none_clause`, which :func:`compose` and the gate run too). Tested in
    ``tests/unit/test_disclosure_withheld.py``."""
    p = get_profile(profile) if not isinstance(profile, SdcProfile) else profile
    if not p.group_disclosure:
        return ""
    counts = sorted((s for s in spans if isinstance(s, Mapping) and s.get("kind") == "count"
                     and isinstance(s.get("value"), int)), key=lambda s: s.get("start", 0))
    for first, second in zip(counts, counts[1:], strict=False):
        between = text[int(first["end"]):int(second["start"])]
        k, n = first["value"], second["value"]
        if _OF.fullmatch(between) and n > 0 and k in (0, n):
            return (f"a count of {'all' if k == n else 'none'} of a group beside the "
                    "group's size ('k of n'): it says something about every person in "
                    "the group")
    for count in counts:
        if count["value"] > 0 and quantified(text, int(count["start"]), int(count["end"])):
            return ("a word for all or none of a group ('all', 'none of', 'each of') "
                    "beside the group's size: it says something about every person in "
                    "the group, as 'k of n' with k equal to n or 0 does")
    return ""


def _count_pairs(text: str, spans: Iterable[Mapping[str, Any]]
                 ) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Each "<k> of (the) <n>" of a text: two count spans in a row, joined by
    :data:`_OF`, both with a number."""
    counts = sorted((s for s in spans if isinstance(s, Mapping) and s.get("kind") == "count"
                     and isinstance(s.get("value"), int)), key=lambda s: s.get("start", 0))
    return [(first, second) for first, second in zip(counts, counts[1:], strict=False)
            if _OF.fullmatch(text[int(first["end"]):int(second["start"])])]


def share_pair_problem(text: str, spans: Iterable[Mapping[str, Any]],
                       profile: SdcProfile | str | None = None) -> str:
    """A share of a text checked against the group sizes the same text gives ("10 of
    25 improved (48.0%)"): a share span that, of a group of ``n`` the text writes as
    "<k> of <n>", can only be a count the profile would not publish (48.0% of 25 is
    12) is refused, whatever numerator and denominator its record names. The record
    says what the share was worked out from; the text says what it is of, and the gate
    believes the text (:func:`lifetools.disclosure.rules.unpublishable_between`, the
    rule the rate check applies to a rate and its person-time). "" when none does."""
    p = get_profile(profile) if not isinstance(profile, SdcProfile) else profile
    spans = [s for s in spans if isinstance(s, Mapping)]
    groups = {int(n["value"]) for _k, n in _count_pairs(text, spans) if n["value"] > 0}
    for span in spans:
        value = finite(span.get("value"))
        if span.get("kind") != "share" or value is None:
            continue
        half = 0.5 * 10.0 ** -int(span.get("digits", 1))
        for n in sorted(groups):
            if unpublishable_between((value - half) * n / 100, (value + half) * n / 100, p):
                return ("a share that, of a group whose size the text gives ('k of n'), "
                        "gives back a count the profile would not publish: it was not "
                        "worked out from the published counts beside it")
    return ""


def join(separator: str, texts: Iterable[Any]) -> ProtectedText:
    """Join protected texts (or number-free words) with ``separator``."""
    items = list(texts)
    fields = {f"part{i}": t for i, t in enumerate(items)}
    return compose(separator.replace("{", "{{").replace("}", "}}").join(
        "{" + k + "}" for k in fields), **fields)


def edit_words(text: ProtectedText, edits: Iterable[tuple[int, int, str]],
               profile: SdcProfile | str | None = None) -> ProtectedText:
    """``text`` with words changed: each edit ``(start, end, words)`` replaces
    ``text[start:end]`` by ``words`` (a term's plain words added or taken out,
    :func:`lifetools.labels.term_edits`), the spans moved with their text and sealed
    anew, so that the publish gate re-renders the result span by span as it would the
    text :func:`compose` made.

    An edit is made only when neither the words it removes nor those it writes hold a
    digit or a number word, and it lies outside every span, or inside a reason span
    (whose text is recorded: the span's record takes the new words, and the reason
    still passes its rule). Any other edit is left out: it would touch a protected
    number, or put a number where the gate refuses one. When the result would break
    the rule of group disclosure (:func:`count_pair_problem`), ``text`` is returned as
    it is. Edits must be in order and must not overlap. Tested in
    ``tests/unit/test_protected_text.py``.

    Raises
    ------
    DisclosureError
        If ``text`` was changed after it was composed.
    """
    text = text.verify()
    source, spans = str(text), [dict(s) for s in text.spans]
    chosen, at = [], 0
    for start, end, words in edits:
        if not (at <= start <= end <= len(source)) or numbers_in(words) \
                or numbers_in(source[start:end]):
            continue
        holders = [s for s in spans if s["start"] < end and start < s["end"]
                   or s["start"] < start < s["end"]]
        if any(s["kind"] != "reason" or not s["start"] <= start <= end <= s["end"]
               for s in holders):
            continue
        chosen.append((start, end, words, holders[0] if holders else None))
        at = end
    if not chosen:
        return text
    p = get_profile(profile)
    out, last = "", 0
    for start, end, words, _ in chosen:
        out += source[last:start] + words
        last = end
    out += source[last:]

    def change(edit: tuple[int, int, str, Any]) -> int:
        return len(edit[2]) - (edit[1] - edit[0])

    new = [{**s, "start": s["start"] + sum(change(e) for e in chosen if e[1] <= s["start"]),
            "end": s["end"] + sum(change(e) for e in chosen
                                  if e[1] <= s["end"] and e[0] < s["end"])}
           for s in spans]
    for span in new:
        if span["kind"] == "reason":
            span["text"] = out[span["start"]:span["end"]]
            if _check("reason", {k: v for k, v in span.items()
                                 if k not in ("start", "end", "kind")}, p):
                return text
    if count_pair_problem(out, new, p):
        return text
    return _make(out, new)


def protect_text(text: Any) -> ProtectedText:
    """A :class:`ProtectedText` as given, or number-free words made into one."""
    if isinstance(text, ProtectedText):
        return text.verify()
    if not isinstance(text, str):
        raise DisclosureError(f"expected a text, got {type(text).__name__}")
    if numbers_in(text):
        raise DisclosureError(
            "unprotected-number-in-text: a hand-written text holds a digit or a number "
            "word, which did not come from a protected value",
            hint="build the text with lt.disclosure.compose from protected values")
    return _make(text, [])


def _check(kind: str, d: Mapping[str, Any], profile: SdcProfile | None = None,
           parameters: Mapping[str, Any] | None = None) -> str:
    """Why a span's record breaks its rule ("" when it does not)."""
    if profile is not None and "profile" in d and d["profile"] != profile.name:
        return f"made under the {d['profile']!r} rules, not {profile.name!r}"
    p = get_profile(d.get("profile")) if d.get("profile") else profile
    if kind == "count":
        value = d.get("value")
        if value is not None and not (isinstance(value, int) and p.publishable(value)):
            return "a count the profile would not publish"
        return ""
    if kind in ("share", "rate", "mean", "difference", "interval", "estimate"):
        values = ([d.get("low"), d.get("high")] if kind == "interval"
                  else [d.get("value")])
        if any(finite(v) is None for v in values) or int(d.get("digits", 0)) < 1:
            return "not a finite number written with decimal places"
        if kind == "interval":
            problem = _limit_problem(d)
            if problem:
                return problem
        of = d.get("of_kind", kind)
        num, den = d.get("numerator"), d.get("denominator")
        if of == "share":
            if not all(isinstance(c, int) and p.publishable(c) for c in (num, den)) or \
                    not den:
                return "a share whose numerator or denominator is not a published count"
            if kind == "share" and abs(float(d["value"]) - 100 * num / den) > 1e-6:
                return "a share that is not its published numerator over its denominator"
            if p.group_disclosure and extreme_share(100 * num / den):
                return ("a share of none or all of a group (group disclosure): it says "
                        "something about every person in the group")
            if kind == "interval":
                low, high = published_share_interval(num, den, profile=p)
                if abs(100 * low - d["low"]) > 1e-6 or abs(100 * high - d["high"]) > 1e-6:
                    return "a share's interval that is not the interval of its " \
                           "published numbers (Wilson's, over the counts they round from)"
        if of == "rate" and not (isinstance(num, int) and p.publishable(num)):
            return "a rate whose numerator is not a published count"
        if of == "rate":
            return _rate_problem(kind, d)
        return ""
    if kind == "duration":
        return "" if d.get("unit") in UNITS and int(d["value"]) >= 0 else \
            "a duration needs a whole number of days, weeks, months or years"
    if kind == "level":
        return "" if d.get("value") in LEVELS else "not a usual confidence level"
    if kind == "rule":
        return "" if d.get("quantity") in RULE_QUANTITIES else "not a rule of the profile"
    if kind == "parameter":
        return parameter_problem(str(d.get("name", "")), d.get("value"), parameters)
    if kind == "period":
        return "" if _PERIOD.fullmatch(str(d.get("text"))) else \
            "not a year, an edition or a date"
    if kind == "reason":
        return _reason_problem(str(d.get("text", "")), p)
    return f"unknown kind {kind!r}"


def _rate_problem(kind: str, d: Mapping[str, Any]) -> str:
    """A rate span (or its interval's) recomputed from what it records: ``per`` x the
    published numerator / the published denominator (person-years), its limits the
    exact Poisson limits of the numerator over the same (:func:`~lifetools.disclosure.
    rate`); a rate whose multiplier or denominator is not recorded cannot be, and is
    refused. Until wave 43 only its numerator was checked."""
    per, den, num = finite(d.get("per")), finite(d.get("denominator")), d.get("numerator")
    if per is None or not den or den <= 0 or per <= 0:
        return ("a rate whose multiplier or denominator is not recorded: it cannot be "
                "recomputed from its published numbers")
    if den != round_person_time(den, profile=d.get("profile")):
        # the exact person-time gives the headcount away (round_person_time)
        return ("a rate over person-time that is not published person-time (rounded as "
                "counts are): made from the exact person-years")
    if kind == "interval":
        expected = [per * limit / den for limit in poisson_interval(num)]
        shown = [float(d["low"]), float(d["high"])]
    else:
        expected, shown = [per * num / den], [float(d["value"])]
    if not all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
               for a, b in zip(shown, expected, strict=True)):
        return ("a rate that is not its multiplier times its published numerator over "
                "its published denominator" + (" (exact Poisson limits)"
                                                if kind == "interval" else ""))
    return ""


_DEFAULT_BOUNDS = {False: (0.0, 1.0), True: (0.0, 100.0)}
"""The values an interval's limit is read against when its record names no null: the
nulls and bounds of the usual scales (a difference's 0, a ratio's 1, a proportion's
0 and 1; in per cent 0% and 100%)."""


def _limit_problem(d: Mapping[str, Any]) -> str:
    """Why an interval's recorded limits break the release rules as written (wave 43):
    the page reads a limit of "1.00" as 1, which the text alone cannot tell from
    0.9996 rounded onto it, so each limit is read against its recorded value:

    - a limit written (at the places :func:`_limit_places` gives it) as its recorded
      null (a ratio's: 1 or 0) or a stated limit, or, with no null recorded, as 0 or 1
      (0% or 100%), that is not that value, is refused: it reads on the wrong side of, or as, a bound (give the Interval its
      ``null`` and ``stated``, so that the one rule keeps it off them);
    - a degenerate interval is refused, as the release rules say: limits equal, or a
      ratio's (``null`` 1) lower limit of 0.
    """
    low, high = float(d["low"]), float(d["high"])
    null, stated, digits = d.get("null"), d.get("stated"), int(d["digits"])
    if low == high:
        return "a degenerate interval (its limits are equal)"
    if null == 1 and low <= 0:
        return "a degenerate interval (a ratio's lower limit of 0)"
    # its null (a ratio's also its degenerate 0), else the usual nulls and bounds of
    # a scale the record does not name (0 and 1, or 0% and 100%), and stated limits
    bounds = {*(float(v) for v in stated or () if finite(v) is not None),
              *(_DEFAULT_BOUNDS[bool(d.get("percent"))] if finite(null) is None else
                {float(null), *((0.0,) if null == 1 else ())})}
    for value in (low, high):
        shown = float(f"{value:.{_limit_places(value, digits, null, stated, bool(d.get('percent')))}f}")
        if shown in bounds and value != shown:
            return (f"a confidence limit written as {shown:g}, which its recorded value "
                    "is not (give the Interval its null and stated limits, which the "
                    "one rule keeps it off: lifetools.signs.places_avoiding)")
    return ""


def _reason_problem(text: str, profile: SdcProfile) -> str:
    named = rule_reason_named(text)
    if named:  # "not shown (group disclosure)": the reason narrows the value
        return (f"a reason that says which rule hid the value ({named!r}): it narrows "
                f"the hidden value; say {PRIVACY!r} (lt.disclosure.withheld)")
    if re.search(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", text, re.IGNORECASE):
        return "a reason that writes a number in words"
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if "." in token:
            continue
        words = re.findall(r"[A-Za-z]+", text[:match.start()])
        before = " ".join(words[-2:])
        if words and (BOUND_WORDS.fullmatch(words[-1]) or BOUND_WORDS.fullmatch(before)):
            continue
        value = int(token.replace(",", ""))
        if not profile.publishable(abs(value)):
            return "a reason that states a count the profile would not publish"
    return ""


def span_findings(text: str, span: Mapping[str, Any],
                  profile: SdcProfile | str | None = None,
                  parameters: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """The gate's re-check of one recorded span: re-rendered and checked by its rule.

    ``parameters``: the run's recorded parameters, against which a parameter span's
    name and value are checked (``{}`` when the run recorded none).
    """
    kind = span.get("kind", "")
    detail = {k: v for k, v in span.items() if k not in ("start", "end", "kind")}
    try:
        problem = _check(kind, detail, get_profile(profile), parameters)
        if not problem and _render(kind, detail) != text:
            problem = "its text is not what its recorded value gives"
    except (KeyError, TypeError, ValueError, DisclosureError):
        problem = "its record is incomplete"
    return [("protected-span", f"a {kind or 'unknown'} span refused: {problem}")] \
        if problem else []


def text_findings(text: str, spans: Any, profile: SdcProfile | str | None = None,
                  parameters: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """Refusals for a sealed text: bad spans, and numbers outside every span."""
    if not isinstance(spans, list):
        spans = []
    found: list[tuple[str, str]] = []
    outside, at = [], 0
    for span in sorted((s for s in spans if isinstance(s, dict)),
                       key=lambda s: (s.get("start", 0), s.get("end", 0))):
        start, end = span.get("start"), span.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and at <= start <= end
                <= len(text)):
            found.append(("protected-span", "a span lies outside the text or overlaps "
                          "another"))
            continue
        found += span_findings(text[start:end], span, profile, parameters)
        outside.append(text[at:start])
        at = end
    outside.append(text[at:])
    try:
        pair = count_pair_problem(text, spans, profile)
        shares = share_pair_problem(text, spans, profile)
    except (KeyError, TypeError, ValueError, DisclosureError):
        pair, shares = "", ""
    if pair:
        found.append((GROUP_RULE, pair))
    if shares:
        found.append(("protected-span", shares))
    kinds = {k for part in outside for _, _, k in numbers_in(part)}
    for kind in sorted(kinds):
        found.append(("unprotected-number-in-text", f"a {kind} outside every protected "
                      "value of the text (a number typed by hand)"))
    return list(dict.fromkeys(found))
