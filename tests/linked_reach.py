"""The reach page's two linked tables built from a small synthetic population, for the
unit tests of linked suppression (tests/unit/test_disclosure_linked.py) and the leak
tests of the gate's linked-cell rule (tests/leaks/test_linked_leaks.py); and two small
linked tables of four groups (:func:`leader_and_follower`) for merges of linked tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifetools import disclosure
from lifetools.reports.reach import DEPRIVATION, protected_shares

USERS = [40, 30, 25, 20, 15]  # fifths 1 (most deprived) to 5
NOT_KNOWN = 5  # users with no deprivation fifth: a count from 1 to 7


def population() -> pd.DataFrame:
    """200 people a fifth (``USERS`` of them users) and 50 with no fifth (``NOT_KNOWN``
    users): one row a person, ``used`` 0/1 and one person-year each (``one``)."""
    rows = []
    for q, used in enumerate(USERS, start=1):
        rows += [(q, 1)] * used + [(q, 0)] * (200 - used)
    rows += [(np.nan, 1)] * NOT_KNOWN + [(np.nan, 0)] * 45
    return pd.DataFrame(rows, columns=["imd_quintile", "used"]).assign(one=1.0)


def reach_table(people: pd.DataFrame) -> disclosure.ProtectedTable:
    """The reach table's deprivation block of ``people``, protected as the page shows it."""
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


def leader_and_follower(column: str, hidden: str, values=(95, 120, 60, 40)
                        ) -> tuple[disclosure.ProtectedTable, disclosure.ProtectedTable]:
    """A table whose count ``column`` hides the group ``hidden`` (3 people there) and a
    table of the same groups following it (its ``column`` + " here")."""
    groups = ["Sefton", "Knowsley", "Wirral", "Halton"]
    counts = [3 if g == hidden else v for g, v in zip(groups, values, strict=True)]
    leader = disclosure.protect_counts(pd.DataFrame({"group": groups, column: counts}),
                                       [column])
    own = f"{column} here"
    follower = disclosure.follow(
        disclosure.protect_counts(pd.DataFrame({"group": groups, own: list(values)}),
                                  [own]),
        leader, label_col="group", column=own, leader_label_col="group",
        leader_column=column)
    return leader, follower
