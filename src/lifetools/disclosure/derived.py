"""Derived numbers from published numbers only: shares, rates, differences.

A share, rate or mean of counts is computed from the *published* (rounded) numerator
and denominator, never from the raw counts, so it tells a reader nothing the
published counts do not: "48.0% of 25" cannot reveal that the raw count was 12. When
either input is suppressed the derived number is suppressed too. A share of a
breakdown is shown only when no other category of the same total was suppressed
(the complementary rule: no "100%" beside hidden cells), and its denominator is the
published total, not the sum of the cells shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from lifetools.disclosure.counts import DENOMINATOR, protect_counts, protected_count
from lifetools.disclosure.groups import GROUP_REASON, extreme_share
from lifetools.disclosure.magnitude import magnitude_reason
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.protected import ProtectedTable, ProtectedValue, _mint, _value
from lifetools.disclosure.rules import protect_count, round_count

__all__ = ["GARWOOD", "PUBLISHED_WILSON", "THRESHOLD_COLUMN", "TREAT_ALL_COLUMN", "difference",
           "poisson_interval", "protected_shares", "published_share_interval", "rate",
           "rates_over", "rates_table", "round_person_time", "rounding_preimage", "share",
           "shares_table", "treat_all_net_benefit", "treat_all_values", "wilson_interval",
           "model_net_benefit", "model_net_benefit_counts", "model_net_benefit_values",
           "block_key"]


def wilson_interval(successes: float, n: float, alpha: float = 0.05
                    ) -> tuple[float, float]:
    """Wilson score interval for a proportion (no continuity correction).

    Notes
    -----
    As R's ``prop.test(x, n, correct = FALSE)$conf.int``; checked against statsmodels'
    ``proportion_confint(method="wilson")`` in ``tests/unit/test_disclosure_derived.py``.
    """
    if n <= 0:
        return float("nan"), float("nan")
    return _wilson(successes, n, float(norm.ppf(1 - alpha / 2)))


def _wilson(successes: float, n: float, z: float) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rounding_preimage(published: int, *, profile: str | SdcProfile | None = None
                      ) -> tuple[int, ...]:
    """Every raw count the profile would publish as ``published``, in order.

    Under the profile's rule (:func:`~lifetools.disclosure.protect_count`): with
    ``"nearest"`` rounding to base 5, 10 comes from 8 to 12; with the threshold of the
    default profile (1 to 7 suppressed) a published 10 still comes from 8 to 12, and
    a published 5 from nothing (empty); with midpoint 6 rounding, 9 comes from 7 to 12.
    0 comes from 0 only. Counts the rules would have suppressed are never in it.
    """
    p = get_profile(profile)
    if published < 0:
        raise ValueError(f"a published count cannot be negative (got {published})")
    # every rule moves a count by less than one base
    found = [c for c in range(max(0, published - p.base), published + p.base + 1)
             if protect_count(c, profile=p) == published]
    return tuple(found)


def published_share_interval(successes: int, n: int, *, alpha: float = 0.05,
                             profile: str | SdcProfile | None = None
                             ) -> tuple[float, float]:
    """The interval of a share published from rounded counts: honest about rounding.

    The union (lowest lower limit, highest upper limit) of the Wilson intervals
    (:func:`wilson_interval`) of every raw pair ``(k, m)`` the profile would publish
    as ``successes`` of ``n`` (:func:`rounding_preimage` of each, ``k <= m``). It is
    computed from the published counts only, so it reveals nothing they do not, and
    it contains the Wilson interval of the raw counts, whatever they were: its
    coverage is at least the raw Wilson interval's. Missing limits when no pair is
    consistent (``n`` published as 0, or a count no raw count publishes as).

    Notes
    -----
    Issue 13 (wave 22): the Wilson interval of the published counts alone covered a
    true 97% in 93 of 100 synthetic datasets of about 318 responses, against 98 for
    the raw counts'. Tested in ``tests/unit/test_disclosure_share_rounding.py``.
    """
    p = get_profile(profile)
    ks, ms = rounding_preimage(successes, profile=p), rounding_preimage(n, profile=p)
    z = float(norm.ppf(1 - alpha / 2))
    limits = [_wilson(k, m, z) for m in ms if m > 0 for k in ks if k <= m]
    if not limits:
        return float("nan"), float("nan")
    return min(low for low, _ in limits), max(high for _, high in limits)


GARWOOD = "exact Poisson (Garwood)"
"""The method of a rate's interval that :func:`rate` and :func:`rates_table` compute:
:func:`poisson_interval` of the published events over the published person-time,
recorded by name (:attr:`~lifetools.disclosure.ProtectionRecord.intervals`) so that
the publish gate recomputes each limit by it
(:mod:`lifetools.disclosure.rate_check`)."""


PUBLISHED_WILSON = "Wilson, over every count the published ones could be rounded from"
"""The method of a share's interval that :func:`share` and :func:`shares_table`
compute: :func:`published_share_interval` of the published numerator and denominator,
recorded by name (:attr:`~lifetools.disclosure.ProtectionRecord.intervals`) so that
the publish gate recomputes each limit by it, as it does a rate's
(:mod:`lifetools.disclosure.rate_check`)."""


def poisson_interval(count: float, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Garwood) confidence limits for a Poisson count."""
    if count is None or np.isnan(count):
        return float("nan"), float("nan")
    lower = chi2.ppf(alpha / 2, 2 * count) / 2 if count > 0 else 0.0
    upper = chi2.ppf(1 - alpha / 2, 2 * (count + 1)) / 2
    return float(lower), float(upper)


