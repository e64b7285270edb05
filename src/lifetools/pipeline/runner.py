"""Execute report notebooks with papermill: incremental, parallel, failure-safe.

Each run executes one analysis notebook for one edition with papermill, into a private
folder that replaces the previous run only when the new one succeeded. By default each
worker runs its notebooks one after another in one warm kernel, reset between notebooks
(:mod:`lifetools.pipeline.kernels`); ``LIFETOOLS_KERNELS=isolated`` gives every notebook
a fresh kernel in a papermill child process. Both publish the same bytes. A run is skipped, and its last good output reused, when its cache key is
unchanged: the key hashes the notebook's code cells, the resolved parameters, the input data's
fingerprint, the disclosure control profile (and the ACRO cross-check), the lifetools
modules the notebook uses, the lock file and the installed stack
(:mod:`lifetools.pipeline.dependencies`); ``run.json`` records them and why the run was
rerun. A reusable run whose markdown changed is re-rendered, not re-executed: the new
markdown is merged into its executed notebook (:mod:`lifetools.pipeline.reuse`).
A replaced run is kept by its key and swapped back in when its inputs return
(:mod:`lifetools.pipeline.run_cache`).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nbformat
import yaml
from papermill import inspect_notebook

from lifetools import config
from lifetools.disclosure import ENV_ACRO
from lifetools.disclosure import ENV_VAR as SDC_PROFILE_ENV
from lifetools.errors import AnalysisRunError, ParameterError
from lifetools.loading import ENV_READS_LOG
from lifetools.pipeline import dependencies, layout, provenance, run_cache
from lifetools.pipeline.gate import new_key, verify_and_settle
from lifetools.pipeline.kernels import START_TIMEOUT, WarmKernel, kernel_mode
from lifetools.pipeline.layout import FILES_DIR, NOTEBOOK_NAME, RUN_RECORD
from lifetools.pipeline.processes import (
    children_die_with_us,
    forget_child,
    kill_children,
    one_blas_thread,
    register_child,
    run_child,
)
from lifetools.pipeline.reuse import reuse
from lifetools.pipeline.schedule import (
    CPU_FIELD,
    longest_first,
    process_cpu_seconds,
    recorded_cost,
)
from lifetools.publication import SEAL_ENV
from lifetools.reads import parse_log
from lifetools.typed_cache import ENV_TYPED_CACHE

__all__ = [
    "RunOutcome",
    "RunSpec",
    "check_notebook_parameters",
    "execute_runs",
    "kernels_typed_cache",
    "kill_children",
    "raise_for_failures",
    "run_child",
]

logger = logging.getLogger(__name__)

RUN_TIMEOUT_SECONDS = 3600
HIDDEN_TAGS = {"parameters", "injected-parameters"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to execute one analysis for one edition."""

    edition: str
    analysis: str
    source: Path
    parameters: Mapping[str, Any]
    run_dir: Path
    data_dir: Path | str
    data_fingerprint: str
    sdc_profile: str = "default"
    """The disclosure control profile (``disclosure: profile:`` of the series file)."""
    acro: bool = False
    """Whether every protected table is cross-checked with ACRO (``disclosure: acro:``)."""
    parameter_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The phrases naming each parameter in prose (``words:`` in ``analyses.yml``),
    recorded in the executed notebook for the publish gate to read it again by."""
    data_tables: Mapping[str, str] | None = None
    """Table name to the SHA-256 of its file: the key then covers only the tables a run
    read (:func:`lifetools.pipeline.dependencies.inputs_key`); None: every table counts."""
    data_dictionary: str | None = None
    """The data dictionary's digest (with ``data_tables``)."""
    data_columns: Mapping[str, Any] | None = None
    """Per table: rows, column names and column fingerprints: the key then covers only
    the columns a run read (:func:`lifetools.fingerprint.table_columns`)."""

    @property
    def label(self) -> str:
        """``edition/analysis``, as shown in progress and error messages."""
        return f"{self.edition}/{self.analysis}"

    def inputs(self) -> dict[str, Any]:
        """What this run depends on (:func:`lifetools.pipeline.dependencies.run_inputs`)."""
        return {**dependencies.run_inputs(
            notebook=self.source, parameters=self.parameters,
            data_fingerprint=self.data_fingerprint, lock=provenance.lock_hash(),
            packages=dependencies.installed_versions(), tables=self.data_tables,
            dictionary=self.data_dictionary, columns=self.data_columns),
            # the disclosure control profile (and ACRO) decide what a run may show
            "sdc_profile": self.sdc_profile, **({"acro": True} if self.acro else {}),
            **({dependencies.PARAMETER_WORDS: self.words()} if self.parameter_words
               else {})}

    def words(self) -> dict[str, list[str]]:
        """The parameters' words as recorded (JSON): sorted by parameter name."""
        return {k: list(v) for k, v in sorted(self.parameter_words.items())}

    def key(self) -> str:
        """Return the cache key of this run before it ran: a digest of :meth:`inputs`
        with every table (the key of a run that ran covers the tables it read)."""
        return dependencies.inputs_key(self.inputs())


