"""Estimators on an empty or degenerate group: a reason, never a library's traceback.

A report rerun on a small locality's cohort (600 people in the extract: a few dozen in
a cohort, none in some) raised from pandas, lifelines, numpy or statsmodels (wave 50).
Each guard here is where the estimator met that input: no people, no events, no users,
a risk set that empties before later people enter. Every test fails on the code before
it (checked by reverting each guard). What such a report publishes instead, end to
end: ``tests/unit/test_small_groups_reports.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.cohort.person_time import build_person_time
from lifetools.cohort.spec import CohortSpec
from lifetools.convergence import TOO_FEW_TO_FIT
from lifetools.loading import load_dataset
from lifetools.regression.counts import compare_before_after, fit_poisson
from lifetools.regression.logistic import fit_logistic
from lifetools.regression.propensity import estimate_did, standardised_differences
from lifetools.survival.competing import estimate_cif
from lifetools.survival.finegray import finegray_rows, fit_fine_gray
from lifetools.survival.kaplan_meier import estimate_km, product_limit
from lifetools.survival.results import CURVE_COLUMNS, curve_of_no_one

NOBODY = pd.DataFrame({"duration": pd.Series(dtype=float), "event": pd.Series(dtype=int),
                       "entry": pd.Series(dtype=float), "group": pd.Series(dtype=object),
                       "x": pd.Series(dtype=float)})


def test_a_curve_of_no_people_has_no_rows():
    """pandas' "No objects to concatenate" (CIF) and lifelines' "Values must be numeric"
    (KM) on a cohort of no one."""
    cif = estimate_cif(NOBODY, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group")
    km = estimate_km(NOBODY, duration_col="duration", event_col="event",
                     entry_col="entry")
    for result in (cif, km):
        assert result.summary.empty and result.n_people == 0 and result.n_events == 0
        assert {"time", "estimate", "ci_lower", "ci_upper", "at_risk"} <= set(
            result.summary.columns)
    assert km.medians.empty


def test_a_curve_of_no_one_has_the_columns_and_types_of_a_curve_of_someone():
    """``curve_of_no_one``, the one summary of no one of ``estimate_km`` and
    ``estimate_cif``: the same columns in the same order, each of the type a curve of
    people gives it (a KM curve's numbers at risk integers, a CIF's floats), so that
    a table of several groups, one of them empty, keeps its types."""
    someone = pd.DataFrame({"duration": [1.0, 2.0, 3.0, 4.0], "event": [1, 2, 0, 1],
                            "entry": [0.0, 0.0, 0.0, 0.0], "group": ["a"] * 4,
                            "x": [0.0] * 4})
    for estimate, kwargs in ((estimate_km, {"entry_col": "entry"}),
                             (estimate_cif, {"event_of_interest": 1})):
        empty = estimate(NOBODY, duration_col="duration", event_col="event", **kwargs)
        full = estimate(someone, duration_col="duration", event_col="event", **kwargs)
        assert empty.summary.empty and not full.summary.empty
        assert list(empty.summary.columns) == list(full.summary.columns) == list(
            CURVE_COLUMNS), estimate.__name__
        assert empty.summary.dtypes.to_dict() == full.summary.dtypes.to_dict(), \
            estimate.__name__
    assert curve_of_no_one(("events",))["at_risk"].dtype == float
    assert curve_of_no_one(("at_risk", "events"))["at_risk"].dtype == np.int64


def test_fine_gray_of_no_people_is_not_estimable():
    """numpy's zero-size ``min`` in ``finegray_rows``."""
    assert finegray_rows(NOBODY, duration_col="duration", event_col="event",
                         event_of_interest=1).empty
    fit = fit_fine_gray(NOBODY, duration_col="duration", event_col="event",
                        event_of_interest=1, covariates=["x"])
    assert not fit.estimable and fit.reason == "no events of interest"
    assert fit.summary["estimate"].isna().all()


# people A and B from day 0 (A's event at 1, B censored at 2), then nobody at risk
# until C, D and E enter at 3: lifelines refuses ("too few early truncation times");
# R's survfit gives 1/2 at 1, 1/2 x 2/3 at 8 (C, D, E at risk), x 1/2 at 9 (C, E)
EMPTIED = pd.DataFrame({"entry": [0.0, 0.0, 3.0, 3.0, 3.0],
                        "duration": [1.0, 2.0, 10.0, 8.0, 9.0],
                        "event": [1, 0, 0, 1, 1]})


