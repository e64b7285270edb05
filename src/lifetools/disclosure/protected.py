"""Protected values as types: only this package makes them, and they can be checked.

A :class:`ProtectedTable` wraps a DataFrame together with its protection record: the
role of every column (protected ``count``, derived ``share``/``rate``/``magnitude``,
or ``other``: labels and model estimates that were in the table when it was
protected), the profile applied and the cells suppressed. A :class:`ProtectedValue`
is one protected number (a count, a share with its Wilson interval, a rate, a mean).

Neither can be made outside :mod:`lifetools.disclosure` (the constructors need a
module-private token), and both carry a seal: a keyed hash (HMAC-SHA256, key drawn
at import) of every column's content. :meth:`ProtectedTable.verify` recomputes the
seals, so a table whose values were changed in place, or which gained a column after
protection (``.assign``, ``.merge``), is refused with :class:`DisclosureError` naming
the column. Python cannot stop a determined author from reaching private attributes;
the seal makes an ordinary mistake (or a shortcut) fail loudly instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

from lifetools.disclosure.copies import ProtectedCopy, copy_of
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.rules import protect_count
from lifetools.errors import DisclosureError

__all__ = ["PROTECTED_ROLES", "SUPPRESSED_CELLS_ATTR", "Link", "ProtectedTable",
           "ProtectedValue",
           "ProtectionRecord", "is_protected", "require_suppressed_kept"]

_TOKEN = object()
_KEY = secrets.token_bytes(32)
PROTECTED_ROLES = ("count", "share", "rate", "magnitude", "net_benefit")
"""Column roles whose values were made by a disclosure rule (``net_benefit``: a
decision curve's net benefit of treating everyone, from published counts)."""
SUPPRESSED_CELLS_ATTR = "lifetools_suppressed_cells"
"""Key in the ``attrs`` of :attr:`ProtectedTable.frame` listing the cells a rule hid
(row label, column, the row's first cell): a suppressed cell never reads as zero, so
a frame whose hidden cell was filled with a number (``.fillna(0)``, ``.replace``)
is refused when protected again (:func:`require_suppressed_kept`). The list only
refuses; it protects nothing."""


def require_suppressed_kept(frame: pd.DataFrame, *, name: str | None = None) -> None:
    """Refuse a frame from a protected table whose suppressed cell now holds a number.

    Raises
    ------
    DisclosureError
        Naming the table, the column and the row (never a value).
    """
    cells = frame.attrs.get(SUPPRESSED_CELLS_ATTR) or ()
    first = frame.columns[0] if len(frame.columns) else None
    for row, column, label in cells:
        if row not in frame.index or column not in frame.columns:
            continue  # the row or the column was left out: nothing is shown
        if label is not None and first is not None and \
                str(frame.at[row, first]) != label:
            continue  # rows renumbered: another row now has this label
        if _plain(frame.at[row, column]) is not None:
            raise DisclosureError(
                (f"table {name!r}: " if name else "") +
                f"column {column!r} holds a number in a cell that "
                "disclosure control suppressed: a suppressed cell never reads as zero "
                "(.fillna, .replace)", hint="show the protected table itself: a "
                "suppressed cell is shown and downloaded as [c]")


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, pd.Period)):
        return str(value)
    return value


def _seal(*parts: Any) -> str:
    text = json.dumps([repr(_plain(p)) if not isinstance(p, (list, tuple)) else
                       [repr(_plain(v)) for v in p] for p in parts])
    return hmac.new(_KEY, text.encode(), hashlib.sha256).hexdigest()


def _column_seal(frame: pd.DataFrame, column: str) -> str:
    return _seal(str(column), str(frame[column].dtype), frame[column].tolist())


@dataclass(frozen=True)
class Link:
    """Which table a linked table follows (:func:`lifetools.disclosure.follow`).

    The two tables publish the same counts in the rows ``rows`` pairs (the followed
    table's row, this table's row): ``column`` of the followed table and ``own_column``
    here. Where the followed table hides its cell, this table hides its cell and the
    columns made from it (``with_columns``: shares, rates). The stamp carries the link
    (``follows``) so the publish gate checks it on the published cells of both.
    """

    leader: str
    """The followed table, by :meth:`ProtectedTable.identity` (this process only)."""
    column: str
    own_column: str
    rows: tuple[tuple[int, int], ...]
    with_columns: tuple[str, ...] = ()


NetBenefitCounts = tuple[str, str, int | None, tuple[tuple[float, int, int], ...],
                         tuple[str, str]]
"""A model's net benefit from protected counts, as its protection record keeps it:
``(column, threshold column, people, ((threshold, true positives, treated), ...),
(lower limit column, upper limit column))`` (:attr:`ProtectionRecord.net_benefit_counts`;
a column left out: "")."""


