"""The crisis-risk model card's edition-specific parts (issue 19, item 7): population
and performance from what the edition's run computed, withheld in the report's own
words when the model's release withholds it; the fixed parts stay on the methods page.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
from toy_release import toy_release

from lifetools.disclosure import ProtectedText
from lifetools.prediction.drift import DRIFT_HEADLINES
from lifetools.reports.model_card import PERFORMANCE_SUBJECT, model_card_results
from lifetools.result_names import CrisisName

ROOT = Path(__file__).resolve().parents[2]


def _run(release, *, state: str = "held") -> SimpleNamespace:
    performance = pd.DataFrame(
        {"estimate": [0.713, 0.91, 0.05], "ci_lower": [0.684, 0.78, -0.08],
         "ci_upper": [0.742, 1.04, 0.18]}, index=pd.Index(["c", "slope", "citl"],
                                                         name="measure"))
    boot = SimpleNamespace(corrected=lambda index: 0.728,
                           interval=lambda index: (0.701, 0.755))
    drift = SimpleNamespace(slope=0.91, citl=0.05, headline=DRIFT_HEADLINES[state])
    return SimpleNamespace(
        dev=pd.DataFrame({"crisis": [0] * 1234}), val=pd.DataFrame({"crisis": [0] * 1302}),
        development_period="2023-24", validation_period="2024-25",
        performance=performance, boot=boot, drift=drift, release=release,
        slope_band=(0.8, 1.2), citl_band=(-0.2, 0.2))


def _texts(results) -> dict[str, str]:
    assert all(isinstance(r["text"], ProtectedText) for r in results)
    return {r["name"]: str(r["text"]) for r in results}


def test_model_card_states_the_editions_population_and_performance():
    released = toy_release([1.0, 0.0] * 100)
    assert released.released
    texts = _texts(model_card_results(_run(released)))
    population = texts[CrisisName.MODEL_CARD_POPULATION_SENTENCE]
    # the cohorts' sizes protected (rounded to 5), their index dates and periods
    assert "the 1,235 people open to secondary mental-health services at the start of " \
        "2023-24 (the development cohort)" in population
    assert "the 1,300 people open at the start of 2024-25 (the validation cohort)" \
        in population
    assert "1,234" not in population and "1,302" not in population
    performance = texts[CrisisName.MODEL_CARD_PERFORMANCE_SENTENCE]
    for said in ("In the development cohort of 2023-24: the optimism-corrected "
                 "C-statistic was 0.73 (95% confidence interval 0.70 to 0.76)",
                 "In the validation cohort of 2024-25: the C-statistic was 0.71 (95% "
                 "confidence interval 0.68 to 0.74)",
                 "The calibration slope was 0.91 (95% confidence interval 0.78 to 1.04): "
                 "compatible with predicted risks spread out as they should be.",
                 "The calibration-in-the-large (on the log-odds scale) was 0.05 (95% "
                 "confidence interval \u22120.08 to 0.18): compatible with predicted risks "
                 "right on average.",
                 DRIFT_HEADLINES["held"],
                 "The stated limits are a calibration slope from 0.8 to 1.2 and a "
                 "calibration-in-the-large from \u22120.2 to 0.2"):
        assert said in performance, said


def test_model_card_says_the_drift_verdict_of_the_edition():
    released = toy_release([1.0, 0.0] * 100)
    texts = _texts(model_card_results(_run(released, state="drifted")))
    assert DRIFT_HEADLINES["drifted"] in texts[CrisisName.MODEL_CARD_PERFORMANCE_SENTENCE]


def test_model_card_withholds_the_performance_in_the_reports_words():
    withheld = toy_release([1.0, 0.0] * 4)  # too few residual degrees of freedom
    assert not withheld.released
    results = model_card_results(_run(withheld))
    texts = _texts(results)
    performance = texts[CrisisName.MODEL_CARD_PERFORMANCE_SENTENCE]
    assert performance == f"{PERFORMANCE_SUBJECT} is not shown: {withheld.withheld_once}."
    assert not any(ch.isdigit() for ch in performance.replace(
        withheld.withheld_once, ""))
    # the population is of the cohorts, not the model: still stated
    assert "the 1,235 people" in texts[CrisisName.MODEL_CARD_POPULATION_SENTENCE]


def test_model_card_section_of_the_report_glues_both_parts():
    nb = json.loads((ROOT / "analyses" / "07_crisis_risk.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    card = next(c for c in cells if c.startswith("## Model card"))
    for name in (CrisisName.MODEL_CARD_POPULATION_SENTENCE, CrisisName.MODEL_CARD_PERFORMANCE_SENTENCE):
        assert f"{{glue:text}}`{name}`" in card


def test_methods_page_lists_each_editions_card_newest_first():
    from lifetools.pipeline.book import (
        MODEL_CARD_REPORT,
        MODEL_CARDS_MARKER,
        EditionPages,
        model_card_links,
    )
    from lifetools.pipeline.series import Edition

    def pages(eid: str, start: str, runs: tuple[str, ...]) -> EditionPages:
        edition = Edition(id=eid, period_start=start, period_end=start.replace("-04-01", "-12-31"),
                          title=f"{eid} edition")
        return EditionPages(edition=edition, runs={r: Path(r) for r in runs}, manifest={})

    editions = [pages("2023-24", "2023-04-01", (MODEL_CARD_REPORT,)),
                pages("2024-25", "2024-04-01", (MODEL_CARD_REPORT, "reach")),
                pages("2025-26", "2025-04-01", ("reach",))]
    lines = model_card_links(editions).splitlines()
    assert lines == [
        f"- {{doc}}`2024-25 edition </editions/2024-25/{MODEL_CARD_REPORT}>`: its "
        "\"Model card\" section, at the end of the report",
        f"- {{doc}}`2023-24 edition </editions/2023-24/{MODEL_CARD_REPORT}>`: its "
        "\"Model card\" section, at the end of the report"]
    card = (ROOT / "book" / "methods" / "crisis-risk-model-card.md").read_text()
    assert card.rstrip().endswith(MODEL_CARDS_MARKER)
    # the fixed parts stay on the methods page, once
    for fixed in ("## Intended use", "## Limitations", "without further external validation"):
        assert card.count(fixed) == 1
