"""The ``lifetools`` command line: parse arguments, call the library, map errors.

Every command is a thin shell over a library function. User mistakes print one message
(with a ``HINT:`` line where there is a fix) and exit with the code of their error class;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import click

from lifetools import __version__
from lifetools.engines import redact_url
from lifetools.errors import (
    EXIT_INTERRUPTED,
    DataValidationError,
    LinkageError,
    OutputPathError,
    RapLevelError,
    UserError,
    exit_code_table,
)
from lifetools.linkage import link_directory, load_pseudonym_key
from lifetools.pipeline import layout, rap
from lifetools.pipeline.build import build_series, run_analyses, run_reasons
from lifetools.pipeline.reproduce import reproduce_edition
from lifetools.pipeline.runner import raise_for_failures
from lifetools.pipeline.series import load_series
from lifetools.pipeline.status import build_status
from lifetools.synthetic import write_synthetic
from lifetools.validation import validate_directory

__all__ = ["cli", "main"]

HELP = """Build, check and reproduce the Life Rooms report series.

\b
Typical use:
  lifetools build                      build and publish the whole series
  lifetools run wellbeing -p meaningful_change 2
                                       rerun one analysis with other parameters
  lifetools params wellbeing           list an analysis's parameters
  lifetools validate DATA_DIR          check a data extract against the dictionary
  lifetools reproduce 2024-25          re-execute a published edition and compare

Progress lines go to stderr (hidden by -q); -v adds the pipeline's log at INFO level,
-vv at DEBUG level. The result (a path or a summary) goes to stdout.
"""


def exit_code_epilog() -> str:
    """Return the exit-code table as the ``--help`` epilog (from :mod:`lifetools.errors`)."""
    lines = ["\b", "Exit codes:"]
    for row in exit_code_table():
        name = f" ({row.error})" if row.error else ""
        lines.append(f"  {row.code:<4}{row.meaning}{name}")
    return "\n".join(lines)


logger = logging.getLogger(__name__)
_LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class Context:
    """Options shared by every command."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity

    def say(self, line: str) -> None:
        """Print a progress line on stderr unless --quiet."""
        if self.verbosity >= 0:
            click.echo(line, err=True)


pass_context = click.make_pass_decorator(Context)


class _Interrupted(Exception):
    """Ctrl-C, carried past click (which would print "Aborted." and exit 1)."""


class _Group(click.Group):
    """The command group: Ctrl-C inside a command leaves click as ``_Interrupted``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted from None


@click.group(cls=_Group, help=HELP, epilog=exit_code_epilog(),
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lifetools")
@click.option("-v", "--verbose", count=True, help="More detail (repeat for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the final result.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """The command group: set the log level and the shared options (help is HELP)."""
    verbosity = -1 if quiet else verbose
    configure_logging(verbosity)
    ctx.obj = Context(verbosity)


class _Handler(logging.StreamHandler):
    """The command line's log handler: stderr as it is when the command runs."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)


def configure_logging(verbosity: int) -> None:
    """Send the ``lifetools`` loggers to stderr at the level -q/-v/-vv ask for.

    -q shows errors only, the default warnings, -v info and -vv debug. Replaces the
    handler of an earlier call (the command line may run several times in one process).
    """
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
        verbosity, logging.DEBUG)
    root = logging.getLogger("lifetools")
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler()
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)


def _writable_folder(folder: Path, option: str) -> None:
    """Refuse a folder that is, or lies under, an existing file (a usage mistake)."""
    for place in (folder, *folder.resolve().parents):
        if place.exists():
            if not place.is_dir():
                raise OutputPathError(f"{option}: a file is in the way of the folder to write",
                                hint="name a folder that is not, or is not under, a file")
            return


@cli.command()
@click.option("--people", type=click.IntRange(min=10), default=30000, show_default=True,
              help="Number of people in the synthetic population.")
@click.option("--seed", type=click.IntRange(min=0), default=20250331, show_default=True,
              help="Random seed: the same seed gives byte-identical files.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Folder to write (raw/ layer and analysis tables).")