@dataclass(frozen=True)
class ProtectionRecord:
    """What was done to a protected table (read-only)."""

    profile: str
    enabled: bool
    threshold: int
    base: int
    rounding: str
    roles: tuple[tuple[str, str], ...]
    suppressed: tuple[tuple[int, str, str], ...] = ()
    secondary: Mapping[str, Any] | None = None
    secondary_cells: int = 0
    notes: tuple[str, ...] = ()
    seals: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    acro: Mapping[str, Any] | None = None
    """ACRO's verdict on the same rows (:mod:`.acro_check`), when it was asked for."""
    places: tuple[tuple[str, int], ...] = ()
    """Decimal places a rule published a derived column with (person-years: 0, a
    share: 1); a page shows those columns with these places, and the publish gate
    checks that it did (:mod:`lifetools.pipeline.gate.tables`)."""
    bases: tuple[tuple[str, int], ...] = ()
    """The base a rule rounded a magnitude column to (person-years: the profile's count
    base, :func:`~lifetools.disclosure.round_person_time`); the publish gate refuses a
    cell of such a column that is not a multiple of it."""
    denominator: str | None = None
    """The count column that is the group size of its row (declared to
    :func:`~lifetools.disclosure.protect_counts`, ``people`` by default): a row whose
    group size is hidden has its other counts hidden, and the stamp names the column
    (``denominator_header``) so the publish gate checks it on the published cells."""
    people_outcomes: tuple[str, ...] = ()
    """The count columns that count people of their row's group (``denominator``), each
    person at most once (declared to :func:`~lifetools.disclosure.protect_counts`): one
    shown equal to the group size says everyone in the group had it and is hidden
    (group disclosure); any other outcome counts events, which a person may have more
    than once. The stamp names them (``people_outcome_headers``)."""
    rates: tuple[tuple[str, str, str, float], ...] = ()
    """Each rate column a rule computed from the table's own published columns:
    ``(rate, numerator, denominator, per)``, the rate being ``per`` x numerator /
    denominator (events per ``per`` person-years: :func:`~lifetools.disclosure.rates_table`).
    The stamp records it (``rate_headers``), so the publish gate recomputes each
    published rate from the published counts and person-time beside it
    (:mod:`lifetools.disclosure.rate_check`). A numerator or denominator column left
    out of the table is named ""."""
    intervals: tuple[tuple[str, str, str, str], ...] = ()
    """Each rate's confidence interval a rule computed from the same published
    numerator and denominator: ``(rate, lower, upper, method)`` (the exact Poisson
    limits of :func:`~lifetools.disclosure.rates_table`:
    :data:`~lifetools.disclosure.derived.GARWOOD`). The stamp records it in the
    rate's ``rate_headers``, so the publish gate recomputes each published limit by
    the method from the published cells beside it. A limit left out of the table is
    named ""."""
    treat_all: tuple[tuple[str, str, int | None, int | None], ...] = ()
    """Each column of a decision curve's net benefit of treating everyone that a rule
    computed from published counts: ``(column, threshold column, events, people)``,
    the counts as published (``None`` when hidden: the column is hidden with them;
    :func:`~lifetools.disclosure.model_outputs`' ``treat_all``). The stamp records it
    (``treat_all_headers``), so the publish gate recomputes every cell from the
    published counts and the threshold beside it
    (:mod:`lifetools.disclosure.net_benefit_check`)."""
    net_benefit_counts: tuple[NetBenefitCounts, ...] = ()
    """Each column of a decision curve's model net benefit that a rule computed from
    protected counts (:func:`~lifetools.disclosure.model_outputs`' ``model_counts``:
    the point from the protected true positives and people treated over the
    published people): ``(column, threshold column, people, points, limits)``,
    ``points`` the ``(threshold, true positives, treated)`` of each point shown, the
    counts as published, and ``limits`` its interval's lower and upper columns
    (bootstrap limits, shown only where the point is: no function of counts). The
    stamp records them (``net_benefit_count_headers``), so the publish gate recomputes
    every shown point from its counts rather than trusting the column's name in a
    list, and checks each limit against its point; it refuses any other model column
    of a decision curve whose cell equals a net benefit of treating everyone of
    unrounded counts (:mod:`lifetools.disclosure.net_benefit_check`)."""
    breakdown_shares: tuple[tuple[str, str], ...] = ()
    """Each share column a rule computed as a percentage of its block's published total
    of a count column beside it: ``(share, count)``
    (:func:`~lifetools.disclosure.protected_shares`: ``"<count> %"``, the blocks being
    the secondary suppression's ``by``). The stamp records it
    (``breakdown_share_headers``), so the publish gate checks each block's shares from
    the cells as published: none shown beside a hidden count of the block (the total
    less the shown counts would give the hidden sum back), and the shown ones the
    counts over one total the profile publishes (:mod:`lifetools.disclosure.rate_check`).
    A count column left out of the table is named ""."""
    breakdown_totals: tuple[tuple[str, str, tuple[tuple[str, int | None], ...]], ...] = ()
    """Each breakdown share column's blocks as the rule made them: ``(share, block
    column, ((block, total), ...))``, ``total`` the block's published (protected) total
    its shares are of, ``None`` where the block's shares were hidden (a hidden count in
    it, a hidden or zero total, or all of it in one row); the block column is "" when
    the table has one block or the column was left out. The stamp records it
    (``breakdown_share_totals``), so the publish gate checks a share shown without its
    count column (a selection, a figure's data) against its block's published total
    rather than passing it: each shown share x its total / 100 must be a count the
    profile publishes, and no share of a hidden block is shown (wave 43)."""
    links: tuple[Link, ...] = ()
    """The tables this one follows, when it publishes counts of other tables
    (:func:`lifetools.disclosure.follow`; two linked tables merged follow both
    tables: :meth:`ProtectedTable.merge`)."""
    flow: tuple[int | None, ...] | None = None
    """Each row's parent row when the table is a participant flow (its rows subsets of
    earlier rows, :mod:`lifetools.disclosure.flow`): each step's excluded count was
    protected as a count. The stamp records it (``flow_parents``) for the publish gate.
    ``None``: not a flow."""
    flow_zero: tuple[tuple[str, int], ...] = ()
    """A flow's steps that excluded exactly nobody: ``(count column, row)`` of each
    shown row whose shown children leave out 0 of it
    (:func:`lifetools.disclosure.flow.zero_steps`). The stamp records them
    (``flow_zero_steps``): only there may the page show a difference of 0."""
    limits: tuple[tuple[str, tuple[float, ...]], ...] = ()
    """Each confidence-limit column and the values its cells must not read as: the
    no-difference value and any limits the report states (a forest plot's ratios: 1).
    A download writes each such cell with the fewest places that keep it on its side
    of them (:func:`lifetools.formatting.places_avoiding`: "1.004", never "1.00", as
    the page writes it); the stamp records them (``limit_headers``), so the publish
    gate accepts those places and no others (:meth:`ProtectedTable.keeping_sides`)."""

    limit_degenerate: tuple[tuple[str, tuple[float, ...]], ...] = ()
    """Each confidence-limit column of :attr:`limits` and the values a true limit of it
    is degenerate at, beside an infinite one (a ratio's 0: the release rules,
    :func:`~lifetools.disclosure.model_release`). A download keeps a limit off them
    as off :attr:`limits` ("0.004", never "0.00"); the stamp records, for the publish
    gate, which rows' true limits lie exactly on a value the column keeps off and
    which are degenerate (``limit_cells``: :func:`~lifetools.disclosure.downloads.
    header_rules`), so that the gate tells a limit of exactly 1 ("1.00") from 0.9996
    rounded onto it, which it refuses, and refuses a degenerate one (wave 43)."""

    def avoid_of(self, column: str) -> tuple[float, ...] | None:
        """The values a confidence-limit column keeps its side of (None: no limit)."""
        return dict(self.limits).get(column)

    @property
    def link(self) -> Link | None:
        """The one table this one follows (None when it follows none).

        Raises
        ------
        ValueError
            If it follows several (read :attr:`links`).
        """
        if len(self.links) > 1:
            raise ValueError("the table follows several tables: read links")
        return self.links[0] if self.links else None

    def role(self, column: str) -> str | None:
        """The role of a column, or ``None`` when it was not in the protected table."""
        return dict(self.roles).get(column)

    def columns_with(self, *roles: str) -> list[str]:
        """Columns having one of ``roles``, in table order."""
        return [c for c, r in self.roles if r in roles]

    def places_of(self, column: str) -> int | None:
        """The decimal places the rule published ``column`` with, if it fixed them."""
        return dict(self.places).get(column)

    def base_of(self, column: str) -> int | None:
        """The base the rule rounded ``column`` to, if it rounded it to one."""
        return dict(self.bases).get(column)


