"""Fingerprints of the input data and the data dictionary (the data layer's own hashes).

The build, the manifest and :meth:`lifetools.loading.Dataset.fingerprint` all identify an
extract by these hashes, so they live beside the data code rather than in the pipeline.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from lifetools import config

__all__ = ["TABLE_SUFFIXES", "data_fingerprint", "dictionary_fingerprint", "digest",
           "sha256_file"]

TABLE_SUFFIXES = (".parquet", ".csv")


def sha256_file(path: Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def digest(value: Any) -> str:
    """Return the SHA-256 of a JSON-serialisable value in canonical form."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cached_sha256(paths: list[Path], cache: Path) -> list[str]:
    """SHA-256 of each file, reusing ``cache`` entries whose size and mtime still match."""
    try:
        known = json.loads(cache.read_text())
    except (OSError, ValueError):
        known = {}
    hashes, entries = [], {}
    for path in paths:
        stat = path.stat()
        key, stamp = str(path.resolve()), [stat.st_size, stat.st_mtime_ns]
        entry = known.get(key)
        digest_ = entry[2] if entry and entry[:2] == stamp else sha256_file(path)
        hashes.append(digest_)
        entries[key] = [*stamp, digest_]
    if any(known.get(k) != v for k, v in entries.items()):
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f".{cache.name}.partial")
        partial.write_text(json.dumps({**known, **entries}, sort_keys=True))
        partial.replace(cache)
    return hashes


def data_fingerprint(data_dir: Path, dictionary_dir: Path | None = None, *,
                     cache: Path | None = None) -> dict:
    """Return the SHA-256 of every input table in ``data_dir`` and of the dictionary.

    Returns a mapping with ``tables`` (file name to hash), ``dictionary`` (one hash over
    every dictionary file) and ``combined`` (one hash over both). With ``cache`` (a JSON
    file) a table whose size and modification time (nanoseconds) match the cached entry
    is not read again: its cached hash is used (as ``make`` trusts modification times); a
    changed or new file is hashed and the cache updated.
    """
    files = [p for p in sorted(Path(data_dir).iterdir())
             if p.is_file() and p.suffix in TABLE_SUFFIXES]
    hashes = (_cached_sha256(files, cache) if cache is not None
              else [sha256_file(p) for p in files])
    tables = {p.name: h for p, h in zip(files, hashes, strict=True)}
    dictionary = dictionary_fingerprint(dictionary_dir)
    return {
        "tables": tables,
        "dictionary": dictionary,
        "combined": digest({"tables": tables, "dictionary": dictionary}),
    }


def dictionary_fingerprint(dictionary_dir: Path | None = None) -> str:
    """Return one SHA-256 over every file of the data dictionary."""
    folder = dictionary_dir or config.dictionary_dir()
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    return digest({str(p.relative_to(folder)): sha256_file(p) for p in files})
