"""The crisis-risk report's key results: what the page's sentences and the landing page
read, each built from a model's output only as that model's release allows.

Kept apart from :mod:`lifetools.reports.prediction` so that each module stays short.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lifetools.design_sizes import CRISIS_TARGET_SHRINKAGE
from lifetools.disclosure import (
    Parameter,
    ProtectedTable,
    Reason,
    RuleNumber,
    compose,
    model_outputs,
    protected_count,
)
from lifetools.formatting import interval_order
from lifetools.labels import (
    TERMS,
    explain_terms,
    with_words,
)
from lifetools.prediction.drift import CALIBRATION_NULL
from lifetools.reports.crisis_fairness import fairness_sentence, group_words
from lifetools.reports.crisis_parts import (
    COMPARISON_FOLDS,
    CrisisRun,
    missing_sentence,
    penalty_estimate,
    people_in_both,
    required_size,
    risk_text,
    spline_sentence,
)
from lifetools.reports.narrative import group_count_result, part_count_result
from lifetools.reports.sentences import (
    C_JUDGE,
    C_STATISTIC,
    interval_result,
    not_shown_sentence,
    reason_result,
    reason_text,
    result_sentence,
)
from lifetools.result_names import CrisisName

__all__ = ["CALIBRATION_DESCRIPTION", "CURVES_NOT_SHOWN", "CURVE_READING", "C_JUDGE",
           "calibration_paragraph", "comparison_method", "withheld_statement", "DRIFT_SUBJECT", "LASSO_SUBJECT", "RIDGE_SUBJECT", "key_results", "model_results",
           "model_table", "model_text", "fairness_sentence", "group_words"]



DRIFT_SUBJECT = "Whether the model still holds for this year's people"
"""The subject of the drift verdict's sentence when the model is withheld: the page
glues the verdict as a whole sentence ("**Is the model still accurate?** ..."), so a
withheld model's verdict reads "<subject> is not shown: <why>.", never a bare reason."""
RIDGE_SUBJECT = "The penalty chosen for the ridge model"
"""The subject of the ridge penalty's sentence when the model is withheld: the page
glues it as a whole sentence, which read "(on the scale of rms::lrm: too few events
to estimate (...))" when it was a number in brackets."""
LASSO_SUBJECT = "The lasso comparison (its penalty and the coefficients it kept)"
"""The subject of the lasso sentence when the model is withheld (one subject: "is not
shown")."""


CALIBRATION_DESCRIPTION = (
    "The same bootstrap corrects the calibration curve for optimism (Harrell's method, as "
    "R's rms::calibrate): the apparent curve is a smooth (lowess) of whether people had "
    "a crisis against their predicted risk in the development cohort; in each bootstrap "
    "sample the curve of the sample's model is drawn in the sample and in the "
    "development cohort, and the average difference between them is taken off the "
    "apparent curve. The curves are read at evenly spaced predicted risks, leaving out the "
    "highest and lowest risks, where few people are.")
"""What the optimism-corrected calibration curves are, said only when they are shown."""
CURVE_READING = ("A corrected curve below the dashed line means the model's higher risks "
                 "are too high.")
"""How to read the corrected calibration curve, said only when it is drawn."""
CURVES_NOT_SHOWN = ("The development cohort's calibration curves (apparent, and corrected "
                    "for optimism by the bootstrap) are not shown")
"""The subject of the calibration paragraph when the model is withheld."""


def calibration_paragraph(release: Any, method: Any) -> Any:
    """The paragraph about the development cohort's calibration curves, from what was
    computed: what the curves are, which bootstrap corrected them (``method``, the
    internal validation's ``calibration_method``) and how to read them when the model
    is released; that they are not shown, and why, when it is withheld. The page said
    the first whatever the release until wave 22, describing curves it did not draw.
    Tested in ``tests/unit/test_crisis_wording.py``."""
    if release.released:
        return compose("{what} {method} {reading}", what=CALIBRATION_DESCRIPTION,
                       method=method, reading=CURVE_READING)
    return compose("{subject}: {why}.", subject=CURVES_NOT_SHOWN,
                   why=Reason(release.withheld_once))


