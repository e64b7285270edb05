"""Key results beside the previous edition's (lifetools.pipeline.compare)."""

from __future__ import annotations

import pytest

from lifetools.pipeline.compare import (
    BEYOND,
    COUNT,
    FOLLOW_UP,
    NO_INTERVAL,
    NOT_COMPARABLE,
    WITHIN,
    compare_results,
    comparison_markdown,
)


def results(hr, ci, people_text="115"):
    return {"people": {"kind": "count", "label": "People", "text": people_text,
                       "value": None if people_text.startswith("fewer") else 115},
            "hr": {"kind": "ratio", "label": "Hazard ratio", "text": "x", "value": hr},
            "hr_ci": {"kind": "text", "label": "95% CI", "text": "x", "value": ci},
            "note": {"kind": "text", "label": "Summary", "text": "words", "value": None}}


@pytest.mark.parametrize(("old", "new", "words"), [
    ((2.06, [0.75, 5.60]), (0.83, [0.10, 6.94]), WITHIN),
    ((2.06, [1.50, 2.80]), (0.83, [0.60, 1.10]), BEYOND),
    ((2.06, [1.50, 2.80]), (1.50, [0.60, 1.50]), WITHIN),  # touching limits overlap
    ((None, [None, None]), (0.83, [0.60, 1.10]), NOT_COMPARABLE),
    ((2.03, None), (0.58, None), NO_INTERVAL),
])
def test_compare_results_interval_overlap_decides_the_words(old, new, words):
    rows = compare_results(results(*old), results(*new))
    assert [r.label for r in rows] == ["People", "Hazard ratio"]
    assert rows[1].words == words
    assert rows[0].words == COUNT


def test_compare_results_shows_published_text_never_a_difference():
    rows = compare_results(results(2.06, [0.75, 5.6], "fewer than 8"),
                           results(0.83, [0.1, 6.94], "115"))
    assert (rows[0].previous, rows[0].current) == ("fewer than 8", "115")
    assert (rows[1].previous, rows[1].current) == ("2.06 (0.75 to 5.60)",
                                                   "0.83 (0.10 to 6.94)")
    text = comparison_markdown(rows, previous_title="2023-24 edition",
                               previous_link="../2023-24/x", current_title="2024-25 edition")
    assert "| Hazard ratio | 2.06 (0.75 to 5.60) | 0.83 (0.10 to 6.94) | within" in text
    # a suppressed count is [c] in the table, as every other hidden value is: its
    # words beside another edition's [c] named one thing two ways (wave 32)
    assert (rows[0].previous_symbol, rows[0].current_symbol) == ("[c]", "")
    assert "| People | [c] | 115 | not assessed" in text and "fewer than" not in text
    assert text.strip().splitlines()[-1] == "Note: [c] hidden to protect privacy."
    assert "no interval" not in text  # a page may show intervals that are not compared
    # the overlap rule is called cautious: a statistician read "within the uncertainty"
    # beside intervals overlapping a little as no change (wave 37)
    assert "a cautious rule" in text and "never reads as no change" in text
    assert comparison_markdown([], previous_title="a", previous_link="b",
                               current_title="c") == ""


def test_compare_results_words_never_say_an_interval_is_missing():
    rows = compare_results(results(2.03, None), results(0.58, None))
    assert rows[0].words == COUNT and rows[1].words == NO_INTERVAL
    for words in (COUNT, NO_INTERVAL):
        assert "no interval" not in words and words.startswith("not assessed")


def test_compare_results_ratio_limit_rounding_onto_one_shows_its_side():
    rows = compare_results(results(2.06, [0.75, 5.6]), results(1.9, [1.004, 4.03]))
    assert rows[1].current == "1.90 (1.004 to 4.03)"


def _mean_change(value, ci, null=None):
    interval = {"kind": "text", "label": "95% CI", "text": "x", "value": ci}
    if null is not None:
        interval["null"] = null
    return {"change": {"kind": "estimate", "label": "Mean change", "text": "x",
                       "value": value}, "change_ci": interval}