class ProtectedTable:
    """An immutable table whose counts and derived numbers went through disclosure.

    Made only by :mod:`lifetools.disclosure` (``protect_counts``,
    ``protect_magnitudes``, ``protected_shares``, ``rates_table`` ...). Reading it
    (``table["n"]``, ``table.frame``, ``len(table)``) gives copies; the operations that
    keep it protected are :meth:`select`, :meth:`rows`, :meth:`sort_values`,
    :meth:`rename`, :meth:`drop` and :meth:`merge` with another protected table. Any
    other change (``assign``, a merge with a plain frame) gives a table that
    :meth:`verify` refuses, naming the column; setting a column is refused at once.
    """

    __slots__ = ("_frame", "_record")

    def __init__(self, frame: pd.DataFrame, record: ProtectionRecord, *,
                 _token: object = None) -> None:
        if _token is not _TOKEN:
            raise DisclosureError(
                "a ProtectedTable can only be made by lifetools.disclosure",
                hint="protect the table with lt.disclosure.protect_counts")
        object.__setattr__(self, "_frame", frame)
        object.__setattr__(self, "_record", record)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a ProtectedTable cannot be changed")

    # reading ----------------------------------------------------------------------
    @property
    def record(self) -> ProtectionRecord:
        """The protection record."""
        return self._record

    @property
    def frame(self) -> ProtectedCopy:
        """A copy of the table as a DataFrame (not protected any more).

        A :class:`~lifetools.disclosure.copies.ProtectedCopy`: it records the values
        each column published, through pandas operations and combinations, so that
        showing it again refuses a column added to it holding numbers (``.merge``,
        ``.assign``) or a value the table did not publish
        (:func:`~lifetools.disclosure.copies.require_copy_kept`). Its ``attrs`` list
        the suppressed cells (:data:`SUPPRESSED_CELLS_ATTR`), so that protecting it
        again refuses a hidden cell filled with a number."""
        out = copy_of(self._frame)
        if self._record.suppressed and len(out.columns):
            first = out.columns[0]
            out.attrs[SUPPRESSED_CELLS_ATTR] = tuple(
                (row, column, None if column == first else str(out.at[row, first]))
                for row, column, _ in self._record.suppressed)
        return out

    @property
    def columns(self) -> pd.Index:
        """Column names."""
        return self._frame.columns.copy()

    @property
    def count_cols(self) -> list[str]:
        """The protected count columns."""
        return self._record.columns_with("count")

    @property
    def rules(self) -> dict[str, Any]:
        """The rules applied, as stamped into a report's output metadata."""
        r = self._record
        return {"enabled": r.enabled, "profile": r.profile, "threshold": r.threshold,
                "base": r.base, "rounding": r.rounding, "count_cols": self.count_cols,
                "protected_cols": r.columns_with(*PROTECTED_ROLES),
                "secondary": None if r.secondary is None else dict(r.secondary),
                "secondary_cells": r.secondary_cells,
                "suppressed_cells": len(r.suppressed),
                **({"acro": dict(r.acro)} if r.acro is not None else {})}

    def __len__(self) -> int:
        return len(self._frame)

    def __getitem__(self, key: str | Sequence[str]) -> Any:
        if isinstance(key, str):
            return self._frame[key].copy()
        return self.select(list(key))

    def __repr__(self) -> str:
        return (f"ProtectedTable({len(self)} rows, columns={list(self._frame.columns)},"
                f" profile={self._record.profile!r})")

    def is_suppressed(self, row: int, column: str) -> bool:
        """Whether one cell was hidden by a rule (primary or secondary)."""
        return any(r == row and c == column for r, c, _ in self._record.suppressed)

    def count_at(self, row: int, column: str) -> ProtectedValue:
        """One published cell of a count column as a protected count: the number the
        table shows (rounded as the table rounded it), or a suppressed count when the
        table hides the cell (primary or secondary suppression), with the table's
        profile. A number computed from a count a table also publishes (a decision
        curve's net benefit of treating everyone from the participant flow's people and
        crises) is made from this value, so it is hidden with the cell and is the
        table's number by construction, never matched to it by value.

        Raises
        ------
        DisclosureError
            When ``column`` is not one of the table's protected count columns.
        IndexError
            When the table has no row ``row``.
        """
        if self._record.role(column) != "count":
            raise DisclosureError(
                f"column {column!r} is not a protected count column of this table",
                hint=f"its count columns: {', '.join(self.count_cols) or 'none'}")
        if not 0 <= row < len(self._frame):
            raise IndexError(f"the table has {len(self._frame)} rows, no row {row}")
        profile = get_profile(self._record.profile)
        reasons = [why for r, c, why in self._record.suppressed
                   if r == row and c == column]
        if reasons:
            return _value("count", None, profile, reason=str(reasons[0]))
        cell = self._frame[column].iloc[row]
        return _value("count", None if pd.isna(cell) else int(cell), profile,
                      reason="missing" if pd.isna(cell) else "")

    def identity(self) -> str:
        """This table's content and record as one digest (of its keyed seals: the
        same in this process only), by which a linked table names the table it
        follows (:class:`Link`) and ``show_table`` finds it on the page."""
        r = self._record
        return hashlib.sha256(json.dumps(
            [list(r.seals), list(r.roles), [list(s) for s in r.suppressed]],
            default=str).encode()).hexdigest()

    # checking ---------------------------------------------------------------------
    def verify(self) -> ProtectedTable:
        """Return ``self`` if every column is as protected; raise otherwise.

        Raises
        ------
        DisclosureError
            Naming the first column added after protection, or whose values differ
            from the protected values, or a count column whose values the profile
            could not have published.
        """
        seals = dict(self._record.seals)
        for column in self._frame.columns:
            if column not in seals:
                raise DisclosureError(
                    f"column {column!r} was added after disclosure control (for example "
                    "with .assign or .merge) and has not been protected",
                    hint="protect every count with lt.disclosure before showing it")
            if not hmac.compare_digest(seals[column],
                                       _column_seal(self._frame, column)):
                raise DisclosureError(
                    f"column {column!r} was changed after disclosure control: its values "
                    "are not the protected values")
        missing = [c for c in seals if c not in self._frame.columns]
        if missing:
            raise DisclosureError(f"column {missing[0]!r} of the protection record is "
                                  "missing from the table")
        if self._record.enabled:
            r = self._record  # the rules it was made with (a caller's override too)
            profile = SdcProfile(r.profile, r.threshold, r.base, r.rounding)  # type: ignore[arg-type]
            for column in self._record.columns_with("count"):
                _check_publishable_counts(self._frame[column], column, profile)
        return self

    # operations that stay protected -------------------------------------------------
    def _remint(self, frame: pd.DataFrame, roles: Iterable[tuple[str, str]],
                suppressed: Iterable[tuple[int, str, str]],
                names: Mapping[str, str] | None = None,
                positions: Mapping[int, int] | None = None) -> ProtectedTable:
        names = names or {}
        at = {k: [v] for k, v in positions.items()} if positions is not None else None
        links = tuple(k for k in (_relinked(link, frame, at, names)
                                  for link in self._record.links) if k is not None)
        places = tuple((names.get(c, c), n) for c, n in self._record.places
                       if names.get(c, c) in frame.columns)
        bases = tuple((names.get(c, c), n) for c, n in self._record.bases
                      if names.get(c, c) in frame.columns)
        group = self._record.denominator
        rates = tuple(tuple([*(names.get(c, c) for c in r[:3]), r[3]])
                      for r in self._record.rates)
        intervals = tuple(tuple([*(names.get(c, c) for c in r[:3]), r[3]])
                          for r in self._record.intervals)
        treat_all = tuple((names.get(c, c), names.get(t, t), k, n)
                          for c, t, k, n in self._record.treat_all)
        limits = tuple((names.get(c, c), a) for c, a in self._record.limits
                       if names.get(c, c) in frame.columns)
        degenerate = tuple((names.get(c, c), a) for c, a in self._record.limit_degenerate
                           if names.get(c, c) in frame.columns)
        return _with_limits(limits, degenerate=degenerate, table=_mint(
                     frame, roles=tuple(roles), suppressed=tuple(suppressed),
                     like=self._record, places=places, bases=bases, rates=rates,
                     intervals=intervals, treat_all=treat_all,
                     breakdown_shares=tuple((names.get(c, c), names.get(k, k))
                                            for c, k in self._record.breakdown_shares),
                     breakdown_totals=tuple((names.get(c, c), names.get(b, b), t)
                                            for c, b, t in self._record.breakdown_totals),
                     net_benefit_counts=tuple(
                         (names.get(c, c), names.get(t, t), n, points,
                          (names.get(lo, lo), names.get(hi, hi)))
                         for c, t, n, points, (lo, hi) in
                         self._record.net_benefit_counts),
                     flow_zero=tuple((names.get(c, c), r) for c, r in
                                     self._record.flow_zero),
                     denominator=names.get(group, group) if group else None,
                     people_outcomes=tuple(names.get(c, c) for c in
                                           self._record.people_outcomes),
                     links=links))

    def keeping_sides(self, columns: Sequence[str], *avoid: float,
                      degenerate: Sequence[float] = ()) -> ProtectedTable:
        """The same table, its confidence-limit ``columns`` recorded as keeping their
        side of ``avoid`` (the null, and any stated limits) in a download
        (:attr:`ProtectionRecord.limits`): "1.004" for a ratio's lower limit 1.004,
        which a download at 2 places wrote "1.00", touching 1, beside a page that wrote
        "1.004" and a verdict of faster discharge (wave 41). ``degenerate``: the
        values a true limit of them is degenerate at beside an infinite one (a
        ratio's 0), which a download keeps them off too
        (:attr:`ProtectionRecord.limit_degenerate`).

        Raises
        ------
        KeyError
            If a column is not in the table.
        """
        self.verify()
        missing = [c for c in columns if c not in self._frame.columns]
        if missing:
            raise KeyError(f"columns not in the table: {missing}")
        kept = tuple((c, a) for c, a in self._record.limits if c not in columns)
        limits = (*kept, *((str(c), tuple(float(v) for v in avoid)) for c in columns))
        bad = tuple((c, a) for c, a in self._record.limit_degenerate if c not in columns)
        if degenerate:
            bad = (*bad, *((str(c), tuple(float(v) for v in degenerate))
                           for c in columns))
        return ProtectedTable(self._frame, replace(self._record, limits=limits,
                                                   limit_degenerate=bad),
                              _token=_TOKEN)

    def withheld(self, cells: Iterable[tuple[int, str]], reason: str) -> ProtectedTable:
        """The same table, its ``cells`` (row position, column) recorded as left out
        for ``reason`` in :attr:`ProtectionRecord.suppressed`: a model's values the
        model release rule withheld
        (:data:`~lifetools.disclosure.models.WITHHELD_CELL`), which a download writes
        ``[c]`` (:func:`lifetools.disclosure.downloads.shown_frame`) as the page's
        table of the same model's values does. The data behind a figure of a withheld
        model (its calibration curve, a forest plot's withheld rows) wrote them ``[x]``
        (not available) until wave 42.

        Raises
        ------
        KeyError
            If a column is not in the table.
        ValueError
            If a row is not in the table or a cell holds a value: only a value that is
            not shown can be recorded as left out.
        """
        self.verify()
        cells = list(dict.fromkeys((int(r), str(c)) for r, c in cells))
        missing = sorted({c for _, c in cells if c not in self._frame.columns})
        if missing:
            raise KeyError(f"columns not in the table: {missing}")
        for row, column in cells:
            if not 0 <= row < len(self._frame):
                raise ValueError(f"row {row} is not in the table ({len(self._frame)} rows)")
            value = self._frame[column].iat[row]
            if not (value is None or value is pd.NA or (isinstance(value, float)
                                                        and value != value)):
                raise ValueError(f"column {column!r} row {row} holds a value: only a "
                                 "value that is not shown is recorded as left out")
        kept = {(r, c) for r, c, _ in self._record.suppressed}
        suppressed = (*self._record.suppressed,
                      *((r, c, str(reason)) for r, c in cells if (r, c) not in kept))
        return ProtectedTable(self._frame, replace(self._record, suppressed=suppressed),
                              _token=_TOKEN)

    def select(self, columns: Sequence[str]) -> ProtectedTable:
        """The same rows with only ``columns`` (in that order), still protected."""
        self.verify()
        missing = [c for c in columns if c not in self._frame.columns]
        if missing:
            raise KeyError(f"columns not in the table: {missing}")
        roles = dict(self._record.roles)
        return self._remint(self._frame[list(columns)].copy(),
                            [(c, roles[c]) for c in columns],
                            [s for s in self._record.suppressed if s[1] in columns])

    def drop(self, *, columns: Sequence[str] | str) -> ProtectedTable:
        """The table without ``columns``, still protected."""
        gone = [columns] if isinstance(columns, str) else list(columns)
        return self.select([c for c in self._frame.columns if c not in gone])

    def rows(self, mask: Sequence[bool] | pd.Series) -> ProtectedTable:
        """Only the rows where ``mask`` is true, still protected.

        Showing fewer published cells cannot reveal a hidden one; suppressed cells of
        the rows kept stay hidden.
        """
        self.verify()
        keep = [bool(v) for v in (mask.tolist() if isinstance(mask, pd.Series) else mask)]
        if len(keep) != len(self._frame):
            raise ValueError(f"mask has {len(keep)} values for {len(self._frame)} rows")
        position = {old: new for new, old in enumerate(i for i, k in enumerate(keep) if k)}
        return self._remint(self._frame[keep].reset_index(drop=True), self._record.roles,
                            [(position[i], c, why) for i, c, why in
                             self._record.suppressed if i in position],
                            positions=position)

    def rename(self, *, columns: Mapping[str, str]) -> ProtectedTable:
        """The table with columns renamed, still protected."""
        self.verify()
        names = {c: columns.get(c, c) for c in self._frame.columns}
        return self._remint(self._frame.rename(columns=names),
                            [(names[c], r) for c, r in self._record.roles],
                            [(i, names[c], why) for i, c, why in self._record.suppressed],
                            names)

    def sort_values(self, by: str | list[str], *, ascending: bool | list[bool] = True
                    ) -> ProtectedTable:
        """Rows reordered, still protected."""
        self.verify()
        order = self._frame.sort_values(by, ascending=ascending, kind="stable").index
        position = {int(old): new for new, old in enumerate(order)}
        return self._remint(self._frame.loc[order].reset_index(drop=True),
                            self._record.roles,
                            [(position[i], c, why) for i, c, why in
                             self._record.suppressed], positions=position)

    # operations that leave protection behind ---------------------------------------
    def assign(self, **columns: Any) -> ProtectedTable:
        """Add columns: the result is refused by :meth:`verify` (they are unprotected)."""
        return ProtectedTable(self._frame.assign(**columns), self._record,
                              _token=_TOKEN)

    def merge(self, other: Any, **kwargs: Any) -> ProtectedTable:
        """Merge with another protected table (still protected), or with anything
        else (the result is refused by :meth:`verify`, naming the first added column).

        Two protected tables made with the same rules merge on their label columns
        (``on``; any ``how``): each column keeps its role, and each suppressed cell
        stays suppressed in every row it lands in. Linked tables
        (:func:`lifetools.disclosure.follow`) merge too: the result follows every
        table either followed (the union of their links, each moved to the rows its
        table's rows landed in and verified there), and ``show_table`` stamps and
        checks each link.

        Raises
        ------
        DisclosureError
            If the two tables were protected with different rules, would share a
            column that is not a key (rename one first), are joined on a column a
            rule made, or one follows the other (show them apart).
        """
        if not isinstance(other, ProtectedTable):
            merged = self._frame.merge(other, **kwargs)
            return ProtectedTable(merged, self._record, _token=_TOKEN)
        return _merge_protected(self.verify(), other.verify(), **kwargs)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise DisclosureError(
            f"column {key!r} cannot be set in a protected table: it would not be "
            "protected", hint="protect it with lt.disclosure and merge the protected "
            "tables (ProtectedTable.merge)")

    def copy(self) -> ProtectedTable:
        """The same protected table (it is immutable)."""
        return self


