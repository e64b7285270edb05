"""Bootstrap validation with separated samples against ``rms::validate`` (rms 6.5-0).

80 birthwt mothers, ``low ~ lwt + ht`` with hypertension rare (4 mothers): 13 of the 40
bootstrap samples (drawn by R, passed to lifetools) have no maximum-likelihood estimate
for ``ht``. R's ``validate`` keeps all 40 (``lrm.fit`` reports the separated fits as
converged, ``ht`` stopped near 8.5); lifetools keeps all 40 too, counts exactly those 13
as unreliable, and leaves none out. A separated sample's fit stops where ``lrm.fit``
stops (:func:`lifetools.prediction._logit.fit_logit_rms`: its coefficients agree with
R's to 1e-5). As R's ``validate``, a maximum-likelihood model's training and apparent
calibration slope and intercept are 1 and 0 by definition (true at a maximum, and the
limit of a separated sample's diverging fit; a measured training slope there is above
1, which gave a corrected slope of 0.722 against R's 0.741 before lifetools took R's
definition). Dxy, intercept, slope and Brier score then match ``validate`` to 1e-6
(apparent, optimism and corrected), and per sample to 1e-5. Script: ``tests/reference/R/make_reference_validate_separation.R``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, bootstrap_validation, fit_prediction_model

HERE = Path(__file__).parent
REF = json.loads((HERE / "results" / "reference_validate_separation.json").read_text())
SPEC = ModelSpec("low", linear=("lwt", "ht"))


def _data() -> pd.DataFrame:
    birthwt = pd.read_csv(HERE / "data" / "birthwt.csv")
    return birthwt.iloc[np.asarray(REF["rows"]) - 1].reset_index(drop=True)


def _r_scale(result) -> np.ndarray:
    """``[[apparent, optimism, corrected]]`` for R's Dxy, Intercept, Slope, B."""
    t = result.summary.set_index("index")
    c = t.loc["c", ["apparent", "optimism", "corrected"]].to_numpy(dtype=float)
    return np.array([[2 * c[0] - 1, 2 * c[1], 2 * c[2] - 1],
                     t.loc["recalibration_intercept", ["apparent", "optimism", "corrected"]],
                     t.loc["slope", ["apparent", "optimism", "corrected"]],
                     t.loc["brier", ["apparent", "optimism", "corrected"]]], dtype=float)


def test_every_sample_kept_and_the_separated_ones_counted_as_r():
    samples = [np.asarray(s) - 1 for s in REF["samples"]]
    result = bootstrap_validation(_data(), SPEC, samples=samples)
    assert REF["validate_n"] == REF["B"] == 40 and REF["failed"] == []
    assert result.n_boot == 40 and result.n_failed == 0  # R leaves none out either
    assert result.n_unreliable == len(REF["no_maximum"]) == 13
    flagged = [i for i, s in enumerate(samples, 1)
               if bootstrap_validation(_data(), SPEC, samples=[s]).n_unreliable]
    assert flagged == REF["no_maximum"]  # the detector finds exactly R's samples
    ours = _r_scale(result)
    np.testing.assert_allclose(ours[:, 0], REF["apparent"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours[:, 1], REF["optimism"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours[:, 2], REF["corrected"], rtol=0, atol=1e-6)
    assert ours[2, 2] == pytest.approx(0.741176708261, abs=1e-6)  # not 0.722 (measured)
    assert result.method["own_data_calibration"].startswith("slope 1, intercepts 0")


def test_shrunken_development_measures_its_own_calibration():
    """With shrinkage the slope in its own data is not 1 by definition: it is measured."""
    samples = [np.asarray(s) - 1 for s in REF["samples"][:5]]
    result = bootstrap_validation(_data(), SPEC, samples=samples, shrinkage="heuristic")
    t = result.summary.set_index("index")
    assert result.method["own_data_calibration"] == "measured"
    assert t.loc["slope", "apparent"] > 1.05  # 1 / shrinkage factor, roughly
    assert np.ptp(result.training[:, 1]) > 0.01


def test_per_sample_optimism_against_r():
    data = _data()
    for i, rows in enumerate(REF["samples"], 1):
        ours = _r_scale(bootstrap_validation(data, SPEC, samples=[np.asarray(rows) - 1]))[:, 1]
        theirs = np.asarray(REF["per_sample_optimism"][i - 1])
        assert ours[0] == pytest.approx(theirs[0], abs=1e-9)  # Dxy: every sample
        assert ours[3] == pytest.approx(theirs[3], abs=1e-6)  # Brier: every sample
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)  # separated too


def test_separated_fit_stops_where_lrm_fit_stops():
    data = _data()
    for i in REF["no_maximum"]:
        rows = np.asarray(REF["samples"][i - 1]) - 1
        fit = fit_prediction_model(data.iloc[rows], SPEC, shrinkage="none")
        assert not fit.frozen.converged
        ht = fit.summary.set_index("term").loc["ht", "estimate_ml"]
        assert ht == pytest.approx(REF["ht_coef"][i - 1], abs=1e-5)
