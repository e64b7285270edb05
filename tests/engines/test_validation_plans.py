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


def _kept(folder, cache):
    dictionary = load_dictionary()
    return validate_tables(folder, dictionary, list(dictionary.tables), sql_cache=cache)


def _fresh_process():
    """As a new process starts: no plan built, no SQL compiled."""
    checks._PLANS.clear()
    checks._sql.cache_clear()
    checks._WRITTEN.clear()


def test_kept_sql_validates_a_clean_folder_without_building_or_compiling(clean, tmp_path):
    cache = tmp_path / "sql"
    _fresh_process()
    first = _kept(clean, cache)
    assert first.ok, first.problems
    assert len(list(cache.glob("*.json"))) == 1
    _fresh_process()
    again = _kept(clean, cache)
    assert again.problems == first.problems
    assert checks._PLANS == {} and checks._sql.cache_info().misses == 0
    # the report equals the one built without a cache folder
    _fresh_process()
    assert _report(clean).problems == first.problems


def test_kept_sql_on_a_broken_folder_builds_the_plan_for_its_sample(clean, tmp_path):
    cache = tmp_path / "sql"
    broken = _copy(clean, tmp_path / "broken")
    frame = pd.read_parquet(broken / "referrals.parquet")
    frame.loc[2, "priority"] = "9"  # not an allowed code: row 3 of the file
    frame.to_parquet(broken / "referrals.parquet", index=False)
    _fresh_process()
    assert _kept(clean, cache).ok
    _fresh_process()
    kept = _kept(broken, cache)
    _fresh_process()
    built = _report(broken)
    assert kept.problems == built.problems
    assert [(p.table, p.column, p.rows) for p in kept.problems
            if p.rule is Rule.ENUM] == [("referrals", "priority", (3,))]


def test_damaged_kept_sql_is_written_again_not_used(clean, tmp_path):
    cache = tmp_path / "sql"
    _fresh_process()
    first = _kept(clean, cache)
    (entry,) = cache.glob("*.json")
    kept = json.loads(entry.read_text())
    for damaged in ("{not json", json.dumps([{"name": "people"}]),
                    json.dumps(kept)[:-100]):
        entry.write_text(damaged)
        _fresh_process()
        assert _kept(clean, cache).problems == first.problems
        assert json.loads(entry.read_text()) == kept


def test_kept_sql_other_extract_date_is_another_entry(clean, tmp_path):
    cache = tmp_path / "sql"
    later = _copy(clean, tmp_path / "later")
    package = json.loads((later / "datapackage.json").read_text())
    package["extract_date"] = (dt.date.fromisoformat(package["extract_date"])
                               + dt.timedelta(days=1)).isoformat()
    (later / "datapackage.json").write_text(json.dumps(package))
    _fresh_process()
    assert _kept(clean, cache).ok
    _fresh_process()
    assert _kept(later, cache).ok
    assert len(list(cache.glob("*.json"))) == 2
