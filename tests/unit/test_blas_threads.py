"""One BLAS thread per test process unless the user chose a number (tests/blas_threads.py)."""

from __future__ import annotations

import os

import pytest
from blas_threads import (
    BLAS_THREAD_VARIABLES,
    default_one_blas_thread,
    openblas_threads,
)


def test_blas_threads_this_test_process_runs_the_number_the_environment_sets():
    """The xdist worker (or the lone pytest process) running this test: numpy's and
    scipy's OpenBLAS each run the number of threads the environment names, one unless
    the user set it. Fails if tests/conftest.py stops setting it (no variable here) or
    sets it after numpy has loaded (OpenBLAS then runs one thread per core: 2 on CI)."""
    chosen = next((os.environ[name] for name in BLAS_THREAD_VARIABLES
                   if name in os.environ), None)
    assert chosen is not None, "no BLAS thread variable reached this test process"
    counts = openblas_threads()
    if len(counts) != 2:  # numpy's and scipy's own OpenBLAS (the locked wheels')
        pytest.skip(f"not the wheels' two OpenBLAS libraries: {sorted(counts)}")
    cores = len(os.sched_getaffinity(0))
    if chosen == "1":
        assert set(counts.values()) == {1}, counts
    elif chosen.isdigit() and int(chosen) > 0:  # the user's own number, at most a core each
        assert set(counts.values()) == {min(int(chosen), cores)}, counts
    else:  # "" or "0" or "4,2": OpenBLAS takes it as unset, a thread per core
        assert set(counts.values()) <= {cores, 1}, counts


def test_one_blas_thread_no_variable_set_sets_one_openblas_thread():
    environ = {"PATH": "/usr/bin"}
    assert default_one_blas_thread(environ) is True
    assert environ == {"PATH": "/usr/bin", "OPENBLAS_NUM_THREADS": "1"}


@pytest.mark.parametrize("name", BLAS_THREAD_VARIABLES)
@pytest.mark.parametrize("value", ["4", ""])
def test_one_blas_thread_user_set_variable_left_as_the_user_set_it(name, value):
    environ = {name: value}
    assert default_one_blas_thread(environ) is False
    assert environ == {name: value}


ENVIRONMENTS = [{}, {"PATH": "/usr/bin"}, {"OPENBLAS_NUM_THREADS": "4"},
                {"GOTO_NUM_THREADS": ""}, {"OMP_NUM_THREADS": "2"}]


@pytest.mark.parametrize("environ", ENVIRONMENTS)
def test_one_blas_thread_runner_sets_one_whatever_the_shell_tests_keep_a_choice(environ):
    """The build's kernels (lifetools.pipeline.processes) get one OpenBLAS thread in every
    environment, the variables OpenBLAS reads after it left as they were; the tests'
    rule (tests/blas_threads.py, which may not import lifetools) reads the same
    variables and agrees wherever the user chose none."""
    from lifetools.pipeline.processes import BLAS_THREAD_VARIABLES as RUNNER_VARIABLES
    from lifetools.pipeline.processes import one_blas_thread as runner_one_blas_thread

    assert RUNNER_VARIABLES == BLAS_THREAD_VARIABLES
    ours, runners = dict(environ), dict(environ)
    default_one_blas_thread(ours)
    assert runner_one_blas_thread(runners) == {**environ, "OPENBLAS_NUM_THREADS": "1"}
    if not any(name in environ for name in BLAS_THREAD_VARIABLES):
        assert ours == runners


@pytest.mark.parametrize(("shell", "expected"), [
    ({}, {"OPENBLAS_NUM_THREADS": "1"}),
    ({"OPENBLAS_NUM_THREADS": "2"}, {"OPENBLAS_NUM_THREADS": "1"}),
    ({"OMP_NUM_THREADS": "3"}, {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "3"}),
])
def test_runner_kernel_environment_one_blas_thread_whatever_the_shell_says(
        tmp_path, monkeypatch, shell, expected):
    """Every kernel of a build (warm or isolated) starts from ``_environment``: one BLAS
    thread each, as ``-j N`` runs N kernels on N cores, and a build's numbers do not
    follow the shell's thread count."""
    from lifetools.pipeline.runner import RunSpec, _environment

    for name in BLAS_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in shell.items():
        monkeypatch.setenv(name, value)
    spec = RunSpec(edition="2024-25", analysis="a", source=tmp_path / "a.ipynb",
                   parameters={}, run_dir=tmp_path / "run", data_dir=tmp_path,
                   data_fingerprint="x")
    env = _environment(spec, tmp_path / "files", "k")
    assert {name: env[name] for name in BLAS_THREAD_VARIABLES if name in env} == expected
