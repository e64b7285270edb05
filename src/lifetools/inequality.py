"""Rates by deprivation quintile and the slope and relative indices of inequality.

Method (PHE/OHID, ``PHEindicatormethods::phe_sii``): groups are ranked from most
deprived (quintile 1) to least deprived; each group's rank is the midpoint of its share
of the population on a 0-1 scale (x = 0 most deprived, x = 1 least deprived); the rate
is regressed on x by weighted least squares (weights = population, here person-time).

- **SII** = fitted value at x = 0 minus fitted value at x = 1: the modelled absolute gap
  between the most and least deprived ends (positive = higher in the most deprived).
- **RII** = fitted value at x = 0 divided by fitted value at x = 1: the ratio of the
  extremes (the WHO ``healthequal`` definition). The other definition, SII divided by
  the person-time-weighted mean rate, is returned by ``estimate_sii`` as ``rii_mean``
  and shown as the third row of ``equity_summary``'s ``summary``.

Confidence intervals by Monte Carlo: each group's rate is redrawn from its Poisson
count (rate = count / person-time), the line refitted, and the 2.5th and 97.5th
percentiles taken (10,000 draws, fixed seed: deterministic).

Protected values only: the rates by quintile and their exact (Garwood) Poisson
intervals shown in ``rates``, and the SII and RII, are all computed from the
*published* numbers: events and people protected as counts (suppressed 1-7, rounded
to 5 by default) and person-years rounded to the profile's count base. A line fitted
to the unprotected counts would be a function of the raw counts that the published
table does not give: with five quintiles, the SII, the two RIIs and the published
rates are enough equations to solve for raw counts the rounding hid (DOMAIN.md:
"derive percentages and rates from the protected counts"; issue 12). Fitted to the
published numbers, the indices can be reproduced exactly from the published table of
rates, so they disclose nothing the table does not. They are refused (missing, with
the model release's reason) when a quintile's events or person-years are suppressed:
a fit would need the hidden cells, and no imputed value is published. The cost is the
rounding error in the fit, which is small beside the Monte Carlo interval when
quintiles hold more than a few dozen events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifetools.disclosure import (
    ProtectedTable,
    poisson_interval,
    rates_over,
    rates_table,
)
from lifetools.formatting import rate_unit
from lifetools.labels import DEPRIVATION_FIFTHS, listed

__all__ = ["RII_ENDS", "RII_MEAN", "InequalityResult", "equity_summary", "estimate_sii",
           "poisson_interval", "rank_midpoints", "rates_by_group", "suppressed_fifths"]

SIMULATIONS = 10_000
SEED = 20250331


def rates_by_group(frame: pd.DataFrame, *, group_col: str | list[str], event_col: str,
                   person_time_col: str, per: float = 1.0,
                   events_are_people: bool = False) -> ProtectedTable:
    """People, events, person-years and rate (per ``per`` person-years), exact 95% CIs.

    A :class:`~lifetools.disclosure.ProtectedTable` made by
    :func:`lifetools.disclosure.rates_table`: counts of events and people are
    protected (suppressed 1-7, rounded to 5 by default), person-years follow the
    magnitude rules (at least 10 people, no dominance) and are published rounded to
    the profile's count base (hidden beside a hidden people count), and the rates and
    their exact (Garwood) intervals are computed from the published events and
    person-years; a suppressed input gives no rate. ``events_are_people``: the events
    are people of the group (0 or 1 a row, one row a person), hidden when shown equal
    to the people (group disclosure).
    """
    return rates_table(frame, group_cols=group_col, event_col=event_col,
                       person_time_col=person_time_col, per=per,
                       events_are_people=events_are_people)


def rank_midpoints(weights: np.ndarray) -> np.ndarray:
    """Cumulative population-share midpoints (0 = most deprived end) of ordered groups."""
    share = np.asarray(weights, float) / np.sum(weights)
    return np.cumsum(share) - share / 2


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares intercept and slope for each row of ``y`` (vectorised)."""
    w = w / w.sum()
    xbar = np.sum(w * x)
    ybar = y @ w
    slope = ((y - ybar[:, None]) * (x - xbar)) @ w / np.sum(w * (x - xbar) ** 2)
    return ybar - slope * xbar, slope


