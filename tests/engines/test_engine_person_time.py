"""Person-time built in the engine equals the pandas builder it replaced, on every engine.

The reference is ``pandas_cohorts.build_person_time`` (the pandas code before issue 18,
verbatim but for its arguments). The comparison pool's index dates are a seeded draw
over the people in order: the people table's row order for loaded frames (so the default
build is unchanged), person id order in an engine (a warehouse table has no row order).
So an engine's result is compared with the reference run on the people sorted by id.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pandas_cohorts as reference
import pytest

from lifetools import engines
from lifetools.cohort import CohortSpec, build_person_time

SPEC = CohortSpec("2021-04-01", "2024-03-31")
TABLES = ("people", "deprivation", "referrals", "life_rooms_contacts", "ae_attendances",
          "emergency_admissions")
pytestmark = pytest.mark.xdist_group("postgres")  # the engines' fixtures, on one worker


def _same(ours, theirs):
    pd.testing.assert_frame_equal(ours.people, theirs.people, check_exact=True)
    pd.testing.assert_frame_equal(ours.periods, theirs.periods, check_exact=True)
    pd.testing.assert_frame_equal(ours.flow, theirs.flow, check_exact=True)
    assert ours.method == theirs.method


def _by_id(data):
    return dataclasses.replace(data, people=data.people.sort_values("person_id",
                                                                    ignore_index=True))


@pytest.mark.parametrize("spec", [SPEC, CohortSpec("2021-04-01", "2024-03-31",
                                                   locality="North Liverpool")],
                         ids=["all", "one-locality"])
def test_person_time_ibis_duckdb_equals_pandas(synthetic, spec):
    _same(build_person_time(synthetic, spec), reference.build_person_time(synthetic, spec))


def test_person_time_short_windows_and_another_seed_equal_pandas(synthetic):
    options = {"window_days": 90, "seed": 3}
    _same(build_person_time(synthetic, SPEC, **options),
          reference.build_person_time(synthetic, SPEC, **options))


def test_person_time_draw_follows_the_people_table_order(synthetic):
    shuffled = dataclasses.replace(synthetic, people=synthetic.people.sample(
        frac=1, random_state=5, ignore_index=True))
    ours = build_person_time(shuffled, SPEC)
    _same(ours, reference.build_person_time(shuffled, SPEC))
    assert not ours.people.equals(build_person_time(synthetic, SPEC).people)


def test_person_time_from_a_parquet_folder_equals_pandas_in_id_order(synthetic, tmp_path):
    for name in TABLES:
        getattr(synthetic, name).to_parquet(tmp_path / f"{name}.parquet", index=False)
    tables = engines.connect(engines.parse_source(tmp_path))
    _same(build_person_time(tables, SPEC), reference.build_person_time(_by_id(synthetic),
                                                                       SPEC))


def test_person_time_postgres_equals_pandas_in_id_order(postgres, synthetic):
    folder, port = postgres
    tables = engines.connect(engines.parse_source(
        f"postgresql://postgres@/postgres?host={folder}&port={port}"))
    _same(build_person_time(tables, SPEC), reference.build_person_time(_by_id(synthetic),
                                                                       SPEC))


def test_person_time_spark_local_equals_pandas_in_id_order(spark, synthetic):
    tables = engines.connect(engines.parse_source("spark://local[2]"))
    _same(build_person_time(tables, SPEC), reference.build_person_time(_by_id(synthetic),
                                                                       SPEC))
