"""Person-time built in the engine equals the pandas builder it replaced, on every engine.

The reference is ``pandas_cohorts.build_person_time`` (the pandas code before issue 18,
verbatim but for its arguments), whose seeded draw of the pool's index dates follows
the people table's row order. ``build_person_time`` draws over the people in person id
order on every path (issue 18), so it is compared with the reference run on the people
sorted by id, and each engine's result with the loaded frames' result as produced: the
same numbers whatever the storage or the rows' order. The synthetic ``people`` table is
not in id order, so the comparisons would fail on a draw that followed the rows.
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


@pytest.fixture(scope="module")
def loaded(synthetic):
    """The result on the loaded frames (the ``synthetic`` people not in id order)."""
    return build_person_time(synthetic, SPEC)


@pytest.mark.parametrize("spec", [SPEC, CohortSpec("2021-04-01", "2024-03-31",
                                                   locality="North Liverpool")],
                         ids=["all", "one-locality"])
def test_person_time_ibis_duckdb_equals_pandas_in_id_order(synthetic, spec):
    assert not synthetic.people["person_id"].is_monotonic_increasing
    _same(build_person_time(synthetic, spec),
          reference.build_person_time(_by_id(synthetic), spec))


def test_person_time_short_windows_and_another_seed_equal_pandas_in_id_order(synthetic):
    options = {"window_days": 90, "seed": 3}
    _same(build_person_time(synthetic, SPEC, **options),
          reference.build_person_time(_by_id(synthetic), SPEC, **options))


@pytest.mark.parametrize("random_state", [5, 11])
def test_person_time_draw_is_the_same_whatever_the_people_tables_row_order(
        synthetic, loaded, random_state):
    shuffled = dataclasses.replace(synthetic, people=synthetic.people.sample(
        frac=1, random_state=random_state, ignore_index=True))
    assert not shuffled.people["person_id"].equals(synthetic.people["person_id"])
    _same(build_person_time(shuffled, SPEC), loaded)


def test_person_time_from_a_parquet_folder_equals_loaded_frames(synthetic, loaded, tmp_path):
    for name in TABLES:
        getattr(synthetic, name).to_parquet(tmp_path / f"{name}.parquet", index=False)
    tables = engines.connect(engines.parse_source(tmp_path))
    _same(build_person_time(tables, SPEC), loaded)


def test_person_time_postgres_equals_loaded_frames(postgres, synthetic, loaded):
    folder, port = postgres
    tables = engines.connect(engines.parse_source(
        f"postgresql://postgres@/postgres?host={folder}&port={port}"))
    _same(build_person_time(tables, SPEC), loaded)


def test_person_time_spark_local_equals_loaded_frames(spark, synthetic, loaded):
    tables = engines.connect(engines.parse_source("spark://local[2]"))
    _same(build_person_time(tables, SPEC), loaded)
