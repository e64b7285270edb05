"""A full build from PostgreSQL publishes the folder build's result files, and no output
holds the database password.

One edition of a 4,000-person project copy is built from its synthetic Parquet folder
(rows in primary-key order: the order a server's rows are fetched in, as a warehouse
table has none), then from the same tables in a database of the throwaway server
(``conftest``), the analyst's password in the environment: every published result file
has the same bytes; the manifest records the engine and a fingerprint computed there.
"""

from __future__ import annotations

import json
import time

import pytest
from conftest import ANALYST_PASSWORD, load_folder, sort_by_key
from project_copy import ProjectRoot, copy_project, edit_series

from lifetools import engines
from lifetools.pipeline import layout
from lifetools.pipeline.build import build_series
from lifetools.synthetic import write_synthetic

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]

PEOPLE = 4000


def test_build_postgres_publishes_the_folders_bytes_and_never_the_password(
        postgres, tmp_path, monkeypatch, capfd):
    root = copy_project(tmp_path / "project", people=PEOPLE)

    def only_first(series: dict) -> None:
        series["editions"] = series["editions"][:1]
        series["series"]["current_edition"] = series["editions"][0]["id"]

    edit_series(root, only_first)
    folder = tmp_path / "extract"
    write_synthetic(folder, people=PEOPLE, seed=20250331)
    sort_by_key(folder)
    monkeypatch.setenv(engines.PASSWORD_ENV, ANALYST_PASSWORD)
    with ProjectRoot(root):
        first = build_series(jobs=2, data_dir=folder)
        files = {o.spec.analysis: layout.RunFolder(o.spec.run_dir).file_hashes()
                 for o in first.outcomes}
        url = load_folder(postgres, folder, "build")
        clock = time.monotonic()
        second = build_series(jobs=2, data_dir=url)
        with capfd.disabled():  # the figure the engines note quotes
            print(f"\nbuild from PostgreSQL: {time.monotonic() - clock:.0f} s")
    assert {o.spec.analysis for o in second.outcomes} == set(files)
    assert all(o.status == "ran" for o in second.outcomes)  # not reused from the cache
    for outcome in second.outcomes:
        published = layout.RunFolder(outcome.spec.run_dir).file_hashes()
        assert published and published == files[outcome.spec.analysis], outcome.spec.analysis
    manifest = (second.site / "editions" / second.outcomes[0].spec.edition
                / "manifest.json").read_text()
    record = json.loads(manifest)["data"]["engine"]
    assert (record["source"], record["engine"]) == ("postgres", "postgres")
    assert record["tables"]["people"]["rows"] == PEOPLE
    assert "analyst" not in manifest and "127.0.0.1" not in manifest
    secret = ANALYST_PASSWORD.encode()
    leaked = [str(p.relative_to(root)) for p in sorted(root.rglob("*"))
              if p.is_file() and not p.is_symlink() and secret in p.read_bytes()]
    assert leaked == []  # manifests, run.json, logs, notebooks, pages, caches
    out = capfd.readouterr()
    assert ANALYST_PASSWORD not in out.out + out.err
