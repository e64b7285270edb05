"""One reason for one withheld ratio of the emergency-care report, wherever it is said."""

from __future__ import annotations

import pandas as pd

from lifetools.reports.emergency import AE_JUDGE, _ratio_results, _sentence
from lifetools.result_names import EmergencyName


def test_a_failed_and_withheld_ratio_gives_the_failure_in_its_sentence_too():
    # the 3,000-person 2024-25 emergency page: the main point and the rate-ratio table
    # said the matched A&E ratio "could not be estimated: the difference-in-differences
    # model did not converge", the summary beside them "is not shown: too few events
    # to estimate: fewer than 10 events among 'not Life Rooms users'" (#15)
    row = pd.Series({"estimate": float("nan"), "ci_lower": float("nan"),
                     "ci_upper": float("nan"),
                     "failure": "the difference-in-differences model did not converge",
                     "withheld": "too few events to estimate: fewer than 10 events among "
                                 "'not Life Rooms users'"})
    key = _ratio_results(EmergencyName.DID_AE, row, "A&E: matched")[0]["text"]
    said = str(_sentence(EmergencyName.DID_AE, row, "A&E, matched", judge=AE_JUDGE,
                         found="{value} ({level} confidence interval {interval}): "
                         "{verdict}.", missing="The matched ratio")["text"])
    assert "did not converge" in str(key)
    assert "did not converge" in said and "too few events" not in said
    # withheld alone (the fit converged): the release check's reason, as before
    only = row.copy()
    only["failure"] = None
    said = str(_sentence(EmergencyName.DID_AE, only, "A&E, matched", judge=AE_JUDGE,
                         found="{value}", missing="The matched ratio")["text"])
    assert said.startswith("The matched ratio is not shown: too few events")
