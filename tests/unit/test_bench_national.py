"""``benchmarks/bench_national.py``: re-keyed copies of an extract are a valid extract.

The national-scale benchmark (issue 18) copies a 1,500,000-person extract ten times; here
three copies of a tiny one must pass the data dictionary's checks, keep person and row ids
unique, re-key each copy as documented and give three times the per-person cohort rows.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import duckdb
import pytest

import lifetools as lt
from lifetools.synthetic import write_synthetic
from lifetools.validation import validate_directory

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
COPIES = 3


def _module():
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("bench_national",
                                                  BENCHMARKS / "bench_national.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    source = tmp_path_factory.mktemp("source")
    write_synthetic(source, people=200, seed=11)
    out = tmp_path_factory.mktemp("copies")
    rows = _module().shard_extract(source, out, COPIES, memory_limit="500MB")
    return source, out, rows


def _column(folder: Path, table: str, column: str) -> list:
    path = str(folder / f"{table}.parquet")
    return [r[0] for r in duckdb.sql(
        f"SELECT {column} FROM read_parquet('{path}', file_row_number = true) "
        "ORDER BY file_row_number").fetchall()]


def test_copies_pass_every_dictionary_check(copied):
    _source, out, _rows = copied
    report = validate_directory(out)
    assert report.ok, [(p.table, p.column, p.rule) for p in report.problems]


def test_person_ids_rekeyed_per_copy_unique_and_64_hex(copied):
    source, out, rows = copied
    original = _column(source, "people", "person_id")
    ids = _column(out, "people", "person_id")
    n = len(original)
    assert rows["people"] == len(ids) == COPIES * n and len(set(ids)) == len(ids)
    assert ids[:n] == original  # copy 0 keeps its ids
    for copy in range(1, COPIES):
        assert ids[copy * n:(copy + 1) * n] == [
            hashlib.sha256(f"national copy {copy}:{i}".encode()).hexdigest()
            for i in original]
    assert all(len(i) == 64 and set(i) <= set("0123456789abcdef") for i in ids)
    # every table's people are the copies' people, missing ids stay missing
    for table in ("referrals", "life_rooms_contacts", "wellbeing"):
        before = _column(source, table, "person_id")
        after = _column(out, table, "person_id")
        assert len(after) == COPIES * len(before)
        assert sum(i is None for i in after) == COPIES * sum(i is None for i in before)
        assert {i for i in after if i is not None} <= set(ids)


def test_row_ids_renumbered_unique_in_order(copied):
    _source, out, _rows = copied
    ids = _column(out, "referrals", "referral_id")
    assert len(set(ids)) == len(ids)
    assert ids == [f"R{i:06d}" for i in range(1, len(ids) + 1)]
    assert _column(out, "deprivation", "lsoa_code") == sorted(
        set(_column(out, "deprivation", "lsoa_code")), key=_column(
            out, "deprivation", "lsoa_code").index)  # copied once, no repeats


def test_cohorts_on_the_copies_have_copies_times_the_people(copied):
    source, out, _rows = copied
    spec = lt.cohort.CohortSpec("2021-04-01", "2024-03-31")
    sizes = []
    for folder in (source, out):
        tables = lt.engines.connect(lt.engines.parse_source(folder))
        sizes.append(len(lt.cohort.build_discharge_cohort(tables, spec).data))
        tables.backend.disconnect()
    assert sizes[0] > 0 and sizes[1] == COPIES * sizes[0]


def test_source_merged_from_shards_still_gives_unique_ids(copied, tmp_path):
    """An extract merged by ``steps.py generate`` holds ids re-keyed as ``"1:" + id``
    beside the ids they came from (the same pseudonyms in both generated shards)."""
    source, _out, _rows = copied
    people = duckdb.sql(f"SELECT * FROM read_parquet('{source / 'people.parquet'}')").df()
    rekeyed = people.assign(person_id=[hashlib.sha256(f"1:{i}".encode()).hexdigest()
                                       for i in people["person_id"]])
    merged = tmp_path / "merged"
    merged.mkdir()
    import pandas as pd

    pd.concat([people, rekeyed], ignore_index=True).to_parquet(
        merged / "people.parquet", index=False)
    out = tmp_path / "copies"
    _module().shard_extract(merged, out, COPIES, ("people",), memory_limit="500MB")
    ids = _column(out, "people", "person_id")
    assert len(ids) == COPIES * 2 * len(people) and len(set(ids)) == len(ids)


def test_repeated_ids_refused_whichever_table_is_copied_last(copied, tmp_path):
    # the check sat after the loop over tables: it tested the last table copied
    # (referrals sorts after people), so the 15M run's people were never checked
    import shutil

    import pandas as pd

    source, _out, _rows = copied
    people = duckdb.sql(f"SELECT * FROM read_parquet('{source / 'people.parquet'}')").df()
    repeated = tmp_path / "repeated"
    repeated.mkdir()
    pd.concat([people, people.head(3)], ignore_index=True).to_parquet(
        repeated / "people.parquet", index=False)
    shutil.copyfile(source / "referrals.parquet", repeated / "referrals.parquet")
    with pytest.raises(ValueError, match="person ids repeat"):
        _module().shard_extract(repeated, tmp_path / "copies", COPIES,
                                ("people", "referrals"), memory_limit="500MB")


def test_person_time_under_a_memory_limit_reports_the_limit_and_the_counts(copied,
                                                                           tmp_path):
    # --person-time: the windowed counts under each limit, the same rows with or without
    source, _out, _rows = copied
    module = _module()
    runs = {limit: module.person_time_child(str(source), limit, str(tmp_path / limit))
            for limit in ("none", "20MB")}
    assert runs["20MB"]["duckdb_memory_limit"] == "19.0 MiB"  # 20 MB, as DuckDB shows it
    assert runs["none"]["duckdb_memory_limit"] != "19.0 MiB"
    assert runs["none"]["error"] is None and runs["20MB"]["error"] is None
    assert runs["none"]["rows"] == runs["20MB"]["rows"] and runs["none"]["rows"]["periods"]
    # 200 people do not spill under 20 MB: the spill's size is a measured number
    assert isinstance(runs["20MB"]["spill_peak_mb"], float) and (tmp_path / "20MB").is_dir()
    assert "| 20MB | 19.0 MiB |" in module._person_time_markdown(
        {"people": 200, "started": "", "finished": "", "commit": "", "load_before": [],
         "load_after": [], "command": "", "builds": list(runs.values())})


def test_both_results_start_with_one_header(copied):
    # the cohort and --person-time results share one header (_header), written once
    source, _out, _rows = copied
    header = _module()._header("2026-12-06 18:00", [0.5, 0.4, 0.3], source)
    assert list(header) == ["started", "finished", "commit", "load_before", "load_after",
                            "command", "people"]
    assert header["people"] == 200 and header["load_before"] == [0.5, 0.4, 0.3]
    assert header["command"].startswith("benchmarks/bench_national.py")
