"""The crisis-risk page's wording, read as a public reader reads it (issues 15 and 19):
each technical term in plain words on its first use, no missing article.

On the functions that make the page's sentences, so each test fails on the wording it
fixes (wave 22).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from lifetools.labels import TERMS
from lifetools.reports.crisis_internal import method_text

ROOT = Path(__file__).resolve().parents[2]

NEW_TERMS = ("Rubin's rules", "boot-MI", "MI-boot")


@pytest.mark.parametrize("term", NEW_TERMS)
def test_crisis_wording_terms_have_plain_words(term):
    assert term in TERMS and TERMS[term]


@pytest.mark.parametrize(("method", "terms"), [
    ("boot-mi", NEW_TERMS), ("mi-boot", ("MI-boot",))])
def test_crisis_wording_internal_method_explains_each_term_at_its_first_use(method, terms):
    text = str(method_text(method, drawn=200, copies=10, per=20))
    for term in terms:
        first = text.index(term)
        assert text[first:].startswith(f"{term} ({TERMS[term]})"), (term, text)


def test_crisis_wording_internal_method_says_the_bootstrap():
    # "The model comparison uses bootstrap within each imputed copy" missed "the"
    text = str(method_text("boot-mi", drawn=200, copies=10))
    assert "uses bootstrap" not in text
    assert "The model comparison uses the other order" in text
    assert re.search(r"\b200 samples drawn before imputation\b", text)
    assert "imputed afresh (10 copies)" in text


def test_crisis_wording_notebook_explains_rubin_s_rules_on_its_first_use():
    cells = [c.source for c in nbformat.read(ROOT / "analyses" / "07_crisis_risk.ipynb",
                                             as_version=4).cells
             if c.cell_type == "markdown"]
    page = " ".join(" ".join(cells).split())
    term = "Rubin's rules"
    first = page.index(term)
    assert page[first:].startswith(f"{term} ({TERMS[term]})")
