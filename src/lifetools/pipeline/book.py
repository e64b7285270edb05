"""Assemble the Jupyter Book source in a staging folder, then build it with Sphinx.

The committed ``book/`` holds the fixed pages (landing page, methods, how-to, reference).
Everything else is generated here, every build, so it cannot drift from the code: the
data-dictionary pages, each edition's landing page and report pages (the executed
notebooks with an edition banner and a provenance block), the archive, and ``_toc.yml``.
Results as data (tables, figures, ``results.json``, the edition manifest) are copied to
``_extra/`` so Sphinx publishes them beside the pages unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import nbformat
import yaml

from lifetools import config, errors
from lifetools.dictionary import load_dictionary
from lifetools.disclosure import rule_sentence
from lifetools.formatting import format_date
from lifetools.pipeline import layout, rap
from lifetools.pipeline import pages as furniture
from lifetools.pipeline.compare import compare_results, comparison_markdown
from lifetools.pipeline.dictionary_pages import render_dictionary_pages
from lifetools.pipeline.flow import flow_diagram, flow_stamp, read_flow
from lifetools.pipeline.provenance import (
    PLACEHOLDERS,
    parameter_text,
    rerun_commands,
    source_date_epoch,
    write_json,
)
from lifetools.pipeline.record import record_markdown
from lifetools.pipeline.runner import run_child
from lifetools.pipeline.series import Analysis, Edition, Series
from lifetools.pipeline.table_labels import label_table_cells, stylesheet
from lifetools.pipeline.weight import trim_site
from lifetools.publication import FIGURES_FOLDER, TABLES_FOLDER, read_results
from lifetools.synthetic import TRUE_EFFECTS

logger = logging.getLogger(__name__)

__all__ = ["EditionPages", "assemble_book", "build_html", "provenance_markdown",
           "repair_theme_html", "report_banner"]

REPORTS_MARKER = "<!-- lifetools:reports -->"
MODEL_CARDS_MARKER = "<!-- lifetools:model-cards -->"
"""Where the methods page of the crisis-risk model card lists each edition's card
(:func:`model_card_links`)."""
MODEL_CARD_REPORT = "crisis_risk"
"""The report whose page ends with its edition's model card section."""


@dataclass(frozen=True)
class EditionPages:
    """One edition to publish: its runs (analysis id -> run folder) and manifest."""

    edition: Edition
    runs: Mapping[str, Path]
    manifest: Mapping[str, Any]


def period_text(edition: Edition) -> str:
    """Return '1 April 2024 to 31 March 2025' for an edition."""
    return f"{format_date(edition.period_start)} to {format_date(edition.period_end)}"


