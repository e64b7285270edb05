"""Boot-MI: the imputation repeated inside each bootstrap sample.

The code paths, on small data. The statistical property (the corrected C nearer the C
in a large new cohort than the apparent C) is in the slow truth suite:
``tests/truth/test_prediction_boot_mi_truth.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from boot_mi_cohort import SPEC, cohort, impute

from lifetools.prediction import bootstrap_validation, c_statistic
from lifetools.prediction.boot_mi import bootstrap_validation_boot_mi
from lifetools.prediction.imputation import fit_imputed_model

# one worker runs the module: the .632+ and calibration tests impute the same cohort and
# bootstrap samples, which boot_mi_cohort.impute then makes once (about 1.6 s of CPU)
pytestmark = pytest.mark.xdist_group("boot_mi_cohort")


@pytest.mark.parametrize("shrinkage", ["none", "heuristic"])
def test_boot_mi_nothing_to_impute_equals_bootstrap_validation(shrinkage):
    data = cohort(600, 1, missing=0.0)
    boot_mi = bootstrap_validation_boot_mi(data, SPEC, impute=lambda d, s: [d], n_boot=15,
                                           seed=4, shrinkage=shrinkage)
    plain = bootstrap_validation(data, SPEC, n_boot=15, seed=4, shrinkage=shrinkage)
    cols = ["apparent", "optimism", "corrected"]
    np.testing.assert_allclose(boot_mi.summary[cols], plain.summary[cols], atol=1e-8)
    assert boot_mi.n_boot == plain.n_boot == 15


def test_boot_mi_plus632_nothing_to_impute_equals_bootstrap_validation():
    # .632+ and the location-shifted interval through boot-MI: with one copy equal to
    # the plain bootstrap's, sample by sample
    data = cohort(600, 1, missing=0.0)
    boot_mi = bootstrap_validation_boot_mi(data, SPEC, impute=lambda d, s: [d], n_boot=15,
                                           seed=4, shrinkage="heuristic", plus632=True)
    plain = bootstrap_validation(data, SPEC, n_boot=15, seed=4, shrinkage="heuristic",
                                 plus632=True)
    cols = ["apparent", "oob", "corrected_632plus"]
    np.testing.assert_allclose(boot_mi.summary[cols], plain.summary[cols], atol=1e-8)
    np.testing.assert_allclose(boot_mi.training, plain.training, atol=1e-8)
    for index in ("c", "brier"):
        np.testing.assert_allclose(boot_mi.interval(index), plain.interval(index), atol=1e-8)
        np.testing.assert_allclose(
            boot_mi.interval(index, estimate="corrected_632plus"),
            plain.interval(index, estimate="corrected_632plus"), atol=1e-8)
    assert "plus632" in boot_mi.method


def test_boot_mi_plus632_two_copies_out_of_bag_averaged_over_original_copies():
    data = cohort(300, 3)
    copies = impute(data, 5, m=2)
    result = bootstrap_validation_boot_mi(data, SPEC, impute=lambda d, s: impute(d, s, m=2),
                                          n_boot=4, seed=5, original=copies, plus632=True)
    rng = np.random.default_rng(5)
    samples = [rng.integers(0, len(data), len(data)) for _ in range(4)]
    # the knots of the model on the original copies, fitted once for the four samples
    knots = dict(fit_imputed_model(copies, SPEC, shrinkage="none").frozen.knots)
    oob = []
    for b, rows in enumerate(samples):
        boot = data.iloc[rows].reset_index(drop=True)
        model = fit_imputed_model(impute(boot, 6 + b, m=2), SPEC, shrinkage="none",
                                  knots=knots).frozen
        out = ~np.isin(np.arange(len(data)), rows)
        oob.append(np.mean([c_statistic(c["y"].to_numpy()[out],
                                        model.linear_predictor(c)[out])[0] for c in copies]))
    table = result.summary.set_index("index")
    assert table.loc["c", "oob"] == pytest.approx(np.mean(oob), abs=1e-12)
    assert table.loc["c", "corrected_632plus"] < table.loc["c", "apparent"]


def test_boot_mi_imputes_inside_every_bootstrap_sample():
    data = cohort(200, 2)
    calls: list[tuple[int, int, int]] = []

    def counting(d: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
        calls.append((seed, len(d), int(d["honos"].isna().sum())))
        return impute(d, seed, m=1)

    result = bootstrap_validation_boot_mi(data, SPEC, impute=counting, n_boot=4, seed=10)
    assert [c[0] for c in calls] == [10, *range(11, 15)]  # original, then one per sample
    assert all(n == len(data) for _, n, _ in calls)
    # each sample draws its own people: its missing count differs from the original's
    assert len({missing for _, _, missing in calls[1:]}) > 1
    assert "inside each of 4 bootstrap samples" in result.method["imputation"]
    assert result.n_boot == 4 and result.n_failed == 0


def test_boot_mi_given_original_copies_used_as_they_are_not_reimputed():
    data = cohort(200, 5)
    originals = impute(data, 5, m=2)
    seeds: list[int] = []

    def counting(d: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
        seeds.append(seed)
        return impute(d, seed, m=2)

    result = bootstrap_validation_boot_mi(data, SPEC, impute=counting, n_boot=3, seed=5,
                                          original=originals)
    assert seeds == [6, 7, 8]  # the samples only: the original data are not imputed again
    # apparent: the model pooled over the given copies, its C averaged over them
    model = fit_imputed_model(originals, SPEC, shrinkage="none").frozen
    expected = np.mean([c_statistic(c["y"], model.predict_risk(c))[0] for c in originals])
    table = result.summary.set_index("index")
    assert table.loc["c", "apparent"] == pytest.approx(expected, abs=1e-10)
    assert table.loc["c", "corrected"] == pytest.approx(
        table.loc["c", "apparent"] - table.loc["c", "optimism"])


CURVE = ["predicted", "apparent", "optimism", "corrected"]


@pytest.mark.parametrize("shrinkage", ["none", "heuristic"])
def test_boot_mi_calibration_nothing_to_impute_equals_bootstrap_validation(shrinkage):
    # known answer: with one copy and nothing imputed, boot-MI's curve is the plain
    # bootstrap's (rms::calibrate's, checked against R) for the same samples
    data = cohort(600, 1, missing=0.0)
    boot_mi = bootstrap_validation_boot_mi(data, SPEC, impute=lambda d, s: [d], n_boot=15,
                                           seed=4, shrinkage=shrinkage, calibrate=True)
    plain = bootstrap_validation(data, SPEC, n_boot=15, seed=4, shrinkage=shrinkage,
                                 calibrate=True)
    ours, theirs = boot_mi.calibration, plain.calibration
    assert len(ours.curve) == 50  # rms::calibrate's grid of the (one) copy's risks
    # exactly: the same fits, the same curves, the one code (measured difference 0.0)
    pd.testing.assert_frame_equal(ours.curve, theirs.curve, check_exact=True)
    assert ours.errors == theirs.errors
    assert "calibration" in boot_mi.method
    # the same samples: the curve's corrections are not all zero, so the equality says
    # something about the optimism and not only the apparent curve
    assert np.nanmax(np.abs(ours.curve["optimism"])) > 1e-3


def test_boot_mi_calibration_two_copies_by_hand():
    # the curve of boot-MI computed independently: each side's lowess curves averaged
    # over its copies, training minus test error averaged over the samples
    from lifetools.prediction.calibrate import calibration_errors, smoothed_at

    data = cohort(300, 3)
    copies = impute(data, 5, m=2)
    grid = np.linspace(0.2, 0.6, 9)
    result = bootstrap_validation_boot_mi(data, SPEC, impute=lambda d, s: impute(d, s, m=2),
                                          n_boot=4, seed=5, original=copies,
                                          calibrate=True, grid=grid)
    model = fit_imputed_model(copies, SPEC, shrinkage="none").frozen
    knots = dict(model.knots)

    def curve(m, parts):
        return np.mean([smoothed_at(m.predict_risk(c), c["y"].to_numpy(dtype=float), grid)
                        for c in parts], axis=0)

    apparent = curve(model, copies)
    rng = np.random.default_rng(5)
    differences = []
    for b in range(4):
        boot = data.iloc[rng.integers(0, len(data), len(data))].reset_index(drop=True)
        sample = impute(boot, 6 + b, m=2)
        fit = fit_imputed_model(sample, SPEC, shrinkage="none", knots=knots).frozen
        differences.append((curve(fit, sample) - grid) - (curve(fit, copies) - grid))
    differences = np.array(differences)
    reached = (~np.isnan(differences)).sum(axis=0)
    optimism = np.nansum(differences, axis=0) / reached
    table = result.calibration.curve
    np.testing.assert_allclose(table["predicted"], grid)
    np.testing.assert_allclose(table["apparent"], apparent, atol=1e-12)
    np.testing.assert_allclose(table["optimism"], optimism, atol=1e-12)
    np.testing.assert_allclose(table["corrected"], apparent - optimism, atol=1e-12)
    assert table["samples"].tolist() == reached.tolist()
    errors = [calibration_errors(grid, apparent - optimism, model.predict_risk(c))
              for c in copies]
    assert result.calibration.errors["mean_absolute"] == pytest.approx(
        np.mean([e["mean_absolute"] for e in errors]), abs=1e-12)
    assert result.calibration.errors["people"] == errors[0]["people"]
    # the indexes are those of a run without the curve: the curve adds, changes nothing
    alone = bootstrap_validation_boot_mi(data, SPEC, impute=lambda d, s: impute(d, s, m=2),
                                         n_boot=4, seed=5, original=copies)
    pd.testing.assert_frame_equal(result.summary, alone.summary)
    assert alone.calibration is None


@pytest.mark.parametrize("seed", [1, 2])
def test_boot_mi_calibration_averages_copies_not_sums_them(seed):
    # property: every copy repeated twice (each sample's and the original's) leaves the
    # curve, its sample counts and its errors as they were: copies are averaged
    data = cohort(300, seed)
    once = bootstrap_validation_boot_mi(data, SPEC, impute=lambda d, s: impute(d, s, m=1),
                                        n_boot=5, seed=seed, calibrate=True)
    twice = bootstrap_validation_boot_mi(
        data, SPEC, impute=lambda d, s: impute(d, s, m=1) * 2, n_boot=5, seed=seed,
        calibrate=True)
    np.testing.assert_allclose(twice.calibration.curve[CURVE], once.calibration.curve[CURVE],
                               atol=1e-10)
    assert twice.calibration.curve["samples"].tolist() == \
        once.calibration.curve["samples"].tolist()
    assert int(once.calibration.curve["samples"].max()) <= once.n_boot
    for key in ("mean_absolute", "mean_squared", "quantile90", "people"):
        assert twice.calibration.errors[key] == pytest.approx(once.calibration.errors[key],
                                                              abs=1e-10)
