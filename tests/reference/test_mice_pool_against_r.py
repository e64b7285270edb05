"""Rubin's rules with Barnard and Rubin's degrees of freedom against R's ``mice::pool``.

Expected values: tests/reference/results/reference_mice_pool.json, produced by
tests/reference/R/make_reference_mice_pool.R (R 4.2.2, mice 3.15.0) from mice's
``nhanes`` (25 people) imputed 5 times with a seed; the completed data sets are
tests/reference/data/nhanes_mice_m5.csv, so the models are fitted here, in statsmodels,
to the same numbers. R is not needed to run these tests. With 25 people the
complete-data degrees of freedom (22) are small, and Barnard and Rubin's degrees of
freedom differ from Rubin's (1987) large-sample ones by a factor of up to 4.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from lifetools.regression.imputation import rubin_combine

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_mice_pool.json").read_text())
SETS = [frame for _, frame in
        pd.read_csv(HERE / "data" / "nhanes_mice_m5.csv").groupby(".imp")]
#: the names of mice's pooled columns in lifetools' pooled table
COLUMNS = {"estimate": "estimate", "ubar": "within", "b": "between", "t": "total",
           "df": "df", "riv": "riv", "lambda": "lambda", "fmi": "fmi",
           "std_error": "se", "p_value": "p_value", "conf_low": "ci_lower",
           "conf_high": "ci_upper"}


def fitted(model: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Estimates, variances (one row per completed data set) and residual df."""
    fits = []
    for frame in SETS:
        if model == "logit":
            fit = smf.glm("I(hyp - 1) ~ bmi + chl", frame,
                          family=sm.families.Binomial()).fit(tol=1e-14, maxiter=100)
        else:
            fit = smf.ols("chl ~ age + bmi", frame).fit()
        fits.append(fit)
    return (np.vstack([f.params.to_numpy() for f in fits]),
            np.vstack([f.bse.to_numpy() ** 2 for f in fits]), int(fits[0].df_resid))


def assert_pooled(pooled: pd.DataFrame, ref: dict, rtol: float) -> None:
    for r_name, name in COLUMNS.items():
        np.testing.assert_allclose(pooled[name].to_numpy(), ref[r_name], rtol=rtol,
                                   err_msg=f"{name} (mice: {r_name})")


@pytest.mark.parametrize("model", ["ols", "logit"])
def test_pooled_fits_match_mice_pool_barnard_rubin(model):
    # every column of mice::pool and summary(pool, conf.int = TRUE), fitted here by
    # statsmodels on R's completed data sets, with the complete-data df n - p = 22
    ref = R[model]
    estimates, variances, dfcom = fitted(model)
    assert dfcom == ref["dfcom"][0] == 22
    np.testing.assert_allclose(estimates, ref["fit_estimates"], rtol=1e-9)
    np.testing.assert_allclose(variances, ref["fit_variances"], rtol=1e-9)
    assert_pooled(rubin_combine(estimates, variances, dfcom=dfcom), ref, rtol=1e-8)
    # Barnard-Rubin's df never exceeds the complete-data df; Rubin's (1987) can
    large = rubin_combine(estimates, variances)
    assert (ref["df"] <= np.full(3, dfcom)).all()
    assert not np.allclose(large["df"], ref["df"], rtol=0.01)


@pytest.mark.parametrize("model", ["ols", "logit"])
def test_pooling_mice_own_fits_matches_to_rounding(model):
    # R's own per-imputation estimates and variances: the pooling alone, to 1e-12
    ref = R[model]
    pooled = rubin_combine(np.array(ref["fit_estimates"]), np.array(ref["fit_variances"]),
                           dfcom=ref["dfcom"][0])
    assert_pooled(pooled, ref, rtol=1e-12)


def test_infinite_complete_data_df_is_rubins_1987_df():
    # mice::pool(dfcom = Inf): Barnard-Rubin's df is then Rubin's (1987), which
    # rubin_combine gives without dfcom
    ref = R["ols_large_sample"]
    estimates, variances, _ = fitted("ols")
    assert_pooled(rubin_combine(estimates, variances), ref, rtol=1e-8)
    assert_pooled(rubin_combine(estimates, variances, dfcom=np.inf), ref, rtol=1e-8)


@pytest.mark.parametrize(("key", "dfcom"), [("scalar_n25", 24), ("scalar_inf", None)])
def test_scalar_matches_mice_pool_scalar(key, dfcom):
    # mice::pool.scalar(Q, U, n, k = 1): the mean bmi of each completed data set
    ref = R[key]
    q = np.array([frame["bmi"].mean() for frame in SETS])
    u = np.array([frame["bmi"].var(ddof=1) / len(frame) for frame in SETS])
    np.testing.assert_allclose(q, R["q"], rtol=1e-12)
    np.testing.assert_allclose(u, R["u"], rtol=1e-12)
    pooled = rubin_combine(q[:, None], u[:, None], dfcom=dfcom).iloc[0]
    for r_name, name in {"qbar": "estimate", "ubar": "within", "b": "between",
                         "t": "total", "df": "df", "r": "riv", "fmi": "fmi"}.items():
        assert pooled[name] == pytest.approx(ref[r_name], rel=1e-10), name
