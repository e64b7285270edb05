"""A typed on-disk cache of the loaded tables, keyed by the data's fingerprint.

:func:`lifetools.load_dataset` gives every column its dictionary type and, with compact
ids, codes every ``person_id`` by its rank among every id of the folder's files
(:mod:`lifetools.compact_ids`). Building that id list hashes every 64-character id of
every table, the part of the load that grows faster than the data (issue 16). With a
cache folder (``LIFETOOLS_TYPED_CACHE=<folder>``, which the build's notebook kernels
set, or ``load_dataset(..., typed_cache=<folder>)``) each typed table is written once as
an uncompressed Arrow IPC (Feather) file with its final types (pandas metadata kept), and
a later load, in this or any other process, is a memory-mapped typed read: the ids are
not read.

An entry is found under ``<folder>/<key>/<table>-<columns>.arrow`` where ``key`` is one
SHA-256 over: the SHA-256 of every table file of the data folder (the codes depend on
all of them), the dictionary's bytes, the code that makes the frames (the source of
every module of :data:`CODE_MODULES`, the pandas, pyarrow, numpy and PyYAML versions,
:data:`FORMAT`) and whether ids are compact. A change of any is another key: an entry is
never read for other data, dictionary or code. File hashes are remembered in
``<folder>/hashes.json`` by :mod:`lifetools.fingerprint` (the one owner of the file hash
cache, as for the build's data fingerprint) against each file's real path, inode, size,
modification and change times (the change time cannot be set back by a program), so an
unchanged folder is not read again to be hashed.

Entries are written to a private temporary file and renamed into place, so two
processes writing the same entry at once each leave a whole file (the same bytes) and a
reader sees either no entry or a whole one. Each entry names itself (its key folder and
file name, in the Arrow schema's metadata, :data:`ENTRY_META`): a file copied or
renamed from another key or table is refused. An entry that cannot be read, or that
names another place, is treated as missing and written again. A build writes the
entries its kernels will read as soon as validation passes
(:func:`lifetools.loading.write_typed_cache`), so no kernel types a table. Writing is best effort: a full disk or read-only folder
leaves the load to read the data as without a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from lifetools.dictionary import _folder_key
from lifetools.fingerprint import cached_sha256_files, replaced

__all__ = ["CODE_MODULES", "ENTRY_META", "ENV_TYPED_CACHE", "FORMAT", "KEEP", "cache_folder",
           "entry_path",
           "folder_key", "module_source", "read_arrow", "read_entry", "write_entry"]

ENV_TYPED_CACHE = "LIFETOOLS_TYPED_CACHE"
"""A folder: :func:`lifetools.load_dataset` keeps its typed tables there."""
FORMAT = "typed-cache v2 (Arrow IPC, uncompressed, pandas metadata, entry named)"
"""Part of every key: a new layout of the entries is a new key."""
ENTRY_META = b"lifetools.typed_cache.entry"
"""The schema metadata key holding an entry's own place, ``<key>/<file name>``."""
CODE_MODULES = (
    "lifetools.typed_cache", "lifetools.loading", "lifetools.compact_ids",
    "lifetools.id_encoding",
    "lifetools.config", "lifetools.dictionary", "lifetools.duckdb_settings",
    "lifetools.errors", "lifetools.fingerprint",
    "lifetools.reads", "lifetools.reads_merge", "lifetools.dataset", "lifetools.folder_scan",
    "lifetools.bounded_reads", "lifetools.typed_reads",
    "lifetools.engines.columns",
    "lifetools.engines.connect", "lifetools.engines.dataset", "lifetools.engines.engine",
    "lifetools.engines.source", "lifetools.engines.spark",
)
"""The modules whose source is part of every key: :mod:`lifetools.loading`, this module
and every lifetools module they import, at any depth and inside functions too (the
server branch's :mod:`lifetools.engines` modules included: more than the folder path
needs, never less). ``tests/unit/test_typed_cache.py`` walks the imports of the source
(``ast``) and fails when a module they reach is not listed, or a listed one is not
reached (it would change the key for nothing); the import contract
``load-path-does-not-render`` keeps the page-writing modules off this path."""
KEEP = 2
"""Keys kept in a cache folder: older ones (other data or code) are removed."""
_HASHES = "hashes.json"
_CODE: list[str] = []
"""The code's part of the key, computed once per process."""


def cache_folder(typed_cache: os.PathLike | str | None) -> Path | None:
    """The caller's folder, else ``LIFETOOLS_TYPED_CACHE`` (empty or unset: no cache)."""
    if typed_cache is not None:
        return Path(typed_cache)
    raw = os.environ.get(ENV_TYPED_CACHE, "")
    return Path(raw) if raw else None


def module_source(name: str) -> bytes:
    """The source bytes of the lifetools module ``name``, read without importing it."""
    path = Path(__file__).parent.joinpath(*name.split(".")[1:])
    return (path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).read_bytes()


