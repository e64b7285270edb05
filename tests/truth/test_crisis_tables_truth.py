"""The crisis-risk report end to end on tables drawn from a known risk model (issue 19).

``lifetools.synthetic.crisis.crisis_tables`` writes the data dictionary's input tables
(people, deprivation, referrals with team type and HoNOS, Life Rooms contacts, A&E
attendances and emergency admissions) for two editions from the known model; the
report's own function, ``analyse_crisis_risk`` (what ``analyses/07_crisis_risk.ipynb``
calls), builds both cohorts from them with ``build_crisis_cohort``, develops the model
on the first and validates it on the second.

The true model is ``TRUE_EFFECTS.crisis_risk`` in the report's form (``REPORT_FORM``:
no deprivation gradient and no prior crisis x HoNOS interaction, which the report's
prespecified model does not have, so that it is correctly specified apart from the
age spline approximating the quadratic). Seeds 401-403, 20,000 people (about 3,400 in
development, 2,000 in validation, weighted to the age extremes); the report with 10
bootstrap samples, 2 imputed copies and MI-boot (the cheapest settings it takes).

Criteria, each seed:

- the rebuilt cohorts' predictors and outcomes equal the drawn ones, person by person;
- the correctly specified model: the validation calibration slope's 95% CI covers 1,
  and the validation C-statistic is within ``C_TOLERANCE`` (0.04, about three standard
  errors of a C on 2,000 people with a fifth having a crisis) of the true model's C on
  the same people (``expected_c_statistic`` of their true risks);
- the misspecified model (linear age, the rest as the report's): the report's drift
  verdict is never "held", and the alarm goes off ("Calibration has drifted", the
  plain-words headline that the model should be recalibrated) in at least
  ``MIN_FLAGGED`` (2) of the 3 seeds; in each seed its calibration-in-the-large is
  more than 0.1 above the correct model's on the same people and its C more than
  ``C_TOLERANCE`` below the true model's. At this size the alarm cannot go off in every
  seed: the linear-age model's calibration-in-the-large averages about 0.27 against a
  limit of 0.2, with a standard error about 0.06 on 2,000 people.

Measured (wave 44; seeds 401, 402, 403): the correct model's validation C minus the
true model's C -0.009, +0.004 and -0.012; its calibration slopes 0.92 (0.82 to 1.02),
0.93 (0.83 to 1.04) and 0.91 (0.82 to 1.01), verdicts held, cannot tell, held. The
linear-age model's calibration-in-the-large 0.30, 0.15 and 0.25 (the correct model's
0.05, -0.12 and -0.04), verdicts drifted, cannot tell, drifted; its C 0.65 to 0.66
against the true model's 0.78 to 0.79. The correct model's slopes all lie below 1: three
seeds cannot tell a bias of a few hundredths from chance (each slope's standard error
is about 0.05); the exactly specified model (age and age squared, the true predictors)
fitted to ``make_crisis_cohort`` drawn from the same truth gave 0.915, 1.032 and 0.931
on these seeds, and the spline models within 0.011 of it, so the spread is the
development sample's, not the splines'. About 80 s a report on the loaded shared machine, six reports: slow.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import lifetools.reports.prediction as crisis_report
from lifetools.prediction import ModelSpec
from lifetools.synthetic import TRUE_EFFECTS
from lifetools.synthetic.crisis import (
    CRISIS_TABLES,
    CRISIS_TRUTH,
    crisis_tables,
    expected_c_statistic,
    write_crisis_tables,
)
from lifetools.validation import validate_directory

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crisis_tables_truth")]

SEEDS = (401, 402, 403)
PEOPLE = 20_000
C_TOLERANCE = 0.04
MIN_FLAGGED = 2
REPORT_FORM = dataclasses.replace(CRISIS_TRUTH, deprivation_per_quintile=0.0,
                                  prior_crisis_x_honos_per_5=0.0)
PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}
SETTINGS = {"n_boot": 10, "imputations": 2, "internal": "mi-boot"}


def linear_age(spec_of):
    """The report's model with age linear (the misspecified model). Its spline's
    degrees of freedom go to time in care (5 knots; no effect in the truth), so that
    the model has 14 parameters: the report's sample-size sentence states only sizes
    its prespecified model can ask for (13 to 15 parameters), and refuses one of 12."""
    def spec(data: pd.DataFrame) -> ModelSpec:
        s = spec_of(data)
        return dataclasses.replace(
            s, splines={**{k: v for k, v in s.splines.items() if k != "age"},
                        "years_in_care": 5},
            linear=("age", *s.linear))
    return spec


def key(report, name):
    return next(r["value"] for r in report.key_results if r["name"] == name)


@pytest.fixture(scope="module")
def runs():
    out = {}
    correct = crisis_report.crisis_spec
    for seed in SEEDS:
        tables = crisis_tables(PEOPLE, seed, truth=REPORT_FORM, unknowns=False)
        reports = {}
        for name, spec in (("correct", correct), ("linear age", linear_age(correct))):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(crisis_report, "crisis_spec", spec)
                reports[name] = crisis_report.analyse_crisis_risk(
                    tables.dataset, **PERIOD, seed=seed, **SETTINGS)
        out[seed] = (tables, reports)
    return out


def test_crisis_truth_is_true_effects():
    assert CRISIS_TRUTH is TRUE_EFFECTS.crisis_risk


def test_crisis_tables_validate_against_the_dictionary(tmp_path):
    tables = crisis_tables(4_000, SEEDS[0], truth=REPORT_FORM)
    assert set(tables.tables) == set(CRISIS_TABLES)
    report = validate_directory(write_crisis_tables(tmp_path, tables),
                                tables=list(tables.tables))
    assert report.ok, report


@pytest.mark.parametrize("seed", SEEDS)
def test_report_rebuilds_the_drawn_cohorts_person_by_person(runs, seed):
    tables, reports = runs[seed]
    cohorts = reports["correct"].cohorts
    for drawn, cohort in zip(tables.drawn, cohorts, strict=True):
        built = cohort.data.set_index("person_id").sort_index()
        drawn = drawn.set_index("person_id").sort_index()
        assert built.index.equals(drawn.index)
        recorded = drawn["honos_recorded"] == 1
        pairs = {"age": "age", "female": "female", "prior_ae": "prior_crisis",
                 "prior_admissions": "prior_admissions", "life_rooms": "life_rooms",
                 "honos_recorded": "honos_recorded", "crisis": "crisis",
                 "event_type": "event_type", "days_to_event": "days_to_event"}
        for built_col, drawn_col in pairs.items():
            np.testing.assert_array_equal(built[built_col].to_numpy(dtype=float),
                                          drawn[drawn_col].to_numpy(dtype=float),
                                          err_msg=built_col)
        np.testing.assert_array_equal(built["community_team"], 1 - drawn["inpatient_team"])
        np.testing.assert_array_equal(built.loc[recorded, "honos"],
                                      drawn.loc[recorded, "honos"])
        known = built["imd_quintile"] != "Not known"
        np.testing.assert_array_equal(built.loc[known, "imd_q1"],
                                      (drawn.loc[known, "imd_quintile"] == 1).astype(int))


@pytest.mark.parametrize("seed", SEEDS)
def test_correct_model_calibrated_and_true_c_recovered_in_the_next_edition(runs, seed):
    tables, reports = runs[seed]
    report = reports["correct"]
    low, high = key(report, "slope_validation_ci")
    assert low <= 1.0 <= high, (low, high)
    true_c = expected_c_statistic(tables.drawn[1]["true_risk"].to_numpy())
    assert abs(key(report, "c_validation") - true_c) < C_TOLERANCE
    assert not report.drift.drifted, report.drift.verdict
    # the HoNOS spline is in the published model
    assert "honos'" in report.model_json


def test_linear_age_model_flagged_by_the_drift_alarm(runs):
    # the alarm goes off in most seeds and calibration never "held"; in every seed the
    # model under-predicts more than the correct one on the same people (the next
    # edition's extremes of age) and ranks them far worse than the true model
    states = {}
    for seed in SEEDS:
        tables, reports = runs[seed]
        drift, correct = reports["linear age"].drift, reports["correct"].drift
        states[seed] = drift.state
        assert drift.state != "held", drift.verdict
        assert drift.citl > correct.citl + 0.1, (drift.citl, correct.citl)
        true_c = expected_c_statistic(tables.drawn[1]["true_risk"].to_numpy())
        assert key(reports["linear age"], "c_validation") < true_c - C_TOLERANCE
        if drift.drifted:
            assert drift.verdict.startswith("Calibration has drifted")
            assert "should be recalibrated or refitted" in drift.headline
    assert sum(state == "drifted" for state in states.values()) >= MIN_FLAGGED, states