def _published(n: int | ProtectedValue | None, p: SdcProfile) -> ProtectedValue:
    return protected_count(n, profile=p) if not isinstance(n, ProtectedValue) else \
        protected_count(n)


def share(numerator: int | ProtectedValue, denominator: int | ProtectedValue, *,
          profile: str | SdcProfile | None = None) -> ProtectedValue:
    """The percentage ``numerator`` of ``denominator``, from the published counts.

    Returns
    -------
    ProtectedValue
        ``kind="share"``, ``value`` in per cent (``None`` when either count is
        suppressed or the denominator is 0), ``interval``: the 95% interval in per
        cent, computed from the published counts: the union of the Wilson intervals
        of every raw pair they could have been rounded from
        (:func:`published_share_interval`).

    Notes
    -----
    A share of none or all of the group (0% or 100% as written, to one decimal
    place) is not shown (reason ``group disclosure``, :mod:`.groups`), nor is its
    numerator recorded. Whether the share is shown depends on the published counts only: hiding it
    because the raw rest of the denominator is small would itself tell the reader
    that the rest is not 0 (the pattern of suppression would leak what rounding
    hides). The share is a function of the published numerator and denominator only,
    so it cannot be solved for an unrounded count (property test in
    ``tests/unit/test_disclosure_derived.py``).
    """
    p = get_profile(profile)
    k, n = _published(numerator, p), _published(denominator, p)
    if k.value is None or n.value is None or n.value == 0:
        reason = ("the numerator is suppressed" if k.value is None else
                  "the denominator is suppressed" if n.value is None else
                  "the denominator is 0")
        # no numerator beside a hidden denominator: a numerator of 0 with a group of 1
        # to 7 (or one the group rule hid) says none of them; results.json published
        # "numerator": 0 beside the wellbeing page's [c] until wave 29
        return _value("share", None, p,
                      numerator=None if n.value is None else k.value,
                      denominator=n.value, reason=reason)
    k_shown = min(k.value, n.value)
    if p.group_disclosure and extreme_share(100 * k_shown / n.value):
        # none or all of the group: it says something about every person in it
        return _value("share", None, p, numerator=None, denominator=n.value,
                      reason=GROUP_REASON)
    low, high = published_share_interval(k_shown, n.value, profile=p)
    return _value("share", 100 * k_shown / n.value, p, numerator=k_shown,
                  denominator=n.value, interval=(100 * low, 100 * high))


