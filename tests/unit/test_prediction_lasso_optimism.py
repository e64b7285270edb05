"""The lasso's optimism correction with its penalty re-chosen in every bootstrap sample.

Known answers: pure-noise predictors (every model's true C is 0.5, so the optimism is
the whole excess of the apparent C) and ample data from a known risk model (the
optimism is near 0 and the corrected C is near the true risks' expected C). The
solver's exact step on the support is checked against the lasso solution found by
enumerating every support and sign pattern of a small problem.
"""

from __future__ import annotations

import itertools
import math
import sys
import threading

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import ModelSpec, bootstrap_validation
from lifetools.prediction.lasso import (
    _coordinate_descent,
    _support_step,
    fit_lasso_model,
)
from lifetools.prediction.penalised import cv_folds
from lifetools.synthetic.crisis import expected_c_statistic


def brute_force(gram: np.ndarray, cross: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Minimise ``b'Gb/2 - c'b + sum(w|b|)`` by trying every support and sign pattern."""
    p = len(cross)
    best, value = None, np.inf
    for signs in itertools.product((-1, 0, 1), repeat=p - 1):
        s = np.r_[1.0, signs]  # the intercept (weight 0) is always in the support
        idx = np.flatnonzero(s != 0)
        idx_signs = np.r_[0.0, np.asarray(signs, dtype=float)][idx]
        x = np.linalg.solve(gram[np.ix_(idx, idx)], cross[idx] - weights[idx] * idx_signs)
        if np.any(np.sign(x[1:]) != idx_signs[1:]):
            continue
        b = np.zeros(p)
        b[idx] = x
        f = b @ gram @ b / 2 - cross @ b + weights @ np.abs(b)
        if f < value:
            best, value = b, f
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coordinate_descent_correlated_columns_equals_enumerated_solution(seed):
    # highly correlated columns (as spline terms are): coordinate descent alone crawls
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(300, 1))
    x = np.column_stack([np.ones(300), z + 0.05 * rng.normal(size=(300, 5)),
                         rng.normal(size=(300, 2))])
    gram = x.T @ x / 300
    cross = gram @ np.r_[0.2, 1.0, -0.8, 0.0, 0.3, 0.0, 0.5, 0.0] + 0.05 * rng.normal(size=8)
    weights = np.r_[0.0, np.full(7, 0.05)]
    expected = brute_force(gram, cross, weights)
    found = np.asarray(_coordinate_descent(gram, cross, weights, np.zeros(8)))
    np.testing.assert_allclose(found, expected, atol=1e-10)
    assert ((found == 0) == (expected == 0)).all() and (expected[1:] == 0).any()


def coordinate_descent_loops(gram, cross, weights, start) -> list[float]:
    """:func:`_coordinate_descent` as it was written with a Python loop over each row:
    the specification of its arithmetic (the same additions in the same order)."""
    g, c, lam = gram.tolist(), cross.tolist(), weights.tolist()
    b = [float(v) for v in start]
    p = len(b)
    fitted = [sum(g[j][k] * b[k] for k in range(p)) for j in range(p)]
    pattern: list[int] = []
    for _sweep in range(1000):
        largest = 0.0
        for j in range(p):
            curvature = g[j][j]
            if curvature <= 0:
                continue
            old = b[j]
            rho = c[j] - fitted[j] + curvature * old
            value = (rho if j == 0 else
                     math.copysign(max(abs(rho) - lam[j], 0.0), rho)) / curvature
            if value != old:
                change = value - old
                for k in range(p):
                    fitted[k] += g[j][k] * change
                b[j] = value
                largest = max(largest, abs(change))
        if largest < 1e-13:
            break
        now = [(v > 0) - (v < 0) for v in b]
        if now == pattern:
            b, solved = _support_step(gram, cross, weights, b)
            if solved:
                return b
            fitted = [sum(g[j][k] * b[k] for k in range(p)) for j in range(p)]
            now = [(v > 0) - (v < 0) for v in b]
        pattern = now
    return b


def correlated_problem(rng: np.random.Generator, p: int, penalty: float):
    """A weighted least-squares step with ``p`` coefficients, half of them correlated."""
    z = rng.normal(size=(300, 1))
    x = np.column_stack([np.ones(300), z + 0.05 * rng.normal(size=(300, p // 2)),
                         rng.normal(size=(300, p - 1 - p // 2))])
    gram = x.T @ (x * rng.uniform(0.05, 0.25, size=(300, 1))) / 300
    cross = gram @ rng.normal(size=p) * 0.5 + 0.01 * rng.normal(size=p)
    return gram, cross, np.r_[0.0, np.full(p - 1, penalty)]


def test_coordinate_descent_same_floats_as_the_loop_over_each_row():
    # bit for bit, signed zeros included: the published crisis numbers must not move
    rng = np.random.default_rng(39)
    for p, penalty in itertools.product((2, 5, 15, 24), (0.0, 1e-4, 0.003, 0.03, 0.3)):
        for _ in range(4):
            gram, cross, weights = correlated_problem(rng, p, penalty)
            start = np.where(rng.random(p) < 0.5, 0.0, rng.normal(size=p))
            found = _coordinate_descent(gram, cross, weights, start)
            expected = coordinate_descent_loops(gram, cross, weights, start)
            assert [(v, math.copysign(1.0, v)) for v in found] == [
                (v, math.copysign(1.0, v)) for v in expected], (p, penalty)
            assert all(type(v) is float for v in found)


def line_events(function, *args) -> int:
    """Python line events in ``function``'s module while ``function(*args)`` runs,
    traced in a thread of its own (this thread's tracer, coverage's in ``make test``,
    is left alone)."""
    module, count, failed = function.__code__.co_filename, [0], []

    def in_module(frame, event, arg):
        if event == "line":
            count[0] += 1
        return in_module

    def tracer(frame, event, arg):
        return in_module if frame.f_code.co_filename == module else None

    def run():
        sys.settrace(tracer)
        try:
            function(*args)
        except Exception as error:  # noqa: BLE001 - raised again in the test's thread
            failed.append(error)
        finally:
            sys.settrace(None)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return count[0]


def test_coordinate_descent_python_lines_do_not_grow_with_each_row_element():
    # the test suite runs under coverage's line tracer, which pays for every Python
    # line: with a Python loop over each row (coordinate_descent_loops) this
    # 32-coefficient problem took 11,204 line events, and the crisis report about twice
    # its untraced CPU; with the row sums made by map, 2,267
    gram, cross, weights = correlated_problem(np.random.default_rng(1), 32, 0.01)
    assert line_events(_coordinate_descent, gram, cross, weights, np.zeros(32)) < 5000


def test_support_step_wrong_sign_drops_coefficient_and_objective_falls():
    gram = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.9], [0.0, 0.9, 1.0]])
    cross = np.array([0.1, 0.5, 0.3])
    weights = np.array([0.0, 0.1, 0.1])
    start = [0.1, 0.2, 0.2]  # both slopes positive: the exact step says the third is not

    def objective(b: np.ndarray) -> float:
        return float(b @ gram @ b / 2 - cross @ b + weights @ np.abs(b))

    b, solved = _support_step(gram, cross, weights, start)
    assert solved and b[2] == 0.0 and objective(np.asarray(b)) < objective(np.asarray(start))
    np.testing.assert_allclose(b, brute_force(gram, cross, weights), atol=1e-12)


def test_cv_folds_distinct_rows_as_before_bootstrap_copies_kept_together():
    frame = pd.DataFrame({"a": np.arange(50.0)}, index=np.arange(100, 150))
    # an ordinary frame: the row permutation of earlier releases (published penalties)
    np.testing.assert_array_equal(cv_folds(frame, 5, 7),
                                  np.random.default_rng(7).permutation(50) % 5)
    rows = np.random.default_rng(1).integers(0, 50, 50)
    sample = frame.iloc[rows]
    folds = pd.Series(cv_folds(sample, 5, 7), index=sample.index)
    assert folds.groupby(level=0).nunique().max() == 1  # every person's copies in one fold
    assert sample.index.duplicated().any() and folds.nunique() == 5


NAMES = tuple(f"x{i}" for i in range(20))
SPEC = ModelSpec("y", linear=NAMES)


def lasso(data: pd.DataFrame, knots: dict | None):
    return fit_lasso_model(data, SPEC, folds=5, seed=1, knots=knots).frozen


@pytest.mark.slow  # 21 cross-validated lasso choices: 7 s on the loaded machine
def test_lasso_optimism_pure_noise_small_sample_positive_and_towards_half():
    # 100 people, 20 noise predictors: every model's true C is 0.5
    rng = np.random.default_rng(1)
    data = pd.DataFrame(rng.normal(size=(100, 20)), columns=NAMES).assign(
        y=(rng.random(100) < 0.4).astype(float))
    boot = bootstrap_validation(data, SPEC, n_boot=20, seed=1, develop=lasso)
    c = boot.summary.set_index("index").loc["c"]
    # measured: apparent 0.713, optimism 0.034 (0.097 when cross-validation split a
    # person's bootstrap copies between folds); the average over seeds is in
    # tests/truth/test_prediction_lasso_optimism_truth.py
    assert c["apparent"] > 0.65 and 0.02 < c["optimism"] < 0.08
    assert abs(c["corrected"] - 0.5) < abs(c["apparent"] - 0.5)
    assert boot.n_failed == 0 and boot.n_boot == 20


@pytest.mark.slow  # 11 cross-validated lasso choices on 4,000 people: 7 s
def test_lasso_optimism_ample_data_near_zero_and_corrected_c_near_truth():
    # 4,000 people, 3 real and 7 noise predictors: overfitting is slight
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4000, 10))
    lp = -1.0 + x[:, :3] @ np.array([0.8, -0.5, 0.3])
    risk = 1 / (1 + np.exp(-lp))
    names = tuple(f"x{i}" for i in range(10))
    spec = ModelSpec("y", linear=names)
    data = pd.DataFrame(x, columns=names).assign(y=(rng.random(4000) < risk).astype(float))
    boot = bootstrap_validation(
        data, spec, n_boot=10, seed=2,
        develop=lambda d, k: fit_lasso_model(d, spec, folds=5, seed=1, knots=k).frozen)
    c = boot.summary.set_index("index").loc["c"]
    assert abs(c["optimism"]) < 0.005
    # the true risks' C is the best any model can expect; the sample C's SE is about 0.009
    assert abs(c["corrected"] - expected_c_statistic(risk)) < 0.02
    slope = boot.summary.set_index("index").loc["slope"]
    assert abs(slope["optimism"]) < 0.05
