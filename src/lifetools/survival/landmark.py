"""Landmark analysis: exposure classified at a fixed time among those still at risk."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from lifetools.survival.cox import fit_cox, fit_cox_time_varying
from lifetools.survival.results import CoxResult, LandmarkResult

__all__ = ["fit_landmark", "fit_landmark_time_split"]


def _landmark_data(df: pd.DataFrame, *, landmark: float, duration_col: str,
                   exposure_time_col: str, entry_col: str | None
                   ) -> tuple[pd.DataFrame, pd.Series]:
    """People at risk at the landmark, exposure then, follow-up from the landmark."""
    entry = df[entry_col] if entry_col else pd.Series(0.0, index=df.index)
    at_risk = (df[duration_col] > landmark) & (entry <= landmark)
    data = df.loc[at_risk].copy()
    data["exposed_at_landmark"] = (data[exposure_time_col] <= landmark).fillna(
        False).astype(float)
    data["_duration"] = data[duration_col] - landmark
    return data, at_risk


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
    check_ph: bool = False,
) -> LandmarkResult:
    """Fit a Cox model from ``landmark`` on, exposure = exposed by the landmark.

    Keeps people still at risk at the landmark (entered before it, no event or
    censoring before it); classifies them as exposed if ``exposure_time_col`` is at
    or before the landmark; follow-up restarts at the landmark. Exposure after the
    landmark is ignored (counted as unexposed), which biases towards no effect but
    avoids immortal time.

    Parameters
    ----------
    check_ph
        Test proportional hazards in the landmark model (R's ``cox.zph``, km
        transform: :func:`cox_zph`); the discharge report uses its exposure term to
        decide whether to show the time-split sensitivity analysis.

    Notes
    -----
    A sensitivity analysis beside the time-varying Cox model; same estimator (Cox,
    Efron ties, Wald CIs) and :func:`fit_cox` underneath. Checked in
    ``tests/unit/test_survival.py`` (``test_landmark_keeps_only_people_at_risk``,
    ``test_landmark_ph_test_runs_without_delayed_entry``), against R's ``coxph`` and
    ``cox.zph`` on the selected rows
    (``tests/reference/test_landmark_against_r.py::test_fit_landmark_rossi_against_r``)
    and against truths derived from the generator (``book/methods/landmark.md``,
    "Estimand and truth") in ``tests/truth/test_survival_truth.py``
    (``test_landmark_ci_covers_derived_truth``) and over 20 seeds in
    ``tests/truth/test_landmark_many_seeds.py``.
    """
    data, at_risk = _landmark_data(df, landmark=landmark, duration_col=duration_col,
                                   exposure_time_col=exposure_time_col,
                                   entry_col=entry_col)
    cox = fit_cox(data, duration_col="_duration", event_col=event_col,
                  covariates=["exposed_at_landmark", *covariates], alpha=alpha,
                  check_ph=check_ph)
    return LandmarkResult(
        landmark=float(landmark), cox=cox, n_excluded=int((~at_risk).sum()),
        method={"estimator": "landmark Cox", "landmark": float(landmark),
                "exposure": "exposed at or before the landmark", **cox.method},
    )


def fit_landmark_time_split(
    df: pd.DataFrame,
    *,
    landmark: float,
    split_at: float | None = None,
    duration_col: str,
    event_col: str,
    exposure_time_col: str,
    covariates: Sequence[str],
    entry_col: str | None = None,
    alpha: float = 0.05,
) -> CoxResult:
    """The landmark model with the exposure hazard ratio split in time.

    Same people, exposure and follow-up as :func:`fit_landmark`, but each person's
    follow-up after the landmark is cut at ``split_at`` days into two start-stop rows, and
    exposure enters as two terms: ``exposed_before_split`` (hazard ratio up to
    ``split_at`` days after the landmark) and ``exposed_after_split`` (after it). The
    covariates keep one hazard ratio each. A sensitivity analysis for when the
    proportional-hazards test of the exposure fails. ``split_at=None`` splits at the
    median time of the exposed people's events after the landmark, so that both periods
    hold events of the exposed.

    Returns
    -------
    CoxResult
        Not estimable (``estimable`` False, ``reason`` saying how many events the
        exposed have in each period, NaN ratios) when no exposed person has an event
        in one of the two periods: that period's hazard ratio cannot be estimated
        (choose another ``split_at``).

    Notes
    -----
    :func:`fit_cox_time_varying` on (start, stop] rows (Efron ties, Wald CIs). Checked
    in ``tests/unit/test_survival.py::test_landmark_time_split_equal_effects_agree``:
    with a constant true hazard ratio both periods' intervals cover it; against R's
    ``survSplit`` + ``coxph`` in
    ``tests/reference/test_landmark_against_r.py::test_fit_landmark_time_split_rossi_against_r``.
    """
    data, _ = _landmark_data(df, landmark=landmark, duration_col=duration_col,
                             exposure_time_col=exposure_time_col, entry_col=entry_col)
    data = data.assign(_id=range(len(data)))
    exposed_events = data.loc[(data["exposed_at_landmark"] == 1)
                              & (data[event_col] == 1), "_duration"]
    if split_at is None:
        split_at = float(exposed_events.median()) if len(exposed_events) else 0.0
    early_events = int((exposed_events <= split_at).sum())
    late_events = len(exposed_events) - early_events
    if not early_events or not late_events:
        reason = (f"cannot split the exposure hazard ratio at {split_at:g} days after "
                  f"the landmark: the exposed have {early_events} events up to it and "
                  f"{late_events} after it")
        terms = ["exposed_before_split", "exposed_after_split", *covariates]
        summary = pd.DataFrame({"term": terms, **{c: np.nan for c in (
            "estimate", "ci_lower", "ci_upper", "p_value", "coef", "se")},
            "estimable": False})
        return CoxResult(
            summary=summary, ph_test=None, n_people=len(data),
            n_events=int(data[event_col].sum()),
            method={"estimator": "landmark Cox, exposure split in time",
                    "landmark": float(landmark), "split_at": float(split_at)},
            warnings=(f"not estimable: {reason}",), estimable=False, reason=reason)
    early = data.assign(_start=0.0, _stop=data["_duration"].clip(upper=split_at),
                        _event=data[event_col].where(data["_duration"] <= split_at, 0),
                        exposed_before_split=data["exposed_at_landmark"],
                        exposed_after_split=0.0)
    late = data.loc[data["_duration"] > split_at].assign(
        _start=float(split_at), _stop=lambda d: d["_duration"],
        _event=lambda d: d[event_col], exposed_before_split=0.0,
        exposed_after_split=lambda d: d["exposed_at_landmark"])
    rows = pd.concat([early, late], ignore_index=True)
    result = fit_cox_time_varying(
        rows, id_col="_id", start_col="_start", stop_col="_stop", event_col="_event",
        covariates=["exposed_before_split", "exposed_after_split", *covariates],
        alpha=alpha, check_ph=False)
    return CoxResult(
        summary=result.summary, ph_test=None, n_people=len(data),
        n_events=int(data[event_col].sum()),
        method={**result.method, "estimator": "landmark Cox, exposure split in time",
                "landmark": float(landmark), "split_at": float(split_at)},
        warnings=result.warnings, model=result.model, estimable=result.estimable,
        reason=result.reason)
