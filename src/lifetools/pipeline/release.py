"""Publish a release in one step: the archive of every edition and the site together.

A release is one folder, ``public/releases/<token>/``, holding the built site
(``site/``) and the archive of every edition (``editions/``, with the corrections log).
It is assembled beside the live release under a temporary name, renamed into place,
and published by replacing one symbolic link, ``public/current``; ``public/site`` and
``public/editions`` are fixed links through it. A process killed at any step leaves
``public/current`` pointing at the previous release, complete and unchanged.

Editions already released are copied forward from the previous release (hard links
where the file system allows), byte for byte, never rebuilt.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifetools.pipeline import layout, provenance
from lifetools.pipeline.pages import long_date

__all__ = ["STEPS", "Release", "freeze_archived_pages", "mark_archived", "mark_corrections",
           "publish", "publish_draft", "publish_versions", "stamp_draft",
           "unmark_archived", "unmark_corrections"]

#: The publish steps in order; :func:`_step` is called before each (tests inject a
#: failure there to check that the previous release survives every one).
STEPS = ("prepare", "archives", "site", "seal", "switch", "prune")
SITE_LINK = Path("current") / "site"
EDITIONS_LINK = Path("current") / "editions"


@dataclass(frozen=True)
class Release:
    """What to publish: the built html, new edition archives, the corrections log."""

    token: str
    html: Path
    archives: Mapping[str, Path]
    corrections: Sequence[Mapping[str, Any]] = ()


def _step(name: str) -> None:
    """Mark the start of a publish step (a seam for failure-injection tests)."""


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)


def _replace_link(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` with one atomic rename."""
    tmp = layout.temp_sibling(link, "new")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    if link.exists() and link.is_dir() and not link.is_symlink():
        # a site or archive from before releases held both: moved aside once
        old = layout.temp_sibling(link, "old")
        link.rename(old)
        os.replace(tmp, link)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(tmp, link)


