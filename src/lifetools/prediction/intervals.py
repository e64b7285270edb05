"""Bootstrap intervals over people for the Brier score and net benefit of given risks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lifetools.prediction.performance import net_benefit

__all__ = ["BRIER_BOOT", "BrierInterval", "brier_interval", "net_benefit_interval"]

BRIER_BOOT = 1000


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
