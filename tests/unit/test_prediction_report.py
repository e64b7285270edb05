"""The crisis-risk cohort (hand-built tables) and report (small synthetic dataset)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from lifetools.cohort.crisis import build_crisis_cohort
from lifetools.disclosure.withheld import headline_of
from lifetools.labels import VALUE_LABELS, column_label
from lifetools.prediction import FrozenModel
from lifetools.reports.crisis_models import corrected_column
from lifetools.reports.prediction import analyse_crisis_risk
from lifetools.synthetic import write_synthetic

D = pd.Timestamp


def number(text: str) -> float:
    """A number as a page shows it: a negative one with the minus sign (U+2212)."""
    return float(str(text).replace("\u2212", "-"))


def crisis_notebook(shown, cells=(), *, profile=None):
    """The crisis notebook as the gate reads it: ``cells`` then a code cell per shown
    table with its display output, the notebook's metadata naming its profile."""
    import nbformat

    cells = list(cells)
    for obj in shown:
        cell = nbformat.v4.new_code_cell("lt.tables.show_table(...)")
        data, metadata = obj._repr_mimebundle_()
        cell.outputs = [nbformat.from_dict({"output_type": "display_data", "data": data,
                                            "metadata": metadata})]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["lifetools"] = {"notebook": "07_crisis_risk.ipynb",
                                **({"sdc_profile": profile} if profile else {})}
    return nb


def tiny() -> SimpleNamespace:
    """Eight people; index date 2024-04-01. Expected below, person by person."""
    ids = list("ABCDEFGH")
    people = pd.DataFrame({
        "person_id": ids, "year_of_birth": [1980] * 8, "sex": ["2", "1"] * 4,
        "ethnic_category": ["A"] * 8, "lsoa_code": ["L1"] * 8,
        "date_of_death": [pd.NaT, pd.NaT, D("2024-04-20"), pd.NaT, pd.NaT, D("2024-01-01"),
                          pd.NaT, pd.NaT]})
    referrals = pd.DataFrame({
        "referral_id": [f"r{i}" for i in range(8)], "person_id": ids,
        "referral_date": [D("2023-01-01")] * 8,
        "rejection_date": [pd.NaT] * 4 + [D("2023-01-05")] + [pd.NaT] * 3,
        "discharge_date": [pd.NaT, pd.NaT, pd.NaT, D("2024-03-01")] + [pd.NaT] * 4,
        "team_type": ["A06"] * 8, "honos_baseline": [10.0, np.nan] * 4})
    ae = pd.DataFrame({
        "person_id": ["B", "H", "A"],
        "arrival_date": [D("2025-05-10"), D("2024-06-01"), D("2023-12-01")],
        "mh_related": pd.array([True, True, False], dtype="boolean"),
        "duplicate_flag": pd.array([False, True, False], dtype="boolean"),
        "attendance_category": ["1", "1", "1"], "department_type": ["01", "01", "01"]})
    admissions = pd.DataFrame({
        "person_id": ["A", "G"], "admission_date": [D("2024-04-11"), D("2024-05-01")],
        "primary_diagnosis": ["F32.1", "J18.9"]})
    return SimpleNamespace(
        people=people, referrals=referrals, ae_attendances=ae,
        emergency_admissions=admissions,
        deprivation=pd.DataFrame({"lsoa_code": ["L1"], "imd_quintile": [1]}),
        life_rooms_contacts=pd.DataFrame({"person_id": ["C"],
                                          "contact_date": [D("2024-02-01")]}))


def test_build_crisis_cohort_hand_built_tables_expected_people_and_outcomes():
    cohort = build_crisis_cohort(tiny(), index_date="2024-04-01")
    data = cohort.data.set_index("person_id")
    # D discharged before, E rejected, F dead before the index date: not in the cohort
    assert sorted(data.index) == ["A", "B", "C", "G", "H"]
    assert cohort.flow["n"].tolist()[:2] == [6, 5]
    # A: F-chapter emergency admission in the year; B: MH A&E after the year;
    # C: died first; G: non-F admission; H: duplicate MH attendance
    assert data["crisis"].to_dict() == {"A": 1, "B": 0, "C": 0, "G": 0, "H": 0}
    assert data["died_first"].to_dict() == {"A": 0, "B": 0, "C": 1, "G": 0, "H": 0}
    assert data.loc["A", "prior_ae"] == 1 and data.loc["B", "prior_ae"] == 0
    assert data.loc["C", "life_rooms"] == 1 and data.loc["A", "life_rooms"] == 0
    assert data.loc["B", "honos_recorded"] == 0 and data.loc["A", "honos"] == 10
    assert data.loc["A", "age"] == 44 and data.loc["A", "imd_q1"] == 1
    # times: A's admission on 11 April is day 11, C's death on 20 April day 20
    assert data["event_type"].to_dict() == {"A": 1, "B": 0, "C": 2, "G": 0, "H": 0}
    assert data["days_to_event"].to_dict() == {"A": 11, "B": 365, "C": 20, "G": 365,
                                               "H": 365}


@pytest.fixture(scope="module")
def crisis_data(tmp_path_factory):
    from lifetools.loading import load_dataset

    folder = tmp_path_factory.mktemp("crisis")
    # seed 23: the 2024-25 model withheld (fewer than 10 crises in a level) and the
    # 2023-24 one released under report_2023's profile, as seed 21 gave them until wave
    # 61's data (referrals up to the extract date), which release both at seed 21
    write_synthetic(folder, people=8000, seed=23)
    return load_dataset(folder)


@pytest.fixture(scope="module")
def report(crisis_data):
    # MI-boot, the other method (the default boot-MI: test_analyse_crisis_risk_boot_mi_*)
    return analyse_crisis_risk(crisis_data, period_start="2024-04-01",
                               period_end="2025-03-31", n_boot=20, imputations=3,
                               internal="mi-boot")


@pytest.fixture(scope="module")
def report_2023(crisis_data):
    """The 2023-24 edition's report (developed on 2022-23) from the same data, under a
    profile whose model rule needs 5 events per level, so that its models are released
    (the 2024-25 report above withholds them: fewer than 10 crises in a level)."""
    from dataclasses import replace

    from lifetools.disclosure.profiles import PROFILES, use_profile

    PROFILES["test-few-events"] = replace(PROFILES["default"], name="test-few-events",
                                          model_min_events=5)
    try:  # registered while the module's tests read the report (its texts name it)
        with use_profile("test-few-events"):
            made = analyse_crisis_risk(crisis_data, period_start="2023-04-01",
                                       period_end="2024-03-31", n_boot=20, imputations=3,
                                       internal="mi-boot")
        yield made
    finally:
        del PROFILES["test-few-events"]


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_synthetic_data_all_parts_present(report):
    names = {k["name"] for k in report.key_results}
    assert {"c_validation", "slope_validation", "drift_verdict", "required_people",
            "fit_reliability"} <= names
    reliability = {k["name"]: k for k in report.key_results}["fit_reliability"]
    assert isinstance(reliability["value"], bool)  # flagged or not, said in words
    assert "bootstrap samples" in str(reliability["text"])
    from lifetools.prediction.validation import DRIFT_OPENINGS

    assert report.drift.verdict.startswith(DRIFT_OPENINGS[report.drift.state])
    assert len(report.decision) == 9 and (report.decision["treat_none"] == 0).all()
    assert report.sample_size["people needed"].min() > 0
    frozen = FrozenModel.from_json(report.model_json)
    assert frozen.terms[0] == "age" and "years_in_care" in frozen.knots


def test_analyse_crisis_risk_release_levels_read_as_whole_numbers(report):
    # the imputed binary predictors are float columns: their levels read "0.0" and
    # "1.0" in the model-counts table beside the other predictors' "0" and "1"
    levels = report.release_levels
    assert {"female", "white", "imd_q1"} <= set(levels["variable"])
    assert set(levels["level"].astype(str)) <= {"0", "1", "all"}, levels


def test_whole_levels_keeps_missing_and_leaves_fractions_alone():
    from lifetools.reports.prediction import _whole_levels

    data = pd.DataFrame({"a": [0.0, 1.0, np.nan], "b": [0.5, 1.0, 0.0], "c": [0, 1, 1],
                         "d": [0.0, 2.0, 3.0]})
    out = _whole_levels(data, ["a", "b", "c", "d"])
    assert list(out["a"].iloc[:2]) == [0, 1] and pd.isna(out["a"].iloc[2])
    assert all(type(v) is int for v in out["a"].iloc[:2])
    # a whole-valued count stays numeric: the release check reads it as a linear term
    assert all(out[c].equals(data[c]) for c in "bcd")


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_published_tables_carry_no_person_rows(report):
    development, validation = report.cohorts
    for table in (report.flow, report.coefficients, report.knots, report.internal,
                  report.temporal, report.calibration, report.internal_calibration,
                  report.decision, report.fairness):
        assert "person_id" not in table.columns
        assert len(table) < 50
    fair = report.before_release["fairness"]
    suppressed = fair["C-statistic (95% CI)"].str.startswith("suppressed")
    few = np.minimum(fair["crises"], fair["people"] - fair["crises"]) < 10
    assert (suppressed == few).all() and suppressed.any()


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_internal_calibration_corrected_on_round_risks(report):
    # issue 19 item 4: the optimism-corrected calibration curve of the internal
    # validation (MI-boot, rms::calibrate's correction) at whole-percent risks (no
    # person's predicted risk), at most GRID_POINTS of them; overfitting shrinks the
    # corrected curve towards the mean: flatter than the apparent one
    from lifetools.reports.crisis_internal import GRID_POINTS

    curve = report.before_release["internal_calibration"]
    assert list(curve.columns) == ["predicted", "apparent", "corrected"]
    assert 3 <= len(curve) <= GRID_POINTS
    np.testing.assert_allclose(curve["predicted"] * 100, np.round(curve["predicted"] * 100),
                               atol=1e-9)
    assert not np.allclose(curve["apparent"], curve["corrected"])
    slope = np.polyfit(curve["predicted"], curve["corrected"], 1)[0]
    assert slope < np.polyfit(curve["predicted"], curve["apparent"], 1)[0]


def test_internal_calibration_grid_whole_percents_within_the_middle_risks():
    from lifetools.reports.crisis_internal import GRID_POINTS, internal_calibration_grid

    risk = np.random.default_rng(2).beta(2, 8, 5000)
    grid = internal_calibration_grid(risk)
    low, high = np.quantile(risk, [0.05, 0.95])
    assert grid[0] >= low and grid[-1] <= high and len(grid) <= GRID_POINTS
    np.testing.assert_allclose(grid * 100, np.round(grid * 100), atol=1e-9)
    assert len(internal_calibration_grid(np.full(100, 0.2))) == 2  # no spread: two ends


