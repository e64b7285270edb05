"""The one result type of the estimators, and the one Wald interval.

Every survival and regression result (:class:`~lifetools.survival.KMResult`,
:class:`~lifetools.survival.CIFResult`, :class:`~lifetools.survival.CoxResult`,
:class:`~lifetools.regression.ModelResult`) is a :class:`Result`: it has ``n``,
``events``, a tidy ``summary``, a ``method`` record, ``warnings`` and the library
``model``, and :meth:`Result.interval` reads one estimate with its confidence limits.
Every Wald interval of a coefficient is computed by :func:`wald_interval`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["Interval", "Result", "wald_interval"]


class Interval(NamedTuple):
    """An estimate with its confidence limits (a tuple: ``est, low, high = ...``)."""

    estimate: float
    ci_lower: float
    ci_upper: float


def wald_interval(coef, se, *, alpha: float = 0.05,
                  exponentiate: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Wald confidence limits ``coef -/+ z * se``, on the ratio scale when asked.

    Parameters
    ----------
    coef, se : array-like
        Coefficients (log scale for ratios) and their standard errors.
    alpha : float
        1 - the confidence level; ``z`` is the normal ``1 - alpha / 2`` quantile.
    exponentiate : bool
        Return ``exp`` of the limits (hazard, odds and rate ratios).

    Returns
    -------
    (lower, upper) : tuple of numpy arrays
        Overflow gives ``inf`` and a missing standard error ``nan``, without warning.

    Notes
    -----
    The one place the library computes a Wald interval of a coefficient (Cox hazard
    ratios, regression tables, the degenerate-term check); the expression is the one
    each of them used before, so published values are bit-identical. Checked in
    ``tests/unit/test_results.py`` (``test_wald_interval_known_quantile_and_ratio_scale``)
    and, through the estimators, against R in ``tests/reference``.
    """
    z = norm.ppf(1 - alpha / 2)
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        lower, upper = coef - z * se, coef + z * se
        if exponentiate:
            return np.exp(lower), np.exp(upper)
    return lower, upper


class Result:
    """The base of every survival and regression result.

    Attributes every result has (dataclass fields or properties of the subclass):

    ``n``
        people (or rows, for a model of rows) the estimate is based on;
    ``events``
        people with the event, ``None`` when the model has no event;
    ``summary``
        the tidy table: one row per estimate, with ``estimate``, ``ci_lower`` and
        ``ci_upper`` (and a ``term`` column for models, ``group`` and ``time`` for
        curves);
    ``method``
        the method record (estimator, CI method, ties, library versions);
    ``warnings``
        what the libraries underneath warned, and why an estimate is not shown;
    ``model``
        the library object, for inspection (never published).

    Subclasses are frozen dataclasses; this class holds no data of its own.
    """

    __slots__ = ()

    n: int
    events: int | None
    summary: pd.DataFrame
    method: dict[str, Any]
    warnings: tuple[str, ...]
    model: Any

    def interval(self, term: str | None = None, /, **where: Any) -> Interval:
        """The estimate and confidence limits of the one ``summary`` row selected.

        ``result.interval("life_rooms")`` selects the row whose ``term`` is
        ``"life_rooms"``; keywords select on other columns
        (``km.interval(group="All", time=365.0)``). Raises ``KeyError`` unless
        exactly one row matches.
        """
        if term is not None:
            where = {"term": term, **where}
        rows = self.summary
        for column, value in where.items():
            if column not in rows.columns:
                raise KeyError(f"the summary has no column {column!r}")
            rows = rows[rows[column] == value]
        if len(rows) != 1:
            raise KeyError(f"{len(rows)} rows of the summary match {where}, not 1")
        row = rows.iloc[0]
        return Interval(float(row["estimate"]), float(row["ci_lower"]),
                        float(row["ci_upper"]))
