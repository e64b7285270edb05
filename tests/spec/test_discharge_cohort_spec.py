"""Specification: who enters the time-to-discharge cohort, from when, until when, how.

Period 2024-04-01 to 2025-03-31, team type A06. Time is in days from referral; each
row of the expected tables is one person, commented with the rule it pins down.
Columns: entry (delayed entry), duration (end of follow-up), event (0 censored,
1 discharge, 2 transfer, 3 death).
"""

from __future__ import annotations

import pandas as pd
from cohort_spec import contacts, dataset, people, referrals, rows

from lifetools.cohort import CohortSpec, build_discharge_cohort, split_at_exposure

PERIOD = {"period_start": "2024-04-01", "period_end": "2025-03-31"}

REFERRALS = referrals("""
    person_id | referral_date | team_type | rejection_date | discharge_date | closure_reason
    p1        | 2024-05-01    | A06       |                | 2024-07-01     | 04   # discharged in the period
    p2        | 2024-01-01    | A06       |                |                |      # open at period start: delayed entry
    p3        | 2024-01-01    | A06       |                | 2024-03-15     | 04   # closed before the period: out
    p4        | 2025-04-10    | A06       |                |                |      # referred after the period: out
    p5        | 2024-05-01    | A06       | 2024-05-02     |                |      # rejected: out
    p6        | 2024-05-01    | A05       |                | 2024-06-01     | 04   # another team type: out
    p7        | 2025-01-01    | A06       |                | 2025-06-01     | 04   # discharged after the period: censored at its end
    p8        | 2024-05-01    | A06       |                | 2024-06-01     | 08   # referred to another service: transfer
    p9        | 2024-05-01    | A06       |                | 2024-05-11     | 01   # admitted as an in-patient: transfer
    p10       | 2024-05-01    | A06       |                |                |      # died with the referral open: death
    p11       | 2024-05-01    | A06       |                | 2024-05-21     | 06   # closed as "person died": death
    p12       | 2024-05-01    | A06       |                | 2024-09-01     | 04   # died before the recorded discharge: death
    p13       | 2025-01-01    | A06       |                |                |      # died after the period: censored at its end
    p14       | 2024-05-01    | A06       |                | 2024-06-01     | 04   # discharged and died the same day: death wins
    p15       | 2024-05-01    | A06       |                | 2024-06-01     | 04   # first of two referrals: this one
    p15       | 2024-09-01    | A06       |                |                |      # second referral: ignored
    p16       | 2024-05-01    | A06       | 2024-05-03     |                |      # rejected first referral: skipped
    p16       | 2024-06-01    | A06       |                | 2024-07-01     | 04   # the first accepted one is used
    p17       | 2024-05-01    | A06       |                | 2024-05-01     | 04   # discharged on the referral day: one day
    p18       | 2023-06-01    | A06       |                | 2023-09-01     | 04   # closed before the period: not the first "such" referral
    p18       | 2024-02-01    | A06       |                |                |      # open at period start: used, delayed entry
""")

DEATHS = {"p10": "2024-08-01", "p12": "2024-08-01", "p13": "2025-05-01",
          "p14": "2024-06-01"}

EXPECTED = {  # person: (referral_date, entry, duration, event)
    "p1": ("2024-05-01", 0, 61, 1),
    "p2": ("2024-01-01", 91, 455, 0),
    "p7": ("2025-01-01", 0, 89, 0),
    "p8": ("2024-05-01", 0, 31, 2),
    "p9": ("2024-05-01", 0, 10, 2),
    "p10": ("2024-05-01", 0, 92, 3),
    "p11": ("2024-05-01", 0, 20, 3),
    "p12": ("2024-05-01", 0, 92, 3),
    "p13": ("2025-01-01", 0, 89, 0),
    "p14": ("2024-05-01", 0, 31, 3),
    "p15": ("2024-05-01", 0, 31, 1),
    "p16": ("2024-06-01", 0, 30, 1),
    "p17": ("2024-05-01", 0, 1, 1),
    "p18": ("2024-02-01", 60, 424, 0),
}


