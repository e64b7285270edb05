"""One BLAS thread per test process, unless the user chose a number (issues 11 and 16).

numpy and scipy each bring their own OpenBLAS (pthreads builds, no OpenMP: numpy's
``libscipy_openblas64_``, scipy's ``libscipy_openblas``), which by default starts one
thread per core when it loads. Two xdist workers on the 2-core CI machine then ran up
to four BLAS threads that fought for two cores: ``tests/truth/test_did_many_seeds.py``
alone took 103.7 CPU s by default against 66.5 with one thread (72.8 against 66.2 s of
wall; idle machine, wave 51). OpenBLAS reads its thread count from the environment once,
when the library loads, so the variable must be set before numpy is imported in the
process: ``tests/conftest.py`` calls :func:`default_one_blas_thread` on ``os.environ`` when pytest
imports it, before any other conftest (one of which imports lifetools) and before the
xdist workers are started, which inherit it; the notebook kernels and the ``lifetools``
children a test starts inherit it too. The build's kernels get one thread from the runner
whatever the shell says (``lifetools.pipeline.processes.one_blas_thread``: the numbers'
last bits depend on it); the two rules read the same variables and agree where the user
set none (``tests/unit/test_blas_threads.py``). Nothing else in the stack is BLAS: statsmodels and lifelines compute through
numpy and scipy; pyarrow's and DuckDB's thread pools are their own and left as they are
(``OMP_NUM_THREADS``, which pyarrow also reads, is never set here).
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import MutableMapping
from pathlib import Path

#: What OpenBLAS reads for its thread count, first found first: a user who set any of
#: them chose the number, and it is kept.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")
#: Set, to "1", when none of them is.
BLAS_THREADS = "OPENBLAS_NUM_THREADS"

#: The thread-count functions of the OpenBLAS builds numpy and scipy bundle (the
#: scipy-openblas wheels prefix and suffix their symbols) and of a plain OpenBLAS.
_GET_NUM_THREADS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                    "openblas_get_num_threads64_", "openblas_get_num_threads")


def default_one_blas_thread(environ: MutableMapping[str, str]) -> bool:
    """Set ``OPENBLAS_NUM_THREADS=1`` in ``environ`` unless a BLAS thread variable is
    set (:data:`BLAS_THREAD_VARIABLES`, even to an empty or odd value: the user's
    choice); return whether it was set."""
    if any(name in environ for name in BLAS_THREAD_VARIABLES):
        return False
    environ[BLAS_THREADS] = "1"
    return True


def openblas_threads() -> dict[str, int]:
    """The thread count each OpenBLAS loaded in this process reports, by library file
    name, after importing numpy and ``scipy.linalg`` (which load theirs)."""
    import numpy  # noqa: F401 - loads numpy's OpenBLAS
    import scipy.linalg  # noqa: F401 - loads scipy's

    paths = {line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()
             if "openblas" in line.rsplit("/", 1)[-1].lower()}
    counts = {}
    for path in sorted(paths):
        library = ctypes.CDLL(path)  # already loaded: the same handle, no second copy
        for symbol in _GET_NUM_THREADS:
            function = getattr(library, symbol, None)
            if function is not None:
                function.restype = ctypes.c_int
                counts[os.path.basename(path)] = function()
                break
    return counts
