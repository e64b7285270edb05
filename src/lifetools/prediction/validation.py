"""Internal (bootstrap), temporal and by-group validation of a risk model."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from lifetools.prediction._logit import fit_logit, inverse_logit
from lifetools.prediction.calibrate import (
    CALIBRATION_METHOD,
    CalibrationCorrection,
    CalibrationResamples,
    calibrate_grid,
)
from lifetools.prediction.drift import (  # the drift alarm, re-exported here
    DRIFT_OPENINGS,
    DriftCheck,
    drift_check,
    limits_sentence,
)
from lifetools.prediction.model import (
    FrozenModel,
    ModelSpec,
    _design,
    _fit_design,
    fit_prediction_model,
)
from lifetools.prediction.performance import Performance, c_statistic, performance

__all__ = ["DRIFT_OPENINGS", "BootstrapValidation", "DriftCheck", "bootstrap_validation",
           "drift_check", "limits_sentence",
           "plus632_estimate", "validate_frozen",
           "performance_by_group"]


INDICES = ("c", "slope", "recalibration_intercept", "citl", "brier")

#: the calibration indexes of a maximum-likelihood model in its own data, by definition:
#: slope 1, recalibration intercept 0 and calibration-in-the-large 0 (the score
#: equations at the maximum); ``rms::validate`` sets the training (and apparent) slope
#: and intercept to these values rather than measuring them
_AT_MAXIMUM = {"slope": 1.0, "recalibration_intercept": 0.0, "citl": 0.0}
_DESIGN_AS_ROWS = True
"""Whether the default development takes a sample's design as rows of the original
data's (:func:`bootstrap_validation`); ``tests/unit/test_prediction_bootstrap_rows.py``
sets it False to compare, bit for bit, with each sample's design built from its rows."""


def _at_maximum(values: np.ndarray) -> np.ndarray:
    """``values`` (one per :data:`INDICES`) with the calibration indexes set as at a maximum."""
    values = np.array(values, dtype=float)
    for name, value in _AT_MAXIMUM.items():
        values[INDICES.index(name)] = value
    return values


def _indices(y: np.ndarray, lp: np.ndarray) -> np.ndarray:
    m = y.sum()
    ranks = stats.rankdata(lp)
    c = (ranks[y == 1].sum() - m * (m + 1) / 2) / (m * (len(y) - m))
    # a model with no predictor left (a lasso that set every slope to 0) ranks everyone
    # alike: C is 0.5 and the calibration slope and its intercept are undefined
    recal = fit_logit(lp, y).coef if np.std(lp) > 1e-8 else np.array([np.nan, np.nan])
    citl = fit_logit(np.empty((len(y), 0)), y, offset=lp).coef[0]
    brier = np.mean((inverse_logit(lp) - y) ** 2)
    return np.array([c, recal[1], recal[0], citl, brier])


