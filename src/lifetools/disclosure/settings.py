"""What a :class:`~lifetools.disclosure.text.Parameter` may name, and the values it may take.

A number in a published sentence that is not a count, an estimate or a rule is a
parameter: a setting of the analysis (the number of bootstrap samples) or a design size
(imputed copies). ``Parameter(13, "people in the team")`` must not pass as one, so a
parameter's name is either

- a parameter of the run (an identifier such as ``n_boot``, :data:`RUN_PARAMETER`):
  the publish gate checks the value is the run's recorded value of that parameter
  (the notebook's metadata, written by the runner from ``analyses/analyses.yml`` and
  the notebook's parameters cell); or
- a setting of the library (:data:`SETTINGS`), whose value must be one the setting
  can take given the run's parameters.

Checked by ``tests/unit/test_protected_text.py`` and ``tests/leaks/test_text_leaks.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from lifetools.design_sizes import (
    CRISIS_CV_FOLDS,
    CRISIS_HORIZON_DAYS,
    CRISIS_IMPUTATIONS,
    CRISIS_MAX_PARAMETERS,
    CRISIS_OPTIONAL_PARAMETERS,
    CRISIS_R2_FRACTION,
    CRISIS_TARGET_SHRINKAGE,
    MIN_BOOT_PER_COPY,
)
from lifetools.penalties import PENALTY_GRID
from lifetools.signs import finite

__all__ = ["DURATIONS", "DURATION_NAME", "IMPUTED_COPIES", "LOOSE_WORDS", "RUN_PARAMETER",
           "SAMPLE_SIZE_SETTING", "SETTINGS", "smallest_sample_size", "SETTING_WORDS", "UNIT_SETTINGS", "loose_words", "parameter_problem",
           "phrase_patterns"]

SAMPLE_SIZE_SETTING = "minimum development sample size"
"""The setting a minimum development sample size (Riley et al. 2020) is stated as:
a design quantity the report computes, never a count of people in the data."""
RUN_PARAMETER = re.compile(r"[a-z_][a-z0-9_]*")
"""A :class:`Parameter` named like this is a parameter of the run (the notebook's
parameters cell, ``analyses/analyses.yml``): the gate checks its value is the run's."""
IMPUTED_COPIES = CRISIS_IMPUTATIONS
"""Imputed copies the crisis-risk report makes (owned by :mod:`lifetools.design_sizes`,
which the report reads too)."""
CV_FOLDS = CRISIS_CV_FOLDS
"""Cross-validation folds of the crisis-risk report's penalised comparisons (owned by
:mod:`lifetools.design_sizes`)."""
MAX_PREDICTOR_PARAMETERS = CRISIS_MAX_PARAMETERS
"""The most candidate predictor parameters a crisis-risk model has (counted by
:mod:`lifetools.design_sizes` from the model's splines and predictors)."""
DURATIONS: dict[str, int] = {"crisis-risk horizon": CRISIS_HORIZON_DAYS}
"""Durations, in days, the series states in prose beside the run's ``*_days``,
``*_weeks``, ``*_months`` and ``*_years`` parameters: a number before a time unit in
prose ("12 months", "365 days") must be one of them (the publish gate's prose rule)."""
UNIT_SETTINGS: dict[str, frozenset[int]] = {
    "%": frozenset({80, 90, 95, 99, 15}),  # confidence levels; Riley's anticipated R2
    "knot": frozenset({3, 4, 5}),          # restricted cubic splines of the crisis model
    "decimal place": frozenset({0, 1, 2, 3}),
}
"""Whole numbers the series states in prose before a unit that is not a time, by unit
(beside the run's parameter values): confidence levels and Riley et al.'s anticipated
R-squared (15% of its maximum) before "%", spline knots, decimal places."""
SETTING_WORDS: dict[str, tuple[str, ...]] = {
    "balance target (standardised difference)": (
        "{} standardised difference", "{} standardised differences",
        "below {} is the usual target"),
    "imputed copies": (
        "{} imputed copies", "{} imputations by chained equations",
        "imputed afresh ({} copies", "imputed afresh in {} copies",
        "multiple imputation ({} copies"),
    "bootstrap samples": ("{} bootstrap samples", "optimism correction with {} samples"),
    "bootstrap samples not fitted reliably": (
        "{} bootstrap samples could not be fitted reliably",),
    "resampled fits not fitted reliably": ("{} more fits could not be fitted reliably",),
    "bootstrap samples per imputed copy": (
        "optimism correction with {} samples, {} within each of the",
        "{} bootstrap samples within each imputed copy"),
    "candidate predictor parameters": (
        "{} candidate parameters", "{} candidate predictor parameters"),
    "ridge penalty": ("ridge logistic, penalty {}", "ridge penalty of {}"),
    "cross-validation folds": ("{}-fold cross-validation", "{} cross-validation folds"),
    "coefficients kept": ("{} coefficients kept", "kept {} coefficients"),
    "coefficients set to zero": (
        "{} coefficients set to zero", "coefficients kept and {} removed",
        "coefficients and removed {}"),
    "spline knots": ("({} knots)",),
    "anticipated R-squared (% of its maximum)": ("r-squared of {}% of its maximum",),
    "target shrinkage": ("target shrinkage of {}",),
    SAMPLE_SIZE_SETTING: ("at least {} people needed",
                                        "criteria needed {}"),
    "lowest score of the scale": ("scores run from {} to",),
    "highest score of the scale": ("to {}; higher is better",),
}
"""The phrases that name each library setting in prose, in the form of a run
parameter's ``words:`` (:func:`phrase_patterns`: a phrase names the words after the
value, or marks the value's place with ``{}``; matched case-insensitively with any
spacing). The publish gate lets the value a notebook's
verified key result states for a setting (``setting:<name>`` in the gate's parameters)
pass in a table's words only in one of them ("9 coefficients kept", "coefficients kept
and 4 removed", "correction with 200 samples, 20 within each of the"): the
crisis TRIPOD table repeats the verified key results in these words. No phrase is
made only of :data:`LOOSE_WORDS` ("samples", "within each", "removed"), so a count
of people equal to a setting's value ("13 samples", "7 removed") is refused. A
parameter of the run declares its own words in ``analyses/analyses.yml``
(:class:`lifetools.pipeline.parameters.Parameter`), which is their only owner.
``tests/unit/test_gate_prose.py`` checks every setting has its words and none is loose;
``tests/leaks/test_text_leaks.py`` the leaks and the TRIPOD forms."""
DURATION_NAME = re.compile(r"_(day|week|month|year)s?$")
"""A run parameter named like this is a duration, named in prose by its unit
("90 days"): it declares no words."""
LOOSE_WORDS = frozenset({
    "people", "person", "persons", "patient", "patients", "user", "users", "client",
    "clients", "adult", "adults", "children", "men", "women", "staff", "member",
    "members", "volunteer", "volunteers", "resident", "residents", "referral",
    "referrals", "visit", "visits", "admission", "admissions", "attendance",
    "attendances", "contact", "contacts", "event", "events", "case", "cases",
    "record", "records", "row", "rows", "sample", "samples", "time", "times", "group",
    "groups", "team", "teams", "more", "less", "fewer", "or", "and", "than", "at",
    "least", "most", "over", "under", "up", "to", "of", "in", "the", "a", "an",
    "each", "per", "total", "number", "count", "counts", "n", "within", "removed",
    "excluded", "dropped", "left", "kept", "remaining", "taken", "drawn", "seen",
    "with", "by", "from", "for", "were", "was", "is", "are"})
