"""Internal validation with the imputation repeated inside every bootstrap sample (boot-MI).

:func:`lifetools.prediction.imputation.bootstrap_validation_imputed` bootstraps within
each completed data set (MI-boot): each copy's imputations used every person, so the
test data of a bootstrap sample are not independent of its training data and the
optimism can be slightly underestimated. Here each bootstrap sample is drawn from the
incomplete data and imputed afresh, so the whole procedure (imputation, model,
shrinkage) is repeated in each sample: boot-MI, which Wahl et al. (2016, BMC Med Res
Methodol 16:144) recommend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from lifetools.prediction._logit import inverse_logit
from lifetools.prediction.calibrate import (
    CALIBRATION_METHOD,
    CalibrationResamples,
    calibrate_grid,
)
from lifetools.prediction.imputation import fit_imputed_model
from lifetools.prediction.model import FrozenModel, ModelSpec
from lifetools.prediction.validation import (
    INDICES,
    BootstrapValidation,
    _indices,
    _out_of_bag,
    _with_plus632,
    no_information_brier,
)

__all__ = ["bootstrap_validation_boot_mi"]

Impute = Callable[[pd.DataFrame, int], Sequence[pd.DataFrame]]
Develop = Callable[[Sequence[pd.DataFrame], Mapping[str, tuple[float, ...]] | None],
                   FrozenModel]


def _scored(copies: Sequence[pd.DataFrame], model: FrozenModel,
            outcome_col: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each copy's outcomes and the model's linear predictor in it."""
    return [(c[outcome_col].to_numpy(dtype=float), model.linear_predictor(c))
            for c in copies]