@pass_context
def synth(ctx: Context, people: int, seed: int, out: Path) -> None:
    """Generate a linked synthetic dataset with known true effects.

    Writes the raw layer (with test-range NHS numbers) under OUT/raw/ and the linked,
    pseudonymised analysis tables as OUT/<table>.parquet.
    """
    _writable_folder(out, "--out")
    summary = write_synthetic(out, people=people, seed=seed, progress=ctx.say)
    ctx.say(str(summary))
    click.echo(str(out))


@cli.command()
@click.argument("data_dir", type=str)
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every problem to this file (.csv or .json).")
@click.option("--max-rows", type=click.IntRange(min=1), default=5, show_default=True,
              help="Rows shown for a rule that fails many times.")
@pass_context
def validate(ctx: Context, data_dir: str, report: Path | None, max_rows: int) -> None:
    """Check every table in DATA_DIR (a folder, a DuckDB file, a PostgreSQL URL, a
    Spark Connect URL, or spark://local[N]?path=FOLDER) against the dictionary.

    Collects every problem (file, table, column, row, rule) before reporting. Exit 0
    when clean, 11 otherwise. Identifier values are never printed: rows are cited.
    """
    if report is not None and not report.resolve().parent.is_dir():
        raise OutputPathError("--report: the folder of the report file does not exist",
                        hint="create the folder first, or name a file in an existing one")
    result = validate_directory(data_dir)
    if report is not None:
        result.write(report)
    if not result.ok:
        raise DataValidationError(
            result.render(max_rows_per_rule=max_rows), report=result,
            hint="allowed values and rules are in data_dictionary/<table>.yaml"
            + (f"; full report: {report}" if report else ""),
        )
    click.echo(f"{redact_url(data_dir)}: all tables valid")


@cli.command()
@click.argument("raw_dir", type=click.Path(path_type=Path))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--synthetic-key", is_flag=True,
              help="Use the fixed, public key for synthetic data (never for real data).")
@pass_context
def link(ctx: Context, raw_dir: Path, out_dir: Path, synthetic_key: bool) -> None:
    """Link raw records by NHS number and replace identifiers by a keyed hash.

    The key comes from LIFETOOLS_PSEUDONYM_KEY or the file named by
    LIFETOOLS_PSEUDONYM_KEY_FILE, kept outside the repository.
    """
    try:
        key = load_pseudonym_key(synthetic=synthetic_key)
    except OSError as exc:
        raise LinkageError(
            f"the pseudonymisation key file cannot be read ({exc.strerror or exc})",
            hint="LIFETOOLS_PSEUDONYM_KEY_FILE must name a readable file") from None
    result = link_directory(raw_dir, out_dir, key=key)
    click.echo(str(result))


