"""Validation: every broken input gets its clear message, rule and exit code.

The corpus of broken inputs is made here from one small clean synthetic dataset: each
case breaks one thing and checks the message names file, table, column, row and rule.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from lifetools.pipeline.cli import main
from lifetools.synthetic import write_synthetic
from lifetools.validation import Rule, raise_for_problems, validate_directory

TABLES = ("people", "referrals", "life_rooms_contacts", "deprivation", "ae_attendances",
          "emergency_admissions", "social_prescriptions", "wellbeing", "feedback")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean")
    write_synthetic(folder, people=2000, seed=3)
    return folder


@pytest.fixture
def data(clean, tmp_path):
    for name in TABLES:
        shutil.copyfile(clean / f"{name}.parquet", tmp_path / f"{name}.parquet")
    shutil.copyfile(clean / "datapackage.json", tmp_path / "datapackage.json")
    return tmp_path


def as_csv(folder, table, edit=None, **kwargs):
    frame = pd.read_parquet(folder / f"{table}.parquet")
    for col in frame.columns:
        if str(frame[col].dtype).startswith("datetime"):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    if edit:
        frame = edit(frame)
    (folder / f"{table}.parquet").unlink()
    frame.to_csv(folder / f"{table}.csv", index=False, **kwargs)
    return folder / f"{table}.csv"


def set_cell(column, value, row=4):
    def edit(frame):
        frame = frame.astype({column: object})
        frame.loc[row, column] = value
        return frame
    return edit


def problems(folder):
    report = validate_directory(folder)
    return report, {(p.table, p.column, p.rule) for p in report.problems}


def cli_validate(folder, monkeypatch):
    """``lifetools validate FOLDER``: its exit code, and the report and problems of the
    ``validate_directory`` call it made (recorded, not replaced: the folder is
    validated once, where calling both validated it twice, about 1 s of CPU each)."""
    import lifetools.pipeline.cli as cli

    reports = []
    real = cli.validate_directory

    def recorded(path):
        reports.append(real(path))
        return reports[-1]

    monkeypatch.setattr(cli, "validate_directory", recorded)
    code = main(["validate", str(folder)])
    (report,) = reports
    return code, report, {(p.table, p.column, p.rule) for p in report.problems}


def test_clean_synthetic_data_is_valid(clean, capsys, monkeypatch):
    code, report, _ = cli_validate(clean, monkeypatch)
    assert report.ok
    assert code == 0


CASES = {
    "impossible date": ("referrals", set_cell("referral_date", "2023-02-30"),
                        ("referrals", "referral_date", Rule.TYPE), "row 5"),
    "not a date": ("referrals", set_cell("discharge_date", "soon"),
                   ("referrals", "discharge_date", Rule.TYPE), "is not a valid date"),
    "code not in list": ("referrals", set_cell("closure_reason", "12"),
                         ("referrals", "closure_reason", Rule.ENUM), "'12'"),
    "pattern": ("referrals", set_cell("team_type", "CMHT"),
                ("referrals", "team_type", Rule.PATTERN), "does not match"),
    "out of range": ("feedback", set_cell("access_easy", "9"),
                     ("feedback", "access_easy", Rule.RANGE), "above the maximum 5"),
    "not a number": ("feedback", set_cell("fft_response", "good"),
                     ("feedback", "fft_response", Rule.TYPE), "not a whole number"),
    "required missing": ("referrals", set_cell("referral_source", ""),
                         ("referrals", "referral_source", Rule.REQUIRED), "has no value"),
    "duplicate key": ("referrals", lambda f: pd.concat([f, f.head(1)]),
                      ("referrals", "referral_id", Rule.UNIQUE), "repeats a value"),
    "broken foreign key": ("referrals", set_cell("person_id", "f" * 64),
                           ("referrals", "person_id", Rule.FOREIGN_KEY), "not found in"),
    "end before start": ("referrals", lambda f: f.assign(
        discharge_date=f["discharge_date"].where(f.index != 4, "2000-01-01")),
        ("referrals", "discharge_date", Rule.NOT_BEFORE), "end before start"),
    "missing column": ("feedback", lambda f: f.drop(columns="site"),
                       ("feedback", "site", Rule.COLUMN_MISSING), "missing from the file"),
    "extra column": ("feedback", lambda f: f.assign(comment="x"),
                     ("feedback", "comment", Rule.COLUMN_EXTRA), "not in the data dictionary"),
    "empty table": ("feedback", lambda f: f.head(0),
                    ("feedback", None, Rule.TABLE_EMPTY), "has no rows"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_input_is_reported_with_rule_and_exit_11(data, case, capsys, monkeypatch):
    table, edit, key, text = CASES[case]
    path = as_csv(data, table, edit)
    code, report, found = cli_validate(data, monkeypatch)
    assert key in found, report.render()
    assert code == 11
    err = capsys.readouterr().err
    assert path.name in err and f"table '{table}'" in err and text in err
    assert str(data) not in err
    assert f"[rule: {key[2].value}]" in err and "Traceback" not in err


def test_identifier_values_are_never_echoed(data, capsys):
    as_csv(data, "people", set_cell("person_id", "not-a-hash-1234567890"))
    assert main(["validate", str(data)]) == 11
    err = capsys.readouterr().err
    assert "column 'person_id'" in err and "not-a-hash" not in err


def test_wrong_delimiter(data, capsys):
    as_csv(data, "feedback", sep=";")
    report, found = problems(data)
    assert ("feedback", None, Rule.DELIMITER) in found
    assert "uses ';'" in report.render()


def test_wrong_encoding(data):
    path = as_csv(data, "feedback")
    path.write_bytes(path.read_bytes().replace(b"Walton", "Walt\u00f6n".encode("latin-1")))
    report, found = problems(data)
    assert ("feedback", None, Rule.ENCODING) in found


def test_truncated_parquet(data):
    path = data / "wellbeing.parquet"
    path.write_bytes(path.read_bytes()[:200])
    report, found = problems(data)
    assert ("wellbeing", None, Rule.FILE_UNREADABLE) in found
    assert "truncated or not Parquet" in report.render()


def test_missing_file_and_missing_folder(data, tmp_path):
    (data / "feedback.parquet").unlink()
    report, found = problems(data)
    assert ("feedback", None, Rule.FILE_MISSING) in found
    assert not validate_directory(tmp_path / "nowhere").ok


def test_contact_after_death(data):
    people = pd.read_parquet(data / "people.parquet")
    contacts = pd.read_parquet(data / "life_rooms_contacts.parquet")
    person = contacts["person_id"].dropna().iloc[0]
    people.loc[people["person_id"] == person, "date_of_death"] = pd.Timestamp("2019-04-02")
    people.to_parquet(data / "people.parquet", index=False)
    report, found = problems(data)
    assert ("life_rooms_contacts", "contact_date", Rule.AFTER_DEATH) in found


def test_report_writes_csv_and_json_and_raises(data, tmp_path):
    as_csv(data, "feedback", set_cell("access_easy", "9"))
    report = validate_directory(data)
    assert "access_easy" in report.write(tmp_path / "r.csv").read_text()
    assert '"rule": "range"' in report.write(tmp_path / "r.json").read_text()
    from lifetools.errors import DataValidationError

    with pytest.raises(DataValidationError):
        raise_for_problems(report)


@pytest.mark.parametrize(("value", "withheld"), [
    ("9990000018", True), ("999 000 0018", True), ("999-000-0018", True),
    ("ab" * 32, True), ("1984-03-02", True), ("02/03/1984", True), ("L1 8JQ", True),
    ("12345678", True), ("Walton", False), ("12", False), ("A06", False),
])
def test_safe_text_withholds_identifier_shapes_anywhere(value, withheld):
    from lifetools.redaction import safe_text

    assert (safe_text(f"x {value} y") == "(value withheld)") is withheld
    assert len(safe_text("z" * 1000)) == 43 and safe_text("a\x1bb") == "a?b"


def test_date_after_extract_and_birth_after_death(data):
    as_csv(data, "people", lambda f: f.astype({"date_of_death": object}).assign(
        date_of_death=["2026-01-01", "2010-05-05"] + [None] * (len(f) - 2),
        year_of_birth=[1950, 2012] + list(f["year_of_birth"][2:])))
    report, found = problems(data)
    assert ("people", "date_of_death", Rule.PLAUSIBLE) in found
    assert ("people", "year_of_birth", Rule.YEAR_NOT_AFTER) in found
    text = report.render()
    assert "after the plausible end 2025-03-31" in text and "2026-01-01" not in text


@pytest.mark.parametrize(("edit", "message"), [
    (lambda p: p.unlink(), "no datapackage.json"),
    (lambda p: p.write_text(p.read_text().replace('"1.0.0"', '"2.0.0"')),
     "made for dictionary version 2.0.0, this is version 1.0.0"),
    (lambda p: p.write_text(p.read_text().replace("2025-03-31", "2025-02-30")),
     "no valid extract_date"),
    (lambda p: p.write_text("[]"), "not a JSON object"),
])
def test_extract_package_missing_or_different_is_an_error(data, edit, message,
                                                         monkeypatch):
    edit(data / "datapackage.json")
    code, report, found = cli_validate(data, monkeypatch)
    assert ("(package)", None, Rule.PACKAGE) in found and message in report.render()
    assert code == 11


def test_two_files_for_one_table_are_refused_and_neither_read(data):
    pd.read_parquet(data / "feedback.parquet").head(0).to_csv(data / "feedback.csv")
    report, found = problems(data)
    assert ("feedback", None, Rule.FILE_DUPLICATE) in found
    assert not any(p.table == "feedback" and p.rule == Rule.TABLE_EMPTY
                   for p in report.problems)


def test_unlistable_folder_is_a_problem_not_a_traceback(data, monkeypatch):
    import os

    def refuse(path):
        raise PermissionError(13, "denied")

    monkeypatch.setattr(os, "scandir", refuse)
    report, found = problems(data)
    assert ("(folder)", None, Rule.FILE_UNREADABLE) in found
    assert "cannot be listed" in report.render()
