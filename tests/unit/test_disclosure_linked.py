"""Linked tables on one page (issue 12, D2): one suppression pattern for both.

The reach page published Life Rooms users by deprivation fifth twice: in the
characteristics table (the least deprived fifth hidden, secondary suppression
protecting "Not known") and in the equity table (the same fifth shown). The users'
total minus the five fifths gave "Not known" back. The equity table now hides what the
characteristics table hides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linked_reach import NOT_KNOWN, USERS, leader_and_follower, population, reach_table

from lifetools import disclosure
from lifetools.disclosure.downloads import withheld_models_note
from lifetools.errors import DisclosureError
from lifetools.inequality import equity_summary
from lifetools.reports.reach import DEPRIVATION, linked_equity


def _not_known_from(reach: disclosure.ProtectedTable, equity_rates) -> int | None:
    """What a reader works out: the users' total minus the fifths the pages show."""
    total = disclosure.protect_count(sum(USERS) + NOT_KNOWN)
    shown = reach.frame
    shown = shown[shown["group"] != "Not known"].reset_index(drop=True)
    fifths = []
    for row in range(len(shown)):
        cell = shown.at[row, "Life Rooms users"]
        if pd.isna(cell):
            frame = equity_rates.frame  # the same fifth elsewhere
            cell = frame.at[row, "users" if "users" in frame else "events"]
        if pd.isna(cell):
            return None
        fifths.append(int(cell))
    return total - sum(fifths)


def test_the_characteristics_table_hides_a_fifth_to_protect_not_known():
    reach = reach_table(population())
    assert disclosure.hidden_labels(reach, label_col="group", column="Life Rooms users",
                                    where={"characteristic": DEPRIVATION}) == \
        {"Not known", "5 (least deprived)"}


def test_unlinked_tables_give_the_hidden_cell_back():
    people = population()
    old = equity_summary(people, event_col="used", person_time_col="one",
                         label="Life Rooms users", per=1000)  # as the page was made
    assert _not_known_from(reach_table(people), old.rates) == NOT_KNOWN


def test_linked_tables_do_not():
    people = population()
    reach = reach_table(people)
    equity = linked_equity(people, reach)
    assert _not_known_from(reach, equity.rates) is None
    rates = equity.rates.frame
    assert rates["users"].isna().tolist() == [False] * 4 + [True]
    assert rates.loc[4, ["users_per_1000", "ci_lower", "ci_upper"]].isna().all()
    assert rates.loc[4, "people"] == 200  # the population is not the shared count
    assert (4, "users", disclosure.LINKED) in equity.rates.record.suppressed
    assert equity.summary["estimate"].isna().all()  # the slope would give it back
    # the reason names the fifth whose counts the table hides (it said "the counts of
    # a deprivation fifth are suppressed", which fifth left to the reader, until wave
    # 39: issue 15, the 30,000-person reach page)
    fifth = "the counts for the least deprived fifth of areas are suppressed"
    assert equity.withheld == (fifth,)
    release = disclosure.model_release(equity, data=people.dropna(), event_col="used",
                                       level_cols=["imd_quintile"],
                                       withheld=equity.withheld)
    assert release.reasons == equity.withheld  # not "the interval reaches 0 or infinity"
    # held back by a disclosure rule, not failed: "not shown", never "could not be
    # estimated" (the reach page said that beside "are not shown", wave 37)
    assert release.headline == "not shown"
    assert release.withheld == f"not shown: {fifth}"
    table = release.estimates(equity.summary)
    note = withheld_models_note(
        [w for w in table.frame["withheld"].dropna().unique() if w])
    # a disclosure rule withheld it: [c] (wave 42)
    assert note == f"The numbers marked [c] are not shown: {fifth}."
    # a fit's own failure still reads "could not be estimated"
    failed = disclosure.model_release(equity, data=people.dropna(), event_col="used",
                                      level_cols=["imd_quintile"], converged=False)
    assert failed.headline == "could not be estimated"
    equity.rates.verify()
    assert equity_summary(people, event_col="used", person_time_col="one"
                          ).withheld == ()


