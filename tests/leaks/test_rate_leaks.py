"""A published rate verified against its published numerator and denominator (issue 12,
wave 21).

The gate checked a rate column only for its decimal places: a rate edited by hand in
``tables/<name>.csv``, or one giving back an unrounded count (rate x person-years / per
= 21 where the events are published as 20), was published. ``rates_table`` now records
each rate's numerator, denominator and multiplier (``rate_headers`` in the stamp) and
the gate recomputes the rate from the published cells (``rate-not-from-published-counts``).
Wave 22: and its confidence limits, by the method the record names (exact Poisson),
from the same cells: a limit of the raw count, or edited, passed the old gate.
"""

from __future__ import annotations

import pandas as pd
import pytest
from runfolder import RunFolder, display
from test_leaks import refused

from lifetools import tables
from lifetools.disclosure import rates_table
from lifetools.pipeline.gate import scan_notebook

RULE = "rate-not-from-published-counts"


@pytest.fixture
def run(tmp_path, monkeypatch) -> RunFolder:
    return RunFolder(tmp_path, monkeypatch)


def _rates(per: float) -> object:
    # 20 events over 55 person-years a group (40 people of 1.37 years)
    frame = pd.DataFrame({"group": ["Sefton"] * 40 + ["Knowsley"] * 40,
                          "events": [1, 0] * 40, "years": [1.37] * 80})
    return rates_table(frame, group_cols="group", event_col="events",
                       person_time_col="years", per=per)


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize("per", [1.0, 1000.0])
def test_rate_leaks_rates_as_the_rule_made_them_pass(run, per):
    run.code(display(tables.show_table(_rates(per), name="rates", caption="Rates")))
    assert scan_notebook(run.write()) == []


@pytest.mark.parametrize(("per", "old", "new"), [
    (1000.0, "363.64", "381.82"),  # 21 events per 55 person-years: the unrounded count
    (1000.0, "363.64", "363.70"),  # a hand edit within no rounding of the rule's
    (1.0, "0.36", "0.38"),
])
def test_rate_leaks_a_hand_edited_rate_in_a_download_is_refused(run, per, old, new):
    run.code(display(tables.show_table(_rates(per), name="rates", caption="Rates")))
    path = run.write()
    _edit(run.files / "tables" / "rates.csv", old, new)
    message = refused(path, None, RULE, "files/tables/rates.csv")
    assert "column 'Rate', row 1" in message and new not in message


# -- a rate's confidence limits (wave 22) ----------------------------------------------
# The exact (Garwood) limits are a function of the count alone: from the raw count they
# give it back beside the rounded one. The rule computes them from the published
# events and person-years; the gate recomputes them from the published cells.

def _raw_rates() -> object:
    # 22 events (published 20) among 40 people of 1.37 years (published 55 person-years)
    frame = pd.DataFrame({"group": ["Sefton"] * 40, "events": [1] * 22 + [0] * 18,
                          "years": [1.37] * 40})
    return rates_table(frame, group_cols="group", event_col="events",
                       person_time_col="years", per=1000.0)


def test_rate_leaks_limits_as_the_rule_made_them_pass(run):
    run.code(display(tables.show_table(_raw_rates(), name="rates", caption="Rates")))
    path = run.write()
    row = (run.files / "tables" / "rates.csv").read_text().splitlines()[1]
    # the Garwood limits of the published 20 events over 55 person-years, per 1,000
    assert row.endswith(",363.64,222.12,561.61")
    assert scan_notebook(path) == []


@pytest.mark.parametrize(("old", "new"), [
    ("222.12", "250.68"),  # the lower limit of the raw 22 events: gives 22 back
    ("561.61", "605.60"),  # the upper limit of the raw 22 events
    ("222.12", "222.20"),  # a hand edit
])
def test_rate_leaks_limits_from_the_raw_count_in_a_download_are_refused(run, old, new):
    run.code(display(tables.show_table(_raw_rates(), name="rates", caption="Rates")))
    path = run.write()
    _edit(run.files / "tables" / "rates.csv", old, new)
    message = refused(path, None, RULE, "files/tables/rates.csv")
    column = "Lower 95% limit" if old == "222.12" else "Upper 95% limit"
    assert f"column {column!r}, row 1" in message and new not in message


