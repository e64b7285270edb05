"""The validation report and its rules: what a problem is, and the checks in pandas.

:class:`ValidationReport` holds every :class:`Problem` (file, table, column,
:class:`Rule`, how many rows break it and the first few row numbers; row 1 is the first
data row). Values of identifier and quasi-identifier fields are never echoed, nor any
value that looks like an identifier (:mod:`lifetools.redaction`), and every echoed value
is cut to a few dozen characters. The report renders as text (``render``) and as CSV or
JSON (``write``); problems of level ``warning`` (unknown files, optional columns with no
value) do not make it fail.

This module is below both :mod:`lifetools.validation` (``validate_directory``, which
dispatches a folder, a DuckDB file or a server to its checks) and the engines' checks
as queries (:mod:`lifetools.engines.checks`, ``folder``, ``server``), which build the
same report with the same rule helpers: it imports neither.
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

from lifetools.bounded_reads import read_raw
from lifetools.dictionary import (
    STORED_TYPE_WORDS,
    Dictionary,
    FieldSpec,
    TableSpec,
)
from lifetools.errors import DataValidationError, OutputPathError
from lifetools.redaction import looks_identifying, safe_text
from lifetools.typed_reads import coerce_types

__all__ = ["MAX_ROWS_KEPT", "STORED_TYPE_WORDS", "Problem", "Rule", "ValidationReport",
           "check_frame", "nested_columns", "raise_for_problems"]

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
    YEAR_NOT_AFTER = "year_not_after"
    PLAUSIBLE = "plausible"
    PACKAGE = "package"
    FILE_DUPLICATE = "file.duplicate"
    FILE_UNKNOWN = "file.unknown"
    FILE_SYMLINK = "file.symlink"
    FILE_NOT_REGULAR = "file.not_regular"
    TOO_LONG = "value.too_long"
    COLUMN_EMPTY = "column.empty"


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
    level: str = "error"

    def render(self, max_rows: int = 5) -> str:
        """One line: where, what, the rule."""
        where = (f"column '{self.column}'" if self.column else
                 "file" if self.rule.value.startswith("file.") or self.rule is Rule.PACKAGE
                 else "table")
        if self.level != "error":
            where = f"{self.level}: {where}"
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
        """True when no rule is broken (warnings allowed)."""
        return not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems of level ``error``."""
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems of level ``warning`` (reported, not failing)."""
        return tuple(p for p in self.problems if p.level != "error")

    def render(self, max_rows_per_rule: int = 5) -> str:
        """The readable report, grouped by file (files named inside the folder)."""
        if not self.problems:
            return "all tables valid"
        head = (f"{len(self.errors)} problem(s)" if self.errors else "all tables valid")
        lines = [head + (f", {len(self.warnings)} warning(s)" if self.warnings else "")]
        for file in dict.fromkeys(p.file for p in self.problems):
            group = [p for p in self.problems if p.file == file]
            table = group[0].table
            lines.append(f"{file}" + (f" (table '{table}')" if table != "(none)" else "")
                         + ":")
            lines += [p.render(max_rows_per_rule) for p in group]
        return "\n".join(lines)

    def write(self, path: Path) -> Path:
        """Write every problem as CSV or JSON (by the file's suffix).

        Raises
        ------
        OutputPathError
            If the report's folder does not exist or the path is a folder.
        """
        path = Path(path)
        if not path.parent.is_dir() or path.is_dir():
            raise OutputPathError(f"cannot write the report {path.name}: its folder does "
                                  "not exist, or it is a folder",
                                  hint="create the folder first, or choose another path")
        rows = [{**asdict(p), "rule": p.rule.value, "rows": ";".join(map(str, p.rows)),
                 "examples": " | ".join(p.examples)} for p in self.problems]
        if path.suffix == ".json":
            path.write_text(json.dumps(rows, indent=2) + "\n")
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=["file", "table", "column", "rule",
                                                        "message", "count", "rows",
                                                        "examples", "level"],
                                    lineterminator="\n")
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

    def add(self, column, rule, message, mask=None, values=None, spec=None,
            level="error"):
        rows, count = (), 1
        examples: tuple[str, ...] = ()
        if mask is not None:
            index = np.flatnonzero(np.asarray(mask, dtype=bool))
            if len(index) == 0:
                return
            count = len(index)
            rows = tuple(int(i) + 1 for i in index[:MAX_ROWS_KEPT])
            if values is not None and not (spec is not None and spec.is_identifying):
                examples = _examples(pd.Series(values).iloc[index[:50]])
        self.problems.append(Problem(self.file, self.table, column, rule, message,
                                     count, rows, examples, level))


def _examples(values: pd.Series) -> tuple[str, ...]:
    """Up to three distinct values, cut short; none at all if any looks identifying."""
    shown = [str(v)[:200] for v in values.tolist()]
    if any(looks_identifying(v) for v in shown):
        return ()
    return tuple(repr(safe_text(v)) for v in dict.fromkeys(shown))[:3]


def _read_raw(path: Path, out: _Collector, skip: Sequence[str] = ()) -> pd.DataFrame | None:
    frame, problem = read_raw(path, skip=skip)
    if problem:
        out.add(None, Rule(problem[0]), problem[1])
    return frame


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
                 empty: pd.Series, extract_date) -> None:
    missing = values.isna()
    if spec.required:
        out.add(spec.name, Rule.REQUIRED, "has no value", empty)
    elif len(values) and bool(missing.all()):
        out.add(spec.name, Rule.COLUMN_EMPTY, "has no value in any row (optional "
                "column; analyses using it report it as not available)", level="warning")
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
    low, high = spec.bounds(extract_date)
    for bound, word, rule in ((spec.minimum, "below the minimum", Rule.RANGE),
                              (spec.maximum, "above the maximum", Rule.RANGE),
                              (low, "before the plausible start", Rule.PLAUSIBLE),
                              (high, "after the plausible end", Rule.PLAUSIBLE)):
        if bound is None:
            continue
        limit = pd.Timestamp(bound) if spec.type == "date" else bound
        if rule is Rule.PLAUSIBLE and spec.type != "date":
            word = word.replace("before", "below").replace("after", "above")
        bad = flag((present < limit) if "below" in word or "before" in word
                   else (present > limit))
        shown = bound.isoformat() if hasattr(bound, "isoformat") else bound
        out.add(spec.name, rule, f"is {word} {shown}", bad, values, spec)
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
        elif rule["rule"] == "year_not_after":
            out.add(a, Rule.YEAR_NOT_AFTER, f"is after the year of '{b}'",
                    (frame[a] > frame[b].dt.year.astype("Int64")).fillna(False))
        else:
            out.add(a, Rule.PRESENT_TOGETHER, f"is set but '{b}' is empty",
                    (frame[a].notna() & frame[b].isna()))
    if spec.primary_key and all(k in frame for k in spec.primary_key) and len(
            spec.primary_key) > 1:
        out.add(",".join(spec.primary_key), Rule.PRIMARY_KEY, "duplicate key",
                frame.duplicated(list(spec.primary_key)))


def nested_columns(path: Path, spec: TableSpec) -> dict[str, str]:
    """The dictionary columns a Parquet file stores in a nested type (list, struct, map,
    union, ...), with the stored type as text.

    Notes
    -----
    The dictionary's types are all scalar (:data:`lifetools.dictionary.FIELD_TYPES`),
    and a DuckDB file's or a server's column of a nested type is refused by their type
    check: a Parquet file's is refused too (:func:`_check_table`), so no nested value
    (a float inside a list, whose sign the column fingerprints do not look into)
    reaches a build. Tested in ``tests/unit/test_validation_nested.py``.
    """
    if path.suffix != ".parquet":
        return {}
    import pyarrow.parquet as pq
    import pyarrow.types as pat

    try:
        schema = pq.read_schema(path)
    except Exception:  # noqa: BLE001 - an unreadable file is reported by read_raw
        return {}
    return {f.name: str(f.type) for f in schema
            if f.name in spec.field_names and pat.is_nested(f.type)}


def _check_table(path: Path, spec: TableSpec, extract_date) -> tuple[pd.DataFrame | None,
                                                                       list]:
    out = _Collector(path.name, spec.name)
    nested = nested_columns(path, spec)
    for name, stored in nested.items():
        out.add(name, Rule.TYPE, f"is stored as {stored}; the dictionary says "
                f"{STORED_TYPE_WORDS[spec.field(name).type]}")
    raw = _read_raw(path, out, skip=tuple(nested))
    if raw is None:
        return None, out.problems
    frame, problems = check_frame(raw, spec, extract_date, out)
    return frame, [p for p in problems
                   if not (p.rule is Rule.COLUMN_MISSING and p.column in nested)]


def check_frame(raw: pd.DataFrame, spec: TableSpec, extract_date,
                out: _Collector) -> tuple[pd.DataFrame | None, list]:
    """Check one table as read (from a file or a DuckDB database): the typed frame (or
    None when the table cannot be typed) and every problem found."""
    for name in spec.field_names:
        if name not in raw.columns:
            out.add(name, Rule.COLUMN_MISSING, "is missing from the file")
    for number, name in enumerate(raw.columns, start=1):
        if name not in spec.field_names:
            out.add(safe_text(name, placeholder=f"#{number}"), Rule.COLUMN_EXTRA,
                    "is not in the data dictionary")
    if raw.columns.duplicated().any():
        out.add(None, Rule.COLUMN_EXTRA, "has two columns with the same name")
        return None, out.problems
    if len(raw) == 0:
        out.add(None, Rule.TABLE_EMPTY, "has no rows")
        return None, out.problems
    typed = {}
    for fspec in spec.fields:
        if fspec.name in raw.columns:
            column = raw[fspec.name]
            typed[fspec.name] = _typed_column(column, fspec, out)
            empty = column.isna() | (column.astype(str) == "")
            _check_field(typed[fspec.name], fspec, out, empty, extract_date)
    frame = pd.DataFrame(typed, index=raw.index)
    _check_rules(frame, spec, out)
    return frame, out.problems


def _check_links(frames: dict, dictionary: Dictionary, paths: dict) -> list[Problem]:
    problems = []
    for name, frame in frames.items():
        spec = dictionary.table(name)
        out = _Collector(paths[name].name, name)
        for key in spec.foreign_keys:
            target = key["reference"]["resource"]
            column, ref = key["fields"][0], key["reference"]["fields"][0]
            if target not in frames or column not in frame or ref not in frames[target]:
                continue
            known = frames[target][ref]
            out.add(column, Rule.FOREIGN_KEY, f"has values not found in "
                    f"'{target}.{ref}'", frame[column].notna() & ~frame[column].isin(known))
        problems += out.problems
    people = frames.get("people")
    if people is None or not {"person_id", "date_of_death"} <= set(people):
        return problems
    deaths = people.dropna(subset=["person_id"]).drop_duplicates("person_id")
    deaths = deaths.set_index("person_id")["date_of_death"].dropna()
    for rule in dictionary.cross_table_rules:
        frame = frames.get(rule["table"])
        if frame is None or not {"person_id", rule["field"]} <= set(frame):
            continue
        death = frame["person_id"].map(deaths)
        out = _Collector(paths[rule["table"]].name, rule["table"])
        out.add(rule["field"], Rule.AFTER_DEATH, "is after the person's date of death",
                (frame[rule["field"]] > death).fillna(False).to_numpy())
        problems += out.problems
    return problems
