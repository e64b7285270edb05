"""Survival figures are drawn only from the published curve table; a withheld model's
proportional-hazards test is withheld with it (issue #12, reviewer's D1 and D4)."""

from __future__ import annotations

import csv
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from lifetools import plots  # noqa: E402
from lifetools.disclosure import active_profile, model_release  # noqa: E402
from lifetools.plots.survival import (  # noqa: E402
    WHY_NOT_DRAWN,
    survival_curve_table,
    withheld_reasons,
)
from lifetools.reports.survival_parts import ph_table, whole_degrees  # noqa: E402
from lifetools.survival import estimate_cif, estimate_km, fit_cox  # noqa: E402


def one_event_among_users() -> pd.DataFrame:
    """20 users, one re-referral at day 227 (16 still at risk), the rest censored
    later; 200 non-users with 40 re-referrals spread over the year."""
    rng = np.random.default_rng(3)
    users = pd.DataFrame({"group": "Used the Life Rooms",
                          "duration": [40.0, 80.0, 120.0, 200.0, 227.0, *np.linspace(
                              260, 360, 15)],
                          "event": [0, 0, 0, 0, 1, *[0] * 15]})
    days = rng.uniform(1, 365, 200).round()
    others = pd.DataFrame({"group": "Did not use them", "duration": days,
                           "event": (np.arange(200) < 40).astype(int)})
    return pd.concat([users, others], ignore_index=True)


def drawn_values(ax) -> set[float]:
    return {round(float(v), 4) for line in ax.get_lines() for v in line.get_ydata()
            if not np.isnan(v)}


def test_single_event_step_is_not_drawn_nor_in_alt_text_nor_in_csv():
    data = one_event_among_users()
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group", times=(0, 90, 180, 365))
    raw = cif.summary[cif.summary["group"] == "Used the Life Rooms"]
    step = raw[(raw["time"] == 227.0)]
    # the old figure drew the raw curve while 10 or more were at risk: this step
    # (1 event in 16 at risk: 0.0625) was visible, and countable
    assert int(step["at_risk"].iloc[0]) >= active_profile().min_at_risk
    assert round(float(step["estimate"].iloc[0]), 4) == 0.0625
    table = survival_curve_table(cif, max_time=365).frame
    users = table[table["group"] == "Used the Life Rooms"]
    # it never moves, so it is withheld (one row, no numbers), not drawn flat at 0
    assert len(users) == 1 and users["estimate"].isna().all()
    assert users[WHY_NOT_DRAWN].iloc[0].startswith("too few events")
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    assert "Used the Life Rooms" not in [line.get_label() for line in ax.get_lines()]
    alt = ax.figure._lifetools_alt
    assert "0.06" not in alt and "0.0625" not in alt
    # every value drawn is a value of the published table, which is the download
    assert drawn_values(ax) <= set(table["estimate"].dropna().round(4))
    assert ax.figure._lifetools_data[""].frame.equals(table)


def test_every_published_step_counts_more_than_threshold_events():
    rng = np.random.default_rng(11)
    n = 400
    data = pd.DataFrame({"duration": rng.exponential(300, n).round() + 1,
                         "event": rng.uniform(size=n) < 0.6,
                         "group": np.where(np.arange(n) < 60, "a", "b")})
    data["event"] = data["event"].astype(int)
    km = estimate_km(data, duration_col="duration", event_col="event", group_col="group")
    threshold = active_profile().threshold
    table = survival_curve_table(km, max_time=730).frame
    for name, part in km.summary.groupby("group"):
        curve = table[table["group"] == name.capitalize()].reset_index(drop=True)
        assert len(curve) > 2
        moves = curve.index[curve["estimate"].diff().fillna(0) != 0]
        assert len(moves) >= 1
        last_day = 0
        for i in moves:
            day = int(curve.loc[i, "day"])
            between = part[(part["time"] > last_day) & (part["time"] <= day)]
            assert int(between["events"].sum()) > threshold
            last_day = day


