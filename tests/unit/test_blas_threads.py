"""One BLAS thread per test process unless the user chose a number (tests/blas_threads.py)."""

from __future__ import annotations

import os

import pytest
from blas_threads import BLAS_THREAD_VARIABLES, one_blas_thread, openblas_threads


def test_blas_threads_this_test_process_runs_the_number_the_environment_sets():
    """The xdist worker (or the lone pytest process) running this test: numpy's and
    scipy's OpenBLAS each run the number of threads the environment names, one unless
    the user set it. Fails if tests/conftest.py stops setting it (no variable here) or
    sets it after numpy has loaded (OpenBLAS then runs one thread per core: 2 on CI)."""
    chosen = next((os.environ[name] for name in BLAS_THREAD_VARIABLES
                   if name in os.environ), None)
    assert chosen is not None, "no BLAS thread variable reached this test process"
    counts = openblas_threads()
    assert len(counts) == 2, counts  # numpy's and scipy's own OpenBLAS
    if chosen == "1":
        assert set(counts.values()) == {1}, counts
    else:  # the user's own number; OpenBLAS runs at most one thread per core
        expected = min(int(chosen), os.cpu_count() or 1)
        assert set(counts.values()) == {expected}, counts


def test_one_blas_thread_no_variable_set_sets_one_openblas_thread():
    environ = {"PATH": "/usr/bin"}
    assert one_blas_thread(environ) is True
    assert environ == {"PATH": "/usr/bin", "OPENBLAS_NUM_THREADS": "1"}


@pytest.mark.parametrize("name", BLAS_THREAD_VARIABLES)
@pytest.mark.parametrize("value", ["4", ""])
def test_one_blas_thread_user_set_variable_left_as_the_user_set_it(name, value):
    environ = {name: value}
    assert one_blas_thread(environ) is False
    assert environ == {name: value}
