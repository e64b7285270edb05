"""Provenance: code version, lock-file hash, data fingerprints, package versions.

Everything here describes *how* a result was produced. Times live only in run records
and manifests, never in published tables or figures, so two builds of the same commit,
data and parameters give byte-identical result files.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import json
import logging
import os
import platform
import shlex
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from lifetools import config
from lifetools.fingerprint import (
    TABLE_SUFFIXES,
    data_fingerprint,
    dictionary_fingerprint,
    digest,
    sha256_file,
)

logger = logging.getLogger(__name__)

GIT_TIMEOUT = 300
"""Seconds a git query may take: a timed-out one reads as unversioned, and a busy
machine (or a cold disk cache) can make ``git status`` take many seconds."""

__all__ = [
    "STACK_PACKAGES",
    "TABLE_SUFFIXES",
    "UNTRACKED",
    "VERSIONED_PATHS",
    "changed_files",
    "citation",
    "code_fingerprint",
    "code_version",
    "commit_refs",
    "data_fingerprint",
    "dictionary_fingerprint",
    "digest",
    "lock_hash",
    "package_versions",
    "parameter_text",
    "rerun_commands",
    "scrub_paths",
    "sha256_file",
    "source_date",
    "source_date_epoch",
    "utc_now",
    "write_json",
]

#: The installed packages a run's key and an edition's manifest record: every one whose
#: code reads the data or makes a published number, figure or check. The data are read
#: and validated through duckdb, ibis and sqlglot, the gate checks with acro, figures are
#: written as PNG by pillow, NHS numbers checked with nhs-number, Spark read with
#: pyspark, the site's stylesheet purged with tinycss2; until the wave-23 audit of issue 14 these were left out, so a changed duckdb
#: with an unchanged lock was not noticed by the cache, ``status`` or ``reproduce``.
#: ``tests/unit/test_provenance.py`` checks every third-party import of the package is
#: here or named there as touching no result.
STACK_PACKAGES = (
    "lifetools",
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "lifelines",
    "matplotlib",
    "pyarrow",
    "papermill",
    "jupyter-book",
    "duckdb",
    "ibis-framework",
    "sqlglot",
    "acro",
    "pillow",
    "nhs-number",
    "pyspark",
    "tinycss2",
)


def code_version(root: Path | None = None) -> dict[str, Any]:
    """Return the git commit of the project and whether the work tree was dirty."""
    root = root or config.project_root()

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True,
                timeout=GIT_TIMEOUT,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            logger.debug("git %s failed: %s", args[0], exc)
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


#: What a published result is built from: a change to any tracked file here, or an
#: untracked file git does not ignore, makes the work tree unfit to publish (``lifetools build`` refuses; ``--draft`` builds anyway).
VERSIONED_PATHS = ("src", "analyses", "data_dictionary", "book", "requirements.lock",
                   "requirements.in", "pyproject.toml", "_config.yml", "CITATION.cff",
                   "GLOSSARY.md")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


#: How :func:`changed_files` marks a file git does not track.
UNTRACKED = " (untracked)"


def changed_files(root: Path | None = None) -> list[str] | None:
    """Return the files under :data:`VERSIONED_PATHS` that differ from HEAD.

    Staged and unstaged changes both count, and so do untracked files that git does not
    ignore, named ``PATH (untracked)``: the build reads them (every ``.py`` of the
    package, every file of the data dictionary, a notebook ``analyses.yml`` names) while
    the recorded commit lacks them, so a clone of that commit could not reproduce the
    edition (issue 14 audit: a forgotten ``git add`` published). Jupyter's
    ``.ipynb_checkpoints`` folders are not inputs and are left out. Returns ``None``
    when ``root`` is not a git work tree, so the caller can say the code is not
    versioned at all.
    """
    root = root or config.project_root()
    if _git(root, "rev-parse", "--verify", "HEAD") is None:
        return None
    out = _git(root, "status", "--porcelain", "--untracked-files=all", "--",
               *VERSIONED_PATHS)
    if out is None:
        return None
    found = set()
    for line in out.splitlines():
        if not line.strip():
            continue
        path = line[3:].split(" -> ")[-1]
        if line.startswith("??"):
            if ".ipynb_checkpoints" in Path(path).parts:
                continue
            path += UNTRACKED
        found.add(path)
    return sorted(found)


def commit_refs(commit: str, root: Path | None = None) -> list[str] | None:
    """Return the branches (local and remote-tracking) and tags whose history holds ``commit``.

    ``None`` when the commit is not in the repository at all (or ``root`` is not a git
    repository); an empty list for a commit on no branch or tag (a detached commit that
    git may garbage-collect, so nobody else can check it out).
    """
    root = root or config.project_root()
    if not commit or _git(root, "cat-file", "-e", f"{commit}^{{commit}}") is None:
        return None
    out = _git(root, "for-each-ref", "--contains", commit, "--format=%(refname)",
               "refs/heads", "refs/remotes", "refs/tags")
    return sorted(line.removeprefix("refs/") for line in (out or "").splitlines()
                  if line.strip())


def source_date_epoch(root: Path | None = None) -> int:
    """Return the time every published file is stamped with, in seconds since 1970.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) when set, else the
    commit time of ``HEAD``, else 0. Never the wall clock: two builds of one commit
    stamp the same date.
    """
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value and value.strip().isdigit():
        return int(value)
    out = _git(root or config.project_root(), "log", "-1", "--format=%ct")
    return int(out.strip()) if out and out.strip().isdigit() else 0


def source_date(root: Path | None = None) -> str:
    """Return :func:`source_date_epoch` as an ISO 8601 UTC time."""
    return dt.datetime.fromtimestamp(source_date_epoch(root), dt.UTC).isoformat()


def scrub_paths(text: str, roots: Mapping[str, Path]) -> str:
    """Replace each absolute folder of ``roots`` (placeholder -> folder) in ``text``.

    Captured warnings name the file that raised them; a published notebook must not
    carry the build machine's paths (they differ between clones and leak user names).
    Longer folders are replaced first, so a folder inside another keeps its own name.
    """
    for name, root in sorted(roots.items(), key=lambda item: -len(str(item[1]))):
        if str(root) not in ("", "/", "."):
            text = text.replace(str(root), name)
    return text


def lock_hash(root: Path | None = None) -> str | None:
    """Return the SHA-256 of ``requirements.lock`` (None if it is missing)."""
    path = (root or config.project_root()) / "requirements.lock"
    return sha256_file(path) if path.exists() else None


@functools.cache
def code_fingerprint() -> str:
    """Return a hash of the installed lifetools source (every ``.py`` file).

    Computed once per process: the code a process runs does not change under it.
    """
    package = Path(__file__).resolve().parent.parent
    files = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    return digest({str(p.relative_to(package)): sha256_file(p) for p in files})


def package_versions(names: Iterable[str] = STACK_PACKAGES) -> dict[str, str]:
    """Return the installed versions of the statistical stack (and Python)."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def citation(root: Path | None = None) -> dict[str, Any]:
    """Return the project's ``CITATION.cff`` as a mapping, plus a formatted line."""
    path = (root or config.project_root()) / "CITATION.cff"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    authors = "; ".join(
        a.get("name") or " ".join(filter(None, [a.get("given-names"), a.get("family-names")]))
        for a in data.get("authors", [])
    )
    text = f"{authors}. {data.get('title', '')}. Version {data.get('version', '')}."
    if data.get("url"):
        text += f" {data['url']}"
    return {**data, "text": text.strip()}


