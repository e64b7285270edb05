"""The ridge penalties cross-validation tries: one owner below the estimator and the
settings a text may state.

:func:`lifetools.prediction.penalised.fit_ridge_model` chooses its penalty among
:data:`PENALTY_GRID`, and a published sentence may state the penalty chosen only as one
of them (the setting "ridge penalty" of :mod:`lifetools.disclosure.settings`). Neither
package may import the other (``lifetools.prediction`` imports formatting, which
imports ``lifetools.disclosure``), so the grid lives here. This module imports
nothing from lifetools.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PENALTY_GRID"]

PENALTY_GRID = tuple(float(v) for v in np.r_[0.0, np.geomspace(0.01, 100.0, 13)])
"""Penalties tried by cross-validation (``rms::lrm`` scale: per unit variance)."""
