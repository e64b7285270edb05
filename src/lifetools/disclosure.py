"""Statistical disclosure control: the rules every published count passes through.

Policy (``../shared/DOMAIN.md`` section 4): counts of 1 to 7 are suppressed and every
other count is rounded to the nearest 5, as OpenSAFELY does by default and as HES and
ECDS do below national level (since September 2018). Zero is shown, as HES shows it.
Percentages and rates are derived from the protected counts; survival curves are shown
only while at least ``MIN_AT_RISK`` people remain at risk, with numbers at risk rounded.
Protection is on by default; switching it off takes ``enabled=False`` and is recorded.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import pandas as pd

from lifetools.errors import DisclosureWarning

__all__ = [
    "MIN_AT_RISK",
    "PROTECTION_ATTR",
    "ROUNDING_BASE",
    "SUPPRESSION_THRESHOLD",
    "is_protected",
    "protect_count",
    "protect_counts",
    "round_count",
]

SUPPRESSION_THRESHOLD = 7
"""Counts from 1 up to and including this value are suppressed."""
ROUNDING_BASE = 5
"""Every count that is not suppressed is rounded to a multiple of this."""
MIN_AT_RISK = 10
"""Survival and cumulative-incidence curves stop where fewer remain at risk."""
PROTECTION_ATTR = "lifetools_protection"
"""Key in ``DataFrame.attrs`` recording the rules applied to a protected frame."""


def round_count(n: int, *, base: int = ROUNDING_BASE) -> int:
    """Round a non-negative count to the nearest multiple of ``base`` (halves up)."""
    if n < 0:
        raise ValueError(f"a count cannot be negative (got {n})")
    return int(math.floor(n / base + 0.5)) * base


def protect_count(
    n: int | None,
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    base: int = ROUNDING_BASE,
    enabled: bool = True,
) -> int | None:
    """Return a count fit to publish: ``None`` when suppressed, else rounded.

    Zero is kept (nobody can be singled out by it); 1 to ``threshold`` become ``None``;
    larger counts are rounded to the nearest ``base``.
    """
    if n is None or (isinstance(n, float) and math.isnan(n)) or n is pd.NA:
        return None
    n = int(n)
    if not enabled:
        return n
    if n == 0:
        return 0
    if n <= threshold:
        return None
    return round_count(n, base=base)


def protect_counts(
    frame: pd.DataFrame,
    count_cols: Sequence[str],
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    base: int = ROUNDING_BASE,
    enabled: bool = True,
) -> pd.DataFrame:
    """Return a copy of ``frame`` whose ``count_cols`` are suppressed and rounded.

    Suppressed cells become ``<NA>`` (nullable ``Int64``). The rules applied are
    recorded in ``result.attrs[PROTECTION_ATTR]``; ``enabled=False`` leaves the counts
    as they are, warns with :class:`DisclosureWarning` and records that too.
    """
    missing = [c for c in count_cols if c not in frame.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {missing}")
    if not enabled:
        warnings.warn(
            "disclosure control switched off: counts are published unprotected",
            DisclosureWarning,
            stacklevel=2,
        )
    out = frame.copy()
    for col in count_cols:
        values = [
            protect_count(v, threshold=threshold, base=base, enabled=enabled)
            for v in out[col].tolist()
        ]
        out[col] = pd.array(values, dtype="Int64")
    out.attrs[PROTECTION_ATTR] = {
        "enabled": enabled,
        "threshold": threshold,
        "base": base,
        "count_cols": list(count_cols),
    }
    return out


def is_protected(frame: pd.DataFrame) -> bool:
    """Tell whether ``frame`` came out of :func:`protect_counts` (or a derived rule)."""
    return PROTECTION_ATTR in frame.attrs
