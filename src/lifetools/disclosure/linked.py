"""Tables on one page that share cells: one suppression pattern for both.

Two published tables holding the same count (Life Rooms users in the least deprived
fifth, in a breakdown of characteristics and in a table of rates by deprivation) must
hide it in both or neither: a cell hidden in one only to protect another cell of its
breakdown (secondary suppression) is given back by the other table, and with it the
cell it protected (differencing across tables). :func:`hidden_labels` reads which rows
of one protected table have a column hidden; :func:`carry_suppression` hides the same
rows' cells in another, with every share or rate of those rows (made from the cell,
they would give it back).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import pandas as pd

from lifetools.disclosure.protected import Link, ProtectedTable, _mint
from lifetools.disclosure.rule_ids import rule_id
from lifetools.errors import DisclosureError

__all__ = ["LINKED", "LINKED_RULE", "carry_suppression", "follow", "followed",
           "hidden_labels", "linked_findings"]

LINKED_RULE = rule_id("linked-cell-shown")
"""The publish gate's rule: a count hidden in the followed table is shown (or can be
worked out) in the table that follows it."""
_HIDDEN = {"[c]", "[x]", ""}
"""A follower's cell that shows no number: hidden, not available, or empty."""

LINKED = "linked"
"""The reason of a cell hidden because the same count is hidden in a linked table."""


