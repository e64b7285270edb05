"""The TRIPOD+AI checklist of the crisis-risk report, generated from what was computed.

Each item of TRIPOD+AI (Collins et al. 2024, BMJ 385:e078378) is a template filled from
the report's metadata (sample size, events, predictors, missing-data handling,
validation method, performance with intervals) and the place where it is reported: a
section heading of the report page, or a methods page. An item without a place, or
whose template names metadata the report did not compute, stops the checklist with an
error: nothing is written by hand per edition, and nothing is left blank.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from string import Formatter
from typing import Any

import pandas as pd

from lifetools.design_sizes import CRISIS_HORIZON_DAYS
from lifetools.disclosure import compose, protect_count
from lifetools.disclosure.group_counts import reveals_whole_group
from lifetools.formatting import format_value
from lifetools.labels import label
from lifetools.prediction import rcs_centiles
from lifetools.prediction.drift import CALIBRATION_NULL
from lifetools.reports.crisis_internal import kept_sides
from lifetools.reports.crisis_parts import (
    FAIRNESS_GROUPS,
    CrisisRun,
    imputed_predictors,
    penalty_estimate,
    people_in_both,
    required_size,
    setting_text,
    shown_estimate,
)
from lifetools.reports.crisis_results import hidden_size, model_text

__all__ = ["ITEMS", "METHODS_PAGES", "SECTIONS", "WHERE_LINKS", "TripodItem", "section_anchor",
           "tripod_checklist", "tripod_meta"]

OPENING = "Opening summary"
COHORTS = "Who is in the cohorts"
SIZE = "Was the development cohort large enough?"
MODEL = "The model"
INTERNAL = "Internal validation (development year)"
TEMPORAL = "Temporal validation (this year)"
PENALISED = "A penalised alternative"
SURVIVAL = "A time-to-event version"
DECISION = "Decision curve"
FAIRNESS = "Fairness"
LIMITS = "Methods and limitations"
SECTIONS = (OPENING, COHORTS, SIZE, MODEL, INTERNAL, TEMPORAL, PENALISED, SURVIVAL,
            DECISION, FAIRNESS, LIMITS)
"""Section headings of the report page (``analyses/07_crisis_risk.ipynb``)."""
CARD = "methods page: crisis-risk model card"
METHODS = "methods page: clinical prediction models"
METHODS_PAGES = {CARD: "crisis-risk-model-card", METHODS: "prediction"}
"""The methods pages the checklist places items on: their files in ``book/methods``."""


def section_anchor(heading: str) -> str:
    """The id the book gives a section heading of the report page (lower case, words
    joined by hyphens, punctuation dropped: "Was the development cohort large
    enough?" is ``was-the-development-cohort-large-enough``)."""
    words = re.sub(r"[^\w\s-]", "", heading.lower()).split()
    return "-".join(words)


SITE_ROOT = "../../"
"""The site's root from a report page: the book puts each edition's pages at
``editions/<edition>/<analysis>.html`` (:mod:`lifetools.pipeline.book`), and the
methods pages at ``methods/<page>.html``. ``../methods/`` went nowhere in the first
build of wave 43 and the site's checks did not say so: ``tests/unit/test_tripod.py``
checks the address against the book's layout."""
WHERE_LINKS = {**{s: f"#{section_anchor(s)}" for s in SECTIONS if s != OPENING},
               OPENING: "#",  # the top of the page: the summary under its title
               **{k: f"{SITE_ROOT}methods/{v}.html" for k, v in METHODS_PAGES.items()}}
"""Each place of the checklist's "where" column and its link from the report page: a
section of the page, or a methods page (:data:`SITE_ROOT` up from the page). The
column named the place without a link until wave 43 (issue 19). The anchors are the
headings of notebook 07 and the methods pages exist (``tests/unit/test_tripod.py``).
Shown by
``analyses/07_crisis_risk.ipynb`` (``show_table(..., links={"where": WHERE_LINKS})``)."""


@dataclass(frozen=True)
class TripodItem:
    """One checklist item: its number, topic, a template of what is reported, and where."""

    item: str
    topic: str
    text: str
    where: str


ITEMS: tuple[TripodItem, ...] = tuple(TripodItem(*row) for row in (
    ("1", "Title", "A prediction model of a mental-health crisis within {horizon_days} days, "
     "developed on {development_date} and temporally validated on {validation_date}.",
     OPENING),
    # no outer brackets: the term's plain words and the interval nested three deep in
    # them ("(C-statistic (how well ...) in 2024-25: 0.83 (0.80 to 0.86))", wave 36)
    ("2", "Abstract", "What was asked and what was found, with the C-statistic in "
     "{validation_period}: {c_validation}; the drift verdict; and what the report does "
     "not show.", OPENING),
    ("3a", "Background: healthcare context, rationale", "Learning system: prediction checked "
     "from one edition to the next.", CARD),
    ("3b", "Target population and intended use", "Service-level monitoring; not for "
     "decisions about individuals.", CARD),
    ("3c", "Known health inequalities", "Performance by {fairness_groups}.", FAIRNESS),
    ("4", "Objectives", "Develop on {development_date}, validate on {validation_date}.",
     OPENING),
    ("5a", "Data sources", "Linked extract: MHSDS referrals, ECDS A&E, HES APC emergency "
     "admissions, Life Rooms contacts.", COHORTS),
    ("5b", "Dates", "Index dates {development_date} (development) and {validation_date} "
     "(validation); {horizon_days} days' follow-up each.", COHORTS),
    ("6a", "Setting", "Secondary mental-health services of one trust.", COHORTS),
    ("6b", "Eligibility", "Referral open (made, not rejected, not discharged) on the index "
     "date; alive on that date.", COHORTS),
    ("6c", "Treatments received", "Not modelled; Life Rooms use before the index date is a "
     "predictor.", LIMITS),
    ("7", "Data preparation, quality checks", "Extract validated before any report; "
     "duplicate A&E attendances excluded.", LIMITS),
    ("8a", "Outcome definition, time horizon", "{outcome} within {horizon_days} days.",
     COHORTS),
    ("8b", "Outcome assessment blinded", "Routine records, recorded independently of the "
     "predictors.", COHORTS),
    ("8c", "Competing events", "{competing}", SURVIVAL),
    ("9a", "Choice of predictors", "Prespecified, no selection on the data: {predictors}.",
     LIMITS),
    ("9b", "Predictor definitions and timing", "All measured on or before the index date.",
     LIMITS),
    ("9c", "Predictors measured the same way", "The same code builds both cohorts.", COHORTS),
    ("10", "Sample size", "{parameters} candidate parameters; {required_people}; "
     "{development_people} in development.", SIZE),
    ("11", "Missing data", "{missing_handling}", MODEL),
    ("12a", "Data used in each analysis", "Development: {development_people} people, "
     "{development_crises} crises; validation: {validation_people} people.", COHORTS),
    ("12b", "Predictor handling", "{splines}; other predictors linear.", MODEL),
    ("12c", "Model type, building, internal validation", "{estimator}. {internal_method}",
     INTERNAL),
    ("12d", "Heterogeneity across clusters", "Single trust; not assessed.", LIMITS),
    ("12e", "Performance measures", "C-statistic (DeLong), calibration slope and "
     "calibration-in-the-large (Wald), O/E, Brier, flexible calibration curve, net benefit "
     "(Brier and net benefit: percentile bootstrap over people); optimism-corrected C: "
     "location-shifted bootstrap (Noma et al.); every optimism-corrected measure, "
     "calibration included: two-stage bootstrap (Noma et al.); in development, the "
     "calibration curve corrected for optimism by the bootstrap (lowess, as "
     "rms::calibrate).",
     TEMPORAL),
    ("12f", "Model updating", "Not done; drift limits: slope {slope_band}, "
     "calibration-in-the-large {citl_band}.", TEMPORAL),
    ("12g", "Comparison with other models", "{comparison}", PENALISED),
    ("13", "Class imbalance", "No re-sampling or re-weighting.", LIMITS),
    ("14", "Fairness approach", "C, calibration slope and calibration-in-the-large with "
     "intervals, and a flexible calibration curve, by {fairness_groups}; a group is shown "
     "or drawn only when it has at least {min_events} people with, and {min_events} "
     "without, a crisis.", FAIRNESS),
    ("15", "Model output and thresholds", "Predicted {horizon_days}-day risk; no threshold "
     "chosen; decision curve over {thresholds}.", DECISION),
    ("16", "Differences between development and evaluation data",
     "Both cohorts' flow and characteristics side by side; {overlap}.", COHORTS),
    ("17", "Ethics", "Routine pseudonymised data for service evaluation; synthetic data on "
     "this site.", CARD),
    ("18a", "Funding", "No external funding recorded.", CARD),
    ("18b", "Conflicts of interest", "No conflicts of interest are recorded.", CARD),
    # "Issue 19 of the project repository" and "lifetools.prediction, ..." named what
    # a reader of the site cannot see or use (wave 37): where to read instead
    ("18c", "Protocol", "No protocol is published separately: the methods pages of this "
     "site describe how the model is developed and checked.", METHODS),
    ("18d", "Registration", "Not registered (service evaluation).", CARD),
    ("18e", "Data availability", "Patient data cannot be shared; the synthetic data are "
     "regenerated by the code, whose availability the page's 'Rerun this report' "
     "states.", CARD),
    ("18f", "Code availability", "Where the code is available, and how to rerun it, is "
     "stated under 'Rerun this report' on this page; the methods pages of "
     "this site describe what it does.", METHODS),
    ("19", "Patient and public involvement", "Not recorded for this report.", CARD),
    ("20a", "Participant flow", "Development {development_people} people "
     "({development_crises} crises); validation {validation_people} "
     "({validation_crises} crises).", COHORTS),
    ("20b", "Participant characteristics", "Tabulated for both cohorts.", COHORTS),
    ("20c", "Comparison of development and evaluation distributions",
     "Characteristics tables side by side; {overlap}.", COHORTS),
    ("21", "Numbers in each analysis", "People and crises per level of each binary "
     "predictor (model-counts table).", MODEL),
    ("22", "Full model specification", "Coefficients and knots tables ({release}); the "
     "Fine-Gray model's subdistribution hazard ratios ({fine_gray_release}).", MODEL),
    ("23a", "Performance with intervals", "{performance}", TEMPORAL),
    ("23b", "Performance in key subgroups", "By {fairness_groups}.", FAIRNESS),
    ("24", "Model updating results", "{drift_verdict}", TEMPORAL),
    ("25", "Interpretation", "The opening summary and the drift verdict.", OPENING),
    ("26", "Limitations", "Listed on the page and in the methods.", LIMITS),
    ("27a", "Handling unavailable input data", "{missing_use}", MODEL),
    ("27b", "User interaction and expertise", "Not for clinicians' decisions about "
     "individuals.", CARD),
    ("27c", "Future research", "Listed in the model card.", CARD),
))


def tripod_checklist(meta: Mapping[str, Any],
                     items: tuple[TripodItem, ...] = ITEMS) -> pd.DataFrame:
    """The checklist with every item filled from ``meta`` and its place on the page.

    Parameters
    ----------
    meta : mapping
        What the report computed (counts already protected, numbers formatted).
    items : tuple of TripodItem

    Returns
    -------
    pandas.DataFrame
        ``item``, ``topic``, ``reported`` (the filled template), ``where``.

    Raises
    ------
    ValueError
        When an item has no place (``where`` neither a report section nor a methods
        page), names metadata that is missing or blank, or is empty once filled.

    Notes
    -----
    Tested in ``tests/unit/test_tripod.py`` (an item with no source fails; the report's
    checklist has no blank item and every place is a heading of notebook 07).
    """
    rows = []
    for it in items:
        if it.where not in SECTIONS and not it.where.startswith("methods page: "):
            raise ValueError(f"TRIPOD+AI item {it.item} has no source on the page")
        keys = [name for _, name, _, _ in Formatter().parse(it.text) if name]
        missing = [k for k in keys if k not in meta or str(meta[k]).strip() == ""]
        if missing:
            raise ValueError(f"TRIPOD+AI item {it.item} needs metadata the report did not "
                             f"compute: {missing}")
        text = it.text.format(**{k: meta[k] for k in keys})
        if not text.strip():
            raise ValueError(f"TRIPOD+AI item {it.item} is blank")
        rows.append({"item": it.item, "topic": it.topic, "reported": text,
                     "where": it.where})
    return pd.DataFrame(rows)


def cohort_crises(people: pd.DataFrame) -> str:
    """A cohort's people with a crisis as the checklist states them: the protected
    count, or ``[c]`` when it is none or all of the cohort (group disclosure), as the
    report's development sentence says "not shown". The checklist stated them whatever
    they were until wave 32 (issue 12). Tested in ``tests/unit/test_tripod.py``."""
    part = int(people["crisis"].sum())
    shown = None if reveals_whole_group(len(people), part) else protect_count(part)
    return "[c]" if shown is None else format_value(shown, kind="count")


def overlap_text(dev: pd.DataFrame, val: pd.DataFrame) -> str:
    """Items 16 and 20c: the people of the validation cohort who were also in the
    development cohort (:func:`lifetools.reports.crisis_parts.people_in_both`), the
    count protected, or ``[c]`` when it is none or all of the validation cohort, as
    :func:`cohort_crises` hides a cohort's crises. Not stated until wave 43 (issue 19).
    Tested in ``tests/unit/test_tripod.py``."""
    both = people_in_both(dev, val)
    shown = None if reveals_whole_group(len(val), both) else protect_count(both)
    return ("people in both cohorts (the validation cohort's who were also in the "
            f"development cohort): {'[c]' if shown is None else format_value(shown, kind='count')}")


def calibration_text(table: pd.DataFrame, measure: str, band: Sequence[float]) -> str:
    """A calibration measure of ``table`` (rows ``slope``/``citl``; ``estimate``,
    ``ci_lower``, ``ci_upper``) with its interval, to 2 places, as the drift verdict
    writes it: a limit keeps its side of perfect calibration ("1.16 (0.998 to 1.31)",
    never "1.00 to 1.31") and of the stated limits ``band`` ("0.797", never "0.80"
    for a limit of 0.8: item 23a wrote "0.80" beside a verdict that the interval
    reaches beyond it until wave 41). Tested in ``tests/unit/test_tripod.py``."""
    return shown_estimate(*table.loc[measure, ["estimate", "ci_lower", "ci_upper"]],
                          digits=2, null=CALIBRATION_NULL[measure], avoid=tuple(band))


def missing_handling(dev: pd.DataFrame, val: pd.DataFrame, spec: Any, *, copies: int,
                     count: Callable[[int], str]) -> str:
    """Item 11: each predictor with a missing value, the people missing it in each
    cohort (``count``: protected, as the missing-data table shows them) and what was
    done; generated from the cohorts as the model used them
    (:func:`lifetools.reports.crisis_parts.with_missing_predictors`). It named HoNOS
    alone while unknown ethnicity, area and sex were coded to reference categories
    until wave 43 (issue 19). Tested in ``tests/unit/test_tripod.py``."""
    imputed = imputed_predictors(pd.concat([dev, val]), spec)
    if not imputed:
        return "No predictor value missing in the model: nothing imputed."
    parts = "; ".join(f"{label(c)} {count(int(dev[c].isna().sum()))} "
                      f"({count(int(val[c].isna().sum()))})" for c in imputed)
    return (f"People with a predictor missing in development (validation): {parts}. "
            "No unknown value is coded to a reference category: "
            f"{format_value(copies, kind='magnitude')} imputations by chained equations "
            "(predictive mean matching, with the other predictors and the outcome) of "
            "each cohort; coefficients and performance pooled by Rubin's rules.")


def missing_use(dev: pd.DataFrame, val: pd.DataFrame, spec: Any) -> str:
    """Item 27a: what happens when a predictor is unavailable where the model is used,
    from what the report imputed: the imputed predictors' names, and the other
    predictors, never missing by their definition, whose missing value stops the model
    (:meth:`lifetools.prediction.FrozenModel.design` raises). Tested in
    ``tests/unit/test_tripod.py``."""
    imputed = imputed_predictors(pd.concat([dev, val]), spec)
    others = [c for c in spec.columns if c not in imputed]
    stop = (f"The other predictors ({', '.join(label(c) for c in others)}) are never "
            "missing by their definition; a missing value of one stops the model with an "
            "error.")
    if not imputed:
        return stop
    return (f"{', '.join(label(c) for c in imputed)}: imputed in the validation cohort "
            "as in development, with its own outcome in the imputation model (to measure "
            "performance); a user applying the model to a person whose value is unknown "
            "must impute it without the outcome, which this report does not provide. "
            + stop)


def tripod_meta(run: CrisisRun) -> dict[str, Any]:
    """What the checklist's templates read, from what the report computed: counts
    protected, numbers through the one formatter (:func:`tripod_checklist`)."""
    development, validation, spec, fit = run.development, run.validation, run.spec, run.fit
    dev, val, dev_copies, size = run.dev, run.val, run.dev_copies, run.size
    t, boot, frozen, parameters = run.performance, run.boot, run.frozen, run.parameters
    ridge, lasso, zeros, lasso_drawn = run.ridge, run.lasso, run.zeros, run.lasso_drawn
    slope_band, citl_band, thresholds = run.slope_band, run.citl_band, run.thresholds
    release, fg_release, drift = run.release, run.fg_release, run.drift
    # in brief: the location column names the section that says it all
    internal_method, min_count = run.internal_brief, run.min_count
    c_sides = kept_sides("c")  # a C-statistic's limits keep their side of 0.5 and 1

    def count(n: int) -> str:
        shown = protect_count(n)
        return "[c]" if shown is None else format_value(shown, kind="count")

    def calibration(measure: str) -> str:
        return calibration_text(t, measure, {"slope": slope_band, "citl": citl_band}[measure])

    return {
        # dates in words, by the pages' one date formatter ("1 April 2024")
        "horizon_days": CRISIS_HORIZON_DAYS,
        "development_date": format_value(development.index_date, kind="date"),
        "validation_date": format_value(validation.index_date, kind="date"),
        "validation_period": run.validation_period,
        "c_validation": model_text(release, shown_estimate(
            *t.loc["c", ["estimate", "ci_lower", "ci_upper"]], digits=2, **c_sides)),
        "performance": model_text(release, (
            f"Optimism-corrected C in {run.development_period} "
            f"{shown_estimate(boot.corrected('c'), *boot.interval('c'), digits=2, **c_sides)}"
            f"; in {run.validation_period}, C "
            f"{shown_estimate(*t.loc['c', ['estimate', 'ci_lower', 'ci_upper']], digits=2, **c_sides)}"
            f", calibration slope {calibration('slope')}"
            f", calibration-in-the-large {calibration('citl')}.")),
        "fairness_groups": ", ".join(
            g if g[1:2].isupper() else g.lower()
            for g in (v.split(" (")[0] for v in FAIRNESS_GROUPS.values())),
        "outcome": "A mental-health-related A&E attendance or an emergency admission with an "
                   "ICD-10 F-chapter primary diagnosis",
        "competing": "Death before a crisis: no crisis in the logistic model (cumulative "
                     "incidence with death competing); a competing event in the Fine-Gray "
                     "model.",
        "predictors": "; ".join(label(c) for c in spec.columns), "parameters": parameters,
        # the design quantity as the page's sentence and table state it (1,158),
        # never a count rounded to 5 (1,160 until wave 41)
        "required_people": (
            f"at least {required_size(size.n)} people needed (Riley et al. 2020)"
            if size is not None else
            f"the minimum sample size (Riley et al. 2020) is {hidden_size(run.size_why)}"),
        "development_people": count(len(dev)),
        "development_crises": cohort_crises(dev),
        "validation_people": count(len(val)),
        "validation_crises": cohort_crises(val),
        "overlap": overlap_text(dev, val),
        "missing_handling": missing_handling(dev, val, spec, copies=len(dev_copies),
                                             count=count),
        "missing_use": missing_use(dev, val, spec),
        "splines": "; ".join(
            f"{label(c)}: restricted cubic spline, {format_value(k, kind='magnitude')} "
            "knots at " + (", ".join(format_value(v, kind="estimate", digits=2)
                                     for v in frozen.knots[c]) + " (" if release.released
                           else "")
            + "Harrell's centiles " + ", ".join(setting_text(q) for q in rcs_centiles(k))
            + (")" if release.released else " (their values withheld with the model)")
            for c, k in spec.splines.items()),
        "estimator": f"{fit.method['estimator']} (factor "
                     f"{format_value(frozen.shrinkage, kind='estimate', digits=2)})"
                     if release.released else
                     f"{fit.method['estimator']} (its factor withheld with the model)",
        "internal_method": internal_method,
        "slope_band": f"{setting_text(slope_band[0])} to {setting_text(slope_band[1])}",
        "citl_band": f"{setting_text(citl_band[0])} to {setting_text(citl_band[1])}",
        "comparison": "Ridge and lasso logistic, penalties chosen by cross-validation, "
                      "validated the same way (their numbers withheld with the model); a "
                      "Fine-Gray model at 12 months." if not release.released else
                      f"Ridge logistic, penalty {setting_text(ridge.penalty)} by "
                      "cross-validation, "
                      "validated the same way; lasso logistic, penalty "
                      # as the page writes it ("0.00196", not "0.00195831": wave 34)
                      f"{compose('{p}', p=penalty_estimate(lasso.penalty))} by "
                      "cross-validation, "
                      f"{format_value(parameters - zeros, kind='magnitude')} coefficients "
                      f"kept and {format_value(zeros, kind='magnitude')} removed, validated "
                      "the same way (the penalty re-chosen in each of "
                      f"{format_value(lasso_drawn, kind='magnitude')} bootstrap samples); "
                      "a Fine-Gray model at 12 months.",
        "min_events": min_count,
        "thresholds": " to ".join(format_value(100 * t, kind="percentage", digits=0)
                                  for t in (min(thresholds), max(thresholds))),
        "release": "published" if release.released else f"withheld: {release.headline}",
        "fine_gray_release": "published" if fg_release.released
                             else f"withheld: {fg_release.headline}",
        "drift_verdict": model_text(release, drift.verdict),
    }
