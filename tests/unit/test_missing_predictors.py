"""HoNOS imputation's predictors: none constant among the recorded scores."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from lifetools.reports.missing import imputed_copies


def test_a_predictor_constant_among_recorded_scores_is_left_out_not_warned_about():
    # 3,000 people, 2023-24 re-referrals (wave 61's data): no event among the 21
    # people with a HoNOS score, so the event indicator was a column of zeros in
    # HoNOS's imputation model; statsmodels warned "the design matrix is
    # rank-deficient" on stderr at each of its 55 updates (the notebook's stderr)
    rng = np.random.default_rng(3)
    n = 200
    scored = rng.random(n) < 0.3
    data = pd.DataFrame({
        "age_65_plus": (rng.random(n) < 0.2).astype(int),
        "age_per_10": rng.normal(4.5, 1.5, n), "female": (rng.random(n) < 0.5).astype(int),
        "most_deprived_decile": (rng.random(n) < 0.3).astype(int),
        "deprivation_unknown": (rng.random(n) < 0.05).astype(int),
        "honos_observed": np.where(scored, rng.normal(2.2, 1.0, n), np.nan),
        "duration": rng.uniform(1, 365, n).round(),
        "event": np.where(scored, 0, (rng.random(n) < 0.5).astype(int)),
        "ever_used": (rng.random(n) < 0.3).astype(int)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copies = imputed_copies(data, event_col="event", exposure_col="ever_used", m=2)
    assert len(copies) == 2
    assert all(c["honos_per_5"].notna().all() for c in copies)
    assert all((c.loc[scored, "honos_per_5"] == data.loc[scored, "honos_observed"]).all()
               for c in copies)
