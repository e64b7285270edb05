"""Facts the report pages stated in typed words until wave 23 (issue 15), now generated
from what was computed: the ends of the SWEMWBS scale (the data dictionary), the
meaningful-change threshold (the run's parameter), the Kaplan-Meier figure's confidence
level and where its curves stop (the estimate and the profile), the crisis model's
splines (its spec), and a reason said once when two sentences share it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lifetools.design_sizes import CRISIS_SPLINE_KNOTS
from lifetools.dictionary import load_dictionary
from lifetools.disclosure import get_profile
from lifetools.disclosure.text import text_findings
from lifetools.errors import DisclosureError
from lifetools.reports.crisis_parts import spline_sentence
from lifetools.reports.discharge import curve_sentence
from lifetools.reports.sentences import not_shown_sentences
from lifetools.reports.wellbeing import SCORE_FIELD, scale_sentence, threshold_sentence


def test_scale_sentence_reads_the_ends_of_the_scale_from_the_data_dictionary():
    field = load_dictionary().table(SCORE_FIELD[0]).field(SCORE_FIELD[1])
    assert (field.minimum, field.maximum) == (7, 35)
    assert str(scale_sentence(field.minimum, field.maximum)) == (
        "SWEMWBS metric scores run from 7 to 35; higher is better.")
    with pytest.raises(DisclosureError):  # a number that is not the scale's is refused
        scale_sentence(8, 35)


@pytest.mark.parametrize(("threshold", "said"), [(3.0, "3"), (2.5, "2.5")])
def test_threshold_sentence_states_the_runs_threshold(threshold, said):
    text = threshold_sentence(threshold)
    assert f"(a change of {said} points or more, a parameter of the run)" in str(text)
    spans = [dict(span) for span in text.spans]
    assert text_findings(str(text), spans, get_profile(),
                         {"meaningful_change": threshold}) == []
    assert text_findings(str(text), spans, get_profile(), {"meaningful_change": 4.0})


@pytest.mark.parametrize(("alpha", "level"), [(0.05, "95%"), (0.1, "90%")])
def test_curve_sentence_from_the_estimates_level_and_the_profiles_rule(alpha, level):
    said = str(curve_sentence(SimpleNamespace(method={"alpha": alpha})))
    least = get_profile().min_at_risk
    assert said == (f"The shaded band is the {level} confidence interval; the curve is "
                    "drawn at regular days and stops at the last of them before fewer "
                    f"than {least} people remain at risk.")


def test_spline_sentence_from_the_models_spec():
    assert str(spline_sentence(dict(CRISIS_SPLINE_KNOTS))) == (
        "Logistic regression with restricted cubic splines for age (5 knots), time "
        "in care (3 knots) and HoNOS (3 knots)")
    assert str(spline_sentence({"age": 4})) == (
        "Logistic regression with restricted cubic splines for age (4 knots)")
    with pytest.raises(DisclosureError):  # a spline of 12 knots is no setting
        spline_sentence({"age": 12})


def test_not_shown_sentences_say_a_shared_reason_once():
    why = "too few people completed a follow-up measurement in the period"
    first, second = not_shown_sentences(["The mean", "The share"], [why, why])
    assert str(first) == f"The mean is not shown: {why}."
    assert str(second) == "The share is not shown either, for the same reason."
    other = not_shown_sentences(["The mean", "The share"], [why, "the fit failed"])
    assert str(other[1]) == "The share is not shown: the fit failed."


def test_a_shares_interval_is_never_called_the_wilson_interval_of_its_counts():
    # a published share's interval is the union of the Wilson intervals of every raw
    # pair its rounded counts could be (disclosure.published_share_interval): the
    # reach page called "96.2% (87.5% to 99.9%)" of 125 of 130 a "Wilson interval (from
    # rounded counts)", whose interval is 91.3% to 98.3% (until wave 34)
    import json
    import re
    from pathlib import Path

    from lifetools.reports.wellbeing import SHARE_METHOD

    assert "rounding" in SHARE_METHOD and "rounding" in str(threshold_sentence(2.0))
    root = Path(__file__).parents[2] / "analyses"
    said = []
    for notebook in sorted(root.glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            text = " ".join("".join(cell["source"]).split())
            said += [(notebook.name, s) for s in re.split(r"(?<=[.!?])\s+|\n- ", text)
                     if "Wilson" in s]
    assert said  # the reach page names its intervals
    assert [s for s in said if "rounding" not in s[1]] == []


def test_emergency_windows_are_said_from_the_runs_window_not_called_equal():
    # "Windows of equal length before and after the index date" beside person-years of
    # 220 before and 110 after (30,000 people, wave 39): the page says the window the
    # run used (its glued `window`) and which end cuts each one short
    import nbformat

    from lifetools.config import project_root

    cells = nbformat.read(project_root() / "analyses" / "04_emergency_care.ipynb",
                          as_version=4).cells
    who = next(c.source for c in cells if c.cell_type == "markdown"
               and c.source.startswith("## Who is compared"))
    flat = " ".join(who.split())
    assert "equal length" not in flat
    assert flat.count("{glue:text}`window`") == 2
    assert "the window after can be the shorter" in flat
