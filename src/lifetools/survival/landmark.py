"""Landmark analysis: exposure classified at a fixed time among those still at risk."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lifetools.survival.cox import fit_cox
from lifetools.survival.results import LandmarkResult

__all__ = ["fit_landmark"]


def fit_landmark(
    df: pd.DataFrame,
    *,
    landmark: float,
    duration_col: str,
    event_col: str,
    exposure_time_col: str,
    covariates: Sequence[str],
    entry_col: str | None = None,
    alpha: float = 0.05,
) -> LandmarkResult:
    """Fit a Cox model from ``landmark`` on, exposure = exposed by the landmark.

    Keeps people still at risk at the landmark (entered before it, no event or
    censoring before it); classifies them as exposed if ``exposure_time_col`` is at
    or before the landmark; follow-up restarts at the landmark. Exposure after the
    landmark is ignored (counted as unexposed), which biases towards no effect but
    avoids immortal time.

    Notes
    -----
    A sensitivity analysis beside the time-varying Cox model; same estimator (Cox,
    Efron ties, Wald CIs). Checked in ``tests/unit/test_survival_landmark.py``.
    """
    entry = df[entry_col] if entry_col else pd.Series(0.0, index=df.index)
    at_risk = (df[duration_col] > landmark) & (entry <= landmark)
    data = df.loc[at_risk].copy()
    data["exposed_at_landmark"] = (data[exposure_time_col] <= landmark).fillna(
        False).astype(float)
    data["_duration"] = data[duration_col] - landmark
    cox = fit_cox(data, duration_col="_duration", event_col=event_col,
                  covariates=["exposed_at_landmark", *covariates], alpha=alpha,
                  check_ph=False)
    return LandmarkResult(
        landmark=float(landmark), cox=cox, n_excluded=int((~at_risk).sum()),
        method={"estimator": "landmark Cox", "landmark": float(landmark),
                "exposure": "exposed at or before the landmark", **cox.method},
    )


