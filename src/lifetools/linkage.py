"""Linkage by NHS number, then pseudonymisation by a keyed hash.

Raw records carry NHS numbers (Life Rooms records as typed by staff, so some are
missing or mistyped). :func:`link_directory` validates each number (Modulus 11, with the
``nhs-number`` package), links it to the trust's people, reports the match rate and why
records failed to match, and replaces every NHS number by
``person_id = HMAC-SHA-256(key, nhs_number)``. The key lives outside the repository
(``LIFETOOLS_PSEUDONYM_KEY`` or the file named by ``LIFETOOLS_PSEUDONYM_KEY_FILE``,
checked by :mod:`lifetools.keys`, re-exported here); a fixed, public key is used for
synthetic data only. No NHS number is ever printed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nhs_number
import numpy as np
import pandas as pd

from lifetools.bounded_reads import check_file
from lifetools.datapackage import PACKAGE_FILE, write_package
from lifetools.dictionary import load_dictionary
from lifetools.errors import DataValidationError, LinkageError, OutputPathError
from lifetools.folder_scan import scan_folder
from lifetools.keys import (
    ENV_KEY,
    ENV_KEY_FILE,
    MIN_KEY_BYTES,
    PUBLIC_KEYS,
    SYNTHETIC_KEY,
    TEST_KEY,
    check_key,
    load_pseudonym_key,
)
from lifetools.redaction import safe_text

__all__ = ["ENV_KEY", "ENV_KEY_FILE", "MIN_KEY_BYTES", "MIN_MATCH_RATE", "NHS_FIELD",
           "PUBLIC_KEYS", "SYNTHETIC_KEY", "TEST_KEY", "LinkageReport", "check_key", "check_nhs_numbers", "link_directory",
           "load_pseudonym_key", "nhs_formats", "normalise_nhs_numbers", "pseudonymise"]

NHS_FIELD = "nhs_number"
MIN_MATCH_RATE = 0.5
"""Default floor of the share of a table's rows that must link (``min_match_rate``)."""
TEST_RANGE = "999"
_DIGITS = re.compile(r"^\d{10}$")


def pseudonymise(numbers: pd.Series, key: bytes) -> pd.Series:
    """Return HMAC-SHA-256 hex digests of normalised NHS numbers (None stays None)."""
    def digest(value: str | None) -> str | None:
        if value is None:
            return None
        return hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()

    return numbers.map(digest, na_action="ignore").astype(object)


def _normalise_one(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "?"
    if isinstance(value, int | np.integer):
        return str(int(value)).zfill(10) if 0 <= value < 10**10 else "?"
    if isinstance(value, float | np.floating):
        whole = np.isfinite(value) and float(value).is_integer() and 0 <= value < 1e10
        return str(int(value)).zfill(10) if whole else "?"
    text = re.sub(r"[\s-]", "", str(value)[:64])
    if text.isdigit() and text.isascii() and len(text) in (8, 9):
        return text.zfill(10)
    return text or None


def normalise_nhs_numbers(values: pd.Series) -> pd.Series:
    """Return NHS numbers as 10-digit strings where they can be read as such.

    Spaces and hyphens are removed, numbers stored as integers or floats become text,
    and leading zeros lost to a number type or a spreadsheet (8 or 9 digits) are
    restored. Anything else is kept as text (to be classed malformed); missing is None.

    Notes
    -----
    Applied to both sides of the linkage (``people`` and every other table), so the
    same person matches however each file stored the number. Tested in
    ``tests/unit/test_linkage.py``.
    """
    unique = pd.unique(values.astype(object).to_numpy())
    mapping = {v: _normalise_one(v) for v in unique if not _is_missing(v)}
    return values.astype(object).map(lambda v: mapping.get(v) if not _is_missing(v)
                                     else None).astype(object)


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def check_nhs_numbers(numbers: pd.Series) -> pd.Series:
    """Classify each recorded NHS number: ok, missing, malformed or bad check digit."""
    clean = normalise_nhs_numbers(numbers)
    verdict = {v: ("malformed" if not _DIGITS.match(v) else
                   "ok" if nhs_number.is_valid(v) else "bad check digit")
               for v in pd.unique(clean.dropna())}
    return clean.map(lambda v: "missing" if v is None else verdict[v]).astype(object)


def nhs_formats(values: pd.Series) -> dict[str, int]:
    """Count how NHS numbers are written (shapes only, never values)."""
    def shape(value: object) -> str:
        if _is_missing(value) or str(value).strip() == "":
            return "missing"
        if isinstance(value, int | float | np.integer | np.floating):
            return "stored as a number"
        text = str(value)[:64]
        digits = re.sub(r"[\s-]", "", text)
        if not digits.isdigit():
            return "letters or other characters"
        spaced = " with spaces or hyphens" if digits != text else ""
        if len(digits) == 10:
            return "10 digits" + spaced
        return ("8-9 digits (leading zeros lost?)" if len(digits) in (8, 9)
                else "other number of digits") + spaced

    return dict(sorted(Counter(shape(v) for v in values.tolist()).items()))


@dataclass(frozen=True)
class LinkageReport:
    """How well each raw table linked: rows, matched, and reasons for failures."""

    tables: dict[str, dict[str, int]]
    skipped: tuple[str, ...] = field(default_factory=tuple)

    def match_rate(self, table: str) -> float:
        """Share of a table's rows whose NHS number linked to a person."""
        counts = self.tables[table]
        return counts["matched"] / counts["rows"] if counts["rows"] else 1.0

    def __str__(self) -> str:
        lines = ["linkage by NHS number:"]
        for name, counts in self.tables.items():
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())
                                if k not in ("rows", "matched"))
            lines.append(f"  {name}: {counts['matched']:,} of {counts['rows']:,} rows "
                         f"linked ({self.match_rate(name):.1%})"
                         + (f"; not linked: {reasons}" if reasons else ""))
        if self.skipped:
            lines.append(f"  not tables, not copied: {', '.join(self.skipped)}")
        return "\n".join(lines)


