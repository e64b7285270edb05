"""Figures fit for a publication: aligned at-risk rows, ratio axes, human labels,
suppressed values drawn, legends clear of data, text legible on a phone, data beside."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from lifetools import disclosure, plots, publication  # noqa: E402
from lifetools.labels import TERMS, is_raw_name, label  # noqa: E402
from lifetools.plots import theme  # noqa: E402
from lifetools.plots.theme import MIN_PHONE_PX, SUPPRESSED_HATCH, phone_text_px  # noqa: E402
from lifetools.survival import at_risk_table, estimate_cif, estimate_km  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


OUTPUT_ANALYSIS = "02_time_to_discharge"
"""The run the ``output`` fixture (tests/unit/conftest.py) lays out."""


def survival_data(n: int = 600, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "duration": rng.exponential(300, n).round() + 1,
        "event": rng.integers(0, 3, n),
        "group": rng.choice(["Used the Life Rooms", "Did not use them"], n)})


def km_result():
    return estimate_km(survival_data(), duration_col="duration", event_col="event",
                       group_col="group")


def forest_frame() -> pd.DataFrame:
    return pd.DataFrame({"model": ["exposed", "age_per_10", "Naive model"],
                         "estimate": [1.3, 0.62, 2.1], "ci_lower": [1.1, 0.5, 1.6],
                         "ci_upper": [1.55, 0.8, 2.9]})


def released(frame: pd.DataFrame):
    """Estimates through the model release check (enough rows, nothing else checked)."""
    rows = pd.DataFrame({"e": [1.0] * 100})
    return disclosure.model_release(None, data=rows, event_col="e", level_cols=[],
                                    summary=frame.iloc[0:0], converged=True
                                    ).estimates(frame)


def balance_frame() -> pd.DataFrame:
    return pd.DataFrame({"covariate": ["imd_q1", "team_a06", "age_per_10",
                                       "locality_north_sefton"],
                         "smd_before": [0.3, -0.25, 0.12, 0.05],
                         "smd_after": [0.02, 0.15, -0.01, 0.03]})


def rates_with_a_suppressed_cell():
    rng = np.random.default_rng(3)
    rows = []
    for group, n, lam in (("Life Rooms users", 400, 0.6), ("Comparison group", 400, 0.5),
                          ("Small group", 30, 0.05)):
        for period in ("Before first contact", "After first contact"):
            rows.append(pd.DataFrame({"group": group, "period": period,
                                      "events": rng.poisson(lam, n),
                                      "years": np.full(n, 1.0)}))
    frame = pd.concat(rows, ignore_index=True)
    return disclosure.rates_table(frame, group_cols=["group", "period"],
                                  event_col="events", person_time_col="years")


def reach_with_a_suppressed_cell():
    table = pd.DataFrame({"characteristic": ["Sex"] * 3,
                          "group": ["Female", "Male", "Other or not known"],
                          "Life Rooms users": [420, 380, 3],
                          "Secondary care": [5200, 4800, 40]})
    return disclosure.protected_shares(table, ["Life Rooms users", "Secondary care"],
                                       by="characteristic")


def monthly_frame() -> pd.DataFrame:
    months = pd.date_range("2024-04-01", periods=12, freq="MS")
    return pd.DataFrame({"month": np.repeat(months, 2),
                         "team": ["Community mental health teams (A06)", "Other teams"] * 12,
                         "referrals": [120, 60] * 5 + [3, 55] + [130, 65] * 6})


def every_figure(only: set[str] | None = None):
    """One figure from every plot function, on data with raw names and suppression
    (only those named in ``only`` when given)."""
    cif = estimate_cif(survival_data(), duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group")
    monthly = monthly_frame()
    contacts = monthly[monthly["team"] == "Other teams"].rename(
        columns={"referrals": "contacts"})[["month", "contacts"]]
    curve = pd.DataFrame({"predicted": np.linspace(0.05, 0.5, 20),
                          "observed": np.linspace(0.06, 0.45, 20),
                          "ci_lower": np.linspace(0.03, 0.4, 20),
                          "ci_upper": np.linspace(0.09, 0.5, 20)})
    decision = pd.DataFrame({"threshold": [0.1, 0.2, 0.3], "model": [0.05, 0.03, 0.01],
                             "treat_all": [0.04, -0.02, -0.1], "treat_none": [0.0] * 3})
    drawing = {
        "survival": lambda: plots.plot_survival(km_result(), max_time=730),
        "cif": lambda: plots.plot_survival(cif, ylabel="Share discharged", max_time=365),
        "forest": lambda: plots.plot_forest(
            released(forest_frame()), label_col="model", below="slower discharge",
            above="faster discharge"),
        "love": lambda: plots.plot_love(balance_frame()),
        "rates": lambda: plots.plot_rates(rates_with_a_suppressed_cell()),
        "reach": lambda: plots.plot_reach(reach_with_a_suppressed_cell(),
                                          characteristic="Sex"),
        "run": lambda: plots.plot_run_chart(contacts),
        "monthly": lambda: plots.plot_monthly_counts(monthly),
        "calibration": lambda: plots.plot_calibration(curve[["predicted", "observed"]]),
        "calibration_curve": lambda: plots.plot_calibration_curve(curve),
        "corrected_calibration": lambda: plots.plot_corrected_calibration(pd.DataFrame({
            "predicted": np.linspace(0.05, 0.5, 10), "apparent": np.linspace(0.04, 0.52, 10),
            "corrected": np.linspace(0.07, 0.45, 10)})),
        "decision": lambda: plots.plot_decision_curve(decision),
        "group_calibration": lambda: plots.plot_group_calibration(pd.DataFrame({
            "characteristic": ["Sex"] * 6 + ["IMD quintile (1 = most deprived)"] * 3,
            "group": ["Female"] * 3 + ["Male"] * 3 + ["1"] * 3,
            "predicted": [0.1, 0.2, 0.3] * 3, "observed": [0.12, 0.19, 0.33, 0.08, 0.22,
                                                           0.28, 0.1, 0.21, 0.31],
            "ci_lower": [0.05] * 9, "ci_upper": [0.4] * 9})),
    }
    return {name: draw() for name, draw in drawing.items()
            if only is None or name in only}


CALLER_SETTINGS = {"font.size": 7.0, "hatch.linewidth": 3.0}
"""A caller's matplotlib settings unlike the theme's: a plot function or ``show_figure``
that set the theme globally (as ``apply_theme`` did) leaves them changed."""


def _check_settings(patch, names, called: list[str], changed: list[str]) -> None:
    """Replace ``plots.<name>`` for each of ``names`` (through ``patch``, a
    MonkeyPatch) by a call that appends its name to ``called``, and to ``changed``
    when it leaves ``matplotlib.rcParams`` changed."""
    def checked(name):
        call = getattr(plots, name)

        def check(*args, **kwargs):
            before = dict(matplotlib.rcParams)
            result = call(*args, **kwargs)
            called.append(name)
            if dict(matplotlib.rcParams) != before:
                changed.append(name)
            return result
        return check

    for name in names:
        patch.setattr(plots, name, checked(name))


PLOT_FUNCTIONS = [n for n in plots.__all__ if n.startswith("plot_")]


@pytest.fixture(scope="module")
def drawn():
    """:func:`every_figure`, drawn once under :data:`CALLER_SETTINGS` (each plot
    function draws in the theme, so the figures are those drawn under any settings),
    and the plot functions called and those that left the settings changed."""
    called: list[str] = []
    changed: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        _check_settings(patch, PLOT_FUNCTIONS, called, changed)
        with matplotlib.rc_context(CALLER_SETTINGS):
            figures = every_figure()
    return figures, called, changed


@pytest.fixture(scope="module")
def figures(drawn):
    """:func:`every_figure`, drawn once for the tests that only read the figures (their
    texts, legends, alt text, attached data and sizes) and for the check that no plot
    function changes the caller's settings: 4 s of CPU a drawing."""
    return drawn[0]


@pytest.fixture(scope="module")
def relaid():
    """A drawing of its own for the slow tests that lay every figure out again at
    another width (they change the figures' sizes): slow tests run first
    (``tests/conftest.py``), so on :func:`figures` they changed what the other tests
    read (a legend then overlapped a tick label, wave 48's CI)."""
    return every_figure()


def texts(ax) -> list[str]:
    fig = ax.figure
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)
            if t.get_visible() and t.get_text().strip()]


