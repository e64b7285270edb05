"""A time-to-event risk model: the cumulative incidence at a horizon from a Fine-Gray model.

Death competes with the event of interest. The subdistribution hazard model
(:func:`lifetools.survival.fit_fine_gray`) gives the cumulative incidence directly:
``F(h | x) = 1 - exp(-H0(h) exp(x b))`` with ``H0`` the Breslow estimate of the
baseline cumulative subdistribution hazard on the weighted Fine-Gray rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from lifetools.prediction.model import FrozenModel, ModelSpec, _design, spec_knots
from lifetools.regression.imputation import rubin_combine
from lifetools.survival.finegray import breslow_baseline, fit_fine_gray

__all__ = ["FineGrayRisk", "FrozenCumulativeIncidence", "fit_fine_gray_risk",
           "fine_gray_hazard_ratios", "pool_fine_gray_risk"]

Z95 = 1.959963984540054


@dataclass(frozen=True)
class FrozenCumulativeIncidence:
    """A frozen cumulative-incidence model: ``risk = 1 - exp(-exp(lp))`` at ``horizon``.

    ``model.intercept`` is ``log H0(horizon)``; ``model.coefficients`` the log
    subdistribution hazard ratios of ``model.terms``.
    """

    model: FrozenModel
    horizon: float

    def predict_risk(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted cumulative incidence at the horizon for each row of ``frame``."""
        return 1 - np.exp(-np.exp(self.model.linear_predictor(frame)))

    def to_json(self) -> str:
        """The model as a JSON document (the published model)."""
        data = json.loads(self.model.to_json())
        data |= {"horizon": self.horizon,
                 "link": "cumulative incidence = 1 - exp(-exp(intercept + x b))"}
        return json.dumps(data, indent=1, sort_keys=True)


@dataclass(frozen=True)
class FineGrayRisk:
    """Result of :func:`fit_fine_gray_risk`."""

    frozen: FrozenCumulativeIncidence
    summary: pd.DataFrame
    n_people: int
    n_events: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    model: Any = None


def fit_fine_gray_risk(frame: pd.DataFrame, spec: ModelSpec, *, duration_col: str,
                       event_col: str, horizon: float, event_of_interest: int = 1,
                       knots: Mapping[str, tuple[float, ...]] | None = None) -> FineGrayRisk:
    """Fit a Fine-Gray model with the spec's terms and freeze its risk at ``horizon``.

    Parameters
    ----------
    frame : DataFrame
        One row per person, no missing predictors (impute first).
    spec : ModelSpec
        The predictors (``outcome_col`` is not used: the outcome is ``event_col``).
    duration_col, event_col
        Time to the first event, and its code (0 censored, ``event_of_interest``,
        other codes competing).
    horizon : float
        The prediction horizon (same units as ``duration_col``).

    Returns
    -------
    FineGrayRisk
        ``summary``: term, coef (log subdistribution hazard ratio), se (robust);
        ``frozen`` predicts the cumulative incidence at ``horizon``.

    Notes
    -----
    Coefficients: :func:`lifetools.survival.fit_fine_gray` with Breslow ties; baseline:
    Breslow on the weighted Fine-Gray rows, covariates uncentred. No shrinkage.
    Checked against R ``finegray`` + ``coxph(ties = "breslow")`` + ``survfit`` on mgus2
    (cumulative incidence at three horizons to 1e-7) in
    ``tests/reference/test_fine_gray_risk_against_r.py``.
    """
    knots = dict(knots) if knots is not None else spec_knots(frame, spec)
    levels = {col: tuple(sorted(frame[col].astype(str).unique())) for col in spec.categorical}
    x, names = _design(frame, knots, spec.linear, levels, spec.interactions)
    columns = [f"x{i}" for i in range(len(names))]
    data = pd.DataFrame(x, columns=columns).assign(
        _time=frame[duration_col].to_numpy(dtype=float),
        _event=frame[event_col].to_numpy(dtype=int))
    fit = fit_fine_gray(data, duration_col="_time", event_col="_event",
                        event_of_interest=event_of_interest, covariates=columns,
                        ties="breslow")
    coef = fit.summary["coef"].to_numpy(dtype=float)
    rows = fit.model
    base = float(breslow_baseline(rows, rows[columns].to_numpy(dtype=float) @ coef,
                                  [horizon])[0])
    frozen = FrozenModel(terms=tuple(names), coefficients=tuple(float(b) for b in coef),
                         intercept=float(np.log(base)), knots=knots, levels=levels,
                         linear=tuple(spec.linear), interactions=tuple(spec.interactions),
                         shrinkage=1.0, n=len(frame),
                         events=int((data["_event"] == event_of_interest).sum()))
    summary = pd.DataFrame({"term": names, "coef": coef,
                            "se": fit.summary["se"].to_numpy(dtype=float)})
    method = {**fit.method, "baseline": "Breslow at the horizon", "horizon": horizon}
    return FineGrayRisk(frozen=FrozenCumulativeIncidence(frozen, float(horizon)),
                        summary=summary, n_people=len(frame), n_events=frozen.events,
                        method=method, warnings=fit.warnings, model=fit)


