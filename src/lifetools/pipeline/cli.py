"""The ``lifetools`` command line: parse arguments, call the library, map errors.

Every command is a thin shell over a library function. User mistakes print one message
(with a ``HINT:`` line where there is a fix) and exit with the code of their error class;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from lifetools import __version__, config
from lifetools.errors import DataValidationError, UserError
from lifetools.linkage import link_directory, load_pseudonym_key
from lifetools.pipeline.build import PreparedData, build_series, plan_runs, prepare_data
from lifetools.pipeline.reproduce import reproduce_edition
from lifetools.pipeline.runner import execute_runs, raise_for_failures
from lifetools.pipeline.series import load_series
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

\b
Exit codes:
  0   success
  1   internal error (a bug)
  2   usage error (unknown option, missing argument)
  10  the data dictionary is malformed (DictionaryError)
  11  input data break the dictionary's rules (DataValidationError)
  12  unknown or ill-typed parameter or edition (ParameterError)
  13  the publish gate refused an output (DisclosureError)
  14  a notebook failed; the notebook and cell are named (AnalysisRunError)
  15  the book could not be built or published (BuildError)
  16  a reproduced edition differs from the published one (ReproducibilityError)
  130 interrupted (nothing was published)
"""

logger = logging.getLogger("lifetools")


