"""Linkage by NHS number, then pseudonymisation by a keyed hash.

Raw records carry NHS numbers (Life Rooms records as typed by staff, so some are
missing or mistyped). :func:`link_directory` validates each number (Modulus 11, with the
``nhs-number`` package), links it to the trust's people, reports the match rate and why
records failed to match, and replaces every NHS number by
``person_id = HMAC-SHA-256(key, nhs_number)``. The key lives outside the repository
(``LIFETOOLS_PSEUDONYM_KEY`` or the file named by ``LIFETOOLS_PSEUDONYM_KEY_FILE``); a
fixed, public key is used for synthetic data only. No NHS number is ever printed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nhs_number
import pandas as pd

from lifetools.errors import DataValidationError, UserError

__all__ = ["NHS_FIELD", "SYNTHETIC_KEY", "LinkageReport", "check_nhs_numbers",
           "link_directory", "load_pseudonym_key", "pseudonymise"]

NHS_FIELD = "nhs_number"
SYNTHETIC_KEY = b"lifetools-SYNTHETIC-DATA-ONLY-public-key-never-use-for-real-data"
ENV_KEY = "LIFETOOLS_PSEUDONYM_KEY"
ENV_KEY_FILE = "LIFETOOLS_PSEUDONYM_KEY_FILE"
_DIGITS = re.compile(r"^\d{10}$")


def load_pseudonym_key(*, synthetic: bool = False) -> bytes:
    """Return the pseudonymisation key: the public synthetic key, or the secret one.

    Raises
    ------
    UserError
        If no key is configured for real data, or the key file is inside the project.
    """
    if synthetic:
        return SYNTHETIC_KEY
    if os.environ.get(ENV_KEY):
        return os.environ[ENV_KEY].encode("utf-8")
    path = os.environ.get(ENV_KEY_FILE)
    if path:
        key_file = Path(path).resolve()
        from lifetools.config import project_root

        if project_root() in key_file.parents:
            raise UserError(f"{ENV_KEY_FILE} points inside the project ({key_file}); "
                            "keep the key outside the repository")
        return key_file.read_bytes().strip()
    raise UserError("no pseudonymisation key: set LIFETOOLS_PSEUDONYM_KEY or "
                    "LIFETOOLS_PSEUDONYM_KEY_FILE",
                    hint="for synthetic data only, use `--synthetic-key`")


def pseudonymise(numbers: pd.Series, key: bytes) -> pd.Series:
    """Return HMAC-SHA-256 hex digests of normalised NHS numbers (None stays None)."""
    def digest(value: str | None) -> str | None:
        if value is None:
            return None
        return hmac.new(key, value.encode("ascii"), hashlib.sha256).hexdigest()

    return numbers.map(digest, na_action="ignore").astype(object)


def check_nhs_numbers(numbers: pd.Series) -> pd.Series:
    """Classify each recorded NHS number: ok, missing, malformed or bad check digit."""
    clean = numbers.astype("string").str.replace(r"[\s-]", "", regex=True)
    unique = clean.dropna().unique()
    verdict = {v: ("malformed" if not _DIGITS.match(v) else
                   "ok" if nhs_number.is_valid(v) else "bad check digit") for v in unique}
    return clean.map(verdict).fillna("missing").astype(object)


@dataclass(frozen=True)
class LinkageReport:
    """How well each raw table linked: rows, matched, and reasons for failures."""

    tables: dict[str, dict[str, int]]

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
        return "\n".join(lines)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(
        path, dtype=str, keep_default_na=False, na_values=[""])


def link_directory(raw_dir: Path, out_dir: Path, *, key: bytes) -> LinkageReport:
    """Link every raw table to people by NHS number and write pseudonymised tables.

    ``raw_dir/people.*`` defines the trust's people (every NHS number must be valid);
    every other table with an ``nhs_number`` column gets ``person_id`` (empty when the
    number is missing, malformed, fails the check digit or is not a known person).
    Tables without NHS numbers are copied. Output is Parquet, one file per table.

    Raises
    ------
    DataValidationError
        If ``people`` is missing or holds an invalid or duplicate NHS number (rows cited,
        never the numbers).
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    files = {p.stem: p for p in sorted(raw_dir.iterdir())
             if p.suffix in (".parquet", ".csv")} if raw_dir.is_dir() else {}
    if "people" not in files:
        raise DataValidationError(f"{raw_dir}: no people table to link to")
    people = _read(files["people"])
    status = check_nhs_numbers(people[NHS_FIELD])
    bad = [i + 1 for i in range(len(status)) if status.iloc[i] != "ok"]
    if bad or people[NHS_FIELD].duplicated().any():
        rows = bad or [int(i) + 1 for i in people.index[people[NHS_FIELD].duplicated()]]
        raise DataValidationError(
            f"{files['people']}: table 'people', column 'nhs_number': "
            f"{len(rows)} invalid or duplicate NHS numbers, first at row {rows[0]} "
            "[rule: nhs_number]")
    known = set(people[NHS_FIELD])
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {}
    for name, path in files.items():
        frame = _read(path)
        if NHS_FIELD in frame.columns:
            status = check_nhs_numbers(frame[NHS_FIELD])
            clean = frame[NHS_FIELD].astype("string").str.replace(r"[\s-]", "",
                                                                  regex=True)
            status = status.where((status != "ok") | clean.isin(known),
                                  "not a known person")
            linked = clean.where(status == "ok").astype(object)
            linked = linked.where(linked.notna(), None)
            position = list(frame.columns).index(NHS_FIELD)
            frame = frame.drop(columns=NHS_FIELD)
            frame.insert(position, "person_id", pseudonymise(linked, key))
            counts = Counter(status)
            report[name] = {"rows": len(frame), "matched": counts.pop("ok", 0),
                            **dict(counts)}
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)
    return LinkageReport(report)
