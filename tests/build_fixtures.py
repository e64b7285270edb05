"""The session's built project copies (a plugin of ``tests/conftest.py``): the series
built in two editions, its site, a private copy of it, one edition of a small project,
and builds that print no PDF.

The series is built in a temporary copy of the project (series file, notebooks, book,
dictionary), never in the developer's own ``build/`` and ``public/``. The build follows
the life of a real series: the 2023-24 edition is published first, then 2024-25 is
added as the current edition, so tests can check that the first is never rewritten.
Each of these session fixtures is made once per run: its tests are one xdist group
(``tests/xdist_schedule.py``, ``EXPENSIVE_FIXTURES``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from project_copy import (
    TEST_PEOPLE_SMALL,
    ProjectRoot,
    commit_all,
    copy_project,
    edit_series,
    only_first_edition,
)


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

    original = (root / "analyses" / "analyses.yml").read_text()
    edit_series(root, only_first_edition)
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


@pytest.fixture(scope="session")
def small_build(tmp_path_factory) -> dict:
    """One edition (2023-24) of a project copy of ``TEST_PEOPLE_SMALL`` people, built
    from its synthetic Parquet folder. Tests read it or copy it, never change it.

    Returns a dict with the project ``root`` and the build ``summary``.
    """
    from lifetools.pipeline.build import build_series

    root = copy_project(tmp_path_factory.mktemp("small") / "project",
                        people=TEST_PEOPLE_SMALL)
    edit_series(root, only_first_edition)
    with ProjectRoot(root):
        summary = build_series(jobs=2)
    return {"root": root, "summary": summary}


@pytest.fixture
def no_pdfs(monkeypatch):
    """Builds in this test print no report PDFs, as on a machine without Chromium.

    For tests of what a rebuild reruns, reuses or publishes, which read no PDF: printing
    an edition's reports costs a rebuild about 10-25 s. Test-only: it patches
    :func:`lifetools.pipeline.pdf.chromium` in this process (builds run in a subprocess
    still print), and the published build's default is unchanged. The PDFs themselves
    are tested in ``tests/unit/test_pdf.py``, on the series' site (its links, by the
    accessibility audit) and byte for byte by the two-folder comparison of
    ``test_integrity.py``, whose builds print them. Here, not in tests/functional:
    the builds from PostgreSQL and Spark (tests/engines) compare result files, not
    PDFs, and take it too.
    """
    from lifetools.pipeline import pdf

    monkeypatch.setattr(pdf, "chromium", lambda: None)


@pytest.fixture
def project_copy_built(built_project, tmp_path) -> Path:
    """A private copy of the built project (data, runs, archive, site) to change."""
    target = tmp_path / "project"
    shutil.copytree(built_project["root"], target, symlinks=True)
    return target
