"""The publish gate: nothing reaches the site unless every output is safe.

Before the book is built every executed notebook is scanned. An output is refused when:

- ``unstamped``: a table, figure, text or result that did not come through
  :mod:`lifetools.tables`, :mod:`lifetools.plots` or :func:`lifetools.publication.record`
  (so its counts were never protected);
- ``row-level``: a stream or plain-text output that prints a table (a pandas repr);
- ``nhs-number``: a 10-digit number, plain or spaced 3-3-4;
- ``person-id``: a 64-character hexadecimal pseudonym;
- ``date-of-birth``: a date of birth or birth-date column;
- ``postcode``: a full UK postcode;
- ``error``: an error output.

Stamped outputs are scanned for identifiers too (an image's base64 payload is skipped).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lifetools.errors import DisclosureError
from lifetools.publication import GLUE_PREFIX, STAMP_KEY

logger = logging.getLogger(__name__)

__all__ = ["PATTERNS", "Finding", "assert_publishable", "check_notebooks", "scan_notebook",
           "unprotected_outputs"]

PATTERNS = {
    "nhs-number": re.compile(r"(?<![\d.])(\d{3}[ -]?\d{3}[ -]?\d{4})(?![\d.])"),
    "person-id": re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F])"),
    "date-of-birth": re.compile(
        r"(birth|\bdob\b)[^\n]{0,40}\d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}[^\n]{0,40}birth"
        r"|date_of_birth|year_of_birth|PersonBirthDate", re.IGNORECASE),
    "postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
}
ROW_LEVEL = re.compile(r"^\s*\d+\s+\S+.*\n\s*\d+\s+\S+", re.MULTILINE)
BASE64_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+")
STREAM_ROW_LEVEL = re.compile(r"\[\d+ rows x \d+ columns\]|^\s*\d+\s{2,}\S+\s{2,}\S+",
                              re.MULTILINE)


@dataclass(frozen=True)
class Finding:
    """One refused output: where it is and why."""

    notebook: str
    cell: int
    output: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return (f"{self.notebook}, cell {self.cell}, output {self.output}: "
                f"{self.rule}: {self.detail}")


def _texts(output: dict) -> list[str]:
    if output.get("output_type") == "stream":
        return [output.get("text", "")]
    data = output.get("data", {})
    texts = []
    for mime, value in data.items():
        if mime.startswith(("text/", GLUE_PREFIX)) or mime.endswith("json"):
            texts.append(value if isinstance(value, str) else str(value))
    return [BASE64_IMAGE.sub("<image>", t) for t in texts]


def _scan_output(output: dict) -> list[tuple[str, str]]:
    kind = output.get("output_type")
    if kind == "error":
        return [("error", f"{output.get('ename')}: {output.get('evalue')}")]
    found = []
    stamped = bool(output.get("metadata", {}).get(STAMP_KEY, {}).get("protected"))
    if kind in ("display_data", "execute_result") and not stamped:
        mimes = ", ".join(sorted(output.get("data", {})))
        found.append(("unstamped", f"output ({mimes}) did not come through lifetools "
                      "tables, plots or results, so its counts were not protected"))
    for text in _texts(output):
        if kind == "stream" and STREAM_ROW_LEVEL.search(text):
            found.append(("row-level", "printed output looks like a table of rows"))
        for rule, pattern in PATTERNS.items():
            if pattern.search(text):
                found.append((rule, "text matching the pattern of a " + rule))
    return found


def scan_notebook(path: Path, *, name: str | None = None) -> list[Finding]:
    """Return every refused output of one executed notebook (cells numbered from 1)."""
    nb = nbformat.read(path, as_version=4)
    source = nb.metadata.get("lifetools", {}).get("notebook") or path.name
    label = f"{name} ({source})" if name else str(path)
    findings = []
    for number, cell in enumerate(nb.cells, start=1):
        for index, output in enumerate(cell.get("outputs", []), start=1):
            for rule, detail in _scan_output(output):
                findings.append(Finding(label, number, index, rule, detail))
    return findings


def unprotected_outputs(path: Path) -> list[str]:
    """Names of the outputs of an executed notebook shown with protection switched off.

    Read from the stamps: a table whose counts went through
    :func:`lifetools.disclosure.protect_counts` with ``enabled=False`` carries
    ``"enabled": false`` in its rules. A missing notebook has none.
    """
    path = Path(path)
    if not path.exists():
        return []
    names = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            mark = output.get("metadata", {}).get(STAMP_KEY, {})
            if (mark.get("rules") or {}).get("enabled") is False:
                names.append(f"{mark.get('kind')}:{mark.get('name')}")
    return sorted(set(names))


def check_notebooks(paths: Iterable[Path]) -> list[Finding]:
    """Scan several notebooks; a notebook is named by its edition/analysis folder."""
    findings = []
    for path in paths:
        path = Path(path)
        findings += scan_notebook(path, name=f"{path.parent.parent.name}/"
                                  f"{path.parent.name}")
    return findings


def assert_publishable(paths: Sequence[Path]) -> None:
    """Raise DisclosureError naming notebook, cell and output if anything is unsafe."""
    findings = check_notebooks(paths)
    logger.info("publish gate: %d notebook(s), %d finding(s)", len(paths), len(findings))
    if findings:
        lines = "\n".join(f"  {f}" for f in findings[:30])
        raise DisclosureError(
            f"the publish gate refused {len(findings)} output(s); nothing was "
            f"published:\n{lines}",
            hint="show tables with lt.tables.show_table, figures with "
            "lt.plots.show_figure and numbers with lt.publication.record; never print "
            "rows or identifiers")
