"""Magnitude tables: sums and means (person-years, mean scores) and their rules.

A sum or mean over few people, or one dominated by one or two people, discloses them.
Each cell of a magnitude table must pass, with the profile's numbers:

- **threshold rule**: at least ``magnitude_threshold`` contributors (10 by default);
- **dominance (n, k) rule**: the ``nk_n`` largest contributions (n = 2) make up no
  more than ``nk_k`` (k = 0.85) of the cell total;
- **p% rule**: the total less the two largest contributions is at least
  ``p_percent`` (10%) of the largest, so the second-largest contributor cannot
  estimate the largest to within p%.

Both dominance rules are applied, as ACRO (SACRO) applies them by default
(``NKCheck`` and ``PPercentCheck``); contributions are taken in absolute value (a
mean change in a score can be negative). Cells failing any rule are suppressed, and
when the cells add up to a published total, secondary suppression hides more cells
(the same algorithm as for counts, :func:`~lifetools.disclosure.hide_secondary`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from lifetools.disclosure.acro_check import acro_enabled, acro_magnitude_verdict
from lifetools.disclosure.counts import protect_counts
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.protected import ProtectedTable, _mint
from lifetools.disclosure.rules import Totals, hide_secondary, totals_groups
from lifetools.signs import fixed

__all__ = ["NOT_RECORDED", "QUANTILES_HEADER", "magnitude_reason", "protect_magnitudes",
           "protect_quantiles"]

NOT_RECORDED = "not recorded"
"""A cell of :func:`protect_quantiles` for a group in which nobody has the value."""
QUANTILES_HEADER = "{group}: median (quartiles)"
"""The header of each group's column of :func:`protect_quantiles`."""


def magnitude_reason(contributions: Sequence[float], *,
                     profile: str | SdcProfile | None = None) -> str:
    """Why a sum or mean of ``contributions`` may not be published ("" if it may).

    Notes
    -----
    Threshold, then n-k dominance, then p%, as described in the module docstring.
    Boundaries tested in ``tests/unit/test_disclosure_magnitude.py``.
    """
    p = get_profile(profile)
    values = np.sort(np.abs(np.asarray(contributions, dtype="float64")))[::-1]
    values = values[~np.isnan(values)]
    if len(values) < p.magnitude_threshold:
        return f"fewer than {p.magnitude_threshold} contributors (threshold rule)"
    total = float(values.sum())
    if total <= 0:
        return ""
    if float(values[:p.nk_n].sum()) > p.nk_k * total:
        return (f"the {p.nk_n} largest contributions exceed {p.nk_k:.0%} of the total "
                "(dominance n-k rule)")
    if total - float(values[:2].sum()) < p.p_percent * float(values[0]) / 100:
        return (f"the rest of the total is under {p.p_percent:g}% of the largest "
                "contribution (p% rule)")
    return ""


def protect_magnitudes(
    rows: pd.DataFrame,
    *,
    group_cols: str | Sequence[str],
    value_col: str,
    statistic: Literal["sum", "mean"] = "sum",
    totals: Totals | None = None,
    digits: int = 1,
    profile: str | SdcProfile | None = None,
) -> ProtectedTable:
    """Sum or mean of ``value_col`` by group, with threshold and dominance rules.

    Parameters
    ----------
    rows
        One row per contributor (person), with the group columns and the value.
    group_cols
        The cells.
    value_col
        The magnitude (person-years, a score).
    statistic
        ``"sum"`` or ``"mean"``.
    totals
        For sums: ``"columns"`` when the cells add up to a published total
        (secondary suppression). Means do not add up and get none.
    digits
        Decimal places of the published value.

    Returns
    -------
    ProtectedTable
        Group columns, ``contributors`` (a protected count), the value (named
        ``value_col``); why a cell is hidden is in the protection record only
        (``record.suppressed``: the rule's reason, or ``secondary suppression``), never
        a column a page shows (:mod:`lifetools.disclosure.withheld`).

    Notes
    -----
    Rules as in the module docstring (:func:`magnitude_reason`); secondary
    suppression of sums by :func:`~lifetools.disclosure.hide_secondary`. Tested in
    ``tests/unit/test_disclosure_magnitude.py`` and, against ACRO, in
    ``tests/unit/test_disclosure_acro.py``.
    """
    p = get_profile(profile)
    groups = [group_cols] if isinstance(group_cols, str) else list(group_cols)
    grouped = rows.dropna(subset=[value_col]).groupby(groups, dropna=True)[value_col]
    keys, values, reasons, counts = [], [], [], []
    for key, part in grouped:
        keys.append(key if isinstance(key, tuple) else (key,))
        reasons.append(magnitude_reason(part.to_numpy(), profile=p))
        values.append(float(part.sum() if statistic == "sum" else part.mean()))
        counts.append(len(part))
    raw = pd.DataFrame(keys, columns=groups).assign(contributors=counts)
    protected = protect_counts(raw, ["contributors"], profile=p, not_counts=groups)
    hidden = np.array([bool(r) for r in reasons])
    if totals is not None and statistic == "sum":
        hidden = hide_secondary(hidden, np.array(values),
                                totals_groups(raw, 1, totals, None))
    out = protected.frame
    out[value_col] = pd.array([None if h else round(v, digits)
                               for v, h in zip(values, hidden, strict=True)],
                              dtype="Float64")
    # each cell's reason in the record only (never a column a page or download shows:
    # "dominance" or "secondary suppression" beside one cell narrows it)
    suppressed = list(protected.record.suppressed) + [
        (i, value_col, r or "secondary suppression")
        for i, (r, h) in enumerate(zip(reasons, hidden, strict=True)) if h]
    roles = tuple((c, protected.record.role(c) or
                   ("magnitude" if c == value_col else "other")) for c in out.columns)
    verdict = None
    if acro_enabled():  # the contributors' counts were checked by protect_counts
        verdict = acro_magnitude_verdict(rows, groups, value_col, statistic,
                                         hidden).as_dict()
        counted = protected.record.acro or {}
        for key in ("checked", "flagged", "differences", "disagreements"):
            verdict[key] = verdict[key] + counted.get(key, type(verdict[key])())
    return _mint(out, roles=roles, suppressed=tuple(suppressed), profile=p,
                 acro=verdict, places=((value_col, digits),))