def round_person_time(person_time: float, *,
                      profile: str | SdcProfile | None = None) -> float:
    """Person-time as published: rounded as the profile rounds counts, to its base.

    Where each person contributes at most about a year, person-years are close to the
    number of people: exact whole years beside a people count rounded to the base give
    the exact headcount away (490 people beside 492 person-years means 492 people).
    Rounded as the counts are (``SdcProfile.base`` and ``rounding``: the nearest
    multiple of 5, halves up, by default; the midpoint of a band of 6 with OpenSAFELY's
    midpoint rounding) they tell no more than the rounded count does.

    Notes
    -----
    :func:`~lifetools.disclosure.round_count` on the person-time (the one rounding
    rule; no threshold: person-time has the magnitude rules). Tested in
    ``tests/unit/test_disclosure_person_time.py``.
    """
    return float(round_count(person_time, profile=get_profile(profile)))


def rate(events: int | ProtectedValue, person_time: float, *, contributors: int,
         contributions: Sequence[float] | None = None, per: float = 1.0,
         profile: str | SdcProfile | None = None) -> ProtectedValue:
    """Events per ``per`` person-years from the published events and person-time.

    Person-time is a magnitude: it is published (``denominator``) rounded to the
    profile's count base (:func:`round_person_time`), and suppressed (with the rate)
    when fewer than the profile's magnitude threshold of people contribute or one or
    two people dominate it (``contributions``: each person's person-time). The rate
    and its interval are computed from the published events and the published
    (rounded) person-years: a rate from the exact person-years would give them back
    (245 users per 1000 people written "68.28" over 3,588 people gives 3,588, not
    3,590), and with them the headcount the rounded count hides. The value records
    its multiplier (``per``), as :func:`rates_table`'s protection record does, so
    that the rate can be recomputed from what is published.

    Notes
    -----
    Estimator: published events / published person-years; CI: exact Poisson
    (Garwood) limits of the published events over the published person-years.
    Tested in ``tests/unit/test_disclosure_derived.py`` and
    ``tests/unit/test_disclosure_person_time.py``.
    """
    p = get_profile(profile)
    k = _published(events, p)
    why = magnitude_reason(contributions if contributions is not None else
                           [person_time / max(contributors, 1)] * contributors,
                           profile=p)
    years = None if why else round_person_time(person_time, profile=p)
    if k.value is None or years is None or years == 0:
        reason = why or ("the events are suppressed" if k.value is None else
                         "no person-time")
        return _value("rate", None, p, numerator=k.value, denominator=years,
                      reason=reason, per=float(per))
    low, high = poisson_interval(k.value)
    return _value("rate", per * k.value / years, p, numerator=k.value,
                  denominator=years, interval=(per * low / years, per * high / years),
                  per=float(per))


TREAT_ALL_COLUMN = "treat_all"
"""A decision curve's column of the net benefit of treating everyone."""
THRESHOLD_COLUMN = "threshold"
"""A decision curve's column of risk thresholds."""


def treat_all_net_benefit(events: float, people: float, threshold: float) -> float:
    """The net benefit of treating everyone at a risk threshold: ``p - (1 - p) t /
    (1 - t)`` with ``p = events / people`` (Vickers and Elkin 2006).

    It is a function of the prevalence alone, so it gives back the counts it is
    computed from: :func:`treat_all_values` calls it with the published (rounded)
    counts, and the publish gate with the counts its stamp records
    (:mod:`lifetools.disclosure.net_benefit_check`). Checked against
    :func:`lifetools.prediction.net_benefit`'s treat-all column on the same counts in
    ``tests/unit/test_treat_all.py``.
    """
    p = events / people
    return p - (1 - p) * threshold / (1 - threshold)


