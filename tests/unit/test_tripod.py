"""The TRIPOD+AI checklist is generated: every item has a source and a place on the page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Formatter

import pytest

from lifetools.reports.tripod import (
    CARD,
    ITEMS,
    OPENING,
    SECTIONS,
    TripodItem,
    tripod_checklist,
)

ROOT = Path(__file__).resolve().parents[2]
KEYS = {name for it in ITEMS for _, name, _, _ in Formatter().parse(it.text) if name}


def meta() -> dict[str, str]:
    return {k: f"<{k}>" for k in KEYS}


def test_tripod_checklist_covers_every_tripod_ai_item_once():
    numbers = [it.item for it in ITEMS]
    assert len(numbers) == len(set(numbers)) == 52
    expected = {"1", "2", "4", "7", "10", "11", "13", "14", "15", "16", "17", "19", "21",
                "22", "24", "25", "26"}
    assert expected <= set(numbers) and {"12g", "20c", "23b", "27c", "18f"} <= set(numbers)


def test_tripod_checklist_filled_from_metadata_no_blank_item():
    table = tripod_checklist(meta())
    assert (table["reported"].str.strip() != "").all() and (table["where"] != "").all()
    row = table.set_index("item").loc["10"]
    assert "<required_people>" in row["reported"] and "<parameters>" in row["reported"]


def test_tripod_checklist_item_without_source_fails():
    orphan = TripodItem("99", "Made up", "Something.", "")
    with pytest.raises(ValueError, match="item 99 has no source"):
        tripod_checklist(meta(), items=(*ITEMS, orphan))


def test_tripod_checklist_metadata_not_computed_fails():
    partial = meta()
    del partial["required_people"]
    with pytest.raises(ValueError, match="item 10 needs metadata"):
        tripod_checklist(partial)
    partial = meta() | {"drift_verdict": " "}
    with pytest.raises(ValueError, match="item 24 needs metadata"):
        tripod_checklist(partial)


def test_tripod_sections_are_headings_of_the_crisis_risk_page():
    notebook = json.loads((ROOT / "analyses" / "07_crisis_risk.ipynb").read_text())
    text = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]
    headings = {m for t in text for m in re.findall(r"^## (.+)$", t, flags=re.M)}
    assert set(SECTIONS) - {OPENING} <= headings
    assert text[0].startswith("# ") and "**What we found.**" in text[0]


def test_tripod_data_availability_does_not_claim_the_code_is_public():
    # item 18e said "all code are public" while every page says the code is not yet in
    # a public repository (publication.repository unset): where the code is, is the
    # site's to say, from analyses.yml
    reported = tripod_checklist(meta()).set_index("item").loc["18e", "reported"]
    assert "public" not in reported and "Rerun this report" in reported


def test_tripod_items_placed_on_the_model_card_are_on_it():
    card = (ROOT / "book" / "methods" / "crisis-risk-model-card.md").read_text()
    for word in ("Ethics", "Funding", "Conflicts of interest", "Registration",
                 "patient data cannot be shared", "Patient and public involvement"):
        assert word.lower() in card.lower(), word


def test_tripod_cohort_crises_hidden_when_none_or_all_of_the_cohort():
    # issue 12: "Development: 240 people, 0 crises" says no one in it had a crisis
    import pandas as pd

    from lifetools.reports.tripod import cohort_crises

    def cohort(n, k):
        return pd.DataFrame({"crisis": [1] * k + [0] * (n - k)})

    assert cohort_crises(cohort(240, 0)) == "[c]"
    assert cohort_crises(cohort(240, 240)) == "[c]"
    assert cohort_crises(cohort(240, 3)) == "[c]"   # 1 to 7: suppressed
    assert cohort_crises(cohort(240, 42)) == "40"   # rounded to 5
    assert cohort_crises(cohort(240, 238)) == "[c]"  # shown as the cohort's 240


def test_tripod_protocol_and_code_say_where_a_reader_finds_them():
    # "Issue 19 of the project repository" and "lifetools.prediction,
    # lifetools.reports.prediction, the notebook." named what a reader of the site
    # cannot see or use (wave 37)
    table = tripod_checklist(meta()).set_index("item")
    for item in ("18c", "18f"):
        reported = table.loc[item, "reported"]
        assert "Issue" not in reported and "lifetools" not in reported, reported
        assert "methods pages of this site" in reported
    assert "Rerun this report" in table.loc["18f", "reported"]
    # the fairness rule as it works: at least N with, and N without, a crisis
    assert ("at least <min_events> people with, and <min_events> without, a crisis"
            in table.loc["14", "reported"])


def test_model_card_states_the_fairness_minimum_in_words_with_the_profiles_number():
    # the card said "the disclosure profile's `model_min_events` (10 in the default
    # profile)": a setting's name, not a rule a reader can use (wave 37)
    from lifetools.disclosure import get_profile

    card = " ".join((ROOT / "book" / "methods" / "crisis-risk-model-card.md")
                    .read_text().split())
    least = get_profile("default").model_min_events
    assert "model_min_events" not in card
    assert (f"at least {least} people with, and {least} without, a crisis (the number "
            "the default disclosure profile sets") in card


def test_tripod_calibration_limit_keeps_its_side_of_the_stated_limits():
    # item 23a wrote the slope "0.91 (0.80 to 1.03)" beside a verdict that its interval
    # reaches beyond the stated 0.8 (2024-25 crisis page, wave 41); and a limit beside
    # perfect calibration keeps its side of it too
    import pandas as pd

    from lifetools.reports.tripod import calibration_text

    table = pd.DataFrame({"estimate": [0.9133, 0.1], "ci_lower": [0.7966, -0.004],
                          "ci_upper": [1.0312, 0.1996]}, index=["slope", "citl"])
    assert calibration_text(table, "slope", (0.8, 1.2)) == "0.91 (0.797 to 1.03)"
    assert calibration_text(table, "citl", (-0.2, 0.2)) == \
        "0.10 (\u22120.004 to 0.1996)"


def test_tripod_missing_data_items_name_every_imputed_predictor_with_protected_counts():
    # items 11 and 27a named HoNOS alone ("Other missing predictors stop the model")
    # while unknown ethnicity, area and sex were coded to reference categories
    # (issue 19, wave 43)
    from crisis_unknowns import crisis_like

    from lifetools.disclosure import protect_count
    from lifetools.formatting import format_value
    from lifetools.reports.crisis_parts import crisis_spec, with_missing_predictors
    from lifetools.reports.tripod import ITEMS, missing_handling, missing_use

    dev = with_missing_predictors(crisis_like(seed=3))
    val = with_missing_predictors(crisis_like(seed=4))
    spec = crisis_spec(dev)

    def count(n):
        return format_value(protect_count(n), kind="count")

    text = missing_handling(dev, val, spec, copies=10, count=count)
    for col, words in (("white", "White ethnic group"), ("female", "Female"),
                       ("imd_q1", "Most deprived fifth (IMD quintile 1)"),
                       ("honos", "HoNOS score")):
        assert f"{words} {count(int(dev[col].isna().sum()))} " \
               f"({count(int(val[col].isna().sum()))})" in text
    assert "No unknown value is coded to a reference category: 10 imputations by " \
        "chained equations" in text
    use = missing_use(dev, val, spec)
    assert use.startswith("HoNOS score, Female, White ethnic group, Most deprived fifth")
    assert "Age (years)" in use.split("The other predictors")[1]
    assert "Female" not in use.split("The other predictors")[1]
    item = {it.item: it for it in ITEMS}["27a"]
    assert item.text == "{missing_use}"
    complete = dev.fillna(0.0)
    assert missing_handling(complete, complete, spec, copies=1, count=count) == \
        "No predictor value missing in the model: nothing imputed."


def test_tripod_overlap_of_people_counted_protected_and_hidden_when_all():
    # items 16 and 20c said only "side by side": how many people were in both the
    # development and the validation cohort was not reported (issue 19, wave 43)
    import pandas as pd

    from lifetools.disclosure import protect_count
    from lifetools.formatting import format_value
    from lifetools.reports.crisis_parts import people_in_both
    from lifetools.reports.tripod import overlap_text

    dev = pd.DataFrame({"person_id": [f"p{i}" for i in range(0, 300)]})
    val = pd.DataFrame({"person_id": [f"p{i}" for i in range(160, 460)] + ["p170"]})
    assert people_in_both(dev, val) == 140  # p160-p299; p170 twice counted once
    assert overlap_text(dev, val).endswith(
        f": {format_value(protect_count(140), kind='count')}")
    assert overlap_text(dev, dev).endswith(": [c]")  # everyone: a whole group
    items = {it.item: it.text for it in ITEMS}
    assert "{overlap}" in items["16"] and "{overlap}" in items["20c"]


def test_tripod_checklist_where_column_links_each_place_on_the_page():
    # the "where" column named a section with no link (issue 19, wave 43): each place
    # is a link, to a heading of the page or a methods page that exists
    import pandas as pd

    from lifetools.reports.tripod import METHODS_PAGES, WHERE_LINKS, section_anchor
    from lifetools.tables import PublishedTable

    places = {it.where for it in ITEMS}
    assert places <= set(WHERE_LINKS)
    assert section_anchor("Was the development cohort large enough?") == \
        "was-the-development-cohort-large-enough"
    assert WHERE_LINKS["Internal validation (development year)"] == \
        "#internal-validation-development-year"
    for stem in METHODS_PAGES.values():
        assert (ROOT / "book" / "methods" / f"{stem}.md").exists()
    notebook = json.loads((ROOT / "analyses" / "07_crisis_risk.ipynb").read_text())
    code = "".join("".join(c["source"]) for c in notebook["cells"]
                   if c["cell_type"] == "code")
    assert 'links={"where": lt.reports.tripod.WHERE_LINKS}' in code
    frame = pd.DataFrame({"item": ["3c", "3a"], "where": ["Fairness", CARD]})
    page = PublishedTable(name="t", caption="c", frame=frame,
                          links={"where": WHERE_LINKS}).to_html()
    assert '<td data-label="where"><a href="#fairness">Fairness</a></td>' in page
    assert '<a href="../../methods/crisis-risk-model-card.html">methods page: ' in page
    # the book's layout: a report page at editions/<edition>/<analysis>, two folders
    # below the site's root, where methods/ is (../methods/ went nowhere in a build)
    book = (ROOT / "src" / "lifetools" / "pipeline" / "book.py").read_text()
    assert 'folder = book / "editions" / eid' in book
    assert '<td data-label="item">3c</td>' in page  # other columns as they were
