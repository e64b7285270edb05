"""The crisis-risk prediction report: developed on one edition, validated on the next."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifetools.cohort.crisis import CrisisCohort, build_crisis_cohort
from lifetools.dataset import Dataset
from lifetools.design_sizes import (
    CRISIS_HORIZON_DAYS,
    CRISIS_R2_FRACTION,
    CRISIS_TARGET_SHRINKAGE,
)
from lifetools.disclosure import (
    ProtectedTable,
    get_profile,
    model_outputs,
    model_release,
)
from lifetools.disclosure.downloads import SUPPRESSED
from lifetools.formatting import format_value
from lifetools.prediction import (
    calibration_curve,
    drift_check,
    minimum_sample_size,
)
from lifetools.prediction.imputation import (
    fit_imputed_model,
    pool_performance,
)
from lifetools.prediction.intervals import (
    INNER_BOOT,
    brier_interval,
    net_benefit_interval,
    two_stage_interval,
)
from lifetools.prediction.performance import confusion_counts
from lifetools.prediction.sample_size import CRITERIA, SampleSize
from lifetools.reports.crisis_fairness import (
    fairness_rows,
    group_calibration_curves,
    group_curves_table,
    shown_rows,
)
from lifetools.reports.crisis_fairness import fairness_table as fairness_table_of
from lifetools.reports.crisis_internal import (
    fit_reliability,
    internal_calibration_grid,
    internal_calibration_table,
    internal_validation,
    internal_validation_table,
    kept_sides,
    nested_fits,
    other_fits,
)
from lifetools.reports.crisis_models import (
    FINE_GRAY_COLUMN,
    LOGISTIC_COLUMN,
    RISK_GROUP_COLUMN,
    model_comparison,
    risk_group_table,
    time_to_event,
)
from lifetools.reports.crisis_parts import (
    COMPARISON_FOLDS,
    FLOW_COUNTS,
    FMI_COLUMN,
    IMPUTATIONS,
    CrisisRun,
    characteristics,
    continuous_characteristics,
    crisis_spec,
    estimate_text,
    flow_published,
    flow_table,
    imputed_cohort,
    imputed_predictors,
    missing_table,
    period_name,
    planning_share,
    shown_estimate,
    with_missing_predictors,
)
from lifetools.reports.crisis_results import (
    key_results,
    model_results,
    model_table,
)
from lifetools.reports.model_card import model_card_results
from lifetools.reports.sentences import C_JUDGE
from lifetools.reports.tripod import tripod_checklist, tripod_meta

__all__ = ["C_JUDGE", "MEASURES", "RELEASE_LEVEL_COLUMNS", "CrisisRiskReport", "analyse_crisis_risk", "temporal_table",
           "model_results", "sample_size", "temporal_calibration_grid"]

MEASURES = {"c": "C-statistic", "slope": "Calibration slope",
            "citl": "Calibration-in-the-large (log-odds)",
            "recalibration_intercept": "Recalibration intercept (log-odds)",
            "oe_ratio": "Observed / expected events", "brier": "Brier score"}


@dataclass(frozen=True)
class CrisisRiskReport:
    """Everything the crisis-risk report shows; counts raw (protected when shown),
    but the participant flow's, protected where it is made."""

    flow: ProtectedTable
    sample_size: pd.DataFrame
    coefficients: Any  # a DataFrame; a ProtectedTable of [x] when the model is withheld
    knots: ProtectedTable  # the model's knots, tied to its release
    release_levels: Any
    internal: ProtectedTable  # performance tables, tied to the model's release
    internal_calibration: ProtectedTable  # optimism-corrected curve, tied to the release
    temporal: ProtectedTable
    calibration: ProtectedTable  # the model's outputs, tied to its release
    decision: ProtectedTable
    fairness: ProtectedTable
    fairness_calibration: ProtectedTable  # curves by group, tied to the release
    missing: ProtectedTable
    comparison: ProtectedTable  # the three models, tied to the model's release
    time_to_event: ProtectedTable
    checklist: pd.DataFrame
    characteristics: pd.DataFrame
    fine_gray: ProtectedTable  # subdistribution hazard ratios as released
    fine_gray_groups: ProtectedTable  # predicted incidence by risk group
    continuous: ProtectedTable
    drift: Any
    model_json: str
    key_results: tuple[dict[str, Any], ...]
    cohorts: tuple[CrisisCohort, CrisisCohort] = field(repr=False, default=None)
    before_release: dict[str, pd.DataFrame] = field(repr=False, default_factory=dict)
    """The model-output tables (``calibration``, ``decision``, ``fairness``,
    ``fairness_calibration``,
    ``time_to_event``, ``fine_gray_groups``, ``internal``, ``internal_calibration``,
    ``temporal``, ``comparison``, ``knots``) before their models' release check, counts
    raw: for checking the numbers, never shown (a withheld model's are blank in the
    published tables)."""


