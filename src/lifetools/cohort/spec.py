"""Who a cohort is about: the period, the team types and the locality, as one value.

A :class:`CohortSpec` is what every cohort builder (and its SQL) takes instead of the
repeated ``period_start, period_end, team_types, locality`` arguments. It is checked
once, when made: a period whose end is before its start, a date that is not a date, or
a team type the data dictionary does not know is refused there (``UserError``, exit 3),
not deep inside a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from lifetools.dictionary import load_dictionary
from lifetools.errors import UserError

__all__ = ["CohortSpec"]


def _date(name: str, value: Any) -> str:
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise UserError(f"the cohort's {name} {value!r} is not a date",
                        hint="give an ISO date such as 2024-03-31") from None
    if pd.isna(day) or day != day.normalize():
        raise UserError(f"the cohort's {name} {value!r} is not a calendar date",
                        hint="give an ISO date such as 2024-03-31")
    return day.date().isoformat()


def known_team_types() -> tuple[str, ...]:
    """Team-type codes the data dictionary labels (``referrals.team_type``)."""
    return tuple(load_dictionary().table("referrals").field("team_type").labels)


@dataclass(frozen=True)
class CohortSpec:
    """The period, team types and locality of a cohort, validated when made.

    Parameters
    ----------
    period_start, period_end : str
        ISO dates (a ``Timestamp`` or ``date`` is accepted and kept as its ISO date);
        the period includes both days. ``period_end`` must not be before
        ``period_start``.
    team_types : sequence of str
        Team-type codes of ``referrals.team_type`` (at least one, each labelled in the
        data dictionary); kept as a tuple in the order given.
    locality : str
        A locality of the deprivation table, or ``"all"``. Localities come from the
        data, so they are checked by the builders (an unknown one gives an empty
        cohort), not here.

    Raises
    ------
    UserError
        A date that is not a calendar date, a period that ends before it starts, no
        team type, a team type the dictionary does not know, or an empty locality.

    Notes
    -----
    Frozen and hashable, so a spec can key a cache and cannot change between the
    cohort's flow counts and its frame. The survival cohorts use all four fields;
    person-time uses the period and the locality (it is about Life Rooms use, not a
    team's caseload). Tested in ``tests/unit/test_cohort_spec.py``.
    """

    period_start: str
    period_end: str
    team_types: tuple[str, ...] = ("A06",)
    locality: str = "all"

    def __post_init__(self) -> None:
        start = _date("period_start", self.period_start)
        end = _date("period_end", self.period_end)
        if end < start:
            raise UserError(f"the cohort's period ends ({end}) before it starts ({start})")
        teams = (self.team_types,) if isinstance(self.team_types, str) else tuple(
            self.team_types)
        if not teams:
            raise UserError("the cohort names no team type",
                            hint="give at least one, such as A06")
        known = known_team_types()
        unknown = [t for t in teams if t not in known]
        if unknown:
            raise UserError(f"unknown team type {', '.join(map(repr, unknown))}",
                            hint=f"the data dictionary's team types: {', '.join(known)}")
        if not isinstance(self.locality, str) or not self.locality.strip():
            raise UserError("the cohort's locality is empty",
                            hint="give a locality of the deprivation table, or 'all'")
        object.__setattr__(self, "period_start", start)
        object.__setattr__(self, "period_end", end)
        object.__setattr__(self, "team_types", teams)

    @property
    def start(self) -> pd.Timestamp:
        """The first day of the period."""
        return pd.Timestamp(self.period_start)

    @property
    def end(self) -> pd.Timestamp:
        """The last day of the period."""
        return pd.Timestamp(self.period_end)
