"""Report assemblies and figures on one small synthetic dataset (smoke and shape)."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from lifetools import disclosure, plots, reports, tables  # noqa: E402
from lifetools.disclosure import PROFILES, use_profile  # noqa: E402
from lifetools.loading import load_dataset  # noqa: E402
from lifetools.publication import is_marked  # noqa: E402
from lifetools.reports.survival_parts import hazard_e_values  # noqa: E402
from lifetools.synthetic import write_synthetic  # noqa: E402

# every test here fits the reports on 15,000 generated people: not in `make check`
pytestmark = pytest.mark.slow

PERIOD = {"period_start": "2022-04-01", "period_end": "2025-03-31"}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    write_synthetic(folder, people=15000, seed=21)
    return load_dataset(folder)


def test_discharge_report(data):
    report = reports.analyse_discharge(data, **PERIOD)
    assert isinstance(report.flow, disclosure.ProtectedTable) and report.flow.record.flow is not None
    assert report.flow["n"].dropna().is_monotonic_decreasing  # a hidden step: [c]
    assert {"Time-varying (correct)", "Naive fixed exposure (biased)"} <= set(
        report.hazard_ratios["model"])
    assert len(report.exposure_ratios) == 3
    names = [k["name"] for k in report.key_results]
    assert {"hr_tv", "hr_tv_sentence", "hr_naive_sentence"} <= set(names)
    # cox.zph for every Cox model shown (time-varying start-stop, naive with delayed
    # entry, landmark), per term and global, each row saying what was done
    models = report.ph_test["model"]
    assert models.str.startswith("Time-varying").any()
    assert models.str.startswith("Naive").any()
    assert models.str.startswith("Landmark at 90 days").any()
    assert {"Life Rooms use (time-varying)", "Life Rooms use by the landmark",
            "Global test (all terms)"} <= set(report.ph_test["term"])
    assert report.ph_test["action"].notna().all()
    assert report.ph_test["p_value"].notna().all()
    assert "cox.zph" in report.naive.method["ph_test"]
    # degrees of freedom are whole numbers: "1", not "1.00" (the page and its
    # download until wave 33)
    assert str(report.ph_test["df"].dtype) == "Int64"
    shown = tables.show_table(report.ph_test, name="ph-test", caption="PH",
                              not_counts=["df"])
    assert set(shown.words["Degrees of freedom"]) <= {"1", "6", "[x]"}, set(
        shown.words["Degrees of freedom"])
    # the Fine-Gray ratio is a secondary estimate beside the cause-specific ones, same
    # landmark population; not on the cause-specific forest plot
    fine_gray = report.hazard_ratios[report.hazard_ratios["model"].str.startswith(
        "Fine-Gray")]
    assert len(fine_gray) == 1 and fine_gray["estimate"].notna().all()
    assert report.fine_gray.n_people == report.landmark.cox.n_people
    assert {"shr_landmark", "shr_landmark_ci"} <= set(names)
    # E-values of both headline ratios; discharge is common here (the computed
    # cumulative incidence, over 15%), so the hazard ratios were converted (issue #13)
    key = {k["name"]: k for k in report.key_results}
    assert report.e_values["name"].tolist() == ["hr_tv", "shr_landmark"]
    assert report.e_values["incidence"].iloc[0] > 0.15
    assert report.e_values["common"].all()
    for name, row in report.e_values.set_index("name").iterrows():
        assert key[f"{name}_evalue"]["value"] == [row["e_value"], row["e_value_ci"]]
        assert 1 <= row["e_value_ci"] <= row["e_value"]
        assert "discharge is common, so the hazard ratio was converted" in str(
            key[f"{name}_evalue"]["text"])
    # the published hazard-ratio table carries them in the two headline rows and the
    # sensitivity analyses' Life Rooms rows (complete cases, the cause-specific
    # landmark), each from its own shown ratio; not the naive (biased) row
    table = report.hazard_ratio_table
    shown = table["E-value (CI limit)"]
    expected = {f"{e:.2f} ({c:.2f})" for e, c in zip(report.e_values["e_value"],
                                                       report.e_values["e_value_ci"],
                                                       strict=True)}
    assert expected <= set(shown[shown != ""])
    with_evalue = set(table.loc[shown != "", "model"])
    assert with_evalue == {
        "Time-varying (correct)", "Landmark at 90 days",
        "Time-varying, complete cases (HoNOS recorded; missing-data sensitivity)",
        "Fine-Gray at 90 days (subdistribution hazard ratio, death competing)"}
    assert (shown != "").sum() == 4
    incidence = report.e_values["incidence"].iloc[0]
    ratios = report.released.frame
    for model in with_evalue:  # one row each, its E-values its own ratio's
        rows = ratios[(ratios["model"] == model) & ratios["e_value"].notna()]
        assert len(rows) == 1, model
        row = rows.iloc[0]
        found = hazard_e_values(row.to_dict() | {"text": None}, incidence)
        assert (row["e_value"], row["e_value_ci"]) == (found.estimate, found.limit)
    assert str(key["hr_tv_evalue_sentence"]["text"]).startswith(
        "An unrecorded characteristic would have to be associated with both Life Rooms "
        "use and discharge by a risk ratio of ")
    assert not report.exposure_ratios["model"].str.startswith("Fine-Gray").any()
    assert report.time_varying.global_tests["test"].tolist() == [
        "likelihood_ratio", "wald", "score"]
    split_rows = report.hazard_ratios["model"].str.contains("time-split")
    assert split_rows.any() == (report.time_split is not None
                                and report.time_split.estimable)
    assert (report.hazard_ratios["note"] == "").all()  # every model estimable here
    assert list(report.notes.columns) == ["model", "note"]
    assert not report.notes["note"].str.contains(r"\['", regex=True).any()  # no repr
    assert is_marked(plots.plot_survival(report.km).figure)
    assert is_marked(plots.plot_survival(report.cif, max_time=365).figure)
    assert is_marked(plots.plot_forest(report.exposure_ratios, label_col="model").figure)


def test_rereferral_report(data):
    report = reports.analyse_rereferral(data, **PERIOD)
    assert set(report.cif.summary["group"]) == {"Used the Life Rooms",
                                                "Did not use the Life Rooms"}
    assert 0 < report.key_results[2]["value"] < 100
    # the summary's share re-referred, with its interval, is in a table of its own
    # (its download), as written there (only results.json held it until wave 40)
    key = {k["name"]: k for k in report.key_results}
    shown = report.share_table["estimate (95% CI)"].tolist()
    assert shown == [f"{key['rereferral_1y']['text']} ({key['rereferral_1y_ci']['text']})"]
    # the re-referral model's PH test is no longer silenced, but is withheld with
    # the model when its release check withholds it (a model output, issue #12)
    if report.release.released:
        assert "Global test (all terms)" in set(report.ph_test["term"])
        assert report.ph_test["p_value"].notna().all()
    else:
        assert report.ph_test["term"].tolist() == ["(all terms)"]
        # no number: its statistic and p-value are the withheld cell the action is
        # ([c] on the page and in the download: wave 42)
        assert all(str(v) == str(report.ph_test["action"].iloc[0])
                   for v in report.ph_test["p_value"])
        assert report.ph_test["action"].iloc[0] == (
            f"withheld with the model ({report.release.withheld})")
    # Fine-Gray subdistribution ratios beside the cause-specific ones, same terms
    models = report.hazard_ratios.groupby("model")["term"].apply(list)
    assert models["Cause-specific Cox"] == models[
        "Fine-Gray (subdistribution, death competing)"]
    assert {"shr_rereferral", "shr_rereferral_ci"} <= {k["name"] for k in
                                                       report.key_results}
    # E-values, common or rare by re-referral's computed cumulative incidence
    evalues = report.e_values.set_index("name")
    assert evalues.index.tolist() == ["hr_rereferral", "shr_rereferral"]
    incidence = evalues["incidence"].iloc[0]
    assert 0 < incidence < 1
    assert (evalues["common"] == (incidence > 0.15)).all()
    words = "common, so the hazard ratio was converted" if incidence > 0.15 else \
        "rare, so the hazard ratio was taken as a risk ratio"
    shown = {k["name"]: k for k in report.key_results}
    for name, row in evalues.iterrows():
        if pd.notna(row["e_value"]):
            assert shown[f"{name}_evalue"]["value"] == [row["e_value"], row["e_value_ci"]]
            assert words in str(shown[f"{name}_evalue"]["text"])
        else:
            assert shown[f"{name}_evalue"]["value"] is None
    # the published table carries them where released, blank elsewhere; the
    # complete-case sensitivity row has its own (from its own shown ratio)
    table = report.hazard_ratio_table
    column = table["E-value (CI limit)"]
    complete = table["model"].str.contains("complete cases")
    numbers = ~column.isin(["", tables.SUPPRESSED])
    assert (numbers & ~complete).sum() == evalues["e_value"].notna().sum()
    # a row of a model the release rule withheld reads [c] there, as its estimate
    # (it read [x] beside the estimate's [c] until wave 42)
    withheld = table["hazard ratio (95% CI)"] == tables.SUPPRESSED
    assert (column[withheld] == tables.SUPPRESSED).all()
    ratios = report.released.frame
    complete_row = ratios[ratios["model"].str.contains("complete cases")].iloc[0]
    found = hazard_e_values(complete_row.to_dict() | {"text": None}, incidence)
    if found is None or pd.isna(complete_row["estimate"]):
        assert not numbers[complete].any()
    else:
        assert (complete_row["e_value"], complete_row["e_value_ci"]) == (
            found.estimate, found.limit)
        assert column[complete].iloc[0] == f"{found.estimate:.2f} ({found.limit:.2f})"

    key = {k["name"]: k for k in report.key_results}
    assert key["hr_rereferral_sentence"]["text"].startswith(
        "The rate of re-referral among Life Rooms users was " if report.release.released
        else "How the rate of re-referral among Life Rooms users compared")
    assert "nan" not in key["rereferral_sentence"]["text"]


def test_discharge_still_open_curve_is_one_less_every_way_of_leaving_care(data):
    # the Kaplan-Meier curve is the share of referrals still open: its event is any
    # closure, so at every time it equals 1 - (discharge + transfer + death cumulative
    # incidence), the Aalen-Johansen identity on the same risk sets. With transfers and
    # deaths censored it read 0.28 still open at day 1,080 where at most 0.19 were.
    report = reports.analyse_discharge(data, **PERIOD)
    km = report.km.summary.set_index("time")["estimate"]
    cif = report.cif.summary.pivot_table(index="time", columns="group",
                                         values="estimate")
    assert set(cif.columns) == {"Discharge", "Transfer", "Death"}
    every = cif.reindex(km.index).ffill().fillna(0.0).sum(axis=1)
    gap = (km - (1.0 - every)).abs()
    assert len(gap) > 100 and gap.max() < 1e-9, gap.max()
    # not discharge alone: censoring the competing events gives a higher curve
    alone = discharge_alone_km(data)
    assert (alone.reindex(km.index).ffill() - km).max() > 0.02


def discharge_alone_km(data):
    """The biased curve: time to discharge with transfers and deaths censored."""
    from lifetools.cohort import CohortSpec, build_discharge_cohort
    from lifetools.survival import estimate_km

    cohort = build_discharge_cohort(data, CohortSpec(PERIOD["period_start"],
                                                     PERIOD["period_end"], ("A06",),
                                                     "all")).data
    return estimate_km(cohort, duration_col="duration", event_col="discharged",
                       entry_col="entry").summary.set_index("time")["estimate"]


def test_discharge_report_imputes_missing_honos_and_shows_complete_cases(data):
    # 30% of HoNOS removed at random: the models are pooled over imputed copies (Rubin's
    # rules), the complete-case model is fitted to fewer people and shown beside them
    import dataclasses

    import numpy as np

    refs = data.referrals.copy()
    gone = np.random.default_rng(5).random(len(refs)) < 0.3
    refs["honos_baseline"] = refs["honos_baseline"].mask(gone)
    holed = dataclasses.replace(data, referrals=refs)
    report = reports.analyse_discharge(holed, **PERIOD, imputations=3)
    assert "Rubin" in report.time_varying.method["imputation"]
    assert report.time_varying.summary["fmi"].gt(0).any()
    assert report.complete_case.n_people < report.time_varying.n_people
    names = {k["name"] for k in report.key_results}
    assert {"hr_tv", "hr_tv_complete_case", "hr_tv_complete_case_ci"} <= names
    assert report.hazard_ratios["model"].str.contains("complete cases").sum() == 1
    assert report.hazard_ratios["estimate"].notna().all()


def test_discharge_complete_case_model_leaves_out_a_group_sparse_only_there(
        data, monkeypatch):
    # a 150,000-person build withheld the whole complete-case discharge model: 'Area
    # not known' had enough discharges for the main models and fewer than 10 among
    # people with HoNOS recorded. Like the landmark models, the complete-case model now
    # leaves such a group out (and says so) instead. Here HoNOS is unrecorded for all
    # but 5 people aged 65 or over, as a complete-case analysis would see it.
    from lifetools.reports import discharge, missing

    real = missing.complete_cases

    def honos_missing_for_the_oldest(frame):
        old = frame.index[frame["age_65_plus"].eq(1)]
        return real(frame.drop(old[5:]))

    monkeypatch.setattr(discharge, "complete_cases", honos_missing_for_the_oldest)
    report = reports.analyse_discharge(data, **PERIOD, imputations=2)
    assert "age_65_plus" in set(report.time_varying.summary["term"])
    key = {k["name"]: k for k in report.key_results}
    # withheld before: value nan, "too few events to estimate (fewer than 10 events
    # among 'Aged 65 or over')"
    assert key["hr_tv_complete_case"]["value"] > 0, key["hr_tv_complete_case"]
    assert "too few" not in str(key["hr_tv_complete_case"].get("text", ""))
    rows = report.hazard_ratios[report.hazard_ratios["model"].str.contains(
        "complete cases")]
    assert len(rows) == 1 and rows["estimate"].notna().all(), rows
    notes = dict(zip(report.notes["model"], report.notes["note"], strict=True))
    assert "Aged 65 or over" in notes.get("Complete-case model", ""), notes
    assert "Aged 65 or over" not in notes.get("All models", "")
    assert "age_65_plus" not in set(report.complete_case.summary["term"])


def test_rereferral_report_withheld_model_reads_as_such_in_its_sentence(
        data, monkeypatch, tmp_path):
    from lifetools.reports import rereferral

    real = rereferral.model_release

    # the release check sees 30 people only (40 until wave 61, when the data's 40
    # first rows held events enough for the share to be released)
    def few(result, *, data, **kwargs):
        return real(result, data=data.head(30), **kwargs)

    monkeypatch.setattr(rereferral, "model_release", few)
    report = reports.analyse_rereferral(data, **PERIOD)
    key = {k["name"]: k for k in report.key_results}
    assert not report.release.released
    # the share re-referred is withheld by the same check: its sentence says why
    share = key["rereferral_sentence"]["text"]
    # "too few events" once (it read "too few events to estimate (too few events
    # in total)" until wave 36)
    assert share.startswith("The share referred again is not shown: too few "
                            "events "), share
    assert share.count("too few") == 1, share
    # ... and the ratios' sentences after it do not say it again (the 2024-25 page at
    # 3,000 people said "too few events in total" 7 times: issue 15, wave 25)
    sentence = key["hr_rereferral_sentence"]["text"]
    assert sentence == ("How the rate of re-referral among Life Rooms users compared "
                        "with that of similar non-users is not shown either, for "
                        "the same reason.")
    assert key["shr_rereferral_sentence"]["text"].endswith(
        "is not shown either, for the same reason.")
    # the tables' notes say where the reason is, not the reason
    from lifetools.disclosure.models import WITHHELD_COLUMN
    from lifetools.disclosure.withheld import SAID_ONCE

    reason = report.release.reason
    why = report.hazard_ratio_table[WITHHELD_COLUMN].unique().tolist()
    assert len(why) == 2 and all(reason not in w for w in why), why
    # the two models the summary spoke for: "given above"; the complete cases, which
    # it did not, name the model they share the reasons with (wave 39)
    assert SAID_ONCE in why[0] and "Fine-Gray" in why[0], why
    assert why[1].endswith("(the same reasons as for \u2018Cause-specific Cox\u2019, "
                           "given above)"), why
    ph_note = report.ph_test["action"].iloc[0].note
    assert SAID_ONCE in ph_note and reason not in ph_note, ph_note
    # recorded, the withheld share and its interval read as the withheld ratios do,
    # "not shown: <reason>" (they read "not shown (too few events to estimate)" until
    # wave 40: issue 15), and its table (its download) shows [x], pointing above
    import json

    from lifetools import publication

    folder = tmp_path / ".03_re_referral.partial-1" / "files"
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(folder))
    monkeypatch.setenv("LIFETOOLS_ANALYSIS", "03_re_referral")
    publication.record_all(report.key_results)
    written = json.loads((folder / publication.RESULTS_FILE).read_text())
    texts = {written[name]["text"] for name in
             ("rereferral_1y", "rereferral_1y_ci", "hr_rereferral", "hr_rereferral_ci")}
    assert len(texts) == 1 and texts.pop().startswith("not shown: too few events"), texts
    tables.show_table(report.share_table, name="share-rereferred", caption="Share")
    csv = (folder / "tables" / "share-rereferred.csv").read_text().splitlines()
    # withheld by the model release rule: [c], as every value a disclosure rule hid
    # (the convention of wave 42; this test still expected [x])
    assert len(csv) == 2 and csv[1].endswith(f",{tables.SUPPRESSED}"), csv


def test_discharge_report_says_when_a_ratio_cannot_be_estimated(data, monkeypatch):
    # a fit that does not converge reaches the key results as its reason, not a number
    from lifetools.reports import discharge

    real = discharge.fit_cox_time_varying

    def no_events(long_df, **kwargs):
        return real(long_df.assign(event=0 * long_df["event"]), **kwargs)

    monkeypatch.setattr(discharge, "fit_cox_time_varying", no_events)
    report = reports.analyse_discharge(data, **PERIOD)
    key = {k["name"]: k for k in report.key_results}
    assert not report.time_varying.estimable
    assert key["hr_tv"]["text"].startswith("could not be estimated: ")
    assert key["hr_tv_ci"]["text"].startswith("could not be estimated: ")
    assert key["hr_tv_sentence"]["text"].startswith(
        "How their rate of discharge compared with that of similar people who had not "
        "used the Life Rooms could not be estimated: ")
    assert key["hr_tv_evalue"]["value"] is None
    assert str(key["hr_tv_evalue"]["text"]).startswith("could not be estimated: ")
    # in the summary's words (it said "could not be shown" until wave 30: issue 15)
    assert str(key["hr_tv_evalue_sentence"]["text"]) == (
        "No E-value is given: the time-varying hazard ratio could not be estimated.")
    rows = report.hazard_ratios[report.hazard_ratios["model"].str.startswith("Time")]
    assert rows["estimate"].isna().all()
    assert rows["note"].str.startswith("could not be estimated").all()
    assert report.ph_test.loc[report.ph_test["model"].str.startswith("Time"),
                              "action"].str.startswith("withheld with the model").all()


def test_emergency_report(data):
    report = reports.analyse_emergency_care(data, **PERIOD)
    assert len(report.estimates) == 8
    assert "Weighted (ATT) difference-in-differences" in set(report.estimates["term"])
    assert report.balance["covariate"].tolist() == report.balance_weighted[
        "covariate"].tolist()
    assert {"team_a06", "team_other", "baseline_ae", "baseline_admissions"} <= set(
        report.balance["covariate"])
    assert not {"prior_ae", "prior_admissions"} & set(report.balance["covariate"])
    assert report.estimates["failure"].isna().all()
    assert (report.estimates["e_value"] >= 1).all()
    assert (report.estimates["e_value_ci"] <= report.estimates["e_value"]).all()
    assert "E-value (CI limit)" in report.estimates_table.columns
    names = [k["name"] for k in report.key_results]
    assert {"did_ae", "did_ae_weighted", "max_smd_weighted", "did_ae_evalue",
            "did_admissions", "did_admissions_ci"} <= set(names)
    assert set(report.rates["ae"]["group"]) == {"Life Rooms users", "Matched comparison"}
    # "all" only when every user was matched, never a rounded "n of them" (issue 15)
    key = {k["name"]: k for k in report.key_results}
    users, pairs = key["users"]["value"], key["matched_pairs"]["value"]
    said = str(key["matching_count_sentence"]["text"])
    assert ("all of them were matched" in said) == (users == pairs), said
    assert users == pairs or "all but" in said or "the rest could not be" in said, said
    assert is_marked(plots.plot_love(report.balance).figure)
    assert is_marked(plots.plot_rates(report.rates["ae"]).figure)
    assert report.prediction_release.released, report.prediction_release.reason
    assert report.calibration.equals(report.prediction.extra["calibration_table"])
    assert is_marked(plots.plot_calibration(report.calibration).figure)
    key = {k["name"]: k for k in report.key_results}
    assert 0.5 < key["c_statistic"]["value"] < 1
    # the main point's fewest-events rule reads the thinnest published cell (#15)
    published = pd.to_numeric(report.rates["ae"].frame["events"], errors="coerce")
    assert key["did_ae_events"]["value"].value == int(published.min())


def test_emergency_fewest_events_reads_the_published_cells_a_hidden_one_is_too_few():
    # the verdict of the matched A&E ratio was stated on too few events: "0.70 (0.10
    # to 4.98): compatible with no difference" beside users' cells shown as [c] (#15)
    from lifetools.reports.emergency import fewest_events, rate_table

    def periods(user_events):
        rows = []
        for group, events in (("Life Rooms users", user_events),
                              ("Matched comparison", (60, 45))):
            for after, n in enumerate(events):
                rows += [{"group": group, "after": after, "ae": float(n // 20 + (i < n % 20)),
                          "person_years": 0.5} for i in range(20)]
        return pd.DataFrame(rows)

    assert fewest_events(rate_table(periods((30, 40)), "ae")) == 30
    assert fewest_events(rate_table(periods((30, 40)), "ae"), ["Matched comparison"]) == 45
    assert fewest_events(rate_table(periods((3, 40)), "ae")) is None  # shown as [c]
    # the matched comparison group has no first contact: its periods are the index
    # date's, as the page defines it ("Before first contact" for non-users: wave 39)
    table = rate_table(periods((30, 40)), "ae").frame
    assert list(zip(table["group"], table["period"], strict=True)) == [
        (group, period) for group in ("Life Rooms users", "Matched comparison")
        for period in ("Before the index date", "After the index date")]


def test_emergency_report_prediction_model_with_few_events_per_level_is_withheld(
        data, monkeypatch):
    # without the continuous hint the model's terms still say the baseline admission
    # rate (a handful of distinct values) is one linear term: released, one level
    from lifetools.disclosure import models
    from lifetools.reports import emergency

    monkeypatch.setattr(emergency, "PREDICTION_CONTINUOUS", ("age_per_10",))
    read = reports.analyse_emergency_care(data, **PERIOD).prediction_release
    assert read.released, read.reason
    levels = read.levels.frame
    assert levels.loc[levels["variable"] == "baseline_admissions", "level"].tolist() \
        == ["all"]
    # a model whose terms do not name the column reads its values as categories, and
    # the top levels have fewer than 10 events: withheld
    monkeypatch.setattr(models, "_linear_terms", lambda *args: set())
    report = reports.analyse_emergency_care(data, **PERIOD)
    release = report.prediction_release
    assert not release.released
    assert release.reason.startswith("too few events among ‘Emergency admissions "
                                     "per year (baseline window)’ = ")
    key = {k["name"]: k for k in report.key_results}
    assert key["c_statistic"]["value"] is None
    # "too few events" once: the release's reasons alone (wave 38)
    assert str(key["c_statistic"]["text"]) == release.withheld_brief == release.reason
    assert str(key["c_statistic_sentence"]["text"]).startswith(
        "The C-statistic (how well the model ranks people by risk) is not shown: "
        "too few events")
    assert report.calibration.empty
    figure = plots.plot_calibration(report.calibration).figure
    assert is_marked(figure) and len(figure.axes[0].lines) == 1  # the diagonal only


def test_emergency_report_propensity_not_converged_says_could_not_be_estimated(
        data, monkeypatch):
    from lifetools.regression import propensity
    from lifetools.reports import comparison
    from lifetools.reports.comparison import DESIGNS, OUTCOMES

    fit = propensity.fit_propensity
    for module in (propensity, comparison):  # the comparison fits once, in its module
        monkeypatch.setattr(module, "fit_propensity",
                            lambda *args, **kwargs: fit(*args, **kwargs, maxiter=1))
    report = reports.analyse_emergency_care(data, **PERIOD)
    did = report.estimates[report.estimates["term"].str.contains("difference")]
    assert len(did) == 4
    assert did["estimate"].isna().all()
    assert (did["failure"] == "the propensity model did not converge in 1 "
                              "iterations").all()
    # the summary states the failure: the four rows point to it (issue 15, wave 27)
    from lifetools.disclosure.models import WITHHELD_COLUMN
    table = report.estimates_table[report.estimates_table["term"].str.contains(
        "difference")]
    assert (table["rate ratio (95% CI)"] == "[x]").all()
    # the three the summary speaks for point there; the weighted admissions ratio,
    # which it does not, names the first row given those words (all four read "(the
    # reasons are given above)" until wave 39: the 3,000-person page pointed its
    # admissions rows to reasons its summary gave for A&E)
    entries = dict(zip(table["outcome"] + ", " + table["term"], table[WITHHELD_COLUMN],
                       strict=True))
    weighted = f"{OUTCOMES['admissions']}, {DESIGNS['weighted']}"
    assert entries.pop(weighted).endswith(
        f"could not be estimated (the same reasons as for \u2018{OUTCOMES['ae']}, "
        f"{DESIGNS['matched']}\u2019, given above)"), table[WITHHELD_COLUMN].tolist()
    assert all(e.endswith("could not be estimated (the reasons are given above)")
               for e in entries.values()), entries
    key = {k["name"]: k for k in report.key_results}
    assert "the propensity model did not converge" in key["did_ae_sentence"]["text"]
    # its E-value in the same words (wave 30: "could not be shown" until then)
    assert str(key["did_ae_evalue_sentence"]["text"]) == (
        "No E-value is given: the matched A&E estimate could not be estimated.")
    key = {k["name"]: k for k in report.key_results}
    for name in ("did_ae", "did_ae_ci", "did_ae_weighted", "did_admissions_evalue"):
        assert key[name]["value"] is None
        assert key[name]["text"].startswith("could not be estimated:")
    assert key["before_after_ae"]["value"] > 0  # the within-person estimate stands
    assert set(report.rates["ae"]["group"]) == {"Life Rooms users",
                                                "All non-users (matching failed)"}
    assert is_marked(plots.plot_love(report.balance).figure)


def test_wellbeing_report(data):
    report = reports.analyse_wellbeing(data, **PERIOD, meaningful_change=2.0)
    assert report.counts["n"].iloc[1] > 0
    assert len(report.estimates) == 3
    # the share improving in per cent in the table, as the summary quotes it (the
    # table read "0.40 (0.16 to 0.71)" beside "40.0% (...)" until wave 33)
    shown = tables.table_estimates(report.released, label="estimate", keep=["method"])
    cells = dict(zip(shown["method"], shown["estimate (95% CI)"], strict=True))
    share = next(r for r in report.key_results if r["name"] == "share_improved")
    assert share["value"].value is not None and f"{share['value'].value:.1f}%" in cells[
        reports.wellbeing.SHARE_METHOD], cells
    assert "%" not in cells["Mean paired change (t interval)"]


def test_wellbeing_mixed_model_release_counts_both_fixed_effects(data, monkeypatch):
    # the release check's residual degrees of freedom of the mixed model are the
    # measurements less its two fixed effects (intercept and follow-up), not less the
    # one estimate published (the old n - 1); the paired change's and the share's are
    # pairs less 1
    import lifetools.reports.wellbeing as wellbeing

    seen = []

    def recording(result, **kwargs):
        release = model_release(result, **kwargs)
        seen.append((result, kwargs["data"], release))
        return release

    from lifetools.disclosure import model_release
    monkeypatch.setattr(wellbeing, "model_release", recording)
    wellbeing.analyse_wellbeing(data, **PERIOD, meaningful_change=2.0)
    ((change, pairs, change_release), (mixed, rows, mixed_release),
     (_, share_pairs, share_release)) = seen
    assert list(mixed.summary["term"]) == ["Intercept", "follow_up"]
    assert mixed_release.residual_df == len(rows) - 2
    assert change_release.residual_df == len(pairs) - 1
    # the share improving estimates one parameter (a proportion) on the pairs, as the
    # mean change does: pairs less 1, not less 0 (its check used to count none)
    assert share_release.residual_df == len(share_pairs) - 1 == len(pairs) - 1
    assert mixed.method["ci_method"] == "t" and mixed.method["df"] == "Satterthwaite"


def test_analyse_wellbeing_withheld_summary_and_table_give_one_reason():
    # 4,000 people, 2024-25: too few pairs. The summary said "fewer than 10
    # contributors (threshold rule)" while the table said "fewer than 10 residual
    # degrees of freedom; its confidence interval reaches 0 or infinity"
    from lifetools.synthetic import generate_dataset
    from lifetools.tables import table_estimates

    report = reports.analyse_wellbeing(generate_dataset(4000, 20250401),
                                       period_start="2024-04-01",
                                       period_end="2025-03-31")
    from lifetools.disclosure.models import WITHHELD_COLUMN
    from lifetools.disclosure.withheld import SAID_ONCE

    table = table_estimates(report.released, label="estimate", keep=["method"])
    # the rows show [c] (withheld by the model release rule: the convention of wave
    # 42; this test still expected [x]); the reason is the table's (its note, from
    # WITHHELD_COLUMN, which names the row's method)
    assert set(table.loc[table[WITHHELD_COLUMN] != "", "estimate (95% CI)"]) == {
        tables.SUPPRESSED}
    cells = dict(zip(table["method"], table[WITHHELD_COLUMN], strict=True))
    text = {k["name"]: str(k["text"]) for k in report.key_results if "text" in k}
    reasons = {}
    for name, method in (("mean_change_sentence", "Mean paired change (t interval)"),
                         ("share_improved_sentence",
                          reports.wellbeing.SHARE_METHOD)):
        if text[name].endswith(" is not shown either, for the same reason."):
            # the share's reason is the mean's, said once (issue 15, wave 23)
            reasons[name] = reasons["mean_change_sentence"]
        else:
            assert " is not shown: " in text[name], text[name]
            reasons[name] = text[name].split(" is not shown: ", 1)[1].removesuffix(".")
        # the summary states the reason; the table's note points to it (issue 15,
        # wave 24: the page said it in the summary and again for each model)
        assert cells[method].endswith(f"({SAID_ONCE})"), (cells[method], reasons)
        assert reasons[name] not in cells[method]
    assert text["mean_change_ci"] == f"not shown ({reasons['mean_change_sentence']})"
    assert text["mean_change"] == text["mean_change_ci"]  # one set of words (wave 32)
    # the share's key result (results.json, the comparison with the previous edition)
    # gives the table's headline, not its own rule's privacy: [x] beside the table's
    # [x], never [c] (wave 32)
    share = next(k["value"] for k in report.key_results if k["name"] == "share_improved")
    cell = cells[reports.wellbeing.SHARE_METHOD].split(f" ({SAID_ONCE})")[0]
    assert (share.value, share.numerator) == (None, None)
    assert share.reason.startswith("too few ") and cell.endswith(share.reason), cell
    assert "reaches 0 or infinity" not in " ".join(cells.values())
    # a model whose reason the summary does not state keeps it in the note
    summary = " ".join(text[n] for n in ("mean_change_sentence", "share_improved_sentence"))
    mixed = cells["Linear mixed model (REML, t interval)"]
    if mixed and SAID_ONCE not in mixed:
        assert mixed.split(": ", 1)[1].split(": ", 1)[-1] not in summary


def test_reach_report(data, monkeypatch):
    report = reports.analyse_reach(data, **PERIOD)
    assert report.activity.frame.set_index("key").loc["visits", "n"] > 0
    # every one of the 192 answers on access agrees: a share of all of a group is not
    # shown, nor its numerator (group disclosure); 186 of the 192 would recommend the
    # Life Rooms: shown from the rounded counts, 185 of 190 (97.4%) ...
    table = report.satisfaction.frame
    assert table["responses"].notna().all()
    shares = ["agreeing", "per_cent", "ci_lower", "ci_upper"]
    assert table.loc[0, shares].isna().all() and table.loc[1, shares].notna().all()
    assert (table.loc[1, "agreeing"], table.loc[1, "responses"]) == (185, 190)
    assert table.loc[1, "per_cent"] == pytest.approx(97.4)
    # ... and without the group rule the headline shares are computed from the
    # published counts beside them
    loose = dataclasses.replace(PROFILES["default"], name="loose", group_disclosure=False)
    monkeypatch.setitem(PROFILES, "loose", loose)
    with use_profile("loose"):
        table = reports.analyse_reach(data, **PERIOD).satisfaction
    published = 100 * table["agreeing"].astype(float) / table["responses"].astype(float)
    assert table["per_cent"].astype(float).tolist() == pytest.approx(
        published.round(1).tolist())
    assert table["per_cent"].iloc[0] > 90
    assert is_marked(plots.plot_run_chart(report.monthly).figure)
    assert is_marked(plots.plot_reach(report.reach,
                                      characteristic="Deprivation quintile").figure)
    local = reports.analyse_reach(data, **PERIOD, locality="Sefton")
    assert set(local.sites["site"]) <= {"Bootle"}
    # each table hides exactly the fifths the other does. On the data before wave 61
    # Sefton's equity table hid quintile 3's users by its own rules where the reach
    # table showed them, and the reach table hid them too ("linked"); wave 61's data
    # (referrals up to the extract date) give no locality that case, which
    # tests/unit/test_disclosure_linked.py builds (test_equity_hides_a_fifth_of_its_
    # own_only_where_the_reach_table_hides_it)
    fifths = local.reach.frame["characteristic"] == "Deprivation quintile"
    reach_hidden = {str(local.reach.frame.at[r, "group"]).split(" ")[0]
                    for r, c, _ in local.reach.record.suppressed
                    if c == "Life Rooms users" and fifths.iloc[r]}
    rates = local.equity.rates
    equity_hidden = {str(rates.frame.iat[r, 0]) for r, c, _ in rates.record.suppressed
                     if c == "users"}
    assert equity_hidden == reach_hidden & {"1", "2", "3", "4", "5"} and equity_hidden
    # no percentage beside a hidden count of its own total (the complementary rule),
    # whether the reach table hid the count itself or for the equity table ("linked"):
    # Sefton's fifths showed their users' shares beside a linked hidden fifth
    for table in (report.reach, local.reach, local.deprivation):
        frame, hidden = table.frame, {(r, c) for r, c, _ in table.record.suppressed}
        for column in ("Secondary care", "Life Rooms users"):
            for _, rows in frame.groupby("characteristic").groups.items():
                if any((r, column) in hidden for r in rows):
                    assert frame.loc[list(rows), f"{column} %"].isna().all()
    # the activity sentence counts what the table counts: all visits, the people of
    # the linked ones, and the visits that could not be linked
    from lifetools.formatting import format_value

    sentence = next(k["text"] for k in report.key_results
                    if k["name"] == "activity_sentence")
    counts = report.activity.frame.set_index("key")["n"]
    start, end = (pd.Timestamp(PERIOD[k]) for k in ("period_start", "period_end"))
    contacts = data.life_rooms_contacts
    contacts = contacts[contacts["contact_date"].between(start, end)]
    unlinked = int(contacts["person_id"].isna().sum())
    assert unlinked > 0  # the synthetic data have visits that did not link
    for n in (counts["visits"], counts["visitors"], unlinked):
        shown = format_value(disclosure.protected_count(int(n)).value, kind="count")
        assert shown in sentence, (shown, sentence)
    assert "could not be linked" in sentence


def test_reach_gp_registrations_count_linked_people_and_hide_a_whole_group(data):
    # issue 12: gp_registration_supported is recorded per visit and the report summed
    # visits under "People helped to register with a GP"; the count is now the people
    # of the linked visits, a subset of the people visiting, under the group rule
    import ibis

    from lifetools.duckdb_settings import open_ibis_duckdb
    from lifetools.reports.reach import (
        GP_LABEL,
        gp_registered_people,
        protected_activity,
    )
    from lifetools.result_names import ReachName

    contacts = ibis.memtable(pd.DataFrame({
        "person_id": ["a", "a", "b", None, None, "c"],
        "gp_registration_supported": [True, True, True, True, False, False]}))
    # a twice, b once, two unlinked visits (one helped): 2 people, not 4 visits,
    # counted in the engine
    assert open_ibis_duckdb().execute(gp_registered_people(contacts)) == 2
    report = reports.analyse_reach(data, **PERIOD)
    shown = report.activity.frame.set_index("key")
    assert shown.at[ReachName.GP_REGISTRATIONS, "measure"] == GP_LABEL
    key = {k["name"]: k for k in report.key_results}
    assert key[ReachName.GP_REGISTRATIONS]["kind"] == "count"
    assert " of the people whose visits were linked were helped to register with a GP" \
        in str(key[ReachName.SERVICES_SENTENCE]["text"])

    def activity(visitors, helped):
        return pd.DataFrame({"key": [ReachName.VISITS, ReachName.VISITORS,
                                     ReachName.PRESCRIPTIONS, ReachName.GP_REGISTRATIONS,
                                     ReachName.NATIONALITIES],
                             "measure": ["Visits", "People visiting", "Prescriptions",
                                         GP_LABEL, "Nationalities"],
                             "n": [400, visitors, 60, helped, 12]})

    from lifetools.reports.reach import services_sentence

    for visitors, helped in ((40, 40), (40, 0)):  # everyone, or no one, was helped
        table = protected_activity(activity(visitors, helped))
        assert pd.isna(table.frame.set_index("key").at[ReachName.GP_REGISTRATIONS, "n"])
        sentence = str(services_sentence(activity(visitors, helped)))
        assert "with a GP is not shown (hidden to protect privacy)" in sentence, sentence
    table = protected_activity(activity(40, 15))
    assert table.frame.set_index("key").at[ReachName.GP_REGISTRATIONS, "n"] == 15


def test_reach_services_sentence_says_the_rounded_nationalities_are_about():
    # the 30,000-person 2024-25 page: "people of 20 nationalities took part" of 21, a
    # number of nationalities rounded as a count, then stated as exact (wave 37)
    from lifetools.reports.reach import GP_LABEL, services_sentence
    from lifetools.result_names import ReachName

    def activity(nationalities):
        return pd.DataFrame({"key": [ReachName.VISITS, ReachName.VISITORS,
                                     ReachName.PRESCRIPTIONS, ReachName.GP_REGISTRATIONS,
                                     ReachName.NATIONALITIES],
                             "measure": ["Visits", "People visiting", "Prescriptions",
                                         GP_LABEL, "Nationalities"],
                             "n": [400, 40, 60, 15, nationalities]})

    # "about" whatever the number, so that its absence never tells it was exact
    for raw, shown in ((21, "20"), (20, "20")):
        sentence = str(services_sentence(activity(raw)))
        assert sentence.endswith(f"and people of about {shown} nationalities took part."), \
            sentence
    # a suppressed number is not "about fewer than ..."
    assert "about" not in str(services_sentence(activity(3)))


def test_monthly_counts_plot(data):
    from lifetools.describe import describe_population

    described = describe_population(data, **PERIOD)
    assert is_marked(plots.plot_monthly_counts(described.monthly).figure)


def test_reports_with_an_empty_optional_honos_column_leave_it_out_by_design(data):
    # an extract whose optional HoNOS column is empty is valid (validation warns): the
    # survival reports fit without HoNOS instead of failing in the imputation
    import dataclasses

    refs = data.referrals.assign(honos_baseline=None)
    empty = dataclasses.replace(data, referrals=refs)
    discharge = reports.analyse_discharge(empty, **PERIOD)
    assert "honos_per_5" not in set(discharge.time_varying.summary["term"])
    assert discharge.time_varying.estimable
    rereferral = reports.analyse_rereferral(empty, **PERIOD)
    assert "honos_per_5" not in set(rereferral.cox.summary["term"])


def test_report_figures_have_human_labels_and_phone_legible_text(data):
    from matplotlib.text import Text

    from lifetools.describe import describe_population
    from lifetools.labels import is_raw_name
    from lifetools.plots.theme import MIN_PHONE_PX, phone_text_px

    discharge = reports.analyse_discharge(data, **PERIOD)
    emergency = reports.analyse_emergency_care(data, **PERIOD)
    reach = reports.analyse_reach(data, **PERIOD)
    figures = {
        "km": plots.plot_survival(discharge.km, max_time=1095),
        "cif": plots.plot_survival(discharge.cif, ylabel="Cumulative incidence",
                                   max_time=1095),
        "forest": plots.plot_forest(discharge.exposure_ratios, label_col="model",
                                    below="slower discharge", above="faster discharge"),
        "love": plots.plot_love(emergency.balance),
        "rates": plots.plot_rates(emergency.rates["ae"]),
        "run": plots.plot_run_chart(reach.monthly),
        "reach": plots.plot_reach(reach.reach, characteristic="Deprivation quintile"),
        "monthly": plots.plot_monthly_counts(describe_population(data, **PERIOD).monthly),
    }
    for name, ax in figures.items():
        fig = ax.figure
        fig.canvas.draw()
        shown = [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]
        assert [t for t in shown if is_raw_name(t)] == [], name
        assert phone_text_px(fig) >= MIN_PHONE_PX, name


def test_discharge_notebook_methods_state_the_missing_data_handling_the_report_does():
    # the page said "HoNOS is filled with the cohort median" after the report had moved
    # to chained-equation imputation (lifetools.reports.missing)
    from pathlib import Path

    import nbformat

    from lifetools.reports.missing import IMPUTED

    path = Path(__file__).resolve().parents[2] / "analyses" / "02_time_to_discharge.ipynb"
    text = " ".join(" ".join(cell.source.split()) for cell in nbformat.read(
        path, as_version=4).cells if cell.cell_type == "markdown")
    bullet = text[text.index("**Missing data**"):text.index("**Limitations**")]
    assert "median" not in bullet and "not in the most deprived" not in bullet
    assert "chained equations" in bullet and "Rubin's rules" in bullet
    assert "predictive mean matching" in IMPUTED and "predictive mean matching" in bullet
    assert "complete cases" in bullet and "Area not known" in bullet


def test_rereferral_notebook_says_sparse_characteristics_are_left_out():
    # the 2024-25 page said "adjusted for age, sex, deprivation and HoNOS" while its
    # notes listed sex and deprivation as left out (lifetools.reports.missing)
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[2] / "analyses" / "03_re_referral.ipynb"
    text = " ".join(" ".join(cell.source.split()) for cell in nbformat.read(
        path, as_version=4).cells if cell.cell_type == "markdown")
    # what it is adjusted for comes from the run (ReReferralName.ADJUSTED_FOR, wave 27)
    assert "adjusted for {glue:text}`adjusted_for`, except any yes/no characteristic "\
           "with too few re-referrals" in text


def test_activity_sentence_says_every_visit_was_linked_or_how_many_were_not():
    from lifetools.reports.reach import activity_sentence

    assert activity_sentence(visits=80, people=2, unlinked=0).endswith(
        "and every visit was linked.")
    assert str(activity_sentence(visits=100, people=2, unlinked=20)) == (
        "There were 100 visits to the Life Rooms; those linked to a person's health "
        "records were made by fewer than 8 people, and 20 visits could not be linked "
        "to a person (who made them is not known).")


def test_rereferral_share_label_names_no_day_when_there_is_none():
    # the 2024-25 re-referral page at 3,000 people compared "Cumulative incidence of
    # re-referral by 0 days after discharge (%)"
    from lifetools.reports.rereferral import share_label

    assert share_label(0) == {
        "label": "Cumulative incidence of re-referral after discharge (%)"}
    assert share_label(230) == {
        "label": "Cumulative incidence of re-referral by 230 days after discharge (%)",
        "at": "by 230 days after discharge"}


@pytest.mark.slow  # generates 3,000 people
def test_analyse_wellbeing_no_pairs_says_so_in_plain_words():
    # the 2023-24 wellbeing page at 3,000 people: "0 completed it again later. How their
    # score changed on average is not shown: fewer than 10 residual degrees of freedom
    # (too few people for the number of terms the model estimates)", for a mean and a
    # share that no model estimates. Since wave 61's data (referrals up to the extract
    # date) it is 2024-25 that has no pairs at 3,000 people (7 baselines)
    from lifetools.reports.wellbeing import NO_PAIRS
    from lifetools.synthetic import generate_dataset

    report = reports.analyse_wellbeing(generate_dataset(3000, 20250331),
                                       period_start="2024-04-01",
                                       period_end="2025-03-31")
    assert report.pairs.empty
    text = {k["name"]: str(k["text"]) for k in report.key_results if "text" in k}
    # the reason once: the share's sentence follows the mean's (issue 15, wave 23)
    assert text["mean_change_sentence"].endswith(f" is not shown: {NO_PAIRS}.")
    assert text["share_improved_sentence"].endswith(
        " is not shown either, for the same reason."), text["share_improved_sentence"]
    assert "residual degrees of freedom" not in text["mean_change_ci"]


@pytest.mark.parametrize(("term", "parameters"), [
    ("Matched difference-in-differences", 4), ("Weighted (ATT) difference-in-differences", 4),
    ("Users: after against before (own control)", 2),
    ("Unadjusted: users against all non-users, after", 2)])
def test_emergency_release_residual_df_counts_the_models_parameters(term, parameters):
    # each published rate ratio is one row of a model with more parameters (a DiD:
    # constant, group, period, interaction); the release check's residual degrees of
    # freedom are person-periods less all of them, not less the one row (the old n - 1).
    # 9 + parameters person-periods with ample events: 9 residual df, withheld
    from lifetools.reports.emergency import release_estimates

    rows = 9 + parameters
    frame = pd.DataFrame({"user": [i % 2 for i in range(rows)],
                          "after": [(i // 2) % 2 for i in range(rows)],
                          "ae": [50] * rows})
    estimates = pd.DataFrame({"outcome": ["A&E attendances"], "term": [term],
                              "estimate": [1.2], "ci_lower": [0.9], "ci_upper": [1.6],
                              "p_value": [0.2], "failure": [None]})
    released = release_estimates(estimates, {term: (frame, ["user", "after"])}).frame
    assert pd.isna(released["estimate"].iloc[0])
    assert "residual degrees of freedom" in released["withheld"].iloc[0]
    # one more person-period: 10 residual df, released
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    released = release_estimates(estimates, {term: (frame, ["user", "after"])}).frame
    assert released["estimate"].iloc[0] == 1.2


def test_analyse_wellbeing_hides_the_improving_count_of_everyone():
    # issues 12/15: the counts table is a flow (each row a subset of the row above);
    # at 4,000 people in 2023-24 with every pair improving it published "10 with a
    # follow-up, 10 improving" beside the hidden share: everyone improved (seed
    # 20250401 until wave 61; seed 2 has 8 pairs in 2023-24 on wave 61's data)
    from lifetools.synthetic import generate_dataset
    from lifetools.tables import show_table

    report = reports.analyse_wellbeing(generate_dataset(4000, 2),
                                       period_start="2023-04-01",
                                       period_end="2024-03-31", meaningful_change=-100.0)
    share = next(k["value"] for k in report.key_results if k["name"] == "share_improved")
    assert share.value is None
    shown = show_table(report.counts, name="counts", caption="c", count_cols=["n"])
    assert shown.frame["n"].tolist()[1:] == ["10", "[c]"]


def test_discharge_fit_notes_no_ph_note_beside_a_withheld_model(data, monkeypatch):
    # the 3,000-person 2023-24 discharge page: the PH table withheld the time-varying
    # and naive models' tests ("[x]", "withheld with the model") while the fit notes
    # said "proportional hazards may not hold for Age (per 10 years) (... p < 0.05)"
    # for both: the result the table hides, beside it (#15)
    from lifetools.survival.cox import PH_NOTE

    strict = dataclasses.replace(PROFILES["default"], name="strict",
                                 model_min_events=10**6)
    monkeypatch.setitem(PROFILES, "strict", strict)
    with use_profile("strict"):
        report = reports.analyse_discharge(data, **PERIOD)
    assert report.ph_test["action"].str.startswith("withheld with the model").all()
    fitted = [w for fit in (report.time_varying, report.naive, report.landmark.cox)
              for w in fit.warnings]
    assert any(w.startswith(PH_NOTE) for w in fitted)  # the fits do flag one
    assert not report.notes["note"].str.startswith(PH_NOTE).any()
    shown = reports.analyse_discharge(data, **PERIOD)  # released: the notes keep them
    released = shown.ph_test.loc[~shown.ph_test["action"].str.startswith("withheld"),
                                 "model"].unique()
    flagged = [name for name, fit in (("Time-varying (correct)", shown.time_varying),
                                      ("Naive fixed exposure (biased)", shown.naive))
               if name in released and any(w.startswith(PH_NOTE) for w in fit.warnings)]
    assert all(((shown.notes["model"] == name)
                & shown.notes["note"].str.startswith(PH_NOTE)).any() for name in flagged)


def test_emergency_report_states_its_own_windows_and_caliper():
    # the page typed "within 0.2 standard deviations" and "a baseline year" by hand,
    # wrong for a run with another caliper or window (issue 15, wave 27)
    from lifetools.cohort.person_time import PROPENSITY_COVARIATES
    from lifetools.reports.emergency import _method_results, window_words

    score = list(PROPENSITY_COVARIATES)
    assert str(window_words(365)) == "year"
    assert str(window_words(180)) == "180 days"
    default = {r["name"]: str(r["text"]) for r in _method_results(365, 0.2, score)}
    assert default["window"] == "year"
    assert "the year that ended a year before the index date), within 0.2 standard " \
           "deviations" in default["matching_sentence"]
    other = {r["name"]: str(r["text"]) for r in _method_results(180, 0.1, score)}
    assert other["window"] == "180 days"
    assert "the 180 days that ended 180 days before the index date), within 0.1 " \
           "standard deviations" in other["matching_sentence"]
    assert "year" not in other["matching_sentence"]


def test_emergency_prediction_outcome_says_the_window_ends_at_the_period_end(data):
    # the page said "any A&E attendance in the year after the index date", but the
    # after window ends at the end of the period (or death): a 30,000-person run
    # followed 220 users for about 110 person-years (wave 37)
    from lifetools.reports.emergency import prediction_outcome

    year = str(prediction_outcome(365, mostly_short=True))
    assert year == ("any A&E attendance between the index date and the end of the "
                    "period, or death if sooner (at most a year after the index date; "
                    "most people were followed for less)")
    assert "in the year after" not in year
    days = str(prediction_outcome(180, mostly_short=False))
    assert days.endswith("(at most 180 days after the index date)")
    # computed from the run: most after windows of a one-year period are cut short,
    # most of a three-year period's are whole
    for period, short in ((PERIOD, False), ({"period_start": "2024-04-01",
                                              "period_end": "2025-03-31"}, True)):
        report = reports.analyse_emergency_care(data, **period)
        after = report.person_time.periods
        days = after.loc[after["after"] == 1, "person_years"] * 365.25
        assert bool((days < 364.5).mean() > 0.5) is short
        key = {str(k["name"]): k for k in report.key_results}
        assert str(key["prediction_outcome"]["text"]) == str(
            prediction_outcome(365, mostly_short=short))
        assert str(key["prediction_outcome"]["text"]).endswith(
            "; most people were followed for less)" if short else "index date)")


def test_emergency_report_key_results_hold_every_name_its_notebook_glues(data):
    import json
    import re
    from pathlib import Path

    report = reports.analyse_emergency_care(data, **PERIOD, window_days=180, caliper=0.1)
    names = {str(k["name"]) for k in report.key_results}
    notebook = Path(__file__).parents[2] / "analyses" / "04_emergency_care.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    glued = {m for c in cells if c["cell_type"] == "markdown"
             for m in re.findall(r"\{glue:text\}`([^`]+)`", "".join(c["source"]))}
    assert {"window", "matching_sentence", "prediction_outcome"} <= glued
    assert glued <= names
    key = {str(k["name"]): str(k["text"]) for k in report.key_results
           if k.get("text") is not None}
    assert key["window"] == "180 days" and "within 0.1 standard" in key["matching_sentence"]


def test_whole_degrees_only_when_every_degree_of_freedom_is_whole():
    from lifetools.reports.survival_parts import whole_degrees

    whole = whole_degrees(pd.DataFrame({"df": [1.0, 6.0, float("nan")]}))
    assert whole["df"].tolist()[:2] == [1, 6] and whole["df"].isna().tolist()[2]
    assert str(whole["df"].dtype) == "Int64"
    # a spline term's fractional degrees of freedom keep their decimals
    fractional = pd.DataFrame({"df": [1.0, 3.98]})
    assert whole_degrees(fractional)["df"].tolist() == [1.0, 3.98]


def test_emergency_calibration_sentence_states_the_largest_gap_from_the_figures_data():
    # the page promised "apparent discrimination and calibration" and judged only the
    # C-statistic, beside groups missing by up to 0.15 (wave 37)
    from lifetools.reports.emergency import calibration_sentence

    table = pd.DataFrame({"predicted": [0.05, 0.18, 0.34, 0.6],
                          "observed": [0.06, 0.30, 0.48, 0.58]})
    text = str(calibration_sentence(table))
    assert ("differed from the predicted risk by up to 14.0 percentage points, at a "
            "predicted risk of 34.0%") in text and "more attended than predicted" in text
    over = str(calibration_sentence(table.assign(observed=[0.05, 0.18, 0.34, 0.45])))
    assert "up to 15.0 percentage points, at a predicted risk of 60.0%, where fewer " \
        "attended" in over
    empty = pd.DataFrame({"predicted": [], "observed": []}, dtype=float)
    assert str(calibration_sentence(empty)) == "Its calibration is not shown either."


def test_emergency_calibration_sentence_and_figure_download_read_one_rounding(
        monkeypatch, tmp_path):
    # the sentence and plots.plot_calibration each rounded the table to 4 decimals
    # (wave 37): one owner now, so its places move the words and the download together
    from lifetools.publication import figure_downloads
    from lifetools.regression import logistic
    from lifetools.reports.emergency import calibration_sentence

    table = pd.DataFrame({"predicted": [0.149, 0.31], "observed": [0.26, 0.19]})
    assert "up to 12.0 percentage points, at a predicted risk of 31.0%, where fewer" in str(
        calibration_sentence(table))  # 4 places: the second group is further off
    monkeypatch.setattr(logistic, "CALIBRATION_DIGITS", 1)
    text = str(calibration_sentence(table))
    assert "up to 20.0 percentage points, at a predicted risk of 10.0%, where more" in text
    figure = plots.plot_calibration(table).figure
    (path,) = figure_downloads(figure, "calibration", tmp_path)
    download = pd.read_csv(tmp_path / path)
    assert download[["predicted", "observed"]].equals(logistic.calibration_points(table))
    assert download["predicted"].tolist() == [0.1, 0.3]


@pytest.mark.parametrize("observed", [[0.05, 0.18], [0.053, 0.177], [0.046, 0.184]])
def test_emergency_calibration_sentence_no_gap_as_published_reads_as_agreement(observed):
    # a largest gap of 0 where published read "up to 0.00 ..., where fewer attended than
    # predicted": a direction for a gap the sentence itself shows as none (wave 38)
    from lifetools.reports.emergency import calibration_sentence

    text = str(calibration_sentence(pd.DataFrame({"predicted": [0.05, 0.18],
                                                  "observed": observed})))
    assert "0.0" not in text and "attended than predicted" not in text
    assert ("in every group of people by predicted risk, the share who attended A&E "
            "matched the predicted risk, to the decimal places published.") in text
    nearly = str(calibration_sentence(pd.DataFrame({"predicted": [0.05, 0.18],
                                                    "observed": [0.05, 0.186]})))
    assert "up to 1.0 percentage points, at a predicted risk of 18.0%, where more " \
        "attended" in nearly


def test_emergency_calibration_gap_in_words_and_alt_text_is_the_downloads(tmp_path):
    # the sentence and the alt text said "up to 0.15, at a predicted risk of 0.34"
    # beside a download reading 0.34 and 0.48: the gap was taken at 4 places, the
    # download written at 2 (wave 38). A reader subtracting the download finds the gap.
    from lifetools.publication import figure_downloads
    from lifetools.reports.emergency import calibration_sentence

    table = pd.DataFrame({"predicted": [0.09, 0.336], "observed": [0.07, 0.484]})
    figure = plots.plot_calibration(table).figure
    (path,) = figure_downloads(figure, "calibration", tmp_path)
    download = pd.read_csv(tmp_path / path)
    assert download.to_dict("list") == {"predicted": [0.09, 0.34], "observed": [0.07, 0.48]}
    assert "by up to 14.0 percentage points, at a predicted risk of 34.0%, where more" \
        in str(calibration_sentence(table))
    assert "the largest gap between observed and predicted is 14.0 percentage points." \
        in figure._lifetools_alt


def test_discharge_pointers_only_to_reasons_given_above_for_that_model(data, monkeypatch):
    # the 30,000-person discharge page said "(the reasons are given above)" of its
    # landmark Cox model, whose reasons it gave only beside the Fine-Gray ratio, in the
    # same words; its complete-case model's fit note pointed to the time-varying
    # model's (issue 15, wave 39). A model the summary did not speak for names the one
    # whose words it repeats, or its reasons are stated (and then pointed to below)
    from lifetools.disclosure.models import WITHHELD_COLUMN
    from lifetools.disclosure.withheld import SAID_ONCE

    strict = dataclasses.replace(PROFILES["default"], name="strict",
                                 model_min_events=10**6)
    monkeypatch.setitem(PROFILES, "strict", strict)
    with use_profile("strict"):
        report = reports.analyse_discharge(data, **PERIOD)
    spoken_for = {"Time-varying (correct)", "Naive fixed exposure (biased)",
                  "Fine-Gray at 90 days (subdistribution hazard ratio, death competing)"}
    table = report.hazard_ratio_table
    entries = dict(zip(table["model"], table[WITHHELD_COLUMN], strict=True))
    landmark = entries["Landmark at 90 days"]
    assert landmark and SAID_ONCE not in landmark, landmark
    # (here every model has the same reasons: it names the first the summary spoke for)
    assert "the same reasons as for \u2018" in landmark, landmark
    for model, entry in entries.items():
        if SAID_ONCE in str(entry):
            assert model in spoken_for, (model, entry)
    # the PH table's landmark row: not "given above" as if the page had given its own
    ph = report.ph_test.set_index("model")["action"]
    row = next(v for k, v in ph.items() if str(k).startswith("Landmark"))
    assert SAID_ONCE not in row.note and "the same reasons as for" in row.note, row.note
    # no fit note points a model the summary did not speak for to "given above"
    notes = report.notes
    assert not (notes["note"].str.contains(SAID_ONCE, regex=False)
                & ~notes["model"].isin(spoken_for)).any(), notes.to_dict("records")


def test_reach_report_from_a_server_fetches_no_whole_table(data, tmp_path):
    """On a server (here a DuckDB file opened as one) the reach report selects the
    period's activity rows and the people's two columns in the engine: no table comes
    to pandas whole (until wave 45 five did), and the report is the folder's."""
    from lifetools.engines import write_duckdb
    from lifetools.engines.dataset import open_dataset

    server = open_dataset(f"duckdb://{write_duckdb(data.path, tmp_path / 'x.duckdb')}")
    there, here = (reports.analyse_reach(d, **PERIOD, locality="Sefton")
                   for d in (server, data))
    assert server._frames == {}  # no table fetched whole
    for name in ("sites", "pathways", "monthly"):
        pd.testing.assert_frame_equal(getattr(there, name), getattr(here, name))
    for name in ("activity", "satisfaction", "reach"):
        pd.testing.assert_frame_equal(getattr(there, name).frame,
                                      getattr(here, name).frame)
    assert [str(k.get("value")) for k in there.key_results] == [
        str(k.get("value")) for k in here.key_results]
