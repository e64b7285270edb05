"""Protecting tables of counts, and the check every display runs on what it is given.

:func:`protect_counts` is the maker of protected count tables; :func:`protected_count`
of single protected counts; :func:`require_table` is what ``show_table``, the CSV
writer and the plots call: it returns a verified :class:`ProtectedTable` or raises
:class:`DisclosureError` naming the column.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lifetools.disclosure.acro_check import acro_count_verdict, acro_enabled
from lifetools.disclosure.copies import require_copy_kept
from lifetools.disclosure.flow import (
    STEP_JOIN,
    chain,
    check_parents,
    flow_hidden,
    merge_plan,
    merged_parents,
    zero_steps,
)
from lifetools.disclosure.groups import GROUP_REASON, whole_group_cells
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.protected import (
    ProtectedTable,
    ProtectedValue,
    _mint,
    _value,
    require_suppressed_kept,
)
from lifetools.disclosure.rules import (
    Totals,
    hide_secondary,
    protect_count,
    suppress_secondary,
    totals_groups,
)
from lifetools.errors import DisclosureError, DisclosureWarning

__all__ = ["DENOMINATOR", "PROTECTION_ATTR", "TOTALS_ATTR", "declare_totals",
           "protect_counts", "protect_flow", "protected_count", "require_count", "require_table"]

DENOMINATOR = "people"
"""The default group-size column (``denominator`` of :func:`protect_counts`): the
count column that is the group size of its row. In a protected table whose counts
include it, every other count of a row whose group size is suppressed is an outcome
of that group (crises, events, users) and is suppressed too (reason ``denominator
suppressed``): "0 crises" beside a hidden group of 1 to 10 people says that none of
them had one (group attribute disclosure), and an outcome equal to a secondarily
hidden group size gives the size back. A table whose group size is under another name
("Referrals", "Caseload") declares it: ``denominator="Referrals"``."""

PROTECTION_ATTR = "lifetools_protection"
"""The old ``DataFrame.attrs`` flag. It is no longer written or trusted: a frame that
carries it is refused by :func:`require_table`."""
TOTALS_ATTR = "lifetools_totals"
"""Key in ``DataFrame.attrs`` declaring which cells add up to published totals (it can
only add protection, so it is read from plain frames)."""


def declare_totals(frame: pd.DataFrame, *, totals: Totals = "columns",
                   by: str | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` declaring that its counts add up to published totals.

    :func:`protect_counts` (and so ``show_table``) reads the declaration and applies
    :func:`~lifetools.disclosure.suppress_secondary` with it.
    """
    totals_groups(frame, 1, totals, by)
    out = frame.copy()
    out.attrs[TOTALS_ATTR] = {"totals": totals, "by": by}
    return out


