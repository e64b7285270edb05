"""The publish gate's rules of wave 43, against cases its first version got wrong (the
review of wave 43): each fails on that version."""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools.disclosure import get_profile, protected_shares
from lifetools.disclosure.derived import block_key
from lifetools.disclosure.downloads import header_rules, shown_frame
from lifetools.disclosure.rate_check import rate_findings
from lifetools.disclosure.text import Interval, compose, span_findings
from lifetools.labels import column_label
from lifetools.pipeline.gate.outputs import result_findings
from lifetools.publication import STAMP_KEY
from lifetools.signs import fixed

DEFAULT = get_profile("default")


def _estimate_output(text: str, span: dict) -> dict:
    mark = {"kind": "result", "result_kind": "estimate", "spans": [span]}
    return {"output_type": "display_data", "data": {"text/plain": text},
            "metadata": {STAMP_KEY: mark}}


def test_a_per_cent_estimate_or_whole_limits_are_not_a_count_cast_to_decimals():
    # an estimate of 0.12 written "12.0%", and limits that round to whole numbers, were
    # refused as counts cast to decimals; record() reads only the estimate itself
    per_cent = {"start": 0, "end": 5, "kind": "estimate", "value": 12.0, "digits": 1,
                "percent": True}
    assert result_findings(_estimate_output("12.0%", per_cent), DEFAULT, {}) == []
    cast = {"start": 0, "end": 8, "kind": "estimate", "value": 2634.0, "digits": 2,
            "percent": False}
    assert result_findings(_estimate_output("2,634.00", cast), DEFAULT, {})


@pytest.mark.parametrize(("low", "high", "percent", "text"), [
    (99.81, 99.97, True, "99.8% to 99.97%"),
    (0.001, 0.12, True, "0.001% to 0.1%"),
    (0.21, 0.9996, False, "0.21 to 0.9996"),
])
def test_an_interval_with_no_null_is_written_off_0_and_1_not_refused(low, high, percent,
                                                                     text):
    # the check read a limit with no null against 0 and 1 (0% and 100%), but the writer
    # did not keep it off them: a share's interval of 99.97% raised at compose
    made = compose("between {i}", i=Interval(low, high, 1 if percent else 2,
                                             percent=percent))
    assert str(made) == f"between {text}"


def test_a_rate_over_exact_person_years_is_refused():
    num, per = 20, 1000.0
    exact = {"kind": "rate", "value": per * num / 3592.37, "digits": 2, "percent": False,
             "numerator": num, "denominator": 3592.37, "profile": "default", "per": per}
    assert span_findings(fixed(exact["value"], 2), exact, "default")
    published = dict(exact, denominator=3590.0, value=per * num / 3590.0)
    assert span_findings(fixed(published["value"], 2), published, "default") == []


@pytest.mark.parametrize("blocks", [
    [1.0] * 2 + [2.0] * 3,
    [pd.Timestamp("2024-01-01")] * 2 + [pd.Timestamp("2025-01-01")] * 3,
    [2023] * 2 + [2024] * 3,
    ["Knowsley"] * 2 + ["Sefton"] * 3,
])
def test_shares_without_their_counts_find_their_block_total_whatever_its_type(blocks):
    # the total was recorded under the raw value's text ("1.0", "2024-01-01 00:00:00")
    # and looked up by the cell as shown ("1.00", "2024-01-01"): every share refused
    frame = pd.DataFrame({"year": blocks, "group": ["Female", "Male", "18-34", "35-64",
                                                    "65+"],
                          "Secondary care": [214, 186, 150, 180, 70],
                          "Life Rooms users": [44, 36, 30, 47, 40]})
    table = protected_shares(frame, ["Secondary care", "Life Rooms users"], by="year",
                             profile=DEFAULT)
    picked = table.select(["year", "group", "Life Rooms users %"])
    shown = shown_frame(picked)
    rows = shown.to_numpy().tolist()
    head = [column_label(c) for c in shown.columns]
    assert rate_findings(head, rows, header_rules(picked), DEFAULT) == []
    rows[0][2] = "55.0"  # 44 of 80 unrounded beside a published 45: refused
    assert rate_findings(head, rows, header_rules(picked), DEFAULT)


def test_block_key_reads_a_value_and_its_shown_text_alike():
    assert block_key(1.0) == block_key("1.00") == block_key(1) == block_key("1")
    assert block_key(pd.Timestamp("2024-04-01")) == block_key("2024-04-01") == \
        block_key("1 April 2024")
    assert block_key("Knowsley") == "Knowsley" and block_key(" Sefton ") == "Sefton"
    assert block_key("2023-24") == "2023-24"


def test_a_one_threshold_curve_reads_no_column_a_rule_made_from_published_counts():
    # the one-threshold rule refused every non-zero column between -odds and 1, a share
    # or a rate made by a rule from published counts too
    from lifetools.disclosure.net_benefit_check import treat_all_findings

    head = ["Risk threshold", "Treating no one", "Model", "Flagged %", "Rate per 1,000",
            "Everyone"]
    rows = [["0.10", "0.000", "0.012", "12.5", "0.500", "0.120"]]
    stamp = {"estimate_headers": ["Model"], "share_headers": {"Flagged %": "shares"},
             "rate_headers": {"Rate per 1,000": {}}}
    found = " ".join(detail for _, detail in treat_all_findings(head, rows, stamp,
                                                                 DEFAULT))
    assert "'Model'" in found and "'Everyone'" in found
    assert "Flagged" not in found and "Rate per" not in found


def test_two_sealed_tables_of_one_caption_and_header_are_read_in_order():
    # the site scan read both with the first one's stamp: the second table's counts
    # were read against the first's record (review of wave 43)
    from lifetools.pipeline.gate import site

    first = {"kind": "table", "count_headers": ["People"]}
    second = {"kind": "table", "count_headers": []}
    head = ["Group", "People"]
    sealed = [(3, "Cap", head, [["A", "10"]], first), (5, "Cap", head, [["A", "3"]], second)]
    seen = []
    markup = ("<table><caption>Cap</caption><tr><th>Group</th><th>People</th></tr>"
              "<tr><td>A</td><td>10</td></tr></table>") * 2

    def record(head, rows, mark, *args):
        seen.append(mark)
        return []

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(site, "sealed_tables", lambda nb: sealed)
        mp.setattr(site, "sealed_table_findings", record)
        mp.setattr(site, "run_parameters", lambda nb: {})
        mp.setattr(site, "parameter_words", lambda nb: {})
        mp.setattr(site, "verified_settings", lambda nb: {})
        site.page_table_findings(markup, object(), "default")
    assert seen == [first, second]
