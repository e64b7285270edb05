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


def _mean_indices(copies: Sequence[pd.DataFrame], model: FrozenModel,
                  outcome_col: str) -> np.ndarray:
    return np.mean([_indices(c[outcome_col].to_numpy(dtype=float),
                             model.linear_predictor(c)) for c in copies], axis=0)


def bootstrap_validation_boot_mi(frame: pd.DataFrame, spec: ModelSpec, *,
                                 impute: Impute, n_boot: int = 200, seed: int = 20261130,
                                 shrinkage: str | float = "none",
                                 original: Sequence[pd.DataFrame] | None = None,
                                 develop: Develop | None = None,
                                 plus632: bool = False) -> BootstrapValidation:
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

    Returns
    -------
    BootstrapValidation
        As :func:`lifetools.prediction.bootstrap_validation`: rows ``c``, ``slope``,
        ``recalibration_intercept``, ``citl``, ``brier``; ``method["imputation"]`` says
        how the imputation was repeated; ``training`` each sample's training indexes
        (for :meth:`BootstrapValidation.interval`).

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
    """
    procedure = "the given procedure" if develop is not None else shrinkage
    if develop is None:
        def develop(copies: Sequence[pd.DataFrame],
                    knots: Mapping[str, tuple[float, ...]] | None) -> FrozenModel:
            return fit_imputed_model(copies, spec, shrinkage=shrinkage, knots=knots).frozen

    originals = list(original) if original is not None else list(impute(frame, seed))
    model = develop(originals, None)
    knots = dict(model.knots)
    apparent = _mean_indices(originals, model, spec.outcome_col)
    rng = np.random.default_rng(seed)
    samples = [rng.integers(0, len(frame), len(frame)) for _ in range(n_boot)]
    optimism, failed, training, oob, unreliable = [], 0, [], [], 0
    for b, rows in enumerate(samples):
        boot = frame.iloc[np.asarray(rows)].reset_index(drop=True)
        try:
            copies = list(impute(boot, seed + 1 + b))
            fit = develop(copies, knots)
            train = _mean_indices(copies, fit, spec.outcome_col)
            test = _mean_indices(originals, fit, spec.outcome_col)
            if plus632:
                oob.append(np.mean([_out_of_bag(
                    c[spec.outcome_col].to_numpy(dtype=float),
                    np.asarray(fit.linear_predictor(c)), np.asarray(rows))
                    for c in originals], axis=0))
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
            failed += 1
            continue
        unreliable += not fit.converged  # kept, as rms::validate keeps it, and counted
        optimism.append(train - test)
        training.append(train)
    mean_optimism = np.mean(optimism, axis=0)
    summary = pd.DataFrame({"index": INDICES, "apparent": apparent,
                            "optimism": mean_optimism, "corrected": apparent - mean_optimism})
    if plus632:
        summary = _with_plus632(summary, oob, float(np.mean([no_information_brier(
            c[spec.outcome_col].to_numpy(dtype=float),
            np.asarray(model.linear_predictor(c))) for c in originals])))
    method = {"estimator": "bootstrap optimism correction (Harrell)", "seed": seed,
              "shrinkage": procedure,
              "knots": "fixed at the original data's positions",
              "imputation": f"imputation repeated inside each of {n_boot} bootstrap samples "
                            f"({len(originals)} imputed copies each, model pooled by "
                            "Rubin's rules; boot-MI, Wahl et al. 2016)"}
    if plus632:
        method["plus632"] = ".632+ bootstrap (Efron and Tibshirani 1997) for C and Brier"
    return BootstrapValidation(summary=summary, n_boot=len(samples) - failed,
                               n_failed=failed, method=method,
                               training=np.asarray(training).reshape(-1, len(INDICES)),
                               n_unreliable=unreliable, converged=model.converged)