@dataclass(frozen=True)
class RunOutcome:
    """What happened to one run: ran, reused, or failed."""

    spec: RunSpec
    status: Literal["ran", "reused", "rerendered", "failed"]
    seconds: float
    error: str | None = None
    failed_notebook: Path | None = None
    record: Mapping[str, Any] = field(default_factory=dict)


def _environment(spec: RunSpec, files_dir: Path, seal_key: str,
                 reads_log: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            config.ENV_DATA_DIR: str(spec.data_dir),
            config.ENV_OUTPUT_DIR: str(files_dir),
            config.ENV_EDITION: spec.edition,
            # the series' profile, whatever the shell says: a build is protected with
            # the profile analyses.yml names and its manifest records
            SDC_PROFILE_ENV: spec.sdc_profile,
            ENV_ACRO: "1" if spec.acro else "0",
            config.ENV_ANALYSIS: spec.analysis,
            config.ENV_PROJECT_ROOT: str(config.project_root()),
            # the display functions check a table's cells at source by the run's
            # parameters and their words, as the gate checks the page
            config.ENV_RUN_PARAMETERS: json.dumps(
                {"values": dict(spec.parameters), "words": spec.words()},
                sort_keys=True, default=str),
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            SEAL_ENV: seal_key,
        }
    )
    if reads_log is not None:
        env[ENV_READS_LOG] = str(reads_log)
    env.setdefault(ENV_TYPED_CACHE, str(layout.typed_cache()))  # kernels_typed_cache()
    return one_blas_thread(env)  # one BLAS thread per kernel, whatever the shell says


def kernels_typed_cache() -> Path | None:
    """The typed cache folder the notebooks' kernels are given: ``LIFETOOLS_TYPED_CACHE``
    when set (empty: none), else ``build/typed`` (:func:`layout.typed_cache`)."""
    raw = os.environ.get(ENV_TYPED_CACHE, str(layout.typed_cache()))
    return Path(raw) if raw else None


PAPERMILL_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


def _failed_cell(notebook_path: Path) -> tuple[int | None, str]:
    """Find the cell that raised in a papermill output notebook.

    Returns the cell's 1-based position in the *source* notebook (papermill's injected
    parameters and error banners do not count) with its first line, and the error.
    """
    try:
        nb = nbformat.read(notebook_path, as_version=4)
    except Exception:  # noqa: BLE001 - a notebook that cannot be read names no cell
        return None, ""
    position = 0
    for cell in nb.cells:
        if PAPERMILL_TAGS & set(cell.metadata.get("tags", [])):
            continue
        position += 1
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first = (cell.source.strip().splitlines() or [""])[0][:60]
                ename, evalue = output.get("ename"), output.get("evalue")
                return position, f"`{first}`: {ename}: {evalue}{_error_hint(ename, evalue)}"
    return None, ""


SHARED_TABLE_HINT = (" (the loaded tables are shared, read-only, by the notebooks of a "
                     "warm kernel: copy a table before writing into it, e.g. "
                     "`people = data.people.copy()`)")
"""What a failed run adds to a write into the warm kernels' shared tables
(:func:`lifetools.load_dataset`): numpy's "assignment destination is read-only", or
the ``AssertionError`` pandas raises for a date column."""