def test_plot_survival_at_risk_numbers_sit_at_their_day_ticks():
    ax = plots.plot_survival(km_result(), max_time=730)
    ax.figure.canvas.draw()
    ticks = {float(t): ax.transData.transform((t, 0))[0] for t in ax.get_xticks()}
    assert sorted(ticks) == [0.0, 90.0, 180.0, 365.0, 730.0]   # the at-risk days
    renderer = ax.figure.canvas.get_renderer()
    numbers = [t for t in ax.texts if t.get_gid() == "at-risk"]
    assert len(numbers) == 2 * len(ticks)
    centres = [(t.get_window_extent(renderer).x0 + t.get_window_extent(renderer).x1) / 2
               for t in numbers]
    for centre in centres:
        assert min(abs(centre - x) for x in ticks.values()) < 0.5
    per_tick = [sum(abs(c - x) < 0.5 for c in centres) for x in ticks.values()]
    assert per_tick == [2] * len(ticks)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0", "90", "180", "365", "730"]


def test_plot_survival_ticks_stop_at_the_end_of_the_drawn_curves():
    ax = plots.plot_survival(km_result(), max_time=200)
    assert max(ax.get_xticks()) <= 200
    assert "365" not in texts(ax)


def test_plot_survival_alt_text_describes_only_the_curves_drawn():
    fig = plots.plot_survival(km_result(), max_time=730).figure
    alt = fig._lifetools_alt
    assert "2 curves" in alt and "Used the Life Rooms" in alt and "Did not use them" in alt
    one = estimate_km(survival_data(), duration_col="duration", event_col="event")
    alt_one = plots.plot_survival(one, max_time=730).figure._lifetools_alt
    assert "1 curve." in alt_one and "Used the Life Rooms" not in alt_one


def test_plot_survival_rising_curves_of_a_small_share_fill_the_axis_from_zero():
    # re-referral reaches about 0.07: on a 0-1 axis it was a flat line at the bottom
    rng = np.random.default_rng(7)
    n = 3000
    data = pd.DataFrame({"duration": rng.exponential(300, n).round() + 1,
                         "event": rng.choice([0, 1, 2], n, p=[0.85, 0.07, 0.08]),
                         "group": rng.choice(["Used the Life Rooms", "Did not use them"], n)})
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group")
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    drawn = [line for line in ax.lines if len(line.get_ydata()) > 2]
    high = max(max(c.get_paths()[0].vertices[:, 1]) for c in ax.collections
               if c.get_paths())
    low, top = ax.get_ylim()
    assert low == 0 and high <= top < 1 and top <= 2 * high   # from 0, to just above
    assert round(top, 2) == top   # a round top, not 0.15000000000000002
    assert drawn and max(max(line.get_ydata()) for line in drawn) > top / 4
    alt = ax.figure._lifetools_alt
    assert f"The vertical axis runs from 0% to {100 * top:.0f}%, not 100%." in alt
    # round ticks up to the top, labelled as percentages with the decimals their step
    # needs (a share of people reads "5%", not "0.05": issue 15)
    ticks = [t for t in ax.get_yticks() if 0 <= t <= top + 1e-12]
    step = ticks[1] - ticks[0]
    assert ticks[-1] == pytest.approx(top) and round(step / 10 ** np.floor(
        np.log10(step)), 6) in {1, 2, 5}
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ax.get_ylabel() == "Share re-referred (%)"
    assert [float(x) for x in labels] == pytest.approx([100 * t for t in ticks])
    assert len({len(x.split(".")[-1]) if "." in x else 0 for x in labels}) == 1
    # a falling curve starts at 1 and keeps the whole axis; its alt text says nothing
    km = plots.plot_survival(km_result(), max_time=365)
    assert km.get_ylim() == (0.0, 1.0) and "vertical axis" not in km.figure._lifetools_alt


def test_plot_forest_ratio_axis_is_log_with_plain_ticks_and_a_line_at_one():
    ax = plots.plot_forest(released(forest_frame()), label_col="model", below="slower discharge",
                           above="faster discharge")
    assert ax.get_xscale() == "log"
    shown = texts(ax)
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert set(ticks) <= {"0.25", "0.5", "1", "2", "4"}
    assert {"0.5", "1", "2"} <= set(ticks)
    assert not any("10^" in t or "$" in t or "times" in t for t in shown)
    assert not [t for t in ax.xaxis.get_minorticklabels() if t.get_text()]
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in ax.lines)
    assert "below 1 = slower discharge, above 1 = faster discharge" in \
        ax.get_xlabel().replace("\n", " ")


def test_plot_forest_wide_interval_gets_plain_ticks_covering_it():
    frame = pd.DataFrame({"model": ["Landmark"], "estimate": [4.1], "ci_lower": [0.59],
                          "ci_upper": [29.2]})
    ax = plots.plot_forest(released(frame), label_col="model")
    ticks = [float(t.get_text()) for t in ax.get_xticklabels() if t.get_text()]
    assert ticks == [0.5, 1.0, 2.0, 4.0, 10.0, 20.0]
    assert ax.get_xlim()[0] < 0.59 and ax.get_xlim()[1] > 29.2


def test_plot_forest_without_direction_says_what_one_means():
    ax = plots.plot_forest(released(forest_frame()), label_col="model", ratio="Rate ratio")
    assert ax.get_xlabel().replace("\n", " ") == "Rate ratio (log scale; 1 = no difference)"


def test_figures_show_human_labels_never_raw_names(figures):
    for name, ax in figures.items():
        raw = [t for t in texts(ax) if is_raw_name(t)]
        assert raw == [], name
    love = texts(plots.plot_love(balance_frame()))
    assert any("IMD quintile 1" in t.replace("\n", " ") for t in love)
    assert any("Locality: North Sefton" in t.replace("\n", " ") for t in love)


def test_every_figures_alt_text_passes_the_gates_k_of_n_rule(figures):
    """Alt text is published (the gate reads alt attributes): a generated "14 of 17"
    about anything is refused as a share of people, so no figure may write one."""
    from lifetools.pipeline.gate.rules import kofn_findings

    for name, ax in figures.items():
        alt = getattr(ax.figure, "_lifetools_alt", "")
        assert kofn_findings(alt) == [], (name, alt)


def test_plot_love_alt_text_passes_the_gates_k_of_n_rule():
    from lifetools.pipeline.gate.rules import kofn_findings

    ax = plots.plot_love(balance_frame())
    alt = ax.figure._lifetools_alt
    assert "After matching 1 is at or above 0.1" in alt and kofn_findings(alt) == []
    plt.close(ax.figure)
    ax = plots.plot_love(balance_frame().assign(smd_after=0.01))
    alt = ax.figure._lifetools_alt
    assert "After matching all 4 are under 0.1" in alt and kofn_findings(alt) == []
    plt.close(ax.figure)


def test_plot_love_with_no_one_matched_says_so_in_legend_and_alt_text():
    ax = plots.plot_love(balance_frame().assign(smd_after=float("nan")))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "After matching: no one matched" in legend
    alt = ax.figure._lifetools_alt
    assert "No one was matched" in alt and "0 of 0" not in alt
    plt.close(ax.figure)


def test_label_unknown_raw_name_is_refused():
    assert label("Already in words") == "Already in words"
    with pytest.raises(KeyError, match="no human label"):
        label("some_new_column")


def test_plot_rates_every_rate_suppressed_alt_text_has_no_empty_list():
    # the 3,000-person 2024-25 emergency page: "... by group and period. . Suppressed
    # (fewer than 8): ..." (an empty list of shown rates between two full stops; #15)
    rng = np.random.default_rng(4)
    frame = pd.concat([pd.DataFrame({"group": group, "period": period,
                                     "events": rng.binomial(1, 0.05, 40),
                                     "years": np.full(40, 1.0)})
                       for group in ("Life Rooms users", "Matched comparison")
                       for period in ("Before first contact", "After first contact")],
                      ignore_index=True)
    table = disclosure.rates_table(frame, group_cols=["group", "period"],
                                   event_col="events", person_time_col="years")
    assert table.frame["rate"].isna().all()
    alt = plots.plot_rates(table).figure._lifetools_alt
    assert ". ." not in alt
    assert alt.startswith("Bar chart of attendances per person-year with 95% confidence "
                          "intervals, by group and period. Hidden to protect privacy: ")
    assert alt.count("first contact") == 4


def test_plot_rates_suppressed_rate_is_a_hatched_placeholder_in_the_legend():
    table = rates_with_a_suppressed_cell()
    assert table.frame["rate"].isna().any()
    ax = plots.plot_rates(table)
    hatched = [p for p in ax.patches if p.get_hatch() == SUPPRESSED_HATCH]
    assert len(hatched) == int(table.frame["rate"].isna().sum())
    top = ax.get_ylim()[1]
    assert all(p.get_height() == pytest.approx(top) for p in hatched)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    # "Hidden to protect privacy", as [c] reads: "Suppressed (fewer than 8)" until
    # wave 33, false for a rate hidden by another rule (and a rate counts nothing)
    assert "Hidden to protect privacy" in legend
    assert "Hidden to protect privacy: " in ax.figure._lifetools_alt
    assert "fewer than" not in ax.figure._lifetools_alt
    # the emergency page's alt text read "Suppressed (Suppressed (fewer than 8)): ..."
    assert "Suppressed (Suppressed" not in ax.figure._lifetools_alt


