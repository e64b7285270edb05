"""Compact person ids: order-preserving codes, and every report's tables unchanged."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lifetools as lt
from lifetools import compact_ids, id_encoding, loading
from lifetools.compact_ids import ENV_COMPACT_IDS, encode_ids, id_list
from lifetools.loading import ENV_DATASET_CACHE, load_dataset
from lifetools.synthetic import write_synthetic

#: One edition, the current one: the reports run the same code for every period, and a
#: second edition doubled the test's time (153 s in CI) and takes the same code path.
EDITIONS = (("2024-04-01", "2025-03-31"),)
#: the crisis report as the project copies run it (tests/project_copy.py's test
#: profile): ids and columns are what this compares, not the bootstrap's precision
CRISIS = {"n_boot": 20, "imputations": 3, "slope_band": (0.8, 1.2),
          "citl_band": (-0.2, 0.2)}


def hex_id(i: int) -> str:
    return f"{i:064x}"


def write_people(folder, ids, events) -> None:
    pd.DataFrame({"person_id": ids}).to_parquet(folder / "people.parquet", index=False)
    pd.DataFrame({"attendance_id": [f"AE{i:06d}" for i in range(len(events))],
                  "person_id": events}).to_parquet(folder / "ae_attendances.parquet",
                                                   index=False)


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.delenv(ENV_COMPACT_IDS, raising=False)
    monkeypatch.delenv(ENV_DATASET_CACHE, raising=False)
    monkeypatch.delenv(loading.ENV_SKIP_UNUSED, raising=False)
    compact_ids._IDS.clear()
    loading._TYPED.clear()
    yield
    compact_ids._IDS.clear()
    loading._TYPED.clear()


def test_load_dataset_compact_ids_follow_sort_order_across_tables(tmp_path):
    write_people(tmp_path, [hex_id(9), hex_id(2), hex_id(5)],
                 [hex_id(5), hex_id(7), None, "", hex_id(2)])  # 7: not in people
    data = load_dataset(tmp_path, tables=["people", "ae_attendances"], compact_ids=True)
    assert str(data.people["person_id"].dtype) == "Int64"
    # sorted ids 2, 5, 7, 9 -> codes 0, 1, 2, 3; missing and empty stay missing
    assert data.people["person_id"].tolist() == [3, 0, 1]
    assert data.ae_attendances["person_id"].tolist()[:3] == [1, 2, pd.NA]
    assert data.ae_attendances["person_id"].isna().tolist() == [False, False, True,
                                                                True, False]


def test_load_dataset_compact_ids_same_codes_when_one_table_loaded(tmp_path):
    write_people(tmp_path, [hex_id(9), hex_id(2)], [hex_id(1), hex_id(9)])
    alone = load_dataset(tmp_path, tables=["people"], compact_ids=True).people
    both = load_dataset(tmp_path, compact_ids=True).people
    assert alone["person_id"].tolist() == both["person_id"].tolist() == [2, 1]


def test_load_dataset_environment_turns_compact_ids_on(tmp_path, monkeypatch):
    write_people(tmp_path, [hex_id(3), hex_id(1)], [])
    assert load_dataset(tmp_path, tables=["people"]).people["person_id"].tolist() == [
        hex_id(3), hex_id(1)]
    monkeypatch.setenv(ENV_COMPACT_IDS, "1")
    assert load_dataset(tmp_path, tables=["people"]).people["person_id"].tolist() == [1, 0]


def test_load_dataset_cache_rebuilds_codes_when_a_table_changes(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_DATASET_CACHE, "1")
    write_people(tmp_path, [hex_id(4), hex_id(6)], [])
    first = load_dataset(tmp_path, tables=["people"], compact_ids=True).people
    write_people(tmp_path, [hex_id(4), hex_id(6)], [hex_id(5)])  # 5 now sorts between
    second = load_dataset(tmp_path, tables=["people"], compact_ids=True).people
    assert first["person_id"].tolist() == [0, 1]
    assert second["person_id"].tolist() == [0, 2]


def test_load_dataset_compact_ids_from_csv_equal_parquet(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_people(tmp_path / "a", [hex_id(8), hex_id(3)], [hex_id(3)])
    for name in ("people", "ae_attendances"):
        pd.read_parquet(tmp_path / "a" / f"{name}.parquet").to_csv(
            tmp_path / "b" / f"{name}.csv", index=False)
    parquet = load_dataset(tmp_path / "a", compact_ids=True)
    csv = load_dataset(tmp_path / "b", compact_ids=True)
    pd.testing.assert_frame_equal(parquet.people, csv.people)
    assert csv.ae_attendances["person_id"].tolist() == [0]


def test_encode_ids_unknown_id_cites_row_not_value(tmp_path):
    write_people(tmp_path, [hex_id(1)], [])
    ids = id_list(loading.scan_folder(tmp_path, loading.TABLES)[0])
    with pytest.raises(ValueError, match="row 2") as caught:
        encode_ids(pd.Series([hex_id(1), hex_id(2)]), ids)
    assert hex_id(2) not in str(caught.value)


def test_load_dataset_skip_unused_leaves_out_row_keys(tmp_path, monkeypatch):
    write_people(tmp_path, [hex_id(1)], [hex_id(1)])
    assert "attendance_id" in load_dataset(tmp_path).ae_attendances.columns
    assert list(load_dataset(tmp_path, skip_unused=True).ae_attendances.columns) == [
        "person_id"]
    monkeypatch.setenv(loading.ENV_SKIP_UNUSED, "1")
    asked = load_dataset(tmp_path, columns={"ae_attendances": ["attendance_id"]})
    assert list(asked.ae_attendances.columns) == ["attendance_id"]  # asked for: kept


def test_coerce_types_keeps_integer_person_id_as_int64():
    spec = lt.dictionary.load_dictionary().table("people")
    frame = loading.coerce_types(pd.DataFrame({"person_id": np.array([3, 1])}), spec)
    assert str(frame["person_id"].dtype) == "Int64"


# ------------------------------------------------ every report, both ways ----

def _comparable(value, path: str, out: dict) -> None:
    """Collect the frames, series, numbers and texts of a result (ids dropped)."""
    if isinstance(value, pd.DataFrame):
        frame = value.drop(columns=[c for c in value.columns if c == "person_id"])
        if frame.index.name == "person_id":
            frame = frame.reset_index(drop=True)
        out[path] = frame.reset_index(drop=True)
    elif isinstance(value, pd.Series):
        out[path] = value.reset_index(drop=value.index.name == "person_id")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _comparable(getattr(value, field.name), f"{path}.{field.name}", out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _comparable(item, f"{path}[{key!r}]", out)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _comparable(item, f"{path}[{i}]", out)
    elif isinstance(value, str | int | float | bool | np.number) or value is None:
        out[path] = value


def _analyse(data) -> dict:
    calls = {"describe_population": lt.describe.describe_population,
             "analyse_discharge": lt.reports.analyse_discharge,
             "analyse_rereferral": lt.reports.analyse_rereferral,
             "analyse_emergency_care": lt.reports.analyse_emergency_care,
             "analyse_wellbeing": lt.reports.analyse_wellbeing,
             "analyse_reach": lt.reports.analyse_reach,
             "analyse_crisis_risk": lt.reports.analyse_crisis_risk}
    out: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for first, last in EDITIONS:
            for name, func in calls.items():
                extra = CRISIS if name == "analyse_crisis_risk" else {}
                result = func(data, period_start=first, period_end=last, **extra)
                _comparable(result, f"{name}({first})", out)
    return out


@pytest.mark.slow  # every report, twice, on 3,000 people: 50 s; `make test` runs it
def test_reports_with_compact_ids_and_no_unused_columns_equal_reports_before(tmp_path):
    write_synthetic(tmp_path / "data", people=3000, seed=20250331)
    strings = _analyse(load_dataset(tmp_path / "data"))
    codes = _analyse(load_dataset(tmp_path / "data", compact_ids=True, skip_unused=True))
    assert strings.keys() == codes.keys()
    frames = [k for k, v in strings.items() if isinstance(v, pd.DataFrame) and len(v)]
    assert len(frames) > 50  # the comparison covers the reports' tables (69 of them)
    for key, value in strings.items():
        other = codes[key]
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, other, obj=key)
        elif isinstance(value, pd.Series):
            pd.testing.assert_series_equal(value, other, obj=key)
        elif isinstance(value, float) and np.isnan(value):
            assert isinstance(other, float) and np.isnan(other), key
        else:
            assert value == other, key


def test_load_dataset_kept_codes_equal_lookup_over_row_groups_and_gaps(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(3)
    people = [hex_id(int(i)) for i in rng.permutation(50)]
    events = [hex_id(int(i)) for i in rng.integers(0, 60, 400)]  # 50-59: not in people
    events[7], events[99], events[300] = None, "", None
    pd.DataFrame({"person_id": people}).to_parquet(tmp_path / "people.parquet",
                                                   index=False)
    table = pa.table({"arrival_date": pa.array(["2024-05-01"] * 400),
                      "person_id": pa.array(events, pa.string())})
    pq.write_table(table, tmp_path / "ae_attendances.parquet", row_group_size=64)
    data = load_dataset(tmp_path, compact_ids=True)
    ids = id_list(loading.scan_folder(tmp_path, loading.TABLES)[0])
    assert compact_ids.file_codes(tmp_path / "ae_attendances.parquet", ids) is not None
    looked_up = encode_ids(pd.Series(events, dtype=object), ids)
    assert list(data.ae_attendances.columns) == ["arrival_date", "person_id"]
    pd.testing.assert_series_equal(data.ae_attendances["person_id"], looked_up,
                                   check_names=False)
    assert data.ae_attendances["person_id"].isna().sum() == 3
    assert sorted(ids.to_pylist()) == ids.to_pylist() and len(ids) == len(
        set(people) | {e for e in events if e})


# ---------------------------------------------- the sort of the distinct ids ----

def _arrow_order(values, kind):
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(values, kind)
    return array, pc.array_sort_indices(array).to_numpy()


@given(st.integers(1, 20).flatmap(lambda width: st.lists(
    st.text("ab\x00", min_size=width, max_size=width), unique=True, max_size=60)),
       st.booleans(), st.booleans())
def test_sort_order_of_distinct_ids_is_arrows(values, with_empty, large):
    """Ids of one width in byte order as Arrow sorts them: ties on the first 8 bytes,
    widths not a multiple of 8, zero bytes."""
    import pyarrow as pa

    values = list(dict.fromkeys(values + [v[:8] + v[:7:-1] for v in values]))  # ties
    values = values + [""] if with_empty else values
    array, expected = _arrow_order(values, pa.large_string() if large else pa.string())
    np.testing.assert_array_equal(id_encoding.sort_order(array), expected)


def test_sort_order_breaks_ties_on_the_first_8_bytes_on_every_byte():
    import pyarrow as pa

    head = "5" * 8
    values = [head + hex_id(i)[8:] for i in (9, 3, 7, 0)] + ["1" * 64, "", "9" * 64]
    array, expected = _arrow_order(values, pa.large_string())
    order = id_encoding.sort_order(array)
    np.testing.assert_array_equal(order, expected)
    assert [values[i] for i in order] == ["", "1" * 64] + [
        head + hex_id(i)[8:] for i in (0, 3, 7, 9)] + ["9" * 64]
    for other in (["éa", "aé", "ab~", "é", "~"], ["éa", "aé", "ab~", "b~é"]):
        array_, expected = _arrow_order(other, pa.string())  # two-byte characters
        np.testing.assert_array_equal(id_encoding.sort_order(array_), expected)
    sliced = array.slice(2)  # an array with an offset into its buffers
    np.testing.assert_array_equal(id_encoding.sort_order(sliced),
                                  _arrow_order(values[2:], pa.large_string())[1])


# ------------------------------- the id list: hashed words against Arrow's hash ----

def _write_ids(folder, index, ids, kind):
    """One table file of ``ids`` (None: missing): Parquet in row groups of 7, or CSV."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / f"table{index}.{'csv' if kind == 'csv' else 'parquet'}"
    if kind == "csv":
        pd.DataFrame({"person_id": ids, "n": range(len(ids))}).to_csv(path, index=False)
    else:
        table = pa.table({"person_id": pa.array(ids, pa.string()),
                          "n": pa.array(range(len(ids)), pa.int64())})
        pq.write_table(table, path, row_group_size=7)
    return path


