"""A withheld model's key results say "not shown: <reason>" in results.json, as its
page does; a fit that failed keeps "could not be estimated" (disclosure.withheld)."""

from __future__ import annotations

import json

import pandas as pd

from lifetools import disclosure, publication
from lifetools.disclosure.withheld import WithheldReason
from lifetools.reports.emergency import _ratio_results
from lifetools.reports.sentences import reason_result
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
    assert why.startswith("too few ") and isinstance(row["text"], WithheldReason)
    label = "Subdistribution hazard ratio of discharge, Life Rooms use by 90 days"
    # the discharge and re-referral reports (survival_parts), the re-referral report's
    # own withheld ratio, and the emergency report's headline ratios
    results = [*ratio_results(DischargeName.SHR_LANDMARK, label, row),
               *evalue_results(DischargeName.SHR_LANDMARK, label, row, incidence=0.5,
                               outcome="discharge"),
               {"name": ReReferralName.HR_REREFERRAL, "value": None, "kind": "text",
                **reason_result(row["text"]), "label": "Hazard ratio of re-referral"},
               *_ratio_results(EmergencyName.DID_AE, pd.Series(
                   {"failure": float("nan"), "withheld": why, "outcome": "A&E",
                    "term": "matched"}), "Rate ratio of A&E",
                   {("A&E", "matched"): release})]
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


def released_release(events: int = 40, people: int = 100):
    rows = pd.DataFrame({"e": [1.0] * events + [0.0] * (people - events),
                         "everyone": ["all"] * people})
    release = disclosure.model_release(None, data=rows, event_col="e",
                                       level_cols=["everyone"],
                                       summary=pd.DataFrame(columns=["term"]),
                                       converged=True)
    assert release.released
    return release


def test_the_rereferral_share_withheld_reads_as_every_withheld_result(output):
    # the re-referral share its release check withheld read "not shown (too few events
    # to estimate)" in results.json beside its page's ratios' "not shown: too few
    # events in total" (issue 15, wave 40): one way a withheld result is written
    from lifetools.reports.rereferral import share_results

    release = withheld_release()
    why = str(withheld_row(release)["text"])
    written = recorded(output, [
        *share_results(0, None, release),
        {"name": ReReferralName.HR_REREFERRAL, "value": None, "kind": "text",
         **reason_result(withheld_row(release)["text"]),
         "label": "Hazard ratio of re-referral"}])
    texts = {name: entry["text"] for name, entry in written.items()}
    assert texts == dict.fromkeys(
        [ReReferralName.REREFERRAL_1Y, ReReferralName.REREFERRAL_1Y_CI,
         ReReferralName.HR_REREFERRAL], f"not shown: {why}")
    # released, it is the number and its interval; with no day to quote it at, none
    row = pd.Series({"estimate": 0.234, "ci_lower": 0.181, "ci_upper": 0.293})
    shown = recorded(output, share_results(230, row, released_release()))
    assert shown[ReReferralName.REREFERRAL_1Y]["text"] == "23.4%"
    assert shown[ReReferralName.REREFERRAL_1Y_CI]["text"] == "18.1% to 29.3%"
    none = recorded(output, share_results(0, None, released_release()))
    assert none[ReReferralName.REREFERRAL_1Y]["text"] == "could not be estimated"