"""Words that alone could name a count of people, records or a bound: a parameter's
or a setting's naming phrase made only of them ("samples", "or more", "people") would
let a count written before them pass as the parameter's value."""


def loose_words(phrases: Iterable[str]) -> list[str]:
    """The phrases (a parameter's ``words``) made only of :data:`LOOSE_WORDS`, or with
    no letters: too loose to name a parameter ("samples", "or more")."""
    loose = []
    for phrase in phrases:
        words = re.findall(r"[a-z]+", str(phrase).lower())
        if not words or all(w in LOOSE_WORDS for w in words):
            loose.append(str(phrase))
    return loose


_ANY_NUMBER = r"\s*(?:\d[\d,]*(?:\.\d+)?)?\s*"


def phrase_patterns(phrases: Iterable[str]) -> list[tuple[str, str]]:
    """Regular expressions (before the value, after it) for a parameter's declared
    ``words``: plain phrases, matched case-insensitively with any spacing. A phrase
    names the words after the value ("bootstrap samples": "200 bootstrap samples"), or
    marks the value's place with ``{}`` ("improved by {} or more"); an earlier ``{}``
    stands for any number written in digits, or the blank a published count leaves
    where the gate has already read it ("correction with {} samples, {} within each of
    the": the value is the second)."""
    def pattern(part: str) -> str:
        return r"\s+".join(map(re.escape, part.split()))

    found = []
    for phrase in map(str, phrases):
        before, _, after = phrase.rpartition("{}") if "{}" in phrase else ("", "", phrase)
        if before.strip() or after.strip():
            found.append((_ANY_NUMBER.join(map(pattern, before.split("{}"))),
                          pattern(after)))
    return found


