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

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from lifetools.disclosure.acro_check import acro_enabled, acro_magnitude_verdict
from lifetools.disclosure.counts import protect_counts
from lifetools.disclosure.profiles import SdcProfile, get_profile
from lifetools.disclosure.protected import ProtectedTable, _mint
from lifetools.disclosure.rules import Totals, hide_secondary, totals_groups

__all__ = ["magnitude_reason", "protect_magnitudes"]


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
