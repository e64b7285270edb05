"""A model release decided on a toy one-term model (tests of the crisis report's words
and its model card): released or withheld by the events given, as
:func:`lifetools.disclosure.model_release` decides for a real model."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from lifetools.disclosure import model_release


def toy_release(events: list[float]):
    """The release of a one-term model fitted on ``events`` (0/1 outcomes): withheld
    when too few residual degrees of freedom or events, released otherwise."""
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    return model_release(SimpleNamespace(summary=summary, warnings=(), model=None),
                         data=pd.DataFrame({"event": events}), event_col="event",
                         level_cols=[], converged=True)
