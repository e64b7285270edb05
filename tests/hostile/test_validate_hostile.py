"""`lifetools validate` against broken extracts: a clean refusal, nothing echoed, nothing changed.

Each case breaks one thing in a copy of the session's synthetic extract and runs
``lifetools validate data --report report.json`` from the copy's parent folder. Every
case checks: the exit code (11 refused, 0 accepted with a warning, 18 unwritable
report), the rule in the report, no traceback, no identifier-shaped value, no planted
value and no machine path in stdout, stderr or the report file, and the data folder
unchanged.
"""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile_support import assert_clean, snapshot

from lifetools.pipeline.cli import main
from lifetools.validation import Rule, validate_directory

NHS = "9990000018"
PERSON = "ab" * 32
HANG_SECONDS = 300
"""A validate that takes longer has hung (a busy 2-core machine can take minutes)."""


def to_csv(data, table, edit=None, **kwargs):
    """Rewrite a table as CSV (dates as text) after ``edit(frame)``; return the path."""
    frame = pd.read_parquet(data / f"{table}.parquet")
    for col in frame.columns:
        if str(frame[col].dtype).startswith("datetime"):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    frame = edit(frame) if edit else frame
    (data / f"{table}.parquet").unlink()
    frame.to_csv(data / f"{table}.csv", index=False, **kwargs)
    return data / f"{table}.csv"


def cell(table, column, value, row=4, secret=False):
    def mutate(data):
        def edit(frame):
            frame = frame.astype({column: object})
            frame.loc[row, column] = value
            return frame
        to_csv(data, table, edit)
        return (str(value),) if secret else ()
    return mutate


def edit_csv(table, edit):
    def mutate(data):
        to_csv(data, table, edit)
        return ()
    return mutate


def died(frame, year_of_birth=None, death="2020-06-01"):
    frame = frame.astype({"date_of_death": object})
    frame.loc[3, "date_of_death"] = death
    if year_of_birth is not None:
        frame.loc[3, "year_of_birth"] = year_of_birth
    return frame


def duplicate_dead_person(frame):
    frame = died(frame)
    frame.loc[5, "date_of_death"] = "2021-01-01"
    frame.loc[5, "person_id"] = frame.loc[3, "person_id"]
    return frame


def package(edit):
    def mutate(data):
        path = data / "datapackage.json"
        content = json.loads(path.read_text())
        result = edit(content, path)
        if result is not None:
            path.write_text(json.dumps(result))
        return ()
    return mutate


def remove_package(data):
    (data / "datapackage.json").unlink()
    return ()


def both_files(data):
    frame = pd.read_parquet(data / "feedback.parquet")
    frame.to_csv(data / "feedback.csv", index=False)
    return ()


def unknown_file(data):
    (data / "notes.txt").write_text("see e-mail\n")
    (data / "old").mkdir()
    return ()


def symlink_out(data):
    outside = data.parent / "elsewhere.parquet"
    (data / "feedback.parquet").rename(outside)
    (data / "feedback.parquet").symlink_to(outside)
    return ()


def symlink_unknown_out(data):
    (data / "passwords").symlink_to("/etc/passwd")
    return ()


def broken_symlink(data):
    (data / "feedback.parquet").unlink()
    (data / "feedback.parquet").symlink_to(data / "nowhere.parquet")
    return ()


def fifo(name):
    def mutate(data):
        (data / name).unlink(missing_ok=True)
        os.mkfifo(data / name)
        return ()
    return mutate


def folder_as_table(data):
    (data / "feedback.parquet").unlink()
    (data / "feedback.parquet").mkdir()
    return ()


def long_value(data):
    to_csv(data, "feedback", lambda f: f.astype({"site": object}).assign(
        site=["Z" * 5000] + list(f["site"][1:])))
    return ("Z" * 41,)


def header_identifier(data):
    to_csv(data, "feedback", lambda f: f.assign(**{NHS: "x"}))
    return (NHS,)


def control_characters(data):
    to_csv(data, "feedback", lambda f: f.astype({"site": object}).assign(
        site=["\x1b[2J\x1b[31mgone"] + list(f["site"][1:])))
    return ("\x1b",)


def parquet_column(table, column, array):
    def mutate(data):
        frame = pq.read_table(data / f"{table}.parquet")
        index = frame.column_names.index(column)
        values = frame.column(column).to_pylist()
        values = array(values)
        frame = frame.set_column(index, column, values)
        pq.write_table(frame, data / f"{table}.parquet")
        return ()
    return mutate