def test_withheld_model_has_its_ph_test_withheld(output):
    rng = np.random.default_rng(5)
    n = 60
    data = pd.DataFrame({"duration": rng.uniform(1, 100, n), "x": rng.integers(0, 2, n)})
    data["event"] = (np.arange(n) % 12 == 0).astype(int)   # 5 events: too few
    model = fit_cox(data, duration_col="duration", event_col="event", covariates=["x"],
                    check_ph=True)
    assert model.ph_test is not None        # the test was run ...
    release = model_release(model, data=data, event_col="event", level_cols=["x"])
    assert not release.released
    table = ph_table(model, "Cox", exposure_action="noted", release=release)
    assert len(table) == 1                  # ... and is not shown
    assert table["action"].iloc[0].startswith("withheld with the model")
    # no number: its statistic, degrees of freedom and p-value read [c] as its action
    # does, withheld by the model release rule (they read [x] until wave 42), the
    # reason once in the table's note
    from lifetools.tables import show_table

    # as the reports show it, with whole degrees of freedom (whole_degrees kept them
    # [x] when the statistic read [c])
    shown = show_table(whole_degrees(table), name="ph-test", caption="PH",
                       not_counts=["df"])
    written = (output / "tables" / "ph-test.csv").read_text().splitlines()
    assert written[1] == "Cox,(all terms),[c],[c],[c],[c]", written
    assert shown.note.count("too few") == 1, shown.note
    data["event"] = (np.arange(n) % 2 == 0).astype(int)    # 30 events
    model = fit_cox(data, duration_col="duration", event_col="event", covariates=["x"],
                    check_ph=True)
    release = model_release(model, data=data, event_col="event", level_cols=["x"])
    assert release.released
    shown = ph_table(model, "Cox", exposure_action="noted", release=release)
    assert shown["p_value"].notna().all() and len(shown) == 2


def _many_steps() -> pd.DataFrame:
    rng = np.random.default_rng(23)
    n = 900
    data = pd.DataFrame({"duration": rng.exponential(500, n).round() + 1,
                         "event": (rng.uniform(size=n) < 0.7).astype(int),
                         "group": np.where(np.arange(n) < 300, "a", "b")})
    data.loc[data["event"] == 1, "event"] = rng.integers(1, 3, int(data["event"].sum()))
    return data


def _implied_counts(curve: pd.DataFrame, part: pd.DataFrame, *, cif: bool,
                    rows: pd.DataFrame) -> list[tuple[int, float]]:
    """(unrounded events, events read back) of each published step of one curve.

    Read back as an attacker would: the step's hazard (KM) or increment (CIF) times
    the effective number at risk of the unrounded step (its events over its hazard),
    which is at least as good as the published numbers at risk.
    """
    found, last_day, prev_raw, prev_pub = [], 0, (0.0 if cif else 1.0), (0.0 if cif else 1.0)
    moves = curve.index[curve["estimate"].diff().fillna(curve["estimate"] - prev_pub) != 0]
    for i in moves:
        day = int(curve.loc[i, "day"])
        between = part[(part["time"] > last_day) & (part["time"] <= day)]
        d = int(between["events"].sum())
        raw = float(rows[rows["time"] <= day]["estimate"].iloc[-1])
        pub = float(curve.loc[i, "estimate"])
        if cif:
            read = d * (pub - prev_pub) / (raw - prev_raw)
        else:
            read = d * (1 - pub / prev_pub) / (1 - raw / prev_raw)
        found.append((d, read))
        last_day, prev_raw, prev_pub = day, raw, pub
    return found


