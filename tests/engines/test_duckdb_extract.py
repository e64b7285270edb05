"""A DuckDB database file as the extract: loading, validation and bad input.

The file is made from a Parquet folder by ``lt.engines.write_duckdb``; every table then
loads to frames equal, value for value and type for type, to the folder's. The full
build from such a file publishes the same result files as the folder's build
(``tests/functional/test_integrity.py``).
"""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

import lifetools as lt
from lifetools.errors import DataValidationError, UserError
from lifetools.loading import TABLES
from lifetools.pipeline.build import duckdb_fingerprint, prepare_data
from lifetools.pipeline.cli import main
from lifetools.pipeline.series import load_series
from lifetools.synthetic import write_synthetic
from lifetools.validation import Rule, validate_directory


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    """A small synthetic extract as a Parquet folder and as a DuckDB file beside it."""
    root = tmp_path_factory.mktemp("duckdb-extract")
    write_synthetic(root / "folder", people=600, seed=11)
    (root / "file").mkdir()
    return root / "folder", lt.engines.write_duckdb(root / "folder",
                                                    root / "file" / "extract.duckdb")


def _changed(extract, tmp_path, sql: str):
    """A copy of the extract's DuckDB file with ``sql`` applied."""
    shutil.copyfile(extract[1].parent / "datapackage.json", tmp_path / "datapackage.json")
    target = tmp_path / "changed.duckdb"
    shutil.copyfile(extract[1], target)
    with duckdb.connect(str(target)) as connection:
        connection.execute(sql)
    return target


def test_load_dataset_duckdb_file_equals_parquet_folder(extract):
    folder, file = extract
    from_folder, from_file = lt.load_dataset(folder), lt.load_dataset(file)
    compared = 0
    for name in TABLES:
        expected = getattr(from_folder, name)
        if expected is None:
            assert getattr(from_file, name) is None
            continue
        pd.testing.assert_frame_equal(getattr(from_file, name), expected, check_exact=True)
        compared += 1
    assert compared >= 8
    only = lt.load_dataset(file, tables=["referrals"],
                           columns={"referrals": ["person_id", "referral_date"]})
    assert list(only.referrals.columns) == ["person_id", "referral_date"]
    assert only.people is None


def test_validate_duckdb_file_clean_extract_is_ok(extract):
    report = validate_directory(extract[1])
    assert report.ok, report.render()


def test_write_duckdb_existing_target_refused(extract):
    with pytest.raises(UserError, match="does not overwrite"):
        lt.engines.write_duckdb(extract[0], extract[1])


def test_validate_duckdb_missing_table_named_exit_11(extract, tmp_path, capsys):
    bad = _changed(extract, tmp_path, "DROP TABLE wellbeing")
    report = validate_directory(bad)
    assert [(p.table, p.rule) for p in report.errors] == [("wellbeing", Rule.FILE_MISSING)]
    assert main(["validate", str(bad)]) == 11
    err = capsys.readouterr().err
    assert "no table 'wellbeing'" in err and "Traceback" not in err


def test_validate_duckdb_text_dates_named_by_table_and_column(extract, tmp_path, capsys):
    bad = _changed(extract, tmp_path, "CREATE OR REPLACE TABLE referrals AS SELECT * "
                   "REPLACE (CAST(referral_date AS VARCHAR) AS referral_date) FROM referrals")
    report = validate_directory(bad)
    assert [(p.table, p.column, p.rule) for p in report.errors] == [
        ("referrals", "referral_date", Rule.TYPE)]
    assert main(["validate", str(bad)]) == 11
    err = capsys.readouterr().err
    assert "column 'referral_date': is stored as VARCHAR; the dictionary says a date" in err
    assert "Traceback" not in err


def test_validate_not_a_duckdb_file_is_a_problem_not_a_crash(tmp_path, capsys):
    bad = tmp_path / "extract.duckdb"
    bad.write_text("person_id,nhs_number\n1,9434765919\n")
    report = validate_directory(bad)
    assert [p.rule for p in report.errors] == [Rule.FILE_UNREADABLE]
    assert main(["validate", str(bad)]) == 11
    err = capsys.readouterr().err
    assert "is not a DuckDB database file" in err
    assert "9434765919" not in err and "Traceback" not in err


