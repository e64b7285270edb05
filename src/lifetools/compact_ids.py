"""Compact person ids: order-preserving integer codes in place of the 64-character keys.

A person id (``person_id``, the HMAC-SHA-256 pseudonym, 64 hexadecimal characters) held
as a Python string costs about 120 bytes a row in pandas, in every table that has one;
as an integer it costs 9. :func:`lifetools.load_dataset` with ``compact_ids=True`` (or
``LIFETOOLS_COMPACT_IDS=1`` in the environment, which the build's notebook kernels set)
replaces each ``person_id`` by its position in the sorted list of every distinct id of
the data folder's tables (``Int64``; a missing id stays missing).

Because the codes follow the ids' sort order, sorting, grouping, merging and taking
people "in person id order" give the same rows in the same order as the strings did:
no published number or byte depends on the change (person ids are never published).
The codes are built from every table file of the folder, not only the tables loaded,
so the same person has the same code in every call on the same files.

The build's kernels also leave out :data:`UNUSED_COLUMNS` (``skip_unused=True``, or
``LIFETOOLS_SKIP_UNUSED_COLUMNS=1``): row keys and fields no analysis reads.

This module is the dataset-level API (the id list, each file's codes, the codes of a
column); the encoding of each file's id column that builds them is
:mod:`lifetools.id_encoding`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from lifetools import id_encoding

__all__ = ["ENV_COMPACT_IDS", "ENV_SKIP_UNUSED", "ID_COLUMN", "UNUSED_COLUMNS", "compact_wanted",
           "drop_id_list",
           "encode_ids", "file_codes", "file_columns", "id_list"]

ENV_COMPACT_IDS = "LIFETOOLS_COMPACT_IDS"
"""Set to ``1`` to make :func:`lifetools.load_dataset` give compact person ids."""
ID_COLUMN = "person_id"
"""The column coded: the person key of every person-level table."""
ENV_SKIP_UNUSED = "LIFETOOLS_SKIP_UNUSED_COLUMNS"
"""Set to ``1`` (the build's warm kernels do) to leave out :data:`UNUSED_COLUMNS`."""
UNUSED_COLUMNS = {"ae_attendances": ("attendance_id", "disposal"),
                  "emergency_admissions": ("spell_id", "admission_method"),
                  "referrals": ("primary_reason",),
                  "life_rooms_contacts": ("contact_id",),
                  "social_prescriptions": ("prescription_id",),
                  "wellbeing": ("measurement_id",), "feedback": ("response_id",)}
"""Columns no analysis of lifetools reads (row keys, three descriptive fields): at
1,500,000 people the A&E row keys alone are 8.75 million Python strings."""
_IDS: dict[tuple, tuple] = {}
"""The last id list built and its Parquet files' codes, keyed by the stamps of the files
it was read from."""


def compact_wanted(compact_ids: bool | None) -> bool:
    """The caller's choice, else ``LIFETOOLS_COMPACT_IDS=1`` in the environment."""
    if compact_ids is not None:
        return compact_ids
    return os.environ.get(ENV_COMPACT_IDS) == "1"


def file_columns(path: Path) -> list[str]:
    """A table file's column names, read from its header (Parquet schema, CSV line 1)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    return list(pd.read_csv(path, dtype=str, nrows=0, encoding="utf-8-sig").columns)


def _stamp(path: Path) -> tuple:
    info = os.stat(path)
    return (os.path.realpath(path), info.st_ino, info.st_size, info.st_mtime_ns)


def _read_ids(path: Path):
    """A table file's ids as one Arrow (chunked) string column, or None without it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if path.suffix == ".parquet":
        if ID_COLUMN not in pq.ParquetFile(path).schema_arrow.names:
            return None
        # mapped: the compressed pages are read from the page cache, not copied into
        # fresh memory (at 1,500,000 people 0.6 GB, 1.2-2.7 s of system time, wave 49).
        # A file truncated in place during the read ends the process (SIGBUS): a data
        # folder is replaced by writing new files and renaming, never rewritten in place
        column = pq.read_table(path, columns=[ID_COLUMN], memory_map=True).column(0)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            column = pc.cast(column, pa.string())
        return column
    header = pd.read_csv(path, dtype=str, nrows=0, encoding="utf-8-sig")
    if ID_COLUMN not in header.columns:
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                        usecols=[ID_COLUMN], encoding="utf-8-sig")
    return pa.chunked_array([pa.array(frame[ID_COLUMN], type=pa.large_string())])


