"""Who the people are: their characteristics in the groups the reports publish, and the
people of a locality.

The age bands, the broad ethnic groups and the sex labels are written here once: the
cohort description (:mod:`lifetools.describe`) counts people in them, the reach and
wellbeing reports take the people of a locality from here, and the disclosure rules
(:mod:`lifetools.disclosure.table_cells`) read the group labels to tell a label from a
number ("18-24" is a label).
"""

from __future__ import annotations

import pandas as pd

from lifetools.dataset import Dataset

__all__ = [
    "AGE_BANDS",
    "ETHNIC_GROUPS",
    "SEX_LABELS",
    "age_band",
    "ethnic_group",
    "people_in_locality",
    "sex_label",
]

AGE_BANDS = ((0, 17, "0-17"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 44, "35-44"),
             (45, 54, "45-54"), (55, 64, "55-64"), (65, 74, "65-74"), (75, 200, "75+"))
ETHNIC_GROUPS = {
    **dict.fromkeys("ABC", "White"), **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian or Asian British"),
    **dict.fromkeys("MNP", "Black or Black British"),
    **dict.fromkeys("RS", "Other ethnic group"), "Z": "Not stated", "99": "Not known",
}
SEX_LABELS = {"1": "Male", "2": "Female"}


def age_band(age: pd.Series) -> pd.Series:
    """Return the age band label ('18-24', ... '75+') of each age in whole years."""
    bins = [b[0] - 0.5 for b in AGE_BANDS] + [AGE_BANDS[-1][1] + 0.5]
    return pd.cut(age.astype("float64"), bins=bins,
                  labels=[b[2] for b in AGE_BANDS]).astype("object")


def ethnic_group(codes: pd.Series) -> pd.Series:
    """Map NHS ethnic category codes (A-S, Z, 99) to the five broad groups."""
    return codes.map(ETHNIC_GROUPS).fillna("Not known")


def sex_label(codes: pd.Series) -> pd.Series:
    """Map person stated gender codes to Male, Female, or Other or not known."""
    return codes.map(SEX_LABELS).fillna("Other or not known")


def people_in_locality(dataset: Dataset, locality: str = "all") -> pd.DataFrame:
    """Return the people table joined to deprivation, restricted to one locality."""
    people = dataset.people.merge(
        dataset.deprivation[["lsoa_code", "locality", "imd_quintile"]],
        on="lsoa_code", how="left",
    )
    if locality != "all":
        people = people[people["locality"] == locality]
    return people
