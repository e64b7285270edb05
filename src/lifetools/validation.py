"""Check input tables against the data dictionary, collecting every problem.

:func:`validate_directory` never stops at the first problem: it reports, for each
file, table, column and rule, how many rows break it and the first few row numbers (row
1 is the first data row). Values of identifier and quasi-identifier fields are never
echoed. The report renders as text (``render``) and as CSV or JSON (``write``).
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lifetools.dictionary import Dictionary, FieldSpec, TableSpec, load_dictionary
from lifetools.errors import DataValidationError
from lifetools.loading import coerce_types, table_path

__all__ = ["Problem", "Rule", "ValidationReport", "raise_for_problems",
           "validate_directory", "validate_tables"]

MAX_ROWS_KEPT = 1000


class Rule(enum.StrEnum):
    """Rule codes of validation problems (documented in book/reference)."""

    FILE_MISSING = "file.missing"
    FILE_UNREADABLE = "file.unreadable"
    ENCODING = "file.encoding"
    DELIMITER = "file.delimiter"
    TABLE_EMPTY = "table.empty"
    COLUMN_MISSING = "column.missing"
    COLUMN_EXTRA = "column.extra"
    TYPE = "type"
    REQUIRED = "required"
    ENUM = "enum"
    PATTERN = "pattern"
    RANGE = "range"
    UNIQUE = "unique"
    PRIMARY_KEY = "primary_key"
    FOREIGN_KEY = "foreign_key"
    NOT_BEFORE = "not_before"
    PRESENT_TOGETHER = "present_together"
    AFTER_DEATH = "not_after_death"


@dataclass(frozen=True)
class Problem:
    """One rule broken in one column of one table: how often and where."""

    file: str
    table: str
    column: str | None
    rule: Rule
    message: str
    count: int = 1
    rows: tuple[int, ...] = ()
    examples: tuple[str, ...] = ()

    def render(self, max_rows: int = 5) -> str:
        """One line: where, what, the rule."""
        where = f"column '{self.column}'" if self.column else "table"
        if self.rows and self.count == 1:
            where = f"row {self.rows[0]}, {where}"
        shown = ""
        if self.count > 1 and self.rows:
            listed = ", ".join(map(str, self.rows[:max_rows]))
            more = ", ..." if self.count > max_rows else ""
            shown = f": {self.count:,} rows ({listed}{more})"
        examples = f" e.g. {', '.join(self.examples)}" if self.examples else ""
        return f"  {where}: {self.message}{shown}{examples} [rule: {self.rule.value}]"


@dataclass(frozen=True)
class ValidationReport:
    """Every problem found in a data folder."""

    path: Path
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.problems

    def render(self, max_rows_per_rule: int = 5) -> str:
        """The readable report, grouped by file."""
        if self.ok:
            return f"{self.path}: all tables valid"
        lines = [f"{len(self.problems)} problem(s) in {self.path}"]
        for file in dict.fromkeys(p.file for p in self.problems):
            group = [p for p in self.problems if p.file == file]
            lines.append(f"{file} (table '{group[0].table}'):")
            lines += [p.render(max_rows_per_rule) for p in group]
        return "\n".join(lines)

    def write(self, path: Path) -> Path:
        """Write every problem as CSV or JSON (by the file's suffix)."""
        path = Path(path)
        rows = [{**asdict(p), "rule": p.rule.value, "rows": " ".join(map(str, p.rows)),
                 "examples": " | ".join(p.examples)} for p in self.problems]
        if path.suffix == ".json":
            path.write_text(json.dumps(rows, indent=2) + "\n")
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=["file", "table", "column", "rule",
                                                        "message", "count", "rows",
                                                        "examples"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            path.write_text(buffer.getvalue())
        return path


def raise_for_problems(report: ValidationReport) -> None:
    """Raise DataValidationError with the rendered report if any problem was found."""
    if not report.ok:
        raise DataValidationError(report.render(), report=report,
                                  hint="allowed values are in data_dictionary/<table>.yaml")


class _Collector:
    """Collects problems for one file and table."""

    def __init__(self, file: str, table: str) -> None:
        self.file, self.table, self.problems = file, table, []

    def add(self, column, rule, message, mask=None, values=None, spec=None):
        rows, count = (), 1
        examples: tuple[str, ...] = ()
        if mask is not None:
            index = np.flatnonzero(np.asarray(mask, dtype=bool))
            if len(index) == 0:
                return
            count = len(index)
            rows = tuple(int(i) + 1 for i in index[:MAX_ROWS_KEPT])
            if values is not None and not (spec is not None and spec.is_identifying):
                shown = pd.Series(values).iloc[index[:50]].astype(str).unique()[:3]
                examples = tuple(repr(v) for v in shown)
        self.problems.append(Problem(self.file, self.table, column, rule, message,
                                     count, rows, examples))


def _read_raw(path: Path, out: _Collector) -> pd.DataFrame | None:
    """Read a file as it is: Parquet with its types, CSV as text."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_table(path).to_pandas()
        except Exception as exc:  # noqa: BLE001 - any read failure is the user's file
            out.add(None, Rule.FILE_UNREADABLE,
                    f"cannot be read as Parquet (truncated or not Parquet: "
                    f"{type(exc).__name__})")
            return None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.add(None, Rule.ENCODING, f"is not UTF-8 text (byte {exc.start}); save it "
                "as CSV UTF-8")
        return None
    header = text.splitlines()[0] if text else ""
    if "," not in header and any(d in header for d in (";", "\t", "|")):
        delimiter = next(d for d in (";", "\t", "|") if d in header)
        out.add(None, Rule.DELIMITER, f"uses {delimiter!r} between columns; lifetools "
                "reads comma-separated CSV")
        return None
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - malformed CSV is the user's file
        out.add(None, Rule.FILE_UNREADABLE, f"is not valid CSV ({exc})")
        return None


_TYPE_WORDS = {"date": "a valid date (YYYY-MM-DD)", "integer": "a whole number",
               "number": "a number", "boolean": "true or false"}


def _typed_column(raw: pd.Series, spec: FieldSpec, out: _Collector) -> pd.Series:
    """Return the column in its dictionary type, reporting values that do not parse."""
    typed = coerce_types(raw.to_frame(spec.name), TableSpec("t", "", "", (spec,)))[
        spec.name]
    if spec.type == "string":
        return typed
    present = raw.notna() & (raw.astype(str) != "")
    if spec.type == "date" and raw.dtype == object:
        strict = pd.to_datetime(raw.where(present), format="%Y-%m-%d", errors="coerce")
        typed = strict.astype("datetime64[ns]")
    if spec.type == "integer" and raw.dtype == object:
        number = pd.to_numeric(raw.where(present), errors="coerce")
        typed = typed.where(number == np.floor(number))
    bad = present & typed.isna()
    out.add(spec.name, Rule.TYPE, f"is not {_TYPE_WORDS[spec.type]}", bad, raw, spec)
    return typed


def _check_field(values: pd.Series, spec: FieldSpec, out: _Collector,
                 empty: pd.Series) -> None:
    missing = values.isna()
    if spec.required:
        out.add(spec.name, Rule.REQUIRED, "has no value", empty)
    present = values[~missing]

    def flag(test: pd.Series) -> np.ndarray:
        bad = np.zeros(len(values), dtype=bool)
        bad[~missing.to_numpy()] = pd.Series(test).to_numpy(dtype=bool, na_value=False)
        return bad

    if spec.enum is not None:
        allowed = {str(v) for v in spec.enum}
        bad = flag(~present.astype(str).isin(allowed))
        out.add(spec.name, Rule.ENUM, f"is not one of {', '.join(sorted(allowed))}",
                bad, values, spec)
    if spec.pattern:
        bad = flag(~present.astype(str).str.fullmatch(spec.pattern).astype(bool))
        out.add(spec.name, Rule.PATTERN, f"does not match the pattern {spec.pattern}",
                bad, values, spec)
    for bound, word in ((spec.minimum, "below the minimum"), (spec.maximum,
                                                               "above the maximum")):
        if bound is None:
            continue
        limit = pd.Timestamp(bound) if spec.type == "date" else bound
        bad = flag((present < limit) if word.startswith("below") else (present > limit))
        out.add(spec.name, Rule.RANGE, f"is {word} {bound}", bad, values, spec)
    if spec.unique:
        out.add(spec.name, Rule.UNIQUE, "repeats a value that must be unique",
                values.duplicated(keep="first") & ~missing)


def _check_rules(frame: pd.DataFrame, spec: TableSpec, out: _Collector) -> None:
    for rule in spec.rules:
        a, b = rule["field"], rule["other"]
        if a not in frame or b not in frame:
            continue
        if rule["rule"] == "not_before":
            out.add(a, Rule.NOT_BEFORE, f"is before '{b}' (end before start)",
                    (frame[a] < frame[b]).fillna(False))
        else:
            out.add(a, Rule.PRESENT_TOGETHER, f"is set but '{b}' is empty",
                    (frame[a].notna() & frame[b].isna()))
    if spec.primary_key and all(k in frame for k in spec.primary_key) and len(
            spec.primary_key) > 1:
        out.add(",".join(spec.primary_key), Rule.PRIMARY_KEY, "duplicate key",
                frame.duplicated(list(spec.primary_key)))


def _check_table(path: Path, spec: TableSpec) -> tuple[pd.DataFrame | None, list]:
    out = _Collector(str(path), spec.name)
    raw = _read_raw(path, out)
    if raw is None:
        return None, out.problems
    for name in spec.field_names:
        if name not in raw.columns:
            out.add(name, Rule.COLUMN_MISSING, "is missing from the file")
    for name in raw.columns:
        if name not in spec.field_names:
            out.add(str(name), Rule.COLUMN_EXTRA, "is not in the data dictionary")
    if len(raw) == 0:
        out.add(None, Rule.TABLE_EMPTY, "has no rows")
        return None, out.problems
    typed = {}
    for fspec in spec.fields:
        if fspec.name in raw.columns:
            column = raw[fspec.name]
            typed[fspec.name] = _typed_column(column, fspec, out)
            empty = column.isna() | (column.astype(str) == "")
            _check_field(typed[fspec.name], fspec, out, empty)
    frame = pd.DataFrame(typed, index=raw.index)
    _check_rules(frame, spec, out)
    return frame, out.problems


def _check_links(frames: dict, dictionary: Dictionary, paths: dict) -> list[Problem]:
    problems = []
    for name, frame in frames.items():
        spec = dictionary.table(name)
        out = _Collector(str(paths[name]), name)
        for key in spec.foreign_keys:
            target = key["reference"]["resource"]
            if target not in frames or key["fields"][0] not in frame:
                continue
            column, ref = key["fields"][0], key["reference"]["fields"][0]
            known = frames[target][ref]
            out.add(column, Rule.FOREIGN_KEY, f"has values not found in "
                    f"'{target}.{ref}'", frame[column].notna() & ~frame[column].isin(known))
        problems += out.problems
    people = frames.get("people")
    for rule in dictionary.cross_table_rules:
        frame = frames.get(rule["table"])
        if people is None or frame is None or "person_id" not in frame:
            continue
        deaths = people.set_index("person_id")["date_of_death"].dropna()
        death = frame["person_id"].map(deaths)
        out = _Collector(str(paths[rule["table"]]), rule["table"])
        out.add(rule["field"], Rule.AFTER_DEATH, "is after the person's date of death",
                (frame[rule["field"]] > death).fillna(False).to_numpy())
        problems += out.problems
    return problems


def validate_tables(
    path: Path, dictionary: Dictionary, tables: Sequence[str]
) -> ValidationReport:
    """Validate the named tables of a folder against a dictionary."""
    problems, frames, paths = [], {}, {}
    for name in tables:
        spec = dictionary.table(name)
        file = table_path(path, name)
        if file is None:
            problems.append(Problem(str(Path(path) / f"{name}.parquet"), name, None,
                                    Rule.FILE_MISSING,
                                    f"no file {name}.parquet or {name}.csv"))
            continue
        frame, found = _check_table(file, spec)
        problems += found
        paths[name] = file
        if frame is not None:
            frames[name] = frame
    problems += _check_links(frames, dictionary, paths)
    return ValidationReport(Path(path), tuple(problems))


def validate_directory(
    path: Path, *, tables: Sequence[str] | None = None
) -> ValidationReport:
    """Validate every table of a data folder against the data dictionary.

    Parameters
    ----------
    path
        Folder holding ``<table>.parquet`` or ``<table>.csv`` files.
    tables
        Only these tables (default: every table in the dictionary).

    Returns
    -------
    ValidationReport
        ``ok`` when no rule is broken; otherwise every problem, with rows.
    """
    dictionary = load_dictionary()
    if not Path(path).is_dir():
        return ValidationReport(Path(path), (Problem(
            str(path), "(all)", None, Rule.FILE_MISSING, "the data folder does not exist"),))
    return validate_tables(Path(path), dictionary, tables or list(dictionary.tables))
