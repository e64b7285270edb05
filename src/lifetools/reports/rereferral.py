"""The re-referral report: time to re-referral after discharge, death competing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifetools.cohort import CohortSpec, build_rereferral_cohort
from lifetools.convergence import recorded_warnings
from lifetools.dataset import Dataset
from lifetools.disclosure import (
    Estimate,
    Interval,
    ModelRelease,
    ProtectedTable,
    compose,
    model_release,
    protect_flow,
)
from lifetools.disclosure.withheld import Said
from lifetools.reports.missing import (
    IMPUTATIONS,
    SEED,
    adjusted_for,
    complete_cases,
    imputed_copies,
    model_covariates,
    pooled,
    sparse_covariates,
)
from lifetools.reports.narrative import (
    cumulative_share_sentence,
    group_count_result,
    horizon_estimate,
    part_count_result,
    published_count,
    ratio_sentence,
)
from lifetools.reports.sentences import reason_result
from lifetools.reports.survival_parts import (
    COMPLETE_CASE,
    DEATH,
    FINE_GRAY,
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
    released_ratios,
    stated_in_table,
    whole_degrees,
    with_e_values,
    withheld_row,
)
from lifetools.result_names import ReReferralName
from lifetools.survival import estimate_cif, fit_cox, fit_fine_gray
from lifetools.tables import PERCENT_SCALE, table_estimates

__all__ = ["PAGE_ORDER", "SHARE_METHOD", "ReReferralReport", "analyse_rereferral", "share_label",
           "share_results", "share_table"]

REFERRED = "were referred again"
"""The event in a fit note's plain words (:func:`lifetools.reports.sentences.
plain_fit_reason`)."""

PAGE_ORDER = (ReReferralName.REREFERRAL_SENTENCE, ReReferralName.HR_REREFERRAL_SENTENCE,
              ReReferralName.SHR_REREFERRAL_SENTENCE, "share-rereferred", "hazard-ratios",
              "ph-test", "fit-notes")
"""The page's parts in the order the report's pointers to reasons given above assume
(:class:`~lifetools.disclosure.withheld.Said`: the summary's sentences, then the table
of the share re-referred, whose note points to the summary's, then the hazard-ratio
table, whose note the PH table points to): each a key result's name, glued, or a
table's. Checked against the notebook by ``tests/notebooks/test_page_order.py``."""

SHARE_METHOD = "Cumulative incidence of re-referral (Aalen-Johansen, death competing)"
"""The method column of the table of the share re-referred (:func:`share_table`)."""
SHARE_WHO = "everyone discharged"
"""Whose share the table gives (its term, with the day it is quoted at)."""
SHARE_NOT_FOLLOWED = "too few people were followed after discharge"
"""Why the share has no number when no day has enough people followed (the summary
says "Too few people were followed after discharge to estimate the share ...")."""


REREFERRAL_JUDGE = {"above": "re-referral sooner among Life Rooms users",
                    "below": "re-referral later among Life Rooms users"}
"""The verdict's words for the hazard ratio of re-referral (the summary's sentence; the
main point's are in ``analyses/analyses.yml``)."""
FINE_GRAY_JUDGE = {"above": "re-referral more likely among Life Rooms users",
                   "below": "re-referral less likely among Life Rooms users"}
"""The verdict's words for the Fine-Gray subdistribution hazard ratio (its events are
counted by the model's release check, which withholds it with fewer than 10)."""


def share_label(horizon: int) -> dict[str, str]:
    """The label of the re-referral share (and its ``at`` words: its follow-up).

    "Cumulative incidence of re-referral by 230 days after discharge (%)"; with no day
    to quote it at (too few people followed: the horizon is 0) the label names no day,
    never "by 0 days after discharge". Tested in ``tests/unit/test_reports.py``.
    """
    if horizon <= 0:
        return {"label": "Cumulative incidence of re-referral after discharge (%)"}
    at = f"by {horizon} days after discharge"
    return {"label": f"Cumulative incidence of re-referral {at} (%)", "at": at}


def _ci_label(label: dict[str, str]) -> dict[str, str]:
    """The label of a result's 95% limits, from the result's (:func:`share_label`)."""
    return {**label, "label": f"95% CI: {label['label']}"}


def share_results(horizon: int, row: pd.Series | None, release: ModelRelease
                  ) -> list[dict[str, Any]]:
    """The key results of the share re-referred by ``horizon`` (``row``: the overall
    curve's estimate in force that day, None when none is quoted) and its interval.

    Withheld by its release check (``release``: the curve's events in total), each
    reads "not shown: <reason>" (the release's reason, through
    :func:`lifetools.publication.record`'s one path for a withheld value's reason, as
    the page's withheld ratios do); it read "not shown (too few events to estimate)"
    until wave 40, the only withheld result worded so (issue 15). With no day to quote
    it at (no number), :func:`~lifetools.publication.record` writes "could not be
    estimated". Tested in ``tests/unit/test_withheld_key_results.py``.
    """
    withheld = release.withheld_reason
    why = reason_result(withheld) if withheld else None
    label = share_label(horizon)
    share = None if row is None else 100 * float(row["estimate"])
    limits = None if row is None else (100 * float(row["ci_lower"]),
                                       100 * float(row["ci_upper"]))
    return [
        {"name": ReReferralName.REREFERRAL_1Y, "kind": "estimate",
         "value": float("nan") if share is None else share,
         **(why or {"text": compose("not estimated") if share is None else compose(
             "{share}", share=Estimate(share, 1, percent=True))}),
         **label, "released": release},
        # its interval, for the comparison with the previous edition (wave 36)
        {"name": ReReferralName.REREFERRAL_1Y_CI, "kind": "interval",
         "value": None if limits is None else list(limits),
         **(why or {"text": compose("not estimated") if limits is None else compose(
             "{ci}", ci=Interval(*limits, 1, percent=True))}),
         **_ci_label(label), "released": release}]


def share_table(horizon: int, row: pd.Series | None, release: ModelRelease
                ) -> ProtectedTable:
    """The share re-referred by ``horizon`` (everyone discharged) as a one-row table of
    released estimates: the download behind the number the summary quotes (only
    ``results.json`` held it until wave 40, issue 15), in per cent with its interval.

    Released by the curve's release check (``release``), as the key results are; when
    it withholds the share the row is blanked (``[x]``) and its note says the reasons
    are given above, by the summary's sentence. With no day to quote it at, the row says
    :data:`SHARE_NOT_FOLLOWED`. Tested in ``tests/unit/test_withheld_key_results.py``.
    """
    at = share_label(horizon).get("at")
    frame = pd.DataFrame({
        "method": [SHARE_METHOD],
        "term": [f"{SHARE_WHO}, {at}" if at else SHARE_WHO],
        "estimate": [float("nan") if row is None else 100 * float(row["estimate"])],
        "ci_lower": [float("nan") if row is None else 100 * float(row["ci_lower"])],
        "ci_upper": [float("nan") if row is None else 100 * float(row["ci_upper"])],
        "scale": [PERCENT_SCALE]})
    if row is None and release.released:
        frame["failure"] = [SHARE_NOT_FOLLOWED]
    said = Said.of([(SHARE_METHOD, release.withheld_brief)])
    return release.estimates(frame, said=said, name=SHARE_METHOD)


@dataclass(frozen=True)
class ReReferralReport:
    """Everything the re-referral report shows."""

    flow: ProtectedTable
    cif: Any
    cox: Any
    hazard_ratios: pd.DataFrame
    key_results: tuple[dict[str, Any], ...]
    cohort: Any = field(repr=False, default=None)
    release: Any = None
    ph_test: pd.DataFrame | None = None
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["model", "note"]))
    fine_gray: Any = None
    complete_case: Any = None
    released: ProtectedTable | None = None
    """``hazard_ratios`` as released by the model release check (what pages show)."""
    e_values: pd.DataFrame | None = None
    """The E-values of the headline ratios and how each was made
    (:func:`~lifetools.reports.survival_parts.e_value_table`; not published as is)."""
    share: ProtectedTable | None = None
    """The share re-referred the summary quotes, released (:func:`share_table`)."""

    @property
    def share_table(self) -> pd.DataFrame:
        """The share re-referred as published: its estimate and interval, or ``[x]``."""
        return table_estimates(self.share, label="estimate", keep=["method"])

    @property
    def hazard_ratio_table(self) -> pd.DataFrame:
        """The released hazard ratios as published, with the headline E-values
        (:func:`~lifetools.reports.survival_parts.hazard_ratio_table`)."""
        return hazard_ratio_table(self.released)


def analyse_rereferral(
    dataset: Dataset,
    *,
    period_start: str,
    period_end: str,
    team_types: Sequence[str] = ("A06",),
    locality: str = "all",
    imputations: int = IMPUTATIONS,
    seed: int = SEED,
) -> ReReferralReport:
    """Time to re-referral after discharge, death competing; Life Rooms use at discharge.

    Notes
    -----
    Aalen-Johansen cumulative incidence of re-referral by Life Rooms use (death
    competing); cause-specific Cox model of re-referral (Efron ties), adjusted as the
    discharge report. Life Rooms use is fixed at discharge, so no immortal time.
    Proportional hazards: R's ``cox.zph`` (km transform, per term and global) in
    ``ph_test``; warnings of the fits in ``notes``; a hazard ratio that could not be
    estimated reads "could not be estimated: <reason>" in the key results.
    Secondary estimate: the Fine-Gray subdistribution hazard ratios of re-referral
    (death competing; ``fine_gray``, rows "Fine-Gray" in ``hazard_ratios``, key results
    ``shr_rereferral``), under the same release check as the cause-specific model.
    Missing data as :func:`analyse_discharge`: HoNOS imputed (``imputations`` copies,
    Rubin's rules), unknown area its own category, complete-case Cox beside it.
    """
    cohort = build_rereferral_cohort(dataset, CohortSpec(period_start, period_end,
                                     tuple(team_types), locality))
    data = cohort.data.assign(group=cohort.data["used_life_rooms"].map(
        {1.0: "Used the Life Rooms", 0.0: "Did not use the Life Rooms"}))
    covariates = model_covariates(data, "rereferred")
    # complete cases (HoNOS recorded) are fewer: a group sparse there only is left
    # out of that model alone, not allowed to withhold it
    complete_covariates = [c for c in covariates if c not in sparse_covariates(
        complete_cases(data), covariates, "rereferred")]
    left_out = left_out_notes(model_covariates(data), covariates, covariates,
                              "re-referrals", complete_covariates)
    copies = imputed_copies(data, event_col="event", exposure_col="used_life_rooms",
                            m=imputations, seed=seed)
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group", times=(0, 90, 180, 365))
    with recorded_warnings():  # carried in cox.warnings, shown in notes
        cox = pooled(lambda part, first: fit_cox(
            part, duration_col="duration", event_col="rereferred", check_ph=first,
            covariates=["used_life_rooms", *covariates]), copies)
        fine_gray = pooled(lambda part, first: fit_fine_gray(
            part, duration_col="duration", event_col="event", event_of_interest=1,
            competing=(DEATH["rereferral"],),
            covariates=["used_life_rooms", *covariates]), copies)
        complete = fit_cox(complete_cases(data), duration_col="duration",
                           event_col="rereferred", check_ph=False,
                           covariates=["used_life_rooms", *complete_covariates])
    # release check: n, events and residual df per level; withheld when any level has
    # too few events, the fit did not converge or an interval is degenerate
    release = model_release(cox, data=copies[0], event_col="rereferred",
                            level_cols=["used_life_rooms", *covariates])
    own = {"complete": model_release(complete, data=complete_cases(data),
                                     event_col="rereferred",
                                     level_cols=["used_life_rooms", *complete_covariates]),
           "fine_gray": model_release(fine_gray, data=copies[0], event_col="rereferred",
                                      level_cols=["used_life_rooms", *covariates])}
    fg_check = release if not release.released else own["fine_gray"]
    overall = estimate_cif(data, duration_col="duration", event_col="event",
                           event_of_interest=1)
    horizon, at_horizon = horizon_estimate(overall.summary, data["duration"])
    # the curve's cumulative incidence is a statistic of people's values: quoted only
    # with the release of the same people's events in total (lifetools.publication.record);
    # with fewer events it is not quoted (one event in 21 people would read 4.8%)
    cif_release = model_release(overall, data=data.assign(everyone="all"),
                                event_col="rereferred", level_cols=["everyone"],
                                summary=overall.summary.iloc[0:0], converged=True)
    withheld = None if cif_release.released else (
        cif_release.withheld_brief)
    if withheld:
        # nothing is quoted, so no day is named either: "[x], by 239 days after
        # discharge" read as a value estimated at that day and hidden (wave 37)
        at_horizon, horizon = None, 0
    hr = (estimate_row(cox, "used_life_rooms", outcome=REFERRED) if release.released
          else withheld_row(release))
    label = "Hazard ratio of re-referral, Life Rooms use before discharge"
    rereferred = int(data["rereferred"].sum())
    # re-referral's cumulative incidence by the end of follow-up (death competing)
    # decides the E-values' common-outcome conversion; it is not quoted by this
    incidence = end_incidence(overall.summary)
    shr = (estimate_row(fine_gray, "used_life_rooms", outcome=REFERRED)
           if fg_check.released else withheld_row(fg_check))
    rereferred_result = part_count_result(
        ReReferralName.REREFERRED, "People re-referred during follow-up",
        part=rereferred, group=len(data))
    # the verdicts' fewest-events rule reads the published count, as the main point does
    judge = {**REREFERRAL_JUDGE, "events": published_count(rereferred_result)}
    key = (
        {"name": ReReferralName.ADJUSTED_FOR, "value": None, "kind": "text",
         "label": "Methods: what the models are adjusted for",
         "text": compose("{words}", words=adjusted_for(model_covariates(data)))},
        {"name": ReReferralName.DISCHARGED_PEOPLE, "value": len(data), "kind": "count",
         "label": "People discharged in the period"},
        rereferred_result,
        *share_results(horizon, at_horizon, cif_release),
        {"name": ReReferralName.REREFERRAL_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: share re-referred", "text": cumulative_share_sentence(
             horizon, at_horizon, event="referred again", withheld=withheld)},
        group_count_result(
            ReReferralName.REREFERRED_SENTENCE, "Summary: people re-referred",
            "Of {group} people discharged during the period, {part} were referred "
            "again before the end of the period.",
            "Of {group} people discharged during the period, how many were referred "
            "again before the end of the period is not shown ({why}).",
            group=len(data), part=rereferred),
        *(ratio_results(ReReferralName.HR_REREFERRAL, label, hr)
          if release.released else [
            {"name": ReReferralName.HR_REREFERRAL, "value": None, "kind": "text",
             **reason_result(hr["text"]),
             "label": label},
            {"name": ReReferralName.HR_REREFERRAL_CI, "value": None, "kind": "text",
             **reason_result(hr["text"]), "label": f"95% CI: {label}"}]),
        {"name": ReReferralName.HR_REREFERRAL_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: Life Rooms use and re-referral", "text": ratio_sentence(
             hr, found="The rate of re-referral among Life Rooms users was {estimate} "
             "times that of non-users with similar characteristics ({level} confidence "
             "interval {interval}): {verdict}.", missing="How the rate of re-referral "
             "among Life Rooms users compared with that of similar non-users",
             reason_before=withheld, judge=judge)},
        *evalue_results(ReReferralName.HR_REREFERRAL, label, hr, incidence=incidence,
                        outcome="re-referral"),
        evalue_sentence(ReReferralName.HR_REREFERRAL, hr, incidence=incidence,
                        exposure="Life Rooms use", outcome="re-referral",
                        estimate="the hazard ratio of re-referral"),
    )
    shr_label = ("Subdistribution hazard ratio of re-referral (Fine-Gray, death "
                 "competing), Life Rooms use before discharge")
    key = (*key, *(ratio_results(ReReferralName.SHR_REREFERRAL, shr_label, shr)
                   if fg_check.released else [
        {"name": name, "value": None, "kind": "text",
         **reason_result(shr["text"]),
         "label": f"{lead}{shr_label}"}
        for name, lead in ((ReReferralName.SHR_REREFERRAL, ""),
                           (ReReferralName.SHR_REREFERRAL_CI, "95% CI: "))]),
        {"name": ReReferralName.SHR_REREFERRAL_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: the Fine-Gray secondary estimate", "text": ratio_sentence(
             shr, found="As a secondary estimate, the Fine-Gray subdistribution hazard ratio "
             "(death competing) was {estimate} ({level} confidence interval {interval}): "
             "{verdict}.", missing="The Fine-Gray subdistribution hazard ratio (a "
             "secondary estimate, death competing)", reason_before=hr["text"],
             judge=FINE_GRAY_JUDGE)},
        *evalue_results(ReReferralName.SHR_REREFERRAL, shr_label, shr,
                        incidence=incidence, outcome="re-referral"))
    # the complete-case and Fine-Gray models share the main model's verdict (same
    # people and events) and have release checks of their own (their own fits)
    complete_check = release if not release.released else own["complete"]
    complete_hr = (estimate_row(complete, "used_life_rooms", outcome=REFERRED)
                   if complete_check.released else withheld_row(complete_check))
    pieces = [(release, with_e_values(cox.summary, "used_life_rooms",
                                      hazard_e_values(hr, incidence)),
               cox, "Cause-specific Cox"),
              # the complete-case sensitivity ratio has its E-values in the table too
              (complete_check, with_e_values(complete.summary.head(1), "used_life_rooms",
                                             hazard_e_values(complete_hr, incidence)),
               complete, COMPLETE_CASE.format("Cause-specific Cox")),
              (fg_check, with_e_values(fine_gray.summary, "used_life_rooms",
                                       hazard_e_values(shr, incidence)), fine_gray,
               f"{FINE_GRAY} (subdistribution, death competing)")]
    # the reasons the summary states (the hazard ratio's and the Fine-Gray ratio's
    # sentences, at the page's start) are said once, there: the tables' notes say
    # where they are (the 2024-25 page at 3,000 people said "too few events in total"
    # 7 times: issue 15, wave 25), and name the model they were said for when they
    # point a model the summary did not speak for (the complete cases) to them (wave 39)
    said = Said.of([(pieces[0][3], hr["text"] if not release.released else ""),
                    (pieces[2][3], shr["text"] if not fg_check.released else "")])
    released = released_ratios(pieces, outcome=REFERRED, said=said)
    ratios = released.frame
    # each model's release by its name in the fit notes (a withheld model's PH note
    # is left out there: its test is withheld in the PH table)
    pieces_of = [("Cause-specific Cox", release),
                 (COMPLETE_CASE.format("Cause-specific Cox"), pieces[1][0]),
                 (FINE_GRAY, fg_check)]
    # the hazard-ratio table's note gives the reasons the summary did not: the PH
    # table below it points there
    ph = whole_degrees(ph_table(cox, "Cause-specific Cox", exposure_action=(
        "noted: the hazard ratio is an average over follow-up"), release=release,
        said=stated_in_table(pieces, said)))
    return ReReferralReport(flow=protect_flow(cohort.flow), cif=cif, cox=cox, hazard_ratios=ratios,
                            key_results=key, cohort=cohort, release=release, ph_test=ph,
                            notes=model_notes({"Cause-specific Cox": cox,
                                               FINE_GRAY: fine_gray,
                                               COMPLETE_CASE.format("Cause-specific Cox"):
                                               complete,
                                               "Cumulative incidence": cif}, left_out,
                                              outcome=REFERRED, withheld=[
                                                  name for name, check in pieces_of
                                                  if not check.released]),
                            fine_gray=fine_gray, complete_case=complete,
                            share=share_table(horizon, at_horizon, cif_release),
                            released=released, e_values=e_value_table(
                                {ReReferralName.HR_REREFERRAL: hr,
                                 ReReferralName.SHR_REREFERRAL: shr}, incidence))
