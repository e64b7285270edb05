"""``cif_interval`` makes the fit's own terms (robust covariance, baseline sums) once per
fit: a second interval from the same fit, and intervals from a fit seen before, equal
bit for bit those of a fit never seen, and the kept terms go with the fit."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest
from fine_gray_truth_data import HORIZON, draw

from lifetools.prediction import ModelSpec
from lifetools.prediction import cif_interval as module
from lifetools.prediction.cif_interval import cif_interval, pooled_cif_interval
from lifetools.prediction.time_to_event import fit_fine_gray_risk

SPEC = ModelSpec("unused", linear=("x1", "x2"))
PROFILES = pd.DataFrame({"x1": [0.0, 1.5, -1.0], "x2": [1.0, 0.0, 1.0]})


def _fit(seed: int):
    return fit_fine_gray_risk(draw(300, seed), SPEC, duration_col="time",
                              event_col="event", horizon=HORIZON)


@pytest.mark.parametrize("uncertainty", ["coefficients and baseline", "coefficients"])
def test_intervals_of_a_fit_seen_before_equal_a_fresh_fits(uncertainty):
    seen = _fit(3)
    for other in ("coefficients", "coefficients and baseline"):
        cif_interval(seen, PROFILES, uncertainty=other)
    again = cif_interval(seen, PROFILES, uncertainty=uncertainty)
    fresh = cif_interval(_fit(3), PROFILES, uncertainty=uncertainty)
    pd.testing.assert_frame_equal(again, fresh, check_exact=True)
    grouped = cif_interval(seen, PROFILES, groups=[0, 0, 1], uncertainty=uncertainty)
    pd.testing.assert_frame_equal(
        grouped, cif_interval(_fit(3), PROFILES, groups=[0, 0, 1],
                              uncertainty=uncertainty), check_exact=True)


def test_each_fit_its_own_terms_and_none_kept_after_the_fit():
    first, second = _fit(1), _fit(2)
    one = cif_interval(first, PROFILES)
    two = cif_interval(second, PROFILES)
    assert not np.array_equal(one["estimate"], two["estimate"])
    pd.testing.assert_frame_equal(cif_interval(first, PROFILES), one, check_exact=True)
    pooled = pooled_cif_interval([first, second], PROFILES)
    pd.testing.assert_frame_equal(pooled, pooled_cif_interval([_fit(1), _fit(2)],
                                                               PROFILES), check_exact=True)
    kept = module._fit_terms(first)
    assert all(not a.flags.writeable for a in (kept[0], kept[1], kept[2], kept[4]))
    keys = {id(first), id(second)}
    assert keys <= set(module._FIT_TERMS)
    del first, second, kept
    gc.collect()
    assert not keys & set(module._FIT_TERMS)
