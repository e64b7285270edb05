"""The whole series end to end: site, editions, incremental runs, safe publishing.

Uses the session's built project copy (tests/build_fixtures.py): the 2023-24 edition was
published first, then 2024-25 added as the current edition. Tests that change anything
work on a private copy of that built project.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from project_copy import ProjectRoot, commit_all, site_state

from lifetools.pipeline.build import build_series
from lifetools.pipeline.cli import main
from lifetools.pipeline.layout import archive_dir, site_dir
from lifetools.pipeline.provenance import sha256_file
from lifetools.pipeline.series import load_series

pytestmark = pytest.mark.slow


def test_build_site_has_a_page_for_every_entry_of_the_series(built_project, built_site):
    series = load_series(built_project["root"] / "analyses" / "analyses.yml")
    landing = (built_site / "index.html").read_text()
    for edition in series.editions:
        for analysis in series.analyses_in(edition.id):
            page = built_site / "editions" / edition.id / f"{analysis.id}.html"
            assert page.exists(), page
            text = page.read_text()
            assert edition.title in text
            assert "About this report" in text and "How to cite" in text
            assert f"lifetools reproduce {edition.id}" in text
            assert "Disclosure control" in text and "Profile" in text  # the SDC line
            results = built_site / "editions" / edition.id / analysis.id / "results.json"
            assert results.exists()
            if edition.id == series.current_edition:
                assert f"editions/{edition.id}/{analysis.id}.html" in landing
        manifest = json.loads(
            (built_site / "editions" / edition.id / "manifest.json").read_text())
        assert manifest["data"]["synthetic"]["seed"] == 20250331
        assert manifest["disclosure"]["profile"] == series.sdc_profile.name
        acro = manifest["disclosure"]["acro"]
        assert acro["enabled"] and all(v["disagreements"] == 0 and v["tables"] > 0
                                       for v in acro["outputs"].values()), acro
        assert set(manifest["analyses"]) == {a.id for a in series.analyses_in(edition.id)}
    assert (built_site / "editions" / "index.html").exists()
    assert (built_site / "data" / "index.html").exists()
    cli_page = (built_site / "reference" / "cli.html").read_text()
    headings = set(re.findall(r"<h[2-3][^>]*>([^<]+)<", cli_page))
    assert {"build", "reproduce", "validate", "link", "synth", "run", "params"} <= headings


def test_build_first_edition_is_untouched_by_the_second(built_project):
    first, second = built_project["first"], built_project["second"]
    assert {o.spec.edition for o in first.outcomes} == {"2023-24"}
    assert {o.spec.edition for o in second.outcomes} == {"2024-25"}
    assert second.archived == ["2023-24"]
    with ProjectRoot(built_project["root"]):
        old = archive_dir("2023-24")
        now = {str(p.relative_to(old)): sha256_file(p)
               for p in sorted(old.rglob("*")) if p.is_file()}
    assert now == built_project["old_hashes"]


def test_build_noop_rebuild_reuses_every_run_and_keeps_the_site(project_copy_built):
    before = site_state(project_copy_built)
    with ProjectRoot(project_copy_built):
        summary = build_series(jobs=2)
    assert {o.status for o in summary.outcomes} == {"reused"}
    assert site_state(project_copy_built) == before


def test_build_archived_edition_keeps_the_series_order(built_project, built_site):
    # reads the built series itself: it changes nothing, so it needs no private copy
    order = [a.id for a in load_series(
        built_project["root"] / "analyses" / "analyses.yml").analyses_in("2023-24")]
    page = (built_site / "editions" / "2023-24" / "index.html").read_text()
    positions = [page.index(f'href="{a}.html"') for a in order]
    assert positions == sorted(positions)


def test_build_failing_notebook_exits_14_and_leaves_site(project_copy_built, capsys):
    before = site_state(project_copy_built)
    notebook = project_copy_built / "analyses" / "05_wellbeing.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("1 / 0"))
    nbformat.write(nb, notebook)
    commit_all(project_copy_built, "a failing cell")
    with ProjectRoot(project_copy_built):
        code = main(["build", "-j", "2"])
    err = capsys.readouterr().err
    assert code == 14
    assert "05_wellbeing.ipynb failed at cell 4" in err
    assert "ZeroDivisionError" in err
    assert site_state(project_copy_built) == before


def test_build_output_leaking_an_nhs_number_is_refused(project_copy_built, capsys):
    before = site_state(project_copy_built)
    notebook = project_copy_built / "analyses" / "01_cohort_description.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('print("NHS number 943 476 5919")'))
    nbformat.write(nb, notebook)
    commit_all(project_copy_built, "a leaking cell")
    with ProjectRoot(project_copy_built):
        code = main(["build", "-j", "2"])
    err = capsys.readouterr().err
    assert code == 13
    assert "01_cohort_description" in err
    assert site_state(project_copy_built) == before


def test_build_invalid_data_runs_nothing(project_copy_built, tmp_path, capsys):
    before = site_state(project_copy_built)
    (tmp_path / "people.csv").write_text("not,a,valid\ntable\n")
    with ProjectRoot(project_copy_built):
        code = main(["build", "--data", str(tmp_path)])
    assert code == 11
    assert site_state(project_copy_built) == before


def test_build_killed_mid_run_leaves_site_and_resumes(project_copy_built):
    before = site_state(project_copy_built)
    env = {**os.environ, "LIFETOOLS_PROJECT_ROOT": str(project_copy_built)}
    process = subprocess.Popen(
        [sys.executable, "-m", "lifetools", "build", "--force", "-j", "1"],
        env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    for line in process.stderr:
        if line.startswith("ran "):
            break
    time.sleep(1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert site_state(project_copy_built) == before
    with ProjectRoot(project_copy_built):
        summary = build_series(jobs=2)
        statuses = {o.status for o in summary.outcomes}
        assert "reused" in statuses
        assert site_dir().resolve().exists()
