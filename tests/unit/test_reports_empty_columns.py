"""Every report copes, by design, with each optional column it does not declare it needs.

An optional column of the data dictionary may be empty in every row of a valid extract
(validation warns). A report either lists the column under ``needs:`` in
``analyses/analyses.yml`` (the build then refuses the extract before any notebook
runs, see ``tests/hostile/test_build_hostile.py``) or runs to the end without it. Here
each report runs on an extract in which every optional column it does not need is
emptied at once, with the arguments its notebook passes.
"""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402
from report_calls import CALLS  # noqa: E402

from lifetools.dictionary import load_dictionary  # noqa: E402
from lifetools.loading import load_dataset  # noqa: E402
from lifetools.pipeline.series import load_series  # noqa: E402
from lifetools.synthetic import write_synthetic  # noqa: E402

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("empty-columns")
    write_synthetic(folder, people=4000, seed=5)
    return load_dataset(folder)


def optional_columns() -> list[tuple[str, str]]:
    return [(t.name, f.name) for t in load_dictionary().tables.values()
            for f in t.fields if not f.required]


def emptied(data, columns):
    tables = {}
    for table, column in columns:
        frame = tables.get(table, getattr(data, table))
        tables[table] = frame.assign(**{column: frame[column].iloc[:0].reindex(
            frame.index)})
    return dataclasses.replace(data, **tables)


def test_every_analysis_has_a_call_here():
    assert {a.id for a in load_series().analyses} == set(CALLS)


@pytest.mark.parametrize("analysis", list(CALLS))
def test_report_without_the_optional_columns_it_does_not_need_runs(analysis, data):
    needs = next(a.needs for a in load_series().analyses if a.id == analysis)
    columns = [c for c in optional_columns() if f"{c[0]}.{c[1]}" not in needs]
    CALLS[analysis](emptied(data, columns))
