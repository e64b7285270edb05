"""Describe the population in the data: the first report of every edition.

Counts people in secondary mental-health care during the period, Life Rooms users among
them and overall, and compares their characteristics. All counts here are raw (internal);
they are protected when shown (:func:`lifetools.tables.show_table`,
:func:`lifetools.publication.record`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifetools.disclosure import declare_totals
from lifetools.result_names import CohortName

__all__ = [
    "AGE_BANDS",
    "ETHNIC_GROUPS",
    "PopulationDescription",
    "age_band",
    "describe_population",
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


def people_in_locality(dataset: Any, locality: str = "all") -> pd.DataFrame:
    """Return the people table joined to deprivation, restricted to one locality."""
    people = dataset.people.merge(
        dataset.deprivation[["lsoa_code", "locality", "imd_quintile"]],
        on="lsoa_code", how="left",
    )
    if locality != "all":
        people = people[people["locality"] == locality]
    return people


@dataclass(frozen=True)
class PopulationDescription:
    """Counts and characteristics of the population in one period (raw counts)."""

    counts: pd.DataFrame
    characteristics: pd.DataFrame
    monthly: pd.DataFrame
    method: dict[str, Any] = field(default_factory=dict)

    def count(self, key: str) -> int:
        """Return the raw count of one measure (``caseload``, ``users`` ...)."""
        return int(self.counts.set_index("key").loc[key, "n"])


def _open_in_period(referrals: pd.DataFrame, start: pd.Timestamp,
                    end: pd.Timestamp) -> pd.DataFrame:
    accepted = referrals[referrals["rejection_date"].isna()]
    ends = accepted["discharge_date"].fillna(pd.Timestamp.max)
    return accepted[(accepted["referral_date"] <= end) & (ends >= start)]


def _characteristics(people: pd.DataFrame, groups: dict[str, pd.Index],
                     end: pd.Timestamp) -> pd.DataFrame:
    frame = pd.DataFrame({
        "person_id": people["person_id"],
        "Age band": age_band(end.year - people["year_of_birth"]),
        "Sex": sex_label(people["sex"]),
        "Ethnic group": ethnic_group(people["ethnic_category"]),
        "Deprivation quintile": people["imd_quintile"].map(
            lambda q: "Not known" if pd.isna(q) else f"{int(q)}"
            + (" (most deprived)" if q == 1 else " (least deprived)" if q == 5 else "")),
    })
    tables = []
    for characteristic in ("Age band", "Sex", "Ethnic group", "Deprivation quintile"):
        columns = {
            name: frame[frame["person_id"].isin(ids)][characteristic].value_counts()
            for name, ids in groups.items()
        }
        table = pd.DataFrame(columns).fillna(0).astype("int64")
        table.index.name = "group"
        table = table.reset_index().sort_values("group", kind="stable")
        table.insert(0, "characteristic", characteristic)
        tables.append(table)
    # each characteristic's groups add up to the population, which is published
    return declare_totals(pd.concat(tables, ignore_index=True), totals="columns",
                          by="characteristic")


def describe_population(
    dataset: Any, *, period_start: str, period_end: str, locality: str = "all"
) -> PopulationDescription:
    """Describe who is in the data during a period.

    Parameters
    ----------
    dataset
        A :class:`lifetools.loading.Dataset`.
    period_start, period_end
        The edition's period (ISO dates, inclusive).
    locality
        One locality of the deprivation lookup, or ``"all"``.

    Returns
    -------
    PopulationDescription
        ``counts`` (measure, n), ``characteristics`` (characteristic, group, one count
        column per population) and ``monthly`` (month, team group, referrals), all raw.
        ``characteristics`` declares that each characteristic's counts add up to the
        population (:func:`lifetools.disclosure.declare_totals`), so showing it applies
        secondary suppression.

    Notes
    -----
    Secondary-care caseload = people with an accepted referral open at any time in the
    period. Life Rooms users = people with a linked Life Rooms contact in the period.
    Ages are whole years at the end of the period, from year of birth.
    """
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    people = people_in_locality(dataset, locality)
    ids = pd.Index(people["person_id"])
    referrals = dataset.referrals[dataset.referrals["person_id"].isin(ids)]
    open_refs = _open_in_period(referrals, start, end)
    contacts = dataset.life_rooms_contacts
    in_period = contacts[(contacts["contact_date"] >= start)
                         & (contacts["contact_date"] <= end)]
    linked = in_period[in_period["person_id"].isin(ids)]
    caseload = pd.Index(open_refs["person_id"].unique())
    users = pd.Index(linked["person_id"].unique())
    received = referrals[(referrals["referral_date"] >= start)
                         & (referrals["referral_date"] <= end)]
    counts = pd.DataFrame({"key": [
        CohortName.PEOPLE, CohortName.CASELOAD, CohortName.REFERRALS, CohortName.USERS,
        CohortName.USERS_IN_CARE, CohortName.CONTACTS,
    ], "measure": [
        "People in the linked data",
        "People in secondary mental-health care during the period",
        "Referrals received during the period",
        "People who used the Life Rooms during the period",
        "Life Rooms users who were also in secondary care",
        "Life Rooms contacts linked to people in the data",
    ], "n": [len(ids), len(caseload), len(received), len(users),
             len(users.intersection(caseload)), len(linked)]})
    characteristics = _characteristics(
        people, {"Secondary care": caseload, "Life Rooms users": users}, end
    )
    monthly = (received.assign(
        month=received["referral_date"].dt.to_period("M").dt.to_timestamp(),
        team=received["team_type"].where(received["team_type"] == "A06", "Other teams")
        .replace({"A06": "Community mental health teams (A06)"}))
        .groupby(["month", "team"]).size().rename("referrals").reset_index()
        .sort_values(["month", "team"], kind="stable", ignore_index=True))
    return PopulationDescription(
        counts=counts, characteristics=characteristics, monthly=monthly,
        method={"caseload": "accepted referral open at any time in the period",
                "age": "whole years at period end, from year of birth",
                "locality": locality},
    )