def test_carry_suppression_keeps_what_was_hidden_and_refuses_unknown_columns():
    people = population()
    rates = equity_summary(people, event_col="used", person_time_col="one").rates
    label = rates.columns[0]
    again = disclosure.carry_suppression(rates, label_col=label, column="events",
                                         labels={"5"})
    twice = disclosure.carry_suppression(again, label_col=label, column="events",
                                         labels={"5"})
    assert twice.record.suppressed == again.record.suppressed
    with pytest.raises(KeyError):
        disclosure.carry_suppression(rates, label_col=label, column="crises",
                                     labels={"5"})


def test_the_link_is_recorded_with_the_rows_holding_the_same_count():
    people = population()
    reach = reach_table(people)
    link = linked_equity(people, reach).rates.record.link
    assert link is not None and link.leader == reach.identity()
    assert (link.column, link.own_column) == ("Life Rooms users", "users")
    assert set(link.with_columns) == {"users_per_1000", "ci_lower", "ci_upper"}
    groups = reach.frame["group"].tolist()
    # each fifth of the reach table with the equity table's row of that fifth
    assert [(groups[i].split(" ")[0], j) for i, j in link.rows] == \
        [(str(q), q - 1) for q in range(1, 6)]
    # recorded even when nothing is hidden (the gate checks the tables as published)
    more = pd.concat([people, pd.DataFrame({"imd_quintile": [np.nan] * 60,
                                            "used": [1] * 60, "one": 1.0})])
    shown = reach_table(more)
    assert not shown.record.suppressed
    assert linked_equity(more, shown).rates.record.link.rows == link.rows


def test_the_link_follows_the_table_through_rows_renames_and_selections():
    people = population()
    rates = linked_equity(people, reach_table(people)).rates
    link = rates.record.link
    kept = rates.rows([True, False, True, True, True]).record.link
    assert [j for _, j in kept.rows] == [0, 1, 2, 3]
    assert [i for i, _ in kept.rows] == [i for i, j in link.rows if j != 1]
    backwards = rates.sort_values("users", ascending=False).record.link
    assert sorted(i for i, _ in backwards.rows) == sorted(i for i, _ in link.rows)
    renamed = rates.rename(columns={"users": "n_users"}).record.link
    assert renamed.own_column == "n_users"
    assert rates.select([rates.columns[0], "people"]).record.link is None
    assert rates.drop(columns="users").record.link.with_columns == link.with_columns


def test_linked_equity_columns_say_what_they_count(tmp_path, monkeypatch):
    # each person counts once: the page showed "People" beside "Person-years" (the
    # same number) and "Events" for Life Rooms users; it now shows people, users and
    # users per 1,000 people, and the CSV's names and notes say the same
    from lifetools.labels import column_label
    from lifetools.tables import show_table

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    people = population()
    reach = reach_table(people)
    equity = linked_equity(people, reach)
    show_table(reach, name="reach", caption="Reach")  # the table it follows, first
    rates = equity.rates.frame
    assert list(rates.columns) == ["IMD quintile (1 = most deprived)", "people",
                                   "users", "users_per_1000", "ci_lower", "ci_upper"]
    # the rate is computed from the people count shown (one person-year a person)
    shown = rates["users"].notna()
    assert rates.loc[shown, "users_per_1000"].astype(float).tolist() == pytest.approx(
        (1000 * rates.loc[shown, "users"].astype(float)
         / rates.loc[shown, "people"].astype(float)).tolist())
    table = show_table(equity.rates, name="equity-rates", caption="Users by fifth")
    assert list(table.words.columns) == [
        "IMD quintile (1 = most deprived)", "People", "Life Rooms users",
        "Life Rooms users per 1,000 people", "Lower 95% limit", "Upper 95% limit"]
    assert "Person-years" not in table.note  # no person-years are shown
    written = (tmp_path / "tables" / "equity-rates.csv").read_text().splitlines()
    assert written[0] == ("IMD quintile (1 = most deprived),people,users,"
                          "users_per_1000,ci_lower,ci_upper")
    notes = (tmp_path / "tables" / "notes.txt").read_text()
    for name in ("people", "users", "users_per_1000"):
        assert f"  {name}: {column_label(name)}; unit: " in notes
    assert "users_per_1000: Life Rooms users per 1,000 people; unit: Life Rooms " \
        "users per 1,000 people" in notes


