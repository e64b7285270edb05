"""The dates each report reads, and the refusal of an edition the data do not cover
before it starts (issue 14 item 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lifetools.errors import ParameterError
from lifetools.pipeline.integrity import check_window, data_start, synthetic_start
from lifetools.pipeline.series import Series
from lifetools.reports.date_needs import DateNeeds, date_needs
from lifetools.synthetic import WINDOW_END, WINDOW_START

ROOT = Path(__file__).resolve().parents[2]
#: The synthetic data's referrals (30,000 people) and the first day of their events.
REFERRALS = ("2017-05-01", "2025-03-31")
START, END = WINDOW_START.isoformat(), WINDOW_END.isoformat()


def series_with(*editions: tuple[str, str, str]) -> Series:
    raw = yaml.safe_load((ROOT / "analyses" / "analyses.yml").read_text())
    first = raw["editions"][0]
    raw["editions"][:0] = [dict(first, id=eid, title=f"{eid} edition", period_start=a,
                                period_end=b) for eid, a, b in editions]
    return Series.model_validate(raw)


def refusals(series: Series, **kwargs) -> list[str]:
    with pytest.raises(ParameterError) as caught:
        check_window(series, REFERRALS, end=END, start=START, **kwargs)
    assert "Traceback" not in caught.value.render()
    return [line.strip() for line in str(caught.value).splitlines()[1:]]


def test_date_needs_of_each_report_from_its_code_and_parameters():
    # emergency care: the before and baseline windows, window_days each, before a
    # first contact in the period (cohort.person_time)
    assert date_needs("emergency_care", "2023-04-01", "2024-03-31",
                      {"window_days": 365}).first == "2021-04-01"
    assert date_needs("emergency_care", "2023-04-01", "2024-03-31",
                      {"window_days": 100}).first == "2022-09-13"
    # crisis risk: developed on the people open a year before, with a year of prior
    # emergency care; validated on the crises of the 365 days from the period's start
    crisis = date_needs("crisis_risk", "2024-04-01", "2025-03-31", {})
    assert (crisis.first, crisis.last, crisis.after) == ("2022-04-01", "2025-03-31", "")
    short = date_needs("crisis_risk", "2024-04-01", "2024-09-30", {})
    assert short.period_rule and (short.last, short.after) == ("2024-09-30", "")
    assert date_needs("wellbeing", "2023-04-01", "2024-03-31", {}) == DateNeeds(
        "2023-04-01", "2024-03-31")


def test_check_window_passes_the_series_editions_on_the_synthetic_coverage():
    series = series_with()
    check_window(series, REFERRALS, end=END, start=START)
    assert synthetic_start(REFERRALS) == START  # events start after the referrals do
    assert synthetic_start(None) is None


def test_check_window_refuses_an_edition_before_the_data_per_report():
    # the synthetic data's first referral is in 2017, their events start in 2019: a
    # 2017-18 edition published every report over an empty or partial window (exit 0)
    series = series_with(("2017-18", "2017-04-01", "2018-03-31"))
    lines = refusals(series)
    assert len(lines) == len(series.analyses_in("2017-18"))
    assert ("edition 2017-18 (1 April 2017 to 31 March 2018), report cohort_description: "
            "needs data from 2017-04-01 (the start of its period); the data cover "
            "2019-04-01 to 2025-03-31") in lines
    assert ("edition 2017-18 (1 April 2017 to 31 March 2018), report emergency_care: "
            "needs data from 2015-04-02 (the 730 days before the period: the before "
            "and baseline windows of 365 days each before a first Life Rooms contact in "
            "it); the data cover 2019-04-01 to 2025-03-31") in lines
    # a period wholly before the referrals too
    assert len(refusals(series_with(("2016-17", "2016-04-01", "2017-03-31")))) == len(
        lines)


def test_check_window_refuses_a_crisis_period_shorter_than_its_horizon_only():
    # the crisis-risk report validates its model over the 365 days from the period's
    # start: a half-year edition was passed by the edition check and then refused by
    # the report inside its notebook (a ValueError, the run failed; issue 14, wave 42)
    series = series_with(("2023-H2", "2023-10-01", "2024-03-31"))
    assert date_needs("crisis_risk", "2023-10-01", "2024-03-31", {}).period_rule
    assert not date_needs("crisis_risk", "2023-04-01", "2024-03-31", {}).period_rule
    assert not date_needs("cohort_description", "2023-10-01", "2024-03-31",
                          {}).period_rule
    assert refusals(series) == [
        "edition 2023-H2 (1 October 2023 to 31 March 2024), report crisis_risk: its "
        "period is 183 days long, shorter than the 365-day horizon over which the "
        "model's predictions are validated (it needs a period of at least 365 days)"]
    # a period of exactly the horizon passes, a day shorter does not (29 February 2024
    # lies inside: 365 days from 1 October 2023 end on 29 September 2024)
    check_window(series_with(("2023-X", "2023-10-01", "2024-09-29")), REFERRALS,
                 end=END, start=START)
    assert refusals(series_with(("2023-Y", "2023-10-01", "2024-09-28")))[0].endswith(
        "its period is 364 days long, shorter than the 365-day horizon over which the "
        "model's predictions are validated (it needs a period of at least 365 days)")


def test_check_window_refuses_a_look_back_before_the_data_and_a_run_moves_it():
    series = series_with(("2020-21", "2020-04-01", "2021-03-31"))
    lines = refusals(series)
    assert lines == [
        "edition 2020-21 (1 April 2020 to 31 March 2021), report emergency_care: needs "
        "data from 2018-04-02 (the 730 days before the period: the before and baseline "
        "windows of 365 days each before a first Life Rooms contact in it); the data "
        "cover 2019-04-01 to 2025-03-31",
        "edition 2020-21 (1 April 2020 to 31 March 2021), report crisis_risk: needs data "
        "from 2018-04-01 (the two years before the period: the model is developed on "
        "the people open a year before it starts, with their emergency care in the year "
        "before that); the data cover 2019-04-01 to 2025-03-31"]
    # `lifetools run emergency_care -p window_days 180` reads 360 days back: covered
    check_window(series, REFERRALS, end=END, start=START, editions=["2020-21"],
                 analyses=["emergency_care"], overrides={"window_days": 180})
    # without a start the first referral is the data's first day (as before)
    check_window(series_with(("2019-20", "2019-04-01", "2020-03-31")), REFERRALS,
                 end=END, editions=["2019-20"], analyses=["cohort_description"])


def test_data_start_is_read_from_the_data_not_the_generator(tmp_path):
    # an extract whose A&E attendances start in 2021: its coverage starts then, and an
    # edition of 2020-21 is refused for every report, whatever the generator says
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from lifetools.synthetic import write_synthetic

    write_synthetic(tmp_path, people=150, seed=3)
    assert data_start(tmp_path) >= START
    path = tmp_path / "ae_attendances.parquet"
    table = pq.read_table(path)
    dates = table.column("arrival_date")
    later = pc.greater_equal(dates, pc.strptime("2021-01-01", "%Y-%m-%d", "us").cast(
        dates.type))
    pq.write_table(table.filter(later), path)
    first = data_start(tmp_path)
    assert "2021-01-01" <= first < "2021-03-01"
    series = series_with(("2020-21", "2020-04-01", "2021-03-31"))
    with pytest.raises(ParameterError) as caught:
        check_window(series, REFERRALS, end=END, start=first, editions=["2020-21"])
    assert f"the data cover {first} to 2025-03-31" in str(caught.value)
    assert str(caught.value).count("edition 2020-21") == len(series.analyses_in("2020-21"))


def test_extract_date_of_a_local_spark_folder_is_the_folders(tmp_path):
    """``spark://local[N]?path=FOLDER`` declares its extract date in FOLDER's
    datapackage.json, as the folder itself does (until wave 45: none, so an edition
    running past it was built from Spark and refused from the folder)."""
    import datetime as dt

    from lifetools.datapackage import write_package
    from lifetools.dictionary import load_dictionary
    from lifetools.pipeline.integrity import data_end

    write_package(tmp_path, load_dictionary(), extract_date=dt.date(2024, 9, 30),
                  tables=["people"], created_by="test")
    assert data_end(tmp_path) == "2024-09-30"
    assert data_end(f"spark://local[2]?path={tmp_path}") == "2024-09-30"
    assert data_end("spark://local[2]") is None  # the session's own tables: none
    assert data_end("postgresql://analyst@host/db") is None


def test_a_build_from_a_local_spark_folder_is_checked_against_the_folders_date(
        tmp_path, monkeypatch):
    """The runs of a ``spark://local[N]?path=FOLDER`` build read the tables through the
    local Spark Connect server's URL, which declares no extract date: the prepared data
    say where it is declared (the folder), so the build checks editions against it."""
    from types import SimpleNamespace

    from lifetools import engines
    from lifetools.pipeline import build

    given = engines.parse_source(f"spark://local[2]?path={tmp_path}")
    monkeypatch.setattr(build, "served", lambda _s: engines.Source("spark", "sc://h:1"))
    monkeypatch.setattr(engines, "connect", lambda _s: SimpleNamespace(backend=None))
    monkeypatch.setattr(build, "fingerprinted",
                        lambda s, **_k: build.PreparedData(s.location, {}))
    prepared = build._prepare_server(given, lambda _line: None)
    assert prepared.path == "sc://h:1" and prepared.declared_by == given.location


def test_check_data_window_reads_the_extract_date_where_it_is_declared(
        tmp_path, monkeypatch):
    """The notebooks' Spark Connect URL declares no extract date; ``declared_by`` (the
    folder's ``spark://local[N]?path=``) does: an edition past it is refused."""
    import datetime as dt

    from lifetools.datapackage import write_package
    from lifetools.dictionary import load_dictionary
    from lifetools.errors import ParameterError
    from lifetools.pipeline import integrity
    from lifetools.pipeline.series import load_series
    from lifetools.synthetic import WINDOW_START

    root = Path(__file__).resolve().parents[2]
    series = load_series(root / "analyses" / "analyses.yml")
    write_package(tmp_path, load_dictionary(), extract_date=dt.date(2025, 3, 30),
                  tables=["people"], created_by="test")
    window = (WINDOW_START.isoformat(), "2025-03-23")
    monkeypatch.setattr(integrity, "data_window", lambda _d: window)
    monkeypatch.setattr(integrity, "data_start", lambda _d: WINDOW_START.isoformat())
    integrity.check_data_window(series, "sc://h:1")  # no extract date declared there
    with pytest.raises(ParameterError, match="their extract date"):
        integrity.check_data_window(series, "sc://h:1",
                                    declared_by=f"spark://local[2]?path={tmp_path}")
