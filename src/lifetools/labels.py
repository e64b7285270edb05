"""Human labels for the names analyses use: one place, read by figures and tables.

A page never shows an analysis name (``imd_q1``, ``team_a06``, ``person_years``): it
shows :func:`label` of it. Codes of a data-dictionary field read through
:func:`code_label`, from the field's ``labels`` in ``data_dictionary/*.yaml``; names the
analyses derive (model covariates, table columns) read from :data:`LABELS`, and the
per-locality indicators (``locality_<name>``) from their name. :func:`is_raw_name`
tells whether a text still looks like an analysis name, for the tests that no figure or
table shows one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

__all__ = ["LABELS", "code_label", "is_raw_name", "label", "labels"]

LABELS: Mapping[str, str] = {
    # propensity-score covariates (lifetools.cohort.person_time.PROPENSITY_COVARIATES)
    "age_per_10": "Age (per 10 years)",
    "female": "Female",
    "white": "White ethnic group",
    "imd_q1": "Most deprived fifth of areas (IMD quintile 1)",
    "imd_q2": "Second most deprived fifth (IMD quintile 2)",
    "team_a06": "In a community mental health team (A06)",
    "team_other": "In another mental health team",
    "baseline_ae": "A&E attendances per year (baseline window)",
    "baseline_admissions": "Emergency admissions per year (baseline window)",
    "prior_ae": "A&E attendances (before window)",
    "prior_admissions": "Emergency admissions (before window)",
    "locality_unknown": "Locality not known",
    # model terms of the survival reports
    "age_65_plus": "Aged 65 or over",
    "most_deprived_decile": "Most deprived tenth of areas",
    "deprivation_unknown": "Area not known (deprivation unknown)",
    "honos_per_5": "HoNOS score (per 5 points)",
    # columns of published tables and figure data
    "n": "Number of people",
    "people": "People",
    "events": "Events",
    "person_years": "Person-years",
    "rate": "Rate per person-year",
    "estimate": "Estimate",
    "ci_lower": "Lower 95% limit",
    "ci_upper": "Upper 95% limit",
    "p_value": "p-value",
    "per_cent": "Per cent",
    "step": "Step",
    "time": "Days",
    "at_risk": "Number at risk",
    "smd_before": "Standardised difference before matching",
    "smd_after": "Standardised difference after matching",
    "covariate": "Characteristic",
    "month": "Month",
    "referrals": "Referrals",
    "contacts": "Contacts",
    "group": "Group",
    "period": "Period",
    "model": "Model",
    "term": "Term",
}
"""Labels of the names the analyses derive (not dictionary fields)."""

_RAW = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
_RAW_WORDS = frozenset({"n", "step", "estimate", "group", "term", "model"})


def label(name: str) -> str:
    """The human label of an analysis name; a text that is already words is returned as is.

    ``locality_<name>`` reads "Locality: <Name>". A name with no label that still looks
    like an analysis name (``snake_case``) raises ``KeyError``: add it to
    :data:`LABELS` (the test of every figure function relies on this).
    """
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    if text.startswith("locality_"):
        return "Locality: " + text.removeprefix("locality_").replace("_", " ").title()
    if is_raw_name(text):
        raise KeyError(f"no human label for {text!r}: add it to lifetools.labels.LABELS")
    return text


def labels(names: Iterable[str]) -> list[str]:
    """:func:`label` of each name."""
    return [label(n) for n in names]


def is_raw_name(text: str) -> bool:
    """True for a text that looks like an analysis name (``imd_q1``, ``n``, ``step``)."""
    text = str(text).strip()
    return bool(_RAW.match(text)) or text in _RAW_WORDS


@lru_cache(maxsize=1)
def _dictionary():  # noqa: ANN202 - the data dictionary, read once
    from lifetools.dictionary import load_dictionary

    return load_dictionary()


def code_label(table: str, field: str, code: str) -> str:
    """The data dictionary's label of a code (``referrals.team_type`` ``A06`` reads
    "Community mental health team - functional"); the code itself when it has none."""
    spec = _dictionary().table(table).field(field)
    return spec.labels.get(str(code), str(code))
