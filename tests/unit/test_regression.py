"""Regression units: before/after ratio, matching, Wilson, C-statistic, calibration."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from lifetools.convergence import TOO_FEW_TO_FIT
from lifetools.regression import (
    balance_table,
    c_statistic,
    calibration,
    compare_before_after,
    estimate_did,
    estimate_paired_change,
    fit_logistic,
    fit_negative_binomial,
    match_on_propensity,
    share_meaningful_change,
    standardised_differences,
    weight_by_propensity,
    wilson_interval,
)


def test_before_after_equals_ratio_of_totals():
    periods = pd.DataFrame({"person_id": ["a", "a", "b", "b", "c", "c"],
                            "after": [0, 1] * 3, "ae": [4, 2, 2, 1, 6, 3],
                            "person_years": [1.0] * 6})
    result = compare_before_after(periods, outcome_col="ae")
    assert result.estimate("after")[0] == pytest.approx(6 / 12)
    # every person halves exactly: the robust variance is not positive, so the ratio
    # is kept without an interval and the result says so (was a silent NaN interval)
    assert not result.estimable and "standard error" in result.reason
    assert any(w.startswith("not estimable") for w in result.warnings)


def test_wilson_interval_known_value():
    low, high = wilson_interval(8, 10)   # Wilson (1927): 0.490 to 0.943
    assert low == pytest.approx(0.4902, abs=1e-4) and high == pytest.approx(0.9433,
                                                                            abs=1e-4)
    assert np.isnan(wilson_interval(0, 0)[0])


def test_c_statistic_perfect_and_random():
    assert c_statistic(np.array([0, 0, 1, 1]), np.array([.1, .2, .8, .9]))[0] == 1.0
    assert c_statistic(np.array([0, 1, 0, 1]), np.array([.5, .5, .5, .5]))[0] == 0.5


def test_paired_change_and_share():
    pairs = pd.DataFrame({"change": [1.0, 2.0, 3.0, 4.0, 5.0]})
    mean, low, high = estimate_paired_change(pairs).estimate("mean change")
    assert mean == 3.0 and low < 3.0 < high
    share = share_meaningful_change(pairs, threshold=3.0)
    assert share.summary["estimate"].iloc[0] == pytest.approx(0.6)



@pytest.mark.parametrize("changes", [[], [2.5]])
def test_paired_change_fewer_than_two_pairs_not_estimable_and_silent(changes):
    # 0 pairs: scipy's ttest_1samp warned SmallSampleWarning into the wellbeing
    # notebook's stderr (3,000-person build); 1 pair: it divided by zero
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = estimate_paired_change(pd.DataFrame({"change": changes}))
    assert not result.estimable and result.n == len(changes)
    assert result.reason.startswith("fewer than 2 people with a baseline and a follow-up")
    assert result.warnings == (f"not estimable: {result.reason}",)
    row = result.summary.iloc[0]
    assert row["term"] == "mean change" and row[
        ["estimate", "ci_lower", "ci_upper", "p_value"]].isna().all()
    assert list(result.summary.columns) == ["term", "estimate", "ci_lower", "ci_upper",
                                            "p_value", "n"]


def test_paired_change_every_change_the_same_keeps_mean_without_interval():
    # a standard error of 0: scipy's t-test warned of catastrophic cancellation and
    # gave p = 0 with the interval a point; now the mean alone, and the reason
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = estimate_paired_change(pd.DataFrame({"change": [0.1] * 12}))
    assert not result.estimable and "standard error" in result.reason
    assert result.warnings == (f"not estimable: {result.reason}",)
    mean, low, high = result.estimate("mean change")
    assert mean == pytest.approx(0.1) and np.isnan(low) and np.isnan(high)
    assert np.isnan(result.summary["p_value"].iloc[0])


def test_paired_change_against_scipy_paired_ttest():
    # the interval and p-value of a paired t-test (scipy.stats.ttest_rel's own CI)
    from scipy import stats

    rng = np.random.default_rng(5)
    base, follow = rng.normal(20, 4, 40), rng.normal(21, 4, 40)
    result = estimate_paired_change(pd.DataFrame({"change": follow - base}))
    test = stats.ttest_rel(follow, base)
    low, high = test.confidence_interval(0.95)
    assert result.estimable and result.warnings == ()
    assert result.estimate("mean change") == pytest.approx(
        ((follow - base).mean(), low, high), rel=1e-12)
    assert result.summary["p_value"].iloc[0] == pytest.approx(test.pvalue, rel=1e-12)

def test_matching_is_deterministic_and_balances():
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.normal(size=n)
    treated = (rng.random(n) < 1 / (1 + np.exp(-(x - 1.5)))).astype(float)
    df = pd.DataFrame({"person_id": [f"p{i:04d}" for i in range(n)], "x": x,
                       "user": treated})
    a = match_on_propensity(df, treatment_col="user", covariates=["x"])
    b = match_on_propensity(df.sample(frac=1, random_state=1), treatment_col="user",
                            covariates=["x"])
    assert sorted(a.data["person_id"]) == sorted(b.data["person_id"])
    assert abs(a.balance["smd_before"].iloc[0]) > 0.5
    assert a.max_abs_smd_after < 0.1


def test_logistic_discrimination_and_calibration():
    rng = np.random.default_rng(4)
    x = rng.normal(size=3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-(2 * x - 1)))).astype(float)
    result = fit_logistic(pd.DataFrame({"x": x, "y": y}), outcome_col="y",
                          covariates=["x"])
    assert result.extra["c_statistic"][0] > 0.8
    # apparent (in-sample) calibration: slope 1 and in-the-large 0 by construction
    assert result.extra["apparent"] is True
    assert result.extra["calibration_slope"] == pytest.approx(1.0, abs=1e-6)
    assert result.extra["calibration_in_the_large"] == pytest.approx(0.0, abs=1e-6)
    assert len(result.extra["calibration_table"]) == 10


def test_logistic_not_fitted_says_why_with_its_performance_missing():
    """A logistic model of no one, or with a covariate missing, is the one kind of
    result every model not fitted is (``not_fitted``): no rows, its reason, its warnings
    ending with it, and its C-statistic and calibration missing, not absent."""
    df = pd.DataFrame({"x": [0.5, np.nan, 1.5, 2.0], "y": [0.0, 1.0, 1.0, 0.0]})
    for data, n, reason in ((df.iloc[0:0], 0, TOO_FEW_TO_FIT),
                            (df, 4, "a covariate of the logistic model has missing "
                                    "values for 1 people")):
        result = fit_logistic(data, outcome_col="y", covariates=["x"])
        assert not result.estimable and result.n == n and result.reason == reason
        assert result.summary.empty and list(result.summary.columns) == [
            "term", "estimate", "ci_lower", "ci_upper", "p_value", "n"]
        assert result.warnings == (f"not estimable: {reason}",)
        assert result.model is None and result.events is None
        assert all(np.isnan(v) for v in result.extra["c_statistic"])
        assert np.isnan(result.extra["calibration_slope"])
        assert np.isnan(result.extra["calibration_in_the_large"])
        assert result.extra["calibration_table"].empty and result.extra["apparent"]


def test_calibration_in_the_large_is_offset_intercept_and_slope_separate():
    rng = np.random.default_rng(5)
    eta = rng.normal(-1, 1.5, size=20000)
    y = (rng.random(len(eta)) < 1 / (1 + np.exp(-eta))).astype(float)
    # predictions too spread (slope 0.5) and shifted: in-the-large solves
    # sum(y - expit(a + lp)) = 0 with lp fixed (offset), found here by root finding
    lp = (eta + 0.4) / 0.5
    predicted = 1 / (1 + np.exp(-lp))
    in_the_large, slope, _ = calibration(y, predicted)
    root = brentq(lambda a: np.sum(y - 1 / (1 + np.exp(-(a + lp)))), -5, 5,
                  xtol=1e-12)
    assert in_the_large == pytest.approx(root, abs=1e-6)
    assert slope == pytest.approx(0.5, abs=0.03)
    # a pure shift of a correct model: slope 1, in-the-large near the shift
    shifted = 1 / (1 + np.exp(-(eta - 0.5)))
    in_the_large, slope, _ = calibration(y, shifted)
    assert slope == pytest.approx(1.0, abs=0.05)
    assert in_the_large == pytest.approx(0.5, abs=0.06)


def test_c_statistic_interval_is_kept_inside_zero_one():
    # near-perfect discrimination on few people: the Hanley-McNeil Wald upper limit
    # exceeds 1 before clipping
    outcome = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    predicted = np.array([.1, .2, .3, .7, .8, .9, .75, .25])
    auc, low, high = c_statistic(outcome, predicted)
    assert 0.0 <= low <= auc <= high == 1.0


def test_smd_after_uses_unmatched_pooled_sd():
    before = pd.DataFrame({"user": [1, 1, 1, 1, 0, 0, 0, 0],
                           "x": [0.0, 2.0, 4.0, 6.0, 0.0, 1.0, 2.0, 3.0]})
    after = before.iloc[[1, 2, 5, 6]]      # users 2, 4; controls 1, 2
    sd = np.sqrt((before["x"][:4].var() + before["x"][4:].var()) / 2)
    smd = standardised_differences(after, treatment_col="user", covariates=["x"],
                                   reference=before)
    assert smd["x"] == pytest.approx((3.0 - 1.5) / sd)
    table = balance_table(before, after, treatment_col="user", covariates=["x"])
    assert table["smd_after"].iloc[0] == pytest.approx((3.0 - 1.5) / sd)
    assert table["smd_before"].iloc[0] == pytest.approx((3.0 - 1.5) / sd)


def test_weights_att_and_ate_balance_a_confounder():
    rng = np.random.default_rng(6)
    x = rng.normal(size=4000)
    user = (rng.random(4000) < 1 / (1 + np.exp(-(x - 1.5)))).astype(float)
    df = pd.DataFrame({"person_id": np.arange(4000), "x": x, "user": user})
    att = weight_by_propensity(df, treatment_col="user", covariates=["x"])
    assert att.method["estimand"] == "att"
    assert (att.data.loc[att.data["user"] == 1, "weight"] == 1.0).all()
    assert abs(att.balance["smd_before"].iloc[0]) > 0.5
    assert att.max_abs_smd_after < 0.1
    ate = weight_by_propensity(df, treatment_col="user", covariates=["x"],
                               estimand="ate")
    assert ate.max_abs_smd_after < 0.1
    with pytest.raises(ValueError):
        weight_by_propensity(df, treatment_col="user", covariates=["x"], estimand="x")


def test_att_weights_do_not_inflate_unlikely_non_users_of_a_rare_exposure():
    # a rare exposure (about 1%) concentrated in one group, as Life Rooms use is
    rng = np.random.default_rng(8)
    n = 20000
    group = (rng.random(n) < 0.1).astype(float)
    user = (rng.random(n) < np.where(group == 1, 0.06, 0.004)).astype(float)
    df = pd.DataFrame({"person_id": np.arange(n), "group": group, "user": user})
    att = weight_by_propensity(df, treatment_col="user", covariates=["group"])
    controls = att.data[att.data["user"] == 0]
    expected = controls["propensity"] / (1 - controls["propensity"])
    assert np.allclose(controls["weight"], expected)
    assert controls["propensity"].min() < 0.01  # small scores are kept as they are
    assert att.max_abs_smd_after < 0.01


def test_weighted_did_is_ratio_of_weighted_rate_ratios_with_cluster_sandwich():
    rng = np.random.default_rng(7)
    n = 300
    person = np.repeat(np.arange(n), 2)
    after = np.tile([0, 1], n)
    user = np.repeat((rng.random(n) < 0.4).astype(float), 2)
    weight = np.repeat(rng.uniform(0.2, 3.0, n), 2)
    years = rng.uniform(0.3, 1.0, 2 * n)
    frailty = np.repeat(rng.gamma(2.0, 0.5, n), 2)
    ae = rng.poisson(years * frailty * np.exp(0.2 + 0.3 * user - 0.2 * user * after))
    periods = pd.DataFrame({"person_id": person, "after": after, "user": user,
                            "weight": weight, "person_years": years, "ae": ae})
    result = estimate_did(periods, outcome_col="ae", weights_col="weight")

    def rate(u, a):
        m = (user == u) & (after == a)
        return (weight[m] * ae[m]).sum() / (weight[m] * years[m]).sum()

    expected = rate(1, 1) / rate(1, 0) / (rate(0, 1) / rate(0, 0))
    assert result.estimate("did")[0] == pytest.approx(expected, rel=1e-8)
    # cluster sandwich by hand: H^-1 B H^-1 x G/(G-1) x (N-1)/(N-K)
    x = np.column_stack([np.ones(2 * n), user, after, user * after])
    fit = result.model
    mu = fit.fittedvalues.to_numpy()
    bread = np.linalg.inv((x * (weight * mu)[:, None]).T @ x)
    scores = pd.DataFrame(x * (weight * (ae - mu))[:, None]).groupby(person).sum()
    meat = scores.to_numpy().T @ scores.to_numpy()
    v = bread @ meat @ bread * n / (n - 1) * (2 * n - 1) / (2 * n - 4)
    np.testing.assert_allclose(fit.bse.to_numpy(), np.sqrt(np.diag(v)), rtol=1e-8)


def test_negative_binomial_without_overdispersion_is_not_estimable():
    # under-dispersed counts (binomial): theta diverges, so the negative binomial
    # cannot be estimated and says so instead of returning a number
    rng = np.random.default_rng(3)
    x = rng.normal(size=400)
    data = pd.DataFrame({"y": rng.binomial(4, 0.5, 400), "x": x, "t": 1.0})
    result = fit_negative_binomial(data, outcome_col="y", person_time_col="t",
                                   covariates=["x"])
    assert not result.estimable
    assert "theta diverges" in result.reason
    assert result.summary["estimate"].isna().all()


def test_mixed_model_singular_design_is_not_estimable_not_an_error():
    # everyone measured once: the random-intercept design is singular (seen on a
    # 2,000-person series build); the result says so instead of raising LinAlgError
    from lifetools.regression.wellbeing import fit_mixed_model

    once = pd.DataFrame({"person_id": list("abcd"), "swemwbs_metric": [20.0, 21, 22, 23],
                         "follow_up": [0.0, 0, 0, 0]})
    result = fit_mixed_model(once)
    assert not result.estimable and "singular" in result.reason
    assert result.summary["estimate"].isna().all()


def test_mixed_model_of_no_measurements_is_not_estimable_not_an_error():
    # no one with a baseline in a small locality's period (a 600-person extract): the
    # fit raised numpy's "zero-size array to reduction operation maximum"
    from lifetools.regression.wellbeing import fit_mixed_model

    none = pd.DataFrame({"person_id": pd.Series([], dtype=object),
                         "swemwbs_metric": pd.Series([], dtype=float),
                         "follow_up": pd.Series([], dtype=float)})
    result = fit_mixed_model(none)
    assert not result.estimable and result.reason == TOO_FEW_TO_FIT
    assert result.n == 0 and result.summary["estimate"].isna().all()
    assert list(result.summary["term"]) == ["Intercept", "follow_up"]


def _two_visits(seed: int, *, people: int = 300, person_sd: float = 3.5) -> pd.DataFrame:
    """A baseline and (for about half) a follow-up per person, random intercept."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"person_id": np.repeat(np.arange(people), 2),
                          "follow_up": np.tile([0.0, 1.0], people)})
    frame["swemwbs_metric"] = (20 + 2 * frame["follow_up"]
                               + rng.normal(0, 2.7, len(frame))
                               + np.repeat(rng.normal(0, person_sd, people), 2))
    dropped = (frame["follow_up"] == 1) & (rng.random(len(frame)) < 0.5)
    return frame[~dropped].reset_index(drop=True)


