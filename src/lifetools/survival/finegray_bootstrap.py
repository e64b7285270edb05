"""A person-level bootstrap of a Fine-Gray model: the whole fit redone in every sample.

The standard errors of :func:`~lifetools.survival.fit_fine_gray` (as R's ``finegray`` +
``coxph``) take the censoring weights as known. ``cmprsk::crr``'s variance (Fine and
Gray 1999) carries their estimation. A bootstrap that draws people with replacement
and, in each sample, re-estimates the censoring distribution, rebuilds the weighted rows,
refits the coefficients and the Breslow baseline carries every part: the weights, the
coefficients and the baseline of a predicted cumulative incidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from lifetools.results import Result
from lifetools.survival.finegray import breslow_baseline, finegray_rows
from lifetools.survival.partial_likelihood import fit_weighted_cox
from lifetools.survival.results import library_versions

__all__ = ["FineGrayBootstrap", "bootstrap_fine_gray", "fine_gray_incidence"]

BOOTSTRAP_METHOD = {
    "estimator": "Fine-Gray subdistribution hazards (weighted Cox on finegray rows); "
                 "cumulative incidence 1 - exp(-H0(t) exp(x b)), Breslow baseline",
    "ci_method": "percentile bootstrap over people (people drawn with replacement; in "
                 "every sample the censoring distribution, the weighted rows, the "
                 "coefficients and the baseline are estimated again); quantiles by "
                 "linear interpolation (R's type 7); log ratios' quantiles exponentiated",
}


@dataclass(frozen=True)
class FineGrayBootstrap(Result):
    """Result of :func:`bootstrap_fine_gray`.

    ``summary``: one row per term: ``term``, ``coef`` (log subdistribution hazard
    ratio of the data), ``estimate`` (the ratio), ``se`` (bootstrap standard deviation
    of ``coef``), ``ci_lower``, ``ci_upper`` (percentile limits of the ratio).
    ``incidence``: one row per profile and time: ``profile`` (the row's position),
    ``time``, ``estimate``, ``se``, ``ci_lower``, ``ci_upper``. ``draws``: the
    replicates' coefficients (one column per term) and incidences (``cif_<p>_<t>``).
    """

    summary: pd.DataFrame
    incidence: pd.DataFrame
    draws: pd.DataFrame
    n_people: int
    n_events: int
    replicates: int
    failed: int
    seed: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    model: Any = None

    @property
    def n(self) -> int:
        return self.n_people

    @property
    def events(self) -> int:
        return self.n_events


def _fit(data: pd.DataFrame, terms: list[str], times: np.ndarray, profiles: np.ndarray,
         *, event_of_interest: int, competing: Sequence[int] | None,
         ties: str) -> tuple[np.ndarray, np.ndarray, bool, int]:
    """Coefficients, incidences (profiles x times), converged, events of one data set."""
    rows = finegray_rows(data, duration_col="_time", event_col="_event",
                         event_of_interest=event_of_interest, competing=competing)
    events = int(rows["fg_status"].sum())
    nan = np.full(len(terms), np.nan), np.full((len(profiles), len(times)), np.nan)
    if events == 0:
        return *nan, False, 0
    x = rows[terms].to_numpy(dtype=float)
    # a sample with a monotone likelihood (separation) overflows on its way to
    # infinity: its coefficient is flagged infinite below, never used
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fit = fit_weighted_cox(rows["fg_stop"], rows["fg_status"], x,
                               entry=rows["fg_start"], weights=rows["fg_weight"],
                               ties=ties)
    coef = fit.coef
    if not fit.converged or fit.infinite or not np.all(np.isfinite(coef)):
        return *nan, False, events
    base = breslow_baseline(rows, x @ coef, times)
    cif = -np.expm1(-np.outer(np.exp(profiles @ coef), base))
    return coef, cif, True, events


def fine_gray_incidence(df: pd.DataFrame, *, duration_col: str, event_col: str,
                        event_of_interest: int, covariates: Sequence[str],
                        profiles: pd.DataFrame, times: Sequence[float],
                        competing: Sequence[int] | None = None,
                        ties: Literal["breslow", "efron"] = "breslow") -> pd.DataFrame:
    """Predicted cumulative incidence of a Fine-Gray fit for each profile at each time.

    Returns
    -------
    DataFrame
        ``profile`` (row position in ``profiles``), ``time``, ``estimate``; NaN when
        the fit did not converge, a coefficient is infinite or there is no event of
        interest.

    Notes
    -----
    ``1 - exp(-H0(t) exp(x b))``, ``H0`` the Breslow baseline on the weighted
    finegray rows, covariates uncentred (as
    :func:`lifetools.prediction.time_to_event.fit_fine_gray_risk`, which is checked
    against R ``survfit`` to 1e-7; here checked against it in
    ``tests/unit/test_finegray_bootstrap.py``).
    """
    data, terms, grid, x = _prepare(df, duration_col, event_col, covariates, profiles,
                                    times)
    _, cif, _, _ = _fit(data, terms, grid, x, event_of_interest=event_of_interest,
                        competing=competing, ties=ties)
    return _incidence_frame(cif, grid)


def _prepare(df: pd.DataFrame, duration_col: str, event_col: str,
             covariates: Sequence[str], profiles: pd.DataFrame | None,
             times: Sequence[float]) -> tuple[pd.DataFrame, list[str], np.ndarray,
                                               np.ndarray]:
    terms = list(covariates)
    data = pd.DataFrame({c: df[c].to_numpy(dtype=float) for c in terms}).assign(
        _time=df[duration_col].to_numpy(dtype=float),
        _event=df[event_col].to_numpy(dtype=int))
    grid = np.asarray(times, dtype=float)
    if profiles is None:
        if len(grid):
            raise ValueError("times were given without profiles")
        x = np.empty((0, len(terms)))
    else:
        x = profiles[terms].to_numpy(dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("profiles must have no missing values")
    return data, terms, grid, x


def _incidence_frame(cif: np.ndarray, grid: np.ndarray) -> pd.DataFrame:
    profile, when = np.meshgrid(np.arange(cif.shape[0]), grid, indexing="ij")
    return pd.DataFrame({"profile": profile.ravel(), "time": when.ravel(),
                         "estimate": cif.ravel()})


def bootstrap_fine_gray(
    df: pd.DataFrame,
    *,
    duration_col: str,
    event_col: str,
    event_of_interest: int,
    covariates: Sequence[str],
    seed: int,
    replicates: int = 1000,
    profiles: pd.DataFrame | None = None,
    times: Sequence[float] = (),
    competing: Sequence[int] | None = None,
    ties: Literal["breslow", "efron"] = "breslow",
    level: float = 0.95,
) -> FineGrayBootstrap:
    """Percentile bootstrap intervals of Fine-Gray ratios and predicted incidences.

    Parameters
    ----------
    df : DataFrame
        One row per person: time to the first event, its code (0 censored,
        ``event_of_interest``, competing codes), the covariates; no delayed entry.
    seed : int
        Seed of ``numpy.random.default_rng`` drawing the samples: the same seed and
        data give the same bytes.
    replicates : int
        Bootstrap samples (1,000 or more for 95% percentile limits).
    profiles, times
        Covariate profiles (the ``covariates`` columns, one row each) and the times at
        which each profile's cumulative incidence is estimated, in ``duration_col``'s
        units. Neither: ratios only.
    competing, ties
        As :func:`lifetools.survival.fit_fine_gray` (ties of the coefficients; the
        baseline is Breslow's).
    level : float
        Confidence level of the percentile limits.

    Returns
    -------
    FineGrayBootstrap
        Estimates of the data with bootstrap standard errors and percentile limits.

    Notes
    -----
    Sample ``b`` draws ``n`` people with replacement
    (``default_rng(seed).integers(0, n, n)``, one call per sample, in order); a person
    drawn twice is two people. In each sample the whole estimator is redone: the
    Kaplan-Meier of the censoring distribution and the finegray rows and weights
    (:func:`lifetools.survival.finegray.finegray_rows`), the weighted Cox fit by
    Newton-Raphson (:func:`lifetools.survival.partial_likelihood.fit_weighted_cox`)
    and the Breslow baseline at ``times``. So the standard errors and limits carry
    the estimation of the censoring weights, which the robust errors of
    ``fit_fine_gray`` (R ``finegray`` + ``coxph``) take as known. Interval: the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the replicates (linear
    interpolation, R's ``quantile`` type 7), of the log ratio then exponentiated,
    and of the incidence itself; ``se`` is the replicates' standard deviation. A sample
    without an event of interest, whose fit did not converge or has an infinite
    coefficient (separation: :func:`~lifetools.survival.partial_likelihood.
    fit_weighted_cox`) is left out and counted (``failed``, with a warning); the point
    estimates are the data's fit.
    Bootstrap standard errors equal ``cmprsk::crr``'s (whose variance also carries the
    weights) and an R bootstrap of ``crr`` within Monte Carlo error on mgus2
    (``tests/reference/test_fine_gray_bootstrap_against_r.py``); coverage of the
    true ratio in ``tests/truth/test_fine_gray_bootstrap_truth.py``.
    """
    if replicates < 2:
        raise ValueError("replicates must be at least 2")
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    data, terms, grid, x = _prepare(df, duration_col, event_col, covariates, profiles,
                                    times)
    args = {"event_of_interest": event_of_interest, "competing": competing, "ties": ties}
    coef, cif, converged, events = _fit(data, terms, grid, x, **args)
    rng = np.random.default_rng(seed)
    n = len(data)
    coefs = np.full((replicates, len(terms)), np.nan)
    cifs = np.full((replicates, *cif.shape), np.nan)
    for b in range(replicates):
        sample = data.iloc[rng.integers(0, n, n)].reset_index(drop=True)
        coefs[b], cifs[b], _, _ = _fit(sample, terms, grid, x, **args)
    ok = np.all(np.isfinite(coefs), axis=1)
    failed = int(replicates - ok.sum())
    notes = [] if converged else ["not estimable: the fit to the data did not converge, "
                                  "has an infinite coefficient or has no event of "
                                  "interest"]
    if failed:
        notes.append(f"{failed} of {replicates} bootstrap samples left out (no event of "
                     "interest, no convergence or an infinite coefficient)")
    probs = [(1 - level) / 2, (1 + level) / 2]
    if ok.sum() >= 2:
        low, high = np.quantile(coefs[ok], probs, axis=0)
        se = coefs[ok].std(axis=0, ddof=1)
        cif_low, cif_high = np.quantile(cifs[ok], probs, axis=0)
        cif_se = cifs[ok].std(axis=0, ddof=1)
    else:
        low = high = se = np.full(len(terms), np.nan)
        cif_low = cif_high = cif_se = np.full(cif.shape, np.nan)
    summary = pd.DataFrame({"term": terms, "coef": coef, "estimate": np.exp(coef),
                            "se": se, "ci_lower": np.exp(low), "ci_upper": np.exp(high)})
    incidence = _incidence_frame(cif, grid).assign(
        se=cif_se.ravel(), ci_lower=cif_low.ravel(), ci_upper=cif_high.ravel())
    draws = pd.DataFrame(coefs, columns=terms)
    for (p, t), column in zip(np.ndindex(cif.shape), cifs.reshape(replicates, -1).T,
                              strict=True):
        draws[f"cif_{p}_{grid[t]:g}"] = column
    method = {**BOOTSTRAP_METHOD, "ties": f"{ties} (coefficients); Breslow (baseline)",
              "replicates": replicates, "seed": seed, "level": level,
              "event_of_interest": event_of_interest,
              "competing": "all other event codes" if competing is None
              else list(competing), **library_versions()}
    return FineGrayBootstrap(summary=summary, incidence=incidence, draws=draws,
                             n_people=n, n_events=events, replicates=replicates,
                             failed=failed, seed=seed, method=method,
                             warnings=tuple(notes))
