"""Parts of the crisis-risk report: the cohort's model, its imputed copies and the
participant tables (missing predictors, characteristics).

Kept apart from :mod:`lifetools.reports.prediction` so that each module stays short;
the internal validation is :mod:`lifetools.reports.crisis_internal`, the comparison
and time-to-event models :mod:`lifetools.reports.crisis_models`. Counts are raw here;
the notebook protects them (``show_table`` count columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lifetools.cohort.crisis import FLOW_PARENTS
from lifetools.design_sizes import (
    CRISIS_AGE_KNOTS,
    CRISIS_CV_FOLDS,
    CRISIS_IMPUTATIONS,
    CRISIS_LINEAR_PREDICTORS,
    CRISIS_OPTIONAL_PREDICTORS,
    CRISIS_R2_FRACTION,
    CRISIS_SPLINE_KNOTS,
)
from lifetools.disclosure import (
    Estimate,
    Interval,
    ProtectedTable,
    ProtectedValue,
    SdcProfile,
    compose,
    magnitude_reason,
    protect_flow,
    protect_quantiles,
    protected_count,
    share,
)
from lifetools.disclosure.settings import SAMPLE_SIZE_SETTING
from lifetools.disclosure.text import Parameter, ProtectedText
from lifetools.disclosure.withheld import PRIVACY
from lifetools.formatting import (
    MISSING,
    finite,
    format_date,
    format_interval,
    format_value,
)
from lifetools.labels import TERMS, VALUE_LABELS
from lifetools.prediction import ModelSpec
from lifetools.prediction.imputation import impute_predictors
from lifetools.prediction.splines import rcs_knots

__all__ = ["AGE_KNOTS", "SPLINE_WORDS", "spline_sentence", "COMPARISON_FOLDS",
           "COMPLETE_PREDICTORS", "IMPUTATIONS",
           "flow_published", "planning_prevalence", "planning_share", "PlanningShare",
           "FAIRNESS_GROUPS", "CrisisRun",
           "INTERNAL_METHODS", "MIN_KNOT_VALUES", "MIN_OBSERVED", "characteristics",
           "continuous_characteristics", "crisis_spec", "estimate_text", "flow_table", "imputed_cohort", "missing_table",
           "period_name",
           "penalty_estimate", "required_size", "risk_text", "setting_text", "shown_estimate", "significant_places",
           "with_missing_predictors", "people_in_both", "MISSING_WORDS", "missing_sentence", "UNKNOWN", "UNKNOWN_COLUMN", "imputed_predictors"]

IMPUTATIONS = CRISIS_IMPUTATIONS
"""Imputed copies of each cohort (owned by :mod:`lifetools.design_sizes`)."""
COMPARISON_FOLDS = CRISIS_CV_FOLDS
"""Cross-validation folds choosing the ridge and lasso penalties (:func:`model_comparison`;
owned by :mod:`lifetools.design_sizes`)."""
INTERNAL_METHODS = ("mi-boot", "boot-mi")
"""Internal validation with missing predictors: bootstrap within each imputed copy
(MI-boot, the default) or imputation repeated inside each bootstrap sample (boot-MI)."""
AGE_KNOTS = CRISIS_AGE_KNOTS
"""Knots of the age spline (owned, with the reason for five, by
:data:`lifetools.design_sizes.CRISIS_AGE_KNOTS`)."""
MIN_OBSERVED = 10
"""Fewest recorded HoNOS scores for HoNOS to enter the model (imputed where missing)."""
MIN_KNOT_VALUES = 100
"""Fewest recorded HoNOS scores for HoNOS's spline: its knots are published with the
model, and below 100 values Harrell's rule puts the outer knots on the 5th smallest and
5th largest score (a few people's own values), so HoNOS then enters linearly; the
recorded scores must also pass the magnitude rules a published median of them passes
(:func:`lifetools.disclosure.magnitude_reason`: threshold, dominance)."""
COMPLETE_PREDICTORS = ("age", "years_in_care", "community_team", "prior_ae",
                       "prior_admissions", "life_rooms")
"""Predictors never missing by their definition (a count of none when there are no
records; the team of the open referral; age and time in care from required fields):
always predictors of the imputation model, with the outcome."""
UNKNOWN = {"honos": ("honos_recorded", 0,
                     "no baseline HoNOS score on the open referral"),
           "female": ("sex", "Other or not known",
                      "sex recorded as indeterminate or not known, or blank"),
           "white": ("ethnic_group", "Not known",
                     "ethnic category not stated or not known, or blank"),
           "imd_q1": ("imd_quintile", "Not known",
                      "no area (LSOA) recorded, or an area with no IMD quintile")}
"""The predictors that can be unknown: the cohort's column and value that mark a person
whose value is unknown, and the words saying what counts as unknown (words, not the
codes 9, X, Z and 99: the publish gate reads a code in a table cell as an unprotected
number). Each is set
missing (:func:`with_missing_predictors`) and multiply imputed
(:func:`imputed_cohort`), never coded to a reference category: the cohort's 0/1 columns
count an unknown as 0 ("not White", "not quintile 1", male), which mixes the unknown
with the reference group (PROBAST 4.4; until wave 43 the model used them so, while the
missing-data table said "none missing": issue 19)."""
FAIRNESS_GROUPS = {"sex": "Sex", "ethnic_group": "Ethnic group",
                   "imd_quintile": "IMD quintile (1 = most deprived)"}
"""The fairness table's groupings: column and its words."""

def period_name(start: str | pd.Timestamp, end: str | pd.Timestamp) -> str:
    """The words naming a period the report computed: "2024-25" for a financial year
    (1 April to 31 March), else its dates ("1 May 2024 to 30 April 2025").

    The crisis report's labels name the development and validation periods this way,
    never "the next edition" (on the last edition there is no next one).
    """
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if (first.month, first.day, last.month, last.day) == (4, 1, 3, 31) \
            and last.year == first.year + 1:
        return f"{first.year}-{str(last.year)[-2:]}"
    return f"{format_date(first)} to {format_date(last)}"


def with_missing_predictors(data: pd.DataFrame) -> pd.DataFrame:
    """The cohort with each predictor of :data:`UNKNOWN` missing (NaN) where the
    person's value is not known: HoNOS where not recorded, sex, ethnic group and the
    most deprived fifth where the cohort's group column says "Not known" (a column
    the data do not have is left as it is). Tested in
    ``tests/unit/test_prediction_imputation.py``."""
    out = data.copy()
    for col, (marker, unknown, _) in UNKNOWN.items():
        if col in out and marker in out:
            out[col] = out[col].astype(float).where(out[marker] != unknown)
    return out


def crisis_spec(data: pd.DataFrame) -> ModelSpec:
    """The prespecified model of the development cohort ``data`` (unknowns missing:
    :func:`with_missing_predictors`).

    HoNOS enters as a restricted cubic spline of
    :data:`~lifetools.design_sizes.CRISIS_HONOS_KNOTS` knots placed by Harrell's rule on
    the recorded scores (``ModelSpec.knots``): fixed before imputation, so every
    imputed copy, bootstrap sample and comparison model builds its basis from its own
    imputed scores with the same knots (passive imputation: the score is imputed, then
    the basis made), and frozen with the model applied to the next edition. HoNOS is
    left out when fewer than ``MIN_OBSERVED`` are recorded, or no more than its
    imputation model's parameters (the other predictors, the outcome and an
    intercept, every predictor counted though the imputation leaves out a constant one,
    so at 10 or 11 recorded scores HoNOS may be left out where it could be imputed: no
    residual degrees of freedom to impute it), and enters linearly when
    fewer than :data:`MIN_KNOT_VALUES` are recorded, when the recorded scores fail the
    magnitude rules a published median of them must pass (the knots are published with
    the model: a knot must not be a few people's own score), or when they are too few
    distinct values for three distinct knots. Until
    wave 44 HoNOS entered linearly (issue 19). Tested in
    ``tests/unit/test_prediction_honos_spline.py``.
    """
    observed = data["honos"].dropna().to_numpy(dtype=float)
    splines = {p: k for p, k in CRISIS_SPLINE_KNOTS.items()
               if p not in CRISIS_OPTIONAL_PREDICTORS}
    linear = CRISIS_LINEAR_PREDICTORS
    knots: dict[str, tuple[float, ...]] = {}
    # its imputation model (a linear model of it on the other predictors, the outcome
    # and an intercept) needs more recorded scores than parameters: with no residual
    # degrees of freedom statsmodels' draw of its parameters failed ("SVD did not
    # converge": a 600-person extract's 20-person cohort, wave 50)
    imputation_parameters = len(splines) + len(linear) + 2
    if len(observed) >= MIN_OBSERVED and len(observed) > imputation_parameters:
        honos_knots = (_knots_or_none(observed, CRISIS_SPLINE_KNOTS["honos"])
                       if len(observed) >= MIN_KNOT_VALUES
                       and not magnitude_reason(observed) else None)
        if honos_knots is None:
            linear = (*linear[:4], "honos", *linear[4:])
        else:
            splines["honos"] = CRISIS_SPLINE_KNOTS["honos"]
            knots["honos"] = honos_knots
    return ModelSpec("crisis", splines=splines, linear=tuple(linear), knots=knots)


def _knots_or_none(values: np.ndarray, n_knots: int) -> tuple[float, ...] | None:
    """Harrell's knots of ``values``, or None when they are not ``n_knots`` distinct."""
    try:
        knots = rcs_knots(values, n_knots)
    except ValueError:
        return None
    return knots if len(knots) == n_knots else None


def imputed_cohort(data: pd.DataFrame, spec: ModelSpec, *, m: int, seed: int
                   ) -> list[pd.DataFrame]:
    """``m`` imputed copies of a crisis cohort (one copy when nothing needs imputing).

    Notes
    -----
    Every predictor of the model with a missing value (:func:`imputed_predictors`:
    HoNOS, sex, ethnic group, the most deprived fifth) is imputed by chained equations
    with predictive mean matching (a 0/1 predictor takes an observed 0 or 1) from the
    complete predictors, the other imputed ones and the outcome
    (:func:`lifetools.prediction.imputation.impute_predictors`); HoNOS is missing
    mostly by team type, which is in the imputation model (missing at random given the
    predictors and outcome is assumed for all of them). HoNOS left out of the model
    (too few recorded) is filled with 0 and not imputed. HoNOS's spline basis is not
    imputed: each copy's design is made from its imputed score (passive imputation),
    with the knots :func:`crisis_spec` fixed on the recorded scores.
    """
    data = data.assign(honos=data["honos"].fillna(0.0)) if "honos" not in spec.columns \
        else data
    impute = imputed_predictors(data, spec)
    if not impute:
        return [data.assign(honos=data["honos"].fillna(0.0))]
    complete = [c for c in (*COMPLETE_PREDICTORS, *UNKNOWN)
                if c in spec.columns and c not in impute]
    return impute_predictors(data, impute=impute, predictors=complete,
                             outcome_col="crisis", m=m, seed=seed)


def imputed_predictors(data: pd.DataFrame, spec: ModelSpec) -> list[str]:
    """The model's predictors that ``data`` has a missing value of (imputed by
    :func:`imputed_cohort`), in the model's order."""
    return [c for c in spec.columns if c in UNKNOWN and data[c].isna().any()]

def estimate_text(value: float, low: float = float("nan"), high: float = float("nan"), *,
                  digits: int = 3, missing: str = MISSING, null: float | None = None,
                  avoid: tuple[float, ...] = ()) -> str:
    """An estimate with its interval, or alone when it has none ("0.712 (0.690 to
    0.733)", "0.181"), through the one number formatter
    (:func:`lifetools.formatting.format_value`): a zero never reads "-0.000";
    ``missing`` when the estimate is missing or not finite. ``null``: the value of no
    difference, which a limit that would round onto it keeps its side of ("1.16 (0.998
    to 1.31)" for a calibration slope, never "1.00 to 1.31"); ``avoid``: the limits
    the report states for it, which a limit keeps its side of too ("0.797", never
    "0.80" for a stated limit of 0.8: :func:`lifetools.formatting.format_bounds`)."""
    if finite(value) is None:
        return missing
    if finite(low) is None or finite(high) is None:
        return format_value(value, kind="estimate", digits=digits)
    return format_interval(value, low, high, kind="estimate", digits=digits, null=null,
                           avoid=avoid)


def risk_text(value: float, low: float = float("nan"), high: float = float("nan"), *,
              missing: str = MISSING) -> Any:
    """A risk (a share of people held from 0 to 1: a mean predicted risk, a cumulative
    incidence) in a table's cell, in per cent to 1 decimal place with its interval
    ("24.5% (22.4% to 26.7%)"), as :func:`lifetools.formatting.format_interval` with
    ``kind="proportion"`` writes it in a sentence; alone when it has no interval
    ("24.5%"); ``missing`` when it is missing or not finite. A degenerate interval
    (limits equal: a small group's certain 0% or 100%) is refused by the release rules
    and left so: shown alone it would state that none or all of a group had the outcome
    (group disclosure); the crisis report on such a group is not yet made (wave 50).

    A protected text of typed parts (an :class:`~lifetools.disclosure.Estimate` and an
    :class:`~lifetools.disclosure.Interval` in per cent), which the publish gate
    re-renders and checks span by span: a per cent sign in a table's words is
    otherwise read as an unprotected share. The crisis page's tables read "0.245
    (0.224 to 0.267)" beside sentences and axes in per cent until wave 41 (issue 15).
    Tested in ``tests/unit/test_prediction_report.py``.
    """
    if finite(value) is None:
        return missing
    estimate = Estimate(100 * float(value), 1, percent=True)
    if finite(low) is None or finite(high) is None:
        return compose("{estimate}", estimate=estimate)
    return compose("{estimate} ({interval})", estimate=estimate,
                   interval=Interval(100 * float(low), 100 * float(high), 1, percent=True))


FMI_COLUMN = "fraction of missing information"
"""The missing-data table's column of the pooled model's output (withheld with it)."""


RUBIN = "Rubin's rules"
"""The term the page first uses in :func:`missing_sentence`, explained there
(:data:`lifetools.labels.TERMS`)."""
def people_in_both(development: pd.DataFrame, validation: pd.DataFrame) -> int:
    """The people in both cohorts (the same ``person_id`` open on both index dates): the
    validation cohort is not a new sample of people, and TRIPOD+AI (items 16 and 20)
    asks how the development and evaluation data differ. Raw: protect before showing
    it. Not reported until wave 43 (issue 19). Tested in
    ``tests/unit/test_prediction_report.py``."""
    return int(np.isin(validation["person_id"].unique(),
                       development["person_id"].unique()).sum())


MISSING_WORDS = {"honos": "the HoNOS score", "female": "sex", "white": "ethnic group",
                 "imd_q1": "the area's deprivation"}
"""The words the page's sentence on missing predictors gives each of :data:`UNKNOWN`."""


def missing_sentence(dev: pd.DataFrame, val: pd.DataFrame, spec: ModelSpec, *,
                     copies: int) -> ProtectedText:
    """The page's sentence on missing predictors, from what was imputed
    (:func:`imputed_predictors` of either cohort): which predictors are not known for
    some people and how they are filled in; or that nothing was missing. The page said
    "HoNOS is missing for many people" alone, by hand, while an unknown sex, ethnic
    group or area was counted in the reference category until wave 43 (issue 19).
    Tested in ``tests/unit/test_prediction_imputation.py``."""
    imputed = imputed_predictors(pd.concat([dev, val]), spec)
    if not imputed:
        return compose("No predictor value is missing in either cohort: nothing is "
                       "imputed.")
    words = [MISSING_WORDS[c] for c in imputed]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return compose(
        f"{listed[0].upper()}{listed[1:]} {'is' if len(words) == 1 else 'are'} not known "
        "for some people (the table below says how many, and what counts as not known). "
        "No unknown value is counted in a reference category: each is filled in {n} "
        "times by multiple imputation (chained equations, with the other predictors and "
        "the outcome), the model is fitted to each copy and the coefficients combined by "
        f"Rubin's rules ({TERMS[RUBIN]}).", n=Parameter(copies, "imputed copies"))


UNKNOWN_COLUMN = "counted as missing"
"""The missing-data table's column saying what makes each predictor missing."""


def missing_table(dev: pd.DataFrame, val: pd.DataFrame, *, spec: ModelSpec,
                  m: int, fmi: float | dict[str, float]) -> pd.DataFrame:
    """People with each predictor missing in each cohort, what counts as missing, and
    how it was handled.

    Each predictor under the words the page shows for it
    (:data:`lifetools.labels.VALUE_LABELS`: "Years in secondary care", not
    ``years_in_care``), in the download too: it held the code names until wave 41
    (issue 15). The counts are of ``dev`` and ``val`` as the model used them, with
    unknowns missing (:func:`with_missing_predictors`): an unknown ethnic group, area
    or sex was coded to the reference category and the table said "none missing"
    until wave 43 (issue 19). ``fmi``: the pooled model's fraction of missing
    information per imputed predictor (a number: HoNOS's); other rows hold no value
    (written ``[x]``, not available)."""
    fractions = fmi if isinstance(fmi, dict) else {"honos": fmi}
    rows = []
    for col in spec.columns:
        missing = bool(dev[col].isna().any() or val[col].isna().any())
        handled = (f"multiple imputation ({format_value(m, kind='magnitude')} copies)"
                   if missing else "none missing")
        rows.append({"predictor": VALUE_LABELS.get(col, col),
                     "missing, development": int(dev[col].isna().sum()),
                     "missing, validation": int(val[col].isna().sum()),
                     UNKNOWN_COLUMN: UNKNOWN[col][2] if col in UNKNOWN else "never missing",
                     "handling": handled,
                     FMI_COLUMN: (
                         format_value(fractions[col], kind="estimate", digits=2)
                         if missing and m > 1 and col in fractions else "")})
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


def continuous_characteristics(dev: pd.DataFrame, val: pd.DataFrame) -> ProtectedTable:
    """Medians and quartiles of the continuous predictors by cohort (TRIPOD+AI 20b),
    under the magnitude rules (:func:`lifetools.disclosure.protect_quantiles`).

    Quartiles, not ranges: no extreme (single-person) value is shown. Built as plain
    text until wave 36, which the gate read as row labels (issue 12).
    """
    # each predictor under the one label its coefficients and missing-data tables give
    # it (the page called prior_ae two things until wave 36)
    continuous = {"age": VALUE_LABELS["age"], "years_in_care": VALUE_LABELS["years_in_care"],
                  "honos": f"{VALUE_LABELS['honos']}, where recorded",
                  "prior_ae": VALUE_LABELS["prior_ae"]}
    return protect_quantiles({"development": dev, "validation": val}, continuous)


def shown_estimate(value: float, low: float = float("nan"), high: float = float("nan"),
                   digits: int = 3, null: float | None = None,
                   avoid: tuple[float, ...] = ()) -> str:
    """A report estimate with its interval, 3 decimal places; "could not be estimated"
    (:data:`lifetools.formatting.MISSING`) when missing: a withheld model's estimates
    are ``[x]`` with the table's note (:func:`lifetools.reports.crisis_results.
    model_table`), never "not shown" in each row (wave 22)."""
    return estimate_text(value, low, high, digits=digits, null=null, avoid=avoid)


def significant_places(value: float, figures: int = 6) -> int:
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


def setting_text(value: float) -> str:
    """A setting or a chosen penalty written as ``f"{value:g}"`` wrote it."""
    return format_value(value, kind="estimate", digits=significant_places(value))


def required_size(n: int) -> ProtectedText:
    """The minimum development sample size (Riley et al. 2020) as every place of the
    page states it: exactly, with thousands separators ("1,158"), as the sample-size
    table's "people needed" writes its largest criterion (both through
    :func:`lifetools.signs.fixed`).

    A design quantity the report computes from its settings and the development
    cohort's share with a crisis, not a count of people in the data: a
    :class:`~lifetools.disclosure.text.Parameter` of the setting
    :data:`~lifetools.disclosure.settings.SAMPLE_SIZE_SETTING`, which the publish gate
    verifies (a whole number no smaller than Riley's criteria can ask of the model),
    never rounded as a count. The sentence said "needed 1,160" (rounded to 5 as a
    count) above a table of 1,158 at 30,000 people, and the TRIPOD+AI checklist and
    ``results.json`` said 1,160 too (issue 15, wave 41). Tested in
    ``tests/unit/test_prediction_report.py``.
    """
    return compose("{n}", n=Parameter(int(n), SAMPLE_SIZE_SETTING))


def planning_prevalence(events: ProtectedValue, people: ProtectedValue, *,
                        profile: str | SdcProfile | None = None) -> float | None:
    """The share with a crisis the minimum sample size is computed from: the
    development cohort's published crises over its published people (the participant
    flow's cells, :func:`flow_published`) as a proportion, or ``None`` when the share
    is not published or is none or all of them.

    The share is :func:`lifetools.disclosure.share` of the two counts, the one maker of
    a published share: hidden when either count is, and, under a profile that rules
    group disclosure (every built-in one), when it reads as none or all of the cohort
    as written (0.0% or 100.0%), so also at 10 crises as published among more than
    20,000 people, where the copy of its rules kept here until wave 42 gave a size. Its published numerator
    over its published denominator, not its per cent over 100, so the size is the
    share's to the last bit. Under a profile without group disclosure a share of none
    or all is published, but it still gives ``None``: Riley's criteria are undefined at
    0 or 1 (criterion (iii)'s ``phi (1 - phi)`` is 0, the R-squared's bound
    ``1 - exp(2 ln L0 / n)`` takes the log of 0).

    Riley et al.'s criteria take an anticipated outcome proportion; from the exact one
    the sample-size table (criterion (iii), ``(1.96 / 0.05)^2 phi (1 - phi)``, and every
    criterion's events per parameter to one decimal place) gave the cohort's share with
    a crisis to about four significant figures, and with the published people the
    exact count of crises, rounded to 5 everywhere else (wave 41). Tested in
    ``tests/unit/test_crisis_flow.py``.
    """
    return planning_share(events, people, profile=profile).value


@dataclass(frozen=True)
class PlanningShare:
    """The share the minimum sample size is computed from (:func:`planning_share`):
    ``value``, a proportion, or ``None`` with ``why``: the words saying what was hidden,
    or why the criteria are undefined, generated from the counts and the share as
    published."""

    value: float | None
    why: str = ""


def planning_share(events: ProtectedValue, people: ProtectedValue, *,
                   profile: str | SdcProfile | None = None) -> PlanningShare:
    """:func:`planning_prevalence` with why there is none, made from what was hidden.

    ``why`` names what the page does not show, never the rule that hid it (the reason
    of one value narrows it, :mod:`lifetools.disclosure.withheld`): the count of people
    with a crisis, the count of people, or both, when the flow hides them; the share,
    when both counts are shown and the share of them is not (it reads as none or all
    of the cohort: :func:`lifetools.disclosure.share`); that the cohort has no one in
    it; or, under a profile that publishes a share of none or all, that Riley's
    criteria are undefined at it. The sentence said "the count of people with a crisis
    is hidden" in every case until wave 43, beside a flow that showed that count when
    the share was hidden or the people's count was. Each case is tested in
    ``tests/unit/test_crisis_flow.py``.
    """
    published = share(events, people, profile=profile)
    k, n = published.numerator, published.denominator
    if published.value is not None and k is not None and n is not None and 0 < k < n:
        return PlanningShare(k / n)
    crises = _shown(events, profile) is None
    cohort = _shown(people, profile) is None
    if crises or cohort:
        what = ("the counts of people in it and of people with a crisis are"
                if crises and cohort else "the count of people with a crisis is"
                if crises else "the count of people in it is")
        return PlanningShare(None, f"{what} {PRIVACY}")
    if n == 0:
        return PlanningShare(None, "the cohort has no one in it")
    if published.value is None:
        return PlanningShare(None, f"that share is {PRIVACY}")
    return PlanningShare(None, "it is " + ("none" if k == 0 else "all") + " of the "
                         "cohort, where Riley's criteria are not defined")


def _shown(count: Any, profile: str | SdcProfile | None) -> Any:
    """A count's value as published (``None`` when hidden): a protected count's, or a
    raw count's once protected, as :func:`lifetools.disclosure.share` reads it."""
    return (count if isinstance(count, ProtectedValue)
            else protected_count(int(count), profile=profile)).value


def penalty_estimate(penalty: float) -> Estimate:
    """A penalty chosen by cross-validation, written to three significant figures.

    It is an estimate (chosen on the data), not a setting: its value depends on the
    cohort, so it is published as an :class:`~lifetools.disclosure.Estimate`.
    """
    value = float(penalty)
    digits = 2 - int(np.floor(np.log10(abs(value)))) if value else 2
    return Estimate(value, digits=max(digits, 1))


@dataclass(frozen=True)
class CrisisRun:
    """What :func:`lifetools.reports.prediction.analyse_crisis_risk` computed, as the
    key results (:func:`lifetools.reports.crisis_results.key_results`) and the TRIPOD+AI
    metadata (:func:`lifetools.reports.tripod.tripod_meta`) read it; counts raw."""

    development: Any  # CrisisCohort
    validation: Any
    dev: pd.DataFrame  # development cohort, HoNOS missing where not recorded
    val: pd.DataFrame
    spec: ModelSpec
    fit: Any  # the pooled imputed fit
    size: Any  # minimum_sample_size; None when the share it needs is not published
    dev_copies: list[pd.DataFrame]
    boot: Any  # BootstrapValidation of the internal validation
    internal: str
    internal_method: Any  # its sentence
    internal_brief: Any  # the sentence in one clause (methods list, TRIPOD+AI 12c)
    internal_calibration_method: Any  # which bootstrap corrected the curve, and why
    reliability: Any  # FitReliability
    ridge: Any
    lasso: Any
    release: Any  # ModelRelease of the shrunk logistic model
    fg: Any  # FineGrayPart
    fg_release: Any
    performance: pd.DataFrame  # pooled temporal performance indexed by measure
    drift: Any
    slope_band: tuple[float, float]
    citl_band: tuple[float, float]
    thresholds: tuple[float, ...]
    min_count: int
    development_period: str  # its name (:func:`period_name`): "2023-24"
    validation_period: str
    r2_fraction: float = CRISIS_R2_FRACTION
    """The anticipated Cox-Snell R-squared of the sample size, as a fraction of its
    maximum (stated on the page whether or not the size is shown)."""
    size_why: str = ""
    """Why ``size`` is ``None`` (:attr:`PlanningShare.why`); "" when it is computed."""
    fairness: pd.DataFrame | None = None
    """The fairness rows (:func:`lifetools.prediction.performance_by_group`, with
    ``characteristic``) whose calibration-in-the-large the page's table shows."""

    @property
    def frozen(self) -> Any:
        return self.fit.frozen

    @property
    def parameters(self) -> int:
        return len(self.fit.frozen.terms)

    @property
    def zeros(self) -> int:
        return int(self.lasso.method["zero_coefficients"])

    @property
    def lasso_drawn(self) -> int:
        return int(self.lasso.method["bootstrap_samples"]
                   + self.lasso.method["bootstrap_failed"])


FLOW_COUNTS = ("development", "validation")
"""The count columns of the participant flow: people at each step, by cohort."""


def flow_published(flow: ProtectedTable, cohort: Any, row: int,
                   column: str = FLOW_COUNTS[1]) -> ProtectedValue:
    """A count of the cohort as the flow table publishes it: a protected count, hidden
    (``value`` ``None``) where the flow hides its cell, so that a number computed from
    it (the decision curve's net benefit of treating everyone) is hidden with it and
    is the flow's number by construction.

    ``cohort``: the :class:`lifetools.cohort.crisis.CrisisCohort` whose flow the table
    protects; ``row``: its row (``cohort.people_row``, ``cohort.crisis_row``: found by
    the step's words). Until wave 41 the row was a fixed place and the count was
    matched to it by value, the raw count passed on when they differed.

    Raises
    ------
    ValueError
        When the table is not this cohort's flow (another number of rows).
    """
    if len(flow) != len(cohort.flow):
        raise ValueError(f"the flow table has {len(flow)} rows, the cohort's flow "
                         f"{len(cohort.flow)}: not this cohort's flow")
    return flow.count_at(row, column)


def flow_table(development: Any, validation: Any) -> ProtectedTable:
    """The participant flow of both cohorts (people at each step, a column a cohort) as
    protected counts.

    ``development``, ``validation``: the cohorts (:class:`lifetools.cohort.crisis.
    CrisisCohort`), whose ``flow`` holds the raw counts. Made here by
    :func:`lifetools.disclosure.protect_flow`, suppressed and rounded as every other
    published count is, so that the report holds no raw count of the flow and the
    table's stamp records its count columns for the publish gate; the notebook shows it
    as it is. Each row is a subset of the row above, so each step's excluded count (the
    people who died before the index date; the crisis and death rows are disjoint parts
    of the people alive, :data:`lifetools.cohort.crisis.FLOW_PARENTS`) is protected as
    a count too. Tested in
    ``tests/unit/test_crisis_flow.py``.
    """
    raw = development.flow.rename(columns={"n": FLOW_COUNTS[0]}).assign(
        **{FLOW_COUNTS[1]: validation.flow["n"]})
    return protect_flow(raw, FLOW_COUNTS, parents=FLOW_PARENTS[:len(raw)])


SPLINE_WORDS = {"age": "age", "years_in_care": "time in care", "honos": "HoNOS"}
"""The crisis model's spline predictors in the page's words (:func:`spline_sentence`)."""


def spline_sentence(splines: dict[str, int]) -> Any:
    """The model's form, from its spec's splines (``ModelSpec.splines``: each continuous
    predictor and its number of knots): "Logistic regression with restricted cubic
    splines for age (5 knots) and time in care (3 knots)". The page typed the knots
    until wave 23 (issue 15). Tested in ``tests/unit/test_crisis_wording.py``."""
    if not splines:
        return compose("Logistic regression with every continuous predictor linear")
    parts = {f"p{i}": Parameter(k, "spline knots") for i, k in enumerate(splines.values())}
    each = [f"{SPLINE_WORDS.get(name, name.replace('_', ' '))} ({{p{i}}} knots)"
            for i, name in enumerate(splines)]
    listed = each[0] if len(each) == 1 else ", ".join(each[:-1]) + " and " + each[-1]
    return compose(f"Logistic regression with restricted cubic splines for {listed}",
                   **parts)
