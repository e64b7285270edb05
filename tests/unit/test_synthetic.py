"""The synthetic generator: deterministic, valid, realistic mixes, test-range numbers."""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest

from lifetools.pipeline.cli import main
from lifetools.synthetic import _dates, generate_tables, population, write_synthetic
from lifetools.synthetic.population import make_nhs_numbers


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("*.parquet"))}


def test_same_seed_gives_byte_identical_files(tmp_path):
    # 400 people: every table has rows (8 wellbeing and feedback rows, the fewest);
    # 1,500 until wave 45, 2.1 s of CPU for three writes (issue 11)
    write_synthetic(tmp_path / "a", people=400, seed=11)
    write_synthetic(tmp_path / "b", people=400, seed=11)
    write_synthetic(tmp_path / "c", people=400, seed=12)
    import pyarrow.parquet as pq

    assert all(pq.ParquetFile(p).metadata.num_rows > 0
               for p in (tmp_path / "a").glob("*.parquet"))
    assert len(digest(tmp_path / "a")) == 9
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


def nhs_numbers_made_afresh(rng: np.random.Generator, n: int) -> list[str]:
    """The numbers as make_nhs_numbers made them before the table of the test range
    was kept: the table computed for every call (the specification)."""
    stems = np.arange(999_000_000, 1_000_000_000, dtype=np.int64)
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    check = 11 - (digits @ np.arange(10, 1, -1)) % 11
    check[check == 11] = 0
    stems, check = stems[check != 10], check[check != 10]
    pick = np.sort(rng.choice(len(stems), size=n, replace=False))
    return [str(x) for x in stems[pick] * 10 + check[pick]]


def test_nhs_numbers_test_range_table_made_once_same_numbers_as_made_afresh():
    # the table (a million stems' digits, about 0.1 s of CPU) was made again for every
    # generated dataset, whatever its size; it is made once per process, read-only
    before = population._test_range.cache_info()
    for seed, n in ((1, 1), (2, 300), (3, 12_000)):
        numbers = make_nhs_numbers(np.random.default_rng(seed), n)
        assert list(numbers) == nhs_numbers_made_afresh(np.random.default_rng(seed), n)
    after = population._test_range.cache_info()
    assert after.misses <= 1 and after.hits >= before.hits + 2  # three calls, one table
    stems, check = population._test_range()
    assert not stems.flags.writeable and not check.flags.writeable


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


