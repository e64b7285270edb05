"""Frozen result objects of the survival estimators (each a :class:`lifetools.results.Result`)."""

from __future__ import annotations

import functools
import importlib.metadata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifetools.results import Interval, Result

__all__ = ["CIFResult", "CURVE_COLUMNS", "CoxResult", "KMResult", "LandmarkResult",
           "curve_of_no_one", "library_versions"]

CURVE_COLUMNS = ("group", "time", "estimate", "ci_lower", "ci_upper", "se", "at_risk",
                 "events")
"""The columns of a Kaplan-Meier or cumulative incidence ``summary``, in their order."""


def curve_of_no_one(counts: tuple[str, ...]) -> pd.DataFrame:
    """The ``summary`` of a curve of no one (a small group's cohort): no rows.

    Parameters
    ----------
    counts
        The columns of :data:`CURVE_COLUMNS` held as integers (the rest but ``group``,
        text, are floats): a Kaplan-Meier curve's numbers at risk and events, a
        cumulative incidence's events (its numbers at risk are floats).

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`CURVE_COLUMNS` with their types and no rows (what
        ``pd.concat`` of no curve would raise on). Tested in ``tests/unit/test_small_groups.py``.
    """
    return pd.DataFrame({name: pd.Series(dtype=object if name == "group" else
                                         int if name in counts else float)
                         for name in CURVE_COLUMNS})


def library_versions() -> dict[str, str]:
    """Versions of the libraries behind the estimates (for the method record).

    Read once per process (:func:`_installed_versions`), from the installed
    distributions' metadata: no fit imports a library only to learn its version.
    """
    return dict(_installed_versions())


@functools.cache
def _installed_versions() -> tuple[tuple[str, str], ...]:
    return tuple((name, importlib.metadata.version(name))
                 for name in ("lifelines", "statsmodels"))


class _PeopleAndEvents(Result):
    """``n`` and ``events`` of a survival result: its people and its events."""

    __slots__ = ()
    n_people: int
    n_events: int

    @property
    def n(self) -> int:  # type: ignore[override]
        """People in the analysis (``n_people``)."""
        return self.n_people

    @property
    def events(self) -> int:  # type: ignore[override]
        """People with the event of interest (``n_events``)."""
        return self.n_events


@dataclass(frozen=True)
class KMResult(_PeopleAndEvents):
    """Kaplan-Meier survival by group.

    ``summary``: group, time, estimate, ci_lower, ci_upper, se (Greenwood standard
    error of S), at_risk (one row per time); ``at_risk``: numbers at risk at chosen
    times (raw counts, protect before publishing); ``logrank``: test statistic,
    degrees of freedom and p-value; ``medians``: group, median, ci_lower, ci_upper.
    """

    summary: pd.DataFrame
    at_risk: pd.DataFrame
    logrank: dict[str, float] | None
    n_people: int
    n_events: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    model: Any = field(default=None, repr=False)
    """The lifelines fitters by group; a group's is ``None`` where lifelines refused its
    curve and the product limit was computed directly
    (:func:`~lifetools.survival.kaplan_meier.product_limit`)."""
    risk_sets: pd.DataFrame | None = field(default=None, repr=False)
    """Each person's group, ``entry`` and ``stop`` (raw, never published): the
    numbers at risk at any day (:func:`~lifetools.survival.at_risk_table`), for a
    figure whose curve runs past the days of ``at_risk``."""
    medians: pd.DataFrame | None = None


@dataclass(frozen=True)
class CIFResult(_PeopleAndEvents):
    """Aalen-Johansen cumulative incidence of one event type, competing risks, by group.

    ``summary``: group, time, estimate, ci_lower, ci_upper, se, at_risk, events (one
    row per time of any event or censoring: :func:`lifetools.survival.competing.every_time`).
    """

    summary: pd.DataFrame
    at_risk: pd.DataFrame
    event_of_interest: int
    n_people: int
    n_events: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    model: Any = field(default=None, repr=False)
    """The lifelines fitters by group; a group's is ``None`` where lifelines refused its
    curve and the product limit was computed directly
    (:func:`~lifetools.survival.kaplan_meier.product_limit`)."""
    risk_sets: pd.DataFrame | None = field(default=None, repr=False)
    """Each person's group, ``entry`` and ``stop`` (raw, never published): the
    numbers at risk at any day (:func:`~lifetools.survival.at_risk_table`), for a
    figure whose curve runs past the days of ``at_risk``."""


@dataclass(frozen=True)
class CoxResult(_PeopleAndEvents):
    """Cox proportional hazards: hazard ratios and the proportional-hazards test.

    ``summary``: term, estimate (hazard ratio), ci_lower, ci_upper, p_value, coef, se;
    ``ph_test``: term, statistic, df, p_value (R's ``cox.zph``: per term and a last
    ``GLOBAL`` row). ``estimable`` is False when the fit did not converge or a term is
    degenerate; ``reason`` then says why (and ``warnings`` holds it too).
    ``global_tests``: test (likelihood_ratio, wald, score), statistic, df, p_value,
    as R's ``summary(coxph)`` (None when not estimable).
    """

    summary: pd.DataFrame
    ph_test: pd.DataFrame | None
    n_people: int
    n_events: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    model: Any = field(default=None, repr=False)
    estimable: bool = True
    reason: str = ""
    global_tests: pd.DataFrame | None = None

    def hazard_ratio(self, term: str) -> Interval:
        """(estimate, ci_lower, ci_upper) of one term: :meth:`Result.interval`."""
        return self.interval(term)


@dataclass(frozen=True)
class LandmarkResult:
    """A Cox model fitted from a landmark time among those still at risk then."""

    landmark: float
    cox: CoxResult
    n_excluded: int
    method: dict[str, Any]