def test_no_published_step_reveals_an_unrounded_count_and_estimates_stay_inside_ci():
    data = _many_steps()
    profile = active_profile()
    km = estimate_km(data.assign(event=(data["event"] > 0).astype(int)),
                     duration_col="duration", event_col="event", group_col="group")
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group", times=(0, 365, 730))
    unrounded_seen = 0
    for result, is_cif in ((km, False), (cif, True)):
        table = survival_curve_table(result, max_time=1500).frame
        for name, part in result.summary.groupby("group"):
            rows = part.reset_index(drop=True)
            curve = table[table["group"] == name.capitalize()].reset_index(drop=True)
            steps = _implied_counts(curve, part, cif=is_cif, rows=rows)
            assert len(steps) >= 5
            for d, read in steps:
                # read back to within the 4 published decimals, a multiple of the base
                assert abs(read - profile.base * round(read / profile.base)) < 0.3, (d, read)
                unrounded_seen += d % profile.base != 0
            # every published estimate inside the interval of the unrounded data
            for _, row in curve.iterrows():
                at = rows[rows["time"] <= row["day"]]
                if at.empty:
                    continue
                lower, upper = at.iloc[-1][["ci_lower", "ci_upper"]]
                assert lower - 1e-4 <= row["estimate"] <= upper + 1e-4
                assert row["ci_lower"] <= row["estimate"] <= row["ci_upper"]
    assert unrounded_seen >= 5  # the data have steps whose own count is not a multiple


def test_published_steps_track_the_unrounded_curve_without_drift():
    """Rounding the cumulative count: the curve stays within half a base of events."""
    data = _many_steps()
    km = estimate_km(data.assign(event=(data["event"] > 0).astype(int)),
                     duration_col="duration", event_col="event", group_col="group")
    table = survival_curve_table(km, max_time=1500).frame
    part = km.summary[km.summary["group"] == "a"]
    curve = table[table["group"] == "A"]
    moved = curve[curve["estimate"] != 1.0]
    for _, row in moved.iterrows():
        at = part[part["time"] <= row["day"]].iloc[-1]
        per_event = (1 - at["estimate"]) / max(part[part["time"] <= row["day"]]
                                               ["events"].sum(), 1)
        assert abs(row["estimate"] - at["estimate"]) < 3 * active_profile().base * per_event


def few_events_in_one_group(events: int = 3, *, others: int = 120) -> pd.DataFrame:
    """60 non-users with ``events`` re-referrals (the rest censored) and 400 users with
    ``others``: the 12,000-person site's re-referral page had such a group."""
    rng = np.random.default_rng(5)
    users = pd.DataFrame({"group": "Used the Life Rooms",
                          "duration": rng.uniform(1, 365, 400).round(),
                          "event": (np.arange(400) < others).astype(int)})
    few = pd.DataFrame({"group": "Did not use the Life Rooms",
                        "duration": rng.uniform(1, 365, 60).round(),
                        "event": (np.arange(60) < events).astype(int)})
    return pd.concat([few, users], ignore_index=True)


def shown_figure(ax, tmp_path, monkeypatch, name: str):
    from lifetools import publication

    folder = tmp_path / ".03_re_referral.partial-1" / "files"
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(folder))
    monkeypatch.setenv("LIFETOOLS_ANALYSIS", "03_re_referral")
    shown = publication.show_figure(ax, name=name, caption="Re-referral")
    return shown, folder


def gate_findings(shown, folder, name: str) -> list:
    """What the publish gate's rules find in the figure's texts (wide and narrow), its
    alt text (the page's rules for it, and the stricter prose rule on the sentence
    naming what is not drawn) and its data download (its cells and its reason)."""
    from lifetools.disclosure.figure_texts import figure_text_findings
    from lifetools.disclosure.prose import prose_findings
    from lifetools.pipeline.gate import rules
    from lifetools.pipeline.gate.files import _csv_findings

    profile = active_profile()
    text = (folder / "figures" / f"{name}.csv").read_text()
    reasons = {r[-1] for r in csv.reader(io.StringIO(text))} - {"", "[x]", "why not drawn"}
    not_drawn = shown.alt[shown.alt.index("Not drawn:"):]
    return (figure_text_findings(shown.texts, profile)
            + rules.counted_findings(shown.alt, profile)
            + rules.kofn_findings(shown.alt, profile)
            + prose_findings(not_drawn, profile, where="alt text")
            + [f for r in sorted(reasons) for f in prose_findings(r, profile)]
            + _csv_findings(text, shown.download_rules[f"figures/{name}.csv"], profile,
                            tables=False))