def provenance_markdown(
    analysis: Analysis, edition: Edition, record: Mapping[str, Any],
    manifest: Mapping[str, Any],
) -> str:
    """Return the 'About this report' block shown at the end of every report page."""
    code = record.get("code_version", {})
    commit = (f"commit `{code['commit'][:12]}`" if code.get("commit")
              else "commit unknown (not a git checkout)")
    tree = {True: "uncommitted changes present", False: "clean"}.get(
        code.get("dirty"), "unknown"
    )
    params = ", ".join(f"`{k} = {parameter_text(v)}`"
                       for k, v in sorted(record["parameters"].items()))
    data = manifest.get("data", {})
    synthetic = data.get("synthetic")
    source = (
        f"synthetic data, {synthetic['people']:,} people, seed {synthetic['seed']}"
        if synthetic else "the trust's linked extract"
    )
    packages = ", ".join(f"{k} {v}" for k, v in sorted(record["packages"].items()))
    cite = manifest.get("citation", {}).get("text", "")
    files = f"{analysis.id}/"
    published = sorted(record.get("files", []))
    listing = ", ".join(f'<a href="{files}{name}">{name}</a>' for name in published)
    commands = rerun_commands(analysis=analysis.id, edition=edition.id, record=record,
                              manifest=manifest)
    placeholders = any(word in shlex.split(line) for line in commands
                       for word in PLACEHOLDERS)
    return "\n".join([
        "## About this report",
        "",
        "| Record | Value |",
        "|---|---|",
        f"| Edition | {edition.title}: {period_text(edition)} |",
        f"| Data | {source} |",
        f"| Data fingerprint | `{record['data_fingerprint'][:16]}` (SHA-256 of every input "
        "table and of the data dictionary) |",
        f"| Code version | lifetools {record['packages'].get('lifetools')}, {commit} "
        f"(work tree {tree}) |",
        f"| Lock file | `{(record.get('lock_hash') or 'missing')[:16]}` (SHA-256 of "
        "requirements.lock) |",
        f"| Parameters | {params} |",
        f"| Disclosure control | {disclosure_line(manifest)} |",
        f"| Statistical stack | {packages} |",
        f"| Source date | {manifest.get('source_date', 'unknown')} (commit time; run "
        "timings are kept in the build log) |",
        "",
        "Results as data, after disclosure control: "
        + (listing or "none") + '; and the <a href="manifest.json">edition manifest</a>.',
        "",
        "### How to cite",
        "",
        cite or "See CITATION.cff in the repository.",
        "",
        "### Rerun this report",
        "",
        ("From a fresh clone" if manifest.get("repository") else
         "The code is not yet in a public repository: ask the {doc}`contact "
         "</about/contact>` for a copy. Then, in that copy")
        # "as written" only when it is: a placeholder is replaced (said below)
        + (", with the words in capitals replaced as said below:" if placeholders
           else ", as written (nothing is copied by hand):"),
        "",
        "```text",  # plain text: the commands stay whole in the html (no highlighting)
        *commands,
        "```",
        "",
        f"The run uses the data with fingerprint `{record['data_fingerprint'][:16]}`"
        + (" (the synthetic data are regenerated from their size and seed)"
           if data.get("synthetic") else
           " (`EXTRACT.duckdb`: the DuckDB extract with that fingerprint)"
           if (data.get("engine") or {}).get("source") == "duckdb" else
           " (`postgresql://USER@HOST/DATABASE`: the database with that fingerprint, "
           "the password in `LIFETOOLS_DB_PASSWORD`)"
           if (data.get("engine") or {}).get("source") == "postgres" else
           " (`sc://HOST:PORT`: the Spark Connect server holding the tables with that "
           "fingerprint)"
           if (data.get("engine") or {}).get("source") == "spark" else
           " (`EXTRACT_FOLDER`: the extract with that fingerprint)")
        + f"; `lifetools reproduce {edition.id}` compares every published number of "
        "the edition"
        # with no site address recorded, the line reads `--site SITE` (without it, it
        # read public/site, which a fresh copy does not have: exit 12, wave-23 audit)
        + ("." if manifest.get("site_url") else
           "; for `SITE` put this site's address, or a folder holding a downloaded copy "
           "of it (the series records no address for this site yet)."),
        "",
    ])


def disclosure_line(manifest: Mapping[str, Any]) -> str:
    """The profile an edition was protected with, in plain words, from its manifest.

    "Profile `default`: counts from 1 to 7 are suppressed and shown as [c]; other
    counts are rounded to the nearest 5." (an edition archived before profiles were
    recorded was built with ``default``).
    """
    name = manifest.get("disclosure", {}).get("profile", "default")
    rule = rule_sentence(name)
    return (f"Profile `{name}`: {rule[0].lower()}{rule[1:]} Methods: "
            "{doc}`disclosure control </methods/disclosure-control>`.")


def _flow_cell(nb: Any, files: Path) -> None:
    """Put the participant flow diagram after the cell that shows the flow table."""
    path = files / TABLES_FOLDER / "flow.csv"
    if not path.exists():
        return
    columns, rows = read_flow(path)
    if not rows:
        return
    found = flow_stamp(nb)
    at, parents = (len(nb.cells), None) if found is None else (found[0] + 1, found[1])
    diagram = flow_diagram(columns, rows, caption="Participant flow: how the cohort was "
                           "formed (protected counts, as in the table)", parents=parents)
    nb.cells.insert(at, nbformat.v4.new_markdown_cell(diagram))


INLINE_PNG = re.compile(r'(src|srcset)="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _figures_as_files(nb: Any, files: Path, prefix: str) -> None:
    """Point each inline figure at its published file instead (same bytes).

    A figure's PNG is inside the notebook as base64 and beside the page as
    ``figures/<name>.png``; the page links the file (a third lighter than base64, and
    not duplicated in the page source). So does a ``<picture>`` source (``srcset``,
    the narrow-phone rendering ``figures/<name>-narrow.png``). An image with no
    identical file stays inline.
    """
    folder = files / FIGURES_FOLDER
    known = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name
             for p in sorted(folder.glob("*.png"))} if folder.is_dir() else {}

    def link(match: re.Match[str]) -> str:
        name = known.get(hashlib.sha256(base64.b64decode(match[2])).hexdigest())
        return f'{match[1]}="{prefix}/figures/{name}"' if name else match[0]

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html")
            if known and isinstance(page, str) and "data:image/png;base64," in page:
                output["data"]["text/html"] = INLINE_PNG.sub(link, page)


