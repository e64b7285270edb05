"""Linkage by NHS number and keyed pseudonyms."""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools import linkage
from lifetools.errors import DataValidationError, UserError
from lifetools.pipeline.cli import main

VALID = ["9434765919", "9990000018"]
KEY = bytes(range(40, 80))  # 40 bytes, 40 distinct values: passes check_key


def test_check_nhs_numbers_classifies_each_reason():
    status = linkage.check_nhs_numbers(pd.Series(["943 476 5919", "9434765918", "12ab",
                                                  None, "999-000-0018"]))
    assert status.tolist() == ["ok", "bad check digit", "malformed", "missing", "ok"]


def test_pseudonymise_is_keyed_and_stable():
    numbers = pd.Series(VALID + [None])
    a = linkage.pseudonymise(numbers, b"k1")
    assert a.iloc[0] == linkage.pseudonymise(numbers, b"k1").iloc[0]
    assert a.iloc[0] != linkage.pseudonymise(numbers, b"k2").iloc[0]
    assert a.iloc[2] is None and len(a.iloc[0]) == 64


def test_link_directory_reports_match_rate(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    pd.DataFrame({"nhs_number": VALID, "x": [1, 2]}).to_parquet(raw / "people.parquet")
    pd.DataFrame({"contact_id": ["c1", "c2", "c3", "c4"],
                  "nhs_number": [VALID[0], "9434765918", None, "9990000026"]}).to_csv(
        raw / "life_rooms_contacts.csv", index=False)
    report = linkage.link_directory(raw, out, key=KEY, min_match_rate=0.2)
    counts = report.tables["life_rooms_contacts"]
    assert counts["matched"] == 1 and counts["bad check digit"] == 1
    assert counts["missing"] == 1 and counts["not a known person"] == 1
    assert report.match_rate("life_rooms_contacts") == 0.25
    linked = pd.read_parquet(out / "life_rooms_contacts.parquet")
    assert list(linked.columns) == ["contact_id", "person_id"]
    assert "943" not in str(report)


def test_link_directory_refuses_invalid_people_naming_rows(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"nhs_number": [VALID[0], "1234567890"]}).to_parquet(
        raw / "people.parquet")
    with pytest.raises(DataValidationError, match="first at row 2") as info:
        linkage.link_directory(raw, tmp_path / "out", key=KEY)
    assert "1234567890" not in str(info.value)
    with pytest.raises(DataValidationError, match="raw folder does not exist"):
        linkage.link_directory(tmp_path / "none", tmp_path / "out", key=KEY)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataValidationError, match="no people table"):
        linkage.link_directory(tmp_path / "empty", tmp_path / "out", key=KEY)


def test_key_comes_from_environment_or_file_outside_project(tmp_path, monkeypatch):
    monkeypatch.delenv(linkage.ENV_KEY, raising=False)
    monkeypatch.delenv(linkage.ENV_KEY_FILE, raising=False)
    assert linkage.load_pseudonym_key(synthetic=True) == linkage.SYNTHETIC_KEY
    with pytest.raises(UserError, match="no pseudonymisation key"):
        linkage.load_pseudonym_key()
    secret = KEY.decode("ascii")
    monkeypatch.setenv(linkage.ENV_KEY, secret)
    assert linkage.load_pseudonym_key() == KEY
    monkeypatch.delenv(linkage.ENV_KEY)
    key = tmp_path / "key"
    key.write_text(secret + "\n")
    key.chmod(0o600)
    monkeypatch.setenv(linkage.ENV_KEY_FILE, str(key))
    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path / "project"))
    assert linkage.load_pseudonym_key() == KEY
    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path))
    with pytest.raises(UserError, match="inside the project"):
        linkage.load_pseudonym_key()


def test_cli_link(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"nhs_number": VALID}).to_parquet(raw / "people.parquet")
    assert main(["link", str(raw), str(tmp_path / "out"), "--synthetic-key"]) == 17
    assert "outside the 999 test range" in capsys.readouterr().err
    pd.DataFrame({"nhs_number": ["9990000018", "999 000 0026"]}).to_parquet(
        raw / "people.parquet")
    assert main(["link", str(raw), str(tmp_path / "out"), "--synthetic-key"]) == 0
    assert "people: 2 of 2 rows linked" in capsys.readouterr().out


@pytest.mark.parametrize(("key", "message"), [
    (b"", "has 0 bytes"), (b"k" * 31, "has 31 bytes"), (b"ab" * 32, "repeats"),
    (linkage.SYNTHETIC_KEY, "public key"), (linkage.TEST_KEY, "public key")])
def test_check_key_weak_or_public_key_is_refused_without_echo(key, message):
    with pytest.raises(linkage.LinkageError, match=message) as info:
        linkage.check_key(key)
    assert info.value.exit_code == 17
    assert not key or key.decode() not in str(info.value)


@pytest.mark.parametrize(("mode", "ok"), [(0o600, True), (0o400, True), (0o640, False),
                                          (0o644, False), (0o604, False)])
def test_load_pseudonym_key_file_mode_must_be_owner_only(tmp_path, monkeypatch, mode, ok):
    monkeypatch.delenv(linkage.ENV_KEY, raising=False)
    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path / "project"))
    key = tmp_path / "key"
    key.write_bytes(KEY)
    key.chmod(mode)
    monkeypatch.setenv(linkage.ENV_KEY_FILE, str(key))
    if ok:
        assert linkage.load_pseudonym_key() == KEY
    else:
        with pytest.raises(linkage.LinkageError, match="chmod 600|readable by others"):
            linkage.load_pseudonym_key()


