"""A full build from a DuckDB database file publishes the Parquet folder's result files.

One edition of a project copy is built from its synthetic Parquet folder, then again
from a DuckDB file made of that folder (``lt.engines.write_duckdb``): every published
result file of every analysis has the same bytes; only the manifest's data record
differs (the engine, and a fingerprint computed in it).
"""

from __future__ import annotations

import json

import pytest
from project_copy import ProjectRoot, copy_project, edit_series

import lifetools as lt
from lifetools.pipeline import layout
from lifetools.pipeline.build import build_series

pytestmark = pytest.mark.slow


def test_build_duckdb_file_publishes_the_parquet_folders_bytes(tmp_path):
    root = copy_project(tmp_path / "project", people=4000)

    def only_first(series: dict) -> None:
        series["editions"] = series["editions"][:1]
        series["series"]["current_edition"] = series["editions"][0]["id"]

    edit_series(root, only_first)
    with ProjectRoot(root):
        first = build_series(jobs=2)
        folder = root / "build" / "data" / "synthetic"
        files = {o.spec.analysis: layout.RunFolder(o.spec.run_dir).file_hashes()
                 for o in first.outcomes}
        manifest = json.loads((first.site / "editions" / first.outcomes[0].spec.edition
                               / "manifest.json").read_text())
        (tmp_path / "extract").mkdir()
        extract = lt.engines.write_duckdb(folder, tmp_path / "extract" / "x.duckdb")
        second = build_series(jobs=2, data_dir=extract)
    assert {o.spec.analysis for o in second.outcomes} == set(files)
    assert all(o.status == "ran" for o in second.outcomes)  # not reused from the cache
    for outcome in second.outcomes:
        published = layout.RunFolder(outcome.spec.run_dir).file_hashes()
        assert published and published == files[outcome.spec.analysis], outcome.spec.analysis
    again = json.loads((second.site / "editions" / second.outcomes[0].spec.edition
                        / "manifest.json").read_text())
    assert manifest["data"]["engine"]["source"] == "files"
    assert again["data"]["engine"]["source"] == "duckdb"
    assert again["data"]["synthetic"] is None
    assert "x.duckdb" not in json.dumps(again) and str(tmp_path) not in json.dumps(again)
    assert again["data"]["engine"]["tables"]["people"]["rows"] == 4000
