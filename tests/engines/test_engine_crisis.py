"""The crisis-risk cohort built in the engine equals the pandas builder it replaced.

The reference is ``pandas_cohorts.build_crisis_cohort`` (the pandas code before issue
18, verbatim). The cohort has no random draw and is ordered by person id, so every
engine is compared with the reference on the same tables. On every engine the reads
the runner records (``LIFETOOLS_READS_LOG``, :mod:`lifetools.reads`) hold every column
the builder requires (``CRISIS_COLUMNS``): the run cache keys a crisis-risk run on them.
"""

from __future__ import annotations

import pandas as pd
import pandas_cohorts as reference
import pytest

from lifetools import engines
from lifetools.cohort import build_crisis_cohort
from lifetools.cohort.crisis import CRISIS_COLUMNS
from lifetools.reads import ENV_READS_LOG, parse_log

TABLES = ("people", "deprivation", "referrals", "life_rooms_contacts", "ae_attendances",
          "emergency_admissions")
pytestmark = pytest.mark.xdist_group("postgres")  # the engines' fixtures, on one worker


def _recorded(tmp_path, monkeypatch, build):
    """``build()`` with the runner's reads log on; return its result after checking the
    log holds every table and column the crisis builder requires."""
    log = tmp_path / "reads.log"
    monkeypatch.setenv(ENV_READS_LOG, str(log))
    built = build()
    monkeypatch.delenv(ENV_READS_LOG)
    reads = parse_log(log.read_text())
    missing = {f"{t}.{c}" for t, columns in CRISIS_COLUMNS.items() for c in columns
               if not {c, "*"} & set(reads.get(t, []))}
    assert not missing, missing
    return built


def _same(ours, theirs):
    pd.testing.assert_frame_equal(ours.data, theirs.data, check_exact=True)
    pd.testing.assert_frame_equal(ours.flow, theirs.flow, check_exact=True)
    assert (ours.index_date, ours.method) == (theirs.index_date, theirs.method)


@pytest.mark.parametrize(("day", "horizon"), [("2024-04-01", 365), ("2023-04-01", 365),
                                              ("2024-04-01", 90)])
def test_crisis_cohort_ibis_duckdb_equals_pandas(synthetic, day, horizon, tmp_path,
                                               monkeypatch):
    _same(_recorded(tmp_path, monkeypatch, lambda: build_crisis_cohort(
              synthetic, index_date=day, horizon_days=horizon)),
          reference.build_crisis_cohort(synthetic, index_date=day, horizon_days=horizon))


def test_crisis_cohort_from_a_parquet_folder_equals_pandas(synthetic, tmp_path, monkeypatch):
    for name in TABLES:
        getattr(synthetic, name).to_parquet(tmp_path / f"{name}.parquet", index=False)
    tables = engines.connect(engines.parse_source(tmp_path))
    _same(_recorded(tmp_path, monkeypatch,
                    lambda: build_crisis_cohort(tables, index_date="2024-04-01")),
          reference.build_crisis_cohort(synthetic, index_date="2024-04-01"))


def test_crisis_cohort_postgres_equals_pandas(postgres, synthetic, tmp_path, monkeypatch):
    folder, port = postgres
    tables = engines.connect(engines.parse_source(
        f"postgresql://postgres@/postgres?host={folder}&port={port}"))
    _same(_recorded(tmp_path, monkeypatch,
                    lambda: build_crisis_cohort(tables, index_date="2024-04-01")),
          reference.build_crisis_cohort(synthetic, index_date="2024-04-01"))


def test_crisis_cohort_spark_local_equals_pandas(spark, synthetic, tmp_path, monkeypatch):
    tables = engines.connect(engines.parse_source("spark://local[2]"))
    _same(_recorded(tmp_path, monkeypatch,
                    lambda: build_crisis_cohort(tables, index_date="2024-04-01")),
          reference.build_crisis_cohort(synthetic, index_date="2024-04-01"))
