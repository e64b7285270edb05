"""Shared fixtures: a small project copy built end to end, once per test session.

The series is built in a temporary copy of the project (series file, notebooks, book,
dictionary), never in the developer's own ``build/`` and ``public/``. The build follows
the life of a real series: the 2023-24 edition is published first, then 2024-25 is
added as the current edition, so tests can check that the first is never rewritten.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from project_copy import (  # noqa: F401 - re-exported for fixtures
    GIT_ENV,
    PROJECT_FILES,
    ROOT,
    TEST_PEOPLE,
    ProjectRoot,
    commit_all,
    copy_project,
    edit_series,
)

SITE_FIXTURES = {"built_project", "built_site", "project_copy_built"}


def pytest_collection_modifyitems(items):
    """Keep every test that needs the built site on one xdist worker (built once)."""
    for item in items:
        if SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("site"))


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
