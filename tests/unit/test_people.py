"""The groups people are counted in, and the people of a locality, from tiny tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from lifetools.people import age_band, ethnic_group, people_in_locality, sex_label


def test_groupings():
    assert list(age_band(pd.Series([17, 18, 24, 25, 74, 75, 101]))) == [
        "0-17", "18-24", "18-24", "25-34", "65-74", "75+", "75+"]
    assert list(ethnic_group(pd.Series(["A", "G", "J", "P", "S", "Z", "99", "Q"]))) == [
        "White", "Mixed", "Asian or Asian British", "Black or Black British",
        "Other ethnic group", "Not stated", "Not known", "Not known"]
    assert list(sex_label(pd.Series(["1", "2", "9"]))) == [
        "Male", "Female", "Other or not known"]


def test_people_in_locality_joins_deprivation_and_restricts():
    dataset = SimpleNamespace(
        people=pd.DataFrame({"person_id": ["p1", "p2", "p3"],
                             "lsoa_code": ["E1", "E2", "E9"]}),
        deprivation=pd.DataFrame({"lsoa_code": ["E1", "E2"],
                                  "locality": ["Liverpool", "Sefton"],
                                  "imd_quintile": [1, 5]}))
    everyone = people_in_locality(dataset)
    assert everyone["person_id"].tolist() == ["p1", "p2", "p3"]
    assert everyone["locality"].tolist()[:2] == ["Liverpool", "Sefton"]
    assert pd.isna(everyone["locality"].iloc[2])  # an area outside the lookup
    assert everyone["imd_quintile"].tolist()[:2] == [1, 5]
    sefton = people_in_locality(dataset, "Sefton")
    assert sefton["person_id"].tolist() == ["p2"]