def test_honos_is_hidden_at_random_by_team_age_and_short_referral():
    # hide_honos on a constructed grid of referrals: each cell's missing share is the
    # logistic model of TRUE_EFFECTS (team rate, odds ratios 3 for a referral closed
    # within 90 days and 1.5 for ages 18-24) within 4 binomial standard errors, the
    # score itself plays no part, and a team outside the list records nothing new.
    from lifetools.synthetic.care import _age_at, hide_honos
    from lifetools.synthetic.truth import TRUE_EFFECTS as t

    n = 4000
    cells = [(team, short, young) for team in ("A05", "A14", "A02")
             for short in (False, True) for young in (False, True)]
    # one person per cell, aged 20 or 40 at a referral on day 2000
    day = 2000
    rows, births = [], []
    for team, short, young in cells:
        rows.append(pd.DataFrame({"team_type": team, "_referral_day": float(day),
                                  "_discharge_day": day + (30.0 if short else 400.0),
                                  "honos_baseline": np.tile([2.0, 30.0], n // 2),
                                  "_cell": f"{team}{short}{young}"}, index=range(n)))
        births.append(20 if young else 40)
    refs = pd.concat(rows, ignore_index=True)
    this_year = int(_age_at(np.array([0]), np.array([day]))[0])
    people = pd.DataFrame({"year_of_birth": [this_year - a for a in births]})
    refs["_person"] = np.repeat(np.arange(len(cells)), n)
    hidden = hide_honos(np.random.default_rng(3), refs, people).isna()
    for i, (team, short, young) in enumerate(cells):
        cell = hidden[refs["_person"] == i]
        rate = t.honos_missing_rate(team)
        if rate == 0:
            assert not cell.any()
            continue
        odds = (rate / (1 - rate) * (t.honos_missing_or_short_referral if short else 1)
                * (t.honos_missing_or_age_18_24 if young else 1))
        p = odds / (1 + odds)
        assert abs(cell.mean() - p) < 4 * np.sqrt(p * (1 - p) / n), (team, short, young)
        scores = refs.loc[cell.index, "honos_baseline"]
        low, high = cell[scores == 2].mean(), cell[scores == 30].mean()
        assert abs(low - high) < 4 * np.sqrt(2 * p * (1 - p) / (n / 2))


def _referrals(uptake_within_days):
    from lifetools.synthetic.care import make_referrals
    from lifetools.synthetic.population import make_deprivation, make_people

    rng = np.random.default_rng(5)
    people = make_people(rng, 20000, make_deprivation(rng, 20000))
    return make_referrals(rng, people, uptake_within_days=uptake_within_days)


def test_uptake_limit_drops_only_the_later_first_contacts():
    # the truth tests' option (landmark truth, book/methods/landmark.md): no first
    # contact later than 90 days after referral; everything else drawn as before
    default, limited = _referrals(None), _referrals(90)
    offset = default["_exposure_day"] - default["_referral_day"]
    limited_offset = limited["_exposure_day"] - limited["_referral_day"]
    assert limited_offset.max() <= 90 < offset.max()
    # each person's first referral: identical where the first contact is recorded
    # within 90 days or where none was drawn; where it was drawn later (recorded after
    # day 90, or drawn but not recorded: before the extract's day 0 or after its end)
    # the discharge is drawn without the effect. The gaps to later referrals start
    # from the closures, so later episodes are drawn afresh.
    first, first_limited = (f.drop_duplicates("_person").set_index("_person").sort_index()
                            for f in (default, limited))
    assert first.index.equals(first_limited.index)
    first_offset = first["_exposure_day"] - first["_referral_day"]
    within = first_offset <= 90
    assert within.sum() > 20
    pd.testing.assert_frame_equal(first[within], first_limited[within])
    later = first_offset > 90
    assert later.sum() > 20 and first_limited.loc[later, "_exposure_day"].isna().all()
    changed = (first != first_limited) & ~(first.isna() & first_limited.isna())
    assert changed.any(axis=1)[later].mean() > 0.5
    assert not changed.any(axis=1)[within].any()
    assert set(changed.columns[changed.any()]) <= {
        "_discharge_day", "closure_reason", "_exposure_day", "_last_contact_day",
        "honos_baseline"}


def test_uptake_limit_none_is_the_published_data():
    tables = generate_tables(1500, 11)
    same = generate_tables(1500, 11, uptake_within_days=None)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, same[name])


def test_referrals_run_at_the_same_rate_up_to_and_including_the_extract_date():
    # first referrals stopped 20 days before the extract date and later ones the day
    # before it, so the last month of every monthly chart read about half (March 2025
    # at 30,000 people: 77 referrals against 123-174 in the 23 months before; issue 15)
    from lifetools.synthetic.care import END_DAY, make_referrals
    from lifetools.synthetic.population import make_deprivation, make_people

    rng = np.random.default_rng(15)
    people = make_people(rng, 60000, make_deprivation(rng, 60000))
    days = make_referrals(rng, people)["_referral_day"].to_numpy()
    assert days.max() == END_DAY  # the extract date is a day of the window
    # thirteen blocks of four weeks ending on the extract date: the last one against
    # the twelve before it, within 4 Poisson standard errors of their mean
    blocks = np.array([((days > END_DAY - 28 * (k + 1)) & (days <= END_DAY - 28 * k)).sum()
                       for k in range(13)])
    last, before = blocks[0], blocks[1:]
    assert abs(last - before.mean()) < 4 * np.sqrt(before.mean()), blocks
    # and on each of its last 7 days too, a day's referrals are not missing
    week = np.array([(days == END_DAY - k).sum() for k in range(7)])
    assert (week > 0).all(), week


@pytest.mark.parametrize(("people", "seed"), [(150, 20250331), (400, 3)])
def test_referral_window_is_the_written_datas_referral_dates(tmp_path, people, seed):
    # `lifetools status` checks editions against it before the data exist, the build
    # against the written data's (issue 14): the two must be the same dates
    from lifetools.pipeline.integrity import data_window
    from lifetools.synthetic import referral_window

    write_synthetic(tmp_path, people=people, seed=seed)
    assert referral_window(people, seed) == data_window(tmp_path)