def treat_all_values(thresholds: Sequence[float], *, events: int | ProtectedValue,
                     people: int | ProtectedValue,
                     profile: str | SdcProfile | None = None
                     ) -> tuple[list[float | None], int | None, int | None]:
    """A decision curve's net benefit of treating everyone, from published counts.

    Returns
    -------
    tuple
        The net benefit at each threshold (``None`` at every one when hidden), and the
        published events and people it was computed from (``None`` when hidden). It is
        hidden when either count is suppressed, when there are no people, and when the
        events are none or all of the people as published (group disclosure, as a
        share of them would be: :func:`share`).

    Notes
    -----
    :func:`treat_all_net_benefit` of the published (rounded) counts, never the exact
    ones: from the exact prevalence, the curve at two decimal places gave back the
    exact count of events (issue 12, wave 22). Hidden exactly where :func:`share` of the
    same counts is (the one owner of the rule that a share of none or all of a group is
    not shown), and where the published events are more than the published people (no
    share of them; 24 events of 23 people publish as 25 of 25 and are shown); it
    kept its own copy of the share's rules until wave 43. Tested in
    ``tests/unit/test_treat_all.py``.
    """
    p = get_profile(profile)
    k, n = _published(events, p).value, _published(people, p).value
    if share(events, people, profile=p).value is None or k is None or n is None or k > n:
        return [None] * len(thresholds), None, None
    return ([treat_all_net_benefit(k, n, float(t)) for t in thresholds], int(k), int(n))


def model_net_benefit(true_positives: float, treated: float, people: float,
                      threshold: float) -> float:
    """A model's net benefit at a risk threshold: ``(TP - (T - TP) t / (1 - t)) / N``
    (Vickers and Elkin 2006), of the people it treats ``T``, those of them with the
    outcome ``TP``, and the people ``N``. :func:`model_net_benefit_values` calls it
    with published (rounded) counts, and the publish gate with the counts a stamp
    records (:mod:`lifetools.disclosure.net_benefit_check`)."""
    odds = threshold / (1 - threshold)
    return (true_positives - (treated - true_positives) * odds) / people


def model_net_benefit_counts(*, true_positives: Sequence[int], treated: Sequence[int],
                             people: int | ProtectedValue,
                             profile: str | SdcProfile | None = None
                             ) -> tuple[int | None, list[tuple[int, int] | None]]:
    """The published counts a model's net benefit is computed from at each threshold.

    ``true_positives`` and ``treated``: the raw people with the outcome among those
    the model treats (risk at least the threshold) and all it treats, one per
    threshold; ``people``: the cohort (raw or protected). Returns the published people
    and, at each threshold, the published ``(true positives, treated)``, or ``None``
    (hidden) where the true or false positives are 1 to the threshold, or the people
    are hidden or none. The protection record keeps them
    (:attr:`~lifetools.disclosure.ProtectionRecord.net_benefit_counts`) so that the
    publish gate recomputes each point rather than trusting it.
    """
    p = get_profile(profile)
    n = _published(people, p).value
    out: list[tuple[int, int] | None] = []
    for tp, tr in zip(true_positives, treated, strict=True):
        tp_shown = protect_count(int(tp), profile=p)
        fp_shown = protect_count(int(tr) - int(tp), profile=p)
        tr_shown = protect_count(int(tr), profile=p)
        if n is None or n == 0 or tp_shown is None or fp_shown is None or \
                tr_shown is None or tr_shown > n:
            out.append(None)
            continue
        out.append((int(tp_shown), int(tr_shown)))
    return (None if n is None else int(n)), out