def test_validate_duckdb_bad_rows_reported_as_for_the_folder(extract, tmp_path):
    """A value out of its allowed set is found in the file at the folder's row number."""
    bad = _changed(extract, tmp_path, "UPDATE people SET sex = 'Z' WHERE rowid = 4")
    report = validate_directory(bad)
    assert [(p.table, p.column, p.rule, p.rows) for p in report.errors] == [
        ("people", "sex", Rule.ENUM, (5,))]


def test_prepare_data_duckdb_fingerprint_in_engine_and_manifest_record(extract, tmp_path):
    series = load_series()
    data = prepare_data(series, data_dir=extract[1])
    assert data.engine["source"] == "duckdb" and data.engine["engine"] == "duckdb"
    assert str(extract[1]) not in repr(data.engine)
    assert data.engine["tables"]["people"]["rows"] == 600
    assert data.fingerprint == duckdb_fingerprint(extract[1])[0]
    retyped = _changed(extract, tmp_path, "CREATE OR REPLACE TABLE referrals AS SELECT * "
                       "REPLACE (CAST(referral_date AS VARCHAR) AS referral_date) "
                       "FROM referrals")
    # the same values as text: the stored types tell the two files apart
    assert duckdb_fingerprint(retyped)[0]["combined"] != data.fingerprint["combined"]
    with pytest.raises(DataValidationError, match="referral_date"):
        prepare_data(series, data_dir=retyped)


def test_prepare_data_not_a_duckdb_file_refused(tmp_path):
    bad = tmp_path / "extract.duckdb"
    bad.write_bytes(b"\0" * 64)
    with pytest.raises(DataValidationError, match="is not a DuckDB database file") as error:
        prepare_data(load_series(), data_dir=bad)
    assert error.value.exit_code == 11


_INJECTED = """
UPDATE people SET sex = 'Z' WHERE rowid IN (4, 9);
UPDATE people SET year_of_birth = 1850 WHERE rowid = 6;
UPDATE people SET person_id = (SELECT person_id FROM people WHERE rowid = 0) WHERE rowid = 12;
UPDATE people SET lsoa_code = 'W0100001' WHERE rowid = 15;
UPDATE people SET date_of_death = TIMESTAMP '2010-06-01' WHERE rowid = 20;
UPDATE people SET year_of_birth = 2015 WHERE rowid = 21 AND date_of_death IS NOT NULL;
UPDATE referrals SET team_type = NULL WHERE rowid IN (2, 7);
UPDATE referrals SET referral_source = '' WHERE rowid = 3;
UPDATE referrals SET priority = '7' WHERE rowid = 5;
UPDATE referrals SET honos_baseline = 60 WHERE rowid = 8;
UPDATE referrals SET discharge_date = referral_date - INTERVAL 3 DAY WHERE rowid = 10;
UPDATE referrals SET closure_reason = '01', discharge_date = NULL WHERE rowid = 11;
UPDATE referrals SET referral_id = (SELECT referral_id FROM referrals WHERE rowid = 1)
  WHERE rowid = 13;
UPDATE referrals SET person_id = repeat('f', 64) WHERE rowid = 14;
UPDATE referrals SET person_id = (SELECT person_id FROM people WHERE rowid = 20),
  referral_date = TIMESTAMP '2020-01-01' WHERE rowid = 16;
"""


def test_validate_duckdb_in_engine_report_equals_pandas_checks_on_bad_rows(extract,
                                                                            tmp_path):
    bad = _changed(extract, tmp_path, _INJECTED)
    from lifetools.engines.checks import validate_duckdb

    in_engine = validate_duckdb(bad)
    in_pandas = validate_duckdb(bad, in_engine=False)
    assert in_engine.problems == in_pandas.problems
    assert in_engine.render() == in_pandas.render()
    rules = {(p.table, p.rule) for p in in_engine.errors}
    assert {("people", Rule.ENUM), ("people", Rule.RANGE), ("people", Rule.UNIQUE),
            ("people", Rule.PATTERN), ("referrals", Rule.REQUIRED),
            ("referrals", Rule.NOT_BEFORE), ("referrals", Rule.PRESENT_TOGETHER),
            ("referrals", Rule.FOREIGN_KEY), ("referrals", Rule.AFTER_DEATH)} <= rules
    sex = next(p for p in in_engine.errors if p.rule is Rule.ENUM and p.table == "people")
    assert sex.count == 2 and sex.rows == (5, 10) and sex.examples == ()  # quasi-identifier
    priority = next(p for p in in_engine.errors if p.column == "priority")
    assert priority.rows == (6,) and priority.examples == ("'7'",)
    assert not any(p.examples for p in in_engine.problems if p.column == "person_id")