RELEASE_LEVEL_COLUMNS = ("female", "white", "imd_q1", "community_team", "honos_recorded",
                         "life_rooms")
"""The binary predictors in whose every level the model's release check counts the
development cohort's crises (:func:`lifetools.disclosure.model_release`), for the
logistic model and its Fine-Gray version alike. Checked on the default synthetic data
in ``tests/truth/test_default_data_crisis_release.py``."""


EPP_NEEDED = "Events per parameter needed"
"""The sample-size table's header of each criterion's events per parameter
(:data:`lifetools.labels.COLUMN_LABELS`)."""


def sample_size(*, parameters: int, prevalence: float, r2_fraction: float) -> SampleSize:
    """Riley et al.'s minimum development sample size for the crisis model at a share
    with a crisis (:func:`lifetools.reports.crisis_parts.planning_prevalence`), for
    an anticipated Cox-Snell R-squared of ``r2_fraction`` of its maximum at that share
    and the target shrinkage :data:`~lifetools.design_sizes.CRISIS_TARGET_SHRINKAGE`;
    ``method`` records the fraction, which the page states."""
    max_r2 = 1 - np.exp(2 * (prevalence * np.log(prevalence)
                             + (1 - prevalence) * np.log(1 - prevalence)))
    size = minimum_sample_size(parameters=parameters, prevalence=prevalence,
                               r2_cs=r2_fraction * max_r2,
                               shrinkage=CRISIS_TARGET_SHRINKAGE)
    return dataclasses.replace(size, method={**size.method, "r2_fraction": r2_fraction,
                                             "prevalence": prevalence})


def temporal_calibration_grid(risk: np.ndarray) -> np.ndarray:
    """The grid of the published temporal calibration curve: whole percentages of
    risk from the 5th to the 95th percentile of the validation cohort's predicted
    risks, at most :data:`~lifetools.reports.crisis_internal.GRID_POINTS` of them, by
    the rule of the internal curve
    (:func:`~lifetools.reports.crisis_internal.internal_calibration_grid`). The grid
    was ``np.quantile(risk, 5% to 95%)`` until wave 43: each point was a person's
    predicted risk (or between two), published to 3 places (issue 19). Tested in
    ``tests/unit/test_prediction_report.py``."""
    return internal_calibration_grid(risk)