def _error_hint(ename: object, evalue: object) -> str:
    """:data:`SHARED_TABLE_HINT` for an error of writing into a read-only table, else ""."""
    text = str(evalue)
    if (ename == "ValueError" and "read-only" in text) or (
            ename == "AssertionError" and "Something has gone wrong" in text):
        return SHARED_TABLE_HINT
    return ""


def _tidy_notebook(path: Path, spec: RunSpec, key: str, seal_key: str) -> list[str]:
    """Hide code for readers; strip volatile metadata (times, paths, random cell ids).

    Every stamp's seal is checked with this run's secret and replaced by a digest that
    is the same on every rerun (:func:`lifetools.pipeline.gate.verify_and_settle`);
    stamps that fail are marked forged for the publish gate to refuse. Returns the
    stderr streams taken out of the notebook (:func:`_move_stderr`).
    """
    nb = nbformat.read(path, as_version=4)
    verify_and_settle(nb, seal_key)
    stderr = _move_stderr(nb)
    for number, cell in enumerate(nb.cells, start=1):
        if "id" in cell:  # nbformat 4.5 gives new cells random ids: number them instead
            cell.id = f"cell-{number}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        tags = list(cell.metadata.get("tags", []))
        hide = "remove-cell" if HIDDEN_TAGS & set(tags) else "remove-input"
        if hide not in tags:
            tags.append(hide)
        cell.metadata["tags"] = tags
    papermill_meta = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {
        "parameters": papermill_meta.get("parameters", {}),
        "version": papermill_meta.get("version"),
    }
    nb.metadata["lifetools"] = {
        "edition": spec.edition,
        "analysis": spec.analysis,
        "notebook": spec.source.name,
        "parameters": dict(spec.parameters),
        "sdc_profile": spec.sdc_profile,
        "acro": spec.acro,
        "key": key,
        # the gate reads a published notebook's parameters in prose by these words
        **({dependencies.PARAMETER_WORDS: spec.words()} if spec.parameter_words
           else {}),
    }
    nbformat.write(nb, path)
    return stderr


def _move_stderr(nb: Any) -> list[str]:
    """Take every stderr stream out of the notebook; return them for the run's log.

    Captured warnings carry absolute paths of the machine (and sometimes numbers) that
    must not be published; the book never showed them. They go to a log outside the
    published folders (:func:`stderr_log`), headed by the cell number as the author
    sees it. Anything else printed stays, for the publish gate to check.
    """
    moved, position = [], 0
    for cell in nb.cells:
        if not PAPERMILL_TAGS & set(cell.metadata.get("tags", [])):
            position += 1
        if "outputs" not in cell:
            continue
        err = [o.get("output_type") == "stream" and o.get("name") == "stderr"
               for o in cell.outputs]
        moved += [f"--- cell {position}\n{o.get('text', '')}"
                  for o, e in zip(cell.outputs, err, strict=True) if e]
        cell.outputs = [o for o, e in zip(cell.outputs, err, strict=True) if not e]
    return moved


def stderr_log(spec: RunSpec) -> Path:
    """Where a run's captured stderr (warnings) is kept: the build logs, never published."""
    return layout.logs_dir() / "stderr" / spec.edition / f"{spec.analysis}.txt"


def papermill_command(source: Path, output: Path, params_file: Path,
                      work: Path) -> list[str]:
    """The command that runs one notebook in an isolated kernel (a papermill child).

    The kernel may take :data:`~lifetools.pipeline.kernels.START_TIMEOUT` seconds to
    start, as a warm kernel may: papermill's own 60 s was once too short on a busy
    2-core machine.
    """
    return [
        sys.executable, "-m", "papermill", str(source), str(output),
        "-f", str(params_file), "-k", "python3", "--cwd", str(work),
        "--no-progress-bar", "--log-level", "ERROR",
        "--start-timeout", str(START_TIMEOUT),
    ]


