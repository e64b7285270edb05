"""The crisis report's fairness part (issue 19, item 6): calibration slope and
calibration-in-the-large by group with intervals, calibration curves by group, and
groups under the disclosure threshold suppressed in the table and the figure."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from lifetools import disclosure, plots
from lifetools.disclosure.withheld import TooFew
from lifetools.reports.crisis_fairness import (
    ESTIMATE_COLUMNS,
    fairness_rows,
    fairness_sentence,
    fairness_table,
    group_calibration_curves,
    group_curves_table,
    shown_rows,
    slope_sentence,
)

matplotlib.use("Agg")


def released_model():
    """A release that passes (enough rows, nothing else checked)."""
    rows = pd.DataFrame({"e": [1.0] * 100})
    return disclosure.model_release(None, data=rows, event_col="e", level_cols=[],
                                    summary=pd.DataFrame(columns=["term", "estimate",
                                                                  "ci_lower", "ci_upper"]),
                                    converged=True)


@pytest.fixture(scope="module")
def cohort():
    """6,000 people: men's predicted risks too extreme (true calibration slope 0.5),
    women's and the ethnic groups' right; 12 people of ethnic group 'Not known', under
    any disclosure threshold of people with and without a crisis."""
    rng = np.random.default_rng(19)
    n = 6000
    sex = rng.choice(["Female", "Male"], n)
    ethnic = np.where(np.arange(n) < 12, "Not known", rng.choice(["White", "Other ethnic groups"], n))
    imd = rng.choice(["1", "2", "3", "4", "5"], n)
    true_lp = rng.normal(-1.2, 1.0, n)
    crisis = (rng.random(n) < 1 / (1 + np.exp(-true_lp))).astype(int)
    predicted_lp = np.where(sex == "Male", 2 * (true_lp + 1.2) - 1.2, true_lp)
    frame = pd.DataFrame({"sex": sex, "ethnic_group": ethnic, "imd_quintile": imd,
                          "crisis": crisis})
    return frame, 1 / (1 + np.exp(-predicted_lp))


@pytest.fixture(scope="module")
def parts(cohort):
    frame, risk = cohort
    rows = fairness_rows(frame["crisis"], risk, frame, min_count=10)
    raw, table = fairness_table(rows, released_model())
    shown = shown_rows(rows, table)
    curves = group_calibration_curves(frame["crisis"], risk, frame, shown)
    return rows, raw, table, shown, curves


def test_fairness_slope_interval_excludes_1_for_the_miscalibrated_group_only(parts):
    rows = parts[0].set_index(["characteristic", "group"])
    men, women = rows.loc[("Sex", "Male")], rows.loc[("Sex", "Female")]
    assert men["slope_upper"] < 1 and 0.35 < men["slope"] < 0.65
    assert women["slope_lower"] < 1 < women["slope_upper"]
    # calibration-in-the-large (the intercept with the risk's logit an offset) by
    # group, with its Wald interval, as overall
    assert women["citl_lower"] < 0 < women["citl_upper"]


def test_fairness_table_shows_slope_and_citl_intervals_and_suppresses_a_small_group(parts):
    _, raw, table, shown, _ = parts
    assert list(ESTIMATE_COLUMNS.values()) == [
        "C-statistic (95% CI)", "calibration slope (95% CI)",
        "calibration-in-the-large (95% CI)"]
    assert table.verify().record.columns_with("estimate") == list(ESTIMATE_COLUMNS.values())
    frame = table.frame.set_index(["characteristic", "group"])
    men = frame.loc[("Sex", "Male"), "calibration slope (95% CI)"]
    assert " to " in str(men) and str(men).startswith("0.")
    # the small group: every estimate hidden ([c]), in the table and the words
    small = frame.loc[("Ethnic group", "Not known")]
    assert all(isinstance(small[c], TooFew) for c in ESTIMATE_COLUMNS.values())
    assert not any(isinstance(v, TooFew) for v in frame.loc[("Sex", "Male")])
    assert "Not known" not in set(shown.loc[shown["characteristic"] == "Ethnic group",
                                            "group"])


def test_group_calibration_curves_draw_only_groups_at_the_threshold_on_round_risks(parts):
    rows, _, _, shown, curves = parts
    drawn = set(map(tuple, curves[["characteristic", "group"]].drop_duplicates().to_numpy()))
    assert ("Ethnic group", "Not known") not in drawn
    assert drawn == set(map(tuple, shown[["characteristic", "group"]].to_numpy()))
    assert len(drawn) == len(rows) - 1  # every group but the small one
    np.testing.assert_allclose(curves["predicted"] * 100,
                               np.round(curves["predicted"] * 100), atol=1e-9)
    # every curve in one table the gate does not read as one row per person
    from lifetools.tables import MAX_ROWS

    assert len(curves) <= MAX_ROWS and curves.groupby(["characteristic", "group"]).size().min() >= 2
    # the miscalibrated group's curve is flatter than the line of perfect calibration
    men = curves[(curves["characteristic"] == "Sex") & (curves["group"] == "Male")]
    assert np.polyfit(men["predicted"], men["observed"], 1)[0] < 0.8


def test_plot_group_calibration_one_panel_per_grouping_no_small_group(parts):
    from lifetools.publication import is_marked

    table = group_curves_table(parts[4], released_model())
    ax = plots.plot_group_calibration(table)
    fig = ax.figure
    assert is_marked(fig) and len(fig.axes) == 3
    assert [a.get_title() for a in fig.axes] == ["Sex", "Ethnic group",
                                                 "Deprivation fifth (IMD)"]
    legends = [[t.get_text() for t in a.get_legend().get_texts()] for a in fig.axes]
    assert "Not known" not in legends[1] and "Most deprived fifth" in legends[2]
    # each group's curve: a line with its own colour
    assert len(fig.axes[2].lines) == 1 + 5  # perfect calibration and five fifths
    alt = fig._lifetools_alt  # the alt text mark_protected recorded
    assert "Male" in alt and "Not known" not in alt
    matplotlib.pyplot.close(fig)


def test_plot_group_calibration_withheld_model_draws_no_curve(parts):
    rows = pd.DataFrame({"e": [1.0] * 3})
    withheld = disclosure.model_release(None, data=rows, event_col="e", level_cols=[],
                                        summary=pd.DataFrame(
                                            columns=["term", "estimate", "ci_lower",
                                                     "ci_upper"]), converged=False)
    table = group_curves_table(parts[4], withheld)
    fig = plots.plot_group_calibration(table).figure
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1  # perfect calibration only
    assert fig._lifetools_alt.startswith("A dashed line of perfect calibration only: the "
                                         "calibration curves by group are not shown: ")
    assert "no group has a curve" not in fig._lifetools_alt  # the release's reason
    matplotlib.pyplot.close(fig)


def test_group_curves_are_made_for_a_withheld_model_and_blanked_by_its_release(cohort):
    # a withheld model's table hides every estimate by the release rule: the curves of
    # the groups it would show are made, and blanked with the release's reason (the
    # figure's caption and alt text say it), never an empty table with no reason
    frame, risk = cohort
    rows = fairness_rows(frame["crisis"], risk, frame, min_count=10)
    withheld = disclosure.model_release(
        None, data=pd.DataFrame({"e": [1.0] * 3}), event_col="e", level_cols=[],
        summary=pd.DataFrame(columns=["term", "estimate", "ci_lower", "ci_upper"]),
        converged=False)
    _, table = fairness_table(rows, withheld)
    assert not len(shown_rows(rows, table))  # the words describe no group
    drawable = shown_rows(rows, table, released_only=False)
    assert len(drawable) == len(rows) - 1  # every group but the small one
    curves = group_curves_table(
        group_calibration_curves(frame["crisis"], risk, frame, drawable), withheld)
    assert len(curves) and curves.frame["observed"].isna().all()
    assert plots.model_caption(curves, "Curves").startswith("Curves. The model's curves "
                                                            "are not shown: ")


def test_slope_sentence_names_groups_whose_interval_excludes_1(parts):
    said = str(slope_sentence(parts[3]))
    # men's risks too extreme, and so are those of every group men are part of; women's
    # are not: their interval includes perfect calibration
    extreme = said.split(", whose interval")[0]
    assert extreme.startswith("The predicted risks were too extreme")
    assert "for men," in extreme and "women" not in extreme
    assert "lies wholly below perfect calibration" in said
    assert "other groups shown, the interval includes perfect calibration" in said
    both = str(fairness_sentence(parts[3]))
    assert "calibration-in-the-large" in both and "too extreme" in both
    rows = pd.DataFrame({"characteristic": ["Sex"], "group": ["Female"], "slope": [1.3],
                         "slope_lower": [1.1], "slope_upper": [1.5]})
    assert "too modest" in str(slope_sentence(rows)) and "women" in str(slope_sentence(rows))
    rows = rows.assign(slope_lower=0.9)
    assert "the calibration slope includes perfect calibration" in str(slope_sentence(rows))
    assert "cannot say" in str(slope_sentence(rows.iloc[0:0]))


def test_group_calibration_figure_passes_the_gate_s_checks_at_source(parts, output):
    # what the page publishes: the PNG, its alt text and caption (the gate's figure-text
    # rules run by show_figure) and the CSV of the curves drawn, read by the gate's
    # download rules with the figure's record: no finding
    from lifetools import publication
    from lifetools.disclosure import active_profile
    from lifetools.pipeline.gate.files import _csv_findings

    table = group_curves_table(parts[4], released_model())
    shown = publication.show_figure(plots.plot_group_calibration(table),
                                    name="fairness-calibration",
                                    caption=plots.model_caption(table, "By group"))
    assert shown.png
    text = (output / "figures" / "fairness-calibration.csv").read_text()
    head, first = text.splitlines()[:2]
    assert head == "characteristic,group,predicted,observed" and first.startswith("Sex,")
    assert "Not known" not in text.split("Ethnic group")[1].split("IMD")[0]
    record = shown.download_rules["figures/fairness-calibration.csv"]
    assert record["proportion_places"] == 3
    assert _csv_findings(text, record, active_profile(), tables=False) == []
    matplotlib.pyplot.close("all")
