"""Synthetic Life Rooms activity, A&E attendances, admissions, wellbeing, feedback."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lifetools.dictionary import load_dictionary
from lifetools.synthetic.truth import (
    SWEMWBS_METRIC,
    TRUE_EFFECTS,
    WINDOW_END,
    WINDOW_START,
)

__all__ = ["SWEMWBS_METRIC", "life_rooms_start", "make_admissions", "make_ae",
           "make_feedback", "make_life_rooms", "make_wellbeing"]

END_DAY = (WINDOW_END - WINDOW_START).days
PATHWAYS = {"money_debt_benefits": .25, "social_isolation": .18, "housing": .15,
            "learning_wellbeing": .15, "employment": .12, "physical_activity": .05,
            "arts_culture": .04, "other": .06}
NATIONALITIES = ("PL", "RO", "IE", "NG", "SY", "IR", "IQ", "ER", "SD", "CN", "IN", "PK",
                 "SO", "AF", "YE", "LT", "LV", "PT", "ES", "IT", "FR", "DE", "US", "ZW",
                 "ZA", "GH", "CM", "CD", "KW", "EG", "BD", "VN", "HK", "MY", "BR", "UA",
                 "TR", "GR", "HU", "SK")


def _choice(rng, shares: dict, n: int) -> np.ndarray:
    keys = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def life_rooms_start(rng, people: pd.DataFrame, referrals: pd.DataFrame) -> np.ndarray:
    """Day of each person's first Life Rooms contact (NaN for non-users).

    Users in care start while their community-team referral is open (the exposure of the
    discharge analysis); people outside secondary care start
    through self, GP or voluntary-sector routes, more often in deprived areas.
    """
    start = np.full(len(people), np.nan)
    exposed = referrals.dropna(subset=["_exposure_day"])
    start[exposed["_person"].to_numpy()] = exposed["_exposure_day"].to_numpy()
    others = np.isnan(start) & ~people["caseload"].to_numpy() & (
        rng.random(len(people)) < np.where(
        people["imd_decile"].to_numpy() <= 3, 0.05, 0.03))
    death = people["death_day"].to_numpy()
    day = np.floor(rng.uniform(0, END_DAY, len(people)))
    ok = others & ~(day >= death)
    start[ok] = day[ok]
    return start


def _events(rng, person, begin, end, rate_per_year):
    """Poisson events on [begin, end) at a constant rate; return (person, day)."""
    length = np.clip(end - begin, 0, None)
    counts = rng.poisson(rate_per_year * length / 365.25)
    who = np.repeat(person, counts)
    day = np.floor(np.repeat(begin, counts) + rng.random(counts.sum())
                   * np.repeat(length, counts))
    return who, day


def _follow_up_end(people: pd.DataFrame) -> np.ndarray:
    return np.nan_to_num(people["death_day"].to_numpy() + 1, nan=END_DAY + 1).clip(
        max=END_DAY + 1)


def make_ae(rng, people: pd.DataFrame, start: np.ndarray) -> pd.DataFrame:
    """A&E attendances: gamma-Poisson rates, lower by the true rate ratio after start."""
    t = TRUE_EFFECTS
    caseload = people["caseload"].to_numpy()
    age = people["age"].to_numpy()
    rate = (np.where(caseload, t.ae_rate_caseload, t.ae_rate_general)
            * people["frailty"].to_numpy()
            * t.ae_rr_deprivation_decile1_vs_10 ** ((10 - people["imd_decile"].to_numpy()) / 9)
            * np.where(age <= 24, 1.3, 1.0) * np.where(age >= 75, 1.6, 1.0))
    who, day = _before_after(rng, people, start, rate, t.ae_rr_life_rooms)
    n = len(who)
    mh = rng.random(n) < np.where(caseload[who], 0.25, 0.04)
    frame = pd.DataFrame({
        "_person": who, "_arrival_day": day,
        "department_type": _choice(rng, {"01": .8, "03": .2}, n),
        "attendance_category": _choice(rng, {"1": .9, "2": .05, "3": .03, "4": .02}, n),
        "mh_related": mh,
        "disposal": _choice(rng, {"discharged": .6, "admitted": .28,
                                  "left_before_treatment": .08, "transferred": .039,
                                  "died": .001}, n),
        "duplicate_flag": np.zeros(n, dtype=bool),
    })
    return frame.sort_values(["_arrival_day", "_person"], kind="stable", ignore_index=True)


def _before_after(rng, people: pd.DataFrame, start: np.ndarray, rate: np.ndarray,
                  rate_ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """Events at ``rate`` before first Life Rooms contact and ``rate * rate_ratio`` after."""
    end = _follow_up_end(people)
    switch = np.where(np.isnan(start), end, np.minimum(start, end))
    person = np.arange(len(people))
    before = _events(rng, person, np.zeros(len(people)), switch, rate)
    after = _events(rng, person, switch, end, rate * rate_ratio)
    return np.concatenate([before[0], after[0]]), np.concatenate([before[1], after[1]])


def make_admissions(rng, people: pd.DataFrame, start: np.ndarray) -> pd.DataFrame:
    """Emergency admissions, by the true rate ratio after first Life Rooms contact."""
    t = TRUE_EFFECTS
    caseload = people["caseload"].to_numpy()
    rate = (np.where(caseload, t.admission_rate_caseload, t.admission_rate_general)
            * np.sqrt(people["frailty"].to_numpy()))
    who, day = _before_after(rng, people, start, rate, t.admission_rr_life_rooms)
    n = len(who)
    stay = np.floor(rng.lognormal(np.log(3), 1.1, n))
    kind = rng.random(n)
    diag = np.where(kind < .15, _choice(rng, {"F32X": .4, "F20X": .2, "F10X": .25,
                                              "F41X": .15}, n),
                    np.where(kind < .20, _choice(rng, {"X60X": .5, "X78X": .5}, n),
                             _choice(rng, {"R07X": .3, "J18X": .25, "K59X": .15,
                                           "I21X": .1, "S72X": .2}, n)))
    frame = pd.DataFrame({
        "_person": who, "_admission_day": day,
        "_discharge_day": np.where(day + stay <= END_DAY, day + stay, np.nan),
        "admission_method": _choice(rng, {"21": .70, "22": .12, "2A": .03, "2B": .03,
                                          "24": .04, "23": .01, "2D": .07}, n),
        "primary_diagnosis": diag,
    })
    return frame.sort_values(["_admission_day", "_person"], kind="stable",
                             ignore_index=True)


def make_life_rooms(rng, people: pd.DataFrame, start: np.ndarray):
    """Life Rooms contacts and social prescriptions of the users (``start`` not NaN)."""
    users = np.flatnonzero(~np.isnan(start))
    serving = load_dictionary().groups("life_rooms_contacts", "site")
    site = np.array([serving.get(x, ("Walton",))[0] for x in
                     people["locality"].to_numpy()[users]], dtype=object)
    site[rng.random(len(users)) < 0.05] = "Online"
    end = _follow_up_end(people)[users]
    visits = 1 + rng.poisson(4, len(users))
    who = np.repeat(np.arange(len(users)), visits)
    first = np.r_[0, np.cumsum(visits)[:-1]]
    gaps = rng.exponential(30, len(who))
    gaps[first] = 0
    offsets = np.floor(np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], visits))
    day = start[users][who] + offsets
    keep = (day < end[who]) & (day <= END_DAY)
    who, day = who[keep], day[keep]
    is_first = np.r_[True, who[1:] != who[:-1]]
    gp = is_first & (rng.random(len(who)) < 0.2)
    nationality = np.where(rng.random(len(users)) < 0.88, "GB",
                           rng.choice(np.array(NATIONALITIES, dtype=object), len(users)))
    contacts = pd.DataFrame({
        "_person": users[who], "_contact_day": day, "site": site[who],
        "contact_type": _choice(rng, {"drop_in": .35, "pathway_advisor": .30,
                                      "course_session": .25, "peer_support": .06,
                                      "volunteering": .04}, len(who)),
        "gp_registration_supported": gp,
        "nationality": nationality[who].astype(object),
    }).sort_values(["_contact_day", "_person"], kind="stable", ignore_index=True)
    count = 1 + rng.poisson(0.8, len(users))
    who = np.repeat(np.arange(len(users)), count)
    day = start[users][who] + np.floor(rng.uniform(0, 120, len(who)))
    keep = (day < end[who]) & (day <= END_DAY)
    who, day = who[keep], day[keep]
    n = len(who)
    prescriptions = pd.DataFrame({
        "_person": users[who], "_prescription_day": day,
        "pathway_category": _choice(rng, PATHWAYS, n),
        "organisation_type": _choice(rng, {"voluntary": .45, "community": .25,
                                           "faith": .08, "social_enterprise": .12,
                                           "statutory": .10}, n),
        "referral_source": _choice(rng, {"SELF": .35, "MC_CLINICAL": .25, "GP_PCN": .2,
                                         "VCSE": .1, "LA": .05, "OTHER": .05}, n),
        "outcome": _choice(rng, {"connected": .6, "partial": .2, "not_connected": .15,
                                 "": .05}, n),
        "site": site[who],
    }).sort_values(["_prescription_day", "_person"], kind="stable", ignore_index=True)
    prescriptions["outcome"] = prescriptions["outcome"].replace("", None)
    return contacts, prescriptions


def _to_raw(metric: np.ndarray) -> np.ndarray:
    """Nearest raw SWEMWBS score (7-35) for a metric score."""
    return 7 + np.abs(metric[:, None] - SWEMWBS_METRIC[None, :]).argmin(axis=1)


def make_wellbeing(rng, people: pd.DataFrame, start: np.ndarray) -> pd.DataFrame:
    """SWEMWBS at first contact (40% of users) and follow-up (half of those)."""
    t = TRUE_EFFECTS
    users = np.flatnonzero(~np.isnan(start))
    base = users[rng.random(len(users)) < 0.4]
    end = _follow_up_end(people)
    base_metric = np.clip(rng.normal(t.wellbeing_baseline_mean, t.wellbeing_baseline_sd,
                                    len(base)), 7, 35)
    follow_day = start[base] + np.floor(rng.uniform(60, 180, len(base)))
    paired = (rng.random(len(base)) < 0.5) & (follow_day < end[base]) & (
        follow_day <= END_DAY)
    follow_metric = np.clip(base_metric + rng.normal(t.wellbeing_mean_change,
                                                     t.wellbeing_change_sd, len(base)),
                            7, 35)
    who = np.concatenate([base, base[paired]])
    day = np.concatenate([start[base], follow_day[paired]])
    raw = _to_raw(np.concatenate([base_metric, follow_metric[paired]]))
    frame = pd.DataFrame({
        "_person": who, "_measurement_day": day,
        "timepoint": np.array(["baseline"] * len(base) + ["follow_up"] * int(paired.sum()),
                              dtype=object),
        "swemwbs_raw": raw.astype("int64"), "swemwbs_metric": SWEMWBS_METRIC[raw - 7],
    })
    return frame.sort_values(["_measurement_day", "_person", "timepoint"], kind="stable",
                             ignore_index=True)


def make_feedback(rng, contacts: pd.DataFrame) -> pd.DataFrame:
    """Anonymous feedback: about one response for every eight contacts."""
    n = max(len(contacts) // 8, 1)
    pick = rng.choice(len(contacts), size=n, replace=len(contacts) < n)
    frame = pd.DataFrame({
        "site": contacts["site"].to_numpy()[pick],
        "_response_day": contacts["_contact_day"].to_numpy()[pick],
        "access_easy": rng.choice([5, 4, 3, 2, 1], n, p=[.78, .21, .006, .002, .002]),
        "fft_response": rng.choice([1, 2, 3, 4, 5, 6], n, p=[.82, .15, .015, .005, .005,
                                                             .005]),
    })
    return frame.sort_values(["_response_day", "site"], kind="stable", ignore_index=True)