def truncated_parquet(data):
    path = data / "wellbeing.parquet"
    path.write_bytes(path.read_bytes()[:300])
    return ()


def empty_file(data):
    (data / "feedback.parquet").unlink()
    (data / "feedback.csv").write_bytes(b"")
    return ()


def latin1(data):
    path = to_csv(data, "feedback")
    lines = path.read_bytes().split(b"\n")
    lines[7] = lines[7].replace(b",", "\u00e9,".encode("latin-1"), 1)
    path.write_bytes(b"\n".join(lines))
    return ()


def wide(data):
    path = to_csv(data, "feedback")
    header, *rows = path.read_text().splitlines()
    extra = ",".join(f"c{i}" for i in range(100_000))
    path.write_text("\n".join([f"{header},{extra}", *(r + "," * 100_000 for r in rows)]))
    return ()


def nul_bytes(data):
    path = to_csv(data, "feedback")
    path.write_bytes(path.read_bytes().replace(b",", b"\x00,", 3))
    return ()


CASES = {
    # dates and numbers outside their plausible range, impossible orders
    "date in 2099": (cell("referrals", "referral_date", "2099-01-01"), 11, Rule.PLAUSIBLE),
    "death before 1900": (cell("people", "date_of_death", "1850-01-01"), 11, Rule.PLAUSIBLE),
    "born after death": (edit_csv("people", lambda f: died(f, 2023)), 11,
                         Rule.YEAR_NOT_AFTER),
    "born after the extract": (cell("people", "year_of_birth", "2030"), 11, Rule.RANGE),
    "discharge before referral": (edit_csv("referrals", lambda f: f.assign(
        discharge_date=f["discharge_date"].where(f.index != 4, "2010-01-01"))), 11,
        Rule.NOT_BEFORE),
    "population implausible": (cell("deprivation", "population", "2500000"), 11,
                               Rule.PLAUSIBLE),
    "admission in the future": (cell("emergency_admissions", "admission_date",
                                     "2031-05-05"), 11, Rule.PLAUSIBLE),
    # the extract's package
    "no datapackage.json": (remove_package, 11, Rule.PACKAGE),
    "other dictionary version": (package(lambda c, p: {**c, "dictionary_version": "0.9"}),
                                 11, Rule.PACKAGE),
    "version is an NHS number": (package(lambda c, p: {**c, "dictionary_version": NHS}),
                                 11, Rule.PACKAGE),
    "extract date in the future": (package(lambda c, p: {**c, "extract_date":
                                                         "2999-01-01"}), 11, Rule.PACKAGE),
    "package not JSON": (package(lambda c, p: p.write_text("{nope")), 11, Rule.PACKAGE),
    "package huge": (package(lambda c, p: p.write_text(" " * 100_000 + "{}")), 11,
                     Rule.PACKAGE),
    "package is a pipe": (fifo("datapackage.json"), 11, Rule.FILE_NOT_REGULAR),
    # files of the folder
    "parquet and csv for one table": (both_files, 11, Rule.FILE_DUPLICATE),
    "unknown files": (unknown_file, 0, Rule.FILE_UNKNOWN),
    "symlink out of the folder": (symlink_out, 11, Rule.FILE_SYMLINK),
    "unknown symlink out of the folder": (symlink_unknown_out, 11, Rule.FILE_SYMLINK),
    "broken symlink": (broken_symlink, 11, Rule.FILE_UNREADABLE),
    "table is a pipe": (fifo("feedback.parquet"), 11, Rule.FILE_NOT_REGULAR),
    "table is a folder": (folder_as_table, 11, Rule.FILE_NOT_REGULAR),
    "truncated parquet": (truncated_parquet, 11, Rule.FILE_UNREADABLE),
    "empty csv file": (empty_file, 11, Rule.FILE_UNREADABLE),
    "latin-1 csv": (latin1, 11, Rule.ENCODING),
    "semicolons": (lambda d: (to_csv(d, "feedback", sep=";"), ())[1], 11, Rule.DELIMITER),
    "nul bytes": (nul_bytes, 11, Rule.ENCODING),
    "100,000 columns": (wide, 11, Rule.TOO_LONG),
    "header only": (edit_csv("feedback", lambda f: f.head(0)), 11, Rule.TABLE_EMPTY),
    # identifiers where they do not belong, long and strange values
    "nhs number in a code column": (cell("feedback", "site", NHS, secret=True), 11, Rule.ENUM),
    "spaced nhs number in a code column": (cell("feedback", "site", "999 000 0018", secret=True), 11,
                                           Rule.ENUM),
    "person id in a code column": (cell("life_rooms_contacts", "site", PERSON, secret=True), 11,
                                   Rule.ENUM),
    "date of birth in a code column": (cell("referrals", "team_type", "1984-03-02", secret=True), 11,
                                       Rule.PATTERN),
    "postcode in a code column": (cell("feedback", "site", "L1 8JQ", secret=True), 11, Rule.ENUM),
    "nhs number in a date column": (cell("referrals", "referral_date", NHS, secret=True), 11, Rule.TYPE),
    "nhs number as a column name": (header_identifier, 11, Rule.COLUMN_EXTRA),
    "5000-character value": (long_value, 11, Rule.ENUM),
    "terminal escape codes": (control_characters, 11, Rule.ENUM),
    # missing columns, duplicates, numbers that do not fit
    "required column missing": (edit_csv("people", lambda f: f.drop(
        columns="year_of_birth")), 11, Rule.COLUMN_MISSING),
    "person_id column missing": (edit_csv("people", lambda f: f.drop(
        columns="person_id")), 11, Rule.COLUMN_MISSING),
    "date_of_death column missing": (edit_csv("people", lambda f: f.drop(
        columns="date_of_death")), 11, Rule.COLUMN_MISSING),
    "lsoa column missing from deprivation": (edit_csv("deprivation", lambda f: f.drop(
        columns="lsoa_code")), 11, Rule.COLUMN_MISSING),
    "duplicate person among the dead": (edit_csv("people", duplicate_dead_person), 11,
                                        Rule.UNIQUE),
    "integer inf": (cell("feedback", "access_easy", "inf"), 11, Rule.TYPE),
    "integer 2^63": (cell("feedback", "access_easy", str(2**63)), 11, Rule.TYPE),
    "integer 1e400": (cell("feedback", "fft_response", "1e400"), 11, Rule.TYPE),
    "number -inf": (cell("wellbeing", "swemwbs_metric", "-inf"), 11, Rule.TYPE),
    "parquet integer as float inf": (parquet_column(
        "feedback", "access_easy", lambda v: pa.array([float("inf")] + v[1:],
                                                      pa.float64())), 11, Rule.TYPE),
    "parquet integer beyond int64": (parquet_column(
        "feedback", "access_easy", lambda v: pa.array([2**64 - 1] + v[1:], pa.uint64())),
        11, Rule.TYPE),
    "parquet date in year 9999": (parquet_column(
        "referrals", "referral_date", lambda v: pa.array(
            [np.datetime64("9999-01-01", "us")] + [np.datetime64(x, "us") for x in v[1:]],
            pa.timestamp("us"))), 11, Rule.TYPE),
    "optional column all empty": (edit_csv("referrals", lambda f: f.assign(
        honos_baseline="")), 0, Rule.COLUMN_EMPTY),
}


