"""Survival and cumulative-incidence curves with CI bands and numbers at risk; forests."""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import (
    FixedLocator,
    MaxNLocator,
    NullFormatter,
    NullLocator,
)
from matplotlib.transforms import blended_transform_factory, offset_copy
from scipy.stats import norm

from lifetools.disclosure import (
    ProtectedTable,
    active_profile,
    protect_counts,
    require_estimates,
    require_table,
    round_count,
)
from lifetools.disclosure.figure_texts import RATIO_SCALE
from lifetools.disclosure.models import (
    CURVE_CELL,
    WHY_NOT_DRAWN,
    WITHHELD_CELL,
    withheld_rows,
)
from lifetools.formatting import format_count, format_interval, format_proportion
from lifetools.labels import label, listed
from lifetools.plots.theme import (
    DOWNLOAD_PLACES,
    FONT_SIZE,
    MARKERS,
    PALETTE,
    figure_width,
    fit_to_phone,
    is_narrow,
    percent_axis,
    redrawable,
    wrap,
)
from lifetools.publication import mark_protected
from lifetools.survival.competing import cif_limits
from lifetools.survival.kaplan_meier import CI_NAMES, at_risk_table, km_limits

__all__ = ["CURVE_END", "RATIO_TICKS", "WHY_NOT_DRAWN", "plot_forest", "plot_survival",
           "survival_curve_table", "withheld_reasons"]

RATIO_TICKS = RATIO_SCALE
"""Ticks of a ratio axis (log scale), labelled as plain numbers; those covering the
intervals drawn are used (:data:`lifetools.disclosure.figure_texts.RATIO_SCALE`, which
the publish gate knows as a scale)."""
_AT_RISK_TOP = 52.0  # points below the x axis where the numbers at risk start
_TOP_STEPS = (1, 2, 5, 10)
"""Tick steps of a rising curve's axis below 1 (times a power of ten): 0.05, not 0.025."""
_GRID_ROWS = 60  # most rows a published table may have (lifetools.tables.MAX_ROWS)


def _name(group: Any) -> str:
    text = label(str(group))
    return text[:1].upper() + text[1:]


def _drawable(result: Any, min_at_risk: int,
              max_time: float | None) -> dict[Any, pd.DataFrame]:
    """Each group's rows while at least ``min_at_risk`` remain at risk (none: left out).

    The summaries list a curve at every time of an event or a censoring (Kaplan-Meier
    and cumulative incidence alike), so the last row kept is the last time at least
    ``min_at_risk`` people remain at risk, not the last event before it.
    """
    summary = result.summary
    rows = {}
    for group in dict.fromkeys(summary["group"]):
        part = summary[(summary["group"] == group) & (summary["at_risk"] >= min_at_risk)]
        if max_time is not None:
            part = part[part["time"] <= max_time]
        if not part.empty:
            rows[group] = part
    return rows