def hidden_labels(table: ProtectedTable, *, label_col: str, column: str,
                  where: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The labels (as text) of the rows of ``table`` whose ``column`` is suppressed.

    ``where``: only rows whose columns have these values (one breakdown of a table of
    several, e.g. ``{"characteristic": "Deprivation quintile"}``).
    """
    frame = table.verify().frame
    for col in (label_col, column, *(where or {})):
        if col not in frame.columns:
            raise KeyError(f"column not in the table: {col!r}")
    keep = pd.Series(True, index=frame.index)
    for col, value in (where or {}).items():
        keep &= frame[col] == value
    return frozenset(str(frame.at[row, label_col]) for row, col, _ in
                     table.record.suppressed if col == column and bool(keep.iloc[row]))


def carry_suppression(table: ProtectedTable, *, label_col: str, column: str,
                      labels: Collection[str],
                      where: Mapping[str, Any] | None = None,
                      block: str | None = None) -> ProtectedTable:
    """``table`` with ``column`` hidden in the rows labelled ``labels`` (as text).

    ``where``: only rows whose columns have these values (one breakdown of a table of
    several: a label such as "Not known" can name a row of every breakdown).

    A share of ``column`` (its share column ``"<column> %"``, as
    :func:`~lifetools.disclosure.protected_shares` names it) is hidden in every row of
    the hidden row's block (the rows with the same value of ``block``; every row when
    ``block`` is not given): a block's shares are all of one published total, so
    beside a hidden cell the shown shares and the total give the hidden cell back
    (the complementary rule), as ``protected_shares`` hides them when it hides a cell
    itself. The shares of the other count columns of the row stay shown (their counts
    and their blocks are whole). Any other share or rate of the row (role ``share`` or
    ``rate``: a rate made from the row's cell) is hidden in the row. Cells hidden here
    are recorded with the reason :data:`LINKED`; a cell already hidden stays as it
    was. The result is a protected table (the same rules record).
    """
    table.verify()
    frame = table.frame
    for col in (label_col, column, *(where or {}), *([block] if block else [])):
        if col not in frame.columns:
            raise KeyError(f"column not in the table: {col!r}")
    wanted = {str(v) for v in labels}
    derived = table.record.columns_with("share", "rate")
    counts = set(table.record.columns_with("count"))
    share_col = f"{column} %"
    of_column = share_col if share_col in derived else None
    # another count column's shares: whole, and left as they are
    others = {c for c in derived if c.endswith(" %") and c[:-2] in counts
              and c != of_column}
    keep = pd.Series(True, index=frame.index)
    for col, value in (where or {}).items():
        keep &= frame[col] == value
    suppressed = list(table.record.suppressed)

    def hide(row: int, col: str) -> None:
        if table.is_suppressed(row, col) or (row, col) in {(r, c) for r, c, _ in
                                                           suppressed}:
            return
        frame[col] = frame[col].astype("Float64" if col in derived else "Int64")
        frame.at[row, col] = pd.NA
        suppressed.append((row, col, LINKED))

    for row in range(len(frame)):
        if str(frame.at[row, label_col]) not in wanted or not bool(keep.iloc[row]):
            continue
        for col in (column, *[c for c in derived
                              if c not in (column, of_column) and c not in others]):
            hide(row, col)
        if of_column is not None:
            same = (frame[block] == frame.at[row, block]) if block else \
                pd.Series(True, index=frame.index)
            for other in frame.index[same.to_numpy()]:
                hide(int(other), of_column)
    r = table.record
    return _mint(frame, roles=r.roles, suppressed=tuple(suppressed), like=r,
                 places=r.places, bases=r.bases)


def follow(table: ProtectedTable, leader: ProtectedTable, *, label_col: str,
           column: str, leader_label_col: str, leader_column: str,
           where: Mapping[str, Any] | None = None,
           label: Callable[[str], str] = str) -> ProtectedTable:
    """``table`` following ``leader``: hidden where ``leader`` hides the same count,
    and the link recorded (:attr:`~lifetools.disclosure.ProtectionRecord.links`, beside
    the links ``table`` already had).

    A row of ``leader`` (among those matching ``where``) and a row of ``table``
    publish the same count when ``label`` of the leader's label (as text) is the
    table's label (as text): "1 (most deprived)" -> "1". Where the leader's
    ``leader_column`` is hidden, ``column`` and every share or rate of the row are
    hidden here (:func:`carry_suppression`). The link is recorded whether or not a
    cell is hidden, so the publish gate checks the two tables as published.

    The other direction is checked, not carried: a count ``table`` hides by its own
    rules where ``leader`` shows it would be given back by ``leader``, so it is
    refused (the leader, made and shown first, must hide it too). The error's
    ``labels`` name the leader's rows, so that a caller can hide them there and follow
    again: the reach report does (:func:`lifetools.reports.reach.linked_reach_equity`;
    one locality of a test population needed it).

    Raises
    ------
    KeyError
        If a column is not in its table.
    DisclosureError
        If ``table`` hides by its own rules a count ``leader`` shows; its ``labels``
        attribute holds the leader's labels (as text) of those rows, to hide in the
        leader too (:func:`carry_suppression`) before following again.
    """
    leader = leader.verify()
    hidden = hidden_labels(leader, label_col=leader_label_col, column=leader_column,
                           where=where)
    followed = carry_suppression(table, label_col=label_col, column=column,
                                 labels={label(v) for v in hidden})
    frame, lead = followed.frame, leader.frame
    keep = pd.Series(True, index=lead.index)
    for col, value in (where or {}).items():
        keep &= lead[col] == value
    own = {str(v): row for row, v in enumerate(frame[label_col].tolist())}
    rows = tuple((row, own[label(str(v))])
                 for row, v in enumerate(lead[leader_label_col].tolist())
                 if bool(keep.iloc[row]) and label(str(v)) in own)
    own_hidden = [j for i, j in rows if followed.is_suppressed(j, column)
                  and not leader.is_suppressed(i, leader_column)]
    if own_hidden:
        labels = frozenset(str(lead.at[i, leader_label_col]) for i, j in rows
                           if j in own_hidden)
        refused = DisclosureError(
            f"column {column!r} (row {own_hidden[0] + 1}) hides by its own rules a count "
            f"that the table it follows shows (column {leader_column!r}): the shown count "
            "gives it back (differencing across the two tables)",
            hint="hide the count in the followed table too before following it "
                 "(lt.disclosure.carry_suppression), then protect it again")
        refused.labels = labels  # type: ignore[attr-defined]
        raise refused
    derived = tuple(c for c in followed.record.columns_with("share", "rate") if c != column)
    r = followed.record
    link = Link(leader=leader.identity(), column=leader_column, own_column=column,
                rows=rows, with_columns=derived)
    kept = tuple(k for k in r.links if (k.leader, k.own_column) !=
                 (link.leader, link.own_column))  # following again replaces the link
    return _mint(frame.copy(), roles=r.roles, suppressed=r.suppressed, like=r,
                 places=r.places, bases=r.bases, links=(*kept, link))


def followed(follows: Any) -> list[Mapping[str, Any]]:
    """The links a stamp's ``follows`` records: one (a mapping) or several (a list of
    them, a table following two tables); anything else none. A link that is not a
    mapping is returned as an empty one, which :func:`linked_findings` refuses (a link
    it cannot read)."""
    if isinstance(follows, Mapping):
        return [follows]
    if isinstance(follows, list):
        return [f if isinstance(f, Mapping) else {} for f in follows]
    return []


def linked_findings(leader: tuple[list[str], list[list[str]]],
                    table: tuple[list[str], list[list[str]]],
                    follows: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``linked-cell-shown``: the cells of two published tables (header and rows as
    published: a page's table or a download) against the link the follower's stamp
    records (``follows``: ``column``, the followed table's header; ``columns``, the
    follower's headers that must be hidden where it is; ``rows``, the pairs of rows;
    ``own``, the follower's header of the same count, which must show a number where
    the followed table does: a count hidden in one table only is given back by the
    other, in either direction).
    Read from the cells as published, not from the protection record (verified, not
    trusted); a link that cannot be read on them is refused too. The detail names the
    columns, never a value."""
    (lead_head, lead_rows), (head, rows) = leader, table
    name, column = follows.get("table"), follows.get("column")
    if column not in lead_head:
        return [(LINKED_RULE, f"the table it follows ({name!r}) shows no column "
                 f"{column!r}: the link cannot be verified")]
    at = lead_head.index(column)
    shown = [(h, head.index(h)) for h in follows.get("columns", []) if h in head]
    own = head.index(follows["own"]) if follows.get("own") in head else None
    for pair in follows.get("rows", []):
        i, j = (pair + [None, None])[:2] if isinstance(pair, list) else (None, None)
        if not (isinstance(i, int) and isinstance(j, int)
                and 0 <= i < len(lead_rows) and 0 <= j < len(rows)):
            return [(LINKED_RULE, f"a row the link to {name!r} names is not in the "
                     "tables as published: the link cannot be verified")]
        if (own is not None and own < len(rows[j]) and rows[j][own].strip() == "[c]"
                and at < len(lead_rows[i]) and lead_rows[i][at].strip() not in _HIDDEN):
            return [(LINKED_RULE, f"column {follows['own']!r} hides a count that the table "
                     f"{name!r} shows (column {column!r}): the two tables give it back "
                     "(hide it there too)")]
        if at < len(lead_rows[i]) and lead_rows[i][at].strip() == "[c]":
            for header, k in shown:
                if k < len(rows[j]) and rows[j][k].strip() not in _HIDDEN:
                    return [(LINKED_RULE, f"column {header!r} shows a number in a row "
                             f"whose count the table {name!r} hides (column "
                             f"{column!r}): the two tables give it back (hide it here "
                             "too: lt.disclosure.follow)")]
    return []
