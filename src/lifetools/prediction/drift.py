"""The drift alarm of a frozen model's temporal validation: has calibration drifted
beyond the report's stated limits? One verdict, in plain words, generated from the
computed estimates and intervals (:func:`drift_check`).

Kept apart from :mod:`lifetools.prediction.validation` so that each module stays short.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifetools.formatting import format_value, places_avoiding
from lifetools.labels import TERMS
from lifetools.prediction.performance import Performance

__all__ = ["CALIBRATION_NULL", "DRIFT_HEADLINES", "DRIFT_OPENINGS", "DriftCheck", "drift_check",
           "limits_sentence"]

_CITL = "calibration-in-the-large"


@dataclass(frozen=True)
class DriftCheck:
    """Whether calibration left its stated band, in plain words.

    ``state`` is ``"held"`` (both estimates and both 95% intervals inside their limits),
    ``"unclear"`` (both estimates inside, an interval reaching beyond its limits) or
    ``"drifted"`` (an estimate outside its limits: the alarm, ``drifted`` True).
    """

    drifted: bool
    verdict: str
    slope: float
    citl: float
    slope_band: tuple[float, float]
    citl_band: tuple[float, float]
    state: str = "held"

    @property
    def headline(self) -> str:
        """The verdict in one sentence with no number (:data:`DRIFT_HEADLINES`), for a
        main point; the page gives :attr:`verdict` whole, with the estimates and the
        limits. Until wave 33 the landing page's main point and the report page's
        opened with the whole verdict, which the report page then repeated word for
        word (issue 15)."""
        return DRIFT_HEADLINES[self.state]


DRIFT_OPENINGS = {"held": "Calibration held",
                  "unclear": "The data cannot tell whether calibration held",
                  "drifted": "Calibration has drifted"}
"""How the drift verdict opens in each state (:func:`drift_check`): one verdict, never
"held" beside an interval that reaches beyond the limits."""

CALIBRATION_WORDS = "whether the predicted risks still matched what happened"
"""Calibration in plain words, beside the word in a main point (the landing page, which
explains no term elsewhere, said "whether calibration held" bare: wave 37)."""

DRIFT_HEADLINES = {
    "held": f"Calibration ({CALIBRATION_WORDS}) held within the stated limits.",
    "unclear": f"The data cannot tell whether calibration ({CALIBRATION_WORDS}) held.",
    "drifted": f"Calibration ({CALIBRATION_WORDS}) has drifted: the model should be "
               "recalibrated or refitted before further use."}
""":attr:`DriftCheck.headline` in each state: the verdict's opening, as a sentence, with
calibration's plain words (:data:`CALIBRATION_WORDS`)."""

CALIBRATION_NULL = {"slope": 1.0, "citl": 0.0}
"""Each calibration measure's value under perfect calibration: the null a confidence
limit keeps its side of wherever the measure is written (the drift verdict, the
crisis page's key results and its TRIPOD checklist)."""


def limits_sentence(slope_band: tuple[float, float], citl_band: tuple[float, float]) -> str:
    """The drift alarm's stated limits in plain words, numbers through the formatter."""
    def band(limits: tuple[float, float]) -> str:
        low, high = (format_value(v, kind="estimate", digits=_digits(v)) for v in limits)
        return f"{low} to {high}"

    # no ideal values in the sentence: "(1 means ...)" is a bare count to the gate's
    # prose rule (the TRIPOD checklist's label column) and "(a slope of one ...)" a
    # number in words to the rule for a reason (the verdict is recorded as one,
    # :func:`lifetools.reports.sentences.reason_text`); the terms' plain words are
    # added where the page shows them (:func:`lifetools.labels.explain_terms`)
    return (f"The stated limits are a calibration slope from {band(slope_band)} and a "
            f"calibration-in-the-large from {band(citl_band)} on the log-odds scale.")


def _digits(value: float) -> int:
    """Decimal places that write a stated limit as it was set (0.8, 1.25, 0.2)."""
    for places in range(6):
        if round(value, places) == value:
            return places
    return 6