def estimate_sii(counts: np.ndarray, person_time: np.ndarray, *,
                 simulations: int = SIMULATIONS, seed: int = SEED,
                 alpha: float = 0.05) -> dict[str, float]:
    """SII and RII (see module) for groups ordered most to least deprived.

    Returns ``sii``, ``rii`` (ratio of fitted ends) and ``rii_mean`` (SII over the
    person-time-weighted mean rate), each with ``_lower`` and ``_upper`` Monte Carlo
    limits. Pass the published (protected) counts and person-time (see module);
    :func:`equity_summary` does.
    """
    counts = np.asarray(counts, float)
    years = np.asarray(person_time, float)
    x = rank_midpoints(years)
    rates = counts / years
    intercept, slope = _fit(x, rates[None, :], years)
    draws = np.random.default_rng(seed).poisson(counts, size=(simulations, len(counts)))
    sim_a, sim_b = _fit(x, draws / years, years)
    sii = float(intercept[0] - (intercept[0] + slope[0]))
    most, least = intercept, intercept + slope
    with np.errstate(divide="ignore", invalid="ignore"):
        rii_draws = sim_a / (sim_a + sim_b)
        rii_mean_draws = -sim_b / (draws.sum(axis=1) / years.sum())
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    sii_ci = np.percentile(-sim_b, q)
    rii_ci = np.nanpercentile(rii_draws, q)
    rii_mean_ci = np.nanpercentile(rii_mean_draws, q)
    return {"sii": sii, "sii_lower": float(sii_ci[0]), "sii_upper": float(sii_ci[1]),
            "rii": float(most[0] / least[0]), "rii_lower": float(rii_ci[0]),
            "rii_upper": float(rii_ci[1]),
            "rii_mean": float(sii / np.average(rates, weights=years)),
            "rii_mean_lower": float(rii_mean_ci[0]),
            "rii_mean_upper": float(rii_mean_ci[1])}


@dataclass(frozen=True)
class InequalityResult:
    """Rates by deprivation quintile (protected) and SII/RII with Monte Carlo CIs."""

    rates: ProtectedTable
    summary: pd.DataFrame
    method: dict[str, Any] = field(default_factory=dict)
    withheld: tuple[str, ...] = ()
    """Why the SII and RII are missing when a fifth's counts are suppressed, naming the
    fifths (:func:`suppressed_fifths`; for :func:`lifetools.disclosure.model_release`'s
    ``withheld``)."""


def _people_as_denominator(rates: ProtectedTable) -> ProtectedTable:
    """A rates table of one person-year a person without its ``person_years`` column.

    The column repeats ``people``: both are rounded by one rule
    (:func:`~lifetools.disclosure.round_count`; a hidden people count hides the
    person-years too). Where both are shown they must be equal, so that the rates,
    computed from the person-years, are computed from the people count shown, which
    the record then names as their denominator
    (:func:`lifetools.disclosure.derived.rates_over`).
    """
    return rates_over(rates, "people")


def suppressed_fifths(fifths: Sequence[Any]) -> str:
    """Why the SII and RII are missing, naming the fifths whose counts are suppressed in
    the words a release check's reason names them by (:data:`lifetools.labels.
    DEPRIVATION_FIFTHS`, as :func:`lifetools.labels.group_words` says "people in the
    middle fifth of areas"): "the counts for the middle fifth of areas are suppressed",
    "the counts for the second most deprived fifth and the least deprived fifth of areas
    are suppressed". The fifths are those the rates table shows as ``[c]``, so naming
    them says nothing the table does not (their counts are not given). The reason said
    "the counts of a deprivation fifth are suppressed", which fifth left to the reader,
    until wave 39 (issue 15: the 30,000-person reach page).
    """
    ordered = sorted({int(float(q)) for q in fifths})
    return (f"the counts for {listed([DEPRIVATION_FIFTHS[str(q)] for q in ordered])} of "
            "areas are suppressed")


RII_ENDS = "Ratio of the most to the least deprived end (relative index of inequality)"
"""The summary's name of the RII as the ratio of the fitted ends."""
RII_MEAN = ("Slope index divided by the average rate (relative index of inequality, "
            "PHE form)")
"""The summary's name of the RII as the SII over the mean rate. The two read "Relative
index of inequality (most / least deprived)" and "... (SII / mean rate)" until wave 34:
one name for two quantities (1.88 and 0.61 side by side on the emergency care page at
30,000 people)."""


