"""Publication integrity checks: versioned code, corrections, the data's date window.

- :func:`check_versioned`: nothing is published from tracked files that differ from
  the commit, or from untracked files the commit lacks (RAP: outputs come from versioned code).
- :func:`check_reachable`: the recorded commit is in the repository's history and on a
  branch or tag (before publishing, and before ``lifetools reproduce`` runs).
- :func:`corrections` and :func:`stage_versions`: a republished edition keeps its
  released version and logs the reason and the changed results.
- :func:`check_data_window`: an edition outside the data's dates, whose period runs
  past the data's extract date, or whose period or look-back starts before the data
  do (:mod:`lifetools.reports.date_needs`), is refused, per report, before any
  notebook runs.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lifetools import config
from lifetools.datapackage import read_package
from lifetools.dictionary import load_dictionary
from lifetools.engines.source import parse_source
from lifetools.engines.spark import local_parts
from lifetools.errors import (
    ParameterError,
    UnreachableCommitError,
    UnversionedCodeError,
)
from lifetools.loading import load_dataset
from lifetools.pipeline import layout, provenance
from lifetools.pipeline.book import EditionPages, period_text
from lifetools.pipeline.series import Series
from lifetools.reports.date_needs import date_needs
from lifetools.synthetic import WINDOW_START, referral_window

__all__ = ["check_data_window", "check_reachable", "check_versioned", "check_window",
           "corrections", "data_end", "data_start", "data_window", "stage_versions",
           "synthetic_start", "synthetic_window"]

logger = logging.getLogger(__name__)

#: The table and column whose dates define the data's window: a referral is the event
#: that brings a person into every report's cohort.
WINDOW_TABLE, WINDOW_COLUMN = "referrals", "referral_date"

#: The event dates whose first day starts the data's coverage (:func:`data_start`):
#: every report counts referrals and Life Rooms use, and reads emergency care.
COVERAGE_COLUMNS = {"referrals": "referral_date", "ae_attendances": "arrival_date",
                    "emergency_admissions": "admission_date",
                    "life_rooms_contacts": "contact_date"}


def data_window(data_dir: Path | str) -> tuple[str, str] | None:
    """Return the first and last referral date in the data (ISO), or None if none."""
    frame = load_dataset(data_dir, tables=[WINDOW_TABLE],
                         columns={WINDOW_TABLE: [WINDOW_COLUMN]}).referrals
    dates = frame[WINDOW_COLUMN].dropna()
    if dates.empty:
        return None
    return dates.min().date().isoformat(), dates.max().date().isoformat()


def data_start(data_dir: Path | str) -> str | None:
    """The first day the data cover (ISO): the latest of the first dates of
    :data:`COVERAGE_COLUMNS`, read from the data (a table absent or with no dates is
    left out; None when none has a date). Before it at least one of them records
    nothing: the synthetic data hold referrals from 2017, still open when their events
    start on 2019-04-01 (:data:`~lifetools.synthetic.WINDOW_START`), and no A&E
    attendance, admission or Life Rooms contact before that day, so a period (or a
    look-back) starting before it would count an empty or partial window (issue 14).
    """
    loaded = load_dataset(data_dir, tables=list(COVERAGE_COLUMNS),
                          columns={t: [c] for t, c in COVERAGE_COLUMNS.items()})
    firsts = []
    for table, column in COVERAGE_COLUMNS.items():
        frame = getattr(loaded, table, None)
        dates = frame[column].dropna() if frame is not None else None
        if dates is not None and not dates.empty:
            firsts.append(dates.min().date().isoformat())
    return max(firsts) if firsts else None


def synthetic_start(window: tuple[str, str] | None) -> str | None:
    """The first day the embedded synthetic data cover, whose referrals are
    ``window``: their events start on the generator's
    :data:`~lifetools.synthetic.WINDOW_START` (the referrals of people open then start
    earlier). Used before the data are generated (``lifetools status``) and after, so
    the two agree: in a small dataset a sparse table's first row can fall weeks after
    that day (150 people: the first Life Rooms contact on 2 June 2019), which is chance,
    not a gap in the data, and :func:`data_start` would say so."""
    return None if window is None else max(window[0], WINDOW_START.isoformat())


def data_end(data_dir: Path | str) -> str | None:
    """The extract date of the data (ISO): the last day of follow-up its
    ``datapackage.json`` declares (:func:`lifetools.datapackage.read_package`), or None
    when it declares none. The synthetic generator's is
    :data:`~lifetools.synthetic.WINDOW_END`. A folder's package is in it, a DuckDB
    file's beside it, and a local Spark's over a folder
    (``spark://local[N]?path=FOLDER``) is the folder's, as for the folder itself (until
    wave 45 none was read, and an edition running past the folder's extract date was
    built from Spark and refused from the folder); a server's data (any other URL)
    declare none here."""
    if "://" in str(data_dir):
        folder = _package_folder(str(data_dir))
        if folder is None:
            return None
    else:
        path = Path(data_dir)
        folder = path if path.is_dir() else path.parent
    extract_date, _ = read_package(folder, load_dictionary())
    return extract_date.isoformat() if extract_date else None


def _package_folder(source: str) -> Path | None:
    """The folder of ``spark://local[N]?path=FOLDER`` (None for any other URL)."""
    if not source.startswith("spark://"):
        return None
    return local_parts(parse_source(source).location)[1]


