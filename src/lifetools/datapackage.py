"""The extract's own description: ``datapackage.json`` beside the tables.

``lifetools link`` (and so ``lifetools synth``) writes ``datapackage.json`` into the
analysis folder: the dictionary name and version the tables were made for, the extract
date (the last day of follow-up), and the tables. Validation reads it first: a folder
without it, or made for another dictionary version, is refused before any table is read,
and every date is checked against the extract date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from lifetools.dictionary import Dictionary

__all__ = ["MAX_PACKAGE_BYTES", "PACKAGE_FILE", "package_content", "read_package",
           "write_package"]

PACKAGE_FILE = "datapackage.json"
MAX_PACKAGE_BYTES = 64 * 1024
"""A larger ``datapackage.json`` is refused unread."""
_VERSION = re.compile(r"\d{1,3}(\.\d{1,3}){1,2}")


def package_content(dictionary: Dictionary, *, extract_date: dt.date,
                    tables: Sequence[str], created_by: str) -> dict:
    """Return the ``datapackage.json`` content of an extract (deterministic)."""
    return {
        "profile": "lifetools-extract",
        "name": dictionary.name,
        "dictionary_version": dictionary.version,
        "extract_date": extract_date.isoformat(),
        "created_by": created_by,
        "resources": [{"name": t, "path": f"{t}.parquet"} for t in tables],
    }


def write_package(folder: Path, dictionary: Dictionary, *, extract_date: dt.date,
                  tables: Sequence[str], created_by: str) -> Path:
    """Write ``folder/datapackage.json`` and return its path."""
    path = Path(folder) / PACKAGE_FILE
    content = package_content(dictionary, extract_date=extract_date, tables=tables,
                              created_by=created_by)
    path.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_package(folder: Path, dictionary: Dictionary) -> tuple[dt.date | None, str | None]:
    """Read and check an extract's ``datapackage.json``.

    Returns
    -------
    tuple
        ``(extract_date, None)`` when the file is present and made for this dictionary;
        otherwise ``(extract_date or None, reason)`` where ``reason`` is one sentence that
        quotes no value from the file beyond a version number.

    Notes
    -----
    The file is checked to be a regular file of at most :data:`MAX_PACKAGE_BYTES`
    before it is opened (never a pipe). Tested in ``tests/unit/test_validation.py``.
    """
    path = Path(folder) / PACKAGE_FILE
    try:
        info = os.stat(path)
    except OSError:
        return None, (f"no {PACKAGE_FILE}: the extract does not say which dictionary "
                      f"version it was made for (expected {dictionary.version}); "
                      "`lifetools link` writes it")
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PACKAGE_BYTES:
        return None, f"{PACKAGE_FILE} is not a regular file of at most 64 KiB"
    try:
        content = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, f"{PACKAGE_FILE} is not valid JSON"
    if not isinstance(content, dict):
        return None, f"{PACKAGE_FILE} is not a JSON object"
    extract_date = None
    try:
        extract_date = dt.date.fromisoformat(str(content.get("extract_date")))
    except ValueError:
        return None, f"{PACKAGE_FILE} has no valid extract_date (YYYY-MM-DD)"
    if not dt.date(1900, 1, 1) < extract_date <= dt.date.today():
        return None, f"{PACKAGE_FILE}: extract_date is in the future or before 1900"
    version = content.get("dictionary_version")
    if not isinstance(version, str) or version != dictionary.version:
        shown = version if isinstance(version, str) and _VERSION.fullmatch(
            version) else "(not a version number)"
        return extract_date, (f"{PACKAGE_FILE}: the extract was made for dictionary "
                              f"version {shown}, this is version {dictionary.version}")
    return extract_date, None