def comparison_method(internal: str, copies: int) -> Any:
    """The sentence saying which bootstrap the model comparison's optimism-corrected
    columns use (:func:`lifetools.reports.crisis_models.model_comparison`: MI-boot for
    all three models, so that they are validated alike), and, when the internal
    validation used another (boot-MI), that the shrunk model's values there differ from
    the table's. The page showed two "optimism-corrected" values of one model with
    nothing saying why until wave 37."""
    if copies <= 1:
        return compose("The optimism-corrected columns come from Harrell's bootstrap, as "
                       "the internal validation does (nothing was imputed).")
    same = ("The optimism-corrected columns come from Harrell's bootstrap within each "
            "imputed copy, averaged over the copies (MI-boot), for the shrunk, ridge and "
            "lasso models alike")
    if internal == "boot-mi":
        return compose(same + ". The internal validation above draws each bootstrap "
                       "sample before imputing it afresh (boot-MI), so the shrunk "
                       "model's optimism-corrected values there differ slightly from "
                       "this table's; its calibration measures' intervals are given "
                       "there, none here.")
    return compose(same + ", as the internal validation above does; the calibration "
                   "measures' intervals are given there, none here.")


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
    why = release.withheld_reason
    # a withheld result keeps its edition's own words (``at``), so that the comparison
    # with another edition still reads one measure
    return tuple({"name": r["name"], "label": r["label"], "value": None, "kind": "text",
                  **({"text": not_shown_sentence(r["subject"], release.withheld_once)}
                     if "subject" in r else reason_result(why)),
                  **({"at": r["at"]} if "at" in r else {})} for r in results)



def model_table(table: pd.DataFrame, release: Any, *, keep: Sequence[str] = ("measure",)
                ) -> ProtectedTable:
    """A table of a model's numbers (every column but ``keep``), as its release allows.

    The release (:func:`lifetools.disclosure.model_release`) is the one decision:
    :func:`lifetools.disclosure.model_outputs` keeps the table cell for cell when the
    model is released, and blanks every column but ``keep`` with the column
    :data:`lifetools.disclosure.models.WITHHELD_COLUMN` saying why when it is
    withheld. The crisis report's internal-validation, temporal-validation,
    model-comparison and knots tables ask it, as the calibration, decision-curve and
    fairness tables do. Tested in ``tests/unit/test_prediction_report.py``.
    """
    return model_outputs(table, dict.fromkeys(
        [c for c in table.columns if c not in keep], release), said_once=True)


MODELS = ("the crisis-risk model", "its time-to-event (Fine-Gray) version")
"""The page's two models, as :func:`withheld_statement` names them."""


def withheld_statement(release: Any, fg_release: Any) -> Any:
    """The one statement of why the page's withheld models' numbers are not shown
    (the key result ``model_withheld``, at the start of the page), or that both passed
    the release check. Every table, caption and sentence of the page that leaves a
    withheld model's numbers out says only the headline and
    :data:`~lifetools.disclosure.withheld.SAID_ONCE`
    (:attr:`~lifetools.disclosure.ModelRelease.withheld_once`). Tested in
    ``tests/unit/test_crisis_wording.py``."""
    withheld: dict[str, list[str]] = {}
    for name, check in zip(MODELS, (release, fg_release), strict=True):
        if not check.released:
            withheld.setdefault(check.withheld, []).append(name)
    if not withheld:
        return compose("The crisis-risk model and its time-to-event (Fine-Gray) version "
                       "met every condition for showing a model's numbers (enough crises "
                       "in every group, more people than the model has terms by the margin "
                       "the disclosure rules require, and a fit "
                       "that converged with finite intervals; see the methods page), so "
                       "their numbers are shown.")
    said = [compose("The numbers of {who} are not shown on this page ([x] in the tables, "
                    "no curve in the figures): {why}.", who=" and ".join(names),
                    why=Reason(explain_terms(why)))
            for why, names in withheld.items()]
    return said[0] if len(said) == 1 else compose("{a} {b}", a=said[0], b=said[1])


