"""The pages a reader meets first: main points, status banner and publication furniture.

Everything here is generated at build time from what was computed (each report's
``results.json``, each edition's manifest) and from the ``publication:`` block of
``analyses/analyses.yml``, so no number on these pages is ever typed. The block is typed
once, by :class:`lifetools.pipeline.series.Publication` (every key optional with a stated
default, unknown keys refused with the file and line), and read from the loaded series.

The fixed prose of the furniture (licence, revisions policy, accessibility statement,
quality statement) lives in ``book/about/``; the pages that depend on configuration or
on the build (release calendar, status, contact, how to cite) are written here.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lifetools.disclosure import rule_sentence
from lifetools.disclosure.withheld import headline_of, withheld_verb
from lifetools.errors import ParameterError
from lifetools.formatting import MISSING, finite, format_date, format_value, verdict
from lifetools.labels import explain_terms
from lifetools.pipeline import layout
from lifetools.pipeline.series import Analysis, Edition, MainPoint, Publication, Series
from lifetools.publication import read_results

__all__ = ["Publication", "copyright_notice", "disclosure_rule", "main_point", "main_points_markdown",
           "render_landing", "report_notice", "why_not_estimated",
           "status_banner", "write_furniture"]

MARKERS = {"banner": "<!-- lifetools:banner -->",
           "main_points": "<!-- lifetools:main-points -->",
           "reports": "<!-- lifetools:reports -->",
           "reproduce": "<!-- lifetools:reproduce -->",
           "disclosure": "<!-- lifetools:disclosure -->",
           "intervals": "<!-- lifetools:intervals -->"}
INTERVAL_NOTE = ("Each figure in brackets is a 95% confidence interval: the range of values "
                 "the data are compatible with. How the words after each figure are chosen "
                 "is on {doc}`methods/verdicts`.")
"""Said under the main points when one of them gives an estimate with its interval."""
NUMBER_KINDS = ("percentage", "ratio", "estimate", "rate", "magnitude")
"""Key-result kinds that are numbers a main point's template may quote in its words:
when one was withheld the main point says so instead of putting its reason inside the
template's words. (A withheld count reads "fewer than 8", which fits any sentence.)"""


def long_date(iso: str | None) -> str:
    """Return '30 November 2026' from an ISO date or date-time ('' when missing):
    :func:`lifetools.formatting.format_date`, the one date formatter of the pages."""
    return format_date(iso)


def _value(results: Mapping[str, Any], key: Any) -> Any:
    entry = results.get(str(key)) if key else None
    return entry.get("value") if isinstance(entry, dict) else None


def why_not_estimated(text: str) -> str:
    """A key result's withheld text as the reason a main point gives ("" if none).

    "too few events to estimate (fewer than 10 events in total)" reads "too few events
    (fewer than 10 events in total)", and "too few events to estimate (too few events in
    total)" reads "too few events in total" (a release check's reason, which states no
    threshold since wave 21), as a release check's text with no headline before its
    reasons does ("too few events among people aged 65 or over": wave 38,
    :func:`lifetools.disclosure.withheld_words`); "could not be estimated: the fit did
    not converge" reads "the fit did not converge"; "not shown (the denominator is 0)"
    reads "the denominator is 0".
    """
    text = str(text or "").strip().rstrip(".")
    if text.startswith("too few ") and not text.startswith(headline_of(text)):
        return text  # the reasons alone: they say the headline's count
    if text.lower().startswith("could not be estimated"):
        return text[len("could not be estimated"):].lstrip(": ").strip()
    if text.startswith("not shown (") and text.endswith(")"):
        return text[len("not shown ("):-1].strip()
    if text.startswith("too few ") and " to estimate" in text:
        head, _, rest = text.partition(" to estimate")
        inner = rest.strip().lstrip(":").strip()
        if inner.startswith("(") and inner.endswith(")"):
            inner = inner[1:-1]
        if inner.startswith("too few "):  # "too few events in total": said once
            return inner
        return f"{head}{rest}".replace(" :", ":").strip()
    return ""