def parameter_text(value: Any) -> str:
    """A parameter's value as the command line reads it and a page shows it: a list as
    "A06,A05", never a Python repr ("['A06']" was printed in the rerun command, and read
    back as one code "['A06']"; the "About this report" table showed it too)."""
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


SITE = "SITE"
"""The placeholder of :func:`rerun_commands` for the published site when the series
records no address (``site_url``): the page says what to put there."""

PLACEHOLDERS = ("SITE", "EXTRACT.duckdb", "postgresql://USER@HOST/DATABASE",
                "sc://HOST:PORT", "EXTRACT_FOLDER")
"""Every placeholder :func:`rerun_commands` may print, in capitals: a page that shows one
does not call its commands "as written"."""


def rerun_commands(*, analysis: str, edition: str, record: Mapping[str, Any],
                   manifest: Mapping[str, Any]) -> list[str]:
    """The shell commands that rerun one report page from a fresh clone, as written.

    Clone (the ``repository`` the manifest records; with none, the commands start in a
    copy of the code, which the page says to ask the contact for: no placeholder
    URL is printed as if it were a command), check out the
    recorded commit, set up from the lock file, run the analysis with the page's
    parameters (each given with ``-p``, so the command shows them; such runs go to
    ``build/adhoc/`` and never change a published site), then ``reproduce`` the edition
    against the published site. No path of the build machine appears: a real extract is
    named by a placeholder and its data fingerprint.

    Notes
    -----
    Tested by ``tests/unit/test_build_manifest.py`` (no absolute path, every parameter).
    """
    commit = (record.get("code_version") or {}).get("commit") or "<the recorded commit>"
    repository = manifest.get("repository")
    site = manifest.get("site_url") or ""
    run = [".venv/bin/lifetools", "run", analysis, "--edition", edition]
    for name, value in sorted(record.get("parameters", {}).items()):
        if name not in ("period_start", "period_end") and value is not None:
            run += ["-p", name, parameter_text(value)]
    synthetic = (manifest.get("data") or {}).get("synthetic")
    if not synthetic:  # the kind of source only: a manifest names no path
        engine = ((manifest.get("data") or {}).get("engine") or {}).get("source")
        run += ["--data", {"duckdb": "EXTRACT.duckdb",
                           "postgres": "postgresql://USER@HOST/DATABASE",
                           "spark": "sc://HOST:PORT"}.get(
                               engine, "EXTRACT_FOLDER")]
    # with no address recorded, a placeholder as for an extract: without --site the
    # line reads public/site, which a fresh copy does not have (exit 12)
    reproduce = [".venv/bin/lifetools", "reproduce", edition, "--site", site or SITE]
    clone = [f"git clone {repository} lifetools && cd lifetools"] if repository else []
    return [*clone, f"git checkout {commit}", "make setup",
            " ".join(shlex.quote(part) for part in run),
            " ".join(shlex.quote(part) for part in reproduce)]


def utc_now() -> str:
    """Return the current UTC time in ISO format (for manifests only)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def write_json(path: Path, value: Mapping[str, Any]) -> Path:
    """Write ``value`` as stable JSON (sorted keys, two-space indent, final newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, sort_keys=True, default=str) + "\n")
    return path