def test_curve_with_three_events_is_withheld_not_drawn_flat(tmp_path, monkeypatch):
    # seen on the 12,000-person site: a group with fewer than 8 re-referrals drawn as
    # a flat line at 0 ("nobody was re-referred") while the text said "fewer than 8"
    data = few_events_in_one_group(3)
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group", times=(0, 90, 180, 365))
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    assert [line.get_label() for line in ax.get_lines()] == ["Used the Life Rooms"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Used the Life Rooms",
                      "Did not use the Life Rooms:\nno curve, too few events"]
    names = [t.get_text() for t in ax.texts if t.get_fontstyle() == "italic"]
    assert "Did not use the Life Rooms (no curve)" in names
    alt = ax.figure._lifetools_alt
    assert "1 curve." in alt
    assert ("Not drawn: Did not use the Life Rooms (too few events to draw a curve "
            "without showing a suppressed count: fewer than 8 while at least 10 people "
            "were at risk).") in alt
    shown, folder = shown_figure(ax, tmp_path, monkeypatch, "rereferral")
    rows = list(csv.reader(io.StringIO((folder / "figures" / "rereferral.csv").read_text())))
    assert rows[0] == ["group", "day", "estimate", "ci_lower", "ci_upper", "why not drawn"]
    # the curve rule hid its numbers: [c], as every value a disclosure rule hid (they
    # read [x] until wave 42); its day does not apply: [x]
    assert rows[1] == ["Did not use the Life Rooms", "[x]", "[c]", "[c]", "[c]",
                       "too few events to draw a curve without showing a suppressed "
                       "count: fewer than 8 while at least 10 people were at risk"]
    # a drawn curve's reason is not applicable: [x], never blank (wave 41)
    assert all(r[0] == "Used the Life Rooms" and r[-1] == "[x]" for r in rows[2:])
    assert gate_findings(shown, folder, "rereferral") == []


def test_km_curve_with_three_events_is_withheld_not_drawn_at_one():
    data = few_events_in_one_group(3)
    km = estimate_km(data, duration_col="duration", event_col="event", group_col="group")
    table = survival_curve_table(km, max_time=365).frame
    withheld = table[table["group"] == "Did not use the Life Rooms"]
    assert len(withheld) == 1 and withheld["estimate"].isna().all()
    ax = plots.plot_survival(km, max_time=365)
    assert [line.get_label() for line in ax.get_lines()] == ["Used the Life Rooms"]
    assert "Not drawn: Did not use the Life Rooms (too few events" in \
        ax.figure._lifetools_alt


def test_no_events_and_three_events_are_withheld_alike():
    # the figure never tells 0 events from 1 to 7: the tables may suppress the count
    def withheld_row(events: int) -> pd.Series:
        cif = estimate_cif(few_events_in_one_group(events), duration_col="duration",
                           event_col="event", event_of_interest=1, group_col="group",
                           times=(0, 90, 180, 365))
        table = survival_curve_table(cif, max_time=365).frame
        return table[table["group"] == "Did not use the Life Rooms"].iloc[0]

    assert withheld_row(0).equals(withheld_row(3))


def test_figure_with_no_curve_left_says_so_plainly(tmp_path, monkeypatch):
    data = few_events_in_one_group(3, others=5)
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group", times=(0, 90, 180, 365))
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    assert ax.get_lines() == [] and ax.get_legend() is None
    words = [" ".join(t.get_text().split()) for t in ax.texts]
    assert ("No curve is drawn: too few events in every group (a curve is drawn only "
            "when it can be without showing a suppressed count)") in words
    alt = ax.figure._lifetools_alt
    assert alt.startswith("Chart of share re-referred by days since referral with no "
                          "curve drawn. Not drawn: Did not use the Life Rooms and Used "
                          "the Life Rooms (too few events")  # the one reason said once
    shown, folder = shown_figure(ax, tmp_path, monkeypatch, "rereferral")
    rows = list(csv.reader(io.StringIO((folder / "figures" / "rereferral.csv").read_text())))
    # every number hidden by the curve rule: [c] (until wave 42 [x]); no day applies
    assert len(rows) == 3 and all(r[1:5] == ["[x]", "[c]", "[c]", "[c]"] and
                                  r[5].startswith("too few events") for r in rows[1:])
    assert gate_findings(shown, folder, "rereferral") == []