SAID_BELOW = "the reason is given below"
"""What a report page's main point says instead of the reason a value is not shown when
another of the report's key results states that reason (:func:`main_point` with
``on_report_page``): the crisis page gave the withheld model's reason in its main point
and again in its summary until wave 23 (issue 15)."""


def _stated_elsewhere(why: str, name: Any, results: Mapping[str, Any]) -> bool:
    """Another key result than ``name`` (its summary sentence, a statement of why a
    model is withheld) states ``why``."""
    own = {str(name)}
    return bool(why) and any(
        why in str(entry.get("text", "")) for key, entry in results.items()
        if key not in own and isinstance(entry, dict))


def _not_estimated(measure: str, entry: Any, sentence: Any = None, *,
                   below: Mapping[str, Any] | None = None, name: Any = None) -> str:
    why = why_not_estimated(entry.get("text", "")) if isinstance(entry, dict) else ""
    said = str(sentence.get("text", "")) if isinstance(sentence, dict) else ""
    for marker in (" is not shown: ", " could not be shown: ", " could not be estimated: "):
        if not why and marker in said:  # the report's own summary gives the reason
            why = why_not_estimated(said.split(marker, 1)[1]) or \
                said.split(marker, 1)[1].strip().rstrip(".")
    # one word for one thing (lifetools.disclosure.withheld): a result withheld by a
    # release check or a disclosure rule "is not shown", as its report page says; only
    # a result with no number "could not be estimated"
    text = entry.get("text", "") if isinstance(entry, dict) else ""
    verb = withheld_verb(text) if why_not_estimated(text) else withheld_verb(said)
    if below is not None and _stated_elsewhere(why, name, below):
        # a report page: its summary states the reason; the main point does not repeat it
        return f"{measure} {verb} in this edition ({SAID_BELOW})."
    return f"{measure} {verb} in this edition" + (f": {why}." if why else ".")


def main_point(spec: MainPoint | Mapping[str, Any], results: Mapping[str, Any], *,
               on_report_page: bool = False) -> str:
    """Return one plain sentence for a report from its ``results.json``.

    ``on_report_page``: the sentence opens the report's own page, whose summary states
    why a value is not shown; a main point saying it is not shown then gives
    :data:`SAID_BELOW` instead of the reason, when the report's summary sentence or
    another of its key results states it (each reason once per page; the landing and
    edition pages keep it).

    ``spec`` is the report's :class:`~lifetools.pipeline.series.MainPoint` (a mapping
    is validated into one): ``text``, a template whose fields are ``{estimate}``,
    ``{interval}`` (the limits, "0.83 to 1.71"), ``{verdict}`` and the text of any key
    result (``{caseload}``); for an estimate, ``estimate`` and ``interval`` (key result
    names), ``no_effect``, ``above``, ``below``, optionally ``events`` (a count's name,
    for the fewest-events rule) and ``measure`` (what the estimate is, used when it
    could not be estimated).

    Notes
    -----
    Numbers come from :func:`lifetools.formatting.format_value`, words from
    :func:`lifetools.formatting.verdict`. A technical term of
    :data:`lifetools.labels.TERMS` in the sentence (a reason a report gave, read from a
    ``results.json`` that may have been written by older code: "fewer than 10 residual
    degrees of freedom") is given its plain words (:func:`lifetools.labels.explain_terms`;
    words only, the numbers unchanged). Checked by ``tests/unit/test_pages.py`` and
    ``tests/unit/test_jargon.py``.
    """
    return explain_terms(_main_point(spec, results, on_report_page))


