"""Tiny hand-written tables for the cohort specification tests (ehrQL's spec style).

A table is written as text, one row per line, columns split on ``|``; an empty cell is
missing; a trailing ``# comment`` says why the row is there. Columns are typed by
name: ``*_date`` and ``date_of_*`` are dates, numeric names are numbers, the rest text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lifetools.loading import Dataset

NUMBERS = {"year_of_birth", "ae", "admissions", "imd_decile", "imd_quintile", "honos_baseline", "entry",
           "duration", "event", "discharged", "exposure_day", "ever_used", "rereferred",
           "used_life_rooms"}


def table(text: str) -> pd.DataFrame:
    """Parse a ``|``-separated table; ``# ...`` after a row is a comment."""
    lines = [line.split("#", 1)[0].rstrip() for line in text.strip().splitlines()]
    lines = [line for line in lines if line.strip()]
    header = [h.strip() for h in lines[0].split("|")]
    rows = [[c.strip() or None for c in line.split("|")] for line in lines[1:]]
    frame = pd.DataFrame(rows, columns=header)
    for name in header:
        if name.endswith("_date") or name.startswith("date_of_"):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        elif name in NUMBERS:
            frame[name] = pd.to_numeric(frame[name]).astype(float)
        else:
            frame[name] = frame[name].astype(object)
    return frame


DEPRIVATION = table("""
    lsoa_code | locality        | imd_decile | imd_quintile
    L1        | North Liverpool | 1          | 1
    L2        | Sefton          | 6          | 3
""")


def people(ids, *, died: dict[str, str] | None = None,
           lsoa: dict[str, str] | None = None) -> pd.DataFrame:
    """People born 1970, sex 2, living in L1 unless said otherwise."""
    died, lsoa = died or {}, lsoa or {}
    return pd.DataFrame({
        "person_id": list(ids),
        "year_of_birth": [1970.0] * len(ids),
        "sex": ["2"] * len(ids),
        "ethnic_category": ["A"] * len(ids),
        "lsoa_code": [lsoa.get(i, "L1") for i in ids],
        "date_of_death": pd.to_datetime([died.get(i) for i in ids]).astype(
            "datetime64[ns]"),
    })


def referrals(text: str) -> pd.DataFrame:
    """Referrals with ``referral_id`` from the row number, HoNOS 10 unless given."""
    frame = table(text)
    frame.insert(0, "referral_id", [f"R{i}" for i in range(len(frame))])
    for name in ("rejection_date", "discharge_date"):
        if name not in frame:
            frame[name] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for name, value in (("team_type", "A06"), ("closure_reason", None),
                        ("honos_baseline", 10.0)):
        if name not in frame:
            frame[name] = value
    return frame


def contacts(text: str | None = None) -> pd.DataFrame:
    """Life Rooms contacts (``person_id``, ``contact_date``)."""
    if text is None:
        return pd.DataFrame({"person_id": pd.Series([], dtype=object),
                             "contact_date": pd.Series([], dtype="datetime64[ns]")})
    return table(text)


def dataset(*, people_frame: pd.DataFrame, referral_frame: pd.DataFrame,
            contact_frame: pd.DataFrame | None = None) -> Dataset:
    """A Dataset of the tables the cohort builders read."""
    return Dataset(path=Path("."), people=people_frame, deprivation=DEPRIVATION,
                   referrals=referral_frame,
                   life_rooms_contacts=contacts() if contact_frame is None
                   else contact_frame)


def rows(frame: pd.DataFrame, columns: list[str]) -> dict[str, tuple]:
    """One tuple of ``columns`` per person_id (NaN shown as None) for comparison."""
    out = {}
    for record in frame.to_dict("records"):
        out[record["person_id"]] = tuple(
            None if pd.isna(record[c]) else record[c] for c in columns)
    return out
