"""Unit tests of lifetools.survival.efron (bad input, agreement with statsmodels PHReg).

R reference values: tests/reference/test_efron_against_r.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from lifetools.errors import ParameterError
from lifetools.survival.efron import fit_efron


def _cohort(n: int = 400, seed: int = 3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    onset = rng.exponential(1 / (0.02 * np.exp(x @ [0.5, -0.4])))
    entry = np.floor(rng.uniform(0, 20, n))
    stop = np.ceil(np.minimum(onset, 80.0)) + entry
    return entry, stop, (onset < 80).astype(int), x


def test_fit_efron_start_equal_stop_raises_naming_row_number():
    entry, stop, event, x = _cohort()
    entry[3] = stop[3]
    with pytest.raises(ParameterError, match="first row 3"):
        fit_efron(stop, event, x, start=entry)


def test_fit_efron_event_not_binary_raises():
    entry, stop, event, x = _cohort()
    event[5] = 2
    with pytest.raises(ParameterError, match="first row 5"):
        fit_efron(stop, event, x, start=entry)


def test_fit_efron_unknown_ties_raises():
    entry, stop, event, x = _cohort()
    with pytest.raises(ParameterError, match="ties"):
        fit_efron(stop, event, x, ties="exact")  # type: ignore[arg-type]


def test_fit_efron_delayed_entry_matches_statsmodels_phreg():
    # PHReg's risk set is [entry, stop]; entry + 1e-6 makes it (entry, stop] on whole days
    from statsmodels.duration.hazard_regression import PHReg

    entry, stop, event, x = _cohort()
    fit = fit_efron(stop, event, x, start=entry)
    ref = PHReg(stop, x, status=event, entry=entry + 1e-6, ties="efron").fit()
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-6)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-6)
