"""The crisis-risk prediction report: developed on one edition, validated on the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifetools.cohort.crisis import CrisisCohort, build_crisis_cohort
from lifetools.disclosure import (
    Estimate,
    Parameter,
    ProtectedTable,
    RuleNumber,
    compose,
    get_profile,
    model_outputs,
    model_release,
    protect_count,
    protected_count,
)
from lifetools.formatting import format_value
from lifetools.labels import TERMS, explain_terms, label, with_words
from lifetools.prediction import (
    calibration_curve,
    drift_check,
    minimum_sample_size,
    performance_by_group,
    rcs_centiles,
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
from lifetools.reports.crisis_internal import (
    fit_reliability,
    internal_validation,
    internal_validation_table,
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
    IMPUTATIONS,
    characteristics,
    continuous_characteristics,
    crisis_spec,
    estimate_text,
    imputed_cohort,
    missing_table,
    with_missing_honos,
)
from lifetools.reports.sentences import (
    C_STATISTIC,
    interval_text,
    not_shown_sentence,
    reason_text,
    result_sentence,
)
from lifetools.reports.tripod import tripod_checklist
from lifetools.result_names import CrisisName

__all__ = ["CrisisRiskReport", "analyse_crisis_risk", "model_results"]

FAIRNESS_GROUPS = {"sex": "Sex", "ethnic_group": "Ethnic group",
                   "imd_quintile": "IMD quintile (1 = most deprived)"}
MEASURES = {"c": "C-statistic", "slope": "Calibration slope",
            "citl": "Calibration-in-the-large (log-odds)",
            "recalibration_intercept": "Recalibration intercept (log-odds)",
            "oe_ratio": "Observed / expected events", "brier": "Brier score"}
C_JUDGE = {"null": 0.5, "on_null": "compatible with ranking people no better than chance",
           "above": "it ranks people better than chance",
           "below": "it ranks people worse than chance"}
"""The verdict's words for a C-statistic's interval (0.5 ranks no better than chance);
the landing page's main point in ``analyses/analyses.yml`` uses the same words."""


def _fmt(value: float, low: float = float("nan"), high: float = float("nan"),
         digits: int = 3) -> str:
    return estimate_text(value, low, high, digits=digits, missing="not shown")


def _places(value: float, figures: int = 6) -> int:
    """Decimal places that write ``value`` to ``figures`` significant figures with no
    trailing zero (as ``f"{value:g}"`` for the report's settings: 0.8, 27.5, 2.15443),
    for :func:`lifetools.formatting.format_value`."""
    if not value:
        return 0
    places = max(figures - 1 - int(np.floor(np.log10(abs(value)))), 0)
    target = round(value, places)
    while places and round(value, places - 1) == target:
        places -= 1
    return places


def _setting(value: float) -> str:
    """A setting or a chosen penalty written as ``f"{value:g}"`` wrote it."""
    return format_value(value, kind="estimate", digits=_places(value))


def _penalty_estimate(penalty: float) -> Estimate:
    """A penalty chosen by cross-validation, written to three significant figures.

    It is an estimate (chosen on the data), not a setting: its value depends on the
    cohort, so it is published as an :class:`~lifetools.disclosure.Estimate`.
    """
    value = float(penalty)
    digits = 2 - int(np.floor(np.log10(abs(value)))) if value else 2
    return Estimate(value, digits=max(digits, 1))


