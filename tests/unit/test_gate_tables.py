"""The gate's rule for protected table columns whose rule fixed the decimal places.

Person-years are published whole ("8,922") and shares to 1 place ("42.9"); the stamp
records those places (``protected_places``) and the gate checks every cell of such a
column against them, while a protected column without recorded places still refuses a
whole number (a count written into a column of decimals).
"""

from __future__ import annotations

import pytest

from lifetools.disclosure import get_profile
from lifetools.pipeline.gate.tables import TABLE_RULE, cell_findings

HEAD = ["Group", "People", "Person-years", "Rate"]


def _mark(places: dict | None, bases: dict | None = None) -> dict:
    rules = {"count_cols": ["people"], "count_headers": ["People"],
             "protected_headers": ["Person-years", "Rate"],
             "protected_bases": {"Person-years": 5} if bases is None else bases}
    if places is not None:
        rules["protected_places"] = places
    return {"rules": rules}


def _found(years: list[str], places: dict | None, bases: dict | None = None
           ) -> list[tuple[str, str]]:
    rows = [["Life Rooms users", "40", years[0], "0.01"],
            ["Secondary care", "40", years[1], "0.09"]]
    return cell_findings(HEAD, rows, _mark(places, bases), get_profile("default"), {})


def test_cell_findings_whole_person_years_with_places_zero_pass():
    assert _found(["8,920", "450"], {"Person-years": 0}) == []


def test_cell_findings_whole_number_in_protected_column_without_places_is_refused():
    found = _found(["8,920", "450"], None)
    assert found and found[0][0] == TABLE_RULE and "Person-years" in found[0][1]


@pytest.mark.parametrize("years", [["8,920.00", "450"], ["8,920", "450.0"],
                                   ["8920 years", "450"], ["8,920", "1.19 (0.8 to 2)"]])
def test_cell_findings_cell_not_written_with_the_stamped_places_is_refused(years):
    found = _found(years, {"Person-years": 0})
    assert found and {rule for rule, _ in found} == {TABLE_RULE}
    assert any("0 decimal places" in detail for _, detail in found)


@pytest.mark.parametrize("places", [-1, "0", None, True])
def test_cell_findings_malformed_stamped_places_are_refused(places):
    assert _found(["8,920", "450"], {"Person-years": places})


def test_cell_findings_places_for_a_column_not_protected_do_not_free_it():
    # places name a column the stamp does not record as protected: the usual rules
    rows = [["Life Rooms users", "40", "8,922", "13"], ["Secondary care", "40", "450", "20"]]
    mark = {"rules": {"count_headers": ["People"], "protected_headers": ["Person-years"],
                      "protected_places": {"Person-years": 0, "Rate": 0},
                      "protected_bases": {"Person-years": 5}}}
    found = cell_findings(HEAD, rows, mark, get_profile("default"), {})
    assert any("'Rate'" in detail for _, detail in found)


@pytest.mark.parametrize("years", [["8,922", "450"], ["8,920", "451"], ["8,920.5", "450"]])
def test_cell_findings_person_years_not_a_multiple_of_the_count_base_are_refused(years):
    # the leak: 490 people beside 492 person-years gives 492 people away
    found = _found(years, {"Person-years": 0})
    assert any("multiple of the count base (5)" in detail for _, detail in found)


@pytest.mark.parametrize("bases", [{}, {"Person-years": 1}, {"Person-years": 10},
                                   {"Person-years": True}])
def test_cell_findings_person_years_without_the_profiles_base_are_refused(bases):
    # a stamp that does not record person-time rounded to the profile's count base
    found = _found(["8,920", "450"], {"Person-years": 0}, bases)
    assert any("does not record as rounded to the count base (5)" in detail
               for _, detail in found)


def test_cell_findings_person_years_with_midpoint_rounding_are_band_midpoints():
    six = get_profile("opensafely-midpoint6")
    rows = [["Life Rooms users", "489", "489", "0.01"], ["Secondary care", "9", "0", "0.09"]]
    mark = _mark({"Person-years": 0}, {"Person-years": 6})
    assert cell_findings(HEAD, rows, mark, six, {}) == []
    rows[0][2] = "492"  # a multiple of 6, but not how counts are rounded
    assert any("count base (6)" in d for _, d in cell_findings(HEAD, rows, mark, six, {}))


def test_cell_findings_negative_number_with_the_pages_minus_sign_reads_as_a_number():
    # the pages write U+2212 (lifetools.disclosure.text.MINUS): a protected column's
    # "−1.5" has its stamped places, and a column of "−13.00" is still a count cast to
    # decimals, as it was with a hyphen
    rows = [["Life Rooms users", "40", "8,920", "\u22121.5"],
            ["Secondary care", "40", "450", "0.5"]]
    mark = _mark({"Person-years": 0, "Rate": 1})
    assert cell_findings(HEAD, rows, mark, get_profile("default"), {}) == []
    cast = [["Life Rooms users", "40", "8,920", "\u221213.00"],
            ["Secondary care", "40", "450", "\u221227.00"]]
    mark = {"rules": {"count_headers": ["People"], "protected_headers": ["Person-years"],
                      "protected_bases": {"Person-years": 5},
                      "protected_places": {"Person-years": 0}}}
    found = cell_findings(HEAD, cast, mark, get_profile("default"), {})
    assert any("zero decimals" in detail for _, detail in found)


def test_count_findings_negative_number_is_not_a_count_whatever_its_minus():
    from lifetools.pipeline.gate.rules import count_findings

    assert count_findings("a change of -3 and of \u22123 points") == []
    assert count_findings("3 people") != []
