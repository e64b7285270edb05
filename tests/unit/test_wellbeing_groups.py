"""The wellbeing report hides a count of none (or all) of a group (issue 12, wave 28).

On the 3,000-person build the 2023-24 page said "fewer than 8 people completed SWEMWBS
when they started and 0 completed it again later", and the 2024-25 counts table showed
"0 improving" under "[c] with a follow-up": each says that none of 1 to 7 people did
it (group disclosure), although each count alone passes the count rules. The report
now states the people with a follow-up through the group rule
(:func:`lifetools.reports.narrative.reveals_whole_group`, as the re-referral report's
people re-referred) and hides such rows of its counts table.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools import reports
from lifetools.loading import load_dataset
from lifetools.synthetic import write_synthetic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wellbeing")
    write_synthetic(folder, people=3000, seed=20250331)
    return load_dataset(folder)


def test_wellbeing_none_of_a_group_with_a_follow_up_is_not_shown(data):
    # 2024-25: 7 baselines, no follow-up (2023-24 until wave 61's data)
    report = reports.analyse_wellbeing(data, period_start="2024-04-01",
                                       period_end="2025-03-31")
    key = {k["name"]: k for k in report.key_results}
    assert len(report.pairs) == 0 and key["baseline_people"]["value"] > 0
    assert key["paired_people"]["value"] is None
    assert str(key["paired_people"]["text"]) == "not shown (hidden to protect privacy)"
    sentence = str(key["completion_sentence"]["text"])
    assert sentence.endswith("how many completed it again later is not shown (hidden to "
                             "protect privacy).") and " 0 " not in sentence
    assert report.counts.frame["n"].iloc[1:].isna().all()


def test_wellbeing_zero_improving_under_a_hidden_follow_up_count_is_hidden(data):
    # 2020-21: 2 pairs, neither improving by 3 points (2024-25 until wave 61's data)
    report = reports.analyse_wellbeing(data, period_start="2020-04-01",
                                       period_end="2021-03-31")
    shown = report.counts.frame.set_index("measure")["n"]
    assert 0 < len(report.pairs) < 8
    assert pd.isna(shown["People with a baseline and a follow-up"])
    assert pd.isna(shown["People improving by the threshold"])  # 0 before wave 28
    key = {k["name"]: k for k in report.key_results}
    assert str(key["completion_sentence"]["text"]).endswith(
        "and fewer than 8 completed it again later.")