def _summary_table(outcomes, *, why: bool = False) -> str:
    rows = [("edition", "analysis", "status", "seconds", *(("why",) if why else ()))]
    rows += [(o.spec.edition, o.spec.analysis, o.status, f"{o.seconds:.1f}",
              *(("; ".join(run_reasons(o)),) if why else ())) for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    counts = {s: sum(o.status == s for o in outcomes)
              for s in ("ran", "reused", "rerendered", "failed")}
    lines.append(f"{counts['ran']} ran, {counts['reused']} reused, "
                 + (f"{counts['rerendered']} re-rendered, " if counts["rerendered"] else "")
                 + f"{counts['failed']} failed")
    return "\n".join(lines)


_jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Notebooks run at once  [default: number of cores]")
_data_option = click.option(
    "--data", "data_dir", type=str,
    help="Folder of analysis tables, a DuckDB database file holding them (a real "
    "extract), or a PostgreSQL URL (postgresql://user@host/db; the password from "
    "LIFETOOLS_DB_PASSWORD or an owner-only file named in LIFETOOLS_DB_PASSWORD_FILE), "
    "or a Spark Connect URL (sc://host:port; a token from "
    "SPARK_CONNECT_AUTHENTICATE_TOKEN), or a local Spark over a folder of Parquet files "
    "(spark://local[N]?path=FOLDER). Default: analyses.yml's data source, else the embedded synthetic dataset, generated "
    "on first use.")


@cli.command()
@click.argument("analysis", required=False)
@click.option("-p", "--parameter", "parameters", nargs=2, multiple=True,
              metavar="NAME VALUE", help="Set a parameter (repeatable); see \"lifetools params\".")
@click.option("--edition", help="Edition whose period and parameters to use "
              "[default: the current edition; all editions when no ANALYSIS].")
@_data_option
@_jobs_option
@click.option("--force", is_flag=True, help="Re-execute even if nothing changed.")
@click.option("--keep-going", is_flag=True, help="Run the rest after a failure.")
@pass_context
def run(ctx: Context, analysis: str | None, parameters: tuple[tuple[str, str], ...],
        edition: str | None, data_dir: str | None, jobs: int | None, force: bool,
        keep_going: bool) -> None:
    """Execute analysis notebooks with papermill (all of them, or ANALYSIS).

    Input data are validated first; nothing runs on invalid data. A notebook whose
    notebook, parameters, data and code are unchanged is reused, not re-executed.
    With -p the run goes to build/adhoc/ and never changes what is published:

    \b
      lifetools run time_to_discharge -p locality "North Liverpool" -p landmark_days 180
    """
    if parameters and not analysis:
        raise click.UsageError("-p needs an ANALYSIS: parameters belong to one notebook")
    outcomes = run_analyses(analysis=analysis, overrides=dict(parameters),
                            edition=edition, data_dir=data_dir, jobs=jobs, force=force,
                            keep_going=keep_going, progress=ctx.say)
    ctx.say(_summary_table(outcomes, why=ctx.verbosity >= 1))
    raise_for_failures(outcomes)
    for outcome in outcomes:
        click.echo(str(layout.RunFolder(outcome.spec.run_dir).notebook))


@cli.command()
@_data_option
@_jobs_option
@click.option("--force", is_flag=True, help="Re-execute every notebook and rebuild.")
@click.option("--keep-going", is_flag=True, help="Run the rest after a failure.")
@click.option("--republish", multiple=True, metavar="EDITION",
              help="Publish a corrected version of an archived edition (the released "
              "version is kept); needs --reason.")
@click.option("--reason", metavar="TEXT",
              help="Why the edition is corrected: published in the corrections log "
              "as typed (no identifiers, paths or counts of people).")
@click.option("--draft", is_flag=True,
              help="Build from uncommitted changes into public/draft, every page "
              "stamped DRAFT; the live site is not touched.")
@pass_context
def build(ctx: Context, data_dir: str | None, jobs: int | None, force: bool,
          keep_going: bool, republish: tuple[str, ...], reason: str | None,
          draft: bool) -> None:
    """Build and publish the whole report series as a website.

    Runs what changed, checks every output at the publish gate, builds the book in a
    staging folder and only then publishes it with the edition archives in one step.
    A failure or an interruption leaves the published site as it was; rerunning picks
    up where it stopped. Refuses (exit 19) when code or inputs differ from the commit
    (changed or untracked files), unless --draft. With -v the summary says why each notebook ran or was
    reused (the notebook, parameters, data, lock, packages or the lifetools files it
    uses changed).
    """
    if republish and not (reason or "").strip():
        raise click.UsageError("--republish needs --reason TEXT (shown in the "
                               "corrections log)")
    summary = build_series(data_dir=data_dir, jobs=jobs, force=force,
                           keep_going=keep_going,
                           republish={e: reason or "" for e in republish},
                           draft=draft, progress=ctx.say)
    ctx.say(_summary_table(summary.outcomes, why=ctx.verbosity >= 1))
    ctx.say(f"built in {summary.seconds:.1f} s")
    click.echo(f"site: {summary.site.resolve() / 'index.html'}")


@cli.command()
@click.argument("analysis")
def params(analysis: str) -> None:
    """List ANALYSIS's parameters: name, type, default and meaning."""
    series = load_series()
    found = series.analysis(analysis)
    click.echo(f"{found.id} ({found.notebook}): {found.title}")
    click.echo("  period_start  date  set by the edition (e.g. 2024-04-01)")
    click.echo("  period_end    date  set by the edition (e.g. 2025-03-31)")
    for p in found.parameters.values():
        click.echo(f"  {p.name}  {p.type}  default {p.default!r}  {p.description} "
                   f"[{p.domain()}]")


@cli.command()
@click.argument("edition")
@click.option("--site", metavar="URL_OR_FOLDER",
              help="The published site: a folder, file:// or https:// URL "
              "[default: publication.site_url in analyses.yml, else public/site].")
@_data_option
@_jobs_option
@click.option("--allow-drift", is_flag=True,
              help="Run even though code, lock file or packages differ from the "
              "manifest (differences are reported; never proof of reproduction).")
@pass_context
def reproduce(ctx: Context, edition: str, site: str | None, data_dir: str | None,
              jobs: int | None, allow_drift: bool) -> None:
    """Re-execute a published EDITION and compare every published file and number.

    Reads the manifest and result files from the published site, refuses to run when
    the code, lock file or installed packages differ from the manifest, re-executes
    into build/reproduce/EDITION and compares each table cell by cell. Exit 0 when every
    file is identical, 16 otherwise (each differing value named).
    """
    result = reproduce_edition(edition, site=site, data_dir=data_dir, jobs=jobs,
                               allow_drift=allow_drift, progress=ctx.say)
    click.echo(f"edition {edition}: all {result.files_compared} published files "
               f"reproduced exactly (reproduced files in {result.folder})")


@cli.command(name="rap")
@click.option("--require", type=click.Choice(["baseline", "silver", "gold"]),
              help="Fail (exit 21) when the repository does not reach this level.")
def rap_level(require: str | None) -> None:
    """Compute the RAP level (baseline, silver, gold) criterion by criterion.

    Checks each Reproducible Analytical Pipeline criterion the repository can show
    (version control, tests, packaged code, exact dependencies, CI, outputs from
    versioned code, reproducible build...) and prints the evidence; the site shows the
    same table on its "RAP level" page.
    """
    criteria = rap.assess()
    mark = {True: "met", False: "NOT MET", None: "not checkable"}
    for c in criteria:
        click.echo(f"{c.level:<8}  {mark[c.met]:<13}  {c.name}: {c.evidence}")
    reached = rap.level_reached(criteria)
    click.echo(f"RAP level reached: {reached or 'none'}")
    if require and rap.LEVELS.index(require) > (
            rap.LEVELS.index(reached) if reached else -1):
        raise RapLevelError(
            f"the repository reaches {reached or 'no'} RAP level, {require} is required",
            hint="meet the criteria marked NOT MET above")


@cli.command()
@_data_option
@pass_context
def status(ctx: Context, data_dir: str | None) -> None:
    """Explain what "lifetools build" would rerun, and why (nothing is run or generated).

    Before the embedded synthetic data are generated, every report is listed as a rerun
    for that reason, and each edition's period is checked against the referral dates
    the data will hold (exit 12 for one outside them, as the build refuses it).
    """
    for line in build_status(data_dir=data_dir, progress=ctx.say):
        click.echo(str(line))


INTERRUPTED = ("Interrupted: nothing was published; the previous site is unchanged. "
               "Run again to pick up where it stopped.")


class _Terminated(Exception):
    """SIGTERM: unwind like Ctrl-C so that child process groups are killed."""


def _on_sigterm(_signum, _frame) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (never raises for user errors).

    Notes
    -----
    The codes are those of :func:`lifetools.errors.exit_code_table`: a ``UserError``
    prints one message and exits with its class's code, a usage error exits 2, Ctrl-C
    prints one line and exits 130 (SIGTERM exits 143), anything else is a bug: it keeps
    its traceback (exit 1). Tested by ``tests/unit/test_cli.py::test_cli_exit_code_*``.
    """
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    try:
        cli.main(args=list(argv) if argv is not None else None,
                 prog_name="lifetools", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except UserError as exc:
        click.echo(exc.render(), err=True)
        return exc.exit_code
    except (KeyboardInterrupt, click.Abort, _Interrupted):
        click.echo(INTERRUPTED, err=True)
        return EXIT_INTERRUPTED
    except _Terminated:
        click.echo("Terminated: " + INTERRUPTED.split(": ", 1)[1], err=True)
        return 128 + signal.SIGTERM
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through `python -m`
    sys.exit(main())