def report_banner(edition: str, point: str = "", notice: str = "") -> str:
    """The lines under a report's heading: its edition and the headline answer, bold.

    The main point is the one bold sentence of the page's summary (the answer a reader
    came for); glued sentences elsewhere read as the text around them
    (``_static/lifetools.css`` undoes myst-nb's bold ``span.pasted-text``: every glued
    summary sentence read bold).
    """
    banner = f"*{edition}.* {{doc}}`Other editions <../index>`."
    if notice:  # the synthetic-data warning, published date and status (pages.py)
        banner = f"{notice}\n\n{banner}"
    return f"{banner}\n\n**Main point. {point}**" if point else banner


def _report_page(
    run_dir: Path, target: Path, analysis: Analysis, pages: EditionPages,
    point: str = "", cite: str = "", comparison: str = "", notice: str = "",
) -> None:
    """Copy an executed notebook into the book with a banner, main point and provenance.

    The heading names the edition so that every page has its own title. A report with
    a published flow table gets its flow diagram after the table (``flow.py``); with a
    ``comparison`` (``compare.py``), that section comes before the provenance block.
    """
    folder = layout.RunFolder(run_dir)
    nb = nbformat.read(folder.notebook, as_version=4)
    _flow_cell(nb, folder.files)
    _figures_as_files(nb, folder.files, analysis.id)
    if comparison:
        nb.cells.append(nbformat.v4.new_markdown_cell(comparison))
    record = json.loads(folder.record.read_text())
    edition = pages.edition
    banner = report_banner(f"{edition.title}: {period_text(edition)}", point, notice)
    heading = f"# {analysis.title}, {edition.title}"
    first = nb.cells[0] if nb.cells and nb.cells[0].cell_type == "markdown" else None
    lines = first.source.splitlines() if first is not None else []
    if lines and lines[0].startswith("# "):
        first.source = "\n".join([heading, "", banner, *lines[1:]])
    else:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"{heading}\n\n{banner}"))
    nb.cells.append(nbformat.v4.new_markdown_cell(
        provenance_markdown(analysis, edition, record,
                            {**pages.manifest, **({"citation": {"text": cite}} if cite
                                                  else {})})
    ))
    for cell in nb.cells:
        cell.pop("id", None)
    nb.nbformat_minor = 4
    nbformat.write(nb, target)


def _edition_index(pages: EditionPages, analyses: Sequence[Analysis],
                   head: str = "") -> str:
    """An edition's front page. It is kept byte for byte once released, so it never
    calls its edition current or archived (the archived-edition banner, added beside
    the page as released, says which is newer)."""
    edition = pages.edition
    lines = [
        f"# {edition.title}",
        "",
        head or f"Reporting period: {period_text(edition)}.",
        "",
        f"What changed in this edition: {edition.changes_said}",
        "",
        "## Reports",
        "",
    ]
    for analysis in analyses:
        lines.append(f"- {{doc}}`{analysis.title} <{analysis.id}>`: {analysis.summary}")
    lines += ["", 'The <a href="manifest.json">edition manifest</a> records code '
              "version, data fingerprint, parameters and package versions. The "
              "{doc}`RECORD checklist <record>` says where each item of the reporting "
              "guideline for routinely collected health data is met.", ""]
    return "\n".join(lines)


def _archive_index(series: Series, editions: Sequence[EditionPages]) -> str:
    lines = ["# All editions", "",
             "Every edition stays published as it was. Newest first.", ""]
    for pages in sorted(editions, key=lambda p: p.edition.period_start, reverse=True):
        edition = pages.edition
        tag = " (current)" if edition.id == series.current_edition else ""
        lines += [f"## {edition.title}{tag}", "",
                  f"{period_text(edition)}. {{doc}}`Open this edition <{edition.id}/index>`.",
                  "", f"Changes: {edition.changes_said}", ""]
    return "\n".join(lines)