def _execute(spec: RunSpec, key: str, kernel: _Kernels | None = None) -> RunOutcome:
    """Run one spec into a private folder (papermill child, or a warm kernel); swap it in.

    With ``kernel`` (a worker's warm kernels) the notebook runs in that worker's
    persistent kernel; otherwise papermill runs it in a child process with a fresh
    kernel. A warm kernel that failed a notebook is replaced before the next one.
    ``key`` is the key before the run (every table); the run is filed under its key
    over the tables it read (``reads`` in its record).
    """
    started = time.monotonic()
    inputs = spec.inputs()
    cause = dependencies.rerun_reasons(dependencies.previous_record(spec.run_dir), inputs,
                                       spec.source.name) or [dependencies.FORCED]
    logger.info("%s: rerun: %s", spec.label, "; ".join(cause))
    seal_key = new_key()  # this run's secret: only in the kernel's environment
    work = layout.temp_sibling(spec.run_dir, "partial")
    shutil.rmtree(work, ignore_errors=True)
    files_dir = work / FILES_DIR
    files_dir.mkdir(parents=True)
    params_file = work / "parameters.yml"
    params_file.write_text(yaml.safe_dump(dict(spec.parameters), sort_keys=True))
    output = work / NOTEBOOK_NAME
    # the tables and columns the notebook reads are appended here (lifetools.reads.
    # note_read); a name new to every run, so a warm kernel's memory of what it noted
    # never carries over
    reads_log = work / f".reads-{secrets.token_hex(8)}"
    if kernel is None:
        done = run_child(papermill_command(spec.source, output, params_file, work), env=_environment(spec, files_dir, seal_key, reads_log),
                         timeout=RUN_TIMEOUT_SECONDS)
        returncode, tail = done.returncode, (done.stderr or done.stdout)
        cpu = None
    else:
        returncode, tail, cpu = kernel.run(
            spec, output, params_file, work,
            _environment(spec, files_dir, seal_key, reads_log))
    seconds = time.monotonic() - started
    if returncode != 0:
        failed = layout.RunFolder(spec.run_dir).failed_notebook
        index, error = _failed_cell(output) if output.exists() else (None, "")
        if output.exists():
            shutil.copyfile(output, failed)
        if index is None:
            lines = tail.strip().splitlines()[-3:]
            error = error or " | ".join(lines) or f"papermill exited {returncode}"
            where = "before any cell ran"
        else:
            where = f"cell {index}"
        shutil.rmtree(work, ignore_errors=True)
        message = f"{spec.label}: notebook {spec.source.name} failed at {where}: {error}"
        return RunOutcome(spec, "failed", seconds, message,
                          failed if failed.exists() else None)
    params_file.unlink()
    read_columns = parse_log(reads_log.read_text()) if reads_log.exists() else {}
    reads = sorted(read_columns)
    reads_log.unlink(missing_ok=True)
    key = (dependencies.inputs_key(inputs, reads, read_columns)
           if spec.data_tables is not None else dependencies.inputs_key(inputs))
    stderr = _tidy_notebook(output, spec, key, seal_key)
    log = stderr_log(spec)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(stderr))
    record = {
        "key": key,
        "inputs": inputs,
        "cause": cause,
        "edition": spec.edition,
        "analysis": spec.analysis,
        "notebook": spec.source.name,
        "parameters": dict(spec.parameters),
        "data_fingerprint": spec.data_fingerprint,
        "sdc_profile": spec.sdc_profile,
        "acro": spec.acro,
        **({dependencies.READS: reads, dependencies.READ_COLUMNS: read_columns}
           if spec.data_tables is not None else {}),
        "code_fingerprint": provenance.code_fingerprint(),
        "code_version": provenance.code_version(),
        "lock_hash": provenance.lock_hash(),
        "packages": provenance.package_versions(),
        "files": sorted(str(p.relative_to(files_dir)) for p in files_dir.rglob("*")
                        if p.is_file()),
        "finished_at": provenance.utc_now(),
        "seconds": round(seconds, 1),
        # the kernel's CPU for this notebook (warm kernels): the next build's estimate
        # of its cost, for the order runs start in (lifetools.pipeline.schedule)
        **({CPU_FIELD: round(cpu, 1)} if cpu is not None else {}),
    }
    provenance.write_json(work / RUN_RECORD, record)
    run_cache.swap_in(work, spec.run_dir)
    layout.RunFolder(spec.run_dir).failed_notebook.unlink(missing_ok=True)
    return RunOutcome(spec, "ran", seconds, record=record)


