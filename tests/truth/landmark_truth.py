"""The landmark ratios' truths, derived from the generator's hazards.

Not a test: the derivation behind ``LANDMARK_HR`` and ``LANDMARK_SHR`` in
``tests/truth/test_landmark_many_seeds.py`` (``book/methods/landmark.md``, "Truth").
No estimator is fitted to data: the generator's population (covariates, referral days,
first contacts) is drawn, and for each referral at risk at the landmark its expected
risk set and events after it are computed from the generator's cause-specific hazards
on a one-day grid; the truths solve the population score equations.

In the data with no uptake after the landmark (``uptake_within_days=LANDMARK``), a
referral ``i`` at risk at the landmark ``L`` has, ``s`` days after it:

- discharge hazard ``a_i(s) = r**E_i * c_i * dA(s)``: ``E_i`` first contact during
  this referral by the landmark (the generator applies the effect only within the
  referral in which first contact happened), ``r`` =
  ``TRUE_EFFECTS.discharge_hr_life_rooms``, ``c_i = SHARE_DISCHARGE * exp(eta_d)``
  (:func:`~lifetools.synthetic.care.closure_log_hazards`), ``A(s) = H(L + s) - H(L)``
  with ``H`` the team's baseline cumulative hazard;
- death hazard ``mu_i``, constant (:func:`~lifetools.synthetic.population.yearly_death_rate`
  / 365.25), not depending on use;
- censoring independent of both: transfer (its latent time is drawn on its own) and
  the extract's end, surviving to ``s`` with probability ``G_i(s)``.

The analysis classes a referral as exposed (``Z_i = 1``) when the person's first Life
Rooms contact is by the landmark, which includes a first contact during an *earlier*
community referral (the cohort's exposure day is then 0): ``Z_i = 1, E_i = 0``.

With ``S_i(s) = exp(-r**E_i c_i A(s) - mu_i s)`` (no discharge, alive) and the death
incidence ``F2_i(s) = int_0^s mu_i S_i``, expected events are ``a_i S_i G_i`` and the
risk sets are ``Y_i = S_i G_i`` (cause-specific Cox: death censors) or
``Y_i = (S_i + F2_i) G_i`` (Fine and Gray 1999: the dead stay in the subdistribution
risk set; the report weights them by the censoring distribution, which estimates
``G``). The truth ``beta`` solves the population score equation of ``Z`` with the
covariate part fixed at the person's own hazard unexposed, ``w_i(s)``:

    sum_s [ sum_{Z=1} events - zbar(s, beta) * sum_all events ] = 0,
    zbar = e^beta sum_{Z=1} w Y / (e^beta sum_{Z=1} w Y + sum_{Z=0} w Y),

``w_i = c_i`` for the Cox model (exactly its covariate part) and, for Fine-Gray,
``w_i(s) = c_i k0_i(s)``, ``k0 = S/(S + F2)`` computed unexposed: the subdistribution
hazard of the same person without use, ``c_i dA k0_i`` (a model adjusted fully for the
covariates, death's among them, so that what is left is the within-person contrast of
use). The subdistribution hazard of person ``i`` is ``a_i S_i / (S_i + F2_i)``, so
its ratio with use against without, at the same ``s``, is
``r * [S/(S+F2)]_used / [S/(S+F2)]_unused``: below ``r`` once deaths accumulate
among people not discharged, since users are discharged sooner and the dead make up
more of their subdistribution risk set.

With no misclassification, the Cox equation is solved by ``beta = log r`` exactly,
and with no death or no effect (``r = 1``) the Fine-Gray equation too (checked by
``tests/truth/test_landmark_many_seeds.py``); misclassified referrals dilute both.

Run from the repository root (about a minute of CPU for 200,000 people)::

    PYTHONPATH=src python tests/truth/landmark_truth.py 200000 2026
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from lifetools.synthetic.care import (
    END_DAY,
    GRID,
    SHARE_DISCHARGE,
    TEAMS,
    _cumulative_hazard,
    closure_log_hazards,
    make_referrals,
)
from lifetools.synthetic.population import (
    make_deprivation,
    make_people,
    yearly_death_rate,
)
from lifetools.synthetic.truth import TRUE_EFFECTS

LANDMARK = 90.0
TEAM = "A06"  # the discharge report's default cohort
HORIZON = 2200  # days after the landmark: beyond every referral's follow-up


def at_risk_population(people: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The discharge cohort's landmark referrals from the generator's own values.

    The first ``TEAM`` referral per person open in the extract, at risk at the landmark
    (open, alive and entered by it), with ``used`` (``E``: first contact during it by
    the landmark) and ``classed`` (``Z``: the person's first contact by the landmark,
    in any referral); and its person.
    """
    rng = np.random.default_rng(seed)
    persons = make_people(rng, people, make_deprivation(rng, people))
    every = make_referrals(rng, persons, uptake_within_days=LANDMARK)
    first_contact = every.groupby("_person")["_exposure_day"].min()
    refs = every[(every["team_type"] == TEAM) & every["_rejection_day"].isna()
                 & ~(every["_discharge_day"] < 0)].drop_duplicates("_person")
    who = persons.iloc[refs["_person"].to_numpy()]
    ref = refs["_referral_day"].to_numpy()
    death = who["death_day"].to_numpy()
    end = np.where(refs["_discharge_day"].isna(), np.fmin(death, END_DAY),
                   refs["_discharge_day"])
    keep = ((end - ref > LANDMARK) & (ref >= -LANDMARK) & ~(death <= ref + LANDMARK)
            & (ref + LANDMARK < END_DAY))
    refs = refs.assign(
        used=(refs["_exposure_day"] - refs["_referral_day"]) <= LANDMARK,
        classed=(refs["_person"].map(first_contact) - refs["_referral_day"]) <= LANDMARK)
    return refs[keep], who[keep]