def _known_answer(files_ids):
    """Every distinct non-empty id in code point order (UTF-8 byte order, Arrow's) and
    each row's position there, -1 for a missing or empty id."""
    distinct = sorted({i for ids in files_ids for i in ids if i})
    position = {value: k for k, value in enumerate(distinct)}
    return distinct, [[position[i] if i else -1 for i in ids] for ids in files_ids]


def _id_pool(width: int, alphabet: str, chars: int | None = None):
    size = chars if chars is not None else width
    return st.lists(st.text(alphabet, min_size=size, max_size=size), min_size=1,
                    max_size=12, unique=True)


POOLS = {"hex 64": _id_pool(64, "0123456789abcdef"),
         "ascii 8, zero bytes": _id_pool(8, "a~\x00"),
         "two-byte 16": _id_pool(16, "éü", chars=8),  # 8 characters of 2 bytes
         "width 5": _id_pool(5, "ab"),
         "widths 3-9": st.lists(st.text("abé", min_size=3, max_size=9), min_size=1,
                                max_size=12, unique=True)}


@given(st.sampled_from(sorted(POOLS)).flatmap(lambda name: st.tuples(
    st.just(name), POOLS[name].flatmap(lambda pool: st.lists(st.tuples(
        st.lists(st.sampled_from(pool + [None, ""]), max_size=30),
        st.sampled_from(["parquet", "csv"])), min_size=1, max_size=3)))))