def synthetic_window(people: int, seed: int) -> tuple[str, str] | None:
    """The first and last referral date (ISO) of the synthetic data a build would
    generate for ``people`` and ``seed`` (:func:`lifetools.synthetic.referral_window`:
    the referrals alone, drawn in memory; nothing is written). ``lifetools status``
    checks editions against it, with the generator's extract date
    (:data:`~lifetools.synthetic.WINDOW_END`) as ``end``, before the data exist: the
    window :func:`data_window` reads from them once written.

    Until wave 61 status used the generator's declared window
    (:data:`~lifetools.synthetic.WINDOW_START` to ``WINDOW_END``) instead, and passed an
    edition whose period lay wholly in the data's last days without a referral (a
    small dataset's last referral can be days before the extract date), which the build
    then refused (issue 14).
    """
    return referral_window(people, seed)


def check_data_window(series: Series, data_dir: Path | str,
                      editions: Sequence[str] | None = None,
                      analyses: Sequence[str] | None = None,
                      overrides: Mapping[str, Any] | None = None, *,
                      synthetic: bool = False,
                      declared_by: Path | str | None = None) -> None:
    """Refuse editions whose reporting period lies outside the data's referral dates,
    runs past the data's extract date, or whose period or look-back starts before the
    data do (:func:`check_window`).

    ``editions`` and ``analyses`` (ids) limit the check to those runs (``lifetools run
    ANALYSIS --edition E`` names that one report); default: every one. ``overrides``:
    the parameters given to the one analysis run (``-p window_days 730`` moves its
    look-back). ``synthetic``: the data are the embedded synthetic data, whose
    events start on the generator's first day (:func:`synthetic_start`, as ``lifetools
    status`` says before they exist) however late a sparse table's first row falls in
    a small dataset; other data's first day is read from them (:func:`data_start`).
    ``declared_by``: the source whose package declares the extract date
    (:func:`data_end`), when not ``data_dir``: a build from
    ``spark://local[N]?path=FOLDER`` reads its tables through the URL of a local Spark
    Connect server, and its extract date from FOLDER.

    Raises
    ------
    ParameterError
        One line per report of every such edition, naming the edition, its period and
        the data's dates; raised before any notebook runs.
    """
    window = data_window(data_dir)
    check_window(series, window, end=data_end(declared_by or data_dir),
                 start=synthetic_start(window) if synthetic else data_start(data_dir),
                 editions=editions, analyses=analyses, overrides=overrides)


