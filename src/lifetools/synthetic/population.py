"""Synthetic deprivation lookup and people (vectorised numpy)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from lifetools.synthetic.truth import TRUE_EFFECTS, WINDOW_END, WINDOW_START

__all__ = ["LOCALITIES", "make_deprivation", "make_nhs_numbers",
           "make_people", "yearly_death_rate"]

LOCALITIES = {  # locality: (local authority, share of LSOAs)
    "North Liverpool": ("Liverpool", 0.18), "Central Liverpool": ("Liverpool", 0.14),
    "South Liverpool": ("Liverpool", 0.14), "Sefton": ("Sefton", 0.14),
    "Knowsley": ("Knowsley", 0.10), "St Helens": ("St Helens", 0.10),
    "Halton": ("Halton", 0.10), "Warrington": ("Warrington", 0.10),
}
# Share of the region's LSOAs in each national IMD decile (decile 1 = most deprived):
# Liverpool has close to half its LSOAs in decile 1 (IMD 2019), the wider region less.
DECILE_SHARES = np.array([0.36, 0.12, 0.09, 0.08, 0.07, 0.07, 0.06, 0.05, 0.05, 0.05])
CASELOAD_SHARE = 0.35
AGE_BANDS_CASELOAD = ((18, 24, .14), (25, 34, .22), (35, 44, .19), (45, 54, .17),
                      (55, 64, .13), (65, 74, .08), (75, 90, .07))
AGE_BANDS_GENERAL = ((18, 24, .11), (25, 34, .17), (35, 44, .16), (45, 54, .16),
                     (55, 64, .15), (65, 74, .13), (75, 95, .12))
ETHNICITY = {"A": .80, "B": .01, "C": .03, "D": .008, "E": .007, "F": .008, "G": .007,
             "H": .008, "J": .007, "K": .005, "L": .01, "M": .01, "N": .015, "P": .005,
             "R": .005, "S": .015, "Z": .03, "99": .02}
EMPLOYMENT = {"01": .25, "02": .12, "03": .04, "04": .30, "05": .05, "06": .05,
              "07": .02, "08": .12, "ZZ": .05}


def _choice(rng: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    keys = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def make_deprivation(rng: np.random.Generator, people: int) -> pd.DataFrame:
    """Fictional LSOAs (codes E019xxxxx, a range no real LSOA uses) with IMD deciles."""
    n = int(np.clip(people // 300, 60, 4000))
    locality = _choice(rng, {k: v[1] for k, v in LOCALITIES.items()}, n)
    decile = rng.choice(np.arange(1, 11), size=n, p=DECILE_SHARES)
    liverpool = np.isin(locality, ["North Liverpool", "Central Liverpool"])
    decile = np.where(liverpool & (rng.random(n) < 0.25), 1, decile)
    codes = 900000 + np.sort(rng.choice(99999, size=n, replace=False))
    frame = pd.DataFrame({
        "lsoa_code": [f"E01{c:06d}" for c in codes],
        "local_authority": [LOCALITIES[x][0] for x in locality],
        "locality": locality.astype(object),
        "imd_decile": decile.astype("int64"),
        "imd_quintile": ((decile + 1) // 2).astype("int64"),
        "imd_edition": "IMD2019",
        "population": rng.integers(1200, 2000, size=n).astype("int64"),
    })
    return frame


@functools.cache
def _test_range() -> tuple[np.ndarray, np.ndarray]:
    """The valid stems of the NHS numbers reserved for testing (999...) and their
    check digits, made once per process (read-only arrays).

    Modulus 11: weights 10..2 on digits 1-9; check = 11 - (sum mod 11); 11 -> 0; stems
    giving 10 are never issued and are skipped. The table (a million stems' digits)
    took about 0.1 s of CPU, which every generated dataset paid again whatever its size
    (the test suite generates hundreds).
    """
    stems = np.arange(999_000_000, 1_000_000_000, dtype=np.int64)
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits @ np.arange(10, 1, -1)) % 11
    check[check == 11] = 0
    valid = check != 10
    stems, check = stems[valid], check[valid]
    stems.flags.writeable = check.flags.writeable = False
    return stems, check


def make_nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct valid NHS numbers from the range reserved for testing (999...), drawn
    from :func:`_test_range`."""
    stems, check = _test_range()
    if n > len(stems):
        raise ValueError(f"the NHS test range holds {len(stems):,} valid numbers; "
                         f"{n:,} people need a synthetic extract without a raw layer")
    pick = np.sort(rng.choice(len(stems), size=n, replace=False))
    numbers = stems[pick] * 10 + check[pick]
    return np.array([str(x) for x in numbers], dtype=object)


def _ages(rng: np.random.Generator, bands, n: int) -> np.ndarray:
    band = rng.choice(len(bands), size=n, p=[b[2] for b in bands])
    low = np.array([b[0] for b in bands])[band]
    high = np.array([b[1] for b in bands])[band]
    return rng.integers(low, high + 1)


def yearly_death_rate(age: np.ndarray, caseload: np.ndarray) -> np.ndarray:
    """Deaths per person-year: constant in time, by age (whole years) and caseload.

    Each person's ``death_day`` is exponential at this rate from day 0 (so the hazard
    of death is the same on every day of the extract); the landmark truth derivation
    (``tests/truth/landmark_shr_truth.py``) uses it as the competing hazard.
    """
    return np.exp(-10.4 + 0.088 * age) * np.where(caseload, TRUE_EFFECTS.smr_caseload,
                                                  1.0)


def make_people(rng: np.random.Generator, n: int, deprivation: pd.DataFrame) -> pd.DataFrame:
    """People with demographics, residence, frailty and death (internal columns too).

    Internal columns (dropped before writing): ``caseload``, ``age``, ``frailty``,
    ``death_day``, ``imd_decile``, ``locality``.
    """
    caseload = rng.random(n) < CASELOAD_SHARE
    decile = deprivation["imd_decile"].to_numpy()
    pop = deprivation["population"].to_numpy().astype(float)
    weights = {True: pop * 2.0 ** ((10 - decile) / 9), False: pop}
    lsoa_index = np.empty(n, dtype=np.int64)
    for flag, w in weights.items():
        mask = caseload == flag
        lsoa_index[mask] = rng.choice(len(pop), size=mask.sum(), p=w / w.sum())
    age = np.where(caseload, _ages(rng, AGE_BANDS_CASELOAD, n),
                   _ages(rng, AGE_BANDS_GENERAL, n))
    female = rng.random(n) < 0.52
    sex = np.where(female, "2", "1").astype(object)
    other = rng.random(n)
    sex[other < 0.002] = "9"
    sex[(other >= 0.002) & (other < 0.004)] = "X"
    person_decile = decile[lsoa_index]
    unsettled = rng.random(n) < np.where(caseload, np.where(person_decile == 1, .15, .10),
                                         .04)
    shape = np.where(caseload, 1 / TRUE_EFFECTS.ae_dispersion_caseload,
                     1 / TRUE_EFFECTS.ae_dispersion_general)
    frailty = rng.gamma(shape, 1 / shape)
    yearly = yearly_death_rate(age, caseload)
    death_day = rng.exponential(365.25 / yearly)
    end = (WINDOW_END - WINDOW_START).days
    lsoa = deprivation["lsoa_code"].to_numpy()[lsoa_index].astype(object)
    lsoa[rng.random(n) < 0.015] = None
    return pd.DataFrame({
        "year_of_birth": (2022 - age).astype("int64"),
        "sex": sex,
        "ethnic_category": _choice(rng, ETHNICITY, n),
        "lsoa_code": lsoa,
        "death_day": np.where(death_day <= end, np.floor(death_day), np.nan),
        "accommodation_settled": np.where(unsettled, "N", "Y").astype(object),
        "employment_status": np.where(caseload, _choice(rng, EMPLOYMENT, n),
                                      _choice(rng, {"01": .6, "08": .2, "02": .05,
                                                    "03": .05, "ZZ": .1}, n)),
        "caseload": caseload, "age": age, "frailty": frailty,
        "imd_decile": person_decile,
        "locality": deprivation["locality"].to_numpy()[lsoa_index],
        "female": female,
    })