def _read(path: Path) -> pd.DataFrame:
    """Read a raw table within the loading bounds; a clean error if it cannot be read."""
    problem = check_file(path)
    if problem:
        raise DataValidationError(f"{path.name}: {problem[1]} [rule: {problem[0]}]")
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                           encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataValidationError(f"{path.name}: is not UTF-8 text; save it as CSV "
                                  "UTF-8 [rule: file.encoding]") from None
    except Exception as exc:  # noqa: BLE001 - any read failure is the user's file
        raise DataValidationError(f"{path.name}: cannot be read "
                                  f"({type(exc).__name__}) [rule: file.unreadable]") from None


def _raw_files(raw_dir: Path) -> tuple[dict[str, Path], tuple[str, ...]]:
    if not raw_dir.is_dir():
        raise DataValidationError("the raw folder does not exist or is not a folder",
                                  hint="give the folder holding the raw tables")
    files, issues = scan_folder(raw_dir, list(load_dictionary().tables))
    for issue in issues:
        if issue.level == "error":
            raise DataValidationError(f"{safe_text(issue.name, placeholder='a file')}: "
                                      f"{issue.message} [rule: {issue.rule}]")
    skipped = tuple(safe_text(i.name, placeholder="(a file)") for i in issues
                    if i.table is None)
    return files, skipped


def _check_folders(raw_dir: Path, out_dir: Path) -> None:
    raw, out = raw_dir.resolve(), out_dir.resolve()
    if out == raw or raw in out.parents:
        raise LinkageError("the output folder is the raw folder or inside it; link never "
                           "writes into its input", hint="choose a folder outside the raw one")
    if out.exists() and not out.is_dir():
        raise OutputPathError("the output folder is a file")
    if any(p.exists() and not p.is_dir() for p in out.parents):
        raise OutputPathError("the output folder is under a file, not a folder")


def _people(files: dict[str, Path], key: bytes) -> set[str]:
    if "people" not in files:
        raise DataValidationError("the raw folder has no people table to link to")
    people = _read(files["people"])
    if NHS_FIELD not in people.columns:
        raise DataValidationError("people.*: table 'people' has no column 'nhs_number' "
                                  "[rule: column.missing]")
    numbers = normalise_nhs_numbers(people[NHS_FIELD])
    status = check_nhs_numbers(people[NHS_FIELD])
    bad = np.flatnonzero((status != "ok").to_numpy() | numbers.duplicated().to_numpy())
    if len(bad):
        raise DataValidationError(
            f"{files['people'].name}: table 'people', column 'nhs_number': "
            f"{len(bad)} invalid or duplicate NHS numbers, first at row {bad[0] + 1} "
            "[rule: nhs_number]")
    if key in PUBLIC_KEYS:
        outside = np.flatnonzero(~numbers.str.startswith(TEST_RANGE).to_numpy(bool))
        if len(outside):
            raise LinkageError(
                f"the public synthetic or test key was given but {len(outside):,} NHS "
                f"numbers in 'people' are outside the {TEST_RANGE} test range (first at "
                f"row {outside[0] + 1}); real NHS numbers need the secret key",
                hint="set LIFETOOLS_PSEUDONYM_KEY_FILE and drop `--synthetic-key`")
    else:
        check_key(key)
    return set(numbers)


def _link_table(frame: pd.DataFrame, known: set[str], key: bytes):
    raw = frame[NHS_FIELD]
    status = check_nhs_numbers(raw)
    clean = normalise_nhs_numbers(raw)
    status = status.where((status != "ok") | clean.isin(known), "not a known person")
    linked = clean.where(status == "ok")
    position = list(frame.columns).index(NHS_FIELD)
    frame = frame.drop(columns=NHS_FIELD)
    frame.insert(position, "person_id", pseudonymise(linked, key))
    counts = Counter(status)
    return frame, {"rows": len(frame), "matched": counts.pop("ok", 0), **dict(counts)}