def _boot_per_copy(params: Mapping[str, Any]) -> Collection[float] | None:
    n = params.get("n_boot")  # over the copies "imputed copies" can take
    return None if n is None else {max(math.ceil(int(n) / m), MIN_BOOT_PER_COPY)
                                   for m in range(1, IMPUTED_COPIES + 1)}


INNER_FITS_PER_SAMPLE = 100
"""A bound on the fits the crisis report's other resampling makes per bootstrap sample
(the nested interval's inner samples, the ridge and lasso bootstraps and their folds)."""


def _boot_total(params: Mapping[str, Any]) -> Collection[float] | None:
    n = params.get("n_boot")
    return None if n is None else {int(n), *(
        max(math.ceil(int(n) / m), MIN_BOOT_PER_COPY) * m
        for m in range(1, IMPUTED_COPIES + 1))}


def smallest_sample_size(parameters: int = MAX_PREDICTOR_PARAMETERS
                         - CRISIS_OPTIONAL_PARAMETERS) -> int:
    """The fewest people Riley et al.'s criteria can ask of the crisis-risk model: its
    criterion (i) (expected shrinkage ``CRISIS_TARGET_SHRINKAGE``) at the prevalence
    where the anticipated Cox-Snell R-squared is largest (a half: its maximum is 0.75
    there), for the fewest candidate parameters the model can have. Every minimum
    sample size the report computes is at least this (974 for 13 parameters): a
    smaller number stated as one is refused. Tested in
    ``tests/unit/test_protected_text.py``."""
    r2 = CRISIS_R2_FRACTION * 0.75
    shrinkage = CRISIS_TARGET_SHRINKAGE
    return math.ceil(parameters / ((shrinkage - 1) * math.log(1 - r2 / shrinkage)))


SAMPLE_SIZE_CAP = 10 ** 9
"""Above any sample size a design computes (a bound for the setting's range)."""


def _ridge_grid(params: Mapping[str, Any]) -> Collection[float]:
    return {float(v) for v in PENALTY_GRID}


