"""Fine-Gray, global Cox tests and weighted log-rank against R.

Expected values: tests/reference/results/reference_stats2.json, produced by
tests/reference/R/make_reference_stats2.R (R 4.2.2, survival 3.5-3, cmprsk 2.2-11),
which also writes tests/reference/data/mgus2_finegray.csv from survival's mgus2.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.survival import fit_cox, logrank_test

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_stats2.json").read_text())
TERMS = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="module")
def rossi():
    return pd.read_csv(HERE / "data" / "rossi.csv")


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_global_tests_rossi_against_r(rossi, ties):
    # R summary(coxph): logtest, sctest and the unrounded wald.test. Likelihood-ratio
    # and score to 1e-9 relative (same partial likelihood, at 0 for the score test);
    # Wald to 1e-7: it depends on the coefficients, which R's Newton-Raphson stops
    # about 1e-8 (relative) short of lifelines' / statsmodels' maximum.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_cox(rossi, duration_col="week", event_col="arrest", covariates=TERMS,
                         ties=ties)
    tests = result.global_tests.set_index("test")
    for name, rel in (("likelihood_ratio", 1e-9), ("score", 1e-9), ("wald", 1e-7)):
        statistic, dof, p = R["global"][ties][name]
        assert tests.loc[name, "statistic"] == pytest.approx(statistic, rel=rel)
        assert tests.loc[name, "df"] == dof
        assert tests.loc[name, "p_value"] == pytest.approx(p, rel=10 * rel)


@pytest.mark.parametrize("rho", [0, 0.5, 1])
def test_weighted_logrank_rossi_against_r(rossi, rho):
    # survdiff(Surv(week, arrest) ~ group, rho = rho): two groups (fin) and three (prio
    # 0, 1-3, 4+); tolerance 1e-10 relative (same sums, R's values to 15 digits).
    data = rossi.assign(prio3=pd.cut(rossi["prio"], [-1, 0, 3, np.inf]).astype(str))
    ref = R["weighted_logrank"][f"rho_{rho:g}"]
    for group, key in (("fin", "fin"), ("prio3", "prio3")):
        result = logrank_test(data, duration_col="week", event_col="arrest",
                              group_col=group, rho=rho)
        assert result["statistic"] == pytest.approx(ref[key], rel=1e-10)