def check_window(series: Series, window: tuple[str, str] | None, *,
                 end: str | None = None, start: str | None = None,
                 editions: Sequence[str] | None = None,
                 analyses: Sequence[str] | None = None,
                 overrides: Mapping[str, Any] | None = None) -> None:
    """:func:`check_data_window` against a known window of referral dates (ISO first
    and last, None for no dates) and extract date ``end`` (the last day the data
    follow anyone up; None: not declared): the data's own, or for ``lifetools status``
    before the synthetic data are generated, the referral dates they will hold
    (:func:`synthetic_window`, with the generator's extract date as ``end``).
    ``start``: the first day the data cover (:func:`data_start`; None: the first
    referral).

    Four rules, per report of each edition: its period must hold referral dates of
    the data (an edition wholly after them has no one to report on); its period must
    suit the report (:attr:`~lifetools.reports.date_needs.DateNeeds.period_rule`: the
    crisis-risk report's covers its one-year horizon); the data must
    start by the first day the report reads (:func:`lifetools.reports.date_needs`: its
    period's start, or before it a look-back such as the emergency care report's
    baseline windows); and they must end by the last day it reads (an edition whose
    period had not ended when the data were extracted would publish part of a period
    as the whole: counts, rates and people followed up for less time than the period
    says; until wave 29 such an edition was built without a word, issue 14). Until
    wave 41 the period's start was not held to the data's: an edition before the
    synthetic data's events (2017-18) published counts over an empty or partial window.
    """
    problems = []
    for edition in series.editions:
        if editions is not None and edition.id not in editions:
            continue
        for analysis in series.analyses_in(edition.id):
            if analyses is not None and analysis.id not in analyses:
                continue
            said = _outside(series, edition, analysis, window, start=start, end=end,
                            overrides=overrides if analyses else None)
            if said:
                problems.append(f"edition {edition.id} ({period_text(edition)}), "
                                f"report {analysis.id}: {said}")
    if problems:
        raise ParameterError(
            f"{len(problems)} report(s) fall outside the data's dates, run past "
            "them or have a period they cannot report on:\n  " + "\n  ".join(problems),
            hint="use an extract that covers the dates each report needs (its period, "
            "and the days before or after it named), or correct the edition's "
            "period_start/period_end in analyses/analyses.yml")


def _outside(series: Series, edition: Any, analysis: Any,
             window: tuple[str, str] | None, *, start: str | None, end: str | None,
             overrides: Mapping[str, Any] | None) -> str | None:
    """Why the data do not cover what one report of an edition reads (None: they do)."""
    if window is None:
        return "the data hold no referral dates"
    if edition.period_start > window[1]:
        return f"the data cover referrals from {window[0]} to {window[1]}"
    parameters = series.resolve_parameters(analysis, edition, overrides)
    need = date_needs(analysis.id, str(parameters["period_start"]),
                      str(parameters["period_end"]), parameters)
    if need.period_rule:
        return need.period_rule
    first = start or window[0]
    if need.first < first:
        before = need.before or "the start of its period"
        return (f"needs data from {need.first} ({before}); the data cover {first} to "
                f"{end or window[1]}")
    if end is not None and need.last > end:
        if need.after:
            return (f"needs data to {need.last} ({need.after}); the data end on {end} "
                    "(their extract date)")
        return (f"the data end on {end} (their extract date), before the period "
                "does: its counts would cover only part of it")
    return None


def check_versioned(*, draft: bool) -> dict[str, Any]:
    """Refuse to publish from code or inputs that differ from the recorded commit.

    Returns the code version. With ``draft=True`` nothing is refused (the site goes to
    ``public/draft`` and every page says DRAFT).

    Raises
    ------
    UnversionedCodeError
        Listing every changed tracked file (code, analyses, dictionary, book, lock)
        and every untracked one git does not ignore, or saying the project is not a git work tree.
    """
    version = provenance.code_version()
    if draft:
        return version
    changed = provenance.changed_files()
    if changed is None:
        raise UnversionedCodeError(
            f"{config.project_root()} is not a git work tree with a commit: a published "
            "edition must record the commit that reproduces it",
            hint="commit the project (git init; git add; git commit), or build a draft "
            "with `lifetools build --draft`")
    if changed:
        shown = "\n  ".join(changed[:30])
        more = f"\n  ... and {len(changed) - 30} more" if len(changed) > 30 else ""
        untracked = any(name.endswith(provenance.UNTRACKED) for name in changed)
        raise UnversionedCodeError(
            f"{len(changed)} file(s) differ from commit "
            f"{(version.get('commit') or '')[:12]}; publishing them would record a commit "
            f"that cannot reproduce the numbers:\n  {shown}{more}",
            hint="commit (or stash) these changes"
            + (" (`git add` the untracked files, or delete them)" if untracked else "")
            + " and build again, or build a draft with `lifetools build --draft`")
    return version


