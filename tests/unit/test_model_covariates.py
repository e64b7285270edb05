"""The adjustment set leaves out a yes/no covariate too sparse for the release check."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifetools.cohort import ADJUSTMENT_COVARIATES
from lifetools.reports.missing import model_covariates, sparse_covariates


def cohort(unknown_events: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({c: rng.integers(0, 2, n).astype(float)
                          for c in ADJUSTMENT_COVARIATES})
    frame["age_per_10"] = rng.normal(4, 1, n)
    frame["honos_per_5"] = rng.normal(3, 1, n)
    frame["honos_observed"] = frame["honos_per_5"]
    frame["event"] = (rng.random(n) < 0.5).astype(float)
    frame["deprivation_unknown"] = 0.0
    unknown = frame.index[:30]
    frame.loc[unknown, "deprivation_unknown"] = 1.0
    frame.loc[unknown, "event"] = 0.0
    frame.loc[unknown[:unknown_events], "event"] = 1.0
    return frame


def test_model_covariates_sparse_unknown_area_is_left_out():
    sparse = cohort(unknown_events=9)
    assert "deprivation_unknown" in model_covariates(sparse)
    assert "deprivation_unknown" not in model_covariates(sparse, "event")
    assert sparse_covariates(sparse, ["deprivation_unknown", "female"], "event") == [
        "deprivation_unknown"]


def test_model_covariates_ten_events_in_each_level_are_kept():
    enough = cohort(unknown_events=10)
    assert "deprivation_unknown" in model_covariates(enough, "event")
    # competing events (2) are not counted as events of interest
    competing = enough.assign(event=enough["event"].replace(1.0, 2.0))
    assert set(sparse_covariates(competing, ["female"], "event")) == {"female"}


def test_adjusted_for_says_what_the_models_carry():
    # the pages typed "age, sex, deprivation and HoNOS" by hand, also for an extract
    # whose HoNOS scores were too few to adjust for (issue 15, wave 27)
    from lifetools.reports.missing import ADJUSTMENT_WORDS, adjusted_for

    assert set(ADJUSTMENT_COVARIATES) | {"deprivation_unknown"} <= set(ADJUSTMENT_WORDS)
    full = cohort(unknown_events=10)
    assert adjusted_for(model_covariates(full)) == (
        "age, sex, deprivation (living in the most deprived tenth of areas) and how "
        "unwell people were at referral (HoNOS score)")
    no_honos = full.assign(honos_observed=np.nan)
    assert "honos_per_5" not in model_covariates(no_honos)
    assert adjusted_for(model_covariates(no_honos)) == (
        "age, sex and deprivation (living in the most deprived tenth of areas)")
    assert adjusted_for(["female"]) == "sex"
    assert adjusted_for([]) == "nothing"