def _cohort(referral_frame=REFERRALS, deaths=DEATHS, contact_frame=None, **options):
    ids = sorted(set(referral_frame["person_id"]))
    data = dataset(people_frame=people(ids, died=deaths, lsoa=options.pop("lsoa", None)),
                   referral_frame=referral_frame, contact_frame=contact_frame)
    return build_discharge_cohort(data, CohortSpec(**PERIOD, **options)).data


def test_discharge_cohort_entry_exit_and_events_per_person():
    data = _cohort()
    got = rows(data.assign(referral_date=data["referral_date"].dt.strftime("%Y-%m-%d")),
               ["referral_date", "entry", "duration", "event"])
    assert got == EXPECTED


def test_discharge_cohort_discharged_flag_is_event_1_only():
    data = _cohort()
    assert (data["discharged"] == (data["event"] == 1)).all()


def test_discharge_cohort_locality_keeps_only_people_living_there():
    data = _cohort(locality="North Liverpool", lsoa={"p1": "L2"})  # p1 lives in Sefton
    assert "p1" not in set(data["person_id"])
    assert "p2" in set(data["person_id"])


def test_discharge_cohort_death_before_period_start_is_not_at_risk():
    frame = referrals("""
        person_id | referral_date | discharge_date | closure_reason
        d1        | 2023-06-01    |                |      # died 2024-02-01, referral left open
        d2        | 2023-06-01    |                |      # alive: delayed entry
    """)
    data = _cohort(frame, deaths={"d1": "2024-02-01"})
    assert set(data["person_id"]) == {"d2"}


def test_discharge_cohort_death_on_period_start_is_an_event_on_entry_day():
    frame = referrals("""
        person_id | referral_date | discharge_date | closure_reason
        d3        | 2023-06-01    |                |      # died 2024-04-01, the first day
    """)
    data = _cohort(frame, deaths={"d3": "2024-04-01"})
    assert rows(data, ["entry", "duration", "event"]) == {"d3": (305, 306, 3)}


def test_discharge_cohort_flow_counts_people_dead_before_follow_up():
    frame = referrals("""
        person_id | referral_date | discharge_date | closure_reason
        d1        | 2023-06-01    |                |      # died before the period: out
        d2        | 2023-06-01    |                |      # alive
        d3        | 2024-05-01    |                |      # died before the referral: out
    """)
    ids = sorted(set(frame["person_id"]))
    flow = build_discharge_cohort(dataset(
        people_frame=people(ids, died={"d1": "2024-02-01", "d3": "2024-04-20"}),
        referral_frame=frame), CohortSpec(**PERIOD)).flow
    counts = dict(zip(flow["step"], flow["n"], strict=True))
    assert counts["linked to a person"] == 3
    assert counts["alive at the start of follow-up"] == 1


# --- exposure: first Life Rooms contact ------------------------------------------

EXPOSURE_REFERRALS = referrals("""
    person_id | referral_date | discharge_date | closure_reason
    e1        | 2024-05-01    |                |      # contact 30 days after referral
    e2        | 2024-05-01    |                |      # contact before referral: exposed from day 0
    e3        | 2024-05-01    | 2024-06-01     | 04   # contact after discharge: not exposed in follow-up
    e4        | 2024-05-01    |                |      # two contacts: the first counts
    e5        | 2024-05-01    |                |      # contact after the period: never used in it
    e6        | 2024-05-01    |                |      # no contact
    e7        | 2024-01-01    |                |      # delayed entry (day 91), contact before entry
""")

CONTACTS = contacts("""
    person_id | contact_date
    e1        | 2024-05-31   # day 30
    e2        | 2024-03-01   # before the referral
    e3        | 2024-07-01   # after discharge (day 61 > duration 31)
    e4        | 2024-06-10   # the later of two
    e4        | 2024-05-11   # the first: day 10
    e5        | 2025-05-01   # after the period end
    e7        | 2024-02-01   # day 31, before entry at day 91
              | 2024-04-02   # an unlinked contact: ignored
""")


