"""Every reason a library can publish, through the checks its page and the gate apply.

A withheld or unestimable result is explained in words the library writes: a fit's reason
(:mod:`lifetools.convergence`, Cox, Fine-Gray), a release check's
(:func:`lifetools.disclosure.model_release`), a table's or a sentence's own
(:mod:`lifetools.tables`, :mod:`lifetools.reports.sentences`) and the fit notes. Each
reaches a report page and a result file in the forms made here, the way the reports
make them; each form must pass

- the reason rule of :mod:`lifetools.disclosure.text` (no number word, no count the
  profile would not publish: :func:`~lifetools.disclosure.compose` with a
  :class:`~lifetools.disclosure.Reason` raises otherwise), and the gate's re-check of
  the span (:func:`~lifetools.disclosure.text.text_findings`);
- the gate's prose rule for a table note or cell (:func:`lifetools.disclosure.prose.
  prose_findings`);
- the page test of the built site (``tests/page_words.py``: no "infinity", "inf", "nan",
  repr), which otherwise fails only in the browser suite after a full build.

Wave 21 (issues 12, 15): "its confidence interval reaches 0 or infinity (the estimate
diverges: too few events in one group?)" failed the page test ("infinity") and the
reason rule ("one"); a release check's "fewer than 10 events among X" stated a bound
that, beside X's events published rounded as 10, narrowed them to 8 or 9.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from page_words import leaks

from lifetools import config
from lifetools.convergence import (
    DIVERGED,
    SE_MISSING,
    TOO_FEW_TO_FIT,
    degenerate_terms,
    not_estimable_text,
)
from lifetools.disclosure import (
    Reason,
    compose,
    get_profile,
    model_release,
)
from lifetools.disclosure.models import WITHHELD_COLUMN
from lifetools.disclosure.prose import prose_findings
from lifetools.disclosure.text import text_findings
from lifetools.labels import VALUE_LABELS
from lifetools.regression.propensity import ONE_GROUP_ONLY
from lifetools.reports.narrative import ratio_sentence, readable_note
from lifetools.reports.sentences import (
    not_shown_sentence,
    plain_reason,
    result_sentence,
)
from lifetools.reports.survival_parts import left_out_notes, short_reason, with_note
from lifetools.survival.cox import INFINITE, NO_EVENTS
from lifetools.survival.finegray import separation_reason
from lifetools.tables import format_estimate, show_table, table_estimates

TERMS = ("exposed", "exposed_at_landmark", "age_per_10", "after")


def _degenerate_reasons() -> list[str]:
    """Every reason :func:`degenerate_terms` gives, made by it."""
    cases = [([np.nan], [1.0]), ([0.5], [np.inf]), ([0.5], [0.0]), ([-800.0], [1.0]),
             ([800.0], [1.0])]
    found = [next(iter(degenerate_terms(["x"], coef, se).values())) for coef, se in cases]
    assert set(found) == {"the estimate is not finite",
                          SE_MISSING, DIVERGED}
    return sorted(set(found))


def fit_reasons() -> list[str]:
    """A fit's ``reason`` as the estimators write it: "<term>: <why>" (or the whole fit's)."""
    whys = [*_degenerate_reasons(), INFINITE, "did not converge"]
    whys += [separation_reason(value, direction, event=event)
             for value in (0.0, 1.0, 0.5) for direction in (-1, 1)
             for event in ("events", "events of interest")]
    return ([f"{term}: {why}" for term in TERMS for why in whys]
            + [NO_EVENTS, "no events of interest",
               "the partial likelihood maximisation did not converge",
               # a model not fitted at all (no rows or no events: a small group)
               TOO_FEW_TO_FIT, "a group or period has no person-time",
               "too few events in a group and period to estimate a ratio of rate ratios",
               # a small locality's users separated from every non-user (it read "so
               # no one can be compared": a number word, refused on the page, wave 50)
               "users and non-users do not overlap on a recorded characteristic "
               "(complete separation), so the groups cannot be compared",
               # a small locality with no users (it read "the propensity model did not
               # converge in 200 iterations", wave 51)
               ONE_GROUP_ONLY])


def _data(events_exposed: int, n: int = 200) -> pd.DataFrame:
    exposed = np.r_[np.ones(n // 2), np.zeros(n // 2)]
    event = np.zeros(n)
    event[:events_exposed] = 1
    event[n // 2:n // 2 + 40] = 1
    return pd.DataFrame({"exposed": exposed, "female": np.tile([0.0, 1.0], n // 2),
                         "event": event, "people": 1, "observations": 1})


def _fitted(low=1.1, high=2.0, converged=True, terms=("exposed",)):
    summary = pd.DataFrame({"term": list(terms), "estimate": 1.5, "ci_lower": low,
                            "ci_upper": high, "p_value": 0.01})
    return SimpleNamespace(summary=summary, warnings=(), model=SimpleNamespace(
        mle_retvals={"converged": converged}))


def releases():
    """A withheld release check of every kind of reason (and their combinations)."""
    inf = float("inf")
    return {
        "few events in a group": model_release(_fitted(), data=_data(9), event_col="event",
                                               level_cols=["exposed", "female"]),
        "few events in total": model_release(
            _fitted(), data=_data(0).assign(event=np.r_[np.ones(5), np.zeros(195)],
                                            age=np.linspace(20, 80, 200)),
            event_col="event", level_cols=["age"], continuous=["age"]),
        "few people": model_release(_fitted(), data=_data(5).head(8),
                                    event_col="people", level_cols=[]),
        "few observations": model_release(_fitted(), data=_data(5).head(8),
                                          event_col="observations", level_cols=[]),
        "residual df": model_release(_fitted(), data=_data(30).head(40).tail(9),
                                     event_col="people", level_cols=[]),
        "not converged": model_release(_fitted(converged=False), data=_data(30),
                                       event_col="event", level_cols=["exposed"]),
        "one open interval": model_release(_fitted(0.0, inf), data=_data(30),
                                           event_col="event", level_cols=["exposed"]),
        "open intervals": model_release(
            _fitted(0.0, inf, terms=("exposed", "age_per_10", "honos_per_5")),
            data=_data(30), event_col="event", level_cols=["exposed"]),
        "few and not converged": model_release(_fitted(converged=False), data=_data(5),
                                               event_col="event", level_cols=["exposed"]),
    }


def assert_publishable(text: str, *, where: str) -> None:
    """``text`` passes the reason rule, the gate's span and prose checks and the page test."""
    text = str(text)
    protected = compose("{why}", why=Reason(text))  # raises on the reason rule
    spans = [dict(s) for s in protected.spans]
    assert text_findings(str(protected), spans, "default") == [], (where, text)
    assert prose_findings(text, "default") == [], (where, text)
    assert not leaks(text), (where, leaks(text), text)


