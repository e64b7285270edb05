"""The recovery and discharge report: time to discharge, Life Rooms use time-varying.

The re-referral report is :mod:`lifetools.reports.rereferral`; what both share is
:mod:`lifetools.reports.survival_parts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from lifetools.cohort import CohortSpec, build_discharge_cohort, split_at_exposure
from lifetools.convergence import recorded_warnings
from lifetools.dataset import Dataset
from lifetools.disclosure import ProtectedTable, compose, model_release, protect_flow
from lifetools.disclosure.text import Level, RuleNumber
from lifetools.disclosure.withheld import Said, headline_of
from lifetools.regression.imputation import combine_fits
from lifetools.reports.missing import (
    IMPUTATIONS,
    IMPUTED,
    SEED,
    adjusted_for,
    complete_cases,
    imputed_copies,
    model_covariates,
    pooled,
    sparse_covariates,
)
from lifetools.reports.narrative import (
    group_count_result,
    part_count_result,
    published_count,
    ratio_sentence,
    uncertainty_sentence,
)
from lifetools.reports.survival_parts import (
    COMPLETE_CASE,
    DEATH,
    FINE_GRAY,
    PH_COLUMNS,
    TERM_LABELS,
    e_value_table,
    end_incidence,
    estimate_row,
    evalue_results,
    evalue_sentence,
    hazard_e_values,
    hazard_ratio_table,
    left_out_notes,
    model_notes,
    ph_table,
    ratio_results,
    ratio_rows,
    released_ratios,
    stated_in_table,
    whole_degrees,
    with_e_values,
    withheld_row,
)
from lifetools.result_names import DischargeName
from lifetools.survival import (
    CIFResult,
    estimate_cif,
    estimate_km,
    fit_cox,
    fit_cox_time_varying,
    fit_fine_gray,
    fit_landmark,
    fit_landmark_time_split,
)

__all__ = ["PAGE_ORDER", "DischargeReport", "analyse_discharge", "curve_sentence", "time_varying_release"]


def _fine_gray_landmark(data: pd.DataFrame, landmark: float,
                        covariates: Sequence[str]) -> Any:
    """Fine-Gray subdistribution hazard of discharge from the landmark, death competing.

    Same people, exposure and follow-up as the landmark Cox model (open at the
    landmark, entered by it; follow-up from it); transfer is censored as in the
    cause-specific models.
    """
    at_risk = (data["duration"] > landmark) & (data["entry"] <= landmark)
    part = data.loc[at_risk].assign(
        exposed_at_landmark=(data["exposure_day"] <= landmark).fillna(False).astype(float),
        _duration=data["duration"] - landmark)
    return fit_fine_gray(part, duration_col="_duration", event_col="event",
                         event_of_interest=1, competing=(DEATH["discharge"],),
                         covariates=["exposed_at_landmark", *covariates])


def curve_sentence(km: Any) -> Any:
    """How to read the Kaplan-Meier figure, from what was computed: the confidence
    level of its band (the estimate's ``alpha``) and where each curve stops (the
    profile's ``min_at_risk``, as :func:`lifetools.plots.plot_survival` draws it: to
    the last day of its grid before fewer remain, :data:`lifetools.plots.survival.
    CURVE_END`). The page typed "95%" and "fewer than 10 people" until wave 23 (issue
    15). Tested in ``tests/unit/test_generated_facts.py``."""
    level = round(100 * (1 - float(km.method["alpha"])))
    return compose("The shaded band is the {level} confidence interval; the curve is "
                   "drawn at regular days and stops at the last of them before fewer than "
                   "{n} people remain at risk.", level=Level(level),
                   n=RuleNumber("min_at_risk"))


DISCHARGE_JUDGE = {"above": "faster discharge among Life Rooms users",
                   "below": "slower discharge among Life Rooms users"}
"""The verdict's words for a hazard ratio of discharge (the summary's sentences; the
main point's are in ``analyses/analyses.yml``)."""
FINE_GRAY_JUDGE = {"above": "discharge more likely among Life Rooms users",
                   "below": "discharge less likely among Life Rooms users"}
