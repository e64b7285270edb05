"""lifetools.pipeline.gate.prose: a number in prose is refused unless in an allowed form."""

from __future__ import annotations

import pytest

from lifetools.pipeline.gate.prose import PROSE_RULE, has_words, prose_findings


@pytest.mark.parametrize("text", [
    "A team of 13 met.", "Of those who came, 2,634 stayed.", "It was 13.",
    "The group had 13.0 on average.", "A team of thirteen met.", "We saw twenty.",
    "fewer than 13 people", "13 (32.5%) of them", "Aged 13 to 14: 13 came",
    "see `code` then 13 more", "Everyone met: `13` people in all.", "`n_boot = 200`"])
def test_prose_findings_number_written_by_hand_is_refused(text):
    assert [rule for rule, _ in prose_findings(text, "default")] == [PROSE_RULE]


@pytest.mark.parametrize("text", [
    "{glue:text}`users` people came; {glue}`n` more.", "Wahl et al. 2016; in 2024-25",
    "from 2024-04-01", "the 95% confidence interval", "12 months, a 12-month risk",
    "(4 knots) and (3\nknots)", "within 0.2 standard deviations", "2.66 times",
    "fewer than 8 people", "fewer than 10 crises", "nearest 5", "a ratio above 1",
    "per 1,000 people", "team A06, an L2 penalty", "types 01 and 03",
    "categories 1-3", "1:1 matching", "(1 = most deprived)", "Aged 65 or over",
    "scores run from 7 to 35", "## 2. Methods", "1. first item", "default 3 points",
    "[a link](https://example.org/13)", "<!-- 13 -->", "`lt.reports`",
    "three criteria of Riley", "an anticipated R-squared of 15% of its maximum"])
def test_prose_findings_allowed_forms_pass(text):
    assert prose_findings(text, "default") == []


def test_prose_findings_rule_numbers_are_the_profiles():
    # "at most 7" states the default profile's rule (1-7 suppressed); under
    # threshold-10 (1-9 suppressed, round to 5) 7 is none of its numbers
    assert prose_findings("at most 7 people", "default") == []
    assert prose_findings("at most 7 people", "threshold-10")
    assert prose_findings("fewer than 10 people", "threshold-10") == []


def test_prose_findings_detail_never_quotes_the_number():
    (rule, detail), = prose_findings("A team of 9434 met.", "default", where="Markdown")
    assert rule == PROSE_RULE and "9434" not in detail and "Markdown" in detail


def test_has_words_tells_labels_from_numbers():
    assert has_words("Aged 65 or over") and not has_words("1,250") and \
        not has_words("0.83 to 1.71".replace("to", "-"))


def test_prose_findings_every_markdown_cell_of_the_series_passes():
    import json
    from pathlib import Path

    notebooks = sorted((Path(__file__).resolve().parents[2] / "analyses").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        for number, cell in enumerate(json.loads(path.read_text())["cells"], start=1):
            if cell["cell_type"] == "markdown":
                assert prose_findings("".join(cell["source"]), "default") == [], (
                    path.name, number)


def test_label_findings_figure_text_wrapped_onto_lines_reads_as_one_phrase():
    # a narrow rendering wraps "5 (least deprived)" onto two lines: still a label;
    # a count stays refused wherever the line breaks
    from lifetools.disclosure import get_profile
    from lifetools.pipeline.gate.notebooks import _label_findings

    def findings(text: str) -> list:
        return _label_findings({"kind": "figure", "texts": [text]}, [],
                               get_profile("default"), {})

    assert findings("5 (least\ndeprived)") == findings("5 (least deprived)") == []
    assert findings("People seen:\n1234") and findings("People\nseen 1234")
