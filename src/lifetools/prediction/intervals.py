"""Bootstrap intervals: the Brier score and net benefit of given risks (over people), and
the two-stage bootstrap interval of optimism-corrected indexes (over the development)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lifetools.design_sizes import MIN_BOOT_PER_COPY
from lifetools.prediction.model import FrozenModel, ModelSpec
from lifetools.prediction.performance import net_benefit
from lifetools.prediction.validation import INDICES, bootstrap_validation

__all__ = ["BRIER_BOOT", "INNER_BOOT", "BrierInterval", "TwoStageInterval", "brier_interval",
           "mean_interval", "net_benefit_interval", "two_stage_interval"]

BRIER_BOOT = 1000
INNER_BOOT = 10
"""Inner bootstrap samples (Harrell's correction) per outer sample of
:func:`two_stage_interval` in the crisis report."""


def _risk_rows(risk: np.ndarray | Sequence[np.ndarray], n: int) -> np.ndarray:
    """The risks as an array of one row per imputed copy (one row when one copy)."""
    rows = np.atleast_2d(np.asarray(risk, dtype=float))
    if rows.shape[1] != n:
        raise ValueError("each risk array must have one value per person")
    return rows


def _percentile_means(values: np.ndarray, *, n_boot: int, seed: int,
                      level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile limits of the mean of each column of ``values`` over people resampled.

    Sample ``b`` draws ``n`` row positions with ``numpy.random.default_rng(seed)``
    (``rng.integers(0, n, n)``, one sample after another); limits by linear
    interpolation (R's ``quantile`` type 7).
    """
    n = values.shape[0]
    rng = np.random.default_rng(seed)
    means = np.empty((n_boot, values.shape[1]))
    chunk = max(1, min(n_boot, 2_000_000 // max(n * values.shape[1], 1)))
    for start in range(0, n_boot, chunk):  # the same draws as one sample at a time
        size = min(chunk, n_boot - start)
        means[start:start + size] = values[rng.integers(0, n, (size, n))].mean(axis=1)
    alpha = 1 - level
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2], axis=0)
    return low, high


@dataclass(frozen=True)
class BrierInterval:
    """The Brier score with its percentile bootstrap interval."""

    estimate: float
    ci_lower: float
    ci_upper: float
    n_boot: int
    method: dict


def brier_interval(outcome: np.ndarray, risk: np.ndarray | Sequence[np.ndarray], *,
                   n_boot: int = BRIER_BOOT, seed: int = 20261201,
                   level: float = 0.95) -> BrierInterval:
    """The Brier score of predicted risks with a percentile bootstrap interval over people.

    Parameters
    ----------
    outcome : array of 0/1
        One value per person (complete: the same in every imputed copy).
    risk : array, or sequence of arrays
        Predicted risks, one per person; or one array per imputed copy of the cohort.
    n_boot : int
        Bootstrap samples of people.
    seed : int
        Seed of ``numpy.random.default_rng`` drawing the samples.
    level : float
        Confidence level.

    Returns
    -------
    BrierInterval

    Notes
    -----
    Estimator: ``mean_i (p_i - y_i)^2`` (Brier 1950); with imputed copies each person's
    squared error is averaged over the copies first, so the estimate equals the mean
    over copies of each copy's Brier score (the report's pooled value). Interval:
    percentile bootstrap over people (people drawn with replacement, their
    per-person squared errors averaged; Efron and Tibshirani 1993, ch. 13); the
    model is fixed (validation of a frozen model), so only the sampling of people
    varies. The spread of the imputed values between copies is not added (Rubin's
    between-copy variance). Checked against a hand formula and against synthetic truth
    (risks drawn from a Beta distribution, whose expected Brier score ``E[p(1 - p)]``
    is known) in ``tests/unit/test_prediction_intervals.py``.
    """
    y = np.asarray(outcome, dtype=float)
    rows = _risk_rows(risk, len(y))
    loss = ((rows - y[None, :]) ** 2).mean(axis=0)
    low, high = _percentile_means(loss[:, None], n_boot=n_boot, seed=seed, level=level)
    method = {"estimator": "mean squared difference between risk and outcome",
              "interval": f"percentile bootstrap over people, {n_boot} samples, seed {seed}",
              "copies": len(rows)}
    return BrierInterval(estimate=float(loss.mean()), ci_lower=float(low[0]),
                         ci_upper=float(high[0]), n_boot=n_boot, method=method)


def net_benefit_interval(outcome: np.ndarray, risk: np.ndarray,
                         thresholds: np.ndarray | tuple[float, ...], *,
                         n_boot: int = BRIER_BOOT, seed: int = 20261201,
                         level: float = 0.95) -> pd.DataFrame:
    """The decision curve of :func:`net_benefit` with percentile intervals of the model's.

    Returns
    -------
    DataFrame
        ``threshold``, ``model``, ``model_lower``, ``model_upper``, ``treat_all``,
        ``treat_none`` (the columns of :func:`net_benefit` and the model's limits).

    Notes
    -----
    Net benefit at threshold ``pt`` (Vickers and Elkin 2006) is the mean over people of
    ``t_i (y_i - (1 - y_i) pt / (1 - pt))`` with ``t_i = 1`` when the risk is at least
    ``pt``: the estimate is :func:`net_benefit`'s exactly. Interval: percentile
    bootstrap over people, the same samples for every threshold, the risks fixed
    (Vickers, Cronin, Elkin and Gonen 2008, BMC Med Inform Decis Mak 8:53). Checked
    against a hand example and against synthetic truth (risks from a Beta
    distribution: true net benefit from its incomplete beta integrals) in
    ``tests/unit/test_prediction_intervals.py``.
    """
    y = np.asarray(outcome, dtype=float)
    if np.ndim(risk) != 1:
        raise ValueError("one risk per person (average imputed copies first)")
    p = _risk_rows(risk, len(y))[0]
    table = net_benefit(y, p, thresholds)
    th = table["threshold"].to_numpy()
    treated = p[:, None] >= th[None, :]
    contribution = treated * (y[:, None] - (1 - y[:, None]) * (th / (1 - th))[None, :])
    low, high = _percentile_means(contribution, n_boot=n_boot, seed=seed, level=level)
    table = table.assign(model_lower=low, model_upper=high)
    return table[["threshold", "model", "model_lower", "model_upper", "treat_all",
                  "treat_none"]]


def mean_interval(values: np.ndarray, *, n_boot: int = BRIER_BOOT, seed: int = 20261201,
                  level: float = 0.95) -> tuple[float, float, float]:
    """The mean of per-person values with its percentile bootstrap interval over people.

    Returns ``(mean, lower, upper)``; the samples are :func:`brier_interval`'s (the same
    seed draws the same people), for example the mean predicted 12-month cumulative
    incidence of a frozen model in a validation cohort.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or not len(v):
        raise ValueError("one value per person")
    low, high = _percentile_means(v[:, None], n_boot=n_boot, seed=seed, level=level)
    return float(v.mean()), float(low[0]), float(high[0])


Develop = Callable[[pd.DataFrame, Mapping[str, tuple[float, ...]] | None], FrozenModel]


@dataclass(frozen=True)
class TwoStageInterval:
    """Two-stage bootstrap intervals of Harrell's optimism-corrected indexes.

    ``summary``: one row per index (``c``, ``slope``, ``recalibration_intercept``,
    ``citl``, ``brier``) with ``ci_lower`` and ``ci_upper``; ``corrected`` the
    optimism-corrected indexes of every outer sample (one row each, columns in the
    order of ``summary``). ``n_failed``: outer samples left out (their validation
    raised); ``n_unreliable``: outer samples kept whose development fit did not converge
    or showed separation; ``n_inner_failed`` and ``n_inner_unreliable``: the same counts
    over the inner samples of the outer samples used (kept as ``rms::validate`` keeps
    them: :func:`lifetools.prediction.bootstrap_validation`).
    """

    summary: pd.DataFrame
    n_outer: int
    n_inner: int
    n_failed: int
    method: dict
    corrected: np.ndarray = field(repr=False, compare=False)
    n_unreliable: int = 0
    n_inner_failed: int = 0
    n_inner_unreliable: int = 0

    def interval(self, index: str) -> tuple[float, float]:
        """``(lower, upper)`` of one index."""
        row = self.summary.set_index("index").loc[index]
        return float(row["ci_lower"]), float(row["ci_upper"])


def two_stage_samples(n: int, *, n_outer: int, n_inner: int, seed: int
                      ) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """The outer samples and each one's inner samples, as :func:`two_stage_interval` draws them.

    ``numpy.random.default_rng(seed)`` draws outer sample ``b`` (``rng.integers(0, n,
    n)``, positions in the data) and then its ``n_inner`` inner samples (positions in
    the outer sample), one outer sample after another.
    """
    rng = np.random.default_rng(seed)
    drawn = []
    for _ in range(n_outer):
        outer = rng.integers(0, n, n)
        drawn.append((outer, [rng.integers(0, n, n) for _ in range(n_inner)]))
    return drawn


def two_stage_interval(copies: pd.DataFrame | Sequence[pd.DataFrame], spec: ModelSpec, *,
                       n_outer: int = 200, n_inner: int = INNER_BOOT, seed: int = 20261201,
                       shrinkage: str | float = "none", develop: Develop | None = None,
                       level: float = 0.95,
                       samples: Sequence[Sequence[tuple[np.ndarray, Sequence[np.ndarray]]]]
                       | None = None) -> TwoStageInterval:
    """Two-stage bootstrap percentile intervals of the optimism-corrected indexes.

    Parameters
    ----------
    copies : DataFrame, or sequence of DataFrame
        The development data, or its imputed copies.
    spec : ModelSpec
    n_outer : int
        Outer bootstrap samples in all, shared out over the copies (at least 10 per
        copy, as :func:`lifetools.prediction.imputation.bootstrap_validation_imputed`
        shares its samples).
    n_inner : int
        Harrell's bootstrap samples inside each outer sample.
    seed : int
        Copy ``i`` draws its samples with :func:`two_stage_samples` and seed ``seed + i``.
    shrinkage, develop
        The development procedure, as for
        :func:`lifetools.prediction.bootstrap_validation` (repeated in full, knots
        included, in each outer sample; knots then fixed within its inner samples).
    level : float
        Confidence level.
    samples : optional
        For each copy, the ``(outer, [inner, ...])`` row positions (0-based) of
        :func:`two_stage_samples`, to repeat another program's samples exactly.

    Returns
    -------
    TwoStageInterval

    Notes
    -----
    The two-stage bootstrap of Noma, Shinozaki, Iba, Teramukai and Furukawa (2021, Stat
    Med 40:5691, section 3.2): draw an outer sample of people with replacement; in it,
    estimate the optimism-corrected index by Harrell's bootstrap exactly as for the
    original data (inner samples drawn from the outer sample, the development procedure
    repeated in each, performance of each inner model in the inner sample minus its
    performance in the outer sample); the interval is the percentiles (R's ``quantile``
    type 7) of the corrected indexes over the outer samples. Unlike the location-shifted
    interval (:meth:`lifetools.prediction.BootstrapValidation.interval`) it is defined
    for the calibration slope and intercepts, whose apparent values do not vary from
    sample to sample. Few inner samples add Monte Carlo noise to each outer sample's
    correction, which widens the interval (conservative); with ``n_inner`` 10 and the
    report's 200 outer samples the cost is about eleven times Harrell's bootstrap of
    the same model. With imputed copies the outer samples are shared out over the
    copies and the percentiles taken over every copy's corrected indexes together
    (pooled sampling; Schomaker and Heumann 2018, Stat Med 37:2252). Outer samples whose
    development raises are dropped and counted (``n_failed``); outer samples whose
    development separates or does not converge are kept and counted (``n_unreliable``);
    inner samples are handled and counted by
    :func:`lifetools.prediction.bootstrap_validation`. Checked against R (``glm``, the
    same samples) in ``tests/reference/test_prediction_intervals_against_r.py`` and
    against synthetic truth (coverage of the developed model's calibration slope in a
    large independent population) in ``tests/truth/test_prediction_intervals_truth.py``.
    """
    frames = [copies] if isinstance(copies, pd.DataFrame) else list(copies)
    per_copy = max(int(np.ceil(n_outer / len(frames))), MIN_BOOT_PER_COPY)
    if samples is None:
        samples = [two_stage_samples(len(f), n_outer=per_copy, n_inner=n_inner, seed=seed + i)
                   for i, f in enumerate(frames)]
    corrected, failed, unreliable, inner_failed, inner_unreliable = [], 0, 0, 0, 0
    for frame, drawn in zip(frames, samples, strict=True):
        for outer, inner in drawn:
            data = frame.iloc[np.asarray(outer)].reset_index(drop=True)
            try:
                boot = bootstrap_validation(data, spec, samples=inner, shrinkage=shrinkage,
                                            develop=develop)
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
                failed += 1
                continue
            unreliable += not boot.converged  # kept, counted
            inner_failed += boot.n_failed
            inner_unreliable += boot.n_unreliable
            corrected.append(boot.summary["corrected"].to_numpy(dtype=float))
    values = np.asarray(corrected, dtype=float).reshape(-1, len(INDICES))
    alpha = 1 - level
    limits = np.full((2, len(INDICES)), np.nan)
    for j in range(len(INDICES)):
        column = values[:, j][~np.isnan(values[:, j])]
        if len(column) >= 2:
            limits[:, j] = np.quantile(column, [alpha / 2, 1 - alpha / 2])
    summary = pd.DataFrame({"index": INDICES, "ci_lower": limits[0], "ci_upper": limits[1]})
    method = {"interval": f"two-stage bootstrap percentile (Noma et al. 2021), "
                          f"{len(values)} outer samples of {n_inner} inner samples, seed {seed}",
              "copies": len(frames)}
    return TwoStageInterval(summary=summary, n_outer=len(values), n_inner=n_inner,
                            n_failed=failed, method=method, corrected=values,
                            n_unreliable=unreliable, n_inner_failed=inner_failed,
                            n_inner_unreliable=inner_unreliable)
