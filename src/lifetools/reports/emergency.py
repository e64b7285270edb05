"""The emergency care report: A&E attendances and emergency admissions.

The comparison with non-users (propensity designs, their difference-in-differences,
common support in words) is :mod:`lifetools.reports.comparison`; the wellbeing report is
:mod:`lifetools.reports.wellbeing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lifetools.cohort import CohortSpec, build_person_time
from lifetools.cohort.person_time import FLOW_PARENTS, LOCALITY_PREFIX
from lifetools.dataset import Dataset
from lifetools.disclosure import (
    Duration,
    Estimate,
    ModelRelease,
    Parameter,
    ProtectedTable,
    combine_estimates,
    compose,
    model_release,
    protect_flow,
    protected_count,
)
from lifetools.disclosure.text import ProtectedText, join
from lifetools.disclosure.withheld import (
    CONFIDENTIAL,
    NOTHING_SAID,
    PRIVACY,
    Said,
    WithheldReason,
)
from lifetools.inequality import equity_summary, rates_by_group
from lifetools.labels import listed, with_words
from lifetools.regression import (
    calibration_points,
    compare_before_after,
    e_values,
    fit_logistic,
    fit_poisson,
)
from lifetools.reports.comparison import (
    DESIGNS,
    OUTCOMES,
    compare_with_non_users,
    matching_sentence,
    support_sentence,
    term_numbers,
)
from lifetools.reports.sentences import (
    C_JUDGE,
    C_STATISTIC,
    interval_result,
    no_e_value_sentence,
    not_shown_sentence,
    plain_reason,
    reason_result,
    reason_text,
    result_sentence,
)
from lifetools.result_names import EmergencyName, derived
from lifetools.tables import (
    E_VALUE_HEADER,
    e_value_cells,
    estimate_row_name,
    table_estimates,
)

__all__ = ["PAGE_ORDER", "EmergencyReport", "analyse_emergency_care", "estimates_table",
           "fewest_events", "rate_table", "release_checks", "release_estimates"]

PAGE_ORDER = (EmergencyName.DID_AE_SENTENCE, EmergencyName.BEFORE_AFTER_AE_SENTENCE,
              EmergencyName.DID_AE_WEIGHTED_SENTENCE, EmergencyName.DID_ADMISSIONS_SENTENCE,
              "rate-ratios")
"""The page's parts in the order the rate-ratio table's pointers to reasons given above
assume (:func:`stated_reasons`: the summary's ratio sentences before the table): each a
key result's name, glued, or a table's. Checked against the notebook by
``tests/notebooks/test_page_order.py``."""

PREDICTION_CONTINUOUS = ("age_per_10", "baseline_ae", "baseline_admissions")
"""Covariates of the A&E prediction model that enter it as one linear term (age and the
baseline rates): the release check counts them as one level, not as categories."""


def rate_table(periods: pd.DataFrame, outcome: str) -> ProtectedTable:
    """Rates per person-year by group and period, from protected counts, with CIs."""
    data = periods.assign(period=periods["after"].map(
        {0: "Before the index date", 1: "After the index date"}))
    table = rates_by_group(data, group_col=["group", "period"], event_col=outcome,
                           person_time_col="person_years")
    return table[["group", "period", "people", "events", "person_years", "rate",
                  "ci_lower", "ci_upper"]].sort_values(["group", "period"],
                                                       ascending=[True, False])


@dataclass(frozen=True)
class EmergencyReport:
    """Everything the emergency care report shows (raw counts: protect when shown; the
    participant flow protected where it is made, each step's excluded count with it:
    :func:`lifetools.disclosure.protect_flow` with the cohort's
    :data:`~lifetools.cohort.person_time.FLOW_PARENTS`)."""

    flow: ProtectedTable
    balance: pd.DataFrame
    balance_weighted: pd.DataFrame
    rates: dict[str, ProtectedTable]
    estimates: pd.DataFrame
    equity: Any
    prediction: Any
    key_results: tuple[dict[str, Any], ...]
    person_time: Any = field(repr=False, default=None)
    estimates_table: pd.DataFrame = field(repr=False, default=None)
    released: ProtectedTable | None = None
    """``estimates`` as released by the model release check (what pages show)."""
    equity_estimates: ProtectedTable | None = None
    """``equity.summary`` as released by the model release check."""
    prediction_release: Any = None
    """The A&E prediction model's release check (None when the fit failed)."""

    @property
    def calibration(self) -> pd.DataFrame:
        """The prediction model's calibration table; empty when the model is withheld
        or could not be fitted (the page then shows no points, and says why)."""
        return _released_calibration(self.prediction, self.prediction_release)


def _released_calibration(prediction: Any, release: Any) -> pd.DataFrame:
    """:attr:`EmergencyReport.calibration` from the model and its release check."""
    table = prediction.extra.get("calibration_table") if prediction.estimable else None
    if table is None or release is None or not release.released:
        return pd.DataFrame({"predicted": [], "observed": []}, dtype=float)
    return table


def _with_e_values(estimates: pd.DataFrame) -> pd.DataFrame:
    """Add the E-value of each ratio and of its confidence limit nearest 1."""
    def usable(e: float, lo: float, hi: float) -> bool:
        # a degenerate fit that no flag caught (NaN or infinite limits) has no E-value;
        # its row reads "could not be estimated" in the table
        values = np.array([e, lo, hi], dtype=float)
        return bool(np.isfinite(values).all() and (values > 0).all() and lo <= e <= hi)

    pairs = [e_values(e, lo, hi) if pd.isna(f) and usable(e, lo, hi) else (np.nan, np.nan)
             for e, lo, hi, f in zip(estimates["estimate"], estimates["ci_lower"],
                                     estimates["ci_upper"], estimates["failure"],
                                     strict=True)]
    return estimates.assign(e_value=[a for a, _ in pairs],
                            e_value_ci=[b for _, b in pairs])


def estimates_table(released: ProtectedTable, said: Said = NOTHING_SAID
                    ) -> pd.DataFrame:
    """Publication table of the released rate ratios: CI, p-value, E-values, or why not.

    ``released``: the rate ratios as released by the model release check
    (:func:`release_estimates`); a row that could not be estimated or was withheld
    reads why, with no p-value or E-value (its E-value ``[c]`` where the model release
    rule withheld it, as its estimate: :func:`~lifetools.tables.e_value_cells`).
    ``said``: what the page's summary said of its rows (:func:`stated_reasons`), which
    the table's note points to instead of repeating
    (:func:`~lifetools.tables.table_estimates`).
    """
    table = table_estimates(released, label="rate ratio", keep=ESTIMATE_LABELS,
                            said=said)
    table[E_VALUE_HEADER] = e_value_cells(released)
    return table


UNADJUSTED = "Unadjusted: users against all non-users, after"
OWN_CONTROL = "Users: after against before (own control)"

MODEL_PARAMETERS = {UNADJUSTED: 2, OWN_CONTROL: 2, DESIGNS["matched"]: 4,
                    DESIGNS["weighted"]: 4}
"""The parameters each published rate ratio's model estimates, for the release check's
residual degrees of freedom (person-periods less these): the unadjusted Poisson model
(``fit_poisson``, constant and user) and the within-person GEE
(``compare_before_after``, constant and after) 2, each difference-in-differences
(``estimate_did``: constant, group, period and their product) 4. The check used to
count the one published row."""


def release_checks(estimates: pd.DataFrame, fitted_to: dict[str, tuple]
                   ) -> dict[tuple[str, str], ModelRelease]:
    """The model release check of each rate ratio, on the rows it was fitted to, by
    its row's ``(outcome, term)``.

    ``fitted_to`` maps a row's ``term`` to (person-periods, level columns); events are
    the outcome's counts; the residual degrees of freedom are the person-periods less
    the model's parameters (:data:`MODEL_PARAMETERS`). A row that failed is withheld
    as not converged.
    """
    outcome_of = {label: key for key, label in OUTCOMES.items()}
    checks = {}
    for index in range(len(estimates)):
        row = estimates.iloc[[index]]
        frame, levels = fitted_to[row["term"].iloc[0]]
        checks[(row["outcome"].iloc[0], row["term"].iloc[0])] = model_release(
            None, data=frame, level_cols=levels, summary=row,
            event_col=outcome_of[row["outcome"].iloc[0]],
            converged=bool(pd.isna(row["failure"].iloc[0])),
            parameters=MODEL_PARAMETERS[row["term"].iloc[0]])
    return checks


def release_estimates(estimates: pd.DataFrame, fitted_to: dict[str, tuple], *,
                      checks: dict[tuple[str, str], ModelRelease] | None = None
                      ) -> ProtectedTable:
    """Each rate ratio through its model release check (:func:`release_checks`; given
    as ``checks`` when the report made them already)."""
    checks = release_checks(estimates, fitted_to) if checks is None else checks
    return combine_estimates([
        checks[(estimates["outcome"].iloc[index], estimates["term"].iloc[index])]
        .estimates(estimates.iloc[[index]]) for index in range(len(estimates))])


AE_JUDGE = {"null": 1.0, "above": "A&E attendances rose more among users than among the "
            "comparison group", "below": "A&E attendances fell more among users than among "
            "the comparison group"}
ADMISSIONS_JUDGE = {"null": 1.0, "above": "emergency admissions rose more among users",
                    "below": "emergency admissions fell more among users"}
OWN_PAST_JUDGE = {"null": 1.0, "above": "users' A&E attendances rose after first contact",
                  "below": "users' A&E attendances fell after first contact"}
"""The verdict's words for users against their own past (no comparison group); its
fewest-events rule reads the users' two published cells, before and after."""


def fewest_events(rates: ProtectedTable, groups: Sequence[str] | None = None) -> int | None:
    """The fewest events of a rate table's group-and-period cells, as published.

    A difference-in-differences rate ratio rests on every one of its four cells (each
    group before and after first contact), so the events behind it, for the verdict's
    fewest-events rule (:func:`lifetools.formatting.verdict`, as the discharge and
    re-referral main points apply it to the events their models count), are those of
    its thinnest cell. Read from the published table (``groups``: only these groups'
    rows), so the number adds nothing to what the page shows; None when a cell is
    hidden (a hidden count counts as too few, as the verdict's rule says).
    Checked by ``tests/unit/test_reports.py``.
    """
    frame = rates.frame
    if groups is not None:
        frame = frame[frame["group"].isin(list(groups))]
    events = pd.to_numeric(frame["events"], errors="coerce")
    if events.empty or events.isna().any():
        return None
    return int(events.min())


def _events_result(fewest: int | None) -> dict[str, Any]:
    """The key result of the matched A&E design's fewest events (for the main point's
    verdict); "not shown" when a cell is hidden, never a count the table hid."""
    # it read "... of the matched comparison (too few and the result is read as too
    # uncertain to tell)", naming the non-users for a count that may be the users'
    # (wave 36)
    label = ("Fewest A&E attendances in any group and period of the matched design "
             "(users or matched non-users, before or after): with too few, the verdict "
             "is too uncertain to tell")
    if fewest is None:
        return {"name": EmergencyName.DID_AE_EVENTS, "value": None, "kind": "text",
                "text": compose("not shown ({why})", why=PRIVACY), "label": label,
                "left_out": CONFIDENTIAL}
    return {"name": EmergencyName.DID_AE_EVENTS, "value": protected_count(fewest),
            "kind": "count", "label": label}


ESTIMATE_LABELS = ["outcome"]
"""The rate-ratio table's label columns before its term (each row is an outcome and a
design: :func:`lifetools.tables.estimate_row_name`)."""


def stated_reasons(rows: Sequence[pd.Series]) -> Said:
    """What the summary's ratio sentences (:func:`_sentence`) state of these released
    rows, each by its name in the rate-ratio table: a fit's failure before its
    release's reason, as they read it."""
    out = NOTHING_SAID
    for row in rows:
        failure, withheld = row.get("failure"), row.get("withheld")
        name = estimate_row_name(row, ESTIMATE_LABELS)
        if isinstance(failure, str) and failure:
            out = out.then(name, failure)
        elif isinstance(withheld, str) and withheld:
            out = out.then(name, withheld)
    return out


def _sentence(name: EmergencyName, row: pd.Series, label: str, *, found: str, missing: str,
              judge: dict[str, Any] | None = None) -> dict[str, Any]:
    """A key result ``<name>_sentence``: the ratio, its interval and verdict in words.

    A ratio whose fit failed gives the failure as its reason, as its key result
    (:func:`_ratio_results`) and the rate-ratio table do, even when the release check
    also withheld it: one reason for one number on the page.
    """
    withheld = row.get("withheld")
    failure = row.get("failure")
    failed = isinstance(failure, str) and bool(failure)
    if isinstance(withheld, str) and withheld and not failed:
        text = not_shown_sentence(missing, plain_reason(withheld))
    else:
        text = result_sentence(
            row.get("estimate"), kind="ratio", found=found, missing=missing,
            interval=(row.get("ci_lower"), row.get("ci_upper")), judge=judge,
            reason=str(failure) if pd.notna(failure) and failure else "")
    return {"name": derived(name, "sentence"), "value": None, "kind": "text", "text": text,
            "label": f"Summary: {label}"}


def _ratio_results(name: EmergencyName, row: pd.Series, label: str,
                   checks: dict[tuple[str, str], ModelRelease] | None = None
                   ) -> list[dict[str, Any]]:
    """Key results of one headline ratio: estimate, interval and E-values.

    A ratio its release check (``checks``, by the row's outcome and term:
    :func:`release_checks`) withheld for a count under its threshold gives its
    ``withheld`` words as a bare reason (:class:`~lifetools.disclosure.withheld.
    WithheldReason`), which its key results write "not shown: <reason>"."""
    withheld = row.get("withheld")
    if pd.notna(row["failure"]) or (isinstance(withheld, str) and withheld):
        check = (checks or {}).get((row.get("outcome"), row.get("term")))
        text = reason_result(f"could not be estimated: {row['failure']}"
                             if pd.notna(row["failure"]) else
                             WithheldReason(withheld) if check is not None and check.too_few
                             else str(withheld))
        return [{"name": name, "value": None, "kind": "text", **text,
                 "label": label},
                {"name": derived(name, "ci"), "value": None, "kind": "text", **text,
                 "label": f"95% CI: {label}"},
                {"name": derived(name, "evalue"), "value": None, "kind": "text", **text,
                 "label": f"E-value: {label}"}]
    low, high = float(row["ci_lower"]), float(row["ci_upper"])
    return [{"name": name, "value": float(row["estimate"]), "kind": "ratio",
             "label": label},
            interval_result(derived(name, "ci"), (low, high), null=1.0,
                            label=f"95% CI: {label}"),
            {"name": derived(name, "evalue"),
             "value": [float(row["e_value"]), float(row["e_value_ci"])], "kind": "text",
             "text": compose("{e} (confidence limit {limit})",
                             e=Estimate(float(row["e_value"])),
                             limit=Estimate(float(row["e_value_ci"]))),
             "label": f"E-value of the estimate (and of its CI limit nearest 1): "
                      f"{label}"}]


def _evalue_sentence(row: pd.Series) -> dict[str, Any]:
    """The E-value of the matched A&E estimate in a sentence (none when not estimated)."""
    # a fit that gave no number "could not be estimated"; a withheld one "not shown"
    failed = isinstance(row.get("failure"), str) and bool(row.get("failure"))
    usable = (pd.isna(row.get("failure")) or not row.get("failure")) and not (
        isinstance(row.get("withheld"), str) and row.get("withheld")) and pd.notna(
        row.get("e_value")) and pd.notna(row.get("e_value_ci"))
    text = (compose("An unrecorded characteristic would have to be associated with both "
                    "Life Rooms use and A&E attendance by a rate ratio of {e} "
                    "(confidence limit {limit}) to explain the matched A&E estimate away "
                    "(E-value; the figure in brackets is for the confidence limit "
                    "nearest no effect).", e=Estimate(float(row["e_value"])),
                    limit=Estimate(float(row["e_value_ci"]))) if usable else
            no_e_value_sentence("the matched A&E estimate", failed=failed))
    return {"name": EmergencyName.DID_AE_EVALUE_SENTENCE, "value": None, "kind": "text",
            "text": text,
            "label": "Summary: E-value of the matched A&E estimate"}


def _balance_sentence(matched: float, weighted: float,
                      outside: Sequence[Any] = ()) -> dict[str, Any]:
    """The largest standardised differences after matching and weighting, in words,
    after who was left outside the common support (:func:`support_sentence`)."""
    def shown(value: float) -> Estimate | None:
        return None if value is None or not np.isfinite(value) else Estimate(value)
    m, w = shown(matched), shown(weighted)
    if m is None or w is None:
        text = compose("Balance on the recorded characteristics could not be measured: the "
                "matching or the weighting did not give a comparison group.")
    else:
        verdict = ("both meet" if max(matched, weighted) < 0.1 else
                   "matching does not meet" if matched >= 0.1 and weighted < 0.1 else
                   "weighting does not meet" if weighted >= 0.1 and matched < 0.1 else
                   "neither meets")
        text = compose("The largest standardised difference in the recorded "
                       "characteristics is {m} after matching and {w} after weighting; "
                       "below {target} is the usual target, which {verdict}.", m=m, w=w,
                       target=Parameter(0.1, "balance target (standardised difference)"),
                       verdict=verdict)
    if outside:
        text = join(" ", [support_sentence(outside), text])
    return {"name": EmergencyName.BALANCE_SENTENCE, "value": None, "kind": "text", "text": text,
            "label": "Summary: balance after matching and weighting"}


def window_words(window_days: int) -> ProtectedText:
    """The before and after windows' length as a page says it: "year" for 365 days
    (the default), else "<n> days" (the run's ``window_days``)."""
    return compose("year") if window_days == 365 else compose(
        "{d}", d=Duration(window_days))


def window_span(window_days: int) -> ProtectedText:
    """A window's length as a span of time: "a year" for 365 days, else "<n> days"
    (the matching sentence's baseline window and the prediction model's outcome)."""
    return compose("a year") if window_days == 365 else window_words(window_days)


def prediction_outcome(window_days: int, *, mostly_short: bool) -> ProtectedText:
    """What the A&E prediction model predicts, as the page says it: any attendance in
    the after window, which :func:`~lifetools.cohort.build_person_time` ends at the
    end of the period, at death or ``window_days`` after the index date, whichever
    comes first. ``mostly_short``: whether most of the model's people were followed
    for less than a whole window (computed by :func:`_prediction_outcome_result`); the
    page then says so. The page said "in the year after the index date" until wave 37,
    when a 30,000-person run followed its 220 users for about 110 person-years after
    their index dates."""
    return compose("any A&E attendance between the index date and the end of the "
                   "period, or death if sooner (at most {most} after the index date"
                   + ("; most people were followed for less" if mostly_short else "")
                   + ")", most=window_span(window_days))


def _prediction_outcome_result(after: pd.DataFrame, window_days: int) -> dict[str, Any]:
    """The key result ``prediction_outcome``: :func:`prediction_outcome` for the
    model's rows (``after``: one after window per person, with ``person_years``)."""
    whole = window_days / 365.25
    short = (after["person_years"] < whole - 0.5 / 365.25).mean() > 0.5 \
        if len(after) else False
    return {"name": EmergencyName.PREDICTION_OUTCOME, "value": None, "kind": "text",
            "text": prediction_outcome(window_days, mostly_short=bool(short)),
            "label": "Methods: the outcome of the A&E prediction model"}


def calibration_sentence(table: pd.DataFrame) -> ProtectedText:
    """What the A&E prediction model's calibration figure shows, in words (the key
    result ``calibration_sentence``): the largest gap between the share who attended and
    the predicted risk over its groups of predicted risk, where, and which way.

    The page promised "apparent discrimination and calibration" and judged only the
    C-statistic, beside a figure whose groups missed by up to 0.15 (wave 37). Read from
    the figure's own data (:func:`lifetools.regression.calibration_points`, which
    :func:`lifetools.plots.plot_calibration` draws and publishes), so the words and the
    figure's download agree. ``table``: the report's ``calibration``
    (empty when the model is withheld or could not be fitted: then nothing is judged,
    and the C-statistic's sentence says why). Tested in ``tests/unit/test_reports.py``.
    """
    if table.empty:
        return compose("Its calibration is not shown either.")
    data = calibration_points(table)
    gap = data["observed"] - data["predicted"]
    at = int(gap.abs().to_numpy().argmax())
    largest = float(gap.iloc[at])
    if round(abs(largest), SENTENCE_DIGITS) == 0:  # "up to 0.00, where fewer ...": none
        return compose(
            "Its calibration (whether the predicted risks matched what happened): in "
            "every group of people by predicted risk, the share who attended A&E matched "
            "the predicted risk, to the decimal places published. Measured on the people "
            "the model was fitted to, this flatters the model.")
    more = largest > 0
    return compose(
        "Its calibration (whether the predicted risks matched what happened): across "
        "groups of people by predicted risk, the share who attended A&E differed from "
        "the predicted risk by up to {gap} percentage points, at a predicted risk of "
        "{risk}, where " + ("more" if more else "fewer") + " attended than predicted. "
        "Measured on the people the model was fitted to, this flatters the model.",
        gap=Estimate(100 * abs(largest), SENTENCE_DIGITS - 1),
        risk=Estimate(100 * float(data["predicted"].iloc[at]), SENTENCE_DIGITS - 1,
                      percent=True))


SENTENCE_DIGITS = 2
"""Decimals of the gap and the risk in :func:`calibration_sentence` as proportions (the
published points' places); a largest gap that rounds to 0 there is said as agreement,
not as "up to 0.0 percentage points" with a direction. A reader sees both as
percentages, with one place fewer ("14.0 percentage points", "34.0%": a risk is a share
of people, ``book/methods/verdicts.md``)."""


_BASELINE_USE = "A&E attendances and admissions in a baseline window"
_TEAM = "the secondary mental-health team (if any) they were open to"
SCORE_WORDS = {"age_per_10": "age", "female": "sex", "white": "ethnicity",
               "imd_q1": "deprivation", "imd_q2": "deprivation",
               "team_a06": _TEAM, "team_other": _TEAM,
               "baseline_ae": _BASELINE_USE, "baseline_admissions": _BASELINE_USE}
"""What the matching sentence says each propensity-score covariate
(:func:`lifetools.cohort.person_time.propensity_covariates`) stands for; a locality
indicator (``locality_*``) is "locality"."""
_SCORE_ORDER = ("age", "sex", "ethnicity", "deprivation", "locality", _TEAM,
                _BASELINE_USE)
"""The order a reader is told the score's covariates in: the baseline window last (its
clause follows it)."""


def score_words(covariates: Sequence[str]) -> str:
    """What the propensity score was given, in words, from the covariates the run's
    score used ("age, sex, ethnicity, deprivation, locality, ..."), each once, in the
    order of :data:`_SCORE_ORDER`, with a serial comma from three (the last two hold
    "and" or a bracket: "... they were open to, and A&E attendances ..."). The page
    typed the list until wave 28, and said "locality" also of a one-locality report,
    whose score has no locality term (issue 15).

    Raises
    ------
    KeyError
        If a covariate has no words.
    """
    words = {"locality" if c.startswith(LOCALITY_PREFIX) else SCORE_WORDS[c]
             for c in covariates}
    given = [w for w in _SCORE_ORDER if w in words]
    return listed(given, serial=True) if given else "nothing"


def _method_results(window_days: int, caliper: float, covariates: Sequence[str],
                    closer: Sequence[str] = ()) -> tuple[dict[str, Any], ...]:
    """The page's words for the run's windows, caliper and score, from the run: until
    wave 27 the page typed "within 0.2 standard deviations" and "a baseline year" by
    hand, wrong for a run with another ``caliper`` or ``window_days``; until wave 28
    the score's covariates. ``closer``: the covariates of the matching's Mahalanobis
    distance besides the score (``matched.method["mahalanobis"]``; issue 13)."""
    window = window_words(window_days)
    given = score_words(covariates)
    baseline = _BASELINE_USE in given
    return (
        {"name": EmergencyName.WINDOW, "value": None, "kind": "text", "text": window,
         "label": "Length of the windows before and after the index date"},
        {"name": EmergencyName.MATCHING_SENTENCE, "value": None, "kind": "text",
         "label": "Methods: what the matching used, and its caliper",
         "text": compose(
             ("Each user was matched to a non-user with a similar propensity score "
              if closer else
              "Each user was matched to the non-user with the nearest propensity score ")
             + "(the modelled chance of using the Life Rooms given {given}"
             # "the year before the year before the index date" read as a doubled
             # phrase (wave 37): the window ending one window before the index date
             + (": the {window} that ended {ago} before the index date" if baseline
                else "") + "), within {caliper} standard deviations of the score's "
             "logit" + (": of those, whichever was nearest in the score and in {closer} "
                        "together (Mahalanobis distance)." if closer else ".")
             + (" Prior use is taken from the baseline window, not from the "
                "{window} before the index date that the comparison itself "
                "uses." if baseline else ""),
             given=given, window=window, caliper=Parameter(caliper, "caliper"),
             ago=window_span(window_days),
             closer=(score_words(closer).replace("in a baseline window",
                                                  "in the baseline window")
                     if closer else ""))})


def inner_merge(left: pd.DataFrame, right: pd.DataFrame, *, on: Sequence[str],
                extra: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """``left.merge(right, on=on).assign(**extra)`` with fewer copies of the rows.

    ``extra``: columns of ``left``'s rows (same length and order), added last as
    ``assign`` adds them to the merged rows. The rows are paired by pandas' own inner
    merge of the key columns alone (the same rows in the same order, missing keys
    matching each other), then each column is taken once. Merging every column takes
    several times the result's memory (both sides taken, then concatenated and
    consolidated): for the rows of the A&E prediction model at 150,000 people, a
    traced peak of 98 MB for a 27 MB result, against 35 MB here (issue 16). When the
    sides share a column that is not a key (merge adds suffixes) or a key's dtypes
    differ, the columns are merged by ``merge`` itself.
    Checked equal to ``merge`` in ``tests/unit/test_design_memory.py``.
    """
    on = list(on)
    pairs = left[on].assign(_left=np.arange(len(left))).merge(
        right[on].assign(_right=np.arange(len(right))), on=on)
    rows, right_rows = pairs["_left"].to_numpy(), pairs["_right"].to_numpy()
    del pairs
    if (set(left.columns) & set(right.columns)) - set(on) or left.columns.has_duplicates \
            or right.columns.has_duplicates \
            or any(left[k].dtype != right[k].dtype for k in on):
        merged = left.merge(right, on=on)
    else:
        columns = {c: _taken(left[c], rows) for c in left.columns}
        columns.update({c: _taken(right[c], right_rows) for c in right.columns
                        if c not in on})
        merged = pd.DataFrame(columns, index=pd.RangeIndex(len(rows)), copy=False)
        del columns
    for name, values in (extra or {}).items():
        merged[name] = _taken(pd.Series(values), rows)
    return merged


def _taken(column: pd.Series, rows: np.ndarray) -> Any:
    """``column``'s values at ``rows`` (positions), in its dtype."""
    return column.array.take(rows) if not isinstance(column.dtype, np.dtype) \
        else column.to_numpy()[rows]


def analyse_emergency_care(dataset: Dataset, *, period_start: str, period_end: str,
                           window_days: int = 365, caliper: float = 0.2,
                           locality: str = "all") -> EmergencyReport:
    """Rates, before/after, matched comparison and DiD for A&E and admissions.

    Notes
    -----
    Users: first Life Rooms contact in the period. Comparison: never-users given a
    pseudo index date drawn at random from the users' index dates (not their matched
    user's date), matched 1:1 on a propensity score (age, sex, ethnicity, deprivation,
    team type at index with ``"none"`` outside secondary care, locality, and A&E and
    admission rates in the baseline window that ends where the DiD's before window
    starts; see ``propensity_covariates``) within ``caliper`` SD of the logit, and,
    beside that, weighted by inverse-probability (ATT) weights
    (:func:`compare_with_non_users`). Estimates: unadjusted rate ratio after contact
    (users against all never-users, Poisson, robust errors), within-person
    before/after (Poisson GEE), and the difference-in-differences (ratio of rate
    ratios) of the matched design (Poisson GEE) and of the weighted design (weighted
    Poisson GLM, cluster-robust errors), each with its E-value (VanderWeele and Ding
    2017). ``balance`` is the matched design's, ``balance_weighted`` the weighted
    design's; both divide by the unmatched pooled SD. An estimate that could not be
    made says why ("could not be estimated: ...") in the table and key results.
    """
    pt = build_person_time(dataset, CohortSpec(period_start, period_end, locality=locality),
                           window_days=window_days)
    comparison = compare_with_non_users(pt, caliper=caliper)
    covariates = list(comparison.covariates)
    periods, did_estimates = comparison.periods, comparison.estimates
    # of each design only its people's ids, balance and method are read below: not the
    # weighted design's copy of every column of every person, nor the propensity
    # model's fit and design matrix, which the comparison held through the report (at
    # 1,500,000 people about 0.5 GB; issue 16)
    matched, weighted = (replace(design, data=design.data[["person_id"]], model=None)
                         for design in (comparison.matched, comparison.weighted))
    del comparison
    if matched.failure is None:
        shown = periods[periods["person_id"].isin(matched.data["person_id"])]
        shown = shown.assign(group=shown["user"].map(
            {1.0: "Life Rooms users", 0.0: "Matched comparison"}))
    else:
        shown = periods.assign(group=periods["user"].map(
            {1.0: "Life Rooms users", 0.0: "All non-users (matching failed)"}))
    rows, rates = [], {}
    for outcome in OUTCOMES:
        # each fit's rows with only the columns it reads, not every column of the
        # person-periods (issue 16)
        after = periods.loc[periods["after"] == 1, ["user", outcome, "person_years"]]
        rows.append({"outcome": outcome, "term": UNADJUSTED,
                     **term_numbers(fit_poisson(after, outcome_col=outcome,
                                            person_time_col="person_years",
                                            covariates=["user"]), "user")})
        del after
        users = periods.loc[periods["user"] == 1,
                            ["person_id", "after", "person_years", outcome]]
        rows.append({"outcome": outcome, "term": OWN_CONTROL, **term_numbers(
            compare_before_after(users, outcome_col=outcome), "after")})
        del users
        did = did_estimates[did_estimates["outcome"] == outcome]
        for _, row in did.iterrows():
            rows.append({**row.drop("design").to_dict(), "term": DESIGNS[row["design"]]})
        rates[outcome] = rate_table(shown, outcome)
    estimates = _with_e_values(pd.DataFrame(rows))
    estimates = estimates.assign(outcome=estimates["outcome"].map(OUTCOMES))[
        ["outcome", "term", "estimate", "ci_lower", "ci_upper", "p_value", "e_value",
         "e_value_ci", "failure"]]
    before = pt.periods[pt.periods["after"] == 0].merge(
        pt.people[["person_id", "imd_quintile"]], on="person_id")
    equity = equity_summary(before, event_col="ae", person_time_col="person_years",
                            label="A&E attendances")
    equity_estimates = model_release(equity, data=before, event_col="ae",
                                     level_cols=["imd_quintile"],
                                     withheld=equity.withheld).estimates(equity.summary)
    del before
    # the people's columns the model and its release check read, not all of them,
    # joined without merge's copies (issue 16)
    keys = ["person_id", "group", "user"]
    after = periods[periods["after"] == 1]
    after = inner_merge(after, pt.people[list(dict.fromkeys([*keys, *covariates]))],
                        on=keys, extra={"any_ae": (after["ae"] > 0).astype(float)})
    prediction = fit_logistic(after, outcome_col="any_ae", covariates=covariates)
    # the release check of every published model (events per level, residual degrees
    # of freedom, convergence, intervals); age and the baseline rates are one term each
    levels = [c for c in covariates if c in after.columns]
    prediction_release = model_release(
        prediction, data=after, event_col="any_ae", level_cols=levels,
        continuous=[c for c in levels if c in PREDICTION_CONTINUOUS]) \
        if prediction.estimable else None
    withheld_prediction = "" if prediction_release is None or \
        prediction_release.released else prediction_release.reason
    outcome_words = _prediction_outcome_result(after, window_days)
    del after  # the model's rows: not needed by what follows (issue 16)
    matched_rows = periods[periods["person_id"].isin(matched.data["person_id"])] \
        if matched.failure is None else periods
    weighted_rows = periods[periods["person_id"].isin(weighted.data["person_id"])] \
        if weighted.failure is None else periods
    checks = release_checks(estimates, {
        UNADJUSTED: (periods[periods["after"] == 1], ["user"]),
        OWN_CONTROL: (periods[periods["user"] == 1], ["after"]),
        DESIGNS["matched"]: (matched_rows, ["user", "after"]),
        DESIGNS["weighted"]: (weighted_rows, ["user", "after"])})
    released = release_estimates(estimates, {}, checks=checks)
    del matched_rows, weighted_rows
    released_rows = released.frame
    # each row keeps its labels: the rows the summary speaks for are named by them
    # (stated_reasons: "A&E attendances, Matched difference-in-differences")
    pick = released_rows.set_index(["outcome", "term"], drop=False)
    ae, admissions = OUTCOMES["ae"], OUTCOMES["admissions"]
    own = OWN_CONTROL
    # the verdicts' fewest-events rule: the thinnest published cell of each design
    # (the weighted design's comparison cells are not published: its users' cells)
    ae_events = fewest_events(rates["ae"])
    events = {"ae": ae_events, "admissions": fewest_events(rates["admissions"]),
              "ae_users": fewest_events(rates["ae"], ["Life Rooms users"])}
    # the rows the summary's sentences state: the table's note points to their reasons
    summarised = (did_ae, own_ae, weighted_ae, did_admissions) = (
        pick.loc[(ae, DESIGNS["matched"])], pick.loc[(ae, own)],
        pick.loc[(ae, DESIGNS["weighted"])], pick.loc[(admissions, DESIGNS["matched"])])
    c_label = f"{with_words('C-statistic')} of the A&E prediction model"
    c_stat = ({"name": EmergencyName.C_STATISTIC, "value": prediction.extra["c_statistic"][0],
               "kind": "estimate", "label": c_label}
              if prediction.estimable and not withheld_prediction else
              {"name": EmergencyName.C_STATISTIC, "value": None, "kind": "text",
               **reason_result(prediction_release.withheld_reason),
               "label": c_label}
              if withheld_prediction else
              {"name": EmergencyName.C_STATISTIC, "value": None, "kind": "text",
               "text": reason_text(f"could not be estimated: {prediction.reason}"),
               "label": c_label})
    users = int(pt.people["user"].sum())
    pairs = int(matched.method.get("matched_pairs", 0))
    key = (
        {"name": EmergencyName.USERS, "value": users, "kind": "count",
         "label": "People whose first Life Rooms contact was in the period"},
        {"name": EmergencyName.MATCHED_PAIRS, "value": pairs, "kind": "count",
         "label": "Matched pairs"},
        # one sentence made here, glued whole (the page typed it around two glued
        # counts: rule glued-counts, issue 12, wave 29). No group rule: whether a user
        # found a match is a fact of the design (a non-user with a close score), not
        # of the person, and "all of them were matched" is what the method should say
        # when it is exactly all (matching_sentence: never a rounded "n of n")
        {"name": EmergencyName.MATCHING_COUNT_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: Life Rooms users and those matched",
         "text": matching_sentence(users, pairs)},
        {"name": EmergencyName.MAX_SMD, "value": matched.max_abs_smd_after, "kind": "estimate",
         "label": "Largest absolute standardised difference after matching"},
        *_ratio_results(EmergencyName.DID_AE, pick.loc[(ae, DESIGNS["matched"])],
                        "A&E: matched difference-in-differences rate ratio", checks),
        {"name": EmergencyName.MAX_SMD_WEIGHTED, "value": weighted.max_abs_smd_after,
         "kind": "estimate",
         "label": "Largest absolute standardised difference after weighting"},
        *_ratio_results(EmergencyName.DID_AE_WEIGHTED, pick.loc[(ae, DESIGNS["weighted"])],
                        "A&E: weighted (ATT) difference-in-differences rate ratio", checks),
        *_ratio_results(EmergencyName.DID_ADMISSIONS,
                        pick.loc[(admissions, DESIGNS["matched"])],
                        "Emergency admissions: matched difference-in-differences "
                        "rate ratio", checks),
        *_ratio_results(EmergencyName.DID_ADMISSIONS_WEIGHTED,
                        pick.loc[(admissions, DESIGNS["weighted"])],
                        "Emergency admissions: weighted (ATT) difference-in-differences "
                        "rate ratio", checks),
        *_ratio_results(EmergencyName.BEFORE_AFTER_AE, pick.loc[(ae, own)],
                        "A&E: users after against before", checks),
        c_stat,
        # its interval, for the comparison with the previous edition (wave 35)
        interval_result(EmergencyName.C_STATISTIC_CI, prediction.extra["c_statistic"][1:],
                        null=0.5, label=f"95% CI: {c_label}")
        if c_stat["value"] is not None else
        {"name": EmergencyName.C_STATISTIC_CI, "label": f"95% CI: {c_label}",
         "value": None, "kind": "text", "text": c_stat["text"],
         **({"withheld_reason": True} if c_stat.get("withheld_reason") else {})},
        _events_result(ae_events),
        _sentence(EmergencyName.DID_AE, did_ae, "A&E, matched",
                  judge={**AE_JUDGE, "events": events["ae"]},
                  found="Taking both comparisons together (difference-in-differences), "
                  "A&E attendance after first contact changed by a factor of {value} "
                  "relative to the matched comparison group ({level} confidence interval "
                  "{interval}): {verdict}.",
                  missing="The matched difference-in-differences rate ratio for A&E "
                  "attendance"),
        _sentence(EmergencyName.BEFORE_AFTER_AE, own_ae, "A&E, users' own past",
                  judge={**OWN_PAST_JUDGE, "events": events["ae_users"]},
                  found="Compared only with their own past, users' A&E rate changed by "
                  "a factor of {value} ({level} confidence interval {interval}): "
                  "{verdict}. This comparison overstates any benefit if people come to "
                  "the Life Rooms at a crisis peak.",
                  missing="The change in users' A&E rate against their own past"),
        _sentence(EmergencyName.DID_AE_WEIGHTED, weighted_ae,
                  "A&E, weighted", judge={**AE_JUDGE, "events": events["ae_users"]},
                  found="Weighting every non-user by their likeness to users instead of "
                  "matching gives a factor of {value} ({level} confidence interval "
                  "{interval}): {verdict}.",
                  missing="The weighted difference-in-differences rate ratio for A&E"),
        _sentence(EmergencyName.DID_ADMISSIONS, did_admissions,
                  "emergency admissions, matched",
                  judge={**ADMISSIONS_JUDGE, "events": events["admissions"]},
                  found="For emergency admissions the matched difference-in-differences "
                  "rate ratio is {value} ({level} confidence interval {interval}): "
                  "{verdict}.",
                  missing="The matched difference-in-differences rate ratio for "
                  "emergency admissions"),
        _evalue_sentence(did_ae),
        *_method_results(window_days, caliper, covariates,
                         matched.method.get("mahalanobis", ())),
        outcome_words,
        _balance_sentence(matched.max_abs_smd_after,
                          weighted.max_abs_smd_after,
                          matched.method.get("outside_support", ())),
        {"name": EmergencyName.CALIBRATION_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: calibration of the A&E prediction model",
         "text": calibration_sentence(_released_calibration(prediction, prediction_release))},
        {"name": EmergencyName.C_STATISTIC_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: C-statistic of the A&E prediction model",
         "text": not_shown_sentence(C_STATISTIC["emergency"][1],
                                    plain_reason(withheld_prediction))
         if withheld_prediction else result_sentence(
             prediction.extra["c_statistic"][0] if prediction.estimable else None,
             kind="estimate", interval=prediction.extra["c_statistic"][1:],
             judge=C_JUDGE, found=C_STATISTIC["emergency"][0],
             missing=C_STATISTIC["emergency"][1], reason="" if prediction.estimable
             else str(prediction.reason))},
    )
    return EmergencyReport(flow=protect_flow(pt.flow, parents=FLOW_PARENTS), balance=matched.balance,
                           balance_weighted=weighted.balance, rates=rates,
                           estimates=estimates, equity=equity, prediction=prediction,
                           prediction_release=prediction_release, key_results=key, person_time=pt,
                           estimates_table=estimates_table(
                               released, stated_reasons(summarised)),
                           released=released,
                           equity_estimates=equity_estimates)
