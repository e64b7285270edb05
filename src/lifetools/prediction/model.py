"""Development of a logistic risk model with restricted cubic splines, frozen for reuse."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lifetools.convergence import degenerate_terms, standard_errors
from lifetools.prediction._logit import fit_logit, fit_logit_rms, inverse_logit
from lifetools.prediction.splines import rcs_basis, rcs_knots

__all__ = ["FrozenModel", "ModelSpec", "PredictionModel", "fit_prediction_model", "spec_knots"]


@dataclass(frozen=True)
class ModelSpec:
    """Which predictors enter the model, and how.

    ``splines`` maps a continuous column to its number of knots (restricted cubic
    spline); ``linear`` columns enter as they are (numbers or 0/1); ``categorical``
    columns get one indicator per level but the first (sorted); ``interactions`` are
    products of two ``linear`` columns. ``knots`` fixes the knots of some spline
    columns before any fit (for example placed on the recorded values of a predictor
    that is imputed, so that every imputed copy and bootstrap sample uses the same
    ones: :func:`spec_knots`); the others are placed on the data each fit starts from.
    """

    outcome_col: str
    splines: Mapping[str, int] = field(default_factory=dict)
    linear: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    interactions: tuple[tuple[str, str], ...] = ()
    knots: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every predictor column the model reads."""
        return (*self.splines, *self.linear, *self.categorical)


