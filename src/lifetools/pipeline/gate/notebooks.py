"""The gate over one executed notebook and its run folder's ``files/``.

Every cell is read: markdown and code sources for identifiers, machine paths and
``k of n`` phrases; every output (streams including stderr, errors, every MIME type,
figure texts recorded in sealed stamps) for those and, outside sealed displays, for
small and unrounded counts; a sealed table's cells beyond its first column, and any
number in a stream, by :mod:`lifetools.pipeline.gate.tables`; every file in ``files/`` is either the display functions'
own write (``tables/<name>.csv`` of a sealed table, ``figures/<name>.png`` of a sealed
figure and the ``figures/*.csv`` its stamp lists, ``results.json`` of sealed results),
checked again, or refused.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from lifetools.disclosure import (
    NOTES_FILE,
    PROFILES,
    SdcProfile,
    get_profile,
    notes_text,
)
from lifetools.disclosure.downloads import column_notes, read_csv
from lifetools.disclosure.text import span_findings, text_findings
from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.prose import RunParameters, has_words, prose_findings
from lifetools.pipeline.gate.seals import seal_findings
from lifetools.pipeline.gate.tables import cell_findings, stream_findings
from lifetools.pipeline.layout import FILES_DIR
from lifetools.publication import GLUE_PREFIX, STAMP_KEY, span_numbers

__all__ = ["Finding", "scan_files", "scan_notebook"]

INJECTED_TAGS = {"injected-parameters", "papermill-error-cell-tag"}
TEXT_FILES = {".csv", ".json", ".svg", ".txt", ".md", ".html", ".tsv"}


@dataclass(frozen=True)
class Finding:
    """One refused output or file: where it is and why (never the value itself)."""

    notebook: str
    cell: int
    output: int
    rule: str
    detail: str
    file: str = ""

    def __str__(self) -> str:
        if self.file:
            where = f"file {self.file}"
        elif self.output:
            where = f"cell {self.cell}, output {self.output}"
        else:
            where = f"cell {self.cell}"
        return f"{self.notebook}, {where}: {self.rule}: {self.detail}"


_NOTES = {notes_text(name) for name in PROFILES}

def _texts(output: dict[str, Any]) -> list[str]:
    if output.get("output_type") == "stream":
        return [output.get("text", "")]
    if output.get("output_type") == "error":
        return [output.get("evalue", ""), *output.get("traceback", [])]
    texts = []
    for mime, value in output.get("data", {}).items():
        if mime.startswith("image/") and not mime.startswith("image/svg"):
            continue
        texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def notebook_profile(nb: Any) -> SdcProfile:
    """The profile a run was made with, as its runner recorded it (else ``default``)."""
    return get_profile(nb.metadata.get("lifetools", {}).get("sdc_profile") or "default")


def _profile_findings(mark: Any, profile: SdcProfile) -> rules.Found:
    """A sealed table protected under other rules than the edition's."""
    used = ((mark.get("rules") or {}).get("profile") if isinstance(mark, dict) else None)
    if used is None or used == profile.name:
        return []
    return [("profile-mismatch", f"a table protected under the {used!r} rules in an "
             f"edition built with the {profile.name!r} profile (one profile per "
             "edition, chosen in analyses.yml)")]


def acro_findings(mark: Any, required: bool) -> rules.Found:
    """ACRO's verdict in a sealed table's stamp: a disagreement, or no verdict at all.

    A disagreement is a cell ACRO flags that lifetools published outside the
    documented differences (:mod:`lifetools.disclosure.acro_check`); the detail names
    ACRO's check and lifetools' rule, never a value. When the build asked for ACRO
    (``required``) a protected table without a verdict is refused too.
    """
    if not isinstance(mark, dict) or mark.get("kind") != "table":
        return []
    stamped = mark.get("rules") or {}
    verdict = stamped.get("acro")
    if verdict is None:
        protected = stamped.get("protected_cols") or stamped.get("count_cols")
        return ([("acro-unchecked", "a protected table ACRO did not check although "
                  "the build asked for the cross-check (disclosure: acro: true)")]
                if required and protected and stamped.get("enabled", True) else [])
    return [("acro-disagreement", f"row {row + 1}, column {column!r}: {why}")
            for row, column, why in verdict.get("disagreements", [])]