def test_withheld_curves_legend_and_note_fit_a_phone():
    import matplotlib.pyplot as plt

    from lifetools.plots.theme import (
        MIN_PHONE_PX,
        NARROW_FIGURE_PX,
        NARROW_MAX_WIDTH,
        PHONE_FIGURE_PX,
        cropped_width,
        narrow_layout,
        phone_text_px,
    )

    for others in (120, 5):  # one curve withheld; every curve withheld
        cif = estimate_cif(few_events_in_one_group(3, others=others),
                           duration_col="duration", event_col="event",
                           event_of_interest=1, group_col="group", times=(0, 90, 180, 365))
        ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
        assert phone_text_px(ax.figure, screen_px=PHONE_FIGURE_PX) >= MIN_PHONE_PX
        plt.close(ax.figure)
        with narrow_layout():
            ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
            assert cropped_width(ax.figure) <= NARROW_MAX_WIDTH + 0.01
            assert phone_text_px(ax.figure, screen_px=NARROW_FIGURE_PX) >= MIN_PHONE_PX
        plt.close(ax.figure)


def test_competing_events_curve_with_three_events_is_withheld_all_at_risk_kept():
    # the discharge report's curves of competing events (numbers at risk of "All"):
    # "Death" with 3 events was drawn flat at 0 on the 12,000-person site
    from lifetools.reports.discharge import _cif_by_event

    rng = np.random.default_rng(8)
    data = pd.DataFrame({"duration": rng.uniform(1, 700, 500).round(),
                         "event": np.r_[[1] * 300, [3] * 3, [0] * 197]})
    cif = _cif_by_event(data, {"Discharge": 1, "Death": 3}, None, (0, 90, 180, 365))
    table = survival_curve_table(cif, max_time=730).frame
    assert list(dict.fromkeys(table["group"])) == ["Discharge", "Death"]
    assert table.loc[table["group"] == "Death", WHY_NOT_DRAWN].iloc[0].startswith(
        "too few events")
    ax = plots.plot_survival(cif, ylabel="Cumulative incidence", max_time=730)
    assert [line.get_label() for line in ax.get_lines()] == ["Discharge"]
    names = [t.get_text() for t in ax.texts if t.get_fontstyle() == "italic"]
    assert names == ["All"]  # the numbers at risk of everyone: not a withheld curve
    assert "Not drawn: Death (too few events" in ax.figure._lifetools_alt


def test_withheld_reasons_in_each_profiles_words():
    from lifetools.disclosure import get_profile
    from lifetools.disclosure.profiles import PROFILES
    from lifetools.disclosure.prose import prose_findings
    from lifetools.plots.survival import withheld_reasons

    for name in PROFILES:
        profile = get_profile(name)
        reasons = withheld_reasons(profile)
        assert reasons["at_risk"] == ("too few people at risk from the start: fewer than "
                                      f"{profile.min_at_risk}")
        if profile.threshold:
            assert f": {profile.suppressed_words()} while at least" in reasons["events"]
        else:  # nothing suppressed: only a curve with no events is withheld
            assert reasons["events"].startswith("no events while at least")
        for reason in reasons.values():
            assert prose_findings(reason, profile) == [], (name, reason)


def seven_early_events(n: int = 200) -> pd.DataFrame:
    """``n`` people: 7 events by day 119 (days 1, 2, 8, 34, 51, 98, 119, as the
    30,000-person re-referral page's non-users had), 30 more from day 160 on, the
    rest censored at day 240."""
    early = [1.0, 2.0, 8.0, 34.0, 51.0, 98.0, 119.0]
    later = list(np.linspace(160, 235, 30).round())
    rest = n - len(early) - len(later)
    return pd.DataFrame({"group": "Did not use the Life Rooms",
                         "duration": [*early, *later, *[240.0] * rest],
                         "event": [1] * (len(early) + len(later)) + [0] * rest})


