"""`lifetools build --data` against broken extracts: refused before any notebook runs.

The same broken extracts as ``lifetools validate`` meets (a selection across every kind
of rule in :mod:`test_validate_hostile`), given to a full build of a committed project
copy that has already published a site. Every case checks: exit 11, no traceback, no
identifier-shaped value, no planted value and no machine path in stdout or stderr, no
notebook run, the published site and the input folder unchanged.
"""

from __future__ import annotations

import pytest
from hostile_support import assert_clean, snapshot
from project_copy import ProjectRoot, copy_project
from test_validate_hostile import CASES, edit_csv

NEEDED = ["referrals.discharge_date", "referrals.closure_reason",
          "life_rooms_contacts.person_id", "wellbeing.person_id", "people.lsoa_code",
          "referrals.honos_baseline"]

BUILD_CASES = [
    "date in 2099", "born after death", "no datapackage.json", "other dictionary version",
    "parquet and csv for one table", "symlink out of the folder", "table is a pipe",
    "truncated parquet", "latin-1 csv", "nhs number in a code column",
    "person id in a code column", "5000-character value", "required column missing",
    "duplicate person among the dead", "integer 2^63", "parquet date in year 9999",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A committed project copy with a published site (a stand-in: one page)."""
    root = copy_project(tmp_path_factory.mktemp("hostile-build") / "project", people=100)
    site = root / "public" / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<p>the published edition</p>\n")
    return root


@pytest.mark.parametrize("case", BUILD_CASES)
def test_build_hostile_data_is_refused_before_any_notebook(case, project, data,
                                                           identifiers, capsys):
    mutate, code, _rule = CASES[case]
    assert code == 11
    planted = mutate(data)
    before = snapshot(data), snapshot(project / "public")
    with ProjectRoot(project):
        assert main_build(["build", "--data", "data"]) == 11
    out, err = capsys.readouterr()
    assert_clean([out, err], identifiers, planted)
    assert "DataValidationError" in err
    assert (snapshot(data), snapshot(project / "public")) == before
    assert not list((project / "build").glob("runs/*/*/notebook.ipynb"))


@pytest.mark.parametrize(("where", "expected"), [
    ("nowhere", 11), ("empty", 11),
    ("a-file", 11),  # a file must be a DuckDB database: a data error naming it
])
def test_build_hostile_data_folder_that_is_not_an_extract(where, expected, project,
                                                          tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("x\n")
    (tmp_path / "empty").mkdir()
    before = snapshot(project / "public")
    with ProjectRoot(project):
        code = main_build(["build", "--data", where])
    out, err = capsys.readouterr()
    assert code == expected, err
    assert_clean([out, err], set())
    assert snapshot(project / "public") == before


def test_build_hostile_needed_columns_are_those_the_series_declares():
    from lifetools.pipeline.series import load_series

    assert sorted(NEEDED) == sorted({n for a in load_series().analyses for n in a.needs})


@pytest.mark.parametrize("needed", NEEDED)
def test_build_hostile_empty_column_a_report_needs_is_refused_before_any_notebook(
        needed, project, data, identifiers, capsys):
    table, column = needed.split(".")
    # a discharge date and its closure reason are present together (a row rule)
    together = {"discharge_date": "closure_reason", "closure_reason": "discharge_date"}
    blank = {column: "", **({together[column]: ""} if column in together else {})}
    edit_csv(table, lambda f: f.assign(**blank))(data)
    before = snapshot(project / "public")
    with ProjectRoot(project):
        assert main_build(["build", "--data", "data"]) == 11
    out, err = capsys.readouterr()
    assert_clean([out, err], identifiers)
    assert f"needs column '{column}' of table '{table}'" in err
    assert snapshot(project / "public") == before
    assert not list((project / "build").glob("runs/*/*/notebook.ipynb"))


def main_build(argv: list[str]) -> int:
    from lifetools.pipeline.cli import main  # late: coverage starts first

    return main(argv)
