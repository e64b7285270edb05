"""A synthetic crisis-risk cohort with a known true risk model (issue 19).

People open to secondary mental-health care at the start of an edition's period, their
predictors and whether they had a mental-health crisis in the next 12 months, drawn
from the known model :data:`CRISIS_TRUTH` (``TRUE_EFFECTS.crisis_risk``, owned by
:mod:`lifetools.synthetic.truth`). The people are the generator's own (the
same draws as :func:`lifetools.synthetic.generate_tables` for the seed); everything
else comes from an independent random stream ``default_rng([seed, 19, edition])``, so
no existing synthetic table changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lifetools.synthetic.population import make_deprivation, make_people
from lifetools.synthetic.truth import TRUE_EFFECTS, WINDOW_END, CrisisRiskTruth

__all__ = ["CRISIS_EDITIONS", "CRISIS_TABLES", "CRISIS_TRUE_C", "CRISIS_TRUTH",
           "CrisisRiskTruth", "CrisisTables", "crisis_tables", "expected_c_statistic",
           "make_crisis_cohort", "true_c_statistic", "true_crisis_log_odds",
           "write_crisis_tables"]


CRISIS_TRUTH = TRUE_EFFECTS.crisis_risk
"""The true crisis-risk model: ``TRUE_EFFECTS.crisis_risk`` (the same object; the name
existing callers use)."""


def true_crisis_log_odds(frame: pd.DataFrame, truth: CrisisRiskTruth = CRISIS_TRUTH) -> np.ndarray:
    """The true log-odds of a crisis for each row of a crisis cohort."""
    age = frame["age"].to_numpy(dtype=float) - 40
    h = (frame["honos"].to_numpy(dtype=float) - 11) / 5
    prior = frame["prior_crisis"].to_numpy(dtype=float)
    return (truth.intercept + truth.age_linear * age + truth.age_quadratic * age ** 2
            + truth.female * frame["female"].to_numpy(dtype=float)
            + truth.deprivation_per_quintile * (5 - frame["imd_quintile"].to_numpy(dtype=float))
            + truth.honos_per_5 * h + truth.prior_crisis * prior
            + truth.prior_crisis_x_honos_per_5 * prior * h
            + truth.life_rooms * frame["life_rooms"].to_numpy(dtype=float)
            + truth.inpatient_team * frame["inpatient_team"].to_numpy(dtype=float))


def _draw_outcomes(frame: pd.DataFrame, own: np.random.Generator,
                   truth: CrisisRiskTruth) -> pd.DataFrame:
    """Each person's true risk, crisis (drawn from it), day, and death competing (among
    those without a crisis), from the stream ``own`` in this order: the one draw of
    outcomes of :func:`make_crisis_cohort` and :func:`crisis_tables`."""
    n = len(frame)
    frame["true_risk"] = 1 / (1 + np.exp(-true_crisis_log_odds(frame, truth)))
    frame["crisis"] = (own.random(n) < frame["true_risk"].to_numpy()).astype(int)
    day = own.integers(1, 366, n)
    died = (frame["crisis"].to_numpy() == 0) & (own.random(n) < truth.death_share)
    frame["event_type"] = np.where(frame["crisis"] == 1, 1, np.where(died, 2, 0))
    frame["days_to_event"] = np.where(frame["event_type"] > 0, day, 365)
    return frame


def make_crisis_cohort(people: int, seed: int, *, edition: int = 0,
                       truth: CrisisRiskTruth = CRISIS_TRUTH) -> pd.DataFrame:
    """One edition's crisis-risk cohort, drawn from the known true model.

    Parameters
    ----------
    people : int
        Size of the generator's population (the cohort is its caseload, about a fifth).
    seed : int
        The generator's seed.
    edition : int
        0 for the development edition, 1 for the next (a subset of the same caseload
        weighted to the age extremes, see ``truth.edition_extremes_per_year``; fresh predictors and outcomes).

    Returns
    -------
    pandas.DataFrame
        One row per person: ``age``, ``female``, ``imd_quintile``, ``honos`` (0-40),
        ``prior_crisis``, ``life_rooms``, ``inpatient_team``, ``true_risk``, ``crisis``,
        ``event_type`` (1 crisis, 2 death first, 0 neither) and ``days_to_event``
        (drawn after everything else, so the other columns are unchanged). No identifiers.

    Notes
    -----
    Truth tests: ``tests/truth/test_prediction_truth.py``.
    """
    rng = np.random.default_rng(seed)
    persons = make_people(rng, people, make_deprivation(rng, people))
    persons = persons[persons["caseload"].to_numpy()].reset_index(drop=True)
    own = np.random.default_rng([seed, 19, edition])
    if edition:
        keep = np.minimum(0.05 + np.abs(persons["age"].to_numpy(dtype=float) - 40)
                          * truth.edition_extremes_per_year, 1.0)
        persons = persons[own.random(len(persons)) < keep].reset_index(drop=True)
    n = len(persons)
    age = persons["age"].to_numpy(dtype=float)
    deprivation = persons["imd_decile"].to_numpy(dtype=float)
    frame = pd.DataFrame({
        "age": age,
        "female": persons["female"].to_numpy().astype(int),
        "imd_quintile": np.nan_to_num((deprivation + 1) // 2, nan=3.0).astype(int),
        "honos": np.clip(np.round(own.normal(11, 5.5, n)), 0, 40),
        "prior_crisis": (own.random(n) < truth.prior_crisis_share).astype(int),
        "life_rooms": (own.random(n) < truth.life_rooms_share).astype(int),
        "inpatient_team": (own.random(n) < truth.inpatient_team_share).astype(int),
    })
    return _draw_outcomes(frame, own, truth)


CRISIS_TRUE_C: dict[int, float] = {0: 0.7831, 1: 0.7947}
"""The true risk model's C in each edition's population (development 0, next 1):
:func:`true_c_statistic` averaged over 8 cohorts of 1,000,000 and 250,000 people
(seeds 0-3 and 100-103; the seed's areas make the population C vary by about 0.0004
between seeds, so the mean's SE is about 0.0002). Recomputed by
``tests/truth/test_synthetic_truth.py::test_crisis_true_c_matches_recomputation``."""


def expected_c_statistic(risk: np.ndarray) -> float:
    """The C-statistic a risk score is expected to have when outcomes are drawn from it.

    ``sum_{i != j} p_i (1 - p_j) [p_i > p_j] / sum_{i != j} p_i (1 - p_j)``, ties
    counting one half: the expectation over Bernoulli(``risk``) outcomes of the
    Mann-Whitney numerator over that of its denominator (the limit of the sample C as
    the sample grows). Sorting makes it O(n log n).

    Notes
    -----
    Checked against a brute-force double sum and a simulation in
    ``tests/unit/test_synthetic_crisis_c.py``.
    """
    p = np.sort(np.asarray(risk, dtype=float))
    q = 1 - p
    below = np.concatenate([[0.0], np.cumsum(q)])       # sum of q over sorted j < k
    left = np.searchsorted(p, p, side="left")            # first index of each tie group
    right = np.searchsorted(p, p, side="right")
    lower = below[left]                                   # strictly lower risks
    tied = below[right] - below[left] - q                 # tied risks, not i itself
    numerator = float(np.sum(p * (lower + 0.5 * tied)))
    denominator = float(p.sum() * q.sum() - np.sum(p * q))
    return numerator / denominator


def true_c_statistic(edition: int = 0, *, people: int = 1_000_000, seed: int = 0,
                     truth: CrisisRiskTruth = CRISIS_TRUTH) -> float:
    """The true risk model's C in an edition's population, from a large cohort.

    :func:`expected_c_statistic` of ``true_risk`` on ``make_crisis_cohort(people,
    seed, edition=edition)``: no outcome is drawn, so only the sampling of the
    predictors varies (Monte Carlo SE about 0.0003 at the default size, from the spread
    over independent seeds in ``tests/truth/test_synthetic_truth.py``).
    """
    return expected_c_statistic(make_crisis_cohort(people, seed, edition=edition,
                                                   truth=truth)["true_risk"].to_numpy())


CRISIS_TABLES = ("people", "deprivation", "referrals", "life_rooms_contacts",
                 "ae_attendances", "emergency_admissions")
"""The input tables the crisis cohort reads (``cohort.crisis.CRISIS_COLUMNS``), which
:func:`crisis_tables` writes."""
CRISIS_EDITIONS = ("2023-04-01", "2024-04-01")
"""The index dates of :func:`crisis_tables`' two editions: development, validation (the
start of the synthetic extract's last financial year, whose report validates)."""
HONOS_UNRECORDED = {"community": 0.15, "inpatient": 0.40}
"""The share of open referrals in :func:`crisis_tables` with no baseline HoNOS, by team:
missing at random given the team (a predictor of the report's imputation model)."""


@dataclass(frozen=True)
class CrisisTables:
    """Input tables of two crisis-risk editions drawn from a known model
    (:func:`crisis_tables`).

    ``tables``: the dictionary's tables by name, linked (``person_id``) and typed as
    ``load_dataset`` gives them; ``drawn``: each edition's people as drawn (index 0
    development, 1 validation), one row per person with ``person_id``, the model's
    predictors (``age``, ``female``, ``imd_quintile``, ``honos``, ``prior_crisis``,
    ``life_rooms``, ``inpatient_team``), ``honos_recorded``, ``true_risk``, ``crisis``,
    ``event_type`` and ``days_to_event``; ``index_dates``: the editions' index dates.
    """

    tables: dict[str, pd.DataFrame]
    drawn: tuple[pd.DataFrame, pd.DataFrame]
    index_dates: tuple[str, str]

    @property
    def dataset(self) -> Any:
        """The tables as a :class:`lifetools.dataset.Dataset` (no files: no path; the
        tables the crisis cohort does not read are not loaded)."""
        from lifetools.dataset import Dataset

        return Dataset(path=None, **self.tables)


def _person_ids(seed: int, n: int) -> np.ndarray:
    """Pseudonymous 64-hex person ids of the crisis test tables (not NHS numbers)."""
    return np.array([hashlib.sha256(f"crisis-tables/{seed}/{i}".encode()).hexdigest()
                     for i in range(n)], dtype=object)


def _edition_people(persons: pd.DataFrame, own: np.random.Generator, edition: int,
                    truth: CrisisRiskTruth) -> pd.DataFrame:
    """One edition's people and their drawn predictors and outcomes, as
    :func:`make_crisis_cohort` draws them (edition 1 weighted to the age extremes)."""
    if edition:
        keep = np.minimum(0.05 + np.abs(persons["age"].to_numpy(dtype=float) - 40)
                          * truth.edition_extremes_per_year, 1.0)
        persons = persons[own.random(len(persons)) < keep].reset_index(drop=True)
    n = len(persons)
    quintile = persons["imd_quintile"]
    frame = pd.DataFrame({
        "person_id": persons["person_id"].to_numpy(),
        "age": persons["age"].to_numpy(dtype=float),
        "female": (persons["sex"] == "2").astype(int).to_numpy(),
        "imd_quintile": quintile.fillna(3).astype(int).to_numpy(),
        "honos": np.clip(np.round(own.normal(11, 5.5, n)), 0, 40),
        "prior_crisis": (own.random(n) < truth.prior_crisis_share).astype(int),
        "life_rooms": (own.random(n) < truth.life_rooms_share).astype(int),
        "inpatient_team": (own.random(n) < truth.inpatient_team_share).astype(int),
    })
    missing = np.where(frame["inpatient_team"] == 1, HONOS_UNRECORDED["inpatient"],
                       HONOS_UNRECORDED["community"])
    frame["honos_recorded"] = (own.random(n) >= missing).astype(int)
    frame = _draw_outcomes(frame, own, truth)
    frame["prior_admissions"] = (own.random(n) < 0.10).astype(int)
    frame["crisis_by_admission"] = (own.random(n) < 0.5).astype(int)
    frame["referral_days_before"] = own.integers(1, 366, n)
    frame["discharge_day"] = own.integers(1, 366, n)
    frame["team"] = np.where(frame["inpatient_team"] == 1, "C01",
                             own.choice(["A05", "A06", "A07", "A08"], n))
    return frame


def _edition_events(frame: pd.DataFrame, index: pd.Timestamp, edition: int
                    ) -> dict[str, pd.DataFrame]:
    """One edition's referral, A&E, admission and Life Rooms rows, and each person's
    year of birth and date of death (the rows ``build_crisis_cohort`` reads back)."""
    def days_from_index(days: np.ndarray) -> np.ndarray:
        return np.asarray(index + pd.to_timedelta(days, unit="D"), dtype="datetime64[ns]")

    event = days_from_index(frame["days_to_event"].to_numpy() - 1)
    referral = days_from_index(-frame["referral_days_before"].to_numpy())
    dead = frame["event_type"].to_numpy() == 2
    # development: discharged within the year (so not open on the next index date),
    # never after death; validation: still open
    discharge = days_from_index(frame["discharge_day"].to_numpy() - 1)
    discharge = np.where(dead & (discharge > event), event, discharge)
    ids = frame["person_id"].to_numpy()
    referrals = pd.DataFrame({
        "referral_id": [f"crisis-{edition}-{i}" for i in range(len(frame))],
        "person_id": ids, "referral_date": referral, "referral_source": "A1",
        "team_type": frame["team"].to_numpy(), "priority": "3", "primary_reason": "10",
        "rejection_date": pd.NaT,
        "discharge_date": discharge if edition == 0 else pd.NaT,
        "closure_reason": "01" if edition == 0 else None,
        "honos_baseline": frame["honos"].where(frame["honos_recorded"] == 1),
        "last_contact_date": referral + np.timedelta64(1, "D")})
    crisis = frame["crisis"].to_numpy() == 1
    by_admission = frame["crisis_by_admission"].to_numpy() == 1
    prior = frame["prior_crisis"].to_numpy() == 1
    before = np.datetime64(index - pd.Timedelta(days=100), "ns")
    ae = pd.DataFrame({
        "person_id": np.concatenate([ids[crisis & ~by_admission], ids[prior]]),
        "arrival_date": np.concatenate([event[crisis & ~by_admission],
                                        np.repeat(before, prior.sum())]),
        "department_type": "01", "attendance_category": "1", "mh_related": True,
        "disposal": "discharged", "duplicate_flag": False})
    admitted = frame["prior_admissions"].to_numpy() == 1
    admissions = pd.DataFrame({
        "person_id": np.concatenate([ids[crisis & by_admission], ids[admitted]]),
        "admission_date": np.concatenate([event[crisis & by_admission],
                                          np.repeat(before, admitted.sum())]),
        "admission_method": "21",
        "primary_diagnosis": ["F32"] * int((crisis & by_admission).sum())
                             + ["J18"] * int(admitted.sum())})
    admissions["discharge_date"] = (admissions["admission_date"] + pd.Timedelta(days=3)
                                    ).clip(upper=pd.Timestamp(WINDOW_END))
    users = frame["life_rooms"].to_numpy() == 1
    contacts = pd.DataFrame({
        "person_id": ids[users],
        "contact_date": np.repeat(np.datetime64(index - pd.Timedelta(days=30), "ns"),
                                  users.sum()),
        "site": "Walton", "contact_type": "drop_in", "gp_registration_supported": False,
        "nationality": "GB"})
    people = pd.DataFrame({"person_id": ids,
                           "date_of_death": np.where(dead, event, np.datetime64("NaT"))})
    return {"referrals": referrals, "ae_attendances": ae, "emergency_admissions": admissions,
            "life_rooms_contacts": contacts, "people": people}


def crisis_tables(people: int, seed: int, *, truth: CrisisRiskTruth = CRISIS_TRUTH,
                  unknowns: bool = True) -> CrisisTables:
    """The crisis cohort's input tables for two editions, drawn from a known risk model.

    Parameters
    ----------
    people : int
        Size of the population drawn (the caseload, about a fifth, is split between the
        editions).
    seed : int
        Seed of the draws: ``default_rng([seed, 19, 2])`` and, for each edition,
        ``default_rng([seed, 19, 3, edition])`` (no other synthetic table changes).
    truth : CrisisRiskTruth
        The true model (default ``TRUE_EFFECTS.crisis_risk``).
    unknowns : bool
        Keep the generator's unknown sex, ethnic group and area (the report imputes
        them); False records them all (sex 1, ethnic group A, the person's first
        area), so that only HoNOS is imputed: a quicker report.

    Returns
    -------
    CrisisTables
        The tables ``build_crisis_cohort`` reads (:data:`CRISIS_TABLES`), which
        validate against the data dictionary, and the people as drawn.

    Notes
    -----
    The caseload is split in two at random: the development edition's people have a
    referral opened in the year before its index date (:data:`CRISIS_EDITIONS`) and
    closed within the year after it, so none is open on the next index date; the
    validation edition's (weighted to the age extremes as :func:`make_crisis_cohort`'s
    next edition) have one opened in the year between the index dates, still open.
    Age is the index year minus the year of birth. A prior crisis is one mental-health
    A&E attendance (category 1, type 01) 100 days before the index date, so
    ``prior_ae`` is 0 or 1; ``prior_admissions`` (no effect) one emergency admission
    with a non-mental-health diagnosis; Life Rooms use one contact 30 days before;
    an inpatient team is C01, the others a community team (A05-A08); HoNOS is left
    unrecorded at random by team (:data:`HONOS_UNRECORDED`). A crisis on its day is a
    mental-health A&E attendance or an emergency admission with an F-chapter diagnosis
    (half each); a death (the competing event) falls on its day with no crisis. Sex,
    ethnic group and area are the generator's, unknowns included (the report imputes
    them). Truth test: ``tests/truth/test_crisis_tables_truth.py``.
    """
    rng = np.random.default_rng([seed, 19, 2])
    deprivation = make_deprivation(rng, people)
    persons = make_people(rng, people, deprivation)
    persons = persons[persons["caseload"].to_numpy()].reset_index(drop=True)
    if not unknowns:
        persons["sex"] = persons["sex"].where(persons["sex"].isin(["1", "2"]), "1")
        persons["ethnic_category"] = persons["ethnic_category"].where(
            ~persons["ethnic_category"].isin(["Z", "99"]), "A")
        persons["lsoa_code"] = persons["lsoa_code"].fillna(deprivation["lsoa_code"].iloc[0])
    persons["person_id"] = _person_ids(seed, len(persons))
    persons["imd_quintile"] = persons["lsoa_code"].map(
        deprivation.set_index("lsoa_code")["imd_quintile"])
    persons["age"] = np.round(persons["age"].to_numpy(dtype=float))
    group = rng.random(len(persons)) < 0.5
    drawn, parts, births = [], [], []
    for edition, index_date in enumerate(CRISIS_EDITIONS):
        index = pd.Timestamp(index_date)
        chosen = persons[group == bool(edition)].reset_index(drop=True)
        frame = _edition_people(chosen, np.random.default_rng([seed, 19, 3, edition]),
                                edition, truth)
        parts.append(_edition_events(frame, index, edition))
        births.append(pd.Series(index.year - frame["age"].to_numpy().astype(int),
                                index=frame["person_id"].to_numpy()))
        drawn.append(frame[["person_id", "age", "female", "imd_quintile", "honos",
                            "prior_crisis", "life_rooms", "inpatient_team",
                            "honos_recorded", "prior_admissions", "true_risk", "crisis",
                            "event_type", "days_to_event"]])
    born = pd.concat(births)
    persons = persons[persons["person_id"].isin(born.index)]
    death = pd.concat([p["people"] for p in parts]).set_index("person_id")["date_of_death"]
    people_table = pd.DataFrame({
        "person_id": persons["person_id"].to_numpy(),
        "year_of_birth": persons["person_id"].map(born).to_numpy(),
        "sex": persons["sex"].to_numpy(), "ethnic_category": persons["ethnic_category"],
        "lsoa_code": persons["lsoa_code"].to_numpy(),
        "date_of_death": persons["person_id"].map(death).to_numpy(),
        "accommodation_settled": persons["accommodation_settled"].to_numpy(),
        "employment_status": persons["employment_status"].to_numpy()})
    tables = {"people": people_table, "deprivation": deprivation.drop(
        columns=[c for c in deprivation if c not in DEPRIVATION_FIELDS])}
    for name in ("referrals", "life_rooms_contacts", "ae_attendances",
                 "emergency_admissions"):
        tables[name] = pd.concat([p[name] for p in parts], ignore_index=True)
    tables["ae_attendances"].insert(0, "attendance_id", [
        f"crisis-ae-{i}" for i in range(len(tables["ae_attendances"]))])
    tables["emergency_admissions"].insert(0, "spell_id", [
        f"crisis-spell-{i}" for i in range(len(tables["emergency_admissions"]))])
    tables["life_rooms_contacts"].insert(0, "contact_id", [
        f"crisis-contact-{i}" for i in range(len(tables["life_rooms_contacts"]))])
    return CrisisTables(tables=_typed(tables), drawn=(drawn[0], drawn[1]),
                        index_dates=CRISIS_EDITIONS)


DEPRIVATION_FIELDS = ("lsoa_code", "local_authority", "locality", "imd_decile",
                      "imd_quintile", "imd_edition", "population")


def _typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each table in the dictionary's field order and types (as ``load_dataset``)."""
    from lifetools.dictionary import load_dictionary
    from lifetools.typed_reads import coerce_types

    dictionary = load_dictionary()
    return {name: coerce_types(frame[list(dictionary.table(name).field_names)],
                               dictionary.table(name))
            for name, frame in tables.items()}


def write_crisis_tables(folder: Any, tables: CrisisTables) -> Any:
    """Write ``tables`` to ``folder`` as Parquet files with the extract's
    ``datapackage.json`` (extract date the synthetic extract's), for
    :func:`lifetools.validate_directory` and ``load_dataset``. Returns the folder."""
    from pathlib import Path

    from lifetools.datapackage import write_package
    from lifetools.dictionary import load_dictionary

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    write_package(folder, load_dictionary(), extract_date=WINDOW_END,
                  tables=list(tables.tables), created_by="lifetools.synthetic.crisis")
    return folder
