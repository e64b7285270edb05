"""The wellbeing report: SWEMWBS change between baseline and follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifetools import disclosure
from lifetools.dataset import Dataset
from lifetools.dictionary import load_dictionary
from lifetools.disclosure import (
    ProtectedTable,
    combine_estimates,
    compose,
    model_release,
)
from lifetools.disclosure.group_counts import part_count
from lifetools.disclosure.text import Parameter
from lifetools.disclosure.withheld import NOTHING_SAID, public_reason
from lifetools.people import locality_rows
from lifetools.regression import (
    estimate_paired_change,
    fit_mixed_model,
    paired_measurements,
    share_meaningful_change,
)
from lifetools.reports.narrative import (
    group_count_result,
    part_count_result,
    reveals_whole_group,
)
from lifetools.reports.sentences import (
    interval_text,
    not_shown_sentences,
    reason_text,
    result_sentence,
    withheld_reasons,
    withheld_text,
)
from lifetools.result_names import WellbeingName
from lifetools.tables import PERCENT_SCALE

__all__ = ["PAGE_ORDER", "SHARE_METHOD", "WellbeingReport", "analyse_wellbeing",
           "scale_sentence", "threshold_sentence"]

PAGE_ORDER = (WellbeingName.MEAN_CHANGE_SENTENCE, WellbeingName.SHARE_IMPROVED_SENTENCE,
              "change")
"""The page's parts in the order the estimates table's pointers to reasons given above
assume (the summary's sentences on the mean change and the share improving before the
table): each a key result's name, glued, or a table's. Checked against the notebook by
``tests/notebooks/test_page_order.py``."""

NO_PAIRS = "too few people completed a follow-up measurement in the period"
"""Why the mean change and the share improving are not shown when no one has a
baseline and a follow-up in the period (the 2023-24 edition at 3,000 people): "too few",
as the release checks say it (a protected reason writes no number in words, zero
included)."""


SCORE_FIELD = ("wellbeing", "swemwbs_metric")
"""The data dictionary's table and field of the score the report analyses: the ends of
its scale are read there (:func:`scale_sentence`)."""


def scale_sentence(lowest: float, highest: float) -> Any:
    """What the report's scores can be, from the ends of the scale the data dictionary
    states for :data:`SCORE_FIELD`: "SWEMWBS metric scores run from 7 to 35; higher is
    better." The page typed the range until wave 23 (issue 15). Tested in
    ``tests/unit/test_reports.py``."""
    return compose("SWEMWBS metric scores run from {lowest} to {highest}; higher is "
                   "better.", lowest=Parameter(lowest, "lowest score of the scale"),
                   highest=Parameter(highest, "highest score of the scale"))


def threshold_sentence(meaningful_change: float) -> Any:
    """The methods' words on the share improving, with the run's threshold
    (``meaningful_change``, a parameter of the run) rather than "a parameter of the run"
    alone. Tested in ``tests/unit/test_reports.py``."""
    return compose("share improving by at least the meaningful-change threshold (a change "
                   "of {threshold} points or more, a parameter of the run) with a Wilson "
                   "interval allowing for the rounding of its counts.", threshold=Parameter(meaningful_change, "meaningful_change"))


SHARE_METHOD = "Share improving (Wilson interval, allowing for rounding)"
"""The estimates table's name of the share improving. Its interval is the union of the
Wilson intervals of every pair of raw counts the published ones round from
(:func:`lifetools.disclosure.published_share_interval`), not the Wilson interval of the
published counts, which the page said until wave 34."""
MEAN_NOT_SHOWN = "How their score changed on average"
"""The subject of the summary's sentence on the mean change when it is not shown."""
SHARE_NOT_SHOWN = "The share who improved by at least the meaningful-change threshold"
"""The subject of the summary's sentence on the share improving when it is not shown."""


IMPROVING = "People improving by the threshold"
"""The counts table's row of the people improving, each one of those with a follow-up."""
PAIRED = "People with a baseline and a follow-up"
"""The counts table's row of the people with a follow-up, each one of those with a
baseline."""


@dataclass(frozen=True)
class WellbeingReport:
    """Paired change, mixed model and meaningful change in SWEMWBS."""

    counts: ProtectedTable
    """Protected; the people improving hidden when they are all or none of those with
    a follow-up (group disclosure, as the share improving is)."""
    estimates: pd.DataFrame
    key_results: tuple[dict[str, Any], ...]
    pairs: pd.DataFrame = field(repr=False, default=None)
    released: ProtectedTable | None = None
    """``estimates`` as released by the model release check (what pages show)."""


