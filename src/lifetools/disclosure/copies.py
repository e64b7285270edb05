"""A protected table's cells as a DataFrame that keeps its protection record.

:attr:`lifetools.disclosure.ProtectedTable.frame` gives a :class:`ProtectedCopy`: a
DataFrame (for computing, plotting, reading) that remembers, for each column, the
values the protected table published in it. pandas keeps the type and the record
through what is done to the copy (``.assign``, a column set, ``.fillna``, ``.replace``,
selection, sorting, dropping rows, ``.round``), and this class keeps it through what combines it
with other frames (``.merge``, ``.join``, ``pd.concat`` with the copy first): the
record of a combination is the union of the records of its protected operands, so a
column or rows from a plain frame are not covered by it.

The displays and makers that take a plain frame (``show_table``, ``protect_counts``)
call :func:`require_copy_kept`: a copy whose every column holds only values its
protected table published (a subset of rows, the columns reordered, two protected
tables merged or stacked) passes and is protected again as a plain frame; a copy that
gained a column holding numbers (raw means merged in), or whose column holds a value
the protected table did not publish, is refused with
:class:`~lifetools.errors.DisclosureError` naming the table and the column.

pandas gives a combination the type of its *first* operand, so a plain frame on the
left (``raw.merge(table.frame)``, ``pd.merge(raw, table.frame)``, ``raw.join(...)``,
``pd.concat([raw, table.frame])``, ``raw.combine_first(table.frame)``) would make a
plain frame with no record to verify. Every such combination ends in one pandas call,
``DataFrame.__finalize__(operation, method=...)``, which pandas hands the operation
holding its operands (``orig_left``/``orig_right`` of a merge, ``merge_asof`` and
``merge_ordered``; ``objs`` of a concat, which ``join`` of several frames uses) and
whose return value it returns. :func:`install` (run when this module is imported, so
before any notebook code) wraps that call on plain frames, and ``DataFrame.combine``
(``combine_first``) whose operand pandas does not hand on: a combination with a
protected copy in *any* position is a :class:`ProtectedCopy` whose record is the union
of its protected operands', checked when shown like any copy. ``DataFrame.update`` of a
plain frame from a copy (in place: the frame cannot become a copy) is refused. Values
taken out of a copy one column at a time (``raw["n"] = table.frame["n"]``,
``.tolist()``) are values, not a combination: a plain frame holding them is protected
as given. Tested in ``tests/unit/test_disclosure_copies.py``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from lifetools.disclosure.cells import shows_number
from lifetools.errors import DisclosureError

__all__ = ["ProtectedCopy", "copy_of", "install", "require_copy_kept"]

_SOURCE = "_lifetools_source"
Source = tuple[tuple[pd.DataFrame, tuple[tuple[Any, Any], ...]], ...]
"""A copy's record: each protected table's frame it came from (held, not copied: a
protected table never changes) with (the table's column, its name in the copy). The
values are read from it only when the copy is checked."""


def _key(value: Any) -> Any:
    """A cell's value as compared with the protected table's (None when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    return ("text", str(value))


def _values(series: pd.Series) -> frozenset:
    return frozenset(k for k in map(_key, series.tolist()) if k is not None)


class ProtectedCopy(pd.DataFrame):
    """A copy of a protected table's cells (not itself protected).

    Its record (the values each column published) follows it through pandas
    operations; :func:`require_copy_kept` checks it before it is shown again.
    """

    _metadata = [_SOURCE]

    @property
    def _constructor(self) -> type[ProtectedCopy]:
        return ProtectedCopy

    def __finalize__(self, other: Any, method: str | None = None,
                     **kwargs: Any) -> ProtectedCopy:
        out = super().__finalize__(other, method=method, **kwargs)
        if method == "merge":
            operands: Iterable[Any] = (getattr(other, "orig_left", None),
                                       getattr(other, "orig_right", None))
        elif method == "concat":
            operands = getattr(other, "objs", ())
        else:
            return out
        object.__setattr__(out, _SOURCE, _union(operands))
        return out

    def rename(self, *args: Any, **kwargs: Any) -> Any:
        """``DataFrame.rename``; a renamed column keeps its record."""
        before = list(self.columns)
        out = super().rename(*args, **kwargs)
        target = self if out is None else out  # inplace=True returns None
        source = getattr(self, _SOURCE, None)
        if source is not None and isinstance(target, ProtectedCopy):
            names = dict(zip(before, target.columns, strict=True))
            object.__setattr__(target, _SOURCE, tuple(
                (frame, tuple((c, names.get(now, now)) for c, now in columns))
                for frame, columns in source))
        return out


_MADE_BY_PANDAS = object()
"""A copy's record when pandas constructed the copy and no operation gave it one."""


def _union(operands: Iterable[Any]) -> Source | None:
    """The record of a combination: its protected operands' records, joined.

    None (nothing verifiable) when a protected operand had already lost its record.
    A copy pandas made inside the combination without one (from a plain Series, or
    reindexed by ``merge_ordered``) vouches for nothing, as a plain frame does."""
    joined: Source = ()
    for operand in operands:
        if not isinstance(operand, ProtectedCopy):
            continue  # a plain frame vouches for nothing
        source = getattr(operand, _SOURCE, _MADE_BY_PANDAS)
        if source is _MADE_BY_PANDAS:
            continue
        if source is None:
            return None
        joined += tuple(source)
    return joined


_COMBINATIONS = frozenset({"merge", "ordered_merge", "asof_merge", "concat"})
"""The ``method`` pandas passes to ``__finalize__`` at the end of a combination."""
_PANDAS: dict[str, Any] = {}
"""The ``DataFrame`` methods :func:`install` wrapped, as pandas defines them."""


def _operands(operation: Any, method: str) -> tuple[Any, ...]:
    """The frames a pandas combination combined (its ``__finalize__`` argument)."""
    if method == "concat":
        return tuple(getattr(operation, "objs", ()))
    return (getattr(operation, "orig_left", None), getattr(operation, "orig_right", None))


def _carried(out: Any, operands: tuple[Any, ...]) -> Any:
    """``out``, a combination of ``operands``, as a :class:`ProtectedCopy` with the
    union of its protected operands' records (sharing its data), when an operand is a
    protected copy; ``out`` itself otherwise."""
    if not isinstance(out, pd.DataFrame) or not any(
            isinstance(o, ProtectedCopy) for o in operands):
        return out
    if type(out) is not ProtectedCopy:
        if type(out) is not pd.DataFrame:
            return out  # another subclass keeps its own type (a dataset's table)
        copy = ProtectedCopy._from_mgr(out._mgr, axes=out._mgr.axes)
        copy.attrs = out.attrs
        copy.flags.allows_duplicate_labels = out.flags.allows_duplicate_labels
        out = copy
    object.__setattr__(out, _SOURCE, _union(operands))
    return out


def _finalize(self: pd.DataFrame, other: Any, method: str | None = None,
              **kwargs: Any) -> pd.DataFrame:
    out = _PANDAS["__finalize__"](self, other, method=method, **kwargs)
    if method in _COMBINATIONS and type(out) is pd.DataFrame:
        return _carried(out, _operands(other, method))
    return out


def _combine(self: pd.DataFrame, other: Any, *args: Any, **kwargs: Any) -> Any:
    return _carried(_PANDAS["combine"](self, other, *args, **kwargs), (self, other))


def _update(self: pd.DataFrame, other: Any, *args: Any, **kwargs: Any) -> None:
    if isinstance(other, ProtectedCopy) and not isinstance(self, ProtectedCopy):
        raise DisclosureError(
            "a plain DataFrame was updated in place from a protected table's cells "
            "(ProtectedTable.frame): it cannot carry their protection record",
            hint="update the copy instead (table.frame.update(other)), or merge the "
                 "two with ProtectedTable.merge")
    return _PANDAS["update"](self, other, *args, **kwargs)


def install() -> None:
    """Make every pandas combination with a protected copy a protected copy.

    Wraps, once per process, ``DataFrame.__finalize__`` (the one call that ends each
    ``merge``, ``merge_asof``, ``merge_ordered``, ``join`` and ``concat``, given the
    operation and its operands), ``DataFrame.combine`` (``combine_first``) and
    ``DataFrame.update``. A frame combined from plain frames only is returned
    unchanged (one comparison of ``method`` per ``__finalize__``). Run when this
    module is imported (``import lifetools``).

    Notes
    -----
    The wrapped methods are pandas' own; ``_PANDAS`` keeps them. Tested in
    ``tests/unit/test_disclosure_copies.py``.
    """
    wrappers = {"__finalize__": _finalize, "combine": _combine, "update": _update}
    for name, wrapper in wrappers.items():
        current = getattr(pd.DataFrame, name)
        if getattr(current, "_lifetools_wrapped", False):
            continue
        _PANDAS[name] = current
        wrapped = functools.wraps(current)(wrapper)
        wrapped._lifetools_wrapped = True  # type: ignore[attr-defined]
        setattr(pd.DataFrame, name, wrapped)


def _published(source: Source, column: Any) -> frozenset | None:
    """The values the protected tables published in what is now ``column`` (None
    when no protected table had it)."""
    found = [_values(frame[c]) for frame, columns in source for c, now in columns
             if now == column]
    return frozenset().union(*found) if found else None


def _places(value: Any) -> int | None:
    """The decimal places ``value`` is written with (``repr``), None when it is not a
    finite float written without an exponent (never a rounded published number)."""
    if not isinstance(value, float):
        return None
    text = repr(value)
    if "e" in text or "inf" in text or "nan" in text:
        return None
    return len(text.split(".", 1)[1]) if "." in text else 0


class _Rounded:
    """The published numbers of a column rounded to each number of places asked for,
    indexed once per number of places (a set each): checking a copy's column is linear
    in its cells and the published values, not their product."""

    def __init__(self, allowed: frozenset) -> None:
        self._floats = np.array([p for p in allowed if isinstance(p, float)], dtype=float)
        self._by_places: dict[int, frozenset[float]] = {}

    def __call__(self, value: Any) -> bool:
        """Whether ``value`` is a published number rounded to fewer places (a figure's
        data rounded to 4 places by ``.round(4)``): it shows less than the published
        value did. Rounded as pandas rounds (numpy's ``round``)."""
        places = _places(value)
        if places is None:
            return False
        rounded = self._by_places.get(places)
        if rounded is None:
            rounded = frozenset(np.round(self._floats, places).tolist())
            self._by_places[places] = rounded
        return value in rounded


def _rounded_from(value: Any, allowed: frozenset) -> bool:
    """:class:`_Rounded` for one value (the reference the index is tested against)."""
    places = _places(value)
    if places is None:
        return False
    return any(isinstance(p, float) and float(np.round(p, places)) == value
               for p in allowed)


def copy_of(frame: pd.DataFrame) -> ProtectedCopy:
    """A :class:`ProtectedCopy` of a protected table's frame (which must never change:
    the copy's record holds it)."""
    copy = ProtectedCopy(frame.copy())
    object.__setattr__(copy, _SOURCE, ((frame, tuple((c, c) for c in frame.columns)),))
    return copy


def require_copy_kept(frame: pd.DataFrame, *, name: str | None = None) -> None:
    """Refuse a copy of a protected table that holds what the table did not publish.

    A plain DataFrame passes (it is protected as given). A :class:`ProtectedCopy`
    passes when each of its cells that shows a number
    (:func:`~lifetools.disclosure.cells.cell_numbers`) holds a value its protected
    table(s) published in that column, or one rounded to fewer places (rows left out, reordered or repeated by a merge
    of protected tables, missing cells and relabelled words are allowed).

    Raises
    ------
    DisclosureError
        Naming the table and the first column that was added holding numbers
        (``.merge``, ``.join``, ``pd.concat``, ``.assign``, a column set) or that holds
        a value its protected table did not publish; or when the record was lost.
    """
    if not isinstance(frame, ProtectedCopy):
        return
    where = f"table {name!r}: " if name else ""
    source = getattr(frame, _SOURCE, None)
    if source is None:
        raise DisclosureError(
            f"{where}a copy of a protected table (ProtectedTable.frame) was combined "
            "with another copy whose protection record was lost: its cells cannot be "
            "verified", hint="combine the protected tables with ProtectedTable.merge")
    for column in frame.columns:
        allowed = _published(source, column)
        if allowed is None:
            if any(shows_number(v) for v in frame[column].tolist()):
                raise DisclosureError(
                    f"{where}column {column!r} was added to a protected table's cells "
                    "(.merge, .join, pd.concat, .assign or a column set) and holds "
                    "numbers that no disclosure rule made",
                    hint="protect it with lt.disclosure (protect_counts, "
                         "protect_magnitudes, share, rate) and merge the protected tables")
            continue
        rounded = _Rounded(allowed)
        if any(k is not None and k not in allowed and shows_number(v)
               and not rounded(k)
               for v, k in ((v, _key(v)) for v in frame[column].tolist())):
            raise DisclosureError(
                f"{where}column {column!r} holds a value that its protected table did "
                "not publish (changed, or rows from an unprotected frame added)",
                hint="show the protected table itself, or protect the new values with "
                     "lt.disclosure first")


install()
