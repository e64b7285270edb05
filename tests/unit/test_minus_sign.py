"""No page text writes a hyphen-minus as a minus sign, nor a range of numbers as "1-5".

Pages write a negative number with the minus sign U+2212 (``disclosure.text.fixed``,
through ``lifetools.formatting``) and a range in words ("1 to 5"); CSV files keep the
hyphen-minus (machine-readable) and are not scanned here. The scan reads the text of
the page-writing functions (data dictionary, RAP level page, landing-page main points,
model release reasons; the crisis drift verdict is main's `prediction/drift.py`), the
code spans and dates apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from lifetools.dictionary import load_dictionary
from lifetools.disclosure import model_release
from lifetools.pipeline import pages, rap
from lifetools.pipeline.dictionary_pages import render_dictionary_pages

ROOT = Path(__file__).resolve().parents[2]

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_MINUS = re.compile(r"(?<![\w.\-\u2212])-\d")
_RANGE = re.compile(r"(?<![\w.\-])\d+(?:\.\d+)?-\d+(?:\.\d+)?(?![\w\-]|\.\d)")


def hyphen_minus_signs(text: str) -> list[str]:
    """Each hyphen-minus used as a minus sign ("-0.4") or between two numbers ("1-5")
    in a page's text, code spans and blocks apart; ISO dates and words are kept."""
    prose = _CODE.sub(" ", text)
    return [m.group(0) for m in (*_MINUS.finditer(prose), *_RANGE.finditer(prose))]


@pytest.mark.parametrize("text", ["95% CI -0.66 to -0.13", "'Age (per 10 years)' = -0.4",
                                  "HoNOS (0-48)", "items scored 1-5.", "(-2)"])
def test_scan_finds_a_hyphen_minus_used_as_a_minus_sign(text):
    assert hyphen_minus_signs(text)


@pytest.mark.parametrize("text", ["95% CI \u22120.66 to \u22120.13", "from 1 to 5",
                                  "plausible from 1900-01-01", "pattern `^[0-9]{1,3}-x`",
                                  "A-H, J-N", "Discharged - treatment completed",
                                  "co-op", "E-value 2.1", "under-18s"])
def test_scan_keeps_dates_codes_and_words(text):
    assert hyphen_minus_signs(text) == []


def test_data_dictionary_pages_have_no_hyphen_minus_sign(tmp_path):
    written = render_dictionary_pages(tmp_path, load_dictionary(ROOT / "data_dictionary"))
    found = {p.name: hyphen_minus_signs(p.read_text()) for p in written}
    assert not any(found.values()), found


def test_rap_page_has_no_hyphen_minus_sign():
    assert hyphen_minus_signs(rap.markdown(rap.assess(ROOT))) == []


def test_main_point_of_a_negative_estimate_writes_the_minus_sign():
    results = {"change": {"kind": "estimate", "value": -0.4, "text": "x"},
               "change_ci": {"kind": "text", "value": [-0.66, -0.13], "text": "x"}}
    spec = {"estimate": "change", "interval": "change_ci", "no_effect": 0.0,
            "above": "rose", "below": "fell", "text": "{estimate} ({interval}): {verdict}"}
    said = pages.main_point(spec, results)
    assert "\u22120.66 to \u22120.13" in said and hyphen_minus_signs(said) == [], said


def test_model_release_reason_has_no_hyphen_minus_sign():
    # a linear term with negative values (age per 10 years, centred) and a categorical
    # column with a negative level, each with few events
    n = 200
    frame = pd.DataFrame({"exposed": np.r_[np.ones(n // 2), np.zeros(n // 2)],
                          "age_per_10": np.tile([-0.4, 0.1, 0.6, 1.9], n // 4),
                          "change": np.tile([-1.0, 0.0, 1.0, 2.0], n // 4),
                          "event": 0.0})
    frame.loc[frame["change"] != -1.0, "event"] = 1.0  # 150 events, 2 at change -1
    frame.loc[frame.index[[0, 100]], "event"] = 1.0
    summary = pd.DataFrame({"term": ["exposed", "age_per_10", "change[T.1.0]"],
                            "estimate": [1.5, 1.1, 1.0], "ci_lower": [1.1, 0.9, 0.8],
                            "ci_upper": [2.0, 1.3, 1.2]})
    release = model_release(SimpleNamespace(summary=summary, warnings=(), model=None),
                            data=frame, event_col="event",
                            level_cols=["exposed", "age_per_10", "change"])
    assert not release.released
    assert "= \u22121.0" in release.reason and "Age" not in release.reason, release.reason
    assert hyphen_minus_signs(release.withheld) == [], release.withheld
