"""The gate over a run folder's ``files/``: everything a run will publish beside its page.

Every file is either the display functions' own write (``tables/<name>.csv`` of a
sealed table, ``figures/<name>.png`` of a sealed figure and the ``figures/*.csv`` its
stamp lists, ``results.json`` of sealed results, the notes on ``[c]`` word for word),
checked again, or refused (``unsanctioned-file``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lifetools.disclosure import (
    NOTES_FILE,
    PROFILES,
    SdcProfile,
    get_profile,
    notes_text,
)
from lifetools.disclosure.downloads import column_notes, read_csv
from lifetools.disclosure.text import text_findings
from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.run_record import (
    notebook_profile,
    run_parameters,
    sealed_stamps,
    shown_results,
)
from lifetools.pipeline.layout import FILES_DIR
from lifetools.publication import span_numbers

__all__ = ["TEXT_FILES", "scan_files"]

TEXT_FILES = {".csv", ".json", ".svg", ".txt", ".md", ".html", ".tsv"}
"""Files read as text (every other file is checked only for its owner)."""
_NOTES = {notes_text(name) for name in PROFILES}


def scan_files(folder: Path, nb: Any, profile: SdcProfile | str | None = None
               ) -> Iterable[tuple[str, str, str]]:
    """Check every file a run will publish; yield ``(file, rule, detail)``."""
    if not folder.is_dir():
        return
    profile = notebook_profile(nb) if profile is None else get_profile(profile)
    sealed = sealed_stamps(nb)
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


def _result_texts(text: str, nb: Any, profile: SdcProfile) -> rules.Found:
    """Each text in results.json is a sealed key result's verified text, its numbers too."""
    try:
        results = json.loads(text)
    except ValueError:
        return []
    shown = shown_results(nb)
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
        if "null" in entry and entry["null"] not in [
                span.get("null") for span in page[1] or () if isinstance(span, dict)]:
            found.append(("unprotected-number-in-text", "a null in results.json that is "
                          "not the null its text's interval was written with"))
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
