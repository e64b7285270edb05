"""Build the report series: data -> papermill runs -> publish gate -> book -> publish.

Safe publishing: nothing is published from a work tree whose tracked inputs differ from
the commit (:func:`check_versioned`; ``--draft`` builds to ``public/draft`` instead).
The site is assembled and built in ``build/stage/`` only when every notebook ran and
the publish gate passed, then published with the edition archives in one step
(:mod:`lifetools.pipeline.release`). An edition that is archived and is not the current
edition is never re-executed, and its pages are published as released, byte for byte;
``--republish`` makes a new version, keeps the old one and logs the reason. Published
files hold no wall-clock time and no absolute path: two builds of one commit and data
give the same ``public/`` tree.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import resource
import shutil
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifetools import config, disclosure, engines
from lifetools.dictionary import load_dictionary
from lifetools.duckdb_settings import duckdb_settings
from lifetools.engines.checks import duckdb_types
from lifetools.engines.column_keys import duckdb_columns, server_columns
from lifetools.engines.server import server_fingerprint, validate_server
from lifetools.engines.spark import served
from lifetools.errors import DataValidationError, DisclosureError, ParameterError
from lifetools.fingerprint import replace_text, table_columns
from lifetools.loading import (
    DUCKDB_SUFFIXES,
    is_duckdb_file,
    typed_cache_missing,
    write_typed_cache,
)
from lifetools.pipeline import (
    dependencies,
    integrity,
    layout,
    pdf,
    provenance,
    rap,
    release,
)
from lifetools.pipeline.book import EditionPages, assemble_book, build_html
from lifetools.pipeline.gate import (
    acro_verdicts,
    assert_publishable,
    assert_site_publishable,
    not_estimable_outputs,
    output_stamps,
    unprotected_outputs,
)
from lifetools.pipeline.gate.release_check import check_release
from lifetools.pipeline.gate.site import page_findings
from lifetools.pipeline.kernels import WARM_LOADS
from lifetools.pipeline.runner import (
    RunOutcome,
    RunSpec,
    execute_runs,
    kernels_typed_cache,
    raise_for_failures,
)
from lifetools.pipeline.series import Series, load_series
from lifetools.synthetic import WINDOW_END, write_synthetic
from lifetools.validation import Rule, validate_directory

__all__ = [
    "BuildSummary",
    "PreparedData",
    "build_series",
    "clean_stale_folders",
    "disclosure_settings",
    "edition_manifest",
    "edition_profiles",
    "parameter_words",
    "plan_runs",
    "check_needs",
    "prepare_data",
    "run_analyses",
    "run_reasons",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
#: Run-record fields that differ on every run or with the cache's history (why a run
#: was rerun): kept in build/runs and the timings log, never copied into the archive or
#: the site (a clean and an incremental build of one commit publish the same bytes).
VOLATILE_RECORD_FIELDS = ("finished_at", "seconds", "cpu_seconds", "cause")


@dataclass(frozen=True)
class PreparedData:
    """Validated input data for a build: where it is and what it hashes to."""

    path: Path | str
    """A folder or DuckDB file, or a server's source text (a URL without password)."""
    fingerprint: Mapping[str, Any]
    synthetic: Mapping[str, Any] | None = None
    #: Optional columns ("table.column") with no value in any row of the extract.
    empty_columns: tuple[str, ...] = ()
    #: The engine that read the data and its in-engine fingerprint
    #: (:func:`lifetools.engines.engine_record`: no path, host or credential).
    engine: Mapping[str, Any] | None = None
    #: Per table: rows, column names and each column's fingerprint
    #: (:func:`lifetools.fingerprint.table_columns`, or for a DuckDB file
    #: :func:`lifetools.engines.column_keys.duckdb_columns`, for a server
    #: :func:`~lifetools.engines.column_keys.server_columns`). Not in the manifest.
    columns: Mapping[str, Any] | None = None
    #: Where the extract date is declared when not at ``path``
    #: (:func:`lifetools.pipeline.integrity.data_end`): ``spark://local[N]?path=FOLDER``,
    #: whose tables the runs read through a local Spark Connect server's URL.
    declared_by: str | None = None

    def run_fields(self, fingerprint: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The fields of a :class:`~lifetools.pipeline.runner.RunSpec` these data give.

        Where the data are and their combined fingerprint; and, when the fingerprint
        lists its tables, the per-table hashes, the dictionary digest and the column
        fingerprints, so that a run's key covers only the tables and columns it read.
        ``fingerprint`` is the one to key by (default: these data's); ``lifetools
        reproduce`` passes its manifest's, which a manifest written before per-table
        fingerprints lists no tables of (its runs are then keyed by every table, as
        they were built). The one owner of these fields: :func:`plan_runs` and
        :func:`lifetools.pipeline.reproduce.manifest_specs` both take them from here.
        """
        fingerprint = self.fingerprint if fingerprint is None else fingerprint
        per_table = "tables" in fingerprint
        return {"data_dir": self.path, "data_fingerprint": self.fingerprint["combined"],
                "data_tables": dependencies.table_hashes(fingerprint) if per_table else None,
                "data_dictionary": fingerprint.get("dictionary") if per_table else None,
                "data_columns": self.columns if per_table else None}


@dataclass(frozen=True)
class BuildSummary:
    """What a build did: runs, reused archives, where the site is."""

    outcomes: Sequence[RunOutcome]
    archived: Sequence[str]
    site: Path | None
    seconds: float
    timings: Mapping[str, float] = field(default_factory=dict)


def _synthetic(series: Series, progress: Progress) -> tuple[Path, dict[str, Any]]:
    """The embedded synthetic data: reused while size, seed, generator and dictionary hold.

    ``generator`` digests the source of every lifetools module the generator reaches
    (:func:`lifetools.pipeline.dependencies.generator_dependencies`): a change to the
    generator's code regenerates the data rather than publishing stale data under the
    claim of the seed. The manifest records all four.
    """
    target, wanted, found = _synthetic_state(series)
    if found == wanted:
        return target, wanted
    changed = [k for k in wanted if found and found.get(k) != wanted[k]]
    progress(f"generating synthetic data: {wanted['people']:,} people, "
             f"seed {wanted['seed']}" + (f" ({', '.join(changed)} changed)"
                                         if changed else ""))
    work = layout.temp_sibling(target, "partial")
    shutil.rmtree(work, ignore_errors=True)
    write_synthetic(work, people=wanted["people"], seed=wanted["seed"])
    provenance.write_json(work / "synthetic.json", wanted)
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target, wanted


def _synthetic_state(series: Series) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """The embedded synthetic data's folder, what they must be (size, seed, generator,
    dictionary) and what the folder holds (``{}`` when not generated or incomplete)."""
    wanted = {"people": series.synthetic_people, "seed": series.synthetic_seed,
              "generator": provenance.digest(dependencies.generator_dependencies()),
              "dictionary": provenance.dictionary_fingerprint()}
    target = config.default_data_dir()
    marker = target / "synthetic.json"
    complete = marker.exists() and (target / "datapackage.json").exists()
    return target, wanted, json.loads(marker.read_text()) if complete else {}


def synthetic_pending(series: Series, *, data_dir: Path | str | None = None
                      ) -> str | None:
    """Why a build would generate the embedded synthetic data before running anything
    ("the synthetic data are not generated yet"), or None when it would not (they are
    current, or the data are an extract: ``data_dir`` or the series' ``data: source:``).

    For ``lifetools status``, which explains and changes nothing: it generated the data
    until wave 25 (issue 14).
    """
    if data_dir is not None or series.data.source:
        return None
    _, wanted, found = _synthetic_state(series)
    if found == wanted:
        return None
    changed = [k for k in wanted if found and found.get(k) != wanted[k]]
    if changed:
        return (f"the synthetic data are generated again first ({', '.join(changed)} "
                "changed)")
    return "the synthetic data are not generated yet: a build generates them first"


def check_window_before_generating(series: Series, *, data_dir: Path | str | None = None,
                                   **limits: Any) -> str | None:
    """Refuse editions outside the embedded synthetic data's dates before generating
    them: when a build would generate the data (:func:`synthetic_pending`), its
    editions are checked against the referral dates the data will hold
    (:func:`~lifetools.pipeline.integrity.synthetic_window`, drawn in memory), the
    generator's first day of events and its extract date, as ``lifetools status``
    checks them. ``limits``: :func:`~lifetools.pipeline.integrity.check_window`'s
    ``editions``, ``analyses`` and ``overrides``. Returns why the data would be
    generated (:func:`synthetic_pending`; None: the data are an extract or already
    generated, nothing was checked here, and they are checked once prepared).

    Until wave 42 the build generated the data first (about 20 s at 30,000 people) and
    then refused the edition (issue 14).

    Raises
    ------
    ParameterError
        As :func:`~lifetools.pipeline.integrity.check_window`.
    """
    pending = synthetic_pending(series, data_dir=data_dir)
    if pending is None:
        return None
    window = integrity.synthetic_window(series.synthetic_people, series.synthetic_seed)
    integrity.check_window(series, window, end=WINDOW_END.isoformat(),
                           start=integrity.synthetic_start(window), **limits)
    return pending


def _shown_path(path: Path) -> str:
    """A data folder as the user may see it: relative, never the machine's full path.

    Relative to the current folder or the project when it lies inside one, else its
    last part only (terminal output and logs must not carry machine paths).
    """
    if not path.is_absolute():
        return str(path)
    for base in (Path.cwd(), config.project_root()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return f".../{path.name}"


def prepare_data(
    series: Series, *, data_dir: Path | str | None = None,
    progress: Progress | None = None
) -> PreparedData:
    """Find (or generate) the input data and validate it before anything runs.

    ``data_dir`` is a folder of table files, a DuckDB database file, or a server URL
    (``postgresql://user@host/db``: validated and fingerprinted by queries on the
    server, :func:`_prepare_server`); when None, the
    series file's ``data: source:`` if set. Otherwise the embedded synthetic dataset
    declared in the series file is generated under ``build/data/synthetic`` (once;
    reused while its size and seed are unchanged). Validation results are cached by the data's fingerprint.

    Raises
    ------
    DataValidationError
        If the data break any dictionary rule: nothing runs on invalid data.
    """
    say = progress or (lambda _line: None)
    synthetic = None
    if data_dir is None and series.data.source:
        data_dir = (engines.source.rooted(series.data.source, config.project_root())
                    if "://" in series.data.source
                    else config.project_root() / series.data.source)
    if data_dir is None:
        data_dir, synthetic = _synthetic(series, say)
    if isinstance(data_dir, str) and "://" in data_dir and not Path(data_dir).exists():
        return _prepare_server(engines.parse_source(data_dir), say)
    shown = _shown_path(Path(data_dir))
    data_dir = Path(data_dir).resolve()
    if data_dir.is_file():
        return _prepare_duckdb(data_dir, shown, say)
    if not data_dir.is_dir():
        what = "is not a folder" if data_dir.exists() else "does not exist"
        if data_dir.suffix in DUCKDB_SUFFIXES and not data_dir.exists():
            raise DataValidationError(f"{shown}: the DuckDB file does not exist",
                                      hint="give --data an existing DuckDB database file "
                                           "or the folder of the extract's tables")
        raise DataValidationError(f"{shown}: the data folder {what}",
                                  hint="give --data the folder of the extract's tables "
                                       "or a DuckDB database file")
    return fingerprinted(data_dir, synthetic=synthetic,
                         validate=lambda key: _validated(key, data_dir, shown, say,
                                                         typed=True))


def fingerprinted(data: Path | engines.Source, *, tables: Any = None,
                  synthetic: Mapping[str, Any] | None = None,
                  validate: Callable[[str], Sequence[str]] | None = None) -> PreparedData:
    """What the data are and hash to, by their kind: the one place a build and
    ``lifetools reproduce`` fingerprint a source.

    ``data`` is a folder of table files (SHA-256 of each file, kept in
    :func:`layout.fingerprint_cache`; the engine's record; each column's fingerprint), a
    DuckDB database file (checksums computed in the engine,
    :func:`duckdb_fingerprint`; column keys from :func:`duckdb_columns`) or a server's
    :class:`~lifetools.engines.Source` (fingerprinted by queries there, on ``tables``,
    its connection, when given). ``validate`` (given the combined fingerprint; returns
    the empty optional columns) runs as soon as the fingerprint is known and before
    anything else reads the values, so invalid data fail with the validation report
    rather than a failed checksum query; without it nothing is validated (``reproduce``
    compares the fingerprint with one a validated build recorded).
    """
    check = validate or (lambda _key: ())
    if isinstance(data, engines.Source):
        tables = engines.connect(data) if tables is None else tables
        fingerprint, engine = server_fingerprint(tables)
        columns = server_columns(tables)
        return PreparedData(data.location, fingerprint, None, tuple(check(fingerprint[
            "combined"])), engine, columns)
    if data.is_file():
        fingerprint, engine = duckdb_fingerprint(data)
        empty = tuple(check(fingerprint["combined"]))
        return PreparedData(data, fingerprint, synthetic, empty, engine,
                            duckdb_columns(data, cache=layout.duckdb_column_cache(),
                                           stamps=layout.fingerprint_cache()))
    fingerprint = provenance.data_fingerprint(data, cache=layout.fingerprint_cache())
    empty = tuple(check(fingerprint["combined"]))
    engine = folder_engine_record(data, fingerprint["combined"])
    columns = table_columns(data, fingerprint["tables"], cache=layout.column_cache())
    return PreparedData(data, fingerprint, synthetic, empty, engine, columns)


ENGINE_RECORD_CODE = ("lifetools.engines.fingerprint", "lifetools.engines.connect",
                      "lifetools.engines.engine", "lifetools.engines.source",
                      "lifetools.engines.columns", "lifetools.duckdb_settings",
                      "lifetools.folder_scan", "lifetools.dictionary", "lifetools.dataset")
"""The modules whose source is part of a folder's engine record key: the checksum query
and the registration of the folder's files as the engine's tables."""


def folder_engine_record(data: Path, combined: str) -> dict[str, Any]:
    """:func:`lifetools.engines.engine_record` of a data folder, kept in
    :func:`layout.engine_record_cache` by a key over the folder's ``combined``
    fingerprint (every file's SHA-256 and the dictionary), DuckDB's and ibis's versions,
    :data:`~lifetools.engines.CHECKSUM_METHOD` and the source of
    :data:`ENGINE_RECORD_CODE`: a build of unchanged data (a no-op) does not hash every
    row of every table in the engine again (issue 16). The record kept is the one
    computed, read back as the same JSON; one that cannot be read is computed again."""
    import duckdb
    import ibis

    from lifetools.typed_cache import module_source

    code = {name: hashlib.sha256(module_source(name)).hexdigest()
            for name in ENGINE_RECORD_CODE}
    path = layout.engine_record_cache(provenance.digest({
        "data": combined, "duckdb": duckdb.__version__, "ibis": ibis.__version__,
        "method": engines.CHECKSUM_METHOD, "code": code}))
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = None
    if isinstance(kept, dict) and kept.get("source") == "files":
        return kept
    record = engines.engine_record(engines.parse_source(data))
    replace_text(path, json.dumps(record, sort_keys=True))
    return record


def _prepare_server(source: engines.Source, say: Progress) -> PreparedData:
    """:func:`prepare_data` for a server (``postgresql://...``): fingerprinted and
    validated by queries on the server; the runs receive the source text (never a
    password: that stays in the environment or its owner-only file)."""
    given, source = source, served(source)  # spark://local[N]: a Connect server the
    tables = engines.connect(source)                # kernels reach

    def validate(key: str) -> list[str]:
        marker = layout.validated_marker(key)
        if not marker.exists() or not marker.read_text().strip():
            say(f"validating {given.display()}")  # ?path=FOLDER: its datapackage.json
            _record_validation(marker, validate_server(given, connection=tables))
        return json.loads(marker.read_text())["empty_columns"]

    try:
        prepared = fingerprinted(source, tables=tables, validate=validate)
        if given is source:
            return prepared
        return dataclasses.replace(prepared, declared_by=given.location)
    finally:
        disconnect = getattr(tables.backend, "disconnect", None)
        if disconnect is not None and source.engine != "spark":
            disconnect()


def _record_validation(marker: Path, report: Any) -> None:
    """Raise for a failed validation report; else note its empty optional columns."""
    if not report.ok:
        raise DataValidationError(
            report.render(), report=report,
            hint="fix the data (or the dictionary) and run again; nothing was run",
        )
    empty = sorted(f"{p.table}.{p.column}" for p in report.warnings
                   if p.rule is Rule.COLUMN_EMPTY)
    provenance.write_json(marker, {"empty_columns": empty})


def _validated(key: str, path: Path, shown: str, say: Progress, *,
               typed: bool = False) -> list[str]:
    """Validate the extract once per fingerprint; return its empty optional columns.

    With ``typed`` (a folder) a validation that passes goes on to write the typed
    tables into the kernels' typed cache (:func:`kernels_typed_cache`, with the warm
    kernels' settings :data:`~lifetools.pipeline.kernels.WARM_LOADS`), so that no
    kernel types a table or builds the id list (issue 16); a failed one writes none.
    Data validated before have the entries missing since written again
    (:func:`~lifetools.loading.typed_cache_missing`: a change of the cache key's code
    or format, a pruned cache).

    Raises
    ------
    DataValidationError
        If the data break any dictionary rule: nothing runs on invalid data.
    """
    marker = layout.validated_marker(key)
    folder = kernels_typed_cache() if typed else None
    if not marker.exists() or not marker.read_text().strip():
        say(f"validating {shown}")
        _record_validation(marker, validate_directory(path, sql_cache=layout.sql_cache()))
        if folder is not None:
            write_typed_cache(path, folder, **WARM_LOADS)
    elif folder is not None and typed_cache_missing(path, folder, **WARM_LOADS):
        say(f"typing {shown} for the notebooks")  # validated before, entries gone since
        write_typed_cache(path, folder, **WARM_LOADS)
    return json.loads(marker.read_text())["empty_columns"]


def duckdb_fingerprint(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data fingerprint of a DuckDB database file, computed in the engine, and the
    manifest's engine record (:func:`lifetools.engines.engine_record`).

    The fingerprint has the folder fingerprint's keys: ``tables`` (each table's
    order-independent checksum), ``dictionary`` and ``combined`` (over both, the
    engine's version, as checksums compare on one engine only, and each column's stored
    type: values read as text do not tell a date from text holding a date).
    """
    engine = engines.engine_record(engines.parse_source(path))
    tables = {name: entry["checksum"] for name, entry in engine["tables"].items()}
    dictionary = provenance.dictionary_fingerprint()
    combined = provenance.digest({"tables": tables, "dictionary": dictionary,
                                  "engine": engine["version"],
                                  "types": duckdb_types(path)})
    return {"tables": tables, "dictionary": dictionary, "combined": combined}, engine


def _prepare_duckdb(path: Path, shown: str, say: Progress) -> PreparedData:
    """:func:`prepare_data` for a DuckDB database file: validated, and fingerprinted
    in the engine (row counts and order-independent checksums, no file digest)."""
    if not is_duckdb_file(path):
        raise DataValidationError(f"{shown}: is not a DuckDB database file",
                                  hint="give --data the folder of the extract's tables "
                                       "or a DuckDB database file")
    return fingerprinted(path, validate=lambda key: _validated(key, path, shown, say))


def check_needs(series: Series, data: PreparedData, editions: Sequence[str]) -> None:
    """Refuse, before any notebook runs, an extract missing what a report needs.

    Each analysis declares in ``analyses.yml`` (``needs:``) the optional columns it
    cannot do without (for instance the re-referral report needs discharge dates). An
    optional column with no value in any row passes validation with a warning; here
    every analysis of the editions to build that needs it is named.

    Raises
    ------
    DataValidationError
        Naming each analysis, the column it needs and what to do.
    ParameterError
        A ``needs`` entry that is not an optional column of the data dictionary.
    """
    optional = {f"{t.name}.{f.name}" for t in load_dictionary().tables.values()
                for f in t.fields if not f.required}
    unknown = sorted({n for a in series.analyses for n in a.needs} - optional)
    if unknown:
        raise ParameterError(
            f"analyses.yml: 'needs' names {', '.join(unknown)}, not an optional column "
            "of the data dictionary", hint="write needs as table.column of an optional "
            "column (required columns are always checked)")
    wanted = {a.id for a in series.analyses
              if any(a.in_edition(eid) for eid in editions)}
    missing = [f"analysis '{a.id}' needs column '{name.split('.')[1]}' of table "
               f"'{name.split('.')[0]}', which has no value in any row of this extract"
               for a in series.analyses if a.id in wanted
               for name in a.needs if name in data.empty_columns]
    if missing:
        raise DataValidationError(
            "\n".join(missing),
            hint="fill the column in the extract, or leave the analysis out of the "
                 "edition (its 'editions:' in analyses/analyses.yml); nothing was run")


def plan_runs(
    series: Series,
    data: PreparedData,
    *,
    editions: Sequence[str] | None = None,
    analyses: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    runs_root: Path | None = None,
) -> list[RunSpec]:
    """Return the runs to perform, with typed, checked parameters."""
    runs_root = runs_root or layout.runs_root()
    root = config.project_root()
    chosen = [series.edition(e) for e in editions] if editions else list(series.editions)
    wanted = [series.analysis(a).id for a in analyses] if analyses else None
    specs = []
    for edition in chosen:
        for analysis in series.analyses_in(edition.id):
            if wanted is not None and analysis.id not in wanted:
                continue
            specs.append(RunSpec(
                edition=edition.id,
                analysis=analysis.id,
                source=root / "analyses" / analysis.notebook,
                parameters=series.resolve_parameters(analysis, edition, overrides),
                run_dir=runs_root / edition.id / analysis.id,
                **data.run_fields(),
                sdc_profile=series.sdc_profile.name,
                acro=series.disclosure.acro,
                parameter_words={n: p.words for n, p in analysis.parameters.items()
                                 if p.words},
            ))
    return specs


def edition_manifest(
    series: Series, edition_id: str, data: PreparedData,
    outcomes: Sequence[RunOutcome], source_date: str,
) -> dict[str, Any]:
    """Return the machine-readable manifest of one edition's build.

    It holds no wall-clock time: ``source_date`` is the commit time (or
    ``SOURCE_DATE_EPOCH``), so two builds of one commit write the same manifest.
    """
    edition = series.edition(edition_id)
    runs = [o for o in outcomes if o.spec.edition == edition_id]
    publication = series.publication

    # each executed notebook read once; its stamps serve the three summaries below
    stamps = {o.spec.analysis: output_stamps(layout.RunFolder(o.spec.run_dir).notebook)
              for o in runs}
    unprotected = {name: unprotected_outputs(marks) for name, marks in stamps.items()}
    return {
        "edition": {"id": edition.id, "title": edition.title,
                    "period_start": edition.period_start,
                    "period_end": edition.period_end, "changes": edition.changes},
        "series": series.title,
        "code_version": provenance.code_version(),
        "code_fingerprint": provenance.code_fingerprint(),
        "lock_hash": provenance.lock_hash(),
        "packages": provenance.package_versions(),
        "data": {"fingerprint": dict(data.fingerprint),
                 "synthetic": dict(data.synthetic) if data.synthetic else None,
                 "engine": dict(data.engine) if data.engine else None},
        "analyses": {
            o.spec.analysis: {
                "notebook": o.spec.source.name,
                "notebook_sha256": provenance.sha256_file(o.spec.source),
                "parameters": dict(o.spec.parameters),
                **({"parameter_words": o.spec.words()} if o.spec.parameter_words
                   else {}),
                "key": o.record.get("key"),
                "code_dependencies": (o.record.get("inputs") or {}).get("code", {}),
                "files": layout.RunFolder(o.spec.run_dir).file_hashes(),
                "unprotected_outputs": unprotected[o.spec.analysis],
                "not_estimable": not_estimable_outputs(stamps[o.spec.analysis]),
            }
            for o in runs
        },
        "disclosure": {**disclosure_settings(series.sdc_profile, unprotected),
                       "acro": {"enabled": series.disclosure.acro,
                                "package": provenance.package_versions(["acro"])["acro"],
                                "outputs": {name: acro_verdicts(marks)
                                            for name, marks in stamps.items()}}},
        "citation": provenance.citation(),
        "reproduce": f"lifetools reproduce {edition.id}",
        "repository": publication.repository or None,
        "site_url": publication.site_url or None,
        "source_date": source_date,
    }


def _warn_not_estimable(edition_id: str, manifest: Mapping[str, Any]) -> None:
    """Warn about (and log) every result an edition shows as "could not be estimated".

    The list is in the manifest; it is also written, one line per result, to
    ``build/logs/not-estimable/<edition>.txt`` (rewritten by every build, never
    published), and each line is logged as a warning (hidden by ``-q``).
    """
    lines = [f"{edition_id}/{analysis}: {entry}"
             for analysis, record in sorted(manifest["analyses"].items())
             for entry in record.get("not_estimable", [])]
    log = layout.not_estimable_log(edition_id)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(f"{line}\n" for line in lines))
    for line in lines:
        logger.warning("could not be estimated: %s", line)


def disclosure_settings(profile: disclosure.SdcProfile,
                        unprotected: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The profile and its rules, and whether every published output was protected.

    ``profile`` is the series file's (``disclosure: profile:``); the gate checks each
    edition's outputs with the profile its manifest records here.
    """
    return {"profile": profile.name,
            "rule": disclosure.rule_sentence(profile),
            "source": profile.source,
            "suppression_threshold": profile.threshold,
            "rounding_base": profile.base,
            "rounding": profile.rounding,
            "min_at_risk": profile.min_at_risk,
            "magnitude_threshold": profile.magnitude_threshold,
            "dominance": {"n": profile.nk_n, "k": profile.nk_k,
                          "p_percent": profile.p_percent},
            "model_min_events": profile.model_min_events,
            "secondary_suppression": "counts that add up to published totals",
            "enabled": not any(unprotected.values()),
            "unprotected_outputs": {a: list(n) for a, n in sorted(unprotected.items())
                                    if n}}


def edition_profiles(editions: Sequence[EditionPages]) -> dict[Path, str]:
    """Each notebook's SDC profile: the one its edition's manifest records.

    Editions archived before profiles were recorded were built with ``default``.
    """
    return {layout.RunFolder(p.runs[a]).notebook:
            p.manifest.get("disclosure", {}).get("profile", "default")
            for p in editions for a in p.runs}


def editions_to_print(published: Sequence[str], archived: Sequence[str],
                      republish: Collection[str]) -> list[str]:
    """The editions whose report pages are printed to PDF in this build: every edition
    released by it (not archived before) and every one republished. An archived
    edition's pages are kept as released, PDFs included; a first build of several
    editions (``make report``) printed only the current one, so the older edition was
    released, and frozen, with no PDF (``test_editions_to_print_*``)."""
    return [e for e in published if e not in archived or e in republish]


def older_editions(series: Series, html: Path) -> list[str]:
    """Every edition on the site other than the current one: each gets the archived
    banner, whether it was archived before this build or is released with it (a first
    build of several editions, as ``make report`` makes, published 2023-24 without it;
    ``tests/unit/test_build_manifest.py::test_older_editions_*``)."""
    return [e.id for e in series.editions if e.id != series.current_edition
            and (html / "editions" / e.id).is_dir()]


def parameter_words(series: Series, editions: Sequence[EditionPages]
                    ) -> dict[Path, dict[str, tuple[str, ...]]]:
    """The phrases that name each notebook's parameters in prose: the ``words`` its
    analysis declares in the series file (an analysis since removed has none)."""
    declared = {a.id: {n: p.words for n, p in a.parameters.items() if p.words}
                for a in series.analyses}
    return {layout.RunFolder(p.runs[a]).notebook: declared.get(a, {})
            for p in editions for a in p.runs}


def _archived(edition_id: str) -> bool:
    return layout.archive_manifest(edition_id).exists()


def _archive_pages(series: Series, edition_id: str) -> EditionPages:
    folder = layout.archive_dir(edition_id)
    manifest = json.loads(layout.archive_manifest(edition_id).read_text())
    order = [a.id for a in series.analyses]

    def position(analysis: str) -> tuple[int, str]:
        # series order, as in a fresh build; analyses since removed go last
        rank = order.index(analysis) if analysis in order else len(order)
        return rank, analysis

    runs = {a: folder / a for a in sorted(manifest["analyses"], key=position)}
    return EditionPages(series.edition(edition_id), runs, manifest)


def _path_roots() -> dict[str, Path]:
    package = Path(provenance.__file__).resolve().parents[2]
    return {"<project>": config.project_root(), "<build>": config.build_dir().resolve(),
            "<lifetools>": package}


def _stage_archive(pages: EditionPages, staged: Path) -> EditionPages:
    """Copy an edition's runs into ``staged`` as they will be archived and published.

    Run records lose their wall-clock fields and notebooks the build machine's
    absolute paths, so the archive (and the pages built from it) are the same on
    every clone. Returns the pages pointing at the staged copy.
    """
    shutil.rmtree(staged, ignore_errors=True)
    roots = _path_roots()
    runs = {}
    for analysis, run_dir in pages.runs.items():
        target = staged / analysis
        shutil.copytree(run_dir, target)
        folder = layout.RunFolder(target)
        record = json.loads(folder.record.read_text())
        for name in VOLATILE_RECORD_FIELDS:
            record.pop(name, None)
        provenance.write_json(folder.record, record)
        text = folder.notebook.read_text(encoding="utf-8")
        folder.notebook.write_text(provenance.scrub_paths(text, roots), encoding="utf-8")
        runs[analysis] = target
    provenance.write_json(staged / layout.MANIFEST, pages.manifest)
    return EditionPages(pages.edition, runs, pages.manifest)


SITE_RECORD = layout.SITE_RECORD


def _site_key(editions: Sequence[EditionPages], *, draft: bool,
              corrections: Sequence[Mapping[str, Any]]) -> str:
    """Hash everything the site is built from: runs, archives, fixed pages, code."""
    root = config.project_root()
    fixed = [root / "_config.yml", root / "CITATION.cff", root / "GLOSSARY.md",
             root / "analyses" / "analyses.yml",
             *sorted(p for p in (root / "book").rglob("*") if p.is_file())]
    return provenance.digest({
        # the record and the notebook: a re-rendered run changes its markdown only
        "editions": {p.edition.id: {a: [provenance.sha256_file(layout.RunFolder(d).record),
                                        provenance.sha256_file(layout.RunFolder(d).notebook)]
                                    for a, d in sorted(p.runs.items())}
                     for p in editions},
        "fixed": {str(p.relative_to(root)): provenance.sha256_file(p)
                  for p in fixed if p.exists()},
        "dictionary": provenance.dictionary_fingerprint(),
        "code": provenance.code_fingerprint(),
        "lock": provenance.lock_hash(),
        "draft": draft,
        "corrections": list(corrections),
        "rap": [dataclasses.astuple(c) for c in rap.assess()],
    })


def _published_key(record: Path) -> str | None:
    return json.loads(record.read_text()).get("key") if record.exists() else None


def build_series(
    *,
    data_dir: Path | str | None = None,
    jobs: int | None = None,
    force: bool = False,
    keep_going: bool = False,
    republish: Mapping[str, str] | Sequence[str] = (),
    draft: bool = False,
    progress: Progress | None = None,
    series: Series | None = None,
) -> BuildSummary:
    """Run every analysis that needs it, gate the outputs, build and publish the site.

    Parameters
    ----------
    data_dir
        The analysis tables; ``None`` uses the embedded synthetic dataset.
    jobs
        Notebooks run at once (default: the number of cores).
    force
        Re-execute every notebook even if its cache key is unchanged.
    keep_going
        Run every notebook even after one fails (the build still fails).
    republish
        Archived editions to re-execute and publish as a new version, each with the
        reason for the correction (required; recorded in the corrections log). The
        released version is kept and stays published.
    draft
        Build from a work tree with uncommitted changes: every page says DRAFT and the
        site goes to ``public/draft``; the live site and the archive are not touched.
    progress
        Called with one line of text for each step.

    Raises
    ------
    UnversionedCodeError
        Publishing (not a draft) from a work tree whose tracked inputs differ from HEAD.
    UnreachableCommitError
        Publishing (not a draft) from a commit on no branch or tag.
    DataValidationError, AnalysisRunError, DisclosureError, BuildError, ParameterError
        Nothing is published when any step fails; the previous site stays as it was.
    """
    say = progress or (lambda _line: None)
    clock = time.monotonic()
    cpu = _cpu_seconds()
    timings: dict[str, float] = {}
    series = series or load_series()
    # the DuckDB settings checked here (exit 3), not first in a notebook's kernel, where
    # a bad one would fail a run (exit 14) after earlier notebooks ran
    duckdb_settings()
    clean_stale_folders()
    if not isinstance(republish, Mapping):
        republish = {eid: "" for eid in republish}
    for eid, reason in republish.items():
        series.edition(eid)
        if not reason.strip():
            raise ParameterError(f"--republish {eid} needs a reason",
                                 hint="add --reason TEXT: it is shown in the corrections "
                                 "log on the site")
        # read as the site scan reads the corrections page that publishes it
        said = [rule for rule, _ in page_findings(reason, html=False, on_data=True,
                                                  profile=series.sdc_profile)]
        if said:  # the reason is published as typed: refused now, not after the runs
            raise DisclosureError(
                f"the reason for --republish {eid} is published on the corrections "
                f"page and the publish gate refuses it: {', '.join(dict.fromkeys(said))}",
                hint="say what was corrected and why without identifiers, paths or "
                "counts of people (counts are in the corrected pages)")
    version = integrity.check_versioned(draft=draft)
    if not draft:
        integrity.check_reachable(version.get("commit"), what="this build")
    source_date = provenance.source_date()
    check_window_before_generating(series, data_dir=data_dir)
    data = prepare_data(series, data_dir=data_dir, progress=say)
    timings["data"] = time.monotonic() - clock
    timings["data_cpu"] = _cpu_seconds() - cpu
    integrity.check_data_window(series, data.path, synthetic=data.synthetic is not None,
                                declared_by=data.declared_by)
    to_run = [e.id for e in series.editions
              if e.id == series.current_edition or not _archived(e.id)
              or e.id in republish]
    archived = [e.id for e in series.editions if e.id not in to_run]
    check_needs(series, data, to_run)
    for eid in archived:
        say(f"kept    {eid} (archived edition, never rewritten)")
    specs = plan_runs(series, data, editions=to_run)
    outcomes = execute_runs(specs, jobs=jobs, force=force, keep_going=keep_going,
                            progress=say)
    timings["runs"] = time.monotonic() - clock - timings["data"]
    timings["runs_cpu"] = _cpu_seconds() - cpu - timings["data_cpu"]
    raise_for_failures(outcomes)
    stage = layout.stage_root() / "release"
    shutil.rmtree(layout.stage_root(), ignore_errors=True)
    editions = [_archive_pages(series, eid) for eid in archived]
    fresh = []
    for eid in to_run:
        runs = {o.spec.analysis: o.spec.run_dir for o in outcomes if o.spec.edition == eid}
        manifest = edition_manifest(series, eid, data, outcomes, source_date)
        _warn_not_estimable(eid, manifest)
        fresh.append(EditionPages(series.edition(eid), runs, manifest))
    corrections = (integrity.corrections(series, republish, fresh, source_date,
                                version.get("commit")) if not draft else [])
    staged_archives = {}
    for pages in fresh:
        eid = pages.edition.id
        if not draft:
            pages.manifest["corrections"] = [c for c in corrections if c["edition"] == eid]
        staged = _stage_archive(pages, stage / "archives" / eid)
        if eid in republish and not draft and _archived(eid):
            integrity.stage_versions(eid, stage / "archives" / eid)
        elif not draft and layout.archive_versions(eid).is_dir():  # earlier versions stay
            versions = layout.archive_versions(eid)
            shutil.copytree(versions, stage / "archives" / eid / versions.name)
        staged_archives[eid] = stage / "archives" / eid
        editions.append(staged)
    notebooks = [layout.RunFolder(p.runs[a]).notebook for p in editions for a in p.runs]

    say(f"checking {len(notebooks)} notebooks at the publish gate")
    released = {layout.RunFolder(p.runs[a]).notebook: p.edition.id for p in editions
                if p.edition.id in archived for a in p.runs}
    assert_publishable(notebooks, edition_profiles(editions),
                       parameter_words(series, editions), released)
    say("checking the release for differencing (every edition, every table)")
    check_release(editions, frozen=archived)
    key = _site_key(editions, draft=draft, corrections=corrections)
    live = layout.draft_dir() / SITE_RECORD if draft else layout.site_dir() / SITE_RECORD
    if not force and _published_key(live) == key:
        say("site unchanged: nothing to publish")
        shutil.rmtree(stage, ignore_errors=True)
        return BuildSummary(outcomes, archived, live.parent, time.monotonic() - clock,
                            timings)
    say("building the book")
    with disclosure.use_profile(series.sdc_profile.name):  # words such as "fewer than 8"
        book = assemble_book(stage, series=series, editions=editions,
                             corrections=corrections)
    html = build_html(book, log=layout.logs_dir() / "book.log")
    frozen = release.freeze_archived_pages(html, archived)
    release.publish_versions(html, {**{e: layout.archive_dir(e) for e in archived},
                                    **staged_archives})
    release.mark_corrections(html, corrections,
                             titles={a.id: a.title for a in series.analyses})
    printing = editions_to_print([p.edition.id for p in editions], archived, republish)
    printed = [path for p in editions if p.edition.id in printing
               for path in pdf.print_edition(html, series, p.edition, p.runs, p.manifest)]
    say(f"printed {len(printed)} report PDFs" if printed else
        "no report PDFs: chromium is not installed or could not print")
    for eid, folder in staged_archives.items():
        shutil.copytree(html / "editions" / eid, folder / layout.EDITION_HTML)
    if frozen:
        say(f"kept    the pages of {', '.join(frozen)} as released")
    release.mark_archived(html, older_editions(series, html), current=series.current_edition,
                          title=series.edition(series.current_edition).title)
    provenance.write_json(html / SITE_RECORD, {"key": key})
    say("checking the built site at the publish gate")
    # each report page's tables are read by their columns' kinds, from its notebook
    owners = {f"editions/{p.edition.id}/{a}.html": layout.RunFolder(p.runs[a]).notebook
              for p in editions for a in p.runs}
    assert_site_publishable(html, series.sdc_profile, released=sorted(archived),
                            owners=owners)
    timings["book"] = time.monotonic() - clock - timings["data"] - timings["runs"]
    timings["book_cpu"] = (_cpu_seconds() - cpu - timings["data_cpu"]
                           - timings["runs_cpu"])
    if draft:
        release.stamp_draft(html)
        site = release.publish_draft(html)
        say(f"draft site (not published): {site}")
    else:
        site = release.publish(release.Release(key[:16], html, staged_archives,
                                               corrections))
    shutil.rmtree(stage, ignore_errors=True)
    seconds = time.monotonic() - clock
    _log_timings(timings, outcomes, seconds)
    return BuildSummary(outcomes, archived, site, seconds, timings)


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and of every child it has reaped.

    Warm kernels are reaped when the notebook phase ends and papermill, jupyter-book and
    chromium children when they exit, so each phase's difference covers its children
    (the ``*_cpu`` timings: wall time on a shared machine says more about the load).
    """
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _log_timings(timings: Mapping[str, float], outcomes: Sequence[RunOutcome],
                 seconds: float) -> None:
    """Write the build's wall-clock and CPU timings to build/logs (never to the site)."""
    provenance.write_json(layout.timings_log(), {
        "finished_at": provenance.utc_now(), "seconds": round(seconds, 1),
        "steps": {k: round(v, 1) for k, v in timings.items()},
        "runs": {o.spec.label: {"status": o.status, "seconds": round(o.seconds, 1),
                                "why": run_reasons(o)}
                 for o in outcomes}})


def run_reasons(outcome: RunOutcome) -> list[str]:
    """Why a run ran (its record's ``cause``) or was reused (inputs unchanged)."""
    if outcome.status == "reused":
        return ["reused: its inputs are unchanged"]
    if outcome.status == "rerendered":
        return list(outcome.record.get("rendered") or [])
    if outcome.status == "failed":
        return [outcome.error or "failed"]
    return list(outcome.record.get("cause") or [])


def clean_stale_folders() -> list[Path]:
    """Remove the temporary folders (``.partial-``, ``.old-``, ``.new-``) of dead runs.

    Looks where the pipeline writes them: beside each run folder, the synthetic data,
    the edition archives and the site. Folders of a process still running are kept
    (:func:`lifetools.pipeline.layout.clean_stale`). Returns what was removed.
    """
    folders = [config.public_dir(), layout.archive_dir("_").parent,
               config.default_data_dir().parent]
    for root in (layout.runs_root(), layout.adhoc_root()):
        if root.is_dir():
            folders += [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    removed = [path for folder in folders for path in layout.clean_stale(folder)]
    for path in removed:
        logger.info("removed %s, left by a run that did not finish", path.name)
    return removed


def run_analyses(
    *,
    analysis: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    edition: str | None = None,
    data_dir: Path | str | None = None,
    jobs: int | None = None,
    force: bool = False,
    keep_going: bool = False,
    progress: Progress | None = None,
    series: Series | None = None,
) -> list[RunOutcome]:
    """Execute analysis notebooks outside a build (``lifetools run``); publish nothing.

    Every run's parameters are resolved and checked against their declared domains
    before the data are prepared, so a mistyped parameter fails at once. Runs with
    ``overrides`` go to ``build/adhoc/`` and never change what a build publishes.

    Parameters
    ----------
    analysis
        One analysis id (or notebook stem); ``None`` runs every analysis.
    overrides
        Parameter values (often command-line strings) for ``analysis``.
    edition
        The edition whose period to use; default the current edition for one analysis,
        every edition otherwise.

    Raises
    ------
    ParameterError
        If the edition, the analysis or a parameter is unknown or outside its domain,
        or ``overrides`` are given without an analysis, or an edition's period lies
        outside the data's referral dates (one line per report, nothing runs).
    DataValidationError
        If the data break the dictionary's rules: nothing runs.
    """
    series = series or load_series()
    overrides = dict(overrides or {})
    if overrides and not analysis:
        raise ParameterError("parameters belong to one analysis: name it")
    editions = [edition] if edition else ([series.current_edition] if analysis else None)
    chosen = [series.edition(e) for e in editions] if editions else list(series.editions)
    wanted = series.analysis(analysis).id if analysis else None
    for each in chosen:
        for item in series.analyses_in(each.id):
            if wanted in (None, item.id):
                series.resolve_parameters(item, each, overrides)
    runs_root = layout.adhoc_root() if overrides else layout.runs_root()
    clean_stale_folders()
    limits = {"editions": [e.id for e in chosen], "analyses": [wanted] if wanted else None,
              "overrides": overrides}
    check_window_before_generating(series, data_dir=data_dir, **limits)
    data = prepare_data(series, data_dir=data_dir, progress=progress)
    # as a build does: a report of an edition beyond the data's dates is refused, not
    # run on no referrals (issue 14: `run --edition` ran it with exit 0)
    integrity.check_data_window(series, data.path, **limits,
                                synthetic=data.synthetic is not None,
                                declared_by=data.declared_by)
    specs = plan_runs(series, data, editions=editions, analyses=[wanted] if wanted else None,
                      overrides=overrides, runs_root=runs_root)
    return execute_runs(specs, jobs=jobs, force=force, keep_going=keep_going,
                        progress=progress)
