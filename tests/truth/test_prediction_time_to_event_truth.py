"""Truth tests: the 12-month crisis risk from a Fine-Gray model on the known crisis model.

``make_crisis_cohort`` draws a crisis within 12 months from ``CRISIS_TRUTH`` (logistic),
on a uniform day, and a death (competing) for 3% of people without one; the true
12-month cumulative incidence of crisis is ``true_risk``. A Fine-Gray model with the
correct predictors is not the true model (it assumes proportional subdistribution
hazards, the truth is logistic at 12 months), so:

- its discrimination must be the true model's: the C interval in the next edition
  covers the true risks' C, and its risks rank people almost as the true risks do;
- its calibration slope is above 1 (risks too moderate on the logit scale), and the
  interval excludes 1: the calibration check detects the wrong link, while the
  logistic model with the same predictors has an interval covering 1
  (tests/truth/test_prediction_truth.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lifetools.prediction import ModelSpec, c_statistic, performance
from lifetools.prediction.time_to_event import fit_fine_gray_risk
from lifetools.synthetic.crisis import make_crisis_cohort

pytestmark = pytest.mark.slow

OTHERS = ("female", "imd_quintile", "honos", "prior_crisis", "life_rooms", "inpatient_team")
CORRECT = ModelSpec("crisis", splines={"age": 4}, linear=OTHERS,
                    interactions=(("prior_crisis", "honos"),))


@pytest.mark.parametrize("seed", (1, 2, 3))
def test_fine_gray_risk_recovers_true_c_and_slope_detects_the_link(seed):
    development = make_crisis_cohort(20000, seed)
    later = make_crisis_cohort(20000, seed, edition=1)
    fit = fit_fine_gray_risk(development, CORRECT, duration_col="days_to_event",
                             event_col="event_type", horizon=365)
    risk = fit.frozen.predict_risk(later)
    table = performance(later["crisis"], risk).summary.set_index("measure")
    true_c = c_statistic(later["crisis"], later["true_risk"])[0]
    assert table.loc["c", "ci_lower"] < true_c < table.loc["c", "ci_upper"]
    assert stats.spearmanr(risk, later["true_risk"]).statistic > 0.97
    assert table.loc["slope", "ci_lower"] > 1
    assert np.all((risk > 0) & (risk < 1))


def test_crisis_cohort_times_consistent_with_outcome():
    d = make_crisis_cohort(20000, 7)
    assert ((d["event_type"] == 1) == (d["crisis"] == 1)).all()
    assert d["days_to_event"].between(1, 365).all()
    assert (d.loc[d["event_type"] == 0, "days_to_event"] == 365).all()
    assert 0.01 < (d["event_type"] == 2).mean() < 0.05