_ROWS = ("__lifetools_left_row", "__lifetools_right_row")


def _merge_protected(left: ProtectedTable, right: ProtectedTable, **kwargs: Any
                     ) -> ProtectedTable:
    """Two verified protected tables merged, still protected (see ``merge``)."""
    a, b = left.record, right.record
    rules = ("profile", "enabled", "threshold", "base", "rounding")
    if any(getattr(a, r) != getattr(b, r) for r in rules):
        raise DisclosureError("the two protected tables were made with different rules "
                              f"({a.profile!r}, {b.profile!r}): protect them alike first")
    if any(k in kwargs for k in ("left_on", "right_on", "left_index", "right_index",
                                 "suffixes")):
        raise DisclosureError("protected tables merge on shared label columns (on=)")
    shared = [c for c in left.columns if c in right.columns]
    keys = kwargs.pop("on", shared)
    keys = [keys] if isinstance(keys, str) else list(keys)
    overlap = [c for c in shared if c not in keys]
    if overlap:
        raise DisclosureError(f"column {overlap[0]!r} is in both protected tables: "
                              "rename one (ProtectedTable.rename) or merge on it")
    made = [c for c in keys if a.role(c) in PROTECTED_ROLES or b.role(c) in PROTECTED_ROLES]
    if made:
        raise DisclosureError(f"column {made[0]!r} was made by a disclosure rule: "
                              "protected tables merge on their label columns")
    merged = left._frame.assign(**{_ROWS[0]: range(len(left))}).merge(
        right._frame.assign(**{_ROWS[1]: range(len(right))}), on=keys, **kwargs)
    sides = ((a, merged[_ROWS[0]].tolist()), (b, merged[_ROWS[1]].tolist()))
    suppressed = []
    for record, origin in sides:
        for new, old in enumerate(origin):
            suppressed += [(new, c, why) for r, c, why in record.suppressed
                           if old == old and r == int(old)]
    roles = dict(a.roles)
    roles.update((c, r) for c, r in b.roles if c not in roles)
    frame = merged.drop(columns=list(_ROWS))
    links = _merged_links(left, right, frame, sides, tuple(suppressed))
    limits = tuple((c, v) for c, v in (*a.limits, *b.limits) if c in frame.columns)
    degenerate = tuple((c, v) for c, v in (*a.limit_degenerate, *b.limit_degenerate)
                       if c in frame.columns)
    return _with_limits(limits, degenerate=degenerate, table=_mint(frame, roles=tuple((c, roles[c]) for c in frame.columns),
                 suppressed=tuple(suppressed), like=a,
                 secondary_cells=sum(why == "secondary" for _, _, why in suppressed),
                 places=(*a.places, *b.places), bases=(*a.bases, *b.bases),
                 rates=(*a.rates, *b.rates), intervals=(*a.intervals, *b.intervals),
                 treat_all=(*a.treat_all, *b.treat_all),
                 net_benefit_counts=(*a.net_benefit_counts, *b.net_benefit_counts),
                 breakdown_shares=(*a.breakdown_shares, *b.breakdown_shares),
                 breakdown_totals=(*a.breakdown_totals, *b.breakdown_totals),
                 denominator=a.denominator or b.denominator,
                 people_outcomes=_merged_people(a, b),
                 links=links))