def model_text(release: Any, text: Any) -> Any:
    """A sentence of the TRIPOD+AI checklist stating a model's numbers, as its release
    allows: ``text`` when released, else the release's reason ("too few events
    among ...", :attr:`lifetools.disclosure.ModelRelease.withheld`), no number of
    the model. The checklist's metadata (:func:`lifetools.reports.tripod.tripod_meta`)
    asks it for every item that states a model's number."""
    return text if release.released else release.withheld_once


def _cohort_label(measure: str, cohort: str) -> dict[str, str]:
    """A validation measure's label and its ``at`` words (the edition's own cohort):
    "Calibration slope: validation cohort of 2024-25"."""
    return {"label": f"{measure}: {cohort}", "at": cohort}


def fine_gray_incidence_sentence(everyone: Any, observed_limits: tuple[float, float],
                                 table_mean: Sequence[float] = (np.nan,) * 3) -> Any:
    """The Fine-Gray model's mean predicted 12-month cumulative incidence of crisis in
    this year's cohort (``everyone``: the first row of its risk groups, with
    ``estimate``, ``ci_lower`` and ``ci_upper`` as proportions), against the observed
    cumulative incidence's 95% confidence limits (``observed_limits``), and the same
    mean as the time-to-event table gives it (``table_mean``: estimate, lower and upper
    limit; :attr:`~lifetools.reports.crisis_models.FineGrayPart.mean_risk`).

    A share of people, so in per cent to 1 decimal place, as every risk a reader meets
    ("24.5% on average (95% confidence interval 22.4% to 26.7% ...)"; it read "0.245
    ... 0.224 to 0.267" until wave 40: issue 15). The verdict allows for the
    uncertainty of both: intervals that overlap read "within the uncertainty of the
    observed cumulative incidence", as the comparison of editions says of its intervals
    (both read by :func:`lifetools.formatting.interval_order`);
    it judged the predicted interval against the observed point alone, and said "the
    model over-predicts" beside an observed/expected ratio of 0.918 (0.813 to 1.036)
    (30,000 people, 2024-25: wave 40).

    Two intervals of one mean: the sentence's carries the fitted model's uncertainty
    (its coefficients and baseline, this year's people as they are:
    :func:`lifetools.prediction.cif_interval.risk_group_intervals`, delta method on the
    log(-log) scale, Rubin's rules), the right one for a prediction set against the
    observed incidence, since it comes from the development year's fit and not from
    resampling the people the observed incidence is measured on; the table's resamples
    this year's people with the model held fixed (percentile bootstrap,
    :func:`lifetools.prediction.intervals.mean_interval`), a measure of this cohort as
    every row of that table is. At 30,000 people the table read 24.7% to 27.8% and the
    sentence and the risk groups 24.2% to 28.5%, with nothing saying why, until wave
    42 (issue 19): the sentence now names the table's interval and what each carries.
    Tested in ``tests/unit/test_prediction_report.py``.
    """
    low, high = float(everyone["ci_lower"]), float(everyone["ci_upper"])
    order = interval_order((low, high), tuple(float(v) for v in observed_limits))
    if order is None:
        words = "not judged: an interval could not be estimated"
    elif order > 0:
        words = "above the observed cumulative incidence: the model over-predicts"
    elif order < 0:
        words = "below the observed cumulative incidence: the model under-predicts"
    else:
        words = ("within the uncertainty of the observed cumulative incidence (the "
                 "intervals overlap)")
    found = result_sentence(
        100 * float(everyone["estimate"]), kind="percentage",
        interval=(100 * low, 100 * high),
        missing="The Fine-Gray model's predicted cumulative incidence of crisis "
                "within a year",
        found="Over this year's cohort, the Fine-Gray model predicts a cumulative "
              "incidence of crisis within a year of {value} on average ({level} "
              "confidence interval {interval}, carrying the uncertainty of the "
              "model's coefficients and baseline, with this year's people as they "
              "are); against the observed cumulative incidence in the table above, "
              "the prediction is " + words + ".")
    mean, mean_low, mean_high = (float(v) for v in table_mean)
    if not all(np.isfinite([mean, mean_low, mean_high, low, high])):
        return found
    return compose(
        "{found} The table above gives this mean as {table}, with an interval of "
        "another kind: it resamples this year's people with the model held fixed, as "
        "for every measure there, and so leaves out the model's own uncertainty, which "
        "a prediction set against the observed incidence has to carry.",
        found=found, table=risk_text(mean, mean_low, mean_high))



