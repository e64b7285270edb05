"""Lasso logistic regression against glmnet (R 4.2.2, Debian's r-cran-glmnet 4.1-6).

tests/reference/R/make_reference_glmnet.R fits glmnet with its stopping rules tightened
(its coefficients meet the lasso's optimality conditions to 6e-10 or better, stored as
``kkt``) on MASS::birthwt (tests/reference/data/birthwt.csv), the design of
``test_lasso_against_r.py`` (189 people, 10 columns, correlated spline terms), and on a
fixed synthetic data set (600 people, 12 columns of which 7 have no effect;
``synthetic_data`` below, stored as tests/reference/data/lasso_synthetic.csv). Expected
values: tests/reference/results/reference_glmnet.json. R is not needed to run these
tests.

Tolerances. Both solutions are checked by the lasso's optimality (Karush-Kuhn-Tucker)
conditions (:func:`lifetools.prediction.lasso.lasso_kkt`, recomputed here from R's
coefficients). A violation ``v`` (largest over ``k`` active coefficients) puts a
solution within about ``sqrt(k) v / m`` of the exact one, ``m`` the smallest eigenvalue
of the information per person on the active set: ``m`` falls to 3.5e-4 at the smallest
penalties (correlated spline columns), so glmnet's violations of 1e-10 allow 1e-6 there.
Each coefficient test uses that bound (R's violation plus lifetools'), capped at 3e-6.
Measured: 8.2e-10 at lambda 0.005, at most 4.3e-8 along the path, where the bound is 1e-7
to 9e-7 (glmnet is the less exact: lifetools' violations are below 1e-10, glmnet's up
to 6e-10); on the synthetic data at most 5.6e-11 (bounds up to 7e-10). The penalty path: 1e-12 relative (the same formula in floating point). The
cross-validated deviance per person: 1e-9 relative (the deviance is flat at its
minimum, so coefficient errors of 1e-7 move it by far less; measured 1.3e-10 and
1e-12).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec
from lifetools.prediction.lasso import fit_lasso, fit_lasso_model, lasso_grid, lasso_kkt
from lifetools.prediction.model import _design
from lifetools.prediction.penalised import cv_folds
from lifetools.prediction.splines import rcs_knots

HERE = Path(__file__).parent
ALL = json.loads((HERE / "results" / "reference_glmnet.json").read_text())
BIRTHWT = pd.read_csv(HERE / "data" / "birthwt.csv")
SPEC = ModelSpec("low", splines={"age": 4, "lwt": 3},
                 linear=("race2", "race3", "smoke", "ht", "ui"))
SYNTHETIC = pd.read_csv(HERE / "data" / "lasso_synthetic.csv")
SYNTHETIC_SPEC = ModelSpec("y", linear=tuple(f"x{i}" for i in range(12)))
DATA = {"birthwt": (BIRTHWT, SPEC, ALL, (0.02, 0.005)),
        "synthetic": (SYNTHETIC, SYNTHETIC_SPEC, ALL["synthetic"], (0.05, 0.01))}
R = ALL


def synthetic_data() -> pd.DataFrame:
    """The fixed synthetic data set (600 people; written to lasso_synthetic.csv)."""
    rng = np.random.default_rng(20261201)
    n = 600
    z = rng.normal(size=(n, 6))
    x = z.copy()
    x[:, 1] = 0.7 * z[:, 0] + 0.7 * z[:, 1]  # correlated with x0, no effect of its own
    x[:, 4] = (z[:, 4] > 0.5).astype(float)  # binary
    x[:, 5] = np.exp(0.5 * z[:, 5])  # skewed
    lp = -0.8 + 0.6 * x[:, 0] + 0.3 * x[:, 2] - 0.4 * x[:, 4] + 0.1 * x[:, 5]
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    noise = rng.normal(size=(n, 6))  # six pure-noise columns
    frame = pd.DataFrame(np.column_stack([x, noise]),
                         columns=[f"x{i}" for i in range(12)]).round(6)
    frame.insert(0, "y", y)
    return frame


def design(name: str = "birthwt") -> tuple[np.ndarray, np.ndarray]:
    frame, spec, _, _ = DATA[name]
    knots = {c: rcs_knots(frame[c].to_numpy(dtype=float), k) for c, k in spec.splines.items()}
    x, _ = _design(frame, knots, spec.linear, {}, ())
    return x, frame[spec.outcome_col].to_numpy(dtype=float)


def tolerance(x: np.ndarray, y: np.ndarray, ours: np.ndarray, theirs: np.ndarray,
              penalty: float) -> float:
    """First-order bound on the distance between two near-solutions (module docstring)."""
    design_ = np.column_stack([np.ones(len(y)), x])
    active = ours != 0
    p = 1 / (1 + np.exp(-(design_ @ ours)))
    info = design_[:, active].T @ (design_[:, active] * (p * (1 - p))[:, None]) / len(y)
    violation = (lasso_kkt(x, y, ours, penalty).max()
                 + lasso_kkt(x, y, np.asarray(theirs), penalty).max())
    bound = float(np.sqrt(active.sum()) * violation / np.linalg.eigvalsh(info).min())
    assert bound < 3e-6, bound
    return bound


def test_synthetic_data_generator_gives_the_file_r_read_against_r():
    pd.testing.assert_frame_equal(synthetic_data(), SYNTHETIC, check_dtype=False, atol=0)


@pytest.mark.parametrize(("name", "which"), [("birthwt", 0), ("birthwt", 1),
                                             ("synthetic", 0), ("synthetic", 1)])
def test_fit_lasso_fixed_lambda_coefficients_against_r(name, which):
    # glmnet(x, y, "binomial", lambda = two values); birthwt measured 1.2e-11 and 8.2e-10
    # (bounds 1.2e-9 and 7.8e-8)
    x, y = design(name)
    _, _, r, penalties = DATA[name]
    penalty = penalties[which]
    reference = r[f"lambda_{penalty}"]
    assert reference["kkt"] < 1e-9
    beta = fit_lasso(x, y, penalty)
    np.testing.assert_allclose(beta, reference["coef"], rtol=0,
                               atol=tolerance(x, y, beta, reference["coef"], penalty))
    assert ((beta == 0) == (np.asarray(reference["coef"]) == 0)).all()
    assert (beta[1:] == 0).any()


@pytest.mark.parametrize("name", ["birthwt", "synthetic"])
def test_lasso_grid_penalty_path_against_r(name):
    # glmnet's default path with nlambda = 14, lambda.min.ratio = 1e-3 is lasso_grid's:
    # lambda_max = max_j |x_j'(y - mean y)| / (n s_j), then geometric steps
    x, y = design(name)
    np.testing.assert_allclose(lasso_grid(x, y), DATA[name][2]["path"]["lambda"], rtol=1e-12,
                               atol=0)


@pytest.mark.parametrize("name", ["birthwt", "synthetic"])
def test_fit_lasso_coefficients_along_path_against_r(name):
    # warm-started along the path as fit_lasso_model's cross-validation does; birthwt
    # measured largest difference over the 14 penalties 4.3e-8 (bounds 1e-13 to 9e-7)
    x, y = design(name)
    path = DATA[name][2]["path"]
    assert path["kkt"] < 1e-9
    beta = None
    for i, (lam, reference) in enumerate(zip(path["lambda"], path["coef"], strict=True)):
        beta = fit_lasso(x, y, lam, start=beta)
        assert lasso_kkt(x, y, beta, lam).max() < 1e-10
        np.testing.assert_allclose(beta, reference, rtol=0,
                                   atol=tolerance(x, y, beta, reference, lam))
        if i == 0:  # lambda_max: the first slope sits on its bound (a tie; measured 1e-15)
            assert np.all(np.abs(beta[1:]) < 1e-12)
        else:
            assert ((beta == 0) == (np.asarray(reference) == 0)).all()


@pytest.mark.parametrize("name", ["birthwt", "synthetic"])
def test_fit_lasso_model_cv_deviance_and_choice_same_folds_against_r(name):
    # cv.glmnet(..., foldid, type.measure = "deviance", lambda = path): cvm is the
    # out-of-fold deviance per person (fold means weighted by fold size), lifetools'
    # summed deviance / n; its risks stayed within [1e-5, 1 - 1e-5], so cv.glmnet's
    # clipping did not act. Same chosen penalty (lambda.min, interior to the path).
    frame, spec, r, _ = DATA[name]
    cv = r["cv"]
    assert (cv_folds(frame, 10, 20261130) + 1 == np.asarray(cv["foldid"])).all()
    assert 1e-5 < cv["min_risk"] and cv["max_risk"] < 1 - 1e-5
    model = fit_lasso_model(frame, spec, folds=10, seed=20261130)
    np.testing.assert_allclose(model.cv["penalty"], cv["lambda"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(model.cv["deviance"] / len(frame), cv["cvm"], rtol=1e-9,
                               atol=0)
    assert model.penalty == pytest.approx(cv["lambda_min"], rel=1e-12)
    assert cv["lambda"][0] > cv["lambda_min"] > cv["lambda"][-1]
    x, y = design(name)
    full = fit_lasso(x, y, model.penalty)
    np.testing.assert_allclose(np.r_[model.frozen.intercept, model.frozen.coefficients],
                               full, rtol=0, atol=0)