def _landing_list(series: Series, current: EditionPages) -> str:
    lines = [f"Reports in the current edition ({current.edition.title}, "
             f"{period_text(current.edition)}):", ""]
    for analysis in series.analyses_in(current.edition.id):
        if analysis.id in current.runs:
            lines.append(
                f"- {{doc}}`{analysis.title} <editions/{current.edition.id}/{analysis.id}>`"
                f": {analysis.summary}"
            )
    lines += ["", "Earlier editions: {doc}`the archive <editions/index>`.", ""]
    return "\n".join(lines)


def _toc(series: Series, editions: Sequence[EditionPages], book: Path) -> dict:
    def chapters(folder: str) -> list[dict]:
        pages = sorted(p.stem for p in (book / folder).glob("*.md") if p.stem != "index")
        return [{"file": f"{folder}/{p}"} for p in pages]

    ordered = sorted(editions, key=lambda p: p.edition.period_start, reverse=True)
    current = [p for p in ordered if p.edition.id == series.current_edition]
    older = [p for p in ordered if p.edition.id != series.current_edition]

    def edition_chapter(pages: EditionPages) -> dict:
        eid = pages.edition.id
        chapter = {"file": f"editions/{eid}/index"}
        chapter["sections"] = [{"file": f"editions/{eid}/{a}"} for a in pages.runs] \
            + [{"file": f"editions/{eid}/record"}]
        return chapter

    parts = [
        # "Reports", never "Current edition": the sidebar is part of every page of an
        # edition kept byte for byte once released, which stays true after a newer one
        {"caption": "Reports", "chapters": [edition_chapter(p) for p in current]},
        {"caption": "Archive", "chapters": [{"file": "editions/index"}]
         + [edition_chapter(p) for p in older] + [{"file": "editions/corrections"}]},
    ]
    for folder, caption in (("about", "About these statistics"), ("methods", "Methods"),
                            ("data", "Data dictionary"),
                            ("howto", "How-to guides"), ("reference", "Reference")):
        if (book / folder / "index.md").exists():
            chapter = {"file": f"{folder}/index"}
            if chapters(folder):
                chapter["sections"] = chapters(folder)
            parts.append({"caption": caption, "chapters": [chapter]})
        elif chapters(folder):
            parts.append({"caption": caption, "chapters": chapters(folder)})
    return {"format": "jb-book", "root": "index", "parts": parts}


def _reference_pages(book: Path) -> None:
    """Write the CLI reference, error catalogue and glossary from the code."""
    folder = book / "reference"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Command line", "",
             "Generated from the command line's own definitions (sphinx-click) when the "
             "site was built. Exit codes are on {doc}`errors`.", "",
             "```{eval-rst}", ".. click:: lifetools.pipeline.cli:cli",
             "   :prog: lifetools", "   :nested: full", "```", ""]
    (folder / "cli.md").write_text("\n".join(lines))
    lines = ["# Errors and exit codes", "",
             "User mistakes are reported as one message, with a `HINT:` line where there "
             "is a fix, and this exit code. Anything else is a bug (exit code 1, with a "
             "traceback): please report it.", "",
             "| exit code | error | meaning |", "|---|---|---|"]
    for row in errors.exit_code_table():
        lines.append(f"| {row.code} | {f'`{row.error}`' if row.error else ''} "
                     f"| {row.meaning} |")
    lines.append("")
    (folder / "errors.md").write_text("\n".join(lines))
    glossary = config.project_root() / "GLOSSARY.md"
    if glossary.exists():
        shutil.copyfile(glossary, folder / "glossary.md")


