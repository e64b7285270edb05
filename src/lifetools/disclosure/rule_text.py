"""The sentence stating a profile's rules, for a page, a footnote or a download.

Made from the profile (:mod:`lifetools.disclosure.profiles`) as protected text
(:mod:`lifetools.disclosure.text`) whose numbers are the profile's own, so it can be
recorded as a key result and checked like any other text.
"""

from __future__ import annotations

from lifetools.disclosure.acro_check import ACRO_THRESHOLD
from lifetools.disclosure.profiles import PROFILES, SdcProfile, get_profile
from lifetools.disclosure.rules import protect_count
from lifetools.disclosure.text import RuleNumber, compose

__all__ = ["acro_counts_difference", "group_sentence", "magnitude_sentence",
           "net_benefit_sentence", "rule_sentence", "too_few_sentence",
           "withheld_events_ranges", "withheld_events_sentence", "withheld_sentence"]


def rule_sentence(profile: str | SdcProfile | None = None) -> str:
    """The rules of a profile as one sentence for a page, a footnote or a download.

    Examples: ``default`` gives "Counts from 1 to 7 are suppressed and shown as [c];
    other counts are rounded to the nearest 5." The sentence is a
    :class:`~lifetools.disclosure.ProtectedText` whose numbers are the profile's
    own (:class:`~lifetools.disclosure.RuleNumber`), so it can be recorded as a key
    result.
    """
    p = get_profile(profile)
    rule = {q: RuleNumber(q, p.name) for q in (
        "smallest", "threshold", "base", "midpoint", "base+1", "2*base",
        "2*base-midpoint", "zero")}
    if p.rounding == "midpoint":
        return compose(
            "Counts are rounded to the midpoint of each band of {base} ({zero} stays "
            "{zero}; "
            "{smallest} to {base} is shown as {midpoint}, {base1} to {base2} as "
            "{upper}, and so on), so no count can be read exactly.", profile=p,
            zero=rule["zero"], smallest=rule["smallest"], base=rule["base"], midpoint=rule["midpoint"],
            base1=rule["base+1"], base2=rule["2*base"], upper=rule["2*base-midpoint"])
    if p.threshold >= 1:
        return compose("Counts from {smallest} to {threshold} are suppressed and shown "
                       "as [c]; other counts are rounded to the nearest {base}.",
                       profile=p, smallest=rule["smallest"],
                       threshold=rule["threshold"], base=rule["base"])
    return compose("No count is suppressed for being small; other counts are rounded "
                   "to the nearest {base}.", profile=p, base=rule["base"])


def net_benefit_sentence(profile: str | SdcProfile | None = None, *,
                         treat_all: bool, model: bool, hidden: bool,
                         complete: bool = True) -> str:
    """The count rule as it applies to a decision curve's table, which shows no count:
    what its net benefits are computed from, and whether the rule hid any of them.

    ``treat_all``: the table's net benefit of treating everyone is computed from the
    published counts of people and of people with the outcome (the protection record's
    ``treat_all``); ``model``: the model's net benefit from its published counts of
    people treated and of those with the outcome (``net_benefit_counts``);
    ``hidden``: whether any net benefit is shown as ``[c]``; ``complete``: whether
    every net benefit is shown as a number (not where a withheld model's are left
    out: the table's note says why). For example (``default``,
    both, nothing hidden): "No count is shown: the net benefit of acting for everyone
    is computed from the counts of people and of people with the outcome, and the
    model's from its counts of people treated and of those with the outcome, each
    count rounded to the nearest 5 as published; a count from 1 to 7 would be hidden,
    and the net benefit from it. Every net benefit is shown."

    ``show_table`` states it in place of :func:`rule_sentence`, whose rule under the
    crisis page's decision curve named counts the table does not show and said
    nothing of what it did to the curve (issue 12, wave 42). Its numbers are the
    profile's own (:class:`~lifetools.disclosure.RuleNumber`). Tested in
    ``tests/unit/test_treat_all.py``.
    """
    p = get_profile(profile)
    rule = {q: RuleNumber(q, p.name) for q in ("smallest", "threshold", "base")}
    sources = [words for on, words in (
        (treat_all, "the net benefit of acting for everyone is computed from the counts "
                    "of people and of people with the outcome"),
        (model, ("the model's from" if treat_all else "the model's net benefit is computed "
                 "from") + " its counts of people treated and of those with the "
                 "outcome")) if on]
    rounded = ("rounded to the midpoint of its band of {base}" if p.rounding == "midpoint"
               else "rounded to the nearest {base}")
    small = ("; a count from {smallest} to {threshold} would be hidden, and the net "
             "benefit from it" if p.threshold >= 1 else "")
    shown = (" A net benefit shown as [c] is computed from a hidden count." if hidden
             else " Every net benefit is shown." if complete else "")
    return compose("No count is shown: " + ", and ".join(sources) + ", each count "
                   + rounded + " as published" + small + "." + shown, profile=p,
                   **{k: v for k, v in rule.items()
                      if "{" + k + "}" in rounded + small})


