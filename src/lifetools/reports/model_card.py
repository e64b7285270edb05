"""The crisis-risk model card's edition-specific parts: the population the edition's
model was developed and checked on, and its performance, built from what the edition's
run computed (:func:`model_card_results`).

The card's fixed parts (intended use, that the model is not for decisions about an
individual's care without further validation, limitations) are written once, on the
methods page ``book/methods/crisis-risk-model-card.md``, which links to each edition's
card (the "Model card" section at the end of each edition's crisis-risk report). Until
wave 43 the card was the methods page alone, with no population or performance of any
edition (issue 19, item 7).
"""

from __future__ import annotations

from typing import Any

from lifetools.disclosure import Duration, Period, Reason, compose, protected_count
from lifetools.prediction.drift import CALIBRATION_NULL, limits_sentence
from lifetools.reports.crisis_results import model_results
from lifetools.reports.sentences import C_JUDGE, result_sentence
from lifetools.result_names import CrisisName

__all__ = ["CALIBRATION_JUDGE", "PERFORMANCE_SUBJECT", "model_card_results"]

PERFORMANCE_SUBJECT = "This edition's performance of the model"
"""The subject of the card's performance sentence when the model is withheld: it reads
"<subject> is not shown: <why>.", in the words every withheld result of the report
uses (:func:`lifetools.reports.crisis_results.model_results`)."""


CALIBRATION_JUDGE = {
    "slope": {"null": CALIBRATION_NULL["slope"],
              "on_null": "compatible with predicted risks spread out as they should be",
              "above": "the predicted risks are not spread out enough",
              "below": "the predicted risks are spread out too much (high risks too "
                       "high, low risks too low)"},
    "citl": {"null": CALIBRATION_NULL["citl"],
             "on_null": "compatible with predicted risks right on average",
             "above": "the model under-predicts risk on average",
             "below": "the model over-predicts risk on average"}}
"""The verdict of each calibration measure's interval against perfect calibration, in
the drift verdict's words; the drift verdict after them judges the two against the
report's stated limits."""


def _calibration(value: float, limits: tuple[float, float], measure: str,
                 subject: str) -> Any:
    """One calibration measure of the validation cohort with its interval and verdict."""
    return result_sentence(
        value, kind="estimate", interval=limits, missing=subject,
        judge=CALIBRATION_JUDGE[measure],
        found=subject + " was {value} ({level} confidence interval {interval}): "
              "{verdict}.")


def model_card_results(run: Any) -> tuple[dict[str, Any], ...]:
    """The model card's key results of one edition, from its crisis-risk run
    (:class:`~lifetools.reports.crisis_parts.CrisisRun`, counts raw).

    ``model_card_population_sentence``: the development and validation cohorts' people
    (protected counts) and the periods they were open at the start of. ``model_card_performance_sentence``: the
    optimism-corrected C-statistic in the development cohort, and the C-statistic,
    calibration slope and calibration-in-the-large in the validation cohort, each with
    its 95% interval, then the drift verdict in one sentence; when the model's release
    withholds it, "<subject> is not shown: <why>." in the report's own words, no
    number of the model. Tested in ``tests/unit/test_model_card.py``.
    """
    t, boot, drift = run.performance, run.boot, run.drift
    population = compose(
        "The model was developed on the {dev} people open to secondary mental-health "
        "services at the start of {developed} (the development cohort) and checked, "
        "unchanged, on the {val} people open at the start of {validated} (the "
        "validation cohort), each followed for the next {horizon}.",
        horizon=Duration(12, "month"),
        dev=protected_count(len(run.dev)), val=protected_count(len(run.val)),
        developed=Period(run.development_period), validated=Period(run.validation_period))

    def limits(measure: str) -> tuple[float, float]:
        return float(t.loc[measure, "ci_lower"]), float(t.loc[measure, "ci_upper"])

    performance = compose(
        "In the development cohort of {developed}: {corrected} In the validation cohort "
        "of {validated}: {c} {slope} {citl} {drift}",
        developed=Period(run.development_period), validated=Period(run.validation_period),
        corrected=result_sentence(
            boot.corrected("c"), kind="estimate", interval=boot.interval("c"),
            judge=C_JUDGE, missing="The optimism-corrected C-statistic",
            found="the optimism-corrected C-statistic was {value} ({level} confidence "
                  "interval {interval}): {verdict}."),
        c=result_sentence(
            float(t.loc["c", "estimate"]), kind="estimate", interval=limits("c"),
            judge=C_JUDGE, missing="The C-statistic",
            found="the C-statistic was {value} ({level} confidence interval "
                  "{interval}): {verdict}."),
        slope=_calibration(drift.slope, limits("slope"), "slope",
                           "The calibration slope"),
        citl=_calibration(drift.citl, limits("citl"), "citl",
                          "The calibration-in-the-large (on the log-odds scale)"),
        # the terms' plain words are given where the report first uses them, so the
        # limits are said as the drift alarm states them, without them again
        drift=compose("{why}", why=Reason(
            f"{drift.headline} {limits_sentence(run.slope_band, run.citl_band)}")))
    return (
        {"name": CrisisName.MODEL_CARD_POPULATION_SENTENCE, "value": None, "kind": "text",
         "text": population, "label": "Model card: the population"},
        *model_results(
            run.release,
            {"name": CrisisName.MODEL_CARD_PERFORMANCE_SENTENCE, "value": None, "kind": "text",
             "text": performance, "label": "Model card: performance",
             "subject": PERFORMANCE_SUBJECT}))