def test_analyse_crisis_risk_short_period_raises():
    with pytest.raises(ValueError, match="365-day prediction horizon"):
        analyse_crisis_risk(tiny(), period_start="2024-04-01", period_end="2024-09-30")


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_prediction_figures_are_marked(report):
    import matplotlib

    matplotlib.use("Agg")
    from lifetools import plots
    from lifetools.publication import is_marked

    calibration = plots.plot_calibration_curve(report.calibration).figure
    decision = plots.plot_decision_curve(report.decision).figure
    assert is_marked(calibration) and is_marked(decision)
    # at 8,000 people the logistic model is withheld: its curves are not drawn
    from lifetools.disclosure.models import WITHHELD_COLUMN

    why = report.calibration.frame[WITHHELD_COLUMN].iloc[0]
    assert [line.get_label() for line in calibration.axes[0].get_lines()] == [
        "Perfect calibration"]
    assert "Model" not in [line.get_label() for line in decision.axes[0].get_lines()]
    assert calibration._lifetools_alt.endswith(f"is not shown: {why}.")
    assert decision._lifetools_alt.endswith(f"is not shown: {why}.")


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_missing_honos_imputed_and_characteristics_protectable(report):
    from lifetools.disclosure import protect_counts

    development, validation = report.cohorts
    missing = report.before_release["missing"].set_index("predictor")
    honos, age = VALUE_LABELS["honos"], VALUE_LABELS["age"]  # the page's words
    assert missing.loc[honos, "missing, development"] == (
        development.data["honos_recorded"] == 0).sum()
    assert missing.loc[honos, "handling"] == "multiple imputation (3 copies)"
    assert 0 < number(missing.loc[honos, "fraction of missing information"]) < 1
    assert missing.loc[age, "handling"] == "none missing"
    assert "honos_recorded" not in FrozenModel.from_json(report.model_json).terms
    table = report.characteristics.set_index("characteristic")
    assert table.loc["People", "development"] == len(development.data)
    assert table.loc["Crisis within 12 months", "validation"] == validation.data["crisis"].sum()
    protected = protect_counts(report.characteristics, ["development", "validation"])
    assert len(protected.frame) == len(report.characteristics)
    assert report.continuous.frame.shape == (4, 3)


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_ridge_beside_shrunk_logistic_same_measures(report):
    table = report.before_release["comparison"].set_index("measure")  # its numbers
    assert list(table.index) == ["C-statistic", "Calibration slope",
                                 "Calibration-in-the-large (log-odds)", "Brier score"]
    internal = report.before_release["internal"].set_index("measure")
    corrected = corrected_column("shrunk logistic", "2023-24", copies=3)
    assert table.loc["C-statistic", corrected] == (
        f"{internal.loc['C-statistic', 'corrected']} ("
        f"{internal.loc['C-statistic', 'optimism-corrected: 95% CI (location-shifted bootstrap)']})")
    assert table.loc["Calibration slope", corrected] == (
        f"{internal.loc['Calibration slope', 'corrected']} "
        "(no interval computed for this comparison)")
    # MI-boot here as in the internal validation (the fixture's): one bootstrap
    assert "MI-boot: bootstrap within each imputed copy" in corrected
    key = {str(k["name"]): str(k.get("text")) for k in report.key_results}
    assert key["comparison_method"].endswith(
        "as the internal validation above does; the calibration measures' intervals "
        "are given there, none here.")
    temporal = report.before_release["temporal"].set_index("measure")
    assert table.loc["C-statistic", "shrunk logistic, 2024-25 (95% CI)"] == temporal.loc[
        "C-statistic", "estimate (95% CI)"]
    # a negative number is written with a minus sign (U+2212), as every page writes it
    # (seed 23's calibration-in-the-large; seed 21's, before wave 61, was positive)
    assert table["ridge, 2024-25 (95% CI)"].str.match("^0\\.\\d{3}|^[-\u2212]?\\d").all(), \
        table["ridge, 2024-25 (95% CI)"].tolist()
    assert any(k["name"] == "ridge_penalty" for k in report.key_results)


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_lasso_optimism_corrected_and_said_why_not_published(
        report_2023):
    from lifetools.disclosure import ProtectedText

    report = report_2023  # models released: the sentence states its numbers
    table = report.comparison.frame.set_index("measure")
    lasso = table["lasso, 2023-24 (95% CI)"]
    assert lasso.loc["C-statistic"].startswith("0.") and " to " in lasso.loc["C-statistic"]
    # issue 19: the lasso is optimism-corrected with its penalty re-chosen per sample
    corrected = table[corrected_column("lasso", "2022-23", copies=3)]
    assert 0.5 < number(corrected.loc["C-statistic"].split(" (")[0]) < 1
    assert corrected.loc["C-statistic"] != table.loc[
        "C-statistic", corrected_column("ridge", "2022-23", copies=3)]
    key = {k["name"]: k for k in report.key_results}
    sentence = key["lasso_sentence"]["text"]
    assert isinstance(sentence, ProtectedText)
    terms = len(FrozenModel.from_json(report.model_json).terms)
    zeros = key["lasso_sentence"]["value"]
    assert f"kept {terms - zeros} coefficients and removed {zeros}." in sentence
    # n_boot=20 over 3 imputed copies: at least 10 samples per copy, 30 in all
    assert "choice of penalty, and so the selection of predictors, in each of 30 " \
           "bootstrap samples" in sentence
    assert "published model stays the shrunk logistic model" in sentence
    assert "minutes" not in sentence
    item = report.checklist.set_index("item").loc["12g", "reported"]
    assert "lasso logistic, penalty" in item and "re-chosen in each of 30 bootstrap" in item
    # the checklist writes the penalty as the page does, through one formatter (it
    # wrote "0.00195831" beside the page's "0.00196")
    page = str(key["lasso_penalty"]["text"])
    assert f"lasso logistic, penalty {page} by" in item, (page, item)


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_fine_gray_beside_logistic_in_next_edition(report):
    from lifetools.reports.crisis_models import FINE_GRAY_COLUMN, LOGISTIC_COLUMN

    table = report.before_release["time_to_event"].set_index("measure")
    fg = table[FINE_GRAY_COLUMN]
    assert fg.loc["C-statistic"].startswith("0.") and "to" in fg.loc["C-statistic"]
    logistic = table[LOGISTIC_COLUMN]
    temporal = report.before_release["temporal"].set_index("measure")["estimate (95% CI)"]
    assert logistic.loc["C-statistic"] == temporal.loc["C-statistic"]


def test_analyse_crisis_risk_fine_gray_risk_groups_with_fit_intervals(report):
    from lifetools.reports.crisis_models import RISK_GROUP_COLUMN

    table = report.before_release["fine_gray_groups"]
    assert list(table.iloc[:, 0]) == ["Everyone", "First fifth (least predicted risk)",
                                      "Second fifth", "Third fifth", "Fourth fifth",
                                      "Last fifth (most predicted risk)"]
    assert table["people"].iloc[0] == table["people"].iloc[1:].sum()
    # in per cent, as the page's sentence on it (wave 41)
    values = [[number(v.removesuffix("%")) for v in str(cell).replace("(", "").replace(
        ")", "").split() if v != "to"] for cell in table[RISK_GROUP_COLUMN]]
    assert all(low < est < high for est, low, high in values)
    predicted = [est for est, _, _ in values[1:]]
    assert predicted == sorted(predicted) and predicted[0] < predicted[-1]
    key = {k["name"]: k for k in report.key_results}
    sentence = str(key["fine_gray_incidence_sentence"]["text"])
    # at 8,000 people the Fine-Gray model is withheld: the sentence says so and gives
    # no number (a released model's sentence passes through model_results unchanged:
    # test_model_results_follow_the_models_release)
    assert f"{values[0][0]:.1f}%" not in sentence
    assert sentence.startswith("The Fine-Gray model's predicted cumulative incidence of "
                               "crisis within a year is not shown: too few events")


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_tripod_checklist_filled_with_protected_counts(report):
    checklist = report.checklist.set_index("item")
    assert len(checklist) == 52 and (checklist["reported"].str.len() > 0).all()
    development = report.cohorts[0].data
    assert str(len(development)) not in checklist.loc["20a", "reported"] or (
        len(development) % 5 == 0)
    assert "imputations by chained equations" in checklist.loc["11", "reported"]
    from lifetools.disclosure.models import WITHHELD_COLUMN

    withheld = WITHHELD_COLUMN in report.temporal.columns  # the model's release decides
    assert checklist.loc["24", "reported"] == (
        report.temporal.frame[WITHHELD_COLUMN].iloc[0] if withheld else report.drift.verdict)
    # the page's checklist named predictors by column ("years_in_care, imd_q1, honos")
    words = " ".join(checklist["reported"]).replace(";", " ").replace(",", " ").split()
    assert not [w for w in words if "_" in w], checklist.loc[["9a", "12b"]]
    assert "Most deprived fifth (IMD quintile 1)" in checklist.loc["9a", "reported"]
    assert not checklist.loc["12b", "reported"].startswith("age:")


def test_crisis_spec_age_five_knots_counted_and_said_as_fitted():
    # issue 13: 5 knots for age; the parameter count follows and the page says the knots
    import json
    import re
    from pathlib import Path

    from lifetools.disclosure.settings import MAX_PREDICTOR_PARAMETERS
    from lifetools.reports.crisis_parts import AGE_KNOTS, crisis_spec, spline_sentence

    spec = crisis_spec(pd.DataFrame({"honos": [float(v % 30) for v in range(200)]}))
    assert spec.splines == {"age": AGE_KNOTS, "years_in_care": 3, "honos": 3} \
        and AGE_KNOTS == 5
    assert sum(k - 1 for k in spec.splines.values()) + len(spec.linear) == \
        MAX_PREDICTOR_PARAMETERS == 15
    notebook = json.loads((Path(__file__).resolve().parents[2] / "analyses"
                           / "07_crisis_risk.ipynb").read_text())
    text = " ".join("".join(c["source"]) for c in notebook["cells"]
                    if c["cell_type"] == "markdown").replace("\n", " ")
    # the page glues the sentence made from the spec (wave 23: no knots typed)
    assert "{glue:text}`spline_sentence`" in text and not re.search(r"\d knots", text)
    said = dict(re.findall(r"(age|time in care|HoNOS) \((\d) knots",
                           str(spline_sentence(dict(spec.splines)))))
    assert said == {"age": str(AGE_KNOTS), "time in care": str(spec.splines["years_in_care"]),
                    "HoNOS": str(spec.splines["honos"])}


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_checklist_states_the_fitted_knots(report):
    frozen = FrozenModel.from_json(report.model_json)
    item = report.checklist.set_index("item").loc["12b", "reported"]
    age = ", ".join(f"{v:.2f}" for v in frozen.knots["age"])
    assert len(frozen.knots["age"]) == 5 and len(frozen.terms) in (13, 14, 15)
    from lifetools.disclosure.models import WITHHELD_COLUMN

    assert "Years in secondary care: restricted cubic spline, 3 knots at" in item
    # HoNOS's spline (wave 44), its knots from the development cohort's recorded scores
    assert "HoNOS score: restricted cubic spline, 3 knots at" in item
    assert "honos'" in frozen.terms and len(frozen.knots["honos"]) == 3
    if WITHHELD_COLUMN not in report.knots.columns:  # released: the knots stated
        assert f"Age (years): restricted cubic spline, 5 knots at {age} (Harrell's " \
               "centiles 5, 27.5, 50, 72.5, 95)" in item
        assert report.knots.frame.set_index("variable").loc["age", "knots"] == age
    else:  # withheld with the model (issue 19): the centiles, not the values
        assert "Age (years): restricted cubic spline, 5 knots at Harrell's centiles 5, " \
               "27.5, 50, 72.5, 95 (their values withheld with the model)" in item
        assert age not in item and report.knots.frame["knots"].isna().all()
        assert report.before_release["knots"].set_index("variable").loc["age", "knots"] == age


