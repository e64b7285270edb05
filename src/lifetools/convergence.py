"""Convergence and degeneracy checks shared by every model fit.

A fit never fails silently: warnings raised by the libraries underneath (lifelines,
statsmodels, numpy) are recorded and carried in the result's ``warnings``; estimates
that are not finite, or whose interval reaches 0 or infinity, are flagged as not
estimable with a reason, so that a report can say "could not be estimated: <reason>"
instead of printing a number. The reasons are published (pages, tables, notes), so they
are in plain words (:data:`DIVERGED`); the technical condition is described here and on
the methods pages, never on a report page.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from lifetools.results import wald_interval

__all__ = ["DIVERGED", "SE_MISSING", "TOO_FEW_TO_FIT", "degenerate_terms", "not_estimable_text", "recorded_warnings",
           "standard_errors"]

DIVERGED = "the data could not pin down this estimate"
"""The reason of a term whose exponentiated Wald interval reaches 0 or infinity in double
precision (a ratio "0 (0 to inf)": the estimate diverges, usually because too few events
separate the term's groups). Plain words, since it reaches report pages and result files
(it said "its confidence interval reaches 0 or infinity (the estimate diverges: too few
events in one group?)" until wave 21: "infinity" is refused on a report page by
``tests/functional/test_accessibility.py`` and "one" is a number word the reason rule of
:mod:`lifetools.disclosure.text` refuses)."""
SE_MISSING = "its standard error could not be computed"
"""The reason of a term whose standard error is not finite or is 0 (it read "its standard
error is not finite or is zero" until wave 21: "zero" is a number word the reason rule
refuses). :func:`lifetools.regression.results.checked_summary` keeps the estimate of
such a term (a reason starting "its standard error")."""

TOO_FEW_TO_FIT = "too few people or events to estimate it"
"""The reason of a model that is not fitted at all: no rows, or an outcome with no
events, where statsmodels raises (a zero-size design; "the first guess on the deviance
function returned a nan") instead of returning a fit (a small locality's emergency-care
report, wave 50). "Too few", not "no": the reason is published beside counts that a
release check may hide, and an exact 0 in words would give one back."""

@contextmanager
def recorded_warnings() -> Iterator[list[str]]:
    """Record every warning raised inside the block as text (nothing is shown).

    The list yielded is filled when the block ends: ``"<Category>: <message>"``, each
    distinct message once, in the order raised.
    """
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield notes
    for item in caught:
        text = f"{item.category.__name__}: {item.message}"
        if text not in notes:
            notes.append(text)


def standard_errors(cov) -> np.ndarray:
    """The square roots of a covariance matrix's diagonal; NaN where it is negative.

    A negative variance (the inverse information of a fit that has no maximum: a
    diverging coefficient, separation) has no standard error. ``np.sqrt`` gave the same
    NaN with "invalid value encountered in sqrt" on the notebook's stderr (crisis risk,
    2,000 people); :func:`degenerate_terms` then flags the term with its reason.

    Notes
    -----
    Elsewhere equal to ``np.sqrt(np.diag(cov))``. Tested in
    ``tests/unit/test_convergence.py``.
    """
    variance = np.diag(np.asarray(cov, dtype=float))
    out = np.full(variance.shape, np.nan)
    usable = ~(variance < 0)  # NaN stays NaN
    out[usable] = np.sqrt(variance[usable])
    return out


def degenerate_terms(terms: Sequence[str], coef, se, *, ratio: bool = True,
                     alpha: float = 0.05) -> dict[str, str]:
    """Terms whose estimate cannot be reported, with the reason for each.

    A term is degenerate when its coefficient or standard error is not finite, its
    standard error is 0, or (``ratio=True``) its exponentiated Wald interval has a
    limit of 0 or infinity in double precision (a hazard or rate ratio "0 (0 to inf)":
    a fit that did not converge, or a term whose estimate diverges because no event
    separates its levels).
    """
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    reasons: dict[str, str] = {}
    low, high = wald_interval(coef, se, alpha=alpha, exponentiate=True)
    for i, term in enumerate(terms):
        if not np.isfinite(coef[i]):
            reasons[term] = "the estimate is not finite"
        elif not np.isfinite(se[i]) or se[i] <= 0:
            reasons[term] = SE_MISSING
        elif ratio and (low[i] == 0 or not np.isfinite(high[i])):
            reasons[term] = DIVERGED
    return reasons


def not_estimable_text(reason: str) -> str:
    """The text a report shows in place of a number."""
    return f"could not be estimated: {reason}"
