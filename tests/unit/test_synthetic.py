"""The synthetic generator: deterministic, valid, realistic mixes, test-range numbers."""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest

from lifetools.pipeline.cli import main
from lifetools.synthetic import _dates, generate_tables, write_synthetic
from lifetools.synthetic.population import make_nhs_numbers


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("*.parquet"))}


def test_same_seed_gives_byte_identical_files(tmp_path):
    write_synthetic(tmp_path / "a", people=1500, seed=11)
    write_synthetic(tmp_path / "b", people=1500, seed=11)
    write_synthetic(tmp_path / "c", people=1500, seed=12)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_dates_of_missing_days_are_nat_whatever_memory_held():
    # pandas' to_timedelta(unit="D") leaves a NaN's fractional part uninitialised and
    # rounds it: memory just freed that held 1e300 made it overflow ("overflow
    # encountered in multiply", seen in the generator's tests). Missing days are not
    # passed to it.
    days = np.array([1.5, np.nan, 2.0, np.nan, 3.0, 4.0, 5.0, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(20):
            junk = [np.full(len(days), 1e300) for _ in range(4)]
            del junk
            dates = _dates(days)
    assert dates.isna().tolist() == [False, True, False, True, False, False, False, True]
    assert dates.dtype == "datetime64[ns]"
    assert dates[0] - dates[2] == pd.Timedelta(hours=-12)


def test_nhs_numbers_are_valid_and_in_the_test_range():
    import nhs_number

    numbers = make_nhs_numbers(np.random.default_rng(1), 500)
    assert len(set(numbers)) == 500
    assert all(n.startswith("999") and nhs_number.is_valid(n) for n in numbers)
    with pytest.raises(ValueError, match="test range holds"):
        make_nhs_numbers(np.random.default_rng(1), 2_000_000)


def test_generated_mixes_are_realistic():
    tables = generate_tables(20000, 5)
    people, referrals = tables["people"], tables["referrals"]
    deprivation = tables["deprivation"]
    assert (deprivation["lsoa_code"].str[3:].astype(int) >= 900000).all()  # fictional
    share_d1 = (deprivation["imd_decile"] == 1).mean()
    assert 0.3 < share_d1 < 0.55
    assert 0.45 < (people["sex"] == "2").mean() < 0.6
    a06 = referrals[(referrals["team_type"] == "A06")
                    & referrals["rejection_date"].isna()]
    assert 0.1 < a06["discharge_date"].isna().mean() < 0.5  # open at extract
    assert set(a06["closure_reason"].dropna()) <= {f"0{i}" for i in range(1, 10)}
    contacts = tables["life_rooms_contacts"]
    assert 0.01 < contacts["nhs_number"].isna().mean() < 0.04


def test_cli_synth_then_validate(tmp_path, capsys):
    out = tmp_path / "data"
    assert main(["synth", "--people", "800", "--seed", "2", "--out", str(out)]) == 0
    assert "linked" in capsys.readouterr().err
    assert main(["validate", str(out), "--report", str(tmp_path / "r.json")]) == 0
    frame = pd.read_parquet(out / "people.parquet")
    assert frame["person_id"].str.fullmatch("[0-9a-f]{64}").all()
