"""``repr(dataset)``: what a notebook cell ending in ``dataset`` would publish."""

from __future__ import annotations

import pandas as pd

from lifetools.dataset import Dataset, Deferred
from lifetools.loading import ENV_READS_LOG

PERSON = "9f" * 32


def _dataset(tmp_path, loads: list[str]) -> Dataset:
    def load() -> pd.DataFrame:
        loads.append("referrals")
        return pd.DataFrame({"person_id": [PERSON], "referral_date": ["2024-05-01"]})

    folder = tmp_path / "extract-2025-03"
    return Dataset(path=folder, people=pd.DataFrame({"person_id": [PERSON], "sex": ["F"]}),
                   referrals=Deferred("referrals", load))


def test_repr_reads_no_table_records_no_read_and_shows_no_value(tmp_path, monkeypatch):
    log = tmp_path / "reads"
    monkeypatch.setenv(ENV_READS_LOG, str(log))
    loads: list[str] = []
    data = _dataset(tmp_path, loads)
    text = repr(data)
    assert text == "Dataset('extract-2025-03'; people: 2 columns, referrals: not read yet)"
    assert loads == [] and not log.exists()
    assert PERSON not in text and str(tmp_path) not in text
    assert isinstance(object.__getattribute__(data, "referrals"), Deferred)


def test_repr_after_a_read_shows_columns_not_rows(tmp_path):
    loads: list[str] = []
    data = _dataset(tmp_path, loads)
    assert len(data.referrals) == 1 and loads == ["referrals"]
    assert repr(data) == "Dataset('extract-2025-03'; people: 2 columns, referrals: 2 columns)"
    assert repr(Dataset(path=tmp_path)) == f"Dataset({tmp_path.name!r}; no tables)"


def test_engine_dataset_repr_names_the_engine_not_the_server_and_fetches_nothing(
        monkeypatch):
    from types import SimpleNamespace

    from lifetools.engines import dataset as engine_dataset

    fetched: list[str] = []

    def fetch(engine, name, columns=None):
        fetched.append(name)
        return pd.DataFrame({"person_id": [PERSON], "sex": ["F"], "age": [40]})

    monkeypatch.setattr(engine_dataset, "fetch_table", fetch)
    tables = SimpleNamespace(engine="postgres", where="postgresql://analyst@db.trust/x",
                             tables={"people": None, "referrals": None})
    data = engine_dataset.EngineDataset(tables)
    assert repr(data) == ("EngineDataset('postgres'; people: not read yet, "
                          "referrals: not read yet)")
    assert fetched == []
    assert len(data.people) == 1 and fetched == ["people"]
    text = repr(data)
    assert text == "EngineDataset('postgres'; people: 3 columns, referrals: not read yet)"
    assert "db.trust" not in text and PERSON not in text
