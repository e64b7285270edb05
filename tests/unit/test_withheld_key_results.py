"""A withheld model's key results say "not shown: <reason>" in results.json, as its
page does; a fit that failed keeps "could not be estimated" (disclosure.withheld)."""

from __future__ import annotations

import json

import pandas as pd

from lifetools import disclosure, publication
from lifetools.reports.emergency import _ratio_results
from lifetools.reports.sentences import reason_text
from lifetools.reports.survival_parts import evalue_results, ratio_results, withheld_row
from lifetools.result_names import DischargeName, EmergencyName, ReReferralName

OUTPUT_ANALYSIS = "02_time_to_discharge"
"""The run the ``output`` fixture (tests/unit/conftest.py) lays out."""


def withheld_release():
    rows = pd.DataFrame({"e": [1.0] * 3 + [0.0] * 47 + [1.0] * 30 + [0.0] * 20,
                         "used_life_rooms": [1.0] * 50 + [0.0] * 50})
    release = disclosure.model_release(None, data=rows, event_col="e",
                                       level_cols=["used_life_rooms"],
                                       summary=pd.DataFrame(columns=["term"]),
                                       converged=True)
    assert not release.released
    return release


def recorded(output, results):
    for result in results:
        publication.record(**result)
    return json.loads((output / publication.RESULTS_FILE).read_text())


def test_every_report_writes_a_withheld_models_key_results_as_not_shown(output):
    release = withheld_release()
    row = withheld_row(release)
    why = str(row["text"])
    assert why.startswith("too few ")
    label = "Subdistribution hazard ratio of discharge, Life Rooms use by 90 days"
    # the discharge and re-referral reports (survival_parts), the re-referral report's
    # own withheld ratio, and the emergency report's headline ratios
    results = [*ratio_results(DischargeName.SHR_LANDMARK, label, row),
               *evalue_results(DischargeName.SHR_LANDMARK, label, row, incidence=0.5,
                               outcome="discharge"),
               {"name": ReReferralName.HR_REREFERRAL, "value": None, "kind": "text",
                "text": reason_text(why), "label": "Hazard ratio of re-referral"},
               *_ratio_results(EmergencyName.DID_AE, pd.Series(
                   {"failure": float("nan"), "withheld": why}), "Rate ratio of A&E")]
    written = recorded(output, results)
    assert len(written) == len(results)
    for name, entry in written.items():
        # the 30,000-person discharge page's shr_landmark read "could not be estimated"
        # and the re-referral ratios the reason alone
        assert entry["text"] == f"not shown: {why}", name


def test_a_fit_that_failed_keeps_could_not_be_estimated(output):
    failed = {"estimate": float("nan"), "ci_lower": float("nan"),
              "ci_upper": float("nan"),
              "text": "could not be estimated: the fit did not converge"}
    written = recorded(output, ratio_results(DischargeName.SHR_LANDMARK, "Ratio", failed))
    assert all(e["text"].startswith("could not be estimated") for e in written.values())