@dataclass(frozen=True)
class FrozenModel:
    """A fitted model as data: terms, coefficients, knots and levels (JSON-serialisable).

    Everything needed to compute a risk for a new person, and nothing about the people
    it was fitted on except ``n`` and ``events``. ``converged`` says whether the
    development fit reached its maximum with finite estimates (False: the fit did not
    converge, or the outcome is separated and a coefficient diverges); it describes
    the fit, not the model, and is not written by :meth:`to_json`. Bootstrap
    validation drops and counts the samples whose development fit did not converge.
    """

    terms: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    knots: Mapping[str, tuple[float, ...]]
    levels: Mapping[str, tuple[str, ...]]
    linear: tuple[str, ...]
    interactions: tuple[tuple[str, str], ...]
    shrinkage: float
    n: int
    events: int
    converged: bool = field(default=True, compare=False)

    def design(self, frame: pd.DataFrame) -> np.ndarray:
        """The design matrix (no intercept column) of ``frame`` for this model's terms."""
        return _design(frame, self.knots, self.linear, self.levels, self.interactions)[0]

    def linear_predictor(self, frame: pd.DataFrame) -> np.ndarray:
        """Log-odds of the outcome for each row of ``frame``."""
        return self.intercept + self.design(frame) @ np.asarray(self.coefficients)

    def predict_risk(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted probability of the outcome for each row of ``frame``."""
        return inverse_logit(self.linear_predictor(frame))

    def to_json(self) -> str:
        """The model as a JSON document (the published model)."""
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "converged"}
        data["knots"] = {k: list(v) for k, v in self.knots.items()}
        data["levels"] = {k: list(v) for k, v in self.levels.items()}
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FrozenModel:
        """Read a model written by :meth:`to_json` (its splines in the order of its
        terms: the document's keys are sorted). Tested in
        ``tests/unit/test_prediction_honos_spline.py``."""
        d = json.loads(text)
        terms = tuple(d["terms"])
        # in the terms' order, not the document's sorted keys: the design's columns
        # follow the knots' order (HoNOS's spline sorts before years_in_care's)
        spline_order = sorted(d["knots"], key=terms.index)
        return cls(terms=terms, coefficients=tuple(d["coefficients"]),
                   intercept=float(d["intercept"]),
                   knots={k: tuple(d["knots"][k]) for k in spline_order},
                   levels={k: tuple(v) for k, v in d["levels"].items()},
                   linear=tuple(d["linear"]),
                   interactions=tuple(tuple(p) for p in d["interactions"]),
                   shrinkage=float(d["shrinkage"]), n=int(d["n"]), events=int(d["events"]))


@dataclass(frozen=True)
class PredictionModel:
    """Result of :func:`fit_prediction_model`."""

    frozen: FrozenModel
    summary: pd.DataFrame
    n_people: int
    n_events: int
    method: dict[str, Any]
    warnings: tuple[str, ...] = ()
    model: Any = field(default=None, repr=False)


def _design(frame: pd.DataFrame, knots: Mapping[str, tuple[float, ...]],
            linear: tuple[str, ...], levels: Mapping[str, tuple[str, ...]],
            interactions: tuple[tuple[str, str], ...]) -> tuple[np.ndarray, list[str]]:
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for col, kn in knots.items():
        basis = rcs_basis(frame[col].to_numpy(dtype=float), kn)
        blocks.append(basis)
        names += [col] + [f"{col}{chr(39) * (j + 1)}" for j in range(basis.shape[1] - 1)]
    for col in linear:
        blocks.append(frame[col].to_numpy(dtype=float)[:, None])
        names.append(col)
    for col, lv in levels.items():
        values = frame[col].astype(str).to_numpy()
        unseen = sorted(set(values) - set(lv))
        if unseen:
            raise ValueError(f"{col!r} has levels the model was not fitted with: {unseen}")
        for level in lv[1:]:
            blocks.append((values == level).astype(float)[:, None])
            names.append(f"{col}={level}")
    for a, b in interactions:
        blocks.append((frame[a].to_numpy(dtype=float) * frame[b].to_numpy(dtype=float))[:, None])
        names.append(f"{a}*{b}")
    matrix = np.column_stack(blocks) if blocks else np.empty((len(frame), 0))
    if np.isnan(matrix).any():
        raise ValueError("predictors have missing values: impute before fitting or predicting")
    return matrix, names


def spec_knots(frame: pd.DataFrame, spec: ModelSpec) -> dict[str, tuple[float, ...]]:
    """The knots of each spline of ``spec``, in its order: the spec's fixed ones
    (``ModelSpec.knots``), else Harrell's placement on ``frame``
    (:func:`~lifetools.prediction.splines.rcs_knots`). Tested in
    ``tests/unit/test_prediction_honos_spline.py``."""
    return {col: tuple(float(v) for v in spec.knots[col]) if col in spec.knots
            else rcs_knots(frame[col].to_numpy(dtype=float), k)
            for col, k in spec.splines.items()}


def fit_prediction_model(frame: pd.DataFrame, spec: ModelSpec, *,
                         shrinkage: str | float = "heuristic",
                         knots: Mapping[str, tuple[float, ...]] | None = None) -> PredictionModel:
    """Fit a logistic risk model with splines and uniform shrinkage, and freeze it.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per person; the outcome column holds 0/1; no missing predictors.
    spec : ModelSpec
    shrinkage : {"heuristic", "none"} or float
        Uniform shrinkage of the slopes: the van Houwelingen-Le Cessie heuristic
        ``(LR - df) / LR``, none (maximum likelihood), or a given factor (for example
        the bootstrap-corrected calibration slope from :func:`bootstrap_validation`).
    knots : mapping, optional
        Fixed knots by column (default: :func:`spec_knots`, the spec's fixed knots or
        Harrell's placement on ``frame``).

    Returns
    -------
    PredictionModel
        ``frozen`` is the model as data; ``summary`` has one row per term with the
        maximum-likelihood ``estimate_ml``, its ``se`` and the shrunken ``estimate``.

    Notes
    -----
    Estimator: maximum likelihood (Newton-Raphson), slopes multiplied by the shrinkage
    factor, then the intercept re-estimated with the shrunken linear predictor as an
    offset so that the mean predicted risk equals the observed risk (Steyerberg,
    Clinical Prediction Models, 2nd ed., ch. 13). Deterministic: no random numbers.
    Unshrunken coefficients are checked against ``rms::lrm`` in
    ``tests/reference/test_prediction_against_r.py``.
    """
    y = frame[spec.outcome_col].to_numpy(dtype=float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"outcome column {spec.outcome_col!r} must hold 0/1 only")
    knots = dict(knots) if knots is not None else spec_knots(frame, spec)
    levels = {col: tuple(sorted(frame[col].astype(str).unique())) for col in spec.categorical}
    x, names = _design(frame, knots, spec.linear, levels, spec.interactions)
    return _fit_design(x, y, names, spec, shrinkage=shrinkage, knots=knots, levels=levels)


def _fit_design(x: np.ndarray, y: np.ndarray, names: list[str], spec: ModelSpec, *,
                shrinkage: str | float, knots: Mapping[str, tuple[float, ...]],
                levels: Mapping[str, tuple[str, ...]]) -> PredictionModel:
    """:func:`fit_prediction_model` given the design ``x`` (from :func:`_design` with
    ``knots`` and ``levels``) and the outcome ``y``: the bootstrap takes a sample's
    design as rows of the original data's instead of building it again
    (:func:`lifetools.prediction.validation.bootstrap_validation`); ``y`` holds 0/1
    only (checked by the caller)."""
    fit = fit_logit(x, y, stop_on_separation=True)  # a bootstrap sample may separate
    ml_converged = fit.converged
    if not ml_converged:  # no maximum (separation): stop where R's lrm.fit stops
        fit = replace(fit_logit_rms(x, y), converged=False)
    lr = 2 * (fit.loglik - fit.loglik_null)
    df = x.shape[1]
    if shrinkage == "heuristic":
        factor = max((lr - df) / lr, 0.0) if lr > 0 else 0.0
    elif shrinkage == "none":
        factor = 1.0
    else:
        factor = float(shrinkage)
    slopes = fit.coef[1:] * factor
    refit = fit_logit(np.empty((len(y), 0)), y, offset=x @ slopes)
    intercept = float(refit.coef[0])
    if not ml_converged and factor == 1.0:  # R's lrm.fit coefficients as they stopped
        intercept = float(fit.coef[0])
    se = standard_errors(fit.cov)
    degenerate = degenerate_terms(["Intercept", *names], fit.coef, se)
    warnings = () if ml_converged else ("the maximum-likelihood fit did not converge",)
    frozen = FrozenModel(terms=tuple(names), coefficients=tuple(float(b) for b in slopes),
                         intercept=intercept, knots=knots, levels=levels,
                         linear=tuple(spec.linear), interactions=tuple(spec.interactions),
                         shrinkage=float(factor), n=len(y), events=int(y.sum()),
                         converged=bool(ml_converged and refit.converged and not degenerate
                                        and np.isfinite(intercept)))
    summary = pd.DataFrame({"term": ["Intercept", *names], "estimate_ml": fit.coef, "se": se,
                            "estimate": [intercept, *slopes]})
    method = {"estimator": "logistic regression, maximum likelihood with uniform shrinkage",
              "shrinkage": shrinkage if isinstance(shrinkage, str) else "given",
              "shrinkage_factor": float(factor), "model_lr": float(lr), "model_df": df,
              "splines": "restricted cubic, Harrell's knots (rms::rcs)"}
    return PredictionModel(frozen=frozen, summary=summary, n_people=len(y),
                           n_events=int(y.sum()), method=method, warnings=warnings, model=fit)
