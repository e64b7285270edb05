"""SDC profiles: each profile's boundaries, the active profile, the rule sentence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifetools import disclosure
from lifetools.disclosure import PROFILES, get_profile, protect_count, rule_sentence


@pytest.mark.parametrize(("profile", "count", "shown"), [
    ("default", 0, 0), ("default", 1, None), ("default", 7, None), ("default", 8, 10),
    ("default", 12, 10), ("default", 13, 15),
    ("opensafely", 7, None), ("opensafely", 8, 10), ("opensafely", 17, 15),
    ("opensafely", 18, 20),
    ("opensafely-midpoint6", 0, 0), ("opensafely-midpoint6", 1, 3),
    ("opensafely-midpoint6", 6, 3), ("opensafely-midpoint6", 7, 9),
    ("opensafely-midpoint6", 12, 9), ("opensafely-midpoint6", 13, 15),
    ("hes-ecds", 7, None), ("hes-ecds", 8, 10), ("hes-ecds", 1234, 1235),
    ("mhsds", 4, None), ("mhsds", 5, 5), ("mhsds", 7, 5), ("mhsds", 8, 10),
    ("threshold-10", 9, None), ("threshold-10", 10, 10), ("threshold-10", 12, 10),
    ("threshold-10", 13, 15),
])
def test_protect_count_profile_boundaries(profile, count, shown):
    assert protect_count(count, profile=profile) == shown


def test_midpoint6_matches_opensafely_mapping_table():
    # docs.opensafely.org, "midpoint 6 rounding": 0 -> 0, 1-6 -> 3, 7-12 -> 9, 13-18 -> 15
    expected = [0] + [3] * 6 + [9] * 6 + [15] * 6
    assert [protect_count(n, profile="opensafely-midpoint6") for n in range(19)] == \
        expected


@settings(deadline=None)
@given(st.sampled_from(sorted(PROFILES)), st.integers(min_value=0, max_value=10**6))
def test_protect_count_every_profile_properties(name, n):
    p = get_profile(name)
    shown = protect_count(n, profile=p)
    if 1 <= n <= p.threshold:
        assert shown is None
    elif p.rounding == "midpoint":
        assert shown == 0 if n == 0 else (shown + p.base // 2) % p.base == 0
        assert n - p.base // 2 - 1 < shown <= n + p.base // 2
    else:
        assert shown % p.base == 0 and abs(shown - n) <= p.base / 2


def test_active_profile_from_environment_and_setter(monkeypatch):
    monkeypatch.setenv(disclosure.ENV_VAR, "mhsds")
    assert disclosure.active_profile().name == "mhsds"
    assert disclosure.active_profile().threshold == 4
    assert protect_count(5) == 5
    disclosure.set_active_profile("threshold-10")
    try:
        assert disclosure.active_profile().threshold == 9 and protect_count(9) is None
    finally:
        disclosure.set_active_profile(None)
    assert disclosure.active_profile().name == "mhsds"
    monkeypatch.setenv(disclosure.ENV_VAR, "nonsense")
    with pytest.raises(KeyError, match="unknown disclosure control profile"):
        disclosure.active_profile()


def test_disclosure_module_has_no_profile_constants():
    # the rule numbers are attributes of a profile, never module attributes that
    # change under the reader (no module-level __getattr__)
    for name in ("SUPPRESSION_THRESHOLD", "ROUNDING_BASE", "MIN_AT_RISK"):
        assert not hasattr(disclosure, name)
    assert "__getattr__" not in vars(disclosure)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_publishable_matches_protect_count(name):
    p = get_profile(name)
    shown = {protect_count(n, profile=p) for n in range(0, 200)} - {None}
    assert {v for v in range(0, 220) if p.publishable(v)} >= shown
    assert all(protect_count(v, profile=p) == v for v in range(0, 190)
               if p.publishable(v))


def test_use_profile_restores_the_previous_profile():
    with disclosure.use_profile("opensafely-midpoint6") as p:
        assert disclosure.active_profile() is p and protect_count(4) == 3
    assert disclosure.active_profile().name == "default"


@pytest.mark.parametrize(("name", "sentence"), [
    ("default", "Counts from 1 to 7 are suppressed and shown as [c]; other counts "
                "are rounded to the nearest 5."),
    ("mhsds", "Counts from 1 to 4 are suppressed and shown as [c]; other counts are "
              "rounded to the nearest 5."),
    ("threshold-10", "Counts from 1 to 9 are suppressed"),
    ("opensafely-midpoint6", "1 to 6 is shown as 3, 7 to 12 as 9"),
])
def test_rule_sentence_is_made_from_the_profile(name, sentence):
    assert sentence in rule_sentence(name)


def test_methods_page_profile_table_matches_profiles():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "book" / "methods" /
            "disclosure-control.md").read_text()
    rows = {line.split("|")[1].strip(): line.split("|")[2:4]
            for line in page.splitlines() if line.startswith("| ")
            and line.split("|")[1].strip() in PROFILES}
    assert set(rows) == set(PROFILES)
    for name, (suppressed, rounding) in rows.items():
        p = PROFILES[name]
        assert suppressed.strip() == (f"1 to {p.threshold}" if p.threshold else "none")
        assert rounding.strip() == (f"midpoint {p.base}" if p.rounding == "midpoint"
                                    else f"nearest {p.base}")


def test_the_methods_page_says_how_each_profile_publishes_what_acro_flags():
    # the page said "counts of 8 and 9 (5 to 9 under the mhsds profile) published
    # rounded (to 10)": under mhsds 5 to 7 are published as 5 (review of the
    # 30,000-person build, wave 41); the row is made from the profiles' own rounding
    from pathlib import Path

    from lifetools.disclosure.acro_check import ACRO_THRESHOLD
    from lifetools.disclosure.rule_text import acro_counts_difference

    page = " ".join((Path(__file__).resolve().parents[2] / "book" / "methods" /
                     "disclosure-control.md").read_text().split())
    said = acro_counts_difference()
    assert f"published rounded by the profile's rule ({said})" in page
    assert "under mhsds: 5 to 7 as 5, 8 and 9 as 10" in said  # known answers
    assert "under default, opensafely and hes-ecds: 8 and 9 as 10" in said
    assert said.endswith("under threshold-10: none")
    # read back: each profile's counts above its threshold and under 10, as its own
    # rules publish them
    import re

    read: dict[str, dict[int, int]] = {}
    for part in said.split("; "):
        names, words = part.removeprefix("under ").split(": ")
        spans = {} if words == "none" else {
            n: int(v) for a, b, v in re.findall(
                r"(\d+)(?: (?:to|and) (\d+))? as (\d+)", words)
            for n in range(int(a), int(b or a) + 1)}
        for name in re.split(r", | and ", names):
            read[name] = spans
    assert set(read) == set(PROFILES)
    for name, profile in PROFILES.items():
        assert read[name] == {n: protect_count(n, profile=profile)
                              for n in range(profile.threshold + 1, ACRO_THRESHOLD)
                              if protect_count(n, profile=profile) is not None}, name