def run_parameters(nb: Any) -> dict[str, Any]:
    """The run's parameters: the notebook's parameters cell, then the injected cell,
    then what the runner recorded in the notebook's metadata (later ones win).

    Only literal assignments are read (``name = 200``); anything else is left out, so a
    parameter span naming it is refused.
    """
    values: dict[str, Any] = {}
    for tag in ("parameters", "injected-parameters"):
        for cell in nb.cells:
            if cell.get("cell_type") != "code" or \
                    tag not in cell.get("metadata", {}).get("tags", []):
                continue
            try:
                tree = ast.parse(cell.get("source", ""))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                        isinstance(node.targets[0], ast.Name):
                    try:
                        values[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
    recorded = nb.metadata.get("lifetools", {}).get("parameters")
    if isinstance(recorded, dict):
        values.update(recorded)
    return values


def _scan_output(output: dict[str, Any], profile: SdcProfile,
                 acro: bool = False, parameters: dict[str, Any] | None = None,
                 settings: dict[str, Any] | None = None) -> rules.Found:
    kind = output.get("output_type")
    found: rules.Found = []
    if kind == "error":
        found.append(("error", f"the notebook raised {output.get('ename')}"))
    mark = output.get("metadata", {}).get(STAMP_KEY)
    if kind in ("display_data", "execute_result"):
        if mark is None:
            mimes = ", ".join(sorted(output.get("data", {})))
            found.append(("unstamped", f"output ({mimes}) did not come through lifetools "
                          "tables, plots or results, so its counts were not protected"))
        found += seal_findings(output)
        found += _profile_findings(mark, profile)
        found += acro_findings(mark, acro)
    stamped = isinstance(mark, dict) and not found
    result = stamped and mark.get("kind") == "result"
    if result:
        found += result_findings(output, profile, parameters or {})
    texts = _texts(output)
    if stamped:
        texts += [str(t) for t in mark.get("texts", [])]
        found += _label_findings(mark, texts, profile, parameters or {})
    for text in texts:
        visible = rules.strip_markup(text)
        found += rules.identifier_findings(text) + rules.kofn_findings(visible, profile)
        if not result:  # a key result's text is checked span by span (above)
            found += rules.counted_findings(text, profile)
        if not stamped:
            found += rules.count_findings(visible, profile)
            if kind == "stream" and rules.STREAM_ROW_LEVEL.search(text):
                found.append(("row-level", "printed output looks like a table of rows"))
        if kind == "stream":
            found += stream_findings(text)
        for head, rows in rules.html_tables(text):
            marked = (mark.get("rules") or {}) if stamped else {}
            # a page shows count columns under their labels (lifetools.labels)
            count_cols = [*marked.get("count_cols", []), *marked.get("count_headers", [])]
            found += rules.table_findings(head, rows, count_cols=count_cols,
                                          profile=profile)
            if stamped and mark.get("kind") == "table":
                found += cell_findings(head, rows, mark, profile,
                                       _with_settings(parameters, settings))
    return list(dict.fromkeys(found))


def _with_settings(parameters: dict[str, Any] | None,
                   settings: dict[str, Any] | None) -> RunParameters:
    """The run's parameters (their declared words kept) and the settings it states."""
    words = getattr(parameters, "words", None)
    return RunParameters(parameters, words=words).with_values(settings or {})


_FIGURE_NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?")
_NICE = sorted({m * 10.0 ** k for m in (1, 2, 2.5, 5) for k in range(-3, 7)})


def _on_scale(value: float, present: set[float]) -> bool:
    """Whether ``value`` sits on an axis scale drawn with it: three values in steps of
    1, 2, 2.5 or 5 times a power of ten, or a ratio axis's doublings or tenfolds."""
    def near(x: float) -> bool:
        return any(abs(x - p) <= 1e-9 * max(1.0, abs(x)) for p in present)

    for step in _NICE:
        if abs(value / step - round(value / step)) > 1e-9:
            continue
        if any(near(value + a * step) and near(value + b * step)
               for a, b in ((-1, 1), (1, 2), (-2, -1))):
            return True
    return value > 0 and any(near(value * a) and near(value * b) for r in (2, 10)
                             for a, b in ((1 / r, r), (r, r * r), (1 / r / r, 1 / r)))


def figure_number_findings(texts: list[str], profile: SdcProfile) -> rules.Found:
    """A figure's texts that are only a number (tick labels, at-risk counts, bar
    labels): a whole number passes if the profile would publish it as a count, or if it
    sits on an axis scale drawn with it (:func:`_on_scale`); "13" set as a tick label
    beside "2634" is refused. Tested in ``tests/leaks/test_text_leaks.py``."""
    numbers = [float(t.strip().replace("−", "-")) for t in texts
               if _FIGURE_NUMBER.fullmatch(t.strip())]
    present = set(numbers)
    for value in numbers:
        if not value.is_integer() or profile.publishable(int(abs(value))) or \
                _on_scale(value, present):
            continue
        rule = "small-count" if abs(value) <= profile.threshold else "unrounded-count"
        return [(rule, "a number in a figure (a tick label, a bar's label or an "
                 "annotation) that is on no axis scale drawn with it and that the rules "
                 "would not publish as a count")]
    return []


def _label_findings(mark: dict[str, Any], texts: list[str], profile: SdcProfile,
                    parameters: dict[str, Any]) -> rules.Found:
    """Numbers written by hand in a sealed table's or figure's caption, a table's
    headers and row labels (its first column), or a figure's texts (title, labels,
    annotations; a tick label holds no words): :mod:`lifetools.pipeline.gate.prose`."""
    found: rules.Found = []
    values = parameters
    if mark.get("kind") == "figure":
        found += figure_number_findings([str(t) for t in mark.get("texts", [])], profile)
        for text in mark.get("texts", []):
            if has_words(str(text)):  # a line break in a label is layout, not words
                found += prose_findings(" ".join(str(text).split()), profile,
                                        where="a figure's text", parameters=values)
    for text in texts:  # an author's caption, of a table or a figure
        for caption in re.findall(r"<(?:fig)?caption\b[^>]*>(.*?)</(?:fig)?caption>", text,
                                  flags=re.S | re.I):
            found += prose_findings(rules.strip_markup(caption), profile,
                                    where="a caption", parameters=values)
    if mark.get("kind") == "table":
        for text in texts:
            for head, rows in rules.html_tables(text):
                for cell in [*head, *(row[0] for row in rows if row)]:
                    if has_words(cell):
                        found += prose_findings(cell, profile, where="a table's label",
                                                parameters=values)
    return list(dict.fromkeys(found))


def result_findings(output: dict[str, Any], profile: SdcProfile,
                    parameters: dict[str, Any] | None = None) -> rules.Found:
    """A key result's text, verified span by span (not trusted).

    Its stamp records where each protected number lies and what it was
    (:mod:`lifetools.disclosure.text`); each span is re-rendered from that record and
    re-checked against the profile's rules (a parameter against the run's
    ``parameters``, :func:`run_parameters`), and any digit or number word outside every
    span is refused. The glued copy must say the same as the text.
    """
    mark = output.get("metadata", {}).get(STAMP_KEY) or {}
    data = output.get("data", {})
    text = data.get("text/plain", "")
    found = text_findings(text if isinstance(text, str) else "", mark.get("spans"),
                          profile, parameters or {})
    glued = data.get(GLUE_PREFIX + "text/plain")
    if glued is not None and glued != repr(text):
        found.append(("unprotected-number-in-text", "the glued copy of a key result "
                      "differs from its verified text"))
    return found


def verified_settings(nb: Any) -> dict[str, Any]:
    """The settings a notebook states through verified key results, by span name.

    A parameter span of a sealed key result names a run parameter or a declared
    setting (:data:`lifetools.disclosure.SETTINGS`) and its value passed the gate's
    check; a table cell may repeat that value ("13 candidate parameters" beside the key
    result that states them), and nothing new is disclosed. Only parameter spans: a
    count is read by the profile wherever it appears.
    """
    found: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get(STAMP_KEY)
            if not (isinstance(mark, dict) and mark.get("kind") == "result"
                    and mark.get("verified") and not seal_findings(output)):
                continue
            text = str(output.get("data", {}).get("text/plain", ""))
            for span in mark.get("spans") or []:
                if not (isinstance(span, dict) and span.get("kind") == "parameter"):
                    continue
                start, end = span.get("start"), span.get("end")
                if isinstance(start, int) and isinstance(end, int) and not \
                        span_findings(text[start:end], span, notebook_profile(nb),
                                      run_parameters(nb)):
                    found[f"setting:{span.get('name')}"] = span.get("value")
    return found


def _position(cells: list[Any]) -> list[int]:
    """Cell numbers as the author sees them: papermill's injected cells do not count."""
    numbers, position = [], 0
    for cell in cells:
        if not INJECTED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            position += 1
        numbers.append(max(position, 1))
    return numbers


def scan_notebook(path: Path, *, name: str | None = None,
                  profile: SdcProfile | str | None = None,
                  words: Mapping[str, Sequence[str]] | None = None) -> list[Finding]:
    """Return every refused cell, output and file of one executed notebook.

    Counts are read with ``profile``: the profile the edition was built with (the
    build passes its manifest's); by default the one the runner recorded in the
    notebook's metadata. ``words``: the phrases that name each of the analysis's
    parameters in prose (``words:`` in ``analyses.yml``; the build passes them); a
    parameter without them passes nowhere in prose by its value.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    profile = notebook_profile(nb) if profile is None else get_profile(profile)
    acro = bool(nb.metadata.get("lifetools", {}).get("acro"))
    source = nb.metadata.get("lifetools", {}).get("notebook") or path.name
    label = f"{name} ({source})" if name else str(path)
    findings = []
    parameters = RunParameters(run_parameters(nb), words=words)
    settings = verified_settings(nb)
    findings += [Finding(label, 0, 0, r, f"the notebook's metadata: {d}")
                 for r, d in _metadata_findings(nb.metadata, profile, _RUNNER_METADATA)]
    for number, cell in zip(_position(nb.cells), nb.cells, strict=True):
        findings += [Finding(label, number, 0, r, f"{cell.cell_type} cell's metadata: {d}")
                     for r, d in _metadata_findings(cell.get("metadata", {}), profile)]
        text = cell.get("source", "")
        found = (rules.identifier_findings(text, columns=False)
                 + rules.kofn_findings(text, profile)
                 + rules.counted_findings(text, profile))
        if cell.get("cell_type") == "markdown":
            found += prose_findings(text, profile, where="Markdown",
                                    parameters=parameters)
        findings += [Finding(label, number, 0, r, f"{cell.cell_type} cell: {d}")
                     for r, d in dict.fromkeys(found)]
        for index, output in enumerate(cell.get("outputs", []), start=1):
            findings += [Finding(label, number, index, r, d)
                         for r, d in _scan_output(output, profile, acro, parameters,
                                                  settings)]
    findings += [Finding(label, 0, 0, r, d, file=f)
                 for f, r, d in scan_files(path.parent / FILES_DIR, nb, profile)]
    return findings


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
             + prose_findings(text, profile, where="metadata"))
    return list(dict.fromkeys(found))


def _sealed(nb: Any) -> dict[str, dict[str, Any]]:
    """The sealed, verified stamps of a notebook by ``kind:name``."""
    marks = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get(STAMP_KEY)
            if isinstance(mark, dict) and mark.get("verified") and not seal_findings(output):
                marks[f"{mark.get('kind')}:{mark.get('name')}"] = mark
    return marks


def scan_files(folder: Path, nb: Any, profile: SdcProfile | str | None = None
               ) -> Iterable[tuple[str, str, str]]:
    """Check every file a run will publish; yield ``(file, rule, detail)``."""
    if not folder.is_dir():
        return
    profile = notebook_profile(nb) if profile is None else get_profile(profile)
    sealed = _sealed(nb)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = f"{FILES_DIR}/{path.relative_to(folder).as_posix()}"
        parts = path.relative_to(folder).parts
        owner = None
        if parts[0] == "tables" and path.suffix == ".csv" and len(parts) == 2:
            owner = sealed.get(f"table:{path.stem}")
        elif parts[0] == "figures" and path.suffix == ".png" and len(parts) == 2:
            # a figure's PNG, or another rendering of it its stamp lists (narrow phone)
            owner = sealed.get(f"figure:{path.stem}") or next(
                (m for k, m in sealed.items() if k.startswith("figure:") and
                 f"figures/{path.name}" in m.get("images", [])), None)
        elif parts[0] == "figures" and path.suffix == ".csv" and len(parts) == 2:
            # the data behind a figure: listed in the sealed figure's stamp
            owner = next((m for k, m in sealed.items() if k.startswith("figure:") and
                          f"figures/{path.name}" in m.get("downloads", [])), None)
        elif parts == ("results.json",):
            owner = next((m for k, m in sealed.items() if k.startswith("result:")), None)
        elif parts in (("tables", NOTES_FILE), ("figures", NOTES_FILE)):
            # the notes on [c] and [x] and the folder's columns: verified word for word
            # against a profile's text and the list made from the folder's CSV headers
            # (or the profile's text alone: runs written before the list was added)
            text = path.read_text(encoding="utf-8", errors="replace")
            columns = column_notes(path.parent)
            if any(k.startswith(f"{parts[0][:-1]}:") for k in sealed) and (
                    text in _NOTES or text in {notes + columns for notes in _NOTES}):
                continue
        if owner is None:
            yield name, "unsanctioned-file", ("a file no lifetools display function "
                                              "wrote for a sealed output of this notebook")
        if path.suffix.lower() not in TEXT_FILES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found = rules.identifier_findings(text) + rules.kofn_findings(text, profile)
        if path.suffix == ".csv":
            head, rows = read_csv(text)
            counts = (owner or {}).get("rules", {}).get("count_cols", []) if owner else []
            found += rules.table_findings(head, rows, count_cols=counts, profile=profile)
        if parts == ("results.json",):
            found += _result_counts(text, profile) + _result_texts(text, nb, profile)
        for rule, detail in dict.fromkeys(found):
            yield name, rule, detail


def _shown_results(nb: Any) -> dict[str, tuple[str, Any]]:
    """Text and spans of every sealed key result of a notebook, by name."""
    shown = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get(STAMP_KEY)
            if isinstance(mark, dict) and mark.get("kind") == "result" and \
                    mark.get("verified") and not seal_findings(output):
                shown[str(mark.get("name"))] = (output.get("data", {}).get("text/plain"),
                                                mark.get("spans"))
    return shown


def _result_texts(text: str, nb: Any, profile: SdcProfile) -> rules.Found:
    """Each text in results.json is a sealed key result's verified text, its numbers too."""
    try:
        results = json.loads(text)
    except ValueError:
        return []
    shown = _shown_results(nb)
    found: rules.Found = []
    for name, entry in results.items():
        if not isinstance(entry, dict) or entry.get("kind") == "count":
            continue
        page = shown.get(str(name))
        if page is None or page[0] != entry.get("text"):
            found.append(("unprotected-number-in-text", "a text in results.json that is "
                          "not the verified text of a key result shown in the notebook"))
            continue
        found += text_findings(str(entry.get("text")), page[1], profile,
                               run_parameters(nb))
        value = entry.get("value")
        numbers = span_numbers(page[1])
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, (int, float)) and not isinstance(item, bool) and \
                    round(float(item), 10) not in numbers and entry.get("kind") in (
                        "text", "estimate", "ratio", "interval"):
                found.append(("unprotected-number-in-text", "a value in results.json "
                              "that is none of the protected numbers of its text"))
    return list(dict.fromkeys(found))


def _result_counts(text: str, profile: SdcProfile) -> rules.Found:
    try:
        results = json.loads(text)
    except ValueError:
        return [("unreadable-file", "results.json is not valid JSON")]
    for entry in results.values():
        value = entry.get("value") if isinstance(entry, dict) else None
        if entry.get("kind") == "count" and value is not None and (
                not isinstance(value, int) or rules.disclosive(value, profile)):
            return [("unrounded-count", "a count in results.json is not protected")]
    return []