def test_curve_held_at_its_start_is_published_from_where_it_first_moves():
    # the re-referral page read 0.00 (0.00 to 0.00) at days 30 to 150 while 7 people had
    # been re-referred (the unrounded estimate at day 150 was 3.8%, 1.8% to 7.9%)
    data = seven_early_events()
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group")
    table = survival_curve_table(cif, max_time=240).frame
    assert len(table) >= 2 and (table["estimate"] > 0).all(), table
    first = int(table["day"].iloc[0])
    raw = cif.summary[cif.summary["time"] <= first]
    assert int(raw["events"].sum()) > active_profile().threshold  # where it moved
    # every published row, the first included, lies inside the unrounded interval
    for _, row in table.iterrows():
        at = cif.summary[cif.summary["time"] <= row["day"]].iloc[-1]
        assert at["ci_lower"] - 1e-4 <= row["estimate"] <= at["ci_upper"] + 1e-4, row
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=240)
    alt = ax.figure._lifetools_alt
    assert f"at day {first:,} to" in alt and "not drawn before its first step" in alt
    assert 0.0 not in drawn_values(ax)


def test_curve_moving_at_its_first_grid_day_keeps_its_start():
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"group": "a", "duration": rng.uniform(1, 300, 300).round(),
                         "event": 1})
    km = estimate_km(data, duration_col="duration", event_col="event", group_col="group")
    table = survival_curve_table(km, max_time=300).frame
    assert int(table["day"].iloc[0]) == 0 and table["estimate"].iloc[0] == 1.0
    assert table["estimate"].iloc[1] < 1.0


def test_alt_text_gives_a_reason_shared_by_every_withheld_group_once():
    # the 2023-24 re-referral figure's alt text gave the same reason twice, once per
    # group (wave 37)
    data = few_events_in_one_group(events=3, others=3)
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group")
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    alt = ax.figure._lifetools_alt
    reason = withheld_reasons(active_profile())["events"]
    assert alt.count(reason) == 1, alt
    assert "Did not use the Life Rooms and Used the Life Rooms (" in alt


def test_curve_held_at_its_start_shows_its_hidden_stretch_hatched_and_says_so():
    # the 30,000-person re-referral figure drew non-users from day 180 to 210 alone: a
    # flat fragment that read as if no one had been re-referred before day 180, called
    # a "Rising step chart" (wave 38). Before its first drawn day a rising curve lies
    # between 0 and its first value: that range is hatched from day 0, and the chart's
    # direction is said only of a curve that moves.
    from matplotlib.collections import PolyCollection

    data = seven_early_events()
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group")
    table = survival_curve_table(cif, max_time=240).frame
    first_day, first = int(table["day"].iloc[0]), float(table["estimate"].iloc[0])
    assert first_day > 0
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=240)
    hatched = [c for c in ax.collections
               if isinstance(c, PolyCollection) and c.get_hatch() == "///"]
    assert len(hatched) == 1
    (x0, y0), (x1, y1) = hatched[0].get_paths()[0].vertices.min(0), \
        hatched[0].get_paths()[0].vertices.max(0)
    assert (x0, y0) == (0.0, 0.0) and x1 == first_day and abs(y1 - first) < 1e-12
    assert plots.survival.HIDDEN_START in [t.get_text() for t in ax.get_legend().get_texts()]
    alt = ax.figure._lifetools_alt
    assert "a hatched area from day 0 shows the range it lies in until then, from 0 to " \
        "its first value" in alt
    assert alt.startswith("Rising step chart")  # this curve rises after day 160
    flat = survival_curve_table(cif, max_time=first_day + 1).frame
    assert flat["estimate"].nunique() == 1
    short = plots.plot_survival(cif, ylabel="Share re-referred", max_time=first_day + 1)
    assert short.figure._lifetools_alt.startswith("Step chart of share re-referred")