def hidden_size(why: str) -> str:
    """Why the minimum sample size is not shown: the share it is computed from is not
    published, for ``why`` (:attr:`~lifetools.reports.crisis_parts.PlanningShare.why`,
    made from what was hidden). It said "the count of people with a crisis is hidden"
    whatever was, until wave 43."""
    if not why:
        raise ValueError("a minimum sample size not shown needs its reason (why=)")
    return ("not shown: it is computed from the share of the development cohort with a "
            f"crisis, and {why}")


def sample_size_results(size: Any, people: int, why: str = "") -> tuple[dict[str, Any], ...]:
    """The minimum development sample size and the sentence setting the development
    cohort against it: stated exactly (:func:`~lifetools.reports.crisis_parts.
    required_size`), or not shown, with ``why`` (:func:`hidden_size`), when ``size``
    is ``None`` (the share with a crisis it is computed from is not published:
    :func:`~lifetools.reports.crisis_parts.planning_share`). ``people``: the
    development cohort's people (raw; protected here). Tested in
    ``tests/unit/test_crisis_flow.py``."""
    label = "Minimum development sample size (Riley et al.)"
    summary = "Summary: development cohort against the minimum sample size"
    if size is None:
        return ({"name": CrisisName.REQUIRED_PEOPLE, "value": None, "kind": "text",
                 "text": compose(hidden_size(why)), "label": label},
                {"name": CrisisName.SAMPLE_SIZE_SENTENCE, "value": None, "kind": "text",
                 "label": summary,
                 "text": compose("The development cohort had {people} people; the "
                                 "minimum sample size is " + hidden_size(why) + ".",
                                 people=protected_count(people))})
    return ({"name": CrisisName.REQUIRED_PEOPLE, "value": int(size.n), "kind": "text",
             "text": required_size(size.n), "label": label},
            {"name": CrisisName.SAMPLE_SIZE_SENTENCE, "value": bool(people >= size.n),
             "kind": "text", "label": summary,
             "text": compose(
                 "The development cohort had {people} people; the largest of Riley's "
                 "criteria needed {needed}. " + (
                     "It was large enough." if people >= size.n else
                     "It was smaller than needed for the anticipated R-squared, so more "
                     "overfitting than the target allows was to be expected; the "
                     "shrinkage factor and the optimism-corrected measures below show "
                     "how much there was."),
                 people=protected_count(people), needed=required_size(size.n))})

