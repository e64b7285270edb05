"""The one number formatter and the verdict words of every published page.

Every number a reader sees in a sentence (glued key results, the landing page's main
points, the furniture pages) goes through :func:`format_value` or one of the functions
it calls, so the same number reads the same everywhere: counts with thousands
separators ("2,635"), ratios and estimates to 2 decimal places with trailing zeros kept
("3.20", "1.00"), percentages to 1 ("42.0%"), a share of people held as a proportion
(a risk, a cumulative incidence, an observed or predicted proportion: 0.245) as a
percentage to 1 ("24.5%", :func:`format_proportion`), intervals as "1.19 (0.83 to 1.71)"
or "24.5% (22.1% to 27.0%)",
magnitudes (person-years) with the places their disclosure rule published ("8,922"),
dates in words ("1 April 2024", :func:`format_date`).
A missing or non-finite value (``None``, NaN, infinity, ``pd.NA``) never reaches the
page as "nan", "None" or "inf": it reads "could not be estimated" (or the reason the
caller gives).

:func:`verdict` turns an estimate and its confidence interval into plain words; the
wording rules are on the book page ``methods/verdicts.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from numbers import Integral
from typing import Any

from lifetools.disclosure import active_profile
from lifetools.disclosure.text import fixed
from lifetools.signs import BOUND_DIGITS_LIMIT, bound_places, finite, places_avoiding

__all__ = [
    "MIN_EVENTS",
    "MISSING",
    "NO_DIFFERENCE",
    "BOUND_DIGITS_LIMIT",
    "TOO_FEW_EVENTS",
    "bound_places",
    "format_month",
    "rate_unit",
    "finite",
    "format_bounds",
    "format_count",
    "format_date",
    "format_interval",
    "format_magnitude",
    "format_percentage",
    "format_points",
    "format_proportion",
    "PERCENTAGE_KINDS",
    "format_ratio",
    "format_value",
    "interval_order",
    "places_avoiding",
    "shown_bound",
    "suppressed_text",
    "verdict",
]

MISSING = "could not be estimated"
"""What a page shows in place of a missing or non-finite estimate."""
NO_DIFFERENCE = "compatible with no difference"
TOO_FEW_EVENTS = "too few events to tell"
MIN_EVENTS = 10
"""Fewest events for which a verdict is given (the usual ten events per variable)."""
_UNSET: Any = object()


def _fixed(number: float, digits: int) -> str:
    # the sign ("-0.00" is zero; "−0.23" with the minus sign) is the protected texts'
    # rule too: one function writes it (lifetools.disclosure.text.fixed)
    return fixed(number, digits)


def shown_bound(value: float, *, digits: int, null: float | None) -> float:
    """The number a reader sees for a confidence limit (after :func:`bound_places`)."""
    return float(f"{value:.{bound_places(value, digits=digits, null=null)}f}")


def suppressed_text() -> str:
    """What a page shows in place of a count hidden by disclosure control.

    Read from the active profile each time ("fewer than 8" under ``default``).
    """
    return active_profile().suppressed_words()


def format_count(value: Any, *, missing: str | None = None) -> str:
    """Format a count: "2,635". A missing count reads as suppressed ("fewer than 8").

    Raises
    ------
    ValueError
        If ``value`` is a number that is not whole (a count cannot be 12.5).
    """
    number = finite(value)
    if number is None:
        return suppressed_text() if missing is None else missing
    if not isinstance(value, Integral) and not number.is_integer():
        raise ValueError(f"a count must be a whole number (got {number})")
    return _fixed(int(number), 0)


RATE_UNITS: dict[str, str] = {"person-years": "person-year", "people": "person"}
"""The units a rate may be per (plural: singular)."""


def rate_unit(per: float, unit: str = "person-years") -> str:
    """The unit of a rate in words: "per person-year", "per 1,000 person-years".

    The one label of a rate's unit (the slope index of inequality on the emergency
    and reach pages): the multiplier is a count ("1,000", never "1000" or "1e+03"),
    and a rate per one reads in the singular ("per person-year", not "per 1
    person-years"). ``unit`` is what the denominator counts: person-time
    ("person-years") or people ("people": the reach page's users per 1,000 people,
    whose denominator is not person-time).

    Raises
    ------
    ValueError
        If ``unit`` is not one of :data:`RATE_UNITS` or ``per`` is not a whole number.
    """
    if unit not in RATE_UNITS:
        raise ValueError(f"unknown rate unit {unit!r}: one of {sorted(RATE_UNITS)}")
    if per == 1:
        return f"per {RATE_UNITS[unit]}"
    return f"per {format_count(per)} {unit}"


def format_date(value: Any, *, missing: str = "") -> str:
    """Format a date in words, as every page shows dates: "1 April 2024".

    The one date formatter of the published pages (the report texts, the TRIPOD+AI
    checklist, the furniture pages, the release notes, the PDF's header). ``value`` is
    a ``datetime.date``, a ``datetime``/``pandas.Timestamp`` (its date) or an ISO date
    or date-time string ("2024-04-01", "2026-11-30T12:00:00+00:00"); a missing value
    (``None``, ``""``, NaT) reads ``missing`` ("" unless the caller gives words).

    Raises
    ------
    ValueError
        If ``value`` is a string that is not an ISO date, or not a date at all.
    """
    if value is None or value != value:  # None, NaN, NaT (never equal to itself)
        return missing
    if isinstance(value, str):
        if not value.strip():
            return missing
        day = dt.date.fromisoformat(value.strip()[:10])
    elif isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        raise ValueError(f"not a date: {type(value).__name__}")
    return f"{day.day} {day.strftime('%B %Y')}"


def format_month(value: Any, *, missing: str = "") -> str:
    """A month in words, as :func:`format_date` writes its month and year: "March 2025"
    (a monthly chart's text naming a month it leaves out)."""
    day = format_date(value, missing="")
    return day.partition(" ")[2] if day else missing


def format_ratio(value: Any, *, digits: int = 2, missing: str = MISSING) -> str:
    """Format a ratio or other estimate to ``digits`` decimal places: "3.20", "1,234.50"."""
    number = finite(value)
    return missing if number is None else _fixed(number, digits)


def format_magnitude(value: Any, *, digits: int = 0, missing: str = MISSING) -> str:
    """Format a magnitude (a sum such as person-years) to ``digits`` places: "8,922".

    ``digits`` is what the disclosure rule published the magnitude with (person-years
    are rounded to whole years: 0), never more: "8,922.00" adds places the number does
    not have.
    """
    number = finite(value)
    return missing if number is None else _fixed(number, digits)


def format_percentage(value: Any, *, digits: int = 1, missing: str = MISSING) -> str:
    """Format a percentage (already out of 100) to 1 decimal place: "42.0%"."""
    number = finite(value)
    return missing if number is None else f"{_fixed(number, digits)}%"


def _published(number: float, places: int | None) -> float:
    """A proportion as published with ``places`` decimal places (``None``: as it is)."""
    return number if places is None else float(f"{number:.{places}f}")


def format_proportion(value: Any, *, digits: int = 1, missing: str = MISSING,
                      places: int | None = None) -> str:
    """Format a share of people held as a proportion (0 to 1) as a percentage: "24.5%".

    The one way a risk, a cumulative incidence, an observed or predicted proportion or
    a share reaches a reader: 0.245 reads "24.5%", never "0.245" (the rule, and the
    measures that stay as they are, are on the book page ``methods/verdicts.md``).
    ``digits`` are the percentage's decimal places. ``places``: the decimal places the
    proportion is published with, where it is published rounded (a figure's download,
    written to 2): the percentage is that published number (0.645, published as
    "0.65", reads "65.0%", as the download gives it, not "64.5%").
    """
    number = finite(value)
    if number is None:
        return missing
    return format_percentage(100 * _published(number, places), digits=digits)


def format_points(value: Any, *, digits: int = 1, missing: str = MISSING,
                  places: int | None = None) -> str:
    """Format a difference between two proportions in percentage points: "11.0
    percentage points" (0.11 between an observed and a predicted risk).

    A gap between two percentages is not itself a share of people: "11.0%" would read
    as 11% of the predicted risk. ``places``: as for :func:`format_proportion`.
    """
    number = finite(value)
    if number is None:
        return missing
    return f"{_fixed(100 * _published(number, places), digits)} percentage points"


PERCENTAGE_KINDS = ("percentage", "proportion")
"""The kinds :func:`format_value` writes with a per cent sign (1 decimal place)."""


def format_bounds(lower: Any, upper: Any, *, kind: str = "ratio", digits: int | None = None,
                  missing: str = MISSING, null: float | None = None,
                  avoid: Sequence[float] = ()) -> str:
    """Format the limits of an interval: "0.83 to 1.71".

    With ``null`` (1 for a ratio, 0 for a difference), a limit that would round onto it
    but is not it gets extra decimal places (:func:`bound_places`): "1.004 to 4.03".
    ``avoid``: the limits a report states for the estimate (a calibration slope's 0.8
    and 1.2), which a limit keeps its side of too (:func:`places_avoiding`): "0.797 to
    1.03", never "0.80" beside a verdict that the interval reaches beyond 0.8 (the
    comparison table and TRIPOD+AI item 23a wrote "0.80" until wave 41).
    """
    low, high = finite(lower), finite(upper)
    if low is None or high is None:
        return missing
    base = (1 if kind in PERCENTAGE_KINDS else 2) if digits is None else digits
    return " to ".join(
        format_value(v, kind=kind, digits=places_avoiding(v, null, *avoid, digits=base))
        for v in (low, high))


def format_interval(estimate: Any, lower: Any, upper: Any, *, kind: str = "ratio",
                    digits: int | None = None, missing: str = MISSING,
                    null: float | None = None, avoid: Sequence[float] = ()) -> str:
    """Format an estimate with its interval: "1.19 (0.83 to 1.71)".

    With ``kind="proportion"`` (or ``"percentage"``) every number has its per cent
    sign: "24.5% (22.1% to 27.0%)".

    When the estimate or either limit is missing the whole reads ``missing``: an
    estimate without its interval is not published as if it were certain. ``null``
    and ``avoid``: as for :func:`format_bounds`.
    """
    if finite(estimate) is None:
        return missing
    bounds = format_bounds(lower, upper, kind=kind, digits=digits, missing="", null=null,
                           avoid=avoid)
    if not bounds:
        return missing
    return f"{format_value(estimate, kind=kind, digits=digits)} ({bounds})"


def format_value(value: Any, *, kind: str, digits: int | None = None,
                 missing: str | None = None, null: float | None = None) -> str:
    """Format one published value by its kind; the single entry point for pages.

    Parameters
    ----------
    value
        The number (or, for ``kind="interval"``, the two limits; for ``kind="text"``,
        the text).
    kind
        ``count``, ``ratio``, ``estimate``, ``rate`` (2 decimal places), ``percentage``
        (1), ``proportion`` (a share of people held from 0 to 1, written as a
        percentage to 1: 0.245 reads "24.5%"), ``magnitude`` (0: person-years), ``interval`` (two limits, 2 decimal
        places), ``text`` or ``date`` (in words: :func:`format_date`).
    digits
        Decimal places, overriding the kind's default.
    missing
        Text for a missing or non-finite value; defaults to "fewer than 8" for counts
        (suppressed) and "could not be estimated" otherwise.
    null
        For ``kind="interval"``: the no-difference value; a limit that would round
        onto it but is not it gets extra decimal places (:func:`bound_places`).

    Notes
    -----
    Checked by the property tests in ``tests/unit/test_formatting.py``.
    """
    if kind == "count":
        return format_count(value, missing=missing)
    if kind == "date":
        return format_date(value, missing="" if missing is None else missing)
    missing = MISSING if missing is None else missing
    if kind == "percentage":
        return format_percentage(value, digits=1 if digits is None else digits,
                                 missing=missing)
    if kind == "proportion":
        return format_proportion(value, digits=1 if digits is None else digits,
                                 missing=missing)
    if kind in ("ratio", "estimate", "rate"):
        return format_ratio(value, digits=2 if digits is None else digits, missing=missing)
    if kind == "magnitude":
        return format_magnitude(value, digits=0 if digits is None else digits,
                                missing=missing)
    if kind == "interval":
        if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
            return missing
        return format_bounds(value[0], value[1], digits=digits, missing=missing,
                             null=null)
    if kind == "text":
        text = "" if value is None else str(value).strip()
        return text or missing
    raise ValueError(f"unknown kind {kind!r}: count, ratio, estimate, rate, percentage, "
                     "proportion, magnitude, interval, text or date")


def interval_order(first: Sequence[Any], second: Sequence[Any]) -> int | None:
    """Where the interval ``first`` (its lower and upper limits) lies against ``second``:
    -1 wholly below it, 1 wholly above it, 0 when the two overlap (a limit they share
    counts as overlapping); ``None`` when a limit is missing or not finite.

    The one reading of two intervals side by side, a cautious one: intervals that
    overlap a little can still differ, so an overlap is said as "within the
    uncertainty", never as no difference. The comparison of editions
    (:func:`lifetools.pipeline.compare.compare_results`) and the crisis page's Fine-Gray
    prediction against the observed cumulative incidence
    (:func:`lifetools.reports.crisis_results.fine_gray_incidence_sentence`) read their
    intervals with it. Tested in ``tests/unit/test_formatting.py``
    (``test_interval_order_*``).
    """
    (low, high), (other_low, other_high) = (
        [finite(v) for v in limits] for limits in (first, second))
    if low is None or high is None or other_low is None or other_high is None:
        return None
    if low > other_high:
        return 1
    if high < other_low:
        return -1
    return 0


def verdict(
    estimate: Any,
    lower: Any,
    upper: Any,
    *,
    null: float,
    above: str,
    below: str,
    events: Any = _UNSET,
    min_events: int = MIN_EVENTS,
    digits: int = 2,
    on_null: str = NO_DIFFERENCE,
) -> str:
    """Say in plain words what an estimate and its confidence interval show.

    Parameters
    ----------
    estimate, lower, upper
        The estimate and the limits of its confidence interval.
    null
        The value meaning "no difference": 1 for a ratio, 0 for a difference.
    above, below
        The caller's direction-aware words for an interval wholly above or wholly
        below ``null`` (for a hazard ratio of discharge: "faster discharge among
        users", "slower discharge among users").
    events
        The number of events behind the estimate, if the rule on the fewest events
        applies; ``None`` (a suppressed count) counts as too few. Leave it out when no
        events count applies (a mean change).
    min_events
        Fewest events for which a verdict is given.
    digits
        Decimal places the page shows the limits with (before :func:`bound_places`
        adds any): the verdict reads the limits as shown.
    on_null
        The words for an interval that includes ``null``, for a measure whose ``null``
        is not "no difference" (a C-statistic's 0.5: "compatible with ranking people
        no better than chance").

    Returns
    -------
    str
        In this order of precedence: "could not be estimated" (estimate or a limit
        missing or not finite, or limits out of order); "too few events to tell"
        (fewer than ``min_events`` events); ``on_null``, by default "compatible with
        no difference" (the interval includes ``null``, limits included); ``above`` or
        ``below``.

    Notes
    -----
    The limits are judged as the page shows them (:func:`shown_bound`): a limit that
    is not ``null`` keeps enough decimal places (up to :data:`BOUND_DIGITS_LIMIT`) to
    show its side of it, and one that rounds onto ``null`` even then reads, and is
    judged, as ``null`` ("compatible with no difference"). The verdict reads the
    interval only, never a p-value, and never claims a cause.
    Wording rules: ``book/methods/verdicts.md``. Checked by
    ``tests/unit/test_formatting.py``.
    """
    numbers = [finite(v) for v in (estimate, lower, upper)]
    if any(n is None for n in numbers):
        return MISSING
    est, low, high = numbers
    if not low <= est <= high:  # type: ignore[operator]
        return MISSING
    if events is not _UNSET:
        count = finite(events)
        if count is None or count < min_events:
            return TOO_FEW_EVENTS
    low = shown_bound(low, digits=digits, null=null)  # type: ignore[arg-type]
    high = shown_bound(high, digits=digits, null=null)  # type: ignore[arg-type]
    if low <= null <= high:
        return on_null
    return above if low > null else below
