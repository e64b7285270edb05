"""Linkage by NHS number and keyed pseudonyms."""

from __future__ import annotations

import pandas as pd
import pytest

from lifetools import linkage
from lifetools.errors import DataValidationError, UserError
from lifetools.pipeline.cli import main

VALID = ["9434765919", "9990000018"]


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
    report = linkage.link_directory(raw, out, key=b"k")
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
        linkage.link_directory(raw, tmp_path / "out", key=b"k")
    assert "1234567890" not in str(info.value)
    with pytest.raises(DataValidationError, match="no people table"):
        linkage.link_directory(tmp_path / "none", tmp_path / "out", key=b"k")


def test_key_comes_from_environment_or_file_outside_project(tmp_path, monkeypatch):
    monkeypatch.delenv(linkage.ENV_KEY, raising=False)
    monkeypatch.delenv(linkage.ENV_KEY_FILE, raising=False)
    assert linkage.load_pseudonym_key(synthetic=True) == linkage.SYNTHETIC_KEY
    with pytest.raises(UserError, match="no pseudonymisation key"):
        linkage.load_pseudonym_key()
    monkeypatch.setenv(linkage.ENV_KEY, "secret")
    assert linkage.load_pseudonym_key() == b"secret"
    monkeypatch.delenv(linkage.ENV_KEY)
    key = tmp_path / "key"
    key.write_text("from-file\n")
    monkeypatch.setenv(linkage.ENV_KEY_FILE, str(key))
    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path / "project"))
    assert linkage.load_pseudonym_key() == b"from-file"
    monkeypatch.setenv("LIFETOOLS_PROJECT_ROOT", str(tmp_path))
    with pytest.raises(UserError, match="inside the project"):
        linkage.load_pseudonym_key()


def test_cli_link(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    pd.DataFrame({"nhs_number": VALID}).to_parquet(raw / "people.parquet")
    assert main(["link", str(raw), str(tmp_path / "out"), "--synthetic-key"]) == 0
    assert "people: 2 of 2 rows linked" in capsys.readouterr().out