def drift_check(result: Performance, *, slope_band: tuple[float, float] = (0.8, 1.2),
                citl_band: tuple[float, float] = (-0.2, 0.2)) -> DriftCheck:
    """The check that the model is still accurate: has calibration drifted beyond the limits?

    Notes
    -----
    The learning system's alarm. Calibration-in-the-large is named beside its plain
    words (:data:`lifetools.labels.TERMS`). Three verdicts, generated from the computed
    estimates and 95% intervals so that they cannot contradict themselves
    (:data:`DRIFT_OPENINGS`): drift (``drifted`` True) when the calibration slope or
    calibration-in-the-large (log-odds) estimate lies outside its band, with what it
    means for the predicted risks; held when both estimates and both intervals lie
    inside their bands; otherwise (estimates inside, an interval reaching beyond) the
    data cannot tell, and the verdict says which interval and that drift of that size
    is not ruled out. Every verdict gives each estimate with its interval and ends by
    stating the limits in plain words (:func:`limits_sentence`). Bands are the report's
    stated limits (defaults 0.8-1.2 and -0.2 to 0.2, about an 18% relative error in the
    odds). Numbers through :func:`lifetools.formatting.format_value` (2 decimal places).
    Tests: ``tests/unit/test_prediction.py`` (each state), truth test
    ``tests/truth/test_prediction_truth.py``.
    """
    table = result.summary.set_index("measure")
    slope, citl = float(table.loc["slope", "estimate"]), float(table.loc["citl", "estimate"])
    bands = {"slope": slope_band, "citl": citl_band}
    plain = {"slope": "the calibration slope", "citl": _CITL}
    # the first mention gives calibration-in-the-large's plain words, later ones not
    names = {**plain, "citl": f"{_CITL} ({TERMS[_CITL]})"}

    def stated(m: str) -> str:
        estimate = format_value(float(table.loc[m, "estimate"]), kind="estimate", digits=2)
        # a limit that would round onto no miscalibration (a slope of 1, a
        # calibration-in-the-large of 0) keeps its side: "0.998", never "1.00", which
        # the models table beside it wrote "0.998" (wave 36); so does one that would
        # round onto a stated limit, which the verdict reads it against: "0.797", never
        # "0.80" beside "reaches beyond them" for a limit of 0.8 (wave 40):
        # lifetools.formatting.places_avoiding
        interval = " to ".join(
            format_value(value, kind="estimate",
                         digits=places_avoiding(value, CALIBRATION_NULL[m], *bands[m],
                                                digits=2))
            for value in (float(table.loc[m, c]) for c in ("ci_lower", "ci_upper")))
        return f"{names[m]} was {estimate} (95% CI {interval})"

    outside = [m for m, v in (("slope", slope), ("citl", citl))
               if not bands[m][0] <= v <= bands[m][1]]
    wide = [m for m in ("slope", "citl")
            if table.loc[m, "ci_lower"] < bands[m][0] or table.loc[m, "ci_upper"] > bands[m][1]]
    limits = limits_sentence(slope_band, citl_band)
    if outside:
        words = []
        for m in outside:
            low, high = (float(table.loc[m, c]) for c in ("ci_lower", "ci_upper"))
            where = ("outside its limits, though its interval reaches back inside them"
                     if high >= bands[m][0] and low <= bands[m][1] else "outside its limits")
            if m == "slope":
                meaning = "predicted risks are " + (
                    "too extreme (high risks too high, low risks too low)" if slope < 1
                    else "too moderate (not spread out enough)")
            else:
                meaning = ("the model " + ("under-predicts" if citl > 0 else "over-predicts")
                           + " risk on average")
            scale = " on the log-odds scale" if m == "citl" else ""
            words.append(f"{stated(m)}{scale}, {where}: {meaning}")
        state = "drifted"
        verdict = (f"{DRIFT_OPENINGS[state]}: " + "; ".join(words)
                   + ". The model should be recalibrated or refitted before further use. "
                   + limits)
    elif wide:
        state = "unclear"
        # the terms were explained in the sentence before: named plainly here (the
        # landing page's main point explained calibration-in-the-large twice in one
        # verdict until wave 33, issue 15)
        which = " and of ".join(plain[m] for m in wide)
        verdict = (f"{DRIFT_OPENINGS[state]}: {stated('slope')} and {stated('citl')}. "
                   f"Both estimates are inside the stated limits, but the interval of "
                   f"{which} reaches beyond them: drift of that size cannot be ruled out "
                   f"in a cohort of this size. {limits}")
    else:
        state = "held"
        verdict = (f"{DRIFT_OPENINGS[state]}: {stated('slope')} and {stated('citl')}, "
                   f"both estimates and both intervals inside the stated limits. {limits}")
    return DriftCheck(drifted=bool(outside), verdict=verdict, slope=slope, citl=citl,
                      slope_band=slope_band, citl_band=citl_band, state=state)
