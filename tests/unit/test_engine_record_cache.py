"""A data folder's engine record is kept by its key: a no-op build does not checksum every
row in the engine again, and a record is never reused for other data, engine or code."""

from __future__ import annotations

import pytest

from lifetools import config, engines
from lifetools.pipeline import build, layout


@pytest.fixture
def counted(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "build_dir", lambda: tmp_path / "build")
    calls = []
    real = engines.engine_record

    def record(source):
        calls.append(source)
        return real(source)

    monkeypatch.setattr(engines, "engine_record", record)
    return calls


def test_folder_engine_record_kept_by_fingerprint_and_code(extract, counted, monkeypatch):
    first = build.folder_engine_record(extract, "a" * 64)
    assert first == engines.engine_record(engines.parse_source(extract))  # the record
    assert len(counted) == 2
    again = build.folder_engine_record(extract, "a" * 64)
    assert again == first and len(counted) == 2  # read back, not computed
    (kept,) = (config.build_dir() / "validated").glob("engine-*.json")
    build.folder_engine_record(extract, "b" * 64)  # other data: computed
    assert len(counted) == 3
    monkeypatch.setattr(build, "ENGINE_RECORD_CODE",
                        (*build.ENGINE_RECORD_CODE, "lifetools.errors"))
    assert build.folder_engine_record(extract, "a" * 64) == first  # other code: computed
    assert len(counted) == 4
    kept.write_text('{"source": "files", "tab')  # a torn file: computed again
    monkeypatch.setattr(build, "ENGINE_RECORD_CODE", build.ENGINE_RECORD_CODE[:-1])
    assert build.folder_engine_record(extract, "a" * 64) == first
    assert len(counted) == 5
    assert layout.engine_record_cache("k").parent == config.build_dir() / "validated"
