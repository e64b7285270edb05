"""Re-execute a *published* edition and compare it with what was published, number by number.

``lifetools reproduce EDITION`` reads the edition's manifest and result files from a
published site: a folder holding a copy of the site, a ``file://`` URL, an ``http(s)``
URL, or by default the ``publication.site_url`` of ``analyses/analyses.yml`` when set, else the
local ``public/site``. It refuses to run when the code, the lock file or the installed
statistical stack differ from the manifest's (each difference named, with the command
that fixes it), obtains the same input data (the synthetic dataset regenerated from its
recorded size and seed, or ``--data DIR``), re-executes every analysis with the recorded
parameters into ``build/reproduce/<edition>/`` and compares every published file: byte
for byte, and for CSV and JSON files cell by cell (table, row, column, published value,
reproduced value).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shlex
import shutil
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifetools import config, engines
from lifetools.disclosure.downloads import read_csv
from lifetools.errors import (
    ParameterError,
    ReproducibilityError,
    UnreachableCommitError,
)
from lifetools.pipeline import integrity, layout, provenance
from lifetools.pipeline.build import PreparedData, fingerprinted
from lifetools.pipeline.runner import RunSpec, execute_runs, raise_for_failures
from lifetools.pipeline.series import load_series
from lifetools.synthetic import write_synthetic

__all__ = ["Reproduction", "ValueDifference", "compare_file", "data_differences",
           "difference_error", "environment_differences", "manifest_specs",
           "method_difference", "read_manifest", "reproduce_edition", "site_source"]

logger = logging.getLogger(__name__)

FETCH_TIMEOUT = 300
"""Seconds to wait for one published file: a slow answer (a busy server) is not an
absent file."""

Progress = Callable[[str], None]
SHOWN = 40


@dataclass(frozen=True)
class ValueDifference:
    """One published number that was not reproduced."""

    table: str
    row: str
    column: str
    published: str
    reproduced: str

    def __str__(self) -> str:
        return (f"{self.table}  row {self.row}  column {self.column}: published "
                f"{self.published}, reproduced {self.reproduced}")


@dataclass(frozen=True)
class Reproduction:
    """The outcome of reproducing an edition: files compared and differences."""

    edition: str
    files_compared: int
    differences: tuple[str, ...]
    values: tuple[ValueDifference, ...] = ()
    folder: Path | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def identical(self) -> bool:
        """True when every published file was reproduced byte for byte."""
        return not self.differences


class SiteSource:
    """Read files of a published site from a folder or a URL."""

    def __init__(self, where: str | Path) -> None:
        text = str(where)
        parsed = urllib.parse.urlparse(text)
        self.url = text.rstrip("/") if parsed.scheme in {"http", "https"} else None
        self.folder = (Path(urllib.parse.unquote(parsed.path)) if parsed.scheme == "file"
                       else None if self.url else Path(text))
        self.where = text

    def read(self, relative: str) -> bytes | None:
        """Return the file's bytes, or None when the site has no such file."""
        if self.folder is not None:
            path = self.folder / relative
            return path.read_bytes() if path.is_file() else None
        try:
            with urllib.request.urlopen(f"{self.url}/{relative}",
                                        timeout=FETCH_TIMEOUT) as answer:
                return answer.read()
        except OSError:
            return None


def site_source(site: str | Path | None) -> SiteSource:
    """The published site to reproduce: ``site``, else the configured URL, else local."""
    if site is None:
        series_file = config.project_root() / "analyses" / "analyses.yml"
        site = ((load_series(series_file).publication.site_url if series_file.exists()
                 else "") or layout.site_dir())
    return SiteSource(site)


#: What a manifest must record for its edition to be reproduced and compared: without
#: it there would be nothing to run, or nothing to check the published files against.
MANIFEST_NEEDS = ("code_fingerprint", "lock_hash", "packages", "data.fingerprint.combined",
                  "analyses")
ANALYSIS_NEEDS = ("notebook", "parameters", "files")