def protect_quantiles(groups: Mapping[str, pd.DataFrame], rows: Mapping[str, str], *,
                      digits: int = 1, label: str = "characteristic",
                      profile: str | SdcProfile | None = None) -> ProtectedTable:
    """Medians and quartiles of each value in each group, under the magnitude rules.

    A median or a quartile over few people describes those people, as a mean does:
    each cell passes the rules of :func:`magnitude_reason` over the recorded values of
    its group (threshold, then both dominance rules, as for a sum or a mean; ACRO
    applies only its threshold to a median, :func:`_acro_quantiles`) or is hidden
    (``[c]``, its reason in the record only). No extreme (a minimum, a maximum: one
    person's value) is ever given.

    Parameters
    ----------
    groups
        Each group's rows (one per person), by the words that name the group
        ("development"): one column of the table each, headed
        :data:`QUANTILES_HEADER`.
    rows
        The value columns, each with the label its row shows ("Age, years").
    digits
        Decimal places of every number, whole-valued data included ("42.0 (30.0 to
        55.0)"): a statistic is written with decimals, and a whole number in a
        table's cell reads as a count (the gate's ``unprotected-number-in-table``).
    label
        The header of the rows' labels.

    Returns
    -------
    ProtectedTable
        Text cells "median (lower quartile to upper quartile)", :data:`NOT_RECORDED`
        for a group with no recorded value, missing where a rule hid it; each group's
        column has the role ``magnitude`` (the gate reads it as a column a rule made).

    Notes
    -----
    Quartiles by linear interpolation (``numpy.quantile``'s default, R's type 7).
    Until wave 36 the crisis page built this table as plain text and it was shown
    as row labels (issue 12). Tested in ``tests/unit/test_disclosure_magnitude.py``.
    """
    p = get_profile(profile)
    columns = [QUANTILES_HEADER.format(group=group) for group in groups]
    cells: dict[str, list[str | None]] = {label: list(rows.values())}
    suppressed = []
    for header, frame in zip(columns, groups.values(), strict=True):
        shown: list[str | None] = []
        for number, column in enumerate(rows):
            values = pd.to_numeric(frame[column], errors="coerce").dropna().to_numpy(
                dtype="float64")
            if not len(values):
                shown.append(NOT_RECORDED)
            elif reason := magnitude_reason(values, profile=p):
                shown.append(None)
                suppressed.append((number, header, reason))
            else:
                low, mid, high = np.quantile(values, [0.25, 0.5, 0.75])
                shown.append(f"{fixed(mid, digits)} ({fixed(low, digits)} to "
                             f"{fixed(high, digits)})")
        cells[header] = shown
    out = pd.DataFrame(cells, dtype=object)
    roles = ((label, "other"), *((c, "magnitude") for c in columns))
    verdict = _acro_quantiles(groups, rows, columns, suppressed) if acro_enabled() else None
    return _mint(out, roles=roles, suppressed=tuple(suppressed), profile=p, acro=verdict)


def _acro_quantiles(groups: Mapping[str, pd.DataFrame], rows: Mapping[str, str],
                    columns: Sequence[str], suppressed: Sequence[tuple[int, str, str]]
                    ) -> dict[str, object]:
    """ACRO's checks of each row's medians (its ``pivot_table`` with ``median`` over
    the groups), against the cells :func:`protect_quantiles` hid: a cell ACRO flags
    that lifetools shows is a disagreement (row, header). ACRO applies its frequency
    threshold to a median and not its dominance rules, so lifetools hides at least
    what ACRO does."""
    header = dict(zip(groups, columns, strict=True))
    hidden = {(row, column) for row, column, _ in suppressed}
    verdict: dict[str, object] = {"checked": 0, "flagged": 0, "differences": [],
                                  "disagreements": []}
    for number, column in enumerate(rows):
        long = pd.concat([frame[[column]].assign(group=name)
                          for name, frame in groups.items()], ignore_index=True)
        long[column] = pd.to_numeric(long[column], errors="coerce")
        recorded = sorted(long.dropna(subset=[column])["group"].unique())  # groupby order
        if not recorded:
            continue
        found = acro_magnitude_verdict(
            long, ["group"], column, "median",
            [(number, header[name]) in hidden for name in recorded]).as_dict()
        verdict["version"] = found["version"]
        verdict["checked"] = int(verdict["checked"]) + found["checked"]
        verdict["flagged"] = int(verdict["flagged"]) + found["flagged"]
        verdict["disagreements"] += [  # type: ignore[operator]
            [number, header[recorded[position]], why]
            for position, _, why in found["disagreements"]]
    return verdict