def test_compare_results_difference_limit_keeps_its_side_of_its_recorded_null():
    # a mean change's limit -0.004 read "0.00" (0 is its null): now as on its page
    rows = compare_results(_mean_change(0.5, [-0.004, 1.2], null=0.0),
                           _mean_change(0.9, [0.0004, 1.8], null=0.0))
    assert (rows[0].previous, rows[0].current) == ("0.50 (\u22120.004 to 1.20)",
                                                   "0.90 (0.0004 to 1.80)")


def test_compare_results_ratio_limit_keeps_its_side_of_one_without_a_record():
    rows = compare_results(results(2.06, [1.004, 4.03]), results(0.83, [0.5, 0.9996]))
    assert (rows[1].previous, rows[1].current) == ("2.06 (1.004 to 4.03)",
                                                   "0.83 (0.50 to 0.9996)")


def test_compare_results_estimate_without_a_recorded_null_reads_as_published():
    # no null recorded: the edition's text did not depend on one (a C-statistic 0.67)
    rows = compare_results(_mean_change(0.78, [0.67, 0.86]), _mean_change(0.8, [0.7, 0.9]))
    assert rows[0].current == "0.80 (0.70 to 0.90)"


def test_compare_results_estimate_without_interval_reads_as_its_page_wrote_it():
    # the re-referral page wrote "7.1%"; its comparison row read "7.12" (the stored
    # value formatted again as a plain estimate)
    def share(value, text):
        return {"share": {"kind": "estimate", "label": "Cumulative incidence (%)",
                          "text": text, "value": value}}

    rows = compare_results(share(None, "could not be estimated"), share(7.1211583131,
                                                                         "7.1%"))
    assert (rows[0].previous, rows[0].current) == ("could not be estimated", "7.1%")
    assert rows[0].words == NOT_COMPARABLE
    # a share's recorded text carries its interval, which the words do not assess
    rows = compare_results(
        {"easy": {"kind": "percentage", "label": "Easy (%)", "value": 99.0,
                  "text": "99.0% (95% CI 96.0% to 99.7%)"}},
        {"easy": {"kind": "percentage", "label": "Easy (%)", "value": 100.0,
                  "text": "100.0% (95% CI 97.1% to 100.0%)"}})
    assert (rows[0].previous, rows[0].current) == ("99.0%", "100.0%")
    # the cells carry the per cent sign: the label does not say "(%)" again (wave 40)
    assert rows[0].label == "Easy"


def _incidence(days, value, text, *, at=True):
    label = f"Cumulative incidence of re-referral by {days} days after discharge (%)"
    entry = {"kind": "estimate", "label": label, "text": text, "value": value}
    return {"cif": {**entry, **({"at": f"by {days} days after discharge"} if at else {})}}


def test_compare_results_each_edition_keeps_its_own_follow_up():
    # the previous edition's result (at 239 days) was labelled with the current
    # edition's follow-up (232 days)
    rows = compare_results(_incidence(239, 6.3, "6.3%"), _incidence(232, 7.1, "7.1%"))
    assert rows[0].label == "Cumulative incidence of re-referral"
    assert rows[0].previous == "6.3%, by 239 days after discharge"
    assert rows[0].current == "7.1%, by 232 days after discharge"
    same = compare_results(_incidence(232, 6.3, "6.3%"), _incidence(232, 7.1, "7.1%"))
    assert (same[0].label, same[0].previous) == (
        "Cumulative incidence of re-referral by 232 days after discharge", "6.3%")


