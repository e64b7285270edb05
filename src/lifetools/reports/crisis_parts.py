"""Parts of the crisis-risk report: missing HoNOS, participant characteristics.

Kept apart from :mod:`lifetools.reports.prediction` so that each module stays short.
Counts are raw here; the notebook protects them (``show_table`` count columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from lifetools.disclosure import Parameter, Period, ProtectedText, compose
from lifetools.formatting import format_interval, format_value
from lifetools.prediction import FrozenModel, ModelSpec
from lifetools.prediction.boot_mi import bootstrap_validation_boot_mi
from lifetools.prediction.cif_interval import risk_group_intervals
from lifetools.prediction.imputation import (
    bootstrap_validation_imputed,
    impute_predictors,
    pool_performance,
)
from lifetools.prediction.intervals import (
    TwoStageInterval,
    brier_interval,
    mean_interval,
)
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
from lifetools.survival.competing import estimate_cif

__all__ = ["AGE_KNOTS", "COMPARISON_FOLDS", "COMPLETE_PREDICTORS", "IMPUTATIONS", "INTERNAL_METHODS", "FineGrayPart", "FitReliability", "UNRELIABLE_LIMIT",
           "internal_validation", "internal_validation_table", "MIN_OBSERVED", "TWO_STAGE_COLUMN", "characteristics",
           "continuous_characteristics", "crisis_spec", "fit_reliability", "imputed_cohort", "missing_table", "model_comparison", "risk_group_table", "time_to_event", "with_missing_honos"]

IMPUTATIONS = 10
COMPARISON_FOLDS = 5
"""Cross-validation folds choosing the ridge and lasso penalties (:func:`model_comparison`)."""
INTERNAL_METHODS = ("mi-boot", "boot-mi")
"""Internal validation with missing predictors: bootstrap within each imputed copy
(MI-boot, the default) or imputation repeated inside each bootstrap sample (boot-MI)."""
AGE_KNOTS = 5
"""Knots of the age spline (Harrell's 5th, 27.5th, 50th, 72.5th and 95th centiles). Four
knots (5th, 35th, 65th, 95th) leave the spline linear below about 20 and above about 79,
too flat for the U-shaped age effect at the extremes: over 40 synthetic cohorts the
4-knot model's calibration slope in the next edition was 0.024 (SE 0.004) above the true
log-odds' slope, the 5-knot model's 0.0035 (SE 0.0046)
(``tests/truth/test_crisis_many_seeds.py``; issue 13)."""
MIN_OBSERVED = 10
"""Fewest recorded HoNOS scores for HoNOS to enter the model (imputed where missing)."""
COMPLETE_PREDICTORS = ("age", "years_in_care", "female", "white", "imd_q1", "community_team",
                       "prior_ae", "prior_admissions", "life_rooms")
"""Predictors with no missing values (the imputation model's predictors, with the outcome)."""


def with_missing_honos(data: pd.DataFrame) -> pd.DataFrame:
    """The cohort with HoNOS missing (NaN) where it was not recorded."""
    return data.assign(honos=data["honos"].where(data["honos_recorded"] == 1))


def crisis_spec(data: pd.DataFrame) -> ModelSpec:
    """The prespecified model; HoNOS left out when fewer than ``MIN_OBSERVED`` are recorded."""
    honos = ("honos",) if int(data["honos"].notna().sum()) >= MIN_OBSERVED else ()
    return ModelSpec("crisis", splines={"age": AGE_KNOTS, "years_in_care": 3},
                     linear=("female", "white", "imd_q1", "community_team", *honos,
                             "prior_ae", "prior_admissions", "life_rooms"))


def imputed_cohort(data: pd.DataFrame, spec: ModelSpec, *, m: int, seed: int
                   ) -> list[pd.DataFrame]:
    """``m`` imputed copies of a crisis cohort (one copy when nothing needs imputing).

    Notes
    -----
    HoNOS is imputed by chained equations with predictive mean matching from the
    complete predictors and the outcome (:func:`lifetools.prediction.imputation.
    impute_predictors`); it is missing mostly by team type, which is in the
    imputation model (missing at random given the predictors and outcome).
    """
    if "honos" not in spec.linear or not data["honos"].isna().any():
        return [data.assign(honos=data["honos"].fillna(0.0))]
    return impute_predictors(data, impute=["honos"], predictors=COMPLETE_PREDICTORS,
                             outcome_col="crisis", m=m, seed=seed)


def internal_validation(dev: pd.DataFrame, dev_copies: list[pd.DataFrame],
                        spec: ModelSpec, *, method: str, n_boot: int, seed: int,
                        imputations: int
                        ) -> tuple[BootstrapValidation, BootstrapValidation, str]:
    """The report's internal validation, the MI-boot run the model comparison uses, and
    a sentence saying exactly what was done.

    Parameters
    ----------
    dev : DataFrame
        The development cohort with HoNOS missing where not recorded.
    dev_copies : list of DataFrame
        Its imputed copies (:func:`imputed_cohort`).
    method : {"mi-boot", "boot-mi"}
        ``"mi-boot"``: Harrell's bootstrap within each imputed copy, averaged
        (:func:`lifetools.prediction.imputation.bootstrap_validation_imputed`).
        ``"boot-mi"``: each bootstrap sample drawn before imputation and imputed afresh
        with ``imputations`` copies (:func:`lifetools.prediction.boot_mi.
        bootstrap_validation_boot_mi`); the model comparison still uses MI-boot for
        both models, so that its columns are comparable.

    Notes
    -----
    Both with the heuristic shrinkage repeated in each sample and seed ``seed``, and
    with the .632+ estimates of C and the Brier score (``plus632=True``: the Harrell
    columns are unchanged by it). With
    nothing imputed (one copy) both are Harrell's plain bootstrap and MI-boot is used.
    Tested in ``tests/unit/test_prediction_boot_mi.py``.
    """
    if method not in INTERNAL_METHODS:
        raise ValueError(f"internal validation must be one of {INTERNAL_METHODS}, "
                         f"not {method!r}")
    mi_boot = bootstrap_validation_imputed(dev_copies, spec, n_boot=n_boot, seed=seed,
                                           shrinkage="heuristic", plus632=True)
    m = len(dev_copies)
    if m == 1:
        return mi_boot, mi_boot, compose(
            "Harrell's bootstrap optimism correction with {n} samples (nothing was "
            "imputed).", n=Parameter(mi_boot.n_boot, "bootstrap samples"))
    if method == "mi-boot":
        per = max(int(np.ceil(n_boot / m)), 10)  # as bootstrap_validation_imputed shares
        return mi_boot, mi_boot, compose(
            "Harrell's bootstrap optimism correction with {total} samples, {per} within "
            "each of the {m} imputed copies, results averaged (MI-boot, Wahl et al. "
            "{year}). The imputation is not repeated inside the samples: each copy's "
            "imputed values used every person, so the optimism may be slightly "
            "underestimated.", total=Parameter(per * m, "bootstrap samples"),
            per=Parameter(per, "bootstrap samples per imputed copy"),
            m=Parameter(m, "imputed copies"), year=Period("2016"))
    boot = bootstrap_validation_boot_mi(
        dev, spec, impute=lambda d, s: imputed_cohort(d, spec, m=imputations, seed=s),
        n_boot=n_boot, seed=seed, shrinkage="heuristic", original=dev_copies, plus632=True)
    return boot, mi_boot, compose(
        "Harrell's bootstrap optimism correction with {n} samples drawn before "
        "imputation; each sample imputed afresh ({m} copies) and the model developed on "
        "it pooled by Rubin's rules, so the correction covers the imputation too "
        "(boot-MI, Wahl et al. {year}). The model comparison uses bootstrap within each "
        "imputed copy (MI-boot) for both models.",
        n=Parameter(boot.n_boot, "bootstrap samples"),
        m=Parameter(imputations, "imputed copies"), year=Period("2016"))


UNRELIABLE_LIMIT = 0.10
"""The share of the internal validation's bootstrap samples fitted unreliably (not
converged, or separated) above which the report flags its corrected calibration
measures. Such samples are kept, as ``rms::validate`` keeps them, but their diverging
coefficients stop wherever the fitter stops, and the corrected calibration slope then
depends on that convention: on the birthwt reference (13 of 40 samples separated) R's
convention (training slope 1) and lifetools' (training slope measured) differ by 0.020,
about 0.006 per tenth of the samples, so below one in ten the convention moves the
corrected slope by less than 0.01, the precision it is shown to
(``tests/reference/test_validate_separation_against_r.py``)."""


@dataclass(frozen=True)
class FitReliability:
    """How many resampled fits could not be fitted reliably, in words, with a verdict.

    ``share``: of the internal validation's bootstrap samples, the share left out (the
    fit raised) or fitted unreliably (kept); ``flagged``: ``share`` above
    :data:`UNRELIABLE_LIMIT`; ``others``: unreliable or failed fits in the rest of the
    resampling (the nested interval's outer and inner samples, the ridge and lasso
    bootstraps, and the cross-validation folds at the chosen penalties).
    """

    drawn: int
    unreliable: int
    others: int
    share: float
    flagged: bool
    text: ProtectedText


def fit_reliability(boot: BootstrapValidation, *, others: int = 0) -> FitReliability:
    """The sentence saying how many resampled fits could not be fitted reliably.

    A fit is unreliable when it did not converge or showed separation
    (:attr:`lifetools.prediction.FrozenModel.converged` False); such samples are kept in
    the optimism as ``rms::validate`` keeps them. Samples whose fit raised are left out,
    as ``rms::validate`` leaves out a failed fit, and counted here too. Above
    :data:`UNRELIABLE_LIMIT` the sentence says the corrected calibration measures are
    not to be relied on; if the model developed on the whole cohort did not converge
    (``boot.converged`` False) it is flagged and says so whatever the samples did. Tested in ``tests/unit/test_prediction_convergence.py``.
    """
    drawn = boot.n_boot + boot.n_failed
    bad = boot.n_failed + boot.n_unreliable
    share = bad / drawn if drawn else float("nan")
    flagged = bool(share > UNRELIABLE_LIMIT) if drawn else True
    params = {"k": Parameter(int(bad), "bootstrap samples not fitted reliably"),
              "n": Parameter(int(drawn), "bootstrap samples"),
              "m": Parameter(int(others), "resampled fits not fitted reliably")}
    one = bad == 1  # "1 bootstrap sample ... it", never "1 bootstrap samples"
    head = ("In the internal validation, {k} bootstrap "
            + ("sample" if one else "samples") + " could not be fitted "
            "reliably (the fit did not converge, or a predictor separated the people "
            "with and without a crisis in the sample) out of {n} bootstrap samples drawn."
            if bad else
            "Each of the {n} bootstrap samples of the internal validation was fitted "
            "reliably (the fit converged and no predictor separated the outcome).")
    if bad:
        head += (" The corrected figures include " + ("it" if one else "them")
                 + ", as R's rms::validate does; leaving "
                 + ("it" if one else "them") + " out would flatter the model.")
    tail = (" In the rest of the resampling (the nested bootstrap interval, the ridge and "
            "lasso bootstraps and their cross-validation folds), {m} more "
            + ("fit" if others == 1 else "fits") + " could not be fitted reliably."
            if others else "")
    verdict = (" That is more than the report allows (see the methods page): the "
               "corrected calibration slope and intercept depend on where those fits "
               "stopped and should not be relied on; the corrected C-statistic and Brier "
               "score are hardly affected."
               if flagged and bad else "")
    if not boot.converged:  # the model itself: flagged whatever the samples did
        verdict += (" The model developed on the whole cohort did not converge itself (a "
                    "predictor separated the outcome): none of its performance figures "
                    "should be relied on.")
    used = {k: v for k, v in params.items()
            if "{" + k + "}" in head + tail}
    return FitReliability(drawn=drawn, unreliable=bad, others=int(others), share=share,
                          flagged=(flagged and bool(bad)) or not boot.converged,
                          text=compose(head + tail + verdict, **used))


INTERVAL_INDICES = ("c", "brier")
"""The internal-validation indexes shown with a location-shifted interval and a .632+
estimate (the calibration indexes have neither: see
:meth:`lifetools.prediction.BootstrapValidation.interval`)."""


TWO_STAGE_COLUMN = "optimism-corrected: 95% CI (two-stage bootstrap)"
"""The internal-validation column of the two-stage bootstrap interval (every index)."""


def internal_validation_table(boot: BootstrapValidation, labels: Mapping[str, str],
                              two_stage: TwoStageInterval | None = None) -> pd.DataFrame:
    """The internal-validation table: apparent, optimism, corrected, its intervals, .632+.

    Parameters
    ----------
    boot : BootstrapValidation
        With the .632+ columns (``plus632=True``) and the samples' training values.
    labels : mapping
        The words of each index (``c``: "C-statistic", ...).
    two_stage : TwoStageInterval, optional
        The two-stage bootstrap intervals
        (:func:`lifetools.prediction.intervals.two_stage_interval`): shown in the column
        :data:`TWO_STAGE_COLUMN` for every index (the column is left out without it).

    Notes
    -----
    The optimism-corrected C-statistic and Brier score get Noma et al.'s (2021)
    location-shifted bootstrap interval and the .632+ estimate (Efron and Tibshirani
    1997); the calibration rows say "not defined" there. Every index, the calibration
    slope and intercepts included, gets Noma et al.'s two-stage bootstrap interval when
    ``two_stage`` is given. Tested in ``tests/unit/test_prediction_report.py``.
    """
    summary = boot.summary.set_index("index")

    def interval(index: str) -> str:
        if index not in INTERVAL_INDICES:
            return "not defined"
        low, high = boot.interval(index)
        return "not estimated" if np.isnan(low) else f"{low:.3f} to {high:.3f}"

    def plus(index: str) -> str:
        value = summary.loc[index, "corrected_632plus"] if index in INTERVAL_INDICES else np.nan
        return "not defined" if np.isnan(value) else f"{value:.3f}"

    table = pd.DataFrame({
        "measure": [labels[i] for i in summary.index],
        # the one formatter: an apparent calibration-in-the-large of 0 by construction
        # reads "0.000" whatever the sign of its rounding error ("-0.000" with f"{:.3f}")
        **{col: summary[col].map(lambda v: format_value(v, kind="estimate", digits=3)
                                 ).to_numpy()
           for col in ("apparent", "optimism", "corrected")},
        "optimism-corrected: 95% CI (location-shifted bootstrap)":
            [interval(i) for i in summary.index],
        ".632+ estimate": [plus(i) for i in summary.index]})
    if two_stage is not None:
        limits = two_stage.summary.set_index("index")
        table.insert(5, TWO_STAGE_COLUMN, [
            "not estimated" if np.isnan(limits.loc[i, "ci_lower"])
            else f"{limits.loc[i, 'ci_lower']:.3f} to {limits.loc[i, 'ci_upper']:.3f}"
            for i in summary.index])
    return table


def missing_table(dev: pd.DataFrame, val: pd.DataFrame, *, spec: ModelSpec,
                  m: int, fmi: float) -> pd.DataFrame:
    """People with each predictor missing in each cohort, and how it was handled."""
    rows = []
    for col in spec.columns:
        handled = ("none missing" if not (dev[col].isna().any() or val[col].isna().any())
                   else f"multiple imputation ({m} copies)")
        rows.append({"predictor": col, "missing, development": int(dev[col].isna().sum()),
                     "missing, validation": int(val[col].isna().sum()), "handling": handled,
                     "fraction of missing information": (
                         f"{fmi:.2f}" if col == "honos" and m > 1 else "")})
    return pd.DataFrame(rows)


def characteristics(dev: pd.DataFrame, val: pd.DataFrame) -> pd.DataFrame:
    """Participant characteristics by cohort (TRIPOD+AI item 20b/20c).

    Returns one row per binary characteristic with the people who have it in each
    cohort (raw: protect before display); continuous predictors are in
    :func:`continuous_characteristics`.
    """
    binary = {"female": "Female", "white": "White ethnic group",
              "imd_q1": "Most deprived fifth of areas", "community_team": "Community team",
              "honos_recorded": "HoNOS recorded", "life_rooms": "Any Life Rooms contact before",
              "crisis": "Crisis within 12 months",
              "died_first": "Died within 12 months with no crisis first"}
    rows: list[dict[str, object]] = [
        {"characteristic": "People", "development": len(dev), "validation": len(val)}]
    for col, label in binary.items():
        rows.append({"characteristic": label, "development": int(dev[col].sum()),
                     "validation": int(val[col].sum())})
    return pd.DataFrame(rows)


def continuous_characteristics(dev: pd.DataFrame, val: pd.DataFrame) -> pd.DataFrame:
    """Medians and quartiles of the continuous predictors by cohort (TRIPOD+AI 20b).

    Quartiles, not ranges: no extreme (single-person) value is shown.
    """
    def median(values: pd.Series) -> str:
        v = values.dropna()
        if v.empty:
            return "not recorded"
        q1, q2, q3 = np.quantile(v, [0.25, 0.5, 0.75])
        return f"{q2:.1f} ({q1:.1f} to {q3:.1f})"

    continuous = {"age": "Age, years", "years_in_care": "Time in care, years",
                  "honos": "HoNOS, where recorded",
                  "prior_ae": "A&E attendances in the year before"}
    return pd.DataFrame([{"characteristic": label,
                          "development: median (quartiles)": median(dev[col]),
                          "validation: median (quartiles)": median(val[col])}
                         for col, label in continuous.items()])


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


def model_comparison(dev_copies: list[pd.DataFrame], val_copies: list[pd.DataFrame],
                     spec: ModelSpec, *, shrunk: FrozenModel, shrunk_boot: BootstrapValidation,
                     n_boot: int, seed: int, folds: int = COMPARISON_FOLDS
                     ) -> tuple[pd.DataFrame, RidgeModel, RidgeModel]:
    """The shrunk logistic model beside cross-validated ridge and lasso models.

    Every model is optimism-corrected by the bootstrap and validated on the next edition.

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
        est, lo, hi = table.loc[m, ["estimate", "ci_lower", "ci_upper"]]
        return f"{est:.3f}" if np.isnan(lo) else f"{est:.3f} ({lo:.3f} to {hi:.3f})"

    rows = [{"measure": label,
             "shrunk logistic, optimism-corrected": f"{boots['shrunk'].loc[m, 'corrected']:.3f}",
             "ridge, optimism-corrected": f"{boots['ridge'].loc[m, 'corrected']:.3f}",
             "lasso, optimism-corrected": f"{boots['lasso'].loc[m, 'corrected']:.3f}",
             "shrunk logistic, next edition (95% CI)": shown(later["shrunk"], m),
             "ridge, next edition (95% CI)": shown(later["ridge"], m),
             "lasso, next edition (95% CI)": shown(later["lasso"], m)}
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
    ``observed_cif`` the next edition's observed 12-month incidence (Aalen-Johansen).
    """

    table: pd.DataFrame
    model: FrozenCumulativeIncidence
    summary: pd.DataFrame
    warnings: tuple[str, ...] = ()
    risk_groups: pd.DataFrame | None = None
    observed_cif: float = float("nan")


def time_to_event(dev_copies: list[pd.DataFrame], val_copies: list[pd.DataFrame],
                  spec: ModelSpec, *, logistic: Performance,
                  logistic_risks: list[np.ndarray], seed: int, horizon: int = 365
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
            ("Fine-Gray, 12-month cumulative incidence (95% CI)", result.summary, fg_risks),
            ("logistic (shrunk), 12-month risk (95% CI)", logistic.summary,
             logistic_risks)):
        table = _with_brier_interval(summary, outcome, risks, seed=seed + 2)
        table.loc["mean_risk", ["estimate", "ci_lower", "ci_upper"]] = mean_interval(
            np.mean(risks, axis=0), seed=seed + 4)
        table.loc["observed_cif", ["estimate", "ci_lower", "ci_upper"]] = observed[
            ["estimate", "ci_lower", "ci_upper"]].to_numpy(dtype=float)
        tables[name] = table

    def shown(table: pd.DataFrame, m: str) -> str:
        est, lo, hi = table.loc[m, ["estimate", "ci_lower", "ci_upper"]]
        return f"{est:.3f}" if np.isnan(lo) else f"{est:.3f} ({lo:.3f} to {hi:.3f})"

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
                        observed_cif=float(observed["estimate"]))


RISK_GROUP_COLUMN = "predicted 12-month risk of crisis (95% CI)"
FIFTHS = ("Everyone", "First fifth (least predicted risk)", "Second fifth", "Third fifth",
          "Fourth fifth", "Last fifth (most predicted risk)")
"""Row labels of :func:`risk_group_table` (words, not digits: row labels are prose)."""
"""The risk-group table's column of predicted incidences (:func:`risk_group_table`)."""


def risk_group_table(groups: pd.DataFrame, *, min_people: int) -> pd.DataFrame:
    """The risk groups as shown: group, people (raw: protected when shown) and the
    predicted 12-month incidence with its interval (3 decimal places, as the
    time-to-event table), or "suppressed: too few" for a group of fewer than
    ``min_people`` people."""
    if sorted(groups["group"]) != list(range(len(FIFTHS))):
        raise ValueError("the risk groups must be everyone (0) and fifths 1 to 5")
    return pd.DataFrame({
        "predicted risk group": [FIFTHS[int(g)] for g in groups["group"]],
        "people": groups["people"].to_numpy(),
        RISK_GROUP_COLUMN: [
            "suppressed: too few" if r.people < min_people else
            format_interval(r.estimate, r.ci_lower, r.ci_upper, kind="estimate", digits=3)
            for r in groups.itertuples()]})