def read_manifest(raw: bytes, where: str) -> dict[str, Any]:
    """Read a published manifest, refusing one that cannot be reproduced from.

    A file that is not JSON (an error page served in its place, a truncated download)
    or that lacks what reproducing needs (the environment record, the data fingerprint,
    the analyses with their notebooks, parameters and published files) is refused, each
    missing entry named: an edition with no analyses or no published files would
    otherwise be "reproduced exactly" with nothing compared.

    Raises
    ------
    ReproducibilityError
        If the manifest is not JSON or misses an entry (before anything runs).

    Notes
    -----
    Tested in ``tests/unit/test_reproduce.py``.
    """
    hint = ("pass the published site's folder or address with `--site` (the folder "
            "holding index.html and editions/), or download the release again")
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise ReproducibilityError(
            f"{where} is not a lifetools manifest (not JSON: {raw[:40]!r}...)",
            hint=hint) from None
    if not isinstance(manifest, dict):
        raise ReproducibilityError(f"{where} is not a lifetools manifest", hint=hint)
    missing = []
    for dotted in MANIFEST_NEEDS:
        value: Any = manifest
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value in (None, "", {}, []):
            missing.append(dotted)
    analyses = manifest.get("analyses")
    for name, entry in sorted(analyses.items() if isinstance(analyses, dict) else ()):
        missing += [f"analyses.{name}.{key}" for key in ANALYSIS_NEEDS
                    if not isinstance(entry, dict)
                    or not isinstance(entry.get(key), str if key == "notebook" else dict)
                    or (key == "files" and not entry[key])]
    if missing:
        raise ReproducibilityError(
            f"{where} cannot be reproduced from: it records no "
            + ", ".join(missing), hint=hint)
    return manifest


def environment_differences(manifest: Mapping[str, Any]) -> list[str]:
    """Name every way this environment differs from the one that built the edition."""
    found = []
    root = config.project_root()
    for name, entry in sorted(manifest.get("analyses", {}).items()):
        notebook = root / "analyses" / entry["notebook"]
        here = provenance.sha256_file(notebook) if notebook.exists() else "missing"
        if entry.get("notebook_sha256") and entry["notebook_sha256"] != here:
            found.append(f"notebook analyses/{entry['notebook']} ({name}) differs from the "
                         "published edition's")
    if manifest.get("code_fingerprint") != provenance.code_fingerprint():
        found.append("code: the lifetools source differs from the published edition's "
                     f"(fingerprint {str(manifest.get('code_fingerprint'))[:12]} "
                     f"published, {provenance.code_fingerprint()[:12]} here)")
    if manifest.get("lock_hash") != provenance.lock_hash():
        found.append("lock file: requirements.lock differs from the published edition's "
                     f"({str(manifest.get('lock_hash'))[:12]} published, "
                     f"{str(provenance.lock_hash())[:12]} here)")
    recorded = manifest.get("packages", {})
    installed = provenance.package_versions(n for n in recorded if n != "python")
    for name in sorted(recorded):
        if name == "python":
            python = _python_difference(str(recorded[name]))
            found += [python] if python else []
            continue
        here = installed.get(name)
        if recorded[name] != here:
            found.append(f"package {name}: {recorded[name]} published, {here} installed")
    return found


def _python_difference(recorded: str) -> str | None:
    """Python's version as a difference, when its feature release (3.11) differs.

    ``requirements.lock`` pins wheels for one feature release; a bug-fix release
    (3.11.7 and 3.11.9) installs the same wheels, and the comparison of every published
    number still decides. Refusing it sent a collaborator with another 3.11 to a hint
    (``pip install -r requirements.lock``) that cannot change Python.
    """
    here = provenance.package_versions(())["python"]
    if recorded.split(".")[:2] == here.split(".")[:2]:
        return None
    wanted = ".".join(recorded.split(".")[:2])
    return (f"Python {recorded} published, {here} here: make a new .venv with Python "
            f"{wanted} (`rm -rf .venv && make setup PYTHON=python{wanted}`)")


def _fix_command(manifest: Mapping[str, Any]) -> str:
    """The command that gives this checkout the recorded code and environment.

    Uncommitted changes in the work tree are put aside first (``git stash``): a
    ``git checkout`` of the commit already checked out keeps them, and they are what
    differs.
    """
    commit = (manifest.get("code_version") or {}).get("commit") or "<the recorded commit>"
    python = _this_python()
    changed = provenance.changed_files() or []
    stash = ("git stash -u && " if any(c.endswith(provenance.UNTRACKED) for c in changed)
             else "git stash && " if changed else "")
    return (f"{stash}git checkout {commit} && {python} -m pip install -r requirements.lock "
            f"&& {python} -m pip install --no-deps -e .  (then run this command again)")


