"""The rows of a many-seeds truth test, with coverage measured on its first seed only.

A many-seeds truth test (``tests/truth/test_*_many_seeds.py``) runs the same lifetools
code on 20 or 40 generated datasets. Under ``make test`` (``--cov``) coverage traced
every line of every seed: the DiD seeds took 2.35 s of CPU each traced against 1.91 s
untraced, the survival seeds 3.80 against 2.43 (one seed each, measured side by side,
wave 47). The first seed is traced, so the coverage table still counts the code these
tests run; the other seeds run with coverage paused. The estimates are the same either
way: only the measuring stops. Without coverage (``make check``, ``-p no:cov``) nothing
is paused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator


@contextlib.contextmanager
def coverage_paused() -> Iterator[None]:
    """Pause the coverage measuring this process (pytest-cov's), if any, for the block;
    it measures again after the block, however the block ends."""
    try:
        import coverage
    except ImportError:  # pragma: no cover - coverage is in requirements.lock
        yield
        return
    current = coverage.Coverage.current()
    if current is None:
        yield
        return
    current.stop()
    try:
        yield
    finally:
        current.start()


def rows_over_seeds(rows_for_seed: Callable[..., list[dict]], seeds: Iterable[int],
                    *args) -> list[dict]:
    """``rows_for_seed(seed, *args)`` for each seed in order, concatenated; coverage
    measures the first seed only (:func:`coverage_paused`)."""
    rows: list[dict] = []
    for number, seed in enumerate(seeds):
        if number == 0:
            rows.extend(rows_for_seed(seed, *args))
        else:
            with coverage_paused():
                rows.extend(rows_for_seed(seed, *args))
    return rows