def _code_key() -> str:
    if not _CODE:
        import numpy
        import pyarrow
        import yaml

        digest = hashlib.sha256(FORMAT.encode())
        for name in CODE_MODULES:
            source = hashlib.sha256(module_source(name)).hexdigest()
            digest.update(f"|{name}:{source}".encode())
        digest.update(f"|{pd.__version__}|{pyarrow.__version__}|{numpy.__version__}|"
                      f"{yaml.__version__}|{sys.version_info[:2]}".encode())
        _CODE.append(digest.hexdigest())
    return _CODE[0]


def folder_key(files: Mapping[str, Path], dictionary_dir: Path, cache: Path, *,
               compact: bool) -> str:
    """The key of a data folder's typed tables (see the module's notes)."""
    names = sorted(files)
    hashes = cached_sha256_files([Path(files[n]) for n in names], cache / _HASHES)
    parts = {"tables": {f"{n}{Path(files[n]).suffix}": h
                        for n, h in zip(names, hashes, strict=True)},
             "dictionary": _folder_key(Path(dictionary_dir))[1],
             "code": _code_key(), "compact_ids": bool(compact)}
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def entry_path(cache: Path, key: str, table: str, columns: Sequence[str] | None) -> Path:
    """Where a table's typed frame with ``columns`` (None: the file's) is kept."""
    wanted = json.dumps(list(columns) if columns is not None else None)
    return cache / key / f"{table}-{hashlib.sha256(wanted.encode()).hexdigest()[:16]}.arrow"


def read_entry(path: Path) -> pd.DataFrame | None:
    """The frame kept at ``path``, or None when there is none, it cannot be read or it
    names another place."""
    table = _mapped(path)
    return None if table is None else table.to_pandas()


def _place(path: Path) -> bytes:
    """What an entry at ``path`` names itself: its key folder and file name."""
    return f"{path.parent.name}/{path.name}".encode()


def _mapped(path: Path):
    """The entry at ``path`` memory-mapped, or None when missing, not a whole Arrow file,
    or written for another place (another key, table or columns: :data:`ENTRY_META`)."""
    import pyarrow as pa
    import pyarrow.feather as feather

    try:
        table = feather.read_table(path, memory_map=True)
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None  # missing, or not a whole Arrow file: read the data instead
    if (table.schema.metadata or {}).get(ENTRY_META) != _place(path):
        return None  # another key's or table's file: never read for these data
    return table


def read_arrow(path: Path):
    """The entry at ``path`` as a memory-mapped ``pyarrow.Table`` of the frame's columns
    (an index kept as a column by the pandas metadata left out: an engine registering
    the frame does not see it), or None when there is none, it cannot be read, it names
    another place, or a column is dictionary-encoded. Its columns are the frame's columns, as DuckDB types
    the frame's: the embedded engine queries it in place of the frame
    (:func:`lifetools.dataset.engine_source`).

    Notes
    -----
    A pandas Categorical registers in DuckDB as an ENUM ordered by its categories, an
    Arrow dictionary as text ordered by value (``min``, ``ORDER BY`` differ): a table
    with one is left to its frame (typed tables have none). An all-missing text column
    is Arrow's null type, which DuckDB reads as INTEGER where it reads the frame's
    object column as VARCHAR: it is given the string type. Tested in
    ``tests/unit/test_engine_arrow.py``.
    """
    import pyarrow as pa

    table = _mapped(path)
    if table is None:
        return None
    meta = table.schema.pandas_metadata or {}
    stored = {c for c in meta.get("index_columns", ()) if isinstance(c, str)}
    if stored:
        table = table.drop_columns(sorted(stored))
    if any(pa.types.is_dictionary(f.type) for f in table.schema):
        return None
    nulls = [i for i, f in enumerate(table.schema) if pa.types.is_null(f.type)]
    for i in nulls:
        field = table.schema.field(i)
        table = table.set_column(i, field.with_type(pa.string()),
                                 table.column(i).cast(pa.string()))
    return table


def write_entry(path: Path, frame: pd.DataFrame) -> bool:
    """Keep ``frame`` at ``path`` (written aside, then renamed into place, naming its
    place in its metadata); old keys of the cache folder beyond the newest :data:`KEEP`
    are removed. False if not written."""
    import pyarrow as pa
    import pyarrow.feather as feather

    try:
        table = pa.Table.from_pandas(frame)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               ENTRY_META: _place(Path(path))})
        with replaced(path) as temporary:
            feather.write_feather(table, temporary, compression="uncompressed")
    except (OSError, pa.ArrowException):
        return False
    _prune(path.parent.parent, keep=path.parent.name)
    return True


def _prune(cache: Path, keep: str) -> None:
    """Remove key folders other than ``keep`` beyond the newest :data:`KEEP`."""
    try:
        folders = sorted((p for p in cache.iterdir() if p.is_dir() and p.name != keep),
                         key=lambda p: p.stat().st_mtime_ns, reverse=True)
    except OSError:
        return
    for old in folders[KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)  # a reader's mapped file stays readable
