"""Unit tests of lifetools.prediction (R comparisons: tests/reference/test_prediction_against_r.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifetools.prediction import (
    FrozenModel,
    ModelSpec,
    bootstrap_validation,
    drift_check,
    fit_prediction_model,
    minimum_sample_size,
    net_benefit,
    performance,
    performance_by_group,
    rcs_basis,
    rcs_centiles,
    rcs_knots,
    validate_frozen,
)


def cohort(n: int = 3000, seed: int = 1, shift: float = 0.0, slope: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.uniform(18, 90, n)
    honos = rng.integers(0, 40, n).astype(float)
    group = rng.choice(["a", "b", "c"], n)
    lp = -2.0 + 0.0004 * (age - 50) ** 2 + 0.05 * honos + 0.4 * (group == "b")
    y = (rng.random(n) < 1 / (1 + np.exp(-(shift + slope * lp)))).astype(int)
    return pd.DataFrame({"age": age, "honos": honos, "group": group, "y": y, "true_lp": lp})


SPEC = ModelSpec("y", splines={"age": 4}, linear=("honos",), categorical=("group",))


def test_minimum_sample_size_chagas_example_matches_riley_2019():
    # Riley et al. 2019 (Stat Med 38:1276), diagnostic model for Chagas disease: 24
    # parameters, prevalence 0.174, Cox-Snell R2 0.288 -> n = 662, EPP 4.8 (abstract)
    result = minimum_sample_size(parameters=24, prevalence=0.174, r2_cs=0.288)
    assert result.n == 662
    assert round(result.events_per_parameter, 1) == 4.8
    assert result.summary["n"].idxmax() == 1  # criterion (ii) binds


def test_minimum_sample_size_more_parameters_needs_more_people():
    small = minimum_sample_size(parameters=10, prevalence=0.2, r2_cs=0.1).n
    large = minimum_sample_size(parameters=40, prevalence=0.2, r2_cs=0.1).n
    assert large > small


def test_minimum_sample_size_impossible_r2_raises():
    with pytest.raises(ValueError, match="maximum"):
        minimum_sample_size(parameters=10, prevalence=0.01, r2_cs=0.3)


def test_rcs_basis_beyond_last_knot_is_linear():
    x = np.array([10.0, 11.0, 12.0, 13.0])
    basis = rcs_basis(x, (1.0, 3.0, 5.0, 7.0))
    second = np.diff(basis, n=2, axis=0)
    np.testing.assert_allclose(second, 0.0, atol=1e-9)


def test_rcs_centiles_are_where_rcs_knots_places_knots():
    # Harrell's default: 5, 27.5, 50, 72.5, 95 for 5 knots (rms::rcs, Hmisc::rcspline.eval)
    assert rcs_centiles(5) == (5.0, 27.5, 50.0, 72.5, 95.0)
    assert rcs_centiles(4) == (5.0, 35.0, 65.0, 95.0)
    x = np.random.default_rng(3).normal(50, 15, 2000)
    for k in (3, 4, 5, 6, 7):
        expected = np.quantile(x, np.asarray(rcs_centiles(k)) / 100)
        np.testing.assert_allclose(rcs_knots(x, k), expected, rtol=1e-9)
    with pytest.raises(ValueError, match="3 to 7"):
        rcs_centiles(8)


def test_fit_prediction_model_heuristic_shrinkage_keeps_mean_risk():
    data = cohort()
    result = fit_prediction_model(data, SPEC)
    lr, df = result.method["model_lr"], result.method["model_df"]
    assert result.frozen.shrinkage == pytest.approx((lr - df) / lr)
    assert result.frozen.predict_risk(data).mean() == pytest.approx(data["y"].mean(), rel=1e-8)
    ml = result.summary["estimate_ml"].to_numpy()[1:]
    np.testing.assert_allclose(result.summary["estimate"].to_numpy()[1:],
                               ml * result.frozen.shrinkage)


def test_frozen_model_json_round_trip_predicts_identically():
    data = cohort()
    frozen = fit_prediction_model(data, SPEC).frozen
    again = FrozenModel.from_json(frozen.to_json())
    np.testing.assert_array_equal(again.predict_risk(data), frozen.predict_risk(data))
    assert "true_lp" not in frozen.to_json()


def test_fit_prediction_model_missing_predictor_raises():
    data = cohort(200)
    data.loc[3, "honos"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        fit_prediction_model(data, SPEC)


def test_fit_prediction_model_outcome_not_binary_raises():
    data = cohort(200).assign(y=2)
    with pytest.raises(ValueError, match="0/1"):
        fit_prediction_model(data, SPEC)


def test_net_benefit_hand_example_matches_definition():
    # 10 people, 3 with the outcome; risks: cases .9 .6 .2, non-cases .7 .3 .1 x5.
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    p = np.array([.9, .6, .2, .7, .3, .1, .1, .1, .1, .1])
    table = net_benefit(y, p, (0.25, 0.5)).set_index("threshold")
    # at 0.25: treated .9 .6 .7 .3 -> TP 2, FP 2: 2/10 - 2/10 * 1/3
    assert table.loc[0.25, "model"] == pytest.approx(0.2 - 0.2 / 3)
    # at 0.5: treated .9 .6 .7 -> TP 2, FP 1: 0.2 - 0.1
    assert table.loc[0.5, "model"] == pytest.approx(0.1)
    assert table.loc[0.5, "treat_all"] == pytest.approx(0.3 - 0.7)
    assert (table["treat_none"] == 0).all()


def test_net_benefit_threshold_at_prevalence_treat_all_is_zero():
    y = np.array([1, 0, 0, 0])
    table = net_benefit(y, np.full(4, 0.5), (0.25,))
    assert table["treat_all"].iloc[0] == pytest.approx(0.0)


def test_drift_check_miscalibrated_risks_flagged_in_words():
    data = cohort(5000, seed=3)
    true = 1 / (1 + np.exp(-data["true_lp"]))
    held = drift_check(performance(data["y"], true))
    assert not held.drifted and held.verdict.startswith("Calibration held")
    assert "cannot be ruled out" not in held.verdict  # 5,000 people: narrow intervals
    small = cohort(300, seed=3)
    wide = drift_check(performance(small["y"], 1 / (1 + np.exp(-small["true_lp"]))))
    # estimates inside, an interval beyond: neither "held" nor "drifted" (issue 19)
    assert not wide.drifted and wide.state == "unclear"
    assert wide.verdict.startswith("The data cannot tell whether calibration held")
    assert "drift of that size cannot be ruled out" in wide.verdict
    assert "Calibration held" not in wide.verdict
    extreme = 1 / (1 + np.exp(-2 * data["true_lp"]))  # slope 0.5
    flagged = drift_check(performance(data["y"], extreme))
    assert flagged.drifted and "too extreme" in flagged.verdict
    high = 1 / (1 + np.exp(-(data["true_lp"] + 0.7)))
    over = drift_check(performance(data["y"], high))
    assert over.drifted and "over-predicts" in over.verdict


def test_performance_by_group_shifted_group_found_and_small_group_suppressed():
    data = cohort(6000, seed=4)
    risk = 1 / (1 + np.exp(-data["true_lp"]))
    risk = np.where(data["group"] == "c", 1 / (1 + np.exp(-(data["true_lp"] - 0.8))), risk)
    groups = np.where(np.arange(len(data)) < 15, "tiny", data["group"])
    table = performance_by_group(data["y"], risk, groups, min_count=10).set_index("group")
    assert table.loc["tiny", "suppressed"] and np.isnan(table.loc["tiny"].get("c", np.nan))
    assert table.loc["c", "citl_lower"] > 0          # under-predicted group: CI excludes 0
    assert table.loc["a", "citl_lower"] < 0 < table.loc["a", "citl_upper"]


def test_performance_by_group_miscalibrated_slope_interval_excludes_1_other_covers_1():
    # group "c"'s risks are too extreme (its true log-odds are half the predicted: true
    # calibration slope 0.5); "a" and "b" are predicted by the truth (slope 1)
    data = cohort(9000, seed=8)
    lp = np.where(data["group"] == "c", 2 * (data["true_lp"] + 1.2) - 1.2, data["true_lp"])
    groups = np.where(np.arange(len(data)) < 15, "tiny", data["group"])
    table = performance_by_group(data["y"], 1 / (1 + np.exp(-lp)), groups,
                                 min_count=10).set_index("group")
    assert table.loc["c", "slope_upper"] < 1 and 0.35 < table.loc["c", "slope"] < 0.65
    for fair in ("a", "b"):
        assert table.loc[fair, "slope_lower"] < 1 < table.loc[fair, "slope_upper"]
    # the same estimator and Wald interval as overall (performance), within the group
    mask = groups == "c"
    overall = performance(data["y"][mask], 1 / (1 + np.exp(-lp[mask]))).summary.set_index(
        "measure").loc["slope"]
    assert table.loc["c", ["slope", "slope_lower", "slope_upper"]].tolist() == [
        overall["estimate"], overall["ci_lower"], overall["ci_upper"]]
    assert table.loc["tiny", "suppressed"] and np.isnan(table.loc["tiny", "slope"])


def test_bootstrap_validation_same_seed_same_result_and_optimism_positive():
    data = cohort(800, seed=5)
    first = bootstrap_validation(data, SPEC, n_boot=20, seed=11)
    second = bootstrap_validation(data, SPEC, n_boot=20, seed=11)
    pd.testing.assert_frame_equal(first.summary, second.summary)
    assert first.summary.set_index("index").loc["slope", "optimism"] > 0


def test_validate_frozen_on_new_cohort_returns_performance():
    frozen = fit_prediction_model(cohort(seed=6), SPEC).frozen
    result = validate_frozen(frozen, cohort(seed=7), "y")
    assert result.n_people == 3000
    assert 0.5 < result.value("c") < 1


def test_frozen_model_unseen_category_level_raises():
    frozen = fit_prediction_model(cohort(), SPEC).frozen
    later = cohort(300, seed=8)
    later.loc[0, "group"] = "d"
    with pytest.raises(ValueError, match="not fitted with"):
        frozen.predict_risk(later)


def test_fine_gray_hazard_ratios_two_copies_pooled_by_rubins_rules_by_hand():
    from types import SimpleNamespace

    from lifetools.prediction.time_to_event import fine_gray_hazard_ratios

    # two copies: coef 0.2 and 0.4 (se 0.1 each): W = 0.01, B = 0.02,
    # T = W + 1.5 B = 0.04, r = 0.03 / 0.01 = 3, df = (1 + 1/3)^2 = 16/9
    fits = [SimpleNamespace(summary=pd.DataFrame({"term": ["x"], "coef": [b], "se": [0.1]}))
            for b in (0.2, 0.4)]
    row = fine_gray_hazard_ratios(fits).iloc[0]
    from scipy import stats

    t = stats.t.ppf(0.975, 16 / 9)
    assert row["estimate"] == pytest.approx(np.exp(0.3), rel=1e-12)
    assert row["se"] == pytest.approx(0.2, rel=1e-12)
    assert row["ci_lower"] == pytest.approx(np.exp(0.3 - t * 0.2), rel=1e-10)
    assert row["ci_upper"] == pytest.approx(np.exp(0.3 + t * 0.2), rel=1e-10)
    with pytest.raises(ValueError, match="no Fine-Gray"):
        fine_gray_hazard_ratios([])


def _performance(slope: tuple[float, float, float], citl: tuple[float, float, float]):
    from lifetools.prediction.performance import Performance

    rows = [("slope", *slope), ("citl", *citl)]
    return Performance(summary=pd.DataFrame(rows, columns=["measure", "estimate", "ci_lower",
                                                           "ci_upper"]),
                       n_people=1000, n_events=100, method={})


@pytest.mark.parametrize(("slope", "citl", "state", "says", "never"), [
    # both estimates and intervals inside the limits
    ((1.02, 0.9, 1.15), (0.05, -0.1, 0.18), "held",
     ["Calibration held: the calibration slope was 1.02 (95% CI 0.90 to 1.15)",
      "both estimates and both intervals inside the stated limits"],
     ["cannot", "drifted", "beyond"]),
    # the interval of the slope straddles the upper limit: the data cannot tell
    ((1.1, 0.95, 1.3), (0.0, -0.1, 0.1), "unclear",
     ["The data cannot tell whether calibration held",
      "the interval of the calibration slope reaches beyond them"],
     ["Calibration held", "has drifted", "within the stated limits"]),
    # both intervals straddle
    ((0.9, 0.7, 1.1), (0.1, -0.05, 0.25), "unclear",
     ["interval of the calibration slope and of calibration-in-the-large"],
     ["Calibration held", "has drifted"]),
    # a limit just beyond a stated limit keeps its side: "0.797", never "0.80", beside
    # "reaches beyond them" (the crisis page at 30,000 people, 2024-25: wave 40)
    ((0.91, 0.797, 1.03), (0.05, -0.13, 0.22), "unclear",
     ["the calibration slope was 0.91 (95% CI 0.797 to 1.03)", "0.05 (95% CI "
      "\u22120.13 to 0.22)", "the interval of the calibration slope and of "
      "calibration-in-the-large reaches beyond them"],
     ["0.80 to", "Calibration held"]),
    # estimate outside, interval reaching back inside (straddling from outside)
    ((0.75, 0.6, 0.9), (0.0, -0.1, 0.1), "drifted",
     ["Calibration has drifted: the calibration slope was 0.75 (95% CI 0.60 to 0.90), "
      "outside its limits, though its interval reaches back inside them: predicted "
      "risks are too extreme"], ["Calibration held", "cannot tell"]),
    # estimate and interval outside
    ((1.0, 0.9, 1.1), (0.4, 0.3, 0.5), "drifted",
     ["calibration-in-the-large (", "0.40 (95% CI 0.30 to 0.50) on the log-odds scale, "
      "outside its limits: the model under-predicts risk on average"],
     ["Calibration held", "though its interval"]),
])
def test_drift_check_one_verdict_from_the_computed_numbers_and_the_limits_stated(
        slope, citl, state, says, never):
    # issue 19: the verdict is generated from the estimates and intervals, states the
    # limits in plain words, and never says "held" beside an interval beyond the limits
    check = drift_check(_performance(slope, citl), slope_band=(0.8, 1.2),
                        citl_band=(-0.2, 0.2))
    assert check.state == state and check.drifted == (state == "drifted")
    for words in says:
        assert words in check.verdict, words
    for words in never:
        assert words not in check.verdict, words
    # each term's plain words once: the unclear verdict explained calibration-in-the-
    # large again where it named the wide interval (the landing page, wave 33)
    from lifetools.labels import TERMS

    assert all(check.verdict.count(f"({words})") <= 1 for words in TERMS.values())
    # the main point's one sentence: the same verdict, no number
    from lifetools.prediction.drift import CALIBRATION_WORDS, DRIFT_OPENINGS

    # (the headline gives calibration its plain words: it stands alone on the landing page)
    assert check.headline.replace(f" ({CALIBRATION_WORDS})", "").startswith(
        DRIFT_OPENINGS[state])
    assert check.verdict.startswith(DRIFT_OPENINGS[state])
    assert check.headline.endswith(".") and not any(c.isdigit() for c in check.headline)
    assert check.verdict.endswith(
        "The stated limits are a calibration slope from 0.8 to 1.2 and a "
        "calibration-in-the-large from \u22120.2 to 0.2 on the log-odds scale.")
    # the verdict passes both rules that read it: the publish gate's rule for prose,
    # with its terms explained as a page shows them (the TRIPOD checklist's label
    # column; "(1 means ...)" was refused there), the run's limits being parameters
    # stated beside their words; and the rule for a reason, as the key result records
    # it ("(a slope of one means ...)" was refused there: a number in words)
    from lifetools.disclosure.prose import RunParameters, prose_findings
    from lifetools.labels import explain_terms
    from lifetools.reports.sentences import reason_text

    words = {"slope_lower": ("calibration slope",), "slope_upper": ("calibration slope",),
             "citl_limit": ("calibration-in-the-large", "log-odds")}
    limits = RunParameters({"slope_lower": 0.8, "slope_upper": 1.2, "citl_limit": 0.2},
                           words=words)
    stated = "The stated" + check.verdict.split("The stated", 1)[1]
    assert prose_findings(explain_terms(stated), parameters=limits) == []
    assert str(reason_text(check.verdict)) == explain_terms(check.verdict)
    assert prose_findings(explain_terms(stated.replace(" and a", " (1 means ideal) and a")),
                          parameters=limits)  # the wording refused at the gate
    assert sum(check.verdict.count(o) for o in (
        "Calibration held", "cannot tell whether", "Calibration has drifted")) == 1


def test_drift_check_limits_written_as_set():
    check = drift_check(_performance((1.0, 0.95, 1.05), (0.0, -0.05, 0.05)),
                        slope_band=(0.75, 1.25), citl_band=(-0.3, 0.3))
    assert "from 0.75 to 1.25" in check.verdict and "from \u22120.3 to 0.3" in check.verdict


def test_drift_verdict_keeps_a_limit_off_perfect_calibration():
    # the 2023-24 crisis page said "1.16 (95% CI 1.00 to 1.31)" beside the models
    # table's "1.155 (0.998 to 1.312)" (wave 36)
    from types import SimpleNamespace

    summary = pd.DataFrame({"measure": ["slope", "citl"], "estimate": [1.155, 0.01],
                            "ci_lower": [0.998, -0.1], "ci_upper": [1.312, 0.12]})
    verdict = drift_check(SimpleNamespace(summary=summary)).verdict
    assert "1.16 (95% CI 0.998 to 1.31)" in verdict, verdict


def test_drift_headline_gives_calibration_its_plain_words():
    # the landing page's main point read "The data cannot tell whether calibration
    # held." with the term explained nowhere on the page (wave 37)
    from lifetools.prediction.drift import CALIBRATION_WORDS, DRIFT_HEADLINES

    for state, headline in DRIFT_HEADLINES.items():
        assert f"alibration ({CALIBRATION_WORDS})" in headline, state
        assert not any(ch.isdigit() for ch in headline)