def test_write_duckdb_csv_table_stored_typed_loads_equal(extract, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name in ("people", "referrals"):
        frame = pd.read_parquet(extract[0] / f"{name}.parquet")
        frame.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    shutil.copyfile(extract[0] / "datapackage.json", folder / "datapackage.json")
    (tmp_path / "out").mkdir()
    file = lt.engines.write_duckdb(folder, tmp_path / "out" / "csv.duckdb")
    for name in ("people", "referrals"):
        pd.testing.assert_frame_equal(getattr(lt.load_dataset(file, tables=[name]), name),
                                      getattr(lt.load_dataset(folder, tables=[name]), name),
                                      check_exact=True)
    from lifetools.engines.checks import duckdb_types

    assert duckdb_types(file)["referrals"]["referral_date"].startswith("TIMESTAMP")


def test_missing_duckdb_path_is_named_a_file_not_a_folder(tmp_path, capsys):
    gone = tmp_path / "extract.duckdb"
    report = validate_directory(gone)
    assert [(p.rule, p.message) for p in report.errors] == [
        (Rule.FILE_MISSING, "the DuckDB file extract.duckdb does not exist")]
    assert main(["validate", str(gone)]) == 11
    err = capsys.readouterr().err
    assert "the DuckDB file extract.duckdb does not exist" in err and "folder" not in err
    with pytest.raises(DataValidationError, match="the DuckDB file does not exist"):
        prepare_data(load_series(), data_dir=gone)
    with pytest.raises(DataValidationError, match="DuckDB file extract.duckdb does not"):
        lt.load_dataset(gone)


def test_load_dataset_duckdb_file_tables_kept_in_the_warm_cache(extract, tmp_path,
                                                                 monkeypatch):
    from lifetools import loading

    monkeypatch.setenv(loading.ENV_DATASET_CACHE, "1")
    monkeypatch.setattr(loading, "_TYPED", {})
    file = _changed(extract, tmp_path, "SELECT 1")
    first = lt.load_dataset(file, tables=["people"]).people
    reads = []
    real = loading.read_duckdb_table
    monkeypatch.setattr(loading, "read_duckdb_table",
                        lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    first["sex"] = "Z"  # a notebook's own column changes no other's frame
    with pytest.raises(ValueError, match="read-only"):  # its shared values: loudly
        first.loc[0, "year_of_birth"] = 1900
    second = lt.load_dataset(file, tables=["people"]).people
    assert reads == []
    pd.testing.assert_frame_equal(second, lt.load_dataset(extract[1],
                                                          tables=["people"]).people)
    assert reads == ["people"]  # another file: read, not taken from the cache
    with duckdb.connect(str(file)) as connection:
        connection.execute("DELETE FROM people WHERE rowid = 0")
    assert len(lt.load_dataset(file, tables=["people"]).people) == 599
    assert reads == ["people", "people"]  # the changed file is read again


@pytest.mark.parametrize("kind", [0, 1], ids=["folder", "duckdb-file"])
def test_reproduce_fingerprints_the_data_as_the_build_does(extract, kind):
    """``lifetools reproduce`` and the build share one fingerprinting path (the
    fingerprint, the engine record and the column keys a run's key is made of): a
    reproduced run can only record the published key if the two agree."""
    from lifetools.pipeline import reproduce

    built = prepare_data(load_series(), data_dir=extract[kind])
    again = reproduce._data({"data": {"synthetic": None}}, extract[kind], lambda _l: None)
    assert (again.fingerprint, again.engine, again.columns) == (
        built.fingerprint, built.engine, built.columns)
    assert again.columns and again.engine["source"] == ("files", "duckdb")[kind]