def test_analyse_crisis_risk_fine_gray_hazard_ratios_released_as_protected_table(report):
    from lifetools.disclosure import ProtectedTable
    from lifetools.tables import table_estimates

    assert isinstance(report.fine_gray, ProtectedTable)
    frame = report.fine_gray.frame
    terms = FrozenModel.from_json(report.model_json).terms
    assert list(frame["term"]) == list(terms)  # the same predictors as the logistic model
    released = frame["estimate"].notna()
    assert released.all() or "withheld" in frame
    shown = frame[released]
    assert ((shown["ci_lower"] < shown["estimate"]) & (shown["estimate"] < shown["ci_upper"])
            & (shown["ci_lower"] > 0)).all()
    table = table_estimates(report.fine_gray, label="subdistribution hazard ratio")
    # a withheld model's reason is the table's, stated once in its note (show_table
    # reads and drops this column); its rows show its reason's mark: [c] where the
    # model release rule withheld it (wave 42; this test still expected [x]), [x] for a
    # fit that gave no number
    from lifetools.disclosure.downloads import hidden_mark
    from lifetools.disclosure.models import WITHHELD_COLUMN

    assert list(table.columns) == ["term", "subdistribution hazard ratio (95% CI)",
                                   *([WITHHELD_COLUMN] if not released.all() else [])]
    assert set(table.loc[~released.to_numpy(), "subdistribution hazard ratio (95% CI)"]) \
        == {hidden_mark(why) for why in frame.loc[~released, "withheld"]} \
        if not released.all() else True
    checklist = report.checklist.set_index("item")
    assert "subdistribution hazard ratios (published)" in checklist.loc["22", "reported"] \
        or "withheld" in checklist.loc["22", "reported"]


def test_internal_validation_boot_mi_option_imputes_inside_samples_and_says_so(report):
    from lifetools.reports.crisis_internal import (
        internal_calibration_table,
        internal_validation,
    )
    from lifetools.reports.crisis_parts import (
        crisis_spec,
        imputed_cohort,
        with_missing_predictors,
    )

    dev = with_missing_predictors(report.cohorts[0].data)
    spec = crisis_spec(dev)
    copies = imputed_cohort(dev, spec, m=2, seed=1)
    from lifetools.prediction.imputation import fit_imputed_model
    from lifetools.reports.crisis_internal import internal_calibration_grid

    model = fit_imputed_model(copies, spec, shrinkage="heuristic").frozen
    grid = internal_calibration_grid(np.mean([model.predict_risk(c) for c in copies], axis=0))
    run = internal_validation(dev, copies, spec, method="boot-mi", n_boot=5, seed=1,
                              imputations=2, grid=grid)
    boot, mi_boot, words = run.boot, run.mi_boot, run.method
    assert "inside each of 5 bootstrap samples" in boot.method["imputation"]
    assert "within each of 2 imputed copies" in mi_boot.method["imputation"]
    assert "5 samples and 2 imputed copies of each" in words
    assert boot.n_boot + boot.n_failed == 5
    assert 0.5 < boot.corrected("c") < boot.summary.set_index("index").loc["c", "apparent"]
    # boot-MI's own curve, from its own samples, at the report's grid, and the page's
    # table is drawn from it (the bootstrap of the corrected measures), saying so
    assert boot.calibration is not None and boot.calibration is not mi_boot.calibration
    assert boot.calibration.curve["predicted"].tolist() == grid.tolist()
    assert int(boot.calibration.curve["samples"].max()) <= boot.n_boot
    table = internal_calibration_table(boot)
    assert not table.equals(internal_calibration_table(mi_boot))
    assert "boot-MI" in run.calibration_method and "afresh" in run.calibration_method
    assert "same bootstrap as the corrected measures" in run.calibration_method
    same = internal_validation(dev, copies, spec, method="mi-boot", n_boot=20, seed=1,
                               imputations=2)
    said = same.method
    assert same.boot is same.mi_boot and "not repeated inside the samples" in said
    assert "20 samples, 10 within each of the 2 imputed copies" in said
    assert "MI-boot" in same.calibration_method
    assert "within each imputed copy" in same.calibration_method
    with pytest.raises(ValueError, match="internal validation"):
        internal_validation(dev, copies, spec, method="boot", n_boot=10, seed=1,
                            imputations=2)
    checklist = report.checklist.set_index("item")
    assert "MI-boot" in checklist.loc["12c", "reported"]
    assert any(k["name"] == "internal_method" for k in report.key_results)
    key = {k["name"]: k for k in report.key_results}["internal_calibration_method"]
    # the paragraph describes the curves only when they are shown (wave 22)
    from lifetools.disclosure.models import WITHHELD_COLUMN
    from lifetools.reports.crisis_results import CURVES_NOT_SHOWN

    withheld = WITHHELD_COLUMN in report.internal_calibration.columns
    assert key["value"] == "mi-boot"
    assert (str(key["text"]).startswith(CURVES_NOT_SHOWN) if withheld
            else "(MI-boot)" in key["text"])


def test_analyse_crisis_risk_key_results_recorded_as_the_notebook_records_them(
        report, tmp_path, monkeypatch):
    # the notebook's cell `lt.publication.record_all(report.key_results)`: every value
    # must be writable to results.json (a DataFrame once reached it through a name clash)
    import json

    from lifetools import config, publication

    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path))
    publication.record_all(report.key_results)
    written = json.loads((tmp_path / "results.json").read_text())
    assert {k["name"] for k in report.key_results} <= set(written)
    assert {k["name"]: k for k in report.key_results}["internal_method"]["value"] == "mi-boot"


def test_analyse_crisis_risk_sample_size_and_threshold_said_from_the_run(report):
    from lifetools.disclosure import ProtectedText, get_profile, protect_count

    key = {k["name"]: k for k in report.key_results}
    development = report.cohorts[0].data
    required = int(report.sample_size["people needed"].max())
    sentence = key["sample_size_sentence"]["text"]
    assert isinstance(sentence, ProtectedText)
    assert f"had {protect_count(len(development)):,} people" in sentence
    assert f"needed {required:,}." in sentence  # a design size, exact (wave 41)
    enough = len(development) >= required
    assert key["sample_size_sentence"]["value"] is enough
    assert ("large enough" in sentence) is enough
    # each criterion's events per parameter are those its people needed would have
    from lifetools.reports.prediction import EPP_NEEDED

    assert EPP_NEEDED in report.sample_size.columns
    assert "needed" in column_label(EPP_NEEDED) and "there were" not in column_label(
        EPP_NEEDED)
    assert key["min_events"]["text"] == str(get_profile().model_min_events)
    # a cohort under the criteria makes more overfitting expected, not certain: the page
    # said "the model is more overfitted than the target shrinkage of 0.9" beside an
    # estimated shrinkage of 0.96 (30,000 people, wave 33)
    basis = str(key["sample_size_basis"]["text"])
    assert ("was to be expected" in sentence) is not enough
    assert "is more overfitted" not in sentence
    assert "expect more overfitting than the criteria allow" not in sentence
    # said once, by the sentence: the basis beside it repeated it (wave 36)
    assert "overfitting" not in basis and "target shrinkage of" in basis


def test_minimum_sample_size_reads_one_number_wherever_the_page_states_it(report, output):
    # 30,000 people: "the largest of Riley's criteria needed 1,160" (a count rounded to
    # 5) above a sample-size table of 1,158; TRIPOD+AI item 10 and results.json said
    # 1,160 too. A computed design quantity, stated exactly, by one formatter (wave 41)
    from lifetools.tables import show_table

    key = {k["name"]: k for k in report.key_results}
    required = int(report.sample_size["people needed"].max())
    shown = show_table(report.sample_size, name="sample-size", not_counts=["people needed"],
                       caption="Minimum sample size").words
    cell = shown.iloc[:, 1].tolist()[int(report.sample_size["people needed"].idxmax())]
    sentence = str(key["sample_size_sentence"]["text"])
    assert f"needed {cell}." in sentence
    assert str(key["required_people"]["text"]) == cell
    assert key["required_people"]["value"] == required
    item = report.checklist.set_index("item").loc["10", "reported"]
    assert f"at least {cell} people needed" in item
    # the span is a typed design size, which the gate verifies (not a count)
    spans = list(key["required_people"]["text"].spans)
    assert [s["kind"] for s in spans] == ["parameter"]


def test_the_gate_verifies_a_minimum_sample_size_rather_than_trusting_it():
    # a design size is at least the fewest people Riley's criteria can ask of the
    # crisis model: a count of 13 people cannot pass as one
    from lifetools.disclosure.settings import (
        SAMPLE_SIZE_SETTING,
        parameter_problem,
        smallest_sample_size,
    )

    floor = smallest_sample_size()
    assert floor == 974  # criterion (i) at a prevalence of a half, 13 parameters
    assert parameter_problem(SAMPLE_SIZE_SETTING, 1158, {}) == ""
    assert parameter_problem(SAMPLE_SIZE_SETTING, floor, None) == ""
    for bad in (13, floor - 1, 1158.5, float("nan"), True):
        assert parameter_problem(SAMPLE_SIZE_SETTING, bad, {}), bad


@pytest.mark.slow  # the 2023-24 report (shared fixture)
def test_analyse_crisis_risk_shrinkage_said_against_the_sample_size_target(report_2023):
    # a released model's shrinkage sentence says on which side of the criteria's target
    # its estimated shrinkage lies (the page claimed more overfitting than the target
    # beside an estimated 0.96 against 0.9)
    from lifetools.design_sizes import CRISIS_TARGET_SHRINKAGE

    key = {k["name"]: k for k in report_2023.key_results}
    shrinkage = key["shrinkage"]["value"]
    said = str(key["shrinkage_sentence"]["text"])
    assert shrinkage is not None and "Every coefficient was shrunk" in said
    above = float(shrinkage) >= CRISIS_TARGET_SHRINKAGE
    assert ("at least the sample-size criteria's target, so less overfitting" in said) \
        is above
    assert ("below the sample-size criteria's target, so more overfitting" in said) \
        is not above