def test_compare_results_shares_quoted_at_different_follow_ups_are_not_compared():
    # the re-referral share "by 330 days" beside the previous edition's "by 300 days"
    # read "within the uncertainty (the intervals overlap)", as if the two measured one
    # thing (issue 15, wave 39)
    def share(days, value, low, high):
        at = f"by {days} days after discharge"
        entry = _incidence(days, value, f"{value}%")["cif"]
        return {"cif": entry, "cif_ci": {"kind": "interval", "value": [low, high],
                                         "label": f"95% CI: {entry['label']}", "at": at,
                                         "text": f"{low}% to {high}%"}}

    row, = compare_results(share(300, 6.3, 3.9, 10.1), share(330, 7.1, 4.0, 12.6))
    assert row.words == FOLLOW_UP
    assert row.label == "Cumulative incidence of re-referral"
    assert row.previous == "6.3% (3.9% to 10.1%), by 300 days after discharge"
    assert row.current == "7.1% (4.0% to 12.6%), by 330 days after discharge"
    text = comparison_markdown([row], previous_title="2023-24 edition",
                               previous_link="../2023-24/x", current_title="2024-25 edition")
    assert ("| 6.3% (3.9% to 10.1%), by 300 days after discharge | 7.1% (4.0% to 12.6%), "
            f"by 330 days after discharge | {FOLLOW_UP} |") in text
    # at the same day the intervals decide, as for any estimate
    row, = compare_results(share(330, 6.3, 3.9, 10.1), share(330, 7.1, 4.0, 12.6))
    assert row.words == WITHIN
    # an edition's own words that name no follow-up (a validation cohort) are compared
    def c(cohort, low, high):
        label = f"C-statistic: validation cohort of {cohort}"
        return {"c": {"kind": "estimate", "label": label, "text": "0.8", "value": 0.8,
                      "at": f"validation cohort of {cohort}"},
                "c_ci": {"kind": "interval", "label": f"95% CI: {label}", "text": "x",
                         "value": [low, high]}}

    row, = compare_results(c("2023-24", 0.7, 0.9), c("2024-25", 0.75, 0.85))
    assert row.words == WITHIN


def test_compare_results_label_differing_without_its_words_keeps_the_previous_label():
    # an archived edition's results.json without "at": its label beside its value
    rows = compare_results(_incidence(239, 6.3, "6.3%", at=False),
                           _incidence(232, 7.1, "7.1%"))
    assert "232 days" in rows[0].label and "239" not in rows[0].current
    assert rows[0].previous == ("6.3%, published as: Cumulative incidence of "
                                "re-referral by 239 days after discharge")


def test_record_at_must_be_words_of_the_label(tmp_path, monkeypatch):
    from lifetools.publication import record

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="not words of its label"):
        record("cif", None, kind="text", text="not estimated",
               label="Cumulative incidence by 232 days", at="by 239 days")


def test_compare_results_withheld_share_reads_as_withheld_not_as_not_estimated():
    # the 2024-25 reach page at 3,000 people: "Said access was easy (%) | could not be
    # estimated | could not be estimated" for a share withheld by disclosure control
    withheld = {"access": {"kind": "percentage", "label": "Said access was easy (%)",
                           "value": None, "text": "not shown (group disclosure)"}}
    shown = {"access": {"kind": "percentage", "label": "Said access was easy (%)",
                        "value": 95.0, "text": "95.0%"}}
    rows = compare_results(withheld, withheld)
    assert (rows[0].previous, rows[0].current) == ("not shown (group disclosure)",) * 2
    assert rows[0].words == NOT_COMPARABLE
    assert compare_results(withheld, shown)[0].current == "95.0%"


def test_compare_results_a_ratio_not_estimated_in_one_edition_is_still_listed():
    # the 3,000-person 2024-25 emergency page: the matched A&E ratio, 0.70 (0.10 to
    # 4.98) in 2023-24, could not be estimated in 2024-25 and its key result became a
    # text with no value: the comparison left the row out, as if 2023-24 had no such
    # result (#15)
    estimated = {"did": {"kind": "ratio", "label": "A&E: matched DiD", "value": 0.70},
                 "did_ci": {"kind": "text", "label": "95% CI", "text": "0.10 to 4.98",
                            "value": [0.10, 4.98]},
                 "did_sentence": {"kind": "text", "label": "Summary", "value": None,
                                  "text": "words"}}
    failed = "could not be estimated: the difference-in-differences model did not converge"
    missing = {"did": {"kind": "text", "label": "A&E: matched DiD", "value": None,
                       "text": failed},
               "did_ci": {"kind": "text", "label": "95% CI", "value": None, "text": failed},
               "did_sentence": {"kind": "text", "label": "Summary", "value": None,
                                "text": "other words"}}
    rows = compare_results(estimated, missing)
    assert [(r.label, r.previous, r.current, r.words) for r in rows] == [
        ("A&E: matched DiD", "0.70 (0.10 to 4.98)", failed, NOT_COMPARABLE)]
    assert [r.previous for r in compare_results(missing, estimated)] == [failed]
    assert compare_results(missing, missing) == []  # texts alone are not compared


