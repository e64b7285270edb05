"""E-values against the worked examples of VanderWeele and Ding (2017).

VanderWeele TJ, Ding P. Sensitivity analysis in observational research: introducing the
E-value. Ann Intern Med 2017;167:268-274. Their example: risk ratio 3.9 (95% CI 1.8 to
8.7) gives E-values 7.26 for the estimate and 3.00 for the lower limit; a protective
ratio 0.80 (0.71 to 0.91) gives 1.81 and 1.43 (upper limit). The same cases are the
first tests of the authors' R package EValue (``evalues.RR``). The values below are
the published formula evaluated to 1e-12; the paper's two-decimal figures are checked
too.
"""

from __future__ import annotations

import math

import pytest

from lifetools.regression import e_value, e_values, e_values_hr, hr_as_rr


def test_e_value_harmful_ratio_matches_published_example():
    estimate, limit = e_values(3.9, 1.8, 8.7)
    assert estimate == pytest.approx(3.9 + math.sqrt(3.9 * 2.9), abs=1e-12)
    assert limit == pytest.approx(3.0, abs=1e-12)
    assert round(estimate, 2) == 7.26


def test_e_value_protective_ratio_uses_inverse_and_upper_limit():
    estimate, limit = e_values(0.80, 0.71, 0.91)
    assert estimate == pytest.approx(1.25 + math.sqrt(1.25 * 0.25), abs=1e-12)
    inverse = 1 / 0.91
    assert limit == pytest.approx(inverse + math.sqrt(inverse * (inverse - 1)),
                                  abs=1e-12)
    assert (round(estimate, 2), round(limit, 2)) == (1.81, 1.43)
    # a ratio and its inverse need the same confounding to be explained away
    assert e_values(1 / 3.9, 1 / 8.7, 1 / 1.8) == pytest.approx(e_values(3.9, 1.8, 8.7))


def test_e_values_interval_containing_one_gives_one_for_the_limit():
    assert e_values(1.2, 0.9, 1.6)[1] == 1.0
    assert e_value(1.0) == 1.0


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_e_value_non_positive_or_non_finite_ratio_raises(bad):
    with pytest.raises(ValueError, match="finite positive"):
        e_value(bad)


def test_e_values_estimate_outside_interval_raises():
    with pytest.raises(ValueError, match="within its confidence interval"):
        e_values(1.5, 1.6, 1.9)


# Hazard ratios (VanderWeele and Ding 2017, eTable; VanderWeele 2020, Biometrics
# 76:746): for a common outcome (more than 15% by the end of follow-up) the R package
# EValue's ``evalues.HR(rare = FALSE)`` converts the estimate and each limit by
# RR = (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)) and then applies the risk-ratio
# formula; for a rare outcome HR is taken as RR. R is not installed here (Debian has
# no r-cran-evalue); the expectations below are the package's own "Common HR" unit test
# (HR 1.3, CI 1.2 to 1.4) and its documented example (HR 0.56, CI 0.46 to 0.69,
# rare = FALSE), written out by hand from the published formulas.

def _converted(hr: float) -> float:
    return (1 - 0.5 ** math.sqrt(hr)) / (1 - 0.5 ** math.sqrt(1 / hr))


def _rr_formula(rr: float) -> float:
    rr = max(rr, 1 / rr)
    return rr + math.sqrt(rr * (rr - 1))


def test_hr_as_rr_common_outcome_is_vanderweele_conversion():
    assert hr_as_rr(1.3, common=True) == pytest.approx(_converted(1.3), abs=1e-15)
    # the conversion pulls a hazard ratio towards 1 and keeps 1 and the inverse
    assert 1 < hr_as_rr(1.3, common=True) < 1.3
    assert hr_as_rr(1.0, common=True) == pytest.approx(1.0, abs=1e-15)
    assert hr_as_rr(1 / 1.3, common=True) == pytest.approx(
        1 / hr_as_rr(1.3, common=True), abs=1e-12)
    assert hr_as_rr(1.3, common=False) == 1.3


def test_e_values_hr_common_matches_evalue_package_unit_test():
    # EValue tests/testthat "Common HR" with true = 1: 1.3 (1.2 to 1.4)
    result = e_values_hr(1.3, 1.2, 1.4, incidence=0.40)
    assert result.common is True and result.incidence == 0.40
    assert result.estimate == pytest.approx(_rr_formula(_converted(1.3)), abs=1e-12)
    assert result.limit == pytest.approx(_rr_formula(_converted(1.2)), abs=1e-12)
    # a common outcome needs less confounding than the hazard ratio taken as RR
    assert result.estimate < e_value(1.3)


def test_e_values_hr_documented_protective_example_uses_upper_limit():
    # evalues.HR(0.56, 0.46, 0.69, rare = FALSE): the limit nearest 1 is 0.69
    result = e_values_hr(0.56, 0.46, 0.69, incidence=0.5)
    assert result.estimate == pytest.approx(_rr_formula(_converted(0.56)), abs=1e-12)
    assert result.limit == pytest.approx(_rr_formula(_converted(0.69)), abs=1e-12)
    # by hand: RR 0.670 (limit 0.774) gives E-values 2.35 and 1.91
    assert round(hr_as_rr(0.56, common=True), 3) == 0.670
    assert (round(result.estimate, 2), round(result.limit, 2)) == (2.35, 1.91)


def test_e_values_hr_rare_outcome_is_the_risk_ratio_formula():
    rare = e_values_hr(3.9, 1.8, 8.7, incidence=0.15)  # 15% is not above 15%: rare
    assert rare.common is False
    assert (rare.estimate, rare.limit) == pytest.approx(e_values(3.9, 1.8, 8.7))
    assert round(rare.estimate, 2) == 7.26
    common = e_values_hr(3.9, 1.8, 8.7, incidence=0.1500001)
    assert common.common is True and common.estimate < rare.estimate


def test_e_values_hr_interval_crossing_one_and_bad_incidence():
    assert e_values_hr(1.2, 0.9, 1.6, incidence=0.6).limit == 1.0
    for bad in (-0.1, 1.1, math.nan):
        with pytest.raises(ValueError, match="cumulative incidence"):
            e_values_hr(1.2, 0.9, 1.6, incidence=bad)
    with pytest.raises(ValueError, match="finite positive"):
        hr_as_rr(0.0, common=True)