def magnitude_sentence(profile: str | SdcProfile | None = None) -> str:
    """The magnitude rules of a profile (sums, means, medians) as one sentence for a
    table whose protected cells are all statistics of people's values (no count):
    "Statistics of people's values are shown only over at least 10 people, and are
    hidden where a few people's values dominate (the rules in full are in the
    notes of the downloads)." ``show_table`` states it in place of :func:`rule_sentence`,
    whose count rule under a table of medians explained nothing it showed (wave 37).
    Its number is the profile's own (:class:`~lifetools.disclosure.RuleNumber`); the
    dominance rules' numbers are in the downloads' notes. Tested in
    ``tests/unit/test_disclosure_magnitude.py``.
    """
    p = get_profile(profile)
    return compose("Statistics of people's values are shown only over at least {least} "
                   "people, and are hidden where a few people's values dominate "
                   "(the rules in full are in the notes of the downloads).", profile=p,
                   least=RuleNumber("magnitude_threshold", p.name))


def group_sentence(profile: str | SdcProfile | None = None) -> str:
    """The group (class) disclosure rule of a profile as one sentence (no numbers).

    Made from :attr:`SdcProfile.group_disclosure`; the disclosure-control methods page
    states it word for word (checked by ``tests/unit/test_disclosure_groups.py``).
    """
    p = get_profile(profile)
    if not p.group_disclosure:
        return ("Shares of all or none of a group of people are shown as they are "
                "(group disclosure is not ruled).")
    return ("Where every shown member of a group of people falls in one category (a "
            "share of all or none of the group), the zeros beside it, and a count of "
            "its people equal to the group's size, are shown as [c] and the share is "
            "not shown, whatever the group's size; a share true by definition "
            "(everyone in the cohort was referred) is stated in words.")


def withheld_sentence(profile: str | SdcProfile | None = None, *,
                      estimates_below: bool = False) -> str:
    """Every reason a value can be hidden under a profile's rules, as one sentence.

    Stated once per table (the footnote of ``show_table``) and in each download's
    notes, never per cell: the reason a rule gave one value would narrow it beyond
    what ``[c]`` says (:mod:`lifetools.disclosure.withheld`). The same words whichever
    cells a table hides, and why; no number (the thresholds are in
    :func:`rule_sentence` and the notes' magnitude rules). Tested in
    ``tests/unit/test_disclosure_withheld.py``.

    ``estimates_below``: the table also shows estimates as ``[c]`` whose one reason its
    note states after this sentence (:func:`too_few_sentence`), so the sentence says
    that the reason is not said for the other cells only: the crisis page's fairness
    table said "Which reason applies to a cell is not said" and then, for its
    estimates, which reason applied (30,000 people, 2024-25).
    """
    p = get_profile(profile)
    reasons = (["it is a small count"] if p.threshold >= 1 else []) + (
        ["showing it would reveal that everyone or no one in a group had the outcome"]
        if p.group_disclosure else []) + [
        "it is a sum or mean over too few people or dominated by one or two of them",
        "it would let another hidden value be worked out from the numbers shown"]
    listed = ", ".join(f"when {r}" for r in reasons[:-1]) + f", or when {reasons[-1]}"
    if estimates_below:
        return (f"A value is hidden {listed}. An estimate shown as [c] has one reason, "
                "given below; which reason applies to any other cell is not said, "
                "because saying it would tell more about the hidden value.")
    return (f"A value is hidden {listed}. Which reason applies to a cell is not said, "
            "because saying it would tell more about the hidden value.")


