"""Encoding person id columns: each file's ids numbered by a hash of their bytes.

The kernels under :func:`lifetools.compact_ids.id_list`, which builds the sorted list of
every distinct id of a data folder and each Parquet file's codes from them: a file's ids
dictionary-encoded once (:func:`encode_file`; a Parquet file's read and encoded in
batches, :func:`encode_parquet`), the files' distinct ids merged by their hashes kept
(:func:`merge_hashed`, else :func:`merge_distinct`) and sorted (:func:`sort_order`).
Ids of one width whose bytes are a whole number of 64-bit words (the pseudonyms: 64
hexadecimal characters) are hashed as words and every row checked equal, word for word,
to the first row of its number; any other ids, or two ids sharing a hash, take Arrow's
``dictionary_encode`` instead, with the same result. Tested against known answers and
Arrow's encoding in ``tests/unit/test_compact_ids.py``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["empty_mask", "encode_file", "encode_parquet", "merge_distinct", "merge_hashed",
           "sort_order"]

_STEP = 1 << 16
"""Rows hashed and checked at a time by :func:`_encode_fixed` (bounded temporaries)."""
_MIX = 0x9E3779B97F4A7C15
"""The odd multiplier of :func:`_encode_fixed`'s row hash (2^64 / golden ratio)."""


def empty_mask(distinct):
    """Which of the distinct ids (an Arrow string array) are empty: a numpy bool array."""
    import pyarrow.compute as pc

    return pc.equal(distinct, "").to_numpy(zero_copy_only=False)


def encode_file(column):
    """A file's ids (an Arrow chunked string column) dictionary-encoded once: its
    distinct ids (``large_string``, any order), each row's position among them
    (integer numpy, ``-1`` for a missing or empty id; an empty id may also be coded)
    and the distinct ids' 64-bit hashes from :func:`_encode_fixed` (``uint64``, None
    from Arrow's hash), which :func:`merge_hashed` numbers again without rehashing."""
    fixed = _encode_fixed(column.chunks, hashes=True)
    if fixed is not None:
        return _strings(fixed[0]), fixed[1], fixed[2]
    return (*_arrow_encode(column), None)