@pytest.mark.parametrize("reason", fit_reasons())
def test_a_fits_reason_reads_publishably_in_every_form_a_report_gives_it(reason):
    fit = SimpleNamespace(reason=reason)
    outcome = "were discharged"
    # key results' sentences (summary, landing page's main point)
    sentence = result_sentence(None, kind="ratio", found="{value}", missing="The ratio",
                               reason=reason, labels=VALUE_LABELS)
    assert_publishable(sentence, where="result_sentence")
    row = {"text": not_estimable_text(short_reason(fit, outcome=outcome))}
    assert_publishable(ratio_sentence(row, found="{estimate}", missing="The ratio"),
                       where="ratio_sentence")
    assert_publishable(plain_reason(reason, VALUE_LABELS), where="plain_reason")
    # hazard-ratio cells (with_note) and the fit notes
    noted = with_note(pd.DataFrame({"term": ["exposed"], "estimable": [False]}), fit,
                      outcome=outcome)
    assert_publishable(noted["note"].iat[0], where="hazard-ratio cell")
    assert_publishable(readable_note(f"not estimable: {reason}", VALUE_LABELS,
                                     outcome=outcome), where="fit note")


@pytest.mark.parametrize("reason", [r for r in fit_reasons()
                                    if "separated" not in r and "R's rule" not in r])
def test_a_count_models_failure_reads_publishably_in_its_estimates_table(reason):
    # the emergency report's rate ratios carry a Poisson or negative binomial fit's
    # reason as ``failure`` (Cox's and Fine-Gray's reach tables only in plain words)
    summary = pd.DataFrame({"term": ["after"], "estimate": [np.nan], "ci_lower": [np.nan],
                            "ci_upper": [np.nan], "p_value": [np.nan],
                            "failure": [reason]})
    release = model_release(None, data=pd.DataFrame({"e": [1.0] * 100}), event_col="e",
                            level_cols=[], summary=summary.iloc[0:0], converged=True)
    cell = table_estimates(release.estimates(summary), label="rate ratio")[
        "rate ratio (95% CI)"].iat[0]
    assert_publishable(cell, where="estimates cell")


@pytest.mark.parametrize("values", [(0.0, 0.0, float("inf")), (1.2, 0.5, float("nan")),
                                    (float("nan"),) * 3, (1.0, 1.0, 1.0), (0.5, 0.0, 2.0)])
def test_a_degenerate_estimate_reads_publishably_in_a_table_and_a_sentence(values):
    assert_publishable(format_estimate(*values), where="format_estimate")
    sentence = result_sentence(values[0], kind="ratio", found="{value} ({interval})",
                               missing="The ratio", interval=values[1:])
    if "could not" in sentence:
        assert_publishable(sentence, where="result_sentence")


