"""The gate over one executed notebook and its run folder's ``files/``.

Every cell is read: markdown and code sources for identifiers, machine paths and
``k of n`` phrases; every output (streams including stderr, errors, every MIME type,
figure texts recorded in sealed stamps) for those and, outside sealed displays, for
small and unrounded counts; every file in ``files/`` is either the display functions'
own write (``tables/<name>.csv`` of a sealed table, ``figures/<name>.png`` of a sealed
figure, ``results.json`` of sealed results), checked again, or refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from lifetools.disclosure import NOTES_FILE, PROFILES, notes_text
from lifetools.disclosure.downloads import read_csv
from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.seals import seal_findings
from lifetools.pipeline.layout import FILES_DIR
from lifetools.publication import STAMP_KEY

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


def _scan_output(output: dict[str, Any]) -> rules.Found:
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
    stamped = isinstance(mark, dict) and not found
    texts = _texts(output)
    if stamped:
        texts += [str(t) for t in mark.get("texts", [])]
    for text in texts:
        visible = rules.strip_markup(text)
        found += rules.identifier_findings(text) + rules.kofn_findings(visible)
        if not stamped:
            found += rules.count_findings(visible)
            if kind == "stream" and rules.STREAM_ROW_LEVEL.search(text):
                found.append(("row-level", "printed output looks like a table of rows"))
        for head, rows in rules.html_tables(text):
            count_cols = (mark.get("rules") or {}).get("count_cols", []) if stamped else []
            found += rules.table_findings(head, rows, count_cols=count_cols)
    return list(dict.fromkeys(found))


def _position(cells: list[Any]) -> list[int]:
    """Cell numbers as the author sees them: papermill's injected cells do not count."""
    numbers, position = [], 0
    for cell in cells:
        if not INJECTED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            position += 1
        numbers.append(max(position, 1))
    return numbers


def scan_notebook(path: Path, *, name: str | None = None) -> list[Finding]:
    """Return every refused cell, output and file of one executed notebook."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    source = nb.metadata.get("lifetools", {}).get("notebook") or path.name
    label = f"{name} ({source})" if name else str(path)
    findings = []
    for number, cell in zip(_position(nb.cells), nb.cells, strict=True):
        text = cell.get("source", "")
        found = rules.identifier_findings(text, columns=False) + rules.kofn_findings(text)
        findings += [Finding(label, number, 0, r, f"{cell.cell_type} cell: {d}")
                     for r, d in dict.fromkeys(found)]
        for index, output in enumerate(cell.get("outputs", []), start=1):
            findings += [Finding(label, number, index, r, d)
                         for r, d in _scan_output(output)]
    findings += [Finding(label, 0, 0, r, d, file=f)
                 for f, r, d in scan_files(path.parent / FILES_DIR, nb)]
    return findings


def _sealed(nb: Any) -> dict[str, dict[str, Any]]:
    """The sealed, verified stamps of a notebook by ``kind:name``."""
    marks = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get(STAMP_KEY)
            if isinstance(mark, dict) and mark.get("verified") and not seal_findings(output):
                marks[f"{mark.get('kind')}:{mark.get('name')}"] = mark
    return marks


def scan_files(folder: Path, nb: Any) -> Iterable[tuple[str, str, str]]:
    """Check every file a run will publish; yield ``(file, rule, detail)``."""
    if not folder.is_dir():
        return
    sealed = _sealed(nb)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = f"{FILES_DIR}/{path.relative_to(folder).as_posix()}"
        parts = path.relative_to(folder).parts
        owner = None
        if parts[0] == "tables" and path.suffix == ".csv" and len(parts) == 2:
            owner = sealed.get(f"table:{path.stem}")
        elif parts[0] == "figures" and path.suffix == ".png" and len(parts) == 2:
            owner = sealed.get(f"figure:{path.stem}")
        elif parts == ("results.json",):
            owner = next((m for k, m in sealed.items() if k.startswith("result:")), None)
        elif parts == ("tables", NOTES_FILE):
            # the notes on [c] and [x]: verified word for word against a profile's text
            text = path.read_text(encoding="utf-8", errors="replace")
            if any(k.startswith("table:") for k in sealed) and text in _NOTES:
                continue
        if owner is None:
            yield name, "unsanctioned-file", ("a file no lifetools display function "
                                              "wrote for a sealed output of this notebook")
        if path.suffix.lower() not in TEXT_FILES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found = rules.identifier_findings(text) + rules.kofn_findings(text)
        if path.suffix == ".csv":
            head, rows = read_csv(text)
            counts = (owner or {}).get("rules", {}).get("count_cols", []) if owner else []
            found += rules.table_findings(head, rows, count_cols=counts)
        if parts == ("results.json",):
            found += _result_counts(text)
        for rule, detail in dict.fromkeys(found):
            yield name, rule, detail


def _result_counts(text: str) -> rules.Found:
    try:
        results = json.loads(text)
    except ValueError:
        return [("unreadable-file", "results.json is not valid JSON")]
    for entry in results.values():
        value = entry.get("value") if isinstance(entry, dict) else None
        if entry.get("kind") == "count" and value is not None and (
                not isinstance(value, int) or rules.disclosive(value)):
            return [("unrounded-count", "a count in results.json is not protected")]
    return []