def _effect_rows(effects: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Each known effect's name and value, a nested model's fields each on a row of its
    own under a dotted name (``crisis_risk.intercept``: the crisis-risk model)."""
    rows: list[tuple[str, Any]] = []
    for f in fields(effects):
        value = getattr(effects, f.name)
        if is_dataclass(value):
            rows += _effect_rows(value, f"{prefix}{f.name}.")
        else:
            rows.append((f"{prefix}{f.name}", value))
    return rows


def _effect_value(value: Any) -> str:
    """A known effect as the page shows it: a number, or ``name value`` pairs (a
    mapping kept as a tuple in the frozen dataclass, e.g. a rate by team type)."""
    if isinstance(value, tuple):
        return ", ".join(f"{name} {number:g}" for name, number in value)
    return f"{value:g}"


def _true_effects_page(book: Path) -> None:
    """Write ``methods/true-effects.md``: the generator's known effects, from the code."""
    lines = ["# Known true effects", "",
             "Generated from `lifetools.synthetic.TRUE_EFFECTS` (the frozen dataclass "
             "`TrueEffects` in `src/lifetools/synthetic/truth.py`) when the site was "
             "built. What each effect means and how the generator uses it is on "
             "{doc}`synthetic-data`.", "", "| name | value |", "|---|---|"]
    lines += [f"| `{name}` | {_effect_value(value)} |"
              for name, value in _effect_rows(TRUE_EFFECTS)]
    (book / "methods" / "true-effects.md").write_text("\n".join([*lines, ""]))


def _corrections_page(corrections: Sequence[Mapping[str, Any]]) -> str:
    """The corrections log: every republished edition, why, and what changed."""
    lines = ["# Corrections", "",
             "An edition is never changed after release. A correction publishes a new "
             "version; the version it replaces stays published, linked below.", ""]
    if not corrections:
        lines += ["No edition has been corrected.", ""]
    for entry in corrections:
        changed = ", ".join(f"`{name}`" for name in entry.get("changed_files", []))
        lines += [f"## {entry['edition']}: {entry['date'][:10]}", "",
                  f"Reason: {entry['reason']}", "",
                  f"Changed results: {changed or 'none'}.", "",
                  f'<a href="{entry["edition"]}-{entry["superseded"]}/index.html">The '
                  f"version it replaces ({entry['superseded']})</a>, as released.", ""]
    return "\n".join(lines)


def _previous(pages: EditionPages, editions: Sequence[EditionPages]
              ) -> EditionPages | None:
    """The edition published just before this one (by period), if any."""
    earlier = [p for p in editions
               if p.edition.period_start < pages.edition.period_start]
    return max(earlier, key=lambda p: p.edition.period_start, default=None)


def _following(pages: EditionPages, editions: Sequence[EditionPages]
               ) -> EditionPages | None:
    """The edition published just after this one (by period) in this build, if any."""
    later = [p for p in editions if p.edition.period_start > pages.edition.period_start]
    return min(later, key=lambda p: p.edition.period_start, default=None)


def _comparison(before: EditionPages | None, pages: EditionPages, analysis_id: str,
                headline: str | None = None) -> str:
    """The "Compared with the previous edition" section of one report ('' if none):
    its main point's estimate (``headline``) first."""
    if before is None or analysis_id not in before.runs:
        return ""
    rows = compare_results(read_results(layout.RunFolder(before.runs[analysis_id]).files),
                           read_results(layout.RunFolder(pages.runs[analysis_id]).files),
                           first=(headline,) if headline else ())
    return comparison_markdown(rows, previous_title=before.edition.title,
                               previous_link=f"../{before.edition.id}/{analysis_id}",
                               current_title=pages.edition.title)


def model_card_links(editions: Sequence[EditionPages]) -> str:
    """The list of each edition's model card (the "Model card" section at the end of
    its crisis-risk report, built from that edition's run:
    :mod:`lifetools.reports.model_card`), newest first, for the methods page that
    holds the card's fixed parts (:data:`MODEL_CARDS_MARKER`). Tested in
    ``tests/unit/test_model_card.py``."""
    shown = sorted((p for p in editions if MODEL_CARD_REPORT in p.runs),
                   key=lambda p: p.edition.period_start, reverse=True)
    if not shown:
        return "No edition has a crisis-risk report yet."
    return "\n".join(
        f"- {{doc}}`{p.edition.title} </editions/{p.edition.id}/{MODEL_CARD_REPORT}>`: "
        "its \"Model card\" section, at the end of the report" for p in shown)


def assemble_book(stage: Path, *, series: Series, editions: Sequence[EditionPages],
                  corrections: Sequence[Mapping[str, Any]] = ()) -> Path:
    """Write the complete book source into ``stage`` and return its folder."""
    root = config.project_root()
    book = stage / "book"
    shutil.copytree(root / "book", book, ignore=shutil.ignore_patterns("_build"))
    settings = yaml.safe_load((root / "_config.yml").read_text())
    # the footer's year and owner: generated from the build's fixed time and the
    # publisher, never typed (the page test and two builds' byte comparison read it)
    settings["copyright"] = furniture.copyright_notice(series.publication,
                                                       source_date_epoch())
    (book / "_config.yml").write_text(yaml.safe_dump(settings, sort_keys=False,
                                                     allow_unicode=True))
    css = book / "_static" / "lifetools.css"
    if css.exists():  # the stacked-rows rules for wide tables too (written once)
        css.write_text(stylesheet(css.read_text()))
    render_dictionary_pages(book / "data")
    _reference_pages(book)
    if (book / "about").is_dir():
        (book / "about" / "rap.md").write_text(rap.markdown(rap.assess()))
    if (book / "methods" / "index.md").exists():
        _true_effects_page(book)
    publication = series.publication
    furniture.write_furniture(book, series=series, editions=editions,
                              publication=publication)
    dictionary = load_dictionary()
    for pages in editions:
        eid = pages.edition.id
        before = _previous(pages, editions)
        folder = book / "editions" / eid
        extra = book / "_extra" / "editions" / eid
        folder.mkdir(parents=True, exist_ok=True)
        extra.mkdir(parents=True, exist_ok=True)
        analyses = [series.analysis(a) for a in pages.runs]
        points = dict((a.id, text) for a, text in furniture.edition_points(
            series, pages.edition, pages.runs, publication))
        # a report page's own main point leaves a reason its summary states to it
        page_points = dict((a.id, text) for a, text in furniture.edition_points(
            series, pages.edition, pages.runs, publication, on_report_page=True))
        for analysis in analyses:
            run_dir = pages.runs[analysis.id]
            cite = furniture.citation(publication, series, pages.edition, pages.manifest,
                                      analysis)
            _report_page(run_dir, folder / f"{analysis.id}.ipynb", analysis, pages,
                         page_points.get(analysis.id, ""), cite,
                         _comparison(before, pages, analysis.id, getattr(
                             publication.main_points.get(analysis.id), "estimate", None)),
                         furniture.report_notice(pages.manifest, publication))
            if layout.RunFolder(run_dir).files.exists():
                shutil.copytree(layout.RunFolder(run_dir).files, extra / analysis.id)
        write_json(extra / layout.MANIFEST, pages.manifest)
        head = "\n".join([
            furniture.status_banner(pages.edition, pages.manifest, publication,
                                    landing=False, following=(
                                        after.edition if (after := _following(
                                            pages, editions)) else None)),
            "## Main points", "",
            furniture.main_points_markdown(
                [(series.analysis(a), t) for a, t in points.items()], "")])
        (folder / "index.md").write_text(_edition_index(pages, analyses, head))
        (folder / "record.md").write_text(record_markdown(
            series, pages.edition, pages.runs, pages.manifest, dictionary))
    (book / "editions" / "index.md").write_text(_archive_index(series, editions))
    card = book / "methods" / "crisis-risk-model-card.md"
    if card.exists() and MODEL_CARDS_MARKER in card.read_text():
        card.write_text(card.read_text().replace(MODEL_CARDS_MARKER,
                                                 model_card_links(editions)))
    (book / "editions" / "corrections.md").write_text(_corrections_page(corrections))
    current = next(p for p in editions if p.edition.id == series.current_edition)
    landing = furniture.render_landing(
        (book / "index.md").read_text(), series=series, current=current.edition,
        runs=current.runs, manifest=current.manifest, publication=publication,
        reports=_landing_list(series, current))
    (book / "index.md").write_text(landing)
    (book / "_toc.yml").write_text(yaml.safe_dump(_toc(series, editions, book),
                                                  sort_keys=False))
    return book


def build_html(book: Path, *, log: Path) -> Path:
    """Build the HTML site with warnings as errors; return ``_build/html``.

    Raises
    ------
    BuildError
        With the Sphinx warnings, if the build fails or warns.
    """
    command = [
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
        "build", str(book),
        "--config", str(book / "_config.yml"), "--toc", str(book / "_toc.yml"),
        "-W", "-n", "--keep-going", "--all",
    ]
    logger.info("building the book in %s", book)
    # reproducible output: dates from the commit, not the clock (Sphinx honours
    # SOURCE_DATE_EPOCH); hash seed fixed so the search index is stable
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(source_date_epoch()),
           "PYTHONHASHSEED": "0", "TZ": "UTC"}
    done = run_child(command, env=env)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(done.stdout + "\n" + done.stderr)
    html = book / "_build" / "html"
    if done.returncode != 0 or not (html / "index.html").exists():
        problems = [line for line in (done.stdout + done.stderr).splitlines()
                    if "WARNING" in line or "ERROR" in line or "Error" in line]
        raise errors.BuildError(
            "the book did not build:\n" + "\n".join(problems[:20] or ["(no message)"]),
            hint=f"the full log is at {log}",
        )
    # .buildinfo serves incremental rebuilds only (we build --all) and hashes the
    # build's configuration, absolute paths included
    (html / ".buildinfo").unlink(missing_ok=True)
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        repaired = repair_theme_html(text)
        if repaired != text:
            page.write_text(repaired, encoding="utf-8")
    trim_site(html)
    return html


