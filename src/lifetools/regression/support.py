"""Common support of a propensity model: who shares covariate values with the other
group, and who is left out because a covariate separates the groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["OutsideSupport", "common_support"]


class OutsideSupport(NamedTuple):
    """People left outside the common support: those with ``covariate`` on ``side``
    (``"above"`` or ``"below"``) of ``value``, where there is no one of ``group``
    (``"users"`` or ``"non-users"``); ``indicator`` when the covariate is 0/1."""

    covariate: str
    side: str
    value: float
    group: str
    indicator: bool


def common_support(df: pd.DataFrame, *, treatment_col: str, covariates: Sequence[str]
                   ) -> tuple[pd.Series, tuple[OutsideSupport, ...]]:
    """People where both groups have values of every covariate, and who was left out.

    Notes
    -----
    A covariate on which one group's values all lie at or below the other group's
    (users' highest value equal to non-users' lowest, say: a locality indicator with no
    users, or users who all had no baseline admissions) separates the groups
    (quasi-complete separation): the maximum-likelihood coefficient is infinite, the
    logistic fit never converges, and the people beyond the shared value have a
    limiting score of 0 (or 1). They lie outside the common support: no one of the
    other group shares their values, so none can be matched, and their ATT weight
    tends to 0. They are left out (repeated until no covariate separates the rest);
    the other coefficients are then the limit of the unconverged fit. Separation by a
    combination of covariates is not detected (the fit then fails with its reason).
    Complete separation (no shared value) leaves no one. Checked in
    ``tests/unit/test_propensity_support.py``.
    """
    treated = (df[treatment_col] == 1).to_numpy()
    keep = np.ones(len(df), dtype=bool)
    left: list[OutsideSupport] = []
    changed = True
    while changed and keep.any():
        changed = False
        for col in covariates:
            x = df[col].to_numpy(dtype=float)
            if np.isnan(x[keep]).any():
                continue
            indicator = bool(np.isin(x[keep], (0.0, 1.0)).all())
            for low, high, names in ((treated, ~treated, ("users", "non-users")),
                                     (~treated, treated, ("non-users", "users"))):
                a, b = x[keep & low], x[keep & high]
                if a.size == 0 or b.size == 0 or a.max() > b.min():
                    continue
                value = float(a.max())
                above, below = keep & high & (x > value), keep & low & (x < value)
                if a.max() < b.min():  # complete separation: no value shared
                    above, below = keep & high, keep & low
                for out, side, missing in ((above, "above", names[0]),
                                           (below, "below", names[1])):
                    if out.any():
                        keep &= ~out
                        left.append(OutsideSupport(col, side, value, missing, indicator))
                        changed = True
                break
    return pd.Series(keep, index=df.index), tuple(left)