def _mean_indices(scored: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    return np.mean([_indices(y, lp) for y, lp in scored], axis=0)


def _risks(scored: Sequence[tuple[np.ndarray, np.ndarray]]
           ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(risk, outcome)`` of each copy, as a calibration curve reads it."""
    return [(inverse_logit(np.asarray(lp, dtype=float)), y) for y, lp in scored]


def bootstrap_validation_boot_mi(frame: pd.DataFrame, spec: ModelSpec, *,
                                 impute: Impute, n_boot: int = 200, seed: int = 20261130,
                                 shrinkage: str | float = "none",
                                 original: Sequence[pd.DataFrame] | None = None,
                                 develop: Develop | None = None,
                                 plus632: bool = False, calibrate: bool = False,
                                 grid: np.ndarray | None = None) -> BootstrapValidation:
    """Harrell's optimism correction with multiple imputation inside each sample.

    Parameters
    ----------
    frame : DataFrame
        The development data with its missing predictor values (the outcome complete).
    spec : ModelSpec
    impute : callable
        ``impute(data, seed)`` returns the imputed copies of ``data`` (for example
        :func:`lifetools.reports.crisis_parts.imputed_cohort` with a fixed ``m``).
    n_boot, seed
        Bootstrap samples, drawn by ``numpy.random.default_rng(seed)`` as
        :func:`lifetools.prediction.bootstrap_validation` draws them; sample ``b``
        (from 0) is imputed with seed ``seed + 1 + b``.
    shrinkage
        The shrinkage rule of the development procedure
        (:func:`lifetools.prediction.imputation.fit_imputed_model`).
    original : sequence of DataFrame, optional
        The imputed copies of ``frame`` (default ``impute(frame, seed)``).
    develop : callable, optional
        Another development procedure ``develop(copies, knots)`` returning a
        :class:`FrozenModel` (``knots`` None on the original data). Default: the model
        fitted to each copy and pooled by Rubin's rules, with ``shrinkage``.
    plus632 : bool
        Also the out-of-bag indexes and the .632+ estimates of C and the Brier score
        (columns ``oob`` and ``corrected_632plus``), as
        :func:`lifetools.prediction.bootstrap_validation` computes them. Default False.
    calibrate : bool
        Also the optimism-corrected calibration curve from the same samples and refits
        (``calibration``; see Notes). Default False.
    grid : array of float, optional
        The predicted risks at which the curve is read; default ``rms::calibrate``'s
        grid (:func:`lifetools.prediction.calibrate.calibrate_grid`) of the model's
        risks in the first original copy, as
        :func:`lifetools.prediction.imputation.bootstrap_validation_imputed` takes it.

    Returns
    -------
    BootstrapValidation
        As :func:`lifetools.prediction.bootstrap_validation`: rows ``c``, ``slope``,
        ``recalibration_intercept``, ``citl``, ``brier``; ``method["imputation"]`` says
        how the imputation was repeated; ``training`` each sample's training indexes
        (for :meth:`BootstrapValidation.interval`); with ``calibrate``, ``calibration``
        (:class:`lifetools.prediction.calibrate.CalibrationCorrection`).

    Notes
    -----
    Apparent: the pooled model developed on the original copies, its indices averaged
    over those copies. In each sample: draw people with replacement from the
    incomplete data, impute them, develop the pooled model (knots fixed at the
    original positions); training indices averaged over the sample's copies, test
    indices averaged over the original copies; optimism the mean of training minus
    test, corrected = apparent - optimism. A sample whose imputation or fit fails is
    dropped and counted (``n_failed``); a sample whose pooled fit did not converge in
    some copy (separation) is kept, as ``rms::validate`` keeps it, and counted
    (``n_unreliable``). With ``plus632``, a sample's out-of-bag people are the
    people of ``frame`` not drawn into it: its model's C and Brier score on them are
    computed in each original copy and averaged over the copies, then over samples;
    the no-information Brier score is averaged over the original copies; the .632+
    estimate is formed from these averages (Efron and Tibshirani 1997). Cost: one
    imputation run per sample (``m`` copies) besides
    the fits. With nothing to impute it equals
    :func:`lifetools.prediction.bootstrap_validation` sample by sample; tested in
    ``tests/unit/test_prediction_boot_mi.py`` (that equality, imputation inside each
    sample, and a corrected C closer than the apparent C to the C on a large
    independent cohort).

    The calibration curve (``calibrate``) is ``rms::calibrate``'s correction made the
    boot-MI way, with the code of the plain bootstrap's
    (:class:`lifetools.prediction.calibrate.CalibrationResamples`): the apparent curve
    is the lowess curve of the pooled model's risks in each original copy, averaged
    over the copies; in each sample the curve of the sample's pooled model is drawn in
    each of the sample's imputed copies (training) and in each original copy (test),
    each side averaged over its copies before the error (curve minus grid) is taken;
    the optimism at a point is the mean over the samples where both sides reach it of
    training minus test error, and the corrected curve is the apparent curve minus it.
    A point missing in any copy is missing for that sample. The error summary is each
    original copy's, averaged. Samples whose imputation or fit failed are left out of
    the curve as of the indexes. With nothing to impute it equals
    :func:`lifetools.prediction.bootstrap_validation`'s curve for the same samples
    (``tests/unit/test_prediction_boot_mi.py``, with a hand-computed curve on two
    copies).
    """
    procedure = "the given procedure" if develop is not None else shrinkage
    if develop is None:
        def develop(copies: Sequence[pd.DataFrame],
                    knots: Mapping[str, tuple[float, ...]] | None) -> FrozenModel:
            return fit_imputed_model(copies, spec, shrinkage=shrinkage, knots=knots).frozen

    originals = list(original) if original is not None else list(impute(frame, seed))
    model = develop(originals, None)
    knots = dict(model.knots)
    original_scores = _scored(originals, model, spec.outcome_col)
    apparent = _mean_indices(original_scores)
    if calibrate:
        risks = _risks(original_scores)
        curves = CalibrationResamples(calibrate_grid(risks[0][0]) if grid is None else grid,
                                      risks)
    rng = np.random.default_rng(seed)
    samples = [rng.integers(0, len(frame), len(frame)) for _ in range(n_boot)]
    optimism, failed, training, oob, unreliable = [], 0, [], [], 0
    for b, rows in enumerate(samples):
        boot = frame.iloc[np.asarray(rows)].reset_index(drop=True)
        try:
            copies = list(impute(boot, seed + 1 + b))
            fit = develop(copies, knots)
            sample_scores = _scored(copies, fit, spec.outcome_col)
            test_scores = _scored(originals, fit, spec.outcome_col)
            train = _mean_indices(sample_scores)
            test = _mean_indices(test_scores)
            if plus632:
                oob.append(np.mean([_out_of_bag(y, np.asarray(lp), np.asarray(rows))
                                    for y, lp in test_scores], axis=0))
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
            failed += 1
            continue
        unreliable += not fit.converged  # kept, as rms::validate keeps it, and counted
        optimism.append(train - test)
        training.append(train)
        if calibrate:
            curves.add(_risks(sample_scores), _risks(test_scores))
    mean_optimism = np.mean(optimism, axis=0)
    summary = pd.DataFrame({"index": INDICES, "apparent": apparent,
                            "optimism": mean_optimism, "corrected": apparent - mean_optimism})
    if plus632:
        summary = _with_plus632(summary, oob, float(np.mean([
            no_information_brier(y, np.asarray(lp)) for y, lp in original_scores])))
    method = {"estimator": "bootstrap optimism correction (Harrell)", "seed": seed,
              "shrinkage": procedure,
              "knots": "fixed at the original data's positions",
              "imputation": f"imputation repeated inside each of {n_boot} bootstrap samples "
                            f"({len(originals)} imputed copies each, model pooled by "
                            "Rubin's rules; boot-MI, Wahl et al. 2016)"}
    if plus632:
        method["plus632"] = ".632+ bootstrap (Efron and Tibshirani 1997) for C and Brier"
    if calibrate:
        method["calibration"] = CALIBRATION_METHOD + (
            "; curves averaged over each side's imputed copies (boot-MI)")
    return BootstrapValidation(summary=summary, n_boot=len(samples) - failed,
                               n_failed=failed, method=method,
                               training=np.asarray(training).reshape(-1, len(INDICES)),
                               n_unreliable=unreliable, converged=model.converged,
                               calibration=curves.correction() if calibrate else None)
