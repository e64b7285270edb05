"""The discharge report's release check of its time-varying models (#15).

The time-varying model fits Life Rooms use as exposed and unexposed person-time
(``split_at_exposure``), so its release check counts events there, not by ever-use:
a user discharged before their first contact is an unexposed event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifetools.cohort import split_at_exposure
from lifetools.disclosure import model_release
from lifetools.reports.discharge import time_varying_release
from lifetools.survival import fit_cox_time_varying


def cohort(late_users: int, early_users: int, non_users: int = 60) -> pd.DataFrame:
    """One row per person: users first seen after (late) or before (early) discharge."""
    rng = np.random.default_rng(7)
    n = late_users + early_users + non_users
    duration = rng.integers(60, 400, n).astype(float)
    exposure = np.r_[duration[:late_users] + 5,            # first contact after discharge
                     duration[late_users:late_users + early_users] / 2,
                     np.full(non_users, np.nan)]
    return pd.DataFrame({
        "person_id": [f"p{i:03d}" for i in range(n)], "entry": 0.0,
        "duration": duration, "discharged": 1, "exposure_day": exposure,
        "ever_used": (~np.isnan(exposure)).astype(float),
        "female": np.arange(n) % 2})


def fit(data: pd.DataFrame):
    return fit_cox_time_varying(split_at_exposure(data), id_col="person_id",
                                start_col="start", stop_col="stop", event_col="event",
                                covariates=["exposed", "female"], check_ph=False)


def test_time_varying_release_few_exposed_events_withholds_naming_the_model_exposure():
    # 30 users discharged before their first contact, 6 after it: 36 ever-users with
    # an event, but only 6 events in exposed person-time
    data = cohort(late_users=30, early_users=6)
    model = fit(data)
    release = time_varying_release(model, data, ["female"])
    assert not release.released
    # the time-varying exposure's group in words (wave 38: its quoted label)
    assert release.reason == ("too few events among people after their first Life "
                              "Rooms contact")
    # the old check, by ever-use, released it with the wrong variable's counts
    naive_check = model_release(model, data=data, event_col="discharged",
                                level_cols=["ever_used", "female"])
    assert naive_check.released


def test_time_varying_release_counts_people_once_and_events_where_they_happened():
    data = cohort(late_users=5, early_users=20)
    release = time_varying_release(fit(data), data, ["female"])
    assert release.released and release.reason == ""
    levels = release.levels.frame.set_index(["variable", "level"])
    # 20 early users have an unexposed row and an exposed row: each counts as one
    # person in each level, their 20 events in the exposed level only
    assert levels.loc[("exposed", "1.0"), "events"] == 20
    assert levels.loc[("exposed", "0.0"), "events"] == 65
    assert levels.loc[("exposed", "0.0"), "people"] == 85
    assert levels.loc[("female", "0"), "people"] + levels.loc[("female", "1"),
                                                               "people"] == 85
    assert release.residual_df == 85 - 2  # people, not start-stop rows, less the terms


def test_group_words_name_each_group_in_words_not_its_quoted_label():
    from lifetools.disclosure.models import _group_words

    # a reason quoted the row label: "too few events among ‘Life Rooms use
    # (time-varying)’", "‘not female’", "‘HoNOS score not recorded’" (wave 38)
    assert _group_words("exposed", "0.0") == "people before any Life Rooms contact"
    assert _group_words("exposed", "1") == "people after their first Life Rooms contact"
    assert _group_words("female", "0") == "people not recorded as female"
    assert _group_words("honos_recorded", "1") == "people with a HoNOS score recorded"
    assert _group_words("follow_up", "1") == "follow-up measurements"
    assert _group_words("age_65_plus", "1.0") == "people aged 65 or over"
    assert _group_words("imd_quintile", "5") == "people in the least deprived fifth of areas"
    assert _group_words("everyone", "all") == "in total"
    # a variable with no words of its own: its label, quoted
    assert _group_words("baseline_ae", "5.0").startswith("‘A&E attendances")


def test_mid_sentence_lowers_an_ordinary_first_word_only():
    from lifetools.labels import mid_sentence

    for label, words in (("Follow-up measurements", "follow-up measurements"),
                         ("Mental-health A&E attendances", "mental-health A&E attendances"),
                         ("In another mental health team", "in another mental health team"),
                         ("Life Rooms users", "Life Rooms users"), ("HoNOS score", "HoNOS score"),
                         ("A&E attendances", "A&E attendances"), ("IMD quintile", "IMD quintile"),
                         ("female", "female"), ("", "")):
        assert mid_sentence(label) == words


def test_released_ratios_row_whose_summary_gives_its_fits_reason_points_there():
    # the 2024-25 discharge page at 3,000 people: the summary gave the time-varying
    # fit's own reason ("the model cannot estimate the effect of ...") and the
    # hazard-ratio table's note the release check's ("too few events among ..."): two
    # reasons for one number (issue 15, wave 28). A model the summary speaks for
    # points there, whichever reason it gives; another withheld for the same reason
    # (the complete cases) keeps its own
    from types import SimpleNamespace

    from lifetools.reports.survival_parts import released_ratios

    data = cohort(late_users=0, early_users=5)
    release = time_varying_release(fit(data), data, ["female"])
    assert not release.released
    rows = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [0.5],
                         "ci_upper": [4.0], "p_value": [0.4]})
    fitted = SimpleNamespace(reason=None)
    pieces = [(release, rows, fitted, "Time-varying (correct)"),
              (release, rows, fitted, "Time-varying, complete cases")]
    from lifetools.disclosure.withheld import Said

    before = released_ratios(pieces).frame["withheld"].tolist()
    assert before == [release.withheld] * 2
    summary = "could not be estimated: the fit did not converge for ‘Life Rooms use’"
    after = released_ratios(pieces, said=Said().then("Time-varying (correct)",
                                                     summary)).frame
    assert after["withheld"].tolist() == [release.withheld_once, release.withheld]
    assert after["estimate"].isna().all()
    # the summary gave the release's own words for the first: the complete cases,
    # withheld in those words, name the model they were given for (they read "(the
    # reasons are given above)", as if given for them, until wave 39)
    same = released_ratios(pieces, said=Said().then("Time-varying (correct)",
                                                    release.withheld_brief)).frame
    assert same["withheld"].tolist() == [
        release.withheld_once,
        f"{release.headline} (the same reasons as for ‘Time-varying (correct)’, "
        "given above)"]


def test_released_ratios_pointer_uses_the_headline_the_summary_gave():
    # the 2024-25 discharge page at 3,000 people: the summary said "could not be
    # estimated: the model cannot estimate the effect of ..." and the table's note
    # pointed to it as "too few events to estimate (the reasons are given once, ...)":
    # one number named two ways (issue 15, wave 30)
    from types import SimpleNamespace

    from lifetools.disclosure.withheld import SAID_ONCE, Said, headline_of
    from lifetools.reports.survival_parts import ph_table, released_ratios

    data = cohort(late_users=0, early_users=5)
    release = time_varying_release(fit(data), data, ["female"])
    assert release.headline == "too few events to estimate"
    rows = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [0.5],
                         "ci_upper": [4.0], "p_value": [0.4]})
    pieces = [(release, rows, SimpleNamespace(reason=None), "Time-varying (correct)")]
    summary = "could not be estimated: the fit did not converge for ‘Life Rooms use’"
    said = Said().then("Time-varying (correct)", summary)
    out = released_ratios(pieces, said=said,
                          said_as={"Time-varying (correct)": summary}).frame
    assert out["withheld"].tolist() == [f"could not be estimated ({SAID_ONCE})"]
    # a summary that gave the release's own words keeps its headline
    out = released_ratios(pieces, said=Said().then("Time-varying (correct)",
                                                   release.withheld_brief)).frame
    assert out["withheld"].tolist() == [release.withheld_once]
    ph = ph_table(None, "Time-varying (correct)", exposure_action="noted",
                  release=release, said=said, said_as=headline_of(summary))
    assert f"could not be estimated ({SAID_ONCE})" in ph["action"].iloc[0].note
    assert "too few events to estimate" not in ph["action"].iloc[0].note


def test_headline_of_reads_the_words_before_the_reasons():
    from lifetools.disclosure.withheld import headline_of

    assert headline_of("could not be estimated: the fit did not converge") == \
        "could not be estimated"
    assert headline_of("too few events to estimate (too few events in total)") == \
        "too few events to estimate"
    assert headline_of("too few events to estimate: too few among ‘a’ (b)") == \
        "too few events to estimate"
    # a release check's reasons alone say its headline's count (wave 38)
    assert headline_of("too few events among people aged 65 or over (b); the fit did "
                       "not converge") == "too few events to estimate"
    assert headline_of("too few observations in total") == \
        "too few observations to estimate"
    assert headline_of("") == ""
