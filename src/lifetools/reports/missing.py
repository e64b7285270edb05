"""Missing covariates in the survival reports: imputed copies and complete cases.

HoNOS at referral is missing for some people and their area (deprivation) for others.
The reports fit every Cox and Fine-Gray model to ``m`` copies of the cohort with HoNOS
imputed by chained equations and pool them by Rubin's rules
(:mod:`lifetools.regression.imputation`); an unknown area is its own category
(``deprivation_unknown``), never "not most deprived"; the main model is also fitted to
the complete cases (HoNOS recorded) as a sensitivity analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from lifetools.cohort import ADJUSTMENT_COVARIATES
from lifetools.disclosure import active_profile
from lifetools.regression.imputation import fit_imputed, impute_chained, nelson_aalen_at

__all__ = ["ADJUSTMENT_WORDS", "IMPUTATIONS", "IMPUTED", "SEED", "adjusted_for",
           "complete_cases", "imputed_copies", "model_covariates", "pooled"]

IMPUTATIONS = 10
SEED = 20240401
HONOS = "honos_per_5"
IMPUTED = "HoNOS imputed (predictive mean matching)"
MIN_OBSERVED = 10
"""Fewest recorded HoNOS scores for HoNOS to be a covariate (imputed where missing)."""


_DEPRIVATION = "deprivation (living in the most deprived tenth of areas)"
ADJUSTMENT_WORDS = {"age_65_plus": "age", "age_per_10": "age", "female": "sex",
                    "most_deprived_decile": _DEPRIVATION,
                    "deprivation_unknown": _DEPRIVATION,
                    "honos_per_5": "how unwell people were at referral (HoNOS score)"}
"""What a page says each adjustment covariate of :func:`model_covariates` stands for."""


def adjusted_for(covariates: Sequence[str]) -> str:
    """What the models are adjusted for, in words: "age, sex, deprivation (living in the
    most deprived tenth of areas) and how unwell people were at referral (HoNOS score)"
    (:data:`ADJUSTMENT_WORDS`, each once).

    The pages typed this list by hand until wave 27 (issue 15), and said "HoNOS" also
    of an extract whose HoNOS scores were too few to adjust for (:func:`honos_usable`).

    Raises
    ------
    KeyError
        If a covariate has no words.
    """
    words = list(dict.fromkeys(ADJUSTMENT_WORDS[c] for c in covariates))
    if not words:
        return "nothing"
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def honos_usable(data: pd.DataFrame) -> bool:
    """Tell whether enough HoNOS scores are recorded to adjust for (and impute) it.

    An extract whose optional HoNOS column is empty (or nearly) is valid: the models are
    then fitted without it, by design, instead of failing in the imputation.
    """
    return int(data["honos_observed"].notna().sum()) >= MIN_OBSERVED


def model_covariates(data: pd.DataFrame, event_col: str | None = None) -> list[str]:
    """The adjustment covariates a model of ``data`` can carry.

    ``deprivation_unknown`` is added when any area is unknown (a column of zeros would
    make the model singular); HoNOS is left out when too few scores are recorded
    (:func:`honos_usable`). With ``event_col``, a yes/no covariate either level of
    which has fewer events than the disclosure profile's minimum per level is left out
    too (:func:`sparse_covariates`): a pre-specified rule, so that a small group (13
    people with no known area) cannot withhold the whole model at the release check,
    and the estimate is adjusted for everything that can be estimated.
    """
    unknown = ["deprivation_unknown"] if data["deprivation_unknown"].nunique() > 1 else []
    covariates = [c for c in ADJUSTMENT_COVARIATES if c != HONOS or honos_usable(data)]
    at = covariates.index("most_deprived_decile") + 1
    chosen = covariates[:at] + unknown + covariates[at:]
    if event_col is None:
        return chosen
    sparse = set(sparse_covariates(data, chosen, event_col))
    return [c for c in chosen if c not in sparse]


def sparse_covariates(data: pd.DataFrame, covariates: Sequence[str],
                      event_col: str) -> list[str]:
    """The yes/no covariates with fewer than the minimum events in a level.

    Events are rows with ``event_col`` equal to 1 (the event of interest; competing
    events are not counted). The minimum is the active disclosure profile's
    ``model_min_events`` (the release check's, :func:`lifetools.disclosure.model_release`).
    """
    least = active_profile().model_min_events
    events = data[event_col] == 1
    out = []
    for col in covariates:
        values = data[col]
        if values.dropna().isin([0, 1]).all() and values.nunique() == 2:
            if min(int((events & (values == 1)).sum()),
                   int((events & (values == 0)).sum())) < least:
                out.append(col)
    return out


def imputed_copies(data: pd.DataFrame, *, event_col: str, exposure_col: str,
                   m: int = IMPUTATIONS, seed: int = SEED) -> list[pd.DataFrame]:
    """Copies of a cohort with ``honos_per_5`` imputed from ``honos_observed``.

    Predictors: the other covariates, the exposure, the event indicator and the
    Nelson-Aalen cumulative hazard at the person's time (White and Royston 2009), each
    that varies among the people with a recorded score (HoNOS's model is fitted on them).
    One copy (nothing pooled) when no HoNOS is missing, or when too few are recorded
    to use it (:func:`honos_usable`: the models then leave HoNOS out).
    """
    if not honos_usable(data):
        return [data]
    base = data.assign(_event=(data[event_col] != 0).astype(float),
                       _hazard=nelson_aalen_at(data["duration"], data[event_col]),
                       _exposure=data[exposure_col].astype(float))
    base[HONOS] = base["honos_observed"]
    # a predictor the same for every recorded score says nothing to HoNOS's model
    # (fitted on those rows) and makes its design rank-deficient: statsmodels warned on
    # stderr at each of the 55 updates (3,000 people, 2023-24 re-referrals: no event
    # among the 21 people scored; wave 61)
    observed = base["honos_observed"].notna()
    predictors = [c for c in [*model_covariates(data), "_event", "_hazard", "_exposure"]
                  if c != HONOS and base[c].nunique() > 1
                  and base.loc[observed, c].nunique() > 1]
    copies = impute_chained(base, impute=[HONOS], predictors=predictors, m=m, seed=seed)
    return [c.drop(columns=["_event", "_hazard", "_exposure"]) for c in copies]


def complete_cases(data: pd.DataFrame) -> pd.DataFrame:
    """People with HoNOS recorded (complete-case sensitivity analysis)."""
    keep = data["honos_observed"].notna()
    return data.loc[keep].assign(**{HONOS: data.loc[keep, "honos_observed"]})


def pooled(fit: Callable[[pd.DataFrame, bool], Any], copies: Sequence[pd.DataFrame]
           ) -> Any:
    """``fit(copy, first)`` on every imputed copy, pooled by Rubin's rules."""
    return fit_imputed(fit, copies, description=IMPUTED)