def test_load_pseudonym_key_missing_file_or_folder_is_a_linkage_error(tmp_path,
                                                                        monkeypatch):
    monkeypatch.delenv(linkage.ENV_KEY, raising=False)
    monkeypatch.setenv(linkage.ENV_KEY_FILE, str(tmp_path / "absent"))
    with pytest.raises(linkage.LinkageError, match="does not exist") as info:
        linkage.load_pseudonym_key()
    assert str(tmp_path) not in str(info.value)
    monkeypatch.setenv(linkage.ENV_KEY_FILE, str(tmp_path))
    with pytest.raises(linkage.LinkageError, match="folder"):
        linkage.load_pseudonym_key()


def test_normalise_nhs_numbers_spaces_integers_and_lost_zeros_match():
    values = pd.Series(["943 476 5919", "943-476-5919", 9434765919, 9434765919.0,
                        "012345678", 12345678, None, "12ab", float("nan")], dtype=object)
    assert linkage.normalise_nhs_numbers(values).tolist() == [
        "9434765919", "9434765919", "9434765919", "9434765919", "0012345678"[1:].zfill(10),
        "0012345678", None, "12ab", None]


def test_link_directory_integer_and_spaced_numbers_link_on_both_sides(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"nhs_number": [9434765919, 9990000018]}).to_parquet(
        raw / "people.parquet")
    pd.DataFrame({"contact_id": ["c1", "c2"],
                  "nhs_number": ["943 476 5919", "999-000-0018"]}).to_csv(
        raw / "life_rooms_contacts.csv", index=False)
    report = linkage.link_directory(raw, tmp_path / "out", key=KEY)
    assert report.match_rate("life_rooms_contacts") == 1.0
    people = pd.read_parquet(tmp_path / "out" / "people.parquet")
    contacts = pd.read_parquet(tmp_path / "out" / "life_rooms_contacts.parquet")
    assert set(contacts["person_id"]) == set(people["person_id"])


def test_link_directory_rate_below_floor_fails_with_format_counts(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"nhs_number": VALID}).to_parquet(raw / "people.parquet")
    pd.DataFrame({"contact_id": ["c1", "c2", "c3"],
                  "nhs_number": ["9434765918", "12ab", VALID[0]]}).to_csv(
        raw / "life_rooms_contacts.csv", index=False)
    with pytest.raises(linkage.LinkageError, match="below the floor of 50%") as info:
        linkage.link_directory(raw, tmp_path / "out", key=KEY)
    text = str(info.value)
    assert "'10 digits': 2" in text and "'letters or other characters': 1" in text
    assert "9434765918" not in text and "943" not in text
    assert not (tmp_path / "out").exists()


def test_link_directory_public_key_refuses_numbers_outside_test_range(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"nhs_number": VALID}).to_parquet(raw / "people.parquet")
    for key in linkage.PUBLIC_KEYS:
        with pytest.raises(linkage.LinkageError, match="outside the 999 test range"):
            linkage.link_directory(raw, tmp_path / "out", key=key)
    pd.DataFrame({"nhs_number": [VALID[1]]}).to_parquet(raw / "people.parquet")
    linkage.link_directory(raw, tmp_path / "out", key=linkage.TEST_KEY)


def test_link_directory_never_writes_into_its_input(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"nhs_number": [VALID[1]]}).to_parquet(raw / "people.parquet")
    before = sorted(p.name for p in raw.rglob("*"))
    for out in (raw, raw / "linked", raw / "." / "a" / ".."):
        with pytest.raises(linkage.LinkageError, match="inside it"):
            linkage.link_directory(raw, out, key=linkage.TEST_KEY)
    assert sorted(p.name for p in raw.rglob("*")) == before


def test_link_directory_writes_package_and_replaces_atomically(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    pd.DataFrame({"nhs_number": [VALID[1]]}).to_parquet(raw / "people.parquet")
    linkage.link_directory(raw, out, key=linkage.TEST_KEY,
                           extract_date=__import__("datetime").date(2024, 3, 31))
    assert '"extract_date": "2024-03-31"' in (out / "datapackage.json").read_text()
    (out / "people.csv").write_text("stale\n")
    linkage.link_directory(raw, out, key=linkage.TEST_KEY)
    assert sorted(p.name for p in out.iterdir()) == ["datapackage.json", "people.parquet"]
    assert not list(tmp_path.glob(".*partial*"))


def test_link_directory_latin1_csv_and_no_nhs_column_are_clean_errors(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "people.csv").write_bytes("nhs_number,name\n9990000018,J\xf6rg\n".encode(
        "latin-1"))
    with pytest.raises(DataValidationError, match="not UTF-8"):
        linkage.link_directory(raw, tmp_path / "out", key=linkage.TEST_KEY)
    (raw / "people.csv").write_text("person,x\n1,2\n")
    with pytest.raises(DataValidationError, match="no column 'nhs_number'"):
        linkage.link_directory(raw, tmp_path / "out", key=linkage.TEST_KEY)


def test_link_directory_removes_staging_folders_of_dead_runs(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    pd.DataFrame({"nhs_number": [VALID[1]]}).to_parquet(raw / "people.parquet")
    dead = tmp_path / ".out.partial-999999999"
    dead.mkdir()
    linkage.link_directory(raw, out, key=linkage.TEST_KEY)
    (out / ".link-partial-999999999").mkdir()
    linkage.link_directory(raw, out, key=linkage.TEST_KEY)
    assert not dead.exists() and not (out / ".link-partial-999999999").exists()
