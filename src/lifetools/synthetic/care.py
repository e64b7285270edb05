"""Synthetic referrals to secondary mental-health teams, with Life Rooms exposure.

Time to closure is generated from cause-specific hazards on top of each team's baseline
(a lognormal mixture, DATA-BRIEF section 7.4): discharge and transfer, with death from
the people table competing. Life Rooms use is a time-varying exposure that multiplies
the discharge hazard by ``TRUE_EFFECTS.discharge_hr_life_rooms`` from first contact on,
generated exactly by inverting the cumulative hazard (vectorised, per team).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from lifetools.synthetic.truth import (
    EPISODE_COUNT_SHARES,
    TRUE_EFFECTS,
    WINDOW_END,
    WINDOW_START,
)

__all__ = ["COMMUNITY_TEAMS", "TEAMS", "closure_log_hazards", "make_referrals"]

END_DAY = (WINDOW_END - WINDOW_START).days
# team: (share of new referrals, rejection share, mixture [(weight, median, sigma)])
TEAMS = {
    "A18": (.20, .05, [(1.0, 10, .8)]), "A06": (.22, .15, [(.30, 60, .6), (.45, 330, .6),
                                                          (.25, 1400, .6)]),
    "A05": (.12, .05, [(1.0, 100, .7)]), "A02": (.10, .05, [(1.0, 24, .6)]),
    "A11": (.12, .02, [(1.0, 2, 1.0)]), "A17": (.05, .05, [(1.0, 180, .7)]),
    "A07": (.04, .05, [(1.0, 240, .7)]), "A14": (.02, .05, [(.2, 120, .7),
                                                          (.8, 1000, .3)]),
    "A13": (.04, .05, [(1.0, 200, .6)]), "A16": (.01, .05, [(1.0, 500, .6)]),
    "D01": (.03, .05, [(1.0, 150, .7)]), "A08": (.05, .05, [(1.0, 700, .6)]),
}
COMMUNITY_TEAMS = ("A06", "A05", "A07", "A13", "A14", "A16")
SOURCES = {"A1": .40, "P1": .20, "M7": .10, "H1": .08, "H2": .05, "B1": .06, "B2": .01,
           "C1": .02, "E1": .03, "G4": .05}
REASONS = {"04": .25, "05": .15, "02": .15, "14": .10, "03": .06, "15": .05, "18": .05,
           "11": .05, "09": .04, "08": .10}
DISCHARGE_CODES = {"02": 15, "03": 4, "04": 30, "05": 12, "07": 6, "09": 3}
TRANSFER_CODES = {"01": 3, "08": 18}
SHARE_DISCHARGE = 0.79
GRID = np.concatenate([np.arange(0, 3000, 0.5), np.arange(3000, 40000, 5.0)])


def _choice(rng, shares: dict, n: int) -> np.ndarray:
    keys = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _cumulative_hazard(mixture) -> np.ndarray:
    survival = np.zeros_like(GRID)
    safe = np.maximum(GRID, 1e-9)
    for weight, median, sigma in mixture:
        survival += weight * norm.sf((np.log(safe) - np.log(median)) / sigma)
    return -np.log(np.clip(survival, 1e-300, 1.0))


def _invert(hazard: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Times at which the cumulative hazard reaches ``target`` (inf beyond the grid)."""
    times = np.interp(target, hazard, GRID)
    return np.where(target >= hazard[-1], np.inf, times)


def _closure_times(rng, team: str, eta_d, eta_t, exposure):
    """Latent discharge and transfer times (days after referral) for one team."""
    hazard = _cumulative_hazard(TEAMS[team][2])
    n = len(eta_d)
    c = -np.log(rng.random(n)) / (SHARE_DISCHARGE * np.exp(eta_d))
    h_e = np.interp(np.minimum(exposure, GRID[-1]), GRID, hazard)
    hr = TRUE_EFFECTS.discharge_hr_life_rooms
    after = h_e + (c - h_e) / hr
    t_d = np.where(c <= h_e, _invert(hazard, c), _invert(hazard, after))
    t_t = _invert(hazard, -np.log(rng.random(n)) / ((1 - SHARE_DISCHARGE)
                                                  * np.exp(eta_t)))
    return t_d, t_t