"""The verdict's words for the Fine-Gray subdistribution hazard ratio (its events are
counted by the model's release check, which withholds it with fewer than 10)."""

PAGE_ORDER = (DischargeName.HR_TV_SENTENCE, DischargeName.HR_NAIVE_SENTENCE,
              DischargeName.SHR_LANDMARK_SENTENCE, DischargeName.UNCERTAINTY_SENTENCE,
              "hazard-ratios", "ph-test", "fit-notes")
"""The page's parts in the order the report's pointers to reasons given above assume
(:class:`~lifetools.disclosure.withheld.Said`: the summary's ratio sentences, then the
hazard-ratio table, whose note the PH table and the fit notes point to; and
:func:`~lifetools.reports.narrative.uncertainty_sentence` after the sentences it points
to): each a key result's name, glued, or a table's. Checked against the notebook by
``tests/notebooks/test_page_order.py``."""

NAIVE_WHO = ("A naive comparison that counts everyone who came to the Life Rooms by the "
             "end of the period as a user from the day they were referred")
"""Who the naive model's ``ever_used`` counts as users (:func:`~lifetools.cohort.
build_discharge_cohort`: a first Life Rooms contact by the period's end, before, during
or after the referral) and from when (referral: a fixed exposure)."""
NAIVE_BIAS = ("it counts the time before people first came as time using the Life "
              "Rooms, when those who came while still in care could not yet have been "
              "discharged, and it counts as users anyone who first came only after being "
              "discharged")
"""Why that comparison is biased, true of every person it counts: until wave 39 the
page said "users could not have been discharged before they first came", untrue of the
people ``ever_used`` counts who first came after their discharge (issue 15). The
estimator is kept as it is: it is the page's example of immortal time bias."""
NAIVE_FOUND = (f"{NAIVE_WHO} gives {{estimate}} ({{level}} confidence interval "
               f"{{interval}}): {{verdict}}. It is biased: {NAIVE_BIAS}.")
"""The naive comparison's sentence when it is shown (:func:`~lifetools.reports.
narrative.ratio_sentence`'s ``found``)."""
NAIVE_MISSING = f"{NAIVE_WHO} (biased: {NAIVE_BIAS})"
"""Its subject when it is not shown (``missing``)."""

DISCHARGED = "were discharged"
"""The event in a fit note's plain words ("too few people in the group ... were
discharged": :func:`lifetools.reports.sentences.plain_fit_reason`)."""
"""What ``ADJUSTMENT_COVARIATES`` stand for, in the summaries' words."""


def _cif_by_event(data: pd.DataFrame, events: dict[str, int], entry_col: str | None,
                  times: Sequence[float]) -> CIFResult:
    parts = [estimate_cif(data, duration_col="duration", event_col="event",
                          event_of_interest=code, entry_col=entry_col, times=times)
             for code in events.values()]
    summary = pd.concat([p.summary.assign(group=name) for name, p in
                         zip(events, parts, strict=True)], ignore_index=True)
    return CIFResult(summary=summary, at_risk=parts[0].at_risk,
                     event_of_interest=0, n_people=parts[0].n_people,
                     n_events=sum(p.n_events for p in parts), method=parts[0].method,
                     warnings=tuple(w for p in parts for w in p.warnings),
                     risk_sets=parts[0].risk_sets)


def _released_row(release: Any, result: Any, term: str) -> dict[str, Any]:
    """:func:`estimate_row` when the model was released, else the reason it was not.

    A fit that could not be estimated says so first (its own reason).
    """
    row = estimate_row(result, term, outcome=DISCHARGED)
    return row if release.released or row["text"] else withheld_row(release)