def key_results(run: CrisisRun) -> tuple[dict[str, Any], ...]:
    """The report's key results, in the order the page records them.

    Results built from a model's output follow that model's release
    (:func:`model_results`); counts are raw (protected when recorded).
    """
    dev, val, size, parameters = run.dev, run.val, run.size, run.parameters
    dev_copies, ridge, lasso, zeros = run.dev_copies, run.ridge, run.lasso, run.zeros
    lasso_drawn, internal, internal_method = run.lasso_drawn, run.internal, run.internal_method
    reliability, release, frozen, boot = run.reliability, run.release, run.frozen, run.boot
    t, drift, fg_release, fg = run.performance, run.drift, run.fg_release, run.fg
    slope_band, citl_band = run.slope_band, run.citl_band
    fg_everyone = fg.risk_groups.iloc[0]
    developed, validated = run.development_period, run.validation_period
    return (
        {"name": CrisisName.MODEL_WITHHELD, "value": not (release.released
                                                            and fg_release.released),
         "kind": "text", "text": withheld_statement(release, fg_release),
         "label": "Whether the models' numbers are shown, and why not"},
        {"name": CrisisName.DEVELOPMENT_PEOPLE, "value": len(dev), "kind": "count",
         "label": "People in the development cohort"},
        part_count_result(CrisisName.DEVELOPMENT_CRISES, "Crises in the development cohort",
                          part=int(dev["crisis"].sum()), group=len(dev)),
        # glued whole: the page typed "({development_crises} had a crisis)" after the
        # cohort's people, two counts no rule read together (issue 12, wave 29)
        group_count_result(
            CrisisName.DEVELOPMENT_SENTENCE, "Summary: the development cohort",
            "The model was developed on {group} people open a year before this period "
            "began ({part} had a crisis).",
            "The model was developed on {group} people open a year before this period "
            "began (how many had a crisis is not shown: {why}).",
            group=len(dev), part=int(dev["crisis"].sum())),
        {"name": CrisisName.VALIDATION_PEOPLE, "value": len(val), "kind": "count",
         "label": "People in the validation cohort"},
        # the people open on both index dates: the validation cohort is not a new
        # sample of people (not reported until wave 43, issue 19)
        group_count_result(
            CrisisName.OVERLAP_SENTENCE, "Summary: people in both cohorts",
            "Of the {group} people in the validation cohort, {part} were also in the "
            "development cohort (open on both index dates): the validation is temporal, "
            "not on new people.",
            "Of the {group} people in the validation cohort, how many were also in the "
            "development cohort is not shown: {why}.",
            group=len(val), part=people_in_both(dev, val)),
        # a design quantity, stated exactly wherever it is (required_size): the
        # sentence said 1,160 (a count rounded to 5) above a table of 1,158 (wave 41);
        # not shown when the share it is computed from is hidden (planning_prevalence)
        *sample_size_results(size, len(dev), run.size_why),
        # the page types "The minimum sample size ... (2020) was" before it, and the
        # sample size sentence follows it (it read "(the sentence before says ...)"
        # of the sentence after it, with no verb: wave 37)
        {"name": CrisisName.SAMPLE_SIZE_BASIS, "value": None, "kind": "text",
         "label": "Methods: what the minimum sample size was computed from",
         "text": compose(
             "computed from the number of candidate parameters ({n}), the share of the "
             "development cohort with a crisis as published (its counts rounded), and "
             "an anticipated Cox-Snell R-squared of {r2}% of its maximum, for a target "
             "shrinkage of {shrinkage}.",
             n=Parameter(parameters, "candidate predictor parameters"),
             r2=Parameter(round(100 * run.r2_fraction, 6),
                          "anticipated R-squared (% of its maximum)"),
             shrinkage=Parameter(CRISIS_TARGET_SHRINKAGE, "target shrinkage"))},
        {"name": CrisisName.MIN_EVENTS, "value": None, "kind": "text",
         "text": compose("{n}", n=RuleNumber("model_min_events")),
         "label": "Fewest events (or non-events) for a group or a predictor level shown"},
        {"name": CrisisName.PARAMETERS, "value": parameters, "kind": "text", "text": compose(
            "{n}", n=Parameter(parameters, "candidate predictor parameters")),
         "label": "Candidate predictor parameters"},
        {"name": CrisisName.SPLINE_SENTENCE, "value": None, "kind": "text",
         "text": spline_sentence(dict(run.spec.splines)),
         "label": "The model's form: its splines and their knots"},
        {"name": CrisisName.IMPUTATIONS, "value": len(dev_copies), "kind": "text",
         "text": compose("{n}", n=Parameter(len(dev_copies), "imputed copies")),
         "label": "Imputed copies of each cohort"},
        {"name": CrisisName.MISSING_SENTENCE, "value": None, "kind": "text",
         "text": missing_sentence(dev, val, run.spec, copies=len(dev_copies)),
         "label": "Which predictors were not known for some people, and how they were "
                  "filled in"},
        *model_results(
        release,
        {"name": CrisisName.RIDGE_PENALTY, "value": ridge.penalty, "kind": "text",
         "text": compose("The penalty chosen was {p} (on the scale of R's rms::lrm).",
                         p=Parameter(float(ridge.penalty), "ridge penalty")),
         "label": "Ridge penalty chosen by cross-validation",
         "subject": RIDGE_SUBJECT},
        {"name": CrisisName.LASSO_PENALTY, "value": lasso.penalty, "kind": "text",
         "text": compose("{p}", p=penalty_estimate(lasso.penalty)),
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
             "to publish.", penalty=penalty_estimate(lasso.penalty),
             boot=Parameter(lasso_drawn, "bootstrap samples"),
             folds=Parameter(COMPARISON_FOLDS, "cross-validation folds"),
             zeros=Parameter(zeros, "coefficients set to zero"),
             kept=Parameter(parameters - zeros, "coefficients kept")),
         "subject": LASSO_SUBJECT}),
        {"name": CrisisName.INTERNAL_METHOD, "value": internal, "kind": "text",
         "text": internal_method, "label": "Internal validation method"},
        {"name": CrisisName.INTERNAL_METHOD_BRIEF, "value": internal, "kind": "text",
         "text": run.internal_brief, "label": "Internal validation method, in brief"},
        {"name": CrisisName.INTERNAL_CALIBRATION_METHOD, "value": internal, "kind": "text",
         "text": calibration_paragraph(release, run.internal_calibration_method),
         "label": "The bootstrap correcting the development calibration curve"},
        {"name": CrisisName.COMPARISON_METHOD, "value": internal, "kind": "text",
         "text": comparison_method(internal, len(dev_copies)),
         "label": "The bootstrap of the model comparison's optimism-corrected columns"},
        {"name": CrisisName.FIT_RELIABILITY, "value": reliability.flagged, "kind": "text",
         "text": reliability.text,
         "label": "Resampled fits that did not converge or separated, and the verdict"},
        *model_results(
        release,
        {"name": CrisisName.SHRINKAGE, "value": frozen.shrinkage, "kind": "estimate",
         "label": "Uniform shrinkage factor"},
        {"name": CrisisName.C_CORRECTED, "value": boot.corrected("c"), "kind": "estimate",
         # each edition's cohort in its at words: the comparison with the previous
         # edition read as a revision of one figure ("in 2023-24 (development)",
         # "published as: ... in 2022-23 (development)") until wave 36
         **_cohort_label(f"Optimism-corrected {with_words('C-statistic')}",
                         f"development cohort of {developed}")},
        # each estimate the page gives with its interval records it, so the comparison
        # with the previous edition reads it (it said "not assessed: its interval is
        # not among the key results" of a slope from 1.16 to 0.93: issue 15, wave 34)
        interval_result(CrisisName.C_CORRECTED_CI, boot.interval("c"), null=0.5,
                         label=f"95% CI of the optimism-corrected C-statistic in "
                               f"{developed} (development)"),
        {"name": CrisisName.C_VALIDATION, "value": float(t.loc["c", "estimate"]),
         "kind": "estimate",
         **_cohort_label(with_words("C-statistic"), f"validation cohort of {validated}")},
        interval_result(CrisisName.C_VALIDATION_CI,
                        (t.loc["c", "ci_lower"], t.loc["c", "ci_upper"]), null=0.5,
                        label=f"95% CI of the C-statistic in {validated} (validation)"),
        {"name": CrisisName.SLOPE_VALIDATION, "value": drift.slope, "kind": "estimate",
         **_cohort_label("Calibration slope", f"validation cohort of {validated}")},
        interval_result(CrisisName.SLOPE_VALIDATION_CI,
                         (t.loc["slope", "ci_lower"], t.loc["slope", "ci_upper"]),
                         null=CALIBRATION_NULL["slope"], stated=tuple(slope_band),
                         label=f"95% CI of the calibration slope in {validated} "
                               "(validation)"),
        {"name": CrisisName.CITL_VALIDATION, "value": drift.citl, "kind": "estimate",
         **_cohort_label(f"Calibration-in-the-large ({TERMS['calibration-in-the-large']})",
                         f"validation cohort of {validated}")},
        interval_result(CrisisName.CITL_VALIDATION_CI,
                         (t.loc["citl", "ci_lower"], t.loc["citl", "ci_upper"]),
                         null=CALIBRATION_NULL["citl"], stated=tuple(citl_band),
                         label=f"95% CI of the calibration-in-the-large in {validated} "
                               "(validation)"),
        {"name": CrisisName.DRIFT_VERDICT, "value": drift.drifted, "kind": "text",
         "text": reason_text(drift.verdict), "label": "Drift check",
         "subject": DRIFT_SUBJECT},
        {"name": CrisisName.DRIFT_HEADLINE, "value": drift.drifted, "kind": "text",
         "text": reason_text(drift.headline), "label": "Drift check, in one sentence",
         "subject": DRIFT_SUBJECT},
        {"name": CrisisName.C_CORRECTED_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: optimism-corrected C-statistic", "text": result_sentence(
             boot.corrected("c"), kind="estimate", interval=boot.interval("c"),
             judge=C_JUDGE, missing=C_STATISTIC["corrected"][1],
             found=C_STATISTIC["corrected"][0]), "subject": C_STATISTIC["corrected"][1]},
        {"name": CrisisName.C_VALIDATION_SENTENCE, "value": None, "kind": "text",
         "label": f"Summary: C-statistic in {validated} (validation)",
         "text": result_sentence(
             float(t.loc["c", "estimate"]), kind="estimate",
             interval=(float(t.loc["c", "ci_lower"]), float(t.loc["c", "ci_upper"])),
             judge=C_JUDGE,
             missing=C_STATISTIC["validation"][1], found=C_STATISTIC["validation"][0]),
         "subject": C_STATISTIC["validation"][1]},
        {"name": CrisisName.FAIRNESS_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: calibration within groups",
         "text": fairness_sentence(run.fairness),
         "subject": "How well the model is calibrated within groups"},
        {"name": CrisisName.SHRINKAGE_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: uniform shrinkage", "text": result_sentence(
             frozen.shrinkage, kind="estimate",
             missing=f"The {with_words('uniform shrinkage factor')}",
             found="Every coefficient was shrunk by the uniform factor {value} (van "
             "Houwelingen's heuristic) and the intercept re-estimated" + (
                 ": at least the sample-size criteria's target, so less overfitting than "
                 "they allowed for." if frozen.shrinkage >= CRISIS_TARGET_SHRINKAGE
                 else ": below the sample-size criteria's target, so more overfitting "
                 "than they allowed for.")),
         "subject": f"The {with_words('uniform shrinkage factor')}"}),
        *model_results(
        fg_release,
        {"name": CrisisName.FINE_GRAY_INCIDENCE_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: the Fine-Gray model's predicted 12-month cumulative incidence "
                  "in this year's cohort",
         "text": fine_gray_incidence_sentence(fg_everyone, fg.observed_limits,
                                              fg.mean_risk),
         "subject": "The Fine-Gray model's predicted cumulative incidence of crisis "
                    "within a year"}),
    )
