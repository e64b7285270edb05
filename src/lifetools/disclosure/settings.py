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

__all__ = ["DURATIONS", "IMPUTED_COPIES", "PARAMETER_WORDS", "RUN_PARAMETER", "SETTINGS",
           "UNIT_SETTINGS", "parameter_problem"]

RUN_PARAMETER = re.compile(r"[a-z_][a-z0-9_]*")
"""A :class:`Parameter` named like this is a parameter of the run (the notebook's
parameters cell, ``analyses/analyses.yml``): the gate checks its value is the run's."""
IMPUTED_COPIES = 10
"""Imputed copies the crisis-risk report makes (``reports.crisis_parts.IMPUTATIONS``;
``tests/unit/test_protected_text.py`` checks they agree)."""
CV_FOLDS = 5
"""Cross-validation folds of the crisis-risk report's penalised comparisons
(``reports.crisis_parts.COMPARISON_FOLDS``; checked to agree by
``tests/unit/test_protected_text.py``)."""
MAX_PREDICTOR_PARAMETERS = 14
"""The most candidate predictor parameters a crisis-risk model has (``crisis_spec``)."""
CRISIS_HORIZON_DAYS = 365
"""The crisis-risk models' horizon (``reports.crisis_parts`` ``horizon``; checked to
agree by ``tests/unit/test_gate_prose.py``)."""
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
PARAMETER_WORDS: dict[str, str] = {
    "n_boot": r"bootstrap\s+(?:samples?|replicates?|resamples?)",
    # "3 points", "improved by 3 or more" (a bound that ends the phrase, not "3 or
    # more people")
    "meaningful_change": r"(?:SWEMWBS\s+)?points?|or\s+more(?![ \t]+[A-Za-z])",
    # the library's settings a notebook's verified key results state (``setting:<name>``
    # in the gate's parameters), named as the reports' plain texts name them
    "balance target (standardised difference)": r"standardised\s+differences?",
    "imputed copies": r"(?:imputed\s+)?copies|imputations?",
    "bootstrap samples": r"(?:bootstrap\s+)?samples?",
    "bootstrap samples per imputed copy": r"(?:bootstrap\s+)?samples?|within\s+each",
    "candidate predictor parameters": r"candidate\s+(?:predictor\s+)?parameters?",
    "ridge penalty": r"penalty",
    "cross-validation folds": r"(?:cross-validation\s+)?folds?",
    "coefficients kept": r"coefficients?\s+kept",
    "coefficients set to zero": r"(?:coefficients?\s+)?(?:set\s+to\s+zero|removed)",
}
"""The words that name each whole-number run parameter in prose (a regular expression,
case-insensitive), declared once per parameter of ``analyses/analyses.yml``: the
publish gate's prose rule lets a parameter's value pass only directly before them
("200 bootstrap samples", "3 points"), so "a team of 200" is refused when ``n_boot``
is 200. A duration parameter (``*_days``, ``*_weeks``, ``*_months``, ``*_years``) is
named by its unit ("90 days"); a parameter with a fractional value needs no words (a
number with decimals is not a count). ``tests/unit/test_gate_prose.py`` checks every
whole-number parameter in ``analyses.yml`` is declared here."""
MIN_BOOT_PER_COPY = 10
"""Bootstrap samples within each imputed copy at least (MI-boot)."""


def _boot_per_copy(params: Mapping[str, Any]) -> Collection[float] | None:
    n = params.get("n_boot")
    return None if n is None else {max(math.ceil(int(n) / m), MIN_BOOT_PER_COPY)
                                   for m in (1, IMPUTED_COPIES)}


def _boot_total(params: Mapping[str, Any]) -> Collection[float] | None:
    n = params.get("n_boot")
    return None if n is None else {int(n), *(
        max(math.ceil(int(n) / m), MIN_BOOT_PER_COPY) * m for m in (1, IMPUTED_COPIES))}


def _ridge_grid(params: Mapping[str, Any]) -> Collection[float]:
    from lifetools.prediction.penalised import PENALTY_GRID

    return {float(v) for v in PENALTY_GRID}


SETTINGS: dict[str, Callable[[Mapping[str, Any]], Collection[float] | None]] = {
    "balance target (standardised difference)": lambda params: {0.1},
    # the report's default, or fewer (a quicker rerun through the library)
    "imputed copies": lambda params: set(range(1, IMPUTED_COPIES + 1)),
    "bootstrap samples": _boot_total,
    "bootstrap samples per imputed copy": _boot_per_copy,
    "candidate predictor parameters": lambda params: {MAX_PREDICTOR_PARAMETERS - 1,
                                                      MAX_PREDICTOR_PARAMETERS},
    "ridge penalty": _ridge_grid,
    "cross-validation folds": lambda params: {CV_FOLDS},
    "coefficients kept": lambda params: set(range(MAX_PREDICTOR_PARAMETERS + 1)),
    "coefficients set to zero": lambda params: set(range(MAX_PREDICTOR_PARAMETERS + 1)),
}
"""The library's settings a :class:`Parameter` may name (a name that is not a run
parameter), each with the values it can take given the run's parameters (``None``: it
needs a run parameter not given). A value outside them is refused: a count of people
cannot be passed off as a setting."""


def _same(value: Any, allowed: Iterable[Any]) -> bool:
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
