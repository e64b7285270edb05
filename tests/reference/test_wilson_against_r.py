"""The Wilson score interval against R (R 4.2.2, stats): issue 13.

Expected values: tests/reference/results/reference_wilson.json, produced by
tests/reference/R/make_reference_wilson.R: ``prop.test(x, n, correct = FALSE)$conf.int``
for eight proportions (none, all, 1 of 3, and the feedback shares' sizes). Both
implementations are checked: ``lifetools.disclosure.wilson_interval`` (published
shares, from the published counts) and ``lifetools.regression.wilson_interval``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifetools.disclosure import wilson_interval as published_wilson
from lifetools.regression import wilson_interval

HERE = Path(__file__).parent
R = json.loads((HERE / "results" / "reference_wilson.json").read_text())


@pytest.mark.parametrize("function", [published_wilson, wilson_interval])
@pytest.mark.parametrize("index", range(len(R["n"])))
def test_wilson_interval_against_r_prop_test(function, index):
    # a closed form: absolute 1e-14 (observed 6e-16 or less; R's values to 15 digits)
    low, high = function(R["successes"][index], R["n"][index])
    assert low == pytest.approx(R["lower"][index], rel=0, abs=1e-14)
    assert high == pytest.approx(R["upper"][index], rel=0, abs=1e-14)
