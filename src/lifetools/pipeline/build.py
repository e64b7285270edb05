"""Build the report series: data -> papermill runs -> publish gate -> book -> publish.

Safe publishing: the site is assembled and built in a staging folder under
``build/stage/`` and moved into place only when every notebook ran and the publish gate
passed. The published site is ``public/site``, a symbolic link swapped atomically to a
new ``public/releases/<id>/`` folder; each published edition is archived under
``public/editions/<id>/`` (executed notebooks, results, manifest). An edition that is
archived and is not the current edition is never re-executed or rewritten.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifetools import config, disclosure
from lifetools.errors import DataValidationError
from lifetools.pipeline import layout, provenance
from lifetools.pipeline.book import EditionPages, assemble_book, build_html
from lifetools.pipeline.gate import assert_publishable, unprotected_outputs
from lifetools.pipeline.runner import (
    RunOutcome,
    RunSpec,
    execute_runs,
    raise_for_failures,
)
from lifetools.pipeline.series import Series, load_series
from lifetools.validation import validate_directory

__all__ = [
    "BuildSummary",
    "PreparedData",
    "build_series",
    "edition_manifest",
    "plan_runs",
    "prepare_data",
]

Progress = Callable[[str], None]
KEEP_RELEASES = 2


@dataclass(frozen=True)
class PreparedData:
    """Validated input data for a build: where it is and what it hashes to."""

    path: Path
    fingerprint: Mapping[str, Any]
    synthetic: Mapping[str, int] | None = None


@dataclass(frozen=True)
class BuildSummary:
    """What a build did: runs, reused archives, where the site is."""

    outcomes: Sequence[RunOutcome]
    archived: Sequence[str]
    site: Path | None
    seconds: float
    timings: Mapping[str, float] = field(default_factory=dict)


def _synthetic(series: Series, progress: Progress) -> tuple[Path, dict[str, int]]:
    wanted = {"people": series.synthetic_people, "seed": series.synthetic_seed}
    target = config.default_data_dir()
    marker = target / "synthetic.json"
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return target, wanted
    # imported only when generating, so that a no-op build does not pay for it
    from lifetools.synthetic import write_synthetic

    progress(f"generating synthetic data: {wanted['people']:,} people, "
             f"seed {wanted['seed']}")
    work = layout.temp_sibling(target, "partial")
    shutil.rmtree(work, ignore_errors=True)
    write_synthetic(work, people=wanted["people"], seed=wanted["seed"])
    provenance.write_json(work / "synthetic.json", wanted)
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target, wanted


def prepare_data(
    series: Series, *, data_dir: Path | None = None, progress: Progress | None = None
) -> PreparedData:
    """Find (or generate) the input data and validate it before anything runs.

    With ``data_dir=None`` the embedded synthetic dataset declared in the series file
    is generated under ``build/data/synthetic`` (once; reused while its size and seed
    are unchanged). Validation results are cached by the data's fingerprint.

    Raises
    ------
    DataValidationError
        If the data break any dictionary rule: nothing runs on invalid data.
    """
    say = progress or (lambda _line: None)
    synthetic = None
    if data_dir is None:
        data_dir, synthetic = _synthetic(series, say)
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise DataValidationError(f"{data_dir}: the data folder does not exist")
    fingerprint = provenance.data_fingerprint(data_dir, cache=layout.fingerprint_cache())
    marker = layout.validated_marker(fingerprint["combined"])
    if not marker.exists():
        say(f"validating {data_dir}")
        report = validate_directory(data_dir)
        if not report.ok:
            raise DataValidationError(
                report.render(), report=report,
                hint="fix the data (or the dictionary) and run again; nothing was run",
            )
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return PreparedData(data_dir, fingerprint, synthetic)


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
                data_dir=data.path,
                data_fingerprint=data.fingerprint["combined"],
                title=analysis.title,
            ))
    return specs


def edition_manifest(
    series: Series, edition_id: str, data: PreparedData,
    outcomes: Sequence[RunOutcome], started: str,
) -> dict[str, Any]:
    """Return the machine-readable manifest of one edition's build."""
    edition = series.edition(edition_id)
    runs = [o for o in outcomes if o.spec.edition == edition_id]

    unprotected = {o.spec.analysis: unprotected_outputs(layout.RunFolder(o.spec.run_dir).notebook)
                   for o in runs}
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
                 "synthetic": dict(data.synthetic) if data.synthetic else None},
        "analyses": {
            o.spec.analysis: {
                "notebook": o.spec.source.name,
                "notebook_sha256": provenance.sha256_file(o.spec.source),
                "parameters": dict(o.spec.parameters),
                "key": o.record.get("key"),
                "files": layout.RunFolder(o.spec.run_dir).file_hashes(),
                "unprotected_outputs": unprotected[o.spec.analysis],
            }
            for o in runs
        },
        "disclosure": _disclosure_settings(unprotected),
        "citation": provenance.citation(),
        "reproduce": f"lifetools reproduce {edition.id}",
        "started_at": started,
        "finished_at": provenance.utc_now(),
    }


