"""An edition before the data's coverage is refused per report, and nothing published
changes (issue 14 item 9).

The synthetic data hold referrals from 2017 (people still open when their events
start) but no A&E attendance, admission or Life Rooms contact before 1 April 2019: a
2017-18 edition, or one whose look-back reaches before that day, published counts over
an empty or partial window with exit 0. Cheap: the refusal comes before any notebook
runs, so no report is built (a project copy of 150 people, with a published tree
standing in for an earlier release).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from project_copy import ProjectRoot, copy_project, edit_series

from lifetools.errors import ParameterError
from lifetools.pipeline.cli import main
from lifetools.pipeline.series import load_series


def _add_early_editions(series: dict) -> None:
    first = series["editions"][0]
    series["editions"][:0] = [
        dict(first, id="2017-18", title="2017-18 edition", period_start="2017-04-01",
             period_end="2018-03-31"),
        dict(first, id="2020-21", title="2020-21 edition", period_start="2020-04-01",
             period_end="2021-03-31")]


def _publish_something(root: Path) -> None:
    """A published tree as an earlier release leaves it: a release, the link to it and
    an archived edition."""
    release = root / "public" / "releases" / "20250401T120000Z"
    (release / "editions" / "2023-24").mkdir(parents=True)
    (release / "index.html").write_text("<h1>The Life Rooms</h1>\n")
    (release / "editions" / "2023-24" / "index.html").write_text("<p>2023-24</p>\n")
    (root / "public" / "site").symlink_to(Path("releases") / release.name)
    archive = root / "public" / "editions" / "2023-24"
    archive.mkdir(parents=True)
    (archive / "manifest.json").write_text('{"edition": "2023-24"}\n')


def _tree(root: Path) -> dict[str, str]:
    """Every file and link under ``public/``: its bytes' hash, or its target."""
    found = {}
    for path in sorted((root / "public").rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def early(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("coverage") / "project", people=150)
    edit_series(root, _add_early_editions)
    _publish_something(root)
    return root


@pytest.mark.parametrize("command", [["build"], ["status"],
                                     ["run", "emergency_care", "--edition", "2020-21"]])
def test_edition_before_the_data_is_refused_per_report_and_public_is_unchanged(
        early, capsys, command):
    before = _tree(early)
    with ProjectRoot(early):
        code = main(command)
    err = capsys.readouterr().err
    assert code == ParameterError.exit_code == 12, err
    assert "Traceback" not in err and "ParameterError: " in err
    series = load_series(early / "analyses" / "analyses.yml")
    lines = [line.strip() for line in err.splitlines()
             if line.strip().startswith("edition ")]
    if command[0] == "run":  # the one report asked for
        assert len(lines) == 1
        assert lines[0].startswith(
            "edition 2020-21 (1 April 2020 to 31 March 2021), report emergency_care: "
            "needs data from 2018-04-02 (the 730 days before the period: the before "
            "and baseline windows of 365 days each before a first Life Rooms contact "
            "in it); the data cover 2019-")
    else:
        # every report of 2017-18: its period starts before the data's events do
        for analysis in series.analyses_in("2017-18"):
            assert any(line.startswith(
                f"edition 2017-18 (1 April 2017 to 31 March 2018), report "
                f"{analysis.id}: needs data from ") for line in lines), analysis.id
        assert ("edition 2017-18 (1 April 2017 to 31 March 2018), report "
                "cohort_description: needs data from 2017-04-01 (the start of its "
                "period); the data cover 2019-") in err
        # 2020-21: its period is covered; the look-back of two reports is not
        assert sorted(line.split(", report ")[1].split(":")[0] for line in lines
                      if line.startswith("edition 2020-21")) == [
            "crisis_risk", "emergency_care"]
        assert len(lines) == len(series.analyses_in("2017-18")) + 2
        # the synthetic data: the generator's first day of events, before the data
        # exist (status) and after (build) alike
        assert all(line.endswith("; the data cover 2019-04-01 to 2025-03-31")
                   for line in lines)
    assert "edition 2023-24" not in err and "edition 2024-25" not in err
    assert _tree(early) == before  # the published site and archives untouched
    assert not (early / "build" / "runs").exists()
    assert not (early / "build" / "adhoc").exists()


def test_an_extracts_dates_are_read_from_it(early, tmp_path, capsys):
    # real data (--data): the first day they cover is read from them, not the
    # generator's constants: an extract whose A&E attendances start in 2021 refuses
    # every report of 2020-21 and the look-back of 2023-24's emergency care and crisis
    # risk (two years before 1 April 2023)
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from lifetools.synthetic import write_synthetic

    extract = tmp_path / "extract"
    write_synthetic(extract, people=150, seed=3)
    path = extract / "ae_attendances.parquet"
    table = pq.read_table(path)
    dates = table.column("arrival_date")
    pq.write_table(table.filter(pc.greater_equal(dates, pc.strptime(
        "2021-06-01", "%Y-%m-%d", "us").cast(dates.type))), path)
    first = pc.min(pq.read_table(path).column("arrival_date")).as_py().date().isoformat()
    before = _tree(early)
    with ProjectRoot(early):
        code = main(["build", "--data", str(extract)])
    err = capsys.readouterr().err
    assert code == 12, err
    assert "Traceback" not in err
    assert (f"edition 2023-24 (1 April 2023 to 31 March 2024), report emergency_care: "
            f"needs data from 2021-04-01 (the 730 days before the period: the before and "
            f"baseline windows of 365 days each before a first Life Rooms contact in "
            f"it); the data cover {first} to 2025-03-31") in err
    assert "edition 2023-24 (1 April 2023 to 31 March 2024), report crisis_risk" in err
    assert "2023-24 (1 April 2023 to 31 March 2024), report wellbeing" not in err
    assert "edition 2024-25" not in err
    assert _tree(early) == before
    assert not (early / "build" / "runs").exists()
