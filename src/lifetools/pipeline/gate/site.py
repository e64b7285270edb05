"""The gate over the built site: the pages as they will be served, before the swap.

The notebooks were checked before the book was built; this reads what the book made of
them and of the fixed pages, and what the pipeline wrote into the book from the
notebooks' results (an edition's overview, its RECORD checklist, the comparison with the
previous edition, the landing page), which no notebook gate saw:

- every HTML, JSON, CSV, text and SVG file of the staging site is scanned for
  identifiers and machine paths (:func:`lifetools.pipeline.gate.rules.identifier_findings`);
- every table of every HTML page is read for row-level data: more than 60 rows, or a
  column of distinct identifier-looking values (``row-level``,
  :func:`~lifetools.pipeline.gate.rules.table_findings`);
- every file that reports on the data (the site's landing page and everything under
  ``editions/``) is read for numbers of people or records the edition's SDC profile would
  not publish ("13 people", "n = 3"), and for a word for all or none of a group beside
  a number of people (:func:`~lifetools.pipeline.gate.rules.counted_findings`), or
  with an outcome in words (``all-or-none-in-words``,
  :func:`~lifetools.pipeline.gate.rules.all_or_none_findings`; the
  profile of a page under ``editions/<id>/`` is the one that edition's published
  ``manifest.json`` records, as for its notebooks). The fixed pages of method, data
  dictionary, how-to and about (``book/``, under version control, never made from the
  data) state rules and worked examples ("n = 3", "5 people") and are not read so;
- every table a report page shows from its executed notebook (``owners``: the page's
  notebook, by its path in the site) is read by its columns' kinds, as the notebook's
  sealed stamp records them (:func:`page_table_findings`): a count column's cells as
  counts (threshold and rounding base of the edition's profile), rates and shares
  against the published counts beside them, person-time, places, statistics and
  models (:func:`lifetools.pipeline.gate.outputs.sealed_table_findings`, the
  notebook's own rules; until wave 43 the site scan read a page's cells as text, and a
  count edited to 3 after the book was built passed); a report page's table that no
  sealed table of its notebook shows cannot be read by kind, and is refused
  (``unstamped``);
- the site must not carry copies of source notebooks (``_sources/``, ``*.ipynb``),
  whose hidden code and stderr would be published.

SHA-256 digests the pipeline itself publishes (the manifests' fingerprints) are not
person ids. Tested in ``tests/leaks/test_leaks.py`` (``test_leaks_site_*``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat

from lifetools.disclosure import SdcProfile, get_profile
from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.files import download_findings
from lifetools.pipeline.gate.notebooks import Finding
from lifetools.pipeline.gate.outputs import sealed_table_findings
from lifetools.pipeline.gate.prose import RunParameters
from lifetools.pipeline.gate.run_record import (
    parameter_words,
    run_parameters,
    sealed_outputs,
    verified_settings,
)
from lifetools.pipeline.layout import MANIFEST, SITE_RECORD

__all__ = ["UNVERIFIABLE_TABLE", "edition_of", "page_findings", "page_table_findings",
           "reports_on_data", "scan_site", "sealed_tables"]

SCANNED = {".html", ".json", ".csv", ".txt", ".svg", ".md", ".xml"}
HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")
SITE = "site"
#: The folder of the site's edition pages (``editions/<id>/...``).
EDITIONS = "editions"
#: The site's landing page: it states the current edition's main points.
LANDING = "index.html"
UNVERIFIABLE_TABLE = "unstamped"
"""The rule a report table of a page that no sealed table of its notebook shows is
refused by: nothing records what its columns are."""
_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S | re.I)
_REPORT_TABLE = re.compile(r"<div\b[^>]*\bclass=\"lifetools-table\"[^>]*>\s*(<table\b.*?</table>)",
                           re.S | re.I)


def _published_digests(html: Path) -> set[str]:
    digests: set[str] = set()
    for path in html.rglob("*.json"):
        if path.name in (MANIFEST, SITE_RECORD):
            digests |= {h.lower() for h in HEX64.findall(path.read_text(errors="replace"))}
    return digests


def reports_on_data(name: str) -> bool:
    """Whether a site file (its path in the site, ``/``-separated) reports on the data:
    the landing page and every file under ``editions/``.

    >>> [reports_on_data(n) for n in ("index.html", "editions/2024-25/wellbeing.html",
    ...                               "methods/cox.html", "data/people.html")]
    [True, True, False, False]
    """
    return name == LANDING or name.split("/", 1)[0] == EDITIONS


def edition_of(name: str) -> str | None:
    """The edition a site file belongs to (its path in the site, ``/``-separated):
    ``<id>`` of a file under ``editions/<id>/``, else None.

    >>> [edition_of(n) for n in ("editions/2024-25/wellbeing.html",
    ...                          "editions/index.html", "index.html")]
    ['2024-25', None, None]
    """
    parts = name.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == EDITIONS else None


def _edition_profile(html: Path, edition: str | None, default: SdcProfile | str | None
                     ) -> SdcProfile | str | None:
    """The SDC profile ``edition`` was built with (its published manifest's), else
    ``default``."""
    if edition is None:
        return default
    try:
        recorded = json.loads((html / EDITIONS / edition / MANIFEST).read_text(
            encoding="utf-8"))
    except (OSError, ValueError):
        return default
    profile = (recorded.get("disclosure") or {}).get("profile") \
        if isinstance(recorded, dict) else None
    return profile if isinstance(profile, str) and profile else default


def page_findings(markup: str, *, html: bool, on_data: bool, allow: Iterable[str] = (),
                  profile: SdcProfile | str | None = None) -> rules.Found:
    """The site scan's findings in one file's text (``markup``; ``html``: an HTML page,
    whose tables are read too): identifiers and machine paths (``allow``: the published
    digests that only look like person ids), and on a page that reports on the data
    (``on_data``: :func:`reports_on_data`), counts of people its ``profile`` would not
    publish (None: the default profile) and all or none of a group in words. The one reading of a published
    text: the build checks a ``--republish`` reason, which the corrections page
    publishes as typed, by it before any run (until wave 42 the two combined the rules
    differently, and a reason saying all of a group had an outcome passed the early
    check and was refused by the site scan after every run)."""
    text = rules.strip_markup(markup) if html else markup
    found = list(rules.identifier_findings(text, allow=allow, columns=False))
    if html:
        found += [hit for head, rows in rules.html_tables(markup)
                  for hit in rules.table_findings(head, rows)]
    if on_data:
        found += rules.counted_findings(markup, profile)
        found += rules.all_or_none_findings(markup, profile)
    return list(dict.fromkeys(found))


def _caption(table: str) -> str:
    found = _CAPTION.search(table)
    return rules.strip_markup(found.group(1)).strip() if found else ""


def sealed_tables(nb: Any) -> list[tuple[int, str, list[str], list[list[str]],
                                         dict[str, Any]]]:
    """Each sealed, verified table an executed notebook shows: the cell's number as its
    author sees it, its caption, header and rows as its HTML has them, and its stamp."""
    found = []
    for number, _index, output, mark in sealed_outputs(nb, "table"):
        for table in _TABLE.findall(str(output.get("data", {}).get("text/html", ""))):
            for head, rows in rules.html_tables(table):
                found.append((number, _caption(table), head, rows, mark))
    return found


def page_table_findings(markup: str, nb: Any, profile: SdcProfile | str | None
                        ) -> list[tuple[int, str, str]]:
    """``(cell, rule, detail)`` for the tables a report page shows from its executed
    notebook ``nb``, each read by its columns' kinds as its sealed stamp records them
    (the same caption and header: :func:`sealed_tables`), by the notebook's own rules
    (:func:`~lifetools.pipeline.gate.outputs.sealed_table_findings`) with the run's
    recorded parameters and settings. A report table (``lifetools-table``) on the page
    that matches no sealed table is refused (``unstamped``, cell 0)."""
    p = get_profile(profile) if not isinstance(profile, SdcProfile) else profile
    sealed = sealed_tables(nb)
    parameters = RunParameters(run_parameters(nb), words=parameter_words(nb))
    settings = verified_settings(nb)
    found: list[tuple[int, str, str]] = []
    reports = {table for table in _REPORT_TABLE.findall(markup)}
    # two sealed tables of one caption and header are matched in order (the first
    # unused; a table the page shows again, glued, reads as the last it matched)
    used: set[int] = set()
    for table in _TABLE.findall(markup):
        caption = _caption(table)
        for head, rows in rules.html_tables(table):
            same = [i for i, (_n, said, shown, _rows, _mark) in enumerate(sealed)
                    if said == caption and shown == head]
            at = next((i for i in same if i not in used), same[-1] if same else None)
            owner = None if at is None else (sealed[at][0], sealed[at][4])
            if at is not None:
                used.add(at)
            if owner is None:
                if table in reports:
                    found.append((0, UNVERIFIABLE_TABLE, (
                        f"the page shows a report table ({caption!r}) that no sealed "
                        "table of its notebook shows: its cells cannot be read by "
                        "their columns' kinds")))
                continue
            number, mark = owner
            found += [(number, rule, f"the page's table {caption!r}: {detail}")
                      for rule, detail in sealed_table_findings(head, rows, mark, p,
                                                                parameters, settings)]
    return list(dict.fromkeys(found))


def scan_site(html: Path, profile: SdcProfile | str | None = None,
              owners: Mapping[str, Path] | None = None) -> list[Finding]:
    """Return every refused file of a built site folder.

    ``profile``: the SDC profile of pages outside an edition's folder (the series'; the
    ``default`` profile when not given). ``owners``: the executed notebook of each
    report page, by the page's path in the site (``editions/<id>/<analysis>.html``),
    whose sealed stamps say what each column of the page's tables is
    (:func:`page_table_findings`).
    """
    html = Path(html)
    allow = _published_digests(html)
    profiles: dict[str | None, SdcProfile | str | None] = {}  # a manifest read once
    notebooks: dict[Any, Any] = {}  # a notebook read once
    findings = []
    for path in sorted(p for p in html.rglob("*") if p.is_file()):
        name = path.relative_to(html).as_posix()
        if path.parts[len(html.parts)] == "_sources" or path.suffix == ".ipynb":
            findings.append(Finding(SITE, 0, 0, "source-notebook", "the site would publish "
                                    "a copy of a source file or notebook", file=name))
            continue
        if path.suffix.lower() not in SCANNED:
            continue
        markup = path.read_text(encoding="utf-8", errors="replace")
        on_data, edition = reports_on_data(name), edition_of(name)
        if on_data and edition not in profiles:
            profiles[edition] = _edition_profile(html, edition, profile)
        found = page_findings(markup, html=path.suffix == ".html", on_data=on_data,
                              allow=allow, profile=profiles.get(edition))
        for rule, detail in found:
            findings.append(Finding(SITE, 0, 0, rule, detail, file=name))
        page, download = _owned(name)
        owner = (owners or {}).get(page)
        if owner is None:
            continue
        if owner not in notebooks:
            notebooks[owner] = nbformat.read(Path(owner), as_version=4)
        nb = notebooks[owner]
        label = f"{SITE} ({nb.metadata.get('lifetools', {}).get('notebook') or page})"
        if download:  # a download the book published beside the page: by its record
            findings += [Finding(label, 0, 0, rule, detail, file=name) for rule, detail
                         in download_findings(download, markup, nb,
                                              profiles.get(edition, profile))]
        elif name == page:
            findings += [Finding(label, number, 0, rule, detail, file=name)
                         for number, rule, detail in page_table_findings(
                             markup, nb, profiles.get(edition, profile))]
    return findings


def _owned(name: str) -> tuple[str, tuple[str, ...]]:
    """The report page a site file belongs to (``editions/<id>/<analysis>.html``: the
    page itself, or a file the book published in the page's folder), and for a CSV
    download there its path in the run's files folder, by part (else ``()``).

    >>> _owned("editions/2024-25/wellbeing/tables/scores.csv")
    ('editions/2024-25/wellbeing.html', ('tables', 'scores.csv'))
    >>> _owned("editions/2024-25/wellbeing.html")
    ('editions/2024-25/wellbeing.html', ())
    """
    parts = name.split("/")
    if len(parts) == 5 and parts[0] == EDITIONS and parts[4].endswith(".csv"):
        return f"{EDITIONS}/{parts[1]}/{parts[2]}.html", (parts[3], parts[4])
    return name, ()
