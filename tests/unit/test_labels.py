"""Plain words for table headers and row labels (lifetools.labels)."""

from __future__ import annotations

import re

import pytest

from lifetools.labels import COLUMN_LABELS, column_label, is_raw_name, value_label


@pytest.mark.parametrize(("name", "shown"), [
    ("n", "Number"), ("person_years", "Person-years"), ("ci_lower", "Lower 95% limit"),
    ("p_value", "p-value"), ("per_cent", "Per cent"), ("step", "Step"),
    ("hazard ratio (95% CI)", "Hazard ratio (95% CI)"), ("p-value", "p-value"),
    ("Secondary care %", "Secondary care %"), ("people needed", "People needed")])
def test_column_label_known_and_worded_names_read_as_words(name, shown):
    assert column_label(name) == shown


@pytest.mark.parametrize("name", ["imd_q1", "odd_name", "df2_x", "se", "key"])
def test_column_label_unlabelled_machine_name_raises(name):
    if name in COLUMN_LABELS:
        pytest.skip("labelled")
    with pytest.raises(ValueError, match="has no label"):
        column_label(name)


def test_column_label_reach_equity_columns_say_what_they_count():
    # each person counts once on the reach page's equity table: its count is of Life
    # Rooms users and its rate is per 1,000 people, in rate_unit's words
    from lifetools.formatting import rate_unit
    from lifetools.labels import column_unit
    from lifetools.reports.reach import EQUITY_COLUMNS

    assert column_label(EQUITY_COLUMNS["events"]) == "Life Rooms users"
    assert column_label(EQUITY_COLUMNS["rate"]) == \
        f"Life Rooms users {rate_unit(1000, 'people')}"
    assert column_unit(EQUITY_COLUMNS["events"]) == column_unit("people")
    assert column_unit(EQUITY_COLUMNS["rate"]).startswith(
        f"Life Rooms users {rate_unit(1000, 'people')}")


def test_column_labels_are_all_words():
    assert not [label for label in COLUMN_LABELS.values() if is_raw_name(label)]


@pytest.mark.parametrize(("value", "column", "shown"), [
    ("money_debt_benefits", "pathway_category", "Money, debt and benefits"),
    ("imd_q1", "variable", "Most deprived fifth (IMD quintile 1)"),
    ("age''", "term", "Age (years) (spline term 2)"),
    ("1", "level", "yes"), ("0", "level", "no"), ("1", "people", "1"),
    ("Aged 65 or over", "term", "Aged 65 or over"), (3.5, "rate", 3.5),
    # a flow's steps start with a capital, as the flow diagram draws them
    ("accepted (not rejected)", "step", "Accepted (not rejected)"),
    ("People in the linked data", "step", "People in the linked data")])
def test_value_label_codes_terms_and_levels_read_as_words(value, column, shown):
    assert value_label(value, column) == shown


@pytest.mark.parametrize(("text", "raw"), [
    ("person_years", True), ("n", True), ("treat_all", True), ("People", False),
    ("hazard ratio (95% CI)", False), ("people", False), ("Number", False)])
def test_is_raw_name_machine_names_only(text, raw):
    assert is_raw_name(text) is raw


@pytest.mark.parametrize(("name", "cells", "unit"), [
    ("rate", ["0.11"], "events per person-year"),
    ("p-value", ["0.430"], "a probability (0 to 1)"),
    ("hazard ratio (95% CI)", ["1.26 (0.71 to 2.23)"],
     "an estimate and its 95% confidence interval, as text"),
    ("development: median (quartiles)", ["43.0 (31.0 to 56.0)"],
     "a median and its quartiles, as text, in the unit its row names"),
    ("Model", ["0.16", "[c]", "[x]"], "a number in the unit of the measure its row names, "
     "or that the table's caption on the report page names"),
    ("model", ["[x]", "[x]"], "a number in the unit of the measure its row names, "
     "or that the table's caption on the report page names"),
    ("Model", ["Cause-specific Cox"], "words (no unit)"), ("note", [], "words (no unit)")])
def test_column_unit_known_interval_numeric_and_word_columns(name, cells, unit):
    from lifetools.labels import column_unit

    assert column_unit(name, cells) == unit


