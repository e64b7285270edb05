"""Warm kernels: run many notebooks one after another in one persistent Jupyter kernel.

A fresh kernel per notebook pays, before any statistics, for starting papermill and the
kernel, importing lifetools (scipy, statsmodels, matplotlib) and loading the data: most
of a short report's time (issue 16). A :class:`WarmKernel` is started once per worker,
imports lifetools once, and executes each notebook with papermill's own machinery
(parameter injection, error banners, metadata) through a registered papermill engine that
reuses the kernel. Before each notebook the kernel is put back in the state a fresh
kernel has after ``import lifetools``: ``%reset -f`` as a new session (empty namespace
and output history, execution count 1), figures closed, matplotlib settings, warning
filters and numpy's error state as they were after the import, the disclosure profile
back to the environment's, the kernel's environment at start plus the run's own
variables, the working folder, and no embedded engine kept for an earlier notebook's
dataset (:func:`lifetools.engines.engine.release_engines`: its connection and the
typed-cache files it mapped). Data are loaded once per kernel by
:func:`lifetools.loading.load_dataset`'s cache (enabled in warm kernels only), which
hands each notebook its own frames sharing the kept tables' read-only values (a notebook
that writes into its data fails loudly; adding or replacing columns is its own), with person ids as compact integer codes and without
the columns no analysis reads (:mod:`lifetools.compact_ids`; isolated kernels keep the strings and every column, so the integrity test's
byte comparison of the two modes also checks that compact ids change no published byte).

A kernel that failed a notebook is shut down: the next notebook gets a fresh one.
The published bytes are the same as with a fresh kernel per notebook: the two clean
builds of ``tests/functional/test_integrity.py`` (one in warm kernels, one in isolated
kernels) must give byte-identical public trees, every notebook and output file
included; ``tests/unit/test_kernels.py`` checks that a
notebook that changes the kernel's state leaves none of it to the next.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lifetools.compact_ids import ENV_COMPACT_IDS, ENV_SKIP_UNUSED
from lifetools.loading import ENV_DATASET_CACHE

__all__ = ["ENV_KERNELS", "START_TIMEOUT", "WARM_LOADS", "WarmKernel", "kernel_mode"]

logger = logging.getLogger(__name__)

ENV_KERNELS = "LIFETOOLS_KERNELS"
"""``warm`` (default: one persistent kernel per worker) or ``isolated`` (a fresh kernel
in a papermill child process per notebook)."""
ENGINE = "lifetools-warm"
WARM_LOADS = {"compact_ids": True, "skip_unused": True}
"""How a warm kernel's ``load_dataset()`` reads a folder (its environment says so): the
build writes the typed cache with these settings once validation passes
(:func:`lifetools.loading.write_typed_cache`), so the kernels' loads find every entry."""
START_TIMEOUT = 300
"""Seconds a kernel may take to start and answer (warm or isolated). papermill's default
of 60 s was exceeded once on a busy 2-core CI machine ("Kernel didn't respond in 60
seconds" before any cell ran); a kernel that truly hangs still fails, five minutes on."""

TCP_WARNING = "Kernel is running over TCP without encryption"
"""The start of the warning ipykernel (7.2 and later) logs on every kernel over TCP (its
``IPKernelApp`` logger, on the kernel's stderr: the build's console, once per warm
kernel). The kernels are local (the loopback interface, ports known only to the runner
and its connection file, signed messages), so it says nothing to act on; the kernel
command drops that one message (:data:`KERNEL_LAUNCH`), every other log line and every
warning of the kernel stays."""

# ``python -m ipykernel_launcher`` with one log filter first: the launcher's own body
# (the working folder out of sys.path while ipykernel loads; IPython puts it back)
KERNEL_LAUNCH = f"""
import logging, sys
from pathlib import Path
logging.getLogger("IPKernelApp").addFilter(
    lambda record: not str(record.msg).startswith({TCP_WARNING!r}))
if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
    del sys.path[0]
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def kernel_command(argv: list[str]) -> list[str]:
    """A kernel's command with ipykernel's TCP warning filtered (:data:`TCP_WARNING`).

    ``python -m ipykernel_launcher ...`` (the ``python3`` kernelspec) becomes ``python
    -c KERNEL_LAUNCH ...`` with the same arguments; any other command is unchanged.
    """
    for at in range(len(argv) - 1):
        if argv[at:at + 2] == ["-m", "ipykernel_launcher"]:
            return [*argv[:at], "-c", KERNEL_LAUNCH, *argv[at + 2:]]
    return list(argv)


def _kernel_manager() -> Any:
    """An ``AsyncKernelManager`` of the ``python3`` kernel started by :func:`kernel_command`."""
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None
                              ) -> list[str]:
            return kernel_command(super().format_kernel_cmd(extra_arguments))

    return Manager(kernel_name="python3")


# The body of a module made once in each new kernel: it imports lifetools as a notebook
# would, then keeps what a fresh kernel has at that point, so that ``reset`` can restore
# it before every notebook (a module, not the user namespace, which ``%reset`` clears).
STATE_MODULE = """
import gc, os, sys, warnings
import numpy, matplotlib, matplotlib.pyplot
import lifetools
from IPython import get_ipython

rc = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
filters = list(warnings.filters)
np_err = numpy.geterr()
environ = dict(os.environ)

def reset(env, cwd):
    matplotlib.pyplot.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(rc)
    warnings.filters[:] = filters
    warnings._filters_mutated()
    numpy.seterr(**np_err)
    lifetools.disclosure.set_active_profile(None)
    os.environ.clear()
    os.environ.update(environ)
    os.environ.update(env)
    os.chdir(cwd)
    lifetools.engines.engine.release_engines()
    gc.collect()