def _disclosure_settings(unprotected: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The rules, and whether every published output was protected (from the stamps)."""
    return {"suppression_threshold": disclosure.SUPPRESSION_THRESHOLD,
            "rounding_base": disclosure.ROUNDING_BASE,
            "min_at_risk": disclosure.MIN_AT_RISK,
            "secondary_suppression": "counts that add up to published totals",
            "enabled": not any(unprotected.values()),
            "unprotected_outputs": {a: list(n) for a, n in sorted(unprotected.items())
                                    if n}}


def _replace_dir(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``, replacing it with two renames."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = layout.temp_sibling(target, "old")
    if target.exists():
        target.rename(old)
    source.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _swap_site(html: Path, token: str) -> Path:
    """Move the built html into ``public/releases/<token>`` and point the site at it."""
    releases = layout.releases_dir()
    releases.mkdir(parents=True, exist_ok=True)
    release = releases / token
    shutil.move(str(html), release)
    link = layout.site_dir()
    tmp = layout.temp_sibling(link, "new")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("releases") / token)
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(tmp, link)
    for old in sorted(releases.iterdir())[:-KEEP_RELEASES]:
        if old.name != token:
            shutil.rmtree(old, ignore_errors=True)
    return link


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


def _stage_archive(pages: EditionPages, token: str) -> Path:
    staged = layout.temp_sibling(layout.archive_dir(pages.edition.id), "new", token)
    shutil.rmtree(staged, ignore_errors=True)
    for analysis, run_dir in pages.runs.items():
        shutil.copytree(run_dir, staged / analysis)
    provenance.write_json(staged / layout.MANIFEST, pages.manifest)
    return staged


SITE_RECORD = "lifetools-site.json"


def _site_key(editions: Sequence[EditionPages]) -> str:
    """Hash everything the site is built from: runs, archives, fixed pages, code."""
    root = config.project_root()
    fixed = [root / "_config.yml", root / "CITATION.cff",
             *sorted(p for p in (root / "book").rglob("*") if p.is_file())]
    return provenance.digest({
        "editions": {p.edition.id: {a: provenance.sha256_file(layout.RunFolder(d).record)
                                    for a, d in sorted(p.runs.items())}
                     for p in editions},
        "fixed": {str(p.relative_to(root)): provenance.sha256_file(p)
                  for p in fixed if p.exists()},
        "dictionary": provenance.dictionary_fingerprint(),
        "code": provenance.code_fingerprint(),
        "lock": provenance.lock_hash(),
    })


def _published_key() -> str | None:
    record = layout.site_dir() / SITE_RECORD
    return json.loads(record.read_text()).get("key") if record.exists() else None


def build_series(
    *,
    data_dir: Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    keep_going: bool = False,
    republish: Sequence[str] = (),
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
        Archived editions to re-execute and publish again (normally never rewritten).
    progress
        Called with one line of text for each step.

    Raises
    ------
    DataValidationError, AnalysisRunError, DisclosureError, BuildError
        Nothing is published when any step fails; the previous site stays as it was.
    """
    say = progress or (lambda _line: None)
    clock = time.monotonic()
    timings: dict[str, float] = {}
    started = provenance.utc_now()
    series = series or load_series()
    data = prepare_data(series, data_dir=data_dir, progress=say)
    timings["data"] = time.monotonic() - clock
    to_run = [e.id for e in series.editions
              if e.id == series.current_edition or not _archived(e.id)
              or e.id in republish]
    archived = [e.id for e in series.editions if e.id not in to_run]
    for eid in archived:
        say(f"kept    {eid} (archived edition, never rewritten)")
    specs = plan_runs(series, data, editions=to_run)
    outcomes = execute_runs(specs, jobs=jobs, force=force, keep_going=keep_going,
                            progress=say)
    timings["runs"] = time.monotonic() - clock - timings["data"]
    raise_for_failures(outcomes)
    editions = [_archive_pages(series, eid) for eid in archived]
    for eid in to_run:
        runs = {o.spec.analysis: o.spec.run_dir for o in outcomes if o.spec.edition == eid}
        manifest = edition_manifest(series, eid, data, outcomes, started)
        editions.append(EditionPages(series.edition(eid), runs, manifest))
    notebooks = [layout.RunFolder(p.runs[a]).notebook for p in editions for a in p.runs]

    say(f"checking {len(notebooks)} notebooks at the publish gate")
    assert_publishable(notebooks)
    key = _site_key(editions)
    if not force and _published_key() == key:
        say("site unchanged: nothing to publish")
        return BuildSummary(outcomes, archived, layout.site_dir(), time.monotonic() - clock,
                            timings)
    token = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
    stage = layout.stage_root() / token
    shutil.rmtree(layout.stage_root(), ignore_errors=True)
    say("building the book")
    book = assemble_book(stage, series=series, editions=editions)
    html = build_html(book, log=layout.logs_dir() / "book.log")
    provenance.write_json(html / SITE_RECORD, {"key": key})
    timings["book"] = time.monotonic() - clock - timings["data"] - timings["runs"]
    for pages in editions:
        if pages.edition.id in to_run:
            _replace_dir(_stage_archive(pages, token), layout.archive_dir(pages.edition.id))
    site = _swap_site(html, token)
    shutil.rmtree(stage, ignore_errors=True)
    return BuildSummary(outcomes, archived, site, time.monotonic() - clock, timings)