def analyse_wellbeing(dataset: Dataset, *, period_start: str, period_end: str,
                      meaningful_change: float = 3.0, locality: str = "all"
                      ) -> WellbeingReport:
    """SWEMWBS change between baseline (in the period) and follow-up.

    Notes
    -----
    Metric SWEMWBS scores; mean paired change with a t interval; a linear mixed model
    (random intercept per person, REML; t interval on Satterthwaite's degrees of
    freedom) on every measurement of people with a baseline in the period; the share improving by at least ``meaningful_change`` with a Wilson
    interval.
    """
    wellbeing = locality_rows(dataset, "wellbeing", locality)
    pairs = paired_measurements(wellbeing, period_start=period_start,
                                period_end=period_end)
    baseline_people = set(wellbeing[(wellbeing["timepoint"] == "baseline") & (
        wellbeing["measurement_date"].between(period_start, period_end))]["person_id"])
    measurements = wellbeing[wellbeing["person_id"].isin(baseline_people)].assign(
        follow_up=lambda f: (f["timepoint"] == "follow_up").astype(float))
    change = estimate_paired_change(pairs)
    mixed = fit_mixed_model(measurements)
    share = share_meaningful_change(pairs, threshold=meaningful_change)
    # the share from the published counts (its interval: Wilson's over the counts they
    # round from, disclosure.published_share_interval); the means are
    # magnitudes: withheld when too few people or dominated by one or two
    # of the people with a follow-up, hidden (and the share with it) when they are none
    # or all of the people with a baseline, as the counts table hides them
    improved = disclosure.share(int(share.extra["improved"]),
                                part_count(len(pairs), len(baseline_people)))
    low, high = improved.interval or (float("nan"), float("nan"))
    # the share in per cent, as its sentence and the comparison quote it (the table
    # showed "0.40 (0.16 to 0.71)" beside the summary's "40.0% (...)" until wave 33)
    shown_share = share.summary.assign(
        estimate=float("nan") if improved.value is None else improved.value,
        ci_lower=low, ci_upper=high, scale=PERCENT_SCALE)
    estimates = pd.concat([
        change.summary.assign(method="Mean paired change (t interval)", scale=""),
        mixed.summary[mixed.summary["term"] == "follow_up"].assign(
            term="follow-up against baseline", method="Linear mixed model (REML, t interval)",
            scale=""),
        shown_share.assign(method=SHARE_METHOD),
    ], ignore_index=True)[["method", "term", "estimate", "ci_lower", "ci_upper", "scale"]]
    # every row through the model release check, on the estimates as fitted: the t
    # interval and the share on the pairs, the mixed model on the measurements
    # (events: observations per level)
    checks = [
        model_release(change, data=pairs.assign(people=1), event_col="people",
                      level_cols=[], summary=estimates.iloc[[0]]),
        # residual degrees of freedom: measurements less both fixed effects
        model_release(mixed, data=measurements.assign(observations=1),
                      event_col="observations", level_cols=["follow_up"],
                      summary=estimates.iloc[[1]], parameters=len(mixed.summary)),
        # the share is a protected share (its interval from published counts; a
        # lower limit of 0 is no fault): residual degrees of freedom only, pairs less
        # the one parameter it estimates (as the mean change's)
        model_release(share, data=pairs.assign(people=1), event_col="people",
                      level_cols=[], summary=estimates.iloc[0:0], converged=True,
                      parameters=1)]
    magnitude = disclosure.magnitude_reason(pairs["change"].to_numpy())
    # a rule's reason for one value is published as privacy alone: "group disclosure"
    # beside the pairs' count says the share is 0% or 100% (disclosure.withheld)
    why = withheld_reasons(checks, [public_reason(magnitude), public_reason(magnitude),
                                    public_reason(improved.reason)])
    if pairs.empty:
        # no one to compare: the plain reason, not the release check's "fewer than 10
        # residual degrees of freedom (... the number of terms the model estimates)"
        # for a mean and a share that no model estimates
        why = [NO_PAIRS if reason and i != 1 else reason for i, reason in enumerate(why)]
    if any(why):
        withheld = [i for i, reason in enumerate(why) if reason]
        estimates.loc[withheld, ["estimate", "ci_lower", "ci_upper"]] = float("nan")
        estimates["withheld"] = [withheld_text(check, reason)
                                 for check, reason in zip(checks, why, strict=True)]
    # the reasons the summary states (the mean change's and the share's sentences, at
    # the page's start) are said once, there: the table's note points to them rather
    # than saying them again (the 2024-25 page at 3,000 people said one reason 3 times:
    # issue 15, wave 24), with each of their release checks' reasons: the mixed model's
    # note gives only the reasons they do not (the residual degrees of freedom were said
    # twice at 3,000 people: wave 28), and names the estimate it repeats ("its other
    # reason is given above" pointed to the mean change's as its own until wave 39)
    withheld, share_withheld = why[0], why[2]
    methods = estimates["method"].tolist()
    said = NOTHING_SAID
    for i in (0, 2):
        said = said.then(methods[i], why[i], [*why[i].split("; "), *checks[i].reasons])
    released = combine_estimates([check.estimates(estimates.iloc[[i]], said=said,
                                                  name=methods[i])
                                  for i, check in enumerate(checks)])
    counts = disclosure.protect_counts(pd.DataFrame({"measure": [
        "People with a baseline measurement in the period", PAIRED, IMPROVING],
        "n": [len(baseline_people), len(pairs), share.extra["improved"]]}), ["n"])
    if improved.reason == disclosure.GROUP_REASON or reveals_whole_group(
            len(pairs), int(share.extra["improved"])):
        # a flow whose rows are subsets of the row above: "10 with a follow-up, 10
        # improving" says everyone improved (the share hidden for it): hide the count;
        # so does "0 improving" under "[c] with a follow-up" (none of 1 to 7 people),
        # whatever hid the share (its denominator, at 3,000 people: wave 28)
        counts = disclosure.carry_suppression(counts, label_col="measure", column="n",
                                              labels={IMPROVING})
    # none (or all) of the people with a baseline completed a follow-up: the 2023-24
    # page at 3,000 people said "fewer than 8 people completed SWEMWBS when they
    # started and 0 completed it again later" (group disclosure, wave 28)
    none_paired = reveals_whole_group(len(baseline_people), len(pairs))
    if none_paired:
        counts = disclosure.carry_suppression(counts, label_col="measure", column="n",
                                              labels={PAIRED, IMPROVING})
    mean, low, high = ((float("nan"),) * 3 if withheld else
                       change.estimate("mean change"))
    not_shown = compose("not shown ({why})", why=reason_text(withheld)) if withheld \
        else None
    key = (
        {"name": WellbeingName.BASELINE_PEOPLE, "value": len(baseline_people), "kind": "count",
         "label": "People with a baseline SWEMWBS in the period"},
        part_count_result(WellbeingName.PAIRED_PEOPLE, "People with baseline and follow-up",
                          part=len(pairs), group=len(baseline_people)),
        group_count_result(
            WellbeingName.COMPLETION_SENTENCE, "Summary: people who completed SWEMWBS",
            "During the period {group} people completed SWEMWBS when they started and "
            "{part} completed it again later.",
            "During the period {group} people completed SWEMWBS when they started; how "
            "many completed it again later is not shown ({why}).",
            group=len(baseline_people), part=len(pairs)),
        # withheld (by its check or a magnitude rule): the summary's reason, the
        # estimate's and its interval's in one set of words (wave 32)
        {"name": WellbeingName.MEAN_CHANGE, "value": mean, "kind": "estimate",
         "label": "Mean change in SWEMWBS metric score", "released": checks[0],
         "text": not_shown},
        {"name": WellbeingName.MEAN_CHANGE_CI, "value": [low, high], "kind": "text",
         "text": not_shown if withheld else interval_text(low, high, null=0.0),
         "label": "95% CI of the mean change", "released": checks[0]},
        # quoted as its release check lets it be: "not shown (too few people to
        # estimate)" when the check withheld it, as the summary and the estimates
        # table say, never its own rule's privacy beside them (wave 32)
        {"name": WellbeingName.SHARE_IMPROVED, "value": checks[2].withhold(improved),
         "kind": "percentage", "label": "Share improving by the threshold (%)"},
    )
    score = load_dictionary().table(SCORE_FIELD[0]).field(SCORE_FIELD[1])
    # each reason once: the share's sentence follows the mean change's on the page
    mean_not_shown, share_not_shown = not_shown_sentences(
        [MEAN_NOT_SHOWN, SHARE_NOT_SHOWN], [withheld or "", share_withheld or ""])
    key += (
        {"name": WellbeingName.SCALE_SENTENCE, "value": None, "kind": "text",
         "label": "What the scores can be",
         "text": scale_sentence(score.minimum, score.maximum)},
        {"name": WellbeingName.THRESHOLD_SENTENCE, "value": None, "kind": "text",
         "label": "Methods: the share improving and its threshold",
         "text": threshold_sentence(meaningful_change)},
        {"name": WellbeingName.MEAN_CHANGE_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: mean change in SWEMWBS", "text": (
             mean_not_shown if withheld else result_sentence(
                 mean, kind="estimate", interval=(low, high),
                 judge={"null": 0.0, "above": "scores rose on average",
                        "below": "scores fell on average"},
                 found="Their score changed by {value} points on average ({level} "
                 "confidence interval {interval}): {verdict}.",
                 missing="How their score changed on average"))},
        {"name": WellbeingName.SHARE_IMPROVED_SENTENCE, "value": None, "kind": "text",
         "label": "Summary: share improving", "text": share_not_shown
         if share_withheld else result_sentence(
             improved, kind="percentage",
             found="{value} ({level} confidence interval {interval}) improved by at least "
             "the meaningful-change threshold.",
             missing="The share who improved by at least the meaningful-change "
             "threshold")},
    )
    return WellbeingReport(counts=counts, estimates=estimates, key_results=key,
                           pairs=pairs, released=released)
