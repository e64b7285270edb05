"""A PostgreSQL database as the extract: validation on the server, tables as frames,
and no credential in any output.

The extract folder is loaded into a database of the throwaway server (``conftest``);
the analyst logs in over TCP with a password from the environment or an owner-only
file. The full build from such a database is ``tests/engines/test_engine_build.py``.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from engine_helpers import (
    ANALYST_PASSWORD,
    identifying_columns,
    load_folder,
    sort_by_key,
    write_bad_values,
)

import lifetools as lt
from lifetools import engines
from lifetools.loading import TABLES
from lifetools.pipeline.build import prepare_data
from lifetools.pipeline.cli import main
from lifetools.pipeline.series import load_series
from lifetools.synthetic import write_synthetic
from lifetools.validation import Rule, validate_directory

pytestmark = pytest.mark.xdist_group("postgres")  # one server, on one worker


@pytest.fixture(scope="module")
def small(postgres, tmp_path_factory):
    """A 600-person extract folder (rows in key order) and the same tables in database
    ``small``."""
    folder = tmp_path_factory.mktemp("server-extract") / "folder"
    write_synthetic(folder, people=600, seed=11)
    sort_by_key(folder)
    return folder, load_folder(postgres, folder, "small")


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(engines.PASSWORD_ENV, ANALYST_PASSWORD)
    monkeypatch.delenv("PGPASSWORD", raising=False)


def _found(report):
    """The problems of the tables (a folder's extra files and package aside)."""
    return [(p.table, p.column, p.rule, p.count, p.rows, p.examples)
            for p in report.problems if p.rule not in (Rule.PACKAGE, Rule.FILE_UNKNOWN)]


def test_validate_postgres_clean_extract_passes_as_the_folder(small, password):
    report = validate_directory(small[1])
    assert report.ok, report.render()
    assert [p.rule for p in report.warnings if p.rule is Rule.PACKAGE] == [Rule.PACKAGE]
    assert _found(report) == _found(validate_directory(small[0]))


_BAD = {"people": {"sex": {4: "Z", 9: "Z"}},
        "referrals": {"priority": {5: "7"}, "person_id": {14: "f" * 64}}}


def test_validate_postgres_bad_rows_found_at_the_folders_rows(small, postgres, password,
                                                              tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(small[0], folder)
    write_bad_values(folder, _BAD)
    in_folder = validate_directory(folder)
    on_server = validate_directory(load_folder(postgres, folder, "bad"))
    assert _found(on_server) == _found(in_folder)
    assert {(p.table, p.column, p.rule) for p in on_server.errors} == {
        ("people", "sex", Rule.ENUM), ("referrals", "priority", Rule.ENUM),
        ("referrals", "person_id", Rule.FOREIGN_KEY)}
    sex = next(p for p in on_server.errors if p.column == "sex")
    assert sex.rows == (5, 10) and sex.examples == ()  # a quasi-identifier: no values


def test_validate_postgres_samples_fetch_no_identifier_values(small, postgres, password,
                                                              tmp_path, fetched_columns):
    """Bad identifier values on the server: the sample queries fetch their rows' numbers
    only (no identifier value leaves the server), and the report is the folder's."""
    folder = write_bad_values(shutil.copytree(small[0], tmp_path / "bad"))
    in_folder = validate_directory(folder)
    fetched_columns.clear()
    on_server = validate_directory(load_folder(postgres, folder, "bad_identifiers",
                                               numbered=True))  # the file's row order
    assert fetched_columns  # the samples ran on the server
    assert [c for cs in fetched_columns for c in cs if c in identifying_columns()] == []
    assert _found(on_server) == _found(in_folder)
    assert [(p.message, p.rows) for p in on_server.errors] == [
        (p.message, p.rows) for p in in_folder.errors]
    assert {(p.table, p.column) for p in on_server.errors} >= {
        ("people", "person_id"), ("people", "lsoa_code"), ("people", "year_of_birth"),
        ("people", "sex"), ("life_rooms_contacts", "nationality"),
        ("wellbeing", "person_id")}
    assert [p.examples for p in on_server.errors if p.column == "priority"] == [("'7'",)]


def test_load_dataset_postgres_frames_equal_the_folders(small, password):
    from_server, from_folder = lt.load_dataset(small[1]), lt.load_dataset(small[0])
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(from_server, name),
                                      getattr(from_folder, name), check_exact=True,
                                      check_frame_type=False)  # a folder's frames record reads
    assert lt.engines.engine_tables(from_server).engine == "postgres"
    only = lt.load_dataset(small[1], tables=["referrals"],
                           columns={"referrals": ["person_id", "referral_date"]})
    assert list(only.referrals.columns) == ["person_id", "referral_date"]
    assert only.people is None


def test_prepare_data_postgres_fingerprint_on_the_server_names_no_place(small, password):
    data = prepare_data(load_series(), data_dir=small[1])
    assert data.engine["source"] == "postgres" and data.engine["engine"] == "postgres"
    assert data.engine["tables"]["people"]["rows"] == 600
    shown = repr(data.engine) + repr(data.fingerprint)
    assert "analyst" not in shown and "127.0.0.1" not in shown
    assert ANALYST_PASSWORD not in shown
    series = load_series()
    from_file = series.model_copy(update={"data": series.data.model_copy(
        update={"source": small[1]})})  # analyses.yml's data: source:
    assert prepare_data(from_file).fingerprint == data.fingerprint


def test_validate_postgres_password_never_in_any_output(small, tmp_path, capsys,
                                                        monkeypatch):
    monkeypatch.delenv(engines.PASSWORD_ENV, raising=False)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    secret = tmp_path / "pw"
    secret.write_text(ANALYST_PASSWORD + "\n")
    secret.chmod(0o600)
    monkeypatch.setenv(engines.PASSWORD_FILE_ENV, str(secret))
    report = tmp_path / "report.json"
    assert main(["validate", small[1], "--report", str(report)]) == 0
    written = [capsys.readouterr(), report.read_text()]
    monkeypatch.setenv(engines.PASSWORD_ENV, "not-" + ANALYST_PASSWORD)
    assert main(["validate", small[1]]) == 22  # refused login: an engine error
    written.append(capsys.readouterr())
    with_password = small[1].replace("analyst@", f"analyst:{ANALYST_PASSWORD}@")
    assert main(["validate", with_password]) != 0  # refused before connecting
    written.append(capsys.readouterr())
    text = repr(written)
    assert "refused the login of user analyst" in text
    assert "has a password in it" in text
    assert ANALYST_PASSWORD not in text and "Traceback" not in text


def test_load_dataset_postgres_numbered_rows_keep_an_unsorted_folders_order(
        postgres, password, tmp_path):
    folder = tmp_path / "unsorted"
    write_synthetic(folder, people=300, seed=12)
    frame = pd.read_parquet(folder / "people.parquet").sample(frac=1, random_state=1)
    frame.loc[frame.index[3], "sex"] = "Z"  # rows not in key order, one bad value
    frame.to_parquet(folder / "people.parquet", index=False)
    url = load_folder(postgres, folder, "numbered", numbered=True)
    from_server, from_folder = lt.load_dataset(url), lt.load_dataset(folder)
    assert not frame["person_id"].is_monotonic_increasing
    for name in TABLES:  # the folder's row order, and no __row column
        pd.testing.assert_frame_equal(getattr(from_server, name),
                                      getattr(from_folder, name), check_exact=True,
                                      check_frame_type=False)
    on_server, in_folder = validate_directory(url), validate_directory(folder)
    assert _found(on_server) == _found(in_folder)  # no unknown column __row
    assert next(p for p in on_server.errors if p.column == "sex").rows == (4,)


def test_describe_population_on_postgres_equals_the_folders(small, password):
    from lifetools.describe import describe_population

    period = {"period_start": "2023-04-01", "period_end": "2024-03-31"}
    on_server = describe_population(lt.load_dataset(small[1]), **period)
    in_folder = describe_population(lt.load_dataset(small[0]), **period)
    for part in ("counts", "characteristics", "monthly"):
        assert getattr(on_server, part).to_csv() == getattr(in_folder, part).to_csv()
    assert on_server.count("caseload") > 0


@pytest.mark.parametrize("locality", ["all", "North Liverpool"])
def test_wellbeing_report_on_postgres_fetches_only_its_locality_and_equals_the_folders(
        small, password, locality):
    from lifetools.people import locality_rows
    from lifetools.reports import analyse_wellbeing

    on_server, in_folder = lt.load_dataset(small[1]), lt.load_dataset(small[0])
    rows = locality_rows(on_server, "wellbeing", locality)
    expected = locality_rows(in_folder, "wellbeing", locality)
    pd.testing.assert_frame_equal(rows, expected, check_exact=True,
                                  check_frame_type=False)
    assert 0 < len(rows) <= len(in_folder.wellbeing)
    if locality != "all":
        assert len(rows) < len(in_folder.wellbeing)
    period = {"period_start": "2023-04-01", "period_end": "2024-03-31"}
    on_server = lt.load_dataset(small[1])
    report = analyse_wellbeing(on_server, **period, locality=locality)
    assert "wellbeing" not in on_server._frames  # never fetched whole
    folder_report = analyse_wellbeing(in_folder, **period, locality=locality)
    assert report.estimates.to_csv() == folder_report.estimates.to_csv()
    assert report.counts.frame.to_csv() == folder_report.counts.frame.to_csv()
    assert repr(report.key_results) == repr(folder_report.key_results)