def _age_at(year_of_birth: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Age in whole years at day ``day`` as analyses compute it: year minus birth year."""
    dates = np.datetime64(WINDOW_START, "D") + day.astype("int64")
    return dates.astype("datetime64[Y]").astype("int64") + 1970 - year_of_birth


def closure_log_hazards(people: pd.DataFrame, honos: np.ndarray, referral_day: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Log hazard ratios of discharge and transfer for each referral (``people``: the
    referrals' people, one row each; ``honos``: the score, 11 where none): the
    covariate part of the cause-specific hazards of :func:`_closure_times`."""
    eta_d = (np.log(TRUE_EFFECTS.discharge_hr_deprivation_decile1)
             * (people["imd_decile"].to_numpy() == 1)
             + np.log(TRUE_EFFECTS.discharge_hr_per_5_honos) * (honos - 11) / 5
             + np.log(TRUE_EFFECTS.discharge_hr_age_65_plus)
             * (_age_at(people["year_of_birth"].to_numpy(), referral_day) >= 65))
    eta_t = np.log(TRUE_EFFECTS.transfer_hr_per_5_honos) * (honos - 11) / 5
    return eta_d, eta_t


def _selection(rng, people: pd.DataFrame, honos: np.ndarray) -> np.ndarray:
    """Who would start using the Life Rooms: confounded on purpose (DATA-BRIEF 7.6)."""
    age = people["age"].to_numpy()
    logit = (np.log(TRUE_EFFECTS.life_rooms_uptake_a06 / (1 - TRUE_EFFECTS.life_rooms_uptake_a06))
             - 0.45
             + np.log(1.4) * (people["imd_decile"].to_numpy() <= 3)
             + np.log(1.3) * people["female"].to_numpy()
             + np.log(1.3) * ((age >= 25) & (age <= 54))
             + np.log(1.5) * ((honos >= 8) & (honos <= 16))
             + np.log(1.5) * (people["accommodation_settled"].to_numpy() == "N")
             + np.log(1.3) * (people["employment_status"].to_numpy() == "02")
             # people prone to crises (high A&E frailty) are signposted more often
             + np.log(1.6) * (people["frailty"].to_numpy() > 1))
    return rng.random(len(age)) < 1 / (1 + np.exp(-logit))


def hide_honos(rng: np.random.Generator, referrals: pd.DataFrame,
               people: pd.DataFrame) -> pd.Series:
    """``honos_baseline`` with scores left unrecorded, missing at random (see
    ``TRUE_EFFECTS.honos_missing_*``): by team type, age 18-24 and a referral closed
    within 90 days, never by the score. The scores drove the hazards before they were
    hidden, so the true effects hold for every referral."""
    t = TRUE_EFFECTS
    rate = referrals["team_type"].map(t.honos_missing_rate).to_numpy(dtype=float)
    days = (referrals["_discharge_day"] - referrals["_referral_day"]).to_numpy(dtype=float)
    age = _age_at(people["year_of_birth"].to_numpy()[referrals["_person"].to_numpy()],
                  referrals["_referral_day"].to_numpy())
    with np.errstate(divide="ignore"):
        logit = (np.log(rate) - np.log1p(-rate)
                 + np.log(t.honos_missing_or_short_referral) * (np.nan_to_num(days, nan=1e9)
                                                                <= 90)
                 + np.log(t.honos_missing_or_age_18_24) * ((age >= 18) & (age <= 24)))
    hidden = (rate > 0) & (rng.random(len(referrals)) < 1 / (1 + np.exp(-logit)))
    return referrals["honos_baseline"].mask(hidden)


def make_referrals(rng: np.random.Generator, people: pd.DataFrame, *,
                   uptake_within_days: float | None = None) -> pd.DataFrame:
    """Referrals for people in the caseload (internal columns prefixed ``_``).

    Returns one row per referral with day numbers (``_referral_day`` ...) and
    ``_exposure_day``: the day of first Life Rooms contact for the person's first
    community-team referral when it happened while the referral was open.

    ``uptake_within_days`` (default ``None``: the published data) keeps only the first
    contacts drawn within that many days of referral: a person whose drawn first
    contact comes later never uses the Life Rooms in that referral, and their discharge
    is drawn without the effect. The same random draws are made either way, so a
    referral whose first contact is within the limit is identical in both. With the
    limit equal to a landmark, nobody unexposed at the landmark starts later, and the
    landmark hazard ratio's truth is ``TRUE_EFFECTS.discharge_hr_life_rooms``
    (``book/methods/landmark.md``).
    """
    caseload = np.flatnonzero(people["caseload"].to_numpy())
    counts = rng.choice([1, 2, 3, 4], size=len(caseload), p=list(EPISODE_COUNT_SHARES))
    death = people["death_day"].to_numpy()
    # first referrals at a constant rate on every day up to and including the extract
    # date (day END_DAY: ``start`` is continuous, its day the floor). They stopped 20
    # days before it, and later ones the day before it, until wave 61, so the last
    # month of a monthly chart read about half (March 2025 at 30,000 people: 77
    # against 123-174 in the 23 months before; issue 15)
    start = rng.uniform(-700, END_DAY + 1, size=len(caseload))
    rows, exposed_people = [], np.zeros(len(people), dtype=bool)
    gap_rate = -np.log(1 - TRUE_EFFECTS.rereferral_12_month) / 365.25
    for episode in range(4):
        alive = (counts > episode) & (start < END_DAY + 1) & ~(start >= death[caseload])
        idx = caseload[alive]
        n = len(idx)
        if n == 0:
            break
        ref = np.floor(start[alive])
        team = _choice(rng, {k: v[0] for k, v in TEAMS.items()}, n)
        reject_p = np.array([TEAMS[t][1] for t in team])
        rejected = rng.random(n) < reject_p
        community = np.isin(team, COMMUNITY_TEAMS)
        honos = np.where(community, np.clip(np.round(rng.normal(11, 5.5, n)), 0, 48),
                         np.nan)
        sub = people.iloc[idx]
        h = np.nan_to_num(honos, nan=11.0)
        eta_d, eta_t = closure_log_hazards(sub, h, ref)
        chosen = (community & ~rejected & ~exposed_people[idx]
                  & _selection(rng, sub, h))
        median = TRUE_EFFECTS.life_rooms_median_days_to_first_contact
        exposure = np.where(chosen, rng.exponential(median / np.log(2), n), np.inf)
        if uptake_within_days is not None:
            exposure = np.where(exposure <= uptake_within_days, exposure, np.inf)
        t_d = np.empty(n)
        t_t = np.empty(n)
        for name in np.unique(team):
            m = team == name
            t_d[m], t_t[m] = _closure_times(rng, name, eta_d[m], eta_t[m], exposure[m])
        closure = np.minimum(t_d, t_t)
        close_day = ref + np.ceil(closure)
        died_first = death[idx] < np.minimum(close_day, END_DAY + 1)
        open_at_end = ~died_first & (close_day > END_DAY)
        discharge_day = np.where(died_first, death[idx], close_day)
        discharge_day = np.where(open_at_end | rejected, np.nan, discharge_day)
        reason = np.where(t_d <= t_t, _choice(rng, DISCHARGE_CODES, n),
                          _choice(rng, TRANSFER_CODES, n)).astype(object)
        reason[died_first] = "06"
        reason[np.isnan(discharge_day)] = None
        follow_end = np.where(np.isnan(discharge_day), np.minimum(death[idx], END_DAY),
                              discharge_day)
        follow_end = np.nan_to_num(follow_end, nan=END_DAY)
        exposure_day = ref + np.ceil(exposure)
        exposure_day = np.where((exposure_day < follow_end) & (exposure_day <= END_DAY)
                                & (exposure_day >= 0), exposure_day, np.nan)
        exposed_people[idx[~np.isnan(exposure_day)]] = True
        last = np.where(np.isnan(discharge_day), follow_end - rng.integers(0, 60, n),
                        discharge_day - rng.integers(0, 30, n))
        drift = np.isnan(discharge_day) & (rng.random(n) < 0.07)
        last = np.where(drift, follow_end - rng.integers(366, 700, n), last)
        rows.append(pd.DataFrame({
            "_person": idx, "_referral_day": ref, "team_type": team,
            "referral_source": np.where(team == "A11", _choice(rng, {"H1": .8, "H2": .2}, n),
                                        _choice(rng, SOURCES, n)),
            "priority": _choice(rng, {"3": .75, "2": .18, "4": .04, "1": .03}, n),
            "primary_reason": _choice(rng, REASONS, n),
            "_rejection_day": np.where(rejected, np.minimum(ref + rng.integers(0, 15, n),
                                                            END_DAY), np.nan),
            "_discharge_day": discharge_day, "closure_reason": reason,
            "honos_baseline": honos,
            "_last_contact_day": np.where(rejected, np.nan, np.maximum(last, ref)),
            "_exposure_day": exposure_day,
        }))
        gap = rng.exponential(1 / gap_rate, size=len(caseload))
        previous_end = np.full(len(caseload), np.inf)
        previous_end[alive] = np.where(np.isnan(discharge_day),
                                       np.where(rejected, ref + 30, np.inf), discharge_day)
        start = np.where(alive, previous_end + gap, np.inf)
    frame = pd.concat(rows, ignore_index=True)
    frame = frame.sort_values(["_referral_day", "_person"], kind="stable",
                              ignore_index=True)
    return frame