def model_results(release: Any, *results: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Key results built from a model's output, as that model's release allows.

    Released: each result as given (its ``subject`` key dropped). Withheld: each
    result keeps its name and label and states no number: ``value`` None, ``kind``
    ``text``; a sentence (a result with a ``subject``, the words its ``missing`` text
    uses) reads "<subject> is not shown: <why>.", any other result the reason alone,
    "too few events to estimate (<reasons>)" as the model's coefficients table says
    it (:attr:`~lifetools.disclosure.ModelRelease.headline` and ``reason``), which a
    landing page's main point reads as why it was not estimated
    (:func:`lifetools.pipeline.pages.why_not_estimated`). Tested in
    ``tests/unit/test_prediction_report.py``.
    """
    if release.released:
        return tuple({k: v for k, v in r.items() if k != "subject"} for r in results)
    why = f"{release.headline} ({release.reason})"
    return tuple({"name": r["name"], "label": r["label"], "value": None, "kind": "text",
                  "text": not_shown_sentence(r["subject"], explain_terms(why))
                  if "subject" in r else reason_text(why)} for r in results)


@dataclass(frozen=True)
class CrisisRiskReport:
    """Everything the crisis-risk report shows; counts raw (protected when shown)."""

    flow: pd.DataFrame
    sample_size: pd.DataFrame
    coefficients: pd.DataFrame
    knots: pd.DataFrame
    release_levels: Any
    internal: pd.DataFrame
    temporal: pd.DataFrame
    calibration: ProtectedTable  # the model's outputs, tied to its release
    decision: ProtectedTable
    fairness: ProtectedTable
    missing: pd.DataFrame
    comparison: pd.DataFrame
    time_to_event: ProtectedTable
    checklist: pd.DataFrame
    characteristics: pd.DataFrame
    fine_gray: ProtectedTable  # subdistribution hazard ratios as released
    fine_gray_groups: ProtectedTable  # predicted incidence by risk group
    continuous: pd.DataFrame
    drift: Any
    model_json: str
    key_results: tuple[dict[str, Any], ...]
    cohorts: tuple[CrisisCohort, CrisisCohort] = field(repr=False, default=None)
    before_release: dict[str, pd.DataFrame] = field(repr=False, default_factory=dict)
    """The model-output tables (``calibration``, ``decision``, ``fairness``,
    ``time_to_event``, ``fine_gray_groups``) before their models' release check, counts
    raw: for checking the numbers, never shown (a withheld model's are blank in the
    published tables)."""


def analyse_crisis_risk(dataset: Any, *, period_start: str, period_end: str,
                        n_boot: int = 200, seed: int = 19,
                        slope_band: tuple[float, float] = (0.8, 1.2),
                        citl_band: tuple[float, float] = (-0.2, 0.2),
                        thresholds: tuple[float, ...] = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35,
                                                         0.4, 0.45, 0.5),
                        r2_fraction: float = 0.15,
                        imputations: int = IMPUTATIONS,
                        internal: str = "mi-boot") -> CrisisRiskReport:
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
        Imputed copies of each cohort when HoNOS is missing.
    internal : {"mi-boot", "boot-mi"}
        Internal validation with imputed predictors: bootstrap within each imputed copy
        (MI-boot, default) or imputation repeated inside each bootstrap sample (boot-MI;
        :func:`lifetools.reports.crisis_internal.internal_validation`).

    Notes
    -----
    Cohort: :func:`lifetools.cohort.crisis.build_crisis_cohort` (death competing,
    counted as no crisis). Missing HoNOS: multiple imputation by chained equations in
    each cohort (:mod:`lifetools.reports.crisis_parts`), the model fitted to each copy
    and pooled by Rubin's rules (:func:`lifetools.prediction.imputation.fit_imputed_model`)
    with the van Houwelingen heuristic shrinkage; internal validation by Harrell's
    bootstrap within each imputed copy, averaged (MI-boot), or with the imputation
    repeated inside each bootstrap sample (boot-MI, ``internal``), with the two-stage
    bootstrap interval of every optimism-corrected index (``n_boot`` outer samples of
    :data:`lifetools.prediction.intervals.INNER_BOOT` inner, within the imputed copies,
    seed ``seed + 5``); temporal validation of the
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
    start = pd.Timestamp(period_start)
    if pd.Timestamp(period_end) < start + pd.Timedelta(days=364):
        raise ValueError("the period must cover the 12-month prediction horizon")
    development = build_crisis_cohort(
        dataset, index_date=(start - pd.DateOffset(years=1)).date().isoformat())
    validation = build_crisis_cohort(dataset, index_date=start.date().isoformat())
    dev, val = with_missing_honos(development.data), with_missing_honos(validation.data)
    spec = crisis_spec(dev)
    dev_copies = imputed_cohort(dev, spec, m=imputations, seed=seed)
    val_copies = imputed_cohort(val, spec, m=imputations, seed=seed + 1)
    fit = fit_imputed_model(dev_copies, spec, shrinkage="heuristic")
    frozen = fit.frozen
    parameters = len(frozen.terms)
    prevalence = float(dev["crisis"].mean())
    max_r2 = 1 - np.exp(2 * (prevalence * np.log(prevalence)
                             + (1 - prevalence) * np.log(1 - prevalence)))
    size = minimum_sample_size(parameters=parameters, prevalence=prevalence,
                               r2_cs=r2_fraction * max_r2)
    sample = size.summary.assign(
        shrinkage=size.summary["shrinkage"].map(lambda s: _fmt(s)),
        epp=size.summary["epp"].map(lambda e: format_value(e, kind="estimate", digits=1)))[["criterion", "n", "shrinkage",
                                                            "epp"]]
    sample = sample.rename(columns={"n": "people needed", "epp": "events per parameter"})
    half = (fit.summary["ci_upper"] - fit.summary["ci_lower"]).to_numpy() / 2
    half = half * np.r_[1.0, [frozen.shrinkage] * parameters]
    coefs = fit.summary.assign(ci_lower=fit.summary["estimate"] - half,
                               ci_upper=fit.summary["estimate"] + half)
    level_cols = ["female", "white", "imd_q1", "community_team", "honos_recorded",
                  "life_rooms"]
    release = model_release(fit, data=dev, event_col="crisis", level_cols=level_cols,
                            summary=coefs, converged=not fit.warnings)
    shown = release.estimates(coefs).frame  # released estimates only (a sealed type)
    coefficients = pd.DataFrame({
        "term": shown["term"],
        "log-odds (95% CI), after shrinkage": [
            _fmt(e, lo, hi) for e, lo, hi in zip(shown["estimate"], shown["ci_lower"],
                                                 shown["ci_upper"], strict=True)]})
    knots = pd.DataFrame({"variable": list(frozen.knots),
                          "knots": [", ".join(format_value(k, kind="estimate", digits=2)
                                              for k in v)
                                    for v in frozen.knots.values()]})
    boot, mi_boot, internal_method = internal_validation(
        dev, dev_copies, spec, method=internal, n_boot=n_boot, seed=seed,
        imputations=imputations)
    two_stage = two_stage_interval(dev_copies, spec, n_outer=n_boot, n_inner=INNER_BOOT,
                                   seed=seed + 5, shrinkage="heuristic")
    internal_table = internal_validation_table(boot, MEASURES, two_stage)
    comparison, ridge, lasso = model_comparison(
        dev_copies, val_copies, spec, shrunk=frozen, shrunk_boot=mi_boot, n_boot=n_boot,
        seed=seed, folds=COMPARISON_FOLDS)
    zeros = int(lasso.method["zero_coefficients"])
    reliability = fit_reliability(
        boot, development_converged=bool(frozen.converged and not fit.warnings),
        others=other_fits(two_stage, ridge, lasso))
    lasso_drawn = int(lasso.method["bootstrap_samples"] + lasso.method["bootstrap_failed"])
    risks = [frozen.predict_risk(c) for c in val_copies]
    result = pool_performance([c["crisis"].to_numpy() for c in val_copies], risks)
    brier = brier_interval(val["crisis"].to_numpy(dtype=float), risks, seed=seed + 2)
    temporal = pd.DataFrame({
        "measure": [MEASURES[m] for m in result.summary["measure"]],
        "estimate (95% CI)": [
            _fmt(brier.estimate, brier.ci_lower, brier.ci_upper) if r.measure == "brier"
            else _fmt(r.estimate, r.ci_lower, r.ci_upper)
            for r in result.summary.itertuples()]})
    risk = np.mean(risks, axis=0)
    fg = time_to_event(dev_copies, val_copies, spec, logistic=result, logistic_risks=risks,
                       seed=seed)
    fg_release = model_release(fg, data=dev, event_col="crisis", level_cols=level_cols)
    fine_gray = fg_release.estimates(fg.summary[["term", "estimate", "ci_lower",
                                                 "ci_upper"]])
    curve = calibration_curve(val["crisis"], risk,
                              grid=np.quantile(risk, np.linspace(0.05, 0.95, 10)))
    decision = net_benefit_interval(val["crisis"].to_numpy(dtype=float), risk, thresholds,
                                    seed=seed + 3)
    drift = drift_check(result, slope_band=slope_band, citl_band=citl_band)
    min_count = get_profile().model_min_events
    fg_everyone = fg.risk_groups.iloc[0]
    fairness = pd.concat([
        performance_by_group(val["crisis"], risk, val[col], min_count=min_count).assign(
            characteristic=label) for col, label in FAIRNESS_GROUPS.items()],
        ignore_index=True)
    fair = pd.DataFrame({
        "characteristic": fairness["characteristic"], "group": fairness["group"],
        "people": fairness["n"], "crises": fairness["events"],
        "C-statistic (95% CI)": [
            "suppressed: too few" if r.suppressed else _fmt(r.c, r.c_lower, r.c_upper)
            for r in fairness.itertuples()],
        "calibration-in-the-large (95% CI)": [
            "suppressed: too few" if r.suppressed
            else _fmt(r.citl, r.citl_lower, r.citl_upper) for r in fairness.itertuples()]})
    flow = development.flow.rename(columns={"n": "development"}).assign(
        validation=validation.flow["n"])
    t = result.summary.set_index("measure")
    terms = fit.summary.set_index("term")
    honos_fmi = float(terms.loc["honos", "fmi"]) if "honos" in terms.index else 0.0
    key = (
        {"name": CrisisName.DEVELOPMENT_PEOPLE, "value": len(dev), "kind": "count",
         "label": "People in the development cohort"},
        {"name": CrisisName.DEVELOPMENT_CRISES, "value": int(dev["crisis"].sum()),
         "kind": "count",
         "label": "Crises in the development cohort"},
        {"name": CrisisName.VALIDATION_PEOPLE, "value": len(val), "kind": "count",
         "label": "People in the validation cohort"},
        {"name": CrisisName.REQUIRED_PEOPLE, "value": size.n, "kind": "count",
         "label": "Minimum development sample size (Riley et al.)"},
        {"name": CrisisName.SAMPLE_SIZE_SENTENCE, "value": bool(len(dev) >= size.n),
         "kind": "text",
         "label": "Summary: development cohort against the minimum sample size",
         "text": compose(
             "The development cohort had {people} people; the largest of Riley's "
             "criteria needed {needed}. " + (
                 "It was large enough." if len(dev) >= size.n else
                 "It was smaller than needed: expect more overfitting than the criteria "
                 "allow, and read the optimism-corrected measures below."),
             people=protected_count(len(dev)), needed=protected_count(size.n))},
        {"name": CrisisName.MIN_EVENTS, "value": None, "kind": "text",
         "text": compose("{n}", n=RuleNumber("model_min_events")),
         "label": "Fewest events (or non-events) for a group or a predictor level shown"},
        {"name": CrisisName.PARAMETERS, "value": parameters, "kind": "text", "text": compose(
            "{n}", n=Parameter(parameters, "candidate predictor parameters")),
         "label": "Candidate predictor parameters"},
        {"name": CrisisName.IMPUTATIONS, "value": len(dev_copies), "kind": "text",
         "text": compose("{n}", n=Parameter(len(dev_copies), "imputed copies")),
         "label": "Imputed copies of each cohort"},
        {"name": CrisisName.RIDGE_PENALTY, "value": ridge.penalty, "kind": "text",
         "text": compose("{p}", p=Parameter(float(ridge.penalty), "ridge penalty")),
         "label": "Ridge penalty chosen by cross-validation"},
        {"name": CrisisName.LASSO_PENALTY, "value": lasso.penalty, "kind": "text",
         "text": compose("{p}", p=_penalty_estimate(lasso.penalty)),
         "label": "Lasso penalty chosen by cross-validation"},
        {"name": CrisisName.LASSO_SENTENCE, "value": zeros, "kind": "text",
         "label": "The lasso comparison and why it is not the published model",
         "text": compose(
             "The lasso model (penalising the absolute size of the coefficients), its "
             "penalty ({penalty} on glmnet's scale) "
             "chosen by {folds}-fold cross-validation on the first imputed copy, kept "
             "{kept} coefficients and removed {zeros}. It is validated as the ridge "
             "model is: its optimism-corrected performance repeats the cross-validated "
             "choice of penalty, and so the selection of predictors, in each of {boot} "
             "bootstrap samples, and the frozen model is applied to this year's cohort. "
             "The published model "
             "stays the shrunk logistic model: its predictors were prespecified, not "
             "selected on the data; the lasso's selection can change between imputed "
             "copies; and penalised coefficients have no confidence intervals "
             "to publish.", penalty=_penalty_estimate(lasso.penalty),
             boot=Parameter(lasso_drawn, "bootstrap samples"),
             folds=Parameter(COMPARISON_FOLDS, "cross-validation folds"),
             zeros=Parameter(zeros, "coefficients set to zero"),
             kept=Parameter(parameters - zeros, "coefficients kept"))},
        {"name": CrisisName.INTERNAL_METHOD, "value": internal, "kind": "text",
         "text": internal_method, "label": "Internal validation method"},
        {"name": CrisisName.FIT_RELIABILITY, "value": reliability.flagged, "kind": "text",
         "text": reliability.text,
         "label": "Resampled fits that did not converge or separated, and the verdict"},
        *model_results(
        release,
        {"name": CrisisName.SHRINKAGE, "value": frozen.shrinkage, "kind": "estimate",
         "label": "Uniform shrinkage factor"},
        {"name": CrisisName.C_CORRECTED, "value": boot.corrected("c"), "kind": "estimate",
         "label": f"Optimism-corrected {with_words('C-statistic')} (development)"},
        {"name": CrisisName.C_VALIDATION, "value": float(t.loc["c", "estimate"]),
         "kind": "estimate",
         "label": f"{with_words('C-statistic')} in the next edition"},
        {"name": CrisisName.C_VALIDATION_CI, "value": [float(t.loc["c", "ci_lower"]),
                                              float(t.loc["c", "ci_upper"])],
         "kind": "text", "text": interval_text(t.loc["c", "ci_lower"], t.loc["c", "ci_upper"],
                                              null=0.5),
         "label": "95% CI of the C-statistic in the next edition"},
        {"name": CrisisName.SLOPE_VALIDATION, "value": drift.slope, "kind": "estimate",
         "label": "Calibration slope in the next edition"},
        {"name": CrisisName.CITL_VALIDATION, "value": drift.citl, "kind": "estimate",
         "label": f"Calibration-in-the-large ({TERMS['calibration-in-the-large']}) "
                  "in the next edition"},
        {"name": CrisisName.DRIFT_VERDICT, "value": drift.drifted, "kind": "text",
         "text": reason_text(drift.verdict), "label": "Drift check"},
        {"name": CrisisName.C_CORRECTED_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: optimism-corrected C-statistic", "text": result_sentence(
             boot.corrected("c"), kind="estimate", missing=C_STATISTIC["corrected"][1],
             found=C_STATISTIC["corrected"][0]), "subject": C_STATISTIC["corrected"][1]},
        {"name": CrisisName.C_VALIDATION_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: C-statistic in the next edition", "text": result_sentence(
             float(t.loc["c", "estimate"]), kind="estimate",
             interval=(float(t.loc["c", "ci_lower"]), float(t.loc["c", "ci_upper"])),
             judge=C_JUDGE,
             missing=C_STATISTIC["validation"][1], found=C_STATISTIC["validation"][0]),
         "subject": C_STATISTIC["validation"][1]},
        {"name": CrisisName.SHRINKAGE_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: uniform shrinkage", "text": result_sentence(
             frozen.shrinkage, kind="estimate", missing="The uniform shrinkage factor",
             found="Every coefficient was shrunk by the uniform factor {value} (van "
             "Houwelingen's heuristic) and the intercept re-estimated."),
         "subject": "The uniform shrinkage factor"}),
        *model_results(
        fg_release,
        {"name": CrisisName.FINE_GRAY_INCIDENCE_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: the Fine-Gray model's predicted 12-month cumulative incidence "
                  "in this year's cohort",
         "text": result_sentence(
             float(fg_everyone["estimate"]), kind="estimate", digits=3,
             interval=(float(fg_everyone["ci_lower"]), float(fg_everyone["ci_upper"])),
             judge={"null": fg.observed_cif,
                    "above": "above the observed cumulative incidence: the model "
                             "over-predicts",
                    "below": "below the observed cumulative incidence: the model "
                             "under-predicts"},
             missing="The Fine-Gray model's predicted cumulative incidence of crisis "
                     "within a year",
             found="Over this year's cohort, the Fine-Gray model predicts a cumulative "
                   "incidence of crisis within a year of {value} on average ({level} "
                   "confidence interval {interval}, carrying the uncertainty of the "
                   "model's coefficients and baseline); against the observed "
                   "cumulative incidence in the table above, the prediction is "
                   "{verdict}."),
         "subject": "The Fine-Gray model's predicted cumulative incidence of crisis "
                    "within a year"}),
    )
    def count(n: int) -> str:
        shown = protect_count(n)
        return "[c]" if shown is None else format_value(shown, kind="count")

    meta = {
        "horizon_days": 365, "development_date": development.index_date,
        "validation_date": validation.index_date,
        "c_validation": _fmt(*t.loc["c", ["estimate", "ci_lower", "ci_upper"]], digits=2),
        "c_corrected": _fmt(boot.corrected("c"), *boot.interval("c"), digits=2),
        "slope_validation": _fmt(*t.loc["slope", ["estimate", "ci_lower", "ci_upper"]],
                                 digits=2),
        "citl_validation": _fmt(*t.loc["citl", ["estimate", "ci_lower", "ci_upper"]],
                                digits=2),
        "fairness_groups": ", ".join(
            g if g[1:2].isupper() else g.lower()
            for g in (v.split(" (")[0] for v in FAIRNESS_GROUPS.values())),
        "outcome": "A mental-health-related A&E attendance or an emergency admission with an "
                   "ICD-10 F-chapter primary diagnosis",
        "competing": "Death before a crisis: no crisis in the logistic model (cumulative "
                     "incidence with death competing); a competing event in the Fine-Gray "
                     "model.",
        "predictors": "; ".join(label(c) for c in spec.columns), "parameters": parameters,
        "required_people": count(size.n), "development_people": count(len(dev)),
        "development_crises": count(int(dev["crisis"].sum())),
        "validation_people": count(len(val)),
        "validation_crises": count(int(val["crisis"].sum())),
        "missing_handling": (
            f"HoNOS missing for {count(int(dev['honos'].isna().sum()))} people in "
            f"development: {format_value(len(dev_copies), kind='magnitude')} imputations "
            "by chained equations with the "
            "outcome, Rubin's rules." if len(dev_copies) > 1 else
            "No predictor value missing in the model: nothing imputed."),
        "splines": "; ".join(
            f"{label(c)}: restricted cubic spline, {format_value(k, kind='magnitude')} "
            "knots at " + ", ".join(format_value(v, kind="estimate", digits=2)
                                    for v in frozen.knots[c])
            + " (Harrell's centiles " + ", ".join(_setting(q) for q in rcs_centiles(k))
            + ")"
            for c, k in spec.splines.items()),
        "estimator": f"{fit.method['estimator']} (factor "
                     f"{format_value(frozen.shrinkage, kind='estimate', digits=2)})",
        "internal_method": internal_method,
        "slope_band": f"{_setting(slope_band[0])} to {_setting(slope_band[1])}",
        "citl_band": f"{_setting(citl_band[0])} to {_setting(citl_band[1])}",
        "comparison": f"Ridge logistic, penalty {_setting(ridge.penalty)} by "
                      "cross-validation, "
                      "validated the same way; lasso logistic, penalty "
                      f"{_setting(lasso.penalty)} by cross-validation, "
                      f"{format_value(parameters - zeros, kind='magnitude')} coefficients "
                      f"kept and {format_value(zeros, kind='magnitude')} removed, validated "
                      "the same way (the penalty re-chosen in each of "
                      f"{format_value(lasso_drawn, kind='magnitude')} bootstrap samples); "
                      "a Fine-Gray model at 12 months.",
        "min_events": min_count,
        "thresholds": " to ".join(format_value(100 * t, kind="percentage", digits=0)
                                  for t in (min(thresholds), max(thresholds))),
        "release": "published" if release.released else f"withheld: {release.reason}",
        "fine_gray_release": "published" if fg_release.released
                             else f"withheld: {fg_release.reason}",
        "drift_verdict": drift.verdict,
    }
    raw = {"calibration": curve, "decision": decision, "fairness": fair,
           "time_to_event": fg.table,
           "fine_gray_groups": risk_group_table(fg.risk_groups, min_people=min_count)}
    return CrisisRiskReport(flow=flow, sample_size=sample, coefficients=coefficients,
                            knots=knots, release_levels=release.levels, internal=internal_table,
                            temporal=temporal, calibration=model_outputs(
                                curve, dict.fromkeys(curve.columns, release)),
                            decision=model_outputs(
                                decision, dict.fromkeys(("model", "model_lower", "model_upper"),
                                                        release), not_counts=["treat_none"]),
                            fairness=model_outputs(
                                fair, dict.fromkeys(("C-statistic (95% CI)",
                                                     "calibration-in-the-large (95% CI)"),
                                                    release),
                                count_cols=["people", "crises"]),
                            drift=drift,
                            before_release=raw,
                            missing=missing_table(dev, val, spec=spec, m=len(dev_copies),
                                                  fmi=honos_fmi),
                            comparison=comparison, time_to_event=model_outputs(
                                fg.table, {FINE_GRAY_COLUMN: fg_release,
                                           LOGISTIC_COLUMN: release}),
                            checklist=tripod_checklist(meta),
                            characteristics=characteristics(dev, val), fine_gray=fine_gray,
                            fine_gray_groups=model_outputs(
                                raw["fine_gray_groups"], {RISK_GROUP_COLUMN: fg_release},
                                count_cols=["people"]),
                            continuous=continuous_characteristics(dev, val), model_json=frozen.to_json(),
                            key_results=key, cohorts=(development, validation))