def test_the_rereferral_share_is_downloadable_beside_the_page(output):
    # the summary's share re-referred (everyone discharged) was in results.json only:
    # no figure's data or table's CSV held it (issue 15, wave 40)
    from lifetools.disclosure import ProtectedTable
    from lifetools.reports.rereferral import SHARE_METHOD, share_results, share_table
    from lifetools.tables import show_table, table_estimates

    row = pd.Series({"estimate": 0.234, "ci_lower": 0.181, "ci_upper": 0.293})
    released = released_release()
    table = share_table(230, row, released)
    assert isinstance(table, ProtectedTable)
    shown = show_table(table_estimates(table, label="estimate", keep=["method"]),
                       name="share-rereferred", caption="Share re-referred (95% CI)")
    csv = (output / "tables" / "share-rereferred.csv").read_text()
    assert csv == ("method,term,estimate (95% CI)\n"
                   f"\"{SHARE_METHOD}\",\"everyone discharged, by 230 days after "
                   "discharge\",23.4% (18.1% to 29.3%)\n")
    # the same number and interval as the key results the summary quotes
    key = recorded(output, share_results(230, row, released))
    assert key[ReReferralName.REREFERRAL_1Y]["text"] in csv
    assert key[ReReferralName.REREFERRAL_1Y_CI]["text"] in csv
    assert "23.4%" in shown.to_html()
    # withheld for too few events: [c]; the page's note points to the summary's
    # reasons, given above, and the download's notes say them (a notes file has no
    # above: wave 42)
    held = table_estimates(share_table(0, None, withheld_release()), label="estimate",
                           keep=["method"])
    show_table(held, name="share-held", caption="Share re-referred (95% CI)")
    csv = (output / "tables" / "share-held.csv").read_text()
    assert csv.splitlines()[1].endswith(",[c]") and "days" not in csv
    notes = (output / "tables" / "notes.txt").read_text()
    block = notes[notes.index("\nshare-held.csv\n"):].split("\n\n")[0]
    assert "given above" not in block and "Table note: " in block, block
    # no day with enough people followed: no number, and why
    none = table_estimates(share_table(0, None, released), label="estimate",
                           keep=["method"])
    assert none["estimate (95% CI)"].tolist() == [
        "could not be estimated: too few people were followed after discharge"]


def test_a_sentence_that_opens_with_too_few_is_recorded_as_written(output):
    # the re-referral summary "Too few people could be followed for a year within the
    # period; by 330 days ..., an estimated 10.1% ... had been referred again." read
    # "not shown: Too few people ..." in results.json and on the page: a text result
    # (value None) was taken for a withheld model's bare reason (30,000 people, wave 40)
    from lifetools.disclosure import Duration, Estimate, compose

    sentence = compose("Too few people could be followed for a year within the period; "
                       "by {horizon} after discharge, an estimated {share} had been "
                       "referred again.", horizon=Duration(330),
                       share=Estimate(10.1, 1, percent=True))
    written = recorded(output, [{"name": ReReferralName.REREFERRAL_SENTENCE,
                                 "value": None, "kind": "text",
                                 "label": "Summary: share re-referred",
                                 "text": sentence}])
    text = written[ReReferralName.REREFERRAL_SENTENCE]["text"]
    assert text == str(sentence) and not text.startswith("not shown"), text


def test_a_withheld_reason_is_told_by_its_mark_never_by_its_words(output):
    # record told a withheld model's reason by a lower-case "too few " at its start
    # until wave 41: a sentence opening "Too few ..." was once taken for one (wave 40),
    # and a reason reworded would have lost its "not shown: " (the review's mend)
    release = withheld_release()
    assert release.too_few and isinstance(release.withheld_reason, WithheldReason)
    assert release.withheld_reason == release.withheld_brief
    marked = {"value": None, "kind": "text", "label": "Ratio",
              **reason_result(WithheldReason("fewer events than the rule needs"))}
    unmarked = {"value": None, "kind": "text", "label": "Ratio",
                **reason_result("too few events among people aged 65 or over")}
    assert "withheld_reason" not in unmarked
    written = recorded(output, [{"name": DischargeName.SHR_LANDMARK, **marked},
                                {"name": ReReferralName.HR_REREFERRAL, **unmarked}])
    assert written[DischargeName.SHR_LANDMARK]["text"] == (
        "not shown: fewer events than the rule needs")
    assert written[ReReferralName.HR_REREFERRAL]["text"] == (
        "too few events among people aged 65 or over")
    # released, or withheld for a fit with no number: the words are not a bare reason
    assert not released_release().too_few and released_release().withheld_reason == ""
    failed = withheld_row(released_release())
    assert not isinstance(failed["text"], WithheldReason)
