"""The crisis-risk report's other models: the ridge and lasso comparison, and the
Fine-Gray time-to-event model with its risk groups.

Kept apart from :mod:`lifetools.reports.prediction` so that each module stays short.
Counts are raw here; the notebook protects them (``show_table`` count columns).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from lifetools.design_sizes import CRISIS_HORIZON_DAYS
from lifetools.disclosure.rule_text import too_few_sentence
from lifetools.disclosure.withheld import TooFew
from lifetools.formatting import format_value
from lifetools.prediction import FrozenModel, ModelSpec
from lifetools.prediction.cif_interval import risk_group_intervals
from lifetools.prediction.imputation import (
    bootstrap_validation_imputed,
    pool_performance,
)
from lifetools.prediction.intervals import brier_interval, mean_interval
from lifetools.prediction.lasso import fit_lasso_imputed, fit_lasso_model
from lifetools.prediction.penalised import (
    RidgeModel,
    fit_ridge_imputed,
    fit_ridge_model,
)
from lifetools.prediction.performance import Performance
from lifetools.prediction.time_to_event import (
    FrozenCumulativeIncidence,
    fine_gray_hazard_ratios,
    fit_fine_gray_risk,
    pool_fine_gray_risk,
)
from lifetools.prediction.validation import BootstrapValidation
from lifetools.reports.crisis_internal import INTERVAL_INDICES, NO_DIFFERENCE, kept_off
from lifetools.reports.crisis_parts import COMPARISON_FOLDS, estimate_text, risk_text
from lifetools.survival.competing import estimate_cif

__all__ = ["COMPARED", "FIFTHS", "FINE_GRAY_COLUMN", "LOGISTIC_COLUMN", "NO_COMPARISON_INTERVAL",
           "NO_DIFFERENCE", "RISK_GROUP_COLUMN", "FineGrayPart", "corrected_column",
           "measure_text", "model_comparison", "risk_group_table", "time_to_event"]


def _with_brier_interval(summary: pd.DataFrame, outcome: np.ndarray,
                         risks: list[np.ndarray], *, seed: int) -> pd.DataFrame:
    """A pooled performance summary indexed by measure, the Brier row given the
    percentile bootstrap interval of :func:`lifetools.prediction.intervals.brier_interval`
    (the report's default samples; the estimate is the pooled one, the same value)."""
    table = summary.set_index("measure")
    brier = brier_interval(np.asarray(outcome, dtype=float), risks, seed=seed)
    table.loc["brier", ["ci_lower", "ci_upper"]] = [brier.ci_lower, brier.ci_upper]
    return table


COMPARED = {"c": "C-statistic", "slope": "Calibration slope",
            "citl": "Calibration-in-the-large (log-odds)", "brier": "Brier score"}


def measure_text(measure: str, value: float, low: float = float("nan"),
                 high: float = float("nan"), *,
                 stated: Mapping[str, Sequence[float]] | None = None) -> str:
    """A validation measure with its interval in a table of this module, to 3 decimal
    places (:func:`~lifetools.reports.crisis_parts.estimate_text`), each limit kept off
    the measure's value of no difference and its bound (:func:`~lifetools.reports.
    crisis_internal.kept_off`: :data:`NO_DIFFERENCE`, a C-statistic's 1) and the limits the
    report states for it (``stated``: the drift check's, ``{"slope": (0.8, 1.2),
    "citl": (-0.2, 0.2)}``), as the temporal-validation table and the drift verdict
    write them (:func:`lifetools.signs.places_avoiding`): "1.163 (0.9996 to 1.342)",
    never "(1.000 to 1.342)" beside a verdict that the interval lies above 1.

    The model comparison and the time-to-event table wrote every limit at 3 places
    until wave 42, so the logistic model's slope interval could read two ways on one
    page (issue 15). Tested in ``tests/unit/test_crisis_models_limits.py``.
    """
    null, avoid = kept_off(measure, stated)
    return estimate_text(value, low, high, null=null, avoid=avoid)


NO_COMPARISON_INTERVAL = "no interval computed for this comparison"
"""What a calibration measure's optimism-corrected cell of the model comparison says in
place of an interval (:func:`model_comparison`): none is computed here, though the
internal validation gives the shrunk model's two-stage interval."""


def corrected_column(model: str, developed: str, *, copies: int) -> str:
    """The model comparison's column of a model's optimism-corrected values, naming
    its bootstrap: within each imputed copy (MI-boot), or Harrell's plain bootstrap
    when nothing was imputed (``copies`` 1). The internal validation may use boot-MI,
    so one model could read two "optimism-corrected" values on one page with nothing
    saying why until wave 37."""
    how = ("MI-boot: bootstrap within each imputed copy" if copies > 1
           else "Harrell's bootstrap, nothing imputed")
    return f"{model}, optimism-corrected in {developed} ({how}; 95% CI)"


def model_comparison(dev_copies: list[pd.DataFrame], val_copies: list[pd.DataFrame],
                     spec: ModelSpec, *, shrunk: FrozenModel, shrunk_boot: BootstrapValidation,
                     n_boot: int, seed: int, periods: tuple[str, str],
                     folds: int = COMPARISON_FOLDS,
                     stated: Mapping[str, Sequence[float]] | None = None
                     ) -> tuple[pd.DataFrame, RidgeModel, RidgeModel]:
    """The shrunk logistic model beside cross-validated ridge and lasso models.

    Every model is optimism-corrected by the bootstrap in the development period and
    validated on the validation period; ``periods`` names the two
    (:func:`lifetools.reports.crisis_parts.period_name`: "2023-24", "2024-25"), and the
    columns say which period each number is from, and the optimism-corrected columns
    which bootstrap (:func:`corrected_column`: MI-boot, whatever the internal
    validation used, so the shrunk model's corrected values can differ from that
    table's when it used boot-MI). The optimism-corrected C-statistic and Brier score
    carry the location-shifted bootstrap interval of Noma et al. (2021,
    :meth:`lifetools.prediction.BootstrapValidation.interval`, as in the
    internal-validation table); the calibration measures have none here
    (:data:`NO_COMPARISON_INTERVAL`: the page gives the internal validation's two-stage
    interval of the shrunk model, so "interval not defined", as this table read until
    wave 37, was false). Each limit is kept off the measure's value of no difference
    and the limits ``stated`` for it (:func:`measure_text`).

    Returns
    -------
    tuple
        The table (one row per measure), the ridge model and the lasso model.

    Notes
    -----
    The three models are validated the same way: Harrell's bootstrap within each
    imputed development copy with the same seeds and ``n_boot`` samples in all (the
    ridge and lasso penalties re-chosen by ``folds``-fold cross-validation in every
    bootstrap sample, so the optimism covers the choice of penalty and, for the lasso,
    the selection of predictors), and the frozen models applied to the validation
    cohort's imputed copies, performance pooled by Rubin's rules. The lasso
    (:func:`lifetools.prediction.lasso.fit_lasso_imputed`, the same folds) records its
    bootstrap in ``method["bootstrap_samples"]`` and ``method["bootstrap_failed"]``.
    Tested in ``tests/unit/test_prediction_report.py``; the lasso's bootstrap against
    known optimism in ``tests/unit/test_prediction_lasso_optimism.py``.
    """
    ridge = fit_ridge_imputed(dev_copies, spec, folds=folds, seed=seed)
    lasso = fit_lasso_imputed(dev_copies, spec, folds=folds, seed=seed)

    def develop(data: pd.DataFrame, knots: dict | None) -> FrozenModel:
        return fit_ridge_model(data, spec, folds=folds, seed=seed, knots=knots).frozen

    def develop_lasso(data: pd.DataFrame, knots: dict | None) -> FrozenModel:
        return fit_lasso_model(data, spec, folds=folds, seed=seed, knots=knots).frozen

    ridge_boot = bootstrap_validation_imputed(dev_copies, spec, n_boot=n_boot, seed=seed,
                                              develop=develop)
    lasso_boot = bootstrap_validation_imputed(dev_copies, spec, n_boot=n_boot, seed=seed,
                                              develop=develop_lasso)
    lasso = replace(lasso, method={**lasso.method, "bootstrap_samples": lasso_boot.n_boot,
                                   "bootstrap_failed": lasso_boot.n_failed,
                                   "bootstrap_unreliable": lasso_boot.n_unreliable})
    ridge = replace(ridge, method={**ridge.method, "bootstrap_samples": ridge_boot.n_boot,
                                   "bootstrap_failed": ridge_boot.n_failed,
                                   "bootstrap_unreliable": ridge_boot.n_unreliable})
    outcomes = [c["crisis"].to_numpy() for c in val_copies]
    later = {name: _with_brier_interval(
        pool_performance(outcomes, [m.predict_risk(c) for c in val_copies]).summary,
        outcomes[0], [m.predict_risk(c) for c in val_copies], seed=seed + 2)
             for name, m in (("shrunk", shrunk), ("ridge", ridge.frozen),
                             ("lasso", lasso.frozen))}
    boots = {"shrunk": shrunk_boot.summary.set_index("index"),
             "ridge": ridge_boot.summary.set_index("index"),
             "lasso": lasso_boot.summary.set_index("index")}

    def shown(table: pd.DataFrame, m: str) -> str:
        return measure_text(m, *table.loc[m, ["estimate", "ci_lower", "ci_upper"]],
                            stated=stated)

    validations = {"shrunk": shrunk_boot, "ridge": ridge_boot, "lasso": lasso_boot}

    def corrected(name: str, m: str) -> str:
        value = boots[name].loc[m, "corrected"]
        low, high = validations[name].interval(m) if m in INTERVAL_INDICES else (np.nan,) * 2
        if np.isnan(low):
            why = NO_COMPARISON_INTERVAL if m not in INTERVAL_INDICES \
                else "interval not estimated"
            return f"{format_value(value, kind='estimate', digits=3)} ({why})"
        return measure_text(m, value, low, high, stated=stated)

    names = {"shrunk": "shrunk logistic", "ridge": "ridge", "lasso": "lasso"}
    developed, validated = periods
    rows = [{"measure": label,
             **{corrected_column(names[n], developed, copies=len(dev_copies)):
                corrected(n, m) for n in names},
             **{f"{names[n]}, {validated} (95% CI)": shown(later[n], m) for n in names}}
            for m, label in COMPARED.items()]
    return pd.DataFrame(rows), ridge, lasso


@dataclass(frozen=True)
class FineGrayPart:
    """The report's Fine-Gray model: its validation table, frozen model and ratios.

    ``summary`` is the pooled subdistribution hazard ratios
    (:func:`lifetools.prediction.time_to_event.fine_gray_hazard_ratios`: term, coef, se,
    estimate, ci_lower, ci_upper, p_value, fmi; raw until released by
    :func:`lifetools.disclosure.model_release`); ``warnings`` those of every fit;
    ``risk_groups`` the predicted 12-month incidence of everyone and of each fifth of
    predicted risk in the next edition, with intervals carrying the fit's uncertainty
    (:func:`lifetools.prediction.cif_interval.risk_group_intervals`; people raw);
    ``observed_cif`` the next edition's observed 12-month incidence (Aalen-Johansen) and
    ``observed_limits`` its 95% confidence limits; ``mean_risk`` the table's mean
    predicted 12-month incidence with its interval (estimate, lower, upper: the
    percentile bootstrap over this year's people, the model held fixed), which the
    page's sentence names beside the risk groups' interval of the same mean (the
    fit's uncertainty: :func:`lifetools.reports.crisis_results.
    fine_gray_incidence_sentence`).
    """

    table: pd.DataFrame
    model: FrozenCumulativeIncidence
    summary: pd.DataFrame
    warnings: tuple[str, ...] = ()
    risk_groups: pd.DataFrame | None = None
    observed_cif: float = float("nan")
    observed_limits: tuple[float, float] = (float("nan"), float("nan"))
    mean_risk: tuple[float, float, float] = (float("nan"),) * 3


FINE_GRAY_COLUMN = "Fine-Gray model, predicting the 12-month cumulative incidence (95% CI)"
LOGISTIC_COLUMN = "logistic model (shrunk), predicting the 12-month risk (95% CI)"
"""The time-to-event table's columns: each model's numbers (:func:`time_to_event`)."""


def time_to_event(dev_copies: list[pd.DataFrame], val_copies: list[pd.DataFrame],
                  spec: ModelSpec, *, logistic: Performance,
                  logistic_risks: list[np.ndarray], seed: int,
                  horizon: int = CRISIS_HORIZON_DAYS,
                  stated: Mapping[str, Sequence[float]] | None = None
                  ) -> FineGrayPart:
    """The 12-month crisis risk from a Fine-Gray model (death competing), beside the
    logistic model, in the next edition; and the model's subdistribution hazard ratios.

    Returns
    -------
    FineGrayPart
        The performance table, the pooled frozen model and the pooled subdistribution
        hazard ratios.

    Notes
    -----
    Fine-Gray on each imputed development copy (:func:`lifetools.prediction.
    time_to_event.fit_fine_gray_risk`, crisis = 1, death first = 2, no other
    censoring before 12 months), pooled (mean coefficients and ``log H0(365)``); the
    predicted 12-month cumulative incidence is validated on the next edition's imputed
    copies and pooled by Rubin's rules. With complete follow-up to 12 months the
    cumulative/dynamic time-dependent C at 12 months with deaths as controls (Blanche
    et al. 2013, definition 2) is the C-statistic of the crisis indicator, and
    calibration at 12 months is calibration of that indicator: the measures are those
    of :func:`lifetools.prediction.performance`. Hazard ratios: Breslow ties, robust
    standard errors, Rubin's rules over the copies on the log scale (t on Rubin's
    degrees of freedom).

    Intervals beside those of :func:`lifetools.prediction.imputation.pool_performance`:
    the Brier score of each model by the percentile bootstrap over people of
    :func:`lifetools.prediction.intervals.brier_interval` (seed ``seed + 2``, the
    temporal table's); the mean predicted 12-month risk (for the Fine-Gray model the
    mean predicted cumulative incidence) by the same bootstrap of the mean
    (:func:`lifetools.prediction.intervals.mean_interval`, each person's risk averaged
    over the copies, seed ``seed + 4``), the models fixed as in every other row; and
    the observed 12-month cumulative incidence of crisis with death competing by the
    Aalen-Johansen estimator with its delta-method interval on the log(-log) scale
    (:func:`lifetools.survival.estimate_cif`, checked against R ``survfit``).

    Risk groups: this edition's people cut into fifths by their predicted incidence
    (averaged over the copies); each fifth's, and everyone's, predicted incidence with
    the interval of :func:`lifetools.prediction.cif_interval.risk_group_intervals`
    (coefficient and baseline uncertainty, delta method on the log(-log) scale, Rubin's
    rules over the copies).

    The measures' limits are kept off their values of no difference and the limits
    ``stated`` for them (:func:`measure_text`), as the temporal-validation table's.
    """
    fits = [fit_fine_gray_risk(c, spec, duration_col="days_to_event",
                               event_col="event_type", horizon=horizon) for c in dev_copies]
    model = pool_fine_gray_risk(fits)
    outcome = val_copies[0]["crisis"].to_numpy()
    fg_risks = [model.predict_risk(c) for c in val_copies]
    result = pool_performance([c["crisis"].to_numpy() for c in val_copies], fg_risks)
    observed = estimate_cif(val_copies[0], duration_col="days_to_event",
                            event_col="event_type", event_of_interest=1,
                            times=(horizon,)).summary
    observed = observed[observed["time"] <= horizon].iloc[-1]
    tables = {}
    for name, summary, risks in (
            (FINE_GRAY_COLUMN, result.summary, fg_risks),
            (LOGISTIC_COLUMN, logistic.summary,
             logistic_risks)):
        table = _with_brier_interval(summary, outcome, risks, seed=seed + 2)
        table.loc["mean_risk", ["estimate", "ci_lower", "ci_upper"]] = mean_interval(
            np.mean(risks, axis=0), seed=seed + 4)
        table.loc["observed_cif", ["estimate", "ci_lower", "ci_upper"]] = observed[
            ["estimate", "ci_lower", "ci_upper"]].to_numpy(dtype=float)
        tables[name] = table

    def shown(table: pd.DataFrame, m: str) -> Any:
        # a risk (the mean predicted risk, the observed cumulative incidence) in per
        # cent, as the page's sentences write it; the measures as estimates, each
        # limit kept off no difference and the stated limits
        values = table.loc[m, ["estimate", "ci_lower", "ci_upper"]]
        return risk_text(*values) if m in RISK_ROWS else measure_text(
            m, *values, stated=stated)

    labels = {**COMPARED, "oe_ratio": "Observed / expected events",
              "mean_risk": "Mean predicted 12-month risk",
              "observed_cif": "Observed 12-month cumulative incidence (Aalen-Johansen)"}
    rows = [{"measure": label, **{name: shown(t, m) for name, t in tables.items()}}
            for m, label in labels.items()]
    return FineGrayPart(table=pd.DataFrame(rows), model=model,
                        summary=fine_gray_hazard_ratios(fits),
                        warnings=tuple(dict.fromkeys(w for f in fits for w in f.warnings)),
                        risk_groups=risk_group_intervals(fits, val_copies,
                                                         np.mean(fg_risks, axis=0)),
                        observed_cif=float(observed["estimate"]),
                        observed_limits=(float(observed["ci_lower"]),
                                         float(observed["ci_upper"])),
                        mean_risk=tuple(float(v) for v in tables[FINE_GRAY_COLUMN].loc[
                            "mean_risk", ["estimate", "ci_lower", "ci_upper"]]))

RISK_ROWS = ("mean_risk", "observed_cif")
"""The rows of the time-to-event table that are risks (shares of people), written in
per cent (:func:`~lifetools.reports.crisis_parts.risk_text`)."""
RISK_GROUP_COLUMN = "predicted 12-month risk of crisis (95% CI)"
"""The risk-group table's column of predicted incidences (:func:`risk_group_table`)."""
FIFTHS = ("Everyone", "First fifth (least predicted risk)", "Second fifth", "Third fifth",
          "Fourth fifth", "Last fifth (most predicted risk)")
"""Row labels of :func:`risk_group_table` (words, not digits: row labels are prose)."""


def risk_group_table(groups: pd.DataFrame, *, min_people: int) -> pd.DataFrame:
    """The risk groups as shown: group, people (raw: protected when shown) and the
    predicted 12-month incidence with its interval in per cent (1 decimal place, as
    the time-to-event table's risks and the page's sentence on it:
    :func:`~lifetools.reports.crisis_parts.risk_text`; 3 decimal places of a
    proportion until wave 41), or, for a group of fewer than ``min_people`` people, a
    :class:`~lifetools.disclosure.withheld.TooFew` cell (``[c]`` on the page and in the
    download, with the rule once in the table's note)."""
    if sorted(groups["group"]) != list(range(len(FIFTHS))):
        raise ValueError("the risk groups must be everyone (0) and fifths 1 to 5")
    return pd.DataFrame({
        "predicted risk group": [FIFTHS[int(g)] for g in groups["group"]],
        "people": groups["people"].to_numpy(),
        RISK_GROUP_COLUMN: [
            TooFew(too_few_sentence()) if r.people < min_people else
            risk_text(r.estimate, r.ci_lower, r.ci_upper)
            for r in groups.itertuples()]})