def test_plot_reach_suppressed_share_is_drawn_not_zero():
    ax = plots.plot_reach(reach_with_a_suppressed_cell(), characteristic="Sex")
    hatched = [p for p in ax.patches if p.get_hatch() == SUPPRESSED_HATCH]
    assert hatched and all(p.get_width() == pytest.approx(ax.get_xlim()[1])
                           for p in hatched)
    assert "Hidden to protect privacy" in [t.get_text()
                                           for t in ax.get_legend().get_texts()]


def test_plot_monthly_counts_suppressed_month_is_shaded_and_theme_applied():
    with matplotlib.rc_context({"font.size": 7.0}):
        ax = plots.plot_monthly_counts(monthly_frame())
        assert matplotlib.rcParams["font.size"] == 7.0
    assert {t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()} == {13}
    hatched = [p for p in ax.patches if p.get_hatch() == SUPPRESSED_HATCH]
    assert len(hatched) >= 1
    assert "Hidden to protect privacy" in [t.get_text()
                                           for t in ax.get_legend().get_texts()]


def _settings_changed(monkeypatch, shown: set[str] | None = None) -> list[str]:
    """The figures of :func:`every_figure` named in ``shown`` (all when None) drawn
    under :data:`CALLER_SETTINGS` and shown (:func:`~lifetools.publication.show_figure`:
    PNG, narrow drawing, CSV): the plot functions and ``show_figure`` that left
    ``matplotlib.rcParams`` changed (each is checked to be called)."""
    changed: list[str] = []
    called: list[str] = []
    _check_settings(monkeypatch, [*PLOT_FUNCTIONS, "show_figure"], called, changed)
    with matplotlib.rc_context(CALLER_SETTINGS):
        figures = every_figure(shown)
        for name, ax in figures.items():
            plots.show_figure(ax, name=name, caption="A figure")
    assert shown is None or set(figures) == shown
    assert called.count("show_figure") == len(figures)
    if shown is None:
        assert set(called) == {*PLOT_FUNCTIONS, "show_figure"}
    return changed


def test_plot_functions_and_show_figure_leave_matplotlib_settings_unchanged(drawn, output,
                                                                             monkeypatch):
    # each public plot function draws in the theme (matplotlib.rc_context) and
    # show_figure saves in it: the caller's settings are the same after every call
    # (apply_theme used to set them globally on every plot). Every plot function is
    # checked on the figures the other tests read (drawn once, `drawn`); show_figure's
    # work (PNG, the narrow drawing and its PNG, the CSV) is the same code for every
    # figure: here on the survival curve (its at-risk table, a legend) and the forest
    # plot (a log axis), every figure in the slow test below
    _, called, changed = drawn
    assert set(called) == set(PLOT_FUNCTIONS)
    assert changed == []
    assert _settings_changed(monkeypatch, shown={"survival", "forest"}) == []


@pytest.mark.slow  # 8 s of CPU (show_figure on every figure); `make test` runs it
def test_show_figure_of_every_figure_leaves_matplotlib_settings_unchanged(output,
                                                                         monkeypatch):
    assert _settings_changed(monkeypatch) == []


