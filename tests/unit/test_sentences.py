"""Sentences stating one result: value, interval and verdict, or a plain reason."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from lifetools.disclosure import (
    NOT_ESTIMABLE,
    PROFILES,
    model_release,
    protected_count,
    share,
)
from lifetools.disclosure.withheld import headline_of
from lifetools.reports.sentences import (
    interval_text,
    plain_reason,
    result_sentence,
    withheld_reasons,
    withheld_text,
)

FOUND = "The rate ratio was {value} ({level} confidence interval {interval}): {verdict}."
JUDGE = {"null": 1.0, "above": "more among users", "below": "fewer among users"}


def test_result_sentence_states_value_interval_and_verdict():
    text = result_sentence(0.8, kind="ratio", found=FOUND, missing="The rate ratio",
                           interval=(0.7, 0.95), judge=JUDGE)
    assert text == ("The rate ratio was 0.80 (95% confidence interval 0.70 to 0.95): "
                    "fewer among users.")


def test_result_sentence_limit_rounding_onto_null_shows_extra_places():
    text = result_sentence(1.9, kind="ratio", found=FOUND, missing="The rate ratio",
                           interval=(1.004, 4.03), judge=JUDGE)
    assert text == ("The rate ratio was 1.90 (95% confidence interval 1.004 to 4.03): "
                    "more among users.")
    assert str(interval_text(1.004, 4.03, null=1.0)) == "1.004 to 4.03"
    # without its null the limit is kept off 1 all the same (with no null a limit is
    # read against 0 and 1): never "1.00", which reads as a limit of exactly 1
    assert str(interval_text(1.004, 4.03)) == "1.004 to 4.03"


@pytest.mark.parametrize(("value", "interval", "reason", "expected"), [
    (None, None, "", "The rate ratio could not be estimated in this edition."),
    (math.nan, (0.5, 2.0), "", "The rate ratio could not be estimated in this edition."),
    (0.25, (0.0, 6.3), "", "The rate ratio could not be estimated: the data could not "
     "pin down its confidence interval."),
    (1.2, (0.8, math.inf), "", "The rate ratio could not be estimated: the data could "
     "not pin down its confidence interval."),
    (1.2, (0.8, 1.5), "could not be estimated: exposed: did not converge; female: did "
     "not converge", "The rate ratio could not be estimated: the fit did not converge "
     "for \u2018Life Rooms use\u2019."),
])
def test_result_sentence_never_puts_a_missing_number_in_fixed_words(value, interval,
                                                                   reason, expected):
    text = result_sentence(value, kind="ratio", found=FOUND, missing="The rate ratio",
                           interval=interval, reason=reason, judge=JUDGE,
                           labels={"exposed": "Life Rooms use"})
    assert text == expected
    assert "nan" not in text and "inf" not in text


def test_result_sentence_withheld_share_says_why():
    withheld = share(protected_count(3), protected_count(40))
    text = result_sentence(withheld, kind="percentage", missing="The share improving",
                           found="{value} improved ({interval}).")
    assert text.startswith("The share improving is not shown: ")
    shown = result_sentence(share(protected_count(20), protected_count(40)),
                            kind="percentage", missing="The share improving",
                            found="{value} improved ({level} confidence interval {interval}).")
    assert shown.startswith("50.0% improved (95% confidence interval ")


def test_plain_reason_gives_the_first_reason_in_words():
    assert plain_reason("not estimable: deprivation_unknown: its confidence interval "
                        "reaches 0; x: y") == ("its confidence interval reaches 0 "
                                               "(deprivation unknown)")
    assert plain_reason("the fit did not converge") == "the fit did not converge"


def test_plain_reason_keeps_a_bracketed_list_whole():
    assert plain_reason("too few events to estimate (fewer than 10 events among 'a'; "
                        "'b'); the fit did not converge") == (
        "too few events to estimate (fewer than 10 events among 'a'; 'b')")


def test_result_sentence_share_of_all_shows_its_interval_to_100_per_cent(monkeypatch):
    # 25 of 25: the Wilson upper limit is 0.9999999999999999, a hair under the share;
    # the reach page said the share "could not be estimated" beside the main point
    # quoting it as 100.0% (95% CI 86.7% to 100.0%)
    # (a profile without the group rule: under the default profile a share of all of a
    # group is not shown at all, which the second assertion pins)
    loose = dataclasses.replace(PROFILES["default"], name="loose", group_disclosure=False)
    monkeypatch.setitem(PROFILES, "loose", loose)
    found = "{value} said yes ({level} confidence interval {interval})."
    everyone = share(protected_count(25), protected_count(25), profile=loose)
    text = result_sentence(everyone, kind="percentage", missing="The share saying yes",
                           found=found)
    # (since issue 13 the interval spans the raw pairs 23 to 27 of 23 to 27: from 23
    # of 27's lower limit, 67.5%)
    assert text == "100.0% said yes (95% confidence interval 67.5% to 100.0%)."
    hidden = share(protected_count(25), protected_count(25))
    assert result_sentence(hidden, kind="percentage", missing="The share saying yes",
                           found=found) == (
        "The share saying yes is not shown: hidden to protect privacy.")  # never the rule


def _check(events: int):
    """A real release check of one estimate on 200 rows with ``events`` events."""
    from types import SimpleNamespace

    rows = pd.DataFrame({"event": np.r_[np.ones(events), np.zeros(200 - events)]})
    fit = SimpleNamespace(summary=pd.DataFrame({
        "term": ["mean change"], "estimate": [1.0], "ci_lower": [0.5],
        "ci_upper": [1.5]}), warnings=(), model=None)
    return model_release(fit, data=rows.assign(all=1), event_col="event",
                         level_cols=["all"])


def test_withheld_reasons_failed_check_first_then_rule_then_none():
    passed, failed = _check(40), _check(4)
    assert passed.released and not failed.released
    why = withheld_reasons([failed, passed, passed],
                           ["fewer than 10 contributors (threshold rule)",
                            "the numerator is suppressed", ""])
    assert why == [failed.reason, "the numerator is suppressed", ""]
    # the table's cell states the same reason, in the words a failed check writes
    applied = failed.apply(pd.DataFrame({"estimate": [1.0]}))["withheld"].iloc[0]
    # "too few events" said once: the reason alone, read back as the headline's
    assert withheld_text(failed, why[0]) == applied == why[0]
    assert headline_of(applied) == NOT_ESTIMABLE
    assert withheld_text(passed, why[1]) == "withheld: the numerator is suppressed"
    assert withheld_text(passed, why[2]) == ""
    with pytest.raises(ValueError, match="one disclosure reason"):
        withheld_reasons([passed], [])


def test_plain_reason_leaves_out_the_fits_separated_tag():
    # the 2023-24 discharge page at 3,000 people: "The Fine-Gray subdistribution hazard
    # ratio for use by the landmark ... could not be estimated: separated: too few
    # events of interest among those with it (Life Rooms use by the landmark)."
    labels = {"exposed_landmark": "Life Rooms use by the landmark"}
    reason = ("not estimable: exposed_landmark: separated: too few events of interest "
              "among those with it")
    # now in plain words, the group named in them (it read "... among those with it (Life
    # Rooms use by the landmark)")
    assert plain_reason(reason, labels) == (
        "too few people in the group ‘Life Rooms use by the landmark’ had the "
        "outcome")
    assert plain_reason("separated: too few events among those without it") == (
        "too few events among those without it")
    assert plain_reason("could not be estimated: exposed_landmark: separated: too few "
                        "events among those without it (its coefficient runs to "
                        "infinity); age: did not converge", labels) == (
        "too few people outside the group ‘Life Rooms use by the landmark’ had "
        "the outcome")


@pytest.mark.parametrize(("reason", "plain"), [
    ("too few events to estimate (too few events among ‘Life Rooms use’)",
     "too few events among ‘Life Rooms use’"),
    ("too few events to estimate (too few events in total)", "too few events in total"),
    ("too few events to estimate: too few events in total; the fit did not converge",
     "too few events in total"),
    ("too few people to estimate (too few people among ‘a (b)’)",
     "too few people among ‘a (b)’"),
    # another unit, or no reason after the headline: said as it is
    ("too few events to estimate (too few residual degrees of freedom)",
     "too few events to estimate (too few residual degrees of freedom)"),
    ("too few events to estimate (the reasons are given above)",
     "too few events to estimate (the reasons are given above)"),
])
def test_plain_reason_says_too_few_once(reason, plain):
    # the re-referral page read "is not shown: too few events to estimate (too few
    # events among ‘Life Rooms use before discharge’)" until wave 36
    assert plain_reason(reason) == plain


def test_not_shown_sentence_of_a_disclosure_rules_reason_says_not_shown_once():
    # a rule's reason is headed "not shown" (ModelRelease.headline): the sentence read
    # "The index is not shown: not shown: the counts ..." until wave 38, where the
    # tables' note already said it once (disclosure.downloads.withheld_models_note)
    from lifetools.disclosure.downloads import withheld_models_note
    from lifetools.reports.sentences import not_shown_sentence

    reason = "not shown: the counts of a deprivation fifth are suppressed"
    said = str(not_shown_sentence("The index", plain_reason(reason)))
    assert said == "The index is not shown: the counts of a deprivation fifth are suppressed."
    assert withheld_models_note([reason]).endswith(
        "are not shown: the counts of a deprivation fifth are suppressed.")
