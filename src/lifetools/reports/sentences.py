"""One sentence per published result: its value, interval and verdict, or why not shown.

A page never puts a number that may be missing inside fixed words ("changed by could
not be estimated points"): every result that can fail to be estimated or be withheld by
disclosure control reaches the Markdown of a report as a whole sentence made here, from
what was computed. Numbers are formatted by :func:`lifetools.formatting.format_value`
and verdicts chosen by :func:`lifetools.formatting.verdict` (rules:
``book/methods/verdicts.md``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lifetools.convergence import DIVERGED
from lifetools.disclosure import (
    Estimate,
    Interval,
    Level,
    ProtectedText,
    ProtectedValue,
    Reason,
    compose,
)
from lifetools.disclosure.models import COULD_NOT, withheld_words
from lifetools.disclosure.withheld import (
    PRIVACY,
    LeftOut,
    WithheldReason,
    kind_of,
    left_out,
    public_reason,
    unrepeated,
)
from lifetools.formatting import finite, verdict
from lifetools.labels import explain_terms, quoted, with_words

__all__ = ["CI_LEVEL", "C_JUDGE", "C_STATISTIC", "estimate_part", "interval_result", "interval_text", "not_shown_sentence",
           "not_shown_sentences",
           "plain_fit_reason", "plain_reason", "reason_result", "reason_text", "result_sentence", "same_reason_sentence", "withheld_reasons",
           "withheld_text"]

CI_LEVEL = Level(95)
"""The confidence level every interval on the site is stated at (``{level}``)."""

_PREFIXES = ("could not be estimated:", "not estimable:", "withheld:")
_TAGS = ("separated",)
"""Technical tags a fit's reason starts with ("separated: too few events of interest
among those with it ...", :func:`lifetools.survival.finegray.separation_reason`): the
words after the tag say it plainly, so a page leaves the tag out."""

C_STATISTIC = {
    "corrected": ("After correcting for optimism its C-statistic was {value} ({level} "
                  "confidence interval {interval}, by the location-shifted bootstrap): "
                  "{verdict}.", "The optimism-corrected C-statistic"),
    "validation": ("its C-statistic was {value} ({level} confidence interval {interval}): "
                   "{verdict}.", "the C-statistic of the frozen model in this year's cohort"),
    "emergency": ("The " + with_words("C-statistic") + " of the A&E prediction model was "
                  "{value} ({level} confidence interval {interval}, by Hanley and McNeil's "
                  "method): {verdict}.", "The " + with_words("C-statistic")),
}
"""The reports' sentences of a C-statistic (``found``, ``missing`` of
:func:`result_sentence`): the crisis report's optimism-corrected and validation values,
the emergency report's. A page gives the term's plain words once, at its first mention
(:data:`lifetools.labels.TERMS`, :func:`lifetools.labels.gloss_findings`): the crisis
page's main point opens it with "C-statistic (how well the model ranks people by
risk)" (``analyses/analyses.yml``), so its sentences below say the term alone (each
added the words again until wave 38: 5 times on the page); the emergency page's first
mention is its sentence, which gives them.
Each states its interval and the verdict of :data:`C_JUDGE` (the interval's method named
where it is not the table's: the optimism-corrected value's is Noma et al.'s
location-shifted bootstrap, the emergency model's Hanley and McNeil's). The validation
value's sentence continues the page's sentence "Applied unchanged to this year's N
people, ...", so its ``missing`` subject starts in lower case, as its ``found``
sentence ("its C-statistic was ...") does."""

C_JUDGE = {"null": 0.5, "on_null": "compatible with ranking people no better than chance",
           "above": "it ranks people better than chance",
           "below": "it ranks people worse than chance"}
"""The verdict's words for a C-statistic's interval (0.5 ranks no better than chance);
the landing page's main point in ``analyses/analyses.yml`` uses the same words."""


_TECHNICAL = re.compile(
    r"(?P<term>[A-Za-z0-9_]+): (?:separated: too few (?:events of interest|events) "
    r"(?P<where>among those with it|among those without it|above its lowest value"
    r"|below its highest value)(?: \(its coefficient runs to (?:minus )?infinity\))?"
    r"|(?P<open>its coefficient may be infinite(?: \(R's rule: [^()]*\))?"
    r"|" + re.escape(DIVERGED) + "))")
