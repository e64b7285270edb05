"""Missing predictors in a risk model: multiple imputation, Rubin's rules, pooled performance.

A prediction model is developed on ``m`` imputed copies of the data (chained
equations, :func:`lifetools.regression.imputation.impute_chained`, with the outcome
among the imputation predictors, as Moons et al. 2006 require), its coefficients pooled
by Rubin's rules, and its performance measured in each copy and pooled (Rubin's rules
on a scale where the estimate is near normal: the logit of the C-statistic, the
calibration slope and intercepts as they are, the log of O/E; Marshall et al. 2009,
Debray et al. 2017). Internal validation bootstraps within each imputed copy and
averages (``MI-boot`` of Wahl et al. 2016), the documented alternative to imputing
inside every bootstrap sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lifetools.design_sizes import MIN_BOOT_PER_COPY
from lifetools.prediction._logit import fit_logit, inverse_logit
from lifetools.prediction.calibrate import CalibrationCorrection, mean_errors
from lifetools.prediction.model import (
    FrozenModel,
    ModelSpec,
    PredictionModel,
    fit_prediction_model,
)
from lifetools.prediction.performance import Performance, _delong, _logit, performance
from lifetools.prediction.validation import BootstrapValidation, bootstrap_validation
from lifetools.regression.imputation import impute_chained, rubin_combine
from lifetools.results import wald_interval

__all__ = ["ImputedModel", "bootstrap_validation_imputed", "fit_imputed_model",
           "impute_predictors", "pool_performance"]


def impute_predictors(frame: pd.DataFrame, *, impute: Sequence[str],
                      predictors: Sequence[str], outcome_col: str, m: int = 10,
                      seed: int = 2024, outcome_interactions: Sequence[str] = ()
                      ) -> list[pd.DataFrame]:
    """``m`` copies of ``frame`` with the missing values of ``impute`` filled by MICE.

    Parameters
    ----------
    impute : sequence of str
        Numeric predictors with missing values.
    predictors : sequence of str
        Complete numeric predictors of the model (the imputation model's predictors).
    outcome_col : str
        The 0/1 outcome: always an imputation predictor (leaving it out biases the
        imputed predictor's coefficient towards 0; Moons et al. 2006).
    outcome_interactions : sequence of str
        Columns whose product with the outcome also enters the imputation model (to
        keep it compatible with an interaction in the risk model).

    Notes
    -----
    Chained equations with predictive mean matching (statsmodels ``MICEData``, seeded;
    :func:`lifetools.regression.imputation.impute_chained`). Interactions of the risk
    model are recomputed from the imputed columns when the model is fitted (passive
    imputation). Truth test: ``tests/truth/test_prediction_imputation_truth.py``.
    """
    y = frame[outcome_col].astype(float)
    extra = {f"_y_x_{c}": y * frame[c].astype(float) for c in outcome_interactions}
    base = frame.assign(_outcome=y, **extra)
    helpers = ["_outcome", *extra]
    usable = [c for c in [*predictors, *helpers] if base[c].nunique() > 1]
    copies = impute_chained(base, impute=list(impute), predictors=usable, m=m, seed=seed)
    return [c.drop(columns=helpers) for c in copies]


@dataclass(frozen=True)
class ImputedModel:
    """A risk model developed on imputed copies, pooled by Rubin's rules."""

    frozen: FrozenModel
    summary: pd.DataFrame
    n_people: int
    n_events: int
    m: int
    method: dict[str, Any]
    fits: tuple[PredictionModel, ...]
    warnings: tuple[str, ...] = ()


def fit_imputed_model(copies: Sequence[pd.DataFrame], spec: ModelSpec, *,
                      shrinkage: str | float = "heuristic",
                      knots: Mapping[str, tuple[float, ...]] | None = None) -> ImputedModel:
    """Fit the risk model to each imputed copy and pool it.

    Parameters
    ----------
    copies : sequence of DataFrame
        Imputed copies (:func:`impute_predictors`), the same people in each.
    spec : ModelSpec
    shrinkage : {"heuristic", "none"} or float
        As for :func:`lifetools.prediction.fit_prediction_model`; the heuristic factor
        is ``(LR - df) / LR`` with LR the mean model likelihood-ratio statistic over
        the copies.
    knots : mapping, optional
        Spline knots to use (default: placed on the first copy).

    Returns
    -------
    ImputedModel
        ``summary``: one row per term with the pooled maximum-likelihood
        ``estimate_ml``, its Rubin ``se``, ``ci_lower``/``ci_upper`` (t on Rubin's df;
        one copy: the Wald interval, :func:`lifetools.results.wald_interval`),
        ``fmi`` and the shrunken ``estimate``; ``frozen`` the pooled model.

    Notes
    -----
    Knots are placed on the first copy and kept in every copy (spline columns are
    normally complete). Coefficients: Rubin (1987) on the maximum-likelihood fits;
    slopes then multiplied by the shrinkage factor; the intercept is the mean over
    copies of the intercept re-estimated with the pooled shrunken linear predictor as
    an offset. Truth test (MAR and MCAR missingness, complete cases biased):
    ``tests/truth/test_prediction_imputation_truth.py``.
    """
    if not copies:
        raise ValueError("no imputed copies")
    first = fit_prediction_model(copies[0], spec, shrinkage="none", knots=knots)
    knots = dict(first.frozen.knots)
    fits = [first, *(fit_prediction_model(c, spec, shrinkage="none", knots=knots)
                     for c in copies[1:])]
    coefs = np.vstack([f.model.coef for f in fits])
    variances = np.vstack([np.diag(f.model.cov) for f in fits])
    if len(fits) > 1:
        pooled = rubin_combine(coefs, variances)
    else:
        se = np.sqrt(variances[0])
        lower, upper = wald_interval(coefs[0], se)
        pooled = pd.DataFrame({"estimate": coefs[0], "se": se, "ci_lower": lower,
                               "ci_upper": upper, "fmi": 0.0})
    lr = float(np.mean([f.method["model_lr"] for f in fits]))
    df = coefs.shape[1] - 1
    if shrinkage == "heuristic":
        factor = max((lr - df) / lr, 0.0) if lr > 0 else 0.0
    elif shrinkage == "none":
        factor = 1.0
    else:
        factor = float(shrinkage)
    slopes = pooled["estimate"].to_numpy()[1:] * factor
    intercepts, converged = [], all(f.frozen.converged for f in fits)
    for copy, fit in zip(copies, fits, strict=True):
        offset = fit.frozen.design(copy) @ slopes
        y = copy[spec.outcome_col].to_numpy(dtype=float)
        refit = fit_logit(np.empty((len(y), 0)), y, offset=offset)
        intercepts.append(float(refit.coef[0]))
        converged = converged and refit.converged
    intercept = float(np.mean(intercepts))
    base = first.frozen
    frozen = FrozenModel(terms=base.terms, coefficients=tuple(float(b) for b in slopes),
                         intercept=intercept, knots=knots, levels=base.levels,
                         linear=base.linear, interactions=base.interactions,
                         shrinkage=float(factor), n=base.n, events=base.events,
                         converged=bool(converged and np.isfinite(intercept)))
    summary = pd.DataFrame({"term": ["Intercept", *base.terms],
                            "estimate_ml": pooled["estimate"].to_numpy(),
                            "se": pooled["se"].to_numpy(),
                            "ci_lower": pooled["ci_lower"].to_numpy(),
                            "ci_upper": pooled["ci_upper"].to_numpy(),
                            "fmi": pooled["fmi"].to_numpy(),
                            "estimate": [intercept, *slopes]})
    method = {**first.method, "shrinkage": shrinkage if isinstance(shrinkage, str) else "given",
              "shrinkage_factor": float(factor), "model_lr": lr,
              "imputation": f"{len(fits)} imputations by chained equations "
                            "(predictive mean matching, outcome in the imputation model); "
                            "coefficients pooled by Rubin's rules"}
    notes = tuple(dict.fromkeys(w for f in fits for w in f.warnings))
    return ImputedModel(frozen=frozen, summary=summary, n_people=first.n_people,
                        n_events=first.n_events, m=len(fits), method=method, fits=tuple(fits),
                        warnings=notes)


def pool_performance(outcomes: Sequence[np.ndarray], risks: Sequence[np.ndarray]
                     ) -> Performance:
    """Performance of predicted risks in ``m`` imputed copies, pooled by Rubin's rules.

    Parameters
    ----------
    outcomes, risks : sequences of arrays
        The outcome and the predicted risks in each imputed copy (same people).

    Returns
    -------
    Performance
        As :func:`lifetools.prediction.performance`, with pooled estimates and
        intervals; ``method["pooling"]`` says how.

    Notes
    -----
    Rubin's rules per measure on a scale where it is near normal: C on the logit scale
    with DeLong's variance by the delta method, back-transformed (Marshall et al.
    2009; Debray et al. 2017); calibration slope, recalibration intercept and
    calibration-in-the-large as they are with their Wald variances; O/E on the log
    scale (variance 1/O); the Brier score averaged (no interval here: the report's is
    a bootstrap over people). One copy: no pooling.
    """
    if len(outcomes) != len(risks) or not outcomes:
        raise ValueError("one outcome array and one risk array per imputed copy")
    if len(outcomes) == 1:
        return performance(outcomes[0], risks[0])
    parts = [performance(y, p).summary.set_index("measure") for y, p in zip(outcomes, risks,
                                                                            strict=True)]
    z = 1.959963984540054
    est: dict[str, list[float]] = {k: [] for k in ("c", "slope", "citl",
                                                   "recalibration_intercept", "oe_ratio")}
    var: dict[str, list[float]] = {k: [] for k in est}
    for y, p, table in zip(outcomes, risks, parts, strict=True):
        auc, se = _delong(np.asarray(y), np.asarray(p, dtype=float))
        est["c"].append(float(_logit(np.array([auc]))[0]))
        var["c"].append((se / (auc * (1 - auc))) ** 2)
        for name in ("slope", "citl", "recalibration_intercept"):
            row = table.loc[name]
            est[name].append(row["estimate"])
            var[name].append(((row["ci_upper"] - row["ci_lower"]) / (2 * z)) ** 2)
        est["oe_ratio"].append(float(np.log(table.loc["oe_ratio", "estimate"])))
        var["oe_ratio"].append(1 / max(float(np.sum(y)), 1.0))
    rows = []
    back = {"c": inverse_logit, "oe_ratio": np.exp}
    for name in ("c", "slope", "citl", "recalibration_intercept", "oe_ratio", "brier"):
        if name in est:
            pooled = rubin_combine(np.array(est[name])[:, None], np.array(var[name])[:, None])
            f = back.get(name, lambda v: v)
            rows.append((name, float(f(pooled["estimate"].iloc[0])),
                         float(f(pooled["ci_lower"].iloc[0])), float(f(pooled["ci_upper"].iloc[0]))))
        else:
            rows.append((name, float(np.mean([t.loc[name, "estimate"] for t in parts])),
                         np.nan, np.nan))
    summary = pd.DataFrame(rows, columns=["measure", "estimate", "ci_lower", "ci_upper"])
    method = {**performance(outcomes[0], risks[0]).method,
              "pooling": f"Rubin's rules over {len(outcomes)} imputed copies (C on the "
                         "logit scale, O/E on the log scale)"}
    return Performance(summary=summary, n_people=len(outcomes[0]),
                       n_events=int(np.sum(outcomes[0])), method=method)


def bootstrap_validation_imputed(copies: Sequence[pd.DataFrame], spec: ModelSpec, *,
                                 n_boot: int = 200, seed: int = 20261130,
                                 shrinkage: str | float = "none",
                                 develop: Any = None,
                                 plus632: bool = False, calibrate: bool = False,
                                 grid: np.ndarray | None = None) -> BootstrapValidation:
    """Harrell's bootstrap within each imputed copy, averaged (MI-boot).

    Parameters
    ----------
    copies : sequence of DataFrame
        Imputed copies of the development data.
    n_boot : int
        Total bootstrap samples, shared out over the copies (at least 10 per copy).
    seed : int
        Copy ``i`` uses seed ``seed + i``.
    shrinkage, develop
        The development procedure, as for :func:`bootstrap_validation`.
    plus632 : bool
        Also the .632+ estimates of C and the Brier score in each copy, averaged
        (columns ``oob`` and ``corrected_632plus``, as :func:`bootstrap_validation`).
    calibrate, grid
        Also the optimism-corrected calibration curve in each copy, at one grid (default:
        ``rms::calibrate``'s grid of the first copy's risks), averaged (``calibration``).

    Returns
    -------
    BootstrapValidation
        ``summary`` the mean over copies of apparent, optimism and corrected values;
        ``training`` every copy's samples' training values stacked, so that
        :meth:`BootstrapValidation.interval` takes its percentiles over all of them;
        ``n_boot``, ``n_failed`` and ``n_unreliable`` summed over the copies,
        ``converged`` whether every copy's original fit converged; with ``calibrate``,
        ``calibration``: the apparent, optimism and corrected curves averaged over the
        copies (a point missing in any copy is missing), ``samples`` summed, and each
        error summary averaged over the copies (``people``: the first copy's).

    Notes
    -----
    MI-boot of Wahl et al. (2016, BMC Med Res Methodol 16:144): the bootstrap runs in
    each completed data set and the results are averaged. Imputing inside every
    bootstrap sample (boot-MI, their recommendation) costs ``m`` imputation runs per
    sample; MI-boot can be slightly optimistic because each copy's imputations used
    all the people. Checked in ``tests/unit/test_prediction_imputation.py`` (one copy
    reproduces :func:`bootstrap_validation`).
    """
    per_copy = max(int(np.ceil(n_boot / len(copies))), MIN_BOOT_PER_COPY)
    results = []
    for i, c in enumerate(copies):
        results.append(bootstrap_validation(c, spec, n_boot=per_copy, seed=seed + i,
                                            shrinkage=shrinkage, develop=develop,
                                            plus632=plus632, calibrate=calibrate,
                                            grid=grid))
        if calibrate and grid is None:  # one grid for every copy: the first copy's
            grid = results[0].calibration.curve["predicted"].to_numpy()
    columns = ["apparent", "optimism", "corrected"]
    if plus632:
        columns += ["oob", "corrected_632plus"]
    stacked = np.stack([r.summary[columns].to_numpy() for r in results])
    summary = results[0].summary.copy()
    summary[columns] = stacked.mean(axis=0)
    method = {**results[0].method, "seed": seed,
              "imputation": f"bootstrap within each of {len(copies)} imputed copies "
                            f"({per_copy} samples each), averaged (MI-boot, Wahl et al. 2016)"}
    return BootstrapValidation(summary=summary, n_boot=sum(r.n_boot for r in results),
                               n_failed=sum(r.n_failed for r in results), method=method,
                               training=np.concatenate([r.training for r in results]),
                               n_unreliable=sum(r.n_unreliable for r in results),
                               converged=all(r.converged for r in results),
                               calibration=_pooled_calibration(
                                   [r.calibration for r in results]) if calibrate else None)


def _pooled_calibration(curves: Sequence[CalibrationCorrection]) -> CalibrationCorrection:
    """The copies' calibration curves (one grid) averaged; samples summed."""
    curve = curves[0].curve.copy()
    for column in ("apparent", "optimism", "corrected"):
        curve[column] = np.mean([c.curve[column].to_numpy() for c in curves], axis=0)
    curve["samples"] = np.sum([c.curve["samples"].to_numpy() for c in curves], axis=0)
    return CalibrationCorrection(curve=curve, errors=mean_errors([c.errors for c in curves]))
