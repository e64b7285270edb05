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

from lifetools.regression import e_value, e_values


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