"""A model term and the estimators' technical reason why its effect has no estimate:
separation (:func:`lifetools.survival.finegray.separation_reason`), R's rule of a
coefficient that may be infinite (:data:`lifetools.survival.cox.INFINITE`), an
interval reaching 0 or infinity (:data:`lifetools.convergence.DIVERGED`), each
whole or as far as its first bracket (:func:`lifetools.reports.survival_parts.
short_reason`). The words are for analysts (the methods pages explain them); a page
gives them in plain words (:func:`plain_fit_reason`)."""
_WHERE = {"among those with it": "in the group {label}",
          "among those without it": "outside the group {label}",
          "above its lowest value": "above the lowest value of {label}",
          "below its highest value": "below the highest value of {label}"}


def plain_fit_reason(text: str, labels: Mapping[str, str] | None = None, *,
                     outcome: str = "had the outcome", effect: bool = True) -> str:
    """``text`` with each technical reason of a term (:data:`_TECHNICAL`) in plain words.

    "exposed: separated: too few events of interest among those with it (its
    coefficient runs to minus infinity)" reads "too few people in the group 'Life Rooms
    use' were discharged, so the model cannot estimate its effect" (``outcome`` "were
    discharged"; without ``effect``, the words after the comma are left out, for a
    sentence that already says the result could not be estimated); R's "its coefficient
    may be infinite" and "the data could not pin down this estimate" read "the
    model cannot estimate the effect of 'Life Rooms use', probably because too few
    people in one of its groups were discharged". "Too few", never "no one": a group's
    events are shown elsewhere only as "fewer than" a threshold. Other text is kept.
    """
    def plain(match: re.Match[str]) -> str:
        term = match["term"]
        label = (labels or {}).get(term, term.replace("_", " "))
        if match["where"]:
            group = _WHERE[match["where"]].format(label=quoted(label))
            return (f"too few people {group} {outcome}"
                    + (", so the model cannot estimate its effect" if effect else ""))
        return (f"the model cannot estimate the effect of {quoted(label)}, probably "
                f"because too few people in some of its groups {outcome}")

    return _TECHNICAL.sub(plain, str(text))


def plain_reason(reason: str, labels: Mapping[str, str] | None = None) -> str:
    """The first reason of a list, in short words, with model terms as labels.

    "could not be estimated: exposed: did not converge; female: ..." reads "the fit
    did not converge for ‘Life Rooms use’" (until wave 28 "did not converge (Life Rooms
    use)", no sentence): a page gives one reason; the model's table and its notes give
    them all. Another term's reason reads "<reason> (<label>)".
    """
    text = str(reason).strip()
    for prefix in _PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix):].strip()
    first = unrepeated(_first_clause(text).strip().rstrip("."))
    plain = plain_fit_reason(first, labels, effect=False)
    if plain != first:  # a fit's technical reason, in plain words with its term's label
        return plain
    term, sep, rest = first.partition(": ")
    if sep and " " not in term.strip() and term.strip() not in _TAGS:
        name = (labels or {}).get(term.strip(), term.strip().replace("_", " "))
        first = (f"the fit {rest} for {quoted(name)}" if rest == "did not converge"
                 else f"{rest} ({name})")
    for tag in _TAGS:  # the fit's technical tag is no words for a reader
        first = first.replace(f"{tag}: ", "", 1) if first.startswith(f"{tag}: ") else first
    return first or "the fit did not give an estimate"


def _first_clause(text: str) -> str:
    """Text up to the first ";" outside brackets."""
    depth = 0
    for at, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            return text[:at]
    return text


def _degenerate(estimate: float, low: float | None, high: float | None,
                ratio: bool) -> bool:
    if low is None or high is None:
        return True
    # a share of 100%: its Wilson upper limit computes as 0.9999999999999999
    slack = 1e-9 * max(1.0, abs(estimate))
    if not low - slack <= estimate <= high + slack or low == high:
        return True
    return ratio and (low <= 0 or math.isinf(high))