def test_legends_never_overlap_the_plotting_area(figures):
    for name, ax in figures.items():
        legend = ax.get_legend()
        if legend is None:
            continue
        ax.figure.canvas.draw()
        # edges that touch are not an overlap: half a pixel off each side (the survival
        # legend sits on the "1.0" tick label's top, 509.6799999999999 against
        # 509.67999999999995 in one drawing: a float's last digit, which failed at -n 2)
        box = legend.get_window_extent().padded(-0.5)
        assert not box.overlaps(ax.get_window_extent()), name
        labels = [ax.xaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
        for text in (t for t in labels if t.get_text()):
            assert not box.overlaps(text.get_window_extent()), (name, text.get_text())


@pytest.mark.slow  # renders every figure again (a PNG each): test tiers, DEVELOPERS.md
def test_cropped_width_is_the_width_of_the_png_savefig_crops(relaid):
    # cropped_width lays the figure out and measures its tight box without drawing
    # the pixels: it must agree, to the pixel, with the PNG savefig crops at DPI (as
    # render_png publishes it)
    import io

    for name, ax in relaid.items():
        buffer = io.BytesIO()
        ax.figure.savefig(buffer, format="png", dpi=theme.DPI, bbox_inches="tight")
        pixels = int.from_bytes(buffer.getvalue()[16:20], "big")
        assert theme.cropped_width(ax.figure) == pixels / theme.DPI, name


@pytest.mark.slow  # renders every figure again (its layout): test tiers, DEVELOPERS.md
def test_every_figure_has_text_of_at_least_12_px_on_a_390_px_phone(relaid):
    for name, ax in relaid.items():
        assert phone_text_px(ax.figure) >= MIN_PHONE_PX, name


def test_figure_text_at_least_12_px_on_every_screen_from_276_px_no_minimum_width():
    # rendered px = points * 96/72 * shown width / (cropped inches * 96), for the
    # rendering served at each width, at the widest crop fit_to_phone lets it keep
    assert theme.shown_figure_px(theme.PHONE_PX) == theme.PHONE_FIGURE_PX == 342
    assert theme.shown_figure_px(theme.NARROW_PX) == theme.NARROW_FIGURE_PX == 272
    assert theme.shown_figure_px(280) == 264  # measured in Chromium (figures.md)
    widths = range(theme.LEGIBLE_FROM_PX, 2561)
    smallest = {w: theme.smallest_text_px(w) for w in widths}
    assert min(smallest.values()) >= MIN_PHONE_PX
    assert theme.smallest_text_px(theme.LEGIBLE_FROM_PX - 1) < MIN_PHONE_PX  # the edge
    assert theme.LEGIBLE_FROM_PX <= theme.NARROW_PX  # WCAG 1.4.10's width is covered
    assert round(smallest[theme.NARROW_PX], 2) == 12.59  # the narrow file at 320 px
    assert round(smallest[theme.PHONE_PX], 2) == 12.35  # the wide file at 390 px
    assert smallest[1280] == pytest.approx(theme.FONT_SIZE * 96 / 72)  # natural size
    # the narrow file is served exactly below the phone width, and the stylesheet's
    # margins are the ones assumed (a figure has no minimum width: it never scrolls)
    assert theme.NARROW_MEDIA == f"(max-width: {theme.PHONE_PX - 1}px)"
    css = (Path(__file__).resolve().parents[2] / "book" / "_static"
           / "lifetools.css").read_text()
    small = css.split("@media (max-width: 319.98px)", 1)[1].split("}\n}", 1)[0]
    assert f"padding-left: {theme.SMALL_SCREEN_MARGINS_PX // 2}px" in small
    assert "figure.lifetools-figure { padding-left: 0" in small
    rules = re.findall(r"([^{}]*)\{([^{}]*)\}", css)
    assert not [sel for sel, body in rules if "figure" in sel and "min-width" in body]


def test_accessibility_statement_names_the_tested_legible_width():
    # the statement said "from about 272 pixels" while the tested edge is 276: the
    # limit it declares is the one the test above measures, and only that one
    statement = " ".join((Path(__file__).resolve().parents[2] / "book" / "about"
                          / "accessibility.md").read_text().split())
    named = re.findall(r"(?:from|narrower than) (?:about )?(\d+) pixels", statement)
    assert named and set(named) == {str(theme.LEGIBLE_FROM_PX)}, named


def test_phone_text_px_catches_a_figure_too_wide_for_its_text():
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.set_xlabel("small", fontsize=9)
    assert phone_text_px(fig) < MIN_PHONE_PX


def test_every_figure_carries_protected_data_and_generated_alt_text(figures):
    for name, ax in figures.items():
        fig = ax.figure
        assert fig._lifetools_data, name
        assert all(isinstance(t, disclosure.ProtectedTable)
                   for t in fig._lifetools_data.values()), name
        assert len(fig._lifetools_alt) > 40, name


def test_every_figure_alt_text_explains_its_technical_terms(figures):
    # alt text is read in place of the picture: a term of lifetools.labels.TERMS in it
    # comes with its plain words, as on the page ("net benefit (the good done ...)")
    unexplained = {}
    for name, ax in figures.items():
        alt = " ".join(ax.figure._lifetools_alt.split()).lower()
        missing = [t for t, w in TERMS.items() if t.lower() in alt and w.lower() not in alt]
        if missing:
            unexplained[name] = missing
    assert unexplained == {}


def test_report_notebooks_type_no_alt_text_over_the_generated_one():
    # the crisis notebook typed "... by risk threshold from 10% to 50%" over the alt
    # text plot_decision_curve generates from the thresholds it drew: every lt.plots
    # function writes its own (checked above), so a report notebook passes no alt=
    import ast

    import nbformat

    typed = []
    for path in sorted((Path(__file__).resolve().parents[2] / "analyses").glob("*.ipynb")):
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and any(
                    isinstance(node, ast.keyword) and node.arg == "alt"
                    for node in ast.walk(ast.parse(cell.source))):
                typed.append(f"{path.name} cell {number}")
    assert typed == []


def test_show_figure_writes_the_data_as_protected_csv_and_links_it(output):
    shown = publication.show_figure(plots.plot_survival(km_result(), max_time=730),
                                    name="km", caption="Time to discharge")
    assert (output / "figures" / "km.png").exists()
    curves = (output / "figures" / "km.csv").read_text()
    at_risk = (output / "figures" / "km-at-risk.csv").read_text()
    assert curves.startswith("group,day,estimate,ci_lower,ci_upper\n")
    assert len(curves.splitlines()) <= 61            # a published table's row limit
    assert at_risk.startswith("group,day,number_at_risk\n")
    assert at_risk.splitlines()[1:6] == [f"Did not use them,{d},{n}" for d, n in zip(
        (0, 90, 180, 365, 730), [r.split(",")[-1] for r in at_risk.splitlines()[1:6]],
        strict=True)]
    assert all(int(r.split(",")[-1]) % 5 == 0 for r in at_risk.splitlines()[1:])
    assert (output / "figures" / "notes.txt").exists()
    html, meta = shown._repr_mimebundle_()
    markup = html["text/html"]
    assert 'href="02_time_to_discharge/figures/km.csv"' in markup
    assert 'href="02_time_to_discharge/figures/km-at-risk.csv"' in markup
    assert "km (CSV)</a>; <a " in markup  # two links, separated
    assert f'alt="{shown.alt}"' in markup and "2 curves" in shown.alt
    assert meta["lifetools"]["downloads"] == ["figures/km.csv", "figures/km-at-risk.csv"]


def test_show_figure_png_is_2x_its_css_size(output):
    shown = publication.show_figure(plots.plot_forest(released(forest_frame()), label_col="model"),
                                    name="forest", caption="Ratios")
    width, height = shown.size
    pixels = (int.from_bytes(shown.png[16:20], "big"), int.from_bytes(shown.png[20:24], "big"))
    assert 2 * width - pixels[0] in (0, 1) and 2 * height - pixels[1] in (0, 1)
    assert f'width="{width}"' in shown._repr_mimebundle_()[0]["text/html"]


def test_show_figure_bytes_are_deterministic(output):
    first = publication.show_figure(plots.plot_survival(km_result()), name="a",
                                    caption="c")
    second = publication.show_figure(plots.plot_survival(km_result()), name="b",
                                     caption="c")
    assert first.png == second.png
    assert first.narrow and first.narrow == second.narrow
    assert (output / "figures" / "a.csv").read_bytes() == \
        (output / "figures" / "b.csv").read_bytes()


@pytest.mark.slow  # renders every figure again (narrow): test tiers, DEVELOPERS.md
def test_every_figure_drawn_narrow_has_text_of_at_least_12_px_on_a_320_px_phone(relaid):
    from lifetools.plots.theme import (
        NARROW_FIGURE_PX,
        NARROW_MAX_WIDTH,
        cropped_width,
        narrow_layout,
    )

    with narrow_layout():
        narrow = every_figure()
    for name, ax in narrow.items():
        assert cropped_width(ax.figure) <= NARROW_MAX_WIDTH + 0.01, name
        assert phone_text_px(ax.figure, screen_px=NARROW_FIGURE_PX) >= MIN_PHONE_PX, name
    # the wide rendering alone would not do at 320 px (the first figure too small ends
    # the search: each figure measured is laid out again)
    assert any(phone_text_px(ax.figure, screen_px=NARROW_FIGURE_PX) < MIN_PHONE_PX
               for ax in relaid.values())


def test_plot_survival_three_short_curves_drawn_narrow_fit_with_ticks_apart():
    # the discharge page's cumulative incidence (Discharge, Transfer, Death): its
    # legend in three columns made the narrow figure 4.77 in wide, ticks touching
    from lifetools.plots.theme import NARROW_MAX_WIDTH, cropped_width, narrow_layout

    data = survival_data(900, seed=4).assign(
        group=lambda f: np.array(["Discharge", "Transfer", "Death"])[
            np.arange(len(f)) % 3])
    result = estimate_km(data.assign(event=(data["event"] > 0).astype(int)),
                         duration_col="duration", event_col="event", group_col="group")
    with narrow_layout():
        ax = plots.plot_survival(result, max_time=730)
    assert cropped_width(ax.figure) <= NARROW_MAX_WIDTH + 0.01
    ax.figure.canvas.draw()
    ends = sorted((t.get_window_extent().x0, t.get_window_extent().x1)
                  for t in ax.get_xticklabels())
    assert len(ends) >= 2 and all(a[1] < b[0] for a, b in zip(ends, ends[1:], strict=False))


def test_plot_love_drawn_narrow_labels_never_overlap():
    # the emergency page's 16 characteristics, wrapped onto up to three lines
    from lifetools.plots.theme import narrow_layout

    names = ["age_per_10", "female", "white", "imd_q1", "imd_q2", "team_a06",
             "team_other", "baseline_ae", "baseline_admissions", "locality_central_liverpool",
             "locality_halton", "locality_knowsley", "locality_north_liverpool",
             "locality_sefton", "locality_st_helens", "locality_warrington"]
    balance = pd.DataFrame({"covariate": names, "smd_before": 0.2, "smd_after": 0.05})
    with narrow_layout():
        ax = plots.plot_love(balance)
    ax.figure.canvas.draw()
    boxes = sorted((t.get_window_extent().y0, t.get_window_extent().y1)
                   for t in ax.get_yticklabels())
    assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:], strict=False)), boxes


def test_show_figure_narrow_rendering_is_a_picture_source_with_its_own_file(output):
    from lifetools.plots.theme import NARROW_MEDIA

    shown = publication.show_figure(plots.plot_survival(km_result(), max_time=730),
                                    name="km", caption="Time to discharge")
    narrow = output / "figures" / "km-narrow.png"
    assert narrow.read_bytes() == shown.narrow
    assert 0 < shown.narrow_size[0] < shown.size[0]
    html, meta = shown._repr_mimebundle_()
    markup = html["text/html"]
    assert markup.count("<picture>") == 1 and markup.index("<source") < markup.index("<img")
    assert f'<source media="{NARROW_MEDIA}" srcset="data:image/png;base64,' in markup
    assert f'width="{shown.narrow_size[0]}"' in markup
    assert markup.count("alt=") == 1              # one alt text, the same for both
    assert meta["lifetools"]["images"] == ["figures/km-narrow.png"]
    # the narrow words (the at-risk heading on two lines) reach the gate too
    assert "Number at risk\n(rounded to 5)" in meta["lifetools"]["texts"]
    assert "Number at risk (rounded to 5)" in meta["lifetools"]["texts"]


def test_show_figure_drawn_into_given_axes_has_no_narrow_rendering(output):
    _, ax = plt.subplots()
    shown = publication.show_figure(plots.plot_forest(released(forest_frame()), ax=ax,
                                                      label_col="model"),
                                    name="forest", caption="Ratios")
    assert shown.narrow == b"" and "<picture>" not in shown._repr_mimebundle_()[0][
        "text/html"]
    assert not (output / "figures" / "forest-narrow.png").exists()


def test_plot_forest_row_without_estimate_is_listed_not_drawn():
    frame = forest_frame()
    frame.loc[1, ["estimate", "ci_lower", "ci_upper"]] = np.nan
    ax = plots.plot_forest(released(frame), label_col="model")
    assert len(ax.get_yticklabels()) == 3
    assert "Age (per 10 years): not estimated" in ax.figure._lifetools_alt
    assert ax.get_xscale() == "log"


