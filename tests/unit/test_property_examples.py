"""``make check`` scales a property test's own number of examples with the profile
(``tests/property_examples.py``); ``make test`` tries every example the test names."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import settings
from property_examples import examples

TESTS = Path(__file__).resolve().parents[1]
#: ``max_examples=`` followed by a number, in code (not after ``#`` on its line).
LITERAL = re.compile(r"^[^#\n]*\bmax_examples\s*=\s*\d", re.MULTILINE)


def _under(profile: str, n: int) -> int:
    previous = settings.get_current_profile_name()
    settings.load_profile(profile)
    try:
        return examples(n)
    finally:
        settings.load_profile(previous)


def test_examples_are_scaled_under_check_never_below_its_own_number():
    assert [_under("check", n) for n in (10, 25, 40, 60, 100, 200, 300)] == \
        [10, 25, 25, 25, 25, 50, 75]


def test_examples_are_every_example_under_the_full_profile():
    assert [_under("lifetools", n) for n in (10, 40, 200, 300)] == [10, 40, 200, 300]


def test_every_property_test_that_sets_its_number_sets_it_through_examples():
    # a literal ``max_examples=200`` is kept by every profile: ``make check`` tried
    # 2,140 examples in 17 such tests before wave 45 (issue 11). Read as text, not
    # parsed: parsing every test module took 2.5 s of CPU
    literal = [f"{path.relative_to(TESTS)}:{text[:found.start()].count(chr(10)) + 1}"
               for path in sorted(TESTS.rglob("test_*.py"))
               for text in [path.read_text(encoding="utf-8")]
               for found in LITERAL.finditer(text)]
    assert literal == [], "write max_examples=examples(N) (tests/property_examples.py)"
