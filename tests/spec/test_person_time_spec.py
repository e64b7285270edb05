"""Specification: before/after windows around the first Life Rooms contact.

Period 2024-04-01 to 2025-03-31, windows of 365 days. Users: first contact in the
period; the before window is clipped to the first A&E date in the data (2023-09-01),
the after window ends at death or the day after the period ends. A&E attendances count
when unplanned (categories 1-3), in department types 01/03 and not duplicates, in
[start, end) windows.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from cohort_spec import contacts, dataset, people, referrals, table

from lifetools.cohort import CohortSpec, build_person_time

PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}

CONTACTS = contacts("""
    person_id | contact_date
    u1        | 2024-06-01   # user: index 2024-06-01
    u1        | 2024-09-01   # a later contact: the index stays the first
    u2        | 2024-07-01   # user who dies on 2024-08-01
    x1        | 2023-12-01   # first contact before the period: neither user nor comparison
    c1        | 2025-05-01   # first contact after the period: comparison pool
""")

AE = table("""
    person_id | arrival_date | attendance_category | department_type | duplicate_flag
    u1        | 2023-09-01   | 1                   | 01              | False   # first date in the data: before window starts here
    u1        | 2024-05-31   | 4                   | 01              | False   # planned follow-up (category 4): not counted
    u1        | 2024-06-01   | 1                   | 01              | False   # on the index date: after window
    u1        | 2024-07-01   | 1                   | 02              | False   # single-specialty department: not counted
    u1        | 2024-08-01   | 1                   | 03              | True    # duplicate record: not counted
    u1        | 2024-09-01   | 2                   | 03              | False   # unplanned follow-up in an urgent care centre: after
    u1        | 2025-04-01   | 1                   | 01              | False   # after the period: outside the after window
    u2        | 2024-06-30   | 1                   | 01              | False   # the day before the index: before window
""")


def _person_time():
    ids = ["u1", "u2", "x1", "c1", "c2", "c3"]
    data = dataset(people_frame=people(ids, died={"u2": "2024-08-01", "c3": "2020-01-01"}),
                   referral_frame=referrals("""
                       person_id | referral_date
                       u1        | 2024-01-01
                   """), contact_frame=CONTACTS)
    ae = AE.assign(duplicate_flag=AE["duplicate_flag"] == "True")
    data = dataclasses.replace(data, ae_attendances=ae, emergency_admissions=pd.DataFrame(
        {"person_id": ["u1"], "admission_date": pd.to_datetime(["2024-06-15"])}))
    return build_person_time(data, CohortSpec(**PERIOD), window_days=365)


def test_person_time_users_and_comparison_pool():
    result = _person_time()
    groups = dict(zip(result.people["person_id"], result.people["group"], strict=True))
    assert groups == {"u1": "Life Rooms users", "u2": "Life Rooms users",
                      "c1": "Comparison pool",  # first contact after the period
                      "c2": "Comparison pool"}  # never used; c3 died before any index
    # c1 comes to the Life Rooms after the period: the pool's label said "never used"
    # (wave 38), which a later user in an earlier edition's pool is not
    flow = result.flow.set_index("step")["n"]
    (label,) = [step for step in flow.index if step.startswith("possible comparison")]
    size = flow[label]
    assert size == 2 and "never used" not in label
    assert label == ("possible comparison people (no Life Rooms contact by the end of the "
                     "period, alive at index)")


def test_person_time_windows_and_counts_per_user():
    periods = _person_time().periods
    got = {(r.person_id, r.after): (r.start.strftime("%Y-%m-%d"), r.end.strftime("%Y-%m-%d"),
                                    r.ae, r.admissions)
           for r in periods[periods["person_id"].isin(["u1", "u2"])].itertuples()}
    assert got == {
        ("u1", 0): ("2023-09-01", "2024-06-01", 1, 0),  # clipped to the data start
        ("u1", 1): ("2024-06-01", "2025-04-01", 2, 1),  # ends the day after the period
        ("u2", 0): ("2023-09-01", "2024-07-01", 1, 0),
        ("u2", 1): ("2024-07-01", "2024-08-01", 0, 0),  # ends at death
    }