def test_merged_linked_tables_follow_both_tables_verified():
    # the union of the two links, each moved to the rows its table's rows landed in
    visits, by_visits = leader_and_follower("visits", "Wirral")
    users, by_users = leader_and_follower("users", "Knowsley")
    merged = by_visits.merge(by_users.rows([False, True, True, True]), on="group",
                             how="right")
    merged.verify()
    assert merged.frame["group"].tolist() == ["Knowsley", "Wirral", "Halton"]
    links = {k.leader: k for k in merged.record.links}
    assert set(links) == {visits.identity(), users.identity()}
    assert links[visits.identity()].rows == ((1, 0), (2, 1), (3, 2))
    assert links[users.identity()].rows == ((1, 0), (2, 1), (3, 2))
    assert merged.is_suppressed(1, "visits here") and merged.is_suppressed(0, "users here")
    assert not merged.is_suppressed(0, "visits here")
    with pytest.raises(ValueError, match="follows several tables"):
        merged.record.link  # noqa: B018 (one link is asked for)


def test_merged_linked_table_is_stamped_and_checked_for_each_link(tmp_path, monkeypatch):
    from lifetools import tables

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    monkeypatch.setattr(tables, "_SHOWN", {})
    visits, by_visits = leader_and_follower("visits", "Wirral")
    users, by_users = leader_and_follower("users", "Knowsley")
    merged = by_visits.merge(by_users, on="group")
    tables.show_table(visits, name="visits", caption="Visits")
    with pytest.raises(DisclosureError, match="'users' has not been shown|has not been "
                       "shown"):
        tables.show_table(merged, name="both", caption="Both")
    tables.show_table(users, name="users", caption="Users")
    shown = tables.show_table(merged, name="both", caption="Both")
    follows = shown.rules["follows"]
    assert [f["table"] for f in follows] == ["visits", "users"]
    assert shown.frame["visits here"].tolist() == ["95", "120", "[c]", "40"]
    assert shown.frame["users here"].tolist() == ["95", "[c]", "60", "40"]


def test_merging_a_linked_table_with_the_table_it_follows_is_refused():
    visits, by_visits = leader_and_follower("visits", "Wirral")
    for left, right in ((by_visits, visits), (visits, by_visits)):
        with pytest.raises(DisclosureError, match="one protected table follows the "
                           "other"):
            left.merge(right, on="group")


def test_merged_links_refuse_a_cell_a_link_hid_shown_where_it_landed():
    # the verification of the union on the merged table: a cell hidden by the link
    # in its table and shown in the row it landed in is refused (a merge that lost it)
    from lifetools.disclosure.protected import _merged_links

    _, by_visits = leader_and_follower("visits", "Wirral")
    _, by_users = leader_and_follower("users", "Knowsley")
    frame = by_visits.frame.merge(by_users.frame, on="group")
    origin = [0, 1, 2, 3]
    kept = tuple(c for c in by_visits.record.suppressed + by_users.record.suppressed)
    assert _merged_links(by_visits, by_users, frame, ((by_visits.record, origin),
                                                      (by_users.record, origin)), kept)
    lost = tuple(c for c in kept if c[1] != "visits here")
    with pytest.raises(DisclosureError, match=r"column 'visits here' \(row 3\) of the "
                       "merged table shows a count its linked table hid"):
        _merged_links(by_visits, by_users, frame, ((by_visits.record, origin),
                                                   (by_users.record, origin)), lost)


def test_following_again_replaces_the_link_following_another_adds_one():
    visits, by_visits = leader_and_follower("visits", "Wirral")
    again = disclosure.follow(by_visits, visits, label_col="group", column="visits here",
                              leader_label_col="group", leader_column="visits")
    assert again.record.links == by_visits.record.links
    users = disclosure.protect_counts(pd.DataFrame({
        "group": ["Sefton", "Knowsley", "Wirral", "Halton"], "users": [40, 3, 2, 60]}),
        ["users"])
    both = disclosure.follow(by_visits, users, label_col="group", column="visits here",
                             leader_label_col="group", leader_column="users")
    assert [k.leader for k in both.record.links] == [visits.identity(), users.identity()]
    assert both.is_suppressed(1, "visits here") and both.is_suppressed(2, "visits here")