def _release_level_variables() -> set[str]:
    """Every yes/no variable a report passes to ``model_release`` as a level."""
    from lifetools.cohort.crisis import CRISIS_PREDICTORS
    from lifetools.cohort.discharge import ADJUSTMENT_COVARIATES, MISSING_DATA_COLUMNS
    from lifetools.cohort.person_time import PROPENSITY_COVARIATES
    from lifetools.reports import emergency

    continuous = {"age", "years_in_care", "honos", "prior_ae", "prior_admissions",
                  "age_per_10", "honos_per_5", "honos_observed", "baseline_ae",
                  "baseline_admissions"}
    names = {*CRISIS_PREDICTORS["linear"], *ADJUSTMENT_COVARIATES, *MISSING_DATA_COLUMNS,
             *PROPENSITY_COVARIATES, "exposed", "used_life_rooms", "user", "after",
             "ever_used", "exposed_at_landmark", "locality_unknown"}
    assert set(emergency.PREDICTION_CONTINUOUS) <= continuous | set(names)
    # and every level a call names in the source (``level_cols=[...]``): the wellbeing
    # mixed model's "follow_up" was missed by the list above and read "not follow up"
    named = _level_cols_in_source() - {"everyone", "imd_quintile"}  # not yes/no
    assert named, "no level_cols found in the source"
    return (names | named) - continuous


def _level_cols_in_source() -> set[str]:
    """The string constants of every ``level_cols=[...]`` argument in lifetools."""
    import ast
    from pathlib import Path

    from source_trees import parse_file

    import lifetools

    found: set[str] = set()
    for path in Path(lifetools.__file__).parent.rglob("*.py"):
        for node in ast.walk(parse_file(path)):
            if isinstance(node, ast.keyword) and node.arg == "level_cols" \
                    and isinstance(node.value, ast.List):
                found |= {e.value for e in node.value.elts
                          if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return found


@pytest.mark.xdist_group("source_trees")  # parses the package: see source_trees.py
def test_group_words_every_release_variable_has_its_groups_in_words():
    # a withheld model's reason quoted the row label ("too few events among ‘Life
    # Rooms use before discharge’"; "not " + label read "not hoNOS score recorded")
    from lifetools.labels import GROUPS, QUOTES, group_words

    variables = _release_level_variables()
    missing = variables - set(GROUPS)
    assert not missing, f"add the groups' words to lifetools.labels.GROUPS: {missing}"
    for name in variables:
        with_it, without = group_words(name, "1"), group_words(name, "0.0")
        assert (with_it, without) == GROUPS[name] and with_it != without, name
        for phrase in (with_it, without):
            # words a sentence reads after "among": no quotation marks, no machine
            # name, no digit a reason rule could read as a count ("(A06)")
            assert not set(QUOTES) & set(phrase) and "_" not in phrase, phrase
            assert not re.search(r"\d", phrase) or "65" in phrase, phrase
            assert phrase == phrase.strip() and phrase[:1].islower() or \
                phrase.startswith("Life Rooms"), phrase
    assert group_words("used_life_rooms", "1") == \
        "people who used the Life Rooms before discharge"
    assert group_words("honos_recorded", "0") == "people with no HoNOS score recorded"
    assert group_words("age_65_plus", "0") == "people aged under 65"


def test_group_words_a_categorical_level_in_words():
    # the reach page: "too few events among ‘IMD quintile (1 = most deprived)’ = 2,
    # ‘IMD quintile (1 = most deprived)’ = 3, ..."
    from lifetools.labels import DEPRIVATION_FIFTHS, group_words

    assert group_words("imd_quintile", "2") == \
        "people in the second most deprived fifth of areas"
    assert group_words("imd_quintile", "3.0") == "people in the middle fifth of areas"
    assert all("=" not in group_words("imd_quintile", code) for code in DEPRIVATION_FIFTHS)


def test_group_words_without_words_of_its_own_falls_back_to_the_quoted_label():
    from lifetools.labels import GROUPS, VALUE_LABELS, group_words, label

    assert group_words("Female partner", "0") == "‘not female partner’"
    assert group_words("HoNOS band", "0") == "‘not HoNOS band’"
    assert group_words("Life Rooms visit", "1") == "‘Life Rooms visit’"
    assert group_words("site", "Hub") == "‘Life Rooms site’ = Hub"
    for name in set(VALUE_LABELS) - set(GROUPS):
        words = label(name).split(" ")
        phrase = group_words(name, "0")
        # a word with a capital after its first letter (HoNOS, IMD, A&E) or a name of
        # two capitalised words (Life Rooms) is never lowered
        for word in words:
            if any(c.isupper() for c in word[1:]):
                assert word in phrase, (name, phrase)
        assert "not not" not in phrase, (name, phrase)
    with pytest.raises(KeyError):
        group_words("no_such_variable", "1")


def test_group_words_of_the_after_period_name_no_users_only():
    # the emergency report's release check reads "after" over the matched and weighted
    # designs too, whose comparison people have an index date drawn from the users':
    # "users after their first Life Rooms contact" blamed users for their rows (wave 38)
    from lifetools.labels import GROUPS

    assert all("user" not in words and "index date" in words for words in GROUPS["after"])