@pytest.fixture
def no_hang():
    def alarm(*_):
        raise TimeoutError("validate hung (a pipe was opened?)")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(HANG_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("case", list(CASES))
def test_validate_hostile_input_is_refused_cleanly(case, data, identifiers, capsys,
                                                   no_hang):
    mutate, code, rule = CASES[case]
    planted = mutate(data)
    before = snapshot(data)
    assert main(["validate", "data", "--report", "report.json"]) == code
    out, err = capsys.readouterr()
    report = (data.parent / "report.json").read_text()
    assert_clean([out, err, report], identifiers, planted)
    if rule is not None:
        assert f'"rule": "{rule.value}"' in report, report[:3000]
    assert snapshot(data) == before


def test_validate_hostile_long_value_is_echoed_cut_short(data, capsys):
    long_value(data)
    report = validate_directory(data)
    examples = [e for p in report.problems for e in p.examples]
    assert examples and all(len(e) <= 48 for e in examples)


def test_validate_hostile_warnings_do_not_fail(data):
    unknown_file(data)
    report = validate_directory(data)
    assert report.ok and {p.rule for p in report.warnings} == {Rule.FILE_UNKNOWN}
    assert "warning: file" in report.render()


def test_validate_hostile_missing_folder_and_unwritable_report(data, capsys):
    assert main(["validate", "nowhere"]) == 11
    assert main(["validate", "data", "--report", "missing/report.json"]) == 18
    out, err = capsys.readouterr()
    assert_clean([out, err], set())
    assert "OutputPathError" in err

