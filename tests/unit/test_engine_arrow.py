"""The embedded engine over the typed cache's mapped Arrow files (issue 18): a table the
notebook has not read is queried from its cache entry, no pandas frame is made, and
every result equals the one over the registered pandas frame, table by table and dtype
by dtype."""

from __future__ import annotations

import copy
import gc
import pickle
import weakref
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from lifetools import compact_ids, loading
from lifetools.dataset import Dataset, Deferred
from lifetools.describe import describe_population
from lifetools.engines import engine_tables
from lifetools.engines.engine import _SHARE_AT_MOST, _SHARED, release_engines
from lifetools.loading import TABLES, load_dataset, untracked
from lifetools.typed_cache import ENV_TYPED_CACHE, read_arrow, write_entry


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    for name in (compact_ids.ENV_COMPACT_IDS, loading.ENV_DATASET_CACHE, ENV_TYPED_CACHE,
                 loading.ENV_SKIP_UNUSED):
        monkeypatch.delenv(name, raising=False)
    compact_ids._IDS.clear()
    loading._TYPED.clear()
    release_engines()
    yield
    compact_ids._IDS.clear()
    loading._TYPED.clear()
    release_engines()


def in_pandas(data) -> list[str]:
    """The tables of ``data`` read into pandas (without reading any)."""
    return [n for n in TABLES if isinstance(object.__getattribute__(data, n), pd.DataFrame)]


def cached(extract: Path, cache: Path, compact: bool):
    """A load whose every table has a typed-cache entry (a first load wrote them)."""
    first = load_dataset(extract, compact_ids=compact, typed_cache=cache, skip_unused=True)
    for name in TABLES:
        untracked(first, name)
    compact_ids._IDS.clear()
    return load_dataset(extract, compact_ids=compact, typed_cache=cache, skip_unused=True)