def withheld_events_ranges(profile: str | SdcProfile | None = None
                           ) -> list[tuple[int, int, int]]:
    """What a reader can infer of a group's events from a model withheld for too few
    events among it, beside those events published: ``(shown, least, most)`` for each
    count the profile publishes that some count under ``model_min_events`` is
    published as (least and most of those counts). Computed by applying the profile's
    own rules (:func:`~lifetools.disclosure.rules.protect_count`) to every count that
    withholds a model, not from a formula. Empty when no such count is published.
    """
    p = get_profile(profile)
    seen: dict[int, list[int]] = {}
    for raw in range(1, p.model_min_events):
        shown = protect_count(raw, profile=p)
        if shown is not None:
            seen.setdefault(shown, []).append(raw)
    return [(shown, min(raws), max(raws)) for shown, raws in sorted(seen.items())]


def withheld_events_sentence(profile: str | SdcProfile | None = None) -> str:
    """What a withheld model tells a reader of its group's published events, and why it
    is safe, as one sentence made from the profile's numbers
    (:func:`withheld_events_ranges`); the disclosure-control methods page states it
    for the default profile word for word (``tests/unit/test_model_threshold.py``)."""
    p = get_profile(profile)
    ranges = withheld_events_ranges(p)
    if not ranges:
        return (f"A model is withheld when a group has fewer than {p.model_min_events} "
                "events, and no count of events that withholds a model is published "
                "under this profile, so a withheld model tells nothing more of them.")
    said = "; ".join(
        f"a group's events published as {shown} can only be "
        + (f"{least}" if least == most else
           f"{least} or {most}" if most == least + 1 else f"{least} to {most}")
        for shown, least, most in ranges)
    safe = (f", never a count from 1 to {p.threshold}, which would have been suppressed"
            if p.threshold >= 1 else "")
    return (f"A model is withheld when a group has fewer than {p.model_min_events} "
            f"events while the group's events are published rounded: beside a withheld "
            f"model, {said}{safe}.")


def too_few_sentence(outcome: str | None = None,
                     profile: str | SdcProfile | None = None) -> str:
    """The note a table gives once for its estimates shown as ``[c]`` because their
    group is too small (:class:`lifetools.disclosure.withheld.TooFew`), with the
    profile's number (``model_min_events``, as a :class:`RuleNumber`).

    ``outcome`` ("a crisis"): the group has too few people with it or without it (a
    C-statistic needs both); ``None``: too few people. Tested in
    ``tests/unit/test_tables.py``.
    """
    p = get_profile(profile)
    n = RuleNumber("model_min_events", p.name)
    if outcome is None:
        return str(compose("An estimate shown as [c] is not shown because its group has "
                           "fewer than {n} people.", profile=p, n=n))
    return str(compose("An estimate shown as [c] is not shown because its group has "
                       "fewer than {n} people with {outcome} or fewer than {n} without.",
                       profile=p, n=n, outcome=outcome))


def _span(raws: list[int]) -> str:
    first, last = raws[0], raws[-1]
    return (f"{first}" if first == last else f"{first} and {last}" if last == first + 1
            else f"{first} to {last}")


def acro_counts_difference() -> str:
    """How each profile publishes the counts ACRO flags and it does not suppress (above
    the profile's threshold and under ACRO's 10), as the disclosure-control methods
    page's table of differences states it word for word (its row "counts above a
    profile's threshold and under 10"; ``tests/unit/test_disclosure_profiles.py``).

    Made by applying each profile's own rules
    (:func:`~lifetools.disclosure.rules.protect_count`) to every such count: the page
    said "counts of 8 and 9 (5 to 9 under the mhsds profile) published rounded (to
    10)", but under ``mhsds`` 5 to 7 are published as 5. Profiles that publish them
    alike are named together, in :data:`~lifetools.disclosure.profiles.PROFILES`
    order.
    """
    said: dict[str, list[str]] = {}
    for name, p in PROFILES.items():
        shown: dict[int, list[int]] = {}
        for raw in range(p.threshold + 1, ACRO_THRESHOLD):
            value = protect_count(raw, profile=p)
            if value is not None:
                shown.setdefault(value, []).append(raw)
        words = (", ".join(f"{_span(raws)} as {value}" for value, raws in shown.items())
                 if shown else "none")
        said.setdefault(words, []).append(name)

    def listed(names: list[str]) -> str:
        return names[0] if len(names) == 1 else (", ".join(names[:-1]) + " and "
                                                  + names[-1])

    return "; ".join(f"under {listed(names)}: {words}" for words, names in said.items())