def _with_limits(limits: tuple[tuple[str, tuple[float, ...]], ...], *,
                 table: ProtectedTable,
                 degenerate: tuple[tuple[str, tuple[float, ...]], ...] = ()
                 ) -> ProtectedTable:
    """``table`` with its confidence-limit columns' record and their degenerate values
    (kept through select, rename, rows and merge)."""
    if not limits and not degenerate:
        return table
    return ProtectedTable(table._frame, replace(table._record, limits=limits,
                                                limit_degenerate=degenerate),
                          _token=_TOKEN)


def _merged_people(a: ProtectionRecord, b: ProtectionRecord) -> tuple[str, ...]:
    """The counts of people of the merged table's group size (``a``'s, else ``b``'s):
    each side's where it declared the same group size."""
    group = a.denominator or b.denominator
    return tuple(dict.fromkeys(
        c for r in (a, b) if r.denominator in (None, group) for c in r.people_outcomes))


def _merged_links(left: ProtectedTable, right: ProtectedTable, frame: pd.DataFrame,
                  sides: Sequence[tuple[ProtectionRecord, list[Any]]],
                  suppressed: tuple[tuple[int, str, str], ...]) -> tuple[Link, ...]:
    """The union of two merged tables' links, each moved to the rows its table's rows
    landed in, and verified on the merged table.

    Raises
    ------
    DisclosureError
        If one table follows the other (the merged table would hold the followed
        cells and their followers in rows the merge paired, not the link: show them
        apart), or if a cell of a link's shared count or rates hidden in its table
        is shown in a row it landed in (the link would not hold).
    """
    for record, other in ((left.record, right), (right.record, left)):
        if any(k.leader == other.identity() for k in record.links):
            raise DisclosureError(
                "one protected table follows the other (lt.disclosure.follow): merged, "
                "the followed counts and their followers would share rows the merge "
                "paired, not the link's, and the link could not be checked",
                hint="show the two tables apart, the followed one first")
    hidden = {(row, column) for row, column, _ in suppressed}
    links: list[Link] = []
    for record, origin in sides:
        at = _origins(origin)
        before = {(row, column) for row, column, _ in record.suppressed}
        for link in record.links:
            moved = _relinked(link, frame, at, {})
            if moved is None:
                continue
            lost = [new for old in {j for _, j in link.rows} for new in at.get(old, ())
                    for column in (link.own_column, *moved.with_columns)
                    if (old, column) in before and (new, column) not in hidden]
            if lost:
                raise DisclosureError(
                    f"column {link.own_column!r} (row {lost[0] + 1}) of the merged table "
                    "shows a count its linked table hid: the link does not hold")
            links.append(moved)
    return tuple(links)