def test_a_risk_set_that_empties_gives_the_product_limit():
    km = estimate_km(EMPTIED, duration_col="duration", event_col="event",
                     entry_col="entry", times=(0, 5))
    curve = km.summary.set_index("time")
    expected = {1.0: 0.5, 2.0: 0.5, 8.0: 1 / 3, 9.0: 1 / 6, 10.0: 1 / 6}
    for time, value in expected.items():
        assert curve.loc[time, "estimate"] == pytest.approx(value, abs=1e-12)
    assert curve.loc[8.0, "at_risk"] == 3 and curve.loc[9.0, "at_risk"] == 2
    # at 0 the people entering at it, as lifelines' curves and at_risk_table count them
    # (a chart draws a point only where enough are at risk)
    assert curve.loc[0.0, "at_risk"] == ((EMPTIED["entry"] <= 0)
                                         & (EMPTIED["duration"] > 0)).sum() > 0
    assert curve.loc[[1.0, 8.0, 9.0], "events"].tolist() == [1, 1, 1]
    # Greenwood: sum of d / (n (n - d)) to day 9 = 1/2 + 1/6 + 1/2
    assert curve.loc[9.0, "se"] == pytest.approx(np.sqrt(7 / 6) / 6, abs=1e-12)


def test_product_limit_is_lifelines_curve_where_lifelines_estimates():
    rng = np.random.default_rng(5)
    entry = rng.integers(0, 20, 60).astype(float)
    stop = entry + rng.integers(1, 60, 60)
    event = rng.integers(0, 2, 60)
    frame = pd.DataFrame({"entry": entry, "duration": stop, "event": event})
    km = estimate_km(frame, duration_col="duration", event_col="event",
                     entry_col="entry")
    times, surv, _, _ = product_limit(entry, stop, event)
    ours = pd.Series(surv, index=times).reindex(km.summary["time"])
    np.testing.assert_allclose(ours.to_numpy(), km.summary["estimate"].to_numpy(),
                               rtol=1e-12)


def test_standardised_difference_with_no_one_treated_is_undefined():
    """numpy's "Weights sum to zero" when no one is treated."""
    frame = pd.DataFrame({"user": [0.0, 0.0, 0.0], "age": [30.0, 40.0, 50.0]})
    smd = standardised_differences(frame, treatment_col="user", covariates=["age"])
    assert np.isnan(smd["age"])


PERIODS = pd.DataFrame({"person_id": [1, 1, 2, 2], "after": [0, 1, 0, 1],
                        "group": [1.0, 1.0, 0.0, 0.0], "person_years": [1.0, 0.5, 1.0, 1.0],
                        "ae": [0, 0, 0, 0], "user": [1.0, 1.0, 0.0, 0.0]})


@pytest.mark.parametrize("rows", [slice(0, 0), slice(None)], ids=["no rows", "no events"])
def test_count_models_with_nothing_to_fit_say_so(rows):
    """statsmodels' zero-size design, and its "first guess on the deviance function
    returned a nan" on an outcome with no events."""
    data = PERIODS.iloc[rows]
    fits = [fit_poisson(data, outcome_col="ae", person_time_col="person_years",
                        covariates=["user"]),
            compare_before_after(data, outcome_col="ae")]
    for fit, term in zip(fits, ("user", "after"), strict=True):
        assert not fit.estimable and fit.reason == TOO_FEW_TO_FIT
        assert np.isnan(fit.estimate(term)).all()
    did = estimate_did(data, outcome_col="ae")
    assert not did.estimable and np.isnan(did.estimate("did")).all()
    assert did.reason == ("a group or period has no person-time" if data.empty else
                          "too few events in a group and period to estimate a ratio of "
                          "rate ratios")


def test_a_missing_outcome_is_not_read_as_no_events():
    """Zeros and a missing count are a data fault, raised as before the guards, not a
    model "not fitted" for too few events."""
    data = PERIODS.assign(ae=[0.0, np.nan, 0.0, 0.0])
    calls = [lambda: fit_poisson(data, outcome_col="ae", person_time_col="person_years",
                                 covariates=["user"]),
             lambda: compare_before_after(data, outcome_col="ae"),
             lambda: estimate_did(data, outcome_col="ae")]
    for call in calls:
        with pytest.raises(Exception) as raised:
            call()
        assert TOO_FEW_TO_FIT not in str(raised.value)


def test_logistic_model_of_no_people_is_not_estimable():
    fit = fit_logistic(PERIODS.iloc[0:0], outcome_col="ae", covariates=["user"])
    assert not fit.estimable and fit.reason == TOO_FEW_TO_FIT


