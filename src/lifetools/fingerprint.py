"""Fingerprints of the input data and the data dictionary (the data layer's own hashes).

The build, the manifest and :meth:`lifetools.dataset.Dataset.fingerprint` all identify
an extract by these hashes, so they live beside the data code rather than in the pipeline.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from lifetools import config

__all__ = ["COLUMN_HASH_METHOD", "TABLE_SUFFIXES", "cached_sha256", "cached_sha256_files",
           "column_fingerprints",
           "data_fingerprint", "dictionary_fingerprint", "digest", "replace_text", "replaced",
           "sha256_file", "table_columns"]

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


def _file_stamp(path: str) -> list[int]:
    """What identifies a file's bytes without reading them: inode, size, modification
    and change times (ns). The change time cannot be set back by a program, so a file
    rewritten with its old size and modification time restored has another stamp."""
    info = os.stat(path)
    return [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


@contextlib.contextmanager
def replaced(path: Path) -> Iterator[Path]:
    """Yield a private temporary file beside ``path`` to write; leaving the block
    renames it into place, so a reader (or a second writer) sees the old whole file or
    the new one, never a part. On an error (or an interrupt) the temporary file is
    removed, ``path`` is left as it was and the error propagates."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def replace_text(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` through :func:`replaced`. Best effort, for caches: a
    read-only folder or a full disk leaves ``path`` as it was and returns False."""
    try:
        with replaced(path) as temporary:
            temporary.write_text(text, encoding="utf-8")
    except OSError:
        return False  # best effort: the cache is computed again next time
    return True


def cached_sha256_files(paths: Sequence[Path], cache: Path) -> list[str]:
    """SHA-256 of each file, reusing ``cache`` (a JSON file) entries whose real path,
    inode, size, modification and change times (ns) all still match."""
    try:
        known = json.loads(cache.read_text())
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    hashes, changed = [], {}
    for path in paths:
        real = os.path.realpath(path)
        stamp = _file_stamp(real)
        entry = known.get(real)
        if isinstance(entry, list) and entry[:-1] == stamp:
            hashes.append(entry[-1])
            continue
        value = sha256_file(Path(real))
        if _file_stamp(real) == stamp:  # not remembered if it changed while read
            changed[real] = [*stamp, value]
        hashes.append(value)
    if changed:
        replace_text(cache, json.dumps({**known, **changed}, sort_keys=True))
    return hashes


def cached_sha256(path: Path, cache: Path | None) -> str:
    """SHA-256 of one file, kept in ``cache`` (a JSON file) by its real path, inode,
    size, modification and change times as :func:`data_fingerprint` keeps its tables'
    (None: always computed)."""
    return sha256_file(path) if cache is None else cached_sha256_files([Path(path)], cache)[0]


def data_fingerprint(data_dir: Path, dictionary_dir: Path | None = None, *,
                     cache: Path | None = None) -> dict:
    """Return the SHA-256 of every input table in ``data_dir`` and of the dictionary.

    Returns a mapping with ``tables`` (file name to hash), ``dictionary`` (one hash over
    every dictionary file) and ``combined`` (one hash over both). With ``cache`` (a JSON
    file) a table whose real path, inode, size, modification and change times
    (nanoseconds) match the cached entry is not read again: its cached hash is used; a
    changed or new file is hashed and the cache updated (written whole, then renamed).
    """
    files = [p for p in sorted(Path(data_dir).iterdir())
             if p.is_file() and p.suffix in TABLE_SUFFIXES]
    hashes = (cached_sha256_files(files, cache) if cache is not None
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


COLUMN_HASH_METHOD = "sha256 of pandas hash_pandas_object (siphash, index left out) v1"
"""How a column's fingerprint is made (part of each; a new method changes every one)."""


def _column_hash(name: str, arrow_type: str, values) -> str:
    import pandas as pd

    h = hashlib.sha256(f"{COLUMN_HASH_METHOD}|{name}|{arrow_type}|{len(values)}|"
                       .encode())
    rows = pd.util.hash_pandas_object(values, index=False).to_numpy()
    h.update(rows.astype("<u8").tobytes())
    return h.hexdigest()


def column_fingerprints(path: Path) -> dict[str, Any]:
    """The fingerprint of each column of one table file, as stored.

    Returns ``rows`` (the number of rows), ``names`` (the columns in file order) and
    ``columns`` (column name to a SHA-256 of its values in row order).

    Notes
    -----
    Each column is read with pyarrow (Parquet) or as text (CSV), its values hashed one
    by one with pandas' ``hash_pandas_object`` (SipHash with a fixed key, missing values
    included) and the 64-bit row hashes digested in order with the column's name, Arrow
    type and length (:data:`COLUMN_HASH_METHOD`): the same on every machine, and any
    change to a value, a row's position or the number of rows changes it. The file's
    own SHA-256 stays the fingerprint of the whole table. Tested in
    ``tests/unit/test_read_columns.py``.
    """
    import pandas as pd

    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        columns = {name: _column_hash(name, str(table.schema.field(name).type),
                                      table.column(name).to_pandas())
                   for name in table.column_names}
        return {"rows": table.num_rows, "names": list(table.column_names),
                "columns": columns}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return {"rows": len(frame), "names": [str(c) for c in frame.columns],
            "columns": {str(c): _column_hash(str(c), "string", frame[c])
                        for c in frame.columns}}


def table_columns(data_dir: Path, tables: Mapping[str, str], *,
                  cache: Path | None = None) -> dict[str, dict[str, Any]]:
    """Column fingerprints (:func:`column_fingerprints`) of every table of a folder.

    ``tables`` maps file names to their SHA-256 (``data_fingerprint(...)["tables"]``);
    with ``cache`` (a JSON file) a file whose SHA-256 was seen before is not read
    again: the fingerprints are kept by the file's content, so they are computed once
    per extract, not once per build.
    """
    try:
        known = json.loads(cache.read_text()) if cache is not None else {}
    except (OSError, ValueError):
        known = {}
    found = {}
    for name, sha in sorted(tables.items()):
        if known.get(sha, {}).get("method") != COLUMN_HASH_METHOD:
            known[sha] = {"method": COLUMN_HASH_METHOD,
                          **column_fingerprints(Path(data_dir) / name)}
        entry = known[sha]
        found[Path(name).stem] = {k: entry[k] for k in ("rows", "names", "columns")}
    if cache is not None:
        wanted = {sha: known[sha] for sha in tables.values()}
        replace_text(cache, json.dumps(wanted, sort_keys=True))
    return found