def refuse_pandas(monkeypatch) -> None:
    """Make any making of a table's pandas frame (from the file or the cache) fail."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a table was read into pandas")

    monkeypatch.setattr(loading, "_read_table", refuse)
    monkeypatch.setattr(loading, "read_entry", refuse)


def queries(tables, name: str) -> list:
    """A few queries over table ``name``: every row, and an aggregate per column."""
    table = getattr(tables, name)
    out = [table]
    for column in table.columns:
        kind = table[column].type()
        if kind.is_numeric() or kind.is_temporal():
            out.append(table.aggregate(lo=table[column].min(), hi=table[column].max(),
                                       n=table[column].count()))
        else:
            out.append(table.group_by(column).aggregate(n=table.count())
                       .order_by(column))
    return out


@pytest.mark.parametrize("compact", [True, False])
def test_a_query_over_cached_tables_reads_no_table_into_pandas(extract, tmp_path, compact,
                                                                monkeypatch):
    data = cached(extract, tmp_path, compact)
    refuse_pandas(monkeypatch)
    tables = engine_tables(data)
    for name in TABLES:
        assert len(tables.fetch(getattr(tables, name))) > 0
    assert tables.backend.con.sql("SELECT count(*) FROM wellbeing").fetchone()[0] > 0
    assert in_pandas(data) == []
    assert engine_tables(data) is tables  # shared while no table is read


@pytest.mark.parametrize("compact", [True, pytest.param(False, marks=pytest.mark.slow)])
def test_every_table_queried_from_the_cache_equals_the_frame_registered(
        extract, tmp_path, compact):
    arrow = cached(extract, tmp_path, compact)
    frames = load_dataset(extract, compact_ids=compact, skip_unused=True)
    for name in TABLES:
        untracked(frames, name)  # every table in pandas: registered as frames
    over_arrow, over_frames = engine_tables(arrow), engine_tables(frames)
    for name in TABLES:
        for mapped, framed in zip(queries(over_arrow, name), queries(over_frames, name),
                                  strict=True):
            left, right = over_arrow.fetch(mapped), over_frames.fetch(framed)
            pd.testing.assert_frame_equal(left, right, check_exact=True)
            assert left.dtypes.equals(right.dtypes), name
    assert in_pandas(arrow) == []


def test_a_report_over_the_cache_equals_the_report_over_frames(extract, tmp_path):
    arrow = cached(extract, tmp_path, True)
    frames = load_dataset(extract, compact_ids=True, skip_unused=True)
    period = {"period_start": "2024-04-01", "period_end": "2025-03-31"}
    mapped, framed = describe_population(arrow, **period), describe_population(frames, **period)
    assert in_pandas(arrow) == []
    assert in_pandas(frames) != []
    for field in ("counts", "characteristics", "monthly"):
        left, right = getattr(mapped, field), getattr(framed, field)
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    assert repr(mapped) == repr(framed)


def test_a_table_taken_after_a_query_is_registered_as_its_frame(extract, tmp_path):
    data = cached(extract, tmp_path, True)
    first = engine_tables(data)
    first.fetch(first.people)
    assert in_pandas(data) == []
    data.people["year_of_birth"]  # the notebook takes the table: its frame is made
    assert in_pandas(data) == ["people"]
    second = engine_tables(data)
    assert second is not first
    assert engine_tables(data) is second
    pd.testing.assert_frame_equal(second.fetch(second.people), first.fetch(first.people),
                                  check_exact=True)


def entries(folder: Path) -> Path:
    """A key folder for hand-written cache entries (``write_entry`` prunes the folders
    beside an entry's key folder: an entry written directly in ``tmp_path`` would prune
    the other tests' folders, the module's extract among them)."""
    (folder / "key").mkdir(exist_ok=True)
    return folder / "key"


def typed_frames() -> dict[str, pd.DataFrame]:
    """Hand-made tables holding every dtype a typed table has, with missing values, an
    all-missing text column and an empty table."""
    ids = pd.array([3, 1, None, 2], dtype="Int64")  # compact person ids
    return {
        "people": pd.DataFrame({
            "person_id": ids,
            "year_of_birth": pd.array([1950, None, 2001, 1988], dtype="Int64"),
            "sex": [None, None, None, None],  # all missing: typed by the dictionary
            "lsoa_code": ["E01000001", "E01000002", None, "E01000001"],
            "date_of_death": pd.to_datetime(format="ISO8601", arg=["2024-05-01", None, None,
                                             "2025-01-02 03:04:05.123456789"]),
        }),
        "wellbeing": pd.DataFrame({
            "person_id": pd.array([1, 2, 2], dtype="Int64"),
            "measurement_date": pd.to_datetime(["2024-04-01", "2024-06-30", None]),
            "timepoint": ["baseline", "follow_up", "baseline"],
            "swemwbs_raw": pd.array([20, None, 35], dtype="Int64"),
            "swemwbs_metric": [19.25, np.nan, -0.0],
        }),
        "life_rooms_contacts": pd.DataFrame({
            "person_id": pd.array([], dtype="Int64"),
            "contact_date": pd.to_datetime([]),
            "site": pd.Series([], dtype=object),
            "gp_registration_supported": pd.array([], dtype="boolean"),
        }),
        "ae_attendances": pd.DataFrame({
            "person_id": ids,
            "arrival_date": pd.to_datetime(["2024-04-01", "2024-04-02", None, "2024-04-03"]),
            "mh_related": pd.array([True, None, False, True], dtype="boolean"),
            "duplicate_flag": [False, False, True, False],
        }),
    }


def test_every_dtype_queried_from_a_mapped_entry_equals_its_frame(tmp_path):
    made = typed_frames()
    mapped = {}
    for name, frame in made.items():
        write_entry(entries(tmp_path) / f"{name}.arrow", frame)
        mapped[name] = read_arrow(entries(tmp_path) / f"{name}.arrow")
        pd.testing.assert_frame_equal(mapped[name].to_pandas(), frame, check_exact=True)
    loads: list[str] = []

    def load(name):
        loads.append(name)
        return made[name]

    arrow = Dataset(path=tmp_path, **{n: Deferred(n, lambda n=n: load(n),
                                                  lambda n=n: mapped[n]) for n in made})
    frames = Dataset(path=tmp_path, **{n: f.copy() for n, f in made.items()})
    over_arrow, over_frames = engine_tables(arrow), engine_tables(frames)
    for name in made:
        for left_expr, right_expr in zip(queries(over_arrow, name),
                                         queries(over_frames, name), strict=True):
            left, right = over_arrow.fetch(left_expr), over_frames.fetch(right_expr)
            pd.testing.assert_frame_equal(left, right, check_exact=True)
        left = over_arrow.people.join(over_arrow.ae_attendances, "person_id")
        right = over_frames.people.join(over_frames.ae_attendances, "person_id")
        pd.testing.assert_frame_equal(over_arrow.fetch(left.order_by("arrival_date")),
                                      over_frames.fetch(right.order_by("arrival_date")),
                                      check_exact=True)
    sex = over_arrow.people.sex
    assert sex.type() == over_frames.people.sex.type() == ibis.dtype("string")
    assert loads == []


def test_a_categorical_column_leaves_its_table_to_the_frame_all_missing_text_is_text(
        tmp_path):
    # a Categorical registers as an ENUM in its categories' order, an Arrow dictionary
    # as text in value order: min() and ORDER BY would differ, so such an entry is not
    # mapped; an all-missing text column (Arrow's null type) is text, as the frame's
    frame = pd.DataFrame({"person_id": pd.array([1, 2, 3], dtype="Int64"),
                          "ethnic_category": pd.Categorical(["A", None, "B"],
                                                            categories=["C", "B", "A"])})
    write_entry(entries(tmp_path) / "people.arrow", frame)
    assert read_arrow(entries(tmp_path) / "people.arrow") is None
    loads: list[str] = []
    data = Dataset(path=tmp_path, people=Deferred(
        "people", lambda: loads.append("people") or frame,
        lambda: read_arrow(entries(tmp_path) / "people.arrow")))
    tables = engine_tables(data)
    low = tables.fetch(tables.people.ethnic_category.min().name("low").as_table())
    assert low["low"].iloc[0] == "B" and loads == ["people"]  # the ENUM's order
    text = pd.DataFrame({"person_id": pd.array([1], dtype="Int64"), "sex": [None]})
    write_entry(entries(tmp_path) / "text.arrow", text)
    mapped = read_arrow(entries(tmp_path) / "text.arrow")
    assert str(mapped.schema.field("sex").type) == "string"
    con = ibis.duckdb.connect().con
    con.register("t", mapped)
    assert con.execute("SELECT typeof(sex) FROM t").fetchone() == ("VARCHAR",)


def counting_arrow(monkeypatch) -> list[str]:
    """The tables whose typed-cache entry is memory-mapped from now on (by name)."""
    mapped: list[str] = []
    real = loading.read_arrow

    def read(path):
        mapped.append(Path(path).name.rsplit("-", 1)[0])
        return real(path)

    monkeypatch.setattr(loading, "read_arrow", read)
    return mapped


def test_a_table_the_warm_kernel_holds_is_registered_as_its_frame_not_mapped(
        extract, tmp_path, monkeypatch):
    # the warm kernel keeps every table an earlier notebook read (read-only frames): the
    # engine registers that frame, shared, and does not map the cache entry beside it
    monkeypatch.setenv(loading.ENV_DATASET_CACHE, "1")
    data = cached(extract, tmp_path, True)  # the first load read every table: all kept
    mapped = counting_arrow(monkeypatch)
    refuse_pandas(monkeypatch)  # the kept frames are shared, not read again
    tables = engine_tables(data)
    for name in TABLES:
        assert len(tables.fetch(getattr(tables, name))) > 0
    assert mapped == []
    assert all(isinstance(tables.tables._sources[n], pd.DataFrame) for n in TABLES)
    assert np.shares_memory(untracked(data, "people")["person_id"].array._data,
                            loading._TYPED["people"][1]["person_id"].array._data)
    loading._TYPED.pop("wellbeing")  # one table not kept: mapped, the others not
    other = load_dataset(extract, compact_ids=True, typed_cache=tmp_path, skip_unused=True)
    engine_tables(other).backend.con.sql("SELECT 1").fetchall()  # SQL: registers all
    assert mapped == ["wellbeing"]


def _queried_then_taken(extract: Path, cache: Path) -> tuple[str, str, bool]:
    """A notebook's dataset: ``repr`` after its engine queried ``people`` and
    ``referrals``, ``repr`` once the report took ``people``, and whether the engine
    kept for the dataset is still the one used after that."""
    data = load_dataset(extract, compact_ids=True, typed_cache=cache, skip_unused=True)
    tables = engine_tables(data)
    for name in ("people", "referrals"):
        assert len(tables.fetch(getattr(tables, name))) > 0
    queried = repr(data)
    assert len(data.people) > 0
    return queried, repr(data), engine_tables(data) is tables


def test_repr_after_a_query_is_the_same_in_a_warm_kernel_as_in_a_cold_one(
        extract, tmp_path, monkeypatch):
    # a warm kernel's second notebook registered an earlier notebook's kept frames by
    # reading them into its dataset: its repr said "N columns" where a cold kernel's
    # said "not read yet"
    cached(extract, tmp_path, True)  # the cache entries written
    compact_ids._IDS.clear()
    cold = _queried_then_taken(extract, tmp_path)
    monkeypatch.setenv(loading.ENV_DATASET_CACHE, "1")
    earlier = load_dataset(extract, compact_ids=True, typed_cache=tmp_path,
                           skip_unused=True)
    for name in TABLES:  # an earlier notebook read every table: all kept
        untracked(earlier, name)
    release_engines()
    refuse_pandas(monkeypatch)  # the kept frames are shared, not read again
    mapped = counting_arrow(monkeypatch)
    warm = _queried_then_taken(extract, tmp_path)
    assert mapped == []  # the kept frames were queried, not the mapped files
    assert warm[:2] == cold[:2]
    assert "people: not read yet" in cold[0] and "referrals: not read yet" in cold[0]
    assert "people: not read yet" not in cold[1] and "referrals: not read yet" in cold[1]
    # warm: the frame taken is the one the engine registered (shared values), so the
    # engine kept for the dataset is still used; cold: the mapped file was registered
    assert warm[2] is True and cold[2] is False


def test_a_copy_of_a_warm_dataset_reads_its_own_frame_not_the_engines(
        extract, tmp_path, monkeypatch):
    monkeypatch.setenv(loading.ENV_DATASET_CACHE, "1")
    data = cached(extract, tmp_path, True)  # the first load read every table: all kept
    tables = engine_tables(data)
    tables.fetch(tables.people)
    registered = tables.tables._sources["people"]
    other = copy.copy(data)  # still holds people unread
    assert untracked(data, "people")._mgr is registered._mgr
    assert untracked(other, "people")._mgr is not registered._mgr
    other.people["extra"] = 1  # its own columns
    assert "extra" not in untracked(data, "people")
    assert engine_tables(data) is tables


def test_a_copy_of_a_warm_dataset_read_first_does_not_take_the_engines_frame(
        extract, tmp_path, monkeypatch):
    # the copy reads the table before the original: until the review of wave 48 the
    # handed frame was kept on the reader both share, and the copy took it, so its
    # new column reached the engine the original's notebook holds
    monkeypatch.setenv(loading.ENV_DATASET_CACHE, "1")
    data = cached(extract, tmp_path, True)
    tables = engine_tables(data)
    tables.fetch(tables.people)
    registered = tables.tables._sources["people"]
    other = copy.copy(data)
    assert untracked(other, "people")._mgr is not registered._mgr
    other.people["extra"] = 1
    assert "extra" not in registered.columns
    assert untracked(data, "people")._mgr is registered._mgr
    assert engine_tables(data) is tables


def test_a_table_registered_for_sql_is_mapped_once(tmp_path):
    made = typed_frames()
    for name, frame in made.items():
        write_entry(entries(tmp_path) / f"{name}.arrow", frame)
    mapped: list[str] = []

    def arrow(name):
        mapped.append(name)
        return read_arrow(entries(tmp_path) / f"{name}.arrow")

    data = Dataset(path=tmp_path, **{n: Deferred(n, lambda n=n: made[n],
                                                 lambda n=n: arrow(n)) for n in made})
    tables = engine_tables(data)
    assert tables.backend.con.sql("SELECT count(*) FROM people").fetchone() == (4,)
    assert sorted(mapped) == sorted(made)  # raw SQL may name any table: all registered
    for name in made:
        tables.fetch(getattr(tables, name))
    assert sorted(mapped) == sorted(made)  # not mapped again when first used
    assert in_pandas(data) == []


def test_a_dataset_let_go_frees_its_kept_engine(extract, tmp_path):
    data = cached(extract, tmp_path, True)
    tables = engine_tables(data)
    tables.fetch(tables.people)
    assert engine_tables(data) is tables  # kept while the dataset lives
    gone = weakref.ref(data), weakref.ref(tables), weakref.ref(tables.backend)
    key = id(data)
    held = engine_tables(load_dataset(extract, compact_ids=True, typed_cache=tmp_path))
    del data, tables
    gc.collect()
    assert [ref() for ref in gone] == [None, None, None]
    assert key not in _SHARED
    assert len(held.fetch(held.wellbeing)) > 0  # tables held keep their dataset
    assert len(_SHARED) == 1


def test_a_dataset_pushed_out_of_the_kept_engines_lets_its_engine_go(tmp_path):
    datasets = [Dataset(path=tmp_path, people=pd.DataFrame({"person_id": ["a"]}))
                for _ in range(_SHARE_AT_MOST + 1)]
    backends = [weakref.ref(engine_tables(data).backend) for data in datasets]
    gc.collect()
    assert backends[0]() is None and id(datasets[0]) not in _SHARED
    assert all(ref() is not None for ref in backends[1:])
    assert len(_SHARED) == _SHARE_AT_MOST
    release_engines()  # the warm kernel's reset: the datasets live on, their engines go
    gc.collect()
    assert _SHARED == {} and [ref() for ref in backends] == [None] * len(backends)
    assert engine_tables(datasets[0]).fetch(engine_tables(datasets[0]).people)[
        "person_id"].tolist() == ["a"]


def test_a_copy_or_pickle_of_a_queried_dataset_holds_its_tables_not_its_engine(tmp_path):
    data = Dataset(path=tmp_path, people=pd.DataFrame({"person_id": ["a", "b"]}))
    tables = engine_tables(data)
    assert len(tables.fetch(tables.people)) == 2
    for other in (copy.copy(data), copy.deepcopy(data), pickle.loads(pickle.dumps(data))):
        assert "_lifetools_engine" not in vars(other)
        assert untracked(other, "people")["person_id"].tolist() == ["a", "b"]
        assert engine_tables(other) is not tables
    backend = weakref.ref(tables.backend)
    copied = copy.copy(data)  # the copy does not keep the original's engine alive
    del data, tables
    gc.collect()
    assert backend() is None and len(untracked(copied, "people")) == 2