def test_plot_survival_close_at_risk_days_are_spaced_so_numbers_never_touch():
    data = survival_data(n=3000)
    data["duration"] = data["duration"] * 3
    km = estimate_km(data, duration_col="duration", event_col="event", group_col="group",
                     times=(0, 30, 90, 180, 365, 730, 1095))
    ax = plots.plot_survival(km)
    fig = ax.figure
    fig.canvas.draw()
    assert 30.0 not in list(ax.get_xticks())          # too close to day 0 here
    renderer = fig.canvas.get_renderer()
    rows: dict[float, list] = {}
    for text in (t for t in ax.texts if t.get_gid() == "at-risk"):
        box = text.get_window_extent(renderer)
        rows.setdefault(round(box.y0), []).append(box)
    for boxes in rows.values():
        boxes.sort(key=lambda b: b.x0)
        assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:], strict=False))
    assert len(rows) == 2


def test_plot_forest_tick_labels_never_touch_on_a_wide_range():
    frame = pd.DataFrame({"model": ["A", "B"], "estimate": [0.6, 1.0],
                          "ci_lower": [0.06, 0.1], "ci_upper": [7.0, 9.0]})
    ax = plots.plot_forest(released(frame), label_col="model")
    ax.figure.canvas.draw()
    boxes = sorted((t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()),
                   key=lambda b: b.x0)
    assert len(boxes) >= 3 and "1" in [t.get_text() for t in ax.get_xticklabels()]
    assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:], strict=False))


def _forest_ticks_refused(ranges: list[tuple[float, float]], narrow: bool) -> list:
    """The forest plot of one interval per range, wide or phone-narrow: each must have
    "1" and at least three tick labels; returns the (range, profile, ticks) whose
    labels the publish gate's figure rule refuses under some profile."""
    from lifetools.disclosure.figure_texts import figure_number_findings
    from lifetools.disclosure.profiles import PROFILES
    from lifetools.plots.theme import narrow_layout

    refused = []
    for low, high in ranges:
        mid = (low * high) ** 0.5
        frame = pd.DataFrame({"model": ["A"], "estimate": [mid], "ci_lower": [low],
                              "ci_upper": [high]})
        if narrow:
            with narrow_layout():
                ax = plots.plot_forest(released(frame), label_col="model")
        else:
            ax = plots.plot_forest(released(frame), label_col="model")
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        plt.close(ax.figure)
        assert "1" in ticks and len(ticks) >= 3, (low, high, ticks)
        refused += [(low, high, name, ticks) for name, profile in PROFILES.items()
                    if figure_number_findings(ticks, profile)]
    return refused


@pytest.mark.parametrize("narrow", [False, True])
def test_plot_forest_ratio_axis_passes_the_publish_gates_figure_rule(narrow):
    # a 150,000-person build's discharge forest plot (intervals 0.85-1.55) was drawn
    # with two labels, "1" and "2", which the gate cannot tell from two counts: the
    # build refused its own figure. That interval, one inside the doublings either
    # side of 1, one all above and one all below 1, and the widest, wide and
    # phone-narrow, under every profile (every range: the slow test below)
    ranges = [(0.85, 1.55), (0.95, 1.05), (1.05, 1.5), (0.15, 0.45), (0.03, 45.0)]
    assert _forest_ticks_refused(ranges, narrow) == []


@pytest.mark.slow  # 45 ranges, 6 s of CPU for each layout; `make test` runs it
@pytest.mark.parametrize("narrow", [False, True])
def test_plot_forest_ratio_axis_always_passes_the_publish_gates_figure_rule(narrow):
    # the test above over every pair of ten bounds from 0.03 to 45: ticks of every
    # range, wide and phone-narrow, under every profile, must read as a scale
    bounds = [0.03, 0.15, 0.45, 0.75, 0.95, 1.05, 1.5, 3.0, 8.0, 45.0]
    ranges = [(low, high) for i, low in enumerate(bounds) for high in bounds[i + 1:]]
    assert _forest_ticks_refused(ranges, narrow) == []


def test_plot_survival_group_with_too_few_at_risk_is_named_as_not_drawn():
    data = survival_data(n=600)
    data.loc[data.index[:595], "group"] = "Did not use them"
    data.loc[data.index[595:], "group"] = "Used the Life Rooms"
    km = estimate_km(data, duration_col="duration", event_col="event", group_col="group")
    ax = plots.plot_survival(km, max_time=730)
    alt = ax.figure._lifetools_alt
    assert "1 curve." in alt
    assert ("Not drawn: Used the Life Rooms (too few people at risk from the start: "
            "fewer than 10).") in alt
    # the legend names it too, with no line and why in a few words
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Did not use them", "Used the Life Rooms:\nno curve, too few at risk"]
    # its numbers at risk (rounded: "10" for 8 or 9) are still listed: the row says no
    # curve is drawn, as the 2023-24 re-referral figure did not
    names = [t.get_text() for t in ax.texts if t.get_fontstyle() == "italic"]
    assert names == ["Did not use them", "Used the Life Rooms (no curve)"]


def test_plot_survival_not_drawn_group_fits_a_phone_when_narrow():
    # the 2023-24 re-referral figure: "Used the Life Rooms (no curve)" from the axes'
    # edge made the narrow figure 4.3 inches wide (CI at 20fef02: 11 px text at 320 px)
    from lifetools.plots.theme import NARROW_MAX_WIDTH, cropped_width, narrow_layout

    data = survival_data(n=600)
    data.loc[data.index[:595], "group"] = "Did not use the Life Rooms"
    data.loc[data.index[595:], "group"] = "Used the Life Rooms"
    km = estimate_km(data, duration_col="duration", event_col="event", group_col="group")
    with narrow_layout():
        ax = plots.plot_survival(km, max_time=365)
        assert cropped_width(ax.figure) <= NARROW_MAX_WIDTH
        names = [t.get_text() for t in ax.texts if t.get_fontstyle() == "italic"]
        assert "Used the Life Rooms (no curve)" in names
    plt.close(ax.figure)


def test_legend_below_too_wide_for_a_phone_in_columns_is_one_column():
    from lifetools.plots.theme import MAX_WIDTH, cropped_width, legend_below

    with theme.theme():  # as a plot function draws it (the test once relied on an
        # earlier test's plot leaving the theme set globally)
        fig, ax = plt.subplots(figsize=(4.9, 4))
        for name in ("Monthly count", "Special cause", "Mean", "Process limits",
                     "Hidden to protect privacy", "Another long legend entry"):
            ax.plot([0, 1], [0, 1], label=name)
        legend = legend_below(ax, ncol=2)
        fig.tight_layout()
    assert legend._ncols == 1
    assert cropped_width(fig) <= MAX_WIDTH


def test_plot_run_chart_with_suppressed_months_has_phone_legible_text():
    # the 2023-24 run chart: a suppressed month adds a long legend entry, whose two
    # columns had made the figure 5.4 inches wide (11.4 px text on a phone)
    months = pd.date_range("2023-04-01", periods=12, freq="MS")
    contacts = pd.DataFrame({"month": months,
                             "contacts": [3, 4, 15, 15, 10, 15, 15, 10, 2, 10, 15, 15]})
    ax = plots.plot_run_chart(contacts)
    assert "Hidden to protect privacy" in " ".join(
        t.get_text() for t in ax.get_legend().get_texts())
    assert phone_text_px(ax.figure) >= MIN_PHONE_PX


def test_plot_forest_alt_text_limit_rounding_onto_one_keeps_its_side():
    # 1.004 would read "1.00" beside a verdict of a difference: bound_places keeps it
    frame = pd.DataFrame({"model": ["exposed", "age_per_10"], "estimate": [2.1, 0.7],
                          "ci_lower": [1.004, 0.5], "ci_upper": [4.03, 0.9996]})
    ax = plots.plot_forest(released(frame), label_col="model")
    alt = ax.figure._lifetools_alt
    assert "2.10 (1.004 to 4.03)" in alt and "0.70 (0.50 to 0.9996)" in alt
    assert "1.00 to" not in alt and "to 1.00)" not in alt


def _releases():
    """A released and a withheld model release (9 events in one level: fewer than 10)."""
    from types import SimpleNamespace

    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    fit = SimpleNamespace(summary=summary, warnings=(), model=None)

    def cohort(events: int) -> pd.DataFrame:
        event = np.zeros(200)
        event[:events] = 1
        event[100:140] = 1
        return pd.DataFrame({"exposed": np.r_[np.ones(100), np.zeros(100)], "event": event})

    return tuple(disclosure.model_release(fit, data=cohort(k), event_col="event",
                                          level_cols=["exposed"]) for k in (10, 9))


def _no_number_but_the_reason(text: str, reason: str) -> bool:
    return not re.search(r"\d", text.replace(reason, ""))


