"""The data dictionary: ``data_dictionary/*.yaml`` parsed into frozen specs.

Validation, the synthetic generator and the book's data pages read these specs and
nothing else. The dictionary is itself checked against a schema when loaded; any
problem is a :class:`~lifetools.errors.DictionaryError` naming the file, table and field.

This module is on the data's load path (:data:`lifetools.typed_cache.CODE_MODULES`): it
parses and checks, nothing more. The dictionary's pages are written by the publishing
pipeline (:mod:`lifetools.pipeline.dictionary_pages`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from lifetools import config
from lifetools.errors import DictionaryError

__all__ = [
    "FIELD_TYPES",
    "EXTRACT_DATE",
    "SENSITIVITIES",
    "STORED_TYPE_WORDS",
    "Dictionary",
    "FieldSpec",
    "TableSpec",
    "load_dictionary",
    "parse_yaml",
]

T = TypeVar("T")

STORED_TYPE_WORDS = {"date": "a date", "integer": "a whole number", "number": "a number",
                     "boolean": "true/false", "string": "text"}
"""The dictionary's types in words, for a column stored in a type that cannot hold one."""

FIELD_TYPES = ("string", "integer", "number", "boolean", "date")
SENSITIVITIES = ("identifier", "quasi-identifier", "none")
ROW_RULES = ("not_before", "present_together", "year_not_after")
EXTRACT_DATE = "extract_date"
"""Bound token of ``plausible``: the extract's date (its year for an integer field)."""
RANGED_TYPES = ("integer", "number", "date")
CROSS_RULES = ("not_after_death",)

_FIELD_SCHEMA = {
    "type": "object",
    "required": ["name", "type", "description"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "type": {"enum": list(FIELD_TYPES)},
        "description": {"type": "string", "minLength": 1},
        "constraints": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "required": {"type": "boolean"}, "unique": {"type": "boolean"},
                "enum": {"type": "array", "minItems": 1}, "pattern": {"type": "string"},
                "minimum": {}, "maximum": {},
                "plausible": {
                    "type": "object", "additionalProperties": False,
                    "required": ["minimum", "maximum"],
                    "properties": {"minimum": {}, "maximum": {}},
                },
            },
        },
        "lifetools": {
            "type": "object",
            "required": ["sensitivity"],
            "properties": {"sensitivity": {"enum": list(SENSITIVITIES)}},
        },
    },
}
_TABLE_SCHEMA = {
    "type": "object",
    "required": ["name", "title", "description", "fields"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"}, "title": {"type": "string"},
        "description": {"type": "string"},
        "primaryKey": {"type": "array", "items": {"type": "string"}},
        "foreignKeys": {"type": "array", "items": {
            "type": "object", "required": ["fields", "reference"],
            "properties": {"fields": {"type": "array"}, "reference": {
                "type": "object", "required": ["resource", "fields"]}}}},
        "rules": {"type": "array", "items": {
            "type": "object", "required": ["rule", "field", "other"],
            "properties": {"rule": {"enum": list(ROW_RULES)}}}},
        "fields": {"type": "array", "minItems": 1, "items": _FIELD_SCHEMA},
    },
}


@dataclass(frozen=True)
class FieldSpec:
    """One column of a table: type, constraints and lifetools extensions."""

    name: str
    type: str
    description: str
    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: Any = None
    maximum: Any = None
    plausible: tuple[Any, Any] | None = None
    sensitivity: str = "none"
    source: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unit: str | None = None

    @property
    def is_identifying(self) -> bool:
        """True for identifier and quasi-identifier fields: values never printed."""
        return self.sensitivity != "none"

    def bounds(self, extract_date: Any) -> tuple[Any, Any]:
        """Return the (lowest, highest) plausible value, ``extract_date`` resolved.

        ``extract_date`` is a :class:`datetime.date`; for an integer or number field the
        token stands for its year. Either bound may be None (no bound).
        """
        def resolve(value: Any) -> Any:
            if value != EXTRACT_DATE:
                return value
            return extract_date if self.type == "date" else extract_date.year

        low, high = self.plausible or (None, None)
        return resolve(low), resolve(high)