def model_net_benefit_values(thresholds: Sequence[float], *,
                             true_positives: Sequence[int], treated: Sequence[int],
                             people: int | ProtectedValue,
                             profile: str | SdcProfile | None = None
                             ) -> list[float | None]:
    """A model's net benefit at each threshold, from protected counts.

    ``true_positives`` and ``treated``: the raw people with the outcome among those
    the model treats (risk at least the threshold) and all it treats, one per
    threshold; ``people``: the cohort (raw or protected). Each point is ``(TP -
    (T - TP) t / (1 - t)) / N`` with ``TP`` and ``T`` the published (rounded) counts
    and ``N`` the published people (Vickers and Elkin 2006, from rounded counts);
    ``None`` (hidden) where the true or false positives are 1 to the threshold, or the
    people are hidden or none (:func:`model_net_benefit_counts`).

    Notes
    -----
    From the raw confusion counts, a model that treats everyone at a low threshold
    has the net benefit of treating everyone of the exact prevalence, which gave the
    exact count of events back beside the published counts (issue 12, wave 23). From
    the published counts a model treating everyone is the published treat-all
    (:func:`treat_all_values`) exactly. Tested in ``tests/unit/test_treat_all.py``.
    """
    n, counts = model_net_benefit_counts(true_positives=true_positives, treated=treated,
                                         people=people, profile=profile)
    return [None if c is None or n is None else
            model_net_benefit(c[0], c[1], n, float(t))
            for t, c in zip(thresholds, counts, strict=True)]


def difference(a: ProtectedValue, b: ProtectedValue) -> ProtectedValue:
    """``a - b`` of two protected values of the same kind (suppressed if either is).

    Notes
    -----
    Both values are verified first; no interval is given (the inputs' intervals are
    not independent in general). Tested in ``tests/unit/test_disclosure_derived.py``.
    """
    a, b = a.verify(), b.verify()
    if a.kind != b.kind or a.profile != b.profile:
        raise ValueError("a difference needs two values of the same kind and profile")
    p = get_profile(a.profile)
    if a.value is None or b.value is None:
        return _value(f"difference of {a.kind}", None, p, reason="an input is suppressed")
    return _value(f"difference of {a.kind}", a.value - b.value, p)


def block_key(value: object) -> str:
    """The key a breakdown block's published total is recorded under
    (:attr:`ProtectionRecord.breakdown_totals`) and looked up by at the gate
    (:func:`lifetools.disclosure.rate_check.breakdown_share_findings`): the block
    column's value read the same way whether it is the raw value or the cell as a page
    or a download writes it. A number by its value (1, 1.0 and "1.00" are one block), a
    date by its ISO day (a Timestamp's "2024-04-01 00:00:00", "2024-04-01" and the
    formatter's "1 April 2024"), anything else as its text. Until wave 43 the raw value's
    text was the key, so a block column of numbers or dates found no total and every
    share was refused."""
    text = str(value).strip()
    try:
        number = float(text.replace(",", "").replace("\u2212", "-"))
    except ValueError:
        number = None
    if number is not None and math.isfinite(number):
        return repr(number)
    if _ISO_DAY.fullmatch(text):
        return text[:10]
    if _DAY_IN_WORDS.fullmatch(text):  # as lifetools.formatting.format_date writes it
        try:
            return pd.Timestamp(text).date().isoformat()
        except ValueError:
            return text
    return text


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?: 00:00:00)?")
_DAY_IN_WORDS = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}")


