"""The folder layout of the pipeline: the one owner of every path it writes or reads.

Runs, the edition archive, the site releases, manifests and the temporary folders of a
publish step are named here and nowhere else, so the runner, the build, the book and
``reproduce`` cannot disagree about where a file is::

    build/runs/<edition>/<analysis>/          a run folder (RunFolder)
        notebook.ipynb  run.json  files/
    build/runs/.cache/<edition>/<analysis>/<key>/  earlier runs kept by cache key
    build/adhoc/<edition>/<analysis>/         runs with overridden parameters
    build/reproduce/<edition>/...             re-executions by ``lifetools reproduce``
    build/stage/<token>/                      the book source being built
    build/validated/<fingerprint>             marker: this extract passed validation
    build/logs/                               logs kept outside the site
    build/pdf/<edition>/                      report PDFs kept by what they were printed from
    public/releases/<token>/                  one complete release:
        site/                                 the built html
        editions/<edition>/                   the archive of what was released
            manifest.json  <analysis>/ (a run folder)  html/ (the pages as released)
            versions/v<N>/                    a superseded version (after --republish)
        editions/corrections.json             the corrections log
    public/current -> releases/<token>        the live release: switched in one step
    public/site -> current/site               fixed links through ``current``
    public/editions -> current/editions
    public/draft/                             a --draft build (never the live site)

Temporary siblings (``.<name>.partial-<pid>``, ``.old-``, ``.new-``) are made by
:func:`temp_sibling`; :func:`clean_stale` removes those left by processes that died.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from lifetools import config
from lifetools.fingerprint import sha256_file

logger = logging.getLogger(__name__)

__all__ = [
    "FILES_DIR",
    "MANIFEST",
    "NOTEBOOK_NAME",
    "RUN_RECORD",
    "SITE_RECORD",
    "RunFolder",
    "adhoc_root",
    "CORRECTIONS",
    "EDITION_HTML",
    "archive_dir",
    "archive_html",
    "archive_manifest",
    "archive_versions",
    "clean_stale",
    "corrections_log",
    "current_link",
    "draft_dir",
    "editions_root",
    "file_hashes",
    "engine_record_cache",
    "fingerprint_cache",
    "logs_dir",
    "not_estimable_log",
    "releases_dir",
    "reproduce_root",
    "run_cache",
    "runs_root",
    "site_dir",
    "sql_cache",
    "stage_root",
    "temp_sibling",
    "timings_log",
    "typed_cache",
    "pdf_store",
    "validated_marker",
]

NOTEBOOK_NAME = "notebook.ipynb"
RUN_RECORD = "run.json"
FILES_DIR = "files"
MANIFEST = "manifest.json"
EDITION_HTML = "html"
CORRECTIONS = "corrections.json"
SITE_RECORD = "lifetools-site.json"
"""The record in a built site of the key its pages were built from (the build writes it;
the gate leaves its digest alone)."""
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|old|new)-(?P<pid>\d+)(-.*)?$")


@dataclass(frozen=True)
class RunFolder:
    """One executed analysis: the tidy notebook, its run record and published files."""

    path: Path

    @property
    def notebook(self) -> Path:
        return self.path / NOTEBOOK_NAME

    @property
    def record(self) -> Path:
        return self.path / RUN_RECORD

    @property
    def files(self) -> Path:
        return self.path / FILES_DIR

    @property
    def failed_notebook(self) -> Path:
        """Where a failed run's partly executed notebook is kept for the author."""
        return self.path.parent / f"{self.path.name}.failed.ipynb"

    def complete(self) -> bool:
        """True when the run finished: its record and notebook both exist."""
        return self.record.exists() and self.notebook.exists()

    def file_hashes(self) -> dict[str, str]:
        """SHA-256 of every published file, by path relative to ``files/``."""
        return file_hashes(self.files)