def landmark_truths(refs: pd.DataFrame, who: pd.DataFrame, *, rate: float | None = None,
                    death_scale: float = 1.0, classed: str = "classed"
                    ) -> dict[str, float]:
    """The landmark hazard ratio and subdistribution hazard ratio (module docstring).

    ``rate`` is the cause-specific ratio (default the generator's); ``death_scale``
    multiplies the death hazard (0: no competing death); ``classed="used"`` classes
    by the generator's own exposure (no misclassification).
    """
    r = TRUE_EFFECTS.discharge_hr_life_rooms if rate is None else rate
    ref = refs["_referral_day"].to_numpy()
    used = refs["used"].to_numpy()
    z = refs[classed].to_numpy()
    honos = np.nan_to_num(refs["honos_baseline"].to_numpy(dtype=float), nan=11.0)
    eta_d, eta_t = closure_log_hazards(who, honos, ref)
    mu = death_scale * yearly_death_rate(who["age"].to_numpy(),
                                         who["caseload"].to_numpy())[:, None] / 365.25
    hazard = _cumulative_hazard(TEAMS[TEAM][2])
    s = np.arange(0.0, HORIZON)
    base = np.interp(LANDMARK + s, GRID, hazard) - np.interp(LANDMARK, GRID, hazard)
    c = SHARE_DISCHARGE * np.exp(eta_d)[:, None]
    ratio = np.where(used, r, 1.0)[:, None]
    alive = np.exp(-ratio * c * base - mu * s)  # S_i(s): not discharged, alive
    # events in (s, s + 1]; the dead of the subdistribution risk set at s
    events = ratio * c * np.diff(base, append=base[-1]) * alive
    dead = np.cumsum(mu * alive, axis=1) - mu * alive
    kept = (np.exp(-(1 - SHARE_DISCHARGE) * np.exp(eta_t)[:, None] * base)
            * (s[None, :] < (END_DAY - ref - LANDMARK)[:, None]))  # G_i(s)
    events = events * kept
    out = {"at_risk": len(refs), "users": int(used.sum()), "classed": int(z.sum()),
           "misclassified": int((z & ~used).sum())}
    # the subdistribution hazard of the same person unexposed: c_i dA k0_i(s), with
    # k0 = S/(S + F2) at ratio 1 (the covariate part of a model that adjusts fully)
    alive_0 = np.exp(-c * base - mu * s)
    dead_0 = np.cumsum(mu * alive_0, axis=1) - mu * alive_0
    k0 = alive_0 / (alive_0 + dead_0)
    for name, risk in (("hr", c * alive * kept), ("shr", c * k0 * (alive + dead) * kept)):
        exposed_events = events[z].sum(axis=0)
        all_events = events.sum(axis=0)
        exposed_risk = risk[z].sum(axis=0)
        other_risk = risk[~z].sum(axis=0)

        def score(beta, e1=exposed_events, ev=all_events, r1=exposed_risk,
                  r0=other_risk):
            total = np.exp(beta) * r1 + r0
            zbar = np.divide(np.exp(beta) * r1, total, out=np.zeros_like(total),
                             where=total > 0)  # nobody left: no events either
            return float((e1 - zbar * ev).sum())

        out[name] = float(np.exp(brentq(score, -2.0, 2.0, xtol=1e-12)))
    return out


def main(people: int, seed: int) -> dict[str, float]:
    refs, who = at_risk_population(people, seed)
    return {**landmark_truths(refs, who),
            **{f"{k}_no_misclassification": v for k, v in landmark_truths(
                refs, who, classed="used").items() if k in ("hr", "shr")}}


if __name__ == "__main__":
    print(main(int(sys.argv[1]), int(sys.argv[2])))