class _Kernels:
    """One worker's warm kernel: started on first use, replaced after a failure."""

    def __init__(self) -> None:
        self.kernel: WarmKernel | None = None

    def run(self, spec: RunSpec, output: Path, params_file: Path, work: Path,
            env: Mapping[str, str]) -> tuple[int, str, float | None]:
        """Execute one notebook; return (0, "", CPU seconds of the kernel for it, if
        known) or (1, what went wrong, None)."""
        fixed = {k: v for k, v in env.items() if k not in _PER_RUN_ENV}
        try:
            if self.kernel is None or not self.kernel.alive():
                self.close()
                self.kernel = WarmKernel(fixed, register=register_child)
            pid = getattr(getattr(self.kernel.km.provisioner, "process", None), "pid", None)
            before = process_cpu_seconds(pid) if pid else None
            # the whole run environment is set before each notebook (the kernel's reset
            # restores its start environment, then applies this): a variable added to
            # _environment can never keep the previous notebook's value
            self.kernel.execute(spec.source, output, parameters_file=params_file,
                                env=dict(env), cwd=work, timeout=RUN_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - a failed notebook, reported as one
            logger.debug("%s: warm kernel run failed", spec.label, exc_info=True)
            self.close()  # a fresh kernel for the next notebook: no poisoned state
            name = type(exc).__name__
            return 1, "" if name == "PapermillExecutionError" else f"{name}: {exc}", None
        after = process_cpu_seconds(pid) if pid else None
        return 0, "", (after - before if before is not None and after is not None
                       else None)

    def close(self) -> None:
        """Shut the kernel down (if any) and forget its process."""
        if self.kernel is not None:
            process = getattr(self.kernel.km.provisioner, "process", None)
            self.kernel.shutdown()
            forget_child(process)
        self.kernel = None


_PER_RUN_ENV = (config.ENV_DATA_DIR, config.ENV_OUTPUT_DIR, config.ENV_EDITION,
                config.ENV_ANALYSIS, config.ENV_PROJECT_ROOT, SEAL_ENV, ENV_READS_LOG,
                config.ENV_RUN_PARAMETERS)
"""Left out of the kernel's start environment (they name one run: its folder, its seal
key); every variable of the run is set again before each notebook."""


def execute_runs(
    specs: Sequence[RunSpec],
    *,
    jobs: int | None = None,
    force: bool = False,
    keep_going: bool = False,
    progress: Progress | None = None,
    kernels: Literal["warm", "isolated"] | None = None,
) -> list[RunOutcome]:
    """Execute runs concurrently, reusing any whose cache key is unchanged.

    Parameters
    ----------
    specs
        The runs to perform.
    jobs
        How many notebooks run at once (default: the number of cores).
    force
        Re-execute even when the cache key is unchanged.
    keep_going
        Start the remaining runs after a failure (otherwise no new run starts).
    progress
        Called with one line of text as each run starts, is reused, ends or fails.
    kernels
        ``warm``: each of the ``jobs`` workers runs its notebooks one after another in
        one persistent kernel (:mod:`lifetools.pipeline.kernels`; a fresh one after a
        failure); ``isolated``: a papermill child process with a fresh kernel per
        notebook. Default: ``LIFETOOLS_KERNELS``, else ``warm``. Both publish the same
        bytes.

    Returns
    -------
    list of RunOutcome
        In the order of ``specs``; runs never started after a failure are absent.
    """
    say = progress or (lambda _line: None)
    jobs = max(1, jobs or os.cpu_count() or 1)
    outcomes: dict[int, RunOutcome] = {}
    pending = []
    for spec in {s.source: s for s in specs}.values():
        check_notebook_parameters(spec)
    for index, spec in enumerate(specs):
        spec.run_dir.parent.mkdir(parents=True, exist_ok=True)
        inputs = spec.inputs()
        key = dependencies.inputs_key(inputs)
        record = None if force else (run_cache.live_record(spec.run_dir, inputs)
                                     or run_cache.restore(spec.run_dir, inputs, spec.label))
        logger.debug("%s: cache key %s, %s", spec.label, key[:12],
                     "reusable" if record is not None else "to run")
        if record is not None:
            status, record, seconds = reuse(spec, record)
            outcomes[index] = RunOutcome(spec, status, seconds, record=record)
            say(f"reused  {spec.label} (unchanged)" if outcomes[index].status == "reused"
                else f"rendered {spec.label} (markdown changed: re-rendered, not "
                "re-executed)")
        else:
            pending.append((index, spec, key))
    mode = kernels or kernel_mode()
    workers = min(jobs, len(pending))
    if workers > 1:  # the longest first, so that none is left to run alone at the end
        pending = longest_first(
            pending, analysis=lambda item: item[1].analysis,
            cost=lambda item: recorded_cost(dependencies.previous_record(item[1].run_dir)))
    logger.debug("%d run(s) on %d worker(s), %s kernels", len(pending), workers, mode)
    with children_die_with_us():
        for index, outcome in _run_workers(pending, workers, mode == "warm", keep_going,
                                           say):
            outcomes[index] = outcome
    return [outcomes[i] for i in sorted(outcomes)]


def _run_workers(pending: list[tuple[int, RunSpec, str]], workers: int, warm: bool,
                 keep_going: bool, say: Progress):
    """Yield (index, outcome) as runs end; each worker thread owns one warm kernel.

    Workers take the next run from one queue, so ``jobs`` kernels share the work. After
    a failure no worker starts another run unless ``keep_going``. Progress is reported
    from the calling thread only.
    """
    todo: queue.Queue = queue.Queue()
    for item in pending:
        todo.put(item)
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        kernel = _Kernels() if warm else None
        try:
            while not stop.is_set():
                try:
                    index, spec, key = todo.get_nowait()
                except queue.Empty:
                    return
                events.put(("start", index, spec))
                outcome = _execute(spec, key, kernel)
                if outcome.status == "failed" and not keep_going:
                    stop.set()
                events.put(("done", index, outcome))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            stop.set()
            events.put(("error", -1, exc))
        finally:
            if kernel is not None:
                kernel.close()
            events.put(("exit", -1, None))

    threads = [threading.Thread(target=work, name=f"lifetools-run-{i}", daemon=True)
               for i in range(workers)]
    for thread in threads:
        thread.start()
    total, done_count, running = len(pending), 0, len(threads)
    try:
        while running:
            kind, index, value = events.get()
            if kind == "exit":
                running -= 1
            elif kind == "error":
                raise value
            elif kind == "start":
                say(f"running {value.label} ...")
            else:
                done_count += 1
                if value.status == "failed":
                    say(f"FAILED  {value.spec.label} [{done_count}/{total}]")
                else:
                    say(f"ran     {value.spec.label} in {value.seconds:.1f} s "
                        f"[{done_count}/{total}]")
                yield index, value
    finally:
        stop.set()


def raise_for_failures(outcomes: Sequence[RunOutcome]) -> None:
    """Raise AnalysisRunError naming every failed notebook and cell, if any failed."""
    failures = [o for o in outcomes if o.status == "failed"]
    if not failures:
        return
    lines = [o.error or o.spec.label for o in failures]
    kept = [str(o.failed_notebook) for o in failures if o.failed_notebook]
    hint = "the failed notebook(s), with the error in place, are kept at: " + ", ".join(
        kept
    ) if kept else None
    raise AnalysisRunError("\n".join(lines), hint=hint)


def check_notebook_parameters(spec: RunSpec) -> None:
    """Check that the notebook's ``parameters`` cell declares every run parameter.

    Papermill only warns about a parameter the notebook does not declare; lifetools
    refuses before anything runs.

    Raises
    ------
    ParameterError
        If the notebook is missing, has no ``parameters`` cell, or lacks a parameter.
    """
    if not spec.source.exists():
        raise ParameterError(f"{spec.label}: notebook {spec.source} does not exist")
    declared = inspect_notebook(str(spec.source))
    if not declared:
        raise ParameterError(
            f"{spec.source.name}: no cell is tagged 'parameters'",
            hint="tag the notebook's second cell 'parameters' and give every "
            "parameter a default",
        )
    missing = sorted(set(spec.parameters) - set(declared))
    if missing:
        raise ParameterError(
            f"{spec.source.name}: the parameters cell does not declare {missing}",
            hint=f"declare them in the notebook or remove them from "
            f"analyses/analyses.yml (the notebook declares: {sorted(declared)})",
        )
