"""Model release check: n, events, residual df per level; withheld with a reason."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from lifetools.disclosure import NOT_ESTIMABLE, model_release
from lifetools.tables import table_estimates


def fitted(estimate=1.5, low=1.1, high=2.0, warnings=(), model=None):
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [estimate],
                            "ci_lower": [low], "ci_upper": [high], "p_value": [0.01]})
    return SimpleNamespace(summary=summary, warnings=warnings, model=model)


def data(events_exposed: int, n: int = 200) -> pd.DataFrame:
    exposed = np.r_[np.ones(n // 2), np.zeros(n // 2)]
    event = np.zeros(n)
    event[:events_exposed] = 1
    event[n // 2:n // 2 + 40] = 1
    return pd.DataFrame({"exposed": exposed, "event": event})


def test_model_release_passes_with_enough_events():
    release = model_release(fitted(), data=data(10), event_col="event",
                            level_cols=["exposed"])
    assert release.released and release.reason == ""
    assert release.levels["events"].tolist() == [40, 10]
    assert release.residual_df == 199


def test_model_release_withholds_a_level_with_few_events():
    # the 2023-24 re-referral page: a group with fewer than 8 events
    release = model_release(fitted(), data=data(9), event_col="event",
                            level_cols=["exposed"])
    assert not release.released
    assert release.reason == "fewer than 10 events in exposed = 1.0"
    assert release.levels["events"].tolist()[1] == 10  # 9 shown rounded
    few = model_release(fitted(), data=data(5), event_col="event",
                        level_cols=["exposed"])
    assert few.levels["events"].tolist()[1] is pd.NA   # 5 suppressed


@pytest.mark.parametrize(("result", "reason"), [
    (fitted(0.0, 0.0, float("inf")), "degenerate interval"),
    (fitted(1.2, 1.2, 1.2), "degenerate interval"),
    (fitted(1.2, 0.9, float("nan")), "degenerate interval"),
    (fitted(warnings=("Newton-Raphson failed to converge",)), "did not converge"),
    (fitted(model=SimpleNamespace(mle_retvals={"converged": False})),
     "did not converge"),
])
def test_model_release_withholds_degenerate_or_non_converged(result, reason):
    release = model_release(result, data=data(30), event_col="event",
                            level_cols=["exposed"])
    assert not release.released and reason in release.reason


def test_model_release_residual_df():
    release = model_release(fitted(), data=data(10, n=40).head(10), event_col="event",
                            level_cols=[])
    assert "residual degrees of freedom" in release.reason


def test_withheld_model_is_shown_as_too_few_events_with_reason():
    release = model_release(fitted(0.0, 0.0, float("inf")), data=data(5),
                            event_col="event", level_cols=["exposed"])
    table = table_estimates(release.apply(fitted(0.0, 0.0, float("inf")).summary))
    assert table["estimate (95% CI)"].tolist() == [
        f"{NOT_ESTIMABLE}: fewer than 10 events in exposed = 1.0; degenerate interval "
        "(0, infinite or missing) for exposed"]
    assert "to inf" not in table.to_string() and "0.00" not in table.to_string()
