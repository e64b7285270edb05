"""Publication integrity end to end: reproducible site, drafts, frozen editions, corrections.

Builds are slow (minutes each on a loaded machine): the two-folder comparison uses one
edition and a small population.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from project_copy import (
    TEST_PEOPLE_SMALL,
    ProjectRoot,
    commit_all,
    copy_project,
    edit_series,
    only_first_edition,
)

import lifetools as lt
from lifetools.errors import UnversionedCodeError
from lifetools.pipeline.build import (
    build_series,
    edition_manifest,
    prepare_data,
    run_analyses,
)
from lifetools.pipeline.cli import main
from lifetools.pipeline.kernels import ENV_KERNELS
from lifetools.pipeline.layout import RunFolder, archive_dir, archive_html, site_dir
from lifetools.pipeline.provenance import sha256_file
from lifetools.pipeline.release import unmark_archived
from lifetools.pipeline.series import load_series

pytestmark = pytest.mark.slow


def public_tree(root: Path) -> dict[str, str]:
    """Every link target and file hash under ``public/`` (links recorded, not followed)."""
    public = root / "public"
    found = {}
    for path in sorted(public.rglob("*")):
        name = str(path.relative_to(public))
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_file():
            found[name] = sha256_file(path)
    return found


def differing(one: dict[str, str], two: dict[str, str]) -> list[str]:
    return sorted(n for n in set(one) | set(two) if one.get(n) != two.get(n))


def first_difference(one: Path, two: Path) -> str:
    """Where two files first differ, with the bytes around it: a failure names the
    cause (a date, a number, an order), not only the file."""
    a, b = one.read_bytes(), two.read_bytes()
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
              min(len(a), len(b)))
    return (f"{one.name}: {len(a):,} and {len(b):,} bytes, first difference at {at:,}: "
            f"{a[max(0, at - 60):at + 60]!r} / {b[max(0, at - 60):at + 60]!r}")


def test_build_two_clean_builds_byte_identical_and_from_a_duckdb_file_same_results(
        small_build, tmp_path, monkeypatch):
    """Two clean builds of one edition in two folders (the session's ``small_build``
    and a new copy) give byte-identical public trees: no path, time or order leaks
    into any file. The session's build runs its notebooks in warm kernels (the
    default), the new copy's in isolated ones (``LIFETOOLS_KERNELS=isolated``: a fresh
    kernel per notebook, person ids as strings, every column loaded), so the same
    comparison shows that the two kernel modes publish the same notebooks, figures and
    result files (this replaced ``test_build_forced_rerun_gives_byte_identical_notebooks
    _and_results``, which re-executed the 12,000-person edition for it).
    The second folder's analyses are then run again from a DuckDB file made of
    its synthetic Parquet folder (``lt.engines.write_duckdb``; ``run_analyses``, as
    ``lifetools run`` runs them): every run executes again and writes the same result
    files, byte for byte; the data record the build would publish names the engine.
    (Builds from the two sources differ in their data record, which reaches the
    notebooks, pages and PDFs, so the whole-tree comparison needs two builds from one
    source.) The DuckDB runs build no site: the manifest carries ``prepare_data``'s
    record unchanged (``edition_manifest``), which the builds from PostgreSQL and
    Spark check in their published manifests (tests/engines/test_engine_build.py,
    test_engine_spark_build.py); here the manifest is made from the DuckDB runs by
    ``edition_manifest``, as the build makes it, and checked as the published one was
    until wave 49 (a whole build, the book about 17 s of CPU, made it).
    """
    one = small_build["root"]
    two = copy_project(tmp_path / "two" / "project", people=TEST_PEOPLE_SMALL)
    edit_series(two, only_first_edition)
    with ProjectRoot(two), monkeypatch.context() as isolated:
        isolated.setenv(ENV_KERNELS, "isolated")
        build_series(jobs=2)
    trees = [public_tree(one), public_tree(two)]
    assert len(trees[0]) > 50
    assert any(n.endswith("/notebook.ipynb") for n in trees[0])
    assert any(n.endswith(".png") for n in trees[0])
    assert any(n.endswith(".pdf") for n in trees[0])  # printed, and so compared
    assert any("/figures/" in n and n.endswith(".csv") for n in trees[0])
    # the release folder is named by the site's content hash: compare what is inside
    # first, so a difference names its file rather than every path of the release
    inside = [{n.split("/", 2)[2]: h for n, h in t.items()
               if n.startswith("releases/") and n.count("/") >= 2} for t in trees]
    assert differing(*inside) == [], [
        first_difference(*(root / "public" / next(k for k in t if k.endswith("/" + n))
                           for root, t in zip((one, two), trees, strict=True)))
        for n in differing(*inside)[:3] if all(n in i for i in inside)]
    assert differing(*trees) == []
    text = "".join((two / "public" / n).read_text(errors="ignore")
                   for n in trees[1] if n.endswith((".html", ".json", ".ipynb", ".js")))
    assert str(tmp_path) not in text and str(one) not in text
    # Sphinx's "Last updated" is the fixed release date (html_last_updated_fmt, en-GB)
    assert "Last updated" not in text or "1 April 2025" in text

    first = small_build["summary"]
    edition = first.outcomes[0].spec.edition
    files = {o.spec.analysis: RunFolder(o.spec.run_dir).file_hashes()
             for o in first.outcomes}
    (tmp_path / "extract").mkdir()
    extract = lt.engines.write_duckdb(two / "build" / "data" / "synthetic",
                                      tmp_path / "extract" / "x.duckdb")
    with ProjectRoot(two):
        second = run_analyses(jobs=2, data_dir=extract)
        data = prepare_data(load_series(), data_dir=extract)
    assert {o.spec.analysis for o in second} == set(files)
    assert all(o.status == "ran" for o in second)  # not reused from the cache
    for outcome in second:
        published = RunFolder(outcome.spec.run_dir).file_hashes()
        assert published and published == files[outcome.spec.analysis], outcome.spec.analysis
    manifest = json.loads((first.site / "editions" / edition / "manifest.json").read_text())
    assert manifest["data"]["engine"]["source"] == "files"
    assert {o.record["data_fingerprint"] for o in second} == {data.fingerprint["combined"]}
    with ProjectRoot(two):  # the manifest a build from the DuckDB file would publish
        from_duckdb = edition_manifest(load_series(), edition, data, second, "2026-01-01")
    assert from_duckdb["data"]["engine"]["source"] == "duckdb"
    assert from_duckdb["data"]["synthetic"] is None
    again = json.dumps(from_duckdb)
    assert "x.duckdb" not in again and str(tmp_path) not in again
    assert from_duckdb["data"]["engine"]["tables"]["people"]["rows"] == TEST_PEOPLE_SMALL


def site_hashes(root: Path) -> dict[str, str]:
    site = (root / "public" / "site").resolve()
    return {str(p.relative_to(site)): sha256_file(p) for p in sorted(site.rglob("*"))
            if p.is_file()}


def test_build_draft_stamps_every_page_and_leaves_the_live_site(project_copy_built,
                                                                 capsys, no_pdfs):
    before = site_hashes(project_copy_built)
    notebook = project_copy_built / "analyses" / "05_wellbeing.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A sentence not yet committed."))
    nbformat.write(nb, notebook)
    with ProjectRoot(project_copy_built):
        assert main(["build", "-j", "2"]) == UnversionedCodeError.exit_code
        assert main(["build", "--draft", "-j", "2"]) == 0
    draft = project_copy_built / "public" / "draft"
    pages = [p for p in sorted(draft.rglob("*.html")) if "_static" not in p.parts]
    assert pages and all('class="lifetools-draft"' in p.read_text() for p in pages)
    assert site_hashes(project_copy_built) == before
    assert "DRAFT" not in (project_copy_built / "public" / "site" / "index.html").read_text()


def test_build_archived_edition_pages_are_published_as_released(built_project):
    with ProjectRoot(built_project["root"]):
        snapshot = archive_html("2023-24")
        published = site_dir() / "editions" / "2023-24"
        assert snapshot.is_dir()
        def as_released(path):  # the archived-edition banner is the only addition
            if path.suffix != ".html":
                return sha256_file(path)
            return hashlib.sha256(unmark_archived(path.read_text()).encode()).hexdigest()

        assert {str(p.relative_to(snapshot)): sha256_file(p)
                for p in sorted(snapshot.rglob("*")) if p.is_file()} == {
            str(p.relative_to(published)): as_released(p)
            for p in sorted(published.rglob("*")) if p.is_file()}
        # as released, it states its publication date, never "current edition" (it
        # said so until #15, under the banner saying it was superseded)
        index = (published / "index.html").read_text()
        assert "(current edition)" not in index and "Published on " in index
        assert "This is an archived edition</strong>, superseded by" in index
        assert 'href="../2024-25/wellbeing.html"' in (published / "wellbeing.html").read_text()


def test_build_republish_keeps_the_released_version_and_logs_the_reason(
        project_copy_built, capsys, no_pdfs):
    """A parameter change reruns only the current edition's notebook that takes it (the
    archived edition is left as released); republishing the archived edition with a
    reason then keeps its released version beside the correction. (The first half was
    ``test_build_parameter_change_reruns_only_that_notebook`` in test_build.py, on a
    copy of its own of the built project.) Its two builds print no PDF (``no_pdfs``):
    which editions a republishing build prints is tested in
    ``tests/unit/test_build_manifest.py`` (``test_editions_to_print_*``)."""
    with ProjectRoot(project_copy_built):
        old = archive_dir("2023-24")
        before = {str(p.relative_to(old)): sha256_file(p)
                  for p in sorted(old.rglob("*")) if p.is_file()}

        def change(series: dict) -> None:
            entry = next(a for a in series["analyses"] if a["id"] == "wellbeing")
            entry["parameters"]["meaningful_change"]["default"] = 2.5

        edit_series(project_copy_built, change)
        summary = build_series(jobs=2)
        ran = {(o.spec.edition, o.spec.analysis) for o in summary.outcomes
               if o.status == "ran"}
        assert ran == {("2024-25", "wellbeing")}
        assert {str(p.relative_to(old)): sha256_file(p)
                for p in sorted(old.rglob("*")) if p.is_file()} == before
        reason = "meaningful change threshold corrected to 2.5 points"
        assert main(["build", "-j", "2", "--republish", "2023-24", "--reason", reason]) == 0
        kept = archive_dir("2023-24") / "versions" / "v1"
        assert {str(p.relative_to(kept)): sha256_file(p)
                for p in sorted(kept.rglob("*")) if p.is_file()} == before
        manifest = json.loads((archive_dir("2023-24") / "manifest.json").read_text())
        [entry] = manifest["corrections"]
        assert entry["reason"] == reason and entry["superseded"] == "v1"
        assert any(name.startswith("wellbeing/") for name in entry["changed_files"])
        page = (site_dir() / "editions" / "corrections.html").read_text()
        assert reason in page and "2023-24-v1/index.html" in page
        assert (site_dir() / "editions" / "2023-24-v1" / "index.html").exists()
        # every page of the corrected edition says so and links the page as first
        # released; every page of the version it replaces links the correction
        corrected = sorted((site_dir() / "editions" / "2023-24").glob("*.html"))
        assert corrected
        for path in corrected:
            text = path.read_text()
            assert text.count('class="lifetools-corrected"') == 1, path.name
            assert html.escape(reason) in text
            first = "2023-24-v1/" + (path.name if (
                site_dir() / "editions" / "2023-24-v1" / path.name).exists() else "index.html")
            assert f'href="../{first}">This page as first released</a>' in text
        assert "Results changed on this page: <code>" in (
            site_dir() / "editions" / "2023-24" / "wellbeing.html").read_text()
        for path in sorted((site_dir() / "editions" / "2023-24-v1").glob("*.html")):
            text = path.read_text()
            assert "<strong>This version has been superseded</strong>" in text, path.name
            assert "<title>Superseded (v1): " in text
            assert 'href="../2023-24/' in text


def fresh_clone(built: Path, target: Path) -> Path:
    """A fresh clone of the built project's repository: no build/, no public/."""
    subprocess.run(["git", "clone", "-q", str(built), str(target)], check=True,
                   capture_output=True)
    return target