INLINE_SCRIPT = re.compile(r"^\s*<script>[^<]*</script>\s*$")
SECTION_TOGGLE = re.compile(
    r'(<a class="reference internal" href="[^"]*">([^<]*)</a><details[^>]*>)<summary>')
BARE_TOGGLE = '<summary><span class="toctree-toggle"'
SIDEBAR = '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">'
TABLE = re.compile(r"<table(?![^>]*\btabindex=)")
HEADING = re.compile(r"<(h[1-3])\b([^>]*)>(.*?)</\1>", re.DOTALL)
EDITION_LABEL = re.compile(r"(?<![\w-])(\d{4}-\d{2})(?![\w-])")
NO_BREAK = "lifetools-nowrap"
"""The class of an edition's label in a heading ("2024-25"), kept on one line
(``_static/lifetools.css``): a browser may break a line after a hyphen, and the
crisis-risk title broke as "2024-" / "25 edition" in a narrow window and in its PDF."""


def _unbroken_labels(match: re.Match[str]) -> str:
    """One heading with each edition label in its text (not in a tag) kept whole."""
    parts = re.split(r"(<[^>]*>)", match.group(3))
    opened = f'<span class="{NO_BREAK}">'
    text = "".join(part if part.startswith("<") or (i and parts[i - 1] == opened)
                   else EDITION_LABEL.sub(rf"{opened}\1</span>", part)
                   for i, part in enumerate(parts))
    return f"<{match.group(1)}{match.group(2)}>{text}</{match.group(1)}>"