SETTINGS: dict[str, Callable[[Mapping[str, Any]], Collection[float] | None]] = {
    "balance target (standardised difference)": lambda params: {0.1},
    # the report's default, or fewer (a quicker rerun through the library)
    "imputed copies": lambda params: set(range(1, IMPUTED_COPIES + 1)),
    "bootstrap samples": _boot_total,
    # resamples whose fit did not converge or separated: at most every sample drawn,
    # and for the other resampling (nested interval, ridge, lasso, folds) at most the
    # fits it makes (INNER_FITS_PER_SAMPLE per bootstrap sample)
    "bootstrap samples not fitted reliably": lambda params: (
        None if params.get("n_boot") is None
        else set(range(0, max(_boot_total(params) or {0}) + 1))),
    "resampled fits not fitted reliably": lambda params: (
        None if params.get("n_boot") is None
        else set(range(0, INNER_FITS_PER_SAMPLE * max(_boot_total(params) or {0}) + 1))),
    "bootstrap samples per imputed copy": _boot_per_copy,
    "candidate predictor parameters": lambda params: set(range(
        MAX_PREDICTOR_PARAMETERS - CRISIS_OPTIONAL_PARAMETERS,
        MAX_PREDICTOR_PARAMETERS + 1)),
    "ridge penalty": _ridge_grid,
    "cross-validation folds": lambda params: {CV_FOLDS},
    "coefficients kept": lambda params: set(range(MAX_PREDICTOR_PARAMETERS + 1)),
    "coefficients set to zero": lambda params: set(range(MAX_PREDICTOR_PARAMETERS + 1)),
    # the ends of a measure's scale, as the data dictionary states them (the SWEMWBS
    # metric score runs from 7 to 35): a property of the instrument, never a count
    # restricted cubic splines of the crisis model (UNIT_SETTINGS' "knot" in prose)
    "spline knots": lambda params: UNIT_SETTINGS["knot"],
    # the crisis report's sample size (Riley et al. 2020): the anticipated Cox-Snell
    # R-squared as a share of its maximum, and criterion (i)'s target shrinkage
    "anticipated R-squared (% of its maximum)":
        lambda params: {round(100 * CRISIS_R2_FRACTION, 6)},
    "target shrinkage": lambda params: {CRISIS_TARGET_SHRINKAGE},
    # the minimum development sample size (Riley et al. 2020) is a design quantity the
    # report computes, not a count of people in the data: stated exactly, as the
    # sample-size table states it, never rounded as a count (the page said "needed
    # 1,160" above a table of 1,158 until wave 41: issue 15). It is at least the
    # smallest Riley's criteria can give the model, far above any count a rule hides
    SAMPLE_SIZE_SETTING:
        lambda params: range(smallest_sample_size(), SAMPLE_SIZE_CAP),
    "lowest score of the scale": lambda params: {7},
    "highest score of the scale": lambda params: {35},
}
"""The library's settings a :class:`Parameter` may name (a name that is not a run
parameter), each with the values it can take given the run's parameters (``None``: it
needs a run parameter not given). A value outside them is refused: a count of people
cannot be passed off as a setting."""


def _same(value: Any, allowed: Iterable[Any]) -> bool:
    if isinstance(allowed, range):  # a whole number in a range (a design size)
        number = finite(value)
        return number is not None and number.is_integer() and int(number) in allowed
    try:
        return any(math.isclose(float(value), float(a), rel_tol=1e-9, abs_tol=1e-12)
                   for a in allowed)
    except (TypeError, ValueError):
        return any(value == a for a in allowed)


def parameter_problem(name: str, value: Any,
                       parameters: Mapping[str, Any] | None) -> str:
    """Why a parameter span is refused: not a run parameter or setting, or not its value.

    ``parameters`` are the run's recorded parameters (the gate); ``None`` when they are
    not known (:func:`compose` in a kernel), when only the name and a setting's value
    that needs no run parameter are checked.
    """
    if name in SETTINGS:
        allowed = SETTINGS[name](parameters or {})
        if allowed is None:
            return "" if parameters is None else \
                f"the setting {name!r} depends on a run parameter that is not recorded"
        return "" if _same(value, allowed) else \
            f"{value!r} is not a value the library's setting {name!r} can take"
    if not RUN_PARAMETER.fullmatch(name):
        return (f"the name {name!r} is neither a parameter of the run nor a declared "
                "setting of the library (lt.disclosure.SETTINGS)")
    if parameters is None:
        return ""
    if name not in parameters:
        return f"{name!r} is not a recorded parameter of the run"
    return "" if _same(value, [parameters[name]]) else \
        f"{value!r} is not the run's value of the parameter {name!r}"