def test_discharge_cohort_exposure_starts_at_first_life_rooms_contact():
    data = _cohort(EXPOSURE_REFERRALS, deaths={}, contact_frame=CONTACTS)
    assert rows(data, ["exposure_day", "ever_used"]) == {
        "e1": (30, 1), "e2": (0, 1), "e3": (None, 1), "e4": (10, 1),
        "e5": (None, 0), "e6": (None, 0), "e7": (31, 1),
    }


def test_split_at_exposure_unexposed_then_exposed_rows():
    data = _cohort(EXPOSURE_REFERRALS, deaths={}, contact_frame=CONTACTS)
    long = split_at_exposure(data)
    got = {pid: [(r.start, r.stop, r.event, r.exposed) for r in part.itertuples()]
           for pid, part in long.groupby("person_id")}
    assert got["e1"] == [(0, 30, 0, 0), (30, 334, 0, 1)]  # split at day 30
    assert got["e2"] == [(0, 334, 0, 1)]                  # exposed from the start
    assert got["e3"] == [(0, 31, 1, 0)]                   # discharged unexposed
    assert got["e6"] == [(0, 334, 0, 0)]                  # never exposed
    assert got["e7"] == [(91, 455, 0, 1)]                 # exposed before entry: throughout


def test_split_at_exposure_contact_on_discharge_day_is_unexposed_follow_up():
    frame = referrals("""
        person_id | referral_date | discharge_date | closure_reason
        x1        | 2024-05-01    | 2024-06-01     | 04   # contact on the discharge day
    """)
    data = _cohort(frame, deaths={}, contact_frame=contacts("""
        person_id | contact_date
        x1        | 2024-06-01
    """))
    long = split_at_exposure(data)
    assert [(r.start, r.stop, r.event, r.exposed) for r in long.itertuples()] == [
        (0, 31, 1, 0)]


def test_discharge_cohort_flow_counts_each_step():
    flow = build_discharge_cohort(
        dataset(people_frame=people(sorted(set(REFERRALS["person_id"])), died=DEATHS),
                referral_frame=REFERRALS), CohortSpec(**PERIOD)).flow
    counts = dict(zip(flow["step"], flow["n"], strict=True))
    assert counts["Referrals in the extract"] == len(REFERRALS) == 21
    assert counts["referred to a community mental health team - functional (A06)"] \
        == 20                                          # p6 is A05
    assert counts["accepted (not rejected)"] == 18     # p5, p16's first
    assert counts["open at some time during the period"] == 15  # p3, p4, p18's first
    assert counts["alive at the start of follow-up"] == 15     # no death before the period
    assert counts["first such referral per person"] == 14       # p15's second
    assert pd.Series(list(EXPECTED)).is_unique


def test_team_step_words_the_code_from_the_dictionary():
    # the flow table and diagram read "to team types A06": a code a reader cannot know
    from lifetools.cohort.queries import team_step

    assert team_step(["A06"]) == (
        "referred to a community mental health team - functional (A06)")
    assert team_step(["A06"], "discharged from") == (
        "discharged from a community mental health team - functional (A06)")
    assert team_step(["A06", "A07"]).endswith(
        "(A06) or community mental health team - organic (A07)")


def test_naive_comparison_words_are_true_of_everyone_ever_used_counts():
    # the discharge page said the naive comparison is biased "because users could not
    # have been discharged before they first came", untrue of e3, whom ever_used counts
    # as a user though they first came after their discharge (issue 15, wave 39); the
    # estimator stays (the page's example of immortal time bias), the words follow it
    from lifetools.reports.discharge import NAIVE_FOUND, NAIVE_MISSING

    data = _cohort(EXPOSURE_REFERRALS, deaths={}, contact_frame=CONTACTS)
    after = rows(data, ["exposure_day", "ever_used", "discharged"])["e3"]
    assert after == (None, 1, 1)  # discharged, then came: counted as a user
    before = rows(data, ["ever_used"])["e5"]
    assert before == (0,)  # came after the period's end: not a user
    for words in (NAIVE_FOUND, NAIVE_MISSING):
        assert "could not have been discharged before they first came" not in words
        assert "anyone who first came only after being discharged" in words
        assert "by the end of the period" in words
        assert "from the day they were referred" in words