@pytest.mark.slow  # the 2023-24 report (shared fixture)
def test_analyse_crisis_risk_estimates_shown_with_intervals_record_them(report_2023):
    # the comparison with the previous edition reads an estimate's interval from its
    # "<name>_ci" key result: without them it said "not assessed: its interval is not
    # among the key results" of a calibration slope that moved from 1.16 to 0.93
    from lifetools.pipeline.compare import NO_INTERVAL, compare_results

    key = {k["name"]: k for k in report_2023.key_results}
    for name in ("c_corrected", "c_validation", "slope_validation", "citl_validation"):
        low, high = key[f"{name}_ci"]["value"]
        assert low <= key[name]["value"] <= high, name
    results = {k["name"]: {kk: vv for kk, vv in k.items() if kk != "text"}
               | {"text": str(k.get("text") or "")} for k in report_2023.key_results}
    rows = {r.label: r.words for r in compare_results(results, results)}
    assert rows and NO_INTERVAL not in {rows[key[n]["label"]] for n in (
        "c_corrected", "c_validation", "slope_validation", "citl_validation")}


@pytest.mark.slow  # the report on 8,000 generated people: 18 s (shared fixture)
def test_analyse_crisis_risk_pages_tables_pass_the_gate_with_their_settings(
        report, tmp_path, monkeypatch):
    # issue 12: the TRIPOD+AI table repeats verified key results ("with 30 samples, 10
    # within each of the 3 imputed copies", "9 coefficients kept and 4 removed"); with
    # each setting named only by its specific words, the page still publishes
    import nbformat

    from lifetools import config, publication, tables
    from lifetools.pipeline.gate import new_key, scan_notebook, verify_and_settle
    from lifetools.pipeline.layout import FILES_DIR

    key = new_key()
    # the downloads beside the notebook, as a run leaves them: a table shown as a
    # sentence (every value withheld) is checked against its download
    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path / FILES_DIR))
    monkeypatch.setenv(publication.SEAL_ENV, key)
    # the notebook's parameters: its period's dates declare the years its labels name
    # ("in 2023-24", "in 2024-25")
    parameters = nbformat.v4.new_code_cell(
        'period_start = "2024-04-01"\nperiod_end = "2025-03-31"\nn_boot = 20')
    parameters.metadata["tags"] = ["parameters"]
    cells = [parameters]
    shown = [*publication.record_all(report.key_results).results,
             tables.show_table(report.checklist, name="tripod-ai",
                               caption="TRIPOD+AI checklist"),
             tables.show_table(report.missing, name="missing-data",
                               count_cols=["missing, development", "missing, validation"],
                               caption="Missing predictor values"),
             # issue 19: the tables with the new interval columns and rows, as the
             # notebook shows them
             tables.show_table(report.internal, name="internal-validation",
                               caption="Apparent, optimism and optimism-corrected "
                                       "performance"),
             tables.show_table(report.comparison, name="model-comparison",
                               caption="Shrunk logistic, ridge and lasso models"),
             tables.show_table(report.time_to_event, name="time-to-event",
                               caption="Fine-Gray and logistic 12-month risks"),
             # issues 13 and 19: the Fine-Gray risk groups with their intervals
             tables.show_table(report.fine_gray_groups, name="fine-gray-risk-groups",
                               count_cols=["people"],
                               caption="Fine-Gray model: predicted 12-month cumulative "
                                       "incidence by risk group (95% CI)"),
             # issue 19: the model's outputs, tied to its release, as the notebook
             # shows them
             tables.show_table(report.calibration, name="calibration-curve",
                               caption="Flexible calibration"),
             tables.show_table(report.internal_calibration, name="internal-calibration",
                               caption="Calibration in the development cohort: apparent "
                                       "and optimism-corrected"),
             # wave 23: the cohorts' counts the decision curve's treat-all is
             # computed from are published in the flow table (the gate checks it)
             tables.show_table(report.flow, name="flow",
                               count_cols=["development", "validation"],
                               caption="Development and validation cohorts"),
             tables.show_table(report.decision, name="decision-curve",
                               not_counts=["treat_none"], caption="Net benefit"),
             tables.show_table(report.fairness, name="fairness",
                               count_cols=["people", "crises"],
                               caption="Performance by sex, ethnic group and deprivation")]
    nb = crisis_notebook(shown, cells)
    verify_and_settle(nb, key)
    path = tmp_path / "notebook.ipynb"
    nbformat.write(nb, path)
    said = " ".join(report.checklist["reported"])
    assert "drawn within 3 imputed copies: MI-boot" in said  # TRIPOD+AI 12c, in brief
    # the lasso's kept and removed coefficients: stated when released, else withheld
    assert " removed" not in said  # the model (so the lasso's numbers) withheld here
    findings = scan_notebook(path)
    assert findings == [], [str(f) for f in findings]


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_analyse_crisis_risk_new_intervals_shown_where_defined(report):
    # Brier score of the next edition and net benefit with percentile intervals; the
    # internal table's corrected C and Brier with a location-shifted interval and .632+
    temporal = report.before_release["temporal"].set_index("measure")["estimate (95% CI)"]
    assert " to " in temporal["Brier score"]
    # every row of the temporal-validation table has its interval (the recalibration
    # intercept's, from its recalibration fit, was missing until wave 39)
    assert all(" to " in cell for cell in temporal), temporal.to_dict()
    decision = report.before_release["decision"]
    assert ((decision["model_lower"] <= decision["model"])
            & (decision["model"] <= decision["model_upper"])).all()
    internal = report.before_release["internal"].set_index("measure")
    shown = internal["optimism-corrected: 95% CI (location-shifted bootstrap)"]
    for measure in ("C-statistic", "Brier score"):
        low, high = (number(v) for v in shown[measure].split(" to "))
        assert low <= number(internal.loc[measure, "corrected"]) <= high
        assert number(internal.loc[measure, ".632+ estimate"]) > 0
    assert shown["Calibration slope"] == internal.loc["Calibration slope",
                                                      ".632+ estimate"] == "not defined"
    # issue 19: the two-stage bootstrap interval for every index, the calibration slope
    # and calibration-in-the-large included
    two_stage = internal["optimism-corrected: 95% CI (two-stage bootstrap)"]
    for measure in ("Calibration slope", "Calibration-in-the-large (log-odds)",
                    "C-statistic", "Brier score"):
        low, high = (number(v) for v in two_stage[measure].split(" to "))
        assert low < high
    # the Brier rows of the model comparison and of the time-to-event table have
    # intervals; the time-to-event table shows the mean predicted 12-month risk and the
    # observed 12-month cumulative incidence with intervals
    comparison = report.before_release["comparison"].set_index("measure")
    for column in comparison.columns:  # every column: the optimism-corrected ones too
        assert " to " in comparison.loc["Brier score", column], column
        assert " to " in comparison.loc["C-statistic", column], column
    fg = report.before_release["time_to_event"].set_index("measure")
    for column in fg.columns:
        for measure in ("Brier score", "Mean predicted 12-month risk",
                        "Observed 12-month cumulative incidence (Aalen-Johansen)"):
            assert " to " in fg.loc[measure, column], (measure, column)
    development, validation = report.cohorts
    observed = fg.loc["Observed 12-month cumulative incidence (Aalen-Johansen)"].iloc[0]
    # complete follow-up: the Aalen-Johansen estimate is the share with a crisis
    # in per cent, as every risk the page shows (wave 41)
    assert observed.startswith(f"{100 * validation.data['crisis'].mean():.1f}% (")


def test_internal_validation_table_uses_kept_samples_and_632plus():
    from lifetools.prediction import BootstrapValidation
    from lifetools.prediction.validation import INDICES
    from lifetools.reports.crisis_internal import internal_validation_table
    from lifetools.reports.prediction import MEASURES

    summary = pd.DataFrame({"index": INDICES, "apparent": [0.8, 1, 0, 0, 0.15],
                            "optimism": [0.05, 0.1, 0, 0, -0.01],
                            "corrected": [0.75, 0.9, 0, 0, 0.16],
                            "oob": [0.7, np.nan, np.nan, np.nan, 0.17],
                            "corrected_632plus": [0.72, np.nan, np.nan, np.nan, 0.165]})
    # training C 0.78 to 0.82 by 0.01: 2.5% and 97.5% percentiles 0.781 and 0.819
    training = np.tile([0.0, 1.0, 0.0, 0.0, 0.15], (5, 1))
    training[:, 0] = [0.78, 0.79, 0.80, 0.81, 0.82]
    training[:, 4] = [0.14, 0.15, 0.15, 0.15, 0.16]
    boot = BootstrapValidation(summary=summary, n_boot=5, n_failed=0, method={},
                               training=training)
    table = internal_validation_table(boot, MEASURES).set_index("measure")
    column = "optimism-corrected: 95% CI (location-shifted bootstrap)"
    assert table.loc["C-statistic", column] == "0.731 to 0.769"  # minus 0.05
    assert table.loc["Brier score", column] == "0.151 to 0.169"  # 0.141, 0.159 plus 0.01
    assert table.loc["C-statistic", ".632+ estimate"] == "0.720"
    assert table.loc["Calibration slope", column] == "not defined"
    assert "optimism-corrected: 95% CI (two-stage bootstrap)" not in table.columns


def _two_stage_table(lower, upper, **stated):
    """The internal-validation table of a fixed bootstrap summary, with the two-stage
    interval's limits ``lower`` and ``upper`` (one per index), by measure."""
    from lifetools.prediction import BootstrapValidation
    from lifetools.prediction.intervals import TwoStageInterval
    from lifetools.prediction.validation import INDICES
    from lifetools.reports.crisis_internal import internal_validation_table
    from lifetools.reports.prediction import MEASURES

    summary = pd.DataFrame({"index": INDICES, "apparent": [0.8, 1, 0, 0, 0.15],
                            "optimism": [0.05, 0.1, 0, 0, -0.01],
                            "corrected": [0.75, 0.9, 0, 0, 0.16],
                            "oob": np.nan, "corrected_632plus": np.nan})
    boot = BootstrapValidation(summary=summary, n_boot=0, n_failed=0, method={},
                               training=None)
    limits = pd.DataFrame({"index": INDICES, "ci_lower": lower, "ci_upper": upper})
    two_stage = TwoStageInterval(summary=limits, n_outer=20, n_inner=5, n_failed=0,
                                 method={}, corrected=np.empty((0, 5)))
    return internal_validation_table(boot, MEASURES, two_stage,
                                     stated=stated or None).set_index("measure")


