"""A realistic synthetic linked dataset with known true effects.

``write_synthetic(out_dir, people=N, seed=S)`` writes the raw layer (tables carrying
NHS numbers from the range reserved for testing, under ``out_dir/raw/``), then links
and pseudonymises it with :func:`lifetools.linkage.link_directory` into the analysis
tables ``out_dir/<table>.parquet`` described by the data dictionary. Everything is
vectorised numpy and deterministic for a seed. The true effects the analyses should
recover are in :data:`TRUE_EFFECTS` (see ``book/methods/synthetic-data.md``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifetools.dataset import Dataset
from lifetools.dictionary import load_dictionary
from lifetools.errors import OutputPathError
from lifetools.linkage import NHS_FIELD, SYNTHETIC_KEY, link_directory, pseudonymise
from lifetools.synthetic.care import hide_honos, make_referrals
from lifetools.synthetic.events import (
    life_rooms_start,
    make_admissions,
    make_ae,
    make_feedback,
    make_life_rooms,
    make_wellbeing,
)
from lifetools.synthetic.population import (
    make_deprivation,
    make_nhs_numbers,
    make_people,
)
from lifetools.synthetic.truth import (
    TRUE_EFFECTS,
    WINDOW_END,
    WINDOW_START,
    TrueEffects,
    day_to_date,
)
from lifetools.typed_reads import coerce_types

__all__ = ["TRUE_EFFECTS", "WINDOW_END", "WINDOW_START", "SyntheticSummary",
           "TrueEffects", "generate_dataset", "generate_tables", "referral_window",
           "write_synthetic"]

LIFE_ROOMS_TABLES = ("life_rooms_contacts", "social_prescriptions", "wellbeing")


@dataclass(frozen=True)
class SyntheticSummary:
    """Rows written per table, and the linkage report."""

    people: int
    seed: int
    rows: dict[str, int]
    linkage: str

    def __str__(self) -> str:
        rows = ", ".join(f"{k} {v:,}" for k, v in self.rows.items())
        return f"synthetic data: {self.people:,} people, seed {self.seed}: {rows}\n" \
               f"{self.linkage}"


def _dates(days: pd.Series | np.ndarray) -> pd.Series:
    """Day numbers (missing: NaN) as dates (missing: NaT).

    The missing days are converted as day 0 and then masked: pandas (2.3) leaves a
    NaN's fractional part uninitialised in ``to_timedelta(unit="D")`` and rounds it,
    so whatever memory was there could overflow (numpy's "overflow/invalid value
    encountered in multiply" in whichever test the generator ran). The dates are the
    same either way.
    """
    values = np.asarray(days, dtype="float64")
    missing = np.isnan(values)
    known = pd.Series(np.where(missing, 0.0, values))
    return (pd.to_datetime(WINDOW_START) + pd.to_timedelta(known, unit="D")).mask(missing)


def _mistype(rng, numbers: np.ndarray) -> np.ndarray:
    """Life Rooms staff type NHS numbers by hand: ~2% missing, ~1.5% mistyped."""
    out = numbers.astype(object).copy()
    roll = rng.random(len(out))
    out[roll < 0.02] = None
    typo = np.flatnonzero((roll >= 0.02) & (roll < 0.035))
    for position, i in zip(rng.integers(0, 9, len(typo)), typo, strict=True):
        digits = list(out[i])
        digits[position], digits[position + 1] = digits[position + 1], digits[position]
        if digits[position] == digits[position + 1]:
            digits[9] = str((int(digits[9]) + 1) % 10)
        out[i] = "".join(digits)
    return out


def _referrals(people: int, seed: int, uptake_within_days: float | None = None
               ) -> tuple[np.random.Generator, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The first draws of :func:`generate_tables`: its random stream, the deprivation
    lookup, the people (internal columns too) and their referrals (day numbers)."""
    rng = np.random.default_rng(seed)
    deprivation = make_deprivation(rng, people)
    persons = make_people(rng, people, deprivation)
    referrals = make_referrals(rng, persons, uptake_within_days=uptake_within_days)
    return rng, deprivation, persons, referrals


def referral_window(people: int, seed: int) -> tuple[str, str] | None:
    """The first and last referral date (ISO) of the data :func:`write_synthetic` would
    write for ``people`` and ``seed`` (None if they hold no referral), without writing
    or generating the other tables (about 0.3 s at 30,000 people).

    ``lifetools status`` checks editions against it before the data are generated, as
    the build checks them against the written data's referral dates
    (:func:`lifetools.pipeline.integrity.data_window`): the two agree where the
    referrals start and stop, which the declared window (:data:`WINDOW_START` to
    :data:`WINDOW_END`) does not say (a small dataset's last referral can be days
    before the extract date, and referrals open at the window's start began before it).
    """
    days = _referrals(people, seed)[3]["_referral_day"].to_numpy()
    if len(days) == 0:
        return None
    return (day_to_date(days.min()).isoformat(), day_to_date(days.max()).isoformat())


def generate_tables(people: int, seed: int, *,
                    uptake_within_days: float | None = None) -> dict[str, pd.DataFrame]:
    """Generate the raw layer in memory: one DataFrame per table, NHS numbers included.

    ``uptake_within_days`` is :func:`~lifetools.synthetic.care.make_referrals`' option
    for truth tests (no first Life Rooms contact later than that after referral);
    ``None``, the default, is the published data.
    """
    rng, deprivation, persons, referrals = _referrals(people, seed, uptake_within_days)
    # a stream of its own: every other table is drawn as before
    referrals["honos_baseline"] = hide_honos(np.random.default_rng([seed, 7]), referrals,
                                             persons)
    start = life_rooms_start(rng, persons, referrals)
    contacts, prescriptions = make_life_rooms(rng, persons, start)
    tables = {
        "deprivation": deprivation,
        "referrals": referrals, "ae_attendances": make_ae(rng, persons, start),
        "emergency_admissions": make_admissions(rng, persons, start),
        "life_rooms_contacts": contacts, "social_prescriptions": prescriptions,
        "wellbeing": make_wellbeing(rng, persons, start),
        "feedback": make_feedback(rng, contacts),
    }
    nhs = make_nhs_numbers(rng, people)
    persons.insert(0, "nhs_number", nhs)
    persons["date_of_death"] = _dates(persons["death_day"])
    tables["people"] = persons[["nhs_number", "year_of_birth", "sex", "ethnic_category",
                                "lsoa_code", "date_of_death", "accommodation_settled",
                                "employment_status"]]
    prefixes = {"referrals": "R", "ae_attendances": "AE", "emergency_admissions": "S",
                "life_rooms_contacts": "C", "social_prescriptions": "SP",
                "wellbeing": "W", "feedback": "F"}
    ids = {"referrals": "referral_id", "ae_attendances": "attendance_id",
           "emergency_admissions": "spell_id", "life_rooms_contacts": "contact_id",
           "social_prescriptions": "prescription_id", "wellbeing": "measurement_id",
           "feedback": "response_id"}
    for name, id_col in ids.items():
        frame = tables[name]
        width = max(len(str(len(frame))), 6)
        frame.insert(0, id_col, [f"{prefixes[name]}{i:0{width}d}" for i in
                                 range(1, len(frame) + 1)])
        for col in [c for c in frame.columns if c.endswith("_day") and c.startswith("_")]:
            frame[col[1:-4] + "_date"] = _dates(frame[col])
        if "_person" in frame.columns:
            numbers = nhs[frame["_person"].to_numpy()]
            if name in LIFE_ROOMS_TABLES:
                numbers = _mistype(rng, numbers)
            frame.insert(1, "nhs_number", numbers)
        tables[name] = frame[[c for c in frame.columns if not c.startswith("_")]]
    referrals = tables["referrals"]
    referrals["honos_baseline"] = referrals["honos_baseline"].astype("Int64")
    return tables


def write_synthetic(
    out_dir: Path, *, people: int, seed: int,
    progress: Callable[[str], None] | None = None,
) -> SyntheticSummary:
    """Generate, link and write a complete synthetic dataset (deterministic for a seed).

    Parameters
    ----------
    out_dir
        Folder to write; ``raw/`` holds the layer with NHS numbers (test range only).
    people
        Number of people (caseload and general-population comparators together); at
        most 909,090, the valid NHS numbers in the range reserved for testing.
    seed
        Random seed.
    """
    say = progress or (lambda _line: None)
    out_dir = Path(out_dir)
    if any(p.exists() and not p.is_dir() for p in (out_dir, *out_dir.parents)):
        raise OutputPathError("the output folder is a file or under a file",
                              hint="choose a folder for --out")
    say(f"generating {people:,} people (seed {seed})")
    tables = generate_tables(people, seed)
    raw = out_dir / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    dictionary = load_dictionary()
    for name, frame in tables.items():
        order = [("nhs_number" if f == "person_id" else f)
                 for f in dictionary.table(name).field_names]
        frame[order].to_parquet(raw / f"{name}.parquet", index=False)
    say("linking by NHS number and pseudonymising")
    report = link_directory(raw, out_dir, key=SYNTHETIC_KEY, extract_date=WINDOW_END)
    return SyntheticSummary(people, seed, {k: len(v) for k, v in tables.items()},
                            str(report))


def generate_dataset(people: int, seed: int, *,
                     uptake_within_days: float | None = None) -> Any:
    """The analysis tables of :func:`write_synthetic`, linked in memory, as a Dataset.

    The same tables, values and types as ``load_dataset`` after ``write_synthetic``
    (the same keyed-hash person ids, the same unlinked Life Rooms records), without
    writing files: about four times faster, for tests that need many seeds
    (``tests/truth/test_did_many_seeds.py``). Checked equal to the written data in
    ``tests/unit/test_generate_dataset.py``. ``path`` is ``None``: the data have no
    files, so no fingerprint. ``uptake_within_days``: as :func:`generate_tables`.
    """
    tables = generate_tables(people, seed, uptake_within_days=uptake_within_days)
    dictionary = load_dictionary()
    numbers = tables["people"][NHS_FIELD]
    ids = pd.Series(pseudonymise(numbers, SYNTHETIC_KEY).to_numpy(),
                    index=numbers.to_numpy())
    out = {}
    for name, frame in tables.items():
        if NHS_FIELD in frame.columns:
            linked = frame[NHS_FIELD].map(ids)
            frame = frame.drop(columns=NHS_FIELD).assign(
                person_id=linked.astype(object).where(linked.notna(), None))
        spec = dictionary.table(name)
        out[name] = coerce_types(
            frame[[f for f in spec.field_names if f in frame.columns]], spec)
    return Dataset(path=None, **out)