def result_sentence(
    value: Any,
    *,
    kind: str,
    found: str,
    missing: str,
    interval: Sequence[Any] | None = None,
    reason: str = "",
    judge: Mapping[str, Any] | None = None,
    digits: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """State one result in a sentence, or say plainly why it is not shown.

    Parameters
    ----------
    value
        The estimate (a number, or a :class:`~lifetools.disclosure.ProtectedValue` for
        shares, rates and means; its own interval is used when ``interval`` is None).
    kind
        How the value is written (:func:`~lifetools.formatting.format_value`):
        ``ratio``, ``estimate``, ``percentage``, ``rate``.
    found
        The sentence when the value can be shown; may use ``{value}``, ``{interval}``
        ("0.83 to 1.71"), ``{verdict}`` and ``{level}`` ("95%"). Its fixed words hold
        no number (:func:`lifetools.disclosure.compose`).
    missing
        The subject of the sentence when it cannot ("The rate ratio for emergency
        admissions"): "<missing> could not be estimated: <reason>." or "<missing> is
        not shown: <reason>." (withheld by disclosure control).
    interval
        The 95% confidence limits, if the value has them. A ratio whose interval is
        missing, reaches 0 or infinity, or does not contain the estimate is not shown.
    reason
        Why the fit could not be estimated (its ``reason``); wins over the numbers.
    judge
        For ``{verdict}``: ``null`` (the no-difference value), ``above`` and ``below``
        (the words for an interval wholly above or below it), optionally ``events``
        and ``on_null`` (the words for an interval that includes ``null``).
    digits
        Decimal places, overriding the kind's default.
    labels
        Model term names to words, for the reason.

    Returns
    -------
    ProtectedText
        Every number in it a protected part, for :func:`lifetools.publication.record`.

    Notes
    -----
    Checked by ``tests/unit/test_sentences.py``; used for every result a report's
    Markdown quotes (``tests/unit/test_key_result_names.py`` checks that Markdown
    quotes no bare estimate, interval or share).
    """
    if reason:
        return compose("{missing} could not be estimated: {why}.", missing=missing,
                       why=Reason(plain_reason(reason, labels)))
    number = value
    protected = isinstance(value, ProtectedValue)
    if isinstance(value, ProtectedValue):
        if value.suppressed:
            return not_shown_sentence(missing, public_reason(value.reason))
        number = value.value
        interval = value.interval if interval is None else interval
    estimate = finite(number)
    if estimate is None:
        return compose("{missing} could not be estimated in this edition.",
                       missing=missing)
    bounds: Any = ""
    places = (1 if kind == "percentage" else 2) if digits is None else digits
    if interval is not None:
        low, high = (finite(v) for v in interval)
        if _degenerate(estimate, low, high, ratio=kind == "ratio"):
            return compose("{missing} could not be estimated: the data could not pin "
                           "down its confidence interval.", missing=missing)
        bounds = Interval(low, high, places, percent=kind == "percentage",
                          of=value if protected and interval is value.interval else None,
                          null=None if judge is None else float(judge["null"]))
    words = ""
    if judge is not None:
        limits = interval if interval is not None else (math.nan, math.nan)
        extra = {key: judge[key] for key in ("events", "on_null") if key in judge}
        words = verdict(estimate, limits[0], limits[1], null=judge["null"],
                        above=judge["above"], below=judge["below"], digits=places,
                        **extra)
    shown = value if protected and digits is None else estimate_part(
        estimate, kind=kind, digits=digits)
    return compose(found, value=shown, interval=bounds, verdict=words, level=CI_LEVEL)


def estimate_part(value: float, *, kind: str, digits: int | None = None) -> Estimate:
    """An estimate as a protected part, with the kind's decimal places."""
    places = (1 if kind == "percentage" else 2) if digits is None else digits
    return Estimate(float(value), places, percent=kind == "percentage")


def not_shown_sentence(missing: str, why: str = "") -> ProtectedText:
    """"<missing> is not shown: <why>." (the reason a library gave, or privacy)."""
    return compose("{missing} is not shown: {why}.", missing=missing,
                   why=Reason(why) if why else PRIVACY)


def not_shown_sentences(subjects: list[str], reasons: list[str]) -> list[ProtectedText]:
    """One :func:`not_shown_sentence` per subject, each reason said once: a subject whose
    reason the sentence before it gave reads "<subject> is not shown either, for the
    same reason." (the wellbeing page said "too few people completed a follow-up
    measurement in the period" of the mean change and of the share improving, one
    after the other, until wave 23: issue 15). Tested in
    ``tests/unit/test_narrative.py``."""
    said = []
    for i, (subject, why) in enumerate(zip(subjects, reasons, strict=True)):
        if i and why and why == reasons[i - 1]:
            said.append(same_reason_sentence(subject))
        else:
            said.append(not_shown_sentence(subject, why))
    return said


def no_e_value_sentence(estimate: str, *, failed: bool) -> ProtectedText:
    """"No E-value is given: <estimate> could not be estimated." when its fit gave no
    number (``failed``), else "... is not shown." (withheld): the words the
    estimate's own summary sentence used (the 2024-25 discharge page at 3,000 people
    said "could not be estimated" of a ratio and "could not be shown" of its E-value
    until wave 30, and "could not be shown" beside the tables' "not shown" until
    wave 32: issue 15). The survival reports' and the emergency report's."""
    return compose("No E-value is given: {estimate} " + (
        COULD_NOT if failed else "is not shown") + ".", estimate=estimate)


def same_reason_sentence(missing: Any, verb: str = "is not shown") -> ProtectedText:
    """The sentence on a result after one that gave its reason: "<missing> <verb>
    either, for the same reason." (:func:`not_shown_sentences`,
    :func:`lifetools.reports.narrative.ratio_sentence`)."""
    return compose("{missing} {verb} either, for the same reason.", missing=missing,
                   verb=verb)


def reason_text(reason: Any) -> ProtectedText:
    """A reason a fit or a release check gave, as a protected text (its numbers checked).

    Each technical term in it is given its plain words once
    (:func:`lifetools.labels.explain_terms`: "the calibration slope (whether the
    predicted risks are spread out too much or too little)"); the reason as the library
    wrote it (the crisis report's TRIPOD+AI checklist keeps it) is unchanged.
    """
    return compose("{why}", why=Reason(explain_terms(str(reason))))


def reason_result(reason: Any) -> dict[str, Any]:
    """A key result's text for a reason a fit or a release check gave: ``{"text":
    reason_text(reason)}``, and for a withheld value's bare reason (a
    :class:`~lifetools.disclosure.withheld.WithheldReason`, made by
    :attr:`lifetools.disclosure.ModelRelease.withheld_reason`) the mark
    :func:`lifetools.publication.record` reads (``withheld_reason``), so that it reads
    "not shown: <reason>" whatever its words. Tested in
    ``tests/unit/test_withheld_key_results.py``."""
    return {"text": reason_text(reason),
            **({"withheld_reason": True} if isinstance(reason, WithheldReason) else {}),
            **({"left_out": kind_of(reason)} if kind_of(reason) else {})}


def interval_result(name: str, limits: tuple[Any, Any], *, null: float,
                    label: str, stated: tuple[float, ...] = ()) -> dict[str, Any]:
    """A key result's 95% limits (``<name>_ci``), as the comparison with the previous
    edition reads them (:func:`lifetools.pipeline.compare.compare_results`): the two
    limits and their text (:func:`interval_text` with ``null`` and ``stated``, the
    limits the report states for the estimate: recorded with the result where they
    change the text, so the comparison writes "0.797" as the page does)."""
    low, high = float(limits[0]), float(limits[1])
    return {"name": name, "value": [low, high], "kind": "text",
            "text": interval_text(low, high, null=null, stated=stated), "label": label}


def interval_text(low: float, high: float, digits: int = 2, *,
                  null: float | None = None, stated: tuple[float, ...] = ()) -> ProtectedText:
    """Two confidence limits as a protected text: "0.83 to 1.71".

    ``null`` (1 for a ratio, 0 for a difference): a limit that would round onto it but
    is not it gets extra decimal places, "1.004 to 4.03"
    (:func:`lifetools.formatting.bound_places`).
    """
    return compose("{ci}", ci=Interval(float(low), float(high), digits, null=null,
                                       stated=tuple(float(v) for v in stated)))


def withheld_reasons(checks: Sequence[Any], rules: Sequence[str]) -> list[str]:
    """Why each row of a results table is withheld ("" when shown): one reason per row.

    ``checks`` are the rows' release checks (:func:`lifetools.disclosure.model_release`)
    and ``rules`` the reasons a disclosure rule gave for the same rows (a magnitude rule,
    a suppressed numerator; "" when none). A failed release check comes first, because
    the table it makes states that reason; otherwise the rule's reason. A page's summary
    and its table both read this reason, so they cannot disagree (the table through
    :func:`withheld_text`).

    Notes
    -----
    Tested in ``tests/unit/test_sentences.py``
    (``test_withheld_reasons_*``) and, on the wellbeing report, in
    ``tests/unit/test_reports.py`` (``test_analyse_wellbeing_withheld_*``).
    """
    if len(checks) != len(rules):
        raise ValueError("one disclosure reason per release check")
    # a rule's reason as it was made (public_reason: a LeftOut, its kind kept)
    return [check.reason if not check.released else rule or ""
            for check, rule in zip(checks, rules, strict=True)]


def withheld_text(check: Any, reason: str) -> str:
    """The ``withheld`` cell a table shows for a row withheld for ``reason`` ("" if none).

    Equal to what a failed release check writes (``ModelRelease.apply``), so that the
    cell and the summary sentence give the same reason.
    """
    if not reason:
        return ""
    if check.released:  # a disclosure rule's reason (public_reason): its kind kept
        return left_out(f"withheld: {reason}", reason)
    # as ModelRelease.withheld words it, of the release's kind
    return LeftOut(withheld_words(check.headline, reason), check.kind)
