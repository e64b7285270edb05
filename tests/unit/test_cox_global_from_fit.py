"""The global tests of a ``fit_efron`` fit are made from the fit's own log likelihoods
and score test (``EfronFit.loglik``, ``loglik_null``, ``score``), not by evaluating the
partial likelihood again: they equal :func:`cox_global_tests` on the same rows to
1e-10 (delayed entry, strata, tied times, robust and clustered covariances), and
``cox_global_tests`` is not called for them. Other backends still use it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.survival import cox as cox_module
from lifetools.survival import fit_cox, fit_cox_time_varying
from lifetools.survival.partial_likelihood import cox_global_tests


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    """Delayed entry, whole-day times (many ties), two strata, three covariates."""
    rng = np.random.default_rng(20261207)
    n = 1_500
    x1 = rng.binomial(1, 0.4, n).astype(float)
    x2 = rng.normal(0, 1, n)
    x3 = rng.integers(0, 3, n).astype(float)
    hazard = 0.01 * np.exp(0.5 * x1 - 0.3 * x2 + 0.2 * x3)
    event_time = rng.exponential(1 / hazard)
    censor = rng.uniform(20, 200, n)
    stop = np.ceil(np.minimum(event_time, censor))
    entry = np.floor(rng.uniform(0, 0.5, n) * stop)  # entry < stop
    return pd.DataFrame({
        "person": np.arange(n) // 2, "entry": entry, "stop": stop,
        "event": (event_time <= censor).astype(float), "x1": x1, "x2": x2, "x3": x3,
        "site": rng.integers(0, 2, n)})


TERMS = ["x1", "x2", "x3"]


def _close(got: pd.DataFrame, want: pd.DataFrame, tol: float = 1e-10) -> None:
    assert got["test"].tolist() == ["likelihood_ratio", "wald", "score"]
    assert got["test"].tolist() == want["test"].tolist()
    np.testing.assert_array_equal(got["df"], want["df"])
    np.testing.assert_allclose(got["statistic"], want["statistic"], rtol=tol, atol=0)
    np.testing.assert_allclose(got["p_value"], want["p_value"], rtol=1e-8, atol=1e-300)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_fit_cox_global_tests_equal_cox_global_tests(cohort, ties):
    result = fit_cox(cohort, duration_col="stop", event_col="event", entry_col="entry",
                     covariates=TERMS, strata=["site"], ties=ties, check_ph=False)
    assert result.estimable and result.method["backend"] == cox_module.BACKEND
    codes = pd.factorize(cohort[["site"]].astype(str).agg("|".join, axis=1))[0]
    want = cox_global_tests(cohort["stop"].to_numpy(float),
                            cohort["event"].to_numpy(float), cohort[TERMS].to_numpy(float),
                            result.model.coef, result.model.covariance,
                            entry=cohort["entry"].to_numpy(float), strata=codes, ties=ties)
    _close(result.global_tests, want)
    # the fit's values themselves, not only the table: l(b) - l(0) and U(0)' I(0)^-1 U(0)
    lr = want.set_index("test")["statistic"]
    assert abs(2 * (result.model.loglik - result.model.loglik_null)
               - lr["likelihood_ratio"]) <= 1e-10 * lr["likelihood_ratio"]
    assert abs(result.model.score - lr["score"]) <= 1e-10 * lr["score"]


def test_robust_fit_wald_uses_the_robust_covariance(cohort):
    result = fit_cox(cohort, duration_col="stop", event_col="event", entry_col="entry",
                     covariates=TERMS, cluster_col="person", check_ph=False)
    stop, event = cohort["stop"].to_numpy(float), cohort["event"].to_numpy(float)
    x, entry = cohort[TERMS].to_numpy(float), cohort["entry"].to_numpy(float)
    robust = cox_module._robust_cov(stop, event, x, result.model.coef,
                                    result.model.covariance, entry=entry, ties="efron",
                                    clusters=cohort["person"].to_numpy())
    np.testing.assert_allclose(np.sqrt(np.diag(robust)), result.summary["se"], rtol=1e-12)
    want = cox_global_tests(stop, event, x, result.model.coef, robust, entry=entry)
    _close(result.global_tests, want)
    naive = cox_global_tests(stop, event, x, result.model.coef, result.model.covariance,
                             entry=entry).set_index("test")["statistic"]
    assert abs(result.global_tests.set_index("test")["statistic"]["wald"]
               - naive["wald"]) > 1e-6 * naive["wald"]  # the robust one, not the naive


def test_time_varying_global_tests_equal_cox_global_tests_every_backend(cohort):
    rows = cohort.rename(columns={"entry": "start"})
    rows = rows[rows["start"] < rows["stop"]]
    results = {backend: fit_cox_time_varying(
        rows, id_col="person", start_col="start", stop_col="stop", event_col="event",
        covariates=TERMS, backend=backend, check_ph=False)
        for backend in ("auto", "statsmodels")}
    for result in results.values():
        coef = result.summary["coef"].to_numpy()
        cov = (result.model.covariance if result.method["backend"] == cox_module.BACKEND
               else np.asarray(result.model.cov_params()))
        want = cox_global_tests(rows["stop"].to_numpy(float), rows["event"].to_numpy(float),
                                rows[TERMS].to_numpy(float), coef, cov,
                                entry=rows["start"].to_numpy(float))
        _close(result.global_tests, want)


def test_efron_fits_do_not_evaluate_the_likelihood_again(cohort, monkeypatch):
    calls = []
    real = cox_module.cox_global_tests

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cox_module, "cox_global_tests", counted)
    fitted = fit_cox(cohort, duration_col="stop", event_col="event", entry_col="entry",
                     covariates=TERMS, check_ph=False)
    assert fitted.global_tests is not None and calls == []
    fit_cox_time_varying(cohort.rename(columns={"entry": "start"}), id_col="person",
                         start_col="start", stop_col="stop", event_col="event",
                         covariates=TERMS, check_ph=False)
    assert calls == []
    # a backend without the fit's likelihoods (statsmodels) is evaluated by it
    fit_cox_time_varying(cohort.rename(columns={"entry": "start"}), id_col="person",
                         start_col="start", stop_col="stop", event_col="event",
                         covariates=TERMS, backend="statsmodels", check_ph=False)
    assert calls == [1]


@pytest.fixture(scope="module")
def competing_cohort() -> pd.DataFrame:
    """Two event kinds (1 of interest, 2 competing) and censoring, whole-day times."""
    rng = np.random.default_rng(20261208)
    n = 1_200
    x1 = rng.binomial(1, 0.4, n).astype(float)
    x2 = rng.normal(0, 1, n)
    first = rng.exponential(1 / (0.01 * np.exp(0.5 * x1 - 0.3 * x2)))
    other = rng.exponential(1 / (0.006 * np.exp(0.2 * x2)), n)
    censor = rng.uniform(20, 300, n)
    time = np.ceil(np.minimum(np.minimum(first, other), censor))
    status = np.where(censor <= np.minimum(first, other), 0, np.where(first <= other, 1, 2))
    return pd.DataFrame({"time": time, "status": status, "x1": x1, "x2": x2})


@pytest.mark.parametrize(("ties", "robust"), [("efron", True), ("efron", False),
                                               ("breslow", True)])
def test_fine_gray_global_tests_from_its_fit_equal_cox_global_tests_on_its_rows(
        competing_cohort, ties, robust, monkeypatch):
    from lifetools.survival import finegray

    calls = []
    monkeypatch.setattr(finegray, "cox_global_tests",
                        lambda *a, **k: calls.append(1), raising=False)
    result = finegray.fit_fine_gray(competing_cohort, duration_col="time",
                                    event_col="status", event_of_interest=1,
                                    covariates=["x1", "x2"], ties=ties, robust=robust)
    assert result.estimable and calls == []  # the fit's own values, no evaluation
    rows = result.model
    coef = result.summary.set_index("term").loc[["x1", "x2"], "coef"].to_numpy()
    se = result.summary.set_index("term").loc[["x1", "x2"], "se"].to_numpy()
    wald = result.global_tests.set_index("test").loc["wald", "statistic"]
    want = cox_global_tests(rows["fg_stop"], rows["fg_status"], rows[["x1", "x2"]], coef,
                            np.diag(se ** 2), entry=rows["fg_start"],
                            weights=rows["fg_weight"], ties=ties)
    got = result.global_tests.set_index("test")
    expected = want.set_index("test")
    for test in ("likelihood_ratio", "score"):
        np.testing.assert_allclose(got.loc[test, "statistic"],
                                   expected.loc[test, "statistic"], rtol=1e-10)
    assert np.isfinite(wald) and wald > 0