def equity_summary(frame: pd.DataFrame, *, event_col: str, person_time_col: str,
                   quintile_col: str = "imd_quintile", label: str = "rate",
                   per: float = 1.0, unit: str = "person-years",
                   linked: Callable[[ProtectedTable, str], ProtectedTable] | None = None
                   ) -> InequalityResult:
    """Rates by IMD quintile with exact CIs, and the SII and RII of the gradient.

    ``frame`` has one row per person (or person-period): the event count, person-time
    and IMD quintile (1 = most deprived). People with no quintile are left out.

    ``rates`` uses protected counts; ``summary`` has three rows: the SII (per ``per``
    person-years), the RII as the ratio of the fitted ends, and the RII as SII over the
    mean rate (``rii_mean``), all fitted to the published (protected) events and
    person-years of ``rates`` (see module) and missing when a quintile's events or
    person-years are suppressed or fewer than three quintiles remain.

    ``unit``: what the person-time counts, for the SII's unit in words
    (:func:`lifetools.formatting.rate_unit`): "person-years", or "people" when each
    person counts one (the reach page's users per 1,000 people). With "people" every
    row's person-time must be 1, and ``rates`` has no ``person_years`` column: it
    would repeat ``people`` under a header that is not true, so the people count is
    the denominator shown (the rates are computed from the rounded person-years, equal
    to it where both are shown: :func:`_people_as_denominator`).

    Raises
    ------
    ValueError
        If ``unit`` is "people" and a row's person-time is not 1, or the rounded
        person-years and people of a quintile differ.

    ``linked``: when another table on the same page publishes the events of each
    quintile, a function of the rates table and its label column that makes it follow
    that table (:func:`lifetools.disclosure.follow`): a quintile whose events the other
    table hides is hidden here too, with its rates, so the two tables cannot be
    differenced (the SII and RII are then missing), and the link is recorded for the
    publish gate to verify.
    """
    data = frame.dropna(subset=[quintile_col]).assign(
        **{quintile_col: lambda f: f[quintile_col].astype(int)})
    if unit == "people" and not (data[person_time_col] == 1).all():
        raise ValueError(f"unit 'people' needs one person-year a person: "
                         f"{person_time_col!r} is not 1 in every row")
    shown_col = "IMD quintile (1 = most deprived)"
    rates = rates_by_group(data.rename(columns={quintile_col: shown_col}),
                           group_col=shown_col, event_col=event_col,
                           person_time_col=person_time_col, per=per,
                           # one row a person: the events are users among them
                           events_are_people=unit == "people")
    if linked is not None:
        rates = linked(rates, shown_col)
    # the published events and person-years, in quintile order (see module)
    events = pd.to_numeric(pd.Series(rates["events"]), errors="coerce").to_numpy(float)
    years = pd.to_numeric(pd.Series(rates["person_years"]), errors="coerce"
                          ).to_numpy(float)
    usable = len(events) >= 3 and bool(np.isfinite(events).all()
                                       and np.isfinite(years).all() and (years > 0).all())
    values = estimate_sii(events, years) if usable \
        else dict.fromkeys(("sii", "sii_lower", "sii_upper", "rii", "rii_lower",
                            "rii_upper", "rii_mean", "rii_mean_lower",
                            "rii_mean_upper"), float("nan"))
    summary = pd.DataFrame({
        "term": [f"Slope index of inequality ({label} {rate_unit(per, unit)})",
                 RII_ENDS, RII_MEAN],
        "estimate": [per * values["sii"], values["rii"], values["rii_mean"]],
        "ci_lower": [per * values["sii_lower"], values["rii_lower"],
                     values["rii_mean_lower"]],
        "ci_upper": [per * values["sii_upper"], values["rii_upper"],
                     values["rii_mean_upper"]],
    })
    hidden = ~(np.isfinite(events) & np.isfinite(years))
    fifths = pd.Series(rates[shown_col]).to_numpy()[hidden]
    if unit == "people":
        rates = _people_as_denominator(rates)
    return InequalityResult(rates=rates, summary=summary, withheld=(
        (suppressed_fifths(fifths),) if len(fifths) else ()),
        method={
        "estimator": "PHE slope and relative index of inequality",
        "rank": "population (person-time) weighted cumulative midpoints",
        "ci_method": f"Monte Carlo, {SIMULATIONS:,} Poisson draws, seed {SEED}",
        "rii": "ratio of fitted values at the most and least deprived ends; "
               "rii_mean: SII / person-time-weighted mean rate",
        "counts": "rates, SII and RII from the published (protected) events and "
                  "person-years; refused when a quintile's are suppressed"})