def test_id_list_and_codes_equal_known_answer_and_arrows_hash(tmp_path_factory, case):
    """The list and every Parquet file's codes equal the known answer and Arrow's
    dictionary encoding (the implementation before wave 49) over ids of one width and
    of several, two-byte characters, zero bytes, missing and empty ids, row groups, CSV
    files and files with no id at all."""
    name, files = case
    folder = tmp_path_factory.mktemp("ids")
    files = [(ids, "parquet" if "\x00" in "".join(i or "" for i in ids) else kind)
             for ids, kind in files]  # no zero byte in a CSV file
    paths = {f"table{k}": _write_ids(folder, k, ids, kind)
             for k, (ids, kind) in enumerate(files)}
    distinct, expected = _known_answer([ids for ids, _ in files])
    variants = {"as built": {}, "blocks of 3 rows": {"_STEP": 3},
                "files by Arrow's hash": {"encode_file": lambda column: (
                    *id_encoding._arrow_encode(column), None)},
                "batches of 3 rows": {"_BATCH": 3, "_STEP": 2},
                "whole columns read": {"encode_parquet": lambda path, name: None},
                "merge hashed again": {"merge_hashed": lambda *_: None},
                "all by Arrow's hash": {"_encode_fixed": lambda chunks, **_: None}}
    for variant, changes in variants.items():
        with pytest.MonkeyPatch.context() as patch:
            for attribute, value in changes.items():
                patch.setattr(id_encoding, attribute, value)
            ids, codes = compact_ids._build(paths)
        assert ids.to_pylist() == distinct and str(ids.type) == "large_string", variant
        assert len(codes) == sum(kind == "parquet" for _, kind in files)
        for (_, kind), path, want in zip(files, paths.values(), expected, strict=True):
            if kind == "parquet":
                got = codes[compact_ids._stamp(path)]
                assert got.dtype == np.int32 and got.tolist() == want, variant


