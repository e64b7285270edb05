"""The data dictionary's pages (the publishing side): one per table, numbers in words."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from lifetools.dictionary import load_dictionary
from lifetools.pipeline.dictionary_pages import render_dictionary_pages

ROOT = Path(__file__).resolve().parents[2] / "data_dictionary"


def test_render_pages_one_per_table(tmp_path):
    pages = render_dictionary_pages(tmp_path, load_dictionary(ROOT))
    assert len(pages) == 10
    referrals = (tmp_path / "referrals.md").read_text()
    assert "`closure_reason`" in referrals and "Discharged - treatment completed" in referrals
    assert "ReferralRequestReceivedDate" in referrals
    assert "plausible from 1900-01-01 to the extract date" in referrals
    assert "identifier" in (tmp_path / "people.md").read_text()


def test_render_pages_write_ranges_in_words_and_negative_limits_with_the_minus_sign(
        tmp_path):
    # "1-5" reads as one minus five: a range of numbers is "1 to 5" on a page; a
    # negative limit has the minus sign (U+2212); dates keep their hyphens
    folder = tmp_path / "dd"
    shutil.copytree(ROOT, folder)
    wellbeing = folder / "wellbeing.yaml"
    wellbeing.write_text(wellbeing.read_text().replace(
        "{required: true, minimum: 7, maximum: 35}",
        "{required: true, minimum: -7, maximum: 35}", 1))
    render_dictionary_pages(tmp_path / "out", load_dictionary(folder))
    text = "\n".join(p.read_text() for p in sorted((tmp_path / "out").glob("*.md")))
    assert "0 to 48" in (tmp_path / "out" / "referrals.md").read_text()
    page = (tmp_path / "out" / "wellbeing.md").read_text()
    assert "1 to 5" in page and "7 to 35" in page and "from \u22127 to 35" in page
    assert "from 1 to -" not in text and "at least 1" in text
    prose = re.sub(r"`[^`]*`", "", text)  # patterns and codes are code
    numbers = re.findall(r"(?<![\w.-])\d+(?:\.\d+)?-\d+(?:\.\d+)?(?![\w.-])", prose)
    assert numbers == []
    assert "plausible from 1900-01-01 to the extract date" in text