def _origins(origin: Sequence[Any]) -> dict[int, list[int]]:
    """Old row to the new rows it landed in (a merge's row of origin per new row)."""
    found: dict[int, list[int]] = {}
    for new, old in enumerate(origin):
        if old == old:  # not NaN: the row came from this side
            found.setdefault(int(old), []).append(new)
    return found


def _relinked(link: Link | None, frame: pd.DataFrame,
              positions: Mapping[int, Sequence[int]] | None,
              names: Mapping[str, str]) -> Link | None:
    """A link after rows were kept, reordered or merged (``positions``: old row to new
    rows) and columns renamed (``names``); ``None`` when its column is gone."""
    if link is None:
        return None
    own = names.get(link.own_column, link.own_column)
    kept = tuple(names.get(c, c) for c in link.with_columns
                 if names.get(c, c) in frame.columns)
    if own not in frame.columns and not kept:
        return None  # nothing of the shared count is shown any more
    rows = link.rows if positions is None else tuple(
        (lead, new) for lead, old in link.rows for new in positions.get(old, ()))
    return Link(leader=link.leader, column=link.column, own_column=own, rows=rows,
                with_columns=kept)


def _check_publishable_counts(values: pd.Series, column: str,
                              profile: SdcProfile) -> None:
    for row, value in enumerate(values.tolist()):
        value = _plain(value)
        if value is None:
            continue
        if protect_count(int(value), profile=profile) != value or value != int(value):
            raise DisclosureError(
                f"column {column!r} (row {row + 1}) holds a count the "
                f"{profile.name!r} rules would not publish")


