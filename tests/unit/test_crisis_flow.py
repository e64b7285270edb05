"""The crisis-risk report's participant flow as protected counts (issue 12, wave 21).

The flow (people at each step of the development and validation cohorts) was the one
published count of the report held raw in the report and protected only when shown;
it is now a protected table where it is made (``crisis_parts.flow_table``).
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from lifetools import tables
from lifetools.disclosure import ProtectedTable
from lifetools.errors import DisclosureError
from lifetools.reports.crisis_parts import FLOW_COUNTS, flow_table

STEPS = ["Open on the index date", "Aged 18 or over", "Crisis within 12 months",
         "Died within 12 months with no crisis first"]


def _cohort(counts: list[int]) -> SimpleNamespace:
    return SimpleNamespace(flow=pd.DataFrame({"step": STEPS, "n": counts}))


def test_flow_table_protects_each_cohorts_counts():
    flow = flow_table(_cohort([1203, 1187, 96, 3]), _cohort([1311, 1290, 101, 12]))
    assert isinstance(flow, ProtectedTable) and flow.count_cols == list(FLOW_COUNTS)
    frame = flow.frame
    assert frame["step"].tolist() == STEPS
    assert frame["development"].tolist()[:3] == [1205, 1185, 95]
    assert frame["development"].tolist()[3] is pd.NA  # 3 people: suppressed
    assert frame["validation"].tolist() == [1310, 1290, 100, 10]


def test_flow_table_is_shown_as_made_and_refuses_a_raw_count_put_back(tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    flow = flow_table(_cohort([1203, 1187, 96, 3]), _cohort([1311, 1290, 101, 12]))
    shown = tables.show_table(flow, name="flow", count_cols=list(FLOW_COUNTS),
                              caption="Development and validation cohorts")
    assert shown.rules["count_cols"] == list(FLOW_COUNTS)
    raw = flow.frame.assign(development=[1203, 1187, 96, 3])
    with pytest.raises(DisclosureError):
        tables.show_table(raw, name="flow", count_cols=list(FLOW_COUNTS),
                          caption="Development and validation cohorts")