@dataclass(frozen=True)
class TableSpec:
    """One input table: its fields, keys and row rules."""

    name: str
    title: str
    description: str
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[Mapping[str, Any], ...] = ()
    rules: tuple[Mapping[str, Any], ...] = ()
    path: Path | None = None

    def field(self, name: str) -> FieldSpec:
        """Return the field called ``name`` (KeyError if absent)."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"table {self.name!r} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        """Field names in declared order."""
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class Dictionary:
    """The whole dictionary: tables in declared order and cross-table rules."""

    name: str
    version: str
    tables: Mapping[str, TableSpec]
    cross_table_rules: tuple[Mapping[str, Any], ...] = ()
    path: Path | None = None

    def table(self, name: str) -> TableSpec:
        """Return a table's spec, or raise DictionaryError listing the tables."""
        if name not in self.tables:
            raise DictionaryError(f"the data dictionary has no table {name!r}",
                                  hint=f"tables: {', '.join(self.tables)}")
        return self.tables[name]

    def groups(self, table: str, field_name: str) -> Mapping[str, tuple[str, ...]]:
        """Return a field's code groups (e.g. closure reasons by survival outcome)."""
        return self.table(table).field(field_name).groups


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when installed (about ten times faster than the pure-Python
one; the same constructor and resolver, and node marks with the same lines)."""


def parse_yaml(parse: Callable[[type], T]) -> T:
    """Parse YAML with libyaml's safe loader when installed, else the pure-Python one.

    Parameters
    ----------
    parse
        A function of a loader class (``yaml.CSafeLoader`` or ``yaml.SafeLoader``) that
        parses the text with it, e.g. ``lambda loader: yaml.load(text, Loader=loader)``.

    Returns
    -------
    T
        What ``parse`` returns with the fast loader, or, when that loader refuses the
        text, with ``yaml.SafeLoader``.

    Raises
    ------
    yaml.YAMLError
        The pure-Python loader's error (its line and column) when it refuses the text
        too: a text libyaml refuses is parsed again for that error.

    Notes
    -----
    The one owner of this choice: the dictionary and the series file
    (:mod:`lifetools.pipeline.series`) are read through it.
    """
    try:
        return parse(_FAST_LOADER)
    except yaml.YAMLError:
        if _FAST_LOADER is yaml.SafeLoader:
            raise
    return parse(yaml.SafeLoader)


_LOADED: dict[tuple[str, str], Dictionary] = {}
"""Dictionaries already loaded, by folder and a hash of every file in it."""


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DictionaryError(f"{path}: file does not exist") from None
    try:
        return parse_yaml(lambda loader: yaml.load(text, Loader=loader))  # noqa: S506 - safe loaders only
    except yaml.YAMLError as exc:
        raise DictionaryError(f"{path}: not valid YAML: {exc}") from None


def _folder_key(folder: Path) -> tuple[str, str]:
    """The folder and one SHA-256 over the name and bytes of every file in it."""
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(folder)).encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return str(folder), digest.hexdigest()


def _check(raw: Any, schema: dict, path: Path) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for error in errors[:10]:
            where = list(error.absolute_path)
            if len(where) >= 2 and where[0] == "fields" and isinstance(raw, dict):
                name = raw["fields"][where[1]].get("name", f"#{where[1]}")
                place = f"field {name!r} " + "/".join(map(str, where[2:]))
            else:
                place = "/".join(map(str, where)) or "(top level)"
            lines.append(f"  {place}: {error.message}")
        raise DictionaryError(f"{path}: the dictionary file is malformed\n"
                              + "\n".join(lines),
                              hint="see data_dictionary/README.md for the keys")


def _field(raw: Mapping[str, Any]) -> FieldSpec:
    constraints = raw.get("constraints", {})
    extra = raw.get("lifetools", {})
    return FieldSpec(
        name=raw["name"], type=raw["type"], description=raw["description"].strip(),
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        enum=tuple(constraints["enum"]) if "enum" in constraints else None,
        pattern=constraints.get("pattern"), minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        plausible=(tuple(constraints["plausible"][k] for k in ("minimum", "maximum"))
                   if "plausible" in constraints else None),
        sensitivity=extra.get("sensitivity", "none"),
        source=extra.get("source"),
        labels={str(k): str(v) for k, v in (extra.get("labels") or {}).items()},
        groups={k: tuple(v) for k, v in (extra.get("groups") or {}).items()},
        unit=extra.get("unit"),
    )


def _table(path: Path, expected: str) -> TableSpec:
    raw = _read_yaml(path)
    _check(raw, _TABLE_SCHEMA, path)
    if raw["name"] != expected:
        raise DictionaryError(f"{path}: table name {raw['name']!r} does not match the "
                              f"file name (expected {expected!r})")
    fields = tuple(_field(f) for f in raw["fields"])
    names = [f.name for f in fields]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DictionaryError(f"{path}: table {expected!r} declares field(s) "
                              f"{duplicates} twice")
    unbounded = [f.name for f in fields if f.type in RANGED_TYPES and not (
        (f.minimum is not None or f.plausible) and (f.maximum is not None or f.plausible))]
    if unbounded:
        raise DictionaryError(f"{path}: table {expected!r}: field(s) {unbounded} need a "
                              "plausible range (constraints minimum and maximum, or "
                              "plausible)", hint="see data_dictionary/README.md")
    referenced = list(raw.get("primaryKey", []))
    for key in raw.get("foreignKeys", []):
        referenced += key["fields"]
    for rule in raw.get("rules", []):
        referenced += [rule["field"], rule["other"]]
    unknown = sorted(set(referenced) - set(names))
    if unknown:
        raise DictionaryError(f"{path}: table {expected!r} refers to undeclared "
                              f"field(s) {unknown}")
    return TableSpec(
        name=raw["name"], title=raw["title"], description=raw["description"].strip(),
        fields=fields, primary_key=tuple(raw.get("primaryKey", [])),
        foreign_keys=tuple(raw.get("foreignKeys", [])),
        rules=tuple(raw.get("rules", [])), path=path,
    )


def load_dictionary(path: Path | None = None) -> Dictionary:
    """Load and check the data dictionary (default ``data_dictionary/``).

    The result is kept for the process and returned again while no file of the folder
    changed (a hash of their bytes, far cheaper than parsing: reports and loading ask for
    it several times per notebook).

    Raises
    ------
    DictionaryError
        Naming the file, table and field of the first problems found.
    """
    folder = Path(path) if path else config.dictionary_dir()
    try:
        key: tuple[str, str] | None = _folder_key(folder)
    except OSError:
        key = None
    if key in _LOADED:  # parsed once per process while its files are unchanged
        return _LOADED[key]
    dictionary = _load_dictionary(folder)
    if key is not None:
        _LOADED.clear()
        _LOADED[key] = dictionary
    return dictionary


def _load_dictionary(folder: Path) -> Dictionary:
    package_path = folder / "package.yaml"
    package = _read_yaml(package_path)
    if not isinstance(package, dict) or not isinstance(package.get("tables"), list):
        raise DictionaryError(f"{package_path}: needs a `tables` list")
    tables = {name: _table(folder / f"{name}.yaml", name) for name in package["tables"]}
    for table in tables.values():
        for key in table.foreign_keys:
            target = key["reference"]["resource"]
            if target not in tables or not set(key["reference"]["fields"]) <= set(
                    tables[target].field_names):
                raise DictionaryError(f"{table.path}: foreign key to unknown table or "
                                      f"field {target}.{key['reference']['fields']}")
    rules = tuple(package.get("crossTableRules", []))
    for rule in rules:
        if rule.get("rule") not in CROSS_RULES or rule.get("table") not in tables:
            raise DictionaryError(f"{package_path}: unknown cross-table rule {rule}")
        tables[rule["table"]].field(rule["field"])
    return Dictionary(name=package.get("name", "dictionary"),
                      version=str(package.get("version", "")), tables=tables,
                      cross_table_rules=rules, path=folder)
