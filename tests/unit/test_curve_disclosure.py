"""Survival figures are drawn only from the published curve table; a withheld model's
proportional-hazards test is withheld with it (issue #12, reviewer's D1 and D4)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lifetools import plots  # noqa: E402
from lifetools.disclosure import active_profile, model_release  # noqa: E402
from lifetools.plots.survival import survival_curve_table  # noqa: E402
from lifetools.reports.survival_parts import ph_table  # noqa: E402
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
    assert not users.empty and (users["estimate"] == 0.0).all()   # never moves
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    user_line = next(line for line in ax.get_lines()
                     if line.get_label() == "Used the Life Rooms")
    assert set(np.asarray(user_line.get_ydata(), float)) == {0.0}
    alt = ax.figure._lifetools_alt
    assert "0.06" not in alt and "0.0625" not in alt
    # every value drawn is a value of the published table, which is the download
    assert drawn_values(ax) <= set(table["estimate"].round(4))
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


def test_withheld_model_has_its_ph_test_withheld():
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
    assert table["statistic"].isna().all() and table["p_value"].isna().all()
    assert table["action"].iloc[0].startswith("withheld with the model")
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
