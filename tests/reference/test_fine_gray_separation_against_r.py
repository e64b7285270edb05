"""Separation (an infinite coefficient) in Fine-Gray and weighted Cox fits against R.

R 4.2.2, survival 3.5-3: ``coxph`` stops when a full Newton step changes the log
partial likelihood by a relative 1e-9 at most and warns "Loglik converged before
variable <i>; coefficient may be infinite" for each coefficient still moving (its
``toler.inf`` rule). Expected values: tests/reference/results/
reference_fine_gray_separation.json, from tests/reference/R/
make_reference_fine_gray_separation.R (hand-written data, stored in the JSON). R is not
needed to run these tests.

Before the rule was applied where R applies it, ``fit_fine_gray`` on the separated
data returned ``estimable`` True with a subdistribution hazard ratio of 2e-16 (interval
2e-18 to 2e-14): the iterations went on until the score rounded to exactly 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from lifetools.survival import fit_fine_gray
from lifetools.survival.partial_likelihood import fit_weighted_cox

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_fine_gray_separation.json").read_text())
FG = pd.DataFrame(R["fg_data"])
ARGS = {"duration_col": "t", "event_col": "e", "event_of_interest": 1,
        "covariates": ["g", "age"]}


def test_fine_gray_level_without_events_is_separated_as_r_warns():
    # no event of interest among g = 1: R warns for variable 1 (g) only
    assert R["fg_separated"]["infinite"] == [1]
    result = fit_fine_gray(FG, **ARGS)
    assert not result.estimable
    assert result.reason == ("g: separated: too few events of interest among those with it "
                             "(its coefficient runs to minus infinity)")
    assert result.warnings == (f"not estimable: {result.reason}",)
    g, age = result.summary.set_index("term").loc[["g", "age"]].itertuples()
    assert np.isnan(g.estimate) and g.coef < -20  # R stopped at -21.4
    assert age.estimable and np.isfinite(age.estimate)
    # age is at its optimum with g at infinity; R's stops 1e-9 short of that limit
    np.testing.assert_allclose(age.coef, R["fg_separated"]["coef"][1], rtol=1e-6)
    rows = result.model
    fit = fit_weighted_cox(rows["fg_stop"], rows["fg_status"], rows[["g", "age"]],
                           entry=rows["fg_start"], weights=rows["fg_weight"])
    assert fit.infinite == (0,) and fit.separated == {0: (0.0, -1)} and fit.converged


def test_fine_gray_not_separated_is_unchanged_and_matches_r():
    # one g = 1 person's competing event made an event of interest: R warns of nothing
    assert R["fg_not_separated"]["infinite"] == []
    data = FG.assign(e=np.where(np.arange(len(FG)) == R["not_separated_row"] - 1, 1,
                                FG["e"]))
    result = fit_fine_gray(data, **ARGS)
    assert result.estimable and result.reason == "" and result.warnings == ()
    np.testing.assert_allclose(result.summary["coef"], R["fg_not_separated"]["coef"],
                               rtol=1e-8)


def test_weighted_cox_combination_separation_flagged_as_r():
    # x1 and x2 separate the events together, neither alone: R warns for 1 and 2
    c = R["combination"]
    x = np.c_[c["x1"], c["x2"]]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fit = fit_weighted_cox(np.asarray(c["stop"]), np.asarray(c["ev"]), x,
                               weights=np.ones(len(x)))
    assert [i + 1 for i in fit.infinite] == c["infinite"] == [1, 2]
    assert fit.separated == {}  # no level without events: found by R's rule alone
    assert np.all(np.sign(fit.coef) == np.sign(c["coef"]))
    assert np.all(np.abs(fit.coef) >= np.abs(c["coef"]))  # carried on past R's stop