def pool_fine_gray_risk(fits: Sequence[FineGrayRisk]) -> FrozenCumulativeIncidence:
    """One model from fits to imputed copies: mean coefficients and mean ``log H0``.

    Notes
    -----
    Rubin's point estimate of each log subdistribution hazard ratio; the baseline is
    the mean of ``log H0(horizon)`` over copies (knots of the first fit).
    """
    first = fits[0].frozen.model
    model = FrozenModel(
        terms=first.terms,
        coefficients=tuple(float(v) for v in np.mean(
            [f.frozen.model.coefficients for f in fits], axis=0)),
        intercept=float(np.mean([f.frozen.model.intercept for f in fits])),
        knots=first.knots, levels=first.levels, linear=first.linear,
        interactions=first.interactions, shrinkage=1.0, n=first.n, events=first.events)
    return FrozenCumulativeIncidence(model, fits[0].frozen.horizon)


def fine_gray_hazard_ratios(fits: Sequence[FineGrayRisk]) -> pd.DataFrame:
    """Subdistribution hazard ratios with 95% intervals, pooled over imputed copies.

    Parameters
    ----------
    fits : sequence of FineGrayRisk
        One fit per imputed copy (the same people and terms), or a single fit.

    Returns
    -------
    DataFrame
        One row per term: ``coef`` (log subdistribution hazard ratio), ``se``,
        ``estimate`` (the hazard ratio), ``ci_lower``, ``ci_upper``, ``p_value`` and
        ``fmi`` (fraction of missing information; 0 for one fit).

    Notes
    -----
    Each fit: Fine-Gray by a weighted Cox fit of R's ``finegray`` rows, Breslow ties,
    robust (sandwich) standard errors clustered by person
    (:func:`lifetools.survival.fit_fine_gray`). Several fits: Rubin's rules on the log
    scale (t on Rubin's degrees of freedom); one fit: Wald, normal quantiles. The
    interval is exponentiated. Checked against R ``crr`` and ``finegray`` + ``coxph``
    in ``tests/reference/test_fine_gray_risk_against_r.py`` and pooled by hand in
    ``tests/unit/test_prediction.py``.
    """
    if not fits:
        raise ValueError("no Fine-Gray fits")
    names = list(fits[0].summary["term"])
    coefs = np.vstack([f.summary["coef"].to_numpy(dtype=float) for f in fits])
    variances = np.vstack([f.summary["se"].to_numpy(dtype=float) ** 2 for f in fits])
    if len(fits) > 1:
        pooled = rubin_combine(coefs, variances)
        coef, se = pooled["estimate"].to_numpy(), pooled["se"].to_numpy()
        low, high = pooled["ci_lower"].to_numpy(), pooled["ci_upper"].to_numpy()
        p_value, fmi = pooled["p_value"].to_numpy(), pooled["fmi"].to_numpy()
    else:
        coef, se = coefs[0], np.sqrt(variances[0])
        low, high = coef - Z95 * se, coef + Z95 * se
        p_value = 2 * stats.norm.sf(np.abs(coef / se))
        fmi = np.zeros(len(coef))
    return pd.DataFrame({"term": names, "coef": coef, "se": se, "estimate": np.exp(coef),
                         "ci_lower": np.exp(low), "ci_upper": np.exp(high),
                         "p_value": p_value, "fmi": fmi})
