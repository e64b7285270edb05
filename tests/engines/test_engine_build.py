"""A full build from PostgreSQL publishes the folder build's result files, and no output
holds the database password.

The folder build is the session's shared ``small_build`` (tests/build_fixtures.py: one edition
of a ``TEST_PEOPLE_SMALL``-person project copy, built from its synthetic Parquet folder):
this test does not build it again. Its tables are loaded into a database of the
throwaway server (``conftest``) and the project is built from there, the analyst's
password in the environment: every published result file has the same bytes; the
manifest records the engine and a fingerprint computed there.

Row order: a warehouse table has none, so the server's rows are fetched in primary-key
order, and the server is loaded from a key-sorted copy of the folder. The synthetic
``people`` table is not written in key order (every other table is), so every report,
emergency care's seeded draw included (it takes the people in person id order, issue
18), is compared with the shared build itself: the test also shows that no published
byte depends on the tables' row order.

The build prints no report PDF (``no_pdfs``, tests/build_fixtures.py): its PDFs were compared
with nothing (its pages differ from the folder build's by the data record), and each is
printed from a report page, which the password search reads as text, with a footer of
the series' title, status, date and address (most of a PDF's text is in compressed
streams, which a byte search does not read anyway).
"""

from __future__ import annotations

import json
import shutil
import time

import pytest
from engine_helpers import (
    ANALYST_PASSWORD,
    assert_engine_build_published,
    load_folder,
    published,
    sort_by_key,
)
from project_copy import (
    TEST_PEOPLE_SMALL,
    ProjectRoot,
    copy_project,
    edit_series,
    only_first_edition,
)

from lifetools import config, engines
from lifetools.pipeline.build import build_series

# Group: ``small_build`` (tests/xdist_schedule.py gives it to the tests using that fixture),
# not ``postgres``: a joined group could run on the other worker and build it again.
pytestmark = pytest.mark.slow


def test_build_postgres_publishes_the_folders_bytes_and_never_the_password(
        small_build, postgres, tmp_path, monkeypatch, capfd, no_pdfs):
    with ProjectRoot(small_build["root"]):
        source = config.default_data_dir()
    folder = tmp_path / "extract"  # the shared build's tables, in key order
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("synthetic.json"))
    sort_by_key(folder)
    files = published(small_build["summary"].outcomes)
    assert "emergency_care" in files  # its seeded draw: the same on the sorted rows

    root = copy_project(tmp_path / "project", people=TEST_PEOPLE_SMALL)
    edit_series(root, only_first_edition)
    monkeypatch.setenv(engines.PASSWORD_ENV, ANALYST_PASSWORD)
    with ProjectRoot(root):
        url = load_folder(postgres, folder, "build")
        clock = time.monotonic()
        second = build_series(jobs=2, data_dir=url)
        with capfd.disabled():  # the figure the engines note quotes
            print(f"\nbuild from PostgreSQL: {time.monotonic() - clock:.0f} s")
    manifest = assert_engine_build_published(second, files, root, engine="postgres",
                                             secret=ANALYST_PASSWORD, capfd=capfd)
    record = json.loads(manifest)["data"]["engine"]
    assert record["tables"]["people"]["rows"] == TEST_PEOPLE_SMALL
    assert "analyst" not in manifest and "127.0.0.1" not in manifest