def test_mixed_convergence_bfgs_precision_loss_at_the_maximum_is_converged():
    # BFGS to a gradient of 1e-12 stops on precision loss here (statsmodels:
    # converged False) although it is at the maximum: the check says converged, and
    # fit_mixed_model's estimate equals that fit's. Whether BFGS reports the precision
    # loss depends on the last bits of the CPU's arithmetic (False on the CI machine,
    # True on an AMD EPYC with the same wheels), so the flag is set as it is there: the
    # check must not read it.
    import statsmodels.formula.api as smf

    from lifetools.regression.wellbeing import fit_mixed_model, mixed_convergence

    data = _two_visits(2)
    model = smf.mixedlm("swemwbs_metric ~ follow_up", data, groups=data["person_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True, method="bfgs", gtol=1e-12, maxiter=500)
    fit.converged = False
    check = mixed_convergence(model, fit)
    assert check["converged"] and check["step"] < 1e-6 and not check["singular"]
    result = fit_mixed_model(data)
    assert result.estimable and not result.warnings
    assert result.estimate("follow_up")[0] == pytest.approx(fit.fe_params["follow_up"],
                                                           rel=1e-9)
    assert result.extra["newton_step"] < 1e-6


def test_mixed_convergence_stopped_short_is_not_converged():
    # the same model stopped after 2 BFGS iterations from statsmodels' start: the
    # check refuses it (a large Newton step remains)
    import statsmodels.formula.api as smf

    from lifetools.regression.wellbeing import mixed_convergence

    data = _two_visits(0)
    model = smf.mixedlm("swemwbs_metric ~ follow_up", data, groups=data["person_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True, method="bfgs", maxiter=1)
    check = mixed_convergence(model, fit)
    assert not check["converged"] and check["step"] > 1e-3


@pytest.fixture(scope="module")
def boundary_fit():
    """200 people with no between-person variance and the mixed model fitted to them:
    the REML estimate on the boundary (about 4 s of CPU, made once for the two tests
    that read it; neither changes it)."""
    from lifetools.regression.wellbeing import fit_mixed_model

    data = _two_visits(1, people=200, person_sd=0.0)
    return data, fit_mixed_model(data)


def test_mixed_model_boundary_variance_is_reported_as_singular(boundary_fit):
    # no between-person variance to speak of (SD 0.3 against 3): the REML estimate is
    # on the boundary; kept (as lme4's singular fit) and said so in the warnings
    _, result = boundary_fit
    assert result.extra["singular"] and result.extra["group_variance"] < 1e-6
    assert result.estimable
    assert any(note.startswith("singular fit") for note in result.warnings)


def test_mixed_model_release_reads_the_fits_own_convergence_verdict(boundary_fit,
                                                                   monkeypatch):
    # a converged fit on the boundary (between-person variance 0) carries statsmodels'
    # converged=False and its "ConvergenceWarning: The MLE may be on the boundary":
    # the release check withheld it as "the fit did not converge" (the 2024-25
    # wellbeing page of a 12,000-person build); it reads fit_mixed_model's verdict
    from lifetools import regression
    from lifetools.disclosure import model_release
    from lifetools.regression.wellbeing import fit_mixed_model

    data, result = boundary_fit
    release = model_release(result, data=data.assign(observations=1),
                            event_col="observations", level_cols=["follow_up"])
    assert release.released, release.reasons
    assert result.extra["singular"] and result.extra["converged"]
    assert result.model.converged is False  # statsmodels' own verdict, not used
    assert any("ConvergenceWarning" in note for note in result.warnings)
    # and a fit the check refuses (no Newton step is small enough) is still withheld
    monkeypatch.setattr(regression.wellbeing, "MIXED_STEP_TOL", 0.0)
    data = _two_visits(2)
    refused = fit_mixed_model(data)
    assert not refused.extra["converged"] and not refused.estimable
    release = model_release(refused, data=data.assign(observations=1),
                            event_col="observations", level_cols=["follow_up"])
    assert not release.released
    assert "the fit did not converge" in release.reasons


@pytest.mark.slow  # 8 s at load 2-4 (a random slope on 200 people); `make test` runs it
def test_mixed_model_random_slope_with_two_visits_is_not_estimable_and_says_why():
    # two measurements a person: intercept variance, slope variance, their covariance
    # and the residual variance are four parameters for three moments
    from lifetools.regression.wellbeing import fit_mixed_model

    result = fit_mixed_model(_two_visits(1, people=200), random_slope=True)
    assert not result.estimable
    assert result.summary["estimate"].isna().all()
    assert "no strict maximum" in result.reason