def publish(release: Release) -> Path:
    """Publish ``release`` as the live site and archive; return ``public/site``.

    Raises nothing of its own: an exception from any step leaves the previous release
    live and unchanged (the partial folder is removed, or by :func:`layout.clean_stale`
    after a kill).
    """
    releases = layout.releases_dir()
    current = layout.current_link()
    previous = os.readlink(current) if current.is_symlink() else None
    _step("prepare")
    releases.mkdir(parents=True, exist_ok=True)
    layout.clean_stale(releases)
    token = release.token
    while (releases / token).exists():
        token = _next_token(token)
    work = layout.temp_sibling(releases / token, "partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        _step("archives")
        editions = work / "editions"
        editions.mkdir()
        live = layout.editions_root()
        if live.is_dir():
            for child in sorted(live.resolve().iterdir()):
                if child.is_dir() and child.name not in release.archives \
                        and not child.name.startswith("."):
                    _copy_tree(child, editions / child.name)
        for eid, staged in release.archives.items():
            shutil.copytree(staged, editions / eid, symlinks=True)
        provenance.write_json(editions / layout.CORRECTIONS,
                              {"corrections": list(release.corrections)})
        _step("site")
        shutil.copytree(release.html, work / "site", symlinks=True)
        _step("seal")
        work.rename(releases / token)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _step("switch")
    _replace_link(current, Path(releases.name) / token)
    for link, target in ((layout.site_dir(), SITE_LINK),
                         (layout.editions_root(), EDITIONS_LINK)):
        if not (link.is_symlink() and Path(os.readlink(link)) == target):
            _replace_link(link, target)
    _step("prune")
    keep = {token, Path(previous).name if previous else None}
    for old in sorted(releases.iterdir()):
        if old.name not in keep and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    return layout.site_dir()


def _next_token(token: str) -> str:
    match = re.fullmatch(r"(.*)-(\d+)", token)
    if match:
        return f"{match[1]}-{int(match[2]) + 1}"
    return f"{token}-2"


def freeze_archived_pages(html: Path, editions: Sequence[str]) -> list[str]:
    """Replace the freshly built pages of archived editions by the pages as released.

    For each edition in ``editions`` whose archive holds its released pages
    (``public/editions/<id>/html``), ``html/editions/<id>`` becomes a byte-for-byte
    copy of them; superseded versions are published beside it as
    ``editions/<id>-v<N>/``. Returns the editions frozen.
    """
    frozen = []
    for eid in editions:
        snapshot = layout.archive_html(eid)
        if snapshot.is_dir():
            target = html / "editions" / eid
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(snapshot, target)
            frozen.append(eid)
    return frozen


def publish_versions(html: Path, archives: Mapping[str, Path]) -> None:
    """Publish every superseded version of these archives as ``editions/<id>-v<N>``."""
    for eid, folder in archives.items():
        versions = folder / "versions"
        if not versions.is_dir():
            continue
        for version in sorted(versions.iterdir()):
            pages = version / layout.EDITION_HTML
            if pages.is_dir():
                shutil.copytree(pages, html / "editions" / f"{eid}-{version.name}")


ARTICLE = '<article class="bd-article">'
ARCHIVED = re.compile(r'<div class="lifetools-archived" role="note">.*?</div>', re.S)


def archived_banner(href: str, title: str) -> str:
    """The note at the top of an archived edition's page, linking the newer page."""
    return (f'<div class="lifetools-archived" role="note"><p><strong>This is an archived '
            f'edition</strong>, superseded by <a href="{html.escape(href)}">the '
            f"{html.escape(title)}</a>. Its numbers are kept as they were released."
            "</p></div>")


def mark_archived(html_dir: Path, editions: Sequence[str], *, current: str,
                  title: str) -> int:
    """Put the archived-edition banner at the top of every page of these editions.

    The banner links each page to the same page of the ``current`` edition when it
    exists, else to that edition's front page; it is added after the pages as
    released were copied to the archive, so an edition's snapshot never holds it
    (:func:`unmark_archived` takes it off). Returns the number of pages marked.
    """
    count = 0
    for eid in editions:
        folder = html_dir / "editions" / eid
        for page in sorted(folder.glob("*.html")):
            newer = html_dir / "editions" / current / page.name
            href = f"../{current}/{page.name if newer.exists() else 'index.html'}"
            text = unmark_archived(page.read_text(encoding="utf-8"))
            marked = text.replace(ARTICLE, ARTICLE + archived_banner(href, title), 1)
            if marked != text:
                page.write_text(marked, encoding="utf-8")
                count += 1
    return count


def unmark_archived(text: str) -> str:
    """A page's HTML without the archived-edition banner (as released)."""
    return ARCHIVED.sub("", text, count=1)


CORRECTED = re.compile(r'<div class="lifetools-corrected" role="note">.*?</div>', re.S)
SUPERSEDED = re.compile(r'<div class="lifetools-superseded" role="note">.*?</div>', re.S)


def _changes(entry: Mapping[str, Any], page: str, titles: Mapping[str, str]) -> str:
    """What one correction changed, said for one page: its files, or the reports."""
    files = [str(f) for f in entry.get("changed_files", [])]
    here = [f.split("/", 1)[1] for f in files if f.split("/", 1)[0] == page and "/" in f]
    if here:
        return ("Results changed on this page: "
                + ", ".join(f"<code>{html.escape(f)}</code>" for f in here) + ".")
    reports = sorted({f.split("/", 1)[0] for f in files})
    if not reports:
        return "No published result changed."
    named = ", ".join(html.escape(titles.get(r, r)) for r in reports)
    return (f"Results changed in: {named}." if page == "index" else
            f"No result on this page changed; results changed in: {named}.")


def corrected_banner(entries: Sequence[Mapping[str, Any]], page: str, *,
                     editions: Path, titles: Mapping[str, str]) -> str:
    """The note at the top of every page of a corrected edition, one line per correction.

    ``entries`` are the edition's corrections log entries, oldest first; ``editions``
    the site's ``editions/`` folder, where each superseded version's same page
    (``<id>-v<N>/<page>.html``) is linked when it exists (else that version's front
    page).
    """
    lines = []
    for number, entry in enumerate(entries):
        version = str(entry["superseded"])
        folder = editions / f"{entry['edition']}-{version}"
        target = f"{page}.html" if (folder / f"{page}.html").exists() else "index.html"
        what = "as first released" if number == 0 else f"as corrected before ({version})"
        lines.append(
            f"<p><strong>Corrected on {long_date(entry.get('date'))}.</strong> "
            f"{html.escape(str(entry.get('reason', '')).strip().rstrip('.'))}. "
            f"{_changes(entry, page, titles)} "
            f'<a href="../{folder.name}/{target}">This page {what}</a>.</p>')
    return ('<div class="lifetools-corrected" role="note"><p><strong>This edition has '
            "been corrected</strong> since it was first released; the "
            '<a href="../corrections.html">corrections log</a> lists every correction.'
            "</p>" + "".join(lines) + "</div>")


def superseded_banner(entry: Mapping[str, Any], href: str) -> str:
    """The note at the top of every page of a superseded version, linking the correction."""
    return ('<div class="lifetools-superseded" role="note"><p><strong>This version has '
            f"been superseded</strong>: it was corrected on {long_date(entry.get('date'))} "
            f"({html.escape(str(entry.get('reason', '')).strip().rstrip('.'))}). "
            f'<a href="{html.escape(href)}">Read the corrected page</a>. This version is '
            "kept as it was released.</p></div>")


def _put(text: str, pattern: re.Pattern[str], banner: str) -> str:
    """Replace the page's banner of this kind in place, or add it after the heading."""
    if pattern.search(text):
        return pattern.sub(lambda _m: banner, text, count=1)
    return text.replace(ARTICLE, ARTICLE + banner, 1)


def mark_corrections(html_dir: Path, corrections: Sequence[Mapping[str, Any]], *,
                     titles: Mapping[str, str] | None = None) -> int:
    """Put the correction banners on the pages of corrected editions and their versions.

    Every page of a corrected edition (``editions/<id>/``) says when and why it was
    corrected, what changed (from the corrections log ``corrections``) and links the
    same page as first released (``editions/<id>-v1/``); every page of a superseded
    version (``editions/<id>-v<N>/``) says it is superseded, links the corrected page
    and has its version in its title. Marking twice gives the same bytes (a banner is
    replaced where it stands). Returns the number of pages changed.

    Notes
    -----
    Checked by ``tests/unit/test_release.py`` (``test_mark_corrections_*``) and, end
    to end, ``tests/functional/test_integrity.py`` (the republish test).
    """
    titles = titles or {}
    by_edition: dict[str, list[Mapping[str, Any]]] = {}
    for entry in corrections:
        by_edition.setdefault(str(entry["edition"]), []).append(entry)
    count = 0
    for eid, entries in sorted(by_edition.items()):
        folder = html_dir / "editions" / eid
        changed = []
        for page in sorted(folder.glob("*.html")):
            text = page.read_text(encoding="utf-8")
            marked = _put(text, CORRECTED, corrected_banner(
                entries, page.stem, editions=html_dir / "editions", titles=titles))
            changed.append((page, text, marked))
        for entry in entries:
            version = html_dir / "editions" / f"{eid}-{entry['superseded']}"
            for page in sorted(version.glob("*.html")):
                href = f"../{eid}/{page.name if (folder / page.name).exists() else 'index.html'}"
                text = page.read_text(encoding="utf-8")
                marked = _put(text, SUPERSEDED, superseded_banner(entry, href))
                title = f"<title>Superseded ({entry['superseded']}): "
                if title not in marked:
                    marked = marked.replace("<title>", title, 1)
                changed.append((page, text, marked))
        for page, text, marked in changed:
            if marked != text:
                page.write_text(marked, encoding="utf-8")
                count += 1
    return count


def unmark_corrections(text: str) -> str:
    """A page's HTML without its correction or superseded banner."""
    return SUPERSEDED.sub("", CORRECTED.sub("", text, count=1), count=1)


DRAFT_BANNER = ('<div class="lifetools-draft" role="note" style="background:#fde7e9;'
                'color:#000;padding:0.5em 1em;font-weight:bold;border-bottom:2px solid '
                '#a4262c">DRAFT: built from uncommitted or unreleased work. Not a '
                'published edition; do not cite.</div>')
_BODY = re.compile(r"(<body[^>]*>)")


def stamp_draft(html: Path) -> int:
    """Put the DRAFT banner at the top of every page of a built site; return the count."""
    count = 0
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        stamped, n = _BODY.subn(lambda m: m.group(1) + DRAFT_BANNER, text, count=1)
        if n:
            page.write_text(stamped.replace("<title>", "<title>DRAFT: ", 1),
                            encoding="utf-8")
            count += 1
    return count


def publish_draft(html: Path) -> Path:
    """Move a draft site to ``public/draft`` (replacing the previous draft only)."""
    target = layout.draft_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = layout.temp_sibling(target, "new")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(html, tmp)
    old = layout.temp_sibling(target, "old")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target
