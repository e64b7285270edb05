"""Child processes of the pipeline: each in its own process group, killed together.

Moved from :mod:`lifetools.pipeline.runner` (which re-exports :func:`run_child` and
:func:`kill_children`). Tested by ``tests/unit/test_processes.py``.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["BLAS_THREAD_VARIABLES", "children_die_with_us", "forget_child",
           "kill_children", "one_blas_thread", "register_child", "run_child"]

logger = logging.getLogger(__name__)

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")
"""What OpenBLAS (numpy's and scipy's, pthreads builds) reads for its thread count when
it loads, the first one set first."""


def one_blas_thread(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` with ``OPENBLAS_NUM_THREADS=1``, whatever the shell set.

    The runner's notebook kernels get it (``runner._environment``): ``-j N`` runs N
    kernels side by side, and each OpenBLAS otherwise starts one thread per core, N x N
    threads on N cores. One thread per kernel, always, also keeps the numbers from
    following the machine: at 150,000 people the emergency-care report's returned
    floats differ in their last bits between 1 and 2 threads (`benchmarks/README.md`,
    wave 51), so a shell's thread count is not taken, as the series' disclosure profile
    is not. OpenBLAS reads ``OPENBLAS_NUM_THREADS`` before ``GOTO_NUM_THREADS`` and
    ``OMP_NUM_THREADS`` (:data:`BLAS_THREAD_VARIABLES`), so those are left as they are:
    ``OMP_NUM_THREADS`` also sizes pyarrow's pool. The tests set one thread for their own
    processes unless the user chose (``tests/blas_threads.py``; checked beside this by
    ``tests/unit/test_blas_threads.py``).
    """
    environ["OPENBLAS_NUM_THREADS"] = "1"
    return environ


def register_child(process: subprocess.Popen) -> None:
    """Count ``process`` (a warm kernel) among the children :func:`kill_children` kills."""
    with _CHILDREN_LOCK:
        _CHILDREN.add(process)


_CHILDREN: set[subprocess.Popen] = set()
_CHILDREN_LOCK = threading.Lock()


def run_child(
    command: Sequence[str], *, env: Mapping[str, str] | None = None,
    timeout: float | None = None, cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """Run a child (papermill, jupyter-book) in its own process group; capture output.

    The child and everything it starts (a kernel, sphinx workers) form one process
    group, so Ctrl-C in the terminal does not reach them half-way through a write, and
    the whole group is killed when this call is interrupted, times out or the parent
    unwinds for any reason (:func:`kill_children` kills every live group at once).

    Notes
    -----
    Tested by ``tests/unit/test_processes.py`` (a grandchild that would
    outlive its parent is gone after an interrupt).
    """
    logger.debug("running %s", " ".join(map(str, command)))
    # started and registered under one lock: kill_children (which takes it) can never
    # run between the start and the registration and miss a live child
    with _CHILDREN_LOCK:
        child = subprocess.Popen(
            list(map(str, command)), env=dict(env) if env is not None else None, cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        _CHILDREN.add(child)
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        stdout, stderr = child.communicate()
        stderr += f"\ntimed out after {timeout:.0f} s"
        logger.warning("%s timed out after %.0f s", command[0], timeout)
    except BaseException:
        _kill_group(child)
        child.communicate()
        raise
    finally:
        with _CHILDREN_LOCK:
            _CHILDREN.discard(child)
    _kill_group(child)  # whatever the child left behind in its group
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)


def _kill_group(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_children() -> int:
    """Kill the process group of every child still running; return how many."""
    with _CHILDREN_LOCK:
        children = list(_CHILDREN)
    for child in children:
        _kill_group(child)
    if children:
        logger.info("killed %d child process group(s)", len(children))
    return len(children)


class children_die_with_us:  # noqa: N801 - used as a context manager
    """On any exception (Ctrl-C included) kill every child group before unwinding."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, _value, _traceback) -> None:
        if kind is not None:
            kill_children()


def forget_child(process: subprocess.Popen | None) -> None:
    """Stop counting ``process`` (a kernel shut down) among the live children."""
    with _CHILDREN_LOCK:
        _CHILDREN.discard(process)
