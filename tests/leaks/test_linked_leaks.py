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

import numpy as np
import pandas as pd
import pytest
from runfolder import RunFolder, display
from test_leaks import refused

from lifetools import disclosure, publication, tables
from lifetools.disclosure import linked
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate import scan_notebook
from lifetools.reports.reach import DEPRIVATION, linked_equity, protected_shares

RULE = "linked-cell-shown"
USERS = [40, 30, 25, 20, 15]  # fifths 1 (most deprived) to 5; 5 users not known


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    monkeypatch.setattr(tables, "_SHOWN", {})
    return RunFolder(tmp_path, monkeypatch)


def _people() -> pd.DataFrame:
    rows = []
    for q, used in enumerate(USERS, start=1):
        rows += [(q, 1)] * used + [(q, 0)] * (200 - used)
    rows += [(np.nan, 1)] * 5 + [(np.nan, 0)] * 45
    return pd.DataFrame(rows, columns=["imd_quintile", "used"]).assign(one=1.0)


def _reach(people: pd.DataFrame) -> disclosure.ProtectedTable:
    labels = people["imd_quintile"].map(
        lambda q: "Not known" if pd.isna(q) else f"{int(q)}"
        + (" (most deprived)" if q == 1 else " (least deprived)" if q == 5 else ""))
    table = pd.DataFrame({
        "Secondary care": labels.value_counts(),
        "Life Rooms users": labels[people["used"] == 1].value_counts()}).fillna(0)
    table = table.astype("int64").rename_axis("group").reset_index()
    table.insert(0, "characteristic", DEPRIVATION)
    return protected_shares(disclosure.declare_totals(table, totals="columns",
                                                      by="characteristic"),
                            ["Secondary care", "Life Rooms users"])


def _show(table, name: str) -> dict:
    return display(tables.show_table(table, name=name, caption=f"The {name} table"))


def test_linked_tables_as_the_reach_page_shows_them_pass(run):
    people = _people()
    reach = _reach(people)
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
    people = _people()
    reach = _reach(people)
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
    people = _people()
    reach = _reach(people)
    _show(reach, "reach")  # shown, but its output left off the page and its file
    (run.files / "tables" / "reach.csv").unlink()
    cell = run.code(_show(linked_equity(people, reach).rates, "equity-rates"))
    message = refused(run.write(), cell, RULE)
    assert "cannot be verified" in message
    assert re.search(rf"file [^:,]*equity-rates\.csv[,:][^\n]*{RULE}", message), message


def test_a_linked_table_shown_before_the_table_it_follows_is_refused_at_source(run):
    people = _people()
    rates = linked_equity(people, _reach(people)).rates
    with pytest.raises(DisclosureError, match="has not been shown"):
        _show(rates, "equity-rates")