def _arrow_encode(column):
    """:func:`encode_file` by Arrow's hash (ids of several widths, or a shared hash)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)  # one dictionary for all chunks
    local = pc.cast(encoded.chunk(0).dictionary if encoded.num_chunks
                    else pa.array([], pa.string()), pa.large_string())
    indices = pc.fill_null(pa.chunked_array([c.indices for c in encoded.chunks],
                                            pa.int32()), -1).to_numpy()
    return local, indices


def merge_hashed(locals_, hashes):
    """:func:`merge_distinct` from the files' distinct ids and their hashes kept by
    :func:`_encode_fixed` (one ``pandas.factorize`` of the hashes, every id checked
    equal word for word to its number's first id, as there): the same ids in the same
    order and the same positions as :func:`merge_distinct` of the ids one after another, without
    copying them into one array or hashing them again (issue 16). None when a file was
    encoded by Arrow's hash, the ids are not all of one width, there is no id, or two
    ids share a hash (:func:`merge_distinct` then)."""
    import numpy as np
    import pandas as pd

    if not locals_ or any(h is None for h in hashes):
        return None
    words, width = [], None
    for local in locals_:
        if not len(local):
            continue
        rows, _ = _fixed_rows(local)  # distinct non-empty ids of one width: no None
        if width is not None and rows.shape[1] != width:
            return None
        width = rows.shape[1]
        words.append(rows.view(np.uint64))
    if width is None:
        return None
    numbers, uniques = pd.factorize(np.concatenate(hashes))
    distinct = _numbered(words, numbers, uniques, width)
    if distinct is None:
        return None
    coded = numbers.astype(np.int32 if len(numbers) < 2**31 else np.int64)
    return _strings(distinct), coded


def merge_distinct(combined):
    """The files' distinct ids, one after another (``large_string``), encoded again:
    every distinct id once and each entry's position among them (integer numpy, ``-1`` for
    an empty id not coded)."""
    import pyarrow.compute as pc

    fixed = _encode_fixed([combined])
    if fixed is not None:
        return _strings(fixed[0]), fixed[1]
    encoded = pc.dictionary_encode(combined)
    return encoded.dictionary, pc.fill_null(encoded.indices, -1).to_numpy().astype("int64")


def _strings(rows):
    """A ``(rows, width)`` ``uint8`` array as an Arrow ``large_string`` array."""
    import numpy as np
    import pyarrow as pa

    count, width = rows.shape
    offsets = np.arange(count + 1, dtype=np.int64) * width
    return pa.Array.from_buffers(pa.large_string(), count, [
        None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(rows))])


def _encode_fixed(chunks, hashes=False):
    """Ids of one width (a multiple of 8 bytes: the pseudonyms' 64), in Arrow string
    arrays, dictionary-encoded without a hash table of strings: the distinct ids as a
    ``(distinct, width)`` ``uint8`` array (in order of first appearance) and each row's
    position among them (``int32``, ``int64`` from 2^31 rows; ``-1`` for a missing or
    empty id); None for other
    ids (Arrow's ``dictionary_encode`` then), or when two ids share a hash.

    Each id's bytes are read as 64-bit words and mixed into one 64-bit hash (in blocks
    of :data:`_STEP` rows, so the temporaries stay in cache), the hashes numbered with
    ``pandas.factorize`` (a table of 8-byte integers, not of pointers to 64-byte strings
    out of cache: issue 16, the per-file encode grew 1.41 from 150,000 to 1,500,000
    people), and every row checked equal, word for word, to the first row of its
    number: the result is exactly Arrow's encoding, up to the order of the ids, except
    that an empty id is ``-1`` where Arrow codes it. With ``hashes``, also the distinct
    ids' hashes (``uint64``, in their order)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    parts, width = [], 0
    for chunk in chunks:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return None
        fixed = _fixed_rows(chunk)
        if fixed is None:
            return None
        rows, present = fixed
        if len(rows) and width and rows.shape[1] != width:
            return None
        width = rows.shape[1] if len(rows) else width
        parts.append(fixed)
    present = np.concatenate([p for _, p in parts]) if parts else np.zeros(0, bool)
    coded = np.full(len(present), -1, np.int32 if len(present) < 2**31 else np.int64)
    if width == 0:  # no id at all: every row missing or empty
        return (np.empty((0, 0), np.uint8), coded) + ((np.empty(0, np.uint64),) if hashes
                                                      else ())
    if width % 8:
        return None
    words = [rows.view(np.uint64) for rows, _ in parts if len(rows)]
    hashed = _hash_words(words)
    numbers, uniques = pd.factorize(hashed)  # numbered in order of first appearance
    del hashed
    distinct = _numbered(words, numbers, uniques, width)
    if distinct is None:
        return None
    coded[present] = numbers
    return (distinct, coded) + ((uniques,) if hashes else ())


def _hash_words(words):
    """One 64-bit hash of each row of ``words`` (``(rows, words)`` ``uint64`` arrays, one
    after another), mixed word by word in blocks of :data:`_STEP` rows."""
    import numpy as np

    hashed = np.empty(sum(map(len, words)), np.uint64)
    scratch = np.empty(_STEP, np.uint64)
    at = 0
    for block in (w[s:s + _STEP] for w in words for s in range(0, len(w), _STEP)):
        out, spare = hashed[at:at + len(block)], scratch[:len(block)]
        np.copyto(out, block[:, 0])
        for j in range(1, block.shape[1] + 1):
            out *= np.uint64(_MIX)
            if j < block.shape[1]:
                out ^= block[:, j]
            np.right_shift(out, np.uint64(29), out=spare)
            out ^= spare
        at += len(block)
    return hashed


_BATCH = 1 << 18
"""Rows of a Parquet file's ids read at a time by :func:`encode_parquet`."""


def encode_parquet(path: Path, name: str):
    """The column ``name`` of a Parquet file read and encoded as :func:`encode_file`
    encodes it read whole, in one pass over
    batches of :data:`_BATCH` rows (the same three results): each batch's ids hashed
    as by :func:`_encode_fixed`, numbered in one hash table of the hashes kept across
    batches (pandas' ``UInt64HashTable``: numbers in order of first appearance, as
    ``pandas.factorize`` of the whole file), each new number's first row kept and every
    row checked equal to its number's, word for word, while its batch is in memory. The
    batch's memory is then reused for the next one: the whole column of strings is never
    held (at 1,500,000 people 560 MB for A&E, fresh memory at about 2 s of system time a
    GB on this VM, issue 16). None when the file has no column ``name``, or its ids are
    not of one width, a multiple of 8 bytes, in an Arrow string column, or two share a
    hash: then :func:`lifetools.compact_ids.id_list` reads it whole."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:  # a private pandas API (the lock file pins pandas): without it, read whole
        from pandas._libs import hashtable
        hashtable.UInt64HashTable, hashtable.UInt64Vector  # noqa: B018
    except (ImportError, AttributeError):
        return None
    source = pq.ParquetFile(path, memory_map=True)  # mapped: see lifetools.compact_ids._read_ids
    schema = source.schema_arrow
    if name not in schema.names:
        return None
    kind = schema.field(name).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    rows_total = source.metadata.num_rows
    coded = np.full(rows_total, -1, np.int32 if rows_total < 2**31 else np.int64)
    table = hashtable.UInt64HashTable(min(rows_total, _BATCH))
    uniques, distinct, width, count, at = [], None, 0, 0, 0
    expected = None
    for batch in source.iter_batches(batch_size=_BATCH, columns=[name]):
        fixed = _fixed_rows(batch.column(0))
        if fixed is None:
            return None
        rows, present = fixed
        if len(rows):
            if width and rows.shape[1] != width or rows.shape[1] % 8:
                return None
            width = rows.shape[1]
            words = rows.view(np.uint64)
            new = hashtable.UInt64Vector()
            numbers = table.get_labels(_hash_words([words]), new, count, -1)
            new = new.to_array()
            if len(new):
                before = np.maximum.accumulate(numbers)
                before[1:] = before[:-1]
                before[0] = count - 1
                np.maximum(before, count - 1, out=before)
                firsts = np.flatnonzero(numbers > before)
                if len(firsts) != len(new):
                    return None
                if distinct is None or len(distinct) < count + len(new):
                    grown = np.empty((max(2 * (count + len(new)), _STEP), width // 8),
                                     np.uint64)
                    if distinct is not None:
                        grown[:count] = distinct[:count]
                    distinct = grown
                distinct[count:count + len(new)] = words[firsts]
                count += len(new)
                uniques.append(new)
            if expected is None:
                expected = np.empty((_STEP, width // 8), np.uint64)
            for s in range(0, len(words), _STEP):
                block = words[s:s + _STEP]
                np.take(distinct, numbers[s:s + len(block)], axis=0,
                        out=expected[:len(block)], mode="clip")
                if not np.array_equal(expected[:len(block)], block):
                    return None
            coded[at:at + len(present)][present] = numbers
        at += len(present)
    if at != rows_total:
        return None
    if not count:
        return _strings(np.empty((0, 0), np.uint8)), coded, np.empty(0, np.uint64)
    rows = np.ascontiguousarray(distinct[:count]).view(np.uint8).reshape(count, width)
    return _strings(rows), coded, np.concatenate(uniques)


def _numbered(words, numbers, uniques, width):
    """The ids numbered by the hash of their words (``numbers``: each row's number in
    order of first appearance, ``uniques``: one hash a number): each number's first
    row as a ``(distinct, width)`` ``uint8`` array, after every row is checked equal to
    it word for word (in blocks of :data:`_STEP` rows); None when a row differs (two ids
    share a hash). ``words``: the rows as ``uint64`` arrays, one after another."""
    import numpy as np

    firsts, seen = [], -1  # a row whose number exceeds every number before it
    for s in range(0, len(numbers), _STEP):
        block = numbers[s:s + _STEP]
        before = np.maximum.accumulate(block)
        before[1:] = before[:-1]
        before[0] = seen
        np.maximum(before, seen, out=before)
        firsts.append(np.flatnonzero(block > before) + s)
        seen = max(seen, int(block.max()))
    firsts = np.concatenate(firsts) if firsts else np.zeros(0, np.intp)
    if len(firsts) != len(uniques):
        return None
    distinct = np.empty((len(firsts), width // 8), np.uint64)
    start = 0
    for w in words:
        low, high = np.searchsorted(firsts, [start, start + len(w)])
        distinct[low:high] = w[firsts[low:high] - start]
        start += len(w)
    expected = np.empty((_STEP, width // 8), np.uint64)
    start = 0
    for w in words:  # a row whose hash another id shares: Arrow's encoding instead
        for s in range(0, len(w), _STEP):
            block = w[s:s + _STEP]
            np.take(distinct, numbers[start + s:start + s + len(block)], axis=0,
                    out=expected[:len(block)], mode="clip")  # in range: not buffered
            if not np.array_equal(expected[:len(block)], block):
                return None
        start += len(w)
    return distinct.view(np.uint8).reshape(len(distinct), width)


def sort_order(distinct):
    """Indices that sort the distinct ids (an Arrow string array, no nulls) as
    ``pyarrow.compute.array_sort_indices`` does (byte order), an empty string first.

    Ids of one width (the pseudonyms) are sorted as numbers: their first 8 bytes read
    big-endian, and only the ids that tie on them sorted again on every byte. Arrow's
    sort compares strings through pointers, which grew as n log n with a cache miss a
    comparison (0.033 -> 0.330 CPU s from 150,000 to 600,000 people, issue 16); this
    is one sort of 8-byte integers. Other ids: Arrow's sort."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    fixed = _fixed_rows(distinct) if pa.types.is_string(distinct.type) or \
        pa.types.is_large_string(distinct.type) else None
    if fixed is None or distinct.null_count:
        return pc.array_sort_indices(distinct).to_numpy()
    rows, present = fixed
    width = rows.shape[1]
    if width % 8 or not width:  # zero bytes after equal-length ids keep their order
        padded = np.zeros((len(rows), width + 8 - width % 8), np.uint8)
        padded[:, :width] = rows
        rows = padded
    words = np.ascontiguousarray(rows).view(">u8")
    head = words[:, 0].astype(np.uint64)
    order = np.argsort(head)
    ordered = head[order]
    tie = ordered[1:] == ordered[:-1]
    if tie.any():  # runs of ids equal in their first 8 bytes: sorted on every byte
        runs = np.zeros(len(order), bool)
        runs[1:] |= tie
        runs[:-1] |= tie
        within = order[runs]
        order[runs] = within[np.lexsort(words[within][:, ::-1].astype(np.uint64).T)]
    return np.concatenate([np.flatnonzero(~present), np.flatnonzero(present)[order]])


def _fixed_rows(array):
    """An Arrow string array's non-empty values as one ``(rows, width)`` ``uint8``
    array over its buffer (no copy) and the mask of the values they are, or None when
    the values are not all of one width or a null holds bytes."""
    import numpy as np
    import pyarrow as pa

    n = len(array)
    buffers = array.buffers()
    if n == 0 or buffers[1] is None:
        return np.empty((0, 0), np.uint8), np.zeros(n, bool)
    dtype = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype, n + 1, array.offset * dtype().itemsize)
    lengths = np.diff(offsets)
    if array.null_count and lengths[~array.is_valid().to_numpy(
            zero_copy_only=False)].any():
        return None
    present = lengths != 0
    width = int(lengths.max())
    if width == 0:
        return np.empty((0, 0), np.uint8), present
    if (lengths[present] != width).any():
        return None
    data = np.frombuffer(buffers[2], np.uint8)
    return data[offsets[0]:offsets[-1]].reshape(-1, width), present