# -- shares (wave 42) --------------------------------------------------------------------
# A share of people beside its counts, and a breakdown's block of percentages, were
# trusted by the gate: edited in the download, or shown beside a hidden count of their
# block, they were published.

def _feedback() -> object:
    from lifetools.disclosure import shares_table

    # 13 of 47 agreeing: published 15 of 45, 33.3% (16.9 to 54.4)
    return shares_table(pd.DataFrame({"question": ["Felt welcome"], "agreeing": [13],
                                      "asked": [47]}),
                        numerator="agreeing", denominator="asked")


def _reach() -> object:
    from lifetools.disclosure import protected_shares

    frame = pd.DataFrame({"characteristic": ["Sex"] * 2 + ["Locality"] * 3,
                          "group": ["Female", "Male", "Sefton", "Knowsley", "Liverpool"],
                          "Life Rooms users": [44, 36, 30, 47, 3]})
    return protected_shares(frame, ["Life Rooms users"], by="characteristic")


@pytest.mark.parametrize("make", [_feedback, _reach])
def test_share_leaks_shares_as_the_rule_made_them_pass(run, make):
    run.code(display(tables.show_table(make(), name="shares", caption="Shares")))
    assert scan_notebook(run.write()) == []


@pytest.mark.parametrize(("make", "old", "new", "column"), [
    (_feedback, ",33.3,", ",27.7,", "Per cent"),  # 13 of 47: the unrounded counts
    (_feedback, ",54.4", ",41.8", "Upper 95% limit"),  # the raw counts' Wilson limit
    (_reach, "[c],[c]\n", "[c],37.5\n", "Life Rooms users %"),  # beside hidden counts
    (_reach, ",56.2\n", ",55.0\n", "Life Rooms users %"),  # 44 of 80, unrounded
])
def test_share_leaks_an_edited_share_in_a_download_is_refused(run, make, old, new, column):
    run.code(display(tables.show_table(make(), name="shares", caption="Shares")))
    path = run.write()
    csv = run.files / "tables" / "shares.csv"
    _edit(csv, old, new)
    message = refused(path, None, RULE, "files/tables/shares.csv")
    assert f"column '{column}', row" in message


# -- a block's shares without their counts (wave 43) -------------------------------------
# A selection of the breakdown (or a figure's data) that leaves out the count column
# was passed unchecked: nothing beside the shares to check them against. The record now
# keeps each block's published total (breakdown_share_totals), and a share shown
# without its counts must be a published count over it; a share of a block whose
# shares the rule hid (a hidden count in it) is refused.

def _reach_shares() -> object:
    return _reach().select(["characteristic", "group", "Life Rooms users %"])


def _shares_figure(run) -> None:
    import matplotlib.pyplot as plt

    from lifetools import publication

    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [56.2, 43.8])
    publication._mark_protected(fig, data={"": _reach_shares()})
    shown = publication.show_figure(fig, name="reach", alt="Bars", caption="Reach")
    plt.close(fig)
    run.code(display(shown))


def test_share_leaks_shares_without_their_counts_as_the_rule_made_them_pass(run):
    run.code(display(tables.show_table(_reach_shares(), name="shares", caption="Shares")))
    _shares_figure(run)
    assert "Life Rooms users," not in (run.files / "tables" / "shares.csv").read_text()
    assert scan_notebook(run.write()) == []


@pytest.mark.parametrize(("folder", "old", "new", "row"), [
    # 44 of 80 as counted (published 45 of 80: 56.2%): the unrounded count
    ("tables", ",56.2\n", ",55.0\n", 1),
    ("figures", ",56.2\n", ",55.0\n", 1),
    # 30 of the locality block's 80, a block with a hidden count (3): the hidden sum back
    ("tables", "Sefton,[c]\n", "Sefton,37.5\n", 3),
    ("figures", "Sefton,[c]\n", "Sefton,37.5\n", 3),
])
def test_share_leaks_shares_without_their_counts_edited_are_refused(run, folder, old,
                                                                    new, row):
    if folder == "tables":
        run.code(display(tables.show_table(_reach_shares(), name="reach",
                                           caption="Shares")))
    else:
        _shares_figure(run)
    path = run.write()
    _edit(run.files / folder / "reach.csv", old, new)
    message = refused(path, None, RULE, f"files/{folder}/reach.csv")
    assert f"column 'Life Rooms users %', row {row}" in message and new not in message