def _main_point(spec: MainPoint | Mapping[str, Any], results: Mapping[str, Any],
                on_report_page: bool = False) -> str:
    below = results if on_report_page else None
    if not isinstance(spec, MainPoint):
        spec = Publication.model_validate({"main_points": {"report": dict(spec)}}
                                          ).main_points["report"]
    fields = {name: str(entry.get("text", "")) for name, entry in results.items()
              if isinstance(entry, dict)}
    measure = spec.measure or "The main result"
    if spec.estimate:
        estimate = _value(results, spec.estimate)
        limits = _value(results, spec.interval)
        low, high = (limits if isinstance(limits, list) and len(limits) == 2
                     else (None, None))
        words: dict[str, Any] = {"null": spec.no_effect, "above": spec.above,
                                 "below": spec.below}
        if spec.events:
            words["events"] = _value(results, spec.events)
        if spec.on_null:
            words["on_null"] = spec.on_null
        kind = str(results.get(spec.estimate, {}).get("kind", "ratio"))
        said = verdict(estimate, low, high, **words)  # limits shown to 2 places
        if said == MISSING:
            return _not_estimated(measure, results.get(str(spec.estimate)),
                                  results.get(f"{spec.estimate}_sentence"),
                                  below=below, name=spec.estimate)
        fields.update(estimate=format_value(estimate, kind=kind),
                      interval=format_value([low, high], kind="interval",
                                            null=spec.no_effect), verdict=said)
    template = spec.text
    wanted = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    _check_glued_counts(template, results)
    if not template or wanted - set(fields):
        return f"{measure} could not be estimated in this edition."
    for name in sorted(wanted - {"estimate", "interval", "verdict"}):
        entry = results.get(name)
        if (isinstance(entry, dict) and entry.get("kind") in NUMBER_KINDS
                and finite(entry.get("value")) is None):
            # a withheld number's text ("not shown (group disclosure)") is no number:
            # put inside the template's words it read "not shown (...) of people said"
            return _not_estimated(measure, entry, results.get(f"{name}_sentence"),
                                  below=below, name=name)
    said = template.format_map(fields)
    return said[:1].upper() + said[1:]  # a hidden count opening it: "Fewer than 8 ..."


def _check_glued_counts(template: str, results: Mapping[str, Any]) -> None:
    """Refuse a main point whose sentence puts two or more counts side by side
    (``{caseload} ... {users} ...; {users_in_care} of the users ...``).

    The words between them may say that one is part of the other, which no rule
    checked: a report makes such a sentence itself, under the group rule
    (:mod:`lifetools.disclosure.group_counts`), and the main point quotes it whole
    (``{caseload_sentence}``), as the gate holds a report page's Markdown to
    (rule ``glued-counts``, :mod:`lifetools.pipeline.gate.glued`). Issue 12, wave 29.

    Raises
    ------
    ParameterError
        Naming the counts and the sentence's start.
    """
    for sentence in re.split(r"(?<=[.!?])\s+", template):
        counts = [name for _, name, _, _ in string.Formatter().parse(sentence)
                  if name and isinstance(results.get(name), dict)
                  and results[name].get("kind") == "count"]
        if len(counts) >= 2:
            raise ParameterError(
                f"a main point's sentence in analyses/analyses.yml quotes "
                f"{len(counts)} counts ({', '.join('{' + c + '}' for c in counts)}): "
                f"{sentence[:60]!r}; what one count says of the other is checked by no "
                "rule", hint="quote a sentence the report makes from the counts (a "
                "key result named *_sentence) instead")


def shows_interval(spec: MainPoint, results: Mapping[str, Any]) -> bool:
    """The main point gives an estimate with its interval (``{interval}`` filled):
    its template asks for one and the estimate has a verdict other than "could not be
    estimated" (:func:`main_point` then fills it)."""
    if not spec.estimate or "{interval}" not in spec.text:
        return False
    limits = _value(results, spec.interval)
    low, high = (limits if isinstance(limits, list) and len(limits) == 2
                 else (None, None))
    return verdict(_value(results, spec.estimate), low, high, null=spec.no_effect,
                   above="", below="") != MISSING


def interval_note(series: Series, edition: Edition, runs: Mapping[str, Path],
                  publication: Publication) -> str:
    """:data:`INTERVAL_NOTE` when a main point of the edition shows an interval, else ""
    (the landing page of an edition whose every estimate could not be given said "Each
    figure in brackets is a 95% confidence interval" under no figure in brackets)."""
    for analysis in series.analyses_in(edition.id):
        spec = publication.main_points.get(analysis.id)
        if spec is not None and analysis.id in runs and shows_interval(
                spec, read_results(layout.RunFolder(runs[analysis.id]).files)):
            return INTERVAL_NOTE
    return ""


