"""Folder validation reuses its checks' queries within a process, never their results.

The checks of a folder in DuckDB are built over unbound tables and kept per process
(:func:`lifetools.engines.checks._cached_plan`, their SQL by ``_sql``): a second folder
of the same shape runs the same compiled queries on its own rows. These tests check
that a plan is reused (no new plan, no new SQL compiled) and that what each folder
reports is its own: a clean folder validated after a broken one of the same shape is
clean, a broken one after a clean one names its bad row, and a changed extract date
builds a new plan.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pytest

from lifetools.dictionary import load_dictionary
from lifetools.engines import checks
from lifetools.synthetic import write_synthetic
from lifetools.validation import Rule, validate_tables


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plans-clean")
    write_synthetic(folder, people=300, seed=5)
    return folder


def _copy(clean, target):
    shutil.copytree(clean, target)
    return target


def _report(folder):
    dictionary = load_dictionary()
    return validate_tables(folder, dictionary, list(dictionary.tables))


def test_second_folder_same_shape_reuses_plan_and_reports_its_own_rows(clean, tmp_path):
    broken = _copy(clean, tmp_path / "broken")
    frame = pd.read_parquet(broken / "people.parquet")
    frame.loc[6, "sex"] = "Z"  # not one of the allowed codes: row 7 of the file
    frame.to_parquet(broken / "people.parquet", index=False)
    checks._PLANS.clear()

    first = _report(clean)
    assert first.ok, first.problems
    plans, compiled = len(checks._PLANS), checks._sql.cache_info().misses
    assert plans == 1

    report = _report(broken)
    bad = [p for p in report.problems if p.rule is Rule.ENUM]
    assert [(p.table, p.column, p.count, p.rows) for p in bad] == [
        ("people", "sex", 1, (7,))]
    again = _report(clean)
    assert again.ok, again.problems
    assert len(checks._PLANS) == plans  # the same shape: the plan built once
    # at most the failing rule's sample query is compiled since (none if an earlier
    # test in this process sampled the same rule on a folder of this shape)
    assert checks._sql.cache_info().misses <= compiled + 1


def test_other_extract_date_builds_another_plan(clean, tmp_path):
    later = _copy(clean, tmp_path / "later")
    package = json.loads((later / "datapackage.json").read_text())
    package["extract_date"] = (dt.date.fromisoformat(package["extract_date"])
                               + dt.timedelta(days=1)).isoformat()
    (later / "datapackage.json").write_text(json.dumps(package))
    checks._PLANS.clear()
    assert _report(clean).ok
    assert _report(later).ok
    assert len(checks._PLANS) == 2  # the plausible bounds hang on the extract date