def test_comparison_markdown_gives_symbols_and_each_reason_once_in_its_note():
    # the 2024-25 reach page at 3,000 people: "not shown (hidden to protect privacy)"
    # in 3 cells of the comparison table; a model's reason in a cell would repeat the
    # reason its page's summary already states, so a cell gives only the symbol
    from lifetools.disclosure.withheld import PRIVACY

    hidden = f"not shown ({PRIVACY})"
    why = "not shown: too few residual degrees of freedom (too few people)"
    # each with the kind record() stored for it (a rule hid it, or the model release
    # rule withheld it: confidential; a fit gave no number: not available)
    old = {"easy": {"kind": "percentage", "label": "Easy (%)", "value": None,
                    "text": hidden, "left_out": "confidential"},
           "change": {"kind": "text", "label": "Mean change", "value": None,
                      "text": why},
           **_incidence(239, None, "could not be estimated")}
    new = {"easy": {"kind": "percentage", "label": "Easy (%)", "value": None,
                    "text": hidden, "left_out": "confidential"},
           "change": {"kind": "text", "label": "Mean change", "value": None,
                      "text": why},
           **_incidence(232, 7.1, "7.1%")}
    # texts alone are not compared: a number in one edition at least
    old["change"], new["change"] = ({"kind": "estimate", "label": "Mean change",
                                     "value": 0.4, "text": "0.40"},
                                    {"kind": "text", "label": "Mean change",
                                     "value": None, "text": why,
                                     "left_out": "confidential"})
    rows = compare_results(old, new)
    assert [(r.previous_symbol, r.current_symbol) for r in rows] == [
        ("[c]", "[c]"), ("", "[c]"), ("[x], by 239 days after discharge", "")]
    assert rows[0].previous == hidden  # the row keeps the published words
    text = comparison_markdown(rows, previous_title="2023-24 edition",
                               previous_link="../2023-24/x", current_title="2024-25 edition")
    assert text.count(PRIVACY) == 1 and why not in text
    assert "| Easy | [c] | [c] | cannot be compared" in text
    assert "| Mean change | 0.40 | [c] |" in text
    assert ("| Cumulative incidence of re-referral | [x], by 239 days after "
            "discharge | 7.1%, by 232 days after discharge |") in text
    note = text.strip().splitlines()[-1]
    assert note == ("Note: [c] hidden to protect privacy. [x] could not be estimated: "
                    "for the 2023-24 edition, the reasons are given on "
                    "{doc}`that edition's page of this report <../2023-24/x>`.")
    # no symbol, no note
    plain = comparison_markdown(compare_results(results(2.06, [0.75, 5.6]),
                                                results(0.83, [0.1, 6.94])),
                                previous_title="a", previous_link="b", current_title="c")
    assert "Note:" not in plain and "[x]" not in plain


def test_compare_results_reads_a_shares_own_interval():
    # a protected share records its interval with it (results.json "interval"): the
    # comparison said "not assessed: its interval is not among the key results" of
    # "37.5% (19.1% to 60.3%)" beside "40.0% (15.9% to 70.8%)" until wave 35
    def share(value, low, high):
        return {"share": {"kind": "percentage", "label": "Share improving (%)",
                          "text": f"{value}%", "value": value,
                          "interval": [low, high], "numerator": 10, "denominator": 25}}

    row, = compare_results(share(37.5, 19.1, 60.3), share(40.0, 15.9, 70.8))
    assert row.words == WITHIN
    assert row.previous == "37.5% (19.1% to 60.3%)" and row.current == "40.0% (15.9% to 70.8%)"
    row, = compare_results(share(10.0, 5.0, 15.0), share(40.0, 30.0, 50.0))
    assert row.words == BEYOND
    # a share published with no interval is still not assessed
    plain = {"share": {"kind": "percentage", "label": "Share (%)", "text": "40.0%",
                       "value": 40.0}}
    row, = compare_results(plain, plain)
    assert row.words == NO_INTERVAL