def test_internal_validation_table_two_stage_column_from_its_limits():
    from lifetools.reports.crisis_internal import TWO_STAGE_COLUMN

    table = _two_stage_table([0.7, 0.8123, -0.2, np.nan, 0.14],
                             [0.79, 0.9876, 0.1, np.nan, 0.18])
    assert table.loc["Calibration slope", TWO_STAGE_COLUMN] == "0.812 to 0.988"
    assert table.loc["C-statistic", TWO_STAGE_COLUMN] == "0.700 to 0.790"
    assert table.loc["Calibration-in-the-large (log-odds)", TWO_STAGE_COLUMN] == (
        "not estimated")
    assert list(table.columns).index(TWO_STAGE_COLUMN) == 4  # after the shifted interval


def test_internal_validation_table_zero_by_construction_reads_zero_whatever_its_sign():
    # the apparent calibration-in-the-large is 0 up to rounding error of either sign
    # (two ways of computing the logistic function differ in the last bit): "0.000", never "-0.000"
    from lifetools.prediction import BootstrapValidation
    from lifetools.prediction.validation import INDICES
    from lifetools.reports.crisis_internal import internal_validation_table
    from lifetools.reports.prediction import MEASURES

    summary = pd.DataFrame({"index": INDICES, "apparent": [0.8, 1, 0.18, -3e-16, 0.15],
                            "optimism": [0.05, 0.1, 0.2, -0.02, -0.01],
                            "corrected": [0.75, 0.9, -0.02, 0.02, 0.16],
                            "oob": [0.7, np.nan, np.nan, np.nan, 0.17],
                            "corrected_632plus": [0.72, np.nan, np.nan, np.nan, 0.165]})
    boot = BootstrapValidation(summary=summary, n_boot=5, n_failed=0, method={},
                               training=np.tile([0.8, 1.0, 0.18, 0.0, 0.15], (5, 1)))
    table = internal_validation_table(boot, MEASURES).set_index("measure")
    row = table.loc["Calibration-in-the-large (log-odds)"]
    assert (row["apparent"], row["optimism"], row["corrected"]) == ("0.000", "\u22120.020",
                                                                    "0.020")
    assert table.loc["Recalibration intercept (log-odds)", "corrected"] == "\u22120.020"


def test_estimate_text_through_the_one_formatter_zero_never_negative():
    from lifetools.formatting import MISSING
    from lifetools.reports.crisis_parts import estimate_text

    assert estimate_text(0.71234, 0.69012, 0.73391) == "0.712 (0.690 to 0.734)"
    assert estimate_text(-0.0004, -0.0312, 0.0301) == "0.000 (\u22120.031 to 0.030)"  # not -0.000
    assert estimate_text(0.18149) == "0.181"  # no interval: the estimate alone
    assert estimate_text(0.5, float("nan"), 0.7) == "0.500"
    assert estimate_text(float("nan"), 0.1, 0.2) == MISSING
    assert estimate_text(float("inf")) == MISSING  # never "inf"
    assert estimate_text(None, missing="not shown") == "not shown"


def test_crisis_settings_written_as_before_through_the_formatter():
    from lifetools.prediction import rcs_centiles
    from lifetools.prediction.penalised import PENALTY_GRID
    from lifetools.reports.crisis_parts import setting_text as _setting

    # every ridge penalty, knot centile and drift band as f"{v:g}" wrote them, a
    # negative one with the pages' minus sign (disclosure.text.MINUS)
    for value in (*PENALTY_GRID, *rcs_centiles(3), *rcs_centiles(5), 0.8, 1.2, -0.2, 0.2,
                  0.0123456789):
        assert _setting(value) == f"{value:g}".replace("-", "\u2212"), value
    assert _setting(0.000043219) == "0.000043219"  # where :g wrote "4.3219e-05"


def test_continuous_characteristics_medians_and_missing_information_formatted():
    from lifetools.prediction import ModelSpec
    from lifetools.reports.crisis_parts import continuous_characteristics, missing_table

    dev = pd.DataFrame({"age": [20.0, 30.0, 40.0, 50.0, 60.0] * 4,
                        "years_in_care": [1.0] * 20, "honos": [np.nan] * 20,
                        "prior_ae": [0, 0, 1, 2, 3] * 4})
    table = continuous_characteristics(dev, dev).frame.set_index("characteristic")
    # one decimal place even where every value is whole: a protected statistic is
    # written with decimals, and a whole number in a table cell reads as a count
    # ("42 (30 to 55)" is refused by the gate's unprotected-number-in-table rule)
    assert table.loc["Age (years)", "development: median (quartiles)"] == \
        "40.0 (30.0 to 50.0)"
    assert table.loc["HoNOS score, where recorded", "validation: median (quartiles)"] == \
        "not recorded"
    # fewer people than the magnitude threshold: hidden
    few = continuous_characteristics(dev.head(5), dev).frame.set_index("characteristic")
    assert few.loc["Age (years)"].isna().tolist() == [True, False]
    spec = ModelSpec("crisis", linear=("honos", "prior_ae"))
    missing = missing_table(dev, dev.assign(honos=1.0), spec=spec, m=10, fmi=0.2349)
    # the page's words for each predictor (the download held "honos" until wave 41)
    assert missing["predictor"].tolist() == [VALUE_LABELS[c] for c in spec.columns]
    assert "honos" not in missing["predictor"].tolist()
    row = missing.set_index("predictor").loc[VALUE_LABELS["honos"]]
    assert row["handling"] == "multiple imputation (10 copies)"
    assert row["fraction of missing information"] == "0.23"


@pytest.mark.slow  # the report on 8,000 generated people: 18 s (shared fixture)
def test_analyse_crisis_risk_model_outputs_carry_their_models_release(report):
    # issue 19: the calibration curve, decision curve, fairness, time-to-event and
    # Fine-Gray risk-group tables are the models' outputs: each model column is recorded
    # as released by lt.disclosure.model_release (the stamp's estimate_headers)
    from lifetools.disclosure import ProtectedTable
    from lifetools.disclosure.downloads import header_rules
    from lifetools.reports.crisis_models import (
        FINE_GRAY_COLUMN,
        LOGISTIC_COLUMN,
        RISK_GROUP_COLUMN,
    )

    expected = {
        "calibration": ["predicted", "observed", "ci_lower", "ci_upper"],
        "internal_calibration": ["predicted", "apparent", "corrected"],
        "decision": ["model", "model_lower", "model_upper"],
        "fairness": ["C-statistic (95% CI)", "calibration slope (95% CI)",
                     "calibration-in-the-large (95% CI)"],
        "fairness_calibration": ["predicted", "observed", "ci_lower", "ci_upper"],
        "time_to_event": [FINE_GRAY_COLUMN, LOGISTIC_COLUMN],
        "fine_gray_groups": [RISK_GROUP_COLUMN],
        # the pooled model's fraction of missing information (the crisis page showed
        # 0.12 beside a withheld model at 3,000 people)
        "missing": ["fraction of missing information"]}
    for name, columns in expected.items():
        table = getattr(report, name)
        assert isinstance(table, ProtectedTable), name
        assert table.verify().record.columns_with("estimate") == columns, name
        assert header_rules(table)["estimate_headers"], name
    assert report.fairness.count_cols == ["people", "crises"]
    assert report.fine_gray_groups.count_cols == ["people"]
    assert report.missing.count_cols == ["missing, development", "missing, validation"]
    # each table as its model's release decides: unchanged when released, the model's
    # columns blank with the reason when withheld (at 8,000 people both models are
    # withheld: fewer than 10 crises in some level; the released case is
    # test_model_outputs_tie_each_column_to_its_models_release)
    from lifetools.disclosure.models import WITHHELD_COLUMN

    withheld = [name for name in expected if WITHHELD_COLUMN in getattr(report, name).columns]
    for name, columns in expected.items():
        published = getattr(report, name).frame
        raw = report.before_release[name]
        if name in withheld:
            assert published[WITHHELD_COLUMN].iloc[0].startswith(
                ("too few events to estimate", "could not be estimated")), name
            assert published[columns].isna().all().all(), name
        else:
            assert published[columns].equals(raw[columns]), name
    from lifetools.disclosure.withheld import SAID_ONCE

    logistic_tables = {"calibration", "internal_calibration", "decision", "fairness",
                       "fairness_calibration", "missing"}
    release_checked = logistic_tables <= set(withheld) or not logistic_tables & set(withheld)
    assert release_checked  # one release for the logistic model's three tables
    # every key result built from a withheld model's output states no number
    results = {r["name"]: r for r in report.key_results}
    logistic = ("shrinkage", "c_corrected", "c_validation", "c_validation_ci",
                "slope_validation", "citl_validation", "drift_verdict",
                "c_corrected_sentence", "c_validation_sentence", "shrinkage_sentence")
    for name, table in ((logistic, "calibration"),
                        (("fine_gray_incidence_sentence",), "fine_gray_groups")):
        why = getattr(report, table).frame[WITHHELD_COLUMN].iloc[0]
        for one in name:
            text = str(results[one]["text"])
            assert results[one]["value"] is None and results[one]["kind"] == "text", one
            # the reasons, or the headline and where they are: "too few events"
            # said once (wave 38)
            assert text.count("too few events") == 1, (one, text)
            assert not re.search(r"\d", re.sub(r"(fewer than|quintile) \d+", "", text)), (one, text)
            # the page states the reasons once (model_withheld); its tables and
            # sentences say where, the results the landing page reads give them
            assert SAID_ONCE in why, one
            assert SAID_ONCE in text or text.split("(", 1)[-1].split(";")[0].rstrip(")") \
                in str(results["model_withheld"]["text"]), (one, text)


def released_and_withheld():
    """Two releases of one model: 10 events among the exposed (released) and 9
    (withheld: fewer than the default profile's events per level)."""
    from lifetools.disclosure import model_release

    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    fit = SimpleNamespace(summary=summary, warnings=(), model=None)
    event = np.zeros(200)
    event[100:140] = 1
    releases = []
    for events in (10, 9):
        event[:100] = np.arange(100) < events
        releases.append(model_release(fit, data=pd.DataFrame({
            "exposed": np.r_[np.ones(100), np.zeros(100)], "event": event.copy()}),
            event_col="event", level_cols=["exposed"]))
    return tuple(releases)


def test_model_results_follow_the_models_release():
    # issue 19: a key result built from a model's output states its number when the
    # model is released, and no number, with the release's reason, when it is withheld
    from lifetools.reports.prediction import model_results
    from lifetools.reports.sentences import result_sentence

    good, bad = released_and_withheld()
    value = {"name": "c_validation", "value": 0.712, "kind": "estimate", "label": "C"}
    sentence = {"name": "c_sentence", "value": None, "kind": "text", "label": "Summary",
                "text": result_sentence(0.712, kind="estimate", missing="The C-statistic",
                                        found="Its C-statistic was {value}."),
                "subject": "The C-statistic"}
    shown = model_results(good, value, sentence)
    assert shown[0] == value and str(shown[1]["text"]) == "Its C-statistic was 0.71."
    assert "subject" not in shown[1]
    hidden = model_results(bad, value, sentence)
    assert [(r["name"], r["label"], r["value"], r["kind"]) for r in hidden] == [
        ("c_validation", "C", None, "text"), ("c_sentence", "Summary", None, "text")]
    # the reasons alone: they say the headline's "too few events" (wave 38)
    assert str(hidden[0]["text"]) == bad.withheld_brief == bad.reason
    assert headline_of(str(hidden[0]["text"])) == bad.headline
    assert str(hidden[1]["text"]).startswith("The C-statistic is not shown: too few events")
    for result in hidden:
        text = str(result["text"])
        assert "0.71" not in text
    # the reason in full where the landing page reads it; the page's sentence says
    # where it is stated once (wave 22)
    assert bad.reason.split(";")[0].split(" (")[0] in str(hidden[0]["text"])
    assert str(hidden[1]["text"]) == f"The C-statistic is not shown: {bad.withheld_once}."