def _extract_date(raw_dir: Path, given: dt.date | None) -> dt.date:
    if given is not None:
        return given
    import json

    try:
        package = json.loads((raw_dir / "datapackage.json").read_text()[:65536])
        return dt.date.fromisoformat(package["extract_date"])
    except (OSError, ValueError, KeyError, TypeError):
        return dt.date.today()


def _remove_stale(out_dir: Path) -> None:
    """Remove staging folders left by a link run that died (its process is gone)."""
    stale = [*out_dir.parent.glob(f".{out_dir.name}.partial-*")]
    if out_dir.is_dir():
        stale += out_dir.glob(".link-partial-*")
    for folder in stale:
        pid = folder.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _write_atomically(out_dir: Path, frames: dict[str, pd.DataFrame],
                      extract_date: dt.date) -> None:
    """Stage every file in a temporary folder, then rename into place.

    A new output folder appears whole (one rename). Into an existing folder, the old
    ``datapackage.json`` is removed first and the new one moved in last, so a folder
    left half-replaced by a crash has no package and fails validation.
    """
    fresh = not out_dir.exists()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out_dir)
    stage = (out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}" if fresh
             else out_dir / f".link-partial-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        for name, frame in frames.items():
            frame.to_parquet(stage / f"{name}.parquet", index=False)
        write_package(stage, load_dictionary(), extract_date=extract_date,
                      tables=list(frames), created_by="lifetools link")
        if fresh:
            os.rename(stage, out_dir)
            return
        (out_dir / PACKAGE_FILE).unlink(missing_ok=True)
        for name in frames:
            os.replace(stage / f"{name}.parquet", out_dir / f"{name}.parquet")
            (out_dir / f"{name}.csv").unlink(missing_ok=True)
        os.replace(stage / PACKAGE_FILE, out_dir / PACKAGE_FILE)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def link_directory(raw_dir: Path, out_dir: Path, *, key: bytes,
                   min_match_rate: float = MIN_MATCH_RATE,
                   extract_date: dt.date | None = None) -> LinkageReport:
    """Link every raw table to people by NHS number and write pseudonymised tables.

    ``raw_dir/people.*`` defines the trust's people (every NHS number must be valid);
    every other table with an ``nhs_number`` column gets ``person_id`` (empty when the
    number is missing, malformed, fails the check digit or is not a known person).
    Tables without NHS numbers are copied; files that are not dictionary tables are
    skipped. Output is Parquet, one file per table, and ``datapackage.json`` (dictionary
    version, extract date), written atomically; ``raw_dir`` is never written.

    Parameters
    ----------
    key
        The secret key (checked by :func:`check_key`), or a public key
        (:data:`PUBLIC_KEYS`), accepted only when every person's NHS number is in the
        999 test range.
    min_match_rate
        Floor of the share of each table's rows that must link (default 0.5).
    extract_date
        Last day of follow-up; default the raw folder's ``datapackage.json``, else today.

    Raises
    ------
    DataValidationError
        A missing raw folder, an unreadable or refused file, ``people`` missing, without
        ``nhs_number``, or with an invalid or duplicate number (rows cited, never values).
    LinkageError
        A weak or public key for real data, the output inside the raw folder, or a table
        linking below ``min_match_rate`` (with counts of how its numbers are written).
    OutputPathError
        The output folder is a file or under one.

    Notes
    -----
    NHS numbers are normalised on both sides (:func:`normalise_nhs_numbers`). Tested in
    ``tests/unit/test_linkage.py`` and ``tests/hostile/``.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    _check_folders(raw_dir, out_dir)
    files, skipped = _raw_files(raw_dir)
    known = _people(files, key)
    frames, report = {}, {}
    for name, path in files.items():
        frame = _read(path)
        if NHS_FIELD in frame.columns:
            frame, report[name] = _link_table(frame, known, key)
            rate = report[name]["matched"] / max(report[name]["rows"], 1)
            if report[name]["rows"] and rate < min_match_rate:
                people = nhs_formats(_read(files["people"])[NHS_FIELD])
                here = nhs_formats(_read(path)[NHS_FIELD])
                raise LinkageError(
                    f"table '{name}': {rate:.1%} of rows linked, below the floor of "
                    f"{min_match_rate:.0%}; nothing was written. NHS numbers are written "
                    f"as: in '{name}' {here}; in 'people' {people}. "
                    f"{LinkageReport({name: report[name]})}",
                    hint="check the column holds NHS numbers of the same people; lower "
                    "the floor only if a low rate is expected")
        frames[name] = frame
    _write_atomically(out_dir, frames, _extract_date(raw_dir, extract_date))
    return LinkageReport(report, skipped)
