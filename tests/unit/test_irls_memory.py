"""``regression.irls.fit_freeing_iterations``: same fit, lower peak (issue 16)."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from lifetools.regression.irls import fit_freeing_iterations


def _poisson_model(rows: int = 40_000, seed: int = 3):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"const": 1.0, "a": rng.integers(0, 2, rows).astype(float),
                      "b": rng.normal(size=rows)})
    years = rng.uniform(0.1, 2.0, rows)
    y = rng.poisson(years * np.exp(0.2 + 0.3 * x["a"] - 0.2 * x["b"]))
    return sm.GLM(y.astype(float), x, family=sm.families.Poisson(), offset=np.log(years),
                  var_weights=rng.uniform(0.5, 2.0, rows))


def _peak(fit) -> int:
    """Traced peak (bytes) of ``fit()`` above what was allocated before it, with the
    automatic collector off, so that only explicit collections free cycles."""
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fit()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
        gc.enable()


@pytest.mark.filterwarnings("ignore:cov_type not fully supported")
def test_fit_freeing_iterations_cluster_fit_bit_identical_to_plain_fit():
    groups = np.arange(40_000) // 2
    frozen = gc.get_freeze_count()  # the test process's own freeze (tests/conftest.py)
    plain = _poisson_model().fit(cov_type="cluster", cov_kwds={"groups": groups})
    model = _poisson_model()
    family = model.family
    lean = fit_freeing_iterations(model, cov_type="cluster", cov_kwds={"groups": groups})
    assert np.array_equal(plain.params, lean.params)
    assert np.array_equal(plain.bse, lean.bse)
    assert plain.fit_history["iteration"] == lean.fit_history["iteration"]
    assert model.family is family and lean.family is family
    assert type(lean.family) is sm.families.Poisson
    assert (gc.get_freeze_count() > 0) == (frozen > 0)


@pytest.mark.slow  # a traced peak on 40,000 rows: test tiers, DEVELOPERS.md
def test_fit_freeing_iterations_without_collector_lower_peak_than_plain_fit():
    plain = _peak(lambda: _poisson_model().fit(cov_type="HC0"))
    lean = _peak(lambda: fit_freeing_iterations(_poisson_model(), cov_type="HC0"))
    assert lean < 0.75 * plain, (lean, plain)


def test_fit_freeing_iterations_failing_fit_restores_family_and_collector():
    model = _poisson_model(rows=200)
    family = model.family
    frozen = gc.get_freeze_count()
    with pytest.raises(ValueError):
        fit_freeing_iterations(model, method="no-such-method")
    assert model.family is family
    assert (gc.get_freeze_count() > 0) == (frozen > 0)


@pytest.mark.parametrize("caller_froze", [False, True])
def test_fit_freeing_iterations_leaves_the_callers_freeze_as_it_was(caller_froze):
    """A fit unfreezes what it froze, never a freeze of its caller's (a test process
    freezes its heap after collection; :func:`gc.unfreeze` releases every freeze)."""
    gc.unfreeze()
    kept = [object() for _ in range(10)]
    if caller_froze:
        gc.freeze()
    try:
        assert (gc.get_freeze_count() > 0) is caller_froze
        fit_freeing_iterations(_poisson_model(rows=200))
        # frozen objects freed during the fit leave the count: compare only "frozen"
        assert (gc.get_freeze_count() > 0) is caller_froze
    finally:
        gc.freeze()  # as the test process had it
    assert kept