def time_varying_release(fit: Any, data: pd.DataFrame, covariates: Sequence[str],
                         **kwargs: Any) -> Any:
    """Release check of a time-varying Cox model on the rows it fits.

    ``data`` is one row per person (the discharge cohort); the check counts events in
    the start-stop rows of :func:`~lifetools.cohort.split_at_exposure`: per level of
    ``exposed`` (exposed and unexposed person-time) and of each covariate, people as
    distinct ids. A reason therefore names the exposure the model fits ("Life Rooms use
    (time-varying)"), not ever-use. ``kwargs`` go to
    :func:`~lifetools.disclosure.model_release` (a profile, say).

    Notes
    -----
    A user whose only event came before their first contact counts it as unexposed,
    as the model does. Tested in ``tests/unit/test_discharge_release.py``.
    """
    rows = split_at_exposure(data)
    return model_release(fit, data=rows, event_col="event",
                         level_cols=["exposed", *covariates], id_col="person_id",
                         **kwargs)


def _at_landmark(data: pd.DataFrame, landmark: float) -> pd.DataFrame:
    """The referrals open and entered at the landmark, with the landmark exposure."""
    at_risk = (data["duration"] > landmark) & (data["entry"] <= landmark)
    return data.loc[at_risk].assign(exposed_at_landmark=(
        data["exposure_day"] <= landmark).fillna(False).astype(float))


@dataclass(frozen=True)
class DischargeReport:
    """Everything the discharge report shows (raw counts: protect when shown; the
    participant flow protected where it is made, each step's excluded count with it:
    :func:`lifetools.disclosure.protect_flow`)."""

    flow: ProtectedTable
    km: Any
    cif: Any
    time_varying: Any
    naive: Any
    landmark: Any
    hazard_ratios: pd.DataFrame
    ph_test: pd.DataFrame
    key_results: tuple[dict[str, Any], ...]
    cohort: Any = field(repr=False, default=None)
    time_split: Any = None
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["model", "note"]))
    fine_gray: Any = None
    complete_case: Any = None
    released: ProtectedTable | None = None
    """``hazard_ratios`` as released by the model release check (what pages show)."""
    e_values: pd.DataFrame | None = None
    """The E-values of the headline ratios and how each was made
    (:func:`~lifetools.reports.survival_parts.e_value_table`; not published as is)."""

    @property
    def hazard_ratio_table(self) -> pd.DataFrame:
        """The released hazard ratios as published, with the headline E-values
        (:func:`~lifetools.reports.survival_parts.hazard_ratio_table`)."""
        return hazard_ratio_table(self.released, keep=["model"])

    @property
    def exposure_ratios(self) -> ProtectedTable:
        """The Life Rooms hazard ratio of each cause-specific model on the imputed data
        (for the forest plot; Fine-Gray and complete-case rows are in the table), as
        released."""
        terms = [TERM_LABELS[t] for t in ("exposed", "ever_used", "exposed_at_landmark")]
        model = self.released["model"]
        main = ~model.str.startswith(FINE_GRAY) & ~model.str.contains("complete cases")
        return self.released.rows(self.released["term"].isin(terms) & main)


