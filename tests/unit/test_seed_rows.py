"""``tests/seed_rows.py``: a many-seeds truth test's rows, coverage on the first seed only.

Checked with a coverage of this test's own (started inside pytest-cov's, if any, as the
innermost one is the one ``coverage_paused`` pauses) over a small module written here.
"""

from __future__ import annotations

import importlib.util

import coverage
import pytest
from seed_rows import coverage_paused, rows_over_seeds

SEEDED = '''
def rows(seed, scale):
    if seed == 1:
        first = seed * scale
        return [{"seed": seed, "value": first}]
    if seed == 2:
        second = seed * scale
        return [{"seed": seed, "value": second}]
    third = seed * scale
    return [{"seed": seed, "value": third}, {"seed": seed, "value": -third}]
'''


def _measured(tmp_path, run) -> set[int]:
    """The lines of the seeded module that ``run(module)`` executed under a coverage."""
    path = tmp_path / "seeded.py"
    path.write_text(SEEDED)
    spec = importlib.util.spec_from_file_location("seeded", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cov = coverage.Coverage(data_file=None, config_file=False, include=[str(path)])
    cov.start()
    try:
        run(module)
        assert coverage.Coverage.current() is cov  # measuring again after every pause
    finally:
        cov.stop()
    return set(cov.get_data().lines(str(path)) or ())


def _line(text: str) -> int:
    return next(n for n, line in enumerate(SEEDED.splitlines(), 1) if text in line)


def test_rows_over_seeds_every_seeds_rows_in_order_with_the_arguments(tmp_path):
    found = []
    lines = _measured(tmp_path, lambda m: found.extend(rows_over_seeds(m.rows, [1, 2, 3], 10)))
    assert found == [{"seed": 1, "value": 10}, {"seed": 2, "value": 20},
                     {"seed": 3, "value": 30}, {"seed": 3, "value": -30}]
    # the first seed's lines are measured, the later seeds' are not
    assert _line("first = seed") in lines
    assert _line("second = seed") not in lines and _line("third = seed") not in lines


def test_coverage_measures_again_after_a_paused_block_and_after_one_that_raised(tmp_path):
    def run(module):
        with pytest.raises(ZeroDivisionError), coverage_paused():
            module.rows(2, 1) and 1 / 0
        module.rows(3, 1)  # measured: the coverage was started again

    lines = _measured(tmp_path, run)
    assert _line("third = seed") in lines
    assert _line("second = seed") not in lines


def test_coverage_paused_without_a_coverage_runs_the_block(monkeypatch):
    monkeypatch.setattr(coverage.Coverage, "current", classmethod(lambda cls: None))
    ran = []
    with coverage_paused():
        ran.append(1)
    assert ran == [1]
    assert rows_over_seeds(lambda seed: [seed], range(3)) == [0, 1, 2]