def protected_shares(table: pd.DataFrame, count_cols: Sequence[str], *,
                     by: str | None = None, digits: int = 1,
                     profile: str | SdcProfile | None = None,
                     denominator: str | None = DENOMINATOR) -> ProtectedTable:
    """Protect a breakdown's counts, then add each column's percentages.

    Parameters
    ----------
    table
        Raw counts; the rows of each ``by`` block add up to a published total.
    count_cols
        Columns of counts; each gets a ``"<column> %"`` column.
    by
        Column splitting the rows into breakdowns, each with its own total.
    denominator
        The count column that is each row's group size (see
        :func:`~lifetools.disclosure.protect_counts`; ``people`` by default).

    Notes
    -----
    Secondary suppression within each block. The denominator of a share is the
    published (protected) block total; when any cell of a block is suppressed, or the
    total is, no share of that block is shown (the complementary rule). A shown cell
    and its share give the block total back (count / share), and the total less the
    shown cells gives the sum of the hidden ones, which secondary suppression exists
    to keep unknown; a table whose total is published elsewhere on its page would
    lose nothing by the shares, but this function cannot know that, so it hides them
    (the reach page's percentages beside its deprivation counts, issue 15). The
    record says which count each share is of
    (:attr:`~lifetools.disclosure.ProtectionRecord.breakdown_shares`), so the publish
    gate checks both from the cells as published
    (:mod:`lifetools.disclosure.rate_check`).
    """
    p = get_profile(profile)
    raw = table.reset_index(drop=True)
    protected = protect_counts(raw, count_cols, totals="columns", by=by, profile=p,
                               not_counts=[by] if by else (), denominator=denominator)
    out = protected.frame
    blocks = ([np.arange(len(raw))] if by is None else
              list(raw.groupby(by, sort=False, dropna=False).indices.values()))
    hidden = {(r, c) for r, c, _ in protected.record.suppressed}
    suppressed = list(protected.record.suppressed)
    totals: list[tuple[str, str, tuple[tuple[str, int | None], ...]]] = []
    for col in count_cols:
        shares: list[float | None] = [None] * len(raw)
        of_blocks: list[tuple[str, int | None]] = []
        for block in blocks:
            key = "" if by is None else block_key(raw.loc[block[0], by])
            total = protect_count(int(raw.loc[block, col].sum()), profile=p)
            if total is None or total == 0 or any((int(r), col) in hidden for r in block):
                suppressed += [(int(r), f"{col} %", "complementary") for r in block]
                of_blocks.append((key, None))
                continue
            block_shares = [round(100 * float(out.loc[r, col]) / total, digits)
                            for r in block]
            if p.group_disclosure and len(block) > 1 and \
                    any(s == 100.0 for s in block_shares):
                # the whole block in one row, as written (the counts' rule hid the
                # zeros of an exact one): no share of the block is shown
                suppressed += [(int(r), f"{col} %", GROUP_REASON) for r in block]
                of_blocks.append((key, None))
                continue
            of_blocks.append((key, int(total)))
            for r, value in zip(block, block_shares, strict=True):
                shares[int(r)] = value
        out[f"{col} %"] = pd.array(shares, dtype="Float64")
        totals.append((f"{col} %", by or "", tuple(of_blocks)))
    roles = tuple((str(c), protected.record.role(c) or "share") for c in out.columns)
    return _mint(out, roles=roles, suppressed=tuple(suppressed), profile=p,
                 secondary=protected.record.secondary,
                 secondary_cells=protected.record.secondary_cells,
                 acro=protected.record.acro,  # ACRO's verdict on the counts beneath
                 places=tuple((f"{col} %", digits) for col in count_cols),
                 # the gate checks each block's shares from the published counts
                 # beside them (wave 42: it trusted them)
                 breakdown_shares=tuple((f"{col} %", col) for col in count_cols),
                 # and each block's published total, so that its shares shown
                 # without their counts are checked too (wave 43: passed)
                 breakdown_totals=tuple(totals),
                 denominator=protected.record.denominator)