def test_prediction_figures_of_a_withheld_model_draw_no_curve_and_state_no_number():
    # issue 19: a withheld model's calibration and decision curves are not drawn, their
    # alt text and caption say so with the release's reason; a released one's still are
    good, bad = _releases()
    curve = pd.DataFrame({"predicted": np.linspace(0.05, 0.5, 10),
                          "observed": np.linspace(0.06, 0.45, 10),
                          "ci_lower": np.linspace(0.03, 0.4, 10),
                          "ci_upper": np.linspace(0.09, 0.5, 10)})
    decision = pd.DataFrame({"threshold": [0.1, 0.2, 0.3], "model": [0.05, 0.03, 0.01],
                             "model_lower": [0.04, 0.02, 0.0],
                             "model_upper": [0.06, 0.04, 0.02],
                             "treat_all": [0.04, -0.02, -0.1], "treat_none": [0.0] * 3})
    model_cols = ("model", "model_lower", "model_upper")
    for release in (good, bad):
        calibration = disclosure.model_outputs(curve, dict.fromkeys(curve.columns, release))
        # treat-all from published counts (10 of 200: below the model at all three)
        net = disclosure.model_outputs(decision, dict.fromkeys(model_cols, release),
                                       not_counts=["treat_none"], inputs=["threshold"],
                                       treat_all=(10, 200))
        cal_fig = plots.plot_calibration_curve(calibration).figure
        dec_fig = plots.plot_decision_curve(net).figure
        cal_ax, dec_ax = cal_fig.axes[0], dec_fig.axes[0]
        cal_data = cal_fig._lifetools_data[""].frame
        dec_data = dec_fig._lifetools_data[""].frame
        labels = [line.get_label() for line in dec_ax.get_lines()]
        caption = plots.model_caption(net, "Decision curve")
        if release.released:
            assert len(cal_ax.get_lines()) == 2 and cal_ax.collections  # curve and band
            assert cal_data.equals(curve.round(4))
            assert "largest gap" in cal_fig._lifetools_alt
            assert "Model" in labels and dec_data["model"].notna().all()
            assert "highest net benefit at 3 of them" in dec_fig._lifetools_alt
            assert caption == "Decision curve"
        else:
            why = release.withheld
            assert why.startswith("too few events among ")  # said once (wave 38)
            # only the line of perfect calibration: no curve, no band, nothing drawn
            assert [line.get_label() for line in cal_ax.get_lines()] == [
                "Perfect calibration"] and not cal_ax.collections
            assert cal_data.isna().all().all()
            assert cal_fig._lifetools_alt.endswith(f"is not shown: {why}.")
            assert _no_number_but_the_reason(cal_fig._lifetools_alt, why)
            assert labels == ["Treat all", "Treat none"] and dec_data["model"].isna().all()
            assert dec_fig._lifetools_alt.endswith(f"The model's curve is not shown: {why}.")
            assert "highest net benefit" not in dec_fig._lifetools_alt
            assert caption == f"Decision curve. The model's curves are not shown: {why}."
        plt.close("all")


def test_corrected_calibration_figure_released_drawn_withheld_not(output):
    # the internal validation's apparent and optimism-corrected curves: drawn and
    # published through show_figure (the gate's figure rules at source) when the model is
    # released; only the line of perfect calibration, and the reason, when withheld
    good, bad = _releases()
    curve = pd.DataFrame({"predicted": [0.05, 0.1, 0.15, 0.2, 0.25],
                          "apparent": [0.04, 0.1, 0.16, 0.22, 0.27],
                          "corrected": [0.06, 0.1, 0.14, 0.18, 0.22]})
    for release in (good, bad):
        table = disclosure.model_outputs(curve, dict.fromkeys(curve.columns, release))
        ax = plots.plot_corrected_calibration(table)
        labels = [line.get_label() for line in ax.get_lines()]
        data = ax.figure._lifetools_data[""].frame
        if release.released:
            assert labels == ["Perfect calibration", "Apparent (the development cohort)",
                              "Corrected for optimism (bootstrap)"]
            assert data.equals(curve.round(4))
            assert ax.figure._lifetools_alt.endswith(
                "over predicted risks from 5.0% to 25.0%; the largest gap between the "
                "corrected curve and predicted risk is 3.0 percentage points.")
            assert publication.show_figure(ax, name="internal-calibration",
                                           caption="Optimism-corrected calibration").png
        else:
            why = release.withheld
            assert labels == ["Perfect calibration"] and data.isna().all().all()
            assert ax.figure._lifetools_alt.endswith(f"are not shown: {why}.")
            assert _no_number_but_the_reason(ax.figure._lifetools_alt, why)
        plt.close("all")


def test_risk_figures_downloads_hold_the_page_s_per_cent_to_3_places(output):
    # 30,000 people: figures/calibration-curve.csv read "0.06,0.05,0.02,0.09" beside
    # the page's "6.3% 4.7% 2.4% 8.7%" and an alt text "from 6.0%" (wave 41): a risk
    # the figure draws on a per-cent axis is written as a proportion to 3 places,
    # recorded for the gate, and the alt text gives it as the download does
    from lifetools.disclosure import active_profile
    from lifetools.pipeline.gate.files import _csv_findings

    curve = pd.DataFrame({"predicted": [0.0634, 0.0871], "observed": [0.0472, 0.0913],
                          "ci_lower": [0.0241, 0.05], "ci_upper": [0.0868, 0.12]})
    decision = pd.DataFrame({"threshold": [0.125, 0.2], "model": [0.05, 0.03],
                             "treat_all": [0.04, -0.02], "treat_none": [0.0] * 2})
    alts = []
    for name, ax, first in (
            ("calibration-curve", plots.plot_calibration_curve(curve),
             "0.063,0.047,0.024,0.087"),
            ("decision-curve", plots.plot_decision_curve(decision), "0.125,0.05,0.04,0.00")):
        shown = publication.show_figure(ax, name=name, caption="A risk figure")
        alts.append(shown.alt)
        text = (output / "figures" / f"{name}.csv").read_text()
        assert text.splitlines()[1] == first, text
        record = shown.download_rules[f"figures/{name}.csv"]
        assert record["proportion_places"] == 3
        # (this decision table's treat-all is not from published counts: not asked here)
        findings = _csv_findings(text, record, active_profile(), tables=False)
        assert not [d for _, d in findings if "proportion" in d or "blank" in d], findings
        # the gate refuses the same risks written at 2 places
        short = text.replace(first, first.replace("0.063", "0.06").replace("0.125", "0.13"))
        assert [d for _, d in _csv_findings(short, record, active_profile(), tables=False)
                if "is a proportion the page shows in per cent" in d], name
    assert "over predicted risks from 6.3% to 8.7%" in alts[0], alts[0]
    assert "from 12.5% to 20.0%" in alts[1], alts[1]
    plt.close("all")


def test_show_figure_refuses_at_source_a_text_the_gate_would_refuse(output):
    # the 2,000-person reach chart labelled a group "3" alone (a small count to the
    # gate, found only at the build): show_figure runs the gate's figure-text rules
    from lifetools.errors import DisclosureError

    raw = pd.DataFrame({"characteristic": ["Deprivation quintile"] * 2,
                        "group": ["3", "Other areas"],
                        "Secondary care": [100, 200], "Life Rooms users": [20, 30]})
    table = disclosure.protected_shares(raw, ["Secondary care", "Life Rooms users"],
                                        by="characteristic")
    ax = plots.plot_reach(table, characteristic="Deprivation quintile")
    with pytest.raises(DisclosureError, match="figure 'reach'.*small-count"):
        publication.show_figure(ax, name="reach", caption="Reach")
    assert not (output / "figures" / "reach.png").exists()
    worded = raw.assign(group=["Quintile 3", "Other areas"])
    table = disclosure.protected_shares(worded, ["Secondary care", "Life Rooms users"],
                                        by="characteristic")
    ax = plots.plot_reach(table, characteristic="Deprivation quintile")
    assert publication.show_figure(ax, name="reach", caption="Reach").png


def test_plot_run_chart_alt_text_counts_months_in_words():
    # the 2023-24 reach page's alt text read "0 special-cause months; 6 suppressed";
    # one special cause read "1 special-cause months"
    months = pd.date_range("2023-04-01", periods=12, freq="MS")
    contacts = pd.DataFrame({"month": months,
                             "contacts": [20, 40] * 5 + [20, 120]})
    alt = plots.plot_run_chart(contacts).figure._lifetools_alt
    assert "1 month with a special cause; no months suppressed." in alt


