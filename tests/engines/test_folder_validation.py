"""A data folder validated in DuckDB gives the report the pandas checks give.

Every broken input of ``tests/unit/test_validation.py`` and
``tests/hostile/test_validate_hostile.py`` (imported from those files, so a case added
there is compared here), and CSV forms the two readers could take differently (blank
lines, short rows, a quoted line break, a byte-order mark, repeated header names, text
numbers), are validated both ways: the problems (file, table, column, rule, message,
count, rows, examples, level) must be equal and in the same order. The folder and a
DuckDB file holding the same bad rows give the same report.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from engine_helpers import identifying_columns, write_bad_values

import lifetools as lt
from lifetools.dictionary import load_dictionary
from lifetools.synthetic import write_synthetic
from lifetools.validation import Rule, validate_directory, validate_tables

TESTS = Path(__file__).resolve().parents[1]


def _module(path: Path):
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"_compared_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


UNIT = _module(TESTS / "unit" / "test_validation.py")
HOSTILE = _module(TESTS / "hostile" / "test_validate_hostile.py")


def _csv(table, text):
    def mutate(data):
        raw = text(_as_text(data, table))
        (data / f"{table}.parquet").unlink()
        (data / f"{table}.csv").write_bytes(raw)
        return ()
    return mutate


def _as_text(data, table) -> bytes:
    frame = pd.read_parquet(data / f"{table}.parquet")
    for col in frame.columns:
        if str(frame[col].dtype).startswith("datetime"):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return frame.to_csv(index=False).encode()


def _lines(edit):
    return lambda raw: b"\n".join(edit(raw.split(b"\n")))


def _repeated(ids: list) -> list:
    """The first nine ids as one value three times, another twice, two blanks and two
    nulls (a CSV writes both as empty): 3 repeats, whichever way blanks are read."""
    a, b = ids[0], ids[1]
    return [a, "", a, None, b, a, "", None, b] + list(ids[9:])


EXTRA = {
    "blank lines": _csv("feedback", _lines(lambda rows: rows[:3] + [b""] + rows[3:])),
    "short row": _csv("feedback", _lines(lambda rows: rows[:4] + [rows[4].split(b",")[0]]
                                         + rows[5:])),
    "long row": _csv("feedback", _lines(lambda rows: rows[:4] + [rows[4] + b",x"]
                                        + rows[5:])),
    "quoted line break": _csv("feedback", _lines(
        lambda rows: rows[:4] + [b'"a\nb",' + rows[4].split(b",", 1)[1]] + rows[5:])),
    "unclosed quote": _csv("feedback", _lines(lambda rows: rows[:4] + [b'"' + rows[4]]
                                              + rows[5:])),
    "byte-order mark": _csv("feedback", lambda raw: b"\xef\xbb\xbf" + raw),
    "repeated header name": _csv("feedback", lambda raw: raw.replace(
        b"access_easy", b"site", 1)),
    "empty header name": _csv("feedback", lambda raw: raw.replace(b"access_easy", b"", 1)),
    "blank first line": _csv("feedback", lambda raw: b"\n" + raw),
    "text numbers": HOSTILE.edit_csv("feedback", lambda f: f.astype(
        {"access_easy": object, "fft_response": object}).assign(
        access_easy=["2.5", " 3", "1_000", "+4", "0x1", "nan", "3.0"] + list(
            f["access_easy"][7:]),
        fft_response=["1e0", "", " ", "1,0"] + list(f["fft_response"][4:]))),
    "text dates": HOSTILE.edit_csv("referrals", lambda f: f.assign(referral_date=[
        "2023-1-5", "2023-01-05 ", "20230105", "2023/01/05", "1600-01-01",
        "2262-04-12"] + list(f["referral_date"][6:]))),
    # repeats of a unique field: blanks and nulls are not repeats, a value three times
    # is two (benchmarks/bench_unique.py counts them another way)
    "repeats among blanks, CSV": HOSTILE.edit_csv("ae_attendances", lambda f: f.astype(
        {"attendance_id": object}).assign(attendance_id=_repeated(
            f["attendance_id"].tolist()))),
    "repeats among blanks, Parquet": HOSTILE.parquet_column(
        "ae_attendances", "attendance_id", lambda v: pa.array(_repeated(v))),
    "parquet number as text": HOSTILE.parquet_column(
        "wellbeing", "swemwbs_metric", lambda v: pa.array(["x", "1.5", None, ""] + [
            None if x is None else str(x) for x in v[4:]])),
}


def _unit_case(table, edit):
    def mutate(data):
        UNIT.as_csv(data, table, edit)
        return ()
    return mutate


def _cases():
    cases = {f"unit: {name}": _unit_case(case[0], case[1])
             for name, case in UNIT.CASES.items()}
    cases |= {f"hostile: {name}": case[0] for name, case in HOSTILE.CASES.items()}
    cases["hostile: long value"] = HOSTILE.long_value
    return cases | {f"csv: {name}": mutate for name, mutate in EXTRA.items()}


CASES = _cases()


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("folder-validation")
    write_synthetic(folder, people=400, seed=5)
    return folder


def _copy(clean: Path, target: Path) -> Path:
    target.mkdir()
    for path in clean.iterdir():
        if path.is_file():
            shutil.copyfile(path, target / path.name)
    return target


@pytest.mark.parametrize("case", list(CASES))
def test_validate_folder_in_engine_equals_pandas_checks(case, clean, tmp_path,
                                                        monkeypatch):
    data = _copy(clean, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in clean.iterdir()}
    CASES[case](data)
    changed = {Path(p).stem for p in {q.name for q in data.iterdir()} ^ set(before)} | {
        p.stem for p in data.iterdir() if p.is_file() and p.name in before
        and (p.read_bytes() != (clean / p.name).read_bytes())}
    dictionary = load_dictionary()
    # the changed tables, and the people they link to (compiling is the cost here)
    tables = [t for t in dictionary.tables if t in changed or t == "people"]
    in_engine = validate_tables(data, dictionary, tables)
    in_pandas = validate_tables(data, dictionary, tables, in_engine=False)
    assert in_engine.problems == in_pandas.problems, (in_engine.render(),
                                                      in_pandas.render())
    assert _declared_schemas_are_duckdbs(data, dictionary, tables)


def _declared_schemas_are_duckdbs(data: Path, dictionary, tables) -> bool:
    """Whether each typed view's declared table (name, namespace, schema) is the one
    ibis reads back from DuckDB (the checks' SQL and kept plans are built on it)."""
    import ibis

    from lifetools.engines.folder import FolderNeedsPandas, _check_table
    from lifetools.validation_rules import _Collector

    backend = ibis.duckdb.connect()
    try:
        for number, name in enumerate(tables):
            path = next(data.glob(f"{name}.*"), None)
            if path is None or path.suffix not in (".parquet", ".csv"):
                continue
            try:
                declared = _check_table(backend, path, dictionary.table(name), number,
                                        _Collector(path.name, name))
            except FolderNeedsPandas:
                continue
            if declared is not None and declared.op() != backend.table(
                    f"typed_{number}").unbind().op():
                return False
        return True
    finally:
        backend.disconnect()


_INJECTED = """
UPDATE people SET sex = 'Z' WHERE rowid IN (4, 9);
UPDATE people SET year_of_birth = 1850 WHERE rowid = 6;
UPDATE people SET person_id = (SELECT person_id FROM people WHERE rowid = 0) WHERE rowid = 12;
UPDATE people SET date_of_death = TIMESTAMP '2010-06-01' WHERE rowid = 20;
UPDATE referrals SET team_type = NULL WHERE rowid IN (2, 7);
UPDATE referrals SET priority = '7' WHERE rowid = 5;
UPDATE referrals SET honos_baseline = 60 WHERE rowid = 8;
UPDATE referrals SET discharge_date = referral_date - INTERVAL 3 DAY WHERE rowid = 10;
UPDATE referrals SET referral_id = (SELECT referral_id FROM referrals WHERE rowid = 1)
  WHERE rowid = 13;
UPDATE referrals SET person_id = repeat('f', 64) WHERE rowid = 14;
UPDATE referrals SET person_id = (SELECT person_id FROM people WHERE rowid = 20),
  referral_date = TIMESTAMP '2020-01-01' WHERE rowid = 16;
"""


def test_validate_folder_and_duckdb_file_same_bad_rows_same_report(clean, tmp_path):
    (tmp_path / "file").mkdir()
    file = lt.engines.write_duckdb(clean, tmp_path / "file" / "extract.duckdb")
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copyfile(clean / "datapackage.json", folder / "datapackage.json")
    with duckdb.connect(str(file)) as connection:
        connection.execute(_INJECTED)
        for name in load_dictionary().tables:
            connection.execute(f"COPY (SELECT * FROM {name} ORDER BY rowid) TO "
                               f"'{folder / name}.parquet' (FORMAT parquet)")
    from_file, from_folder = validate_directory(file), validate_directory(folder)
    assert {(p.table, p.rule) for p in from_folder.errors} >= {
        ("people", Rule.ENUM), ("people", Rule.RANGE), ("people", Rule.UNIQUE),
        ("referrals", Rule.REQUIRED), ("referrals", Rule.NOT_BEFORE),
        ("referrals", Rule.FOREIGN_KEY), ("referrals", Rule.AFTER_DEATH)}
    named = [p.__class__(**{**p.__dict__, "file": p.table}) for p in from_file.problems]
    assert [p.__class__(**{**p.__dict__, "file": p.table}) for p in from_folder.problems
            ] == named


def test_validation_samples_fetch_no_identifier_values(clean, tmp_path, fetched_columns):
    """The sample of a failing check on an identifying field fetches its rows' numbers
    only: its values never leave the engine (they were fetched and then dropped before
    the report). The report is the pandas checks': same messages, rows and examples."""
    data = write_bad_values(_copy(clean, tmp_path / "data"))
    dictionary = load_dictionary()
    tables = ["people", "referrals", "life_rooms_contacts", "wellbeing"]
    in_engine = validate_tables(data, dictionary, tables)
    assert fetched_columns  # the samples ran in the engine
    assert [c for cs in fetched_columns for c in cs if c in identifying_columns()] == []
    assert in_engine.problems == validate_tables(data, dictionary, tables,
                                                 in_engine=False).problems
    found = {(p.table, p.column, p.rule): (p.rows, p.examples) for p in in_engine.errors}
    assert found == {
        ("people", "person_id", Rule.PATTERN): ((4,), ()),
        ("people", "lsoa_code", Rule.PATTERN): ((7,), ()),
        ("people", "year_of_birth", Rule.RANGE): ((9,), ()),
        ("people", "year_of_birth", Rule.PLAUSIBLE): ((9,), ()),
        ("people", "sex", Rule.ENUM): ((5, 10), ()),
        ("referrals", "priority", Rule.ENUM): ((6,), ("'7'",)),
        ("referrals", "person_id", Rule.FOREIGN_KEY): ((15,), ()),
        ("life_rooms_contacts", "nationality", Rule.PATTERN): ((3,), ()),
        ("life_rooms_contacts", "person_id", Rule.FOREIGN_KEY): ((4, 7, 8, 9), ()),
        ("wellbeing", "person_id", Rule.PATTERN): ((2,), ()),
        ("wellbeing", "person_id", Rule.FOREIGN_KEY): ((2,), ())}, in_engine.render()
