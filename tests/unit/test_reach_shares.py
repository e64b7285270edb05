"""The reach page's percentages: of the published total, never beside a hidden count of
their own total, and said not to add up to the whole where they do not (issues 12, 15).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property_examples import examples

from lifetools import disclosure
from lifetools.disclosure import protect_count
from lifetools.reports.reach import (
    POPULATIONS,
    deprivation_groups,
    hidden_share_blocks,
    hidden_shares_sentence,
    reach_percentages_text,
    rounding_sentence,
    unequal_sums,
)

BY = "characteristic"


def reach_like(blocks: dict[str, list[tuple[int, int]]]) -> pd.DataFrame:
    """A raw reach table: per characteristic, (secondary care, users) per group."""
    rows = [{BY: name, "group": f"g{i}", POPULATIONS[0]: a, POPULATIONS[1]: b}
            for name, cells in blocks.items() for i, (a, b) in enumerate(cells)]
    return pd.DataFrame(rows)


def share_problems(table, raw: pd.DataFrame) -> list[str]:
    """Shares shown beside a hidden count of their own block, and shares not of the
    published block total."""
    frame = table.frame
    hidden = {(r, c) for r, c, _ in table.record.suppressed}
    problems = []
    for column in POPULATIONS:
        for name, rows in frame.groupby(BY, sort=False).groups.items():
            rows = list(rows)
            shown = [r for r in rows if pd.notna(frame.at[r, f"{column} %"])]
            if not shown:
                continue
            if any((r, column) in hidden for r in rows):
                problems.append(f"{column} % shown in {name} beside a hidden count")
            total = protect_count(int(raw.loc[raw[BY] == name, column].sum()))
            for r in shown:
                expected = round(100 * float(frame.at[r, column]) / total, 1)
                if float(frame.at[r, f"{column} %"]) != expected:
                    problems.append(f"{column} % of row {r} is not of the total")
    return problems


def test_a_linked_cell_hides_every_share_of_its_block_and_no_other():
    # the reach report hides a fifth's users where the equity table hides it
    # (carry_suppression); until wave 41 only that row's shares went with it, so the
    # other fifths' shares of Life Rooms users stayed beside the hidden count: their
    # total (published) less the shown cells gave it back, and the row's secondary
    # care share was hidden although its count and its block were whole
    raw = reach_like({"Deprivation quintile": [(400, 60), (300, 40), (200, 30)],
                      "Sex": [(500, 70), (400, 60)]})
    table = disclosure.protected_shares(raw, list(POPULATIONS), by=BY)
    assert not share_problems(table, raw)
    carried = disclosure.carry_suppression(
        table, label_col="group", column="Life Rooms users", labels={"g1"},
        where={BY: "Deprivation quintile"}, block=BY)
    frame = carried.frame
    fifths = frame[BY] == "Deprivation quintile"
    assert frame.loc[fifths, "Life Rooms users %"].isna().all()
    assert frame.loc[~fifths, "Life Rooms users %"].notna().all()  # "Sex" is whole
    assert frame.loc[~fifths, "Life Rooms users"].notna().all()  # "where" kept g1 there
    assert frame["Secondary care %"].notna().all()
    assert not share_problems(carried, raw)


def test_a_linked_cell_without_a_block_hides_the_share_column_everywhere():
    raw = reach_like({"A": [(400, 60), (300, 40)], "B": [(500, 70), (200, 30)]})
    table = disclosure.protected_shares(raw, list(POPULATIONS), by=BY)
    carried = disclosure.carry_suppression(table, label_col="group",
                                           column="Life Rooms users", labels={"g0"},
                                           where={BY: "A"})
    assert carried.frame["Life Rooms users %"].isna().all()
    assert not share_problems(carried, raw)


def test_carry_suppression_refuses_an_unknown_block_column():
    raw = reach_like({"A": [(400, 60), (300, 40)]})
    table = disclosure.protected_shares(raw, list(POPULATIONS), by=BY)
    with pytest.raises(KeyError, match="nowhere"):
        disclosure.carry_suppression(table, label_col="group", column="Life Rooms users",
                                     labels={"g0"}, block="nowhere")


def test_percentages_that_do_not_add_up_are_named_in_words():
    # four groups of 13 users: each published as 15, of a total of 52 published as 50,
    # so 30.0% each, 120.0% in all; the caseload's 100 and 100 add up
    raw = reach_like({"Deprivation quintile": [(100, 13), (100, 13), (100, 13),
                                               (100, 13)]})
    table = disclosure.protected_shares(raw, list(POPULATIONS), by=BY)
    assert unequal_sums(table) == (("Life Rooms users", "Deprivation quintile"),)
    said = rounding_sentence(table)
    assert "may not add up to the whole because of rounding" in said
    assert "in the table, those of Life Rooms users by deprivation quintile do not" in said
    assert "caseload" not in said
    whole = disclosure.protected_shares(
        reach_like({"Sex": [(100, 50), (100, 50)]}), list(POPULATIONS), by=BY)
    assert unequal_sums(whole) == ()
    assert "add up to the whole." in rounding_sentence(whole)


def test_the_table_sentence_names_only_what_the_table_shows_and_the_chart_apart():
    # the 30,000-person build (2024-25): the users' deprivation percentages are hidden
    # in the table, and the chart's combined groups (its own counts, rounded on their
    # own) add up to 99.9 and 101.7, while the table's caseload column adds up to 100.0;
    # the page named both breakdowns as not adding up, one of them also as not shown
    raw = pd.DataFrame({
        BY: ["Sex", "Sex"] + ["Deprivation quintile"] * 6,
        "group": ["Female", "Male", "1 (most deprived)", "2", "3", "4",
                  "5 (least deprived)", "Not known"],
        POPULATIONS[0]: [1317, 1317, 1458, 474, 315, 204, 136, 47],
        POPULATIONS[1]: [146, 146, 170, 47, 33, 19, 17, 6]})
    reach = disclosure.protected_shares(raw, list(POPULATIONS), by=BY)
    chart, combined = deprivation_groups(raw, reach)
    table = reach.frame[reach.frame[BY] == "Deprivation quintile"]
    assert round(sum(table["Secondary care %"]), 1) == 100.0  # as the table shows it
    assert table["Life Rooms users %"].isna().all()
    said = reach_percentages_text(reach, chart, combined)
    assert "by deprivation quintile do not" not in said
    assert "Life Rooms users by deprivation quintile are not shown" in said
    assert ("In the chart, where the least deprived fifth and people whose area is not "
            "known are combined, the percentages of the secondary-care caseload and of "
            "Life Rooms users do not add up to the whole because of rounding") in said
    # no breakdown is said both to be hidden and not to add up
    hidden = {(p, c) for p, cs in hidden_share_blocks(reach).items() for c in cs}
    assert not hidden & set(unequal_sums(reach))


def test_the_chart_states_the_sum_of_percentages_that_do_not_add_up():
    from lifetools import plots
    from lifetools.publication import _ALT_ATTR

    raw = reach_like({"Deprivation quintile": [(100, 13), (100, 13), (100, 13),
                                               (100, 13)]})
    table = disclosure.protected_shares(raw, list(POPULATIONS), by=BY)
    ax = plots.plot_reach(table, characteristic="Deprivation quintile")
    alt = getattr(ax.figure, _ALT_ATTR)
    assert "The percentages of Life Rooms users add up to 120.0%, not 100.0%" in alt
    assert "secondary care caseload add up" not in alt


def test_a_breakdown_whose_percentages_are_hidden_is_said_in_words():
    # the 4,000-person reach table showed a column of [c] under "Life Rooms users %"
    # for every breakdown, explained only by the note's list of every reason
    raw = reach_like({"Age band": [(100, 20), (100, 3), (100, 30)],
                      "Sex": [(150, 25), (150, 28)]})
    table = disclosure.protected_shares(raw, list(POPULATIONS), by=BY)
    said = hidden_shares_sentence(table)
    assert said == ("The percentages of Life Rooms users by age band are not shown: in "
                    "each of those breakdowns a count is hidden, and beside it the "
                    "percentages and the published total would give it back.")
    whole = disclosure.protected_shares(raw[raw[BY] == "Sex"], list(POPULATIONS), by=BY)
    assert hidden_shares_sentence(whole) is None


cells = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=2,
                 max_size=5)


@settings(deadline=None, max_examples=examples(60))
@given(blocks=st.lists(cells, min_size=1, max_size=3), data=st.data())
def test_shown_shares_are_of_the_published_total_and_never_beside_a_hidden_cell(
        blocks, data):
    raw = reach_like({f"c{i}": b for i, b in enumerate(blocks)})
    table = disclosure.protected_shares(raw, list(POPULATIONS), by=BY)
    assert not share_problems(table, raw)
    name = data.draw(st.sampled_from(sorted(raw[BY].unique())))
    group = data.draw(st.sampled_from(sorted(raw.loc[raw[BY] == name, "group"])))
    column = data.draw(st.sampled_from(POPULATIONS))
    carried = disclosure.carry_suppression(table, label_col="group", column=column,
                                           labels={group}, where={BY: name}, block=BY)
    assert not share_problems(carried, raw)