def analyse_discharge(
    dataset: Dataset,
    *,
    period_start: str,
    period_end: str,
    team_types: Sequence[str] = ("A06",),
    locality: str = "all",
    landmark_days: int = 90,
    imputations: int = IMPUTATIONS,
    seed: int = SEED,
) -> DischargeReport:
    """Time to discharge: KM, cumulative incidence, time-varying and naive Cox, landmark.

    Notes
    -----
    Life Rooms use is a time-varying exposure from first contact (start-stop rows) in
    a cause-specific Cox model of discharge (transfer and death censored), adjusted for
    age, sex, deprivation and HoNOS; Efron ties; delayed entry for referrals open at the
    period start. The naive model classes users as exposed from referral (immortal time
    bias). Landmark: exposure by ``landmark_days`` among those still open then.
    Missing data: every Cox and Fine-Gray model is fitted to ``imputations`` copies
    with HoNOS imputed by chained equations (seeded by ``seed``) and pooled by Rubin's
    rules (:mod:`lifetools.reports.missing`); an unknown area is its own category
    (``deprivation_unknown``); the time-varying model on complete cases (HoNOS
    recorded) is shown beside it (``complete_case``, key results
    ``hr_tv_complete_case``). Proportional-hazards tests: first imputed copy.
    Secondary estimate: the Fine-Gray subdistribution hazard ratio of discharge (death
    competing, transfer censored) for the landmark exposure, same people and follow-up
    as the landmark model (``fine_gray``; a row of ``hazard_ratios`` whose model starts
    "Fine-Gray"; key results ``shr_landmark``); it describes the cumulative incidence
    of discharge, the cause-specific ratios the rate among those still open and alive.

    Proportional hazards is tested in every Cox model with R's ``cox.zph`` (survival
    >= 3.0 score test, km transform, per term and global: :func:`cox_zph`), including
    the start-stop time-varying model and the naive model with delayed entry.
    ``ph_test`` names each model and what was done per term. When the Life Rooms term
    of the landmark model fails (p < 0.05), hazard ratios before and after the median
    event time of users after the landmark are added to ``hazard_ratios`` (and kept in
    ``time_split``) as a sensitivity analysis; if that split cannot be estimated, the
    PH table gives the reason. A model or term that could not be estimated (no
    convergence, degenerate estimate) has NaN estimates and a ``note`` in
    ``hazard_ratios``, and its key results read "could not be estimated: <reason>".
    Every warning of the fits is in ``notes`` (model, note); none is silenced.
    """
    cohort = build_discharge_cohort(dataset, CohortSpec(period_start, period_end,
                                    tuple(team_types), locality))
    data = cohort.data
    covariates = model_covariates(data, "discharged")
    at_landmark_covariates = model_covariates(_at_landmark(data, landmark_days),
                                              "discharged")
    # complete cases (HoNOS recorded) are fewer: a group sparse there only is left
    # out of that model alone, not allowed to withhold it
    complete_covariates = [c for c in covariates if c not in sparse_covariates(
        complete_cases(data), covariates, "discharged")]
    left_out = left_out_notes(model_covariates(data), covariates,
                              at_landmark_covariates, "discharges", complete_covariates)
    times = (0, 90, 180, 365, 730)
    # the share still open: a referral closed by discharge, transfer or death is no
    # longer open, so the curve's event is any closure (1 - the curve is the sum of the
    # three cumulative incidences). It was discharge alone, transfers and deaths
    # censored, which at 30,000 people read 0.28 still open at day 1,080 where at
    # most 0.19 were (issue 15, wave 34)
    km = estimate_km(data.assign(closed=(data["event"] > 0).astype(int)),
                     duration_col="duration", event_col="closed", entry_col="entry",
                     times=times)
    cif = _cif_by_event(data, {"Discharge": 1, "Transfer": 2, "Death": 3}, "entry", times)
    copies = imputed_copies(data, event_col="discharged", exposure_col="ever_used",
                            m=imputations, seed=seed)

    def time_varying(part: pd.DataFrame, first: bool,
                     adjust: list[str] = covariates) -> Any:
        return fit_cox_time_varying(split_at_exposure(part), id_col="person_id",
                                    start_col="start", stop_col="stop",
                                    event_col="event", check_ph=first,
                                    covariates=["exposed", *adjust])

    def landmark_fit(part: pd.DataFrame, first: bool) -> Any:
        return fit_landmark(part, landmark=landmark_days, duration_col="duration",
                            event_col="discharged", exposure_time_col="exposure_day",
                            covariates=at_landmark_covariates, entry_col="entry",
                            check_ph=first)

    with recorded_warnings():  # each fit carries its own warnings (shown in notes)
        tv = pooled(time_varying, copies)
        naive = pooled(lambda part, first: fit_cox(
            part, duration_col="duration", event_col="discharged", entry_col="entry",
            covariates=["ever_used", *covariates], check_ph=first), copies)
        landmarks = [landmark_fit(part, i == 0) for i, part in enumerate(copies)]
        landmark = replace(landmarks[0], cox=combine_fits(
            [lm.cox for lm in landmarks], description=IMPUTED))
        fine_gray = pooled(lambda part, first: _fine_gray_landmark(
            part, landmark_days, at_landmark_covariates), copies)
        complete = time_varying(complete_cases(data), False, complete_covariates)
    split = None
    landmark_ph = landmark.cox.ph_test
    exposure_p = (float("nan") if landmark_ph is None else float(
        landmark_ph.set_index("term").loc["exposed_at_landmark", "p_value"]))
    if exposure_p < 0.05:  # split at the median event time of the exposed
        with recorded_warnings():
            split = pooled(lambda part, first: fit_landmark_time_split(
                part, landmark=landmark_days, duration_col="duration",
                event_col="discharged", exposure_time_col="exposure_day",
                covariates=at_landmark_covariates, entry_col="entry"), copies)
    split_shown = split is not None and split.estimable
    names = {"tv": "Time-varying (correct)", "naive": "Naive fixed exposure (biased)",
             "landmark": f"Landmark at {landmark_days} days",
             "split": f"Landmark at {landmark_days} days, time-split (proportional "
                      "hazards sensitivity)",
             "fine_gray": f"{FINE_GRAY} at {landmark_days} days (subdistribution hazard "
                          "ratio, death competing)",
             "complete": COMPLETE_CASE.format("Time-varying")}
    # release check of every model shown (n, events per level, residual df,
    # convergence, intervals): a model that fails is withheld with its reason
    # the time-varying models are checked on the start-stop rows they fit: events
    # in exposed and unexposed person-time, not by ever-use (the naive model's)
    landmark_rows = _at_landmark(copies[0], landmark_days)
    checks = {
        "naive": (naive, copies[0], ["ever_used", *covariates]),
        "landmark": (landmark.cox, landmark_rows,
                     ["exposed_at_landmark", *at_landmark_covariates]),
        "fine_gray": (fine_gray, landmark_rows,
                      ["exposed_at_landmark", *at_landmark_covariates]),
        **({"split": (split, landmark_rows,
                      ["exposed_at_landmark", *at_landmark_covariates])}
           if split_shown else {})}
    releases = {name: model_release(fit, data=rows, event_col="discharged",
                                    level_cols=cols)
                for name, (fit, rows, cols) in checks.items()}
    releases["tv"] = time_varying_release(tv, copies[0], covariates)
    releases["complete"] = time_varying_release(complete, complete_cases(data),
                                                complete_covariates)
    fits = {"tv": tv, "complete": complete,
            **{name: fit for name, (fit, _, _) in checks.items()}}
    hr = _released_row(releases["tv"], tv, "exposed")
    naive_hr = _released_row(releases["naive"], naive, "ever_used")
    fine_gray_hr = _released_row(releases["fine_gray"], fine_gray, "exposed_at_landmark")
    complete_hr = _released_row(releases["complete"], complete, "exposed")
    landmark_hr = _released_row(releases["landmark"], landmark.cox, "exposed_at_landmark")
    # discharge's cumulative incidence by the end of follow-up decides the E-values'
    # common-outcome conversion (VanderWeele 2020; the methods page gives the 15%)
    incidence = end_incidence(cif.summary[cif.summary["group"] == "Discharge"])
    shown_rows = {"tv": with_e_values(tv.summary, "exposed",
                                      hazard_e_values(hr, incidence)),
                  # the sensitivity analyses' ratios have E-values in the table too
                  # (not the naive one: its bias is immortal time, not confounding)
                  "complete": with_e_values(complete.summary.head(1), "exposed",
                                            hazard_e_values(complete_hr, incidence)),
                  "naive": naive.summary.head(1),
                  "landmark": with_e_values(landmark.cox.summary.head(1),
                                            "exposed_at_landmark",
                                            hazard_e_values(landmark_hr, incidence)),
                  **({"split": split.summary.head(2)} if split_shown else {}),
                  "fine_gray": with_e_values(fine_gray.summary.head(1),
                                             "exposed_at_landmark",
                                             hazard_e_values(fine_gray_hr, incidence))}
    pieces = [(releases[name], rows, fits[name], names[name])
              for name, rows in shown_rows.items()]
    # the reasons the summary states (the time-varying, naive and Fine-Gray ratios'
    # sentences, in that order at the page's start) are said once, there: the tables
    # below say where they are, for each model the summary spoke for (the 2024-25 page
    # said the landmark's reason 5 times: issue 15, wave 25), whichever reason it gave
    # (the fit's, where the release check withheld it too: wave 28), and name the model
    # whose words they repeat for one it did not speak for (the landmark model was
    # pointed to reasons given only for the Fine-Gray ratio until wave 39)
    summarised = (("tv", hr), ("naive", naive_hr), ("fine_gray", fine_gray_hr))
    said_as = {names[name]: str(row["text"]) for name, row in summarised
               if not releases[name].released and row["text"]}
    said = Said.of(said_as.items())
    released = released_ratios(pieces, outcome=DISCHARGED, said=said, said_as=said_as)
    # the hazard-ratio table's note gives the reasons of the models the summary did
    # not speak for: the PH table and the fit notes below it point there
    said_below = stated_in_table(pieces, said)
    ratios = ratio_rows(pieces, outcome=DISCHARGED)
    average = "noted: the hazard ratio is an average over follow-up"
    if split_shown:
        landmark_action = ("noted; time-split hazard ratios (before and after the "
                           "users' median event time) shown as a sensitivity analysis")
    elif split is not None:  # its reason holds event counts: not quoted (disclosure)
        landmark_action = (f"{average}; the time split could not be estimated: users "
                           "have no events on one side of the split")
    else:
        landmark_action = average
    ph = pd.DataFrame([row for table in (
        ph_table(tv, names["tv"], exposure_action=average, release=releases["tv"],
                 said=said_below, said_as=headline_of(said_as.get(names["tv"], ""))),
        ph_table(naive, names["naive"], exposure_action=average,
                 release=releases["naive"], said=said_below,
                 said_as=headline_of(said_as.get(names["naive"], ""))),
        ph_table(landmark.cox, f"Landmark at {landmark_days} days (Life Rooms use fixed "
                 "at the landmark, follow-up from it)", exposure_action=landmark_action,
                 release=releases["landmark"], said=said_below,
                 said_name=names["landmark"]),
    ) for row in table.to_dict("records")], columns=PH_COLUMNS).pipe(whole_degrees)
    adjusted = adjusted_for(model_covariates(data))
    # people who used the Life Rooms before or during their referral (a first contact
    # before referral is exposure from day 0, cohort.discharge; "while their referral
    # was open" miscounted those, wave 38): none (or all) of the cohort is not shown
    # (group disclosure: "Of 85 people in the cohort, 0 used ..."; wave 28)
    users = int(data["exposure_day"].notna().sum())
    discharged = {"name": DischargeName.DISCHARGED, "value": int(data["discharged"].sum()),
                  "kind": "count", "label": "People discharged during follow-up"}
    # the verdicts' fewest-events rule reads the published count, as the main point does
    judge = {**DISCHARGE_JUDGE, "events": published_count(discharged)}
    key = (
        {"name": DischargeName.ADJUSTED_FOR, "value": None, "kind": "text",
         "label": "Methods: what the models are adjusted for",
         "text": compose("{words}", words=adjusted)},
        {"name": DischargeName.COHORT_PEOPLE, "value": len(data), "kind": "count",
         "label": "People in the discharge cohort"},
        part_count_result(DischargeName.COHORT_USERS,
                          "People who used the Life Rooms before or during "
                          "their referral",
                          part=users, group=len(data)),
        group_count_result(
            DischargeName.COHORT_SENTENCE,
            "Summary: people in the cohort who used the Life Rooms",
            "Of {group} people in the cohort, {part} used the Life Rooms before or "
            "during their referral.",
            "Of {group} people in the cohort, how many used the Life Rooms before or "
            "during their referral is not shown ({why}).", group=len(data), part=users),
        discharged,
        *ratio_results(DischargeName.HR_TV, "Hazard ratio of discharge, Life Rooms "
                       "use (time-varying)", hr),
        *ratio_results(DischargeName.HR_NAIVE,
                       "Hazard ratio, naive fixed exposure (biased)",
                       naive_hr),
        *ratio_results(DischargeName.HR_TV_COMPLETE_CASE,
                       "Hazard ratio of discharge, Life Rooms use "
                       "(time-varying), complete cases (sensitivity)", complete_hr),
        *ratio_results(DischargeName.SHR_LANDMARK,
                       f"Subdistribution hazard ratio of discharge "
                       f"(Fine-Gray, death competing), Life Rooms use by {landmark_days} "
                       "days", fine_gray_hr),
        *evalue_results(DischargeName.HR_TV, "Hazard ratio of discharge, Life Rooms "
                        "use (time-varying)", hr, incidence=incidence,
                        outcome="discharge"),
        *evalue_results(DischargeName.SHR_LANDMARK,
                        f"Subdistribution hazard ratio of discharge (Fine-Gray, death "
                        f"competing), Life Rooms use by {landmark_days} days",
                        fine_gray_hr, incidence=incidence, outcome="discharge"),
        evalue_sentence(DischargeName.HR_TV, hr, incidence=incidence,
                        exposure="Life Rooms use", outcome="discharge",
                        estimate="the time-varying hazard ratio"),
        {"name": DischargeName.SHR_LANDMARK_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: the Fine-Gray secondary estimate", "text": ratio_sentence(
             fine_gray_hr,
             found="Counting death as a competing event, the Fine-Gray subdistribution "
             "hazard ratio for use by the landmark (a secondary estimate, among people "
             "still open at the landmark) was {estimate} ({level} confidence interval "
             "{interval}): {verdict}.", missing="The Fine-Gray subdistribution hazard "
             "ratio for use by the landmark (a secondary estimate, death competing)",
             reason_before=naive_hr["text"], judge=FINE_GRAY_JUDGE)},
        {"name": DischargeName.HR_TV_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: Life Rooms use and discharge", "text": ratio_sentence(
             hr, found="Once they had started, their rate of discharge was {estimate} "
             "times that of similar people who had not ({level} confidence interval "
             f"{{interval}}): {{verdict}}. The comparison allows for {adjusted}.",
             missing="How their rate of discharge compared with that of similar people "
             "who had not used the Life Rooms", judge=judge)},
        {"name": DischargeName.HR_NAIVE_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: the naive comparison", "text": ratio_sentence(
             naive_hr, found=NAIVE_FOUND, missing=NAIVE_MISSING,
             reason_before=hr["text"], judge=judge)},
        # what the intervals the summary quotes show
        {"name": DischargeName.UNCERTAINTY_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: what the confidence intervals show",
         "text": uncertainty_sentence([hr, fine_gray_hr])},
        {"name": DischargeName.CURVE_SENTENCE, "value": None, "kind": "text",
         "label": "How to read the Kaplan-Meier curve", "text": curve_sentence(km)},
    )
    notes = model_notes({names["tv"]: tv, names["naive"]: naive,
                         names["landmark"]: landmark.cox,
                         **({names["split"]: split} if split_shown else {}),
                         names["fine_gray"]: fine_gray, names["complete"]: complete,
                         "Cumulative incidence": cif}, left_out,
                        outcome=DISCHARGED,
                        withheld={names[name] for name, release in releases.items()
                                  if not release.released},
                        said=said_below)
    return DischargeReport(flow=protect_flow(cohort.flow), km=km, cif=cif, time_varying=tv,
                           naive=naive, landmark=landmark, hazard_ratios=ratios,
                           ph_test=ph, key_results=key, cohort=cohort,
                           time_split=split, notes=notes, fine_gray=fine_gray,
                           complete_case=complete, released=released,
                           e_values=e_value_table(
                               {DischargeName.HR_TV: hr,
                                DischargeName.SHR_LANDMARK: fine_gray_hr}, incidence))

