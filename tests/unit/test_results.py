"""One result base type for survival and regression results, and one Wald interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from lifetools.regression import fit_logistic, fit_poisson
from lifetools.regression.results import tidy
from lifetools.results import Interval, Result, wald_interval
from lifetools.survival import estimate_cif, estimate_km, fit_cox

Z95 = 1.959963984540054  # the normal 0.975 quantile (R: qnorm(0.975))
Z90 = 1.6448536269514722  # the normal 0.95 quantile (R: qnorm(0.95))


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 400
    exposed = rng.integers(0, 2, n)
    time = np.ceil(rng.exponential(300 / np.exp(0.4 * exposed)))
    censor = np.ceil(rng.uniform(50, 600, n))
    cause = rng.choice([1, 2], n, p=[0.7, 0.3])
    return pd.DataFrame({
        "exposed": exposed, "time": np.minimum(time, censor),
        "event": (time <= censor).astype(int),
        "status": np.where(time <= censor, cause, 0),
        "count": rng.poisson(2.0 * np.exp(0.3 * exposed)), "years": 1.0,
    })


def test_wald_interval_known_quantile_and_ratio_scale():
    lower, upper = wald_interval([0.5, -1.0], [0.1, 0.2])
    np.testing.assert_allclose(lower, [0.5 - Z95 * 0.1, -1.0 - Z95 * 0.2], rtol=1e-15)
    np.testing.assert_allclose(upper, [0.5 + Z95 * 0.1, -1.0 + Z95 * 0.2], rtol=1e-15)
    low90, high90 = wald_interval(0.5, 0.1, alpha=0.10, exponentiate=True)
    np.testing.assert_allclose([low90, high90], np.exp([0.5 - Z90 * 0.1, 0.5 + Z90 * 0.1]),
                               rtol=1e-15)


def test_wald_interval_overflow_and_missing_se_give_inf_and_nan_without_warning():
    with np.errstate(all="raise"):
        lower, upper = wald_interval([800.0, 0.1], [1.0, np.nan], exponentiate=True)
    assert np.isinf(upper[0]) and np.isnan(lower[1]) and np.isnan(upper[1])


def test_wald_interval_equals_the_former_expression_bit_for_bit():
    # the published tables were made with exp(coef -/+ z * se): the shared function
    # must give the same doubles, so that no published byte changes
    rng = np.random.default_rng(3)
    coef, se = rng.normal(0, 1, 1000), rng.uniform(0.01, 2, 1000)
    z = norm.ppf(0.975)
    lower, upper = wald_interval(coef, se, exponentiate=True)
    assert np.array_equal(lower, np.exp(coef - z * se))
    assert np.array_equal(upper, np.exp(coef + z * se))
    table = tidy(list("abc"), coef[:3], se[:3], [0.5] * 3, 10, exponentiate=False)
    assert np.array_equal(table["ci_lower"], coef[:3] - z * se[:3])
    assert np.array_equal(table["estimate"], coef[:3])


def test_survival_and_regression_results_are_results_with_the_six_attributes(people):
    results = {
        "km": estimate_km(people, duration_col="time", event_col="event",
                          group_col="exposed"),
        "cif": estimate_cif(people, duration_col="time", event_col="status",
                            event_of_interest=1),
        "cox": fit_cox(people, duration_col="time", event_col="event",
                       covariates=["exposed"]),
        "poisson": fit_poisson(people, outcome_col="count", person_time_col="years",
                               covariates=["exposed"]),
        "logistic": fit_logistic(people, outcome_col="event", covariates=["exposed"]),
    }
    for name, result in results.items():
        assert isinstance(result, Result), name
        assert result.n == 400, name
        assert isinstance(result.summary, pd.DataFrame) and len(result.summary), name
        assert isinstance(result.method, dict) and isinstance(result.warnings, tuple), name
        assert hasattr(result, "model"), name  # None where no library fits (CIF)
    events = int(people["event"].sum())
    assert results["km"].events == results["km"].n_events == events
    assert results["cox"].events == events and results["cox"].n == results["cox"].n_people
    assert results["cif"].events == int((people["status"] == 1).sum())
    assert results["logistic"].events == events
    assert results["poisson"].events is None


def test_result_interval_is_the_term_row_and_the_old_accessors_agree(people):
    cox = fit_cox(people, duration_col="time", event_col="event", covariates=["exposed"])
    row = cox.summary.set_index("term").loc["exposed"]
    expected = (row["estimate"], row["ci_lower"], row["ci_upper"])
    assert cox.interval("exposed") == cox.hazard_ratio("exposed") == expected
    assert isinstance(cox.interval("exposed"), Interval)
    assert 1.0 < cox.interval("exposed").estimate < 2.5  # true hazard ratio exp(0.4)
    logistic = fit_logistic(people, outcome_col="event", covariates=["exposed"])
    assert logistic.estimate("exposed") == logistic.interval("exposed")


def test_result_interval_selects_a_curve_row_by_keywords_and_refuses_ambiguity(people):
    km = estimate_km(people, duration_col="time", event_col="event", group_col="exposed")
    first = km.summary.iloc[3]
    got = km.interval(group=first["group"], time=first["time"])
    assert got == (first["estimate"], first["ci_lower"], first["ci_upper"])
    with pytest.raises(KeyError, match="rows of the summary match"):
        km.interval(group=first["group"])
    with pytest.raises(KeyError, match="no column 'term'"):
        km.interval("exposed")
    cox = fit_cox(people, duration_col="time", event_col="event", covariates=["exposed"])
    with pytest.raises(KeyError, match="0 rows"):
        cox.interval("not a term")