def _mint(frame: pd.DataFrame, *, roles: tuple[tuple[str, str], ...],
          suppressed: tuple[tuple[int, str, str], ...] = (),
          like: ProtectionRecord | None = None, profile: SdcProfile | None = None,
          enabled: bool = True, secondary: Mapping[str, Any] | None = None,
          secondary_cells: int = 0, notes: tuple[str, ...] = (),
          acro: Mapping[str, Any] | None = None,
          places: tuple[tuple[str, int], ...] = (),
          bases: tuple[tuple[str, int], ...] = (),
          rates: tuple[tuple[str, str, str, float], ...] | None = None,
          intervals: tuple[tuple[str, str, str, str], ...] | None = None,
          treat_all: tuple[tuple[str, str, int | None, int | None], ...] | None = None,
          net_benefit_counts: tuple[NetBenefitCounts, ...] | None = None,
          breakdown_shares: tuple[tuple[str, str], ...] | None = None,
          breakdown_totals: tuple[tuple[str, str, tuple[tuple[str, int | None], ...]],
                                  ...] | None = None,
          denominator: str | None = None,
          people_outcomes: tuple[str, ...] | None = None,
          links: tuple[Link, ...] | Literal["like"] = "like",
          flow: tuple[int | None, ...] | None = None,
          flow_zero: tuple[tuple[str, int], ...] | None = None) -> ProtectedTable:
    """Make a protected table (the only place one is made).

    ``places``: the decimal places a rule published a column with (see
    :attr:`ProtectionRecord.places`); ``bases``: the base it rounded a column to
    (:attr:`ProtectionRecord.bases`); ``rates``: each rate column with its numerator,
    denominator and multiplier (:attr:`ProtectionRecord.rates`; by default ``like``'s,
    kept while the rate is in the table, a numerator or denominator left out named
    ""); ``intervals``: each rate's limits and their method
    (:attr:`ProtectionRecord.intervals`) and ``treat_all``: each net benefit of
    treating everyone with its threshold column and published counts
    (:attr:`ProtectionRecord.treat_all`), both by default ``like``'s and kept while
    their column is in the table, as are ``breakdown_shares``
    (:attr:`ProtectionRecord.breakdown_shares`) and ``breakdown_totals``
    (:attr:`ProtectionRecord.breakdown_totals`; a block column left out named "");
    ``denominator``: the group-size
    count column
    (:attr:`ProtectionRecord.denominator`; by default ``like``'s);
    ``people_outcomes``: the counts of people of its group
    (:attr:`ProtectionRecord.people_outcomes`; by default ``like``'s); ``links``: the
    tables it follows (:attr:`ProtectionRecord.links`; by default ``like``'s); ``flow``:
    each row's parent row (:attr:`ProtectionRecord.flow`; by default ``like``'s while the
    rows are the same number); only columns of the table are kept.
    """
    frame = pd.DataFrame(frame.reset_index(drop=True))  # never a ProtectedCopy
    frame.attrs = {}
    seals = tuple((str(c), _column_seal(frame, c)) for c in frame.columns)
    places = tuple((str(c), int(n)) for c, n in places if c in frame.columns)
    bases = tuple((str(c), int(n)) for c, n in bases if c in frame.columns)
    if rates is None:
        rates = like.rates if like is not None else ()
    rates = tuple(dict.fromkeys(  # a numerator or denominator left out: ""
        (str(r), str(k) if k in frame.columns else "",
         str(y) if y in frame.columns else "", float(per))
        for r, k, y, per in rates if r in frame.columns))
    if intervals is None:
        intervals = like.intervals if like is not None else ()
    intervals = tuple(dict.fromkeys(  # a limit left out: ""
        (str(r), str(lo) if lo in frame.columns else "",
         str(hi) if hi in frame.columns else "", str(method))
        for r, lo, hi, method in intervals if r in frame.columns))
    if treat_all is None:
        treat_all = like.treat_all if like is not None else ()
    treat_all = tuple(dict.fromkeys(  # a threshold column left out: ""
        (str(c), str(t) if t in frame.columns else "", k, n)
        for c, t, k, n in treat_all if c in frame.columns))
    if net_benefit_counts is None:
        net_benefit_counts = like.net_benefit_counts if like is not None else ()
    net_benefit_counts = tuple(dict.fromkeys(  # a column left out: ""
        (str(c), str(t) if t in frame.columns else "", n,
         tuple((float(x), int(k), int(m)) for x, k, m in points),
         tuple(str(v) if v in frame.columns else "" for v in limits))
        for c, t, n, points, limits in net_benefit_counts if c in frame.columns))
    if breakdown_shares is None:
        breakdown_shares = like.breakdown_shares if like is not None else ()
    breakdown_shares = tuple(dict.fromkeys(  # a count column left out: ""
        (str(c), str(k) if k in frame.columns else "")
        for c, k in breakdown_shares if c in frame.columns))
    if breakdown_totals is None:
        breakdown_totals = like.breakdown_totals if like is not None else ()
    breakdown_totals = tuple(dict.fromkeys(  # a block column left out: ""
        (str(c), str(b) if b and b in frame.columns else "",
         tuple((str(k), None if t is None else int(t)) for k, t in totals))
        for c, b, totals in breakdown_totals if c in frame.columns))
    if denominator is None and like is not None:
        denominator = like.denominator
    if isinstance(links, str):  # "like"
        links = like.links if like is not None else ()
    if denominator is not None and (denominator not in frame.columns or
                                    dict(roles).get(denominator) != "count"):
        denominator = None  # the column was left out (or is no count here)
    if people_outcomes is None:
        people_outcomes = like.people_outcomes if like is not None else ()
    people_outcomes = tuple(str(c) for c in people_outcomes if denominator is not None
                            and c != denominator and dict(roles).get(c) == "count")
    if flow is None and like is not None and like.flow is not None and \
            len(like.flow) == len(frame):
        flow = like.flow
    if flow_zero is None:
        flow_zero = like.flow_zero if like is not None and flow is not None and \
            like.flow == flow else ()
    flow_zero = tuple((str(c), int(r)) for c, r in flow_zero
                      if flow is not None and c in frame.columns)
    if like is not None:
        record = ProtectionRecord(
            profile=like.profile, enabled=like.enabled, threshold=like.threshold,
            base=like.base, rounding=like.rounding, roles=roles, suppressed=suppressed,
            secondary=like.secondary,
            secondary_cells=max(like.secondary_cells, secondary_cells),
            notes=like.notes, seals=seals, acro=like.acro, places=places,
            bases=bases, rates=rates, intervals=intervals, treat_all=treat_all,
            net_benefit_counts=net_benefit_counts, breakdown_shares=breakdown_shares,
            breakdown_totals=breakdown_totals,
            denominator=denominator, people_outcomes=people_outcomes, links=links,
            flow=flow, flow_zero=flow_zero)
    else:
        p = profile or get_profile()
        record = ProtectionRecord(
            profile=p.name, enabled=enabled, threshold=p.threshold, base=p.base,
            rounding=p.rounding, roles=roles, suppressed=suppressed,
            secondary=secondary, secondary_cells=secondary_cells, notes=notes,
            seals=seals, acro=acro, places=places, bases=bases, rates=rates,
            intervals=intervals, treat_all=treat_all,
            net_benefit_counts=net_benefit_counts, breakdown_shares=breakdown_shares,
            breakdown_totals=breakdown_totals,
            denominator=denominator, people_outcomes=people_outcomes, links=links,
            flow=flow, flow_zero=flow_zero)
    return ProtectedTable(frame, record, _token=_TOKEN)