@pytest.mark.parametrize("name", list(releases()))
def test_a_withheld_models_reason_reads_publishably_where_it_is_shown(name, tmp_path,
                                                                     monkeypatch):
    from lifetools.disclosure.withheld import unrepeated

    release = releases()[name]
    assert not release.released
    withheld = release.withheld
    assert_publishable(withheld, where="withheld")
    for reason in release.reasons:
        assert_publishable(reason, where="reason")
    assert_publishable(not_shown_sentence("The ratio", plain_reason(withheld)),
                       where="not shown sentence")
    assert_publishable(ratio_sentence({"text": withheld}, found="{estimate}",
                                      missing="The ratio"), where="ratio_sentence")
    # its estimates table: the marker in the rows, the reason once in the note
    monkeypatch.setenv(config.ENV_OUTPUT_DIR, str(tmp_path))
    summary = _fitted(terms=("exposed", "female")).summary
    shown = show_table(table_estimates(release.estimates(summary), label="hazard ratio"),
                       name="ratios", caption="Ratios")
    assert_publishable(shown.note, where="table note")
    assert shown.note.count(unrepeated(withheld)) == 1  # its headline said once
    written = (tmp_path / "tables" / "ratios.csv").read_text()
    assert withheld not in written and WITHHELD_COLUMN not in written
    # too few of something: the model release rule hid it, [c]; a fit alone, [x]
    # (wave 42)
    assert set(shown.frame["hazard ratio (95% CI)"]) == {
        "[c]" if release.too_few else "[x]"}


def test_left_out_notes_read_publishably():
    notes = left_out_notes(["female", "age_per_10"], ["age_per_10"], [], "discharges",
                           kept_complete=[])
    assert notes
    for note in notes:
        assert_publishable(note["note"], where="left-out note")


def test_a_withheld_models_reason_states_no_bound_beside_a_rounded_count():
    # 8 events among users, published rounded as 10 (the default profile: 8 to 12):
    # "fewer than 10 events among 'Life Rooms use'" beside it said 8 or 9. The release
    # is still decided on the raw 8 (never a model with fewer than 10 events), but no
    # text it publishes states a number or a bound
    release = model_release(_fitted(), data=_data(8), event_col="event",
                            level_cols=["exposed"])
    assert not release.released  # decided on the raw count
    events = release.levels.frame.set_index("level")["events"]
    assert int(events["1.0"]) == 10 == get_profile("default").model_min_events
    for text in [release.withheld, *release.reasons, plain_reason(release.withheld)]:
        assert not re.search(r"\d|fewer than", text), text  # no bound, no count
    # the headline's "too few events" said once, the group in words (wave 38)
    assert release.withheld == ("too few events among people after their first Life "
                                "Rooms contact")


@pytest.mark.parametrize(("headline", "reasons", "brackets", "said"), [
    # the headline's count said once: the reasons alone, the one that says it first
    ("too few events to estimate", ["too few events among people aged 65 or over"],
     False, "too few events among people aged 65 or over"),
    ("too few events to estimate", ["the counts of a deprivation fifth are suppressed",
                                    "too few events in total"], True,
     "too few events in total; the counts of a deprivation fifth are suppressed"),
    ("too few observations to estimate", "too few observations in total; the fit did "
     "not converge", False, "too few observations in total; the fit did not converge"),
    # any other reasons under their headline
    ("could not be estimated", ["the fit did not converge"], False,
     "could not be estimated: the fit did not converge"),
    ("could not be estimated", ["the fit did not converge"], True,
     "could not be estimated (the fit did not converge)"),
    ("too few events to estimate", ["too few residual degrees of freedom"], True,
     "too few events to estimate (too few residual degrees of freedom)"),
    ("not shown", [], False, "not shown"),
])
def test_withheld_words_say_the_headline_once(headline, reasons, brackets, said):
    # the crisis page at 3,000 people: "... are not shown on this page ...: too few
    # events to estimate: too few events among ‘not female’, ..." (issue 15, wave 38)
    from lifetools.disclosure import withheld_words
    from lifetools.disclosure.withheld import headline_of

    text = withheld_words(headline, reasons, brackets=brackets)
    assert text == said
    assert headline_of(text) == headline
    assert text.count(headline.removesuffix(" to estimate")) == 1


def test_a_withheld_models_text_says_too_few_once_and_names_groups_in_words():
    # the reach page at 3,000 people: "too few events to estimate: the counts of a
    # deprivation fifth are suppressed; too few events among ‘IMD quintile (1 = most
    # deprived)’ = 2, ‘IMD quintile (1 = most deprived)’ = 3, ..." (wave 38)
    from lifetools.disclosure.withheld import headline_of
    from lifetools.labels import QUOTES

    people = pd.DataFrame({"imd_quintile": [1] * 60 + [2] * 60 + [3] * 60,
                           "used": [1] * 30 + [0] * 30 + [1] * 3 + [0] * 57
                           + [1] * 2 + [0] * 58})
    fit = SimpleNamespace(summary=pd.DataFrame({"term": ["sii"], "estimate": [0.1],
                                                "ci_lower": [0.05], "ci_upper": [0.2]}),
                          warnings=(), model=None)
    release = model_release(fit, data=people, event_col="used", level_cols=["imd_quintile"],
                            withheld=["the counts of a deprivation fifth are suppressed"])
    assert release.withheld == (
        "too few events among people in the second most deprived fifth of areas and "
        "people in the middle fifth of areas; the counts of a deprivation fifth are "
        "suppressed")
    for text in (release.withheld, release.withheld_brief, release.withheld_once):
        assert text.count("too few events") == 1 and not set(QUOTES) & set(text), text
        assert headline_of(text) == release.headline == "too few events to estimate"