def file_hashes(folder: Path) -> dict[str, str]:
    """Return the SHA-256 of every file under ``folder`` (empty if it is missing)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_cache(run_dir: Path) -> Path:
    """Earlier runs of one analysis, one folder per cache key.

    ``build/runs/.cache/<edition>/<analysis>/<key>``: beside the editions' folders, not
    in them, so an edition's folder holds its live runs only.
    """
    return run_dir.parent.parent / ".cache" / run_dir.parent.name / run_dir.name


def runs_root() -> Path:
    """Runs of the declared series (the build's cache)."""
    return config.build_dir() / "runs"


def adhoc_root() -> Path:
    """Runs with parameters overridden on the command line (never published)."""
    return config.build_dir() / "adhoc"


def reproduce_root(edition_id: str) -> Path:
    """Where ``lifetools reproduce`` re-executes an edition."""
    return config.build_dir() / "reproduce" / edition_id


def stage_root() -> Path:
    """Staging folders of the book source."""
    return config.build_dir() / "stage"


def logs_dir() -> Path:
    """Logs (book build, timings): kept outside the published site."""
    return config.build_dir() / "logs"


def not_estimable_log(edition_id: str) -> Path:
    """The results an edition shows as "could not be estimated", one per line."""
    return logs_dir() / "not-estimable" / f"{edition_id}.txt"


def timings_log() -> Path:
    """Wall-clock timings of the last build (never published: they differ every run)."""
    return logs_dir() / "timings.json"


def validated_marker(fingerprint: str) -> Path:
    """Marker file: the extract with this fingerprint passed validation."""
    return config.build_dir() / "validated" / fingerprint


def editions_root() -> Path:
    """The archive of every edition (``public/editions``, through the live release)."""
    return config.public_dir() / "editions"


def fingerprint_cache() -> Path:
    """Cached SHA-256 of the input tables by real path, inode, size, modification and
    change times (no-op builds; :func:`lifetools.fingerprint.data_fingerprint`)."""
    return config.build_dir() / "validated" / "fingerprints.json"


def typed_cache() -> Path:
    """Typed tables kept by the notebooks' loads, by data fingerprint (``build/typed``,
    :mod:`lifetools.typed_cache`)."""
    return config.build_dir() / "typed"


def sql_cache() -> Path:
    """The validation checks' compiled SQL, kept by the shape of the data
    (``build/validated/sql``, :func:`lifetools.engines.checks.table_problems`)."""
    return config.build_dir() / "validated" / "sql"


def pdf_store() -> Path:
    """Report PDFs kept by what they were printed from (``build/pdf/<edition>/``,
    :func:`lifetools.pipeline.pdf.print_reports`)."""
    return config.build_dir() / "pdf"


def engine_record_cache(key: str) -> Path:
    """A folder's engine record (rows and checksums computed in DuckDB) kept by its key:
    the data's fingerprint, the engine's and ibis's versions and the code computing it
    (:func:`lifetools.pipeline.build.folder_engine_record`)."""
    return config.build_dir() / "validated" / f"engine-{key}.json"


def column_cache() -> Path:
    """Cached column fingerprints of the input tables, by each file's SHA-256."""
    return config.build_dir() / "validated" / "columns.json"


def duckdb_column_cache() -> Path:
    """Cached column fingerprints of a DuckDB database file, by the file's SHA-256."""
    return config.build_dir() / "validated" / "duckdb-columns.json"


def archive_dir(edition_id: str) -> Path:
    """The archive of an edition as released: ``public/editions/<edition>``."""
    return editions_root() / edition_id


def archive_html(edition_id: str) -> Path:
    """The edition's pages exactly as released (copied into every later site)."""
    return archive_dir(edition_id) / EDITION_HTML


def archive_versions(edition_id: str) -> Path:
    """Superseded versions of a republished edition, ``versions/v<N>``."""
    return archive_dir(edition_id) / "versions"


def corrections_log() -> Path:
    """The corrections log of the series (every republished edition, with its reason)."""
    return editions_root() / CORRECTIONS


def current_link() -> Path:
    """``public/current``: the one link switched to publish a release."""
    return config.public_dir() / "current"


def draft_dir() -> Path:
    """Where a ``--draft`` build puts its site (never the live site)."""
    return config.public_dir() / "draft"


def archive_manifest(edition_id: str) -> Path:
    """The manifest of an archived edition."""
    return archive_dir(edition_id) / MANIFEST


def releases_dir() -> Path:
    """Built sites, one folder per release; ``public/site`` links to the live one."""
    return config.public_dir() / "releases"


def site_dir() -> Path:
    """The published site (``public/site``, a link to the live release)."""
    return config.public_dir() / "site"


def temp_sibling(target: Path, kind: str, tag: str = "") -> Path:
    """Return a temporary sibling of ``target`` owned by this process.

    ``kind`` is ``partial`` (being written), ``old`` (being replaced) or ``new`` (ready to
    swap in). The process id in the name lets :func:`clean_stale` tell a live run's
    folder from one left by a process that died.
    """
    if kind not in {"partial", "old", "new"}:
        raise ValueError(f"unknown temporary kind {kind!r}")
    suffix = f"-{tag}" if tag else ""
    return target.with_name(f".{target.name}.{kind}-{os.getpid()}{suffix}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary siblings in ``folder`` whose process is no longer running.

    Returns what was removed. Folders of live processes (a parallel build) are kept.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.iterdir()):
        match = _TEMP.match(path.name)
        if match is None or _alive(int(match["pid"])):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
        logger.debug("removed stale %s (process %s is gone)", path.name, match["pid"])
    return removed
