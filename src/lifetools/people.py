"""Who the people are: their characteristics in the groups the reports publish, and the
people of a locality.

The age bands, the broad ethnic groups and the sex labels are written here once: the
cohort description (:mod:`lifetools.describe`) counts people in them, the reach and
wellbeing reports take the people of a locality from here, and the disclosure rules
(:mod:`lifetools.disclosure.table_cells`) read the group labels to tell a label from a
number ("18-24" is a label).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from lifetools.dataset import Dataset
from lifetools.dictionary import load_dictionary
from lifetools.engines import engine_tables
from lifetools.engines.dataset import EngineDataset

__all__ = [
    "AGE_BANDS",
    "AREA_COLUMNS",
    "ETHNIC_GROUPS",
    "SEX_LABELS",
    "age_band",
    "ethnic_group",
    "locality_query",
    "locality_rows",
    "of_locality",
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


AREA_COLUMNS = ("locality", "imd_quintile")
"""The columns :func:`people_in_locality` adds to the people table's, from deprivation."""


def locality_query(tables: Any, locality: str = "all") -> Any:
    """The people table joined to deprivation's locality and quintile (by the area,
    ``lsoa_code``; an area not in the lookup has neither), restricted to one
    locality: an ibis expression over :func:`lifetools.engines.engine_tables`."""
    areas = tables.deprivation.select("lsoa_code", *AREA_COLUMNS)
    people = tables.people.left_join(areas, "lsoa_code", rname="{name}_right"
                                     ).drop("lsoa_code_right")
    if locality != "all":
        people = people.filter(people.locality == locality)
    return people


def people_in_locality(dataset: Dataset, locality: str = "all",
                       columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the people table joined to deprivation, restricted to one locality.

    Parameters
    ----------
    dataset
        The analysis tables (a :class:`~lifetools.dataset.Dataset`, or a server's).
    locality
        One locality of the deprivation lookup, or ``"all"``.
    columns
        Only these columns (of the people table and :data:`AREA_COLUMNS`); default
        every one.

    Returns
    -------
    pandas.DataFrame
        One row per person, in ``person_id`` order, with the dictionary's pandas types.

    Notes
    -----
    A query in the engine that holds the data (:func:`locality_query`): only the
    people of the locality, and only ``columns`` of them, reach pandas (until wave 45
    the whole people and deprivation tables were merged in pandas, and a server's were
    fetched whole). Tested in ``tests/unit/test_people.py``.
    """
    tables = engine_tables(dataset)
    query, wanted = _locality_select(tables, locality, columns)
    spec, areas = load_dictionary().table("people"), load_dictionary().table("deprivation")
    types = {c: (spec if c in spec.field_names else areas).field(c).type for c in wanted
             if c in spec.field_names or c in areas.field_names}
    frame = tables.fetch(query, types)
    return frame[wanted] if len(query.columns) > len(wanted) else frame


def _locality_select(tables: Any, locality: str = "all",
                     columns: Sequence[str] | None = None) -> tuple[Any, list[str]]:
    """The query of :func:`people_in_locality` (``columns``, with ``person_id`` when
    not among them, in ``person_id`` order) and the columns it returns of it (compiled
    to T-SQL in ``tests/engines/test_engine_sql.py``)."""
    people = locality_query(tables, locality)
    wanted = list(columns) if columns is not None else list(people.columns)
    keyed = wanted if "person_id" in wanted else [*wanted, "person_id"]
    return people.select(*keyed).order_by("person_id"), wanted


def of_locality(tables: Any, locality: str = "all") -> Callable[[Any], Any]:
    """The condition keeping a table's rows of the people of one locality.

    Parameters
    ----------
    tables
        The engine's tables (:func:`lifetools.engines.engine_tables`).
    locality
        One locality of the deprivation lookup, or ``"all"``.

    Returns
    -------
    callable
        A function of a table with ``person_id`` returning an ibis boolean expression:
        the rows of the people of :func:`locality_query` (a semi-join on
        ``person_id``), for :func:`lifetools.engines.dataset.rows_query`'s ``where``.
    """
    people = locality_query(tables, locality)
    return lambda table: table.person_id.isin(people.person_id)


def locality_rows(dataset: Dataset, name: str, locality: str = "all"
                  ) -> pd.DataFrame | None:
    """Return the rows of one table of the people of one locality.

    Parameters
    ----------
    dataset
        The analysis tables (a :class:`~lifetools.dataset.Dataset`, or a server's).
    name
        A table with ``person_id``.
    locality
        One locality of the deprivation lookup, or ``"all"``.

    Returns
    -------
    pandas.DataFrame or None
        The table's rows of the people of :func:`people_in_locality`, in the table's
        order with its index; ``None`` for a table the dataset does not load (as its
        attribute gives).

    Notes
    -----
    From a server's tables (:class:`~lifetools.engines.dataset.EngineDataset`) a query
    in the engine (a semi-join with :func:`locality_query`): only those rows reach
    pandas, with the index the whole table's frame gives them (until wave 50 the
    wellbeing report fetched its whole table). From loaded tables, the table's frame
    filtered to the locality's people. The two give equal frames; tested in
    ``tests/engines/test_engine_server.py``.
    """
    if isinstance(dataset, EngineDataset):
        return dataset.rows(name, of_locality(engine_tables(dataset), locality))
    ids = set(people_in_locality(dataset, locality, columns=["person_id"])["person_id"])
    frame = getattr(dataset, name)
    return frame[frame["person_id"].isin(ids)]
