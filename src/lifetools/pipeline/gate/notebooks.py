"""The gate over one executed notebook and its run folder's ``files/``.

Every cell is read: markdown and code sources for identifiers, machine paths and
``k of n`` phrases, markdown for numbers in prose (:mod:`.prose`) and, with the glued
key results in place, for counts of two glued results in one sentence
(:mod:`.glued`), cell and notebook
metadata like Markdown; every output by :mod:`.outputs`; every file in ``files/`` by
:mod:`.files`. What the run recorded (profile, parameters, stamps, settings) is read
by :mod:`.run_record`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from lifetools.disclosure import (
    LINKED_RULE,
    SdcProfile,
    followed,
    get_profile,
    linked_findings,
)
from lifetools.disclosure.downloads import read_csv
from lifetools.disclosure.net_benefit_check import TREAT_ALL_RULE, recorded_counts
from lifetools.disclosure.rule_ids import RULES, rule_id
from lifetools.disclosure.withheld_tables import (
    WITHHELD_TABLE_RULE,
    withheld_table_findings,
)
from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.files import download_table, published_counts, scan_files
from lifetools.pipeline.gate.glued import glued_count_findings, glued_text_findings
from lifetools.pipeline.gate.outputs import scan_output
from lifetools.pipeline.gate.prose import RunParameters, prose_findings
from lifetools.pipeline.gate.run_record import (
    author_numbers,
    notebook_profile,
    parameter_words,
    run_parameters,
    sealed_outputs,
    verified_settings,
)
from lifetools.pipeline.layout import FILES_DIR
from lifetools.publication import STAMP_KEY, TABLES_FOLDER

__all__ = ["Finding", "scan_files", "scan_notebook"]


@dataclass(frozen=True)


class Finding:
    """One refused output or file: where it is and why (never the value itself).

    Its message (``str``) is the one place a gate finding is worded: where, the rule id
    (to search for) with what the rule refuses in the registry's plain words
    (:data:`lifetools.disclosure.rule_ids.RULES`), then the detail. Until wave 41 it
    gave the id alone ("cell 3: small-count: ..."), and the words were on the
    methods page only.
    """

    notebook: str
    cell: int
    output: int
    rule: str
    detail: str
    file: str = ""

    def __post_init__(self) -> None:
        rule_id(self.rule)  # every rule the gate names is registered and documented

    def __str__(self) -> str:
        if self.file:  # a file, and the cell whose output it shows (a site page's table)
            where = f"file {self.file}" + (f", cell {self.cell}" if self.cell else "")
        elif self.output:
            where = f"cell {self.cell}, output {self.output}"
        else:
            where = f"cell {self.cell}"
        return (f"{self.notebook}, {where}: {self.rule} ({RULES[self.rule]}): "
                f"{self.detail}")


def scan_notebook(path: Path, *, name: str | None = None,
                  profile: SdcProfile | str | None = None,
                  words: Mapping[str, Sequence[str]] | None = None) -> list[Finding]:
    """Return every refused cell, output and file of one executed notebook.

    Counts are read with ``profile``: the profile the edition was built with (the
    build passes its manifest's); by default the one the runner recorded in the
    notebook's metadata. ``words``: the phrases that name each of the analysis's
    parameters in prose (``words:`` in ``analyses.yml``; the build passes them); by
    default the words the runner recorded in the notebook's metadata, so a published
    notebook checked again gets the build's verdict. A parameter without words passes
    nowhere in prose by its value.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    profile = notebook_profile(nb) if profile is None else get_profile(profile)
    acro = bool(nb.metadata.get("lifetools", {}).get("acro"))
    source = nb.metadata.get("lifetools", {}).get("notebook") or path.name
    label = f"{name} ({source})" if name else str(path)
    findings = []
    parameters = RunParameters(run_parameters(nb),
                               words=parameter_words(nb) if words is None else words)
    settings = verified_settings(nb)
    findings += [Finding(label, 0, 0, r, f"the notebook's metadata: {d}")
                 for r, d in _metadata_findings(nb.metadata, profile, _RUNNER_METADATA)]
    for number, cell in zip(author_numbers(nb.cells), nb.cells, strict=True):
        findings += [Finding(label, number, 0, r, f"{cell.cell_type} cell's metadata: {d}")
                     for r, d in _metadata_findings(cell.get("metadata", {}), profile)]
        text = cell.get("source", "")
        found = (rules.identifier_findings(text, columns=False)
                 + rules.kofn_findings(text, profile)
                 + rules.counted_findings(text, profile))
        if cell.get("cell_type") == "markdown":
            found += prose_findings(text, profile, where="Markdown",
                                    parameters=parameters)
            found += rules.all_or_none_findings(text, profile)
        findings += [Finding(label, number, 0, r, f"{cell.cell_type} cell: {d}")
                     for r, d in dict.fromkeys(found)]
        for index, output in enumerate(cell.get("outputs", []), start=1):
            findings += [Finding(label, number, index, r, d)
                         for r, d in scan_output(output, profile, acro, parameters,
                                                 settings)]
    findings += [Finding(label, number, 0, r, f"markdown cell: {d}")
                 for number, r, d in glued_count_findings(nb)]
    findings += [Finding(label, number, 0, r, f"markdown cell: {d}")
                 for number, r, d in glued_text_findings(nb, profile)]
    findings += [Finding(label, number, index, r, d)
                 for number, index, r, d in _linked_page_findings(nb)]
    findings += [Finding(label, number, index, r, d) for number, index, r, d in
                 _treat_all_count_findings(nb, path.parent / FILES_DIR)]
    findings += [Finding(label, number, index, r, d) for number, index, r, d in
                 _sentence_table_findings(nb, path.parent / FILES_DIR)]
    findings += [Finding(label, 0, 0, r, d, file=f)
                 for f, r, d in scan_files(path.parent / FILES_DIR, nb, profile)]
    return findings


def _linked_page_findings(nb: Any) -> list[tuple[int, int, str, str]]:
    """``linked-cell-shown`` on the page: each sealed table whose stamp records the
    table it follows (``follows``), read against that table's cells as the page shows
    them (:func:`lifetools.disclosure.linked_findings`); a followed table the page does
    not show sealed cannot be checked, and is refused."""
    shown: dict[str, tuple[list[str], list[list[str]]]] = {}
    followers = []
    for number, index, output, mark in sealed_outputs(nb, "table"):
        tables = rules.html_tables(str(output.get("data", {}).get("text/html", "")))
        if not tables:
            continue
        shown[str(mark.get("name"))] = tables[0]
        followers += [(number, index, tables[0], follows) for follows in
                      followed((mark.get("rules") or {}).get("follows"))]
    found = []
    for number, index, table, follows in followers:
        leader = shown.get(str(follows.get("table")))
        if leader is None:
            found.append((number, index, LINKED_RULE, "the table follows a table "
                          f"({follows.get('table')!r}) the page does not show as a "
                          "sealed table: the link cannot be verified"))
            continue
        found += [(number, index, r, d) for r, d in
                  linked_findings(leader, table, follows)]
    return found


def _sentence_table_findings(nb: Any, folder: Path) -> list[tuple[int, int, str, str]]:
    """``withheld-table``: a sealed table the page shows as a sentence (its HTML holds
    no table: every value withheld, :mod:`lifetools.disclosure.withheld_tables`) must
    have a download whose every value is withheld; read from the page and the file,
    not from the stamp. A download missing is refused as the files' gate refuses
    one (its sealed table names it)."""
    found = []
    for number, cell in zip(author_numbers(nb.cells), nb.cells, strict=True):
        for index, output in enumerate(cell.get("outputs", []), start=1):
            mark = output.get("metadata", {}).get(STAMP_KEY)
            html = str(output.get("data", {}).get("text/html", ""))
            if not (isinstance(mark, dict) and mark.get("kind") == "table") \
                    or rules.html_tables(html):
                continue
            name = str(mark.get("name"))
            path = folder / TABLES_FOLDER / f"{name}.csv"
            if "/" in name or not path.is_file():
                found.append((number, index, WITHHELD_TABLE_RULE, (
                    f"the page shows a sentence in place of table {name!r}, whose "
                    "download is not published beside it: the sentence cannot be "
                    "checked against the table")))
                continue
            _head, rows = read_csv(path.read_text(encoding="utf-8", errors="replace"))
            found += [(number, index, r, f"table {name!r}: {d}")
                      for r, d in withheld_table_findings(rows)]
    return found


def _published_count_tables(nb: Any, folder: Path) -> list[set[int]]:
    """The counts each table of the report publishes, one set a table as published: a
    sealed table's count columns on the page, the same in its download, and those of
    the data behind a sealed figure (:func:`~lifetools.pipeline.gate.files.
    published_counts`: the columns the count rules verify, by the record of what
    protected them; not a label, a year, a threshold, a header, a table no display
    function sealed)."""
    found: list[set[int]] = []
    for _number, _index, output, mark in sealed_outputs(nb):
        record = mark.get("rules") if mark.get("kind") == "table" else None
        if isinstance(record, dict):
            found += [published_counts(head, rows, record) for head, rows in
                      rules.html_tables(str(output.get("data", {}).get(
                          "text/html", "")))[:1]]
        downloads = ({f"{TABLES_FOLDER}/{mark.get('name')}.csv": record}
                     if isinstance(record, dict) else
                     mark.get("download_rules") if mark.get("kind") == "figure"
                     else None)
        for name, written in (downloads or {}).items():
            path = folder / str(name)
            if not isinstance(written, dict) or ".." in Path(str(name)).parts \
                    or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            found.append(published_counts(*download_table(text, written), written))
    return found


def _treat_all_count_findings(nb: Any, folder: Path) -> list[tuple[int, int, str, str]]:
    """``treat-all-not-from-published-counts``: the events and people a sealed
    decision curve's record names (its net benefit of treating everyone was computed
    from them) must be counts the report publishes, both in the count columns of one
    of its tables, on its page or in a CSV download (the flow or cohort table, which
    shows the cohort's people and its events); a record naming counts shown nowhere
    could carry any prevalence (issue 12, wave 23), and so could one naming whole
    numbers found anywhere: a year, a label, a threshold, or two counts of different
    tables. The detail names the column, never a value."""
    published: list[set[int]] | None = None
    found = []
    for number, cell in zip(author_numbers(nb.cells), nb.cells, strict=True):
        for index, output in enumerate(cell.get("outputs", []), start=1):
            mark = output.get("metadata", {}).get(STAMP_KEY)
            if not isinstance(mark, dict):
                continue
            records = [mark.get("rules") or {},
                       *((mark.get("download_rules") or {}).values())]
            for record in records:
                for header, events, people in (recorded_counts(record)
                                               if isinstance(record, Mapping) else []):
                    if events is None and people is None:
                        continue  # hidden with its counts: nothing shown to check
                    if published is None:
                        published = _published_count_tables(nb, folder)
                    if not any(events in counts and people in counts
                               for counts in published):
                        found.append((number, index, TREAT_ALL_RULE, (
                            f"column {header!r}: the events and people its net benefit "
                            "of treating everyone was computed from (as its record "
                            "names them) are not both published in this report's "
                            "tables or downloads, as counts of one table: show the "
                            "cohort's counts (its flow table) the curve is drawn in")))
    return list(dict.fromkeys(found))


_RUNNER_METADATA = ("kernelspec", "language_info", "papermill", "lifetools")
"""Notebook metadata the runner and Jupyter write (the run's record, its key and
parameters): read by the gate through the run record, not as text."""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *_strings(v)]]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def _metadata_findings(metadata: Any, profile: SdcProfile,
                       skip: tuple[str, ...] = ()) -> rules.Found:
    """Text an author put in a cell's or the notebook's metadata: the executed notebook
    is published in the edition's archive, so it is read like Markdown."""
    kept = {k: v for k, v in dict(metadata or {}).items() if k not in skip}
    text = "\n\n".join(_strings(kept))
    if not text.strip():
        return []
    found = (rules.identifier_findings(text, columns=False) + rules.kofn_findings(text, profile)
             + rules.counted_findings(text, profile)
             + prose_findings(text, profile, where="metadata")
             + rules.all_or_none_findings(text, profile))
    return list(dict.fromkeys(found))