def test_curve_moving_from_day_0_has_no_hatched_area():
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"group": "a", "duration": rng.uniform(1, 300, 300).round(),
                         "event": 1})
    km = estimate_km(data, duration_col="duration", event_col="event", group_col="group")
    ax = plots.plot_survival(km, max_time=300)
    assert not [c for c in ax.collections if c.get_hatch() == "///"]
    alt = ax.figure._lifetools_alt
    assert alt.startswith("Falling step chart") and "hatched" not in alt


def test_hatched_start_legend_swatch_in_the_curves_colour():
    # the legend's swatch was grey beside a hatch in the curve's blue (wave 38)
    from matplotlib.colors import to_rgba

    from lifetools.figure_style import PALETTE

    cif = estimate_cif(seven_early_events(), duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group")
    legend = plots.plot_survival(cif, ylabel="Share re-referred", max_time=240).get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    swatch = legend.legend_handles[texts.index(plots.survival.HIDDEN_START)]
    assert swatch.get_hatch() == "///"
    assert to_rgba(swatch.get_edgecolor()) == to_rgba(PALETTE[0])


def events_early_followed_long(n: int = 200) -> pd.DataFrame:
    """``n`` people: 30 events by day 200, the rest censored from day 200 to 345 (as
    the 30,000-person re-referral page's non-users: their last event at day 232, about
    100 still at risk at day 180, the share quoted by 330 days)."""
    events = list(np.linspace(20, 200, 30).round())
    rest = n - len(events)
    return pd.DataFrame({"group": "Did not use the Life Rooms",
                         "duration": [*events, *np.linspace(200, 345, rest).round()],
                         "event": [1] * len(events) + [0] * rest})


def test_curve_is_carried_flat_to_the_last_grid_day_enough_are_at_risk():
    # the 30,000-person re-referral figure stopped at day 210 (its last event's grid
    # day) beside a sentence quoting the share by 330 days, with about 100 people still
    # at risk at day 180: the cumulative incidence was listed at its event times only
    # (issue 15, wave 39)
    from lifetools.reports.narrative import horizon_estimate

    data = events_early_followed_long()
    least = active_profile().min_at_risk
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group", times=(0, 90, 180, 365))
    table = survival_curve_table(cif, max_time=365).frame
    last = int(table["day"].iloc[-1])
    followed = np.sort(data["duration"].to_numpy())[::-1][least - 1]
    assert last <= followed < last + 30  # the last grid day with 10 at risk: 330
    assert last == horizon_estimate(cif.summary, data["duration"])[0] == 330
    # flat after its last step (day 210), at the value it had there
    after = table[table["day"] >= 210]
    assert after["estimate"].nunique() == 1 and len(after) > 1
    # the Kaplan-Meier curve of the same data stops at the same day, flat there too
    km = survival_curve_table(estimate_km(data, duration_col="duration", event_col="event",
                                          group_col="group", times=(0, 90, 180, 365)),
                              max_time=365).frame
    assert km["day"].tolist()[-1] == last
    assert km.loc[km["day"] >= 210, "estimate"].nunique() == 1
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    alt = ax.figure._lifetools_alt
    assert f"at day {last}." in alt
    assert plots.survival.CURVE_END.format(least=least) in alt
    assert ax.figure._lifetools_data[""].frame.equals(table)
    assert max(ax.get_lines()[0].get_xdata()) == last


def test_cumulative_incidence_is_listed_at_censoring_times_too():
    # times 1 (cause 1), 2 (cause 2), 3 (censored), 4 (cause 1), 6 (censored): the row
    # at 3 carries F(2) with 3 at risk, the row at 6 F(4) with 1 at risk
    df = pd.DataFrame({"t": [1, 2, 3, 4, 6.], "e": [1, 2, 0, 1, 0]})
    summary = estimate_cif(df, duration_col="t", event_col="e",
                           event_of_interest=1).summary
    assert summary["time"].tolist() == [1, 2, 3, 4, 6]
    assert summary["at_risk"].tolist() == [5, 4, 3, 2, 1]
    assert summary["events"].tolist() == [1, 0, 0, 1, 0]
    assert summary["estimate"].tolist() == pytest.approx([0.2, 0.2, 0.2, 0.5, 0.5])
    assert summary["se"].iloc[2] == summary["se"].iloc[1]


def test_groups_withheld_for_too_few_events_leave_the_drawn_curve_its_own_grid():
    # the 2024-25 discharge cumulative incidence (3,000 people): its withheld Transfer
    # and Death curves still shared the 60 rows, so Discharge was read every 60 days
    # where every 30 fit (wave 39); the drawn curve reads as if it were alone
    rng = np.random.default_rng(11)
    drawn = pd.DataFrame({"group": "Used the Life Rooms",
                          "duration": rng.uniform(1, 730, 400).round(),
                          "event": (np.arange(400) < 200).astype(int)})
    few = [pd.DataFrame({"group": f"Group {k}", "duration": rng.uniform(1, 730, 60).round(),
                         "event": (np.arange(60) < 3).astype(int)}) for k in range(3)]
    times = (0, 90, 180, 365)

    def table(data: pd.DataFrame) -> pd.DataFrame:
        return survival_curve_table(estimate_cif(
            data, duration_col="duration", event_col="event", event_of_interest=1,
            group_col="group", times=times), max_time=730).frame

    together, alone = table(pd.concat([drawn, *few], ignore_index=True)), table(drawn)
    shown = together[together["why not drawn"] == ""].drop(columns="why not drawn")
    assert shown.reset_index(drop=True).equals(alone)
    assert 30 in set(np.diff(alone["day"].to_numpy()))
    assert len(together) <= 60 and (together["why not drawn"] != "").sum() == 3


def test_curve_table_read_coarser_when_the_at_risk_days_leave_too_few_rows():
    # 40 days of the at-risk table between the grid's days and a curve read to day
    # 1,200: every 60 days gave 21 grid days, 61 rows, one more than a published table
    # may have (refused as row-level); the grid steps out by 30 days until they fit
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"group": "Used the Life Rooms",
                         "duration": np.r_[rng.integers(1, 1300, 2000), [1200] * 20],
                         "event": np.r_[np.arange(2000) % 2, [1] * 20]})
    times = tuple(15 + 30 * k for k in range(40))
    table = survival_curve_table(estimate_cif(
        data, duration_col="duration", event_col="event", event_of_interest=1,
        group_col="group", times=times), max_time=1200).frame
    assert 50 < len(table) <= 60 and table["day"].max() > 1100
    assert set(times) <= set(table["day"])