def _published_text(report) -> str:
    """Every output of the crisis page, as text: each table (the CSV each writes), the
    key results (their values and texts) and the checklist."""
    from lifetools.disclosure import ProtectedTable

    parts = []
    for name, value in vars(report).items():
        if name in ("before_release", "cohorts", "drift", "model_json"):
            continue  # never shown
        if isinstance(value, ProtectedTable):
            value = value.frame
        if isinstance(value, pd.DataFrame):
            parts.append(value.to_csv(index=False))
    for result in report.key_results:
        parts += [str(result.get("text", "")), str(result.get("value", "")),
                  str(result["label"])]
    return "\n".join(parts).replace("\u2212", "-")


def _numbers(cells) -> set[str]:
    """Decimal numbers written in table cells ("0.787 (0.653 to 0.879)": three)."""
    return {n for cell in cells for n in re.findall(r"-?\d+\.\d+", str(cell))}


@pytest.mark.slow  # the report on 8,000 generated people (shared fixture)
def test_withheld_model_no_number_of_it_on_any_output(report):
    # issue 19: at 8,000 people the logistic model is withheld (fewer than 10 crises in
    # a level); every table and sentence follows that one release: the
    # internal-validation, temporal-validation, model-comparison and knots tables are
    # blank with the reason, the checklist states the reason, and no number the model
    # made (its performance, knots, shrinkage, the drift check's estimates, the ridge and
    # lasso models' numbers) appears anywhere on the page's outputs
    from lifetools.disclosure.models import WITHHELD_COLUMN
    from lifetools.prediction.validation import limits_sentence

    checks = {"internal": ["measure"], "temporal": ["measure"],
              "comparison": ["measure"], "knots": ["variable"]}
    for name, keep in checks.items():
        published = getattr(report, name).frame
        assert WITHHELD_COLUMN in published.columns, name  # the fixture's release
        assert published[WITHHELD_COLUMN].str.startswith("too few events to estimate").all()
        model_columns = [c for c in published.columns if c not in (*keep, WITHHELD_COLUMN)]
        assert published[model_columns].isna().all().all(), name
    raw = report.before_release
    made = _numbers(v for name in checks for v in raw[name].drop(
        columns=checks[name]).to_numpy().ravel())
    drift = report.drift
    made |= {f"{v:.2f}" for v in (drift.slope, drift.citl)}
    made |= _numbers([drift.verdict]) - _numbers([  # the stated limits are settings
        limits_sentence(drift.slope_band, drift.citl_band).replace("\u2212", "-")])
    frozen = FrozenModel.from_json(report.model_json)
    made |= {f"{frozen.shrinkage:.2f}", f"{frozen.shrinkage:.3f}"}
    assert len(made) > 40  # the model's numbers exist: withheld, not missing
    text = _published_text(report)
    shown = sorted(n for n in made
                   if re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", text))
    assert shown == [], shown
    checklist = report.checklist.set_index("item")["reported"]
    for item in ("2", "23a", "24"):
        assert "too few events to estimate" in checklist[item], item
    assert "withheld with the model" in checklist["12b"]
    assert "withheld with the model" in checklist["12c"]
    assert "withheld with the model" in checklist["12g"]
    results = {r["name"]: r for r in report.key_results}
    for name in ("ridge_penalty", "lasso_penalty", "lasso_sentence"):
        assert results[name]["value"] is None, name
        assert str(results[name]["text"]).count("too few events") == 1, name


@pytest.mark.slow  # two editions' reports on 8,000 generated people (shared fixtures)
def test_released_model_shown_and_labels_name_the_editions_computed(report, report_2023):
    # issue 19: the 2023-24 report (models released) shows every table cell for cell as
    # computed; each edition's labels name its own development and validation years,
    # never "the next edition" (on the last edition there is none)
    from lifetools.disclosure.models import WITHHELD_COLUMN

    for name in ("internal", "temporal", "comparison", "knots"):
        published = report_2023.__getattribute__(name).frame
        assert WITHHELD_COLUMN not in published.columns, name
        assert published.equals(report_2023.before_release[name]), name
    checklist = report_2023.checklist.set_index("item")["reported"]
    assert checklist["24"] == report_2023.drift.verdict
    assert checklist["23a"].startswith("Optimism-corrected C in 2022-23 0.")
    assert "; in 2023-24, C 0." in checklist["23a"]
    assert "C-statistic in 2023-24: 0." in checklist["2"]
    results = {r["name"]: r for r in report_2023.key_results}
    assert isinstance(results["ridge_penalty"]["value"], float)
    for edition, (developed, validated) in ((report, ("2023-24", "2024-25")),
                                            (report_2023, ("2022-23", "2023-24"))):
        labels = {r["name"]: r["label"] for r in edition.key_results}
        at = {r["name"]: r.get("at") for r in edition.key_results}
        assert labels["c_validation"].endswith(f": validation cohort of {validated}")
        assert labels["slope_validation"] == \
            f"Calibration slope: validation cohort of {validated}"
        assert labels["c_corrected"].endswith(f": development cohort of {developed}")
        # each edition's cohort is its own words, so the comparison with the previous
        # edition reads one measure with each edition's cohort beside its value
        assert at["c_corrected"] == f"development cohort of {developed}"
        assert at["citl_validation"] == f"validation cohort of {validated}"
        columns = list(edition.comparison.columns)
        assert corrected_column("ridge", developed, copies=3) in columns
        assert f"ridge, {validated} (95% CI)" in columns
        assert "next edition" not in _published_text(edition).lower()


PER_CENT = re.compile(r"^\d+\.\d%(?: \(\d+\.\d+% to \d+\.\d+%\))?$")
"""A risk as the crisis page's tables show it: "24.5%", "24.5% (22.4% to 26.7%)"."""


def test_released_risks_read_in_per_cent_in_every_table_and_pass_the_gate(
        report_2023, tmp_path, monkeypatch):
    # 30,000 people: the crisis page's tables showed risks as proportions ("0.083",
    # thresholds "0.10", "0.245 (0.224 to 0.267)") beside sentences and axes in per
    # cent; every risk a table shows now reads "8.3%", the downloads keep the
    # proportion, and the publish gate passes the page (wave 41, issue 15)
    import nbformat

    from lifetools import config, publication, tables
    from lifetools.disclosure.profiles import use_profile
    from lifetools.formatting import format_value
    from lifetools.pipeline.gate import new_key, scan_notebook, verify_and_settle
    from lifetools.pipeline.layout import FILES_DIR
    from lifetools.reports.crisis_models import FINE_GRAY_COLUMN, RISK_GROUP_COLUMN

    report = report_2023  # models released: the tables show their numbers
    key = new_key()
    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path / FILES_DIR))
    monkeypatch.setenv(publication.SEAL_ENV, key)
    risks = {"calibration": ["predicted", "observed", "ci_lower", "ci_upper"],
             "internal_calibration": ["predicted", "apparent", "corrected"],
             "decision": ["threshold"]}
    notebook = _notebook_source()
    for name, columns in risks.items():  # as the notebook declares them
        assert f"report.{name}, " in notebook and f"proportions={columns}".replace(
            "'", '"') in notebook, name
    with use_profile("test-few-events"):
        shown = {name: tables.show_table(getattr(report, name), name=name,
                                         caption=name, proportions=columns,
                                         **({"not_counts": ["treat_none"]}
                                            if name == "decision" else {}))
                 for name, columns in risks.items()}
        shown["time_to_event"] = tables.show_table(report.time_to_event,
                                                   name="time-to-event", caption="t")
        shown["fine_gray_groups"] = tables.show_table(
            report.fine_gray_groups, name="risk-groups", count_cols=["people"],
            caption="g")
        shown["flow"] = tables.show_table(report.flow, name="flow",
                                          count_cols=["development", "validation"],
                                          caption="Development and validation cohorts")
    for name, columns in risks.items():
        frame = getattr(report, name).frame
        for column in columns:
            cells = shown[name].words[column_label(column)].tolist()
            assert cells == [format_value(v, kind="proportion") for v in frame[column]]
            assert all(PER_CENT.match(c) for c in cells), (name, cells)
        # the download keeps the proportion (machine-readable; its unit in the notes),
        # to 3 places: the page's information ("0.063" for "6.3%"; at 2 places it read
        # "0.06", issue 15, wave 41), every cell
        written = pd.read_csv(tmp_path / FILES_DIR / "tables" / f"{name}.csv", dtype=str)
        assert written[columns[0]].astype(float).max() < 1, name
        for column in columns:
            cells = written[column].tolist()
            assert all(re.fullmatch(r"\d\.\d{3}", c) for c in cells), (name, cells)
            page = shown[name].words[column_label(column)].tolist()
            assert [format_value(float(c), kind="proportion") for c in cells] == page
    fg = shown["time_to_event"].words.set_index(shown["time_to_event"].words.columns[0])
    for row in ("Mean predicted 12-month risk",
                "Observed 12-month cumulative incidence (Aalen-Johansen)"):
        assert PER_CENT.match(fg.loc[row, column_label(FINE_GRAY_COLUMN)]), row
    c_row = next(r for r in fg.index if "(C-statistic)" in r)
    assert fg.loc[c_row, column_label(FINE_GRAY_COLUMN)].startswith("0.")  # not a risk
    groups = shown["fine_gray_groups"].words[column_label(RISK_GROUP_COLUMN)]
    assert all(PER_CENT.match(c) or c == "[c]" for c in groups), groups.tolist()
    # the page's sentence and the table's first row read the same number
    everyone = report.before_release["fine_gray_groups"][RISK_GROUP_COLUMN].iloc[0]
    sentence = {k["name"]: str(k.get("text")) for k in report.key_results}[
        "fine_gray_incidence_sentence"]
    assert f" {str(everyone).split(' (')[0]} on average" in sentence
    nb = crisis_notebook(shown.values(), profile="test-few-events")
    verify_and_settle(nb, key)
    path = tmp_path / "notebook.ipynb"
    nbformat.write(nb, path)
    findings = scan_notebook(path)
    assert findings == [], [str(f) for f in findings]