REPEATED_TITLE = re.compile(r"<title>(?P<name>[^<]+?) &#8212; (?P=name)</title>")
"""The landing page's title, "<site> &#8212; <site>": Sphinx puts the site's title
after the page's, which on the landing page is the same words."""


def repair_theme_html(text: str) -> str:
    """Repair two faults of the Jupyter Book 1 theme in one built page's HTML.

    - sphinx-thebe writes its configuration script twice, declaring
      ``const THEBE_JS_URL`` twice: a JavaScript error on every page load. Repeated
      identical inline ``<script>`` lines are dropped.
    - The sidebar's section toggles are ``<summary>`` elements holding only an icon, so
      screen readers announce nothing (axe rule ``summary-name``, WCAG 4.1.2). Each gets
      an ``aria-label`` naming its section.
    - The site title at the top of the sidebar is outside every landmark (axe rule
      ``region``): the sidebar becomes a region named "Site menu".
    - A table too wide for a phone scrolls inside its own box (``_static/lifetools.css``);
      keyboard users must be able to reach and scroll it (axe rule
      ``scrollable-region-focusable``, WCAG 2.1.1), so every table takes the focus.
    - Every simple table stacks on a phone (``table_labels.label_table_cells``: each
      body cell gets its column header as ``data-label``), not only the report tables.
    - The landing page's ``<title>`` said the site's name twice ("The Life Rooms report
      series — The Life Rooms report series"): it says it once.
    - An edition's label in a heading ("2024-25") broke at its hyphen in a narrow
      window and in the printed PDF: it is kept on one line (:data:`NO_BREAK`).
    """
    seen, kept = set(), []
    for line in text.splitlines(keepends=True):
        if INLINE_SCRIPT.match(line):
            if line.strip() in seen:
                continue
            seen.add(line.strip())
        kept.append(line)
    text = "".join(kept)
    text = SECTION_TOGGLE.sub(
        lambda m: m.group(1) + '<summary aria-label="Show or hide the pages of '
        + m.group(2).replace('"', "&quot;") + '">', text)
    text = text.replace(SIDEBAR, SIDEBAR[:-1] + ' role="region" aria-label="Site menu">')
    text = label_table_cells(TABLE.sub('<table tabindex="0"', text))
    text = REPEATED_TITLE.sub(r"<title>\g<name></title>", text, count=1)
    text = HEADING.sub(_unbroken_labels, text)
    return text.replace(BARE_TOGGLE, '<summary aria-label="Show or hide the pages of '
                        'this section"><span class="toctree-toggle"')
