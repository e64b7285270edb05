"""The reach by deprivation: the finest groups whose percentages can all be shown,
hidden cells drawn and labelled as hidden, and "How sure we are" from what is shown."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from lifetools import disclosure, plots  # noqa: E402
from lifetools.reports.reach import (  # noqa: E402
    DEPRIVATION,
    POPULATIONS,
    certainty_sentence,
    deprivation_groups,
    grouping_sentence,
    protected_shares,
)

GROUPS = ["1 (most deprived)", "2", "3", "4", "5 (least deprived)", "Not known"]


def characteristics(users, caseload=(1458, 474, 315, 204, 136, 47)):
    """Raw counts as describe_population gives them: a sex block and the deprivation."""
    users, caseload = list(users), list(caseload)
    return pd.DataFrame({
        "characteristic": ["Sex", "Sex"] + [DEPRIVATION] * 6,
        "group": ["Female", "Male"] + GROUPS,
        "Secondary care": [sum(caseload) // 2, sum(caseload) - sum(caseload) // 2]
        + caseload,
        "Life Rooms users": [sum(users) // 2, sum(users) - sum(users) // 2] + users,
    })


def hidden_rows(table, column):
    return {str(table.frame.at[r, "group"]) for r, c, _ in table.record.suppressed
            if c == column}


def test_the_default_builds_pattern_shows_every_users_percentage():
    # the default build's counts (30,000 people, 2024-25): 6 users whose area is not
    # known are hidden, and the least deprived fifth with them (secondary suppression)
    raw = characteristics([170, 47, 33, 19, 17, 6])
    reach = protected_shares(raw, list(POPULATIONS))
    part = reach.frame[reach.frame["characteristic"] == DEPRIVATION]
    assert part["Life Rooms users %"].isna().all()  # the finding: no users' share
    grouped, combined = deprivation_groups(raw, reach)
    frame = grouped.frame
    assert not grouped.record.suppressed
    assert frame["Life Rooms users %"].notna().all()
    assert frame["Secondary care %"].notna().all()
    assert combined == (("5 (least deprived)", "Not known"),)
    assert list(frame["group"]) == ["Quintile 1 (most deprived)", "Quintile 2",
                                    "Quintile 3", "Quintile 4",
                                    "Quintile 5 (least deprived) or not known"]
    # the groups published on their own are the reach table's own published cells
    fine = part.set_index("group")
    fine.index = ["Quintile " + g if g[:1].isdigit() else g for g in fine.index]
    for row in frame.itertuples(index=False):
        if row.group in fine.index:
            assert row[2] == fine.at[row.group, "Secondary care"]
            assert row[3] == fine.at[row.group, "Life Rooms users"]


@pytest.mark.parametrize("users", [
    [170, 47, 33, 19, 17, 6],    # the not known row and the smallest fifth hidden
    [170, 47, 33, 19, 3, 2],     # the two hidden cells together still small
    [170, 4, 33, 19, 17, 6],     # hidden cells apart from each other
    [2, 0, 0, 0, 3, 1],          # nothing can be shown apart
])
def test_every_hidden_cell_of_the_reach_table_lies_in_one_combined_group(users):
    # so the combined group's count is the population less the rows the reach table
    # publishes: the two tables give no hidden cell away
    raw = characteristics(users)
    reach = protected_shares(raw, list(POPULATIONS))
    grouped, combined = deprivation_groups(raw, reach)
    for column in POPULATIONS:
        hidden = {g for g in disclosure.hidden_labels(
            reach, label_col="group", column=column,
            where={"characteristic": DEPRIVATION})}
        if hidden:
            assert [g for g in combined if hidden <= set(g)], (column, hidden, combined)
    assert len(combined) <= 1
    still = hidden_rows(grouped, "Life Rooms users")
    assert not still or len(grouped.frame) == 1
    if not still:
        assert grouped.frame["Life Rooms users %"].notna().all()


def test_the_figure_labels_a_hidden_cell_as_hidden_and_draws_the_shares():
    raw = characteristics([170, 47, 33, 19, 17, 6])
    reach = protected_shares(raw, list(POPULATIONS))
    ax = plots.plot_reach(reach, characteristic=DEPRIVATION)
    texts = [t.get_text() for t in ax.figure.findobj(Text)]
    assert texts.count("Life Rooms users: hidden") == 6
    grouped, _ = deprivation_groups(raw, reach)
    ax = plots.plot_reach(grouped, characteristic=DEPRIVATION)
    texts = [t.get_text() for t in ax.figure.findobj(Text)]
    assert "Life Rooms users: hidden" not in texts
    assert "Quintile 5 (least deprived) or not known: users 8.6%" in \
        ax.figure._lifetools_alt


def test_grouping_sentence_names_the_combined_groups_in_words():
    assert str(grouping_sentence(())) == "Each deprivation fifth is shown on its own."
    text = str(grouping_sentence((("5 (least deprived)", "Not known"),)))
    assert text.startswith("In the chart, the least deprived fifth and people whose "
                           "area is not known are shown together")
    # a clause with its verb: "..., and with it every percentage of that population"
    # read as garbled (wave 37)
    assert text.endswith("and so would every percentage of that population.")
    assert "with it every" not in str(grouping_sentence((("1",),), whole=True))


def test_certainty_sentence_mentions_only_intervals_the_page_shows():
    shown = disclosure.share(80, 100)
    hidden = disclosure.share(3, 100)
    assert hidden.value is None
    with_survey = str(certainty_sentence((shown, hidden), None))
    assert "intervals of its percentages" in with_survey
    assert "indices of inequality are not shown" in with_survey
    without = str(certainty_sentence((hidden, None), None))
    assert "interval" in without and "intervals of its percentages" not in without
    assert "No percentage from the feedback survey is shown" in without


@pytest.mark.slow
def test_default_build_reach_figure_has_users_percentages(tmp_path):
    # the default synthetic build (30,000 people, its seed), the 2024-25 edition
    from lifetools import reports
    from lifetools.loading import load_dataset
    from lifetools.synthetic import write_synthetic

    write_synthetic(tmp_path, people=30000, seed=20250331)
    report = reports.analyse_reach(load_dataset(tmp_path), period_start="2024-04-01",
                                   period_end="2025-03-31")
    fine = report.reach.frame
    assert fine.loc[fine["characteristic"] == DEPRIVATION, "Life Rooms users %"
                    ].isna().all()
    ax = plots.plot_reach(report.deprivation, characteristic=DEPRIVATION)
    users = report.deprivation.frame["Life Rooms users %"]
    assert users.notna().all() and len(users) >= 2
    assert "users suppressed" not in ax.figure._lifetools_alt
    # a hidden cell of the same figure drawn from the reach table reads as hidden
    ax = plots.plot_reach(report.reach, characteristic=DEPRIVATION)
    assert "Life Rooms users: hidden" in [t.get_text() for t in ax.figure.findobj(Text)]
    sentences = {k["name"]: str(k.get("text")) for k in report.key_results}
    assert "shown together" in sentences["grouping_sentence"]


def test_no_fifth_hidden_in_the_reach_table_is_published_alone_elsewhere():
    # a reader's subtraction (users' total less the five fifths) needs every fifth:
    # the fifth hidden to protect "Not known" is shown only together with it
    raw = characteristics([170, 47, 33, 19, 17, 6])
    reach = protected_shares(raw, list(POPULATIONS))
    grouped, _ = deprivation_groups(raw, reach)
    hidden = disclosure.hidden_labels(reach, label_col="group", column="Life Rooms users",
                                      where={"characteristic": DEPRIVATION})
    assert hidden == {"5 (least deprived)", "Not known"}
    assert not {"Quintile " + h for h in hidden} & set(grouped.frame["group"])
    # the combined group is the total less the published fifths, within rounding
    fine = reach.frame[reach.frame["characteristic"] == DEPRIVATION]
    rest = disclosure.protect_count(292) - int(fine["Life Rooms users"].sum())
    combined = int(grouped.frame["Life Rooms users"].iloc[-1])
    assert abs(combined - rest) <= 5


@pytest.mark.parametrize("users", [
    [170, 47, 33, 19, 17, 6],    # the default build
    [25, 3, 0, 4, 2, 1],         # the 2,000-person build: all but one fifth combined
    [170, 4, 33, 19, 17, 6],
    [2, 0, 0, 0, 3, 1],
    [170, 47, 33, 19, 17, 60],
])
def test_the_charts_labels_pass_the_gates_rules_for_a_figure(users):
    # the 2,000-person build's chart had the groups "3" and "1 (most deprived), 2, 4,
    # 5 (least deprived) or not known": the gate refused a lone "3" (a small count) and
    # the listed "2" and "4" (numbers in prose); a fifth's number follows "quintile"
    from lifetools.disclosure.profiles import get_profile
    from lifetools.disclosure.prose import prose_findings
    from lifetools.pipeline.gate.outputs import figure_number_findings, has_words

    raw = characteristics(users)
    grouped, _ = deprivation_groups(raw, protected_shares(raw, list(POPULATIONS)))
    ax = plots.plot_reach(grouped, characteristic=DEPRIVATION)
    texts = [t.get_text() for t in ax.figure.findobj(Text) if t.get_text().strip()]
    profile = get_profile("default")
    assert figure_number_findings(texts, profile) == []
    for text in filter(has_words, texts):  # as the gate reads a figure's texts
        assert prose_findings(" ".join(text.split()), profile) == [], text
    for label in grouped.frame["group"]:
        assert label == "Not known" or label.startswith("Quintile"), label


def test_a_list_of_fifths_is_a_label_a_number_after_it_is_not():
    from lifetools.disclosure.prose import prose_findings

    assert prose_findings("Quintiles 1, 2 and 4 or not known") == []
    assert prose_findings("quintiles 1, 3 were readmitted")
    assert prose_findings("aged 65, 3 were readmitted")


def test_a_breakdown_left_with_one_group_draws_no_bars_and_says_why():
    # the 3,000-person 2023-24 reach page drew one bar pair, "Quintiles 1, 2, 3, 4 and
    # 5 or not known: users 100.0%, caseload 100.0%", and the text said every fifth
    # was "shown together": a chart of nothing, read as a finding (#15)
    from lifetools.disclosure.profiles import get_profile
    from lifetools.disclosure.prose import prose_findings
    from lifetools.plots.activity import NO_BREAKDOWN

    raw = characteristics([2, 0, 0, 0, 3, 1])
    grouped, combined = deprivation_groups(raw, protected_shares(raw, list(POPULATIONS)))
    assert len(grouped.frame) == 1  # every row combined
    ax = plots.plot_reach(grouped, characteristic=DEPRIVATION)
    assert not ax.patches  # no bar
    texts = [" ".join(t.get_text().split()) for t in ax.figure.findobj(Text)
             if t.get_text().strip()]
    assert texts == [NO_BREAKDOWN]
    alt = ax.figure._lifetools_alt
    assert "with no bars drawn" in alt and "100.0%" not in alt
    assert prose_findings(NO_BREAKDOWN, get_profile("default")) == []
    said = str(grouping_sentence(combined, whole=True))
    assert said.startswith("The chart shows no breakdown by deprivation")
    assert "shown together" not in said
