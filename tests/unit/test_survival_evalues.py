"""E-values of the survival reports' headline hazard ratios (issue #13).

The common/rare decision comes from the computed cumulative incidence by the end of
follow-up (over 15%: VanderWeele's conversion of HR to RR, as the R package EValue's
``evalues.HR(rare = FALSE)``); the key results and sentences say which was used. The
E-value arithmetic itself is checked against published values in ``test_evalue.py``.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lifetools.regression import e_values, hr_as_rr
from lifetools.reports.survival_parts import (
    e_value_table,
    end_incidence,
    evalue_results,
    evalue_sentence,
    hazard_e_values,
)
from lifetools.result_names import DischargeName, ReReferralName

SHOWN = {"estimate": 1.3, "ci_lower": 1.2, "ci_upper": 1.4, "text": None}


def _rr_formula(rr: float) -> float:
    rr = max(rr, 1 / rr)
    return rr + math.sqrt(rr * (rr - 1))


def test_end_incidence_is_the_last_point_of_the_curve():
    curve = pd.DataFrame({"time": [0, 10, 20, 30],
                          "estimate": [0.0, 0.05, 0.21, 0.21]})
    assert end_incidence(curve) == 0.21
    assert math.isnan(end_incidence(curve.assign(estimate=math.nan)))


def test_hazard_e_values_common_outcome_converts_then_rare_does_not():
    common = hazard_e_values(SHOWN, 0.62)
    rare = hazard_e_values(SHOWN, 0.08)
    assert common.common and not rare.common
    assert common.estimate == pytest.approx(
        _rr_formula(hr_as_rr(1.3, common=True)), abs=1e-12)
    assert common.limit == pytest.approx(_rr_formula(hr_as_rr(1.2, common=True)),
                                         abs=1e-12)
    assert (rare.estimate, rare.limit) == pytest.approx(e_values(1.3, 1.2, 1.4))
    # a common outcome on the HR scale overstates the confounding needed
    assert common.estimate < rare.estimate


@pytest.mark.parametrize("row", [
    {"estimate": math.nan, "ci_lower": math.nan, "ci_upper": math.nan,
     "text": "could not be estimated: the model did not converge"},
    {"estimate": 1.3, "ci_lower": 1.2, "ci_upper": math.inf, "text": None},
    {"estimate": 1.3, "ci_lower": 1.35, "ci_upper": 1.4, "text": None}])
def test_hazard_e_values_none_for_a_ratio_not_shown_or_degenerate(row):
    assert hazard_e_values(row, 0.5) is None


def test_evalue_results_record_values_and_which_conversion():
    [common] = evalue_results(DischargeName.HR_TV, "HR", SHOWN, incidence=0.62,
                              outcome="discharge")
    assert common["name"] is DischargeName.HR_TV_EVALUE
    found = hazard_e_values(SHOWN, 0.62)
    assert common["value"] == [found.estimate, found.limit]
    assert str(common["text"]) == (
        f"{found.estimate:.2f} (confidence limit {found.limit:.2f}; discharge is "
        "common, so the hazard ratio was converted to a risk ratio)")
    [rare] = evalue_results(ReReferralName.SHR_REREFERRAL, "SHR", SHOWN,
                            incidence=0.10, outcome="re-referral")
    assert rare["name"] is ReReferralName.SHR_REREFERRAL_EVALUE
    assert str(rare["text"]).endswith("re-referral is rare, so the hazard ratio was "
                                      "taken as a risk ratio)")


def test_evalue_results_not_shown_ratio_gives_its_reason():
    row = {"estimate": math.nan, "ci_lower": math.nan, "ci_upper": math.nan,
           "text": "could not be estimated: the model did not converge"}
    [result] = evalue_results(DischargeName.HR_TV, "HR", row, incidence=0.6,
                              outcome="discharge")
    assert result["value"] is None
    assert str(result["text"]).startswith("could not be estimated:")
    sentence = evalue_sentence(DischargeName.HR_TV, row, incidence=0.6,
                               exposure="Life Rooms use", outcome="discharge",
                               estimate="the time-varying hazard ratio")
    assert sentence["name"] is DischargeName.HR_TV_EVALUE_SENTENCE
    # a fit that gave no number: the summary's own words (issue 15, wave 30: the
    # discharge page said "could not be estimated" of the ratio, "could not be shown"
    # of its E-value)
    assert str(sentence["text"]) == ("No E-value is given: the time-varying hazard ratio "
                                     "could not be estimated.")
    withheld = {**row, "text": "too few events to estimate (too few events in total)"}
    sentence = evalue_sentence(DischargeName.HR_TV, withheld, incidence=0.6,
                               exposure="Life Rooms use", outcome="discharge",
                               estimate="the time-varying hazard ratio")
    # withheld: "is not shown", the tables' word ("could not be shown" until wave 32)
    assert str(sentence["text"]) == ("No E-value is given: the time-varying hazard ratio "
                                     "is not shown.")


def test_evalue_sentence_gives_the_numbers_it_computed():
    sentence = evalue_sentence(ReReferralName.HR_REREFERRAL,
                               {"estimate": 0.8, "ci_lower": 0.6, "ci_upper": 1.1,
                                "text": None}, incidence=0.3,
                               exposure="Life Rooms use", outcome="re-referral",
                               estimate="the hazard ratio of re-referral")
    found = hazard_e_values({"estimate": 0.8, "ci_lower": 0.6, "ci_upper": 1.1,
                             "text": None}, 0.3)
    assert found.limit == 1.0  # the interval crosses 1
    text = str(sentence["text"])
    assert f"by a risk ratio of {found.estimate:.2f} to explain the hazard ratio of " \
           "re-referral away, and its confidence interval already includes no effect" \
           in text
    assert "re-referral is common, so the hazard ratio was converted" in text
    # an interval that excludes 1 gives the E-value of its limit nearest 1 (1.2)
    shown = str(evalue_sentence(ReReferralName.HR_REREFERRAL, SHOWN, incidence=0.3,
                                exposure="Life Rooms use", outcome="re-referral",
                                estimate="the hazard ratio of re-referral")["text"])
    limit = hazard_e_values(SHOWN, 0.3).limit
    assert f"(confidence limit {limit:.2f}) to explain the hazard ratio" in shown


def test_e_value_table_records_common_and_incidence():
    table = e_value_table({DischargeName.HR_TV: SHOWN,
                           DischargeName.SHR_LANDMARK: {"text": "withheld"}}, 0.62)
    assert table["name"].tolist() == ["hr_tv", "shr_landmark"]
    assert table["common"].tolist() == [True, True]
    assert table["incidence"].tolist() == [0.62, 0.62]
    assert table["e_value"].iloc[0] == hazard_e_values(SHOWN, 0.62).estimate
    assert math.isnan(table["e_value"].iloc[1])


def test_evalue_key_results_go_through_the_protected_record(tmp_path, monkeypatch):
    # as the notebooks' `lt.publication.record_all(report.key_results)`
    import json

    from lifetools import config, publication

    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path))
    results = [*evalue_results(DischargeName.HR_TV, "Hazard ratio of discharge", SHOWN,
                               incidence=0.62, outcome="discharge"),
               evalue_sentence(DischargeName.HR_TV, SHOWN, incidence=0.62,
                               exposure="Life Rooms use", outcome="discharge",
                               estimate="the time-varying hazard ratio")]
    publication.record_all(results)
    written = json.loads((tmp_path / "results.json").read_text())
    found = hazard_e_values(SHOWN, 0.62)
    assert written["hr_tv_evalue"]["value"] == [round(found.estimate, 10),
                                                round(found.limit, 10)]
    assert written["hr_tv_evalue"]["text"].startswith(f"{found.estimate:.2f} ")
    assert "discharge is common" in written["hr_tv_evalue_sentence"]["text"]
