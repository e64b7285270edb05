"""Linked tables checked on the published bytes (issue 12, D2; note 2b).

The reach page publishes Life Rooms users by deprivation fifth twice: in the reach
(characteristics) table and in the equity table, which follows it
(:func:`lifetools.disclosure.follow`). The equity table's stamp records the table it
follows, its column and the rows holding the same counts; the gate reads both tables
as published (the page and the downloads) and refuses a number in the equity table
where the reach table hides the count (``linked-cell-shown``), whatever the library
did. ``show_table`` runs the same check at source.
"""

from __future__ import annotations

import re

import pytest
from linked_reach import leader_and_follower, population, reach_table
from runfolder import RunFolder, display
from test_leaks import refused

from lifetools import publication, tables
from lifetools.disclosure import linked
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import scan_notebook
from lifetools.reports.reach import linked_equity

RULE = "linked-cell-shown"


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    monkeypatch.setattr(tables, "_SHOWN", {})
    return RunFolder(tmp_path, monkeypatch)


def _show(table, name: str) -> dict:
    return display(tables.show_table(table, name=name, caption=f"The {name} table"))


def test_linked_tables_as_the_reach_page_shows_them_pass(run):
    people = population()
    reach = reach_table(people)
    run.code(_show(reach, "reach"))
    output = _show(linked_equity(people, reach).rates, "equity-rates")
    follows = output["metadata"][publication.STAMP_KEY]["rules"]["follows"]
    assert follows["table"] == "reach" and follows["column"] == "Life Rooms users"
    assert len(follows["rows"]) == 5
    run.code(output)
    assert scan_notebook(run.write()) == []


def test_linked_leaks_an_equity_cell_showing_what_the_reach_table_hides(run):
    # the library's linking broken: the equity table records the link but hides
    # nothing, so it shows the least deprived fifth's users, which the reach table
    # hides to protect "Not known" (the users' total less the fifths gives it back)
    people = population()
    reach = reach_table(people)
    run.code(_show(reach, "reach"))
    run.monkeypatch.setattr(linked, "carry_suppression", lambda table, **_: table)
    rates = linked_equity(people, reach).rates
    assert not rates.record.suppressed and rates.record.link is not None
    output = run.past_source(lambda: _show(rates, "equity-rates"), RULE)
    cell = run.code(output)
    message = refused(run.write(), cell, RULE)
    assert "column 'Life Rooms users'" in message and "'reach'" in message, message
    # the downloads are read the same way
    assert re.search(rf"file [^:,]*equity-rates\.csv[,:][^\n]*{RULE}", message), message


def test_linked_leaks_a_followed_table_missing_from_the_page_is_refused(run):
    people = population()
    reach = reach_table(people)
    _show(reach, "reach")  # shown, but its output left off the page and its file
    (run.files / "tables" / "reach.csv").unlink()
    cell = run.code(_show(linked_equity(people, reach).rates, "equity-rates"))
    message = refused(run.write(), cell, RULE)
    assert "cannot be verified" in message
    assert re.search(rf"file [^:,]*equity-rates\.csv[,:][^\n]*{RULE}", message), message


def test_a_linked_table_shown_before_the_table_it_follows_is_refused_at_source(run):
    people = population()
    rates = linked_equity(people, reach_table(people)).rates
    with pytest.raises(DisclosureError, match="has not been shown"):
        _show(rates, "equity-rates")


def _two_links(run) -> tuple:
    visits, by_visits = leader_and_follower("visits", "Wirral")
    users, by_users = leader_and_follower("users", "Knowsley")
    run.code(_show(visits, "visits"))
    run.code(_show(users, "users"))
    return by_visits, by_users


def test_merged_linked_tables_pass_with_a_link_to_each_table(run):
    # two linked tables merged follow both tables: the stamp lists both links
    by_visits, by_users = _two_links(run)
    output = _show(by_visits.merge(by_users, on="group"), "both")
    assert [f["table"] for f in
            output["metadata"][publication.STAMP_KEY]["rules"]["follows"]] == [
        "visits", "users"]
    run.code(output)
    assert scan_notebook(run.write()) == []


def test_linked_leaks_a_merged_table_showing_what_its_second_link_hides(run):
    # the second table's linking broken (its link recorded, nothing hidden): the gate
    # reads every link of the list, on the page and in the download
    by_visits, _ = _two_links(run)
    run.monkeypatch.setattr(linked, "carry_suppression", lambda table, **_: table)
    _, broken = leader_and_follower("users", "Knowsley")
    merged = by_visits.merge(broken, on="group")
    cell = run.code(run.past_source(lambda: _show(merged, "both"), RULE))
    message = refused(run.write(), cell, RULE)
    assert "table 'users' hides" in message and "'visits' hides" not in message, message
    assert re.search(rf"file [^:,]*both\.csv[,:][^\n]*{RULE}", message), message


def _after_a_sentence(run) -> tuple:
    """A hazard-ratio table whose every model is withheld (the page shows it as a
    sentence), then a table of events by model that follows it, as an analyst links
    two tables sharing their rows."""
    import pandas as pd
    from test_cell_leaks import _withheld_models

    from lifetools import disclosure

    # fits that did not converge ([x]): a [c] would be a hidden value the follower's
    # declared counts give back (linked-cell-shown), since wave 42 a model the release
    # rule withheld for too few events reads [c]
    models = tables.show_table(_withheld_models(failed_fit=True), name="hr",
                               caption="Hazard ratios")
    assert models.sentence
    run.code(display(models))
    events = disclosure.protect_counts(pd.DataFrame(
        {"model": ["Cox", "Fine-Gray"], "events": [120, 240]}), ["events"])
    return models, disclosure.follow(events, models.table, label_col="model",
                                     column="events", leader_label_col="model",
                                     leader_column="hazard ratio (95% CI)")


def test_a_table_following_one_shown_as_a_sentence_is_published(run):
    # the followed table shows no value (a sentence in its place), so nothing can be
    # given back: show_table checks the link on its cells and stamps none, which the
    # gate would refuse (no table on the page to check it against); it stamped the
    # link, and the build the notebook passed was refused by the gate
    _, follower = _after_a_sentence(run)
    output = _show(follower, "events")
    assert "follows" not in output["metadata"][publication.STAMP_KEY]["rules"]
    run.code(output)
    assert scan_notebook(run.write()) == []


def test_linked_leaks_a_link_stamped_to_a_sentence_is_refused(run):
    # an older library (or a forged stamp) records the link to the table shown as a
    # sentence: the gate has no cells on the page to check it against
    models, follower = _after_a_sentence(run)
    name, head, rows, _ = tables._SHOWN[models.table.identity()]
    tables._SHOWN[models.table.identity()] = (name, head, rows, False)
    output = _show(follower, "events")
    assert output["metadata"][publication.STAMP_KEY]["rules"]["follows"]["table"] == "hr"
    cell = run.code(output)
    message = refused(run.write(), cell, RULE)
    assert "('hr') the page does not show as a sealed table" in message
