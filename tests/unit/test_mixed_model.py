"""The wellbeing mixed model (``regression/wellbeing.py``): designs it cannot fit,
its own convergence check, a boundary (singular) fit and its release."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from lifetools.convergence import TOO_FEW_TO_FIT


def test_mixed_model_singular_design_is_not_estimable_not_an_error():
    # everyone measured once: the random-intercept design is singular (seen on a
    # 2,000-person series build); the result says so instead of raising LinAlgError
    from lifetools.regression.wellbeing import fit_mixed_model

    once = pd.DataFrame({"person_id": list("abcd"), "swemwbs_metric": [20.0, 21, 22, 23],
                         "follow_up": [0.0, 0, 0, 0]})
    result = fit_mixed_model(once)
    assert not result.estimable and "singular" in result.reason
    assert result.summary["estimate"].isna().all()


def test_mixed_model_of_no_measurements_is_not_estimable_not_an_error():
    # no one with a baseline in a small locality's period (a 600-person extract): the
    # fit raised numpy's "zero-size array to reduction operation maximum"
    from lifetools.regression.wellbeing import fit_mixed_model

    none = pd.DataFrame({"person_id": pd.Series([], dtype=object),
                         "swemwbs_metric": pd.Series([], dtype=float),
                         "follow_up": pd.Series([], dtype=float)})
    result = fit_mixed_model(none)
    assert not result.estimable and result.reason == TOO_FEW_TO_FIT
    assert result.n == 0 and result.summary["estimate"].isna().all()
    assert list(result.summary["term"]) == ["Intercept", "follow_up"]


def _two_visits(seed: int, *, people: int = 300, person_sd: float = 3.5) -> pd.DataFrame:
    """A baseline and (for about half) a follow-up per person, random intercept."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"person_id": np.repeat(np.arange(people), 2),
                          "follow_up": np.tile([0.0, 1.0], people)})
    frame["swemwbs_metric"] = (20 + 2 * frame["follow_up"]
                               + rng.normal(0, 2.7, len(frame))
                               + np.repeat(rng.normal(0, person_sd, people), 2))
    dropped = (frame["follow_up"] == 1) & (rng.random(len(frame)) < 0.5)
    return frame[~dropped].reset_index(drop=True)


def test_mixed_convergence_bfgs_precision_loss_at_the_maximum_is_converged():
    # BFGS to a gradient of 1e-12 stops on precision loss here (statsmodels:
    # converged False) although it is at the maximum: the check says converged, and
    # fit_mixed_model's estimate equals that fit's. Whether BFGS reports the precision
    # loss depends on the last bits of the CPU's arithmetic (False on the CI machine,
    # True on an AMD EPYC with the same wheels), so the flag is set as it is there: the
    # check must not read it.
    import statsmodels.formula.api as smf

    from lifetools.regression.wellbeing import fit_mixed_model, mixed_convergence

    data = _two_visits(2)
    model = smf.mixedlm("swemwbs_metric ~ follow_up", data, groups=data["person_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True, method="bfgs", gtol=1e-12, maxiter=500)
    fit.converged = False
    check = mixed_convergence(model, fit)
    assert check["converged"] and check["step"] < 1e-6 and not check["singular"]
    result = fit_mixed_model(data)
    assert result.estimable and not result.warnings
    assert result.estimate("follow_up")[0] == pytest.approx(fit.fe_params["follow_up"],
                                                           rel=1e-9)
    assert result.extra["newton_step"] < 1e-6


def test_mixed_convergence_stopped_short_is_not_converged():
    # the same model stopped after 2 BFGS iterations from statsmodels' start: the
    # check refuses it (a large Newton step remains)
    import statsmodels.formula.api as smf

    from lifetools.regression.wellbeing import mixed_convergence

    data = _two_visits(0)
    model = smf.mixedlm("swemwbs_metric ~ follow_up", data, groups=data["person_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True, method="bfgs", maxiter=1)
    check = mixed_convergence(model, fit)
    assert not check["converged"] and check["step"] > 1e-3


@pytest.fixture(scope="module")
def boundary_fit():
    """200 people with no between-person variance and the mixed model fitted to them:
    the REML estimate on the boundary (about 4 s of CPU, made once for the two tests
    that read it; neither changes it)."""
    from lifetools.regression.wellbeing import fit_mixed_model

    data = _two_visits(1, people=200, person_sd=0.0)
    return data, fit_mixed_model(data)


def test_mixed_model_boundary_variance_is_reported_as_singular(boundary_fit):
    # no between-person variance to speak of (SD 0.3 against 3): the REML estimate is
    # on the boundary; kept (as lme4's singular fit) and said so in the warnings
    _, result = boundary_fit
    assert result.extra["singular"] and result.extra["group_variance"] < 1e-6
    assert result.estimable
    assert any(note.startswith("singular fit") for note in result.warnings)


def test_mixed_model_release_reads_the_fits_own_convergence_verdict(boundary_fit,
                                                                   monkeypatch):
    # a converged fit on the boundary (between-person variance 0) carries statsmodels'
    # converged=False and its "ConvergenceWarning: The MLE may be on the boundary":
    # the release check withheld it as "the fit did not converge" (the 2024-25
    # wellbeing page of a 12,000-person build); it reads fit_mixed_model's verdict
    from lifetools import regression
    from lifetools.disclosure import model_release
    from lifetools.regression.wellbeing import fit_mixed_model

    data, result = boundary_fit
    release = model_release(result, data=data.assign(observations=1),
                            event_col="observations", level_cols=["follow_up"])
    assert release.released, release.reasons
    assert result.extra["singular"] and result.extra["converged"]
    assert result.model.converged is False  # statsmodels' own verdict, not used
    assert any("ConvergenceWarning" in note for note in result.warnings)
    # and a fit the check refuses (no Newton step is small enough) is still withheld
    monkeypatch.setattr(regression.wellbeing, "MIXED_STEP_TOL", 0.0)
    data = _two_visits(2)
    refused = fit_mixed_model(data)
    assert not refused.extra["converged"] and not refused.estimable
    release = model_release(refused, data=data.assign(observations=1),
                            event_col="observations", level_cols=["follow_up"])
    assert not release.released
    assert "the fit did not converge" in release.reasons


@pytest.mark.slow  # 8 s at load 2-4 (a random slope on 200 people); `make test` runs it
def test_mixed_model_random_slope_with_two_visits_is_not_estimable_and_says_why():
    # two measurements a person: intercept variance, slope variance, their covariance
    # and the residual variance are four parameters for three moments
    from lifetools.regression.wellbeing import fit_mixed_model

    result = fit_mixed_model(_two_visits(1, people=200), random_slope=True)
    assert not result.estimable
    assert result.summary["estimate"].isna().all()
    assert "no strict maximum" in result.reason