def edition_points(series: Series, edition: Edition, runs: Mapping[str, Path],
                   publication: Publication, *, on_report_page: bool = False
                   ) -> list[tuple[Analysis, str]]:
    """The main point of every report of an edition that has one configured (as it
    opens the report's own page with ``on_report_page``: :func:`main_point`)."""
    points = []
    for analysis in series.analyses_in(edition.id):
        spec = publication.main_points.get(analysis.id)
        if spec is None or analysis.id not in runs:
            continue
        results = read_results(layout.RunFolder(runs[analysis.id]).files)
        points.append((analysis, main_point(spec, results,
                                            on_report_page=on_report_page)))
    return points


def main_points_markdown(points: Sequence[tuple[Analysis, str]], prefix: str) -> str:
    """A bulleted list: each report's title (linked) and its main point."""
    if not points:
        return "No report of this edition has a main point configured."
    return "\n".join(f"- **{{doc}}`{a.title} <{prefix}{a.id}>`.** {text}"
                     for a, text in points)


def status_banner(edition: Edition, manifest: Mapping[str, Any],
                  publication: Publication, *, landing: bool,
                  following: Edition | None = None) -> str:
    """The banner at the top of the landing page (``landing``) and of an edition's page.

    The landing page is written again by every build, so it may call its edition
    "current". An edition's own page is kept byte for byte once released
    (:func:`lifetools.pipeline.release.freeze_archived_pages`; a newer edition is
    pointed to by the archived-edition banner added beside it, never inside it), so it
    says only what stays true: its publication date, and the next release as announced
    when it was published. ``following``: the edition after this one in the series,
    when it is published with this one; its page then names it as the next release
    (the 2023-24 page said "Next release, as announced with this edition: 2025-26
    edition" when both were first built together, until wave 36). Checked by
    ``tests/unit/test_pages.py`` (``test_edition_banner_*``).
    """
    published = _published_on(manifest)
    lines = _synthetic_notice(manifest)
    period = (f"covering {long_date(edition.period_start)} to "
              f"{long_date(edition.period_end)}")
    if landing:
        head = (f"**{edition.title}** (current edition), {period}. {published} "
                f"Next release: {publication.next_release}.")
    elif following is not None:
        head = (f"**{edition.title}**, {period}. {published} "
                f"Next release: {following.title}.")
    else:
        head = (f"**{edition.title}**, {period}. {published} "
                f"Next release, as announced with this edition: "
                f"{publication.next_release}.")
    lines += [f"{head} Status: {{doc}}`{publication.status} </about/status>`.", ""]
    return "\n".join(lines)


def _published_on(manifest: Mapping[str, Any]) -> str:
    # the manifest's date is the commit's (source_date), never a wall-clock time
    published = long_date(manifest.get("source_date") or manifest.get("finished_at"))
    return f"Published on {published}." if published else "Not yet published."


def _synthetic_notice(manifest: Mapping[str, Any]) -> list[str]:
    """The warning that the numbers are synthetic (no lines for a real extract)."""
    if not (manifest.get("data") or {}).get("synthetic"):
        return []
    return ["```{admonition} Synthetic data: these are not findings about real people",
            ":class: warning",
            "Every number on this site is computed from a synthetic dataset that "
            "imitates the trust's linked data, with effects whose true size is known. "
            "The reports demonstrate and test the methods.", "```", ""]


def report_notice(manifest: Mapping[str, Any], publication: Publication) -> str:
    """What opens every report page, as the landing page opens: the synthetic-data
    warning (when the data are synthetic), the published date and the statistics
    status. A reader who arrives at a report from a search or a link saw its numbers
    with neither (the report's banner gave only its edition and period)."""
    return "\n".join([*_synthetic_notice(manifest),
                      f"{_published_on(manifest)} Status: "
                      f"{{doc}}`{publication.status} </about/status>`."])