def check_reachable(commit: str | None, *, what: str = "the build") -> list[str]:
    """Refuse a recorded commit that others could not check out; return the refs holding it.

    The commit must be in this repository's history and on at least one branch or tag
    (a detached commit on neither can be garbage-collected). A commit on no
    remote-tracking branch and no tag is allowed with a warning: it is not pushed yet.

    Raises
    ------
    UnreachableCommitError
        If ``commit`` is missing, not in the history, or on no branch or tag.
    """
    short = (commit or "")[:12]
    refs = provenance.commit_refs(commit) if commit else None
    if refs is None:
        raise UnreachableCommitError(
            f"{what} records commit {short or '(none)'}, which is not in the history of "
            f"the repository at {config.project_root()}: nobody can check it out here",
            hint="fetch the branches and tags of the repository the edition was built "
            "from (`git fetch --tags origin`), or clone that repository")
    if not refs:
        raise UnreachableCommitError(
            f"{what} records commit {short}, which is on no branch or tag (a detached "
            "commit can be garbage-collected: nobody else could check it out)",
            hint=f"put it on a branch or tag it (`git tag <name> {short}`) and push it")
    if not any(r.startswith(("remotes/", "tags/")) for r in refs):
        logger.warning("commit %s is on no remote branch and no tag (%s): push it so "
                       "that others can check it out", short, ", ".join(refs))
    return refs


def corrections(
    series: Series, republish: Mapping[str, str], pages: Sequence[EditionPages],
    source_date: str, commit: str | None,
) -> list[dict[str, Any]]:
    """The corrections log after this build: earlier entries plus one per republish."""
    log = layout.corrections_log()
    entries = list(json.loads(log.read_text())["corrections"]) if log.exists() else []
    by_id = {p.edition.id: p for p in pages}
    for eid, reason in sorted(republish.items()):
        old = json.loads(layout.archive_manifest(eid).read_text())
        versions = layout.archive_versions(eid)
        number = 1 + (len(list(versions.iterdir())) if versions.is_dir() else 0)
        new = {a: layout.RunFolder(d).file_hashes() for a, d in by_id[eid].runs.items()}
        changed = sorted(
            f"{a}/{name}"
            for a in sorted(set(old["analyses"]) | set(new))
            for name in sorted(set(old["analyses"].get(a, {}).get("files", {}))
                               | set(new.get(a, {})))
            if old["analyses"].get(a, {}).get("files", {}).get(name)
            != new.get(a, {}).get(name))
        entries.append({"edition": eid, "superseded": f"v{number}",
                        "superseded_pages": f"editions/{eid}-v{number}/index.html",
                        "reason": reason, "date": source_date, "commit": commit,
                        "changed_files": changed})
        series.edition(eid)
    return entries


def stage_versions(eid: str, staged: Path) -> None:
    """Keep the released archive of ``eid`` inside its new archive as ``versions/vN``."""
    old = layout.archive_dir(eid)
    versions = staged / "versions"
    if layout.archive_versions(eid).is_dir():
        shutil.copytree(layout.archive_versions(eid), versions)
    number = 1 + (len(list(versions.iterdir())) if versions.is_dir() else 0)
    shutil.copytree(old, versions / f"v{number}",
                    ignore=lambda d, names: ["versions"] if Path(d) == old else [])
