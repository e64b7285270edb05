"""The crisis-risk cohort built in the engine equals the pandas builder it replaced.

The reference is ``pandas_cohorts.build_crisis_cohort`` (the pandas code before issue
18, verbatim). The cohort has no random draw and is ordered by person id, so every
engine is compared with the reference on the same tables.
"""

from __future__ import annotations

import pandas as pd
import pandas_cohorts as reference
import pytest

from lifetools import engines
from lifetools.cohort import build_crisis_cohort

TABLES = ("people", "deprivation", "referrals", "life_rooms_contacts", "ae_attendances",
          "emergency_admissions")
pytestmark = pytest.mark.xdist_group("postgres")  # the engines' fixtures, on one worker


def _same(ours, theirs):
    pd.testing.assert_frame_equal(ours.data, theirs.data, check_exact=True)
    pd.testing.assert_frame_equal(ours.flow, theirs.flow, check_exact=True)
    assert (ours.index_date, ours.method) == (theirs.index_date, theirs.method)


@pytest.mark.parametrize(("day", "horizon"), [("2024-04-01", 365), ("2023-04-01", 365),
                                              ("2024-04-01", 90)])
def test_crisis_cohort_ibis_duckdb_equals_pandas(synthetic, day, horizon):
    _same(build_crisis_cohort(synthetic, index_date=day, horizon_days=horizon),
          reference.build_crisis_cohort(synthetic, index_date=day, horizon_days=horizon))


def test_crisis_cohort_from_a_parquet_folder_equals_pandas(synthetic, tmp_path):
    for name in TABLES:
        getattr(synthetic, name).to_parquet(tmp_path / f"{name}.parquet", index=False)
    tables = engines.connect(engines.parse_source(tmp_path))
    _same(build_crisis_cohort(tables, index_date="2024-04-01"),
          reference.build_crisis_cohort(synthetic, index_date="2024-04-01"))


def test_crisis_cohort_postgres_equals_pandas(postgres, synthetic):
    folder, port = postgres
    tables = engines.connect(engines.parse_source(
        f"postgresql://postgres@/postgres?host={folder}&port={port}"))
    _same(build_crisis_cohort(tables, index_date="2024-04-01"),
          reference.build_crisis_cohort(synthetic, index_date="2024-04-01"))


def test_crisis_cohort_spark_local_equals_pandas(spark, synthetic):
    tables = engines.connect(engines.parse_source("spark://local[2]"))
    _same(build_crisis_cohort(tables, index_date="2024-04-01"),
          reference.build_crisis_cohort(synthetic, index_date="2024-04-01"))