def copyright_notice(publication: Publication, epoch: int) -> str:
    """The site's copyright line (Sphinx's ``copyright``; the footer reads "(c)
    Copyright <this>."): the year of the build's fixed time, ``epoch`` (the commit time
    or ``SOURCE_DATE_EPOCH``, :func:`lifetools.pipeline.provenance.source_date_epoch`,
    which also dates "Last updated"), then the owner, the publisher of
    ``analyses/analyses.yml``. Never a year typed in ``_config.yml`` nor the wall clock,
    so two builds of one commit write the same footer. Checked by
    ``tests/unit/test_pages.py``."""
    year = dt.datetime.fromtimestamp(int(epoch), dt.UTC).year
    return f"{year} {publication.publisher}"


def reproduce_markdown(publication: Publication) -> str:
    """How to get the code and rebuild the site (no placeholder repository)."""
    if publication.repository:
        folder = publication.repository.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        get = [f"git clone {publication.repository} && cd {folder}"]
        where = f"The code is at <{publication.repository}>."
    else:
        get = []
        where = ("The code is not yet in a public repository: ask the "
                 "{doc}`contact </about/contact>` for a copy.")
    return "\n".join([where, "With Python 3.11 or later, in a copy of it:", "",
                      "```bash", *get,
                      "make report      # builds this whole site on the synthetic data",
                      "make test        # runs every test", "```", ""])


def render_landing(text: str, *, series: Series, current: Edition, runs: Mapping[str, Path],
                   manifest: Mapping[str, Any], publication: Publication,
                   reports: str) -> str:
    """Fill the landing page's markers: banner, main points, reports, reproduce and the
    disclosure rule."""
    points = edition_points(series, current, runs, publication)
    filled = {
        "banner": status_banner(current, manifest, publication, landing=True),
        "main_points": main_points_markdown(points, f"editions/{current.id}/"),
        "reports": reports,
        "reproduce": reproduce_markdown(publication),
        "disclosure": disclosure_rule(series, manifest),
        "intervals": interval_note(series, current, runs, publication),
    }
    for key, marker in MARKERS.items():
        text = text.replace(marker, filled[key])
    return text


def disclosure_rule(series: Series, manifest: Mapping[str, Any]) -> str:
    """The disclosure rule the current edition was protected with, as one sentence.

    The profile is the one its manifest records (``disclosure.profile``), else the
    series file's (``disclosure: profile:`` in ``analyses/analyses.yml``, the one place
    it is chosen); its numbers come from the profile
    (:func:`lifetools.disclosure.rule_sentence`), never typed on the page. Checked by
    ``tests/unit/test_pages.py::test_render_landing_disclosure_rule_follows_the_setting``.
    """
    recorded = manifest.get("disclosure", {}).get("profile")
    return str(rule_sentence(recorded or series.sdc_profile))


def _published(manifest: Mapping[str, Any]) -> str:
    """The edition's publication date as ISO text: the commit's (``source_date``), as the
    banner and the release calendar give it; never the build's wall clock ("" if none)."""
    return str(manifest.get("source_date") or manifest.get("finished_at") or "")


def citation(publication: Publication, series: Series, edition: Edition,
             manifest: Mapping[str, Any], analysis: Analysis | None = None) -> str:
    """One citation line for an edition, or a report of it."""
    year = _published(manifest)[:4] or "n.d."
    title = f"{analysis.title}. " if analysis else ""
    page = f"editions/{edition.id}/" + (f"{analysis.id}.html" if analysis else "index.html")
    where = f" {publication.site_url}/{page}" if publication.site_url else ""
    published = long_date(_published(manifest))
    return (f"{publication.publisher} ({year}). {title}{series.title}, {edition.title}. "
            + (f"Published {published}." if published else "") + where).strip()