def _reach_and_equity_hiding(users: list[int], not_known: int):
    """The reach page's two tables on a population whose fifths have ``users`` users
    (of 200 people each) and ``not_known`` users with no fifth (of 50)."""
    rows = []
    for q, used in enumerate(users, start=1):
        rows += [(q, 1)] * used + [(q, 0)] * (200 - used)
    rows += [(np.nan, 1)] * not_known + [(np.nan, 0)] * (50 - not_known)
    people = pd.DataFrame(rows, columns=["imd_quintile", "used"]).assign(one=1.0)
    reach = reach_table(people)
    return reach, linked_equity(people, reach).rates


@pytest.mark.parametrize(("users", "not_known"), [
    ([40, 30, 25, 20, 3], 20),   # the equity table hides a fifth by its own rule
    ([40, 5, 25, 2, 15], 30),    # two fifths of its own
    ([40, 30, 25, 20, 3], 5),    # its own and the reach table's secondary cell
])
def test_equity_hides_a_fifth_of_its_own_only_where_the_reach_table_hides_it(users,
                                                                            not_known):
    # the other direction: every fifth whose users the equity table hides by its own
    # rules is hidden in the reach table too, so neither gives the other's back
    reach, rates = _reach_and_equity_hiding(users, not_known)
    own = {r for r, c, why in rates.record.suppressed
           if c == "users" and why != disclosure.LINKED}
    assert own  # the equity table does hide a cell of its own
    groups = [g.split(" ")[0] for g in reach.frame["group"]]
    hidden_in_reach = {groups[r] for r, c, _ in reach.record.suppressed
                       if c == "Life Rooms users"}
    labels = rates.frame[rates.columns[0]].astype(str).tolist()
    assert {labels[r] for r in own} <= hidden_in_reach


def test_a_follower_hiding_a_count_its_leader_shows_is_refused():
    # a follower whose own rule hides a count the table it follows shows (stricter
    # rules there): the shown count gives the hidden one back
    groups = ["Sefton", "Knowsley", "Wirral", "Halton"]
    leader = disclosure.protect_counts(pd.DataFrame({"group": groups,
                                                     "users": [40, 9, 50, 60]}), ["users"])
    strict = disclosure.protect_counts(pd.DataFrame({"group": groups,
                                                     "users here": [40, 9, 50, 60]}),
                                       ["users here"], profile="threshold-10")
    with pytest.raises(DisclosureError, match=r"column 'users here' \(row 2\) hides by "
                       "its own rules a count that the table it follows shows"):
        disclosure.follow(strict, leader, label_col="group", column="users here",
                          leader_label_col="group", leader_column="users")


def test_linked_findings_refuse_a_count_hidden_only_in_the_follower():
    follows = {"table": "reach", "column": "Users", "columns": ["Users here"],
               "own": "Users here", "rows": [[0, 0], [1, 1]]}
    leader = (["Group", "Users"], [["A", "40"], ["B", "15"]])
    assert disclosure.linked_findings(leader, (["Group", "Users here"],
                                               [["A", "40"], ["B", "15"]]), follows) == []
    found = disclosure.linked_findings(leader, (["Group", "Users here"],
                                                [["A", "40"], ["B", "[c]"]]), follows)
    assert found == [(disclosure.LINKED_RULE, "column 'Users here' hides a count that "
                      "the table 'reach' shows (column 'Users'): the two tables give it "
                      "back (hide it there too)")]


def test_suppressed_fifths_named_in_group_words_in_order():
    from lifetools.inequality import suppressed_fifths

    assert suppressed_fifths([3]) == "the counts for the middle fifth of areas are suppressed"
    assert suppressed_fifths([5, 2.0, "3"]) == (
        "the counts for the second most deprived fifth, the middle fifth and the least "
        "deprived fifth of areas are suppressed")
    # a reason the publish gate reads as one value's rule is never written
    from lifetools.disclosure.withheld import rule_reason_named

    assert rule_reason_named(suppressed_fifths([1, 2, 3, 4, 5])) == ""