def test_compare_says_a_check_of_the_method_has_no_interval():
    # the emergency page said the largest standardised difference's interval was "not
    # among the key results", and the crisis page the shrinkage factor's: neither has
    # one (wave 36)
    from lifetools.pipeline.compare import CHECK
    from lifetools.result_names import WITHOUT_INTERVAL, CrisisName, EmergencyName

    assert {EmergencyName.MAX_SMD, CrisisName.SHRINKAGE} <= WITHOUT_INTERVAL

    def check(value, name="max_smd"):
        return {name: {"kind": "estimate", "label": "Largest standardised difference",
                       "text": f"{value:.2f}", "value": value}}

    row, = compare_results(check(0.13), check(0.14))
    assert row.words == CHECK and "interval" in row.words
    assert (row.previous, row.current) == ("0.13", "0.14")
    # an estimate not declared without one keeps the cautious words
    row, = compare_results(check(0.9, "hr_tv"), check(0.8, "hr_tv"))
    assert row.words == NO_INTERVAL


def test_compare_shows_each_value_with_its_pages_places_and_per_cent_sign():
    # the re-referral share "7.1%" read "7.12 (4.00 to 12.60)" beside its interval
    def incidence(value, low, high):
        return {"rereferral_1y": {"kind": "estimate", "label": "Share re-referred (%)",
                                  "text": f"{value:.1f}%", "value": value},
                "rereferral_1y_ci": {"kind": "interval", "label": "95% CI",
                                     "text": f"{low:.1f}% to {high:.1f}%",
                                     "value": [low, high]}}

    row, = compare_results(incidence(7.1211, 4.0, 12.6), incidence(9.04, 6.2, 13.1))
    assert (row.previous, row.current) == ("7.1% (4.0% to 12.6%)", "9.0% (6.2% to 13.1%)")
    assert row.words == WITHIN
    # three places on the page, three beside the interval
    c = {"c": {"kind": "estimate", "label": "C", "text": "0.823", "value": 0.8234},
         "c_ci": {"kind": "text", "label": "CI", "text": "0.801 to 0.845",
                  "value": [0.8012, 0.8451], "null": 0.5}}
    row, = compare_results(c, c)
    assert row.current == "0.823 (0.801 to 0.845)"


def test_compare_reads_a_cohort_of_each_edition_as_its_own_words():
    # the crisis page's comparison read "C-statistic ... in 2024-25 (validation)" with
    # the previous edition "published as: ... in 2023-24 (validation)", as if one figure
    # had been revised (wave 36)
    def c(value, cohort):
        return {"c": {"kind": "estimate", "label": f"C-statistic: validation cohort of "
                      f"{cohort}", "at": f"validation cohort of {cohort}",
                      "text": f"{value:.2f}", "value": value}}

    row, = compare_results(c(0.80, "2023-24"), c(0.83, "2024-25"))
    assert row.label == "C-statistic"
    assert row.previous == "0.80, validation cohort of 2023-24"
    assert row.current == "0.83, validation cohort of 2024-25"


def test_a_key_results_own_words_may_hold_a_period_of_the_run_but_no_count():
    from lifetools.disclosure.prose import label_findings

    params = {"edition": "2024-25", "validation_edition": "2024-25"}
    assert label_findings("Slope: validation cohort of 2024-25",
                          "validation cohort of 2024-25", parameters=params) == []
    assert label_findings("Share by 232 days", "by 232 days", parameters=params) == []
    assert label_findings("Share among 13 people", "among 13 people", parameters=params)


def test_compare_results_headline_first_then_the_order_recorded():
    # the 2024-25 emergency page listed its rows by result name: the headline did_ae
    # fifth, after before_after_ae and c_statistic (wave 37)
    def ratio(label, value):
        return {"kind": "ratio", "label": label, "text": f"{value}", "value": value}

    current = {"users": {"kind": "count", "label": "Users", "text": "220", "value": 220},
               "max_smd": ratio("Largest difference", 0.1),
               "did_ae": ratio("A&E", 0.8), "before_after_ae": ratio("Own past", 0.9)}
    previous = dict(sorted(current.items()))
    assert [r.label for r in compare_results(previous, current)] == [
        "Users", "Largest difference", "A&E", "Own past"]
    assert [r.label for r in compare_results(previous, current, first=("did_ae",))] == [
        "A&E", "Users", "Largest difference", "Own past"]
    assert [r.label for r in compare_results(previous, current, first=("gone",))] == [
        "Users", "Largest difference", "A&E", "Own past"]