def _whole_number_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns
            if pd.api.types.is_integer_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def protect_counts(
    frame: pd.DataFrame,
    count_cols: Sequence[str],
    *,
    threshold: int | None = None,
    base: int | None = None,
    enabled: bool = True,
    totals: Totals | None = None,
    by: str | None = None,
    not_counts: Sequence[str] = (),
    profile: str | SdcProfile | None = None,
    denominator: str | None = DENOMINATOR,
    people_outcomes: Sequence[str] = (),
    parents: Sequence[int | None] | None = None,
) -> ProtectedTable:
    """Return a :class:`ProtectedTable` whose ``count_cols`` are suppressed and rounded.

    Parameters
    ----------
    frame
        An aggregate table of raw counts.
    count_cols
        Columns of counts of people or events.
    threshold, base
        Override the profile's threshold and rounding base (recorded).
    enabled
        ``False`` leaves the counts as they are, warns with :class:`DisclosureWarning`
        and records ``enabled: False`` (the manifest reports it).
    totals, by
        Which cells add up to published totals, for secondary suppression (see
        :func:`~lifetools.disclosure.suppress_secondary`); by default what the frame
        declares with :func:`declare_totals`, else none.
    not_counts
        Whole-number columns that are not counts of people or events (a year, a
        quintile number). Any other whole-number column not in ``count_cols`` is
        refused: it could be a count that escaped protection.
    profile
        The rules (default: the active profile).
    denominator
        The count column that is each row's group size (recorded in the protection
        record and the stamp): a row whose group size is hidden has its other counts
        hidden too. By default ``people`` when it is one of ``count_cols``; any other
        name must be one of them; ``None``: no count is a group size.
    people_outcomes
        Count columns that count people of their row's group (``denominator``), each
        person at most once (people with a crisis, people who said "easy"), as
        opposed to events a person may have more than once (attendances, visits),
        which are not declared. Recorded (:attr:`ProtectionRecord.people_outcomes`)
        and stamped for the publish gate: one shown equal to the group size is hidden
        (group disclosure).
    parents
        The table is a participant flow (:mod:`lifetools.disclosure.flow`): each row's
        parent row (0-based; ``None`` for a first row), the row it is a subset of
        (:func:`lifetools.disclosure.flow.chain` for each row a subset of the row
        above). Each step's excluded count is protected as a count: a row whose shown
        next steps leave out 1 to the threshold of it is hidden (secondary), so no
        two shown rows differ by a small count. Recorded and stamped
        (``flow_parents``).

    Raises
    ------
    ValueError
        For a flow (``parents``) whose rows are not nested, naming the rows.
    DisclosureError
        Naming a whole-number column that is neither a count nor declared not one;
        or, for a copy of a protected table (``ProtectedTable.frame``), a column
        added holding numbers or a value the table did not publish
        (:func:`~lifetools.disclosure.copies.require_copy_kept`).

    Notes
    -----
    Suppressed cells become ``<NA>`` (nullable ``Int64``) and are listed in the
    record with the reason (``primary``, ``group disclosure`` or ``secondary``).
    Group (class) disclosure (:mod:`lifetools.disclosure.groups`, when the profile
    rules it): in a group of cells adding up to a published total (``totals``), a
    whole group shown in one cell has its zeros hidden; with a group size
    (``denominator``), an outcome shown as 0, or a count of people
    (``people_outcomes``) shown as the group size, is hidden; both are read from the
    published counts and followed by secondary suppression. Tested in
    ``tests/unit/test_disclosure.py``, ``tests/unit/test_disclosure_types.py`` and
    ``tests/unit/test_disclosure_groups.py``.
    """
    if isinstance(frame, ProtectedTable):
        frame = frame.verify().frame
    require_suppressed_kept(frame)
    require_copy_kept(frame)  # a protected table's copy that gained what it did not publish
    missing = [c for c in count_cols if c not in frame.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {missing}")
    group = _group_size(count_cols, denominator)
    people = _people_outcomes(count_cols, group, people_outcomes)
    loose = [c for c in _whole_number_columns(frame)
             if c not in count_cols and c not in not_counts and c != by]
    if loose:
        raise DisclosureError(
            f"column {loose[0]!r} holds whole numbers but is not protected",
            hint="list it in count_cols, or in not_counts if it is not a count of "
                 "people or events")
    p = series = get_profile(profile)
    if threshold is not None or base is not None:
        p = SdcProfile(f"{p.name}+custom", p.threshold if threshold is None else
                       threshold, p.base if base is None else base, p.rounding,
                       source=f"{p.name} with threshold/base changed by the caller")
    if totals is None and TOTALS_ATTR in frame.attrs:
        totals, by = frame.attrs[TOTALS_ATTR]["totals"], frame.attrs[TOTALS_ATTR]["by"]
    if not enabled:
        warnings.warn("disclosure control switched off: counts are published "
                      "unprotected", DisclosureWarning, stacklevel=2)
    out = frame.reset_index(drop=True)
    shown = {col: [_protect(v, p, enabled) for v in out[col].tolist()]
             for col in count_cols}
    whole = _whole_groups(out, list(count_cols), shown, totals=totals, by=by,
                          denominator=group, profile=p, enabled=enabled,
                          people_outcomes=people)
    basis = out if not whole.any() else out.assign(**{
        col: out[col].astype("Float64").mask(whole[:, j])
        for j, col in enumerate(count_cols)})  # the rule's cells count as hidden
    hide = (suppress_secondary(basis, count_cols, totals=totals, by=by, profile=p)
            if enabled and totals is not None else None)
    hidden = pd.DataFrame({col: [v is None and enabled for v in shown[col]]
                           for col in count_cols}, dtype=bool)
    hidden = hidden | pd.DataFrame(whole, columns=list(count_cols))
    if hide is not None:
        hidden = hidden | hide.reset_index(drop=True)
    by_group = _hide_outcomes_of_hidden_groups(out, list(count_cols), hidden,
                                               totals=totals, by=by, denominator=group) \
        if enabled else hidden
    flow = None if parents is None else check_parents(parents, len(out))
    zero: tuple[tuple[str, int], ...] = ()
    if flow is not None and enabled:  # each step's excluded count: a count to protect
        raw = {col: [None if pd.isna(v) else float(v) for v in out[col].tolist()]
               for col in count_cols}
        by_group = by_group.assign(**{col: flow_hidden(
            raw[col], by_group[col].tolist(), flow, p.threshold, column=str(col),
            rounded=shown[col]) for col in count_cols})
        zero = tuple((str(col), row) for col in count_cols for row in
                     zero_steps(raw[col], by_group[col].tolist(), flow))
    suppressed = []
    for col in count_cols:
        values = shown[col]
        for row, value in enumerate(values):
            if value is None and enabled:
                # a count already hidden upstream stays hidden ([c], not [x])
                suppressed.append((row, col, "primary" if not pd.isna(
                    out[col].iloc[row]) else "hidden upstream"))
            elif whole[row, list(count_cols).index(col)]:
                values[row] = None
                suppressed.append((row, col, GROUP_REASON))
            elif hide is not None and bool(hide[col].iloc[row]):
                values[row] = None
                suppressed.append((row, col, "secondary"))
            elif bool(by_group[col].iloc[row]):
                values[row] = None
                suppressed.append((row, col, "denominator suppressed" if
                                   group is not None and col != group and
                                   bool(by_group[group].iloc[row])
                                   else "secondary"))
        out[col] = pd.array(values, dtype="Int64")
    roles = tuple((str(c), "count" if c in count_cols else "other") for c in out.columns)
    verdict = (acro_count_verdict(frame.reset_index(drop=True), count_cols, out,
                                  series).as_dict() if acro_enabled() else None)
    return _mint(out, roles=roles, suppressed=tuple(suppressed), profile=p,
                 enabled=enabled, acro=verdict,
                 secondary=None if hide is None else {"totals": totals, "by": by},
                 secondary_cells=sum(1 for s in suppressed if s[2] == "secondary"),
                 denominator=group, people_outcomes=people, flow=flow, flow_zero=zero)


def protect_flow(frame: pd.DataFrame, count_cols: Sequence[str] = ("n",), *,
                 parents: Sequence[int | None] | None = None,
                 profile: str | SdcProfile | None = None) -> ProtectedTable:
    """A participant flow (people left after each step) as a protected table.

    :func:`protect_counts` with ``parents`` (by default each row a subset of the row
    above: :func:`lifetools.disclosure.flow.chain`): each count suppressed and rounded
    as any count, and each step's excluded count protected as a count too, so that no
    two shown rows differ by 1 to the threshold (:mod:`lifetools.disclosure.flow`).
    Every report's flow is made by it (``tests/unit/test_disclosure_flow.py``).

    A row hidden in every count column between its parent and its only child (the row
    below) is merged with that child (:func:`lifetools.disclosure.flow.merge_plan`):
    the child's step reads as both steps, their words joined ("accepted (not
    rejected); open at some time during the period"), as the methods page says, and
    the table is protected again with the merged rows and parents (the same cells
    hidden: a hidden row is no shown child of any row). Until wave 42 each stayed a
    ``[c]`` row: the 2024-25 discharge flow at 30,000 people showed three in a row.
    The step words are the first column that is not a count.
    """
    frame = frame.reset_index(drop=True)
    parents = chain(len(frame)) if parents is None else parents
    table = protect_counts(frame, list(count_cols), denominator=None, profile=profile,
                           parents=parents)
    words = [c for c in frame.columns if c not in count_cols][:1]
    groups = merge_plan(table.record.flow or (), [
        all(table.is_suppressed(row, c) for c in count_cols) for row in range(len(table))])
    if not words or len(groups) == len(frame):
        return table
    merged = frame.iloc[[g[-1] for g in groups]].reset_index(drop=True)
    merged[words[0]] = [STEP_JOIN.join(str(frame.at[r, words[0]]) for r in g)
                        for g in groups]
    return protect_counts(merged, list(count_cols), denominator=None, profile=profile,
                          parents=merged_parents(table.record.flow or (), groups))


def _whole_groups(frame: pd.DataFrame, count_cols: list[str],
                  shown: dict[str, list[int | None]], *, totals: Totals | None,
                  by: str | None, denominator: str | None, profile: SdcProfile,
                  enabled: bool, people_outcomes: Sequence[str] = ()) -> np.ndarray:
    """Cells the group (class) disclosure rule hides, from the published counts
    (:func:`lifetools.disclosure.groups.whole_group_cells`): the zeros of a group
    whose whole count is in one cell, outcomes of none of a row's group, and counts
    of people (``people_outcomes``) of all of it."""
    published = np.array([[np.nan if shown[c][r] is None else shown[c][r]
                           for c in count_cols] for r in range(len(frame))],
                         dtype="float64").reshape(len(frame), len(count_cols))
    if not enabled or not profile.group_disclosure:
        return np.zeros(published.shape, dtype=bool)
    groups = totals_groups(frame, len(count_cols), totals, by) \
        if totals is not None else []
    at = count_cols.index(denominator) if denominator in count_cols and \
        len(count_cols) > 1 else None
    return whole_group_cells(published, groups, at,
                             [count_cols.index(c) for c in people_outcomes]
                             if at is not None else [])


def _people_outcomes(count_cols: Sequence[str], group: str | None,
                     people_outcomes: Sequence[str]) -> tuple[str, ...]:
    """The declared counts of people of the group size's group, checked."""
    if isinstance(people_outcomes, str):
        people_outcomes = [people_outcomes]
    for column in people_outcomes:
        if column not in count_cols:
            raise KeyError(f"the count of people {column!r} (people_outcomes) is not one "
                           f"of the count columns {list(count_cols)}")
        if group is None or column == group:
            raise KeyError(f"the count of people {column!r} (people_outcomes) needs a "
                           "group size beside it (denominator=) other than itself")
    return tuple(people_outcomes)


def _group_size(count_cols: Sequence[str], denominator: str | None) -> str | None:
    """The declared group-size column: the default (:data:`DENOMINATOR`) only when it
    is a count column; another name must be one."""
    if denominator is None or (denominator == DENOMINATOR and
                               denominator not in count_cols):
        return None
    if denominator not in count_cols:
        raise KeyError(f"the group-size column {denominator!r} is not one of the count "
                       f"columns {list(count_cols)}")
    return denominator


def _hide_outcomes_of_hidden_groups(frame: pd.DataFrame, count_cols: list[str],
                                    hidden: pd.DataFrame, *,
                                    totals: Totals | None, by: str | None,
                                    denominator: str | None = DENOMINATOR
                                    ) -> pd.DataFrame:
    """Hidden cells after the group-size rule (``denominator``: the declared group
    size, :data:`DENOMINATOR` by default).

    A row whose group size is hidden has its other counts hidden too; with published
    totals, secondary suppression is applied again to the cells this hid (and the
    rule again to any group size that hid), until nothing changes.
    """
    if denominator not in count_cols or len(count_cols) < 2:
        return hidden
    mask = hidden.to_numpy(dtype=bool).copy()
    at = count_cols.index(denominator)
    values = frame[count_cols].to_numpy(dtype="float64", na_value=np.nan).ravel()
    groups = totals_groups(frame, len(count_cols), totals, by) \
        if totals is not None else None
    while True:
        before = mask.copy()
        mask[mask[:, at], :] = True
        if groups is not None:
            mask = hide_secondary(mask.ravel(), values, groups).reshape(mask.shape)
        if (mask == before).all():
            return pd.DataFrame(mask, columns=count_cols)


def _protect(value: Any, profile: SdcProfile, enabled: bool) -> int | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return protect_count(value, enabled=enabled, profile=profile)


def protected_count(n: int | ProtectedValue | None, *,
                    profile: str | SdcProfile | None = None) -> ProtectedValue:
    """A single protected count (``value`` ``None`` when suppressed)."""
    if isinstance(n, ProtectedValue):
        return require_count(n)
    p = get_profile(profile)
    shown = protect_count(n, profile=p)
    reason = "" if shown is not None else (
        "missing" if n is None else f"a count from 1 to {p.threshold}")
    return _value("count", shown, p, reason=reason)


def require_count(value: Any) -> ProtectedValue:
    """Return ``value`` if it is a verified protected count; raise otherwise."""
    if not isinstance(value, ProtectedValue) or value.kind != "count":
        raise DisclosureError("expected a protected count (lt.disclosure."
                              f"protected_count), got {type(value).__name__}")
    return value.verify()


def require_table(table: Any, *, count_cols: Sequence[str] = (),
                  totals: Totals | None = None, by: str | None = None,
                  name: str = "table", derived: bool = False,
                  not_counts: Sequence[str] = (),
                  denominator: str | None = DENOMINATOR,
                  people_outcomes: Sequence[str] = ()) -> ProtectedTable:
    """What every display accepts: a verified protected table.

    A :class:`ProtectedTable` is verified and each of ``count_cols`` must be one of
    its protected columns. A plain DataFrame is protected here (``count_cols``
    through :func:`protect_counts`, which refuses whole-number columns it is not told
    about); a frame carrying the old ``attrs`` flag is refused, since the flag proves
    nothing. With ``derived=True`` (shares, rates: numbers a plain frame cannot
    protect by rounding) only a protected table is accepted. ``denominator``: the
    group-size column (:func:`protect_counts`); a protected table's is in its record,
    and a name other than the default must be it. ``people_outcomes``: the counts of
    people of that group (:func:`protect_counts`); a protected table's must have
    declared them.

    Raises
    ------
    DisclosureError
        Naming the table and the column.
    """
    if isinstance(table, ProtectedTable):
        table.verify()
        shielded = table.record.columns_with("count", "share", "rate", "magnitude")
        loose = [c for c in count_cols if c not in shielded]
        if loose:
            raise DisclosureError(f"table {name!r}: column {loose[0]!r} is not a "
                                  "protected column of this table")
        if denominator not in (DENOMINATOR, table.record.denominator):
            raise DisclosureError(
                f"table {name!r}: column {denominator!r} is not the group size its "
                f"protection declared ({table.record.denominator!r})",
                hint="declare the group size when protecting it (denominator=)")
        undeclared = [c for c in people_outcomes
                      if c not in table.record.people_outcomes]
        if undeclared:
            raise DisclosureError(
                f"table {name!r}: column {undeclared[0]!r} is not a count of people its "
                "protection declared",
                hint="declare it when protecting the table (people_outcomes=)")
        return table
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table {name!r} must be a DataFrame or a ProtectedTable, "
                        f"not {type(table).__name__}")
    if derived and count_cols:
        raise DisclosureError(
            f"table {name!r}: column {list(count_cols)[0]!r} must be derived from "
            "published counts by lifetools.disclosure (a ProtectedTable), not given "
            "in a plain DataFrame")
    flag = table.attrs.get(PROTECTION_ATTR)
    if flag is not None:
        claimed = list((flag or {}).get("count_cols", [])) or list(table.columns)
        raise DisclosureError(
            f"table {name!r}: column {claimed[0]!r} carries the old "
            f"{PROTECTION_ATTR!r} flag, which proves nothing (it survives .assign, "
            ".merge and .copy)", hint="make the table with lt.disclosure")
    try:
        return protect_counts(table, list(count_cols), totals=totals, by=by,
                              not_counts=not_counts, denominator=denominator,
                              people_outcomes=people_outcomes)
    except DisclosureError as error:
        raise DisclosureError(f"table {name!r}: {error.args[0]}",
                              hint=getattr(error, "hint", None)) from None