def test_reproduce_fresh_clone_reproduces_the_published_edition(project_copy_built,
                                                                tmp_path, capsys):
    clone = fresh_clone(project_copy_built, tmp_path / "clone")
    site = (project_copy_built / "public" / "site").resolve().as_uri()
    with ProjectRoot(clone):
        code = main(["reproduce", "2024-25", "-j", "2", "--site", site])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "published files reproduced exactly" in out
    assert str(clone / "build" / "reproduce" / "2024-25") in out
    # each reproduced run records the published run's key: the same tables, columns,
    # code and parameters keyed the same way (the per-table hashes the build gives)
    manifest = json.loads((project_copy_built / "public" / "site" / "editions" /
                           "2024-25" / "manifest.json").read_text())
    for name, entry in manifest["analyses"].items():
        record = RunFolder(clone / "build" / "reproduce" / "2024-25" / name).record
        assert json.loads(record.read_text())["key"] == entry["key"], name


def installed_as_another_version(folder: Path, package: str, version: str) -> Path:
    """A distribution record saying ``package`` is installed at ``version``.

    Put first on ``sys.path``, it is what ``importlib.metadata`` (and so pip and
    ``lifetools reproduce``) reads for the package, as in a venv where another version
    was installed; the package's code stays the one that runs.
    """
    record = folder / f"{package}-{version}.dist-info"
    record.mkdir(parents=True)
    (record / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
    return folder


def test_reproduce_altered_code_is_refused_then_fails_naming_the_numbers(
        project_copy_built, tmp_path, capsys, monkeypatch):
    """An altered notebook and another statsmodels than the manifest's are refused;
    with ``--allow-drift`` the rerun runs in that environment, says so, and names the
    changed numbers, and so a value tampered with in another report's published file.

    One re-execution of the edition checks all three (the tampered file was a test of
    its own, ``test_reproduce_edition_reports_the_tampered_published_value``, which
    re-executed the whole 12,000-person edition again for it). The package drift is
    real to ``lifetools``: nothing of it is patched; ``importlib.metadata`` finds a
    distribution record of statsmodels 0.0.1 first on the path (issue 14: a venv with
    another statsmodels than the manifest's passed silently).
    """
    monkeypatch.syspath_prepend(str(installed_as_another_version(
        tmp_path / "site-packages", "statsmodels", "0.0.1")))
    published = json.loads((project_copy_built / "public" / "site" / "editions" /
                            "2024-25" / "manifest.json").read_text())["packages"]
    drifted = f"package statsmodels: {published['statsmodels']} published, 0.0.1 installed"
    clone = fresh_clone(project_copy_built, tmp_path / "clone")
    notebook = clone / "analyses" / "05_wellbeing.ipynb"
    notebook.write_text(notebook.read_text().replace(
        "meaningful_change=meaningful_change,", "meaningful_change=meaningful_change + 2,"))
    commit_all(clone, "an altered analysis")
    site = (project_copy_built / "public" / "site").resolve()
    tampered = next(p for p in sorted((site / "editions" / "2024-25").glob("*/results.json"))
                    if p.parent.name not in ("cohort_description", "wellbeing"))
    results = json.loads(tampered.read_text())
    key = sorted(results)[0]
    tampered.unlink()  # the release's files may be hard links: never edit in place
    results[key] = "tampered"
    tampered.write_text(json.dumps(results))
    with ProjectRoot(clone):
        assert main(["reproduce", "2024-25", "--site", str(site)]) == 16
        refused = capsys.readouterr().err
        assert "notebook analyses/05_wellbeing.ipynb (wellbeing) differs" in refused
        assert drifted in refused
        assert "HINT: git checkout" in refused
        assert "pip install -r requirements.lock" in refused
        assert not (clone / "build" / "reproduce").exists()
        code = main(["reproduce", "2024-25", "-j", "2", "--site", str(site),
                     "--allow-drift"])
    err = capsys.readouterr().err
    assert code == 16
    assert f"note: {drifted}" in err
    differences, values = err.split("table  row  column")
    assert "wellbeing/" in differences and "value(s) differ" in differences
    assert "cohort_description/" not in differences
    assert (f"{tampered.parent.name}/results.json: the published file does not match"
            in differences)
    assert f"row {key}" in values and 'published "tampered"' in values
    assert ", reproduced " in values
    assert "reproduced files in" in err


def edited_source(tmp_path: Path, module: str) -> dict[str, str]:
    """A copy of the lifetools source with one module edited; the environment to run it."""
    source = Path(__file__).resolve().parents[2] / "src"
    copy = tmp_path / "src"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / "lifetools" / module
    path.write_text(path.read_text() + "\n# an edit that changes no number\n")
    return {**os.environ, "PYTHONPATH": str(copy)}


def run_outputs(root: Path, edition: str) -> dict[str, str]:
    """Hash of every executed notebook and result file of an edition's runs."""
    runs = root / "build" / "runs" / edition
    return {str(p.relative_to(runs)): sha256_file(p) for p in sorted(runs.rglob("*"))
            if p.is_file() and (p.name == "notebook.ipynb" or "files" in p.parts)}


def test_run_edited_report_module_reruns_only_the_notebook_using_it(
        project_copy_built, tmp_path):
    """An edit of one report module's source (in a copy of the package the command
    imports) reruns the current edition's one notebook that uses it, naming the module
    as the cause; every other run is reused. Run as ``lifetools run --edition`` runs
    the edition: the plan and the cache are a build's (``plan_runs``,
    ``execute_runs``), without the book and the current edition's PDFs that
    ``lifetools build`` made after it until wave 52 (on the two-edition
    12,000-person project the build took 29.3 s of CPU, the run 10.4 s): a build's
    book after a run that executed is built by the republish and incremental
    tests, and which editions a build runs by the republish test."""
    before = run_outputs(project_copy_built, "2024-25")
    env = {**edited_source(tmp_path, "reports/reach.py"),
           "LIFETOOLS_PROJECT_ROOT": str(project_copy_built)}
    done = subprocess.run([sys.executable, "-m", "lifetools", "-v", "run", "--edition",
                           "2024-25", "-j", "2"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    ran = [line.split()[:2] for line in done.stderr.splitlines()
           if re.match(r"^\S+\s+\S+\s+ran\s", line)]
    assert ran == [["2024-25", "reach_and_activity"]]
    assert "lifetools code it uses changed: lifetools/reports/reach.py" in done.stderr
    record = json.loads((project_copy_built / "build" / "runs" / "2024-25"
                         / "reach_and_activity" / "run.json").read_text())
    assert record["cause"] == ["lifetools code it uses changed: lifetools/reports/reach.py"]
    after = run_outputs(project_copy_built, "2024-25")
    assert differing(before, after) == ["reach_and_activity/notebook.ipynb"]


def test_status_edited_disclosure_module_reruns_every_notebook(project_copy_built,
                                                              tmp_path):
    env = {**edited_source(tmp_path, "disclosure/protected.py"),
           "LIFETOOLS_PROJECT_ROOT": str(project_copy_built)}
    done = subprocess.run([sys.executable, "-m", "lifetools", "status"], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if "2024-25/" in line]
    assert len(lines) >= 6
    assert all(line.startswith("rerun") and "lifetools/disclosure/protected.py" in line
               for line in lines), lines


def rerun_block(page: Path) -> list[str]:
    """The commands of a published page's "Rerun this report" block, as a reader copies them."""
    html_text = page.read_text()
    section = html_text[html_text.index("Rerun this report"):]
    block = re.search(r"<pre>(.*?)</pre>", section, re.S)[1]
    return [line for line in html.unescape(re.sub(r"<[^>]+>", "", block)).splitlines()
            if line.strip()]


def test_rerun_block_run_literally_in_a_fresh_clone_gives_the_published_files(
        project_copy_built, tmp_path):
    site = (project_copy_built / "public" / "site").resolve()
    lines = rerun_block(site / "editions" / "2024-25" / "wellbeing.html")
    # no repository is configured: the page says to ask the contact for a copy and
    # prints no placeholder clone command; the commands start in that copy
    assert lines[0].startswith("git checkout ") and lines[1] == "make setup"
    assert "ask the" in site.joinpath("editions", "2024-25", "wellbeing.html").read_text()
    assert str(project_copy_built) not in "\n".join(lines)
    clone = fresh_clone(project_copy_built, tmp_path / "clone")
    subprocess.run(lines[0], shell=True, cwd=clone, check=True, capture_output=True)
    # make setup is the environment these tests already run in
    command = lines[2].replace(".venv/bin/lifetools", f"{sys.executable} -m lifetools", 1)
    env = {**os.environ, "LIFETOOLS_PROJECT_ROOT": str(clone)}
    done = subprocess.run(command, shell=True, cwd=clone, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    files = clone / "build" / "adhoc" / "2024-25" / "wellbeing" / "files"
    published = site / "editions" / "2024-25" / "wellbeing"
    produced = {str(p.relative_to(files)): sha256_file(p) for p in sorted(files.rglob("*"))
                if p.is_file()}
    assert produced and produced == {name: sha256_file(published / name)
                                     for name in produced}