class Context:
    """Options shared by every command."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity

    def say(self, line: str) -> None:
        """Print a progress line on stderr unless --quiet."""
        if self.verbosity >= 0:
            click.echo(line, err=True)


pass_context = click.make_pass_decorator(Context)


@click.group(help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lifetools")
@click.option("-v", "--verbose", count=True, help="More detail (repeat for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the final result.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    verbosity = -1 if quiet else verbose
    logging.basicConfig(
        level={-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
            verbosity, logging.DEBUG
        ),
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Context(verbosity)


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
    summary = write_synthetic(out, people=people, seed=seed, progress=ctx.say)
    ctx.say(str(summary))
    click.echo(str(out))


@cli.command()
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every problem to this file (.csv or .json).")
@click.option("--max-rows", type=click.IntRange(min=1), default=5, show_default=True,
              help="Rows shown for a rule that fails many times.")
@pass_context
def validate(ctx: Context, data_dir: Path, report: Path | None, max_rows: int) -> None:
    """Check every table in DATA_DIR against the data dictionary.

    Collects every problem (file, table, column, row, rule) before reporting. Exit 0
    when clean, 11 otherwise. Identifier values are never printed: rows are cited.
    """
    result = validate_directory(data_dir)
    if report is not None:
        result.write(report)
    if not result.ok:
        raise DataValidationError(
            result.render(max_rows_per_rule=max_rows), report=result,
            hint="allowed values and rules are in data_dictionary/<table>.yaml"
            + (f"; full report: {report}" if report else ""),
        )
    click.echo(f"{data_dir}: all tables valid")


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
    result = link_directory(raw_dir, out_dir, key=load_pseudonym_key(synthetic=synthetic_key))
    click.echo(str(result))


def _summary_table(outcomes) -> str:
    rows = [("edition", "analysis", "status", "seconds")]
    rows += [(o.spec.edition, o.spec.analysis, o.status, f"{o.seconds:.1f}")
             for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    counts = {s: sum(o.status == s for o in outcomes) for s in ("ran", "reused", "failed")}
    lines.append(f"{counts['ran']} ran, {counts['reused']} reused, "
                 f"{counts['failed']} failed")
    return "\n".join(lines)


_jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Notebooks run at once  [default: number of cores]")
_data_option = click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Folder of analysis tables (a real extract). Default: the embedded "
    "synthetic dataset, generated on first use.")


@cli.command()
@click.argument("analysis", required=False)
@click.option("-p", "--parameter", "parameters", nargs=2, multiple=True,
              metavar="NAME VALUE", help="Set a parameter (repeatable); see `params`.")
@click.option("--edition", help="Edition whose period and parameters to use "
              "[default: the current edition; all editions when no ANALYSIS].")
@_data_option
@_jobs_option
@click.option("--force", is_flag=True, help="Re-execute even if nothing changed.")
@click.option("--keep-going", is_flag=True, help="Run the rest after a failure.")
@pass_context
def run(ctx: Context, analysis: str | None, parameters: tuple[tuple[str, str], ...],
        edition: str | None, data_dir: Path | None, jobs: int | None, force: bool,
        keep_going: bool) -> None:
    """Execute analysis notebooks with papermill (all of them, or ANALYSIS).

    Input data are validated first; nothing runs on invalid data. A notebook whose
    notebook, parameters, data and code are unchanged is reused, not re-executed.
    With -p the run goes to build/adhoc/ and never changes what is published:

    \b
      lifetools run time_to_discharge -p locality "North Liverpool" -p landmark_days 180
    """
    series = load_series()
    overrides = dict(parameters)
    if overrides and not analysis:
        raise click.UsageError("-p needs an ANALYSIS: parameters belong to one notebook")
    editions = [edition] if edition else ([series.current_edition] if analysis else None)
    if editions:
        series.edition(editions[0])
    runs_root = config.build_dir() / ("adhoc" if overrides else "runs")
    if analysis:
        series.analysis(analysis)
        plan_runs(series, _no_data(), editions=editions, analyses=[analysis],
                  overrides=overrides)
    data = prepare_data(series, data_dir=data_dir, progress=ctx.say)
    specs = plan_runs(series, data, editions=editions,
                      analyses=[analysis] if analysis else None, overrides=overrides,
                      runs_root=runs_root)
    outcomes = execute_runs(specs, jobs=jobs, force=force, keep_going=keep_going,
                            progress=ctx.say)
    ctx.say(_summary_table(outcomes))
    raise_for_failures(outcomes)
    for outcome in outcomes:
        click.echo(str(outcome.spec.run_dir / "notebook.ipynb"))


def _no_data():
    """Placeholder data used to check parameters before data are prepared."""
    return PreparedData(Path("."), {"combined": ""}, None)


@cli.command()
@_data_option
@_jobs_option
@click.option("--force", is_flag=True, help="Re-execute every notebook and rebuild.")
@click.option("--keep-going", is_flag=True, help="Run the rest after a failure.")
@click.option("--republish", multiple=True, metavar="EDITION",
              help="Publish a corrected version of an archived edition (the released "
              "version is kept); needs --reason.")
@click.option("--reason", metavar="TEXT",
              help="Why the edition is corrected: shown in the corrections log.")
@click.option("--draft", is_flag=True,
              help="Build from uncommitted changes into public/draft, every page "
              "stamped DRAFT; the live site is not touched.")
@pass_context
def build(ctx: Context, data_dir: Path | None, jobs: int | None, force: bool,
          keep_going: bool, republish: tuple[str, ...], reason: str | None,
          draft: bool) -> None:
    """Build and publish the whole report series as a website.

    Runs what changed, checks every output at the publish gate, builds the book in a
    staging folder and only then publishes it with the edition archives in one step.
    A failure or an interruption leaves the published site as it was; rerunning picks
    up where it stopped. Refuses (exit 17) when tracked code or inputs differ from the
    commit, unless --draft.
    """
    if republish and not (reason or "").strip():
        raise click.UsageError("--republish needs --reason TEXT (shown in the "
                               "corrections log)")
    summary = build_series(data_dir=data_dir, jobs=jobs, force=force,
                           keep_going=keep_going,
                           republish={e: reason or "" for e in republish},
                           draft=draft, progress=ctx.say)
    ctx.say(_summary_table(summary.outcomes))
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
        click.echo(f"  {p.name}  {p.type}  default {p.default!r}  {p.description}")


@cli.command()
@click.argument("edition")
@click.option("--site", metavar="URL_OR_FOLDER",
              help="The published site: a folder, file:// or https:// URL "
              "[default: site_url in analyses.yml, else public/site].")
@_data_option
@_jobs_option
@click.option("--allow-drift", is_flag=True,
              help="Run even though code, lock file or packages differ from the "
              "manifest (differences are reported; never proof of reproduction).")
@pass_context
def reproduce(ctx: Context, edition: str, site: str | None, data_dir: Path | None,
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


@cli.command()
@_data_option
@pass_context
def status(ctx: Context, data_dir: Path | None) -> None:
    """Explain what `lifetools build` would rerun, and why (nothing is run)."""
    from lifetools.pipeline.status import series_status

    series = load_series()
    data = prepare_data(series, data_dir=data_dir, progress=ctx.say)
    for line in series_status(series, data):
        click.echo(str(line))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (never raises for user errors)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="lifetools",
                 standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except UserError as exc:
        click.echo(exc.render(), err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted: nothing was published; the previous site is unchanged. "
                   "Run again to pick up where it stopped.", err=True)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through `python -m`
    sys.exit(main())
