"""Plain words for table headers and row labels (lifetools.labels)."""

from __future__ import annotations

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


def test_column_labels_are_all_words():
    assert not [label for label in COLUMN_LABELS.values() if is_raw_name(label)]


@pytest.mark.parametrize(("value", "column", "shown"), [
    ("money_debt_benefits", "pathway_category", "Money, debt and benefits"),
    ("imd_q1", "variable", "Most deprived fifth (IMD quintile 1)"),
    ("age''", "term", "Age (years) (spline term 2)"),
    ("1", "level", "yes"), ("0", "level", "no"), ("1", "people", "1"),
    ("Aged 65 or over", "term", "Aged 65 or over"), (3.5, "rate", 3.5)])
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
