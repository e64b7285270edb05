"""Jargon on public pages: a technical term is shown only beside its plain words.

The terms and their words are :data:`lifetools.labels.TERMS`. Scanned here: the
Markdown of every report notebook, and the texts the reports' text functions render
(the drift check's verdict, a model withheld for too few residual degrees of freedom
as its sentence and table cell, the C-statistic sentences of the crisis and emergency
reports in each of their forms). The glossary carries every term with the same words.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pandas as pd
import pytest

from lifetools.disclosure import model_release
from lifetools.labels import TERMS, with_words
from lifetools.prediction import drift_check, performance
from lifetools.reports.sentences import (
    C_STATISTIC,
    not_shown_sentence,
    plain_reason,
    result_sentence,
)

ROOT = Path(__file__).resolve().parents[2]


def unexplained(text: str) -> list[str]:
    """The terms of :data:`TERMS` in ``text`` whose plain words are not in it."""
    low = " ".join(str(text).split()).lower()
    return [term for term, words in TERMS.items()
            if term.lower() in low and words.lower() not in low]


def test_unexplained_bare_term_is_found_and_explained_term_is_not():
    assert unexplained("C-statistic: 0.71.") == ["C-statistic"]
    assert unexplained(f"Its {with_words('C-statistic')} was 0.71.") == []
    assert unexplained("The learning system's alarm.") == ["the learning system's alarm"]


def test_jargon_report_notebook_markdown_explains_every_term():
    found = {}
    for path in sorted((ROOT / "analyses").glob("*.ipynb")):
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "markdown" and unexplained(cell.source):
                found[f"{path.name} cell {number}"] = unexplained(cell.source)
    assert found == {}


def _cohort(n: int, shift: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    lp = rng.normal(-1.0, 1.0, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(int)
    return y, 1 / (1 + np.exp(-lp - shift))


@pytest.mark.parametrize(("n", "shift"), [(5000, 0.0), (300, 0.0), (5000, 1.0)])
def test_jargon_drift_verdict_explains_every_term(n, shift):
    # held with narrow intervals, held with wide ones, drifted in the average level
    verdict = drift_check(performance(*_cohort(n, shift))).verdict
    assert "calibration-in-the-large" in verdict
    assert unexplained(verdict) == []


def test_jargon_model_withheld_for_residual_degrees_of_freedom_is_explained():
    rows = pd.DataFrame({"event": [1.0, 0.0] * 4})
    summary = pd.DataFrame({"term": ["exposed"], "estimate": [1.5], "ci_lower": [1.1],
                            "ci_upper": [2.0], "p_value": [0.01]})
    release = model_release(SimpleNamespace(summary=summary, warnings=(), model=None),
                            data=rows, event_col="event", level_cols=[], converged=True)
    assert "residual degrees of freedom" in release.reason
    texts = [release.withheld, release.reason,
             str(not_shown_sentence("How their score changed on average",
                                    plain_reason(release.reason))),
             str(result_sentence(None, kind="estimate", found="{value}.",
                                 missing="The mean change", reason=release.reason))]
    assert [unexplained(t) for t in texts] == [[]] * 4


@pytest.mark.parametrize("which", sorted(C_STATISTIC))
def test_jargon_c_statistic_sentences_explain_it_in_every_form(which):
    found, missing = C_STATISTIC[which]
    judge = {"null": 0.5, "above": "it ranks people better than chance",
             "below": "it ranks people worse than chance"}
    texts = [result_sentence(0.71, kind="estimate", found=found, missing=missing,
                             interval=(0.6, 0.8), judge=judge),
             result_sentence(None, kind="estimate", found=found, missing=missing,
                             reason="the fit did not converge"),
             not_shown_sentence(missing, "fewer than 10 events")]
    for text in map(str, texts):
        assert "C-statistic" in text and unexplained(text) == [], text
        assert not re.search(r"\{\w+\}", text)


def test_jargon_glossary_gives_every_term_its_plain_words():
    glossary = " ".join((ROOT / "GLOSSARY.md").read_text().split()).lower()
    for term, words in TERMS.items():
        entry = glossary.split(f" {term.lower()} : ", 1)
        assert len(entry) == 2, term
        assert words.lower() in entry[1].split(" : ", 1)[0], term