def test_a_withheld_curves_cells_are_the_curve_rules_and_the_notes_say_its_column(
        tmp_path, monkeypatch):
    # the curve rule recorded its cells as the model release rule's (WITHHELD_CELL),
    # and notes.txt explained them with the list of every reason a value is hidden
    # ("which reason applies is not said"), which names neither rule, beside the
    # table's own column of each group's reason (until wave 43)
    from lifetools.disclosure.downloads import CELLS_NOTE, NOTES_FILE
    from lifetools.disclosure.models import CELL_REASONS, CURVE_CELL, WITHHELD_CELL

    cif = estimate_cif(few_events_in_one_group(3), duration_col="duration",
                       event_col="event", event_of_interest=1, group_col="group",
                       times=(0, 90, 180, 365))
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    table = ax.figure._lifetools_data[""]
    assert {why for *_, why in table.record.suppressed} == {CURVE_CELL}
    assert CURVE_CELL != WITHHELD_CELL
    _, folder = shown_figure(ax, tmp_path, monkeypatch, "rereferral")
    notes = (folder / "figures" / NOTES_FILE).read_text()
    assert f"{CELLS_NOTE}{CELL_REASONS[CURVE_CELL]}." in notes.splitlines()
    assert "‘why not drawn’ gives each group's reason" in notes
    # its file's lines give the curve rule, not "which one is not said"; the list of
    # reasons above is said to be for other cells (the at-risk table's hidden counts)
    curves = notes.split("\nrereferral.csv\n")[1]
    assert "not said" not in curves and CELLS_NOTE in curves
    assert "An estimate shown as [c] has one reason, given below" in notes