def rates_table(frame: pd.DataFrame, *, group_cols: str | Sequence[str],
                event_col: str, person_time_col: str, per: float = 1.0,
                profile: str | SdcProfile | None = None,
                events_are_people: bool = False) -> ProtectedTable:
    """People, events, person-years and rate per ``per`` with exact 95% CIs, by group.

    ``frame`` has one row per person (or person-period). Counts of people and events
    are protected; person-years are a magnitude (threshold and dominance rules, see
    :func:`~lifetools.disclosure.protect_magnitudes`) published rounded to the
    profile's count base (:func:`round_person_time`), and suppressed where the people
    count beside them is (they would give it back); the rate and its exact (Garwood)
    interval are computed from the published events and person-years, and suppressed
    when either is; the record names each rate's numerator, denominator and ``per``
    (``rates``) and its limits with their method (``intervals``: :data:`GARWOOD`), so
    that the publish gate recomputes both from the published cells. ``events_are_people``: ``event_col`` is 0 or 1 on one row per
    person (users among the people of a group, not attendances), so the events are
    people of the group (``people_outcomes`` of
    :func:`~lifetools.disclosure.protect_counts`): shown equal to ``people`` they are
    hidden, with the rate (group disclosure).

    Raises
    ------
    ValueError
        With ``events_are_people``, if ``event_col`` holds a value other than 0 or 1.

    Notes
    -----
    Groups by ``group_cols`` (missing keys dropped); person-time rules from
    :func:`~lifetools.disclosure.magnitude_reason` on each person's person-time.
    Tested in ``tests/unit/test_disclosure_derived.py`` and
    ``tests/unit/test_inequality.py``.
    """
    p = get_profile(profile)
    groups = [group_cols] if isinstance(group_cols, str) else list(group_cols)
    grouped = frame.groupby(groups, dropna=True)
    raw = grouped.agg(people=(event_col, "size"), events=(event_col, "sum")
                      ).reset_index()
    raw["events"] = raw["events"].round().astype("int64")
    if events_are_people and not frame[event_col].dropna().isin([0, 1]).all():
        raise ValueError(f"column {event_col!r} holds values other than 0 and 1: its "
                         "events are not people (events_are_people)")
    people = ("events",) if events_are_people else ()
    protected = protect_counts(raw, ["people", "events"], profile=p, not_counts=groups,
                               denominator="people", people_outcomes=people)
    out = protected.frame
    rates = [rate(int(row.events), float(years.sum()), contributors=len(years),
                  contributions=years.tolist(), per=per, profile=p)
             for row, (_, years) in zip(raw.itertuples(index=False),
                                        grouped[person_time_col], strict=True)]
    people_hidden = {r for r, c, _ in protected.record.suppressed if c == "people"}
    years_hidden = [r.denominator is None or i in people_hidden
                    for i, r in enumerate(rates)]
    out["person_years"] = pd.array([None if h else r.denominator for r, h in
                                    zip(rates, years_hidden, strict=True)], dtype="Float64")
    rates = [r if i not in people_hidden else _value("rate", None, p,
                                                     reason="the people are suppressed")
             for i, r in enumerate(rates)]  # the rate would give the person-years back
    events_hidden = {r for r, c, _ in protected.record.suppressed if c == "events"}
    rates = [r if i not in events_hidden or r.value is None else _value(
        "rate", None, p, reason="the events are suppressed")
        for i, r in enumerate(rates)]  # a rate of 0 says what the hidden 0 events hide
    out["rate"] = pd.array([r.value for r in rates], dtype="Float64")
    out["ci_lower"] = pd.array([None if r.interval is None else r.interval[0]
                                for r in rates], dtype="Float64")
    out["ci_upper"] = pd.array([None if r.interval is None else r.interval[1]
                                for r in rates], dtype="Float64")
    suppressed = list(protected.record.suppressed) + [
        (i, col, "derived") for i, r in enumerate(rates) if r.value is None
        for col in ("rate", "ci_lower", "ci_upper")] + [
        (i, "person_years", "magnitude") for i, h in enumerate(years_hidden) if h]
    roles = tuple((c, protected.record.role(c) or ("magnitude" if c == "person_years"
                                                  else "rate")) for c in out.columns)
    return _mint(out, roles=roles, suppressed=tuple(suppressed), profile=p,
                 acro=protected.record.acro,  # ACRO's verdict on the counts beneath
                 places=(("person_years", 0),),  # whole years, rounded to the base
                 bases=(("person_years", p.base),), denominator="people",
                 rates=(("rate", "events", "person_years", per),),  # the gate recomputes it
                 intervals=(("rate", "ci_lower", "ci_upper", GARWOOD),),  # and its limits
                 people_outcomes=people)


