"""lifetools.fingerprint: the size-and-mtime hash cache behind fast no-op builds."""

from __future__ import annotations

import os

from lifetools import fingerprint


def _tables(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.parquet").write_bytes(b"alpha")
    (data / "b.csv").write_bytes(b"beta")
    (tmp_path / "dictionary").mkdir()
    return data, tmp_path / "dictionary"


def _count_hashes(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = fingerprint.sha256_file
    monkeypatch.setattr(fingerprint, "sha256_file",
                        lambda p: calls.append(p.name) or real(p))
    return calls


def test_data_fingerprint_cache_unchanged_files_not_read_again(tmp_path, monkeypatch):
    data, dictionary = _tables(tmp_path)
    cache = tmp_path / "build" / "fingerprints.json"
    plain = fingerprint.data_fingerprint(data, dictionary)
    calls = _count_hashes(monkeypatch)
    first = fingerprint.data_fingerprint(data, dictionary, cache=cache)
    assert sorted(calls) == ["a.parquet", "b.csv"]
    calls.clear()
    second = fingerprint.data_fingerprint(data, dictionary, cache=cache)
    assert calls == []
    assert first == second == plain


def test_data_fingerprint_cache_changed_file_rehashed(tmp_path, monkeypatch):
    data, dictionary = _tables(tmp_path)
    cache = tmp_path / "fingerprints.json"
    before = fingerprint.data_fingerprint(data, dictionary, cache=cache)
    target = data / "a.parquet"
    stat = target.stat()
    target.write_bytes(b"ALPHA")  # same size; modification time moved on
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    calls = _count_hashes(monkeypatch)
    after = fingerprint.data_fingerprint(data, dictionary, cache=cache)
    assert calls == ["a.parquet"]
    assert after["tables"]["a.parquet"] != before["tables"]["a.parquet"]
    assert after == fingerprint.data_fingerprint(data, dictionary)


def test_data_fingerprint_cache_corrupt_file_ignored(tmp_path):
    data, dictionary = _tables(tmp_path)
    cache = tmp_path / "fingerprints.json"
    cache.write_text("{not json")
    assert (fingerprint.data_fingerprint(data, dictionary, cache=cache)
            == fingerprint.data_fingerprint(data, dictionary))