def test_person_time_with_no_users_draws_no_index_date(extract):
    """numpy's IndexError drawing index dates from no users."""
    data = load_dataset(extract)
    pt = build_person_time(data, CohortSpec("2000-04-01", "2001-03-31"))
    assert not (pt.people["group"] == "Life Rooms users").any()
    assert pt.periods.empty or pt.periods["person_years"].notna().all()


def test_honos_recorded_for_fewer_than_its_imputation_model_is_left_out():
    """statsmodels' "SVD did not converge" drawing the parameters of an imputation model
    with no residual degrees of freedom (a 20-person crisis cohort, 11 scores)."""
    from lifetools.reports.crisis_parts import crisis_spec

    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"honos": np.r_[rng.integers(0, 30, 11), [np.nan] * 9]})
    assert "honos" not in crisis_spec(frame).columns
    frame = pd.DataFrame({"honos": rng.integers(0, 30, 20).astype(float)})
    assert "honos" in crisis_spec(frame).columns


# twelve people, crisis (1) or death first (2) or neither by day 365; x a predictor
FINE_GRAY_PEOPLE = pd.DataFrame({
    "days": [30.0, 60, 90, 120, 200, 250, 365, 365, 365, 365, 100, 300],
    "event": [1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 2, 2],
    "x": [1.0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0]})


def test_one_development_copy_predicts_every_imputed_copy():
    """"give one profile frame per fit, or one for all": a development cohort with
    nothing missing has one copy (one fit) while the validation cohort was imputed (a
    600-person extract's 20-person cohorts). Each copy is predicted by the one fit and
    the copies pooled by Rubin's rules: the same numbers as that fit given once per
    copy; one frame in a list serves every fit, as one frame does."""
    from lifetools.prediction import ModelSpec
    from lifetools.prediction.cif_interval import cif_interval, pooled_cif_interval
    from lifetools.prediction.time_to_event import fit_fine_gray_risk

    spec = ModelSpec("unused", linear=("x",))
    fit = fit_fine_gray_risk(FINE_GRAY_PEOPLE, spec, duration_col="days",
                             event_col="event", horizon=365)
    other = fit_fine_gray_risk(FINE_GRAY_PEOPLE.assign(x=FINE_GRAY_PEOPLE["x"][::-1].to_numpy()),
                               spec, duration_col="days", event_col="event", horizon=365)
    copies = [pd.DataFrame({"x": [0.0, 1.0, 1.0]}), pd.DataFrame({"x": [0.0, 0.0, 1.0]})]
    groups = [0, 1, 1]
    pooled = pooled_cif_interval([fit], copies, groups=groups)
    pd.testing.assert_frame_equal(
        pooled, pooled_cif_interval([fit, fit], copies, groups=groups), check_exact=True)
    # group 0 is the same person in both copies: the fit's own interval of that person
    alone = cif_interval(fit, copies[0].iloc[:1])
    np.testing.assert_allclose(pooled.iloc[0][["estimate", "se_cloglog"]].to_numpy(float),
                               alone.iloc[0][["estimate", "se_cloglog"]].to_numpy(float),
                               rtol=1e-12)
    # group 1 differs between the copies: wider than either copy's own interval
    each = [cif_interval(fit, c, groups=groups).iloc[1]["se_cloglog"] for c in copies]
    assert pooled.iloc[1]["se_cloglog"] > max(each)
    pd.testing.assert_frame_equal(
        pooled_cif_interval([fit, other], copies[:1], groups=groups),
        pooled_cif_interval([fit, other], copies[0], groups=groups), check_exact=True)
    with pytest.raises(ValueError, match="one profile frame per fit"):
        pooled_cif_interval([fit, other], copies * 2)


@pytest.mark.parametrize("user", [0.0, 1.0])
def test_a_propensity_model_of_one_group_says_there_is_no_comparison(user):
    """statsmodels' logistic fit of users only or non-users only iterated to its limit:
    the emergency-care report of a locality with no users said "the propensity model
    did not converge"; the truth is that there is nobody to compare."""
    from lifetools.regression.propensity import (
        ONE_GROUP_ONLY,
        fit_propensity,
        match_on_propensity,
        weight_by_propensity,
    )

    people = pd.DataFrame({"person_id": ["a", "b", "c", "d", "e"],
                           "age": [25.0, 40.0, 33.0, 61.0, 47.0],
                           "female": [1.0, 0.0, 0.0, 1.0, 1.0], "user": user})
    kw = {"treatment_col": "user", "covariates": ["age", "female"]}
    model = fit_propensity(people, **kw)
    assert model.failure == ONE_GROUP_ONLY and model.scores.isna().all()
    for design in (match_on_propensity(people, **kw), weight_by_propensity(people, **kw)):
        assert design.failure == ONE_GROUP_ONLY and design.data.empty
