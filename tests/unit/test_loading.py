"""load_dataset's typed-table cache (warm kernels): shared reads, private frames."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from lifetools import loading
from lifetools.loading import ENV_DATASET_CACHE, load_dataset


def write_feedback(folder, scores) -> None:
    pd.DataFrame({
        "response_id": [f"F{i:06d}" for i in range(len(scores))],
        "site": ["01"] * len(scores),
        "response_date": ["2024-05-01"] * len(scores),
        "access_easy": scores,
        "fft_response": [1] * len(scores),
    }).to_parquet(folder / "feedback.parquet", index=False)


@pytest.fixture
def cached(monkeypatch):
    monkeypatch.setenv(ENV_DATASET_CACHE, "1")
    loading._TYPED.clear()
    yield
    loading._TYPED.clear()


def test_load_dataset_cache_reads_once_and_gives_each_call_its_own_frame(
        tmp_path, cached, monkeypatch):
    write_feedback(tmp_path, [1, 2, 3])
    first = load_dataset(tmp_path, tables=["feedback"]).feedback
    reads = []
    monkeypatch.setattr(loading, "read_table", lambda *a, **k: reads.append(a))
    # a notebook's own columns: added, replaced, dropped in its frame only
    first["access_easy"] = first["access_easy"] * 2
    first["extra"] = 1.0
    first.drop(columns=["site"], inplace=True)
    first.index.name, first.columns.name = "row", "column"
    second = load_dataset(tmp_path, tables=["feedback"]).feedback
    assert reads == []
    assert second["access_easy"].tolist() == [1, 2, 3]
    assert str(second["access_easy"].dtype) == "Int64"
    assert list(second.columns) == ["response_id", "site", "response_date",
                                    "access_easy", "fft_response"]
    assert second.index.name is None and second.columns.name is None


@pytest.mark.parametrize("column, value", [
    ("access_easy", 5), ("site", "02"), ("response_date", pd.Timestamp("2024-06-01"))])
def test_load_dataset_cache_shares_read_only_values_a_write_fails(
        tmp_path, cached, column, value):
    # issue 16: one copy of the tables per warm kernel, not one more per notebook
    write_feedback(tmp_path, [1, 2, 3])
    first = load_dataset(tmp_path, tables=["feedback"]).feedback
    second = load_dataset(tmp_path, tables=["feedback"]).feedback
    assert np.shares_memory(first["fft_response"].array._data,
                            second["fft_response"].array._data)
    with pytest.raises((ValueError, AssertionError)):  # loudly, whatever the dtype
        first.loc[0, column] = value
    with pytest.raises(ValueError, match="read-only"):
        first["fft_response"].to_numpy()[0] = 5
    third = load_dataset(tmp_path, tables=["feedback"]).feedback
    pd.testing.assert_frame_equal(third, second)
    assert third["access_easy"].tolist() == [1, 2, 3]


def test_load_dataset_cache_changed_file_is_read_again(tmp_path, cached):
    write_feedback(tmp_path, [1, 2, 3])
    assert load_dataset(tmp_path, tables=["feedback"]).feedback["access_easy"].sum() == 6
    write_feedback(tmp_path, [4, 4, 4])
    stat = os.stat(tmp_path / "feedback.parquet")
    os.utime(tmp_path / "feedback.parquet", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert load_dataset(tmp_path, tables=["feedback"]).feedback["access_easy"].sum() == 12
    columns = {"feedback": ["response_id", "access_easy"]}
    narrow = load_dataset(tmp_path, tables=["feedback"], columns=columns).feedback
    assert list(narrow.columns) == ["response_id", "access_easy"]


def test_load_dataset_without_the_cache_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_DATASET_CACHE, raising=False)
    loading._TYPED.clear()
    write_feedback(tmp_path, [1, 2, 3])
    load_dataset(tmp_path, tables=["feedback"])
    assert loading._TYPED == {}


def test_read_table_arrow_fast_path_equals_the_generic_coercion(tmp_path):
    import pyarrow.parquet as pq

    from lifetools.dictionary import load_dictionary
    from lifetools.loading import coerce_types, read_table

    frame = pd.DataFrame({
        "response_id": ["F1", "", None, "F4"],
        "site": ["01", "02", "", None],
        "response_date": pd.to_datetime(["2024-05-01", None, "1900-01-01", "2262-04-11"]),
        "access_easy": [1, None, 3, 4],
        "fft_response": [1, 2, 3, 4],
    })
    frame.to_parquet(tmp_path / "feedback.parquet", index=False)
    spec = load_dictionary().table("feedback")
    fast = read_table(tmp_path / "feedback.parquet", spec)
    generic = coerce_types(pq.read_table(tmp_path / "feedback.parquet").to_pandas(), spec)
    pd.testing.assert_frame_equal(fast, generic, check_exact=True)
    assert fast["response_id"].tolist() == ["F1", None, None, "F4"]
    assert fast["site"].tolist() == ["01", "02", None, None]
    assert str(fast["response_date"].dtype) == "datetime64[ns]"


def test_cache_arrow_backed_column_written_by_one_caller_is_not_seen_by_the_next():
    # an Arrow-backed column cannot be made read-only, and a write replaces the array
    # inside its extension array: shared, it reached the next notebook (wave 44 review)
    kept = loading._read_only(pd.DataFrame({
        "code": pd.array(["A01", "B02", "C03"], dtype="string[pyarrow]"),
        "tag": pd.array(["x", "y", "z"], dtype=pd.ArrowDtype(__import__("pyarrow").string())),
        "n": np.array([1, 2, 3])}))
    first = loading._shared(kept)
    first.loc[0, "code"] = "Z99"
    first.loc[1, "tag"] = "w"
    second = loading._shared(kept)
    assert second["code"].tolist() == ["A01", "B02", "C03"]
    assert second["tag"].tolist() == ["x", "y", "z"]
    assert kept["code"].tolist() == ["A01", "B02", "C03"]
    with pytest.raises(ValueError, match="read-only"):
        second["n"].to_numpy()[0] = 5


def test_load_dataset_reads_each_table_when_first_used(tmp_path, monkeypatch):
    """A notebook brings into pandas only the tables its report uses (issue 18): the
    cohort description reads people, deprivation, referrals and Life Rooms contacts,
    not feedback (until wave 45 ``load_dataset`` read every table at once)."""
    from lifetools.describe import describe_population
    from lifetools.engines import engine_tables

    hexed = [f"{i:064x}" for i in (1, 2)]
    pd.DataFrame({"person_id": hexed, "year_of_birth": [1980, 1990], "sex": ["1", "2"],
                  "ethnic_category": ["A", "N"],
                  "lsoa_code": ["E01000001", "E01000002"]}
                 ).to_parquet(tmp_path / "people.parquet", index=False)
    pd.DataFrame({"lsoa_code": ["E01000001", "E01000002"], "locality": ["A", "B"],
                  "imd_quintile": [1, 5]}
                 ).to_parquet(tmp_path / "deprivation.parquet", index=False)
    pd.DataFrame({"referral_id": ["R1"], "person_id": hexed[:1],
                  "referral_date": ["2024-05-01"], "team_type": ["A06"],
                  "rejection_date": [None], "discharge_date": [None]}
                 ).to_parquet(tmp_path / "referrals.parquet", index=False)
    pd.DataFrame({"contact_id": ["C1"], "person_id": hexed[1:],
                  "contact_date": ["2024-06-01"]}
                 ).to_parquet(tmp_path / "life_rooms_contacts.parquet", index=False)
    write_feedback(tmp_path, [1, 2])
    reads = []
    real = loading._read_table
    monkeypatch.setattr(loading, "_read_table",
                        lambda path, *a, **k: reads.append(path.stem) or real(path, *a, **k))
    data = load_dataset(tmp_path)
    assert reads == []  # nothing read yet
    assert len(data.people) == 2 and reads == ["people"]
    described = describe_population(data, period_start="2024-04-01",
                                    period_end="2025-03-31")
    assert described.count("caseload") == 1 and described.count("users") == 1
    assert sorted(reads) == ["deprivation", "life_rooms_contacts", "people", "referrals"]
    tables = engine_tables(data)  # the same engine, its tables registered once
    assert tables is engine_tables(data) and tables.count(tables.feedback) == 2
    assert sorted(reads) == ["deprivation", "feedback", "life_rooms_contacts", "people",
                             "referrals"]  # each table read once
