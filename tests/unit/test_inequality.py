"""Inequality: rates with exact intervals and the SII/RII, against a hand computation.

Worked example (by hand). Five quintiles, 1,000 person-years each, events 100, 80, 60,
40, 20 (most to least deprived): rates 0.10, 0.08, 0.06, 0.04, 0.02. Equal populations
give rank midpoints x = 0.1, 0.3, 0.5, 0.7, 0.9. The points lie on a line: every step
of 0.2 in x lowers y by 0.02, so the least-squares slope is -0.1 and the intercept
0.06 + 0.1 * 0.5 = 0.11.
Fitted at x = 0 (most deprived) 0.11, at x = 1 (least deprived) 0.01.
SII = 0.11 - 0.01 = 0.10; RII = 0.11 / 0.01 = 11; SII / mean = 0.10 / 0.06 = 1.667.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools.inequality import (
    RII_ENDS,
    RII_MEAN,
    equity_summary,
    estimate_sii,
    poisson_interval,
    rank_midpoints,
    rates_by_group,
)


def test_sii_rii_worked_example():
    result = estimate_sii([100, 80, 60, 40, 20], [1000] * 5)
    assert result["sii"] == pytest.approx(0.10)
    assert result["rii"] == pytest.approx(11.0)
    assert result["rii_mean"] == pytest.approx(0.10 / 0.06)
    assert result["sii_lower"] < 0.10 < result["sii_upper"]
    assert result["rii_mean_lower"] < 0.10 / 0.06 < result["rii_mean_upper"]


def test_sii_monte_carlo_is_deterministic():
    assert estimate_sii([50, 40, 30], [500, 600, 700]) == estimate_sii(
        [50, 40, 30], [500, 600, 700])


def test_rank_midpoints_unequal_populations():
    assert rank_midpoints([1, 3]).tolist() == pytest.approx([0.125, 0.625])


def test_poisson_interval_exact_garwood():
    low, high = poisson_interval(10)
    assert low == pytest.approx(4.795389, rel=1e-5)   # Garwood, 10 events
    assert high == pytest.approx(18.390356, rel=1e-5)
    assert poisson_interval(0)[0] == 0.0


def test_rates_by_group_uses_protected_counts():
    frame = pd.DataFrame({"q": [1] * 12 + [2] * 3, "events": [1] * 12 + [1] * 3,
                          "years": [1.0] * 15})
    rates = rates_by_group(frame, group_col="q", event_col="events",
                           person_time_col="years")
    assert rates["events"].tolist()[0] == 10          # 12 rounded to 10
    assert rates["rate"].iloc[0] == pytest.approx(10 / 10)  # 12 years published as 10
    assert pd.isna(rates["events"].iloc[1]) and pd.isna(rates["rate"].iloc[1])


def test_equity_summary_gradient_and_missing_quintiles():
    frame = pd.DataFrame({"imd_quintile": [1, 2, 3, 4, 5, None] * 100,
                          "events": [5, 4, 3, 2, 1, 9] * 100, "years": [1.0] * 600})
    result = equity_summary(frame, event_col="events", person_time_col="years")
    sii = result.summary.iloc[0]
    assert sii["estimate"] == pytest.approx(5.0)   # fitted 5.5 at 0, 0.5 at 1
    assert result.summary.iloc[1]["estimate"] == pytest.approx(11.0)
    assert len(result.rates) == 5


def test_equity_summary_reports_rii_mean_as_third_row():
    # worked example of the module docstring: SII/mean = 0.10 / 0.06, per 1 person-year
    # (100 people of 10 person-years per quintile: person-years need 10 contributors)
    frame = _people([100, 80, 60, 40, 20]).assign(years=10.0)
    result = equity_summary(frame, event_col="events", person_time_col="years")
    assert len(result.summary) == 3
    row = result.summary.iloc[2]
    # two quantities, two names (both read "Relative index of inequality (...)")
    assert row["term"] == RII_MEAN and result.summary.iloc[1]["term"] == RII_ENDS
    assert RII_ENDS.split(" (")[0] != RII_MEAN.split(" (")[0]
    assert row["estimate"] == pytest.approx(0.10 / 0.06)
    assert row["ci_lower"] < row["estimate"] < row["ci_upper"]


def test_rate_unit_reads_plain_words_with_thousands_separator():
    # the emergency page's SII row read "A&E attendances per 1 person-years"; the
    # reach page's "Life Rooms users per 1000 person-years" (people, not person-time)
    from lifetools.formatting import rate_unit

    assert rate_unit(1.0) == "per person-year"
    assert rate_unit(1000) == "per 1,000 person-years"
    assert rate_unit(100_000, "people") == "per 100,000 people"
    assert rate_unit(1, "people") == "per person"
    with pytest.raises(ValueError, match="unknown rate unit"):
        rate_unit(1000, "users")


def test_equity_summary_sii_term_names_its_unit_in_words():
    frame = _people([22, 14, 9]).assign(one=1.0)
    years = equity_summary(frame, event_col="events", person_time_col="years",
                           label="A&E attendances", per=1000)
    people = equity_summary(frame, event_col="events", person_time_col="one",
                            label="Life Rooms users", per=1000, unit="people")
    assert years.summary["term"].iloc[0] == (
        "Slope index of inequality (A&E attendances per 1,000 person-years)")
    assert people.summary["term"].iloc[0] == (
        "Slope index of inequality (Life Rooms users per 1,000 people)")


def test_equity_summary_per_people_shows_people_not_person_years():
    # one person-year a person: person-years repeat the people count, so the table
    # shows people only, and the rates are computed from them (22, 14, 9 users of 100
    # people each publish as 20, 15, 10: 200, 150, 100 per 1,000 people)
    frame = _people([22, 14, 9]).assign(one=1.0)
    result = equity_summary(frame, event_col="events", person_time_col="one",
                            per=1000, unit="people")
    assert "person_years" not in result.rates.columns
    assert result.rates["people"].tolist() == [100, 100, 100]
    assert result.rates["rate"].tolist() == pytest.approx([200.0, 150.0, 100.0])
    result.rates.verify()
    # the indices are those of the same counts per person-year, times 1,000
    years = equity_summary(frame, event_col="events", person_time_col="one")
    assert result.summary["estimate"].tolist() == pytest.approx(
        [1000 * years.summary["estimate"].iloc[0],
         *years.summary["estimate"].iloc[1:]])
    with pytest.raises(ValueError, match="one person-year a person"):
        equity_summary(frame.assign(one=0.5), event_col="events",
                       person_time_col="one", per=1000, unit="people")


def _people(events: list[int], people: int = 100) -> pd.DataFrame:
    """One row per person, one person-year each: ``events[q - 1]`` events in quintile q."""
    rows = [(q, int(i < k)) for q, k in enumerate(events, start=1) for i in range(people)]
    frame = pd.DataFrame(rows, columns=["imd_quintile", "events"])
    return frame.assign(years=1.0)


def test_equity_summary_sii_is_fitted_to_the_published_counts_hand_computed():
    # raw events 22, 14, 9 in three quintiles of 100 person-years each are published
    # as 20, 15, 10 (rounded to 5). Equal weights put the quintiles at x = 1/6, 1/2,
    # 5/6; the least-squares slope through three equally spaced points is
    # (y3 - y1) / (x3 - x1), so SII = -(0.10 - 0.20) / (2/3) = 0.15 per person-year
    # (fitted 0.225 at x = 0 and 0.075 at x = 1: RII = 3; mean rate 0.15: SII/mean 1).
    # Fitted to the raw counts it would be (0.22 - 0.09) / (2/3) = 0.195, and with the
    # published rates 0.195 gives the raw 22 and 9 back.
    result = equity_summary(_people([22, 14, 9]), event_col="events",
                            person_time_col="years")
    assert result.rates["events"].tolist() == [20, 15, 10]
    assert result.rates["person_years"].tolist() == [100, 100, 100]
    sii, rii, rii_mean = result.summary["estimate"].tolist()
    assert sii == pytest.approx(0.15, abs=1e-12)
    assert rii == pytest.approx(3.0, abs=1e-12)
    assert rii_mean == pytest.approx(1.0, abs=1e-12)
    assert sii != pytest.approx(0.195, abs=1e-3)
    assert "published" in result.method["counts"]


def test_equity_summary_refuses_the_sii_when_a_quintile_is_suppressed():
    # 5 events in quintile 3 are suppressed: a line through the other two would need
    # the hidden cell (or an imputed value), so no index is published
    result = equity_summary(_people([40, 20, 5]), event_col="events",
                            person_time_col="years")
    assert pd.isna(result.rates["events"].iloc[2])
    assert result.summary["estimate"].isna().all()
    assert result.summary[["ci_lower", "ci_upper"]].isna().all().all()
