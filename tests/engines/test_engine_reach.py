"""The reach report's activity counts, made in the engine (``reach.activity_queries``),
equal the pandas counts they replaced (``pandas_cohorts.reach_activity``, the code
before wave 52) on embedded DuckDB, a Parquet folder, PostgreSQL and Spark: every
count, grouping and the set of people who used the Life Rooms, value for value and
dtype for dtype, so the published tables do not change."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pandas_cohorts as reference
import pytest

from lifetools import engines
from lifetools.dictionary import load_dictionary
from lifetools.engines import engine_tables
from lifetools.reports.reach import _activity

PERIODS = [("2021-04-01", "2024-03-31"), ("2023-04-01", "2023-06-30"),
           ("2030-01-01", "2030-12-31")]
LOCALITIES = ["all", "North Liverpool", "Sefton"]

pytestmark = pytest.mark.xdist_group("postgres")  # the engines' fixtures, on one worker


def _sites(locality):
    return None if locality == "all" else list(
        load_dictionary().groups("life_rooms_contacts", "site").get(locality, ()))


def _same(ours, theirs):
    for name in ("sites", "monthly", "pathways"):
        pd.testing.assert_frame_equal(getattr(ours, name), getattr(theirs, name),
                                      check_exact=True, obj=name)
    assert ours.counts == theirs.counts
    assert ours.users == theirs.users
    assert ours.prescriptions == theirs.prescriptions
    assert ours.feedback == theirs.feedback


def _compare(tables, data):
    for start, end in PERIODS:
        for locality in LOCALITIES:
            at = (pd.Timestamp(start), pd.Timestamp(end), _sites(locality))
            _same(_activity(tables, *at), reference.reach_activity(data, *at))


def _holed(data):
    """Missing values the report must count as pandas did: unlinked visits (one at which
    someone was helped), missing nationalities, pathways and survey answers."""
    contacts = data.life_rooms_contacts.copy()
    contacts.loc[contacts.index[::7], "person_id"] = None
    contacts.loc[contacts.index[::5], "nationality"] = None
    contacts.loc[contacts.index[::11], "site"] = None
    prescriptions = data.social_prescriptions.copy()
    prescriptions.loc[prescriptions.index[::6], "pathway_category"] = None
    feedback = data.feedback.copy()
    feedback.loc[feedback.index[::4], "access_easy"] = pd.NA
    feedback.loc[feedback.index[::3], "fft_response"] = pd.NA
    return dataclasses.replace(data, life_rooms_contacts=contacts,
                               social_prescriptions=prescriptions, feedback=feedback)


def test_reach_activity_embedded_duckdb_equals_pandas(synthetic):
    _compare(engine_tables(synthetic), synthetic)


def test_reach_activity_with_missing_values_equals_pandas(synthetic):
    holed = _holed(synthetic)
    assert holed.life_rooms_contacts["person_id"].isna().any()
    _compare(engine_tables(holed), holed)


def test_reach_activity_from_a_parquet_folder_equals_pandas(tmp_path, synthetic):
    for name in ("life_rooms_contacts", "social_prescriptions", "feedback"):
        getattr(synthetic, name).to_parquet(tmp_path / f"{name}.parquet", index=False)
    _compare(engines.connect(engines.parse_source(tmp_path)), synthetic)


def test_reach_activity_on_postgres_equals_pandas(postgres, synthetic):
    folder, port = postgres
    tables = engines.connect(engines.parse_source(
        f"postgresql://postgres@/postgres?host={folder}&port={port}"))
    _compare(tables, synthetic)


def test_reach_activity_on_spark_equals_pandas(spark, synthetic):
    _compare(engines.connect(engines.parse_source("spark://local[2]")), synthetic)
