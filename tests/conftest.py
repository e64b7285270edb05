"""Shared fixtures: a small project copy built end to end, once per test session.

The series is built in a temporary copy of the project (series file, notebooks, book,
dictionary), never in the developer's own ``build/`` and ``public/``. The build follows
the life of a real series: the 2023-24 edition is published first, then 2024-25 is
added as the current edition, so tests can check that the first is never rewritten.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from lifetools import config

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("analyses", "book", "data_dictionary", "_config.yml", "CITATION.cff",
                 "GLOSSARY.md", "requirements.lock")
TEST_PEOPLE = int(os.environ.get("LIFETOOLS_TEST_PEOPLE", "12000"))
SITE_FIXTURES = {"built_project", "built_site", "project_copy_built"}


def pytest_collection_modifyitems(items):
    """Keep every test that needs the built site on one xdist worker (built once)."""
    for item in items:
        if SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("site"))


def copy_project(target: Path, *, people: int = TEST_PEOPLE) -> Path:
    """Copy the project's inputs to ``target`` with a smaller synthetic dataset."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
        elif source.exists():
            shutil.copyfile(source, target / name)
    series_file = target / "analyses" / "analyses.yml"
    series = yaml.safe_load(series_file.read_text())
    series["data"]["synthetic"]["people"] = people
    series_file.write_text(yaml.safe_dump(series, sort_keys=False))
    (target / ".gitignore").write_text("build/\npublic/\n")
    commit_all(target, "project copy")
    return target


#: A fixed author and date: the same files committed in two folders give one commit id.
GIT_ENV = {"GIT_AUTHOR_NAME": "lifetools tests", "GIT_AUTHOR_EMAIL": "tests@example.org",
           "GIT_COMMITTER_NAME": "lifetools tests",
           "GIT_COMMITTER_EMAIL": "tests@example.org",
           "GIT_AUTHOR_DATE": "2025-04-01T12:00:00Z",
           "GIT_COMMITTER_DATE": "2025-04-01T12:00:00Z"}


def commit_all(root: Path, message: str) -> None:
    """Commit every file of a project copy (a git repository, created if needed)."""
    env = {**os.environ, **GIT_ENV}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True,
                       capture_output=True)

    if not (root / ".git").exists():
        git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "--allow-empty", "-m", message)


def edit_series(root: Path, edit, *, commit: bool = True) -> None:
    """Apply ``edit(dict)`` to a project copy's series file (and commit it)."""
    path = root / "analyses" / "analyses.yml"
    series = yaml.safe_load(path.read_text())
    edit(series)
    path.write_text(yaml.safe_dump(series, sort_keys=False))
    if commit:
        commit_all(root, "edit the series")


class ProjectRoot:
    """Point lifetools at a project copy for the duration of a with-block."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.previous = None

    def __enter__(self) -> Path:
        self.previous = os.environ.get(config.ENV_PROJECT_ROOT)
        os.environ[config.ENV_PROJECT_ROOT] = str(self.root)
        return self.root

    def __exit__(self, *exc) -> None:
        if self.previous is None:
            os.environ.pop(config.ENV_PROJECT_ROOT, None)
        else:
            os.environ[config.ENV_PROJECT_ROOT] = self.previous


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> dict:
    """Build the series in a project copy: 2023-24 first, then 2024-25 as current.

    Returns a dict with the project ``root``, the ``first`` and ``second`` build
    summaries, and the SHA-256 of every archived 2023-24 file after the first build.
    """
    from lifetools.pipeline.build import build_series
    from lifetools.pipeline.layout import archive_dir
    from lifetools.pipeline.provenance import sha256_file

    root = copy_project(tmp_path_factory.mktemp("project"))

    def only_first(series: dict) -> None:
        series["editions"] = series["editions"][:1]
        series["series"]["current_edition"] = series["editions"][0]["id"]

    original = (root / "analyses" / "analyses.yml").read_text()
    edit_series(root, only_first)
    with ProjectRoot(root):
        first = build_series(jobs=2)
        old = archive_dir("2023-24")
        hashes = {str(p.relative_to(old)): sha256_file(p)
                  for p in sorted(old.rglob("*")) if p.is_file()}
        (root / "analyses" / "analyses.yml").write_text(original)
        commit_all(root, "add the 2024-25 edition")
        second = build_series(jobs=2)
    return {"root": root, "first": first, "second": second, "old_hashes": hashes}


@pytest.fixture(scope="session")
def built_site(built_project) -> Path:
    """The published html folder of the built project copy."""
    return (built_project["root"] / "public" / "site").resolve()


@pytest.fixture
def project_copy_built(built_project, tmp_path) -> Path:
    """A private copy of the built project (data, runs, archive, site) to change."""
    target = tmp_path / "project"
    shutil.copytree(built_project["root"], target, symlinks=True)
    return target


# Property tests never depend on timing: a loaded 2-core machine made a 80 ms example
# take 289 ms and fail hypothesis' default 200 ms deadline ("Unreliable test timings").
settings.register_profile("lifetools", deadline=None, print_blob=True)
settings.load_profile("lifetools")