def rates_over(table: ProtectedTable, column: str, *,
               instead_of: str = "person_years") -> ProtectedTable:
    """A rates table whose person-time repeats a count (one person-year a person),
    without its person-time column: ``column`` is the rates' denominator shown.

    The rates were computed from the rounded person-time; where both are shown they
    must equal ``column`` (both rounded by one rule), so the rates are ``per`` x the
    numerator / ``column`` as published, and the record says so
    (:attr:`~lifetools.disclosure.ProtectionRecord.rates`): the publish gate recomputes
    them from that column.

    Raises
    ------
    ValueError
        If a row shows ``column`` and ``instead_of`` with different values.
    """
    table.verify()
    frame = table.frame
    both = frame[column].notna() & frame[instead_of].notna()
    if not (frame.loc[both, column].astype(float)
            == frame.loc[both, instead_of].astype(float)).all():
        raise ValueError(f"the rounded {instead_of!r} differ from the rounded "
                         f"{column!r}: the person-time is not one a person")
    rates = tuple((r, k, column if y == instead_of else y, per)
                  for r, k, y, per in table.record.rates)
    kept = table.drop(columns=instead_of)
    record = kept.record
    return _mint(kept.frame, roles=record.roles, suppressed=record.suppressed,
                 like=record, places=record.places, bases=record.bases, rates=rates)


def shares_table(frame: pd.DataFrame, *, numerator: str, denominator: str,
                 digits: int = 1, profile: str | SdcProfile | None = None
                 ) -> ProtectedTable:
    """One share per row (``numerator`` of ``denominator``) with 95% intervals.

    Both counts are protected, ``denominator`` as each row's group size (a row whose
    denominator is hidden has its numerator hidden too, and so does a row whose share
    is of none or all of its group: group disclosure) and ``numerator`` as a count of
    its people (``people_outcomes``: shown equal to the group size, it is hidden); ``per_cent``, ``ci_lower`` and ``ci_upper`` (per cent)
    come from :func:`share` on the raw counts, so from the published ones, and are
    suppressed when either count is. The record says so (``rates``: the share is 100 x
    the numerator / the denominator; ``intervals``: its limits are
    :data:`PUBLISHED_WILSON`'s), and the publish gate recomputes both from the cells
    as published (:mod:`lifetools.disclosure.rate_check`): a share beside a hidden
    count, one made from unrounded counts, or an edited limit is refused.

    Notes
    -----
    The interval of :func:`share` (:func:`published_share_interval`: the union of the
    Wilson intervals of every raw pair the published counts could come from). Used for the feedback table of the reach report; tested through
    ``tests/unit/test_reports.py::test_reach_report``.
    """
    p = get_profile(profile)
    # the denominator is each row's group size: its numerator is hidden with it
    protected = protect_counts(frame, [denominator, numerator], profile=p,
                               denominator=denominator, people_outcomes=[numerator])
    out = protected.frame
    shares = [share(int(k), int(n), profile=p) for k, n in
              zip(frame[numerator], frame[denominator], strict=True)]
    out["per_cent"] = pd.array([None if s.value is None else round(s.value, digits)
                                for s in shares], dtype="Float64")
    for i, col in enumerate(("ci_lower", "ci_upper")):
        out[col] = pd.array([None if s.interval is None else
                             round(s.interval[i], digits) for s in shares],
                            dtype="Float64")
    suppressed = list(protected.record.suppressed) + [
        (i, col, "derived") for i, s in enumerate(shares) if s.value is None
        for col in ("per_cent", "ci_lower", "ci_upper")]
    hidden = {(r, c) for r, c, _ in suppressed}
    for i, s in enumerate(shares):  # "10 of 10" would say what the hidden 100% hides
        if s.reason == GROUP_REASON and (i, numerator) not in hidden:
            out.loc[i, numerator] = pd.NA
            suppressed.append((i, numerator, GROUP_REASON))
    roles = tuple((c, protected.record.role(c) or "share") for c in out.columns)
    return _mint(out, roles=roles, suppressed=tuple(suppressed), profile=p,
                 acro=protected.record.acro,  # ACRO's verdict on the counts beneath
                 places=tuple((c, digits) for c in ("per_cent", "ci_lower", "ci_upper")),
                 denominator=denominator, people_outcomes=(numerator,),
                 # the gate recomputes each share and its limits from the published
                 # counts beside it, as a rate's (wave 42: it trusted them)
                 rates=(("per_cent", numerator, denominator, 100.0),),
                 intervals=(("per_cent", "ci_lower", "ci_upper", PUBLISHED_WILSON),))