def _bibtex(publication: Publication, series: Series, edition: Edition,
            manifest: Mapping[str, Any], analysis: Analysis) -> str:
    year = _published(manifest)[:4] or "n.d."
    key = f"liferooms_{edition.id.replace('-', '_')}_{analysis.id}"
    url = (f"\n  url = {{{publication.site_url}/editions/{edition.id}/{analysis.id}.html}},"
           if publication.site_url else "")
    return (f"@techreport{{{key},\n  author = {{{{{publication.publisher}}}}},\n"
            f"  title = {{{analysis.title}}},\n  institution = {{{publication.publisher}}},\n"
            f"  type = {{{series.title}, {edition.title}}},\n  year = {{{year}}},{url}\n}}")


def _cell(text: str) -> str:
    """Text as one cell of a Markdown table (a bar would end the cell)."""
    return " ".join(text.split()).replace("|", "\\|")


def write_furniture(book: Path, *, series: Series, editions: Sequence[Any],
                    publication: Publication) -> None:
    """Write the generated pages of ``about/``: calendar, status, contact, citations.

    The release calendar lists each edition's period, publication date, state and what
    changed in it (:attr:`~lifetools.pipeline.series.Edition.changes_said`, as the
    archive and the edition's front page say it), as ``book/about/revisions.md``
    promises.

    ``editions`` are the :class:`lifetools.pipeline.book.EditionPages` being published.
    """
    folder = book / "about"
    folder.mkdir(parents=True, exist_ok=True)
    synthetic = any((p.manifest.get("data") or {}).get("synthetic") for p in editions)
    ordered = sorted(editions, key=lambda p: p.edition.period_start, reverse=True)
    rows = [f"| {p.edition.title} | {long_date(p.edition.period_start)} to "
            f"{long_date(p.edition.period_end)} | "
            f"{long_date(p.manifest.get('source_date') or p.manifest.get('finished_at')) or 'not yet published'} | "
            f"{'current' if p.edition.id == series.current_edition else 'archived'} | "
            f"{_cell(p.edition.changes_said)} |"
            for p in ordered]
    (folder / "release-calendar.md").write_text("\n".join([
        "# Release calendar", "",
        "Each edition covers one reporting year and is published once; a published "
        "edition is never rewritten (see {doc}`revisions`).", "",
        f"**Next release:** {publication.next_release}.", "",
        "| Edition | Reporting period | Published | State | What changed |",
        "|---|---|---|---|---|",
        *rows, ""]))
    explanation = publication.status_text or (
        "This label is the publisher's own; it is not one of the statuses defined "
        "by the Office for Statistics Regulation.")
    (folder / "status.md").write_text("\n".join([
        "# Statistics status", "",
        f"These statistics are published as **{publication.status}**.", "",
        explanation, "",
        *(["The reports on this site are computed from synthetic data, so they show how "
           "the series is produced and checked; they are not findings about real "
           "people.", ""] if synthetic else []),
        "The quality of the statistics is described in the {doc}`quality`.", ""]))
    email = (f"[{publication.contact_email}](mailto:{publication.contact_email})"
             if publication.contact_email else "not configured")
    (folder / "contact.md").write_text("\n".join([
        "# Contact", "",
        f"Questions, comments and requests for these statistics in another format go "
        f"to the {publication.contact_name or 'team that produces them'} at "
        f"{publication.publisher}.", "", f"Email: {email}.", "",
        "Please say which edition and report you are writing about. To report a "
        "mistake, see {doc}`revisions`.", ""]))
    lines = ["# How to cite these statistics", "",
             "Please cite the report and edition you used; each published edition stays "
             "online unchanged, so a citation always points at the numbers you quoted. "
             "A machine-readable citation of the software is in `CITATION.cff`.", ""]
    for pages in ordered:
        edition = pages.edition
        lines += [f"## {edition.title}", "",
                  citation(publication, series, edition, pages.manifest), ""]
        for analysis_id in pages.runs:
            analysis = series.analysis(analysis_id)
            lines += [f"### {analysis.title}, {edition.title}", "",
                      citation(publication, series, edition, pages.manifest, analysis), "",
                      "```bibtex",
                      _bibtex(publication, series, edition, pages.manifest, analysis),
                      "```", ""]
    (folder / "cite.md").write_text("\n".join(lines))