"""

PRELUDE = f"""
import sys as _sys, types as _types
_state = _types.ModuleType("_lifetools_warm")
exec(compile({STATE_MODULE!r}, "<lifetools-warm>", "exec"), _state.__dict__)
_sys.modules["_lifetools_warm"] = _state
del _sys, _types, _state
"""

# ``%reset -f`` as a new session: an empty namespace and output history, execution count
# 1 and a new history session (the same line numbers in one session are refused)
RESET = """
get_ipython().reset(new_session=True)
__import__("sys").modules["_lifetools_warm"].reset({env}, {cwd})
"""


def kernel_mode() -> str:
    """Return how notebooks are executed: ``warm`` or ``isolated`` (``LIFETOOLS_KERNELS``)."""
    mode = os.environ.get(ENV_KERNELS, "warm").strip().lower() or "warm"
    if mode not in ("warm", "isolated"):
        raise ValueError(f"{ENV_KERNELS} must be 'warm' or 'isolated', not {mode!r}")
    return mode


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmEngine(NBClientEngine):
        """papermill's nbclient engine on an already running kernel and client."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None,
                                     start_timeout=START_TIMEOUT,
                                     execution_timeout=None, **kwargs):
            kernel: WarmKernel = kwargs["warm_kernel"]
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, timeout=execution_timeout,
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            client.kc = kernel.kc  # nbclient keeps a client it did not create
            return client.execute()

    papermill_engines.register(ENGINE, WarmEngine)


class WarmKernel:
    """One persistent ``python3`` kernel that executes notebooks one after another.

    Parameters
    ----------
    env
        The kernel's environment at start (the runner's fixed variables; each notebook's
        own are set by :meth:`execute`).
    register
        Called with the kernel's process once it is started (the runner kills its
        process group on Ctrl-C, as for any child).

    Notes
    -----
    Use from one thread only (its client's event loop belongs to that thread). Tested in
    ``tests/unit/test_runner.py`` (state does not leak from one notebook to the next; a
    failure restarts the kernel) and by the build's warm-against-isolated byte test.
    """

    def __init__(self, env: Mapping[str, str],
                 register: Callable[[Any], None] | None = None) -> None:
        from jupyter_core.utils import run_sync

        self._sync = run_sync
        self.env = {**env, ENV_DATASET_CACHE: "1",
                    ENV_COMPACT_IDS: "1" if WARM_LOADS["compact_ids"] else "0",
                    ENV_SKIP_UNUSED: "1" if WARM_LOADS["skip_unused"] else "0"}
        self.km = _kernel_manager()
        run_sync(self.km.start_kernel)(env=self.env)
        process = getattr(self.km.provisioner, "process", None)
        if register is not None and process is not None:
            register(process)
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
        self.kc.allow_stdin = False
        self.notebooks = 0
        self._run(PRELUDE, timeout=START_TIMEOUT)

    def _run(self, code: str, *, timeout: float) -> None:
        """Execute setup code silently; raise RuntimeError if it fails."""

        async def go() -> dict:
            msg_id = self.kc.execute(code, silent=True, store_history=False,
                                     allow_stdin=False, stop_on_error=False)
            deadline = time.monotonic() + timeout
            reply = None
            while reply is None:
                msg = await self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(),
                                                              0.1))
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
            while True:  # drain this request's iopub messages up to 'idle'
                msg = await self.kc.get_iopub_msg(timeout=max(deadline - time.monotonic(),
                                                              0.1))
                if (msg["parent_header"].get("msg_id") == msg_id
                        and msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"):
                    return reply

        reply = self._sync(go)()
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise RuntimeError(f"warm kernel set-up failed: {content.get('ename')}: "
                               f"{content.get('evalue')}")

    def execute(self, source: Path, output: Path, *, parameters_file: Path,
                env: Mapping[str, str], cwd: Path, timeout: float) -> None:
        """Execute ``source`` into ``output`` with papermill on this kernel.

        Raises whatever papermill raises (``PapermillExecutionError`` when a cell
        failed: the output notebook is written with the error in place).
        """
        import papermill
        from papermill.iorw import read_yaml_file

        if ENGINE not in _engines():
            _register_engine()
        logging.getLogger("papermill").setLevel(logging.ERROR)  # as --log-level ERROR
        self._run(RESET.format(env=json.dumps(dict(env)), cwd=json.dumps(str(cwd))),
                  timeout=START_TIMEOUT)
        self.notebooks += 1
        papermill.execute_notebook(
            str(source), str(output), parameters=read_yaml_file(str(parameters_file)),
            engine_name=ENGINE, kernel_name="python3", progress_bar=False,
            request_save_on_cell_execute=False, execution_timeout=timeout,
            start_timeout=START_TIMEOUT,
            warm_kernel=self)

    def alive(self) -> bool:
        """Tell whether the kernel process is still running."""
        return bool(self._sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the client and the kernel (immediately); never raises."""
        try:
            self.kc.stop_channels()
        except Exception:  # noqa: BLE001 - shutting down whatever state it is in
            logger.debug("warm kernel: stopping channels failed", exc_info=True)
        try:
            self._sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001
            logger.debug("warm kernel: shutdown failed", exc_info=True)


def _engines() -> Mapping[str, Any]:
    from papermill.engines import papermill_engines

    return papermill_engines._engines
