"""The gate over the built site: the pages as they will be served, before the swap.

The notebooks were checked before the book was built; this reads what the book made of
them and of the fixed pages: every HTML, JSON, CSV, text and SVG file of the staging
site is scanned for identifiers and machine paths, and the site must not carry copies of
source notebooks (``_sources/``, ``*.ipynb``), whose hidden code and stderr would be
published. SHA-256 digests the pipeline itself publishes (the manifests' fingerprints)
are not person ids.
"""

from __future__ import annotations

import re
from pathlib import Path

from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.notebooks import Finding
from lifetools.pipeline.layout import MANIFEST, SITE_RECORD

__all__ = ["scan_site"]

SCANNED = {".html", ".json", ".csv", ".txt", ".svg", ".md", ".xml"}
HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")
SITE = "site"


def _published_digests(html: Path) -> set[str]:
    digests: set[str] = set()
    for path in html.rglob("*.json"):
        if path.name in (MANIFEST, SITE_RECORD):
            digests |= {h.lower() for h in HEX64.findall(path.read_text(errors="replace"))}
    return digests


def scan_site(html: Path) -> list[Finding]:
    """Return every refused file of a built site folder."""
    html = Path(html)
    allow = _published_digests(html)
    findings = []
    for path in sorted(p for p in html.rglob("*") if p.is_file()):
        name = path.relative_to(html).as_posix()
        if path.parts[len(html.parts)] == "_sources" or path.suffix == ".ipynb":
            findings.append(Finding(SITE, 0, 0, "source-notebook", "the site would publish "
                                    "a copy of a source file or notebook", file=name))
            continue
        if path.suffix.lower() not in SCANNED:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            text = rules.strip_markup(text)
        for rule, detail in dict.fromkeys(rules.identifier_findings(text, allow=allow, columns=False)):
            findings.append(Finding(SITE, 0, 0, rule, detail, file=name))
    return findings