def _uncommitted() -> list[str]:
    """A line naming this checkout's uncommitted changes, when it has any."""
    changed = provenance.changed_files() or []
    return ([f"this checkout has uncommitted changes: {', '.join(changed[:10])}"
             + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")]
            if changed else [])


def _this_python() -> str:
    """The Python running lifetools, as a command to type here (``.venv/bin/python``).

    The hint installs into the environment that runs ``reproduce``: a bare ``python``
    is the system's outside the project's ``.venv`` (``make setup``'s; ``make setup``
    itself reinstalls only when the lock file changed, not a package installed by hand).
    """
    executable = Path(sys.executable)
    try:
        shown = str(executable.relative_to(Path.cwd()))
    except ValueError:
        shown = str(executable)
    return shlex.quote(shown)


def _data(manifest: Mapping[str, Any], data_dir: Path | str | None,
          say: Progress) -> PreparedData:
    recorded = manifest["data"]
    synthetic = recorded.get("synthetic")
    if data_dir is None:
        if not synthetic:
            raise ParameterError(
                "this edition was built from a real extract, not synthetic data",
                hint="pass the same extract with `--data DIR`",
            )
        data_dir = layout.reproduce_root("data")
        shutil.rmtree(data_dir, ignore_errors=True)
        say(f"regenerating synthetic data: {synthetic['people']:,} people, "
            f"seed {synthetic['seed']}")
        write_synthetic(data_dir, people=synthetic["people"], seed=synthetic["seed"])
    if isinstance(data_dir, str) and "://" in data_dir and not Path(data_dir).exists():
        return fingerprinted(engines.parse_source(data_dir))  # a server: fingerprinted there
    # the fingerprint and column keys the build gives its runs: a run's key covers the
    # columns it read, so the reproduced run records the published key
    return fingerprinted(Path(data_dir).resolve(), synthetic=synthetic)


def data_differences(recorded: Mapping[str, Any], here: Mapping[str, Any]) -> list[str]:
    """Name each table file and the dictionary whose hash differs from the manifest's.

    A fingerprint made by an engine (no per-file hashes) differs as a whole.
    Tested in ``tests/unit/test_reproduce.py``.
    """
    published, found = recorded.get("tables"), here.get("tables")
    lines = []
    if isinstance(published, Mapping) and isinstance(found, Mapping):
        for name in sorted(set(published) | set(found)):
            if name not in found:
                lines.append(f"table {name}: published, missing here")
            elif name not in published:
                lines.append(f"table {name}: here, not in the published edition")
            elif published[name] != found[name]:
                lines.append(f"table {name}: SHA-256 {str(published[name])[:12]} "
                             f"published, {str(found[name])[:12]} here")
    if recorded.get("dictionary") != here.get("dictionary"):
        lines.append("the data dictionary (data_dictionary/) differs from the one the "
                     "edition was built with")
    return lines or [f"data fingerprint {str(recorded.get('combined'))[:12]} published, "
                     f"{str(here.get('combined'))[:12]} here"]


def method_difference(recorded: Any, current: Any) -> str | None:
    """Why two engine records' checksums cannot be compared, or None.

    A DuckDB file's or a server's data fingerprint is made of checksums computed in
    the engine (:data:`lifetools.engines.CHECKSUM_METHOD`, recorded as the engine
    record's ``method``); made by another method (an edition built before the 64-bit
    sums, whose method has no version), or on another engine, they differ for the same
    data. A folder's fingerprint is its files' SHA-256 and never depends on them.
    Tested in ``tests/unit/test_reproduce.py``.
    """
    if not isinstance(recorded, Mapping) or not isinstance(current, Mapping):
        return None
    if current.get("source") not in ("duckdb", "postgres", "spark"):
        return None
    if recorded.get("engine") != current.get("engine"):
        return (f"it was computed on {recorded.get('engine')}, the data here are on "
                f"{current.get('engine')}")
    if recorded.get("method") != current.get("method"):
        return ("its checksums were made by another method than this version of "
                "lifetools makes (the manifest's data.engine.method)")
    return None


def _json_leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _json_leaves(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def compare_file(table: str, published: bytes, reproduced: bytes) -> list[ValueDifference]:
    """Return every value that differs between a published and a reproduced file.

    CSV files are compared cell by cell (row named by its first cell, column by its
    header); JSON files leaf by leaf (row is the path to the value). Other files that
    differ give one difference for the whole file.
    """
    if published == reproduced:
        return []
    found = []
    try:
        if table.endswith(".csv"):
            head_a, rows_a = read_csv(published)
            head_b, rows_b = read_csv(reproduced)
            columns = head_a if head_a == head_b else sorted(set(head_a) | set(head_b))
            for index in range(max(len(rows_a), len(rows_b))):
                a = dict(zip(head_a, rows_a[index], strict=False)) if index < len(rows_a) else {}
                b = dict(zip(head_b, rows_b[index], strict=False)) if index < len(rows_b) else {}
                label = (rows_a[index] if index < len(rows_a) else rows_b[index])[:1]
                row = f"{index + 1} ({label[0]})" if label else str(index + 1)
                found += [ValueDifference(table, row, column, a.get(column, "(absent)"),
                                          b.get(column, "(absent)"))
                          for column in columns if a.get(column) != b.get(column)]
            return found or [ValueDifference(table, "-", "-", "(bytes)", "(bytes differ)")]
        if table.endswith(".json"):
            a = dict(_json_leaves(json.loads(published)))
            b = dict(_json_leaves(json.loads(reproduced)))
            found = [ValueDifference(table, path, "value", json.dumps(a.get(path, "(absent)")),
                                     json.dumps(b.get(path, "(absent)")))
                     for path in sorted(set(a) | set(b)) if a.get(path) != b.get(path)]
            return found or [ValueDifference(table, "-", "-", "(bytes)", "(bytes differ)")]
    except (UnicodeDecodeError, ValueError):
        pass
    return [ValueDifference(table, "-", "-",
                            f"sha256 {hashlib.sha256(published).hexdigest()[:12]}",
                            f"sha256 {hashlib.sha256(reproduced).hexdigest()[:12]}")]


def manifest_specs(manifest: Mapping[str, Any], edition_id: str, *, data: PreparedData,
                   sources: Path, runs_root: Path) -> list[RunSpec]:
    """The runs of a published edition as its manifest records them: each analysis's
    notebook, parameters and the words naming them in prose, the profile and ACRO.

    The data fields come from where the build's do
    (:meth:`lifetools.pipeline.build.PreparedData.run_fields`), keyed by the data
    fingerprint the manifest records (``data.fingerprint``: the same as ``data``'s,
    which :func:`reproduce_edition` checks first), so that a reproduced run of
    unchanged data and code records the published run's key (the manifest's
    ``analyses.<name>.key``). A manifest whose fingerprint lists no tables gives runs
    keyed by every table.
    """
    disclosure = manifest.get("disclosure", {})
    fields = data.run_fields((manifest.get("data") or {}).get("fingerprint") or None)
    return [
        RunSpec(edition=edition_id, analysis=name, source=sources / entry["notebook"],
                parameters=entry["parameters"], run_dir=runs_root / name, **fields,
                sdc_profile=disclosure.get("profile", "default"),
                acro=bool(disclosure.get("acro", {}).get("enabled")),
                parameter_words={k: tuple(v) for k, v in
                                 (entry.get("parameter_words") or {}).items()})
        for name, entry in sorted(manifest["analyses"].items())
    ]


def reproduce_edition(
    edition_id: str,
    *,
    site: str | Path | None = None,
    data_dir: Path | str | None = None,
    jobs: int | None = None,
    allow_drift: bool = False,
    progress: Progress | None = None,
) -> Reproduction:
    """Re-execute a published edition and compare every published file and number.

    Parameters
    ----------
    site
        The published site: a folder, a ``file://`` or ``http(s)://`` URL. Default: the
        ``publication.site_url`` in ``analyses/analyses.yml``, else the local ``public/site``.
    allow_drift
        Run even when code, lock file or packages differ from the manifest (the
        differences are then reported as notes; the comparison still decides).

    Raises
    ------
    ParameterError
        If the site has no such edition.
    ReproducibilityError
        If the environment differs from the manifest's (before anything runs), or if any
        published file or number differs (each one named).
    UnreachableCommitError
        If the manifest's commit is not in this repository's history or on no branch or
        tag (before anything runs; a note with ``allow_drift``).
    """
    say = progress or (lambda _line: None)
    source = site_source(site)
    base = f"editions/{edition_id}"
    raw = source.read(f"{base}/{layout.MANIFEST}")
    if raw is None:
        raise ParameterError(
            f"edition {edition_id!r} is not published at {source.where} "
            f"(no {base}/{layout.MANIFEST})",
            hint="pass the published site with `--site URL_OR_FOLDER`; list its "
            "editions on its archive page")
    manifest = read_manifest(raw, f"{source.where}/{base}/{layout.MANIFEST}")
    drift = environment_differences(manifest)
    if drift and not allow_drift:
        raise ReproducibilityError(
            f"edition {edition_id} was built with another environment; a run here would "
            "not test the published numbers:\n  " + "\n  ".join(drift + _uncommitted()),
            hint=_fix_command(manifest))
    commit = (manifest.get("code_version") or {}).get("commit")
    try:
        integrity.check_reachable(commit, what=f"edition {edition_id}'s manifest")
    except UnreachableCommitError as exc:
        if not allow_drift:
            raise
        drift.append(str(exc))
    notes = tuple(drift)
    for line in drift:
        say(f"note: {line}")
    data = _data(manifest, data_dir, say)
    if data.fingerprint["combined"] != manifest["data"]["fingerprint"]["combined"]:
        other = method_difference(manifest["data"].get("engine"), data.engine)
        if other:
            raise ReproducibilityError(
                f"edition {edition_id}: its data fingerprint cannot be compared: {other}",
                hint=_fix_command(manifest))
        regenerated = data_dir is None
        raise ReproducibilityError(
            f"edition {edition_id}: the input data "
            + ("regenerated here " if regenerated else "")
            + "differ from the published edition's:\n  "
            + "\n  ".join(data_differences(manifest["data"]["fingerprint"],
                                            data.fingerprint) + _uncommitted()),
            hint=(_fix_command(manifest) if regenerated else
                  "pass the extract the edition was built from with `--data DIR`"))
    root = config.project_root()
    runs_root = layout.reproduce_root(edition_id)
    say(f"reproducing into {runs_root}")
    specs = manifest_specs(manifest, edition_id, data=data, sources=root / "analyses",
                           runs_root=runs_root)
    outcomes = execute_runs(specs, jobs=jobs, force=True, keep_going=True, progress=say)
    raise_for_failures(outcomes)
    compared, differences, values, tampered = 0, [], [], []
    for spec in specs:
        recorded = manifest["analyses"][spec.analysis]["files"]
        folder = layout.RunFolder(spec.run_dir).files
        current = layout.RunFolder(spec.run_dir).file_hashes()
        for name in sorted(set(recorded) | set(current)):
            compared += 1
            table = f"{spec.analysis}/{name}"
            published = source.read(f"{base}/{table}")
            if published is not None and name in recorded \
                    and hashlib.sha256(published).hexdigest() != recorded[name]:
                differences.append(f"{table}: the published file does not match its "
                                   "manifest hash")
                tampered.append(table)
            if name not in current:
                differences.append(f"{table}: published, not reproduced")
            elif published is None:
                differences.append(f"{table}: reproduced, not published")
            else:
                found = compare_file(table, published, (folder / name).read_bytes())
                if found:
                    differences.append(f"{table}: {len(found)} value(s) differ")
                    values += found
    result = Reproduction(edition_id, compared, tuple(differences), tuple(values),
                          runs_root, notes)
    logger.info("edition %s: %d files compared, %d differ", edition_id, compared,
                len(differences))
    if differences:
        raise difference_error(result, tampered=tampered,
                               fix=_fix_command(manifest) if notes else None)
    return result


def difference_error(result: Reproduction, *, tampered: list[str] | tuple[str, ...] = (),
                     fix: str | None = None) -> ReproducibilityError:
    """The error of a reproduction that found differences: each file once, and the fix.

    A file can differ twice (its published bytes against the manifest's hash, and its
    values against the re-execution): the count is of files. A published file whose
    bytes do not match the hash its edition's manifest recorded was changed after
    publication: the hint says so (not "report this as a bug"). ``fix``: the command
    that restores the recorded environment, when the environment drifted.

    Notes
    -----
    Checked by ``tests/unit/test_reproduce.py``.
    """
    files = {line.split(": ", 1)[0] for line in result.differences}
    lines = [str(v) for v in result.values[:SHOWN]]
    more = ([f"... and {len(result.values) - SHOWN} more values"]
            if len(result.values) > SHOWN else [])
    if tampered:
        hint = (f"{len(tampered)} published file(s) changed after publication (their "
                "bytes do not match the edition's manifest): compare the site with the "
                "release it was published from")
    elif fix:
        hint = fix
    else:
        hint = "the code, lock file and packages match the manifest: report this as a bug"
    return ReproducibilityError(
        f"edition {result.edition}: {len(files)} of {result.files_compared} files differ "
        f"(reproduced files in {result.folder}):\n  "
        + "\n  ".join(result.differences[:50])
        + ("\n  table  row  column: published, reproduced\n  " + "\n  ".join(lines + more)
           if lines else ""),
        hint=hint)
