"""Bootstrap samples whose development fit does not converge are kept and counted.

A rare binary predictor (``rare``: 6 people, 2 of them with the outcome) separates the
outcome in a bootstrap sample that draws only its people without the outcome: the
maximum-likelihood coefficient of ``rare`` diverges (to minus infinity) and the Newton
iterations do not settle. ``rms::validate`` keeps such a sample (``lrm.fit`` reports it
converged); lifetools keeps it too and counts it in ``n_unreliable``. Checked against R
in ``tests/reference/test_validate_separation_against_r.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.disclosure.text import text_findings
from lifetools.prediction import ModelSpec, bootstrap_validation, fit_prediction_model
from lifetools.prediction._logit import fit_logit
from lifetools.prediction.intervals import two_stage_interval
from lifetools.prediction.lasso import fit_lasso_model
from lifetools.prediction.penalised import fit_ridge_model, ridge_fit
from lifetools.prediction.validation import BootstrapValidation
from lifetools.reports.crisis_internal import (
    OTHER_PARTS,
    UNRELIABLE_LIMIT,
    fit_reliability,
    other_fits,
)

SPEC = ModelSpec("y", linear=("x", "rare"))


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 120
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-0.5 + x)))).astype(int)
    rare = np.zeros(n, dtype=int)
    with_event, without = np.flatnonzero(y == 1)[:2], np.flatnonzero(y == 0)[:4]
    rare[with_event] = 1
    rare[without] = 1
    return pd.DataFrame({"y": y, "x": x, "rare": rare})


def _separated_sample(frame: pd.DataFrame) -> np.ndarray:
    """Every person except those with ``rare`` and the outcome (drawn once each)."""
    keep = np.flatnonzero(~((frame["rare"] == 1) & (frame["y"] == 1)).to_numpy())
    rows = np.r_[keep, keep[: len(frame) - len(keep)]]
    return np.sort(rows)


def _usable_samples(frame: pd.DataFrame) -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    drawn = []
    while len(drawn) < 3:
        rows = rng.integers(0, len(frame), len(frame))
        sample = frame.iloc[rows]
        if sample.loc[sample["rare"] == 1, "y"].nunique() == 2:  # no separation
            drawn.append(rows)
    return drawn


def test_separated_sample_does_not_converge(frame):
    full = fit_prediction_model(frame, SPEC, shrinkage="none")
    assert full.frozen.converged and full.model.converged
    separated = fit_prediction_model(frame.iloc[_separated_sample(frame)], SPEC,
                                     shrinkage="none")
    assert not separated.model.converged
    assert not separated.frozen.converged
    # the diverging coefficient stops where R's lrm.fit stops: large and negative
    assert separated.summary.set_index("term").loc["rare", "estimate_ml"] < -5


def test_bootstrap_validation_keeps_and_counts_a_separated_sample(frame):
    good = _usable_samples(frame)
    bad = _separated_sample(frame)
    with_bad = bootstrap_validation(frame, SPEC, samples=[good[0], bad, *good[1:]])
    without = bootstrap_validation(frame, SPEC, samples=good)
    assert with_bad.n_failed == 0 and with_bad.n_boot == 4 and with_bad.n_unreliable == 1
    assert without.n_unreliable == 0 and without.converged
    assert with_bad.unreliable_share == pytest.approx(0.25)
    # kept: the optimism is the mean over all four samples, the separated one included
    alone = bootstrap_validation(frame, SPEC, samples=[bad])
    expected = (3 * without.summary["optimism"] + alone.summary["optimism"]) / 4
    np.testing.assert_allclose(with_bad.summary["optimism"], expected, rtol=1e-12)
    assert not np.allclose(with_bad.summary["optimism"], without.summary["optimism"])


def test_fit_logit_stops_at_separation_only_when_asked(frame):
    bad = frame.iloc[_separated_sample(frame)]
    x, y = bad[["x", "rare"]].to_numpy(dtype=float), bad["y"].to_numpy(dtype=float)
    fit = fit_logit(x, y, stop_on_separation=True)
    assert not fit.converged and fit.coef[2] < -10
    constant = np.column_stack([x, np.zeros(len(y))])  # singular from the start: raises
    with pytest.raises(np.linalg.LinAlgError):
        fit_logit(constant, y, stop_on_separation=True)


def test_two_stage_interval_keeps_an_outer_sample_that_separates(frame):
    good = _usable_samples(frame)
    bad = _separated_sample(frame)
    inner = [np.arange(len(frame))[::-1], np.arange(len(frame))]
    result = two_stage_interval(frame, SPEC, samples=[[(bad, inner), (good[0], inner),
                                                       (good[1], inner)]])
    assert result.n_failed == 0 and result.n_outer == 3 and result.n_unreliable == 1


def test_penalised_fits_report_convergence(frame):
    bad = frame.iloc[_separated_sample(frame)]
    design = bad[["x", "rare"]].to_numpy(dtype=float)
    _, converged = ridge_fit(design, bad["y"].to_numpy(dtype=float), 0.0)
    assert not converged  # no penalty: the separated coefficient diverges
    assert not fit_ridge_model(bad, SPEC, penalty=0.0).frozen.converged
    assert fit_ridge_model(bad, SPEC, penalty=1.0).frozen.converged
    assert fit_lasso_model(bad, SPEC, penalty=0.01).frozen.converged




def _boot(n_boot: int, failed: int, unreliable: int) -> BootstrapValidation:
    return BootstrapValidation(summary=pd.DataFrame(), n_boot=n_boot, n_failed=failed,
                               method={}, n_unreliable=unreliable)


def _gate(text, n_boot: int = 200) -> list:
    return text_findings(str(text), [dict(s) for s in text.spans], "default",
                         {"n_boot": n_boot})


def test_fit_reliability_counts_says_kept_and_passes_the_gate():
    part = fit_reliability(_boot(198, 2, 10), others={"inner": 5, "lasso_folds": 2})
    assert (part.unreliable, part.drawn, part.others) == (12, 200, 7)
    assert part.share == pytest.approx(0.06) and not part.flagged
    words = str(part.text)
    assert "12 bootstrap samples could not be fitted reliably" in words
    assert "out of 200 bootstrap samples drawn" in words
    assert "include them, as R's rms::validate does" in words
    assert "7 more fits could not be fitted reliably: 5 of the nested bootstrap " \
        "interval's inner samples and 2 of the lasso model's cross-validation folds" in words
    assert "ridge" not in words  # a part with none is not listed
    assert "should not be relied on" not in words
    assert _gate(part.text) == []


def test_fit_reliability_one_sample_and_one_fit_in_the_singular():
    part = fit_reliability(_boot(200, 0, 1), others={"ridge_boot": 1})
    words = str(part.text)
    assert "1 bootstrap sample could not be fitted reliably" in words
    assert "include it, as R's rms::validate does; leaving it out" in words
    assert "1 more fit could not be fitted reliably: 1 of the ridge model's bootstrap " \
        "samples." in words
    assert "samples could not" not in words and "fits could not" not in words
    assert _gate(part.text) == []


def test_fit_reliability_flags_more_than_one_in_ten():
    at_limit = fit_reliability(_boot(200, 0, 20))  # exactly 10%: not flagged
    above = fit_reliability(_boot(199, 1, 20))      # 21 of 200
    assert not at_limit.flagged and above.flagged
    assert UNRELIABLE_LIMIT == 0.10
    assert "should not be relied on" in str(above.text)
    assert "more fits" not in str(above.text)  # nothing else unreliable: not said
    assert _gate(above.text) == []


def test_fit_reliability_every_sample_fitted_says_so():
    part = fit_reliability(_boot(200, 0, 0))
    assert not part.flagged and part.unreliable == 0
    assert "converged, and each of the 200 bootstrap samples" in str(part.text)
    assert _gate(part.text) == []
    nothing_else = fit_reliability(_boot(200, 0, 0), others=dict.fromkeys(OTHER_PARTS, 0))
    assert "Every fit in the rest of the resampling" in str(nothing_else.text)
    assert nothing_else.parts == tuple((k, 0) for k in OTHER_PARTS)


def test_fit_reliability_count_beyond_the_samples_drawn_is_caught_by_the_gate():
    # the gate allows a count up to the samples drawn, not beyond
    part = fit_reliability(_boot(500, 0, 300))
    assert _gate(part.text, n_boot=200) != []


def test_cross_validation_folds_that_separate_are_counted(frame):
    bad = frame.iloc[_separated_sample(frame)].reset_index(drop=True)
    ridge = fit_ridge_model(bad, SPEC, folds=3, grid=(0.0,), seed=1)
    assert ridge.method["cv_folds"] == 3
    assert ridge.method["cv_folds_unreliable"] == ridge.method["cv_fits_unreliable"] >= 1
    fine = fit_ridge_model(bad, SPEC, folds=3, grid=(1.0,), seed=1)
    assert fine.method["cv_folds_unreliable"] == 0
    lasso = fit_lasso_model(bad, SPEC, folds=3, seed=1)
    assert 0 <= lasso.method["cv_folds_unreliable"] <= 3


def test_fit_reliability_flags_a_development_fit_that_did_not_converge():
    boot = BootstrapValidation(summary=pd.DataFrame(), n_boot=200, n_failed=0, method={},
                               n_unreliable=0, converged=False)
    part = fit_reliability(boot)
    assert part.flagged and not part.development_converged
    words = str(part.text)
    # one sentence from both: never "each sample fitted reliably" alone
    assert words.startswith("The model developed on the whole cohort did not converge")
    assert "although each of the 200 bootstrap samples" in words
    assert "none of its performance figures should be relied on" in words
    assert _gate(part.text) == []


def test_fit_reliability_separated_development_cohort_says_the_model_did_not_converge(
        frame):
    # a real development cohort where the rare predictor separates the outcome: the
    # model on the whole cohort does not converge, whatever its bootstrap samples do
    bad = frame.iloc[_separated_sample(frame)].reset_index(drop=True)
    model = fit_prediction_model(bad, SPEC, shrinkage="heuristic")
    assert not model.frozen.converged
    boot = bootstrap_validation(bad, SPEC, n_boot=20, seed=2, shrinkage="heuristic")
    assert not boot.converged
    part = fit_reliability(boot, development_converged=model.frozen.converged)
    words = str(part.text)
    assert part.flagged
    assert "whole cohort did not converge" in words and "cohort converged" not in words
    assert _gate(part.text, n_boot=20) == []
    # the published model's own flag counts too, when the bootstrap's fit converged
    good = fit_reliability(_boot(200, 0, 0), development_converged=False)
    assert good.flagged and "did not converge" in str(good.text)


def test_fit_reliability_a_sample_that_failed_is_said_beside_a_converged_model(frame):
    good = _usable_samples(frame)
    boot = bootstrap_validation(frame, SPEC, samples=[good[0], _separated_sample(frame),
                                                      *good[1:]])
    assert boot.converged and boot.n_unreliable == 1
    part = fit_reliability(boot, development_converged=True)
    words = str(part.text)
    assert words.startswith("The model developed on the whole cohort converged; in the "
                            "internal validation, 1 bootstrap sample could not be fitted")
    assert "out of 4 bootstrap samples drawn" in words
    assert part.flagged  # 1 of 4 is above one in ten
    assert _gate(part.text, n_boot=4) == []


def test_fit_reliability_other_parts_counted_from_what_each_computed():
    from types import SimpleNamespace

    two_stage = SimpleNamespace(n_failed=1, n_unreliable=2, n_inner_failed=3,
                                n_inner_unreliable=40)
    ridge = SimpleNamespace(method={"bootstrap_failed": 0, "bootstrap_unreliable": 6,
                                    "cv_folds_unreliable": 1})
    lasso = SimpleNamespace(method={"bootstrap_failed": 2, "bootstrap_unreliable": 0,
                                    "cv_folds_unreliable": 0})
    parts = other_fits(two_stage, ridge, lasso)
    assert parts == {"outer": 3, "inner": 43, "ridge_boot": 6, "ridge_folds": 1,
                     "lasso_boot": 2, "lasso_folds": 0}
    part = fit_reliability(_boot(200, 0, 0), others=parts)
    words = str(part.text)
    assert part.others == 55
    assert ("55 more fits could not be fitted reliably: 3 of the nested bootstrap "
            "interval's outer samples, 43 of the nested bootstrap interval's inner "
            "samples, 6 of the ridge model's bootstrap samples, 1 of the ridge model's "
            "cross-validation folds at its chosen penalty and 2 of the lasso model's "
            "bootstrap samples.") in words
    assert _gate(part.text) == []
    with pytest.raises(ValueError, match="unknown parts"):
        fit_reliability(_boot(200, 0, 0), others={"elsewhere": 1})

def test_bootstrap_within_imputed_copies_counts_every_copys_unreliable_samples(frame):
    # MI-boot (the report's default internal validation) summed n_boot and n_failed over
    # the copies but dropped n_unreliable, so the page said every sample was fitted
    # reliably whatever happened (issue 19)
    from lifetools.prediction.imputation import bootstrap_validation_imputed

    shuffled = frame.sample(frac=1.0, random_state=5).reset_index(drop=True)
    copies = [frame, shuffled]
    pooled = bootstrap_validation_imputed(copies, SPEC, n_boot=60, seed=7)
    each = [bootstrap_validation(c, SPEC, n_boot=30, seed=7 + i) for i, c in enumerate(copies)]
    assert pooled.n_unreliable == sum(b.n_unreliable for b in each)
    assert pooled.n_unreliable > 0  # about one sample in seven draws no rare event
    assert pooled.n_boot + pooled.n_failed == 60
