"""The dates of data each report reads around an edition's period (issue 14).

A report counts people and events in its period, and some read before it or after it:

- ``emergency_care``: each user's index date (first Life Rooms contact) is in the
  period; the difference-in-differences' before window is ``window_days`` before it
  and the propensity score's baseline window ``window_days`` before that
  (:func:`lifetools.cohort.build_person_time`), so the data must start
  ``2 * window_days`` before the period does (the windows are clipped at the start of
  the data, which would publish a shorter baseline than the method says).
- ``crisis_risk``: the model is developed on the people open one year before the period
  starts, with their A&E attendances and emergency admissions in the year before that
  (:func:`lifetools.cohort.build_crisis_cohort`), and validated on crises in the
  :data:`~lifetools.design_sizes.CRISIS_HORIZON_DAYS` from the period's start, which
  its period must cover (``DateNeeds.period_rule``).
- every other report: its period.

:func:`date_needs` says which dates a run needs from its parameters (a run's
``window_days`` changes the look-back); the publishing pipeline refuses an edition
whose needs the data do not cover before any notebook runs
(``lifetools.pipeline.integrity.check_window``). A report not named here needs its
period only. Tested in ``tests/unit/test_date_needs.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lifetools.design_sizes import CRISIS_HORIZON_DAYS

__all__ = ["DateNeeds", "date_needs"]


@dataclass(frozen=True)
class DateNeeds:
    """The first and last day of data a run needs, and why, in words.

    ``first`` and ``last`` are ISO dates; ``before`` and ``after`` say what the run
    reads before and after its period ("" when it reads nothing there).
    ``period_rule`` says why the period itself does not suit the report ("" when it
    does): the crisis-risk report validates its model over a year from the period's
    start, so a shorter period is refused with the edition's other checks, before any
    notebook runs (until wave 42 the report raised inside its notebook, issue 14).
    """

    first: str
    last: str
    before: str = ""
    after: str = ""
    period_rule: str = ""


def _shift(day: str, *, days: int = 0, years: int = 0) -> str:
    date = dt.date.fromisoformat(day)
    if years:  # the same day a year earlier (29 February: the 28th)
        try:
            date = date.replace(year=date.year + years)
        except ValueError:
            date = date.replace(year=date.year + years, day=28)
    return (date + dt.timedelta(days=days)).isoformat()


def _emergency(start: str, end: str, parameters: Mapping[str, Any]) -> DateNeeds:
    window = int(parameters.get("window_days", 365))
    return DateNeeds(_shift(start, days=-2 * window), end,
                     f"the {2 * window} days before the period: the before and "
                     f"baseline windows of {window} days each before a first Life "
                     "Rooms contact in it")


def _crisis(start: str, end: str, parameters: Mapping[str, Any]) -> DateNeeds:
    # the period covers the horizon (a shorter one is refused by its period rule), so
    # the validation's crises lie in it and nothing after it is read
    development = _shift(start, years=-1)
    days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
    return DateNeeds(_shift(development, days=-365), end,
                     "the two years before the period: the model is developed on the "
                     "people open a year before it starts, with their emergency care "
                     "in the year before that", "",
                     "" if end >= _shift(start, days=CRISIS_HORIZON_DAYS - 1) else
                     f"its period is {days} days long, shorter than the "
                     f"{CRISIS_HORIZON_DAYS}-day horizon over which the model's "
                     "predictions are validated (it needs a period of at least "
                     f"{CRISIS_HORIZON_DAYS} days)")


_NEEDS = {"emergency_care": _emergency, "crisis_risk": _crisis}


def date_needs(report: str, period_start: str, period_end: str,
               parameters: Mapping[str, Any] | None = None) -> DateNeeds:
    """The days of data the report ``report`` (an analysis id) needs for a period
    (ISO dates) with these ``parameters`` (its resolved parameters)."""
    need = _NEEDS.get(report)
    if need is None:
        return DateNeeds(period_start, period_end)
    return need(period_start, period_end, parameters or {})