def test_comparison_symbol_cell_holds_the_symbol_and_the_note_the_old_label():
    # the 2024-25 re-referral page: "[x], published as: Cumulative incidence of
    # re-referral after discharge (%)" in one cell (wave 37)
    old = {"cif": {"kind": "text", "label": "Cumulative incidence after discharge (%)",
                   "value": None, "text": "could not be estimated"}}
    new = _incidence(232, 7.1, "7.1%")
    row, = compare_results(old, new)
    assert row.previous_symbol == "[x]"
    assert row.previous_label == "Cumulative incidence after discharge"
    text = comparison_markdown([row], previous_title="2023-24 edition",
                               previous_link="../2023-24/x", current_title="2024-25 edition")
    assert "| [x] | 7.1% |" in text
    assert "published as" not in text.split("Note:")[0]
    assert text.strip().endswith(
        "The 2023-24 edition published 'Cumulative incidence of re-referral by 232 days "
        "after discharge' as 'Cumulative incidence after discharge'.")


def test_comparison_labels_give_each_terms_words_once_at_its_first_mention():
    # the crisis page at 30,000 people: "(how well the model ranks people by risk)" on
    # the C-statistic and again on the optimism-corrected C-statistic, nothing on the
    # calibration slope, the shrinkage factor or the minimum sample size (wave 39)
    from lifetools.labels import TERMS, gloss_findings, in_words

    c = f"C-statistic ({TERMS['C-statistic']})"
    labels = {"c": c, "required": "Minimum development sample size (Riley et al.)",
              "shrinkage": "Uniform shrinkage factor", "corrected": f"Optimism-corrected {c}",
              "slope": "Calibration slope"}
    edition = {name: {"kind": "estimate", "label": label, "value": 0.9, "text": "0.90"}
               for name, label in labels.items()}
    text = comparison_markdown(compare_results(edition, edition), previous_title="A",
                               previous_link="a", current_title="B")
    shown = [line.split(" | ")[0].removeprefix("| ") for line in text.splitlines()
             if line.startswith("| ") and " | 0.90 | " in line]
    assert shown == [in_words("C-statistic"),
                     in_words("minimum development sample size", "Riley et al."),
                     in_words("uniform shrinkage factor"), "Optimism-corrected C-statistic",
                     in_words("calibration slope")]
    assert gloss_findings(" ".join(shown)) == []


def _slope(value, ci):
    return {"slope": {"kind": "estimate", "label": "Calibration slope", "text": "x",
                      "value": value},
            "slope_ci": {"kind": "text", "label": "95% CI", "text": "x", "value": ci}}


def test_compare_slope_limit_keeps_its_side_of_the_stated_limits(tmp_path, monkeypatch):
    # the 2024-25 crisis page's slope "0.91 (95% CI 0.797 to 1.03)" read "0.91 (0.80 to
    # 1.03)" in the comparison, inside the stated 0.8 to 1.2 (wave 41): its interval
    # recorded as the report records it (interval_result with the stated limits)
    import json

    from lifetools.publication import record
    from lifetools.reports.sentences import interval_result

    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    entry = interval_result("slope_ci", (0.7966, 1.0312), null=1.0, label="95% CI",
                            stated=(0.8, 1.2))
    assert str(entry["text"]) == "0.797 to 1.03"
    record("slope", 0.9133, kind="estimate", label="Calibration slope")
    record(**entry)
    current = json.loads((tmp_path / "results.json").read_text())
    assert current["slope_ci"]["stated"] == [0.8, 1.2]
    rows = compare_results(_slope(0.95, [0.85, 1.05]), current)
    assert rows[0].current == "0.91 (0.797 to 1.03)"