def test_encode_fixed_takes_pseudonyms_and_falls_back_on_a_shared_hash(monkeypatch):
    """64-character ids take the hashed path (the test above is not all fallback); when
    two ids share a hash (every hash made 0) the row check sends them to Arrow's hash,
    and the list and codes are still right."""
    import pyarrow as pa

    values = [hex_id(5), None, hex_id(2), "", hex_id(5), hex_id(9)]
    column = pa.chunked_array([pa.array(values[:3]), pa.array(values[3:])])
    rows, coded = id_encoding._encode_fixed(column.chunks)
    assert [bytes(r).decode() for r in rows] == [hex_id(5), hex_id(2), hex_id(9)]
    assert coded.tolist() == [0, -1, 1, -1, 0, 2]
    monkeypatch.setattr(id_encoding, "_STEP", 2)  # rows hashed and checked in blocks
    again = id_encoding._encode_fixed(column.chunks)
    assert again is not None and again[1].tolist() == coded.tolist()
    np.testing.assert_array_equal(again[0], rows)
    monkeypatch.undo()
    assert id_encoding._encode_fixed([pa.array(["ab", "abc"])]) is None  # two widths
    assert id_encoding._encode_fixed([pa.array(["abcde"])]) is None  # not 8-byte words
    monkeypatch.setattr(id_encoding, "_MIX", 0)  # every hash 0: one number for all
    assert id_encoding._encode_fixed(column.chunks) is None
    local, indices, _ = id_encoding.encode_file(column)
    assert local.to_pylist() == [hex_id(5), hex_id(2), "", hex_id(9)]
    assert indices.tolist() == [0, -1, 1, 2, 0, 3]


def test_encode_fixed_row_check_reaches_a_middle_word_of_the_last_partial_block(
        monkeypatch):
    """The row check compares every word of every row: with every hash made 0 and
    blocks of two rows, the one row that differs (in its fourth 8-byte word only) is
    the last row of the last chunk, in its partial block: the hashed encode must give
    up and Arrow's encoding be used."""
    import pyarrow as pa

    a = hex_id(5)
    b = a[:24] + ("0" if a[24] != "0" else "1") + a[25:]  # bytes 24-31: the 4th word
    column = pa.chunked_array([pa.array([a, a, a]), pa.array([a, a, b])])
    monkeypatch.setattr(id_encoding, "_STEP", 2)
    monkeypatch.setattr(id_encoding, "_MIX", 0)
    assert id_encoding._encode_fixed(column.chunks) is None
    local, indices, _ = id_encoding.encode_file(column)
    arrow_local, arrow_indices = id_encoding._arrow_encode(column)
    assert local.to_pylist() == arrow_local.to_pylist() == [a, b]
    assert indices.tolist() == arrow_indices.tolist() == [0, 0, 0, 0, 0, 1]


