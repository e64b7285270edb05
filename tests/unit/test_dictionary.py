"""The data dictionary: loads, is self-consistent, and malformed files are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from lifetools.dictionary import load_dictionary, parse_yaml
from lifetools.errors import DictionaryError

ROOT = Path(__file__).resolve().parents[2] / "data_dictionary"


def test_dictionary_loads_every_table_with_groups():
    dictionary = load_dictionary(ROOT)
    assert len(dictionary.tables) == 9
    groups = dictionary.groups("referrals", "closure_reason")
    assert groups["transfer"] == ("01", "08") and groups["death"] == ("06",)
    assert dictionary.table("people").field("person_id").is_identifying
    with pytest.raises(DictionaryError, match="no table 'nope'"):
        dictionary.table("nope")


def broken(tmp_path, table, edit):
    folder = tmp_path / "dd"
    shutil.copytree(ROOT, folder)
    path = folder / f"{table}.yaml"
    raw = yaml.safe_load(path.read_text())
    edit(raw)
    path.write_text(yaml.safe_dump(raw))
    return folder


@pytest.mark.parametrize(("edit", "message"), [
    (lambda r: r["fields"][0].update(type="text"), "field 'lsoa_code' type"),
    (lambda r: r["fields"][1].pop("description"), "'description' is a required"),
    (lambda r: r["fields"][0]["lifetools"].update(sensitivity="secret"), "sensitivity"),
    (lambda r: r.update(primaryKey=["nope"]), "undeclared field"),
    (lambda r: r.update(name="other"), "does not match the file name"),
    (lambda r: r["fields"].append(dict(r["fields"][0])), "twice"),
    (lambda r: r["fields"][-1]["constraints"].pop("plausible"), "need a plausible range"),
    (lambda r: r["fields"][-1]["constraints"]["plausible"].pop("maximum"),
     "'maximum' is a required"),
])
def test_malformed_dictionary_is_a_dictionary_error(tmp_path, edit, message):
    folder = broken(tmp_path, "deprivation", edit)
    with pytest.raises(DictionaryError, match=message) as info:
        load_dictionary(folder)
    assert "deprivation.yaml" in str(info.value)


def test_field_bounds_resolve_the_extract_date_for_dates_and_years():
    import datetime as dt

    dictionary = load_dictionary(ROOT)
    extract = dt.date(2025, 3, 31)
    death = dictionary.table("people").field("date_of_death")
    assert death.bounds(extract) == ("1900-01-01", extract)
    assert dictionary.table("people").field("year_of_birth").bounds(extract) == (1900, 2025)
    unbounded = [f"{t.name}.{f.name}" for t in dictionary.tables.values() for f in t.fields
                 if f.type in ("date", "integer", "number") and None in (
                     f.minimum if f.minimum is not None else f.bounds(extract)[0],
                     f.maximum if f.maximum is not None else f.bounds(extract)[1])]
    assert unbounded == []


def test_dictionary_yaml_syntax_and_missing_file(tmp_path):
    folder = tmp_path / "dd"
    shutil.copytree(ROOT, folder)
    (folder / "feedback.yaml").write_text("name: [broken")
    with pytest.raises(DictionaryError, match="not valid YAML"):
        load_dictionary(folder)
    (folder / "feedback.yaml").unlink()
    with pytest.raises(DictionaryError, match="does not exist"):
        load_dictionary(folder)


def test_parse_yaml_tries_libyaml_then_raises_the_pure_python_loaders_error():
    tried = []

    def refuse(loader):
        tried.append(loader)
        raise yaml.YAMLError(loader.__name__)

    with pytest.raises(yaml.YAMLError, match="^SafeLoader$"):
        parse_yaml(refuse)
    fast = [yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else []
    assert tried == [*fast, yaml.SafeLoader]
    assert parse_yaml(lambda loader: loader) is (fast or [yaml.SafeLoader])[0]


def test_unknown_foreign_key_and_cross_rule(tmp_path):
    folder = broken(tmp_path, "people", lambda r: r["foreignKeys"][0]["reference"].update(
        resource="nowhere"))
    with pytest.raises(DictionaryError, match="foreign key"):
        load_dictionary(folder)
    folder2 = tmp_path / "dd2"
    shutil.copytree(ROOT, folder2)
    package = yaml.safe_load((folder2 / "package.yaml").read_text())
    package["crossTableRules"].append({"rule": "magic", "table": "people", "field": "sex"})
    (folder2 / "package.yaml").write_text(yaml.safe_dump(package))
    with pytest.raises(DictionaryError, match="unknown cross-table rule"):
        load_dictionary(folder2)


def test_dictionary_parsed_once_until_a_file_changes(tmp_path):
    folder = tmp_path / "dd"
    shutil.copytree(ROOT, folder)
    first = load_dictionary(folder)
    assert load_dictionary(folder) is first  # kept: not parsed again
    people = folder / "people.yaml"
    people.write_text(people.read_text().replace("Pseudonymous person key",
                                                 "Pseudonymous key of a person"))
    changed = load_dictionary(folder)
    assert changed is not first and changed.tables.keys() == first.tables.keys()