def _out_of_bag(y: np.ndarray, lp: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """C and Brier (other indexes NaN) on the people not drawn into a bootstrap sample."""
    out = np.ones(len(y), dtype=bool)
    out[rows] = False
    values = np.full(len(INDICES), np.nan)
    y_out, lp_out = y[out], lp[out]
    m = y_out.sum()
    if 0 < m < len(y_out):
        ranks = stats.rankdata(lp_out)
        values[0] = (ranks[y_out == 1].sum() - m * (m + 1) / 2) / (m * (len(y_out) - m))
    if len(y_out):
        values[4] = np.mean((inverse_logit(lp_out) - y_out) ** 2)
    return values


@dataclass(frozen=True)
class BootstrapValidation:
    """Apparent, optimism and optimism-corrected performance (Harrell's bootstrap).

    ``n_boot`` counts the samples used; ``n_failed`` the samples left out because
    their development fit raised (a singular information matrix: R's "Divergence or
    singularity in N samples"); ``n_unreliable`` the samples used whose development
    fit did not converge or showed separation (:attr:`FrozenModel.converged` False),
    kept in the optimism as ``rms::validate`` keeps them. ``converged``: whether the
    model developed on the original data converged. ``calibration``: the apparent and
    optimism-corrected calibration curves (``calibrate=True``), from the same samples.
    """

    summary: pd.DataFrame
    n_boot: int
    n_failed: int
    method: dict
    training: np.ndarray | None = field(default=None, repr=False, compare=False)
    n_unreliable: int = 0
    converged: bool = True
    calibration: CalibrationCorrection | None = None

    @property
    def unreliable_share(self) -> float:
        """Share of the samples drawn that were left out or fitted unreliably."""
        drawn = self.n_boot + self.n_failed
        return (self.n_failed + self.n_unreliable) / drawn if drawn else float("nan")

    def corrected(self, index: str) -> float:
        """The optimism-corrected value of one index."""
        return float(self.summary.set_index("index").loc[index, "corrected"])

    def interval(self, index: str, *, estimate: str = "corrected",
                 level: float = 0.95) -> tuple[float, float]:
        """Location-shifted bootstrap interval of an optimism-corrected index.

        Parameters
        ----------
        index : str
            One of ``c``, ``slope``, ``recalibration_intercept``, ``citl``, ``brier``.
        estimate : str
            The summary column the interval is for: ``corrected`` (Harrell) or
            ``corrected_632plus``.
        level : float
            Confidence level.

        Returns
        -------
        tuple of float
            ``(lower, upper)``; NaN when the samples' training values were not kept.

        Notes
        -----
        Noma et al. (2021, Stat Med 40:5691; R package ``predboot``): the percentile
        interval of the apparent index over the bootstrap samples (each sample's model
        on that sample: the training values of Harrell's bootstrap, ``training``),
        shifted by the correction, ``estimate - apparent``. Percentiles by linear
        interpolation (R's ``quantile`` type 7). Not defined (NaN) when the training
        values do not vary: the calibration slope of a model fitted by maximum likelihood
        is 1 in its own data, so its location-shifted interval would have no width (the
        two-stage bootstrap of Noma et al., a bootstrap around the whole correction, is
        not implemented). Tested against synthetic truth
        (coverage of the developed model's performance in a large independent
        population, where the unshifted interval misses it) in
        ``tests/truth/test_prediction_intervals_truth.py`` and by hand in
        ``tests/unit/test_prediction_intervals.py``.
        """
        if self.training is None or not len(self.training):
            return (float("nan"), float("nan"))
        row = self.summary.set_index("index").loc[index]
        values = self.training[:, INDICES.index(index)]
        values = values[~np.isnan(values)]
        if len(values) < 2 or np.isnan(row[estimate]) or np.ptp(values) < 1e-9:
            return (float("nan"), float("nan"))
        alpha = 1 - level
        low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
        shift = float(row[estimate] - row["apparent"])
        return (float(low + shift), float(high + shift))


def bootstrap_validation(frame: pd.DataFrame, spec: ModelSpec, *, n_boot: int = 200,
                         seed: int = 20261130, shrinkage: str | float = "none",
                         samples: Sequence[np.ndarray] | None = None,
                         develop: Callable[[pd.DataFrame, Mapping[str, tuple[float, ...]] | None],
                                           FrozenModel] | None = None,
                         plus632: bool = False, calibrate: bool = False,
                         grid: np.ndarray | None = None) -> BootstrapValidation:
    """Optimism-corrected C, calibration slope and intercepts, and Brier score.

    Parameters
    ----------
    frame, spec
        As for :func:`fit_prediction_model`.
    n_boot : int
        Bootstrap samples (ignored when ``samples`` is given).
    seed : int
        Seed of ``numpy.random.default_rng`` drawing the samples.
    shrinkage
        The shrinkage rule of the development procedure, repeated in each sample.
    samples : sequence of int arrays, optional
        Row positions (0-based) of each bootstrap sample, to repeat another program's
        samples exactly.
    develop : callable, optional
        Another development procedure, ``develop(frame, knots)`` returning a
        :class:`FrozenModel` (``knots`` None on the original data); for example a ridge
        model with its penalty chosen by cross-validation in each sample. Default:
        :func:`fit_prediction_model` with ``shrinkage``.
    plus632 : bool
        Also compute the out-of-bag indexes and the .632+ estimates of C and the Brier
        score (columns ``oob`` and ``corrected_632plus``; see Notes). Default False
        (the summary then has no such columns).
    calibrate : bool
        Also compute the optimism-corrected calibration curve from the same samples and
        refits (``calibration``; see Notes). Default False.
    grid : array of float, optional
        The predicted risks at which the calibration curve is read; default
        ``rms::calibrate``'s: 50 equally spaced risks from the 5th smallest to the 5th
        largest predicted risk (:func:`lifetools.prediction.calibrate.calibrate_grid`).

    Returns
    -------
    BootstrapValidation
        ``summary`` rows ``c``, ``slope``, ``recalibration_intercept``, ``citl``,
        ``brier`` with ``apparent``, ``optimism`` (mean of training minus test) and
        ``corrected`` (apparent minus optimism); with ``plus632`` also ``oob`` (the
        mean over samples of C and Brier of the sample's model on the people not drawn
        into it; missing for the others) and ``corrected_632plus`` (C and Brier);
        with ``calibrate`` also ``calibration``
        (:class:`lifetools.prediction.calibrate.CalibrationCorrection`).

    Notes
    -----
    Harrell's bootstrap (Harrell, Lee and Mark 1996; ``rms::validate``): the
    development procedure is repeated in each sample, its performance in that sample
    (training) compared with its performance on the original data (test). Knots are
    fixed at their positions in the original data, as ``validate`` does with the
    stored design matrix. Samples whose fit raises (a singular information matrix) are
    left out and counted in ``n_failed``, as ``rms::validate`` leaves out the fits
    ``lrm.fit`` reports as failed. Samples whose fit returns but did not converge or
    shows separation (:attr:`FrozenModel.converged` False: the Newton steps did not
    settle, or a coefficient's Wald interval reaches 0 or infinity) are KEPT in the
    optimism, as ``rms::validate`` keeps them, and counted in ``n_unreliable`` (their
    diverging coefficient is where R's ``lrm.fit`` stops: a change in -2 log L below
    0.025). Leaving them out instead is anti-conservative (shown over seeds in
    ``tests/truth/test_prediction_separation_truth.py``).

    A maximum-likelihood development (the default procedure with ``shrinkage`` "none"
    or 1) has, in its own data, calibration slope 1, recalibration intercept 0 and
    calibration-in-the-large 0 by definition (the score equations at the maximum), and
    these values are used for its apparent and training indexes rather than measured,
    as ``rms::validate`` does; at a maximum the two agree to the fit's tolerance, and
    at a separated sample's stopped fit (no maximum) the definition is the limit the
    diverging fit approaches, where a measured training slope would be above 1 and
    add 0.003 to 0.47 of optimism per such sample. With shrinkage or another
    procedure (``develop``) the indexes in its own data are measured. Test values
    (the model on the original data) are always measured. A model
    whose linear predictor is constant (every slope 0) has C 0.5 and no calibration
    slope or recalibration intercept: those two are averaged over the samples where
    they exist (the sample is not dropped). Checked
    against ``rms::validate`` with the same samples in
    ``tests/reference/test_prediction_against_r.py``.

    Harrell's correction under-corrects when a procedure overfits badly: the original
    data used as the test set share about 63.2% of their people with each bootstrap
    sample, so the test performance is itself optimistic (Efron 1983; Efron and
    Tibshirani 1997). The .632+ estimator (Efron and Tibshirani 1997, for C as in
    Wehberg and Schumacher 2004 and Iba et al. 2021) weighs the apparent value ``A``
    and the out-of-bag value ``O`` by the relative overfitting rate
    ``R = (A - O') / (A - g)`` (0 unless ``A`` lies beyond ``O'`` and ``g`` on the
    better side; ``O'`` is ``O`` clipped at the no-information value ``g``: 0.5 for C;
    for Brier the mean of ``(p_j - y_i)^2`` over all pairs of people):
    ``w = 0.632 / (1 - 0.368 R)``, estimate ``.368 A + .632 O + (O' - A) .368 .632 R /
    (1 - .368 R)``. It is not defined for the calibration slope or intercepts. Checked
    by hand-computed values in ``tests/unit/test_prediction_plus632.py`` and on pure
    noise in ``tests/truth/test_prediction_lasso_optimism_truth.py``.

    The optimism-corrected calibration curve (``calibrate``; Harrell, Lee and Mark 1996;
    ``rms::calibrate``): the apparent curve is the lowess smooth of the outcome on the
    model's predicted risk in the original data (:func:`lifetools.prediction.calibrate.
    lowess`: span 2/3, no robustness iterations, local fits 1% of the risks' range
    apart and interpolated between), read at the grid by linear interpolation (missing
    outside the range of the risks). In each sample the same curve is drawn for the
    sample's model in the sample (training) and on the original data (test); the
    error of a curve is its value minus the grid risk, and the optimism at a grid point
    is the mean of training minus test error over the samples where both curves reach
    that point (their number is the curve's ``samples`` column); the corrected curve is
    the apparent curve minus the optimism. Samples whose fit raised are left out of the
    curve as of the indexes; unreliable fits are kept in both. The errors summarised
    (``errors``): each person's predicted risk minus the corrected curve there, for the
    people inside the grid's range: mean absolute error, mean squared error and the
    0.9 quantile of the absolute error (``print.calibrate``). Checked against
    ``rms::calibrate`` with the same samples in
    ``tests/reference/test_calibrate_against_r.py``.
    """
    procedure = "the given procedure" if develop is not None else shrinkage
    maximum_likelihood = develop is None and (shrinkage == "none" or (
        not isinstance(shrinkage, str) and float(shrinkage) == 1.0))
    by_rows = develop is None and _DESIGN_AS_ROWS  # the default: designs as rows, below
    if develop is None:
        def develop(data: pd.DataFrame, knots: Mapping[str, tuple[float, ...]] | None
                    ) -> FrozenModel:
            return fit_prediction_model(data, spec, shrinkage=shrinkage, knots=knots).frozen

    def own(values: np.ndarray) -> np.ndarray:
        """A model's indexes in its own data (as ``rms::validate`` for an ML fit)."""
        return _at_maximum(values) if maximum_likelihood else values

    original = develop(frame, None)
    knots = dict(original.knots)
    y = frame[spec.outcome_col].to_numpy(dtype=float)
    apparent = own(_indices(y, original.linear_predictor(frame)))
    if calibrate:
        risk = inverse_logit(np.asarray(original.linear_predictor(frame), dtype=float))
        curves = CalibrationResamples(
            calibrate_grid(risk) if grid is None else grid, [(risk, y)])
    if samples is None:
        rng = np.random.default_rng(seed)
        samples = [rng.integers(0, len(frame), len(frame)) for _ in range(n_boot)]
    if by_rows:
        # knots are fixed, and each row's design depends on that row alone: a sample's
        # design is rows of the original data's (built once, not three times a sample).
        # A sample missing one of the original's categorical levels fails without being
        # fitted: its model, developed from its own rows, would have no indicator for the
        # level, and its linear predictor over the original data (which has the level)
        # raises, as it did when such a sample was fitted first. The levels are checked
        # as codes, counted per sample (np.unique over the labels was 17 ms a sample at
        # 50,000 rows)
        full_x, names = _design(frame, knots, spec.linear, original.levels,
                                spec.interactions)
        codes = [(pd.factorize(frame[col].astype(str).to_numpy())[0],
                  len(original.levels[col])) for col in spec.categorical]
    optimism, failed, oob, training, unreliable = [], 0, [], [], 0
    for rows in samples:
        rows = np.asarray(rows)
        if by_rows and not all(np.count_nonzero(np.bincount(values[rows], minlength=k)) == k
                               for values, k in codes):
            failed += 1
            continue
        boot = None if by_rows else frame.iloc[rows]
        y_boot = y[rows] if by_rows else boot[spec.outcome_col].to_numpy(dtype=float)
        try:
            if by_rows:
                x_boot = full_x[rows]
                fit = _fit_design(x_boot, y_boot, names, spec, shrinkage=shrinkage,
                                  knots=knots, levels=original.levels).frozen
                coefficients = np.asarray(fit.coefficients)
                lp_boot = fit.intercept + x_boot @ coefficients
                train = own(_indices(y_boot, lp_boot))
                lp = fit.intercept + full_x @ coefficients
            else:
                fit = develop(boot, knots)
                lp_boot = fit.linear_predictor(boot)
                train = own(_indices(y_boot, lp_boot))
                lp = fit.linear_predictor(frame)
            test = _indices(y, lp)
            if plus632:
                oob.append(_out_of_bag(y, np.asarray(lp), np.asarray(rows)))
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
            failed += 1
            continue
        unreliable += not fit.converged  # kept, as rms::validate keeps it, and counted
        optimism.append(train - test)
        training.append(train)
        if calibrate:
            curves.add([(inverse_logit(np.asarray(lp_boot, dtype=float)), y_boot)],
                       [(inverse_logit(np.asarray(lp, dtype=float)), y)])
    with np.errstate(invalid="ignore"):  # an index undefined in every sample stays NaN
        mean_optimism = np.array([np.mean(v[~np.isnan(v)]) if (~np.isnan(v)).any()
                                  else np.nan for v in np.asarray(optimism, dtype=float)
                                  .reshape(-1, len(INDICES)).T])
    summary = pd.DataFrame({"index": INDICES, "apparent": apparent, "optimism": mean_optimism,
                            "corrected": apparent - mean_optimism})
    if plus632:
        summary = _with_plus632(summary, oob, no_information_brier(
            y, np.asarray(original.linear_predictor(frame))))
    method = {"estimator": "bootstrap optimism correction (Harrell)", "seed": seed,
              "shrinkage": procedure, "knots": "fixed at the original data's positions",
              "own_data_calibration": (
                  "slope 1, intercepts 0 by definition (maximum likelihood; rms::validate)"
                  if maximum_likelihood else "measured")}
    if plus632:
        method["plus632"] = ".632+ bootstrap (Efron and Tibshirani 1997) for C and Brier"
    calibration = None
    if calibrate:
        method["calibration"] = CALIBRATION_METHOD
        calibration = curves.correction()
    return BootstrapValidation(summary=summary, n_boot=len(samples) - failed,
                               n_failed=failed, method=method,
                               training=np.asarray(training).reshape(-1, len(INDICES)),
                               n_unreliable=unreliable, converged=original.converged,
                               calibration=calibration)


def no_information_brier(y: np.ndarray, lp: np.ndarray) -> float:
    """The Brier score with predictions unrelated to outcomes: mean of ``(p_j - y_i)^2``."""
    risk = inverse_logit(lp)
    return float(np.mean(risk ** 2) - 2 * risk.mean() * y.mean() + y.mean())


def _with_plus632(summary: pd.DataFrame, oob: Sequence[np.ndarray],
                  brier_no_information: float) -> pd.DataFrame:
    """``summary`` with the mean out-of-bag indexes and the .632+ estimates of C, Brier."""
    no_information = {"c": 0.5, "brier": brier_no_information}
    values = np.asarray(oob).reshape(-1, len(INDICES))
    seen = (~np.isnan(values)).sum(axis=0)
    summary = summary.assign(oob=np.where(seen > 0, np.nansum(values, axis=0)
                                          / np.maximum(seen, 1), np.nan))
    summary["corrected_632plus"] = [
        plus632_estimate(a, o, no_information[name], higher_better=name == "c")
        if name in no_information else np.nan
        for name, a, o in zip(INDICES, summary["apparent"], summary["oob"], strict=True)]
    return summary


def plus632_estimate(apparent: float, oob: float, no_information: float, *,
                     higher_better: bool) -> float:
    """The .632+ bootstrap estimate from the apparent and out-of-bag values.

    Efron and Tibshirani (1997), equations 27-32, written for an error (lower is
    better); an index where higher is better (C) is negated first. ``no_information``
    is the value with predictions unrelated to outcomes (0.5 for C).
    """
    sign = -1.0 if higher_better else 1.0
    err, err1, gamma = sign * apparent, sign * oob, sign * no_information
    clipped = min(err1, gamma)
    rate = ((clipped - err) / (gamma - err) if err1 > err and gamma > err else 0.0)
    rate = min(max(rate, 0.0), 1.0)
    estimate = (0.368 * err + 0.632 * err1
                + (clipped - err) * 0.368 * 0.632 * rate / (1 - 0.368 * rate))
    return sign * estimate


def performance_by_group(outcome: np.ndarray, risk: np.ndarray, groups: np.ndarray, *,
                         min_count: int) -> pd.DataFrame:
    """Discrimination and calibration by group, with 95% intervals (fairness).

    Returns one row per group: ``group``, ``n``, ``events``, ``suppressed`` and, for
    groups shown, ``c`` and ``c_lower``/``c_upper`` (DeLong), the calibration ``slope``,
    ``citl`` (calibration-in-the-large) and ``oe_ratio``, each with its interval
    (``slope_lower``, ``slope_upper`` ...). A group with fewer than ``min_count`` people
    with or without the outcome is suppressed (estimates missing); ``n`` and
    ``events`` stay unrounded here and must be protected before display.

    Notes
    -----
    The estimators are those of :func:`performance` applied within each group (the
    slope and calibration-in-the-large with their Wald intervals, as overall).
    Checked in ``tests/unit/test_prediction.py`` (a group whose risks are shifted is
    found miscalibrated, the others not; a group whose risks are too extreme has a
    slope interval below 1, another's covers 1).
    """
    y = np.asarray(outcome, dtype=float)
    p = np.asarray(risk, dtype=float)
    g = pd.Series(np.asarray(groups)).astype(str).to_numpy()
    rows = []
    for level in sorted(set(g)):
        mask = g == level
        n, events = int(mask.sum()), int(y[mask].sum())
        row = {"group": level, "n": n, "events": events,
               "suppressed": min(events, n - events) < max(min_count, 2)}
        if not row["suppressed"]:
            table = performance(y[mask], p[mask]).summary.set_index("measure")
            c = c_statistic(y[mask], p[mask])
            row |= {"c": c[0], "c_lower": c[1], "c_upper": c[2]}
            for m in ("slope", "citl", "oe_ratio"):
                row |= {m: table.loc[m, "estimate"], f"{m}_lower": table.loc[m, "ci_lower"],
                        f"{m}_upper": table.loc[m, "ci_upper"]}
        rows.append(row)
    return pd.DataFrame(rows)


def validate_frozen(model: FrozenModel, frame: pd.DataFrame, outcome_col: str) -> Performance:
    """Performance of a frozen model on a new cohort (temporal or external validation)."""
    return performance(frame[outcome_col].to_numpy(dtype=float), model.predict_risk(frame))