def test_plot_survival_ticks_and_numbers_at_risk_run_to_the_end_of_the_drawn_curve():
    # the 30,000-person re-referral figure drew its curve to day 330 with ticks and
    # numbers at risk at days 0, 90 and 180 only (its at-risk days 0, 90, 180, 365)
    rng = np.random.default_rng(7)
    n = 600
    data = pd.DataFrame({"duration": rng.uniform(1, 340, n).round(),
                         "event": rng.choice([0, 1, 2], n, p=[0.8, 0.12, 0.08]),
                         "group": rng.choice(["Used the Life Rooms", "Did not use them"],
                                             n)})
    cif = estimate_cif(data, duration_col="duration", event_col="event",
                       event_of_interest=1, group_col="group", times=(0, 90, 180, 365))
    ax = plots.plot_survival(cif, ylabel="Share re-referred", max_time=365)
    curve = ax.figure._lifetools_data[""].frame
    end = int(curve["day"].max())
    assert end > 270
    ticks = [float(t) for t in ax.get_xticks()]
    assert ticks == [0.0, 90.0, 180.0, 270.0, float(end)]   # the same step, then the end
    at_risk = ax.figure._lifetools_data["at-risk"].frame
    assert sorted(set(at_risk["day"])) == [0, 90, 180, 270, end]
    # counted as the result counts them, then protected (rounded or suppressed)
    raw = at_risk_table(data, duration_col="duration", times=[270, end], group_col="group")
    for _, row in at_risk[at_risk["day"].isin([270, end])].iterrows():
        count = int(raw[(raw["group"] == row["group"]) & (raw["time"] == row["day"])
                        ]["at_risk"].iloc[0])
        shown = row["number_at_risk"]
        assert (pd.isna(shown) and count < 8) or (int(shown) % 5 == 0
                                                  and abs(int(shown) - count) <= 2)
    # the alt text's last day of each curve is a day of the download and of the axis
    alt = ax.figure._lifetools_alt
    for day in re.findall(r"to [\d.]+ at day ([\d,]+)", alt):
        assert int(day.replace(",", "")) in set(curve["day"].dropna())
    assert f"at day {end}" in alt


SHARE_AXES = {"survival": ("y",), "cif": ("y",), "calibration": ("x", "y"),
              "calibration_curve": ("x", "y"), "corrected_calibration": ("x", "y"),
              "decision": ("x",)}
"""The figures' axes that hold a share of people (a risk, a cumulative incidence, a risk
threshold), which a reader reads in per cent (issue 15)."""


@pytest.mark.parametrize("name", sorted(SHARE_AXES))
def test_figures_of_shares_of_people_read_in_per_cent_on_axes_and_in_alt_text(figures,
                                                                              name):
    # survival axes read 0.0 to 1.0, calibration axes 0.1 to 0.5 and their alt texts
    # "from 0.70 at day 90", "predicted risks run from 0.07 to 0.90", "risk thresholds
    # from 0.10 to 0.50", beside pages that write every other share as "7.1%" (issue 15)
    from page_words import LEAKS

    ax = figures[name]
    ax.figure.canvas.draw()
    for which in SHARE_AXES[name]:
        axis = getattr(ax, f"{which}axis")
        assert axis.get_label().get_text().endswith(" (%)"), axis.get_label()
        shown = {float(t.get_text()): t.get_position()[0 if which == "x" else 1]
                 for t in getattr(ax, f"get_{which}ticklabels")() if t.get_text()}
        assert shown and all(text == pytest.approx(100 * at) for text, at in
                             shown.items()), (which, shown)  # 20 where 0.2 is drawn
        assert max(shown) > 1, shown
    alt = ax.figure._lifetools_alt
    assert not LEAKS["proportion"].search(alt), alt
    assert re.search(r"\d%", alt), alt
    if name in ("calibration", "calibration_curve", "corrected_calibration"):
        assert "percentage points." in alt, alt  # a gap of two risks is not a share
    # the net benefit axis stays as it is: not a share of people
    if name == "decision":
        assert ax.get_ylabel() == "Net benefit"
        assert max(abs(float(t.get_text().replace("\u2212", "-")))
                   for t in ax.get_yticklabels() if t.get_text()) < 1


def test_survival_alt_text_gives_each_share_as_its_download_publishes_it(tmp_path):
    # the alt text's "from 64.5% at day 270" beside a download reading 0.64: in per
    # cent, a share is the number the download gives (2 places), not one place more
    from lifetools.publication import figure_downloads

    ax = plots.plot_survival(km_result(), max_time=730)
    alt = ax.figure._lifetools_alt
    paths = figure_downloads(ax.figure, "survival", tmp_path)
    curve = pd.read_csv(tmp_path / next(p for p in paths if "at-risk" not in str(p)))
    published = {f"{100 * v:.1f}%" for v in curve["estimate"].dropna()}
    said = re.findall(r"from (\d+\.\d%) at day \S+ to (\d+\.\d%) at day", alt)
    assert said, alt
    for pair in said:
        assert set(pair) <= published, (pair, sorted(published))


def test_run_chart_and_monthly_counts_leave_out_a_part_month_and_say_so():
    # a period ending on the 15th drew its last month's half-month count as a point:
    # a fall, flagged as a special cause, that was only a shorter month (issue 15)
    from lifetools.formatting import format_month
    from lifetools.spc import part_months

    months = pd.date_range("2024-04-01", periods=12, freq="MS")
    period = ("2024-04-01", "2025-03-15")
    assert part_months(months, *period).tolist() == [False] * 11 + [True]
    assert part_months(months, "2024-04-02", "2025-03-31").tolist() == [True] + [False] * 11
    assert not part_months(months, "2024-04-01", "2025-03-31").any()
    assert [format_month(m) for m in months[[0, 11]]] == ["April 2024", "March 2025"]
    contacts = pd.DataFrame({"month": months, "contacts": [150, 160] * 5 + [155, 75]})
    whole = plots.plot_run_chart(contacts, period=("2024-04-01", "2025-03-31")).figure
    assert "Not shown" not in whole._lifetools_alt
    assert len(whole._lifetools_data[""].frame) == 12
    fig = plots.plot_run_chart(contacts, period=period).figure
    assert list(fig._lifetools_data[""].frame["month"]) == list(months[:11])
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label() == "Monthly count"]
    assert len(line.get_xdata()) == 11 and min(line.get_ydata()) >= 150
    assert ("over 11 months" in fig._lifetools_alt and "no months with a special cause"
            in fig._lifetools_alt)
    assert ("Not shown: March 2025, of which the period holds only some days"
            in fig._lifetools_alt)
    monthly = pd.DataFrame({"month": np.repeat(months, 2), "team": ["A06", "Other"] * 12,
                            "referrals": [120, 60] * 11 + [60, 30]})
    fig = plots.plot_monthly_counts(monthly, period=period).figure
    assert fig._lifetools_data[""].frame["month"].nunique() == 11
    assert "over 11 months" in fig._lifetools_alt and "Not shown: March 2025" in \
        fig._lifetools_alt
    assert all(len(ln.get_xdata()) == 11 for ln in fig.axes[0].get_lines()
               if ln.get_label() in ("A06", "Other") or ln.get_label().startswith("Other"))


def test_withheld_calibration_figure_drawn_narrow_fits_a_phone():
    # the words standing in for a withheld model's curves, on one line, were wider than
    # the narrow figure's axes: 4.02 in against 3.9 (the 2023-24 crisis page at 4,000
    # people, wave 40); wrapped they fit
    from lifetools.plots.theme import NARROW_MAX_WIDTH, cropped_width, narrow_layout

    blank = pd.DataFrame({c: [np.nan] * 3 for c in ("predicted", "apparent", "corrected")})
    with narrow_layout():
        ax = plots.plot_corrected_calibration(blank)
    assert cropped_width(ax.figure) <= NARROW_MAX_WIDTH + 0.01
    assert "not shown" in " ".join(t.get_text().replace("\n", " ") for t in ax.texts)


def test_forest_download_writes_a_limit_on_its_side_of_one_and_the_gate_accepts_it(
        tmp_path):
    # the 2024-25 discharge forest.csv read "Time-varying (correct),1.44,1.00,2.06"
    # beside a page and alt text of "1.44 (1.004 to 2.06)" and a verdict of faster
    # discharge (wave 41): the download keeps the limit's side of 1 as the page does
    from lifetools.disclosure import active_profile
    from lifetools.pipeline.gate.files import _csv_findings
    from lifetools.publication import figure_download_rules, figure_downloads

    frame = pd.DataFrame({"model": ["Time-varying (correct)", "Naive model"],
                          "estimate": [1.44, 0.83], "ci_lower": [1.004, 0.5],
                          "ci_upper": [2.06, 0.9996]})
    ax = plots.plot_forest(released(frame), label_col="model")
    assert "1.44 (1.004 to 2.06)" in ax.figure._lifetools_alt
    (path,) = figure_downloads(ax.figure, "forest", tmp_path)
    text = (tmp_path / path).read_text()
    assert "Time-varying (correct),1.44,1.004,2.06" in text
    assert "Naive model,0.83,0.50,0.9996" in text
    rules = figure_download_rules(ax.figure, "forest")[path]
    assert list(rules["limit_headers"].values()) == [[1.0], [1.0]]
    profile = active_profile()
    assert _csv_findings(text, rules, profile, tables=False) == []
    # a limit written with more places than the rule gives is refused
    for wrong in (text.replace(",1.004,", ",1.0040,"), text.replace(",0.50,", ",0.500,")):
        assert any("confidence limit" in detail
                   for _, detail in _csv_findings(wrong, rules, profile, tables=False))


