"""The crisis-risk report's internal validation: the bootstrap it runs, how reliably
its resampled fits were fitted, and its table.

Kept apart from :mod:`lifetools.reports.prediction` so that each module stays short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lifetools.design_sizes import MIN_BOOT_PER_COPY
from lifetools.disclosure import Parameter, Period, ProtectedText, compose
from lifetools.formatting import format_bounds, format_value
from lifetools.labels import listed, with_words
from lifetools.prediction import ModelSpec
from lifetools.prediction.boot_mi import bootstrap_validation_boot_mi
from lifetools.prediction.drift import CALIBRATION_NULL
from lifetools.prediction.imputation import bootstrap_validation_imputed
from lifetools.prediction.intervals import TwoStageInterval
from lifetools.prediction.penalised import RidgeModel
from lifetools.prediction.validation import BootstrapValidation
from lifetools.reports.crisis_parts import INTERNAL_METHODS, imputed_cohort

__all__ = ["CURVE_WHY", "INTERVAL_INDICES", "NO_DIFFERENCE", "OTHER_PARTS", "PERFECT", "TWO_STAGE_COLUMN",
           "UNRELIABLE_LIMIT", "FitReliability", "NestedFits", "method_text", "nested_fits", "nested_text", "InternalValidation", "fit_reliability", "internal_calibration_grid",
           "internal_calibration_table", "other_fits", "internal_validation",
           "internal_validation_table", "kept_off", "kept_sides"]


@dataclass(frozen=True)
class InternalValidation:
    """The report's internal validation (:func:`internal_validation`).

    ``boot``: the bootstrap whose corrected indexes and calibration curve the page
    shows; ``mi_boot``: the MI-boot run the model comparison uses (``boot`` itself
    unless boot-MI was asked for); ``method``: the sentence saying what was done;
    ``calibration_method``: the sentence saying which bootstrap the corrected
    calibration curve comes from and why; ``brief``: ``method`` in one clause, for the
    methods list and the TRIPOD+AI checklist, which name the section that says it all
    (:func:`method_brief`).
    """

    boot: BootstrapValidation
    mi_boot: BootstrapValidation
    method: ProtectedText
    calibration_method: ProtectedText
    brief: ProtectedText


CURVE_WHY = ("The curves come from the same bootstrap as the corrected measures above, "
             "so that the curve and the corrected calibration slope describe the same "
             "correction")
"""The opening of the sentence saying which bootstrap corrected the calibration curve."""


def internal_validation(dev: pd.DataFrame, dev_copies: list[pd.DataFrame],
                        spec: ModelSpec, *, method: str, n_boot: int, seed: int,
                        imputations: int, grid: np.ndarray | None = None
                        ) -> InternalValidation:
    """The report's internal validation, the MI-boot run the model comparison uses, and
    sentences saying exactly what was done.

    Parameters
    ----------
    dev : DataFrame
        The development cohort with HoNOS missing where not recorded.
    dev_copies : list of DataFrame
        Its imputed copies (:func:`imputed_cohort`).
    method : {"mi-boot", "boot-mi"}
        ``"mi-boot"``: Harrell's bootstrap within each imputed copy, averaged
        (:func:`lifetools.prediction.imputation.bootstrap_validation_imputed`).
        ``"boot-mi"``: each bootstrap sample drawn before imputation and imputed afresh
        with ``imputations`` copies (:func:`lifetools.prediction.boot_mi.
        bootstrap_validation_boot_mi`); the model comparison still uses MI-boot for
        both models, so that its columns are comparable.
    grid : array of float, optional
        The risks at which the optimism-corrected calibration curve is read
        (:func:`internal_calibration_grid`); default ``rms::calibrate``'s grid of the
        first copy.

    Notes
    -----
    Both with the heuristic shrinkage repeated in each sample and seed ``seed``, and
    with the .632+ estimates of C and the Brier score (``plus632=True``: the Harrell
    columns are unchanged by it), and with the optimism-corrected calibration curve
    (``calibrate=True``, from the same samples). The page shows the curve of the
    bootstrap whose indexes it shows (``boot``: boot-MI's own curve when boot-MI was
    asked for), so that the curve and the corrected calibration slope and intercept
    are one correction; ``calibration_method`` says which and why. With
    nothing imputed (one copy) both are Harrell's plain bootstrap and MI-boot is used.
    Tested in ``tests/unit/test_prediction_boot_mi.py`` and
    ``tests/unit/test_prediction_report.py``.
    """
    if method not in INTERNAL_METHODS:
        raise ValueError(f"internal validation must be one of {INTERNAL_METHODS}, "
                         f"not {method!r}")
    mi_boot = bootstrap_validation_imputed(dev_copies, spec, n_boot=n_boot, seed=seed,
                                           shrinkage="heuristic", plus632=True,
                                           calibrate=True, grid=grid)
    m = len(dev_copies)
    if m == 1:
        alone = compose(
            "Harrell's bootstrap optimism correction with {n} samples (nothing was "
            "imputed).", n=Parameter(mi_boot.n_boot, "bootstrap samples"))
        return InternalValidation(mi_boot, mi_boot, alone,
                                  compose(CURVE_WHY + "; nothing was imputed."), alone)
    if method == "mi-boot":
        per = max(int(np.ceil(n_boot / m)), MIN_BOOT_PER_COPY)  # as bootstrap_validation_imputed
        return InternalValidation(mi_boot, mi_boot, method_text(
            "mi-boot", drawn=per * m, per=per, copies=m), compose(
            CURVE_WHY + ": the bootstrap runs within each imputed copy and the curves "
            "are averaged over the copies (MI-boot)."),
            method_brief("mi-boot", drawn=per * m, copies=m))
    boot = bootstrap_validation_boot_mi(
        dev, spec, impute=lambda d, s: imputed_cohort(d, spec, m=imputations, seed=s),
        n_boot=n_boot, seed=seed, shrinkage="heuristic", original=dev_copies, plus632=True,
        calibrate=True, grid=grid)
    return InternalValidation(boot, mi_boot, method_text(
        # samples drawn, as MI-boot's sentence and the fit-reliability sentence count
        # them (a sample whose fit raised is left out and counted there)
        "boot-mi", drawn=boot.n_boot + boot.n_failed, copies=imputations), compose(
        CURVE_WHY + ", the imputation included: each sample was imputed afresh, and "
        "its model's curves were averaged over the sample's {m} imputed copies and, "
        "separately, over the development cohort's {original} (boot-MI).",
        m=Parameter(imputations, "imputed copies"),
        original=Parameter(m, "imputed copies")),
        method_brief("boot-mi", drawn=boot.n_boot + boot.n_failed, copies=imputations))

def method_text(method: str, *, drawn: int, copies: int, per: int = 0) -> ProtectedText:
    """The sentence saying how the internal validation combined the bootstrap with the
    imputation (the page's ``internal_method``).

    ``drawn``: bootstrap samples drawn in all; ``copies``: imputed copies (boot-MI: of
    each bootstrap sample; MI-boot: of the development cohort, ``per`` samples within
    each). "MI-boot" and "boot-MI" are given their plain words
    (:data:`lifetools.labels.TERMS`, :func:`~lifetools.labels.with_words`): this
    sentence is their first use on the crisis page. "Rubin's rules" is said alone: the
    page's paragraph on the model, above it, gives its words (a page gives them once,
    :func:`lifetools.labels.gloss_findings`; this sentence gave them again until wave
    38). Tested in ``tests/unit/test_crisis_wording.py``.
    """
    if method == "mi-boot":
        return compose(
            "Harrell's bootstrap optimism correction with {total} samples, {per} within "
            "each of the {m} imputed copies, results averaged: " + with_words("MI-boot")
            + ", in the terms of Wahl et al. ({year}). The imputation is not repeated "
            "inside the samples: "
            "each copy's imputed values used every person, so the optimism may be "
            "slightly underestimated.", total=Parameter(drawn, "bootstrap samples"),
            per=Parameter(per, "bootstrap samples per imputed copy"),
            m=Parameter(copies, "imputed copies"), year=Period("2016"))
    # the order said once, by its name's plain words, and the citation outside them:
    # it read "... each sample imputed afresh ...: boot-MI (bootstrap samples drawn
    # first, each with its missing values filled in afresh) (Wahl et al. 2016)" (wave 36)
    return compose(
        "Harrell's bootstrap optimism correction with {n} samples and {m} imputed copies "
        "of each, the model developed on each sample pooled by Rubin's rules, so the "
        "correction covers the imputation "
        "too: " + with_words("boot-MI") + ", in the terms of Wahl et al. ({year}). The "
        "model comparison uses the other order, " + with_words("MI-boot") + ", for both "
        "models.", n=Parameter(drawn, "bootstrap samples"),
        m=Parameter(copies, "imputed copies"), year=Period("2016"))


def method_brief(method: str, *, drawn: int, copies: int) -> ProtectedText:
    """:func:`method_text` in one clause, for the places that point to the internal
    validation section rather than say it again (the methods list, TRIPOD+AI 12c):
    the crisis page gave the whole paragraph three times. The terms are used bare: the
    section, earlier on the page, gave their plain words. Tested in
    ``tests/unit/test_crisis_wording.py``.
    """
    if method == "mi-boot":
        return compose(
            "Harrell's bootstrap optimism correction, {total} samples drawn within {m} "
            "imputed copies: MI-boot in the terms of Wahl et al. ({year}), the "
            "imputation not repeated inside the samples.",
            total=Parameter(drawn, "bootstrap samples"),
            m=Parameter(copies, "imputed copies"), year=Period("2016"))
    # the term outside brackets: the checklist gives it its plain words in brackets
    # (lifetools.labels.explain_terms), which inside "(boot-MI, ...)" nested them
    return compose(
        "Harrell's bootstrap optimism correction, {n} samples, each imputed afresh in {m} "
        "copies: boot-MI in the terms of Wahl et al. ({year}).",
        n=Parameter(drawn, "bootstrap samples"), m=Parameter(copies, "imputed copies"),
        year=Period("2016"))


UNRELIABLE_LIMIT = 0.10
"""The share of the internal validation's bootstrap samples fitted unreliably (not
converged, or separated) above which the report flags its corrected calibration
measures. Such samples are kept, as ``rms::validate`` keeps them, but their diverging
coefficients stop wherever the fitter stops, and the corrected calibration slope then
depends on that convention: on the birthwt reference (13 of 40 samples separated) R's
convention (training slope 1, which lifetools follows for maximum likelihood) and the
measured training slope (which the report's shrunk model uses) differ by 0.020,
about 0.006 per tenth of the samples, so below one in ten the convention moves the
corrected slope by less than 0.01, the precision it is shown to
(``tests/reference/test_validate_separation_against_r.py``)."""


OTHER_PARTS = {
    "outer": "the nested bootstrap interval's outer samples",
    "inner": "the nested bootstrap interval's inner samples",
    "ridge_boot": "the ridge model's bootstrap samples",
    "ridge_folds": "the ridge model's cross-validation folds at its chosen penalty",
    "lasso_boot": "the lasso model's bootstrap samples",
    "lasso_folds": "the lasso model's cross-validation folds at its chosen penalty",
}
"""The parts of the crisis report's resampling beyond the internal validation's
bootstrap, in the words the fit-reliability sentence names them by (:func:`other_fits`)."""


def other_fits(two_stage: TwoStageInterval, ridge: RidgeModel, lasso: RidgeModel
               ) -> dict[str, int]:
    """The fits that raised or were unreliable in each part of :data:`OTHER_PARTS`.

    From what each part computed: the two-stage interval's outer and inner samples
    (``n_failed + n_unreliable``, ``n_inner_failed + n_inner_unreliable``), the ridge
    and lasso bootstraps (``method["bootstrap_failed"] + method["bootstrap_unreliable"]``,
    as :func:`lifetools.reports.crisis_models.model_comparison` records them) and their
    cross-validation folds at the chosen penalty (``method["cv_folds_unreliable"]``).
    """
    def boot(model: RidgeModel) -> int:
        return int(model.method.get("bootstrap_failed", 0)
                   + model.method.get("bootstrap_unreliable", 0))

    return {"outer": int(two_stage.n_failed + two_stage.n_unreliable),
            "inner": int(two_stage.n_inner_failed + two_stage.n_inner_unreliable),
            "ridge_boot": boot(ridge),
            "ridge_folds": int(ridge.method.get("cv_folds_unreliable", 0)),
            "lasso_boot": boot(lasso),
            "lasso_folds": int(lasso.method.get("cv_folds_unreliable", 0))}


@dataclass(frozen=True)
class NestedFits:
    """What the nested (two-stage) bootstrap interval could use, from what it computed.

    ``drawn``: resampled development cohorts (outer samples) drawn; ``left_out``: those
    whose correction could not be computed at all (left out of the interval);
    ``unreliable``: of those used, the ones whose model did not converge or separated
    (kept); ``inner``: the bootstrap samples inside the resamples used, and
    ``inner_left_out``, ``inner_unreliable`` the same counts among them.
    """

    drawn: int
    left_out: int
    unreliable: int
    inner: int
    inner_left_out: int
    inner_unreliable: int

    @property
    def used(self) -> int:
        return self.drawn - self.left_out


def nested_fits(two_stage: TwoStageInterval) -> NestedFits:
    """The counts of :class:`NestedFits` read from a two-stage interval
    (:func:`lifetools.prediction.intervals.two_stage_interval`: ``n_outer`` is the outer
    samples used, ``n_failed`` those left out)."""
    return NestedFits(drawn=int(two_stage.n_outer + two_stage.n_failed),
                      left_out=int(two_stage.n_failed),
                      unreliable=int(two_stage.n_unreliable),
                      inner=int(two_stage.n_outer * two_stage.n_inner),
                      inner_left_out=int(two_stage.n_inner_failed),
                      inner_unreliable=int(two_stage.n_inner_unreliable))


def nested_text(nested: NestedFits) -> tuple[str, dict[str, Parameter]]:
    """The nested interval's resampling in plain words, with its numbers as parameters
    ("" when every fit in it was reliable): how many resampled cohorts were drawn, how
    many could be used and why the others could not, and how many fits were kept
    although unreliable. Read by :func:`fit_reliability`; it replaced "87 of the nested
    bootstrap interval's outer samples", which did not say what an outer sample is nor
    whether it was used (wave 22)."""
    if not (nested.left_out or nested.unreliable or nested.inner_left_out
            or nested.inner_unreliable):
        return "", {}
    fits = "resampled fits not fitted reliably"
    params = {"o_drawn": Parameter(nested.drawn, "bootstrap samples"),
              "o_left": Parameter(nested.left_out, fits),
              "o_used": Parameter(nested.used, fits),
              "o_bad": Parameter(nested.unreliable, fits),
              "i_all": Parameter(nested.inner, fits),
              "i_left": Parameter(nested.inner_left_out, fits),
              "i_bad": Parameter(nested.inner_unreliable, fits)}
    words = (" The nested bootstrap interval resampled the development cohort {o_drawn} "
             "times and repeated the whole correction, with a bootstrap of its own, in "
             "each resampled cohort.")
    if nested.left_out:
        words += (" In {o_left} of them the correction could not be computed at all, so "
                  + ("it was" if nested.left_out == 1 else "they were")
                  + " left out and the interval uses the other {o_used}.")
    else:
        words += " It uses all {o_drawn}."
    kept = []
    if nested.unreliable:
        kept.append("{o_bad} of the resampled cohorts used")
    if nested.inner_unreliable:
        kept.append("{i_bad} of the {i_all} bootstrap samples inside them")
    if kept:
        words += (" In " + listed(kept) + ", the fit did not converge or a predictor "
                  "separated the people with and without a crisis; these are kept, as in "
                  "the internal validation.")
    if nested.inner_left_out:
        words += (" Of the {i_all} bootstrap samples inside them, {i_left} could not be "
                  "fitted at all and were left out.")
    return words, {k: v for k, v in params.items() if "{" + k + "}" in words}


@dataclass(frozen=True)
class FitReliability:
    """How many resampled fits could not be fitted reliably, in words, with a verdict.

    ``development_converged``: whether the model developed on the whole cohort
    converged; ``share``: of the internal validation's bootstrap samples, the share left
    out (the fit raised) or fitted unreliably (kept); ``flagged``: ``share`` above
    :data:`UNRELIABLE_LIMIT`, or the development model did not converge; ``others``:
    unreliable or failed fits in the rest of the resampling, in all, and ``parts`` the
    same by part (:data:`OTHER_PARTS`' keys, in its order).
    """

    drawn: int
    unreliable: int
    others: int
    share: float
    flagged: bool
    text: ProtectedText
    development_converged: bool = True
    parts: tuple[tuple[str, int], ...] = ()


def fit_reliability(boot: BootstrapValidation, *, development_converged: bool = True,
                    others: Mapping[str, int] | None = None,
                    nested: NestedFits | None = None) -> FitReliability:
    """The sentence saying whether the development model and its resampled fits could
    be fitted reliably.

    Parameters
    ----------
    boot : BootstrapValidation
        The internal validation; ``boot.converged`` is whether its own fit on the
        original data (each imputed copy) converged.
    development_converged : bool
        Whether the published model (pooled over the copies) converged.
    others : mapping, optional
        Unreliable or failed fits in each other part of the resampling, keyed as
        :data:`OTHER_PARTS` (:func:`other_fits`).
    nested : NestedFits, optional
        The nested interval's counts (:func:`nested_fits`): with them, its part of
        ``others`` (``outer``, ``inner``) is said in plain words (:func:`nested_text`):
        how many resampled cohorts were drawn and used, and why the others were not.

    Notes
    -----
    A fit is unreliable when it did not converge or showed separation
    (:attr:`lifetools.prediction.FrozenModel.converged` False); such samples are kept in
    the optimism as ``rms::validate`` keeps them. Samples whose fit raised are left out,
    as ``rms::validate`` leaves out a failed fit, and counted here too. The sentence
    opens with the development model (converged or not: both ``development_converged``
    and ``boot.converged`` must hold) and goes on to the samples, so a page never says
    the samples were fitted reliably without saying what became of the model itself;
    then the other parts, each named. Above :data:`UNRELIABLE_LIMIT` it says the
    corrected calibration measures are not to be relied on; a development model that
    did not converge is flagged whatever the samples did. Tested in
    ``tests/unit/test_prediction_convergence.py``.
    """
    unknown = set(others or {}) - set(OTHER_PARTS)
    if unknown:
        raise ValueError(f"unknown parts of the resampling: {sorted(unknown)}")
    parts = tuple((k, int((others or {}).get(k, 0))) for k in OTHER_PARTS)
    total = sum(n for _, n in parts)
    converged = bool(development_converged and boot.converged)
    drawn = boot.n_boot + boot.n_failed
    bad = boot.n_failed + boot.n_unreliable
    share = bad / drawn if drawn else float("nan")
    flagged = bool(share > UNRELIABLE_LIMIT) if drawn else True
    params = {"k": Parameter(int(bad), "bootstrap samples not fitted reliably"),
              "n": Parameter(int(drawn), "bootstrap samples"),
              "m": Parameter(int(total), "resampled fits not fitted reliably"),
              **{f"p_{k}": Parameter(n, "resampled fits not fitted reliably")
                 for k, n in parts if n}}
    one = bad == 1  # "1 bootstrap sample ... it", never "1 bootstrap samples"
    model = ("The model developed on the whole cohort converged" if converged else
             "The model developed on the whole cohort did not converge (a predictor "
             "separated the people with and without a crisis, or the fit did not "
             "settle)")
    if bad:
        head = (model + "; in the internal validation, {k} bootstrap "
                + ("sample" if one else "samples") + " could not be fitted "
                "reliably (the fit did not converge, or a predictor separated the people "
                "with and without a crisis in the sample) out of {n} bootstrap samples "
                "drawn. The corrected figures include " + ("it" if one else "them")
                + ", as R's rms::validate does; leaving " + ("it" if one else "them")
                + " out would flatter the model.")
    else:
        head = (model + (", and" if converged else ", although") + " each of the {n} "
                "bootstrap samples of the internal validation was fitted reliably (the "
                "fit converged and no predictor separated the outcome).")
    verdict = (" That is more than the report allows (see the methods page): the "
               "corrected calibration slope and intercept depend on where those fits "
               "stopped and should not be relied on; the corrected C-statistic and Brier "
               "score are hardly affected."
               if flagged and bad else "")
    if not converged:  # the model itself: flagged whatever the samples did
        verdict += (" As the model itself did not converge, none of its performance "
                    "figures should be relied on.")
    said, nested_params = nested_text(nested) if nested is not None else ("", {})
    rest = [(k, n) for k, n in parts if n and not (nested is not None
                                                    and k in ("outer", "inner"))]
    if rest:
        more = sum(n for _, n in rest)
        params["m"] = Parameter(int(more), "resampled fits not fitted reliably")
        which = listed(["{p_" + k + "} of " + OTHER_PARTS[k] for k, n in rest])
        tail = said + (" In the rest of the resampling, {m} more "
                       + ("fit" if more == 1 else "fits") + " could not be fitted reliably: "
                       + which + ".")
    elif said:
        tail = said + (" Every other fit in the resampling (the ridge and lasso "
                       "bootstraps and their cross-validation folds at the chosen "
                       "penalties) was fitted reliably.")
    else:
        tail = (" Every fit in the rest of the resampling (the nested bootstrap interval, "
                "the ridge and lasso bootstraps and their cross-validation folds at the "
                "chosen penalties) was fitted reliably." if others is not None else "")
    params.update(nested_params)
    words = head + verdict + tail
    used = {k: v for k, v in params.items() if "{" + k + "}" in words}
    return FitReliability(drawn=drawn, unreliable=bad, others=total, share=share,
                          flagged=(flagged and bool(bad)) or not converged,
                          text=compose(words, **used), development_converged=converged,
                          parts=parts)


GRID_POINTS = 12
"""At most this many risks in the optimism-corrected calibration curve's grid."""


def internal_calibration_grid(risk: np.ndarray) -> np.ndarray:
    """The grid of the published optimism-corrected calibration curve.

    Whole percentages of risk from the 5th to the 95th percentile of the development
    cohort's predicted risks (rounded inward), every k-th kept so that at most
    :data:`GRID_POINTS` remain (at least the two ends). Not ``rms::calibrate``'s default
    grid, whose ends are two people's predicted risks (the 5th smallest and largest):
    no person's predicted risk is published; a round risk says only that at least 5% of
    people lie beyond it.
    """
    low, high = np.quantile(np.asarray(risk, dtype=float), [0.05, 0.95])
    grid = np.arange(np.ceil(low * 100), np.floor(high * 100) + 1) / 100
    if len(grid) < 2:
        return np.array([np.floor(low * 100), np.ceil(high * 100)]) / 100
    step = int(np.ceil((len(grid) - 1) / (GRID_POINTS - 1)))
    return grid[::step]


def internal_calibration_table(boot: BootstrapValidation) -> pd.DataFrame:
    """The optimism-corrected calibration curve as published: ``predicted`` (the grid),
    ``apparent`` and ``corrected`` (:attr:`BootstrapValidation.calibration`); points
    the corrected curve does not reach are left out."""
    curve = boot.calibration.curve
    shown = curve.dropna(subset=["apparent", "corrected"])
    return shown[["predicted", "apparent", "corrected"]].reset_index(drop=True)


NO_DIFFERENCE = {"c": 0.5, **CALIBRATION_NULL, "recalibration_intercept": 0.0,
                 "oe_ratio": 1.0}
"""Each measure's value of no discrimination or perfect calibration, which a confidence
limit keeps its side of (:func:`kept_off`): a C-statistic's 0.5, a calibration slope's
1, a calibration-in-the-large's and a recalibration intercept's 0, an observed/expected
ratio's 1. The Brier score has none."""

PERFECT = {"c": 1.0}
"""A measure's bound that no estimate passes and a limit below it must not read as: a
C-statistic of 1 (perfect discrimination), which 0.9996 read as ("1.000") in the
internal-validation table until wave 43."""


def kept_off(measure: str, stated: Mapping[str, Sequence[float]] | None = None
             ) -> tuple[float | None, tuple[float, ...]]:
    """The value of no difference of ``measure`` (:data:`NO_DIFFERENCE`, ``None`` when
    it has none) and the other values its confidence limits keep their side of (its
    :data:`PERFECT` bound; the limits the report states for it, ``stated``: the drift
    check's ``{"slope": (0.8, 1.2), "citl": (-0.2, 0.2)}``), for
    :func:`lifetools.signs.places_avoiding`. The one reading of them for the model
    comparison, the time-to-event table (:func:`lifetools.reports.crisis_models.
    measure_text`) and the internal validation (:func:`internal_validation_table`).
    Tested in ``tests/unit/test_crisis_models_limits.py``."""
    edges = (*((PERFECT[measure],) if measure in PERFECT else ()),
             *(float(v) for v in (stated or {}).get(measure, ())))
    return NO_DIFFERENCE.get(measure), edges


def kept_sides(measure: str, stated: Mapping[str, Sequence[float]] | None = None
               ) -> dict[str, Any]:
    """:func:`kept_off` as the ``null`` and ``avoid`` keywords of
    :func:`lifetools.reports.crisis_parts.shown_estimate`, for the tables and texts that
    write a measure with its interval (the temporal validation, the fairness table, the
    TRIPOD+AI items)."""
    null, avoid = kept_off(measure, stated)
    return {"null": null, "avoid": avoid}


INTERVAL_INDICES = ("c", "brier")
"""The internal-validation indexes shown with a location-shifted interval and a .632+
estimate (the calibration indexes have neither: see
:meth:`lifetools.prediction.BootstrapValidation.interval`)."""


TWO_STAGE_COLUMN = "optimism-corrected: 95% CI (two-stage bootstrap)"
"""The internal-validation column of the two-stage bootstrap interval (every index)."""


def internal_validation_table(boot: BootstrapValidation, labels: Mapping[str, str],
                              two_stage: TwoStageInterval | None = None, *,
                              stated: Mapping[str, Sequence[float]] | None = None
                              ) -> pd.DataFrame:
    """The internal-validation table: apparent, optimism, corrected, its intervals, .632+.

    Parameters
    ----------
    boot : BootstrapValidation
        With the .632+ columns (``plus632=True``) and the samples' training values.
    labels : mapping
        The words of each index (``c``: "C-statistic", ...).
    two_stage : TwoStageInterval, optional
        The two-stage bootstrap intervals
        (:func:`lifetools.prediction.intervals.two_stage_interval`): shown in the column
        :data:`TWO_STAGE_COLUMN` for every index (the column is left out without it).
    stated : mapping, optional
        The limits the report states for a measure (``{"slope": (0.8, 1.2), "citl":
        (-0.2, 0.2)}``). Every limit keeps its side of them, of the measure's value of
        no difference and of its bound (:func:`kept_off`): a C-statistic limit of
        0.9996 reads "0.9996", never "1.000", and a slope limit of 0.7996 "0.7996",
        never "0.800" beside limits of 0.8 to 1.2 (every limit was written at 3 places
        until wave 43).

    Notes
    -----
    The optimism-corrected C-statistic and Brier score get Noma et al.'s (2021)
    location-shifted bootstrap interval and the .632+ estimate (Efron and Tibshirani
    1997); the calibration rows say "not defined" there. Every index, the calibration
    slope and intercepts included, gets Noma et al.'s two-stage bootstrap interval when
    ``two_stage`` is given. Tested in ``tests/unit/test_prediction_report.py``.
    """
    summary = boot.summary.set_index("index")

    def interval(index: str) -> str:
        if index not in INTERVAL_INDICES:
            return "not defined"
        low, high = boot.interval(index)
        return "not estimated" if np.isnan(low) else limits(index, low, high)

    def limits(index: str, low: float, high: float) -> str:
        null, avoid = kept_off(index, stated)
        return format_bounds(low, high, digits=3, null=null, avoid=avoid)

    def plus(index: str) -> str:
        value = summary.loc[index, "corrected_632plus"] if index in INTERVAL_INDICES else np.nan
        return "not defined" if np.isnan(value) else format_value(value, kind="estimate",
                                                                  digits=3)

    table = pd.DataFrame({
        "measure": [labels[i] for i in summary.index],
        # the one formatter: an apparent calibration-in-the-large of 0 by construction
        # reads "0.000" whatever the sign of its rounding error ("-0.000" with f"{:.3f}")
        **{col: summary[col].map(lambda v: format_value(v, kind="estimate", digits=3)
                                 ).to_numpy()
           for col in ("apparent", "optimism", "corrected")},
        "optimism-corrected: 95% CI (location-shifted bootstrap)":
            [interval(i) for i in summary.index],
        ".632+ estimate": [plus(i) for i in summary.index]})
    if two_stage is not None:
        limits_of = two_stage.summary.set_index("index")
        table.insert(5, TWO_STAGE_COLUMN, [
            "not estimated" if np.isnan(limits_of.loc[i, "ci_lower"])
            else limits(i, limits_of.loc[i, "ci_lower"], limits_of.loc[i, "ci_upper"])
            for i in summary.index])
    return table
