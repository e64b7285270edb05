"""Describe the population in the data: the first report of every edition.

Counts people in secondary mental-health care during the period, Life Rooms users among
them and overall, and compares their characteristics. All counts here are raw (internal);
they are protected when shown (:func:`lifetools.tables.show_table`,
:func:`lifetools.publication.record`). The groups people are counted in (age band,
ethnic group, sex) and the people of a locality are :mod:`lifetools.people`, which the
other reports and the disclosure rules share.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifetools.dataset import Dataset
from lifetools.disclosure import (
    ProtectedTable,
    carry_suppression,
    compose,
    declare_totals,
    protect_counts,
    protected_count,
)
from lifetools.disclosure.group_counts import reveals_whole_group
from lifetools.disclosure.withheld import CONFIDENTIAL, PRIVACY
from lifetools.engines import engine_tables
from lifetools.people import age_band, ethnic_group, sex_label
from lifetools.result_names import CohortName

__all__ = [
    "PopulationDescription",
    "describe_population",
    "population_queries",
]


@dataclass(frozen=True)
class PopulationDescription:
    """Counts and characteristics of the population in one period (raw counts; as
    published: :attr:`published_counts` and :attr:`key_results`)."""

    counts: pd.DataFrame
    characteristics: pd.DataFrame
    monthly: pd.DataFrame
    method: dict[str, Any] = field(default_factory=dict)

    def count(self, key: str) -> int:
        """Return the raw count of one measure (``caseload``, ``users`` ...)."""
        return int(self.counts.set_index("key").loc[key, "n"])

    @property
    def both_hidden(self) -> bool:
        """Whether the Life Rooms users also in secondary care are none or all of the
        users or of the caseload (:func:`~lifetools.disclosure.group_counts.
        reveals_whole_group`): their count then says something of every person in the
        group, and is hidden in the table, the key results and the summary (issue 12:
        until wave 29 it was not held to the group rule)."""
        both = self.count(CohortName.USERS_IN_CARE)
        return (reveals_whole_group(self.count(CohortName.USERS), both)
                or reveals_whole_group(self.count(CohortName.CASELOAD), both))

    @property
    def published_counts(self) -> ProtectedTable:
        """The counts table as published (measure and count, protected), with the
        users also in secondary care hidden when :attr:`both_hidden`."""
        table = protect_counts(self.counts[["measure", "n"]], ["n"])
        if not self.both_hidden:
            return table
        hidden = self.counts.loc[self.counts["key"] == CohortName.USERS_IN_CARE, "measure"]
        return carry_suppression(table, label_col="measure", column="n",
                                 labels=set(hidden))

    @property
    def key_results(self) -> tuple[dict[str, Any], ...]:
        """Each count as a key result (the users also in secondary care as "not shown
        (hidden to protect privacy)" when :attr:`both_hidden`) and the summary's
        sentence about the two populations (``caseload_sentence``), which a notebook
        glues whole: three counts typed around three glued values was one sentence the
        gate could not check (rule ``glued-counts``)."""
        hidden = self.both_hidden
        results: list[dict[str, Any]] = []
        for key, measure, n in self.counts[["key", "measure", "n"]].itertuples(index=False):
            if key == CohortName.USERS_IN_CARE and hidden:
                results.append({"name": key, "value": None, "kind": "text",
                                "label": measure,
                                "text": compose("not shown ({why})", why=PRIVACY),
                                "left_out": CONFIDENTIAL})
            else:
                results.append({"name": key, "value": int(n), "kind": "count",
                                "label": measure})
        lead = ("During the period {caseload} people had an open referral to secondary "
                "mental-health services and {users} people used the Life Rooms; ")
        counts = {"caseload": self.count(CohortName.CASELOAD),
                  "users": self.count(CohortName.USERS)}
        text = (compose(lead + "how many of them were also in secondary care is not "
                        "shown ({why}).", why=PRIVACY, **_protected(counts))
                if hidden else
                compose(lead + "{both} of the Life Rooms users were also in secondary "
                        "care.", **_protected({**counts, "both": self.count(
                            CohortName.USERS_IN_CARE)})))
        results.append({"name": CohortName.CASELOAD_SENTENCE, "value": None,
                        "kind": "text", "text": text,
                        "label": "Summary: people in secondary care and Life Rooms users"})
        return tuple(results)


def _protected(counts: dict[str, int]) -> dict[str, Any]:
    return {name: protected_count(value) for name, value in counts.items()}


def population_queries(t: Any, start: pd.Timestamp, end: pd.Timestamp,
                       locality: str = "all") -> dict[str, Any]:
    """The relations of :func:`describe_population`, as ibis expressions over the
    engine's tables ``t`` (compiled to T-SQL in ``tests/engines/test_engine_sql.py``)."""
    import ibis

    areas = t.deprivation.select("lsoa_code", "locality", "imd_quintile")
    people = t.people.left_join(areas, "lsoa_code", rname="{name}_right"
                                ).drop("lsoa_code_right")
    if locality != "all":
        people = people.filter(people.locality == locality)
    start_at, end_at = ibis.literal(start), ibis.literal(end)
    refs = t.referrals
    refs = refs.filter(refs.person_id.isin(people.person_id))
    # accepted, referred by the end and not discharged before the start
    open_refs = refs.filter(refs.rejection_date.isnull() & (refs.referral_date <= end_at)
                            & (refs.discharge_date.isnull()
                               | (refs.discharge_date >= start_at)))
    received = refs.filter((refs.referral_date >= start_at) & (refs.referral_date <= end_at))
    contacts = t.life_rooms_contacts
    linked = contacts.filter((contacts.contact_date >= start_at)
                             & (contacts.contact_date <= end_at)
                             & contacts.person_id.isin(people.person_id))
    caseload = open_refs.select("person_id").distinct()
    users = linked.select("person_id").distinct()
    team = ibis.cases((received.team_type == "A06", "Community mental health teams (A06)"),
                      else_="Other teams")
    # year and month, not DATETRUNC (which needs SQL Server 2022)
    monthly = received.group_by(year=received.referral_date.year(),
                                month=received.referral_date.month(), team=team
                                ).agg(referrals=received.count())
    return {"people": people, "caseload": caseload, "users": users, "received": received,
            "linked": linked, "monthly": monthly,
            "both": caseload.intersect(users), "either": caseload.union(users)}


def _characteristics(people: pd.DataFrame, groups: dict[str, Any],
                     end: pd.Timestamp) -> pd.DataFrame:
    """Counts per characteristic and group; ``groups`` maps each population to a
    boolean mask of the rows of ``people`` in it. The groups of a characteristic are
    those found in any population, in sorted order (a missing age is not counted)."""
    labels = {
        "Age band": age_band(end.year - people["year_of_birth"]),
        "Sex": sex_label(people["sex"]),
        "Ethnic group": ethnic_group(people["ethnic_category"]),
        "Deprivation quintile": people["imd_quintile"].map(
            lambda q: "Not known" if pd.isna(q) else f"{int(q)}"
            + (" (most deprived)" if q == 1 else " (least deprived)" if q == 5 else "")),
    }
    rows = {name: np.asarray(mask, dtype=bool) for name, mask in groups.items()}
    out: dict[str, list] = {"characteristic": [], "group": [], **{n: [] for n in rows}}
    # counted in plain Python: a few hundred labels, where a frame per characteristic
    # and population (value_counts, align, sort) cost four times as much
    for characteristic, series in labels.items():
        values = series.to_numpy(dtype=object)
        known = ~pd.isna(values)
        counted = {name: Counter(values[mask & known].tolist())
                   for name, mask in rows.items()}
        found = sorted(set().union(*counted.values()))
        out["characteristic"] += [characteristic] * len(found)
        out["group"] += found
        for name, counter in counted.items():
            out[name] += [counter.get(group, 0) for group in found]
    table = pd.DataFrame({k: np.array(v, dtype="int64" if k in rows else object)
                          for k, v in out.items()})
    # each characteristic's groups add up to the population, which is published
    return declare_totals(table, totals="columns", by="characteristic")


def describe_population(
    dataset: Dataset, *, period_start: str, period_end: str, locality: str = "all"
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
    The counts, the people of the two populations and the monthly referrals are
    queries in the engine that holds the data (:func:`population_queries`: embedded
    DuckDB over the loaded tables, or the server of ``lt.load_dataset(URL)``); only the
    people counted reach pandas, one row each. Tested in ``tests/unit/test_describe.py``.
    Secondary-care caseload = people with an accepted referral open at any time in the
    period. Life Rooms users = people with a linked Life Rooms contact in the period.
    Ages are whole years at the end of the period, from year of birth.
    """
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    tables = engine_tables(dataset)
    q = population_queries(tables, start, end, locality)
    n = tables.counts([q["people"], q["caseload"], q["received"], q["users"], q["both"],
                       q["linked"]])
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
    ], "n": n})
    # only the people of the two populations reach pandas, one row each, with the
    # population(s) each is in (one query, not three)
    people = q["people"]
    in_care = people.person_id.isin(q["caseload"].person_id).fill_null(False)
    user = people.person_id.isin(q["users"].person_id).fill_null(False)
    people = tables.fetch(people.select("person_id", "year_of_birth", "sex",
                                        "ethnic_category", "imd_quintile",
                                        in_care=in_care, user=user)
                          .filter(lambda t: t.in_care | t.user),
                          {"person_id": "string", "year_of_birth": "integer",
                           "sex": "string", "ethnic_category": "string",
                           "imd_quintile": "integer"})
    characteristics = _characteristics(
        people, {"Secondary care": people["in_care"].to_numpy(bool),
                 "Life Rooms users": people["user"].to_numpy(bool)}, end
    )
    monthly = tables.fetch(q["monthly"])
    monthly = pd.DataFrame({
        "month": pd.to_datetime(pd.DataFrame({"year": monthly["year"],
                                              "month": monthly["month"], "day": 1})
                                ).astype("datetime64[ns]"),
        "team": monthly["team"].astype("object"),
        "referrals": monthly["referrals"].astype("int64"),
    }).sort_values(["month", "team"], kind="stable", ignore_index=True)
    return PopulationDescription(
        counts=counts, characteristics=characteristics, monthly=monthly,
        method={"caseload": "accepted referral open at any time in the period",
                "age": "whole years at period end, from year of birth",
                "locality": locality},
    )