def test_forest_download_limit_reading_as_a_bound_is_checked_against_its_value(tmp_path):
    # "1.00" in a limit column could be a true limit of 1 or 0.9996 rounded onto it,
    # which the writer never writes; the gate passed both, and a ratio's degenerate
    # limit of 0 or infinity too (wave 43): the stamp now records the rows whose true
    # limit is on a bound, and the gate reads each cell against it
    from lifetools.disclosure import active_profile
    from lifetools.pipeline.gate.files import _csv_findings
    from lifetools.publication import figure_download_rules, figure_downloads

    frame = pd.DataFrame({"model": ["A", "B", "C"], "estimate": [1.44, 0.83, 2.0],
                          "ci_lower": [1.0, 0.5, 0.0037], "ci_upper": [2.06, 0.9996, 4.1]})
    ax = plots.plot_forest(released(frame), label_col="model")
    (path,) = figure_downloads(ax.figure, "forest", tmp_path)
    text = (tmp_path / path).read_text()
    # a limit of exactly 1 reads "1.00"; 0.0037 is kept off a ratio's 0 ("0.004")
    assert "A,1.44,1.00,2.06" in text and "C,2.00,0.004,4.10" in text, text
    rules = figure_download_rules(ax.figure, "forest")[path]
    assert rules["limit_cells"] == {"Lower 95% limit": {"exact": [[1, 1.0]]}}
    profile = active_profile()
    assert _csv_findings(text, rules, profile, tables=False) == []
    for old, new, said in [(",0.9996\n", ",1.00\n", "reads as 1"),  # not its value
                           (",0.004,", ",0.00,", "reads as 0"),  # a ratio's 0
                           (",4.10\n", ",inf\n", "infinite")]:
        found = _csv_findings(text.replace(old, new), rules, profile, tables=False)
        assert any(said in detail for _, detail in found), (new, found)
    # a true limit of 0 is degenerate, whatever the cell reads
    frame.loc[2, "ci_lower"] = 0.0
    ax = plots.plot_forest(released(frame), label_col="model")
    (path,) = figure_downloads(ax.figure, "forest", tmp_path)
    rules = figure_download_rules(ax.figure, "forest")[path]
    found = _csv_findings((tmp_path / path).read_text(), rules, profile, tables=False)
    assert any("degenerate" in detail and "row 3" in detail for _, detail in found)


def test_a_withheld_models_figure_data_read_c_as_its_table_does(tmp_path):
    # the data behind a figure of a model the model release rule withheld (the
    # time-to-discharge forest plot's rows, the crisis model's calibration curves)
    # wrote its values [x] (not available) beside the page's table's [c] until wave 42;
    # a fit that gave no number stays [x]
    from lifetools.disclosure import active_profile
    from lifetools.disclosure.downloads import NOT_AVAILABLE, SUPPRESSED
    from lifetools.disclosure.withheld import CONFIDENTIAL, UNAVAILABLE, LeftOut
    from lifetools.pipeline.gate.files import _csv_findings
    from lifetools.publication import figure_download_rules, figure_downloads

    nan = float("nan")
    frame = pd.DataFrame({
        "model": ["Time-varying (correct)", "Landmark at 90 days", "Naive model"],
        "estimate": [1.44, nan, nan], "ci_lower": [1.1, nan, nan],
        "ci_upper": [2.06, nan, nan],
        "withheld": ["", LeftOut("too few events to estimate", CONFIDENTIAL),
                     LeftOut("could not be estimated: the fit did not converge",
                             UNAVAILABLE)]})
    ax = plots.plot_forest(released(frame), label_col="model")
    (path,) = figure_downloads(ax.figure, "forest", tmp_path)
    lines = (tmp_path / path).read_text().splitlines()
    assert lines[1:] == ["Time-varying (correct),1.44,1.10,2.06",
                         f"Landmark at 90 days,{SUPPRESSED},{SUPPRESSED},{SUPPRESSED}",
                         f"Naive model,{NOT_AVAILABLE},{NOT_AVAILABLE},{NOT_AVAILABLE}"]
    rules = figure_download_rules(ax.figure, "forest")[path]
    assert _csv_findings("\n".join(lines) + "\n", rules, active_profile(),
                         tables=False) == []
    # the figure says the same: "withheld" for the [c] row, "not estimated" for the
    # [x] one (both read "not estimated" until the review of wave 42)
    drawn = [t.get_text().strip() for t in ax.texts]
    assert drawn == ["withheld", "not estimated"]
    assert ("Landmark at 90 days: withheld; Naive model: not estimated"
            in ax.figure._lifetools_alt)
    plt.close("all")
    good, bad = _releases()
    curve = pd.DataFrame({"predicted": [0.05, 0.1], "observed": [0.06, 0.12],
                          "ci_lower": [0.03, 0.08], "ci_upper": [0.09, 0.16]})
    internal = pd.DataFrame({"predicted": [0.05, 0.1], "apparent": [0.04, 0.1],
                             "corrected": [0.05, 0.11]})
    for release, mark in ((bad, SUPPRESSED), (good, None)):
        for draw, table, name in (
                (plots.plot_calibration_curve, curve, "calibration"),
                (plots.plot_corrected_calibration, internal, "internal")):
            outputs = disclosure.model_outputs(table, dict.fromkeys(table.columns,
                                                                    release))
            fig = draw(outputs).figure
            (path,) = figure_downloads(fig, name, tmp_path)
            cells = [line.split(",") for line in
                     (tmp_path / path).read_text().splitlines()[1:]]
            if mark is None:
                assert all(SUPPRESSED not in row and NOT_AVAILABLE not in row
                           for row in cells)
            else:
                assert all(cell == mark for row in cells for cell in row), cells
            plt.close("all")


def test_two_run_charts_side_by_side_lay_out_without_a_warning():
    # a notebook's own figure of two charts: fit_to_phone narrowed the 12-inch figure
    # to 4.98 inches after the first, and tight_layout could not fit the second
    # ("Tight layout not applied": the suite's one warning until wave 43); the second
    # chart's legend lay under the first chart, anchored at the figure's left edge
    import warnings

    months = pd.date_range("2024-04-01", periods=6, freq="MS")
    monthly = pd.DataFrame({"month": months, "contacts": [120, 135, 140, 150, 160, 170]})
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.plot_run_chart(monthly, ax=left)
        plots.plot_run_chart(monthly, ax=right)
    assert fig.get_figwidth() == 12
    renderer = fig.canvas.get_renderer()
    first, second = (ax.get_legend().get_window_extent(renderer) for ax in (left, right))
    assert first.x0 == pytest.approx(0, abs=1)  # the first column's: the figure's edge
    assert second.x0 == pytest.approx(right.get_window_extent(renderer).x0, abs=1)
    assert second.x0 > first.x1


def test_plot_rates_of_no_rows_says_so_in_words():
    # a small locality's emergency-care notebook stopped at this figure: a rates table
    # of no rows divided 0.8 by no groups (ZeroDivisionError; wave 50)
    frame = pd.DataFrame({"group": pd.Series(dtype=object),
                          "period": pd.Series(dtype=object),
                          "events": pd.Series(dtype=int), "years": pd.Series(dtype=float)})
    table = disclosure.rates_table(frame, group_cols=["group", "period"],
                                   event_col="events", person_time_col="years")
    assert table.frame.empty
    ax = plots.plot_rates(table)
    assert len(ax.texts) == 1 and "No rates to show" in ax.texts[0].get_text()
    assert ax.figure._lifetools_alt.endswith(plots.regression.NO_RATES)


def test_plot_run_chart_of_no_months_says_so_in_words():
    # a small locality's reach notebook stopped at its run chart: no contacts, no months
    # (the mean's iloc[0] of an empty chart: IndexError; wave 50)
    contacts = pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"),
                             "contacts": pd.Series(dtype=int)})
    ax = plots.plot_run_chart(contacts, period=("2024-04-01", "2025-03-31"))
    assert len(ax.texts) == 1
    assert " ".join(ax.texts[0].get_text().split()) == plots.activity.NO_MONTHS
    assert ax.figure._lifetools_alt.startswith(
        "Run chart of contacts per month: no whole months with contacts")
