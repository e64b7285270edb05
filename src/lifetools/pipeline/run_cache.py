"""The run cache: the live run of each analysis and its earlier runs, kept by key.

A run is reusable when its record's key equals the key its inputs have now over the
tables and columns it read (:func:`lifetools.pipeline.dependencies.record_key`). A run replaced by
a new one is kept under ``layout.run_cache`` by its key (:data:`CACHED_RUNS` per
analysis, least recently used evicted) and swapped back in when its inputs return.
Tested in ``tests/unit/test_runner.py`` and ``tests/unit/test_reads.py``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lifetools.pipeline import dependencies, layout
from lifetools.pipeline.layout import RUN_RECORD

__all__ = ["CACHED_RUNS", "cached_match", "live_record", "restore", "swap_in"]

logger = logging.getLogger(__name__)

#: Earlier runs kept per analysis (by cache key): switching back is a reuse, not a run.
CACHED_RUNS = 4


def live_record(run_dir: Path, inputs: Mapping[str, Any]) -> dict[str, Any] | None:
    """The live run's record if its key, over the tables it read, matches ``inputs``."""
    folder = layout.RunFolder(run_dir)
    if not folder.complete():
        return None
    record = json.loads(folder.record.read_text())
    return record if record.get("key") == dependencies.record_key(record, inputs) else None


def swap_in(folder: Path, run_dir: Path) -> None:
    """Make ``folder`` the run folder; keep the one it replaces in the run cache."""
    if not run_dir.exists():
        folder.rename(run_dir)
        return
    old = layout.temp_sibling(run_dir, "old")
    run_dir.rename(old)
    folder.rename(run_dir)
    _keep(old, run_dir)


def _keep(old: Path, run_dir: Path) -> None:
    """File a replaced run under its cache key; evict the least recently used beyond
    :data:`CACHED_RUNS`."""
    try:
        key = json.loads((old / RUN_RECORD).read_text())["key"]
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(old, ignore_errors=True)
        return
    cache = layout.run_cache(run_dir)
    target = cache / str(key)
    cache.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    old.rename(target)
    os.utime(target)
    kept = sorted(cache.iterdir(), key=lambda p: (p.stat().st_mtime_ns, p.name),
                  reverse=True)
    for stale in kept[CACHED_RUNS:]:
        shutil.rmtree(stale, ignore_errors=True)


def cached_match(run_dir: Path, inputs: Mapping[str, Any]) -> Path | None:
    """A cached earlier run whose key, over the tables it read, matches ``inputs``."""
    cache = layout.run_cache(run_dir)
    for cached in sorted(cache.iterdir()) if cache.is_dir() else []:
        folder = layout.RunFolder(cached)
        if not folder.complete():
            continue
        try:
            record = json.loads(folder.record.read_text())
        except ValueError:
            continue
        if record.get("key") == cached.name == dependencies.record_key(record, inputs):
            return cached
    return None


def restore(run_dir: Path, inputs: Mapping[str, Any], label: str) -> dict[str, Any] | None:
    """Bring back a cached earlier run with these inputs (the live one goes to the cache)."""
    cached = cached_match(run_dir, inputs)
    if cached is None:
        return None
    record = json.loads(layout.RunFolder(cached).record.read_text())
    swap_in(cached, run_dir)
    logger.info("%s: restored the cached run with its inputs", label)
    return record
