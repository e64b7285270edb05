"""HoNOS enters the crisis-risk model as a restricted cubic spline (issue 19, wave 44):
its knots are placed on the development cohort's recorded scores before imputation,
every imputed copy builds its basis from its own imputed scores (passive imputation),
and the knots are frozen with the model applied to the next edition."""

from __future__ import annotations

import numpy as np
import pandas as pd
from crisis_unknowns import crisis_like

from lifetools.disclosure import magnitude_reason
from lifetools.prediction import FrozenModel, ModelSpec, fit_prediction_model, rcs_basis
from lifetools.prediction.imputation import fit_imputed_model
from lifetools.prediction.model import spec_knots
from lifetools.prediction.splines import rcs_knots
from lifetools.reports.crisis_parts import (
    MIN_KNOT_VALUES,
    crisis_spec,
    imputed_cohort,
    with_missing_predictors,
)


def cohorts() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A development cohort whose HoNOS is missing more often for high scores than the
    recorded ones suggest, and a next edition with higher scores."""
    dev = crisis_like(600, seed=11)
    rng = np.random.default_rng(12)
    dev["honos"] = np.round(rng.gamma(3.0, 4.0, len(dev)))
    dev["honos_recorded"] = (rng.random(len(dev)) < np.where(dev["honos"] > 15, .3, .9)
                             ).astype(int)
    val = crisis_like(500, seed=13).assign(honos=lambda d: np.round(
        np.random.default_rng(14).gamma(4.0, 4.0, len(d))))
    return with_missing_predictors(dev), with_missing_predictors(val)


def test_crisis_spec_fixes_honos_knots_on_the_recorded_scores():
    dev, _ = cohorts()
    spec = crisis_spec(dev)
    recorded = dev["honos"].dropna().to_numpy()
    assert spec.splines["honos"] == 3
    assert spec.knots == {"honos": rcs_knots(recorded, 3)}
    assert "honos" not in spec.linear
    # prior A&E and admissions stay linear (counts, mostly 0)
    assert {"prior_ae", "prior_admissions"} <= set(spec.linear)


def test_honos_spline_built_on_each_imputed_copy_with_the_frozen_knots():
    dev, val = cohorts()
    spec = crisis_spec(dev)
    copies = imputed_cohort(dev, spec, m=3, seed=5)
    # passive imputation: each copy's HoNOS is imputed, the basis made from it
    assert not any(c["honos"].isna().any() for c in copies)
    assert not copies[0]["honos"].equals(copies[1]["honos"])
    # the first copy's own Harrell knots differ from the recorded scores': the spec's win
    assert rcs_knots(copies[0]["honos"].to_numpy(), 3) != spec.knots["honos"]
    fit = fit_imputed_model(copies, spec, shrinkage="heuristic")
    frozen = FrozenModel.from_json(fit.frozen.to_json())  # as published
    assert "honos'" in frozen.terms  # the non-linear term is in the fitted design
    assert frozen.knots["honos"] == spec.knots["honos"]
    assert list(frozen.knots) == ["age", "years_in_care", "honos"]
    column = frozen.terms.index("honos'")
    for copy in copies:
        expected = rcs_basis(copy["honos"].to_numpy(), spec.knots["honos"])[:, 1]
        np.testing.assert_allclose(frozen.design(copy)[:, column], expected)
    # applied to the next edition with the development knots, not the next edition's
    later = imputed_cohort(val, spec, m=2, seed=6)[0]
    assert rcs_knots(later["honos"].to_numpy(), 3) != frozen.knots["honos"]
    np.testing.assert_allclose(
        frozen.design(later)[:, column],
        rcs_basis(later["honos"].to_numpy(), spec.knots["honos"])[:, 1])


def test_spec_knots_fixed_ones_kept_others_placed_on_the_data():
    frame = pd.DataFrame({"x": np.arange(200.0), "z": np.arange(200.0) ** 2,
                          "y": np.arange(200) % 2})
    spec = ModelSpec("y", splines={"x": 3, "z": 4}, knots={"z": (1.0, 50.0, 900.0, 9000.0)})
    knots = spec_knots(frame, spec)
    assert knots == {"x": rcs_knots(frame["x"].to_numpy(), 3),
                     "z": (1.0, 50.0, 900.0, 9000.0)}
    assert fit_prediction_model(frame, spec).frozen.knots == knots


def test_honos_spline_needs_100_recorded_scores_so_no_knot_is_a_few_peoples_score():
    # the knots are published with the model: below 100 values Harrell's rule puts the
    # outer knots on the 5th smallest and 5th largest score, so HoNOS enters linearly
    dev, _ = cohorts()
    recorded = dev.index[dev["honos"].notna()]
    for kept, spline in ((12, False), (MIN_KNOT_VALUES - 1, False), (MIN_KNOT_VALUES, True)):
        few = dev.copy()
        few.loc[recorded[kept:], "honos"] = np.nan
        spec = crisis_spec(few)
        assert ("honos" in spec.splines) is spline, kept
        assert ("honos" in spec.linear) is not spline, kept
        assert ("honos" in spec.knots) is spline, kept


def test_honos_spline_needs_recorded_scores_that_pass_the_magnitude_rules():
    # one person's score dominating the total (n-k rule): no knots of these scores
    dev, _ = cohorts()
    recorded = dev.index[dev["honos"].notna()]
    dominated = dev.copy()
    dominated.loc[recorded, "honos"] = 0.0
    dominated.loc[recorded[:2], "honos"] = 1e6
    assert magnitude_reason(dominated["honos"].dropna().to_numpy())
    spec = crisis_spec(dominated)
    assert "honos" not in spec.splines and "honos" not in spec.knots
