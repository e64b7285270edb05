"""CohortSpec: one validated, frozen value for a cohort's period, team types and locality."""

from __future__ import annotations

import dataclasses
import datetime

import pandas as pd
import pytest

from lifetools.cohort import CohortSpec
from lifetools.errors import UserError


def test_cohort_spec_dates_normalised_to_iso_and_team_types_to_a_tuple():
    spec = CohortSpec(pd.Timestamp("2024-04-01"), datetime.date(2025, 3, 31),
                      ["A06", "A05"], "North Liverpool")
    assert (spec.period_start, spec.period_end) == ("2024-04-01", "2025-03-31")
    assert spec.team_types == ("A06", "A05")
    assert spec.start == pd.Timestamp("2024-04-01") and spec.end == pd.Timestamp("2025-03-31")
    assert CohortSpec("2024-04-01", "2025-03-31") == CohortSpec("2024-04-01", "2025-03-31",
                                                                ("A06",), "all")


def test_cohort_spec_frozen_and_hashable():
    spec = CohortSpec("2024-04-01", "2025-03-31")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.period_end = "2026-03-31"  # type: ignore[misc]
    assert len({spec, CohortSpec("2024-04-01", "2025-03-31", ["A06"])}) == 1


def test_cohort_spec_one_day_period_accepted():
    assert CohortSpec("2024-04-01", "2024-04-01").start == pd.Timestamp("2024-04-01")


def test_cohort_spec_period_ending_before_it_starts_refused():
    with pytest.raises(UserError, match=r"ends \(2024-03-31\) before it starts") as caught:
        CohortSpec("2024-04-01", "2024-03-31")
    assert caught.value.exit_code == 3


@pytest.mark.parametrize(("start", "end"), [("2024-02-30", "2025-03-31"),
                                            ("not a date", "2025-03-31"),
                                            ("2024-04-01", "2025-03-31 12:00")])
def test_cohort_spec_not_a_calendar_date_refused(start, end):
    with pytest.raises(UserError, match="date"):
        CohortSpec(start, end)


def test_cohort_spec_unknown_team_type_refused_naming_it_and_the_known_ones():
    with pytest.raises(UserError, match="unknown team type 'Z99'") as caught:
        CohortSpec("2024-04-01", "2025-03-31", ("A06", "Z99"))
    assert "A06" in caught.value.render()


@pytest.mark.parametrize("teams", [(), []])
def test_cohort_spec_no_team_type_refused(teams):
    with pytest.raises(UserError, match="no team type"):
        CohortSpec("2024-04-01", "2025-03-31", teams)


def test_cohort_spec_single_team_type_string_is_one_team_not_its_letters():
    assert CohortSpec("2024-04-01", "2025-03-31", "A06").team_types == ("A06",)


def test_cohort_spec_empty_locality_refused():
    with pytest.raises(UserError, match="locality is empty"):
        CohortSpec("2024-04-01", "2025-03-31", locality=" ")