@pytest.mark.parametrize("kind", ["string", "large_string"])
def test_encode_fixed_sliced_chunks_as_arrows_hash(kind):
    """Chunks that are slices (a non-zero offset into their buffers), of either string
    type, encode as Arrow's hash does (ids up to the order of the list; a missing or
    empty id -1)."""
    import pyarrow as pa

    values = [hex_id(3), hex_id(1), None, hex_id(3), "", hex_id(7), hex_id(1), hex_id(8)]
    chunks = [pa.array(values[:5], pa.type_for_alias(kind)).slice(1),
              pa.array(values[4:], pa.type_for_alias(kind)).slice(2, 3)]
    assert all(chunk.offset > 0 for chunk in chunks)
    rows, coded = id_encoding._encode_fixed(chunks)
    ids = [bytes(r).decode() for r in rows]
    taken = values[1:5] + values[6:]
    assert [ids[c] if c >= 0 else None for c in coded] == [
        v if v else None for v in taken]
    local, indices = id_encoding._arrow_encode(pa.chunked_array(chunks))
    arrow = local.to_pylist()
    assert [arrow[i] or None if i >= 0 else None for i in indices] == [
        v if v else None for v in taken]
    assert sorted(ids) == sorted(v for v in set(arrow) if v)


@pytest.mark.parametrize("batch", [2, 3, 1 << 18])
def test_encode_parquet_in_batches_equals_the_whole_column_encoded(tmp_path, batch,
                                                                   monkeypatch):
    """A Parquet file's ids read and encoded in batches (ids new in later batches after
    known ones in their order, missing and empty ids, row groups of 7) give the distinct ids in the same order, the
    same codes and the same hashes as the whole column read and encoded; the merge from
    those hashes equals the merge hashed again; a shared hash, two widths, a width not a
    multiple of 8, integer ids and a file without ids give None (read whole then)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = ([hex_id(5), hex_id(2), hex_id(9), hex_id(5), hex_id(2), hex_id(7)]
              + [hex_id(5), None, hex_id(2), "", hex_id(5), hex_id(9)] * 3
              + [hex_id(k) for k in range(20, 0, -1)] + [None, hex_id(9), ""])
    path = _write_ids(tmp_path, 0, values, "parquet")
    other = _write_ids(tmp_path, 1, [hex_id(3), hex_id(2), None, hex_id(40)], "parquet")
    monkeypatch.setattr(id_encoding, "_BATCH", batch)
    got = id_encoding.encode_parquet(path, "person_id")
    want = id_encoding.encode_file(compact_ids._read_ids(path))
    assert got is not None and want[2] is not None
    assert got[0].equals(want[0]) and got[0].type == want[0].type
    assert got[1].dtype == want[1].dtype and got[1].tolist() == want[1].tolist()
    assert got[2].dtype == np.uint64 and got[2].tolist() == want[2].tolist()
    assert got[0].to_pylist()[:3] == [hex_id(5), hex_id(2), hex_id(9)]
    second = id_encoding.encode_parquet(other, "person_id")
    merged = id_encoding.merge_hashed([got[0], second[0]], [got[2], second[2]])
    again = id_encoding.merge_distinct(pa.concat_arrays([got[0], second[0]]))
    assert merged is not None and merged[0].equals(again[0])
    assert merged[1].tolist() == again[1].tolist()
    wrong = [got[2], np.full(len(second[2]), got[2][0], np.uint64)]  # a shared hash
    assert id_encoding.merge_hashed([got[0], second[0]], wrong) is None
    for kind in ("two widths", "width 5", "integers", "no ids"):
        table = {"two widths": pa.table({"person_id": [hex_id(1), "ab" * 4]}),
                 "width 5": pa.table({"person_id": ["abcde", "edcba"]}),
                 "integers": pa.table({"person_id": pa.array([1, 2], pa.int64())}),
                 "no ids": pa.table({"n": [1, 2]})}[kind]
        pq.write_table(table, tmp_path / "odd.parquet", row_group_size=1)
        odd = tmp_path / "odd.parquet"
        assert id_encoding.encode_parquet(odd, "person_id") is None, kind
    monkeypatch.setattr(id_encoding, "_MIX", 0)  # every hash 0: the row check fails
    assert id_encoding.encode_parquet(path, "person_id") is None
