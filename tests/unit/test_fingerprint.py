"""lifetools.fingerprint: the file hash cache (real path, inode, size, modification and
change times) behind fast no-op builds and the typed cache."""

from __future__ import annotations

import os

import pytest

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


def _after_clock_tick(folder, ctime_ns: int) -> None:
    """Wait until the file system's clock is past ``ctime_ns`` (a change time is as
    coarse as its clock tick), so a rewrite now has a later change time."""
    probe = folder / ".probe"
    while True:
        probe.write_bytes(b"")
        if probe.stat().st_ctime_ns > ctime_ns:
            probe.unlink()
            return


def test_data_fingerprint_cache_same_size_and_time_restored_rehashed(tmp_path, monkeypatch):
    data, dictionary = _tables(tmp_path)
    cache = tmp_path / "fingerprints.json"
    before = fingerprint.data_fingerprint(data, dictionary, cache=cache)
    target = data / "a.parquet"
    stat = target.stat()
    _after_clock_tick(tmp_path, stat.st_ctime_ns)
    target.write_bytes(b"ALPHA")  # same size, same inode
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the old time put back
    now = target.stat()
    assert (now.st_ino, now.st_size, now.st_mtime_ns) == (stat.st_ino, stat.st_size,
                                                          stat.st_mtime_ns)
    calls = _count_hashes(monkeypatch)
    after = fingerprint.data_fingerprint(data, dictionary, cache=cache)
    assert calls == ["a.parquet"]
    assert after["tables"]["a.parquet"] != before["tables"]["a.parquet"]
    assert after == fingerprint.data_fingerprint(data, dictionary)


def test_data_fingerprint_cache_file_replaced_with_old_size_and_time_rehashed(
        tmp_path, monkeypatch):
    data, dictionary = _tables(tmp_path)
    cache = tmp_path / "fingerprints.json"
    before = fingerprint.data_fingerprint(data, dictionary, cache=cache)
    target = data / "a.parquet"
    stat = target.stat()
    new = data / "a.new"
    new.write_bytes(b"ALPHA")
    os.utime(new, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(new, target)  # another inode under the old name, size and time
    assert target.stat().st_ino != stat.st_ino
    calls = _count_hashes(monkeypatch)
    after = fingerprint.data_fingerprint(data, dictionary, cache=cache)
    assert calls == ["a.parquet"]
    assert after["tables"]["a.parquet"] != before["tables"]["a.parquet"]


def test_cached_sha256_failed_write_leaves_old_cache_and_no_partial_file(
        tmp_path, monkeypatch):
    data, dictionary = _tables(tmp_path)
    cache = tmp_path / "fingerprints.json"
    fingerprint.data_fingerprint(data, dictionary, cache=cache)
    old = cache.read_bytes()
    (data / "c.csv").write_bytes(b"gamma")

    def refuse(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fingerprint.os, "replace", refuse)
    assert (fingerprint.data_fingerprint(data, dictionary, cache=cache)
            == fingerprint.data_fingerprint(data, dictionary))
    assert cache.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "dictionary",
                                                          "fingerprints.json"]


def test_cached_sha256_concurrent_writers_leave_one_whole_cache(tmp_path):
    import json
    import threading

    folder = tmp_path / "data"
    folder.mkdir()
    files = []
    for i in range(8):
        files.append(folder / f"t{i}.csv")
        files[-1].write_bytes(f"table {i}".encode())
    cache = tmp_path / "cache" / "hashes.json"
    start = threading.Barrier(len(files))
    results: dict[int, list[str]] = {}

    def hash_one(i: int) -> None:
        start.wait()
        results[i] = fingerprint.cached_sha256_files([files[i], *files], cache)

    threads = [threading.Thread(target=hash_one, args=(i,)) for i in range(len(files))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = [fingerprint.sha256_file(p) for p in files]
    assert all(results[i] == [expected[i], *expected] for i in range(len(files)))
    assert [p.name for p in cache.parent.iterdir()] == ["hashes.json"]
    known = json.loads(cache.read_text())
    assert {k: v[-1] for k, v in known.items()} == {
        os.path.realpath(p): h for p, h in zip(files, expected, strict=True)}


def test_replaced_renames_on_success_and_leaves_the_old_file_on_an_error(tmp_path):
    target = tmp_path / "sub" / "cache.json"
    with fingerprint.replaced(target) as temporary:
        assert temporary.parent == target.parent and temporary != target
        temporary.write_text("first")
    assert target.read_text() == "first"

    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), fingerprint.replaced(target) as temporary:
        temporary.write_text("half")
        raise Interrupted
    assert target.read_text() == "first"
    assert [p.name for p in target.parent.iterdir()] == ["cache.json"]


def test_replace_text_is_best_effort_on_a_read_only_folder(tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(fingerprint.tempfile, "mkstemp", refuse)
    assert fingerprint.replace_text(tmp_path / "x.json", "{}") is False
    assert not (tmp_path / "x.json").exists()