def temporal_table(summary: pd.DataFrame, brier: Any,
                   stated: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """The temporal-validation table: each measure of ``summary`` (pooled over the
    imputed copies: ``measure``, ``estimate``, ``ci_lower``, ``ci_upper``) with its
    interval, the Brier score's from ``brier`` (its bootstrap interval). A limit keeps
    its side of its measure's no-difference value, a C-statistic's 1 and the limits the
    drift verdict reads a calibration measure against (``stated``), as the verdict
    writes it (:func:`lifetools.reports.crisis_internal.kept_sides`): a C-statistic
    limit of 0.9996 read "1.000" until wave 43. Tested in
    ``tests/unit/test_prediction_report.py``."""
    return pd.DataFrame({
        "measure": [MEASURES[m] for m in summary["measure"]],
        "estimate (95% CI)": [
            shown_estimate(brier.estimate, brier.ci_lower, brier.ci_upper)
            if r.measure == "brier"
            else shown_estimate(r.estimate, r.ci_lower, r.ci_upper,
                                **kept_sides(r.measure, stated))
            for r in summary.itertuples()]})


MIN_IMPUTATIONS = 2
"""Fewest imputed copies the crisis report makes: Rubin's rules need two for a
between-copy variance (``analyses.yml`` declares the same minimum)."""


def _whole_levels(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``data`` with each float column of ``columns`` whose values are 0 and 1 held as
    whole numbers (missing values kept; any other column as it is: a whole-valued
    count stays numeric, a linear term for the release check), so that the release check's
    levels read "0" and "1" as every other binary predictor's do. The imputed
    predictors (female, white, most deprived fifth) are floats: the model-counts table
    showed "0.0" and "1.0" beside "0" and "1" (waves 43-44)."""
    whole = {c: pd.Series([v if pd.isna(v) else int(v) for v in data[c]],
                          index=data.index, dtype=object)
             for c in columns if pd.api.types.is_float_dtype(data[c])
             and set(data[c].dropna().unique()) <= {0.0, 1.0}}
    return data.assign(**whole) if whole else data


def analyse_crisis_risk(dataset: Dataset, *, period_start: str, period_end: str,
                        n_boot: int = 200, seed: int = 19,
                        slope_band: tuple[float, float] = (0.8, 1.2),
                        citl_band: tuple[float, float] = (-0.2, 0.2),
                        thresholds: tuple[float, ...] = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35,
                                                         0.4, 0.45, 0.5),
                        r2_fraction: float = CRISIS_R2_FRACTION,
                        imputations: int = IMPUTATIONS,
                        internal: str = "boot-mi") -> CrisisRiskReport:
    """Develop the crisis-risk model on the previous year, validate it on this one.

    Parameters
    ----------
    dataset
        The analysis tables.
    period_start, period_end : str
        This edition's period. The model is developed on people open on
        ``period_start`` minus one year (the previous edition's start) with their crises
        in that year, and validated on people open on ``period_start``.
    n_boot, seed
        Bootstrap samples and seed of the internal validation.
    slope_band, citl_band
        The stated limits of the drift alarm.
    thresholds
        Risk thresholds of the decision curve.
    r2_fraction
        Anticipated Cox-Snell R-squared for the sample size, as a fraction of its
        maximum at the observed prevalence (Riley et al. 2020 suggest 0.15 when nothing
        better is known).
    imputations
        Imputed copies of each cohort when a predictor is missing, from
        ``MIN_IMPUTATIONS`` (2) to the default (10; ``analyses.yml`` declares the same
        range); another number raises ``ValueError``.
    internal : {"boot-mi", "mi-boot"}
        Internal validation with imputed predictors: imputation repeated inside each
        bootstrap sample (boot-MI, default: every step of the development repeated, as
        Harrell's bootstrap and PROBAST ask) or bootstrap within each imputed copy
        (MI-boot: faster, and may understate the optimism;
        :func:`lifetools.reports.crisis_internal.internal_validation`). The notebook's
        parameter ``internal`` (``analyses/analyses.yml``), with the same default.

    Notes
    -----
    Cohort: :func:`lifetools.cohort.crisis.build_crisis_cohort` (death competing,
    counted as no crisis). Missing HoNOS: multiple imputation by chained equations in
    each cohort (:mod:`lifetools.reports.crisis_parts`), the model fitted to each copy
    and pooled by Rubin's rules (:func:`lifetools.prediction.imputation.fit_imputed_model`)
    with the van Houwelingen heuristic shrinkage; internal validation by Harrell's
    bootstrap with the imputation repeated inside each bootstrap sample (boot-MI), or
    within each imputed copy, averaged (MI-boot, ``internal``), with the two-stage
    bootstrap interval of every optimism-corrected index (``n_boot`` outer samples of
    :data:`lifetools.prediction.intervals.INNER_BOOT` inner, within the imputed copies,
    seed ``seed + 5``), and the calibration curve corrected for optimism by the same
    bootstrap (``rms::calibrate``'s correction, at whole-percent risks:
    :func:`lifetools.reports.crisis_internal.internal_calibration_grid`); temporal
    validation of the
    frozen model with performance pooled over the validation cohort's imputed copies
    (the calibration curve, decision curve and fairness use each person's mean risk over
    the copies); drift check and performance by sex, ethnic group
    and IMD quintile (groups with fewer than the profile's ``model_min_events`` people
    with or without a crisis suppressed). Beside the model: a cross-validated ridge
    model and a cross-validated lasso model validated the same way (each penalty
    re-chosen in every bootstrap sample), and a Fine-Gray 12-month cumulative
    incidence with death competing (:mod:`lifetools.reports.crisis_models`); participant
    characteristics of both cohorts; the TRIPOD+AI checklist generated from the
    computed metadata (:mod:`lifetools.reports.tripod`). Tested in
    ``tests/unit/test_prediction_report.py``.
    """
    if not MIN_IMPUTATIONS <= imputations <= IMPUTATIONS:
        # the gate lets a sentence state at most the default number of imputed copies,
        # and Rubin's rules need two for a between-copy variance
        raise ValueError(f"imputations must be from {MIN_IMPUTATIONS} to {IMPUTATIONS} "
                         f"(got {imputations})")
    start = pd.Timestamp(period_start)
    if pd.Timestamp(period_end) < start + pd.Timedelta(days=CRISIS_HORIZON_DAYS - 1):
        raise ValueError(f"the period must cover the {CRISIS_HORIZON_DAYS}-day prediction "
                         "horizon")
    periods = (period_name(start - pd.DateOffset(years=1), start - pd.Timedelta(days=1)),
               period_name(start, period_end))
    development = build_crisis_cohort(
        dataset, index_date=(start - pd.DateOffset(years=1)).date().isoformat())
    validation = build_crisis_cohort(dataset, index_date=start.date().isoformat())
    dev, val = with_missing_predictors(development.data), with_missing_predictors(validation.data)
    spec = crisis_spec(dev)
    dev_copies = imputed_cohort(dev, spec, m=imputations, seed=seed)
    val_copies = imputed_cohort(val, spec, m=imputations, seed=seed + 1)
    fit = fit_imputed_model(dev_copies, spec, shrinkage="heuristic")
    frozen = fit.frozen
    parameters = len(frozen.terms)
    flow = flow_table(development, validation)  # protected counts, as shown
    # the share with a crisis as published (the flow's cells), never the exact one:
    # the table gave it to about four significant figures (wave 41)
    planning = planning_share(
        flow_published(flow, development, development.crisis_row, FLOW_COUNTS[0]),
        flow_published(flow, development, development.people_row, FLOW_COUNTS[0]))
    size = None if planning.value is None else sample_size(
        parameters=parameters, prevalence=planning.value, r2_fraction=r2_fraction)
    if size is None:  # its numbers would give the hidden count of crises back
        sample = pd.DataFrame({"criterion": list(CRITERIA), "people needed": SUPPRESSED,
                               "shrinkage": SUPPRESSED, EPP_NEEDED: SUPPRESSED})
    else:
        sample = size.summary.assign(
            shrinkage=size.summary["shrinkage"].map(
                lambda s: estimate_text(s, missing="not defined")),
            epp=size.summary["epp"].map(
                lambda e: format_value(e, kind="estimate", digits=1)))[
            ["criterion", "n", "shrinkage", "epp"]]
        # each criterion's events per parameter are the events its people needed would
        # have, not the cohort's: the header said "how many people with the outcome
        # there were" over 20.0, 6.6 and 4.6 (issue 15, wave 34)
        sample = sample.rename(columns={"n": "people needed", "epp": EPP_NEEDED})
    half = (fit.summary["ci_upper"] - fit.summary["ci_lower"]).to_numpy() / 2
    half = half * np.r_[1.0, [frozen.shrinkage] * parameters]
    coefs = fit.summary.assign(ci_lower=fit.summary["estimate"] - half,
                               ci_upper=fit.summary["estimate"] + half)
    level_cols = list(RELEASE_LEVEL_COLUMNS)
    release = model_release(fit, data=_whole_levels(dev, level_cols), event_col="crisis",
                            level_cols=level_cols,
                            summary=coefs, converged=not fit.warnings)
    shown = release.estimates(coefs).frame  # released estimates only (a sealed type)
    coefficients = pd.DataFrame({
        "term": shown["term"],
        "log-odds (95% CI), after shrinkage": [
            # a log-odds limit keeps its side of 0 (no association), as every
            # ratio's keeps its side of 1
            shown_estimate(e, lo, hi, null=0.0)
            for e, lo, hi in zip(shown["estimate"], shown["ci_lower"], shown["ci_upper"],
                                 strict=True)]})
    if not release.released:  # [x] and the table's note, never "not shown" row by row
        coefficients = model_table(coefficients, release, keep=("term",))
    knots = pd.DataFrame({"variable": list(frozen.knots),
                          "knots": [", ".join(format_value(k, kind="estimate", digits=2)
                                              for k in v)
                                    for v in frozen.knots.values()]})
    dev_risk = np.mean([frozen.predict_risk(c) for c in dev_copies], axis=0)
    validated = internal_validation(
        dev, dev_copies, spec, method=internal, n_boot=n_boot, seed=seed,
        imputations=imputations, grid=internal_calibration_grid(dev_risk))
    boot, mi_boot, internal_method = validated.boot, validated.mi_boot, validated.method
    internal_curve = internal_calibration_table(boot)
    two_stage = two_stage_interval(dev_copies, spec, n_outer=n_boot, n_inner=INNER_BOOT,
                                   seed=seed + 5, shrinkage="heuristic")
    # the limits the drift check states, which every table's limits keep their side of
    stated = {"slope": slope_band, "citl": citl_band}
    internal_table = internal_validation_table(boot, MEASURES, two_stage, stated=stated)
    comparison, ridge, lasso = model_comparison(
        dev_copies, val_copies, spec, shrunk=frozen, shrunk_boot=mi_boot, n_boot=n_boot,
        seed=seed, periods=periods, folds=COMPARISON_FOLDS,
        stated=stated)
    reliability = fit_reliability(
        boot, development_converged=bool(frozen.converged and not fit.warnings),
        others=other_fits(two_stage, ridge, lasso), nested=nested_fits(two_stage))
    risks = [frozen.predict_risk(c) for c in val_copies]
    result = pool_performance([c["crisis"].to_numpy() for c in val_copies], risks)
    brier = brier_interval(val["crisis"].to_numpy(dtype=float), risks, seed=seed + 2)
    temporal = temporal_table(result.summary, brier, stated)
    risk = np.mean(risks, axis=0)
    fg = time_to_event(dev_copies, val_copies, spec, logistic=result, logistic_risks=risks,
                       seed=seed, stated=stated)
    fg_release = model_release(fg, data=dev, event_col="crisis", level_cols=level_cols)
    fine_gray = fg_release.estimates(fg.summary[["term", "estimate", "ci_lower",
                                                 "ci_upper"]], said_once=True)
    curve = calibration_curve(val["crisis"], risk, grid=temporal_calibration_grid(risk))
    decision = net_benefit_interval(val["crisis"].to_numpy(dtype=float), risk, thresholds,
                                    seed=seed + 3)
    drift = drift_check(result, slope_band=slope_band, citl_band=citl_band)
    min_count = get_profile().model_min_events
    fairness = fairness_rows(val["crisis"], risk, val, min_count=min_count)
    fair, fairness_table = fairness_table_of(fairness, release)
    # the summary's words on calibration within groups, and the curves by group, read
    # only the groups whose estimates the table shows (a group it hides is never
    # described or drawn)
    fairness_shown = shown_rows(fairness, fairness_table)
    group_curves = group_calibration_curves(
        val["crisis"], risk, val, shown_rows(fairness, fairness_table, released_only=False))
    t = result.summary.set_index("measure")
    terms = fit.summary.set_index("term")
    # each imputed predictor's fraction of missing information (its pooled term's)
    fmi = {c: float(terms.loc[c, "fmi"]) for c in imputed_predictors(dev, spec)
           if c in terms.index}
    run = CrisisRun(
        development=development, validation=validation, dev=dev, val=val, spec=spec,
        fit=fit, size=size, dev_copies=dev_copies, boot=boot, internal=internal,
        internal_method=internal_method, internal_brief=validated.brief,
        internal_calibration_method=validated.calibration_method, reliability=reliability, ridge=ridge,
        lasso=lasso, release=release, fg=fg, fg_release=fg_release, performance=t,
        drift=drift, slope_band=slope_band, citl_band=citl_band, thresholds=thresholds,
        min_count=min_count, development_period=periods[0], validation_period=periods[1],
        r2_fraction=r2_fraction, size_why=planning.why,
        fairness=fairness_shown)
    raw = {"calibration": curve, "decision": decision, "fairness": fair,
           "fairness_calibration": group_curves,
           "time_to_event": fg.table,
           "fine_gray_groups": risk_group_table(fg.risk_groups, min_people=min_count),
           "internal": internal_table, "internal_calibration": internal_curve,
           "temporal": temporal, "comparison": comparison,
           "knots": knots,
           "missing": missing_table(dev, val, spec=spec, m=len(dev_copies), fmi=fmi)}
    return CrisisRiskReport(flow=flow, sample_size=sample, coefficients=coefficients,
                            knots=model_table(knots, release, keep=("variable",)),
                            release_levels=release.levels,
                            internal=model_table(internal_table, release),
                            internal_calibration=model_outputs(
                                internal_curve, dict.fromkeys(internal_curve.columns,
                                                              release), said_once=True),
                            temporal=model_table(temporal, release), calibration=model_outputs(
                                curve, dict.fromkeys(curve.columns, release),
                                said_once=True),
                            decision=model_outputs(
                                decision, dict.fromkeys(("model", "model_lower", "model_upper"),
                                                        release), not_counts=["treat_none"],
                                inputs=["threshold"],
                                # treat-all from the validation cohort's published
                                # counts (the flow table's), not its exact prevalence
                                treat_all=(
                                    flow_published(flow, validation,
                                                   validation.crisis_row),
                                    flow_published(flow, validation,
                                                   validation.people_row)),
                                # the model's net benefit from its protected true
                                # positives and people treated, not the raw ones
                                model_counts=confusion_counts(
                                    val["crisis"].to_numpy(dtype=float), risk,
                                    thresholds),
                                said_once=True),
                            fairness=fairness_table,
                            fairness_calibration=group_curves_table(group_curves, release),
                            drift=drift,
                            before_release=raw,
                            # the fraction of missing information is the pooled
                            # model's (its HoNOS term): withheld with the model
                            missing=model_outputs(
                                raw["missing"], {FMI_COLUMN: release},
                                count_cols=["missing, development", "missing, validation"],
                                said_once=True),
                            comparison=model_table(comparison, release),
                            time_to_event=model_outputs(
                                fg.table, {FINE_GRAY_COLUMN: fg_release,
                                           LOGISTIC_COLUMN: release}, said_once=True),
                            checklist=tripod_checklist(tripod_meta(run)),
                            characteristics=characteristics(dev, val), fine_gray=fine_gray,
                            fine_gray_groups=model_outputs(
                                raw["fine_gray_groups"], {RISK_GROUP_COLUMN: fg_release},
                                count_cols=["people"], said_once=True),
                            continuous=continuous_characteristics(dev, val), model_json=frozen.to_json(),
                            key_results=key_results(run) + model_card_results(run),
                            cohorts=(development, validation))