def _grid(end: float, groups: int, days: list[float], *, coarser: int = 0) -> list[float]:
    """The days the ``groups`` drawn curves are published at: every 30 days or more
    (about 60 rows in all), and the days of the at-risk table; ``coarser`` steps of 30
    days more than that when the rows read, with a withheld group's one row each, were
    more than 60."""
    per_group = max(2, _GRID_ROWS // max(1, groups) - len(days))
    step = max(30, 30 * math.ceil(end / 30 / per_group)) + 30 * coarser
    return sorted({*np.arange(0, end + 1, step).tolist(), *days})


def _variance_and_limits(result: Any) -> tuple[str, Any]:
    """The variance a curve's limits come from, and the limits from (estimate, variance).

    Kaplan-Meier: the Greenwood variance of log S and the result's interval type;
    cumulative incidence: the variance of F and the log(-log(1 - F)) interval.
    """
    z = float(norm.ppf(1 - float(result.method.get("alpha", 0.05)) / 2))
    if "CIF" in type(result).__name__:
        return "cif", lambda f, v: cif_limits(np.asarray(f), np.sqrt(np.asarray(v)), z)
    conf_type = next(k for k, v in CI_NAMES.items() if v == result.method["ci_method"])
    return "km", lambda s, v: km_limits(np.asarray(s), np.asarray(v), z, conf_type)




def withheld_reasons(profile: Any) -> dict[str, str]:
    """Why a group's curve is not drawn, in plain words, by kind (``at_risk``,
    ``events``): the words of the figure's alt text and of its download's
    :data:`WHY_NOT_DRAWN` column, from the profile's own rule numbers."""
    # (a bound right after a bracket, "(fewer than 8 events", is read by the gate as a
    # count: the words start with "too few"); a profile that suppresses no count
    # (threshold 0) withholds only a curve with no events
    least = format_count(profile.min_at_risk)
    events = (f"no events while at least {least} people were at risk, so the curve is "
              "withheld" if profile.threshold == 0 else
              "too few events to draw a curve without showing a suppressed count: "
              f"{profile.suppressed_words()} while at least {least} people were at risk")
    return {"at_risk": f"too few people at risk from the start: fewer than {least}",
            "events": events}


def survival_curve_table(result: Any, *, max_time: float | None = None) -> ProtectedTable:
    """The published curve of each group: what a figure and its alt text are drawn from.

    Disclosure control (active profile): a curve is read on a grid of days (every 30
    days or more, and the days of the at-risk table) only while at least
    ``min_at_risk`` people remain at risk: up to the last grid day at or before the
    last time that many are at risk, flat after its last step (the summaries list
    censoring times too; a cumulative incidence listed at its event times only stopped
    at its last event's grid day, wave 39); it moves at a grid day only once more than
    ``threshold`` events (8 by default) have accrued since it last moved, otherwise
    it holds its last published value (estimate and interval). So no step of the
    published curve is the effect of 1 to ``threshold`` events. Nor is the size of a
    step the effect of an unrounded count: each step is drawn from the rounded
    cumulative events (the profile's rounding, :func:`lifetools.disclosure.round_count`),
    its hazard and its variance multiplied by ``(R(C_b) - R(C_a)) / (C_b - C_a)``,
    where ``C_a`` and ``C_b`` are the cumulative events when the curve last moved and
    now, and ``R`` rounds. A step of ``D`` events among about ``n`` at risk has hazard
    about ``D / n``; the published one about ``(R(C_b) - R(C_a)) / n``, a multiple of the
    rounding base, so the count read back from a step and the published numbers at
    risk is a rounded one. Kaplan-Meier: ``S'_b = S'_a (1 - m (1 - S_b / S_a))`` and
    Greenwood variance of log S ``G'_b = G'_a + m (G_b - G_a)``; cumulative incidence:
    ``F'_b = F'_a + m (F_b - F_a)`` and variance ``V'_b = V'_a + m (V_b - V_a)``; the
    limits are the result's own interval (type and level) on these. As the rounding is
    of the cumulative count, the published curve is never more than half a base of
    events' worth of hazard from the estimate (no drift over many steps); tested in
    ``tests/unit/test_curve_disclosure.py`` (every step implies a multiple of the base;
    every published estimate inside the interval of the unrounded data). Nothing else
    of ``result.summary`` reaches a figure.

    A group's curve is not published when it could not be read from the start (fewer
    than ``min_at_risk`` at risk) or when it never left its starting value because no
    more than ``threshold`` events accrued while it was read: drawn, it would be a
    flat line at 0 (or 1) that reads "no events" where the tables say "fewer than 8".
    A group with no events at all is withheld the same way, so the figure never tells
    0 events from 1 to ``threshold`` (the tables may suppress the count). Such a group
    has one row, its numbers missing, recorded as withheld (``[c]`` in the download,
    as every value a disclosure rule hid: ``[x]`` until wave 42; its day, which does
    not apply, ``[x]``) and :data:`WHY_NOT_DRAWN` saying why in plain words
    (:func:`withheld_reasons`); the column is there only when a group is withheld, so
    a table whose curves are all drawn is unchanged.
    The grid is made for the curves drawn (a group found never to move is withheld
    and the others are read again), and steps out by 30 days while the rows,
    with one per withheld group, are more than 60.

    Returns
    -------
    ProtectedTable
        ``group`` (its name as shown), ``day``, ``estimate``,
        ``ci_lower``, ``ci_upper`` (rounded to 4 decimals), and
        :data:`WHY_NOT_DRAWN` when a group's curve is withheld.
    """
    profile = active_profile()
    cif = "CIF" in type(result).__name__
    start = 0.0 if cif else 1.0
    rows_of = _drawable(result, profile.min_at_risk, max_time)
    reasons = withheld_reasons(profile)
    # every group of the result: one with no event has no row in a cumulative
    # incidence summary, only its numbers at risk (unless the at-risk rows are of
    # other groups: "All" under curves of competing events)
    curve_groups = list(dict.fromkeys(result.summary["group"]))
    risk_groups = list(dict.fromkeys(result.at_risk["group"]))
    shared = not curve_groups or bool(set(curve_groups) & set(risk_groups))
    groups = list(dict.fromkeys([*risk_groups, *curve_groups])) if shared else curve_groups
    most = result.at_risk.groupby("group")["at_risk"].max()
    withheld = {g: reasons["events"] if g not in set(result.summary["group"])
                and most.get(g, 0) >= profile.min_at_risk else reasons["at_risk"]
                for g in groups if g not in rows_of}
    out: list[dict] = []
    if rows_of:
        _, limits = _variance_and_limits(result)
        drawing, coarser = dict(rows_of), 0
        while drawing:
            # a group that never moves is withheld, and the grid is made again for the
            # curves drawn: the withheld Transfer and Death curves of the discharge
            # page kept its grid at 60 days where 30 fit the 60 rows (wave 39)
            stops = {g: float(r["time"].max()) for g, r in drawing.items()}
            end = max(stops.values())
            listed = [float(t) for t in dict.fromkeys(result.at_risk["time"])
                      if float(t) <= end]
            grid = _grid(end, len(drawing), listed, coarser=coarser)
            read_of = {g: _read_curve(rows, grid, stops[g], cif=cif, start=start,
                                      profile=profile, limits=limits, name=_name(g))
                       for g, rows in drawing.items()}
            still = [g for g, read in read_of.items() if read is None]
            if not still:
                out = [row for read in read_of.values() for row in read]
                if len(out) + len(withheld) <= _GRID_ROWS:
                    break
                coarser += 1  # the days of the at-risk table left too few rows
                continue
            for group in still:  # never moved: too few events to draw, however few
                withheld[group] = reasons["events"]
                del drawing[group]
    columns = ["group", "day", "estimate", "ci_lower", "ci_upper"]
    frame = pd.DataFrame(out, columns=columns).astype({"day": "Int64"})
    if withheld:  # one row per withheld group, in the result's order, saying why
        frame[WHY_NOT_DRAWN] = ""
        order = [_name(g) for g in groups]
        gone = pd.DataFrame({"group": [_name(g) for g in withheld],
                             WHY_NOT_DRAWN: list(withheld.values())})
        frame = pd.concat([frame, gone], ignore_index=True).astype({"day": "Int64"})
        frame["_order"] = frame["group"].map(order.index)
        frame = frame.sort_values("_order", kind="stable").drop(columns="_order")
        frame = frame.reset_index(drop=True)
    table = require_table(frame, name="curves", not_counts=["day"])
    # a withheld group's numbers were hidden by the curve rule (a disclosure rule):
    # [c], as every value a rule hid; its day does not apply ([x]) (wave 42); recorded
    # as the curve rule's (CURVE_CELL), whose reason is the table's own column, not
    # the model release rule's (wave 43)
    rows = [i for i, g in enumerate(frame["group"]) if g in {_name(w) for w in withheld}]
    return table.withheld([(i, c) for i in rows for c in ("estimate", "ci_lower",
                                                          "ci_upper")], CURVE_CELL)


def _read_curve(rows: pd.DataFrame, grid: list[float], stop: float, *, cif: bool,
                start: float, profile: Any, limits: Any, name: Any) -> list[dict] | None:
    """One group's published rows on ``grid`` up to ``stop`` (the rules of
    :func:`survival_curve_table`), or None when the curve never moves."""
    times = rows["time"].to_numpy(dtype=float)
    events = np.cumsum(rows["events"].to_numpy(dtype=int))
    estimate = rows["estimate"].to_numpy(dtype=float)
    se = rows["se"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = se ** 2 if cif else (se / estimate) ** 2
    shown = (start, start, start)
    moved_at = 0  # cumulative events when the curve last moved
    raw = (start, 0.0)  # the unrounded estimate and variance there
    drawn = (start, 0.0)  # the published estimate and variance there
    read: list[dict] = []
    first_move = 0  # the row of ``read`` where the curve first moved
    for day in (d for d in grid if d <= stop):
        upto = int(np.searchsorted(times, day, side="right"))
        if upto and events[upto - 1] - moved_at > profile.threshold:
            now = int(events[upto - 1])
            scale = ((round_count(now, profile=profile)
                      - round_count(moved_at, profile=profile)) / (now - moved_at))
            value, var = float(estimate[upto - 1]), float(variance[upto - 1])
            if cif:
                published = drawn[0] + scale * (value - raw[0])
            else:
                published = drawn[0] * max(1 - scale * (1 - value / raw[0]), 0.0)
            drawn = (published, drawn[1] + scale * (var - raw[1]))
            first_move = first_move if moved_at else len(read)
            raw, moved_at = (value, var), now
            lower, upper = limits([drawn[0]], [drawn[1]])
            shown = (drawn[0], float(lower[0]), float(upper[0]))
        read.append({"group": name, "day": int(round(day)),
                     "estimate": round(shown[0], 4),
                     "ci_lower": round(shown[1], 4),
                     "ci_upper": round(shown[2], 4)})
    if not moved_at:
        return None
    # a curve held at its start past the first grid day is published from where it
    # first moves: its rows before read "0.00 (0.00 to 0.00)" (or 1.00) while up to
    # ``threshold`` events had happened, a value outside the unrounded data's interval
    # (the 30,000-person re-referral page showed no one re-referred for 150 days after
    # 7 had been, wave 37)
    return read if first_move <= 1 else read[first_move:]


def _curves(table: pd.DataFrame) -> tuple[dict[Any, pd.DataFrame], dict[str, str]]:
    """The published curve table split by group, in its order: the drawn curves, and
    the withheld groups with why (:data:`WHY_NOT_DRAWN`)."""
    why = (dict(zip(table["group"], table[WHY_NOT_DRAWN], strict=True))
           if WHY_NOT_DRAWN in table else {})
    withheld = {g: str(w) for g, w in why.items() if isinstance(w, str) and w}
    drawn = table[~table["group"].isin(withheld)]
    return ({g: drawn[drawn["group"] == g].reset_index(drop=True)
             for g in dict.fromkeys(drawn["group"])}, withheld)


def _tick_days(days: list[float], end: float) -> list[float]:
    """The at-risk days of a figure whose drawn curves end at day ``end``: the result's
    own days up to ``end``, then on at the step of its last two of them while short of
    ``end``, and ``end`` itself.

    The 30,000-person re-referral figure drew its curve to day 330 with ticks and
    numbers at risk at days 0, 90 and 180 only (its at-risk days were 0, 90, 180 and
    365), so no reader could see where the curve ended or how many were at risk there;
    now 0, 90, 180, 270 and 330.
    """
    kept = sorted({d for d in days if d <= end})
    if end <= 0:
        return kept or [0.0]
    step = kept[-1] - kept[-2] if len(kept) > 1 else (kept[-1] if kept and kept[-1] > 0
                                                       else end)
    extra = []
    day = (kept[-1] if kept else 0.0) + step
    while day < end:
        extra.append(day)
        day += step
    return sorted({*kept, *extra, float(end)})


def _at_risk_on(result: Any, days: list[float]) -> pd.DataFrame:
    """The raw numbers at risk of each group at ``days``: the result's ``at_risk`` rows
    where it has them, the others counted on its ``risk_sets`` (as
    :func:`~lifetools.survival.at_risk_table` counts), in its groups' order."""
    table = result.at_risk
    have = {float(t) for t in table["time"]}
    rows = table[table["time"].astype(float).isin(days)]
    missing = [d for d in days if d not in have]
    if missing:
        if getattr(result, "risk_sets", None) is None:
            raise ValueError("the curve runs past the days of its numbers at risk and "
                             "the result keeps no risk sets to count them at "
                             f"{missing}")
        more = at_risk_table(result.risk_sets, duration_col="stop", times=missing,
                             group_col="group", entry_col="entry")
        rows = pd.concat([rows, more[more["group"].isin(set(table["group"]))]],
                         ignore_index=True)
    order = {g: i for i, g in enumerate(dict.fromkeys(table["group"]))}
    return rows.assign(_order=rows["group"].map(order)).sort_values(
        ["_order", "time"], kind="stable").drop(columns="_order").reset_index(drop=True)


def _spaced(ax: Any, days: list[float], gap_pt: float) -> list[float]:
    """The at-risk days far enough apart on the drawn axis for their numbers not to touch.

    Greedy from day 0: a day closer than ``gap_pt`` points (the widest number and a
    space) to the last kept one is skipped (its tick and its numbers; the download
    keeps it); the last day (where the drawn curves end) is always kept, the day
    before it left out instead when the two are too close.
    """
    fig = ax.figure
    fig.tight_layout()
    width_pt = ax.get_window_extent().width * 72 / fig.dpi
    low, high = ax.get_xlim()
    gap = gap_pt / max(width_pt, 1.0) * (high - low)
    kept: list[float] = []
    for day in days:
        if not kept or day - kept[-1] >= gap:
            kept.append(day)
    if days and kept[-1] != days[-1]:
        while len(kept) > 1 and days[-1] - kept[-1] < gap:
            kept.pop()
        kept.append(days[-1])
    return kept


def _short_reason(why: str, profile: Any) -> str:
    """A withheld curve's reason in a few words for the legend: "too few at risk" or
    "too few events" (the alt text and the download give it in full)."""
    return ("too few at risk" if why == withheld_reasons(profile)["at_risk"]
            else "no events" if profile.threshold == 0 else "too few events")


def _none_drawn(withheld: dict[str, str], profile: Any) -> str:
    """The words an axes with no curve shows in place of curves."""
    kinds = {_short_reason(w, profile) for w in withheld.values()}
    why = " or ".join(sorted(kinds)) or "too few at risk or too few events"
    return (f"No curve is drawn: {why} in every group (a curve is drawn only when it "
            "can be without showing a suppressed count)")


def _rising_top(curves: dict[str, pd.DataFrame]) -> float:
    """The top of a rising (cumulative-incidence) curve's axis: the first round tick at
    or above the highest upper limit drawn (steps of 1, 2 or 5 times a power of ten,
    at most 1).

    A share that reaches 0.07 drawn on a 0-1 axis is a flat line at the bottom; the
    axis still starts at 0, so heights compare truly, and the alt text states its top.
    A falling (Kaplan-Meier) curve starts at 1 and keeps the whole 0-1 axis.
    """
    high = max((float(c["ci_upper"].max()) for c in curves.values()), default=1.0)
    if not high > 0:
        return 1.0
    ticks = MaxNLocator(nbins=5, steps=list(_TOP_STEPS)).tick_values(0.0, high)
    return min(round(float(min(t for t in ticks if t >= high - 1e-12)), 10), 1.0)


HIDDEN_START = "Hatched: where a curve lies\nbefore its first step"
"""The legend's words for the hatched area before a curve's first drawn day."""


def _hidden_range(curve: pd.DataFrame, rising: bool) -> tuple[list[float], list[float]]:
    """The lower and upper edges, at day 0 and at the curve's first drawn day, of the
    range a curve lies in before its first step.

    A curve starting after day 0 was held at its start until more than ``threshold``
    events had happened (:func:`_drawable`); a cumulative incidence only rises and a
    Kaplan-Meier curve only falls, so until its first drawn day a rising curve lay
    between 0 and its first value, a falling one between its first value and 1. The
    area tells no more than the first value does, and shows that the stretch before it
    is hidden rather than empty (the 30,000-person re-referral figure drew a line from
    day 180 alone, as if no one had been re-referred before; wave 38).
    """
    first = float(curve["estimate"].iloc[0])
    low, high = (0.0, first) if rising else (first, 1.0)
    return [low, low], [high, high]


CURVE_END = ("Each curve is drawn at regular days (listed in the download) and stops "
             "at the last of them before fewer than {least} people remain at risk, flat "
             "after its last step")
"""What ends a drawn curve, in the alt text's words (:func:`survival_curve_table`):
"stops where fewer than 10 people remain at risk" was said of a cumulative-incidence
curve that stopped at its last event's grid day, 120 days before that (issue 15,
wave 39)."""


def _alt(curves: dict[str, pd.DataFrame], ylabel: str, xlabel: str, min_at_risk: int,
         threshold: int, kind: str, withheld: dict[str, str],
         top: float = 1.0, *, rising: bool = True) -> str:
    """The alt text, from the published curve table only."""
    # one reason for every withheld group is said once ("Did not use ... (too few
    # events ...); Used ... (too few events ...)" said it twice: wave 37)
    reasons = set(withheld.values())
    not_drawn = ("" if not withheld else
                 f"{listed(list(withheld))} ({next(iter(reasons))})."
                 if len(withheld) > 1 and len(reasons) == 1 else
                 "; ".join(f"{g} ({w})" for g, w in withheld.items()) + ".")
    if not curves:
        return (f"Chart of {ylabel.lower()} by {xlabel.lower()} with no curve drawn. "
                f"Not drawn: {not_drawn}")
    parts = []
    for group, curve in curves.items():
        last = curve.iloc[-1]
        # as the download writes them (2 places: 0.64 reads "64%", not "64.5%")
        first = format_proportion(curve["estimate"].iloc[0], places=DOWNLOAD_PLACES)
        parts.append(f"{group}: from {first} at day {int(curve['day'].iloc[0]):,} to "
                     f"{format_proportion(last['estimate'], places=DOWNLOAD_PLACES)} "
                     f"at day {int(last['day']):,}")
    count = f"{len(curves)} curve" + ("s" if len(curves) != 1 else "")
    axis = (f" The vertical axis runs from 0% to {format_proportion(top, digits=0)}, "
            "not 100%." if top < 1 else "")
    return (f"{kind} chart of {ylabel.lower()} by {xlabel.lower()}, {count}.{axis} "
            + "; ".join(parts) + f". {CURVE_END.format(least=min_at_risk)}; it moves "
            f"only after more than {threshold} events"
            + (" (a curve starting after day 0 is not drawn before its first step, "
               "which waits for more than that many events; a "
               "hatched area from day 0 shows the range it lies in until then, from "
               + ("0 to its first value)" if rising else "its first value to 1)")
               if any(int(c["day"].iloc[0]) > 0 for c in curves.values()) else "")
            + "; shaded bands are 95% confidence intervals."
            + (f" Not drawn: {not_drawn}" if withheld else ""))


@redrawable
def plot_survival(
    result: Any,
    *,
    ax: Any = None,
    ylabel: str = "Share still open",
    xlabel: str = "Days since referral",
    max_time: float | None = None,
) -> Any:
    """Plot KM or cumulative-incidence curves by group, with CI bands and at-risk rows.

    Disclosure control (active profile): the curves drawn, their alt text and their
    download are the published curve table (:func:`survival_curve_table`) and nothing
    else: each read on a grid of days while at least ``min_at_risk`` people remain at
    risk (to the last grid day before fewer remain, flat after its last step: the alt
    text says so in :data:`CURVE_END`'s words), moving only after more than
    ``threshold`` events, so no step counts 1 to 7 events. The numbers at risk under the axis are protected counts (by default
    suppressed 1-7, rounded to 5). A group whose curve the table withholds (too few
    at risk from the start, or too few events for it ever to move: 0 to ``threshold``,
    not told apart) is not drawn: its at-risk row reads "(no curve)", the legend
    names it with no line and why in a few words ("no curve, too few events"), and
    the alt text and the download give the reason in full. When no curve is left the
    axes say so in words ("No curve is drawn: too few events in every group ...")
    and the alt text says no curve is drawn.

    Notes
    -----
    The x ticks are the days of the at-risk table (``result.at_risk``) up to the end
    of the longest drawn curve, then on at the step of its last two days while short of
    that end, and the end itself (:func:`_tick_days`; the numbers at risk there counted
    on the result's ``risk_sets``), so the axis and the at-risk rows cover every drawn
    curve; a day closer to the one before it on the drawn axis than the widest number
    at risk is left out (so numbers never run together; the end is kept), and each number at
    risk is placed at its day in data coordinates, so the rows line up with the ticks
    by construction (checked in ``tests/unit/test_plots.py``). The figure's data (the
    published curve table, and the numbers at risk) is attached for download, and its
    alt text is generated from that table.
    """
    profile = active_profile()
    min_at_risk = profile.min_at_risk
    table = result.at_risk
    at_risk_groups = list(dict.fromkeys(table["group"]))
    title = (f"Number at risk{chr(10) if is_narrow() else ' '}"
             f"(rounded to {profile.base})")
    title_lines = title.count("\n")
    if ax is None:
        _, ax = plt.subplots(figsize=(figure_width(), 4.4 + 0.25 * title_lines
                                      + 0.55 * len(at_risk_groups)
                                      + 0.3 * len(dict.fromkeys(result.summary["group"]))))
    # the figure is drawn only from the published curve table (no raw step reaches it)
    published = survival_curve_table(result, max_time=max_time)
    curves, withheld = _curves(published.frame)
    if not curves:  # nothing to draw: the axes say so in words, not an empty grid
        ax.text(0.5, 0.5, wrap(_none_drawn(withheld, profile), 28 if is_narrow() else 36),
                ha="center",
                va="center", transform=ax.transAxes, fontstyle="italic")
    rising = "CIF" in type(result).__name__
    hidden: list[str] = []  # the colours of the curves with a hatched start
    for i, (group, curve) in enumerate(curves.items()):
        colour = PALETTE[i % len(PALETTE)]
        ax.step(curve["day"], curve["estimate"], where="post", color=colour,
                label=group, linestyle=("-", "--", ":", "-.")[i % 4], linewidth=2)
        ax.fill_between(curve["day"], curve["ci_lower"], curve["ci_upper"], step="post",
                        alpha=0.2, color=colour, linewidth=0)
        start = float(curve["day"].iloc[0])
        if start > 0:  # held at its start until its first step (too few events before)
            hidden.append(colour)
            ax.fill_between([0.0, start], *_hidden_range(curve, rising), facecolor="none",
                            edgecolor=colour, hatch="///", linewidth=0, alpha=0.8)
    end = max((float(c["day"].max()) for c in curves.values()), default=0.0)
    listed = [float(t) for t in dict.fromkeys(table["time"]) if float(t) <= end]
    ax.set_xlim(0, max(end, 1.0) * 1.02)
    top = _rising_top(curves) if rising and curves else 1.0
    ax.set_ylim(0, top)
    if top < 1:  # round ticks to the top, each with the decimals its step needs
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=list(_TOP_STEPS)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    percent_axis(ax.yaxis)  # a share of people reads in per cent: 20, not 0.2
    listed = _tick_days(listed, end)
    shown = _at_risk_on(result, listed)
    protected = protect_counts(shown[["group", "time", "at_risk"]].rename(
        columns={"time": "day"}).astype({"day": "int64"}), ["at_risk"], not_counts=["day"])
    frame = protected.frame
    numbers = [f"<{profile.threshold + 1}" if pd.isna(v) else f"{int(v):,}"
               for v in frame["at_risk"]]
    widest = max((len(n) for n in numbers), default=1) * 0.64 * FONT_SIZE
    days = _spaced(ax, listed, widest + 8.0)
    ax.xaxis.set_major_locator(FixedLocator(days))
    ax.set_xticklabels([f"{d:,.0f}" for d in days])
    # numbers at risk under the axis: per group a name line, then each number at its
    # tick's x (data coordinates), offset downwards in points
    line = FONT_SIZE * 1.45
    # on a phone the names start at the figure's left edge, under the axis label, so a
    # name with "(no curve)" fits the narrow width (from the axes' edge it made the
    # 2023-24 re-referral figure 4.3 inches wide: 11 px text on a 320 px phone)
    left = (("figure fraction", "axes fraction") if is_narrow() else "axes fraction")
    ax.annotate(title, xy=(0.01 if is_narrow() else 0, 0),
                xycoords=left, xytext=(0, -_AT_RISK_TOP), textcoords="offset points",
                ha="left", va="top", fontweight="bold")
    for row, group in enumerate(at_risk_groups):
        offset = _AT_RISK_TOP + line * (2 * row + 1 + title_lines)
        # a group whose curve is not drawn says so beside its numbers at risk, which
        # (rounded) can read 10 when fewer than 10 were at risk before rounding
        named = _name(group) + (" (no curve)" if _name(group) in withheld else "")
        ax.annotate(named, xy=(0.01 if is_narrow() else 0, 0), xycoords=left,
                    xytext=(0, -offset), textcoords="offset points", ha="left", va="top",
                    fontstyle="italic")
        part = frame[(frame["group"] == group) & frame["day"].isin(days)]
        for index, day in zip(part.index, part["day"], strict=True):
            text = numbers[index]
            ax.annotate(text, xy=(float(day), 0), xycoords=("data", "axes fraction"),
                        xytext=(0, -offset - line), textcoords="offset points",
                        ha="center", va="top", gid="at-risk")
    if curves and (len(curves) > 1 or len(at_risk_groups) > 1 or withheld or hidden):
        # a withheld group is in the legend with no line, and why in words
        handles, names = ax.get_legend_handles_labels()
        if hidden:
            # in the hatched curve's colour (grey when several curves are hatched)
            handles.append(Patch(facecolor="none", hatch="///", linewidth=0,
                                 edgecolor=hidden[0] if len(set(hidden)) == 1 else "0.35"))
            names.append(HIDDEN_START)
        for group, why in withheld.items():
            handles.append(Line2D([], [], linestyle="none"))
            names.append(f"{group}:\nno curve, {_short_reason(why, profile)}")
        # short names side by side (three at most; two on a narrow phone)
        short = max(len(g) for g in names) <= 12 and not (
            is_narrow() and len(curves) > 2)
        # from the figure's left edge, so a three-column legend fits the phone width,
        # and clear of the top tick label ("1.0"), which stands above the axes
        above = offset_copy(ax.transAxes, fig=ax.figure, x=0, y=FONT_SIZE * 0.75,
                            units="points")
        ax.legend(handles, names, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False,
                  bbox_transform=blended_transform_factory(ax.figure.transFigure, above),
                  borderaxespad=0.0, ncol=min(len(curves), 3) if short else 1)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    # "Rising step chart" of a flat fragment (0.06 at days 180 and 210, wave 38): the
    # direction is said only of curves that move
    moves = any(curve["estimate"].iloc[-1] != curve["estimate"].iloc[0]
                for curve in curves.values())
    kind = ("Rising step" if rising else "Falling step") if moves else "Step"
    data = {"": published,
            "at-risk": protected.rename(columns={"at_risk": "number_at_risk"})}
    mark_protected(ax.figure, rules={"min_at_risk": min_at_risk, "at_risk": "rounded",
                                     "profile": profile.name}, data=data,
                   alt=_alt(curves, ylabel, xlabel, min_at_risk, profile.threshold, kind,
                            withheld, top, rising=rising))
    return ax


def _thinned(ax: Any, ticks: list[float]) -> list[float]:
    """Ticks far enough apart on the drawn log axis for their labels not to touch.

    Outwards from 1 (always kept): a tick closer to the last kept one than the wider of
    the two labels and a space is left out.
    """
    fig = ax.figure
    fig.tight_layout()
    box = ax.get_window_extent()
    low, high = (math.log(v) for v in ax.get_xlim())
    per_pt = (high - low) / max(box.width * 72 / fig.dpi, 1.0)

    def room(a: float, b: float) -> bool:
        need = (max(len(f"{a:g}"), len(f"{b:g}")) * 0.64 * FONT_SIZE + 10.0) * per_pt
        return abs(math.log(a) - math.log(b)) >= need

    kept = [1.0]
    for side in (sorted(t for t in ticks if t > 1), sorted((t for t in ticks if t < 1),
                                                           reverse=True)):
        last = 1.0
        for tick in side:
            if room(tick, last):
                kept.append(tick)
                last = tick
    return sorted(kept)


def _ratio_axis(ax: Any, low: float, high: float, xlabel: str) -> None:
    """Log-scaled ratio axis with plain tick labels (0.5, 1, 2), a line at 1."""
    ax.set_xscale("log")
    near = [t for t in RATIO_TICKS if low / 1.5 <= t <= high * 1.5]
    # every tick between those and 1: the axis always reaches the line at 1
    ticks = [t for t in RATIO_TICKS if min(near, default=1.0) <= t <= 1.0
             or 1.0 <= t <= max(near, default=1.0)]
    if len(ticks) < 3:
        # two labels ("1", "2") read poorly and cannot be told from two counts by the
        # publish gate (figure_number_findings): the doublings either side of 1 too
        ticks = sorted({*ticks, 0.5, 2.0})
    ax.set_xlim(min(ticks[0], low) / 1.15, max(ticks[-1], high) * 1.15)
    ticks = _thinned(ax, ticks)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.axvline(1.0, color="#333333", linewidth=1.2, linestyle="--")
    ax.set_xlabel(xlabel)


@redrawable
def plot_forest(
    summary: Any,
    *,
    ax: Any = None,
    label_col: str = "term",
    ratio: str = "Hazard ratio",
    below: str | None = None,
    above: str | None = None,
) -> Any:
    """Forest plot of ratios with 95% CIs on a log scale (model estimates, no counts).

    ``summary``: estimates released by :func:`lifetools.disclosure.model_release`
    (anything else is refused: :func:`lifetools.disclosure.require_estimates`).
    The axis label names the ``ratio`` and, when given, what a ratio ``below`` and
    ``above`` 1 means in plain words ("Hazard ratio (log scale): below 1 = slower
    discharge, above 1 = faster discharge").

    Notes
    -----
    The axis is log-scaled with plain tick labels from :data:`RATIO_TICKS` covering
    the intervals, a dashed reference line at 1, and ``xlabel`` saying in words which
    side means what (the caller names the ratio and the direction). Labels read
    through :func:`lifetools.labels.label`; the alt text's intervals through
    :func:`lifetools.formatting.format_interval` with null 1 (a limit rounding onto 1
    keeps its side, :func:`~lifetools.formatting.bound_places`). Rows with no estimate
    are listed in the data but not drawn. Checked in ``tests/unit/test_plots.py``.
    """
    xlabel = (f"{ratio} (log scale): below 1 = {below}, above 1 = {above}"
              if below and above else f"{ratio} (log scale; 1 = no difference)")
    frame = require_estimates(summary, name="forest plot").frame.reset_index(drop=True)
    names = [wrap(label(str(v)), 22) for v in frame[label_col]]
    if ax is None:
        lines = sum(n.count("\n") + 1 for n in names)
        _, ax = plt.subplots(figsize=(figure_width(), 0.32 * lines + 0.5 * len(frame) + 1.6))
    y = np.arange(len(frame))[::-1]
    est = frame["estimate"].astype(float).to_numpy()
    low = frame["ci_lower"].astype(float).to_numpy()
    high = frame["ci_upper"].astype(float).to_numpy()
    ok = np.isfinite(est) & np.isfinite(low) & np.isfinite(high) & (low > 0)
    ax.errorbar(est[ok], y[ok], xerr=[est[ok] - low[ok], high[ok] - est[ok]],
                fmt=MARKERS[1], color=PALETTE[0], capsize=4, markersize=7)
    _ratio_axis(ax, float(low[ok].min()) if ok.any() else 0.5,
                float(high[ok].max()) if ok.any() else 2.0, wrap(xlabel, 34))
    # a model the release rule withheld is "withheld" ([c] in its data), a fit that
    # gave no number "not estimated" ([x]): until the review of wave 42 both read "not
    # estimated" beside a download that marked the first [c]
    held = withheld_rows(frame)
    missing = ["withheld" if h else "not estimated" for h in held]
    for row in np.flatnonzero(~ok):
        ax.text(1.0, y[row], f"  {missing[row]}", ha="left", va="center",
                fontstyle="italic", color="#444444")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_ylim(-0.6, len(frame) - 0.4)
    ax.grid(axis="y", visible=False)
    ax.figure.tight_layout()
    fit_to_phone(ax.figure)
    data = pd.DataFrame({"label": [label(str(v)) for v in frame[label_col]],
                         "estimate": np.round(est, 4), "ci_lower": np.round(low, 4),
                         "ci_upper": np.round(high, 4)})
    # a limit that rounds onto 1 keeps the places that show its side ("1.004"), and
    # one that rounds onto a ratio's degenerate 0 its distance from it ("0.004"), as
    # the download writes them (wave 43)
    parts = [f"{label(str(v))}: {format_interval(e, lo, h, null=1.0, avoid=(0.0,))}"
             if k else f"{label(str(v))}: {why}"
             for v, e, lo, h, k, why in zip(frame[label_col], est, low, high, ok, missing,
                                            strict=True)]
    alt = (f"Forest plot of {len(frame)} ratio" + ("s" if len(frame) != 1 else "")
           + " with 95% confidence intervals on a log scale, a dashed line at 1. "
           + "; ".join(parts) + ".")
    mark_protected(ax.figure, rules={"content": "model estimates"},
                   # its download writes a limit on its side of 1 as the page and
                   # the alt text do ("1.004", never "1.00": wave 41)
                   # a withheld model's row [c], as in the page's table (wave 42);
                   # a ratio's limit of 0 is degenerate (the gate refuses it, wave 43)
                   data={"": require_table(data, name="forest").keeping_sides(
                       ["ci_lower", "ci_upper"], 1.0, degenerate=(0.0,)).withheld(
                           [(row, c) for row, h in enumerate(held)
                            if h for c in ("estimate", "ci_lower", "ci_upper")],
                           WITHHELD_CELL)}, alt=alt)
    return ax
