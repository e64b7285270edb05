"""Specification: the re-referral cohort (time from discharge to the next referral).

Period 2024-04-01 to 2025-03-31, team type A06. Follow-up starts at a person's first
discharge (closure group 'discharge') in the period; events: 1 re-referred (any team),
2 died (competing), 0 censored at the period end. Life Rooms use is fixed at discharge.
"""

from __future__ import annotations

from cohort_spec import contacts, dataset, people, referrals, rows

from lifetools.cohort import CohortSpec, build_rereferral_cohort

PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}

REFERRALS = referrals("""
    person_id | referral_date | team_type | discharge_date | closure_reason
    r1        | 2024-01-01    | A06       | 2024-06-01     | 04   # discharged ...
    r1        | 2024-09-01    | A02       |                |      # ... and referred again (any team): event
    r2        | 2024-01-01    | A06       | 2024-06-01     | 04   # no later referral: censored at period end
    r3        | 2024-01-01    | A06       | 2024-06-01     | 04   # died after discharge: competing event
    r4        | 2024-01-01    | A06       | 2024-06-01     | 04   # ...
    r4        | 2025-05-01    | A06       |                |      # re-referred after the period: censored
    r5        | 2024-01-01    | A06       | 2024-06-01     | 08   # transferred, not discharged: out
    r6        | 2023-06-01    | A06       | 2024-03-01     | 04   # discharged before the period: out
    r7        | 2024-01-01    | A06       | 2024-05-01     | 04   # first discharge in the period: index
    r7        | 2024-07-01    | A06       | 2024-10-01     | 04   # next referral at day 61; second discharge ignored
    r8        | 2024-01-01    | A06       | 2024-06-01     | 04   # Life Rooms contact on the discharge day: used
    r9        | 2024-01-01    | A06       | 2024-06-01     | 04   # contact after discharge: not used (fixed at discharge)
    r10       | 2024-01-01    | A05       | 2024-06-01     | 04   # discharged from another team type: out
""")

CONTACTS = contacts("""
    person_id | contact_date
    r8        | 2024-06-01
    r9        | 2024-06-02
""")


def test_rereferral_cohort_events_durations_and_exposure_per_person():
    ids = sorted(set(REFERRALS["person_id"]))
    data = build_rereferral_cohort(
        dataset(people_frame=people(ids, died={"r3": "2024-07-01"}),
                referral_frame=REFERRALS, contact_frame=CONTACTS), CohortSpec(**PERIOD)).data
    assert rows(data, ["duration", "event", "rereferred", "used_life_rooms"]) == {
        "r1": (92, 1, 1, 0),
        "r2": (303, 0, 0, 0),
        "r3": (30, 2, 0, 0),
        "r4": (303, 0, 0, 0),
        "r7": (61, 1, 1, 0),
        "r8": (303, 0, 0, 1),
        "r9": (303, 0, 0, 0),
    }