@dataclass(frozen=True)
class ProtectedValue:
    """One protected number: a count, share, rate or mean, and how it was made.

    ``value`` is ``None`` when suppressed (``reason`` says why). Shares are per cent
    and carry a Wilson 95% interval computed from the published numerator and
    denominator (``numerator``, ``denominator``). Made only by
    :mod:`lifetools.disclosure` (``protected_count``, ``share``, ``rate`` ...).
    """

    kind: str
    value: float | int | None
    profile: str
    numerator: int | None = None
    denominator: float | int | None = None
    interval: tuple[float, float] | None = None
    reason: str = ""
    seal: str = field(default="", repr=False)
    per: float | None = None
    """A rate's multiplier: ``value`` is ``per`` x ``numerator`` / ``denominator``
    (events per 1,000 person-years: 1000); ``None`` for any other kind."""

    def __post_init__(self) -> None:
        expected = _seal(self.kind, self.value, self.profile, self.numerator,
                         self.denominator, list(self.interval or ()), self.reason,
                         *([] if self.per is None else [self.per]))
        if not hmac.compare_digest(self.seal, expected):
            raise DisclosureError(
                "a ProtectedValue can only be made by lifetools.disclosure",
                hint="use lt.disclosure.protected_count, share or rate")

    @property
    def suppressed(self) -> bool:
        """Whether the value is hidden."""
        return self.value is None

    def verify(self) -> ProtectedValue:
        """Return ``self`` if its fields still match its seal."""
        ProtectedValue.__post_init__(self)
        return self


def _value(kind: str, value: float | int | None, profile: SdcProfile, **fields: Any
           ) -> ProtectedValue:
    interval = fields.get("interval")
    per = fields.get("per")
    seal = _seal(kind, value, profile.name, fields.get("numerator"),
                 fields.get("denominator"), list(interval or ()),
                 fields.get("reason", ""), *([] if per is None else [per]))
    return ProtectedValue(kind=kind, value=value, profile=profile.name, seal=seal,
                          **fields)


def is_protected(obj: Any) -> bool:
    """Whether ``obj`` is a protected table or value that still verifies."""
    try:
        return isinstance(obj, (ProtectedTable, ProtectedValue)) and bool(obj.verify())
    except DisclosureError:
        return False