def _notebook_source() -> str:
    import json
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[2] / "analyses" / "07_crisis_risk.ipynb"
    return "\n".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"])


@pytest.mark.slow  # the 2023-24 report (shared fixture)
def test_optimism_corrected_c_sentence_has_its_interval_and_verdict(report_2023):
    # issue 19/15: every headline C-statistic with its interval and a verdict
    results = {r["name"]: str(r["text"]) for r in report_2023.key_results
               if r["name"].endswith("_sentence")}
    for name in ("c_corrected_sentence", "c_validation_sentence"):
        assert "95% confidence interval " in results[name], name
        assert "than chance" in results[name], name
    assert "location-shifted bootstrap" in results["c_corrected_sentence"]


def test_period_name_names_financial_years_and_other_periods():
    from lifetools.reports.crisis_parts import period_name

    assert period_name("2024-04-01", "2025-03-31") == "2024-25"
    assert period_name("2023-04-01", "2024-03-31") == "2023-24"
    assert period_name("2099-04-01", "2100-03-31") == "2099-00"
    assert period_name("2024-05-01", "2025-04-30") == "1 May 2024 to 30 April 2025"


def test_model_table_follows_the_models_release():
    # issue 19: one decision (the release) for every table of a model's numbers
    from lifetools.disclosure.models import WITHHELD_COLUMN
    from lifetools.reports.crisis_results import model_table, model_text

    good, bad = released_and_withheld()
    table = pd.DataFrame({"measure": ["C-statistic", "Calibration slope"],
                          "estimate (95% CI)": ["0.712 (0.690 to 0.733)", "0.98 (0.9 to 1.1)"]})
    shown = model_table(table, good)
    assert shown.frame.equals(table)
    hidden = model_table(table, bad).frame
    assert hidden["measure"].tolist() == table["measure"].tolist()
    assert hidden["estimate (95% CI)"].isna().all()
    assert hidden[WITHHELD_COLUMN].iloc[0] == bad.withheld_once  # the page states the reasons once
    assert model_text(good, "C 0.71") == "C 0.71"
    assert model_text(bad, "C 0.71") == bad.withheld_once and "0.71" not in bad.withheld


def test_emergency_c_statistic_sentence_states_its_interval_and_verdict():
    # issue 15: the A&E model's C-statistic (0.83 on the default build) was shown with
    # no interval; its sentence now carries the Hanley-McNeil interval and a verdict
    from lifetools.reports.sentences import C_JUDGE, C_STATISTIC, result_sentence

    found, missing = C_STATISTIC["emergency"]
    text = str(result_sentence(0.83, kind="estimate", found=found, missing=missing,
                               interval=(0.80, 0.86), judge=C_JUDGE))
    assert text.endswith("was 0.83 (95% confidence interval 0.80 to 0.86, by Hanley and "
                         "McNeil's method): it ranks people better than chance.")
    on_null = str(result_sentence(0.55, kind="estimate", found=found, missing=missing,
                                  interval=(0.45, 0.65), judge=C_JUDGE))
    assert on_null.endswith("compatible with ranking people no better than chance.")


def test_withheld_crisis_sentences_read_as_sentences_in_their_places():
    # the 2023-24 crisis page at 3,000 people (model withheld) read "Applied unchanged
    # to this year's 105 people, The C-statistic ... is not shown", "Is the model still
    # accurate? too few events to estimate (...)" and "The lasso model's penalty and
    # the coefficients it kept is not shown"
    from lifetools.reports.crisis_results import (
        DRIFT_SUBJECT,
        LASSO_SUBJECT,
        RIDGE_SUBJECT,
    )
    from lifetools.reports.prediction import model_results
    from lifetools.reports.sentences import C_STATISTIC, result_sentence

    _, bad = released_and_withheld()
    found, missing = C_STATISTIC["validation"]
    after_comma = result_sentence(0.7, kind="estimate", found=found, missing=missing,
                                  reason="the fit did not converge")
    assert str(after_comma).startswith("the C-statistic")
    assert found.startswith("its ")  # both forms continue the page's sentence
    drift = {"name": "drift_verdict", "value": True, "kind": "text", "label": "Drift",
             "text": "The model has drifted.", "subject": DRIFT_SUBJECT}
    text = str(model_results(bad, drift)[0]["text"])
    assert text.startswith(DRIFT_SUBJECT + " is not shown: too few events")
    assert text.endswith(".")
    # one subject for "is not shown", not two joined by "and"
    assert " and " not in LASSO_SUBJECT.split(" (")[0]
    # the ridge penalty, glued in brackets, read "(on the scale of rms::lrm: too few
    # events to estimate (...))": it is a sentence of its own, shown or not
    ridge = {"name": "ridge_penalty", "value": 2.0, "kind": "text", "label": "Ridge",
             "text": "The penalty chosen was 2.", "subject": RIDGE_SUBJECT}
    assert str(model_results(bad, ridge)[0]["text"]).startswith(
        RIDGE_SUBJECT + " is not shown: too few events")


@pytest.mark.slow  # the whole report with boot-MI on 8,000 generated people
def test_analyse_crisis_risk_boot_mi_default_page_results_from_boot_mi(crisis_data):
    # issue 19: boot-MI is the series' default (analyses.yml's `internal`); the key
    # results and tables the page shows come from the boot-MI run, its sentences say
    # so, and the checklist's dates read in words (issue 15: "2023-04-01" before)
    import inspect
    from dataclasses import replace

    from lifetools.disclosure.profiles import PROFILES, use_profile
    from lifetools.prediction.imputation import fit_imputed_model
    from lifetools.reports.crisis_internal import (
        internal_calibration_grid,
        internal_calibration_table,
        internal_validation,
        internal_validation_table,
    )
    from lifetools.reports.crisis_parts import (
        crisis_spec,
        imputed_cohort,
        with_missing_predictors,
    )
    from lifetools.reports.prediction import MEASURES

    assert inspect.signature(analyse_crisis_risk).parameters["internal"].default == "boot-mi"
    PROFILES["test-boot-mi"] = replace(PROFILES["default"], name="test-boot-mi",
                                       model_min_events=5)
    try:  # the 2023-24 model is released under it, so its numbers are on the page
        with use_profile("test-boot-mi"):
            made = analyse_crisis_risk(crisis_data, period_start="2023-04-01",
                                       period_end="2024-03-31", n_boot=10, imputations=2)
    finally:
        del PROFILES["test-boot-mi"]
    key = {k["name"]: k for k in made.key_results}
    # the same boot-MI run, by hand from the report's own development cohort
    dev = with_missing_predictors(made.cohorts[0].data)
    spec = crisis_spec(dev)
    copies = imputed_cohort(dev, spec, m=2, seed=19)
    frozen = fit_imputed_model(copies, spec, shrinkage="heuristic").frozen
    grid = internal_calibration_grid(np.mean([frozen.predict_risk(c) for c in copies],
                                             axis=0))
    run = internal_validation(dev, copies, spec, method="boot-mi", n_boot=10, seed=19,
                              imputations=2, grid=grid)
    assert run.boot is not run.mi_boot  # boot-MI, and MI-boot beside it
    assert key["c_corrected"]["value"] == pytest.approx(run.boot.corrected("c"), abs=1e-12)
    assert key["c_corrected"]["value"] != pytest.approx(run.mi_boot.corrected("c"), abs=1e-6)
    shown = made.before_release["internal"]
    expected = internal_validation_table(run.boot, MEASURES)
    for column in ("measure", "apparent", "optimism", "corrected"):
        assert shown[column].tolist() == expected[column].tolist(), column
    pd.testing.assert_frame_equal(made.before_release["internal_calibration"],
                                  internal_calibration_table(run.boot))
    # the sentences the page glues, generated from what was computed
    assert key["internal_method"]["value"] == "boot-mi"
    method = str(key["internal_method"]["text"])
    drawn = run.boot.n_boot + run.boot.n_failed  # 200 drawn, 182 kept at 3,000 people
    assert f"with {drawn} samples and 2 imputed copies of each" in method
    assert "boot-MI (" in method
    curve = key["internal_calibration_method"]
    assert curve["value"] == "boot-mi" and "(boot-MI)" in str(curve["text"])
    assert "MI-boot" not in str(curve["text"])
    assert f"out of {drawn} bootstrap samples drawn" in str(key["fit_reliability"]["text"]) \
        or f"each of the {drawn} bootstrap samples" in str(key["fit_reliability"]["text"])
    assert drawn == 10  # boot-MI draws n_boot samples; MI-boot at least 10 a copy (20)
    # the model comparison is MI-boot for all three models: its columns and a sentence
    # say so, and why the shrunk model's values differ from the internal validation's
    # (a reader saw 0.984 there and 0.974 in the internal validation, wave 37)
    comparison = made.before_release["comparison"].set_index("measure")
    column = "shrunk logistic, optimism-corrected in 2022-23 (MI-boot: bootstrap " \
             "within each imputed copy; 95% CI)"
    assert comparison.loc["Calibration slope", column].endswith(
        " (no interval computed for this comparison)")
    assert not comparison.apply(lambda c: c.str.contains("not defined")).any().any()
    assert "boot-MI" in str(key["comparison_method"]["text"])
    assert "differ slightly from this table's" in str(key["comparison_method"]["text"])
    checklist = made.checklist.set_index("item")
    # in brief: the location column names the section that gives ``method`` whole
    assert checklist.loc["12c", "reported"].endswith(str(key["internal_method_brief"]["text"]))
    assert f"{drawn} samples, each imputed afresh in 2 copies" in str(
        key["internal_method_brief"]["text"])
    assert "1 April 2022 (development) and 1 April 2023 (validation)" in \
        checklist.loc["5b", "reported"]
    iso = [i for i, r in checklist["reported"].items() if re.search(r"\d{4}-\d\d-\d\d", r)]
    assert iso == []


def test_sample_size_basis_states_what_the_size_was_computed_from(report):
    # the page typed "15% of its maximum" and "target shrinkage of 0.9" by hand
    # (issue 15, wave 27): they are the run's own now, and agree with its table
    key = {str(k["name"]): k for k in report.key_results}
    text = str(key["sample_size_basis"]["text"])
    assert "R-squared of 15% of its maximum" in text
    # one sentence with its verb, the verdict in the sentence after it (it said "the
    # sentence before says whether the cohort met ...", with no verb: wave 37)
    assert text.endswith("target shrinkage of 0.9.") and "sentence before" not in text
    import json
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[2] / "analyses" / "07_crisis_risk.ipynb"
    page = "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                   if c["cell_type"] == "markdown")
    assert ("Riley et al. (2020) was\n{glue:text}`sample_size_basis`\n\n"
            "{glue:text}`sample_size_sentence`") in page
    assert f"candidate parameters ({key['parameters']['value']})" in text
    criterion_one = report.sample_size["shrinkage"].iloc[0]
    assert str(criterion_one).startswith("0.9")