def id_list(files: Mapping[str, Path]):
    """Every distinct person id of the files, sorted (an Arrow array; built once while
    the files are unchanged). Empty strings are missing values, not ids.

    Notes
    -----
    Each file's ids are dictionary-encoded once (one hash pass over its rows; ids of
    one width, the pseudonyms, by a 64-bit hash of their bytes checked row by row:
    :func:`lifetools.id_encoding.encode_file`; a Parquet file's read and encoded in
    batches, so that the memory of its strings is reused:
    :func:`lifetools.id_encoding.encode_parquet`); the files' dictionaries are then
    merged by their hashes kept (:func:`lifetools.id_encoding.merge_hashed`) and
    sorted (:func:`lifetools.id_encoding.sort_order`), and each
    Parquet file's codes are kept (:func:`file_codes`) so that loading
    the table neither reads its ids again nor looks each row up in the sorted list
    (issue 16: the lookup of 12.4 million 64-character ids in a 1.5-million-entry hash
    table grew faster than the data). Tested in ``tests/unit/test_compact_ids.py``.
    """
    stamp = tuple(sorted((name, _stamp(path)) for name, path in files.items()))
    kept = _IDS.get(stamp)
    if kept is not None:
        return kept[0]
    ids, codes = _build(files)
    _IDS.clear()  # one folder at a time: the list of a previous folder is dropped
    _IDS[stamp] = (ids, codes)
    return ids


def drop_id_list() -> None:
    """Forget the id list kept by :func:`id_list` (a process done with the folder: the
    build, once it has written the typed cache, frees its memory)."""
    _IDS.clear()


def _build(files: Mapping[str, Path]):
    """The sorted id list and, per Parquet file (by :func:`_stamp`), its rows' codes
    (``int32`` or ``int64`` numpy, ``-1`` for a missing or empty id)."""
    import numpy as np
    import pyarrow as pa

    encoded, hashes = [], []
    for path in map(Path, files.values()):
        stamp = _stamp(path)  # before the read: a file changed since is not this one
        done = (id_encoding.encode_parquet(path, ID_COLUMN) if path.suffix == ".parquet"
                else None)
        column = _read_ids(path) if done is None else None
        if done is not None or column is not None:
            local, local_codes, local_hashes = done or id_encoding.encode_file(column)
            encoded.append((path, stamp, local, local_codes))
            hashes.append(local_hashes)
    locals_ = [local for _, _, local, _ in encoded]
    merged_ = id_encoding.merge_hashed(locals_, hashes)
    distinct, merged = merged_ if merged_ is not None else id_encoding.merge_distinct(
        pa.concat_arrays(locals_) if locals_ else pa.array([], pa.large_string()))
    order = id_encoding.sort_order(distinct)
    empty = id_encoding.empty_mask(distinct)
    rank = np.empty(len(distinct) + 1, dtype=np.int64)  # the last: an entry not coded
    kept = ~empty[order]
    rank[order[kept]] = np.arange(int(kept.sum()))
    rank[np.flatnonzero(empty)] = -1
    rank[-1] = -1
    ids = distinct.take(pa.array(order[kept]))
    small = np.int32 if len(ids) < 2**31 - 1 else np.int64
    codes: dict[tuple, object] = {}
    merged_codes = rank[merged].astype(small)
    start = 0
    for path, stamp, local, local_codes in encoded:
        lookup = np.append(merged_codes[start:start + len(local)], small(-1))
        start += len(local)
        if path.suffix == ".parquet":  # a missing id's code (-1) takes the last: -1
            codes[stamp] = lookup[local_codes]
    return ids, codes


def file_codes(path: Path, ids):
    """The codes of a Parquet file's ``person_id`` rows made by the :func:`id_list` call
    that returned ``ids`` (a pandas ``Int64`` series), or None when they were not kept
    (a CSV file, another list, or the file changed since)."""
    for kept_ids, codes in _IDS.values():
        if kept_ids is ids:
            values = codes.get(_stamp(Path(path)))
            if values is None:
                return None
            return pd.Series(pd.arrays.IntegerArray(values.astype("int64"), values < 0),
                             name=ID_COLUMN)
    return None


def encode_ids(column, ids) -> pd.Series:
    """The codes of an Arrow (or pandas) column of ids: positions in ``ids`` (``Int64``).

    An id that is missing or empty stays missing. Raises ``ValueError`` (citing a row
    number, never an id) for an id not in ``ids``, which cannot happen when ``ids`` was
    built from the same files by :func:`id_list`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pd.Series):
        column = pa.array(column.astype(object).where(column.notna(), None),
                          type=pa.large_string())
    elif not isinstance(column, pa.ChunkedArray | pa.Array):
        raise TypeError("column must be an Arrow array or a pandas Series")
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    column = pc.cast(column, pa.large_string())
    missing = pc.or_kleene(pc.is_null(column), pc.equal(column, ""))
    codes = pc.index_in(column, value_set=ids)
    lost = pc.and_(pc.is_null(codes), pc.invert(pc.fill_null(missing, True)))
    if pc.any(lost).as_py():
        row = pc.index(lost, True).as_py() + 1
        raise ValueError(f"row {row}: a person id not in the folder's tables")
    codes = pc.cast(codes, pa.int64())
    return pd.Series(codes.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get),
                     name=ID_COLUMN)
