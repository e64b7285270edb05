"""The ibis cohort builders equal the pandas builders they replaced, on every engine here.

The reference is ``pandas_cohorts.py`` (the pandas code before issue 18, verbatim). The
frames must be equal value for value and dtype for dtype (``assert_frame_equal`` with
exact floats), so the published files of the default build do not change.
"""

from __future__ import annotations

import pandas as pd
import pandas_cohorts as reference
import pytest

from lifetools import engines
from lifetools.cohort import CohortSpec, build_discharge_cohort, build_rereferral_cohort
from lifetools.synthetic import generate_dataset

PERIOD = {"period_start": "2021-04-01", "period_end": "2024-03-31"}
SPEC = CohortSpec(**PERIOD)
OPTIONS = [{}, {"locality": "North Liverpool"}, {"team_types": ("A06", "A05")}]


@pytest.fixture(scope="module")
def data():
    return generate_dataset(4000, 7)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("extract")
    for name in ("people", "deprivation", "referrals", "life_rooms_contacts"):
        getattr(data, name).to_parquet(path / f"{name}.parquet", index=False)
    return path


def _same(ours, theirs):
    pd.testing.assert_frame_equal(ours.data, theirs.data, check_exact=True)
    pd.testing.assert_frame_equal(ours.flow, theirs.flow, check_exact=True)
    assert ours.method == theirs.method


@pytest.mark.parametrize("options", OPTIONS)
def test_discharge_cohort_ibis_duckdb_equals_pandas(data, options):
    _same(build_discharge_cohort(data, CohortSpec(**PERIOD, **options)),
          reference.build_discharge_cohort(data, CohortSpec(**PERIOD, **options)))


@pytest.mark.parametrize("options", OPTIONS)
def test_rereferral_cohort_ibis_duckdb_equals_pandas(data, options):
    _same(build_rereferral_cohort(data, CohortSpec(**PERIOD, **options)),
          reference.build_rereferral_cohort(data, CohortSpec(**PERIOD, **options)))


def test_cohorts_from_a_parquet_folder_source_equal_pandas(data, folder):
    tables = engines.connect(engines.parse_source(folder))
    _same(build_discharge_cohort(tables, SPEC),
          reference.build_discharge_cohort(data, SPEC))
    _same(build_rereferral_cohort(tables, SPEC),
          reference.build_rereferral_cohort(data, SPEC))