def test_model_comparison_names_its_bootstrap_and_why_it_can_differ():
    # the comparison read "0.984 (interval not defined)" beside an internal validation
    # giving the same model 0.974 (0.939 to 1.028): MI-boot against boot-MI, unsaid
    # (wave 37)
    from lifetools.reports.crisis_models import NO_COMPARISON_INTERVAL
    from lifetools.reports.crisis_results import comparison_method

    assert corrected_column("ridge", "2023-24", copies=5) == (
        "ridge, optimism-corrected in 2023-24 (MI-boot: bootstrap within each imputed "
        "copy; 95% CI)")
    assert "nothing imputed" in corrected_column("ridge", "2023-24", copies=1)
    assert NO_COMPARISON_INTERVAL == "no interval computed for this comparison"
    differs = str(comparison_method("boot-mi", 5))
    assert "(MI-boot), for the shrunk, ridge and lasso models alike. " in differs
    assert "(boot-MI), so the shrunk model's optimism-corrected values there differ " \
           "slightly from this table's" in differs
    same = str(comparison_method("mi-boot", 5))
    assert "as the internal validation above does" in same and "differ" not in same
    assert "nothing was imputed" in str(comparison_method("boot-mi", 1))


def test_fine_gray_incidence_sentence_gives_the_risk_in_per_cent():
    from lifetools.reports.crisis_results import fine_gray_incidence_sentence

    everyone = pd.Series({"estimate": 0.2451, "ci_lower": 0.2238, "ci_upper": 0.2674})
    within = str(fine_gray_incidence_sentence(everyone, (0.225, 0.277)))
    assert "within a year of 24.5% on average (95% confidence interval 22.4% to 26.7%" in within
    assert "0.245" not in within
    # the predicted interval wholly above the observed point but overlapping its
    # interval said "the model over-predicts" beside an O/E of 0.918 (0.813 to 1.036)
    # (30,000 people, 2024-25: wave 40)
    tight = pd.Series({"estimate": 0.263, "ci_lower": 0.242, "ci_upper": 0.285})
    assert "within the uncertainty of the observed cumulative incidence" in str(
        fine_gray_incidence_sentence(tight, (0.217, 0.268)))
    assert "the model over-predicts" in str(fine_gray_incidence_sentence(everyone, (0.15, 0.20)))
    assert "the model under-predicts" in str(fine_gray_incidence_sentence(everyone, (0.30, 0.35)))


@pytest.mark.slow  # the report on 8,000 generated people: 18 s
def test_sample_size_is_computed_from_the_published_share_with_a_crisis(report,
                                                                       crisis_data):
    # wave 41: from the exact share, criterion (iii) (1.96 / 0.05)^2 phi (1 - phi) and
    # each criterion's events per parameter gave the development cohort's share to
    # about four significant figures: with its published people, the exact count of
    # crises that every table rounds to 5
    import math

    from lifetools.cohort.crisis import build_crisis_cohort

    flow = report.flow.frame
    crises, people = (int(flow["development"].iloc[i]) for i in (2, 1))
    phi = crises / people
    needed = report.sample_size.set_index("criterion")["people needed"]
    assert needed["(iii) precision of the overall risk"] == math.ceil(
        (1.96 / 0.05) ** 2 * phi * (1 - phi))
    exact = build_crisis_cohort(crisis_data, index_date="2023-04-01").data["crisis"]
    assert exact.mean() != phi  # the published share is not the exact one here


def test_fine_gray_incidence_sentence_names_the_tables_other_interval():
    # issue 19: at 30,000 people the time-to-event table gave the mean predicted risk
    # 24.7% to 27.8% (people resampled, model fixed) and the sentence 24.2% to 28.5%
    # (the model's coefficients and baseline), with nothing saying why
    from lifetools.reports.crisis_results import fine_gray_incidence_sentence

    everyone = pd.Series({"estimate": 0.2612, "ci_lower": 0.2418, "ci_upper": 0.2851})
    text = str(fine_gray_incidence_sentence(everyone, (0.241, 0.279),
                                            (0.2609, 0.2471, 0.2776)))
    assert "(95% confidence interval 24.2% to 28.5%, carrying the uncertainty of the " \
           "model's coefficients and baseline, with this year's people as they are)" in text
    assert "The table above gives this mean as 26.1% (24.7% to 27.8%), with an " \
           "interval of another kind: it resamples this year's people with the model " \
           "held fixed" in text
    # no table interval (not computed): the sentence alone, never a half-told mean
    alone = str(fine_gray_incidence_sentence(everyone, (0.241, 0.279)))
    assert alone.endswith("(the intervals overlap).") and "table above gives" not in alone


def test_internal_validation_table_keeps_limits_off_1_0_5_and_the_stated_limits():
    # every limit was written at 3 places until wave 43: a C-statistic limit of 0.9996
    # read "1.000" (perfect discrimination) and a slope limit of 0.7996 "0.800", the
    # stated limit itself, as the temporal-validation table and the drift verdict
    # never write them (lifetools.signs.places_avoiding)
    from lifetools.reports.crisis_internal import TWO_STAGE_COLUMN

    lower, upper = [0.5004, 0.7996, 0.0004, -0.2004, 0.14], [0.9996, 1.1996, 0.3, 0.1, 0.18]
    table = _two_stage_table(lower, upper, slope=(0.8, 1.2), citl=(-0.2, 0.2)
                             )[TWO_STAGE_COLUMN]
    assert table["C-statistic"] == "0.5004 to 0.9996"
    assert table["Calibration slope"] == "0.7996 to 1.1996"
    assert table["Calibration-in-the-large (log-odds)"] == "−0.2004 to 0.100"
    assert table["Recalibration intercept (log-odds)"] == "0.0004 to 0.300"
    assert table["Brier score"] == "0.140 to 0.180"  # nothing to keep off
    # without stated limits, a slope limit keeps off 1 only
    plain = _two_stage_table(lower, upper)
    assert plain.loc["Calibration slope", TWO_STAGE_COLUMN] == "0.800 to 1.200"


def test_temporal_calibration_grid_whole_percents_never_a_persons_risk():
    # the grid was np.quantile(risk, 5% to 95%): each point a person's predicted risk
    # or between two, published to 3 places (issue 19, wave 43)
    from lifetools.reports.crisis_internal import GRID_POINTS
    from lifetools.reports.prediction import temporal_calibration_grid

    risk = np.random.default_rng(5).beta(2, 8, 2001)  # odd: the median is a person's
    grid = temporal_calibration_grid(risk)
    np.testing.assert_allclose(grid * 100, np.round(grid * 100), atol=1e-9)
    assert not np.isin(grid, risk).any() and 2 <= len(grid) <= GRID_POINTS
    low, high = np.quantile(risk, [0.05, 0.95])
    assert grid[0] >= low and grid[-1] <= high


@pytest.mark.slow  # the report on 8,000 generated people (shared fixture)
def test_analyse_crisis_risk_temporal_curve_at_whole_percents_and_unknowns_counted(report):
    from lifetools.reports.crisis_parts import with_missing_predictors

    curve = report.before_release["calibration"]
    development, validation = report.cohorts
    risks = curve["predicted"].to_numpy()
    np.testing.assert_allclose(risks * 100, np.round(risks * 100), atol=1e-9)
    missing = report.before_release["missing"].set_index("predictor")
    for col, group in (("white", "ethnic_group"), ("imd_q1", "imd_quintile")):
        row = missing.loc[VALUE_LABELS[col]]
        assert row["missing, development"] == (
            development.data[group] == "Not known").sum() > 0
        assert row["missing, validation"] == (
            validation.data[group] == "Not known").sum() > 0
        assert row["handling"] == "multiple imputation (3 copies)"
    dev = with_missing_predictors(development.data)
    assert missing.loc[VALUE_LABELS["female"], "missing, development"] == \
        dev["female"].isna().sum()


@pytest.mark.slow  # the report on 8,000 generated people (shared fixture)
def test_analyse_crisis_risk_reports_the_people_in_both_cohorts(report):
    # TRIPOD+AI 16/20: the overlap of people between development and validation was
    # not reported (issue 19, wave 43)
    from lifetools.disclosure import protect_count
    from lifetools.formatting import format_value

    development, validation = report.cohorts
    both = len(set(development.data["person_id"]) & set(validation.data["person_id"]))
    assert 0 < both < len(validation.data)
    results = {str(r["name"]): r for r in report.key_results}
    text = str(results["overlap_sentence"]["text"])
    shown = format_value(protect_count(both), kind="count")
    assert f", {shown} were also in the development cohort" in text
    checklist = report.checklist.set_index("item")
    assert checklist.loc["16", "reported"].endswith(f"cohort): {shown}.")
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "analyses" / "07_crisis_risk.ipynb"
            ).read_text()
    assert "{glue:text}`overlap_sentence`" in page


def test_temporal_table_keeps_limits_off_0_5_1_and_the_stated_limits():
    # the temporal table kept only the calibration measures' limits off their nulls
    # and stated limits: a C-statistic limit of 0.9996 read "1.000" (perfect
    # discrimination) and one of 0.5004 "0.500" (no discrimination), an observed /
    # expected limit of 1.0004 "1.000" (wave 43; the internal table's rule, kept_sides)
    from types import SimpleNamespace

    from lifetools.reports.prediction import temporal_table

    summary = pd.DataFrame({
        "measure": ["c", "slope", "citl", "oe_ratio", "brier"],
        "estimate": [0.8, 1.0, 0.0, 1.1, 0.15],
        "ci_lower": [0.5004, 0.7996, -0.2004, 1.0004, 0.1],
        "ci_upper": [0.9996, 1.1996, 0.1, 1.3, 0.2]})
    brier = SimpleNamespace(estimate=0.15, ci_lower=0.14, ci_upper=0.18)
    table = temporal_table(summary, brier, {"slope": (0.8, 1.2), "citl": (-0.2, 0.2)}
                           ).set_index("measure")["estimate (95% CI)"]
    assert table["C-statistic"] == "0.800 (0.5004 to 0.9996)"
    assert table["Calibration slope"] == "1.000 (0.7996 to 1.1996)"
    assert table["Calibration-in-the-large (log-odds)"] == "0.000 (−0.2004 to 0.100)"
    assert table["Observed / expected events"] == "1.100 (1.0004 to 1.300)"
    assert table["Brier score"] == "0.150 (0.140 to 0.180)"


def test_kept_sides_are_kept_off_as_keywords():
    from lifetools.reports.crisis_internal import kept_off, kept_sides

    assert kept_sides("c") == {"null": 0.5, "avoid": (1.0,)}
    assert kept_sides("slope", {"slope": (0.8, 1.2)}) == \
        dict(zip(("null", "avoid"), kept_off("slope", {"slope": (0.8, 1.2)}), strict=True))
    assert kept_sides("brier") == {"null": None, "avoid": ()}
